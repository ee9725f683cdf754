//! Derives that turn one Rust declaration of a call or event into everything else the chain
//! publishes about it.
//!
//! - `#[derive(Eip712)]` on a struct with named fields: its EIP-712 struct type (`encodeType`,
//!   `hashStruct`) through `pillar_primitives::eip712::{Eip712Struct, Eip712Value}`. Member
//!   names are the fields' camelCase names (or `#[eip712(rename = "…")]`); Solidity types come
//!   from the field types' `Eip712Value` impls, except `Vec<u8>`, which is `bytes`. The type name
//!   is the struct's (or `#[eip712(name = "…")]`).
//! - `#[derive(Schema)]` on a struct or an enum with struct variants: the fields and their types
//!   as `pillar_primitives::schema::TypeSchema`, for `pillar_schema`. Names follow the same
//!   camelCase rule as the JSON form; `#[schema(module = "…")]` on a variant names the module
//!   that emits it.
//!
//! The derives name paths under `pillar_primitives`; inside that crate it is `crate` (set with
//! `#[eip712(crate = "crate")]` / `#[schema(crate = "crate")]`).

mod eip712;
mod names;
mod schema;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Derives `Eip712Struct` and `Eip712Value` (see the crate docs).
#[proc_macro_derive(Eip712, attributes(eip712))]
pub fn derive_eip712(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    eip712::expand(&input).unwrap_or_else(syn::Error::into_compile_error).into()
}

/// Derives `Schema` (see the crate docs).
#[proc_macro_derive(Schema, attributes(schema))]
pub fn derive_schema(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    schema::expand(&input).unwrap_or_else(syn::Error::into_compile_error).into()
}
