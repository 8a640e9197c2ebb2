-- When a temporary ban (402) ends, ms since the epoch; shown on the Disconnected card.
ALTER TABLE whatsapp_accounts ADD COLUMN disconnect_until BIGINT;
