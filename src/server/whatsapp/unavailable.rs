//! `AURORA_WHATSAPP=live` until the whatsapp-rust driver lands: every attempt says
//! plainly that WhatsApp cannot be reached from this build, and nothing else breaks.

use futures::future::BoxFuture;
use tokio::sync::mpsc;

use super::driver::{Connection, Driver, DriverError, DriverEvent};

pub struct LiveUnavailable;

impl Driver for LiveUnavailable {
    fn open(
        &self,
        _account: i64,
        _credentials: Option<String>,
        _events: mpsc::Sender<DriverEvent>,
    ) -> BoxFuture<'static, Result<Connection, DriverError>> {
        Box::pin(async {
            Err(DriverError::Unreachable(
                "the live WhatsApp driver is not in this build yet; use AURORA_WHATSAPP=simulator"
                    .into(),
            ))
        })
    }
}
