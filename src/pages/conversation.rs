//! `/inbox/{id}`: one conversation's thread, its owner, the reply box and scheduled
//! messages; it follows the live stream, so new messages and reply states appear by
//! themselves.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::inbox::{load_conversation, set_conversation_owner};
use crate::components::common::form_error::Alert;
use crate::components::common::top_bar::TopBar;
use crate::components::inbox::inbox_live::follow_inbox_changes;
use crate::components::inbox::latest::Latest;
use crate::components::inbox::thread::{Composer, Thread};
use crate::error::AppError;
use crate::paths::INBOX;
use crate::views::inbox::ConversationPage as Page;

#[component]
pub fn ConversationPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or_default()
    });
    let page = Resource::new(move || id.get(), load_conversation);
    let current = Latest::new();
    let stale = RwSignal::new(None::<String>);
    // Live changes refresh the data in place, so the reply being typed is kept.
    follow_inbox_changes(move |changed| {
        let id = id.get_untracked();
        if changed.is_some() && changed != Some(id) {
            return;
        }
        let ticket = current.ticket();
        leptos::task::spawn_local(async move {
            match load_conversation(id).await {
                Ok(fresh) => {
                    current.apply(ticket, fresh);
                    stale.set(None);
                }
                // Only a page that loaded can go stale; a missing one says so once, below.
                Err(e) if current.page.with_untracked(Option::is_some) => {
                    stale.set(Some(e.to_string()))
                }
                Err(_) => {}
            }
        });
    });
    view! {
        <Title text="Conversation"/>
        <TopBar/>
        <main class="inbox-main conversation">
            <a class="back" href=INBOX>"← Inbox"</a>
            <Alert message=stale/>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(loaded) => {
                            current.apply(current.ticket(), loaded);
                            view! { <ConversationView current/> }.into_any()
                        }
                        Err(AppError::NotFound) => view! {
                            <p class="notice" role="alert">"This conversation doesn't exist, or you can't see it."</p>
                        }.into_any(),
                        Err(error) => view! { <p class="notice" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

/// The page's data; actions answer with a fresh copy, which replaces it. The header and
/// thread are redrawn from it whole; the reply and schedule forms stay, with their input.
#[component]
fn ConversationView(current: Latest) -> impl IntoView {
    let owner_error = RwSignal::new(None::<String>);
    view! {
        {move || current.page.get().map(|page| view! {
            <header class="conversation-head">
                <h1>{page.contact.clone()}</h1>
                <p class="muted">{heading_line(&page)}</p>
                <OwnerPicker page=page.clone() current error=owner_error/>
            </header>
            <Thread page current/>
        })}
        <Alert message=owner_error/>
        <Composer current/>
    }
}

fn heading_line(page: &Page) -> String {
    let funnel = page
        .funnel
        .as_ref()
        .map(|f| format!(" · {f}"))
        .unwrap_or_default();
    format!("{} · via {}{funnel}", page.contact_phone, page.channel)
}

#[component]
fn OwnerPicker(page: Page, current: Latest, error: RwSignal<Option<String>>) -> impl IntoView {
    let id = page.id;
    let on_change = move |ev: leptos::ev::Event| {
        let owner = event_target_value(&ev).parse::<i64>().ok();
        let ticket = current.ticket();
        leptos::task::spawn_local(async move {
            match set_conversation_owner(id, owner).await {
                Ok(page) => {
                    current.apply(ticket, page);
                    error.set(None);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let selected = page.owner_id;
    let choices = std::iter::once((None, "No owner".to_string()))
        .chain(page.owner_choices.into_iter().map(|c| (Some(c.id), c.name)))
        .map(|(value, name)| {
            let key = value.map(|v| v.to_string()).unwrap_or_default();
            view! { <option value=key selected=value == selected>{name}</option> }
        })
        .collect_view();
    view! {
        <label class="owner-picker">
            "Owner"
            <select on:change=on_change>{choices}</select>
        </label>
    }
}
