//! What the inbox list shows, as the URL says it (`/inbox?who=mine&q=factura`): kept in
//! the URL so a reload, a shared link or Back shows the same list.

use leptos_router::params::ParamsMap;

use crate::domain::inbox::Whose;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    pub funnel: Option<i64>,
    pub channel: Option<i64>,
    pub whose: Whose,
    pub search: String,
}

impl ListQuery {
    /// Unknown or malformed values are left out (the list shows everything), not errors:
    /// a stale link still opens.
    pub fn from_params(params: &ParamsMap) -> ListQuery {
        let number = |key: &str| params.get(key).and_then(|v| v.parse::<i64>().ok());
        ListQuery {
            funnel: number("funnel"),
            channel: number("channel"),
            whose: params
                .get("who")
                .and_then(|w| Whose::parse(&w))
                .unwrap_or_default(),
            search: params.get("q").unwrap_or_default(),
        }
    }

    /// `?funnel=1&who=mine&q=…`, defaults left out; empty when everything is default.
    pub fn query_string(&self) -> String {
        let mut parts = Vec::new();
        if let Some(f) = self.funnel {
            parts.push(format!("funnel={f}"));
        }
        if let Some(c) = self.channel {
            parts.push(format!("channel={c}"));
        }
        if self.whose != Whose::All {
            parts.push(format!("who={}", self.whose.code()));
        }
        if !self.search.trim().is_empty() {
            parts.push(format!("q={}", encode(&self.search)));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }

    /// The server function's `who` argument.
    pub fn who(&self) -> Option<String> {
        (self.whose != Whose::All).then(|| self.whose.code().to_string())
    }

    /// The server function's `q` argument.
    pub fn q(&self) -> Option<String> {
        let q = self.search.trim();
        (!q.is_empty()).then(|| q.to_string())
    }
}

/// Percent-encodes a query value: everything but unreserved characters (RFC 3986).
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_leave_the_url_bare_and_values_are_encoded() {
        assert_eq!(ListQuery::default().query_string(), "");
        let query = ListQuery {
            funnel: Some(3),
            channel: None,
            whose: Whose::Mine,
            search: "Lucía & co".into(),
        };
        assert_eq!(
            query.query_string(),
            "?funnel=3&who=mine&q=Luc%C3%ADa%20%26%20co"
        );
        assert_eq!(query.who().as_deref(), Some("mine"));
        assert_eq!(ListQuery::default().who(), None);
        assert_eq!(
            ListQuery {
                search: "  ".into(),
                ..Default::default()
            }
            .q(),
            None
        );
    }

    #[test]
    fn the_url_reads_back_and_nonsense_is_ignored() {
        let mut params = ParamsMap::new();
        params.insert("funnel", "3".to_string());
        params.insert("channel", "x".to_string());
        params.insert("who", "everyone".to_string());
        params.insert("q", "factura".to_string());
        let query = ListQuery::from_params(&params);
        assert_eq!(
            query,
            ListQuery {
                funnel: Some(3),
                channel: None,
                whose: Whose::All,
                search: "factura".into(),
            }
        );
    }
}
