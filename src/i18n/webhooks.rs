//! The words of Settings > Company > Webhooks, in a catalog of their own: only the part of
//! the bundle that shows the page carries them.

use crate::domain::locale::{format_integer, Locale};
use crate::domain::webhooks::EventKind;

pub fn texts(locale: Locale) -> &'static WebhookTexts {
    match locale {
        Locale::En => &EN,
        Locale::Es => &ES,
        Locale::PtBr => &PT_BR,
    }
}

/// `texts` in the page's language.
pub fn use_webhook_texts() -> impl Fn() -> &'static WebhookTexts + Copy + Send + Sync + 'static {
    let locale = super::use_locale();
    move || texts(locale())
}

/// One text of this catalog, as `super::word` gives one of the main catalog.
pub fn word(
    pick: fn(&'static WebhookTexts) -> &'static str,
) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let texts = use_webhook_texts();
    move || pick(texts())
}

pub struct WebhookTexts {
    pub intro: &'static str,
    pub signature_hint: &'static str,
    pub url: &'static str,
    pub url_hint: &'static str,
    pub events: &'static str,
    /// Each event's name, in `EventKind::ALL`'s order.
    pub event_names: [&'static str; 4],
    pub add: &'static str,
    pub adding: &'static str,
    pub secret: &'static str,
    pub secret_once: &'static str,
    pub done: &'static str,
    pub none_yet: &'static str,
    pub active: &'static str,
    pub paused: &'static str,
    pub resume: &'static str,
    pub remove: &'static str,
    pub remove_question: &'static str,
    pub yes_remove: &'static str,
    pub cancel: &'static str,
    pub send_test: &'static str,
    pub sending: &'static str,
    pub log: &'static str,
    pub hide_log: &'static str,
    pub no_attempts: &'static str,
    /// When, event, outcome, answer, time, next try.
    pub log_columns: [&'static str; 6],
    /// delivered, failed, given up.
    pub outcomes: [&'static str; 3],
    pub no_answer: &'static str,
    pub waiting: fn(i64, Locale) -> String,
    pub failures: fn(i64, Locale) -> String,
    pub test_delivered: fn(i64, i64) -> String,
    pub test_failed: fn(&str) -> String,
}

impl WebhookTexts {
    pub fn event_name(&self, kind: EventKind) -> &'static str {
        let index = EventKind::ALL.iter().position(|k| *k == kind).unwrap_or(0);
        self.event_names[index]
    }

    pub fn outcome(&self, code: &str) -> &'static str {
        match code {
            "delivered" => self.outcomes[0],
            "given_up" => self.outcomes[2],
            _ => self.outcomes[1],
        }
    }
}

fn count(n: i64, l: Locale, one: &str, many: &str) -> String {
    format!(
        "{} {}",
        format_integer(n, l),
        if n == 1 { one } else { many }
    )
}

pub const EN: WebhookTexts = WebhookTexts {
    intro: "Aurora POSTs each event you choose to your endpoint as JSON, and tries again for 24 hours when it does not answer 2xx. Each event has an id: if one arrives twice, keep the first.",
    signature_hint: "Every request carries Aurora-Signature: t=<time>,v1=<hex HMAC-SHA256 of \"<time>.<body>\" keyed with the endpoint's secret>. Check it before trusting the body.",
    url: "Endpoint URL",
    url_hint: "https:// only; it must reach the public internet.",
    events: "Events",
    event_names: [
        "A channel's status changed",
        "A message was received",
        "A reply was delivered or read",
        "A conversation was assigned",
    ],
    add: "Add endpoint",
    adding: "Adding…",
    secret: "Signing secret",
    secret_once: "Copy it now: it is shown only this once.",
    done: "I have copied it",
    none_yet: "No endpoints yet.",
    active: "Active",
    paused: "Paused after 50 failures in a row",
    resume: "Resume",
    remove: "Remove",
    remove_question: "Remove this endpoint? The events waiting for it are dropped.",
    yes_remove: "Yes, remove",
    cancel: "Cancel",
    send_test: "Send test event",
    sending: "Sending…",
    log: "Delivery log",
    hide_log: "Hide delivery log",
    no_attempts: "Nothing sent yet.",
    log_columns: ["When", "Event", "Outcome", "Answer", "Time", "Next try"],
    outcomes: ["Delivered", "Failed", "Given up"],
    no_answer: "No answer",
    waiting: |n, l| count(n, l, "event waiting", "events waiting"),
    failures: |n, l| count(n, l, "failure in a row", "failures in a row"),
    test_delivered: |code, ms| format!("Delivered: answered {code} in {ms} ms"),
    test_failed: |why| format!("Not delivered: {why}"),
};

pub const ES: WebhookTexts = WebhookTexts {
    intro: "Aurora envía por POST cada evento que elijas a tu endpoint en JSON, y lo reintenta durante 24 horas si no responde 2xx. Cada evento tiene un id: si llega dos veces, quédate con el primero.",
    signature_hint: "Cada solicitud lleva Aurora-Signature: t=<hora>,v1=<HMAC-SHA256 en hex de \"<hora>.<cuerpo>\" con el secreto del endpoint>. Compruébala antes de confiar en el cuerpo.",
    url: "URL del endpoint",
    url_hint: "Solo https://; debe estar en internet pública.",
    events: "Eventos",
    event_names: [
        "Cambió el estado de un canal",
        "Se recibió un mensaje",
        "Una respuesta se entregó o se leyó",
        "Se asignó una conversación",
    ],
    add: "Agregar endpoint",
    adding: "Agregando…",
    secret: "Secreto de firma",
    secret_once: "Cópialo ahora: solo se muestra esta vez.",
    done: "Ya lo copié",
    none_yet: "Todavía no hay endpoints.",
    active: "Activo",
    paused: "En pausa tras 50 fallos seguidos",
    resume: "Reanudar",
    remove: "Eliminar",
    remove_question: "¿Eliminar este endpoint? Los eventos que esperan por él se descartan.",
    yes_remove: "Sí, eliminar",
    cancel: "Cancelar",
    send_test: "Enviar evento de prueba",
    sending: "Enviando…",
    log: "Registro de entregas",
    hide_log: "Ocultar registro de entregas",
    no_attempts: "Todavía no se envió nada.",
    log_columns: ["Cuándo", "Evento", "Resultado", "Respuesta", "Tiempo", "Próximo intento"],
    outcomes: ["Entregado", "Falló", "Abandonado"],
    no_answer: "Sin respuesta",
    waiting: |n, l| count(n, l, "evento en espera", "eventos en espera"),
    failures: |n, l| count(n, l, "fallo seguido", "fallos seguidos"),
    test_delivered: |code, ms| format!("Entregado: respondió {code} en {ms} ms"),
    test_failed: |why| format!("No se entregó: {why}"),
};

pub const PT_BR: WebhookTexts = WebhookTexts {
    intro: "O Aurora envia por POST cada evento que você escolher para o seu endpoint em JSON, e tenta de novo por 24 horas se ele não responder 2xx. Cada evento tem um id: se chegar duas vezes, fique com o primeiro.",
    signature_hint: "Cada requisição leva Aurora-Signature: t=<hora>,v1=<HMAC-SHA256 em hex de \"<hora>.<corpo>\" com o segredo do endpoint>. Confira antes de confiar no corpo.",
    url: "URL do endpoint",
    url_hint: "Só https://; precisa estar na internet pública.",
    events: "Eventos",
    event_names: [
        "O status de um canal mudou",
        "Uma mensagem foi recebida",
        "Uma resposta foi entregue ou lida",
        "Uma conversa foi atribuída",
    ],
    add: "Adicionar endpoint",
    adding: "Adicionando…",
    secret: "Segredo de assinatura",
    secret_once: "Copie agora: ele só é mostrado desta vez.",
    done: "Já copiei",
    none_yet: "Ainda não há endpoints.",
    active: "Ativo",
    paused: "Pausado após 50 falhas seguidas",
    resume: "Retomar",
    remove: "Remover",
    remove_question: "Remover este endpoint? Os eventos que esperam por ele são descartados.",
    yes_remove: "Sim, remover",
    cancel: "Cancelar",
    send_test: "Enviar evento de teste",
    sending: "Enviando…",
    log: "Registro de entregas",
    hide_log: "Ocultar registro de entregas",
    no_attempts: "Nada foi enviado ainda.",
    log_columns: ["Quando", "Evento", "Resultado", "Resposta", "Tempo", "Próxima tentativa"],
    outcomes: ["Entregue", "Falhou", "Desistido"],
    no_answer: "Sem resposta",
    waiting: |n, l| count(n, l, "evento aguardando", "eventos aguardando"),
    failures: |n, l| count(n, l, "falha seguida", "falhas seguidas"),
    test_delivered: |code, ms| format!("Entregue: respondeu {code} em {ms} ms"),
    test_failed: |why| format!("Não entregue: {why}"),
};
