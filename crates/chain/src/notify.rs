//! Block notifications: every block that becomes durable, whoever made it (the producer, a
//! replica's import from L1 or from the sequencer's feed), is announced on the chain, so readers
//! (RPC subscriptions) subscribe to the chain and need no producer.

use std::sync::Arc;

use pillar_stf::{B256, Header, Receipt};
use tokio::sync::broadcast;

use crate::BlockTimings;

/// Notifications kept for a slow subscriber before it lags.
pub(crate) const CAPACITY: usize = 1024;

/// A transaction that will not be included, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropped {
    /// Its hash.
    pub hash: B256,
    /// Why.
    pub reason: String,
}

/// A durable block, announced to subscribers.
#[derive(Debug, Clone)]
pub struct BlockNotification {
    /// Header.
    pub header: Header,
    /// Block hash.
    pub hash: B256,
    /// Receipts in order.
    pub receipts: Vec<Receipt>,
    /// Transactions that will not be included.
    pub dropped: Vec<Dropped>,
    /// Where the block's time went.
    pub timings: BlockTimings,
}

impl BlockNotification {
    /// A block imported from elsewhere: no dropped transactions, no timings.
    pub fn imported(header: &Header, receipts: Vec<Receipt>) -> Self {
        Self {
            header: header.clone(),
            hash: header.hash(),
            receipts,
            dropped: Vec::new(),
            timings: BlockTimings::default(),
        }
    }
}

/// The sending side, held by the chain.
pub(crate) type Notifier = broadcast::Sender<Arc<BlockNotification>>;
