//! One WhatsApp Web account on the Channels page; what it shows depends on its status.

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;

use super::activity_chart::WeekChart;
use super::cards::Cards;
use super::confirm_dialog::confirm_dialog;
use super::delete_dialog::delete_dialog;
use super::history_panel::HistoryPanel;
use super::linking_panel::Linking;
use super::session_health::{HealthLine, ImportLine, SessionDetailsPanel};
use crate::api::channels::{
    disable_account, disconnect_account, enable_account, keep_linked_number, relink_account,
    start_linking,
};
use crate::components::common::dom::{focus_id, scroll_into_view};
use crate::components::common::time::TimeAgo;
use crate::components::setup::setup_wizard::setup_wizard;
use crate::domain::account::AccountStatus;
use crate::error::AppError;
use crate::i18n::channels::ChannelTexts;
use crate::i18n::word;
use crate::i18n::{error_text, use_texts};
use crate::views::channels::{AccountView, ChannelUpdate, HealthView};

/// A card action in progress: its button is disabled meanwhile, and its error shown after.
#[derive(Clone, Copy)]
pub struct CardAction {
    pub pending: RwSignal<bool>,
    pub error: RwSignal<Option<String>>,
}

impl Default for CardAction {
    fn default() -> Self {
        Self::new()
    }
}

impl CardAction {
    pub fn new() -> Self {
        CardAction {
            pending: RwSignal::new(false),
            error: RwSignal::new(None),
        }
    }

    /// Calls the server and applies the card it answers with; the live stream would bring
    /// the same change, this only makes the acting page feel instant.
    pub fn run<Fut>(self, cards: Cards, call: impl FnOnce() -> Fut + 'static)
    where
        Fut: Future<Output = Result<ChannelUpdate, AppError>> + 'static,
    {
        self.pending.set(true);
        self.error.set(None);
        self.settle(cards, Box::pin(call()));
    }

    /// The waiting half of `run`, compiled once rather than once per button.
    fn settle(
        self,
        cards: Cards,
        call: Pin<Box<dyn Future<Output = Result<ChannelUpdate, AppError>>>>,
    ) {
        leptos::task::spawn_local(async move {
            match call.await {
                Ok(update) => cards.apply(update),
                Err(error) => self.error.set(Some(error_text(&error))),
            }
            self.pending.set(false);
        });
    }

    pub fn error_view(self) -> impl IntoView {
        move || {
            self.error
                .get()
                .map(|message| view! { <p class="form-error" role="alert">{message}</p> })
        }
    }
}

/// Everything the wizard requires is there: Connect needs no questions.
fn setup_complete(account: &AccountView) -> bool {
    account.phone.is_some() && account.cellphone_user.is_some() && account.funnel.is_some()
}

/// Linked, but nobody chose yet who holds the phone or where its chats go.
fn setup_unfinished(account: &AccountView) -> bool {
    account.cellphone_user.is_none() && account.funnel.is_none()
}

fn or_not_set(value: Option<String>, t: &ChannelTexts) -> String {
    value
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| t.not_set.into())
}

#[component]
pub fn AccountCard(account: RwSignal<AccountView>) -> impl IntoView {
    let words = use_texts();
    let status = Memo::new(move |_| account.with(|a| a.status));
    // A Connected account that lost WhatsApp says so in its badge, not only below it.
    let badge = Memo::new(move |_| {
        let t = words().channels;
        account.with(|a| match (a.status, &a.health) {
            (AccountStatus::Connected, Some(HealthView::Reconnecting { .. })) => {
                ("reconnecting", t.reconnecting)
            }
            (status, _) => (status.as_str(), t.status(status)),
        })
    });
    let heading = move || account.with(AccountView::title);
    view! {
        <article id=format!("account-{}", account.get_untracked().id) class="card" aria-label=move || (words().channels.account_label)(&heading())>
            {move || {
                let (class, label) = badge.get();
                view! {
                    <header class="card-head">
                        <h2>{heading()}</h2>
                        <span class=format!("badge status-{class}")>{label}</span>
                    </header>
                }
            }}
            {move || match status.get() {
                AccountStatus::Connecting => view! { <Linking account/> }.into_any(),
                AccountStatus::Connected => view! { <ConnectedBody account/> }.into_any(),
                AccountStatus::Disconnected => view! { <DisconnectedBody account/> }.into_any(),
                AccountStatus::Disabled => view! { <DisabledBody account/> }.into_any(),
                AccountStatus::Deleting => view! { <DeletingBody account/> }.into_any(),
            }}
            <HistoryPanel account/>
        </article>
    }
}

