//! An actor's linking attempts: starting one (QR or pairing code), cancelling it.

use super::*;
use crate::server::sessions::passkey;

impl AccountActor {
    pub(super) async fn start_linking(
        &mut self,
        initiator: Option<Initiator>,
    ) -> Result<(), ManagerError> {
        transition(self.status().await?, AccountEvent::StartLinking)?;
        self.close();
        // Owned before it is Connecting, so no peer takes the attempt for an orphan.
        if let Some(node) = &self.inner.options.cluster {
            self.fence = Some(node.take(self.id).await?);
        }
        accounts::apply(
            &self.inner.db,
            self.id,
            Change::Linking,
            initiator.as_ref(),
            now_ms(),
        )
        .await?;
        self.inner
            .set_live(self.id, |live| *live = Default::default());
        self.failures = 0;
        self.open_linking().await;
        Ok(())
    }

    /// Opens a linking attempt; the account is Connecting.
    pub(super) async fn open_linking(&mut self) {
        let (sender, receiver) = mpsc::channel(64);
        let fence = self.fence.clone();
        match self
            .inner
            .driver
            .open_fenced(self.id, None, sender, fence)
            .await
        {
            Ok(connection) => {
                self.connection = Some(connection);
                self.events = Some(receiver);
                // An earlier "Can't reach WhatsApp" gives way to "Generating QR code…".
                self.inner.set_live(self.id, |live| live.link = None);
                self.publish();
            }
            Err(DriverError::Unreachable(message)) => self.unreachable(message).await,
            Err(error) => {
                let message = format!("Can't link: {error}");
                self.inner.set_live(self.id, |live| {
                    live.link = Some(LinkState::Failed { message })
                });
                self.publish();
            }
        }
    }

    pub(super) async fn cancel_linking(
        &mut self,
        initiator: Initiator,
    ) -> Result<(), ManagerError> {
        let ever_linked = self.ever_linked().await?;
        let outcome = transition(
            self.status().await?,
            AccountEvent::CancelLinking { ever_linked },
        )?;
        self.close();
        match outcome {
            Transition::Remove => {
                accounts::remove(&self.inner.db, self.id).await?;
                self.inner.publish(self.company_id, self.id, true);
            }
            Transition::To(_) => {
                self.mark_disconnected(DisconnectReason::LinkingCancelled, Some(&initiator), None)
                    .await?;
            }
        }
        Ok(())
    }

    /// The assertion for the passkey WhatsApp asked for, under the attempt's one-time
    /// token: the token is spent, the card says WhatsApp is checking, and WhatsApp gets it.
    pub(super) async fn passkey_assertion(
        &mut self,
        token: String,
        json: String,
    ) -> Result<(), ManagerError> {
        let options_json = match self.inner.live(self.id).link {
            Some(LinkState::Passkey {
                options_json,
                token: Some(current),
            }) if passkey::same_token(&current, &token) => options_json,
            _ => return Err(ManagerError::NotFound),
        };
        let connection = self.connection.as_ref().ok_or(ManagerError::NotFound)?;
        self.inner.set_live(self.id, |live| {
            live.link = Some(LinkState::Passkey {
                options_json,
                token: None,
            })
        });
        self.publish();
        connection.passkey_assertion(json).await?;
        Ok(())
    }

    pub(super) async fn request_pair_code(
        &mut self,
        phone: String,
    ) -> Result<String, ManagerError> {
        let linking = matches!(
            self.inner.live(self.id).link,
            Some(LinkState::Showing { .. })
        );
        let connection = self
            .connection
            .as_ref()
            .filter(|_| linking)
            .ok_or_else(|| {
                ManagerError::Driver(DriverError::Rejected(
                    "No QR code is showing: generate a new code first".into(),
                ))
            })?;
        let code = connection.request_pair_code(phone).await?;
        self.inner
            .set_live(self.id, |live| live.pair_code = Some(code.clone()));
        self.publish();
        Ok(code)
    }
}
