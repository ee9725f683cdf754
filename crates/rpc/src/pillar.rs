//! `pillar_*` methods.

use jsonrpsee::{
    RpcModule,
    types::{ErrorObjectOwned, Params},
};
use pillar_sequencer::Rejection;
use pillar_state::{KeyPath, StateRead};
use pillar_stf::{
    Address, B256, MAX_TX_SIZE, SignedTransaction, eip712,
    typed_json::{TypedTransaction, TypedTxError},
};
use serde_json::{Value, json};

use crate::{
    Ctx,
    error::{internal, invalid_params, rejection, unknown_query},
    json,
};

type RpcResult = Result<Value, ErrorObjectOwned>;

/// Most transactions in one `pillar_sendTransactions` call.
pub(crate) const MAX_SUBMIT_BATCH: usize = 10_000;

/// A transaction from JSON: canonical bytes as hex, or the EIP-712 typed form.
pub(crate) fn parse_tx(v: Value) -> Result<SignedTransaction, Rejection> {
    match v {
        Value::String(s) => {
            let hex_str = s.strip_prefix("0x").unwrap_or(&s);
            if hex_str.len() > 2 * MAX_TX_SIZE {
                return Err(Rejection::Oversize { size: hex_str.len() / 2, limit: MAX_TX_SIZE });
            }
            let bytes =
                hex::decode(hex_str).map_err(|e| Rejection::Malformed(format!("transaction hex: {e}")))?;
            Ok(SignedTransaction::decode(&bytes)?)
        }
        Value::Object(_) => {
            let typed: TypedTransaction = serde_json::from_value(v)
                .map_err(|e| Rejection::Malformed(format!("typed transaction: {e}")))?;
            let stx = typed.into_signed().map_err(|e| match e {
                TypedTxError::UnknownCall { .. } => Rejection::UnknownCall(e.to_string()),
                TypedTxError::BadSignature(r) => Rejection::BadSignature(r),
                other => Rejection::Malformed(other.to_string()),
            })?;
            // The same bound as the binary form, before any signature work.
            let size = stx.encode().len();
            if size > MAX_TX_SIZE {
                return Err(Rejection::Oversize { size, limit: MAX_TX_SIZE });
            }
            Ok(stx)
        }
        other => Err(Rejection::Malformed(format!(
            "expected a hex string or a typed-data object, got {}",
            match other {
                Value::Null => "null",
                Value::Bool(_) => "a boolean",
                Value::Number(_) => "a number",
                Value::Array(_) => "an array",
                _ => "something else",
            }
        ))),
    }
}

pub(crate) fn parse_hash(s: &str) -> Result<B256, ErrorObjectOwned> {
    s.parse::<B256>().map_err(|_| invalid_params(format!("expected a 32-byte 0x-hex hash, got {s:?}")))
}

pub(crate) fn parse_address(s: &str) -> Result<Address, ErrorObjectOwned> {
    s.parse::<Address>().map_err(|_| invalid_params(format!("expected a 20-byte 0x-hex address, got {s:?}")))
}

/// A block number or tag (`latest`, `pending`, `earliest`, `safe`, `finalized`).
pub(crate) fn resolve_block(ctx: &Ctx, v: &Value) -> Result<u64, ErrorObjectOwned> {
    let head = ctx.chain.head().height;
    let n = match v {
        Value::Number(n) => n.as_u64().ok_or_else(|| invalid_params(format!("invalid block number {n}")))?,
        Value::String(s) => match s.as_str() {
            "latest" | "pending" => head,
            "earliest" => 0,
            "safe" => ctx.chain.heads().safe.min(head),
            "finalized" => ctx.chain.heads().finalized.min(head),
            hex if hex.starts_with("0x") => u64::from_str_radix(&hex[2..], 16)
                .map_err(|_| invalid_params(format!("invalid block number {hex:?}")))?,
            dec => dec.parse().map_err(|_| invalid_params(format!("invalid block number or tag {dec:?}")))?,
        },
        other => return Err(invalid_params(format!("invalid block selector {other}"))),
    };
    Ok(n)
}

fn account(ctx: &Ctx, address: Address) -> RpcResult {
    let snapshot = ctx.chain.snapshot();
    let rt = ctx.chain.runtime();
    let p = json!({ "address": address });
    let nonce = rt.query(&snapshot, "accounts", "nonce", &p).map_err(internal)?;
    let balances = match rt.query(&snapshot, "assets", "balances", &p) {
        Ok(b) => b,
        Err(pillar_runtime::QueryError::UnknownModule { .. }) => json!([]),
        Err(e) => return Err(internal(e)),
    };
    Ok(json!({ "address": address, "nonce": nonce, "balances": balances }))
}

