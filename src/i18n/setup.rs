//! The setup wizard's words, and the server's refusals of its fields worded for the page.

use crate::domain::account::AccountStatus;
use crate::domain::identity::{NameProblem, MAX_NAME_CHARS};
use crate::domain::wizard::{SetupAction, SetupProblem, WizardStep};

pub struct SetupTexts {
    pub title: &'static str,
    pub close: &'static str,
    pub steps: [&'static str; 5],
    pub step_count: fn(usize, usize) -> String,
    pub reload: &'static str,
    pub cancel: &'static str,
    pub back: &'static str,
    pub next: &'static str,
    pub save: &'static str,
    pub connect: &'static str,
    pub saving: &'static str,
    pub phone_number: &'static str,
    pub linked_phone_hint: &'static str,
    pub country: &'static str,
    pub countries: &'static str,
    pub no_country: &'static str,
    pub choose_country_first: &'static str,
    pub checking: &'static str,
    pub saved_as: &'static str,
    pub use_anyway: &'static str,
    pub name: &'static str,
    pub name_hint: &'static str,
    pub cellphone_user: &'static str,
    pub choose_member: &'static str,
    pub cellphone_user_hint: &'static str,
    pub funnel: &'static str,
    pub choose_funnel: &'static str,
    pub funnel_hint: &'static str,
    pub owner: &'static str,
    pub no_owner: &'static str,
    pub owner_hint: &'static str,
    pub restricted_legend: &'static str,
    pub restricted_hint: &'static str,
    /// " (owner and cellphone user)", " (owner)", " (cellphone user)".
    pub roles: [&'static str; 3],
    pub read_receipts: &'static str,
    pub read_receipts_hint: &'static str,
    pub import_history: &'static str,
    pub import_history_hint: &'static str,
    pub problem: fn(&SetupProblem) -> String,
}

impl SetupTexts {
    pub fn step(&self, step: WizardStep) -> &'static str {
        self.steps[step.number() - 1]
    }

    pub fn action(&self, action: SetupAction) -> &'static str {
        match action {
            SetupAction::Save => self.save,
            SetupAction::Connect => self.connect,
        }
    }
}

pub const EN: SetupTexts = SetupTexts {
    title: "Set up WhatsApp Web account",
    close: "Close",
    steps: ["Phone Number", "Name", "Cellphone User", "Assign New Contacts", "Restricted Access"],
    step_count: |n, of| format!("Step {n} of {of}"),
    reload: "Reload",
    cancel: "Cancel",
    back: "Back",
    next: "Next",
    save: "Save",
    connect: "Connect",
    saving: "Saving…",
    phone_number: "Phone number",
    linked_phone_hint: "This is the number of the phone linked to this account. To use another number, disconnect this one and link that phone.",
    country: "Country",
    countries: "Countries",
    no_country: "No country matches",
    choose_country_first: "Choose the country, then type the number.",
    checking: "Checking…",
    saved_as: "Will be saved as ",
    use_anyway: "Use this number anyway",
    name: "Name",
    name_hint: "Shown in channel lists and on the card.",
    cellphone_user: "Cellphone user",
    choose_member: "Choose a team member",
    cellphone_user_hint: "Required: the team member whose phone is linked to this account.",
    funnel: "Funnel",
    choose_funnel: "Choose a funnel",
    funnel_hint: "Required: the team inbox new conversations from this number go to.",
    owner: "Owner",
    no_owner: "No owner",
    owner_hint: "Optional: who new conversations are assigned to. Only members of the funnel are listed.",
    restricted_legend: "Users who may see this channel's conversations",
    restricted_hint: "Leave empty to let all team members see conversations from this channel. The owner and the cellphone user always see them.",
    roles: [" (owner and cellphone user)", " (owner)", " (cellphone user)"],
    read_receipts: "Send read receipts",
    read_receipts_hint: "When an agent opens a chat, the customer's phone shows their messages as read (blue ticks).",
    import_history: "Import the last 30 days of chats",
    import_history_hint: "When the number is linked, its recent one-to-one chats appear in the inbox, already read. Group chats are not imported.",
    problem: SetupProblem::english,
};

