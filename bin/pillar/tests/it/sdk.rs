//! The TypeScript SDK (`sdk/ts`): built with `tsc`, its encoding of every call kind checked against
//! the node's own codec, and its Node test suite run against a real `pillar devnet` (anvil, the L1
//! contracts, sequencer, batcher and proposer).

use std::{
    process::{Command, Output},
    sync::OnceLock,
};

use pillar_stf::{PrivateKey, SignedTransaction};
use serde_json::Value;

use crate::common::{init_preset, npm_ready, repo_root, start_devnet, start_node};

/// Compiles the SDK into `sdk/ts/dist` once per test run.
fn build_sdk() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        npm_ready();
        let root = repo_root();
        let out = Command::new(root.join("node_modules/.bin/tsc"))
            .args(["-p", "sdk/ts"])
            .current_dir(&root)
            .output()
            .expect("run tsc");
        assert!(out.status.success(), "tsc -p sdk/ts failed:\n{}", show(&out));
        // The public types, as an application uses them (compile only).
        let out = Command::new(root.join("node_modules/.bin/tsc"))
            .args(["-p", "sdk/ts/test"])
            .current_dir(&root)
            .output()
            .expect("run tsc");
        assert!(out.status.success(), "tsc -p sdk/ts/test failed:\n{}", show(&out));
    });
}

fn show(out: &Output) -> String {
    format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn node_test(file: &str, env: &[(String, String)]) {
    let out = Command::new("node")
        .args(["--test", "--test-reporter=tap", file])
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .current_dir(repo_root())
        .output()
        .expect("node must be installed (Node.js 20 or later)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "node --test {file} failed:\n{}", show(&out));
    // A suite skipped for lack of its environment would also exit 0.
    assert!(stdout.contains("# fail 0") && stdout.contains("# skipped 0"), "node --test {file}:\n{stdout}");
    assert!(!stdout.contains("# pass 0"), "no test ran in {file}:\n{stdout}");
}

#[test]
fn sdk_encodes_every_call_kind_as_the_node_decodes_it() {
    build_sdk();
    let root = repo_root();
    node_test("sdk/ts/test/offline.test.mjs", &[]);
    let out = Command::new("node")
        .arg("sdk/ts/fixtures/vectors.mjs")
        .current_dir(&root)
        .output()
        .expect("node must be installed (Node.js 20 or later)");
    assert!(out.status.success(), "vectors.mjs failed:\n{}", show(&out));
    let vectors: Vec<Value> = serde_json::from_slice(&out.stdout).expect("vectors.mjs prints JSON");
    // 39 call kinds, each plain, sponsored, and signed by ed25519 and P-256 session keys.
    assert_eq!(vectors.len(), 39 * 4);
    let mut kinds = std::collections::BTreeSet::new();
    for v in &vectors {
        let (kind, form) = (v["kind"].as_str().unwrap(), v["form"].as_str().unwrap());
        let what = format!("{kind} ({form})");
        let raw = hex::decode(v["raw"].as_str().unwrap().trim_start_matches("0x")).unwrap();
        let stx =
            SignedTransaction::decode(&raw).unwrap_or_else(|e| panic!("{what}: node cannot decode: {e}"));
        assert_eq!(stx.encode(), raw, "{what}: not canonical");
        assert_eq!(pillar_stf::CallSet::type_name(&stx.tx.call), kind, "{what}: wrong call");
        assert_eq!(format!("{:#x}", stx.hash()), v["hash"].as_str().unwrap(), "{what}: hash");
        assert_eq!(
            format!("{:#x}", stx.signing_hash()),
            v["digest"].as_str().unwrap(),
            "{what}: EIP-712 digest"
        );
        let sender = stx.recover().unwrap_or_else(|e| panic!("{what}: signature refused: {e}"));
        assert_eq!(
            sender.to_string().to_lowercase(),
            v["sender"].as_str().unwrap().to_lowercase(),
            "{what}: recovered sender"
        );
        match form {
            "plain" => assert!(stx.envelope.is_none(), "{what}"),
            "sponsored" => assert!(stx.envelope.as_ref().is_some_and(|e| e.sponsor().is_some()), "{what}"),
            _ => assert!(stx.envelope.as_ref().is_some_and(|e| e.session().is_some()), "{what}"),
        }
        kinds.insert(kind.to_string());
    }
    assert_eq!(kinds.len(), 39);
}

#[test]
fn sdk_call_tables_match_the_chain_schema() {
    build_sdk();
    let runtime = pillar_stf::Runtime::new(901, pillar_stf::MODULES.iter().map(|r| (r.new)()).collect());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("schema.json");
    std::fs::write(&path, serde_json::to_vec(&runtime.schema()).unwrap()).unwrap();
    node_test("sdk/ts/test/schema.test.mjs", &[("PILLAR_SCHEMA".into(), path.display().to_string())]);
}

#[test]
fn sdk_test_suite_passes_against_a_devnet() {
    build_sdk();
    let dir = tempfile::tempdir().unwrap();
    let devnet = start_devnet(dir.path(), "game");
    node_test("sdk/ts/test/devnet.test.mjs", &devnet.env);
    drop(devnet);
}

fn hex_keys(keys: &[PrivateKey]) -> String {
    keys.iter().map(PrivateKey::to_hex).collect::<Vec<_>>().join(",")
}

#[test]
fn sdk_compliance_and_agents_calls_execute_on_their_presets() {
    build_sdk();
    let (rwa_dir, agents_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (rwa_config, _, rwa_keys) = init_preset(rwa_dir.path(), "rwa", 4);
    let (agents_config, _, agents_keys) = init_preset(agents_dir.path(), "agents", 4);
    let (rwa, agents) = (start_node(&rwa_config), start_node(&agents_config));
    let env = [
        ("PILLAR_RWA_RPC".to_string(), rwa.url.clone()),
        ("PILLAR_RWA_KEYS".to_string(), hex_keys(&rwa_keys)),
        ("PILLAR_AGENTS_RPC".to_string(), agents.url.clone()),
        ("PILLAR_AGENTS_KEYS".to_string(), hex_keys(&agents_keys)),
    ];
    node_test("sdk/ts/test/verticals.test.mjs", &env);
}
