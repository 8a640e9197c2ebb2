//! Webhooks: events pushed to a company's own HTTPS endpoints. An event is queued in the
//! transaction of the change that caused it (`db::webhooks::queue_webhook!`); the `worker`
//! sends what is due (`send`), signed (`signature`), only to public addresses (`target`),
//! and tries again on failure for a day (`retry`).

pub mod event;
#[cfg(test)]
pub(crate) mod receiver;
pub mod retry;
pub mod send;
pub mod signature;
pub mod target;
pub mod worker;

use rand::RngCore;

use crate::server::db::key_seal::{KeySeal, WrongSecret};

/// What a sealed secret is bound to besides its company and URL.
const SEAL_KIND: &str = "webhook secret";

/// A new signing secret: `whsec_` and 32 random bytes in hex. Receivers key their HMAC with
/// the whole string as typed.
pub fn new_secret() -> String {
    let mut random = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut random);
    format!("whsec_{}", hex::encode(random))
}

/// `secret` as stored: sealed with `AURORA_KEYS_SECRET` when set (bound to the company and
/// the URL, so a sealed secret copied to another endpoint does not open), and whether it is.
pub fn store_secret(
    keys: Option<&KeySeal>,
    company: i64,
    url: &str,
    secret: &str,
) -> (Vec<u8>, bool) {
    match keys {
        Some(keys) => (keys.seal(company, SEAL_KIND, url, secret.as_bytes()), true),
        None => (secret.as_bytes().to_vec(), false),
    }
}

/// The secret `store_secret` stored.
pub fn open_secret(
    keys: Option<&KeySeal>,
    company: i64,
    url: &str,
    stored: &[u8],
    sealed: bool,
) -> Result<Vec<u8>, WrongSecret> {
    match (sealed, keys) {
        (false, _) => Ok(stored.to_vec()),
        (true, Some(keys)) => keys.open(company, SEAL_KIND, url, stored),
        (true, None) => Err(WrongSecret),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_for_its_endpoint() {
        let keys = KeySeal::new("0123456789abcdef0123456789abcdef").unwrap();
        let secret = new_secret();
        assert!(secret.starts_with("whsec_") && secret.len() == 70);
        let (stored, sealed) = store_secret(Some(&keys), 7, "https://a.example/h", &secret);
        assert!(sealed);
        assert!(!stored
            .windows(10)
            .any(|w| secret.as_bytes().windows(10).any(|s| s == w)));
        let opened = open_secret(Some(&keys), 7, "https://a.example/h", &stored, true).unwrap();
        assert_eq!(opened, secret.as_bytes());
        assert!(open_secret(Some(&keys), 8, "https://a.example/h", &stored, true).is_err());
        assert!(open_secret(Some(&keys), 7, "https://b.example/h", &stored, true).is_err());
        assert!(open_secret(None, 7, "https://a.example/h", &stored, true).is_err());
        let (plain, sealed) = store_secret(None, 7, "https://a.example/h", &secret);
        assert!(!sealed);
        assert_eq!(
            open_secret(None, 7, "", &plain, false).unwrap(),
            secret.as_bytes()
        );
    }
}
