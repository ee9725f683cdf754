//! Read-only queries: an account's entry count, which `pillar_getProof` proves.

use pillar_primitives::Address;
use pillar_runtime::{Queries, QueryError, query_params};
use pillar_state::{KeyPath, StateRead};
use serde::Deserialize;
use serde_json::Value;

use crate::{ENTRIES, Example, entries};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountParams {
    account: Address,
}

impl Queries for Example {
    fn query(&self, state: &dyn StateRead, method: &str, params: &Value) -> Result<Value, QueryError> {
        match method {
            "entries" => {
                let p: AccountParams = query_params(method, params)?;
                Ok(entries(state, &p.account)?.into())
            }
            _ => Err(QueryError::NoQuery { method: method.into() }),
        }
    }

    fn state_key(&self, field: &str, params: &Value) -> Result<KeyPath, QueryError> {
        match field {
            "entries" => {
                let p: AccountParams = query_params(field, params)?;
                Ok(ENTRIES.key(&p.account))
            }
            _ => Err(QueryError::NoQuery { method: field.into() }),
        }
    }
}
