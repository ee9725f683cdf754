//! The oracle a block's dispute runs on, gathered from the node's JSON-RPC and L1
//! (docs/fault-proofs.md, "Replaying a block: `pillar fp run`").
//!
//! [`Host::connect`] reads L1 once: every batch-chain entry, calldata payload and queue message
//! from the Rollup's logs (from the deployment block to the head), and the blobs of every blob
//! batch from a given entry on, each with its KZG commitment. [`Host::oracle_for`] adds, for one
//! claim, what the node holds: the agreed output and its block's header, the node's recorded
//! witness of the block after it, the chain configuration and the claim's local inputs. The same
//! gathering serves `pillar fp run` (which replays blocks) and the challenger (which runs the
//! trace of a disputed block).

use std::time::Duration;

use jsonrpsee_core::{client::ClientT, params::ArrayParams};
use jsonrpsee_http_client::{HttpClient, HttpClientBuilder};
use pillar_fp_program::{ChainConfig, HostOracle, Inputs, OutputPreimage};
use pillar_l1::{BatchKind, L1Client, L1Error, L1Event};
use pillar_preimage::{KeyCheckError, MapOracle, PreimageKey};
use pillar_stf::{B256, Block, DerivationCursor, L1MessageError, codec};
use serde_json::Value;
use thiserror::Error;

/// Largest request sent: the node's default body cap.
const MAX_REQUEST: u32 = 16 * 1024 * 1024;
/// Largest response read: the node's default cap (a witness of a large block is megabytes).
const MAX_RESPONSE: u32 = 32 * 1024 * 1024;
/// Longest wait for one answer.
const TIMEOUT: Duration = Duration::from_secs(60);
/// Largest block decoded from `pillar_getRawBlock`.
const MAX_BLOCK: usize = 64 << 20;

