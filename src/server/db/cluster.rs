//! Lease rows and account ownership for several servers on one PostgreSQL (migration
//! 0008). Every time is the database's `now()`, so servers' clocks never matter. SQLite
//! runs one server and has none of this.

use sqlx::PgPool;

/// How long a renewal keeps a node alive.
pub const LEASE_SECS: i64 = 10;
/// An account without a live owner for this long is claimed by any node, whatever its share.
pub const OVERDUE_SECS: i64 = 5;

/// An account a node now owns, and the epoch its writes must carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct Claimed {
    pub account_id: i64,
    pub company_id: i64,
    pub epoch: i64,
}

/// Starts a node's lease.
pub async fn register(pool: &PgPool, node: &str, address: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO cluster_nodes (id, address, lease_until) \
         VALUES ($1, $2, now() + make_interval(secs => $3))",
    )
    .bind(node)
    .bind(address)
    .bind(LEASE_SECS as f64)
    .execute(pool)
    .await
    .map(|_| ())
}

/// Extends a live lease. False when the lease had already run out (or the row is gone):
/// peers may own this node's accounts by now, so the node must fence itself, never revive.
pub async fn renew(pool: &PgPool, node: &str) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query(
        "UPDATE cluster_nodes SET lease_until = now() + make_interval(secs => $2) \
         WHERE id = $1 AND lease_until > now()",
    )
    .bind(node)
    .bind(LEASE_SECS as f64)
    .execute(pool)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Live nodes (lease not run out), this one included when it is alive.
pub async fn live_nodes(pool: &PgPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM cluster_nodes WHERE lease_until > now()")
        .fetch_one(pool)
        .await
}

/// Accounts meant to be connected, and how many of them `node` owns.
pub async fn load(pool: &PgPool, node: &str) -> Result<(i64, i64), sqlx::Error> {
    sqlx::query_as(
        "SELECT count(*), count(*) FILTER (WHERE owner_node = $1) \
         FROM whatsapp_accounts WHERE status = 'connected'",
    )
    .bind(node)
    .fetch_one(pool)
    .await
}

/// The account `a` has no owner with a live lease. Written so that PostgreSQL evaluates it
/// on the row it locks or updates, never as a join: when another node's claim commits
/// while a statement runs, the statement re-checks the row's new version, and a join to
/// the leases would be re-checked with the lease row it first found (none), so both
/// nodes would take the account.
const NO_LIVE_OWNER: &str = "a.owner_node IS NULL OR NOT EXISTS (SELECT 1 FROM cluster_nodes d \
     WHERE d.id = a.owner_node AND d.lease_until > now())";

/// Takes accounts that are meant to be connected and have no live owner: up to `share` of
/// them, plus every one orphaned for over [`OVERDUE_SECS`] (since its owner's lease ran out
/// or it was let go; one never owned goes by share only), at most `cap` in all. Rows
/// another node is claiming right now are skipped, never waited for.
pub async fn claim_orphans(
    pool: &PgPool,
    node: &str,
    share: i64,
    cap: i64,
) -> Result<Vec<Claimed>, sqlx::Error> {
    sqlx::query_as(&format!(
        "WITH orphans AS ( \
             SELECT a.id, \
                    COALESCE((SELECT d.lease_until FROM cluster_nodes d WHERE d.id = a.owner_node), \
                             a.released_at, now()) \
                        < now() - make_interval(secs => $4) AS overdue \
             FROM whatsapp_accounts a \
             WHERE a.status = 'connected' AND ({NO_LIVE_OWNER}) \
             ORDER BY 2 DESC, a.id \
             LIMIT $3 \
             FOR UPDATE OF a SKIP LOCKED \
         ), chosen AS ( \
             SELECT id FROM orphans WHERE overdue \
             UNION \
             (SELECT id FROM orphans ORDER BY id LIMIT GREATEST($2, 0)) \
         ) \
         UPDATE whatsapp_accounts a \
         SET owner_node = $1, owner_epoch = a.owner_epoch + 1, owned_since = now(), \
             released_at = NULL \
         FROM chosen WHERE a.id = chosen.id \
         RETURNING a.id AS account_id, a.company_id, a.owner_epoch AS epoch",
    ))
    .bind(node)
    .bind(share)
    .bind(cap)
    .bind(OVERDUE_SECS as f64)
    .fetch_all(pool)
    .await
}

/// Of the accounts whose sessions `node` runs, those the database no longer wants there:
/// gone, no longer meant to be online (a person's command on any server), or owned by a
/// peer now.
pub async fn not_wanted_here(
    pool: &PgPool,
    node: &str,
    running: &[i64],
) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT r.id FROM unnest($2::bigint[]) AS r(id) \
         LEFT JOIN whatsapp_accounts a ON a.id = r.id \
         WHERE a.id IS NULL OR a.status NOT IN ('connected', 'connecting') \
            OR a.owner_node IS DISTINCT FROM $1 \
         ORDER BY r.id",
    )
    .bind(node)
    .bind(running)
    .fetch_all(pool)
    .await
}

/// Accounts `node` owns and should have online but runs no session for.
pub async fn owned_without_session(
    pool: &PgPool,
    node: &str,
    running: &[i64],
) -> Result<Vec<Claimed>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id AS account_id, company_id, owner_epoch AS epoch FROM whatsapp_accounts \
         WHERE owner_node = $1 AND status = 'connected' AND NOT (id = ANY($2)) ORDER BY id",
    )
    .bind(node)
    .bind(running)
    .fetch_all(pool)
    .await
}

