//! The conversation page on screen is replaced by answers from live refreshes and from
//! actions, which can arrive out of order. Each request takes a ticket first; an answer
//! older than the one shown is dropped, so a slow refresh never undoes a newer state
//! (a reply going back from "Sent" to "Sending…").

use leptos::prelude::*;

use crate::views::inbox::ConversationPage;

#[derive(Clone, Copy)]
pub struct Latest {
    pub page: RwSignal<Option<ConversationPage>>,
    issued: StoredValue<u64>,
    shown: StoredValue<u64>,
}

impl Latest {
    pub fn new() -> Self {
        Latest {
            page: RwSignal::new(None),
            issued: StoredValue::new(0),
            shown: StoredValue::new(0),
        }
    }

    /// Take before sending a request whose answer may replace the page.
    pub fn ticket(&self) -> u64 {
        self.issued.update_value(|n| *n += 1);
        self.issued.get_value()
    }

    /// Shows `page` unless something newer is already shown.
    pub fn apply(&self, ticket: u64, page: ConversationPage) {
        if ticket > self.shown.get_value() {
            self.shown.set_value(ticket);
            self.page.set(Some(page));
        }
    }

    pub fn id(&self) -> Option<i64> {
        self.page.with_untracked(|p| p.as_ref().map(|p| p.id))
    }
}

impl Default for Latest {
    fn default() -> Self {
        Latest::new()
    }
}
