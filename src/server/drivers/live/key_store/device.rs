//! Message secrets and the device itself.

use super::*;

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
