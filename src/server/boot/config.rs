//! Configuration from environment variables. Parsing is pure (it takes a lookup
//! function) so every rule is unit-tested; a bad value is a one-line error naming it.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::server::db::key_seal::KeySeal;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite { url: String, path: PathBuf },
    Postgres(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WhatsAppMode {
    Live,
    Simulator,
    /// A simulator in another process (`simulator+http://host:port`), shared by every node.
    RemoteSimulator(String),
}

/// How the simulator times its QR refs (WhatsApp's own: 60 s, then 20 s each, 6 in all;
/// docs/ARCHITECTURE.md, "WhatsApp facts").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimTimings {
    pub first_ms: u64,
    pub next_ms: u64,
    pub count: usize,
}

impl Default for SimTimings {
    fn default() -> Self {
        SimTimings {
            first_ms: 60_000,
            next_ms: 20_000,
            count: 6,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database: DatabaseUrl,
    pub site_addr: SocketAddr,
    pub whatsapp: WhatsAppMode,
    pub demo: bool,
    /// Webhooks may go to private, loopback and link-local addresses
    /// (`AURORA_WEBHOOK_ALLOW_PRIVATE=1`: development, or receivers on the same network).
    pub webhook_allow_private: bool,
    pub cookie_secure: bool,
    pub site_root: String,
    pub sim: SimTimings,
    /// Where inbound media files are kept (`AURORA_MEDIA_DIR`, default `data/media`).
    pub media_dir: std::path::PathBuf,
    /// The address users type (`AURORA_PUBLIC_URL`): when set, requests for any other host
    /// are refused, and so are state-changing requests from any other origin.
    pub public_url: Option<PublicUrl>,
    /// How many inbound media downloads run at once on this server
    /// (`AURORA_MEDIA_DOWNLOADS`, 1 to 16, default 2).
    pub media_downloads: usize,
    /// How long a reply may wait for WhatsApp's confirmation (`AURORA_SEND_TIMEOUT_SECS`,
    /// default 30).
    pub send_timeout: std::time::Duration,
    /// How long a sent message may wait for WhatsApp's server ack before the card warns
    /// that messages aren't being accepted (`AURORA_ACK_TIMEOUT_SECS`, default 60).
    pub ack_timeout: std::time::Duration,
    /// How many days of chats a newly linked number imports (`AURORA_HISTORY_DAYS`, 0 to
    /// 3650, default 30; 0 imports none).
    pub history_days: u32,
    /// Seals WhatsApp device keys at rest (`AURORA_KEYS_SECRET`, at least 32 characters).
    pub keys: Option<KeySeal>,
    /// Lets a scraper that is not on this machine read `/metrics`
    /// (`AURORA_METRICS_TOKEN`, sent as `Authorization: Bearer …`; at least 16 characters).
    pub metrics_token: Option<String>,
}

/// An origin users reach the server at, e.g. `https://aurora.example.com`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl {
    /// `https://aurora.example.com[:port]`, lower case, as browsers send it in `Origin`.
    pub origin: String,
    /// `aurora.example.com[:port]`, as browsers send it in `Host`.
    pub host: String,
}

pub fn parse_public_url(raw: &str) -> Result<PublicUrl, ConfigError> {
    let refuse = || {
        invalid(
            "AURORA_PUBLIC_URL",
            format!("'{raw}' must be an origin like https://aurora.example.com"),
        )
    };
    let url = raw.trim().trim_end_matches('/').to_ascii_lowercase();
    let (scheme, host) = url.split_once("://").ok_or_else(refuse)?;
    let host_ok = !host.is_empty()
        && !host.contains(['/', '?', '#', '@', ' '])
        && host
            .rsplit_once(':')
            .is_none_or(|(_, port)| port.parse::<u16>().is_ok_and(|p| p > 0));
    if !matches!(scheme, "http" | "https") || !host_ok {
        return Err(refuse());
    }
    Ok(PublicUrl {
        origin: format!("{scheme}://{host}"),
        host: host.to_string(),
    })
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("{var}: {message}")]
pub struct ConfigError {
    pub var: &'static str,
    pub message: String,
}

fn invalid(var: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        var,
        message: message.into(),
    }
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/aurora.db";
pub const DEFAULT_SITE_ADDR: &str = "127.0.0.1:3000";

pub fn parse_database_url(raw: &str) -> Result<DatabaseUrl, ConfigError> {
    let raw = raw.trim();
    if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
        let rest = raw.split_once("://").map(|(_, r)| r).unwrap_or_default();
        if rest.is_empty() || rest.starts_with('/') && rest.len() == 1 {
            return Err(invalid(
                "DATABASE_URL",
                format!("'{raw}' names no PostgreSQL server"),
            ));
        }
        return Ok(DatabaseUrl::Postgres(raw.to_string()));
    }
    if let Some(rest) = raw.strip_prefix("sqlite:") {
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let path = rest.split('?').next().unwrap_or_default();
        if path.is_empty() || path == ":memory:" {
            return Err(invalid(
                "DATABASE_URL",
                format!("'{raw}' names no database file (e.g. sqlite://data/aurora.db)"),
            ));
        }
        return Ok(DatabaseUrl::Sqlite {
            url: raw.to_string(),
            path: PathBuf::from(path),
        });
    }
    Err(invalid(
        "DATABASE_URL",
        format!("'{raw}' must start with sqlite:// or postgres://"),
    ))
}

