//! `pillar fp run`: decides a block's output claim with the fault-proof program, on data fetched
//! from a running chain's node and L1 (docs/fault-proofs.md, "Replaying a block").
//!
//! The host gathers what the program will ask for: every batch-chain entry, calldata payload and
//! queue message from L1's logs, the blobs of the blob batches from the agreed cursor's entry on
//! (each with its KZG commitment), the agreed output (block N − 1) and its header from the node,
//! the node's recorded witness of block N, and the chain configuration. It runs the program
//! natively (which also answers its precompile hints), then, given the guest ELF, in pillar-fpvm on
//! exactly those preimages, and reports the VM's verdict.

use std::{path::PathBuf, time::Instant};

use anyhow::{Context, bail, ensure};
use pillar_derive::BatchKind;
use pillar_fp_program::{ChainConfig, HostOracle, Inputs, OutputPreimage, run_configured};
use pillar_fpvm::{OracleSyscalls, load_elf};
use pillar_l1::{L1Addresses, L1Client, L1Event};
use pillar_preimage::{MapOracle, PreimageKey, keccak256, sha256};
use pillar_stf::{B256, Block, DerivationCursor, codec};
use serde_json::{Value, json};

/// Where `scripts/rv32im/prestate.sh` (which `scripts/rv32im/build.sh` runs) leaves the guest.
const DEFAULT_ELF: &str = "target/rv32im/riscv32im-unknown-none-elf/release/pillar-fp-guest";

#[derive(clap::Subcommand)]
pub(crate) enum Command {
    /// Decide the output claim of block N: exit 0 if it holds, 1 if it does not.
    Run(RunArgs),
    /// Print the absolute prestate a chain's disputes pin: the guest's VM state before its first
    /// step, and that with the chain configuration's hash.
    Prestate(PrestateArgs),
}

#[derive(clap::Args)]
pub(crate) struct PrestateArgs {
    /// Chain config file (its chain id and modules make the chain configuration).
    #[arg(long)]
    config: PathBuf,
    /// The rv32im guest (default: the one `scripts/rv32im/prestate.sh` builds).
    #[arg(long)]
    elf: Option<PathBuf>,
}

