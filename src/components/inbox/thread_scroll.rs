//! Where the chat is scrolled, kept across redraws (each refresh draws the thread anew):
//! at the bottom it follows new messages, as WhatsApp does; scrolled up to read, it stays
//! put and a "New messages ↓" pill offers the way down.

use leptos::prelude::*;

use crate::i18n::word;

/// The thread's element id (one chat is open at a time).
pub const THREAD_ID: &str = "thread";
/// Closer than this to the end counts as at the bottom.
#[cfg(feature = "hydrate")]
const NEAR_BOTTOM_PX: f64 = 48.0;

/// Read only in the browser; the server's copy just renders the first page.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Clone, Copy)]
pub struct ThreadScroll {
    /// Unset until the first draw, which opens at the newest message.
    top: StoredValue<Option<f64>>,
    at_bottom: StoredValue<bool>,
    /// A draw is waiting for its frame: the thread on the page is new and not scrolled yet.
    placing: StoredValue<bool>,
    /// The newest message the agent has had on screen.
    newest_seen: StoredValue<Option<i64>>,
    pub pill: RwSignal<bool>,
}

impl ThreadScroll {
    pub fn new() -> Self {
        ThreadScroll {
            top: StoredValue::new(None),
            at_bottom: StoredValue::new(true),
            placing: StoredValue::new(false),
            newest_seen: StoredValue::new(None),
            pill: RwSignal::new(false),
        }
    }

    /// After a draw whose newest message is `newest` (`ours`: the agent's own reply):
    /// follow it when at the bottom or when it is ours, else keep the place and show the pill.
    pub fn drawn(&self, newest: Option<i64>, ours: bool) {
        // Called while the new thread is being built, so the one on the page is still the
        // previous draw: where the agent left it decides (a scroll event may not have
        // arrived yet).
        #[cfg(feature = "hydrate")]
        if self.top.get_value().is_some() && !self.placing.get_value() {
            if let Some((top, at_bottom)) = position() {
                self.top.set_value(Some(top));
                self.at_bottom.set_value(at_bottom);
            }
        }
        #[cfg(feature = "hydrate")]
        let this = *self;
        #[cfg(feature = "hydrate")]
        self.placing.set_value(true);
        #[cfg(feature = "hydrate")]
        request_animation_frame(move || {
            this.placing.set_value(false);
            let follow = this.at_bottom.get_value() || ours || this.top.get_value().is_none();
            if follow {
                this.to_bottom();
            } else {
                if let Some(top) = this.top.get_value() {
                    set_scroll_top(top);
                }
                if newest.is_some() && newest != this.newest_seen.get_value() {
                    this.pill.set(true);
                }
            }
            if follow {
                this.newest_seen.set_value(newest);
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (self, newest, ours);
    }

    /// The thread's scroll handler. Events while a draw waits for its frame are the
    /// browser's own (scroll anchoring as messages are added), not the agent's: the draw
    /// decides. So are those of a thread already replaced by a redraw.
    pub fn scrolled(&self, newest: Option<i64>, ev: &leptos::ev::Event) {
        #[cfg(feature = "hydrate")]
        {
            if self.placing.get_value() {
                return;
            }
            use wasm_bindgen::JsCast;
            let Some(el) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .filter(|el| el.is_connected())
            else {
                return;
            };
            let top = el.scroll_top() as f64;
            let rest = el.scroll_height() as f64 - top - el.client_height() as f64;
            let at_bottom = rest < NEAR_BOTTOM_PX;
            self.top.set_value(Some(top));
            self.at_bottom.set_value(at_bottom);
            if at_bottom {
                self.newest_seen.set_value(newest);
                self.pill.set(false);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (self, newest, ev);
    }

    pub fn to_bottom(&self) {
        set_scroll_top(f64::MAX);
        if let Some((top, _)) = position() {
            self.top.set_value(Some(top));
        }
        self.at_bottom.set_value(true);
        self.pill.set(false);
    }
}

impl Default for ThreadScroll {
    fn default() -> Self {
        ThreadScroll::new()
    }
}

#[cfg(feature = "hydrate")]
fn thread() -> Option<web_sys::Element> {
    document().get_element_by_id(THREAD_ID)
}

/// (scrollTop, at the bottom) of the thread.
#[cfg(feature = "hydrate")]
fn position() -> Option<(f64, bool)> {
    let el = thread()?;
    let top = el.scroll_top() as f64;
    let rest = el.scroll_height() as f64 - top - el.client_height() as f64;
    Some((top, rest < NEAR_BOTTOM_PX))
}

#[cfg(not(feature = "hydrate"))]
fn position() -> Option<(f64, bool)> {
    None
}

#[cfg(feature = "hydrate")]
fn set_scroll_top(top: f64) {
    if let Some(el) = thread() {
        let top = if top == f64::MAX {
            el.scroll_height()
        } else {
            top as i32
        };
        el.set_scroll_top(top);
    }
}

#[cfg(not(feature = "hydrate"))]
fn set_scroll_top(_top: f64) {}

/// The pill over the bottom of the thread.
#[component]
pub fn NewMessagesPill(scroll: ThreadScroll) -> impl IntoView {
    view! {
        <button type="button" class="new-messages" hidden=move || !scroll.pill.get() on:click=move |_| scroll.to_bottom()>
            {word(|t| t.inbox_texts.new_messages)}
        </button>
    }
}
