//! `pillar fp run`: decides blocks' output claims with the fault-proof program, on data fetched
//! from a running chain's node and L1 (docs/fault-proofs.md, "Replaying a block").
//!
//! The host gathers what the program will ask for: every batch-chain entry, calldata payload and
//! queue message from L1's logs, the blobs of the blob batches from the first agreed cursor's entry
//! on (each with its KZG commitment), and for each block N the agreed output (block N − 1) and its
//! header from the node, the node's recorded witness of block N, and the chain configuration. It
//! runs the program natively (which also answers its precompile hints), then, given the guest ELF,
//! in pillar-fpvm on exactly those preimages, and reports the VM's verdict. L1 is read once for a
//! range of blocks (`--to`). The gathering is `pillar_dispute::host`, which the challenger
//! shares.

use std::{path::PathBuf, time::Instant};

use anyhow::{Context, bail, ensure};
use pillar_dispute::host::Host;
use pillar_fp_program::{HostOracle, run_configured};
use pillar_fpvm::{load_elf, run_with_oracle};
use pillar_l1::{L1Addresses, L1Client};
use pillar_stf::B256;
use serde_json::{Value, json};

use super::{DEFAULT_ELF, RunArgs, chain_config};

pub(super) fn run(a: &RunArgs) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting tokio")?;
    let reports = rt.block_on(decide(a))?;
    let mut code = 0;
    for report in &reports {
        let c = report["exitCode"].as_u64().unwrap_or(2);
        code = code.max(c);
        if a.json {
            println!("{report}");
        } else {
            println!(
                "block {}: claim {} {} (program's output root {}, {} steps, {:.3} s)",
                report["block"],
                report["claimed"].as_str().unwrap_or_default(),
                if c == 0 { "holds" } else { "does not hold" },
                report["outputRoot"].as_str().unwrap_or_default(),
                report["steps"],
                report["seconds"].as_f64().unwrap_or_default(),
            );
        }
    }
    std::process::exit(code as i32)
}

async fn decide(a: &RunArgs) -> anyhow::Result<Vec<Value>> {
    let config = pillar_node::ChainConfig::load(&a.config)?;
    let l1 = config.l1.as_ref().context("the config has no [l1] section: nothing to prove against")?;
    let url = a.rpc.clone().unwrap_or_else(|| format!("http://{}", config.rpc.listen));
    ensure!(a.block > 0, "block 0 is genesis: there is no claim about it to decide");
    let last = a.to.unwrap_or(a.block);
    ensure!(last >= a.block, "--to {last} is below --block {}", a.block);
    let elf = match (&a.elf, a.native) {
        (_, true) => None,
        (Some(p), false) => Some(p.clone()),
        (None, false) => Some(PathBuf::from(DEFAULT_ELF)).filter(|p| p.exists()),
    };
    let elf = match elf {
        Some(path) => Some(std::fs::read(&path).with_context(|| format!("{}", path.display()))?),
        None => None,
    };
    let started = Instant::now();

    // L1, once: blobs are needed from the first agreed cursor's entry on.
    let chain = chain_config(&config);
    let first = Host::node(&url, chain.clone())?.output(a.block - 1).await?;
    let l1_rpc = a.l1_rpc.clone().unwrap_or_else(|| l1.rpc.clone());
    let client = L1Client::connect_read_only(&l1_rpc, L1Addresses { rollup: l1.rollup, portal: l1.portal })?;
    let host = Host::connect(&url, &client, l1.deployed_at_block, chain, first.cursor.entry).await?;
    let batch_head = host.batch_head();
    // One oracle for the range: each block adds the node's preimages (content-addressed, so they
    // never change another block's answers) and its own local inputs, which replace the last's.
    let oracle = host.l1_oracle();

    let mut reports = Vec::new();
    for block in a.block..=last {
        // The first block's time includes reading L1.
        let since = if block == a.block { started } else { Instant::now() };
        let mut report = decide_block(&host, &oracle, batch_head, block, a.claim, elf.as_deref()).await?;
        report["seconds"] = json!(since.elapsed().as_secs_f64());
        reports.push(report);
    }
    Ok(reports)
}

/// Decides block `block`'s claim over `oracle` (L1's preimages), adding the node's: the agreed
/// output and header, the claim (the node's own output root unless `claim`), the witness of the
/// block.
async fn decide_block(
    host: &Host,
    oracle: &HostOracle,
    batch_head: B256,
    block: u64,
    claim: Option<B256>,
    elf: Option<&[u8]>,
) -> anyhow::Result<Value> {
    let claimed = match claim {
        Some(c) => c,
        None => host
            .output_root(block)
            .await?
            .with_context(|| format!("block {block} is not safe on the node; give --claim"))?,
    };
    host.add_to(oracle, block - 1, claimed, block, batch_head).await?;

    // Natively first: it decides, and answers the program's precompile hints into the map.
    let native =
        run_configured(oracle.clone()).map_err(|e| anyhow::anyhow!("block {block}: no verdict: {e}"))?;
    let mut report = json!({
        "block": block,
        "claimed": claimed,
        "outputRoot": native.output_root(),
        "exitCode": native.exit_code(),
        "steps": Value::Null,
        "mode": "native",
    });
    if let Some(bytes) = elf {
        let mut machine = load_elf(bytes).context("the guest ELF")?;
        let run = run_with_oracle(&mut machine, &mut oracle.clone(), 1 << 40);
        let exit =
            run.exit.map_err(|e| anyhow::anyhow!("block {block}: the VM stopped without an exit: {e}"))?;
        let printed = String::from_utf8_lossy(&run.stdout).trim().to_string();
        report["mode"] = json!("vm");
        report["steps"] = json!(exit.steps);
        report["exitCode"] = json!(exit.code);
        report["outputRoot"] = json!(printed);
        if exit.code != native.exit_code() || printed != native.output_root().to_string() {
            bail!(
                "block {block}: the VM ({} {printed}) and the native program ({} {}) disagree",
                exit.code,
                native.exit_code(),
                native.output_root()
            );
        }
    }
    Ok(report)
}
