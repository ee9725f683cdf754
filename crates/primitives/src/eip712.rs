//! EIP-712 typed data for every call kind.
//!
//! Domain: `{ name: "Pillar", version: "1", chainId: <L2 chain id> }` (no verifying contract:
//! the chain id alone scopes a signature to one chain). Each call kind is one primary type whose
//! fields are the call's arguments followed by `nonce` and `maxFee`, so a wallet shows exactly
//! what is being authorised. `docs/transactions.md` lists the same definitions.

use std::borrow::Cow;

use alloy_primitives::{Address, B256, U256, keccak256};
use alloy_sol_types::{Eip712Domain, SolStruct};

use crate::{Call, Envelope, Transaction};

/// EIP-712 domain name.
pub const DOMAIN_NAME: &str = "Pillar";
/// EIP-712 domain version.
pub const DOMAIN_VERSION: &str = "1";

/// The Solidity-shaped typed structs, one per call kind.
pub mod types {
    #![allow(missing_docs)]
    alloy_sol_types::sol! {
        struct Transfer { address to; uint32 asset; uint128 amount; uint64 nonce; uint128 maxFee; }
        struct CreateAsset { string name; string symbol; uint8 decimals; uint128 maxSupply; uint64 nonce; uint128 maxFee; }
        struct Mint { uint32 asset; address to; uint128 amount; uint64 nonce; uint128 maxFee; }
        struct Burn { uint32 asset; uint128 amount; uint64 nonce; uint128 maxFee; }
        struct SetAssetRole { uint32 asset; uint8 role; address account; bool enabled; uint64 nonce; uint128 maxFee; }
        struct Withdraw { uint32 asset; uint128 amount; address l1Recipient; uint64 nonce; uint128 maxFee; }
        struct SetRegistryAgent { address agent; bool enabled; uint64 nonce; uint128 maxFee; }
        struct SetTrustedIssuer { uint8 topic; address issuer; bool enabled; uint64 nonce; uint128 maxFee; }
        struct RegisterIdentity { address registry; address wallet; uint64 nonce; uint128 maxFee; }
        struct LinkWallet { uint64 identity; address wallet; bool linked; uint64 nonce; uint128 maxFee; }
        struct AddClaim { uint64 identity; uint8 topic; uint64 value; uint64 expiresMs; uint64 nonce; uint128 maxFee; }
        struct RemoveClaim { uint64 identity; uint8 topic; uint64 nonce; uint128 maxFee; }
        struct SetSanctions { address registry; address[] wallets; uint64[] identities; bool sanctioned; uint64 nonce; uint128 maxFee; }
        struct CountryCap { uint16 country; uint32 maxHolders; }
        struct ClaimRequirement { uint8 topic; uint64 minValue; }
        struct SetComplianceRules {
            uint32 asset; address registry; uint16[] allowedCountries; uint16[] blockedCountries;
            CountryCap[] countryCaps; uint32 maxHolders; uint128 maxBalance; uint64 lockupMs;
            uint64 limitWindowMs; uint128 limitAmount; ClaimRequirement[] requiredClaims;
            uint64 nonce; uint128 maxFee;
        }
        struct SetComplianceAgent { uint32 asset; address agent; bool enabled; uint64 nonce; uint128 maxFee; }
        struct SetPaused { uint32[] assets; bool paused; uint64 nonce; uint128 maxFee; }
        struct FreezeWallets { uint32 asset; address[] wallets; bool frozen; uint64 nonce; uint128 maxFee; }
        struct AmountEntry { address wallet; uint128 amount; }
        struct FreezeAmounts { uint32 asset; AmountEntry[] entries; bool frozen; uint64 nonce; uint128 maxFee; }
        struct ForcedEntry { address from; address to; uint128 amount; }
        struct ForcedTransfers { uint32 asset; ForcedEntry[] entries; uint64 nonce; uint128 maxFee; }
        struct WalletRecovery { address lostWallet; address newWallet; }
        struct RecoverWallets { uint32 asset; WalletRecovery[] entries; uint64 nonce; uint128 maxFee; }
        struct SpendCap { uint32 asset; uint128 total; uint128 perWindow; }
        struct SessionKey { uint8 scheme; bytes publicKey; }
        struct AuthorizeSession {
            SessionKey key; uint64 calls; uint64 expiresMs; uint64 windowMs; uint32 maxTxs;
            SpendCap[] caps; uint64 nonce; uint128 maxFee;
        }
        struct RevokeSession { SessionKey key; uint64 nonce; uint128 maxFee; }
        struct SetSponsorPolicy { uint128 budget; uint64 calls; uint64 windowMs; uint32 maxTxsPerUser; uint64 nonce; uint128 maxFee; }
        struct MetadataEntry { string key; string value; }
        struct RegisterAgent { string cardUri; address wallet; MetadataEntry[] metadata; uint64 nonce; uint128 maxFee; }
        struct UpdateAgent { uint64 agent; string cardUri; address wallet; MetadataEntry[] metadata; uint64 nonce; uint128 maxFee; }
        struct TransferAgent { uint64 agent; address owner; uint64 nonce; uint128 maxFee; }
        struct GiveFeedback { uint64 agent; uint8 score; string tag; string uri; uint64 nonce; uint128 maxFee; }
        struct RevokeFeedback { uint64 agent; uint64 index; uint64 nonce; uint128 maxFee; }
        struct OpenChannel { uint64 agent; uint32 asset; uint128 amount; SessionKey voucherKey; uint64 timeoutMs; uint64 nonce; uint128 maxFee; }
        struct FundChannel { uint64 channel; uint128 amount; uint64 nonce; uint128 maxFee; }
        struct SettleChannel { uint64 channel; uint128 cumulative; bytes signature; bool close; uint64 nonce; uint128 maxFee; }
        struct RequestChannelClose { uint64 channel; uint64 nonce; uint128 maxFee; }
        struct CloseChannel { uint64 channel; uint64 nonce; uint128 maxFee; }
        struct Voucher { uint64 channel; uint128 cumulative; }
        struct CreateCollection { string name; string uri; uint64 nonce; uint128 maxFee; }
        struct SetItemMinter { uint32 collection; address minter; bool enabled; uint64 nonce; uint128 maxFee; }
        struct ItemClass { uint64 item; uint128 maxSupply; bool transferable; }
        struct DefineItems { uint32 collection; ItemClass[] classes; uint64 nonce; uint128 maxFee; }
        struct ItemAmount { uint64 item; uint128 amount; }
        struct MintItems { uint32 collection; address to; ItemAmount[] items; uint64 nonce; uint128 maxFee; }
        struct TransferItems { uint32 collection; address to; ItemAmount[] items; uint64 nonce; uint128 maxFee; }
        struct BurnItems { uint32 collection; ItemAmount[] items; uint64 nonce; uint128 maxFee; }
    }
}

