//! Who may open which part of the product.

use serde::{Deserialize, Serialize};

/// What the server knows about the signed-in user that matters for access decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roles {
    pub global_admin: bool,
    pub channels_admin: bool,
    pub subscription_active: bool,
}

pub const NEED_CHANNELS_ADMIN: &str = "You need the Channels Admin role to manage channels";
pub const NEED_SUBSCRIPTION: &str = "An active subscription is required to manage channels";

pub const INBOX_NEEDS_SUBSCRIPTION: &str = "An active subscription is required to use the inbox";

/// Where a signed-in user starts: channels admins on the Channels page, everyone else in
/// the inbox.
pub fn home_page(channels_admin: bool) -> &'static str {
    match channels_admin {
        true => crate::paths::CHANNELS,
        false => crate::paths::INBOX,
    }
}

/// Every member of a company with an active subscription may use the inbox; what they
/// see in it is decided per channel (`inbox::may_see`).
pub fn may_use_inbox(roles: Roles) -> Result<(), &'static str> {
    if roles.subscription_active {
        Ok(())
    } else {
        Err(INBOX_NEEDS_SUBSCRIPTION)
    }
}

/// Managing channels needs the Channels Admin role and an active subscription.
/// The role is checked first: a member without it learns nothing about billing.
pub fn may_manage_channels(roles: Roles) -> Result<(), &'static str> {
    if !roles.channels_admin {
        Err(NEED_CHANNELS_ADMIN)
    } else if !roles.subscription_active {
        Err(NEED_SUBSCRIPTION)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_inbox_needs_only_an_active_subscription() {
        let agent = Roles {
            global_admin: false,
            channels_admin: false,
            subscription_active: true,
        };
        assert_eq!(may_use_inbox(agent), Ok(()));
        let lapsed = Roles {
            subscription_active: false,
            ..agent
        };
        assert_eq!(may_use_inbox(lapsed), Err(INBOX_NEEDS_SUBSCRIPTION));
    }

    fn roles(channels_admin: bool, subscription_active: bool) -> Roles {
        Roles {
            global_admin: false,
            channels_admin,
            subscription_active,
        }
    }

    #[test]
    fn channels_admin_with_subscription_may_manage() {
        assert_eq!(may_manage_channels(roles(true, true)), Ok(()));
    }

    #[test]
    fn member_without_role_is_told_about_the_role() {
        assert_eq!(
            may_manage_channels(roles(false, true)),
            Err(NEED_CHANNELS_ADMIN)
        );
        assert_eq!(
            may_manage_channels(roles(false, false)),
            Err(NEED_CHANNELS_ADMIN)
        );
    }

    #[test]
    fn admin_of_lapsed_company_is_told_about_the_subscription() {
        assert_eq!(
            may_manage_channels(roles(true, false)),
            Err(NEED_SUBSCRIPTION)
        );
    }

    #[test]
    fn global_admin_alone_is_not_enough() {
        let r = Roles {
            global_admin: true,
            channels_admin: false,
            subscription_active: true,
        };
        assert_eq!(may_manage_channels(r), Err(NEED_CHANNELS_ADMIN));
    }
}
