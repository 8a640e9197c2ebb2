//! The key-value rows behind the live driver's key store (`whatsapp_keys`), scoped by
//! account. Every store of whatsapp-rust maps onto a `kind`; see `key_store.rs`.

use crate::server::db::accounts::{Fence, FENCE_HOLDS_SHARED};
use crate::server::db::{on_pool, Db};

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
}

const COLUMNS: &str = "key, value, aux, flag, ts, ts2";

#[derive(Debug, Clone)]
pub struct KeyRows {
    db: Db,
    account: i64,
    /// In a cluster: the claim the session was connected under; every write checks it.
    fence: Option<Fence>,
}

impl KeyRows {
    pub fn new(db: Db, account: i64) -> Self {
        KeyRows {
            db,
            account,
            fence: None,
        }
    }

    /// Writes only while `fence` holds (PostgreSQL, several servers).
    pub fn fenced(self, fence: Option<Fence>) -> Self {
        KeyRows { fence, ..self }
    }

    pub async fn put(&self, kind: &str, rows: &[KeyRow<'_>]) -> Result<(), sqlx::Error> {
        if rows.is_empty() {
            return Ok(());
        }
        on_pool!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            check_fence!(self, tx);
            for row in rows {
                sqlx::query(
                    "INSERT INTO whatsapp_keys (account_id, kind, key, value, aux, flag, ts, ts2) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (account_id, kind, key) DO UPDATE SET \
                     value = excluded.value, aux = excluded.aux, flag = excluded.flag, ts = excluded.ts, ts2 = excluded.ts2",
                )
                .bind(self.account)
                .bind(kind)
                .bind(row.key)
                .bind(row.value)
                .bind(row.aux)
                .bind(row.flag)
                .bind(row.ts)
                .bind(row.ts2)
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
        on_pool!(&self.db, pool => sqlx::query_as(&sql).bind(self.account).bind(kind).bind(key).fetch_optional(pool).await)
    }

    /// Every row of the kind, ordered by key.
    pub async fn all(&self, kind: &str) -> Result<Vec<StoredRow>, sqlx::Error> {
        let sql = format!(
            "SELECT {COLUMNS} FROM whatsapp_keys WHERE account_id = $1 AND kind = $2 ORDER BY key"
        );
        on_pool!(&self.db, pool => sqlx::query_as(&sql).bind(self.account).bind(kind).fetch_all(pool).await)
    }

    /// Rows of the kind whose `aux` is `aux`, newest `ts` first.
    pub async fn by_aux(&self, kind: &str, aux: &str) -> Result<Vec<StoredRow>, sqlx::Error> {
        let sql = format!(
            "SELECT {COLUMNS} FROM whatsapp_keys WHERE account_id = $1 AND kind = $2 AND aux = $3 ORDER BY ts DESC, key"
        );
        on_pool!(&self.db, pool => sqlx::query_as(&sql).bind(self.account).bind(kind).bind(aux).fetch_all(pool).await)
    }

    /// The row of the kind with the highest `ts`.
    pub async fn newest(&self, kind: &str) -> Result<Option<StoredRow>, sqlx::Error> {
        let sql = format!(
            "SELECT {COLUMNS} FROM whatsapp_keys WHERE account_id = $1 AND kind = $2 ORDER BY ts DESC, key DESC LIMIT 1"
        );
        on_pool!(&self.db, pool => sqlx::query_as(&sql).bind(self.account).bind(kind).fetch_optional(pool).await)
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

    /// Deletes rows of the kind whose value is exactly `value`.
    pub async fn delete_by_value(&self, kind: &str, value: &[u8]) -> Result<u64, sqlx::Error> {
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

/// Removes every key of an account (Disconnect, Delete).
pub async fn wipe(db: &Db, account: i64) -> Result<(), sqlx::Error> {
    on_pool!(db, pool => sqlx::query("DELETE FROM whatsapp_keys WHERE account_id = $1")
        .bind(account)
        .execute(pool)
        .await
        .map(|_| ()))
}
