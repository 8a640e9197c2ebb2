-- Each channel's messages in and out per hour (`sent_at / 3 600 000`), counted in the
-- transaction that stores a message: the activity charts read at most 168 rows a channel
-- for a week, however busy it is, instead of counting its messages on every page.
CREATE TABLE message_tallies (
    account_id INTEGER NOT NULL REFERENCES whatsapp_accounts (id) ON DELETE CASCADE,
    hour INTEGER NOT NULL,
    inbound INTEGER NOT NULL DEFAULT 0,
    outbound INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, hour)
);
-- The charts show the last 7 days: what was stored in the last 8 is counted now.
INSERT INTO message_tallies (account_id, hour, inbound, outbound)
SELECT account_id, sent_at / 3600000,
       SUM(CASE WHEN direction = 'inbound' THEN 1 ELSE 0 END),
       SUM(CASE WHEN direction = 'inbound' THEN 0 ELSE 1 END)
FROM messages
WHERE sent_at > (CAST(strftime('%s', 'now') AS INTEGER) - 8 * 86400) * 1000
GROUP BY account_id, sent_at / 3600000;
-- Only the charts read messages by channel and time.
DROP INDEX messages_account_sent;
