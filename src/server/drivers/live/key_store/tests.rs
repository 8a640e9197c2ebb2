//! The key store's contract, on SQLite and (with TEST_POSTGRES_URL) PostgreSQL: every
//! method round-trips, batch methods agree with single ones, and accounts never see or
//! lose each other's keys.

use serde_json::json;
use whatsapp_rust::wacore::store::traits::{Backend, DeviceInfo};

use super::*;
use crate::domain::account::DisconnectReason;
use crate::server::db::accounts::{self, Change};
use crate::server::db::key_rows::wipe;
use crate::server::db::{companies, testing::with_db};

fn assert_backend<B: Backend>(_: &B) {}

fn same<T: Serialize>(a: &T, b: &T) -> bool {
    serde_json::to_value(a).unwrap() == serde_json::to_value(b).unwrap()
}

async fn two_accounts(db: &Db) -> (i64, i64) {
    let company = companies::insert(db, "Keys", true, 10).await.unwrap();
    let a = accounts::insert_within_limit(db, company, 10, None, 1)
        .await
        .unwrap()
        .unwrap();
    let b = accounts::insert_within_limit(db, company, 10, None, 1)
        .await
        .unwrap()
        .unwrap();
    (a, b)
}

fn mapping(lid: &str, phone: &str, updated_at: i64) -> LidPnMappingEntry {
    serde_json::from_value(json!({
        "lid": lid, "phone_number": phone, "created_at": 1, "updated_at": updated_at,
        "learning_source": "usync"
    }))
    .unwrap()
}

#[tokio::test]
async fn signal_keys_round_trip_and_batches_match_single_writes() {
    with_db(|db| async move {
        let (a, _) = two_accounts(&db).await;
        let store = KeyStore::new(db.clone(), a);
        assert_backend(&store);

        store
            .put_identity("111@s.whatsapp.net", [7; 32])
            .await
            .unwrap();
        assert_eq!(
            store.load_identity("111@s.whatsapp.net").await.unwrap(),
            Some([7; 32])
        );
        store
            .put_identities_batch(&[(Arc::from("222.1"), [8; 32])])
            .await
            .unwrap();
        assert_eq!(store.load_identity("222.1").await.unwrap(), Some([8; 32]));
        store.delete_identity("111@s.whatsapp.net").await.unwrap();
        assert_eq!(
            store.load_identity("111@s.whatsapp.net").await.unwrap(),
            None
        );

        store.put_session("alice.0", b"one").await.unwrap();
        store
            .put_sessions_batch(&[(Arc::from("bob.0"), Bytes::from_static(b"two"))])
            .await
            .unwrap();
        assert_eq!(
            store.get_session("alice.0").await.unwrap().as_deref(),
            Some(&b"one"[..])
        );
        assert_eq!(
            store.get_session("bob.0").await.unwrap().as_deref(),
            Some(&b"two"[..])
        );
        assert!(store.has_session("bob.0").await.unwrap());
        store.put_session("alice.0", b"newer").await.unwrap();
        assert_eq!(
            store.get_session("alice.0").await.unwrap().as_deref(),
            Some(&b"newer"[..])
        );
        store.delete_session("alice.0").await.unwrap();
        assert!(!store.has_session("alice.0").await.unwrap());

        assert_eq!(store.get_max_prekey_id().await.unwrap(), 0);
        store.store_prekey(9, b"p9", false).await.unwrap();
        store
            .store_prekeys_batch(
                &[
                    (10, Bytes::from_static(b"p10")),
                    (100, Bytes::from_static(b"p100")),
                ],
                true,
            )
            .await
            .unwrap();
        assert_eq!(
            store.get_max_prekey_id().await.unwrap(),
            100,
            "numeric, not text, order"
        );
        assert_eq!(
            store.load_prekey(10).await.unwrap().as_deref(),
            Some(&b"p10"[..])
        );
        let loaded = store.load_prekeys_batch(&[9, 100, 55]).await.unwrap();
        let mut ids: Vec<u32> = loaded.iter().map(|(id, _)| *id).collect();
        ids.sort();
        assert_eq!(ids, vec![9, 100]);
        store.mark_prekeys_uploaded(&[9]).await.unwrap();
        let row = store
            .rows
            .get(kind::PREKEY, &id_key(9))
            .await
            .unwrap()
            .unwrap();
        assert!(row.flag, "marked uploaded");
        store.remove_prekey(9).await.unwrap();
        assert_eq!(store.load_prekey(9).await.unwrap(), None);

        store.store_signed_prekey(2, b"s2").await.unwrap();
        store.store_signed_prekey(1, b"s1").await.unwrap();
        assert_eq!(
            store.load_signed_prekey(2).await.unwrap(),
            Some(b"s2".to_vec())
        );
        assert_eq!(
            store.load_all_signed_prekeys().await.unwrap(),
            vec![(1, b"s1".to_vec()), (2, b"s2".to_vec())]
        );
        store.remove_signed_prekey(1).await.unwrap();
        assert_eq!(store.load_signed_prekey(1).await.unwrap(), None);

        store.put_sender_key("group:alice", b"sk").await.unwrap();
        store
            .put_sender_keys_batch(&[(Arc::from("group:bob"), Bytes::from_static(b"sk2"))])
            .await
            .unwrap();
        assert_eq!(
            store.get_sender_key("group:bob").await.unwrap(),
            Some(b"sk2".to_vec())
        );
        store.delete_sender_key("group:alice").await.unwrap();
        assert_eq!(store.get_sender_key("group:alice").await.unwrap(), None);
    })
    .await;
}

