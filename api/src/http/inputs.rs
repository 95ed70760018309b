//! One gate for every input, before any handler. A request target over
//! 8 KiB is a 414 and headers over 32 KiB a 431, both with the JSON error
//! body. Then the path, every query
//! parameter and every string of a JSON body (keys included) are refused with
//! a 400 naming the input when they hold a control character (a NUL byte
//! reached Postgres as `invalid byte sequence for encoding "UTF8": 0x00` and
//! answered 500), and a JSON body must be an object (every endpoint takes
//! one). Free text may keep line breaks and tabs; nothing else below U+0020,
//! DEL or the C1 range passes.

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use percent_encoding::percent_decode_str;
use serde_json::{json, Value};

/// The largest body read (axum's `Json` default).
const MAX_BODY: usize = 2 * 1024 * 1024;
/// The longest request target (path and query) answered.
const MAX_URI: usize = 8 * 1024;
/// The most header bytes answered (hyper itself cuts off at about 400 KiB,
/// with a bare 431; below that the answer is this JSON one).
const MAX_HEADERS: usize = 32 * 1024;

fn refused(status: StatusCode, message: String) -> Response {
    let kind = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::URI_TOO_LONG => "uri_too_long",
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => "headers_too_large",
        StatusCode::REQUEST_TIMEOUT => "request_timeout",
        _ => "bad_request",
    };
    let body = json!({"error": {"type": kind, "status": status.as_u16(), "message": message}});
    (status, Json(body)).into_response()
}

/// The first forbidden character of `s`, if any.
fn control(s: &str, allow_breaks: bool) -> Option<char> {
    s.chars()
        .find(|&c| c.is_control() && !(allow_breaks && matches!(c, '\n' | '\r' | '\t')))
}

fn describe(c: char) -> String {
    format!("control character U+{:04X}", c as u32)
}

/// The JSON path of the first string (or key) holding a control character.
fn first_control(v: &Value, path: &mut String) -> Option<(String, char)> {
    match v {
        Value::String(s) => control(s, true).map(|c| (path.clone(), c)),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
            let len = path.len();
            path.push_str(&format!("[{i}]"));
            let found = first_control(item, path);
            path.truncate(len);
            found
        }),
        Value::Object(map) => map.iter().find_map(|(k, item)| {
            if let Some(c) = control(k, false) {
                return Some((format!("{path} key {k:?}"), c));
            }
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(k);
            let found = first_control(item, path);
            path.truncate(len);
            found
        }),
        _ => None,
    }
}

/// Whether reading a body failed on its size (not on a timeout or a reset).
fn too_long(e: &axum::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if c.to_string().contains("length limit") {
            return true;
        }
        cause = c.source();
    }
    false
}

pub async fn reject_control_chars(req: Request, next: Next) -> Response {
    let uri = req.uri().clone();
    let target = uri.path_and_query().map_or(0, |p| p.as_str().len());
    if target > MAX_URI {
        return refused(
            StatusCode::URI_TOO_LONG,
            format!("the request target is {target} bytes (at most {MAX_URI})"),
        );
    }
    let header_bytes: usize = req
        .headers()
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum();
    if header_bytes > MAX_HEADERS {
        return refused(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!("the headers are {header_bytes} bytes (at most {MAX_HEADERS})"),
        );
    }
    let path = percent_decode_str(uri.path()).decode_utf8_lossy();
    if let Some(c) = control(&path, false) {
        return refused(
            StatusCode::BAD_REQUEST,
            format!("the path contains a {}", describe(c)),
        );
    }
    if let Some(query) = uri.query() {
        for pair in query.split('&') {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| {
                percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            let (name, value) = (decode(name), decode(value));
            if let Some(c) = control(&name, false).or_else(|| control(&value, false)) {
                return refused(
                    StatusCode::BAD_REQUEST,
                    format!("parameter {name:?} contains a {}", describe(c)),
                );
            }
        }
    }
    let json = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(e) if too_long(&e) => {
            return refused(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the body is larger than {MAX_BODY} bytes"),
            )
        }
        Err(e) => {
            return refused(
                StatusCode::REQUEST_TIMEOUT,
                format!("the body did not arrive in time: {e}"),
            )
        }
    };
    // what does not parse is left to the handler's extractor (its 400/422
    // names the problem)
    if let Ok(v) = serde_json::from_slice::<Value>(&bytes) {
        if !v.is_object() {
            return refused(
                StatusCode::BAD_REQUEST,
                "the body must be a JSON object".into(),
            );
        }
        if let Some((at, c)) = first_control(&v, &mut String::new()) {
            return refused(
                StatusCode::BAD_REQUEST,
                format!("body field {at} contains a {}", describe(c)),
            );
        }
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_path_of_the_first_control_character() {
        let v = json!({"address": {"lines": ["ok", "bad\u{0}"]}, "note": "two\nlines"});
        assert_eq!(
            first_control(&v, &mut String::new()),
            Some(("address.lines[1]".into(), '\0'))
        );
        assert_eq!(
            first_control(&json!({"note": "a\tb\r\nc"}), &mut String::new()),
            None
        );
        assert!(first_control(&json!({"k\u{7f}": 1}), &mut String::new()).is_some());
        assert!(control("x\u{85}", true).is_some(), "C1 controls too");
    }
}
