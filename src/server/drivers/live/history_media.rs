//! Files of the chat history. Downloading them all at pairing would cost minutes and
//! gigabytes nobody asked for, so a history message keeps only its checked media reference
//! (as text, in our database) and the file is fetched when someone first opens it: with the
//! same slots, byte cap, time limit and hash check as live media, and, since history files
//! are often weeks old and gone from WhatsApp's CDN, one request for WhatsApp to upload its
//! copy again before a second try.

use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;
use whatsapp_rust::download::MediaType;
use whatsapp_rust::features::{MediaRetryResult, MediaReuploadRequest};
use whatsapp_rust::{Client, Jid};

use super::downloads::{Downloads, Fetch, MediaRef, REJECTED};
use super::messages::MediaPart;
use crate::server::drivers::driver::HistoryMedia;

/// Where a history file came from: what WhatsApp needs to upload it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    pub message_id: String,
    /// The chat's JID, as WhatsApp wrote it.
    pub chat: String,
    pub from_me: bool,
}

/// The reference as it is stored: the checked media reference and its origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Stored {
    path: String,
    key: Option<String>,
    enc_sha256: Option<String>,
    sha256: String,
    kind: String,
    #[serde(flatten)]
    origin: Origin,
}

fn kind_name(kind: MediaType) -> &'static str {
    match kind {
        MediaType::Image => "image",
        MediaType::Video => "video",
        MediaType::Audio => "audio",
        MediaType::Sticker => "sticker",
        _ => "document",
    }
}

fn kind_of(name: &str) -> Result<MediaType, String> {
    Ok(match name {
        "image" => MediaType::Image,
        "video" => MediaType::Video,
        "audio" => MediaType::Audio,
        "sticker" => MediaType::Sticker,
        "document" => MediaType::Document,
        other => return Err(format!("unknown media kind {other:?}")),
    })
}

/// The history attachment of a message, or why it cannot be downloaded ever (then only its
/// name is kept in the text).
pub fn history_media(
    part: &MediaPart<'_>,
    origin: Origin,
    declared_bytes: Option<u64>,
) -> Result<HistoryMedia, String> {
    let checked = MediaRef::checked(part.source)?;
    Ok(HistoryMedia {
        filename: part.filename.clone(),
        content_type: part.content_type.clone(),
        size_bytes: declared_bytes.map_or(0, |b| b.min(i64::MAX as u64) as i64),
        reference: encode(&checked, origin),
    })
}

pub fn encode(media: &MediaRef, origin: Origin) -> String {
    let stored = Stored {
        path: media.direct_path.clone(),
        key: media.media_key.as_deref().map(|k| STANDARD.encode(k)),
        enc_sha256: media.file_enc_sha256.as_deref().map(|h| STANDARD.encode(h)),
        sha256: STANDARD.encode(&media.file_sha256),
        kind: kind_name(media.kind).into(),
        origin,
    };
    serde_json::to_string(&stored).unwrap_or_default()
}

/// The reference back, checked again: what is in the database is never trusted more
/// than what came from WhatsApp.
pub fn decode(reference: &str) -> Result<(MediaRef, Origin), String> {
    let stored: Stored =
        serde_json::from_str(reference).map_err(|e| format!("not a media reference: {e}"))?;
    let bytes = |b64: &str| STANDARD.decode(b64).map_err(|e| format!("bad base64: {e}"));
    let media = MediaRef::from_parts(
        stored.path,
        stored.key.as_deref().map(bytes).transpose()?,
        stored.enc_sha256.as_deref().map(bytes).transpose()?,
        bytes(&stored.sha256)?,
        kind_of(&stored.kind)?,
    )?;
    Ok((media, stored.origin))
}

/// Asks WhatsApp to upload a history file again; answers its new path.
pub trait Reupload: Send + Sync + 'static {
    fn reupload(
        &self,
        origin: Origin,
        media_key: Vec<u8>,
    ) -> BoxFuture<'static, Result<String, String>>;
}

impl Reupload for Arc<Client> {
    fn reupload(
        &self,
        origin: Origin,
        media_key: Vec<u8>,
    ) -> BoxFuture<'static, Result<String, String>> {
        let client = self.clone();
        Box::pin(async move {
            let chat: Jid = origin
                .chat
                .parse()
                .map_err(|e| format!("the chat {:?} is not a JID: {e}", origin.chat))?;
            let request = MediaReuploadRequest {
                msg_id: &origin.message_id,
                chat_jid: &chat,
                media_key: &media_key,
                is_from_me: origin.from_me,
                participant: None,
            };
            match client.media_reupload().request(&request).await {
                Ok(MediaRetryResult::Success { direct_path }) => Ok(direct_path),
                Ok(MediaRetryResult::NotFound) => {
                    Err("the phone no longer has this file".to_string())
                }
                Ok(other) => Err(format!("the phone could not upload it again ({other:?})")),
                Err(e) => Err(format!("the phone could not upload it again: {e}")),
            }
        })
    }
}

/// Downloads a history file; when WhatsApp's CDN refuses the old path, asks the phone to
/// upload it again (once) and downloads from the new path.
pub async fn fetch(
    downloads: &Downloads,
    fetcher: &dyn Fetch,
    reupload: &dyn Reupload,
    reference: &str,
    cancel: &CancellationToken,
) -> Result<Vec<u8>, String> {
    let (media, origin) = decode(reference)?;
    match downloads.fetch(fetcher, media.clone(), cancel).await {
        Err(reason) if reason.starts_with(REJECTED) => {
            let key = media
                .media_key
                .clone()
                .ok_or("the file has no key to ask for it again")?;
            let path = reupload.reupload(origin, key).await?;
            let renewed = media.at(path)?;
            downloads.fetch(fetcher, renewed, cancel).await
        }
        other => other,
    }
}

#[cfg(test)]
mod tests;
