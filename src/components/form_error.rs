use leptos::prelude::*;

use crate::error::AppError;

/// The error of the last submission of a form, announced to screen readers.
#[component]
pub fn FormError(
    result: impl Fn() -> Option<Result<(), AppError>> + Send + 'static,
) -> impl IntoView {
    move || {
        result().and_then(Result::err).map(|error| {
            view! { <p class="form-error" role="alert">{error.to_string()}</p> }
        })
    }
}
