//! A customer's WhatsApp address as Aurora stores it: their phone number (E.164), or,
//! while WhatsApp hides the number behind a LID (its per-user privacy id), `lid:` and the
//! LID's digits. One column holds either, so a contact first seen by its LID is a contact
//! like any other until WhatsApp reveals the number and it is merged.

/// How a hidden number's address starts.
pub const LID_PREFIX: &str = "lid:";

/// What the inbox shows in place of a number WhatsApp hides.
pub const NUMBER_HIDDEN: &str = "Number hidden by WhatsApp";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Address<'a> {
    /// E.164, e.g. "+5215512345678".
    Phone(&'a str),
    /// A LID's digits, e.g. "123456789012345".
    Hidden { lid: &'a str },
}

impl<'a> Address<'a> {
    pub fn parse(stored: &'a str) -> Address<'a> {
        match stored.strip_prefix(LID_PREFIX) {
            Some(lid) => Address::Hidden { lid },
            None => Address::Phone(stored),
        }
    }

    pub fn lid(self) -> Option<&'a str> {
        match self {
            Address::Hidden { lid } => Some(lid),
            Address::Phone(_) => None,
        }
    }
}

/// The address of a contact known only by `lid`; `None` when it isn't a LID (digits only,
/// as WhatsApp writes them, at most 20).
pub fn hidden(lid: &str) -> Option<String> {
    valid_lid(lid).then(|| format!("{LID_PREFIX}{lid}"))
}

pub fn valid_lid(lid: &str) -> bool {
    (1..=20).contains(&lid.len()) && lid.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_a_number_or_a_hidden_one() {
        assert_eq!(
            Address::parse("+573001234567"),
            Address::Phone("+573001234567")
        );
        let hidden = hidden("123456789012345").unwrap();
        assert_eq!(hidden, "lid:123456789012345");
        assert_eq!(
            Address::parse(&hidden),
            Address::Hidden {
                lid: "123456789012345"
            }
        );
        assert_eq!(Address::parse(&hidden).lid(), Some("123456789012345"));
        assert_eq!(Address::parse("+573001234567").lid(), None);
    }

    #[test]
    fn only_digits_make_a_lid() {
        for bad in ["", "12a4", "+123", "lid:1", "123456789012345678901"] {
            assert_eq!(hidden(bad), None, "{bad}");
        }
        assert!(valid_lid("1"));
    }
}
