//! [`NoCalls`]: the group of a module that has no calls of its own.

use alloc::{string::String, vec::Vec};
use core::{any::Any, convert::Infallible, fmt, marker::PhantomData};

use alloy_primitives::B256;

use crate::{AssetId, CallSet, schema::CallSchema};

/// The (empty) group of calls of module `M`, for modules that only hook into others' calls (as
/// `accounts` does). Generic over the module so that every such module's group is its own type.
pub struct NoCalls<M>(Infallible, PhantomData<fn() -> M>);

impl<M> fmt::Debug for NoCalls<M> {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {}
    }
}

impl<M> Clone for NoCalls<M> {
    fn clone(&self) -> Self {
        match self.0 {}
    }
}

impl<M> PartialEq for NoCalls<M> {
    fn eq(&self, _: &Self) -> bool {
        match self.0 {}
    }
}

impl<M> Eq for NoCalls<M> {}

impl<M> serde::Serialize for NoCalls<M> {
    fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        match self.0 {}
    }
}

impl<'de, M> serde::Deserialize<'de> for NoCalls<M> {
    fn deserialize<D: serde::Deserializer<'de>>(_: D) -> Result<Self, D::Error> {
        Err(serde::de::Error::custom("this module has no calls"))
    }
}

impl<M> borsh::BorshSerialize for NoCalls<M> {
    fn serialize<W: borsh::io::Write>(&self, _: &mut W) -> borsh::io::Result<()> {
        match self.0 {}
    }
}

impl<M> borsh::BorshDeserialize for NoCalls<M> {
    fn deserialize_reader<R: borsh::io::Read>(r: &mut R) -> borsh::io::Result<Self> {
        let tag = u8::deserialize_reader(r)?;
        Err(crate::__private::unknown_tag(tag))
    }
}

impl<M: 'static> CallSet for NoCalls<M> {
    fn owns_tag(_: u8) -> bool {
        false
    }
    fn deserialize_tagged<R: borsh::io::Read>(tag: u8, _: &mut R) -> borsh::io::Result<Self> {
        Err(crate::__private::unknown_tag(tag))
    }
    fn owns_type(_: &str) -> bool {
        false
    }
    fn owns_json_type(_: &str) -> bool {
        false
    }
    fn type_names() -> Vec<&'static str> {
        Vec::new()
    }
    fn encode_type_of(_: &str) -> Option<String> {
        None
    }
    fn schema() -> Vec<CallSchema> {
        Vec::new()
    }
    fn module(&self) -> &'static str {
        match self.0 {}
    }
    fn tag(&self) -> u8 {
        match self.0 {}
    }
    fn type_name(&self) -> &'static str {
        match self.0 {}
    }
    fn spend(&self) -> Option<(AssetId, u128)> {
        match self.0 {}
    }
    fn check_shape(&self) -> Result<(), &'static str> {
        match self.0 {}
    }
    fn call_hash(&self, _: u64, _: u128) -> B256 {
        match self.0 {}
    }
    fn call_encode_type(&self) -> String {
        match self.0 {}
    }
    fn group(&self) -> &dyn Any {
        match self.0 {}
    }
    fn take_any(_: &mut dyn Any) -> Option<Self> {
        None
    }
}
