//! The one HTTP error of the API and the shop: 4xx variants carry a safe message (and, for a
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
    /// A failure the client cannot fix: answered with an opaque 500 and
    /// logged with `context` and the whole chain of causes.
    #[error("internal error")]
    Internal {
        context: String,
        #[source]
        source: BoxError,
    },
}

/// Any error, as the cause of an internal one.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

impl Error {
    /// An internal error: what was being done, and why it failed.
    pub fn internal(context: impl Into<String>, source: impl Into<BoxError>) -> Error {
        Error::Internal {
            context: context.into(),
            source: source.into(),
        }
    }

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
            Error::Internal { .. } => (StatusCode::INTERNAL_SERVER_ERROR, "internal_error"),
        }
    }
}

impl From<tokio_postgres::Error> for Error {
    fn from(e: tokio_postgres::Error) -> Error {
        match classify(&e) {
            Some(error) => error,
            None => Error::internal("postgres", e),
        }
    }
}

/// The Postgres failures that are not internal errors: a closed connection
/// (503) and a unique violation (409, a concurrent request wrote it first).
fn classify(e: &tokio_postgres::Error) -> Option<Error> {
    if e.is_closed() {
        Some(Error::Unavailable(format!("postgres: {e}")))
    } else if e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) {
        Some(Error::Conflict {
            message: "a concurrent request changed the same thing; reload and retry".into(),
            details: serde_json::json!({}),
        })
    } else {
        None
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
        if let Error::Internal { context, source } = &self {
            tracing::error!(%context, cause = %causes(source.as_ref()), "internal error");
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

/// An error and its sources, outermost first, joined by ": ".
fn causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        if !out.ends_with(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        next = cause.source();
    }
    out
}

impl From<globalcart_common::Error> for Error {
    fn from(e: globalcart_common::Error) -> Error {
        if let globalcart_common::Error::Pool(e) = e {
            return e.into();
        }
        match e.postgres().and_then(classify) {
            Some(error) => error,
            None => Error::internal("postgres", e),
        }
    }
}
