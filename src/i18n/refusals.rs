//! The server's refusals (`AppError` messages), worded in the language of the person the
//! server is answering. They are worded on the server, so the browser never downloads
//! them: a server function runs inside [`in_locale`] with the request's language, and a
//! refusal made there takes that language. Anywhere else (the command line, background
//! work, tests that call services directly) it is English.

use std::future::Future;

use crate::domain::access::Denied;
use crate::domain::account::{AccountStatus, Refused};
use crate::domain::identity::{
    NameProblem, MAX_CHANNEL_LIMIT, MAX_NAME_CHARS, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS,
};
use crate::domain::inbox::TextProblem;
use crate::domain::locale::Locale;
use crate::domain::webhooks::EndpointProblem;
use crate::error::AppError;

tokio::task_local! {
    static LOCALE: Locale;
}

/// Runs `work` with refusals worded in `locale`.
pub async fn in_locale<F: Future>(locale: Locale, work: F) -> F::Output {
    LOCALE.scope(locale, work).await
}

/// The language refusals are worded in here.
pub fn current_locale() -> Locale {
    LOCALE.try_with(|locale| *locale).unwrap_or_default()
}

/// Something the server will not do, and why; see [`Refusal::words`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    // Who may do what (403).
    Denied(Denied),
    OnlyGlobalAdminsDelete,
    // Signing in, and the first-run form (422).
    InvalidCredentials,
    WrongSetupCode,
    ChannelLimitRange,
    CompanyName(NameProblem),
    PersonName(NameProblem),
    BadEmail,
    PasswordTooShort,
    PasswordTooLong,
    TooManyAttempts {
        retry_after_ms: i64,
    },
    // Channels (409 unless said).
    Restarting,
    ChannelLimitReached,
    ChannelLimit {
        used: i64,
        limit: i64,
    },
    NotConnected,
    MaybeSent,
    NotNow(Refused),
    NumberAlreadyMatches,
    NotWaitingToReconnect,
    DetailsWhileConnected,
    DeleteOnlyDisabled(AccountStatus),
    /// 422: the Delete dialog's typed name does not match.
    TypeNameToConfirm(String),
    CantSetUpWhile(AccountStatus),
    // The inbox (422 for input, 409 for state).
    Text(TextProblem),
    BadPageLink,
    BadWhose,
    OwnerNotInFunnel,
    NotWaitingForRetry,
    SendAgainQuestion,
    AlreadyGoneOut,
    ReplyBlocked(AccountStatus),
    // Webhooks (422; 409 for too many).
    Endpoint(EndpointProblem),
}

/// `en`, `es` or `pt` as `locale` reads; every refusal names all three, so a language
/// missing anywhere fails the build.
fn pick(locale: Locale, en: &str, es: &str, pt: &str) -> String {
    match locale {
        Locale::En => en,
        Locale::Es => es,
        Locale::PtBr => pt,
    }
    .to_string()
}

fn status_word(locale: Locale, status: AccountStatus) -> &'static str {
    crate::i18n::texts(locale).channels.status(status)
}

