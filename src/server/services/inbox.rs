//! The inbox's pages: the list and one conversation, as the viewer may see them. A
//! conversation the viewer may not see is "not found", never "forbidden": its existence
//! is not revealed.

use super::{internal, read_receipts};
use crate::domain::account::AccountStatus;
use crate::domain::address::{Address, NUMBER_HIDDEN};
use crate::domain::inbox::{search, MessageStatus, ScheduleStatus, Whose, INBOX_PAGE};
use crate::domain::size::format_bytes;
use crate::error::AppError;
use crate::i18n::refusals::{current_locale, Refusal, StoredReason};
use crate::server::db::inbox::{self, ConversationRow, Cursor, InboxFilter, MessageRow, Viewer};
use crate::server::db::replies::{self, ScheduledRow};
use crate::server::db::sign_ins::SignedInUser;
use crate::server::db::{funnels, Db};
use crate::server::services::phone::format_international;
use crate::server::sessions::manager::{Health, SessionManager};
use crate::views::inbox::{
    Choice, ConversationPage, InboxPage, InboxRow, MediaView, MessageView, ScheduledView,
};

/// A thread shows its latest messages.
const THREAD_LENGTH: i64 = 200;
/// Unread conversations are counted up to this; the title shows "(99+)" beyond 99.
const UNREAD_CAP: i64 = 100;

fn db_error(context: &'static str) -> impl Fn(sqlx::Error) -> AppError {
    move |e| internal(context, e)
}

pub fn encode_cursor(cursor: Cursor) -> String {
    format!("{}.{}", cursor.last_message_at, cursor.id)
}

pub fn decode_cursor(text: &str) -> Result<Cursor, AppError> {
    let bad = || AppError::from(Refusal::BadPageLink);
    let (at, id) = text.split_once('.').ok_or_else(bad)?;
    Ok(Cursor {
        last_message_at: at.parse().map_err(|_| bad())?,
        id: id.parse().map_err(|_| bad())?,
    })
}

/// The contact's name (else what stands for them) and their number, or that WhatsApp
/// hides it.
fn contact_label(row: &ConversationRow) -> (String, String) {
    let phone = match Address::parse(&row.contact_phone) {
        Address::Phone(e164) => format_international(e164),
        Address::Hidden { .. } => NUMBER_HIDDEN.to_string(),
    };
    let name = row.contact_name.trim();
    let contact = if name.is_empty() {
        phone.clone()
    } else {
        name.to_string()
    };
    (contact, phone)
}

fn row_view(row: ConversationRow, viewer_id: i64) -> InboxRow {
    let (contact, contact_phone) = contact_label(&row);
    InboxRow {
        id: row.id,
        contact,
        contact_phone,
        channel: row.channel,
        owner: row.owner,
        funnel: row.funnel,
        last_message: row.last_message_text,
        last_message_at_ms: row.last_message_at,
        last_message_ours: row.last_message_outbound,
        unread: row.unread.max(0),
        not_sent: row.not_sent,
        mine: row.owner_user_id == Some(viewer_id),
    }
}

/// What the list is asked for: the URL's filters, the search box and the page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListRequest<'a> {
    pub funnel: Option<i64>,
    pub channel: Option<i64>,
    pub whose: Option<&'a str>,
    pub search: Option<&'a str>,
    pub after: Option<&'a str>,
}

