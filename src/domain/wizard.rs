//! The setup wizard's rules: its steps, which field belongs to which step, and the checks
//! the browser can make on its own. The server repeats every check (see services::setup).

use serde::{Deserialize, Serialize};

use super::account::AccountStatus;
use super::identity::NameProblem;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WizardStep {
    PhoneNumber,
    Name,
    CellphoneUser,
    AssignNewContacts,
    RestrictedAccess,
}

impl WizardStep {
    pub const ALL: [WizardStep; 5] = [
        WizardStep::PhoneNumber,
        WizardStep::Name,
        WizardStep::CellphoneUser,
        WizardStep::AssignNewContacts,
        WizardStep::RestrictedAccess,
    ];

    /// 1 to 5, as the step indicator shows it.
    pub fn number(self) -> usize {
        Self::ALL.iter().position(|s| *s == self).unwrap_or(0) + 1
    }

    pub fn next(self) -> Option<WizardStep> {
        Self::ALL.get(self.number()).copied()
    }

    pub fn previous(self) -> Option<WizardStep> {
        self.number().checked_sub(2).map(|i| Self::ALL[i])
    }

    pub fn is_last(self) -> bool {
        self.next().is_none()
    }
}

/// What the wizard's final button does; it depends on the account's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SetupAction {
    /// A Connected account: store the settings.
    Save,
    /// A Disconnected account: store the settings, then show a QR code to link it.
    Connect,
}

impl SetupAction {
    pub fn for_status(status: AccountStatus) -> Option<SetupAction> {
        match status {
            AccountStatus::Connected => Some(SetupAction::Save),
            AccountStatus::Disconnected => Some(SetupAction::Connect),
            _ => None,
        }
    }

