//! The audit log as a CSV file, for Global Admins: `GET /api/audit-log.csv?channel=&person=`.

use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde::Deserialize;

use super::gate::SignInContext;
use super::security::app_error_response;
use crate::domain::access::may_read_audit_log;
use crate::error::AppError;
use crate::server::boot::state::AppState;
use crate::server::db::audit::AuditFilter;
use crate::server::services::activity;

/// The page's filters, as its Export link carries them.
#[derive(Debug, Deserialize)]
pub struct CsvFilter {
    channel: Option<i64>,
    person: Option<i64>,
}

pub async fn audit_csv(
    State(state): State<AppState>,
    sign_in: Option<Extension<SignInContext>>,
    Query(filter): Query<CsvFilter>,
) -> Response {
    let Some(user) = sign_in.and_then(|Extension(s)| s.user) else {
        return app_error_response(&AppError::Unauthenticated);
    };
    if let Err(denied) = may_read_audit_log(user.roles()) {
        return app_error_response(&AppError::from(denied));
    }
    let filter = AuditFilter {
        account_id: filter.channel,
        actor_user_id: filter.person,
    };
    match activity::audit_csv(&state.db, &user, filter).await {
        Ok(csv) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/csv; charset=utf-8"),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_static("attachment; filename=\"audit-log.csv\""),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            csv,
        )
            .into_response(),
        Err(error) => app_error_response(&error),
    }
}
