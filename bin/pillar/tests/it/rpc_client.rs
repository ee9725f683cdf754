//! The CLI's JSON-RPC client (jsonrpsee's HTTP client) against servers that misbehave: what the
//! node sends is bounded and refusals come back as clear errors.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{SocketAddr, TcpListener},
    process::Command,
    time::{Duration, Instant},
};

use serde_json::{Value, json};

use crate::common::{RpcError, rpc_client::Rpc};

/// A server that reads one request and answers it with `reply(request id)`, then closes.
fn serve_once(reply: impl FnOnce(Value) -> Vec<u8> + Send + 'static) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let (s, _) = listener.accept().unwrap();
        let mut r = BufReader::new(s);
        let mut len = 0;
        loop {
            let mut line = String::new();
            r.read_line(&mut line).unwrap();
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                len = v.trim().parse().unwrap();
            }
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0; len];
        r.read_exact(&mut body).unwrap();
        let req: Value = serde_json::from_slice(&body).unwrap();
        // The client may give up before reading all of it.
        let _ = r.get_mut().write_all(&reply(req["id"].clone()));
    });
    addr
}

fn http(status: &str, headers: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\n{headers}connection: close\r\n\r\n").into_bytes();
    out.extend_from_slice(body);
    out
}

fn json_reply(v: Value) -> Vec<u8> {
    let body = v.to_string();
    http(
        "200 OK",
        &format!("content-type: application/json\r\ncontent-length: {}\r\n", body.len()),
        body.as_bytes(),
    )
}

fn call(addr: SocketAddr, method: &str) -> anyhow::Result<Value> {
    Rpc::new(&format!("http://{addr}"))?.call_blocking(method, json!([]))
}

#[test]
fn results_and_node_errors_come_back_typed() {
    let addr =
        serve_once(|id| json_reply(json!({ "jsonrpc": "2.0", "id": id, "result": { "chainId": 901 } })));
    assert_eq!(call(addr, "pillar_chainInfo").unwrap(), json!({ "chainId": 901 }));

    let addr = serve_once(|id| {
        json_reply(json!({ "jsonrpc": "2.0", "id": id, "error": {
            "code": -38017, "message": "this node is a replica", "data": { "kind": "read_only" } } }))
    });
    let e = call(addr, "pillar_sendTransaction").unwrap_err().downcast::<RpcError>().unwrap();
    assert_eq!(
        (e.code, e.message.as_str(), &e.data["kind"]),
        (-38017, "this node is a replica", &json!("read_only"))
    );
    assert_eq!(e.to_string(), "this node is a replica (code -38017, read_only)");

    // An answer to another request is not taken for this one.
    let addr = serve_once(|_| json_reply(json!({ "jsonrpc": "2.0", "id": 999, "result": 1 })));
    assert!(call(addr, "eth_chainId").is_err());
}

#[test]
fn refusals_by_status_name_the_status() {
    let addr = serve_once(|_| http("429 Too Many Requests", "content-length: 4\r\n", b"busy"));
    let e = call(addr, "pillar_chainInfo").unwrap_err().to_string();
    assert!(e.contains("HTTP 429") && e.contains("pillar_chainInfo"), "{e}");
}

fn over_limit(e: &str) -> bool {
    let e = e.to_lowercase();
    e.contains("too big") || e.contains("limit exceeded")
}

#[test]
fn oversize_responses_are_refused_not_buffered() {
    const LIMIT: usize = 32 * 1024 * 1024;
    // Announced too large: refused on the header, without waiting for the body.
    let addr = serve_once(|_| http("200 OK", &format!("content-length: {}\r\n", LIMIT + 1), b"{"));
    let started = Instant::now();
    let e = format!("{:#}", call(addr, "pillar_getBlockByNumber").unwrap_err());
    assert!(started.elapsed() < Duration::from_secs(10), "{e}");
    assert!(over_limit(&e), "{e}");
    // Not announced (chunked): cut off once past the limit.
    let addr = serve_once(|id| {
        let body = json!({ "jsonrpc": "2.0", "id": id, "result": "a".repeat(LIMIT) }).to_string();
        let chunk = format!("{:x}\r\n{body}\r\n0\r\n\r\n", body.len());
        http("200 OK", "transfer-encoding: chunked\r\n", chunk.as_bytes())
    });
    let e = format!("{:#}", call(addr, "pillar_getBlockByNumber").unwrap_err());
    assert!(over_limit(&e), "{e}");
    // Just under the limit is fine.
    let addr =
        serve_once(|id| json_reply(json!({ "jsonrpc": "2.0", "id": id, "result": "a".repeat(LIMIT - 100) })));
    assert_eq!(call(addr, "pillar_getBlockByNumber").unwrap().as_str().map(str::len), Some(LIMIT - 100));
}

#[test]
fn only_plain_http_urls() {
    let e = Rpc::new("https://127.0.0.1:8545").err().unwrap().to_string();
    assert!(e.contains("only http://"), "{e}");
}

/// `pillar tx` against nothing says which call to which URL failed.
#[test]
fn the_cli_names_the_unreachable_node() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let key = pillar_stf::PrivateKey::from_bytes([7; 32]).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_pillar"))
        .args(["tx", "transfer", "--rpc", &url, "--key", &key.to_hex(), "--to", &key.address().to_string()])
        .args(["--amount", "1"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("pillar_chainInfo at {url}")), "{err}");
}
