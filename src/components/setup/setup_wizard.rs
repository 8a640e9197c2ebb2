//! The "Set up WhatsApp Web account" dialog: loads the account's settings, walks the five
//! steps, checks the number with the server as it is typed, and saves everything at once.

use leptos::prelude::*;

use super::wizard_steps::{StepBody, WizardContext};
use crate::api::setup::{check_setup_phone, load_setup, save_setup};
use crate::components::channels::cards::Cards;
use crate::components::common::dom::{dialog_keys, focus_first_in};
use crate::domain::identity::check_name;
use crate::domain::wizard::{first_missing_step, first_step_with_error, SetupField, WizardStep};
use crate::i18n::word;
use crate::i18n::{error_text, use_texts};
use crate::views::setup::{PhoneCheck, SetupForm, SetupOptions, SetupOutcome};

/// Every field of the wizard, kept while the user moves between steps.
#[derive(Clone, Copy)]
pub struct Draft {
    pub country: RwSignal<String>,
    pub national_number: RwSignal<String>,
    pub name: RwSignal<String>,
    pub cellphone_user: RwSignal<Option<i64>>,
    pub funnel: RwSignal<Option<i64>>,
    pub owner: RwSignal<Option<i64>>,
    pub restricted: RwSignal<Vec<i64>>,
    pub read_receipts: RwSignal<bool>,
    pub import_history: RwSignal<bool>,
    pub duplicate_acknowledged: RwSignal<bool>,
}

impl Draft {
    fn new(form: SetupForm) -> Self {
        Draft {
            country: RwSignal::new(form.country),
            national_number: RwSignal::new(form.national_number),
            name: RwSignal::new(form.name),
            cellphone_user: RwSignal::new(form.cellphone_user_id),
            funnel: RwSignal::new(form.funnel_id),
            owner: RwSignal::new(form.owner_user_id),
            restricted: RwSignal::new(form.restricted_user_ids),
            read_receipts: RwSignal::new(form.send_read_receipts),
            import_history: RwSignal::new(form.import_history),
            duplicate_acknowledged: RwSignal::new(form.duplicate_acknowledged),
        }
    }

    fn form(&self) -> SetupForm {
        SetupForm {
            country: self.country.get_untracked(),
            national_number: self.national_number.get_untracked(),
            name: self.name.get_untracked(),
            cellphone_user_id: self.cellphone_user.get_untracked(),
            funnel_id: self.funnel.get_untracked(),
            owner_user_id: self.owner.get_untracked(),
            restricted_user_ids: self.restricted.get_untracked(),
            send_read_receipts: self.read_receipts.get_untracked(),
            import_history: self.import_history.get_untracked(),
            duplicate_acknowledged: self.duplicate_acknowledged.get_untracked(),
        }
    }
}

/// What the server last said about the number being typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhoneStatus {
    Empty,
    Checking,
    Valid {
        international: String,
        used_by: Option<String>,
    },
    /// Not a number of the chosen country.
    Invalid,
    /// The server could not be asked (its words).
    Failed(String),
}

/// The server is asked once typing pauses this long.
const PHONE_CHECK_DELAY_MS: u64 = 250;

/// Asks the server about the number whenever it changes, once typing pauses; an answer
/// to an older number is ignored.
fn check_phone_as_typed(account_id: i64, draft: Draft, phone: RwSignal<PhoneStatus>) {
    let generation = StoredValue::new(0u64);
    let pending = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |_| {
        let country = draft.country.get();
        let national = draft.national_number.get();
        draft.duplicate_acknowledged.set(false);
        generation.try_update_value(|g| *g += 1);
        let Some(this_check) = generation.try_get_value() else {
            return; // the wizard is closing
        };
        if let Some(handle) = pending.try_get_value().flatten() {
            handle.clear();
        }
        if national.trim().is_empty() {
            phone.set(PhoneStatus::Empty);
            return;
        }
        phone.set(PhoneStatus::Checking);
        let ask = move || {
            leptos::task::spawn_local(async move {
                let answer = check_setup_phone(account_id, country, national).await;
                if generation.try_get_value() != Some(this_check) {
                    return;
                }
                let status = match answer {
                    Ok(PhoneCheck::Valid {
                        international,
                        used_by,
                        country,
                        ..
                    }) => {
                        if let Some(country) = country {
                            draft.country.set(country);
                        }
                        PhoneStatus::Valid {
                            international,
                            used_by,
                        }
                    }
                    Ok(PhoneCheck::Invalid { .. }) => PhoneStatus::Invalid,
                    Err(error) => PhoneStatus::Failed(error_text(&error)),
                };
                phone.try_set(status);
            });
        };
        let delay = std::time::Duration::from_millis(PHONE_CHECK_DELAY_MS);
        pending.try_set_value(set_timeout_with_handle(ask, delay).ok());
    });
}

