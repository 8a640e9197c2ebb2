use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::use_texts;
use crate::paths::CHANNELS;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let words = use_texts();
    let text = move |i: usize| words().not_found[i];
    view! {
        <Title text=move || text(0)/>
        <main class="auth-page">
            <section class="auth-card">
                <h1>{move || text(1)}</h1>
                <p><a href=CHANNELS>{move || text(2)}</a></p>
            </section>
        </main>
    }
}