impl Refusal {
    pub fn words(&self, locale: Locale) -> String {
        use Refusal as R;
        let l = locale;
        match self {
            R::Denied(Denied::NeedChannelsAdmin) => pick(
                l,
                "You need the Channels Admin role to manage channels",
                "Necesitas el rol de administrador de canales para gestionar canales",
                "Você precisa da função de administrador de canais para gerenciar canais",
            ),
            R::Denied(Denied::NeedGlobalAdmin) => pick(
                l,
                "Only global admins can read the audit log",
                "Solo los administradores globales pueden ver el registro de auditoría",
                "Somente administradores globais podem ver o registro de auditoria",
            ),
            R::Denied(Denied::WebhooksNeedGlobalAdmin) => pick(
                l,
                "Only global admins can manage webhooks",
                "Solo los administradores globales pueden gestionar webhooks",
                "Somente administradores globais podem gerenciar webhooks",
            ),
            R::Endpoint(problem) => webhooks::endpoint_problem(l, problem),
            R::Denied(Denied::NeedSubscription) => pick(
                l,
                "An active subscription is required to manage channels",
                "Se necesita una suscripción activa para gestionar canales",
                "É necessária uma assinatura ativa para gerenciar canais",
            ),
            R::Denied(Denied::InboxNeedsSubscription) => pick(
                l,
                "An active subscription is required to use the inbox",
                "Se necesita una suscripción activa para usar la bandeja de entrada",
                "É necessária uma assinatura ativa para usar a caixa de entrada",
            ),
            R::OnlyGlobalAdminsDelete => pick(
                l,
                "Only global admins can delete channels",
                "Solo los administradores globales pueden eliminar canales",
                "Somente administradores globais podem excluir canais",
            ),
            R::InvalidCredentials => pick(
                l,
                "Invalid email or password",
                "Correo electrónico o contraseña incorrectos",
                "E-mail ou senha inválidos",
            ),
            R::WrongSetupCode => pick(
                l,
                "That set-up code is not right: the server printed it in its log when it started",
                "Ese código de configuración no es correcto: el servidor lo escribió en su registro al iniciarse",
                "Esse código de configuração não está correto: o servidor o escreveu no log ao iniciar",
            ),
            R::ChannelLimitRange => match l {
                Locale::En => format!(
                    "Channel limit must be a whole number from 0 to {MAX_CHANNEL_LIMIT}"
                ),
                Locale::Es => format!(
                    "El límite de canales debe ser un número entero de 0 a {MAX_CHANNEL_LIMIT}"
                ),
                Locale::PtBr => format!(
                    "O limite de canais deve ser um número inteiro de 0 a {MAX_CHANNEL_LIMIT}"
                ),
            },
            R::CompanyName(problem) => name_problem(l, *problem, ["Company name", "El nombre de la empresa", "O nome da empresa"]),
            R::PersonName(problem) => name_problem(l, *problem, ["Name", "El nombre", "O nome"]),
            R::BadEmail => pick(
                l,
                "Enter a valid email address",
                "Escribe un correo electrónico válido",
                "Digite um e-mail válido",
            ),
            R::PasswordTooShort => match l {
                Locale::En => format!("Password must be at least {MIN_PASSWORD_CHARS} characters"),
                Locale::Es => format!("La contraseña debe tener al menos {MIN_PASSWORD_CHARS} caracteres"),
                Locale::PtBr => format!("A senha deve ter pelo menos {MIN_PASSWORD_CHARS} caracteres"),
            },
            R::PasswordTooLong => match l {
                Locale::En => format!("Password must be at most {MAX_PASSWORD_CHARS} characters"),
                Locale::Es => format!("La contraseña puede tener como máximo {MAX_PASSWORD_CHARS} caracteres"),
                Locale::PtBr => format!("A senha pode ter no máximo {MAX_PASSWORD_CHARS} caracteres"),
            },
            R::TooManyAttempts { retry_after_ms } => {
                // Rounded up, at least one minute.
                let minutes = ((*retry_after_ms).max(1) + 59_999) / 60_000;
                let one = minutes == 1;
                match l {
                    Locale::En => format!(
                        "Too many sign-in attempts. Try again in {minutes} {}.",
                        if one { "minute" } else { "minutes" }
                    ),
                    Locale::Es => format!(
                        "Demasiados intentos de inicio de sesión. Inténtalo de nuevo en {minutes} {}.",
                        if one { "minuto" } else { "minutos" }
                    ),
                    Locale::PtBr => format!(
                        "Muitas tentativas de entrar. Tente novamente em {minutes} {}.",
                        if one { "minuto" } else { "minutos" }
                    ),
                }
            }
            R::Restarting => pick(
                l,
                "The server is restarting. Try again in a moment.",
                "El servidor se está reiniciando. Inténtalo de nuevo en un momento.",
                "O servidor está reiniciando. Tente novamente em instantes.",
            ),
            R::ChannelLimitReached => pick(
                l,
                "Channel limit reached",
                "Se alcanzó el límite de canales",
                "Limite de canais atingido",
            ),
            R::ChannelLimit { used, limit } => match l {
                Locale::En => format!("Channel limit reached ({used} of {limit})"),
                Locale::Es => format!("Se alcanzó el límite de canales ({used} de {limit})"),
                Locale::PtBr => format!("Limite de canais atingido ({used} de {limit})"),
            },
            R::NotConnected => pick(
                l,
                "This channel is not connected to WhatsApp right now",
                "Este canal no está conectado a WhatsApp en este momento",
                "Este canal não está conectado ao WhatsApp agora",
            ),
            R::MaybeSent => pick(
                l,
                "WhatsApp did not confirm the message in time; it may have gone out",
                "WhatsApp no confirmó el mensaje a tiempo; es posible que se haya enviado",
                "O WhatsApp não confirmou a mensagem a tempo; ela pode ter sido enviada",
            ),
            R::NotNow(refused) => match AccountStatus::parse(refused.status) {
                Some(status) if l != Locale::En => {
                    let word = status_word(l, status);
                    match l {
                        Locale::Es => format!("No es posible mientras la cuenta está {word}"),
                        _ => format!("Não é possível enquanto a conta está {word}"),
                    }
                }
                _ => refused.to_string(),
            },
            R::NumberAlreadyMatches => pick(
                l,
                "This account's number already matches the linked phone",
                "El número de esta cuenta ya coincide con el teléfono vinculado",
                "O número desta conta já corresponde ao celular conectado",
            ),
            R::NotWaitingToReconnect => pick(
                l,
                "This channel is not waiting to reconnect",
                "Este canal no está esperando para reconectarse",
                "Este canal não está aguardando para reconectar",
            ),
            R::DetailsWhileConnected => pick(
                l,
                "Details are shown while the account is Connected",
                "Los detalles se muestran mientras la cuenta está Conectada",
                "Os detalhes aparecem enquanto a conta está Conectada",
            ),
            R::DeleteOnlyDisabled(status) => {
                let word = status_word(l, *status);
                match l {
                    Locale::En => {
                        format!("Only a disabled account can be deleted; this one is {word}")
                    }
                    Locale::Es => format!(
                        "Solo se puede eliminar una cuenta desactivada; esta está {word}"
                    ),
                    Locale::PtBr => format!(
                        "Só é possível excluir uma conta desativada; esta está {word}"
                    ),
                }
            }
            R::TypeNameToConfirm(name) => match l {
                Locale::En => format!("Type the account's name, {name}, to confirm"),
                Locale::Es => format!("Escribe el nombre de la cuenta, {name}, para confirmar"),
                Locale::PtBr => format!("Digite o nome da conta, {name}, para confirmar"),
            },
            R::CantSetUpWhile(status) => {
                let word = status_word(l, *status);
                match l {
                    Locale::En => format!("An account can't be set up while it is {word}"),
                    Locale::Es => {
                        format!("No se puede configurar una cuenta mientras está {word}")
                    }
                    Locale::PtBr => {
                        format!("Não é possível configurar uma conta enquanto está {word}")
                    }
                }
            }
            R::Text(problem) => text_problem(l, *problem),
            R::BadPageLink => pick(
                l,
                "That page link is not valid; start from the first page",
                "Ese enlace de página no es válido; empieza desde la primera página",
                "Esse link de página não é válido; comece pela primeira página",
            ),
            R::BadWhose => pick(
                l,
                "Show mine, unassigned or all conversations",
                "Muestra las conversaciones mías, sin asignar o todas",
                "Mostre as conversas minhas, sem responsável ou todas",
            ),
            R::OwnerNotInFunnel => pick(
                l,
                "The owner must be a member of the conversation's funnel",
                "El responsable debe ser miembro del embudo de la conversación",
                "O responsável deve ser membro do funil da conversa",
            ),
            R::NotWaitingForRetry => pick(
                l,
                "That message is not waiting for a retry",
                "Ese mensaje no está esperando un reintento",
                "Essa mensagem não está aguardando uma nova tentativa",
            ),
            R::SendAgainQuestion => {
                crate::i18n::texts(l).inbox_texts.send_again.to_string()
            }
            R::AlreadyGoneOut => pick(
                l,
                "That message has already gone out or was cancelled",
                "Ese mensaje ya se envió o se canceló",
                "Essa mensagem já foi enviada ou foi cancelada",
            ),
            R::ReplyBlocked(status) => reply_blocked(l, *status),
        }
    }

