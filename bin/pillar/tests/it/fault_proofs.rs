//! `pillar fp run` against a running chain: the sequencer records witnesses and posts blob or
//! calldata batches, and is killed (SIGKILL) and restarted; for every safe block the fault-proof
//! program, fed from the restarted node's RPC and L1 alone, gives the node's output root, and a
//! wrong claim exits 1.

use std::{
    path::Path,
    process::Command,
    time::{Duration, Instant},
};

use pillar_assets::Transfer;
use pillar_l1::anvil::Anvil;
use pillar_node::{BatcherSection, ChainConfig};
use pillar_stf::Call;
use serde_json::{Value, json};

use crate::common::{Node, start_node};
use crate::replica::{block_in_place, safe};
use crate::settlement::{L1Chain, anvil_with_contracts, l1_chain_with, l1_section, send, until};

/// `pillar fp run`, natively, or in pillar-fpvm when `elf` is given.
fn fp_run(
    config: &std::path::Path,
    url: &str,
    block: u64,
    claim: Option<&str>,
    elf: Option<&str>,
) -> (i32, Value) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pillar"));
    cmd.args(["fp", "run", "--json", "--rpc", url, "--block", &block.to_string()]);
    match elf {
        Some(path) => cmd.args(["--elf", path]),
        None => cmd.arg("--native"),
    };
    cmd.arg("--config").arg(config);
    if let Some(c) = claim {
        cmd.args(["--claim", c]);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|_| panic!("block {block}: {stdout}\n{}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), report)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pillar_fp_run_agrees_with_the_node_on_blob_batches_and_refuses_a_wrong_claim() {
    agrees_on_every_safe_block("blob").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pillar_fp_run_agrees_with_the_node_on_calldata_batches_and_refuses_a_wrong_claim() {
    agrees_on_every_safe_block("calldata").await;
}

/// A sequencer on anvil that records witnesses and posts batches in `mode`, after `transfers`
/// transfers (one a block) have made that many blocks safe: the chain, the node and its safe head.
pub(crate) async fn recording_chain(mode: &str, transfers: u128) -> (L1Chain, Node, u64) {
    let batcher = BatcherSection { interval_ms: 300, mode: mode.into(), ..Default::default() };
    let env = l1_chain_with(600, 600, 3600, batcher, 1).await;
    let mut cfg = ChainConfig::load(&env.config).unwrap();
    cfg.l1.as_mut().unwrap().challenger.record_witnesses = true;
    cfg.save(&env.config).unwrap();
    let seq = block_in_place(|| start_node(&env.config));
    let k = &env.keys;
    for i in 0..transfers {
        block_in_place(|| {
            send(
                &seq,
                &k[0],
                Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
                    to: k[1].address(),
                    asset: 0,
                    amount: 100 + i,
                })),
            )
        });
    }
    let target = until("the transfers' blocks to be safe", 90, || async {
        let s = block_in_place(|| safe(&seq));
        (s >= transfers as u64).then_some(s)
    })
    .await;
    (env, seq, target)
}

