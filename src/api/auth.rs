//! Sign-in, sign-out, who am I, and first-run set-up.

use crate::error::AppError;
use crate::views::auth::Me;
use leptos::prelude::*;

#[server(endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<(), AppError> {
    use crate::server::db::now_ms;
    use crate::server::services::identity::{log_in, SignIn};
    use crate::server::web::fn_context::{
        answer, app_state, client_address, current_sign_in, set_cookie,
    };
    use crate::server::web::gate::sign_in_cookie;

    let (state, client) = (app_state(), client_address().await);
    let previous = current_sign_in().await.token;
    let attempt = SignIn {
        email: &email,
        password: &password,
        client: &client,
        previous_token: previous.as_deref(),
    };
    let (token, home) = answer(log_in(&state.db, &state.login_limiter, attempt, now_ms())).await?;
    set_cookie(sign_in_cookie(&token, state.config.cookie_secure));
    leptos_axum::redirect(home);
    Ok(())
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::server::services::identity::sign_out;
    use crate::server::web::fn_context::{answer, app_state, current_sign_in, set_cookie};
    use crate::server::web::gate::cleared_sign_in_cookie;

    let state = app_state();
    if let Some(token) = current_sign_in().await.token {
        answer(sign_out(&state.db, &state.sign_outs, &token)).await?;
    }
    set_cookie(cleared_sign_in_cookie(state.config.cookie_secure));
    leptos_axum::redirect(crate::paths::LOGIN);
    Ok(())
}

#[server(endpoint = "signed_in_user")]
pub async fn signed_in_user() -> Result<Me, AppError> {
    use crate::server::web::fn_context::{require_user, respond_keepable};

    // Who is signed in and their language: a kept page is kept for one user and language.
    let user = respond_keepable(require_user().await, true)?;
    Ok(Me {
        display_name: user.display_name,
        email: user.email,
        company_name: user.company_name,
        language: crate::i18n::page_locale().tag().to_string(),
        global_admin: user.global_admin,
    })
}

/// The signed-in person's own language (`en`, `es`, `pt-BR`): kept on their user, so it
/// follows them to every device and sign-in.
#[server(endpoint = "set_language")]
pub async fn set_language(language: String) -> Result<(), AppError> {
    use crate::server::services::preferences;
    use crate::server::web::fn_context::{answer, app_state, require_user};

    let outcome = async {
        let user = require_user().await?;
        preferences::set_language(&app_state().db, &user, &language).await
    };
    answer(outcome).await
}

#[server(endpoint = "setup")]
pub async fn setup(
    company_name: String,
    channel_limit: String,
    display_name: String,
    email: String,
    password: String,
    // Optional in the form so that a request without it is refused like a wrong code (422).
    code: Option<String>,
) -> Result<(), AppError> {
    use crate::server::db::now_ms;
    use crate::server::services::identity::{set_up_and_sign_in, FirstCompany, SetupGuard};
    use crate::server::web::fn_context::{answer, app_state, client_address, set_cookie};
    use crate::server::web::gate::sign_in_cookie;

    let (state, client) = (app_state(), client_address().await);
    let input = FirstCompany {
        company_name: &company_name,
        channel_limit: &channel_limit,
        display_name: &display_name,
        email: &email,
        password: &password,
    };
    let guard = SetupGuard {
        code: &state.setup_code,
        lock: &state.setup_lock,
    };
    let signing_in = set_up_and_sign_in(
        &state.db,
        &state.login_limiter,
        guard,
        input,
        code.as_deref().unwrap_or_default(),
        &client,
        now_ms(),
    );
    let token = answer(signing_in).await?;
    set_cookie(sign_in_cookie(&token, state.config.cookie_secure));
    leptos_axum::redirect(crate::paths::CHANNELS);
    Ok(())
}
