-- Webhooks: a company's endpoints, the events waiting for each (the outbox, written in the
-- transaction of the change that caused the event) and the last tries of each endpoint.
CREATE TABLE webhook_endpoints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    -- The event types it wants, each between commas: ",channel.status_changed,message.received,".
    events TEXT NOT NULL,
    secret BLOB NOT NULL,
    -- Whether `secret` is sealed with AURORA_KEYS_SECRET.
    secret_sealed BOOLEAN NOT NULL DEFAULT FALSE,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    failures_in_row INTEGER NOT NULL DEFAULT 0,
    paused_at INTEGER,
    pause_reason TEXT
);
CREATE INDEX webhook_endpoints_company ON webhook_endpoints (company_id);

CREATE TABLE webhook_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The idempotency id receivers see (`Aurora-Event-Id`, and `id` in the body).
    uid TEXT NOT NULL UNIQUE,
    company_id INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    body TEXT NOT NULL
);

CREATE TABLE webhook_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id INTEGER NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    endpoint_id INTEGER NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    -- A server sending it holds it until then; after, another may.
    claimed_until INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at);
CREATE INDEX webhook_outbox_event ON webhook_outbox (event_id);
CREATE INDEX webhook_outbox_endpoint ON webhook_outbox (endpoint_id);

CREATE TABLE webhook_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint_id INTEGER NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_uid TEXT NOT NULL,
    kind TEXT NOT NULL,
    at INTEGER NOT NULL,
    -- delivered, failed, given_up
    outcome TEXT NOT NULL,
    response_code INTEGER,
    latency_ms INTEGER NOT NULL,
    error TEXT,
    next_retry_at INTEGER
);
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (endpoint_id, id);
