//! A Connecting card: the QR code that refreshes by itself, its countdown, the linking
//! steps, the pairing-code alternative (first on a touch device), and Cancel.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use leptos::prelude::*;

use super::account_card::CardAction;
use super::cards::Cards;
use super::session_health::{lead, unreachable_hint, RetryNow, SecondsLeft};
use crate::api::channels::{cancel_linking, request_pair_code, start_linking};
use crate::components::common::dom::touch_first;
#[cfg(not(feature = "hydrate"))]
use crate::components::common::lazy_parts::name_lazy_parts;
use crate::i18n::use_texts;
use crate::i18n::word;
use crate::views::channels::{AccountView, ChannelUpdate, LinkView};

/// A Connecting card's panel. Its code is a lazy part of the bundle, fetched when a card
/// first needs it: the server's HTML and the page's first render (which hydrates it) show
/// a placeholder, and the panel replaces it once the part is in.
///
/// A card that is Connecting when the server renders the page has the part's files named in
/// the page's head (`name_lazy_parts`), so the browser fetches them beside the main part
/// instead of after hydration, when they would hold up the page's first requests (on
/// HTTP/1.1 a browser opens six connections to a server).
/// A page without a Connecting card does not fetch the part ahead: fetched as the page
/// started, a part asked for meanwhile sometimes never showed (docs/OPERATIONS.md).
#[component]
pub fn Linking(account: RwSignal<AccountView>) -> impl IntoView {
    hint_linking_part(account);
    let fetched = RwSignal::new(false);
    // Effects run only in the browser, once the page has hydrated: its first render keeps
    // the server's placeholder.
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            fetch_linking_part().await;
            fetched.try_set(true);
        });
    });
    // Once the part is in, the panel is made at once, in this card's owner like any other
    // view: made inside a Suspense, its effects outlived the card's status change.
    let panel = move || {
        fetched
            .get()
            .then(|| ready_now(linking_panel(account)))
            .flatten()
    };
    let placeholder = || {
        view! {
            <div class="linking">
                <p class="qr-placeholder" aria-live="polite">{word(|t| t.channels.generating_qr)}</p>
            </div>
        }
        .into_any()
    };
    move || panel().unwrap_or_else(placeholder)
}

#[cfg(feature = "hydrate")]
async fn fetch_linking_part() {
    __preload_linking_panel().await
}

#[cfg(not(feature = "hydrate"))]
async fn fetch_linking_part() {}

/// On the server, running the lazy function is what marks its part as needed by this page;
/// the panel it makes is dropped, as the page shows the placeholder until the part is in.
#[cfg(not(feature = "hydrate"))]
fn hint_linking_part(account: RwSignal<AccountView>) {
    drop(ready_now(linking_panel(account)));
    name_lazy_parts();
}

#[cfg(feature = "hydrate")]
fn hint_linking_part(_: RwSignal<AccountView>) {}

/// The value of a future that needs no waiting (a lazy part already fetched), else None.
fn ready_now<F: Future>(future: F) -> Option<F::Output> {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(value) => Some(value),
        Poll::Pending => None,
    }
}

#[lazy]
fn linking_panel(account: RwSignal<AccountView>) -> AnyView {
    view! { <LinkingPanel account/> }.into_any()
}

