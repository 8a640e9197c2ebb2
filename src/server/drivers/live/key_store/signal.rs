//! Signal protocol state: identities, sessions, prekeys, sender keys.

use super::*;

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
