//! `compose!`: a chain's call and event types, and its module registry, from one list of modules.

use crate::{DynModule, Module};

/// How a runtime holds its modules: `Arc` where the target has atomic compare-and-swap (the node
/// shares a runtime between threads), `Rc` in the fault-proof VM, which has neither threads nor
/// CAS.
#[cfg(target_has_atomic = "ptr")]
pub type Shared<T> = alloc::sync::Arc<T>;
/// How a runtime holds its modules (see the other definition).
#[cfg(not(target_has_atomic = "ptr"))]
pub type Shared<T> = alloc::rc::Rc<T>;

/// A module the node can run: its name (what chain configurations list) and its constructor.
#[derive(Debug, Clone, Copy)]
pub struct Registration {
    /// [`Module::NAME`].
    pub name: &'static str,
    /// Builds the module.
    pub new: fn() -> Shared<dyn DynModule>,
}

/// The constructor of a [`Registration`].
pub fn construct<M: Module>() -> Shared<dyn DynModule> {
    Shared::new(M::default())
}

/// Composes modules into a chain's types:
///
/// ```ignore
/// pillar_runtime::compose! {
///     /// A call of any module this node is built with.
///     pub enum Call;
///     /// An event of any module this node is built with.
///     pub enum Event;
///     /// The modules this node can run.
///     pub const MODULES;
///     {
///         Accounts => pillar_accounts::Accounts,
///         Items => pillar_items::Items,
///     }
/// }
/// ```
///
/// gives `enum Call { Accounts(<Accounts as Module>::Call), Items(…), … }` and the same for
/// `Event`, each implementing `CallSet` / `EventSet` with the modules' own borsh tags, JSON and
/// schema (a composed value encodes exactly as the module's value it holds; a module's group
/// becomes a composed value through `take_any`, see `pillar_primitives::compose_call`), and
/// `MODULES: &[Registration]` in the listed order. Modules are listed in tag order.
#[macro_export]
macro_rules! compose {
    (
        $(#[$cmeta:meta])* $cvis:vis enum $call:ident;
        $(#[$emeta:meta])* $evis:vis enum $event:ident;
        $(#[$rmeta:meta])* $rvis:vis const $registry:ident;
        { $( $variant:ident => $module:ty ),+ $(,)? }
    ) => {
        $(#[$cmeta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        $cvis enum $call {
            $(
                #[doc = concat!("A call of `", stringify!($module), "`.")]
                $variant(<$module as $crate::Module>::Call),
            )+
        }

        $(#[$emeta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        $evis enum $event {
            $(
                #[doc = concat!("An event of `", stringify!($module), "`.")]
                $variant(<$module as $crate::Module>::Event),
            )+
        }

        $(#[$rmeta])*
        $rvis const $registry: &[$crate::Registration] = &[
            $( $crate::Registration {
                name: <$module as $crate::Module>::NAME,
                new: $crate::construct::<$module>,
            }, )+
        ];

        $crate::__compose_set!(
            $call, CallSet, $( $variant => <$module as $crate::Module>::Call ),+
        );
        $crate::__compose_set!(
            $event, EventSet, $( $variant => <$module as $crate::Module>::Event ),+
        );

        impl $crate::__private::pillar_primitives::CallSet for $call {
            fn owns_tag(tag: u8) -> bool {
                $( <<$module as $crate::Module>::Call as $crate::__private::pillar_primitives::CallSet>::owns_tag(tag) )||+
            }
            fn deserialize_tagged<R: $crate::__private::borsh::io::Read>(
                tag: u8,
                r: &mut R,
            ) -> $crate::__private::borsh::io::Result<Self> {
                $(
                    if <<$module as $crate::Module>::Call as $crate::__private::pillar_primitives::CallSet>::owns_tag(tag) {
                        return <<$module as $crate::Module>::Call as $crate::__private::pillar_primitives::CallSet>::deserialize_tagged(tag, r)
                            .map(Self::$variant);
                    }
                )+
                Err($crate::__private::pillar_primitives::__private::unknown_tag(tag))
            }
            fn owns_type(name: &str) -> bool {
                $( <<$module as $crate::Module>::Call as $crate::__private::pillar_primitives::CallSet>::owns_type(name) )||+
            }
            fn owns_json_type(ty: &str) -> bool {
                $( <<$module as $crate::Module>::Call as $crate::__private::pillar_primitives::CallSet>::owns_json_type(ty) )||+
            }
            fn type_names() -> $crate::__private::Vec<&'static str> {
                let mut all = $crate::__private::Vec::new();
                $( all.extend(<<$module as $crate::Module>::Call as $crate::__private::pillar_primitives::CallSet>::type_names()); )+
                all
            }
            fn encode_type_of(type_name: &str) -> Option<$crate::__private::String> {
                None $( .or_else(|| <<$module as $crate::Module>::Call as $crate::__private::pillar_primitives::CallSet>::encode_type_of(type_name)) )+
            }
            fn schema() -> $crate::__private::Vec<$crate::__private::pillar_primitives::schema::CallSchema> {
                let mut all = $crate::__private::Vec::new();
                $( all.extend(<<$module as $crate::Module>::Call as $crate::__private::pillar_primitives::CallSet>::schema()); )+
                all.sort_by_key(|c| c.tag);
                all
            }
            fn module(&self) -> &'static str {
                match self { $( Self::$variant(c) => $crate::__private::pillar_primitives::CallSet::module(c), )+ }
            }
            fn tag(&self) -> u8 {
                match self { $( Self::$variant(c) => $crate::__private::pillar_primitives::CallSet::tag(c), )+ }
            }
            fn type_name(&self) -> &'static str {
                match self { $( Self::$variant(c) => $crate::__private::pillar_primitives::CallSet::type_name(c), )+ }
            }
            fn spend(&self) -> Option<($crate::__private::pillar_primitives::AssetId, u128)> {
                match self { $( Self::$variant(c) => $crate::__private::pillar_primitives::CallSet::spend(c), )+ }
            }
            fn check_shape(&self) -> Result<(), &'static str> {
                match self { $( Self::$variant(c) => $crate::__private::pillar_primitives::CallSet::check_shape(c), )+ }
            }
            fn call_hash(&self, nonce: u64, max_fee: u128) -> $crate::__private::pillar_primitives::B256 {
                match self {
                    $( Self::$variant(c) => $crate::__private::pillar_primitives::CallSet::call_hash(c, nonce, max_fee), )+
                }
            }
            fn call_encode_type(&self) -> $crate::__private::String {
                match self { $( Self::$variant(c) => $crate::__private::pillar_primitives::CallSet::call_encode_type(c), )+ }
            }
            fn group(&self) -> &dyn ::core::any::Any {
                match self { $( Self::$variant(c) => $crate::__private::pillar_primitives::CallSet::group(c), )+ }
            }
            fn take_any(slot: &mut dyn ::core::any::Any) -> Option<Self> {
                if let Some(s) = slot.downcast_mut::<Option<Self>>() {
                    return s.take();
                }
                $(
                    if let Some(c) = <<$module as $crate::Module>::Call as $crate::__private::pillar_primitives::CallSet>::take_any(slot) {
                        return Some(Self::$variant(c));
                    }
                )+
                None
            }
        }

        impl $crate::__private::pillar_primitives::EventSet for $event {
            fn owns_tag(tag: u8) -> bool {
                $( <<$module as $crate::Module>::Event as $crate::__private::pillar_primitives::EventSet>::owns_tag(tag) )||+
            }
            fn deserialize_tagged<R: $crate::__private::borsh::io::Read>(
                tag: u8,
                r: &mut R,
            ) -> $crate::__private::borsh::io::Result<Self> {
                $(
                    if <<$module as $crate::Module>::Event as $crate::__private::pillar_primitives::EventSet>::owns_tag(tag) {
                        return <<$module as $crate::Module>::Event as $crate::__private::pillar_primitives::EventSet>::deserialize_tagged(tag, r)
                            .map(Self::$variant);
                    }
                )+
                Err($crate::__private::pillar_primitives::__private::unknown_tag(tag))
            }
            fn owns_json_type(ty: &str) -> bool {
                $( <<$module as $crate::Module>::Event as $crate::__private::pillar_primitives::EventSet>::owns_json_type(ty) )||+
            }
            fn schema() -> $crate::__private::Vec<$crate::__private::pillar_primitives::schema::VariantSchema> {
                let mut all = $crate::__private::Vec::new();
                $( all.extend(<<$module as $crate::Module>::Event as $crate::__private::pillar_primitives::EventSet>::schema()); )+
                all.sort_by_key(|e| e.tag);
                all
            }
            fn take_any(slot: &mut dyn ::core::any::Any) -> Option<Self> {
                if let Some(s) = slot.downcast_mut::<Option<Self>>() {
                    return s.take();
                }
                $(
                    if let Some(e) = <<$module as $crate::Module>::Event as $crate::__private::pillar_primitives::EventSet>::take_any(slot) {
                        return Some(Self::$variant(e));
                    }
                )+
                None
            }
        }
    };
}

