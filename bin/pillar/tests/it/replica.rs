//! Replicas against a real anvil: the chain rebuilt from L1 alone (and from the sequencer's
//! feed), forced inclusion past a censoring sequencer, the escape hatch, a lying proposer caught
//! and invalidated, and an L1 reorg rewound.

use std::{
    io::{Read, Write},
    net::TcpStream,
    time::Duration,
};

use pillar_assets::Transfer;
use pillar_bridge::Withdraw;
use pillar_l1::{L1Client, L1Event, Withdrawal, WithdrawalProof};
use pillar_node::BatcherSection;
use pillar_stf::{Address, B256, Block, Call, PrivateKey, Transaction, U256, codec};
use serde_json::{Value, json};

use crate::common::{Node, start_node, start_node_with};
use crate::fault_proofs::every_block_agrees;
use crate::rpc_limits::{self, Msg, Ws};
use crate::settlement::{L1Chain, l1_chain_with, send, until};

pub(crate) fn block_in_place<T>(f: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(f)
}

/// Starts a replica of `env`'s chain in its own data directory.
pub(crate) fn replica(env: &L1Chain, name: &str, extra: &[&str]) -> Node {
    let dir = env.dir.path().join(name);
    let mut args =
        vec!["--role", "replica", "--rpc-listen", "127.0.0.1:0", "--data-dir", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    block_in_place(|| start_node_with(&env.config, &args))
}

pub(crate) fn info(node: &Node) -> Value {
    block_in_place(|| node.call("pillar_chainInfo", json!([])).unwrap())
}

pub(crate) fn height(node: &Node) -> u64 {
    info(node)["head"]["height"].as_u64().unwrap()
}

pub(crate) fn safe(node: &Node) -> u64 {
    info(node)["heads"]["safe"].as_u64().unwrap()
}

pub(crate) fn sync(node: &Node, field: &str) -> u64 {
    info(node)["sync"][field].as_u64().unwrap_or(0)
}

pub(crate) fn hash_at(node: &Node, h: u64) -> Value {
    block_in_place(|| node.call("pillar_getBlockByNumber", json!([h])).unwrap())["hash"].clone()
}

pub(crate) fn eth(node: &Node, who: Address) -> Value {
    block_in_place(|| {
        node.call("pillar_query", json!(["assets", "balance", { "address": who, "asset": 0 }])).unwrap()
    })
}

fn fee(node: &Node) -> u128 {
    info(node)["fees"]["txFee"].as_str().unwrap().parse().unwrap()
}

fn sign_transfer(node: &Node, key: &PrivateKey, nonce: u64, to: Address, amount: u128) -> String {
    let stx = key.sign(Transaction {
        chain_id: 901,
        nonce,
        max_fee: fee(node),
        call: Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer { to, asset: 0, amount })),
    });
    format!("0x{}", hex::encode(stx.encode()))
}

