//! Sign-in, sign-out, who am I, and first-run set-up.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The signed-in user as the page header shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub display_name: String,
    pub email: String,
    pub company_name: String,
}

#[server(endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<(), AppError> {
    use crate::server::db::now_ms;
    use crate::server::fn_context::{app_state, client_address, respond, session, set_cookie};
    use crate::server::gate::{home, session_cookie};
    use crate::server::services::identity::{resume_session, sign_in, SignIn};

    let state = app_state();
    let previous = session().await.token;
    let client = client_address().await;
    let attempt = SignIn {
        email: &email,
        password: &password,
        client: &client,
        previous_token: previous.as_deref(),
    };
    let token = respond(sign_in(&state.db, &state.login_limiter, attempt, now_ms()).await)?;
    set_cookie(session_cookie(&token, state.config.cookie_secure));
    let user = resume_session(&state.db, &token, now_ms())
        .await
        .ok()
        .flatten();
    leptos_axum::redirect(home(user.as_ref()));
    Ok(())
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::server::fn_context::{app_state, respond, session, set_cookie};
    use crate::server::gate::cleared_session_cookie;
    use crate::server::services::identity::sign_out;

    let state = app_state();
    if let Some(token) = session().await.token {
        respond(sign_out(&state.db, &token).await)?;
    }
    set_cookie(cleared_session_cookie(state.config.cookie_secure));
    leptos_axum::redirect(crate::paths::LOGIN);
    Ok(())
}

#[server(endpoint = "signed_in_user")]
pub async fn signed_in_user() -> Result<Me, AppError> {
    use crate::server::fn_context::{require_user, respond};

    let user = respond(require_user().await)?;
    Ok(Me {
        display_name: user.display_name,
        email: user.email,
        company_name: user.company_name,
    })
}

#[server(endpoint = "setup")]
pub async fn setup(
    company_name: String,
    channel_limit: String,
    display_name: String,
    email: String,
    password: String,
) -> Result<(), AppError> {
    use crate::server::db::now_ms;
    use crate::server::fn_context::{app_state, client_address, respond, set_cookie};
    use crate::server::gate::session_cookie;
    use crate::server::services::identity::{set_up_first_company, sign_in, FirstCompany, SignIn};

    let state = app_state();
    let _only_one_at_a_time = state.setup_lock.lock().await;
    let input = FirstCompany {
        company_name: &company_name,
        channel_limit: &channel_limit,
        display_name: &display_name,
        email: &email,
        password: &password,
    };
    let email = respond(set_up_first_company(&state.db, input).await)?;
    let client = client_address().await;
    let attempt = SignIn {
        email: &email,
        password: &password,
        client: &client,
        previous_token: None,
    };
    let token = respond(sign_in(&state.db, &state.login_limiter, attempt, now_ms()).await)?;
    set_cookie(session_cookie(&token, state.config.cookie_secure));
    leptos_axum::redirect(crate::paths::CHANNELS);
    Ok(())
}
