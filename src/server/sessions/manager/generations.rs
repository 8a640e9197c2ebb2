//! How far each company's pages have moved on. Every change the manager announces to open
//! pages (a card, a conversation, everything again after missed notices) moves the company's
//! generation, under the same rule that keeps open pages right: what is announced is already
//! written. A page kept rendered in memory (`web::page_cache`) is served only while the
//! generation it was rendered at stands.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use super::lock;

/// A company's pages as of one moment: equal generations, nothing announced in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageGeneration {
    everyone: u64,
    company: u64,
}

#[derive(Debug, Default)]
pub(super) struct Generations {
    /// Moved when every page must read everything again.
    everyone: AtomicU64,
    companies: Mutex<HashMap<i64, u64>>,
}

impl Generations {
    pub fn changed(&self, company_id: i64) {
        *lock(&self.companies).entry(company_id).or_default() += 1;
    }

    pub fn everything_changed(&self) {
        self.everyone.fetch_add(1, Ordering::SeqCst);
    }

    pub fn current(&self, company_id: i64) -> PageGeneration {
        // Read before the company's: a resync racing this read then shows as a new generation.
        let everyone = self.everyone.load(Ordering::SeqCst);
        let company = lock(&self.companies)
            .get(&company_id)
            .copied()
            .unwrap_or_default();
        PageGeneration { everyone, company }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_moves_its_company_and_a_resync_moves_everyone() {
        let generations = Generations::default();
        let (a, b) = (generations.current(1), generations.current(2));
        generations.changed(1);
        assert_ne!(generations.current(1), a);
        assert_eq!(generations.current(2), b, "another company's pages stand");
        let a = generations.current(1);
        generations.everything_changed();
        assert_ne!(generations.current(1), a);
        assert_ne!(generations.current(2), b);
    }
}
