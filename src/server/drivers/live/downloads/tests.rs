//! What a hostile sender can put in a media message, and what a download then does.

use std::sync::atomic::AtomicUsize;

use whatsapp_rust::download::{DownloadUtils, MediaRoute};
use whatsapp_rust::waproto::whatsapp as wa;

use super::*;

fn image(direct_path: &str, static_url: Option<&str>, bytes: &[u8]) -> wa::message::ImageMessage {
    wa::message::ImageMessage {
        direct_path: Some(direct_path.into()),
        static_url: static_url.map(str::to_string),
        media_key: Some(vec![7; 32]),
        file_enc_sha256: Some(vec![1; 32]),
        file_sha256: Some(Sha256::digest(bytes).to_vec()),
        // The sender's claim, which nothing may trust.
        file_length: Some(10),
        ..Default::default()
    }
}

fn reference(bytes: &[u8]) -> MediaRef {
    MediaRef::checked(&image("/v/t62.7118-24/abc.enc?ccb=11-4", None, bytes)).unwrap()
}

fn limits(max_bytes: u64, timeout: Duration) -> MediaLimits {
    MediaLimits {
        concurrent: 2,
        max_bytes,
        timeout,
    }
}

#[test]
fn a_static_url_is_never_followed_and_the_address_is_built_on_whatsapps_hosts() {
    let message = image("/v/t62/abc.enc", Some("https://evil.example/steal"), b"x");
    assert_eq!(message.static_url(), Some("https://evil.example/steal"));
    let checked = MediaRef::checked(&message).unwrap();
    assert_eq!(checked.static_url(), None);
    assert_eq!(
        checked.file_length(),
        None,
        "the declared length is dropped"
    );
    // The library's own address builder, on its default route, with our reference.
    let requests =
        DownloadUtils::prepare_download_requests(&checked, &MediaRoute::default_hosts()).unwrap();
    assert!(!requests.is_empty());
    for request in requests {
        assert!(whatsapp_host(&request.url), "{}", request.url);
        assert!(request.url.contains("/v/t62/abc.enc"), "{}", request.url);
    }
}

#[test]
fn a_path_that_could_leave_the_media_host_is_refused() {
    for path in [
        "@evil.example/x",
        "//evil.example/x",
        "evil.example/x",
        "/v/../../x",
        "/v/x\\@evil.example",
        "/v/x#frag",
        "/v/x y",
        "",
    ] {
        let refused = MediaRef::checked(&image(path, None, b"x"));
        assert!(refused.is_err(), "{path:?} was accepted");
    }
    let mut no_hash = image("/v/t62/abc.enc", None, b"x");
    no_hash.file_sha256 = None;
    assert!(MediaRef::checked(&no_hash).is_err());
}

#[test]
fn only_https_on_whatsapps_domains_is_a_whatsapp_host() {
    for good in [
        "https://mmg.whatsapp.net/v/t62/abc",
        "https://media-bog1-1.cdn.whatsapp.net/v?x=1",
        "https://web.whatsapp.com/",
        "https://MMG.WhatsApp.Net:443/v",
    ] {
        assert!(whatsapp_host(good), "{good}");
    }
    for bad in [
        "http://mmg.whatsapp.net/v",
        "https://evil.example/v",
        "https://mmg.whatsapp.net.evil.example/v",
        "https://evilwhatsapp.net/v",
        "https://mmg.whatsapp.net@evil.example/v",
        "https://evil.example\\@mmg.whatsapp.net/v",
        "https://127.0.0.1/v",
        "file:///etc/passwd",
    ] {
        assert!(!whatsapp_host(bad), "{bad}");
    }
}

#[tokio::test]
async fn the_guarded_client_refuses_another_host_before_connecting() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!(
        "https://127.0.0.1:{}/x",
        listener.local_addr().unwrap().port()
    );
    let http = GuardedHttp::new(MediaLimits::default());
    let refused = http
        .execute(HttpRequest::get(url.clone()))
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("not one of WhatsApp's hosts"));
    let streaming = tokio::task::spawn_blocking(move || {
        GuardedHttp::new(MediaLimits::default())
            .execute_streaming(HttpRequest::get(url))
            .is_err()
    });
    assert!(streaming.await.unwrap());
    assert!(listener.accept().is_err(), "no connection was made");
}

