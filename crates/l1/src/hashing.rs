//! Every hash shared with the L1 contracts, computed in Rust exactly as `contracts/src/lib/Hashing.sol`
//! does (docs/bridge.md §2.2, §3.1, §4.2, §5). Those the chain itself needs (message and queue
//! hashes, withdrawal leaves, the tree, output roots) are implemented once in `pillar-primitives`
//! and only re-exported or wrapped here; batch hashes and data commitments are the L1 side's
//! alone. Pure functions; the unit tests assert the known-answer vectors of docs/bridge.md §7,
//! which `contracts/test/Vectors.t.sol` checks on the Solidity side.

use alloy::primitives::{Address, B256, U256, keccak256};
use alloy_sol_types::SolValue;
use pillar_derive::BatchKind;
pub use pillar_stf::{
    DerivationCursor, merkle_root as withdrawals_root, next_queue_hash as queue_hash_step, output_root,
};

use crate::bindings::Portal;

/// Output root version committed by `Rollup.computeOutputRoot` (and by [`output_root`]).
pub const OUTPUT_ROOT_VERSION: u64 = 0;

/// One withdrawal as the Portal pays it out (docs/bridge.md §5.1). `token` is zero for ETH.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Withdrawal {
    /// L2 block that made the withdrawal.
    pub l2_block: u64,
    /// Position among the withdrawals of `l2_block` (or the global withdrawal number, with a
    /// cumulative tree).
    pub index: u32,
    /// Account that withdrew on L2.
    pub l2_sender: Address,
    /// Account paid on L1.
    pub l1_recipient: Address,
    /// ERC-20 token on L1, zero for ETH.
    pub token: Address,
    /// Amount in the token's base unit (wei for ETH).
    pub amount: U256,
}

impl Withdrawal {
    /// The leaf hash (also the Portal's replay-protection key).
    pub fn leaf(&self) -> B256 {
        withdrawal_leaf(self)
    }
}

impl From<Withdrawal> for Portal::Withdrawal {
    fn from(w: Withdrawal) -> Self {
        Self {
            l2Block: w.l2_block,
            index: w.index,
            l2Sender: w.l2_sender,
            l1Recipient: w.l1_recipient,
            token: w.token,
            amount: w.amount,
        }
    }
}

/// `keccak256(abi.encode(uint64 l2Block, uint32 index, address l2Sender, address l1Recipient,
/// address token, uint256 amount))`, as `Portal.withdrawalLeaf`.
pub fn withdrawal_leaf(w: &Withdrawal) -> B256 {
    // pillar-primitives hashes the u128 amounts L2 has; the Portal hashes any uint256, so an amount
    // beyond u128 (which no L2 withdrawal carries) is encoded here.
    match u128::try_from(w.amount) {
        Ok(amount) => {
            pillar_stf::withdrawal_leaf(w.l2_block, w.index, w.l2_sender, w.l1_recipient, w.token, amount)
        }
        Err(_) => keccak256(
            (w.l2_block, w.index, w.l2_sender, w.l1_recipient, w.token, w.amount).abi_encode_params(),
        ),
    }
}

/// Inclusion proof for `leaves[index]` in the shape `Portal.finalizeWithdrawal` verifies:
/// the sibling at each level where the node has one, leaf level first. `None` if `index` is out
/// of range.
pub fn withdrawal_proof(leaves: &[B256], index: usize) -> Option<WithdrawalProof> {
    (index < leaves.len()).then(|| WithdrawalProof {
        leaf_index: index as u64,
        leaf_count: leaves.len() as u64,
        siblings: pillar_stf::merkle_proof(leaves, index),
    })
}

/// A withdrawal inclusion proof (`Hashing.WithdrawalProof`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WithdrawalProof {
    /// Position of the leaf in the tree.
    pub leaf_index: u64,
    /// Number of leaves in the tree.
    pub leaf_count: u64,
    /// Siblings from the leaf level upwards, only at levels where the node has one.
    pub siblings: Vec<B256>,
}

