use leptos::prelude::*;
use leptos_meta::Title;

use crate::paths::CHANNELS;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found"/>
        <main class="auth-page">
            <section class="auth-card">
                <h1>"Page not found"</h1>
                <p><a href=CHANNELS>"Go to Channels"</a></p>
            </section>
        </main>
    }
}
