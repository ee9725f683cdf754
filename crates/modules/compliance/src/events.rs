//! The events the `compliance` module emits. Tags are global and append-only: the first is
//! `first_tag`, the rest follow in declaration order.

use pillar_primitives::{Address, AssetId, u128_string};
use serde::{Deserialize, Serialize};

/// Something the `compliance` module reports happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, pillar_macros::Events)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
#[events(module = crate::NAME, first_tag = 8)]
pub enum ComplianceEvent {
    // Compliance audit trail (docs/rwa.md). Appended after the variants above so their borsh
    // tags do not change.
    /// A registry owner appointed or dismissed a registry agent.
    RegistryAgentChanged {
        /// Registry (its owner).
        registry: Address,
        /// Agent.
        agent: Address,
        /// Appointed (true) or dismissed.
        enabled: bool,
    },
    /// A registry owner trusted or distrusted a claim issuer for a topic.
    TrustedIssuerChanged {
        /// Registry.
        registry: Address,
        /// Claim topic.
        topic: u8,
        /// Issuer.
        issuer: Address,
        /// Trusted (true) or distrusted.
        enabled: bool,
    },
    /// An identity was created with its first wallet.
    IdentityRegistered {
        /// Registry.
        registry: Address,
        /// New identity id.
        identity: u64,
        /// First wallet.
        wallet: Address,
        /// Registry agent who registered it.
        by: Address,
    },
    /// A wallet was linked to or unlinked from an identity.
    WalletLinked {
        /// Identity.
        identity: u64,
        /// Wallet.
        wallet: Address,
        /// Linked (true) or unlinked.
        linked: bool,
        /// Who did it.
        by: Address,
    },
    /// A claim was added or replaced.
    ClaimAdded {
        /// Identity.
        identity: u64,
        /// Topic.
        topic: u8,
        /// Value.
        value: u64,
        /// Expiry in ms (0: never).
        expires_ms: u64,
        /// Issuer.
        issuer: Address,
    },
    /// A claim was removed.
    ClaimRemoved {
        /// Identity.
        identity: u64,
        /// Topic.
        topic: u8,
        /// Who removed it.
        by: Address,
    },
    /// A wallet or an identity was put on or taken off a sanctions list (one event per entry).
    SanctionChanged {
        /// Registry.
        registry: Address,
        /// Wallet (zero when the entry is an identity).
        wallet: Address,
        /// Identity (0 when the entry is a wallet).
        identity: u64,
        /// Sanctioned (true) or lifted.
        sanctioned: bool,
        /// Registry agent.
        by: Address,
    },
    /// An asset's rule set was bound or updated.
    ComplianceRulesSet {
        /// Asset.
        asset: AssetId,
        /// Registry the asset uses.
        registry: Address,
        /// Asset admin.
        by: Address,
    },
    /// An asset admin appointed or dismissed an agent.
    ComplianceAgentChanged {
        /// Asset.
        asset: AssetId,
        /// Agent.
        agent: Address,
        /// Appointed (true) or dismissed.
        enabled: bool,
        /// Admin.
        by: Address,
    },
    /// The compliance decision on a movement of a compliant asset that went through (refusals
    /// are recorded by the failed receipt's reason code, 3100 + the restriction code).
    ComplianceApproved {
        /// Asset.
        asset: AssetId,
        /// What moved: 0 transfer, 1 mint, 2 burn, 3 forced transfer, 4 recovery.
        action: u8,
        /// Sender (zero for a mint).
        from: Address,
        /// Recipient (zero for a burn).
        to: Address,
        /// Amount.
        #[serde(with = "u128_string")]
        amount: u128,
    },
    /// An agent paused or resumed an asset.
    AssetPaused {
        /// Asset.
        asset: AssetId,
        /// Paused (true) or resumed.
        paused: bool,
        /// Agent.
        by: Address,
    },
    /// An agent froze or unfroze a wallet.
    WalletFrozen {
        /// Asset.
        asset: AssetId,
        /// Wallet.
        wallet: Address,
        /// Frozen (true) or unfrozen.
        frozen: bool,
        /// Agent.
        by: Address,
    },
    /// An agent froze or unfroze part of a balance.
    AmountFrozen {
        /// Asset.
        asset: AssetId,
        /// Wallet.
        wallet: Address,
        /// Amount frozen (`frozen`) or unfrozen.
        #[serde(with = "u128_string")]
        amount: u128,
        /// Frozen (true) or unfrozen.
        frozen: bool,
        /// The wallet's frozen amount afterwards.
        #[serde(with = "u128_string")]
        total_frozen: u128,
        /// Agent.
        by: Address,
    },
    /// An agent moved units without the holder's signature (a `Transfer` event follows).
    ForcedTransfer {
        /// Asset.
        asset: AssetId,
        /// Holder debited.
        from: Address,
        /// Recipient.
        to: Address,
        /// Amount.
        #[serde(with = "u128_string")]
        amount: u128,
        /// Units that were frozen and were unfrozen to make the move.
        #[serde(with = "u128_string")]
        unfrozen: u128,
        /// Agent.
        by: Address,
    },
    /// An agent moved a lost wallet's balance and identity link to a new wallet.
    WalletRecovered {
        /// Asset.
        asset: AssetId,
        /// Lost wallet.
        lost_wallet: Address,
        /// New wallet.
        new_wallet: Address,
        /// Identity of both.
        identity: u64,
        /// Units moved.
        #[serde(with = "u128_string")]
        amount: u128,
        /// Agent.
        by: Address,
    },
}
