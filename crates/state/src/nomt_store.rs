//! The authenticated state in NOMT (sha2 hasher).
//!
//! A block runs against a [`Snapshot`] (a NOMT session: a consistent read view that holds off
//! commits while it lives), then [`NomtStore::prepare`] computes the new root from the block's
//! changes and [`NomtStore::commit`] makes it durable. The two steps are apart so the caller can
//! put the root in the block header and persist the block first: if the process dies between
//! the two, the block is re-executed from the ledger on restart.

use alloc::{format, vec::Vec};
use std::path::Path;

use alloy_primitives::B256;
use nomt::{
    KeyReadWrite, Nomt, Options, Session, SessionParams, WitnessMode, hasher::Sha2Hasher,
    proof::PathProofTerminal,
};

use crate::{KeyPath, ProofTerminal, StateError, StateProof, StateRead, overlay::BlockChanges};

/// Tuning for the NOMT database.
#[derive(Debug, Clone)]
pub struct NomtOptions {
    /// Pages in NOMT's hash table (4 KiB each, allocated up front). Must be large enough for the
    /// state: about 1 page per 60 keys at steady state, with headroom.
    pub hashtable_buckets: u32,
    /// Threads NOMT uses to compute roots.
    pub commit_concurrency: usize,
    /// How many of the latest commits can be undone ([`NomtStore::rollback`]); 0 disables the
    /// rollback log, which costs a read of every written key's prior value per commit.
    pub rollback_window: u32,
}

impl Default for NomtOptions {
    fn default() -> Self {
        Self { hashtable_buckets: 64_000, commit_concurrency: 2, rollback_window: 0 }
    }
}

/// The state database.
pub struct NomtStore {
    nomt: Nomt<Sha2Hasher>,
}

/// A read view of committed state. While it lives, commits wait.
pub struct Snapshot {
    session: Session<Sha2Hasher>,
}

/// A block's changes with their new root computed, not yet durable.
pub struct PendingCommit {
    finished: nomt::FinishedSession,
    root: B256,
}

impl PendingCommit {
    /// The state root after the block.
    pub fn root(&self) -> B256 {
        self.root
    }
}

/// NOMT reports `anyhow::Error`; keep only its message so anyhow stays out of our API.
fn backend<E: core::fmt::Display>(op: &'static str) -> impl FnOnce(E) -> StateError {
    move |e| StateError::Backend { op, reason: format!("{e:#}") }
}

/// NOMT's view of a block: every key it touched, in key order (as NOMT requires), with the value
/// it read, the value it wrote, or both. One merge of the two sorted maps.
fn key_ops(changes: BlockChanges) -> Vec<(KeyPath, KeyReadWrite)> {
    let BlockChanges { reads, writes } = changes;
    let mut ops = Vec::with_capacity(reads.len() + writes.len());
    let mut reads = reads.into_iter().peekable();
    for (key, new) in writes {
        while let Some((read, prior)) = reads.next_if(|(read, _)| *read < key) {
            ops.push((read, KeyReadWrite::Read(prior)));
        }
        let op = match reads.next_if(|(read, _)| *read == key) {
            Some((_, prior)) => KeyReadWrite::ReadThenWrite(prior, new),
            None => KeyReadWrite::Write(new),
        };
        ops.push((key, op));
    }
    ops.extend(reads.map(|(read, prior)| (read, KeyReadWrite::Read(prior))));
    ops
}

impl NomtStore {
    /// Opens (or creates) the database in `dir`.
    pub fn open(dir: &Path, options: &NomtOptions) -> Result<Self, StateError> {
        let mut o = Options::new();
        o.path(dir);
        o.hashtable_buckets(options.hashtable_buckets);
        o.commit_concurrency(options.commit_concurrency.max(1));
        // A fixed seed keeps the on-disk layout reproducible across nodes of one chain.
        o.bitbox_seed(*b"pillar-state-v1\0");
        if options.rollback_window > 0 {
            o.rollback(true);
            o.max_rollback_log_len(options.rollback_window);
        }
        let nomt = Nomt::<Sha2Hasher>::open(o).map_err(backend("open"))?;
        Ok(Self { nomt })
    }

    /// The root of committed state.
    pub fn root(&self) -> B256 {
        B256::from(self.nomt.root().into_inner())
    }

