//! Witness reads and root recomputation against the definition of the trie (no NOMT: the
//! differential tests against NOMT are in `differential.rs`).

use alloc::{collections::BTreeMap, vec, vec::Vec};
use std::{collections::HashMap, println};

use alloy_primitives::B256;
use proptest::prelude::*;

use super::{
    Hash, NodePreimage, TERMINATOR, WitnessMap, WitnessSource, WitnessState, internal_hash, join,
    reference::{self, Rng, Values, Writes, applied, value_hash},
};
use crate::{KeyPath, ProofError, ProofTerminal, StateError, StateRead, WitnessItem, leaf_hash, proof_nodes};

/// Checks reads of `reads` and the root after `writes` on the state `values`, with a witness
/// built from the proofs of exactly those keys (as the recorder builds it).
fn check(values: &Values, reads: &[KeyPath], writes: &Writes) -> super::RootUpdate {
    let keys: Vec<&KeyPath> = reads.iter().chain(writes.keys()).collect();
    let witness = reference::witness_from_proofs(values, keys);
    let state = WitnessState::new(reference::root(values), &witness);
    for k in reads {
        assert_eq!(state.get(k).unwrap(), values.get(k).cloned(), "read of {}", B256::from(*k));
    }
    let update = state.update_root(writes).unwrap();
    assert_eq!(update.root, reference::root(&applied(values, writes)));
    update
}

fn key(first: u8) -> KeyPath {
    let mut k = [0x11; 32];
    k[0] = first;
    k
}

#[test]
fn empty_trie() {
    let state = WitnessState::new(B256::ZERO, WitnessMap::new());
    assert_eq!(state.get(&key(1)).unwrap(), None);
    // Deleting what is not there changes nothing and hashes nothing.
    let update = state.update_root(&BTreeMap::from([(key(1), None), (key(2), None)])).unwrap();
    assert_eq!((update.root, update.work.compressions()), (B256::ZERO, 0));
    assert_eq!(state.update_root(&BTreeMap::new()).unwrap().root, B256::ZERO);
    let writes = BTreeMap::from([(key(1), Some(vec![1])), (key(0x81), Some(vec![2])), (key(2), None)]);
    let update = check(&Values::new(), &[key(1)], &writes);
    // Two leaves under one root: two leaf hashes, one internal node, two values.
    assert_eq!((update.work.leaves, update.work.internal, update.work.values), (2, 1, 2));
}

#[test]
fn single_key() {
    let values = Values::from([(key(7), vec![7, 7])]);
    let root = reference::root(&values);
    assert_eq!(root.0, leaf_hash(&key(7), &value_hash(&[7, 7])), "a lone key's leaf is the root");
    check(&values, &[key(7), key(8)], &BTreeMap::new());
    check(&values, &[], &BTreeMap::from([(key(7), Some(vec![8]))]));
    let update = check(&values, &[key(7)], &BTreeMap::from([(key(7), None)]));
    assert_eq!((update.root, update.work.compressions()), (B256::ZERO, 0));
    check(&values, &[], &BTreeMap::from([(key(0x87), Some(vec![1]))]));
    // Rewriting the same value leaves the root and rehashes no node.
    let update = check(&values, &[], &BTreeMap::from([(key(7), Some(vec![7, 7]))]));
    assert_eq!((update.root, update.work.internal + update.work.leaves), (root, 0));
}

/// Two keys that differ first at bit 200.
fn long_prefix_pair() -> (KeyPath, KeyPath) {
    let a = [0x5a; 32];
    let mut b = a;
    b[25] ^= 0x80; // bit 200
    (a, b)
}

