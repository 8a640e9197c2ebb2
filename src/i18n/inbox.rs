//! The inbox's words: the list, the chat, the reply box, scheduled messages and ticks.

use crate::domain::inbox::{MessageStatus, ScheduleStatus, Whose};
use crate::domain::locale::{format_integer, Locale};

pub struct InboxTexts {
    pub title: fn(i64) -> String,
    pub search: &'static str,
    pub search_placeholder: &'static str,
    pub whose_label: &'static str,
    /// Mine, Unassigned, All.
    pub whose: [&'static str; 3],
    pub no_match: fn(&str) -> String,
    pub none_here: &'static str,
    pub none_yet: &'static str,
    pub conversations: &'static str,
    pub load_more: &'static str,
    pub no_owner: &'static str,
    pub unread: fn(i64) -> String,
    pub you: &'static str,
    pub not_sent_flag: &'static str,
    pub channel: &'static str,
    pub owner: &'static str,
    pub funnel: &'static str,
    pub all_funnels: &'static str,
    pub all_channels: &'static str,
    pub pick_conversation: &'static str,
    pub back: &'static str,
    pub not_found: &'static str,
    pub via: &'static str,
    pub messages: &'static str,
    pub new_messages: &'static str,
    pub download: fn(&str) -> String,
    pub downloading: &'static str,
    pub retry: &'static str,
    pub send_again: &'static str,
    pub choose_when: &'static str,
    pub reconnecting: &'static str,
    pub reply: &'static str,
    pub reply_placeholder: &'static str,
    pub send_at: &'static str,
    pub time_zone: &'static str,
    pub send_now_instead: &'static str,
    pub schedule_a_message: &'static str,
    pub schedule: &'static str,
    pub sending: &'static str,
    pub send: &'static str,
    pub scheduled_messages: &'static str,
    pub scheduled: &'static str,
    /// Scheduled, Sent, Not sent, Cancelled.
    pub schedule_statuses: [&'static str; 4],
    pub cancel: &'static str,
    pub notifications_on: &'static str,
    pub turn_on_notifications: &'static str,
    pub notifications_blocked: &'static str,
    /// Sent, Delivered, Read: a reply's steps with their times.
    pub ticks: [&'static str; 3],
    /// Received, Waiting, Sending, Sent, Delivered, Read, Not sent, Not confirmed.
    pub statuses: [&'static str; 8],
}

impl InboxTexts {
    pub fn whose(&self, whose: Whose) -> &'static str {
        self.whose[match whose {
            Whose::Mine => 0,
            Whose::Unassigned => 1,
            Whose::All => 2,
        }]
    }

    pub fn schedule_status(&self, status: ScheduleStatus) -> &'static str {
        self.schedule_statuses[match status {
            ScheduleStatus::Pending => 0,
            ScheduleStatus::Sent => 1,
            ScheduleStatus::Failed => 2,
            ScheduleStatus::Cancelled => 3,
        }]
    }

    pub fn status(&self, status: MessageStatus) -> &'static str {
        self.statuses[match status {
            MessageStatus::Received => 0,
            MessageStatus::Queued => 1,
            MessageStatus::Sending => 2,
            MessageStatus::Sent => 3,
            MessageStatus::Delivered => 4,
            MessageStatus::Read => 5,
            MessageStatus::Failed => 6,
            MessageStatus::Unconfirmed => 7,
        }]
    }
}

/// "(3) Inbox": the tab title with the unread conversations, at most "99+".
fn titled(unread: i64, inbox: &str, locale: Locale) -> String {
    match unread {
        0 => inbox.to_string(),
        n if n > 99 => format!("(99+) {inbox}"),
        n => format!("({}) {inbox}", format_integer(n, locale)),
    }
}

pub const EN: InboxTexts = InboxTexts {
    title: |n| titled(n, "Inbox", Locale::En),
    search: "Search conversations",
    search_placeholder: "Search names, numbers and messages",
    whose_label: "Whose conversations",
    whose: ["Mine", "Unassigned", "All"],
    no_match: |q| format!("No conversations match “{q}”."),
    none_here: "No conversations here. Try All, or another funnel or channel.",
    none_yet: "No conversations yet. Messages sent to your linked WhatsApp numbers appear here.",
    conversations: "Conversations",
    load_more: "Load more",
    no_owner: "No owner",
    unread: |n| match n {
        1 => "1 unread message".into(),
        n => format!("{n} unread messages"),
    },
    you: "You: ",
    not_sent_flag: "⚠ Not sent",
    channel: "Channel",
    owner: "Owner",
    funnel: "Funnel",
    all_funnels: "All funnels",
    all_channels: "All channels",
    pick_conversation: "Choose a conversation to read and answer it here.",
    back: "← Inbox",
    not_found: "This conversation doesn't exist, or you can't see it.",
    via: "via",
    messages: "Messages",
    new_messages: "New messages ↓",
    download: |file| format!("⬇ Download {file}"),
    downloading: "Downloading from WhatsApp…",
    retry: "Retry",
    send_again: "This message may already have been delivered. Send again?",
    choose_when: "Choose when to send it",
    reconnecting: "This channel is reconnecting to WhatsApp. Replies you send now wait (🕓) and go out by themselves when it is back.",
    reply: "Reply",
    reply_placeholder: "Write a reply… (Enter sends, Shift+Enter for a new line)",
    send_at: "Send at",
    time_zone: "Your time zone: ",
    send_now_instead: "Send now instead",
    schedule_a_message: "Schedule a message",
    schedule: "Schedule",
    sending: "Sending…",
    send: "Send",
    scheduled_messages: "Scheduled messages",
    scheduled: "Scheduled",
    schedule_statuses: ["Scheduled", "Sent", "Not sent", "Cancelled"],
    cancel: "Cancel",
    notifications_on: "Notifications on",
    turn_on_notifications: "Turn on notifications",
    notifications_blocked: "Your browser blocks notifications from this site; allow them in its site settings.",
    ticks: ["Sent", "Delivered", "Read"],
    statuses: [
        "Received",
        "🕓 Waiting for the channel",
        "Sending…",
        "Sent",
        "Delivered",
        "Read",
        "Not sent",
        "Not confirmed",
    ],
};

pub const ES: InboxTexts = InboxTexts {
    title: |n| titled(n, "Bandeja de entrada", Locale::Es),
    search: "Buscar conversaciones",
    search_placeholder: "Busca nombres, números y mensajes",
    whose_label: "De quién son las conversaciones",
    whose: ["Mías", "Sin asignar", "Todas"],
    no_match: |q| format!("Ninguna conversación coincide con “{q}”."),
    none_here: "No hay conversaciones aquí. Prueba con Todas, u otro embudo o canal.",
    none_yet: "Todavía no hay conversaciones. Aquí aparecen los mensajes enviados a tus números de WhatsApp vinculados.",
    conversations: "Conversaciones",
    load_more: "Cargar más",
    no_owner: "Sin responsable",
    unread: |n| match n {
        1 => "1 mensaje sin leer".into(),
        n => format!("{} mensajes sin leer", format_integer(n, Locale::Es)),
    },
    you: "Tú: ",
    not_sent_flag: "⚠ No enviado",
    channel: "Canal",
    owner: "Responsable",
    funnel: "Embudo",
    all_funnels: "Todos los embudos",
    all_channels: "Todos los canales",
    pick_conversation: "Elige una conversación para leerla y responderla aquí.",
    back: "← Bandeja de entrada",
    not_found: "Esta conversación no existe o no puedes verla.",
    via: "por",
    messages: "Mensajes",
    new_messages: "Mensajes nuevos ↓",
    download: |file| format!("⬇ Descargar {file}"),
    downloading: "Descargando de WhatsApp…",
    retry: "Reintentar",
    send_again: "Es posible que este mensaje ya se haya entregado. ¿Enviarlo de nuevo?",
    choose_when: "Elige cuándo enviarlo",
    reconnecting: "Este canal se está reconectando con WhatsApp. Las respuestas que envíes ahora esperan (🕓) y salen solas cuando vuelva.",
    reply: "Respuesta",
    reply_placeholder: "Escribe una respuesta… (Enter envía, Shift+Enter para una línea nueva)",
    send_at: "Enviar el",
    time_zone: "Tu zona horaria: ",
    send_now_instead: "Mejor enviar ahora",
    schedule_a_message: "Programar un mensaje",
    schedule: "Programar",
    sending: "Enviando…",
    send: "Enviar",
    scheduled_messages: "Mensajes programados",
    scheduled: "Programados",
    schedule_statuses: ["Programado", "Enviado", "No enviado", "Cancelado"],
    cancel: "Cancelar",
    notifications_on: "Notificaciones activadas",
    turn_on_notifications: "Activar notificaciones",
    notifications_blocked: "Tu navegador bloquea las notificaciones de este sitio; permítelas en la configuración del sitio.",
    ticks: ["Enviado", "Entregado", "Leído"],
    statuses: [
        "Recibido",
        "🕓 Esperando al canal",
        "Enviando…",
        "Enviado",
        "Entregado",
        "Leído",
        "No enviado",
        "Sin confirmar",
    ],
};

pub const PT_BR: InboxTexts = InboxTexts {
    title: |n| titled(n, "Caixa de entrada", Locale::PtBr),
    search: "Pesquisar conversas",
    search_placeholder: "Pesquise nomes, números e mensagens",
    whose_label: "De quem são as conversas",
    whose: ["Minhas", "Sem responsável", "Todas"],
    no_match: |q| format!("Nenhuma conversa corresponde a “{q}”."),
    none_here: "Nenhuma conversa aqui. Experimente Todas, ou outro funil ou canal.",
    none_yet: "Nenhuma conversa ainda. As mensagens enviadas aos seus números de WhatsApp conectados aparecem aqui.",
    conversations: "Conversas",
    load_more: "Carregar mais",
    no_owner: "Sem responsável",
    unread: |n| match n {
        1 => "1 mensagem não lida".into(),
        n => format!("{} mensagens não lidas", format_integer(n, Locale::PtBr)),
    },
    you: "Você: ",
    not_sent_flag: "⚠ Não enviada",
    channel: "Canal",
    owner: "Responsável",
    funnel: "Funil",
    all_funnels: "Todos os funis",
    all_channels: "Todos os canais",
    pick_conversation: "Escolha uma conversa para ler e responder aqui.",
    back: "← Caixa de entrada",
    not_found: "Esta conversa não existe ou você não pode vê-la.",
    via: "por",
    messages: "Mensagens",
    new_messages: "Novas mensagens ↓",
    download: |file| format!("⬇ Baixar {file}"),
    downloading: "Baixando do WhatsApp…",
    retry: "Tentar de novo",
    send_again: "Esta mensagem pode já ter sido entregue. Enviar de novo?",
    choose_when: "Escolha quando enviar",
    reconnecting: "Este canal está se reconectando ao WhatsApp. As respostas enviadas agora aguardam (🕓) e saem sozinhas quando ele voltar.",
    reply: "Resposta",
    reply_placeholder: "Escreva uma resposta… (Enter envia, Shift+Enter para uma nova linha)",
    send_at: "Enviar em",
    time_zone: "Seu fuso horário: ",
    send_now_instead: "Enviar agora",
    schedule_a_message: "Agendar uma mensagem",
    schedule: "Agendar",
    sending: "Enviando…",
    send: "Enviar",
    scheduled_messages: "Mensagens agendadas",
    scheduled: "Agendadas",
    schedule_statuses: ["Agendada", "Enviada", "Não enviada", "Cancelada"],
    cancel: "Cancelar",
    notifications_on: "Notificações ativadas",
    turn_on_notifications: "Ativar notificações",
    notifications_blocked: "Seu navegador bloqueia as notificações deste site; permita-as nas configurações do site.",
    ticks: ["Enviada", "Entregue", "Lida"],
    statuses: [
        "Recebida",
        "🕓 Aguardando o canal",
        "Enviando…",
        "Enviada",
        "Entregue",
        "Lida",
        "Não enviada",
        "Não confirmada",
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tab_title_counts_unread_conversations_in_the_language() {
        assert_eq!((EN.title)(0), "Inbox");
        assert_eq!((EN.title)(3), "(3) Inbox");
        assert_eq!((ES.title)(120), "(99+) Bandeja de entrada");
        assert_eq!((PT_BR.unread)(1_500), "1.500 mensagens não lidas");
        assert_eq!((ES.unread)(1), "1 mensaje sin leer");
    }
}
