-- A file of the chat history is known before it is downloaded: until it is first opened
-- it has no path ('') and keeps the driver's reference to fetch it with (`pending_ref`);
-- `fetch_error` says why the last try failed.
ALTER TABLE media_files ADD COLUMN pending_ref TEXT;
ALTER TABLE media_files ADD COLUMN fetch_error TEXT;
