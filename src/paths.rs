//! The app's page addresses, shared by the router, the server's redirects and links.

pub const LOGIN: &str = "/login";
pub const SETUP: &str = "/setup";
pub const CHANNELS: &str = "/settings/company/channels/whatsapp-web";