#[tokio::test]
async fn app_state_keys_versions_and_macs_round_trip() {
    with_db(|db| async move {
        let (a, _) = two_accounts(&db).await;
        let store = KeyStore::new(db.clone(), a);
        assert_eq!(store.get_latest_sync_key_id().await.unwrap(), None);
        for (id, ts) in [(&[1u8, 2][..], 50), (&[3u8][..], 90), (&[4u8][..], 70)] {
            let key = AppStateSyncKey {
                key_data: id.to_vec(),
                fingerprint: vec![9],
                timestamp: ts,
            };
            store.set_sync_key(id, key).await.unwrap();
        }
        let key = store.get_sync_key(&[1, 2]).await.unwrap().unwrap();
        assert_eq!((key.key_data, key.timestamp), (vec![1, 2], 50));
        assert_eq!(store.get_latest_sync_key_id().await.unwrap(), Some(vec![3]));

        let empty = store.get_version("regular").await.unwrap();
        assert!(same(&empty, &HashState::default()));
        let state = HashState {
            version: 12,
            ..Default::default()
        };
        store.set_version("regular", state.clone()).await.unwrap();
        assert!(same(&store.get_version("regular").await.unwrap(), &state));

        let macs: Vec<AppStateMutationMAC> = (0u8..3)
            .map(|n| AppStateMutationMAC {
                index_mac: vec![n; 32],
                value_mac: vec![n, n],
            })
            .collect();
        store.put_mutation_macs("regular", 12, &macs).await.unwrap();
        store
            .put_mutation_macs("critical", 1, &macs[..1])
            .await
            .unwrap();
        assert_eq!(
            store.get_mutation_mac("regular", &[1; 32]).await.unwrap(),
            Some(vec![1, 1])
        );
        let many = store
            .get_mutation_macs("regular", &[[0; 32], [2; 32], [9; 32]])
            .await
            .unwrap();
        assert_eq!(many.len(), 2);
        assert_eq!(many[&[2u8; 32]], vec![2, 2]);
        store
            .delete_mutation_macs("regular", &[vec![0; 32]])
            .await
            .unwrap();
        assert_eq!(
            store.get_mutation_mac("regular", &[0; 32]).await.unwrap(),
            None
        );
        store.clear_mutation_macs("regular").await.unwrap();
        assert_eq!(
            store.get_mutation_mac("regular", &[2; 32]).await.unwrap(),
            None
        );
        assert_eq!(
            store.get_mutation_mac("critical", &[0; 32]).await.unwrap(),
            Some(vec![0, 0]),
            "clearing one collection leaves the others"
        );
    })
    .await;
}

