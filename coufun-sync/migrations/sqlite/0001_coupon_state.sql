-- coufun-sync: the coupons a merchant issued, their current state, and one
-- history row per change of state (whoever saw it first: a notice or a poll).
CREATE TABLE IF NOT EXISTS coufun_coupons (
    coupon_number TEXT    PRIMARY KEY,
    goods_id      TEXT,
    coupon_type   TEXT,
    state         TEXT    NOT NULL,
    balance       INTEGER,
    total_amount  INTEGER,
    exchanged_at  TEXT,
    cancelled_at  TEXT,
    valid_until   TEXT,
    open          INTEGER NOT NULL,
    version       INTEGER NOT NULL,
    polled_at     TEXT,
    updated_at    TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS coufun_coupons_open ON coufun_coupons (open, polled_at);

-- `seq` is the coupon's version the change produced; `change_key` names the
-- change (its state and event times, or the version when the server gave no
-- time): the same change can never be recorded twice.
CREATE TABLE IF NOT EXISTS coufun_coupon_history (
    coupon_number   TEXT    NOT NULL REFERENCES coufun_coupons (coupon_number),
    seq             INTEGER NOT NULL,
    change_key      TEXT    NOT NULL,
    state           TEXT    NOT NULL,
    balance         INTEGER,
    exchanged_at    TEXT,
    cancelled_at    TEXT,
    source          TEXT    NOT NULL,
    approval_number TEXT,
    recorded_at     TEXT    NOT NULL,
    PRIMARY KEY (coupon_number, seq),
    UNIQUE (coupon_number, change_key)
);
