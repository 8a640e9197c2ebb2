//! The key-value rows behind the live driver's key store (`whatsapp_keys`), scoped by
//! account. Every store of whatsapp-rust maps onto a `kind`; see `key_store.rs`. Values
//! are sealed when the server has a secret (`key_seal.rs`); writes land only while the
//! keys' epoch the session started under still holds (a wipe moves it).

use crate::server::db::accounts::{Fence, FENCE_HOLDS_SHARED};
use crate::server::db::key_seal::KeySeal;
use crate::server::db::{on_pool, Db};

/// The one kind stored unsealed: its values are device addresses (no secret), and the
/// library deletes its rows by value, which the database must be able to compare.
pub const ADDRESS_KIND: &str = "sender_key_device";

/// Why a write after a wipe was refused.
pub const WIPED: &str = "this account's keys were wiped since the session started";

/// Holds the account's keys epoch for the rest of the transaction, so a wipe waits for the
/// write or the write sees the wipe; answers a row only while the epoch is `$2`.
fn hold_epoch(db: &Db) -> &'static str {
    match db {
        Db::Postgres(_) => {
            "SELECT id FROM whatsapp_accounts WHERE id = $1 AND keys_epoch = $2 FOR SHARE"
        }
        // SQLite has one writer: taking the write lock first is the hold.
        Db::Sqlite(_) => {
            "UPDATE whatsapp_accounts SET keys_epoch = keys_epoch WHERE id = $1 AND keys_epoch = $2 RETURNING id"
        }
    }
}

/// In a transaction: ends the write with an error unless the rows' fence still holds (a
/// session connected under an older claim must not touch the keys its successor uses).
macro_rules! check_fence {
    ($rows:expr, $tx:expr) => {
        if let Some(fence) = &$rows.fence {
            let holds: Option<i64> = sqlx::query_scalar(FENCE_HOLDS_SHARED)
                .bind($rows.account)
                .bind(&fence.node)
                .bind(fence.epoch)
                .fetch_optional(&mut *$tx)
                .await?;
            if holds.is_none() {
                return Err(sqlx::Error::Protocol(NOT_OWNER.into()));
            }
        }
    };
}

/// One statement in a transaction of its own, behind the fence; answers the rows it touched.
/// `$query` is written once and built for whichever database the rows live in.
macro_rules! fenced_statement {
    ($rows:expr, $query:expr) => {
        on_pool!(&$rows.db, pool => {
            let mut tx = pool.begin().await?;
            check_fence!($rows, tx);
            let touched = $query.execute(&mut *tx).await?.rows_affected();
            tx.commit().await?;
            Ok(touched)
        })
    };
}

/// Why a fenced write was refused.
pub const NOT_OWNER: &str = "another server owns this account now";

/// One row as the key store writes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyRow<'a> {
    pub key: &'a str,
    pub value: &'a [u8],
    pub aux: Option<&'a str>,
    pub flag: bool,
    pub ts: Option<i64>,
    pub ts2: Option<i64>,
}

/// What a read gives back.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredRow {
    pub key: String,
    pub value: Vec<u8>,
    pub aux: Option<String>,
    pub flag: bool,
    pub ts: Option<i64>,
    pub ts2: Option<i64>,
    /// Stored sealed; a read answers it opened.
    pub sealed: bool,
}

const COLUMNS: &str = "key, value, aux, flag, ts, ts2, sealed";

#[derive(Debug, Clone)]
pub struct KeyRows {
    db: Db,
    account: i64,
    /// In a cluster: the claim the session was connected under; every write checks it.
    fence: Option<Fence>,
    /// The server's secret, when it has one: values are sealed with it.
    seal: Option<KeySeal>,
    /// The keys epoch the session started under; writes land only while it holds.
    epoch: Option<i64>,
}

impl KeyRows {
    pub fn new(db: Db, account: i64) -> Self {
        KeyRows {
            db,
            account,
            fence: None,
            seal: None,
            epoch: None,
        }
    }

