//! The Delete warning: what will go, with the real counts, and a confirmation that asks
//! for the account's name before Delete can be pressed.

use leptos::prelude::*;

use super::cards::Cards;
use crate::api::channels::{delete_account, preview_deletion};
use crate::components::common::dom::{dialog_keys, focus_id};
use crate::i18n::word;
use crate::i18n::{error_text, use_texts};
use crate::views::channels::DeletionPreview;

/// The dialog, whose code the browser fetches when a Delete is first pressed: only global
/// admins see the button, and only on disabled channels.
#[lazy]
pub fn delete_dialog(account_id: i64, on_close: Callback<()>) -> AnyView {
    view! { <DeleteDialog account_id on_close/> }.into_any()
}

#[component]
fn DeleteDialog(account_id: i64, on_close: Callback<()>) -> impl IntoView {
    let words = use_texts();
    let cards = expect_context::<Cards>();
    let preview = RwSignal::new(None::<Result<DeletionPreview, String>>);
    leptos::task::spawn_local(async move {
        let loaded = preview_deletion(account_id)
            .await
            .map_err(|e| error_text(&e));
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
                    failure.try_set(Some(error_text(&error)));
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
                <h3 id=title_id>{word(|t| t.channels.delete_title)}</h3>
                {move || match (preview.get(), words().channels) {
                    (None, t) => view! { <p class="muted" aria-live="polite">{t.counting}</p> }.into_any(),
                    (Some(Err(message)), _) => view! { <p class="form-error" role="alert">{message}</p> }.into_any(),
                    (Some(Ok(preview)), t) => view! {
                        <ul class="consequences">
                            {(t.consequences)(&preview.counts).into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
                        </ul>
                    }.into_any(),
                }}
                <div class="field">
                    <label for=confirm_id.clone()>
                        {move || name().map(|n| (words().channels.type_to_confirm)(&n)).unwrap_or_default()}
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
                    <button type="button" id=cancel_id.clone() on:click=move |_| on_close.run(())>{word(|t| t.channels.cancel)}</button>
                    <button type="button" class="danger" on:click=confirm disabled=move || !matches() || pending.get()>
                        {word(|t| t.channels.delete)}
                    </button>
                </div>
            </div>
        </div>
    }
}