impl WithdrawalProof {
    /// The root this proof reaches from `leaf`, as `Hashing.withdrawalsRootFromProof`; `None`
    /// where the contract would revert (bad position or wrong number of siblings).
    pub fn root(&self, leaf: B256) -> Option<B256> {
        pillar_stf::merkle_root_from_proof(
            leaf,
            usize::try_from(self.leaf_index).ok()?,
            usize::try_from(self.leaf_count).ok()?,
            &self.siblings,
        )
    }
}

impl From<WithdrawalProof> for Portal::WithdrawalProof {
    fn from(p: WithdrawalProof) -> Self {
        Self {
            leafIndex: U256::from(p.leaf_index),
            leafCount: U256::from(p.leaf_count),
            siblings: p.siblings,
        }
    }
}

/// `keccak256(abi.encode(uint64 index, uint64 timestamp, address sender, uint8 kind, bytes payload))`.
pub fn queue_message_hash(index: u64, timestamp: u64, sender: Address, kind: u8, payload: &[u8]) -> B256 {
    pillar_stf::L1Message::event_hash(index, timestamp, sender, kind, payload)
}

/// Batch kind byte: blobs.
pub const BATCH_KIND_BLOB: u8 = BatchKind::Blob.as_u8();
/// Batch kind byte: calldata.
pub const BATCH_KIND_CALLDATA: u8 = BatchKind::Calldata.as_u8();

/// Data commitment of a blob batch: `keccak256(versionedHash_0 ‖ versionedHash_1 ‖ ...)`.
pub fn blob_data_commitment(versioned_hashes: &[B256]) -> B256 {
    keccak256(versioned_hashes.iter().flat_map(|h| h.0).collect::<Vec<u8>>())
}

/// Data commitment of a calldata batch: `keccak256(data)`.
pub fn calldata_data_commitment(data: &[u8]) -> B256 {
    keccak256(data)
}

pub use pillar_derive::{BatchContext, batch_hash};

/// Entry kind byte: a force entry (`Rollup.forceInclusion`).
pub const BATCH_KIND_FORCE: u8 = BatchKind::Force.as_u8();

#[cfg(test)]
mod tests {
    use alloy::primitives::{b256, hex};

    use super::*;

    fn rep(b: u8) -> B256 {
        B256::repeat_byte(b)
    }

    fn addr(b: u8) -> Address {
        Address::repeat_byte(b)
    }

    #[test]
    fn output_root_vector() {
        let cursor = pillar_stf::DerivationCursor::from_batch(rep(0x44));
        assert_eq!(
            output_root(rep(0x11), rep(0x22), rep(0x33), &cursor),
            b256!("35c3d6b0f5dd4fde134ffcf0f742eb7bd3ba2244144a3426addabf8104452d03")
        );
    }

    #[test]
    fn withdrawal_leaf_vectors() {
        let eth = Withdrawal {
            l2_block: 7,
            index: 2,
            l2_sender: addr(0x11),
            l1_recipient: addr(0x22),
            token: Address::ZERO,
            amount: U256::from(10u64).pow(U256::from(18)),
        };
        assert_eq!(eth.leaf(), b256!("e3b66e6eea925762f6810f183a6b6642a0f03875855f6389aed01f19dfd90e97"));
        let erc20 = Withdrawal { index: 3, token: addr(0x44), amount: U256::from(5_000_000u64), ..eth };
        assert_eq!(erc20.leaf(), b256!("ae29f3e1a8de71f059f7135ab9f3231fa55c10b78630cfa861b600fa3ee72e87"));
    }

