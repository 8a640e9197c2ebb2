//! An actor's connection: reconnecting with backoff after a drop, what makes it final
//! (logged out, banned, replaced), and Disconnect.

use super::*;

impl AccountActor {
    /// The attempt could not reach WhatsApp: try again after a backoff, and say so.
    pub(super) async fn unreachable(&mut self, message: String) {
        self.connection = None;
        self.events = None;
        self.next_sample = None;
        self.failures += 1;
        let attempt = self.failures;
        match self.status().await {
            Ok(AccountStatus::Connecting) => {
                let retry_at = Instant::now() + self.inner.options.backoff.jittered(attempt);
                self.reconnect = Some((attempt, retry_at));
                self.inner.set_live(self.id, |live| {
                    live.link = Some(LinkState::Unreachable { message, retry_at });
                    live.pair_code = None;
                });
                self.publish();
            }
            Ok(AccountStatus::Connected) => self.schedule_reconnect(attempt, Some(message)),
            _ => {}
        }
    }

    /// A scheduled attempt is due: a new linking attempt or a reconnect, by status.
    pub(super) async fn retry(&mut self) {
        match self.status().await {
            Ok(AccountStatus::Connecting) => {
                self.reconnect = None;
                self.open_linking().await;
            }
            _ => self.reconnect().await,
        }
    }

    pub(super) async fn change_status(
        &mut self,
        event: AccountEvent,
        write: StatusWrite,
        refused: ManagerError,
    ) -> Result<(), ManagerError> {
        transition(self.status().await?, event)?;
        if !write(self.inner.db.clone()).await? {
            return Err(refused);
        }
        self.publish();
        Ok(())
    }

    pub(super) async fn disconnect(&mut self, initiator: Initiator) -> Result<(), ManagerError> {
        transition(self.status().await?, AccountEvent::Disconnect)?;
        // In a cluster the live owner holds the socket: it logs the device out when it
        // hears of this change. Opening a second connection here would kick it off.
        let owned_elsewhere = match &self.inner.options.cluster {
            Some(node) if self.connection.is_none() => node.runs_elsewhere(self.id).await?,
            _ => false,
        };
        if self.connection.is_none() && !owned_elsewhere {
            // Reconnecting: open the session once more so the phone is told the device is gone.
            if let Some(credentials) = accounts::credentials(&self.inner.db, self.id).await? {
                let (sender, _events) = mpsc::channel(16);
                if let Ok(connection) = self
                    .inner
                    .driver
                    .open_fenced(self.id, Some(credentials), sender, self.fence.clone())
                    .await
                {
                    self.connection = Some(connection);
                }
            }
        }
        if let Some(connection) = self.connection.take() {
            match tokio::time::timeout(LOGOUT_TIMEOUT, connection.logout()).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    tracing::warn!(account = self.id, "logout failed, wiping keys anyway: {e}")
                }
                Err(_) => tracing::warn!(account = self.id, "logout timed out, wiping keys anyway"),
            }
        }
        self.mark_disconnected(DisconnectReason::ByUser, Some(&initiator), None)
            .await
    }

    /// Closes the connection, records the disconnection (wiping the keys), clears what the
    /// card showed live, and tells the pages.
    pub(super) async fn mark_disconnected(
        &mut self,
        reason: DisconnectReason,
        initiator: Option<&Initiator>,
        until_ms: Option<i64>,
    ) -> Result<(), ManagerError> {
        self.close();
        let change = Change::Disconnected {
            reason,
            initiator_name: initiator.map(|a| a.name.as_str()),
            until_ms,
        };
        accounts::apply(&self.inner.db, self.id, change, initiator, now_ms()).await?;
        self.inner
            .set_live(self.id, |live| *live = Default::default());
        self.publish();
        Ok(())
    }

    /// The driver closed its event stream without a word: a drop if the session was up.
    pub(super) async fn on_connection_ended(&mut self) {
        self.events = None;
        self.connection = None;
        self.next_sample = None;
        if matches!(self.status().await, Ok(AccountStatus::Connected)) {
            self.failures = 1;
            self.schedule_reconnect(1, None);
        }
    }

    pub(super) async fn logged_out(
        &mut self,
        reason: DisconnectReason,
        until_ms: Option<i64>,
    ) -> Result<(), ManagerError> {
        transition(self.status().await?, AccountEvent::LoggedOut(reason))?;
        let change = Change::Disconnected {
            reason,
            initiator_name: None,
            until_ms,
        };
        self.close();
        if self.write_session_change(change).await? {
            self.inner
                .set_live(self.id, |live| *live = Default::default());
            self.publish();
        }
        Ok(())
    }

    pub(super) fn schedule_reconnect(&mut self, attempt: u32, reason: Option<String>) {
        let retry_at = Instant::now() + self.inner.options.backoff.jittered(attempt);
        self.reconnect = Some((attempt, retry_at));
        self.inner.set_live(self.id, |live| {
            live.health = Some(Health::Reconnecting {
                attempt,
                retry_at,
                reason,
            })
        });
        self.publish();
    }

    pub(super) async fn reconnect(&mut self) {
        // Already connected (a second Resume): a new socket would replace this one.
        if self.connection.is_some() {
            return;
        }
        let attempt = self.reconnect.map(|(n, _)| n).unwrap_or(1);
        self.reconnect = None;
        if !self.still_mine().await {
            self.close();
            return;
        }
        let credentials = match accounts::credentials(&self.inner.db, self.id).await {
            Ok(Some(credentials)) => credentials,
            Ok(None) => return, // keys wiped meanwhile: nothing to resume
            Err(e) => {
                tracing::error!(account = self.id, "could not load credentials: {e}");
                self.failures += 1;
                return self.schedule_reconnect(self.failures, None);
            }
        };
        let (sender, receiver) = mpsc::channel(64);
        match self
            .inner
            .driver
            .open_fenced(self.id, Some(credentials), sender, self.fence.clone())
            .await
        {
            Ok(connection) => {
                self.connection = Some(connection);
                self.events = Some(receiver);
            }
            Err(DriverError::LoggedOut(reason)) => {
                if let Err(e) = self.logged_out(reason, None).await {
                    tracing::error!(account = self.id, "could not record the logout: {e}");
                }
            }
            Err(DriverError::Unreachable(message)) => {
                tracing::info!(account = self.id, attempt, "reconnect failed: {message}");
                self.unreachable(message).await;
            }
            Err(error) => {
                tracing::info!(account = self.id, attempt, "reconnect failed: {error}");
                self.failures += 1;
                self.schedule_reconnect(self.failures, Some(error.to_string()));
            }
        }
    }
}
