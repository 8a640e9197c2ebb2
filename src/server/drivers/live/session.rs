//! One live connection: forwards the library's events (in order) as ours, answers the
//! actor's commands, and shuts the library client down when either side is done.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use whatsapp_rust::bot::BotHandle;
use whatsapp_rust::pair_code::PairCodeOptions;
use whatsapp_rust::store::commands::DeviceCommand;
use whatsapp_rust::types::events::{Event, EventHandler};
use whatsapp_rust::{version, Client, Jid};

use super::downloads::{Downloads, MediaRef, PendingMedia};
use super::events::{after_refusal, e164_of, jid_of, map_event, Mapped};
use super::history;
use super::history_media;
use super::messages::{incoming, Incoming};
use super::probe::Probe;
use crate::domain::address::Address;
use crate::server::db::now_ms;
use crate::server::drivers::assertion;
use crate::server::drivers::driver::{DriverCommand, DriverError, DriverEvent, SessionStats};

/// A graceful shutdown flushes keys; past this the client is aborted.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

/// The library calls this synchronously and in order; the channel keeps that order.
pub struct Forward(pub mpsc::UnboundedSender<Arc<Event>>);

impl EventHandler for Forward {
    fn handle_event(&self, event: Arc<Event>) {
        let _ = self.0.send(event);
    }
}

pub struct SessionEvents {
    pub commands: mpsc::Receiver<DriverCommand>,
    pub library: mpsc::UnboundedReceiver<Arc<Event>>,
    pub failures: mpsc::UnboundedReceiver<String>,
}

pub struct LiveSession {
    handle: BotHandle,
    client: Arc<Client>,
    probe: Arc<Probe>,
    resuming: bool,
    /// The version is set by configuration: a refusal is not answered with a newer one.
    pinned_version: bool,
    events: mpsc::Sender<DriverEvent>,
    downloads: Downloads,
    /// Cancels this connection's media downloads when it ends.
    ended: CancellationToken,
}

enum Flow {
    Continue,
    Stop,
    /// Stop, then tell the actor: the client's keys are flushed before the actor acts on
    /// the event (a logout wipes them, and a late flush must not bring them back).
    StopWith(DriverEvent),
}

impl LiveSession {
    pub fn new(
        handle: BotHandle,
        probe: Arc<Probe>,
        resuming: bool,
        pinned_version: bool,
        events: mpsc::Sender<DriverEvent>,
        downloads: Downloads,
    ) -> Self {
        LiveSession {
            client: handle.client(),
            handle,
            probe,
            resuming,
            pinned_version,
            events,
            downloads,
            ended: CancellationToken::new(),
        }
    }

    pub async fn run(mut self, mut inputs: SessionEvents) {
        let last_word = loop {
            let flow = tokio::select! {
                command = inputs.commands.recv() => match command {
                    Some(command) => self.on_command(command).await,
                    None => Flow::Stop, // the actor closed the connection
                },
                event = inputs.library.recv() => match event {
                    Some(event) => self.on_event(&event).await,
                    None => Flow::Stop,
                },
                Some(failure) = inputs.failures.recv() => {
                    Flow::StopWith(DriverEvent::Unreachable(failure))
                }
            };
            match flow {
                Flow::Continue => {}
                Flow::Stop => break None,
                Flow::StopWith(event) => break Some(event),
            }
        };
        self.ended.cancel();
        // A graceful disconnect flushes the keys; a stuck one is cut off (dropping the
        // handle aborts the client).
        let stopped = tokio::time::timeout(SHUTDOWN_TIMEOUT, async {
            self.client.disconnect().await;
            (&mut self.handle).await;
        })
        .await;
        if stopped.is_err() {
            tracing::warn!("the WhatsApp client did not stop in time; aborted");
        }
        if let Some(event) = last_word {
            self.emit(event).await;
        }
    }

    async fn emit(&self, event: DriverEvent) {
        let _ = self.events.send(event).await;
    }

