//! `pillar fp run`: decides blocks' output claims with the fault-proof program, on data fetched
//! from a running chain's node and L1 (docs/fault-proofs.md, "Replaying a block").
//!
//! The host gathers what the program will ask for: every batch-chain entry, calldata payload and
//! queue message from L1's logs, the blobs of the blob batches from the first agreed cursor's entry
//! on (each with its KZG commitment), and for each block N the agreed output (block N − 1) and its
//! header from the node, the node's recorded witness of block N, and the chain configuration. It
//! runs the program natively (which also answers its precompile hints), then, given the guest ELF,
//! in pillar-fpvm on exactly those preimages, and reports the VM's verdict. L1 is read once for a
//! range of blocks (`--to`).

use std::{path::PathBuf, time::Instant};

use anyhow::{Context, bail, ensure};
use pillar_derive::BatchKind;
use pillar_fp_program::{ChainConfig, HostOracle, Inputs, OutputPreimage, run_configured};
use pillar_fpvm::{load_elf, run_with_oracle};
use pillar_l1::{L1Addresses, L1Client, L1Event};
use pillar_preimage::{MapOracle, PreimageKey};
use pillar_stf::{B256, Block, DerivationCursor, codec};
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

async fn node(url: &str, method: &'static str, params: Value) -> anyhow::Result<Value> {
    crate::rpc_client::call_async(url, method, params).await
}

fn b256(v: &Value, what: &str) -> anyhow::Result<B256> {
    serde_json::from_value(v.clone()).with_context(|| format!("{what}: not a 32-byte hash"))
}

fn hex_bytes(v: &Value, what: &str) -> anyhow::Result<Vec<u8>> {
    let s = v.as_str().with_context(|| format!("{what}: not a string"))?;
    hex::decode(s.trim_start_matches("0x")).with_context(|| format!("{what}: not hex"))
}

/// The identifier of local key `n` (`PreimageKey::local_index`).
fn local_id(n: u64) -> [u8; 31] {
    let mut id = [0; 31];
    id[23..].copy_from_slice(&n.to_be_bytes());
    id
}

/// The node's output preimage of block `n`, which must be safe.
async fn output(url: &str, n: u64) -> anyhow::Result<OutputPreimage> {
    let pre = node(url, "pillar_getOutputPreimage", json!([n])).await?;
    ensure!(!pre.is_null(), "block {n} is not safe on the node: no output to start from");
    Ok(OutputPreimage {
        state_root: b256(&pre["stateRoot"], "stateRoot")?,
        withdrawals_root: b256(&pre["withdrawalsRoot"], "withdrawalsRoot")?,
        block_hash: b256(&pre["blockHash"], "blockHash")?,
        cursor: serde_json::from_value::<DerivationCursor>(pre["cursor"].clone()).context("cursor")?,
    })
}

