//! The ledger: blocks, transactions and receipts (with their events) in redb.
//!
//! A block and everything in it is written in one redb transaction with immediate durability, so
//! after a crash a block is either wholly there or not at all. Keys are chosen so appends are
//! sequential: transactions and receipts by `(height, index)`, plus a hash index.

use std::path::Path;

use borsh::BorshDeserialize;
use pillar_stf::B256;
use pillar_stf::{Block, ChainTx, Header, Receipt, codec};
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};

const HEADERS: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("headers");
const BLOCK_HASHES: TableDefinition<'_, &[u8; 32], u64> = TableDefinition::new("block_hashes");
const TXS: TableDefinition<'_, (u64, u32), &[u8]> = TableDefinition::new("txs");
const RECEIPTS: TableDefinition<'_, (u64, u32), &[u8]> = TableDefinition::new("receipts");
const TX_INDEX: TableDefinition<'_, &[u8; 32], (u64, u32)> = TableDefinition::new("tx_index");
const META: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("meta");
/// The witness recorder's records by height (`crate::witness_log`): opaque bytes here.
const WITNESSES: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("witnesses");

/// Where a transaction sits in the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TxLocation {
    /// Block height.
    pub height: u64,
    /// Index in the block.
    pub index: u32,
}

/// A ledger failure.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// redb reported a failure.
    #[error("ledger storage failure during {op}: {reason}")]
    Storage {
        /// What was being done.
        op: &'static str,
        /// redb's message.
        reason: String,
    },
    /// A stored record does not decode.
    #[error("ledger record {what} is corrupt: {reason}")]
    Corrupt {
        /// Which record.
        what: String,
        /// Decoder message.
        reason: String,
    },
    /// A block was appended out of order.
    #[error("block {got} does not extend the ledger head {head:?}")]
    NotNext {
        /// Height offered.
        got: u64,
        /// Current head height.
        head: Option<u64>,
    },
}

fn storage<E: std::fmt::Display>(op: &'static str) -> impl FnOnce(E) -> LedgerError {
    move |e| LedgerError::Storage { op, reason: e.to_string() }
}

fn decode<T: BorshDeserialize>(bytes: &[u8], what: impl Into<String>) -> Result<T, LedgerError> {
    codec::decode(bytes, usize::MAX, "ledger record")
        .map_err(|e| LedgerError::Corrupt { what: what.into(), reason: e.to_string() })
}

/// The ledger store.
pub struct Ledger {
    db: Database,
}

impl Ledger {
    /// Opens (or creates) the ledger file.
    pub fn open(path: &Path) -> Result<Self, LedgerError> {
        let db = Database::create(path).map_err(storage("open"))?;
        // Create every table up front so readers never meet a missing one.
        let w = db.begin_write().map_err(storage("open"))?;
        {
            w.open_table(HEADERS).map_err(storage("open"))?;
            w.open_table(BLOCK_HASHES).map_err(storage("open"))?;
            w.open_table(TXS).map_err(storage("open"))?;
            w.open_table(RECEIPTS).map_err(storage("open"))?;
            w.open_table(TX_INDEX).map_err(storage("open"))?;
            w.open_table(META).map_err(storage("open"))?;
            w.open_table(WITNESSES).map_err(storage("open"))?;
        }
        w.commit().map_err(storage("open"))?;
        Ok(Self { db })
    }

    /// Appends a block with its transaction hashes and receipts, and with the witness recorder
    /// on, the witness record of its height, durably and in one transaction (a block the ledger
    /// holds never lacks its witness).
    pub fn append(
        &self,
        block: &Block,
        tx_hashes: &[B256],
        receipts: &[Receipt],
        witness: Option<&[u8]>,
    ) -> Result<(), LedgerError> {
        let height = block.header.height;
        let head = self.head_height()?;
        let expected = head.map_or(0, |h| h + 1);
        if height != expected {
            return Err(LedgerError::NotNext { got: height, head });
        }
        let w = self.db.begin_write().map_err(storage("append"))?;
        {
            let mut headers = w.open_table(HEADERS).map_err(storage("append"))?;
            headers.insert(height, codec::encode(&block.header).as_slice()).map_err(storage("append"))?;
            let mut hashes = w.open_table(BLOCK_HASHES).map_err(storage("append"))?;
            hashes.insert(&block.header.hash().0, height).map_err(storage("append"))?;
            let mut txs = w.open_table(TXS).map_err(storage("append"))?;
            let mut rcpts = w.open_table(RECEIPTS).map_err(storage("append"))?;
            let mut index = w.open_table(TX_INDEX).map_err(storage("append"))?;
            for (i, ((tx, hash), receipt)) in
                block.transactions.iter().zip(tx_hashes).zip(receipts).enumerate()
            {
                let key = (height, i as u32);
                txs.insert(key, codec::encode(tx).as_slice()).map_err(storage("append"))?;
                rcpts.insert(key, codec::encode(receipt).as_slice()).map_err(storage("append"))?;
                index.insert(&hash.0, key).map_err(storage("append"))?;
                // An L1 message is also found by its message hash (a forced transaction's
                // receipt carries the L2 transaction's hash instead).
                if let ChainTx::L1(m) = tx {
                    let msg_hash = m.hash();
                    if msg_hash != *hash {
                        index.insert(&msg_hash.0, key).map_err(storage("append"))?;
                    }
                }
            }
            if let Some(record) = witness {
                w.open_table(WITNESSES)
                    .map_err(storage("append"))?
                    .insert(height, record)
                    .map_err(storage("append"))?;
            }
        }
        w.commit().map_err(storage("commit"))?;
        Ok(())
    }

