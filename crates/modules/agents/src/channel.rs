//! Payment channels: `OpenChannel`, `FundChannel`, `SettleChannel`, `RequestChannelClose`,
//! `CloseChannel`.
//!
//! Deposits sit in the module's escrow account ([`crate::escrow_address`]) as ordinary balances
//! of the `assets` ledger. Every movement in or out of escrow of an issuer token is first
//! submitted to the chain's movement guards as a `Transfer` (as `assets` does for its own
//! transfers), so an asset's compliance rules bind channels too. Time is the block's timestamp.

use crate::{CloseChannel, FundChannel, OpenChannel, RequestChannelClose, SettleChannel};
use pillar_assets::{ASSETS, balance, credit, debit};
use pillar_primitives::{Address, AssetId, NATIVE_ASSET, Voucher};
use pillar_runtime::{AssetMove, CallError, MoveKind, TxContext};
use pillar_state::{StateRead, StateWrite};

use crate::AgentsEvent;
use crate::{
    AgentsError, escrow_address, identity,
    state::{CHANNELS, Channel, NEXT_CHANNEL, PAID},
    voucher::check_voucher,
};

/// Moves `amount` of `asset` between two holders, after the movement guards approve (issuer
/// tokens only: native ETH pays fees and has no rules), with an `assets` `Transfer` event.
fn move_units(
    ctx: &mut TxContext<'_>,
    state: &mut dyn StateWrite,
    asset: AssetId,
    from: Address,
    to: Address,
    amount: u128,
) -> Result<(), CallError> {
    if amount == 0 {
        return Ok(());
    }
    if asset != NATIVE_ASSET {
        let mv = AssetMove { asset, kind: MoveKind::Transfer, from: Some(from), to: Some(to), amount };
        ctx.guard_move(&mv, state)?;
    }
    let have = balance(state, from, asset)?;
    if have < amount {
        return Err(AgentsError::InsufficientBalance { asset, balance: have, needed: amount }.into());
    }
    if from != to {
        balance(state, to, asset)?.checked_add(amount).ok_or(AgentsError::Overflow { what: "balance" })?;
    }
    debit(state, from, asset, amount)?;
    credit(state, to, asset, amount)?;
    ctx.emit(pillar_assets::AssetsEvent::Transfer { asset, from, to, amount });
    Ok(())
}

fn load(state: &(impl StateRead + ?Sized), channel: u64) -> Result<Channel, CallError> {
    Ok(CHANNELS.get(state, &channel)?.ok_or(AgentsError::UnknownChannel { channel })?)
}

/// The channel, if the sender is its payer and it is open.
fn payers_open(state: &dyn StateWrite, channel: u64, account: Address) -> Result<Channel, CallError> {
    let ch = load(state, channel)?;
    if ch.payer != account {
        return Err(AgentsError::NotPayer { channel, account }.into());
    }
    if ch.closed {
        return Err(AgentsError::ChannelClosed { channel }.into());
    }
    Ok(ch)
}

fn funded(ctx: &mut TxContext<'_>, id: u64, ch: &Channel) {
    ctx.emit(AgentsEvent::ChannelFunded {
        channel: id,
        payer: ch.payer,
        agent: ch.agent,
        asset: ch.asset,
        deposit: ch.deposit,
    });
}

/// Ends the channel: the unsettled deposit goes back to the payer.
fn close(
    ctx: &mut TxContext<'_>,
    state: &mut dyn StateWrite,
    id: u64,
    ch: &mut Channel,
) -> Result<(), CallError> {
    let refunded = ch.deposit.checked_sub(ch.settled).ok_or(AgentsError::Overflow { what: "refund" })?;
    move_units(ctx, state, ch.asset, escrow_address(), ch.payer, refunded)?;
    ch.closed = true;
    ctx.emit(AgentsEvent::ChannelClosed { channel: id, refunded });
    Ok(())
}

pub(crate) fn open(
    ctx: &mut TxContext<'_>,
    c: &OpenChannel,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    identity::load(state, c.agent)?;
    if c.asset != NATIVE_ASSET && ASSETS.get(state, &c.asset)?.is_none() {
        return Err(AgentsError::UnknownAsset { asset: c.asset }.into());
    }
    let id = NEXT_CHANNEL.get(state)?.unwrap_or(1);
    let next = id.checked_add(1).ok_or(AgentsError::Overflow { what: "channel ids" })?;
    let payer = ctx.sender;
    move_units(ctx, state, c.asset, payer, escrow_address(), c.amount)?;
    NEXT_CHANNEL.set(state, &next);
    let ch = Channel {
        payer,
        agent: c.agent,
        asset: c.asset,
        deposit: c.amount,
        settled: 0,
        voucher_key: c.voucher_key,
        timeout_ms: c.timeout_ms,
        closes_at_ms: 0,
        closed: false,
    };
    CHANNELS.set(state, &id, &ch);
    funded(ctx, id, &ch);
    Ok(())
}

