//! The `bridge` module: the L2 half of the L1 bridge (docs/bridge.md).
//!
//! - **Deposits** arrive as L1 queue messages, applied by the runtime as system transactions in
//!   queue order: an ETH deposit mints native ETH to the recipient; an ERC-20 deposit mints the
//!   token's L2 representation, created on its first deposit.
//! - **Withdrawals**: the `Withdraw` call burns native ETH or a bridged token and appends a leaf
//!   to the chain's cumulative withdrawals tree. Its root goes into every block header and, through
//!   the output root, to L1, where `Portal.finalizeWithdrawal` pays out against a finalized output.
//! - **Backing**: L2 may hold ETH that never came through the Portal (genesis allocations). The
//!   module counts bridged ETH (deposits minus withdrawals) and refuses an ETH withdrawal above it,
//!   at the mempool door and at execution, so nobody burns L2 ETH for a payout L1 cannot make.
//!   Bridged tokens need no counter: only deposits mint them (docs/bridge.md §5.6).
//!
//! The tree is cumulative rather than per block so that a withdrawal can be proven against any
//! later output: the proposer need not propose every block that has a withdrawal.

#![cfg_attr(not(feature = "std"), no_std)]

use alloc::string::ToString;

#[macro_use]
extern crate alloc;

mod calls;
mod error;
mod events;
mod query;
mod state;

use pillar_assets::{ASSETS, NAME as ASSETS_NAME};
use pillar_primitives::{Address, AssetId, B256, L1Message, L1MessageKind, NATIVE_ASSET, withdrawal_leaf};
use pillar_runtime::{
    CallError, Genesis, GenesisError, Invalid, Module, Refusal, TxContext, TxView, ValidateError,
};
use pillar_state::{StateError, StateRead, StateWrite};

pub use calls::*;
pub use error::BridgeError;
pub use events::BridgeEvent;
pub use query::withdrawal_proof;
pub use state::{BRIDGED_ETH, L1_TOKEN, L2_ASSET, TREE, WITHDRAWALS, WithdrawalRecord};

/// Module name and state prefix.
pub const NAME: &str = "bridge";

/// The bridge module.
#[derive(Debug, Default, Clone, Copy)]
pub struct Bridge;

/// The L2 asset of an L1 token, creating it on first use.
fn l2_asset_for(state: &mut dyn StateWrite, token: Address) -> Result<AssetId, CallError> {
    if let Some(a) = L2_ASSET.get(state, &token)? {
        return Ok(a);
    }
    let hex = token.to_string();
    // The deposit carries no token metadata; the name says where the asset comes from. The zero
    // address as creator holds its roles, and no key controls it: only deposits mint.
    let asset = pillar_assets::create(
        state,
        Address::ZERO,
        &format!("Bridged {hex}"),
        &format!("B{}", hex[2..8].to_uppercase()),
        18,
        u128::MAX,
    )?;
    L2_ASSET.set(state, &token, &asset);
    L1_TOKEN.set(state, &asset, &token);
    Ok(asset)
}

/// ETH bridged in through the Portal and not withdrawn (wei); 0 when never written.
pub fn bridged_eth(state: &(impl StateRead + ?Sized)) -> Result<u128, StateError> {
    Ok(BRIDGED_ETH.get(state)?.unwrap_or(0))
}

/// Sets the bridged ETH; zero is deleted, like a zero balance, so the trie holds only live values.
fn set_bridged_eth(state: &mut (impl StateWrite + ?Sized), wei: u128) {
    if wei == 0 { BRIDGED_ETH.remove(state) } else { BRIDGED_ETH.set(state, &wei) }
}

/// The counter after an ETH deposit of `amount`.
fn backed_deposit(bridged: u128, amount: u128) -> Result<u128, BridgeError> {
    // Cannot overflow while the ETH supply (which is at least the counter) fits in u128; checked
    // so that a broken invariant refuses the deposit instead of wrapping.
    bridged.checked_add(amount).ok_or(BridgeError::DepositOverflow { asset: NATIVE_ASSET, amount })
}

/// The counter after an ETH withdrawal of `amount`, or the refusal if L1 could not pay it.
fn backed_withdrawal(bridged: u128, amount: u128) -> Result<u128, BridgeError> {
    bridged.checked_sub(amount).ok_or(BridgeError::WithdrawalUnbacked { amount, bridged })
}

fn deposit(
    ctx: &mut TxContext<'_>,
    msg: &L1Message,
    state: &mut dyn StateWrite,
    asset: AssetId,
    l1_token: Address,
    to: Address,
    amount: u128,
) -> Result<(), CallError> {
    pillar_assets::mint_unchecked(state, asset, to, amount)
        .map_err(|_| BridgeError::DepositOverflow { asset, amount })?;
    if asset == NATIVE_ASSET {
        set_bridged_eth(state, backed_deposit(bridged_eth(state)?, amount)?);
    }
    ctx.emit(BridgeEvent::Deposited {
        queue_index: msg.index,
        from: msg.sender,
        to,
        asset,
        l1_token,
        amount,
    });
    Ok(())
}