pub async fn page(
    db: &Db,
    user: &SignedInUser,
    request: ListRequest<'_>,
) -> Result<InboxPage, AppError> {
    let viewer = user.viewer();
    let cursor = request.after.map(decode_cursor).transpose()?;
    let whose = match request.whose {
        None | Some("") => Whose::All,
        Some(code) => Whose::parse(code).ok_or_else(|| AppError::from(Refusal::BadWhose))?,
    };
    let search = search(request.search.unwrap_or_default())?;
    let filter = InboxFilter {
        funnel_id: request.funnel,
        account_id: request.channel,
        whose,
        search,
    };
    // One row more than shown tells whether another page exists.
    let mut rows = inbox::list(db, viewer, &filter, cursor, INBOX_PAGE as i64 + 1)
        .await
        .map_err(db_error("inbox list"))?;
    let next = (rows.len() > INBOX_PAGE).then(|| {
        rows.truncate(INBOX_PAGE);
        let last = rows.last().expect("a full page");
        encode_cursor(Cursor {
            last_message_at: last.last_message_at,
            id: last.id,
        })
    });
    // Later pages only add rows: the choices and the count came with the first.
    let first = cursor.is_none();
    let funnels = if first {
        funnels::list_by_company(db, user.company_id)
            .await
            .map_err(db_error("funnels"))?
            .into_iter()
            .map(|f| Choice {
                id: f.id,
                name: f.name,
            })
            .collect()
    } else {
        Vec::new()
    };
    let channels = if first {
        inbox::visible_channels(db, viewer)
            .await
            .map_err(db_error("channels"))?
            .into_iter()
            .map(|(id, name)| Choice { id, name })
            .collect()
    } else {
        Vec::new()
    };
    let unread_conversations = if first {
        inbox::unread_conversations(db, viewer, UNREAD_CAP)
            .await
            .map_err(db_error("unread count"))?
    } else {
        0
    };
    Ok(InboxPage {
        rows: rows
            .into_iter()
            .map(|row| row_view(row, user.user_id))
            .collect(),
        next,
        funnels,
        channels,
        unread_conversations,
    })
}

/// The conversation, if the viewer may see it; "not found" otherwise.
pub async fn visible(db: &Db, viewer: Viewer, id: i64) -> Result<ConversationRow, AppError> {
    inbox::conversation(db, viewer, id)
        .await
        .map_err(db_error("conversation"))?
        .ok_or(AppError::NotFound)
}

/// Why a reply can't go out through the channel now, if it can't.
pub fn reply_blocked(status: AccountStatus) -> Option<Refusal> {
    (status != AccountStatus::Connected).then_some(Refusal::ReplyBlocked(status))
}

/// A message as the page shows it, in the language of the person being answered.
fn message_view(row: MessageRow) -> MessageView {
    let locale = current_locale();
    let reword = |stored: Option<String>| stored.map(|s| StoredReason::reword(&s, locale));
    let media = row.media_id.map(|id| {
        let content_type = row.media_content_type.clone().unwrap_or_default();
        MediaView {
            id,
            url: crate::paths::media(id),
            filename: row.media_filename.clone().unwrap_or_default(),
            inline_image: inline_image(&content_type),
            content_type,
            // A history file's size is what its message declared until it is downloaded.
            size: match row.media_size.unwrap_or(0) {
                0 if row.media_pending => String::new(),
                bytes => format_bytes(bytes, locale),
            },
            pending: row.media_pending,
            error: reword(row.media_error.clone()),
        }
    });
    MessageView {
        id: row.id,
        outbound: row.direction == "outbound",
        text: row.text,
        status: MessageStatus::parse(&row.status).unwrap_or(MessageStatus::Received),
        failure: reword(row.failure),
        at_ms: row.sent_at,
        delivered_at_ms: row.delivered_at,
        read_at_ms: row.read_at,
        author: row.author,
        media,
    }
}

/// Raster images are shown in the page; anything else (SVG included: it can carry
/// scripts) is only offered as a download.
pub fn inline_image(content_type: &str) -> bool {
    matches!(
        content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
            .as_str(),
        "image/jpeg" | "image/png" | "image/gif" | "image/webp"
    )
}

fn scheduled_view(row: ScheduledRow) -> ScheduledView {
    ScheduledView {
        id: row.id,
        text: row.text,
        send_at_ms: row.send_at,
        status: ScheduleStatus::parse(&row.status).unwrap_or(ScheduleStatus::Failed),
        failure: row
            .failure
            .map(|stored| StoredReason::reword(&stored, current_locale())),
    }
}

