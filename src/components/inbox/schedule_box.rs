//! The conversation's scheduled messages, with Cancel while they have not gone out.

use leptos::prelude::*;

use super::latest::Latest;
use crate::api::inbox::cancel_scheduled;
use crate::components::common::time::LocalTime;
use crate::domain::inbox::ScheduleStatus;
use crate::i18n::word;
use crate::i18n::{error_text, use_texts};
use crate::views::inbox::{ConversationPage, ScheduledView};

/// The scheduled messages of `page` still waiting (or that could not go), soonest first;
/// nothing when there are none. One that went out is in the thread instead.
pub fn scheduled_list(
    page: &ConversationPage,
    current: Latest,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let waiting: Vec<ScheduledView> = page
        .scheduled
        .iter()
        .filter(|s| matches!(s.status, ScheduleStatus::Pending | ScheduleStatus::Failed))
        .cloned()
        .collect();
    let none = waiting.is_empty();
    let rows = waiting
        .into_iter()
        .map(|item| scheduled_item(item, page.id, current, error))
        .collect_view();
    view! {
        <section class="scheduled" aria-label=word(|t| t.inbox_texts.scheduled_messages) hidden=none>
            <h2>{word(|t| t.inbox_texts.scheduled)}</h2>
            <ul>{rows}</ul>
        </section>
    }
}

fn scheduled_item(
    item: ScheduledView,
    conversation: i64,
    current: Latest,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let words = use_texts();
    let id = item.id;
    let cancel = move |_| {
        let ticket = current.ticket();
        leptos::task::spawn_local(async move {
            match cancel_scheduled(conversation, id).await {
                Ok(page) => current.apply(ticket, page),
                Err(e) => error.set(Some(error_text(&e))),
            }
        });
    };
    let status = item.status;
    let state = move || words().inbox_texts.schedule_status(status);
    let pending = item.status == ScheduleStatus::Pending;
    view! {
        <li class="scheduled-item" data-status=item.status.code()>
            <span class="text">{item.text}</span>
            <span class="muted">" · " <LocalTime ms=item.send_at_ms/> " · " {state}</span>
            " "<span class="failure" hidden=item.failure.is_none()>{item.failure.clone().unwrap_or_default()}</span>
            " "<button type="button" class="link-button" hidden=!pending on:click=cancel>{word(|t| t.inbox_texts.cancel)}</button>
        </li>
    }
}
