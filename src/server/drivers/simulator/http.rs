//! The simulator's control API and its demo page, mounted only when
//! `AURORA_WHATSAPP=simulator` (404 otherwise) and served by `aurora wa-sim`. JSON in and
//! out; numbers in E.164.

use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Deserialize;
use serde_json::json;

use crate::domain::address;
use crate::paths;

use crate::server::drivers::driver::InboundMedia;
use crate::server::drivers::driver::{HistoryMedia, HistoryMessage};
use crate::server::drivers::simulator::history::{self, HistoryFile};
use crate::server::drivers::simulator::wire_http as sim_wire_http;
use crate::server::drivers::simulator::{customer_message, ScanOutcome, Simulator};
use crate::server::services::phone::parse_international;

/// The control API and demo page over `sim`, for the app (`AURORA_WHATSAPP=simulator`) or
/// the `wa-sim` process, plus the wire nodes connect through (`simulator+http://…`).
pub fn routes<S: Clone + Send + Sync + 'static>(sim: Simulator) -> Router<S> {
    Router::new()
        .route(paths::SIMULATOR, get(page))
        .route(paths::SIMULATOR_UI, post(page_action))
        .route(paths::SIMULATOR_LINKING, get(linking))
        .route(paths::SIMULATOR_SCAN, post(scan))
        .route(paths::SIMULATOR_PAIR_CODE, post(pair_code))
        .route(paths::SIMULATOR_UNLINK, post(unlink))
        .route(paths::SIMULATOR_MESSAGES, post(message))
        .route(paths::SIMULATOR_OUTBOX, get(outbox))
        .route(paths::SIMULATOR_READ, post(customer_reads))
        .route(paths::SIMULATOR_READ_MARKS, get(read_marks))
        .route(paths::SIMULATOR_NETWORK, post(network))
        .route(paths::SIMULATOR_SEND_DELAY, post(send_delay))
        .route(paths::SIMULATOR_STALL, post(stall))
        .route(paths::SIMULATOR_CONFIRM_PASSKEY, post(confirm_passkey))
        .route(paths::SIMULATOR_LID_MAPPINGS, post(lid_mapping))
        .route(paths::SIMULATOR_VERSION, post(version))
        .route(paths::SIMULATOR_PHONE_NETWORK, post(phone_network))
        .route(paths::SIMULATOR_CONNECTIONS, get(connections))
        .route(paths::SIMULATOR_WIRE_ROUTE, get(sim_wire_http::wire))
        .with_state(sim)
}

fn outcome(result: ScanOutcome) -> Response {
    match result {
        ScanOutcome::Linked(account_id) => {
            Json(json!({ "account_id": account_id })).into_response()
        }
        ScanOutcome::Expired => (
            StatusCode::GONE,
            Json(json!({ "error": "that code has expired" })),
        )
            .into_response(),
        ScanOutcome::Unknown => (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": "no such code" })),
        )
            .into_response(),
    }
}

async fn linking(State(sim): State<Simulator>) -> Response {
    Json(sim.linking()).into_response()
}

#[derive(Deserialize)]
struct Scan {
    qr: String,
    phone: String,
    business_name: String,
    /// The chats the phone sends once linked, after `history_count` generated ones (over
    /// `history_chats` customers, default one per 25 messages).
    #[serde(default)]
    history: Vec<HistoryItem>,
    #[serde(default)]
    history_count: usize,
    #[serde(default)]
    history_chats: Option<usize>,
    /// The account is protected by a passkey: WhatsApp asks for it after the scan.
    #[serde(default)]
    passkey: bool,
}

#[derive(Deserialize)]
struct HistoryItem {
    id: String,
    /// The customer: a number, or `lid:<digits>`.
    from: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    text: String,
    /// RFC 3339.
    at: String,
    /// Written by the linked number rather than the customer.
    #[serde(default)]
    from_me: bool,
    /// An attachment: the phone keeps it until a device asks for it.
    #[serde(default)]
    media: Option<HistoryFileItem>,
}

