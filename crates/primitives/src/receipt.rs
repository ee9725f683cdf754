//! Receipts and events: the outcome of each transaction.

use alloy_primitives::{Address, B256, keccak256};
use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::{AssetId, AssetRole, SessionKey, call::u128_string, codec};

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
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
    pillar_macros::Schema,
)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Event {
    /// A fee was charged.
    #[schema(module = "assets")]
    FeePaid {
        /// Payer.
        from: Address,
        /// Amount in native wei.
        #[serde(with = "u128_string")]
        amount: u128,
    },
    /// Units moved between accounts.
    #[schema(module = "assets")]
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
    #[schema(module = "assets")]
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
    #[schema(module = "assets")]
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
    #[schema(module = "assets")]
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
    #[schema(module = "assets")]
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
    #[schema(module = "bridge")]
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
    #[schema(module = "bridge")]
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
    // Compliance audit trail (docs/rwa.md). Appended after the variants above so their borsh
    // tags do not change.
    /// A registry owner appointed or dismissed a registry agent.
    #[schema(module = "compliance")]
    RegistryAgentChanged {
        /// Registry (its owner).
        registry: Address,
        /// Agent.
        agent: Address,
        /// Appointed (true) or dismissed.
        enabled: bool,
    },
    /// A registry owner trusted or distrusted a claim issuer for a topic.
    #[schema(module = "compliance")]
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
    #[schema(module = "compliance")]
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
    #[schema(module = "compliance")]
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
    #[schema(module = "compliance")]
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
    #[schema(module = "compliance")]
    ClaimRemoved {
        /// Identity.
        identity: u64,
        /// Topic.
        topic: u8,
        /// Who removed it.
        by: Address,
    },
    /// A wallet or an identity was put on or taken off a sanctions list (one event per entry).
    #[schema(module = "compliance")]
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
    #[schema(module = "compliance")]
    ComplianceRulesSet {
        /// Asset.
        asset: AssetId,
        /// Registry the asset uses.
        registry: Address,
        /// Asset admin.
        by: Address,
    },
    /// An asset admin appointed or dismissed an agent.
    #[schema(module = "compliance")]
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
    #[schema(module = "compliance")]
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
    #[schema(module = "compliance")]
    AssetPaused {
        /// Asset.
        asset: AssetId,
        /// Paused (true) or resumed.
        paused: bool,
        /// Agent.
        by: Address,
    },
    /// An agent froze or unfroze a wallet.
    #[schema(module = "compliance")]
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
    #[schema(module = "compliance")]
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
    #[schema(module = "compliance")]
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
    #[schema(module = "compliance")]
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
    /// An account authorized (or re-authorized) a session key.
    #[schema(module = "sessions")]
    SessionAuthorized {
        /// Account.
        account: Address,
        /// Session key.
        key: SessionKey,
        /// Expiry (block time, ms).
        expires_ms: u64,
    },
    /// An account revoked a session key.
    #[schema(module = "sessions")]
    SessionRevoked {
        /// Account.
        account: Address,
        /// Session key.
        key: SessionKey,
    },
    /// A sponsor set its policy.
    #[schema(module = "sessions")]
    SponsorPolicySet {
        /// Sponsor.
        sponsor: Address,
        /// Fees it will still pay.
        #[serde(with = "u128_string")]
        budget: u128,
    },
    /// An agent identity was registered.
    #[schema(module = "agents")]
    AgentRegistered {
        /// Agent id.
        agent: u64,
        /// Owner.
        owner: Address,
        /// Card URI.
        card_uri: String,
    },
    /// An agent's card, wallet or metadata changed.
    #[schema(module = "agents")]
    AgentUpdated {
        /// Agent id.
        agent: u64,
        /// Card URI now.
        card_uri: String,
        /// Payment wallet now.
        wallet: Address,
    },
    /// An agent changed owner.
    #[schema(module = "agents")]
    AgentTransferred {
        /// Agent id.
        agent: u64,
        /// Previous owner.
        from: Address,
        /// New owner.
        to: Address,
    },
    /// Feedback was left on an agent.
    #[schema(module = "agents")]
    FeedbackGiven {
        /// Agent id.
        agent: u64,
        /// Index among the agent's feedback.
        index: u64,
        /// Who left it.
        client: Address,
        /// Score, 0 to 100.
        score: u8,
        /// Whether the client had paid the agent through a settled channel when it rated.
        paid: bool,
    },
    /// Feedback was withdrawn by its author.
    #[schema(module = "agents")]
    FeedbackRevoked {
        /// Agent id.
        agent: u64,
        /// Index.
        index: u64,
    },
    /// A payment channel was opened (or topped up: `deposit` is the total now).
    #[schema(module = "agents")]
    ChannelFunded {
        /// Channel id.
        channel: u64,
        /// Payer.
        payer: Address,
        /// Payee agent.
        agent: u64,
        /// Asset.
        asset: AssetId,
        /// Total deposit now.
        #[serde(with = "u128_string")]
        deposit: u128,
    },
    /// A voucher was settled: `paid` went to the agent's wallet.
    #[schema(module = "agents")]
    ChannelSettled {
        /// Channel id.
        channel: u64,
        /// Cumulative amount of the voucher.
        #[serde(with = "u128_string")]
        cumulative: u128,
        /// Paid by this settlement.
        #[serde(with = "u128_string")]
        paid: u128,
    },
    /// The payer asked to close a channel; the payee may settle until `closes_at_ms`.
    #[schema(module = "agents")]
    ChannelCloseRequested {
        /// Channel id.
        channel: u64,
        /// Block time (ms) from which the payer may close.
        closes_at_ms: u64,
    },
    /// A channel ended; `refunded` went back to the payer.
    #[schema(module = "agents")]
    ChannelClosed {
        /// Channel id.
        channel: u64,
        /// Refunded to the payer.
        #[serde(with = "u128_string")]
        refunded: u128,
    },
    /// An item collection was created.
    #[schema(module = "items")]
    CollectionCreated {
        /// Collection id.
        collection: u32,
        /// Issuer.
        issuer: Address,
        /// Name.
        name: String,
    },
    /// A collection's issuer appointed or dismissed a minter.
    #[schema(module = "items")]
    ItemMinterChanged {
        /// Collection id.
        collection: u32,
        /// Minter.
        minter: Address,
        /// Appointed (true) or dismissed.
        enabled: bool,
    },
    /// An item class was defined.
    #[schema(module = "items")]
    ItemDefined {
        /// Collection id.
        collection: u32,
        /// Item id.
        item: u64,
        /// Supply cap (1: unique).
        #[serde(with = "u128_string")]
        max_supply: u128,
        /// Whether players may move it.
        transferable: bool,
    },
    /// Items moved: minted (`from` zero), transferred, or burned (`to` zero). One event per item.
    #[schema(module = "items")]
    ItemsMoved {
        /// Collection id.
        collection: u32,
        /// Item id.
        item: u64,
        /// Holder debited (zero for a mint).
        from: Address,
        /// Holder credited (zero for a burn).
        to: Address,
        /// Units.
        #[serde(with = "u128_string")]
        amount: u128,
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

    /// The failure's stable code, if the call failed.
    pub fn failure_code(&self) -> Option<u32> {
        match self.status {
            TxStatus::Failed { code, .. } => Some(code),
            TxStatus::Success => None,
        }
    }
}
