//! The API skeleton on port 0 against a fresh database.

mod helpers;

use globalcart_api::AppState;
use globalcart_common::db;
use helpers::TestEnv;

async fn spawn_app(env: &TestEnv) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState {
        pool: db::pool(&env.database_url, 2).unwrap(),
        kafka: env.kafka.clone(),
        kpis: Default::default(),
    };
    tokio::spawn(globalcart_api::serve(
        listener,
        state,
        std::future::pending(),
    ));
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_readiness_answer_with_the_state_of_postgres_and_the_broker() {
    let env = TestEnv::new().await;
    let base = spawn_app(&env).await;
    let health: serde_json::Value = reqwest::get(format!("{base}/healthz"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    let ready = reqwest::get(format!("{base}/readyz")).await.unwrap();
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["postgres"], "ok");
    assert_eq!(body["topics"], 8);
    env.cleanup().await;
}
