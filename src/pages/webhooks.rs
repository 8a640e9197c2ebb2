//! Settings > Company > Webhooks, for Global Admins: add an endpoint (its secret shown
//! once), see each endpoint's health, send it a test event, read its delivery log, resume
//! it when paused, remove it.

use crate::components::common::page_data::page_resource;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{lazy_route, LazyRoute};

use crate::api::webhooks::{
    add_webhook, remove_webhook, resume_webhook, send_test_webhook, webhook_log, webhooks,
};
use crate::components::common::lazy_parts::name_lazy_parts;
use crate::components::common::time::LocalTime;
use crate::domain::webhooks::EventKind;
use crate::i18n::webhooks::word as hook_word;
use crate::i18n::webhooks::{use_webhook_texts, WebhookTexts};
use crate::i18n::word;
use crate::i18n::{error_text, use_locale};
use crate::views::webhooks::{Attempt, Endpoint};

pub struct WebhooksRoute;

#[lazy_route]
impl LazyRoute for WebhooksRoute {
    fn data() -> Self {
        Self
    }

    fn view(_route: Self) -> AnyView {
        name_lazy_parts();
        view! { <WebhooksPage/> }.into_any()
    }
}

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let page = page_resource(|| (), |_| webhooks());
    view! {
        <Title text="Webhooks"/>
        <h1>"Webhooks"</h1>
        <Suspense fallback=move || view! { <p class="muted">{word(|t| t.loading)}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <Board endpoints=page.endpoints/> }.into_any(),
                    Err(error) => view! { <p class="notice" role="alert">{error_text(&error)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Board(endpoints: Vec<Endpoint>) -> impl IntoView {
    let endpoints = RwSignal::new(endpoints);
    let secret = RwSignal::new(None::<String>);
    view! {
        <p class="hint">{hook_word(|t| t.intro)}</p>
        <p class="hint">{hook_word(|t| t.signature_hint)}</p>
        <AddForm endpoints secret/>
        {move || secret.get().map(|value| view! {
            <section class="webhook-secret" role="status" aria-labelledby="webhook-secret-title">
                <h2 id="webhook-secret-title">{hook_word(|t| t.secret)}</h2>
                <p>{hook_word(|t| t.secret_once)}</p>
                <input class="secret" readonly value=value aria-labelledby="webhook-secret-title"/>
                <button type="button" on:click=move |_| secret.set(None)>{hook_word(|t| t.done)}</button>
            </section>
        })}
        <p class="empty" hidden=move || !endpoints.with(Vec::is_empty)>{hook_word(|t| t.none_yet)}</p>
        <ul class="webhooks">
            <For each=move || endpoints.get() key=|e| (e.id, e.paused.is_some(), e.waiting) let:endpoint>
                <EndpointItem endpoint endpoints/>
            </For>
        </ul>
    }
}

#[component]
fn AddForm(endpoints: RwSignal<Vec<Endpoint>>, secret: RwSignal<Option<String>>) -> impl IntoView {
    let hook = use_webhook_texts();
    let url = RwSignal::new(String::new());
    let chosen = RwSignal::new(vec![
        EventKind::ChannelStatusChanged,
        EventKind::MessageReceived,
    ]);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let events: Vec<String> = chosen
            .get_untracked()
            .iter()
            .map(|k| k.code().to_string())
            .collect();
        busy.set(true);
        leptos::task::spawn_local(async move {
            match add_webhook(url.get_untracked(), events).await {
                Ok(created) => {
                    endpoints.update(|list| list.push(created.endpoint));
                    secret.set(Some(created.secret));
                    url.set(String::new());
                    error.set(None);
                }
                Err(e) => error.set(Some(error_text(&e))),
            }
            busy.try_set(false);
        });
    };
    view! {
        <form class="webhook-add" on:submit=submit>
            <label>
                <span>{hook_word(|t| t.url)}</span>
                <input type="url" name="url" required placeholder="https://example.com/aurora"
                    prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev))/>
                <span class="hint">{hook_word(|t| t.url_hint)}</span>
            </label>
            <fieldset>
                <legend>{hook_word(|t| t.events)}</legend>
                {EventKind::ALL.into_iter().map(|kind| view! {
                    <label class="check">
                        <input type="checkbox" name="events" value=kind.code()
                            prop:checked=move || chosen.with(|c| c.contains(&kind))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                chosen.update(|c| {
                                    c.retain(|k| *k != kind);
                                    if on { c.push(kind); }
                                });
                            }/>
                        <span>{move || hook().event_name(kind)}</span>
                        <code>{kind.code()}</code>
                    </label>
                }).collect_view()}
            </fieldset>
            {move || error.get().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
            <button type="submit" class="primary" disabled=move || busy.get()>
                {move || if busy.get() { hook().adding } else { hook().add }}
            </button>
        </form>
    }
}

