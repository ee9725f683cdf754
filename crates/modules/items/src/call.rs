//! Handlers of the items calls.
//!
//! Each handler checks every entry of its batch against state before it writes anything, so a
//! call either applies whole or fails with no effect (the runtime also reverts a failed call's
//! writes; the module does not rely on it).

use alloc::vec::Vec;

use crate::{
    BurnItems, CollectionId, CreateCollection, DefineItems, MintItems, SetItemMinter, TransferItems,
};
use pillar_primitives::Address;
use pillar_runtime::{CallError, TxContext};
use pillar_state::{StateRead, StateWrite};

use crate::ItemsEvent;
use crate::{
    ItemsError,
    state::{
        COLLECTIONS, Collection, ITEMS, ItemInfo, MINTERS, NEXT_COLLECTION, OWNERS, holding, is_minter,
        set_holding,
    },
};

/// The collection, or `UnknownCollection`.
fn collection(state: &(impl StateRead + ?Sized), id: CollectionId) -> Result<Collection, CallError> {
    Ok(COLLECTIONS.get(state, &id)?.ok_or(ItemsError::UnknownCollection { collection: id })?)
}

/// The sender's collection, or why it is not theirs.
fn issued_by(
    state: &(impl StateRead + ?Sized),
    id: CollectionId,
    sender: Address,
) -> Result<Collection, CallError> {
    let c = collection(state, id)?;
    if c.issuer != sender {
        return Err(ItemsError::NotIssuer { collection: id, account: sender }.into());
    }
    Ok(c)
}

/// An item class. A missing class is reported as `UnknownCollection` when its collection does
/// not exist either: the collection is only read on that path, so a move costs one read per
/// item.
fn class(state: &(impl StateRead + ?Sized), id: CollectionId, item: u64) -> Result<ItemInfo, CallError> {
    match ITEMS.get(state, &(id, item))? {
        Some(info) => Ok(info),
        None => {
            collection(state, id)?;
            Err(ItemsError::UnknownItem { collection: id, item }.into())
        }
    }
}

/// Creates a collection numbered after the last one; the sender is its issuer and first minter.
pub(crate) fn create_collection(
    ctx: &mut TxContext<'_>,
    c: &CreateCollection,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    let id = NEXT_COLLECTION.get(state)?.unwrap_or(1);
    let next = id.checked_add(1).ok_or(ItemsError::CollectionIdsExhausted)?;
    let issuer = ctx.sender;
    NEXT_COLLECTION.set(state, &next);
    COLLECTIONS.set(state, &id, &Collection { issuer, name: c.name.clone(), uri: c.uri.clone() });
    MINTERS.set(state, &(id, issuer), &true);
    ctx.emit(ItemsEvent::CollectionCreated { collection: id, issuer, name: c.name.clone() });
    ctx.emit(ItemsEvent::ItemMinterChanged { collection: id, minter: issuer, enabled: true });
    Ok(())
}

/// Appoints or dismisses a minter (issuer only; the issuer may dismiss and re-appoint itself).
pub(crate) fn set_minter(
    ctx: &mut TxContext<'_>,
    c: &SetItemMinter,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    issued_by(state, c.collection, ctx.sender)?;
    if c.enabled {
        MINTERS.set(state, &(c.collection, c.minter), &true);
    } else {
        MINTERS.remove(state, &(c.collection, c.minter));
    }
    ctx.emit(ItemsEvent::ItemMinterChanged {
        collection: c.collection,
        minter: c.minter,
        enabled: c.enabled,
    });
    Ok(())
}

/// Defines item classes (issuer only); refuses the whole batch if any item is already defined.
pub(crate) fn define_items(
    ctx: &mut TxContext<'_>,
    c: &DefineItems,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    issued_by(state, c.collection, ctx.sender)?;
    for class in &c.classes {
        if ITEMS.get(state, &(c.collection, class.item))?.is_some() {
            return Err(ItemsError::ItemAlreadyDefined { collection: c.collection, item: class.item }.into());
        }
    }
    for class in &c.classes {
        let info =
            ItemInfo { max_supply: class.max_supply, transferable: class.transferable, minted: 0, burned: 0 };
        ITEMS.set(state, &(c.collection, class.item), &info);
        ctx.emit(ItemsEvent::ItemDefined {
            collection: c.collection,
            item: class.item,
            max_supply: class.max_supply,
            transferable: class.transferable,
        });
    }
    Ok(())
}

