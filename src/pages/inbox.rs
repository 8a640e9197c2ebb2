//! `/inbox` and `/inbox/{id}`, like WhatsApp Web: on a wide screen the conversations on
//! the left (staying live) and the open chat on the right; on a phone one pane at a time.
//! The list's settings live in the URL; the tab title counts unread conversations.

use crate::components::common::page_data::page_resource;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Outlet;
use leptos_router::hooks::{use_location, use_query_map};
use leptos_router::{lazy_route, LazyRoute};

use crate::api::inbox::load_inbox;
use crate::components::common::lazy_parts::name_lazy_parts;
use crate::components::common::top_bar::TopBar;
use crate::components::inbox::conversation_list::{ConversationList, SearchBox, Seen, WhoseTabs};
use crate::components::inbox::inbox_live::follow_inbox_changes;
use crate::components::inbox::list_query::ListQuery;
use crate::components::inbox::notify::NotifyToggle;
use crate::i18n::word;
use crate::i18n::{error_text, use_texts};
use crate::paths::INBOX;

/// What the open chat shares with the list around it.
#[derive(Clone, Copy)]
pub struct InboxContext {
    /// The list's settings, for the chat's back link.
    pub query: Memo<ListQuery>,
    /// Bumped to read the list again (the chat just marked a conversation read).
    pub refresh: RwSignal<u64>,
    /// The live stream's last news, numbered: the conversation that changed, or `None`
    /// when everything must be read again. One stream serves both panes.
    pub changed: RwSignal<(u64, Option<i64>)>,
}

/// `/inbox`, fetched by the browser when first shown.
pub struct InboxRoute;

#[lazy_route]
impl LazyRoute for InboxRoute {
    fn data() -> Self {
        Self
    }

    fn view(_route: Self) -> AnyView {
        name_lazy_parts();
        view! { <InboxPage/> }.into_any()
    }
}

#[component]
pub fn InboxPage() -> impl IntoView {
    let words = use_texts();
    let params = use_query_map();
    let query = Memo::new(move |_| ListQuery::from_params(&params.read()));
    let path = use_location().pathname;
    let open = Memo::new(move |_| {
        path.with(|p| {
            p.strip_prefix(INBOX)
                .and_then(|rest| rest.strip_prefix('/'))
                .and_then(|id| id.parse::<i64>().ok())
        })
    });
    let refresh = RwSignal::new(0u64);
    let changed = RwSignal::new((0u64, None));
    provide_context(InboxContext {
        query,
        refresh,
        changed,
    });
    let first = page_resource(
        move || (query.get(), refresh.get()),
        |(q, _)| load_inbox(q.funnel, q.channel, q.who(), q.q(), None),
    );
    follow_inbox_changes(move |conversation| {
        changed.update(|(number, last)| {
            *number += 1;
            *last = conversation;
        });
        refresh.update(|n| *n += 1);
    });
    let unread = RwSignal::new(0i64);
    let title = move || (words().inbox_texts.title)(unread.get());
    let seen = Seen::new();
    view! {
        <Title text=title/>
        <TopBar/>
        <main class="inbox-layout" class:chat-open=move || open.get().is_some()>
            <section class="list-pane" aria-labelledby="inbox-title">
                <div class="list-head">
                    <h1 id="inbox-title">{word(|t| t.inbox)}</h1>
                    <NotifyToggle/>
                </div>
                <SearchBox query/>
                <WhoseTabs query/>
                <Transition fallback=move || view! { <p class="muted">{word(|t| t.loading)}</p> }>
                    {move || Suspend::new(async move {
                        match first.await {
                            Ok(page) => {
                                unread.set(page.unread_conversations);
                                seen.compare(&query.get_untracked(), &page.rows, open.get_untracked());
                                view! { <ConversationList page query open/> }.into_any()
                            }
                            Err(error) => view! { <p class="notice" role="alert">{error_text(&error)}</p> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
            <section class="chat-pane">
                <Outlet/>
            </section>
        </main>
    }
}

/// The right pane before a conversation is chosen.
#[component]
pub fn NoConversation() -> impl IntoView {
    view! { <p class="pick-conversation muted">{word(|t| t.inbox_texts.pick_conversation)}</p> }
}
