//! Receipts and events: the outcome of each transaction.
//!
//! Events belong to their modules: each module crate declares its event enum with
//! `#[derive(pillar_macros::Events)]`, and the chain's `Event` type is composed from those of the
//! modules it is built with (`pillar_runtime::compose!`). Both implement [`EventSet`]; receipts
//! are generic over it.

use alloc::{string::String, vec::Vec};
use core::{any::Any, convert::Infallible, fmt, marker::PhantomData};

use alloy_primitives::{Address, B256, keccak256};
use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::{codec, schema::VariantSchema, u128_string};

/// The outcome of executing a transaction. A failed call is a valid outcome, not an error: its
/// writes are reverted, its nonce and fee are still consumed.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum TxStatus {
    /// The call succeeded.
    Success,
    /// The call failed; `code` is stable across releases (see docs/transactions.md).
    Failed {
        /// Stable reason code.
        code: u32,
        /// Human-readable reason.
        reason: String,
    },
}

/// A set of event kinds: one module's events, or a chain's composed `Event`. Tags are global
/// (the borsh tag of the event in every receipt), so a composed set decodes by asking each
/// module's set whether it owns the tag.
pub trait EventSet:
    fmt::Debug
    + Clone
    + PartialEq
    + Eq
    + Send
    + Sync
    + 'static
    + BorshSerialize
    + BorshDeserialize
    + Serialize
    + DeserializeOwned
{
    /// Whether an event with borsh tag `tag` belongs to this set.
    fn owns_tag(tag: u8) -> bool;

    /// Decodes the event with borsh tag `tag` (already read) from `reader`.
    fn deserialize_tagged<R: borsh::io::Read>(tag: u8, reader: &mut R) -> borsh::io::Result<Self>;

    /// Whether `ty` is the JSON `type` of one of this set's kinds.
    fn owns_json_type(ty: &str) -> bool;

    /// Every event kind, in tag order, for `pillar_schema`.
    fn schema() -> Vec<VariantSchema>;

    /// Takes the event out of `slot` when `slot` is an `Option` of one of this set's module event
    /// types (how the runtime collects the events modules emit without knowing their types).
    fn take_any(slot: &mut dyn Any) -> Option<Self>;
}

/// The (empty) event set of module `M`, for modules that emit no events of their own.
pub struct NoEvents<M>(Infallible, PhantomData<fn() -> M>);

impl<M> fmt::Debug for NoEvents<M> {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {}
    }
}

impl<M> Clone for NoEvents<M> {
    fn clone(&self) -> Self {
        match self.0 {}
    }
}

impl<M> PartialEq for NoEvents<M> {
    fn eq(&self, _: &Self) -> bool {
        match self.0 {}
    }
}

impl<M> Eq for NoEvents<M> {}

impl<M> Serialize for NoEvents<M> {
    fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        match self.0 {}
    }
}

impl<'de, M> Deserialize<'de> for NoEvents<M> {
    fn deserialize<D: serde::Deserializer<'de>>(_: D) -> Result<Self, D::Error> {
        Err(serde::de::Error::custom("this module has no events"))
    }
}

impl<M> BorshSerialize for NoEvents<M> {
    fn serialize<W: borsh::io::Write>(&self, _: &mut W) -> borsh::io::Result<()> {
        match self.0 {}
    }
}

impl<M> BorshDeserialize for NoEvents<M> {
    fn deserialize_reader<R: borsh::io::Read>(r: &mut R) -> borsh::io::Result<Self> {
        let tag = u8::deserialize_reader(r)?;
        Err(crate::__private::unknown_tag(tag))
    }
}

impl<M: 'static> EventSet for NoEvents<M> {
    fn owns_tag(_: u8) -> bool {
        false
    }
    fn deserialize_tagged<R: borsh::io::Read>(tag: u8, _: &mut R) -> borsh::io::Result<Self> {
        Err(crate::__private::unknown_tag(tag))
    }
    fn owns_json_type(_: &str) -> bool {
        false
    }
    fn schema() -> Vec<VariantSchema> {
        Vec::new()
    }
    fn take_any(_: &mut dyn Any) -> Option<Self> {
        None
    }
}

/// The receipt of one transaction.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Receipt<E> {
    /// Transaction hash.
    pub tx_hash: B256,
    /// Height of the block that holds it.
    pub block_height: u64,
    /// Position in the block.
    pub index: u32,
    /// Recovered sender.
    pub sender: Address,
    /// Nonce consumed.
    pub nonce: u64,
    /// Fee charged in native wei.
    #[serde(with = "u128_string")]
    pub fee_paid: u128,
    /// Outcome.
    #[serde(flatten)]
    pub status: TxStatus,
    /// Events, in order (empty when the call failed, except the fee).
    pub events: Vec<E>,
}

impl<E: BorshSerialize> Receipt<E> {
    /// keccak256 of the canonical encoding (leaf of the receipts root).
    pub fn hash(&self) -> B256 {
        keccak256(codec::encode(self))
    }

    /// Whether the call succeeded.
    pub fn is_success(&self) -> bool {
        self.status == TxStatus::Success
    }

    /// The failure's stable code, if the call failed.
    pub fn failure_code(&self) -> Option<u32> {
        match self.status {
            TxStatus::Failed { code, .. } => Some(code),
            TxStatus::Success => None,
        }
    }
}
