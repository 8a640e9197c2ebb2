//! Validation of the people and companies the product hangs on.
//! Each function returns the cleaned value or the message to show next to the field.

pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 256;
pub const MAX_NAME_CHARS: usize = 80;
pub const MAX_CHANNEL_LIMIT: i64 = 10_000;

/// Trims and lower-cases an email; rejects what cannot be an address.
pub fn normalize_email(raw: &str) -> Result<String, String> {
    let email = raw.trim().to_lowercase();
    let valid = email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        };
    if valid {
        Ok(email)
    } else {
        Err("Enter a valid email address".to_string())
    }
}

/// A display name or company name: trimmed, 1 to 80 characters, no control characters.
pub fn clean_name(raw: &str, what: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(format!("{what} is required"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(format!(
            "{what} must be at most {MAX_NAME_CHARS} characters"
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(format!("{what} cannot contain control characters"));
    }
    Ok(name.to_string())
}

pub fn check_new_password(password: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        Err(format!(
            "Password must be at least {MIN_PASSWORD_CHARS} characters"
        ))
    } else if chars > MAX_PASSWORD_CHARS {
        Err(format!(
            "Password must be at most {MAX_PASSWORD_CHARS} characters"
        ))
    } else {
        Ok(())
    }
}

pub fn parse_channel_limit(raw: &str) -> Result<i64, String> {
    match raw.trim().parse::<i64>() {
        Ok(n) if (0..=MAX_CHANNEL_LIMIT).contains(&n) => Ok(n),
        _ => Err(format!(
            "Channel limit must be a whole number from 0 to {MAX_CHANNEL_LIMIT}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lowercased() {
        assert_eq!(
            normalize_email("  Ana@Demo.Test ").unwrap(),
            "ana@demo.test"
        );
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "ana",
            "ana@",
            "@demo.test",
            "ana@demo",
            "a b@demo.test",
            "a@b@c.d",
            "a@.x",
            "a@x.",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad:?} was accepted");
        }
        assert!(normalize_email(&format!("{}@demo.test", "a".repeat(300))).is_err());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(clean_name("  Sales ", "Name").unwrap(), "Sales");
        assert_eq!(clean_name("   ", "Name").unwrap_err(), "Name is required");
        assert!(clean_name(&"x".repeat(81), "Name").is_err());
        assert!(
            clean_name(&"é".repeat(80), "Name").is_ok(),
            "limit counts characters, not bytes"
        );
        assert!(clean_name("a\u{0}b", "Name").is_err());
    }

    #[test]
    fn passwords_have_a_length_window() {
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("long enough pw").is_ok());
        assert!(check_new_password(&"p".repeat(257)).is_err());
    }

    #[test]
    fn channel_limit_is_a_bounded_whole_number() {
        assert_eq!(parse_channel_limit(" 3 ").unwrap(), 3);
        assert_eq!(parse_channel_limit("0").unwrap(), 0);
        for bad in ["-1", "three", "2.5", "", "10001"] {
            assert!(parse_channel_limit(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
