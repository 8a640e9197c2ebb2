//! The driver for a simulator in another process (`AURORA_WHATSAPP=simulator+http://…`):
//! every connection is its own socket to `aurora wa-sim`, so several nodes share one fake
//! WhatsApp network, and a node that dies drops its connections the way a real one would.

use std::collections::HashMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use futures::future::BoxFuture;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};

use crate::server::drivers::driver::{
    Connection, Driver, DriverCommand, DriverError, DriverEvent, SessionStats,
};
use crate::server::drivers::simulator::wire::{
    wire_path, Frame, Request, WireAnswer, WireCommand, WireError, CREDENTIALS_HEADER, NODE_HEADER,
    PROTOCOL,
};

/// The largest refusal body read before the upgrade (a JSON error is a few dozen bytes).
const MAX_REFUSAL_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone)]
pub struct RemoteSimulator {
    /// `host:port` of the `wa-sim` process.
    address: String,
    /// How this process names itself in the simulator's connection log.
    node: Option<String>,
}

impl RemoteSimulator {
    pub fn new(address: impl Into<String>, node: Option<String>) -> Self {
        RemoteSimulator {
            address: address.into(),
            node,
        }
    }
}

/// Who waits for the answer of a request sent on the wire.
enum Waiting {
    Text(oneshot::Sender<Result<String, DriverError>>),
    Done(oneshot::Sender<Result<(), DriverError>>),
    Stats(oneshot::Sender<SessionStats>),
    Bytes(oneshot::Sender<Result<Vec<u8>, DriverError>>),
}

fn unexpected() -> DriverError {
    DriverError::Rejected("the simulator answered something else".into())
}

impl Waiting {
    fn answer(self, result: Result<WireAnswer, WireError>) {
        match self {
            Waiting::Text(reply) => {
                let _ = reply.send(match result {
                    Ok(WireAnswer::Text(text)) => Ok(text),
                    Ok(_) => Err(unexpected()),
                    Err(e) => Err(e.into()),
                });
            }
            Waiting::Done(reply) => {
                let _ = reply.send(match result {
                    Ok(WireAnswer::Done) => Ok(()),
                    Ok(_) => Err(unexpected()),
                    Err(e) => Err(e.into()),
                });
            }
            Waiting::Bytes(reply) => {
                let _ = reply.send(match result {
                    Ok(WireAnswer::Bytes(b64)) => STANDARD.decode(b64).map_err(|_| unexpected()),
                    Ok(_) => Err(unexpected()),
                    Err(e) => Err(e.into()),
                });
            }
            // Dropping the reply tells the caller the connection is closed.
            Waiting::Stats(reply) => {
                if let Ok(WireAnswer::Stats(stats)) = result {
                    let _ = reply.send(stats);
                }
            }
        }
    }
}

/// The command as it goes on the wire; `None` for a send that was given up on first.
fn to_wire(command: DriverCommand) -> Option<(WireCommand, Waiting)> {
    Some(match command {
        DriverCommand::RequestPairCode { phone, reply } => {
            (WireCommand::PairCode { phone }, Waiting::Text(reply))
        }
        DriverCommand::Logout { reply } => (WireCommand::Logout, Waiting::Done(reply)),
        DriverCommand::SendText {
            to,
            text,
            ticket,
            reply,
        } => {
            if !ticket.take() {
                return None; // given up on before it reached the socket
            }
            (WireCommand::SendText { to, text }, Waiting::Text(reply))
        }
        DriverCommand::MarkRead { chat, ids, reply } => {
            (WireCommand::MarkRead { chat, ids }, Waiting::Done(reply))
        }
        DriverCommand::PasskeyAssertion { json, reply } => {
            (WireCommand::PasskeyAssertion { json }, Waiting::Done(reply))
        }
        DriverCommand::FetchMedia { reference, reply } => {
            (WireCommand::FetchMedia { reference }, Waiting::Bytes(reply))
        }
        DriverCommand::Stats { reply } => (WireCommand::Stats, Waiting::Stats(reply)),
    })
}

/// Reads the status line and headers; answers the status and the Content-Length.
async fn read_head(reader: &mut BufReader<OwnedReadHalf>) -> std::io::Result<(u16, usize)> {
    let mut line = String::new();
    reader.read_line(&mut line).await?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("not an HTTP answer: {line:?}")))?;
    let mut length = 0;
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 || line == "\r\n" || line == "\n" {
            return Ok((status, length));
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
}