fn withdraw(ctx: &mut TxContext<'_>, w: &Withdraw, state: &mut dyn StateWrite) -> Result<(), CallError> {
    let l1_token = if w.asset == NATIVE_ASSET {
        Address::ZERO
    } else {
        L1_TOKEN.get(state, &w.asset)?.ok_or(BridgeError::NotBridged { asset: w.asset })?
    };
    let mut tree = TREE.get(state)?.unwrap_or_default();
    let index = u32::try_from(tree.count).map_err(|_| BridgeError::TreeFull)?;
    pillar_assets::burn_unchecked(state, w.asset, ctx.sender, w.amount)?;
    // After the burn, so an overdraft reports 1001 as at the door; a refusal reverts the burn.
    if w.asset == NATIVE_ASSET {
        set_bridged_eth(state, backed_withdrawal(bridged_eth(state)?, w.amount)?);
    }
    let l2_block = ctx.block.height;
    let leaf = withdrawal_leaf(l2_block, index, ctx.sender, w.l1_recipient, l1_token, w.amount);
    tree.push(leaf);
    TREE.set(state, &tree);
    WITHDRAWALS.set(
        state,
        &index,
        &WithdrawalRecord {
            l2_block,
            sender: ctx.sender,
            l1_recipient: w.l1_recipient,
            l1_token,
            asset: w.asset,
            amount: w.amount,
            leaf,
        },
    );
    ctx.emit(BridgeEvent::WithdrawalInitiated {
        index,
        l2_block,
        sender: ctx.sender,
        l1_recipient: w.l1_recipient,
        l1_token,
        amount: w.amount,
        leaf,
    });
    Ok(())
}

impl Module for Bridge {
    const NAME: &'static str = NAME;
    type Call = BridgeCall;
    type Event = BridgeEvent;

    fn takes_l1_messages(&self) -> bool {
        true
    }

    fn genesis(&self, _genesis: &Genesis, state: &mut dyn StateWrite) -> Result<(), GenesisError> {
        // Native ETH must exist for deposits; the assets module writes it.
        if ASSETS.get(state, &NATIVE_ASSET)?.is_none() {
            return Err(GenesisError::Invalid {
                module: NAME,
                reason: format!("the {ASSETS_NAME} module must come before bridge"),
            });
        }
        Ok(())
    }

    fn validate(&self, tx: &TxView<'_>, state: &dyn StateRead) -> Result<(), ValidateError> {
        // Screen ETH withdrawals at the door against the latest block (one read), so a withdrawal
        // L1 could not pay costs its sender nothing. Inclusion decides again, which is what binds
        // forced transactions and withdrawals admitted together.
        let Some(BridgeCall::Withdraw(w)) = tx.call.get::<BridgeCall>() else { return Ok(()) };
        if w.asset != NATIVE_ASSET {
            return Ok(());
        }
        let bridged = bridged_eth(state)?;
        if w.amount <= bridged {
            return Ok(());
        }
        let e = BridgeError::WithdrawalUnbacked { amount: w.amount, bridged };
        let refusal = Refusal {
            module: NAME,
            code: e.code(),
            kind: "withdrawal_unbacked",
            rpc_code: -38021,
            reason: e.to_string(),
        };
        Err(Invalid::Refused(refusal).into())
    }

    fn call(
        &self,
        ctx: &mut TxContext<'_>,
        call: &BridgeCall,
        state: &mut dyn StateWrite,
    ) -> Result<(), CallError> {
        match call {
            BridgeCall::Withdraw(w) => withdraw(ctx, w, state),
        }
    }

    fn l1_message(
        &self,
        ctx: &mut TxContext<'_>,
        msg: &L1Message,
        state: &mut dyn StateWrite,
    ) -> Result<(), CallError> {
        match &msg.kind {
            L1MessageKind::EthDeposit { recipient, amount } => {
                deposit(ctx, msg, state, NATIVE_ASSET, Address::ZERO, *recipient, *amount)
            }
            L1MessageKind::Erc20Deposit { token, recipient, amount } => {
                let asset = l2_asset_for(state, *token)?;
                deposit(ctx, msg, state, asset, *token, *recipient, *amount)
            }
            L1MessageKind::ForcedTx { .. } => Err(pillar_runtime::Revert {
                code: 2000,
                reason: "forced transactions are executed by the runtime, not the bridge".into(),
            }
            .into()),
        }
    }

    fn withdrawals_root(&self, state: &dyn StateRead) -> Result<Option<B256>, StateError> {
        Ok(Some(TREE.get(state)?.unwrap_or_default().root()))
    }
}

#[cfg(test)]
mod tests;
