//! Derives that turn one Rust declaration of a call or event into everything else the chain
//! publishes about it.
//!
//! - `#[derive(Eip712)]` on a struct with named fields: its EIP-712 struct type (`encodeType`,
//!   `hashStruct`) through `pillar_primitives::eip712::{Eip712Struct, Eip712Value}`. Member
//!   names are the fields' camelCase names (or `#[eip712(rename = "…")]`); Solidity types come
//!   from the field types' `Eip712Value` impls, except `Vec<u8>`, which is `bytes`. The type name
//!   is the struct's (or `#[eip712(name = "…")]`).
//! - `#[derive(Events)]` on a module's event enum (struct variants), with `#[events(module =
//!   NAME, first_tag = N)]`: borsh encoding with global tags `N, N+1, …` in variant order (append
//!   only), the schema of every variant (names follow the same camelCase rule as the JSON form)
//!   and `pillar_primitives::EventSet`.
//!
//! The derives name paths under `pillar_primitives`; inside that crate `Eip712` is told `crate`
//! with `#[eip712(crate = "crate")]`.

mod eip712;
mod events;
mod names;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Derives `Eip712Struct` and `Eip712Value` (see the crate docs).
#[proc_macro_derive(Eip712, attributes(eip712))]
pub fn derive_eip712(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    eip712::expand(&input).unwrap_or_else(syn::Error::into_compile_error).into()
}

/// Derives a module's event set (see the crate docs).
#[proc_macro_derive(Events, attributes(events))]
pub fn derive_events(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    events::expand(&input).unwrap_or_else(syn::Error::into_compile_error).into()
}
