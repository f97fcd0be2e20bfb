-- Members: login id (never reused, so tokens naming it stay unambiguous), email unique among
-- live members regardless of case, argon2id password hash, role, soft delete.
CREATE TABLE members (
    uid uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    id text NOT NULL UNIQUE CHECK (id ~ '^[a-z0-9][a-z0-9_.-]{2,29}$'),
    email text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    password_hash text NOT NULL,
    role text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);

CREATE UNIQUE INDEX members_email_live ON members (lower(email)) WHERE deleted_at IS NULL;
CREATE INDEX members_created_at ON members (created_at, uid) WHERE deleted_at IS NULL;
