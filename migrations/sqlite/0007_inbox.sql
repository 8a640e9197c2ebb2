-- The inbox: the list shows each conversation's last message without reading messages,
-- and pages by (last_message_at, id) through these indexes.
ALTER TABLE conversations ADD COLUMN last_message_text TEXT NOT NULL DEFAULT '';
CREATE INDEX conversations_inbox ON conversations (company_id, last_message_at DESC, id DESC);
CREATE INDEX conversations_inbox_account ON conversations (account_id, last_message_at DESC, id DESC);
CREATE INDEX conversations_inbox_funnel ON conversations (funnel_id, last_message_at DESC, id DESC);

-- Replies: 'received' (inbound), 'sending' → 'sent', or 'failed' with the driver's reason.
ALTER TABLE messages ADD COLUMN status TEXT NOT NULL DEFAULT 'received';
ALTER TABLE messages ADD COLUMN failure TEXT;
ALTER TABLE messages ADD COLUMN author_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL;

-- Scheduled messages: who scheduled it; claimed_at is set (once) by the scheduler before it
-- sends, so a message is never sent twice, even across a restart.
ALTER TABLE scheduled_messages ADD COLUMN created_by INTEGER REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE scheduled_messages ADD COLUMN claimed_at INTEGER;
ALTER TABLE scheduled_messages ADD COLUMN failure TEXT;
CREATE INDEX scheduled_messages_due ON scheduled_messages (status, send_at);
