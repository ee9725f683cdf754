//! Call kinds of the `compliance` module: identity registry, claims, sanctions, per-asset rule
//! sets and issuer agent controls. Semantics are in `docs/rwa.md`.
//!
//! Batch forms take at most [`MAX_BATCH`] entries so that even the largest (forced transfers,
//! 56 bytes per entry) stays well under `MAX_TX_SIZE`.

use alloc::boxed::Box;
use alloc::vec::Vec;

use borsh::{BorshDeserialize, BorshSerialize};
use pillar_primitives::Address;
use serde::{Deserialize, Serialize};

use pillar_primitives::CallArgs;

use pillar_primitives::{AssetId, u128_string};

/// Most entries in one batch call (and most wallets plus identities in one sanctions update).
pub const MAX_BATCH: usize = 64;
/// Highest claim topic (T-REX allows 15 claim topics per token).
pub const MAX_TOPIC: u8 = 15;
/// Claim topic: KYC level (value: 0 none, higher is stronger).
pub const TOPIC_KYC: u8 = 1;
/// Claim topic: country of residence (value: ISO 3166-1 numeric code, 1 to 999).
pub const TOPIC_COUNTRY: u8 = 2;
/// Claim topic: investor type (value: 0 retail, 1 professional, 2 accredited, 3 institutional).
pub const TOPIC_INVESTOR_TYPE: u8 = 3;
/// Most countries in an allow or block list (ISO 3166 has 249).
pub const MAX_COUNTRIES: usize = 250;
/// Most per-country holder caps in a rule set.
pub const MAX_COUNTRY_CAPS: usize = 64;

pub(super) fn check_topic(topic: u8) -> Result<(), &'static str> {
    if topic == 0 || topic > MAX_TOPIC { Err("claim topic must be 1 to 15") } else { Ok(()) }
}

pub(super) fn check_batch(n: usize) -> Result<(), &'static str> {
    if n == 0 || n > MAX_BATCH { Err("a batch holds 1 to 64 entries") } else { Ok(()) }
}

/// Appoint (`enabled`) or dismiss an agent of the identity registry owned by the sender.
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
#[serde(deny_unknown_fields)]
pub struct SetRegistryAgent {
    /// Agent.
    pub agent: Address,
    /// Appoint when true, dismiss when false.
    pub enabled: bool,
}

impl CallArgs for SetRegistryAgent {}

/// Trust (`enabled`) or distrust `issuer` for claims of `topic` in the sender's registry.
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
#[serde(deny_unknown_fields)]
pub struct SetTrustedIssuer {
    /// Claim topic, 1 to 15.
    pub topic: u8,
    /// Claim issuer.
    pub issuer: Address,
    /// Trust when true, distrust when false.
    pub enabled: bool,
}

impl CallArgs for SetTrustedIssuer {
    fn check(&self) -> Result<(), &'static str> {
        check_topic(self.topic)
    }
}

/// Create an identity in `registry` and link `wallet` to it.
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
#[serde(deny_unknown_fields)]
pub struct RegisterIdentity {
    /// Registry (its owner's address).
    pub registry: Address,
    /// First wallet of the identity.
    pub wallet: Address,
}

impl CallArgs for RegisterIdentity {}

/// Link (`linked`) or unlink `wallet` to or from `identity`.
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
#[serde(deny_unknown_fields)]
pub struct LinkWallet {
    /// Identity id.
    pub identity: u64,
    /// Wallet.
    pub wallet: Address,
    /// Link when true, unlink when false.
    pub linked: bool,
}

impl CallArgs for LinkWallet {}

/// Add (or replace) the claim of `topic` on `identity`.
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
pub struct AddClaim {
    /// Identity id.
    pub identity: u64,
    /// Claim topic, 1 to 15.
    pub topic: u8,
    /// Claim value (KYC level, country code, investor type, ...).
    pub value: u64,
    /// Expiry as a block timestamp in ms (0: never expires).
    pub expires_ms: u64,
}

impl CallArgs for AddClaim {
    fn check(&self) -> Result<(), &'static str> {
        check_topic(self.topic)?;
        if self.topic == TOPIC_COUNTRY && !(1..=999).contains(&self.value) {
            return Err("a country claim is an ISO 3166 numeric code, 1 to 999");
        }
        Ok(())
    }
}

/// Remove the claim of `topic` from `identity`.
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
#[serde(deny_unknown_fields)]
pub struct RemoveClaim {
    /// Identity id.
    pub identity: u64,
    /// Claim topic, 1 to 15.
    pub topic: u8,
}

impl CallArgs for RemoveClaim {
    fn check(&self) -> Result<(), &'static str> {
        check_topic(self.topic)
    }
}

