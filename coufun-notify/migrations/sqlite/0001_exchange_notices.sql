-- coufun-notify: one row per exchange notice processed (committed with the
-- handler's own writes). The key is what makes a notice a duplicate.
CREATE TABLE IF NOT EXISTS coufun_exchange_notices (
    coupon_number   TEXT    NOT NULL,
    approval_number TEXT    NOT NULL,
    state           TEXT    NOT NULL,
    exchange_id     TEXT    NOT NULL,
    coupon_type     TEXT    NOT NULL,
    price           INTEGER NOT NULL,
    balance         INTEGER NOT NULL,
    exchange_time   TEXT    NOT NULL,
    processed_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (coupon_number, approval_number, state)
);
