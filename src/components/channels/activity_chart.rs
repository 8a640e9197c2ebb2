//! Messages in and out at a glance: bars drawn as SVG on the server (no chart library in
//! the browser), with the totals as text beside them for those who can't see the bars.

use leptos::prelude::*;

use crate::i18n::activity::use_activity_texts;
use crate::views::activity::Activity;

/// Each Connected card's last 7 days, as the page was rendered with them.
#[derive(Clone, Copy)]
pub struct WeekActivity(pub StoredValue<Vec<(i64, Activity)>>);

impl WeekActivity {
    pub fn of(&self, id: i64) -> Activity {
        self.0
            .with_value(|all| all.iter().find(|(a, _)| *a == id).map(|(_, w)| w.clone()))
            .unwrap_or_else(|| Activity::empty(7))
    }
}

/// A Connected card's week: "312 in, 287 out this week".
#[component]
pub fn WeekChart(id: i64) -> impl IntoView {
    let act = use_activity_texts();
    let week = use_context::<WeekActivity>()
        .map(|w| w.of(id))
        .unwrap_or_else(|| Activity::empty(7));
    let (inbound, outbound) = week.totals();
    view! {
        <ActivityChart activity=week caption=Signal::derive(move || (act().week)(inbound, outbound))/>
    }
}

/// Width of one period in the drawing; each holds an "in" and an "out" bar.
const SLOT: u32 = 10;
const HEIGHT: u32 = 32;

/// One bar pair per period, oldest on the left, scaled to the busiest period.
#[component]
pub fn ActivityChart(activity: Activity, #[prop(into)] caption: Signal<String>) -> impl IntoView {
    let peak = activity.peak();
    let height = |n: u32| {
        // A period with any message shows at least a sliver.
        let h = (u64::from(n) * u64::from(HEIGHT) / u64::from(peak)) as u32;
        if n > 0 {
            h.max(1)
        } else {
            0
        }
    };
    let width = SLOT * activity.0.len() as u32;
    let bars = activity
        .0
        .iter()
        .enumerate()
        .map(|(i, &(inbound, outbound))| {
            let x = i as u32 * SLOT;
            let (hi, ho) = (height(inbound), height(outbound));
            view! {
                <rect class="in" x=x + 1 y=HEIGHT - hi width="4" height=hi/>
                <rect class="out" x=x + 5 y=HEIGHT - ho width="4" height=ho/>
            }
        })
        .collect_view();
    view! {
        <figure class="activity">
            <svg viewBox=format!("0 0 {width} {HEIGHT}") preserveAspectRatio="none" aria-hidden="true">
                {bars}
            </svg>
            <figcaption>{move || caption.get()}</figcaption>
        </figure>
    }
}
