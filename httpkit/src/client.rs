//! The client's address behind proxies: forwarded headers are believed only
//! when the socket peer is a trusted proxy (`TRUSTED_PROXIES`, loopback by
//! default, as for a local cloudflared tunnel), and then the right-most
//! address of `X-Forwarded-For` that is not itself a trusted proxy is the
//! client (the left entries are whatever the client chose to send).
//! `CF-Connecting-IP`, set by Cloudflare itself, wins when present.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;

/// Proxies whose forwarded headers are believed.
#[derive(Debug, Clone)]
pub struct TrustedProxies(Vec<IpAddr>);

impl Default for TrustedProxies {
    fn default() -> Self {
        TrustedProxies(vec![
            IpAddr::from([127, 0, 0, 1]),
            IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1]),
        ])
    }
}

impl TrustedProxies {
    /// Parses a comma-separated list of addresses (empty = trust none).
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<IpAddr>()
                    .map_err(|_| format!("TRUSTED_PROXIES: {s:?} is not an IP address"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        self.0.contains(&ip)
    }

    /// The client address of a request from `peer` with `headers`.
    pub fn client_ip(&self, headers: &HeaderMap, peer: Option<SocketAddr>) -> String {
        let Some(peer) = peer else {
            return "unknown".into();
        };
        if !self.trusts(peer.ip()) {
            return peer.ip().to_string();
        }
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        if let Some(ip) = header("cf-connecting-ip").and_then(|v| v.trim().parse::<IpAddr>().ok()) {
            return ip.to_string();
        }
        let hops: Vec<IpAddr> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|s| s.trim().parse::<IpAddr>().ok())
            .collect();
        hops.iter()
            .rev()
            .find(|ip| !self.trusts(**ip))
            .map_or_else(|| peer.ip().to_string(), IpAddr::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        let t = TrustedProxies::default();
        let local: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let remote: SocketAddr = "198.51.100.7:5000".parse().unwrap();
        // a client spoofing the left entry does not choose its address
        let h = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.9")]);
        assert_eq!(t.client_ip(&h, Some(local)), "203.0.113.9");
        // from an untrusted peer the headers are ignored
        assert_eq!(t.client_ip(&h, Some(remote)), "198.51.100.7");
        // trusted hops are skipped
        let h = headers(&[("x-forwarded-for", "203.0.113.9, 127.0.0.1")]);
        assert_eq!(t.client_ip(&h, Some(local)), "203.0.113.9");
        let h = headers(&[
            ("cf-connecting-ip", "203.0.113.5"),
            ("x-forwarded-for", "9.9.9.9"),
        ]);
        assert_eq!(t.client_ip(&h, Some(local)), "203.0.113.5");
        assert_eq!(t.client_ip(&HeaderMap::new(), Some(local)), "127.0.0.1");
        let none = TrustedProxies::parse("").unwrap();
        let h = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(none.client_ip(&h, Some(local)), "127.0.0.1");
        assert!(TrustedProxies::parse("10.0.0.1, nope").is_err());
    }
}