fn proof(ctx: &Ctx, spec: &Value) -> RpcResult {
    let key: KeyPath = if let Some(k) = spec.get("keyPath").and_then(Value::as_str) {
        parse_hash(k)?.0
    } else {
        let module = spec.get("module").and_then(Value::as_str).ok_or_else(|| {
            invalid_params("expected {\"keyPath\": \"0x…\"} or {\"module\", \"field\", \"params\"}")
        })?;
        let field = spec.get("field").and_then(Value::as_str).unwrap_or_default();
        let params = spec.get("params").cloned().unwrap_or(Value::Null);
        ctx.chain.runtime().state_key(module, field, &params).map_err(|e| match e {
            pillar_runtime::QueryError::BadParams { .. } => invalid_params(e.to_string()),
            other => unknown_query(other),
        })?
    };
    let head = ctx.chain.head();
    let snapshot = ctx.chain.snapshot();
    let root = snapshot.root();
    let value = snapshot.get(&key).map_err(internal)?;
    let proof = snapshot.prove(&key).map_err(internal)?;
    Ok(json!({
        "stateRoot": root,
        "blockHeight": (head.state_root == root).then_some(head.height),
        "keyPath": B256::from(key),
        "value": value.map(|v| format!("0x{}", hex::encode(v))),
        "proof": proof,
    }))
}

/// A receipt, once its block is the head or older. The ledger has a block a moment before the
/// state commit finishes and the head moves; serving it only after keeps every read consistent
/// with `chainInfo`'s head and with account state.
pub(crate) fn visible_receipt(
    ctx: &Ctx,
    hash: &B256,
) -> Result<Option<pillar_stf::Receipt>, ErrorObjectOwned> {
    let r = ctx.chain.ledger().receipt(hash).map_err(internal)?;
    Ok(r.filter(|r| r.block_height <= ctx.chain.head().height))
}

fn block_by_height(ctx: &Ctx, height: u64, full: bool) -> RpcResult {
    if height > ctx.chain.head().height {
        return Ok(Value::Null);
    }
    match ctx.chain.ledger().block(height).map_err(internal)? {
        Some(b) => Ok(json::block(&b, full)),
        None => Ok(Value::Null),
    }
}

