//! The country selector of the phone step: a combobox that filters by name, ISO code or
//! calling code as the user types, driven entirely by keyboard or mouse.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use crate::components::common::dom::scroll_into_view;
use crate::domain::wizard::{country_matches, Country, PREFERRED_COUNTRIES};
use crate::i18n::word;

fn label_of(countries: &[Country], iso: &str) -> String {
    countries
        .iter()
        .find(|c| c.iso == iso)
        .map(Country::label)
        .unwrap_or_default()
}

#[component]
pub fn CountryPicker(
    /// Element id of the text input, for its label and for focusing.
    input_id: String,
    countries: StoredValue<Vec<Country>>,
    /// ISO code of the chosen country.
    selected: RwSignal<String>,
) -> impl IntoView {
    let list_id = format!("{input_id}-list");
    let option_prefix = input_id.clone();
    let option_id = move |iso: &str| format!("{option_prefix}-{iso}");
    let option_id = StoredValue::new(option_id);
    // try_: a closing wizard disposes these while effects that read them may still be due.
    let shown_label = move || {
        countries
            .try_with_value(|all| label_of(all, &selected.get()))
            .unwrap_or_default()
    };
    let query = RwSignal::new(shown_label());
    let open = RwSignal::new(false);
    let active = RwSignal::new(0usize);
    // The chosen label shows all countries; anything else typed filters them.
    let matches = Memo::new(move |_| {
        let typed = query.get();
        let filter = if typed == shown_label() {
            String::new()
        } else {
            typed
        };
        countries
            .try_with_value(|all| {
                all.iter()
                    .filter(|c| country_matches(c, &filter))
                    .cloned()
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    let active_iso =
        Memo::new(move |_| matches.with(|m| m.get(active.get()).map(|c| c.iso.clone())));
    Effect::new(move |_| {
        if let Some(id) = active_iso
            .get()
            .and_then(|iso| option_id.try_with_value(|f| f(&iso)))
        {
            scroll_into_view(&id);
        }
    });
    Effect::new(move |_| {
        // Another part of the wizard may change the country (a "+57…" number typed).
        let label = shown_label();
        if !open.get_untracked() {
            query.set(label);
        }
    });
    // Opening the full list starts at the chosen country; a typed filter starts at its top.
    let open_list = move || {
        if !open.get_untracked() {
            let at = matches.with_untracked(|m| {
                m.iter()
                    .position(|c| c.iso == selected.get_untracked())
                    .unwrap_or(0)
            });
            active.set(at);
            open.set(true);
        }
    };
    let choose = move |country: Country| {
        selected.set(country.iso.clone());
        query.set(country.label());
        open.set(false);
    };
    let on_keydown = move |ev: KeyboardEvent| {
        let count = matches.with(Vec::len);
        match ev.key().as_str() {
            "ArrowDown" | "ArrowUp" => {
                ev.prevent_default();
                if !open.get() {
                    open_list();
                    return;
                }
                let step: isize = if ev.key() == "ArrowDown" { 1 } else { -1 };
                if count > 0 {
                    active
                        .update(|i| *i = (*i as isize + step).rem_euclid(count as isize) as usize);
                }
            }
            "Enter" if open.get() => {
                // Choosing a country must not submit the wizard's step.
                ev.prevent_default();
                if let Some(country) = matches.with(|m| m.get(active.get()).cloned()) {
                    choose(country);
                }
            }
            "Escape" if open.get() => {
                // Closes the list only, not the whole wizard.
                ev.prevent_default();
                ev.stop_propagation();
                open.set(false);
                query.set(shown_label());
            }
            _ => {}
        }
    };
    let active_descendant = move || {
        open.get()
            .then(|| {
                active_iso
                    .get()
                    .map(|iso| option_id.with_value(|f| f(&iso)))
            })
            .flatten()
    };
    view! {
        <div class="combobox">
            <input
                id=input_id
                type="text"
                role="combobox"
                autocomplete="off"
                aria-autocomplete="list"
                aria-controls=list_id.clone()
                aria-expanded=move || open.get().to_string()
                aria-activedescendant=active_descendant
                data-focus-first=""
                prop:value=move || query.get()
                on:input=move |ev| {
                    query.set(event_target_value(&ev));
                    active.set(0);
                    open.set(true);
                }
                on:click=move |_| if open.get_untracked() { open.set(false) } else { open_list() }
                on:keydown=on_keydown
                on:blur=move |_| {
                    open.set(false);
                    query.set(shown_label());
                }
            />
            <ul id=list_id role="listbox" aria-label=word(|t| t.setup.countries) class="combobox-list" hidden=move || !open.get()>
                <For
                    each=move || matches.get()
                    key=|country| country.iso.clone()
                    children=move |country| {
                        let iso = country.iso.clone();
                        let is_active = {
                            let iso = iso.clone();
                            move || active_iso.get().as_deref() == Some(iso.as_str())
                        };
                        let last_preferred = PREFERRED_COUNTRIES.last() == Some(&iso.as_str());
                        let picked = country.clone();
                        view! {
                            <li
                                id=option_id.with_value(|f| f(&iso))
                                role="option"
                                class:active=is_active
                                class:preferred-last=last_preferred
                                aria-selected=move || (selected.get() == iso).to_string()
                                // Mousedown, not click: the input would lose focus and close the list first.
                                on:mousedown=move |ev| {
                                    ev.prevent_default();
                                    choose(picked.clone());
                                }
                            >
                                {country.label()}
                            </li>
                        }
                    }
                />
                <Show when=move || matches.with(Vec::is_empty)>
                    <li class="muted" role="presentation">{word(|t| t.setup.no_country)}</li>
                </Show>
            </ul>
        </div>
    }
}
