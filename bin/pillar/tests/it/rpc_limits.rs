//! RPC limits against a running node, with small limits so each case takes seconds: connection
//! slots in all and per address, slow request bodies, idle and dead connections, a WebSocket
//! client that stops reading, oversized chunked bodies and ids jsonrpsee cannot decode.
//!
//! Clients connect from different loopback addresses (all of 127/8 is local on Linux) to count
//! as different clients.

use std::{
    io::{ErrorKind, Read, Write},
    net::{SocketAddr, TcpStream},
    sync::mpsc,
    time::{Duration, Instant},
};

use pillar_assets::Transfer;
use pillar_stf::{Call, PrivateKey, Transaction};
use serde_json::{Value, json};

use crate::common::{Node, init_chain, start_node_with};

pub(crate) fn addr(node: &Node) -> SocketAddr {
    node.url.strip_prefix("http://").unwrap().parse().unwrap()
}

/// A connection to `to` from `127.0.0.<host>`, optionally with a small receive buffer.
fn connect_from(host: u8, to: SocketAddr, recv_buf: Option<u32>) -> TcpStream {
    let rt = tokio::runtime::Builder::new_current_thread().enable_io().build().unwrap();
    let s = rt.block_on(async {
        let sock = tokio::net::TcpSocket::new_v4().unwrap();
        if let Some(n) = recv_buf {
            sock.set_recv_buffer_size(n).unwrap();
        }
        sock.bind(SocketAddr::from(([127, 0, 0, host], 0))).unwrap();
        sock.connect(to).await.unwrap().into_std().unwrap()
    });
    s.set_nonblocking(false).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    s
}

fn post_head(len: usize, close: bool) -> String {
    let conn = if close { "close" } else { "keep-alive" };
    format!(
        "POST / HTTP/1.1\r\nHost: node\r\nContent-Type: application/json\r\nContent-Length: {len}\r\nConnection: {conn}\r\n\r\n"
    )
}

/// Reads one HTTP response (headers and a Content-Length body): status and body.
fn read_response(s: &mut TcpStream) -> (u16, String) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(s.read(&mut byte).unwrap(), 1, "connection closed inside a response head: {head:?}");
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let len = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap())
        })
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).unwrap();
    (status, String::from_utf8(body).unwrap())
}

/// One JSON-RPC call over a new connection from `127.0.0.<host>`.
fn call_from(host: u8, to: SocketAddr, body: &str) -> (u16, String) {
    let mut s = connect_from(host, to, None);
    s.write_all(post_head(body.len(), true).as_bytes()).unwrap();
    s.write_all(body.as_bytes()).unwrap();
    read_response(&mut s)
}

const CHAIN_ID: &str = r#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}"#;

/// Whether the server closed `s` (end of stream, or a reset), reading past anything it sent.
fn closed_by_server(s: &mut TcpStream) -> bool {
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::ConnectionReset => return true,
            Err(e) => panic!("the server did not close the connection: {e}"),
        }
    }
}

/// A sample from the node's `/metrics`, asked from `127.0.0.<host>`.
fn metric(host: u8, to: SocketAddr, name: &str) -> f64 {
    let mut s = connect_from(host, to, None);
    s.write_all(b"GET /metrics HTTP/1.1\r\nHost: node\r\nConnection: close\r\n\r\n").unwrap();
    let (status, body) = read_response(&mut s);
    assert_eq!(status, 200);
    body.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix(' ')))
        .unwrap_or_else(|| panic!("{name} missing from /metrics"))
        .parse()
        .unwrap()
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// What a WebSocket client reads.
#[derive(Debug)]
pub(crate) enum Msg {
    Json(Value),
    Ping,
    Closed(u16, String),
    Eof,
}

/// A bare WebSocket client, so a test can stop reading at will.
pub(crate) struct Ws(TcpStream);

