//! Malformed HTTP input never crashes the API or yields a 5xx: random query
//! strings on `/api/kpis/timeseries` (every parameter, arbitrary bytes
//! percent-encoded) get a 200 or a 400 naming the parameter, random paths a
//! 404. Against the real app on a real database (proptest drives the inputs).

mod helpers;

use std::io::{Read, Write};
use std::net::TcpStream;

use helpers::TestEnv;
use proptest::prelude::*;

/// Percent-encodes every byte outside the unreserved set.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A raw HTTP/1.1 GET; returns the status code and the body.
fn get(addr: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect to the app");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read the answer");
    let status = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {out:?}"));
    let body = out.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    (status, body)
}

fn param() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        any::<String>().prop_map(Some),
        prop::sample::select(vec![
            "net_revenue_usd",
            "orders",
            "day",
            "hour",
            "week",
            "month",
            "region",
            "channel",
            "category",
            "all",
            "2026-01-01",
            "2026-13-45",
            "2026-11-26T10:00:00Z",
            "",
        ])
        .prop_map(|s| Some(s.to_string())),
    ]
}

#[test]
fn random_inputs_get_a_clear_4xx_or_an_answer_never_a_crash() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (env, base) = rt.block_on(async {
        let env = TestEnv::with_topics("unused").await;
        let base = env.spawn_app().await;
        (env, base)
    });
    let addr = base.trim_start_matches("http://").to_string();
    let names = ["metric", "grain", "from", "to", "by"];
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 200,
        ..ProptestConfig::default()
    });
    runner
        .run(
            &(prop::collection::vec(param(), 5), any::<String>()),
            |(values, path)| {
                let query: Vec<String> = names
                    .iter()
                    .zip(&values)
                    .filter_map(|(n, v)| v.as_ref().map(|v| format!("{n}={}", encode(v))))
                    .collect();
                let (status, body) =
                    get(&addr, &format!("/api/kpis/timeseries?{}", query.join("&")));
                prop_assert!(
                    status == 200 || status == 400,
                    "status {} for {:?}: {}",
                    status,
                    query,
                    body
                );
                if status == 400 {
                    prop_assert!(
                        names.iter().any(|n| body.contains(n)),
                        "a 400 names the parameter: {}",
                        body
                    );
                }
                let (status, _) = get(&addr, &format!("/{}", encode(&path)));
                prop_assert!(
                    // 307/308: `/`, `/shop` and `/admin` redirect to the pages
                    matches!(status, 200 | 307 | 308 | 404 | 405),
                    "status {} for path {:?}",
                    status,
                    path
                );
                Ok(())
            },
        )
        .unwrap();
    rt.block_on(env.drop_database());
}
