-- coufun-sync: the goods catalogue as last fetched (one row per goods id, its
-- fields by their spec names as JSON), the goods-list lookups made per Korean
-- day (the server allows a number per day, then answers 09), and each sync's report.
CREATE TABLE IF NOT EXISTS coufun_goods (
    goods_id   TEXT PRIMARY KEY,
    fields     TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS coufun_goods_fetches (
    day        TEXT    PRIMARY KEY,
    fetches    BIGINT NOT NULL,
    last_at    TEXT    NOT NULL,
    refused_at TEXT
);
CREATE TABLE IF NOT EXISTS coufun_goods_syncs (
    id        BIGSERIAL PRIMARY KEY,
    synced_at TEXT    NOT NULL,
    goods   BIGINT NOT NULL,
    report  TEXT    NOT NULL
);
