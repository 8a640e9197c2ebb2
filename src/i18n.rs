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
    pub language: &'static str,
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
    language: "Language",
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
    language: "Idioma",
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
    language: "Idioma",
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

/// The page's language, as the server chose it for this request: the signed-in person's
/// own, else their browser's, else their company's, else English.
#[cfg(feature = "ssr")]
pub fn page_locale() -> Locale {
    use crate::server::web::gate::SignInContext;

    let parts = use_context::<http::request::Parts>();
    let header = parts.as_ref().and_then(|parts| {
        let value = parts.headers.get(http::header::ACCEPT_LANGUAGE)?;
        value.to_str().ok().map(str::to_string)
    });
    let user = parts
        .as_ref()
        .and_then(|parts| parts.extensions.get::<SignInContext>())
        .and_then(|sign_in| sign_in.user.clone());
    let chosen = |tag: Option<&String>| tag.and_then(|t| Locale::parse(t));
    crate::domain::locale::negotiate(
        chosen(user.as_ref().and_then(|u| u.language.as_ref())),
        header.as_deref(),
        chosen(user.as_ref().and_then(|u| u.company_language.as_ref())),
    )
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

/// The page's language, changeable while it is open (provided by `App`).
#[derive(Debug, Clone, Copy)]
pub struct PageLocale(pub RwSignal<Locale>);

pub fn provide_page_locale() {
    provide_context(PageLocale(RwSignal::new(page_locale())));
}

/// The texts of the page's language, read where they are shown so a change of language
/// redraws them without a reload.
pub fn use_texts() -> impl Fn() -> &'static Texts + Copy + Send + Sync + 'static {
    let locale = use_context::<PageLocale>().map(|l| l.0);
    move || texts(locale.map(|l| l.get()).unwrap_or_default())
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
