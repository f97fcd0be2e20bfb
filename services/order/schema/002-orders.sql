-- Orders: one per checkout (its idempotency key unique per owner), its lines as they were
-- bought, the saga's progress (step: what is still to be done with the other services), an
-- append-only history of its states and the outbox to the Redis stream 'orders'.

CREATE TABLE orders (
    id text PRIMARY KEY CHECK (id ~ '^ord_[0-9a-f]{24}$'),
    owner text NOT NULL CHECK (length(owner) BETWEEN 1 AND 64),
    idem_key text NOT NULL CHECK (length(idem_key) BETWEEN 8 AND 128),
    fingerprint text NOT NULL,
    status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'PAID', 'SHIPPED',
        'DELIVERED', 'CANCELLED', 'REFUNDED')),
    -- The next thing to do with another service: reserve (catalog), pay (payment), commit
    -- (catalog), refund (payment), restock or release (catalog), or done.
    step text NOT NULL DEFAULT 'reserve' CHECK (step IN ('reserve', 'pay', 'commit', 'refund',
        'restock', 'release', 'done')),
    refund_to text CHECK (refund_to IN ('CANCELLED', 'REFUNDED')),
    stock_committed boolean NOT NULL DEFAULT false,
    reason text CHECK (length(reason) <= 200),
    subtotal bigint NOT NULL CHECK (subtotal > 0),
    shipping_fee bigint NOT NULL CHECK (shipping_fee >= 0),
    total bigint NOT NULL CHECK (total = subtotal + shipping_fee),
    currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    item_count integer NOT NULL CHECK (item_count > 0),
    address jsonb NOT NULL,
    payment_id text CHECK (length(payment_id) <= 64),
    card jsonb,
    -- The recovery worker leaves an order alone until then: the process working on it has it.
    lease_until timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    paid_at timestamptz,
    shipped_at timestamptz,
    delivered_at timestamptz,
    cancelled_at timestamptz,
    refunded_at timestamptz,
    UNIQUE (owner, idem_key)
);
CREATE INDEX orders_owner ON orders (owner, created_at DESC, id DESC);
CREATE INDEX orders_created ON orders (created_at DESC, id DESC);
CREATE INDEX orders_open ON orders (lease_until) WHERE step <> 'done';

CREATE TABLE order_items (
    order_id text NOT NULL REFERENCES orders (id),
    product_id bigint NOT NULL,
    name text NOT NULL,
    name_en text,
    image_url text,
    unit_price bigint NOT NULL CHECK (unit_price >= 0),
    qty integer NOT NULL CHECK (qty BETWEEN 1 AND 99),
    PRIMARY KEY (order_id, product_id)
);

-- Every state an order went through, never updated or deleted; written by the trigger below
-- in the same statement as the change.
CREATE TABLE order_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id text NOT NULL,
    from_status text, -- NULL: the order was created
    to_status text NOT NULL,
    reason text,
    created_at timestamptz NOT NULL DEFAULT now(),
    -- The allowed transitions (services/order/orders.c holds the same table; a unit test
    -- compares the two), so a change the table does not allow cannot be made.
    CONSTRAINT order_transitions CHECK (from_status IS NULL AND to_status = 'PENDING' OR
        (from_status, to_status) IN (
            ('PENDING', 'PAID'), ('PENDING', 'CANCELLED'),
            ('PAID', 'SHIPPED'), ('PAID', 'CANCELLED'), ('PAID', 'REFUNDED'),
            ('SHIPPED', 'DELIVERED'), ('SHIPPED', 'REFUNDED'),
            ('DELIVERED', 'REFUNDED')))
);
CREATE INDEX order_events_order ON order_events (order_id, id);

CREATE FUNCTION order_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'order_events is append-only' USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER order_events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON order_events
    FOR EACH STATEMENT EXECUTE FUNCTION order_events_append_only();

-- Events on their way to Redis Streams; the relay (agora/events.h) publishes and deletes them.
CREATE TABLE outbox (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stream text NOT NULL,
    type text NOT NULL,
    payload jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- A new order or a change of its state: its event row (which the transition CHECK guards)
-- and its outbox row, order.<state> (order.created for a new one), in the same statement.
CREATE FUNCTION order_status_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_status text := CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END;
BEGIN
    INSERT INTO order_events (order_id, from_status, to_status, reason)
        VALUES (NEW.id, old_status, NEW.status, NEW.reason);
    INSERT INTO outbox (stream, type, payload) VALUES ('orders',
        CASE WHEN old_status IS NULL THEN 'order.created' ELSE 'order.' || lower(NEW.status) END,
        json_build_object('orderId', NEW.id, 'owner', NEW.owner, 'status', NEW.status,
            'from', old_status, 'total', NEW.total, 'currency', NEW.currency,
            'reason', NEW.reason, 'at', now()));
    RETURN NULL;
END
$$;
CREATE TRIGGER order_created AFTER INSERT ON orders
    FOR EACH ROW EXECUTE FUNCTION order_status_changed();
CREATE TRIGGER order_status_changed AFTER UPDATE OF status ON orders
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION order_status_changed();
