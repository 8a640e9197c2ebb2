//! The words of what happened: a channel's history, the audit log and the activity charts.
//! Events are stored as codes (`account_events.event`, `company_audit_log.action`); each
//! language words them here, with who did it and what it concerned.

use crate::domain::account::DisconnectReason;
use crate::domain::locale::{format_integer, Locale};
use crate::domain::size::format_bytes;
use crate::views::channels::{AccountDataCounts, Disconnection};

/// An event as stored, for its sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventWords<'a> {
    pub event: &'a str,
    pub reason: Option<&'a str>,
    pub by: Option<&'a str>,
    pub details: Option<&'a str>,
}

/// The catalog of `locale`. Kept out of `Texts` so that only the parts of the bundle that
/// show a history, the audit log or a chart carry these words and their sentences.
pub fn texts(locale: Locale) -> &'static ActivityTexts {
    match locale {
        Locale::En => &EN,
        Locale::Es => &ES,
        Locale::PtBr => &PT_BR,
    }
}

/// `texts` in the page's language, as `use_texts` gives the rest.
pub fn use_activity_texts() -> impl Fn() -> &'static ActivityTexts + Copy + Send + Sync + 'static {
    let locale = super::use_locale();
    move || texts(locale())
}

/// One text of this catalog, as `super::word` gives one of the main catalog.
pub fn word(
    pick: fn(&'static ActivityTexts) -> &'static str,
) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let texts = use_activity_texts();
    move || pick(texts())
}

