-- The LID (WhatsApp's privacy id) each contact is known by, once WhatsApp has told us: a
-- message from that LID then goes to the contact's conversation, number and all. A contact
-- known only by its LID keeps `lid:<digits>` as its phone until the number is learned.
ALTER TABLE contacts ADD COLUMN lid TEXT;
CREATE UNIQUE INDEX contacts_lid ON contacts (company_id, lid) WHERE lid IS NOT NULL;
