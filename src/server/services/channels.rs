//! Channels of a company: the page's data and the actions on its cards. Ownership is
//! checked here (another company's account is "not found"); the session manager
//! checks the status transition and does the work.

use std::collections::HashMap;
use std::future::Future;

use tokio::time::Instant;

use super::internal;
use crate::domain::account::{AccountStatus, DisconnectReason};
use crate::error::AppError;
use crate::i18n::refusals::Refusal;
use crate::server::db::accounts::{self, AccountRow};
use crate::server::db::sign_ins::SignedInUser;
use crate::server::db::{companies, now_ms, Db};
use crate::server::services::phone::{format_international, parse_international};
use crate::server::sessions::manager::{
    Health, Initiator, LinkState, LiveState, ManagerError, SessionManager,
};
use crate::views::channels::{
    AccountView, ChannelsOverview, Disconnection, HealthView, LinkFailure, LinkView, PhoneMismatch,
    SessionDetails,
};

pub fn initiator(user: &SignedInUser) -> Initiator {
    Initiator {
        user_id: user.user_id,
        name: user.display_name.clone(),
        address: user.address.clone(),
    }
}

pub fn manager_error(error: ManagerError) -> AppError {
    match error {
        ManagerError::Refused(refused) => Refusal::NotNow(refused).into(),
        ManagerError::NotFound => AppError::NotFound,
        ManagerError::Driver(e) => AppError::Conflict(e.to_string()),
        ManagerError::ShuttingDown => Refusal::Restarting.into(),
        ManagerError::Database(e) => internal("session manager", e),
        ManagerError::LimitReached => Refusal::ChannelLimitReached.into(),
        ManagerError::NotConnected => Refusal::NotConnected.into(),
        ManagerError::MaybeSent => Refusal::MaybeSent.into(),
    }
}

fn health_view(live: &LiveState, now: Instant) -> Option<HealthView> {
    Some(match live.health.as_ref()? {
        Health::Online => HealthView::Online {
            last_activity_ms: live.last_activity_ms,
            reconnects: live.reconnects,
            unaccepted_since_ms: live.unaccepted_since_ms,
        },
        Health::Reconnecting {
            attempt,
            retry_at,
            reason,
        } => HealthView::Reconnecting {
            attempt: *attempt,
            retry_in_ms: retry_at.saturating_duration_since(now).as_millis() as u64,
            reason: reason.clone(),
        },
    })
}

