//! The guest's memory: the whole 32-bit address space, little-endian, in 4 KiB pages that exist
//! only once written.
//!
//! Every address is valid. A page never written reads as zeros and costs nothing, so a guest's
//! 96 MiB `.bss` arena or a stack far from its code takes memory only where it is touched. Pages
//! are the unit a later slice's Merkle tree commits to (a page is 128 leaves of 32 bytes), which is
//! why the page table is indexed by page number and can be walked in address order.
//!
//! Misaligned loads and stores are allowed and behave as the same bytes accessed one at a time,
//! wrapping from `0xffff_ffff` to `0`: that is what `qemu-riscv32` does in user mode (Linux traps
//! and emulates them on hardware that lacks them), so a guest run under qemu and here sees the
//! same values. Only instruction fetch requires alignment (see [`crate::Machine`]).

use std::sync::Arc;

use thiserror::Error;

use crate::merkle::{self, Hash};

/// log2 of [`PAGE_SIZE`].
pub const PAGE_BITS: u32 = 12;
/// Bytes per page.
pub const PAGE_SIZE: usize = 1 << PAGE_BITS;
/// Pages in the 32-bit address space.
pub const PAGE_COUNT: usize = 1 << (32 - PAGE_BITS);

/// One page of memory.
pub type Page = [u8; PAGE_SIZE];

/// A page with its Merkle root once computed. Pages are shared between a machine and its
/// snapshots (`Arc`), and a write goes through [`Arc::make_mut`], so a shared page is copied
/// before it changes; the cached root travels with the bytes it was computed from, which is why
/// it can be kept in the shared page and is cleared by every write.
#[derive(Clone)]
pub(crate) struct PageData {
    bytes: Page,
    root: Option<Hash>,
}

/// Why a store could not be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum MemoryError {
    /// The store needs a new page and the memory already holds its limit.
    #[error("writing {addr:#010x} needs a page beyond the limit of {limit} pages")]
    PageLimit {
        /// The first address of the store that needed the page.
        addr: u32,
        /// The page limit ([`Memory::set_page_limit`]).
        limit: usize,
    },
}

/// Sparse paged memory over the 32-bit address space.
pub struct Memory {
    /// Indexed by page number (`addr >> PAGE_BITS`); a fixed-size array so the index needs no
    /// bounds check, at 8 MiB of pointers per machine.
    pages: Box<[Option<Arc<PageData>>; PAGE_COUNT]>,
    /// The numbers of the written pages, so committing and snapshotting visit those pages only
    /// instead of the million slots of the table. Updated only when a page is allocated.
    written: std::collections::BTreeSet<u32>,
    /// Pages whose cached root a write cleared since the last commitment (or never hashed).
    dirty: Vec<u32>,
    /// The tree above the pages as of the last commitment.
    upper: merkle::UpperTree,
    allocated: usize,
    limit: usize,
}

impl Default for Memory {
    fn default() -> Self {
        Self::new()
    }
}

/// A clone shares the pages, copy-on-write. Written by hand because a derived clone of the boxed
/// table would build its 8 MiB on the stack first.
impl Clone for Memory {
    fn clone(&self) -> Self {
        let mut m = Self::from_shared_pages(&self.shared_pages(), self.limit);
        m.dirty.clone_from(&self.dirty);
        m.upper = self.upper.clone();
        m
    }
}

impl std::fmt::Debug for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memory").field("pages", &self.allocated).field("limit", &self.limit).finish()
    }
}

impl Memory {
    /// Empty memory (all zeros) that may grow to the whole address space.
    pub fn new() -> Self {
        let table: Box<[Option<Arc<PageData>>]> = std::iter::repeat_with(|| None).take(PAGE_COUNT).collect();
        let pages = match table.try_into() {
            Ok(pages) => pages,
            // The iterator yields exactly PAGE_COUNT entries.
            Err(_) => unreachable!("page table of PAGE_COUNT entries"),
        };
        Self {
            pages,
            written: Default::default(),
            dirty: Vec::new(),
            upper: Default::default(),
            allocated: 0,
            limit: PAGE_COUNT,
        }
    }

    /// Caps the pages this memory may hold; a store that needs one more fails with
    /// [`MemoryError::PageLimit`]. Bounds what a runaway guest can make the host allocate.
    pub fn set_page_limit(&mut self, limit: usize) {
        self.limit = limit;
    }

