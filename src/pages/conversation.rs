//! `/inbox/{id}`, the inbox's right pane: one conversation's thread, its owner, the reply
//! box and scheduled messages; it follows the list's live stream, so new messages and
//! reply states appear by themselves.

use crate::components::common::page_data::page_resource;
use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

use crate::components::common::lazy_parts::name_lazy_parts;
use crate::i18n::error_text;
use crate::i18n::word;
use leptos_router::hooks::use_params_map;

use crate::api::inbox::{load_conversation, set_conversation_owner};
use crate::components::common::form_error::Alert;
use crate::components::inbox::conversation_list::inbox_href;
use crate::components::inbox::latest::Latest;
use crate::components::inbox::thread::{Composer, Thread};
use crate::components::inbox::thread_scroll::ThreadScroll;
use crate::error::AppError;
use crate::pages::inbox::InboxContext;
use crate::views::inbox::ConversationPage as Page;

/// `/inbox/{id}`, fetched by the browser when first shown.
pub struct ConversationRoute;

#[lazy_route]
impl LazyRoute for ConversationRoute {
    fn data() -> Self {
        Self
    }

    fn view(_route: Self) -> AnyView {
        name_lazy_parts();
        view! { <ConversationPage/> }.into_any()
    }
}

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
    // Another conversation is another chat: nothing typed for one may be sent to the next.
    move || view! { <Chat id=id.get()/> }
}

#[component]
fn Chat(id: i64) -> impl IntoView {
    let page = page_resource(|| (), move |_| load_conversation(id));
    let current = Latest::new();
    let stale = RwSignal::new(None::<String>);
    let inbox = expect_context::<InboxContext>();
    // Live changes refresh the data in place, so the reply being typed is kept.
    Effect::new(move |seen: Option<u64>| {
        let (number, changed) = inbox.changed.get();
        let fresh = seen.is_some_and(|seen| number != seen);
        if fresh && (changed.is_none() || changed == Some(id)) {
            let ticket = current.ticket();
            leptos::task::spawn_local(async move {
                match load_conversation(id).await {
                    Ok(fresh) => {
                        current.apply(ticket, fresh);
                        stale.set(None);
                    }
                    // Only a page that loaded can go stale; a missing one says so once, below.
                    Err(e) if current.page.with_untracked(Option::is_some) => {
                        stale.set(Some(error_text(&e)))
                    }
                    Err(_) => {}
                }
            });
        }
        number
    });
    // Opening (or refreshing) the chat marks it read: the list and the title follow.
    Effect::new(move |_| {
        current.page.track();
        inbox.refresh.update(|n| *n += 1);
    });
    let back = move || inbox_href(&inbox.query.get());
    view! {
        <div class="conversation">
            <a class="back" href=back>{word(|t| t.inbox_texts.back)}</a>
            <Alert message=stale/>
            <Suspense fallback=move || view! { <p class="muted">{word(|t| t.loading)}</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(loaded) => {
                            current.apply(current.ticket(), loaded);
                            view! { <ConversationView current/> }.into_any()
                        }
                        Err(AppError::NotFound) => view! {
                            <p class="notice" role="alert">{word(|t| t.inbox_texts.not_found)}</p>
                        }.into_any(),
                        Err(error) => view! { <p class="notice" role="alert">{error_text(&error)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

/// The page's data; actions answer with a fresh copy, which replaces it. The header and
/// thread are redrawn from it whole; the reply and schedule forms stay, with their input.
#[component]
fn ConversationView(current: Latest) -> impl IntoView {
    let words = crate::i18n::use_texts();
    let owner_error = RwSignal::new(None::<String>);
    let scroll = ThreadScroll::new();
    view! {
        {move || current.page.get().map(|page| view! {
            <header class="conversation-head">
                <h2>{page.contact.clone()}</h2>
                <p class="muted">{heading_line(&page, words().inbox_texts.via)}</p>
                <OwnerPicker page=page.clone() current error=owner_error/>
            </header>
            <Thread page current scroll/>
        })}
        <Alert message=owner_error/>
        <Composer current/>
    }
}

fn heading_line(page: &Page, via: &str) -> String {
    let funnel = page
        .funnel
        .as_ref()
        .map(|f| format!(" · {f}"))
        .unwrap_or_default();
    format!("{} · {via} {}{funnel}", page.contact_phone, page.channel)
}

#[component]
fn OwnerPicker(page: Page, current: Latest, error: RwSignal<Option<String>>) -> impl IntoView {
    let words = crate::i18n::use_texts();
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
                Err(e) => error.set(Some(error_text(&e))),
            }
        });
    };
    let selected = page.owner_id;
    let choices = std::iter::once((None, words().inbox_texts.no_owner.to_string()))
        .chain(page.owner_choices.into_iter().map(|c| (Some(c.id), c.name)))
        .map(|(value, name)| {
            let key = value.map(|v| v.to_string()).unwrap_or_default();
            view! { <option value=key selected=value == selected>{name}</option> }
        })
        .collect_view();
    view! {
        <label class="owner-picker">
            {word(|t| t.inbox_texts.owner)}
            <select on:change=on_change>{choices}</select>
        </label>
    }
}
