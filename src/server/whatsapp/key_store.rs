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

use super::key_rows::{KeyRow, KeyRows, StoredRow};
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
    pub const SENDER_KEY_DEVICE: &str = "sender_key_device";
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
        KeyStore {
            rows: KeyRows::new(db, account),
        }
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

#[async_trait]
impl SignalStore for KeyStore {
    async fn put_identity(&self, address: &str, key: [u8; 32]) -> Result<()> {
        self.put_plain(kind::IDENTITY, address, &key).await
    }

    async fn load_identity(&self, address: &str) -> Result<Option<[u8; 32]>> {
        match self.value(kind::IDENTITY, address).await? {
            Some(bytes) => bytes.try_into().map(Some).map_err(|b: Vec<u8>| {
                StoreError::Validation(format!("identity key of {} bytes", b.len()))
            }),
            None => Ok(None),
        }
    }

    async fn delete_identity(&self, address: &str) -> Result<()> {
        self.delete_one(kind::IDENTITY, address).await
    }

    async fn get_session(&self, address: &str) -> Result<Option<Bytes>> {
        Ok(self.value(kind::SESSION, address).await?.map(Bytes::from))
    }

    async fn put_session(&self, address: &str, session: &[u8]) -> Result<()> {
        self.put_plain(kind::SESSION, address, session).await
    }

    async fn put_sessions_batch(&self, sessions: &[(Arc<str>, Bytes)]) -> Result<()> {
        let rows: Vec<KeyRow> = sessions
            .iter()
            .map(|(address, session)| KeyRow {
                key: address,
                value: session,
                ..Default::default()
            })
            .collect();
        self.rows.put(kind::SESSION, &rows).await.map_err(db_error)
    }

    async fn delete_session(&self, address: &str) -> Result<()> {
        self.delete_one(kind::SESSION, address).await
    }

    async fn store_prekey(&self, id: u32, record: &[u8], uploaded: bool) -> Result<()> {
        let key = id_key(id);
        let row = KeyRow {
            key: &key,
            value: record,
            flag: uploaded,
            ts: Some(id as i64),
            ..Default::default()
        };
        self.put_one(kind::PREKEY, row).await
    }

    async fn store_prekeys_batch(&self, keys: &[(u32, Bytes)], uploaded: bool) -> Result<()> {
        let ids: Vec<String> = keys.iter().map(|(id, _)| id_key(*id)).collect();
        let rows: Vec<KeyRow> = keys
            .iter()
            .zip(&ids)
            .map(|((id, record), key)| KeyRow {
                key,
                value: record,
                flag: uploaded,
                ts: Some(*id as i64),
                ..Default::default()
            })
            .collect();
        self.rows.put(kind::PREKEY, &rows).await.map_err(db_error)
    }

    async fn load_prekey(&self, id: u32) -> Result<Option<Bytes>> {
        Ok(self
            .value(kind::PREKEY, &id_key(id))
            .await?
            .map(Bytes::from))
    }

    async fn mark_prekeys_uploaded(&self, ids: &[u32]) -> Result<()> {
        let keys: Vec<String> = ids.iter().map(|id| id_key(*id)).collect();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        self.rows
            .set_flag(kind::PREKEY, &keys, true)
            .await
            .map_err(db_error)
    }

    async fn remove_prekey(&self, id: u32) -> Result<()> {
        self.delete_one(kind::PREKEY, &id_key(id)).await
    }

    async fn get_max_prekey_id(&self) -> Result<u32> {
        let max = self.rows.max_ts(kind::PREKEY).await.map_err(db_error)?;
        Ok(max.unwrap_or(0).clamp(0, u32::MAX as i64) as u32)
    }

    async fn store_signed_prekey(&self, id: u32, record: &[u8]) -> Result<()> {
        let key = id_key(id);
        let row = KeyRow {
            key: &key,
            value: record,
            ts: Some(id as i64),
            ..Default::default()
        };
        self.put_one(kind::SIGNED_PREKEY, row).await
    }

