//! `Aurora-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, keyed with the
//! endpoint's secret. The time is signed with the body, so a captured request cannot be
//! replayed later than the receiver's tolerance; `v1` names the scheme so a second one can
//! be added beside it without breaking receivers.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header's name.
pub const HEADER: &str = "Aurora-Signature";

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes a key of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// Now, in Unix seconds, as signatures carry it.
pub fn unix_seconds() -> i64 {
    crate::server::db::now_ms() / 1000
}

/// The header's value for `body` sent at `timestamp` (Unix seconds).
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let digest = mac(secret, timestamp, body).finalize().into_bytes();
    format!("t={timestamp},v1={}", hex::encode(digest))
}

/// What a receiver does: the header parses, its time is within `tolerance_s` of `now`
/// (Unix seconds), and one of its `v1` values is the body's signature (compared in
/// constant time).
pub fn verify(secret: &[u8], header: &str, body: &[u8], now: i64, tolerance_s: i64) -> bool {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) => signatures.extend(hex::decode(value).ok()),
            _ => {}
        }
    }
    let Some(timestamp) = timestamp else {
        return false;
    };
    if (now - timestamp).abs() > tolerance_s {
        return false;
    }
    signatures
        .iter()
        .any(|signature| mac(secret, timestamp, body).verify_slice(signature).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"whsec_test_0123456789";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"channel.status_changed"}"#;

    #[test]
    fn a_known_answer_any_hmac_library_gives() {
        // RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?".
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // The signed text is "<t>.<body>".
        let header = sign(b"Jefe", 1_700_000_000, b"{}");
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"1700000000.{}");
        let expected = hex::encode(mac.finalize().into_bytes());
        assert_eq!(header, format!("t=1700000000,v1={expected}"));
    }

    #[test]
    fn the_receiver_accepts_the_body_it_was_sent_and_nothing_else() {
        let now = 1_795_569_600;
        let header = sign(SECRET, now, BODY);
        assert!(verify(SECRET, &header, BODY, now + 30, 300));
        assert!(!verify(SECRET, &header, b"{}", now, 300), "another body");
        assert!(
            !verify(b"another secret", &header, BODY, now, 300),
            "another secret"
        );
        assert!(
            !verify(SECRET, &header, BODY, now + 301, 300),
            "replayed too late"
        );
        let moved = header.replace(&format!("t={now}"), &format!("t={}", now + 1));
        assert!(
            !verify(SECRET, &moved, BODY, now, 300),
            "the time is signed too"
        );
        for junk in ["", "t=,v1=", "v1=00", "t=1", "t=x,v1=zz"] {
            assert!(!verify(SECRET, junk, BODY, now, 300), "{junk:?}");
        }
        // A second signature beside it (a secret being rotated) still verifies.
        let both = format!("{header},v1={}", "00".repeat(32));
        assert!(verify(SECRET, &both, BODY, now, 300));
    }
}