/// The card's fields, redrawn whole when the account changes: one reactive closure for
/// the list is far cheaper in the browser bundle than one per field.
#[component]
fn Fields(account: RwSignal<AccountView>, #[prop(optional)] full: bool) -> impl IntoView {
    let words = use_texts();
    move || {
        let t = words().channels;
        account.with(|a| {
            let mut rows = vec![
                (t.phone_number, or_not_set(a.phone.clone(), t)),
                (t.business_name, or_not_set(a.business_name.clone(), t)),
            ];
            let unfinished = full && setup_unfinished(a);
            if full && !unfinished {
                let (visibility, who) = if a.restricted_users.is_empty() {
                    (t.visible_to, t.everyone.to_string())
                } else {
                    (t.visible_only_to, a.restricted_users.join(", "))
                };
                rows.extend([
                    (t.cellphone_user, or_not_set(a.cellphone_user.clone(), t)),
                    (t.funnel, or_not_set(a.funnel.clone(), t)),
                    (t.owner, or_not_set(a.owner.clone(), t)),
                    (visibility, who),
                ]);
            }
            let rows = rows
                .into_iter()
                .map(|(term, value)| view! { <dt>{term}</dt><dd>{value}</dd> })
                .collect_view();
            view! {
                <dl class="fields">{rows}</dl>
                <p class="hint" hidden=!unfinished>{t.finish_setup_hint}</p>
            }
        })
    }
}

/// The button that opens the setup wizard, and the wizard while it is open. Focus goes
/// back to the button when the wizard closes.
#[component]
fn SetupButton(
    account_id: i64,
    #[prop(into)] label: Signal<&'static str>,
    #[prop(optional, into)] primary: Signal<bool>,
) -> impl IntoView {
    let words = use_texts();
    let open = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let button_id = format!("setup-open-{account_id}");
    let close = {
        let button_id = button_id.clone();
        Callback::new(move |did_save: bool| {
            open.try_set(false);
            focus_id(&button_id);
            if did_save {
                // Said once, politely, then gone: the card itself shows what was saved.
                saved.try_set(true);
                set_timeout(
                    move || {
                        saved.try_set(false);
                    },
                    std::time::Duration::from_secs(4),
                );
            }
        })
    };
    view! {
        <button type="button" id=button_id class:primary=move || primary.get() on:click=move |_| open.set(true)>{move || label.get()}</button>
        <span class="saved" role="status">{move || saved.get().then(|| words().channels.saved)}</span>
        <Show when=move || open.get()>
            <Suspense>
                {move || Suspend::new(setup_wizard(account_id, close))}
            </Suspense>
        </Show>
    }
}

