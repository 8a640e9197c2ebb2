//! A conversation's messages and the reply box. Replies show their state (Sending…,
//! WhatsApp's ticks, Not sent or Not confirmed, with the reason and Retry). Parts that a message may lack are hidden
//! rather than left out: one shape per message keeps the browser bundle small.

use leptos::prelude::*;

use super::inbox_live::{browser_time_zone, local_input_to_ms};
use super::latest::Latest;
use super::schedule_box::scheduled_list;
use super::thread_scroll::{NewMessagesPill, ThreadScroll, THREAD_ID};
use super::ticks::ReplyStatus;
use crate::api::inbox::{load_media, retry_reply, schedule_message, send_reply};
use crate::components::common::form_error::Alert;
use crate::components::common::time::{ClockTime, DaySeparator};
use crate::domain::inbox::MessageStatus;
use crate::i18n::word;
use crate::i18n::{error_text, use_texts};
use crate::views::inbox::{ConversationPage, MessageView};

#[component]
pub fn Thread(page: ConversationPage, current: Latest, scroll: ThreadScroll) -> impl IntoView {
    let words = use_texts();
    let conversation = page.id;
    let error = RwSignal::new(None::<String>);
    let scheduled = scheduled_list(&page, current, error);
    // The chat opens at its newest message, as WhatsApp's does, and follows new ones
    // unless the agent scrolled up.
    let newest = page.messages.last().map(|m| m.id);
    let ours = page.messages.last().is_some_and(|m| m.outbound);
    scroll.drawn(newest, ours);
    let mut previous_ms = None;
    let messages = page
        .messages
        .into_iter()
        .map(|message| {
            let ms = message.at_ms;
            let separator = view! { <DaySeparator ms previous_ms/> };
            previous_ms = Some(ms);
            (
                separator,
                message_view(message, conversation, current, error, words),
            )
        })
        .collect_view();
    view! {
        <ol class="thread" id=THREAD_ID aria-label=word(|t| t.inbox_texts.messages) on:scroll=move |ev| scroll.scrolled(newest, &ev)>{messages}</ol>
        <NewMessagesPill scroll/>
        <Alert message=error/>
        {scheduled}
    }
}

fn message_view(
    message: MessageView,
    conversation: i64,
    current: Latest,
    error: RwSignal<Option<String>>,
    words: impl Fn() -> &'static crate::i18n::Texts + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let id = message.id;
    let unsure = message.status == MessageStatus::Unconfirmed;
    let retry = move |_| {
        // It may have reached the contact: sending again is the agent's decision.
        if unsure
            && !window()
                .confirm_with_message(words().inbox_texts.send_again)
                .unwrap_or(false)
        {
            return;
        }
        let ticket = current.ticket();
        leptos::task::spawn_local(async move {
            match retry_reply(conversation, id, unsure).await {
                Ok(page) => {
                    current.apply(ticket, page);
                    error.set(None);
                }
                Err(e) => error.set(Some(error_text(&e))),
            }
        });
    };
    let failed = message.status.retryable();
    let (url, filename, size, inline) = match &message.media {
        Some(m) => (
            Some(m.url.clone()),
            m.filename.clone(),
            m.size.clone(),
            m.inline_image && !m.pending,
        ),
        None => (None, String::new(), String::new(), false),
    };
    let media_id = message.media.as_ref().filter(|m| m.pending).map(|m| m.id);
    let media_error = message.media.as_ref().and_then(|m| m.error.clone());
    let loading = RwSignal::new(false);
    // A file of the chat history is fetched from WhatsApp only now, when someone asks.
    let load = move |_| {
        let Some(media) = media_id else { return };
        let ticket = current.ticket();
        loading.set(true);
        leptos::task::spawn_local(async move {
            match load_media(media).await {
                Ok(page) => {
                    current.apply(ticket, page);
                    error.set(None);
                }
                Err(e) => error.set(Some(error_text(&e))),
            }
            loading.set(false);
        });
    };
    let label = if size.is_empty() {
        filename.clone()
    } else {
        format!("{filename} ({size})")
    };

    let download = (!inline).then(|| filename.clone());
    let download_label = label.clone();
    let status = message
        .outbound
        .then(|| view! { <ReplyStatus message=message.clone()/> });
    let author = message
        .author
        .map(|a| format!("{a} · "))
        .unwrap_or_default();
    let no_text = message.text.is_empty();
    view! {
        <li id=format!("message-{id}") class="message" class:outbound=message.outbound class:inbound=!message.outbound data-status=message.status.code()>
            <a class="attachment-link" hidden=url.is_none() || media_id.is_some() href=url.clone() target="_blank" rel="noopener" download=download>
                <img class="attachment" hidden=!inline src=inline.then(|| url.clone()).flatten() alt=filename.clone()/>
                <span hidden=inline>"📎 " {label.clone()}</span>
            </a>
            <p class="history-file" hidden=media_id.is_none()>
                <button type="button" class="link-button" on:click=load disabled=move || loading.get()>
                    {move || {
                        let t = words().inbox_texts;
                        if loading.get() { t.downloading.to_string() } else { (t.download)(&download_label) }
                    }}
                </button>
                " "<span class="failure media-error" hidden=media_error.is_none()>{media_error.clone().unwrap_or_default()}</span>
            </p>
            <p class="text" hidden=no_text>{message.text}</p>
            <p class="message-meta">
                {author}<ClockTime ms=message.at_ms/>" "
                {status}
                // Spaces between the parts: read aloud or copied, they are separate sentences.
                " "<span class="failure" hidden=!failed>{message.failure.unwrap_or_default()}</span>
                " "<button type="button" class="link-button" hidden=!failed on:click=retry>{word(|t| t.inbox_texts.retry)}</button>
            </p>
        </li>
    }
}

