//! Chat messages from whatsapp-rust as Aurora's inbound messages: only one-to-one chats
//! with a customer, by number or by LID; media named and typed for the media store.

use whatsapp_rust::download::Downloadable;
use whatsapp_rust::types::message::MessageInfo;
use whatsapp_rust::wacore::proto_helpers::MessageExt;
use whatsapp_rust::waproto::whatsapp as wa;

use super::events::{e164_of, lid_of};
use crate::domain::address;
use crate::server::drivers::driver::InboundMessage;

/// The attachment of a message, before its bytes are downloaded.
pub struct MediaPart<'a> {
    pub source: &'a dyn Downloadable,
    pub filename: String,
    pub content_type: String,
}

/// A customer's message as it arrived.
pub struct Incoming<'a> {
    /// Without its media bytes; `from` is the number, or `lid:…` while WhatsApp hides it.
    pub message: InboundMessage,
    pub media: Option<MediaPart<'a>>,
    /// The sender's LID, when WhatsApp named one.
    pub lid: Option<String>,
}

/// `None` for what the inbox doesn't hold: our own messages, groups, broadcasts.
pub fn incoming<'a>(message: &'a wa::Message, info: &MessageInfo) -> Option<Incoming<'a>> {
    let source = &info.source;
    if source.is_from_me || source.is_group || source.broadcast_list_owner.is_some() {
        return None;
    }
    let alt = source.sender_alt.as_ref();
    let lid = lid_of(&source.sender).or_else(|| alt.and_then(lid_of));
    let from = e164_of(&source.sender)
        .or_else(|| alt.and_then(e164_of))
        .or_else(|| lid.as_deref().and_then(address::hidden))?;
    let base = message.get_base_message();
    let media = media_of(base, &info.id);
    let text = base
        .text_content()
        .or_else(|| base.get_caption())
        .unwrap_or_default()
        .to_string();
    if text.is_empty() && media.is_none() {
        return None; // reactions, receipts, protocol messages
    }
    let inbound = InboundMessage {
        id: info.id.to_string(),
        from,
        name: info.push_name.clone(),
        text,
        sent_at_ms: info.timestamp.timestamp_millis(),
        media: None,
    };
    Some(Incoming {
        message: inbound,
        media,
        lid,
    })
}

pub fn media_of<'a>(base: &'a wa::Message, id: &str) -> Option<MediaPart<'a>> {
    let part =
        |source: &'a dyn Downloadable, name: Option<&str>, mime: Option<&str>, kind: &str| {
            let content_type = mime
                .filter(|m| !m.is_empty())
                .unwrap_or("application/octet-stream")
                .to_string();
            let filename = name
                .filter(|n| !n.trim().is_empty())
                .map(str::to_string)
                .unwrap_or_else(|| format!("{kind}-{id}.{}", extension_for(&content_type)));
            MediaPart {
                source,
                filename,
                content_type,
            }
        };
    if let Some(m) = base.image_message.as_option() {
        return Some(part(m, None, m.mimetype.as_deref(), "image"));
    }
    if let Some(m) = base.video_message.as_option() {
        return Some(part(m, None, m.mimetype.as_deref(), "video"));
    }
    if let Some(m) = base.audio_message.as_option() {
        return Some(part(m, None, m.mimetype.as_deref(), "audio"));
    }
    if let Some(m) = base.document_message.as_option() {
        return Some(part(
            m,
            m.file_name.as_deref(),
            m.mimetype.as_deref(),
            "document",
        ));
    }
    if let Some(m) = base.sticker_message.as_option() {
        return Some(part(m, None, m.mimetype.as_deref(), "sticker"));
    }
    None
}

/// A file extension for a MIME type WhatsApp uses ("audio/ogg; codecs=opus" → "ogg").
pub fn extension_for(content_type: &str) -> &'static str {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        "image/gif" => "gif",
        "video/mp4" => "mp4",
        "video/3gpp" => "3gp",
        "audio/ogg" => "ogg",
        "audio/mpeg" => "mp3",
        "audio/mp4" | "audio/aac" => "m4a",
        "application/pdf" => "pdf",
        _ => "bin",
    }
}

