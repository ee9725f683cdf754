//! Outsiders on L1 against settlement (issue 14), on a real anvil with the real contracts:
//! garbage batches (calldata and blobs) through the escape hatch, a flood of forced transactions, and L1 reorgs under
//! in-flight deposits and withdrawals. In each, the sequencer and a replica must end on the same
//! safe head, with every deposit credited exactly once. Past garbage and a flood, the fault-proof
//! program must also decide every block the replica derived as the replica did (`pillar fp run` on
//! its recorded witnesses; the reorg story's outputs finalize within seconds, so its witnesses are
//! gone by the end: replica.rs decides every block after a deep reorg instead).

use alloy::eips::eip4844::{Blob, BlobTransactionSidecar, env_settings::EnvKzgSettings};
use alloy::primitives::Bytes;
use pillar_assets::Transfer;
use pillar_bridge::Withdraw;
use pillar_l1::{DerivationCursor, L1Client, Withdrawal, WithdrawalProof};
use pillar_node::BatcherSection;
use pillar_stf::{Address, B256, Call, Transaction, U256};
use serde_json::json;

use crate::common::{Node, start_node, wait_receipt};
use crate::fault_proofs::every_block_agrees;
use crate::replica::{block_in_place, eth, height, http_status, info, replica, safe, same_chain, sync};
use crate::settlement::{l1_chain_with, send, until};

/// Waits until the sequencer has nothing unsettled (safe = head) and the replica derived the
/// same safe head, then checks both chains block by block.
async fn settled_together(seq: &Node, rep: &Node, secs: u64) -> u64 {
    let head = until("the sequencer and the replica to settle on one safe head", secs, || async {
        let (h, s, r) = (height(seq), safe(seq), safe(rep));
        (h > 0 && s == h && r == s).then_some(h)
    })
    .await;
    same_chain(seq, rep, head);
    head
}

