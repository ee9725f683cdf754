//! The genesis configuration, read by each module for its own section.

use alloc::string::String;
use alloc::vec::Vec;

use pillar_primitives::{Address, AssetId, CallSet};
use serde::{Deserialize, Serialize};

/// Initial state of a chain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Genesis {
    /// Genesis timestamp in milliseconds.
    #[serde(default)]
    pub timestamp_ms: u64,
    /// Flat fee per transaction in native wei.
    #[serde(default, with = "u128_dec")]
    pub tx_fee: u128,
    /// Who receives fees.
    #[serde(default)]
    pub fee_recipient: Address,
    /// Issuer tokens created at genesis, numbered from 1 in order.
    #[serde(default)]
    pub assets: Vec<GenesisAsset>,
    /// Funded accounts.
    #[serde(default)]
    pub accounts: Vec<GenesisAccount>,
    /// Calls applied at genesis, in order, after every module's own genesis: the set-up a chain
    /// starts with (sponsor policies, identity registries, compliance rules, item collections),
    /// made by the same handlers as later transactions, with no signature, nonce or fee.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<GenesisCall>,
}

/// One call applied at genesis as if `sender` had sent it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisCall {
    /// Who the call acts as.
    pub sender: Address,
    /// The call in its JSON form (`{"type": "createCollection", …}`); it is read as the chain's
    /// call type when genesis is applied, since the configuration does not know that type.
    pub call: serde_json::Value,
}

impl GenesisCall {
    /// `call` as `sender`.
    pub fn new<C: CallSet>(sender: Address, call: &C) -> Self {
        let call = serde_json::to_value(call).expect("a call serializes to JSON");
        Self { sender, call }
    }
}

/// An issuer token at genesis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisAsset {
    /// Name.
    pub name: String,
    /// Symbol.
    pub symbol: String,
    /// Decimals.
    pub decimals: u8,
    /// Admin, minter and burner.
    pub admin: Address,
    /// Supply cap (`None`: no cap).
    #[serde(default, with = "opt_u128_dec")]
    pub max_supply: Option<u128>,
}

/// A funded account at genesis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisAccount {
    /// Address.
    pub address: Address,
    /// Native ETH in wei.
    #[serde(default, with = "u128_dec")]
    pub eth: u128,
    /// Balances of genesis tokens.
    #[serde(default)]
    pub tokens: Vec<GenesisBalance>,
}

/// A token balance at genesis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisBalance {
    /// Asset id (genesis tokens are numbered from 1).
    pub asset: AssetId,
    /// Amount.
    #[serde(with = "u128_dec")]
    pub amount: u128,
}

// TOML integers stop at i64; amounts are written as decimal strings.
mod u128_dec {
    use alloc::string::{String, ToString};

    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub(super) fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }
    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        String::deserialize(d)?.parse().map_err(D::Error::custom)
    }
}

mod opt_u128_dec {
    use alloc::string::{String, ToString};

    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub(super) fn serialize<S: Serializer>(v: &Option<u128>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_str(&v.to_string()),
            None => s.serialize_none(),
        }
    }
    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u128>, D::Error> {
        Option::<String>::deserialize(d)?.map(|s| s.parse().map_err(D::Error::custom)).transpose()
    }
}
