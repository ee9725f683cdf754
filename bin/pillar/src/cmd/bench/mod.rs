//! `pillar bench`: measures a Pillar chain on this machine, scenario by scenario, and optionally
//! a general-purpose EVM node (anvil) doing the simplest comparable job in the same run.
//!
//! Each scenario starts a real node (NOMT state, redb ledger, durable commits, the real
//! sequencer and mempool) in a temporary directory, with 100,000 funded accounts by default:
//!
//! 1. **saturation**: one pre-signed transaction per account, submitted as fast as admission
//!    takes them; the sustained rate is transactions over the time from the first submission to
//!    the last one's durable block;
//! 2. **latency**: a second round offered at `--rate` per second; soft confirmation is the time
//!    from submission to the transaction's durable block being announced;
//! 3. **L1 cost**: the blocks of the saturation round batched exactly as the batcher batches them
//!    (batch v0, zstd), priced in blob gas and in calldata gas.

mod anvil;
pub(crate) mod client;
mod fixture;
mod measure;
mod replay;
mod rpc;

use std::io::{IsTerminal, Write};

use anyhow::{Context, bail};
use serde_json::{Value, json};

use fixture::{Fixture, Kind};

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Scenarios to run, comma separated: transfers, sessions, rwa, rpc, replay.
    #[arg(long, default_value = "transfers", value_delimiter = ',')]
    scenario: Vec<String>,
    /// Funded accounts; the saturation round sends one transaction from each.
    #[arg(long, default_value_t = 100_000)]
    accounts: usize,
    /// Offered load of the latency round, transactions per second.
    #[arg(long, default_value_t = 5_000)]
    rate: u64,
    /// Length of the latency round, seconds.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Block time of the bench chain, ms.
    #[arg(long, default_value_t = 20)]
    block_time_ms: u64,
    /// Also measure a general-purpose EVM node on the same machine (`anvil`): the same number of
    /// plain ETH transfers over JSON-RPC; adds `baseline_tps` and `ratio` to every scenario.
    #[arg(long)]
    baseline: Option<String>,
    /// Run the in-process scenarios with the witness recorder on, as a challenger or proposer
    /// does, and report the witnesses' size on disk (bytes per block and per transaction, and a
    /// day at 1,000 tx/s).
    #[arg(long)]
    record_witnesses: bool,
    /// Print one JSON object per scenario instead of a report.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(a: Args) -> anyhow::Result<()> {
    super::init_tracing_with("warn");
    if a.accounts < 2 {
        bail!("--accounts must be at least 2");
    }
    if a.rate * a.seconds > a.accounts as u64 {
        bail!("--rate × --seconds ({}) must not exceed --accounts ({})", a.rate * a.seconds, a.accounts);
    }
    for name in &a.scenario {
        if !["transfers", "sessions", "rwa", "rpc", "replay"].contains(&name.as_str()) {
            bail!("unknown scenario {name:?} (transfers, sessions, rwa, rpc, replay)");
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let baseline = match a.baseline.as_deref() {
        None => None,
        Some("anvil") => Some(rt.block_on(anvil::baseline(a.accounts, a.json))?),
        Some(other) => bail!("unknown baseline {other:?} (anvil)"),
    };
    for name in &a.scenario {
        let mut report = match name.as_str() {
            "transfers" => rt.block_on(in_process(Kind::Transfers, name, &a))?,
            "sessions" => rt.block_on(in_process(Kind::Sessions, name, &a))?,
            "rwa" => rt.block_on(in_process(Kind::Rwa, name, &a))?,
            _ => {
                let mut out = json!({
                    "scenario": name,
                    "txs": a.accounts,
                    "accounts": a.accounts,
                    "block_time_ms": a.block_time_ms,
                });
                let result =
                    if name == "rpc" { rt.block_on(rpc::run(&a))? } else { rt.block_on(replay::run(&a))? };
                merge(&mut out, result);
                out["peak_rss_mib"] = json!(round(measure::peak_rss_mib(), 0));
                out["machine"] = json!(machine());
                out
            }
        };
        if let Some(b) = &baseline {
            let ours = report["tps"].as_f64().unwrap_or(0.0);
            let theirs = b["baseline_tps"].as_f64().unwrap_or(0.0);
            merge(&mut report, b.clone());
            report["ratio"] = json!(if theirs > 0.0 { round(ours / theirs, 2) } else { 0.0 });
        }
        if a.json {
            println!("{report}");
        } else {
            print_report(&report);
        }
    }
    Ok(())
}

/// Progress on stderr when it is a terminal: `phase done/total`, redrawn in place.
fn progress(phase: &'static str, total: usize, quiet: bool) -> impl Fn(usize) {
    let tty = !quiet && std::io::stderr().is_terminal();
    move |done| {
        if tty && (done == total || done % 5_000 == 0) {
            let width = 30;
            let filled = done * width / total.max(1);
            eprint!("\r  {phase:<10} [{}{}] {done}/{total}", "#".repeat(filled), " ".repeat(width - filled));
            if done == total {
                eprintln!();
            }
            let _ = std::io::stderr().flush();
        }
    }
}

async fn in_process(kind: Kind, name: &str, a: &Args) -> anyhow::Result<Value> {
    let dir = tempfile::tempdir().context("creating a temporary directory")?;
    let step = |what: &str| {
        if !a.json {
            eprintln!("{name}: {what}");
        }
    };
    step(&format!("genesis with {} funded accounts", a.accounts));
    let fx = Fixture::new(kind, a.accounts, a.block_time_ms, &dir.path().join("data"));
    let node = pillar_node::launch(&fx.config, dir.path()).await?;
    if a.record_witnesses {
        node.chain.record_witnesses()?;
    }
    step("signing the load");
    let saturation = fx.sign(0..a.accounts, 0);
    let offered = fx.sign(0..(a.rate * a.seconds) as usize, 1);
    let n = saturation.len();
    let node = std::sync::Arc::new(node);
    let (node2, rate, quiet, witnesses) = (std::sync::Arc::clone(&node), a.rate, a.json, a.record_witnesses);
    let result = tokio::task::spawn_blocking(move || -> anyhow::Result<Value> {
        let node = &*node2;
        let watcher = measure::Watcher::start(node);
        let first_height = node.chain.head().height + 1;
        let blocks_before = watcher.blocks_seen();
        let tps = measure::saturate(node, &watcher, saturation, &progress("saturation", n, quiet))?;
        let (phase_us, txs_per_block, blocks) = watcher.block_profile(blocks_before);
        let last_height = node.chain.head().height;
        let l1 = measure::l1_cost(node, first_height, last_height)?;
        let saturation_witness =
            witnesses.then(|| measure::witness_size(node, first_height, last_height)).transpose()?;
        let m = offered.len();
        let latency_from = watcher.blocks_seen();
        let latency_first = node.chain.head().height + 1;
        let lat = measure::offer(node, &watcher, offered, rate, &progress("latency", m, quiet))?;
        let latency_witness = witnesses
            .then(|| measure::witness_size(node, latency_first, node.chain.head().height))
            .transpose()?;
        let (lat_us, lat_txs_per_block, _) = watcher.block_profile(latency_from);
        let mut report = json!({
            "tps": round(tps, 0),
            "saturation_blocks": blocks,
            "txs_per_block": round(txs_per_block, 0),
            "block_ms": phases_ms(phase_us),
            "offered_tps": rate,
            "latency_txs": m,
            "latency_txs_per_block": round(lat_txs_per_block, 0),
            "latency_block_ms": phases_ms(lat_us),
            "p50_ms": round(lat.p50, 2),
            "p99_ms": round(lat.p99, 2),
            "p999_ms": round(lat.p999, 2),
            "max_ms": round(lat.max, 2),
            "l1_bytes_per_tx": round(l1.bytes_per_tx, 1),
            "l1_blob_gas_per_tx": round(l1.blob_gas_per_tx, 1),
            "l1_calldata_gas_per_tx": round(l1.calldata_gas_per_tx, 1),
            "l1_batches": l1.batches,
        });
        if let (Some(sat), Some(lat)) = (saturation_witness, latency_witness) {
            // A day at 1,000 tx/s is priced at the offered round's block shape (run it with
            // --rate 1000): bytes per transaction fall as blocks grow and share trie paths.
            merge(
                &mut report,
                json!({
                    "witness_bytes_per_block": round(sat.bytes_per_block, 0),
                    "witness_bytes_per_tx": round(sat.bytes_per_tx, 0),
                    "latency_witness_bytes_per_block": round(lat.bytes_per_block, 0),
                    "latency_witness_bytes_per_tx": round(lat.bytes_per_tx, 0),
                    "witness_gb_per_day_at_offered_shape_1000_tps": round(lat.bytes_per_tx * 86_400.0 * 1_000.0 / 1e9, 1),
                }),
            );
        }
        Ok(report)
    })
    .await??;
    if let Ok(node) = std::sync::Arc::try_unwrap(node) {
        node.shutdown().await;
    }
    let mut out = json!({
        "scenario": name,
        "txs": n,
        "accounts": a.accounts,
        "block_time_ms": a.block_time_ms,
    });
    merge(&mut out, result);
    out["peak_rss_mib"] = json!(round(measure::peak_rss_mib(), 0));
    out["machine"] = json!(machine());
    Ok(out)
}

/// A block's mean (execute, root, ledger, commit) µs as milliseconds by name.
fn phases_ms(us: [f64; 4]) -> Value {
    let ms = us.map(|u| round(u / 1e3, 2));
    json!({ "execute": ms[0], "root": ms[1], "ledger": ms[2], "commit": ms[3] })
}

fn merge(into: &mut Value, from: Value) {
    if let (Some(a), Value::Object(b)) = (into.as_object_mut(), from) {
        a.extend(b);
    }
}

fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

/// CPU model and core count, for the record.
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("model name").map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
            })
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    format!("{cores} × {cpu}")
}

