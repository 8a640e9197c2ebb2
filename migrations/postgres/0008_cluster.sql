-- Several servers on one PostgreSQL: every running process has a lease row (a fresh id at
-- every start), and each linked account is owned by at most one of them. Lease times come
-- from the database's clock (now()), never a server's.
CREATE TABLE cluster_nodes (
    id TEXT PRIMARY KEY,
    -- Where the node serves, for the operator.
    address TEXT NOT NULL,
    started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    lease_until TIMESTAMPTZ NOT NULL
);

-- The node connecting the account's session, and a counter raised at every claim: a write
-- made under an older epoch is refused (fencing).
ALTER TABLE whatsapp_accounts ADD COLUMN owner_node TEXT;
ALTER TABLE whatsapp_accounts ADD COLUMN owner_epoch BIGINT NOT NULL DEFAULT 0;
-- When the current owner claimed it (hand-off cool-down), and when it was last let go.
ALTER TABLE whatsapp_accounts ADD COLUMN owned_since TIMESTAMPTZ;
ALTER TABLE whatsapp_accounts ADD COLUMN released_at TIMESTAMPTZ;
CREATE INDEX whatsapp_accounts_owner ON whatsapp_accounts (owner_node);
