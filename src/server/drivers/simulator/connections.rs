//! The simulator's record of linked-device connections, for tests of many nodes: which
//! connection holds each device now, every open and close with its time, and how often a
//! second connection with the same keys kicked the first ("replaced"), which WhatsApp
//! allows never to coexist.

use std::collections::{HashMap, VecDeque};

use crate::server::db::now_ms;

/// Opens and closes kept for `GET /simulator/api/connections`; the oldest go first.
pub const HISTORY_LIMIT: usize = 100_000;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OpenConnection {
    pub account_id: i64,
    pub device: String,
    /// The node that opened it (the wire's `x-sim-node`), when it said.
    pub node: Option<String>,
    pub since_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionChange {
    Opened,
    Closed,
    /// Closed because another connection came with the same device keys.
    Replaced,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConnectionRecord {
    pub account_id: i64,
    pub node: Option<String>,
    pub change: ConnectionChange,
    pub at_ms: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ConnectionReport {
    pub open: Vec<OpenConnection>,
    pub connects: u64,
    pub disconnects: u64,
    pub conflicts: u64,
    pub history: Vec<ConnectionRecord>,
}

/// Connections are told apart by a serial the simulator gives each.
#[derive(Debug, Default)]
pub struct ConnectionLog {
    open: HashMap<u64, OpenConnection>,
    connects: u64,
    disconnects: u64,
    conflicts: u64,
    history: VecDeque<ConnectionRecord>,
}

impl ConnectionLog {
    fn record(&mut self, account_id: i64, node: Option<String>, change: ConnectionChange) {
        if self.history.len() >= HISTORY_LIMIT {
            self.history.pop_front();
        }
        self.history.push_back(ConnectionRecord {
            account_id,
            node,
            change,
            at_ms: now_ms(),
        });
    }

    /// A connection with `device`'s keys is online. Answers the serials of the connections
    /// it replaces (same device), which the caller must close.
    pub fn opened(
        &mut self,
        serial: u64,
        account_id: i64,
        device: &str,
        node: Option<String>,
    ) -> Vec<u64> {
        let replaced: Vec<u64> = self
            .open
            .iter()
            .filter(|(s, c)| **s != serial && c.device == device)
            .map(|(s, _)| *s)
            .collect();
        for old in &replaced {
            if let Some(connection) = self.open.remove(old) {
                self.conflicts += 1;
                self.disconnects += 1;
                self.record(
                    connection.account_id,
                    connection.node,
                    ConnectionChange::Replaced,
                );
            }
        }
        self.connects += 1;
        self.record(account_id, node.clone(), ConnectionChange::Opened);
        self.open.insert(
            serial,
            OpenConnection {
                account_id,
                device: device.to_string(),
                node,
                since_ms: now_ms(),
            },
        );
        replaced
    }

    /// The connection is over (closed by either side); nothing when it was already replaced.
    pub fn closed(&mut self, serial: u64) {
        if let Some(connection) = self.open.remove(&serial) {
            self.disconnects += 1;
            self.record(
                connection.account_id,
                connection.node,
                ConnectionChange::Closed,
            );
        }
    }

    pub fn report(&self) -> ConnectionReport {
        let mut open: Vec<OpenConnection> = self.open.values().cloned().collect();
        open.sort_by_key(|a| (a.account_id, a.since_ms));
        ConnectionReport {
            open,
            connects: self.connects,
            disconnects: self.disconnects,
            conflicts: self.conflicts,
            history: self.history.iter().cloned().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_connection_with_the_same_keys_replaces_the_first() {
        let mut log = ConnectionLog::default();
        assert!(log.opened(1, 10, "dev-a", Some("n1".into())).is_empty());
        assert!(log.opened(2, 11, "dev-b", Some("n1".into())).is_empty());
        assert_eq!(log.opened(3, 10, "dev-a", Some("n2".into())), vec![1]);
        log.closed(1); // the replaced one's own close is not counted twice
        let report = log.report();
        assert_eq!(
            (report.connects, report.disconnects, report.conflicts),
            (3, 1, 1)
        );
        let holders: Vec<(i64, Option<&str>)> = report
            .open
            .iter()
            .map(|c| (c.account_id, c.node.as_deref()))
            .collect();
        assert_eq!(holders, vec![(10, Some("n2")), (11, Some("n1"))]);
        let changes: Vec<ConnectionChange> = report.history.iter().map(|r| r.change).collect();
        assert_eq!(
            changes,
            vec![
                ConnectionChange::Opened,
                ConnectionChange::Opened,
                ConnectionChange::Replaced,
                ConnectionChange::Opened
            ]
        );
        log.closed(2);
        log.closed(3);
        let report = log.report();
        assert!(report.open.is_empty());
        assert_eq!((report.disconnects, report.conflicts), (3, 1));
    }
}