impl Ws {
    pub(crate) fn open(host: u8, to: SocketAddr, recv_buf: Option<u32>) -> Ws {
        let mut s = connect_from(host, to, recv_buf);
        s.write_all(
            b"GET / HTTP/1.1\r\nHost: node\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
              Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        )
        .unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            s.read_exact(&mut byte).unwrap();
            head.push(byte[0]);
        }
        assert!(head.starts_with(b"HTTP/1.1 101"), "{}", String::from_utf8_lossy(&head));
        Ws(s)
    }

    /// Sends one masked frame.
    fn frame(&mut self, opcode: u8, payload: &[u8]) {
        let mask = [0x5a, 0x17, 0x33, 0x81];
        let mut f = vec![0x80 | opcode];
        match payload.len() {
            n if n < 126 => f.push(0x80 | n as u8),
            n if n < 65_536 => {
                f.push(0x80 | 126);
                f.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                f.push(0x80 | 127);
                f.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        f.extend_from_slice(&mask);
        f.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.0.write_all(&f).unwrap();
    }

    pub(crate) fn send(&mut self, v: Value) {
        self.frame(0x1, v.to_string().as_bytes());
    }

    /// The next message; pings are answered (and skipped) when `pong`.
    fn next(&mut self, pong: bool) -> Msg {
        loop {
            let mut h = [0u8; 2];
            match self.0.read_exact(&mut h) {
                Ok(()) => {}
                Err(e) if matches!(e.kind(), ErrorKind::UnexpectedEof | ErrorKind::ConnectionReset) => {
                    return Msg::Eof;
                }
                Err(e) => panic!("reading a frame: {e}"),
            }
            let len = match h[1] & 0x7f {
                126 => {
                    let mut b = [0u8; 2];
                    self.0.read_exact(&mut b).unwrap();
                    u64::from(u16::from_be_bytes(b))
                }
                127 => {
                    let mut b = [0u8; 8];
                    self.0.read_exact(&mut b).unwrap();
                    u64::from_be_bytes(b)
                }
                n => u64::from(n),
            };
            let mut payload = vec![0u8; len as usize];
            self.0.read_exact(&mut payload).unwrap();
            match h[0] & 0x0f {
                0x1 => return Msg::Json(serde_json::from_slice(&payload).unwrap()),
                0x8 => {
                    let code = payload.get(..2).map_or(0, |c| u16::from_be_bytes([c[0], c[1]]));
                    let reason = String::from_utf8(payload.get(2..).unwrap_or_default().to_vec()).unwrap();
                    return Msg::Closed(code, reason);
                }
                0x9 if pong => self.frame(0xA, &payload),
                0x9 => return Msg::Ping,
                other => panic!("unexpected opcode {other}"),
            }
        }
    }

    /// Reads on a thread that answers pings; what it reads arrives on the channel, up to the end.
    pub(crate) fn spawn_reader(self) -> (Ws, mpsc::Receiver<Msg>) {
        let mut r = Ws(self.0.try_clone().unwrap());
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            loop {
                let m = r.next(true);
                let end = matches!(m, Msg::Closed(..) | Msg::Eof);
                if tx.send(m).is_err() || end {
                    break;
                }
            }
        });
        (self, rx)
    }
}

/// The answer to request `id` from a reader's messages, skipping notifications.
pub(crate) fn answer(msgs: &mpsc::Receiver<Msg>, id: u64) -> Value {
    loop {
        match msgs.recv_timeout(Duration::from_secs(60)).expect("no answer") {
            Msg::Json(v) if v["id"] == json!(id) => return v,
            Msg::Json(_) | Msg::Ping => {}
            other => panic!("no answer to request {id}: {other:?}"),
        }
    }
}

pub(crate) fn subscribe(method: &str, id: u64) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": [] })
}

#[test]
fn one_address_cannot_take_every_slot_and_slow_bodies_time_out() {
    let dir = tempfile::tempdir().unwrap();
    let (config, _) = init_chain(dir.path(), 20);
    let node = start_node_with(
        &config,
        &["--rpc-max-connections", "20", "--rpc-max-connections-per-ip", "8", "--rpc-body-timeout-secs", "1"],
    );
    let to = addr(&node);

    // Eight silent connections from one address take its share, not every slot.
    let held: Vec<TcpStream> = (0..8).map(|_| connect_from(1, to, None)).collect();
    let (status, text) = call_from(1, to, CHAIN_ID);
    assert_eq!(status, 429, "{text}");
    assert!(text.contains("from your address (limit 8)"), "{text}");
    let (status, text) = call_from(2, to, CHAIN_ID);
    assert_eq!((status, text.contains("result")), (200, true), "{text}");

    // Twenty in all: the next client is refused whatever its address.
    let more: Vec<TcpStream> =
        (0..8).map(|_| connect_from(3, to, None)).chain((0..4).map(|_| connect_from(4, to, None))).collect();
    let (status, text) = call_from(5, to, CHAIN_ID);
    assert_eq!(status, 429, "{text}");
    assert!(text.contains("too many connections (limit 20)"), "{text}");

    // Slots come back when connections close.
    drop(held);
    drop(more);
    wait_for("freed slots", || call_from(1, to, CHAIN_ID).0 == 200);

    // A body that does not arrive in time: 408, and the connection closes.
    let mut slow = connect_from(2, to, None);
    slow.write_all(post_head(CHAIN_ID.len(), false).as_bytes()).unwrap();
    slow.write_all(&CHAIN_ID.as_bytes()[..1]).unwrap();
    let (status, text) = read_response(&mut slow);
    assert_eq!(status, 408, "{text}");
    assert!(closed_by_server(&mut slow));
    assert_eq!(metric(2, to, "pillar_rpc_closed_total{reason=\"body_timeout\"}"), 1.0);
    assert!(metric(2, to, "pillar_rpc_refused_total{reason=\"per_ip\"}") >= 1.0);
}

