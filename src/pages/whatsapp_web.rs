use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::channels::channels_page;
use crate::paths::CHANNELS;

/// Settings > Company > Channels > WhatsApp Web.
#[component]
pub fn WhatsAppWebPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| channels_page());
    view! {
        <Title text="WhatsApp Web"/>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(overview) => view! {
                        <div class="page-head">
                            <h1>"WhatsApp Web"</h1>
                            <div class="actions">
                                <ActiveToggle/>
                                <button type="button" class="primary">"Add"</button>
                            </div>
                        </div>
                        <p class="muted">
                            {format!("Your plan allows up to {} WhatsApp Web channels.", overview.channel_limit)}
                        </p>
                    }.into_any(),
                    Err(error) => view! {
                        <h1>"WhatsApp Web"</h1>
                        <p class="notice" role="alert">{error.to_string()}</p>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// "Active" shows only accounts that are not disabled; its state lives in the URL
/// (`?active=false`) so reloads and shared links keep it.
#[component]
fn ActiveToggle() -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let active_only = move || query.read().get("active").as_deref() != Some("false");
    let on_change = move |ev| {
        let url = if event_target_checked(&ev) {
            CHANNELS.to_string()
        } else {
            format!("{CHANNELS}?active=false")
        };
        navigate(&url, Default::default());
    };
    view! {
        <label class="switch">
            <input type="checkbox" role="switch" prop:checked=active_only on:change=on_change/>
            <span>"Active"</span>
        </label>
    }
}