    /// Writes only while `fence` holds (PostgreSQL, several servers).
    pub fn fenced(self, fence: Option<Fence>) -> Self {
        KeyRows { fence, ..self }
    }

    /// Values sealed with `seal` (when given).
    pub fn sealed(self, seal: Option<KeySeal>) -> Self {
        KeyRows { seal, ..self }
    }

    /// Writes only while the account's keys epoch is `epoch` (see [`epoch`]).
    pub fn at_epoch(self, epoch: i64) -> Self {
        KeyRows {
            epoch: Some(epoch),
            ..self
        }
    }

    fn seals(&self, kind: &str) -> Option<&KeySeal> {
        self.seal.as_ref().filter(|_| kind != ADDRESS_KIND)
    }

    /// Rows as the store wrote them: sealed values opened, or an error naming the cause.
    fn opened(&self, kind: &str, mut rows: Vec<StoredRow>) -> Result<Vec<StoredRow>, sqlx::Error> {
        for row in rows.iter_mut().filter(|r| r.sealed) {
            let seal = self.seal.as_ref().ok_or_else(|| {
                sqlx::Error::Protocol(
                    "the keys are sealed and AURORA_KEYS_SECRET is not set".into(),
                )
            })?;
            row.value = seal
                .open(self.account, kind, &row.key, &row.value)
                .map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
            row.sealed = false;
        }
        Ok(rows)
    }

    fn opened_one(
        &self,
        kind: &str,
        row: Option<StoredRow>,
    ) -> Result<Option<StoredRow>, sqlx::Error> {
        Ok(self.opened(kind, row.into_iter().collect())?.pop())
    }