/// ETH balance on L2 as a number.
fn eth_of(node: &Node, who: Address) -> u128 {
    eth(node, who).as_str().unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_garbage_batch_through_the_escape_hatch_stalls_nothing() {
    let env = l1_chain_with(600, 600, 6, BatcherSection { interval_ms: 300, ..Default::default() }, 1).await;
    let seq = block_in_place(|| start_node(&env.config));
    let rep = replica(&env, "replica", &["--record-witnesses"]);
    let k = &env.keys;
    send(
        &seq,
        &k[0],
        Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
            to: k[1].address(),
            asset: 0,
            amount: 1,
        })),
    );
    settled_together(&seq, &rep, 60).await;

    // The chain idles until the escape hatch opens; then an outsider appends garbage that claims
    // the next block up to 2^64-1, and more garbage claiming a low block.
    let anyone = L1Client::connect(env.anvil.endpoint(), env.anvil.dev_key(7), env.addresses).unwrap();
    let next = height(&seq) + 1;
    until("the escape hatch to open", 60, || async {
        let (prev, _) = anyone.batch_head().await.ok()?;
        anyone.append_calldata_batch(next, u64::MAX, prev, Bytes::from_static(&[0xde, 0xad])).await.ok()
    })
    .await;
    let (prev, _) = anyone.batch_head().await.unwrap();
    anyone.append_calldata_batch(1, 1, prev, Bytes::from_static(&[0xde, 0xad])).await.unwrap();
    // And a blob that is the batch's own but encodes no payload: every node reads the same bytes,
    // so it is skipped, not read again forever.
    let (prev, _) = anyone.batch_head().await.unwrap();
    let sidecar = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(|| {
            BlobTransactionSidecar::try_from_blobs_with_settings(
                vec![Blob::ZERO],
                EnvKzgSettings::Default.get(),
            )
            .unwrap()
        })
        .unwrap()
        .join()
        .unwrap();
    let call = anyone.rollup().appendBlobBatch(next, next, prev).sidecar(sidecar);
    assert!(call.send().await.unwrap().get_receipt().await.unwrap().status());

    // Settlement goes on: new blocks are posted, derived by the replica and proposed.
    for i in 0..3 {
        send(
            &seq,
            &k[0],
            Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
                to: k[1].address(),
                asset: 0,
                amount: 10 + i,
            })),
        );
    }
    let head = settled_together(&seq, &rep, 90).await;
    assert!(head >= next + 2, "blocks after the garbage settled: head {head}");
    until("the replica to have skipped the three garbage batches", 30, || async {
        (sync(&rep, "batchesSkipped") >= 3).then_some(())
    })
    .await;
    until("an output for a block after the garbage, checked by the replica", 60, || async {
        let outputs = anyone.output_count().await.ok()?;
        let last = anyone.output(outputs.checked_sub(1)?).await.ok()?;
        (last.l2_block >= next && sync(&rep, "outputsChecked") >= outputs).then_some(())
    })
    .await;
    assert_eq!(sync(&rep, "outputFaults"), 0, "every output the sequencer proposed is derived");
    assert_eq!(info(&rep)["sync"]["diverged"], false);
    assert_eq!(http_status(&seq, "/health"), 200);
    assert_eq!(http_status(&rep, "/health"), 200);
    block_in_place(|| every_block_agrees(&env.config, &rep, "garbage batches"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_forced_transactions_is_spread_over_blocks_that_each_fit_a_batch() {
    // Calldata batches (120 KiB): the flood below is 160 KiB of queue messages.
    let batcher = BatcherSection { interval_ms: 300, mode: "calldata".into(), ..Default::default() };
    let env = l1_chain_with(600, 600, 3600, batcher, 1).await;
    let attacker = L1Client::connect(env.anvil.endpoint(), env.anvil.dev_key(8), env.addresses).unwrap();
    let user = &env.keys[2];

    // While the sequencer is down: 40 forced transactions of 4,096 bytes each in a couple of L1
    // blocks (sent without waiting for each receipt), then one real forced transfer.
    let from = env.anvil.dev_address(8);
    let provider = attacker.provider().clone();
    let mut nonce = alloy::providers::Provider::get_transaction_count(&provider, from).await.unwrap();
    let mut pending = Vec::new();
    for i in 0..40u8 {
        let junk = Bytes::from(vec![i; 4096]);
        let call = attacker.portal().forceTransaction(junk).nonce(nonce).gas(2_000_000);
        pending.push(call.send().await.unwrap());
        nonce += 1;
    }
    for p in pending {
        assert!(p.get_receipt().await.unwrap().status());
    }
    let to = Address::repeat_byte(0x77);
    let forced = user.sign(Transaction {
        chain_id: 901,
        nonce: 0,
        max_fee: 10_000_000_000_000,
        call: Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer { to, asset: 0, amount: 4242 })),
    });
    let forced_hash = format!("{}", forced.clone().verify().unwrap().hash);
    attacker.force_transaction(forced.encode().into()).await.unwrap();

    let seq = block_in_place(|| start_node(&env.config));
    let rep = replica(&env, "replica", &["--record-witnesses"]);
    let receipt = block_in_place(|| wait_receipt(&seq, &forced_hash));
    assert_eq!(receipt["status"], "success", "{receipt}");
    let head = settled_together(&seq, &rep, 120).await;
    assert_eq!(eth_of(&rep, to), 4242);

    // The 41 messages went into several blocks, none over the per-block cap of L1 bytes.
    let mut carrying = 0;
    let mut consumed = 0;
    for h in 1..=head {
        let b = block_in_place(|| seq.call("pillar_getBlockByNumber", json!([h, true])).unwrap());
        let l1: Vec<_> =
            b["transactions"].as_array().unwrap().iter().filter(|t| t["kind"] == "l1Message").collect();
        if !l1.is_empty() {
            carrying += 1;
            consumed += l1.len();
            assert!(l1.len() <= 16, "block {h} carries {} queue messages of 4 KiB", l1.len());
        }
    }
    assert_eq!(consumed, 41, "every queue message consumed exactly once");
    assert!(carrying >= 3, "the flood needs at least three blocks, got {carrying}");
    assert_eq!(sync(&rep, "batchesSkipped"), 0);
    assert_eq!(http_status(&seq, "/health"), 200);
    block_in_place(|| every_block_agrees(&env.config, &rep, "forced flood"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reorgs_under_inflight_deposits_and_withdrawals_leave_one_chain() {
    // Outputs finalize 8 s after their proposal, so the withdrawals can be paid at the end.
    let env = l1_chain_with(8, 600, 3600, BatcherSection { interval_ms: 300, ..Default::default() }, 1).await;
    let seq = block_in_place(|| start_node(&env.config));
    let rep = replica(&env, "replica", &[]);
    let k = &env.keys;
    let depositor = L1Client::connect(env.anvil.endpoint(), &k[3].to_hex(), env.addresses).unwrap();
    let mut withdrawals = Vec::new();
    let mut recipients = Vec::new();
    for (round, depth) in [1u64, 2, 8].into_iter().enumerate() {
        // A deposit to a fresh address, seen and credited by the sequencer (soft), and a
        // withdrawal on L2; then L1 reorganises `depth` blocks, which may take the deposit (and
        // batches) with it.
        let lost_to = Address::repeat_byte(0x10 + round as u8);
        depositor.deposit_eth(lost_to, U256::from(1_000 + round as u64)).await.unwrap();
        until("the sequencer to credit the deposit", 30, || async {
            (eth_of(&seq, lost_to) > 0).then_some(())
        })
        .await;
        let r = send(
            &seq,
            &k[1],
            Call::Bridge(pillar_bridge::BridgeCall::Withdraw(Withdraw {
                asset: 0,
                amount: 77,
                l1_recipient: k[1].address(),
            })),
        );
        withdrawals.push(r["txHash"].as_str().unwrap().to_string());
        env.anvil.reorg(depth).await.unwrap();
        // A different deposit, which takes the lost one's queue index if the reorg removed it.
        let other = Address::repeat_byte(0x20 + round as u8);
        depositor.deposit_eth(other, U256::from(5_000 + round as u64)).await.unwrap();
        recipients.push(lost_to);
        recipients.push(other);
        until("the replacement deposit on L2", 60, || async { (eth_of(&seq, other) > 0).then_some(()) })
            .await;
    }
    settled_together(&seq, &rep, 120).await;

    // Every deposit L1 holds now is credited exactly once, on both nodes, and no other.
    let l1_head = depositor.block_number().await.unwrap();
    let queue = depositor.queue_messages(env.deployed_at_block, l1_head).await.unwrap();
    for who in recipients {
        let on_l1: u128 = queue
            .iter()
            .filter_map(|m| m.eth_deposit())
            .filter(|(recipient, _)| *recipient == who)
            .map(|(_, amount)| amount.to::<u128>())
            .sum();
        assert_eq!(eth_of(&seq, who), on_l1, "sequencer credit of {who}");
        assert_eq!(eth_of(&rep, who), on_l1, "replica credit of {who}");
    }
    // Every withdrawal the sequencer acknowledged is in the settled chain, and L1 pays each once.
    let mut paid = Vec::new();
    for hash in withdrawals {
        let r = block_in_place(|| rep.call("pillar_getReceipt", json!([hash])).unwrap());
        assert_eq!(r["status"], "success", "{r}");
        let ev = r["events"].as_array().unwrap().iter().find(|e| e["type"] == "withdrawalInitiated").unwrap();
        paid.push(Withdrawal {
            l2_block: ev["l2Block"].as_u64().unwrap(),
            index: ev["index"].as_u64().unwrap() as u32,
            l2_sender: k[1].address(),
            l1_recipient: k[1].address(),
            token: Address::ZERO,
            amount: U256::from(77u64),
        });
    }
    // An output of the settled chain that covers them and is final.
    let last_withdrawal = paid.iter().map(|w| w.l2_block).max().unwrap();
    send(
        &seq,
        &k[0],
        Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
            to: k[2].address(),
            asset: 0,
            amount: 1,
        })),
    );
    let head = settled_together(&seq, &rep, 60).await;
    assert!(head > last_withdrawal);
    // The replica's own view of each block's output: its root, and the preimage a withdrawal
    // proves against (the root commits to where derivation found the block).
    let root_at = |h: u64| {
        let p = block_in_place(|| rep.call("pillar_getOutputPreimage", json!([h])).unwrap());
        let state_root: B256 = serde_json::from_value(p["stateRoot"].clone()).unwrap();
        let withdrawals_root: B256 = serde_json::from_value(p["withdrawalsRoot"].clone()).unwrap();
        let block_hash: B256 = serde_json::from_value(p["blockHash"].clone()).unwrap();
        let cursor: DerivationCursor = serde_json::from_value(p["cursor"].clone()).unwrap();
        let root = pillar_stf::output_root(state_root, withdrawals_root, block_hash, &cursor);
        assert_eq!(serde_json::from_value::<B256>(p["outputRoot"].clone()).unwrap(), root);
        (root, state_root, block_hash, cursor)
    };
    let (output, state_root, block_hash, cursor) =
        until("a finalized output of the settled chain", 90, || async {
            let n = depositor.output_count().await.ok()?;
            for i in (0..n).rev() {
                let o = depositor.output(i).await.ok()?;
                if o.l2_block < last_withdrawal {
                    continue;
                }
                let (root, state_root, block_hash, cursor) = root_at(o.l2_block);
                if o.output_root == root && depositor.is_finalized(i).await.ok()? {
                    return Some((i, state_root, block_hash, cursor));
                }
            }
            None
        })
        .await;
    // Proposals are anchored to the L1 block they were derived from, so none made before a reorg
    // landed after it: every output on L1 is the settled chain's, and the replica saw no fault.
    for i in 0..depositor.output_count().await.unwrap() {
        let o = depositor.output(i).await.unwrap();
        assert_eq!(
            o.output_root,
            root_at(o.l2_block).0,
            "output {i} (block {}) is the settled chain's",
            o.l2_block
        );
    }
    assert_eq!(sync(&rep, "outputFaults"), 0);
    let count = block_in_place(|| rep.call("pillar_query", json!(["bridge", "withdrawalCount"])).unwrap())
        .as_u64()
        .unwrap();
    let before = depositor.eth_balance(k[1].address()).await.unwrap();
    for w in &paid {
        let p = block_in_place(|| {
            rep.call(
                "pillar_query",
                json!(["bridge", "withdrawalProof", { "index": w.index, "leafCount": count }]),
            )
            .unwrap()
        });
        let proof = WithdrawalProof {
            leaf_index: u64::from(w.index),
            leaf_count: count,
            siblings: serde_json::from_value(p["siblings"].clone()).unwrap(),
        };
        depositor.finalize_withdrawal(w, output, state_root, block_hash, cursor, &proof).await.unwrap();
        let again = depositor.finalize_withdrawal(w, output, state_root, block_hash, cursor, &proof).await;
        assert!(again.is_err(), "withdrawal {} paid twice", w.index);
    }
    let after = depositor.eth_balance(k[1].address()).await.unwrap();
    assert_eq!(after - before, U256::from(77u64 * paid.len() as u64), "each withdrawal paid exactly once");
}
