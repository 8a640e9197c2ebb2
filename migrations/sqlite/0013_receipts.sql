-- WhatsApp's ticks: when the customer's phone reported each reply delivered and read.
ALTER TABLE messages ADD COLUMN delivered_at BIGINT;
ALTER TABLE messages ADD COLUMN read_at BIGINT;
-- A customer's message WhatsApp has not been told we read yet (set on arrival; messages
-- from before this migration owe nothing).
ALTER TABLE messages ADD COLUMN read_receipt_owed BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX messages_read_receipt_owed ON messages (conversation_id) WHERE read_receipt_owed;
-- The channel's choice (setup wizard, last step): tell customers when an agent read them.
ALTER TABLE whatsapp_accounts ADD COLUMN send_read_receipts BOOLEAN NOT NULL DEFAULT TRUE;
