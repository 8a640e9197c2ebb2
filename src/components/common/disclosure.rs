//! A button that shows and hides a region below it, whose contents are made the first time
//! it opens: they are usually a lazy part of the bundle, fetched then.

use leptos::prelude::*;

/// `open` and `reread` belong to the caller: `reread` moves on each opening (and whenever
/// the caller wants the contents to read afresh), and the contents follow it.
#[component]
pub fn Disclosure(
    /// The region's id, for the button's `aria-controls`.
    region_id: String,
    class: &'static str,
    /// The button's words while closed, which also name the region.
    #[prop(into)]
    show: Signal<&'static str>,
    #[prop(into)] hide: Signal<&'static str>,
    open: RwSignal<bool>,
    reread: RwSignal<u32>,
    children: ChildrenFn,
) -> impl IntoView {
    let opened = RwSignal::new(false);
    let toggle = move |_| {
        let opening = !open.get_untracked();
        open.set(opening);
        opened.set(true);
        if opening {
            reread.update(|n| *n += 1);
        }
    };
    let children = StoredValue::new(children);
    view! {
        <button
            type="button"
            class="link-button"
            aria-expanded=move || open.get().to_string()
            aria-controls=region_id.clone()
            on:click=toggle
        >
            {move || if open.get() { hide.get() } else { show.get() }}
        </button>
        <div id=region_id class=class role="region" aria-label=move || show.get() hidden=move || !open.get()>
            <Show when=move || opened.get()>
                <Suspense>{move || children.with_value(|children| children())}</Suspense>
            </Show>
        </div>
    }
}
