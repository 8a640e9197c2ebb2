//! The error every server function returns. Messages are safe to show to users;
//! internals are logged on the server and never serialised.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in to continue")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("Not found")]
    NotFound,
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    RateLimited(String),
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The request never got a proper answer (network down, server restarting).
    #[error("Could not reach the server ({0})")]
    Transport(String),
}

impl AppError {
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::Unauthenticated => 401,
            AppError::Forbidden(_) => 403,
            AppError::NotFound => 404,
            AppError::Invalid(_) => 422,
            AppError::Conflict(_) => 409,
            AppError::RateLimited(_) => 429,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Raised on the server before the function runs: the request was malformed.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                AppError::Invalid(format!("The request was not understood ({value})"))
            }
            // On the server this is a JSON body that does not decode into the arguments;
            // in the browser it is a response it cannot read, which stays a transport fault.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(_) => {
                AppError::Invalid(format!("The request was not understood ({value})"))
            }
            _ => AppError::Transport(value.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_follow_http_semantics() {
        assert_eq!(AppError::Unauthenticated.status_code(), 401);
        assert_eq!(AppError::Forbidden("x".into()).status_code(), 403);
        assert_eq!(AppError::NotFound.status_code(), 404);
        assert_eq!(AppError::RateLimited("x".into()).status_code(), 429);
    }

    #[test]
    fn arguments_that_do_not_decode_are_the_clients_mistake() {
        let missing = AppError::from_server_fn_error(ServerFnErrorErr::MissingArg("id".into()));
        assert_eq!(missing.status_code(), 422);
        let bad = AppError::from_server_fn_error(ServerFnErrorErr::Args("not a number".into()));
        assert_eq!(bad.status_code(), 422);
        #[cfg(feature = "ssr")]
        {
            let json = ServerFnErrorErr::Deserialization("missing field `form`".into());
            assert_eq!(AppError::from_server_fn_error(json).status_code(), 422);
        }
        let network = AppError::from_server_fn_error(ServerFnErrorErr::Request("down".into()));
        assert!(matches!(network, AppError::Transport(_)));
    }

    #[test]
    fn internal_errors_never_leak_details() {
        assert!(!AppError::Internal.to_string().contains("sqlx"));
        let round_trip: AppError = serde_json::from_str(
            &serde_json::to_string(&AppError::Forbidden("No".into())).unwrap(),
        )
        .unwrap();
        assert_eq!(round_trip, AppError::Forbidden("No".into()));
    }
}
