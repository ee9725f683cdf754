//! The `accounts` module: each account's record, its next nonce (the replay protection of every
//! transaction) and its native ETH balance.
//!
//! A transaction must carry exactly the sender's next nonce to execute; executing it (whether the
//! call succeeds or fails) bumps the nonce. The mempool uses [`nonce`] to refuse stale nonces.
//!
//! The nonce and the native balance share one record, as in Ethereum's account leaf: every
//! transaction bumps the sender's nonce and nearly every one pays its fee in native ETH, so one
//! key instead of two per sender is a third fewer state keys per transfer for the root, the
//! commit and the admission checks (docs/state.md, docs/performance.md). `assets` keeps native
//! balances here through [`native_balance`] and [`set_native_balance`].

#![cfg_attr(not(feature = "std"), no_std)]

use alloc::string::ToString;

extern crate alloc;

use borsh::{BorshDeserialize, BorshSerialize};
use pillar_primitives::Address;
use pillar_runtime::{
    Genesis, GenesisError, Invalid, Module, Queries, QueryError, TxContext, TxView, ValidateError,
};
use pillar_state::{KeyPath, StateError, StateMap, StateRead, StateWrite};

/// Module name and state prefix.
pub const NAME: &str = "accounts";

/// An account's record (absent means nonce 0 and no ETH).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Account {
    /// Next nonce.
    pub nonce: u64,
    /// Native ETH balance (asset 0), in wei.
    pub balance: u128,
}

/// Every account's record.
pub const ACCOUNTS: StateMap<Address, Account> = StateMap::new(NAME, "account");

/// The record of `who`.
pub fn account(state: &(impl StateRead + ?Sized), who: &Address) -> Result<Account, StateError> {
    Ok(ACCOUNTS.get(state, who)?.unwrap_or_default())
}

/// Writes the record of `who`; an empty record is deleted so the trie holds only live accounts.
pub fn set_account(state: &mut (impl StateWrite + ?Sized), who: &Address, record: &Account) {
    if *record == Account::default() {
        ACCOUNTS.remove(state, who);
    } else {
        ACCOUNTS.set(state, who, record);
    }
}

/// The next nonce of `who`.
pub fn nonce(state: &(impl StateRead + ?Sized), who: &Address) -> Result<u64, StateError> {
    Ok(account(state, who)?.nonce)
}

/// The native ETH balance of `who`.
pub fn native_balance(state: &(impl StateRead + ?Sized), who: &Address) -> Result<u128, StateError> {
    Ok(account(state, who)?.balance)
}

/// Sets the native ETH balance of `who`, keeping its nonce.
pub fn set_native_balance(
    state: &mut (impl StateWrite + ?Sized),
    who: &Address,
    balance: u128,
) -> Result<(), StateError> {
    let record = Account { balance, ..account(state, who)? };
    set_account(state, who, &record);
    Ok(())
}

/// The accounts module.
#[derive(Debug, Default, Clone, Copy)]
pub struct Accounts;

fn address_param(method: &str, params: &serde_json::Value) -> Result<Address, QueryError> {
    let v = params.get("address").unwrap_or(params);
    pillar_runtime::query_params(method, v)
}

impl Module for Accounts {
    const NAME: &'static str = NAME;
    type Call = pillar_primitives::NoCalls<Self>;
    type Event = pillar_primitives::NoEvents<Self>;

    fn genesis(&self, _genesis: &Genesis, _state: &mut dyn StateWrite) -> Result<(), GenesisError> {
        // Every account starts at nonce 0, which is the absent value.
        Ok(())
    }

    fn validate(&self, tx: &TxView<'_>, state: &dyn StateRead) -> Result<(), ValidateError> {
        let expected = nonce(state, &tx.sender)?;
        if tx.nonce < expected {
            return Err(Invalid::NonceTooLow { expected, got: tx.nonce }.into());
        }
        Ok(())
    }

