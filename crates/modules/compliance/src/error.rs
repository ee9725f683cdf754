//! The compliance module's failures and their stable codes (3000–3199).

use pillar_primitives::{Address, AssetId};
use pillar_runtime::CallError;

use crate::Restriction;

/// Why a compliance call, or a movement of a compliant asset, failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComplianceError {
    /// The sender is neither the registry's owner nor one of its agents.
    #[error("{account} is not an agent of registry {registry}")]
    NotRegistryAgent {
        /// Registry.
        registry: Address,
        /// Sender.
        account: Address,
    },
    /// The sender is not trusted for claims of the topic in the identity's registry.
    #[error("{account} is not a trusted issuer of topic {topic} in registry {registry}")]
    NotTrustedIssuer {
        /// Registry.
        registry: Address,
        /// Topic.
        topic: u8,
        /// Sender.
        account: Address,
    },
    /// No such identity.
    #[error("unknown identity {identity}")]
    UnknownIdentity {
        /// Identity asked for.
        identity: u64,
    },
    /// The wallet already has an identity in the registry.
    #[error("wallet {wallet} is already linked to identity {identity}")]
    WalletAlreadyLinked {
        /// Wallet.
        wallet: Address,
        /// Its identity.
        identity: u64,
    },
    /// The wallet is not linked to the identity.
    #[error("wallet {wallet} is not linked to identity {identity}")]
    WalletNotLinked {
        /// Wallet.
        wallet: Address,
        /// Identity named.
        identity: u64,
    },
    /// The wallet still holds compliant assets of the registry, so unlinking it would leave
    /// them without an identity.
    #[error("wallet {wallet} still holds {holdings} compliant asset(s); recover or move them first")]
    WalletHoldsAssets {
        /// Wallet.
        wallet: Address,
        /// Compliant assets held.
        holdings: u32,
    },
    /// The identity has the most wallets allowed.
    #[error("identity {identity} already has {max} wallets")]
    TooManyWallets {
        /// Identity.
        identity: u64,
        /// Limit.
        max: u32,
    },
    /// No claim of the topic to remove.
    #[error("identity {identity} has no claim of topic {topic}")]
    NoClaim {
        /// Identity.
        identity: u64,
        /// Topic.
        topic: u8,
    },
    /// The sender is not the asset's admin.
    #[error("{account} is not an admin of asset {asset}")]
    NotAssetAdmin {
        /// Asset.
        asset: AssetId,
        /// Sender.
        account: Address,
    },
    /// The sender is neither an admin nor an agent of the asset.
    #[error("{account} is not an agent of asset {asset}")]
    NotAgent {
        /// Asset.
        asset: AssetId,
        /// Sender.
        account: Address,
    },
    /// The asset has no rule set.
    #[error("asset {asset} has no compliance rules")]
    NoRules {
        /// Asset.
        asset: AssetId,
    },
    /// No such asset.
    #[error("unknown asset {asset}")]
    UnknownAsset {
        /// Asset.
        asset: AssetId,
    },
    /// Native ETH cannot be a compliant asset.
    #[error("native ETH cannot have compliance rules")]
    NativeAsset,
    /// Rules are bound only to an asset with no supply yet, so tracking starts with its first unit.
    #[error("asset {asset} already has a supply of {supply}; bind rules before the first mint")]
    AssetHasSupply {
        /// Asset.
        asset: AssetId,
        /// Its supply.
        supply: u128,
    },
    /// An asset's registry is fixed once bound.
    #[error("asset {asset} uses registry {bound}; its registry cannot change")]
    RegistryChanged {
        /// Asset.
        asset: AssetId,
        /// Registry bound.
        bound: Address,
    },
    /// Freezing more than the wallet holds unfrozen.
    #[error("cannot freeze {amount} more of {wallet}: balance {balance}, already frozen {frozen}")]
    FreezeExceedsBalance {
        /// Wallet.
        wallet: Address,
        /// Amount asked.
        amount: u128,
        /// Balance.
        balance: u128,
        /// Already frozen.
        frozen: u128,
    },
    /// Unfreezing more than is frozen.
    #[error("cannot unfreeze {amount} of {wallet}: only {frozen} is frozen")]
    UnfreezeExceedsFrozen {
        /// Wallet.
        wallet: Address,
        /// Amount asked.
        amount: u128,
        /// Frozen.
        frozen: u128,
    },
    /// The recovery's lost wallet has no identity in the asset's registry.
    #[error("lost wallet {wallet} has no identity in the asset's registry")]
    LostWalletNotRegistered {
        /// Wallet.
        wallet: Address,
    },
    /// The recovery's new wallet belongs to another identity.
    #[error("new wallet {wallet} belongs to identity {other}, not {identity}")]
    RecoveryToOtherIdentity {
        /// Wallet.
        wallet: Address,
        /// The lost wallet's identity.
        identity: u64,
        /// The identity the new wallet belongs to.
        other: u64,
    },
    /// A counter or amount would overflow.
    #[error("overflow: {what}")]
    Overflow {
        /// What overflowed.
        what: &'static str,
    },
    /// Every identity id is taken.
    #[error("no identity ids left")]
    IdentityIdsExhausted,
    /// The movement breaks a rule of the asset.
    #[error("transfer restricted: {} (restriction {})", .restriction.message(), .restriction.code())]
    Restricted {
        /// The rule.
        restriction: Restriction,
    },
}

impl ComplianceError {
    /// The stable reason code: 3001–3099 for call failures, `3100 + restriction code` for a
    /// movement refused by a rule.
    pub fn code(&self) -> u32 {
        match self {
            Self::NotRegistryAgent { .. } => 3001,
            Self::NotTrustedIssuer { .. } => 3002,
            Self::UnknownIdentity { .. } => 3003,
            Self::WalletAlreadyLinked { .. } => 3004,
            Self::WalletNotLinked { .. } => 3005,
            Self::WalletHoldsAssets { .. } => 3006,
            Self::TooManyWallets { .. } => 3007,
            Self::NoClaim { .. } => 3008,
            Self::NotAssetAdmin { .. } => 3009,
            Self::NotAgent { .. } => 3010,
            Self::NoRules { .. } => 3011,
            Self::UnknownAsset { .. } => 3012,
            Self::NativeAsset => 3013,
            Self::AssetHasSupply { .. } => 3014,
            Self::RegistryChanged { .. } => 3015,
            Self::FreezeExceedsBalance { .. } => 3016,
            Self::UnfreezeExceedsFrozen { .. } => 3017,
            Self::LostWalletNotRegistered { .. } => 3018,
            Self::RecoveryToOtherIdentity { .. } => 3019,
            Self::Overflow { .. } => 3020,
            Self::IdentityIdsExhausted => 3021,
            Self::Restricted { restriction } => 3100 + u32::from(restriction.code()),
        }
    }
}

impl From<Restriction> for ComplianceError {
    fn from(restriction: Restriction) -> Self {
        Self::Restricted { restriction }
    }
}

impl pillar_runtime::ModuleError for ComplianceError {
    fn code(&self) -> u32 {
        ComplianceError::code(self)
    }
}

impl From<Restriction> for CallError {
    fn from(r: Restriction) -> Self {
        ComplianceError::from(r).into()
    }
}
