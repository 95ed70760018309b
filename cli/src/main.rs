//! `globalcart`: telemetry → settings → run the command until done or signalled.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    globalcart::telemetry::init();
    let cli = globalcart::Cli::parse();
    match globalcart::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "globalcart failed");
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