    /// A consistent read view of committed state.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot { session: self.nomt.begin_session(SessionParams::default()) }
    }

    /// A read view like [`NomtStore::snapshot`] whose block can be prepared with its witness
    /// ([`NomtStore::prepare_with_witness`]).
    pub fn snapshot_witnessed(&self) -> Snapshot {
        Snapshot {
            session: self
                .nomt
                .begin_session(SessionParams::default().witness_mode(WitnessMode::read_write())),
        }
    }

    /// [`NomtStore::prepare`], also returning the block's witness: the parent state's path of every
    /// key the block read or wrote and the values it read, as [`crate::witness_for_block`] gives,
    /// but taken from NOMT's own update walk instead of a proof per key. `snapshot` must come from
    /// [`NomtStore::snapshot_witnessed`].
    pub fn prepare_with_witness(
        &self,
        snapshot: Snapshot,
        changes: BlockChanges,
    ) -> Result<(PendingCommit, crate::WitnessMap), StateError> {
        let parent_root = snapshot.root();
        let values: Vec<Vec<u8>> = changes.reads.values().flatten().cloned().collect();
        let mut pending = self.prepare(snapshot, changes)?;
        let paths = pending.finished.take_witness().ok_or_else(|| StateError::Backend {
            op: "record witness",
            reason: "the snapshot was not opened for witnessing".into(),
        })?;
        let witness = crate::witness::witness_from_paths(parent_root, paths.path_proofs, values)?;
        Ok((pending, witness))
    }

    /// Computes the root after `changes` on top of `snapshot` (which must be the view the block
    /// ran against).
    pub fn prepare(&self, snapshot: Snapshot, changes: BlockChanges) -> Result<PendingCommit, StateError> {
        let actuals = key_ops(changes);
        for (key, op) in &actuals {
            if op.is_write() {
                snapshot.session.warm_up(*key);
            }
        }
        let finished = snapshot.session.finish(actuals).map_err(backend("finish"))?;
        let root = B256::from(finished.root().into_inner());
        Ok(PendingCommit { finished, root })
    }

    /// Undoes the last `n` commits, durably. Fails when the rollback log is disabled or shorter
    /// than `n`.
    pub fn rollback(&self, n: usize) -> Result<(), StateError> {
        self.nomt.rollback(n).map_err(backend("rollback"))
    }

    /// Makes a prepared block durable.
    pub fn commit(&self, pending: PendingCommit) -> Result<(), StateError> {
        pending.finished.commit(&self.nomt).map_err(backend("commit"))
    }
}

impl Snapshot {
    /// The root this view reads.
    pub fn root(&self) -> B256 {
        B256::from(self.session.prev_root().into_inner())
    }

    /// A Merkle proof of `key`'s value (or absence) against [`Snapshot::root`].
    pub fn prove(&self, key: &KeyPath) -> Result<StateProof, StateError> {
        let path_proof = self.session.prove(*key).map_err(backend("prove"))?;
        Ok(state_proof(*key, path_proof))
    }
}

/// NOMT's proof of the path to `key`'s terminal as ours.
pub(crate) fn state_proof(key: KeyPath, path_proof: nomt::proof::PathProof) -> StateProof {
    let terminal = match path_proof.terminal {
        PathProofTerminal::Leaf(leaf) => ProofTerminal::Leaf {
            key_path: B256::from(leaf.key_path),
            value_hash: B256::from(leaf.value_hash),
        },
        PathProofTerminal::Terminator(_) => ProofTerminal::Empty,
    };
    StateProof {
        key_path: B256::from(key),
        terminal,
        siblings: path_proof.siblings.into_iter().map(B256::from).collect(),
    }
}

