//! The Settings > Company > Channels > WhatsApp Web page: its data and its actions.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::account::AccountStatus;
use crate::error::AppError;

/// One card of the page, as the server renders it and the live stream updates it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub id: i64,
    /// Higher is newer: the page keeps the newest card it has seen.
    pub revision: u64,
    pub status: AccountStatus,
    pub name: String,
    /// International format, e.g. "+52 1 55 1234 5678".
    pub phone: Option<String>,
    /// "Linked phone +X differs from the configured number +Y", on a Connected card.
    pub phone_mismatch: Option<String>,
    pub business_name: Option<String>,
    pub cellphone_user: Option<String>,
    pub funnel: Option<String>,
    pub owner: Option<String>,
    /// Empty means every team member may see the conversations.
    pub restricted_users: Vec<String>,
    pub disconnect_message: Option<String>,
    pub disconnected_at_ms: Option<i64>,
    /// How the session of a Connected card is doing.
    pub health: Option<HealthView>,
    pub link: Option<LinkView>,
    /// How far a Delete has got, 0 to 100, while the account is Deleting.
    pub deleting_percent: Option<u8>,
}

impl AccountView {
    /// The card's title: the name, else what the phone reported, else the number.
    pub fn title(&self) -> String {
        [
            Some(self.name.as_str()),
            self.business_name.as_deref(),
            self.phone.as_deref(),
        ]
        .into_iter()
        .flatten()
        .find(|s| !s.trim().is_empty())
        .unwrap_or("New WhatsApp account")
        .trim()
        .to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkView {
    /// A QR code to scan, valid for `expires_in_ms` from when this view was made.
    Qr {
        svg: String,
        expires_in_ms: u64,
        pair_code: Option<String>,
    },
    /// The attempt is starting: the first QR code is on its way.
    Waiting,
    Expired,
    Failed {
        message: String,
    },
    /// WhatsApp could not be reached; a new attempt starts in `retry_in_ms`.
    Unreachable {
        message: String,
        retry_in_ms: u64,
    },
}

/// The health line of a Connected card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum HealthView {
    Online {
        /// When data last arrived from WhatsApp, ms since the epoch.
        last_activity_ms: Option<i64>,
        /// Reconnects since the server started.
        reconnects: u32,
    },
    /// The session dropped (`reason` None) or WhatsApp can't be reached (`reason`).
    Reconnecting {
        attempt: u32,
        retry_in_ms: u64,
        reason: Option<String>,
    },
}

/// The figures of an account's details view: the session's own counters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionDetails {
    pub frames_received: u64,
    pub frames_sent: u64,
    pub bytes_received: u64,
    pub bytes_sent: u64,
    pub messages_received: u64,
    pub messages_sent: u64,
    /// Reconnects since the server started, the manager's and the connection's own.
    pub reconnects: u64,
    pub last_activity_ms: Option<i64>,
    pub retained_bytes: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelsOverview {
    pub channel_limit: i64,
    pub accounts: Vec<AccountView>,
    /// The viewer is a global admin: Disabled cards offer Delete.
    pub may_delete: bool,
}

/// What the live stream sends: one card changed or appeared, one card is gone,
/// or the client must reload the whole list (it missed events).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChannelUpdate {
    Upsert(AccountView),
    Removed { id: i64 },
    Resync,
}

pub const EVENTS_PATH: &str = "/api/channels/events";

/// What deleting an account would remove, for the Delete dialog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletionPreview {
    pub account_name: String,
    pub counts: ChannelCounts,
}

pub use crate::domain::channel::ChannelCounts;

#[server(endpoint = "channels_page")]
pub async fn channels_page() -> Result<ChannelsOverview, AppError> {
    use crate::server::fn_context::{app_state, require_channels_admin, respond};
    use crate::server::services::channels;

    respond(
        async {
            let user = require_channels_admin().await?;
            let state = app_state();
            let overview = channels::overview(&state.db, &state.manager, user.company_id).await?;
            Ok(ChannelsOverview {
                may_delete: user.global_admin,
                ..overview
            })
        }
        .await,
    )
}

#[server(endpoint = "add_account")]
pub async fn add_account() -> Result<AccountView, AppError> {
    use crate::server::fn_context::{app_state, require_channels_admin, respond};
    use crate::server::services::channels;

    respond(
        async {
            let user = require_channels_admin().await?;
            let state = app_state();
            channels::add(&state.db, &state.manager, &user).await
        }
        .await,
    )
}

