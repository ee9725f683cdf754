//! The `agents` module (work in progress).
