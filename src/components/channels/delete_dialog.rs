//! The Delete warning: what will go, with the real counts, and a confirmation that asks
//! for the account's name before Delete can be pressed.

use leptos::prelude::*;

use super::cards::Cards;
use crate::api::channels::{delete_account, preview_deletion};
use crate::components::common::dom::{dialog_keys, focus_id};
use crate::domain::size::format_bytes;
use crate::views::channels::{AccountDataCounts, DeletionPreview};

fn plural(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn consequences(c: &AccountDataCounts) -> Vec<String> {
    vec![
        format!(
            "{} will be deleted",
            plural(c.conversations, "conversation", "conversations")
        ),
        format!(
            "{} associated only with this channel will be deleted",
            plural(c.contacts, "contact", "contacts")
        ),
        format!(
            "{} will be deleted",
            plural(
                c.scheduled_messages,
                "scheduled message",
                "scheduled messages"
            )
        ),
        format!(
            "{} ({}) will be deleted",
            plural(c.media_files, "media file", "media files"),
            format_bytes(c.media_bytes)
        ),
        "This action cannot be undone".into(),
    ]
}

#[component]
pub fn DeleteDialog(account_id: i64, on_close: Callback<()>) -> impl IntoView {
    let cards = expect_context::<Cards>();
    let preview = RwSignal::new(None::<Result<DeletionPreview, String>>);
    leptos::task::spawn_local(async move {
        let loaded = preview_deletion(account_id)
            .await
            .map_err(|e| e.to_string());
        preview.try_set(Some(loaded));
    });
    let typed = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let title_id = format!("delete-title-{account_id}");
    let labelled_by = title_id.clone();
    let confirm_id = format!("delete-confirm-{account_id}");
    let cancel_id = format!("delete-cancel-{account_id}");
    {
        // `autofocus` is honoured once per page in Chromium: the safe answer gets focus here.
        let cancel_id = cancel_id.clone();
        request_animation_frame(move || focus_id(&cancel_id));
    }
    let name = move || {
        preview.with(|p| {
            p.as_ref()
                .and_then(|p| p.as_ref().ok())
                .map(|p| p.account_name.clone())
        })
    };
    let matches = move || name().is_some_and(|n| typed.with(|t| t.trim() == n));
    let confirm = move |_| {
        pending.set(true);
        failure.set(None);
        let typed_name = typed.get_untracked();
        leptos::task::spawn_local(async move {
            match delete_account(account_id, typed_name).await {
                Ok(view) => {
                    // The live stream may have replaced the card (and this callback) already.
                    on_close.try_run(());
                    cards.upsert(view);
                }
                Err(error) => {
                    failure.try_set(Some(error.to_string()));
                    pending.try_set(false);
                }
            }
        });
    };
    view! {
        <div class="dialog-backdrop">
            <div
                class="dialog"
                role="alertdialog"
                aria-modal="true"
                aria-labelledby=labelled_by
                on:keydown=dialog_keys(move || on_close.run(()))
            >
                <h3 id=title_id>"Delete WhatsApp Web account"</h3>
                {move || match preview.get() {
                    None => view! { <p class="muted" aria-live="polite">"Counting what will be deleted…"</p> }.into_any(),
                    Some(Err(message)) => view! { <p class="form-error" role="alert">{message}</p> }.into_any(),
                    Some(Ok(preview)) => view! {
                        <ul class="consequences">
                            {consequences(&preview.counts).into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
                        </ul>
                    }.into_any(),
                }}
                <div class="field">
                    <label for=confirm_id.clone()>
                        {move || name().map(|n| format!("Type {n} to confirm")).unwrap_or_default()}
                    </label>
                    <input
                        id=confirm_id
                        type="text"
                        autocomplete="off"
                        data-focus-first=""
                        prop:value=move || typed.get()
                        on:input=move |ev| typed.set(event_target_value(&ev))
                    />
                </div>
                {move || failure.get().map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
                <div class="card-actions">
                    <button type="button" id=cancel_id.clone() on:click=move |_| on_close.run(())>"Cancel"</button>
                    <button type="button" class="danger" on:click=confirm disabled=move || !matches() || pending.get()>
                        "Delete"
                    </button>
                </div>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_warning_lists_every_consequence_with_its_count() {
        let counts = AccountDataCounts {
            conversations: 12,
            contacts: 1,
            scheduled_messages: 0,
            media_files: 3,
            media_bytes: 2_500_000,
            messages: 400,
        };
        assert_eq!(
            consequences(&counts),
            vec![
                "12 conversations will be deleted",
                "1 contact associated only with this channel will be deleted",
                "0 scheduled messages will be deleted",
                "3 media files (2.5 MB) will be deleted",
                "This action cannot be undone",
            ]
        );
    }
}
