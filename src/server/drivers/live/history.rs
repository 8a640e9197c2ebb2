//! The history WhatsApp sends after pairing, decoded off the session loop: one-to-one
//! chats' text messages (groups, broadcasts and status left out) and the numbers behind
//! LIDs that the chunk reveals.

use std::str::FromStr;

use whatsapp_rust::wacore::proto_helpers::MessageExt;
use whatsapp_rust::waproto::whatsapp as wa;
use whatsapp_rust::Jid;

use super::events::{e164_of, lid_of};
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

/// The text messages of a one-to-one chat; nothing for a group or anything else.
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
            let text = info.message.as_option().and_then(|m| {
                let base = m.get_base_message();
                base.text_content()
                    .or_else(|| base.get_caption())
                    .map(str::to_string)
            })?;
            let from_me = key.from_me.unwrap_or(false);
            Some(HistoryMessage {
                id: key.id.clone()?,
                chat: customer.clone(),
                from_me,
                name: if from_me {
                    String::new()
                } else {
                    info.push_name.clone().unwrap_or_default()
                },
                text,
                sent_at_ms: info.message_timestamp? as i64 * 1000,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
