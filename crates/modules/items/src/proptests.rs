//! Invariants over random sequences of mints, transfers and burns, against a model: per item the
//! holdings sum to minted − burned, minted never passes the cap, a unique item has at most one
//! holder and the owner index names it, and a refused call writes nothing.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, HashMap};

use proptest::prelude::*;

use pillar_primitives::Address;

use crate::{
    ITEMS, OWNERS, holding,
    testkit::{Counted, Event, burn, create, define, direct, mint, transfer},
};

/// (item, cap, transferable); item 5 is never defined.
const CLASSES: &[(u64, u128, bool)] = &[(1, 1, true), (2, 60, true), (3, 20, false), (4, 1, false)];
const HOLDERS: usize = 4;

fn issuer() -> Address {
    Address::repeat_byte(0x77)
}

/// Holder `i`; index `HOLDERS` stands for the zero address.
fn holder(i: usize) -> Address {
    if i >= HOLDERS { Address::ZERO } else { Address::repeat_byte(i as u8 + 1) }
}

#[derive(Debug, Clone)]
enum Step {
    Mint { by_minter: bool, to: usize, entries: BTreeMap<u64, u128> },
    Transfer { from: usize, to: usize, entries: BTreeMap<u64, u128> },
    Burn { from: usize, entries: BTreeMap<u64, u128> },
}

fn entries() -> impl Strategy<Value = BTreeMap<u64, u128>> {
    prop::collection::btree_map(1u64..=5, 1u128..25, 1..4)
}

fn step() -> impl Strategy<Value = Step> {
    let to = prop_oneof![12 => 0..HOLDERS, 1 => Just(HOLDERS)];
    prop_oneof![
        3 => (prop::bool::weighted(0.9), to.clone(), entries())
            .prop_map(|(by_minter, to, entries)| Step::Mint { by_minter, to, entries }),
        4 => (0..HOLDERS, to, entries()).prop_map(|(from, to, entries)| Step::Transfer { from, to, entries }),
        2 => (0..HOLDERS, entries()).prop_map(|(from, entries)| Step::Burn { from, entries }),
    ]
}

/// What the module should hold: per (item, holder) units, per item (minted, burned).
#[derive(Default)]
struct Model {
    held: HashMap<(u64, usize), u128>,
    supply: HashMap<u64, (u128, u128)>,
}

impl Model {
    fn class(item: u64) -> Option<(u128, bool)> {
        CLASSES.iter().find(|c| c.0 == item).map(|c| (c.1, c.2))
    }

    fn held(&self, item: u64, who: usize) -> u128 {
        self.held.get(&(item, who)).copied().unwrap_or(0)
    }

    /// Applies `step` if the rules allow it, else says which code refuses it.
    fn apply(&mut self, step: &Step) -> Result<(), u32> {
        match step {
            Step::Mint { by_minter, to, entries } => {
                if !by_minter {
                    return Err(6003);
                }
                if *to >= HOLDERS {
                    return Err(6009);
                }
                for (item, amount) in entries {
                    let (cap, _) = Self::class(*item).ok_or(6004u32)?;
                    let minted = self.supply.get(item).map_or(0, |s| s.0);
                    if minted + amount > cap {
                        return Err(6006);
                    }
                }
                for (item, amount) in entries {
                    self.supply.entry(*item).or_default().0 += amount;
                    *self.held.entry((*item, *to)).or_default() += amount;
                }
            }
            Step::Transfer { from, to, entries } => {
                if *to >= HOLDERS {
                    return Err(6009);
                }
                for (item, amount) in entries {
                    let (_, transferable) = Self::class(*item).ok_or(6004u32)?;
                    if !transferable {
                        return Err(6007);
                    }
                    if self.held(*item, *from) < *amount {
                        return Err(6008);
                    }
                }
                for (item, amount) in entries {
                    *self.held.entry((*item, *from)).or_default() -= amount;
                    *self.held.entry((*item, *to)).or_default() += amount;
                }
            }
            Step::Burn { from, entries } => {
                for (item, amount) in entries {
                    Self::class(*item).ok_or(6004u32)?;
                    if self.held(*item, *from) < *amount {
                        return Err(6008);
                    }
                }
                for (item, amount) in entries {
                    *self.held.entry((*item, *from)).or_default() -= amount;
                    self.supply.entry(*item).or_default().1 += amount;
                }
            }
        }
        Ok(())
    }
}

