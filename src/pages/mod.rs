//! One file per page. Each page is a lazy route (`XRoute` beside its component): its code is
//! a part of the bundle the browser fetches when the page is first needed. The seven
//! `impl LazyRoute` blocks are written out rather than made by a `macro_rules!`: Leptos names
//! each lazy part after the place its `#[lazy]` is written, so every expansion of one macro
//! would name the same part.

pub mod audit_log;
pub mod conversation;
pub mod inbox;
pub mod login;
pub mod not_found;
pub mod setup;
pub mod webhooks;
pub mod whatsapp_web;
