//! Reputation: `GiveFeedback` and `RevokeFeedback`, with per-agent aggregates kept up to date so
//! the average is one read.
//!
//! An entry is `paid` when its author had value settled to the agent through a channel before
//! rating ([`crate::state::PAID`]): the anti-spam signal, since paid ratings cost real money.

use crate::{GiveFeedback, RevokeFeedback};
use pillar_runtime::{CallError, TxContext};
use pillar_state::StateWrite;

use crate::AgentsEvent;
use crate::{
    AgentsError, identity,
    state::{FEEDBACK, Feedback, PAID, REPUTATION, Reputation},
};

fn add(v: u64, by: u64) -> Result<u64, AgentsError> {
    v.checked_add(by).ok_or(AgentsError::Overflow { what: "reputation" })
}

fn sub(v: u64, by: u64) -> Result<u64, AgentsError> {
    v.checked_sub(by).ok_or(AgentsError::Overflow { what: "reputation" })
}

pub(crate) fn give(
    ctx: &mut TxContext<'_>,
    c: &GiveFeedback,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    let agent = identity::load(state, c.agent)?;
    let client = ctx.sender;
    if agent.is_payee(client) {
        return Err(AgentsError::SelfFeedback { agent: c.agent, account: client }.into());
    }
    let paid = PAID.get(state, &(c.agent, client))?.unwrap_or(0) > 0;
    let mut r = REPUTATION.get(state, &c.agent)?.unwrap_or_default();
    let index = r.entries;
    let score = u64::from(c.score);
    r.entries = add(r.entries, 1)?;
    r.count = add(r.count, 1)?;
    r.score_sum = add(r.score_sum, score)?;
    if paid {
        r.paid_count = add(r.paid_count, 1)?;
        r.paid_score_sum = add(r.paid_score_sum, score)?;
    }
    REPUTATION.set(state, &c.agent, &r);
    let entry = Feedback {
        client,
        score: c.score,
        tag: c.tag.clone(),
        uri: c.uri.clone(),
        time_ms: ctx.block.timestamp_ms,
        paid,
        revoked: false,
    };
    FEEDBACK.set(state, &(c.agent, index), &entry);
    ctx.emit(AgentsEvent::FeedbackGiven { agent: c.agent, index, client, score: c.score, paid });
    Ok(())
}

pub(crate) fn revoke(
    ctx: &mut TxContext<'_>,
    c: &RevokeFeedback,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    let (agent, index) = (c.agent, c.index);
    identity::load(state, agent)?;
    let Some(mut entry) = FEEDBACK.get(state, &(agent, index))? else {
        return Err(AgentsError::UnknownFeedback { agent, index }.into());
    };
    if entry.client != ctx.sender {
        return Err(AgentsError::NotFeedbackAuthor { agent, index, account: ctx.sender }.into());
    }
    if entry.revoked {
        return Err(AgentsError::FeedbackAlreadyRevoked { agent, index }.into());
    }
    let mut r: Reputation = REPUTATION.get(state, &agent)?.unwrap_or_default();
    let score = u64::from(entry.score);
    r.count = sub(r.count, 1)?;
    r.score_sum = sub(r.score_sum, score)?;
    if entry.paid {
        r.paid_count = sub(r.paid_count, 1)?;
        r.paid_score_sum = sub(r.paid_score_sum, score)?;
    }
    REPUTATION.set(state, &agent, &r);
    entry.revoked = true;
    FEEDBACK.set(state, &(agent, index), &entry);
    ctx.emit(AgentsEvent::FeedbackRevoked { agent, index });
    Ok(())
}