#[derive(Deserialize)]
struct HistoryFileItem {
    filename: String,
    content_type: String,
    /// The file, base64.
    base64: String,
    /// The phone deleted it since: every download fails.
    #[serde(default)]
    gone: bool,
}

async fn scan(State(sim): State<Simulator>, Json(body): Json<Scan>) -> Response {
    let (history, files) = match history_of(&body) {
        Ok(history) => history,
        Err(error) => return unprocessable(&error),
    };
    sim.keep_history_files(files);
    let result = if body.passkey {
        sim.scan_passkey_gated(&body.qr, &body.phone, &body.business_name)
            .await
    } else {
        sim.scan(&body.qr, &body.phone, &body.business_name).await
    };
    if matches!(result, ScanOutcome::Linked(_)) {
        sim.send_history(body.phone.clone(), history);
    }
    outcome(result)
}

/// The history a scan asks for, and the files it names (kept by the phone).
type History = (Vec<HistoryMessage>, Vec<(String, HistoryFile)>);

fn history_of(body: &Scan) -> Result<History, String> {
    if body.history_count > history::MAX_GENERATED {
        return Err(format!(
            "history_count is at most {}",
            history::MAX_GENERATED
        ));
    }
    let chats = body
        .history_chats
        .unwrap_or(body.history_count.div_ceil(25));
    let now = crate::server::db::now_ms();
    let mut messages = history::generated(&body.phone, body.history_count, chats, now, 20);
    let mut files = Vec::new();
    let given: Vec<HistoryMessage> = body
        .history
        .iter()
        .map(|item| {
            let chat = match address::Address::parse(&item.from) {
                address::Address::Hidden { lid } if address::valid_lid(lid) => item.from.clone(),
                address::Address::Hidden { .. } => {
                    return Err(format!("{}: lid must be digits only", item.id))
                }
                address::Address::Phone(number) => parse_international(number).map_err(|_| {
                    format!(
                        "{}: from must be an international number or lid:<digits>",
                        item.id
                    )
                })?,
            };
            let at = chrono::DateTime::parse_from_rfc3339(&item.at)
                .map_err(|_| format!("{}: at must be an RFC 3339 time", item.id))?;
            let media = match &item.media {
                Some(file) => {
                    let bytes = STANDARD
                        .decode(&file.base64)
                        .map_err(|_| format!("{}: media.base64 must be base64", item.id))?;
                    if file.filename.trim().is_empty() {
                        return Err(format!("{}: media.filename is required", item.id));
                    }
                    let reference = history::file_reference(&body.phone, &item.id);
                    let media = HistoryMedia {
                        filename: file.filename.clone(),
                        content_type: file.content_type.clone(),
                        size_bytes: bytes.len() as i64,
                        reference: reference.clone(),
                    };
                    let kept = HistoryFile {
                        phone: body.phone.clone(),
                        bytes,
                        gone: file.gone,
                    };
                    files.push((reference, kept));
                    Some(media)
                }
                None if item.text.trim().is_empty() => {
                    return Err(format!("{}: text or media is required", item.id))
                }
                None => None,
            };
            Ok(HistoryMessage {
                id: item.id.clone(),
                chat,
                from_me: item.from_me,
                name: item.name.clone(),
                text: item.text.clone(),
                sent_at_ms: at.timestamp_millis(),
                media,
            })
        })
        .collect::<Result<_, String>>()?;
    messages.extend(given);
    Ok((messages, files))
}

#[derive(Deserialize)]
struct PairCode {
    phone: String,
    code: String,
    business_name: String,
}

async fn pair_code(State(sim): State<Simulator>, Json(body): Json<PairCode>) -> Response {
    outcome(
        sim.enter_pair_code(&body.phone, &body.code, &body.business_name)
            .await,
    )
}