    async fn load_signed_prekey(&self, id: u32) -> Result<Option<Vec<u8>>> {
        self.value(kind::SIGNED_PREKEY, &id_key(id)).await
    }

    async fn load_all_signed_prekeys(&self) -> Result<Vec<(u32, Vec<u8>)>> {
        let rows = self.rows.all(kind::SIGNED_PREKEY).await.map_err(db_error)?;
        Ok(rows
            .into_iter()
            .map(|r| (r.ts.unwrap_or(0) as u32, r.value))
            .collect())
    }

    async fn remove_signed_prekey(&self, id: u32) -> Result<()> {
        self.delete_one(kind::SIGNED_PREKEY, &id_key(id)).await
    }

    async fn put_sender_key(&self, address: &str, record: &[u8]) -> Result<()> {
        self.put_plain(kind::SENDER_KEY, address, record).await
    }

    async fn get_sender_key(&self, address: &str) -> Result<Option<Vec<u8>>> {
        self.value(kind::SENDER_KEY, address).await
    }

    async fn delete_sender_key(&self, address: &str) -> Result<()> {
        self.delete_one(kind::SENDER_KEY, address).await
    }
}

#[async_trait]
impl AppSyncStore for KeyStore {
    async fn get_sync_key(&self, key_id: &[u8]) -> Result<Option<AppStateSyncKey>> {
        self.value(kind::SYNC_KEY, &hex::encode(key_id))
            .await?
            .map(|bytes| decode(&bytes))
            .transpose()
    }

    async fn set_sync_key(&self, key_id: &[u8], key: AppStateSyncKey) -> Result<()> {
        let id = hex::encode(key_id);
        let value = encode(&key)?;
        let row = KeyRow {
            key: &id,
            value: &value,
            ts: Some(key.timestamp),
            ..Default::default()
        };
        self.put_one(kind::SYNC_KEY, row).await
    }

    async fn get_version(&self, name: &str) -> Result<HashState> {
        match self.value(kind::VERSION, name).await? {
            Some(bytes) => decode(&bytes),
            None => Ok(HashState::default()),
        }
    }

    async fn set_version(&self, name: &str, state: HashState) -> Result<()> {
        self.put_plain(kind::VERSION, name, &encode(&state)?).await
    }

    async fn put_mutation_macs(
        &self,
        name: &str,
        version: u64,
        mutations: &[AppStateMutationMAC],
    ) -> Result<()> {
        let keys: Vec<String> = mutations
            .iter()
            .map(|m| joined(&[name, &hex::encode(&m.index_mac)]))
            .collect();
        let rows: Vec<KeyRow> = mutations
            .iter()
            .zip(&keys)
            .map(|(m, key)| KeyRow {
                key,
                value: &m.value_mac,
                aux: Some(name),
                ts: Some(version as i64),
                ..Default::default()
            })
            .collect();
        self.rows
            .put(kind::MUTATION_MAC, &rows)
            .await
            .map_err(db_error)
    }

    async fn get_mutation_mac(&self, name: &str, index_mac: &[u8]) -> Result<Option<Vec<u8>>> {
        self.value(
            kind::MUTATION_MAC,
            &joined(&[name, &hex::encode(index_mac)]),
        )
        .await
    }

    async fn delete_mutation_macs(&self, name: &str, index_macs: &[Vec<u8>]) -> Result<()> {
        let keys: Vec<String> = index_macs
            .iter()
            .map(|mac| joined(&[name, &hex::encode(mac)]))
            .collect();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        self.rows
            .delete(kind::MUTATION_MAC, &keys)
            .await
            .map_err(db_error)
    }

    async fn clear_mutation_macs(&self, name: &str) -> Result<()> {
        self.rows
            .delete_by_aux(kind::MUTATION_MAC, Some(name))
            .await
            .map(drop)
            .map_err(db_error)
    }

    async fn get_latest_sync_key_id(&self) -> Result<Option<Vec<u8>>> {
        match self.rows.newest(kind::SYNC_KEY).await.map_err(db_error)? {
            Some(row) => hex::decode(&row.key)
                .map(Some)
                .map_err(|e| StoreError::Serialization(Box::new(e))),
            None => Ok(None),
        }
    }
}