/// Whether the step's fields allow moving on (the server checks them all again on save).
fn step_ready(step: WizardStep, draft: Draft, phone: &PhoneStatus, locked: bool) -> bool {
    match step {
        WizardStep::PhoneNumber if locked => true,
        WizardStep::PhoneNumber => match phone {
            PhoneStatus::Valid { used_by, .. } => {
                used_by.is_none() || draft.duplicate_acknowledged.get()
            }
            _ => false,
        },
        WizardStep::Name => draft.name.with(|n| check_name(n).is_ok()),
        WizardStep::CellphoneUser => draft.cellphone_user.get().is_some(),
        WizardStep::AssignNewContacts => draft.funnel.get().is_some(),
        WizardStep::RestrictedAccess => true,
    }
}

/// The wizard, whose code the browser fetches when a wizard is first opened: most visits
/// to the Channels page open none.
#[lazy]
pub fn setup_wizard(account_id: i64, on_close: Callback<bool>) -> AnyView {
    view! { <SetupWizard account_id on_close/> }.into_any()
}

/// `on_close` hears whether the wizard saved (true) or was left (false).
#[component]
fn SetupWizard(account_id: i64, on_close: Callback<bool>) -> impl IntoView {
    let loaded = RwSignal::new(None::<Result<SetupOptions, String>>);
    let load = move || {
        loaded.set(None);
        leptos::task::spawn_local(async move {
            let options = load_setup(account_id).await.map_err(|e| error_text(&e));
            loaded.try_set(Some(options));
        });
    };
    load();
    let title_id = format!("setup-title-{account_id}");
    let labelled_by = title_id.clone();
    view! {
        <div class="dialog-backdrop">
            <div
                class="dialog wizard"
                role="dialog"
                aria-modal="true"
                aria-labelledby=labelled_by
                on:keydown=dialog_keys(move || on_close.run(false))
            >
                <h3 id=title_id>{word(|t| t.setup.title)}</h3>
                {move || match loaded.get() {
                    None => view! { <p class="muted" aria-live="polite">{word(|t| t.loading)}</p> }.into_any(),
                    Some(Err(message)) => view! {
                        <p class="form-error" role="alert">{message}</p>
                        <div class="card-actions">
                            <button type="button" data-focus-first="" on:click=move |_| on_close.run(false)>{word(|t| t.setup.close)}</button>
                        </div>
                    }.into_any(),
                    Some(Ok(options)) => view! { <WizardForm options on_close reload=Callback::new(move |_| load())/> }.into_any(),
                }}
            </div>
        </div>
    }
}

