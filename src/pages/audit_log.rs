//! Settings > Company > Audit log, for Global Admins: every admin action on the company's
//! channels, newest first, filtered by channel and by person (kept in the URL, so a
//! filtered view can be shared or reloaded), exported as CSV with the same filters.

use crate::components::common::page_data::page_resource;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use leptos_router::{lazy_route, LazyRoute};

use crate::api::activity::audit_log;
use crate::components::common::lazy_parts::name_lazy_parts;
use crate::components::common::time::LocalTime;
use crate::domain::locale::Locale;
use crate::i18n::activity::word as act_word;
use crate::i18n::activity::{deleted, event, use_activity_texts, EventWords};
use crate::i18n::word;
use crate::i18n::{error_text, use_locale, use_texts};
use crate::paths::{AUDIT_CSV, AUDIT_LOG};
use crate::views::activity::{AuditEntry, AuditPage};

/// The audit log, fetched by the browser when first shown.
pub struct AuditLogRoute;

#[lazy_route]
impl LazyRoute for AuditLogRoute {
    fn data() -> Self {
        Self
    }

    fn view(_route: Self) -> AnyView {
        name_lazy_parts();
        view! { <AuditLogPage/> }.into_any()
    }
}

/// The filters the address names: (channel, person).
type Filter = (Option<i64>, Option<i64>);

#[component]
pub fn AuditLogPage() -> impl IntoView {
    let words = use_texts();
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        let q = query.read();
        let id = |key: &str| q.get(key).and_then(|v| v.parse::<i64>().ok());
        (id("channel"), id("person"))
    });
    let page = page_resource(
        move || filter.get(),
        |(channel, person)| audit_log(channel, person, None),
    );
    view! {
        <Title text=move || words().audit_log/>
        <h1>{word(|t| t.audit_log)}</h1>
        <Suspense fallback=move || view! { <p class="muted">{word(|t| t.loading)}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <AuditBoard page filter=filter.get_untracked()/> }.into_any(),
                    Err(error) => view! { <p class="notice" role="alert">{error_text(&error)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn csv_link(filter: Filter) -> String {
    let mut link = AUDIT_CSV.to_string();
    let mut sep = '?';
    for (key, value) in [("channel", filter.0), ("person", filter.1)] {
        if let Some(value) = value {
            link.push_str(&format!("{sep}{key}={value}"));
            sep = '&';
        }
    }
    link
}

#[component]
fn AuditBoard(page: AuditPage, filter: Filter) -> impl IntoView {
    let act = use_activity_texts();
    let entries = RwSignal::new(page.entries);
    let more = RwSignal::new(page.more);
    let reading = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let older = move |_| {
        let before = entries.with_untracked(|e| e.last().map(|e| e.id));
        reading.set(true);
        leptos::task::spawn_local(async move {
            match audit_log(filter.0, filter.1, before).await {
                Ok(page) => {
                    entries.update(|shown| shown.extend(page.entries));
                    more.set(page.more);
                    error.set(None);
                }
                Err(e) => error.set(Some(error_text(&e))),
            }
            reading.try_set(false);
        });
    };
    let channel_options = page.channels;
    let people_options = page.people;
    view! {
        <form class="filters" method="get" action=AUDIT_LOG>
            <label>
                <span>{act_word(|t| t.channel)}</span>
                <select name="channel">
                    <option value="">{act_word(|t| t.all_channels)}</option>
                    {channel_options.into_iter().map(|(id, name)| {
                        let shown = name.clone();
                        view! {
                            <option value=id.to_string() selected=filter.0 == Some(id)>
                                {move || if shown.is_empty() { (act().unnamed_channel)(id) } else { shown.clone() }}
                            </option>
                        }
                    }).collect_view()}
                </select>
            </label>
            <label>
                <span>{act_word(|t| t.person)}</span>
                <select name="person">
                    <option value="">{act_word(|t| t.all_people)}</option>
                    {people_options.into_iter().map(|(id, name)| view! {
                        <option value=id.to_string() selected=filter.1 == Some(id)>{name}</option>
                    }).collect_view()}
                </select>
            </label>
            <button type="submit">{act_word(|t| t.apply)}</button>
            <a class="button" href=csv_link(filter) download="audit-log.csv">{act_word(|t| t.export_csv)}</a>
        </form>
        {move || error.get().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
        <table class="audit">
            <thead>
                <tr>{move || act().columns.iter().map(|c| view! { <th scope="col">{*c}</th> }).collect_view()}</tr>
            </thead>
            <tbody>
                <For each=move || entries.get() key=|e| e.id let:entry>
                    <AuditRow entry/>
                </For>
            </tbody>
        </table>
        <p class="empty" hidden=move || !entries.with(Vec::is_empty)>{act_word(|t| t.no_entries)}</p>
        <button type="button" hidden=move || !more.get() on:click=older disabled=move || reading.get()>
            {act_word(|t| t.older)}
        </button>
    }
}

/// What an entry says it did, without the person (a column of its own).
fn what(locale: Locale, entry: &AuditEntry) -> String {
    let sentence = event(
        locale,
        &EventWords {
            event: &entry.event,
            reason: None,
            by: None,
            details: (!entry.details.is_empty()).then_some(entry.details.as_str()),
        },
    );
    match &entry.deleted {
        Some(counts) => format!("{sentence}: {}", deleted(locale, counts)),
        None => sentence,
    }
}

#[component]
fn AuditRow(entry: AuditEntry) -> impl IntoView {
    let act = use_activity_texts();
    let locale = use_locale();
    let channel = entry.channel.clone();
    let channel_id = entry.channel_id;
    let address = entry.address.clone().unwrap_or_default();
    let at = entry.at_ms;
    let by = entry.by.clone();
    view! {
        <tr>
            <td><LocalTime ms=at/></td>
            <td>{by}</td>
            <td class="address">{address}</td>
            <td>{move || match (channel.is_empty(), channel_id) {
                (true, Some(id)) => (act().unnamed_channel)(id),
                _ => channel.clone(),
            }}</td>
            <td>{move || what(locale(), &entry)}</td>
        </tr>
    }
}
