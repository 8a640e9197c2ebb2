//! Inbound media from WhatsApp's CDN. Everything in a media message is the sender's word
//! (it is end-to-end encrypted, so WhatsApp never checks it): the URL, the path, the
//! declared length. So a download never follows a `static_url`, takes only a path on
//! WhatsApp's own hosts, stops at our byte cap whatever was declared, checks the SHA-256
//! the message names, and waits for one of a few server-wide slots. It runs beside the
//! session, never in its way: a reply goes out while a video downloads.

use std::io::{Cursor, Seek, SeekFrom, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, Semaphore};
use tokio_util::sync::CancellationToken;
use whatsapp_rust::download::{DownloadWriter, Downloadable, MediaType};
use whatsapp_rust::http::{HttpClient, HttpRequest, HttpResponse, UreqHttpClient};
use whatsapp_rust::wacore::net::StreamingHttpResponse;
use whatsapp_rust::{Client, ErrorChainExt};

use crate::server::drivers::driver::{DriverEvent, InboundMedia, InboundMessage};

/// How many downloads run at once on this server, how large one may be, how long it may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaLimits {
    pub concurrent: usize,
    pub max_bytes: u64,
    pub timeout: Duration,
}

impl Default for MediaLimits {
    fn default() -> Self {
        MediaLimits {
            concurrent: 2,
            max_bytes: 64 * 1024 * 1024,
            timeout: Duration::from_secs(60),
        }
    }
}

/// A media reference, copied out of the message and checked: the only thing a download
/// is given. It has no `static_url`, so the library always builds the address from its
/// own media hosts and this path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaRef {
    pub(super) direct_path: String,
    pub(super) media_key: Option<Vec<u8>>,
    pub(super) file_enc_sha256: Option<Vec<u8>>,
    pub(super) file_sha256: Vec<u8>,
    pub(super) kind: MediaType,
}

impl MediaRef {
    pub fn checked(source: &dyn Downloadable) -> Result<MediaRef, String> {
        let direct_path = source
            .direct_path()
            .filter(|path| safe_path(path))
            .ok_or("its media path is not a path on WhatsApp's media hosts")?;
        let file_sha256 = source
            .file_sha256()
            .filter(|hash| hash.len() == 32)
            .ok_or("it names no SHA-256 to check the file against")?;
        Ok(MediaRef {
            direct_path: direct_path.to_string(),
            media_key: source.media_key().map(<[u8]>::to_vec),
            file_enc_sha256: source.file_enc_sha256().map(<[u8]>::to_vec),
            file_sha256: file_sha256.to_vec(),
            kind: source.app_info(),
        })
    }

    /// A reference read back from storage, held to the same rules as one from a message.
    pub fn from_parts(
        direct_path: String,
        media_key: Option<Vec<u8>>,
        file_enc_sha256: Option<Vec<u8>>,
        file_sha256: Vec<u8>,
        kind: MediaType,
    ) -> Result<MediaRef, String> {
        MediaRef {
            direct_path: String::new(),
            media_key,
            file_enc_sha256,
            file_sha256,
            kind,
        }
        .at(direct_path)
        .and_then(|media| {
            (media.file_sha256.len() == 32)
                .then_some(media)
                .ok_or_else(|| "it names no SHA-256 to check the file against".to_string())
        })
    }

    /// The same file at another path (WhatsApp uploaded it again).
    pub fn at(self, direct_path: String) -> Result<MediaRef, String> {
        if !safe_path(&direct_path) {
            return Err("its media path is not a path on WhatsApp's media hosts".into());
        }
        Ok(MediaRef {
            direct_path,
            ..self
        })
    }
}

/// A path the library appends to `https://{host}`: it must start at the host's root and
/// hold nothing that could end the authority (`@`, `\`) or leave the path (`..`, `#`).
fn safe_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains("..")
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/-_.~%=&+?:,".contains(&b))
}

