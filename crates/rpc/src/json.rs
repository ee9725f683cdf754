//! JSON shapes of chain objects.

use pillar_chain::TxLocation;
use pillar_primitives::{
    Address, B256, Block, ChainTx, Header, SignedTransaction, typed_json::TypedTransaction,
};
use serde_json::{Value, json};

pub(crate) fn header(h: &Header) -> Value {
    let mut v = serde_json::to_value(h).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("hash".into(), json!(h.hash()));
    }
    v
}

/// A block entry: a signed transaction, or an L1 queue message (a system transaction).
pub(crate) fn chain_tx(tx: &ChainTx, sender: Option<Address>, loc: Option<TxLocation>) -> Value {
    match tx {
        ChainTx::Signed(t) => transaction(t, t.hash(), sender.or_else(|| t.recover().ok()), loc),
        ChainTx::L1(m) => json!({
            "kind": "l1Message",
            "hash": m.hash(),
            "sender": m.sender,
            "blockHeight": loc.map(|l| l.height),
            "index": loc.map(|l| l.index),
            "message": m,
        }),
    }
}

pub(crate) fn transaction(
    tx: &SignedTransaction,
    hash: B256,
    sender: Option<Address>,
    loc: Option<TxLocation>,
) -> Value {
    json!({
        "kind": "signed",
        "hash": hash,
        "sender": sender,
        "blockHeight": loc.map(|l| l.height),
        "index": loc.map(|l| l.index),
        "chainId": tx.tx.chain_id,
        "nonce": tx.tx.nonce,
        "maxFee": tx.tx.max_fee.to_string(),
        "call": tx.tx.call,
        "typed": TypedTransaction::from_signed(tx),
        "raw": format!("0x{}", hex::encode(tx.encode())),
    })
}

pub(crate) fn block(b: &Block, full: bool) -> Value {
    let mut v = header(&b.header);
    let txs: Vec<Value> = b
        .transactions
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if full {
                chain_tx(t, None, Some(TxLocation { height: b.header.height, index: i as u32 }))
            } else {
                json!(t.hash())
            }
        })
        .collect();
    if let Value::Object(m) = &mut v {
        m.insert("transactions".into(), Value::Array(txs));
    }
    v
}

fn qty(n: impl Into<u128>) -> String {
    format!("0x{:x}", n.into())
}

/// An Ethereum-shaped block: the fields Ethereum tooling reads, filled from our header, and
/// neutral values for what a native runtime does not have (gas, uncles, difficulty).
pub(crate) fn eth_block(b: &Block, full: bool) -> Value {
    let h = &b.header;
    let txs: Vec<Value> = b
        .transactions
        .iter()
        .map(|t| {
            let hash = t.hash();
            if full {
                let (nonce, from) = match t {
                    ChainTx::Signed(s) => (s.tx.nonce, s.recover().ok()),
                    ChainTx::L1(m) => (m.index, Some(m.sender)),
                };
                json!({ "hash": hash, "nonce": qty(nonce), "blockHash": h.hash(), "blockNumber": qty(h.height),
                        "from": from, "input": format!("0x{}", hex::encode(pillar_primitives::codec::encode(t))) })
            } else {
                json!(hash)
            }
        })
        .collect();
    json!({
        "number": qty(h.height),
        "hash": h.hash(),
        "parentHash": h.parent_hash,
        "stateRoot": h.state_root,
        "transactionsRoot": h.tx_root,
        "receiptsRoot": h.receipts_root,
        "timestamp": qty(h.timestamp_ms / 1000),
        "transactions": txs,
        "nonce": "0x0000000000000000",
        "sha3Uncles": "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347",
        "logsBloom": format!("0x{}", "0".repeat(512)),
        "miner": "0x0000000000000000000000000000000000000000",
        "difficulty": "0x0",
        "totalDifficulty": "0x0",
        "extraData": "0x",
        "size": qty(pillar_primitives::codec::encode(b).len() as u64),
        "gasLimit": "0x0",
        "gasUsed": "0x0",
        "baseFeePerGas": "0x0",
        "mixHash": B256::ZERO,
        "uncles": [],
    })
}