impl StateRead for Snapshot {
    fn get(&self, key: &KeyPath) -> Result<Option<Vec<u8>>, StateError> {
        self.session.read(*key).map_err(backend("read"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BlockOverlay, ProofError, ProofOutcome, ProofTerminal, StateWrite, key_path, verify_proof};
    use alloc::{collections::BTreeMap, string::String, vec};

    fn small() -> NomtOptions {
        NomtOptions { hashtable_buckets: 4096, commit_concurrency: 1, rollback_window: 0 }
    }

    fn apply(store: &NomtStore, writes: &[(KeyPath, Option<Vec<u8>>)]) -> B256 {
        let snap = store.snapshot();
        let changes = {
            let mut block = BlockOverlay::new(&snap);
            for (k, v) in writes {
                block.set(*k, v.clone());
            }
            block.into_changes()
        };
        let pending = store.prepare(snap, changes).unwrap();
        let root = pending.root();
        store.commit(pending).unwrap();
        root
    }

    #[test]
    fn commit_reopen_and_prove() {
        let dir = tempfile::tempdir().unwrap();
        let keys: Vec<KeyPath> = (0..200u32).map(|i| key_path("t", "k", &i.to_le_bytes())).collect();
        let root = {
            let store = NomtStore::open(dir.path(), &small()).unwrap();
            assert_eq!(store.root(), B256::ZERO);
            let writes: Vec<_> = keys.iter().enumerate().map(|(i, k)| (*k, Some(vec![i as u8; 3]))).collect();
            let root = apply(&store, &writes);
            assert_eq!(store.root(), root);
            assert_ne!(root, B256::ZERO);
            root
        };
        let store = NomtStore::open(dir.path(), &small()).unwrap();
        assert_eq!(store.root(), root, "a reopened store has the same root");
        let snap = store.snapshot();
        assert_eq!(snap.get(&keys[5]).unwrap(), Some(vec![5; 3]));

        // Presence.
        let proof = snap.prove(&keys[5]).unwrap();
        proof.verify_value(root, Some(&[5, 5, 5])).unwrap();
        assert!(matches!(proof.verify_value(root, Some(&[5, 5, 6])), Err(ProofError::ValueMismatch { .. })));
        assert!(matches!(proof.verify_value(root, None), Err(ProofError::ValueMismatch { .. })));

        // Absence.
        let missing = key_path("t", "k", b"missing");
        let proof = snap.prove(&missing).unwrap();
        assert_eq!(verify_proof(root, &proof).unwrap(), ProofOutcome::Absent);
        proof.verify_value(root, None).unwrap();

        // Tampering: a sibling, the leaf's value hash, or the claimed key.
        let good = snap.prove(&keys[7]).unwrap();
        let mut bad = good.clone();
        bad.siblings[0].0[31] ^= 1;
        assert!(matches!(verify_proof(root, &bad), Err(ProofError::RootMismatch { .. })));
        let mut bad = good.clone();
        if let ProofTerminal::Leaf { value_hash, .. } = &mut bad.terminal {
            value_hash.0[0] ^= 1;
        }
        assert!(matches!(verify_proof(root, &bad), Err(ProofError::RootMismatch { .. })));
        let mut bad = good.clone();
        bad.key_path = B256::from(keys[8]);
        assert!(verify_proof(root, &bad).is_err() || verify_proof(root, &bad) == Ok(ProofOutcome::Absent));
        let mut bad = good;
        bad.siblings = vec![B256::ZERO; 257];
        assert!(matches!(verify_proof(root, &bad), Err(ProofError::TooManySiblings { .. })));
        drop(snap);

        // Deletion changes the root, and the deleted key proves absent.
        let root2 = apply(&store, &[(keys[5], None)]);
        assert_ne!(root2, root);
        let snap = store.snapshot();
        snap.prove(&keys[5]).unwrap().verify_value(root2, None).unwrap();
        // A proof against the old root fails against the new one.
        let old = snap.prove(&keys[6]).unwrap();
        old.verify_value(root2, Some(&[6; 3])).unwrap();
    }

    #[test]
    fn key_ops_merge_reads_and_writes_in_key_order() {
        let v = |b: u8| Some(vec![b]);
        let changes = BlockChanges {
            reads: BTreeMap::from([([1; 32], v(1)), ([3; 32], v(3)), ([5; 32], None), ([9; 32], v(9))]),
            writes: BTreeMap::from([([0; 32], v(10)), ([3; 32], v(13)), ([5; 32], v(15)), ([6; 32], None)]),
        };
        let ops: Vec<String> = key_ops(changes).iter().map(|(k, op)| format!("{} {op:?}", k[0])).collect();
        assert_eq!(
            ops,
            [
                "0 Write(Some([10]))",
                "1 Read(Some([1]))",
                "3 ReadThenWrite(Some([3]), Some([13]))",
                "5 ReadThenWrite(None, Some([15]))",
                "6 Write(None)",
                "9 Read(Some([9]))",
            ]
        );
        assert!(key_ops(BlockChanges::default()).is_empty());
    }

    #[test]
    fn empty_trie_proves_absence() {
        let dir = tempfile::tempdir().unwrap();
        let store = NomtStore::open(dir.path(), &small()).unwrap();
        let snap = store.snapshot();
        let proof = snap.prove(&[1; 32]).unwrap();
        proof.verify_value(B256::ZERO, None).unwrap();
    }

    #[test]
    fn proofs_of_many_random_keys() {
        use proptest::prelude::*;
        let dir = tempfile::tempdir().unwrap();
        let store = NomtStore::open(dir.path(), &small()).unwrap();
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(8));
        runner
            .run(
                &proptest::collection::vec(
                    (any::<[u8; 32]>(), proptest::collection::vec(any::<u8>(), 0..40)),
                    1..60,
                ),
                |entries| {
                    let writes: Vec<_> = entries.iter().map(|(k, v)| (*k, Some(v.clone()))).collect();
                    let root = apply(&store, &writes);
                    let snap = store.snapshot();
                    let mut last = std::collections::HashMap::new();
                    for (k, v) in &entries {
                        last.insert(*k, v.clone());
                    }
                    for (k, v) in &last {
                        snap.prove(k).unwrap().verify_value(root, Some(v)).unwrap();
                    }
                    let absent = crate::key_path("absent", "", root.as_slice());
                    snap.prove(&absent).unwrap().verify_value(root, None).unwrap();
                    Ok(())
                },
            )
            .unwrap();
    }
}
