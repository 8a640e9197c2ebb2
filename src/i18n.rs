//! The words of the interface, one catalog per language. A catalog is a struct with one
//! field per text, so a text missing in any language fails the build; nothing but the
//! strings themselves reaches the browser (see docs/ARCHITECTURE.md, "Languages").
//!
//! The server picks the page's language per request (`domain::locale::negotiate`) and writes
//! it into `<html lang>`; the browser reads it from there, so both render the same words.

use leptos::prelude::*;

use crate::domain::locale::Locale;

pub struct Texts {
    // The top bar.
    pub menu: &'static str,
    pub main_navigation: &'static str,
    pub inbox: &'static str,
    pub settings: &'static str,
    pub sign_out: &'static str,
    // Sign-in.
    pub sign_in: &'static str,
    pub email: &'static str,
    pub password: &'static str,
}

pub const EN: Texts = Texts {
    menu: "Menu",
    main_navigation: "Main",
    inbox: "Inbox",
    settings: "Settings",
    sign_out: "Sign out",
    sign_in: "Sign in",
    email: "Email",
    password: "Password",
};

pub const ES: Texts = Texts {
    menu: "Menú",
    main_navigation: "Principal",
    inbox: "Bandeja de entrada",
    settings: "Configuración",
    sign_out: "Cerrar sesión",
    sign_in: "Iniciar sesión",
    email: "Correo electrónico",
    password: "Contraseña",
};

pub const PT_BR: Texts = Texts {
    menu: "Menu",
    main_navigation: "Principal",
    inbox: "Caixa de entrada",
    settings: "Configurações",
    sign_out: "Sair",
    sign_in: "Entrar",
    email: "E-mail",
    password: "Senha",
};

pub fn texts(locale: Locale) -> &'static Texts {
    match locale {
        Locale::En => &EN,
        Locale::Es => &ES,
        Locale::PtBr => &PT_BR,
    }
}

/// The page's language, as the server chose it for this request.
#[cfg(feature = "ssr")]
pub fn page_locale() -> Locale {
    let asked = use_context::<http::request::Parts>().and_then(|parts| {
        parts
            .headers
            .get(http::header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_string)
    });
    crate::domain::locale::negotiate(None, asked.as_deref(), None)
}

/// The page's language, as the server wrote it into `<html lang>`.
#[cfg(not(feature = "ssr"))]
pub fn page_locale() -> Locale {
    document()
        .document_element()
        .and_then(|html| html.get_attribute("lang"))
        .and_then(|tag| Locale::parse(&tag))
        .unwrap_or_default()
}

/// The texts of the page's language (provided by `App`).
pub fn use_texts() -> &'static Texts {
    texts(use_context::<Locale>().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_its_own_words() {
        for locale in [Locale::Es, Locale::PtBr] {
            let (ours, english) = (texts(locale), texts(Locale::En));
            assert_ne!(ours.sign_in, english.sign_in, "{locale:?}");
            assert_ne!(ours.inbox, english.inbox, "{locale:?}");
            assert_ne!(ours.password, english.password, "{locale:?}");
        }
    }
}
