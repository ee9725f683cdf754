//! Call kinds of the `agents` module: agent identities in the spirit of ERC-8004 (owner, card
//! URI, payment wallet, metadata), reputation feedback, and metered payment channels settled
//! with payer-signed cumulative vouchers ([`pillar_primitives::Voucher`]). Semantics are in `docs/agents.md`.

use alloc::string::String;
use alloc::vec::Vec;

use borsh::{BorshDeserialize, BorshSerialize};
use pillar_primitives::Address;
use serde::{Deserialize, Serialize};

use pillar_primitives::{CallArgs, nonzero};

use pillar_primitives::SessionKey;
use pillar_primitives::{AssetId, u128_string};

/// Longest agent card URI or feedback URI, in bytes.
pub const MAX_URI_LEN: usize = 256;
/// Most metadata entries on an agent.
pub const MAX_METADATA: usize = 8;
/// Longest metadata key or feedback tag, in bytes.
pub const MAX_KEY_LEN: usize = 32;
/// Longest metadata value, in bytes.
pub const MAX_VALUE_LEN: usize = 128;
/// Highest feedback score (scores are 0 to 100, as in ERC-8004).
pub const MAX_SCORE: u8 = 100;

/// One `key = value` metadata entry of an agent.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
    pillar_macros::Eip712,
)]
#[serde(deny_unknown_fields)]
pub struct MetadataEntry {
    /// Key, 1 to 32 bytes.
    pub key: String,
    /// Value, at most 128 bytes.
    pub value: String,
}

/// Register an agent owned by the sender. Agents are numbered from 1 in registration order.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
    pillar_macros::Eip712,
)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RegisterAgent {
    /// Where the agent's card (capabilities, endpoints) is published, 1 to 256 bytes.
    pub card_uri: String,
    /// Where the agent's payments go (zero: the owner).
    pub wallet: Address,
    /// Metadata, at most 8 entries with distinct keys.
    pub metadata: Vec<MetadataEntry>,
}

impl CallArgs for RegisterAgent {
    fn check(&self) -> Result<(), &'static str> {
        check_card(&self.card_uri)?;
        check_metadata(&self.metadata)
    }
}

/// Replace an agent's card URI, wallet and metadata (owner only).
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
    pillar_macros::Eip712,
)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UpdateAgent {
    /// Agent id.
    pub agent: u64,
    /// New card URI, 1 to 256 bytes.
    pub card_uri: String,
    /// New payment wallet (zero: the owner).
    pub wallet: Address,
    /// New metadata (replaces the old).
    pub metadata: Vec<MetadataEntry>,
}

impl CallArgs for UpdateAgent {
    fn check(&self) -> Result<(), &'static str> {
        check_card(&self.card_uri)?;
        check_metadata(&self.metadata)
    }
}

/// Hand an agent to a new owner (owner only).
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
    pillar_macros::Eip712,
)]
#[serde(deny_unknown_fields)]
pub struct TransferAgent {
    /// Agent id.
    pub agent: u64,
    /// New owner (not zero).
    pub owner: Address,
}

impl CallArgs for TransferAgent {
    fn check(&self) -> Result<(), &'static str> {
        if self.owner == Address::ZERO {
            return Err("an agent's owner must not be zero");
        }
        Ok(())
    }
}

/// Leave reputation feedback on an agent (anyone but its owner; one entry per call).
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
    pillar_macros::Eip712,
)]
#[serde(deny_unknown_fields)]
pub struct GiveFeedback {
    /// Agent id.
    pub agent: u64,
    /// Score, 0 to 100.
    pub score: u8,
    /// Short tag (what was rated), at most 32 bytes.
    pub tag: String,
    /// Where details are published, at most 256 bytes.
    pub uri: String,
}

impl CallArgs for GiveFeedback {
    fn check(&self) -> Result<(), &'static str> {
        if self.score > MAX_SCORE {
            return Err("a feedback score is 0 to 100");
        }
        if self.tag.len() > MAX_KEY_LEN {
            return Err("a feedback tag is at most 32 bytes");
        }
        if self.uri.len() > MAX_URI_LEN {
            return Err("a feedback URI is at most 256 bytes");
        }
        Ok(())
    }
}

/// Withdraw one's own feedback entry.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
    pillar_macros::Eip712,
)]
#[serde(deny_unknown_fields)]
pub struct RevokeFeedback {
    /// Agent id.
    pub agent: u64,
    /// Index of the entry among the agent's feedback.
    pub index: u64,
}

impl CallArgs for RevokeFeedback {}

/// Open a payment channel from the sender to an agent, escrowing `amount` of `asset`. Vouchers
/// for it are signed by `voucher_key` (a key the payer's client holds, ed25519 or P-256).
/// Channels are numbered from 1.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
    pillar_macros::Eip712,
)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OpenChannel {
    /// Payee agent id.
    pub agent: u64,
    /// Asset escrowed.
    pub asset: AssetId,
    /// Deposit.
    #[serde(with = "u128_string")]
    pub amount: u128,
    /// Key that signs vouchers.
    pub voucher_key: SessionKey,
    /// How long after a close request the payee may still settle, in ms (at least 1).
    pub timeout_ms: u64,
}