    /// Pages written so far.
    pub fn page_count(&self) -> usize {
        self.allocated
    }

    /// The page holding `addr`, if it has been written.
    pub fn page(&self, addr: u32) -> Option<&Page> {
        self.pages[(addr >> PAGE_BITS) as usize].as_deref().map(|p| &p.bytes)
    }

    /// The written pages in address order, with their first address.
    pub fn pages(&self) -> impl Iterator<Item = (u32, &Page)> {
        self.written
            .iter()
            .filter_map(|&n| self.pages[n as usize].as_deref().map(|p| (n << PAGE_BITS, &p.bytes)))
    }

    /// The written pages as shared handles, for a snapshot: cloning them copies no bytes.
    pub(crate) fn shared_pages(&self) -> Vec<(u32, Arc<PageData>)> {
        self.written
            .iter()
            .filter_map(|&n| self.pages[n as usize].as_ref().map(|p| (n, Arc::clone(p))))
            .collect()
    }

    /// Memory holding exactly `pages` (page number and page), as [`Memory::shared_pages`] returned.
    pub(crate) fn from_shared_pages(pages: &[(u32, Arc<PageData>)], limit: usize) -> Self {
        let mut m = Self::new();
        for (n, p) in pages {
            let n = *n & (PAGE_COUNT as u32 - 1);
            m.pages[n as usize] = Some(Arc::clone(p));
            m.written.insert(n);
        }
        // No tree above the pages yet: every page is hashed into it at the first commitment
        // (from its cached root, if it has one).
        m.dirty = m.written.iter().copied().collect();
        m.allocated = m.written.len();
        m.limit = limit;
        m
    }

    /// The page limit ([`Memory::set_page_limit`]).
    pub fn page_limit(&self) -> usize {
        self.limit
    }

    /// The Merkle root of the whole address space (docs/fault-proofs.md, "The memory tree").
    /// Only the pages written since the last commitment are rehashed, with their paths above.
    pub fn memory_root(&mut self) -> Hash {
        let mut dirty = std::mem::take(&mut self.dirty);
        dirty.sort_unstable();
        dirty.dedup();
        let mut changed = Vec::with_capacity(dirty.len());
        for n in dirty {
            let Some(page) = &mut self.pages[n as usize] else { continue };
            let root = match page.root {
                Some(root) => root,
                None => {
                    // Usually unique already (it was just written); shared only if a snapshot was
                    // taken since, and then the copy is what keeps the snapshot's page intact.
                    let page = Arc::make_mut(page);
                    let root = merkle::page_root(&page.bytes);
                    page.root = Some(root);
                    root
                }
            };
            changed.push((n, root));
        }
        self.upper.update(&changed);
        self.upper.root()
    }

    /// The 32-byte leaf holding `addr`, with its sibling path from the leaf's level up
    /// ([`merkle::LEAF_DEPTH`] hashes), against [`Memory::memory_root`].
    pub fn prove_leaf(&mut self, addr: u32) -> merkle::LeafProof {
        self.memory_root();
        self.prove_leaf_committed(addr)
    }

    /// [`Memory::prove_leaf`] right after [`Memory::memory_root`], with no write between.
    pub(crate) fn prove_leaf_committed(&self, addr: u32) -> merkle::LeafProof {
        let page_no = addr >> PAGE_BITS;
        let leaf_in_page = ((addr as usize) & (PAGE_SIZE - 1)) >> merkle::LEAF_BITS;
        let mut siblings = Vec::with_capacity(merkle::LEAF_DEPTH);
        match self.page(addr) {
            Some(bytes) => siblings.extend(merkle::page_path(bytes, leaf_in_page)),
            None => siblings.extend((0..merkle::PAGE_DEPTH).map(merkle::zero_hash)),
        }
        siblings.extend(self.upper.path(page_no));
        let mut leaf = [0; 32];
        if let Some(bytes) = self.page(addr) {
            let off = leaf_in_page << merkle::LEAF_BITS;
            leaf.copy_from_slice(&bytes[off..off + merkle::LEAF_SIZE]);
        }
        let siblings = match siblings.try_into() {
            Ok(s) => s,
            // PAGE_DEPTH + UPPER_DEPTH = LEAF_DEPTH entries by construction.
            Err(_) => unreachable!("a path of LEAF_DEPTH siblings"),
        };
        merkle::LeafProof { leaf, siblings }
    }