/// Combines what is stored with what is live (QR, health) into one card.
pub fn to_view(
    row: AccountRow,
    restricted_users: Vec<String>,
    live: LiveState,
    revision: u64,
    now: Instant,
) -> AccountView {
    let status = row.status();
    let health = match status {
        AccountStatus::Connected => health_view(&live, now),
        _ => None,
    };
    let interrupted = status == AccountStatus::Connecting
        && row
            .disconnect_reason
            .as_deref()
            .and_then(DisconnectReason::parse)
            == Some(DisconnectReason::LinkingInterrupted);
    let link = match (status, live.link) {
        // The server showing the QR stopped: whatever was heard of its QR is over.
        _ if interrupted => Some(LinkView::Failed {
            failure: LinkFailure::Interrupted,
        }),
        (
            AccountStatus::Connecting,
            Some(LinkState::Showing {
                svg, expires_at, ..
            }),
        ) => Some(LinkView::Qr {
            svg,
            expires_in_ms: expires_at.saturating_duration_since(now).as_millis() as u64,
            pair_code: live.pair_code,
        }),
        (AccountStatus::Connecting, Some(LinkState::Failed { message })) => {
            Some(LinkView::Failed {
                failure: LinkFailure::parse(&message),
            })
        }
        (AccountStatus::Connecting, Some(LinkState::Expired)) => Some(LinkView::Expired),
        (AccountStatus::Connecting, Some(LinkState::Unreachable { message, retry_at })) => {
            Some(LinkView::Unreachable {
                message,
                retry_in_ms: retry_at.saturating_duration_since(now).as_millis() as u64,
            })
        }
        (AccountStatus::Connecting, Some(LinkState::Passkey { token, .. })) => {
            Some(LinkView::Passkey { handoff: token })
        }
        (
            AccountStatus::Connecting,
            Some(LinkState::PasskeyCode {
                code,
                confirm_on_phone,
            }),
        ) => Some(LinkView::PasskeyCode {
            code: confirm_on_phone.then_some(code),
        }),
        (AccountStatus::Connecting, None) => Some(LinkView::Waiting),
        _ => None,
    };
    let disconnection = match status {
        AccountStatus::Disconnected => row
            .disconnect_reason
            .as_deref()
            .and_then(DisconnectReason::parse)
            .map(|reason| Disconnection {
                reason,
                by: row
                    .disconnect_actor
                    .clone()
                    .filter(|_| reason == DisconnectReason::ByUser),
                banned_until_ms: row
                    .disconnect_until
                    .filter(|_| reason == DisconnectReason::Banned),
            }),
        _ => None,
    };
    let phone_mismatch = match (status, &row.phone, &row.linked_phone) {
        (AccountStatus::Connected, Some(configured), Some(linked)) if configured != linked => {
            Some(PhoneMismatch {
                linked: format_international(linked),
                configured: format_international(configured),
            })
        }
        _ => None,
    };
    let deleting_percent = match (status, row.deletion_done, row.deletion_total) {
        (AccountStatus::Deleting, Some(done), Some(total)) if total > 0 => {
            Some((done.clamp(0, total) * 100 / total) as u8)
        }
        (AccountStatus::Deleting, _, _) => Some(0),
        _ => None,
    };
    let client_outdated = live.client_outdated
        && matches!(status, AccountStatus::Connecting | AccountStatus::Connected);
    AccountView {
        id: row.id,
        revision,
        status,
        name: row.name,
        phone: row.phone.as_deref().map(format_international),
        phone_mismatch,
        business_name: row.business_name,
        cellphone_user: row.cellphone_user,
        funnel: row.funnel,
        owner: row.owner,
        restricted_users,
        disconnection,
        disconnected_at_ms: row.disconnected_at,
        health,
        link,
        deleting_percent,
        client_outdated,
        importing: live
            .importing
            .filter(|_| status == AccountStatus::Connected),
    }
}

/// The Channels page as `user` sees it: every card of their company, and whether they may
/// delete (global admins).
pub async fn overview(
    db: &Db,
    manager: &SessionManager,
    user: &SignedInUser,
) -> Result<ChannelsOverview, AppError> {
    let company_id = user.company_id;
    let company = companies::get(db, company_id)
        .await
        .map_err(|e| internal("load company", e))?
        .ok_or(AppError::NotFound)?;
    // Revisions first: every card's state is then at least as new as its revision.
    let revision_of = manager.revisions();
    let rows = accounts::list(db, company_id)
        .await
        .map_err(|e| internal("list accounts", e))?;
    let mut restricted: HashMap<i64, Vec<String>> = HashMap::new();
    for (account, name) in accounts::restricted_user_names(db, company_id)
        .await
        .map_err(|e| internal("list restricted users", e))?
    {
        restricted.entry(account).or_default().push(name);
    }
    let now = Instant::now();
    let accounts = rows
        .into_iter()
        .map(|row| {
            let revision = revision_of(row.id);
            let live = manager.live(row.id);
            let users = restricted.remove(&row.id).unwrap_or_default();
            to_view(row, users, live, revision, now)
        })
        .collect();
    Ok(ChannelsOverview {
        channel_limit: company.channel_limit,
        accounts,
        may_delete: user.global_admin,
        activity: super::activity::week_of_connected(db, company_id).await?,
    })
}

