//! One server of several on PostgreSQL: keeps this process's lease, fences it when the lease
//! cannot be renewed in time, and claims accounts that have no live owner, so each linked
//! number is connected by exactly one server. Inactive on SQLite (one server).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use sqlx::PgPool;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::sends as cluster_sends;
use crate::server::boot::supervisor::{Phase, Supervisor};
use crate::server::db::cluster::{self, Claimed, LEASE_SECS};
use crate::server::db::{now_ms, Db};
use crate::server::sessions::manager::SessionManager;
use crate::server::sessions::membership::Membership;

/// How often the lease is renewed.
pub const RENEW_EVERY: Duration = Duration::from_secs(2);
/// A node that has not renewed for this long closes its sessions: less than the lease, so
/// it is silent before any peer may claim its accounts.
pub const FENCE_AFTER: Duration = Duration::from_secs(8);
/// After a failed renewal the next try comes this soon, so a database back within a few
/// seconds renews the lease well before the fence deadline.
const RENEW_RETRY: Duration = Duration::from_millis(500);
/// How often orphans are looked for (with up to a quarter of jitter).
pub const CLAIM_EVERY: Duration = Duration::from_secs(1);
/// Accounts one node claims per look. The share already spreads a crowd of orphans over
/// the peers; the cap only bounds one transaction (25 cost a failover a second tick).
pub const CLAIM_CAP: i64 = 100;
/// A node over its share hands one account to its peers this often at most.
pub const HANDOFF_EVERY: Duration = Duration::from_secs(10);
/// An account stays with a node this long before it may be handed on (no ping-pong).
pub const HANDOFF_COOL_DOWN_SECS: i64 = 60;
/// Rows of nodes dead this long are removed.
const FORGET_DEAD_AFTER_SECS: i64 = 5 * 60;

const _: () = assert!(FENCE_AFTER.as_secs() < LEASE_SECS as u64);

/// This process as a member of the cluster.
#[derive(Debug, Clone)]
pub struct ClusterNode {
    pub pool: PgPool,
    /// The node's id and claims, which its sessions read.
    pub membership: Membership,
    pub address: String,
    /// When the lease was last renewed (Unix ms), for readiness checks.
    renewed_at: Arc<AtomicI64>,
}

fn fresh_id() -> String {
    let mut bytes = [0u8; 8];
    rand::thread_rng().fill(&mut bytes);
    format!("node-{}", hex::encode(bytes))
}

/// An equal share of the accounts meant to be online, rounded up.
pub fn share(total: i64, live_nodes: i64) -> i64 {
    let nodes = live_nodes.max(1);
    (total + nodes - 1) / nodes
}

/// How many more accounts this node should take now, never negative.
pub fn wanted(total: i64, mine: i64, live_nodes: i64) -> i64 {
    (share(total, live_nodes) - mine).max(0)
}

/// How many accounts this node hands on now: what it holds over its share, at most one
/// for each peer (each peer takes at most one per hand-off period). A node one over the
/// rounded share keeps it: shares of 10 and 11 are as fair as it gets.
pub fn to_hand_off(total: i64, mine: i64, live_nodes: i64) -> i64 {
    (mine - share(total, live_nodes)).clamp(0, (live_nodes - 1).max(0))
}

/// What the lease keeper does after a renewal attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaseStep {
    /// Renewed: carry on.
    Alive,
    /// Not renewed yet, but still inside the fence deadline: keep the sessions, try again.
    Waiting,
    /// Too long without a renewal, or the database says the lease ran out: close every
    /// session and stop writing, then join again under a new id.
    Fence,
}

/// `renewed`: Some(true) renewed, Some(false) the row says the lease is over, None the
/// database could not be asked. `since_success`: time since the last renewal that worked.
pub fn lease_step(renewed: Option<bool>, since_success: Duration) -> LeaseStep {
    match renewed {
        Some(true) => LeaseStep::Alive,
        Some(false) => LeaseStep::Fence,
        None if since_success >= FENCE_AFTER => LeaseStep::Fence,
        None => LeaseStep::Waiting,
    }
}

impl ClusterNode {
    /// Joins the cluster: a lease row under a fresh id.
    pub async fn join(pool: PgPool, address: String) -> Result<ClusterNode, sqlx::Error> {
        let id = fresh_id();
        cluster::register(&pool, &id, &address).await?;
        tracing::info!(node = %id, "joined the cluster");
        Ok(ClusterNode {
            membership: Membership::new(pool.clone(), id),
            pool,
            address,
            renewed_at: Arc::new(AtomicI64::new(now_ms())),
        })
    }

    /// Whether the lease was renewed recently enough that this node still holds it.
    pub fn lease_is_fresh(&self) -> bool {
        now_ms() - self.renewed_at.load(Ordering::Relaxed) < FENCE_AFTER.as_millis() as i64
    }