/// Ends the linking attempts (Connecting) whose node is gone, since the QR died with it:
/// each stays Connecting, marked interrupted, with its history entry. One statement, so an
/// attempt a live node has started again in the meantime is left alone. Answers the
/// accounts ended.
pub async fn end_orphaned_links(pool: &PgPool, now_ms: i64) -> Result<Vec<Claimed>, sqlx::Error> {
    sqlx::query_as(&format!(
        "WITH ended AS ( \
             UPDATE whatsapp_accounts a SET disconnect_reason = 'linking_interrupted', updated_at = $1 \
             WHERE a.status = 'connecting' \
               AND a.disconnect_reason IS DISTINCT FROM 'linking_interrupted' \
               AND ({NO_LIVE_OWNER}) \
             RETURNING a.id, a.company_id, a.owner_epoch), \
         logged AS ( \
             INSERT INTO account_events (account_id, at, event, reason_code) \
             SELECT id, $1, 'linking_interrupted', 'linking_interrupted' FROM ended) \
         SELECT id AS account_id, company_id, owner_epoch AS epoch FROM ended ORDER BY id",
    ))
    .bind(now_ms)
    .fetch_all(pool)
    .await
}

/// Makes `node` the owner of an account it is about to connect for another reason (a
/// phone just linked through it). Answers the new epoch.
pub async fn take(pool: &PgPool, node: &str, account: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE whatsapp_accounts \
         SET owner_node = $1, owner_epoch = owner_epoch + 1, owned_since = now(), released_at = NULL \
         WHERE id = $2 RETURNING owner_epoch",
    )
    .bind(node)
    .bind(account)
    .fetch_one(pool)
    .await
}

/// The node that owns the account now, if any, and the epoch of its claim.
pub async fn owner_of(pool: &PgPool, account: i64) -> Result<Option<(String, i64)>, sqlx::Error> {
    let owner: Option<(Option<String>, i64)> =
        sqlx::query_as("SELECT owner_node, owner_epoch FROM whatsapp_accounts WHERE id = $1")
            .bind(account)
            .fetch_optional(pool)
            .await?;
    Ok(owner.and_then(|(node, epoch)| node.map(|node| (node, epoch))))
}

/// The node that owns the account, when its lease is live.
pub async fn live_owner(pool: &PgPool, account: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT d.id FROM whatsapp_accounts a \
         JOIN cluster_nodes d ON d.id = a.owner_node AND d.lease_until > now() \
         WHERE a.id = $1",
    )
    .bind(account)
    .fetch_optional(pool)
    .await
}

/// An account `node` may hand to a peer: owned for over `cool_down_secs` (no ping-pong),
/// the one with the oldest conversation activity first (idle ones move with least harm).
pub async fn handoff_candidate(
    pool: &PgPool,
    node: &str,
    cool_down_secs: i64,
) -> Result<Option<Claimed>, sqlx::Error> {
    sqlx::query_as(
        "SELECT a.id AS account_id, a.company_id, a.owner_epoch AS epoch \
         FROM whatsapp_accounts a \
         WHERE a.owner_node = $1 AND a.status = 'connected' \
           AND a.owned_since < now() - make_interval(secs => $2) \
         ORDER BY (SELECT max(c.last_message_at) FROM conversations c WHERE c.account_id = a.id) \
                  ASC NULLS FIRST, a.id \
         LIMIT 1",
    )
    .bind(node)
    .bind(cool_down_secs as f64)
    .fetch_optional(pool)
    .await
}

/// Lets go of one account (after its socket is closed); nothing when the epoch moved on.
pub async fn release(
    pool: &PgPool,
    node: &str,
    account: i64,
    epoch: i64,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query(
        "UPDATE whatsapp_accounts SET owner_node = NULL, released_at = now() \
         WHERE id = $1 AND owner_node = $2 AND owner_epoch = $3",
    )
    .bind(account)
    .bind(node)
    .bind(epoch)
    .execute(pool)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// A graceful stop: every account the node owns is let go, and its lease row removed.
pub async fn leave(pool: &PgPool, node: &str) -> Result<u64, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let released = sqlx::query(
        "UPDATE whatsapp_accounts SET owner_node = NULL, released_at = now() WHERE owner_node = $1",
    )
    .bind(node)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    sqlx::query("DELETE FROM cluster_nodes WHERE id = $1")
        .bind(node)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(released)
}

/// Rows of nodes whose lease ran out long ago; their accounts stay orphaned (and claimable).
pub async fn forget_dead(pool: &PgPool, older_than_secs: i64) -> Result<u64, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "UPDATE whatsapp_accounts a SET owner_node = NULL, released_at = d.lease_until \
         FROM cluster_nodes d \
         WHERE a.owner_node = d.id AND d.lease_until < now() - make_interval(secs => $1)",
    )
    .bind(older_than_secs as f64)
    .execute(&mut *tx)
    .await?;
    let removed = sqlx::query(
        "DELETE FROM cluster_nodes WHERE lease_until < now() - make_interval(secs => $1)",
    )
    .bind(older_than_secs as f64)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(removed)
}

#[cfg(test)]
mod tests;
