//! The session manager's part in a cluster: what the cluster subsystem hands it from the
//! other servers, what its lease loop asks of it (reconcile, resume, let go) and replies
//! other servers route here. Nothing here knows how servers talk to each other.

use super::*;

impl SessionManager {
    /// Another server asked this one to send the account's waiting replies.
    pub fn send_requested(&self, account: i64) {
        let _ = self.inner.send_requests.send(account);
    }

    /// The live state of a session another server runs, as its notice told it.
    pub fn take_peer_live(&self, account: i64, live: LiveState) {
        self.inner.set_live(account, |state| *state = live);
    }

    /// Tells this server's pages only (a change another server announced).
    pub fn publish_here(&self, company_id: i64, account_id: i64, removed: bool) {
        self.inner.publish_here(company_id, account_id, removed);
    }

    /// Tells this server's inbox pages only (another server announced it).
    pub fn conversation_changed_here(&self, company_id: i64, account_id: i64, conversation: i64) {
        self.inner
            .conversation_changed_here(company_id, account_id, conversation);
    }

    /// This server's id in its cluster; None outside one (SQLite).
    pub fn node_id(&self) -> Option<String> {
        self.inner.options.cluster.as_ref().map(Membership::id)
    }

    /// Whether this server runs the account's session (its actor), so sends go through it.
    pub fn runs_session(&self, account: i64) -> bool {
        lock(&self.inner.actors).contains_key(&account)
    }

    /// The accounts whose sessions this server runs.
    pub fn running_accounts(&self) -> Vec<i64> {
        lock(&self.inner.actors).keys().copied().collect()
    }

    /// Asks the server that owns the account to send its waiting replies.
    pub fn ask_owner_to_send(&self, company_id: i64, account_id: i64) {
        if let Some(outbox) = &self.inner.outbox {
            let _ = outbox.send(PeerChange {
                company_id,
                account_id,
                removed: false,
                live: None,
                conversation: None,
                send: true,
                epoch: 0,
            });
        }
    }

    /// Told of accounts whose replies another server asked this one to send.
    pub fn subscribe_send_requests(&self) -> broadcast::Receiver<i64> {
        self.inner.send_requests.subscribe()
    }

    /// Compares the account's session with what the database wants of it now (another
    /// server's command, or a claim by a peer) and closes what is no longer wanted here.
    pub fn reconcile(&self, account: i64) {
        let actor = lock(&self.inner.actors).get(&account).cloned();
        if let Some(actor) = actor {
            let _ = actor.try_send(ActorCommand::Reconcile);
        }
    }

    /// Linking attempts whose QR died with this server (found at start): each stays
    /// Connecting, marked "Linking interrupted by a restart", and offers a new code.
    pub async fn end_interrupted_links(&self, interrupted: &[i64]) -> Result<(), ManagerError> {
        let reason = Some(DisconnectReason::LinkingInterrupted.code());
        for id in interrupted {
            let Some(row) = accounts::get_any(&self.inner.db, *id).await? else {
                continue;
            };
            if row.disconnect_reason.as_deref() == reason {
                continue;
            }
            let change = accounts::Change::LinkingInterrupted;
            accounts::apply(&self.inner.db, *id, change, None, now_ms()).await?;
            self.link_interrupted(row.company_id, *id);
        }
        Ok(())
    }

    /// An attempt ended as interrupted (here, or by a peer for a dead server): the QR this
    /// server last heard of is gone, and its pages are told.
    pub fn link_interrupted(&self, company_id: i64, account: i64) {
        self.inner
            .set_live(account, |live| *live = LiveState::default());
        self.inner.publish(company_id, account, false);
    }

    /// Connects the session of an account this node has just claimed.
    pub async fn resume(&self, company_id: i64, account: i64) {
        if let Err(e) = self.send(account, company_id, ActorCommand::Resume).await {
            tracing::warn!(account, "could not resume a claimed session: {e}");
        }
    }

    /// Closes one account's session and changes no status (handed to another server);
    /// returns once the socket is closed.
    pub async fn let_go(&self, account: i64) {
        let sender = lock(&self.inner.actors).get(&account).cloned();
        if let Some(sender) = sender {
            let _ = sender.send(ActorCommand::Shutdown).await;
            let _ = tokio::time::timeout(Duration::from_secs(5), sender.closed()).await;
        }
    }
}
