//! Bad input over JSON-RPC: each case gets a clear error with a stable code, and the node keeps
//! serving.

use pillar_assets::Transfer;
use pillar_stf::{Call, PrivateKey, SignedTransaction, Transaction, typed_json::TypedTransaction};
use serde_json::{Value, json};

use crate::common::{Node, init_chain, post, start_node, wait_receipt};

fn raw(stx: &SignedTransaction) -> Value {
    json!(format!("0x{}", hex::encode(stx.encode())))
}

/// The JSON-RPC error for a request body, as (code, message, kind).
fn error_of(node: &Node, body: &str) -> (i64, String, String) {
    let (_, resp) = post(&node.url, body.as_bytes()).expect("post");
    let v: Value = serde_json::from_slice(&resp)
        .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&resp)));
    let e = &v["error"];
    assert!(!e.is_null(), "expected an error for {body}, got {v}");
    (
        e["code"].as_i64().unwrap(),
        e["message"].as_str().unwrap_or("").to_string(),
        e["data"]["kind"].as_str().unwrap_or("").to_string(),
    )
}

fn send_error(node: &Node, tx: Value) -> (i64, String, String) {
    let body = json!({ "jsonrpc": "2.0", "id": 1, "method": "pillar_sendTransaction", "params": [tx] });
    error_of(node, &body.to_string())
}