    pub fn id(&self) -> String {
        self.membership.id()
    }

    /// For tests: the lease as if last renewed `ago` ago (a node whose renewals stopped).
    #[cfg(test)]
    pub fn backdate_lease(&self, ago: std::time::Duration) {
        self.renewed_at
            .store(now_ms() - ago.as_millis() as i64, Ordering::Relaxed);
    }

    /// A graceful stop, after the sessions are closed: the accounts and the lease go.
    pub async fn leave(&self) {
        match cluster::leave(&self.pool, &self.id()).await {
            Ok(released) => tracing::info!(released, "left the cluster"),
            Err(e) => tracing::warn!("could not leave the cluster cleanly: {e}"),
        }
    }

    /// Hands accounts to the peers when this node holds more than its share: each socket
    /// is closed first, then ownership let go (epoch-checked); a peer under its share
    /// claims it at its next look. Answers how many went.
    async fn hand_off(&self, manager: &SessionManager) -> Result<usize, sqlx::Error> {
        let node = self.id();
        let (total, mine) = cluster::load(&self.pool, &node).await?;
        let live = cluster::live_nodes(&self.pool).await?;
        let mut handed = 0;
        for _ in 0..to_hand_off(total, mine, live) {
            let Some(account) =
                cluster::handoff_candidate(&self.pool, &node, HANDOFF_COOL_DOWN_SECS).await?
            else {
                break;
            };
            manager.let_go(account.account_id).await;
            if cluster::release(&self.pool, &node, account.account_id, account.epoch).await? {
                handed += 1;
            }
        }
        Ok(handed)
    }

    /// Desired against actual, on every heartbeat (a lost notice costs one beat): sessions
    /// the database no longer wants here are closed, and accounts this node owns that
    /// should be online but have no session get one.
    async fn reconcile(&self, manager: &SessionManager) -> Result<(), sqlx::Error> {
        let node = self.id();
        let running = manager.running_accounts();
        if !running.is_empty() {
            for account in cluster::not_wanted_here(&self.pool, &node, &running).await? {
                manager.reconcile(account);
            }
        }
        for account in cluster::owned_without_session(&self.pool, &node, &running).await? {
            manager.resume(account.company_id, account.account_id).await;
        }
        Ok(())
    }

    async fn claim(&self, manager: &SessionManager) -> Result<Vec<Claimed>, sqlx::Error> {
        let node = self.id();
        let (total, mine) = cluster::load(&self.pool, &node).await?;
        let live = cluster::live_nodes(&self.pool).await?;
        let share = wanted(total, mine, live);
        let claimed = cluster::claim_orphans(&self.pool, &node, share, CLAIM_CAP).await?;
        for account in &claimed {
            manager.resume(account.company_id, account.account_id).await;
        }
        for link in cluster::end_orphaned_links(&self.pool, now_ms()).await? {
            manager.link_interrupted(link.company_id, link.account_id);
        }
        Ok(claimed)
    }

    async fn fence(&self, manager: &SessionManager) {
        tracing::error!(node = %self.id(), "lease lost: closing every WhatsApp session");
        // Closes every session and changes no status: this node may no longer own them.
        manager.shutdown(Duration::from_secs(2)).await;
        loop {
            let id = fresh_id();
            match cluster::register(&self.pool, &id, &self.address).await {
                Ok(()) => {
                    tracing::info!(node = %id, "rejoined the cluster");
                    self.membership.set_id(id);
                    self.renewed_at.store(now_ms(), Ordering::Relaxed);
                    manager.sessions_may_run();
                    return;
                }
                Err(e) => {
                    tracing::warn!("cannot rejoin the cluster yet: {e}");
                    tokio::time::sleep(RENEW_EVERY).await;
                }
            }
        }
    }

    /// Renews the lease and claims orphans until `stop` turns true.
    pub fn start(self, supervisor: &Supervisor, manager: SessionManager) {
        let db = Db::Postgres(self.pool.clone());
        let (node, sender) = (self.clone(), manager.clone());
        supervisor.spawn(Phase::Workers, "cluster replies", move |cancel| {
            cluster_sends::run(node, db, sender, cancel)
        });
        supervisor.spawn(Phase::Workers, "cluster lease", move |cancel| {
            self.keep_lease(manager, cancel)
        });
    }

