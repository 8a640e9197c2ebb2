//! The setup wizard's use cases. Every rule is checked here again, whatever the browser
//! checked: the wizard's checks are for comfort, these are the ones that count.

use super::channels::{account_view, initiator, manager_error};
use super::internal;
use crate::domain::identity::check_name;
use crate::domain::locale::Locale;
use crate::domain::wizard::{
    visible_to, FieldError, SetupAction, SetupField, SetupProblem, PREFERRED_COUNTRIES,
};
use crate::error::AppError;
use crate::i18n::refusals::Refusal;
use crate::server::db::account_setup::{self, Saved, Settings, SetupRow};
use crate::server::db::sign_ins::SignedInUser;
use crate::server::db::{funnels, now_ms, users, Db};
use crate::server::services::phone::{
    countries, format_international, parse_national, split_for_selector,
};
use crate::server::sessions::manager::SessionManager;
use crate::views::channels::AccountView;
use crate::views::setup::{
    Choice, FunnelChoice, PhoneCheck, SetupForm, SetupOptions, SetupOutcome,
};

async fn owned_row(db: &Db, user: &SignedInUser, id: i64) -> Result<SetupRow, AppError> {
    account_setup::setup_of(db, user.company_id, id)
        .await
        .map_err(|e| internal("load account settings", e))?
        .ok_or(AppError::NotFound)
}

/// `locale` names the countries of the number's picker.
pub async fn options(
    db: &Db,
    user: &SignedInUser,
    id: i64,
    locale: Locale,
) -> Result<SetupOptions, AppError> {
    let row = owned_row(db, user, id).await?;
    let action = SetupAction::for_status(row.status())
        .ok_or_else(|| AppError::from(Refusal::CantSetUpWhile(row.status())))?;
    let restricted_user_ids = account_setup::restricted_user_ids(db, id)
        .await
        .map_err(|e| internal("load restricted users", e))?;
    let users = users::list_by_company(db, user.company_id)
        .await
        .map_err(|e| internal("list users", e))?;
    let funnels = funnels::list_by_company(db, user.company_id)
        .await
        .map_err(|e| internal("list funnels", e))?;
    let (country, national_number) = row
        .phone
        .as_deref()
        .and_then(split_for_selector)
        .unwrap_or_else(|| (PREFERRED_COUNTRIES[0].to_string(), String::new()));
    // A freshly linked account has no name yet: offer the one its phone reported.
    let name = if row.name.trim().is_empty() {
        row.business_name.clone().unwrap_or_default()
    } else {
        row.name.clone()
    };
    let linked_phone = row
        .phone
        .as_deref()
        .filter(|_| action == SetupAction::Save)
        .map(format_international);
    Ok(SetupOptions {
        account_id: row.id,
        version: row.version,
        action,
        linked_phone,
        form: SetupForm {
            country,
            national_number,
            name,
            cellphone_user_id: row.cellphone_user_id,
            funnel_id: row.funnel_id,
            owner_user_id: row.owner_user_id,
            restricted_user_ids,
            send_read_receipts: row.send_read_receipts,
            import_history: row.import_history,
            duplicate_acknowledged: false,
        },
        countries: countries(locale).to_vec(),
        users: users
            .into_iter()
            .map(|u| Choice {
                id: u.id,
                name: u.display_name,
            })
            .collect(),
        funnels: funnels
            .into_iter()
            .map(|f| FunnelChoice {
                id: f.id,
                name: f.name,
                member_ids: f.member_ids,
            })
            .collect(),
    })
}

async fn used_by(
    db: &Db,
    company_id: i64,
    e164: &str,
    id: i64,
) -> Result<Option<String>, AppError> {
    let name = account_setup::phone_used_by(db, company_id, e164, id)
        .await
        .map_err(|e| internal("find duplicate phone", e))?;
    Ok(name.map(|n| {
        if n.trim().is_empty() {
            "another account".to_string()
        } else {
            n
        }
    }))
}

pub async fn check_phone(
    db: &Db,
    user: &SignedInUser,
    id: i64,
    country: &str,
    national_number: &str,
) -> Result<PhoneCheck, AppError> {
    owned_row(db, user, id).await?;
    Ok(match parse_national(country, national_number) {
        Ok(phone) => PhoneCheck::Valid {
            used_by: used_by(db, user.company_id, &phone.e164, id).await?,
            country: phone.country.filter(|c| c != country),
            e164: phone.e164,
            international: phone.international,
        },
        Err(message) => PhoneCheck::Invalid { message },
    })
}

