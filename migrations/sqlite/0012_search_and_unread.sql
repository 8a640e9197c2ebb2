-- Unread: each conversation counts the contact's messages; each user keeps how many of
-- them they have seen. Conversations from before this migration start with nothing unread.
ALTER TABLE conversations ADD COLUMN inbound_count INTEGER NOT NULL DEFAULT 0;
CREATE TABLE conversation_reads (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seen_inbound INTEGER NOT NULL,
    PRIMARY KEY (user_id, conversation_id)
);
CREATE INDEX conversation_reads_conversation ON conversation_reads (conversation_id);

-- Mine / Unassigned, newest activity first.
CREATE INDEX conversations_inbox_owner ON conversations (owner_user_id, last_message_at DESC, id DESC);

-- Search: trigram indexes match any piece of three characters or more, accents and case
-- ignored ("lucia" finds "Lucía"). Triggers keep them in step with their tables.
CREATE VIRTUAL TABLE message_search USING fts5 (
    text, content = 'messages', content_rowid = 'id', tokenize = 'trigram remove_diacritics 1'
);
INSERT INTO message_search (message_search) VALUES ('rebuild');
CREATE TRIGGER message_search_insert AFTER INSERT ON messages BEGIN
    INSERT INTO message_search (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER message_search_delete AFTER DELETE ON messages BEGIN
    INSERT INTO message_search (message_search, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER message_search_update AFTER UPDATE OF text ON messages BEGIN
    INSERT INTO message_search (message_search, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO message_search (rowid, text) VALUES (new.id, new.text);
END;

CREATE VIRTUAL TABLE contact_search USING fts5 (
    name, phone, content = 'contacts', content_rowid = 'id', tokenize = 'trigram remove_diacritics 1'
);
INSERT INTO contact_search (contact_search) VALUES ('rebuild');
CREATE TRIGGER contact_search_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contact_search (rowid, name, phone) VALUES (new.id, new.name, new.phone);
END;
CREATE TRIGGER contact_search_delete AFTER DELETE ON contacts BEGIN
    INSERT INTO contact_search (contact_search, rowid, name, phone) VALUES ('delete', old.id, old.name, old.phone);
END;
CREATE TRIGGER contact_search_update AFTER UPDATE OF name, phone ON contacts BEGIN
    INSERT INTO contact_search (contact_search, rowid, name, phone) VALUES ('delete', old.id, old.name, old.phone);
    INSERT INTO contact_search (rowid, name, phone) VALUES (new.id, new.name, new.phone);
END;

-- Replies waiting for their channel's session, and the list's "not sent" flag.
CREATE INDEX messages_queued ON messages (account_id, sent_at) WHERE status = 'queued';
CREATE INDEX messages_failed ON messages (conversation_id) WHERE status IN ('failed', 'unconfirmed');
