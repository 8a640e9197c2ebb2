//! The lazy parts of the bundle a page needs, named in the page's head so the browser
//! fetches them beside the main part instead of after hydrating.

/// Names in the page's head (`<link rel=preload>`) the files of every lazy part the server
/// has run for this page so far: a lazy page, a Connecting card's panel. Call it after
/// running one; in the browser it does nothing.
///
/// Leptos writes these links itself once a page is rendered, but outside the page's reactive
/// owner, from whatever owner the thread holds at that moment: measured, 5 pages of 8 came
/// without them, and a link can land in another request's page. Named here, from inside the
/// page, they are always there and only there. What is named is taken from Leptos's list, so
/// it writes nothing after.
pub fn name_lazy_parts() {
    #[cfg(feature = "ssr")]
    server::name_lazy_parts();
}

#[cfg(feature = "ssr")]
pub use server::NamedParts;

#[cfg(feature = "ssr")]
mod server {
    use std::collections::HashSet;
    use std::sync::{Arc, Mutex, PoisonError};

    use leptos::prelude::*;
    use leptos::{PrefetchLazyFn, WasmSplitManifest};
    use leptos_meta::Link;

    /// The files already named in this page's head (parts share files), given by the shell.
    #[derive(Clone, Default)]
    pub struct NamedParts(Arc<Mutex<HashSet<String>>>);

    pub(super) fn name_lazy_parts() {
        let (Some(ran), Some(manifest), Some(named)) = (
            use_context::<PrefetchLazyFn>(),
            use_context::<WasmSplitManifest>(),
            use_context::<NamedParts>(),
        ) else {
            return;
        };
        let Some(parts) = ran
            .0
            .try_write_value()
            .map(|mut ids| std::mem::take(&mut *ids))
        else {
            return;
        };
        let Some(manifest) = manifest.0.try_read_value() else {
            return;
        };
        let (pkg, files_of, split_js) = &*manifest;
        let mut named = named.0.lock().unwrap_or_else(PoisonError::into_inner);
        let files = parts
            .iter()
            .flat_map(|part| files_of.get(*part).into_iter().flatten());
        for file in files {
            if named.insert(file.clone()) {
                let href = format!("{pkg}/{file}.wasm");
                let _ = view! {
                    <Link rel="preload" href as_="fetch" type_="application/wasm" crossorigin=""/>
                }
                .to_html();
            }
        }
        // The script that loads the parts, once.
        if !parts.is_empty() && named.insert(split_js.clone()) {
            let href = format!("{pkg}/{split_js}");
            let _ = view! { <Link rel="modulepreload" href/> }.to_html();
        }
    }
}
