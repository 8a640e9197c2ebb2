//! What an actor's driver reports (pairing, messages, drops) and what it asks of the
//! connection (sends, counters, health samples).

use super::*;

/// What a card says of an attempt WhatsApp refused for this server's version.
pub const OUTDATED: &str = "WhatsApp refused this version of Aurora";

impl AccountActor {
    /// The connection, while its session is online: a reconnecting one takes no messages.
    fn online_connection(&self) -> Result<&Connection, ManagerError> {
        let online = matches!(self.inner.live(self.id).health, Some(Health::Online));
        self.connection
            .as_ref()
            .filter(|_| online)
            .ok_or(ManagerError::NotConnected)
    }

    pub(super) async fn send_text(
        &mut self,
        to: String,
        text: String,
        ticket: SendTicket,
    ) -> Result<String, ManagerError> {
        let connection = self.online_connection()?;
        let limit = self.inner.options.send_timeout;
        match tokio::time::timeout(limit, connection.send_text(to, text, ticket.clone())).await {
            Ok(sent) => {
                let id = sent?;
                self.await_ack(id.clone());
                Ok(id)
            }
            Err(_) => Err(ManagerError::gave_up(&ticket)),
        }
    }

    /// Tells the customer `chat` their messages `ids` were read; only an online session can.
    pub(super) async fn mark_read(
        &mut self,
        chat: String,
        ids: Vec<String>,
    ) -> Result<(), ManagerError> {
        let connection = self.online_connection()?;
        match tokio::time::timeout(COMMAND_TIMEOUT, connection.mark_read(chat, ids)).await {
            Ok(done) => Ok(done?),
            Err(_) => Err(DriverError::Closed.into()),
        }
    }

    /// Starts the download and answers it from a task of its own: a file that takes a
    /// minute never holds up the channel's other commands.
    pub(super) async fn fetch_media(&mut self, reference: String, reply: Reply<Vec<u8>>) {
        let started = match self.online_connection() {
            Ok(connection) => connection.fetch_media(reference).await.map_err(Into::into),
            Err(e) => Err(e),
        };
        match started {
            Ok(answer) => {
                tokio::spawn(async move {
                    let bytes = answer.await.unwrap_or(Err(DriverError::Closed));
                    let _ = reply.send(bytes.map_err(Into::into));
                });
            }
            Err(e) => {
                let _ = reply.send(Err(e));
            }
        }
    }

    pub(super) async fn session_stats(&mut self) -> Result<SessionStats, ManagerError> {
        self.stats_within(COMMAND_TIMEOUT).await
    }

    pub(super) async fn stats_within(&self, limit: Duration) -> Result<SessionStats, ManagerError> {
        let connection = self.connection.as_ref().ok_or(ManagerError::NotConnected)?;
        match tokio::time::timeout(limit, connection.stats()).await {
            Ok(stats) => Ok(stats?),
            Err(_) => Err(DriverError::Closed.into()),
        }
    }

    /// Reads the session's counters; tells the pages when the health line would change.
    pub(super) async fn sample_health(&mut self) {
        self.next_sample = Some(Instant::now() + HEALTH_SAMPLE_EVERY);
        let Ok(stats) = self.stats_within(Duration::from_secs(2)).await else {
            return;
        };
        let activity = (stats.last_activity_ms > 0).then_some(stats.last_activity_ms);
        let shown_minute = |ms: Option<i64>| ms.map(|ms| ms.div_euclid(60_000));
        let before = self.inner.live(self.id).last_activity_ms;
        self.inner
            .set_live(self.id, |live| live.last_activity_ms = activity);
        if shown_minute(before) != shown_minute(activity) {
            self.publish();
        }
    }

    /// WhatsApp spoke to this connection: whatever version refusal came before is over.
    fn version_accepted(&self) {
        if self.inner.live(self.id).client_outdated {
            self.inner
                .set_live(self.id, |live| live.client_outdated = false);
        }
    }

    /// Shows the next step of a linking attempt (the passkey's, or its failure); only while
    /// the account is still being linked. True when it was shown.
    async fn link_step(&mut self, step: LinkState) -> Result<bool, ManagerError> {
        if self.status().await? != AccountStatus::Connecting {
            return Ok(false);
        }
        self.inner.set_live(self.id, |live| {
            live.link = Some(step);
            live.pair_code = None;
        });
        self.publish();
        Ok(true)
    }

    pub(super) async fn on_event(&mut self, event: DriverEvent) {
        if let Err(error) = self.apply_event(event).await {
            tracing::error!(
                account = self.id,
                "could not apply a WhatsApp event: {error}"
            );
        }
    }