    /// Removes every block above `height` (with its transactions, receipts and index entries)
    /// and the meta entry `clear_meta`, in one durable transaction: a chain rolling back after
    /// an L1 reorg or a reconciled soft block.
    pub fn truncate_above(&self, height: u64, clear_meta: Option<&str>) -> Result<(), LedgerError> {
        let Some(head) = self.head_height()? else { return Ok(()) };
        let w = self.db.begin_write().map_err(storage("truncate"))?;
        {
            let mut headers = w.open_table(HEADERS).map_err(storage("truncate"))?;
            let mut hashes = w.open_table(BLOCK_HASHES).map_err(storage("truncate"))?;
            let mut txs = w.open_table(TXS).map_err(storage("truncate"))?;
            let mut rcpts = w.open_table(RECEIPTS).map_err(storage("truncate"))?;
            let mut index = w.open_table(TX_INDEX).map_err(storage("truncate"))?;
            for h in (height + 1..=head).rev() {
                if let Some(v) = headers.remove(h).map_err(storage("truncate"))? {
                    let header: Header = decode(v.value(), format!("header {h}"))?;
                    hashes.remove(&header.hash().0).map_err(storage("truncate"))?;
                }
                let keys: Vec<((u64, u32), Vec<u8>)> = txs
                    .range((h, 0)..=(h, u32::MAX))
                    .map_err(storage("truncate"))?
                    .map(|e| e.map(|(k, v)| (k.value(), v.value().to_vec())))
                    .collect::<Result<_, _>>()
                    .map_err(storage("truncate"))?;
                for (key, bytes) in keys {
                    let tx: ChainTx = decode(&bytes, format!("tx {}/{}", key.0, key.1))?;
                    if let Some(r) = rcpts.remove(key).map_err(storage("truncate"))? {
                        let receipt: Receipt = decode(r.value(), format!("receipt {}/{}", key.0, key.1))?;
                        index.remove(&receipt.tx_hash.0).map_err(storage("truncate"))?;
                    }
                    if let ChainTx::L1(m) = &tx {
                        index.remove(&m.hash().0).map_err(storage("truncate"))?;
                    }
                    txs.remove(key).map_err(storage("truncate"))?;
                }
            }
            if let Some(key) = clear_meta {
                w.open_table(META).map_err(storage("truncate"))?.remove(key).map_err(storage("truncate"))?;
            }
        }
        w.commit().map_err(storage("truncate"))?;
        Ok(())
    }

    /// Stores a small named value (for example the genesis fingerprint), durably.
    pub fn set_meta(&self, key: &str, value: &[u8]) -> Result<(), LedgerError> {
        let w = self.db.begin_write().map_err(storage("meta"))?;
        w.open_table(META).map_err(storage("meta"))?.insert(key, value).map_err(storage("meta"))?;
        w.commit().map_err(storage("meta"))
    }

    /// Stores the witness record of `height` on its own, durably (an execution that made no block).
    pub fn put_witness(&self, height: u64, record: &[u8]) -> Result<(), LedgerError> {
        let w = self.db.begin_write().map_err(storage("witness"))?;
        w.open_table(WITNESSES)
            .map_err(storage("witness"))?
            .insert(height, record)
            .map_err(storage("witness"))?;
        w.commit().map_err(storage("witness"))
    }

    /// The witness record of `height`.
    pub fn witness(&self, height: u64) -> Result<Option<Vec<u8>>, LedgerError> {
        let r = self.db.begin_read().map_err(storage("witness"))?;
        let t = r.open_table(WITNESSES).map_err(storage("witness"))?;
        Ok(t.get(height).map_err(storage("witness"))?.map(|v| v.value().to_vec()))
    }