#[test]
fn idle_and_dead_connections_are_closed() {
    let dir = tempfile::tempdir().unwrap();
    let (config, _) = init_chain(dir.path(), 20);
    let node =
        start_node_with(&config, &["--rpc-idle-timeout-secs", "1", "--rpc-ws-ping-interval-secs", "1"]);
    let to = addr(&node);

    // HTTP keep-alive: answered, then closed when no next request comes.
    let mut s = connect_from(1, to, None);
    s.write_all(post_head(CHAIN_ID.len(), false).as_bytes()).unwrap();
    s.write_all(CHAIN_ID.as_bytes()).unwrap();
    assert_eq!(read_response(&mut s).0, 200);
    assert!(closed_by_server(&mut s));

    // A WebSocket with no call and no subscription is closed, though it answers pings.
    let mut idle = Ws::open(1, to, None);
    match idle.next(true) {
        Msg::Closed(1000, reason) => assert!(reason.contains("idle"), "{reason}"),
        other => panic!("expected an idle close, got {other:?}"),
    }

    // One with a subscription that answers pings stays past several idle timeouts.
    let (mut live, msgs) = Ws::open(1, to, None).spawn_reader();
    live.send(subscribe("pillar_subscribeNewBlocks", 1));
    assert!(answer(&msgs, 1)["result"].is_u64());
    std::thread::sleep(Duration::from_secs(4));
    live.send(json!({ "jsonrpc": "2.0", "id": 2, "method": "eth_chainId", "params": [] }));
    assert!(answer(&msgs, 2)["result"].is_string());

    // A subscriber that answers no ping is dropped: jsonrpsee closes it (no reason given).
    let mut dead = Ws::open(1, to, None);
    dead.send(subscribe("pillar_subscribeNewBlocks", 1));
    loop {
        match dead.next(false) {
            Msg::Json(_) | Msg::Ping => {}
            Msg::Closed(code, reason) => {
                assert_eq!(code, 1000);
                assert!(!reason.contains("idle"), "{reason}");
                break;
            }
            Msg::Eof => panic!("closed without a close frame"),
        }
    }
    assert!(metric(2, to, "pillar_rpc_closed_total{reason=\"idle\"}") >= 2.0);
}

/// Sends `n` transfers in batches of 100 from the dev keys in turn; `nonces` tracks each key.
fn load(node: &Node, keys: &[PrivateKey], nonces: &mut [u64], n: usize) {
    let info = node.call("pillar_chainInfo", json!([])).unwrap();
    let chain_id = info["chainId"].as_u64().unwrap();
    let fee: u128 = info["fees"]["txFee"].as_str().unwrap().parse().unwrap();
    for b in 0..n.div_ceil(100) {
        let k = b % keys.len();
        let to = keys[(k + 1) % keys.len()].address();
        let txs: Vec<Value> = (0..100)
            .map(|_| {
                let call =
                    Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer { to, asset: 0, amount: 1 }));
                let stx = keys[k].sign(Transaction { chain_id, nonce: nonces[k], max_fee: fee, call });
                nonces[k] += 1;
                json!(format!("0x{}", hex::encode(stx.encode())))
            })
            .collect();
        let r = node.call("pillar_sendTransactions", json!([txs])).unwrap();
        assert!(r.as_array().unwrap().iter().all(|e| e.get("hash").is_some()), "{r}");
    }
}