    async fn on_event(&mut self, event: &Event) -> Flow {
        let mapped = map_event(event, self.resuming, now_ms());
        if !matches!(mapped, Mapped::Ignore) {
            self.probe.got_through();
        }
        match mapped {
            Mapped::Ignore => Flow::Continue,
            Mapped::Emit(ours) => {
                self.emit(ours).await;
                Flow::Continue
            }
            Mapped::EmitAndStop(ours) => Flow::StopWith(ours),
            Mapped::Paired {
                phone,
                business_name,
            } => {
                // The keys must be stored before the account says Connected: a restart
                // right after would otherwise resume a device that doesn't exist.
                if let Err(e) = self.client.persistence_manager().flush().await {
                    tracing::error!("the new device's keys could not be stored: {e}");
                }
                let business_name = if business_name.trim().is_empty() {
                    self.client.push_name()
                } else {
                    business_name
                };
                self.resuming = true;
                let credentials = format!("wa1|{phone}");
                self.emit(DriverEvent::Paired {
                    phone,
                    business_name,
                    credentials,
                })
                .await;
                Flow::Continue
            }
            Mapped::Outdated => Flow::StopWith(self.refresh_version().await),
            Mapped::PasskeyCode {
                code,
                confirm_on_phone,
            } => {
                // WhatsApp waits for the device to go on to the verification stage.
                if let Err(e) = self.client.send_passkey_confirmation().await {
                    return Flow::StopWith(DriverEvent::LinkFailed(format!(
                        "WhatsApp did not take the passkey confirmation: {e}"
                    )));
                }
                self.emit(DriverEvent::PasskeyCode {
                    code,
                    confirm_on_phone,
                })
                .await;
                Flow::Continue
            }
            Mapped::History => {
                if let Event::HistorySync(chunk) = event {
                    let chunk = (**chunk).clone();
                    // Inflating and decoding a chunk takes a while: not on the session's loop.
                    let decoded = tokio::task::spawn_blocking(move || {
                        chunk.get().map(history::events_of).unwrap_or_default()
                    })
                    .await
                    .unwrap_or_default();
                    for ours in decoded {
                        self.emit(ours).await;
                    }
                }
                Flow::Continue
            }
            Mapped::Messages => {
                if let Event::Messages(batch) = event {
                    for item in batch.messages.iter() {
                        self.forward_message(&item.message, &item.info).await;
                    }
                }
                Flow::Continue
            }
        }
    }

    /// After a 405: fetches WhatsApp Web's current version and keeps it with the device,
    /// so the actor's next attempt announces it; the refusal stands when there is nothing
    /// newer to try (or the version is pinned).
    async fn refresh_version(&self) -> DriverEvent {
        let manager = self.client.persistence_manager();
        let device = manager.get_device_snapshot();
        let refused = (
            device.app_version_primary,
            device.app_version_secondary,
            device.app_version_tertiary,
        );
        let fetched = if self.pinned_version {
            None
        } else {
            match version::fetch_latest_app_version(&self.client.http_client).await {
                Ok(current) => Some(current),
                Err(e) => {
                    tracing::warn!("WhatsApp Web's current version could not be read: {e}");
                    None
                }
            }
        };
        let outcome = after_refusal(refused, fetched);
        if let (Some(current), DriverEvent::Unreachable(_)) = (fetched, &outcome) {
            manager
                .process_command(DeviceCommand::SetAppVersion(current))
                .await;
            if let Err(e) = manager.flush().await {
                tracing::warn!("the new WhatsApp Web version could not be stored: {e}");
            }
        }
        outcome
    }

    /// The number WhatsApp has told this device for `lid`, if any.
    async fn number_of(&self, lid: &str) -> Option<String> {
        match self.client.get_lid_pn_entry(&Jid::lid(lid)).await {
            Ok(entry) => entry.and_then(|e| e164_of(&Jid::pn(&*e.phone_number))),
            Err(e) => {
                tracing::debug!("the LID cache could not be read: {e}");
                None
            }
        }
    }

    async fn forward_message(
        &self,
        message: &whatsapp_rust::waproto::whatsapp::Message,
        info: &whatsapp_rust::types::message::MessageInfo,
    ) {
        let Some(Incoming {
            message: mut inbound,
            media,
            lid,
        }) = incoming(message, info)
        else {
            return;
        };
        // There is no "mapping learned" event: each message from a LID asks the library's
        // LID↔number cache, and whatever is known is told before the message.
        if let Some(lid) = lid {
            let phone = match Address::parse(&inbound.from) {
                Address::Phone(number) => Some(number.to_string()),
                Address::Hidden { .. } => self.number_of(&lid).await,
            };
            if let Some(phone) = phone {
                inbound.from = phone.clone();
                self.emit(DriverEvent::LidMapped { lid, phone }).await;
            }
        }
        match media {
            None => self.emit(DriverEvent::Message(inbound)).await,
            // The download runs beside this loop, so replies and events keep flowing.
            Some(part) => self.downloads.deliver(
                Arc::new(self.client.clone()),
                inbound,
                PendingMedia {
                    reference: MediaRef::checked(part.source),
                    filename: part.filename,
                    content_type: part.content_type,
                },
                self.events.clone(),
                self.ended.clone(),
            ),
        }
    }

