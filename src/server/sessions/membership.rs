//! This server's place in a cluster, as its sessions see it: which node it is, and the
//! claim (fence) under which a session may connect and write. The cluster subsystem keeps
//! the lease and changes the id when it fences itself; sessions only read.

use std::sync::{Arc, Mutex};

use sqlx::PgPool;

use crate::server::db::accounts::Fence;
use crate::server::db::cluster;

#[derive(Debug, Clone)]
pub struct Membership {
    pub pool: PgPool,
    /// A fresh id at every start (and after fencing itself).
    id: Arc<Mutex<String>>,
}

impl Membership {
    pub fn new(pool: PgPool, id: String) -> Self {
        Membership {
            pool,
            id: Arc::new(Mutex::new(id)),
        }
    }

    pub fn id(&self) -> String {
        self.id.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Joins again under a new id (after fencing itself).
    pub fn set_id(&self, id: String) {
        *self.id.lock().unwrap_or_else(|p| p.into_inner()) = id;
    }

    /// The fence for this node's writes to the account when it owns it now.
    pub async fn ownership(&self, account: i64) -> Result<Option<Fence>, sqlx::Error> {
        let node = self.id();
        Ok(cluster::owner_of(&self.pool, account)
            .await?
            .filter(|(owner, _)| *owner == node)
            .map(|(node, epoch)| Fence { node, epoch }))
    }

    /// Whether another live server owns the account (and so holds its socket).
    pub async fn runs_elsewhere(&self, account: i64) -> Result<bool, sqlx::Error> {
        let owner = cluster::live_owner(&self.pool, account).await?;
        Ok(owner.is_some_and(|owner| owner != self.id()))
    }

    /// Takes the account for this node (it is about to connect it: a phone linking here).
    pub async fn take(&self, account: i64) -> Result<Fence, sqlx::Error> {
        let node = self.id();
        let epoch = cluster::take(&self.pool, &node, account).await?;
        Ok(Fence { node, epoch })
    }
}
