//! `pillar devnet`: a local Ethereum (anvil) with the Pillar contracts and a full L2 on top:
//! sequencer, L1 watcher, batcher and proposer. `--demo` also runs the whole user story.

use std::{
    net::SocketAddr,
    path::PathBuf,
    time::{Duration, Instant},
};

use anyhow::{Context, bail, ensure};
use pillar_assets::Transfer;
use pillar_bridge::Withdraw;
use pillar_l1::{
    DeployParams, L1Addresses, L1Client, Withdrawal, WithdrawalProof,
    anvil::{Anvil, AnvilOptions},
    deploy,
};
use pillar_node::{
    BatcherSection, ChainConfig, ChallengerSection, L1Section, NodeOptions, ProposerSection, Role, preset,
};
use pillar_stf::{Address, Call, PrivateKey, Transaction, U256};
use serde_json::{Value, json};

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Preset.
    #[arg(long, default_value = "basic")]
    preset: String,
    /// L2 RPC listen address.
    #[arg(long, default_value = "127.0.0.1:8545")]
    rpc_listen: SocketAddr,
    #[command(flatten)]
    rpc_limits: super::rpc_limits::RpcLimitFlags,
    /// Keep L2 data here instead of a temporary directory.
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Seconds before an output is final (a real chain uses 7 days).
    #[arg(long, default_value_t = 4)]
    challenge_window_secs: u64,
    /// `blob` or `calldata` batches.
    #[arg(long, default_value = "blob")]
    batch_mode: String,
    /// Run the user story (deposit, transfer, withdraw, finalize on L1), print each step and exit.
    #[arg(long)]
    demo: bool,
    /// With --demo: afterwards, send this many transfers and report L1 bytes and gas per transfer.
    #[arg(long, default_value_t = 0)]
    load: usize,
    /// With --demo: at the end, start a replica from L1 alone and report how fast it re-derives
    /// the chain (and that it reaches the same head).
    #[arg(long)]
    replay: bool,
}

pub(crate) fn run(a: Args) -> anyhow::Result<()> {
    super::init_tracing_with(if a.demo { "warn" } else { "info" });
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting tokio")?;
    rt.block_on(devnet(a))
}

async fn devnet(a: Args) -> anyhow::Result<()> {
    let anvil = Anvil::spawn_with(AnvilOptions { block_time: Some(1), ..AnvilOptions::default() })
        .await
        .context("starting anvil")?;
    let operator = anvil.dev_address(0);
    // Each L1 role signs with its own key: one writer per nonce sequence.
    let proposer = anvil.dev_address(5);
    let deployment = deploy(
        anvil.endpoint(),
        anvil.dev_key(0),
        DeployParams {
            l2_chain_id: 901,
            challenge_window_secs: a.challenge_window_secs,
            inclusion_deadline_secs: 600,
            inactivity_window_secs: 3600,
            sequencer: operator,
            proposer,
            guardian: operator,
            owner: operator,
            min_deposit: U256::from(1),
            max_deposit: U256::from(u128::MAX),
        },
    )
    .await
    .context("deploying the L1 contracts")?;

    // L2 dev keys are anvil's accounts 1..=4: the same addresses hold ETH on both layers.
    let keys = (1..=4)
        .map(|i| PrivateKey::from_hex(anvil.dev_key(i)).context("anvil dev key"))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut config: ChainConfig =
        preset(&a.preset, 901, &keys).with_context(|| format!("unknown preset {:?}", a.preset))?;
    config.rpc.listen = a.rpc_listen;
    a.rpc_limits.apply(&mut config.rpc);
    config.storage.hashtable_buckets = 16_384;
    config.l1 = Some(L1Section {
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
            mode: a.batch_mode.clone(),
            max_blocks: 1000,
            interval_ms: 1000,
        },
        proposer: ProposerSection {
            enabled: true,
            key: Some(anvil.dev_key(5).to_string()),
            interval_blocks: 1,
        },
        // A replica started with `--challenger` uses the guardian's key (the operator's here).
        challenger: ChallengerSection {
            enabled: false,
            key: Some(anvil.dev_key(0).to_string()),
            record_witnesses: false,
        },
    });
    config.check()?;
    let (dir, _tmp) = match &a.dir {
        Some(d) => (d.clone(), None),
        None => {
            let t = tempfile::tempdir().context("creating a temporary directory")?;
            (t.path().to_path_buf(), Some(t))
        }
    };
    std::fs::create_dir_all(&dir)?;
    config.save(&dir.join("chain.toml"))?;
    let node = pillar_node::launch(&config, &dir).await?;
    let l2 = format!("http://{}", node.rpc.local_addr);

    println!("Pillar devnet: L2 chain 901 ({} preset) settling on a local Ethereum", a.preset);
    println!("  L1 (anvil)  {}  chain id {}", anvil.endpoint(), deployment.l1_chain_id);
    println!("  Rollup      {}", deployment.addresses.rollup);
    println!("  Portal      {}", deployment.addresses.portal);
    println!("  L2 RPC      {l2}  ws://{}", node.rpc.local_addr);
    println!("  config      {}", dir.join("chain.toml").display());
    println!("  dev keys (10,000 ETH on L1; 1,000 ETH and 1,000,000 PUSD on L2):");
    for k in &keys {
        println!("    {}  {}", k.address(), k.to_hex());
    }
    println!("  L1 roles: sequencer, guardian and owner {operator}; proposer {proposer}");

    let result = if a.demo {
        let stats = node.settlement.as_ref().map(|s| std::sync::Arc::clone(&s.batcher_stats));
        let r = match demo(&anvil, deployment.addresses, &l2, &keys).await {
            Ok(()) if a.load > 0 => match stats {
                Some(stats) => load(&l2, &keys, a.load, &a.batch_mode, &stats).await,
                None => Ok(()),
            },
            other => other,
        };
        match r {
            Ok(()) if a.replay => replay(&config, &dir, &node).await,
            other => other,
        }
    } else {
        println!("Ctrl-C to stop.");
        super::node::wait_for_signal().await;
        Ok(())
    };
    node.shutdown().await;
    drop(anvil);
    result
}