#[component]
fn ConnectedBody(account: RwSignal<AccountView>) -> impl IntoView {
    let words = use_texts();
    let cards = expect_context::<Cards>();
    let confirming = RwSignal::new(false);
    let action = CardAction::new();
    let id = account.get_untracked().id;
    let unfinished = move || account.with(setup_unfinished);
    let disconnect = move |_: ()| {
        confirming.set(false);
        action.run(cards, move || async move {
            disconnect_account(id).await.map(ChannelUpdate::Upsert)
        });
    };
    view! {
        <Fields account full=true/>
        <WrongPhone account/>
        <HealthLine account/>
        <ImportLine account/>
        <WeekChart id/>
        <SessionDetailsPanel id/>
        {action.error_view()}
        <div class="card-actions">
            <SetupButton
                account_id=id
                label=Signal::derive(move || {
                    let t = words().channels;
                    if unfinished() { t.finish_setup } else { t.setup }
                })
                primary=Signal::derive(unfinished)
            />
            <button type="button" on:click=move |_| confirming.set(true) disabled=move || action.pending.get()>
                {word(|t| t.channels.disconnect)}
            </button>
        </div>
        <Show when=move || confirming.get()>
            <Suspense>
                {move || Suspend::new(confirm_dialog(
                    format!("disconnect-title-{id}"),
                    [|t| t.disconnect_title, |t| t.disconnect_text, |t| t.disconnect],
                    Callback::new(move |_| confirming.set(false)),
                    Callback::new(disconnect),
                ))}
            </Suspense>
        </Show>
    }
}

#[component]
fn DisconnectedBody(account: RwSignal<AccountView>) -> impl IntoView {
    let words = use_texts();
    let cards = expect_context::<Cards>();
    let undo = expect_context::<UndoDisable>();
    let id = account.get_untracked().id;
    let disable = CardAction::new();
    let connect = CardAction::new();
    let on_connect = move |_| {
        connect.run(cards, move || async move {
            start_linking(id).await.map(ChannelUpdate::Upsert)
        });
        // The card becomes the QR: bring it into view once it is drawn.
        request_animation_frame(move || scroll_into_view(&format!("account-{id}")));
    };
    let confirming = RwSignal::new(false);
    let on_disable = move |_: ()| {
        confirming.set(false);
        disable.pending.set(true);
        let title = account.with_untracked(AccountView::title);
        leptos::task::spawn_local(async move {
            match disable_account(id).await {
                // The notice first: the card (and this body) may go with the update.
                Ok(view) => {
                    undo.offer(id, title);
                    cards.upsert(view);
                }
                Err(error) => {
                    disable.error.try_set(Some(error_text(&error)));
                }
            }
            disable.pending.try_set(false);
        });
    };
    view! {
        <Fields account/>
        <p class="reason">
            {move || account.with(|a| {
                let t = words().channels;
                let reason = a
                    .disconnection
                    .as_ref()
                    .map_or_else(|| t.disconnected.to_string(), |d| (t.disconnection)(d));
                let when = a.disconnected_at_ms.map(|ms| view! { " · " <TimeAgo ms/> });
                view! { {reason} {when} }
            })}
        </p>
        {disable.error_view()}
        {connect.error_view()}
        <div class="card-actions">
            // Set up already: Connect shows the QR right here. Otherwise the wizard asks
            // for what is missing first.
            {move || if account.with(setup_complete) {
                view! {
                    <button type="button" class="primary" on:click=on_connect disabled=move || connect.pending.get()>{word(|t| t.channels.connect)}</button>
                }.into_any()
            } else {
                view! { <SetupButton account_id=id label=Signal::derive(word(|t| t.channels.connect)) primary=true/> }.into_any()
            }}
            <button type="button" on:click=move |_| confirming.set(true) disabled=move || disable.pending.get()>{word(|t| t.channels.disable)}</button>
        </div>
        <Show when=move || confirming.get()>
            <Suspense>
                {move || Suspend::new(confirm_dialog(
                    format!("disable-title-{id}"),
                    [|t| t.disable_title, |t| t.disable_text, |t| t.disable],
                    Callback::new(move |_| confirming.set(false)),
                    Callback::new(on_disable),
                ))}
            </Suspense>
        </Show>
    }
}

/// The page's "… disabled. Undo" notice, offered for a few seconds after a Disable.
#[derive(Clone, Copy)]
pub struct UndoDisable(pub RwSignal<Option<(i64, String)>>);

