//! The events the `agents` module emits. Tags are global and append-only: the first is
//! `first_tag`, the rest follow in declaration order.

use alloc::string::String;

use pillar_primitives::{Address, AssetId, u128_string};
use serde::{Deserialize, Serialize};

/// Something the `agents` module reports happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, pillar_macros::Events)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
#[events(module = crate::NAME, first_tag = 26)]
pub enum AgentsEvent {
    /// An agent identity was registered.
    AgentRegistered {
        /// Agent id.
        agent: u64,
        /// Owner.
        owner: Address,
        /// Card URI.
        card_uri: String,
    },
    /// An agent's card, wallet or metadata changed.
    AgentUpdated {
        /// Agent id.
        agent: u64,
        /// Card URI now.
        card_uri: String,
        /// Payment wallet now.
        wallet: Address,
    },
    /// An agent changed owner.
    AgentTransferred {
        /// Agent id.
        agent: u64,
        /// Previous owner.
        from: Address,
        /// New owner.
        to: Address,
    },
    /// Feedback was left on an agent.
    FeedbackGiven {
        /// Agent id.
        agent: u64,
        /// Index among the agent's feedback.
        index: u64,
        /// Who left it.
        client: Address,
        /// Score, 0 to 100.
        score: u8,
        /// Whether the client had paid the agent through a settled channel when it rated.
        paid: bool,
    },
    /// Feedback was withdrawn by its author.
    FeedbackRevoked {
        /// Agent id.
        agent: u64,
        /// Index.
        index: u64,
    },
    /// A payment channel was opened (or topped up: `deposit` is the total now).
    ChannelFunded {
        /// Channel id.
        channel: u64,
        /// Payer.
        payer: Address,
        /// Payee agent.
        agent: u64,
        /// Asset.
        asset: AssetId,
        /// Total deposit now.
        #[serde(with = "u128_string")]
        deposit: u128,
    },
    /// A voucher was settled: `paid` went to the agent's wallet.
    ChannelSettled {
        /// Channel id.
        channel: u64,
        /// Cumulative amount of the voucher.
        #[serde(with = "u128_string")]
        cumulative: u128,
        /// Paid by this settlement.
        #[serde(with = "u128_string")]
        paid: u128,
    },
    /// The payer asked to close a channel; the payee may settle until `closes_at_ms`.
    ChannelCloseRequested {
        /// Channel id.
        channel: u64,
        /// Block time (ms) from which the payer may close.
        closes_at_ms: u64,
    },
    /// A channel ended; `refunded` went back to the payer.
    ChannelClosed {
        /// Channel id.
        channel: u64,
        /// Refunded to the payer.
        #[serde(with = "u128_string")]
        refunded: u128,
    },
}