#[tokio::test]
async fn protocol_state_round_trips_and_expires() {
    with_db(|db| async move {
        let (a, _) = two_accounts(&db).await;
        let store = KeyStore::new(db.clone(), a);

        store
            .set_sender_key_status("g1", &[("d1", true), ("d2", false)])
            .await
            .unwrap();
        store
            .set_sender_key_status("g2", &[("d1", true)])
            .await
            .unwrap();
        let mut g1 = store.get_sender_key_devices("g1").await.unwrap();
        g1.sort();
        assert_eq!(
            g1,
            vec![("d1".to_string(), true), ("d2".to_string(), false)]
        );
        store.delete_sender_key_device_rows(&["d1"]).await.unwrap();
        assert_eq!(
            store.get_sender_key_devices("g1").await.unwrap(),
            vec![("d2".into(), false)]
        );
        assert!(store.get_sender_key_devices("g2").await.unwrap().is_empty());
        store.clear_sender_key_devices("g1").await.unwrap();
        assert!(store.get_sender_key_devices("g1").await.unwrap().is_empty());
        store
            .set_sender_key_status("g3", &[("d9", true)])
            .await
            .unwrap();
        store.clear_all_sender_key_devices().await.unwrap();
        assert!(store.get_sender_key_devices("g3").await.unwrap().is_empty());

        store
            .put_lid_mapping(&mapping("100", "5215512345678", 5))
            .await
            .unwrap();
        store
            .put_lid_mappings(&[
                mapping("200", "573001234567", 6),
                mapping("100", "5215512345678", 9),
            ])
            .await
            .unwrap();
        assert_eq!(
            store
                .get_lid_mapping("100")
                .await
                .unwrap()
                .unwrap()
                .updated_at,
            9
        );
        assert_eq!(
            store
                .get_pn_mapping("573001234567")
                .await
                .unwrap()
                .unwrap()
                .lid,
            "200"
        );
        assert!(store.get_pn_mapping("999").await.unwrap().is_none());
        assert_eq!(store.get_all_lid_mappings().await.unwrap().len(), 2);

        store.save_base_key("alice.0", "m1", b"base").await.unwrap();
        assert!(store
            .has_same_base_key("alice.0", "m1", b"base")
            .await
            .unwrap());
        assert!(!store
            .has_same_base_key("alice.0", "m1", b"other")
            .await
            .unwrap());
        store.delete_base_key("alice.0", "m1").await.unwrap();
        assert!(!store
            .has_same_base_key("alice.0", "m1", b"base")
            .await
            .unwrap());

        let record = DeviceListRecord {
            user: "5215512345678".into(),
            devices: vec![DeviceInfo::new(0, None), DeviceInfo::new(3, Some(2))],
            timestamp: 77,
            phash: Some("h".into()),
            raw_id: None,
        };
        store
            .update_device_lists(vec![record.clone()])
            .await
            .unwrap();
        let loaded = store.get_devices("5215512345678").await.unwrap().unwrap();
        assert!(same(&loaded, &record));
        store.delete_devices("5215512345678").await.unwrap();
        assert!(store.get_devices("5215512345678").await.unwrap().is_none());

        let token = |token: &[u8], at: i64, sender: Option<i64>| TcTokenEntry {
            token: token.to_vec(),
            token_timestamp: at,
            sender_timestamp: sender,
        };
        store
            .put_tc_token("old", &token(b"t", 10, None))
            .await
            .unwrap();
        store
            .put_tc_token("old-but-sent", &token(b"t", 10, Some(500)))
            .await
            .unwrap();
        store
            .put_tc_token("fresh", &token(b"t", 900, None))
            .await
            .unwrap();
        store
            .put_tc_token("empty", &token(b"", 900, None))
            .await
            .unwrap();
        assert_eq!(
            store
                .get_tc_token("fresh")
                .await
                .unwrap()
                .unwrap()
                .token_timestamp,
            900
        );
        assert_eq!(store.delete_expired_tc_tokens(100, 100).await.unwrap(), 2);
        let mut left = store.get_all_tc_token_jids().await.unwrap();
        left.sort();
        assert_eq!(left, vec!["fresh", "old-but-sent"]);
        store.delete_tc_token("fresh").await.unwrap();
        assert!(store.get_tc_token("fresh").await.unwrap().is_none());

        store
            .store_sent_message("chat", "m1", b"payload")
            .await
            .unwrap();
        assert_eq!(
            store.take_sent_message("chat", "m1").await.unwrap(),
            Some(b"payload".to_vec())
        );
        assert_eq!(
            store.take_sent_message("chat", "m1").await.unwrap(),
            None,
            "taken once"
        );
        store.store_sent_message("chat", "m2", b"p").await.unwrap();
        assert_eq!(
            store
                .delete_expired_sent_messages(now_secs() + 10)
                .await
                .unwrap(),
            1
        );

        store
            .store_pending_inbound("c", "s", "i1", b"raw")
            .await
            .unwrap();
        store
            .store_pending_inbound_batch(&[PendingInboundRow {
                chat: "c",
                sender: "s",
                id: "i2",
                message: b"raw2",
            }])
            .await
            .unwrap();
        assert_eq!(
            store.get_pending_inbound("c", "s", "i2").await.unwrap(),
            Some(b"raw2".to_vec())
        );
        store.delete_pending_inbound("c", "s", "i1").await.unwrap();
        assert_eq!(
            store.get_pending_inbound("c", "s", "i1").await.unwrap(),
            None
        );
        store
            .delete_pending_inbound_batch(&[PendingInboundKey {
                chat: "c",
                sender: "s",
                id: "i2",
            }])
            .await
            .unwrap();
        assert_eq!(
            store.get_pending_inbound("c", "s", "i2").await.unwrap(),
            None
        );
        store
            .store_pending_inbound("c", "s", "i3", b"raw")
            .await
            .unwrap();
        assert_eq!(
            store
                .delete_expired_pending_inbound(now_secs() + 10)
                .await
                .unwrap(),
            1
        );
    })
    .await;
}

