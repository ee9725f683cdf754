//! [`TxView`]: what admission and pre-dispatch hooks see of a transaction, without knowing the
//! chain's composed call type.

use pillar_primitives::{Address, B256, CallSet, CallView, Envelope, SessionKey, VerifiedTransaction};

/// A verified transaction as a module's hooks see it.
#[derive(Clone, Copy)]
pub struct TxView<'a> {
    /// The effective sender: the recovered signer, or the account a session key acts for.
    pub sender: Address,
    /// The transaction's nonce.
    pub nonce: u64,
    /// Its fee bound.
    pub max_fee: u128,
    /// Its hash.
    pub hash: B256,
    /// Its encoded size in bytes.
    pub size: usize,
    /// The session key that signed for `sender`, if one did.
    pub session: Option<SessionKey>,
    /// Sponsor and session, if any.
    pub envelope: Option<&'a Envelope>,
    /// The call: its kind, what it spends, and its module's group ([`CallView::get`]).
    pub call: &'a dyn CallView,
}

impl<'a> TxView<'a> {
    /// The view of `tx`.
    pub fn of<C: CallSet>(tx: &'a VerifiedTransaction<C>) -> Self {
        Self {
            sender: tx.sender,
            nonce: tx.tx.tx.nonce,
            max_fee: tx.tx.tx.max_fee,
            hash: tx.hash,
            size: tx.size,
            session: tx.session,
            envelope: tx.tx.envelope.as_ref(),
            call: &tx.tx.tx.call,
        }
    }

    /// The sponsor named in the envelope, if any.
    pub fn sponsor(&self) -> Option<Address> {
        self.envelope.and_then(Envelope::sponsor)
    }

    /// Who pays the fee: the sponsor if one is named, else the sender.
    pub fn payer(&self) -> Address {
        self.sponsor().unwrap_or(self.sender)
    }
}

impl core::fmt::Debug for TxView<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TxView")
            .field("sender", &self.sender)
            .field("nonce", &self.nonce)
            .field("max_fee", &self.max_fee)
            .field("hash", &self.hash)
            .field("call", &self.call.type_name())
            .finish()
    }
}
