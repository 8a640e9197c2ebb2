//! The Settings > Company > Channels > WhatsApp Web page.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelsOverview {
    pub channel_limit: i64,
}

#[server(endpoint = "channels_page")]
pub async fn channels_page() -> Result<ChannelsOverview, AppError> {
    use crate::server::fn_context::{app_state, require_channels_admin, respond};
    use crate::server::services::channels::overview;

    respond(
        async {
            let user = require_channels_admin().await?;
            overview(&app_state().db, user.company_id).await
        }
        .await,
    )
}
