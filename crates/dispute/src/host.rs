//! The oracle a block's dispute runs on, gathered from the node and L1.
