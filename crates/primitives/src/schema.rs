//! The chain's published ABI: every call's and event's name, tag, fields and types, and each
//! call's EIP-712 type, generated from the same declarations the chain runs. `pillar_schema`
//! serves it; the explorer decodes with it and the SDK's types are checked against it.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;

/// A field of a call, an event or a nested struct.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldSchema {
    /// Name in JSON and in the EIP-712 struct.
    pub name: &'static str,
    /// Solidity type (`uint128`, `address[]`, `SessionKey`…). In JSON, integers wider than 53
    /// bits travel as decimal strings.
    #[serde(rename = "type")]
    pub ty: Cow<'static, str>,
    /// What it holds (first doc line).
    #[serde(skip_serializing_if = "str::is_empty")]
    pub doc: &'static str,
}

/// An event kind (a variant of a module's event enum).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VariantSchema {
    /// The JSON `type` value.
    pub name: &'static str,
    /// The borsh tag.
    pub tag: u8,
    /// The module that emits it (empty when any may).
    #[serde(skip_serializing_if = "str::is_empty")]
    pub module: &'static str,
    /// What it means.
    #[serde(skip_serializing_if = "str::is_empty")]
    pub doc: &'static str,
    /// Its fields.
    pub fields: Vec<FieldSchema>,
}

/// One call kind, as `pillar_schema` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallSchema {
    /// The module that handles it.
    pub module: &'static str,
    /// The borsh tag (stable: session and sponsor scopes name calls by it).
    pub tag: u8,
    /// The EIP-712 primary type name.
    pub name: &'static str,
    /// The JSON `type` value (the name with a lower-case first letter).
    pub json_type: String,
    /// What it does.
    pub doc: String,
    /// Its arguments (the EIP-712 primary type adds `uint64 nonce` and `uint128 maxFee`).
    pub fields: Vec<FieldSchema>,
    /// The EIP-712 `encodeType` of the primary type, referenced structs included.
    pub eip712_type: String,
}

/// A call's doc lines as one sentence, without the "`module`: " they open with.
pub fn call_doc(module: &str, lines: &[&str]) -> String {
    let text = lines.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ");
    let prefix = alloc::format!("`{module}`: ");
    text.strip_prefix(prefix.as_str()).map(String::from).unwrap_or(text)
}

/// A JSON `type` value: the name with its first letter in lower case.
pub fn json_type(name: &str) -> String {
    let mut c = name.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Version of the schema document's shape; bumped when a field changes meaning.
pub const SCHEMA_VERSION: u32 = 1;

/// The EIP-712 domain every call is signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainSchema {
    /// `name`.
    pub name: &'static str,
    /// `version`.
    pub version: &'static str,
    /// `chainId`.
    pub chain_id: u64,
}

/// Everything a client needs to build, sign and read this chain's transactions: what
/// `pillar_schema` returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChainSchema {
    /// [`SCHEMA_VERSION`].
    pub version: u32,
    /// The EIP-712 domain.
    pub eip712_domain: DomainSchema,
    /// The chain's modules, in order.
    pub modules: Vec<&'static str>,
    /// Members every call's EIP-712 primary type ends with.
    pub call_tail: Vec<FieldSchema>,
    /// The calls of this chain's modules, in tag order.
    pub calls: Vec<CallSchema>,
    /// The event kinds this chain's modules emit, in tag order.
    pub events: Vec<VariantSchema>,
}

impl ChainSchema {
    /// The schema of a chain with `modules`, whose calls and events are among `C` and `E`.
    pub fn new<C: crate::CallSet, E: crate::EventSet>(chain_id: u64, modules: Vec<&'static str>) -> Self {
        let calls = C::schema().into_iter().filter(|c| modules.contains(&c.module)).collect();
        let events =
            E::schema().into_iter().filter(|e| e.module.is_empty() || modules.contains(&e.module)).collect();
        Self {
            version: SCHEMA_VERSION,
            eip712_domain: DomainSchema {
                name: crate::eip712::DOMAIN_NAME,
                version: crate::eip712::DOMAIN_VERSION,
                chain_id,
            },
            modules,
            call_tail: crate::eip712::call_tail()
                .into_iter()
                .map(|m| FieldSchema { name: m.name, ty: m.ty, doc: "" })
                .collect(),
            calls,
            events,
        }
    }
}
