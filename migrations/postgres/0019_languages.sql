-- A person's own choice of language (a tag: en, es, pt-BR), and a company's default for
-- those who made none and whose browser asks for none of ours. NULL: no choice made.
ALTER TABLE users ADD COLUMN language TEXT;
ALTER TABLE companies ADD COLUMN language TEXT;
