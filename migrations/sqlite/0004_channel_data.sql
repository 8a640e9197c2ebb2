-- What a channel carries: contacts, conversations, messages, scheduled messages, media;
-- and what survives a channel: deletion jobs (resumable) and the company's audit log.
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    phone TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    UNIQUE (company_id, phone)
);

-- A contact reached through several channels of the company is one contact with several links.
CREATE TABLE contact_channels (
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES whatsapp_accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (contact_id, account_id)
);
CREATE INDEX contact_channels_account ON contact_channels (account_id, contact_id);

CREATE TABLE conversations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES whatsapp_accounts (id),
    contact_id INTEGER NOT NULL REFERENCES contacts (id),
    funnel_id INTEGER REFERENCES funnels (id) ON DELETE SET NULL,
    owner_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    last_message_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, contact_id)
);
CREATE INDEX conversations_contact ON conversations (contact_id);

-- Files live under the media root (data/media/<company>/<account>/...); path is relative to it.
CREATE TABLE media_files (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES whatsapp_accounts (id),
    path TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX media_files_account ON media_files (account_id, id);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    account_id INTEGER NOT NULL REFERENCES whatsapp_accounts (id),
    direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    text TEXT NOT NULL DEFAULT '',
    media_id INTEGER REFERENCES media_files (id),
    -- WhatsApp's id: a replayed message is stored once.
    wa_message_id TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, wa_message_id)
);
CREATE INDEX messages_conversation ON messages (conversation_id, sent_at);
-- Deleting a media row checks that no message still points at it.
CREATE INDEX messages_media ON messages (media_id) WHERE media_id IS NOT NULL;

CREATE TABLE scheduled_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    account_id INTEGER NOT NULL REFERENCES whatsapp_accounts (id),
    text TEXT NOT NULL,
    send_at INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
    created_at INTEGER NOT NULL
);
CREATE INDEX scheduled_messages_account ON scheduled_messages (account_id, id);
-- Deleting a conversation checks that no scheduled message still points at it.
CREATE INDEX scheduled_messages_conversation ON scheduled_messages (conversation_id);

-- A delete in progress. No foreign key: the row outlives the account by one step, so a
-- restart finds the job and finishes it.
CREATE TABLE account_deletions (
    account_id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL,
    account_name TEXT NOT NULL,
    requested_by INTEGER,
    requested_by_name TEXT NOT NULL,
    requested_at INTEGER NOT NULL,
    conversations INTEGER NOT NULL,
    contacts INTEGER NOT NULL,
    scheduled_messages INTEGER NOT NULL,
    media_files INTEGER NOT NULL,
    media_bytes INTEGER NOT NULL,
    messages INTEGER NOT NULL,
    total_items INTEGER NOT NULL,
    done_items INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE company_audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    actor_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    details TEXT NOT NULL
);
CREATE INDEX company_audit_log_company ON company_audit_log (company_id, at);
