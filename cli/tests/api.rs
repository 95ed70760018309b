//! The API skeleton on port 0 against a fresh database.

mod helpers;

use helpers::TestEnv;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_readiness_answer_with_the_state_of_postgres_and_the_broker() {
    let env = TestEnv::new().await;
    let base = env.spawn_app().await;
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
