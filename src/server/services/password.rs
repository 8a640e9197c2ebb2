//! Password hashing with Argon2id (RustCrypto `argon2`, default OWASP parameters).

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use tokio::sync::Semaphore;

/// Argon2 costs 19 MiB and tens of milliseconds a check: at most one check per core runs
/// at once, the rest wait their turn instead of piling onto the blocking pool.
pub fn checks() -> &'static Semaphore {
    static CHECKS: std::sync::OnceLock<Semaphore> = std::sync::OnceLock::new();
    CHECKS
        .get_or_init(|| Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())))
}

pub fn hash(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// False for a wrong password and for a hash that cannot be parsed.
pub fn verify(password: &str, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_round_trips_and_rejects_wrong_passwords() {
        let stored = hash("demo-password").unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("demo-password", &stored));
        assert!(!verify("demo-passwore", &stored));
        assert!(!verify("", &stored));
    }

    #[test]
    fn same_password_gets_different_salts() {
        assert_ne!(
            hash("demo-password").unwrap(),
            hash("demo-password").unwrap()
        );
    }

    #[test]
    fn garbage_hash_never_verifies() {
        assert!(!verify("anything", "not-a-hash"));
    }
}
