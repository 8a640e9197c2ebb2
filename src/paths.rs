//! Every address the app serves, in one place: the router mounts these, the gate classifies
//! them, redirects and links are built from them. Server functions live under [`API`] by
//! their `endpoint` names.

/// Pages.
pub const ROOT: &str = "/";
pub const LOGIN: &str = "/login";
pub const SETUP: &str = "/setup";
/// The settings pages' list (on a phone, their way in).
pub const SETTINGS: &str = "/settings";
pub const CHANNELS: &str = "/settings/company/channels/whatsapp-web";
pub const INBOX: &str = "/inbox";
/// Settings > Company > Audit log (Global Admins).
pub const AUDIT_LOG: &str = "/settings/company/audit-log";
/// Settings > Company > Webhooks (Global Admins).
pub const WEBHOOKS: &str = "/settings/company/webhooks";

/// One conversation of the inbox.
pub fn conversation(id: i64) -> String {
    format!("{INBOX}/{id}")
}

/// Server functions, and the other endpoints under the same prefix.
pub const API: &str = "/api/";
/// The server functions a visitor without a sign-in may call (sign-in, first-run set-up).
pub const API_LOGIN: &str = "/api/login";
pub const API_SETUP: &str = "/api/setup";
/// The Channels pages' live stream (Server-Sent Events).
pub const CHANNEL_EVENTS: &str = "/api/channels/events";
/// The inbox pages' live stream (Server-Sent Events).
pub const INBOX_EVENTS: &str = "/api/inbox/events";
/// A passkey-gated link's hand-off: WhatsApp's request (GET) and the answer (POST), under
/// the attempt's one-time token.
pub const PASSKEY_ROUTE: &str = "/api/passkey/{token}";
/// Where browser extensions may post from (their pages carry their own origin).
pub const PASSKEY_PREFIX: &str = "/api/passkey/";
/// The audit log as CSV, with the page's filters as its query (`channel`, `person`).
pub const AUDIT_CSV: &str = "/api/audit-log.csv";
/// A stored media file of a message, as the router mounts it.
pub const MEDIA_ROUTE: &str = "/api/media/{id}";

/// The link to a stored media file.
pub fn media(id: i64) -> String {
    format!("/api/media/{id}")
}

/// For operators: the process answers; it can serve; its metrics (Prometheus text).
pub const HEALTHZ: &str = "/healthz";
pub const READYZ: &str = "/readyz";
pub const METRICS: &str = "/metrics";

/// The browser bundle and its assets.
pub const PKG: &str = "/pkg/";

/// The WhatsApp simulator (only in simulator mode, and on `aurora wa-sim`).
pub const SIMULATOR: &str = "/simulator";
pub const SIMULATOR_UI: &str = "/simulator/ui";
pub const SIMULATOR_LINKING: &str = "/simulator/api/linking";
pub const SIMULATOR_SCAN: &str = "/simulator/api/scan";
pub const SIMULATOR_PAIR_CODE: &str = "/simulator/api/pair-code";
pub const SIMULATOR_UNLINK: &str = "/simulator/api/phones/{phone}/unlink";
pub const SIMULATOR_MESSAGES: &str = "/simulator/api/phones/{phone}/messages";
pub const SIMULATOR_OUTBOX: &str = "/simulator/api/phones/{phone}/outbox";
pub const SIMULATOR_READ: &str = "/simulator/api/phones/{phone}/read";
pub const SIMULATOR_READ_MARKS: &str = "/simulator/api/phones/{phone}/read-marks";
pub const SIMULATOR_SEND_DELAY: &str = "/simulator/api/phones/{phone}/send-delay";
pub const SIMULATOR_STALL: &str = "/simulator/api/phones/{phone}/stall";
pub const SIMULATOR_CONFIRM_PASSKEY: &str = "/simulator/api/phones/{phone}/confirm-passkey";
pub const SIMULATOR_VERSION: &str = "/simulator/api/version";
pub const SIMULATOR_LID_MAPPINGS: &str = "/simulator/api/phones/{phone}/lid-mappings";
pub const SIMULATOR_PHONE_NETWORK: &str = "/simulator/api/phones/{phone}/network";
pub const SIMULATOR_NETWORK: &str = "/simulator/api/network";
pub const SIMULATOR_CONNECTIONS: &str = "/simulator/api/connections";
/// The simulator's wire, which a server's sessions connect through (`simulator+http://…`).
pub const SIMULATOR_WIRE_ROUTE: &str = "/simulator/wire/{account}";

pub fn simulator_wire(account: i64) -> String {
    format!("/simulator/wire/{account}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_match_the_routes_they_name() {
        assert_eq!(media(7), MEDIA_ROUTE.replace("{id}", "7"));
        assert_eq!(
            simulator_wire(3),
            SIMULATOR_WIRE_ROUTE.replace("{account}", "3")
        );
        assert!(API_LOGIN.starts_with(API) && CHANNEL_EVENTS.starts_with(API));
        assert!(MEDIA_ROUTE.starts_with(API) && INBOX_EVENTS.starts_with(API));
    }
}
