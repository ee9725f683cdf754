//! Batch format version 0.
//!
//! ```text
//! batch = version: u8 (= 0) ‖ zstd frame of borsh(Vec<Block>)
//! ```
//!
//! Blocks are the chain's own canonical blocks (headers and entries with signatures), consecutive
//! in height, each the child of the one before. zstd finds the redundancy across them (repeated
//! addresses, chain ids, zero fields), which is what keeps bytes per transaction low on L1.
//!
//! Encoding uses libzstd (the `zstd` crate): its compressor is what sets bytes per transaction.
//! Decoding goes through `pillar-codec` (size limits, version, `ruzstd`), the no_std decoder the
//! fault-proof program runs too, so the node and the program agree on every malformed frame.

use alloc::string::String;
use alloc::string::ToString;
use alloc::vec::Vec;

use pillar_stf::{BLOCK_OVERHEAD_BYTES, Block, codec};

pub use pillar_codec::{BATCH_VERSION, FrameError, MAX_BATCH_BYTES, MAX_DECOMPRESSED_BYTES, PayloadError};

/// zstd level: 3 is zstd's default balance; batches are compressed once and read many times.
#[cfg(feature = "std")]
const ZSTD_LEVEL: i32 = 3;

/// Most bytes of entries (each entry's own encoding plus [`pillar_stf::ENTRY_OVERHEAD_BYTES`]) one block may
/// hold so that a batch of that block alone stays within `batch_limit` bytes whatever the entries
/// are, incompressible ones included. The sequencer caps every block by it, so no block can
/// outgrow the carrier it is posted on.
pub fn max_block_bytes(batch_limit: usize) -> usize {
    // The version byte, the list's length, one block's header, and zstd's worst case for input
    // it cannot compress: n + n/256 plus up to 64 bytes of frame (ZSTD_COMPRESSBOUND), rounded up.
    let room = batch_limit.saturating_sub(1 + 4 + BLOCK_OVERHEAD_BYTES + 128);
    room / 257 * 256
}

/// Why bytes are not a valid batch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    /// The bytes are not a batch payload: empty, over [`MAX_BATCH_BYTES`], an unknown version,
    /// or a zstd frame that breaks a rule of [`pillar_codec`] (corrupt, truncated, not exactly
    /// one frame, or larger than the decompression limit).
    #[error(transparent)]
    Payload(#[from] PayloadError),
    /// The payload is not borsh blocks.
    #[error("batch payload does not decode: {reason}")]
    Decode {
        /// Decoder message.
        reason: String,
    },
    /// No blocks.
    #[error("batch holds no blocks")]
    NoBlocks,
    /// Heights are not consecutive or a block is not the child of the one before.
    #[error("block {index} of the batch does not extend the one before it")]
    NotAChain {
        /// Position in the batch.
        index: usize,
    },
}

/// Encodes blocks (consecutive, each the child of the one before) as a version-0 batch (libzstd,
/// so `std` only).
#[cfg(feature = "std")]
pub fn encode_batch(blocks: &[Block]) -> Vec<u8> {
    // A slice encodes exactly as a Vec (u32 length, then the elements), without copying them.
    let payload = codec::encode(&blocks);
    let compressed = zstd::bulk::compress(&payload, ZSTD_LEVEL).expect("zstd compresses any input");
    let mut out = Vec::with_capacity(1 + compressed.len());
    out.push(BATCH_VERSION);
    out.extend_from_slice(&compressed);
    out
}

/// Decodes untrusted batch bytes.
pub fn decode_batch(bytes: &[u8]) -> Result<Vec<Block>, BatchError> {
    let payload = pillar_codec::batch_payload(bytes)?;
    let blocks: Vec<Block> = codec::decode(&payload, MAX_DECOMPRESSED_BYTES, "batch")
        .map_err(|e| BatchError::Decode { reason: e.to_string() })?;
    if blocks.is_empty() {
        return Err(BatchError::NoBlocks);
    }
    for (i, pair) in blocks.windows(2).enumerate() {
        let (parent, child) = (&pair[0].header, &pair[1].header);
        if child.height != parent.height + 1 || child.parent_hash != parent.hash() {
            return Err(BatchError::NotAChain { index: i + 1 });
        }
    }
    Ok(blocks)
}

#[cfg(test)]
mod tests {
    use pillar_assets::Transfer;
    use pillar_stf::{
        Address, B256, Call, ChainTx, ENTRY_OVERHEAD_BYTES, Header, L1Message, L1MessageKind, PrivateKey,
        Transaction,
    };
    use proptest::prelude::*;

    use super::*;

