//! Validation of the people and companies the product hangs on.
//! Each function returns the cleaned value or the message to show next to the field.

pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 256;
pub const MAX_NAME_CHARS: usize = 80;
pub const MAX_CHANNEL_LIMIT: i64 = 10_000;

/// A sign-in ends after 12 hours without activity...
pub const IDLE_TIMEOUT_MS: i64 = 12 * 60 * 60 * 1000;
/// ...and 7 days after it began, however active.
pub const ABSOLUTE_LIFETIME_MS: i64 = 7 * 24 * 60 * 60 * 1000;
/// Activity is written (and the cookie renewed) at most once a minute: writing it on every
/// request would turn reads into writes.
pub const TOUCH_AFTER_MS: i64 = 60 * 1000;

/// What a request finds of its sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInAge {
    /// Idle too long, or older than its absolute lifetime.
    Expired,
    /// Valid, and its activity was written less than a minute ago.
    Fresh,
    /// Valid: write the activity and renew the cookie for `cookie_ms` more.
    Renew { cookie_ms: i64 },
}

pub fn sign_in_age(now: i64, signed_in_at: i64, last_seen_at: i64) -> SignInAge {
    let left = ABSOLUTE_LIFETIME_MS - (now - signed_in_at);
    if now - last_seen_at > IDLE_TIMEOUT_MS || left <= 0 {
        SignInAge::Expired
    } else if now - last_seen_at > TOUCH_AFTER_MS {
        SignInAge::Renew {
            cookie_ms: IDLE_TIMEOUT_MS.min(left),
        }
    } else {
        SignInAge::Fresh
    }
}

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

/// What is wrong with a name; each language words it (`i18n`), English here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum NameProblem {
    Required,
    TooLong,
    ControlCharacters,
}

impl NameProblem {
    /// `what` names the field: "Name is required".
    pub fn english(self, what: &str) -> String {
        match self {
            NameProblem::Required => format!("{what} is required"),
            NameProblem::TooLong => format!("{what} must be at most {MAX_NAME_CHARS} characters"),
            NameProblem::ControlCharacters => format!("{what} cannot contain control characters"),
        }
    }
}

/// A display name or company name: trimmed, 1 to 80 characters, no control characters.
pub fn check_name(raw: &str) -> Result<String, NameProblem> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(NameProblem::Required);
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(NameProblem::TooLong);
    }
    if name.chars().any(char::is_control) {
        return Err(NameProblem::ControlCharacters);
    }
    Ok(name.to_string())
}

/// [`check_name`] with its problem in English, for errors the API answers with.
pub fn clean_name(raw: &str, what: &str) -> Result<String, String> {
    check_name(raw).map_err(|problem| problem.english(what))
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

    #[test]
    fn a_sign_in_ends_when_idle_or_too_old_and_is_renewed_once_a_minute() {
        let hour = 60 * 60 * 1000;
        assert_eq!(sign_in_age(1_000, 0, 0), SignInAge::Fresh);
        assert_eq!(
            sign_in_age(2 * hour, 0, hour),
            SignInAge::Renew {
                cookie_ms: IDLE_TIMEOUT_MS
            }
        );
        assert_eq!(
            sign_in_age(14 * hour, 0, hour),
            SignInAge::Expired,
            "idle 13 h"
        );
        let almost = ABSOLUTE_LIFETIME_MS - hour;
        assert_eq!(
            sign_in_age(almost, 0, almost - 2 * TOUCH_AFTER_MS),
            SignInAge::Renew { cookie_ms: hour },
            "the cookie never outlives the sign-in"
        );
        assert_eq!(
            sign_in_age(ABSOLUTE_LIFETIME_MS + 1, 0, ABSOLUTE_LIFETIME_MS),
            SignInAge::Expired,
            "active, but a week old"
        );
    }
}
