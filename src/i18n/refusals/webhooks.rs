//! What is wrong with a webhook endpoint an admin entered, in each language.

use super::pick;
use crate::domain::locale::Locale;
use crate::domain::webhooks::{EndpointProblem, MAX_ENDPOINTS, MAX_URL_CHARS};

pub fn endpoint_problem(l: Locale, problem: &EndpointProblem) -> String {
    use EndpointProblem as P;
    match problem {
        P::Malformed => match l {
            Locale::En => format!("Enter a full URL such as https://example.com/hooks (at most {MAX_URL_CHARS} characters, no user name or password)"),
            Locale::Es => format!("Escribe una URL completa como https://example.com/hooks (como máximo {MAX_URL_CHARS} caracteres, sin usuario ni contraseña)"),
            Locale::PtBr => format!("Digite uma URL completa como https://example.com/hooks (no máximo {MAX_URL_CHARS} caracteres, sem usuário nem senha)"),
        },
        P::NotHttps => pick(
            l,
            "The URL must start with https:// (http:// only to this machine, for development)",
            "La URL debe empezar por https:// (http:// solo hacia este equipo, para desarrollo)",
            "A URL deve começar com https:// (http:// só para esta máquina, para desenvolvimento)",
        ),
        P::Unresolved => pick(
            l,
            "That name resolves to no address: check the host name",
            "Ese nombre no corresponde a ninguna dirección: revisa el nombre del servidor",
            "Esse nome não corresponde a nenhum endereço: confira o nome do servidor",
        ),
        P::Private(ip) => match l {
            Locale::En => format!("{ip} is a private or local address: webhooks go only to the public internet"),
            Locale::Es => format!("{ip} es una dirección privada o local: los webhooks solo van a internet pública"),
            Locale::PtBr => format!("{ip} é um endereço privado ou local: webhooks só vão para a internet pública"),
        },
        P::NoEvents => pick(
            l,
            "Choose at least one event",
            "Elige al menos un evento",
            "Escolha pelo menos um evento",
        ),
        P::UnknownEvent(code) => match l {
            Locale::En => format!("There is no event called \"{code}\""),
            Locale::Es => format!("No existe ningún evento llamado \"{code}\""),
            Locale::PtBr => format!("Não existe nenhum evento chamado \"{code}\""),
        },
        P::TooMany => match l {
            Locale::En => format!("A company can have at most {MAX_ENDPOINTS} webhook endpoints: remove one first"),
            Locale::Es => format!("Una empresa puede tener como máximo {MAX_ENDPOINTS} webhooks: elimina uno primero"),
            Locale::PtBr => format!("Uma empresa pode ter no máximo {MAX_ENDPOINTS} webhooks: remova um primeiro"),
        },
    }
}
