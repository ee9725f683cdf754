//! The example module's handler.

use pillar_runtime::{CallError, TxContext};
use pillar_state::StateWrite;

use crate::{ENTRIES, ExampleError, ExampleEvent, SignGuestbook, entries};

/// `SignGuestbook`: counts the entry and emits the message.
pub(crate) fn sign(
    ctx: &mut TxContext<'_>,
    c: &SignGuestbook,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    let signer = ctx.sender;
    let n = entries(state, &signer)?;
    let entry = n.checked_add(1).ok_or(ExampleError::TooManyEntries { signer, entries: n })?;
    ENTRIES.set(state, &signer, &entry);
    ctx.emit(ExampleEvent::GuestbookSigned { signer, entry, message: c.message.clone() });
    Ok(())
}
