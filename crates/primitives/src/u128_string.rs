//! u128 amounts travel as decimal strings in JSON: JavaScript numbers lose precision past 2^53.
//! Use as `#[serde(with = "pillar_primitives::u128_string")]`.

use alloc::{format, string::String, string::ToString};

use serde::{Deserialize, Deserializer, Serializer, de::Error};

/// Writes the amount as a decimal string.
pub fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&v.to_string())
}

/// Reads a decimal or `0x` hex string, or a JSON number up to 2^64.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Num {
        S(String),
        N(u64),
    }
    match Num::deserialize(d)? {
        Num::N(n) => Ok(n as u128),
        Num::S(s) => parse_u128(&s).map_err(D::Error::custom),
    }
}

/// Parses a decimal or 0x-hex u128, refusing overflow.
pub fn parse_u128(s: &str) -> Result<u128, String> {
    let r =
        if let Some(hex) = s.strip_prefix("0x") { u128::from_str_radix(hex, 16) } else { s.parse::<u128>() };
    r.map_err(|e| format!("invalid u128 amount {s:?}: {e}"))
}
