-- Carts: one per owner (a member's id or a guest's subject), its lines by product. Prices are
-- not kept here: a cart shows the catalog's price of the moment.
CREATE TABLE cart_items (
    owner text NOT NULL CHECK (length(owner) BETWEEN 1 AND 64),
    product_id bigint NOT NULL CHECK (product_id > 0),
    qty integer NOT NULL CHECK (qty BETWEEN 1 AND 99),
    added_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (owner, product_id)
);