/// Writes `bytes` into the sink in 8 KiB blocks, as the library's decrypting reader does.
struct Serves(Vec<u8>);

impl Fetch for Serves {
    fn fetch(
        &self,
        _media: MediaRef,
        mut sink: CappedWriter,
    ) -> BoxFuture<'static, Result<CappedWriter, String>> {
        let bytes = self.0.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                for block in bytes.chunks(8192) {
                    sink.write_all(block).map_err(|e| e.to_string())?;
                }
                Ok(sink)
            })
            .await
            .unwrap()
        })
    }
}

#[tokio::test]
async fn a_file_is_kept_when_it_matches_its_hash_whatever_length_was_declared() {
    let file = vec![42u8; 100_000];
    let downloads = Downloads::new(limits(1 << 20, Duration::from_secs(5)));
    let got = downloads
        .fetch(
            &Serves(file.clone()),
            reference(&file),
            &CancellationToken::new(),
        )
        .await;
    assert_eq!(got, Ok(file));
}

#[tokio::test]
async fn a_file_that_does_not_match_its_hash_is_refused() {
    let downloads = Downloads::new(limits(1 << 20, Duration::from_secs(5)));
    let got = downloads
        .fetch(
            &Serves(vec![1; 1000]),
            reference(b"another file"),
            &CancellationToken::new(),
        )
        .await;
    assert!(got.unwrap_err().contains("SHA-256"));
}

#[tokio::test]
async fn the_transfer_stops_at_the_cap_though_the_sender_declared_ten_bytes() {
    let file = vec![0u8; 3 << 20];
    let downloads = Downloads::new(limits(1 << 20, Duration::from_secs(5)));
    let got = downloads
        .fetch(
            &Serves(file.clone()),
            reference(&file),
            &CancellationToken::new(),
        )
        .await;
    assert!(got.unwrap_err().contains("larger than the media limit"));
}

/// A transfer that never ends on its own: writes a block every few milliseconds until
/// the sink refuses, then says so.
struct Endless {
    started: Arc<AtomicUsize>,
    stopped: Arc<AtomicUsize>,
}

impl Endless {
    fn new() -> Self {
        Endless {
            started: Arc::default(),
            stopped: Arc::default(),
        }
    }
}

impl Fetch for Endless {
    fn fetch(
        &self,
        _media: MediaRef,
        mut sink: CappedWriter,
    ) -> BoxFuture<'static, Result<CappedWriter, String>> {
        let (started, stopped) = (self.started.clone(), self.stopped.clone());
        Box::pin(async move {
            started.fetch_add(1, Ordering::SeqCst);
            tokio::task::spawn_blocking(move || {
                while sink.write_all(&[0; 16]).is_ok() {
                    std::thread::sleep(Duration::from_millis(5));
                }
                stopped.fetch_add(1, Ordering::SeqCst);
                Err::<CappedWriter, _>("the sink refused".to_string())
            })
            .await
            .unwrap()
        })
    }
}

async fn eventually(what: &str, check: impl Fn() -> bool) {
    for _ in 0..1000 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{what} did not happen within 10 s");
}

#[tokio::test]
async fn a_timed_out_download_stops_its_transfer_not_only_the_wait() {
    let fetcher = Endless::new();
    let downloads = Downloads::new(limits(1 << 30, Duration::from_millis(100)));
    let got = downloads
        .fetch(&fetcher, reference(b"x"), &CancellationToken::new())
        .await;
    assert_eq!(got, Err("the download timed out".into()));
    let stopped = fetcher.stopped.clone();
    eventually("the transfer stopping", || {
        stopped.load(Ordering::SeqCst) == 1
    })
    .await;
}