pub(crate) fn register(m: &mut RpcModule<Ctx>) -> Result<(), jsonrpsee::core::RegisterMethodError> {
    m.register_method("pillar_sendTransaction", |params: Params<'_>, ctx: &Ctx, _| -> RpcResult {
        let v: Value = params.one()?;
        let tx = parse_tx(v).map_err(|r| rejection(&r))?;
        let hash = ctx.seq.submit(tx).map_err(|r| rejection(&r))?;
        Ok(json!(hash))
    })?;
    m.register_method("pillar_sendTransactions", |params: Params<'_>, ctx: &Ctx, _| -> RpcResult {
        let list: Vec<Value> = params.one()?;
        if list.len() > MAX_SUBMIT_BATCH {
            return Err(invalid_params(format!(
                "at most {MAX_SUBMIT_BATCH} transactions per call, got {}",
                list.len()
            )));
        }
        let mut parsed = Vec::with_capacity(list.len());
        let mut results: Vec<Option<Result<B256, Rejection>>> = Vec::with_capacity(list.len());
        for v in list {
            match parse_tx(v) {
                Ok(tx) => {
                    parsed.push(tx);
                    results.push(None);
                }
                Err(r) => results.push(Some(Err(r))),
            }
        }
        let mut submitted = ctx.seq.submit_batch(parsed).into_iter();
        let out: Vec<Value> = results
            .into_iter()
            .map(|r| match r.unwrap_or_else(|| submitted.next().expect("one result per parsed tx")) {
                Ok(h) => json!({ "hash": h }),
                Err(r) => {
                    json!({ "error": { "code": r.code(), "kind": r.kind(), "message": r.to_string() } })
                }
            })
            .collect();
        Ok(Value::Array(out))
    })?;
    m.register_method("pillar_getTransaction", |params: Params<'_>, ctx: &Ctx, _| -> RpcResult {
        let hash = parse_hash(&params.one::<String>()?)?;
        let Some((tx, loc)) = ctx.chain.ledger().transaction(&hash).map_err(internal)? else {
            return Ok(Value::Null);
        };
        if loc.height > ctx.chain.head().height {
            return Ok(Value::Null);
        }
        let sender = ctx.chain.ledger().receipt(&hash).map_err(internal)?.map(|r| r.sender);
        Ok(json::chain_tx(&tx, sender, Some(loc)))
    })?;
    m.register_method("pillar_getReceipt", |params: Params<'_>, ctx: &Ctx, _| -> RpcResult {
        let hash = parse_hash(&params.one::<String>()?)?;
        Ok(visible_receipt(ctx, &hash)?.map(|r| json!(r)).unwrap_or(Value::Null))
    })?;
    m.register_method("pillar_getBlockByNumber", |params: Params<'_>, ctx: &Ctx, _| -> RpcResult {
        let mut seq = params.sequence();
        let sel: Value = seq.next()?;
        let full: Option<bool> = seq.optional_next()?;
        let height = resolve_block(ctx, &sel)?;
        block_by_height(ctx, height, full.unwrap_or(false))
    })?;
    m.register_method("pillar_getBlockByHash", |params: Params<'_>, ctx: &Ctx, _| -> RpcResult {
        let mut seq = params.sequence();
        let hash = parse_hash(&seq.next::<String>()?)?;
        let full: Option<bool> = seq.optional_next()?;
        match ctx.chain.ledger().height_of(&hash).map_err(internal)? {
            Some(h) => block_by_height(ctx, h, full.unwrap_or(false)),
            None => Ok(Value::Null),
        }
    })?;
    m.register_method("pillar_getBlockReceipts", |params: Params<'_>, ctx: &Ctx, _| -> RpcResult {
        let height = resolve_block(ctx, &params.one::<Value>()?)?;
        if height > ctx.chain.head().height {
            return Ok(Value::Null);
        }
        Ok(json!(ctx.chain.ledger().receipts(height).map_err(internal)?))
    })?;
    m.register_method("pillar_getAccount", |params: Params<'_>, ctx: &Ctx, _| -> RpcResult {
        account(ctx, parse_address(&params.one::<String>()?)?)
    })?;
    m.register_method("pillar_getProof", |params: Params<'_>, ctx: &Ctx, _| -> RpcResult {
        proof(ctx, &params.one::<Value>()?)
    })?;
    m.register_method("pillar_query", |params: Params<'_>, ctx: &Ctx, _| -> RpcResult {
        let mut seq = params.sequence();
        let module: String = seq.next()?;
        let method: String = seq.next()?;
        let p: Option<Value> = seq.optional_next()?;
        let snapshot = ctx.chain.snapshot();
        ctx.chain.runtime().query(&snapshot, &module, &method, &p.unwrap_or(Value::Null)).map_err(|e| match e
        {
            pillar_runtime::QueryError::BadParams { .. } => invalid_params(e.to_string()),
            pillar_runtime::QueryError::State(s) => internal(s),
            other => unknown_query(other),
        })
    })?;
    m.register_method("pillar_chainInfo", |_: Params<'_>, ctx: &Ctx, _| -> RpcResult {
        let head = ctx.chain.head();
        let heads = ctx.chain.heads();
        let genesis = ctx.chain.ledger().header(0).map_err(internal)?.map(|h| h.hash());
        let cfg = ctx.seq.production();
        let snapshot = ctx.chain.snapshot();
        let fees = ctx.chain.runtime().query(&snapshot, "assets", "fees", &Value::Null).unwrap_or(Value::Null);
        Ok(json!({
            "chainId": ctx.chain.runtime().chain_id(),
            "genesisHash": genesis,
            "head": { "height": head.height, "hash": head.hash(), "stateRoot": head.state_root, "timestampMs": head.timestamp_ms },
            "modules": ctx.chain.runtime().module_names(),
            "blockTimeMs": cfg.block_time.as_millis() as u64,
            "maxBlockTxs": cfg.max_block_txs,
            "pendingTransactions": ctx.seq.pending(),
            "fees": fees,
            "eip712Domain": { "name": eip712::DOMAIN_NAME, "version": eip712::DOMAIN_VERSION, "chainId": ctx.chain.runtime().chain_id() },
            "halted": ctx.seq.halted(),
            "role": ctx.status.role(),
            "heads": { "soft": head.height, "safe": heads.safe.min(head.height), "finalized": heads.finalized.min(head.height) },
            "sync": ctx.status.info(),
        }))
    })?;
    m.register_method("pillar_schema", |_: Params<'_>, ctx: &Ctx, _| -> RpcResult {
        serde_json::to_value(ctx.chain.runtime().schema()).map_err(internal)
    })?;
    m.register_method("pillar_health", |_: Params<'_>, ctx: &Ctx, _| -> RpcResult {
        let health = ctx.status.health();
        let head = ctx.chain.head();
        let body = json!({ "ok": health.ok, "role": ctx.status.role(), "height": head.height, "checks": health.checks });
        if health.ok {
            Ok(body)
        } else {
            Err(ErrorObjectOwned::owned(crate::error::codes::UNHEALTHY, "node is unhealthy", Some(body)))
        }
    })?;
    // What a safe block's output root commits to: the proposer's root, and the preimage a
    // withdrawal's `Portal.finalizeWithdrawal` and the fault-proof program need.
    m.register_method("pillar_getOutputPreimage", |params: Params<'_>, ctx: &Ctx, _| -> RpcResult {
        let height = resolve_block(ctx, &params.one::<Value>()?)?;
        let Some(cursor) = ctx.status.derivation_cursor(height) else { return Ok(Value::Null) };
        let Some(h) = ctx.chain.ledger().header(height).map_err(internal)? else { return Ok(Value::Null) };
        let block_hash = h.hash();
        let root = pillar_stf::output_root(h.state_root, h.withdrawals_root, block_hash, &cursor);
        Ok(json!({
            "block": height,
            "stateRoot": h.state_root,
            "withdrawalsRoot": h.withdrawals_root,
            "blockHash": block_hash,
            "cursor": cursor,
            "outputRoot": root,
        }))
    })?;
    // The recorder's witness of a block: what the fault-proof program reads of its parent state.
    m.register_method("pillar_getWitness", |params: Params<'_>, ctx: &Ctx, _| -> RpcResult {
        let height = resolve_block(ctx, &params.one::<Value>()?)?;
        let Some(w) = ctx.chain.witness(height).map_err(internal)? else { return Ok(Value::Null) };
        let hex = |b: &[u8]| format!("0x{}", hex::encode(b));
        let nodes: Vec<String> = w.witness.nodes().map(|(_, n)| hex(n)).collect();
        let values: Vec<String> = w.witness.values().map(|(_, v)| hex(v)).collect();
        Ok(json!({
            "block": height,
            "parentStateRoot": w.parent_state_root,
            "nodes": nodes,
            "values": values,
        }))
    })?;
    m.register_method("pillar_getRawBlock", |params: Params<'_>, ctx: &Ctx, _| -> RpcResult {
        let height = resolve_block(ctx, &params.one::<Value>()?)?;
        if height > ctx.chain.head().height {
            return Ok(Value::Null);
        }
        match ctx.chain.ledger().block(height).map_err(internal)? {
            Some(b) => Ok(json!(format!("0x{}", hex::encode(pillar_stf::codec::encode(&b))))),
            None => Ok(Value::Null),
        }
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pillar_assets::Transfer;
    use pillar_stf::{Call, PrivateKey, Transaction};

    fn stx() -> SignedTransaction {
        PrivateKey::from_bytes([9; 32]).unwrap().sign(Transaction {
            chain_id: 1,
            nonce: 3,
            max_fee: 0,
            call: Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
                to: Address::ZERO,
                asset: 0,
                amount: 5,
            })),
        })
    }

    #[test]
    fn both_transaction_forms_parse_to_the_same_transaction() {
        let s = stx();
        let hex_form = json!(format!("0x{}", hex::encode(s.encode())));
        let typed = serde_json::to_value(TypedTransaction::from_signed(&s)).unwrap();
        assert_eq!(parse_tx(hex_form).unwrap(), s);
        assert_eq!(parse_tx(typed).unwrap(), s);
    }

    #[test]
    fn bad_transaction_json_is_rejected_with_its_kind() {
        assert_eq!(parse_tx(json!("0xzz")).unwrap_err().kind(), "malformed");
        assert_eq!(parse_tx(json!(format!("0x{}", "00".repeat(5000)))).unwrap_err().kind(), "oversize");
        assert_eq!(parse_tx(json!(null)).unwrap_err().kind(), "malformed");
        let mut typed = serde_json::to_value(TypedTransaction::from_signed(&stx())).unwrap();
        typed["primaryType"] = json!("Nope");
        assert_eq!(parse_tx(typed.clone()).unwrap_err().kind(), "unknown_call");
        typed["primaryType"] = json!("CreateAsset");
        typed["message"] = json!({"name": "x".repeat(5000), "symbol": "X", "decimals": 0, "maxSupply": "1", "nonce": 0, "maxFee": "0"});
        assert_eq!(parse_tx(typed).unwrap_err().kind(), "oversize");
    }

    #[test]
    fn hashes_and_addresses_are_checked() {
        assert!(parse_hash("0x12").is_err());
        assert!(parse_hash(&format!("0x{}", "ab".repeat(32))).is_ok());
        assert!(parse_address("not an address").is_err());
        assert!(parse_address("0x00000000000000000000000000000000000000aa").is_ok());
    }
}
