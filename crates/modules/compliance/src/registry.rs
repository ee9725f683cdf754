//! Identity registry calls: registry agents, trusted issuers, identities, wallets, claims and
//! sanctions. A registry is named by its owner's address; the owner is always one of its agents.

use crate::{
    AddClaim, LinkWallet, RegisterIdentity, RemoveClaim, SetRegistryAgent, SetSanctions, SetTrustedIssuer,
};
use pillar_primitives::Address;
use pillar_runtime::{CallError, TxContext};
use pillar_state::{StateError, StateRead, StateWrite};

use crate::ComplianceEvent;
use crate::{
    ComplianceError,
    state::{
        CLAIMS, Claim, HOLDINGS, IDENTITIES, IdentityInfo, MAX_WALLETS, NEXT_IDENTITY, REGISTRY_AGENTS,
        SANCTIONED_IDENTITIES, SANCTIONED_WALLETS, TRUSTED_ISSUERS, WALLET_IDENTITY,
    },
};

/// Whether `account` may manage `registry`'s identities and sanctions.
pub(crate) fn is_registry_agent(
    state: &(impl StateRead + ?Sized),
    registry: Address,
    account: Address,
) -> Result<bool, StateError> {
    Ok(account == registry || REGISTRY_AGENTS.get(state, &(registry, account))?.unwrap_or(false))
}

fn require_registry_agent(
    state: &(impl StateRead + ?Sized),
    registry: Address,
    account: Address,
) -> Result<(), CallError> {
    if is_registry_agent(state, registry, account)? {
        Ok(())
    } else {
        Err(ComplianceError::NotRegistryAgent { registry, account }.into())
    }
}

fn identity(state: &(impl StateRead + ?Sized), identity: u64) -> Result<IdentityInfo, CallError> {
    Ok(IDENTITIES.get(state, &identity)?.ok_or(ComplianceError::UnknownIdentity { identity })?)
}

pub(crate) fn set_registry_agent(
    ctx: &mut TxContext<'_>,
    c: &SetRegistryAgent,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    let key = (ctx.sender, c.agent);
    if c.enabled {
        REGISTRY_AGENTS.set(state, &key, &true)
    } else {
        REGISTRY_AGENTS.remove(state, &key)
    }
    ctx.emit(ComplianceEvent::RegistryAgentChanged {
        registry: ctx.sender,
        agent: c.agent,
        enabled: c.enabled,
    });
    Ok(())
}

pub(crate) fn set_trusted_issuer(
    ctx: &mut TxContext<'_>,
    c: &SetTrustedIssuer,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    let key = (ctx.sender, c.topic, c.issuer);
    if c.enabled {
        TRUSTED_ISSUERS.set(state, &key, &true)
    } else {
        TRUSTED_ISSUERS.remove(state, &key)
    }
    ctx.emit(ComplianceEvent::TrustedIssuerChanged {
        registry: ctx.sender,
        topic: c.topic,
        issuer: c.issuer,
        enabled: c.enabled,
    });
    Ok(())
}

/// Creates an identity with one wallet (shared by the call and tests).
pub(crate) fn register_identity(
    ctx: &mut TxContext<'_>,
    c: &RegisterIdentity,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    require_registry_agent(state, c.registry, ctx.sender)?;
    if let Some(identity) = WALLET_IDENTITY.get(state, &(c.registry, c.wallet))? {
        return Err(ComplianceError::WalletAlreadyLinked { wallet: c.wallet, identity }.into());
    }
    let id = NEXT_IDENTITY.get(state)?.unwrap_or(1);
    let next = id.checked_add(1).ok_or(ComplianceError::IdentityIdsExhausted)?;
    NEXT_IDENTITY.set(state, &next);
    IDENTITIES.set(state, &id, &IdentityInfo { registry: c.registry, wallets: 1 });
    WALLET_IDENTITY.set(state, &(c.registry, c.wallet), &id);
    ctx.emit(ComplianceEvent::IdentityRegistered {
        registry: c.registry,
        identity: id,
        wallet: c.wallet,
        by: ctx.sender,
    });
    Ok(())
}

/// Links a wallet to an identity (no authorisation check: callers check).
pub(crate) fn link(
    ctx: &mut TxContext<'_>,
    state: &mut dyn StateWrite,
    identity_id: u64,
    wallet: Address,
) -> Result<(), CallError> {
    let mut info = identity(state, identity_id)?;
    if let Some(identity) = WALLET_IDENTITY.get(state, &(info.registry, wallet))? {
        return Err(ComplianceError::WalletAlreadyLinked { wallet, identity }.into());
    }
    if info.wallets >= MAX_WALLETS {
        return Err(ComplianceError::TooManyWallets { identity: identity_id, max: MAX_WALLETS }.into());
    }
    info.wallets += 1;
    IDENTITIES.set(state, &identity_id, &info);
    WALLET_IDENTITY.set(state, &(info.registry, wallet), &identity_id);
    ctx.emit(ComplianceEvent::WalletLinked { identity: identity_id, wallet, linked: true, by: ctx.sender });
    Ok(())
}

