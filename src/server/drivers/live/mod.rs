//! `AURORA_WHATSAPP=live`: WhatsApp Web through whatsapp-rust. One library client per
//! connection, its keys in our database (`key_store`). The library's own reconnect loop
//! is cut short on the first failure or drop: the account's actor owns the retry policy,
//! so both drivers behave alike and the card can say when the next try is.

mod downloads;
mod events;
mod history;
mod history_media;
pub mod key_store;
mod messages;
mod probe;
mod session;

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::sync::mpsc;
use whatsapp_rust::bot::Bot;
use whatsapp_rust::transport::TokioWebSocketTransportFactory;

use self::downloads::{Downloads, GuardedHttp, MediaLimits};
use self::probe::{Probe, ProbedTransport};
use self::session::{LiveSession, SessionEvents};
use super::driver::{Connection, Driver, DriverError, DriverEvent};
use crate::server::db::accounts::Fence;
use crate::server::db::key_rows::{self, KeyRows};
use crate::server::db::key_seal::KeySeal;
use crate::server::db::Db;
use crate::server::drivers::live::key_store::KeyStore;

#[derive(Debug, Clone)]
pub struct LiveOptions {
    /// The websocket to dial: WhatsApp's own unless a test points at a local server.
    pub url: Option<String>,
    /// The WhatsApp Web version to announce; `None` fetches the current one.
    pub version: Option<(u32, u32, u32)>,
    /// How long opening the socket may take before the attempt counts as failed.
    pub connect_timeout: Duration,
    /// Inbound media: concurrent downloads on this server, byte cap, time allowed.
    pub media: MediaLimits,
    /// Seals the device keys at rest (`AURORA_KEYS_SECRET`).
    pub keys: Option<KeySeal>,
    /// Take the chats the phone sends after pairing (`AURORA_HISTORY_DAYS` above 0).
    pub history: bool,
}

impl Default for LiveOptions {
    fn default() -> Self {
        LiveOptions {
            url: None,
            version: None,
            connect_timeout: Duration::from_secs(10),
            media: MediaLimits::default(),
            keys: None,
            history: true,
        }
    }
}

pub struct LiveDriver {
    db: Db,
    options: LiveOptions,
    /// Shared by every connection: the server's download slots.
    downloads: Downloads,
}

impl LiveDriver {
    pub fn new(db: Db, options: LiveOptions) -> Self {
        let downloads = Downloads::new(options.media);
        LiveDriver {
            db,
            options,
            downloads,
        }
    }
}

impl Driver for LiveDriver {
    fn open(
        &self,
        account: i64,
        credentials: Option<String>,
        events: mpsc::Sender<DriverEvent>,
    ) -> BoxFuture<'static, Result<Connection, DriverError>> {
        self.open_fenced(account, credentials, events, None)
    }

    fn open_fenced(
        &self,
        account: i64,
        credentials: Option<String>,
        events: mpsc::Sender<DriverEvent>,
        fence: Option<Fence>,
    ) -> BoxFuture<'static, Result<Connection, DriverError>> {
        let db = self.db.clone();
        let options = self.options.clone();
        let downloads = self.downloads.clone();
        Box::pin(async move {
            let resuming = credentials.is_some();
            if !resuming {
                // A new attempt links a new device: nothing of an earlier one may linger.
                key_rows::wipe(&db, account)
                    .await
                    .map_err(|e| DriverError::Rejected(format!("the key store failed: {e}")))?;
            }
            // Whatever this connection saves lands only until the keys are next wiped.
            let epoch = key_rows::epoch(&db, account)
                .await
                .map_err(|e| DriverError::Rejected(format!("the key store failed: {e}")))?;
            let rows = KeyRows::new(db, account)
                .fenced(fence)
                .sealed(options.keys.clone())
                .at_epoch(epoch);
            let (probe, failures) = Probe::new();
            let (bus, library_events) = mpsc::unbounded_channel();
            let mut transport = TokioWebSocketTransportFactory::new();
            if let Some(url) = &options.url {
                transport = transport.with_url(url.clone());
            }
            let mut builder = Bot::builder()
                .with_backend(KeyStore::over(rows))
                .with_transport_factory(ProbedTransport {
                    inner: transport,
                    probe: probe.clone(),
                    connect_timeout: options.connect_timeout,
                })
                .with_http_client(GuardedHttp::new(options.media))
                .with_event_handler(session::Forward(bus));
            if !options.history {
                // Chunks skipped are acknowledged to the phone and lost for good.
                builder = builder.skip_history_sync();
            }
            if let Some(version) = options.version {
                builder = builder.with_version(version);
            }
            let bot = builder.build().await.map_err(|e| {
                DriverError::Rejected(format!("the WhatsApp client failed to start: {e}"))
            })?;
            let (commands, command_receiver) = mpsc::channel(16);
            let pinned = options.version.is_some();
            let session = LiveSession::new(bot.spawn(), probe, resuming, pinned, events, downloads);
            let inputs = SessionEvents {
                commands: command_receiver,
                library: library_events,
                failures,
            };
            tokio::spawn(session.run(inputs));
            Ok(Connection { commands })
        })
    }
}

/// The shared handle the state builds, with `concurrent` media downloads at most.
pub fn driver(db: Db, concurrent: usize, keys: Option<KeySeal>, history: bool) -> Arc<dyn Driver> {
    let mut options = LiveOptions {
        keys,
        history,
        ..Default::default()
    };
    options.media.concurrent = concurrent;
    Arc::new(LiveDriver::new(db, options))
}

#[cfg(test)]
mod tests;
