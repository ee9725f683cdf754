//! EIP-712 typed data for every call kind.
//!
//! Domain: `{ name: "Pillar", version: "1", chainId: <L2 chain id> }` (no verifying contract:
//! the chain id alone scopes a signature to one chain). Each call kind is one primary type whose
//! fields are the call's arguments followed by `nonce` and `maxFee`, so a wallet shows exactly
//! what is being authorised. `docs/transactions.md` lists the same definitions.

use std::borrow::Cow;

use alloy_primitives::{B256, U256};
use alloy_sol_types::{Eip712Domain, SolStruct};

use crate::{Call, Transaction};

/// EIP-712 domain name.
pub const DOMAIN_NAME: &str = "Pillar";
/// EIP-712 domain version.
pub const DOMAIN_VERSION: &str = "1";

/// The Solidity-shaped typed structs, one per call kind.
pub mod types {
    #![allow(missing_docs)]
    alloy_sol_types::sol! {
        struct Transfer { address to; uint32 asset; uint128 amount; uint64 nonce; uint128 maxFee; }
        struct CreateAsset { string name; string symbol; uint8 decimals; uint128 maxSupply; uint64 nonce; uint128 maxFee; }
        struct Mint { uint32 asset; address to; uint128 amount; uint64 nonce; uint128 maxFee; }
        struct Burn { uint32 asset; uint128 amount; uint64 nonce; uint128 maxFee; }
        struct SetAssetRole { uint32 asset; uint8 role; address account; bool enabled; uint64 nonce; uint128 maxFee; }
        struct Withdraw { uint32 asset; uint128 amount; address l1Recipient; uint64 nonce; uint128 maxFee; }
    }
}

/// The domain for a chain.
pub fn domain(chain_id: u64) -> Eip712Domain {
    Eip712Domain::new(
        Some(Cow::Borrowed(DOMAIN_NAME)),
        Some(Cow::Borrowed(DOMAIN_VERSION)),
        Some(U256::from(chain_id)),
        None,
        None,
    )
}

/// The digest a wallet signs for `tx`: `keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(message))`.
pub fn signing_hash(tx: &Transaction) -> B256 {
    let d = domain(tx.chain_id);
    let (nonce, max_fee) = (tx.nonce, tx.max_fee);
    match &tx.call {
        Call::Transfer(c) => {
            types::Transfer { to: c.to, asset: c.asset, amount: c.amount, nonce, maxFee: max_fee }
                .eip712_signing_hash(&d)
        }
        Call::CreateAsset(c) => types::CreateAsset {
            name: c.name.clone(),
            symbol: c.symbol.clone(),
            decimals: c.decimals,
            maxSupply: c.max_supply,
            nonce,
            maxFee: max_fee,
        }
        .eip712_signing_hash(&d),
        Call::Mint(c) => types::Mint { asset: c.asset, to: c.to, amount: c.amount, nonce, maxFee: max_fee }
            .eip712_signing_hash(&d),
        Call::Burn(c) => {
            types::Burn { asset: c.asset, amount: c.amount, nonce, maxFee: max_fee }.eip712_signing_hash(&d)
        }
        Call::SetAssetRole(c) => types::SetAssetRole {
            asset: c.asset,
            role: c.role as u8,
            account: c.account,
            enabled: c.enabled,
            nonce,
            maxFee: max_fee,
        }
        .eip712_signing_hash(&d),
        Call::Withdraw(c) => types::Withdraw {
            asset: c.asset,
            amount: c.amount,
            l1Recipient: c.l1_recipient,
            nonce,
            maxFee: max_fee,
        }
        .eip712_signing_hash(&d),
    }
}

/// The EIP-712 type string of a primary type (for documentation and client checks).
pub fn encode_type(type_name: &str) -> Option<Cow<'static, str>> {
    Some(match type_name {
        "Transfer" => types::Transfer::eip712_encode_type(),
        "CreateAsset" => types::CreateAsset::eip712_encode_type(),
        "Mint" => types::Mint::eip712_encode_type(),
        "Burn" => types::Burn::eip712_encode_type(),
        "SetAssetRole" => types::SetAssetRole::eip712_encode_type(),
        "Withdraw" => types::Withdraw::eip712_encode_type(),
        _ => return None,
    })
}