/// Starts a replica of the devnet's chain from L1 alone and times its re-derivation of every
/// batched block.
async fn replay(
    config: &ChainConfig,
    dir: &std::path::Path,
    node: &pillar_node::NodeHandle,
) -> anyhow::Result<()> {
    let batched = match &node.settlement {
        Some(s) => s.batcher_stats.lock().last_block,
        None => return Ok(()),
    };
    let mut cfg = config.clone();
    cfg.rpc.listen = "127.0.0.1:0".parse()?;
    cfg.storage.data_dir = dir.join("replica");
    let options = NodeOptions { role: Role::Replica { sequencer_feed: None }, ..Default::default() };
    let started = Instant::now();
    let replica = pillar_node::launch_with(&cfg, dir, &options).await?;
    let status = std::sync::Arc::clone(&replica.replica.as_ref().context("replica tasks")?.status);
    wait_for("the replica to re-derive the chain", Duration::from_secs(600), || async {
        if let Some(e) = status.fatal.lock().clone() {
            anyhow::bail!("replica stopped: {e}");
        }
        Ok((replica.chain.heads().safe >= batched).then_some(Value::Null))
    })
    .await?;
    let took = started.elapsed().as_secs_f64();
    let txs = status.txs_derived.load(std::sync::atomic::Ordering::Relaxed);
    let same = node.chain.ledger().header(batched)?.map(|h| h.hash())
        == replica.chain.ledger().header(batched)?.map(|h| h.hash());
    println!("Replay: a replica rebuilt blocks 1..={batched} from L1 alone in {took:.2} s");
    println!("  {txs} signed transactions re-derived: {:.0} transactions/s", txs as f64 / took);
    println!(
        "  batches derived {}, skipped {}; same head as the sequencer: {same}",
        status.batches_derived.load(std::sync::atomic::Ordering::Relaxed),
        status.batches_skipped.load(std::sync::atomic::Ordering::Relaxed)
    );
    let t = *status.timings.lock();
    let ms = |us: u64| us as f64 / 1000.0;
    println!(
        "  time (ms): L1 reads {:.0}, decode {:.0}, signatures+import {:.0}, execute {:.0}, roots {:.0}, ledger {:.0}, state commit {:.0} ({} blocks)",
        ms(status.l1_read_us.load(std::sync::atomic::Ordering::Relaxed)),
        ms(t.decode_us),
        ms(t.verify_us),
        ms(t.execute_us),
        ms(t.root_us),
        ms(t.ledger_us),
        ms(t.commit_us),
        t.blocks
    );
    replica.shutdown().await;
    ensure!(same, "the replica's block {batched} differs from the sequencer's");
    Ok(())
}

