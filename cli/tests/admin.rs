//! Admin sign-in against the real app and database: the password from the
//! settings (argon2-hashed, never admin/admin) or a generated one shown once;
//! signed HttpOnly SameSite=Lax cookies (Secure behind TLS); CSRF on logout;
//! tampered or revoked sessions refused.

mod helpers;

use globalcart_api::auth::{password, Auth, AuthSettings};
use globalcart_common::db;
use helpers::{TestEnv, ADMIN_PASSWORD};
use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The `name=value` part of the response's Set-Cookie, and the whole header.
fn set_cookie(r: &reqwest::Response) -> (String, String) {
    let h = r
        .headers()
        .get(SET_COOKIE)
        .expect("a Set-Cookie header")
        .to_str()
        .unwrap()
        .to_string();
    (h.split(';').next().unwrap().to_string(), h)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_signs_in_with_the_configured_password_and_sessions_are_guarded() {
    let env = TestEnv::with_topics("unused").await;
    let base = env.spawn_app().await;
    let http = client();
    let login = format!("{base}/api/admin/login");

    for (body, status) in [
        (json!({"password": "admin"}), StatusCode::UNAUTHORIZED),
        (json!({"password": "wrong"}), StatusCode::UNAUTHORIZED),
        (json!({"user": "x"}), StatusCode::BAD_REQUEST),
    ] {
        let r = http.post(&login).json(&body).send().await.unwrap();
        assert_eq!(r.status(), status, "{body}");
        assert!(r.headers().get(SET_COOKIE).is_none());
        let e: Value = r.json().await.unwrap();
        assert!(!e["error"]["message"].as_str().unwrap().is_empty());
    }
    let form = http
        .post(&login)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("password={ADMIN_PASSWORD}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        form.status(),
        StatusCode::BAD_REQUEST,
        "no cross-site form login"
    );

    // plain http: no Secure flag
    let r = http
        .post(&login)
        .json(&json!({"password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (cookie, header) = set_cookie(&r);
    assert!(
        header.contains("HttpOnly") && header.contains("SameSite=Lax"),
        "{header}"
    );
    assert!(!header.contains("Secure"), "{header}");
    let csrf = r.json::<Value>().await.unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_string();

    // behind a TLS proxy: Secure
    let tls = http
        .post(&login)
        .header("x-forwarded-proto", "https")
        .json(&json!({"password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(set_cookie(&tls).1.contains("Secure"));

    let session = format!("{base}/api/admin/session");
    let me = http
        .get(&session)
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(
        me.json::<Value>().await.unwrap()["csrf_token"],
        csrf.as_str()
    );
    assert_eq!(
        http.get(&session).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    // a forged cookie (the session id without a valid signature)
    let (name, value) = cookie.split_once('=').unwrap();
    let forged = format!("{name}={}", &value[value.len().saturating_sub(36)..]);
    assert_eq!(
        http.get(&session)
            .header(COOKIE, forged)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );

    let logout = format!("{base}/api/admin/logout");
    let no_csrf = http
        .post(&logout)
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(no_csrf.status(), StatusCode::FORBIDDEN);
    let wrong = http
        .post(&logout)
        .header(COOKIE, &cookie)
        .header("x-csrf-token", "0".repeat(64))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    let ok = http
        .post(&logout)
        .header(COOKIE, &cookie)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        http.get(&session)
            .header(COOKIE, &cookie)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED,
        "a revoked session is refused"
    );

    // the password is stored hashed, never in clear
    let stored: String = env
        .client()
        .await
        .query_one(
            "select password_hash from globalcart.app_admin_credentials",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(stored.starts_with("$argon2id$") && !stored.contains(ADMIN_PASSWORD));
    env.drop_database().await;
}

#[tokio::test]
async fn without_a_configured_password_one_is_generated_once_and_works() {
    let env = TestEnv::with_topics("unused").await;
    let pool = db::pool(&env.database_url, 2).unwrap();
    let (_, generated) = Auth::bootstrap(&pool, &AuthSettings::default())
        .await
        .unwrap();
    let generated = generated.expect("a password generated at first start");
    assert_ne!(generated, "admin");
    assert!(
        globalcart_api::auth::admin_password_matches(&pool, &generated)
            .await
            .unwrap()
    );
    // the next start (or another process) does not generate or print another
    let (_, again) = Auth::bootstrap(&pool, &AuthSettings::default())
        .await
        .unwrap();
    assert!(again.is_none());
    assert!(
        globalcart_api::auth::admin_password_matches(&pool, &generated)
            .await
            .unwrap()
    );
    // setting ADMIN_PASSWORD later replaces it
    let settings = AuthSettings {
        admin_password: Some("Another-password-9".into()),
        ..AuthSettings::default()
    };
    Auth::bootstrap(&pool, &settings).await.unwrap();
    assert!(
        !globalcart_api::auth::admin_password_matches(&pool, &generated)
            .await
            .unwrap()
    );
    assert!(password::check_policy("Another-password-9").is_ok());
    assert!(
        globalcart_api::auth::admin_password_matches(&pool, "Another-password-9")
            .await
            .unwrap()
    );
    drop(pool);
    env.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kpi_api_and_the_admin_views_need_an_admin_session() {
    let env = TestEnv::with_topics("unused").await;
    let base = env.spawn_app_with(false).await;
    let http = client();
    for path in [
        "/api/kpis/live",
        "/api/kpis/timeseries?metric=orders",
        "/api/admin/orders",
        "/api/admin/funnel",
        "/api/admin/audit",
        "/api/admin/journeys",
        "/api/admin/charts/revenue",
        "/api/admin/charts/rfm",
        "/api/admin/analytics/segments.csv",
    ] {
        let r = http.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path}");
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["error"]["status"], json!(401), "{path}");
    }
    let r = http
        .post(format!("{base}/api/admin/login"))
        .json(&json!({"password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (cookie, _) = set_cookie(&r);
    for path in [
        "/api/kpis/live",
        "/api/admin/orders",
        "/api/admin/charts/rfm",
    ] {
        let r = http
            .get(format!("{base}{path}"))
            .header(COOKIE, &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
    }
    // before any analytics run the charts say so
    let rfm: Value = http
        .get(format!("{base}/api/admin/charts/rfm"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rfm["available"], json!(false));
    // an unknown dataset or path is a JSON 404
    let r = http
        .get(format!("{base}/api/admin/analytics/passwords"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = http
        .get(format!("{base}/api/nothing-here"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["status"], json!(404));
    env.drop_database().await;
}

/// Demo mode shows sign-in codes in the browser: the server refuses it on a
/// non-loopback address unless told so explicitly, and says how to fix it.
#[tokio::test]
async fn demo_mode_is_refused_on_a_network_address_without_the_explicit_flag() {
    let env = TestEnv::with_topics("unused").await;
    let run = |extra: &[&str]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_globalcart"));
        cmd.args(["serve", "--host", "0.0.0.0", "--port", "0", "--demo-mode"])
            .args(extra)
            .env("DATABASE_URL", &env.database_url)
            .env("KAFKA_BROKERS", &env.kafka.brokers)
            .env("TOPIC_PREFIX", &env.kafka.topic_prefix)
            .env("ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env_remove("DEMO_ON_NETWORK")
            .stdin(std::process::Stdio::null());
        cmd
    };
    let out = run(&[]).output().expect("globalcart serve");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "demo mode on 0.0.0.0 must not start");
    assert!(
        stderr.contains("refusing DEMO_MODE") && stderr.contains("--demo-on-network"),
        "{stderr}"
    );
    // with the flag it starts (and is stopped here)
    let mut child = run(&["--demo-on-network"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("globalcart serve --demo-on-network");
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert!(
        child.try_wait().expect("status").is_none(),
        "it serves with the flag"
    );
    let _ = child.kill();
    let _ = child.wait();
    env.drop_database().await;
}

/// `/metrics` shows revenue: with a token configured only a scraper sending
/// it gets the page; without one, only a direct loopback request (a request
/// that came through a proxy or tunnel is refused).
#[tokio::test]
async fn metrics_need_the_token_or_a_direct_local_request() {
    let env = TestEnv::with_topics("unused").await;
    let http = client();
    let open = env.spawn_app().await;
    let r = http.get(format!("{open}/metrics")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // every answer carries the security headers (ASVS 14.4)
    for (h, v) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
    ] {
        assert_eq!(
            r.headers().get(h).and_then(|v| v.to_str().ok()),
            Some(v),
            "{h}"
        );
    }
    assert!(r.headers().contains_key("content-security-policy"));
    for (h, v) in [
        ("x-forwarded-for", "203.0.113.9"),
        ("cf-connecting-ip", "203.0.113.9"),
        ("forwarded", "for=203.0.113.9"),
    ] {
        let r = http
            .get(format!("{open}/metrics"))
            .header(h, v)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "through a proxy ({h})");
        let body: Value = r.json().await.unwrap();
        assert!(body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("METRICS_TOKEN"));
    }
    let guarded = env
        .spawn_app_configured(true, helpers::shop_settings(), Some("scrape-token-123"))
        .await;
    for auth in [None, Some("Bearer wrong"), Some("scrape-token-123")] {
        let mut req = http.get(format!("{guarded}/metrics"));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        assert_eq!(
            req.send().await.unwrap().status(),
            StatusCode::UNAUTHORIZED,
            "{auth:?}"
        );
    }
    let r = http
        .get(format!("{guarded}/metrics"))
        .header("authorization", "Bearer scrape-token-123")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("globalcart_"));
    env.drop_database().await;
}