/// The form checked against the company's people and funnels: the settings to store,
/// or every problem found.
async fn validate(
    db: &Db,
    user: &SignedInUser,
    row: &SetupRow,
    action: SetupAction,
    form: &SetupForm,
) -> Result<Result<(String, String), Vec<FieldError>>, AppError> {
    let id = row.id;
    let team: Vec<i64> = users::list_by_company(db, user.company_id)
        .await
        .map_err(|e| internal("list users", e))?
        .into_iter()
        .map(|u| u.id)
        .collect();
    let funnels = funnels::list_by_company(db, user.company_id)
        .await
        .map_err(|e| internal("list funnels", e))?;
    let mut errors = Vec::new();
    let mut problem = |field, problem| errors.push(FieldError::new(field, problem));

    // A Connected account's number is its phone's: whatever the form says, it stays.
    let linked = row.phone.clone().filter(|_| action == SetupAction::Save);
    let phone = match linked {
        Some(linked) => linked,
        None => match parse_national(&form.country, &form.national_number) {
            Ok(phone) => {
                if let Some(other) = used_by(db, user.company_id, &phone.e164, id).await? {
                    if !form.duplicate_acknowledged {
                        problem(SetupField::Phone, SetupProblem::PhoneUsedBy(other));
                    }
                }
                phone.e164
            }
            Err(_) => {
                problem(SetupField::Phone, SetupProblem::InvalidPhone);
                String::new()
            }
        },
    };
    let name = check_name(&form.name).unwrap_or_else(|name_problem| {
        problem(SetupField::Name, SetupProblem::Name(name_problem));
        String::new()
    });
    match form.cellphone_user_id {
        None => problem(
            SetupField::CellphoneUser,
            SetupProblem::CellphoneUserRequired,
        ),
        Some(u) if !team.contains(&u) => {
            problem(SetupField::CellphoneUser, SetupProblem::NotTeamMember)
        }
        Some(_) => {}
    }
    let funnel = form
        .funnel_id
        .and_then(|f| funnels.iter().find(|funnel| funnel.id == f));
    match (form.funnel_id, funnel) {
        (None, _) => problem(SetupField::Funnel, SetupProblem::FunnelRequired),
        (Some(_), None) => problem(SetupField::Funnel, SetupProblem::UnknownFunnel),
        _ => {}
    }
    if let Some(owner) = form.owner_user_id {
        if !team.contains(&owner) {
            problem(SetupField::Owner, SetupProblem::NotTeamMember);
        } else if let Some(funnel) = funnel.filter(|f| !f.member_ids.contains(&owner)) {
            let funnel = funnel.name.clone();
            problem(SetupField::Owner, SetupProblem::OwnerNotInFunnel(funnel));
        }
    }
    if form.restricted_user_ids.iter().any(|u| !team.contains(u)) {
        problem(SetupField::RestrictedUsers, SetupProblem::RestrictedNotTeam);
    }
    Ok(if errors.is_empty() {
        Ok((phone, name))
    } else {
        Err(errors)
    })
}

fn rejected(field: SetupField, problem: SetupProblem) -> Result<SetupOutcome, AppError> {
    Ok(SetupOutcome::Rejected(vec![FieldError::new(
        field, problem,
    )]))
}

/// Stores the wizard's result if every rule holds and nobody changed the account since
/// `version`; for a Disconnected account it then starts linking (the card shows the QR).
pub async fn save(
    db: &Db,
    manager: &SessionManager,
    user: &SignedInUser,
    id: i64,
    version: i64,
    action: SetupAction,
    form: SetupForm,
) -> Result<SetupOutcome, AppError> {
    let row = owned_row(db, user, id).await?;
    if row.status() != action.required_status() {
        return rejected(SetupField::Form, SetupProblem::NotNow(row.status()));
    }
    if row.version != version {
        return rejected(SetupField::Form, SetupProblem::Stale);
    }
    let (phone, name) = match validate(db, user, &row, action, &form).await? {
        Ok(valid) => valid,
        Err(errors) => return Ok(SetupOutcome::Rejected(errors)),
    };

    let restricted = visible_to(
        &form.restricted_user_ids,
        form.owner_user_id,
        form.cellphone_user_id,
    );
    let settings = Settings {
        phone: &phone,
        name: &name,
        cellphone_user_id: form.cellphone_user_id.unwrap_or_default(),
        funnel_id: form.funnel_id.unwrap_or_default(),
        owner_user_id: form.owner_user_id,
        restricted_user_ids: &restricted,
        send_read_receipts: form.send_read_receipts,
        import_history: form.import_history,
    };
    let saved = account_setup::save(
        db,
        user.company_id,
        id,
        version,
        action.required_status(),
        &settings,
        &initiator(user),
        now_ms(),
    )
    .await
    .map_err(|e| internal("save account settings", e))?;
    if saved == Saved::Stale {
        return rejected(SetupField::Form, SetupProblem::Stale);
    }
    manager.settings_changed(user.company_id, id);
    if action == SetupAction::Connect {
        manager
            .start_linking(user.company_id, id, Some(initiator(user)))
            .await
            .map_err(manager_error)?;
    }
    let view: AccountView = account_view(db, manager, user.company_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(SetupOutcome::Saved(view))
}

#[cfg(test)]
mod tests;