/// Mints items to `c.to` (minters only), within each item's cap on units ever minted.
pub(crate) fn mint(
    ctx: &mut TxContext<'_>,
    c: &MintItems,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    let id = c.collection;
    if !is_minter(state, id, ctx.sender)? {
        collection(state, id)?;
        return Err(ItemsError::NotMinter { collection: id, account: ctx.sender }.into());
    }
    if c.to == Address::ZERO {
        return Err(ItemsError::ZeroRecipient.into());
    }
    // (item, amount, class after, recipient's holding after)
    let mut plan = Vec::with_capacity(c.items.len());
    for e in &c.items {
        let mut info = class(state, id, e.item)?;
        info.minted = info.minted.checked_add(e.amount).filter(|m| *m <= info.max_supply).ok_or(
            ItemsError::SupplyCapExceeded {
                collection: id,
                item: e.item,
                minted: info.minted,
                amount: e.amount,
                max_supply: info.max_supply,
            },
        )?;
        let held = holding(state, id, e.item, c.to)?
            .checked_add(e.amount)
            .ok_or(ItemsError::Overflow { what: "holding" })?;
        plan.push((e.item, e.amount, info, held));
    }
    for (item, amount, info, held) in plan {
        ITEMS.set(state, &(id, item), &info);
        set_holding(state, id, item, c.to, held);
        if info.is_unique() {
            OWNERS.set(state, &(id, item), &c.to);
        }
        ctx.emit(ItemsEvent::ItemsMoved { collection: id, item, from: Address::ZERO, to: c.to, amount });
    }
    Ok(())
}

/// Moves the sender's items to `c.to`. Soulbound items are refused. Sending to oneself is
/// allowed and changes nothing but still needs the holdings (and emits the events).
pub(crate) fn transfer(
    ctx: &mut TxContext<'_>,
    c: &TransferItems,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    let (id, from, to) = (c.collection, ctx.sender, c.to);
    if to == Address::ZERO {
        return Err(ItemsError::ZeroRecipient.into());
    }
    // (item, amount, unique, sender's holding after, recipient's holding after)
    let mut plan = Vec::with_capacity(c.items.len());
    for e in &c.items {
        let info = class(state, id, e.item)?;
        if !info.transferable {
            return Err(ItemsError::Soulbound { collection: id, item: e.item }.into());
        }
        let have = holding(state, id, e.item, from)?;
        let left = have.checked_sub(e.amount).ok_or(ItemsError::InsufficientItems {
            collection: id,
            item: e.item,
            holder: from,
            balance: have,
            needed: e.amount,
        })?;
        let credited = if to == from {
            have
        } else {
            holding(state, id, e.item, to)?
                .checked_add(e.amount)
                .ok_or(ItemsError::Overflow { what: "holding" })?
        };
        plan.push((e.item, e.amount, info.is_unique(), left, credited));
    }
    for (item, amount, unique, left, credited) in plan {
        if to != from {
            set_holding(state, id, item, from, left);
            set_holding(state, id, item, to, credited);
            if unique {
                OWNERS.set(state, &(id, item), &to);
            }
        }
        ctx.emit(ItemsEvent::ItemsMoved { collection: id, item, from, to, amount });
    }
    Ok(())
}

/// Burns items from the sender's holdings (soulbound ones too). Burned units are not given back
/// to the cap.
pub(crate) fn burn(
    ctx: &mut TxContext<'_>,
    c: &BurnItems,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    let (id, from) = (c.collection, ctx.sender);
    // (item, amount, class after, sender's holding after)
    let mut plan = Vec::with_capacity(c.items.len());
    for e in &c.items {
        let mut info = class(state, id, e.item)?;
        let have = holding(state, id, e.item, from)?;
        let left = have.checked_sub(e.amount).ok_or(ItemsError::InsufficientItems {
            collection: id,
            item: e.item,
            holder: from,
            balance: have,
            needed: e.amount,
        })?;
        info.burned = info.burned.checked_add(e.amount).ok_or(ItemsError::Overflow { what: "burned" })?;
        plan.push((e.item, e.amount, info, left));
    }
    for (item, amount, info, left) in plan {
        ITEMS.set(state, &(id, item), &info);
        set_holding(state, id, item, from, left);
        if info.is_unique() && left == 0 {
            OWNERS.remove(state, &(id, item));
        }
        ctx.emit(ItemsEvent::ItemsMoved { collection: id, item, from, to: Address::ZERO, amount });
    }
    Ok(())
}