/// Sends `n` signed transfers and reports what carrying them to L1 cost.
async fn load(
    url: &str,
    keys: &[PrivateKey],
    n: usize,
    mode: &str,
    stats: &parking_lot::Mutex<pillar_node::BatcherStats>,
) -> anyhow::Result<()> {
    println!("Load: {n} transfers, batches as {mode}");
    let info = l2(url, "pillar_chainInfo", json!([])).await?;
    let fee: u128 = info["fees"]["txFee"].as_str().and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut nonces = Vec::new();
    for k in keys {
        nonces.push(l2(url, "pillar_getAccount", json!([k.address()])).await?["nonce"].as_u64().unwrap_or(0));
    }
    // Settle everything from the demo first, so the deltas below are this load alone.
    let head = l2(url, "eth_blockNumber", json!([])).await?;
    let head = u64::from_str_radix(head.as_str().unwrap_or("0x0").trim_start_matches("0x"), 16)?;
    wait_for("the demo's blocks to be batched", Duration::from_secs(60), || async {
        Ok((stats.lock().last_block >= head).then_some(Value::Null))
    })
    .await?;
    let before = *stats.lock();
    let txs: Vec<Value> = (0..n)
        .map(|i| {
            let k = i % keys.len();
            let nonce = nonces[k] + (i / keys.len()) as u64;
            let to = keys[(k + 1) % keys.len()].address();
            let stx = keys[k].sign(Transaction {
                chain_id: 901,
                nonce,
                max_fee: fee,
                call: Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
                    to,
                    asset: 0,
                    amount: 1 + (i % 1000) as u128,
                })),
            });
            json!(format!("0x{}", hex::encode(stx.encode())))
        })
        .collect();
    let started = Instant::now();
    // The pool holds at most 1,024 per sender and 64 ahead of the next nonce: send in waves.
    for wave in txs.chunks(keys.len() * 64) {
        let res = l2(url, "pillar_sendTransactions", json!([wave])).await?;
        let last = res.as_array().and_then(|r| r.last()).and_then(|r| r["hash"].as_str()).map(String::from);
        ensure!(
            res.as_array().is_some_and(|r| r.iter().all(|x| x.get("hash").is_some())),
            "submission refused: {res}"
        );
        if let Some(h) = last {
            wait_for("a wave's receipts", Duration::from_secs(60), || {
                let h = h.clone();
                async move {
                    let r = l2(url, "pillar_getReceipt", json!([h])).await?;
                    Ok((!r.is_null()).then_some(r))
                }
            })
            .await?;
        }
    }
    let sealed_in = started.elapsed();
    let head = l2(url, "eth_blockNumber", json!([])).await?;
    let head = u64::from_str_radix(head.as_str().unwrap_or("0x0").trim_start_matches("0x"), 16)?;
    let t = Instant::now();
    wait_for("the load to be batched", Duration::from_secs(300), || async {
        Ok((stats.lock().last_block >= head).then_some(Value::Null))
    })
    .await?;
    let batched_in = t.elapsed();
    let after = *stats.lock();
    let (dtx, dbytes, dgas, dblob) = (
        (after.txs - before.txs).max(1) as f64,
        (after.bytes - before.bytes) as f64,
        (after.gas - before.gas) as f64,
        (after.blob_gas - before.blob_gas) as f64,
    );
    println!(
        "  sealed on L2 in {:.2} s ({:.0} transfers/s through RPC, soft-confirmed)",
        sealed_in.as_secs_f64(),
        n as f64 / sealed_in.as_secs_f64()
    );
    println!(
        "  batched on L1 {:.2} s after sealing: {} batches, {} transfers",
        batched_in.as_secs_f64(),
        after.batches - before.batches,
        after.txs - before.txs
    );
    println!("  L1 bytes per transfer      {:.1}", dbytes / dtx);
    println!("  L1 execution gas per transfer {:.1}", dgas / dtx);
    println!("  L1 blob gas per transfer   {:.1}", dblob / dtx);
    Ok(())
}

