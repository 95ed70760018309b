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

/// Sends `request` (raw HTTP/1.1, `Connection: close`); returns the status
/// code and the body.
fn raw(addr: &str, request: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect to the app");
    s.write_all(request.as_bytes()).expect("send");
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

/// A raw HTTP/1.1 GET; returns the status code and the body.
fn get(addr: &str, path: &str) -> (u16, String) {
    raw(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
    )
}

/// A runtime, a fresh database and the app serving it; its `host:port`.
fn app() -> (tokio::runtime::Runtime, TestEnv, String) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (env, base) = rt.block_on(async {
        let env = TestEnv::with_topics("unused").await;
        let base = env.spawn_app().await;
        (env, base)
    });
    let addr = base.trim_start_matches("http://").to_string();
    (rt, env, addr)
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
    let (rt, env, addr) = app();
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
                if path.chars().any(char::is_control) {
                    prop_assert_eq!(status, 400, "a control character in the path {:?}", path);
                } else {
                    prop_assert!(
                        // 307/308: `/`, `/shop` and `/admin` redirect to the pages
                        matches!(status, 200 | 307 | 308 | 404 | 405),
                        "status {} for path {:?}",
                        status,
                        path
                    );
                }
                Ok(())
            },
        )
        .unwrap();
    rt.block_on(env.drop_database());
}

/// A raw HTTP/1.1 request with a JSON body; returns the status and the body.
fn send_json(addr: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    raw(
        addr,
        &format!(
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
}

/// A NUL byte (or any control character) in any input, on any route, signed
/// in or not, is a 400 naming the input, never a 500; a JSON body that is not
/// an object is a 400 too (issue 15, items 10 and 13).
#[test]
fn control_characters_and_non_object_bodies_are_refused_at_the_edge() {
    let (rt, env, addr) = app();
    for query in [
        "/api/shop/products?q=ket%00tle",
        "/api/shop/promos/WELCOME%00?subtotal=10",
        "/api/shop/products?category=%01",
        "/api/admin/orders?status=PAID%00",
        "/api/kpis/timeseries?metric=orders%7F",
        "/api/shop/products?q%00=x",
    ] {
        let (status, body) = get(&addr, query);
        assert_eq!(status, 400, "{query}: {body}");
        assert!(body.contains("control character"), "{query}: {body}");
    }
    for (path, body, names) in [
        (
            "/api/shop/auth/otp",
            r#"{"email":"a\u0000@example.com","purpose":"login"}"#,
            "email",
        ),
        (
            "/api/shop/auth/login",
            r#"{"email":"a@example.com","password":"x\u0000"}"#,
            "password",
        ),
        (
            "/api/shop/orders/1/cancel",
            r#"{"reason":"no\u0000"}"#,
            "reason",
        ),
        (
            "/api/shop/addresses",
            r#"{"address":{"line1":"12\u0000 Street"}}"#,
            "address.line1",
        ),
        (
            "/api/shop/checkout",
            r#"{"promo_code":"WELCOME10\u0000"}"#,
            "promo_code",
        ),
        ("/api/admin/login", r#"{"password":"\u0001"}"#, "password"),
        (
            "/api/shop/events",
            r#"{"stage":"VIEW_CART","k\u0000":1}"#,
            "key",
        ),
    ] {
        let (status, answer) = send_json(&addr, "POST", path, body);
        assert_eq!(status, 400, "{path} {body}: {answer}");
        assert!(
            answer.contains("control character") && answer.contains(names),
            "{path}: {answer}"
        );
    }
    for body in ["[]", r#"[{"stage":"VIEW_CART"}]"#, "42", r#""text""#] {
        let (status, answer) = send_json(&addr, "POST", "/api/shop/events", body);
        assert_eq!(status, 400, "{body}: {answer}");
        assert!(answer.contains("JSON object"), "{answer}");
    }
    // line breaks in free text stay allowed (the handler answers, not the gate)
    let (status, answer) = send_json(
        &addr,
        "POST",
        "/api/shop/orders/1/cancel",
        r#"{"reason":"two\nlines"}"#,
    );
    assert_ne!(status, 400, "{answer}");
    rt.block_on(env.drop_database());
}

/// Slow clients are cut off (unfinished headers after 10 s, an unfinished
/// body after 30 s, answered 408), and oversized targets and headers get
/// 414 and 431 with the JSON error body (issue 15, item 12).
#[test]
fn slow_and_oversized_requests_are_cut_off_with_a_clear_answer() {
    use std::time::{Duration, Instant};
    let (rt, env, addr) = app();

    let (status, body) = get(
        &addr,
        &format!("/api/shop/products?q={}", "a".repeat(10_000)),
    );
    assert_eq!(status, 414, "{body}");
    assert!(body.contains("\"uri_too_long\""), "{body}");
    let mut s = TcpStream::connect(&addr).expect("connect");
    write!(
        s,
        "GET /healthz HTTP/1.1\r\nHost: {addr}\r\nX-Big: {}\r\nConnection: close\r\n\r\n",
        "b".repeat(40_000)
    )
    .expect("send");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read");
    assert!(out.starts_with("HTTP/1.1 431"), "{out}");
    assert!(out.contains("\"headers_too_large\""), "{out}");

    // headers that never end: the server hangs up (10 s; 25 s allowed here)
    let slow_headers = {
        let addr = addr.clone();
        std::thread::spawn(move || {
            let mut s = TcpStream::connect(&addr).expect("connect");
            s.set_read_timeout(Some(Duration::from_secs(25))).unwrap();
            write!(s, "GET /healthz HTTP/1.1\r\nHost: {addr}\r\nX-Slow: 1\r\n").expect("send");
            let start = Instant::now();
            let mut buf = [0u8; 256];
            let n = s.read(&mut buf).unwrap_or(0);
            (
                start.elapsed(),
                String::from_utf8_lossy(&buf[..n]).to_string(),
            )
        })
    };
    // a body that never ends: 408 with the JSON error (30 s; 50 s allowed)
    let slow_body = {
        let addr = addr.clone();
        std::thread::spawn(move || {
            let mut s = TcpStream::connect(&addr).expect("connect");
            s.set_read_timeout(Some(Duration::from_secs(50))).unwrap();
            write!(
                s,
                "POST /api/shop/events HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"stage\""
            )
            .expect("send");
            let mut out = String::new();
            let _ = s.read_to_string(&mut out);
            out
        })
    };
    let (waited, answer) = slow_headers.join().unwrap();
    assert!(
        waited < Duration::from_secs(25) && !answer.starts_with("HTTP/1.1 2"),
        "unfinished headers held the connection {waited:?}: {answer}"
    );
    let answer = slow_body.join().unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"request_timeout\""), "{answer}");
    rt.block_on(env.drop_database());
}