/// Adds to the deposit and cancels a pending close request (the payer wants to keep going).
pub(crate) fn fund(
    ctx: &mut TxContext<'_>,
    c: &FundChannel,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    let mut ch = payers_open(state, c.channel, ctx.sender)?;
    ch.deposit = ch.deposit.checked_add(c.amount).ok_or(AgentsError::Overflow { what: "deposit" })?;
    move_units(ctx, state, ch.asset, ch.payer, escrow_address(), c.amount)?;
    ch.closes_at_ms = 0;
    CHANNELS.set(state, &c.channel, &ch);
    funded(ctx, c.channel, &ch);
    Ok(())
}

/// Pays the voucher's increase over what was settled to the agent's wallet; with `close`, ends
/// the channel. Checks, in order: channel exists (5010) → sender is the agent's owner or wallet
/// (5012) → open (5016) → within the settlement window (5019) → the voucher rules of
/// [`check_voucher`] (5014, 5015, 5013) → the movement guards.
pub(crate) fn settle(
    ctx: &mut TxContext<'_>,
    c: &SettleChannel,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    let id = c.channel;
    let mut ch = load(state, id)?;
    let agent = identity::load(state, ch.agent)?;
    if !agent.is_payee(ctx.sender) {
        return Err(AgentsError::NotPayee { channel: id, agent: ch.agent, account: ctx.sender }.into());
    }
    if ch.closed {
        return Err(AgentsError::ChannelClosed { channel: id }.into());
    }
    let now = ctx.block.timestamp_ms;
    if ch.closes_at_ms != 0 && now >= ch.closes_at_ms {
        return Err(AgentsError::SettlementWindowOver {
            channel: id,
            closes_at_ms: ch.closes_at_ms,
            now_ms: now,
        }
        .into());
    }
    let voucher = Voucher { chain_id: ctx.block.chain_id, channel: id, cumulative: c.cumulative };
    let owed = check_voucher(&ch, &voucher, &c.signature)?;
    move_units(ctx, state, ch.asset, escrow_address(), agent.wallet(), owed)?;
    ch.settled = c.cumulative;
    let paid = PAID.get(state, &(ch.agent, ch.payer))?.unwrap_or(0);
    let paid = paid.checked_add(owed).ok_or(AgentsError::Overflow { what: "paid total" })?;
    PAID.set(state, &(ch.agent, ch.payer), &paid);
    ctx.emit(AgentsEvent::ChannelSettled { channel: id, cumulative: c.cumulative, paid: owed });
    if c.close {
        close(ctx, state, id, &mut ch)?;
    }
    CHANNELS.set(state, &id, &ch);
    Ok(())
}

/// Starts the payee's last settlement window: the payer may close from `now + timeout_ms`. A
/// second request keeps the first deadline.
pub(crate) fn request_close(
    ctx: &mut TxContext<'_>,
    c: &RequestChannelClose,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    let mut ch = payers_open(state, c.channel, ctx.sender)?;
    if ch.closes_at_ms == 0 {
        ch.closes_at_ms = ctx
            .block
            .timestamp_ms
            .checked_add(ch.timeout_ms)
            .ok_or(AgentsError::Overflow { what: "close time" })?;
        CHANNELS.set(state, &c.channel, &ch);
    }
    ctx.emit(AgentsEvent::ChannelCloseRequested { channel: c.channel, closes_at_ms: ch.closes_at_ms });
    Ok(())
}

/// Ends the channel once the settlement window is over, refunding the unsettled deposit.
pub(crate) fn close_channel(
    ctx: &mut TxContext<'_>,
    c: &CloseChannel,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    let mut ch = payers_open(state, c.channel, ctx.sender)?;
    if ch.closes_at_ms == 0 {
        return Err(AgentsError::CloseNotRequested { channel: c.channel }.into());
    }
    let now = ctx.block.timestamp_ms;
    if now < ch.closes_at_ms {
        return Err(AgentsError::CloseTimeoutNotPassed {
            channel: c.channel,
            closes_at_ms: ch.closes_at_ms,
            now_ms: now,
        }
        .into());
    }
    close(ctx, state, c.channel, &mut ch)?;
    CHANNELS.set(state, &c.channel, &ch);
    Ok(())
}