/// Calls the L2 over JSON-RPC.
async fn l2(url: &str, method: &'static str, params: Value) -> anyhow::Result<Value> {
    crate::rpc_client::call_async(url, method, params).await
}

async fn wait_for<F, Fut>(what: &str, timeout: Duration, mut f: F) -> anyhow::Result<Value>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<Option<Value>>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f().await? {
            return Ok(v);
        }
        ensure!(Instant::now() < deadline, "timed out after {timeout:?} waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn eth_on_l2(account: &Value) -> u128 {
    account["balances"]
        .as_array()
        .and_then(|b| b.iter().find(|x| x["asset"] == 0))
        .and_then(|x| x["amount"].as_str())
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

async fn send_l2(url: &str, key: &PrivateKey, call: Call) -> anyhow::Result<Value> {
    let info = l2(url, "pillar_chainInfo", json!([])).await?;
    let fee: u128 = info["fees"]["txFee"].as_str().and_then(|s| s.parse().ok()).unwrap_or(0);
    let nonce = l2(url, "pillar_getAccount", json!([key.address()])).await?["nonce"].as_u64().unwrap_or(0);
    let stx =
        key.sign(Transaction { chain_id: info["chainId"].as_u64().unwrap_or(0), nonce, max_fee: fee, call });
    let hash = l2(url, "pillar_sendTransaction", json!([format!("0x{}", hex::encode(stx.encode()))])).await?;
    let receipt = wait_for("an L2 receipt", Duration::from_secs(30), || {
        let hash = hash.clone();
        async move {
            let r = l2(url, "pillar_getReceipt", json!([hash])).await?;
            Ok((!r.is_null()).then_some(r))
        }
    })
    .await?;
    ensure!(receipt["status"] == "success", "L2 transaction failed: {receipt}");
    Ok(receipt)
}

struct Steps {
    started: Instant,
    n: usize,
}

impl Steps {
    fn done(&mut self, what: &str, step_started: Instant) {
        self.n += 1;
        println!(
            "  [{}] ok  {what}  ({} ms; {:.1} s since start)",
            self.n,
            step_started.elapsed().as_millis(),
            self.started.elapsed().as_secs_f64()
        );
    }
}

async fn demo(anvil: &Anvil, addresses: L1Addresses, url: &str, keys: &[PrivateKey]) -> anyhow::Result<()> {
    println!("Demo: deposit on L1, transfer on L2, withdraw, finalize on L1");
    let mut steps = Steps { started: Instant::now(), n: 0 };
    let user = &keys[0];
    let friend = keys[1].address();
    let l1 = L1Client::connect(anvil.endpoint(), &user.to_hex(), addresses)?;

    // 1. Deposit 1 ETH on L1.
    let t = Instant::now();
    let deposit: u128 = 10u128.pow(18);
    let before = eth_on_l2(&l2(url, "pillar_getAccount", json!([user.address()])).await?);
    let enq = l1.deposit_eth(user.address(), U256::from(deposit)).await?;
    steps.done(
        &format!("deposit 1 ETH on L1 (queue message {}, L1 block {})", enq.message.index, enq.tx.l1_block),
        t,
    );

    // 2. See it on L2.
    let t = Instant::now();
    wait_for("the deposit on L2", Duration::from_secs(60), || async {
        let bal = eth_on_l2(&l2(url, "pillar_getAccount", json!([user.address()])).await?);
        Ok((bal == before + deposit).then_some(json!(bal.to_string())))
    })
    .await?;
    steps.done("deposit credited on L2", t);

    // 3. Transfer on L2.
    let t = Instant::now();
    let r = send_l2(
        url,
        user,
        Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
            to: friend,
            asset: 0,
            amount: deposit / 10,
        })),
    )
    .await?;
    steps.done(&format!("transfer 0.1 ETH on L2 (block {})", r["blockHeight"]), t);

    // 4. Withdraw on L2.
    let t = Instant::now();
    let amount = deposit / 2;
    let r = send_l2(
        url,
        user,
        Call::Bridge(pillar_bridge::BridgeCall::Withdraw(Withdraw {
            asset: 0,
            amount,
            l1_recipient: user.address(),
        })),
    )
    .await?;
    let ev = r["events"]
        .as_array()
        .and_then(|e| e.iter().find(|e| e["type"] == "withdrawalInitiated"))
        .cloned()
        .context("no withdrawalInitiated event")?;
    let w_block = ev["l2Block"].as_u64().context("l2Block")?;
    let w_index = ev["index"].as_u64().context("index")? as u32;
    steps.done(&format!("withdraw 0.5 ETH on L2 (block {w_block}, withdrawal {w_index})"), t);

    // 5. Wait for an output covering it, and for that output to finalize.
    let t = Instant::now();
    let out = wait_for("an output covering the withdrawal", Duration::from_secs(90), || async {
        let count = l1.output_count().await?;
        for i in (0..count).rev() {
            let o = l1.output(i).await?;
            if o.l2_block >= w_block {
                return Ok(Some(json!({ "index": i, "l2Block": o.l2_block })));
            }
        }
        Ok(None)
    })
    .await?;
    let (o_index, o_block) = (out["index"].as_u64().unwrap_or(0), out["l2Block"].as_u64().unwrap_or(0));
    steps.done(&format!("output {o_index} for L2 block {o_block} proposed on L1"), t);
    let t = Instant::now();
    wait_for("the output to finalize", Duration::from_secs(120), || async {
        Ok(l1.is_finalized(o_index).await?.then_some(Value::Null))
    })
    .await?;
    steps.done("output finalized after the challenge window", t);

    // 6. Prove and finalize the withdrawal on L1.
    let t = Instant::now();
    let mut leaf_count = 0u64;
    loop {
        let w = l2(url, "pillar_query", json!(["bridge", "withdrawal", { "index": leaf_count }])).await?;
        if w.is_null() || w["l2Block"].as_u64().unwrap_or(u64::MAX) > o_block {
            break;
        }
        leaf_count += 1;
    }
    let p = l2(
        url,
        "pillar_query",
        json!(["bridge", "withdrawalProof", { "index": w_index, "leafCount": leaf_count }]),
    )
    .await?;
    let header = l2(url, "pillar_getBlockByNumber", json!([o_block])).await?;
    ensure!(
        p["root"] == header["withdrawalsRoot"],
        "proof root {} is not the header's {}",
        p["root"],
        header["withdrawalsRoot"]
    );
    let withdrawal = Withdrawal {
        l2_block: w_block,
        index: w_index,
        l2_sender: user.address(),
        l1_recipient: user.address(),
        token: Address::ZERO,
        amount: U256::from(amount),
    };
    let proof = WithdrawalProof {
        leaf_index: u64::from(w_index),
        leaf_count,
        siblings: serde_json::from_value(p["siblings"].clone())?,
    };
    let l1_before = l1.eth_balance(user.address()).await?;
    // The output root also commits to where derivation found the block.
    let preimage = l2(url, "pillar_getOutputPreimage", json!([o_block])).await?;
    ensure!(
        preimage["blockHash"] == header["hash"],
        "output preimage of block {o_block} is of another block"
    );
    let paid = l1
        .finalize_withdrawal(
            &withdrawal,
            o_index,
            serde_json::from_value(header["stateRoot"].clone())?,
            serde_json::from_value(header["hash"].clone())?,
            serde_json::from_value(preimage["cursor"].clone())?,
            &proof,
        )
        .await?;
    let l1_after = l1.eth_balance(user.address()).await?;
    let gas = U256::from(paid.gas_used) * U256::from(paid.effective_gas_price);
    if l1_after != l1_before + U256::from(amount) - gas {
        bail!(
            "L1 balance went from {l1_before} to {l1_after}; expected +{amount} wei minus {gas} wei of gas"
        );
    }
    steps.done(&format!("withdrawal finalized on L1: balance grew by 0.5 ETH (less {gas} wei gas)"), t);
    println!("Demo passed: {} steps in {:.1} s", steps.n, steps.started.elapsed().as_secs_f64());
    Ok(())
}
