-- Units sold since the sweeper last folded them into products.sold. A commit (or a return)
-- changes only its stock rows, which have no other index than their key, so the update stays
-- cheap (a heap-only tuple); updating products.sold there instead rewrote each product row
-- with its generated search columns and every index entry, GIN ones too, on every sale. The
-- sweeper folds the count in every AGORA_CATALOG_SWEEP_S, so "popular" lags by that at most.
ALTER TABLE stock ADD COLUMN sold_pending integer NOT NULL DEFAULT 0;
