//! Phone parsing: the four preferred countries, a spread of others, rubbish, and a
//! property test that no input makes the parser panic.

use proptest::prelude::*;

use super::*;

#[test]
fn valid_numbers_become_e164() {
    assert_eq!(
        parse_international("+52 55 1234 5678").unwrap(),
        "+525512345678"
    );
    assert_eq!(
        parse_international(" +57 300 123 4567 ").unwrap(),
        "+573001234567"
    );
    assert_eq!(
        parse_international("+56 9 6123 4567").unwrap(),
        "+56961234567"
    );
}

#[test]
fn invalid_numbers_are_refused() {
    for bad in [
        "",
        "5512345678",
        "+52",
        "+56 9 1234 5678",
        "+1 555",
        "+52 abc",
        "hello",
        &"+5".repeat(40),
    ] {
        assert!(parse_international(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn numbers_are_shown_in_international_format() {
    assert_eq!(format_international("+573001234567"), "+57 300 1234567");
    assert_eq!(format_international("not a number"), "not a number");
}

#[test]
fn national_numbers_of_the_preferred_countries_become_e164() {
    let cases = [
        ("MX", "55 1234 5678", "+525512345678", "+52 55 1234 5678"),
        ("MX", "(33) 1234-5678", "+523312345678", "+52 33 1234 5678"),
        ("CO", "300 123 4567", "+573001234567", "+57 300 1234567"),
        ("CO", "601 234 5678", "+576012345678", "+57 601 2345678"),
        ("AR", "11 2345-6789", "+541123456789", "+54 11 2345-6789"),
        (
            "AR",
            "9 11 2345 6789",
            "+5491123456789",
            "+54 9 11 2345-6789",
        ),
        ("CL", "9 6123 4567", "+56961234567", "+56 9 6123 4567"),
        ("CL", "2 2123 4567", "+56221234567", "+56 2 2123 4567"),
    ];
    for (country, national, e164, international) in cases {
        let phone = parse_national(country, national)
            .unwrap_or_else(|e| panic!("{country} {national}: {e}"));
        assert_eq!(phone.e164, e164, "{country} {national}");
        assert_eq!(phone.international, international, "{country} {national}");
        assert_eq!(phone.country.as_deref(), Some(country));
    }
}

#[test]
fn numbers_of_other_countries_are_valid_too() {
    let cases = [
        ("US", "(201) 555-0123", "+12015550123"),
        ("GB", "07400 123456", "+447400123456"),
        ("ES", "612 34 56 78", "+34612345678"),
        ("BR", "(11) 96123-4567", "+5511961234567"),
        ("IN", "081234 56789", "+918123456789"),
        ("DE", "01512 3456789", "+4915123456789"),
        ("AE", "050 123 4567", "+971501234567"),
        ("PE", "912 345 678", "+51912345678"),
        ("JP", "090-1234-5678", "+819012345678"),
    ];
    for (country, national, e164) in cases {
        let phone = parse_national(country, national)
            .unwrap_or_else(|e| panic!("{country} {national}: {e}"));
        assert_eq!(phone.e164, e164, "{country} {national}");
    }
}

#[test]
fn a_full_international_number_wins_over_the_selected_country() {
    let phone = parse_national("MX", "+57 300 123 4567").unwrap();
    assert_eq!(phone.e164, "+573001234567");
    assert_eq!(phone.country.as_deref(), Some("CO"));
}

#[test]
fn invalid_too_short_and_rubbish_numbers_are_refused_with_one_message() {
    let thousand = "5".repeat(1000);
    let cases: [(&str, &str); 12] = [
        ("MX", ""),
        ("MX", "   "),
        ("MX", "55 1234"),
        ("MX", "1"),
        ("CO", "123 456 7890 1234"),
        ("AR", "abc def"),
        ("CL", "9 1234 5678"),
        ("CL", "📱 9 6123 4567"),
        ("MX", "55 1234 5678 ☎"),
        ("MX", &thousand),
        ("ZZ", "55 1234 5678"),
        ("", "55 1234 5678"),
    ];
    for (country, national) in cases {
        assert_eq!(
            parse_national(country, national),
            Err(INVALID_PHONE.to_string()),
            "{country} {national:.40}"
        );
    }
}

#[test]
fn a_stored_number_splits_back_into_country_and_national_number() {
    assert_eq!(
        split_for_selector("+525512345678"),
        Some(("MX".into(), "55 1234 5678".into()))
    );
    let (country, national) = split_for_selector("+56961234567").unwrap();
    assert_eq!(
        parse_national(&country, &national).unwrap().e164,
        "+56961234567"
    );
    assert_eq!(split_for_selector("garbage"), None);
}

#[test]
fn the_country_list_starts_with_the_preferred_four_and_knows_calling_codes() {
    let list = countries(Locale::En);
    let first: Vec<(&str, u16)> = list[..4]
        .iter()
        .map(|c| (c.iso.as_str(), c.calling_code))
        .collect();
    assert_eq!(first, vec![("MX", 52), ("CO", 57), ("AR", 54), ("CL", 56)]);
    assert!(list.len() > 200, "{} countries", list.len());
    let us = list.iter().find(|c| c.iso == "US").unwrap();
    assert_eq!((us.name.as_str(), us.calling_code), ("United States", 1));
    let rest: Vec<&str> = list[4..].iter().map(|c| c.name.as_str()).collect();
    assert_eq!(rest.first(), Some(&"Afghanistan"));
    assert!(
        !rest.contains(&"Mexico"),
        "preferred countries are not listed twice"
    );
}

#[test]
fn countries_are_named_and_sorted_in_the_page_language() {
    let spanish = countries(Locale::Es);
    let named =
        |list: &[Country], iso: &str| list.iter().find(|c| c.iso == iso).unwrap().name.clone();
    assert_eq!(named(spanish, "US"), "Estados Unidos");
    assert_eq!(named(spanish, "MX"), "México");
    let portuguese = countries(Locale::PtBr);
    assert_eq!(named(portuguese, "DE"), "Alemanha");
    assert_eq!(named(portuguese, "MX"), "México");
    // After the preferred four, alphabetical as the language reads: an accent does not
    // send "Émirats"-like names to the end.
    let rest: Vec<&str> = portuguese[4..].iter().map(|c| c.name.as_str()).collect();
    let uae = rest
        .iter()
        .position(|n| *n == "Emirados Árabes Unidos")
        .unwrap();
    let equador = rest.iter().position(|n| *n == "Equador").unwrap();
    assert!(uae < equador, "{rest:?}");
    // The picker's search ignores accents in each language.
    let peru = spanish.iter().find(|c| c.iso == "PE").unwrap();
    assert_eq!(peru.name, "Perú");
    assert!(crate::domain::wizard::country_matches(peru, "peru"));
}

proptest! {
    #[test]
    fn no_input_makes_validation_panic(country in "[A-Z]{0,3}", national in any::<String>()) {
        let _ = parse_national(&country, &national);
        let _ = parse_international(&national);
    }

    #[test]
    fn no_plausible_number_makes_the_parser_panic(
        country in prop::sample::select(vec!["MX", "CO", "AR", "CL", "US", "GB", "IN", "BR", "DE", "ZZ"]),
        national in "[0-9 +().-]{0,32}",
    ) {
        if let Ok(phone) = parse_national(country, &national) {
            prop_assert!(phone.e164.starts_with('+'));
            prop_assert_eq!(parse_international(&phone.international), Ok(phone.e164.clone()));
        }
    }
}