    fn pre_dispatch(
        &self,
        _ctx: &mut TxContext<'_>,
        tx: &TxView<'_>,
        state: &mut dyn StateWrite,
    ) -> Result<(), ValidateError> {
        let mut record = account(state, &tx.sender)?;
        let (expected, got) = (record.nonce, tx.nonce);
        if got < expected {
            return Err(Invalid::NonceTooLow { expected, got }.into());
        }
        if got > expected {
            return Err(Invalid::NonceAhead { expected, got }.into());
        }
        record.nonce = expected + 1;
        set_account(state, &tx.sender, &record);
        Ok(())
    }
}

/// Queries: `nonce` and `account` of an address; both prove the account record.
impl Queries for Accounts {
    fn query(
        &self,
        state: &dyn StateRead,
        method: &str,
        params: &serde_json::Value,
    ) -> Result<serde_json::Value, QueryError> {
        match method {
            "nonce" => Ok(nonce(state, &address_param(method, params)?)?.into()),
            "account" => {
                let a = account(state, &address_param(method, params)?)?;
                Ok(serde_json::json!({ "nonce": a.nonce, "balance": a.balance.to_string() }))
            }
            _ => Err(QueryError::UnknownMethod { module: NAME, method: method.to_string() }),
        }
    }

    fn state_key(&self, field: &str, params: &serde_json::Value) -> Result<KeyPath, QueryError> {
        match field {
            // The nonce is a field of the account record: its proof is the record's.
            "account" | "nonce" => Ok(ACCOUNTS.key(&address_param(field, params)?)),
            _ => Err(QueryError::UnknownMethod { module: NAME, method: field.to_string() }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pillar_primitives::{AssetId, B256, CallView};
    use pillar_runtime::BlockEnv;
    use pillar_state::{BlockOverlay, MemoryState};

    /// A call of no module: accounts' hooks look only at the sender and the nonce.
    struct AnyCall;

    impl CallView for AnyCall {
        fn module(&self) -> &'static str {
            "test"
        }
        fn tag(&self) -> u8 {
            0
        }
        fn type_name(&self) -> &'static str {
            "AnyCall"
        }
        fn spend(&self) -> Option<(AssetId, u128)> {
            None
        }
        fn group(&self) -> &dyn core::any::Any {
            self
        }
    }

    fn tx(nonce: u64) -> TxView<'static> {
        TxView {
            sender: Address::repeat_byte(3),
            nonce,
            max_fee: 0,
            hash: B256::repeat_byte(nonce as u8),
            size: 100,
            session: None,
            envelope: None,
            call: &AnyCall,
        }
    }

    #[test]
    fn nonce_must_match_and_is_bumped() {
        let base = MemoryState::default();
        let mut block = BlockOverlay::new(&base);
        let env = BlockEnv { chain_id: 1, height: 1, timestamp_ms: 0 };
        let mut fees = 0;
        let mut events: Vec<pillar_primitives::NoEvents<Accounts>> = Vec::new();
        let t0 = tx(0);
        let mut ctx = TxContext::new(&env, &mut fees, &mut events, t0.sender, t0.hash, 0, 0);
        assert!(matches!(
            Accounts.pre_dispatch(&mut ctx, &tx(1), &mut block),
            Err(ValidateError::Invalid(Invalid::NonceAhead { expected: 0, got: 1 }))
        ));
        Accounts.pre_dispatch(&mut ctx, &t0, &mut block).unwrap();
        assert_eq!(nonce(&block, &t0.sender).unwrap(), 1);
        assert!(matches!(
            Accounts.pre_dispatch(&mut ctx, &t0, &mut block),
            Err(ValidateError::Invalid(Invalid::NonceTooLow { expected: 1, got: 0 }))
        ));
        assert!(matches!(
            Accounts.validate(&t0, &block),
            Err(ValidateError::Invalid(Invalid::NonceTooLow { .. }))
        ));
        assert!(Accounts.validate(&tx(5), &block).is_ok(), "gaps are the mempool's business");
        assert_eq!(
            Accounts.query(&block, "nonce", &serde_json::json!({"address": t0.sender})).unwrap(),
            serde_json::json!(1)
        );
    }
}
