//! The app's page addresses, shared by the router, the server's redirects and links.

pub const LOGIN: &str = "/login";
pub const SETUP: &str = "/setup";
pub const CHANNELS: &str = "/settings/company/channels/whatsapp-web";
pub const INBOX: &str = "/inbox";

/// One conversation of the inbox.
pub fn conversation(id: i64) -> String {
    format!("{INBOX}/{id}")
}
