//! The assets module's failures and their stable codes (1000–1099).

use crate::AssetRole;
use pillar_primitives::{Address, AssetId};

/// Why an assets call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssetsError {
    /// Balance below the amount.
    #[error("insufficient balance of asset {asset}: have {balance}, need {needed}")]
    InsufficientBalance {
        /// Asset.
        asset: AssetId,
        /// Balance.
        balance: u128,
        /// Amount needed.
        needed: u128,
    },
    /// No such asset.
    #[error("unknown asset {asset}")]
    UnknownAsset {
        /// Asset asked for.
        asset: AssetId,
    },
    /// The sender lacks the role.
    #[error("{account} lacks the {role:?} role on asset {asset}")]
    MissingRole {
        /// Asset.
        asset: AssetId,
        /// Role required.
        role: AssetRole,
        /// Account.
        account: Address,
    },
    /// Minting would pass the cap.
    #[error("minting {amount} of asset {asset} would exceed its max supply {max_supply}")]
    SupplyCapExceeded {
        /// Asset.
        asset: AssetId,
        /// Amount asked.
        amount: u128,
        /// Cap.
        max_supply: u128,
    },
    /// An amount would overflow u128.
    #[error("amount overflows: {what}")]
    Overflow {
        /// What overflowed.
        what: &'static str,
    },
    /// Native ETH is minted and burned only by the bridge.
    #[error("native ETH cannot be minted, burned or given roles by a transaction")]
    NativeAsset,
    /// Every asset id is taken.
    #[error("no asset ids left")]
    AssetIdsExhausted,
}

impl AssetsError {
    /// The stable reason code.
    pub fn code(&self) -> u32 {
        match self {
            Self::InsufficientBalance { .. } => 1001,
            Self::UnknownAsset { .. } => 1002,
            Self::MissingRole { .. } => 1003,
            Self::SupplyCapExceeded { .. } => 1004,
            Self::Overflow { .. } => 1005,
            Self::NativeAsset => 1006,
            Self::AssetIdsExhausted => 1007,
        }
    }
}

impl pillar_runtime::ModuleError for AssetsError {
    fn code(&self) -> u32 {
        AssetsError::code(self)
    }
}
