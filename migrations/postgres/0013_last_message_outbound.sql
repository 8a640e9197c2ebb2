-- Whether a conversation's last message was ours, so the list can say "You: …".
ALTER TABLE conversations ADD COLUMN last_message_outbound BOOLEAN NOT NULL DEFAULT FALSE;
