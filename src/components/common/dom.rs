//! The few things components ask of the page directly: moving focus, scrolling, and
//! following a live stream. They do nothing on the server.

/// Focuses the element marked `data-focus-first` inside the element with id `container`,
/// or its first form control; after the next frame, so a just-rendered step is there.
#[cfg(feature = "hydrate")]
pub fn focus_first_in(container: &str) {
    use wasm_bindgen::JsCast;

    let selector = format!(
        "#{container} [data-focus-first], #{container} input:not([type=hidden]), #{container} select"
    );
    leptos::prelude::request_animation_frame(move || {
        let found = leptos::prelude::document()
            .query_selector(&selector)
            .ok()
            .flatten()
            .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(element) = found {
            let _ = element.focus();
        }
    });
}

#[cfg(not(feature = "hydrate"))]
pub fn focus_first_in(_container: &str) {}

/// A dialog's keys: Tab stays inside it, Escape runs `close`.
pub fn dialog_keys(close: impl Fn() + 'static) -> impl Fn(leptos::ev::KeyboardEvent) {
    move |ev| {
        keep_tab_inside(&ev);
        if ev.key() == "Escape" {
            close();
        }
    }
}

/// Keeps Tab inside a dialog: from its last control Tab goes to its first, and Shift+Tab
/// from its first to its last. Attach to the dialog's `keydown`.
#[cfg(feature = "hydrate")]
pub fn keep_tab_inside(ev: &web_sys::KeyboardEvent) {
    use wasm_bindgen::JsCast;

    if ev.key() != "Tab" {
        return;
    }
    let Some(dialog) = ev
        .current_target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return;
    };
    let Ok(found) = dialog.query_selector_all(
        "button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled]), a[href], [tabindex]:not([tabindex='-1'])",
    ) else {
        return;
    };
    let controls: Vec<web_sys::HtmlElement> = (0..found.length())
        .filter_map(|i| found.item(i))
        .filter_map(|node| node.dyn_into::<web_sys::HtmlElement>().ok())
        .filter(|el| el.offset_parent().is_some())
        .collect();
    let (Some(first), Some(last)) = (controls.first(), controls.last()) else {
        return;
    };
    let active = leptos::prelude::document().active_element();
    let is = |el: &web_sys::HtmlElement| active.as_ref() == Some(el.unchecked_ref());
    if ev.shift_key() && is(first) {
        ev.prevent_default();
        let _ = last.focus();
    } else if !ev.shift_key() && is(last) {
        ev.prevent_default();
        let _ = first.focus();
    }
}

#[cfg(not(feature = "hydrate"))]
pub fn keep_tab_inside(_ev: &leptos::ev::KeyboardEvent) {}

/// Focuses the element with this id, if it is there.
#[cfg(feature = "hydrate")]
pub fn focus_id(id: &str) {
    use wasm_bindgen::JsCast;

    let found = leptos::prelude::document()
        .get_element_by_id(id)
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = found {
        let _ = element.focus();
    }
}

#[cfg(not(feature = "hydrate"))]
pub fn focus_id(_id: &str) {}

/// A phone or tablet: the main pointer is a finger. Such a device can't scan its own
/// screen, so linking offers the pairing code first there.
#[cfg(feature = "hydrate")]
pub fn touch_first() -> bool {
    use js_sys::{Function, Reflect};
    use wasm_bindgen::{JsCast, JsValue};

    let window: JsValue = leptos::prelude::window().into();
    Reflect::get(&window, &"matchMedia".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .and_then(|f| f.call1(&window, &"(pointer: coarse)".into()).ok())
        .and_then(|list| Reflect::get(&list, &"matches".into()).ok())
        .and_then(|m| m.as_bool())
        .unwrap_or(false)
}

#[cfg(not(feature = "hydrate"))]
pub fn touch_first() -> bool {
    false
}

/// Scrolls a list option into view when the keyboard moves onto it.
#[cfg(feature = "hydrate")]
pub fn scroll_into_view(id: &str) {
    if let Some(element) = leptos::prelude::document().get_element_by_id(id) {
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(web_sys::ScrollLogicalPosition::Nearest);
        element.scroll_into_view_with_scroll_into_view_options(&options);
    }
}

#[cfg(not(feature = "hydrate"))]
pub fn scroll_into_view(_id: &str) {}

/// Follows a Server-Sent Events stream for as long as the calling view is mounted:
/// `on_message` gets each line's data, `on_open` runs on every (re)connection (the page
/// reloads what it shows then, so nothing missed while the stream was down is lost).
#[cfg(feature = "hydrate")]
pub fn follow_stream(
    path: &str,
    on_message: impl Fn(String) + 'static,
    on_open: impl Fn() + 'static,
) {
    use leptos::prelude::on_cleanup;
    use send_wrapper::SendWrapper;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    let Ok(source) = web_sys::EventSource::new(path) else {
        return;
    };
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            on_message(event.data().as_string().unwrap_or_default())
        });
    let on_open = Closure::<dyn FnMut()>::new(on_open);
    source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    let held = SendWrapper::new((source, on_message, on_open));
    on_cleanup(move || {
        let (source, on_message, on_open) = held.take();
        source.close();
        drop((on_message, on_open));
    });
}
