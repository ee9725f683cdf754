//! Fitting a block to the batch that will carry it to L1.
//!
//! Up to `max_block_bytes` of entries, a block fits its carrier whatever the entries are (zstd's
//! worst case, `pillar_derive::max_block_bytes`). Typical traffic compresses well past that
//! (transfers to about 80% of their size, session transactions further), so capping every block
//! at the worst case would cut throughput by a third for nothing. Past the worst-case budget the
//! producer instead measures the candidate block exactly as the batcher will encode it, alone in a
//! batch, and keeps the longest prefix of its transactions that fits: an attacker's
//! incompressible transactions still make small blocks, never one no batch can carry.

use pillar_stf::{B256, Block, ChainTx, ENTRY_OVERHEAD_BYTES, Header, L1Message, VerifiedTransaction};

/// Room left in the batch for the real header's values (the candidate's are zeros, which
/// compress better) and zstd's frame.
const HEADER_SLACK: usize = 1024;

/// How many of `txs` (a prefix) a block that also consumes `l1` may carry: all of them when their
/// entries stay within `worst_case_budget` bytes, else as many as keep the block, compressed as the
/// batcher compresses it, within `max_batch_bytes`.
pub(crate) fn fitting_txs(
    l1: &[L1Message],
    txs: &[VerifiedTransaction],
    worst_case_budget: usize,
    max_batch_bytes: usize,
) -> usize {
    let cost = |t: &VerifiedTransaction| t.size + ENTRY_OVERHEAD_BYTES;
    let l1_bytes: usize = l1.iter().map(|m| m.encoded_len() + ENTRY_OVERHEAD_BYTES).sum();
    // Within the worst case: fits whatever the bytes.
    let mut used = l1_bytes;
    let guaranteed = txs
        .iter()
        .take_while(|t| {
            used += cost(t);
            used <= worst_case_budget
        })
        .count();
    if guaranteed == txs.len() {
        return guaranteed;
    }
    let limit = max_batch_bytes.saturating_sub(HEADER_SLACK);
    let mut n = txs.len();
    // Scale by the measured ratio, a little under, and measure again; a few rounds at most.
    for _ in 0..4 {
        let size = batch_size(l1, &txs[..n]);
        if size <= limit {
            return n;
        }
        let scaled = (n as u128 * limit as u128 * 97 / (size as u128 * 100)) as usize;
        if scaled <= guaranteed {
            break;
        }
        n = scaled.min(n - 1);
    }
    guaranteed
}

/// Bytes of a batch holding just a block with these entries.
fn batch_size(l1: &[L1Message], txs: &[VerifiedTransaction]) -> usize {
    let mut transactions = Vec::with_capacity(l1.len() + txs.len());
    transactions.extend(l1.iter().cloned().map(ChainTx::L1));
    transactions.extend(txs.iter().map(|t| ChainTx::Signed(t.tx.clone())));
    let header = Header {
        height: 0,
        parent_hash: B256::ZERO,
        timestamp_ms: 0,
        l1_origin: 0,
        queue_index: 0,
        queue_hash: B256::ZERO,
        state_root: B256::ZERO,
        tx_root: B256::ZERO,
        receipts_root: B256::ZERO,
        withdrawals_root: B256::ZERO,
        tx_count: 0,
    };
    pillar_derive::encode_batch(&[Block { header, transactions }]).len()
}

#[cfg(test)]
mod tests {
    use pillar_assets::Transfer;
    use pillar_stf::{Address, Call, PrivateKey, Transaction};

    use super::*;

    fn transfer(k: u8, nonce: u64) -> VerifiedTransaction {
        PrivateKey::from_bytes([k; 32])
            .unwrap()
            .sign(Transaction {
                chain_id: 1,
                nonce,
                max_fee: 1,
                call: Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
                    to: Address::repeat_byte(k),
                    asset: 0,
                    amount: 1,
                })),
            })
            .verify()
            .unwrap()
    }

    /// A transfer of a random amount to a random address: little for zstd to find.
    fn noisy(nonce: u64, seed: &mut u64) -> VerifiedTransaction {
        let mut next = || {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            *seed
        };
        let mut to = [0u8; 20];
        to.iter_mut().for_each(|b| *b = next() as u8);
        let amount = u128::from(next()) << 64 | u128::from(next());
        PrivateKey::from_bytes([7; 32])
            .unwrap()
            .sign(Transaction {
                chain_id: 1,
                nonce,
                max_fee: u128::from(next()),
                call: Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
                    to: Address::from(to),
                    asset: next() as u32,
                    amount,
                })),
            })
            .verify()
            .unwrap()
    }

    #[test]
    fn compressible_blocks_grow_past_the_worst_case_and_still_fit() {
        let txs: Vec<_> = (0..4000).map(|i| transfer(1 + (i % 50) as u8, i / 50)).collect();
        let raw: usize = txs.iter().map(|t| t.size + ENTRY_OVERHEAD_BYTES).sum();
        let (budget, limit) = (raw / 3, raw / 2);
        let n = fitting_txs(&[], &txs, budget, limit);
        let within_budget = budget / (txs[0].size + ENTRY_OVERHEAD_BYTES);
        assert!(n > within_budget, "{n} transfers, the worst case allows {within_budget}");
        assert!(batch_size(&[], &txs[..n]) + HEADER_SLACK <= limit);
    }

    #[test]
    fn incompressible_blocks_stop_at_the_carrier() {
        let mut seed = 0x2545_f491_4f6c_dd1d;
        let txs: Vec<_> = (0..2000).map(|i| noisy(i, &mut seed)).collect();
        let limit = 64 * 1024;
        let budget = pillar_derive::max_block_bytes(limit);
        let n = fitting_txs(&[], &txs, budget, limit);
        assert!(n < txs.len());
        assert!(batch_size(&[], &txs[..n]) <= limit, "{} bytes", batch_size(&[], &txs[..n]));
    }

    #[test]
    fn everything_within_the_worst_case_is_taken_without_measuring() {
        let txs: Vec<_> = (0..10).map(|i| transfer(1, i)).collect();
        assert_eq!(fitting_txs(&[], &txs, usize::MAX, 0), 10);
    }
}
