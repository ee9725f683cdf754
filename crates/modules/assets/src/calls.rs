//! Call kinds of the `assets` module: transfers, issuer tokens, minting, burning and roles.
//! Semantics are in `docs/transactions.md`.

use alloc::string::String;

use borsh::{BorshDeserialize, BorshSerialize};
use pillar_primitives::{Address, AssetId, CallArgs, MAX_NAME_LEN, nonzero, u128_string};
use serde::{Deserialize, Serialize};

/// Longest asset symbol accepted, in bytes.
pub const MAX_SYMBOL_LEN: usize = 16;

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

pillar_primitives::declare_calls! {
    /// The `assets` module's calls.
    pub enum AssetsCall for crate::NAME {
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
}
