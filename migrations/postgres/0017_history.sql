-- Whether a channel takes in the chats WhatsApp sends when it is linked (the setup
-- wizard's last step); the server's AURORA_HISTORY_DAYS bounds how far back.
ALTER TABLE whatsapp_accounts ADD COLUMN import_history BOOLEAN NOT NULL DEFAULT TRUE;
