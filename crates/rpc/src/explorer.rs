//! `GET /explorer`: the block explorer, built into the binary (served by [`crate::routes`]).
//!
//! Three static files (HTML, CSS, an ES module) compiled in with `include_str!`: nothing to build
//! or fetch on the user's machine, and the page talks only to the server that served it (JSON-RPC
//! over HTTP for reads, WebSocket for live blocks), which the content security policy enforces.

use jsonrpsee::server::{HttpBody, HttpResponse};

const INDEX_HTML: &str = include_str!("../explorer/index.html");
const APP_JS: &str = include_str!("../explorer/app.js");
const STYLE_CSS: &str = include_str!("../explorer/style.css");

/// Only this origin's HTTP and WebSocket endpoints; no inline script, no third parties.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self' ws: wss:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The asset at `path`, with its content type.
fn asset(path: &str) -> Option<(&'static str, &'static str)> {
    match path {
        "/explorer" | "/explorer/" | "/explorer/index.html" => Some((INDEX_HTML, "text/html; charset=utf-8")),
        "/explorer/app.js" => Some((APP_JS, "text/javascript; charset=utf-8")),
        "/explorer/style.css" => Some((STYLE_CSS, "text/css; charset=utf-8")),
        _ => None,
    }
}

/// The `GET` response for `path` (under `/explorer`): the asset, or 404.
pub(crate) fn response(path: &str) -> Result<HttpResponse, http::Error> {
    match asset(path) {
        Some((body, content_type)) => HttpResponse::builder()
            .status(http::StatusCode::OK)
            .header(http::header::CONTENT_TYPE, content_type)
            .header(http::header::CONTENT_SECURITY_POLICY, CSP)
            .header(http::header::X_CONTENT_TYPE_OPTIONS, "nosniff")
            .header(http::header::CACHE_CONTROL, "no-cache")
            .body(HttpBody::from(body)),
        None => HttpResponse::builder()
            .status(http::StatusCode::NOT_FOUND)
            .header(http::header::CONTENT_TYPE, "text/plain; charset=utf-8")
            .body(HttpBody::from("not found")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_reference_resolves_to_an_asset() {
        assert!(asset("/explorer").is_some());
        assert!(asset("/explorer/").is_some());
        // The page loads exactly the files served here, by absolute path.
        for file in ["/explorer/app.js", "/explorer/style.css"] {
            assert!(INDEX_HTML.contains(file), "index.html does not reference {file}");
            assert!(asset(file).is_some());
        }
        assert!(asset("/explorer/../Cargo.toml").is_none());
        assert!(asset("/explorerx").is_none());
    }
}
