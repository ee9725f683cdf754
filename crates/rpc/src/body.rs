//! HTTP request bodies, read whole before jsonrpsee sees them: within `body_timeout` of the
//! headers (else 408) and within `max_request_body` whatever the framing, Content-Length or
//! chunked (else 413). Also the one JSON-RPC input jsonrpsee misreads (lone surrogates).

use std::time::Duration;

use http::{HeaderValue, Method, StatusCode, header};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Bytes;
use jsonrpsee::core::BoxError;
use jsonrpsee::server::{HttpBody, HttpRequest, HttpResponse, http::response};
use serde_json::value::RawValue;

use crate::conn::{CloseReason, RpcStats};

/// The limits on a request body.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyLimits {
    pub(crate) max: u32,
    pub(crate) timeout: Duration,
}

/// Reads a `POST` body whole; any other request passes as it is. On failure, the response to send
/// (and the connection closes after it).
pub(crate) async fn read<B>(
    req: http::Request<B>,
    limits: BodyLimits,
    stats: &RpcStats,
) -> Result<HttpRequest, HttpResponse>
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    if req.method() != Method::POST {
        return Ok(req.map(HttpBody::new));
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > u64::from(limits.max)) {
        return Err(closing(response::too_large(limits.max)));
    }
    let (parts, body) = req.into_parts();
    let body = Limited::new(body, limits.max as usize);
    match tokio::time::timeout(limits.timeout, body.collect()).await {
        Err(_) => {
            stats.closed(CloseReason::BodyTimeout);
            let secs = limits.timeout.as_secs();
            Err(closing(text(
                StatusCode::REQUEST_TIMEOUT,
                format!("request body not received within {secs} s of the headers\n"),
            )))
        }
        Ok(Err(e)) if e.is::<LengthLimitError>() => Err(closing(response::too_large(limits.max))),
        // The client broke the framing or went away.
        Ok(Err(_)) => Err(closing(response::malformed())),
        Ok(Ok(c)) => {
            let body = fix_lone_surrogates(c.to_bytes());
            Ok(http::Request::from_parts(parts, HttpBody::new(Full::new(body))))
        }
    }
}

fn text(status: StatusCode, body: String) -> HttpResponse {
    let mut r = HttpResponse::new(HttpBody::from(body));
    *r.status_mut() = status;
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    r
}

/// The body was not read to its end: the connection cannot carry another request.
fn closing(mut r: HttpResponse) -> HttpResponse {
    r.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    r
}

/// What jsonrpsee answers with -32600 (Invalid Request) and id null.
const INVALID_REQUEST: &[u8] = br#"{"id":null}"#;

/// jsonrpsee reads an object whose `id` it cannot decode, such as a string holding a lone UTF-16
/// surrogate (`"\ud800"`), as a notification and answers nothing; in a batch the entry vanishes.
/// Such text is not Unicode, so not JSON: an object carrying a lone surrogate escape anywhere is
/// replaced by the smallest invalid request, which jsonrpsee answers in its place.
pub(crate) fn fix_lone_surrogates(body: Bytes) -> Bytes {
    if !has_lone_surrogate(&body) {
        return body;
    }
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'[') {
        return Bytes::from_static(INVALID_REQUEST);
    }
    // Not an array of JSON values: jsonrpsee answers the parse error itself.
    let Ok(entries) = serde_json::from_slice::<Vec<&RawValue>>(&body) else { return body };
    let mut out = Vec::with_capacity(body.len());
    out.push(b'[');
    for (i, e) in entries.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let e = e.get().as_bytes();
        out.extend_from_slice(if has_lone_surrogate(e) { INVALID_REQUEST } else { e });
    }
    out.push(b']');
    Bytes::from(out)
}

/// Whether JSON text holds a `\uXXXX` escape of a UTF-16 surrogate that is not half of a pair.
fn has_lone_surrogate(s: &[u8]) -> bool {
    let unit = |at: usize| -> Option<u16> {
        let hex = s.get(at..at + 6)?.strip_prefix(b"\\u")?;
        u16::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
    };
    let mut i = 0;
    while let Some(p) = s.get(i..).and_then(|rest| memchr::memchr(b'\\', rest)) {
        let at = i + p;
        i = at + 2;
        match unit(at) {
            Some(0xD800..=0xDBFF) => match unit(at + 6) {
                Some(0xDC00..=0xDFFF) => i = at + 12,
                _ => return true,
            },
            Some(0xDC00..=0xDFFF) => return true,
            Some(_) => i = at + 6,
            // Another escape (`\\`, `\"`, …): its second byte is not the start of one.
            None => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_lone_surrogates_only() {
        assert!(has_lone_surrogate(br#"{"id":"\ud800"}"#));
        assert!(has_lone_surrogate(br#"{"id":"\uDC00x"}"#));
        assert!(has_lone_surrogate(br#"{"id":"\ud800\u0041"}"#));
        assert!(has_lone_surrogate(br#""\ud83d\ude00\ud800""#));
        // A pair is one character.
        assert!(!has_lone_surrogate(br#"{"id":"\ud83d\ude00"}"#));
        // An escaped backslash followed by `ud800` is text, not an escape.
        assert!(!has_lone_surrogate(br#"{"id":"\\ud800"}"#));
        assert!(!has_lone_surrogate(br#"{"id":"\u00e9\n"}"#));
        assert!(!has_lone_surrogate(b"\\"));
        assert!(!has_lone_surrogate(b"\\ud8"));
        assert!(has_lone_surrogate(b"x\\ud800"));
        assert!(has_lone_surrogate(b"\\ud800\\"));
    }

    #[test]
    fn replaces_only_the_entries_that_carry_one() {
        let ok = br#"{"jsonrpc":"2.0","id":1,"method":"m"}"#;
        assert_eq!(&fix_lone_surrogates(Bytes::from_static(ok))[..], ok);
        let bad = Bytes::from_static(br#" {"jsonrpc":"2.0","id":"\ud800","method":"m"}"#);
        assert_eq!(&fix_lone_surrogates(bad)[..], INVALID_REQUEST);
        let batch = Bytes::from_static(
            br#"[{"jsonrpc":"2.0","id":1,"method":"m"}, {"jsonrpc":"2.0","id":"\ud800","method":"m"}]"#,
        );
        assert_eq!(
            &fix_lone_surrogates(batch)[..],
            br#"[{"jsonrpc":"2.0","id":1,"method":"m"},{"id":null}]"#
        );
        // Not JSON at all: left for jsonrpsee's parse error.
        let garbage = Bytes::from_static(br#"[{"id":"\ud800""#);
        assert_eq!(fix_lone_surrogates(garbage.clone()), garbage);
    }
}
