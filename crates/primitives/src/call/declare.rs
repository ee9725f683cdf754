//! `declare_calls!`: the one table of call kinds. From it come the `Call` enum (borsh tag = order,
//! checked against the declared tag), each kind's module, tag, EIP-712 type and hash, the typed
//! JSON names, and the schema. Nothing else lists calls.

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

        impl Call {
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