/// One box for both: **Send** replies now; **Schedule a message** shows a time (in the
/// viewer's time zone) and sends the same text then.
#[component]
pub fn Composer(current: Latest) -> impl IntoView {
    let words = use_texts();
    let text = RwSignal::new(String::new());
    let when = RwSignal::new(String::new());
    let later = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let zone = RwSignal::new(String::new());
    Effect::new(move |_| zone.set(browser_time_zone()));
    let blocked = Memo::new(move |_| {
        current
            .page
            .with(|p| p.as_ref().and_then(|p| p.reply_blocked.clone()))
    });
    let submit = move |schedule: bool| {
        let Some(id) = current.page.with_untracked(|p| p.as_ref().map(|p| p.id)) else {
            return;
        };
        let body = text.get_untracked();
        if body.trim().is_empty() || busy.get_untracked() {
            return;
        }
        let send_at = if schedule {
            match local_input_to_ms(&when.get_untracked()) {
                Some(at) => Some(at),
                None => return error.set(Some(words().inbox_texts.choose_when.into())),
            }
        } else {
            None
        };
        busy.set(true);
        let ticket = current.ticket();
        leptos::task::spawn_local(async move {
            let answer = match send_at {
                Some(at) => schedule_message(id, body.clone(), at).await,
                None => send_reply(id, body.clone()).await,
            };
            match answer {
                Ok(page) => {
                    current.apply(ticket, page);
                    // Only what went is cleared; anything typed meanwhile stays.
                    text.update(|t| {
                        if *t == body {
                            t.clear()
                        }
                    });
                    if send_at.is_some() {
                        when.set(String::new());
                        later.set(false);
                    }
                    error.set(None);
                }
                Err(e) => error.set(Some(error_text(&e))),
            }
            busy.set(false);
        });
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submit(later.get_untracked());
    };
    // As in WhatsApp: Enter sends, Shift+Enter starts a new line. Not while an input method
    // is composing (Enter there picks the word).
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            submit(later.get_untracked());
        }
    };
    let is_blocked = move || blocked.with(Option::is_some);
    let reconnecting = move || {
        current
            .page
            .with(|p| p.as_ref().is_some_and(|p| p.reconnecting))
    };
    view! {
        // novalidate: the time field steps by minutes, yet a time with seconds (pasted, or
        // set by a script) is still a moment to send at; the checks are ours.
        <form class="reply" novalidate on:submit=on_submit>
            <p class="notice" role="status" hidden=move || !is_blocked()>{move || blocked.get().unwrap_or_default()}</p>
            <p class="reconnecting-banner" role="status" hidden=move || !reconnecting()>
                {word(|t| t.inbox_texts.reconnecting)}
            </p>
            <label for="reply-text">{word(|t| t.inbox_texts.reply)}</label>
            <textarea
                id="reply-text"
                rows="3"
                placeholder=word(|t| t.inbox_texts.reply_placeholder)
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
                on:keydown=on_keydown
            ></textarea>
            <div class="schedule-fields" hidden=move || !later.get()>
                <label for="schedule-at">{word(|t| t.inbox_texts.send_at)}</label>
                <input id="schedule-at" type="datetime-local" step="60"
                    prop:value=move || when.get()
                    on:input=move |ev| when.set(event_target_value(&ev))/>
                <p class="hint">{word(|t| t.inbox_texts.time_zone)} {move || zone.get()}</p>
            </div>
            <Alert message=error/>
            <div class="card-actions">
                <button type="button" class="link-button" on:click=move |_| later.update(|l| *l = !*l)>
                    {move || {
                        let t = words().inbox_texts;
                        if later.get() { t.send_now_instead } else { t.schedule_a_message }
                    }}
                </button>
                <button type="submit" class="primary" disabled=move || busy.get() || (is_blocked() && !later.get())>
                    {move || {
                        let t = words().inbox_texts;
                        if later.get() { t.schedule } else if busy.get() { t.sending } else { t.send }
                    }}
                </button>
            </div>
        </form>
    }
}
