//! The agents module's state layout (listed in docs/agents.md §7).
//!
//! An agent's identity, its reputation aggregates and each feedback entry are separate keys, so
//! leaving feedback rewrites two small records (the entry and the aggregates), never the agent's
//! card and metadata. A settlement touches one channel record, the payer's paid total and three
//! balances (escrow, agent wallet, payer on close).

use alloc::string::String;
use alloc::vec::Vec;

use crate::MetadataEntry;
use borsh::{BorshDeserialize, BorshSerialize};
use pillar_primitives::{Address, AssetId, SessionKey};
use pillar_state::{StateMap, StateValue};

use crate::NAME;

/// An agent identity (ERC-8004 style).
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Agent {
    /// Owner: may update and transfer the agent, and settle its channels.
    pub owner: Address,
    /// Payment wallet as set (zero: payments go to the owner; see [`Agent::wallet`]).
    pub wallet: Address,
    /// Where the agent's card is published.
    pub card_uri: String,
    /// Metadata entries (distinct keys, at most 8).
    pub metadata: Vec<MetadataEntry>,
    /// Position in the owner's list of agents ([`OWNED_AGENTS`]).
    pub owner_index: u64,
}

impl Agent {
    /// Where the agent's payments go: its wallet, or its owner when no wallet is set.
    pub fn wallet(&self) -> Address {
        if self.wallet == Address::ZERO { self.owner } else { self.wallet }
    }

    /// Whether `who` acts for the agent as payee (its owner or its payment wallet).
    pub fn is_payee(&self, who: Address) -> bool {
        who == self.owner || who == self.wallet()
    }
}

/// An agent's reputation aggregates: enough to answer the average without reading the entries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Reputation {
    /// Entries ever given (the next entry's index), revoked ones included.
    pub entries: u64,
    /// Entries not revoked.
    pub count: u64,
    /// Sum of the scores of entries not revoked.
    pub score_sum: u64,
    /// Entries not revoked whose author had paid the agent through a channel when rating.
    pub paid_count: u64,
    /// Sum of their scores.
    pub paid_score_sum: u64,
}

/// One feedback entry.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Feedback {
    /// Author.
    pub client: Address,
    /// Score, 0 to 100.
    pub score: u8,
    /// What was rated.
    pub tag: String,
    /// Where details are published.
    pub uri: String,
    /// Block time (ms) it was given.
    pub time_ms: u64,
    /// Whether the author had had value settled to the agent through a channel when it rated.
    pub paid: bool,
    /// Withdrawn by its author (kept visible, out of the aggregates).
    pub revoked: bool,
}

/// A payment channel from a payer to an agent.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Channel {
    /// Who opened and funds it.
    pub payer: Address,
    /// Payee agent id.
    pub agent: u64,
    /// Asset escrowed.
    pub asset: AssetId,
    /// Total escrowed over the channel's life.
    pub deposit: u128,
    /// Total paid to the agent so far (the cumulative amount of the latest settled voucher).
    pub settled: u128,
    /// Key that signs the payer's vouchers.
    pub voucher_key: SessionKey,
    /// How long the payee may still settle after a close request, in ms.
    pub timeout_ms: u64,
    /// Block time from which the payer may close (0: no close requested).
    pub closes_at_ms: u64,
    /// Ended: the rest of the deposit went back to the payer.
    pub closed: bool,
}

impl Channel {
    /// What the escrow still holds for the channel (zero once closed).
    pub fn remaining(&self) -> u128 {
        if self.closed { 0 } else { self.deposit.saturating_sub(self.settled) }
    }
}

/// Id the next registered agent gets (absent: 1).
pub const NEXT_AGENT: StateValue<u64> = StateValue::new(NAME, "next_agent");
/// Agents by id.
pub const AGENTS: StateMap<u64, Agent> = StateMap::new(NAME, "agent");
/// Number of agents each owner holds.
pub const OWNER_AGENTS: StateMap<Address, u64> = StateMap::new(NAME, "owner_agents");
/// The agents of each owner, by (owner, position); a transfer moves the last one into the gap.
pub const OWNED_AGENTS: StateMap<(Address, u64), u64> = StateMap::new(NAME, "owned_agent");
/// Reputation aggregates by agent (absent: none given).
pub const REPUTATION: StateMap<u64, Reputation> = StateMap::new(NAME, "reputation");
/// Feedback entries by (agent, index).
pub const FEEDBACK: StateMap<(u64, u64), Feedback> = StateMap::new(NAME, "feedback");
/// Value settled to an agent from each payer, by (agent, payer): what makes feedback `paid`.
pub const PAID: StateMap<(u64, Address), u128> = StateMap::new(NAME, "paid");
/// Id the next opened channel gets (absent: 1).
pub const NEXT_CHANNEL: StateValue<u64> = StateValue::new(NAME, "next_channel");
/// Channels by id (closed ones stay, flagged).
pub const CHANNELS: StateMap<u64, Channel> = StateMap::new(NAME, "channel");
