//! The inbox's left pane: search, Mine / Unassigned / All, funnel and channel, and the
//! conversations with their unread counts. Everything it shows follows the URL.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;

use super::list_query::ListQuery;
use super::notify;
use crate::api::inbox::load_inbox;
use crate::components::common::form_error::Alert;
use crate::components::common::time::TimeAgo;
use crate::domain::inbox::Whose;
use crate::i18n::word;
use crate::i18n::{error_text, use_texts};
use crate::paths::{conversation, INBOX};
use crate::views::inbox::{Choice, InboxPage as Page, InboxRow};

/// Goes to the same pane (list or open chat) with other list settings; `replace` (while
/// typing a search) keeps Back from replaying each letter. Made while the component is
/// built: the router's hooks are not reachable from an event handler.
fn navigator() -> impl Fn(&ListQuery, bool) + Clone {
    let navigate = use_navigate();
    let path = use_location().pathname;
    move |query, replace| {
        navigate(
            &format!("{}{}", path.get_untracked(), query.query_string()),
            NavigateOptions {
                replace,
                ..Default::default()
            },
        )
    }
}

/// The search box: the list follows what is typed, a moment after the typing stops.
#[component]
pub fn SearchBox(query: Memo<ListQuery>) -> impl IntoView {
    let text = RwSignal::new(query.get_untracked().search);
    let typed = StoredValue::new(0u64);
    let go_to = navigator();
    let on_input = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        text.set(value.clone());
        typed.update_value(|n| *n += 1);
        let this = typed.get_value();
        let go_to = go_to.clone();
        set_timeout(
            move || {
                if typed.get_value() == this {
                    let mut next = query.get_untracked();
                    next.search = value;
                    go_to(&next, true);
                }
            },
            std::time::Duration::from_millis(250),
        );
    };
    view! {
        <div class="search" role="search">
            <input
                type="search"
                aria-label=word(|t| t.inbox_texts.search)
                placeholder=word(|t| t.inbox_texts.search_placeholder)
                maxlength="100"
                prop:value=move || text.get()
                on:input=on_input
            />
        </div>
    }
}

/// Mine / Unassigned / All, as links: each keeps the other settings.
#[component]
pub fn WhoseTabs(query: Memo<ListQuery>) -> impl IntoView {
    let words = use_texts();
    let path = use_location().pathname;
    let tabs = [Whose::Mine, Whose::Unassigned, Whose::All]
        .into_iter()
        .map(|whose| {
            let href = move || {
                let mut next = query.get();
                next.whose = whose;
                format!("{}{}", path.get(), next.query_string())
            };
            let current = move || (query.get().whose == whose).then_some("page");
            view! { <a href=href aria-current=current>{move || words().inbox_texts.whose(whose)}</a> }
        })
        .collect_view();
    view! { <nav class="whose" aria-label=word(|t| t.inbox_texts.whose_label)>{tabs}</nav> }
}

/// Rows seen at the last refresh (id → unread), to tell which ones have just grown; reset
/// when the list's settings change, since rows then come and go for another reason.
#[derive(Clone, Copy)]
pub struct Seen(StoredValue<Option<(ListQuery, HashMap<i64, i64>)>>);

impl Seen {
    pub fn new() -> Self {
        Seen(StoredValue::new(None))
    }

    /// Notifies of each of the agent's conversations whose unread count grew.
    pub fn compare(&self, query: &ListQuery, rows: &[InboxRow], open: Option<i64>) {
        let now: HashMap<i64, i64> = rows.iter().map(|r| (r.id, r.unread)).collect();
        self.0.update_value(|before| {
            if let Some((_, before)) = before.as_ref().filter(|(q, _)| q == query) {
                for row in rows.iter().filter(|r| r.mine) {
                    if row.unread > before.get(&row.id).copied().unwrap_or(0) {
                        notify::new_message(&row.contact, &row.last_message, row.id, open);
                    }
                }
            }
            *before = Some((query.clone(), now));
        });
    }
}

impl Default for Seen {
    fn default() -> Self {
        Seen::new()
    }
}

