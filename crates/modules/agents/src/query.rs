//! Read-only queries: an agent with its reputation, feedback entries, a channel, an owner's
//! agents, the escrow address; and the state keys of agents, feedback and channels for proofs.

use alloc::string::ToString;
use alloc::vec::Vec;

use pillar_primitives::Address;
use pillar_runtime::{Queries, QueryError, query_params};
use pillar_state::{KeyPath, StateRead};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{
    NAME, escrow_address,
    state::{
        AGENTS, Agent, CHANNELS, Channel, FEEDBACK, Feedback, OWNED_AGENTS, OWNER_AGENTS, REPUTATION,
        Reputation,
    },
};

/// Most entries a `feedbackList` or `agentsOf` page returns.
pub const MAX_PAGE: u64 = 100;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AgentParams {
    agent: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FeedbackParams {
    agent: u64,
    index: u64,
}

fn default_limit() -> u64 {
    MAX_PAGE
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListParams {
    agent: u64,
    #[serde(default)]
    start: u64,
    #[serde(default = "default_limit")]
    limit: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OwnerParams {
    owner: Address,
    #[serde(default)]
    start: u64,
    #[serde(default = "default_limit")]
    limit: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChannelParams {
    channel: u64,
}

fn check_limit(method: &str, limit: u64) -> Result<(), QueryError> {
    if limit > MAX_PAGE {
        return Err(QueryError::BadParams {
            method: method.to_string(),
            reason: format!("limit is at most {MAX_PAGE}"),
        });
    }
    Ok(())
}

/// `sum / count` as a JSON number, or null when there is nothing to average.
fn average(sum: u64, count: u64) -> Value {
    if count == 0 { Value::Null } else { json!(sum as f64 / count as f64) }
}

fn reputation_json(r: &Reputation) -> Value {
    json!({
        "entries": r.entries,
        "count": r.count,
        "scoreSum": r.score_sum,
        "average": average(r.score_sum, r.count),
        "paidCount": r.paid_count,
        "paidScoreSum": r.paid_score_sum,
        "paidAverage": average(r.paid_score_sum, r.paid_count),
    })
}

fn agent_json(id: u64, a: &Agent, r: &Reputation) -> Value {
    json!({
        "agent": id,
        "owner": a.owner,
        "wallet": a.wallet(),
        "cardUri": a.card_uri,
        "metadata": a.metadata,
        "feedback": reputation_json(r),
    })
}

fn feedback_json(agent: u64, index: u64, f: &Feedback) -> Value {
    json!({
        "agent": agent,
        "index": index,
        "client": f.client,
        "score": f.score,
        "tag": f.tag,
        "uri": f.uri,
        "timeMs": f.time_ms,
        "paid": f.paid,
        "revoked": f.revoked,
    })
}

/// The JSON form of a channel, as the `channel` query returns it.
pub fn channel_json(id: u64, c: &Channel) -> Value {
    json!({
        "channel": id,
        "payer": c.payer,
        "agent": c.agent,
        "asset": c.asset,
        "deposit": c.deposit.to_string(),
        "settled": c.settled.to_string(),
        "remaining": c.remaining().to_string(),
        "voucherKey": c.voucher_key,
        "timeoutMs": c.timeout_ms,
        "closesAtMs": c.closes_at_ms,
        "closed": c.closed,
    })
}

impl Queries for crate::Agents {
    fn query(&self, state: &dyn StateRead, method: &str, p: &Value) -> Result<Value, QueryError> {
        match method {
            "agent" => {
                let AgentParams { agent } = query_params(method, p)?;
                let Some(a) = AGENTS.get(state, &agent)? else { return Ok(Value::Null) };
                let r = REPUTATION.get(state, &agent)?.unwrap_or_default();
                Ok(agent_json(agent, &a, &r))
            }
            "feedback" => {
                let FeedbackParams { agent, index } = query_params(method, p)?;
                Ok(FEEDBACK
                    .get(state, &(agent, index))?
                    .map_or(Value::Null, |f| feedback_json(agent, index, &f)))
            }
            "feedbackList" => {
                let ListParams { agent, start, limit } = query_params(method, p)?;
                check_limit(method, limit)?;
                let total = REPUTATION.get(state, &agent)?.unwrap_or_default().entries;
                let end = start.saturating_add(limit).min(total);
                let mut entries = Vec::new();
                for index in start..end {
                    if let Some(f) = FEEDBACK.get(state, &(agent, index))? {
                        entries.push(feedback_json(agent, index, &f));
                    }
                }
                Ok(json!({ "total": total, "entries": entries }))
            }
            "channel" => {
                let ChannelParams { channel } = query_params(method, p)?;
                Ok(CHANNELS.get(state, &channel)?.map_or(Value::Null, |c| channel_json(channel, &c)))
            }
            "agentsOf" => {
                let OwnerParams { owner, start, limit } = query_params(method, p)?;
                check_limit(method, limit)?;
                let total = OWNER_AGENTS.get(state, &owner)?.unwrap_or(0);
                let end = start.saturating_add(limit).min(total);
                let mut agents = Vec::new();
                for i in start..end {
                    if let Some(id) = OWNED_AGENTS.get(state, &(owner, i))? {
                        agents.push(id);
                    }
                }
                Ok(json!({ "total": total, "agents": agents }))
            }
            "escrow" => Ok(json!({ "address": escrow_address() })),
            _ => Err(QueryError::UnknownMethod { module: NAME, method: method.to_string() }),
        }
    }

    fn state_key(&self, field: &str, p: &Value) -> Result<KeyPath, QueryError> {
        match field {
            "agent" => {
                let AgentParams { agent } = query_params(field, p)?;
                Ok(AGENTS.key(&agent))
            }
            "reputation" => {
                let AgentParams { agent } = query_params(field, p)?;
                Ok(REPUTATION.key(&agent))
            }
            "feedback" => {
                let FeedbackParams { agent, index } = query_params(field, p)?;
                Ok(FEEDBACK.key(&(agent, index)))
            }
            "channel" => {
                let ChannelParams { channel } = query_params(field, p)?;
                Ok(CHANNELS.key(&channel))
            }
            _ => Err(QueryError::UnknownMethod { module: NAME, method: field.to_string() }),
        }
    }
}