#[tokio::test]
async fn two_downloads_run_at_once_and_cancelling_stops_them_and_the_waiting_one() {
    let fetcher = Arc::new(Endless::new());
    let downloads = Downloads::new(limits(1 << 30, Duration::from_secs(60)));
    let cancel = CancellationToken::new();
    let mut running = Vec::new();
    for _ in 0..3 {
        let (downloads, fetcher, cancel) = (downloads.clone(), fetcher.clone(), cancel.clone());
        running.push(tokio::spawn(async move {
            downloads.fetch(&*fetcher, reference(b"x"), &cancel).await
        }));
    }
    let started = fetcher.started.clone();
    eventually("two downloads starting", || {
        started.load(Ordering::SeqCst) == 2
    })
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        fetcher.started.load(Ordering::SeqCst),
        2,
        "the third waits for a slot"
    );
    cancel.cancel();
    for download in running {
        assert_eq!(download.await.unwrap(), Err("cancelled".into()));
    }
    for _ in 0..1000 {
        if fetcher.stopped.load(Ordering::SeqCst) == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        (
            fetcher.started.load(Ordering::SeqCst),
            fetcher.stopped.load(Ordering::SeqCst)
        ),
        (2, 2),
        "(started, stopped) 10 s after the cancel"
    );
}

fn message(id: &str, text: &str) -> InboundMessage {
    InboundMessage {
        id: id.into(),
        from: "+573001234567".into(),
        name: "Lucía".into(),
        text: text.into(),
        sent_at_ms: 1,
        media: None,
    }
}

#[tokio::test]
async fn a_message_waiting_for_its_video_holds_nothing_else_up() {
    let fetcher = Arc::new(Endless::new());
    let downloads = Downloads::new(limits(1 << 30, Duration::from_secs(60)));
    let (events, mut received) = mpsc::channel(8);
    let ended = CancellationToken::new();
    downloads.deliver(
        fetcher.clone(),
        message("video", ""),
        PendingMedia {
            reference: Ok(reference(b"x")),
            filename: "video.mp4".into(),
            content_type: "video/mp4".into(),
        },
        events.clone(),
        ended.clone(),
    );
    // The download is under way...
    let started = fetcher.started.clone();
    eventually("the download starting", || {
        started.load(Ordering::SeqCst) == 1
    })
    .await;
    // ...and deliver has returned: the session goes on, and what it sends next arrives first.
    events
        .send(DriverEvent::Message(message("text", "Hola")))
        .await
        .unwrap();
    let first = tokio::time::timeout(Duration::from_secs(1), received.recv()).await;
    assert!(matches!(first, Ok(Some(DriverEvent::Message(m))) if m.id == "text"));
    // The session ends: its download stops and its message is never sent half-done.
    ended.cancel();
    let stopped = fetcher.stopped.clone();
    eventually("the transfer stopping", || {
        stopped.load(Ordering::SeqCst) == 1
    })
    .await;
    drop(events);
    let rest = tokio::time::timeout(Duration::from_secs(1), received.recv()).await;
    assert!(matches!(rest, Ok(None)), "nothing follows: {rest:?}");
}

#[tokio::test]
async fn a_refused_attachment_still_delivers_its_message_saying_so() {
    let downloads = Downloads::new(MediaLimits::default());
    let (events, mut received) = mpsc::channel(8);
    downloads.deliver(
        Arc::new(Serves(Vec::new())),
        message("doc", ""),
        PendingMedia {
            reference: MediaRef::checked(&image("@evil.example/x", None, b"x")),
            filename: "factura.pdf".into(),
            content_type: "application/pdf".into(),
        },
        events,
        CancellationToken::new(),
    );
    match received.recv().await {
        Some(DriverEvent::Message(m)) => {
            assert_eq!(m.text, "[factura.pdf could not be downloaded]");
            assert!(m.media.is_none());
        }
        other => panic!("expected the message, got {other:?}"),
    }
}

#[tokio::test]
async fn a_downloaded_attachment_travels_with_its_message() {
    let file = b"%PDF-1.7 ...".to_vec();
    let downloads = Downloads::new(MediaLimits::default());
    let (events, mut received) = mpsc::channel(8);
    downloads.deliver(
        Arc::new(Serves(file.clone())),
        message("doc", "Mi factura"),
        PendingMedia {
            reference: Ok(reference(&file)),
            filename: "factura.pdf".into(),
            content_type: "application/pdf".into(),
        },
        events,
        CancellationToken::new(),
    );
    match received.recv().await {
        Some(DriverEvent::Message(m)) => {
            let media = m.media.expect("the file");
            assert_eq!(
                (media.filename.as_str(), media.bytes),
                ("factura.pdf", file)
            );
            assert_eq!(m.text, "Mi factura");
        }
        other => panic!("expected the message, got {other:?}"),
    }
}
