-- Each channel's messages in and out per hour (`sent_at / 3 600 000`), counted in the
-- transaction that stores a message: the activity charts read at most 168 rows a channel
-- for a week, however busy it is, instead of counting its messages on every page.
CREATE TABLE message_tallies (
    account_id BIGINT NOT NULL REFERENCES whatsapp_accounts (id) ON DELETE CASCADE,
    hour BIGINT NOT NULL,
    inbound BIGINT NOT NULL DEFAULT 0,
    outbound BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, hour)
);
-- The charts show the last 7 days: what was stored in the last 8 is counted now.
INSERT INTO message_tallies (account_id, hour, inbound, outbound)
SELECT account_id, sent_at / 3600000,
       COUNT(*) FILTER (WHERE direction = 'inbound'),
       COUNT(*) FILTER (WHERE direction <> 'inbound')
FROM messages
WHERE sent_at > (CAST(EXTRACT(EPOCH FROM now()) AS BIGINT) - 8 * 86400) * 1000
GROUP BY account_id, sent_at / 3600000;
-- Only the charts read messages by channel and time.
DROP INDEX messages_account_sent;
