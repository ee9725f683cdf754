//! The example module: a guestbook. Anyone may sign it with a short message; the module counts
//! each account's entries and emits the message in the receipt. It is the smallest complete module
//! in the shape docs/modules.md describes (calls, events, state, queries, errors, tests) and is
//! not registered in the node: its tests compose it with `accounts` and `assets`.
//!
//! Codes 9900–9999. Call tag 39 and event tag 39 are the next free ones after `items`; a module
//! that is registered takes those.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod call;
mod calls;
mod error;
mod events;
mod query;
mod state;

use pillar_runtime::{CallError, Module, TxContext};
use pillar_state::StateWrite;

pub use calls::*;
pub use error::ExampleError;
pub use events::ExampleEvent;
pub use state::{ENTRIES, entries};

/// Module name and state prefix.
pub const NAME: &str = "example";

/// The example module.
#[derive(Debug, Default, Clone, Copy)]
pub struct Example;

impl Module for Example {
    const NAME: &'static str = NAME;
    type Call = ExampleCall;
    type Event = ExampleEvent;

    fn call(
        &self,
        ctx: &mut TxContext<'_>,
        call: &ExampleCall,
        state: &mut dyn StateWrite,
    ) -> Result<(), CallError> {
        match call {
            ExampleCall::SignGuestbook(c) => call::sign(ctx, c, state),
        }
    }
}

#[cfg(test)]
mod tests;