#[test]
fn two_keys_with_a_200_bit_common_prefix() {
    let (a, b) = long_prefix_pair();
    let (va, vb) = (vec![1], vec![2]);
    let values = Values::from([(a, va.clone()), (b, vb.clone())]);
    // By hand: the leaves sit at depth 201 under an internal node at 200, with 200 internal
    // nodes above it whose other child is empty.
    let (la, lb) = (leaf_hash(&a, &value_hash(&va)), leaf_hash(&b, &value_hash(&vb)));
    let mut node = if crate::proof::bit(&a, 200) { internal_hash(&lb, &la) } else { internal_hash(&la, &lb) };
    for d in (0..200).rev() {
        node = if crate::proof::bit(&a, d) {
            internal_hash(&TERMINATOR, &node)
        } else {
            internal_hash(&node, &TERMINATOR)
        };
    }
    assert_eq!(reference::root(&values).0, node);

    // Inserting b beside a lone a builds all 201 internal nodes.
    let alone = Values::from([(a, va.clone())]);
    let update = check(&alone, &[a, b], &BTreeMap::from([(b, Some(vb.clone()))]));
    assert_eq!(update.root.0, node);
    assert_eq!((update.work.internal, update.work.leaves), (201, 1));

    // Reads walk 201 nodes down; deleting either key moves the other's leaf up to the root.
    let update = check(&values, &[a, b], &BTreeMap::from([(b, None)]));
    assert_eq!(update.root.0, la);
    assert_eq!(update.work.compressions(), 0);
    // A third key forking at bit 100 from both.
    let mut c = a;
    c[12] ^= 0x08; // bit 100
    check(&values, &[c], &BTreeMap::from([(c, Some(vec![3]))]));
    // Updating one value rehashes its leaf and the 201 nodes above it.
    let update = check(&values, &[], &BTreeMap::from([(a, Some(vec![9]))]));
    assert_eq!((update.work.internal, update.work.leaves), (201, 1));
}

#[test]
fn delete_down_to_one_key_then_to_empty() {
    let mut rng = Rng(3);
    let keys = reference::keys(&mut rng, 300);
    let values: Values = keys.iter().map(|k| (*k, rng.value())).collect();
    let survivor = keys[17];
    let writes: Writes = values.keys().filter(|k| **k != survivor).map(|k| (*k, None)).collect();
    let update = check(&values, &[survivor], &writes);
    assert_eq!(update.root.0, leaf_hash(&survivor, &value_hash(&values[&survivor])));
    assert_eq!(update.work.compressions(), 0, "deletes alone only move the surviving leaf up");
    let all: Writes = values.keys().map(|k| (*k, None)).collect();
    assert_eq!(check(&values, &[], &all).root, B256::ZERO);
    // Delete everything and insert fresh keys in the same block.
    let mut writes = all;
    for k in reference::keys(&mut rng, 20) {
        writes.insert(k, Some(rng.value()));
    }
    check(&values, &[], &writes);
}

#[test]
fn a_delete_needs_only_its_own_path() {
    // a and b share 200 bits; c sits on the other side of the root. Deleting a moves b's leaf up
    // to the root's child, knowing it is a leaf from its hash alone: the witness holds a's path
    // (root, the 201 nodes down to a) and nothing of b but its hash.
    let (a, b) = long_prefix_pair();
    let mut c = a;
    c[0] ^= 0x80;
    let values = Values::from([(a, vec![1]), (b, vec![2]), (c, vec![3])]);
    let witness = reference::witness_from_proofs(&values, [&a]);
    assert_eq!(
        witness.node_count(),
        1 + 200 + 1,
        "the root, the internal nodes at depths 1 to 200, a's leaf"
    );
    let b_leaf = leaf_hash(&b, &value_hash(&[2]));
    assert!(!witness.nodes.contains_key(&b_leaf));
    let state = WitnessState::new(reference::root(&values), &witness);
    let root = state.update_root(&BTreeMap::from([(a, None)])).unwrap();
    assert_eq!(root.root, reference::root(&Values::from([(b, vec![2]), (c, vec![3])])));
    assert_eq!(root.work.internal, 1, "only the root is rehashed");

    // Deleting c instead leaves an internal child (two keys below) beside an empty sibling: the
    // root becomes that internal node, unhashed, again from c's path alone.
    let witness = reference::witness_from_proofs(&values, [&c]);
    assert_eq!(witness.node_count(), 2);
    let state = WitnessState::new(reference::root(&values), &witness);
    let root = state.update_root(&BTreeMap::from([(c, None)])).unwrap();
    assert_eq!(root.root, reference::root(&Values::from([(a, vec![1]), (b, vec![2])])));
    // An internal node beside an empty subtree stays where it is (no extension nodes), so the
    // root is rehashed over it.
    assert_eq!(root.work.internal, 1);
}

