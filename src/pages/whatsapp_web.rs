use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::channels::{add_account, channels_page};
use crate::components::channels::account_card::{AccountCard, CardAction, MayDelete};
use crate::components::channels::cards::{follow_live_updates, Cards};
use crate::domain::account::AccountStatus;
use crate::paths::CHANNELS;
use crate::views::channels::{ChannelUpdate, ChannelsOverview};

/// Settings > Company > Channels > WhatsApp Web.
#[component]
pub fn WhatsAppWebPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| channels_page());
    view! {
        <Title text="WhatsApp Web"/>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(overview) => view! { <ChannelsBoard overview/> }.into_any(),
                    Err(error) => view! {
                        <h1>"WhatsApp Web"</h1>
                        <p class="notice" role="alert">{error.to_string()}</p>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ChannelsBoard(overview: ChannelsOverview) -> impl IntoView {
    let cards = Cards::new(overview.accounts);
    provide_context(cards);
    provide_context(MayDelete(overview.may_delete));
    follow_live_updates(cards);
    let query = use_query_map();
    let active_only = Memo::new(move |_| query.read().get("active").as_deref() != Some("false"));
    let visible = move || {
        let active_only = active_only.get();
        cards
            .list()
            .into_iter()
            .filter(|(_, card)| !active_only || card.with(|a| a.status != AccountStatus::Disabled))
            .collect::<Vec<_>>()
    };
    let add = CardAction::new();
    let on_add = move |_| {
        add.run(cards, || async {
            add_account().await.map(ChannelUpdate::Upsert)
        })
    };
    view! {
        <div class="page-head">
            <h1>"WhatsApp Web"</h1>
            <div class="actions">
                <ActiveToggle active_only/>
                <button type="button" class="primary" on:click=on_add disabled=move || add.pending.get()>"Add"</button>
            </div>
        </div>
        <p class="muted">{format!("Your plan allows up to {} WhatsApp Web channels.", overview.channel_limit)}</p>
        {add.error_view()}
        <section class="cards" aria-label="WhatsApp Web accounts">
            <For each=visible key=|(id, _)| *id let:((_, account))>
                <AccountCard account/>
            </For>
        </section>
        <Show when=move || visible().is_empty()>
            <p class="empty">"No WhatsApp numbers linked yet. Click Add to show a QR code and scan it from your phone."</p>
        </Show>
    }
}

/// "Active" shows only accounts that are not disabled; its state lives in the URL
/// (`?active=false`) so reloads and shared links keep it.
#[component]
fn ActiveToggle(active_only: Memo<bool>) -> impl IntoView {
    let navigate = use_navigate();
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
            <input type="checkbox" role="switch" prop:checked=move || active_only.get() on:change=on_change/>
            <span>"Active"</span>
        </label>
    }
}