#[component]
fn LinkingPanel(account: RwSignal<AccountView>) -> impl IntoView {
    let words = use_texts();
    let cards = expect_context::<Cards>();
    let id = account.get_untracked().id;
    let link = Memo::new(move |_| account.with(|a| a.link.clone()));
    let cancel = CardAction::new();
    let renew = CardAction::new();
    let on_cancel = move |_| {
        cancel.run(cards, move || async move {
            cancel_linking(id).await.map(|view| {
                view.map(ChannelUpdate::Upsert)
                    .unwrap_or(ChannelUpdate::Removed { id })
            })
        })
    };
    let on_renew = move |_| {
        renew.run(cards, move || async move {
            start_linking(id).await.map(ChannelUpdate::Upsert)
        })
    };
    let renew_button = move || {
        view! {
            <button type="button" class="primary" on:click=on_renew disabled=move || renew.pending.get()>
                {word(|t| t.channels.generate_new_code)}
            </button>
        }
    };
    // On a phone the pairing code comes first, the QR one tap away.
    let touch = RwSignal::new(false);
    let show_qr = RwSignal::new(false);
    Effect::new(move |_| touch.set(touch_first()));
    let qr_hidden = move || touch.get() && !show_qr.get();
    view! {
        <div class="linking">
            <button type="button" class="link-button" hidden=move || !qr_hidden() on:click=move |_| show_qr.set(true)>
                {word(|t| t.channels.show_qr_instead)}
            </button>
            <div class="qr-side" hidden=qr_hidden>
                {move || { let t = words().channels; match link.get() {
                    Some(LinkView::Qr { svg, expires_in_ms, .. }) => view! {
                        <div class="qr" role="img" aria-label=t.qr_label inner_html=svg></div>
                        <Countdown expires_in_ms/>
                    }.into_any(),
                    Some(LinkView::Failed { failure }) => view! {
                        <p class="qr-placeholder" role="alert">{(t.link_failure)(&failure)}</p>
                        {renew_button()}
                    }.into_any(),
                    // The driver's own words (`message`) stay in the server log.
                    Some(LinkView::Unreachable { retry_in_ms, .. }) => view! {
                        // One inline run of text: the placeholder lays out its children as a column.
                        <p class="qr-placeholder unreachable" role="status">
                            <span>{lead(t, account.with_untracked(|a| a.client_outdated))} <SecondsLeft ms=retry_in_ms/> {t.seconds}</span>
                        </p>
                        {unreachable_hint(t, account.with_untracked(|a| a.client_outdated))}
                        <RetryNow id/>
                    }.into_any(),
                    Some(LinkView::Passkey { handoff }) => view! {
                        <div class="qr-placeholder passkey" role="status">
                            <p><strong>{t.passkey_title}</strong></p>
                            <p>{t.passkey_why}</p>
                        </div>
                        {match handoff {
                            Some(code) => view! {
                                <p class="hint">{t.passkey_handoff}</p>
                                <p class="handoff"><code class="pair-code" aria-label=t.passkey_code_label>{code}</code></p>
                                <p class="hint">{t.passkey_unexpected}</p>
                            }.into_any(),
                            None => view! { <p class="hint">{t.passkey_received}</p> }.into_any(),
                        }}
                    }.into_any(),
                    Some(LinkView::PasskeyCode { code: Some(code) }) => view! {
                        <p class="qr-placeholder passkey" role="status">
                            {t.confirm_code} <strong class="pair-code">{code}</strong>
                        </p>
                    }.into_any(),
                    Some(LinkView::PasskeyCode { code: None }) => view! {
                        <p class="qr-placeholder passkey" role="status">{t.passkey_accepted}</p>
                    }.into_any(),
                    Some(LinkView::Waiting) => view! {
                        <p class="qr-placeholder" aria-live="polite">{t.generating_qr}</p>
                    }.into_any(),
                    Some(LinkView::Expired) | None => view! {
                        <p class="qr-placeholder">{t.qr_expired}</p>
                        {renew_button()}
                    }.into_any(),
                }}}
                {renew.error_view()}
            </div>
            <div class="steps-side">
                <ol class="steps" hidden=qr_hidden>
                    {move || words().channels.steps.iter().map(|step| view! { <li>{*step}</li> }).collect_view()}
                </ol>
                <PairByPhone account touch/>
                {cancel.error_view()}
                <div class="card-actions">
                    <button type="button" on:click=on_cancel disabled=move || cancel.pending.get()>{word(|t| t.channels.cancel)}</button>
                </div>
            </div>
        </div>
    }
}

/// Seconds left for the current QR ref.
#[component]
fn Countdown(expires_in_ms: u64) -> impl IntoView {
    view! {
        <p class="countdown">
            {word(|t| t.channels.new_code_in)} <SecondsLeft ms=expires_in_ms/> {word(|t| t.channels.seconds)}
        </p>
    }
}

/// "Link with phone number instead": an 8-character code to type on the phone.
#[component]
fn PairByPhone(account: RwSignal<AccountView>, touch: RwSignal<bool>) -> impl IntoView {
    let words = use_texts();
    let cards = expect_context::<Cards>();
    let id = account.get_untracked().id;
    let open = RwSignal::new(false);
    // The configured number, when there is one, is the phone to link.
    let phone = RwSignal::new(account.get_untracked().phone.unwrap_or_default());
    Effect::new(move |_| {
        if touch.get() {
            open.set(true);
        }
    });
    let action = CardAction::new();
    let pair_code = move || match account.with(|a| a.link.clone()) {
        Some(LinkView::Qr {
            pair_code: Some(code),
            ..
        }) => Some(code),
        _ => None,
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let number = phone.get_untracked();
        action.run(cards, move || async move {
            request_pair_code(id, number)
                .await
                .map(ChannelUpdate::Upsert)
        });
    };
    view! {
        <Show
            when=move || open.get() || pair_code().is_some()
            fallback=move || view! {
                <button type="button" class="link-button" on:click=move |_| open.set(true)>
                    {word(|t| t.channels.link_with_phone)}
                </button>
            }
        >
            {move || { let t = words().channels; match pair_code() {
                Some(code) => view! {
                    <div class="pair-code">
                        <p>{t.enter_code}</p>
                        <p class="code" aria-label=t.pairing_code>{format!("{}-{}", &code[..4.min(code.len())], &code[4.min(code.len())..])}</p>
                        <p class="hint">{t.pairing_path}</p>
                    </div>
                }.into_any(),
                None => view! {
                    <form class="pair-form" on:submit=submit>
                        <label for=format!("pair-phone-{id}")>{t.phone_number}</label>
                        <input
                            id=format!("pair-phone-{id}")
                            type="tel"
                            placeholder="+52 55 1234 5678"
                            autocomplete="tel"
                            required
                            prop:value=move || phone.get()
                            on:input=move |ev| phone.set(event_target_value(&ev))
                        />
                        <button type="submit" disabled=move || action.pending.get()>{t.get_pairing_code}</button>
                        {action.error_view()}
                    </form>
                }.into_any(),
            }}}
        </Show>
    }
}
