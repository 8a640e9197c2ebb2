//! The setup wizard of a WhatsApp Web account: what it offers, the live phone check, and
//! the one call that stores the whole result.

use crate::domain::wizard::SetupAction;
use crate::error::AppError;
use crate::views::setup::{PhoneCheck, SetupForm, SetupOptions, SetupOutcome};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(endpoint = "load_setup")]
pub async fn load_setup(id: i64) -> Result<SetupOptions, AppError> {
    use crate::server::services::setup;
    use crate::server::web::fn_context::{serve, Role};

    let locale = crate::i18n::page_locale();
    serve(Role::ChannelsAdmin, |user, state| async move {
        setup::options(&state.db, &user, id, locale).await
    })
    .await
}

/// Answers as the user types the number (the browser debounces): valid or not, and
/// whether another account already uses it.
#[server(endpoint = "check_setup_phone")]
pub async fn check_setup_phone(
    id: i64,
    country: String,
    national_number: String,
) -> Result<PhoneCheck, AppError> {
    use crate::server::services::setup;
    use crate::server::web::fn_context::{serve, Role};

    serve(Role::ChannelsAdmin, |user, state| async move {
        setup::check_phone(&state.db, &user, id, &country, &national_number).await
    })
    .await
}

#[server(endpoint = "save_setup", input = Json)]
pub async fn save_setup(
    id: i64,
    version: i64,
    action: SetupAction,
    form: SetupForm,
) -> Result<SetupOutcome, AppError> {
    use crate::server::services::setup;
    use crate::server::web::fn_context::{serve, Role};

    serve(Role::ChannelsAdmin, |user, state| async move {
        setup::save(&state.db, &state.manager, &user, id, version, action, form).await
    })
    .await
}
