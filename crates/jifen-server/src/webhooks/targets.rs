//! Where webhooks may go. Unless the operator allows private targets
//! (`webhooks.allow_private_targets`), an endpoint's host must resolve only to public addresses:
//! private, loopback, link-local, shared (CGNAT), unspecified, broadcast and multicast addresses
//! are refused when the endpoint is saved, and again at every send, after DNS resolution (the
//! connection then goes to the addresses checked, not to a second lookup). Redirects are never
//! followed: a `3xx` is a failed attempt.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use reqwest::Url;

/// The longest endpoint URL accepted.
pub const MAX_URL_LEN: usize = 2_000;

/// Why a target is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("url is not an absolute http:// or https:// URL")]
    NotHttp,
    #[error("url is longer than {MAX_URL_LEN} characters")]
    TooLong,
    #[error("url must not carry a user name or password")]
    Credentials,
    #[error("{host} cannot be resolved: {reason}")]
    Unresolved { host: String, reason: String },
    #[error(
        "{host} resolves to {addr}, a private, loopback, link-local or otherwise non-public address; \
         the operator setting webhooks.allow_private_targets allows such targets"
    )]
    Private { host: String, addr: IpAddr },
}

/// Whether an address is one a webhook may reach without the operator's permission.
pub fn is_public(addr: IpAddr) -> bool {
    match addr {
        IpAddr::V4(a) => is_public_v4(a),
        IpAddr::V6(a) => {
            if let Some(v4) = a.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let s = a.segments();
            !(a.is_loopback()
                || a.is_unspecified()
                || a.is_multicast()
                // fc00::/7 unique local
                || (s[0] & 0xfe00) == 0xfc00
                // fe80::/10 link-local, fec0::/10 site-local (deprecated)
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] & 0xffc0) == 0xfec0
                // ::ffff:0:0/96 handled above; 64:ff9b::/96 NAT64 of a private v4
                || (s[0..6] == [0x64, 0xff9b, 0, 0, 0, 0]
                    && !is_public_v4(Ipv4Addr::new(
                        (s[6] >> 8) as u8,
                        s[6] as u8,
                        (s[7] >> 8) as u8,
                        s[7] as u8,
                    ))))
        }
    }
}

fn is_public_v4(a: Ipv4Addr) -> bool {
    let o = a.octets();
    !(a.is_private()
        || a.is_loopback()
        || a.is_link_local()
        || a.is_unspecified()
        || a.is_broadcast()
        || a.is_multicast()
        // 0.0.0.0/8 "this network"
        || o[0] == 0
        // 100.64.0.0/10 shared address space (carrier-grade NAT)
        || (o[0] == 100 && (o[1] & 0xc0) == 64)
        // 192.0.0.0/24 protocol assignments, 198.18.0.0/15 benchmarking, 240.0.0.0/4 reserved
        || (o[0] == 192 && o[1] == 0 && o[2] == 0)
        || (o[0] == 198 && (o[1] & 0xfe) == 18)
        || o[0] >= 240)
}

/// Parses an endpoint's URL: absolute, `http` or `https`, with a host and no credentials.
pub fn parse_url(raw: &str) -> Result<Url, TargetError> {
    if raw.len() > MAX_URL_LEN {
        return Err(TargetError::TooLong);
    }
    let url = Url::parse(raw).map_err(|_| TargetError::NotHttp)?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(TargetError::NotHttp);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(TargetError::Credentials);
    }
    Ok(url)
}

/// Resolves a URL's host and checks every address; returns them (with the URL's port).
pub async fn resolve(url: &Url, allow_private: bool) -> Result<Vec<SocketAddr>, TargetError> {
    let host = url.host_str().unwrap_or_default().to_owned();
    let port = url.port_or_known_default().unwrap_or(80);
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = match bare.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((bare, port))
            .await
            .map_err(|e| TargetError::Unresolved {
                host: host.clone(),
                reason: e.to_string(),
            })?
            .collect(),
    };
    if addrs.is_empty() {
        return Err(TargetError::Unresolved {
            host,
            reason: "no addresses".into(),
        });
    }
    if !allow_private && let Some(bad) = addrs.iter().find(|a| !is_public(a.ip())) {
        return Err(TargetError::Private {
            host,
            addr: bad.ip(),
        });
    }
    Ok(addrs)
}

/// Checks a URL for an endpoint being saved.
pub async fn check(raw: &str, allow_private: bool) -> Result<Url, TargetError> {
    let url = parse_url(raw)?;
    resolve(&url, allow_private).await?;
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn refuses_what_is_not_public() {
        for a in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
        ] {
            assert!(!is_public(ip(a)), "{a} is not public");
        }
        for a in [
            "1.1.1.1",
            "8.8.8.8",
            "2606:4700:4700::1111",
            "64:ff9b::808:808",
        ] {
            assert!(is_public(ip(a)), "{a} is public");
        }
    }

    #[test]
    fn urls_are_http_with_a_host_and_no_credentials() {
        assert!(parse_url("https://hooks.example.com/jifen").is_ok());
        assert_eq!(parse_url("ftp://x.example/"), Err(TargetError::NotHttp));
        assert_eq!(parse_url("/relative"), Err(TargetError::NotHttp));
        assert_eq!(
            parse_url("https://u:p@x.example/"),
            Err(TargetError::Credentials)
        );
    }

    #[tokio::test]
    async fn literal_and_named_private_targets_are_refused_unless_allowed() {
        for raw in ["http://127.0.0.1:9/", "http://[::1]/", "http://localhost/"] {
            let url = parse_url(raw).unwrap();
            assert!(
                matches!(resolve(&url, false).await, Err(TargetError::Private { .. })),
                "{raw}"
            );
            assert!(resolve(&url, true).await.is_ok(), "{raw} allowed");
        }
    }
}
