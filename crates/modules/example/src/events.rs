//! The events the example module emits.

use alloc::string::String;

use pillar_primitives::Address;
use serde::{Deserialize, Serialize};

/// Something the `example` module reports happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, pillar_macros::Events)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
#[events(module = crate::NAME, first_tag = 39)]
pub enum ExampleEvent {
    /// An account signed the guestbook.
    GuestbookSigned {
        /// Who signed.
        signer: Address,
        /// Its entry number (from 1).
        entry: u64,
        /// The message.
        message: String,
    },
}
