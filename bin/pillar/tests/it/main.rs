//! End-to-end tests of the `pillar` binary: real processes, real storage, real clients.

mod bad_input;
mod cli;
mod common;
mod durability;
mod ethers;
