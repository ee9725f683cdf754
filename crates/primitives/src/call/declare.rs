//! `declare_calls!`: the one table of call kinds, and the traits every call kind implements. From it come the `Call` enum (borsh tag = order,
//! checked against the declared tag), each kind's module, tag, EIP-712 type and hash, the typed
//! JSON names, and the schema. Nothing else lists calls.

use crate::AssetId;

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

/// `Err(reason)` when `v` is zero: the check most calls make of their amounts.
pub(crate) fn nonzero<T: PartialEq + Default>(v: T, reason: &'static str) -> Result<(), &'static str> {
    if v == T::default() { Err(reason) } else { Ok(()) }
}

/// A call kind's place in the table (implemented by `declare_calls!`).
pub trait CallKind {
    /// Its borsh tag, the bit in session and sponsor `calls` masks.
    const TAG: u8;
    /// The module that handles it.
    const MODULE: &'static str;
    /// Its EIP-712 primary type name.
    const NAME: &'static str;
}

/// Declares the call table; see the module docs.
macro_rules! declare_calls {
    ($(
        $module:literal {
            $( $(#[doc = $doc:literal])* $tag:literal => $variant:ident($ty:ty), )*
        }
    )*) => {
        /// A call: which module handles it and with what arguments.
        #[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
        #[serde(tag = "type", rename_all = "camelCase")]
        pub enum Call {
            $($( $(#[doc = $doc])* $variant($ty), )*)*
        }

        $($(
            impl CallKind for $ty {
                const TAG: u8 = $tag;
                const MODULE: &'static str = $module;
                const NAME: &'static str = stringify!($variant);
            }
        )*)*

        impl Call {
            /// What the call takes from the sender's balances (see [`CallArgs::spend`]).
            pub fn spend(&self) -> Option<(AssetId, u128)> {
                match self { $($( Call::$variant(c) => c.spend(), )*)* }
            }

            /// Stateless checks on the arguments (see [`CallArgs::check`]).
            pub fn check_shape(&self) -> Result<(), &'static str> {
                match self { $($( Call::$variant(c) => c.check(), )*)* }
            }

            /// Every call kind's EIP-712 primary type name, in tag order.
            pub const TYPE_NAMES: &'static [&'static str] = &[$($(stringify!($variant),)*)*];

            /// The module that handles this call.
            pub fn module(&self) -> &'static str {
                match self { $($( Call::$variant(_) => $module, )*)* }
            }

            /// The call's borsh enum tag: its stable kind number, used by session and sponsor
            /// scopes.
            pub fn tag(&self) -> u8 {
                match self { $($( Call::$variant(_) => $tag, )*)* }
            }

            /// The EIP-712 primary type name of this call.
            pub fn type_name(&self) -> &'static str {
                match self { $($( Call::$variant(_) => stringify!($variant), )*)* }
            }

            /// `hashStruct` of the call's EIP-712 primary type with `nonce` and `max_fee`.
            pub fn call_hash(&self, nonce: u64, max_fee: u128) -> B256 {
                match self { $($( Call::$variant(c) => c.call_hash(nonce, max_fee), )*)* }
            }

            /// The `encodeType` of this call's primary type.
            pub fn call_encode_type(&self) -> String {
                match self {
                    $($( Call::$variant(_) => <$ty as Eip712Struct>::call_encode_type(), )*)*
                }
            }

            /// The `encodeType` of the call kind named `type_name`.
            pub fn encode_type_of(type_name: &str) -> Option<String> {
                match type_name {
                    $($( stringify!($variant) => Some(<$ty as Eip712Struct>::call_encode_type()), )*)*
                    _ => None,
                }
            }

            /// Every call kind, for `pillar_schema`.
            pub fn schema() -> Vec<CallSchema> {
                vec![$($(
                    CallSchema {
                        module: $module,
                        tag: $tag,
                        name: stringify!($variant),
                        json_type: json_type(stringify!($variant)),
                        doc: call_doc($module, &[$($doc),*]),
                        fields: <$ty as Eip712Struct>::members()
                            .into_iter()
                            .map(|m| FieldSchema { name: m.name, ty: m.ty, doc: "" })
                            .collect(),
                        eip712_type: <$ty as Eip712Struct>::call_encode_type(),
                    },
                )*)*]
            }
        }
    };
}

pub(crate) use declare_calls;
