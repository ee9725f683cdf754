//! The `rpc` scenario: the transfers of the `transfers` scenario, sent over JSON-RPC by
//! `pillar bench-client` in a separate process (concurrent connections, batched requests), as
//! real clients would. This is the fair pairing with the anvil baseline, which pays for JSON-RPC
//! the same way.

use std::{io::Write, path::Path, process::Command, time::Duration};

use anyhow::{Context, bail};
use pillar_stf::{B256, SignedTransaction};
use serde_json::{Value, json};

use super::{
    Args,
    fixture::{Fixture, Kind},
    measure::{self, Latency},
    round,
};

/// Client settings shared with the baseline: 8 connections, 500 transactions per request.
pub(crate) const CONNECTIONS: usize = 8;
pub(crate) const BATCH: usize = 500;

/// Writes raw transactions, one `0x…` per line.
pub(crate) fn write_raw(path: &Path, raw: impl Iterator<Item = String>) -> anyhow::Result<()> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    for line in raw {
        writeln!(f, "{line}")?;
    }
    f.flush()?;
    Ok(())
}

/// Runs `pillar bench-client` against `url` and returns its report.
pub(crate) fn client(
    url: &str,
    input: &Path,
    method: &str,
    rate: u64,
    batch: usize,
) -> anyhow::Result<Value> {
    let exe = std::env::current_exe().context("locating the pillar binary")?;
    let out = Command::new(exe)
        .args(["bench-client", "--url", url, "--method", method])
        .args(["--connections", &CONNECTIONS.to_string(), "--batch", &batch.to_string()])
        .args(["--rate", &rate.to_string(), "--input"])
        .arg(input)
        .output()
        .context("running pillar bench-client")?;
    if !out.status.success() {
        bail!("bench-client failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let report: Value = serde_json::from_slice(&out.stdout).context("bench-client printed no report")?;
    if report["refused"].as_u64() != Some(0) {
        bail!("the node refused {} transactions, first: {}", report["refused"], report["first_error"]);
    }
    Ok(report)
}

/// Transactions per request when offering `rate` per second: one request every 5 ms.
pub(crate) fn paced_batch(rate: u64) -> usize {
    (rate as usize / 200).max(1)
}

/// Unix µs at which each transaction's batch was sent, by position in the input.
pub(crate) fn send_times(report: &Value, n: usize) -> Vec<u64> {
    let mut at = vec![0u64; n];
    let batch = report["batch"].as_u64().unwrap_or(BATCH as u64) as usize;
    for s in report["sends"].as_array().into_iter().flatten() {
        let (first, t) = (s[0].as_u64().unwrap_or(0) as usize, s[1].as_u64().unwrap_or(0));
        for slot in at.iter_mut().skip(first).take(batch) {
            *slot = t;
        }
    }
    at
}

fn raw(txs: &[SignedTransaction]) -> impl Iterator<Item = String> + '_ {
    txs.iter().map(|t| format!("0x{}", hex::encode(t.encode())))
}

pub(crate) async fn run(a: &Args) -> anyhow::Result<Value> {
    let dir = tempfile::tempdir().context("creating a temporary directory")?;
    if !a.json {
        eprintln!("rpc: genesis with {} funded accounts", a.accounts);
    }
    let fx = Fixture::new(Kind::Transfers, a.accounts, a.block_time_ms, &dir.path().join("data"));
    let node = pillar_node::launch(&fx.config, dir.path()).await?;
    let url = format!("http://{}", node.rpc.local_addr);
    let saturation = fx.sign(0..a.accounts, 0);
    let offered = fx.sign(0..(a.rate * a.seconds) as usize, 1);
    let (sat_file, off_file) = (dir.path().join("saturation.txt"), dir.path().join("offered.txt"));
    write_raw(&sat_file, raw(&saturation))?;
    write_raw(&off_file, raw(&offered))?;
    let sat_hashes: Vec<B256> = saturation.iter().map(SignedTransaction::hash).collect();
    let off_hashes: Vec<B256> = offered.iter().map(SignedTransaction::hash).collect();
    drop((saturation, offered));
    let node = std::sync::Arc::new(node);
    let (node2, rate, json_out) = (std::sync::Arc::clone(&node), a.rate, a.json);
    let result = tokio::task::spawn_blocking(move || -> anyhow::Result<Value> {
        let watcher = measure::Watcher::start(&node2);
        if !json_out {
            eprintln!(
                "rpc: {} transfers from a client process, 8 connections, 500 per request",
                sat_hashes.len()
            );
        }
        let first_height = node2.chain.head().height + 1;
        let report = client(&url, &sat_file, "pillar", 0, BATCH)?;
        let first = send_times(&report, sat_hashes.len()).into_iter().filter(|t| *t > 0).min().unwrap_or(0);
        watcher.wait_all(&sat_hashes, Duration::from_secs(600))?;
        let last = sat_hashes.iter().filter_map(|h| watcher.sealed_unix(h)).max().unwrap_or(first);
        let tps = sat_hashes.len() as f64 / ((last - first) as f64 / 1e6);
        let l1 = measure::l1_cost(&node2, first_height, node2.chain.head().height)?;
        if !json_out {
            eprintln!("rpc: {} transfers offered at {rate}/s", off_hashes.len());
        }
        // Paced: one request per 5 ms, as many clients each sending a few transactions would.
        let report = client(&url, &off_file, "pillar", rate, paced_batch(rate))?;
        watcher.wait_all(&off_hashes, Duration::from_secs(300))?;
        let sent = send_times(&report, off_hashes.len());
        let ms: Vec<f64> = off_hashes
            .iter()
            .zip(sent)
            .filter_map(|(h, at)| watcher.sealed_unix(h).map(|s| s.saturating_sub(at) as f64 / 1e3))
            .collect();
        let lat = Latency::of(ms);
        Ok(json!({
            "tps": round(tps, 0),
            "client_connections": CONNECTIONS,
            "client_batch": BATCH,
            "offered_tps": rate,
            "latency_txs": off_hashes.len(),
            "p50_ms": round(lat.p50, 2),
            "p99_ms": round(lat.p99, 2),
            "p999_ms": round(lat.p999, 2),
            "max_ms": round(lat.max, 2),
            "l1_bytes_per_tx": round(l1.bytes_per_tx, 1),
            "l1_blob_gas_per_tx": round(l1.blob_gas_per_tx, 1),
            "l1_calldata_gas_per_tx": round(l1.calldata_gas_per_tx, 1),
            "l1_batches": l1.batches,
        }))
    })
    .await??;
    if let Ok(node) = std::sync::Arc::try_unwrap(node) {
        node.shutdown().await;
    }
    Ok(result)
}