/// The domain for a chain.
pub fn domain(chain_id: u64) -> Eip712Domain {
    Eip712Domain::new(
        Some(Cow::Borrowed(DOMAIN_NAME)),
        Some(Cow::Borrowed(DOMAIN_VERSION)),
        Some(U256::from(chain_id)),
        None,
        None,
    )
}

/// The digest a wallet signs for `tx`: `keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(message))`.
pub fn signing_hash(tx: &Transaction) -> B256 {
    let (hash, _) = call_struct(tx);
    digest(tx.chain_id, hash)
}

/// The domain separator of `chain_id`, remembered per thread: hashing the domain costs as much as
/// the rest of a transfer's digest, and a node signs and checks for one chain.
fn domain_separator(chain_id: u64) -> B256 {
    thread_local! {
        static LAST: std::cell::Cell<Option<(u64, B256)>> = const { std::cell::Cell::new(None) };
    }
    LAST.with(|last| match last.get() {
        Some((id, sep)) if id == chain_id => sep,
        _ => {
            let sep = domain(chain_id).separator();
            last.set(Some((chain_id, sep)));
            sep
        }
    })
}

/// `keccak256(0x1901 ‖ domainSeparator ‖ structHash)`.
fn digest(chain_id: u64, struct_hash: B256) -> B256 {
    let mut buf = [0u8; 66];
    buf[..2].copy_from_slice(&[0x19, 0x01]);
    buf[2..34].copy_from_slice(domain_separator(chain_id).as_slice());
    buf[34..].copy_from_slice(struct_hash.as_slice());
    keccak256(buf)
}

