//! The inbox's reads: conversations a viewer may see (the visibility rule is part of
//! every query here, not a filter applied later), their messages, and their media.

use super::webhooks::queue_webhook;
use super::{on_pool, Db};
use crate::domain::inbox::{Search, Whose};
use crate::domain::webhooks::EventKind;

mod search;

/// Who is looking: the rule depends on the company, the user and whether they are a
/// global admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    pub company_id: i64,
    pub user_id: i64,
    pub global_admin: bool,
}

/// The visibility rule as SQL over a channel `a` (parameters $1 company, $2 global admin,
/// $3 user): the viewer's company, not being deleted, and its restricted list empty or
/// naming the user, unless the viewer is a global admin.
const CHANNEL_VISIBLE: &str = "a.company_id = $1 AND a.status <> 'deleting' AND ($2 \
     OR NOT EXISTS (SELECT 1 FROM account_restricted_users r WHERE r.account_id = a.id) \
     OR EXISTS (SELECT 1 FROM account_restricted_users r WHERE r.account_id = a.id AND r.user_id = $3))";

/// The rule over a conversation `c` joined to its channel `a`; the company test on `c`
/// lets the inbox index do the work.
fn visible() -> String {
    format!("c.company_id = $1 AND {CHANNEL_VISIBLE}")
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ConversationRow {
    pub id: i64,
    pub account_id: i64,
    pub channel: String,
    pub channel_status: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub funnel_id: Option<i64>,
    pub funnel: Option<String>,
    pub owner_user_id: Option<i64>,
    pub owner: Option<String>,
    pub last_message_text: String,
    pub last_message_at: i64,
    /// The last message was ours (a reply), not the contact's.
    pub last_message_outbound: bool,
    /// The contact's messages the viewer has not seen.
    pub unread: i64,
    /// A reply in it failed or may not have gone out.
    pub not_sent: bool,
}

/// A conversation row's columns, over `c` and the tables [`JOINS`] brings.
const SELECT_LIST: &str = "c.id, c.account_id, \
     COALESCE(NULLIF(a.name, ''), a.business_name, a.phone, '') AS channel, a.status AS channel_status, \
     ct.name AS contact_name, ct.phone AS contact_phone, c.funnel_id, f.name AS funnel, \
     c.owner_user_id, o.display_name AS owner, c.last_message_text, c.last_message_at, \
     c.last_message_outbound, c.inbound_count - COALESCE(r.seen_inbound, 0) AS unread, \
     EXISTS (SELECT 1 FROM messages fm WHERE fm.conversation_id = c.id \
        AND fm.status IN ('failed', 'unconfirmed')) AS not_sent";
/// What every conversation row joins. `+c.account_id` keeps the join from driving the list
/// through each channel's index (SQLite would, then sort every row): conversations are
/// read in activity order and stop at the page's end.
const JOINS: &str = "JOIN whatsapp_accounts a ON a.id = +c.account_id \
     LEFT JOIN conversation_reads r ON r.conversation_id = c.id AND r.user_id = $3 \
     JOIN contacts ct ON ct.id = c.contact_id \
     LEFT JOIN funnels f ON f.id = c.funnel_id \
     LEFT JOIN users o ON o.id = c.owner_user_id";

fn conversation_columns() -> String {
    format!("{SELECT_LIST} FROM conversations c {JOINS}")
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboxFilter {
    pub funnel_id: Option<i64>,
    pub account_id: Option<i64>,
    pub whose: Whose,
    pub search: Option<Search>,
}

/// The conversation an inbox page continues after: newest activity first, ties by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub last_message_at: i64,
    pub id: i64,
}

/// One page of the viewer's conversations, newest activity first, after `cursor`.
pub async fn list(
    db: &Db,
    viewer: Viewer,
    filter: &InboxFilter,
    cursor: Option<Cursor>,
    limit: i64,
) -> Result<Vec<ConversationRow>, sqlx::Error> {
    // Only the filters in use become conditions (an `OR $n IS NULL` form would keep the
    // engines from using the channel's index); unused parameters stay bound, typed by
    // `$n IS NULL`, so the numbering is fixed.
    let funnel = match filter.funnel_id {
        Some(_) => "c.funnel_id = $4",
        None => "$4 IS NULL",
    };
    let channel = match filter.account_id {
        Some(_) => "c.account_id = $5",
        None => "$5 IS NULL",
    };
    // Keyset pagination. The plain range on the first column is what lets both engines
    // start the index scan at the cursor; the row comparison settles ties.
    let after = match cursor {
        Some(_) => "c.last_message_at <= $6 AND (c.last_message_at, c.id) < ($6, $7)",
        None => "$6 IS NULL AND $7 IS NULL",
    };
    let whose = match filter.whose {
        Whose::Mine => "c.owner_user_id = $3",
        Whose::Unassigned => "c.owner_user_id IS NULL",
        Whose::All => "TRUE",
    };
    let (from, matching, text, phone) = match &filter.search {
        None => (
            format!("FROM conversations c {JOINS}"),
            "$9 IS NULL AND $10 IS NULL".to_string(),
            None,
            None,
        ),
        Some(found) => {
            let plan = search::plan(db, viewer, found).await?;
            (plan.from, plan.condition, Some(plan.text), Some(plan.phone))
        }
    };
    let sql = format!(
        "SELECT {SELECT_LIST} {from} WHERE {} AND {funnel} AND {channel} AND {after} \
         AND {whose} AND {matching} ORDER BY c.last_message_at DESC, c.id DESC LIMIT $8",
        visible()
    );
    // A search is planned for its own words each time: a statement PostgreSQL keeps
    // prepared turns generic after five runs, and a generic plan cannot know that a
    // name matches ten rows, so it scans every contact (seconds on 100 000).
    on_pool!(db, pool => sqlx::query_as(&sql)
        .persistent(filter.search.is_none())
        .bind(viewer.company_id)
        .bind(viewer.global_admin)
        .bind(viewer.user_id)
        .bind(filter.funnel_id)
        .bind(filter.account_id)
        .bind(cursor.map(|c| c.last_message_at))
        .bind(cursor.map(|c| c.id))
        .bind(limit)
        .bind(text)
        .bind(phone)
        .fetch_all(pool)
        .await)
}

/// How many of the viewer's visible conversations hold messages they have not seen, up to
/// `cap` (the title then says "99+"): counting stops there, so a large inbox full of unread
/// chats costs no more than a small one.
pub async fn unread_conversations(db: &Db, viewer: Viewer, cap: i64) -> Result<i64, sqlx::Error> {
    let channels = visible_channels(db, viewer).await?;
    if channels.is_empty() {
        return Ok(0);
    }
    // The visible channels, found once, instead of the visibility rule on every row; ids are
    // integers, so writing them into the statement is safe.
    let ids: Vec<String> = channels.iter().map(|(id, _)| id.to_string()).collect();
    let sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM conversations c \
         LEFT JOIN conversation_reads r ON r.conversation_id = c.id AND r.user_id = $1 \
         WHERE c.account_id IN ({}) AND c.inbound_count > COALESCE(r.seen_inbound, 0) LIMIT $2) AS u",
        ids.join(", ")
    );
    on_pool!(db, pool => sqlx::query_scalar(&sql)
        .bind(viewer.user_id)
        .bind(cap)
        .fetch_one(pool)
        .await)
}

