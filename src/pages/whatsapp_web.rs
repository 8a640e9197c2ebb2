use crate::components::common::page_data::page_resource;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::channels::{add_account, channels_page, enable_account};
use crate::components::channels::account_card::{
    AccountCard, CardAction, MayDelete, UndoDisable, UNDO_BUTTON_ID,
};
use crate::components::channels::activity_chart::WeekActivity;
use crate::components::channels::cards::{follow_live_updates, Cards};
use crate::domain::account::AccountStatus;
use crate::i18n::word;
use crate::i18n::{error_text, use_texts};
use crate::paths::CHANNELS;
use crate::views::channels::{ChannelUpdate, ChannelsOverview};

/// Settings > Company > Channels > WhatsApp Web.
#[component]
pub fn WhatsAppWebPage() -> impl IntoView {
    let overview = page_resource(|| (), |_| channels_page());
    view! {
        <Title text="WhatsApp Web"/>
        <Suspense fallback=move || view! { <p class="muted">{word(|t| t.loading)}</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(overview) => view! { <ChannelsBoard overview/> }.into_any(),
                    Err(error) => view! {
                        <h1>"WhatsApp Web"</h1>
                        <p class="notice" role="alert">{error_text(&error)}</p>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ChannelsBoard(overview: ChannelsOverview) -> impl IntoView {
    let words = use_texts();
    let cards = Cards::new(overview.accounts);
    provide_context(cards);
    let undo = UndoDisable(RwSignal::new(None));
    provide_context(undo);
    provide_context(MayDelete(overview.may_delete));
    provide_context(WeekActivity(StoredValue::new(overview.activity)));
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
    let limit = overview.channel_limit;
    // Disabled accounts don't count against the plan (the server counts the same way).
    let count = move |status: fn(AccountStatus) -> bool| {
        cards
            .list()
            .into_iter()
            .filter(|(_, card)| card.with(|a| status(a.status)))
            .count()
    };
    let used = Memo::new(move |_| count(|s| s != AccountStatus::Disabled));
    let disabled = Memo::new(move |_| count(|s| s == AccountStatus::Disabled));
    let at_limit = move || i64::try_from(used.get()).unwrap_or(i64::MAX) >= limit;
    // One banner for a refusal that concerns the whole server, not one error per card.
    let outdated = Memo::new(move |_| {
        cards
            .list()
            .into_iter()
            .any(|(_, card)| card.with(|a| a.client_outdated))
    });
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
                <DisabledFilter active_only disabled/>
                <button
                    type="button"
                    class="primary"
                    aria-describedby="channel-usage"
                    on:click=on_add
                    disabled=move || add.pending.get() || at_limit()
                >
                    {word(|t| t.channels.add)}
                </button>
            </div>
        </div>
        <p id="channel-usage" class="muted" aria-live="polite">
            {move || (words().channels.channels_used)(used.get(), limit)}
            {move || at_limit().then(|| words().channels.at_limit)}
        </p>
        {add.error_view()}
        <Show when=move || outdated.get()>
            <p class="notice" role="alert">{word(|t| t.channels.outdated_banner)}</p>
        </Show>
        <UndoNotice undo/>
        <section class="cards" aria-label=word(|t| t.channels.accounts_label)>
            <For each=visible key=|(id, _)| *id let:((_, account))>
                <AccountCard account/>
            </For>
        </section>
        <Show when=move || visible().is_empty()>
            <p class="empty">{word(|t| t.channels.no_accounts)}</p>
        </Show>
    }
}

/// "Ventas disabled. Undo" for a few seconds after a Disable; Undo enables it again.
#[component]
fn UndoNotice(undo: UndoDisable) -> impl IntoView {
    let words = use_texts();
    let cards = expect_context::<Cards>();
    let failure = RwSignal::new(None::<String>);
    // Each offer clears itself after a while, unless a newer one replaced it.
    Effect::new(move |_| {
        if let Some((id, _)) = undo.0.get() {
            set_timeout(
                move || {
                    if undo.0.with_untracked(|u| u.as_ref().map(|(i, _)| *i)) == Some(id) {
                        undo.0.try_set(None);
                    }
                },
                std::time::Duration::from_secs(8),
            );
        }
    });
    let on_undo = move |_| {
        let Some((id, _)) = undo.0.get_untracked() else {
            return;
        };
        undo.0.set(None);
        leptos::task::spawn_local(async move {
            match enable_account(id).await {
                Ok(view) => cards.upsert(view),
                Err(error) => {
                    failure.try_set(Some(error_text(&error)));
                }
            }
        });
    };
    view! {
        <div class="toast" role="status">
            {move || undo.0.get().map(|(_, title)| view! {
                <span>{(words().channels.disabled_notice)(&title)}</span>
                " "
                <button type="button" id=UNDO_BUTTON_ID class="link-button" on:click=on_undo>{words().channels.undo}</button>
            })}
            {move || failure.get().map(|message| view! { <span class="form-error">{message}</span> })}
        </div>
    }
}

/// "Show disabled (N)" adds the disabled accounts to the list; its state lives in the URL
/// (`?active=false`) so reloads and shared links keep it.
#[component]
fn DisabledFilter(active_only: Memo<bool>, disabled: Memo<usize>) -> impl IntoView {
    let words = use_texts();
    let navigate = use_navigate();
    let on_change = move |ev| {
        let url = if event_target_checked(&ev) {
            format!("{CHANNELS}?active=false")
        } else {
            CHANNELS.to_string()
        };
        navigate(&url, Default::default());
    };
    view! {
        <label class="switch">
            <input type="checkbox" role="switch" prop:checked=move || !active_only.get() on:change=on_change/>
            <span>{move || (words().channels.show_disabled)(disabled.get())}</span>
        </label>
    }
}
