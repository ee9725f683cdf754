//! Shared harness: npm set-up, starting and stopping `pillar node` processes, JSON-RPC calls.

#[path = "../../src/rpc_client.rs"]
#[allow(dead_code)]
pub(crate) mod rpc_client;

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::TcpStream,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{Mutex, OnceLock, mpsc},
    time::{Duration, Instant},
};

use pillar_node::ChainConfig;
use pillar_stf::PrivateKey;
pub(crate) use rpc_client::RpcError;
use serde_json::Value;

pub(crate) fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repo root")
}

/// Installs the pinned npm packages (ethers, ws, forge, anvil, solc, viem, typescript,
/// playwright-core) once, if any is missing.
pub(crate) fn npm_ready() {
    static DONE: OnceLock<()> = OnceLock::new();
    static LOCK: Mutex<()> = Mutex::new(());
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    DONE.get_or_init(|| {
        let root = repo_root();
        let needed = [
            "ethers/package.json",
            "ws/package.json",
            "solc/package.json",
            "viem/package.json",
            "playwright-core/package.json",
            ".bin/tsc",
            ".bin/forge",
            ".bin/anvil",
        ];
        let missing: Vec<&str> =
            needed.iter().copied().filter(|p| !root.join("node_modules").join(p).exists()).collect();
        if missing.is_empty() {
            return;
        }
        eprintln!("node_modules lacks {missing:?}: running `npm ci` (versions pinned in package-lock.json)");
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&root)
            .status()
            .expect("npm must be installed (Node.js 20 or later)");
        assert!(status.success(), "npm ci failed");
    });
}

/// A `pillar node` child process. Killed (SIGKILL) on drop.
pub(crate) struct Node {
    pub(crate) child: Child,
    pub(crate) url: String,
    pub(crate) config: PathBuf,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Node {
    pub(crate) fn call(&self, method: &str, params: Value) -> anyhow::Result<Value> {
        call(&self.url, method, params)
    }

    /// SIGKILL: no chance to flush or clean up.
    pub(crate) fn kill9(mut self) -> PathBuf {
        self.child.kill().expect("kill");
        self.child.wait().expect("wait");
        self.config.clone()
    }

    /// SIGTERM and wait for a clean exit.
    pub(crate) fn stop(mut self) -> PathBuf {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                assert!(status.success(), "node exited with {status}");
                return self.config.clone();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("node did not stop on SIGTERM");
    }
}

/// Writes a `basic` chain config into `dir` with the given block time and small storage.
pub(crate) fn init_chain(dir: &Path, block_time_ms: u64) -> (PathBuf, Vec<PrivateKey>) {
    let out = Command::new(env!("CARGO_BIN_EXE_pillar"))
        .args(["init", "--preset", "basic", "--json", "--dev-keys", "4", "--dir"])
        .arg(dir)
        .output()
        .expect("run pillar init");
    assert!(out.status.success(), "pillar init: {}", String::from_utf8_lossy(&out.stderr));
    let path = dir.join("chain.toml");
    let mut cfg = ChainConfig::load(&path).expect("load config");
    cfg.sequencer.block_time_ms = block_time_ms;
    cfg.storage.hashtable_buckets = 8192;
    cfg.rpc.listen = "127.0.0.1:0".parse().expect("addr");
    cfg.save(&path).expect("save config");
    let keys = cfg.dev_keys.iter().map(|k| PrivateKey::from_hex(&k.private_key).expect("key")).collect();
    (path, keys)
}

/// Writes a config from `preset` (`pillar init --preset …`) into `dir`, on a free port with small
/// storage, keeping the preset's block time and set-up.
pub(crate) fn init_preset(
    dir: &Path,
    preset: &str,
    dev_keys: usize,
) -> (PathBuf, ChainConfig, Vec<PrivateKey>) {
    let out = Command::new(env!("CARGO_BIN_EXE_pillar"))
        .args(["init", "--preset", preset, "--json", "--dev-keys", &dev_keys.to_string(), "--dir"])
        .arg(dir)
        .output()
        .expect("run pillar init");
    assert!(out.status.success(), "pillar init: {}", String::from_utf8_lossy(&out.stderr));
    let path = dir.join("chain.toml");
    let mut cfg = ChainConfig::load(&path).expect("load config");
    assert_eq!(cfg.chain.preset, preset);
    cfg.storage.hashtable_buckets = 16_384;
    cfg.rpc.listen = "127.0.0.1:0".parse().expect("addr");
    cfg.save(&path).expect("save config");
    let keys = cfg.dev_keys.iter().map(|k| PrivateKey::from_hex(&k.private_key).expect("key")).collect();
    (path, cfg, keys)
}

/// Starts `pillar node --config <path>` and waits until it listens.
pub(crate) fn start_node(config: &Path) -> Node {
    start_node_with(config, &[])
}

/// Starts `pillar node --config <path> <extra…>` and waits until it listens.
pub(crate) fn start_node_with(config: &Path, extra: &[&str]) -> Node {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pillar"))
        .args(["node", "--config"])
        .arg(config)
        .args(extra)
        .env("RUST_LOG", std::env::var("PILLAR_TEST_LOG").unwrap_or_else(|_| "warn".into()))
        // Only tests that pass a --test-* flag use them; the opt-in is explicit here.
        .envs(extra.iter().any(|a| a.starts_with("--test-")).then_some((pillar_node::TEST_HOOKS_ENV, "1")))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn pillar node");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(addr) = line.strip_prefix("pillar node listening on ") {
                let _ = tx.send(addr.to_string());
            }
        }
    });
    let addr = rx.recv_timeout(Duration::from_secs(60)).expect("node did not report its address");
    Node { child, url: format!("http://{addr}"), config: config.to_path_buf() }
}

