use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::components::common::settings_shell::{SettingsIndex, SettingsShell};
use crate::pages::conversation::ConversationPage;
use crate::pages::inbox::{InboxPage, NoConversation};
use crate::pages::login::LoginPage;
use crate::pages::not_found::NotFound;
use crate::pages::setup::SetupPage;
use crate::pages::whatsapp_web::WhatsAppWebPage;

/// The page around the app, rendered on the server only.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    use leptos_meta::MetaTags;
    provide_script_nonce();
    let lang = crate::i18n::page_locale().tag();
    view! {
        <!DOCTYPE html>
        <html lang=lang>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                <AutoReload options/>
                {bundle_links()}
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The stylesheet, and the script that loads the bundle and hydrates the page. Leptos's
/// `HashedStylesheet` and `HydrationScripts` would read the build's hash file from disk on
/// every page; these names are read once (`assets::bundle_names`).
#[cfg(feature = "ssr")]
fn bundle_links() -> impl IntoView {
    let names = crate::server::web::assets::bundle_names();
    let pkg = crate::paths::PKG;
    let js = format!("{pkg}{}", names.js);
    let wasm = format!("{pkg}{}", names.wasm);
    let start = format!(
        "import({js:?}).then((bundle) => bundle.default({{ module_or_path: {wasm:?} }}).then(() => bundle.hydrate()));"
    );
    view! {
        <link rel="stylesheet" id="leptos" href=format!("{pkg}{}", names.css)/>
        <link rel="modulepreload" href=js/>
        <link rel="preload" href=wasm r#as="fetch" r#type="application/wasm" crossorigin=""/>
        <script type="module" nonce=leptos::nonce::use_nonce()>{start}</script>
    }
}

/// The nonce the security middleware put in this response's Content-Security-Policy,
/// for the inline scripts Leptos writes into the page.
#[cfg(feature = "ssr")]
fn provide_script_nonce() {
    use crate::server::web::security::CspNonce;
    let nonce = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
    if let Some(CspNonce(nonce)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(nonce));
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    crate::i18n::provide_page_locale();
    view! {
        <Title formatter=|page: String| format!("{page} · Aurora")/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage/>
                <Route path=path!("/setup") view=SetupPage/>
                <ParentRoute path=path!("/inbox") view=InboxPage ssr=SsrMode::Async>
                    <Route path=path!("") view=NoConversation/>
                    <Route path=path!(":id") view=ConversationPage ssr=SsrMode::Async/>
                </ParentRoute>
                // Async: the first HTML already holds the cards, so the page works before
                // (or without) JavaScript.
                <ParentRoute path=path!("/settings") view=SettingsShell ssr=SsrMode::Async>
                    <Route path=path!("") view=SettingsIndex/>
                    <Route
                        path=path!("/company/channels/whatsapp-web")
                        view=WhatsAppWebPage
                        ssr=SsrMode::Async
                    />
                </ParentRoute>
            </Routes>
        </Router>
    }
}
