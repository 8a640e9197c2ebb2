//! The top bar and the Settings navigation around a settings page. On a phone the
//! navigation is a page of its own (`/settings`), and each settings page starts with a
//! link back to it, as phone settings apps do.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Outlet, A};
use leptos_router::hooks::use_location;

use super::top_bar::TopBar;
use crate::paths::{CHANNELS, SETTINGS};

#[component]
pub fn SettingsShell() -> impl IntoView {
    let path = use_location().pathname;
    let at_index = move || path.with(|p| p.trim_end_matches('/') == SETTINGS);
    view! {
        <TopBar/>
        <div class="settings-layout" class:settings-index=at_index>
            <nav class="settings-nav" aria-label="Settings">
                <SettingsLinks/>
            </nav>
            <main class="settings-main">
                <a class="settings-back" href=SETTINGS hidden=at_index>"‹ Settings"</a>
                <nav class="crumbs" aria-label="Breadcrumb" hidden=at_index>"Settings › Company › Channels"</nav>
                <Outlet/>
            </main>
        </div>
    }
}

#[component]
fn SettingsLinks() -> impl IntoView {
    view! {
        <p class="nav-title">"Settings"</p>
        <p class="nav-section">"Company"</p>
        <ul class="tabs">
            <li><A href=CHANNELS attr:aria-current="page">"Channels"</A></li>
        </ul>
        <p class="nav-section">"Channels"</p>
        <ul class="channel-nav" aria-label="Channel types">
            <li><A href=CHANNELS>"WhatsApp Web"</A></li>
        </ul>
    }
}

/// `/settings`: what can be set, as a list (the phone's way in; a wide screen shows the
/// same list beside every settings page).
#[component]
pub fn SettingsIndex() -> impl IntoView {
    view! {
        <Title text="Settings"/>
        <h1 class="settings-index-title">"Settings"</h1>
        <ul class="settings-index-list">
            <li><a href=CHANNELS>"Channels › WhatsApp Web"</a>
                <p class="hint">"Link WhatsApp numbers, choose who answers them and who sees their chats."</p></li>
        </ul>
    }
}
