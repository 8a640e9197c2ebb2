// The protobuf types are built field by field, as their generated code expects.
#![allow(clippy::field_reassign_with_default)]

use super::*;

fn message(id: &str, from_me: bool, text: &str, at_s: u64, push_name: &str) -> wa::HistorySyncMsg {
    let mut info = wa::WebMessageInfo::default();
    let key = info.key.get_or_insert_default();
    key.id = Some(id.into());
    key.from_me = Some(from_me);
    let body = info.message.get_or_insert_default();
    body.conversation = Some(text.into());
    info.message_timestamp = Some(at_s);
    info.push_name = (!push_name.is_empty()).then(|| push_name.to_string());
    let mut item = wa::HistorySyncMsg::default();
    item.message = whatsapp_rust::waproto::buffa::MessageField::some(info);
    item
}

fn chat(jid: &str, messages: Vec<wa::HistorySyncMsg>) -> wa::Conversation {
    let mut chat = wa::Conversation::default();
    chat.id = jid.into();
    chat.messages = messages;
    chat
}

#[test]
fn a_history_chunk_becomes_its_one_to_one_text_messages_and_lid_mappings() {
    let mut sync = wa::HistorySync::default();
    sync.progress = Some(100);
    sync.conversations = vec![
        chat(
            "573001112233@s.whatsapp.net",
            vec![
                message("A1", false, "¿tienen envíos?", 1_790_000_000, "Rosa"),
                message("A2", true, "Sí, a todo el país", 1_790_000_060, "Tienda"),
            ],
        ),
        chat(
            "120363012345678901@g.us",
            vec![message("G1", false, "grupo", 1_790_000_000, "x")],
        ),
        chat(
            "status@broadcast",
            vec![message("S1", false, "estado", 1_790_000_000, "x")],
        ),
        chat(
            "123456789012345@lid",
            vec![message("L1", false, "hola", 1_790_000_100, "Vale")],
        ),
    ];
    let mut mapping = wa::PhoneNumberToLIDMapping::default();
    mapping.pn_jid = Some("573005550123@s.whatsapp.net".into());
    mapping.lid_jid = Some("123456789012345@lid".into());
    sync.phone_number_to_lid_mappings = vec![mapping];

    let events = events_of(&sync);
    assert_eq!(
        events,
        vec![
            DriverEvent::LidMapped {
                lid: "123456789012345".into(),
                phone: "+573005550123".into()
            },
            DriverEvent::History(HistoryBatch {
                messages: vec![
                    HistoryMessage {
                        id: "A1".into(),
                        chat: "+573001112233".into(),
                        from_me: false,
                        name: "Rosa".into(),
                        text: "¿tienen envíos?".into(),
                        sent_at_ms: 1_790_000_000_000,
                        media: None,
                    },
                    HistoryMessage {
                        id: "A2".into(),
                        chat: "+573001112233".into(),
                        from_me: true,
                        name: String::new(),
                        text: "Sí, a todo el país".into(),
                        sent_at_ms: 1_790_000_060_000,
                        media: None,
                    },
                    HistoryMessage {
                        id: "L1".into(),
                        chat: "lid:123456789012345".into(),
                        from_me: false,
                        name: "Vale".into(),
                        text: "hola".into(),
                        sent_at_ms: 1_790_000_100_000,
                        media: None,
                    },
                ],
                progress: Some(100),
            }),
        ],
        "groups and status are left out; the mapping comes before the messages"
    );
}

#[test]
fn a_large_chunk_is_handed_over_in_bounded_batches_and_only_the_last_says_how_far() {
    let mut sync = wa::HistorySync::default();
    sync.progress = Some(40);
    let messages = (0..BATCH + 1)
        .map(|i| message(&format!("M{i}"), false, "x", 1_790_000_000 + i as u64, ""))
        .collect();
    sync.conversations = vec![chat("573001112233@s.whatsapp.net", messages)];
    let batches: Vec<(usize, Option<u32>)> = events_of(&sync)
        .into_iter()
        .map(|event| match event {
            DriverEvent::History(batch) => (batch.messages.len(), batch.progress),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(batches, vec![(BATCH, None), (1, Some(40))]);
}

#[test]
fn a_history_attachment_is_kept_by_reference_and_a_hostile_one_only_by_name() {
    use whatsapp_rust::download::Downloadable;

    let photo = |id: &str, path: &str, caption: Option<&str>| {
        let mut item = message(id, false, "", 1_790_000_000, "Rosa");
        let info = item.message.get_or_insert_default();
        let body = info.message.get_or_insert_default();
        body.conversation = None;
        let image = body.image_message.get_or_insert_default();
        image.direct_path = Some(path.into());
        image.media_key = Some(vec![7; 32]);
        image.file_sha256 = Some(vec![3; 32]);
        image.file_length = Some(48_000);
        image.mimetype = Some("image/jpeg".into());
        image.caption = caption.map(str::to_string);
        item
    };
    let mut sync = wa::HistorySync::default();
    sync.conversations = vec![chat(
        "573001112233@s.whatsapp.net",
        vec![
            photo("P1", "/v/t62.7118-24/p1.enc", Some("el recibo")),
            photo("P2", "//evil.example/x", None),
        ],
    )];
    let messages = match events_of(&sync).pop() {
        Some(DriverEvent::History(batch)) => batch.messages,
        other => panic!("unexpected {other:?}"),
    };
    let [with_file, hostile] = &messages[..] else {
        panic!("two messages expected: {messages:?}")
    };
    assert_eq!(with_file.text, "el recibo");
    let media = with_file.media.as_ref().expect("kept by reference");
    assert_eq!(
        (
            media.filename.as_str(),
            media.content_type.as_str(),
            media.size_bytes
        ),
        ("image-P1.jpg", "image/jpeg", 48_000)
    );
    let (reference, origin) = super::super::history_media::decode(&media.reference).unwrap();
    assert_eq!(reference.direct_path(), Some("/v/t62.7118-24/p1.enc"));
    assert_eq!(
        (
            origin.message_id.as_str(),
            origin.chat.as_str(),
            origin.from_me
        ),
        ("P1", "573001112233@s.whatsapp.net", false)
    );
    assert_eq!(hostile.media, None);
    assert_eq!(hostile.text, "[image-P2.jpg could not be downloaded]");
}
