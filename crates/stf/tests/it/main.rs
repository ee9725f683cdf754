//! Wire-format tests: fixtures from an independent implementation (ethers v6), fixed encodings,
//! and property round trips. Changing a fixture is an explicit approval of a format change.

#![allow(clippy::unwrap_used)]

mod fixtures;
mod roundtrip;
mod schema;
mod sessions;
mod verticals;