    /// The error a server function answers with: 403 for who may act, 422 for what was
    /// typed, 429 for too many sign-ins, 409 for the state things are in.
    pub fn status(&self) -> u16 {
        use Refusal as R;
        match self {
            R::Denied(_) | R::OnlyGlobalAdminsDelete => 403,
            R::InvalidCredentials
            | R::WrongSetupCode
            | R::ChannelLimitRange
            | R::CompanyName(_)
            | R::PersonName(_)
            | R::BadEmail
            | R::PasswordTooShort
            | R::PasswordTooLong
            | R::TypeNameToConfirm(_)
            | R::Text(_)
            | R::BadPageLink
            | R::BadWhose
            | R::OwnerNotInFunnel => 422,
            R::Endpoint(EndpointProblem::TooMany) => 409,
            R::Endpoint(_) => 422,
            R::TooManyAttempts { .. } => 429,
            _ => 409,
        }
    }
}

/// `field` names the field in each language, as a sentence starts with it.
fn name_problem(l: Locale, problem: NameProblem, field: [&str; 3]) -> String {
    match l {
        Locale::En => problem.english(field[0]),
        Locale::Es => match problem {
            NameProblem::Required => format!("{} es obligatorio", field[1]),
            NameProblem::TooLong => format!(
                "{} puede tener como máximo {MAX_NAME_CHARS} caracteres",
                field[1]
            ),
            NameProblem::ControlCharacters => {
                format!("{} no puede tener caracteres de control", field[1])
            }
        },
        Locale::PtBr => match problem {
            NameProblem::Required => format!("{} é obrigatório", field[2]),
            NameProblem::TooLong => format!(
                "{} pode ter no máximo {MAX_NAME_CHARS} caracteres",
                field[2]
            ),
            NameProblem::ControlCharacters => {
                format!("{} não pode ter caracteres de controle", field[2])
            }
        },
    }
}

