//! Replies and scheduled messages in a cluster: a reply is sent by the server that owns its
//! channel's session, whichever server the agent typed it on, and what a dead server was
//! sending is failed (never resent: it may have gone out). PostgreSQL only.

use sqlx::PgPool;

/// A reply waiting in Sending for its channel's owner to take it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct QueuedReply {
    pub message_id: i64,
    pub conversation_id: i64,
    pub account_id: i64,
    pub company_id: i64,
    /// E.164.
    pub to: String,
    pub text: String,
}

/// Replies no server has taken yet on the accounts `node` owns, oldest first.
pub async fn queued_for(pool: &PgPool, node: &str) -> Result<Vec<QueuedReply>, sqlx::Error> {
    sqlx::query_as(
        "SELECT m.id AS message_id, m.conversation_id, m.account_id, c.company_id, \
                ct.phone AS \"to\", m.text \
         FROM messages m \
         JOIN whatsapp_accounts a ON a.id = m.account_id \
         JOIN conversations c ON c.id = m.conversation_id \
         JOIN contacts ct ON ct.id = c.contact_id \
         WHERE m.status = 'sending' AND m.sender_node IS NULL AND a.owner_node = $1 \
         ORDER BY m.id LIMIT 100",
    )
    .bind(node)
    .fetch_all(pool)
    .await
}

/// A conversation whose messages changed, for its pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct Touched {
    pub company_id: i64,
    pub account_id: i64,
    pub conversation_id: i64,
}

/// Fails what nobody will send:
/// - replies taken by a server whose lease is gone (`interrupted`, "may have gone out");
/// - replies nobody took whose channel is no longer Connected (`not_connected`);
/// - scheduled messages claimed by a server whose lease is gone (`interrupted`).
///
/// Answers the conversations whose pages must be told.
pub async fn fail_abandoned(
    pool: &PgPool,
    interrupted: &str,
    not_connected: &str,
) -> Result<Vec<Touched>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let mut touched: Vec<Touched> = sqlx::query_as(
        "UPDATE messages m SET \
             status = CASE WHEN m.sender_node IS NULL THEN 'failed' ELSE 'unconfirmed' END, \
             failure = CASE WHEN m.sender_node IS NULL THEN $2 ELSE $1 END \
         FROM conversations c, whatsapp_accounts a \
         WHERE c.id = m.conversation_id AND a.id = m.account_id AND m.status = 'sending' \
           AND ((m.sender_node IS NOT NULL AND NOT EXISTS ( \
                    SELECT 1 FROM cluster_nodes d \
                    WHERE d.id = m.sender_node AND d.lease_until > now())) \
                OR (m.sender_node IS NULL AND a.status <> 'connected')) \
         RETURNING c.company_id, c.account_id, c.id AS conversation_id",
    )
    .bind(interrupted)
    .bind(not_connected)
    .fetch_all(&mut *tx)
    .await?;
    let scheduled: Vec<Touched> = sqlx::query_as(
        "UPDATE scheduled_messages s SET status = 'failed', failure = $1 \
         FROM conversations c \
         WHERE c.id = s.conversation_id AND s.status = 'pending' AND s.claimed_at IS NOT NULL \
           AND (s.claimed_by IS NULL OR NOT EXISTS (SELECT 1 FROM cluster_nodes d \
                WHERE d.id = s.claimed_by AND d.lease_until > now())) \
         RETURNING c.company_id, c.account_id, c.id AS conversation_id",
    )
    .bind(interrupted)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    touched.extend(scheduled);
    touched.sort_by_key(|t| t.conversation_id);
    touched.dedup();
    Ok(touched)
}

#[cfg(test)]
mod tests;
