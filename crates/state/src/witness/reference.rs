//! Test helpers: the trie of docs/state.md §3 computed from scratch (the definition, not NOMT),
//! its full witness and its proofs, and a small deterministic generator of key sets.

use alloc::{collections::BTreeMap, vec::Vec};

use alloy_primitives::B256;
use sha2::{Digest, Sha256};

use super::{Hash, TERMINATOR, WitnessMap, internal_hash, join};
use crate::{KeyPath, ProofTerminal, StateProof, leaf_hash, proof::bit};

/// Key → value.
pub(super) type Values = BTreeMap<KeyPath, Vec<u8>>;

/// A block's writes (`None` deletes).
pub(super) type Writes = BTreeMap<KeyPath, Option<Vec<u8>>>;

/// sha256 of a value.
pub(super) fn value_hash(v: &[u8]) -> Hash {
    Sha256::digest(v).into()
}

fn items(values: &Values) -> Vec<(KeyPath, Hash)> {
    values.iter().map(|(k, v)| (*k, Sha256::digest(v).into())).collect()
}

/// `root(S, depth)`, adding every node's preimage to `out` if given.
fn build(items: &[(KeyPath, Hash)], depth: usize, out: &mut Option<&mut WitnessMap>) -> Hash {
    match items {
        [] => TERMINATOR,
        [(k, v)] => {
            let h = leaf_hash(k, v);
            if let Some(out) = out {
                out.insert_node(h, join(k, v));
            }
            h
        }
        _ => {
            let mid = items.partition_point(|(k, _)| !bit(k, depth));
            let l = build(&items[..mid], depth + 1, out);
            let r = build(&items[mid..], depth + 1, out);
            let h = internal_hash(&l, &r);
            if let Some(out) = out {
                out.insert_node(h, join(&l, &r));
            }
            h
        }
    }
}

/// The state root of `values`.
pub(super) fn root(values: &Values) -> B256 {
    B256::from(build(&items(values), 0, &mut None))
}

/// The state root of `values` and a witness holding every node and value.
pub(super) fn full_witness(values: &Values) -> (B256, WitnessMap) {
    let mut w = WitnessMap::new();
    let root = build(&items(values), 0, &mut Some(&mut w));
    for v in values.values() {
        w.insert_value(v.clone());
    }
    (B256::from(root), w)
}

/// A proof of `key` in the trie whose every node is in `full` (from [`full_witness`]).
pub(super) fn prove(root: B256, full: &WitnessMap, key: &KeyPath) -> StateProof {
    let mut node = root.0;
    let mut siblings = Vec::new();
    let terminal = loop {
        if node == TERMINATOR {
            break ProofTerminal::Empty;
        }
        let p = full.nodes[&node];
        let (a, b) = super::split(&p);
        if node[0] & 0x80 != 0 {
            break ProofTerminal::Leaf { key_path: B256::from(a), value_hash: B256::from(b) };
        }
        let (next, sibling) = if bit(key, siblings.len()) { (b, a) } else { (a, b) };
        siblings.push(B256::from(sibling));
        node = next;
    };
    StateProof { key_path: B256::from(*key), terminal, siblings }
}

/// A witness built the way the recorder builds one: the proof of each key in `keys`, plus the
/// values of those present.
pub(super) fn witness_from_proofs<'k>(
    values: &Values,
    keys: impl IntoIterator<Item = &'k KeyPath>,
) -> WitnessMap {
    let (expected, full) = full_witness(values);
    let mut w = WitnessMap::new();
    for key in keys {
        let proven = w.add_proof(&prove(expected, &full, key)).expect("reference proofs are well formed");
        assert_eq!(proven, expected);
        if let Some(v) = values.get(key) {
            w.insert_value(v.clone());
        }
    }
    w
}

/// `values` after `writes`.
pub(super) fn applied(values: &Values, writes: &Writes) -> Values {
    let mut out = values.clone();
    for (k, v) in writes {
        match v {
            Some(v) => out.insert(*k, v.clone()),
            None => out.remove(k),
        };
    }
    out
}

/// splitmix64: deterministic randomness for generated key sets.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub(super) fn key(&mut self) -> KeyPath {
        let mut k = [0; 32];
        for c in k.chunks_mut(8) {
            c.copy_from_slice(&self.next().to_le_bytes());
        }
        k
    }

    /// `base` with one of its last `late` bits flipped: a key sharing a long prefix with it.
    pub(super) fn near(&mut self, base: &KeyPath, late: usize) -> KeyPath {
        let mut k = *base;
        let b = 255 - self.below(late.max(1));
        k[b / 8] ^= 0x80 >> (b % 8);
        k
    }

    pub(super) fn value(&mut self) -> Vec<u8> {
        let len = 1 + self.below(40);
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// About `n` random keys, a quarter of them in clusters sharing prefixes of 200 bits or more.
pub(super) fn keys(rng: &mut Rng, n: usize) -> Vec<KeyPath> {
    let mut keys = Vec::with_capacity(n);
    while keys.len() < n {
        let base = rng.key();
        keys.push(base);
        if rng.below(4) == 0 {
            for _ in 0..rng.below(6) {
                let near = rng.near(&base, 56);
                keys.push(near);
            }
        }
    }
    keys
}

/// A block of `ops` random reads, inserts, updates and deletes over the state `values` whose
/// keys are `keys` (a third of the picks are fresh keys or keys sharing 192 bits or more with a
/// present one). `mode` 1 also deletes about 90% of the keys; 2 deletes them all and reinserts
/// about an eighth.
pub(super) fn block(
    rng: &mut Rng,
    values: &Values,
    keys: &[KeyPath],
    ops: usize,
    mode: usize,
) -> (Vec<KeyPath>, Writes) {
    let mut reads = Vec::new();
    let mut writes = Writes::new();
    let pick = |rng: &mut Rng| -> KeyPath {
        match rng.below(4) {
            0 => rng.key(),
            1 if !keys.is_empty() => {
                let base = keys[rng.below(keys.len())];
                rng.near(&base, 64)
            }
            _ if !keys.is_empty() => keys[rng.below(keys.len())],
            _ => rng.key(),
        }
    };
    for _ in 0..ops {
        let k = pick(rng);
        match rng.below(3) {
            0 => reads.push(k),
            1 => {
                writes.insert(k, Some(rng.value()));
            }
            _ => {
                writes.insert(k, None);
            }
        }
    }
    match mode {
        // Delete most keys.
        1 => writes.extend(values.keys().filter(|_| rng.below(10) != 0).map(|k| (*k, None))),
        // Delete everything, and maybe reinsert some.
        2 => {
            writes.extend(values.keys().map(|k| (*k, None)));
            for k in keys {
                if rng.below(8) == 0 {
                    writes.insert(*k, Some(rng.value()));
                }
            }
        }
        _ => {}
    }
    (reads, writes)
}
