//! A reply's state as WhatsApp shows it: ✓ sent, ✓✓ delivered, blue ✓✓ read. The ticks
//! are drawn for the eye; the words, with each step's time, are read aloud and shown on
//! hover or focus, so nothing depends on colour alone.

use leptos::prelude::*;

use crate::domain::inbox::MessageStatus;
use crate::domain::time::utc_clock;
use crate::views::inbox::MessageView;

/// "Sent 14:30, Delivered 14:31, Read 14:35", in the clock `clock` gives.
fn steps(message: &MessageView, names: [&str; 3], clock: &dyn Fn(i64) -> String) -> String {
    let [sent, delivered, read] = names;
    [
        Some((sent, message.at_ms)),
        message.delivered_at_ms.map(|ms| (delivered, ms)),
        message.read_at_ms.map(|ms| (read, ms)),
    ]
    .into_iter()
    .flatten()
    .map(|(step, ms)| format!("{step} {}", clock(ms)))
    .collect::<Vec<_>>()
    .join(", ")
}

#[component]
pub fn ReplyStatus(message: MessageView) -> impl IntoView {
    let texts = crate::i18n::use_texts();
    let status = message.status;
    let ticks = status.ticks();
    let ticked = !ticks.is_empty();
    // UTC on the server's page; the viewer's clock once the browser takes over.
    let names = untrack(texts).inbox_texts.ticks;
    let words = RwSignal::new(if ticked {
        steps(&message, names, &utc_clock)
    } else {
        String::new()
    });
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if ticked {
            words.set(steps(
                &message,
                texts().inbox_texts.ticks,
                &crate::components::common::time::local_clock,
            ));
        }
    });
    view! {
        <span
            class="status"
            class:failed=status.retryable()
            class:read=status == MessageStatus::Read
            tabindex=ticked.then_some("0")
            title=move || words.get()
        >
            <span class="ticks" aria-hidden="true">{ticks}</span>
            <span class:visually-hidden=ticked>{move || texts().inbox_texts.status(status)}</span>
            <span class="visually-hidden" hidden=!ticked>{move || format!(": {}", words.get())}</span>
        </span>
    }
}
