//! Device keys at rest: with `AURORA_KEYS_SECRET` set, every key value is sealed with
//! ChaCha20-Poly1305 under a key derived from the secret, bound to its account, kind and
//! key (a sealed value copied to another row does not open). A database copied without
//! the secret holds nothing usable.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// The shortest secret accepted: 32 characters (e.g. `openssl rand -base64 32`).
pub const MIN_SECRET_LEN: usize = 32;
const NONCE_LEN: usize = 12;

#[derive(Clone)]
pub struct KeySeal {
    cipher: ChaCha20Poly1305,
}

impl std::fmt::Debug for KeySeal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeySeal(..)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a stored key does not open with AURORA_KEYS_SECRET (another secret, or damaged)")]
pub struct WrongSecret;

impl KeySeal {
    pub fn new(secret: &str) -> Result<KeySeal, String> {
        let secret = secret.trim();
        if secret.len() < MIN_SECRET_LEN {
            return Err(format!(
                "must be at least {MIN_SECRET_LEN} characters (e.g. the output of `openssl rand -base64 32`)"
            ));
        }
        let key = Sha256::new()
            .chain_update(b"aurora whatsapp keys v1\0")
            .chain_update(secret.as_bytes())
            .finalize();
        Ok(KeySeal {
            cipher: ChaCha20Poly1305::new(Key::from_slice(&key)),
        })
    }

    /// A fresh nonce, then the sealed value.
    pub fn seal(&self, account: i64, kind: &str, key: &str, value: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::thread_rng().fill_bytes(&mut nonce);
        let aad = associated(account, kind, key);
        let sealed = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: value,
                    aad: &aad,
                },
            )
            .expect("ChaCha20-Poly1305 seals any length we store");
        [nonce.as_slice(), &sealed].concat()
    }

    pub fn open(
        &self,
        account: i64,
        kind: &str,
        key: &str,
        sealed: &[u8],
    ) -> Result<Vec<u8>, WrongSecret> {
        if sealed.len() < NONCE_LEN {
            return Err(WrongSecret);
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let aad = associated(account, kind, key);
        self.cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: &aad,
                },
            )
            .map_err(|_| WrongSecret)
    }
}

/// Where the value belongs, unambiguously: lengths before the variable parts.
fn associated(account: i64, kind: &str, key: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(24 + kind.len() + key.len());
    aad.extend_from_slice(&account.to_be_bytes());
    aad.extend_from_slice(&(kind.len() as u64).to_be_bytes());
    aad.extend_from_slice(kind.as_bytes());
    aad.extend_from_slice(&(key.len() as u64).to_be_bytes());
    aad.extend_from_slice(key.as_bytes());
    aad
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "6tX0pQn1dW3kB8sYh2LrV9cF4mZa7uEj";

    #[test]
    fn a_sealed_value_opens_only_in_its_own_row_with_its_own_secret() {
        let seal = KeySeal::new(SECRET).unwrap();
        let sealed = seal.seal(7, "identity", "me", b"{\"private\":[1,2,3]}");
        assert!(!sealed.windows(7).any(|w| w == b"private"), "no plaintext");
        assert_eq!(
            seal.open(7, "identity", "me", &sealed).unwrap(),
            b"{\"private\":[1,2,3]}"
        );
        assert_eq!(seal.open(8, "identity", "me", &sealed), Err(WrongSecret));
        assert_eq!(seal.open(7, "session", "me", &sealed), Err(WrongSecret));
        assert_eq!(seal.open(7, "identity", "you", &sealed), Err(WrongSecret));
        let other = KeySeal::new(&SECRET.replace('6', "7")).unwrap();
        assert_eq!(other.open(7, "identity", "me", &sealed), Err(WrongSecret));
        assert_eq!(
            seal.open(7, "identity", "me", &sealed[..5]),
            Err(WrongSecret)
        );
    }

    #[test]
    fn the_same_value_seals_differently_each_time() {
        let seal = KeySeal::new(SECRET).unwrap();
        assert_ne!(seal.seal(1, "k", "x", b"v"), seal.seal(1, "k", "x", b"v"));
    }

    #[test]
    fn a_short_secret_is_refused() {
        assert!(KeySeal::new("hunter2").is_err());
        assert!(KeySeal::new(&" ".repeat(40)).is_err());
    }
}
