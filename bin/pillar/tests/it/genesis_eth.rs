//! Genesis ETH cannot leave (docs/bridge.md §5.6), against a real anvil: ETH credited at L2
//! genesis has nothing behind it in the Portal, so its withdrawal is refused on L2 (at the door,
//! and with reason 2004 when forced through L1) and burns nothing; once someone deposits X, a
//! withdrawal of X is accepted, moves the bridged-ETH counter and is paid on L1.

use pillar_bridge::Withdraw;
use pillar_l1::{L1Client, Withdrawal, WithdrawalProof};
use pillar_node::BatcherSection;
use pillar_stf::{Address, B256, Call, PrivateKey, Transaction, U256};
use serde_json::{Value, json};
use tokio::task::block_in_place;

use crate::{
    common::{Node, RpcError, eth_balance, start_node},
    settlement::{l1_chain_with, send, until},
};

const CHAIN: u64 = 901;

fn bridged_eth(node: &Node) -> u128 {
    let v = block_in_place(|| node.call("pillar_query", json!(["bridge", "bridgedEth"]))).unwrap();
    v.as_str().unwrap().parse().unwrap()
}

fn nonce(node: &Node, who: Address) -> u64 {
    block_in_place(|| node.call("pillar_getAccount", json!([who]))).unwrap()["nonce"].as_u64().unwrap()
}

fn fee(node: &Node) -> u128 {
    let info = block_in_place(|| node.call("pillar_chainInfo", json!([]))).unwrap();
    info["fees"]["txFee"].as_str().unwrap().parse().unwrap()
}

fn eth_withdrawal(node: &Node, key: &PrivateKey, nonce: u64, amount: u128, to: Address) -> Vec<u8> {
    let call =
        Call::Bridge(pillar_bridge::BridgeCall::Withdraw(Withdraw { asset: 0, amount, l1_recipient: to }));
    key.sign(Transaction { chain_id: CHAIN, nonce, max_fee: fee(node), call }).encode()
}

