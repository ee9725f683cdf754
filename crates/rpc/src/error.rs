//! JSON-RPC error objects.

use jsonrpsee::types::ErrorObjectOwned;
use pillar_sequencer::Rejection;
use serde_json::json;

/// Stable error codes besides the transaction rejections (-38001 to -38099, see
/// [`Rejection::code`]).
pub mod codes {
    /// Parameters missing, of the wrong type, or out of range (JSON-RPC standard).
    pub const INVALID_PARAMS: i32 = -32602;
    /// The node failed to read its own storage.
    pub const INTERNAL: i32 = -32603;
    /// A query named an unknown module or method.
    pub const UNKNOWN_QUERY: i32 = -38100;
    /// `pillar_health`: the node is stuck, lagging or diverged.
    pub const UNHEALTHY: i32 = -38101;
}

pub(crate) fn rejection(r: &Rejection) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(r.code(), r.to_string(), Some(json!({ "kind": r.kind() })))
}

pub(crate) fn invalid_params(msg: impl Into<String>) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(codes::INVALID_PARAMS, msg, Some(json!({ "kind": "invalid_params" })))
}

pub(crate) fn internal(e: impl std::fmt::Display) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(
        codes::INTERNAL,
        format!("internal error: {e}"),
        Some(json!({ "kind": "internal" })),
    )
}

pub(crate) fn unknown_query(e: impl std::fmt::Display) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(codes::UNKNOWN_QUERY, e.to_string(), Some(json!({ "kind": "unknown_query" })))
}