    async fn on_command(&mut self, command: DriverCommand) -> Flow {
        match command {
            DriverCommand::RequestPairCode { phone, reply } => {
                let digits = phone.trim_start_matches('+').to_string();
                let options = PairCodeOptions {
                    phone_number: digits,
                    ..Default::default()
                };
                let answer = self.client.pair_with_code(options).await.map_err(|e| {
                    DriverError::Rejected(format!("WhatsApp refused a pairing code: {e}"))
                });
                let _ = reply.send(answer);
                Flow::Continue
            }
            DriverCommand::Logout { reply } => {
                self.client.logout().await;
                let _ = reply.send(Ok(()));
                Flow::Stop
            }
            DriverCommand::SendText {
                to,
                text,
                ticket,
                reply,
            } => {
                if !ticket.take() {
                    return Flow::Continue; // given up on before it reached the socket
                }
                let answer = match jid_of(&to) {
                    None => Err(DriverError::Rejected(format!("{to} is not a phone number"))),
                    Some(jid) => self
                        .client
                        .send_text(jid, text)
                        .await
                        .map(|sent| sent.message_id)
                        .map_err(|e| DriverError::Rejected(e.to_string())),
                };
                let _ = reply.send(answer);
                Flow::Continue
            }
            DriverCommand::MarkRead { chat, ids, reply } => {
                let answer = match jid_of(&chat) {
                    None => Err(DriverError::Rejected(format!(
                        "{chat} is not a phone number"
                    ))),
                    Some(jid) => {
                        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                        self.client
                            .mark_as_read(&jid, None, &ids)
                            .await
                            .map_err(|e| DriverError::Rejected(e.to_string()))
                    }
                };
                let _ = reply.send(answer);
                Flow::Continue
            }
            DriverCommand::PasskeyAssertion { json, reply } => {
                let answer = match passkey_assertion(&json) {
                    Ok(assertion) => self
                        .client
                        .send_passkey_response(assertion)
                        .await
                        .map_err(|e| DriverError::Rejected(e.to_string())),
                    Err(e) => Err(DriverError::Rejected(e)),
                };
                let _ = reply.send(answer);
                Flow::Continue
            }
            DriverCommand::FetchMedia { reference, reply } => {
                // Beside the loop, like live media: a minute-long file holds nothing up.
                let (downloads, client) = (self.downloads.clone(), self.client.clone());
                let cancel = self.ended.clone();
                tokio::spawn(async move {
                    let bytes =
                        history_media::fetch(&downloads, &client, &client, &reference, &cancel)
                            .await
                            .map_err(DriverError::Rejected);
                    let _ = reply.send(bytes);
                });
                Flow::Continue
            }
            DriverCommand::Stats { reply } => {
                let stats = self.client.stats();
                let memory = self.client.memory_report().await;
                let _ = reply.send(SessionStats {
                    frames_received: stats.frames_received,
                    frames_sent: stats.frames_sent,
                    bytes_received: stats.bytes_received,
                    bytes_sent: stats.bytes_sent,
                    messages_received: stats.messages_received,
                    messages_sent: stats.messages_sent,
                    reconnects: stats.reconnects,
                    last_activity_ms: stats.last_data_received_ms as i64,
                    retained_bytes: Some(memory.total_estimated_bytes()),
                });
                Flow::Continue
            }
        }
    }
}

/// The assertion a browser produced (WebAuthn's JSON form) as whatsapp-rust sends it:
/// the credential id from `rawId`, the JSON itself rebuilt from its parts.
pub fn passkey_assertion(json: &str) -> Result<whatsapp_rust::passkey::Assertion, String> {
    let parts = assertion::parse(json)?;
    let assertion_json = whatsapp_rust::passkey::build_webauthn_assertion_json(
        &parts.credential_id,
        &parts.client_data_json,
        &parts.authenticator_data,
        &parts.signature,
        parts.user_handle.as_deref(),
    );
    Ok(whatsapp_rust::passkey::Assertion {
        assertion_json,
        credential_id: parts.credential_id,
    })
}
