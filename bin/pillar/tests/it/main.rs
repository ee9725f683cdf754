//! End-to-end tests of the `pillar` binary: real processes, real storage, real clients.

#![allow(clippy::unwrap_used)]

mod adversarial;
mod bad_input;
mod cli;
mod common;
mod contracts;
mod dispute;
mod durability;
mod ethers;
mod explorer;
mod fault_proofs;
mod genesis_eth;
mod presets;
mod replica;
mod rpc_client;
mod rpc_limits;
mod sdk;
mod settlement;