/// Polls for a receipt.
pub(crate) fn wait_receipt(node: &Node, hash: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let r = node.call("pillar_getReceipt", serde_json::json!([hash])).expect("getReceipt");
        if !r.is_null() {
            return r;
        }
        assert!(Instant::now() < deadline, "no receipt for {hash}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Native balance from `pillar_getAccount`.
pub(crate) fn eth_balance(node: &Node, address: &str) -> u128 {
    let acct = node.call("pillar_getAccount", serde_json::json!([address])).expect("getAccount");
    acct["balances"]
        .as_array()
        .and_then(|b| b.iter().find(|x| x["asset"] == 0))
        .and_then(|x| x["amount"].as_str())
        .map(|s| s.parse().expect("amount"))
        .unwrap_or(0)
}

/// A `pillar devnet` child process, stopped with SIGTERM (so it stops its anvil) on drop.
pub(crate) struct Devnet {
    child: Child,
    /// `PILLAR_RPC`, `PILLAR_WS`, `PILLAR_L1_RPC`, `PILLAR_ROLLUP`, `PILLAR_PORTAL` and
    /// `PILLAR_KEYS` (comma-separated private keys), as the JS suites read them.
    pub(crate) env: Vec<(String, String)>,
}

impl Drop for Devnet {
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `pillar devnet --preset <preset>` and reads its endpoints and dev keys from stdout.
pub(crate) fn start_devnet(dir: &Path, preset: &str) -> Devnet {
    let log = std::fs::File::create(dir.join("devnet.log")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pillar"))
        .args([
            "devnet",
            "--preset",
            preset,
            "--rpc-listen",
            "127.0.0.1:0",
            "--challenge-window-secs",
            "2",
            "--dir",
        ])
        .arg(dir.join("l2"))
        .current_dir(repo_root())
        .env("RUST_LOG", std::env::var("PILLAR_TEST_LOG").unwrap_or_else(|_| "warn".into()))
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("spawn pillar devnet");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut devnet = Devnet { child, env: Vec::new() };
    let (mut keys, mut printed) = (Vec::new(), String::new());
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        let line = match rx.recv_timeout(remaining) {
            Ok(l) => l,
            Err(_) => panic!(
                "devnet did not come up; stdout:\n{printed}\nlog:\n{}",
                std::fs::read_to_string(dir.join("devnet.log")).unwrap_or_default()
            ),
        };
        printed.push_str(&line);
        printed.push('\n');
        let words: Vec<&str> = line.split_whitespace().collect();
        let env = &mut devnet.env;
        match words.as_slice() {
            ["L1", "(anvil)", url, ..] => env.push(("PILLAR_L1_RPC".into(), (*url).to_string())),
            ["Rollup", addr] => env.push(("PILLAR_ROLLUP".into(), (*addr).to_string())),
            ["Portal", addr] => env.push(("PILLAR_PORTAL".into(), (*addr).to_string())),
            ["L2", "RPC", http, ws] => {
                env.push(("PILLAR_RPC".into(), (*http).to_string()));
                env.push(("PILLAR_WS".into(), (*ws).to_string()));
            }
            [addr, key] if addr.starts_with("0x") && addr.len() == 42 && key.len() == 66 => {
                keys.push((*key).to_string());
            }
            ["Ctrl-C", ..] => break,
            _ => {}
        }
    }
    assert_eq!(devnet.env.len(), 5, "endpoints missing from:\n{printed}");
    assert_eq!(keys.len(), 4, "dev keys missing from:\n{printed}");
    devnet.env.push(("PILLAR_KEYS".into(), keys.join(",")));
    devnet
}

impl Devnet {
    /// One of the `PILLAR_*` values.
    pub(crate) fn var(&self, name: &str) -> &str {
        self.env.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or_default()
    }

    /// The L2 JSON-RPC URL.
    pub(crate) fn url(&self) -> &str {
        self.var("PILLAR_RPC")
    }

    /// The funded dev keys.
    pub(crate) fn keys(&self) -> Vec<PrivateKey> {
        self.var("PILLAR_KEYS").split(',').map(|k| PrivateKey::from_hex(k).unwrap()).collect()
    }
}

/// Calls one method on a fresh connection (closed after the answer), blocking.
pub(crate) fn call(url: &str, method: &str, params: Value) -> anyhow::Result<Value> {
    rpc_client::Rpc::one_shot(url)?.call_blocking(method, params)
}

/// POSTs raw bytes over a fresh connection and returns the status code and body: for bodies no
/// JSON-RPC client would send (garbage, oversize), so it speaks HTTP/1.1 by hand.
pub(crate) fn post(url: &str, body: &[u8]) -> anyhow::Result<(u16, Vec<u8>)> {
    let rest = url.strip_prefix("http://").ok_or_else(|| anyhow::anyhow!("not http://: {url}"))?;
    let (host, path) = rest.split_once('/').map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
    let mut stream = TcpStream::connect(host)?;
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
    let split = resp
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| anyhow::anyhow!("malformed HTTP response"))?;
    let head = String::from_utf8_lossy(&resp[..split]).to_ascii_lowercase();
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    anyhow::ensure!(!head.contains("transfer-encoding: chunked"), "chunked response: {head}");
    Ok((status, resp[split + 4..].to_vec()))
}
