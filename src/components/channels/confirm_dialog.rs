//! The confirmation before Disconnect and Disable, whose code the browser fetches when
//! one is first asked for.

use leptos::prelude::*;

use crate::components::common::dom::{dialog_keys, focus_id};
use crate::i18n::channels::ChannelTexts;
use crate::i18n::use_texts;
use crate::i18n::word;

/// Picks one of the dialog's texts: its title, its question, its action.
pub type Words = fn(&ChannelTexts) -> &'static str;

#[lazy]
pub fn confirm_dialog(
    title_id: String,
    words_of: [Words; 3],
    on_cancel: Callback<()>,
    on_confirm: Callback<()>,
) -> AnyView {
    view! { <Confirm title_id words_of on_cancel on_confirm/> }.into_any()
}

/// A confirmation before a consequential action. Focus starts on **Cancel**, never on the
/// action; Escape cancels.
#[component]
fn Confirm(
    title_id: String,
    words_of: [Words; 3],
    on_cancel: Callback<()>,
    on_confirm: Callback<()>,
) -> impl IntoView {
    let [title, text, confirm] = words_of;
    let words = use_texts();
    let cancel_id = format!("{title_id}-cancel");
    let labelled_by = title_id.clone();
    {
        // `autofocus` is honoured once per page in Chromium: focus it ourselves.
        let cancel_id = cancel_id.clone();
        request_animation_frame(move || focus_id(&cancel_id));
    }
    view! {
        <div class="dialog-backdrop">
            <div
                class="dialog"
                role="alertdialog"
                aria-modal="true"
                aria-labelledby=labelled_by
                on:keydown=dialog_keys(move || on_cancel.run(()))
            >
                <h3 id=title_id>{move || title(words().channels)}</h3>
                <p>{move || text(words().channels)}</p>
                <div class="card-actions">
                    <button type="button" id=cancel_id on:click=move |_| on_cancel.run(())>{word(|t| t.channels.cancel)}</button>
                    <button type="button" class="danger" on:click=move |_| on_confirm.run(())>{move || confirm(words().channels)}</button>
                </div>
            </div>
        </div>
    }
}
