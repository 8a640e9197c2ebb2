//! App-state sync: keys, collection versions and mutation MACs.

use super::*;

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
