//! The JSON form of a signed transaction, for clients that sign with a wallet's
//! `eth_signTypedData_v4` (or ethers/viem `signTypedData`) and never see borsh.
//!
//! ```json
//! { "chainId": 901, "primaryType": "Transfer",
//!   "message": { "to": "0x…", "asset": 0, "amount": "1000", "nonce": 0, "maxFee": "0" },
//!   "signature": "0x…65 bytes…" }
//! ```
//!
//! `message` holds exactly the fields of the EIP-712 primary type; unknown fields are refused
//! rather than ignored, because an ignored field would silently change what was signed.

use alloc::string::String;
use alloc::string::ToString;

use serde::{Deserialize, Serialize};

use crate::{CallSet, Envelope, RecoverError, Signature, SignedTransaction, Transaction, u128_string};

/// A signed transaction as JSON typed data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TypedTransaction {
    /// The L2 chain id (the EIP-712 domain's `chainId`).
    #[serde(deserialize_with = "u64_flexible")]
    pub chain_id: u64,
    /// The EIP-712 primary type, which names the call kind.
    pub primary_type: String,
    /// The EIP-712 message.
    pub message: serde_json::Map<String, serde_json::Value>,
    /// `0x`-prefixed 65-byte `r ‖ s ‖ v` (a session key's signature with `v = 0`).
    pub signature: String,
    /// The envelope (sponsor, session), absent for a plain transaction. When present the
    /// signature is over `Sponsored` / `SessionCall` wrapping the primary type
    /// ([`crate::eip712::envelope_signing_hash`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub envelope: Option<Envelope>,
}

/// Why a typed JSON transaction was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TypedTxError {
    /// The primary type names no call kind.
    #[error("unknown call type {primary_type:?}")]
    UnknownCall {
        /// The name given.
        primary_type: String,
    },
    /// A message field is missing, unknown or of the wrong type.
    #[error("invalid {primary_type} message: {reason}")]
    BadMessage {
        /// The call kind.
        primary_type: String,
        /// What was wrong.
        reason: String,
    },
    /// The signature is not hex or not well formed.
    #[error("invalid signature: {0}")]
    BadSignature(#[from] RecoverError),
    /// The signature is not hex.
    #[error("signature is not hex")]
    SignatureNotHex,
}

impl TypedTransaction {
    /// Converts to the canonical transaction. The signature is parsed, not yet verified.
    pub fn into_signed<C: CallSet>(self) -> Result<SignedTransaction<C>, TypedTxError> {
        if !C::owns_type(&self.primary_type) {
            return Err(TypedTxError::UnknownCall { primary_type: self.primary_type });
        }
        let bad =
            |reason: String| TypedTxError::BadMessage { primary_type: self.primary_type.clone(), reason };
        if self.message.contains_key("type") {
            return Err(bad("unknown field `type`".into()));
        }
        let mut fields = self.message.clone();
        let nonce = fields.remove("nonce").ok_or_else(|| bad("missing field `nonce`".into()))?;
        let nonce = u64_from_value(&nonce).map_err(bad)?;
        let max_fee = fields.remove("maxFee").ok_or_else(|| bad("missing field `maxFee`".into()))?;
        let max_fee = u128_from_value(&max_fee).map_err(bad)?;
        fields.insert("type".into(), serde_json::Value::String(crate::schema::json_type(&self.primary_type)));
        let call: C =
            serde_json::from_value(serde_json::Value::Object(fields)).map_err(|e| bad(e.to_string()))?;
        let raw = hex::decode(self.signature.trim_start_matches("0x"))
            .map_err(|_| TypedTxError::SignatureNotHex)?;
        let mut signature = Signature::from_bytes(&raw)?;
        if let Some(Envelope::Session { .. }) = self.envelope {
            // A session signature's v is exactly 0, not a recovery id.
            signature.v = raw[64];
        }
        Ok(SignedTransaction {
            tx: Transaction { chain_id: self.chain_id, nonce, max_fee, call },
            signature,
            envelope: self.envelope,
        })
    }

    /// The JSON form of a canonical transaction.
    pub fn from_signed<C: CallSet>(stx: &SignedTransaction<C>) -> Self {
        let mut message = match serde_json::to_value(&stx.tx.call) {
            Ok(serde_json::Value::Object(m)) => m,
            _ => unreachable!("a call always serialises to an object"),
        };
        message.remove("type");
        message.insert("nonce".into(), stx.tx.nonce.into());
        message.insert("maxFee".into(), stx.tx.max_fee.to_string().into());
        Self {
            chain_id: stx.tx.chain_id,
            primary_type: stx.tx.call.type_name().to_string(),
            message,
            signature: format!("0x{}", hex::encode(stx.signature.to_bytes())),
            envelope: stx.envelope,
        }
    }
}

fn u64_from_value(v: &serde_json::Value) -> Result<u64, String> {
    match v {
        serde_json::Value::Number(n) => n.as_u64().ok_or_else(|| format!("invalid u64 {n}")),
        serde_json::Value::String(s) => {
            let parsed = u128_string::parse_u128(s)?;
            u64::try_from(parsed).map_err(|_| format!("{s} does not fit in u64"))
        }
        other => Err(format!("expected a number, got {other}")),
    }
}

fn u128_from_value(v: &serde_json::Value) -> Result<u128, String> {
    match v {
        serde_json::Value::Number(n) => {
            n.as_u64().map(u128::from).ok_or_else(|| format!("invalid amount {n}"))
        }
        serde_json::Value::String(s) => u128_string::parse_u128(s),
        other => Err(format!("expected an amount, got {other}")),
    }
}

fn u64_flexible<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    u64_from_value(&v).map_err(serde::de::Error::custom)
}
