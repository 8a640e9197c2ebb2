-- The number the phone reported when it linked, kept apart from the configured number
-- (phone) so the card can say when the two differ.
ALTER TABLE whatsapp_accounts ADD COLUMN linked_phone TEXT;
UPDATE whatsapp_accounts SET linked_phone = phone WHERE ever_linked;