/// A sequencer posting batches in `mode`, three transfers, then killed and restarted (the
/// witnesses it recorded are on disk); `pillar fp run` on every safe block gives the node's output
/// root, and a wrong claim exits 1.
async fn agrees_on_every_safe_block(mode: &str) {
    let (env, seq, target) = recording_chain(mode, 3).await;
    let config = seq.kill9();
    let seq = block_in_place(|| start_node(&config));
    // A restarted node re-reads L1 to learn where its blocks were derived (their cursors).
    until("the restarted node to re-derive its safe blocks", 90, || async {
        let own = block_in_place(|| seq.call("pillar_getOutputPreimage", json!([target])).unwrap());
        (!own.is_null()).then_some(())
    })
    .await;
    for n in 1..=target {
        let own = block_in_place(|| seq.call("pillar_getOutputPreimage", json!([n])).unwrap());
        let (code, report) = block_in_place(|| fp_run(&env.config, &seq.url, n, None, None));
        assert_eq!(code, 0, "block {n}: {report}");
        assert_eq!(report["exitCode"], 0);
        assert_eq!(report["block"], n);
        assert_eq!(report["outputRoot"], own["outputRoot"], "block {n}");
        assert_eq!(report["claimed"], own["outputRoot"]);
        assert!(report["seconds"].as_f64().unwrap() > 0.0);
    }
    // With the rv32im guest (scripts/rv32im/build.sh runs this test with it): the same verdict
    // from pillar-fpvm, with its step count.
    if let Ok(elf) = std::env::var("PILLAR_FP_ELF") {
        let own = block_in_place(|| seq.call("pillar_getOutputPreimage", json!([target])).unwrap());
        let (code, report) = block_in_place(|| fp_run(&env.config, &seq.url, target, None, Some(&elf)));
        assert_eq!(code, 0, "{report}");
        assert_eq!(report["mode"], "vm");
        assert_eq!(report["outputRoot"], own["outputRoot"]);
        assert!(report["steps"].as_u64().unwrap() > 0);
        eprintln!("pillar fp run in pillar-fpvm ({mode} batches): {report}");
    }
    let wrong = format!("0x{}", "11".repeat(32));
    let (code, report) = block_in_place(|| fp_run(&env.config, &seq.url, target, Some(&wrong), None));
    assert_eq!(code, 1, "{report}");
    assert_eq!(report["exitCode"], 1);
    assert_eq!(report["claimed"], wrong);
    assert_ne!(report["outputRoot"], wrong);
}