    fn chain(n: usize, txs_per_block: usize) -> Vec<Block> {
        let key = PrivateKey::from_bytes([5; 32]).unwrap();
        let mut parent = B256::ZERO;
        let mut nonce = 0;
        (0..n)
            .map(|i| {
                let mut transactions = vec![ChainTx::L1(L1Message {
                    index: i as u64,
                    l1_block: 10,
                    timestamp: 99,
                    sender: Address::repeat_byte(1),
                    kind: L1MessageKind::EthDeposit { recipient: key.address(), amount: 7 },
                })];
                for _ in 0..txs_per_block {
                    transactions.push(ChainTx::Signed(key.sign(Transaction {
                        chain_id: 901,
                        nonce,
                        max_fee: 10_000_000_000_000,
                        call: Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
                            to: Address::repeat_byte(9),
                            asset: 0,
                            amount: 1000,
                        })),
                    })));
                    nonce += 1;
                }
                let header = Header {
                    height: 1 + i as u64,
                    parent_hash: parent,
                    timestamp_ms: 1_700_000_000_000 + 50 * i as u64,
                    l1_origin: 10,
                    queue_index: 1 + i as u64,
                    queue_hash: B256::repeat_byte(3),
                    state_root: B256::repeat_byte(i as u8),
                    tx_root: B256::ZERO,
                    receipts_root: B256::ZERO,
                    withdrawals_root: B256::ZERO,
                    tx_count: transactions.len() as u32,
                };
                parent = header.hash();
                Block { header, transactions }
            })
            .collect()
    }

    #[test]
    fn round_trip_and_compression() {
        let blocks = chain(20, 50);
        let bytes = encode_batch(&blocks);
        assert_eq!(bytes[0], BATCH_VERSION);
        assert_eq!(decode_batch(&bytes).unwrap(), blocks);
        let raw = codec::encode(&blocks).len();
        assert!(bytes.len() < raw, "zstd must shrink repetitive blocks: {} vs {raw}", bytes.len());
    }

    #[test]
    fn refusals() {
        let blocks = chain(3, 1);
        let mut bytes = encode_batch(&blocks);
        assert_eq!(decode_batch(&[]), Err(BatchError::Payload(PayloadError::Empty)));
        assert!(matches!(
            decode_batch(&[7, 1, 2]),
            Err(BatchError::Payload(PayloadError::UnknownVersion { version: 7 }))
        ));
        assert!(matches!(decode_batch(&[0, 1, 2, 3]), Err(BatchError::Payload(PayloadError::Frame(_)))));
        assert!(matches!(
            decode_batch(&bytes[..bytes.len() / 2]),
            Err(BatchError::Payload(PayloadError::Frame(_)))
        ));
        assert!(matches!(
            decode_batch(&vec![0; MAX_BATCH_BYTES + 1]),
            Err(BatchError::Payload(PayloadError::TooLarge { .. }))
        ));
        assert_eq!(decode_batch(&encode_batch(&[])), Err(BatchError::NoBlocks));
        // Not a chain: swapped blocks.
        let swapped = vec![blocks[1].clone(), blocks[0].clone()];
        assert_eq!(decode_batch(&encode_batch(&swapped)), Err(BatchError::NotAChain { index: 1 }));
        // Valid zstd of garbage.
        let mut garbage = vec![BATCH_VERSION];
        garbage.extend(zstd::bulk::compress(&[0xff; 64], 3).unwrap());
        assert!(matches!(decode_batch(&garbage), Err(BatchError::Decode { .. })));
        // A compression bomb: 64 MiB of zeros compresses to a few KiB.
        let mut bomb = vec![BATCH_VERSION];
        bomb.extend(zstd::bulk::compress(&vec![0u8; 64 << 20], 19).unwrap());
        assert!(bomb.len() < MAX_BATCH_BYTES);
        assert!(matches!(decode_batch(&bomb), Err(BatchError::Payload(PayloadError::Frame(_)))));
        bytes.push(0);
        assert!(decode_batch(&bytes).is_err(), "trailing bytes after the frame");
    }

    /// A block filled to the budget with incompressible entries still fits the carrier: the
    /// calldata carrier (120 KiB) and six blobs.
    #[test]
    fn a_block_at_the_byte_budget_fits_its_batch_whatever_its_bytes() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut noise = |n: usize| -> Vec<u8> {
            (0..n)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    seed as u8
                })
                .collect()
        };
        for limit in [120 * 1024, 6 * 4096 * 31 - 32] {
            let budget = max_block_bytes(limit);
            let mut block = chain(1, 0).remove(0);
            block.transactions.clear();
            let mut used = 0;
            let mut index = 0;
            loop {
                let m = L1Message {
                    index,
                    l1_block: 1,
                    timestamp: 2,
                    sender: Address::repeat_byte(1),
                    kind: L1MessageKind::ForcedTx { tx: noise(4096) },
                };
                let cost = m.encoded_len() + ENTRY_OVERHEAD_BYTES;
                if used + cost > budget {
                    break;
                }
                used += cost;
                index += 1;
                block.transactions.push(ChainTx::L1(m));
            }
            let raw = codec::encode(&block).len();
            assert!(raw <= used + BLOCK_OVERHEAD_BYTES, "entry costs under-count: {raw} > {used}");
            let bytes = encode_batch(std::slice::from_ref(&block));
            assert!(bytes.len() <= limit, "{} bytes for a {limit}-byte carrier", bytes.len());
            assert!(used > budget - 5000, "the budget is nearly used: {used} of {budget}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Whatever bytes arrive, decoding returns, and never panics.
        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
            let _ = decode_batch(&bytes);
        }

        /// Flipping any byte of a valid batch gives an error or a different valid batch, never a
        /// panic.
        #[test]
        fn corrupted_batches_never_panic(pos in any::<prop::sample::Index>(), bit in 0u8..8) {
            let mut bytes = encode_batch(&chain(2, 2));
            let i = pos.index(bytes.len());
            bytes[i] ^= 1 << bit;
            let _ = decode_batch(&bytes);
        }
    }
}