/// Unlinks a wallet that holds no compliant asset of the registry (callers check authorisation).
pub(crate) fn unlink(
    ctx: &mut TxContext<'_>,
    state: &mut dyn StateWrite,
    identity_id: u64,
    wallet: Address,
) -> Result<(), CallError> {
    let mut info = identity(state, identity_id)?;
    if WALLET_IDENTITY.get(state, &(info.registry, wallet))? != Some(identity_id) {
        return Err(ComplianceError::WalletNotLinked { wallet, identity: identity_id }.into());
    }
    let holdings = HOLDINGS.get(state, &(info.registry, wallet))?.unwrap_or(0);
    if holdings > 0 {
        return Err(ComplianceError::WalletHoldsAssets { wallet, holdings }.into());
    }
    info.wallets = info.wallets.saturating_sub(1);
    IDENTITIES.set(state, &identity_id, &info);
    WALLET_IDENTITY.remove(state, &(info.registry, wallet));
    ctx.emit(ComplianceEvent::WalletLinked { identity: identity_id, wallet, linked: false, by: ctx.sender });
    Ok(())
}

pub(crate) fn link_wallet(
    ctx: &mut TxContext<'_>,
    c: &LinkWallet,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    let info = identity(state, c.identity)?;
    require_registry_agent(state, info.registry, ctx.sender)?;
    if c.linked { link(ctx, state, c.identity, c.wallet) } else { unlink(ctx, state, c.identity, c.wallet) }
}

pub(crate) fn add_claim(
    ctx: &mut TxContext<'_>,
    c: &AddClaim,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    let info = identity(state, c.identity)?;
    if !TRUSTED_ISSUERS.get(state, &(info.registry, c.topic, ctx.sender))?.unwrap_or(false) {
        return Err(ComplianceError::NotTrustedIssuer {
            registry: info.registry,
            topic: c.topic,
            account: ctx.sender,
        }
        .into());
    }
    CLAIMS.set(
        state,
        &(c.identity, c.topic),
        &Claim { value: c.value, issuer: ctx.sender, expires_ms: c.expires_ms },
    );
    ctx.emit(ComplianceEvent::ClaimAdded {
        identity: c.identity,
        topic: c.topic,
        value: c.value,
        expires_ms: c.expires_ms,
        issuer: ctx.sender,
    });
    Ok(())
}

pub(crate) fn remove_claim(
    ctx: &mut TxContext<'_>,
    c: &RemoveClaim,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    let info = identity(state, c.identity)?;
    let claim = CLAIMS
        .get(state, &(c.identity, c.topic))?
        .ok_or(ComplianceError::NoClaim { identity: c.identity, topic: c.topic })?;
    // Its issuer, any issuer trusted for the topic, or the registry's agents may remove it.
    let allowed = claim.issuer == ctx.sender
        || TRUSTED_ISSUERS.get(state, &(info.registry, c.topic, ctx.sender))?.unwrap_or(false)
        || is_registry_agent(state, info.registry, ctx.sender)?;
    if !allowed {
        return Err(ComplianceError::NotTrustedIssuer {
            registry: info.registry,
            topic: c.topic,
            account: ctx.sender,
        }
        .into());
    }
    CLAIMS.remove(state, &(c.identity, c.topic));
    ctx.emit(ComplianceEvent::ClaimRemoved { identity: c.identity, topic: c.topic, by: ctx.sender });
    Ok(())
}

pub(crate) fn set_sanctions(
    ctx: &mut TxContext<'_>,
    c: &SetSanctions,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    require_registry_agent(state, c.registry, ctx.sender)?;
    for w in &c.wallets {
        let key = (c.registry, *w);
        if c.sanctioned {
            SANCTIONED_WALLETS.set(state, &key, &true)
        } else {
            SANCTIONED_WALLETS.remove(state, &key)
        }
        ctx.emit(ComplianceEvent::SanctionChanged {
            registry: c.registry,
            wallet: *w,
            identity: 0,
            sanctioned: c.sanctioned,
            by: ctx.sender,
        });
    }
    for id in &c.identities {
        let key = (c.registry, *id);
        if c.sanctioned {
            SANCTIONED_IDENTITIES.set(state, &key, &true)
        } else {
            SANCTIONED_IDENTITIES.remove(state, &key)
        }
        ctx.emit(ComplianceEvent::SanctionChanged {
            registry: c.registry,
            wallet: Address::ZERO,
            identity: *id,
            sanctioned: c.sanctioned,
            by: ctx.sender,
        });
    }
    Ok(())
}