pub struct ActivityTexts {
    // A card's history.
    pub history: &'static str,
    pub hide_history: &'static str,
    pub no_history: &'static str,
    pub older: &'static str,
    // The audit log.
    pub channel: &'static str,
    pub person: &'static str,
    pub all_channels: &'static str,
    pub all_people: &'static str,
    pub apply: &'static str,
    pub export_csv: &'static str,
    /// When, who, from (address), channel, what.
    pub columns: [&'static str; 5],
    pub no_entries: &'static str,
    pub unnamed_channel: fn(i64) -> String,
    // The charts.
    pub week: fn(u64, u64) -> String,
    pub day: fn(u64, u64) -> String,
}

/// An event's sentence in `locale`. A function rather than a field of the catalog, so that
/// only the parts of the bundle that list events (History, the audit log) carry the sentences.
pub fn event(locale: Locale, words: &EventWords) -> String {
    match locale {
        Locale::En => event_en(words),
        Locale::Es => event_es(words),
        Locale::PtBr => event_pt(words),
    }
}

/// What a Delete removed, in `locale`: each kind with its count, one and many.
pub fn deleted(locale: Locale, counts: &AccountDataCounts) -> String {
    let words = match locale {
        Locale::En => [
            ("message", "messages"),
            ("conversation", "conversations"),
            ("contact", "contacts"),
            ("file", "files"),
        ],
        Locale::Es => [
            ("mensaje", "mensajes"),
            ("conversación", "conversaciones"),
            ("contacto", "contactos"),
            ("archivo", "archivos"),
        ],
        Locale::PtBr => [
            ("mensagem", "mensagens"),
            ("conversa", "conversas"),
            ("contato", "contatos"),
            ("arquivo", "arquivos"),
        ],
    };
    let [messages, conversations, contacts, files] = words;
    let c = counts;
    // Messages, conversations, contacts, files (with their size).
    [
        counted(c.messages, locale, messages.0, messages.1),
        counted(c.conversations, locale, conversations.0, conversations.1),
        counted(c.contacts, locale, contacts.0, contacts.1),
        format!(
            "{} ({})",
            counted(c.media_files, locale, files.0, files.1),
            format_bytes(c.media_bytes, locale)
        ),
    ]
    .join(", ")
}

/// "by Ana", or nothing when no person did it.
fn by(words: &EventWords, with: &str) -> String {
    words
        .by
        .map(|name| format!(" {with} {name}"))
        .unwrap_or_default()
}

/// The setup fields a save changed, as `field` names them, comma-separated.
fn fields(details: Option<&str>, field: fn(&str) -> &'static str) -> String {
    details
        .unwrap_or("")
        .split(',')
        .filter(|f| !f.is_empty())
        .map(field)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A disconnection's sentence as the card says it, in `words`' language.
fn disconnection(
    words: &EventWords,
    sentence: fn(&Disconnection) -> String,
    fallback: &str,
) -> String {
    match words.reason.and_then(DisconnectReason::parse) {
        Some(reason) => sentence(&Disconnection {
            reason,
            by: words.by.map(str::to_string),
            banned_until_ms: None,
        }),
        None => fallback.to_string(),
    }
}

fn counted(n: i64, locale: Locale, one: &str, many: &str) -> String {
    format!(
        "{} {}",
        format_integer(n, locale),
        if n == 1 { one } else { many }
    )
}

/// Messages in and out, written as `l` writes numbers.
fn both(inbound: u64, outbound: u64, l: Locale) -> (String, String) {
    let n = |v: u64| format_integer(i64::try_from(v).unwrap_or(i64::MAX), l);
    (n(inbound), n(outbound))
}

fn event_en(w: &EventWords) -> String {
    let detail = w.details.unwrap_or("");
    match w.event {
        "added" => format!("Added{}", by(w, "by")),
        "linking_started" => format!("Linking started{}", by(w, "by")),
        "linking_interrupted" => "Linking interrupted by a restart".into(),
        "connected" if !detail.is_empty() => format!("Linked from {detail}"),
        "connected" => "Linked".into(),
        "disconnected" => disconnection(w, Disconnection::english, "Disconnected"),
        "qr_expired" => "QR code expired".into(),
        "connection_lost" => "Connection lost, reconnecting".into(),
        "reconnected" => "Reconnected".into(),
        "actor_restarted" => "Session restarted by the server".into(),
        "messages_not_accepted" => "WhatsApp stopped confirming sent messages".into(),
        "messages_accepted_again" => "WhatsApp confirms sent messages again".into(),
        "history_imported" => match w.reason {
            Some(result) => format!("Chat history imported: {result}"),
            None => "Chat history imported".into(),
        },
        "disabled" => format!("Disabled{}", by(w, "by")),
        "enabled" => format!("Enabled{}", by(w, "by")),
        "deletion_started" => format!("Delete started{}", by(w, "by")),
        "whatsapp_account_deleted" => format!("Deleted{}", by(w, "by")),
        "webhook_added" => format!("Webhook {detail} added{}", by(w, "by")),
        "webhook_resumed" => format!("Webhook {detail} resumed{}", by(w, "by")),
        "webhook_removed" => format!("Webhook {detail} removed{}", by(w, "by")),
        "number_kept" => format!("New number {detail} kept{}", by(w, "by")),
        "settings_saved" => {
            let changed = fields(w.details, |f| match f {
                "phone" => "number",
                "name" => "name",
                "cellphone_user" => "cellphone user",
                "funnel" => "funnel",
                "owner" => "owner",
                "visibility" => "who sees the chats",
                "read_receipts" => "read receipts",
                "history" => "history import",
                _ => "other",
            });
            match changed.is_empty() {
                true => format!("Setup saved, nothing changed{}", by(w, "by")),
                false => format!("Setup changed{}: {changed}", by(w, "by")),
            }
        }
        other => other.replace('_', " "),
    }
}

fn event_es(w: &EventWords) -> String {
    let detail = w.details.unwrap_or("");
    match w.event {
        "added" => format!("Agregado{}", by(w, "por")),
        "linking_started" => format!("Vinculación iniciada{}", by(w, "por")),
        "linking_interrupted" => "Vinculación interrumpida por un reinicio".into(),
        "connected" if !detail.is_empty() => format!("Vinculado desde {detail}"),
        "connected" => "Vinculado".into(),
        "disconnected" => disconnection(w, super::channels::ES.disconnection, "Desconectado"),
        "qr_expired" => "El código QR venció".into(),
        "connection_lost" => "Se perdió la conexión; reconectando".into(),
        "reconnected" => "Reconectado".into(),
        "actor_restarted" => "El servidor reinició la sesión".into(),
        "messages_not_accepted" => "WhatsApp dejó de confirmar los mensajes enviados".into(),
        "messages_accepted_again" => "WhatsApp vuelve a confirmar los mensajes enviados".into(),
        "history_imported" => "Historial de chats importado".into(),
        "disabled" => format!("Desactivado{}", by(w, "por")),
        "enabled" => format!("Activado{}", by(w, "por")),
        "deletion_started" => format!("Eliminación iniciada{}", by(w, "por")),
        "whatsapp_account_deleted" => format!("Eliminado{}", by(w, "por")),
        "webhook_added" => format!("Webhook {detail} agregado{}", by(w, "por")),
        "webhook_resumed" => format!("Webhook {detail} reanudado{}", by(w, "por")),
        "webhook_removed" => format!("Webhook {detail} eliminado{}", by(w, "por")),
        "number_kept" => format!("Se conservó el número nuevo {detail}{}", by(w, "por")),
        "settings_saved" => {
            let changed = fields(w.details, |f| match f {
                "phone" => "número",
                "name" => "nombre",
                "cellphone_user" => "usuario del celular",
                "funnel" => "embudo",
                "owner" => "responsable",
                "visibility" => "quién ve los chats",
                "read_receipts" => "confirmaciones de lectura",
                "history" => "importación del historial",
                _ => "otro",
            });
            match changed.is_empty() {
                true => format!("Configuración guardada sin cambios{}", by(w, "por")),
                false => format!("Configuración cambiada{}: {changed}", by(w, "por")),
            }
        }
        other => other.replace('_', " "),
    }
}

fn event_pt(w: &EventWords) -> String {
    let detail = w.details.unwrap_or("");
    match w.event {
        "added" => format!("Adicionado{}", by(w, "por")),
        "linking_started" => format!("Vinculação iniciada{}", by(w, "por")),
        "linking_interrupted" => "Vinculação interrompida por uma reinicialização".into(),
        "connected" if !detail.is_empty() => format!("Vinculado a partir de {detail}"),
        "connected" => "Vinculado".into(),
        "disconnected" => disconnection(w, super::channels::PT_BR.disconnection, "Desconectado"),
        "qr_expired" => "O QR code expirou".into(),
        "connection_lost" => "Conexão perdida; reconectando".into(),
        "reconnected" => "Reconectado".into(),
        "actor_restarted" => "O servidor reiniciou a sessão".into(),
        "messages_not_accepted" => "O WhatsApp parou de confirmar as mensagens enviadas".into(),
        "messages_accepted_again" => "O WhatsApp voltou a confirmar as mensagens enviadas".into(),
        "history_imported" => "Histórico de conversas importado".into(),
        "disabled" => format!("Desativado{}", by(w, "por")),
        "enabled" => format!("Ativado{}", by(w, "por")),
        "deletion_started" => format!("Exclusão iniciada{}", by(w, "por")),
        "whatsapp_account_deleted" => format!("Excluído{}", by(w, "por")),
        "webhook_added" => format!("Webhook {detail} adicionado{}", by(w, "por")),
        "webhook_resumed" => format!("Webhook {detail} retomado{}", by(w, "por")),
        "webhook_removed" => format!("Webhook {detail} removido{}", by(w, "por")),
        "number_kept" => format!("Novo número {detail} mantido{}", by(w, "por")),
        "settings_saved" => {
            let changed = fields(w.details, |f| match f {
                "phone" => "número",
                "name" => "nome",
                "cellphone_user" => "usuário do celular",
                "funnel" => "funil",
                "owner" => "responsável",
                "visibility" => "quem vê as conversas",
                "read_receipts" => "confirmações de leitura",
                "history" => "importação do histórico",
                _ => "outro",
            });
            match changed.is_empty() {
                true => format!("Configuração salva sem mudanças{}", by(w, "por")),
                false => format!("Configuração alterada{}: {changed}", by(w, "por")),
            }
        }
        other => other.replace('_', " "),
    }
}

pub const EN: ActivityTexts = ActivityTexts {
    history: "History",
    hide_history: "Hide history",
    no_history: "Nothing recorded yet.",
    older: "Show older",
    channel: "Channel",
    person: "Person",
    all_channels: "All channels",
    all_people: "Everyone",
    apply: "Show",
    export_csv: "Export CSV",
    columns: ["When", "Who", "From", "Channel", "What"],
    no_entries: "No actions recorded yet.",
    unnamed_channel: |id| format!("Channel {id}"),
    week: |i, o| {
        let (i, o) = both(i, o, Locale::En);
        format!("{i} in, {o} out this week")
    },
    day: |i, o| {
        let (i, o) = both(i, o, Locale::En);
        format!("{i} in, {o} out in the last 24 hours")
    },
};

pub const ES: ActivityTexts = ActivityTexts {
    history: "Historial",
    hide_history: "Ocultar historial",
    no_history: "Todavía no hay nada registrado.",
    older: "Ver anteriores",
    channel: "Canal",
    person: "Persona",
    all_channels: "Todos los canales",
    all_people: "Todas las personas",
    apply: "Mostrar",
    export_csv: "Exportar CSV",
    columns: ["Cuándo", "Quién", "Desde", "Canal", "Qué"],
    no_entries: "Todavía no hay acciones registradas.",
    unnamed_channel: |id| format!("Canal {id}"),
    week: |i, o| {
        let (i, o) = both(i, o, Locale::Es);
        format!("{i} recibidos, {o} enviados esta semana")
    },
    day: |i, o| {
        let (i, o) = both(i, o, Locale::Es);
        format!("{i} recibidos, {o} enviados en las últimas 24 horas")
    },
};

pub const PT_BR: ActivityTexts = ActivityTexts {
    history: "Histórico",
    hide_history: "Ocultar histórico",
    no_history: "Nada registrado ainda.",
    older: "Ver anteriores",
    channel: "Canal",
    person: "Pessoa",
    all_channels: "Todos os canais",
    all_people: "Todas as pessoas",
    apply: "Mostrar",
    export_csv: "Exportar CSV",
    columns: ["Quando", "Quem", "De onde", "Canal", "O quê"],
    no_entries: "Nenhuma ação registrada ainda.",
    unnamed_channel: |id| format!("Canal {id}"),
    week: |i, o| {
        let (i, o) = both(i, o, Locale::PtBr);
        format!("{i} recebidas, {o} enviadas nesta semana")
    },
    day: |i, o| {
        let (i, o) = both(i, o, Locale::PtBr);
        format!("{i} recebidas, {o} enviadas nas últimas 24 horas")
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    fn words<'a>(
        event: &'a str,
        reason: Option<&'a str>,
        details: Option<&'a str>,
    ) -> EventWords<'a> {
        EventWords {
            event,
            reason,
            by: Some("Ana"),
            details,
        }
    }

    #[test]
    fn every_language_names_who_and_what() {
        let saved = words("settings_saved", None, Some("name,funnel"));
        assert_eq!(
            event(Locale::En, &saved),
            "Setup changed by Ana: name, funnel"
        );
        assert_eq!(
            event(Locale::Es, &saved),
            "Configuración cambiada por Ana: nombre, embudo"
        );
        assert_eq!(
            event(Locale::PtBr, &saved),
            "Configuração alterada por Ana: nome, funil"
        );
        let by_user = words("disconnected", Some("by_user"), None);
        assert_eq!(event(Locale::En, &by_user), "Disconnected by Ana");
        assert_eq!(event(Locale::Es, &by_user), "Desconectado por Ana");
        let hook = words("webhook_added", None, Some("https://crm.example/in"));
        assert_eq!(
            event(Locale::En, &hook),
            "Webhook https://crm.example/in added by Ana"
        );
        assert_eq!(
            event(Locale::Es, &hook),
            "Webhook https://crm.example/in agregado por Ana"
        );
        let removed = words("webhook_removed", None, Some("https://crm.example/in"));
        assert_eq!(
            event(Locale::PtBr, &removed),
            "Webhook https://crm.example/in removido por Ana"
        );
        let linked = words("connected", None, Some("+57 300 123 4567"));
        assert_eq!(
            event(Locale::PtBr, &linked),
            "Vinculado a partir de +57 300 123 4567"
        );
    }

    #[test]
    fn whatsapp_events_name_no_person_and_unknown_codes_still_read() {
        let banned = EventWords {
            event: "disconnected",
            reason: Some("banned_402"),
            by: None,
            details: None,
        };
        assert_eq!(event(Locale::En, &banned), "WhatsApp banned this number");
        let future = words("some_new_event", None, None);
        assert_eq!(event(Locale::En, &future), "some new event");
    }

    #[test]
    fn counts_are_worded_in_each_language() {
        assert_eq!((EN.week)(1_312, 1), "1,312 in, 1 out this week");
        let c = AccountDataCounts {
            conversations: 1,
            contacts: 2,
            scheduled_messages: 0,
            media_files: 1,
            media_bytes: 1500,
            messages: 6,
        };
        assert!(deleted(Locale::Es, &c).starts_with("6 mensajes, 1 conversación, 2 contactos"));
    }
}
