//! The test kit (feature `test-utils`): a chain on real NOMT and redb in a temporary directory,
//! with storage sized for tests.

#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

use std::sync::Arc;

use pillar_runtime::Genesis;
use pillar_state::NomtOptions;
use pillar_stf::Runtime;
use tempfile::TempDir;

use crate::{Chain, ChainOptions};

/// Storage options for tests: a small hash table, one commit thread, `rollback_window` blocks
/// of rollback.
pub fn small_options(rollback_window: u32) -> ChainOptions {
    ChainOptions { nomt: NomtOptions { hashtable_buckets: 4096, commit_concurrency: 1, rollback_window } }
}

/// A new chain at `genesis` in a temporary directory (removed when the `TempDir` drops).
pub fn open_temp(rt: Runtime, genesis: &Genesis, rollback_window: u32) -> (TempDir, Arc<Chain>) {
    let dir = tempfile::tempdir().unwrap();
    let chain = Chain::open(dir.path(), rt, genesis, &small_options(rollback_window)).unwrap();
    (dir, Arc::new(chain))
}