impl RemoteSimulator {
    async fn connect(
        &self,
        account: i64,
        credentials: Option<String>,
    ) -> Result<(BufReader<OwnedReadHalf>, OwnedWriteHalf), DriverError> {
        let unreachable = |e: std::io::Error| {
            DriverError::Unreachable(format!("simulator {}: {e}", self.address))
        };
        let stream = TcpStream::connect(&self.address)
            .await
            .map_err(unreachable)?;
        let _ = stream.set_nodelay(true);
        let (read, mut write) = stream.into_split();
        let mut head = format!(
            "GET {} HTTP/1.1\r\nHost: {}\r\nConnection: Upgrade\r\nUpgrade: {PROTOCOL}\r\n",
            wire_path(account),
            self.address
        );
        if let Some(node) = self.node.as_deref().filter(|n| !n.contains(['\r', '\n'])) {
            head.push_str(&format!("{NODE_HEADER}: {node}\r\n"));
        }
        if let Some(credentials) = credentials {
            if credentials.contains(['\r', '\n']) {
                return Err(DriverError::Rejected("unreadable credentials".into()));
            }
            head.push_str(&format!("{CREDENTIALS_HEADER}: {credentials}\r\n"));
        }
        head.push_str("\r\n");
        write
            .write_all(head.as_bytes())
            .await
            .map_err(unreachable)?;
        let mut reader = BufReader::new(read);
        let (status, length) = read_head(&mut reader).await.map_err(unreachable)?;
        if status == 101 {
            return Ok((reader, write));
        }
        let mut body = vec![0; length.min(MAX_REFUSAL_BYTES)];
        reader.read_exact(&mut body).await.map_err(unreachable)?;
        Err(match serde_json::from_slice::<WireError>(&body) {
            Ok(error) => error.into(),
            Err(_) => {
                DriverError::Unreachable(format!("simulator {} answered {status}", self.address))
            }
        })
    }
}

/// Carries one connection: commands out as requests, frames in as events and answers.
/// Ends when the manager drops the connection (closing the socket) or the socket ends
/// (the events channel then closes, which the actor reads as the connection ending).
async fn run(
    reader: BufReader<OwnedReadHalf>,
    mut write: OwnedWriteHalf,
    mut commands: mpsc::Receiver<DriverCommand>,
    events: mpsc::Sender<DriverEvent>,
) {
    let mut lines = reader.lines();
    let mut waiting: HashMap<u64, Waiting> = HashMap::new();
    let mut next_id = 0u64;
    loop {
        tokio::select! {
            command = commands.recv() => {
                let Some(command) = command else { break };
                next_id += 1;
                let Some((command, waiter)) = to_wire(command) else { continue };
                let request = Request { id: next_id, command };
                let Ok(mut line) = serde_json::to_vec(&request) else { continue };
                line.push(b'\n');
                if write.write_all(&line).await.is_err() {
                    break;
                }
                waiting.insert(next_id, waiter);
            }
            line = lines.next_line() => {
                let Ok(Some(line)) = line else { break };
                match serde_json::from_str::<Frame>(&line) {
                    Ok(Frame::Answer { id, result }) => {
                        if let Some(waiter) = waiting.remove(&id) {
                            waiter.answer(result);
                        }
                    }
                    Ok(Frame::Event(event)) => match DriverEvent::try_from(event) {
                        Ok(event) => {
                            if events.send(event).await.is_err() {
                                break;
                            }
                        }
                        Err(e) => tracing::warn!("simulator wire: {e}"),
                    },
                    Err(e) => {
                        tracing::warn!("simulator wire: unreadable frame: {e}");
                        break;
                    }
                }
            }
        }
    }
    let _ = write.shutdown().await;
}

impl Driver for RemoteSimulator {
    fn open(
        &self,
        account: i64,
        credentials: Option<String>,
        events: mpsc::Sender<DriverEvent>,
    ) -> BoxFuture<'static, Result<Connection, DriverError>> {
        let this = self.clone();
        Box::pin(async move {
            let (reader, write) = this.connect(account, credentials).await?;
            let (commands_tx, commands) = mpsc::channel(8);
            tokio::spawn(run(reader, write, commands, events));
            Ok(Connection {
                commands: commands_tx,
            })
        })
    }
}

#[cfg(test)]
mod tests;