#[test]
fn missing_witness_is_a_typed_error() {
    let (a, b) = long_prefix_pair();
    let values = Values::from([(a, vec![1]), (b, vec![2])]);
    let root = reference::root(&values);
    let state = WitnessState::new(root, WitnessMap::new());
    match state.get(&a) {
        Err(StateError::WitnessMissing { item: WitnessItem::Node, hash }) => assert_eq!(hash, root),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        state
            .root_after(&crate::BlockChanges { reads: BTreeMap::new(), writes: BTreeMap::from([(a, None)]) }),
        Err(StateError::WitnessMissing { item: WitnessItem::Node, .. })
    ));
    // Paths but no values: the walk gets to a's leaf, then lacks its value.
    let mut witness = reference::witness_from_proofs(&values, [&a]);
    witness.values.clear();
    let state = WitnessState::new(root, &witness);
    match state.get(&a) {
        Err(StateError::WitnessMissing { item: WitnessItem::Value, hash }) => {
            assert_eq!(hash.0, value_hash(&[1]))
        }
        other => panic!("{other:?}"),
    }
    // Writes need no values, only paths; a key whose path is not in the witness is refused.
    assert!(state.update_root(&BTreeMap::from([(a, Some(vec![5]))])).is_ok());
    let mut elsewhere = a;
    elsewhere[31] ^= 1;
    assert!(state.update_root(&BTreeMap::from([(elsewhere, Some(vec![5]))])).is_ok(), "same path as a");
    let mut far = a;
    far[0] ^= 0x80;
    assert!(
        state.update_root(&BTreeMap::from([(far, Some(vec![5]))])).is_ok(),
        "ends at the root's empty side"
    );
    let witness = reference::witness_from_proofs(&values, [&far]);
    let state = WitnessState::new(root, &witness);
    assert!(matches!(
        state.update_root(&BTreeMap::from([(a, Some(vec![5]))])),
        Err(StateError::WitnessMissing { item: WitnessItem::Node, .. })
    ));
    let err = state.get(&a).unwrap_err();
    assert!(std::format!("{err}").starts_with("witness has no node preimage for hash 0x"), "{err}");
}

#[test]
fn tampered_witness_gives_an_error_or_another_root() {
    let mut rng = Rng(11);
    let keys = reference::keys(&mut rng, 64);
    let values: Values = keys.iter().map(|k| (*k, rng.value())).collect();
    let root = reference::root(&values);
    let writes: Writes = keys.iter().take(8).map(|k| (*k, Some(vec![1]))).collect();
    let honest = reference::witness_from_proofs(&values, writes.keys());
    let expected = WitnessState::new(root, &honest).root_after_writes_for_test(&writes);

    // A node that is its own child: a walk to the left never ends; it must stop at depth 256.
    let mut looped = WitnessMap::new();
    let self_hash = internal_hash(&[1; 32], &[2; 32]);
    looped.insert_node(self_hash, join(&self_hash, &TERMINATOR));
    let state = WitnessState::new(B256::from(self_hash), &looped);
    let left = [0; 32];
    assert!(matches!(state.get(&left), Err(StateError::WitnessMalformed { depth: 256, .. })));
    assert_eq!(state.get(&[0xff; 32]).unwrap(), None);
    assert!(matches!(
        state.update_root(&BTreeMap::from([(left, Some(vec![1]))])),
        Err(StateError::WitnessMalformed { .. })
    ));

    // A leaf that is not on the path leading to it.
    let mut off = WitnessMap::new();
    let (a, _) = long_prefix_pair();
    let leaf = leaf_hash(&a, &[3; 32]);
    off.insert_node(leaf, join(&a, &[3; 32]));
    let top = internal_hash(&TERMINATOR, &leaf);
    off.insert_node(top, join(&TERMINATOR, &leaf));
    let state = WitnessState::new(B256::from(top), &off);
    let mut right = a;
    right[0] |= 0x80;
    // a's bit 0 is 0, but its leaf hangs on the right.
    assert!(a[0] & 0x80 == 0);
    assert!(matches!(
        state.update_root(&BTreeMap::from([(right, Some(vec![1]))])),
        Err(StateError::WitnessMalformed { depth: 1, .. })
    ));

    // Every single-byte change to a node on a written path: an error or another root (never a
    // panic, never the honest root passed off).
    let fetched: Vec<Hash> = honest.nodes.keys().copied().collect();
    for hash in fetched {
        for pos in [0usize, 1, 31, 32, 33, 63] {
            let mut bad = honest.clone();
            if let Some(p) = bad.nodes.get_mut(&hash) {
                p[pos] ^= 0x80;
            }
            let is_leaf = hash[0] & 0x80 != 0;
            let result = WitnessState::new(root, &bad).root_after_writes_for_test(&writes);
            // A written leaf's old value hash is replaced, so changing it changes nothing.
            let leaf_key: KeyPath = honest.nodes[&hash][..32].try_into().unwrap();
            let replaced_leaf = is_leaf && pos >= 32 && writes.contains_key(&leaf_key);
            match result {
                Err(_) => {}
                Ok(r) if replaced_leaf => assert_eq!(Ok(r), expected),
                Ok(r) => assert_ne!(Ok(r), expected, "node {} byte {pos}", B256::from(hash)),
            }
        }
    }
}

