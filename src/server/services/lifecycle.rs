//! Disable, Enable and Delete. Disable hides a Disconnected account (its data stays);
//! Enable brings it back within the plan's limit; Delete (global admins, Disabled accounts)
//! hands the account to the deletion worker.

use super::channels::{account_view, act_on, limit_reached, manager_error};
use super::internal;
use crate::domain::account::AccountStatus;
use crate::error::AppError;
use crate::i18n::refusals::Refusal;
use crate::server::db::account_lifecycle::DeletionJob;
use crate::server::db::sign_ins::SignedInUser;
use crate::server::db::{account_data, companies, now_ms, Db};
use crate::server::sessions::manager::{ManagerError, SessionManager};
use crate::server::workers::deletion::DeletionWorker;
use crate::views::channels::{AccountView, DeletionPreview};

pub async fn disable(
    db: &Db,
    manager: &SessionManager,
    user: &SignedInUser,
    id: i64,
) -> Result<AccountView, AppError> {
    let company = user.company_id;
    act_on(db, manager, user, id, |initiator| async move {
        manager
            .disable(company, id, initiator)
            .await
            .map_err(manager_error)
    })
    .await?
    .ok_or(AppError::NotFound)
}

pub async fn enable(
    db: &Db,
    manager: &SessionManager,
    user: &SignedInUser,
    id: i64,
) -> Result<AccountView, AppError> {
    let company = companies::get(db, user.company_id)
        .await
        .map_err(|e| internal("load company", e))?
        .ok_or(AppError::NotFound)?;
    act_on(db, manager, user, id, |initiator| async move {
        match manager
            .enable(company.id, id, initiator, company.channel_limit)
            .await
        {
            Err(ManagerError::LimitReached) => {
                Err(limit_reached(db, company.id, company.channel_limit).await)
            }
            other => other.map_err(manager_error),
        }
    })
    .await?
    .ok_or(AppError::NotFound)
}

fn require_global_admin(user: &SignedInUser) -> Result<(), AppError> {
    if user.global_admin {
        Ok(())
    } else {
        Err(Refusal::OnlyGlobalAdminsDelete.into())
    }
}

/// A Disabled account of the user's company, for a global admin.
async fn deletable(
    db: &Db,
    manager: &SessionManager,
    user: &SignedInUser,
    id: i64,
) -> Result<AccountView, AppError> {
    require_global_admin(user)?;
    let view = account_view(db, manager, user.company_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if view.status != AccountStatus::Disabled {
        return Err(Refusal::DeleteOnlyDisabled(view.status).into());
    }
    Ok(view)
}

/// What the Delete dialog lists, with the real counts.
pub async fn deletion_preview(
    db: &Db,
    manager: &SessionManager,
    user: &SignedInUser,
    id: i64,
) -> Result<DeletionPreview, AppError> {
    let view = deletable(db, manager, user, id).await?;
    let counts = account_data::counts(db, id)
        .await
        .map_err(|e| internal("count channel data", e))?;
    Ok(DeletionPreview {
        account_name: view.title(),
        counts,
    })
}

/// Confirms a Delete: the account turns Deleting at once and the worker takes over.
/// `typed_name` must repeat the account's name, as the dialog asks.
pub async fn delete(
    db: &Db,
    manager: &SessionManager,
    worker: &DeletionWorker,
    user: &SignedInUser,
    id: i64,
    typed_name: &str,
) -> Result<AccountView, AppError> {
    let view = deletable(db, manager, user, id).await?;
    let name = view.title();
    if typed_name.trim() != name {
        return Err(Refusal::TypeNameToConfirm(name).into());
    }
    let counts = account_data::counts(db, id)
        .await
        .map_err(|e| internal("count channel data", e))?;
    let job = DeletionJob {
        account_id: id,
        company_id: user.company_id,
        account_name: name,
        requested_by: user.user_id,
        requested_by_name: user.display_name.clone(),
        requested_at: now_ms(),
        counts,
    };
    manager
        .begin_deletion(user.company_id, id, job, super::channels::initiator(user))
        .await
        .map_err(manager_error)?;
    worker.wake();
    account_view(db, manager, user.company_id, id)
        .await?
        .ok_or(AppError::NotFound)
}