/// Cancel on a Connecting card. `None`: the account was new and is gone.
#[server(endpoint = "cancel_linking")]
pub async fn cancel_linking(id: i64) -> Result<Option<AccountView>, AppError> {
    use crate::server::fn_context::{app_state, require_channels_admin, respond};
    use crate::server::services::channels;

    respond(
        async {
            let user = require_channels_admin().await?;
            let state = app_state();
            channels::cancel_linking(&state.db, &state.manager, &user, id).await
        }
        .await,
    )
}

/// Generate new code (expired QR) and Connect (Disconnected card): a new linking attempt.
#[server(endpoint = "start_linking")]
pub async fn start_linking(id: i64) -> Result<AccountView, AppError> {
    use crate::server::fn_context::{app_state, require_channels_admin, respond};
    use crate::server::services::channels;

    respond(
        async {
            let user = require_channels_admin().await?;
            let state = app_state();
            channels::start_linking(&state.db, &state.manager, &user, id).await
        }
        .await,
    )
}

#[server(endpoint = "request_pair_code")]
pub async fn request_pair_code(id: i64, phone: String) -> Result<AccountView, AppError> {
    use crate::server::fn_context::{app_state, require_channels_admin, respond};
    use crate::server::services::channels;

    respond(
        async {
            let user = require_channels_admin().await?;
            let state = app_state();
            channels::request_pair_code(&state.db, &state.manager, &user, id, &phone).await
        }
        .await,
    )
}

#[server(endpoint = "disconnect_account")]
pub async fn disconnect_account(id: i64) -> Result<AccountView, AppError> {
    use crate::server::fn_context::{app_state, require_channels_admin, respond};
    use crate::server::services::channels;

    respond(
        async {
            let user = require_channels_admin().await?;
            let state = app_state();
            channels::disconnect(&state.db, &state.manager, &user, id).await
        }
        .await,
    )
}

/// Disable on a Disconnected card.
#[server(endpoint = "disable_account")]
pub async fn disable_account(id: i64) -> Result<AccountView, AppError> {
    use crate::server::fn_context::{app_state, require_channels_admin, respond};
    use crate::server::services::lifecycle;

    respond(
        async {
            let user = require_channels_admin().await?;
            let state = app_state();
            lifecycle::disable(&state.db, &state.manager, &user, id).await
        }
        .await,
    )
}

/// Enable on a Disabled card.
#[server(endpoint = "enable_account")]
pub async fn enable_account(id: i64) -> Result<AccountView, AppError> {
    use crate::server::fn_context::{app_state, require_channels_admin, respond};
    use crate::server::services::lifecycle;

    respond(
        async {
            let user = require_channels_admin().await?;
            let state = app_state();
            lifecycle::enable(&state.db, &state.manager, &user, id).await
        }
        .await,
    )
}

#[server(endpoint = "preview_deletion")]
pub async fn preview_deletion(id: i64) -> Result<DeletionPreview, AppError> {
    use crate::server::fn_context::{app_state, require_channels_admin, respond};
    use crate::server::services::lifecycle;

    respond(
        async {
            let user = require_channels_admin().await?;
            let state = app_state();
            lifecycle::deletion_preview(&state.db, &state.manager, &user, id).await
        }
        .await,
    )
}

/// Confirms a Delete; `name` repeats the account's name.
#[server(endpoint = "delete_account")]
pub async fn delete_account(id: i64, name: String) -> Result<AccountView, AppError> {
    use crate::server::fn_context::{app_state, require_channels_admin, respond};
    use crate::server::services::lifecycle;

    respond(
        async {
            let user = require_channels_admin().await?;
            let state = app_state();
            lifecycle::delete(&state.db, &state.manager, &state.deletion, &user, id, &name).await
        }
        .await,
    )
}

/// The details view of a Connected card.
#[server(endpoint = "read_session_details")]
pub async fn read_session_details(id: i64) -> Result<SessionDetails, AppError> {
    use crate::server::fn_context::{app_state, require_channels_admin, respond};
    use crate::server::services::channels;

    respond(
        async {
            let user = require_channels_admin().await?;
            let state = app_state();
            channels::session_details(&state.db, &state.manager, &user, id).await
        }
        .await,
    )
}
