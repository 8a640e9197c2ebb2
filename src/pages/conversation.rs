//! `/inbox/{id}`: one conversation's thread, its owner, the reply box and scheduled
//! messages; it follows the live stream, so new messages and reply states appear by
//! themselves.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::inbox::{load_conversation, set_conversation_owner, ConversationPage as Page};
use crate::components::inbox_live::follow_inbox_changes;
use crate::components::schedule_box::ScheduleBox;
use crate::components::thread::{ReplyBox, Thread};
use crate::components::top_bar::TopBar;
use crate::paths::INBOX;

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
    let current = RwSignal::new(None::<Page>);
    let stale = RwSignal::new(None::<String>);
    // Live changes refresh the data in place, so the reply being typed is kept.
    follow_inbox_changes(move |changed| {
        let id = id.get_untracked();
        if changed.is_some() && changed != Some(id) {
            return;
        }
        leptos::task::spawn_local(async move {
            match load_conversation(id).await {
                Ok(fresh) => {
                    current.set(Some(fresh));
                    stale.set(None);
                }
                Err(e) => stale.set(Some(e.to_string())),
            }
        });
    });
    view! {
        <Title text="Conversation"/>
        <TopBar/>
        <main class="inbox-main conversation">
            <a class="back" href=INBOX>"← Inbox"</a>
            {move || stale.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(loaded) => {
                            current.set(Some(loaded));
                            view! { <ConversationView current/> }.into_any()
                        }
                        Err(error) => view! { <p class="notice" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

/// The page's data; actions answer with a fresh copy, which replaces it.
#[component]
fn ConversationView(current: RwSignal<Option<Page>>) -> impl IntoView {
    let page = move || current.get();
    let field = move |f: fn(&Page) -> String| {
        move || current.with(|p| p.as_ref().map(f).unwrap_or_default())
    };
    view! {
        <header class="conversation-head">
            <h1>{field(|p| p.contact.clone())}</h1>
            <p class="muted">
                {field(|p| p.contact_phone.clone())} " · via " {field(|p| p.channel.clone())}
                {move || current.with(|p| p.as_ref().and_then(|p| p.funnel.clone())).map(|f| format!(" · {f}"))}
            </p>
            <OwnerPicker current/>
        </header>
        {move || page().map(|p| view! { <Thread page=p current/> })}
        <ReplyBox current/>
        <ScheduleBox current/>
    }
}

#[component]
fn OwnerPicker(current: RwSignal<Option<Page>>) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let on_change = move |ev: leptos::ev::Event| {
        let Some(id) = current.with_untracked(|p| p.as_ref().map(|p| p.id)) else {
            return;
        };
        let owner = event_target_value(&ev).parse::<i64>().ok();
        saving.set(true);
        leptos::task::spawn_local(async move {
            match set_conversation_owner(id, owner).await {
                Ok(page) => {
                    current.set(Some(page));
                    error.set(None);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
            saving.set(false);
        });
    };
    view! {
        <label class="owner-picker">
            "Owner"
            <select on:change=on_change disabled=move || saving.get()>
                {move || current.with(|p| {
                    let Some(p) = p else { return Vec::new() };
                    let selected = p.owner_id;
                    let mut options = vec![view! { <option value="" selected=selected.is_none()>"No owner"</option> }.into_any()];
                    options.extend(p.owner_choices.iter().map(|c| {
                        view! { <option value=c.id.to_string() selected=selected == Some(c.id)>{c.name.clone()}</option> }.into_any()
                    }));
                    options
                })}
            </select>
        </label>
        {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
    }
}