/// The user has seen every message of the conversation so far.
/// True when the user had not seen all of it (their unread count moved).
pub async fn mark_seen(db: &Db, user_id: i64, conversation_id: i64) -> Result<bool, sqlx::Error> {
    on_pool!(db, pool => sqlx::query(
        "INSERT INTO conversation_reads (user_id, conversation_id, seen_inbound) \
         SELECT $1, id, inbound_count FROM conversations WHERE id = $2 \
         ON CONFLICT (user_id, conversation_id) DO UPDATE SET seen_inbound = excluded.seen_inbound \
         WHERE conversation_reads.seen_inbound <> excluded.seen_inbound",
    )
    .bind(user_id)
    .bind(conversation_id)
    .execute(pool)
    .await
    .map(|done| done.rows_affected() > 0))
}

/// One conversation, if the viewer may see it.
pub async fn conversation(
    db: &Db,
    viewer: Viewer,
    id: i64,
) -> Result<Option<ConversationRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {} WHERE {} AND c.id = $4",
        conversation_columns(),
        visible()
    );
    on_pool!(db, pool => sqlx::query_as(&sql)
        .bind(viewer.company_id)
        .bind(viewer.global_admin)
        .bind(viewer.user_id)
        .bind(id)
        .fetch_optional(pool)
        .await)
}

