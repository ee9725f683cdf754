//! `GET /explorer`: the block explorer, built into the binary.
//!
//! Three static files (HTML, CSS, an ES module) compiled in with `include_str!`: nothing to build
//! or fetch on the user's machine, and the page talks only to the server that served it (JSON-RPC
//! over HTTP for reads, WebSocket for live blocks), which the content security policy enforces.

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
};

use jsonrpsee::core::BoxError;
use jsonrpsee::server::{HttpBody, HttpRequest, HttpResponse};
use tower::{Layer, Service};

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

/// Serves the explorer's files and passes every other request on.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ExplorerLayer;

impl<S> Layer<S> for ExplorerLayer {
    type Service = ExplorerService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ExplorerService { inner }
    }
}

/// The service [`ExplorerLayer`] makes.
#[derive(Clone, Debug)]
pub(crate) struct ExplorerService<S> {
    inner: S,
}

impl<S, B> Service<HttpRequest<B>> for ExplorerService<S>
where
    S: Service<HttpRequest<B>, Response = HttpResponse>,
    S::Error: Into<BoxError> + 'static,
    S::Future: Send + 'static,
{
    type Response = HttpResponse;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, BoxError>> + Send + 'static>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, req: HttpRequest<B>) -> Self::Future {
        let path = req.uri().path();
        if req.method() == http::Method::GET && path.starts_with("/explorer") {
            let response = match asset(path) {
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
            };
            return Box::pin(async move { response.map_err(Into::into) });
        }
        let fut = self.inner.call(req);
        Box::pin(async move { fut.await.map_err(Into::into) })
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