#[derive(clap::Args)]
pub(crate) struct RunArgs {
    /// Chain config file (its `[l1]` section and RPC address say where to read).
    #[arg(long)]
    config: PathBuf,
    /// The block whose output is claimed.
    #[arg(long)]
    block: u64,
    /// The claimed output root (default: the node's own for the block).
    #[arg(long)]
    claim: Option<B256>,
    /// The node's RPC URL (default: the config's `rpc.listen`).
    #[arg(long)]
    rpc: Option<String>,
    /// Override the L1 JSON-RPC URL of the config.
    #[arg(long)]
    l1_rpc: Option<String>,
    /// The rv32im guest to run in pillar-fpvm (default: the one `scripts/rv32im/build.sh` builds,
    /// if present).
    #[arg(long)]
    elf: Option<PathBuf>,
    /// Run the program natively only, not in the VM.
    #[arg(long)]
    native: bool,
    /// Print one JSON object (`block`, `claimed`, `outputRoot`, `exitCode`, `steps`, `seconds`).
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(command: Command) -> anyhow::Result<()> {
    let a = match command {
        Command::Run(a) => a,
        Command::Prestate(p) => {
            println!("{}", prestate(&p)?);
            return Ok(());
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting tokio")?;
    let report = rt.block_on(decide(&a))?;
    let code = report["exitCode"].as_u64().unwrap_or(2);
    if a.json {
        println!("{report}");
    } else {
        println!(
            "block {}: claim {} {} (program's output root {}, {} steps, {:.3} s)",
            report["block"],
            report["claimed"].as_str().unwrap_or_default(),
            if code == 0 { "holds" } else { "does not hold" },
            report["outputRoot"].as_str().unwrap_or_default(),
            report["steps"],
            report["seconds"].as_f64().unwrap_or_default(),
        );
    }
    std::process::exit(code as i32)
}

/// The prestates of the guest and of the chain (docs/fault-proofs.md, "The absolute prestate").
fn prestate(a: &PrestateArgs) -> anyhow::Result<Value> {
    let config = pillar_node::ChainConfig::load(&a.config)?;
    let path = a.elf.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_ELF));
    let bytes = std::fs::read(&path)
        .with_context(|| format!("{} (build it with scripts/rv32im/prestate.sh)", path.display()))?;
    let program = load_elf(&bytes).with_context(|| format!("{}", path.display()))?.state_hash();
    let chain = ChainConfig { chain_id: config.chain.chain_id, modules: config.chain.modules.clone() };
    let config_hash = chain.hash();
    let mut both = [0u8; 64];
    both[..32].copy_from_slice(&program);
    both[32..].copy_from_slice(config_hash.as_slice());
    Ok(json!({
        "elf": path.display().to_string(),
        "elfSha256": B256::from(sha256(&bytes)),
        "programPrestate": B256::from(program),
        "configHash": config_hash,
        "prestate": B256::from(keccak256(&both)),
    }))
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

async fn decide(a: &RunArgs) -> anyhow::Result<Value> {
    let config = pillar_node::ChainConfig::load(&a.config)?;
    let l1 = config.l1.as_ref().context("the config has no [l1] section: nothing to prove against")?;
    let url = a.rpc.clone().unwrap_or_else(|| format!("http://{}", config.rpc.listen));
    ensure!(a.block > 0, "block 0 is genesis: there is no claim about it to decide");
    let started = Instant::now();
    let mut map = MapOracle::new();

    // The node: the agreed output (its cursor says from which entry on blobs are needed).
    let pre = node(&url, "pillar_getOutputPreimage", json!([a.block - 1])).await?;
    ensure!(!pre.is_null(), "block {} is not safe on the node: no agreed output to start from", a.block - 1);
    let agreed = OutputPreimage {
        state_root: b256(&pre["stateRoot"], "stateRoot")?,
        withdrawals_root: b256(&pre["withdrawalsRoot"], "withdrawalsRoot")?,
        block_hash: b256(&pre["blockHash"], "blockHash")?,
        cursor: serde_json::from_value::<DerivationCursor>(pre["cursor"].clone()).context("cursor")?,
    };
    map.insert_keccak(&agreed.encode())?;

    // L1: every entry, calldata payload and queue message, by the hashes the contracts keep, and
    // the blobs of the entries the program may read (the cursor's and later ones).
    let l1_rpc = a.l1_rpc.clone().unwrap_or_else(|| l1.rpc.clone());
    let client = L1Client::connect_read_only(&l1_rpc, L1Addresses { rollup: l1.rollup, portal: l1.portal })?;
    let head = client.block_number().await?;
    let mut batch_head = B256::ZERO;
    let mut queue_hash = B256::ZERO;
    let mut reading = agreed.cursor.entry == B256::ZERO;
    for log in client.derivation_events(l1.deployed_at_block, head).await? {
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
                reading |= b.batch_hash == agreed.cursor.entry;
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

    // The node: block N − 1's header, the claim, the witness of block N.
    let raw = node(&url, "pillar_getRawBlock", json!([a.block - 1])).await?;
    let parent: Block = codec::decode(&hex_bytes(&raw, "raw block")?, 64 << 20, "block")
        .map_err(|e| anyhow::anyhow!("block {}: {e}", a.block - 1))?;
    ensure!(
        parent.header.hash() == agreed.block_hash,
        "the node's block {} is not its output's",
        a.block - 1
    );
    map.insert_keccak(&codec::encode(&parent.header))?;
    let claimed = match a.claim {
        Some(c) => c,
        None => {
            let own = node(&url, "pillar_getOutputPreimage", json!([a.block])).await?;
            ensure!(!own.is_null(), "block {} is not safe on the node; give --claim", a.block);
            b256(&own["outputRoot"], "outputRoot")?
        }
    };
    let witness = node(&url, "pillar_getWitness", json!([a.block])).await?;
    if witness.is_null() {
        bail!(
            "the node keeps no witness of block {} (start it with --record-witnesses or --challenger)",
            a.block
        );
    }
    ensure!(
        b256(&witness["parentStateRoot"], "parentStateRoot")? == agreed.state_root,
        "the witness is of another state"
    );
    for n in witness["nodes"].as_array().context("nodes")? {
        let bytes: [u8; 64] =
            hex_bytes(n, "node")?.try_into().map_err(|_| anyhow::anyhow!("a node is not 64 bytes"))?;
        map.insert_nomt_node(&bytes)?;
    }
    for v in witness["values"].as_array().context("values")? {
        map.insert_sha256(&hex_bytes(v, "value")?)?;
    }

    let chain = ChainConfig { chain_id: config.chain.chain_id, modules: config.chain.modules.clone() };
    map.insert_keccak(&chain.encode())?;
    let inputs = Inputs {
        agreed_output: agreed.root(),
        claimed_output: claimed,
        claimed_block: a.block,
        batch_head,
        config_hash: chain.hash(),
    };
    for (id, value) in inputs.locals() {
        map.insert_local(local_id(id), &value)?;
    }

    // Natively first: it decides, and answers the program's precompile hints into the map.
    let oracle = HostOracle::new(map);
    let native = run_configured(oracle.clone()).map_err(|e| anyhow::anyhow!("no verdict: {e}"))?;
    let mut report = json!({
        "block": a.block,
        "claimed": claimed,
        "outputRoot": native.output_root(),
        "exitCode": native.exit_code(),
        "steps": Value::Null,
        "mode": "native",
    });
    let elf = match (&a.elf, a.native) {
        (_, true) => None,
        (Some(p), false) => Some(p.clone()),
        (None, false) => Some(PathBuf::from(DEFAULT_ELF)).filter(|p| p.exists()),
    };
    if let Some(path) = elf {
        let bytes = std::fs::read(&path).with_context(|| format!("{}", path.display()))?;
        let mut machine = load_elf(&bytes).with_context(|| format!("{}", path.display()))?;
        let mut sys = OracleSyscalls::new(oracle.map().clone());
        let exit = machine.run(&mut sys, 1 << 40).map_err(|e| anyhow::anyhow!("the VM trapped: {e}"))?;
        let printed = String::from_utf8_lossy(&sys.stdout).trim().to_string();
        report["mode"] = json!("vm");
        report["steps"] = json!(exit.steps);
        report["exitCode"] = json!(exit.code);
        report["outputRoot"] = json!(printed);
        if exit.code != native.exit_code() || printed != native.output_root().to_string() {
            bail!(
                "the VM ({} {printed}) and the native program ({} {}) disagree",
                exit.code,
                native.exit_code(),
                native.output_root()
            );
        }
    }
    report["seconds"] = json!(started.elapsed().as_secs_f64());
    Ok(report)
}
