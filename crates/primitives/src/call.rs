//! The call kinds a transaction can carry.
//!
//! The set is closed and versioned by the borsh enum tag: a tag this node does not know is an
//! "unknown call" and is refused at the door. Each kind's EIP-712 struct is derived from its
//! Rust declaration (`#[derive(Eip712)]`), with the same fields in the same order, and the
//! table below (`declare_calls!`) is the only list of call kinds.

use alloy_primitives::Address;
use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

mod agents;
mod compliance;
mod declare;
mod items;
mod sessions;

use alloc::{string::String, vec, vec::Vec};

use alloy_primitives::B256;
use declare::declare_calls;
use declare::nonzero;
pub use declare::{CallArgs, CallKind};

use crate::eip712::Eip712Struct;
use crate::schema::{CallSchema, FieldSchema, call_doc, json_type};

pub use agents::*;
pub use compliance::*;
pub use items::*;
pub use sessions::*;

/// Identifier of an asset in the `assets` module. Native ETH is [`NATIVE_ASSET`]; issuer tokens
/// are numbered from 1 in creation order (compact ids keep batches small on L1).
pub type AssetId = u32;

/// The native asset: ETH bridged from L1, also used to pay fees.
pub const NATIVE_ASSET: AssetId = 0;

/// Longest asset name accepted, in bytes.
pub const MAX_NAME_LEN: usize = 64;
/// Longest asset symbol accepted, in bytes.
pub const MAX_SYMBOL_LEN: usize = 16;

declare_calls! {
    "assets" {
        /// `assets`: move an amount of an asset to another account.
        0 => Transfer(Transfer),
        /// `assets`: create an issuer token; the sender becomes its admin, minter and burner.
        1 => CreateAsset(CreateAsset),
        /// `assets`: mint new units (minter role).
        2 => Mint(Mint),
        /// `assets`: burn units from the sender's own balance (burner role).
        3 => Burn(Burn),
        /// `assets`: grant or revoke a role on an asset (admin role).
        4 => SetAssetRole(SetAssetRole),
    }
    "bridge" {
        /// `bridge`: burn native ETH or a bridged token and record a withdrawal to L1.
        5 => Withdraw(Withdraw),
    }
    "compliance" {
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
    "sessions" {
        /// `sessions`: authorize a session key to act for the sender within a scope.
        20 => AuthorizeSession(AuthorizeSession),
        /// `sessions`: revoke a session key of the sender.
        21 => RevokeSession(RevokeSession),
        /// `sessions`: set the sender's fee sponsorship policy.
        22 => SetSponsorPolicy(SetSponsorPolicy),
    }
    "agents" {
        /// `agents`: register an agent identity owned by the sender.
        23 => RegisterAgent(RegisterAgent),
        /// `agents`: replace an agent's card, wallet and metadata (owner).
        24 => UpdateAgent(UpdateAgent),
        /// `agents`: hand an agent to a new owner (owner).
        25 => TransferAgent(TransferAgent),
        /// `agents`: leave reputation feedback on an agent.
        26 => GiveFeedback(GiveFeedback),
        /// `agents`: withdraw one's own feedback.
        27 => RevokeFeedback(RevokeFeedback),
        /// `agents`: open a payment channel to an agent, escrowing a deposit.
        28 => OpenChannel(OpenChannel),
        /// `agents`: add to a channel's deposit (payer).
        29 => FundChannel(FundChannel),
        /// `agents`: settle a channel with the payer's latest cumulative voucher (payee).
        30 => SettleChannel(SettleChannel),
        /// `agents`: ask to close a channel, starting its timeout (payer).
        31 => RequestChannelClose(RequestChannelClose),
        /// `agents`: close a channel after its timeout, refunding the rest (payer).
        32 => CloseChannel(CloseChannel),
    }
    "items" {
        /// `items`: create an item collection; the sender is its issuer.
        33 => CreateCollection(CreateCollection),
        /// `items`: appoint or dismiss a minter (issuer).
        34 => SetItemMinter(SetItemMinter),
        /// `items`: define item classes, fungible or unique (issuer).
        35 => DefineItems(DefineItems),
        /// `items`: mint items to a player (minter).
        36 => MintItems(MintItems),
        /// `items`: move the sender's items to another player.
        37 => TransferItems(TransferItems),
        /// `items`: burn items the sender holds.
        38 => BurnItems(BurnItems),
    }
}

/// Call tags of the session-management calls, which a session key may never send (a session
/// that could authorize sessions or sponsor others could widen its own scope).
pub const SESSION_MANAGEMENT_TAGS: [u8; 2] = [AuthorizeSession::TAG, SetSponsorPolicy::TAG];

/// Move `amount` of `asset` from the sender to `to`.
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
pub struct Transfer {
    /// Recipient.
    pub to: Address,
    /// Asset moved.
    pub asset: AssetId,
    /// Amount in the asset's smallest unit.
    #[serde(with = "u128_string")]
    pub amount: u128,
}

impl CallArgs for Transfer {
    fn check(&self) -> Result<(), &'static str> {
        nonzero(self.amount, "transfer amount must be positive")
    }

    fn spend(&self) -> Option<(AssetId, u128)> {
        Some((self.asset, self.amount))
    }
}

