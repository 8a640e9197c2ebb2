//! The five steps of the setup wizard. Each shows its fields, the hint that goes with
//! them, and whatever the server said was wrong with them.

use leptos::prelude::*;

use super::country_picker::CountryPicker;
use super::setup_wizard::{Draft, PhoneStatus};
use crate::domain::identity::{check_name, MAX_NAME_CHARS};
use crate::domain::wizard::{
    always_visible, owner_after_funnel_change, Country, FieldError, SetupField, SetupProblem,
    WizardStep,
};
use crate::i18n::setup::SetupTexts;
use crate::i18n::use_texts;
use crate::i18n::word;
use crate::views::setup::{Choice, FunnelChoice};

#[derive(Clone, Copy)]
pub struct WizardContext {
    pub account_id: i64,
    pub draft: Draft,
    pub phone: RwSignal<PhoneStatus>,
    /// The server's refusal of the last save, field by field.
    pub errors: RwSignal<Vec<FieldError>>,
    pub countries: StoredValue<Vec<Country>>,
    pub users: StoredValue<Vec<Choice>>,
    pub funnels: StoredValue<Vec<FunnelChoice>>,
    /// A Connected account's number: shown, not editable (it is the phone's).
    pub linked_phone: StoredValue<Option<String>>,
}

impl WizardContext {
    pub fn error_for(&self, field: SetupField) -> Option<SetupProblem> {
        self.errors.with(|errors| {
            errors
                .iter()
                .find(|e| e.field == field)
                .map(|e| e.problem.clone())
        })
    }

    /// Editing a field answers the server's complaint about it.
    fn clear(&self, field: SetupField) {
        if self
            .errors
            .with_untracked(|e| e.iter().any(|e| e.field == field))
        {
            self.errors
                .update(|errors| errors.retain(|e| e.field != field));
        }
    }

    pub fn id(&self, field: &str) -> String {
        format!("setup-{}-{field}", self.account_id)
    }

    fn error_view(self, field: SetupField) -> impl IntoView {
        let words = use_texts();
        move || {
            self.error_for(field).map(|problem| {
                let message = (words().setup.problem)(&problem);
                view! { <p class="form-error" role="alert">{message}</p> }
            })
        }
    }
}

fn parse_id(value: &str) -> Option<i64> {
    value.parse().ok()
}

#[component]
pub fn StepBody(step: WizardStep, context: WizardContext) -> impl IntoView {
    match step {
        WizardStep::PhoneNumber => view! { <PhoneStep context/> }.into_any(),
        WizardStep::Name => view! { <NameStep context/> }.into_any(),
        WizardStep::CellphoneUser => view! { <CellphoneUserStep context/> }.into_any(),
        WizardStep::AssignNewContacts => view! { <AssignStep context/> }.into_any(),
        WizardStep::RestrictedAccess => view! { <RestrictedStep context/> }.into_any(),
    }
}

#[component]
fn PhoneStep(context: WizardContext) -> impl IntoView {
    match context.linked_phone.get_value() {
        Some(number) => view! { <LinkedPhone number/> }.into_any(),
        None => view! { <PhoneFields context/> }.into_any(),
    }
}

/// A linked account's number, which only another phone could change.
#[component]
fn LinkedPhone(number: String) -> impl IntoView {
    view! {
        <div class="field">
            <p class="field-label">{word(|t| t.setup.phone_number)}</p>
            <p class="linked-phone" data-focus-first="" tabindex="-1"><strong>{number}</strong></p>
            <p class="hint">{word(|t| t.setup.linked_phone_hint)}</p>
        </div>
    }
}

