//! The top bar and the Settings navigation around a settings page. On a phone the
//! navigation is a page of its own (`/settings`), and each settings page starts with a
//! link back to it, as phone settings apps do.

use crate::components::common::page_data::page_resource;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Outlet, A};
use leptos_router::hooks::use_location;

use super::top_bar::TopBar;
use crate::api::auth::signed_in_user;
use crate::i18n::use_texts;
use crate::i18n::word;
use crate::paths::{AUDIT_LOG, CHANNELS, SETTINGS, WEBHOOKS};

#[component]
pub fn SettingsShell() -> impl IntoView {
    let words = use_texts();
    let path = use_location().pathname;
    let at_index = move || path.with(|p| p.trim_end_matches('/') == SETTINGS);
    let at_audit_log = move || path.with(|p| p.starts_with(AUDIT_LOG));
    let at_webhooks = move || path.with(|p| p.starts_with(WEBHOOKS));
    view! {
        <TopBar/>
        <div class="settings-layout" class:settings-index=at_index>
            <nav class="settings-nav" aria-label=word(|t| t.settings)>
                <SettingsLinks/>
            </nav>
            <main class="settings-main">
                <a class="settings-back" href=SETTINGS hidden=at_index>"‹ " {word(|t| t.settings)}</a>
                <nav class="crumbs" aria-label=word(|t| t.breadcrumb) hidden=at_index>
                    {move || {
                        let t = words();
                        let page = if at_audit_log() {
                            t.audit_log
                        } else if at_webhooks() {
                            "Webhooks"
                        } else {
                            t.channels_section
                        };
                        format!("{} › {} › {}", t.settings, t.company, page)
                    }}
                </nav>
                <Outlet/>
            </main>
        </div>
    }
}

/// The audit log's and the webhooks' links, for Global Admins only (the server refuses
/// everyone else anyway). "Webhooks" is the word in every language the app speaks.
#[component]
fn GlobalAdminLinks(#[prop(optional)] with_hint: bool) -> impl IntoView {
    let me = page_resource(|| (), |_| signed_in_user());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                me.await.ok().filter(|me| me.global_admin).map(|_| view! {
                    <li>
                        <A href=AUDIT_LOG>{word(|t| t.audit_log)}</A>
                        {with_hint.then(|| view! { <p class="hint">{word(|t| t.audit_hint)}</p> })}
                    </li>
                    <li>
                        <A href=WEBHOOKS>"Webhooks"</A>
                        {with_hint.then(|| view! { <p class="hint">{word(|t| t.webhooks_hint)}</p> })}
                    </li>
                })
            })}
        </Suspense>
    }
}

#[component]
fn SettingsLinks() -> impl IntoView {
    let path = use_location().pathname;
    // Every Channels page is the Channels tab.
    let in_channels = move || path.with(|p| p.starts_with(CHANNELS)).then_some("page");
    view! {
        <p class="nav-title">{word(|t| t.settings)}</p>
        <p class="nav-section">{word(|t| t.company)}</p>
        <ul class="tabs">
            <li><A href=CHANNELS attr:aria-current=in_channels>{word(|t| t.channels_section)}</A></li>
            <GlobalAdminLinks/>
        </ul>
        <p class="nav-section">{word(|t| t.channels_section)}</p>
        <ul class="channel-nav" aria-label=word(|t| t.channel_types)>
            <li><A href=CHANNELS>"WhatsApp Web"</A></li>
        </ul>
    }
}

/// `/settings`: what can be set, as a list (the phone's way in; a wide screen shows the
/// same list beside every settings page).
#[component]
pub fn SettingsIndex() -> impl IntoView {
    let words = use_texts();
    view! {
        <Title text=move || words().settings/>
        <h1 class="settings-index-title">{word(|t| t.settings)}</h1>
        <ul class="settings-index-list">
            <li><a href=CHANNELS>{word(|t| t.channels_section)} " › WhatsApp Web"</a>
                <p class="hint">{word(|t| t.settings_hint)}</p></li>
            <GlobalAdminLinks with_hint=true/>
        </ul>
    }
}
