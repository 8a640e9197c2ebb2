//! What the setup wizard shows and sends: its choices, the live phone check, the form as a
//! whole and the outcome of saving it.

use crate::domain::wizard::{Country, FieldError, SetupAction};
use crate::views::channels::AccountView;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunnelChoice {
    pub id: i64,
    pub name: String,
    pub member_ids: Vec<i64>,
}

fn on() -> bool {
    true
}

/// Everything the wizard collects.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupForm {
    /// ISO 3166-1 alpha-2 code of the selected country.
    pub country: String,
    pub national_number: String,
    pub name: String,
    pub cellphone_user_id: Option<i64>,
    pub funnel_id: Option<i64>,
    pub owner_user_id: Option<i64>,
    pub restricted_user_ids: Vec<i64>,
    /// Customers are told when an agent has read them (blue ticks on their phone); on
    /// unless the form says otherwise.
    #[serde(default = "on")]
    pub send_read_receipts: bool,
    /// The chats WhatsApp sends when the number is linked are imported (recent days only).
    #[serde(default = "on")]
    pub import_history: bool,
    /// The user confirmed using a number another account of the company already has.
    pub duplicate_acknowledged: bool,
}

/// The wizard's starting point: the account's settings and the choices it may make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupOptions {
    pub account_id: i64,
    /// The account's version when the wizard opened; saving on an older one is refused.
    pub version: i64,
    pub action: SetupAction,
    /// A Connected account's number, international format: it is the linked phone's, so
    /// the wizard shows it without letting it be changed (and the server keeps it).
    pub linked_phone: Option<String>,
    pub form: SetupForm,
    pub countries: Vec<Country>,
    pub users: Vec<Choice>,
    pub funnels: Vec<FunnelChoice>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PhoneCheck {
    Valid {
        e164: String,
        international: String,
        /// The number's own country, when it differs from the selected one.
        country: Option<String>,
        /// Another account of the company with this number.
        used_by: Option<String>,
    },
    Invalid {
        message: String,
    },
}

// Built, sent and dropped at once: boxing the card would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SetupOutcome {
    Saved(AccountView),
    /// Nothing was stored; each error names the field (and so the step) it belongs to.
    Rejected(Vec<FieldError>),
}
