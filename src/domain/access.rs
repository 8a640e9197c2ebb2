//! Who may open which part of the product.

use serde::{Deserialize, Serialize};

/// What the server knows about the signed-in user that matters for access decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roles {
    pub global_admin: bool,
    pub channels_admin: bool,
    pub subscription_active: bool,
}

/// Why someone may not open a part of the product (the server words it for them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    NeedChannelsAdmin,
    NeedGlobalAdmin,
    WebhooksNeedGlobalAdmin,
    NeedSubscription,
    InboxNeedsSubscription,
}

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
pub fn may_use_inbox(roles: Roles) -> Result<(), Denied> {
    if roles.subscription_active {
        Ok(())
    } else {
        Err(Denied::InboxNeedsSubscription)
    }
}

/// Managing channels needs the Channels Admin role and an active subscription.
/// The role is checked first: a member without it learns nothing about billing.
pub fn may_manage_channels(roles: Roles) -> Result<(), Denied> {
    if !roles.channels_admin {
        Err(Denied::NeedChannelsAdmin)
    } else if !roles.subscription_active {
        Err(Denied::NeedSubscription)
    } else {
        Ok(())
    }
}

/// The company's audit log is for Global Admins only; reading it needs no subscription
/// (an admin of a lapsed company still learns who did what).
pub fn may_read_audit_log(roles: Roles) -> Result<(), Denied> {
    if roles.global_admin {
        Ok(())
    } else {
        Err(Denied::NeedGlobalAdmin)
    }
}

/// A company's webhooks send its data elsewhere: Global Admins only set them up. No
/// subscription is needed to see or remove them (a lapsed company may still stop them).
pub fn may_manage_webhooks(roles: Roles) -> Result<(), Denied> {
    if roles.global_admin {
        Ok(())
    } else {
        Err(Denied::WebhooksNeedGlobalAdmin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_global_admins_read_the_audit_log() {
        let channels_admin = roles(true, true);
        assert_eq!(
            may_read_audit_log(channels_admin),
            Err(Denied::NeedGlobalAdmin)
        );
        let lapsed_global = Roles {
            global_admin: true,
            ..roles(false, false)
        };
        assert_eq!(may_read_audit_log(lapsed_global), Ok(()));
    }

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
        assert_eq!(may_use_inbox(lapsed), Err(Denied::InboxNeedsSubscription));
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
            Err(Denied::NeedChannelsAdmin)
        );
        assert_eq!(
            may_manage_channels(roles(false, false)),
            Err(Denied::NeedChannelsAdmin)
        );
    }

    #[test]
    fn admin_of_lapsed_company_is_told_about_the_subscription() {
        assert_eq!(
            may_manage_channels(roles(true, false)),
            Err(Denied::NeedSubscription)
        );
    }

    #[test]
    fn global_admin_alone_is_not_enough() {
        let r = Roles {
            global_admin: true,
            channels_admin: false,
            subscription_active: true,
        };
        assert_eq!(may_manage_channels(r), Err(Denied::NeedChannelsAdmin));
    }
}
