//! Protocol bookkeeping: sender-key devices, LID mappings, base keys, device lists,
//! trusted-contact tokens, sent and pending messages.

use super::*;

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
