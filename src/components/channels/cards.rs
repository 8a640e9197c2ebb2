//! The Channels page's cards in the browser: one signal per card, so an update redraws
//! that card only and keeps what the user was typing in the others.

use leptos::prelude::*;

use crate::api::channels::channels_page;
use crate::views::channels::{AccountView, ChannelUpdate};

#[derive(Clone, Copy)]
pub struct Cards(
    RwSignal<Vec<(i64, RwSignal<AccountView>)>>,
    /// Accounts this page saw removed. An answer that left the server before the removal
    /// (a Delete's own reply can arrive after the stream said the account is gone) must
    /// not bring the card back; ids are never reused.
    StoredValue<Vec<i64>>,
);

impl Cards {
    pub fn new(accounts: Vec<AccountView>) -> Self {
        Cards(
            RwSignal::new(
                accounts
                    .into_iter()
                    .map(|a| (a.id, RwSignal::new(a)))
                    .collect(),
            ),
            StoredValue::new(Vec::new()),
        )
    }

    pub fn list(&self) -> Vec<(i64, RwSignal<AccountView>)> {
        self.0.get()
    }

    pub fn upsert(&self, view: AccountView) {
        if self.1.with_value(|gone| gone.contains(&view.id)) {
            return;
        }
        let existing = self
            .0
            .with_untracked(|cards| cards.iter().find(|(id, _)| *id == view.id).map(|(_, s)| *s));
        match existing {
            Some(card) => card.set(view),
            // Newest first, as the server lists them.
            None => self.0.update(|cards| {
                let position = cards
                    .iter()
                    .position(|(id, _)| *id < view.id)
                    .unwrap_or(cards.len());
                cards.insert(position, (view.id, RwSignal::new(view)));
            }),
        }
    }

    pub fn remove(&self, id: i64) {
        self.1.update_value(|gone| gone.push(id));
        self.0.update(|cards| cards.retain(|(card, _)| *card != id));
    }

    pub fn replace_all(&self, accounts: Vec<AccountView>) {
        let keep: Vec<i64> = accounts.iter().map(|a| a.id).collect();
        self.0
            .update(|cards| cards.retain(|(id, _)| keep.contains(id)));
        for account in accounts {
            self.upsert(account);
        }
    }

    pub fn apply(&self, update: ChannelUpdate) {
        match update {
            ChannelUpdate::Upsert(view) => self.upsert(view),
            ChannelUpdate::Removed { id } => self.remove(id),
            ChannelUpdate::Resync => self.resync(),
        }
    }

    /// Reloads every card from the server (after a dropped stream or missed events).
    pub fn resync(&self) {
        let cards = *self;
        leptos::task::spawn_local(async move {
            if let Ok(overview) = channels_page().await {
                cards.replace_all(overview.accounts);
            }
        });
    }
}

/// Subscribes the cards to the server's live stream for as long as the page is shown.
/// On every (re)connection the list is reloaded, so nothing that happened while the
/// stream was down, or between rendering and connecting, is missed.
#[cfg(feature = "hydrate")]
pub fn follow_live_updates(cards: Cards) {
    use crate::paths::CHANNEL_EVENTS;

    crate::components::common::dom::follow_stream(
        CHANNEL_EVENTS,
        move |text| {
            let update = crate::components::common::page_data::decode::<ChannelUpdate>(&text).ok();
            cards.apply(update.unwrap_or(ChannelUpdate::Resync));
        },
        move || cards.resync(),
    );
}

#[cfg(not(feature = "hydrate"))]
pub fn follow_live_updates(_cards: Cards) {}
