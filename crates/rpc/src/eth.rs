//! The read-only Ethereum subset.

use jsonrpsee::{
    RpcModule,
    types::{ErrorObjectOwned, Params},
};
use serde_json::{Value, json};

use crate::{
    Ctx,
    error::internal,
    json,
    pillar::{parse_address, resolve_block},
};

type RpcResult = Result<Value, ErrorObjectOwned>;

pub(crate) fn register(m: &mut RpcModule<Ctx>) -> Result<(), jsonrpsee::core::RegisterMethodError> {
    m.register_method("eth_chainId", |_: Params<'_>, ctx: &Ctx, _| -> RpcResult {
        Ok(json!(format!("0x{:x}", ctx.chain.runtime().chain_id())))
    })?;
    m.register_method("net_version", |_: Params<'_>, ctx: &Ctx, _| -> RpcResult {
        Ok(json!(ctx.chain.runtime().chain_id().to_string()))
    })?;
    m.register_method("eth_blockNumber", |_: Params<'_>, ctx: &Ctx, _| -> RpcResult {
        Ok(json!(format!("0x{:x}", ctx.chain.head().height)))
    })?;
    m.register_method("eth_getBalance", |params: Params<'_>, ctx: &Ctx, _| -> RpcResult {
        let mut seq = params.sequence();
        let address = parse_address(&seq.next::<String>()?)?;
        // State is kept at the head only: historical balances are refused, not faked.
        if let Some(sel) = seq.optional_next::<Value>()? {
            let head = ctx.chain.head().height;
            if !matches!(sel.as_str(), Some("latest" | "pending")) && resolve_block(ctx, &sel)? != head {
                return Err(crate::error::invalid_params(format!(
                    "state is kept at the head (block {head}) only; historical balance for {sel} is not available"
                )));
            }
        }
        let snapshot = ctx.chain.snapshot();
        let v = ctx
            .chain
            .runtime()
            .query(&snapshot, "assets", "balance", &json!({ "address": address, "asset": 0 }))
            .map_err(internal)?;
        let wei: u128 = v.as_str().and_then(|s| s.parse().ok()).unwrap_or(0);
        Ok(json!(format!("0x{wei:x}")))
    })?;
    m.register_method("eth_getBlockByNumber", |params: Params<'_>, ctx: &Ctx, _| -> RpcResult {
        let mut seq = params.sequence();
        let sel: Value = seq.next()?;
        let full: Option<bool> = seq.optional_next()?;
        let height = resolve_block(ctx, &sel)?;
        if height > ctx.chain.head().height {
            return Ok(Value::Null);
        }
        match ctx.chain.ledger().block(height).map_err(internal)? {
            Some(b) => Ok(json::eth_block(&b, full.unwrap_or(false))),
            None => Ok(Value::Null),
        }
    })?;
    Ok(())
}
