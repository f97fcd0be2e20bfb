-- The catalogue: a category tree of at most three levels, products with integer prices
-- (minor units of their currency), and the stock of each product with what is reserved of it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE categories (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    parent_id bigint REFERENCES categories (id),
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND slug ~ '[a-z]'
                                     AND length(slug) <= 80),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    name_en text CHECK (length(name_en) BETWEEN 1 AND 100),
    position integer NOT NULL DEFAULT 0,
    depth smallint NOT NULL CHECK (depth BETWEEN 1 AND 3),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX categories_parent ON categories (parent_id, position, id);

CREATE TABLE products (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND slug ~ '[a-z]'
                                     AND length(slug) <= 80),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    name_en text CHECK (length(name_en) BETWEEN 1 AND 200),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    description_en text NOT NULL DEFAULT '' CHECK (length(description_en) <= 5000),
    brand text NOT NULL DEFAULT '' CHECK (length(brand) <= 100),
    category_id bigint REFERENCES categories (id),
    price bigint NOT NULL CHECK (price BETWEEN 0 AND 1000000000000),
    sale_price bigint CHECK (sale_price >= 0 AND sale_price < price),
    currency text NOT NULL DEFAULT 'KRW' CHECK (currency ~ '^[A-Z]{3}$'),
    status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'archived')),
    images text[] NOT NULL DEFAULT '{}' CHECK (cardinality(images) <= 20),
    attributes jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
    sold bigint NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- What the shopper pays, what filters and the price sort use.
    effective_price bigint GENERATED ALWAYS AS (COALESCE(sale_price, price)) STORED,
    -- Full-text search over both languages. The 'simple' configuration keeps every word as it
    -- is (no stemming), which is what Korean needs; trigrams below catch partial words.
    search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', name || ' ' || coalesce(name_en, '')), 'A') ||
        setweight(to_tsvector('simple', brand), 'B') ||
        setweight(to_tsvector('simple', description || ' ' || description_en), 'C')) STORED,
    search_name text GENERATED ALWAYS AS (lower(name || ' ' || coalesce(name_en, '') || ' ' ||
                                                brand)) STORED
);
CREATE INDEX products_search ON products USING gin (search);
CREATE INDEX products_search_name ON products USING gin (search_name gin_trgm_ops);
CREATE INDEX products_new ON products (status, created_at DESC, id DESC);
CREATE INDEX products_price ON products (status, effective_price, id);
CREATE INDEX products_popular ON products (status, sold DESC, id);
CREATE INDEX products_category ON products (category_id, status, created_at DESC);

-- On hand: units in the warehouse; reserved: held for orders not yet paid or released.
CREATE TABLE stock (
    product_id bigint PRIMARY KEY REFERENCES products (id),
    on_hand integer NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
    reserved integer NOT NULL DEFAULT 0 CHECK (reserved >= 0 AND reserved <= on_hand),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- A reservation is held for one order until it is committed (paid), released, or expires.
CREATE TABLE reservations (
    order_id text PRIMARY KEY CHECK (order_id ~ '^[A-Za-z0-9_-]{1,64}$'),
    status text NOT NULL CHECK (status IN ('held', 'committed', 'released', 'expired')),
    fingerprint text NOT NULL,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reservations_held ON reservations (expires_at) WHERE status = 'held';

CREATE TABLE reservation_items (
    order_id text NOT NULL REFERENCES reservations (order_id),
    product_id bigint NOT NULL REFERENCES products (id),
    qty integer NOT NULL CHECK (qty BETWEEN 1 AND 999),
    PRIMARY KEY (order_id, product_id)
);