    async fn keep_lease(self, manager: SessionManager, stop: CancellationToken) {
        {
            let mut last_renewal = Instant::now();
            let mut next_renewal = Instant::now() + RENEW_EVERY;
            // Servers started together see each other's leases before the first claim,
            // so the first one up does not take every account.
            let mut next_claim = Instant::now() + CLAIM_EVERY;
            let mut next_cleanup = Instant::now();
            let mut next_handoff = Instant::now() + HANDOFF_EVERY;
            loop {
                tokio::select! {
                    _ = stop.cancelled() => return,
                    _ = tokio::time::sleep_until(
                        next_renewal.min(next_claim).min(last_renewal + FENCE_AFTER)
                    ) => {}
                }
                let now = Instant::now();
                if now >= next_renewal {
                    next_renewal = now + RENEW_EVERY;
                    // An attempt never runs past the fence deadline.
                    let give_up = (now + RENEW_EVERY).min(last_renewal + FENCE_AFTER);
                    let renewed =
                        tokio::time::timeout_at(give_up, cluster::renew(&self.pool, &self.id()))
                            .await
                            .ok()
                            .and_then(Result::ok);
                    match lease_step(renewed, last_renewal.elapsed()) {
                        // The lease runs from when the database took the renewal, which
                        // is after the attempt began: count from the beginning.
                        LeaseStep::Alive => {
                            last_renewal = now;
                            self.renewed_at.store(now_ms(), Ordering::Relaxed);
                            if let Err(e) = self.reconcile(&manager).await {
                                tracing::warn!("could not compare sessions with the database: {e}");
                            }
                        }
                        LeaseStep::Waiting => {
                            tracing::warn!("could not renew the cluster lease; retrying");
                            next_renewal = Instant::now() + RENEW_RETRY;
                        }
                        LeaseStep::Fence => {
                            self.fence(&manager).await;
                            last_renewal = Instant::now();
                        }
                    }
                }
                // Between renewals too: the deadline does not wait for the next attempt.
                if lease_step(None, last_renewal.elapsed()) == LeaseStep::Fence {
                    self.fence(&manager).await;
                    last_renewal = Instant::now();
                }
                // A node that is not sure of its lease takes nothing new.
                if now >= next_claim && last_renewal.elapsed() < RENEW_EVERY * 2 {
                    let jitter =
                        rand::thread_rng().gen_range(0..=CLAIM_EVERY.as_millis() as u64 / 4);
                    next_claim = now + CLAIM_EVERY + Duration::from_millis(jitter);
                    match self.claim(&manager).await {
                        Ok(claimed) if !claimed.is_empty() => {
                            tracing::info!(
                                accounts = claimed.len(),
                                "claimed accounts without a live owner"
                            )
                        }
                        Ok(_) => {}
                        Err(e) => tracing::warn!("could not look for orphaned accounts: {e}"),
                    }
                } else if now >= next_claim {
                    next_claim = now + CLAIM_EVERY;
                }
                if now >= next_handoff && last_renewal.elapsed() < RENEW_EVERY * 2 {
                    next_handoff = now + HANDOFF_EVERY;
                    match self.hand_off(&manager).await {
                        Ok(0) => {}
                        Ok(handed) => tracing::info!(handed, "handed accounts to peers"),
                        Err(e) => tracing::warn!("could not hand an account on: {e}"),
                    }
                }
                if now >= next_cleanup {
                    next_cleanup = now + Duration::from_secs(60);
                    let _ = cluster::forget_dead(&self.pool, FORGET_DEAD_AFTER_SECS).await;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_node_wants_an_equal_share() {
        assert_eq!(wanted(30, 0, 1), 30);
        assert_eq!(wanted(30, 30, 3), 0, "over its share: takes nothing");
        assert_eq!(wanted(30, 0, 3), 10);
        assert_eq!(
            wanted(31, 10, 3),
            1,
            "shares round up so nothing is left over"
        );
        assert_eq!(wanted(0, 0, 0), 0);
        assert_eq!(wanted(5, 0, 0), 5, "alone when no lease is visible");
    }

    #[test]
    fn only_a_node_above_the_rounded_share_hands_on_at_most_one_per_peer() {
        assert_eq!(to_hand_off(30, 30, 3), 2, "one for each of two peers");
        assert_eq!(to_hand_off(30, 11, 3), 1);
        assert_eq!(to_hand_off(30, 10, 3), 0);
        assert_eq!(to_hand_off(31, 11, 3), 0, "11 of 31 on three nodes is fair");
        assert_eq!(to_hand_off(31, 12, 3), 1);
        assert_eq!(to_hand_off(30, 30, 1), 0, "alone: nobody to hand to");
        assert_eq!(to_hand_off(30, 30, 0), 0);
    }

    #[test]
    fn a_node_fences_itself_before_its_lease_can_run_out() {
        assert_eq!(
            lease_step(Some(true), Duration::from_secs(30)),
            LeaseStep::Alive
        );
        assert_eq!(lease_step(Some(false), Duration::ZERO), LeaseStep::Fence);
        assert_eq!(lease_step(None, Duration::from_secs(7)), LeaseStep::Waiting);
        assert_eq!(lease_step(None, FENCE_AFTER), LeaseStep::Fence);
        assert!(FENCE_AFTER < Duration::from_secs(LEASE_SECS as u64));
    }
}