/// Every connection the simulator saw open and close, and how many were replaced.
async fn connections(State(sim): State<Simulator>) -> Response {
    Json(sim.connection_log()).into_response()
}

/// What the linked number `phone` sent, oldest first: delivered to the phone.
async fn outbox(State(sim): State<Simulator>, Path(phone): Path<String>) -> Response {
    Json(sim.outbox(&phone)).into_response()
}

/// The read receipts the channel of `phone` sent for its customers' messages.
async fn read_marks(State(sim): State<Simulator>, Path(phone): Path<String>) -> Response {
    Json(sim.read_marks(&phone)).into_response()
}

#[derive(Deserialize)]
struct CustomerReads {
    from: String,
}

/// The customer `from` opens their chat with `phone`: its replies turn read (blue ticks).
async fn customer_reads(
    State(sim): State<Simulator>,
    Path(phone): Path<String>,
    Json(body): Json<CustomerReads>,
) -> Response {
    if !body.from.chars().any(|c| c.is_ascii_digit()) || body.from.len() > 32 {
        let error = json!({ "error": "from must be the customer's number" });
        return (StatusCode::UNPROCESSABLE_ENTITY, Json(error)).into_response();
    }
    match sim.customer_reads(&phone, &body.from).await {
        Some(read) => Json(json!({ "read": read })).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": "no linked device of that phone is online" })),
        )
            .into_response(),
    }
}

async fn unlink(State(sim): State<Simulator>, Path(phone): Path<String>) -> Response {
    match sim.unlink(&phone).await {
        0 => (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": "no device is linked to that phone" })),
        )
            .into_response(),
        unlinked => Json(json!({ "unlinked": unlinked })).into_response(),
    }
}

#[derive(Deserialize)]
struct Message {
    /// WhatsApp's message id; a fresh one when missing. Sending the same id twice is a replay.
    id: Option<String>,
    /// The customer's number; or `lid` when WhatsApp hides it (one of the two).
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    lid: Option<String>,
    name: String,
    #[serde(default)]
    text: String,
    media: Option<Media>,
}

#[derive(Deserialize)]
struct Media {
    filename: String,
    content_type: String,
    base64: String,
}

/// WhatsApp's own limit for documents is 2 GB; the simulator keeps tests small.
const MAX_MEDIA_BYTES: usize = 16 * 1024 * 1024;

// The error is the answer itself (an axum Response); boxing it buys nothing here.
#[allow(clippy::result_large_err)]
fn decode_media(media: Option<Media>) -> Result<Option<InboundMedia>, Response> {
    let Some(media) = media else { return Ok(None) };
    let refuse =
        |status: StatusCode, error: &str| (status, Json(json!({ "error": error }))).into_response();
    let bytes = STANDARD
        .decode(media.base64.trim())
        .map_err(|_| refuse(StatusCode::BAD_REQUEST, "media.base64 is not valid base64"))?;
    if bytes.len() > MAX_MEDIA_BYTES {
        return Err(refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            "media is larger than 16 MB",
        ));
    }
    if media.filename.trim().is_empty() || media.content_type.trim().is_empty() {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "media needs a filename and a content_type",
        ));
    }
    Ok(Some(InboundMedia {
        filename: media.filename,
        content_type: media.content_type,
        bytes,
    }))
}

async fn message(
    State(sim): State<Simulator>,
    Path(phone): Path<String>,
    Json(body): Json<Message>,
) -> Response {
    let media = match decode_media(body.media) {
        Ok(media) => media,
        Err(response) => return response,
    };
    let from = match (body.from, body.lid) {
        (Some(from), None) => from,
        (None, Some(lid)) => match address::hidden(&lid) {
            Some(hidden) => hidden,
            None => return unprocessable("lid must be digits only (at most 20)"),
        },
        _ => return unprocessable("give either from (a number) or lid"),
    };
    let message = customer_message(body.id, &from, &body.name, &body.text, media);
    if sim.deliver(&phone, message).await {
        (StatusCode::ACCEPTED, Json(json!({ "delivered": true }))).into_response()
    } else {
        (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": "no linked device of that phone is online" })),
        )
            .into_response()
    }
}

