//! Behaviour on a real runtime (accounts, assets, agents) over in-memory state: one file per
//! concern, every refusal code exercised, and the pay-per-request story end to end.

mod channels;
mod identity;
mod reputation;
mod story;
mod vouchers;
