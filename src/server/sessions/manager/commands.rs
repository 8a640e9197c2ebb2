//! The commands the manager's handle takes: each goes to the account's actor, which checks
//! the transition, acts on its connection, writes the change and publishes it.

use super::*;

/// How long a send may wait behind the channel's other commands, on top of its own timeout.
const SEND_QUEUE_ALLOWANCE: Duration = Duration::from_secs(5);

impl SessionManager {
    /// Starts a linking attempt (Add, Connect, Generate new code): the card shows a QR.
    pub async fn start_linking(
        &self,
        company_id: i64,
        account: i64,
        initiator: Option<Initiator>,
    ) -> Result<(), ManagerError> {
        self.ask(account, company_id, |reply| ActorCommand::StartLinking {
            initiator,
            reply,
        })
        .await
    }

    pub async fn cancel_linking(
        &self,
        company_id: i64,
        account: i64,
        initiator: Initiator,
    ) -> Result<(), ManagerError> {
        self.ask(account, company_id, |reply| ActorCommand::CancelLinking {
            initiator,
            reply,
        })
        .await
    }

    /// Hands over the assertion for the passkey-gated attempt whose one-time `token` it is.
    pub async fn passkey_assertion(
        &self,
        company_id: i64,
        account: i64,
        token: String,
        json: String,
    ) -> Result<(), ManagerError> {
        self.ask(account, company_id, |reply| {
            ActorCommand::PasskeyAssertion { token, json, reply }
        })
        .await
    }

    pub async fn request_pair_code(
        &self,
        company_id: i64,
        account: i64,
        phone: String,
    ) -> Result<String, ManagerError> {
        self.ask(account, company_id, |reply| ActorCommand::RequestPairCode {
            phone,
            reply,
        })
        .await
    }

    /// Sends a text from the account's number to `to` (E.164); answers WhatsApp's message id.
    /// Answers within the send timeout (plus the time to reach the actor) whatever the
    /// channel is doing: a busy or stuck session never holds its caller.
    pub async fn send_text(
        &self,
        company_id: i64,
        account: i64,
        to: String,
        text: String,
    ) -> Result<String, ManagerError> {
        let ticket = SendTicket::default();
        let asked = self.ask(account, company_id, |reply| ActorCommand::SendText {
            to,
            text,
            ticket: ticket.clone(),
            reply,
        });
        let limit = self.inner.options.send_timeout + SEND_QUEUE_ALLOWANCE;
        match tokio::time::timeout(limit, asked).await {
            Ok(answer) => answer,
            Err(_) => Err(ManagerError::gave_up(&ticket)),
        }
    }

    /// Tells the customer `chat` (E.164) through the account's session that their
    /// messages `ids` were read. Refused when this server has no online session for it.
    pub async fn mark_read(
        &self,
        company_id: i64,
        account: i64,
        chat: String,
        ids: Vec<String>,
    ) -> Result<(), ManagerError> {
        self.ask(account, company_id, |reply| ActorCommand::MarkRead {
            chat,
            ids,
            reply,
        })
        .await
    }

    /// Downloads an attachment of the channel's history by its driver reference, through
    /// this server's session (refused when it has none online). Gives up after `limit`.
    pub async fn fetch_media(
        &self,
        company_id: i64,
        account: i64,
        reference: String,
        limit: Duration,
    ) -> Result<Vec<u8>, ManagerError> {
        let asked = self.ask(account, company_id, |reply| ActorCommand::FetchMedia {
            reference,
            reply,
        });
        tokio::time::timeout(limit + SEND_QUEUE_ALLOWANCE, asked)
            .await
            .unwrap_or_else(|_| {
                Err(
                    DriverError::Unreachable("WhatsApp did not send the file in time".into())
                        .into(),
                )
            })
    }

    /// Runs the next reconnect (or linking) attempt now instead of after its backoff;
    /// false when none is scheduled on this server.
    pub async fn retry_now(&self, company_id: i64, account: i64) -> Result<bool, ManagerError> {
        self.ask(account, company_id, |reply| ActorCommand::RetryNow {
            reply,
        })
        .await
    }

    /// The open session's own counters; refused when the account has no open session.
    pub async fn session_stats(
        &self,
        company_id: i64,
        account: i64,
    ) -> Result<SessionStats, ManagerError> {
        self.ask(account, company_id, |reply| ActorCommand::SessionStats {
            reply,
        })
        .await
    }

    /// Logs the device out (the phone shows it removed), wipes its keys, keeps conversations.
    pub async fn disconnect(
        &self,
        company_id: i64,
        account: i64,
        initiator: Initiator,
    ) -> Result<(), ManagerError> {
        self.ask(account, company_id, |reply| ActorCommand::Disconnect {
            initiator,
            reply,
        })
        .await
    }

    /// Disconnected → Disabled: hidden while the Active filter is on; its data is kept.
    pub async fn disable(
        &self,
        company_id: i64,
        account: i64,
        initiator: Initiator,
    ) -> Result<(), ManagerError> {
        let write: StatusWrite = Box::new(move |db| {
            Box::pin(async move { lifecycle::disable(&db, account, &initiator, now_ms()).await })
        });
        self.change_status(
            company_id,
            account,
            AccountEvent::Disable,
            write,
            ManagerError::NotFound,
        )
        .await
    }

    /// Disabled → Disconnected, unless the company already uses `limit` channels.
    pub async fn enable(
        &self,
        company_id: i64,
        account: i64,
        initiator: Initiator,
        limit: i64,
    ) -> Result<(), ManagerError> {
        let write: StatusWrite = Box::new(move |db| {
            Box::pin(async move {
                lifecycle::enable_within_limit(
                    &db,
                    company_id,
                    account,
                    limit,
                    &initiator,
                    now_ms(),
                )
                .await
            })
        });
        self.change_status(
            company_id,
            account,
            AccountEvent::Enable,
            write,
            ManagerError::LimitReached,
        )
        .await
    }

    /// Disabled → Deleting, recording the job the deletion worker carries out.
    pub async fn begin_deletion(
        &self,
        company_id: i64,
        account: i64,
        job: lifecycle::DeletionJob,
        initiator: Initiator,
    ) -> Result<(), ManagerError> {
        let write: StatusWrite = Box::new(move |db| {
            Box::pin(async move { lifecycle::begin_deletion(&db, &job, &initiator).await })
        });
        self.change_status(
            company_id,
            account,
            AccountEvent::Delete,
            write,
            ManagerError::NotFound,
        )
        .await
    }

    async fn change_status(
        &self,
        company_id: i64,
        account: i64,
        event: AccountEvent,
        write: StatusWrite,
        refused: ManagerError,
    ) -> Result<(), ManagerError> {
        self.ask(account, company_id, |reply| ActorCommand::ChangeStatus {
            event,
            write,
            refused,
            reply,
        })
        .await
    }
}
