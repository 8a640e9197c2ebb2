//! What the setup wizard reads and writes of an account: its settings and their version.

use super::audit::{record_event, Initiator};
use super::{on_pool, Db};
use crate::domain::account::AccountStatus;

/// An account's settings with the ids the wizard's choices refer to.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SetupRow {
    pub id: i64,
    pub status: String,
    pub version: i64,
    pub name: String,
    pub phone: Option<String>,
    pub business_name: Option<String>,
    pub cellphone_user_id: Option<i64>,
    pub funnel_id: Option<i64>,
    pub owner_user_id: Option<i64>,
    pub send_read_receipts: bool,
    pub import_history: bool,
}

impl SetupRow {
    pub fn status(&self) -> AccountStatus {
        AccountStatus::parse(&self.status).unwrap_or(AccountStatus::Disconnected)
    }
}

const SETUP: &str =
    "SELECT id, status, version, name, phone, business_name, cellphone_user_id, funnel_id, \
     owner_user_id, send_read_receipts, import_history FROM whatsapp_accounts";

const RESTRICTED: &str =
    "SELECT user_id FROM account_restricted_users WHERE account_id = $1 ORDER BY user_id";

/// The account's settings if it belongs to `company_id`.
pub async fn setup_of(db: &Db, company_id: i64, id: i64) -> Result<Option<SetupRow>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_as(&format!("{SETUP} WHERE id = $1 AND company_id = $2"))
        .bind(id)
        .bind(company_id)
        .fetch_optional(pool)
        .await)
}

pub async fn restricted_user_ids(db: &Db, id: i64) -> Result<Vec<i64>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_scalar(RESTRICTED).bind(id).fetch_all(pool).await)
}

/// What a save changes, as the history names it: `phone`, `name`, `cellphone_user`,
/// `funnel`, `owner`, `visibility`, `read_receipts`, `history`.
pub fn changed_fields(
    before: &SetupRow,
    restricted_before: &[i64],
    after: &Settings<'_>,
) -> Vec<&'static str> {
    let mut restricted_after = after.restricted_user_ids.to_vec();
    restricted_after.sort_unstable();
    [
        ("phone", before.phone.as_deref() != Some(after.phone)),
        ("name", before.name != after.name),
        (
            "cellphone_user",
            before.cellphone_user_id != Some(after.cellphone_user_id),
        ),
        ("funnel", before.funnel_id != Some(after.funnel_id)),
        ("owner", before.owner_user_id != after.owner_user_id),
        (
            "visibility",
            restricted_before != restricted_after.as_slice(),
        ),
        (
            "read_receipts",
            before.send_read_receipts != after.send_read_receipts,
        ),
        ("history", before.import_history != after.import_history),
    ]
    .into_iter()
    .filter_map(|(field, changed)| changed.then_some(field))
    .collect()
}

/// The name of another account of the company (not being deleted) configured with
/// `phone`; its business name when it has no name yet.
pub async fn phone_used_by(
    db: &Db,
    company_id: i64,
    phone: &str,
    except_id: i64,
) -> Result<Option<String>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_scalar(
        "SELECT CASE WHEN name <> '' THEN name ELSE COALESCE(business_name, '') END \
         FROM whatsapp_accounts \
         WHERE company_id = $1 AND phone = $2 AND id <> $3 AND status <> 'deleting' \
         ORDER BY id LIMIT 1",
    )
    .bind(company_id)
    .bind(phone)
    .bind(except_id)
    .fetch_optional(pool)
    .await)
}

/// Validated settings, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings<'a> {
    pub phone: &'a str,
    pub name: &'a str,
    pub cellphone_user_id: i64,
    pub funnel_id: i64,
    pub owner_user_id: Option<i64>,
    pub restricted_user_ids: &'a [i64],
    pub send_read_receipts: bool,
    pub import_history: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Yes,
    /// The account is no longer at the expected version or status: nothing was written.
    Stale,
}

/// Stores the settings only if the account is still at `version` and in `status`, bumps
/// the version and records who did it, all in one transaction.
#[allow(clippy::too_many_arguments)]
pub async fn save(
    db: &Db,
    company_id: i64,
    id: i64,
    version: i64,
    status: AccountStatus,
    settings: &Settings<'_>,
    initiator: &Initiator,
    now: i64,
) -> Result<Saved, sqlx::Error> {
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        // A write first: on SQLite a transaction that reads and only then writes cannot wait
        // for another writer ("database is locked"); on PostgreSQL it locks the row read below.
        sqlx::query("UPDATE whatsapp_accounts SET version = version WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let before: Option<SetupRow> = sqlx::query_as(&format!("{SETUP} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let restricted_before: Vec<i64> = sqlx::query_scalar(RESTRICTED)
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
        let updated = sqlx::query(
            "UPDATE whatsapp_accounts SET phone = $5, name = $6, cellphone_user_id = $7, \
             funnel_id = $8, owner_user_id = $9, version = version + 1, updated_at = $10, \
             send_read_receipts = $11, import_history = $12 \
             WHERE id = $1 AND company_id = $2 AND version = $3 AND status = $4",
        )
        .bind(id)
        .bind(company_id)
        .bind(version)
        .bind(status.as_str())
        .bind(settings.phone)
        .bind(settings.name)
        .bind(settings.cellphone_user_id)
        .bind(settings.funnel_id)
        .bind(settings.owner_user_id)
        .bind(now)
        .bind(settings.send_read_receipts)
        .bind(settings.import_history)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            return Ok(Saved::Stale);
        }
        sqlx::query("DELETE FROM account_restricted_users WHERE account_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for user_id in settings.restricted_user_ids {
            sqlx::query("INSERT INTO account_restricted_users (account_id, user_id) VALUES ($1, $2)")
                .bind(id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        let changed = before
            .map(|before| changed_fields(&before, &restricted_before, settings).join(","));
        record_event!(tx, id, now, "settings_saved", None, Some(initiator), changed.as_deref());
        tx.commit().await?;
        Ok(Saved::Yes)
    })
}