    /// Removes the witness records of heights up to `height`, durably.
    pub fn prune_witnesses_through(&self, height: u64) -> Result<(), LedgerError> {
        let w = self.db.begin_write().map_err(storage("prune witnesses"))?;
        w.open_table(WITNESSES)
            .map_err(storage("prune witnesses"))?
            .retain_in(..=height, |_, _| false)
            .map_err(storage("prune witnesses"))?;
        w.commit().map_err(storage("prune witnesses"))
    }

    /// Witness records held, and their bytes.
    pub fn witness_totals(&self) -> Result<(usize, usize), LedgerError> {
        let r = self.db.begin_read().map_err(storage("witness"))?;
        let t = r.open_table(WITNESSES).map_err(storage("witness"))?;
        let mut totals = (0, 0);
        for entry in t.iter().map_err(storage("witness"))? {
            let (_, v) = entry.map_err(storage("witness"))?;
            totals = (totals.0 + 1, totals.1 + v.value().len());
        }
        Ok(totals)
    }

    /// Reads a named value.
    pub fn meta(&self, key: &str) -> Result<Option<Vec<u8>>, LedgerError> {
        let r = self.db.begin_read().map_err(storage("meta"))?;
        let t = r.open_table(META).map_err(storage("meta"))?;
        Ok(t.get(key).map_err(storage("meta"))?.map(|v| v.value().to_vec()))
    }

    /// Height of the newest block, if any.
    pub fn head_height(&self) -> Result<Option<u64>, LedgerError> {
        let r = self.db.begin_read().map_err(storage("read"))?;
        let t = r.open_table(HEADERS).map_err(storage("read"))?;
        Ok(t.last().map_err(storage("read"))?.map(|(k, _)| k.value()))
    }

    /// The newest header, if any.
    pub fn head(&self) -> Result<Option<Header>, LedgerError> {
        match self.head_height()? {
            Some(h) => self.header(h),
            None => Ok(None),
        }
    }

    /// The header at `height`.
    pub fn header(&self, height: u64) -> Result<Option<Header>, LedgerError> {
        let r = self.db.begin_read().map_err(storage("read"))?;
        let t = r.open_table(HEADERS).map_err(storage("read"))?;
        t.get(height)
            .map_err(storage("read"))?
            .map(|v| decode(v.value(), format!("header {height}")))
            .transpose()
    }

    /// The height of the block with `hash`.
    pub fn height_of(&self, hash: &B256) -> Result<Option<u64>, LedgerError> {
        let r = self.db.begin_read().map_err(storage("read"))?;
        let t = r.open_table(BLOCK_HASHES).map_err(storage("read"))?;
        Ok(t.get(&hash.0).map_err(storage("read"))?.map(|v| v.value()))
    }

    /// The whole block at `height`.
    pub fn block(&self, height: u64) -> Result<Option<Block>, LedgerError> {
        let Some(header) = self.header(height)? else { return Ok(None) };
        let r = self.db.begin_read().map_err(storage("read"))?;
        let t = r.open_table(TXS).map_err(storage("read"))?;
        let mut transactions = Vec::with_capacity(header.tx_count as usize);
        for entry in t.range((height, 0)..=(height, u32::MAX)).map_err(storage("read"))? {
            let (k, v) = entry.map_err(storage("read"))?;
            let (h, i) = k.value();
            transactions.push(decode::<ChainTx>(v.value(), format!("tx {h}/{i}"))?);
        }
        Ok(Some(Block { header, transactions }))
    }

    /// All receipts of the block at `height`.
    pub fn receipts(&self, height: u64) -> Result<Vec<Receipt>, LedgerError> {
        let r = self.db.begin_read().map_err(storage("read"))?;
        let t = r.open_table(RECEIPTS).map_err(storage("read"))?;
        let mut out = Vec::new();
        for entry in t.range((height, 0)..=(height, u32::MAX)).map_err(storage("read"))? {
            let (k, v) = entry.map_err(storage("read"))?;
            let (h, i) = k.value();
            out.push(decode::<Receipt>(v.value(), format!("receipt {h}/{i}"))?);
        }
        Ok(out)
    }

    /// Where a transaction is, by hash.
    pub fn locate(&self, tx_hash: &B256) -> Result<Option<TxLocation>, LedgerError> {
        let r = self.db.begin_read().map_err(storage("read"))?;
        let t = r.open_table(TX_INDEX).map_err(storage("read"))?;
        Ok(t.get(&tx_hash.0).map_err(storage("read"))?.map(|v| {
            let (height, index) = v.value();
            TxLocation { height, index }
        }))
    }

