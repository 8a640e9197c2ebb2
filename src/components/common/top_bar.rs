//! The bar above every signed-in page: the product, Inbox and Settings, who is signed
//! in, and Sign out. On a phone all but the product fold into a Menu button.

use leptos::prelude::*;
use leptos_router::components::{Redirect, A};

use crate::api::auth::{signed_in_user, Logout};
use crate::error::AppError;
use crate::i18n::use_texts;
use crate::paths::{CHANNELS, INBOX, LOGIN};

#[component]
pub fn TopBar() -> impl IntoView {
    let me = Resource::new(|| (), |_| signed_in_user());
    let logout = ServerAction::<Logout>::new();
    let open = RwSignal::new(false);
    let words = use_texts();
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
                {words.menu}
            </button>
            <div class="topbar-menu" id="topbar-menu">
            <nav class="top-nav" aria-label=words.main_navigation>
                <A href=INBOX>{words.inbox}</A>
                <A href=CHANNELS>{words.settings}</A>
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
                        Err(error) => view! { <p class="who" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <ActionForm action=logout>
                <button type="submit" class="ghost">{words.sign_out}</button>
            </ActionForm>
            </div>
        </header>
    }
}
