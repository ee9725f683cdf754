//! What every call kind and every module's group of calls implements, and the one macro that
//! declares a group ([`declare_calls!`](crate::declare_calls)).
//!
//! Call kinds belong to their modules: each module crate declares its call structs and its group
//! (`ItemsCall`, …) with `declare_calls!`, and the chain's `Call` type is composed from the groups
//! of the modules it is built with (`pillar_runtime::compose!`). Both a group and a composed
//! `Call` implement [`CallSet`]; transactions, blocks and the EIP-712 code are generic over it.

use alloc::{string::String, vec::Vec};
use core::any::Any;
use core::fmt::Debug;

use alloy_primitives::B256;
use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Serialize, de::DeserializeOwned};

use crate::schema::CallSchema;

mod declare;
mod none;

pub use none::NoCalls;

/// Identifier of an asset in the `assets` module. Native ETH is [`NATIVE_ASSET`]; issuer tokens
/// are numbered from 1 in creation order (compact ids keep batches small on L1).
pub type AssetId = u32;

/// The native asset: ETH bridged from L1, also used to pay fees.
pub const NATIVE_ASSET: AssetId = 0;

/// Longest display name (of an asset, a collection) accepted, in bytes.
pub const MAX_NAME_LEN: usize = 64;

/// What a call kind says about its own arguments (implemented next to each call's struct).
pub trait CallArgs {
    /// Stateless checks (lengths, zero amounts): a malformed call is refused at admission before
    /// its signature is recovered, and is invalid in a block before any state is read.
    fn check(&self) -> Result<(), &'static str> {
        Ok(())
    }

    /// What the call takes from the sender's balances, as (asset, amount): the amounts session
    /// spending caps count.
    fn spend(&self) -> Option<(AssetId, u128)> {
        None
    }
}

impl<T: CallArgs> CallArgs for alloc::boxed::Box<T> {
    fn check(&self) -> Result<(), &'static str> {
        (**self).check()
    }

    fn spend(&self) -> Option<(AssetId, u128)> {
        (**self).spend()
    }
}

/// `Err(reason)` when `v` is zero: the check most calls make of their amounts.
pub fn nonzero<T: PartialEq + Default>(v: T, reason: &'static str) -> Result<(), &'static str> {
    if v == T::default() { Err(reason) } else { Ok(()) }
}

/// A call kind's place in its module's group (implemented by `declare_calls!`).
pub trait CallKind: Sized {
    /// Its borsh tag, the bit in session and sponsor `calls` masks.
    const TAG: u8;
    /// The module that handles it.
    const MODULE: &'static str;
    /// Its EIP-712 primary type name.
    const NAME: &'static str;
    /// The group it belongs to.
    type Group: CallSet + From<Self>;
}

/// A set of call kinds: one module's group, or a chain's composed `Call`. Tags are global (the
/// borsh tag of the call in every encoding), so a composed set decodes by asking each group
/// whether it owns the tag.
pub trait CallSet:
    Debug
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
    /// Whether a call with borsh tag `tag` belongs to this set.
    fn owns_tag(tag: u8) -> bool;

    /// Decodes the call with borsh tag `tag` (already read) from `reader`.
    fn deserialize_tagged<R: borsh::io::Read>(tag: u8, reader: &mut R) -> borsh::io::Result<Self>;

    /// Whether the EIP-712 primary type `name` is one of this set's call kinds.
    fn owns_type(name: &str) -> bool;

    /// Whether `ty` is the JSON `type` of one of this set's call kinds.
    fn owns_json_type(ty: &str) -> bool;

    /// Every call kind's EIP-712 primary type name, in tag order.
    fn type_names() -> Vec<&'static str>;

    /// The `encodeType` of the call kind named `type_name`.
    fn encode_type_of(type_name: &str) -> Option<String>;

    /// Every call kind, for `pillar_schema`.
    fn schema() -> Vec<CallSchema>;

    /// The module that handles this call.
    fn module(&self) -> &'static str;

    /// The call's borsh tag: its stable kind number, used by session and sponsor scopes.
    fn tag(&self) -> u8;

    /// The EIP-712 primary type name of this call.
    fn type_name(&self) -> &'static str;

    /// What the call takes from the sender's balances (see [`CallArgs::spend`]).
    fn spend(&self) -> Option<(AssetId, u128)>;

    /// Stateless checks on the arguments (see [`CallArgs::check`]).
    fn check_shape(&self) -> Result<(), &'static str>;

    /// `hashStruct` of the call's EIP-712 primary type with `nonce` and `max_fee`.
    fn call_hash(&self, nonce: u64, max_fee: u128) -> B256;

    /// The `encodeType` of this call's primary type.
    fn call_encode_type(&self) -> String;

    /// The module's own group of this call (the value itself for a group): what the runtime
    /// hands the module, which downcasts it to its `Module::Call`.
    fn group(&self) -> &dyn Any;

    /// Takes the call out of `slot` when `slot` is an `Option` of this set or of one of the
    /// groups it is composed of: how a module's call becomes a chain's call.
    fn take_any(slot: &mut dyn Any) -> Option<Self>;
}

/// `call` (a module's group, or any set) as a call of set `C`, if `C` has a place for it.
pub fn compose_call<C: CallSet, G: CallSet>(call: G) -> Option<C> {
    C::take_any(&mut Some(call))
}

/// What a module's admission hooks see of a call: its kind, what it spends, and the module's
/// group to downcast to.
pub trait CallView {
    /// See [`CallSet::module`].
    fn module(&self) -> &'static str;
    /// See [`CallSet::tag`].
    fn tag(&self) -> u8;
    /// See [`CallSet::type_name`].
    fn type_name(&self) -> &'static str;
    /// See [`CallSet::spend`].
    fn spend(&self) -> Option<(AssetId, u128)>;
    /// See [`CallSet::group`].
    fn group(&self) -> &dyn Any;
}

impl<C: CallSet> CallView for C {
    fn module(&self) -> &'static str {
        CallSet::module(self)
    }
    fn tag(&self) -> u8 {
        CallSet::tag(self)
    }
    fn type_name(&self) -> &'static str {
        CallSet::type_name(self)
    }
    fn spend(&self) -> Option<(AssetId, u128)> {
        CallSet::spend(self)
    }
    fn group(&self) -> &dyn Any {
        CallSet::group(self)
    }
}

impl dyn CallView + '_ {
    /// The call as module group `G`, if it is one of `G`'s.
    pub fn get<G: 'static>(&self) -> Option<&G> {
        self.group().downcast_ref::<G>()
    }
}

/// Whether `ty` is the JSON `type` of the call or event named `name` (`name` with its first
/// letter in lower case), without allocating.
pub fn is_json_type(name: &str, ty: &str) -> bool {
    let (mut a, mut b) = (name.chars(), ty.chars());
    match (a.next(), b.next()) {
        (Some(x), Some(y)) if x.to_ascii_lowercase() == y => a.as_str() == b.as_str(),
        _ => false,
    }
}
