//! The bridge module's failures and their stable codes (2000–2099).

use pillar_primitives::AssetId;

/// Why a bridge call or deposit failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BridgeError {
    /// The asset has no L1 counterpart.
    #[error("asset {asset} is not bridged from L1, so it cannot be withdrawn")]
    NotBridged {
        /// Asset.
        asset: AssetId,
    },
    /// The withdrawals tree is full (2^32 leaves).
    #[error("the withdrawals tree is full")]
    TreeFull,
    /// A deposit would overflow the recipient's balance or the asset's supply.
    #[error("deposit of {amount} of asset {asset} overflows u128; it is refused and stays on L1")]
    DepositOverflow {
        /// Asset.
        asset: AssetId,
        /// Amount.
        amount: u128,
    },
    /// An ETH withdrawal larger than the ETH bridged in through the Portal (deposits minus
    /// withdrawals): L1 could not pay it. ETH credited at L2 genesis has nothing behind it in the
    /// Portal, so it cannot leave until deposits back it (docs/bridge.md §5.6).
    #[error(
        "withdrawal of {amount} wei is not backed on L1: only {bridged} wei of ETH came in through the \
         Portal and is not yet withdrawn (ETH credited at L2 genesis cannot be withdrawn)"
    )]
    WithdrawalUnbacked {
        /// Amount asked for.
        amount: u128,
        /// Bridged ETH left (wei).
        bridged: u128,
    },
}

impl BridgeError {
    /// The stable reason code.
    pub fn code(&self) -> u32 {
        match self {
            Self::NotBridged { .. } => 2001,
            Self::TreeFull => 2002,
            Self::DepositOverflow { .. } => 2003,
            Self::WithdrawalUnbacked { .. } => 2004,
        }
    }
}

impl pillar_runtime::ModuleError for BridgeError {
    fn code(&self) -> u32 {
        BridgeError::code(self)
    }
}
