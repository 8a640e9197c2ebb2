//! Watches every connection attempt whatsapp-rust makes, because a failed attempt raises
//! no event: the library only logs it and retries on its own schedule. The probe reports
//! the failure instead, so the account's actor can retry on ours and say why.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::mpsc;
use whatsapp_rust::transport::{Transport, TransportEvent, TransportFactory};
use whatsapp_rust::{anyhow, async_channel};

/// Shared between the transport wrapper (which sees attempts) and the session (which
/// sees events that prove an attempt got through).
pub struct Probe {
    attempts: AtomicU32,
    got_through: AtomicBool,
    failures: mpsc::UnboundedSender<String>,
}

impl Probe {
    pub fn new() -> (Arc<Probe>, mpsc::UnboundedReceiver<String>) {
        let (failures, receiver) = mpsc::unbounded_channel();
        let probe = Probe {
            attempts: AtomicU32::new(0),
            got_through: AtomicBool::new(false),
            failures,
        };
        (Arc::new(probe), receiver)
    }

    /// WhatsApp answered this attempt (a QR code, a login, a refusal with a reason).
    pub fn got_through(&self) {
        self.got_through.store(true, Ordering::Relaxed);
    }

    fn report(&self, message: String) {
        let _ = self.failures.send(message);
    }
}

/// Wraps the real transport factory: reports sockets that don't open (or don't open in
/// time), and attempts that opened but never got an answer.
pub struct ProbedTransport<F> {
    pub inner: F,
    pub probe: Arc<Probe>,
    pub connect_timeout: Duration,
}

#[async_trait]
impl<F: TransportFactory + Send + Sync> TransportFactory for ProbedTransport<F> {
    async fn create_transport(
        &self,
    ) -> Result<(Arc<dyn Transport>, async_channel::Receiver<TransportEvent>), anyhow::Error> {
        let earlier = self.probe.attempts.fetch_add(1, Ordering::Relaxed);
        // The library only dials again after an attempt ended; one that ended without an
        // answer failed during the version check or the Noise handshake.
        if earlier > 0 && !self.probe.got_through.swap(false, Ordering::Relaxed) {
            self.probe
                .report("WhatsApp closed the connection before it was established".into());
        }
        match tokio::time::timeout(self.connect_timeout, self.inner.create_transport()).await {
            Ok(Ok(transport)) => Ok(transport),
            Ok(Err(error)) => {
                self.probe.report(describe(&error));
                Err(error)
            }
            Err(_) => {
                let message = format!(
                    "no answer from WhatsApp within {} s",
                    self.connect_timeout.as_secs()
                );
                self.probe.report(message.clone());
                Err(anyhow::anyhow!(message))
            }
        }
    }
}

/// The innermost cause reads best ("failed to lookup address information: …").
fn describe(error: &anyhow::Error) -> String {
    let root = error.root_cause().to_string();
    if root.is_empty() {
        error.to_string()
    } else {
        root
    }
}