/// Put (`sanctioned`) wallets and identities on `registry`'s sanctions list, or take them off.
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
#[serde(deny_unknown_fields)]
pub struct SetSanctions {
    /// Registry.
    pub registry: Address,
    /// Wallets.
    pub wallets: Vec<Address>,
    /// Identity ids.
    pub identities: Vec<u64>,
    /// Sanction when true, lift when false.
    pub sanctioned: bool,
}

impl CallArgs for SetSanctions {
    fn check(&self) -> Result<(), &'static str> {
        let n = self.wallets.len() + self.identities.len();
        if n == 0 || n > MAX_BATCH {
            return Err("a sanctions update lists 1 to 64 wallets and identities");
        }
        Ok(())
    }
}

/// A cap on how many holders (identities) of one country an asset may have.
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
pub struct CountryCap {
    /// ISO 3166-1 numeric country code.
    pub country: u16,
    /// Most holders from that country.
    pub max_holders: u32,
}

/// A claim both parties of a transfer must hold: from a trusted issuer, not expired, value at
/// least `min_value`.
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
pub struct ClaimRequirement {
    /// Claim topic, 1 to 15.
    pub topic: u8,
    /// Lowest accepted value.
    pub min_value: u64,
}

/// The rule set of a compliant asset. Zero means "no limit" for `max_holders`, `max_balance`,
/// `lockup_ms` and `limit_window_ms`; empty lists impose nothing.
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
pub struct SetComplianceRules {
    /// Asset bound.
    pub asset: AssetId,
    /// Identity registry whose identities, claims and sanctions the asset uses (fixed once bound).
    pub registry: Address,
    /// If not empty, recipients must have a country claim in this list.
    pub allowed_countries: Vec<u16>,
    /// Recipients with a country claim in this list are refused.
    pub blocked_countries: Vec<u16>,
    /// Per-country holder caps.
    pub country_caps: Vec<CountryCap>,
    /// Most holders (identities with a positive balance).
    pub max_holders: u32,
    /// Most units one identity may hold across its wallets.
    #[serde(with = "u128_string")]
    pub max_balance: u128,
    /// Minted units stay locked in the recipient wallet for this long.
    pub lockup_ms: u64,
    /// Length of the transfer-limit window per identity.
    pub limit_window_ms: u64,
    /// Most units an identity may send within one window.
    #[serde(with = "u128_string")]
    pub limit_amount: u128,
    /// Claims every party must hold.
    pub required_claims: Vec<ClaimRequirement>,
}

impl CallArgs for SetComplianceRules {
    fn check(&self) -> Result<(), &'static str> {
        self.check_rules()
    }
}

impl SetComplianceRules {
    fn check_rules(&self) -> Result<(), &'static str> {
        if self.allowed_countries.len() > MAX_COUNTRIES || self.blocked_countries.len() > MAX_COUNTRIES {
            return Err("a country list holds at most 250 codes");
        }
        let countries = self.allowed_countries.iter().chain(&self.blocked_countries);
        if countries.chain(self.country_caps.iter().map(|c| &c.country)).any(|c| !(1..=999).contains(c)) {
            return Err("country codes are ISO 3166 numeric, 1 to 999");
        }
        if self.country_caps.len() > MAX_COUNTRY_CAPS {
            return Err("a rule set holds at most 64 country caps");
        }
        if self.required_claims.len() > usize::from(MAX_TOPIC) {
            return Err("a rule set requires at most 15 claims");
        }
        for r in &self.required_claims {
            check_topic(r.topic)?;
        }
        Ok(())
    }
}

/// Appoint (`enabled`) or dismiss an agent of `asset`.
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
#[serde(deny_unknown_fields)]
pub struct SetComplianceAgent {
    /// Asset.
    pub asset: AssetId,
    /// Agent.
    pub agent: Address,
    /// Appoint when true, dismiss when false.
    pub enabled: bool,
}

impl CallArgs for SetComplianceAgent {}

/// Pause (`paused`) or resume holder transfers of each asset.
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
#[serde(deny_unknown_fields)]
pub struct SetPaused {
    /// Assets, 1 to 64.
    pub assets: Vec<AssetId>,
    /// Pause when true, resume when false.
    pub paused: bool,
}

impl CallArgs for SetPaused {
    fn check(&self) -> Result<(), &'static str> {
        check_batch(self.assets.len())
    }
}

/// Freeze (`frozen`) or unfreeze wallets: a frozen wallet neither sends nor receives `asset`.
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
#[serde(deny_unknown_fields)]
pub struct FreezeWallets {
    /// Asset.
    pub asset: AssetId,
    /// Wallets, 1 to 64.
    pub wallets: Vec<Address>,
    /// Freeze when true, unfreeze when false.
    pub frozen: bool,
}

impl CallArgs for FreezeWallets {
    fn check(&self) -> Result<(), &'static str> {
        check_batch(self.wallets.len())
    }
}

