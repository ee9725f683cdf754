//! The `items` module (work in progress).