/// A typed struct's `hashStruct` and `encodeType`.
trait Parts {
    fn parts(self) -> (B256, Cow<'static, str>);
}

impl<T: SolStruct> Parts for T {
    fn parts(self) -> (B256, Cow<'static, str>) {
        (self.eip712_hash_struct(), T::eip712_encode_type())
    }
}

/// The digest an envelope's signer signs. The call's own struct is nested as field `call` of a
/// wrapper type, so a wallet still shows every argument:
///
/// - `Sponsored(address sponsor,<Call> call)` for a wallet-signed, sponsored transaction;
/// - `SessionCall(address account,address sponsor,bytes32 key,<Call> call)` for a session key
///   (`sponsor` zero when the account pays, `key` the session key's id).
pub fn envelope_signing_hash(tx: &Transaction, envelope: &Envelope) -> B256 {
    let (call_hash, call_type) = call_struct(tx);
    let primary = tx.call.type_name();
    let (head, fields): (String, Vec<B256>) = match envelope {
        Envelope::Sponsored { sponsor } => {
            (format!("Sponsored(address sponsor,{primary} call)"), vec![word(*sponsor)])
        }
        Envelope::Session { account, key, sponsor } => (
            format!("SessionCall(address account,address sponsor,bytes32 key,{primary} call)"),
            vec![word(*account), word(sponsor.unwrap_or(Address::ZERO)), key.id()],
        ),
    };
    let type_hash = keccak256(nested_type(&head, &call_type));
    let mut enc = Vec::with_capacity(32 * (fields.len() + 2));
    enc.extend_from_slice(type_hash.as_slice());
    for f in &fields {
        enc.extend_from_slice(f.as_slice());
    }
    enc.extend_from_slice(call_hash.as_slice());
    digest(tx.chain_id, keccak256(enc))
}

fn key_struct(k: &crate::SessionKey) -> types::SessionKey {
    types::SessionKey { scheme: k.scheme(), publicKey: k.bytes().to_vec().into() }
}

fn word(a: Address) -> B256 {
    a.into_word()
}

/// EIP-712 `encodeType` of a wrapper whose referenced types are the call's: the wrapper first,
/// then every referenced struct sorted by name.
fn nested_type(head: &str, call_type: &str) -> String {
    let mut parts: Vec<&str> = call_type.split_inclusive(')').collect();
    parts.sort_unstable();
    let mut out = String::with_capacity(head.len() + call_type.len());
    out.push_str(head);
    for p in parts {
        out.push_str(p);
    }
    out
}

/// The call's typed struct: its `hashStruct` and `encodeType`.
fn call_struct(tx: &Transaction) -> (B256, Cow<'static, str>) {
    let (nonce, max_fee) = (tx.nonce, tx.max_fee);
    match &tx.call {
        Call::Transfer(c) => {
            types::Transfer { to: c.to, asset: c.asset, amount: c.amount, nonce, maxFee: max_fee }.parts()
        }
        Call::CreateAsset(c) => types::CreateAsset {
            name: c.name.clone(),
            symbol: c.symbol.clone(),
            decimals: c.decimals,
            maxSupply: c.max_supply,
            nonce,
            maxFee: max_fee,
        }
        .parts(),
        Call::Mint(c) => {
            types::Mint { asset: c.asset, to: c.to, amount: c.amount, nonce, maxFee: max_fee }.parts()
        }
        Call::Burn(c) => types::Burn { asset: c.asset, amount: c.amount, nonce, maxFee: max_fee }.parts(),
        Call::SetAssetRole(c) => types::SetAssetRole {
            asset: c.asset,
            role: c.role as u8,
            account: c.account,
            enabled: c.enabled,
            nonce,
            maxFee: max_fee,
        }
        .parts(),
        Call::Withdraw(c) => types::Withdraw {
            asset: c.asset,
            amount: c.amount,
            l1Recipient: c.l1_recipient,
            nonce,
            maxFee: max_fee,
        }
        .parts(),
        Call::SetRegistryAgent(c) => {
            types::SetRegistryAgent { agent: c.agent, enabled: c.enabled, nonce, maxFee: max_fee }.parts()
        }
        Call::SetTrustedIssuer(c) => types::SetTrustedIssuer {
            topic: c.topic,
            issuer: c.issuer,
            enabled: c.enabled,
            nonce,
            maxFee: max_fee,
        }
        .parts(),
        Call::RegisterIdentity(c) => {
            types::RegisterIdentity { registry: c.registry, wallet: c.wallet, nonce, maxFee: max_fee }.parts()
        }
        Call::LinkWallet(c) => types::LinkWallet {
            identity: c.identity,
            wallet: c.wallet,
            linked: c.linked,
            nonce,
            maxFee: max_fee,
        }
        .parts(),
        Call::AddClaim(c) => types::AddClaim {
            identity: c.identity,
            topic: c.topic,
            value: c.value,
            expiresMs: c.expires_ms,
            nonce,
            maxFee: max_fee,
        }
        .parts(),
        Call::RemoveClaim(c) => {
            types::RemoveClaim { identity: c.identity, topic: c.topic, nonce, maxFee: max_fee }.parts()
        }
        Call::SetSanctions(c) => types::SetSanctions {
            registry: c.registry,
            wallets: c.wallets.clone(),
            identities: c.identities.clone(),
            sanctioned: c.sanctioned,
            nonce,
            maxFee: max_fee,
        }
        .parts(),
        Call::SetComplianceRules(c) => types::SetComplianceRules {
            asset: c.asset,
            registry: c.registry,
            allowedCountries: c.allowed_countries.clone(),
            blockedCountries: c.blocked_countries.clone(),
            countryCaps: c
                .country_caps
                .iter()
                .map(|x| types::CountryCap { country: x.country, maxHolders: x.max_holders })
                .collect(),
            maxHolders: c.max_holders,
            maxBalance: c.max_balance,
            lockupMs: c.lockup_ms,
            limitWindowMs: c.limit_window_ms,
            limitAmount: c.limit_amount,
            requiredClaims: c
                .required_claims
                .iter()
                .map(|x| types::ClaimRequirement { topic: x.topic, minValue: x.min_value })
                .collect(),
            nonce,
            maxFee: max_fee,
        }
        .parts(),
        Call::SetComplianceAgent(c) => types::SetComplianceAgent {
            asset: c.asset,
            agent: c.agent,
            enabled: c.enabled,
            nonce,
            maxFee: max_fee,
        }
        .parts(),
        Call::SetPaused(c) => {
            types::SetPaused { assets: c.assets.clone(), paused: c.paused, nonce, maxFee: max_fee }.parts()
        }
        Call::FreezeWallets(c) => types::FreezeWallets {
            asset: c.asset,
            wallets: c.wallets.clone(),
            frozen: c.frozen,
            nonce,
            maxFee: max_fee,
        }
        .parts(),
        Call::FreezeAmounts(c) => types::FreezeAmounts {
            asset: c.asset,
            entries: c
                .entries
                .iter()
                .map(|e| types::AmountEntry { wallet: e.wallet, amount: e.amount })
                .collect(),
            frozen: c.frozen,
            nonce,
            maxFee: max_fee,
        }
        .parts(),
        Call::ForcedTransfers(c) => types::ForcedTransfers {
            asset: c.asset,
            entries: c
                .entries
                .iter()
                .map(|e| types::ForcedEntry { from: e.from, to: e.to, amount: e.amount })
                .collect(),
            nonce,
            maxFee: max_fee,
        }
        .parts(),
        Call::RecoverWallets(c) => types::RecoverWallets {
            asset: c.asset,
            entries: c
                .entries
                .iter()
                .map(|e| types::WalletRecovery { lostWallet: e.lost_wallet, newWallet: e.new_wallet })
                .collect(),
            nonce,
            maxFee: max_fee,
        }
        .parts(),
        Call::AuthorizeSession(c) => types::AuthorizeSession {
            key: key_struct(&c.key),
            calls: c.calls,
            expiresMs: c.expires_ms,
            windowMs: c.window_ms,
            maxTxs: c.max_txs,
            caps: c
                .caps
                .iter()
                .map(|x| types::SpendCap { asset: x.asset, total: x.total, perWindow: x.per_window })
                .collect(),
            nonce,
            maxFee: max_fee,
        }
        .parts(),
        Call::RevokeSession(c) => {
            types::RevokeSession { key: key_struct(&c.key), nonce, maxFee: max_fee }.parts()
        }
        Call::SetSponsorPolicy(c) => types::SetSponsorPolicy {
            budget: c.budget,
            calls: c.calls,
            windowMs: c.window_ms,
            maxTxsPerUser: c.max_txs_per_user,
            nonce,
            maxFee: max_fee,
        }
        .parts(),
        Call::RegisterAgent(c) => types::RegisterAgent {
            cardUri: c.card_uri.clone(),
            wallet: c.wallet,
            metadata: metadata(&c.metadata),
            nonce,
            maxFee: max_fee,
        }
        .parts(),
        Call::UpdateAgent(c) => types::UpdateAgent {
            agent: c.agent,
            cardUri: c.card_uri.clone(),
            wallet: c.wallet,
            metadata: metadata(&c.metadata),
            nonce,
            maxFee: max_fee,
        }
        .parts(),
        Call::TransferAgent(c) => {
            types::TransferAgent { agent: c.agent, owner: c.owner, nonce, maxFee: max_fee }.parts()
        }
        Call::GiveFeedback(c) => types::GiveFeedback {
            agent: c.agent,
            score: c.score,
            tag: c.tag.clone(),
            uri: c.uri.clone(),
            nonce,
            maxFee: max_fee,
        }
        .parts(),
        Call::RevokeFeedback(c) => {
            types::RevokeFeedback { agent: c.agent, index: c.index, nonce, maxFee: max_fee }.parts()
        }
        Call::OpenChannel(c) => types::OpenChannel {
            agent: c.agent,
            asset: c.asset,
            amount: c.amount,
            voucherKey: key_struct(&c.voucher_key),
            timeoutMs: c.timeout_ms,
            nonce,
            maxFee: max_fee,
        }
        .parts(),
        Call::FundChannel(c) => {
            types::FundChannel { channel: c.channel, amount: c.amount, nonce, maxFee: max_fee }.parts()
        }
        Call::SettleChannel(c) => types::SettleChannel {
            channel: c.channel,
            cumulative: c.cumulative,
            signature: c.signature.clone().into(),
            close: c.close,
            nonce,
            maxFee: max_fee,
        }
        .parts(),
        Call::RequestChannelClose(c) => {
            types::RequestChannelClose { channel: c.channel, nonce, maxFee: max_fee }.parts()
        }
        Call::CloseChannel(c) => types::CloseChannel { channel: c.channel, nonce, maxFee: max_fee }.parts(),
        Call::CreateCollection(c) => {
            types::CreateCollection { name: c.name.clone(), uri: c.uri.clone(), nonce, maxFee: max_fee }
                .parts()
        }
        Call::SetItemMinter(c) => types::SetItemMinter {
            collection: c.collection,
            minter: c.minter,
            enabled: c.enabled,
            nonce,
            maxFee: max_fee,
        }
        .parts(),
        Call::DefineItems(c) => types::DefineItems {
            collection: c.collection,
            classes: c
                .classes
                .iter()
                .map(|x| types::ItemClass {
                    item: x.item,
                    maxSupply: x.max_supply,
                    transferable: x.transferable,
                })
                .collect(),
            nonce,
            maxFee: max_fee,
        }
        .parts(),
        Call::MintItems(c) => types::MintItems {
            collection: c.collection,
            to: c.to,
            items: item_amounts(&c.items),
            nonce,
            maxFee: max_fee,
        }
        .parts(),
        Call::TransferItems(c) => types::TransferItems {
            collection: c.collection,
            to: c.to,
            items: item_amounts(&c.items),
            nonce,
            maxFee: max_fee,
        }
        .parts(),
        Call::BurnItems(c) => types::BurnItems {
            collection: c.collection,
            items: item_amounts(&c.items),
            nonce,
            maxFee: max_fee,
        }
        .parts(),
    }
}

fn metadata(entries: &[crate::MetadataEntry]) -> Vec<types::MetadataEntry> {
    entries.iter().map(|e| types::MetadataEntry { key: e.key.clone(), value: e.value.clone() }).collect()
}

fn item_amounts(items: &[crate::ItemAmount]) -> Vec<types::ItemAmount> {
    items.iter().map(|i| types::ItemAmount { item: i.item, amount: i.amount }).collect()
}

/// The digest a voucher key signs for a payment-channel voucher: EIP-712
/// `Voucher(uint64 channel,uint128 cumulative)` in the chain's Pillar domain.
pub fn voucher_signing_hash(chain_id: u64, channel: u64, cumulative: u128) -> B256 {
    digest(chain_id, types::Voucher { channel, cumulative }.eip712_hash_struct())
}

/// The EIP-712 type string of a primary type (for documentation and client checks).
pub fn encode_type(type_name: &str) -> Option<Cow<'static, str>> {
    Some(match type_name {
        "Transfer" => types::Transfer::eip712_encode_type(),
        "CreateAsset" => types::CreateAsset::eip712_encode_type(),
        "Mint" => types::Mint::eip712_encode_type(),
        "Burn" => types::Burn::eip712_encode_type(),
        "SetAssetRole" => types::SetAssetRole::eip712_encode_type(),
        "Withdraw" => types::Withdraw::eip712_encode_type(),
        "SetRegistryAgent" => types::SetRegistryAgent::eip712_encode_type(),
        "SetTrustedIssuer" => types::SetTrustedIssuer::eip712_encode_type(),
        "RegisterIdentity" => types::RegisterIdentity::eip712_encode_type(),
        "LinkWallet" => types::LinkWallet::eip712_encode_type(),
        "AddClaim" => types::AddClaim::eip712_encode_type(),
        "RemoveClaim" => types::RemoveClaim::eip712_encode_type(),
        "SetSanctions" => types::SetSanctions::eip712_encode_type(),
        "SetComplianceRules" => types::SetComplianceRules::eip712_encode_type(),
        "SetComplianceAgent" => types::SetComplianceAgent::eip712_encode_type(),
        "SetPaused" => types::SetPaused::eip712_encode_type(),
        "FreezeWallets" => types::FreezeWallets::eip712_encode_type(),
        "FreezeAmounts" => types::FreezeAmounts::eip712_encode_type(),
        "ForcedTransfers" => types::ForcedTransfers::eip712_encode_type(),
        "RecoverWallets" => types::RecoverWallets::eip712_encode_type(),
        "AuthorizeSession" => types::AuthorizeSession::eip712_encode_type(),
        "RevokeSession" => types::RevokeSession::eip712_encode_type(),
        "SetSponsorPolicy" => types::SetSponsorPolicy::eip712_encode_type(),
        "RegisterAgent" => types::RegisterAgent::eip712_encode_type(),
        "UpdateAgent" => types::UpdateAgent::eip712_encode_type(),
        "TransferAgent" => types::TransferAgent::eip712_encode_type(),
        "GiveFeedback" => types::GiveFeedback::eip712_encode_type(),
        "RevokeFeedback" => types::RevokeFeedback::eip712_encode_type(),
        "OpenChannel" => types::OpenChannel::eip712_encode_type(),
        "FundChannel" => types::FundChannel::eip712_encode_type(),
        "SettleChannel" => types::SettleChannel::eip712_encode_type(),
        "RequestChannelClose" => types::RequestChannelClose::eip712_encode_type(),
        "CloseChannel" => types::CloseChannel::eip712_encode_type(),
        "Voucher" => types::Voucher::eip712_encode_type(),
        "CreateCollection" => types::CreateCollection::eip712_encode_type(),
        "SetItemMinter" => types::SetItemMinter::eip712_encode_type(),
        "DefineItems" => types::DefineItems::eip712_encode_type(),
        "MintItems" => types::MintItems::eip712_encode_type(),
        "TransferItems" => types::TransferItems::eip712_encode_type(),
        "BurnItems" => types::BurnItems::eip712_encode_type(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_separator_follows_the_chain_id() {
        for id in [1u64, 901, 1, 7, 7, 901] {
            assert_eq!(domain_separator(id), domain(id).separator(), "chain {id}");
        }
    }
}
