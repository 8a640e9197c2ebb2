//! Phone numbers: validation and formatting with Google's metadata (`phonenumber`).

/// The E.164 form of a number written in international format (`+52 1 55 1234 5678`).
pub fn parse_international(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim();
    let invalid =
        || "Enter a valid phone number with its country code, e.g. +52 55 1234 5678".to_string();
    if !trimmed.starts_with('+') || trimmed.len() > 32 {
        return Err(invalid());
    }
    let number = phonenumber::parse(None, trimmed).map_err(|_| invalid())?;
    if !phonenumber::is_valid(&number) {
        return Err(invalid());
    }
    Ok(number.format().mode(phonenumber::Mode::E164).to_string())
}

/// `+5215512345678` → `+52 1 55 1234 5678`; anything unparseable is shown as stored.
pub fn format_international(e164: &str) -> String {
    phonenumber::parse(None, e164)
        .map(|n| {
            n.format()
                .mode(phonenumber::Mode::International)
                .to_string()
        })
        .unwrap_or_else(|_| e164.to_string())
}

#[cfg(test)]
mod tests {
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
}