/// The codec and serde impls shared by a composed call and event type: a composed value is
/// encoded exactly as the module's value it holds (which carries the global tag), and decoded by
/// the module that owns the tag (borsh) or the JSON `type` (serde).
#[doc(hidden)]
#[macro_export]
macro_rules! __compose_set {
    ($ty:ident, $set:ident, $( $variant:ident => $inner:ty ),+) => {
        impl $crate::__private::borsh::BorshSerialize for $ty {
            fn serialize<W: $crate::__private::borsh::io::Write>(
                &self,
                w: &mut W,
            ) -> $crate::__private::borsh::io::Result<()> {
                match self { $( Self::$variant(c) => $crate::__private::borsh::BorshSerialize::serialize(c, w), )+ }
            }
        }

        impl $crate::__private::borsh::BorshDeserialize for $ty {
            fn deserialize_reader<R: $crate::__private::borsh::io::Read>(
                r: &mut R,
            ) -> $crate::__private::borsh::io::Result<Self> {
                let tag = <u8 as $crate::__private::borsh::BorshDeserialize>::deserialize_reader(r)?;
                <Self as $crate::__private::pillar_primitives::$set>::deserialize_tagged(tag, r)
            }
        }

        impl $crate::__private::serde::Serialize for $ty {
            fn serialize<S: $crate::__private::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self { $( Self::$variant(c) => $crate::__private::serde::Serialize::serialize(c, s), )+ }
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $ty {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                use $crate::__private::serde::de::Error as _;
                let value = <$crate::__private::serde_json::Value as $crate::__private::serde::Deserialize>::deserialize(d)?;
                let Some(ty) = value.get("type").and_then($crate::__private::serde_json::Value::as_str) else {
                    return Err(D::Error::missing_field("type"));
                };
                $(
                    if <$inner as $crate::__private::pillar_primitives::$set>::owns_json_type(ty) {
                        return $crate::__private::serde_json::from_value::<$inner>(value)
                            .map(Self::$variant)
                            .map_err(D::Error::custom);
                    }
                )+
                Err(D::Error::unknown_variant(ty, &[]))
            }
        }
    };
}