/// What L1 holds for the program: every entry, calldata payload and queue message by the hashes
/// the contracts keep, and the blobs of the entries from `blobs_from` on (zero: all of them).
/// Returns the preimages and the batch chain's head.
async fn l1_preimages(
    client: &L1Client,
    from_block: u64,
    blobs_from: B256,
) -> anyhow::Result<(MapOracle, B256)> {
    let mut map = MapOracle::new();
    let head = client.block_number().await?;
    let mut batch_head = B256::ZERO;
    let mut queue_hash = B256::ZERO;
    let mut reading = blobs_from == B256::ZERO;
    for log in client.derivation_events(from_block, head).await? {
        match log.event {
            L1Event::Batch(b) => {
                let key = map.insert_keccak(&b.entry_preimage())?;
                ensure!(
                    key == PreimageKey::keccak_hash(b.batch_hash.0),
                    "entry {} does not hash from its log",
                    b.index
                );
                if let Some(data) = &b.calldata {
                    map.insert_keccak(data)?;
                }
                reading |= b.batch_hash == blobs_from;
                if reading && b.kind == BatchKind::Blob {
                    map.insert_keccak(&b.blob_hashes.iter().flat_map(|h| h.0).collect::<Vec<u8>>())?;
                    let blobs = client
                        .blobs_with_commitments(&b)
                        .await
                        .with_context(|| format!("batch {}", b.index))?;
                    for (blob, commitment) in blobs {
                        map.insert_sha256(&commitment)?;
                        map.insert_blob_elements(&commitment, &blob)?;
                    }
                }
                batch_head = b.batch_hash;
            }
            L1Event::Queue(m) => {
                let message = m.to_l1_message().with_context(|| format!("queue message {}", m.index))?;
                map.insert_keccak(&message.event_preimage())?;
                let mut link = [0u8; 64];
                link[..32].copy_from_slice(queue_hash.as_slice());
                link[32..].copy_from_slice(message.hash().as_slice());
                map.insert_keccak(&link)?;
                queue_hash = m.queue_hash;
            }
            _ => {}
        }
    }
    Ok((map, batch_head))
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
    let first = output(&url, a.block - 1).await?;
    let l1_rpc = a.l1_rpc.clone().unwrap_or_else(|| l1.rpc.clone());
    let client = L1Client::connect_read_only(&l1_rpc, L1Addresses { rollup: l1.rollup, portal: l1.portal })?;
    let (l1_map, batch_head) = l1_preimages(&client, l1.deployed_at_block, first.cursor.entry).await?;
    let chain = chain_config(&config);
    // One oracle for the range: each block adds the node's preimages (content-addressed, so they
    // never change another block's answers) and its own local inputs, which replace the last's.
    let oracle = HostOracle::new(l1_map);

    let mut reports = Vec::new();
    for block in a.block..=last {
        // The first block's time includes reading L1.
        let since = if block == a.block { started } else { Instant::now() };
        let mut report =
            decide_block(&url, &oracle, &chain, batch_head, block, a.claim, elf.as_deref()).await?;
        report["seconds"] = json!(since.elapsed().as_secs_f64());
        reports.push(report);
    }
    Ok(reports)
}

/// Decides block `block`'s claim over `oracle` (L1's preimages), adding the node's: the agreed
/// output and header, the claim (the node's own output root unless `claim`), the witness of the
/// block.
async fn decide_block(
    url: &str,
    oracle: &HostOracle,
    chain: &ChainConfig,
    batch_head: B256,
    block: u64,
    claim: Option<B256>,
    elf: Option<&[u8]>,
) -> anyhow::Result<Value> {
    let agreed = output(url, block - 1).await?;
    oracle.map().insert_keccak(&agreed.encode())?;
    let raw = node(url, "pillar_getRawBlock", json!([block - 1])).await?;
    let parent: Block = codec::decode(&hex_bytes(&raw, "raw block")?, 64 << 20, "block")
        .map_err(|e| anyhow::anyhow!("block {}: {e}", block - 1))?;
    ensure!(parent.header.hash() == agreed.block_hash, "the node's block {} is not its output's", block - 1);
    oracle.map().insert_keccak(&codec::encode(&parent.header))?;
    let claimed = match claim {
        Some(c) => c,
        None => {
            let own = node(url, "pillar_getOutputPreimage", json!([block])).await?;
            ensure!(!own.is_null(), "block {block} is not safe on the node; give --claim");
            b256(&own["outputRoot"], "outputRoot")?
        }
    };
    let witness = node(url, "pillar_getWitness", json!([block])).await?;
    if witness.is_null() {
        bail!(
            "the node keeps no witness of block {block} (start it with --record-witnesses or --challenger)"
        );
    }
    ensure!(
        b256(&witness["parentStateRoot"], "parentStateRoot")? == agreed.state_root,
        "the witness is of another state"
    );
    let mut map = oracle.map();
    for n in witness["nodes"].as_array().context("nodes")? {
        let bytes: [u8; 64] =
            hex_bytes(n, "node")?.try_into().map_err(|_| anyhow::anyhow!("a node is not 64 bytes"))?;
        map.insert_nomt_node(&bytes)?;
    }
    for v in witness["values"].as_array().context("values")? {
        map.insert_sha256(&hex_bytes(v, "value")?)?;
    }
    map.insert_keccak(&chain.encode())?;
    let inputs = Inputs {
        agreed_output: agreed.root(),
        claimed_output: claimed,
        claimed_block: block,
        batch_head,
        config_hash: chain.hash(),
    };
    for (id, value) in inputs.locals() {
        map.insert_local(local_id(id), &value)?;
    }
    drop(map);

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
