//! Read-only queries.

use alloc::string::ToString;

use pillar_primitives::{Address, AssetId, NATIVE_ASSET};
use pillar_runtime::{Queries, QueryError, query_params};
use pillar_state::{KeyPath, StateRead};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{
    NAME, balance, fees,
    state::{ASSETS, BALANCES, NEXT_ASSET},
};

/// How many issuer assets `balances` scans: balances are keyed by hash, so listing an account's
/// holdings means probing each asset id.
pub const MAX_SCANNED_ASSETS: AssetId = 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BalanceParams {
    address: Address,
    #[serde(default)]
    asset: AssetId,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddressParams {
    address: Address,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssetParams {
    asset: AssetId,
}

impl Queries for crate::Assets {
    fn query(&self, state: &dyn StateRead, method: &str, params: &Value) -> Result<Value, QueryError> {
        match method {
            "balance" => {
                let p: BalanceParams = query_params(method, params)?;
                Ok(json!(balance(state, p.address, p.asset)?.to_string()))
            }
            "balances" => {
                let p: AddressParams = query_params(method, params)?;
                let mut out = vec![
                    json!({"asset": NATIVE_ASSET, "amount": balance(state, p.address, NATIVE_ASSET)?.to_string()}),
                ];
                let next = NEXT_ASSET.get(state)?.unwrap_or(1).min(MAX_SCANNED_ASSETS + 1);
                for asset in 1..next {
                    let b = balance(state, p.address, asset)?;
                    if b > 0 {
                        out.push(json!({"asset": asset, "amount": b.to_string()}));
                    }
                }
                Ok(Value::Array(out))
            }
            "asset" => {
                let p: AssetParams = query_params(method, params)?;
                Ok(match ASSETS.get(state, &p.asset)? {
                    Some(info) => json!({"id": p.asset, "info": info}),
                    None => Value::Null,
                })
            }
            "nextAssetId" => Ok(json!(NEXT_ASSET.get(state)?.unwrap_or(1))),
            "fees" => Ok(serde_json::to_value(fees(state)?).unwrap_or(Value::Null)),
            _ => Err(QueryError::UnknownMethod { module: NAME, method: method.to_string() }),
        }
    }

    fn state_key(&self, field: &str, params: &Value) -> Result<KeyPath, QueryError> {
        match field {
            "balance" => {
                let p: BalanceParams = query_params(field, params)?;
                // Native ETH is a field of the account record: its proof is the record's.
                if p.asset == NATIVE_ASSET {
                    return Ok(pillar_accounts::ACCOUNTS.key(&p.address));
                }
                Ok(BALANCES.key(&(p.address, p.asset)))
            }
            "asset" => {
                let p: AssetParams = query_params(field, params)?;
                Ok(ASSETS.key(&p.asset))
            }
            _ => Err(QueryError::UnknownMethod { module: NAME, method: field.to_string() }),
        }
    }
}
