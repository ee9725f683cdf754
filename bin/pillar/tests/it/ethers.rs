//! A transfer signed by ethers v6 (`Wallet.signTypedData`), submitted over HTTP and over
//! WebSocket with a receipt subscription.

use std::process::Command;

use crate::common::{eth_balance, init_chain, npm_ready, repo_root, start_node};

fn run_js(url: &str, key: &str, to: &str, amount: u128, mode: &str) -> serde_json::Value {
    let out = Command::new("node")
        .arg(repo_root().join("tests/js/transfer.mjs"))
        .args(["--rpc", url, "--key", key, "--to", to, "--amount", &amount.to_string(), "--mode", mode])
        .output()
        .expect("node must be installed");
    assert!(
        out.status.success(),
        "transfer.mjs ({mode}) failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("transfer.mjs prints JSON")
}

#[test]
fn ethers_signed_transfer_over_http_and_ws() {
    npm_ready();
    let dir = tempfile::tempdir().unwrap();
    let (config, keys) = init_chain(dir.path(), 20);
    let node = start_node(&config);
    // keys[0] receives fees; send from another key so the fee shows in the balance.
    let from = keys[1].address().to_string();
    let to = keys[2].address().to_string();
    let fee: u128 = node.call("pillar_chainInfo", serde_json::json!([])).unwrap()["fees"]["txFee"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();

    let (from0, to0) = (eth_balance(&node, &from), eth_balance(&node, &to));
    let http = run_js(&node.url, &keys[1].to_hex(), &to, 1_234_567, "http");
    assert_eq!(http["ok"], true);
    assert_eq!(http["signer"].as_str().unwrap().to_lowercase(), from.to_lowercase());
    // Checked here too, independently of the script.
    assert_eq!(eth_balance(&node, &to), to0 + 1_234_567);
    assert_eq!(eth_balance(&node, &from), from0 - 1_234_567 - fee);

    let ws = run_js(&node.url, &keys[1].to_hex(), &to, 7, "ws");
    assert_eq!(ws["ok"], true);
    assert_eq!(eth_balance(&node, &to), to0 + 1_234_567 + 7);
    assert_eq!(eth_balance(&node, &from), from0 - 1_234_567 - 7 - 2 * fee);

    // The transaction is readable back with the signer ethers used.
    let tx = node.call("pillar_getTransaction", serde_json::json!([ws["hash"]])).unwrap();
    assert_eq!(tx["sender"].as_str().unwrap().to_lowercase(), from.to_lowercase());
    assert_eq!(tx["typed"]["primaryType"], "Transfer");
}
