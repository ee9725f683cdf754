//! Snapshots and seeking: reaching step k of a long run without re-executing it from the start.
//!
//! A bisection game asks for the state at arbitrary steps of a trace of up to ~10^9 steps. A
//! [`Trace`] runs the guest once and keeps a snapshot every `interval` steps; [`Trace::seek`]
//! restores the nearest snapshot at or below k and runs forward at most `interval - 1` steps. A
//! snapshot shares the machine's pages (`Arc`), so taking one copies no page bytes: a page is
//! copied only when the running machine next writes it.

use std::sync::Arc;

use thiserror::Error;

use crate::{
    error::VmError,
    machine::Machine,
    memory::{Memory, PageData},
    state::State,
    syscall::Syscalls,
};

/// A machine's state at one step, sharing its pages.
#[derive(Clone)]
struct Snapshot {
    /// Everything but the memory (its `memory_root` field is not computed, and unused).
    core: State,
    pages: Vec<(u32, Arc<PageData>)>,
    page_limit: usize,
}

impl Snapshot {
    fn take(m: &Machine) -> Self {
        let memory = m.memory();
        Self { core: m.core_state(), pages: memory.shared_pages(), page_limit: memory.page_limit() }
    }

    fn restore(&self) -> Machine {
        Machine::from_parts(&self.core, Memory::from_shared_pages(&self.pages, self.page_limit))
    }
}

/// Why [`Trace::seek`] could not produce the machine at a step.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SeekError {
    /// The step is before the trace's first snapshot.
    #[error("step {step} is before the trace's start at {start}")]
    BeforeStart {
        /// The step asked for.
        step: u64,
        /// The trace's first step.
        start: u64,
    },
    /// The guest trapped before reaching the step.
    #[error(transparent)]
    Vm(#[from] VmError),
}

/// A recorded run: snapshots every `interval` steps.
pub struct Trace {
    interval: u64,
    snapshots: Vec<Snapshot>,
    last_step: u64,
}

impl std::fmt::Debug for Trace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Trace")
            .field("interval", &self.interval)
            .field("snapshots", &self.snapshots.len())
            .field("last_step", &self.last_step)
            .finish()
    }
}

impl Trace {
    /// Runs `machine` until it exits, traps or has run `max_steps`, keeping a snapshot of it
    /// every `interval` steps (at least 1) from its current step. `machine` is left at the end of
    /// the run. A trap ends the trace and is returned.
    pub fn record<S: Syscalls + ?Sized>(
        machine: &mut Machine,
        sys: &mut S,
        interval: u64,
        max_steps: u64,
    ) -> Result<Self, VmError> {
        let interval = interval.max(1);
        let mut snapshots = Vec::new();
        let mut left = max_steps;
        loop {
            snapshots.push(Snapshot::take(machine));
            let n = left.min(interval);
            for _ in 0..n {
                if machine.exit_code().is_some() {
                    break;
                }
                machine.step(sys)?;
            }
            left -= n;
            if machine.exit_code().is_some() || left == 0 {
                break;
            }
        }
        Ok(Self { interval, snapshots, last_step: machine.steps() })
    }

    /// The step the recording ended at.
    pub fn last_step(&self) -> u64 {
        self.last_step
    }

    /// Snapshots kept.
    pub fn snapshot_count(&self) -> usize {
        self.snapshots.len()
    }

    /// The machine after step `step` steps: the nearest snapshot, run forward. A step past the
    /// guest's exit gives the exited machine, as the state no longer changes.
    pub fn seek<S: Syscalls + ?Sized>(&self, step: u64, sys: &mut S) -> Result<Machine, SeekError> {
        let start = self.snapshots.first().map_or(0, |s| s.core.steps);
        if step < start {
            return Err(SeekError::BeforeStart { step, start });
        }
        let index = usize::try_from((step - start) / self.interval).unwrap_or(usize::MAX);
        let Some(snapshot) = self.snapshots.get(index).or(self.snapshots.last()) else {
            return Err(SeekError::BeforeStart { step, start });
        };
        let mut m = snapshot.restore();
        while m.steps() < step && m.exit_code().is_none() {
            m.step(sys)?;
        }
        Ok(m)
    }
}
