//! A conversation's messages and the reply box. Replies show their state (Sending…,
//! Sent, Not sent with the reason and Retry).

use leptos::prelude::*;

use super::inbox_live::LocalTime;
use crate::api::inbox::{retry_reply, send_reply, ConversationPage, MessageView};
use crate::domain::inbox::MessageStatus;

#[component]
pub fn Thread(
    page: ConversationPage,
    current: RwSignal<Option<ConversationPage>>,
) -> impl IntoView {
    let conversation = page.id;
    view! {
        <ol class="thread" aria-label="Messages">
            {page.messages.into_iter().map(|m| view! { <Message message=m conversation current/> }).collect_view()}
        </ol>
    }
}

#[component]
fn Message(
    message: MessageView,
    conversation: i64,
    current: RwSignal<Option<ConversationPage>>,
) -> impl IntoView {
    let retrying = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let id = message.id;
    let retry = move |_| {
        retrying.set(true);
        leptos::task::spawn_local(async move {
            match retry_reply(conversation, id).await {
                Ok(page) => current.set(Some(page)),
                Err(e) => error.set(Some(e.to_string())),
            }
            retrying.set(false);
        });
    };
    let media = message.media.clone().map(|m| {
        if m.inline_image {
            let link = m.url.clone();
            view! {
                <a href=link target="_blank" rel="noopener">
                    <img class="attachment" src=m.url alt=m.filename.clone()/>
                </a>
            }
            .into_any()
        } else {
            view! {
                <a class="download" href=m.url download=m.filename.clone()>
                    {format!("📎 {} ({})", m.filename, m.size)}
                </a>
            }
            .into_any()
        }
    });
    let status = message.outbound.then(|| {
        let label = message.status.label();
        let failed = message.status == MessageStatus::Failed;
        view! {
            <span class="status" class:failed=failed>{label}</span>
            {message.failure.clone().map(|f| view! { <span class="failure">{f}</span> })}
            {failed.then(|| view! {
                <button type="button" class="link-button" on:click=retry disabled=move || retrying.get()>"Retry"</button>
            })}
            {move || error.get().map(|e| view! { <span class="error" role="alert">{e}</span> })}
        }
    });
    let author = message.author.clone().map(|a| format!("{a} · "));
    view! {
        <li class="message" class:outbound=message.outbound class:inbound=!message.outbound data-status=message.status.code()>
            {media}
            {(!message.text.is_empty()).then(|| view! { <p class="text">{message.text.clone()}</p> })}
            <p class="message-meta">{author}<LocalTime ms=message.at_ms/> " " {status}</p>
        </li>
    }
}

#[component]
pub fn ReplyBox(current: RwSignal<Option<ConversationPage>>) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let sending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let blocked = move || current.with(|p| p.as_ref().and_then(|p| p.reply_blocked.clone()));
    let send = move || {
        let Some(id) = current.with_untracked(|p| p.as_ref().map(|p| p.id)) else {
            return;
        };
        let body = text.get_untracked();
        if body.trim().is_empty() || sending.get_untracked() {
            return;
        }
        sending.set(true);
        leptos::task::spawn_local(async move {
            match send_reply(id, body.clone()).await {
                Ok(page) => {
                    current.set(Some(page));
                    // Only what was sent is cleared; anything typed meanwhile stays.
                    text.update(|t| {
                        if *t == body {
                            t.clear()
                        }
                    });
                    error.set(None);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
            sending.set(false);
        });
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        send();
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
            ev.prevent_default();
            send();
        }
    };
    view! {
        <form class="reply" on:submit=on_submit>
            {move || blocked().map(|reason| view! { <p class="notice" role="status">{reason}</p> })}
            <label for="reply-text">"Reply"</label>
            <textarea
                id="reply-text"
                rows="3"
                placeholder="Write a reply… (Ctrl+Enter sends)"
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
                on:keydown=on_keydown
                disabled=move || blocked().is_some()
            ></textarea>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <button type="submit" class="primary" disabled=move || sending.get() || blocked().is_some()>
                {move || if sending.get() { "Sending…" } else { "Send" }}
            </button>
        </form>
    }
}
