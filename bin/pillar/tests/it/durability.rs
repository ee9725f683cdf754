//! Crash safety: load, SIGKILL, restart; every acknowledged receipt survives unchanged.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use pillar_assets::Transfer;
use pillar_stf::{Call, PrivateKey, Transaction};
use serde_json::{Value, json};

use crate::common::{call, init_chain, start_node, wait_receipt};

/// Sends batches of transfers from `key` until `stop`, recording every receipt the node hands out.
fn load(
    url: String,
    key: PrivateKey,
    chain_id: u64,
    fee: u128,
    stop: Arc<AtomicBool>,
    acked: Arc<Mutex<HashMap<String, Value>>>,
) {
    let to = PrivateKey::from_bytes([0x42; 32]).unwrap().address();
    let mut nonce = 0u64;
    while !stop.load(Ordering::SeqCst) {
        let txs: Vec<Value> = (0..20)
            .map(|i| {
                let stx = key.sign(Transaction {
                    chain_id,
                    nonce: nonce + i,
                    max_fee: fee,
                    call: Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
                        to,
                        asset: 0,
                        amount: 1 + i as u128,
                    })),
                });
                json!(format!("0x{}", hex::encode(stx.encode())))
            })
            .collect();
        let Ok(results) = call(&url, "pillar_sendTransactions", json!([txs])) else { return };
        let hashes: Vec<String> =
            results.as_array().unwrap().iter().filter_map(|r| r["hash"].as_str().map(String::from)).collect();
        nonce += hashes.len() as u64;
        for h in hashes {
            // Poll until the receipt is handed out (that is the acknowledgement) or the node dies.
            loop {
                match call(&url, "pillar_getReceipt", json!([h])) {
                    Ok(r) if !r.is_null() => {
                        acked.lock().unwrap().insert(h.clone(), r);
                        break;
                    }
                    Ok(_) => std::thread::sleep(Duration::from_millis(2)),
                    Err(_) => return,
                }
            }
        }
    }
}

#[test]
fn sigkill_under_load_loses_no_acknowledged_receipt() {
    let dir = tempfile::tempdir().unwrap();
    let (config, keys) = init_chain(dir.path(), 10);
    let node = start_node(&config);
    let info = node.call("pillar_chainInfo", json!([])).unwrap();
    let chain_id = info["chainId"].as_u64().unwrap();
    let fee: u128 = info["fees"]["txFee"].as_str().unwrap().parse().unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(Mutex::new(HashMap::new()));
    let workers: Vec<_> = keys
        .iter()
        .map(|k| {
            let (url, k, stop, acked) = (node.url.clone(), k.clone(), stop.clone(), acked.clone());
            std::thread::spawn(move || load(url, k, chain_id, fee, stop, acked))
        })
        .collect();
    let started = Instant::now();
    while acked.lock().unwrap().len() < 300 && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
    }
    // Kill while the load is still running.
    let config = node.kill9();
    stop.store(true, Ordering::SeqCst);
    for w in workers {
        w.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 300, "only {} receipts before the kill", acked.len());

    let node = start_node(&config);
    let max_height = acked.values().map(|r| r["blockHeight"].as_u64().unwrap()).max().unwrap();
    let head = node.call("pillar_chainInfo", json!([])).unwrap()["head"].clone();
    assert!(head["height"].as_u64().unwrap() >= max_height, "head went backwards: {head} < {max_height}");
    for (hash, receipt) in &acked {
        let now = node.call("pillar_getReceipt", json!([hash])).unwrap();
        assert_eq!(&now, receipt, "receipt of {hash} changed or vanished after SIGKILL");
    }
    // State agrees with the ledger head, and the chain goes on.
    let block = node.call("pillar_getBlockByNumber", json!(["latest"])).unwrap();
    assert_eq!(block["stateRoot"], head["stateRoot"]);
    let nonce =
        node.call("pillar_getAccount", json!([keys[0].address()])).unwrap()["nonce"].as_u64().unwrap();
    let stx = keys[0].sign(Transaction {
        chain_id,
        nonce,
        max_fee: fee,
        call: Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
            to: keys[1].address(),
            asset: 0,
            amount: 5,
        })),
    });
    let hash =
        node.call("pillar_sendTransaction", json!([format!("0x{}", hex::encode(stx.encode()))])).unwrap();
    assert_eq!(wait_receipt(&node, hash.as_str().unwrap())["status"], "success");

    // A clean restart resumes at the same head with the same root.
    let before = node.call("pillar_chainInfo", json!([])).unwrap()["head"].clone();
    let config = node.stop();
    let node = start_node(&config);
    let after = node.call("pillar_chainInfo", json!([])).unwrap()["head"].clone();
    assert_eq!(before, after);
}
