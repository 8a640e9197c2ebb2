//! Where a webhook may be sent. An endpoint is an `https://` URL (plain `http://` only to
//! this machine, for development), and every address its name resolves to must be public:
//! no loopback, private, link-local, carrier-grade NAT, multicast or unspecified address
//! unless `AURORA_WEBHOOK_ALLOW_PRIVATE=1`. The check runs after DNS, on the addresses the
//! request will connect to, so a name that resolves to 127.0.0.1 or 10.0.0.1 (or is
//! rebound to one later) is refused as the address itself would be.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use url::{Host, Url};

/// Why an endpoint cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetProblem {
    /// Not a URL, or one with credentials or no host.
    Malformed,
    /// `http://` to anywhere but this machine, or another scheme.
    NotHttps,
    /// The name resolves to nothing.
    Unresolved,
    /// It is, or resolves to, an address on a private network or this machine.
    Private(IpAddr),
}

/// Whether an address is on the public internet (or private ones are allowed).
pub fn address_allowed(ip: IpAddr, allow_private: bool) -> bool {
    allow_private || is_public(ip)
}

fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || a == 0
        // Carrier-grade NAT (RFC 6598).
        || (a == 100 && (64..128).contains(&b))
        // IETF protocol assignments and benchmarking (RFC 6890, 2544).
        || (a == 192 && b == 0 && ip.octets()[2] == 0)
        || (a == 198 && (18..20).contains(&b))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        // Unique local fc00::/7 and link-local fe80::/10.
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        // NAT64 and 6to4 can reach IPv4 private space through a gateway.
        || first == 0x0064
        || first == 0x2002)
}

/// Checks an endpoint's URL as an admin enters it: its scheme, and its host when that is an
/// address. A name is checked when it is resolved (`resolve`).
pub fn check_url(raw: &str, allow_private: bool) -> Result<Url, TargetProblem> {
    let url = Url::parse(raw.trim()).map_err(|_| TargetProblem::Malformed)?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(TargetProblem::Malformed);
    }
    let host = url.host().ok_or(TargetProblem::Malformed)?;
    let ip = match host {
        Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
        Host::Ipv6(v6) => Some(IpAddr::V6(v6)),
        Host::Domain(_) => None,
    };
    let local = match host {
        Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        _ => ip.is_some_and(|ip| ip.is_loopback()),
    };
    match url.scheme() {
        "https" => {}
        "http" if local => {}
        _ => return Err(TargetProblem::NotHttps),
    }
    match ip {
        Some(ip) if !address_allowed(ip, allow_private) => Err(TargetProblem::Private(ip)),
        _ => Ok(url),
    }
}

/// The addresses to connect to for `url` (checked by `check_url`): all of them allowed,
/// or the first one that is not.
pub async fn resolve(url: &Url, allow_private: bool) -> Result<Vec<SocketAddr>, TargetProblem> {
    let host = url.host_str().ok_or(TargetProblem::Malformed)?;
    let port = url
        .port_or_known_default()
        .ok_or(TargetProblem::Malformed)?;
    // `host_str` keeps an IPv6 address's brackets; the resolver wants it bare.
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|_| TargetProblem::Unresolved)?
        .collect();
    if addresses.is_empty() {
        return Err(TargetProblem::Unresolved);
    }
    match addresses
        .iter()
        .find(|a| !address_allowed(a.ip(), allow_private))
    {
        Some(refused) => Err(TargetProblem::Private(refused.ip())),
        None => Ok(addresses),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_loopback_and_link_local_addresses_are_refused() {
        for refused in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            "64:ff9b::a00:1",
            "2002:a00:1::",
        ] {
            let ip: IpAddr = refused.parse().unwrap();
            assert!(!address_allowed(ip, false), "{refused} must be refused");
            assert!(address_allowed(ip, true), "{refused} with the override");
        }
        for public in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "::ffff:1.1.1.1",
        ] {
            assert!(address_allowed(public.parse().unwrap(), false), "{public}");
        }
    }

    #[test]
    fn endpoints_must_be_https_except_to_this_machine() {
        assert!(check_url("https://hooks.example.com/aurora", false).is_ok());
        assert_eq!(
            check_url("http://hooks.example.com/aurora", false),
            Err(TargetProblem::NotHttps)
        );
        assert_eq!(
            check_url("ftp://example.com", false),
            Err(TargetProblem::NotHttps)
        );
        assert_eq!(check_url("not a url", false), Err(TargetProblem::Malformed));
        assert_eq!(
            check_url("https://user:pw@example.com/", false),
            Err(TargetProblem::Malformed)
        );
        assert_eq!(
            check_url("https://10.0.0.1/hook", false),
            Err(TargetProblem::Private("10.0.0.1".parse().unwrap()))
        );
        assert_eq!(
            check_url("http://127.0.0.1:9000/hook", false),
            Err(TargetProblem::Private("127.0.0.1".parse().unwrap())),
            "plain HTTP to this machine is allowed, this machine itself only with the override"
        );
        assert!(check_url("http://127.0.0.1:9000/hook", true).is_ok());
        assert!(check_url("http://[::1]:9000/hook", true).is_ok());
    }

    #[tokio::test]
    async fn a_name_is_checked_on_the_addresses_it_resolves_to() {
        let url = check_url("http://localhost:9000/hook", false).unwrap();
        assert!(
            matches!(resolve(&url, false).await, Err(TargetProblem::Private(ip)) if ip.is_loopback()),
            "localhost resolves to loopback: refused after DNS"
        );
        let allowed = resolve(&url, true).await.unwrap();
        assert!(allowed
            .iter()
            .all(|a| a.port() == 9000 && a.ip().is_loopback()));
        let literal = check_url("http://[::1]:9000/hook", true).unwrap();
        assert_eq!(
            resolve(&literal, true).await.unwrap()[0].ip(),
            "::1".parse::<IpAddr>().unwrap()
        );
    }
}