#[cfg(test)]
mod tests {
    use whatsapp_rust::waproto::buffa::MessageField;
    use whatsapp_rust::{Jid, Server};

    use super::*;

    fn info_from(sender: Jid) -> MessageInfo {
        let mut info = MessageInfo::default();
        info.source.chat = sender.clone();
        info.source.sender = sender;
        info.id = "3EB0AA".into();
        info.push_name = "Lucía".into();
        info
    }

    fn text(body: &str) -> wa::Message {
        wa::Message {
            conversation: Some(body.into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_text_from_a_phone_number_is_kept_with_its_sender() {
        let message = text("Hola");
        let info = info_from(Jid::pn("573001234567"));
        let Incoming {
            message: inbound,
            media,
            lid,
        } = incoming(&message, &info).expect("kept");
        assert_eq!(lid, None);
        assert_eq!(inbound.id, "3EB0AA");
        assert_eq!(inbound.from, "+573001234567");
        assert_eq!(inbound.name, "Lucía");
        assert_eq!(inbound.text, "Hola");
        assert!(media.is_none());
    }

    #[test]
    fn a_lid_sender_is_kept_by_its_lid_and_by_its_number_once_whatsapp_gives_it() {
        let message = text("Hola");
        let mut info = info_from(Jid::new("99887766", Server::Lid));
        let hidden = incoming(&message, &info).expect("kept");
        assert_eq!(hidden.message.from, "lid:99887766");
        assert_eq!(hidden.lid.as_deref(), Some("99887766"));
        info.source.sender_alt = Some(Jid::pn("5215512345678"));
        let known = incoming(&message, &info).unwrap();
        assert_eq!(known.message.from, "+5215512345678");
        assert_eq!(
            known.lid.as_deref(),
            Some("99887766"),
            "the mapping is told too"
        );
        // The other way round: the number as sender, its LID as the alternative.
        let mut info = info_from(Jid::pn("5215512345678"));
        info.source.sender_alt = Some(Jid::new("99887766", Server::Lid));
        let known = incoming(&message, &info).unwrap();
        assert_eq!(
            (known.message.from.as_str(), known.lid.as_deref()),
            ("+5215512345678", Some("99887766"))
        );
    }

    #[test]
    fn own_group_and_empty_messages_are_not_inbox_messages() {
        let mut mine = info_from(Jid::pn("573001234567"));
        mine.source.is_from_me = true;
        assert!(incoming(&text("x"), &mine).is_none());
        let mut group = info_from(Jid::pn("573001234567"));
        group.source.is_group = true;
        assert!(incoming(&text("x"), &group).is_none());
        let info = info_from(Jid::pn("573001234567"));
        assert!(incoming(&wa::Message::default(), &info).is_none());
    }

    #[test]
    fn an_image_brings_its_caption_and_a_typed_name() {
        let message = wa::Message {
            image_message: MessageField::some(wa::message::ImageMessage {
                caption: Some("Mi pedido".into()),
                mimetype: Some("image/jpeg".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let info = info_from(Jid::pn("573001234567"));
        let Incoming {
            message: inbound,
            media,
            ..
        } = incoming(&message, &info).expect("kept");
        assert_eq!(inbound.text, "Mi pedido");
        let media = media.expect("an attachment");
        assert_eq!(media.filename, "image-3EB0AA.jpg");
        assert_eq!(media.content_type, "image/jpeg");
    }

    #[test]
    fn a_document_keeps_its_own_name() {
        let message = wa::Message {
            document_message: MessageField::some(wa::message::DocumentMessage {
                file_name: Some("factura.pdf".into()),
                mimetype: Some("application/pdf".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let info = info_from(Jid::pn("573001234567"));
        let Incoming {
            message: inbound,
            media,
            ..
        } = incoming(&message, &info).expect("kept");
        assert_eq!(inbound.text, "");
        assert_eq!(media.expect("an attachment").filename, "factura.pdf");
    }

    #[test]
    fn extensions_follow_the_mime_essence() {
        assert_eq!(extension_for("audio/ogg; codecs=opus"), "ogg");
        assert_eq!(extension_for("IMAGE/PNG"), "png");
        assert_eq!(extension_for(""), "bin");
    }
}
