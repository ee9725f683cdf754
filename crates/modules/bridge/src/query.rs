//! Read-only queries.

use alloc::string::ToString;
use alloc::vec::Vec;

use pillar_primitives::{Address, AssetId, B256, merkle_proof};
use pillar_runtime::{Queries, QueryError, query_params};
use pillar_state::{KeyPath, StateError, StateRead};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{
    NAME, bridged_eth,
    state::{BRIDGED_ETH, L1_TOKEN, L2_ASSET, TREE, WITHDRAWALS},
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ProofParams {
    index: u32,
    /// Leaves in the tree the proof is for (the count at the output's block); default: all.
    #[serde(default)]
    leaf_count: Option<u64>,
}

/// The proof of withdrawal `index` in the tree of its first `leaf_count` leaves: the siblings and
/// the root they lead to. `None` if `index` is not below `leaf_count` or the count is too large.
pub fn withdrawal_proof(
    state: &(impl StateRead + ?Sized),
    index: u32,
    leaf_count: u64,
) -> Result<Option<(Vec<B256>, B256)>, StateError> {
    let total = TREE.get(state)?.unwrap_or_default().count;
    if u64::from(index) >= leaf_count || leaf_count > total {
        return Ok(None);
    }
    let mut leaves = Vec::with_capacity(leaf_count as usize);
    for i in 0..leaf_count as u32 {
        match WITHDRAWALS.get(state, &i)? {
            Some(w) => leaves.push(w.leaf),
            None => return Ok(None),
        }
    }
    Ok(Some((merkle_proof(&leaves, index as usize), pillar_primitives::merkle_root(&leaves))))
}

impl Queries for crate::Bridge {
    fn query(&self, state: &dyn StateRead, method: &str, params: &Value) -> Result<Value, QueryError> {
        match method {
            "withdrawal" => {
                #[derive(Deserialize)]
                #[serde(deny_unknown_fields)]
                struct P {
                    index: u32,
                }
                let p: P = query_params(method, params)?;
                Ok(WITHDRAWALS.get(state, &p.index)?.map(|w| json!(w)).unwrap_or(Value::Null))
            }
            "withdrawalCount" => Ok(json!(TREE.get(state)?.unwrap_or_default().count)),
            // A decimal string, as every u128 amount in JSON.
            "bridgedEth" => Ok(json!(bridged_eth(state)?.to_string())),
            "withdrawalsRoot" => Ok(json!(TREE.get(state)?.unwrap_or_default().root())),
            "withdrawalProof" => {
                let p: ProofParams = query_params(method, params)?;
                let count = match p.leaf_count {
                    Some(c) => c,
                    None => TREE.get(state)?.unwrap_or_default().count,
                };
                let Some(record) = WITHDRAWALS.get(state, &p.index)? else { return Ok(Value::Null) };
                Ok(match withdrawal_proof(state, p.index, count)? {
                    Some((siblings, root)) => json!({
                        "withdrawal": record,
                        "leafIndex": p.index,
                        "leafCount": count,
                        "siblings": siblings,
                        "root": root,
                    }),
                    None => Value::Null,
                })
            }
            "l2Asset" => {
                #[derive(Deserialize)]
                #[serde(deny_unknown_fields)]
                struct P {
                    token: Address,
                }
                let p: P = query_params(method, params)?;
                Ok(json!(L2_ASSET.get(state, &p.token)?))
            }
            "l1Token" => {
                #[derive(Deserialize)]
                #[serde(deny_unknown_fields)]
                struct P {
                    asset: AssetId,
                }
                let p: P = query_params(method, params)?;
                Ok(json!(L1_TOKEN.get(state, &p.asset)?))
            }
            _ => Err(QueryError::UnknownMethod { module: NAME, method: method.to_string() }),
        }
    }

    fn state_key(&self, field: &str, params: &Value) -> Result<KeyPath, QueryError> {
        match field {
            "withdrawalsTree" => Ok(TREE.key()),
            "bridgedEth" => Ok(BRIDGED_ETH.key()),
            "withdrawal" => {
                #[derive(Deserialize)]
                #[serde(deny_unknown_fields)]
                struct P {
                    index: u32,
                }
                let p: P = query_params(field, params)?;
                Ok(WITHDRAWALS.key(&p.index))
            }
            _ => Err(QueryError::UnknownMethod { module: NAME, method: field.to_string() }),
        }
    }
}