/// Whether the viewer may see the conversations of `account_id`.
pub async fn may_see_account(
    db: &Db,
    viewer: Viewer,
    account_id: i64,
) -> Result<bool, sqlx::Error> {
    let sql = format!("SELECT a.id FROM whatsapp_accounts a WHERE a.id = $4 AND {CHANNEL_VISIBLE}");
    let found: Option<i64> = on_pool!(db, pool => sqlx::query_scalar(&sql)
        .bind(viewer.company_id)
        .bind(viewer.global_admin)
        .bind(viewer.user_id)
        .bind(account_id)
        .fetch_optional(pool)
        .await)?;
    Ok(found.is_some())
}

/// The channels whose conversations the viewer may see, for the inbox's channel filter.
pub async fn visible_channels(db: &Db, viewer: Viewer) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let sql = format!(
        "SELECT a.id, COALESCE(NULLIF(a.name, ''), a.business_name, a.phone, '') \
         FROM whatsapp_accounts a WHERE {CHANNEL_VISIBLE} ORDER BY a.id"
    );
    on_pool!(db, pool => sqlx::query_as(&sql)
        .bind(viewer.company_id)
        .bind(viewer.global_admin)
        .bind(viewer.user_id)
        .fetch_all(pool)
        .await)
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MessageRow {
    pub id: i64,
    pub direction: String,
    pub text: String,
    pub status: String,
    pub failure: Option<String>,
    pub sent_at: i64,
    pub delivered_at: Option<i64>,
    pub read_at: Option<i64>,
    pub author: Option<String>,
    pub media_id: Option<i64>,
    pub media_filename: Option<String>,
    pub media_content_type: Option<String>,
    pub media_size: Option<i64>,
    /// The attachment comes from the chat history and is not downloaded yet.
    pub media_pending: bool,
    /// Why its last download failed.
    pub media_error: Option<String>,
}

