//! The few things components ask of the page directly: moving focus and scrolling.
//! They do nothing on the server.

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
