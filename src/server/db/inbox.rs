//! The inbox's reads: conversations a viewer may see (the visibility rule is part of
//! every query here, not a filter applied later), their messages, and their media.

use super::{on_pool, Db};

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
}

/// `+c.account_id` keeps the join from driving the list through each channel's index
/// (SQLite would, then sort every row): conversations are read in activity order and
/// stop at the page's end.
const CONVERSATION_COLUMNS: &str = "c.id, c.account_id, \
     COALESCE(NULLIF(a.name, ''), a.business_name, a.phone, '') AS channel, a.status AS channel_status, \
     ct.name AS contact_name, ct.phone AS contact_phone, c.funnel_id, f.name AS funnel, \
     c.owner_user_id, o.display_name AS owner, c.last_message_text, c.last_message_at, \
     c.last_message_outbound FROM conversations c \
     JOIN whatsapp_accounts a ON a.id = +c.account_id \
     JOIN contacts ct ON ct.id = c.contact_id \
     LEFT JOIN funnels f ON f.id = c.funnel_id \
     LEFT JOIN users o ON o.id = c.owner_user_id";

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InboxFilter {
    pub funnel_id: Option<i64>,
    pub account_id: Option<i64>,
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
    filter: InboxFilter,
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
    let sql = format!(
        "SELECT {CONVERSATION_COLUMNS} WHERE {} AND {funnel} AND {channel} AND {after} \
         ORDER BY c.last_message_at DESC, c.id DESC LIMIT $8",
        visible()
    );
    on_pool!(db, pool => sqlx::query_as(&sql)
        .bind(viewer.company_id)
        .bind(viewer.global_admin)
        .bind(viewer.user_id)
        .bind(filter.funnel_id)
        .bind(filter.account_id)
        .bind(cursor.map(|c| c.last_message_at))
        .bind(cursor.map(|c| c.id))
        .bind(limit)
        .fetch_all(pool)
        .await)
}

/// One conversation, if the viewer may see it.
pub async fn conversation(
    db: &Db,
    viewer: Viewer,
    id: i64,
) -> Result<Option<ConversationRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {CONVERSATION_COLUMNS} WHERE {} AND c.id = $4",
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
    pub author: Option<String>,
    pub media_id: Option<i64>,
    pub media_filename: Option<String>,
    pub media_content_type: Option<String>,
    pub media_size: Option<i64>,
}

/// The latest `limit` messages of a conversation, oldest first.
pub async fn messages(
    db: &Db,
    conversation_id: i64,
    limit: i64,
) -> Result<Vec<MessageRow>, sqlx::Error> {
    let mut rows: Vec<MessageRow> = on_pool!(db, pool => sqlx::query_as(
        "SELECT m.id, m.direction, m.text, m.status, m.failure, m.sent_at, u.display_name AS author, \
         m.media_id, mf.filename AS media_filename, mf.content_type AS media_content_type, \
         mf.size_bytes AS media_size \
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
}

/// A media file, only if it belongs to a message of a conversation the viewer may see.
pub async fn media(
    db: &Db,
    viewer: Viewer,
    media_id: i64,
) -> Result<Option<MediaRow>, sqlx::Error> {
    let sql = format!(
        "SELECT mf.path, mf.filename, mf.content_type, mf.size_bytes FROM media_files mf \
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

/// Gives a conversation a new owner (`None`: nobody). The caller checked membership.
pub async fn set_owner(
    db: &Db,
    conversation_id: i64,
    owner: Option<i64>,
) -> Result<(), sqlx::Error> {
    on_pool!(db, pool => sqlx::query("UPDATE conversations SET owner_user_id = $2 WHERE id = $1")
        .bind(conversation_id)
        .bind(owner)
        .execute(pool)
        .await
        .map(|_| ()))
}