    pub(super) async fn apply_event(&mut self, event: DriverEvent) -> Result<(), ManagerError> {
        let inner = self.inner.clone();
        let db = &inner.db;
        match event {
            DriverEvent::Qr { code, valid_for } => {
                self.failures = 0;
                self.version_accepted();
                let svg = qr_svg(&code).unwrap_or_default();
                let expires_at = Instant::now() + valid_for;
                self.inner.set_live(self.id, |live| {
                    live.link = Some(LinkState::Showing {
                        qr: code,
                        svg,
                        expires_at,
                    })
                });
                self.publish();
            }
            DriverEvent::LinkingExpired => {
                transition(self.status().await?, AccountEvent::LinkingExpired)?;
                self.close();
                accounts::record_event(db, self.id, "qr_expired", None, now_ms()).await?;
                self.inner.set_live(self.id, |live| {
                    live.link = Some(LinkState::Expired);
                    live.pair_code = None;
                });
                self.publish();
            }
            DriverEvent::Paired {
                phone,
                business_name,
                credentials,
            } => {
                transition(self.status().await?, AccountEvent::Paired)?;
                let change = Change::Connected {
                    phone: &phone,
                    business_name: &business_name,
                    credentials: &credentials,
                };
                if !self.write_session_change(change).await? {
                    return Ok(());
                }
                self.inner
                    .set_live(self.id, |live| *live = Default::default());
                self.publish();
            }
            DriverEvent::Connected => {
                let was_reconnecting = matches!(
                    self.inner.live(self.id).health,
                    Some(Health::Reconnecting { .. })
                );
                self.reconnect = None;
                self.failures = 0;
                self.next_sample = Some(Instant::now() + Duration::from_secs(1));
                if was_reconnecting {
                    accounts::record_event(db, self.id, "reconnected", None, now_ms()).await?;
                }
                self.version_accepted();
                self.inner.set_live(self.id, |live| {
                    live.health = Some(Health::Online);
                    live.reconnects += u32::from(was_reconnecting);
                });
                self.publish();
            }
            // Between servers of a cluster, "replaced" means another server connected the
            // same keys: reconnect only if this one still owns the account, and never mark
            // it disconnected (the session is alive elsewhere).
            DriverEvent::LoggedOut(DisconnectReason::Replaced)
                if self.inner.options.cluster.is_some() =>
            {
                self.connection = None;
                self.events = None;
                self.next_sample = None;
                if self.still_mine().await {
                    self.failures = 1;
                    self.schedule_reconnect(1, Some(DisconnectReason::Replaced.message(None)));
                } else {
                    self.close();
                }
            }
            DriverEvent::LoggedOut(reason) => self.logged_out(reason, None).await?,
            DriverEvent::TemporarilyBanned { until_ms } => {
                self.logged_out(DisconnectReason::Banned, Some(until_ms))
                    .await?
            }
            DriverEvent::ConnectionLost => {
                transition(self.status().await?, AccountEvent::ConnectionLost)?;
                accounts::record_event(db, self.id, "connection_lost", None, now_ms()).await?;
                self.connection = None;
                self.events = None;
                self.next_sample = None;
                self.failures = 1;
                self.schedule_reconnect(1, None);
            }
            DriverEvent::Unreachable(message) => self.unreachable(message).await,
            DriverEvent::ClientOutdated => {
                tracing::error!(account = self.id, "WhatsApp refused this version of Aurora");
                self.inner
                    .set_live(self.id, |live| live.client_outdated = true);
                self.unreachable(OUTDATED.into()).await;
            }
            DriverEvent::ServerAck { id, error } => self.server_ack(id, error).await,
            DriverEvent::LidMapped { lid, phone } => {
                if self.writes_allowed() {
                    let (account, company) = (self.id, self.company_id);
                    inbound::lid_learned(&inner, account, company, &lid, &phone).await;
                }
            }
            DriverEvent::PasskeyRequested { options_json } => {
                let token = Some(crate::server::sessions::passkey::new_token());
                let step = LinkState::Passkey {
                    options_json,
                    token,
                };
                self.link_step(step).await?;
            }
            DriverEvent::PasskeyCode {
                code,
                confirm_on_phone,
            } => {
                let step = LinkState::PasskeyCode {
                    code,
                    confirm_on_phone,
                };
                self.link_step(step).await?;
            }
            DriverEvent::LinkFailed(message) => {
                if self.link_step(LinkState::Failed { message }).await? {
                    self.close();
                }
            }
            DriverEvent::Message(message) => {
                self.inner.inbound_messages.fetch_add(1, Ordering::Relaxed);
                self.inner
                    .set_live(self.id, |live| live.last_activity_ms = Some(now_ms()));
                if !self.writes_allowed() {
                    return Ok(());
                }
                let fence = self.fence.as_ref();
                let media = &self.inner.options.media;
                match inbound::store(db, media, self.id, &message, fence).await {
                    Ok(Some(stored)) => self.inner.conversation_changed(
                        self.company_id,
                        self.id,
                        stored.conversation_id,
                    ),
                    Ok(None) => {
                        tracing::debug!(account = self.id, id = %message.id, "replayed message ignored")
                    }
                    Err(e) => {
                        tracing::error!(account = self.id, id = %message.id, "inbound message not stored: {e}")
                    }
                }
            }
            DriverEvent::History(batch) => {
                self.inner
                    .set_live(self.id, |live| live.last_activity_ms = Some(now_ms()));
                self.history(batch).await;
            }
            DriverEvent::Receipt {
                ids,
                receipt,
                at_ms,
            } => {
                self.receipts_prove_acceptance(&ids).await;
                if !self.writes_allowed() {
                    return Ok(());
                }
                let (account, company) = (self.id, self.company_id);
                inbound::receipt(inner.clone(), account, company, ids, receipt, at_ms).await;
            }
        }
        Ok(())
    }
}
