//! The operator's and the user's view of a running devnet: the explorer in headless Chromium
//! (Debian's, driven by playwright-core), `/metrics`, `/health`, and the history methods the
//! explorer reads (`pillar_getBatches`, `pillar_getEvents`).

use std::{
    io::{Read, Write},
    net::TcpStream,
    path::Path,
    process::Command,
    time::{Duration, Instant},
};

use serde_json::{Value, json};

use crate::common::{call, npm_ready, repo_root, start_devnet};

/// A plain HTTP GET: status code and body.
fn get(url: &str, path: &str) -> (u16, String) {
    let host = url.trim_start_matches("http://");
    let mut s = TcpStream::connect(host).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let status = raw.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = raw.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

/// Debian's Chromium, or `None` (with a loud message) on a developer machine without it. A
/// browser cannot come from npm here, so CI (`CI` set) installs it and fails without it.
fn chromium() -> Option<&'static Path> {
    let p = Path::new("/usr/bin/chromium");
    if p.exists() {
        return Some(p);
    }
    let how = "the browser test needs Debian's chromium: `apt-get install chromium` (.ci/run installs it)";
    assert!(std::env::var_os("CI").is_none(), "{how}");
    eprintln!("SKIPPED: {how}");
    None
}

#[test]
fn explorer_in_chromium_search_tx_page_and_live_blocks() {
    npm_ready();
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let devnet = start_devnet(dir.path(), "basic");
    let (url, keys) = (devnet.url(), devnet.keys());
    // Served from the binary on the RPC port, with a policy that keeps it on this origin.
    let (status, html) = get(url, "/explorer");
    assert_eq!(status, 200);
    assert!(html.contains("/explorer/app.js"));
    assert_eq!(get(url, "/explorer/nope.js").0, 404);

    let shot = std::env::temp_dir().join(format!("pillar-explorer-{}.png", std::process::id()));
    let out = Command::new("node")
        .arg(repo_root().join("tests/js/explorer.mjs"))
        .args(["--rpc", url, "--key", &keys[0].to_hex(), "--to", &keys[1].address().to_string()])
        .args(["--screenshot", &shot.to_string_lossy()])
        .env("CHROMIUM", chromium)
        .output()
        .expect("node must be installed");
    assert!(
        out.status.success(),
        "explorer.mjs failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("explorer.mjs prints JSON");
    assert_eq!(report["ok"], true);
    assert!(report["batches"].as_u64().unwrap() > 0);
    assert!(report["liveBlock"]["after"].as_u64() > report["liveBlock"]["before"].as_u64());
}

#[test]
fn metrics_health_batches_and_events_on_a_devnet() {
    let dir = tempfile::tempdir().unwrap();
    let devnet = start_devnet(dir.path(), "basic");
    let (url, keys) = (devnet.url(), devnet.keys());
    let (from, key) = (keys[0].address().to_string(), keys[0].to_hex());
    let to = keys[1].address().to_string();
    // Three transfers through the same ethers-free path the CLI uses.
    for i in 0..3u64 {
        let out = Command::new(env!("CARGO_BIN_EXE_pillar"))
            .args(["tx", "transfer", "--rpc", url, "--key", &key, "--to", &to])
            .args(["--amount", &(1000 + i).to_string()])
            .output()
            .expect("pillar tx");
        assert!(out.status.success(), "pillar tx failed: {}", String::from_utf8_lossy(&out.stderr));
    }

    let (status, text) = get(url, "/metrics");
    assert_eq!(status, 200);
    assert!(metric(&text, "pillar_transactions_total").unwrap() >= 3.0, "{text}");
    assert!(metric(&text, "pillar_signatures_checked_total").unwrap() >= 3.0);
    assert!(metric(&text, "pillar_block_commit_seconds_count").unwrap() >= 1.0);
    assert!(text.contains("pillar_signature_check_seconds_bucket{le=\"+Inf\"}"));
    assert!(text.contains("# TYPE pillar_block_commit_seconds histogram"));
    for name in [
        "pillar_tps",
        "pillar_mempool_transactions",
        "pillar_batcher_backlog_blocks",
        "pillar_batcher_l1_fees_wei_total",
    ] {
        assert!(metric(&text, name).is_some(), "{name} missing from:\n{text}");
    }
    let (status, health) = get(url, "/health");
    assert_eq!(status, 200, "{health}");
    let health: Value = serde_json::from_str(&health).unwrap();
    for check in ["production", "progress", "batcher"] {
        assert_eq!(health["checks"][check]["ok"], true, "{health}");
    }

    // Every block gets batched; the batch log says where on L1 and at what size.
    let head = call(url, "eth_blockNumber", json!([])).unwrap();
    let head = u64::from_str_radix(head.as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let batches = loop {
        let b = call(url, "pillar_getBatches", json!([10])).unwrap();
        if b["batches"].as_array().unwrap().iter().any(|r| r["lastBlock"].as_u64() >= Some(head)) {
            break b;
        }
        assert!(Instant::now() < deadline, "no batch covered block {head}: {b}");
        std::thread::sleep(Duration::from_millis(250));
    };
    let newest = &batches["batches"][0];
    assert!(newest["l1Tx"].as_str().unwrap().len() == 66);
    assert!(newest["bytes"].as_u64().unwrap() > 0);
    assert!(newest["feeWei"].as_str().unwrap().parse::<u128>().unwrap() > 0);
    assert!(["posted", "finalized"].contains(&newest["status"].as_str().unwrap()));
    let (_, text) = get(url, "/metrics");
    assert!(metric(&text, "pillar_batcher_batches_total").unwrap() >= 1.0);

    // The recipient's history: exactly the three transfers, newest first.
    let ev = call(url, "pillar_getEvents", json!([{ "types": ["transfer"], "address": &to }])).unwrap();
    let amounts: Vec<&str> = ev["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["event"]["from"].as_str().is_some_and(|f| f.eq_ignore_ascii_case(&from)))
        .map(|r| r["event"]["amount"].as_str().unwrap())
        .collect();
    assert_eq!(amounts, ["1002", "1001", "1000"]);
    let bad = call(url, "pillar_getEvents", json!([{ "fromBlock": 5, "toBlock": 1 }]));
    assert!(bad.is_err(), "an empty range is refused");
    let bad = call(url, "pillar_getEvents", json!([{ "colour": "red" }]));
    assert!(bad.is_err(), "unknown filter fields are refused");
}