fn parse_bool(var: &'static str, raw: &str) -> Result<bool, ConfigError> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" | "" => Ok(false),
        other => Err(invalid(
            var,
            format!("'{other}' is not a boolean (use 1/0, true/false)"),
        )),
    }
}

/// `host:port` of a `wa-sim` process, from the part after `simulator+http://`.
fn parse_sim_address(raw: &str) -> Result<String, ConfigError> {
    let address = raw.trim_end_matches('/');
    let valid = address
        .rsplit_once(':')
        .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0))
        && !address.contains(['/', ' ', '@']);
    if valid {
        Ok(address.to_string())
    } else {
        Err(invalid(
            "AURORA_WHATSAPP",
            format!(
                "'simulator+http://{raw}' needs a HOST:PORT, like simulator+http://127.0.0.1:4100"
            ),
        ))
    }
}

impl Config {
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let database = parse_database_url(
            &get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into()),
        )?;
        let addr_raw = get("LEPTOS_SITE_ADDR").unwrap_or_else(|| DEFAULT_SITE_ADDR.into());
        let site_addr: SocketAddr = addr_raw.trim().parse().map_err(|_| {
            invalid(
                "LEPTOS_SITE_ADDR",
                format!("'{addr_raw}' is not an address like 127.0.0.1:3000"),
            )
        })?;
        let whatsapp = match get("AURORA_WHATSAPP").as_deref().map(str::trim) {
            None | Some("") | Some("live") => WhatsAppMode::Live,
            Some("simulator") => WhatsAppMode::Simulator,
            Some(other) => match other.strip_prefix("simulator+http://") {
                Some(address) => WhatsAppMode::RemoteSimulator(parse_sim_address(address)?),
                None => {
                    return Err(invalid(
                        "AURORA_WHATSAPP",
                        format!(
                            "'{other}' must be 'live', 'simulator' or 'simulator+http://HOST:PORT'"
                        ),
                    ))
                }
            },
        };
        let demo = parse_bool("AURORA_DEMO", &get("AURORA_DEMO").unwrap_or_default())?;
        let webhook_allow_private = parse_bool(
            "AURORA_WEBHOOK_ALLOW_PRIVATE",
            &get("AURORA_WEBHOOK_ALLOW_PRIVATE").unwrap_or_default(),
        )?;
        let cookie_secure = match get("AURORA_COOKIE_SECURE") {
            Some(raw) => parse_bool("AURORA_COOKIE_SECURE", &raw)?,
            None => !site_addr.ip().is_loopback(),
        };
        let site_root = get("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into());
        let seconds = |var: &'static str, default_ms: u64| -> Result<u64, ConfigError> {
            match get(var) {
                None => Ok(default_ms),
                Some(raw) => match raw.trim().parse::<f64>() {
                    Ok(s) if s > 0.0 && s <= 3600.0 => Ok((s * 1000.0).round() as u64),
                    _ => Err(invalid(
                        var,
                        format!("'{raw}' must be a number of seconds from 0 to 3600"),
                    )),
                },
            }
        };
        let defaults = SimTimings::default();
        let count = match get("AURORA_SIM_QR_COUNT") {
            None => defaults.count,
            Some(raw) => match raw.trim().parse::<usize>() {
                Ok(n) if (1..=20).contains(&n) => n,
                _ => {
                    return Err(invalid(
                        "AURORA_SIM_QR_COUNT",
                        format!("'{raw}' must be a whole number from 1 to 20"),
                    ))
                }
            },
        };
        let sim = SimTimings {
            first_ms: seconds("AURORA_SIM_QR_FIRST_SECS", defaults.first_ms)?,
            next_ms: seconds("AURORA_SIM_QR_NEXT_SECS", defaults.next_ms)?,
            count,
        };
        let media_dir = match get("AURORA_MEDIA_DIR").map(|raw| raw.trim().to_string()) {
            None => "data/media".into(),
            Some(dir) if dir.is_empty() => {
                return Err(invalid("AURORA_MEDIA_DIR", "must name a folder"));
            }
            Some(dir) => dir.into(),
        };
        let public_url = match get("AURORA_PUBLIC_URL").filter(|raw| !raw.trim().is_empty()) {
            None => None,
            Some(raw) => Some(parse_public_url(&raw)?),
        };
        let media_downloads = match get("AURORA_MEDIA_DOWNLOADS") {
            None => 2,
            Some(raw) => match raw.trim().parse::<usize>() {
                Ok(n) if (1..=16).contains(&n) => n,
                _ => {
                    return Err(invalid(
                        "AURORA_MEDIA_DOWNLOADS",
                        format!("'{raw}' must be a whole number from 1 to 16"),
                    ))
                }
            },
        };
        let send_timeout =
            std::time::Duration::from_millis(seconds("AURORA_SEND_TIMEOUT_SECS", 30_000)?);
        let ack_timeout =
            std::time::Duration::from_millis(seconds("AURORA_ACK_TIMEOUT_SECS", 60_000)?);
        let history_days = match get("AURORA_HISTORY_DAYS") {
            None => 30,
            Some(raw) => match raw.trim().parse::<u32>() {
                Ok(n) if n <= 3650 => n,
                _ => {
                    return Err(invalid(
                        "AURORA_HISTORY_DAYS",
                        format!("'{raw}' must be a whole number of days from 0 to 3650"),
                    ))
                }
            },
        };
        let keys = match get("AURORA_KEYS_SECRET").filter(|raw| !raw.is_empty()) {
            None => None,
            Some(raw) => Some(KeySeal::new(&raw).map_err(|m| invalid("AURORA_KEYS_SECRET", m))?),
        };
        let metrics_token = match get("AURORA_METRICS_TOKEN").filter(|raw| !raw.is_empty()) {
            None => None,
            Some(raw) if raw.trim().len() >= 16 && !raw.contains(char::is_whitespace) => Some(raw),
            Some(_) => {
                return Err(invalid(
                    "AURORA_METRICS_TOKEN",
                    "must be at least 16 characters, without spaces",
                ))
            }
        };
        Ok(Config {
            database,
            site_addr,
            whatsapp,
            demo,
            webhook_allow_private,
            cookie_secure,
            site_root,
            sim,
            media_dir,
            public_url,
            media_downloads,
            send_timeout,
            ack_timeout,
            history_days,
            keys,
            metrics_token,
        })
    }

    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_serve_sqlite_on_loopback() {
        let c = config(&[]).unwrap();
        assert_eq!(
            c.database,
            DatabaseUrl::Sqlite {
                url: DEFAULT_DATABASE_URL.into(),
                path: "data/aurora.db".into()
            }
        );
        assert_eq!(c.site_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.whatsapp, WhatsAppMode::Live);
        assert!(!c.demo);
        assert!(!c.webhook_allow_private);
        assert!(!c.cookie_secure, "loopback defaults to plain cookies");
        assert_eq!(c.media_dir, std::path::PathBuf::from("data/media"));
        let elsewhere = config(&[("AURORA_MEDIA_DIR", " /srv/aurora/media ")]).unwrap();
        assert_eq!(
            elsewhere.media_dir,
            std::path::PathBuf::from("/srv/aurora/media")
        );
    }

    #[test]
    fn cookies_default_to_secure_off_loopback() {
        assert!(
            config(&[("LEPTOS_SITE_ADDR", "0.0.0.0:8080")])
                .unwrap()
                .cookie_secure
        );
        let forced = config(&[
            ("LEPTOS_SITE_ADDR", "0.0.0.0:8080"),
            ("AURORA_COOKIE_SECURE", "false"),
        ]);
        assert!(!forced.unwrap().cookie_secure);
    }

    #[test]
    fn postgres_urls_select_postgres() {
        let c = config(&[("DATABASE_URL", "postgres://u@127.0.0.1:5432/aurora")]).unwrap();
        assert_eq!(
            c.database,
            DatabaseUrl::Postgres("postgres://u@127.0.0.1:5432/aurora".into())
        );
        assert!(matches!(
            config(&[("DATABASE_URL", "postgresql://h/db")])
                .unwrap()
                .database,
            DatabaseUrl::Postgres(_)
        ));
    }

    #[test]
    fn bad_values_name_their_variable() {
        let cases = [
            ("AURORA_WHATSAPP", "foo"),
            ("DATABASE_URL", "mysql://x"),
            ("DATABASE_URL", "sqlite://"),
            ("DATABASE_URL", "postgres://"),
            ("LEPTOS_SITE_ADDR", "localhost"),
            ("AURORA_DEMO", "maybe"),
            ("AURORA_WEBHOOK_ALLOW_PRIVATE", "perhaps"),
            ("AURORA_COOKIE_SECURE", "2"),
            ("AURORA_MEDIA_DIR", "  "),
            ("AURORA_SIM_QR_FIRST_SECS", "soon"),
            ("AURORA_SIM_QR_NEXT_SECS", "0"),
            ("AURORA_SIM_QR_COUNT", "0"),
            ("AURORA_MEDIA_DOWNLOADS", "0"),
            ("AURORA_MEDIA_DOWNLOADS", "lots"),
            ("AURORA_KEYS_SECRET", "short"),
            ("AURORA_SEND_TIMEOUT_SECS", "0"),
            ("AURORA_ACK_TIMEOUT_SECS", "never"),
            ("AURORA_HISTORY_DAYS", "-1"),
            ("AURORA_HISTORY_DAYS", "a month"),
            ("AURORA_WHATSAPP", "simulator+http://"),
            ("AURORA_WHATSAPP", "simulator+http://127.0.0.1"),
            ("AURORA_WHATSAPP", "simulator+http://127.0.0.1:0"),
            ("AURORA_WHATSAPP", "simulator+http://h:1/x"),
            ("AURORA_PUBLIC_URL", "aurora.example.com"),
            ("AURORA_PUBLIC_URL", "https://aurora.example.com/app"),
            ("AURORA_PUBLIC_URL", "ftp://aurora.example.com"),
            ("AURORA_PUBLIC_URL", "https://aurora.example.com:99999"),
        ];
        for (var, value) in cases {
            let err = config(&[(var, value)]).unwrap_err();
            assert_eq!(err.var, var);
            let line = err.to_string();
            assert!(line.starts_with(var), "{line}");
            assert!(!line.contains('\n'), "{line}");
        }
    }

    #[test]
    fn the_public_url_is_an_origin() {
        assert_eq!(config(&[]).unwrap().public_url, None);
        let c = config(&[("AURORA_PUBLIC_URL", " HTTPS://Aurora.Example.com/ ")]).unwrap();
        let public = c.public_url.unwrap();
        assert_eq!(public.origin, "https://aurora.example.com");
        assert_eq!(public.host, "aurora.example.com");
        let with_port = parse_public_url("http://10.0.0.5:3000").unwrap();
        assert_eq!(with_port.host, "10.0.0.5:3000");
    }

    #[test]
    fn simulator_and_demo_are_read() {
        let c = config(&[("AURORA_WHATSAPP", "simulator"), ("AURORA_DEMO", "1")]).unwrap();
        assert_eq!(c.whatsapp, WhatsAppMode::Simulator);
        assert!(c.demo);
        assert_eq!(c.sim, SimTimings::default());
    }

    #[test]
    fn a_simulator_in_another_process_is_named_by_address() {
        let c = config(&[("AURORA_WHATSAPP", "simulator+http://127.0.0.1:4100/")]).unwrap();
        assert_eq!(
            c.whatsapp,
            WhatsAppMode::RemoteSimulator("127.0.0.1:4100".into())
        );
    }

    #[test]
    fn simulator_timings_can_be_shortened_for_tests() {
        let c = config(&[
            ("AURORA_SIM_QR_FIRST_SECS", "2"),
            ("AURORA_SIM_QR_NEXT_SECS", "0.5"),
            ("AURORA_SIM_QR_COUNT", "3"),
        ])
        .unwrap();
        assert_eq!(
            c.sim,
            SimTimings {
                first_ms: 2_000,
                next_ms: 500,
                count: 3
            }
        );
    }
}
