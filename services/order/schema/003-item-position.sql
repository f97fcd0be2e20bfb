-- An order's lines keep the cart's order (oldest first), so its first line is the first the
-- shopper chose (the history shows it), not the lowest product id.
ALTER TABLE order_items ADD COLUMN position smallint NOT NULL DEFAULT 0;
