//! What the GlobalCart 360 API and its shop share over HTTP.
//!
//! # Layout
//! - [`error`]: the one HTTP `Error`, rendered as a JSON error response (4xx
//!   with a safe message, or an opaque 500 logged with its causes).
//! - [`session`]: server-side sessions behind signed cookies, and the CSRF
//!   header every state-changing request echoes.
//! - [`password`]: argon2 hashes and the password policy.
//! - [`limits`]: attempt counters for rate limits.
//! - [`client`]: the client's address, through trusted proxies only.

pub mod client;
pub mod error;
pub mod limits;
pub mod password;
pub mod session;

pub use error::{BoxError, Error, Result};