#[test]
fn a_subscriber_that_stops_reading_is_dropped_and_a_reader_keeps_up() {
    let dir = tempfile::tempdir().unwrap();
    let (config, keys) = init_chain(dir.path(), 20);
    let node = start_node_with(&config, &["--rpc-max-ws-send-buffer", "65536"]);
    let to = addr(&node);

    // Fifty raw-block subscriptions on one connection that is never read.
    let mut slow = Ws::open(1, to, Some(4096));
    for id in 1..=50 {
        slow.send(subscribe("pillar_subscribeRawBlocks", id));
    }
    // A reader of the same feed.
    let (mut reader, msgs) = Ws::open(1, to, None).spawn_reader();
    reader.send(subscribe("pillar_subscribeRawBlocks", 1));
    assert!(answer(&msgs, 1)["result"].is_u64());
    let next_height = || loop {
        match msgs.recv_timeout(Duration::from_secs(60)).expect("the reader stopped receiving") {
            Msg::Json(v) => {
                if let Some(h) = v.pointer("/params/result/height").and_then(Value::as_u64) {
                    return h;
                }
            }
            Msg::Ping => {}
            other => panic!("the reader was closed: {other:?}"),
        }
    };

    // Blocks until the slow connection holds more than its budget (kernel buffers come first).
    // Rounds of 100 transfers keep a raw block near 15 KB, so the reader's budget holds several
    // blocks even when the machine is busy, while the slow connection (50 subscriptions) still
    // falls behind by 50 of them per block.
    let mut nonces = vec![0u64; keys.len()];
    let deadline = Instant::now() + Duration::from_secs(120);
    while metric(2, to, "pillar_rpc_closed_total{reason=\"slow_reader\"}") < 1.0 {
        assert!(Instant::now() < deadline, "the slow subscriber was never dropped");
        load(&node, &keys, &mut nonces, 100);
    }

    // It is told why once it reads: what had reached it, then close 1008, then the end.
    let mut notifications = 0;
    loop {
        match slow.next(false) {
            Msg::Json(_) | Msg::Ping => notifications += 1,
            Msg::Closed(code, reason) => {
                assert_eq!(code, 1008);
                assert!(reason.contains("send buffer over 65536 bytes"), "{reason}");
                break;
            }
            Msg::Eof => panic!("dropped without a close frame after {notifications} messages"),
        }
    }
    assert!(notifications > 0);
    assert!(matches!(slow.next(false), Msg::Eof));

    // The reader saw every block, with no gap, up to the head.
    let head = u64::from_str_radix(
        node.call("eth_blockNumber", json!([])).unwrap().as_str().unwrap().trim_start_matches("0x"),
        16,
    )
    .unwrap();
    let first = next_height();
    let mut last = first;
    while last < head {
        let h = next_height();
        assert_eq!(h, last + 1, "the reader skipped blocks");
        last = h;
    }
    assert!(head > first, "no load reached the reader");

    // What waited for the dropped client is freed; the reader stays.
    wait_for("the send buffers to drain", || {
        metric(2, to, "pillar_rpc_ws_send_buffer_bytes") == 0.0
            && metric(2, to, "pillar_rpc_ws_connections") == 1.0
    });
}

#[test]
fn chunked_oversize_bodies_get_413_and_undecodable_ids_get_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (config, _) = init_chain(dir.path(), 20);
    let node = start_node_with(&config, &[]);
    let to = addr(&node);

    // 50 MB, chunked: refused like a Content-Length body over the 16 MiB limit.
    let mut s = connect_from(1, to, None);
    s.write_all(
        b"POST / HTTP/1.1\r\nHost: node\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
    )
    .unwrap();
    let chunk = [b'a'; 1 << 20];
    for _ in 0..50 {
        // The server answers and closes once past the limit; later writes may fail.
        if s.write_all(format!("{:x}\r\n", chunk.len()).as_bytes()).is_err()
            || s.write_all(&chunk).is_err()
            || s.write_all(b"\r\n").is_err()
        {
            break;
        }
    }
    let (status, body) = read_response(&mut s);
    assert_eq!(status, 413, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["error"]["code"], -32007, "{v}");

    // An id that is a lone UTF-16 surrogate is not JSON text: -32600 with id null...
    let bad = r#"{"jsonrpc":"2.0","id":"\ud800","method":"pillar_chainInfo"}"#;
    let (status, body) = call_from(1, to, bad);
    assert_eq!(status, 200);
    let v: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body:?}"));
    assert_eq!((v["id"].clone(), v["error"]["code"].clone()), (Value::Null, json!(-32600)), "{v}");

    // ...and in a batch, for that entry alone.
    let batch = format!(
        r#"[{{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}},{bad},{{"jsonrpc":"2.0","id":3,"method":"eth_chainId"}}]"#
    );
    let (status, body) = call_from(1, to, &batch);
    assert_eq!(status, 200);
    let v: Value = serde_json::from_str(&body).unwrap();
    let entries = v.as_array().unwrap_or_else(|| panic!("{v}"));
    assert_eq!(entries.len(), 3, "{v}");
    let by_id = |id: Value| entries.iter().find(|e| e["id"] == id).unwrap_or_else(|| panic!("{v}"));
    assert!(by_id(json!(1))["result"].is_string());
    assert!(by_id(json!(3))["result"].is_string());
    assert_eq!(by_id(Value::Null)["error"]["code"], -32600);
}
