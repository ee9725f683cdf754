//! How the module's own types appear in EIP-712 structs.

use alloc::borrow::Cow;

use pillar_primitives::B256;
use pillar_primitives::eip712::Eip712Value;

use crate::AssetRole;

/// A role is its number on the wire: `uint8`.
impl Eip712Value for AssetRole {
    fn sol_type() -> Cow<'static, str> {
        Cow::Borrowed("uint8")
    }
    fn word(&self) -> B256 {
        (*self as u8).word()
    }
}
