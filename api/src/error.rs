//! The API's one error type: 4xx variants carry a safe message (and, for a
//! conflict, details such as the items short of stock); internal errors become
//! an opaque 500, logged with their cause.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{message}")]
    Conflict { message: String, details: Value },
    #[error("{0}")]
    Gone(String),
    #[error("{0}")]
    Unprocessable(String),
    #[error("{message}")]
    TooManyRequests { message: String, details: Value },
    #[error("{0}")]
    Unavailable(String),
    #[error("internal error")]
    Internal(String),
}

impl Error {
    /// A 404 that reads the same whether the thing is missing or someone else's.
    pub fn not_found(what: &str) -> Error {
        Error::NotFound(format!("{what} not found"))
    }

    /// The HTTP status and the machine-readable kind of the error.
    pub fn status(&self) -> (StatusCode, &'static str) {
        match self {
            Error::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            Error::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Error::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            Error::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            Error::Conflict { .. } => (StatusCode::CONFLICT, "conflict"),
            Error::Gone(_) => (StatusCode::GONE, "gone"),
            Error::Unprocessable(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            Error::TooManyRequests { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            Error::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            Error::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal_error"),
        }
    }
}

impl From<tokio_postgres::Error> for Error {
    fn from(e: tokio_postgres::Error) -> Error {
        if e.is_closed() {
            Error::Unavailable(format!("postgres: {e}"))
        } else if e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) {
            // a concurrent request wrote the same key first: a conflict, not a crash
            Error::Conflict {
                message: "a concurrent request changed the same thing; reload and retry".into(),
                details: serde_json::json!({}),
            }
        } else {
            Error::Internal(format!("postgres: {e}"))
        }
    }
}

impl From<deadpool_postgres::PoolError> for Error {
    fn from(e: deadpool_postgres::PoolError) -> Error {
        Error::Unavailable(format!("postgres: {e}"))
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let (status, kind) = self.status();
        if let Error::Internal(cause) = &self {
            tracing::error!(%cause, "internal error");
        }
        let mut error = serde_json::json!({
            "type": kind, "status": status.as_u16(), "message": self.to_string()
        });
        if let Error::Conflict { details, .. } | Error::TooManyRequests { details, .. } = &self {
            error["details"] = details.clone();
        }
        (status, Json(serde_json::json!({ "error": error }))).into_response()
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<globalcart_common::Error> for Error {
    fn from(e: globalcart_common::Error) -> Error {
        match e {
            globalcart_common::Error::Postgres(e) => e.into(),
            globalcart_common::Error::Pool(e) => e.into(),
            other => Error::Internal(other.to_string()),
        }
    }
}
