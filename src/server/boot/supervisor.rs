//! The one owner of background work. Every long-running task is started here with a name
//! and the phase it stops in; each gets a cancellation token and must end soon after it
//! fires, between two units of work, never in the middle of one (a batch of a Delete, one
//! scheduled send). Shutdown stops the phases in their order; a task still running after
//! its allowance is aborted and named in the log, so a stuck task cannot hold the process.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// When a task stops, in shutdown order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// Work that starts new work: Deletes, scheduled sends, replies for peers, purges, and
    /// the cluster's lease keeper (it claims and resumes accounts). Stopped first, so
    /// nothing new begins while the sessions close.
    Workers,
    /// The notices between the servers of a cluster: they carry the sessions' last changes
    /// while those close, and stop after them.
    Notices,
    /// What feeds open pages: last, once nothing changes any more.
    Feeds,
}

struct Task {
    phase: Phase,
    name: &'static str,
    handle: JoinHandle<()>,
}

#[derive(Clone, Default)]
pub struct Supervisor {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    root: CancellationToken,
    phases: Mutex<Vec<(Phase, CancellationToken)>>,
    tasks: Mutex<Vec<Task>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

impl Supervisor {
    pub fn new() -> Self {
        Self::default()
    }

    /// The token every task of `phase` is given; cancelled when that phase stops.
    pub fn token(&self, phase: Phase) -> CancellationToken {
        let mut phases = lock(&self.inner.phases);
        if let Some((_, token)) = phases.iter().find(|(p, _)| *p == phase) {
            return token.clone();
        }
        let token = self.inner.root.child_token();
        phases.push((phase, token.clone()));
        token
    }

    /// Starts `task` with its phase's token.
    pub fn spawn<F, Fut>(&self, phase: Phase, name: &'static str, task: F)
    where
        F: FnOnce(CancellationToken) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let handle = tokio::spawn(task(self.token(phase)));
        let mut tasks = lock(&self.inner.tasks);
        tasks.retain(|t| !t.handle.is_finished());
        tasks.push(Task {
            phase,
            name,
            handle,
        });
    }

    /// The names of the tasks still running, for the log and the tests.
    pub fn running(&self) -> Vec<&'static str> {
        let tasks = lock(&self.inner.tasks);
        tasks
            .iter()
            .filter(|t| !t.handle.is_finished())
            .map(|t| t.name)
            .collect()
    }

    /// Cancels `phase` and waits up to `within` for its tasks; aborts and returns the
    /// names of those that did not end in time.
    pub async fn stop(&self, phase: Phase, within: Duration) -> Vec<&'static str> {
        self.token(phase).cancel();
        let stopping: Vec<Task> = {
            let mut tasks = lock(&self.inner.tasks);
            let (now, later): (Vec<Task>, Vec<Task>) =
                tasks.drain(..).partition(|t| t.phase == phase);
            *tasks = later;
            now
        };
        let deadline = Instant::now() + within;
        let mut stuck = Vec::new();
        for mut task in stopping {
            if tokio::time::timeout_at(deadline, &mut task.handle)
                .await
                .is_err()
            {
                task.handle.abort();
                tracing::warn!(task = task.name, "did not stop in {within:?}; aborted");
                stuck.push(task.name);
            }
        }
        stuck
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn phases_stop_in_turn_and_a_stuck_task_is_aborted_and_named() {
        let supervisor = Supervisor::new();
        let (tx, mut order) = tokio::sync::mpsc::unbounded_channel();
        for (phase, name) in [(Phase::Feeds, "feed"), (Phase::Workers, "worker")] {
            let tx = tx.clone();
            supervisor.spawn(phase, name, move |cancel| async move {
                cancel.cancelled().await;
                let _ = tx.send(name);
            });
        }
        supervisor.spawn(Phase::Workers, "stuck", |_cancel| std::future::pending());
        assert_eq!(supervisor.running().len(), 3);

        let stuck = supervisor
            .stop(Phase::Workers, Duration::from_millis(200))
            .await;
        assert_eq!(stuck, vec!["stuck"]);
        assert_eq!(order.try_recv().ok(), Some("worker"));
        assert!(
            order.try_recv().is_err(),
            "the feed runs until its own phase stops"
        );
        assert_eq!(supervisor.running(), vec!["feed"]);

        assert!(supervisor
            .stop(Phase::Feeds, Duration::from_secs(1))
            .await
            .is_empty());
        assert_eq!(order.try_recv().ok(), Some("feed"));
        assert!(supervisor.running().is_empty());
    }

    #[tokio::test]
    async fn a_task_started_after_its_phase_stopped_is_cancelled_at_once() {
        let supervisor = Supervisor::new();
        supervisor
            .stop(Phase::Workers, Duration::from_secs(1))
            .await;
        supervisor.spawn(Phase::Workers, "late", |cancel| async move {
            cancel.cancelled().await;
        });
        assert!(supervisor
            .stop(Phase::Workers, Duration::from_secs(1))
            .await
            .is_empty());
    }
}