fn lid_mapping(row: StoredRow) -> Result<LidPnMappingEntry> {
    decode(&row.value)
}

#[async_trait]
impl ProtocolStore for KeyStore {
    async fn get_sender_key_devices(&self, group_jid: &str) -> Result<Vec<(String, bool)>> {
        let rows = self
            .rows
            .by_aux(kind::SENDER_KEY_DEVICE, group_jid)
            .await
            .map_err(db_error)?;
        Ok(rows
            .into_iter()
            .map(|r| (String::from_utf8_lossy(&r.value).into_owned(), r.flag))
            .collect())
    }

    async fn set_sender_key_status(&self, group_jid: &str, entries: &[(&str, bool)]) -> Result<()> {
        let keys: Vec<String> = entries
            .iter()
            .map(|(device, _)| joined(&[group_jid, device]))
            .collect();
        let rows: Vec<KeyRow> = entries
            .iter()
            .zip(&keys)
            .map(|((device, has_key), key)| KeyRow {
                key,
                value: device.as_bytes(),
                aux: Some(group_jid),
                flag: *has_key,
                ts: Some(now_secs()),
                ..Default::default()
            })
            .collect();
        self.rows
            .put(kind::SENDER_KEY_DEVICE, &rows)
            .await
            .map_err(db_error)
    }

    async fn clear_sender_key_devices(&self, group_jid: &str) -> Result<()> {
        self.rows
            .delete_by_aux(kind::SENDER_KEY_DEVICE, Some(group_jid))
            .await
            .map(drop)
            .map_err(db_error)
    }

    async fn delete_sender_key_device_rows(&self, device_jids: &[&str]) -> Result<()> {
        for device in device_jids {
            self.rows
                .delete_by_value(kind::SENDER_KEY_DEVICE, device.as_bytes())
                .await
                .map_err(db_error)?;
        }
        Ok(())
    }

    async fn clear_all_sender_key_devices(&self) -> Result<()> {
        self.rows
            .delete_by_aux(kind::SENDER_KEY_DEVICE, None)
            .await
            .map(drop)
            .map_err(db_error)
    }

    async fn get_lid_mapping(&self, lid: &str) -> Result<Option<LidPnMappingEntry>> {
        self.value(kind::LID_MAPPING, lid)
            .await?
            .map(|bytes| decode(&bytes))
            .transpose()
    }

    async fn get_pn_mapping(&self, phone: &str) -> Result<Option<LidPnMappingEntry>> {
        let rows = self
            .rows
            .by_aux(kind::LID_MAPPING, phone)
            .await
            .map_err(db_error)?;
        rows.into_iter().next().map(lid_mapping).transpose()
    }

    async fn put_lid_mapping(&self, entry: &LidPnMappingEntry) -> Result<()> {
        let value = encode(entry)?;
        let row = KeyRow {
            key: &entry.lid,
            value: &value,
            aux: Some(&entry.phone_number),
            ts: Some(entry.updated_at),
            ..Default::default()
        };
        self.put_one(kind::LID_MAPPING, row).await
    }

    async fn get_all_lid_mappings(&self) -> Result<Vec<LidPnMappingEntry>> {
        let rows = self.rows.all(kind::LID_MAPPING).await.map_err(db_error)?;
        rows.into_iter().map(lid_mapping).collect()
    }

    async fn save_base_key(&self, address: &str, message_id: &str, base_key: &[u8]) -> Result<()> {
        self.put_plain(kind::BASE_KEY, &joined(&[address, message_id]), base_key)
            .await
    }

    async fn has_same_base_key(
        &self,
        address: &str,
        message_id: &str,
        current_base_key: &[u8],
    ) -> Result<bool> {
        let stored = self
            .value(kind::BASE_KEY, &joined(&[address, message_id]))
            .await?;
        Ok(stored.as_deref() == Some(current_base_key))
    }

