//! A channel's history (the card's History) and the company's audit log (Settings >
//! Company > Audit log).

use crate::error::AppError;
use crate::views::activity::{AuditPage, HistoryPage};
use leptos::prelude::*;

/// A channel's events, newest first; `before`: the oldest entry id already shown.
#[server(endpoint = "channel_history")]
pub async fn channel_history(id: i64, before: Option<i64>) -> Result<HistoryPage, AppError> {
    use crate::server::services::activity;
    use crate::server::web::fn_context::{serve, Role};

    serve(Role::ChannelsAdmin, |user, state| async move {
        activity::channel_history(&state.db, &user, id, before).await
    })
    .await
}

/// The audit log, of one channel and/or one person when given, newest first.
#[server(endpoint = "audit_log")]
pub async fn audit_log(
    channel: Option<i64>,
    person: Option<i64>,
    before: Option<i64>,
) -> Result<AuditPage, AppError> {
    use crate::server::db::audit::AuditFilter;
    use crate::server::services::activity;
    use crate::server::web::fn_context::{serve, Role};

    serve(Role::GlobalAdmin, |user, state| async move {
        let filter = AuditFilter {
            account_id: channel,
            actor_user_id: person,
        };
        activity::audit_log(&state.db, &user, filter, before).await
    })
    .await
}
