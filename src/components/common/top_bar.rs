//! The bar above every signed-in page: the product, Inbox and Settings, who is signed
//! in, and Sign out. On a phone all but the product fold into a Menu button.

use crate::components::common::page_data::page_resource;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::{Redirect, A};

use crate::api::auth::{set_language, signed_in_user, Logout};
use crate::domain::locale::Locale;
use crate::error::AppError;
use crate::i18n::word;
use crate::i18n::{error_text, PageLocale};
use crate::paths::{CHANNELS, INBOX, LOGIN};

#[component]
pub fn TopBar() -> impl IntoView {
    let me = page_resource(|| (), |_| signed_in_user());
    let open = RwSignal::new(false);
    // A page reached without a reload (after signing in) takes the person's language.
    let locale = use_context::<PageLocale>().map(|l| l.0);
    Effect::new(move |_| {
        let chosen = me.get().and_then(Result::ok).map(|me| me.language);
        if let (Some(locale), Some(chosen)) = (locale, chosen.as_deref().and_then(Locale::parse)) {
            show_language(locale, chosen);
        }
    });
    view! {
        <header class="topbar" class:menu-open=move || open.get()>
            <a class="brand" href=INBOX>"Aurora"</a>
            <button
                type="button"
                class="menu-toggle ghost"
                aria-controls="topbar-menu"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)
            >
                {word(|t| t.menu)}
            </button>
            <div class="topbar-menu" id="topbar-menu">
            <nav class="top-nav" aria-label=word(|t| t.main_navigation)>
                <A href=INBOX>{word(|t| t.inbox)}</A>
                <A href=CHANNELS>{word(|t| t.settings)}</A>
            </nav>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match me.await {
                        Ok(me) => view! {
                            <p class="who">
                                <span class="company">{me.company_name}</span>
                                <span class="user" title=me.email>{me.display_name}</span>
                            </p>
                        }.into_any(),
                        // The session ended while the page was open: back to sign-in.
                        Err(AppError::Unauthenticated) => view! { <Redirect path=LOGIN/> }.into_any(),
                        Err(error) => view! { <p class="who" role="alert">{error_text(&error)}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <LanguageMenu/>
            // A plain form: the server answers with the sign-in page, loaded afresh, so
            // nothing of the signed-in page stays in memory.
            <form method="post" action=Logout::url()>
                <button type="submit" class="ghost">{word(|t| t.sign_out)}</button>
            </form>
            </div>
        </header>
    }
}

/// The person's language: applied to the open page at once, and kept on their user.
#[component]
fn LanguageMenu() -> impl IntoView {
    let locale = use_context::<PageLocale>().map(|l| l.0);
    let error = RwSignal::new(None::<String>);
    let menu = NodeRef::<leptos::html::Select>::new();
    let choose = move |tag: String| {
        let Some(chosen) = Locale::parse(&tag) else {
            return;
        };
        if locale.is_some_and(|l| l.get_untracked() == chosen) {
            return;
        }
        if let Some(locale) = locale {
            show_language(locale, chosen);
        }
        leptos::task::spawn_local(async move {
            error.set(
                set_language(chosen.tag().to_string())
                    .await
                    .err()
                    .map(|e| error_text(&e)),
            );
        });
    };
    // A language picked while the page was still loading had no handler yet: the menu shows
    // it, so the page takes it once it is ready.
    Effect::new(move |_| {
        if let Some(menu) = menu.get() {
            choose(menu.value());
        }
    });
    let current = move || locale.map(|l| l.get()).unwrap_or_default();
    let options = Locale::ALL
        .into_iter()
        .map(|option| {
            view! { <option value=option.tag() selected=move || current() == option>{option.name()}</option> }
        })
        .collect_view();
    view! {
        <select class="language" aria-label=word(|t| t.language) autocomplete="off" node_ref=menu on:change=move |ev| choose(event_target_value(&ev))>{options}</select>
        <span class="failure" role="alert" hidden=move || error.get().is_none()>{move || error.get()}</span>
    }
}

/// Redraws the page in `chosen` and says so in `<html lang>` (for screen readers and spelling).
fn show_language(locale: RwSignal<Locale>, chosen: Locale) {
    if locale.get_untracked() != chosen {
        locale.set(chosen);
    }
    if let Some(html) = document().document_element() {
        let _ = html.set_attribute("lang", chosen.tag());
    }
}
