//! A live stream lasts only as long as the sign-in that opened it may see what it carries:
//! it ends at once when that sign-in signs out on this server, and within
//! `AppState::stream_recheck` (30 s) when it expires, loses the role the stream needs, or
//! its company's subscription lapses. Without this an open Channels page kept receiving
//! numbers and QR codes after its user had signed out.

use futures::{Stream, StreamExt};
use tokio::sync::broadcast::error::RecvError;

use crate::server::boot::state::AppState;
use crate::server::db::now_ms;
use crate::server::db::sign_ins::SignedInUser;
use crate::server::metrics::OpenStream;
use crate::server::services::identity::{still_signed_in, token_hash};

/// `stream` until the sign-in behind `token` signs out or stops being `allowed`.
pub fn while_allowed<S>(
    stream: S,
    state: &AppState,
    token: Option<String>,
    allowed: fn(&SignedInUser) -> bool,
) -> impl Stream<Item = S::Item>
where
    S: Stream,
{
    let db = state.db.clone();
    let mut sign_outs = state.sign_outs.subscribe();
    let recheck = state.stream_recheck;
    let ended = async move {
        let Some(token) = token else { return };
        let mine = token_hash(&token);
        let mut every = tokio::time::interval(recheck);
        every.tick().await;
        loop {
            tokio::select! {
                signed_out = sign_outs.recv() => match signed_out {
                    Ok(hash) if hash == mine => return,
                    Ok(_) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => return,
                },
                _ = every.tick() => match still_signed_in(&db, &token, now_ms()).await {
                    Ok(Some(user)) if allowed(&user) => {}
                    Ok(_) => return,
                    // The database did not answer: keep the stream and ask again.
                    Err(e) => tracing::warn!("a live stream could not check its sign-in: {e}"),
                },
            }
        }
    };
    let open = OpenStream::opened();
    stream.take_until(Box::pin(ended)).inspect(move |_| {
        let _counted = &open;
    })
}
