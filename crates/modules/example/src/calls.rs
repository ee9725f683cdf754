//! Call kinds of the example module.

use alloc::string::String;

use borsh::{BorshDeserialize, BorshSerialize};
use pillar_primitives::CallArgs;
use serde::{Deserialize, Serialize};

/// Longest guestbook message, in bytes.
pub const MAX_MESSAGE_LEN: usize = 140;

/// Sign the guestbook with a message.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
    pillar_macros::Eip712,
)]
#[serde(deny_unknown_fields)]
pub struct SignGuestbook {
    /// The message, 1 to 140 bytes of UTF-8.
    pub message: String,
}

impl CallArgs for SignGuestbook {
    fn check(&self) -> Result<(), &'static str> {
        if self.message.is_empty() || self.message.len() > MAX_MESSAGE_LEN {
            return Err("a guestbook message is 1 to 140 bytes");
        }
        Ok(())
    }
}

pillar_primitives::declare_calls! {
    /// The `example` module's calls.
    pub enum ExampleCall for crate::NAME {
        /// `example`: sign the guestbook with a message.
        39 => SignGuestbook(SignGuestbook),
    }
}