#[component]
fn WizardForm(
    options: SetupOptions,
    on_close: Callback<bool>,
    reload: Callback<()>,
) -> impl IntoView {
    let words = use_texts();
    let cards = expect_context::<Cards>();
    let SetupOptions {
        account_id,
        version,
        action,
        linked_phone,
        form,
        countries,
        users,
        funnels,
    } = options;
    let opening_step = first_missing_step(
        linked_phone.is_some() || !form.national_number.trim().is_empty(),
        !form.name.trim().is_empty(),
        form.cellphone_user_id.is_some(),
        form.funnel_id.is_some(),
    );
    let locked = linked_phone.is_some();
    let draft = Draft::new(form);
    let phone = RwSignal::new(PhoneStatus::Empty);
    if !locked {
        check_phone_as_typed(account_id, draft, phone);
    }
    let context = WizardContext {
        account_id,
        draft,
        phone,
        errors: RwSignal::new(Vec::new()),
        countries: StoredValue::new(countries),
        users: StoredValue::new(users),
        funnels: StoredValue::new(funnels),
        linked_phone: StoredValue::new(linked_phone),
    };
    let step = RwSignal::new(opening_step);
    let saving = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let body_id = format!("setup-step-{account_id}");
    {
        let body_id = body_id.clone();
        Effect::new(move |_| {
            step.track();
            focus_first_in(&body_id);
        });
    }
    let ready = Memo::new(move |_| phone.with(|p| step_ready(step.get(), draft, p, locked)));

    let save = move || {
        saving.set(true);
        failure.set(None);
        let form = draft.form();
        leptos::task::spawn_local(async move {
            match save_setup(account_id, version, action, form).await {
                Ok(SetupOutcome::Saved(view)) => {
                    // Close first: the new card may replace the body this wizard lives in.
                    // try_: the live stream may have brought that card already, and with it
                    // disposed the button (and this callback) the wizard was opened from.
                    on_close.try_run(true);
                    cards.upsert(view);
                    return;
                }
                Ok(SetupOutcome::Rejected(errors)) => {
                    if let Some(first) = first_step_with_error(&errors) {
                        step.set(first);
                    }
                    let form_wide = errors
                        .iter()
                        .find(|e| e.field == SetupField::Form)
                        .map(|e| (words().setup.problem)(&e.problem));
                    failure.set(form_wide);
                    context.errors.set(errors);
                }
                Err(error) => failure.set(Some(error_text(&error))),
            }
            saving.try_set(false);
        });
    };
    // Enter pressed while the number is still being checked is kept, not lost: the
    // wizard moves on as soon as the check says the number is good.
    let waiting_for_check = RwSignal::new(false);
    Effect::new(move |_| {
        let checked = phone.with(|p| !matches!(p, PhoneStatus::Checking));
        if checked && waiting_for_check.get_untracked() {
            waiting_for_check.set(false);
            if ready.get_untracked() && step.get_untracked() == WizardStep::PhoneNumber {
                if let Some(next) = WizardStep::PhoneNumber.next() {
                    step.set(next);
                }
            }
        }
    });
    // Next is disabled during the check, and a form whose submit button is disabled ignores
    // Enter: so Enter in the number field is caught here.
    let number_id = context.id("phone");
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        use wasm_bindgen::JsCast;
        let in_number = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| el.id() == number_id);
        let checking = phone.with_untracked(|p| matches!(p, PhoneStatus::Checking));
        if ev.key() == "Enter" && in_number && checking {
            ev.prevent_default();
            waiting_for_check.set(true);
        }
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !ready.get_untracked() || saving.get_untracked() {
            return;
        }
        match step.get_untracked().next() {
            Some(next) => step.set(next),
            None => save(),
        }
    };
    let back = move |_| {
        if let Some(previous) = step.get_untracked().previous() {
            step.set(previous);
        }
    };
    let stale = move || failure.get().is_some() && context.error_for(SetupField::Form).is_some();

    view! {
        <form on:submit=on_submit on:keydown=on_keydown novalidate>
            <ol class="wizard-steps">
                {WizardStep::ALL.iter().map(|s| {
                    let s = *s;
                    let done = move || step.get().number() > s.number();
                    view! {
                        <li
                            class:done=done
                            aria-current=move || (step.get() == s).then_some("step")
                        >
                            <span class="step-number">{s.number()}</span>
                            {move || words().setup.step(s)}
                        </li>
                    }
                }).collect_view()}
            </ol>
            <p class="step-count" aria-live="polite">
                {move || (words().setup.step_count)(step.get().number(), WizardStep::ALL.len())}
            </p>
            <div id=body_id class="wizard-body">
                {move || view! { <StepBody step=step.get() context/> }}
            </div>
            {move || failure.get().map(|message| view! {
                <div class="form-error" role="alert">
                    <p>{message}</p>
                    <Show when=stale>
                        <button type="button" on:click=move |_| reload.run(())>{word(|t| t.setup.reload)}</button>
                    </Show>
                </div>
            })}
            <div class="card-actions wizard-actions">
                <button type="button" class="ghost" on:click=move |_| on_close.run(false)>{word(|t| t.setup.cancel)}</button>
                <Show when=move || step.get().previous().is_some()>
                    <button type="button" on:click=back>{word(|t| t.setup.back)}</button>
                </Show>
                <button type="submit" class="primary" disabled=move || !ready.get() || saving.get()>
                    {move || match (step.get().is_last(), saving.get(), words().setup) {
                        (false, _, t) => t.next,
                        (true, false, t) => t.action(action),
                        (true, true, t) => t.saving,
                    }}
                </button>
            </div>
        </form>
    }
}
