//! Settings > Company > Webhooks, for Global Admins.

use crate::error::AppError;
use crate::views::webhooks::{Attempt, CreatedEndpoint, Endpoint, WebhooksPage};
use leptos::prelude::*;

#[server(endpoint = "webhooks")]
pub async fn webhooks() -> Result<WebhooksPage, AppError> {
    use crate::server::services::webhooks;
    use crate::server::web::fn_context::{serve, Role};

    serve(Role::WebhooksAdmin, |user, state| async move {
        webhooks::page(&state.db, &user).await
    })
    .await
}

/// Adds an endpoint for `events` (their codes); its secret is in the answer, and only there.
#[server(endpoint = "add_webhook")]
pub async fn add_webhook(
    url: String,
    // No box ticked: no field at all in the form, answered "Choose at least one event".
    #[server(default)] events: Vec<String>,
) -> Result<CreatedEndpoint, AppError> {
    use crate::server::services::webhooks::{self, Settings};
    use crate::server::web::fn_context::{serve, Role};

    serve(Role::WebhooksAdmin, |user, state| async move {
        let settings = Settings {
            keys: state.config.keys.as_ref(),
            allow_private: state.config.webhook_allow_private,
        };
        webhooks::create(&state.db, settings, &user, &url, &events).await
    })
    .await
}

#[server(endpoint = "remove_webhook")]
pub async fn remove_webhook(id: i64) -> Result<(), AppError> {
    use crate::server::services::webhooks;
    use crate::server::web::fn_context::{serve, Role};

    serve(Role::WebhooksAdmin, |user, state| async move {
        webhooks::delete(&state.db, &user, id).await
    })
    .await
}

/// Sends to a paused endpoint again.
#[server(endpoint = "resume_webhook")]
pub async fn resume_webhook(id: i64) -> Result<Endpoint, AppError> {
    use crate::server::services::webhooks;
    use crate::server::web::fn_context::{serve, Role};

    serve(Role::WebhooksAdmin, |user, state| async move {
        webhooks::resume(&state.db, &user, id).await
    })
    .await
}

/// The endpoint's last 100 tries, newest first.
#[server(endpoint = "webhook_log")]
pub async fn webhook_log(id: i64) -> Result<Vec<Attempt>, AppError> {
    use crate::server::services::webhooks;
    use crate::server::web::fn_context::{serve, Role};

    serve(Role::WebhooksAdmin, |user, state| async move {
        webhooks::attempts(&state.db, &user, id).await
    })
    .await
}

/// Sends a test event now; answers how it went.
#[server(endpoint = "send_test_webhook")]
pub async fn send_test_webhook(id: i64) -> Result<Attempt, AppError> {
    use crate::server::services::webhooks::{self, Settings};
    use crate::server::web::fn_context::{serve, Role};

    serve(Role::WebhooksAdmin, |user, state| async move {
        let settings = Settings {
            keys: state.config.keys.as_ref(),
            allow_private: state.config.webhook_allow_private,
        };
        webhooks::send_test(&state.db, settings, &user, id).await
    })
    .await
}
