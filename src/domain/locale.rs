//! Which language a person sees, and how numbers and dates are written in it. The choice
//! goes: the person's own (top bar), else what their browser asks for (`Accept-Language`),
//! else their company's default, else English.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Locale {
    #[default]
    En,
    /// Spanish as Latin America writes it (CLDR `es-419`).
    Es,
    PtBr,
}

impl Locale {
    pub const ALL: [Locale; 3] = [Locale::En, Locale::Es, Locale::PtBr];

    /// The BCP 47 tag: `<html lang>`, the stored choice.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Es => "es",
            Locale::PtBr => "pt-BR",
        }
    }

    /// Its own name, as the language menu lists it.
    pub fn name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::Es => "Español",
            Locale::PtBr => "Português (Brasil)",
        }
    }

    /// The language a tag asks for, whatever its region (`es-MX`, `es-419` and `es` are
    /// all our Spanish; `pt-PT` still reads Brazilian Portuguese better than English).
    pub fn parse(tag: &str) -> Option<Locale> {
        let language = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match language.as_str() {
            "en" => Some(Locale::En),
            "es" => Some(Locale::Es),
            "pt" => Some(Locale::PtBr),
            _ => None,
        }
    }

    /// (thousands separator, decimal separator), as CLDR has them.
    fn separators(self) -> (char, char) {
        match self {
            Locale::En | Locale::Es => (',', '.'),
            Locale::PtBr => ('.', ','),
        }
    }
}

/// The first language of ours that an `Accept-Language` header asks for, by weight (`q`),
/// in header order among equals; `q=0` means "not this one".
pub fn from_accept_language(header: &str) -> Option<Locale> {
    let mut asked: Vec<(u16, usize, Locale)> = header
        .split(',')
        .enumerate()
        .filter_map(|(position, item)| {
            let mut parts = item.split(';');
            let locale = Locale::parse(parts.next()?)?;
            let weight = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1000), quality)?;
            (weight > 0).then_some((weight, position, locale))
        })
        .collect();
    asked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    asked.first().map(|(_, _, locale)| *locale)
}

/// A `q` value in thousandths; `None` for one that is not a number from 0 to 1.
fn quality(raw: &str) -> Option<u16> {
    let value: f32 = raw.trim().parse().ok()?;
    (0.0..=1.0)
        .contains(&value)
        .then(|| (value * 1000.0).round() as u16)
}

pub fn negotiate(
    user: Option<Locale>,
    accept_language: Option<&str>,
    company: Option<Locale>,
) -> Locale {
    user.or_else(|| accept_language.and_then(from_accept_language))
        .or(company)
        .unwrap_or_default()
}

/// `1234567` → "1,234,567" in English and Spanish, "1.234.567" in Portuguese.
pub fn format_integer(value: i64, locale: Locale) -> String {
    let (group, _) = locale.separators();
    let digits = value.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        out.push('-');
    }
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(group);
        }
        out.push(digit);
    }
    out
}

/// `value` with one decimal: "1.5" in English and Spanish, "1,5" in Portuguese.
pub fn format_tenths(value: f64, locale: Locale) -> String {
    let (_, decimal) = locale.separators();
    let tenths = (value * 10.0).round() as i64;
    let whole = format_integer(tenths / 10, locale);
    let sign = if tenths < 0 && tenths / 10 == 0 {
        "-"
    } else {
        ""
    };
    format!("{sign}{whole}{decimal}{}", (tenths % 10).abs())
}

/// A calendar date in the order the language writes it: month first in English, day first
/// in Spanish and Portuguese.
pub fn format_date(year: i32, month: u32, day: u32, locale: Locale) -> String {
    match locale {
        Locale::En => format!("{month}/{day}/{year}"),
        Locale::Es => format!("{day}/{month}/{year}"),
        Locale::PtBr => format!("{day:02}/{month:02}/{year}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_names_our_language_whatever_its_region() {
        assert_eq!(Locale::parse("es-MX"), Some(Locale::Es));
        assert_eq!(Locale::parse("es_419"), Some(Locale::Es));
        assert_eq!(Locale::parse("PT-br"), Some(Locale::PtBr));
        assert_eq!(Locale::parse("pt"), Some(Locale::PtBr));
        assert_eq!(Locale::parse("en-GB"), Some(Locale::En));
        assert_eq!(Locale::parse("fr-FR"), None);
        assert_eq!(Locale::parse("*"), None);
        for locale in Locale::ALL {
            assert_eq!(Locale::parse(locale.tag()), Some(locale));
        }
    }

    #[test]
    fn the_browser_is_heard_by_weight_then_order() {
        assert_eq!(
            from_accept_language("pt-BR,pt;q=0.9,en;q=0.8"),
            Some(Locale::PtBr)
        );
        assert_eq!(
            from_accept_language("fr-FR, es;q=0.5, en;q=0.7"),
            Some(Locale::En)
        );
        assert_eq!(from_accept_language("en;q=0.5, es;q=0.5"), Some(Locale::En));
        assert_eq!(from_accept_language("es;q=0, en;q=0.1"), Some(Locale::En));
        assert_eq!(from_accept_language("es;q=0"), None);
        assert_eq!(from_accept_language("de, fr"), None);
        assert_eq!(
            from_accept_language("es;q=2, pt"),
            Some(Locale::PtBr),
            "q=2 is no weight"
        );
        assert_eq!(from_accept_language(""), None);
    }

    #[test]
    fn the_person_comes_before_the_browser_before_the_company_before_english() {
        let pt = Some("pt-BR");
        assert_eq!(
            negotiate(Some(Locale::Es), pt, Some(Locale::En)),
            Locale::Es
        );
        assert_eq!(negotiate(None, pt, Some(Locale::Es)), Locale::PtBr);
        assert_eq!(negotiate(None, Some("de"), Some(Locale::Es)), Locale::Es);
        assert_eq!(negotiate(None, None, None), Locale::En);
    }

    #[test]
    fn numbers_and_dates_are_written_the_languages_way() {
        assert_eq!(format_integer(1_234_567, Locale::En), "1,234,567");
        assert_eq!(format_integer(1_234, Locale::PtBr), "1.234");
        assert_eq!(format_integer(999, Locale::PtBr), "999");
        assert_eq!(format_integer(-1_000, Locale::Es), "-1,000");
        assert_eq!(format_tenths(1.54, Locale::En), "1.5");
        assert_eq!(format_tenths(1_234.5, Locale::PtBr), "1.234,5");
        assert_eq!(format_tenths(-0.4, Locale::PtBr), "-0,4");
        assert_eq!(format_date(2026, 12, 3, Locale::En), "12/3/2026");
        assert_eq!(format_date(2026, 12, 3, Locale::Es), "3/12/2026");
        assert_eq!(format_date(2026, 12, 3, Locale::PtBr), "03/12/2026");
    }
}
