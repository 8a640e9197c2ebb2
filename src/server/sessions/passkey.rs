//! The one-time token of a passkey-gated link: the card shows it, and one WebAuthn
//! assertion may be handed over under it while that attempt waits for the passkey.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;

/// 128 random bits, base64url: unguessable, short enough to paste.
pub fn new_token() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Compares in time that does not depend on where the two differ.
pub fn same_token(known: &str, given: &str) -> bool {
    known.len() == given.len()
        && known
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_fresh_and_compared_whole() {
        let token = new_token();
        assert_eq!(token.len(), 22);
        assert_ne!(token, new_token());
        assert!(same_token(&token, &token.clone()));
        assert!(!same_token(&token, &token[..21]));
        assert!(!same_token(&token, &format!("{}x", &token[..21])));
    }
}