/// HTTP status and body of `GET <path>` on a node.
fn http_get(node: &Node, path: &str) -> (u16, String) {
    let addr = node.url.strip_prefix("http://").unwrap();
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    let status = out.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = out.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

pub(crate) fn http_status(node: &Node, path: &str) -> u16 {
    http_get(node, path).0
}

/// The value of a Prometheus sample (`name{labels}` exactly as exposed).
fn metric(node: &Node, sample: &str) -> f64 {
    let (status, body) = http_get(node, "/metrics");
    assert_eq!(status, 200);
    body.lines()
        .find_map(|l| l.strip_prefix(sample).and_then(|v| v.strip_prefix(' ')))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no sample {sample} in:\n{body}"))
}

pub(crate) fn same_chain(a: &Node, b: &Node, up_to: u64) {
    for h in 0..=up_to {
        if hash_at(a, h) != hash_at(b, h) {
            let block =
                |n: &Node| block_in_place(|| n.call("pillar_getBlockByNumber", json!([h, true])).unwrap());
            panic!("block {h} differs:\n{}\n{}\n{}\n{}", block(a), block(b), info(a), info(b));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replica_rebuilds_the_chain_from_l1_alone_and_follows_the_feed() {
    let env = l1_chain_with(4, 600, 3600, BatcherSection { interval_ms: 500, ..Default::default() }, 1).await;
    let seq = block_in_place(|| start_node(&env.config));
    let k = &env.keys;
    let l1 = L1Client::connect(env.anvil.endpoint(), &k[0].to_hex(), env.addresses).unwrap();
    l1.deposit_eth(k[1].address(), U256::from(10u64.pow(15))).await.unwrap();
    for i in 0..12 {
        let r = block_in_place(|| {
            send(
                &seq,
                &k[0],
                Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
                    to: k[3].address(),
                    asset: 0,
                    amount: i + 1,
                })),
            )
        });
        assert_eq!(r["status"], "success");
    }
    let credited = json!((1_000u128 * 10u128.pow(18) + 10u128.pow(15)).to_string());
    until("the deposit on L2", 30, || async { (eth(&seq, k[1].address()) == credited).then_some(()) }).await;

    let feed = format!("ws://{}", seq.url.strip_prefix("http://").unwrap());
    let from_l1 = replica(&env, "replica-l1", &[]);
    let with_feed = replica(&env, "replica-feed", &["--sequencer-feed", &feed]);
    let target = height(&seq);

    // The feed brings soft blocks before L1 does.
    until("soft blocks from the feed", 30, || async { (height(&with_feed) >= target).then_some(()) }).await;
    // Both derive everything from L1.
    until("replicas to derive the chain from L1", 90, || async {
        (safe(&from_l1) >= target && safe(&with_feed) >= target).then_some(())
    })
    .await;
    same_chain(&seq, &from_l1, target);
    same_chain(&seq, &with_feed, target);
    for key in k {
        assert_eq!(eth(&from_l1, key.address()), eth(&seq, key.address()));
    }
    assert!(sync(&with_feed, "softBlocks") > 0);
    assert!(sync(&from_l1, "batchesDerived") > 0);
    assert_eq!(sync(&from_l1, "batchesSkipped"), 0);
    until("an output checked", 60, || async { (sync(&from_l1, "outputsChecked") > 0).then_some(()) }).await;
    assert_eq!(sync(&from_l1, "outputFaults"), 0);
    assert_eq!(info(&from_l1)["role"], "replica");
    assert_eq!(http_status(&from_l1, "/health"), 200);
    assert!(metric(&from_l1, "pillar_block_height{head=\"safe\"}") >= target as f64);
    assert_eq!(metric(&from_l1, "pillar_healthy"), 1.0);
    assert_eq!(metric(&from_l1, "pillar_replica_output_faults_total"), 0.0);
    assert!(metric(&seq, "pillar_batcher_batches_total") >= 1.0);

    // A replica takes no transactions.
    let tx = sign_transfer(&seq, &k[0], 99, k[2].address(), 1);
    let err = block_in_place(|| from_l1.call("pillar_sendTransaction", json!([tx]))).unwrap_err();
    assert!(err.to_string().contains("-38017"), "{err}");

    // Killed and restarted, it comes back to the same chain.
    let config = from_l1.kill9();
    drop(config);
    let again = replica(&env, "replica-l1", &[]);
    assert!(height(&again) >= target, "derived blocks survive kill -9");
    until("the restarted replica to catch up", 60, || async { (safe(&again) >= target).then_some(()) }).await;
    same_chain(&seq, &again, target);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_censored_transaction_forced_through_l1_is_included_by_derivation() {
    let deadline = 4;
    let env =
        l1_chain_with(600, deadline, 3600, BatcherSection { interval_ms: 500, ..Default::default() }, 1)
            .await;
    let k = &env.keys;
    let victim = &k[2];
    let victim_hex = format!("{}", victim.address());
    let seq = block_in_place(|| start_node_with(&env.config, &["--test-censor", &victim_hex]));
    let rep = replica(&env, "replica", &[]);
    // A client following the sequencer's blocks.
    let seq_addr = rpc_limits::addr(&seq);
    // The client makes its own small runtime to bind its socket: off this test's runtime.
    let (mut follower, notes) =
        std::thread::spawn(move || Ws::open(1, seq_addr, None)).join().unwrap().spawn_reader();
    follower.send(rpc_limits::subscribe("pillar_subscribeNewBlocks", 1));
    assert!(rpc_limits::answer(&notes, 1)["result"].is_u64());

    // The sequencer acknowledges and ignores the victim's transaction.
    let tx = sign_transfer(&seq, victim, 0, k[3].address(), 12_345);
    let hash = block_in_place(|| seq.call("pillar_sendTransaction", json!([tx.clone()])).unwrap());
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(block_in_place(|| seq.call("pillar_getReceipt", json!([hash.clone()])).unwrap()), Value::Null);
    let before = eth(&seq, k[3].address());

    // So the victim forces it through the Portal.
    let l1 = L1Client::connect(env.anvil.endpoint(), &victim.to_hex(), env.addresses).unwrap();
    let bytes = hex::decode(tx.strip_prefix("0x").unwrap()).unwrap();
    l1.force_transaction(bytes.into()).await.unwrap();
    // Meanwhile the sequencer keeps batching other traffic.
    for i in 0..3 {
        block_in_place(|| {
            send(
                &seq,
                &k[0],
                Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
                    to: k[1].address(),
                    asset: 0,
                    amount: i + 1,
                })),
            )
        });
        tokio::time::sleep(Duration::from_secs(2)).await;
    }

    let receipt = until("derivation to include the forced transaction", 90, || async {
        let r = block_in_place(|| rep.call("pillar_getReceipt", json!([hash.clone()])).unwrap());
        (!r.is_null()).then_some(r)
    })
    .await;
    assert_eq!(receipt["status"], "success", "{receipt}");
    assert!(sync(&rep, "forcedBlocks") >= 1);
    until("a censoring batch skipped", 60, || async { (sync(&rep, "batchesSkipped") >= 1).then_some(()) })
        .await;
    let credited: u128 = eth(&rep, k[3].address()).as_str().unwrap().parse().unwrap();
    let base: u128 = before.as_str().unwrap().parse().unwrap();
    assert_eq!(credited, base + 12_345);
    // The derived chain, not the sequencer, decides: the censoring sequencer adopts the forced
    // block (its own derivation follows the same rules) and carries on from it.
    let adopted = until("the sequencer to adopt the forced block", 60, || async {
        let r = block_in_place(|| seq.call("pillar_getReceipt", json!([hash.clone()])).unwrap());
        (!r.is_null()).then_some(r)
    })
    .await;
    assert_eq!(adopted["blockHeight"], receipt["blockHeight"]);
    block_in_place(|| {
        send(
            &seq,
            &k[0],
            Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
                to: k[1].address(),
                asset: 0,
                amount: 99,
            })),
        )
    });
    until("the sequencer's next blocks to be derived", 60, || async {
        (safe(&rep) >= height(&seq) && safe(&seq) == height(&seq)).then_some(())
    })
    .await;
    same_chain(&seq, &rep, height(&seq));
    // The follower was told: the adopted block came at or below a height it had seen, marked as
    // replacing the blocks from there on.
    let mut seen = 0;
    let mut replaced = None;
    while let Ok(Msg::Json(n)) = notes.recv_timeout(Duration::from_secs(1)) {
        let b = &n["params"]["result"];
        let h = b["height"].as_u64().unwrap();
        assert_eq!(b["replaces"], json!(h <= seen), "block {h} after {seen}");
        if h <= seen {
            replaced.get_or_insert(h);
        }
        seen = h;
    }
    assert!(replaced.is_some(), "no notification replaced a block");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_batcher_down_anyone_may_post_batches_and_replicas_accept_them() {
    let env = l1_chain_with(600, 600, 8, BatcherSection { enabled: false, ..Default::default() }, 1).await;
    let anyone = L1Client::connect(env.anvil.endpoint(), env.anvil.dev_key(7), env.addresses).unwrap();
    // While the sequencer is deemed active, nobody else may post.
    let early = anyone.append_calldata_batch(1, 1, B256::ZERO, vec![0xde, 0xad].into()).await;
    assert!(format!("{early:?}").contains("NotSequencer"), "{early:?}");

    let seq = block_in_place(|| start_node(&env.config));
    let rep = replica(&env, "replica", &[]);
    let k = &env.keys;
    for i in 0..3 {
        block_in_place(|| {
            send(
                &seq,
                &k[0],
                Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
                    to: k[1].address(),
                    asset: 0,
                    amount: i + 1,
                })),
            )
        });
    }
    let target = height(&seq);
    let blocks: Vec<Block> = (1..=target)
        .map(|h| {
            let raw = block_in_place(|| seq.call("pillar_getRawBlock", json!([h])).unwrap());
            codec::decode(
                &hex::decode(raw.as_str().unwrap().strip_prefix("0x").unwrap()).unwrap(),
                usize::MAX,
                "b",
            )
            .unwrap()
        })
        .collect();

    // Once the window passes, anyone posts; garbage first (skipped by every replica), then the
    // sequencer's blocks.
    until("the escape hatch to open", 60, || async {
        let (prev, _) = anyone.batch_head().await.ok()?;
        anyone.append_calldata_batch(1, 1, prev, vec![0xde, 0xad].into()).await.ok()
    })
    .await;
    let (prev, _) = anyone.batch_head().await.unwrap();
    let posted = anyone
        .append_calldata_batch(1, target, prev, pillar_derive::encode_batch(&blocks).into())
        .await
        .unwrap();
    assert!(posted.tx.l1_block > 0);
    until("the replica to derive the posted batch", 60, || async { (safe(&rep) >= target).then_some(()) })
        .await;
    same_chain(&seq, &rep, target);
    assert_eq!(sync(&rep, "batchesSkipped"), 1, "the garbage batch");
    assert_eq!(sync(&rep, "batchesDerived"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lying_proposer_is_caught_and_its_output_invalidated() {
    let env =
        l1_chain_with(60, 600, 3600, BatcherSection { interval_ms: 500, ..Default::default() }, 1).await;
    let user = &env.keys[1];
    let l1 = L1Client::connect(env.anvil.endpoint(), &user.to_hex(), env.addresses).unwrap();
    // Genesis ETH cannot be withdrawn (docs/bridge.md §5.6): deposit what the withdrawal takes,
    // before the sequencer starts so its first blocks carry it.
    l1.deposit_eth(user.address(), U256::from(1000u64)).await.unwrap();
    let seq = block_in_place(|| start_node_with(&env.config, &["--test-lying-proposer"]));
    let rep = replica(&env, "replica", &["--challenger"]);
    until("the deposit on L2", 60, || async {
        let v = block_in_place(|| seq.call("pillar_query", json!(["bridge", "bridgedEth"]))).ok()?;
        (v == json!("1000")).then_some(())
    })
    .await;
    let r = block_in_place(|| {
        send(
            &seq,
            user,
            Call::Bridge(pillar_bridge::BridgeCall::Withdraw(Withdraw {
                asset: 0,
                amount: 1000,
                l1_recipient: user.address(),
            })),
        )
    });
    let ev =
        r["events"].as_array().unwrap().iter().find(|e| e["type"] == "withdrawalInitiated").unwrap().clone();
    let w_block = ev["l2Block"].as_u64().unwrap();

    until("the wrong output to be invalidated", 90, || async {
        (sync(&rep, "challenges") >= 1).then_some(())
    })
    .await;
    assert!(sync(&rep, "outputFaults") >= 1);
    assert_eq!(info(&rep)["sync"]["diverged"], true);
    assert_eq!(http_status(&rep, "/health"), 500, "a fault fails the health check");
    assert!(metric(&rep, "pillar_replica_output_faults_total") >= 1.0);
    assert_eq!(metric(&rep, "pillar_replica_diverged"), 1.0);
    assert_eq!(metric(&rep, "pillar_healthy"), 0.0);
    let health = block_in_place(|| rep.call("pillar_health", json!([]))).unwrap_err();
    assert!(health.to_string().contains("-38101"), "{health}");

    // Detection time, on L1: the block of the first proposal and of its invalidation.
    let head = l1.block_number().await.unwrap();
    let events = l1.derivation_events(env.deployed_at_block, head).await.unwrap();
    let proposed = events.iter().find(|e| matches!(e.event, L1Event::Output(_))).unwrap().l1_block;
    let invalidated =
        events.iter().find(|e| matches!(e.event, L1Event::OutputsInvalidated { .. })).unwrap().l1_block;
    println!(
        "wrong output proposed in L1 block {proposed}, invalidated in L1 block {invalidated} (1 s blocks)"
    );
    assert!(invalidated - proposed <= 5, "detection took {} L1 blocks", invalidated - proposed);

    // A withdrawal relying on a wrong output never finalizes: every output the liar proposed is
    // invalidated within its window, and none can prove the real withdrawals root.
    let header = block_in_place(|| seq.call("pillar_getBlockByNumber", json!([w_block])).unwrap());
    let withdrawal = Withdrawal {
        l2_block: w_block,
        index: 0,
        l2_sender: user.address(),
        l1_recipient: user.address(),
        token: Address::ZERO,
        amount: U256::from(1000u64),
    };
    let proof = WithdrawalProof { leaf_index: 0, leaf_count: 1, siblings: vec![] };
    let state_root: B256 = serde_json::from_value(header["stateRoot"].clone()).unwrap();
    let block_hash: B256 = serde_json::from_value(header["hash"].clone()).unwrap();
    let preimage = block_in_place(|| seq.call("pillar_getOutputPreimage", json!([w_block])).unwrap());
    let cursor = serde_json::from_value(preimage["cursor"].clone()).unwrap();
    let n = l1.output_count().await.unwrap();
    for i in 0..n.max(1) {
        assert!(!l1.is_finalized(i).await.unwrap());
        let r = l1.finalize_withdrawal(&withdrawal, i, state_root, block_hash, cursor, &proof).await;
        assert!(r.is_err(), "finalizing against output {i} must fail");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_l1_reorg_rewinds_the_replica_and_it_rederives() {
    let env =
        l1_chain_with(600, 600, 3600, BatcherSection { interval_ms: 500, ..Default::default() }, 1).await;
    // The replica acts on L1 blocks at once, so a reorg reaches what it derived.
    let mut cfg = pillar_node::ChainConfig::load(&env.config).unwrap();
    cfg.l1.as_mut().unwrap().confirmations = 0;
    let replica_config = env.dir.path().join("replica.toml");
    cfg.save(&replica_config).unwrap();
    let snapshot = env.anvil.snapshot().await.unwrap();

    let seq = block_in_place(|| start_node(&env.config));
    let dir = env.dir.path().join("replica");
    let rep = block_in_place(|| {
        start_node_with(
            &replica_config,
            &[
                "--role",
                "replica",
                "--rpc-listen",
                "127.0.0.1:0",
                "--data-dir",
                dir.to_str().unwrap(),
                "--record-witnesses",
            ],
        )
    });
    let k = &env.keys;
    for i in 0..3 {
        block_in_place(|| {
            send(
                &seq,
                &k[0],
                Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
                    to: k[1].address(),
                    asset: 0,
                    amount: i + 1,
                })),
            )
        });
    }
    let target = height(&seq);
    until("the replica to derive", 60, || async { (safe(&rep) >= target).then_some(()) }).await;

    // L1 drops every block since the snapshot: the batches are gone.
    assert!(env.anvil.revert(snapshot).await.unwrap());
    env.anvil.mine(1).await.unwrap();
    until("the replica to notice the reorg", 60, || async { (sync(&rep, "reorgs") >= 1).then_some(()) })
        .await;
    // The sequencer's batcher posts the blocks again and the replica derives the same chain.
    until("re-derivation", 90, || async {
        (safe(&rep) >= target && sync(&rep, "reorgs") >= 1).then_some(())
    })
    .await;
    same_chain(&seq, &rep, target);
    // The witnesses the replica recorded as it re-derived are of the chain it settled on: the
    // fault-proof program decides every block from them as the replica did.
    let decided = block_in_place(|| every_block_agrees(&replica_config, &rep, "deep reorg"));
    assert!(decided >= target, "{decided} blocks decided");
}
