//! What a batcher posts next, decided from derivation's view of L1 alone.
//!
//! The Rollup's counters (`lastBatchBlock`, the batch count) are claims anyone can move through
//! the escape hatch, so a batcher that trusts them can be made to skip blocks forever or re-post
//! without end. [`BatchPlanner`] trusts only the derived safe head and the L1 block derivation has
//! processed: a batch is done once derivation made its blocks safe; it failed once derivation
//! has read past the L1 block that carried it and the blocks are still not safe (skipped as
//! garbage-adjacent, invalid, from the future, or reorganised away). Then everything from the
//! safe head is posted again. No temporary condition can leave a block behind.

use alloc::collections::VecDeque;

/// A batch posted and not yet derived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InFlight {
    /// First L2 block in it.
    pub first: u64,
    /// Last L2 block in it.
    pub last: u64,
    /// The L1 block its transaction landed in.
    pub l1_block: u64,
}

/// The batcher's memory of what it posted, reconciled with derivation on every step.
#[derive(Debug, Default, Clone)]
pub struct BatchPlanner {
    in_flight: VecDeque<InFlight>,
}

/// What [`BatchPlanner::next`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// The first block to post next.
    pub first: u64,
    /// Batches derivation read past without deriving them, forgotten by this call: their blocks
    /// are posted again from the safe head.
    pub failed: usize,
}

impl BatchPlanner {
    /// A planner with nothing in flight.
    pub fn new() -> Self {
        Self::default()
    }

    /// The batches posted and not yet derived, oldest first.
    pub fn in_flight(&self) -> impl Iterator<Item = &InFlight> {
        self.in_flight.iter()
    }

    /// Decides where the next batch starts, given the derived safe height and the last L1 block
    /// derivation processed. Read `l1_derived` before `safe`: derivation moves safe first.
    pub fn next(&mut self, safe: u64, l1_derived: u64) -> Plan {
        self.in_flight.retain(|b| b.last > safe);
        let failed = self.in_flight.iter().filter(|b| b.l1_block <= l1_derived).count();
        if failed > 0 {
            // A batch derivation has read past is not coming: neither can any batch after it,
            // which continues it. Start again from what L1 settled.
            self.in_flight.clear();
        }
        let first = self.in_flight.back().map_or(safe, |b| b.last.max(safe)) + 1;
        Plan { first, failed }
    }

    /// Records a batch that landed on L1.
    pub fn posted(&mut self, batch: InFlight) {
        self.in_flight.push_back(batch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(first: u64, last: u64, l1_block: u64) -> InFlight {
        InFlight { first, last, l1_block }
    }

    #[test]
    fn pipelines_while_batches_are_pending_and_forgets_derived_ones() {
        let mut p = BatchPlanner::new();
        assert_eq!(p.next(0, 10), Plan { first: 1, failed: 0 });
        p.posted(b(1, 5, 11));
        assert_eq!(p.next(0, 10).first, 6, "block 1..=5 are in flight");
        p.posted(b(6, 9, 12));
        assert_eq!(p.next(5, 11).first, 10, "the first batch is derived, the second pending");
        assert_eq!(p.in_flight().count(), 1);
        assert_eq!(p.next(9, 12), Plan { first: 10, failed: 0 });
        assert_eq!(p.in_flight().count(), 0);
    }

    #[test]
    fn a_batch_derivation_read_past_without_deriving_is_posted_again_from_safe() {
        let mut p = BatchPlanner::new();
        p.posted(b(1, 5, 11));
        p.posted(b(6, 9, 12));
        // L1 block 11 derived, safe still 0: skipped (e.g. behind a garbage batch's claim, or
        // from the future after a reorg). Everything after it is moot too.
        assert_eq!(p.next(0, 11), Plan { first: 1, failed: 1 });
        assert_eq!(p.in_flight().count(), 0);
        // Partly derived: blocks 1..=3 safe, the rest of the batch invalid.
        p.posted(b(1, 5, 13));
        assert_eq!(p.next(3, 13), Plan { first: 4, failed: 1 });
    }

    #[test]
    fn a_reorg_that_rewinds_derivation_waits_until_l1_passes_the_batch_again() {
        let mut p = BatchPlanner::new();
        p.posted(b(1, 5, 20));
        // Derivation rewound to L1 block 15 (the batch's block is gone, maybe to return).
        assert_eq!(p.next(0, 15).first, 6);
        // L1 grew past block 20 again without the batch: re-post.
        assert_eq!(p.next(0, 21), Plan { first: 1, failed: 1 });
    }

    #[test]
    fn safe_above_everything_in_flight_starts_after_safe() {
        let mut p = BatchPlanner::new();
        p.posted(b(1, 5, 11));
        // A forced block or someone else's batch made more blocks safe than were in flight.
        assert_eq!(p.next(7, 10).first, 8);
    }
}
