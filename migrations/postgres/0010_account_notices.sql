-- Every committed change of an account is announced to every server in the transaction that
-- makes it (NOTIFY is delivered at commit, and never for a rolled-back change), so a server
-- that dies right after writing cannot leave the others' pages stale. Changes of ownership
-- alone (claims, hand-offs) change nothing a page shows and are not announced. The payload is
-- a `Notice` (whatsapp/cluster_notice.rs) from no server in particular, without live state.
CREATE FUNCTION aurora_account_notice() RETURNS trigger AS $$
DECLARE
    changed whatsapp_accounts;
    bookkeeping CONSTANT text[] := ARRAY['owner_node', 'owner_epoch', 'owned_since', 'released_at'];
BEGIN
    IF TG_OP = 'UPDATE' AND (to_jsonb(OLD) - bookkeeping) = (to_jsonb(NEW) - bookkeeping) THEN
        RETURN NULL;
    END IF;
    changed := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    PERFORM pg_notify('aurora_accounts', json_build_object(
        'node', '',
        'company', changed.company_id,
        'account', changed.id,
        'removed', TG_OP = 'DELETE',
        'live', NULL,
        'epoch', changed.owner_epoch)::text);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER whatsapp_accounts_notice
    AFTER INSERT OR UPDATE OR DELETE ON whatsapp_accounts
    FOR EACH ROW EXECUTE FUNCTION aurora_account_notice();