#[test]
fn bad_input_gets_clear_errors_and_the_node_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let (config, keys) = init_chain(dir.path(), 10);
    let node = start_node(&config);
    let info = node.call("pillar_chainInfo", json!([])).unwrap();
    let chain_id = info["chainId"].as_u64().unwrap();
    let fee: u128 = info["fees"]["txFee"].as_str().unwrap().parse().unwrap();
    let k = &keys[0];
    let to = keys[1].address();
    let tx = |nonce: u64, call: Call| Transaction { chain_id, nonce, max_fee: fee, call };
    let transfer = |nonce, asset, amount| {
        tx(nonce, Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer { to, asset, amount })))
    };

    // Garbage and malformed JSON-RPC.
    assert_eq!(error_of(&node, "{garbage").0, -32700);
    assert_eq!(error_of(&node, "[]").0, -32600);
    assert_eq!(error_of(&node, r#"{"jsonrpc":"2.0","id":1,"method":"nope","params":[]}"#).0, -32601);
    // Wrong parameter types.
    assert_eq!(
        error_of(&node, r#"{"jsonrpc":"2.0","id":1,"method":"pillar_getAccount","params":[123]}"#).0,
        -32602
    );
    assert_eq!(
        error_of(&node, r#"{"jsonrpc":"2.0","id":1,"method":"pillar_getAccount","params":["0x12"]}"#).0,
        -32602
    );
    assert_eq!(
        error_of(&node, r#"{"jsonrpc":"2.0","id":1,"method":"pillar_getBlockByNumber","params":["soon"]}"#).0,
        -32602
    );
    assert_eq!(send_error(&node, json!(42)).2, "malformed");

    // Oversize body: refused by the HTTP layer before parsing.
    let huge = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"pillar_chainInfo","params":["{}"]}}"#,
        "a".repeat(17 * 1024 * 1024)
    );
    let (status, _) = post(&node.url, huge.as_bytes()).expect("post");
    assert_eq!(status, 413, "oversize request body");
    // Oversize transaction.
    assert_eq!(send_error(&node, json!(format!("0x{}", "00".repeat(5000)))).2, "oversize");
    // Too many requests in one batch.
    let batch: Vec<Value> =
        (0..1001).map(|i| json!({"jsonrpc":"2.0","id":i,"method":"eth_chainId","params":[]})).collect();
    let (_, resp) = post(&node.url, serde_json::to_string(&batch).unwrap().as_bytes()).unwrap();
    let v: Value = serde_json::from_slice(&resp).unwrap();
    assert!(v.to_string().contains("error"), "an over-long batch is refused: {v}");

    // Bad signature: a flipped byte of r, and an impossible v.
    let mut bad = k.sign(transfer(0, 0, 1));
    bad.signature.r.0[5] ^= 0xff;
    let (code, _, kind) = send_error(&node, raw(&bad));
    // A corrupted r either fails recovery or recovers a stranger with no funds.
    assert!(kind == "bad_signature" || kind == "insufficient_balance", "{code} {kind}");
    let mut bad = k.sign(transfer(0, 0, 1));
    bad.signature.v = 31;
    assert_eq!(
        send_error(&node, raw(&bad)),
        (-38002, "bad signature: signature v must be 27 or 28, got 31".into(), "bad_signature".into())
    );
    // Wrong chain id.
    let mut other = transfer(0, 0, 1);
    other.chain_id = chain_id + 1;
    let (code, msg, _) = send_error(&node, raw(&k.sign(other)));
    assert_eq!(code, -38003);
    assert!(msg.contains("wrong chain id"), "{msg}");
    // Nonce gap.
    assert_eq!(send_error(&node, raw(&k.sign(transfer(500, 0, 1)))).2, "nonce_gap_too_large");
    // Unknown asset.
    assert_eq!(send_error(&node, raw(&k.sign(transfer(0, 999, 1)))).0, -38016);
    // Insufficient balance.
    assert_eq!(send_error(&node, raw(&k.sign(transfer(0, 0, u128::MAX)))).2, "insufficient_balance");
    // Overflowing amount in the typed form: 2^128.
    let mut typed = serde_json::to_value(TypedTransaction::from_signed(&k.sign(transfer(0, 0, 1)))).unwrap();
    typed["message"]["amount"] = json!("340282366920938463463374607431768211456");
    let (code, msg, _) = send_error(&node, typed.clone());
    assert_eq!(code, -38001);
    assert!(msg.contains("u128"), "{msg}");
    // Unknown call kind.
    typed["primaryType"] = json!("Teleport");
    assert_eq!(send_error(&node, typed).2, "unknown_call");
    // A stranger with no funds cannot pay the fee.
    let stranger = PrivateKey::from_bytes([0x77; 32]).unwrap();
    assert_eq!(send_error(&node, raw(&stranger.sign(transfer(0, 0, 1)))).2, "insufficient_balance");

    // Replays: pending duplicate, then after inclusion.
    let good = k.sign(transfer(0, 0, 10));
    let hash = node.call("pillar_sendTransaction", json!([raw(&good)])).unwrap();
    let dup = send_error(&node, raw(&good));
    assert!(dup.2 == "already_known" || dup.2 == "nonce_too_low", "{dup:?}");
    assert_eq!(wait_receipt(&node, hash.as_str().unwrap())["status"], "success");
    assert_eq!(send_error(&node, raw(&good)).2, "nonce_too_low");

    // A call that fails on chain gets a receipt with a stable code: minting without the role.
    let mint = keys[1].sign(tx(
        0,
        Call::Assets(pillar_assets::AssetsCall::Mint(pillar_assets::Mint { asset: 1, to, amount: 5 })),
    ));
    let hash = node.call("pillar_sendTransaction", json!([raw(&mint)])).unwrap();
    let r = wait_receipt(&node, hash.as_str().unwrap());
    assert_eq!(r["status"], "failed");
    assert_eq!(r["code"], 1003);

    // Still serving, and the chain still moves.
    assert_eq!(node.call("eth_chainId", json!([])).unwrap(), json!(format!("0x{chain_id:x}")));
    let ok = k.sign(transfer(1, 0, 10));
    let hash = node.call("pillar_sendTransaction", json!([raw(&ok)])).unwrap();
    assert_eq!(wait_receipt(&node, hash.as_str().unwrap())["status"], "success");
}

#[test]
fn ethereum_read_subset() {
    let dir = tempfile::tempdir().unwrap();
    let (config, keys) = init_chain(dir.path(), 10);
    let node = start_node(&config);
    let chain_id = node.call("pillar_chainInfo", json!([])).unwrap()["chainId"].as_u64().unwrap();
    assert_eq!(node.call("net_version", json!([])).unwrap(), json!(chain_id.to_string()));
    let bal = node.call("eth_getBalance", json!([keys[0].address(), "latest"])).unwrap();
    assert_eq!(bal, json!(format!("0x{:x}", 1000u128 * 10u128.pow(18))));
    let block = node.call("eth_getBlockByNumber", json!(["latest", false])).unwrap();
    let ours = node.call("pillar_getBlockByNumber", json!(["latest"])).unwrap();
    assert_eq!(block["hash"], ours["hash"]);
    assert_eq!(block["stateRoot"], ours["stateRoot"]);
    assert_eq!(block["parentHash"], ours["parentHash"]);
    assert_eq!(node.call("eth_blockNumber", json!([])).unwrap(), block["number"]);
    assert_eq!(node.call("eth_getBlockByNumber", json!(["0x99999", false])).unwrap(), Value::Null);
}
