-- WhatsApp Web accounts (channels) and their history. Times are Unix milliseconds.
CREATE TABLE whatsapp_accounts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('connecting', 'connected', 'disconnected', 'disabled', 'deleting')),
    name TEXT NOT NULL DEFAULT '',
    phone TEXT,
    business_name TEXT,
    cellphone_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    funnel_id BIGINT REFERENCES funnels (id) ON DELETE SET NULL,
    owner_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    ever_linked BOOLEAN NOT NULL DEFAULT FALSE,
    disconnect_reason TEXT,
    disconnect_actor TEXT,
    disconnected_at BIGINT,
    -- What the driver needs to reconnect without a new QR; wiped on Disconnect.
    credentials TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX whatsapp_accounts_company ON whatsapp_accounts (company_id, status);

CREATE TABLE account_restricted_users (
    account_id BIGINT NOT NULL REFERENCES whatsapp_accounts (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (account_id, user_id)
);

CREATE TABLE account_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES whatsapp_accounts (id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    event TEXT NOT NULL,
    reason_code TEXT,
    actor_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX account_events_account ON account_events (account_id, at);
