-- A channel visible only to some users is always visible to its owner and its cellphone
-- user (new chats are assigned to the owner); lists saved before that rule get them added.
INSERT INTO account_restricted_users (account_id, user_id)
SELECT a.id, a.owner_user_id FROM whatsapp_accounts a
WHERE a.owner_user_id IS NOT NULL
  AND EXISTS (SELECT 1 FROM account_restricted_users r WHERE r.account_id = a.id)
ON CONFLICT DO NOTHING;
INSERT INTO account_restricted_users (account_id, user_id)
SELECT a.id, a.cellphone_user_id FROM whatsapp_accounts a
WHERE a.cellphone_user_id IS NOT NULL
  AND EXISTS (SELECT 1 FROM account_restricted_users r WHERE r.account_id = a.id)
ON CONFLICT DO NOTHING;
