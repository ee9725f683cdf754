//! EIP-712 typed data for every call kind.
//!
//! Domain: `{ name: "Pillar", version: "1", chainId: <L2 chain id> }` (no verifying contract:
//! the chain id alone scopes a signature to one chain). Each call kind is one primary type whose
//! fields are the call's arguments followed by `nonce` and `maxFee`, so a wallet shows exactly
//! what is being authorised. `docs/transactions.md` lists the same definitions, and
//! `pillar_schema` publishes them.
//!
//! Each call's struct type comes from its Rust declaration (`#[derive(Eip712)]`, [`value`]):
//! there is no second copy of the types to drift from the first.

use alloc::string::String;
use alloc::vec::Vec;

use alloc::borrow::Cow;

use alloy_primitives::{Address, B256, U256, keccak256};
use alloy_sol_types::Eip712Domain;

use crate::{CallSet, Envelope, SessionKey, Transaction};

mod value;

pub use value::{Eip712Struct, Eip712Value, Member, bytes_word, call_tail, reference};

/// EIP-712 domain name.
pub const DOMAIN_NAME: &str = "Pillar";
/// EIP-712 domain version.
pub const DOMAIN_VERSION: &str = "1";

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
pub fn signing_hash<C: CallSet>(tx: &Transaction<C>) -> B256 {
    digest(tx.chain_id, tx.call.call_hash(tx.nonce, tx.max_fee))
}

/// `keccak256("EIP712Domain(string name,string version,uint256 chainId)")`.
const DOMAIN_TYPE_HASH: B256 =
    alloy_primitives::b256!("c2f8787176b8ac6bf7215b4adcc1e069bf4ab82d9ab1df05a57a91d425935b6e");
/// `keccak256("Pillar")`.
const DOMAIN_NAME_HASH: B256 =
    alloy_primitives::b256!("01b6b9a068469fa3d4a9fac229299dff46ba1f818e8bc735973252ebdcee19bb");
/// `keccak256("1")`.
const DOMAIN_VERSION_HASH: B256 =
    alloy_primitives::b256!("c89efdaa54c0f20c7adf612882df0950f5a951637e0307cdcb4c672f298b8bc6");

/// `hashStruct(domain(chain_id))` with its constant parts precomputed: one keccak of four words
/// instead of alloy's `separator()`, which hashes the type and both strings again and does so with
/// its streaming hasher, whose 64-bit keccak the fault-proof guest cannot route to its own
/// (docs/performance.md). The tests hold it to alloy's.
fn separator(chain_id: u64) -> B256 {
    let mut enc = [0u8; 128];
    enc[..32].copy_from_slice(DOMAIN_TYPE_HASH.as_slice());
    enc[32..64].copy_from_slice(DOMAIN_NAME_HASH.as_slice());
    enc[64..96].copy_from_slice(DOMAIN_VERSION_HASH.as_slice());
    enc[120..].copy_from_slice(&chain_id.to_be_bytes());
    keccak256(enc)
}

/// The domain separator of `chain_id`, remembered per thread: a node signs and checks for one
/// chain.
#[cfg(feature = "std")]
fn domain_separator(chain_id: u64) -> B256 {
    std::thread_local! {
        static LAST: core::cell::Cell<Option<(u64, B256)>> = const { core::cell::Cell::new(None) };
    }
    LAST.with(|last| match last.get() {
        Some((id, sep)) if id == chain_id => sep,
        _ => {
            let sep = separator(chain_id);
            last.set(Some((chain_id, sep)));
            sep
        }
    })
}

/// The domain separator of `chain_id` (without threads, nothing to remember it in).
#[cfg(not(feature = "std"))]
fn domain_separator(chain_id: u64) -> B256 {
    separator(chain_id)
}

/// `keccak256(0x1901 ‖ domainSeparator ‖ structHash)`.
fn digest(chain_id: u64, struct_hash: B256) -> B256 {
    let mut buf = [0u8; 66];
    buf[..2].copy_from_slice(&[0x19, 0x01]);
    buf[2..34].copy_from_slice(domain_separator(chain_id).as_slice());
    buf[34..].copy_from_slice(struct_hash.as_slice());
    keccak256(buf)
}

/// The digest an envelope's signer signs. The call's own struct is nested as field `call` of a
/// wrapper type, so a wallet still shows every argument:
///
/// - `Sponsored(address sponsor,<Call> call)` for a wallet-signed, sponsored transaction;
/// - `SessionCall(address account,address sponsor,bytes32 key,<Call> call)` for a session key
///   (`sponsor` zero when the account pays, `key` the session key's id).
pub fn envelope_signing_hash<C: CallSet>(tx: &Transaction<C>, envelope: &Envelope) -> B256 {
    let call_hash = tx.call.call_hash(tx.nonce, tx.max_fee);
    let call_type = tx.call.call_encode_type();
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

/// A payment-channel voucher's struct type.
#[derive(pillar_macros::Eip712)]
#[eip712(name = "Voucher")]
struct VoucherType {
    channel: u64,
    cumulative: u128,
}

/// The digest a voucher key signs for a payment-channel voucher: EIP-712
/// `Voucher(uint64 channel,uint128 cumulative)` in the chain's Pillar domain.
pub fn voucher_signing_hash(chain_id: u64, channel: u64, cumulative: u128) -> B256 {
    digest(chain_id, VoucherType { channel, cumulative }.hash_struct())
}

/// The EIP-712 type string of a call's primary type in `C`, or of `Voucher` (for documentation
/// and client checks).
pub fn encode_type<C: CallSet>(type_name: &str) -> Option<Cow<'static, str>> {
    if type_name == "Voucher" {
        return Some(Cow::Owned(VoucherType::encode_type_with(&[])));
    }
    C::encode_type_of(type_name).map(Cow::Owned)
}

/// A session key as an EIP-712 struct: `SessionKey(uint8 scheme,bytes publicKey)`.
impl Eip712Struct for SessionKey {
    const NAME: &'static str = "SessionKey";
    fn members() -> Vec<Member> {
        vec![
            Member { name: "scheme", ty: Cow::Borrowed("uint8") },
            Member { name: "publicKey", ty: Cow::Borrowed("bytes") },
        ]
    }
    fn referenced_types(_: &mut alloc::collections::BTreeMap<&'static str, String>) {}
    fn encode_fields(&self, enc: &mut Vec<u8>) {
        enc.extend_from_slice(self.scheme().word().as_slice());
        enc.extend_from_slice(bytes_word(self.bytes()).as_slice());
    }
}

impl Eip712Value for SessionKey {
    fn sol_type() -> Cow<'static, str> {
        Cow::Borrowed("SessionKey")
    }
    fn word(&self) -> B256 {
        self.hash_struct()
    }
    fn referenced(out: &mut alloc::collections::BTreeMap<&'static str, String>) {
        reference::<Self>(out)
    }
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

    #[test]
    fn the_precomputed_separator_is_alloys() {
        let d = domain(1);
        assert_eq!(DOMAIN_TYPE_HASH, d.type_hash());
        assert_eq!(DOMAIN_NAME_HASH, keccak256(DOMAIN_NAME));
        assert_eq!(DOMAIN_VERSION_HASH, keccak256(DOMAIN_VERSION));
        for id in [0u64, 1, 901, 31337, u64::MAX] {
            assert_eq!(separator(id), domain(id).separator(), "chain {id}");
        }
    }
}