pub const ES: SetupTexts = SetupTexts {
    title: "Configurar cuenta de WhatsApp Web",
    close: "Cerrar",
    steps: ["Número de teléfono", "Nombre", "Usuario del celular", "Asignar contactos nuevos", "Acceso restringido"],
    step_count: |n, of| format!("Paso {n} de {of}"),
    reload: "Recargar",
    cancel: "Cancelar",
    back: "Atrás",
    next: "Siguiente",
    save: "Guardar",
    connect: "Conectar",
    saving: "Guardando…",
    phone_number: "Número de teléfono",
    linked_phone_hint: "Este es el número del teléfono vinculado a esta cuenta. Para usar otro número, desconecta este y vincula ese teléfono.",
    country: "País",
    countries: "Países",
    no_country: "Ningún país coincide",
    choose_country_first: "Elige el país y luego escribe el número.",
    checking: "Verificando…",
    saved_as: "Se guardará como ",
    use_anyway: "Usar este número de todos modos",
    name: "Nombre",
    name_hint: "Se muestra en las listas de canales y en la tarjeta.",
    cellphone_user: "Usuario del celular",
    choose_member: "Elige a alguien del equipo",
    cellphone_user_hint: "Obligatorio: la persona del equipo cuyo teléfono está vinculado a esta cuenta.",
    funnel: "Embudo",
    choose_funnel: "Elige un embudo",
    funnel_hint: "Obligatorio: la bandeja del equipo a la que van las conversaciones nuevas de este número.",
    owner: "Responsable",
    no_owner: "Sin responsable",
    owner_hint: "Opcional: a quién se asignan las conversaciones nuevas. Solo aparecen los miembros del embudo.",
    restricted_legend: "Usuarios que pueden ver las conversaciones de este canal",
    restricted_hint: "Déjalo vacío para que todo el equipo vea las conversaciones de este canal. El responsable y el usuario del celular siempre las ven.",
    roles: [" (responsable y usuario del celular)", " (responsable)", " (usuario del celular)"],
    read_receipts: "Enviar confirmaciones de lectura",
    read_receipts_hint: "Cuando alguien del equipo abre un chat, el teléfono del cliente muestra sus mensajes como leídos (palomitas azules).",
    import_history: "Importar los chats de los últimos 30 días",
    import_history_hint: "Al vincular el número, sus chats individuales recientes aparecen en la bandeja, ya leídos. Los chats de grupo no se importan.",
    problem: |problem| match problem {
        SetupProblem::InvalidPhone => "Ingresa un número de teléfono válido".into(),
        SetupProblem::PhoneUsedBy(other) => format!("Este número ya lo usa {other}"),
        SetupProblem::Name(NameProblem::Required) => "El nombre es obligatorio".into(),
        SetupProblem::Name(NameProblem::TooLong) => {
            format!("El nombre puede tener como máximo {MAX_NAME_CHARS} caracteres")
        }
        SetupProblem::Name(NameProblem::ControlCharacters) => {
            "El nombre no puede tener caracteres de control".into()
        }
        SetupProblem::CellphoneUserRequired => {
            "Elige a la persona del equipo cuyo teléfono está vinculado".into()
        }
        SetupProblem::NotTeamMember => "Elige a alguien de tu equipo".into(),
        SetupProblem::FunnelRequired => "Elige un embudo".into(),
        SetupProblem::UnknownFunnel => "Elige uno de los embudos de tu empresa".into(),
        SetupProblem::OwnerNotInFunnel(funnel) => {
            format!("El responsable debe ser miembro del embudo {funnel}")
        }
        SetupProblem::RestrictedNotTeam => "Elige solo a personas de tu equipo".into(),
        SetupProblem::Stale => "Alguien más cambió esta cuenta; recarga".into(),
        SetupProblem::NotNow(status) => {
            let now = match status {
                AccountStatus::Connecting => "conectándose",
                AccountStatus::Connected => "conectada",
                AccountStatus::Disconnected => "desconectada",
                AccountStatus::Disabled => "desactivada",
                AccountStatus::Deleting => "eliminándose",
            };
            format!("Esta cuenta ahora está {now}; recarga")
        }
    },
};

