//! Phone numbers: validation and formatting with Google's metadata (`phonenumber`).

use std::sync::OnceLock;

use phonenumber::country::Id;
use phonenumber::{Mode, PhoneNumber};

use super::country_names::COUNTRY_NAMES;
use crate::domain::locale::Locale;
use crate::domain::wizard::{order_countries, Country, INVALID_PHONE};

/// Longer than any real number written with generous spacing; longer input is refused
/// before the parser sees it.
const MAX_INPUT_CHARS: usize = 32;

/// What people put in numbers besides digits: spaces, dashes, dots, slashes, brackets, "+".
fn plausible(raw: &str) -> bool {
    raw.chars().count() <= MAX_INPUT_CHARS
        && raw.chars().any(|c| c.is_ascii_digit())
        && raw
            .chars()
            .all(|c| c.is_ascii_digit() || " +-./()".contains(c))
}

/// A valid number as the wizard needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidPhone {
    pub e164: String,
    pub international: String,
    /// The country the number belongs to, which may differ from the one selected when the
    /// user typed a "+" number of another country.
    pub country: Option<String>,
}

fn valid(number: PhoneNumber) -> ValidPhone {
    ValidPhone {
        e164: number.format().mode(Mode::E164).to_string(),
        international: number.format().mode(Mode::International).to_string(),
        country: number.country().id().map(|id| id.as_ref().to_string()),
    }
}

/// A number typed as the country selector plus the national number (which may also be
/// written in full with "+"). The error is the message to show.
pub fn parse_national(country: &str, national: &str) -> Result<ValidPhone, String> {
    let national = national.trim();
    if !plausible(national) {
        return Err(INVALID_PHONE.to_string());
    }
    let region = country.parse::<Id>().ok();
    if region.is_none() && !national.starts_with('+') {
        return Err(INVALID_PHONE.to_string());
    }
    match phonenumber::parse(region, national) {
        Ok(number) if phonenumber::is_valid(&number) => Ok(valid(number)),
        _ => Err(INVALID_PHONE.to_string()),
    }
}

/// A stored E.164 number split for the wizard: (country code, national format).
pub fn split_for_selector(e164: &str) -> Option<(String, String)> {
    let number = phonenumber::parse(None, e164).ok()?;
    let country = number.country().id()?;
    Some((
        country.as_ref().to_string(),
        number.format().mode(Mode::National).to_string(),
    ))
}

/// Every country with its calling code, named in `locale`, preferred ones first and the
/// rest in that language's alphabetical order (see domain::wizard).
pub fn countries(locale: Locale) -> &'static [Country] {
    static COUNTRIES: [OnceLock<Vec<Country>>; 3] = [const { OnceLock::new() }; 3];
    type Names = (&'static str, &'static str, &'static str, &'static str);
    let (slot, pick): (usize, fn(&Names) -> &'static str) = match locale {
        Locale::En => (0, |names| names.1),
        Locale::Es => (1, |names| names.2),
        Locale::PtBr => (2, |names| names.3),
    };
    COUNTRIES[slot].get_or_init(|| {
        let countries = COUNTRY_NAMES
            .iter()
            .filter_map(|names| {
                let metadata = phonenumber::metadata::DATABASE.by_id(names.0)?;
                Some(Country {
                    iso: names.0.to_string(),
                    name: pick(names).to_string(),
                    calling_code: metadata.country_code(),
                })
            })
            .collect();
        order_countries(countries)
    })
}

/// The E.164 form of a number written in international format (`+52 1 55 1234 5678`).
pub fn parse_international(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim();
    let invalid =
        || "Enter a valid phone number with its country code, e.g. +52 55 1234 5678".to_string();
    if !trimmed.starts_with('+') || !plausible(trimmed) {
        return Err(invalid());
    }
    match phonenumber::parse(None, trimmed) {
        Ok(number) if phonenumber::is_valid(&number) => Ok(valid(number).e164),
        _ => Err(invalid()),
    }
}

/// `+5215512345678` → `+52 1 55 1234 5678`; anything unparseable is shown as stored.
pub fn format_international(e164: &str) -> String {
    phonenumber::parse(None, e164)
        .map(|n| n.format().mode(Mode::International).to_string())
        .unwrap_or_else(|_| e164.to_string())
}

#[cfg(test)]
mod tests;