    pub async fn put(&self, kind: &str, rows: &[KeyRow<'_>]) -> Result<(), sqlx::Error> {
        if rows.is_empty() {
            return Ok(());
        }
        let seal = self.seals(kind);
        on_pool!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            check_fence!(self, tx);
            if let Some(epoch) = self.epoch {
                let holds: Option<i64> = sqlx::query_scalar(hold_epoch(&self.db))
                    .bind(self.account)
                    .bind(epoch)
                    .fetch_optional(&mut *tx)
                    .await?;
                if holds.is_none() {
                    return Err(sqlx::Error::Protocol(WIPED.into()));
                }
            }
            for row in rows {
                let value = match seal {
                    Some(seal) => seal.seal(self.account, kind, row.key, row.value),
                    None => row.value.to_vec(),
                };
                sqlx::query(
                    "INSERT INTO whatsapp_keys (account_id, kind, key, value, aux, flag, ts, ts2, sealed) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (account_id, kind, key) DO UPDATE SET \
                     value = excluded.value, aux = excluded.aux, flag = excluded.flag, ts = excluded.ts, \
                     ts2 = excluded.ts2, sealed = excluded.sealed",
                )
                .bind(self.account)
                .bind(kind)
                .bind(row.key)
                .bind(value)
                .bind(row.aux)
                .bind(row.flag)
                .bind(row.ts)
                .bind(row.ts2)
                .bind(seal.is_some())
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    pub async fn get(&self, kind: &str, key: &str) -> Result<Option<StoredRow>, sqlx::Error> {
        let sql = format!(
            "SELECT {COLUMNS} FROM whatsapp_keys WHERE account_id = $1 AND kind = $2 AND key = $3"
        );
        let row = on_pool!(&self.db, pool => sqlx::query_as(&sql).bind(self.account).bind(kind).bind(key).fetch_optional(pool).await)?;
        self.opened_one(kind, row)
    }

    /// Every row of the kind, ordered by key.
    pub async fn all(&self, kind: &str) -> Result<Vec<StoredRow>, sqlx::Error> {
        let sql = format!(
            "SELECT {COLUMNS} FROM whatsapp_keys WHERE account_id = $1 AND kind = $2 ORDER BY key"
        );
        let rows = on_pool!(&self.db, pool => sqlx::query_as(&sql).bind(self.account).bind(kind).fetch_all(pool).await)?;
        self.opened(kind, rows)
    }

    /// Rows of the kind whose `aux` is `aux`, newest `ts` first.
    pub async fn by_aux(&self, kind: &str, aux: &str) -> Result<Vec<StoredRow>, sqlx::Error> {
        let sql = format!(
            "SELECT {COLUMNS} FROM whatsapp_keys WHERE account_id = $1 AND kind = $2 AND aux = $3 ORDER BY ts DESC, key"
        );
        let rows = on_pool!(&self.db, pool => sqlx::query_as(&sql).bind(self.account).bind(kind).bind(aux).fetch_all(pool).await)?;
        self.opened(kind, rows)
    }

    /// The row of the kind with the highest `ts`.
    pub async fn newest(&self, kind: &str) -> Result<Option<StoredRow>, sqlx::Error> {
        let sql = format!(
            "SELECT {COLUMNS} FROM whatsapp_keys WHERE account_id = $1 AND kind = $2 ORDER BY ts DESC, key DESC LIMIT 1"
        );
        let row = on_pool!(&self.db, pool => sqlx::query_as(&sql).bind(self.account).bind(kind).fetch_optional(pool).await)?;
        self.opened_one(kind, row)
    }

    pub async fn delete(&self, kind: &str, keys: &[&str]) -> Result<(), sqlx::Error> {
        on_pool!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            check_fence!(self, tx);
            for key in keys {
                sqlx::query("DELETE FROM whatsapp_keys WHERE account_id = $1 AND kind = $2 AND key = $3")
                    .bind(self.account)
                    .bind(kind)
                    .bind(key)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Deletes every row of the kind, or only those whose `aux` is given.
    pub async fn delete_by_aux(&self, kind: &str, aux: Option<&str>) -> Result<u64, sqlx::Error> {
        fenced_statement!(
            self,
            sqlx::query(
                "DELETE FROM whatsapp_keys WHERE account_id = $1 AND kind = $2 AND ($3 IS NULL OR aux = $3)",
            )
            .bind(self.account)
            .bind(kind)
            .bind(aux)
        )
    }

    /// Deletes rows of the kind whose value is exactly `value` (only [`ADDRESS_KIND`] is
    /// stored as written, so only its values compare).
    pub async fn delete_by_value(&self, kind: &str, value: &[u8]) -> Result<u64, sqlx::Error> {
        debug_assert!(self.seals(kind).is_none(), "{kind} values are sealed");
        fenced_statement!(
            self,
            sqlx::query(
                "DELETE FROM whatsapp_keys WHERE account_id = $1 AND kind = $2 AND value = $3",
            )
            .bind(self.account)
            .bind(kind)
            .bind(value)
        )
    }

    /// Deletes rows of the kind with `ts` before `cutoff` (0 in `ts` never expires when
    /// `zero_never` is set).
    pub async fn delete_before(
        &self,
        kind: &str,
        cutoff: i64,
        zero_never: bool,
    ) -> Result<u64, sqlx::Error> {
        fenced_statement!(
            self,
            sqlx::query(
                "DELETE FROM whatsapp_keys WHERE account_id = $1 AND kind = $2 AND ts < $3 AND NOT ($4 AND ts = 0)",
            )
            .bind(self.account)
            .bind(kind)
            .bind(cutoff)
            .bind(zero_never)
        )
    }

    /// Trusted-contact tokens: a row goes when its received token is empty or older than
    /// `token_cutoff` and its sender time is missing or older than `sender_cutoff`.
    pub async fn delete_stale_tokens(
        &self,
        kind: &str,
        token_cutoff: i64,
        sender_cutoff: i64,
    ) -> Result<u64, sqlx::Error> {
        fenced_statement!(
            self,
            sqlx::query(
                "DELETE FROM whatsapp_keys WHERE account_id = $1 AND kind = $2 \
                 AND (flag OR ts < $3) AND (ts2 IS NULL OR ts2 < $4)",
            )
            .bind(self.account)
            .bind(kind)
            .bind(token_cutoff)
            .bind(sender_cutoff)
        )
    }

    pub async fn set_flag(&self, kind: &str, keys: &[&str], flag: bool) -> Result<(), sqlx::Error> {
        on_pool!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            check_fence!(self, tx);
            for key in keys {
                sqlx::query("UPDATE whatsapp_keys SET flag = $4 WHERE account_id = $1 AND kind = $2 AND key = $3")
                    .bind(self.account)
                    .bind(kind)
                    .bind(key)
                    .bind(flag)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    pub async fn max_ts(&self, kind: &str) -> Result<Option<i64>, sqlx::Error> {
        on_pool!(&self.db, pool => sqlx::query_scalar(
            "SELECT MAX(ts) FROM whatsapp_keys WHERE account_id = $1 AND kind = $2",
        )
        .bind(self.account)
        .bind(kind)
        .fetch_one(pool)
        .await)
    }
}

/// Removes every key of an account (Disconnect, Delete, a new linking attempt) and moves
/// its keys epoch: a session started before can no longer write any back.
pub async fn wipe(db: &Db, account: i64) -> Result<(), sqlx::Error> {
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        sqlx::query("UPDATE whatsapp_accounts SET keys_epoch = keys_epoch + 1 WHERE id = $1")
            .bind(account)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM whatsapp_keys WHERE account_id = $1")
            .bind(account)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    })
}

/// The account's keys epoch now: a session opened after reading it writes under it.
pub async fn epoch(db: &Db, account: i64) -> Result<i64, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_scalar("SELECT keys_epoch FROM whatsapp_accounts WHERE id = $1")
        .bind(account)
        .fetch_optional(pool)
        .await)
    .map(|epoch| epoch.unwrap_or(0))
}

/// At start: checks the stored keys against the server's secret, and seals what was
/// written before the secret was set. Answers how many values it sealed; an error says
/// why the server must not start (sealed keys it cannot open would be lost).
pub async fn seal_at_start(db: &Db, seal: Option<&KeySeal>) -> Result<u64, String> {
    let failed = |e: sqlx::Error| format!("the key store could not be read: {e}");
    let sample: Option<(i64, String, String, Vec<u8>)> = on_pool!(db, pool => sqlx::query_as(
        "SELECT account_id, kind, key, value FROM whatsapp_keys WHERE sealed LIMIT 1",
    )
    .fetch_optional(pool)
    .await)
    .map_err(failed)?;
    let Some(seal) = seal else {
        return match sample {
            Some(_) => Err("the WhatsApp keys are sealed and AURORA_KEYS_SECRET is not set: set it to the secret they were sealed with".into()),
            None => Ok(0),
        };
    };
    if let Some((account, kind, key, value)) = sample {
        seal.open(account, &kind, &key, &value)
            .map_err(|e| format!("AURORA_KEYS_SECRET: {e}"))?;
    }
    let plain: Vec<(i64, String, String, Vec<u8>)> = on_pool!(db, pool => sqlx::query_as(
        "SELECT account_id, kind, key, value FROM whatsapp_keys WHERE NOT sealed AND kind <> $1",
    )
    .bind(ADDRESS_KIND)
    .fetch_all(pool)
    .await)
    .map_err(failed)?;
    let mut sealed = 0;
    for (account, kind, key, value) in plain {
        let value = seal.seal(account, &kind, &key, &value);
        sealed += on_pool!(db, pool => sqlx::query(
            "UPDATE whatsapp_keys SET value = $4, sealed = TRUE \
             WHERE account_id = $1 AND kind = $2 AND key = $3 AND NOT sealed",
        )
        .bind(account)
        .bind(&kind)
        .bind(&key)
        .bind(value)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))
        .map_err(failed)?;
    }
    Ok(sealed)
}

#[cfg(test)]
mod tests;
