-- Payments: one per order, its state machine, the refunds against it, an append-only event
-- history, the provider webhooks seen (by event id) and the outbox to Redis Streams.
-- Card numbers are never stored: only the brand and the last four digits.

CREATE TABLE payments (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    order_id text NOT NULL UNIQUE CHECK (order_id ~ '^[A-Za-z0-9_-]{1,64}$'),
    payer_id text CHECK (length(payer_id) BETWEEN 1 AND 64),
    amount bigint NOT NULL CHECK (amount > 0),
    currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'AUTHORIZED', 'CAPTURED',
        'PARTIALLY_REFUNDED', 'REFUNDED', 'FAILED', 'VOIDED', 'UNKNOWN')),
    provider text NOT NULL,
    provider_payment_id text,
    captured_amount bigint NOT NULL DEFAULT 0 CHECK (captured_amount BETWEEN 0 AND amount),
    refunded_amount bigint NOT NULL DEFAULT 0
        CHECK (refunded_amount BETWEEN 0 AND captured_amount),
    card_brand text CHECK (length(card_brand) <= 16),
    card_last4 text CHECK (card_last4 ~ '^[0-9]{4}$'),
    failure_code text CHECK (length(failure_code) <= 40),
    void_intent boolean NOT NULL DEFAULT false,
    -- The reconciler's lease: it looks at an UNKNOWN (or stale PENDING) payment after this.
    next_check_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
-- The provider's id, once known (webhooks name payments by it).
CREATE UNIQUE INDEX payments_provider_id ON payments (provider, provider_payment_id)
    WHERE provider_payment_id IS NOT NULL;
CREATE INDEX payments_to_check ON payments (next_check_at)
    WHERE status IN ('UNKNOWN', 'PENDING');

CREATE TABLE refunds (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    payment_id uuid NOT NULL REFERENCES payments (id),
    amount bigint NOT NULL CHECK (amount > 0),
    reason text NOT NULL DEFAULT '' CHECK (length(reason) <= 200),
    status text NOT NULL DEFAULT 'PENDING'
        CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED', 'UNKNOWN')),
    next_check_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refunds_payment ON refunds (payment_id);
CREATE INDEX refunds_open ON refunds (next_check_at) WHERE status IN ('PENDING', 'UNKNOWN');

-- Every change of a payment's state, never updated or deleted. Written only in the same
-- statement as the change of its payment (services/payment/store.c), so payment_id needs no
-- foreign key (whose check would lock the payment's row once more per event).
CREATE TABLE payment_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    payment_id uuid NOT NULL,
    from_status text, -- NULL: the payment was created
    to_status text NOT NULL,
    amount bigint NOT NULL,
    source text NOT NULL CHECK (source IN ('api', 'reconciler', 'webhook')),
    created_at timestamptz NOT NULL DEFAULT now(),
    -- The allowed transitions (services/payment/payment.c holds the same table; a unit test
    -- compares the two), so a change the table does not allow cannot be recorded. A CHECK,
    -- not a foreign key to a table of pairs: every charge would share-lock the same few rows,
    -- and concurrent share locks on a row cost a MultiXact each.
    CONSTRAINT payment_transitions CHECK (from_status IS NULL AND to_status = 'PENDING' OR
        (from_status, to_status) IN (
            ('PENDING', 'AUTHORIZED'), ('PENDING', 'FAILED'), ('PENDING', 'UNKNOWN'),
            ('UNKNOWN', 'AUTHORIZED'), ('UNKNOWN', 'FAILED'),
            ('AUTHORIZED', 'CAPTURED'), ('AUTHORIZED', 'VOIDED'), ('AUTHORIZED', 'UNKNOWN'),
            ('CAPTURED', 'PARTIALLY_REFUNDED'), ('CAPTURED', 'REFUNDED'),
            ('PARTIALLY_REFUNDED', 'PARTIALLY_REFUNDED'), ('PARTIALLY_REFUNDED', 'REFUNDED')))
);
CREATE INDEX payment_events_payment ON payment_events (payment_id, id);

CREATE FUNCTION payment_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'payment_events is append-only' USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER payment_events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON payment_events
    FOR EACH STATEMENT EXECUTE FUNCTION payment_events_append_only();

-- Provider webhook events already handled, so that a replay changes nothing.
CREATE TABLE webhook_events (
    provider text NOT NULL,
    event_id text NOT NULL,
    type text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, event_id)
);

-- Events on their way to Redis Streams, one per change (its type the state it ended in, its
-- payload the steps it went through), written in the same statement as the change; the relay
-- (background.c) publishes and deletes them, oldest first.
CREATE TABLE outbox (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stream text NOT NULL,
    type text NOT NULL,
    payload jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