#[tokio::test]
async fn message_secrets_and_the_device_round_trip() {
    with_db(|db| async move {
        let (a, _) = two_accounts(&db).await;
        let store = KeyStore::new(db.clone(), a);
        let entry = |id: &str, expires_at: i64| MsgSecretEntry {
            chat: Arc::from("chat"),
            sender: Arc::from("me"),
            msg_id: Arc::from(id),
            secret: [5; 32],
            expires_at,
            message_ts: 1234,
        };
        assert_eq!(
            store
                .put_msg_secrets(vec![entry("a", 0), entry("b", 10)])
                .await
                .unwrap(),
            2
        );
        store
            .put_msg_secret("chat", "me", "c", &[6; 32])
            .await
            .unwrap();
        assert_eq!(
            store.get_msg_secret("chat", "me", "a").await.unwrap(),
            Some(vec![5; 32])
        );
        assert_eq!(
            store
                .get_msg_secret_with_ts("chat", "me", "b")
                .await
                .unwrap(),
            Some((vec![5; 32], 1234))
        );
        assert_eq!(
            store.delete_expired_msg_secrets(100).await.unwrap(),
            1,
            "0 never expires"
        );
        assert!(store
            .get_msg_secret("chat", "me", "a")
            .await
            .unwrap()
            .is_some());
        assert!(store
            .get_msg_secret("chat", "me", "b")
            .await
            .unwrap()
            .is_none());

        assert!(!store.exists().await.unwrap());
        assert!(store.load().await.unwrap().is_none());
        assert_eq!(store.create().await.unwrap(), DEVICE_ID);
        let device = store.load().await.unwrap().unwrap();
        assert_eq!(
            store.create().await.unwrap(),
            DEVICE_ID,
            "create keeps an existing device"
        );
        assert!(
            same(&store.load().await.unwrap().unwrap(), &device),
            "the keys survive a reload"
        );
        let mut renamed = device.clone();
        renamed.push_name = "Tacos Ana".into();
        store.save(&renamed).await.unwrap();
        assert_eq!(store.load().await.unwrap().unwrap().push_name, "Tacos Ana");
    })
    .await;
}

#[tokio::test]
async fn accounts_keep_their_own_keys_and_disconnect_and_delete_wipe_them() {
    with_db(|db| async move {
        let (a, b) = two_accounts(&db).await;
        let (store_a, store_b) = (KeyStore::new(db.clone(), a), KeyStore::new(db.clone(), b));
        for (store, value) in [(&store_a, b"A"), (&store_b, b"B")] {
            store.put_session("peer.0", value).await.unwrap();
            store.create().await.unwrap();
        }
        assert_eq!(
            store_a.get_session("peer.0").await.unwrap().as_deref(),
            Some(&b"A"[..])
        );
        assert_eq!(
            store_b.get_session("peer.0").await.unwrap().as_deref(),
            Some(&b"B"[..])
        );

        wipe(&db, a).await.unwrap();
        assert!(store_a.get_session("peer.0").await.unwrap().is_none());
        assert!(!store_a.exists().await.unwrap());
        assert!(
            store_b.exists().await.unwrap(),
            "another account's keys stay"
        );

        // Disconnect wipes the keys with the status change.
        store_b.put_session("peer.1", b"B1").await.unwrap();
        let linked = Change::Connected {
            phone: "+525512345678",
            business_name: "B",
            credentials: "k",
        };
        accounts::apply(&db, b, linked, None, 2).await.unwrap();
        let gone = Change::Disconnected {
            reason: DisconnectReason::ByUser,
            initiator_name: Some("Ana"),
            until_ms: None,
        };
        accounts::apply(&db, b, gone, None, 3).await.unwrap();
        assert!(!store_b.exists().await.unwrap());
        assert!(store_b.get_session("peer.1").await.unwrap().is_none());

        // Removing the account (the last step of a Delete) takes its keys with it.
        store_a.put_session("peer.2", b"A2").await.unwrap();
        accounts::remove(&db, a).await.unwrap();
        assert!(store_a.get_session("peer.2").await.unwrap().is_none());
    })
    .await;
}