#[component]
pub fn ConversationList(
    page: Page,
    query: Memo<ListQuery>,
    open: Memo<Option<i64>>,
) -> impl IntoView {
    let words = use_texts();
    let rows = RwSignal::new(page.rows);
    let next = RwSignal::new(page.next);
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let load_more = move |_| {
        let Some(after) = next.get_untracked() else {
            return;
        };
        let q = query.get_untracked();
        loading.set(true);
        leptos::task::spawn_local(async move {
            match load_inbox(q.funnel, q.channel, q.who(), q.q(), Some(after)).await {
                Ok(more) => {
                    rows.update(|rows| rows.extend(more.rows));
                    next.set(more.next);
                    error.set(None);
                }
                Err(e) => error.set(Some(error_text(&e))),
            }
            loading.set(false);
        });
    };
    let settings = query.get_untracked();
    let empty = move || {
        let t = words().inbox_texts;
        if let Some(q) = settings.q() {
            (t.no_match)(&q)
        } else if settings != ListQuery::default() {
            t.none_here.to_string()
        } else {
            t.none_yet.to_string()
        }
    };
    view! {
        <Filters funnels=page.funnels channels=page.channels query/>
        <p class="empty" hidden=move || rows.with(|r| !r.is_empty())>{empty}</p>
        <ul class="conversations" aria-label=word(|t| t.inbox_texts.conversations) hidden=move || rows.with(Vec::is_empty)>
            {move || rows.get().into_iter().map(|row| view! { <ConversationRow row open query/> }).collect_view()}
        </ul>
        <Alert message=error/>
        <button type="button" hidden=move || next.with(Option::is_none) on:click=load_more disabled=move || loading.get()>
            {word(|t| t.inbox_texts.load_more)}
        </button>
    }
}

#[component]
fn ConversationRow(
    row: InboxRow,
    open: Memo<Option<i64>>,
    query: Memo<ListQuery>,
) -> impl IntoView {
    let words = use_texts();
    let id = row.id;
    let owner = row.owner.clone();
    let owner = move || {
        owner
            .clone()
            .unwrap_or_else(|| words().inbox_texts.no_owner.into())
    };
    let is_open = move || open.get() == Some(id);
    // The open conversation is being read: its count is stale until the next refresh.
    let count = move || if is_open() { 0 } else { row.unread };
    let has_unread = move || count() > 0;
    let label = move || (words().inbox_texts.unread)(count());
    let href = move || format!("{}{}", conversation(id), query.get().query_string());
    view! {
        <li class="conversation-row" class=("unread", has_unread) class=("open", is_open)>
            <a href=href aria-current=move || is_open().then_some("page")>
                <span class="row-top">
                    <span class="contact">{row.contact.clone()}</span>
                    <TimeAgo ms=row.last_message_at_ms/>
                </span>
                <span class="row-bottom">
                    <span class="last-message">{row.last_message_ours.then_some(word(|t| t.inbox_texts.you))}{row.last_message.clone()}</span>
                    {row.not_sent.then(|| view! { <span class="flag-failed">{word(|t| t.inbox_texts.not_sent_flag)}</span> })}
                    <span class="unread-count" aria-label=label hidden=move || !has_unread()>{count}</span>
                </span>
                <span class="meta">
                    <span class="channel" title=word(|t| t.inbox_texts.channel)>{row.channel.clone()}</span>
                    " · "
                    <span class="owner" title=word(|t| t.inbox_texts.owner)>{owner}</span>
                </span>
            </a>
        </li>
    }
}

/// Funnel and channel pickers; choosing one changes the URL, which reloads the list.
#[component]
fn Filters(funnels: Vec<Choice>, channels: Vec<Choice>, query: Memo<ListQuery>) -> impl IntoView {
    let pick = |ev: leptos::ev::Event| event_target_value(&ev).parse::<i64>().ok();
    let current = query.get_untracked();
    let go_to = navigator();
    let go_channel = go_to.clone();
    view! {
        <div class="filters">
            <label>
                {word(|t| t.inbox_texts.funnel)}
                <select on:change=move |ev| go_to(&ListQuery { funnel: pick(ev), ..query.get_untracked() }, false)>
                    <option value="" selected=current.funnel.is_none()>{word(|t| t.inbox_texts.all_funnels)}</option>
                    {options(funnels, current.funnel)}
                </select>
            </label>
            <label>
                {word(|t| t.inbox_texts.channel)}
                <select on:change=move |ev| go_channel(&ListQuery { channel: pick(ev), ..query.get_untracked() }, false)>
                    <option value="" selected=current.channel.is_none()>{word(|t| t.inbox_texts.all_channels)}</option>
                    {options(channels, current.channel)}
                </select>
            </label>
        </div>
    }
}

/// A filter's options after its "All …"; the list is rebuilt whenever the URL changes, so
/// the selection is fixed here.
fn options(choices: Vec<Choice>, selected: Option<i64>) -> impl IntoView {
    choices
        .into_iter()
        .map(|c| view! { <option value=c.id.to_string() selected=Some(c.id) == selected>{c.name}</option> })
        .collect_view()
}

/// The inbox's address with the list's settings, for the chat's back link.
pub fn inbox_href(query: &ListQuery) -> String {
    format!("{INBOX}{}", query.query_string())
}