impl CallArgs for OpenChannel {
    fn check(&self) -> Result<(), &'static str> {
        nonzero(self.amount, "a channel deposit must be positive")?;
        nonzero(self.timeout_ms, "a channel close timeout must be positive")?;
        if !self.voucher_key.is_valid_point() {
            return Err("the voucher public key is not a valid point of its curve");
        }
        Ok(())
    }

    fn spend(&self) -> Option<(AssetId, u128)> {
        Some((self.asset, self.amount))
    }
}

/// Add to a channel's deposit (payer only; cancels a pending close request).
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
    pillar_macros::Eip712,
)]
#[serde(deny_unknown_fields)]
pub struct FundChannel {
    /// Channel id.
    pub channel: u64,
    /// Amount added.
    #[serde(with = "u128_string")]
    pub amount: u128,
}

impl CallArgs for FundChannel {
    fn check(&self) -> Result<(), &'static str> {
        nonzero(self.amount, "a channel top-up must be positive")
    }
}

/// Settle a channel with the payer's latest voucher (the payee agent's owner or wallet): pays
/// `cumulative` minus what was already settled to the agent's wallet. With `close`, the rest of
/// the deposit goes back to the payer and the channel ends.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
    pillar_macros::Eip712,
)]
#[serde(deny_unknown_fields)]
pub struct SettleChannel {
    /// Channel id.
    pub channel: u64,
    /// Total the payer owes over the channel's life, as signed.
    #[serde(with = "u128_string")]
    pub cumulative: u128,
    /// The voucher key's 64-byte signature (`r ‖ s`) over [`pillar_primitives::Voucher::signing_hash`].
    #[serde(with = "hex_bytes")]
    pub signature: Vec<u8>,
    /// Close the channel after paying.
    pub close: bool,
}

impl CallArgs for SettleChannel {
    fn check(&self) -> Result<(), &'static str> {
        if self.signature.len() != 64 {
            return Err("a voucher signature is 64 bytes");
        }
        nonzero(self.cumulative, "a voucher's cumulative amount must be positive")
    }
}

/// Ask to close a channel (payer only): the payee has `timeout_ms` left to settle.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
    pillar_macros::Eip712,
)]
#[serde(deny_unknown_fields)]
pub struct RequestChannelClose {
    /// Channel id.
    pub channel: u64,
}

impl CallArgs for RequestChannelClose {}

/// Close a channel once its close timeout has passed (payer only): the unsettled deposit goes
/// back to the payer.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
    pillar_macros::Eip712,
)]
#[serde(deny_unknown_fields)]
pub struct CloseChannel {
    /// Channel id.
    pub channel: u64,
}

impl CallArgs for CloseChannel {}

pub(super) fn check_metadata(entries: &[MetadataEntry]) -> Result<(), &'static str> {
    if entries.len() > MAX_METADATA {
        return Err("an agent has at most 8 metadata entries");
    }
    for (i, e) in entries.iter().enumerate() {
        if e.key.is_empty() || e.key.len() > MAX_KEY_LEN {
            return Err("a metadata key is 1 to 32 bytes");
        }
        if e.value.len() > MAX_VALUE_LEN {
            return Err("a metadata value is at most 128 bytes");
        }
        if entries[..i].iter().any(|o| o.key == e.key) {
            return Err("metadata keys must be distinct");
        }
    }
    Ok(())
}

pub(super) fn check_card(uri: &str) -> Result<(), &'static str> {
    if uri.is_empty() || uri.len() > MAX_URI_LEN {
        Err("an agent card URI is 1 to 256 bytes")
    } else {
        Ok(())
    }
}

/// Byte strings travel as `0x` hex in JSON.
pub(crate) mod hex_bytes {
    use alloc::{string::String, vec::Vec};

    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub(crate) fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("0x{}", hex::encode(v)))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        hex::decode(s.trim_start_matches("0x")).map_err(D::Error::custom)
    }
}

pillar_primitives::declare_calls! {
    /// The `agents` module's calls.
    pub enum AgentsCall for crate::NAME {
        /// `agents`: register an agent identity owned by the sender.
        23 => RegisterAgent(RegisterAgent),
        /// `agents`: replace an agent's card, wallet and metadata (owner).
        24 => UpdateAgent(UpdateAgent),
        /// `agents`: hand an agent to a new owner (owner).
        25 => TransferAgent(TransferAgent),
        /// `agents`: leave reputation feedback on an agent.
        26 => GiveFeedback(GiveFeedback),
        /// `agents`: withdraw one's own feedback.
        27 => RevokeFeedback(RevokeFeedback),
        /// `agents`: open a payment channel to an agent, escrowing a deposit.
        28 => OpenChannel(OpenChannel),
        /// `agents`: add to a channel's deposit (payer).
        29 => FundChannel(FundChannel),
        /// `agents`: settle a channel with the payer's latest cumulative voucher (payee).
        30 => SettleChannel(SettleChannel),
        /// `agents`: ask to close a channel, starting its timeout (payer).
        31 => RequestChannelClose(RequestChannelClose),
        /// `agents`: close a channel after its timeout, refunding the rest (payer).
        32 => CloseChannel(CloseChannel),
    }
}
