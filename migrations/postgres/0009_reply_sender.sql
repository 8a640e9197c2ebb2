-- A reply is sent by the server holding its channel's session, which may not be the one
-- the agent typed it on: the row in 'sending' is the request, and the server that takes it
-- writes its id here first (only one can), so a reply goes out at most once.
ALTER TABLE messages ADD COLUMN sender_node TEXT;
CREATE INDEX messages_sending ON messages (account_id) WHERE status = 'sending';
-- Which server claimed a scheduled message, so only a dead server's claims are failed.
ALTER TABLE scheduled_messages ADD COLUMN claimed_by TEXT;
-- Replies a server was sending when it stopped for this upgrade: whether they went out is
-- unknown, and from now on an untaken reply is sent by its channel's owner, so fail them
-- (as a restart always did) rather than let them go out late or twice.
UPDATE messages SET status = 'failed',
    failure = 'The server stopped while sending this message; it may not have gone out. Check with the contact before sending it again.'
WHERE status = 'sending';
