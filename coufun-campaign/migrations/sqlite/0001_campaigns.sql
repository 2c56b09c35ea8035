-- coufun-campaign: campaigns and their rows (SQLite). Times in milliseconds
-- since the Unix epoch by the database's clock; attempt times as UTC text.
CREATE TABLE IF NOT EXISTS coufun_campaigns (
    id TEXT PRIMARY KEY,
    identity TEXT NOT NULL,
    run INTEGER NOT NULL DEFAULT 0,
    max_in_flight INTEGER,
    rate_gap_us INTEGER,
    next_start_us INTEGER NOT NULL DEFAULT 0,
    limit_pause_ms INTEGER NOT NULL DEFAULT 2000,
    max_pause_ms INTEGER NOT NULL DEFAULT 60000,
    limit_retries INTEGER NOT NULL DEFAULT 3,
    pause_until_ms INTEGER NOT NULL DEFAULT 0,
    pause_len_ms INTEGER NOT NULL DEFAULT 2000,
    halted TEXT
);

CREATE TABLE IF NOT EXISTS coufun_campaign_rows (
    campaign TEXT NOT NULL REFERENCES coufun_campaigns (id),
    line INTEGER NOT NULL,
    reference TEXT NOT NULL,
    params TEXT NOT NULL,
    tr_id TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    code TEXT,
    message TEXT,
    order_id TEXT,
    coupons TEXT,
    first_attempt_at TEXT,
    last_attempt_at TEXT,
    lease_owner TEXT,
    lease_until_ms INTEGER,
    tried_run INTEGER NOT NULL DEFAULT 0,
    again INTEGER NOT NULL DEFAULT 0,
    limit_hits INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign, line)
);

CREATE INDEX IF NOT EXISTS coufun_campaign_rows_open
    ON coufun_campaign_rows (campaign, state, again, line);
CREATE INDEX IF NOT EXISTS coufun_campaign_rows_leased
    ON coufun_campaign_rows (campaign, lease_until_ms);
