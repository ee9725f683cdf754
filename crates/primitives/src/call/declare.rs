//! `declare_calls!`: a module's group of call kinds, declared once. From one table come the
//! group enum (its borsh tag per kind, stable and global across modules), each kind's module,
//! tag, EIP-712 type and hash, typed-JSON name and shape checks, and its schema entry.

/// Declares a module's group of calls.
///
/// ```ignore
/// pillar_primitives::declare_calls! {
///     /// The items module's calls.
///     pub enum ItemsCall for NAME {
///         /// `items`: move the sender's items to another player.
///         37 => TransferItems(TransferItems),
///     }
/// }
/// ```
///
/// `NAME` is the module's name (a `&'static str` constant). Each number is the kind's borsh tag:
/// the next free one across the whole chain, never reused. Each struct derives the codec, serde
/// and `pillar_macros::Eip712`, and implements [`CallArgs`](crate::CallArgs). The enum is
/// serialized with serde as `{"type": "<camelCase kind>", …fields}`, so the crate using the macro
/// depends on `serde` (with `derive`).
#[macro_export]
macro_rules! declare_calls {
    (
        $(#[$meta:meta])*
        $vis:vis enum $group:ident for $module:path {
            $( $(#[doc = $doc:literal])* $tag:literal => $variant:ident($ty:ty), )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(tag = "type", rename_all = "camelCase")]
        $vis enum $group {
            $( $(#[doc = $doc])* $variant($ty), )+
        }

        $(
            impl $crate::CallKind for $ty {
                const TAG: u8 = $tag;
                const MODULE: &'static str = $module;
                const NAME: &'static str = stringify!($variant);
                type Group = $group;
            }

            impl ::core::convert::From<$ty> for $group {
                fn from(call: $ty) -> Self {
                    Self::$variant(call)
                }
            }
        )+

        impl $crate::__private::borsh::BorshSerialize for $group {
            fn serialize<W: $crate::__private::borsh::io::Write>(
                &self,
                w: &mut W,
            ) -> $crate::__private::borsh::io::Result<()> {
                match self {
                    $( Self::$variant(c) => {
                        w.write_all(&[$tag])?;
                        $crate::__private::borsh::BorshSerialize::serialize(c, w)
                    } )+
                }
            }
        }

        impl $crate::__private::borsh::BorshDeserialize for $group {
            fn deserialize_reader<R: $crate::__private::borsh::io::Read>(
                r: &mut R,
            ) -> $crate::__private::borsh::io::Result<Self> {
                let tag = <u8 as $crate::__private::borsh::BorshDeserialize>::deserialize_reader(r)?;
                <Self as $crate::CallSet>::deserialize_tagged(tag, r)
            }
        }

        impl $crate::CallSet for $group {
            fn owns_tag(tag: u8) -> bool {
                matches!(tag, $($tag)|+)
            }

            fn deserialize_tagged<R: $crate::__private::borsh::io::Read>(
                tag: u8,
                r: &mut R,
            ) -> $crate::__private::borsh::io::Result<Self> {
                match tag {
                    $( $tag => Ok(Self::$variant(
                        $crate::__private::borsh::BorshDeserialize::deserialize_reader(r)?,
                    )), )+
                    other => Err($crate::__private::unknown_tag(other)),
                }
            }

            fn owns_type(name: &str) -> bool {
                matches!(name, $(stringify!($variant))|+)
            }

            fn owns_json_type(ty: &str) -> bool {
                $( $crate::is_json_type(stringify!($variant), ty) )||+
            }

            fn type_names() -> $crate::__private::Vec<&'static str> {
                $crate::__private::vec![$(stringify!($variant)),+]
            }

            fn encode_type_of(type_name: &str) -> Option<$crate::__private::String> {
                match type_name {
                    $( stringify!($variant) => Some(<$ty as $crate::eip712::Eip712Struct>::call_encode_type()), )+
                    _ => None,
                }
            }

            fn schema() -> $crate::__private::Vec<$crate::schema::CallSchema> {
                $crate::__private::vec![$(
                    $crate::schema::CallSchema {
                        module: $module,
                        tag: $tag,
                        name: stringify!($variant),
                        json_type: $crate::schema::json_type(stringify!($variant)),
                        doc: $crate::schema::call_doc($module, &[$($doc),*]),
                        fields: <$ty as $crate::eip712::Eip712Struct>::members()
                            .into_iter()
                            .map(|m| $crate::schema::FieldSchema { name: m.name, ty: m.ty, doc: "" })
                            .collect(),
                        eip712_type: <$ty as $crate::eip712::Eip712Struct>::call_encode_type(),
                    },
                )+]
            }

            fn module(&self) -> &'static str {
                $module
            }

            fn tag(&self) -> u8 {
                match self { $( Self::$variant(_) => $tag, )+ }
            }

            fn type_name(&self) -> &'static str {
                match self { $( Self::$variant(_) => stringify!($variant), )+ }
            }

            fn spend(&self) -> Option<($crate::AssetId, u128)> {
                match self { $( Self::$variant(c) => $crate::CallArgs::spend(c), )+ }
            }

            fn check_shape(&self) -> Result<(), &'static str> {
                match self { $( Self::$variant(c) => $crate::CallArgs::check(c), )+ }
            }

            fn call_hash(&self, nonce: u64, max_fee: u128) -> $crate::B256 {
                match self {
                    $( Self::$variant(c) => $crate::eip712::Eip712Struct::call_hash(c, nonce, max_fee), )+
                }
            }

            fn call_encode_type(&self) -> $crate::__private::String {
                match self {
                    $( Self::$variant(_) => <$ty as $crate::eip712::Eip712Struct>::call_encode_type(), )+
                }
            }

            fn group(&self) -> &dyn ::core::any::Any {
                self
            }

            fn take_any(slot: &mut dyn ::core::any::Any) -> Option<Self> {
                slot.downcast_mut::<Option<Self>>().and_then(Option::take)
            }
        }
    };
}
