//! The simulator's control API and its demo page, mounted only when
//! `AURORA_WHATSAPP=simulator` (404 otherwise). JSON in and out; numbers in E.164.

use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Deserialize;
use serde_json::json;

use super::state::AppState;
use super::whatsapp::driver::InboundMedia;
use super::whatsapp::simulator::{customer_message, ScanOutcome, Simulator};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/simulator", get(page))
        .route("/simulator/ui", post(page_action))
        .route("/simulator/api/linking", get(linking))
        .route("/simulator/api/scan", post(scan))
        .route("/simulator/api/pair-code", post(pair_code))
        .route("/simulator/api/phones/{phone}/unlink", post(unlink))
        .route("/simulator/api/phones/{phone}/messages", post(message))
        .route("/simulator/api/phones/{phone}/outbox", get(outbox))
        .route("/simulator/api/network", post(network))
}

fn simulator(state: &AppState) -> Result<&Simulator, Response> {
    state
        .simulator
        .as_ref()
        .ok_or_else(|| StatusCode::NOT_FOUND.into_response())
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

async fn linking(State(state): State<AppState>) -> Response {
    match simulator(&state) {
        Ok(sim) => Json(sim.linking()).into_response(),
        Err(response) => response,
    }
}

#[derive(Deserialize)]
struct Scan {
    qr: String,
    phone: String,
    business_name: String,
}

async fn scan(State(state): State<AppState>, Json(body): Json<Scan>) -> Response {
    match simulator(&state) {
        Ok(sim) => outcome(sim.scan(&body.qr, &body.phone, &body.business_name).await),
        Err(response) => response,
    }
}

#[derive(Deserialize)]
struct PairCode {
    phone: String,
    code: String,
    business_name: String,
}

async fn pair_code(State(state): State<AppState>, Json(body): Json<PairCode>) -> Response {
    match simulator(&state) {
        Ok(sim) => outcome(
            sim.enter_pair_code(&body.phone, &body.code, &body.business_name)
                .await,
        ),
        Err(response) => response,
    }
}

/// What the linked number `phone` sent, oldest first: delivered to the phone.
async fn outbox(State(state): State<AppState>, Path(phone): Path<String>) -> Response {
    match simulator(&state) {
        Ok(sim) => Json(sim.outbox(&phone)).into_response(),
        Err(response) => response,
    }
}

async fn unlink(State(state): State<AppState>, Path(phone): Path<String>) -> Response {
    let sim = match simulator(&state) {
        Ok(sim) => sim,
        Err(response) => return response,
    };
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
    from: String,
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
    State(state): State<AppState>,
    Path(phone): Path<String>,
    Json(body): Json<Message>,
) -> Response {
    let sim = match simulator(&state) {
        Ok(sim) => sim,
        Err(response) => return response,
    };
    let media = match decode_media(body.media) {
        Ok(media) => media,
        Err(response) => return response,
    };
    let message = customer_message(body.id, &body.from, &body.name, &body.text, media);
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

#[derive(Deserialize)]
struct Network {
    up: bool,
}

async fn network(State(state): State<AppState>, Json(body): Json<Network>) -> Response {
    match simulator(&state) {
        Ok(sim) => {
            sim.set_network(body.up).await;
            Json(json!({ "up": body.up })).into_response()
        }
        Err(response) => response,
    }
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

async fn page_action(State(state): State<AppState>, Form(form): Form<PageAction>) -> Response {
    let sim = match simulator(&state) {
        Ok(sim) => sim,
        Err(response) => return response,
    };
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
    Redirect::to("/simulator").into_response()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn page(State(state): State<AppState>) -> Response {
    let sim = match simulator(&state) {
        Ok(sim) => sim,
        Err(response) => return response,
    };
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
    Html(format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>WhatsApp simulator · Aurora</title>\
         <meta http-equiv=refresh content=5></head><body style=\"font-family:system-ui;max-width:60rem;margin:2rem auto\">\
         <h1>WhatsApp simulator</h1><p>A fake WhatsApp network for demos and tests. This page refreshes every 5 s.</p>\
         <h2>QR codes waiting for a scan</h2><ul>{pending}</ul>\
         <h2>Linked phones</h2><ul>{phones}</ul>\
         <h2>Network: {network}</h2>\
         <form method=post action=/simulator/ui style=display:inline><input type=hidden name=action value=network-down><button>Drop the network</button></form> \
         <form method=post action=/simulator/ui style=display:inline><input type=hidden name=action value=network-up><button>Restore the network</button></form>\
         </body></html>"
    ))
    .into_response()
}
