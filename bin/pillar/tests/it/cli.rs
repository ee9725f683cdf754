//! The CLI as a person uses it: keys, init, tx.

use std::process::Command;

use serde_json::{Value, json};

use crate::common::{eth_balance, init_chain, start_node};

fn pillar(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_pillar"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("run pillar")
}

#[test]
fn keys_new_gives_a_usable_key() {
    let out = pillar(&["keys", "new", "--json"]);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let key = pillar_stf::PrivateKey::from_hex(v["privateKey"].as_str().unwrap()).unwrap();
    assert_eq!(json!(key.address()), v["address"]);
    let again: Value = serde_json::from_slice(&pillar(&["keys", "new", "--json"]).stdout).unwrap();
    assert_ne!(again["address"], v["address"], "keys are random");
}

#[test]
fn test_hooks_need_the_explicit_opt_in() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    assert!(pillar(&["init", "--preset", "basic", "--dir", d]).status.success());
    let config = dir.path().join("chain.toml");
    let victim = format!("{:#x}", pillar_stf::Address::repeat_byte(7));
    let out = Command::new(env!("CARGO_BIN_EXE_pillar"))
        .args(["node", "--config", config.to_str().unwrap(), "--test-censor", &victim])
        .env_remove(pillar_node::TEST_HOOKS_ENV)
        .output()
        .expect("run pillar");
    assert!(!out.status.success(), "a censoring node started without the opt-in");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(pillar_node::TEST_HOOKS_ENV), "{stderr}");
}

#[test]
fn schema_lists_a_presets_calls_and_every_module_with_all() {
    let out = pillar(&["schema", "--preset", "game", "--chain-id", "77"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["eip712Domain"]["chainId"], 77);
    let modules: Vec<&str> =
        v["calls"].as_array().unwrap().iter().map(|c| c["module"].as_str().unwrap()).collect();
    assert!(modules.contains(&"items") && modules.contains(&"sessions") && !modules.contains(&"compliance"));
    let all: Value = serde_json::from_slice(&pillar(&["schema", "--all"]).stdout).unwrap();
    assert_eq!(
        all["calls"].as_array().unwrap().len(),
        <pillar_stf::Call as pillar_stf::CallSet>::type_names().len()
    );
    let out = pillar(&["schema", "--preset", "nope"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown preset"));
}

#[test]
fn init_refuses_to_overwrite_and_unknown_presets() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    assert!(pillar(&["init", "--preset", "basic", "--dir", d]).status.success());
    let out = pillar(&["init", "--preset", "basic", "--dir", d]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    assert!(pillar(&["init", "--preset", "basic", "--dir", d, "--force"]).status.success());
    let out = pillar(&["init", "--preset", "nope", "--dir", d, "--force"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown preset"));
}

#[test]
fn tx_transfer_prints_the_receipt() {
    let dir = tempfile::tempdir().unwrap();
    let (config, keys) = init_chain(dir.path(), 10);
    let node = start_node(&config);
    let to = keys[2].address().to_string();
    let before = eth_balance(&node, &to);
    let out = pillar(&[
        "tx",
        "transfer",
        "--rpc",
        &node.url,
        "--key",
        &keys[0].to_hex(),
        "--to",
        &to,
        "--amount",
        "777",
        "--json",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["status"], "success");
    assert_eq!(eth_balance(&node, &to), before + 777);
    // Human output, and a failing transfer exits non-zero with the reason.
    let out = pillar(&[
        "tx",
        "transfer",
        "--rpc",
        &node.url,
        "--key",
        &keys[0].to_hex(),
        "--to",
        &to,
        "--amount",
        "1",
        "--asset",
        "42",
    ]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("unknown asset 42"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn bench_prints_one_json_object_per_scenario() {
    // A small run of every scenario that needs no L1: the report's shape and its invariants, not
    // its speed (figures are measured, never asserted: docs/performance.md).
    let out = pillar(&[
        "bench",
        "--scenario",
        "transfers,sessions,rwa,rpc",
        "--accounts",
        "300",
        "--rate",
        "300",
        "--seconds",
        "1",
        "--record-witnesses",
        "--json",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let reports: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let names: Vec<&str> = reports.iter().map(|r| r["scenario"].as_str().unwrap()).collect();
    assert_eq!(names, ["transfers", "sessions", "rwa", "rpc"]);
    for r in &reports {
        let f = |k: &str| r[k].as_f64().unwrap_or_else(|| panic!("{k} missing in {r}"));
        assert_eq!(f("txs"), 300.0, "one transaction per account: {r}");
        assert!(f("tps") > 0.0, "{r}");
        assert!(f("p50_ms") > 0.0 && f("p50_ms") <= f("p99_ms") && f("p99_ms") <= f("p999_ms"), "{r}");
        // Every transaction is in a batch: at least its 65-byte signature reaches L1.
        assert!(f("l1_bytes_per_tx") > 65.0 && f("l1_bytes_per_tx") < 400.0, "{r}");
        if r["scenario"] != "rpc" {
            for phase in ["execute", "root", "ledger", "commit"] {
                assert!(r["block_ms"][phase].as_f64().is_some(), "{phase} missing in {r}");
                assert!(r["latency_block_ms"][phase].as_f64().is_some(), "{phase} missing in {r}");
            }
            assert!(f("peak_rss_mib") > 0.0, "{r}");
            // Each transfer's witness holds at least its accounts' leaves (64 bytes each).
            for round in ["witness", "latency_witness"] {
                let (block, tx) =
                    (f(&format!("{round}_bytes_per_block")), f(&format!("{round}_bytes_per_tx")));
                assert!(tx > 64.0 && block >= tx, "{round}: {r}");
            }
            let day = f("latency_witness_bytes_per_tx") * 86_400.0 * 1_000.0 / 1e9;
            assert!((f("witness_gb_per_day_at_offered_shape_1000_tps") - day).abs() < 0.1, "{r}");
        }
    }
}
