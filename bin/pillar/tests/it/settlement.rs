//! Settlement against a real anvil: the user story through `pillar devnet --demo`, ERC-20
//! deposits and withdrawals with every rejection the Portal owes, and a batcher killed mid-stream.

use std::{
    process::Command,
    time::{Duration, Instant},
};

use pillar_assets::Transfer;
use pillar_bridge::Withdraw;
use pillar_l1::{
    DeployParams, Deployment, L1Addresses, L1Client, L1Error, Withdrawal, WithdrawalProof,
    anvil::{Anvil, AnvilOptions},
    deploy,
};
use pillar_node::{BatcherSection, ChainConfig, L1Section, ProposerSection};
use pillar_stf::{Address, B256, Block, Call, PrivateKey, Transaction, U256};
use serde_json::{Value, json};

use crate::common::{Node, init_chain, start_node, wait_receipt};

fn run_demo(mode: &str) {
    let out = Command::new(env!("CARGO_BIN_EXE_pillar"))
        .args(["devnet", "--demo", "--rpc-listen", "127.0.0.1:0", "--batch-mode", mode])
        .output()
        .expect("run pillar devnet --demo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "devnet --demo ({mode}) failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for step in [
        "deposit 1 ETH on L1",
        "deposit credited on L2",
        "transfer 0.1 ETH on L2",
        "withdraw 0.5 ETH on L2",
        "proposed on L1",
        "output finalized",
        "withdrawal finalized on L1",
        "Demo passed",
    ] {
        assert!(stdout.contains(step), "missing step {step:?} in:\n{stdout}");
    }
}

#[test]
fn devnet_demo_runs_the_user_story_with_blobs() {
    run_demo("blob");
}

#[test]
fn devnet_demo_runs_the_user_story_with_calldata() {
    run_demo("calldata");
}

pub(crate) struct L1Chain {
    pub(crate) anvil: Anvil,
    pub(crate) addresses: L1Addresses,
    pub(crate) config: std::path::PathBuf,
    pub(crate) keys: Vec<PrivateKey>,
    pub(crate) deployed_at_block: u64,
    pub(crate) dir: tempfile::TempDir,
}

/// anvil + contracts + an L2 config that settles there (operator = anvil key 0; L2 users are
/// anvil keys 1..=4, funded on both layers).
async fn l1_chain(challenge_window_secs: u64, batcher: BatcherSection, proposer_interval: u64) -> L1Chain {
    l1_chain_with(challenge_window_secs, 600, 3600, batcher, proposer_interval).await
}

/// [`l1_chain`] with the Rollup's inclusion deadline and inactivity window chosen.
pub(crate) async fn l1_chain_with(
    challenge_window_secs: u64,
    inclusion_deadline_secs: u64,
    inactivity_window_secs: u64,
    batcher: BatcherSection,
    proposer_interval: u64,
) -> L1Chain {
    let (anvil, dep) =
        anvil_with_contracts(challenge_window_secs, inclusion_deadline_secs, inactivity_window_secs).await;
    let dir = tempfile::tempdir().unwrap();
    let (config, _) = init_chain(dir.path(), 20);
    let keys: Vec<PrivateKey> = (1..=4).map(|i| PrivateKey::from_hex(anvil.dev_key(i)).unwrap()).collect();
    let mut cfg = ChainConfig::load(&config).unwrap();
    // Fund anvil's accounts on L2 too, so one key works on both layers.
    for (acct, k) in cfg.genesis.accounts.iter_mut().zip(&keys) {
        acct.address = k.address();
    }
    cfg.genesis.fee_recipient = keys[0].address();
    cfg.dev_keys.clear();
    cfg.l1 = Some(l1_section(&anvil, &dep, batcher, proposer_interval));
    cfg.save(&config).unwrap();
    L1Chain { anvil, addresses: dep.addresses, config, keys, deployed_at_block: dep.deployed_at_block, dir }
}

/// A fresh anvil (1 s blocks) with the contracts deployed for L2 chain 901: operator, sequencer,
/// guardian and owner anvil key 0, proposer anvil key 5.
pub(crate) async fn anvil_with_contracts(
    challenge_window_secs: u64,
    inclusion_deadline_secs: u64,
    inactivity_window_secs: u64,
) -> (Anvil, Deployment) {
    let anvil = Anvil::spawn_with(AnvilOptions { block_time: Some(1), ..Default::default() }).await.unwrap();
    let op = anvil.dev_address(0);
    let params = DeployParams {
        l2_chain_id: 901,
        challenge_window_secs,
        inclusion_deadline_secs,
        inactivity_window_secs,
        sequencer: op,
        proposer: anvil.dev_address(5),
        guardian: op,
        owner: op,
        min_deposit: U256::from(1),
        max_deposit: U256::from(u128::MAX),
    };
    let dep = deploy(anvil.endpoint(), anvil.dev_key(0), params).await.unwrap();
    (anvil, dep)
}

/// The `[l1]` section of a chain settling on `anvil`'s `dep`: batches by anvil key 0, outputs
/// proposed by key 5 every `proposer_interval` blocks, no challenger.
pub(crate) fn l1_section(
    anvil: &Anvil,
    dep: &Deployment,
    batcher: BatcherSection,
    proposer_interval: u64,
) -> L1Section {
    L1Section {
        rpc: anvil.endpoint().to_string(),
        chain_id: dep.l1_chain_id,
        rollup: dep.addresses.rollup,
        portal: dep.addresses.portal,
        deployed_at_block: dep.deployed_at_block,
        confirmations: 1,
        poll_ms: 200,
        batcher: BatcherSection { key: Some(anvil.dev_key(0).to_string()), ..batcher },
        proposer: ProposerSection {
            enabled: true,
            key: Some(anvil.dev_key(5).to_string()),
            interval_blocks: proposer_interval,
        },
        challenger: pillar_node::ChallengerSection {
            enabled: false,
            key: Some(anvil.dev_key(0).to_string()),
            record_witnesses: false,
        },
    }
}

pub(crate) fn send(node: &Node, key: &PrivateKey, call: Call) -> Value {
    let info = node.call("pillar_chainInfo", json!([])).unwrap();
    let fee: u128 = info["fees"]["txFee"].as_str().unwrap().parse().unwrap();
    let nonce = node.call("pillar_getAccount", json!([key.address()])).unwrap()["nonce"].as_u64().unwrap();
    let stx = key.sign(Transaction { chain_id: 901, nonce, max_fee: fee, call });
    let hash =
        node.call("pillar_sendTransaction", json!([format!("0x{}", hex::encode(stx.encode()))])).unwrap();
    wait_receipt(node, hash.as_str().unwrap())
}

pub(crate) async fn until<T, F, Fut>(what: &str, secs: u64, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn is_revert(r: &Result<pillar_l1::TxInfo, L1Error>, what: &str) {
    assert!(r.is_err(), "{what} must be rejected, got {r:?}");
}

mod erc20 {
    #![allow(missing_docs, unreachable_pub)]
    alloy::sol!(
        #[sol(rpc)]
        MockERC20,
        "../../crates/l1/tests/it/fixtures/MockERC20.json"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn erc20_round_trip_and_every_withdrawal_rejection() {
    let env = l1_chain(6, BatcherSection { interval_ms: 500, ..Default::default() }, 1).await;
    let node = tokio::task::block_in_place(|| start_node(&env.config));
    let user = &env.keys[1];
    let l1 = L1Client::connect(env.anvil.endpoint(), &user.to_hex(), env.addresses).unwrap();
    let guardian = L1Client::connect(env.anvil.endpoint(), env.anvil.dev_key(0), env.addresses).unwrap();

    // An ERC-20 on L1, deposited to L2.
    let provider = l1.provider().clone();
    let token = erc20::MockERC20::deploy(&provider).await.unwrap();
    let token_addr = *token.address();
    token.mint(user.address(), U256::from(1_000_000u64)).send().await.unwrap().get_receipt().await.unwrap();
    l1.deposit_erc20(token_addr, user.address(), U256::from(600_000u64)).await.unwrap();
    let asset = until("the bridged asset on L2", 60, || async {
        let a = tokio::task::block_in_place(|| {
            node.call("pillar_query", json!(["bridge", "l2Asset", { "token": token_addr }])).unwrap()
        });
        a.as_u64()
    })
    .await as u32;
    let bal = |who: Address| {
        tokio::task::block_in_place(|| {
            node.call("pillar_query", json!(["assets", "balance", { "address": who, "asset": asset }]))
                .unwrap()
        })
    };
    until("the ERC-20 deposit credited", 30, || async {
        (bal(user.address()) == json!("600000")).then_some(())
    })
    .await;

    // Withdraw 250,000 of it back to L1.
    let r = tokio::task::block_in_place(|| {
        send(
            &node,
            user,
            Call::Bridge(pillar_bridge::BridgeCall::Withdraw(Withdraw {
                asset,
                amount: 250_000,
                l1_recipient: user.address(),
            })),
        )
    });
    assert_eq!(r["status"], "success", "{r}");
    let ev =
        r["events"].as_array().unwrap().iter().find(|e| e["type"] == "withdrawalInitiated").unwrap().clone();
    let (w_block, w_index) = (ev["l2Block"].as_u64().unwrap(), ev["index"].as_u64().unwrap() as u32);
    assert_eq!(bal(user.address()), json!("350000"));
    let withdrawal = Withdrawal {
        l2_block: w_block,
        index: w_index,
        l2_sender: user.address(),
        l1_recipient: user.address(),
        token: token_addr,
        amount: U256::from(250_000u64),
    };

    // The output that covers it.
    let (o_index, o_block) = until("an output covering the withdrawal", 60, || async {
        let n = l1.output_count().await.ok()?;
        for i in (0..n).rev() {
            let o = l1.output(i).await.ok()?;
            if o.l2_block >= w_block {
                return Some((i, o.l2_block));
            }
        }
        None
    })
    .await;
    let header =
        tokio::task::block_in_place(|| node.call("pillar_getBlockByNumber", json!([o_block])).unwrap());
    let count = tokio::task::block_in_place(|| {
        node.call("pillar_query", json!(["bridge", "withdrawalCount"])).unwrap()
    })
    .as_u64()
    .unwrap();
    let p = tokio::task::block_in_place(|| {
        node.call(
            "pillar_query",
            json!(["bridge", "withdrawalProof", { "index": w_index, "leafCount": count }]),
        )
        .unwrap()
    });
    assert_eq!(p["root"], header["withdrawalsRoot"]);
    let proof = WithdrawalProof {
        leaf_index: u64::from(w_index),
        leaf_count: count,
        siblings: serde_json::from_value(p["siblings"].clone()).unwrap(),
    };
    let state_root: B256 = serde_json::from_value(header["stateRoot"].clone()).unwrap();
    let block_hash: B256 = serde_json::from_value(header["hash"].clone()).unwrap();
    // The output root also commits to where derivation found the block.
    let preimage =
        tokio::task::block_in_place(|| node.call("pillar_getOutputPreimage", json!([o_block])).unwrap());
    let cursor: pillar_l1::DerivationCursor = serde_json::from_value(preimage["cursor"].clone()).unwrap();
    assert_eq!(
        l1.output(o_index).await.unwrap().output_root,
        serde_json::from_value::<B256>(preimage["outputRoot"].clone()).unwrap()
    );

    // Too early: the output is not final.
    is_revert(
        &l1.finalize_withdrawal(&withdrawal, o_index, state_root, block_hash, cursor, &proof).await,
        "a withdrawal against an unfinalized output",
    );
    until("the output to finalize", 60, || async { l1.is_finalized(o_index).await.ok()?.then_some(()) })
        .await;

    // Forged: a larger amount, a wrong state root, a wrong sibling count.
    let forged = Withdrawal { amount: U256::from(250_001u64), ..withdrawal };
    is_revert(
        &l1.finalize_withdrawal(&forged, o_index, state_root, block_hash, cursor, &proof).await,
        "a forged amount",
    );
    is_revert(
        &l1.finalize_withdrawal(&withdrawal, o_index, B256::repeat_byte(1), block_hash, cursor, &proof).await,
        "a mismatched state root",
    );
    let mut bad = proof.clone();
    bad.siblings.push(B256::repeat_byte(7));
    is_revert(
        &l1.finalize_withdrawal(&withdrawal, o_index, state_root, block_hash, cursor, &bad).await,
        "a malformed proof",
    );

    // The real one pays, once.
    let before = token.balanceOf(user.address()).call().await.unwrap();
    l1.finalize_withdrawal(&withdrawal, o_index, state_root, block_hash, cursor, &proof).await.unwrap();
    assert_eq!(token.balanceOf(user.address()).call().await.unwrap(), before + U256::from(250_000u64));
    is_revert(
        &l1.finalize_withdrawal(&withdrawal, o_index, state_root, block_hash, cursor, &proof).await,
        "a second finalization",
    );

    // A withdrawal whose output the guardian invalidates cannot finalize against it. (Of the
    // token: this chain's ETH is all genesis ETH, which cannot be withdrawn.)
    let r = tokio::task::block_in_place(|| {
        send(
            &node,
            user,
            Call::Bridge(pillar_bridge::BridgeCall::Withdraw(Withdraw {
                asset,
                amount: 1000,
                l1_recipient: user.address(),
            })),
        )
    });
    let ev =
        r["events"].as_array().unwrap().iter().find(|e| e["type"] == "withdrawalInitiated").unwrap().clone();
    let w2 = Withdrawal {
        l2_block: ev["l2Block"].as_u64().unwrap(),
        index: ev["index"].as_u64().unwrap() as u32,
        l2_sender: user.address(),
        l1_recipient: user.address(),
        token: token_addr,
        amount: U256::from(1000u64),
    };
    let (i2, b2) = until("an output covering the second withdrawal", 60, || async {
        let n = l1.output_count().await.ok()?;
        let o = l1.output(n.checked_sub(1)?).await.ok()?;
        (o.l2_block >= w2.l2_block && !l1.is_finalized(n - 1).await.ok()?).then_some((n - 1, o.l2_block))
    })
    .await;
    guardian.invalidate_output(i2).await.unwrap();
    let header = tokio::task::block_in_place(|| node.call("pillar_getBlockByNumber", json!([b2])).unwrap());
    let count = tokio::task::block_in_place(|| {
        node.call("pillar_query", json!(["bridge", "withdrawalCount"])).unwrap()
    })
    .as_u64()
    .unwrap();
    let p = tokio::task::block_in_place(|| {
        node.call(
            "pillar_query",
            json!(["bridge", "withdrawalProof", { "index": w2.index, "leafCount": count }]),
        )
        .unwrap()
    });
    let proof2 = WithdrawalProof {
        leaf_index: u64::from(w2.index),
        leaf_count: count,
        siblings: serde_json::from_value(p["siblings"].clone()).unwrap(),
    };
    is_revert(
        &l1
            .finalize_withdrawal(
                &w2,
                i2,
                serde_json::from_value(header["stateRoot"].clone()).unwrap(),
                serde_json::from_value(header["hash"].clone()).unwrap(),
                serde_json::from_value(
                    tokio::task::block_in_place(|| {
                        node.call("pillar_getOutputPreimage", json!([b2])).unwrap()
                    })["cursor"]
                        .clone(),
                )
                .unwrap(),
                &proof2,
            )
            .await,
        "a withdrawal against an invalidated output",
    );
    drop(node);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batcher_killed_mid_stream_posts_nothing_twice_and_skips_nothing() {
    let env = l1_chain(
        3600,
        BatcherSection { interval_ms: 300, max_blocks: 2, mode: "calldata".into(), ..Default::default() },
        1000,
    )
    .await;
    let mut node = tokio::task::block_in_place(|| start_node(&env.config));
    let sender = &env.keys[1];
    let l1 = L1Client::connect_read_only(env.anvil.endpoint(), env.addresses).unwrap();

    // Blocks keep coming while the batcher posts two at a time; kill it once a few batches landed.
    let mut nonce = 0;
    let mut load = |node: &Node, n: usize| {
        for _ in 0..n {
            let stx = sender.sign(Transaction {
                chain_id: 901,
                nonce,
                max_fee: 10_000_000_000_000,
                call: Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
                    to: env.keys[2].address(),
                    asset: 0,
                    amount: 1,
                })),
            });
            nonce += 1;
            let h = node
                .call("pillar_sendTransaction", json!([format!("0x{}", hex::encode(stx.encode()))]))
                .unwrap();
            wait_receipt(node, h.as_str().unwrap());
        }
    };
    tokio::task::block_in_place(|| load(&node, 12));
    until("three batches", 60, || async { (l1.batch_head().await.ok()?.1 >= 6).then_some(()) }).await;
    let config = tokio::task::block_in_place(|| node.kill9());
    node = tokio::task::block_in_place(|| start_node(&config));
    tokio::task::block_in_place(|| load(&node, 6));
    let head = tokio::task::block_in_place(|| node.call("eth_blockNumber", json!([])).unwrap());
    let head = u64::from_str_radix(head.as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
    until("the batcher to catch up", 90, || async { (l1.batch_head().await.ok()?.1 >= head).then_some(()) })
        .await;

    // The L1 batch chain: contiguous ranges from block 1, linked hashes, and payloads that are
    // exactly the L2 blocks.
    let latest = l1.block_number().await.unwrap();
    let batches = l1.batch_events(0, latest).await.unwrap();
    assert!(batches.len() >= 4, "{} batches", batches.len());
    let mut next = 1;
    let mut prev = B256::ZERO;
    for b in &batches {
        assert_eq!(b.first_block, next, "batch {} starts at {} not {next}", b.index, b.first_block);
        assert_eq!(b.prev_batch_hash, prev, "batch {} does not link", b.index);
        let data = b.calldata.clone().expect("calldata batch payload");
        let blocks: Vec<Block> = pillar_derive::decode_batch(&data).unwrap();
        assert_eq!(blocks.len() as u64, b.last_block - b.first_block + 1);
        for blk in &blocks {
            let ours = tokio::task::block_in_place(|| {
                node.call("pillar_getBlockByNumber", json!([blk.header.height])).unwrap()
            });
            assert_eq!(
                json!(blk.header.hash()),
                ours["hash"],
                "batched block {} differs from the chain",
                blk.header.height
            );
        }
        next = b.last_block + 1;
        prev = b.batch_hash;
    }
    assert!(next > head, "blocks up to {head} are batched");
}
