-- coufun-campaign: a claim walks only the rows it may claim, in its order
-- (rows to send again first, then by line) and stops after the rows it takes,
-- instead of sorting every open row of the campaign on each claim.
DROP INDEX IF EXISTS coufun_campaign_rows_open;
CREATE INDEX IF NOT EXISTS coufun_campaign_rows_claimable
    ON coufun_campaign_rows (campaign, again DESC, line)
    WHERE state IN ('pending', 'sending', 'unknown', 'deferred');