impl<S: WitnessSource> WitnessState<S> {
    fn root_after_writes_for_test(&self, writes: &Writes) -> Result<B256, ()> {
        self.update_root(writes).map(|u| u.root).map_err(|_| ())
    }
}

/// Counts fetches and fails the test if any node or value is fetched twice.
struct Counting<'w> {
    inner: &'w WitnessMap,
    seen: HashMap<Hash, u32>,
}

impl WitnessSource for Counting<'_> {
    fn node(&mut self, hash: &Hash) -> Result<Option<NodePreimage>, StateError> {
        let n = self.seen.entry(*hash).or_default();
        *n += 1;
        assert_eq!(*n, 1, "node fetched twice");
        WitnessSource::node(&mut self.inner, hash)
    }

    fn value(&mut self, value_hash: &Hash) -> Result<Option<Vec<u8>>, StateError> {
        let n = self.seen.entry(*value_hash).or_default();
        *n += 1;
        assert_eq!(*n, 1, "value fetched twice");
        WitnessSource::value(&mut self.inner, value_hash)
    }
}

#[test]
fn each_node_and_value_is_fetched_once() {
    let mut rng = Rng(5);
    let keys = reference::keys(&mut rng, 200);
    let values: Values = keys.iter().map(|k| (*k, vec![1, 2, 3])).collect(); // shared value
    let (root, witness) = reference::full_witness(&values);
    let state = WitnessState::new(root, Counting { inner: &witness, seen: HashMap::new() });
    for _ in 0..2 {
        for k in &keys {
            assert_eq!(state.get(k).unwrap(), Some(vec![1, 2, 3]));
        }
    }
    let writes: Writes = keys.iter().step_by(3).map(|k| (*k, None)).collect();
    assert_eq!(state.update_root(&writes).unwrap().root, reference::root(&applied(&values, &writes)));
    assert_eq!(state.fetched(), (witness.node_count(), 1));
}

#[test]
fn proof_nodes_match_the_trie() {
    let mut rng = Rng(9);
    let keys = reference::keys(&mut rng, 100);
    let values: Values = keys.iter().map(|k| (*k, rng.value())).collect();
    let (root, full) = reference::full_witness(&values);
    let absent = rng.key();
    for k in keys.iter().take(20).chain([&absent]) {
        let proof = reference::prove(root, &full, k);
        let nodes = proof_nodes(&proof).unwrap();
        assert_eq!(nodes.root, root);
        let leaf = usize::from(matches!(proof.terminal, ProofTerminal::Leaf { .. }));
        assert_eq!(nodes.nodes.len(), proof.siblings.len() + leaf);
        for (h, p) in &nodes.nodes {
            assert_eq!(full.nodes.get(h), Some(p));
        }
    }
    let mut bad = reference::prove(root, &full, &keys[0]);
    bad.siblings = vec![B256::ZERO; 257];
    assert_eq!(proof_nodes(&bad), Err(ProofError::TooManySiblings { count: 257 }));
    let mut bad = reference::prove(root, &full, &keys[0]);
    bad.key_path.0[0] ^= 0x80;
    assert_eq!(proof_nodes(&bad), Err(ProofError::LeafOffPath));
    // The empty trie's proofs reveal nothing.
    let empty = reference::prove(B256::ZERO, &WitnessMap::new(), &keys[0]);
    assert_eq!(proof_nodes(&empty).unwrap().nodes.len(), 0);
}