    #[test]
    fn tree_vector_and_proofs() {
        let leaves = [rep(1), rep(2), rep(3)];
        let root = withdrawals_root(&leaves);
        assert_eq!(root, b256!("f8f23a80fd4d99d9d231122e1f115145412be3856b23abcc338903e32a80c4ef"));
        assert_eq!(withdrawals_root(&[]), B256::ZERO);
        assert_eq!(withdrawals_root(&[rep(9)]), rep(9));
        // Every leaf of trees of every size up to 17 proves against the root; a wrong proof fails.
        for n in 1..=17u8 {
            let leaves: Vec<B256> = (1..=n).map(rep).collect();
            let root = withdrawals_root(&leaves);
            for (i, leaf) in leaves.iter().enumerate() {
                let proof = withdrawal_proof(&leaves, i).unwrap();
                assert_eq!(proof.root(*leaf), Some(root), "n={n} i={i}");
                let mut longer = proof.clone();
                longer.siblings.push(rep(0xee));
                assert_eq!(longer.root(*leaf), None);
                if n > 1 {
                    assert_ne!(proof.root(rep(0xff)), Some(root));
                }
            }
            assert!(withdrawal_proof(&leaves, leaves.len()).is_none());
        }
        // The odd last leaf of three is carried up: one sibling only.
        assert_eq!(
            withdrawal_proof(&leaves, 2).unwrap().siblings,
            vec![keccak256([rep(1).as_slice(), rep(2).as_slice()].concat())]
        );
    }

    #[test]
    fn queue_vectors() {
        let amount = U256::from(10u64).pow(U256::from(18));
        let payload0 = (addr(0xbb), amount).abi_encode_params();
        assert_eq!(payload0.len(), 64);
        let m0 = queue_message_hash(0, 1_800_000_000, addr(0xaa), 0, &payload0);
        assert_eq!(m0, b256!("223d587bc2a3baf15fc914db48d45e81234905a23ef1a4f6466d5746a5a022d5"));
        let q0 = queue_hash_step(B256::ZERO, m0);
        assert_eq!(q0, b256!("c5311edb26c4ab9c44c8db883cd6b8c991ee487081fdd5d7bce21f0acea469c2"));
        let m1 = queue_message_hash(1, 1_800_000_012, addr(0xaa), 2, &hex!("c0ffee"));
        assert_eq!(m1, b256!("d3064feed39f6ecc89f8c0136140f2434705ca8344a4dea92d812bfdf267fc16"));
        let q1 = queue_hash_step(q0, m1);
        assert_eq!(q1, b256!("9f2eb65bf603cdf1b01755c6dd1f368644136cb5e11966710dc8fe5d130f2f31"));
    }

    #[test]
    fn batch_vectors() {
        // contracts/test/Vectors.t.sol: entries after one ETH deposit (queue head q0 above), at
        // L1 blocks 100, 101 and 102, with an inclusion deadline of 1 s.
        let head = b256!("c5311edb26c4ab9c44c8db883cd6b8c991ee487081fdd5d7bce21f0acea469c2");
        let at = |l1_block, l1_timestamp| BatchContext {
            l1_block,
            l1_timestamp,
            queue_length: 1,
            queue_head: head,
            inclusion_deadline: 1,
        };
        let data = hex!("01deadbeef");
        let b0 = batch_hash(
            B256::ZERO,
            1,
            10,
            BATCH_KIND_CALLDATA,
            calldata_data_commitment(&data),
            &at(100, 1_800_000_000),
        );
        assert_eq!(b0, b256!("977c864c422c548ba8a67eaa0a4537693634379a7ae3c0bb1130c239171e43ff"));
        let c = blob_data_commitment(&[rep(1), rep(2)]);
        assert_eq!(c, b256!("346d8c96a2454213fcc0daff3c96ad0398148181b9fa6488f7ae2c0af5b20aa0"));
        let b1 = batch_hash(b0, 11, 20, BATCH_KIND_BLOB, c, &at(101, 1_800_000_012));
        assert_eq!(b1, b256!("8ec5725f9c3b21ca164e8c70a201570b760f57792cbc6c17b50583ee31e6f806"));
        let b2 = batch_hash(b1, 0, 0, BATCH_KIND_FORCE, B256::ZERO, &at(102, 1_800_000_024));
        assert_eq!(b2, b256!("fa7cb50cdc0604fa1b1fe7eb267fadbd184ff900bd85df6f1d44a0145657095d"));
    }
}