pub const PT_BR: SetupTexts = SetupTexts {
    title: "Configurar conta do WhatsApp Web",
    close: "Fechar",
    steps: ["Número de telefone", "Nome", "Usuário do celular", "Atribuir novos contatos", "Acesso restrito"],
    step_count: |n, of| format!("Passo {n} de {of}"),
    reload: "Recarregar",
    cancel: "Cancelar",
    back: "Voltar",
    next: "Avançar",
    save: "Salvar",
    connect: "Conectar",
    saving: "Salvando…",
    phone_number: "Número de telefone",
    linked_phone_hint: "Este é o número do celular conectado a esta conta. Para usar outro número, desconecte este e conecte aquele celular.",
    country: "País",
    countries: "Países",
    no_country: "Nenhum país encontrado",
    choose_country_first: "Escolha o país e depois digite o número.",
    checking: "Verificando…",
    saved_as: "Será salvo como ",
    use_anyway: "Usar este número mesmo assim",
    name: "Nome",
    name_hint: "Aparece nas listas de canais e no cartão.",
    cellphone_user: "Usuário do celular",
    choose_member: "Escolha alguém da equipe",
    cellphone_user_hint: "Obrigatório: a pessoa da equipe cujo celular está conectado a esta conta.",
    funnel: "Funil",
    choose_funnel: "Escolha um funil",
    funnel_hint: "Obrigatório: a caixa da equipe para onde vão as novas conversas deste número.",
    owner: "Responsável",
    no_owner: "Sem responsável",
    owner_hint: "Opcional: a quem as novas conversas são atribuídas. Só aparecem os membros do funil.",
    restricted_legend: "Usuários que podem ver as conversas deste canal",
    restricted_hint: "Deixe vazio para que toda a equipe veja as conversas deste canal. O responsável e o usuário do celular sempre as veem.",
    roles: [" (responsável e usuário do celular)", " (responsável)", " (usuário do celular)"],
    read_receipts: "Enviar confirmações de leitura",
    read_receipts_hint: "Quando alguém da equipe abre uma conversa, o celular do cliente mostra as mensagens como lidas (tiques azuis).",
    import_history: "Importar as conversas dos últimos 30 dias",
    import_history_hint: "Ao conectar o número, as conversas individuais recentes aparecem na caixa de entrada, já lidas. Conversas em grupo não são importadas.",
    problem: |problem| match problem {
        SetupProblem::InvalidPhone => "Digite um número de telefone válido".into(),
        SetupProblem::PhoneUsedBy(other) => format!("Este número já é usado por {other}"),
        SetupProblem::Name(NameProblem::Required) => "O nome é obrigatório".into(),
        SetupProblem::Name(NameProblem::TooLong) => {
            format!("O nome pode ter no máximo {MAX_NAME_CHARS} caracteres")
        }
        SetupProblem::Name(NameProblem::ControlCharacters) => {
            "O nome não pode conter caracteres de controle".into()
        }
        SetupProblem::CellphoneUserRequired => {
            "Escolha a pessoa da equipe cujo celular está conectado".into()
        }
        SetupProblem::NotTeamMember => "Escolha alguém da sua equipe".into(),
        SetupProblem::FunnelRequired => "Escolha um funil".into(),
        SetupProblem::UnknownFunnel => "Escolha um dos funis da sua empresa".into(),
        SetupProblem::OwnerNotInFunnel(funnel) => {
            format!("O responsável precisa ser membro do funil {funnel}")
        }
        SetupProblem::RestrictedNotTeam => "Escolha apenas pessoas da sua equipe".into(),
        SetupProblem::Stale => "Outra pessoa alterou esta conta; recarregue".into(),
        SetupProblem::NotNow(status) => {
            let now = match status {
                AccountStatus::Connecting => "conectando",
                AccountStatus::Connected => "conectada",
                AccountStatus::Disconnected => "desconectada",
                AccountStatus::Disabled => "desativada",
                AccountStatus::Deleting => "sendo excluída",
            };
            format!("Esta conta agora está {now}; recarregue")
        }
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_is_worded_in_each_language() {
        let problems = [
            SetupProblem::InvalidPhone,
            SetupProblem::PhoneUsedBy("Ventas".into()),
            SetupProblem::Name(NameProblem::Required),
            SetupProblem::Name(NameProblem::TooLong),
            SetupProblem::Name(NameProblem::ControlCharacters),
            SetupProblem::CellphoneUserRequired,
            SetupProblem::NotTeamMember,
            SetupProblem::FunnelRequired,
            SetupProblem::UnknownFunnel,
            SetupProblem::OwnerNotInFunnel("Soporte".into()),
            SetupProblem::RestrictedNotTeam,
            SetupProblem::Stale,
            SetupProblem::NotNow(AccountStatus::Disabled),
        ];
        for problem in &problems {
            let english = (EN.problem)(problem);
            for other in [&ES, &PT_BR] {
                let words = (other.problem)(problem);
                assert!(
                    !words.is_empty() && words != english,
                    "{problem:?}: {words}"
                );
            }
        }
        assert_eq!(
            (ES.problem)(&SetupProblem::NotNow(AccountStatus::Disabled)),
            "Esta cuenta ahora está desactivada; recarga"
        );
    }
}