/// The hashing a block of `n` writes costs over a state of `m` keys. `fresh`: new keys
/// (inserts) rather than updates of existing ones.
/// Also returns how many witness nodes the recomputation fetched.
fn work(m: usize, n: usize, fresh: bool, seed: u64) -> (super::HashWork, usize) {
    let mut rng = Rng(seed);
    let values: Values = (0..m).map(|_| (rng.key(), vec![0; 24])).collect();
    let keys: Vec<KeyPath> = values.keys().copied().collect();
    let (root, witness) = reference::full_witness(&values);
    let mut writes = Writes::new();
    while writes.len() < n {
        let k = if fresh { rng.key() } else { keys[rng.below(keys.len())] };
        writes.insert(k, Some(vec![1 + rng.below(255) as u8; 24]));
    }
    let state = WitnessState::new(root, &witness);
    let work = state.update_root(&writes).unwrap().work;
    (work, state.fetched().0)
}

#[test]
fn hashing_work_of_transfer_blocks() {
    report_work(&[(10_000, 4), (10_000, 400)]);
}

/// Figures for docs/state.md:
/// `cargo test -p pillar-state --release --lib hashing_work -- --ignored --nocapture`.
#[test]
#[ignore = "figures: 100k keys, run in release"]
fn hashing_work_of_transfer_blocks_100k() {
    report_work(&[(100_000, 4), (100_000, 400), (1_000_000, 4), (1_000_000, 400)]);
}

fn report_work(cases: &[(usize, usize)]) {
    // 24-byte values, as an account record.
    for &(m, n) in cases {
        let mut total = super::HashWork::default();
        let mut nodes = 0;
        let runs = 3;
        for seed in 0..runs {
            let (w, fetched) = work(m, n, false, seed);
            nodes += fetched as u64;
            total.internal += w.internal;
            total.leaves += w.leaves;
            total.value_compressions += w.value_compressions;
        }
        let per = |x: u64| x as f64 / runs as f64;
        println!(
            "M = {m}, N = {n} updates: {:.1} internal + {:.1} leaf hashes, {:.1} value compressions: \
             {:.1} compressions, {:.1} per write; {:.1} witness nodes fetched",
            per(total.internal),
            per(total.leaves),
            per(total.value_compressions),
            per(total.compressions()),
            per(total.compressions()) / n as f64,
            per(nodes),
        );
        let depth = (m as f64).log2();
        // Each write rehashes at most its path (about log2 M + 2 nodes) plus its leaf and value.
        assert!(per(total.internal) <= n as f64 * (depth + 4.0));
        assert_eq!(total.leaves, (n as u64) * runs);
    }
    let (m, _) = cases[0];
    let (w, fetched) = work(m, 4, true, 7);
    println!(
        "M = {m}, N = 4 inserts: {} internal + {} leaves, {} compressions; {fetched} witness nodes fetched",
        w.internal,
        w.leaves,
        w.compressions()
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Random states with long shared prefixes and random blocks (reads, inserts, updates,
    /// deletes, deleting most or all keys, reinserting): reads through a witness of only the
    /// blocks' paths match, and the root after matches the trie recomputed from scratch.
    #[test]
    fn witness_matches_the_definition(seed in any::<u64>(), size in 0usize..400, ops in 1usize..200) {
        let mut rng = Rng(seed);
        let keys = reference::keys(&mut rng, size);
        let mut values: Values = keys.iter().map(|k| (*k, rng.value())).collect();
        for _ in 0..3 {
            let present: Vec<KeyPath> = values.keys().copied().collect();
            let mode = rng.below(4);
            let (reads, writes) = reference::block(&mut rng, &values, &present, ops, mode);
            check(&values, &reads, &writes);
            values = applied(&values, &writes);
        }
    }

    /// No byte flip in a witness makes a read or a root recomputation panic.
    #[test]
    fn tampered_witness_never_panics(seed in any::<u64>(), flips in proptest::collection::vec((any::<usize>(), 0usize..64, any::<u8>()), 1..8)) {
        let mut rng = Rng(seed);
        let keys = reference::keys(&mut rng, 40);
        let values: Values = keys.iter().map(|k| (*k, rng.value())).collect();
        let (root, mut witness) = reference::full_witness(&values);
        let hashes: Vec<Hash> = witness.nodes.keys().copied().collect();
        for (which, pos, x) in flips {
            let h = hashes[which % hashes.len()];
            if let Some(p) = witness.nodes.get_mut(&h) { p[pos] ^= x.max(1); }
        }
        let state = WitnessState::new(root, &witness);
        for k in keys.iter().take(10) {
            let _ = state.get(k);
        }
        let writes: Writes = keys.iter().step_by(2).map(|k| (*k, if rng.below(2) == 0 { None } else { Some(vec![1]) })).collect();
        let _ = state.update_root(&writes);
    }
}