fn unprocessable(error: &str) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(json!({ "error": error })),
    )
        .into_response()
}

#[derive(Deserialize)]
struct LidMapping {
    lid: String,
    phone: String,
}

/// WhatsApp reveals to the linked number `phone` that the customer it showed as `lid`
/// has the number `body.phone`.
async fn lid_mapping(
    State(sim): State<Simulator>,
    Path(phone): Path<String>,
    Json(body): Json<LidMapping>,
) -> Response {
    if !address::valid_lid(&body.lid) {
        return unprocessable("lid must be digits only (at most 20)");
    }
    let Ok(number) = parse_international(&body.phone) else {
        return unprocessable("phone must be an international number, e.g. +573001234567");
    };
    if sim
        .reveal_lid(&phone, body.lid.clone(), number.clone())
        .await
    {
        Json(json!({ "lid": body.lid, "phone": number })).into_response()
    } else {
        let error = json!({ "error": "no linked device of that phone is online" });
        (StatusCode::NOT_FOUND, Json(error)).into_response()
    }
}

#[derive(Deserialize)]
struct Network {
    up: bool,
}

async fn network(State(sim): State<Simulator>, Json(body): Json<Network>) -> Response {
    sim.set_network(body.up).await;
    Json(json!({ "up": body.up })).into_response()
}

/// One phone's network down or up; the others keep theirs.
async fn phone_network(
    State(sim): State<Simulator>,
    Path(phone): Path<String>,
    Json(body): Json<Network>,
) -> Response {
    sim.set_phone_network(&phone, body.up).await;
    Json(json!({ "phone": phone, "up": body.up })).into_response()
}

#[derive(Deserialize)]
struct SendDelay {
    ms: u64,
}

/// A slow network for `phone`'s sends: each takes `ms` between reaching the socket and
/// WhatsApp's confirmation (0: at once). At most 10 minutes.
async fn send_delay(
    State(sim): State<Simulator>,
    Path(phone): Path<String>,
    Json(body): Json<SendDelay>,
) -> Response {
    if body.ms > 600_000 {
        let error = json!({ "error": "ms must be at most 600000" });
        return (StatusCode::UNPROCESSABLE_ENTITY, Json(error)).into_response();
    }
    sim.set_send_delay(&phone, std::time::Duration::from_millis(body.ms));
    Json(json!({ "phone": phone, "ms": body.ms })).into_response()
}

#[derive(Deserialize)]
struct Stall {
    #[serde(default = "yes")]
    stall: bool,
}

fn yes() -> bool {
    true
}

/// The network swallows `phone`'s sends without WhatsApp's ack (`{}`), or carries them
/// again (`{"stall": false}`).
async fn stall(
    State(sim): State<Simulator>,
    Path(phone): Path<String>,
    Json(body): Json<Stall>,
) -> Response {
    sim.set_stalled(&phone, body.stall);
    Json(json!({ "phone": phone, "stall": body.stall })).into_response()
}

/// The phone confirms the code its passkey-gated link shows: the device is linked.
async fn confirm_passkey(State(sim): State<Simulator>, Path(phone): Path<String>) -> Response {
    if sim.confirm_passkey(&phone).await {
        Json(json!({ "phone": phone, "linked": true })).into_response()
    } else {
        (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": "no passkey-gated link of this phone shows a code" })),
        )
            .into_response()
    }
}

#[derive(Deserialize)]
struct Version {
    refused: bool,
    /// Only this linked number's sessions; every connection when absent.
    #[serde(default)]
    phone: Option<String>,
}