    #[inline]
    fn page_mut(&mut self, addr: u32) -> Result<&mut Page, MemoryError> {
        let slot = &mut self.pages[(addr >> PAGE_BITS) as usize];
        if slot.is_none() {
            if self.allocated >= self.limit {
                return Err(MemoryError::PageLimit { addr, limit: self.limit });
            }
            self.allocated += 1;
            self.written.insert(addr >> PAGE_BITS);
            self.dirty.push(addr >> PAGE_BITS);
        }
        let page = Arc::make_mut(
            slot.get_or_insert_with(|| Arc::new(PageData { bytes: [0; PAGE_SIZE], root: None })),
        );
        // Only the first write after a commitment records the page; later ones find it dirty.
        if page.root.take().is_some() {
            self.dirty.push(addr >> PAGE_BITS);
        }
        Ok(&mut page.bytes)
    }

    /// The byte at `addr`.
    #[inline]
    pub fn load_u8(&self, addr: u32) -> u8 {
        match self.page(addr) {
            Some(p) => p[(addr as usize) & (PAGE_SIZE - 1)],
            None => 0,
        }
    }

    /// The little-endian halfword at `addr` (any alignment).
    #[inline]
    pub fn load_u16(&self, addr: u32) -> u16 {
        let off = (addr as usize) & (PAGE_SIZE - 1);
        if off <= PAGE_SIZE - 2 {
            return match self.page(addr) {
                Some(p) => u16::from_le_bytes([p[off], p[off + 1]]),
                None => 0,
            };
        }
        u16::from_le_bytes([self.load_u8(addr), self.load_u8(addr.wrapping_add(1))])
    }

    /// The little-endian word at `addr` (any alignment).
    #[inline]
    pub fn load_u32(&self, addr: u32) -> u32 {
        let off = (addr as usize) & (PAGE_SIZE - 1);
        if off <= PAGE_SIZE - 4 {
            return match self.page(addr) {
                Some(p) => u32::from_le_bytes([p[off], p[off + 1], p[off + 2], p[off + 3]]),
                None => 0,
            };
        }
        u32::from_le_bytes(std::array::from_fn(|i| self.load_u8(addr.wrapping_add(i as u32))))
    }

    /// Writes the byte at `addr`.
    #[inline]
    pub fn store_u8(&mut self, addr: u32, value: u8) -> Result<(), MemoryError> {
        self.page_mut(addr)?[(addr as usize) & (PAGE_SIZE - 1)] = value;
        Ok(())
    }

    /// Writes the little-endian halfword at `addr` (any alignment).
    #[inline]
    pub fn store_u16(&mut self, addr: u32, value: u16) -> Result<(), MemoryError> {
        self.store_le(addr, &value.to_le_bytes())
    }

    /// Writes the little-endian word at `addr` (any alignment).
    #[inline]
    pub fn store_u32(&mut self, addr: u32, value: u32) -> Result<(), MemoryError> {
        self.store_le(addr, &value.to_le_bytes())
    }

    #[inline]
    fn store_le<const N: usize>(&mut self, addr: u32, bytes: &[u8; N]) -> Result<(), MemoryError> {
        let off = (addr as usize) & (PAGE_SIZE - 1);
        if off <= PAGE_SIZE - N {
            self.page_mut(addr)?[off..off + N].copy_from_slice(bytes);
            return Ok(());
        }
        // Crossing a page (or the top of the address space): both pages must fit the limit before
        // either is allocated, so a failed store changes nothing, not even the page count.
        let last = addr.wrapping_add(N as u32 - 1);
        let new_pages = usize::from(self.page(addr).is_none()) + usize::from(self.page(last).is_none());
        if self.allocated + new_pages > self.limit {
            return Err(MemoryError::PageLimit { addr, limit: self.limit });
        }
        for (i, b) in bytes.iter().enumerate() {
            self.store_u8(addr.wrapping_add(i as u32), *b)?;
        }
        Ok(())
    }

    /// Copies `len` bytes from `addr` (wrapping at the top of the address space).
    pub fn read(&self, addr: u32, len: usize) -> Vec<u8> {
        (0..len).map(|i| self.load_u8(addr.wrapping_add(i as u32))).collect()
    }

