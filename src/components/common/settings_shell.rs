use leptos::prelude::*;
use leptos_router::components::{Outlet, A};

use super::top_bar::TopBar;
use crate::paths::CHANNELS;

/// The top bar and the Settings navigation around a settings page.
#[component]
pub fn SettingsShell() -> impl IntoView {
    view! {
        <TopBar/>
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