/// WhatsApp refuses this client's version (`{"refused": true}`), as after a WhatsApp Web
/// release: online sessions drop and meet a 405 when they reconnect. Or accepts it again.
async fn version(State(sim): State<Simulator>, Json(body): Json<Version>) -> Response {
    sim.set_version_refused(body.phone.as_deref(), body.refused)
        .await;
    Json(json!({ "refused": body.refused, "phone": body.phone })).into_response()
}

/// One form for every button of the demo page; `action` says which.
#[derive(Deserialize)]
struct PageAction {
    action: String,
    #[serde(default)]
    qr: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    business_name: String,
    #[serde(default)]
    text: String,
}

async fn page_action(State(sim): State<Simulator>, Form(form): Form<PageAction>) -> Response {
    let business = if form.business_name.trim().is_empty() {
        "Demo Business"
    } else {
        form.business_name.trim()
    };
    match form.action.as_str() {
        "scan" => drop(sim.scan(&form.qr, form.phone.trim(), business).await),
        "pair" => drop(
            sim.enter_pair_code(form.phone.trim(), &form.code, business)
                .await,
        ),
        "unlink" => drop(sim.unlink(form.phone.trim()).await),
        "message" => drop(
            sim.deliver(
                form.phone.trim(),
                customer_message(None, "+525500000000", "Demo Customer", &form.text, None),
            )
            .await,
        ),
        "network-down" => sim.set_network(false).await,
        "network-up" => sim.set_network(true).await,
        _ => return StatusCode::BAD_REQUEST.into_response(),
    }
    Redirect::to(paths::SIMULATOR).into_response()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn page(State(sim): State<Simulator>) -> Response {
    let mut pending = String::new();
    for link in sim.linking() {
        pending.push_str(&format!(
            "<li><form method=post action=/simulator/ui><input type=hidden name=action value=scan>\
             <input type=hidden name=qr value=\"{qr}\">Account {id}: QR valid {secs} s{code} \
             <label>Phone <input name=phone value=\"+5215512345678\" required></label> \
             <label>Business name <input name=business_name value=\"Demo Business\"></label> \
             <button>Scan this QR</button></form></li>",
            qr = escape(&link.qr),
            id = link.account_id,
            secs = link.expires_in_ms / 1000,
            code = link
                .pair_code
                .map(|c| format!(" (pairing code {c})"))
                .unwrap_or_default(),
        ));
    }
    let mut phones = String::new();
    for (phone, account) in sim.phones() {
        phones.push_str(&format!(
            "<li>{phone} → account {account} \
             <form method=post action=/simulator/ui style=display:inline><input type=hidden name=action value=unlink>\
             <input type=hidden name=phone value=\"{phone}\"><button>Unlink device</button></form> \
             <form method=post action=/simulator/ui style=display:inline><input type=hidden name=action value=message>\
             <input type=hidden name=phone value=\"{phone}\"><label>Message <input name=text value=\"Hola\"></label> \
             <button>Send to this number</button></form></li>",
            phone = escape(&phone),
        ));
    }
    let network = if sim.network_up() { "up" } else { "down" };
    // No script at all; its few inline styles are the only thing it allows.
    let policy = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";
    let page = Html(format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>WhatsApp simulator · Aurora</title>\
         <meta http-equiv=refresh content=5></head><body style=\"font-family:system-ui;max-width:60rem;margin:2rem auto\">\
         <h1>WhatsApp simulator</h1><p>A fake WhatsApp network for demos and tests. This page refreshes every 5 s.</p>\
         <h2>QR codes waiting for a scan</h2><ul>{pending}</ul>\
         <h2>Linked phones</h2><ul>{phones}</ul>\
         <h2>Network: {network}</h2>\
         <form method=post action=/simulator/ui style=display:inline><input type=hidden name=action value=network-down><button>Drop the network</button></form> \
         <form method=post action=/simulator/ui style=display:inline><input type=hidden name=action value=network-up><button>Restore the network</button></form>\
         </body></html>"
    ));
    (
        [(axum::http::header::CONTENT_SECURITY_POLICY, policy)],
        page,
    )
        .into_response()
}
