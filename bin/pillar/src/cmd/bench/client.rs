//! `pillar bench-client`: the load generator of the `rpc` scenario and the anvil baseline, run as
//! a separate process so that the node under test pays for JSON-RPC exactly as it would for real
//! clients (parsing, hex decoding, connection handling) and shares the machine with them.
//!
//! It reads pre-signed raw transactions (one `0x…` per line), sends them in batches over
//! `--connections` concurrent HTTP connections, either as fast as possible or paced at `--rate`,
//! and prints one JSON line: how many were accepted and refused, and when each batch was sent
//! (Unix µs), so the caller can measure latency against its own clock.

use std::{
    io::BufRead,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use anyhow::{Context, bail};
use parking_lot::Mutex;
use serde_json::{Value, json};

use crate::rpc_client::Rpc;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Node URL.
    #[arg(long)]
    url: String,
    /// File of raw transactions, one `0x…` per line.
    #[arg(long)]
    input: std::path::PathBuf,
    /// `pillar` (pillar_sendTransactions) or `eth` (JSON-RPC batches of eth_sendRawTransaction).
    #[arg(long, default_value = "pillar")]
    method: String,
    /// Concurrent connections.
    #[arg(long, default_value_t = 8)]
    connections: usize,
    /// Transactions per request.
    #[arg(long, default_value_t = 500)]
    batch: usize,
    /// Offered transactions per second (0: as fast as possible).
    #[arg(long, default_value_t = 0)]
    rate: u64,
}

fn unix_us() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros() as u64)
}

/// Sends one batch; returns how many the node refused and the first refusal.
fn send(rpc: &Rpc, method: &str, txs: &[String]) -> anyhow::Result<(usize, Option<String>)> {
    let answers: Vec<Value> = if method == "eth" {
        let params = txs.iter().map(|t| json!([t])).collect();
        rpc.batch_blocking("eth_sendRawTransaction", params)?
            .into_iter()
            .map(|a| match a {
                Ok(_) => json!({}),
                Err(e) => json!({ "error": { "code": e.code, "message": e.message, "data": e.data } }),
            })
            .collect()
    } else {
        match rpc.call_blocking("pillar_sendTransactions", json!([txs]))? {
            Value::Array(a) => a,
            v => bail!("unexpected response: {v}"),
        }
    };
    let refused: Vec<&Value> = answers.iter().filter(|r| r.get("error").is_some()).collect();
    Ok((refused.len(), refused.first().map(|r| r["error"].to_string())))
}

pub(crate) fn run(a: Args) -> anyhow::Result<()> {
    let file = std::fs::File::open(&a.input).with_context(|| format!("opening {}", a.input.display()))?;
    let txs: Vec<String> = std::io::BufReader::new(file).lines().collect::<Result<_, _>>()?;
    let batches: Vec<(usize, Vec<String>)> =
        txs.chunks(a.batch.max(1)).enumerate().map(|(i, c)| (i * a.batch.max(1), c.to_vec())).collect();
    let total = batches.len();
    let queue = Arc::new(Mutex::new(std::collections::VecDeque::<(usize, Vec<String>)>::new()));
    let sends = Arc::new(Mutex::new(Vec::<(usize, u64)>::with_capacity(total)));
    let refused = Arc::new(AtomicUsize::new(0));
    let first_error = Arc::new(Mutex::new(None::<String>));
    let done = Arc::new(AtomicUsize::new(0));
    let rpc = Rpc::new(&a.url)?;
    let started = Instant::now();
    let workers: Vec<_> = (0..a.connections.max(1))
        .map(|_| {
            let (queue, sends, refused, first_error, done) = (
                Arc::clone(&queue),
                Arc::clone(&sends),
                Arc::clone(&refused),
                Arc::clone(&first_error),
                Arc::clone(&done),
            );
            // Clones share a pool of kept-alive connections: one per worker.
            let (rpc, method) = (rpc.clone(), a.method.clone());
            std::thread::spawn(move || {
                while done.load(Ordering::Relaxed) < total {
                    let Some((first, batch)) = queue.lock().pop_front() else {
                        std::thread::sleep(Duration::from_micros(200));
                        continue;
                    };
                    sends.lock().push((first, unix_us()));
                    match send(&rpc, &method, &batch) {
                        Ok((n, e)) => {
                            refused.fetch_add(n, Ordering::Relaxed);
                            if let Some(e) = e {
                                first_error.lock().get_or_insert(e);
                            }
                        }
                        Err(e) => {
                            refused.fetch_add(batch.len(), Ordering::Relaxed);
                            first_error.lock().get_or_insert(e.to_string());
                        }
                    }
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    // Feed the queue: all at once, or one batch per tick at the offered rate.
    let tick =
        if a.rate > 0 { Duration::from_secs_f64(a.batch as f64 / a.rate as f64) } else { Duration::ZERO };
    for (i, b) in batches.into_iter().enumerate() {
        if a.rate > 0 {
            let due = started + tick * i as u32;
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
        }
        queue.lock().push_back(b);
    }
    for w in workers {
        let _ = w.join();
    }
    let sends = sends.lock().clone();
    println!(
        "{}",
        json!({
            "sent": txs.len(),
            "refused": refused.load(Ordering::Relaxed),
            "first_error": *first_error.lock(),
            "elapsed_s": started.elapsed().as_secs_f64(),
            "batch": a.batch,
            "sends": sends,
        })
    );
    Ok(())
}
