-- Delivery addresses of a member; at most one default per member.
CREATE TABLE addresses (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    member_uid uuid NOT NULL REFERENCES members (uid) ON DELETE CASCADE,
    recipient text NOT NULL CHECK (length(recipient) BETWEEN 1 AND 50),
    phone text NOT NULL CHECK (length(phone) BETWEEN 7 AND 20),
    postal_code text NOT NULL CHECK (length(postal_code) BETWEEN 3 AND 10),
    line1 text NOT NULL CHECK (length(line1) BETWEEN 1 AND 200),
    line2 text NOT NULL DEFAULT '' CHECK (length(line2) <= 200),
    is_default boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX addresses_one_default ON addresses (member_uid) WHERE is_default;
CREATE INDEX addresses_member ON addresses (member_uid, created_at);
