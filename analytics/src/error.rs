//! The one error type of the crate.

/// Everything that can stop an analytics run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("database: {0}")]
    Db(#[from] tokio_postgres::Error),
    #[error(transparent)]
    Common(#[from] globalcart_common::Error),
    #[error("data frame: {0}")]
    Frame(#[from] polars::error::PolarsError),
    #[error("column {column}: {reason}")]
    Column { column: String, reason: String },
    #[error("model {model}: {reason}")]
    Model { model: String, reason: String },
    #[error("plot {plot}: {reason}")]
    Plot { plot: String, reason: String },
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    #[error("background task: {0}")]
    Join(#[from] tokio::task::JoinError),
}

impl Error {
    pub(crate) fn model(model: impl Into<String>, reason: impl ToString) -> Error {
        Error::Model {
            model: model.into(),
            reason: reason.to_string(),
        }
    }
}

/// `Result` with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
