use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};

use crate::api::auth::{signed_in_user, Logout};
use crate::error::AppError;
use crate::paths::{CHANNELS, LOGIN};

/// Header (company, signed-in user, Sign out) and the Settings navigation around a settings page.
#[component]
pub fn SettingsShell() -> impl IntoView {
    let me = Resource::new(|| (), |_| signed_in_user());
    let logout = ServerAction::<Logout>::new();
    view! {
        <header class="topbar">
            <a class="brand" href=CHANNELS>"Aurora"</a>
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
                <button type="submit" class="ghost">"Sign out"</button>
            </ActionForm>
        </header>
        <div class="settings-layout">
            <nav class="settings-nav" aria-label="Settings">
                <p class="nav-title">"Settings"</p>
                <p class="nav-section">"Company"</p>
                <ul class="tabs">
                    <li><A href=CHANNELS attr:aria-current="page">"Channels"</A></li>
                </ul>
                <p class="nav-section">"Channels"</p>
                <ul class="channel-nav" aria-label="Channel types">
                    <li><A href=CHANNELS>"WhatsApp Web"</A></li>
                </ul>
            </nav>
            <main class="settings-main">
                <nav class="crumbs" aria-label="Breadcrumb">"Settings › Company › Channels"</nav>
                <Outlet/>
            </main>
        </div>
    }
}
