//! Call kinds of the `bridge` module: withdrawals to L1. Semantics are in `docs/bridge.md`.

use borsh::{BorshDeserialize, BorshSerialize};
use pillar_primitives::{Address, AssetId, CallArgs, nonzero, u128_string};
use serde::{Deserialize, Serialize};

/// Burn `amount` of `asset` (native ETH or a bridged ERC-20) and withdraw it to `l1_recipient`.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
    pillar_macros::Eip712,
)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Withdraw {
    /// Asset withdrawn.
    pub asset: AssetId,
    /// Amount.
    #[serde(with = "u128_string")]
    pub amount: u128,
    /// Who receives it on L1.
    pub l1_recipient: Address,
}

impl CallArgs for Withdraw {
    fn check(&self) -> Result<(), &'static str> {
        nonzero(self.amount, "withdrawal amount must be positive")?;
        if self.l1_recipient == Address::ZERO {
            return Err("withdrawal needs an L1 recipient");
        }
        Ok(())
    }

    fn spend(&self) -> Option<(AssetId, u128)> {
        Some((self.asset, self.amount))
    }
}

pillar_primitives::declare_calls! {
    /// The `bridge` module's calls.
    pub enum BridgeCall for crate::NAME {
        /// `bridge`: burn native ETH or a bridged token and record a withdrawal to L1.
        5 => Withdraw(Withdraw),
    }
}
