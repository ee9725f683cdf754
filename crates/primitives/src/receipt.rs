//! Receipts and events: the outcome of each transaction.

use alloy_primitives::{Address, B256, keccak256};
use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::{AssetId, AssetRole, call::u128_string, codec};

/// The outcome of executing a transaction. A failed call is a valid outcome, not an error: its
/// writes are reverted, its nonce and fee are still consumed.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum TxStatus {
    /// The call succeeded.
    Success,
    /// The call failed; `code` is stable across releases (see docs/transactions.md).
    Failed {
        /// Stable reason code.
        code: u32,
        /// Human-readable reason.
        reason: String,
    },
}

/// Something a module reports happened.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Event {
    /// A fee was charged.
    FeePaid {
        /// Payer.
        from: Address,
        /// Amount in native wei.
        #[serde(with = "u128_string")]
        amount: u128,
    },
    /// Units moved between accounts.
    Transfer {
        /// Asset.
        asset: AssetId,
        /// Sender.
        from: Address,
        /// Recipient.
        to: Address,
        /// Amount.
        #[serde(with = "u128_string")]
        amount: u128,
    },
    /// An issuer token was created.
    AssetCreated {
        /// New asset id.
        asset: AssetId,
        /// Creator (first admin).
        creator: Address,
        /// Name.
        name: String,
        /// Symbol.
        symbol: String,
        /// Decimals.
        decimals: u8,
    },
    /// Units were minted.
    Minted {
        /// Asset.
        asset: AssetId,
        /// Recipient.
        to: Address,
        /// Amount.
        #[serde(with = "u128_string")]
        amount: u128,
    },
    /// Units were burned.
    Burned {
        /// Asset.
        asset: AssetId,
        /// Holder whose units were burned.
        from: Address,
        /// Amount.
        #[serde(with = "u128_string")]
        amount: u128,
    },
    /// A role was granted or revoked.
    RoleChanged {
        /// Asset.
        asset: AssetId,
        /// Role.
        role: AssetRole,
        /// Account.
        account: Address,
        /// Granted (true) or revoked.
        enabled: bool,
    },
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

/// The receipt of one transaction.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    /// Transaction hash.
    pub tx_hash: B256,
    /// Height of the block that holds it.
    pub block_height: u64,
    /// Position in the block.
    pub index: u32,
    /// Recovered sender.
    pub sender: Address,
    /// Nonce consumed.
    pub nonce: u64,
    /// Fee charged in native wei.
    #[serde(with = "u128_string")]
    pub fee_paid: u128,
    /// Outcome.
    #[serde(flatten)]
    pub status: TxStatus,
    /// Events, in order (empty when the call failed, except the fee).
    pub events: Vec<Event>,
}

impl Receipt {
    /// keccak256 of the canonical encoding (leaf of the receipts root).
    pub fn hash(&self) -> B256 {
        keccak256(codec::encode(self))
    }

    /// Whether the call succeeded.
    pub fn is_success(&self) -> bool {
        self.status == TxStatus::Success
    }
}