/// An amount held by a wallet.
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
#[serde(deny_unknown_fields)]
pub struct AmountEntry {
    /// Wallet.
    pub wallet: Address,
    /// Amount.
    #[serde(with = "u128_string")]
    pub amount: u128,
}

/// Freeze (`frozen`: add to the frozen part) or unfreeze (subtract) parts of balances.
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
#[serde(deny_unknown_fields)]
pub struct FreezeAmounts {
    /// Asset.
    pub asset: AssetId,
    /// Wallets and amounts, 1 to 64.
    pub entries: Vec<AmountEntry>,
    /// Freeze when true, unfreeze when false.
    pub frozen: bool,
}

impl CallArgs for FreezeAmounts {
    fn check(&self) -> Result<(), &'static str> {
        check_batch(self.entries.len())?;
        if self.entries.iter().any(|e| e.amount == 0) {
            return Err("a frozen amount must be positive");
        }
        Ok(())
    }
}

/// One forced move.
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
#[serde(deny_unknown_fields)]
pub struct ForcedEntry {
    /// Holder debited.
    pub from: Address,
    /// Recipient.
    pub to: Address,
    /// Amount.
    #[serde(with = "u128_string")]
    pub amount: u128,
}

/// Move balances of `asset` without the holders' signatures.
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
#[serde(deny_unknown_fields)]
pub struct ForcedTransfers {
    /// Asset.
    pub asset: AssetId,
    /// Moves, 1 to 64, applied in order.
    pub entries: Vec<ForcedEntry>,
}

impl CallArgs for ForcedTransfers {
    fn check(&self) -> Result<(), &'static str> {
        check_batch(self.entries.len())?;
        if self.entries.iter().any(|e| e.amount == 0) {
            return Err("a forced transfer amount must be positive");
        }
        Ok(())
    }
}

/// One wallet recovery.
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
pub struct WalletRecovery {
    /// The wallet whose key is lost.
    pub lost_wallet: Address,
    /// The wallet that replaces it.
    pub new_wallet: Address,
}

/// Move each lost wallet's whole balance of `asset` (frozen part and lock-ups included) and its
/// identity link to a new wallet.
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
#[serde(deny_unknown_fields)]
pub struct RecoverWallets {
    /// Asset.
    pub asset: AssetId,
    /// Recoveries, 1 to 64, applied in order.
    pub entries: Vec<WalletRecovery>,
}

impl CallArgs for RecoverWallets {
    fn check(&self) -> Result<(), &'static str> {
        check_batch(self.entries.len())?;
        if self.entries.iter().any(|e| e.lost_wallet == e.new_wallet) {
            return Err("a recovery must name a new wallet different from the lost one");
        }
        Ok(())
    }
}

pillar_primitives::declare_calls! {
    /// The `compliance` module's calls.
    pub enum ComplianceCall for crate::NAME {
        /// `compliance`: appoint or dismiss an agent of the sender's identity registry.
        6 => SetRegistryAgent(SetRegistryAgent),
        /// `compliance`: trust or distrust a claim issuer for one topic in the sender's registry.
        7 => SetTrustedIssuer(SetTrustedIssuer),
        /// `compliance`: create an identity in a registry and link its first wallet (registry agent).
        8 => RegisterIdentity(RegisterIdentity),
        /// `compliance`: link or unlink a wallet of an identity (registry agent).
        9 => LinkWallet(LinkWallet),
        /// `compliance`: add or replace a claim on an identity (trusted issuer of the topic).
        10 => AddClaim(AddClaim),
        /// `compliance`: remove a claim from an identity.
        11 => RemoveClaim(RemoveClaim),
        /// `compliance`: add wallets and identities to, or remove them from, a registry's sanctions list.
        12 => SetSanctions(SetSanctions),
        /// `compliance`: bind or update the rule set of an asset (asset admin). Boxed because it is
        /// far larger than the other calls (borsh and JSON encode it as if unboxed).
        13 => SetComplianceRules(Box<SetComplianceRules>),
        /// `compliance`: appoint or dismiss an agent of an asset (asset admin).
        14 => SetComplianceAgent(SetComplianceAgent),
        /// `compliance`: pause or unpause holder transfers of assets (agent).
        15 => SetPaused(SetPaused),
        /// `compliance`: freeze or unfreeze wallets for an asset (agent).
        16 => FreezeWallets(FreezeWallets),
        /// `compliance`: freeze or unfreeze parts of wallets' balances (agent).
        17 => FreezeAmounts(FreezeAmounts),
        /// `compliance`: move balances without the holder's signature (agent).
        18 => ForcedTransfers(ForcedTransfers),
        /// `compliance`: move a lost wallet's balance and identity link to a new wallet (agent).
        19 => RecoverWallets(RecoverWallets),
    }
}
