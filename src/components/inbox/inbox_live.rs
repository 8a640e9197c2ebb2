//! The inbox pages follow the server's stream of conversation changes. The handler gets
//! the changed conversation, or `None` when the page must reload everything (the stream
//! (re)connected, or the server says changes were missed).

#[cfg(feature = "hydrate")]
pub fn follow_inbox_changes(on_change: impl Fn(Option<i64>) + 'static) {
    use std::rc::Rc;

    use crate::paths::INBOX_EVENTS;

    let on_change = Rc::new(on_change);
    let on_open = on_change.clone();
    crate::components::common::dom::follow_stream(
        INBOX_EVENTS,
        move |text| on_change(changed_conversation(&text)),
        move || on_open(None),
    );
}

/// The conversation named by a stream line (`{"conversation_id":12}`); `None` for a
/// resync. Read by hand: a JSON value parser costs the browser bundle kilobytes for
/// one number.
pub fn changed_conversation(line: &str) -> Option<i64> {
    let rest = line.split_once("\"conversation_id\":")?.1.trim_start();
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

#[cfg(not(feature = "hydrate"))]
pub fn follow_inbox_changes(_on_change: impl Fn(Option<i64>) + 'static) {}

/// The browser's time zone name ("America/Mexico_City"); empty on the server.
pub fn browser_time_zone() -> String {
    #[cfg(feature = "hydrate")]
    {
        let format =
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
        let options = format.resolved_options();
        js_sys::Reflect::get(&options, &wasm_bindgen::JsValue::from_str("timeZone"))
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    String::new()
}

/// A `datetime-local` value ("2026-11-25T14:30" or with seconds) read as the browser's
/// local time, in ms since the epoch.
pub fn local_input_to_ms(value: &str) -> Option<i64> {
    #[cfg(feature = "hydrate")]
    {
        if value.trim().is_empty() {
            return None;
        }
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(value));
        let ms = date.get_time();
        (!ms.is_nan()).then_some(ms as i64)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = value;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::changed_conversation;

    #[test]
    fn stream_lines_name_their_conversation() {
        assert_eq!(changed_conversation(r#"{"conversation_id":42}"#), Some(42));
        assert_eq!(changed_conversation(r#"{"conversation_id": 7}"#), Some(7));
        assert_eq!(changed_conversation(r#"{"resync":true}"#), None);
        assert_eq!(changed_conversation("garbage"), None);
    }
}