/// Why the oracle for a claim could not be gathered.
#[derive(Debug, Error)]
pub enum HostError {
    /// The node's RPC URL is not a plain `http://` URL.
    #[error("only http:// URLs are supported, got {url}")]
    Url {
        /// The URL.
        url: String,
    },
    /// A call to the node failed.
    #[error("{method} at {url}: {source}")]
    Rpc {
        /// The method.
        method: &'static str,
        /// The node's URL.
        url: String,
        /// The client's error.
        source: Box<jsonrpsee_core::client::Error>,
    },
    /// The node answered with something that is not what the method returns.
    #[error("{method}: {what} is malformed: {reason}")]
    Malformed {
        /// The method.
        method: &'static str,
        /// The field.
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// The node has no output for the block: it is not safe there yet.
    #[error("block {block} is not safe on the node: no output to start from")]
    NotSafe {
        /// The block.
        block: u64,
    },
    /// The node's block is not the one its output names.
    #[error("the node's block {block} is not its output's")]
    HeaderMismatch {
        /// The block.
        block: u64,
    },
    /// The node keeps no witness of a block it has.
    #[error("the node keeps no witness of block {block} (start it with --record-witnesses or --challenger)")]
    NoWitness {
        /// The block.
        block: u64,
    },
    /// The node's witness is of another parent state than the agreed output's.
    #[error("the witness of block {block} is of another state ({got}, not {expected})")]
    WitnessState {
        /// The block.
        block: u64,
        /// The agreed output's state root.
        expected: B256,
        /// The witness's parent state root.
        got: B256,
    },
    /// Reading L1 failed.
    #[error("L1: {0}")]
    L1(Box<L1Error>),
    /// A blob batch's blobs could not be fetched or did not match their versioned hashes.
    #[error("batch {index}: {source}")]
    Blobs {
        /// The batch's index in the batch chain.
        index: u64,
        /// Why.
        source: Box<L1Error>,
    },
    /// A batch-chain entry from the logs does not hash to its logged hash.
    #[error("entry {index} does not hash from its log")]
    EntryHash {
        /// The entry's index.
        index: u64,
    },
    /// A queue message from the logs is malformed.
    #[error("queue message {index}: {source}")]
    Queue {
        /// The message's index.
        index: u64,
        /// Why.
        source: L1MessageError,
    },
    /// A preimage was refused by its key's check (a node node of the wrong length, a blob
    /// element above the modulus).
    #[error("a preimage: {0}")]
    Preimage(#[from] KeyCheckError),
}

impl From<L1Error> for HostError {
    fn from(e: L1Error) -> Self {
        Self::L1(Box::new(e))
    }
}

/// The node and what L1 holds for the program, read once.
#[derive(Debug, Clone)]
pub struct Host {
    url: String,
    client: HttpClient,
    l1: MapOracle,
    batch_head: B256,
    chain: ChainConfig,
}

impl Host {
    /// Connects to the node at `node_rpc` and reads L1 from `deployed_at_block` to its head, with
    /// the blobs of the entries from `blobs_from` on (zero: all of them; a dispute needs them
    /// from the agreed cursor's entry on).
    pub async fn connect(
        node_rpc: &str,
        l1: &L1Client,
        deployed_at_block: u64,
        chain: ChainConfig,
        blobs_from: B256,
    ) -> Result<Self, HostError> {
        let client = node_client(node_rpc)?;
        let (l1, batch_head) = l1_preimages(l1, deployed_at_block, blobs_from).await?;
        Ok(Self { url: node_rpc.to_string(), client, l1, batch_head, chain })
    }

    /// Connects to the node at `node_rpc` only, without reading L1: for [`Host::output`] before
    /// [`Host::connect`] (which needs the agreed cursor's entry).
    pub fn node(node_rpc: &str, chain: ChainConfig) -> Result<Self, HostError> {
        Ok(Self {
            url: node_rpc.to_string(),
            client: node_client(node_rpc)?,
            l1: MapOracle::new(),
            batch_head: B256::ZERO,
            chain,
        })
    }

    /// The batch chain's head in L1 as read: the last entry's hash.
    pub fn batch_head(&self) -> B256 {
        self.batch_head
    }

    /// L1's preimages.
    pub fn l1_preimages(&self) -> &MapOracle {
        &self.l1
    }

    /// The chain configuration the oracle carries.
    pub fn chain(&self) -> &ChainConfig {
        &self.chain
    }

    async fn call(&self, method: &'static str, params: ArrayParams) -> Result<Value, HostError> {
        self.client.request(method, params).await.map_err(|e| HostError::Rpc {
            method,
            url: self.url.clone(),
            source: Box::new(e),
        })
    }

    /// The node's output preimage of block `n`, which must be safe.
    pub async fn output(&self, n: u64) -> Result<OutputPreimage, HostError> {
        const METHOD: &str = "pillar_getOutputPreimage";
        let pre = self.call(METHOD, params(n)).await?;
        if pre.is_null() {
            return Err(HostError::NotSafe { block: n });
        }
        Ok(OutputPreimage {
            state_root: b256(METHOD, &pre["stateRoot"], "stateRoot")?,
            withdrawals_root: b256(METHOD, &pre["withdrawalsRoot"], "withdrawalsRoot")?,
            block_hash: b256(METHOD, &pre["blockHash"], "blockHash")?,
            cursor: serde_json::from_value::<DerivationCursor>(pre["cursor"].clone())
                .map_err(|e| malformed(METHOD, "cursor", e))?,
        })
    }

    /// The node's own output root of block `n`, if it is safe there.
    pub async fn output_root(&self, n: u64) -> Result<Option<B256>, HostError> {
        const METHOD: &str = "pillar_getOutputPreimage";
        let own = self.call(METHOD, params(n)).await?;
        if own.is_null() {
            return Ok(None);
        }
        b256(METHOD, &own["outputRoot"], "outputRoot").map(Some)
    }

    /// The oracle deciding `claimed_output` for `claimed_block` from the node's own output of
    /// `agreed_block`, with the dispute's batch head (the game's `batchHead`): L1's preimages,
    /// the agreed output and its block's header, the node's witness of block `agreed_block + 1`
    /// (its parent state's nodes and values) when the claim is about a later block and the node
    /// has that block, the chain configuration and the local inputs. A claim about the agreed
    /// block itself needs no witness (the program compares the outputs), nor one past the end of
    /// the node's chain (the chain stops there).
    pub async fn oracle_for(
        &self,
        agreed_block: u64,
        claimed_output: B256,
        claimed_block: u64,
        batch_head: B256,
    ) -> Result<HostOracle, HostError> {
        let node = self.node_preimages(agreed_block, claimed_output, claimed_block, batch_head).await?;
        let mut map = self.l1.clone();
        node.insert_into(&mut map)?;
        Ok(HostOracle::new(map))
    }

    /// [`Host::oracle_for`] adding to an existing oracle instead of a copy of L1's preimages:
    /// `pillar fp run` decides a range of blocks over one oracle (everything but the local inputs
    /// is content-addressed, and each claim's local inputs replace the last's).
    pub async fn add_to(
        &self,
        oracle: &HostOracle,
        agreed_block: u64,
        claimed_output: B256,
        claimed_block: u64,
        batch_head: B256,
    ) -> Result<(), HostError> {
        let node = self.node_preimages(agreed_block, claimed_output, claimed_block, batch_head).await?;
        node.insert_into(&mut oracle.map())
    }

    /// A new oracle over L1's preimages alone, for [`Host::add_to`].
    pub fn l1_oracle(&self) -> HostOracle {
        HostOracle::new(self.l1.clone())
    }

    /// What the node holds for a claim, read before anything is inserted (no lock is held
    /// across the calls).
    async fn node_preimages(
        &self,
        agreed_block: u64,
        claimed_output: B256,
        claimed_block: u64,
        batch_head: B256,
    ) -> Result<NodePreimages, HostError> {
        let agreed = self.output(agreed_block).await?;
        const RAW: &str = "pillar_getRawBlock";
        let raw = self.call(RAW, params(agreed_block)).await?;
        let parent: Block = codec::decode(&hex_bytes(RAW, &raw, "raw block")?, MAX_BLOCK, "block")
            .map_err(|e| malformed(RAW, "raw block", e))?;
        if parent.header.hash() != agreed.block_hash {
            return Err(HostError::HeaderMismatch { block: agreed_block });
        }
        let witness = if claimed_block > agreed_block {
            self.witness(agreed_block + 1, agreed.state_root).await?
        } else {
            Witness::default()
        };
        let inputs = Inputs {
            agreed_output: agreed.root(),
            claimed_output,
            claimed_block,
            batch_head,
            config_hash: self.chain.hash(),
        };
        Ok(NodePreimages {
            agreed: agreed.encode().to_vec(),
            header: codec::encode(&parent.header),
            witness,
            config: self.chain.encode(),
            inputs,
        })
    }

    /// The node's witness of `block` (its parent state's nodes and values): required when the
    /// node has the block, none when it has not.
    async fn witness(&self, block: u64, parent_state: B256) -> Result<Witness, HostError> {
        const METHOD: &str = "pillar_getWitness";
        let witness = self.call(METHOD, params(block)).await?;
        if witness.is_null() {
            if self.call("pillar_getRawBlock", params(block)).await?.is_null() {
                return Ok(Witness::default());
            }
            return Err(HostError::NoWitness { block });
        }
        let got = b256(METHOD, &witness["parentStateRoot"], "parentStateRoot")?;
        if got != parent_state {
            return Err(HostError::WitnessState { block, expected: parent_state, got });
        }
        let list = |what: &'static str| {
            witness[what].as_array().ok_or_else(|| malformed(METHOD, what, "not an array"))
        };
        let mut out = Witness::default();
        for n in list("nodes")? {
            let node: [u8; 64] = hex_bytes(METHOD, n, "node")?
                .try_into()
                .map_err(|_| malformed(METHOD, "node", "not 64 bytes"))?;
            out.nodes.push(node);
        }
        for v in list("values")? {
            out.values.push(hex_bytes(METHOD, v, "value")?);
        }
        Ok(out)
    }
}

/// A parent state's witness: NOMT nodes and values.
#[derive(Debug, Default)]
struct Witness {
    nodes: Vec<[u8; 64]>,
    values: Vec<Vec<u8>>,
}

/// The node's preimages for one claim, and its local inputs.
#[derive(Debug)]
struct NodePreimages {
    agreed: Vec<u8>,
    header: Vec<u8>,
    witness: Witness,
    config: Vec<u8>,
    inputs: Inputs,
}

impl NodePreimages {
    fn insert_into(&self, map: &mut MapOracle) -> Result<(), HostError> {
        map.insert_keccak(&self.agreed)?;
        map.insert_keccak(&self.header)?;
        for node in &self.witness.nodes {
            map.insert_nomt_node(node)?;
        }
        for value in &self.witness.values {
            map.insert_sha256(value)?;
        }
        map.insert_keccak(&self.config)?;
        for (id, value) in self.inputs.locals() {
            map.insert(PreimageKey::local_index(id), &value)?;
        }
        Ok(())
    }
}

fn node_client(url: &str) -> Result<HttpClient, HostError> {
    if !url.starts_with("http://") {
        return Err(HostError::Url { url: url.to_string() });
    }
    HttpClientBuilder::new()
        .max_request_size(MAX_REQUEST)
        .max_response_size(MAX_RESPONSE)
        .request_timeout(TIMEOUT)
        .build(url)
        .map_err(|e| HostError::Rpc { method: "connect", url: url.to_string(), source: Box::new(e) })
}

fn params(n: u64) -> ArrayParams {
    let mut p = ArrayParams::new();
    // A u64 always serializes.
    let _ = p.insert(n);
    p
}

fn malformed(method: &'static str, what: &'static str, reason: impl std::fmt::Display) -> HostError {
    HostError::Malformed { method, what, reason: reason.to_string() }
}

fn b256(method: &'static str, v: &Value, what: &'static str) -> Result<B256, HostError> {
    serde_json::from_value(v.clone()).map_err(|e| malformed(method, what, e))
}

fn hex_bytes(method: &'static str, v: &Value, what: &'static str) -> Result<Vec<u8>, HostError> {
    let s = v.as_str().ok_or_else(|| malformed(method, what, "not a string"))?;
    hex::decode(s.trim_start_matches("0x")).map_err(|e| malformed(method, what, e))
}

/// What L1 holds for the program: every entry, calldata payload and queue message by the hashes
/// the contracts keep, and the blobs of the entries from `blobs_from` on (zero: all of them).
/// Returns the preimages and the batch chain's head.
async fn l1_preimages(
    client: &L1Client,
    from_block: u64,
    blobs_from: B256,
) -> Result<(MapOracle, B256), HostError> {
    let mut map = MapOracle::new();
    let head = client.block_number().await?;
    let mut batch_head = B256::ZERO;
    let mut queue_hash = B256::ZERO;
    let mut reading = blobs_from == B256::ZERO;
    for log in client.derivation_events(from_block, head).await? {
        match log.event {
            L1Event::Batch(b) => {
                let key = map.insert_keccak(&b.entry_preimage())?;
                if key != PreimageKey::keccak_hash(b.batch_hash.0) {
                    return Err(HostError::EntryHash { index: b.index });
                }
                if let Some(data) = &b.calldata {
                    map.insert_keccak(data)?;
                }
                reading |= b.batch_hash == blobs_from;
                if reading && b.kind == BatchKind::Blob {
                    map.insert_keccak(&b.blob_hashes.iter().flat_map(|h| h.0).collect::<Vec<u8>>())?;
                    let blobs = client
                        .blobs_with_commitments(&b)
                        .await
                        .map_err(|e| HostError::Blobs { index: b.index, source: Box::new(e) })?;
                    for (blob, commitment) in blobs {
                        map.insert_sha256(&commitment)?;
                        map.insert_blob_elements(&commitment, &blob)?;
                    }
                }
                batch_head = b.batch_hash;
            }
            L1Event::Queue(m) => {
                let message =
                    m.to_l1_message().map_err(|source| HostError::Queue { index: m.index, source })?;
                map.insert_keccak(&message.event_preimage())?;
                let mut link = [0u8; 64];
                link[..32].copy_from_slice(queue_hash.as_slice());
                link[32..].copy_from_slice(message.hash().as_slice());
                map.insert_keccak(&link)?;
                queue_hash = m.queue_hash;
            }
            _ => {}
        }
    }
    Ok((map, batch_head))
}
