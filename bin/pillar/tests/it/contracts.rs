//! The L1 contracts: forge unit and fuzz tests pass, and the committed artifacts the Rust
//! bindings use match the Solidity sources.

use std::process::Command;

use crate::common::{npm_ready, repo_root};

#[test]
fn forge_tests_pass_and_artifacts_match_sources() {
    npm_ready();
    let contracts = repo_root().join("contracts");
    let out = Command::new(contracts.join("test.sh")).output().expect("run contracts/test.sh");
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "forge test failed:\n{log}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(log.contains("0 failed"), "{log}");
    let out = Command::new(contracts.join("export-artifacts.sh"))
        .arg("--check")
        .output()
        .expect("run export-artifacts.sh");
    assert!(
        out.status.success(),
        "contracts/artifacts are stale; run contracts/export-artifacts.sh:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
