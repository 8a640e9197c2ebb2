-- Webhooks: a company's endpoints, the events waiting for each (the outbox, written in the
-- transaction of the change that caused the event) and the last tries of each endpoint.
CREATE TABLE webhook_endpoints (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    -- The event types it wants, each between commas: ",channel.status_changed,message.received,".
    events TEXT NOT NULL,
    secret BYTEA NOT NULL,
    -- Whether `secret` is sealed with AURORA_KEYS_SECRET.
    secret_sealed BOOLEAN NOT NULL DEFAULT FALSE,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    failures_in_row BIGINT NOT NULL DEFAULT 0,
    paused_at BIGINT,
    pause_reason TEXT
);
CREATE INDEX webhook_endpoints_company ON webhook_endpoints (company_id);

CREATE TABLE webhook_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The idempotency id receivers see (`Aurora-Event-Id`, and `id` in the body).
    uid TEXT NOT NULL UNIQUE,
    company_id BIGINT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    body TEXT NOT NULL
);

CREATE TABLE webhook_outbox (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    endpoint_id BIGINT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    -- A server sending it holds it until then; after, another may.
    claimed_until BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at);
CREATE INDEX webhook_outbox_event ON webhook_outbox (event_id);
CREATE INDEX webhook_outbox_endpoint ON webhook_outbox (endpoint_id);

CREATE TABLE webhook_attempts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    endpoint_id BIGINT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_uid TEXT NOT NULL,
    kind TEXT NOT NULL,
    at BIGINT NOT NULL,
    -- delivered, failed, given_up
    outcome TEXT NOT NULL,
    response_code BIGINT,
    latency_ms BIGINT NOT NULL,
    error TEXT,
    next_retry_at BIGINT
);
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (endpoint_id, id);
