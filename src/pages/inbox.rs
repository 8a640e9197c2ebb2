//! `/inbox`: the conversations the signed-in user may see, newest activity first,
//! filtered by funnel and channel (kept in the URL), updated live.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::inbox::load_inbox;
use crate::components::common::form_error::Alert;
use crate::components::common::time::LocalTime;
use crate::components::common::top_bar::TopBar;
use crate::components::inbox::inbox_live::follow_inbox_changes;
use crate::paths::{conversation, INBOX};
use crate::views::inbox::{Choice, InboxPage as Page, InboxRow};

#[component]
pub fn InboxPage() -> impl IntoView {
    let query = use_query_map();
    let number = move |key: &str| query.read().get(key).and_then(|v| v.parse::<i64>().ok());
    let funnel = Memo::new(move |_| number("funnel"));
    let channel = Memo::new(move |_| number("channel"));
    // Bumped by the live stream: the first page is read again.
    let changes = RwSignal::new(0u64);
    let first = Resource::new(
        move || (funnel.get(), channel.get(), changes.get()),
        |(funnel, channel, _)| load_inbox(funnel, channel, None),
    );
    follow_inbox_changes(move |_| changes.update(|n| *n += 1));
    view! {
        <Title text="Inbox"/>
        <TopBar/>
        <main class="inbox-main">
            <h1>"Inbox"</h1>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match first.await {
                        Ok(page) => view! { <InboxList page funnel channel/> }.into_any(),
                        Err(error) => view! { <p class="notice" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn InboxList(page: Page, funnel: Memo<Option<i64>>, channel: Memo<Option<i64>>) -> impl IntoView {
    let rows = RwSignal::new(page.rows);
    let next = RwSignal::new(page.next);
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let load_more = move |_| {
        let Some(after) = next.get_untracked() else {
            return;
        };
        loading.set(true);
        leptos::task::spawn_local(async move {
            match load_inbox(funnel.get_untracked(), channel.get_untracked(), Some(after)).await {
                Ok(more) => {
                    rows.update(|rows| rows.extend(more.rows));
                    next.set(more.next);
                    error.set(None);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
            loading.set(false);
        });
    };
    let filters =
        view! { <Filters funnels=page.funnels channels=page.channels funnel channel/> }.into_any();
    view! {
        {filters}
        <p class="empty" hidden=move || rows.with(|r| !r.is_empty())>
            "No conversations yet. Messages sent to your linked WhatsApp numbers appear here."
        </p>
        <ul class="conversations" aria-label="Conversations" hidden=move || rows.with(Vec::is_empty)>
            {move || rows.get().into_iter().map(|row| view! { <ConversationRow row/> }).collect_view()}
        </ul>
        <Alert message=error/>
        <button type="button" hidden=move || next.with(Option::is_none) on:click=load_more disabled=move || loading.get()>
            "Load more"
        </button>
    }
}

#[component]
fn ConversationRow(row: InboxRow) -> impl IntoView {
    let owner = row.owner.clone().unwrap_or_else(|| "No owner".into());
    view! {
        <li class="conversation-row">
            <a href=conversation(row.id)>
                <span class="contact">{row.contact.clone()}</span>
                <span class="last-message">{row.last_message_ours.then_some("You: ")}{row.last_message.clone()}</span>
                <span class="meta">
                    <span class="channel" title="Channel">{row.channel.clone()}</span>
                    " · "
                    <span class="owner" title="Owner">{owner}</span>
                    " · "
                    <LocalTime ms=row.last_message_at_ms/>
                </span>
            </a>
        </li>
    }
}

/// Funnel and channel pickers; choosing one changes the URL, which reloads the list.
#[component]
fn Filters(
    funnels: Vec<Choice>,
    channels: Vec<Choice>,
    funnel: Memo<Option<i64>>,
    channel: Memo<Option<i64>>,
) -> impl IntoView {
    let navigate = use_navigate();
    let go = move |funnel: Option<i64>, channel: Option<i64>| {
        let mut query = Vec::new();
        if let Some(f) = funnel {
            query.push(format!("funnel={f}"));
        }
        if let Some(c) = channel {
            query.push(format!("channel={c}"));
        }
        let url = if query.is_empty() {
            INBOX.to_string()
        } else {
            format!("{INBOX}?{}", query.join("&"))
        };
        navigate(&url, Default::default());
    };
    let go_funnel = go.clone();
    let pick = |ev: leptos::ev::Event| event_target_value(&ev).parse::<i64>().ok();
    view! {
        <div class="filters">
            <label>
                "Funnel"
                <select on:change=move |ev| go_funnel(pick(ev), channel.get_untracked())>
                    {options("All funnels", funnels, funnel.get_untracked())}
                </select>
            </label>
            <label>
                "Channel"
                <select on:change=move |ev| go(funnel.get_untracked(), pick(ev))>
                    {options("All channels", channels, channel.get_untracked())}
                </select>
            </label>
        </div>
    }
}

/// A filter's options, "All …" first; the list is rebuilt whenever the URL changes, so
/// the selection is fixed here.
fn options(all: &'static str, choices: Vec<Choice>, selected: Option<i64>) -> impl IntoView {
    std::iter::once((None, all.to_string()))
        .chain(choices.into_iter().map(|c| (Some(c.id), c.name)))
        .map(|(id, name)| {
            let value = id.map(|id| id.to_string()).unwrap_or_default();
            view! { <option value=value selected=id == selected>{name}</option> }
        })
        .collect_view()
}
