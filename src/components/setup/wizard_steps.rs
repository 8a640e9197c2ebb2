//! The five steps of the setup wizard. Each shows its fields, the hint that goes with
//! them, and whatever the server said was wrong with them.

use leptos::prelude::*;

use super::country_picker::CountryPicker;
use super::setup_wizard::{Draft, PhoneStatus};
use crate::domain::identity::{clean_name, MAX_NAME_CHARS};
use crate::domain::wizard::{
    always_visible, duplicate_phone_warning, owner_after_funnel_change, Country, FieldError,
    SetupField, WizardStep,
};
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
    pub fn error_for(&self, field: SetupField) -> Option<String> {
        self.errors.with(|errors| {
            errors
                .iter()
                .find(|e| e.field == field)
                .map(|e| e.message.clone())
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
        move || {
            self.error_for(field)
                .map(|message| view! { <p class="form-error" role="alert">{message}</p> })
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
            <p class="field-label">"Phone number"</p>
            <p class="linked-phone" data-focus-first="" tabindex="-1"><strong>{number}</strong></p>
            <p class="hint">
                "This is the number of the phone linked to this account. To use another number, disconnect this one and link that phone."
            </p>
        </div>
    }
}

#[component]
fn PhoneFields(context: WizardContext) -> impl IntoView {
    let draft = context.draft;
    let country_id = context.id("country");
    let number_id = context.id("phone");
    let status_id = context.id("phone-status");
    let status = move || match context.phone.get() {
        PhoneStatus::Empty => {
            view! { <p class="hint">"Choose the country, then type the number."</p> }.into_any()
        }
        PhoneStatus::Checking => view! { <p class="hint">"Checking…"</p> }.into_any(),
        PhoneStatus::Invalid(message) => view! { <p class="form-error">{message}</p> }.into_any(),
        PhoneStatus::Valid { international, .. } => {
            view! { <p class="hint valid">"Will be saved as " <strong>{international}</strong></p> }
                .into_any()
        }
    };
    let duplicate = move || match context.phone.get() {
        PhoneStatus::Valid {
            used_by: Some(other),
            ..
        } => Some(view! {
            <div class="warning" role="alert">
                <p>{duplicate_phone_warning(&other)}</p>
                <label class="check">
                    <input
                        type="checkbox"
                        prop:checked=move || draft.duplicate_acknowledged.get()
                        on:change=move |ev| {
                            context.clear(SetupField::Phone);
                            draft.duplicate_acknowledged.set(event_target_checked(&ev));
                        }
                    />
                    "Use this number anyway"
                </label>
            </div>
        }),
        _ => None,
    };
    view! {
        <div class="field">
            <label for=country_id.clone()>"Country"</label>
            <CountryPicker input_id=country_id countries=context.countries selected=draft.country/>
        </div>
        <div class="field">
            <label for=number_id.clone()>"Phone number"</label>
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
    let draft = context.draft;
    let id = context.id("name");
    let problem = move || draft.name.with(|n| clean_name(n, "Name").err());
    view! {
        <div class="field">
            <label for=id.clone()>"Name"</label>
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
            <p class="hint">"Shown in channel lists and on the card."</p>
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
            <label for=id.clone()>"Cellphone user"</label>
            <select
                id=id
                required
                on:change=move |ev| {
                    context.clear(SetupField::CellphoneUser);
                    draft.cellphone_user.set(parse_id(&event_target_value(&ev)));
                }
            >
                <option value="" prop:selected=move || draft.cellphone_user.get().is_none()>"Choose a team member"</option>
                {context.users.get_value().into_iter().map(|user| {
                    let chosen = move || draft.cellphone_user.get() == Some(user.id);
                    view! { <option value=user.id.to_string() prop:selected=chosen>{user.name}</option> }
                }).collect_view()}
            </select>
            <p class="hint">"Required: the team member whose phone is linked to this account."</p>
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
            <label for=funnel_id.clone()>"Funnel"</label>
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
                <option value="" prop:selected=move || draft.funnel.get().is_none()>"Choose a funnel"</option>
                {context.funnels.get_value().into_iter().map(|funnel| {
                    let chosen = move || draft.funnel.get() == Some(funnel.id);
                    view! { <option value=funnel.id.to_string() prop:selected=chosen>{funnel.name}</option> }
                }).collect_view()}
            </select>
            <p class="hint">"Required: the team inbox new conversations from this number go to."</p>
            {context.error_view(SetupField::Funnel)}
        </div>
        <div class="field">
            <label for=owner_id.clone()>"Owner"</label>
            <select
                id=owner_id
                disabled=move || draft.funnel.get().is_none()
                on:change=move |ev| {
                    context.clear(SetupField::Owner);
                    draft.owner.set(parse_id(&event_target_value(&ev)));
                }
            >
                <option value="" prop:selected=move || draft.owner.get().is_none()>"No owner"</option>
                <For
                    each=move || owners.get()
                    key=|user| user.id
                    children=move |user| {
                        let chosen = move || draft.owner.get() == Some(user.id);
                        view! { <option value=user.id.to_string() prop:selected=chosen>{user.name}</option> }
                    }
                />
            </select>
            <p class="hint">"Optional: who new conversations are assigned to. Only members of the funnel are listed."</p>
            {context.error_view(SetupField::Owner)}
        </div>
    }
}

#[component]
fn RestrictedStep(context: WizardContext) -> impl IntoView {
    let draft = context.draft;
    let hint_id = context.id("restricted-hint");
    let described_by = hint_id.clone();
    view! {
        <fieldset class="field choices" aria-describedby=described_by>
            <legend>"Users who may see this channel's conversations"</legend>
            <p id=hint_id class="hint">"Leave empty to let all team members see conversations from this channel. The owner and the cellphone user always see them."</p>
            {context.users.get_value().into_iter().map(|user| {
                let id = user.id;
                let always = move || [draft.owner.get(), draft.cellphone_user.get()];
                let locked = move || draft.restricted.with(|r| always_visible(id, r, &always()));
                let checked = move || locked() || draft.restricted.with(|r| r.contains(&id));
                let role = move || {
                    let [owner, phone] = always();
                    match (owner == Some(id), phone == Some(id)) {
                        (true, true) => " (owner and cellphone user)",
                        (true, false) => " (owner)",
                        (false, true) => " (cellphone user)",
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
            label="Send read receipts"
            hint="When an agent opens a chat, the customer's phone shows their messages as read (blue ticks)."
        />
        <CheckField
            checked=draft.import_history
            label="Import the last 30 days of chats"
            hint="When the number is linked, its recent one-to-one chats appear in the inbox, already read. Group chats are not imported."
        />
    }
}

/// A setting that is on or off, with what it does underneath.
#[component]
fn CheckField(checked: RwSignal<bool>, label: &'static str, hint: &'static str) -> impl IntoView {
    view! {
        <div class="field">
            <label class="check">
                <input
                    type="checkbox"
                    prop:checked=move || checked.get()
                    on:change=move |ev| checked.set(event_target_checked(&ev))
                />
                {label}
            </label>
            <p class="hint">{hint}</p>
        </div>
    }
}