/// Submits raw transaction bytes and returns the refusal at the door.
fn refused(node: &Node, raw: &[u8]) -> RpcError {
    match block_in_place(|| node.call("pillar_sendTransaction", json!([format!("0x{}", hex::encode(raw))]))) {
        Ok(h) => panic!("the withdrawal was accepted as {h}"),
        Err(e) => e.downcast::<RpcError>().expect("a JSON-RPC error"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn genesis_eth_cannot_leave_until_deposits_back_it() {
    let env = l1_chain_with(4, 600, 3600, BatcherSection { interval_ms: 500, ..Default::default() }, 1).await;
    let node = block_in_place(|| start_node(&env.config));
    // Funded at L2 genesis (and on anvil, so it can also act on L1).
    let holder = &env.keys[1];
    let depositor = &env.keys[2];
    let l1_recipient = Address::repeat_byte(0x5e);
    let l1 = L1Client::connect(env.anvil.endpoint(), &holder.to_hex(), env.addresses).unwrap();
    let fee = fee(&node);
    assert_eq!(bridged_eth(&node), 0, "genesis writes no bridged ETH");
    let start = block_in_place(|| eth_balance(&node, &holder.address().to_string()));
    assert!(start > 10u128.pow(18));

    // 1. At the door: refused with its own kind and the bridge's code; no nonce, no fee, no burn.
    let e = refused(&node, &eth_withdrawal(&node, holder, 0, 10u128.pow(18), l1_recipient));
    assert_eq!(e.code, -38021, "{e}");
    assert_eq!(e.data["kind"], "withdrawal_unbacked", "{e}");
    assert!(e.message.contains("2004") && e.message.contains("genesis"), "{}", e.message);
    assert_eq!(nonce(&node, holder.address()), 0);

    // 2. Forced through the L1 Portal, it must be included: the call fails with 2004, the fee is
    //    paid and the amount is not burned; no withdrawal leaf exists.
    let forced = eth_withdrawal(&node, holder, 0, 10u128.pow(18), l1_recipient);
    let hash = pillar_stf::SignedTransaction::decode(&forced).unwrap().hash();
    l1.force_transaction(forced.into()).await.unwrap();
    let r = until("the forced withdrawal's receipt", 60, || async {
        let r = block_in_place(|| node.call("pillar_getReceipt", json!([hash]))).ok()?;
        (!r.is_null()).then_some(r)
    })
    .await;
    assert_eq!(r["status"], "failed", "{r}");
    assert_eq!(r["code"], 2004, "{r}");
    assert_eq!(r["feePaid"], json!(fee.to_string()));
    assert!(r["events"].as_array().unwrap().iter().all(|e| e["type"] != "withdrawalInitiated"), "{r}");
    let after_forced = block_in_place(|| eth_balance(&node, &holder.address().to_string()));
    assert_eq!(after_forced, start - fee, "only the fee left the holder");
    let count = block_in_place(|| node.call("pillar_query", json!(["bridge", "withdrawalCount"]))).unwrap();
    assert_eq!(count, 0);

    // 3. Someone deposits X through the Portal: the counter follows.
    let x: u128 = 3 * 10u128.pow(17);
    let l1_depositor = L1Client::connect(env.anvil.endpoint(), &depositor.to_hex(), env.addresses).unwrap();
    l1_depositor.deposit_eth(depositor.address(), U256::from(x)).await.unwrap();
    until("the deposit on L2", 60, || async { (bridged_eth(&node) == x).then_some(()) }).await;

    // 4. Above X: still refused. Exactly X: accepted (ETH is fungible on L2; the counter is the
    //    chain's), the counter drops to zero and the next wei is refused again.
    let e = refused(&node, &eth_withdrawal(&node, holder, 1, x + 1, l1_recipient));
    assert_eq!(e.data["kind"], "withdrawal_unbacked", "{e}");
    let r = block_in_place(|| {
        send(
            &node,
            holder,
            Call::Bridge(pillar_bridge::BridgeCall::Withdraw(Withdraw { asset: 0, amount: x, l1_recipient })),
        )
    });
    assert_eq!(r["status"], "success", "{r}");
    assert_eq!(bridged_eth(&node), 0);
    assert_eq!(block_in_place(|| eth_balance(&node, &holder.address().to_string())), after_forced - fee - x);
    let e = refused(&node, &eth_withdrawal(&node, holder, 2, 1, l1_recipient));
    assert_eq!(e.data["kind"], "withdrawal_unbacked", "{e}");

    // 5. The withdrawal is paid on L1 from the deposited ETH.
    let ev: Value =
        r["events"].as_array().unwrap().iter().find(|e| e["type"] == "withdrawalInitiated").unwrap().clone();
    let withdrawal = Withdrawal {
        l2_block: ev["l2Block"].as_u64().unwrap(),
        index: ev["index"].as_u64().unwrap() as u32,
        l2_sender: holder.address(),
        l1_recipient,
        token: Address::ZERO,
        amount: U256::from(x),
    };
    assert_eq!(withdrawal.index, 0, "the refused withdrawals left no leaf");
    let (o_index, o_block) = until("a finalized output covering the withdrawal", 90, || async {
        let n = l1.output_count().await.ok()?;
        for i in (0..n).rev() {
            let o = l1.output(i).await.ok()?;
            if o.l2_block >= withdrawal.l2_block && l1.is_finalized(i).await.ok()? {
                return Some((i, o.l2_block));
            }
        }
        None
    })
    .await;
    let header = block_in_place(|| node.call("pillar_getBlockByNumber", json!([o_block]))).unwrap();
    let p = block_in_place(|| {
        node.call("pillar_query", json!(["bridge", "withdrawalProof", { "index": 0, "leafCount": 1 }]))
    })
    .unwrap();
    assert_eq!(p["root"], header["withdrawalsRoot"]);
    let proof = WithdrawalProof {
        leaf_index: 0,
        leaf_count: 1,
        siblings: serde_json::from_value(p["siblings"].clone()).unwrap(),
    };
    let state_root: B256 = serde_json::from_value(header["stateRoot"].clone()).unwrap();
    let block_hash: B256 = serde_json::from_value(header["hash"].clone()).unwrap();
    assert_eq!(l1.eth_balance(l1.addresses().portal).await.unwrap(), U256::from(x));
    let preimage = block_in_place(|| node.call("pillar_getOutputPreimage", json!([o_block]))).unwrap();
    assert_eq!(preimage["blockHash"], header["hash"]);
    let cursor = serde_json::from_value(preimage["cursor"].clone()).unwrap();
    l1.finalize_withdrawal(&withdrawal, o_index, state_root, block_hash, cursor, &proof).await.unwrap();
    assert_eq!(l1.eth_balance(l1_recipient).await.unwrap(), U256::from(x));
    assert_eq!(l1.eth_balance(l1.addresses().portal).await.unwrap(), U256::ZERO);
}
