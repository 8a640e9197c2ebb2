//! Data a page renders with on the server and the browser takes over when it hydrates
//! (Leptos resources), in the same JSON as server functions' answers.
//!
//! Leptos's default codec decodes with `serde_json::from_str`, server functions with
//! `serde_json::from_slice`: the two readers are different types, so every view type had two
//! copies of its decoder in the bundle (AccountView's were 38 KB each before optimisation).
//! Decoding page data through `from_slice` as well keeps one.

use leptos::prelude::*;
use leptos::server::codee::{Decoder, Encoder};
use serde::{de::DeserializeOwned, Serialize};

pub struct Json;

impl<T: Serialize> Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(text: &str) -> Result<T, serde_json::Error> {
        decode(text)
    }
}

/// Decodes JSON text the way server functions' answers are decoded (see the module's note).
pub fn decode<T: DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    serde_json::from_slice(text.as_bytes())
}

/// A page's data: loaded by `fetch` on the server, read again by `source`'s changes.
#[track_caller]
pub fn page_resource<S, T, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetch: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Resource<T, Json>
where
    S: Send + Sync + Clone + PartialEq + 'static,
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetch, false)
}