    pub fn required_status(self) -> AccountStatus {
        match self {
            SetupAction::Save => AccountStatus::Connected,
            SetupAction::Connect => AccountStatus::Disconnected,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SetupField {
    Phone,
    Name,
    CellphoneUser,
    Funnel,
    Owner,
    RestrictedUsers,
    /// The whole form: a concurrent edit, or an account no longer in the right status.
    Form,
}

impl SetupField {
    /// The step that shows this field's error; `None` for form-wide errors.
    pub fn step(self) -> Option<WizardStep> {
        match self {
            SetupField::Phone => Some(WizardStep::PhoneNumber),
            SetupField::Name => Some(WizardStep::Name),
            SetupField::CellphoneUser => Some(WizardStep::CellphoneUser),
            SetupField::Funnel | SetupField::Owner => Some(WizardStep::AssignNewContacts),
            SetupField::RestrictedUsers => Some(WizardStep::RestrictedAccess),
            SetupField::Form => None,
        }
    }
}

/// Why the server refused a field; the page words it in its language, `message` keeps
/// the English for API clients and logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SetupProblem {
    InvalidPhone,
    PhoneUsedBy(String),
    Name(NameProblem),
    CellphoneUserRequired,
    NotTeamMember,
    FunnelRequired,
    UnknownFunnel,
    OwnerNotInFunnel(String),
    RestrictedNotTeam,
    Stale,
    /// The account moved on (e.g. was disabled) while the wizard was open.
    NotNow(AccountStatus),
}

impl SetupProblem {
    pub fn english(&self) -> String {
        match self {
            SetupProblem::InvalidPhone => INVALID_PHONE.into(),
            SetupProblem::PhoneUsedBy(other) => duplicate_phone_warning(other),
            SetupProblem::Name(problem) => problem.english("Name"),
            SetupProblem::CellphoneUserRequired => CELLPHONE_USER_REQUIRED.into(),
            SetupProblem::NotTeamMember => "Choose a member of your team".into(),
            SetupProblem::FunnelRequired => FUNNEL_REQUIRED.into(),
            SetupProblem::UnknownFunnel => "Choose one of your company's funnels".into(),
            SetupProblem::OwnerNotInFunnel(funnel) => {
                format!("The owner must be a member of the funnel {funnel}")
            }
            SetupProblem::RestrictedNotTeam => "Choose members of your team only".into(),
            SetupProblem::Stale => STALE_VERSION.into(),
            SetupProblem::NotNow(status) => {
                format!("This account is now {}; reload", status.label())
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: SetupField,
    pub problem: SetupProblem,
    pub message: String,
}

impl FieldError {
    pub fn new(field: SetupField, problem: SetupProblem) -> Self {
        FieldError {
            field,
            message: problem.english(),
            problem,
        }
    }
}

/// The step to show after the server refused: the earliest one with an error.
pub fn first_step_with_error(errors: &[FieldError]) -> Option<WizardStep> {
    errors
        .iter()
        .filter_map(|e| e.field.step())
        .min_by_key(|s| s.number())
}

pub const INVALID_PHONE: &str = "Enter a valid phone number";
pub const STALE_VERSION: &str = "This account was changed by someone else; reload";
pub const CELLPHONE_USER_REQUIRED: &str = "Choose the team member whose phone is linked";
pub const FUNNEL_REQUIRED: &str = "Choose a funnel";

/// Where the wizard opens: at the first step still missing something the account needs,
/// so "Finish setup" and Connect ask only what is missing; at the start when nothing is.
pub fn first_missing_step(
    phone: bool,
    name: bool,
    cellphone_user: bool,
    funnel: bool,
) -> WizardStep {
    [
        (phone, WizardStep::PhoneNumber),
        (name, WizardStep::Name),
        (cellphone_user, WizardStep::CellphoneUser),
        (funnel, WizardStep::AssignNewContacts),
    ]
    .into_iter()
    .find(|(present, _)| !present)
    .map_or(WizardStep::PhoneNumber, |(_, step)| step)
}

pub fn duplicate_phone_warning(account_name: &str) -> String {
    format!("This number is already used by {account_name}")
}

/// The owner to keep after the funnel changes: only a member of the new funnel stays.
pub fn owner_after_funnel_change(owner: Option<i64>, funnel_members: &[i64]) -> Option<i64> {
    owner.filter(|o| funnel_members.contains(o))
}

/// Who may see an account's conversations, as stored: nobody listed (everyone may) when
/// nothing was chosen; otherwise the chosen users plus the owner and the cellphone user,
/// who always may (new chats are assigned to the owner, the phone is theirs). Sorted.
pub fn visible_to(chosen: &[i64], owner: Option<i64>, cellphone_user: Option<i64>) -> Vec<i64> {
    if chosen.is_empty() {
        return Vec::new();
    }
    let mut users: Vec<i64> = chosen
        .iter()
        .copied()
        .chain(owner)
        .chain(cellphone_user)
        .collect();
    users.sort_unstable();
    users.dedup();
    users
}

/// Whether step 5 shows `user` ticked and locked: someone else is chosen, so the list is
/// in force, and `user` is one of those who always see the chats.
pub fn always_visible(user: i64, chosen: &[i64], always: &[Option<i64>]) -> bool {
    let is_always = |u: i64| always.contains(&Some(u));
    is_always(user) && chosen.iter().any(|u| !is_always(*u))
}

/// A country in the phone number selector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Country {
    /// ISO 3166-1 alpha-2, e.g. "MX".
    pub iso: String,
    pub name: String,
    pub calling_code: u16,
}

impl Country {
    pub fn label(&self) -> String {
        format!("{} (+{})", self.name, self.calling_code)
    }
}

/// Listed first, in this order; then every other country alphabetically.
pub const PREFERRED_COUNTRIES: [&str; 4] = ["MX", "CO", "AR", "CL"];

pub fn order_countries(mut countries: Vec<Country>) -> Vec<Country> {
    countries.sort_by_cached_key(|c| {
        let preferred = PREFERRED_COUNTRIES
            .iter()
            .position(|p| *p == c.iso)
            .unwrap_or(PREFERRED_COUNTRIES.len());
        (preferred, fold(&c.name))
    });
    countries
}

/// Lower case without accents, so "cote" finds "Côte d’Ivoire" and "peru" finds "Perú".
fn fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            '’' => '\'',
            other => other,
        })
        .collect()
}

/// Whether a country matches what was typed in the selector: part of its name, its ISO
/// code, or the start of its calling code ("57", "+57").
pub fn country_matches(country: &Country, query: &str) -> bool {
    let query = fold(query.trim());
    if query.is_empty() {
        return true;
    }
    let digits = query.strip_prefix('+').unwrap_or(&query);
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        return country.calling_code.to_string().starts_with(digits);
    }
    fold(&country.name).contains(&query) || country.iso.eq_ignore_ascii_case(&query)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_owner_and_the_cellphone_user_always_see_a_restricted_channel() {
        assert_eq!(
            visible_to(&[], Some(1), Some(2)),
            Vec::<i64>::new(),
            "everyone"
        );
        assert_eq!(visible_to(&[5, 3], Some(1), Some(2)), vec![1, 2, 3, 5]);
        assert_eq!(visible_to(&[1, 1], Some(1), None), vec![1]);
        let always = [Some(1), Some(2)];
        assert!(!always_visible(1, &[], &always), "no list: nothing locked");
        assert!(
            !always_visible(1, &[1], &always),
            "only them: still editable"
        );
        assert!(always_visible(1, &[3], &always));
        assert!(!always_visible(3, &[3], &always));
    }

