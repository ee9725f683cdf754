//! Payment-channel vouchers: a payer's signed promise that it owes an agent `cumulative` in total
//! over a channel's life. The payee checks each voucher off chain (one signature check, tens of
//! microseconds) and settles only the latest one on chain, so a thousand paid requests cost one
//! L2 transaction. Cumulative amounts make replay and reordering harmless: settling an older
//! voucher can only pay less.

use alloy_primitives::B256;

#[cfg(feature = "std")]
use crate::SessionSigner;
use crate::{SessionKey, eip712, session_sig};

/// A voucher for a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Voucher {
    /// The chain the channel lives on.
    pub chain_id: u64,
    /// Channel id.
    pub channel: u64,
    /// Total owed over the channel's life.
    pub cumulative: u128,
}

impl Voucher {
    /// The EIP-712 digest the voucher key signs.
    pub fn signing_hash(&self) -> B256 {
        eip712::voucher_signing_hash(self.chain_id, self.channel, self.cumulative)
    }

    /// Signs the voucher: the 64-byte `r ‖ s`.
    #[cfg(feature = "std")]
    pub fn sign(&self, signer: &SessionSigner) -> [u8; 64] {
        let sig = signer.sign_digest(self.signing_hash());
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(sig.r.as_slice());
        out[32..].copy_from_slice(sig.s.as_slice());
        out
    }

    /// Whether `signature` is `key`'s signature of this voucher (the check a payee runs per
    /// request, and the module runs at settlement).
    pub fn verify(&self, key: &SessionKey, signature: &[u8]) -> bool {
        let Ok(sig) = <&[u8; 64]>::try_from(signature) else { return false };
        let digest = self.signing_hash();
        match key {
            SessionKey::Ed25519(k) => session_sig::ed25519_verify(k, sig, digest.as_slice()),
            SessionKey::P256(k) => session_sig::p256_verify(k, sig, &digest.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_voucher_verifies_only_for_its_key_channel_amount_and_chain() {
        for signer in [SessionSigner::ed25519([7; 32]), SessionSigner::p256([9; 32]).expect("valid scalar")] {
            let key = signer.public_key();
            let v = Voucher { chain_id: 901, channel: 3, cumulative: 1_000 };
            let sig = v.sign(&signer);
            assert!(v.verify(&key, &sig));
            assert!(!Voucher { cumulative: 1_001, ..v }.verify(&key, &sig));
            assert!(!Voucher { channel: 4, ..v }.verify(&key, &sig));
            assert!(!Voucher { chain_id: 902, ..v }.verify(&key, &sig));
            let other = SessionSigner::ed25519([8; 32]).public_key();
            assert!(!v.verify(&other, &sig));
            assert!(!v.verify(&key, &sig[..63]));
            let mut bad = sig;
            bad[10] ^= 1;
            assert!(!v.verify(&key, &bad));
        }
    }
}
