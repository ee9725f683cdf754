//! Plain `GET` pages beside JSON-RPC on the same port: `/metrics` and the explorer's files.
//! Every other request (JSON-RPC over HTTP, WebSocket upgrades, `/health`) passes through.

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
};

use jsonrpsee::core::BoxError;
use jsonrpsee::server::{HttpRequest, HttpResponse};
use tower::{Layer, Service};

use crate::{explorer, metrics::MetricsSource};

/// Adds the `GET` pages in front of the JSON-RPC service.
#[derive(Clone)]
pub(crate) struct RoutesLayer(pub(crate) MetricsSource);

impl<S> Layer<S> for RoutesLayer {
    type Service = RoutesService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RoutesService { inner, metrics: self.0.clone() }
    }
}

/// The service [`RoutesLayer`] makes.
#[derive(Clone)]
pub(crate) struct RoutesService<S> {
    inner: S,
    metrics: MetricsSource,
}

impl<S, B> Service<HttpRequest<B>> for RoutesService<S>
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
        if req.method() == http::Method::GET {
            let path = req.uri().path();
            let page = if path == "/metrics" {
                Some(self.metrics.response())
            } else if path.starts_with("/explorer") {
                Some(explorer::response(path))
            } else {
                None
            };
            if let Some(response) = page {
                return Box::pin(async move { response.map_err(Into::into) });
            }
        }
        let fut = self.inner.call(req);
        Box::pin(async move { fut.await.map_err(Into::into) })
    }
}