    fn country(iso: &str, name: &str, code: u16) -> Country {
        Country {
            iso: iso.into(),
            name: name.into(),
            calling_code: code,
        }
    }

    #[test]
    fn steps_run_one_to_five_and_back() {
        let numbers: Vec<usize> = WizardStep::ALL.iter().map(|s| s.number()).collect();
        assert_eq!(numbers, vec![1, 2, 3, 4, 5]);
        assert_eq!(WizardStep::PhoneNumber.previous(), None);
        assert_eq!(WizardStep::PhoneNumber.next(), Some(WizardStep::Name));
        assert_eq!(
            WizardStep::RestrictedAccess.previous(),
            Some(WizardStep::AssignNewContacts)
        );
        assert!(WizardStep::RestrictedAccess.is_last());
        assert!(!WizardStep::AssignNewContacts.is_last());
    }

    #[test]
    fn the_final_button_follows_the_status() {
        assert_eq!(
            SetupAction::for_status(AccountStatus::Connected),
            Some(SetupAction::Save)
        );
        assert_eq!(
            SetupAction::for_status(AccountStatus::Disconnected),
            Some(SetupAction::Connect)
        );
        for status in [
            AccountStatus::Connecting,
            AccountStatus::Disabled,
            AccountStatus::Deleting,
        ] {
            assert_eq!(SetupAction::for_status(status), None, "{status:?}");
        }
        assert_eq!(
            SetupAction::Connect.required_status(),
            AccountStatus::Disconnected
        );
    }

    #[test]
    fn errors_lead_to_the_earliest_step_that_has_one() {
        let errors = vec![
            FieldError::new(SetupField::Owner, SetupProblem::NotTeamMember),
            FieldError::new(SetupField::Form, SetupProblem::Stale),
            FieldError::new(SetupField::Name, SetupProblem::Name(NameProblem::Required)),
        ];
        assert_eq!(first_step_with_error(&errors), Some(WizardStep::Name));
        assert_eq!(
            first_step_with_error(&[FieldError::new(SetupField::Form, SetupProblem::Stale)]),
            None
        );
    }

    #[test]
    fn an_owner_outside_the_new_funnel_is_cleared() {
        assert_eq!(owner_after_funnel_change(Some(3), &[1, 3]), Some(3));
        assert_eq!(owner_after_funnel_change(Some(2), &[1, 3]), None);
        assert_eq!(owner_after_funnel_change(None, &[1]), None);
    }

    #[test]
    fn preferred_countries_come_first_then_the_alphabet() {
        let ordered = order_countries(vec![
            country("BR", "Brazil", 55),
            country("CL", "Chile", 56),
            country("AX", "Åland Islands", 358),
            country("MX", "Mexico", 52),
            country("AR", "Argentina", 54),
            country("AF", "Afghanistan", 93),
            country("CO", "Colombia", 57),
        ]);
        let isos: Vec<&str> = ordered.iter().map(|c| c.iso.as_str()).collect();
        assert_eq!(isos, vec!["MX", "CO", "AR", "CL", "AF", "AX", "BR"]);
    }

    #[test]
    fn countries_are_found_by_name_code_or_calling_code() {
        let colombia = country("CO", "Colombia", 57);
        let ivory = country("CI", "Côte d’Ivoire", 225);
        assert!(country_matches(&colombia, "colom"));
        assert!(country_matches(&colombia, "  LOMBIA "));
        assert!(country_matches(&colombia, "57"));
        assert!(country_matches(&colombia, "+5"));
        assert!(country_matches(&colombia, "co"));
        assert!(country_matches(&colombia, ""));
        assert!(!country_matches(&colombia, "52"));
        assert!(!country_matches(&colombia, "mexico"));
        assert!(country_matches(&ivory, "cote d'i"));
        assert!(country_matches(&ivory, "225"));
        assert_eq!(colombia.label(), "Colombia (+57)");
    }

    #[test]
    fn the_wizard_opens_at_the_first_missing_step() {
        assert_eq!(
            first_missing_step(true, true, false, false),
            WizardStep::CellphoneUser
        );
        assert_eq!(
            first_missing_step(false, true, true, true),
            WizardStep::PhoneNumber
        );
        assert_eq!(
            first_missing_step(true, false, true, false),
            WizardStep::Name
        );
        assert_eq!(
            first_missing_step(true, true, true, false),
            WizardStep::AssignNewContacts
        );
        assert_eq!(
            first_missing_step(true, true, true, true),
            WizardStep::PhoneNumber,
            "all there: from the start"
        );
    }
}
