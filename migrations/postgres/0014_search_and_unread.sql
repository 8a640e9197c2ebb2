-- Unread: each conversation counts the contact's messages; each user keeps how many of
-- them they have seen. Conversations from before this migration start with nothing unread.
ALTER TABLE conversations ADD COLUMN inbound_count BIGINT NOT NULL DEFAULT 0;
CREATE TABLE conversation_reads (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seen_inbound BIGINT NOT NULL,
    PRIMARY KEY (user_id, conversation_id)
);
CREATE INDEX conversation_reads_conversation ON conversation_reads (conversation_id);

-- Mine / Unassigned, newest activity first.
CREATE INDEX conversations_inbox_owner ON conversations (owner_user_id, last_message_at DESC, id DESC);

-- Search: trigram indexes match any piece of three characters or more, accents and case
-- ignored ("lucia" finds "Lucía"), as SQLite's trigram tokenizer does. pg_trgm ships with
-- PostgreSQL and is a trusted extension: the database's owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE FUNCTION aurora_fold(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT lower(translate($1,
        'áéíóúàèìòùâêîôûäëïöüãõñçÁÉÍÓÚÀÈÌÒÙÂÊÎÔÛÄËÏÖÜÃÕÑÇ',
        'aeiouaeiouaeiouaeiouaoncAEIOUAEIOUAEIOUAEIOUAONC'))
$$;
CREATE INDEX messages_text_search ON messages USING gin (aurora_fold(text) gin_trgm_ops);
CREATE INDEX contacts_name_search ON contacts USING gin (aurora_fold(name) gin_trgm_ops);
CREATE INDEX contacts_phone_search ON contacts USING gin (phone gin_trgm_ops);

-- Replies waiting for their channel's session, and the list's "not sent" flag.
CREATE INDEX messages_queued ON messages (account_id, sent_at) WHERE status = 'queued';
CREATE INDEX messages_failed ON messages (conversation_id) WHERE status IN ('failed', 'unconfirmed');
