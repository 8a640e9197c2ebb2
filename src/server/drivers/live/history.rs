//! The history WhatsApp sends after pairing, decoded off the session loop: one-to-one
//! chats' messages, text and attachments by reference (groups, broadcasts and status left
//! out), and the numbers behind LIDs that the chunk reveals.

use std::str::FromStr;

use whatsapp_rust::wacore::proto_helpers::MessageExt;
use whatsapp_rust::waproto::whatsapp as wa;
use whatsapp_rust::Jid;

use super::events::{e164_of, lid_of};
use super::history_media::{history_media, Origin};
use super::messages::media_of;
use crate::domain::address;
use crate::server::drivers::driver::{DriverEvent, HistoryBatch, HistoryMessage};

/// Messages per batch handed to the actor: bounded, so a large chunk is stored in parts.
const BATCH: usize = 500;

/// What one history chunk says, as our events: the LID mappings first (so the messages
/// that follow land on the right contacts), then the messages in batches; the last batch
/// carries the chunk's progress.
pub fn events_of(sync: &wa::HistorySync) -> Vec<DriverEvent> {
    let mut events: Vec<DriverEvent> = sync
        .phone_number_to_lid_mappings
        .iter()
        .filter_map(|m| {
            let phone = e164_of(&Jid::from_str(m.pn_jid.as_deref()?).ok()?)?;
            let lid = lid_of(&Jid::from_str(m.lid_jid.as_deref()?).ok()?)?;
            Some(DriverEvent::LidMapped { lid, phone })
        })
        .collect();
    let messages: Vec<HistoryMessage> = sync.conversations.iter().flat_map(chat_messages).collect();
    let parts = messages.chunks(BATCH).count().max(1);
    let mut chunks = messages.chunks(BATCH);
    for n in 0..parts {
        let messages = chunks.next().map(<[_]>::to_vec).unwrap_or_default();
        let progress = if n + 1 == parts { sync.progress } else { None };
        if !messages.is_empty() || progress.is_some() {
            events.push(DriverEvent::History(HistoryBatch { messages, progress }));
        }
    }
    events
}

/// The messages of a one-to-one chat; nothing for a group or anything else.
fn chat_messages(chat: &wa::Conversation) -> Vec<HistoryMessage> {
    let Ok(jid) = Jid::from_str(&chat.id) else {
        return Vec::new();
    };
    let Some(customer) = e164_of(&jid).or_else(|| lid_of(&jid).and_then(|l| address::hidden(&l)))
    else {
        return Vec::new();
    };
    chat.messages
        .iter()
        .filter_map(|item| {
            let info = item.message.as_option()?;
            let key = info.key.as_option()?;
            let id = key.id.clone()?;
            let base = info.message.as_option()?.get_base_message();
            let mut text = base
                .text_content()
                .or_else(|| base.get_caption())
                .unwrap_or_default()
                .to_string();
            let from_me = key.from_me.unwrap_or(false);
            let media = media_of(base, &id).and_then(|part| {
                let origin = Origin {
                    message_id: id.clone(),
                    chat: chat.id.clone(),
                    from_me,
                };
                match history_media(&part, origin, part.source.file_length()) {
                    Ok(media) => Some(media),
                    Err(reason) => {
                        tracing::warn!(%id, "history file left out: {reason}");
                        if text.is_empty() {
                            text = format!("[{} could not be downloaded]", part.filename);
                        }
                        None
                    }
                }
            });
            if text.is_empty() && media.is_none() {
                return None; // reactions, protocol messages
            }
            Some(HistoryMessage {
                id,
                chat: customer.clone(),
                from_me,
                name: if from_me {
                    String::new()
                } else {
                    info.push_name.clone().unwrap_or_default()
                },
                text,
                sent_at_ms: info.message_timestamp? as i64 * 1000,
                media,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
