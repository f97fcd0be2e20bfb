-- pgbench script for bench/run payment's yardstick: the statement a charge opens with (its
-- PENDING row, event and outbox row, as store.c's payment_begin), alone, rolled back so that
-- the bench database keeps nothing. What PostgreSQL on this machine does without the rest.
\set o random(1, 2000000000)
BEGIN;
WITH ins AS (INSERT INTO payments (order_id, payer_id, amount, currency, card_brand, card_last4,
    provider, next_check_at) VALUES ('pgbench-' || :o || '-' || :client_id, 'benchuser', 12900,
    'KRW', 'visa', '4242', 'sandbox', now() + interval '60 s')
    ON CONFLICT (order_id) DO NOTHING RETURNING *),
ev AS (INSERT INTO payment_events (payment_id, to_status, amount, source)
    SELECT id, 'PENDING', amount, 'api' FROM ins),
ob AS (INSERT INTO outbox (stream, type, payload)
    SELECT 'agora:events:payment', 'payment.pending', json_build_object('paymentId', ins.id)
    FROM ins)
SELECT id FROM ins;
ROLLBACK;
