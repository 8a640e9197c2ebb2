-- Device keys at rest: a value sealed with AURORA_KEYS_SECRET says so, and every wipe of an
-- account's keys moves its epoch, so a save begun before the wipe can no longer land.
ALTER TABLE whatsapp_keys ADD COLUMN sealed BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE whatsapp_accounts ADD COLUMN keys_epoch BIGINT NOT NULL DEFAULT 0;
