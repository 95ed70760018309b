//! Ctrl-C and SIGTERM flip a watch channel that every task of a command listens to.

use std::sync::Arc;

use tokio::sync::watch;

/// A receiver that turns `true` on Ctrl-C or SIGTERM.
pub fn on_signal() -> watch::Receiver<bool> {
    on_signal_or_request().1
}

/// Like [`on_signal`], plus a sender so a failing task can stop the others.
pub fn on_signal_or_request() -> (Arc<watch::Sender<bool>>, watch::Receiver<bool>) {
    let (tx, rx) = watch::channel(false);
    let tx = Arc::new(tx);
    let signal_tx = tx.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutdown requested; finishing the batch in flight");
        let _ = signal_tx.send(true);
    });
    (tx, rx)
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// A future that completes when `rx` turns true (for axum's graceful shutdown).
pub async fn wait(mut rx: watch::Receiver<bool>) {
    let _ = rx.wait_for(|s| *s).await;
}
