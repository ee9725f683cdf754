//! The `replay` scenario: the `transfers` load on a chain that settles on a local Ethereum
//! (anvil, the real contracts, blob batches), then a replica that knows only L1 rebuilds the chain.
//! Reports the replica's re-derivation rate and what the batches really cost on L1 (the
//! batcher's own totals from L1 receipts), and checks the replica ends on the sequencer's head.

use std::{
    sync::atomic::Ordering,
    time::{Duration, Instant},
};

use anyhow::{Context, bail, ensure};
use pillar_l1::{
    DeployParams,
    anvil::{Anvil, AnvilOptions},
    deploy,
};
use pillar_node::{BatcherSection, ChallengerSection, L1Section, NodeOptions, ProposerSection, Role};
use pillar_stf::{B256, SignedTransaction, U256};
use serde_json::{Value, json};

use super::{
    Args,
    fixture::{Fixture, Kind},
    measure, round,
};

async fn until(
    what: &str,
    timeout: Duration,
    mut done: impl FnMut() -> anyhow::Result<bool>,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + timeout;
    while !done()? {
        if Instant::now() > deadline {
            bail!("timed out after {timeout:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

pub(crate) async fn run(a: &Args) -> anyhow::Result<Value> {
    let say = |s: &str| {
        if !a.json {
            eprintln!("replay: {s}");
        }
    };
    say("starting anvil and deploying the contracts");
    let anvil = Anvil::spawn_with(AnvilOptions { block_time: Some(1), ..AnvilOptions::default() })
        .await
        .context("starting anvil")?;
    let operator = anvil.dev_address(0);
    let deployment = deploy(
        anvil.endpoint(),
        anvil.dev_key(0),
        DeployParams {
            l2_chain_id: super::fixture::CHAIN_ID,
            challenge_window_secs: 3600,
            inclusion_deadline_secs: 3600,
            inactivity_window_secs: 36_000,
            sequencer: operator,
            proposer: anvil.dev_address(5),
            guardian: operator,
            owner: operator,
            min_deposit: U256::from(1),
            max_deposit: U256::from(u128::MAX),
        },
    )
    .await
    .context("deploying the L1 contracts")?;
    let dir = tempfile::tempdir()?;
    let mut fx = Fixture::new(Kind::Transfers, a.accounts, a.block_time_ms, &dir.path().join("sequencer"));
    fx.config.l1 = Some(L1Section {
        rpc: anvil.endpoint().to_string(),
        chain_id: deployment.l1_chain_id,
        rollup: deployment.addresses.rollup,
        portal: deployment.addresses.portal,
        deployed_at_block: deployment.deployed_at_block,
        confirmations: 1,
        poll_ms: 250,
        batcher: BatcherSection {
            enabled: true,
            key: Some(anvil.dev_key(0).to_string()),
            mode: "blob".into(),
            max_blocks: 1000,
            interval_ms: 1000,
        },
        proposer: ProposerSection {
            enabled: true,
            key: Some(anvil.dev_key(5).to_string()),
            interval_blocks: 100,
        },
        challenger: ChallengerSection { enabled: false, key: None, record_witnesses: false },
    });
    say(&format!("genesis with {} funded accounts", a.accounts));
    let node = pillar_node::launch(&fx.config, dir.path()).await?;
    let stats = std::sync::Arc::clone(&node.settlement.as_ref().context("settlement tasks")?.batcher_stats);
    let txs = fx.sign(0..a.accounts, 0);
    let hashes: Vec<B256> = txs.iter().map(SignedTransaction::hash).collect();
    say(&format!("sequencing {} transfers", txs.len()));
    let node = std::sync::Arc::new(node);
    let n2 = std::sync::Arc::clone(&node);
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let watcher = measure::Watcher::start(&n2);
        for chunk in txs.chunks(2_000) {
            for r in measure::sequencer(&n2)?.submit_batch(chunk.to_vec()) {
                r.map_err(|e| anyhow::anyhow!("the node refused a benchmark transaction: {e}"))?;
            }
        }
        watcher.wait_all(&hashes, Duration::from_secs(600))?;
        Ok(())
    })
    .await??;
    let head = node.chain.head().height;
    say(&format!("waiting for blocks 1..={head} to be batched on L1"));
    until("the batches", Duration::from_secs(900), || Ok(stats.lock().last_block >= head)).await?;
    let posted = *stats.lock();

    say("starting a replica that knows only L1");
    let mut cfg = fx.config.clone();
    cfg.storage.data_dir = dir.path().join("replica");
    let options = NodeOptions { role: Role::Replica { sequencer_feed: None }, ..Default::default() };
    let started = Instant::now();
    let replica = pillar_node::launch_with(&cfg, dir.path(), &options).await?;
    let status = std::sync::Arc::clone(&replica.replica.as_ref().context("replica tasks")?.status);
    until("the replica", Duration::from_secs(900), || {
        if let Some(e) = status.fatal.lock().clone() {
            bail!("replica stopped: {e}");
        }
        Ok(replica.chain.heads().safe >= head)
    })
    .await?;
    let took = started.elapsed().as_secs_f64();
    let derived = status.txs_derived.load(Ordering::Relaxed);
    let same = node.chain.ledger().header(head)?.map(|h| h.hash())
        == replica.chain.ledger().header(head)?.map(|h| h.hash());
    replica.shutdown().await;
    if let Ok(node) = std::sync::Arc::try_unwrap(node) {
        node.shutdown().await;
    }
    drop(anvil);
    ensure!(same, "the replica's block {head} differs from the sequencer's");
    let per = |x: u64| if posted.txs == 0 { 0.0 } else { x as f64 / posted.txs as f64 };
    Ok(json!({
        "tps": round(derived as f64 / took, 0),
        "replayed_txs": derived,
        "replayed_blocks": head,
        "replay_s": round(took, 2),
        "same_head": same,
        "p50_ms": Value::Null,
        "p99_ms": Value::Null,
        "l1_bytes_per_tx": round(per(posted.bytes), 1),
        "l1_gas_per_tx": round(per(posted.gas), 1),
        "l1_blob_gas_per_tx": round(per(posted.blob_gas), 1),
        "l1_batches": posted.batches,
    }))
}
