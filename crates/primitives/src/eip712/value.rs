//! EIP-712 encoding of Rust values: the traits `#[derive(Eip712)]` implements, and the atomic
//! types' impls.
//!
//! A struct's `encodeType` is its own `Name(type member,…)` followed by every struct it
//! references, sorted by name; `hashStruct` is `keccak256(typeHash ‖ encodeData)`, where each
//! member is one 32-byte word: atomic values padded, `string` and `bytes` hashed, arrays the
//! hash of their elements' words, structs their `hashStruct`.

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use alloy_primitives::{Address, B256, U256, keccak256};

/// One member of a struct type: its name and Solidity type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Member name, as a wallet shows it.
    pub name: &'static str,
    /// Solidity type (`uint128`, `address[]`, `CountryCap[]`…).
    pub ty: Cow<'static, str>,
}

/// A value that can be a member of an EIP-712 struct.
pub trait Eip712Value {
    /// Its Solidity type.
    fn sol_type() -> Cow<'static, str>;
    /// Its 32-byte word in `encodeData`.
    fn word(&self) -> B256;
    /// Adds the struct types it references (name to own type string), for `encodeType`.
    fn referenced(_out: &mut BTreeMap<&'static str, String>) {}
}

/// An EIP-712 struct type (derived with `#[derive(Eip712)]`).
pub trait Eip712Struct {
    /// The type name.
    const NAME: &'static str;
    /// Its members, in order.
    fn members() -> Vec<Member>;
    /// Adds the struct types its members reference, recursively.
    fn referenced_types(out: &mut BTreeMap<&'static str, String>);
    /// Appends each member's word.
    fn encode_fields(&self, enc: &mut Vec<u8>);

    /// `Name(type member,…)` with `extra` members appended.
    fn own_type(extra: &[Member]) -> String {
        let members: Vec<String> =
            Self::members().iter().chain(extra).map(|m| format!("{} {}", m.ty, m.name)).collect();
        format!("{}({})", Self::NAME, members.join(","))
    }

    /// The full `encodeType`, with `extra` members appended to the primary type.
    fn encode_type_with(extra: &[Member]) -> String {
        let mut refs = BTreeMap::new();
        Self::referenced_types(&mut refs);
        let mut out = Self::own_type(extra);
        for r in refs.values() {
            out.push_str(r);
        }
        out
    }

    /// `keccak256(encodeType)` (the derive caches it).
    fn type_hash() -> B256 {
        keccak256(Self::encode_type_with(&[]))
    }

    /// `keccak256` of the call's primary `encodeType` (the derive caches it).
    fn call_type_hash() -> B256 {
        keccak256(Self::call_encode_type())
    }

    /// `hashStruct(self)`.
    fn hash_struct(&self) -> B256 {
        let mut enc = Vec::with_capacity(32 * 8);
        enc.extend_from_slice(Self::type_hash().as_slice());
        self.encode_fields(&mut enc);
        keccak256(enc)
    }

    /// `hashStruct` of the call's primary type: its members followed by `uint64 nonce` and
    /// `uint128 maxFee`, so what a wallet shows is what the transaction authorises.
    fn call_hash(&self, nonce: u64, max_fee: u128) -> B256 {
        let mut enc = Vec::with_capacity(32 * 8);
        enc.extend_from_slice(Self::call_type_hash().as_slice());
        self.encode_fields(&mut enc);
        enc.extend_from_slice(nonce.word().as_slice());
        enc.extend_from_slice(max_fee.word().as_slice());
        keccak256(enc)
    }

    /// The call's primary `encodeType` (see [`Eip712Struct::call_hash`]).
    fn call_encode_type() -> String {
        Self::encode_type_with(&call_tail())
    }
}

/// The members every call's primary type ends with.
pub fn call_tail() -> [Member; 2] {
    [
        Member { name: "nonce", ty: Cow::Borrowed("uint64") },
        Member { name: "maxFee", ty: Cow::Borrowed("uint128") },
    ]
}

/// Adds `T` and what it references to `out`.
pub fn reference<T: Eip712Struct>(out: &mut BTreeMap<&'static str, String>) {
    if !out.contains_key(T::NAME) {
        out.insert(T::NAME, T::own_type(&[]));
        T::referenced_types(out);
    }
}

/// The word of a `bytes` member.
pub fn bytes_word(b: &[u8]) -> B256 {
    keccak256(b)
}

impl<T: Eip712Struct> Eip712Struct for Box<T> {
    const NAME: &'static str = T::NAME;
    fn members() -> Vec<Member> {
        T::members()
    }
    fn referenced_types(out: &mut BTreeMap<&'static str, String>) {
        T::referenced_types(out)
    }
    fn encode_fields(&self, enc: &mut Vec<u8>) {
        (**self).encode_fields(enc)
    }
    fn type_hash() -> B256 {
        T::type_hash()
    }
    fn call_type_hash() -> B256 {
        T::call_type_hash()
    }
}

macro_rules! uint {
    ($($t:ty => $name:literal),*) => {$(
        impl Eip712Value for $t {
            fn sol_type() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
            fn word(&self) -> B256 {
                B256::from(U256::from(*self))
            }
        }
    )*};
}
uint!(u8 => "uint8", u16 => "uint16", u32 => "uint32", u64 => "uint64", u128 => "uint128");

impl Eip712Value for bool {
    fn sol_type() -> Cow<'static, str> {
        Cow::Borrowed("bool")
    }
    fn word(&self) -> B256 {
        B256::from(U256::from(*self as u8))
    }
}

impl Eip712Value for Address {
    fn sol_type() -> Cow<'static, str> {
        Cow::Borrowed("address")
    }
    fn word(&self) -> B256 {
        self.into_word()
    }
}

impl Eip712Value for B256 {
    fn sol_type() -> Cow<'static, str> {
        Cow::Borrowed("bytes32")
    }
    fn word(&self) -> B256 {
        *self
    }
}

impl Eip712Value for String {
    fn sol_type() -> Cow<'static, str> {
        Cow::Borrowed("string")
    }
    fn word(&self) -> B256 {
        keccak256(self.as_bytes())
    }
}

impl<T: Eip712Value> Eip712Value for Vec<T> {
    fn sol_type() -> Cow<'static, str> {
        Cow::Owned(format!("{}[]", T::sol_type()))
    }
    fn word(&self) -> B256 {
        let mut enc = Vec::with_capacity(32 * self.len());
        for v in self {
            enc.extend_from_slice(v.word().as_slice());
        }
        keccak256(enc)
    }
    fn referenced(out: &mut BTreeMap<&'static str, String>) {
        T::referenced(out)
    }
}