#[component]
fn EndpointItem(endpoint: Endpoint, endpoints: RwSignal<Vec<Endpoint>>) -> impl IntoView {
    let hook = use_webhook_texts();
    let locale = use_locale();
    let id = endpoint.id;
    let error = RwSignal::new(None::<String>);
    let test = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let log = RwSignal::new(None::<Vec<Attempt>>);
    let replace = move |changed: Endpoint| {
        endpoints.update(|list| {
            if let Some(slot) = list.iter_mut().find(|e| e.id == changed.id) {
                *slot = changed;
            }
        })
    };
    let load_log = move || {
        leptos::task::spawn_local(async move {
            match webhook_log(id).await {
                Ok(rows) => log.set(Some(rows)),
                Err(e) => error.set(Some(error_text(&e))),
            }
        })
    };
    let send_test = move |_| {
        busy.set(true);
        test.set(Some(hook().sending.to_string()));
        leptos::task::spawn_local(async move {
            match send_test_webhook(id).await {
                Ok(tried) => {
                    let t = hook();
                    test.set(Some(match (&tried.error, tried.response_code) {
                        (None, Some(code)) => (t.test_delivered)(code, tried.latency_ms),
                        (Some(why), _) => (t.test_failed)(why),
                        (None, None) => (t.test_failed)(t.no_answer),
                    }));
                    if log.with_untracked(Option::is_some) {
                        load_log();
                    }
                }
                Err(e) => test.set(Some(error_text(&e))),
            }
            busy.try_set(false);
        });
    };
    let resume = move |_| {
        leptos::task::spawn_local(async move {
            match resume_webhook(id).await {
                Ok(changed) => replace(changed),
                Err(e) => error.set(Some(error_text(&e))),
            }
        });
    };
    let remove = move |_| {
        leptos::task::spawn_local(async move {
            match remove_webhook(id).await {
                Ok(()) => endpoints.update(|list| list.retain(|e| e.id != id)),
                Err(e) => error.set(Some(error_text(&e))),
            }
        });
    };
    let toggle_log = move |_| match log.get_untracked() {
        Some(_) => log.set(None),
        None => load_log(),
    };
    let paused = endpoint.paused.clone();
    let is_paused = paused.is_some();
    let events = endpoint.events.clone();
    view! {
        <li class="webhook" class:paused=is_paused>
            <p class="webhook-url"><code>{endpoint.url.clone()}</code></p>
            <p class="webhook-events">
                {events.into_iter().map(|k| view! { <span class="chip" title=move || hook().event_name(k)>{k.code()}</span> }).collect_view()}
            </p>
            {match paused {
                Some(p) => view! {
                    <p class="notice" role="status">
                        {hook_word(|t| t.paused)} ": " {p.reason.clone()} " ("<LocalTime ms=p.at_ms/>")"
                    </p>
                }.into_any(),
                None => view! {
                    <p class="health">
                        {hook_word(|t| t.active)}
                        {(endpoint.failures_in_row > 0).then(|| view! { " · " {move || (hook().failures)(endpoint.failures_in_row, locale())} })}
                    </p>
                }.into_any(),
            }}
            {(endpoint.waiting > 0).then(|| view! { <p class="hint">{move || (hook().waiting)(endpoint.waiting, locale())}</p> })}
            <div class="actions">
                <button type="button" on:click=send_test disabled=move || busy.get()>{hook_word(|t| t.send_test)}</button>
                <button type="button" on:click=toggle_log aria-expanded=move || log.with(Option::is_some).to_string()>
                    {move || if log.with(Option::is_some) { hook().hide_log } else { hook().log }}
                </button>
                {endpoint.paused.is_some().then(|| view! { <button type="button" on:click=resume>{hook_word(|t| t.resume)}</button> })}
                <button type="button" class="danger" on:click=move |_| confirming.set(true) hidden=move || confirming.get()>
                    {hook_word(|t| t.remove)}
                </button>
            </div>
            {move || confirming.get().then(|| view! {
                <div class="confirm" role="group">
                    <p>{hook_word(|t| t.remove_question)}</p>
                    <button type="button" class="danger" on:click=remove>{hook_word(|t| t.yes_remove)}</button>
                    <button type="button" on:click=move |_| confirming.set(false)>{hook_word(|t| t.cancel)}</button>
                </div>
            })}
            {move || test.get().map(|message| view! { <p class="test-outcome" role="status">{message}</p> })}
            {move || error.get().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
            {move || log.get().map(|rows| view! { <DeliveryLog rows/> })}
        </li>
    }
}

#[component]
fn DeliveryLog(rows: Vec<Attempt>) -> impl IntoView {
    let hook = use_webhook_texts();
    if rows.is_empty() {
        return view! { <p class="empty">{hook_word(|t| t.no_attempts)}</p> }.into_any();
    }
    view! {
        <div class="table-scroll">
            <table class="audit webhook-log">
                <thead>
                    <tr>{move || hook().log_columns.iter().map(|c| view! { <th scope="col">{*c}</th> }).collect_view()}</tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|row| view! { <LogRow row hook/> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn LogRow(
    row: Attempt,
    hook: impl Fn() -> &'static WebhookTexts + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let class = format!("outcome-{}", row.outcome);
    let outcome = row.outcome.clone();
    let answer = match (row.response_code, row.error.clone()) {
        (Some(code), None) => code.to_string(),
        (_, Some(why)) => why,
        (None, None) => String::new(),
    };
    view! {
        <tr class=class>
            <td><LocalTime ms=row.at_ms/></td>
            <td><code>{row.kind}</code></td>
            <td>{move || hook().outcome(&outcome)}</td>
            <td>{answer}</td>
            <td>{format!("{} ms", row.latency_ms)}</td>
            <td>{row.next_retry_at_ms.map(|ms| view! { <LocalTime ms/> })}</td>
        </tr>
    }
}
