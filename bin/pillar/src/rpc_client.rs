//! The CLI's JSON-RPC client: jsonrpsee's HTTP client, the same implementation of the protocol
//! as the node's server. Plain `http://` only (nodes are reached over loopback or behind a
//! proxy). Async for commands that run on a runtime, `*_blocking` for the others.

use std::{
    sync::{Arc, OnceLock},
    time::Duration,
};

use anyhow::{Context, bail};
use jsonrpsee_core::{
    client::{ClientT, Error as ClientError},
    params::BatchRequestBuilder,
    traits::ToRpcParams,
};
use jsonrpsee_http_client::{
    HeaderMap, HeaderValue, HttpClient, HttpClientBuilder, transport, types::ErrorObject,
};
use serde_json::{Value, value::RawValue};

/// Largest request sent: the node's default body cap (`rpc.max_request_body`).
const MAX_REQUEST: u32 = 16 * 1024 * 1024;
/// Largest response read: the node's default cap (`RpcConfig::max_response_body`, not a config key); a larger one is an
/// error, not an allocation.
const MAX_RESPONSE: u32 = 32 * 1024 * 1024;
/// Longest wait for one answer.
const TIMEOUT: Duration = Duration::from_secs(60);

/// A JSON-RPC error returned by the node.
#[derive(Debug)]
pub(crate) struct RpcError {
    pub(crate) code: i64,
    pub(crate) message: String,
    pub(crate) data: Value,
}

impl std::fmt::Display for RpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.data.get("kind").and_then(Value::as_str) {
            Some(kind) => write!(f, "{} (code {}, {kind})", self.message, self.code),
            None => write!(f, "{} (code {})", self.message, self.code),
        }
    }
}

impl std::error::Error for RpcError {}

impl From<ErrorObject<'_>> for RpcError {
    fn from(e: ErrorObject<'_>) -> Self {
        RpcError {
            code: e.code().into(),
            message: e.message().to_string(),
            data: e.data().and_then(|d| serde_json::from_str(d.get()).ok()).unwrap_or(Value::Null),
        }
    }
}

/// Params as JSON (an array or an object), passed through as they are.
struct Params(Value);

impl ToRpcParams for Params {
    fn to_rpc_params(self) -> Result<Option<Box<RawValue>>, serde_json::Error> {
        match self.0 {
            Value::Null => Ok(None),
            v => serde_json::value::to_raw_value(&v).map(Some),
        }
    }
}

/// The runtime blocking callers' requests run on.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .thread_name("rpc-client")
            .enable_all()
            .build()
            .expect("a tokio runtime for the RPC client")
    })
}

/// A node's (or anvil's) JSON-RPC endpoint. Clones share one connection pool.
#[derive(Clone)]
pub(crate) struct Rpc {
    url: Arc<str>,
    client: HttpClient,
}

impl Rpc {
    /// A client that keeps its connection open between calls.
    pub(crate) fn new(url: &str) -> anyhow::Result<Self> {
        Self::build(url, HeaderMap::new())
    }

    /// A client for one call: the server closes the connection after answering, so nothing
    /// lingers in its connection count.
    pub(crate) fn one_shot(url: &str) -> anyhow::Result<Self> {
        let mut headers = HeaderMap::new();
        headers.insert("connection", HeaderValue::from_static("close"));
        Self::build(url, headers)
    }

    fn build(url: &str, headers: HeaderMap) -> anyhow::Result<Self> {
        if !url.starts_with("http://") {
            bail!("only http:// URLs are supported, got {url}");
        }
        // hyper's connection pool belongs to a runtime.
        let _rt = runtime().enter();
        let client = HttpClientBuilder::new()
            .max_request_size(MAX_REQUEST)
            .max_response_size(MAX_RESPONSE)
            .request_timeout(TIMEOUT)
            .set_headers(headers)
            .build(url)
            .with_context(|| format!("bad RPC URL {url}"))?;
        Ok(Self { url: url.into(), client })
    }

    /// Calls one method; a JSON-RPC error comes back as [`RpcError`] inside the anyhow error.
    pub(crate) async fn call(&self, method: &str, params: Value) -> anyhow::Result<Value> {
        self.client.request(method, Params(params)).await.map_err(|e| self.error(method, e))
    }

    /// One JSON-RPC batch of `method` with each of `params`; each answer in order, a result or
    /// the node's error for that entry.
    pub(crate) async fn batch(
        &self,
        method: &str,
        params: impl IntoIterator<Item = Value>,
    ) -> anyhow::Result<Vec<Result<Value, RpcError>>> {
        let mut batch = BatchRequestBuilder::new();
        for p in params {
            batch.insert(method, Params(p))?;
        }
        let answers = self.client.batch_request(batch).await.map_err(|e| self.error(method, e))?;
        Ok(answers.into_iter().map(|a| a.map_err(RpcError::from)).collect())
    }

    /// [`Rpc::call`] for callers off any runtime (or in `block_in_place`).
    pub(crate) fn call_blocking(&self, method: &str, params: Value) -> anyhow::Result<Value> {
        let (rpc, method) = (self.clone(), method.to_string());
        block(async move { rpc.call(&method, params).await })
    }

    /// [`Rpc::batch`] for callers off any runtime.
    pub(crate) fn batch_blocking(
        &self,
        method: &str,
        params: Vec<Value>,
    ) -> anyhow::Result<Vec<Result<Value, RpcError>>> {
        let (rpc, method) = (self.clone(), method.to_string());
        block(async move { rpc.batch(&method, params).await })
    }

    fn error(&self, method: &str, e: ClientError) -> anyhow::Error {
        let url = &self.url;
        match e {
            ClientError::Call(e) => RpcError::from(e).into(),
            ClientError::Transport(e) => match e.downcast::<transport::Error>() {
                Ok(e) => match *e {
                    transport::Error::Rejected { status_code } => {
                        anyhow::anyhow!("{method} at {url}: HTTP {status_code}")
                    }
                    e => anyhow::Error::new(e).context(format!("{method} at {url}")),
                },
                Err(e) => anyhow::anyhow!(e).context(format!("{method} at {url}")),
            },
            ClientError::RequestTimeout => anyhow::anyhow!("{method} at {url}: no answer in {TIMEOUT:?}"),
            e => anyhow::Error::new(e).context(format!("{method} at {url}")),
        }
    }
}

/// Runs `f` on the client's runtime and waits for it; works from any thread, blocking it.
fn block<T: Send + 'static>(
    f: impl Future<Output = anyhow::Result<T>> + Send + 'static,
) -> anyhow::Result<T> {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    runtime().spawn(async move {
        let _ = tx.send(f.await);
    });
    rx.recv().context("the RPC client's runtime stopped")?
}

/// Calls one method on a fresh connection.
pub(crate) async fn call_async(url: &str, method: &str, params: Value) -> anyhow::Result<Value> {
    Rpc::one_shot(url)?.call(method, params).await
}
