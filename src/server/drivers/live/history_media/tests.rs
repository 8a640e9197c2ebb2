//! A history file's reference survives the database, a tampered one is refused, and an
//! expired file is asked for again once.

use std::io::Write;
use std::sync::Mutex;
use std::time::Duration;

use sha2::{Digest, Sha256};
use whatsapp_rust::download::Downloadable;
use whatsapp_rust::waproto::whatsapp as wa;

use super::*;
use crate::server::drivers::live::downloads::{CappedWriter, MediaLimits};

fn part_of(image: &wa::message::ImageMessage) -> MediaPart<'_> {
    MediaPart {
        source: image,
        filename: "recibo.jpg".into(),
        content_type: "image/jpeg".into(),
    }
}

fn image(path: &str, bytes: &[u8]) -> wa::message::ImageMessage {
    wa::message::ImageMessage {
        direct_path: Some(path.into()),
        media_key: Some(vec![7; 32]),
        file_enc_sha256: Some(vec![1; 32]),
        file_sha256: Some(Sha256::digest(bytes).to_vec()),
        ..Default::default()
    }
}

fn origin() -> Origin {
    Origin {
        message_id: "3EB0H1".into(),
        chat: "573001110001@s.whatsapp.net".into(),
        from_me: false,
    }
}

#[test]
fn a_reference_comes_back_from_storage_as_it_went_in() {
    let message = image("/v/t62.7118-24/old.enc", b"photo");
    let media = history_media(&part_of(&message), origin(), Some(2_048)).unwrap();
    assert_eq!(media.filename, "recibo.jpg");
    assert_eq!(media.size_bytes, 2_048);
    let (back, from) = decode(&media.reference).unwrap();
    assert_eq!(back, MediaRef::checked(&message).unwrap());
    assert_eq!(back.direct_path(), Some("/v/t62.7118-24/old.enc"));
    assert_eq!(back.static_url(), None);
    assert_eq!(from, origin());
}

#[test]
fn a_reference_changed_in_the_database_is_refused_like_a_hostile_message() {
    let message = image("/v/t62.7118-24/old.enc", b"photo");
    let media = history_media(&part_of(&message), origin(), None).unwrap();
    let tampered = media
        .reference
        .replace("/v/t62.7118-24/old.enc", "@evil.example/x");
    assert!(decode(&tampered).unwrap_err().contains("media hosts"));
    let no_hash = media
        .reference
        .replace("\"sha256\":\"", "\"sha256\":\"AAAA");
    assert!(decode(&no_hash).is_err());
    assert!(decode("not json").is_err());
    // A message whose path is hostile is never stored as a reference at all.
    assert!(history_media(&part_of(&image("//evil.example/x", b"x")), origin(), None).is_err());
}

/// Serves `bytes` at `good` only; any other path is refused as expired.
struct Cdn {
    good: String,
    bytes: Vec<u8>,
    asked: Mutex<Vec<String>>,
}

impl Fetch for Arc<Cdn> {
    fn fetch(
        &self,
        media: MediaRef,
        mut sink: CappedWriter,
    ) -> BoxFuture<'static, Result<CappedWriter, String>> {
        let cdn = self.clone();
        Box::pin(async move {
            let path = media.direct_path().unwrap_or_default().to_string();
            cdn.asked.lock().unwrap().push(path.clone());
            if path != cdn.good {
                return Err(format!("{REJECTED} (410 Gone)"));
            }
            sink.write_all(&cdn.bytes).map_err(|e| e.to_string())?;
            Ok(sink)
        })
    }
}

/// The phone's answer to a re-upload request.
struct Phone(Result<String, String>, Mutex<Vec<Origin>>);

impl Reupload for Arc<Phone> {
    fn reupload(
        &self,
        origin: Origin,
        media_key: Vec<u8>,
    ) -> BoxFuture<'static, Result<String, String>> {
        assert_eq!(media_key, vec![7; 32]);
        self.1.lock().unwrap().push(origin);
        let answer = self.0.clone();
        Box::pin(async move { answer })
    }
}

fn downloads() -> Downloads {
    Downloads::new(MediaLimits {
        concurrent: 1,
        max_bytes: 1 << 20,
        timeout: Duration::from_secs(5),
    })
}

#[tokio::test]
async fn an_expired_file_is_uploaded_again_by_the_phone_and_then_downloaded() {
    let bytes = b"the receipt".to_vec();
    let reference = history_media(&part_of(&image("/v/t62/old.enc", &bytes)), origin(), None)
        .unwrap()
        .reference;
    let cdn = Arc::new(Cdn {
        good: "/v/t62/new.enc".into(),
        bytes: bytes.clone(),
        asked: Mutex::default(),
    });
    let phone = Arc::new(Phone(Ok("/v/t62/new.enc".into()), Mutex::default()));
    let cancel = CancellationToken::new();
    let got = fetch(&downloads(), &cdn, &phone, &reference, &cancel).await;
    assert_eq!(got.unwrap(), bytes);
    assert_eq!(
        *cdn.asked.lock().unwrap(),
        ["/v/t62/old.enc", "/v/t62/new.enc"]
    );
    assert_eq!(*phone.1.lock().unwrap(), [origin()]);
}

#[tokio::test]
async fn a_file_the_phone_cannot_upload_again_fails_with_the_phones_reason() {
    let reference = history_media(&part_of(&image("/v/t62/old.enc", b"x")), origin(), None)
        .unwrap()
        .reference;
    let cdn = Arc::new(Cdn {
        good: "/v/t62/new.enc".into(),
        bytes: b"x".to_vec(),
        asked: Mutex::default(),
    });
    let phone = Arc::new(Phone(
        Err("the phone no longer has this file".into()),
        Mutex::default(),
    ));
    let cancel = CancellationToken::new();
    let got = fetch(&downloads(), &cdn, &phone, &reference, &cancel).await;
    assert_eq!(got.unwrap_err(), "the phone no longer has this file");
    // A new path that is not on WhatsApp's hosts is refused before any connection.
    let hostile = Arc::new(Phone(Ok("@evil.example/x".into()), Mutex::default()));
    let got = fetch(&downloads(), &cdn, &hostile, &reference, &cancel).await;
    assert!(got.unwrap_err().contains("media hosts"));
    assert_eq!(
        cdn.asked.lock().unwrap().len(),
        2,
        "the hostile path was never fetched"
    );
}

#[tokio::test]
async fn a_file_that_does_not_match_its_hash_is_not_asked_for_again() {
    let reference = history_media(
        &part_of(&image("/v/t62/new.enc", b"what the message promised")),
        origin(),
        None,
    )
    .unwrap()
    .reference;
    let cdn = Arc::new(Cdn {
        good: "/v/t62/new.enc".into(),
        bytes: b"something else".to_vec(),
        asked: Mutex::default(),
    });
    let phone = Arc::new(Phone(Ok("/v/t62/other.enc".into()), Mutex::default()));
    let cancel = CancellationToken::new();
    let got = fetch(&downloads(), &cdn, &phone, &reference, &cancel).await;
    assert!(got.unwrap_err().contains("SHA-256"));
    assert!(phone.1.lock().unwrap().is_empty());
}
