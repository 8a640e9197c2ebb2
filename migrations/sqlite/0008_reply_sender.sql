-- The server that took a reply for sending (one server here; several on PostgreSQL).
ALTER TABLE messages ADD COLUMN sender_node TEXT;
-- The server that claimed a scheduled message.
ALTER TABLE scheduled_messages ADD COLUMN claimed_by TEXT;
