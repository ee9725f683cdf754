//! A minimal blocking JSON-RPC client over HTTP/1.1, enough for the CLI (no TLS: nodes are
//! reached over loopback or behind a proxy).

use std::{
    io::{Read, Write},
    net::TcpStream,
    time::Duration,
};

use anyhow::{Context, bail};
use serde_json::{Value, json};

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

/// Splits `http://host:port/path` into `host:port` and path.
fn target(url: &str) -> anyhow::Result<(String, String)> {
    let rest =
        url.strip_prefix("http://").with_context(|| format!("only http:// URLs are supported, got {url}"))?;
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    Ok((host.to_string(), path.to_string()))
}

/// POSTs a raw body and returns the status code and response body.
pub(crate) fn post(url: &str, body: &[u8]) -> anyhow::Result<(u16, Vec<u8>)> {
    let (host, path) = target(url)?;
    let mut stream = TcpStream::connect(&host).with_context(|| format!("connecting to {host}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    // The server may answer (for example 413) and close before reading a large body.
    let _ = stream.write_all(body);
    let mut resp = Vec::new();
    stream.read_to_end(&mut resp)?;
    let split = resp.windows(4).position(|w| w == b"\r\n\r\n").context("malformed HTTP response")?;
    let status_line = String::from_utf8_lossy(&resp[..split]);
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .context("malformed HTTP status line")?;
    let mut body = resp[split + 4..].to_vec();
    if status_line.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        body = dechunk(&body)?;
    }
    Ok((status, body))
}

fn dechunk(mut data: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n").context("bad chunk")?;
        let size = usize::from_str_radix(std::str::from_utf8(&data[..line_end])?.trim(), 16)?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        if data.len() < size + 2 {
            bail!("truncated chunk");
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

/// Calls one method; a JSON-RPC error comes back as [`RpcError`] inside the anyhow error.
pub(crate) fn call(url: &str, method: &str, params: Value) -> anyhow::Result<Value> {
    let req = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
    let (status, body) = post(url, &serde_json::to_vec(&req)?)?;
    let v: Value = serde_json::from_slice(&body)
        .with_context(|| format!("HTTP {status}: {}", String::from_utf8_lossy(&body)))?;
    if let Some(e) = v.get("error") {
        return Err(RpcError {
            code: e.get("code").and_then(Value::as_i64).unwrap_or(0),
            message: e.get("message").and_then(Value::as_str).unwrap_or("").to_string(),
            data: e.get("data").cloned().unwrap_or(Value::Null),
        }
        .into());
    }
    Ok(v.get("result").cloned().unwrap_or(Value::Null))
}
