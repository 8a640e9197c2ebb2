use leptos::prelude::*;

use crate::i18n::error_text;

use crate::error::AppError;

/// The error of the last submission of a form, announced to screen readers.
#[component]
pub fn FormError(
    result: impl Fn() -> Option<Result<(), AppError>> + Send + 'static,
) -> impl IntoView {
    move || {
        result().and_then(Result::err).map(|error| {
            view! { <p class="form-error" role="alert">{error_text(&error)}</p> }
        })
    }
}

/// A message shown while `message` holds one (announced to screen readers). One
/// component for every such message keeps the browser bundle from growing per use.
#[component]
pub fn Alert(message: RwSignal<Option<String>>) -> impl IntoView {
    move || {
        message
            .get()
            .map(|text| view! { <p class="error" role="alert">{text}</p> })
    }
}
