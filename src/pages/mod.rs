pub mod conversation;
pub mod inbox;
pub mod login;
pub mod not_found;
pub mod setup;
pub mod whatsapp_web;
