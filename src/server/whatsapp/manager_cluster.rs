//! The session manager's part in a cluster: notices from the other servers, what the cluster
//! loop asks of it (reconcile, resume, let go) and replies other servers route here.

use super::*;

impl SessionManager {
    /// A change another server announced: its live state (when it runs the session) is
    /// taken as this server's view of the account, and this server's pages are told.
    pub fn apply_notice(&self, mut notice: Notice) {
        if notice.send {
            let _ = self.inner.send_requests.send(notice.account);
            return;
        }
        if let Some(conversation) = notice.conversation {
            self.inner
                .conversation_changed_here(notice.company, notice.account, conversation);
            return;
        }
        let session_here = lock(&self.inner.actors).get(&notice.account).cloned();
        match (session_here, notice.live.take()) {
            // This server runs the session: its own live state stands, and the change
            // (a person's action on another server) may mean closing it.
            (Some(actor), _) => {
                let _ = actor.try_send(ActorCommand::Reconcile);
            }
            (None, Some(wire)) => {
                let mut seen = lock(&self.inner.live_origins);
                if !supersedes(&notice, seen.get(&notice.account)) {
                    return;
                }
                seen.insert(notice.account, LiveOrigin::of(&notice));
                drop(seen);
                let live = wire.into_live(Instant::now());
                self.inner.set_live(notice.account, |state| *state = live);
            }
            (None, None) => {}
        }
        self.inner
            .publish_here(notice.company, notice.account, notice.removed);
    }

    /// This server's id in its cluster; None outside one (SQLite).
    pub fn node_id(&self) -> Option<String> {
        self.inner.options.cluster.as_ref().map(ClusterNode::id)
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
            let _ = outbox.send(Outgoing {
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
