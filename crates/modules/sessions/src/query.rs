//! Read-only queries: an account's sessions, one session with its remaining caps, a sponsor.

use alloc::string::ToString;
use alloc::vec::Vec;

use pillar_primitives::{Address, SessionKey};
use pillar_runtime::{Queries, QueryError, query_params};
use pillar_state::{KeyPath, StateRead};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::state::{ACCOUNT_SESSIONS, SESSIONS, SPONSORS, Session};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountParams {
    account: Address,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionParams {
    account: Address,
    key: SessionKey,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SponsorParams {
    sponsor: Address,
}

/// A session with what it may still spend: `remaining` per asset over its life, and
/// `remainingInWindow` in the window it last used (a new window starts afresh).
fn session_json(s: &Session) -> Value {
    let remaining: Vec<Value> = s
        .caps
        .iter()
        .map(|c| {
            json!({
                "asset": c.asset,
                "remaining": c.total.saturating_sub(c.spent).to_string(),
                "remainingInWindow": c.per_window.saturating_sub(c.window_spent).to_string(),
            })
        })
        .collect();
    json!({ "session": s, "keyId": s.key.id(), "remaining": remaining })
}

impl Queries for crate::Sessions {
    fn query(&self, state: &dyn StateRead, method: &str, p: &Value) -> Result<Value, QueryError> {
        match method {
            "sessions" => {
                let AccountParams { account } = query_params(method, p)?;
                let ids = ACCOUNT_SESSIONS.get(state, &account)?.unwrap_or_default();
                let mut out = Vec::with_capacity(ids.len());
                for id in ids {
                    if let Some(s) = SESSIONS.get(state, &(account, id))? {
                        out.push(session_json(&s));
                    }
                }
                Ok(Value::Array(out))
            }
            "session" => {
                let SessionParams { account, key } = query_params(method, p)?;
                Ok(SESSIONS.get(state, &(account, key.id()))?.map_or(Value::Null, |s| session_json(&s)))
            }
            "sponsor" => {
                let SponsorParams { sponsor } = query_params(method, p)?;
                Ok(SPONSORS.get(state, &sponsor)?.map_or(Value::Null, |s| json!(s)))
            }
            _ => Err(QueryError::UnknownMethod { module: crate::NAME, method: method.to_string() }),
        }
    }

    fn state_key(&self, field: &str, p: &Value) -> Result<KeyPath, QueryError> {
        match field {
            "session" => {
                let SessionParams { account, key } = query_params(field, p)?;
                Ok(SESSIONS.key(&(account, key.id())))
            }
            "sponsor" => {
                let SponsorParams { sponsor } = query_params(field, p)?;
                Ok(SPONSORS.key(&sponsor))
            }
            _ => Err(QueryError::UnknownMethod { module: crate::NAME, method: field.to_string() }),
        }
    }
}
