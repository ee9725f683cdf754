//! The bridge module's state layout (see docs/state.md).

use alloc::string::ToString;

use borsh::{BorshDeserialize, BorshSerialize};
use pillar_primitives::{Address, AssetId, B256, MerklePeaks};
use pillar_state::{StateMap, StateValue};
use serde::Serialize;

use crate::NAME;

/// A withdrawal recorded on L2, claimable on L1 once an output covering its block finalizes.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WithdrawalRecord {
    /// Block that holds it.
    pub l2_block: u64,
    /// L2 sender.
    pub sender: Address,
    /// L1 recipient.
    pub l1_recipient: Address,
    /// L1 token (zero for ETH).
    pub l1_token: Address,
    /// L2 asset burned.
    pub asset: AssetId,
    /// Amount.
    #[serde(serialize_with = "as_string")]
    pub amount: u128,
    /// Leaf hash (docs/bridge.md §5.1).
    pub leaf: B256,
}

fn as_string<S: serde::Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&v.to_string())
}

/// The cumulative withdrawals tree, append-only.
pub const TREE: StateValue<MerklePeaks> = StateValue::new(NAME, "withdrawals_tree");
/// Every withdrawal by its index in the tree.
pub const WITHDRAWALS: StateMap<u32, WithdrawalRecord> = StateMap::new(NAME, "withdrawal");
/// The L2 asset that represents an L1 token.
pub const L2_ASSET: StateMap<Address, AssetId> = StateMap::new(NAME, "l2_asset");
/// The L1 token an L2 asset represents.
pub const L1_TOKEN: StateMap<AssetId, Address> = StateMap::new(NAME, "l1_token");
/// Bridged ETH (wei): ETH deposits applied on L2 minus ETH withdrawals, the part of the Portal's
/// ETH that L2 holders can claim. Absent means 0; genesis does not write it, so ETH credited at
/// genesis has nothing behind it and cannot leave (docs/bridge.md §5.6).
pub const BRIDGED_ETH: StateValue<u128> = StateValue::new(NAME, "bridged_eth");