/// Create an issuer token.
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
pub struct CreateAsset {
    /// Display name, 1 to 64 bytes.
    pub name: String,
    /// Ticker, 1 to 16 bytes.
    pub symbol: String,
    /// Decimal places for display, at most 36.
    pub decimals: u8,
    /// Cap on total supply (`u128::MAX` for none).
    #[serde(with = "u128_string", rename = "maxSupply")]
    pub max_supply: u128,
}

impl CallArgs for CreateAsset {
    fn check(&self) -> Result<(), &'static str> {
        if self.name.is_empty() || self.name.len() > MAX_NAME_LEN {
            return Err("asset name must be 1 to 64 bytes");
        }
        if self.symbol.is_empty() || self.symbol.len() > MAX_SYMBOL_LEN {
            return Err("asset symbol must be 1 to 16 bytes");
        }
        if self.decimals > 36 {
            return Err("asset decimals must be at most 36");
        }
        Ok(())
    }
}

/// Mint `amount` of `asset` to `to`.
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
pub struct Mint {
    /// Asset minted.
    pub asset: AssetId,
    /// Recipient.
    pub to: Address,
    /// Amount.
    #[serde(with = "u128_string")]
    pub amount: u128,
}

impl CallArgs for Mint {
    fn check(&self) -> Result<(), &'static str> {
        nonzero(self.amount, "mint amount must be positive")
    }
}

/// Burn `amount` of `asset` from the sender's balance.
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
pub struct Burn {
    /// Asset burned.
    pub asset: AssetId,
    /// Amount.
    #[serde(with = "u128_string")]
    pub amount: u128,
}

impl CallArgs for Burn {
    fn check(&self) -> Result<(), &'static str> {
        nonzero(self.amount, "burn amount must be positive")
    }

    fn spend(&self) -> Option<(AssetId, u128)> {
        Some((self.asset, self.amount))
    }
}

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

/// Roles on an issuer token.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
)]
#[borsh(use_discriminant = true)]
#[serde(try_from = "u8", into = "u8")]
#[repr(u8)]
pub enum AssetRole {
    /// May grant and revoke roles.
    Admin = 0,
    /// May mint.
    Minter = 1,
    /// May burn from its own balance.
    Burner = 2,
}

impl TryFrom<u8> for AssetRole {
    type Error = String;
    fn try_from(v: u8) -> Result<Self, String> {
        Self::from_u8(v).ok_or_else(|| format!("unknown asset role {v} (0 admin, 1 minter, 2 burner)"))
    }
}

impl From<AssetRole> for u8 {
    fn from(r: AssetRole) -> u8 {
        r as u8
    }
}

impl AssetRole {
    /// Decodes the role number used in the EIP-712 struct.
    pub fn from_u8(v: u8) -> Option<Self> {
        match v {
            0 => Some(Self::Admin),
            1 => Some(Self::Minter),
            2 => Some(Self::Burner),
            _ => None,
        }
    }
}

/// Grant (`enabled`) or revoke a role on an asset.
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
pub struct SetAssetRole {
    /// Asset.
    pub asset: AssetId,
    /// Role changed.
    pub role: AssetRole,
    /// Account gaining or losing it.
    pub account: Address,
    /// Grant when true, revoke when false.
    pub enabled: bool,
}

impl CallArgs for SetAssetRole {}

/// u128 amounts travel as decimal strings in JSON: JavaScript numbers lose precision past 2^53.
pub(crate) mod u128_string {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub(crate) fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Num {
            S(String),
            N(u64),
        }
        match Num::deserialize(d)? {
            Num::N(n) => Ok(n as u128),
            Num::S(s) => parse_u128(&s).map_err(D::Error::custom),
        }
    }

    /// Parses a decimal or 0x-hex u128, refusing overflow.
    pub(crate) fn parse_u128(s: &str) -> Result<u128, String> {
        let r = if let Some(hex) = s.strip_prefix("0x") {
            u128::from_str_radix(hex, 16)
        } else {
            s.parse::<u128>()
        };
        r.map_err(|e| format!("invalid u128 amount {s:?}: {e}"))
    }
}