fn text_problem(l: Locale, problem: TextProblem) -> String {
    match problem {
        TextProblem::Empty => pick(
            l,
            "Write a message first",
            "Escribe un mensaje primero",
            "Escreva uma mensagem primeiro",
        ),
        TextProblem::TooLong => pick(
            l,
            "Messages can have at most 4096 characters",
            "Los mensajes pueden tener como máximo 4096 caracteres",
            "As mensagens podem ter no máximo 4096 caracteres",
        ),
        TextProblem::NotInFuture => pick(
            l,
            "Choose a time in the future",
            "Elige una hora en el futuro",
            "Escolha um horário no futuro",
        ),
        TextProblem::TooFarAhead => pick(
            l,
            "Messages can be scheduled up to a year ahead",
            "Los mensajes se pueden programar hasta con un año de anticipación",
            "As mensagens podem ser agendadas com até um ano de antecedência",
        ),
        TextProblem::SearchTooLong => pick(
            l,
            "Search with at most 100 characters",
            "Busca con 100 caracteres como máximo",
            "Pesquise com no máximo 100 caracteres",
        ),
    }
}

/// Why a reply can't go out through a channel in `status`.
pub fn reply_blocked(l: Locale, status: AccountStatus) -> String {
    match status {
        AccountStatus::Connected => String::new(),
        AccountStatus::Connecting => pick(
            l,
            "This channel is being linked; you can reply once it is Connected.",
            "Este canal se está vinculando; podrás responder cuando esté Conectado.",
            "Este canal está sendo conectado; você poderá responder quando estiver Conectado.",
        ),
        AccountStatus::Disconnected => pick(
            l,
            "This channel is Disconnected, so replies can't be sent. The conversation stays readable; an admin can connect it again in Settings › Channels.",
            "Este canal está Desconectado, así que no se pueden enviar respuestas. La conversación se puede seguir leyendo; un administrador puede volver a conectarlo en Configuración › Canales.",
            "Este canal está Desconectado, então não é possível enviar respostas. A conversa continua legível; um administrador pode conectá-lo de novo em Configurações › Canais.",
        ),
        AccountStatus::Disabled => pick(
            l,
            "This channel is Disabled, so replies can't be sent. The conversation stays readable.",
            "Este canal está Desactivado, así que no se pueden enviar respuestas. La conversación se puede seguir leyendo.",
            "Este canal está Desativado, então não é possível enviar respostas. A conversa continua legível.",
        ),
        AccountStatus::Deleting => pick(
            l,
            "This channel is being deleted.",
            "Este canal se está eliminando.",
            "Este canal está sendo excluído.",
        ),
    }
}

/// Why a message did not go out, or a file did not come, as stored with it: in English
/// (logs and API clients read it), and worded again for the page from the same list, so
/// the stored text and its translations cannot drift apart. WhatsApp's own words after a
/// colon stay as WhatsApp said them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredReason {
    NotConnected,
    MaybeSent,
    /// The server stopped while sending.
    Interrupted,
    /// The channel was disconnected while the message waited for it.
    Stranded,
    NotTaken(String),
    NotSent(String),
    FileWaitsForConnection,
    FileRefused(String),
}