/// One card, or `None` when the account no longer exists (or is another company's).
pub async fn account_view(
    db: &Db,
    manager: &SessionManager,
    company_id: i64,
    id: i64,
) -> Result<Option<AccountView>, AppError> {
    let revision = manager.revision(id);
    let Some(row) = accounts::get(db, company_id, id)
        .await
        .map_err(|e| internal("load account", e))?
    else {
        return Ok(None);
    };
    let restricted = accounts::restricted_user_names(db, company_id)
        .await
        .map_err(|e| internal("list restricted users", e))?
        .into_iter()
        .filter(|(account, _)| *account == id)
        .map(|(_, name)| name)
        .collect();
    Ok(Some(to_view(
        row,
        restricted,
        manager.live(id),
        revision,
        Instant::now(),
    )))
}

async fn owned(
    db: &Db,
    manager: &SessionManager,
    user: &SignedInUser,
    id: i64,
) -> Result<AccountView, AppError> {
    account_view(db, manager, user.company_id, id)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn add(
    db: &Db,
    manager: &SessionManager,
    user: &SignedInUser,
) -> Result<AccountView, AppError> {
    let company = companies::get(db, user.company_id)
        .await
        .map_err(|e| internal("load company", e))?
        .ok_or(AppError::NotFound)?;
    let inserted = accounts::insert_within_limit(
        db,
        company.id,
        company.channel_limit,
        Some(&initiator(user)),
        now_ms(),
    )
    .await
    .map_err(|e| internal("add account", e))?;
    let Some(id) = inserted else {
        return Err(limit_reached(db, company.id, company.channel_limit).await);
    };
    // The history already says who added it; the first attempt is part of the Add.
    manager
        .start_linking(company.id, id, None)
        .await
        .map_err(manager_error)?;
    owned(db, manager, user, id).await
}

/// "Channel limit reached (3 of 3)": what Add and Enable answer at the plan's limit.
pub(super) async fn limit_reached(db: &Db, company_id: i64, limit: i64) -> AppError {
    match accounts::count_toward_limit(db, company_id).await {
        Ok(used) => Refusal::ChannelLimit { used, limit }.into(),
        Err(e) => internal("count accounts", e),
    }
}

/// Checks that the account is the user's company's (404 otherwise), lets the session
/// manager act on it, and returns the card as it is afterwards (`None`: it is gone).
pub(super) async fn act_on<Fut>(
    db: &Db,
    manager: &SessionManager,
    user: &SignedInUser,
    id: i64,
    action: impl FnOnce(Initiator) -> Fut,
) -> Result<Option<AccountView>, AppError>
where
    Fut: Future<Output = Result<(), AppError>>,
{
    owned(db, manager, user, id).await?;
    action(initiator(user)).await?;
    account_view(db, manager, user.company_id, id).await
}

pub async fn start_linking(
    db: &Db,
    manager: &SessionManager,
    user: &SignedInUser,
    id: i64,
) -> Result<AccountView, AppError> {
    let company = user.company_id;
    act_on(db, manager, user, id, |initiator| async move {
        manager
            .start_linking(company, id, Some(initiator))
            .await
            .map_err(manager_error)
    })
    .await?
    .ok_or(AppError::NotFound)
}

pub async fn cancel_linking(
    db: &Db,
    manager: &SessionManager,
    user: &SignedInUser,
    id: i64,
) -> Result<Option<AccountView>, AppError> {
    let company = user.company_id;
    act_on(db, manager, user, id, |initiator| async move {
        manager
            .cancel_linking(company, id, initiator)
            .await
            .map_err(manager_error)
    })
    .await
}

pub async fn request_pair_code(
    db: &Db,
    manager: &SessionManager,
    user: &SignedInUser,
    id: i64,
    phone: &str,
) -> Result<AccountView, AppError> {
    let company = user.company_id;
    act_on(db, manager, user, id, |_| async move {
        let phone = parse_international(phone).map_err(AppError::Invalid)?;
        manager
            .request_pair_code(company, id, phone)
            .await
            .map(drop)
            .map_err(manager_error)
    })
    .await?
    .ok_or(AppError::NotFound)
}

pub async fn disconnect(
    db: &Db,
    manager: &SessionManager,
    user: &SignedInUser,
    id: i64,
) -> Result<AccountView, AppError> {
    let company = user.company_id;
    act_on(db, manager, user, id, |initiator| async move {
        manager
            .disconnect(company, id, initiator)
            .await
            .map_err(manager_error)
    })
    .await?
    .ok_or(AppError::NotFound)
}

/// **Keep the new number**: the phone that scanned becomes the account's number.
pub async fn keep_linked_number(
    db: &Db,
    manager: &SessionManager,
    user: &SignedInUser,
    id: i64,
) -> Result<AccountView, AppError> {
    let company = user.company_id;
    act_on(db, manager, user, id, |initiator| async move {
        let adopted = accounts::adopt_linked_phone(db, company, id, &initiator, now_ms())
            .await
            .map_err(|e| internal("keep the linked number", e))?;
        if !adopted {
            return Err(Refusal::NumberAlreadyMatches.into());
        }
        manager.settings_changed(company, id);
        Ok(())
    })
    .await?
    .ok_or(AppError::NotFound)
}

/// **Unlink and scan again**: the wrong phone is logged out and a new QR is shown.
pub async fn relink(
    db: &Db,
    manager: &SessionManager,
    user: &SignedInUser,
    id: i64,
) -> Result<AccountView, AppError> {
    let company = user.company_id;
    act_on(db, manager, user, id, |initiator| async move {
        manager
            .disconnect(company, id, initiator.clone())
            .await
            .map_err(manager_error)?;
        manager
            .start_linking(company, id, Some(initiator))
            .await
            .map_err(manager_error)
    })
    .await?
    .ok_or(AppError::NotFound)
}

/// **Retry now** on a card that waits to reconnect (or to reach WhatsApp while linking).
pub async fn retry_now(
    db: &Db,
    manager: &SessionManager,
    user: &SignedInUser,
    id: i64,
) -> Result<AccountView, AppError> {
    let company = user.company_id;
    act_on(db, manager, user, id, |_| async move {
        match manager
            .retry_now(company, id)
            .await
            .map_err(manager_error)?
        {
            true => Ok(()),
            false => Err(Refusal::NotWaitingToReconnect.into()),
        }
    })
    .await?
    .ok_or(AppError::NotFound)
}

/// The session's own counters, for the details view of a Connected card.
pub async fn session_details(
    db: &Db,
    manager: &SessionManager,
    user: &SignedInUser,
    id: i64,
) -> Result<SessionDetails, AppError> {
    let view = owned(db, manager, user, id).await?;
    if view.status != AccountStatus::Connected {
        return Err(Refusal::DetailsWhileConnected.into());
    }
    let stats = manager
        .session_stats(user.company_id, id)
        .await
        .map_err(manager_error)?;
    let live = manager.live(id);
    Ok(SessionDetails {
        frames_received: stats.frames_received,
        frames_sent: stats.frames_sent,
        bytes_received: stats.bytes_received,
        bytes_sent: stats.bytes_sent,
        messages_received: stats.messages_received,
        messages_sent: stats.messages_sent,
        reconnects: stats.reconnects + u64::from(live.reconnects),
        last_activity_ms: (stats.last_activity_ms > 0).then_some(stats.last_activity_ms),
        retained_bytes: stats.retained_bytes,
        hourly: super::activity::day_of(db, id).await?,
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn row(status: &str) -> AccountRow {
        AccountRow {
            id: 7,
            company_id: 1,
            status: status.into(),
            name: String::new(),
            phone: Some("+525512345678".into()),
            linked_phone: Some("+525512345678".into()),
            business_name: Some("Tacos Ana".into()),
            ever_linked: true,
            disconnect_reason: Some("by_user".into()),
            disconnect_actor: Some("Ana Torres".into()),
            disconnected_at: Some(5),
            disconnect_until: None,
            cellphone_user: None,
            funnel: None,
            owner: None,
            deletion_done: None,
            deletion_total: None,
        }
    }

    #[test]
    fn a_starting_attempt_waits_and_an_ended_one_offers_a_new_code() {
        let now = Instant::now();
        let waiting = to_view(row("connecting"), vec![], LiveState::default(), 1, now);
        assert_eq!(waiting.link, Some(LinkView::Waiting));
        let expired = LiveState {
            link: Some(LinkState::Expired),
            ..Default::default()
        };
        assert_eq!(
            to_view(row("connecting"), vec![], expired, 2, now).link,
            Some(LinkView::Expired)
        );
    }

    #[test]
    fn an_interrupted_attempt_offers_a_new_code_over_any_qr_heard_before() {
        let now = Instant::now();
        let mut interrupted = row("connecting");
        interrupted.disconnect_reason = Some("linking_interrupted".into());
        let stale = LiveState {
            link: Some(LinkState::Showing {
                qr: "q".into(),
                svg: "<svg/>".into(),
                expires_at: now + Duration::from_secs(20),
            }),
            ..Default::default()
        };
        let view = to_view(interrupted.clone(), vec![], stale, 1, now);
        assert_eq!(
            view.link,
            Some(LinkView::Failed {
                failure: LinkFailure::Interrupted
            })
        );
        assert_eq!(view.status, AccountStatus::Connecting);
        // The same reason on a Disconnected card (written by older versions) is its message.
        interrupted.status = "disconnected".into();
        let view = to_view(interrupted, vec![], LiveState::default(), 2, now);
        assert_eq!(view.link, None);
        assert_eq!(
            view.disconnect_message().as_deref(),
            Some("Linking interrupted by a restart")
        );
    }

    #[test]
    fn a_showing_qr_carries_its_remaining_time_and_pair_code() {
        let now = Instant::now();
        let live = LiveState {
            link: Some(LinkState::Showing {
                qr: "q".into(),
                svg: "<svg/>".into(),
                expires_at: now + Duration::from_secs(20),
            }),
            pair_code: Some("ABCD1234".into()),
            ..Default::default()
        };
        let view = to_view(row("connecting"), vec![], live, 3, now);
        assert_eq!(
            view.link,
            Some(LinkView::Qr {
                svg: "<svg/>".into(),
                expires_in_ms: 20_000,
                pair_code: Some("ABCD1234".into())
            })
        );
        assert_eq!(view.revision, 3);
    }

    #[test]
    fn connected_cards_show_health_and_format_the_number() {
        let live = LiveState {
            health: Some(Health::Online),
            reconnects: 2,
            last_activity_ms: Some(1_795_569_600_000),
            ..Default::default()
        };
        let view = to_view(
            row("connected"),
            vec!["Ana Torres".into()],
            live,
            4,
            Instant::now(),
        );
        assert_eq!(
            view.health,
            Some(HealthView::Online {
                last_activity_ms: Some(1_795_569_600_000),
                reconnects: 2,
                unaccepted_since_ms: None,
            })
        );
        assert!(!view.client_outdated);
        let stalled = LiveState {
            health: Some(Health::Online),
            unaccepted_since_ms: Some(1_795_569_000_000),
            ..Default::default()
        };
        let stalled = to_view(row("connected"), vec![], stalled, 4, Instant::now());
        assert!(matches!(
            stalled.health,
            Some(HealthView::Online {
                unaccepted_since_ms: Some(1_795_569_000_000),
                ..
            })
        ));
        let refused = LiveState {
            client_outdated: true,
            ..Default::default()
        };
        let attempt = to_view(
            row("connecting"),
            vec![],
            refused.clone(),
            4,
            Instant::now(),
        );
        assert!(attempt.client_outdated, "a refused attempt says so");
        let off = to_view(row("disabled"), vec![], refused, 4, Instant::now());
        assert!(!off.client_outdated, "a disabled card makes no attempts");
        assert_eq!(view.phone.as_deref(), Some("+52 55 1234 5678"));
        assert_eq!(view.link, None);
        assert_eq!(
            view.disconnect_message(),
            None,
            "only disconnected cards give a reason"
        );
        assert_eq!(view.restricted_users, vec!["Ana Torres".to_string()]);
        assert_eq!(view.phone_mismatch, None);
        let now = Instant::now();
        let reconnecting = LiveState {
            health: Some(Health::Reconnecting {
                attempt: 3,
                retry_at: now + Duration::from_secs(8),
                reason: Some("DNS failed".into()),
            }),
            ..Default::default()
        };
        let view = to_view(row("connected"), vec![], reconnecting.clone(), 5, now);
        assert_eq!(
            view.health,
            Some(HealthView::Reconnecting {
                attempt: 3,
                retry_in_ms: 8_000,
                reason: Some("DNS failed".into())
            })
        );
        let disconnected = to_view(row("disconnected"), vec![], reconnecting, 6, now);
        assert_eq!(
            disconnected.health, None,
            "only connected cards have health"
        );
    }

    #[test]
    fn an_unreachable_attempt_says_when_it_retries() {
        let now = Instant::now();
        let live = LiveState {
            link: Some(LinkState::Unreachable {
                message: "no route".into(),
                retry_at: now + Duration::from_millis(2_500),
            }),
            ..Default::default()
        };
        assert_eq!(
            to_view(row("connecting"), vec![], live, 1, now).link,
            Some(LinkView::Unreachable {
                message: "no route".into(),
                retry_in_ms: 2_500
            })
        );
    }

    #[test]
    fn a_temporary_ban_says_until_when() {
        let mut banned = row("disconnected");
        banned.disconnect_reason = Some("banned_402".into());
        banned.disconnect_until = Some(1_795_569_600_000);
        let view = to_view(
            banned.clone(),
            vec![],
            LiveState::default(),
            1,
            Instant::now(),
        );
        assert_eq!(
            view.disconnect_message().as_deref(),
            Some("WhatsApp banned this number until 2026-11-25 01:20 UTC")
        );
        banned.disconnect_until = None;
        let view = to_view(banned, vec![], LiveState::default(), 1, Instant::now());
        assert_eq!(
            view.disconnect_message().as_deref(),
            Some("WhatsApp banned this number")
        );
    }

    #[test]
    fn a_phone_other_than_the_configured_one_is_pointed_out_while_connected() {
        let mut linked_elsewhere = row("connected");
        linked_elsewhere.linked_phone = Some("+573001234567".into());
        let view = to_view(
            linked_elsewhere.clone(),
            vec![],
            LiveState::default(),
            1,
            Instant::now(),
        );
        assert_eq!(
            view.phone_mismatch_message().as_deref(),
            Some(
                "Linked phone +57 300 1234567 differs from the configured number +52 55 1234 5678"
            )
        );
        linked_elsewhere.status = "disconnected".into();
        let view = to_view(
            linked_elsewhere,
            vec![],
            LiveState::default(),
            2,
            Instant::now(),
        );
        assert_eq!(view.phone_mismatch, None);
    }

    #[test]
    fn disconnected_cards_say_why_and_who() {
        let view = to_view(
            row("disconnected"),
            vec![],
            LiveState::default(),
            6,
            Instant::now(),
        );
        assert_eq!(
            view.disconnect_message().as_deref(),
            Some("Disconnected by Ana Torres")
        );
        assert_eq!(view.disconnected_at_ms, Some(5));
        assert_eq!(view.health, None);
    }
}
