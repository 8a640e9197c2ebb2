//! An event as receivers get it: `{"id", "type", "created_at", "data"}`. `id` is the
//! idempotency id: a receiver that sees it twice (a retry after a lost answer) has it already.

use rand::RngCore;

use crate::domain::time::format_iso;

/// An event ready for the outbox: its id and the exact body every try sends and signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub uid: String,
    pub body: String,
}

impl Event {
    pub fn new(kind: &str, at_ms: i64, data: serde_json::Value) -> Event {
        let mut random = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut random);
        let uid = format!("evt_{}", hex::encode(random));
        let body = serde_json::json!({
            "id": uid,
            "type": kind,
            "created_at": format_iso(at_ms),
            "data": data,
        })
        .to_string();
        Event { uid, body }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_event_has_its_own_id_and_says_what_and_when() {
        let one = Event::new("message.received", 0, serde_json::json!({"text": "hola"}));
        let two = Event::new("message.received", 0, serde_json::json!({"text": "hola"}));
        assert_ne!(one.uid, two.uid);
        let body: serde_json::Value = serde_json::from_str(&one.body).unwrap();
        assert_eq!(body["id"], one.uid.as_str());
        assert_eq!(body["type"], "message.received");
        assert_eq!(body["created_at"], "1970-01-01T00:00:00Z");
        assert_eq!(body["data"]["text"], "hola");
    }
}