/// A reason that ends with someone else's words, and the English that leads up to them.
type WithDetail = (fn(String) -> StoredReason, &'static str);

impl StoredReason {
    const WITH_DETAIL: [WithDetail; 3] = [
        (
            StoredReason::NotTaken,
            "WhatsApp did not take the message: ",
        ),
        (StoredReason::NotSent, "The message could not be sent: "),
        (
            StoredReason::FileRefused,
            "WhatsApp did not send this file: ",
        ),
    ];

    pub fn english(&self) -> String {
        self.words(Locale::En)
    }

    /// The reason `stored` is, when it is one of ours.
    pub fn parse(stored: &str) -> Option<StoredReason> {
        let fixed = [
            StoredReason::NotConnected,
            StoredReason::MaybeSent,
            StoredReason::Interrupted,
            StoredReason::Stranded,
            StoredReason::FileWaitsForConnection,
        ];
        if let Some(reason) = fixed.into_iter().find(|r| r.english() == stored) {
            return Some(reason);
        }
        Self::WITH_DETAIL.iter().find_map(|(make, prefix)| {
            stored
                .strip_prefix(prefix)
                .map(|detail| make(detail.to_string()))
        })
    }

    /// `stored` as the page shows it in `locale`; a text that is not one of ours as it is.
    pub fn reword(stored: &str, locale: Locale) -> String {
        match StoredReason::parse(stored) {
            Some(reason) => reason.words(locale),
            None => stored.to_string(),
        }
    }

    pub fn words(&self, l: Locale) -> String {
        use StoredReason as S;
        let with =
            |en: &str, es: &str, pt: &str, detail: &str| format!("{}{detail}", pick(l, en, es, pt));
        match self {
            S::NotConnected => pick(
                l,
                "The channel is not connected to WhatsApp right now",
                "El canal no está conectado a WhatsApp en este momento",
                "O canal não está conectado ao WhatsApp agora",
            ),
            S::MaybeSent => pick(
                l,
                "WhatsApp did not confirm this message in time. It may have gone out: check with the contact before sending it again.",
                "WhatsApp no confirmó este mensaje a tiempo. Es posible que se haya enviado: consúltalo con el contacto antes de enviarlo de nuevo.",
                "O WhatsApp não confirmou esta mensagem a tempo. Ela pode ter sido enviada: confira com o contato antes de enviá-la de novo.",
            ),
            S::Interrupted => pick(
                l,
                "The server stopped while sending this message; it may not have gone out. Check with the contact before sending it again.",
                "El servidor se detuvo mientras enviaba este mensaje; es posible que no se haya enviado. Consúltalo con el contacto antes de enviarlo de nuevo.",
                "O servidor parou enquanto enviava esta mensagem; ela pode não ter sido enviada. Confira com o contato antes de enviá-la de novo.",
            ),
            S::Stranded => pick(
                l,
                "The channel was disconnected before this message could go out. Connect it again, then retry.",
                "El canal se desconectó antes de que este mensaje pudiera enviarse. Vuelve a conectarlo y reintenta.",
                "O canal foi desconectado antes que esta mensagem pudesse ser enviada. Conecte-o de novo e tente outra vez.",
            ),
            S::NotTaken(detail) => with(
                Self::WITH_DETAIL[0].1,
                "WhatsApp no aceptó el mensaje: ",
                "O WhatsApp não aceitou a mensagem: ",
                detail,
            ),
            S::NotSent(detail) => with(
                Self::WITH_DETAIL[1].1,
                "No se pudo enviar el mensaje: ",
                "Não foi possível enviar a mensagem: ",
                detail,
            ),
            S::FileWaitsForConnection => pick(
                l,
                "This file is still on WhatsApp: it can be downloaded once the channel is connected.",
                "Este archivo sigue en WhatsApp: se podrá descargar cuando el canal esté conectado.",
                "Este arquivo ainda está no WhatsApp: poderá ser baixado quando o canal estiver conectado.",
            ),
            S::FileRefused(detail) => with(
                Self::WITH_DETAIL[2].1,
                "WhatsApp no envió este archivo: ",
                "O WhatsApp não enviou este arquivo: ",
                detail,
            ),
        }
    }
}

impl From<Denied> for AppError {
    fn from(denied: Denied) -> AppError {
        Refusal::Denied(denied).into()
    }
}

impl From<TextProblem> for AppError {
    fn from(problem: TextProblem) -> AppError {
        Refusal::Text(problem).into()
    }
}

impl From<Refusal> for AppError {
    fn from(refusal: Refusal) -> AppError {
        let words = refusal.words(current_locale());
        match refusal.status() {
            403 => AppError::Forbidden(words),
            422 => AppError::Invalid(words),
            429 => AppError::RateLimited(words),
            _ => AppError::Conflict(words),
        }
    }
}

mod webhooks;

#[cfg(test)]
mod tests;