impl UndoDisable {
    fn offer(self, id: i64, title: String) {
        self.0.set(Some((id, title)));
        // The card that had focus is going: focus moves to Undo once it is drawn.
        request_animation_frame(|| focus_id(UNDO_BUTTON_ID));
    }
}

pub const UNDO_BUTTON_ID: &str = "undo-disable";

/// Another phone than the configured one scanned: a decision, not a footnote.
#[component]
fn WrongPhone(account: RwSignal<AccountView>) -> impl IntoView {
    let words = use_texts();
    let cards = expect_context::<Cards>();
    let id = account.get_untracked().id;
    let action = CardAction::new();
    let keep = move |_| {
        action.run(cards, move || async move {
            keep_linked_number(id).await.map(ChannelUpdate::Upsert)
        })
    };
    let relink = move |_| {
        action.run(cards, move || async move {
            relink_account(id).await.map(ChannelUpdate::Upsert)
        })
    };
    let title_id = format!("wrong-phone-{id}");
    move || {
        let message = account.with(|a| {
            a.phone_mismatch
                .as_ref()
                .map(words().channels.phone_mismatch)
        });
        message.map(|message| {
            view! {
                <div class="decision" role="group" aria-labelledby=title_id.clone()>
                    <p id=title_id.clone() class="warning">{message}</p>
                    <p class="hint">{word(|t| t.channels.wrong_phone_hint)}</p>
                    {action.error_view()}
                    <div class="card-actions">
                        <button type="button" class="primary" on:click=keep disabled=move || action.pending.get()>{word(|t| t.channels.keep_new_number)}</button>
                        <button type="button" on:click=relink disabled=move || action.pending.get()>{word(|t| t.channels.unlink_and_scan)}</button>
                    </div>
                </div>
            }
        })
    }
}

/// Whether the viewer may delete channels (global admins); the server checks it again.
#[derive(Clone, Copy)]
pub struct MayDelete(pub bool);

#[component]
fn DisabledBody(account: RwSignal<AccountView>) -> impl IntoView {
    let cards = expect_context::<Cards>();
    let may_delete = use_context::<MayDelete>().is_some_and(|m| m.0);
    let id = account.get_untracked().id;
    let enable = CardAction::new();
    let on_enable = move |_| {
        enable.run(cards, move || async move {
            enable_account(id).await.map(ChannelUpdate::Upsert)
        })
    };
    let deleting = RwSignal::new(false);
    let delete_button_id = format!("delete-open-{id}");
    let close = {
        let delete_button_id = delete_button_id.clone();
        Callback::new(move |_| {
            deleting.set(false);
            focus_id(&delete_button_id);
        })
    };
    view! {
        <Fields account/>
        <p class="muted">{word(|t| t.channels.disabled_hint)}</p>
        {enable.error_view()}
        <div class="card-actions">
            <button type="button" on:click=on_enable disabled=move || enable.pending.get()>{word(|t| t.channels.enable)}</button>
            <Show when=move || may_delete>
                <button type="button" id=delete_button_id.clone() class="danger" on:click=move |_| deleting.set(true)>{word(|t| t.channels.delete)}</button>
            </Show>
        </div>
        <Show when=move || deleting.get()>
            <Suspense>{move || Suspend::new(delete_dialog(id, close))}</Suspense>
        </Show>
    }
}

#[component]
fn DeletingBody(account: RwSignal<AccountView>) -> impl IntoView {
    let words = use_texts();
    let percent = move || account.with(|a| a.deleting_percent.unwrap_or(0));
    view! {
        {move || {
            let (percent, t) = (percent(), words().channels);
            view! {
                <p class="deleting" aria-live="polite">{(t.deleting_percent)(percent)}</p>
                <progress max="100" value=percent.to_string() aria-label=t.deletion_progress></progress>
            }
        }}
        <p class="hint">{word(|t| t.channels.deleting_hint)}</p>
    }
}
