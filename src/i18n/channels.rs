//! The Channels page's words: the cards, linking, the session's health and the dialogs.
//! WhatsApp's own menu names are written as each language's WhatsApp shows them.

use crate::domain::account::AccountStatus;
use crate::domain::account::DisconnectReason;
use crate::domain::locale::{format_integer, Locale};
use crate::domain::size::format_bytes;
use crate::domain::time::format_utc;
use crate::views::channels::{AccountDataCounts, Disconnection, LinkFailure, PhoneMismatch};

pub struct ChannelTexts {
    // The page.
    pub add: &'static str,
    pub channels_used: fn(usize, i64) -> String,
    pub at_limit: &'static str,
    pub show_disabled: fn(usize) -> String,
    pub accounts_label: &'static str,
    pub no_accounts: &'static str,
    pub outdated_banner: &'static str,
    pub disabled_notice: fn(&str) -> String,
    pub undo: &'static str,
    // A card.
    pub account_label: fn(&str) -> String,
    pub statuses: [&'static str; 5],
    pub reconnecting: &'static str,
    pub phone_number: &'static str,
    pub business_name: &'static str,
    pub cellphone_user: &'static str,
    pub funnel: &'static str,
    pub owner: &'static str,
    pub visible_to: &'static str,
    pub visible_only_to: &'static str,
    pub everyone: &'static str,
    pub not_set: &'static str,
    pub finish_setup_hint: &'static str,
    pub setup: &'static str,
    pub finish_setup: &'static str,
    pub saved: &'static str,
    pub connect: &'static str,
    pub disconnect: &'static str,
    pub disconnect_title: &'static str,
    pub disconnect_text: &'static str,
    pub disconnected: &'static str,
    pub disconnection: fn(&Disconnection) -> String,
    pub link_failure: fn(&LinkFailure) -> String,
    pub phone_mismatch: fn(&PhoneMismatch) -> String,
    pub disable: &'static str,
    pub disable_title: &'static str,
    pub disable_text: &'static str,
    pub disabled_hint: &'static str,
    pub enable: &'static str,
    pub delete: &'static str,
    pub cancel: &'static str,
    pub delete_title: &'static str,
    pub counting: &'static str,
    pub consequences: fn(&AccountDataCounts) -> Vec<String>,
    pub type_to_confirm: fn(&str) -> String,
    pub deleting_percent: fn(u8) -> String,
    pub deletion_progress: &'static str,
    pub deleting_hint: &'static str,
    pub wrong_phone_hint: &'static str,
    pub keep_new_number: &'static str,
    pub unlink_and_scan: &'static str,
    // Linking.
    pub generate_new_code: &'static str,
    pub show_qr_instead: &'static str,
    pub qr_label: &'static str,
    pub generating_qr: &'static str,
    pub qr_expired: &'static str,
    pub new_code_in: &'static str,
    pub seconds: &'static str,
    pub steps: [&'static str; 4],
    pub passkey_title: &'static str,
    pub passkey_why: &'static str,
    pub passkey_handoff: &'static str,
    pub passkey_code_label: &'static str,
    pub passkey_unexpected: &'static str,
    pub passkey_received: &'static str,
    pub confirm_code: &'static str,
    pub passkey_accepted: &'static str,
    pub link_with_phone: &'static str,
    pub enter_code: &'static str,
    pub pairing_code: &'static str,
    pub pairing_path: &'static str,
    pub get_pairing_code: &'static str,
    // The session's health.
    pub online: &'static str,
    pub last_activity: &'static str,
    pub reconnects: fn(u64) -> String,
    pub importing: fn(u64, u64) -> String,
    pub unaccepted: &'static str,
    pub unaccepted_hint: &'static str,
    pub connection_lost: &'static str,
    pub unreachable: &'static str,
    pub waiting_for_update: &'static str,
    pub attempt: fn(u32) -> String,
    pub unreachable_hint: &'static str,
    pub connecting_to_whatsapp: &'static str,
    pub retry_now: &'static str,
    pub details: &'static str,
    pub hide_details: &'static str,
    pub reading_counters: &'static str,
    pub refresh: &'static str,
    pub figures: [&'static str; 9],
    pub none_yet: &'static str,
    pub not_reported: &'static str,
}

impl ChannelTexts {
    pub fn status(&self, status: AccountStatus) -> &'static str {
        self.statuses[match status {
            AccountStatus::Connecting => 0,
            AccountStatus::Connected => 1,
            AccountStatus::Disconnected => 2,
            AccountStatus::Disabled => 3,
            AccountStatus::Deleting => 4,
        }]
    }
}

/// "1 message" / "1,234 messages": `n` as `locale` writes it, with the word for one or many.
fn count(n: u64, locale: Locale, one: &str, many: &str) -> String {
    let word = if n == 1 { one } else { many };
    format!("{} {word}", format_integer(n as i64, locale))
}

pub const EN: ChannelTexts = ChannelTexts {
    add: "Add",
    channels_used: |used, limit| format!("{used} of {limit} channels used"),
    at_limit: ". Disable a number or ask for a larger plan to add another.",
    show_disabled: |n| format!("Show disabled ({n})"),
    accounts_label: "WhatsApp Web accounts",
    no_accounts: "No WhatsApp numbers linked yet. Click Add to show a QR code and scan it from your phone.",
    outdated_banner: "WhatsApp refused this version of Aurora; update the server. Aurora retries by itself meanwhile.",
    disabled_notice: |title| format!("{title} disabled."),
    undo: "Undo",
    account_label: |title| format!("WhatsApp account {title}"),
    statuses: ["Connecting", "Connected", "Disconnected", "Disabled", "Deleting"],
    reconnecting: "Reconnecting",
    phone_number: "Phone number",
    business_name: "Business name",
    cellphone_user: "Cellphone user",
    funnel: "Funnel",
    owner: "Owner",
    visible_to: "Visible to",
    visible_only_to: "Visible only to",
    everyone: "Everyone on the team",
    not_set: "Not set",
    finish_setup_hint: "Finish setup to choose who holds the phone, where new chats go and who sees them.",
    setup: "Setup",
    finish_setup: "Finish setup",
    saved: "Saved",
    connect: "Connect",
    disconnect: "Disconnect",
    disconnect_title: "Disconnect this WhatsApp account?",
    disconnect_text: "The phone will show this device as removed. Conversations stay in Aurora; you can link the number again later.",
    disconnected: "Disconnected",
    disconnection: Disconnection::english,
    link_failure: LinkFailure::english,
    phone_mismatch: PhoneMismatch::english,
    disable: "Disable",
    disable_title: "Disable this WhatsApp account?",
    disable_text: "It is hidden and stops counting toward your plan. Its conversations are kept; Enable brings it back.",
    disabled_hint: "Disabled: hidden while Active is on. Its conversations are kept.",
    enable: "Enable",
    delete: "Delete",
    cancel: "Cancel",
    delete_title: "Delete WhatsApp Web account",
    counting: "Counting what will be deleted…",
    consequences: |c| {
        let n = |n: i64, one, many| count(n as u64, Locale::En, one, many);
        vec![
            format!("{} will be deleted", n(c.conversations, "conversation", "conversations")),
            format!(
                "{} associated only with this channel will be deleted",
                n(c.contacts, "contact", "contacts")
            ),
            format!(
                "{} will be deleted",
                n(c.scheduled_messages, "scheduled message", "scheduled messages")
            ),
            format!(
                "{} ({}) will be deleted",
                n(c.media_files, "media file", "media files"),
                format_bytes(c.media_bytes, Locale::En)
            ),
            "This action cannot be undone".into(),
        ]
    },
    type_to_confirm: |name| format!("Type {name} to confirm"),
    deleting_percent: |p| format!("Deleting… {p}%"),
    deletion_progress: "Deletion progress",
    deleting_hint: "Conversations, contacts only this channel had, scheduled messages and media files are being removed.",
    wrong_phone_hint: "Keep the number that scanned, or unlink it and scan with the right phone.",
    keep_new_number: "Keep the new number",
    unlink_and_scan: "Unlink and scan again",
    generate_new_code: "Generate new code",
    show_qr_instead: "Show the QR code instead (to scan from another device)",
    qr_label: "WhatsApp QR code",
    generating_qr: "Generating QR code…",
    qr_expired: "QR code expired",
    new_code_in: "New code in ",
    seconds: " s",
    steps: [
        "Open WhatsApp on your phone",
        "Go to Linked Devices (Settings on iPhone, the ⋮ menu on Android)",
        "Tap Link a Device",
        "Point your phone at this screen to scan the QR code",
    ],
    passkey_title: "WhatsApp asks for your passkey",
    passkey_why: "This account is protected by a passkey, which only works on WhatsApp's own site. WhatsApp wants it before it links a new device.",
    passkey_handoff: "On a computer where your passkey works, open web.whatsapp.com with the Aurora extension and give it this one-time code:",
    passkey_code_label: "One-time passkey code",
    passkey_unexpected: "If you did not expect this, press Cancel.",
    passkey_received: "Passkey received. WhatsApp is checking it…",
    confirm_code: "Confirm this code on your phone: ",
    passkey_accepted: "Passkey accepted. Finishing the link…",
    link_with_phone: "Link with phone number instead",
    enter_code: "Enter this code on your phone:",
    pairing_code: "Pairing code",
    pairing_path: "WhatsApp > Linked Devices > Link a Device > Link with phone number instead.",
    get_pairing_code: "Get pairing code",
    online: "Online",
    last_activity: " · last activity ",
    reconnects: |n| count(n, Locale::En, "reconnect", "reconnects"),
    importing: |c, m| {
        format!(
            "Importing chats… {}, {}",
            count(c, Locale::En, "conversation", "conversations"),
            count(m, Locale::En, "message", "messages")
        )
    },
    unaccepted: "⚠ Messages aren't being accepted by WhatsApp (since ",
    unaccepted_hint: "Replies sent meanwhile are marked Not confirmed. The warning clears as soon as WhatsApp accepts a message; if it lasts, link the number again.",
    connection_lost: "Connection lost — reconnecting in ",
    unreachable: "Can't reach WhatsApp — retrying in ",
    waiting_for_update: "Waiting for a server update (see above) — next try in ",
    attempt: |n| format!(" s (attempt {n})"),
    unreachable_hint: "Aurora keeps trying by itself. If this lasts, check this server's internet connection.",
    connecting_to_whatsapp: "Connecting to WhatsApp…",
    retry_now: "Retry now",
    details: "Details",
    hide_details: "Hide details",
    reading_counters: "Reading the session's counters…",
    refresh: "Refresh",
    figures: [
        "Messages received",
        "Messages sent",
        "Frames received",
        "Frames sent",
        "Data received",
        "Data sent",
        "Reconnects",
        "Memory retained",
        "Last activity",
    ],
    none_yet: "none yet",
    not_reported: "not reported",
};

pub const ES: ChannelTexts = ChannelTexts {
    add: "Agregar",
    channels_used: |used, limit| format!("{used} de {limit} canales en uso"),
    at_limit: ". Desactiva un número o pide un plan más grande para agregar otro.",
    show_disabled: |n| format!("Mostrar desactivados ({n})"),
    accounts_label: "Cuentas de WhatsApp Web",
    no_accounts: "Todavía no hay números de WhatsApp vinculados. Haz clic en Agregar para ver un código QR y escanéalo desde tu teléfono.",
    outdated_banner: "WhatsApp rechazó esta versión de Aurora; actualiza el servidor. Mientras tanto, Aurora vuelve a intentarlo sola.",
    disabled_notice: |title| format!("{title} desactivado."),
    undo: "Deshacer",
    account_label: |title| format!("Cuenta de WhatsApp {title}"),
    statuses: ["Conectando", "Conectado", "Desconectado", "Desactivado", "Eliminando"],
    reconnecting: "Reconectando",
    phone_number: "Número de teléfono",
    business_name: "Nombre del negocio",
    cellphone_user: "Usuario del celular",
    funnel: "Embudo",
    owner: "Responsable",
    visible_to: "Visible para",
    visible_only_to: "Visible solo para",
    everyone: "Todo el equipo",
    not_set: "Sin definir",
    finish_setup_hint: "Termina la configuración para elegir quién tiene el teléfono, adónde van los chats nuevos y quién los ve.",
    setup: "Configurar",
    finish_setup: "Terminar configuración",
    saved: "Guardado",
    connect: "Conectar",
    disconnect: "Desconectar",
    disconnect_title: "¿Desconectar esta cuenta de WhatsApp?",
    disconnect_text: "El teléfono mostrará este dispositivo como eliminado. Las conversaciones se quedan en Aurora; puedes volver a vincular el número más tarde.",
    disconnected: "Desconectado",
    link_failure: |f| match f {
        LinkFailure::Interrupted => "Vinculación interrumpida por un reinicio".into(),
        LinkFailure::PasskeyRefused(why) => format!("WhatsApp no aceptó la llave de acceso: {why}"),
        LinkFailure::NotLinked(why) => format!("No se pudo vincular el teléfono: {why}"),
        LinkFailure::Other(words) => words.clone(),
    },
    disconnection: |d| match (d.reason, &d.by, d.banned_until_ms) {
        (DisconnectReason::ByUser, Some(name), _) => format!("Desconectado por {name}"),
        (DisconnectReason::ByUser, None, _) => "Desconectado en Aurora".into(),
        (DisconnectReason::UnlinkedFromPhone, ..) => "Desvinculado desde el teléfono".into(),
        (DisconnectReason::Banned, _, Some(until)) => {
            format!("WhatsApp bloqueó este número hasta {}", format_utc(until))
        }
        (DisconnectReason::Banned, ..) => "WhatsApp bloqueó este número".into(),
        (DisconnectReason::ClientOutdated, ..) => {
            "WhatsApp rechazó esta versión del cliente".into()
        }
        (DisconnectReason::Replaced, ..) => {
            "Reemplazado por otra conexión del mismo dispositivo".into()
        }
        (DisconnectReason::LinkingInterrupted, ..) => {
            "Vinculación interrumpida por un reinicio".into()
        }
        (DisconnectReason::LinkingCancelled, ..) => "Vinculación cancelada".into(),
    },
    phone_mismatch: |m| {
        format!(
            "El teléfono vinculado {} no es el número configurado {}",
            m.linked, m.configured
        )
    },
    disable: "Desactivar",
    disable_title: "¿Desactivar esta cuenta de WhatsApp?",
    disable_text: "Se oculta y deja de contar para tu plan. Sus conversaciones se conservan; Activar la trae de vuelta.",
    disabled_hint: "Desactivada: oculta mientras Activos está encendido. Sus conversaciones se conservan.",
    enable: "Activar",
    delete: "Eliminar",
    cancel: "Cancelar",
    delete_title: "Eliminar cuenta de WhatsApp Web",
    counting: "Contando lo que se eliminará…",
    consequences: |c| {
        let n = |n: i64, one, many| count(n as u64, Locale::Es, one, many);
        // The verb (and "asociado") agree with the count.
        let will = |k: i64| if k == 1 { "Se eliminará" } else { "Se eliminarán" };
        let only_here = if c.contacts == 1 { "asociado" } else { "asociados" };
        vec![
            format!("{} {}", will(c.conversations), n(c.conversations, "conversación", "conversaciones")),
            format!(
                "{} {} {only_here} solo a este canal",
                will(c.contacts),
                n(c.contacts, "contacto", "contactos")
            ),
            format!(
                "{} {}",
                will(c.scheduled_messages),
                n(c.scheduled_messages, "mensaje programado", "mensajes programados")
            ),
            format!(
                "{} {} ({})",
                will(c.media_files),
                n(c.media_files, "archivo multimedia", "archivos multimedia"),
                format_bytes(c.media_bytes, Locale::Es)
            ),
            "Esta acción no se puede deshacer".into(),
        ]
    },
    type_to_confirm: |name| format!("Escribe {name} para confirmar"),
    deleting_percent: |p| format!("Eliminando… {p}\u{a0}%"),
    deletion_progress: "Progreso de la eliminación",
    deleting_hint: "Se están eliminando las conversaciones, los contactos que solo tenía este canal, los mensajes programados y los archivos.",
    wrong_phone_hint: "Conserva el número que escaneó, o desvincúlalo y escanea con el teléfono correcto.",
    keep_new_number: "Conservar el número nuevo",
    unlink_and_scan: "Desvincular y escanear de nuevo",
    generate_new_code: "Generar código nuevo",
    show_qr_instead: "Mostrar el código QR (para escanearlo desde otro dispositivo)",
    qr_label: "Código QR de WhatsApp",
    generating_qr: "Generando código QR…",
    qr_expired: "El código QR expiró",
    new_code_in: "Código nuevo en ",
    seconds: " s",
    steps: [
        "Abre WhatsApp en tu teléfono",
        "Ve a Dispositivos vinculados (en Configuración en iPhone, en el menú ⋮ en Android)",
        "Toca Vincular un dispositivo",
        "Apunta tu teléfono a esta pantalla para escanear el código QR",
    ],
    passkey_title: "WhatsApp pide tu llave de acceso",
    passkey_why: "Esta cuenta está protegida con una llave de acceso, que solo funciona en el sitio de WhatsApp. WhatsApp la pide antes de vincular un dispositivo nuevo.",
    passkey_handoff: "En una computadora donde funcione tu llave de acceso, abre web.whatsapp.com con la extensión de Aurora y dale este código de un solo uso:",
    passkey_code_label: "Código de un solo uso para la llave de acceso",
    passkey_unexpected: "Si no esperabas esto, presiona Cancelar.",
    passkey_received: "Llave de acceso recibida. WhatsApp la está verificando…",
    confirm_code: "Confirma este código en tu teléfono: ",
    passkey_accepted: "Llave de acceso aceptada. Terminando la vinculación…",
    link_with_phone: "Vincular con el número de teléfono",
    enter_code: "Ingresa este código en tu teléfono:",
    pairing_code: "Código de vinculación",
    pairing_path: "WhatsApp > Dispositivos vinculados > Vincular un dispositivo > Vincular con el número de teléfono.",
    get_pairing_code: "Obtener código de vinculación",
    online: "En línea",
    last_activity: " · última actividad ",
    reconnects: |n| count(n, Locale::Es, "reconexión", "reconexiones"),
    importing: |c, m| {
        format!(
            "Importando chats… {}, {}",
            count(c, Locale::Es, "conversación", "conversaciones"),
            count(m, Locale::Es, "mensaje", "mensajes")
        )
    },
    unaccepted: "⚠ WhatsApp no está aceptando los mensajes (desde las ",
    unaccepted_hint: "Las respuestas enviadas mientras tanto quedan como No confirmadas. El aviso desaparece en cuanto WhatsApp acepta un mensaje; si continúa, vuelve a vincular el número.",
    connection_lost: "Se perdió la conexión — reconectando en ",
    unreachable: "No se puede contactar a WhatsApp — reintentando en ",
    waiting_for_update: "Esperando una actualización del servidor (ver arriba) — próximo intento en ",
    attempt: |n| format!(" s (intento {n})"),
    unreachable_hint: "Aurora sigue intentándolo sola. Si esto continúa, revisa la conexión a internet de este servidor.",
    connecting_to_whatsapp: "Conectando con WhatsApp…",
    retry_now: "Reintentar ahora",
    details: "Detalles",
    hide_details: "Ocultar detalles",
    reading_counters: "Leyendo los contadores de la sesión…",
    refresh: "Actualizar",
    figures: [
        "Mensajes recibidos",
        "Mensajes enviados",
        "Tramas recibidas",
        "Tramas enviadas",
        "Datos recibidos",
        "Datos enviados",
        "Reconexiones",
        "Memoria retenida",
        "Última actividad",
    ],
    none_yet: "ninguna todavía",
    not_reported: "no informada",
};

pub const PT_BR: ChannelTexts = ChannelTexts {
    add: "Adicionar",
    channels_used: |used, limit| format!("{used} de {limit} canais em uso"),
    at_limit: ". Desative um número ou peça um plano maior para adicionar outro.",
    show_disabled: |n| format!("Mostrar desativados ({n})"),
    accounts_label: "Contas do WhatsApp Web",
    no_accounts: "Nenhum número de WhatsApp conectado ainda. Clique em Adicionar para ver um código QR e escaneie-o com o seu celular.",
    outdated_banner: "O WhatsApp recusou esta versão do Aurora; atualize o servidor. Enquanto isso, o Aurora tenta de novo sozinho.",
    disabled_notice: |title| format!("{title} desativado."),
    undo: "Desfazer",
    account_label: |title| format!("Conta do WhatsApp {title}"),
    statuses: ["Conectando", "Conectado", "Desconectado", "Desativado", "Excluindo"],
    reconnecting: "Reconectando",
    phone_number: "Número de telefone",
    business_name: "Nome da empresa",
    cellphone_user: "Usuário do celular",
    funnel: "Funil",
    owner: "Responsável",
    visible_to: "Visível para",
    visible_only_to: "Visível apenas para",
    everyone: "Toda a equipe",
    not_set: "Não definido",
    finish_setup_hint: "Conclua a configuração para escolher quem fica com o celular, para onde vão as novas conversas e quem as vê.",
    setup: "Configurar",
    finish_setup: "Concluir configuração",
    saved: "Salvo",
    connect: "Conectar",
    disconnect: "Desconectar",
    disconnect_title: "Desconectar esta conta do WhatsApp?",
    disconnect_text: "O celular vai mostrar este aparelho como removido. As conversas ficam no Aurora; você pode conectar o número de novo depois.",
    disconnected: "Desconectado",
    link_failure: |f| match f {
        LinkFailure::Interrupted => "Conexão interrompida por uma reinicialização".into(),
        LinkFailure::PasskeyRefused(why) => format!("O WhatsApp não aceitou a chave de acesso: {why}"),
        LinkFailure::NotLinked(why) => format!("Não foi possível conectar o celular: {why}"),
        LinkFailure::Other(words) => words.clone(),
    },
    disconnection: |d| match (d.reason, &d.by, d.banned_until_ms) {
        (DisconnectReason::ByUser, Some(name), _) => format!("Desconectado por {name}"),
        (DisconnectReason::ByUser, None, _) => "Desconectado no Aurora".into(),
        (DisconnectReason::UnlinkedFromPhone, ..) => "Desconectado pelo celular".into(),
        (DisconnectReason::Banned, _, Some(until)) => {
            format!("O WhatsApp baniu este número até {}", format_utc(until))
        }
        (DisconnectReason::Banned, ..) => "O WhatsApp baniu este número".into(),
        (DisconnectReason::ClientOutdated, ..) => {
            "O WhatsApp recusou esta versão do cliente".into()
        }
        (DisconnectReason::Replaced, ..) => {
            "Substituído por outra conexão do mesmo aparelho".into()
        }
        (DisconnectReason::LinkingInterrupted, ..) => {
            "Conexão interrompida por uma reinicialização".into()
        }
        (DisconnectReason::LinkingCancelled, ..) => "Conexão cancelada".into(),
    },
    phone_mismatch: |m| {
        format!(
            "O celular conectado {} não é o número configurado {}",
            m.linked, m.configured
        )
    },
    disable: "Desativar",
    disable_title: "Desativar esta conta do WhatsApp?",
    disable_text: "Ela fica oculta e deixa de contar no seu plano. As conversas são mantidas; Ativar a traz de volta.",
    disabled_hint: "Desativada: oculta enquanto Ativos estiver ligado. As conversas são mantidas.",
    enable: "Ativar",
    delete: "Excluir",
    cancel: "Cancelar",
    delete_title: "Excluir conta do WhatsApp Web",
    counting: "Contando o que será excluído…",
    consequences: |c| {
        let n = |n: i64, one, many| count(n as u64, Locale::PtBr, one, many);
        // The verb agrees with the count and the noun's gender.
        let feminine = |k: i64| if k == 1 { "Será excluída" } else { "Serão excluídas" };
        let masculine = |k: i64| if k == 1 { "Será excluído" } else { "Serão excluídos" };
        let only_here = if c.contacts == 1 { "associado" } else { "associados" };
        vec![
            format!("{} {}", feminine(c.conversations), n(c.conversations, "conversa", "conversas")),
            format!(
                "{} {} {only_here} só a este canal",
                masculine(c.contacts),
                n(c.contacts, "contato", "contatos")
            ),
            format!(
                "{} {}",
                feminine(c.scheduled_messages),
                n(c.scheduled_messages, "mensagem agendada", "mensagens agendadas")
            ),
            format!(
                "{} {} ({})",
                masculine(c.media_files),
                n(c.media_files, "arquivo de mídia", "arquivos de mídia"),
                format_bytes(c.media_bytes, Locale::PtBr)
            ),
            "Esta ação não pode ser desfeita".into(),
        ]
    },
    type_to_confirm: |name| format!("Digite {name} para confirmar"),
    deleting_percent: |p| format!("Excluindo… {p}%"),
    deletion_progress: "Progresso da exclusão",
    deleting_hint: "As conversas, os contatos que só este canal tinha, as mensagens agendadas e os arquivos estão sendo removidos.",
    wrong_phone_hint: "Mantenha o número que escaneou, ou desconecte-o e escaneie com o celular certo.",
    keep_new_number: "Manter o novo número",
    unlink_and_scan: "Desconectar e escanear de novo",
    generate_new_code: "Gerar novo código",
    show_qr_instead: "Mostrar o código QR (para escanear de outro aparelho)",
    qr_label: "Código QR do WhatsApp",
    generating_qr: "Gerando código QR…",
    qr_expired: "O código QR expirou",
    new_code_in: "Novo código em ",
    seconds: " s",
    steps: [
        "Abra o WhatsApp no seu celular",
        "Vá em Aparelhos conectados (em Configurações no iPhone, no menu ⋮ no Android)",
        "Toque em Conectar um aparelho",
        "Aponte o celular para esta tela para escanear o código QR",
    ],
    passkey_title: "O WhatsApp pede sua chave de acesso",
    passkey_why: "Esta conta é protegida por uma chave de acesso, que só funciona no site do próprio WhatsApp. O WhatsApp a pede antes de conectar um novo aparelho.",
    passkey_handoff: "Em um computador onde sua chave de acesso funcione, abra web.whatsapp.com com a extensão do Aurora e informe este código de uso único:",
    passkey_code_label: "Código de uso único da chave de acesso",
    passkey_unexpected: "Se você não esperava isto, clique em Cancelar.",
    passkey_received: "Chave de acesso recebida. O WhatsApp está verificando…",
    confirm_code: "Confirme este código no seu celular: ",
    passkey_accepted: "Chave de acesso aceita. Concluindo a conexão…",
    link_with_phone: "Conectar com número de telefone",
    enter_code: "Digite este código no seu celular:",
    pairing_code: "Código de conexão",
    pairing_path: "WhatsApp > Aparelhos conectados > Conectar um aparelho > Conectar com número de telefone.",
    get_pairing_code: "Obter código de conexão",
    online: "On-line",
    last_activity: " · última atividade ",
    reconnects: |n| count(n, Locale::PtBr, "reconexão", "reconexões"),
    importing: |c, m| {
        format!(
            "Importando conversas… {}, {}",
            count(c, Locale::PtBr, "conversa", "conversas"),
            count(m, Locale::PtBr, "mensagem", "mensagens")
        )
    },
    unaccepted: "⚠ O WhatsApp não está aceitando as mensagens (desde ",
    unaccepted_hint: "As respostas enviadas enquanto isso ficam como Não confirmadas. O aviso some assim que o WhatsApp aceitar uma mensagem; se continuar, conecte o número de novo.",
    connection_lost: "Conexão perdida — reconectando em ",
    unreachable: "Não foi possível falar com o WhatsApp — tentando de novo em ",
    waiting_for_update: "Aguardando uma atualização do servidor (veja acima) — próxima tentativa em ",
    attempt: |n| format!(" s (tentativa {n})"),
    unreachable_hint: "O Aurora continua tentando sozinho. Se isso continuar, verifique a conexão deste servidor com a internet.",
    connecting_to_whatsapp: "Conectando ao WhatsApp…",
    retry_now: "Tentar agora",
    details: "Detalhes",
    hide_details: "Ocultar detalhes",
    reading_counters: "Lendo os contadores da sessão…",
    refresh: "Atualizar",
    figures: [
        "Mensagens recebidas",
        "Mensagens enviadas",
        "Quadros recebidos",
        "Quadros enviados",
        "Dados recebidos",
        "Dados enviados",
        "Reconexões",
        "Memória retida",
        "Última atividade",
    ],
    none_yet: "nenhuma ainda",
    not_reported: "não informada",
};

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(conversations: i64, contacts: i64) -> AccountDataCounts {
        AccountDataCounts {
            conversations,
            contacts,
            scheduled_messages: 0,
            media_files: 3,
            media_bytes: 2_500_000,
            messages: 400,
        }
    }

    #[test]
    fn the_delete_warning_lists_every_consequence_with_its_count() {
        assert_eq!(
            (EN.consequences)(&counts(12, 1)),
            vec![
                "12 conversations will be deleted",
                "1 contact associated only with this channel will be deleted",
                "0 scheduled messages will be deleted",
                "3 media files (2.5 MB) will be deleted",
                "This action cannot be undone",
            ]
        );
        assert_eq!(
            (ES.consequences)(&counts(1, 2))[..2],
            [
                "Se eliminará 1 conversación",
                "Se eliminarán 2 contactos asociados solo a este canal"
            ]
        );
        assert_eq!(
            (PT_BR.consequences)(&counts(1_234, 1))[..2],
            [
                "Serão excluídas 1.234 conversas",
                "Será excluído 1 contato associado só a este canal"
            ]
        );
    }

    #[test]
    fn every_disconnection_is_worded_in_each_language() {
        for reason in DisconnectReason::ALL {
            let disconnection = Disconnection {
                reason,
                by: Some("Ana".into()),
                banned_until_ms: Some(1_795_569_600_000),
            };
            let english = (EN.disconnection)(&disconnection);
            for other in [&ES, &PT_BR] {
                assert_ne!((other.disconnection)(&disconnection), english, "{reason:?}");
            }
        }
    }

    #[test]
    fn a_failed_link_is_worded_in_each_language_with_whatsapps_reason_kept() {
        let refused = LinkFailure::PasskeyRefused("assertion rejected".into());
        let english = refused.english();
        assert_eq!(LinkFailure::parse(&english), refused);
        assert_eq!(
            LinkFailure::parse(&LinkFailure::Interrupted.english()),
            LinkFailure::Interrupted
        );
        assert_eq!(
            (PT_BR.link_failure)(&refused),
            "O WhatsApp não aceitou a chave de acesso: assertion rejected"
        );
        for failure in [
            LinkFailure::Interrupted,
            refused,
            LinkFailure::NotLinked("bad signature".into()),
        ] {
            for other in [&ES, &PT_BR] {
                assert_ne!((other.link_failure)(&failure), (EN.link_failure)(&failure));
            }
        }
        let unknown = LinkFailure::parse("the phone said no");
        assert_eq!((ES.link_failure)(&unknown), "the phone said no");
    }

    #[test]
    fn counts_are_written_as_each_language_writes_numbers() {
        assert_eq!(
            (EN.importing)(1, 1_500),
            "Importing chats… 1 conversation, 1,500 messages"
        );
        assert_eq!(
            (ES.importing)(2, 1),
            "Importando chats… 2 conversaciones, 1 mensaje"
        );
        assert_eq!((PT_BR.reconnects)(1_000), "1.000 reconexões");
        assert_eq!((ES.deleting_percent)(40), "Eliminando… 40\u{a0}%");
    }
}
