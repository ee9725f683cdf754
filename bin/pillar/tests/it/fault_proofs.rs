//! `pillar fp run` against a running chain: the sequencer records witnesses and posts blob or
//! calldata batches; for every safe block the fault-proof program, fed from the node's RPC and L1
//! alone, gives the node's output root, and a wrong claim exits 1.

use std::process::Command;

use pillar_assets::Transfer;
use pillar_node::{BatcherSection, ChainConfig};
use pillar_stf::Call;
use serde_json::{Value, json};

use crate::common::start_node;
use crate::replica::{block_in_place, safe};
use crate::settlement::{l1_chain_with, send, until};

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

/// A sequencer posting batches in `mode`, three transfers; `pillar fp run` on every safe block
/// gives the node's output root, and a wrong claim exits 1.
async fn agrees_on_every_safe_block(mode: &str) {
    let batcher = BatcherSection { interval_ms: 300, mode: mode.into(), ..Default::default() };
    let env = l1_chain_with(600, 600, 3600, batcher, 1).await;
    let mut cfg = ChainConfig::load(&env.config).unwrap();
    cfg.l1.as_mut().unwrap().challenger.record_witnesses = true;
    cfg.save(&env.config).unwrap();
    let seq = block_in_place(|| start_node(&env.config));
    let k = &env.keys;
    for i in 0..3u128 {
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
    let target = until("three blocks to be safe", 90, || async {
        let s = block_in_place(|| safe(&seq));
        (s >= 3).then_some(s)
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
