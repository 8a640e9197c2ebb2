//! whatsapp-rust's storage traits over our database: one account's device keys and
//! protocol state, as rows of `whatsapp_keys` (see `key_rows.rs`). Works the same on
//! SQLite and PostgreSQL.

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Serialize;
use whatsapp_rust::wacore::appstate::hash::HashState;
use whatsapp_rust::wacore::appstate::processor::AppStateMutationMAC;
use whatsapp_rust::wacore::store::error::{Result, StoreError};
use whatsapp_rust::wacore::store::traits::{
    AppStateSyncKey, AppSyncStore, DeviceListRecord, DeviceStore, LidPnMappingEntry,
    MsgSecretEntry, MsgSecretStore, PendingInboundKey, PendingInboundRow, ProtocolStore,
    SignalStore, TcTokenEntry,
};
use whatsapp_rust::wacore::store::Device;

use crate::server::db::key_rows::{KeyRow, KeyRows, StoredRow};
use crate::server::db::Db;

/// Separates the parts of a composite key; it can't occur in JIDs or message ids.
const SEP: char = '\u{1f}';

fn db_error(error: sqlx::Error) -> StoreError {
    StoreError::Database(Box::new(error))
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| StoreError::Serialization(Box::new(e)))
}

fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Serialization(Box::new(e)))
}

fn joined(parts: &[&str]) -> String {
    parts.join(&SEP.to_string())
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Prekey ids as keys that sort in numeric order.
fn id_key(id: u32) -> String {
    format!("{id:010}")
}

mod kind {
    pub const IDENTITY: &str = "identity";
    pub const SESSION: &str = "session";
    pub const PREKEY: &str = "prekey";
    pub const SIGNED_PREKEY: &str = "signed_prekey";
    pub const SENDER_KEY: &str = "sender_key";
    pub const SYNC_KEY: &str = "sync_key";
    pub const VERSION: &str = "app_state_version";
    pub const MUTATION_MAC: &str = "mutation_mac";
    pub const SENDER_KEY_DEVICE: &str = crate::server::db::key_rows::ADDRESS_KIND;
    pub const LID_MAPPING: &str = "lid_mapping";
    pub const BASE_KEY: &str = "base_key";
    pub const DEVICE_LIST: &str = "device_list";
    pub const TC_TOKEN: &str = "tc_token";
    pub const SENT_MESSAGE: &str = "sent_message";
    pub const PENDING_INBOUND: &str = "pending_inbound";
    pub const MSG_SECRET: &str = "msg_secret";
    pub const DEVICE: &str = "device";
}

/// One account's keys. Cheap to clone; every clone writes the same rows.
#[derive(Debug, Clone)]
pub struct KeyStore {
    rows: KeyRows,
}

impl KeyStore {
    pub fn new(db: Db, account: i64) -> Self {
        Self::over(KeyRows::new(db, account))
    }

    /// A store over rows set up by the caller (fence, seal, epoch).
    pub fn over(rows: KeyRows) -> Self {
        KeyStore { rows }
    }

    async fn value(&self, kind: &str, key: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .rows
            .get(kind, key)
            .await
            .map_err(db_error)?
            .map(|r| r.value))
    }

    async fn put_one(&self, kind: &str, row: KeyRow<'_>) -> Result<()> {
        self.rows.put(kind, &[row]).await.map_err(db_error)
    }

    async fn put_plain(&self, kind: &str, key: &str, value: &[u8]) -> Result<()> {
        let row = KeyRow {
            key,
            value,
            ..Default::default()
        };
        self.put_one(kind, row).await
    }

    async fn delete_one(&self, kind: &str, key: &str) -> Result<()> {
        self.rows.delete(kind, &[key]).await.map_err(db_error)
    }
}

/// One device per account: its id is always 1.
const DEVICE_ID: i32 = 1;

mod app_sync;
mod device;
mod protocol;
mod signal;

#[cfg(test)]
mod tests;
