//! The words of the interface, one catalog per language. A catalog is a struct with one
//! field per text, so a text missing in any language fails the build; nothing but the
//! strings themselves reaches the browser (see docs/ARCHITECTURE.md, "Languages").
//!
//! The server picks the page's language per request (`domain::locale::negotiate`) and writes
//! it into `<html lang>`; the browser reads it from there, so both render the same words.

pub mod activity;
pub mod channels;
pub mod inbox;
#[cfg(feature = "ssr")]
pub mod refusals;
pub mod setup;
pub mod webhooks;

use leptos::prelude::*;

use crate::domain::locale::Locale;
use crate::domain::time::{Ago, DayName};
use crate::error::AppError;

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
    // Settings navigation.
    pub company: &'static str,
    pub channels_section: &'static str,
    pub channel_types: &'static str,
    pub breadcrumb: &'static str,
    pub settings_hint: &'static str,
    pub audit_log: &'static str,
    pub audit_hint: &'static str,
    pub webhooks_hint: &'static str,
    // The first run (`/setup`) and a missing page.
    pub first_run: [&'static str; 11],
    pub at_least_chars: fn(usize) -> String,
    pub not_found: [&'static str; 3],
    /// The server's answers that carry no words of their own: sign in first, not found,
    /// our fault, and unreachable (`AppError`'s fixed kinds; the others are worded by the
    /// server in the person's language).
    pub errors: [&'static str; 4],
    // Everywhere.
    pub loading: &'static str,
    pub ago: fn(Ago) -> String,
    pub today: &'static str,
    pub yesterday: &'static str,
    pub channels: &'static channels::ChannelTexts,
    pub setup: &'static setup::SetupTexts,
    pub inbox_texts: &'static inbox::InboxTexts,
}

impl Texts {
    pub fn day(&self, day: DayName) -> &'static str {
        match day {
            DayName::Today => self.today,
            DayName::Yesterday => self.yesterday,
        }
    }
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
    company: "Company",
    channels_section: "Channels",
    channel_types: "Channel types",
    breadcrumb: "Breadcrumb",
    settings_hint: "Link WhatsApp numbers, choose who answers them and who sees their chats.",
    audit_log: "Audit log",
    audit_hint: "Who did what to which channel, when and from where.",
    webhooks_hint: "Send channel and message events to your own systems, signed.",
    first_run: [
        "Set up Aurora",
        "Set up your company",
        "You will be its first administrator. You can add people and team inboxes later.",
        "Set-up code",
        "The server printed it in its log when it started.",
        "Company name",
        "Channel limit",
        "Your name",
        "Email",
        "Password",
        "Create company",
    ],
    at_least_chars: |n| format!("At least {n} characters."),
    not_found: ["Not found", "Page not found", "Go to Channels"],
    errors: [
        "Please sign in to continue",
        "Not found",
        "Something went wrong on our side. Please try again.",
        "Could not reach the server",
    ],
    loading: "Loading…",
    ago: |ago| match ago {
        Ago::JustNow => "just now".into(),
        Ago::Minutes(n) => format!("{n} min ago"),
        Ago::Hours(n) => format!("{n} h ago"),
    },
    today: "Today",
    yesterday: "Yesterday",
    channels: &channels::EN,
    setup: &setup::EN,
    inbox_texts: &inbox::EN,
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
    company: "Empresa",
    channels_section: "Canales",
    channel_types: "Tipos de canal",
    breadcrumb: "Ruta de navegación",
    settings_hint: "Vincula números de WhatsApp y elige quién los atiende y quién ve sus chats.",
    audit_log: "Registro de auditoría",
    audit_hint: "Quién hizo qué en cada canal, cuándo y desde dónde.",
    webhooks_hint: "Envía eventos de canales y mensajes a tus propios sistemas, firmados.",
    first_run: [
        "Configurar Aurora",
        "Configura tu empresa",
        "Serás su primer administrador. Puedes agregar personas y bandejas del equipo más tarde.",
        "Código de configuración",
        "El servidor lo escribió en su registro al arrancar.",
        "Nombre de la empresa",
        "Límite de canales",
        "Tu nombre",
        "Correo electrónico",
        "Contraseña",
        "Crear empresa",
    ],
    at_least_chars: |n| format!("Al menos {n} caracteres."),
    not_found: ["No encontrada", "Página no encontrada", "Ir a Canales"],
    errors: [
        "Inicia sesión para continuar",
        "No encontrado",
        "Algo salió mal de nuestro lado. Inténtalo de nuevo.",
        "No se pudo conectar con el servidor",
    ],
    loading: "Cargando…",
    ago: |ago| match ago {
        Ago::JustNow => "justo ahora".into(),
        Ago::Minutes(n) => format!("hace {n} min"),
        Ago::Hours(n) => format!("hace {n} h"),
    },
    today: "Hoy",
    yesterday: "Ayer",
    channels: &channels::ES,
    setup: &setup::ES,
    inbox_texts: &inbox::ES,
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
    company: "Empresa",
    channels_section: "Canais",
    channel_types: "Tipos de canal",
    breadcrumb: "Trilha de navegação",
    settings_hint: "Conecte números de WhatsApp e escolha quem os atende e quem vê as conversas.",
    audit_log: "Registro de auditoria",
    audit_hint: "Quem fez o quê em cada canal, quando e de onde.",
    webhooks_hint: "Envie eventos de canais e mensagens para os seus próprios sistemas, assinados.",
    first_run: [
        "Configurar o Aurora",
        "Configure sua empresa",
        "Você será o primeiro administrador. Pode adicionar pessoas e caixas da equipe depois.",
        "Código de configuração",
        "O servidor o escreveu no log ao iniciar.",
        "Nome da empresa",
        "Limite de canais",
        "Seu nome",
        "E-mail",
        "Senha",
        "Criar empresa",
    ],
    at_least_chars: |n| format!("Pelo menos {n} caracteres."),
    not_found: ["Não encontrada", "Página não encontrada", "Ir para Canais"],
    errors: [
        "Entre para continuar",
        "Não encontrado",
        "Algo deu errado do nosso lado. Tente novamente.",
        "Não foi possível conectar ao servidor",
    ],
    loading: "Carregando…",
    ago: |ago| match ago {
        Ago::JustNow => "agora mesmo".into(),
        Ago::Minutes(n) => format!("há {n} min"),
        Ago::Hours(n) => format!("há {n} h"),
    },
    today: "Hoje",
    yesterday: "Ontem",
    channels: &channels::PT_BR,
    setup: &setup::PT_BR,
    inbox_texts: &inbox::PT_BR,
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

/// What an error says to the person reading the page, in the page's language.
pub fn error_text(error: &AppError) -> String {
    let words = texts(page_locale()).errors;
    match error {
        AppError::Unauthenticated => words[0].to_string(),
        AppError::NotFound => words[1].to_string(),
        AppError::Internal => words[2].to_string(),
        AppError::Transport(detail) => format!("{} ({detail})", words[3]),
        // Worded by the server in the person's language.
        AppError::Forbidden(text)
        | AppError::Invalid(text)
        | AppError::Conflict(text)
        | AppError::RateLimited(text) => text.clone(),
    }
}

/// The page's language, changeable while it is open (provided by `App`).
#[derive(Debug, Clone, Copy)]
pub struct PageLocale(pub RwSignal<Locale>);

pub fn provide_page_locale() {
    provide_context(PageLocale(RwSignal::new(page_locale())));
}

/// The page's language, read where it matters so a change of language redraws it.
pub fn use_locale() -> impl Fn() -> Locale + Copy + Send + Sync + 'static {
    let locale = use_context::<PageLocale>().map(|l| l.0);
    move || locale.map(|l| l.get()).unwrap_or_default()
}

/// The texts of the page's language, read where they are shown so a change of language
/// redraws them without a reload.
pub fn use_texts() -> impl Fn() -> &'static Texts + Copy + Send + Sync + 'static {
    let locale = use_locale();
    move || texts(locale())
}

/// One text of the page's language (`word(|t| t.channels.add)`), as a view or an attribute
/// that a change of language redraws.
pub fn word(
    pick: fn(&'static Texts) -> &'static str,
) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let words = use_texts();
    move || pick(words())
}

/// The language tag the browser's `Intl` formats dates with: day first in English too,
/// as the product always showed them.
pub fn date_tag(locale: Locale) -> &'static str {
    match locale {
        Locale::En => "en-GB",
        other => other.tag(),
    }
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