fn as_list(entries: &BTreeMap<u64, u128>) -> Vec<(u64, u128)> {
    entries.iter().map(|(i, a)| (*i, *a)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn supply_and_holdings_agree_and_unique_items_have_one_holder(
        steps in prop::collection::vec(step(), 1..40),
    ) {
        let mut s = Counted::default();
        prop_assert!(direct(&mut s, issuer(), &create("heroes")).0.is_ok());
        prop_assert!(direct(&mut s, issuer(), &define(1, CLASSES)).0.is_ok());
        let mut model = Model::default();
        for st in &steps {
            let (sender, call, n) = match st {
                Step::Mint { by_minter, to, entries } => {
                    let sender = if *by_minter { issuer() } else { holder(0) };
                    (sender, mint(1, holder(*to), &as_list(entries)), entries.len())
                }
                Step::Transfer { from, to, entries } => {
                    (holder(*from), transfer(1, holder(*to), &as_list(entries)), entries.len())
                }
                Step::Burn { from, entries } => (holder(*from), burn(1, &as_list(entries)), entries.len()),
            };
            let expected = model.apply(st);
            let (got, writes) = direct(&mut s, sender, &call);
            match got {
                Ok(events) => {
                    prop_assert!(expected.is_ok(), "{st:?} succeeded, model says {expected:?}");
                    let moved = events.iter().filter(|e| matches!(e, Event::Items(crate::ItemsEvent::ItemsMoved { .. }))).count();
                    prop_assert_eq!(moved, n);
                }
                Err(code) => {
                    prop_assert_eq!(Err(code), expected, "{:?}", st);
                    prop_assert_eq!(writes, 0, "a refused call wrote");
                }
            }
            for &(item, cap, _) in CLASSES {
                let info = ITEMS.get(&s, &(1, item)).unwrap().unwrap();
                prop_assert!(info.minted <= cap, "minted above the cap");
                prop_assert_eq!((info.minted, info.burned), model.supply.get(&item).copied().unwrap_or_default());
                let mut sum = 0u128;
                let mut holders = vec![];
                for i in 0..HOLDERS {
                    let h = holding(&s, 1, item, holder(i)).unwrap();
                    prop_assert_eq!(h, model.held(item, i));
                    sum += h;
                    if h > 0 {
                        holders.push(holder(i));
                    }
                }
                prop_assert_eq!(holding(&s, 1, item, Address::ZERO).unwrap(), 0);
                prop_assert_eq!(sum, info.minted - info.burned, "holdings vs supply");
                let owner = OWNERS.get(&s, &(1, item)).unwrap();
                if cap == 1 {
                    prop_assert!(holders.len() <= 1, "a unique item with two holders");
                    prop_assert_eq!(owner, holders.first().copied());
                } else {
                    prop_assert_eq!(owner, None);
                }
            }
        }
    }
}

proptest! {
    /// The stored records survive borsh (the state's encoding).
    #[test]
    fn stored_records_round_trip(
        issuer in any::<[u8; 20]>(),
        name in ".{0,64}",
        uri in ".{0,64}",
        nums in (any::<u128>(), any::<bool>(), any::<u128>(), any::<u128>()),
    ) {
        let c = crate::Collection { issuer: Address::from(issuer), name, uri };
        prop_assert_eq!(borsh::from_slice::<crate::Collection>(&borsh::to_vec(&c).unwrap()).unwrap(), c);
        let (max_supply, transferable, minted, burned) = nums;
        let i = crate::ItemInfo { max_supply, transferable, minted, burned };
        prop_assert_eq!(borsh::from_slice::<crate::ItemInfo>(&borsh::to_vec(&i).unwrap()).unwrap(), i);
    }
}
