//! The simulator's end of the wire (see `whatsapp::sim_wire`): a node's request opens a
//! simulator connection, the socket is upgraded, and the two are pumped into each other
//! until either side ends. A connection that cannot open is answered with an HTTP error
//! carrying the reason, before any upgrade.

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

use crate::server::drivers::driver::{Connection, DriverError, DriverEvent, SendTicket};
use crate::server::drivers::simulator::wire::{
    Frame, Request as WireRequest, WireAnswer, WireCommand, WireError, CREDENTIALS_HEADER,
    NODE_HEADER, PROTOCOL,
};
use crate::server::drivers::simulator::Simulator;

fn refusal(error: DriverError) -> Response {
    let status = match error {
        DriverError::Unreachable(_) => StatusCode::SERVICE_UNAVAILABLE,
        DriverError::LoggedOut(_) => StatusCode::UNAUTHORIZED,
        DriverError::Rejected(_) | DriverError::Closed => StatusCode::BAD_REQUEST,
    };
    (status, Json(WireError::from(error))).into_response()
}

fn header_text(request: &Request, name: &str) -> Option<String> {
    let value = request.headers().get(name)?;
    value.to_str().ok().map(str::to_string)
}

pub async fn wire(
    State(sim): State<Simulator>,
    Path(account): Path<i64>,
    mut request: Request,
) -> Response {
    let asks_for_wire = request
        .headers()
        .get(header::UPGRADE)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(PROTOCOL.as_bytes()));
    if !asks_for_wire {
        return (
            StatusCode::UPGRADE_REQUIRED,
            [(header::UPGRADE, PROTOCOL)],
            "connect with Upgrade: aurora-sim-wire",
        )
            .into_response();
    }
    let credentials = header_text(&request, CREDENTIALS_HEADER);
    let node = header_text(&request, NODE_HEADER);
    let upgrade = hyper::upgrade::on(&mut request);
    drop(request);
    let (events_tx, events) = mpsc::channel(64);
    let connection = match sim.open_as(account, credentials, events_tx, node).await {
        Ok(connection) => connection,
        Err(error) => return refusal(error),
    };
    tokio::spawn(async move {
        match upgrade.await {
            Ok(upgraded) => pump(TokioIo::new(upgraded), connection, events).await,
            Err(e) => tracing::warn!(account, "simulator wire upgrade failed: {e}"),
        }
    });
    Response::builder()
        .status(StatusCode::SWITCHING_PROTOCOLS)
        .header(header::CONNECTION, "upgrade")
        .header(header::UPGRADE, PROTOCOL)
        .body(Body::empty())
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// Runs one command on the connection; its answer goes back through `answers`.
fn answer(connection: &Connection, request: WireRequest, answers: mpsc::Sender<Frame>) {
    let commands = connection.commands.clone();
    tokio::spawn(async move {
        let connection = Connection { commands };
        let result = match request.command {
            WireCommand::PairCode { phone } => connection
                .request_pair_code(phone)
                .await
                .map(WireAnswer::Text),
            WireCommand::Logout => connection.logout().await.map(|()| WireAnswer::Done),
            // The remote driver took its ticket before the command reached the wire.
            WireCommand::SendText { to, text } => connection
                .send_text(to, text, SendTicket::default())
                .await
                .map(WireAnswer::Text),
            WireCommand::MarkRead { chat, ids } => connection
                .mark_read(chat, ids)
                .await
                .map(|()| WireAnswer::Done),
            WireCommand::PasskeyAssertion { json } => connection
                .passkey_assertion(json)
                .await
                .map(|()| WireAnswer::Done),
            WireCommand::FetchMedia { reference } => {
                match connection.fetch_media(reference).await {
                    Ok(answer) => answer
                        .await
                        .unwrap_or(Err(DriverError::Closed))
                        .map(|bytes| WireAnswer::Bytes(STANDARD.encode(bytes))),
                    Err(e) => Err(e),
                }
            }
            WireCommand::Stats => connection.stats().await.map(WireAnswer::Stats),
        };
        let frame = Frame::Answer {
            id: request.id,
            result: result.map_err(WireError::from),
        };
        let _ = answers.send(frame).await;
    });
}

async fn pump<S: AsyncRead + AsyncWrite + Unpin>(
    socket: S,
    connection: Connection,
    mut events: mpsc::Receiver<DriverEvent>,
) {
    let (read, mut write) = tokio::io::split(socket);
    let mut lines = BufReader::new(read).lines();
    let (answers_tx, mut answers) = mpsc::channel::<Frame>(16);
    loop {
        let frame = tokio::select! {
            event = events.recv() => match event {
                Some(event) => Frame::Event(event.into()),
                // The simulator ended the connection (after its last event, if any).
                None => break,
            },
            Some(frame) = answers.recv() => frame,
            line = lines.next_line() => match line {
                Ok(Some(line)) => {
                    match serde_json::from_str::<WireRequest>(&line) {
                        Ok(request) => answer(&connection, request, answers_tx.clone()),
                        Err(e) => {
                            tracing::warn!("simulator wire: unreadable request: {e}");
                            break;
                        }
                    }
                    continue;
                }
                // The node closed its socket (or died): the connection is over.
                _ => break,
            },
        };
        let mut line = match serde_json::to_vec(&frame) {
            Ok(line) => line,
            Err(_) => continue,
        };
        line.push(b'\n');
        if write.write_all(&line).await.is_err() {
            break;
        }
    }
    let _ = write.shutdown().await;
    drop(connection);
}