#[component]
fn PhoneFields(context: WizardContext) -> impl IntoView {
    let words = use_texts();
    let draft = context.draft;
    let country_id = context.id("country");
    let number_id = context.id("phone");
    let status_id = context.id("phone-status");
    let status = move || match (context.phone.get(), words().setup) {
        (PhoneStatus::Empty, t) => {
            view! { <p class="hint">{t.choose_country_first}</p> }.into_any()
        }
        (PhoneStatus::Checking, t) => view! { <p class="hint">{t.checking}</p> }.into_any(),
        (PhoneStatus::Invalid, t) => {
            let message = (t.problem)(&SetupProblem::InvalidPhone);
            view! { <p class="form-error">{message}</p> }.into_any()
        }
        (PhoneStatus::Failed(message), _) => {
            view! { <p class="form-error">{message}</p> }.into_any()
        }
        (PhoneStatus::Valid { international, .. }, t) => {
            view! { <p class="hint valid">{t.saved_as} <strong>{international}</strong></p> }
                .into_any()
        }
    };
    let duplicate = move || match (context.phone.get(), words().setup) {
        (
            PhoneStatus::Valid {
                used_by: Some(other),
                ..
            },
            t,
        ) => Some(view! {
            <div class="warning" role="alert">
                <p>{(t.problem)(&SetupProblem::PhoneUsedBy(other))}</p>
                <label class="check">
                    <input
                        type="checkbox"
                        prop:checked=move || draft.duplicate_acknowledged.get()
                        on:change=move |ev| {
                            context.clear(SetupField::Phone);
                            draft.duplicate_acknowledged.set(event_target_checked(&ev));
                        }
                    />
                    {t.use_anyway}
                </label>
            </div>
        }),
        _ => None,
    };
    view! {
        <div class="field">
            <label for=country_id.clone()>{word(|t| t.setup.country)}</label>
            <CountryPicker input_id=country_id countries=context.countries selected=draft.country/>
        </div>
        <div class="field">
            <label for=number_id.clone()>{word(|t| t.setup.phone_number)}</label>
            <input
                id=number_id
                type="tel"
                inputmode="tel"
                autocomplete="tel-national"
                aria-describedby=status_id.clone()
                prop:value=move || draft.national_number.get()
                on:input=move |ev| {
                    context.clear(SetupField::Phone);
                    draft.national_number.set(event_target_value(&ev));
                }
            />
            <div id=status_id aria-live="polite">{status}</div>
        </div>
        {duplicate}
        {context.error_view(SetupField::Phone)}
    }
}

#[component]
fn NameStep(context: WizardContext) -> impl IntoView {
    let words = use_texts();
    let draft = context.draft;
    let id = context.id("name");
    let problem = move || {
        let problem = draft.name.with(|n| check_name(n).err())?;
        Some((words().setup.problem)(&SetupProblem::Name(problem)))
    };
    view! {
        <div class="field">
            <label for=id.clone()>{word(|t| t.setup.name)}</label>
            <input
                id=id
                type="text"
                maxlength=MAX_NAME_CHARS
                required
                prop:value=move || draft.name.get()
                on:input=move |ev| {
                    context.clear(SetupField::Name);
                    draft.name.set(event_target_value(&ev));
                }
            />
            <p class="hint">{word(|t| t.setup.name_hint)}</p>
            {move || problem().map(|message| view! { <p class="form-error">{message}</p> })}
            {context.error_view(SetupField::Name)}
        </div>
    }
}

#[component]
fn CellphoneUserStep(context: WizardContext) -> impl IntoView {
    let draft = context.draft;
    let id = context.id("cellphone-user");
    view! {
        <div class="field">
            <label for=id.clone()>{word(|t| t.setup.cellphone_user)}</label>
            <select
                id=id
                required
                on:change=move |ev| {
                    context.clear(SetupField::CellphoneUser);
                    draft.cellphone_user.set(parse_id(&event_target_value(&ev)));
                }
            >
                <option value="" prop:selected=move || draft.cellphone_user.get().is_none()>{word(|t| t.setup.choose_member)}</option>
                {context.users.get_value().into_iter().map(|user| {
                    let chosen = move || draft.cellphone_user.get() == Some(user.id);
                    view! { <option value=user.id.to_string() prop:selected=chosen>{user.name}</option> }
                }).collect_view()}
            </select>
            <p class="hint">{word(|t| t.setup.cellphone_user_hint)}</p>
            {context.error_view(SetupField::CellphoneUser)}
        </div>
    }
}