/// `pillar fp prestate`: the program prestate is the VM state hash of the loaded ELF, and the
/// chain prestate `keccak(programPrestate ‖ configHash)` with the config's chain id and modules.
#[test]
fn pillar_fp_prestate_is_the_loaded_guests_state_hash_with_the_chain_config() {
    let dir = tempfile::tempdir().unwrap();
    let (config, _) = crate::common::init_chain(dir.path(), 20);
    // A guest of two instructions (li a7, 93; ecall) is as good an ELF as any.
    let code =
        pillar_fpvm::asm::words_to_bytes(&[pillar_fpvm::asm::addi(17, 0, 93), pillar_fpvm::asm::ECALL]);
    let elf = pillar_fpvm::asm::elf(0x1_0000, &[(0x1_0000, &code)]);
    let elf_path = dir.path().join("guest.elf");
    std::fs::write(&elf_path, &elf).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_pillar"))
        .args(["fp", "prestate", "--config"])
        .arg(&config)
        .arg("--elf")
        .arg(&elf_path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let program = pillar_fpvm::load_elf(&elf).unwrap().state_hash();
    let cfg = ChainConfig::load(&config).unwrap();
    let chain =
        pillar_fp_program::ChainConfig { chain_id: cfg.chain.chain_id, modules: cfg.chain.modules.clone() };
    let mut both = program.to_vec();
    both.extend_from_slice(chain.hash().as_slice());
    let hex = |b: &[u8]| format!("0x{}", hex::encode(b));
    assert_eq!(report["programPrestate"], hex(&program));
    assert_eq!(report["configHash"], hex(chain.hash().as_slice()));
    assert_eq!(report["prestate"], hex(&pillar_preimage::keccak256(&both)));
    assert_eq!(report["elfSha256"], hex(&pillar_preimage::sha256(&elf)));
    // Another chain's configuration is another prestate.
    let mut other = cfg.clone();
    other.chain.chain_id += 1;
    other.save(&config).unwrap();
    let again = Command::new(env!("CARGO_BIN_EXE_pillar"))
        .args(["fp", "prestate", "--config"])
        .arg(&config)
        .arg("--elf")
        .arg(&elf_path)
        .output()
        .unwrap();
    let again: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(again["programPrestate"], report["programPrestate"]);
    assert_ne!(again["prestate"], report["prestate"]);
}

/// A fresh anvil with the contracts deployed, as the L1 of a chain whose tests are not async
/// (the preset stories): it lives as long as this does.
pub(crate) struct AttachedL1 {
    _anvil: Anvil,
    _rt: tokio::runtime::Runtime,
}

/// Deploys the contracts on a fresh anvil and makes it the L1 of the chain at `config` (chain id
/// 901): blob batches every 300 ms, outputs proposed, witnesses recorded for `pillar fp run`.
pub(crate) fn attach_l1(config: &Path) -> AttachedL1 {
    let rt = tokio::runtime::Runtime::new().unwrap();
    // Nothing finalizes during a test: the node keeps witnesses from the finalized head up, and a
    // story's blocks in the VM can take minutes.
    let (anvil, dep) = rt.block_on(anvil_with_contracts(3600, 600, 3600));
    let mut cfg = ChainConfig::load(config).unwrap();
    assert_eq!(cfg.chain.chain_id, 901);
    let batcher = BatcherSection { interval_ms: 300, ..Default::default() };
    let mut l1 = l1_section(&anvil, &dep, batcher, 1);
    l1.challenger.record_witnesses = true;
    cfg.l1 = Some(l1);
    cfg.save(config).unwrap();
    AttachedL1 { _anvil: anvil, _rt: rt }
}

/// Waits until the node's head when called is safe, then decides every block above its finalized
/// head (the anchor a dispute starts from: the node keeps witnesses from there up) with one
/// `pillar fp run --to` (in pillar-fpvm with the guest when `PILLAR_FP_ELF` is set, else
/// natively): each must exit 0 with the node's own output root. Returns the number of blocks.
pub(crate) fn every_block_agrees(config: &Path, node: &Node, story: &str) -> u64 {
    let info = |field: &str, sub: &str| {
        node.call("pillar_chainInfo", json!([])).unwrap()[field][sub].as_u64().unwrap()
    };
    let head = info("head", "height");
    let deadline = Instant::now() + Duration::from_secs(180);
    while info("heads", "safe") < head {
        assert!(Instant::now() < deadline, "{story}: block {head} never became safe");
        std::thread::sleep(Duration::from_millis(200));
    }
    let first = info("heads", "finalized") + 1;
    // A story whose blocks all finalized would check nothing: its chain's challenge window is
    // too short for this.
    assert!(first <= head, "{story}: every block is final (through {head}), none to decide");
    let elf = std::env::var("PILLAR_FP_ELF").ok();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pillar"));
    cmd.args([
        "fp",
        "run",
        "--json",
        "--rpc",
        &node.url,
        "--block",
        &first.to_string(),
        "--to",
        &head.to_string(),
    ]);
    match &elf {
        Some(path) => cmd.args(["--elf", path]),
        None => cmd.arg("--native"),
    };
    let started = Instant::now();
    let out = cmd.arg("--config").arg(config).output().unwrap();
    let seconds = started.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{story}: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let reports: Vec<Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(reports.len() as u64, head - first + 1, "{story}: one report per block");
    let mut steps = 0;
    for (n, report) in (first..=head).zip(&reports) {
        let own = node.call("pillar_getOutputPreimage", json!([n])).unwrap();
        assert_eq!(report["block"], n);
        assert_eq!(report["exitCode"], 0, "{story}, block {n}: {report}");
        assert_eq!(report["outputRoot"], own["outputRoot"], "{story}, block {n}");
        steps += report["steps"].as_u64().unwrap_or(0);
    }
    let mode = if elf.is_some() { "in pillar-fpvm" } else { "natively" };
    let n = head - first + 1;
    eprintln!(
        "pillar fp run on the {story} story: blocks {first} to {head} agree with the node {mode} ({steps} steps, {seconds:.1} s)"
    );
    n
}
