-- A committed reservation can be returned: the order was cancelled or refunded after it was
-- paid, and its units go back on hand (and out of 'sold').
ALTER TABLE reservations DROP CONSTRAINT reservations_status_check;
ALTER TABLE reservations ADD CONSTRAINT reservations_status_check
    CHECK (status IN ('held', 'committed', 'released', 'expired', 'returned'));
