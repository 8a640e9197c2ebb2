//! An actor's part in a cluster: whether this server still owns its account, what its
//! session may write under that claim, and closing what a peer or a person's command on
//! another server no longer wants here.

use super::*;

impl AccountActor {
    pub(super) async fn reconcile(&mut self) {
        if self.connection.is_none() && self.reconnect.is_none() {
            return;
        }
        let wanted = match self.status().await {
            Ok(status) => matches!(status, AccountStatus::Connected | AccountStatus::Connecting),
            Err(ManagerError::NotFound) => false,
            Err(_) => return,
        };
        if wanted {
            // A peer claimed it meanwhile (this server froze, or missed a notice): close
            // without a word to WhatsApp, the session lives on there. Unknown (the
            // database is unreachable) keeps it: the lease decides that.
            if self.ownership().await == Some(false) {
                tracing::warn!(
                    account = self.id,
                    "a peer owns this account now; closing here"
                );
                self.close();
            }
            return;
        }
        if let Some(connection) = self.connection.take() {
            let _ = tokio::time::timeout(LOGOUT_TIMEOUT, connection.logout()).await;
        }
        self.close();
        self.inner
            .set_live(self.id, |live| *live = Default::default());
        self.publish();
    }

    /// Outside a cluster, always; in one, whether the database says this server owns the
    /// account (a server must not connect what a peer has claimed).
    pub(super) async fn still_mine(&mut self) -> bool {
        self.ownership().await.unwrap_or(false)
    }

    /// The same, None when the database cannot be asked; refreshes the fence when it can.
    pub(super) async fn ownership(&mut self) -> Option<bool> {
        let Some(node) = &self.inner.options.cluster else {
            return Some(true);
        };
        self.fence = node.ownership(self.id).await.ok()?;
        Some(self.fence.is_some())
    }

    /// Writes what the session itself reported (linked, logged out). In a cluster only the
    /// owner under its current claim may: when a peer has claimed the account since, the
    /// write is refused and this server lets the session go. False when refused.
    pub(super) async fn write_session_change(
        &mut self,
        change: Change<'_>,
    ) -> Result<bool, ManagerError> {
        let fence = match (&self.inner.options.cluster, &self.fence) {
            (None, _) => None,
            (Some(_), Some(fence)) => Some(fence.clone()),
            // A server without a claim on the account writes nothing of its session.
            (Some(_), None) => {
                self.close();
                return Ok(false);
            }
        };
        let written = accounts::apply_fenced(
            &self.inner.db,
            self.id,
            change,
            None,
            now_ms(),
            fence.as_ref(),
        )
        .await?;
        if !written {
            tracing::warn!(
                account = self.id,
                "another server owns this account now; letting it go"
            );
            self.close();
        }
        Ok(written)
    }
}
