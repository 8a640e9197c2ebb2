//! Scheduling a message in a conversation: text and a time in the viewer's time zone;
//! the list of scheduled messages with Cancel while they have not gone out.

use leptos::prelude::*;

use super::inbox_live::{browser_time_zone, local_input_to_ms, LocalTime};
use crate::api::inbox::{cancel_scheduled, schedule_message, ConversationPage, ScheduledView};
use crate::domain::inbox::ScheduleStatus;

#[component]
pub fn ScheduleBox(current: RwSignal<Option<ConversationPage>>) -> impl IntoView {
    let open = RwSignal::new(false);
    let text = RwSignal::new(String::new());
    let when = RwSignal::new(String::new());
    let saving = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let zone = RwSignal::new(String::new());
    Effect::new(move |_| zone.set(browser_time_zone()));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(id) = current.with_untracked(|p| p.as_ref().map(|p| p.id)) else {
            return;
        };
        let Some(send_at) = local_input_to_ms(&when.get_untracked()) else {
            error.set(Some("Choose when to send it".into()));
            return;
        };
        let body = text.get_untracked();
        saving.set(true);
        leptos::task::spawn_local(async move {
            match schedule_message(id, body, send_at).await {
                Ok(page) => {
                    current.set(Some(page));
                    text.set(String::new());
                    when.set(String::new());
                    error.set(None);
                    open.set(false);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
            saving.set(false);
        });
    };
    let scheduled =
        move || current.with(|p| p.as_ref().map(|p| p.scheduled.clone()).unwrap_or_default());
    view! {
        <section class="scheduled" aria-label="Scheduled messages">
            <Show when=move || !scheduled().is_empty()>
                <h2>"Scheduled"</h2>
                <ul>
                    <For each=scheduled key=|s| (s.id, s.status) let:item>
                        <ScheduledItem item current/>
                    </For>
                </ul>
            </Show>
            <Show
                when=move || open.get()
                fallback=move || view! {
                    <button type="button" class="link-button" on:click=move |_| open.set(true)>"Schedule a message"</button>
                }
            >
                <form class="schedule-form" on:submit=submit>
                    <label for="schedule-text">"Message"</label>
                    <textarea id="schedule-text" rows="2"
                        prop:value=move || text.get()
                        on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                    <label for="schedule-at">"Send at"</label>
                    <input id="schedule-at" type="datetime-local" step="1"
                        prop:value=move || when.get()
                        on:input=move |ev| when.set(event_target_value(&ev))/>
                    <p class="hint">{move || format!("Your time zone: {}", zone.get())}</p>
                    {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                    <div class="card-actions">
                        <button type="button" on:click=move |_| open.set(false)>"Cancel"</button>
                        <button type="submit" class="primary" disabled=move || saving.get()>"Schedule"</button>
                    </div>
                </form>
            </Show>
        </section>
    }
}

#[component]
fn ScheduledItem(
    item: ScheduledView,
    current: RwSignal<Option<ConversationPage>>,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let id = item.id;
    let cancel = move |_| {
        let Some(conversation) = current.with_untracked(|p| p.as_ref().map(|p| p.id)) else {
            return;
        };
        leptos::task::spawn_local(async move {
            match cancel_scheduled(conversation, id).await {
                Ok(page) => current.set(Some(page)),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let state = match item.status {
        ScheduleStatus::Pending => "Scheduled",
        ScheduleStatus::Sent => "Sent",
        ScheduleStatus::Failed => "Not sent",
        ScheduleStatus::Cancelled => "Cancelled",
    };
    view! {
        <li class="scheduled-item" data-status=item.status.code()>
            <span class="text">{item.text.clone()}</span>
            <span class="muted">" · " <LocalTime ms=item.send_at_ms/> " · " {state}</span>
            {item.failure.clone().map(|f| view! { <span class="failure">{f}</span> })}
            {(item.status == ScheduleStatus::Pending).then(|| view! {
                <button type="button" class="link-button" on:click=cancel>"Cancel"</button>
            })}
            {move || error.get().map(|e| view! { <span class="error" role="alert">{e}</span> })}
        </li>
    }
}
