//! Desktop notifications for new messages in the agent's own conversations. Off until the
//! agent turns them on (the browser asks only after that click); the choice is kept in
//! this browser. Reached through `js_sys` rather than `web-sys` bindings: four calls do
//! not justify the bundle bytes.

use leptos::prelude::*;

use crate::i18n::word;

#[cfg(feature = "hydrate")]
mod browser {
    use js_sys::{Array, Function, Object, Promise, Reflect};
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::{JsCast, JsValue};

    const CHOICE_KEY: &str = "aurora.notifications";

    fn get(target: &JsValue, name: &str) -> Option<JsValue> {
        Reflect::get(target, &JsValue::from_str(name))
            .ok()
            .filter(|v| !v.is_undefined() && !v.is_null())
    }

    fn call(target: &JsValue, name: &str, args: &[&str]) -> Option<JsValue> {
        let method: Function = get(target, name)?.dyn_into().ok()?;
        let args: Array = args.iter().map(|a| JsValue::from_str(a)).collect();
        method.apply(target, &args).ok()
    }

    fn api() -> Option<JsValue> {
        get(&leptos::prelude::window(), "Notification")
    }

    fn storage() -> Option<JsValue> {
        get(&leptos::prelude::window(), "localStorage")
    }

    pub fn supported() -> bool {
        api().is_some()
    }

    pub fn permission() -> String {
        api()
            .and_then(|n| get(&n, "permission"))
            .and_then(|p| p.as_string())
            .unwrap_or_default()
    }

    pub fn chosen() -> bool {
        storage()
            .and_then(|s| call(&s, "getItem", &[CHOICE_KEY]))
            .and_then(|v| v.as_string())
            .is_some_and(|v| v == "on")
    }

    pub fn choose(on: bool) {
        if let Some(s) = storage() {
            let _ = call(&s, "setItem", &[CHOICE_KEY, if on { "on" } else { "off" }]);
        }
    }

    pub fn request(done: impl FnOnce(bool) + 'static) {
        let Some(promise) = api()
            .and_then(|n| call(&n, "requestPermission", &[]))
            .and_then(|p| p.dyn_into::<Promise>().ok())
        else {
            return done(false);
        };
        let answered: Closure<dyn FnMut(JsValue)> = Closure::once(move |answer: JsValue| {
            done(answer.as_string().as_deref() == Some("granted"))
        });
        let _ = promise.then(&answered);
        // Called once by the browser, whenever the person answers.
        answered.forget();
    }

    pub fn page_hidden() -> bool {
        get(&leptos::prelude::document(), "hidden")
            .and_then(|h| h.as_bool())
            .unwrap_or(false)
    }

    pub fn show(title: &str, body: &str, tag: &str) {
        let Some(api) = api().and_then(|a| a.dyn_into::<Function>().ok()) else {
            return;
        };
        let options = Object::new();
        let _ = Reflect::set(&options, &"body".into(), &body.into());
        let _ = Reflect::set(&options, &"tag".into(), &tag.into());
        let args = Array::of2(&title.into(), &options);
        let _ = Reflect::construct(&api, &args);
    }
}

/// Whether the agent turned notifications on here and the browser allows them.
pub fn enabled() -> bool {
    #[cfg(feature = "hydrate")]
    {
        browser::chosen() && browser::permission() == "granted"
    }
    #[cfg(not(feature = "hydrate"))]
    false
}

/// Notifies of a new message, unless the agent is looking at that conversation.
pub fn new_message(contact: &str, text: &str, conversation: i64, open: Option<i64>) {
    #[cfg(feature = "hydrate")]
    if enabled() && (browser::page_hidden() || open != Some(conversation)) {
        browser::show(contact, text, &format!("conversation-{conversation}"));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (contact, text, conversation, open);
}

/// The switch beside the inbox's title. The browser's permission prompt appears only
/// after this click, as browsers require.
#[component]
pub fn NotifyToggle() -> impl IntoView {
    let words = crate::i18n::use_texts();
    let supported = RwSignal::new(false);
    let on = RwSignal::new(false);
    let blocked = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        supported.set(browser::supported());
        on.set(enabled());
        blocked.set(browser::permission() == "denied");
    });
    let toggle = move |_| {
        #[cfg(feature = "hydrate")]
        {
            if on.get_untracked() {
                browser::choose(false);
                on.set(false);
                return;
            }
            browser::request(move |granted| {
                browser::choose(granted);
                on.set(granted);
                blocked.set(!granted);
            });
        }
    };
    view! {
        <div class="notify" hidden=move || !supported.get()>
            <button type="button" class="ghost" aria-pressed=move || on.get().to_string() on:click=toggle>
                {move || {
                    let t = words().inbox_texts;
                    if on.get() { t.notifications_on } else { t.turn_on_notifications }
                }}
            </button>
            <p class="hint" role="status" hidden=move || !blocked.get()>
                {word(|t| t.inbox_texts.notifications_blocked)}
            </p>
        </div>
    }
}
