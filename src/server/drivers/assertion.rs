//! A WebAuthn assertion in its JSON form (as a browser's credential serializes, binary
//! fields base64url): read once here for whoever checks it, sends it on or answers it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// The parts of an assertion, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assertion {
    pub credential_id: Vec<u8>,
    pub client_data_json: Vec<u8>,
    pub authenticator_data: Vec<u8>,
    pub signature: Vec<u8>,
    pub user_handle: Option<Vec<u8>>,
}

/// Reads an assertion; `Err` says, in a user's words, what is wrong with it. What the
/// parts prove is WhatsApp's to check.
pub fn parse(json: &str) -> Result<Assertion, String> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|_| "The passkey answer is not JSON".to_string())?;
    if value["type"] != "public-key" {
        return Err("The passkey answer is not a public-key credential".into());
    }
    let decode = |text: &serde_json::Value| {
        text.as_str()
            .and_then(|t| URL_SAFE_NO_PAD.decode(t.trim_end_matches('=')).ok())
            .filter(|bytes| !bytes.is_empty())
    };
    let part = |field: &str, text: &serde_json::Value| {
        decode(text)
            .ok_or_else(|| format!("The passkey answer's {field} is missing or not base64url"))
    };
    let response = &value["response"];
    Ok(Assertion {
        credential_id: part("rawId", &value["rawId"])?,
        client_data_json: part("response.clientDataJSON", &response["clientDataJSON"])?,
        authenticator_data: part("response.authenticatorData", &response["authenticatorData"])?,
        signature: part("response.signature", &response["signature"])?,
        user_handle: decode(&response["userHandle"]),
    })
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn an_assertion_needs_every_part_in_base64url() {
        let good = r#"{"id":"AQI","rawId":"AQI","type":"public-key","response":{"clientDataJSON":"eyJ9","authenticatorData":"AAEC","signature":"MEUC","userHandle":null}}"#;
        let parsed = parse(good).unwrap();
        assert_eq!(
            (parsed.credential_id, parsed.user_handle),
            (vec![1, 2], None)
        );
        assert!(parse("nope").unwrap_err().contains("not JSON"));
        let wrong_type = good.replace("public-key", "password");
        assert!(parse(&wrong_type).unwrap_err().contains("public-key"));
        let no_signature = good.replace(r#""signature":"MEUC""#, r#""signature":"""#);
        assert!(parse(&no_signature)
            .unwrap_err()
            .contains("response.signature"));
        let not_b64 = good.replace("AAEC", "***");
        assert!(parse(&not_b64).unwrap_err().contains("authenticatorData"));
    }
}