fn print_report(r: &Value) {
    let na = |v: &Value| if v.is_null() { "n/a".to_string() } else { v.to_string() };
    println!(
        "scenario {} ({} txs, {} accounts, {} ms blocks) on {}",
        r["scenario"], r["txs"], r["accounts"], r["block_time_ms"], r["machine"]
    );
    if r.get("replay_s").is_some() {
        println!(
            "  replay              {} tx/s: a replica rebuilt {} blocks ({} txs) from L1 alone in {} s; same head: {}",
            r["tps"], r["replayed_blocks"], r["replayed_txs"], r["replay_s"], r["same_head"]
        );
        println!(
            "  L1 per transaction  {} bytes, {} gas, {} blob gas (from L1 receipts, {} batches)",
            r["l1_bytes_per_tx"], r["l1_gas_per_tx"], r["l1_blob_gas_per_tx"], r["l1_batches"]
        );
        println!("  peak memory         {} MiB (sequencer and replica in one process)", r["peak_rss_mib"]);
        return;
    }
    match r.get("saturation_blocks") {
        Some(b) => println!(
            "  sustained           {} tx/s ({b} blocks, {} tx per block)",
            r["tps"], r["txs_per_block"]
        ),
        None => println!(
            "  sustained           {} tx/s (client process: {} connections, {} per request)",
            r["tps"], r["client_connections"], r["client_batch"]
        ),
    }
    if r.get("block_ms").is_some() {
        println!(
            "  per block           execute {} ms, root {} ms, ledger {} ms, commit {} ms",
            r["block_ms"]["execute"], r["block_ms"]["root"], r["block_ms"]["ledger"], r["block_ms"]["commit"]
        );
    }
    println!(
        "  soft confirmation   p50 {} ms, p99 {} ms, p99.9 {} ms at {} tx/s offered ({} txs)",
        r["p50_ms"], r["p99_ms"], r["p999_ms"], r["offered_tps"], r["latency_txs"]
    );
    println!(
        "  L1 per transaction  {} bytes, {} blob gas (or {} calldata gas) in {} batches",
        na(&r["l1_bytes_per_tx"]),
        na(&r["l1_blob_gas_per_tx"]),
        na(&r["l1_calldata_gas_per_tx"]),
        na(&r["l1_batches"])
    );
    if r.get("witness_bytes_per_tx").is_some() {
        println!(
            "  witnesses on disk   saturation {} bytes per block, {} per transaction; offered load {} per block, {} per transaction: {} GB a day at 1,000 tx/s in blocks of that shape",
            r["witness_bytes_per_block"],
            r["witness_bytes_per_tx"],
            r["latency_witness_bytes_per_block"],
            r["latency_witness_bytes_per_tx"],
            r["witness_gb_per_day_at_offered_shape_1000_tps"]
        );
    }
    println!("  peak memory         {} MiB (the bench process: node and load)", r["peak_rss_mib"]);
    if r.get("baseline_tps").is_some() {
        println!(
            "  baseline            anvil {} tx/s on the same transfers over JSON-RPC: ratio {}",
            r["baseline_tps"], r["ratio"]
        );
    }
}
