//! The events the `bridge` module emits. Tags are global and append-only: the first is
//! `first_tag`, the rest follow in declaration order.

use pillar_primitives::{Address, AssetId, B256, u128_string};
use serde::{Deserialize, Serialize};

/// Something the `bridge` module reports happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, pillar_macros::Events)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
#[events(module = crate::NAME, first_tag = 6)]
pub enum BridgeEvent {
    /// An L1 deposit was credited.
    Deposited {
        /// L1 queue index of the message.
        queue_index: u64,
        /// L1 sender.
        from: Address,
        /// L2 recipient.
        to: Address,
        /// L2 asset credited.
        asset: AssetId,
        /// L1 token (zero for ETH).
        l1_token: Address,
        /// Amount.
        #[serde(with = "u128_string")]
        amount: u128,
    },
    /// A withdrawal to L1 was recorded; prove `leaf` against a finalized output to claim it.
    WithdrawalInitiated {
        /// Position in the chain's withdrawals tree.
        index: u32,
        /// Height of the block that holds it.
        l2_block: u64,
        /// L2 sender.
        sender: Address,
        /// L1 recipient.
        l1_recipient: Address,
        /// L1 token (zero for ETH).
        l1_token: Address,
        /// Amount.
        #[serde(with = "u128_string")]
        amount: u128,
        /// The leaf hash (docs/bridge.md §5.1).
        leaf: B256,
    },
}
