-- The live driver's device keys and protocol state, one key-value table scoped by account.
-- kind names the store (identity, session, prekey, ...); key is unique within it; aux, flag,
-- ts and ts2 carry what some stores look up or expire by. Wiped on Disconnect and Delete.
CREATE TABLE whatsapp_keys (
    account_id BIGINT NOT NULL REFERENCES whatsapp_accounts (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    value BYTEA NOT NULL,
    aux TEXT,
    flag BOOLEAN NOT NULL DEFAULT FALSE,
    ts BIGINT,
    ts2 BIGINT,
    PRIMARY KEY (account_id, kind, key)
);
CREATE INDEX whatsapp_keys_aux ON whatsapp_keys (account_id, kind, aux);
