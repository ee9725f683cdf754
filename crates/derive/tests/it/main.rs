//! Integration tests of the batch codec against its corpus of kept inputs
//! (`tests/corpus/`): property tests that mutate the corpus, and the differential test of the
//! pure-Rust zstd decoder against libzstd.

#![allow(clippy::unwrap_used)]

mod corpus_props;
mod zstd_differential;
