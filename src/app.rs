use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, Lazy, SsrMode};

use crate::components::common::settings_shell::{SettingsIndex, SettingsShell};
use crate::pages::audit_log::AuditLogRoute;
use crate::pages::conversation::ConversationRoute;
use crate::pages::inbox::{InboxRoute, NoConversation};
use crate::pages::login::LoginRoute;
use crate::pages::not_found::NotFound;
use crate::pages::setup::SetupRoute;
use crate::pages::webhooks::WebhooksRoute;
use crate::pages::whatsapp_web::WhatsAppWebPage;

/// The page around the app, rendered on the server only.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    use leptos_meta::MetaTags;
    provide_script_nonce();
    provide_split_manifest(&options);
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

/// Which lazily fetched parts of the bundle each lazy function needs: the page names the ones
/// it rendered with in its head (`lazy_parts::name_lazy_parts`), so hydrating it waits for
/// no second round trip.
#[cfg(feature = "ssr")]
fn provide_split_manifest(options: &LeptosOptions) {
    use crate::server::web::assets::{bundle_names, read_split_manifest};
    use std::sync::OnceLock;
    static MANIFEST: OnceLock<Option<leptos::WasmSplitManifest>> = OnceLock::new();
    let manifest = MANIFEST.get_or_init(|| {
        let parts = read_split_manifest(&options.site_root);
        (!parts.is_empty()).then(|| {
            leptos::WasmSplitManifest(ArcStoredValue::new((
                crate::paths::PKG.trim_end_matches('/').to_string(),
                parts,
                bundle_names().split_js.clone(),
            )))
        })
    });
    if let Some(manifest) = manifest {
        provide_context(manifest.clone());
        provide_context(crate::components::common::lazy_parts::NamedParts::default());
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
    // A click on the server's HTML does nothing until the page is hydrated; the browser
    // tests wait for this mark before they click.
    #[cfg(feature = "hydrate")]
    Effect::new(|_| {
        if let Some(html) = document().document_element() {
            let _ = html.set_attribute("data-hydrated", "");
        }
    });
    view! {
        <Title formatter=|page: String| format!("{page} · Aurora")/>
        // Each page's code is a part of the bundle fetched when the page is first needed
        // (`lazy_route`), except the Channels page's: it is in the main part. Its code shares
        // pieces with every other page in different combinations, and the split wrote those
        // as 46 small files that compressed a fifth worse apart than together (see
        // docs/OPERATIONS.md, "First load"). An admin's first page is one WASM now; the
        // price is about 100 KB more on the first visit to the other pages.
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view={Lazy::<LoginRoute>::new()}/>
                <Route path=path!("/setup") view={Lazy::<SetupRoute>::new()}/>
                <ParentRoute path=path!("/inbox") view={Lazy::<InboxRoute>::new()} ssr=SsrMode::Async>
                    <Route path=path!("") view=NoConversation/>
                    <Route path=path!(":id") view={Lazy::<ConversationRoute>::new()} ssr=SsrMode::Async/>
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
                    <Route
                        path=path!("/company/audit-log")
                        view={Lazy::<AuditLogRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/company/webhooks")
                        view={Lazy::<WebhooksRoute>::new()}
                        ssr=SsrMode::Async
                    />
                </ParentRoute>
            </Routes>
        </Router>
    }
}