#[component]
fn AssignStep(context: WizardContext) -> impl IntoView {
    let draft = context.draft;
    let funnel_id = context.id("funnel");
    let owner_id = context.id("owner");
    let members_of = move |funnel: Option<i64>| {
        context
            .funnels
            .try_with_value(|all| {
                all.iter()
                    .find(|f| Some(f.id) == funnel)
                    .map(|f| f.member_ids.clone())
                    .unwrap_or_default()
            })
            .unwrap_or_default()
    };
    let owners = Memo::new(move |_| {
        let members = members_of(draft.funnel.get());
        context
            .users
            .try_with_value(|all| {
                all.iter()
                    .filter(|u| members.contains(&u.id))
                    .cloned()
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    view! {
        <div class="field">
            <label for=funnel_id.clone()>{word(|t| t.setup.funnel)}</label>
            <select
                id=funnel_id
                required
                on:change=move |ev| {
                    context.clear(SetupField::Funnel);
                    let funnel = parse_id(&event_target_value(&ev));
                    draft.funnel.set(funnel);
                    let members = members_of(funnel);
                    draft.owner.update(|owner| *owner = owner_after_funnel_change(*owner, &members));
                }
            >
                <option value="" prop:selected=move || draft.funnel.get().is_none()>{word(|t| t.setup.choose_funnel)}</option>
                {context.funnels.get_value().into_iter().map(|funnel| {
                    let chosen = move || draft.funnel.get() == Some(funnel.id);
                    view! { <option value=funnel.id.to_string() prop:selected=chosen>{funnel.name}</option> }
                }).collect_view()}
            </select>
            <p class="hint">{word(|t| t.setup.funnel_hint)}</p>
            {context.error_view(SetupField::Funnel)}
        </div>
        <div class="field">
            <label for=owner_id.clone()>{word(|t| t.setup.owner)}</label>
            <select
                id=owner_id
                disabled=move || draft.funnel.get().is_none()
                on:change=move |ev| {
                    context.clear(SetupField::Owner);
                    draft.owner.set(parse_id(&event_target_value(&ev)));
                }
            >
                <option value="" prop:selected=move || draft.owner.get().is_none()>{word(|t| t.setup.no_owner)}</option>
                <For
                    each=move || owners.get()
                    key=|user| user.id
                    children=move |user| {
                        let chosen = move || draft.owner.get() == Some(user.id);
                        view! { <option value=user.id.to_string() prop:selected=chosen>{user.name}</option> }
                    }
                />
            </select>
            <p class="hint">{word(|t| t.setup.owner_hint)}</p>
            {context.error_view(SetupField::Owner)}
        </div>
    }
}

#[component]
fn RestrictedStep(context: WizardContext) -> impl IntoView {
    let words = use_texts();
    let draft = context.draft;
    let hint_id = context.id("restricted-hint");
    let described_by = hint_id.clone();
    view! {
        <fieldset class="field choices" aria-describedby=described_by>
            <legend>{word(|t| t.setup.restricted_legend)}</legend>
            <p id=hint_id class="hint">{word(|t| t.setup.restricted_hint)}</p>
            {context.users.get_value().into_iter().map(|user| {
                let id = user.id;
                let always = move || [draft.owner.get(), draft.cellphone_user.get()];
                let locked = move || draft.restricted.with(|r| always_visible(id, r, &always()));
                let checked = move || locked() || draft.restricted.with(|r| r.contains(&id));
                let role = move || {
                    let [owner, phone] = always();
                    let roles = words().setup.roles;
                    match (owner == Some(id), phone == Some(id)) {
                        (true, true) => roles[0],
                        (true, false) => roles[1],
                        (false, true) => roles[2],
                        (false, false) => "",
                    }
                };
                view! {
                    <label class="check">
                        <input
                            type="checkbox"
                            prop:checked=checked
                            prop:disabled=locked
                            on:change=move |ev| {
                                context.clear(SetupField::RestrictedUsers);
                                let on = event_target_checked(&ev);
                                draft.restricted.update(|r| {
                                    r.retain(|u| *u != id);
                                    if on { r.push(id) }
                                });
                            }
                        />
                        {user.name}{role}
                    </label>
                }
            }).collect_view()}
            {context.error_view(SetupField::RestrictedUsers)}
        </fieldset>
        <CheckField
            checked=draft.read_receipts
            label=|t| (t.read_receipts, t.read_receipts_hint)
        />
        <CheckField
            checked=draft.import_history
            label=|t| (t.import_history, t.import_history_hint)
        />
    }
}

/// A setting that is on or off, with what it does underneath (`label` gives both).
#[component]
fn CheckField(
    checked: RwSignal<bool>,
    label: fn(&SetupTexts) -> (&'static str, &'static str),
) -> impl IntoView {
    let words = use_texts();
    view! {
        <div class="field">
            <label class="check">
                <input
                    type="checkbox"
                    prop:checked=move || checked.get()
                    on:change=move |ev| checked.set(event_target_checked(&ev))
                />
                {move || label(words().setup).0}
            </label>
            <p class="hint">{move || label(words().setup).1}</p>
        </div>
    }
}