/// The latest `limit` messages of a conversation, oldest first.
pub async fn messages(
    db: &Db,
    conversation_id: i64,
    limit: i64,
) -> Result<Vec<MessageRow>, sqlx::Error> {
    let mut rows: Vec<MessageRow> = on_pool!(db, pool => sqlx::query_as(
        "SELECT m.id, m.direction, m.text, m.status, m.failure, m.sent_at, m.delivered_at, m.read_at, \
         u.display_name AS author, \
         m.media_id, mf.filename AS media_filename, mf.content_type AS media_content_type, \
         mf.size_bytes AS media_size, (mf.pending_ref IS NOT NULL) AS media_pending, \
         mf.fetch_error AS media_error \
         FROM messages m LEFT JOIN media_files mf ON mf.id = m.media_id \
         LEFT JOIN users u ON u.id = m.author_user_id \
         WHERE m.conversation_id = $1 ORDER BY m.sent_at DESC, m.id DESC LIMIT $2",
    )
    .bind(conversation_id)
    .bind(limit)
    .fetch_all(pool)
    .await)?;
    rows.reverse();
    Ok(rows)
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MediaRow {
    pub path: String,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// Set while the file is known only by its driver reference (history not yet opened).
    pub pending_ref: Option<String>,
    pub company_id: i64,
    pub account_id: i64,
    pub conversation_id: i64,
}

/// A media file, only if it belongs to a message of a conversation the viewer may see.
pub async fn media(
    db: &Db,
    viewer: Viewer,
    media_id: i64,
) -> Result<Option<MediaRow>, sqlx::Error> {
    let sql = format!(
        "SELECT mf.path, mf.filename, mf.content_type, mf.size_bytes, mf.pending_ref, \
         mf.company_id, mf.account_id, m.conversation_id FROM media_files mf \
         JOIN messages m ON m.media_id = mf.id \
         JOIN conversations c ON c.id = m.conversation_id \
         JOIN whatsapp_accounts a ON a.id = c.account_id \
         WHERE mf.id = $4 AND {} LIMIT 1",
        visible()
    );
    on_pool!(db, pool => sqlx::query_as(&sql)
        .bind(viewer.company_id)
        .bind(viewer.global_admin)
        .bind(viewer.user_id)
        .bind(media_id)
        .fetch_optional(pool)
        .await)
}

/// A history file was downloaded to `path`: the row takes it and forgets its reference.
/// False when another download got there first (the caller's file is then not used).
pub async fn media_fetched(
    db: &Db,
    media_id: i64,
    path: &str,
    size_bytes: i64,
) -> Result<bool, sqlx::Error> {
    let changed = on_pool!(db, pool => sqlx::query(
        "UPDATE media_files SET path = $2, size_bytes = $3, pending_ref = NULL, fetch_error = NULL \
         WHERE id = $1 AND pending_ref IS NOT NULL",
    )
    .bind(media_id)
    .bind(path)
    .bind(size_bytes)
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))?;
    Ok(changed == 1)
}

/// Why a history file could not be downloaded, for the chat to show; the reference stays,
/// so opening it again tries again.
pub async fn media_fetch_failed(db: &Db, media_id: i64, reason: &str) -> Result<(), sqlx::Error> {
    on_pool!(db, pool => sqlx::query(
        "UPDATE media_files SET fetch_error = $2 WHERE id = $1 AND pending_ref IS NOT NULL",
    )
    .bind(media_id)
    .bind(reason)
    .execute(pool)
    .await
    .map(|_| ()))
}

/// Members of a funnel, by name, for the owner picker.
pub async fn funnel_members(db: &Db, funnel_id: i64) -> Result<Vec<(i64, String)>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_as(
        "SELECT u.id, u.display_name FROM funnel_members m JOIN users u ON u.id = m.user_id \
         WHERE m.funnel_id = $1 ORDER BY u.display_name, u.id",
    )
    .bind(funnel_id)
    .fetch_all(pool)
    .await)
}

/// Gives a conversation a new owner (`None`: nobody), with `conversation.assigned` queued
/// for the company's webhooks. The caller checked membership.
pub async fn set_owner(
    db: &Db,
    conversation_id: i64,
    owner: Option<i64>,
) -> Result<(), sqlx::Error> {
    let now = super::now_ms();
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let changed: Option<(i64, i64)> = sqlx::query_as(
            "UPDATE conversations SET owner_user_id = $2 WHERE id = $1 RETURNING company_id, account_id",
        )
        .bind(conversation_id)
        .bind(owner)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((company, account)) = changed {
            queue_webhook!(tx, company, EventKind::ConversationAssigned, now, {
                let name: Option<String> = match owner {
                    Some(id) => sqlx::query_scalar("SELECT display_name FROM users WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?,
                    None => None,
                };
                serde_json::json!({
                    "conversation_id": conversation_id,
                    "channel_id": account,
                    "owner": owner.map(|id| serde_json::json!({ "id": id, "name": name })),
                })
            });
        }
        tx.commit().await
    })
}