    /// A transaction and where it is, by hash.
    pub fn transaction(&self, tx_hash: &B256) -> Result<Option<(ChainTx, TxLocation)>, LedgerError> {
        let Some(loc) = self.locate(tx_hash)? else { return Ok(None) };
        let r = self.db.begin_read().map_err(storage("read"))?;
        let t = r.open_table(TXS).map_err(storage("read"))?;
        let Some(v) = t.get((loc.height, loc.index)).map_err(storage("read"))? else {
            return Ok(None);
        };
        Ok(Some((decode(v.value(), format!("tx {tx_hash}"))?, loc)))
    }

    /// A receipt, by transaction hash.
    pub fn receipt(&self, tx_hash: &B256) -> Result<Option<Receipt>, LedgerError> {
        let Some(loc) = self.locate(tx_hash)? else { return Ok(None) };
        let r = self.db.begin_read().map_err(storage("read"))?;
        let t = r.open_table(RECEIPTS).map_err(storage("read"))?;
        t.get((loc.height, loc.index))
            .map_err(storage("read"))?
            .map(|v| decode(v.value(), format!("receipt {tx_hash}")))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pillar_assets::Transfer;
    use pillar_stf::{Call, PrivateKey, Transaction, TxStatus, merkle_root};

    fn block(height: u64, parent: B256, n: u64) -> (Block, Vec<B256>, Vec<Receipt>) {
        let key = PrivateKey::from_bytes([7; 32]).unwrap();
        let txs: Vec<_> = (0..n)
            .map(|i| {
                ChainTx::Signed(key.sign(Transaction {
                    chain_id: 1,
                    nonce: height * 100 + i,
                    max_fee: 0,
                    call: Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
                        to: key.address(),
                        asset: 0,
                        amount: 1,
                    })),
                }))
            })
            .collect();
        let hashes: Vec<B256> = txs.iter().map(|t| t.hash()).collect();
        let receipts: Vec<Receipt> = hashes
            .iter()
            .enumerate()
            .map(|(i, h)| Receipt {
                tx_hash: *h,
                block_height: height,
                index: i as u32,
                sender: key.address(),
                nonce: height * 100 + i as u64,
                fee_paid: 0,
                status: TxStatus::Success,
                events: vec![],
            })
            .collect();
        let header = Header {
            height,
            parent_hash: parent,
            timestamp_ms: height,
            l1_origin: 0,
            queue_index: 0,
            queue_hash: B256::ZERO,
            state_root: B256::ZERO,
            tx_root: merkle_root(&hashes),
            receipts_root: B256::ZERO,
            withdrawals_root: B256::ZERO,
            tx_count: n as u32,
        };
        (Block { header, transactions: txs }, hashes, receipts)
    }

    #[test]
    fn append_read_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.redb");
        let (b0, h0, r0) = block(0, B256::ZERO, 0);
        let (b1, h1, r1) = block(1, b0.header.hash(), 3);
        {
            let l = Ledger::open(&path).unwrap();
            assert_eq!(l.head().unwrap(), None);
            l.append(&b0, &h0, &r0, None).unwrap();
            l.append(&b1, &h1, &r1, Some(b"w1")).unwrap();
            assert!(matches!(l.append(&b1, &h1, &r1, None), Err(LedgerError::NotNext { got: 1, .. })));
            l.put_witness(2, b"w2").unwrap();
        }
        let l = Ledger::open(&path).unwrap();
        assert_eq!(l.head().unwrap(), Some(b1.header.clone()));
        assert_eq!(l.block(1).unwrap(), Some(b1.clone()));
        assert_eq!(l.height_of(&b1.header.hash()).unwrap(), Some(1));
        let (tx, loc) = l.transaction(&h1[2]).unwrap().unwrap();
        assert_eq!(tx, b1.transactions[2]);
        assert_eq!(loc, TxLocation { height: 1, index: 2 });
        assert_eq!(l.receipt(&h1[1]).unwrap(), Some(r1[1].clone()));
        assert_eq!(l.receipts(1).unwrap(), r1);
        assert_eq!(l.receipt(&B256::repeat_byte(9)).unwrap(), None);
        assert_eq!(l.witness(0).unwrap(), None);
        assert_eq!(l.witness(1).unwrap().as_deref(), Some(&b"w1"[..]));
        assert_eq!(l.witness_totals().unwrap(), (2, 4));
        l.prune_witnesses_through(1).unwrap();
        assert_eq!(l.witness(1).unwrap(), None);
        assert_eq!(l.witness(2).unwrap().as_deref(), Some(&b"w2"[..]));
    }
}