    async fn delete_base_key(&self, address: &str, message_id: &str) -> Result<()> {
        self.delete_one(kind::BASE_KEY, &joined(&[address, message_id]))
            .await
    }

    async fn update_device_list(&self, record: DeviceListRecord) -> Result<()> {
        let value = encode(&record)?;
        self.put_plain(kind::DEVICE_LIST, &record.user, &value)
            .await
    }

    async fn get_devices(&self, user: &str) -> Result<Option<DeviceListRecord>> {
        self.value(kind::DEVICE_LIST, user)
            .await?
            .map(|bytes| decode(&bytes))
            .transpose()
    }

    async fn delete_devices(&self, user: &str) -> Result<()> {
        self.delete_one(kind::DEVICE_LIST, user).await
    }

    async fn get_tc_token(&self, jid: &str) -> Result<Option<TcTokenEntry>> {
        self.value(kind::TC_TOKEN, jid)
            .await?
            .map(|bytes| decode(&bytes))
            .transpose()
    }

    async fn put_tc_token(&self, jid: &str, entry: &TcTokenEntry) -> Result<()> {
        let value = encode(entry)?;
        let row = KeyRow {
            key: jid,
            value: &value,
            flag: entry.token.is_empty(),
            ts: Some(entry.token_timestamp),
            ts2: entry.sender_timestamp,
            ..Default::default()
        };
        self.put_one(kind::TC_TOKEN, row).await
    }

    async fn delete_tc_token(&self, jid: &str) -> Result<()> {
        self.delete_one(kind::TC_TOKEN, jid).await
    }

    async fn get_all_tc_token_jids(&self) -> Result<Vec<String>> {
        let rows = self.rows.all(kind::TC_TOKEN).await.map_err(db_error)?;
        Ok(rows.into_iter().map(|r| r.key).collect())
    }

    async fn delete_expired_tc_tokens(&self, token_cutoff: i64, sender_cutoff: i64) -> Result<u32> {
        self.rows
            .delete_stale_tokens(kind::TC_TOKEN, token_cutoff, sender_cutoff)
            .await
            .map(|n| n as u32)
            .map_err(db_error)
    }

    async fn store_sent_message(
        &self,
        chat_jid: &str,
        message_id: &str,
        payload: &[u8],
    ) -> Result<()> {
        let key = joined(&[chat_jid, message_id]);
        let row = KeyRow {
            key: &key,
            value: payload,
            ts: Some(now_secs()),
            ..Default::default()
        };
        self.put_one(kind::SENT_MESSAGE, row).await
    }

    async fn take_sent_message(&self, chat_jid: &str, message_id: &str) -> Result<Option<Vec<u8>>> {
        let key = joined(&[chat_jid, message_id]);
        let found = self.value(kind::SENT_MESSAGE, &key).await?;
        if found.is_some() {
            self.delete_one(kind::SENT_MESSAGE, &key).await?;
        }
        Ok(found)
    }

    async fn delete_expired_sent_messages(&self, cutoff_timestamp: i64) -> Result<u32> {
        self.rows
            .delete_before(kind::SENT_MESSAGE, cutoff_timestamp, false)
            .await
            .map(|n| n as u32)
            .map_err(db_error)
    }

    async fn store_pending_inbound(
        &self,
        chat: &str,
        sender: &str,
        id: &str,
        message: &[u8],
    ) -> Result<()> {
        let key = joined(&[chat, sender, id]);
        let row = KeyRow {
            key: &key,
            value: message,
            ts: Some(now_secs()),
            ..Default::default()
        };
        self.put_one(kind::PENDING_INBOUND, row).await
    }

    async fn get_pending_inbound(
        &self,
        chat: &str,
        sender: &str,
        id: &str,
    ) -> Result<Option<Vec<u8>>> {
        self.value(kind::PENDING_INBOUND, &joined(&[chat, sender, id]))
            .await
    }

    async fn delete_pending_inbound(&self, chat: &str, sender: &str, id: &str) -> Result<()> {
        self.delete_one(kind::PENDING_INBOUND, &joined(&[chat, sender, id]))
            .await
    }

