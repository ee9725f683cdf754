//! The voucher rules, shared by settlement on chain and by a payee's server off chain.
//!
//! A payee serving pay-per-request calls keeps a [`VoucherCheck`] per channel: for each request
//! the payer sends the next cumulative voucher, the server runs [`VoucherCheck::accept`] (one
//! signature check, no I/O) and serves the request if the increase covers its price. When it
//! wants its money it sends the best voucher in one `SettleChannel` ([`VoucherCheck::settle_call`]).
//! The rules are [`check_voucher`]'s, the same function settlement runs; only the settlement
//! window (block time) is checked on chain alone.

use crate::SettleChannel;
use pillar_primitives::Voucher;

use crate::{AgentsError, state::Channel};

/// What a voucher newly owes on `channel` over `floor` (the cumulative amount already counted:
/// `channel.settled` on chain, the last accepted voucher off chain), or why it is refused.
///
/// Checks, in order: the channel is open; `cumulative > floor` (a replayed or reordered voucher
/// owes nothing new); `cumulative ≤ deposit`; the signature is the channel's voucher key's over
/// `voucher`. The caller builds `voucher` from the chain id and channel id it expects, never
/// from what the payer claims.
fn check_over(
    channel: &Channel,
    floor: u128,
    voucher: &Voucher,
    signature: &[u8],
) -> Result<u128, AgentsError> {
    let (id, cumulative) = (voucher.channel, voucher.cumulative);
    if channel.closed {
        return Err(AgentsError::ChannelClosed { channel: id });
    }
    let floor = floor.max(channel.settled);
    let Some(owed) = cumulative.checked_sub(floor).filter(|o| *o > 0) else {
        return Err(AgentsError::VoucherNotIncreasing { channel: id, cumulative, settled: floor });
    };
    if cumulative > channel.deposit {
        return Err(AgentsError::VoucherAboveDeposit { channel: id, cumulative, deposit: channel.deposit });
    }
    if !voucher.verify(&channel.voucher_key, signature) {
        return Err(AgentsError::BadVoucherSignature { channel: id, cumulative });
    }
    Ok(owed)
}

/// What `voucher` newly owes on `channel` beyond what was settled, or why settlement would
/// refuse it (all rules but the settlement window, which needs block time).
///
/// `voucher.chain_id` and `voucher.channel` must be the chain's and the channel's own: build the
/// voucher from what you expect, and let the signature check fail if the payer signed something
/// else.
pub fn check_voucher(channel: &Channel, voucher: &Voucher, signature: &[u8]) -> Result<u128, AgentsError> {
    check_over(channel, channel.settled, voucher, signature)
}

/// A payee's running check of one channel's vouchers, off chain: remembers the best voucher
/// accepted so far, so each request's voucher must owe more than the last.
#[derive(Debug, Clone)]
pub struct VoucherCheck {
    chain_id: u64,
    channel_id: u64,
    channel: Channel,
    best: Option<(u128, [u8; 64])>,
}

impl VoucherCheck {
    /// Starts checking `channel` (as read from the chain's `channel` query or state) with id
    /// `channel_id` on chain `chain_id`.
    pub fn new(chain_id: u64, channel_id: u64, channel: Channel) -> Self {
        Self { chain_id, channel_id, channel, best: None }
    }

    /// Replaces the channel record with a fresher one (after a top-up or a settlement); the
    /// best voucher is kept if it still owes something.
    pub fn refresh(&mut self, channel: Channel) {
        if self.best.is_some_and(|(c, _)| c <= channel.settled) {
            self.best = None;
        }
        self.channel = channel;
    }

    /// The cumulative amount counted so far: the best accepted voucher, or what was settled.
    pub fn accepted(&self) -> u128 {
        self.best.map_or(self.channel.settled, |(c, _)| c.max(self.channel.settled))
    }

    /// Checks the payer's next voucher; on success remembers it and returns the increase over
    /// the previous one (what this request pays).
    pub fn accept(&mut self, cumulative: u128, signature: &[u8]) -> Result<u128, AgentsError> {
        let voucher = Voucher { chain_id: self.chain_id, channel: self.channel_id, cumulative };
        let owed = check_over(&self.channel, self.accepted(), &voucher, signature)?;
        let mut sig = [0u8; 64];
        // `check_over` verified the signature, which requires exactly 64 bytes.
        if signature.len() == 64 {
            sig.copy_from_slice(signature);
        }
        self.best = Some((cumulative, sig));
        Ok(owed)
    }

    /// Owed by the best voucher beyond what was settled on chain.
    pub fn unsettled(&self) -> u128 {
        self.accepted().saturating_sub(self.channel.settled)
    }

    /// The `SettleChannel` call that collects the best voucher (`None` if nothing is owed).
    pub fn settle_call(&self, close: bool) -> Option<SettleChannel> {
        let (cumulative, sig) = self.best.filter(|(c, _)| *c > self.channel.settled)?;
        Some(SettleChannel { channel: self.channel_id, cumulative, signature: sig.to_vec(), close })
    }
}