impl Downloadable for MediaRef {
    fn direct_path(&self) -> Option<&str> {
        Some(&self.direct_path)
    }
    fn media_key(&self) -> Option<&[u8]> {
        self.media_key.as_deref()
    }
    fn file_enc_sha256(&self) -> Option<&[u8]> {
        self.file_enc_sha256.as_deref()
    }
    fn file_sha256(&self) -> Option<&[u8]> {
        Some(&self.file_sha256)
    }
    /// Never the sender's: it would only size an allocation.
    fn file_length(&self) -> Option<u64> {
        None
    }
    fn app_info(&self) -> MediaType {
        self.kind
    }
}

/// Only `https` on WhatsApp's own domains; anything else is refused before a connection.
pub fn whatsapp_host(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains(['@', '\\']) {
        return false;
    }
    let host = authority
        .split(':')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    ["whatsapp.net", "whatsapp.com"]
        .iter()
        .any(|domain| host == *domain || host.ends_with(&format!(".{domain}")))
}

/// The library's HTTP client, limited to WhatsApp's hosts and to our byte cap.
pub struct GuardedHttp(UreqHttpClient);

impl GuardedHttp {
    pub fn new(limits: MediaLimits) -> Self {
        // Encrypted media carries a 10-byte MAC and up to 16 bytes of padding.
        GuardedHttp(UreqHttpClient::new().with_max_body_bytes(limits.max_bytes + 32))
    }
}

fn refuse(url: &str) -> whatsapp_rust::anyhow::Error {
    let host = url.split('/').nth(2).unwrap_or_default();
    whatsapp_rust::anyhow::anyhow!("refused: {host} is not one of WhatsApp's hosts")
}

#[whatsapp_rust::async_trait]
impl HttpClient for GuardedHttp {
    async fn execute(&self, request: HttpRequest) -> whatsapp_rust::anyhow::Result<HttpResponse> {
        if !whatsapp_host(&request.url) {
            return Err(refuse(&request.url));
        }
        self.0.execute(request).await
    }
    fn supports_streaming(&self) -> bool {
        true
    }
    fn execute_streaming(
        &self,
        request: HttpRequest,
    ) -> whatsapp_rust::anyhow::Result<StreamingHttpResponse> {
        if !whatsapp_host(&request.url) {
            return Err(refuse(&request.url));
        }
        self.0.execute_streaming(request)
    }
}

/// The sink of one download: refuses the byte past the cap (the transfer stops there,
/// whatever length the sender declared) and every byte once the download is cancelled.
pub struct CappedWriter {
    bytes: Cursor<Vec<u8>>,
    max_bytes: u64,
    cancelled: Arc<AtomicBool>,
}

impl CappedWriter {
    fn new(max_bytes: u64, cancelled: Arc<AtomicBool>) -> Self {
        CappedWriter {
            bytes: Cursor::new(Vec::new()),
            max_bytes,
            cancelled,
        }
    }
}

impl Write for CappedWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.cancelled.load(Ordering::Relaxed) {
            return Err(std::io::Error::other("the download was cancelled"));
        }
        if self.bytes.position() + buf.len() as u64 > self.max_bytes {
            return Err(std::io::Error::other("larger than the media limit"));
        }
        self.bytes.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Seek for CappedWriter {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        self.bytes.seek(pos)
    }
}

impl DownloadWriter for CappedWriter {
    fn truncate(&mut self, len: u64) -> std::io::Result<()> {
        self.bytes.truncate(len)
    }
}

/// What fetches a reference into a sink: the library client, or a stand-in in tests.
pub trait Fetch: Send + Sync + 'static {
    fn fetch(
        &self,
        media: MediaRef,
        sink: CappedWriter,
    ) -> BoxFuture<'static, Result<CappedWriter, String>>;
}

/// How a download's error begins when the CDN refused the reference itself (expired or
/// revoked): only then can asking the phone to upload the file again help.
pub const REJECTED: &str = "WhatsApp's media server no longer has the file at this address";