    async fn delete_expired_pending_inbound(&self, cutoff_timestamp: i64) -> Result<u32> {
        self.rows
            .delete_before(kind::PENDING_INBOUND, cutoff_timestamp, false)
            .await
            .map(|n| n as u32)
            .map_err(db_error)
    }

    async fn store_pending_inbound_batch(&self, rows: &[PendingInboundRow<'_>]) -> Result<()> {
        let now = now_secs();
        let keys: Vec<String> = rows
            .iter()
            .map(|r| joined(&[r.chat, r.sender, r.id]))
            .collect();
        let rows: Vec<KeyRow> = rows
            .iter()
            .zip(&keys)
            .map(|(r, key)| KeyRow {
                key,
                value: r.message,
                ts: Some(now),
                ..Default::default()
            })
            .collect();
        self.rows
            .put(kind::PENDING_INBOUND, &rows)
            .await
            .map_err(db_error)
    }

    async fn delete_pending_inbound_batch(&self, keys: &[PendingInboundKey<'_>]) -> Result<()> {
        let keys: Vec<String> = keys
            .iter()
            .map(|k| joined(&[k.chat, k.sender, k.id]))
            .collect();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        self.rows
            .delete(kind::PENDING_INBOUND, &keys)
            .await
            .map_err(db_error)
    }
}

#[async_trait]
impl MsgSecretStore for KeyStore {
    async fn put_msg_secrets(&self, entries: Vec<MsgSecretEntry>) -> Result<usize> {
        let keys: Vec<String> = entries
            .iter()
            .map(|e| joined(&[&e.chat, &e.sender, &e.msg_id]))
            .collect();
        let rows: Vec<KeyRow> = entries
            .iter()
            .zip(&keys)
            .map(|(e, key)| KeyRow {
                key,
                value: &e.secret,
                ts: Some(e.expires_at),
                ts2: Some(e.message_ts),
                ..Default::default()
            })
            .collect();
        self.rows
            .put(kind::MSG_SECRET, &rows)
            .await
            .map_err(db_error)?;
        Ok(rows.len())
    }

    async fn get_msg_secret(
        &self,
        chat: &str,
        sender: &str,
        msg_id: &str,
    ) -> Result<Option<Vec<u8>>> {
        self.value(kind::MSG_SECRET, &joined(&[chat, sender, msg_id]))
            .await
    }

    async fn get_msg_secret_with_ts(
        &self,
        chat: &str,
        sender: &str,
        msg_id: &str,
    ) -> Result<Option<(Vec<u8>, i64)>> {
        let row = self
            .rows
            .get(kind::MSG_SECRET, &joined(&[chat, sender, msg_id]))
            .await
            .map_err(db_error)?;
        Ok(row.map(|r| (r.value, r.ts2.unwrap_or(0))))
    }

    async fn delete_expired_msg_secrets(&self, cutoff_timestamp: i64) -> Result<u32> {
        self.rows
            .delete_before(kind::MSG_SECRET, cutoff_timestamp, true)
            .await
            .map(|n| n as u32)
            .map_err(db_error)
    }
}

/// One device per account: its id is always 1.
const DEVICE_ID: i32 = 1;

#[async_trait]
impl DeviceStore for KeyStore {
    async fn save(&self, device: &Device) -> Result<()> {
        self.put_plain(kind::DEVICE, "device", &encode(device)?)
            .await
    }

    async fn load(&self) -> Result<Option<Device>> {
        self.value(kind::DEVICE, "device")
            .await?
            .map(|bytes| decode(&bytes))
            .transpose()
    }

    async fn exists(&self) -> Result<bool> {
        Ok(self.value(kind::DEVICE, "device").await?.is_some())
    }

    async fn create(&self) -> Result<i32> {
        if !self.exists().await? {
            self.save(&Device::new()).await?;
        }
        Ok(DEVICE_ID)
    }
}

#[cfg(test)]
#[path = "key_store_tests.rs"]
mod tests;
