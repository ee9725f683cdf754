//! Read-only queries, including the ERC-1404 `canTransfer`.

use alloc::string::ToString;
use alloc::vec::Vec;

use crate::MAX_TOPIC;
use pillar_assets::balance;
use pillar_primitives::{Address, AssetId};
use pillar_runtime::{Queries, QueryError, query_params};
use pillar_state::{KeyPath, StateRead};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{
    NAME, OK_MESSAGE, Restriction,
    decide::{Action, Movement, decide, frozen_amount, identity_of, locked, sanctioned},
    state::{
        CLAIMS, CLOCK, COUNTRY_HOLDERS, FROZEN_WALLETS, HOLDERS, IDENTITIES, LOTS, PAUSED, POSITIONS, RULES,
        WALLET_IDENTITY,
    },
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CanTransferParams {
    asset: AssetId,
    from: Address,
    to: Address,
    #[serde(with = "amount")]
    amount: u128,
    /// Block time to judge at (default: the last block's).
    at_ms: Option<u64>,
}

mod amount {
    use alloc::string::String;

    use serde::{Deserialize, Deserializer};

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Num {
            S(String),
            N(u64),
        }
        match Num::deserialize(d)? {
            Num::N(n) => Ok(u128::from(n)),
            Num::S(s) => s.parse().map_err(serde::de::Error::custom),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssetParams {
    asset: AssetId,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WalletParams {
    asset: AssetId,
    wallet: Address,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IdentityParams {
    identity: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IdentityOfParams {
    registry: Address,
    wallet: Address,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PositionParams {
    asset: AssetId,
    identity: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CountryParams {
    asset: AssetId,
    country: u16,
}

/// ERC-1404 `detectTransferRestriction` for a holder transfer: 0 when it would go through.
pub fn can_transfer(
    state: &(impl StateRead + ?Sized),
    asset: AssetId,
    from: Address,
    to: Address,
    amount: u128,
    now: u64,
) -> Result<Option<Restriction>, pillar_state::StateError> {
    match RULES.get(state, &asset)? {
        Some(rules) => {
            let m = Movement { asset, action: Action::Transfer, from: Some(from), to: Some(to), amount };
            Ok(decide(state, &rules, now, &m)?.err())
        }
        // No rules: only the balance can stand in the way.
        None => Ok((balance(state, from, asset)? < amount).then_some(Restriction::InsufficientBalance)),
    }
}

impl Queries for crate::Compliance {
    fn query(&self, state: &dyn StateRead, method: &str, params: &Value) -> Result<Value, QueryError> {
        match method {
            "canTransfer" => {
                let p: CanTransferParams = query_params(method, params)?;
                let now = match p.at_ms {
                    Some(t) => t,
                    None => CLOCK.get(state)?.unwrap_or(0),
                };
                Ok(match can_transfer(state, p.asset, p.from, p.to, p.amount, now)? {
                    None => json!({"code": 0, "message": OK_MESSAGE}),
                    Some(r) => {
                        json!({"code": r.code(), "message": r.message(), "reasonCode": 3100 + u32::from(r.code())})
                    }
                })
            }
            "rules" => {
                let p: AssetParams = query_params(method, params)?;
                Ok(match RULES.get(state, &p.asset)? {
                    Some(r) => json!({
                        "rules": r,
                        "paused": PAUSED.get(state, &p.asset)?.unwrap_or(false),
                        "holders": HOLDERS.get(state, &p.asset)?.unwrap_or(0),
                    }),
                    None => Value::Null,
                })
            }
            "wallet" => {
                let p: WalletParams = query_params(method, params)?;
                let now = CLOCK.get(state)?.unwrap_or(0);
                let registry = RULES.get(state, &p.asset)?.map(|r| r.registry);
                let identity = match registry {
                    Some(reg) => identity_of(state, reg, p.wallet)?,
                    None => None,
                };
                let lots = LOTS.get(state, &(p.asset, p.wallet))?.unwrap_or_default();
                Ok(json!({
                    "balance": balance(state, p.wallet, p.asset)?.to_string(),
                    "identity": identity,
                    "frozen": FROZEN_WALLETS.get(state, &(p.asset, p.wallet))?.unwrap_or(false),
                    "frozenAmount": frozen_amount(state, p.asset, p.wallet)?.to_string(),
                    "locked": locked(&lots, now).to_string(),
                    "lots": lots,
                    "sanctioned": match (registry, identity) {
                        (Some(reg), Some(id)) => sanctioned(state, reg, p.wallet, id)?,
                        _ => false,
                    },
                }))
            }
            "identity" => {
                let p: IdentityParams = query_params(method, params)?;
                let Some(info) = IDENTITIES.get(state, &p.identity)? else { return Ok(Value::Null) };
                let mut claims = Vec::new();
                for topic in 1..=MAX_TOPIC {
                    if let Some(c) = CLAIMS.get(state, &(p.identity, topic))? {
                        claims.push(json!({"topic": topic, "claim": c}));
                    }
                }
                Ok(json!({"id": p.identity, "info": info, "claims": claims}))
            }
            "identityOf" => {
                let p: IdentityOfParams = query_params(method, params)?;
                Ok(json!(WALLET_IDENTITY.get(state, &(p.registry, p.wallet))?))
            }
            "position" => {
                let p: PositionParams = query_params(method, params)?;
                Ok(json!(POSITIONS.get(state, &(p.asset, p.identity))?))
            }
            "countryHolders" => {
                let p: CountryParams = query_params(method, params)?;
                Ok(json!(COUNTRY_HOLDERS.get(state, &(p.asset, p.country))?.unwrap_or(0)))
            }
            _ => Err(QueryError::UnknownMethod { module: NAME, method: method.to_string() }),
        }
    }

    fn state_key(&self, field: &str, params: &Value) -> Result<KeyPath, QueryError> {
        match field {
            "rules" => Ok(RULES.key(&query_params::<AssetParams>(field, params)?.asset)),
            "identity" => Ok(IDENTITIES.key(&query_params::<IdentityParams>(field, params)?.identity)),
            "identityOf" => {
                let p: IdentityOfParams = query_params(field, params)?;
                Ok(WALLET_IDENTITY.key(&(p.registry, p.wallet)))
            }
            "position" => {
                let p: PositionParams = query_params(field, params)?;
                Ok(POSITIONS.key(&(p.asset, p.identity)))
            }
            "frozenWallet" => {
                let p: WalletParams = query_params(field, params)?;
                Ok(FROZEN_WALLETS.key(&(p.asset, p.wallet)))
            }
            _ => Err(QueryError::UnknownMethod { module: NAME, method: field.to_string() }),
        }
    }
}