    /// Writes `bytes` from `addr` on (wrapping at the top of the address space).
    pub fn write(&mut self, addr: u32, bytes: &[u8]) -> Result<(), MemoryError> {
        let mut at = addr;
        let mut rest = bytes;
        while !rest.is_empty() {
            let off = (at as usize) & (PAGE_SIZE - 1);
            let n = rest.len().min(PAGE_SIZE - off);
            self.page_mut(at)?[off..off + n].copy_from_slice(&rest[..n]);
            rest = &rest[n..];
            at = at.wrapping_add(n as u32);
        }
        Ok(())
    }

    /// Zeroes `len` bytes from `addr`. Pages never written are zero already and stay unallocated,
    /// so zeroing a large `.bss` costs nothing.
    pub fn zero(&mut self, addr: u32, len: u64) {
        let mut at = u64::from(addr);
        let end = at + len;
        while at < end {
            let page_end = (at | (PAGE_SIZE as u64 - 1)) + 1;
            let stop = end.min(page_end);
            let a = at as u32;
            if let Some(p) = self.pages[(a >> PAGE_BITS) as usize].as_mut() {
                let p = Arc::make_mut(p);
                if p.root.take().is_some() {
                    self.dirty.push(a >> PAGE_BITS);
                }
                let off = (a as usize) & (PAGE_SIZE - 1);
                p.bytes[off..off + (stop - at) as usize].fill(0);
            }
            at = stop;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unwritten_memory_reads_zero_and_allocates_nothing() {
        let m = Memory::new();
        assert_eq!(m.load_u32(0x1234_5678), 0);
        assert_eq!(m.load_u32(0xffff_fffe), 0);
        assert_eq!(m.page_count(), 0);
    }

    #[test]
    fn little_endian_and_misaligned_across_pages() {
        let mut m = Memory::new();
        m.store_u32(0x1ffe, 0x4433_2211).unwrap();
        assert_eq!(m.load_u8(0x1ffe), 0x11);
        assert_eq!(m.load_u8(0x2001), 0x44);
        assert_eq!(m.load_u16(0x1fff), 0x3322);
        assert_eq!(m.load_u32(0x1ffe), 0x4433_2211);
        assert_eq!(m.page_count(), 2);
    }

    #[test]
    fn accesses_wrap_at_the_top_of_the_address_space() {
        let mut m = Memory::new();
        m.store_u32(0xffff_fffe, 0xaabb_ccdd).unwrap();
        assert_eq!(m.load_u16(0xffff_fffe), 0xccdd);
        assert_eq!(m.load_u16(0), 0xaabb);
        assert_eq!(m.load_u32(0xffff_fffe), 0xaabb_ccdd);
    }

    #[test]
    fn page_limit_refuses_new_pages_and_leaves_memory_unchanged() {
        let mut m = Memory::new();
        m.set_page_limit(2);
        m.store_u8(0x1fff, 7).unwrap();
        m.store_u8(0x9000, 1).unwrap();
        assert_eq!(m.store_u32(0x1ffe, 0xffff_ffff), Err(MemoryError::PageLimit { addr: 0x1ffe, limit: 2 }));
        assert_eq!(m.load_u8(0x1ffe), 0);
        assert_eq!(m.load_u8(0x1fff), 7);
        assert_eq!(m.page_count(), 2);
        // Both pages new, one allowed: the first is not allocated either.
        m.set_page_limit(3);
        assert!(m.store_u16(0x4fff, 0xffff).is_err());
        assert_eq!(m.page_count(), 2);
    }

    #[test]
    fn clones_share_pages_until_written() {
        let mut a = Memory::new();
        a.store_u32(0x1000, 1).unwrap();
        let root = a.memory_root();
        let mut b = a.clone();
        b.store_u32(0x1000, 2).unwrap();
        assert_eq!((a.load_u32(0x1000), b.load_u32(0x1000)), (1, 2));
        assert_eq!(a.memory_root(), root);
        assert_ne!(b.memory_root(), root);
        assert_eq!(b.page_count(), 1);
    }

    #[test]
    fn zero_clears_written_pages_only() {
        let mut m = Memory::new();
        m.write(0x0ffc, &[1; 8]).unwrap();
        m.zero(0x0ffe, 0x1000_0000);
        assert_eq!(m.read(0x0ffc, 8), [1, 1, 0, 0, 0, 0, 0, 0]);
        assert_eq!(m.page_count(), 2);
    }
}
