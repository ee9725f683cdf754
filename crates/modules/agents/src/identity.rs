//! Agent identities: `RegisterAgent`, `UpdateAgent`, `TransferAgent`.
//!
//! Each owner's agents are kept as a dense list `(owner, 0..n) → agent` so `agentsOf` pages
//! through them without a scan; a transfer moves the owner's last agent into the gap (one extra
//! record rewritten), so every call is O(1).

use crate::{RegisterAgent, TransferAgent, UpdateAgent};
use pillar_primitives::Address;
use pillar_runtime::{CallError, TxContext};
use pillar_state::{StateRead, StateWrite};

use crate::AgentsEvent;
use crate::{
    AgentsError,
    state::{AGENTS, Agent, NEXT_AGENT, OWNED_AGENTS, OWNER_AGENTS},
};

/// The agent, or [`AgentsError::UnknownAgent`].
pub(crate) fn load(state: &(impl StateRead + ?Sized), agent: u64) -> Result<Agent, CallError> {
    Ok(AGENTS.get(state, &agent)?.ok_or(AgentsError::UnknownAgent { agent })?)
}

/// The agent, if the sender owns it.
fn owned(state: &dyn StateWrite, agent: u64, account: Address) -> Result<Agent, CallError> {
    let a = load(state, agent)?;
    if a.owner != account {
        return Err(AgentsError::NotOwner { agent, account }.into());
    }
    Ok(a)
}

/// Appends `agent` to `owner`'s list; returns its position.
fn push_owned(state: &mut dyn StateWrite, owner: Address, agent: u64) -> Result<u64, CallError> {
    let n = OWNER_AGENTS.get(state, &owner)?.unwrap_or(0);
    let next = n.checked_add(1).ok_or(AgentsError::Overflow { what: "agents per owner" })?;
    OWNED_AGENTS.set(state, &(owner, n), &agent);
    OWNER_AGENTS.set(state, &owner, &next);
    Ok(n)
}

/// Removes the agent at `index` from `owner`'s list, moving the last one into its place.
fn remove_owned(state: &mut dyn StateWrite, owner: Address, index: u64) -> Result<(), CallError> {
    let n = OWNER_AGENTS.get(state, &owner)?.unwrap_or(0);
    let Some(last) = n.checked_sub(1) else {
        return Err(AgentsError::Overflow { what: "agents per owner" }.into());
    };
    if index != last
        && let Some(moved) = OWNED_AGENTS.get(state, &(owner, last))?
    {
        OWNED_AGENTS.set(state, &(owner, index), &moved);
        let mut m = load(state, moved)?;
        m.owner_index = index;
        AGENTS.set(state, &moved, &m);
    }
    OWNED_AGENTS.remove(state, &(owner, last));
    if last == 0 {
        OWNER_AGENTS.remove(state, &owner);
    } else {
        OWNER_AGENTS.set(state, &owner, &last);
    }
    Ok(())
}

pub(crate) fn register(
    ctx: &mut TxContext<'_>,
    c: &RegisterAgent,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    let id = NEXT_AGENT.get(state)?.unwrap_or(1);
    let next = id.checked_add(1).ok_or(AgentsError::Overflow { what: "agent ids" })?;
    NEXT_AGENT.set(state, &next);
    let owner = ctx.sender;
    let owner_index = push_owned(state, owner, id)?;
    let agent = Agent {
        owner,
        wallet: c.wallet,
        card_uri: c.card_uri.clone(),
        metadata: c.metadata.clone(),
        owner_index,
    };
    AGENTS.set(state, &id, &agent);
    ctx.emit(AgentsEvent::AgentRegistered { agent: id, owner, card_uri: c.card_uri.clone() });
    Ok(())
}

pub(crate) fn update(
    ctx: &mut TxContext<'_>,
    c: &UpdateAgent,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    let mut a = owned(state, c.agent, ctx.sender)?;
    a.card_uri = c.card_uri.clone();
    a.wallet = c.wallet;
    a.metadata = c.metadata.clone();
    AGENTS.set(state, &c.agent, &a);
    ctx.emit(AgentsEvent::AgentUpdated { agent: c.agent, card_uri: a.card_uri.clone(), wallet: a.wallet() });
    Ok(())
}

/// Hands the agent to `c.owner`. The payment wallet is cleared (payments then go to the new
/// owner until it sets one), so a sold agent never keeps paying its previous owner. A transfer
/// to the current owner changes nothing.
pub(crate) fn transfer(
    ctx: &mut TxContext<'_>,
    c: &TransferAgent,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    let from = ctx.sender;
    let mut a = owned(state, c.agent, from)?;
    if c.owner != from {
        remove_owned(state, from, a.owner_index)?;
        a.owner_index = push_owned(state, c.owner, c.agent)?;
        a.owner = c.owner;
        a.wallet = Address::ZERO;
        AGENTS.set(state, &c.agent, &a);
    }
    ctx.emit(AgentsEvent::AgentTransferred { agent: c.agent, from, to: c.owner });
    Ok(())
}
