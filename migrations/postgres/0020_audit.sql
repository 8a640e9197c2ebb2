-- What an event concerned, when it says more than its name: the number that scanned, the
-- setup fields a save changed.
ALTER TABLE account_events ADD COLUMN details TEXT;
-- The channel an action was on (kept, without a foreign key, after the channel is deleted)
-- and the address the request came from.
ALTER TABLE company_audit_log ADD COLUMN account_id BIGINT;
ALTER TABLE company_audit_log ADD COLUMN address TEXT;
CREATE INDEX company_audit_log_account ON company_audit_log (company_id, account_id, id);
CREATE INDEX company_audit_log_actor ON company_audit_log (company_id, actor_user_id, id);
-- The activity charts count a channel's messages by day and by hour.
CREATE INDEX messages_account_sent ON messages (account_id, sent_at);
