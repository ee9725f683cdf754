//! `pillar fp prestate`: the program prestate of the guest ELF and the chain prestate that adds
//! the chain configuration (docs/fault-proofs.md, "The absolute prestate").

use std::path::PathBuf;

use anyhow::Context;
use pillar_fpvm::load_elf;
use pillar_preimage::{keccak256, sha256};
use pillar_stf::B256;
use serde_json::{Value, json};

use super::{DEFAULT_ELF, PrestateArgs, chain_config};

/// The prestates of the guest and of the chain (docs/fault-proofs.md, "The absolute prestate").
pub(super) fn prestate(a: &PrestateArgs) -> anyhow::Result<Value> {
    let config = pillar_node::ChainConfig::load(&a.config)?;
    let path = a.elf.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_ELF));
    let bytes = std::fs::read(&path)
        .with_context(|| format!("{} (build it with scripts/rv32im/prestate.sh)", path.display()))?;
    let program = load_elf(&bytes).with_context(|| format!("{}", path.display()))?.state_hash();
    let config_hash = chain_config(&config).hash();
    let mut both = [0u8; 64];
    both[..32].copy_from_slice(&program);
    both[32..].copy_from_slice(config_hash.as_slice());
    Ok(json!({
        "elf": path.display().to_string(),
        "elfSha256": B256::from(sha256(&bytes)),
        "programPrestate": B256::from(program),
        "configHash": config_hash,
        "prestate": B256::from(keccak256(&both)),
    }))
}