pub async fn conversation(
    db: &Db,
    user: &SignedInUser,
    id: i64,
) -> Result<ConversationPage, AppError> {
    let row = visible(db, user.viewer(), id).await?;
    Ok(page_of(db, user, row).await?.0)
}

/// The page of a conversation the user may see (`row`, already checked), and whether
/// opening it read messages the user had not seen.
async fn page_of(
    db: &Db,
    user: &SignedInUser,
    row: ConversationRow,
) -> Result<(ConversationPage, bool), AppError> {
    let id = row.id;
    // Opening a conversation is reading it, as on the phone.
    let read = inbox::mark_seen(db, user.user_id, id)
        .await
        .map_err(db_error("mark seen"))?;
    let messages = inbox::messages(db, id, THREAD_LENGTH)
        .await
        .map_err(db_error("messages"))?;
    let scheduled = replies::scheduled_of(db, id)
        .await
        .map_err(db_error("scheduled messages"))?;
    let owner_choices = match row.funnel_id {
        Some(funnel) => inbox::funnel_members(db, funnel)
            .await
            .map_err(db_error("funnel members"))?
            .into_iter()
            .map(|(id, name)| Choice { id, name })
            .collect(),
        None => Vec::new(),
    };
    let (contact, contact_phone) = contact_label(&row);
    let channel_status =
        AccountStatus::parse(&row.channel_status).unwrap_or(AccountStatus::Disconnected);
    let page = ConversationPage {
        id: row.id,
        contact,
        contact_phone,
        channel: row.channel,
        channel_status,
        reply_blocked: reply_blocked(channel_status).map(|r| r.words(current_locale())),
        reconnecting: false,
        funnel: row.funnel,
        owner_id: row.owner_user_id,
        owner: row.owner,
        owner_choices,
        messages: messages.into_iter().map(message_view).collect(),
        scheduled: scheduled.into_iter().map(scheduled_view).collect(),
    };
    Ok((page, read))
}

/// The conversation with what only the sessions know: whether its channel is
/// reconnecting (replies then wait for it).
pub async fn conversation_live(
    db: &Db,
    manager: &SessionManager,
    user: &SignedInUser,
    id: i64,
) -> Result<ConversationPage, AppError> {
    let row = visible(db, user.viewer(), id).await?;
    let (account_id, contact_phone) = (row.account_id, row.contact_phone.clone());
    let (mut page, read) = page_of(db, user, row).await?;
    // The user's lists (this tab's, another's, another server's) count it unread no more.
    if read {
        manager.conversation_changed(user.company_id, account_id, page.id);
    }
    if page.channel_status == AccountStatus::Connected {
        page.reconnecting = matches!(
            manager.live(account_id).health,
            Some(Health::Reconnecting { .. })
        );
        read_receipts::send_for(db, manager, user.company_id, account_id, id, contact_phone);
    }
    Ok(page)
}

/// Any member of the conversation's funnel may own it; `None` leaves it unowned.
pub async fn set_owner(
    db: &Db,
    manager: &SessionManager,
    user: &SignedInUser,
    id: i64,
    owner: Option<i64>,
) -> Result<ConversationPage, AppError> {
    let row = visible(db, user.viewer(), id).await?;
    if let Some(owner) = owner {
        let members = match row.funnel_id {
            Some(funnel) => inbox::funnel_members(db, funnel)
                .await
                .map_err(db_error("funnel members"))?,
            None => Vec::new(),
        };
        if !members.iter().any(|(member, _)| *member == owner) {
            return Err(Refusal::OwnerNotInFunnel.into());
        }
    }
    inbox::set_owner(db, id, owner)
        .await
        .map_err(db_error("set owner"))?;
    manager.conversation_changed(user.company_id, row.account_id, id);
    conversation_live(db, manager, user, id).await
}

#[cfg(test)]
mod tests;