impl Fetch for Arc<Client> {
    fn fetch(
        &self,
        media: MediaRef,
        sink: CappedWriter,
    ) -> BoxFuture<'static, Result<CappedWriter, String>> {
        let client = self.clone();
        Box::pin(async move {
            client.download_to_writer(&media, sink).await.map_err(|e| {
                let cause: &(dyn std::error::Error + Send + Sync + 'static) = e.as_ref();
                match cause.http_status() {
                    // The CDN refused the path or its token: expired, not a network fault.
                    Some(401 | 403 | 404 | 410) => format!("{REJECTED} ({e})"),
                    _ => e.to_string(),
                }
            })
        })
    }
}

/// The server's download slots, shared by every live session.
#[derive(Clone)]
pub struct Downloads {
    slots: Arc<Semaphore>,
    limits: MediaLimits,
}

impl Downloads {
    pub fn new(limits: MediaLimits) -> Self {
        Downloads {
            slots: Arc::new(Semaphore::new(limits.concurrent.max(1))),
            limits,
        }
    }

    /// Waits for a slot, downloads, checks the hash. Cancelling (or the timeout) stops
    /// the transfer itself at its next block, not only the wait for it.
    pub async fn fetch(
        &self,
        fetcher: &dyn Fetch,
        media: MediaRef,
        cancel: &CancellationToken,
    ) -> Result<Vec<u8>, String> {
        // Biased toward the cancel: a slot freed by a cancelled download must not start a
        // waiting one that was cancelled at the same moment.
        let _slot = tokio::select! {
            biased;
            () = cancel.cancelled() => return Err("cancelled".into()),
            slot = self.slots.acquire() => slot.map_err(|_| "no download slots".to_string())?,
        };
        let stop = Arc::new(AtomicBool::new(false));
        let expected = media.file_sha256.clone();
        let sink = CappedWriter::new(self.limits.max_bytes, stop.clone());
        let outcome = tokio::select! {
            biased;
            () = cancel.cancelled() => Err("cancelled".into()),
            done = tokio::time::timeout(self.limits.timeout, fetcher.fetch(media, sink)) => {
                done.unwrap_or_else(|_| Err("the download timed out".into()))
            }
        };
        stop.store(true, Ordering::Relaxed);
        let bytes = outcome?.bytes.into_inner();
        // Hashing 64 MB takes a while: off the async threads.
        tokio::task::spawn_blocking(move || {
            if Sha256::digest(&bytes).as_slice() == expected.as_slice() {
                Ok(bytes)
            } else {
                Err("the file does not match the SHA-256 its message names".to_string())
            }
        })
        .await
        .map_err(|_| "the hash check failed".to_string())?
    }

    /// Downloads a message's attachment beside the session and sends the message on when
    /// it is done (without the file, and saying so, when it could not be fetched).
    /// Returns at once; nothing is sent once `cancel` fires (the session ended).
    pub fn deliver(
        &self,
        fetcher: Arc<dyn Fetch>,
        mut message: InboundMessage,
        media: PendingMedia,
        events: mpsc::Sender<DriverEvent>,
        cancel: CancellationToken,
    ) {
        let downloads = self.clone();
        tokio::spawn(async move {
            let bytes = match media.reference {
                Ok(reference) => downloads.fetch(&*fetcher, reference, &cancel).await,
                Err(reason) => Err(reason),
            };
            if cancel.is_cancelled() {
                return;
            }
            match bytes {
                Ok(bytes) => {
                    message.media = Some(InboundMedia {
                        filename: media.filename,
                        content_type: media.content_type,
                        bytes,
                    })
                }
                Err(reason) => {
                    tracing::warn!(id = %message.id, "media not downloaded: {reason}");
                    if message.text.is_empty() {
                        message.text = format!("[{} could not be downloaded]", media.filename);
                    }
                }
            }
            let _ = events.send(DriverEvent::Message(message)).await;
        });
    }
}

/// An attachment waiting for its download: the checked reference (or why it was refused)
/// and how the file will be named and typed.
pub struct PendingMedia {
    pub reference: Result<MediaRef, String>,
    pub filename: String,
    pub content_type: String,
}

#[cfg(test)]
mod tests;
