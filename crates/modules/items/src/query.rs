//! Read-only queries: a collection, an item class with its supply, holdings, the owner of a
//! unique item, whether an account is a minter.

use alloc::string::ToString;
use alloc::vec::Vec;

use crate::CollectionId;
use pillar_primitives::Address;
use pillar_runtime::{Queries, QueryError, query_params};
use pillar_state::{KeyPath, StateRead};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{
    NAME,
    state::{COLLECTIONS, HOLDINGS, ITEMS, NEXT_COLLECTION, OWNERS, holding, is_minter},
};

/// Most items one `balances` query asks for.
pub const MAX_QUERIED_ITEMS: usize = 100;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CollectionParams {
    collection: CollectionId,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemParams {
    collection: CollectionId,
    item: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BalanceParams {
    collection: CollectionId,
    item: u64,
    holder: Address,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BalancesParams {
    collection: CollectionId,
    holder: Address,
    items: Vec<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MinterParams {
    collection: CollectionId,
    account: Address,
}

impl Queries for crate::Items {
    fn query(&self, state: &dyn StateRead, method: &str, params: &Value) -> Result<Value, QueryError> {
        match method {
            "collection" => {
                let p: CollectionParams = query_params(method, params)?;
                Ok(match COLLECTIONS.get(state, &p.collection)? {
                    Some(c) => json!({"id": p.collection, "issuer": c.issuer, "name": c.name, "uri": c.uri}),
                    None => Value::Null,
                })
            }
            "nextCollectionId" => Ok(json!(NEXT_COLLECTION.get(state)?.unwrap_or(1))),
            "item" => {
                let p: ItemParams = query_params(method, params)?;
                Ok(match ITEMS.get(state, &(p.collection, p.item))? {
                    Some(i) => json!({
                        "collection": p.collection,
                        "item": p.item,
                        "maxSupply": i.max_supply.to_string(),
                        "transferable": i.transferable,
                        "unique": i.is_unique(),
                        "minted": i.minted.to_string(),
                        "burned": i.burned.to_string(),
                        "circulating": i.circulating().to_string(),
                    }),
                    None => Value::Null,
                })
            }
            "balance" => {
                let p: BalanceParams = query_params(method, params)?;
                Ok(json!(holding(state, p.collection, p.item, p.holder)?.to_string()))
            }
            "balances" => {
                let p: BalancesParams = query_params(method, params)?;
                if p.items.len() > MAX_QUERIED_ITEMS {
                    return Err(QueryError::BadParams {
                        method: method.to_string(),
                        reason: format!("at most {MAX_QUERIED_ITEMS} items per query, got {}", p.items.len()),
                    });
                }
                let mut out = Vec::with_capacity(p.items.len());
                for item in p.items {
                    let amount = holding(state, p.collection, item, p.holder)?;
                    out.push(json!({"item": item, "amount": amount.to_string()}));
                }
                Ok(Value::Array(out))
            }
            "ownerOf" => {
                let p: ItemParams = query_params(method, params)?;
                Ok(OWNERS.get(state, &(p.collection, p.item))?.map_or(Value::Null, |o| json!(o)))
            }
            "isMinter" => {
                let p: MinterParams = query_params(method, params)?;
                Ok(json!(is_minter(state, p.collection, p.account)?))
            }
            _ => Err(QueryError::UnknownMethod { module: NAME, method: method.to_string() }),
        }
    }

    fn state_key(&self, field: &str, params: &Value) -> Result<KeyPath, QueryError> {
        match field {
            "balance" => {
                let p: BalanceParams = query_params(field, params)?;
                Ok(HOLDINGS.key(&(p.collection, p.item, p.holder)))
            }
            "item" => {
                let p: ItemParams = query_params(field, params)?;
                Ok(ITEMS.key(&(p.collection, p.item)))
            }
            "ownerOf" => {
                let p: ItemParams = query_params(field, params)?;
                Ok(OWNERS.key(&(p.collection, p.item)))
            }
            "collection" => {
                let p: CollectionParams = query_params(field, params)?;
                Ok(COLLECTIONS.key(&p.collection))
            }
            _ => Err(QueryError::UnknownMethod { module: NAME, method: field.to_string() }),
        }
    }
}
