//! The replica role: the chain rebuilt from L1 alone (docs/derivation.md).
//!
//! - [`sync`] reads L1 past the confirmation depth and feeds the [`Deriver`], rewinding on L1
//!   reorgs;
//! - [`feed`] (optional) imports the sequencer's soft blocks ahead of L1 over WebSocket;
//!   derivation keeps them when L1 settles the same blocks and replaces them otherwise;
//! - [`challenger`] (optional) invalidates output roots that disagree with the derived chain.
//!
//! A replica serves the same read RPC as the sequencer and refuses transactions.

mod challenger;
mod feed;
pub(crate) mod read_only;
mod status;
pub(crate) mod sync;

pub use status::ReplicaStatus;

use std::{sync::Arc, time::Duration};

use parking_lot::Mutex;
use pillar_chain::Chain;
use pillar_derive::{DerivationConfig, Deriver};
use pillar_l1::{L1Addresses, L1Client};
use tokio::{
    sync::{mpsc, watch},
    task::JoinHandle,
};
use tracing::{info, warn};

use crate::{L1Section, NodeError};

/// L1 blocks a replica may lag behind the confirmed head before `/health` fails.
pub(crate) const MAX_LAG_BLOCKS: u64 = 64;

/// The running tasks of a replica.
pub struct Replica {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    /// Sync progress, counters and faults.
    pub status: Arc<ReplicaStatus>,
}

impl Replica {
    /// Stops the tasks.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

pub(crate) fn l1_err(e: impl std::fmt::Display) -> NodeError {
    NodeError::L1 { reason: e.to_string() }
}

/// The derivation rules the Rollup sets, read once L1 answers (without them nothing can be
/// derived, so this waits for L1 up to half a minute).
pub(crate) async fn derivation_config(
    l1: &L1Section,
    client: &L1Client,
) -> Result<DerivationConfig, NodeError> {
    // Blob batches are checked against their KZG commitments; load the setup off the hot path.
    tokio::task::spawn_blocking(pillar_l1::warm_up_kzg);
    // The rules come from the Rollup; without them nothing can be derived, so wait for L1.
    let mut attempt = 0;
    let (windows, chain_id) = loop {
        match tokio::try_join!(client.rollup_windows(), client.chain_id()) {
            Ok(v) => break v,
            Err(e) if attempt < 30 => {
                attempt += 1;
                warn!(error = %e, "L1 not reachable yet; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Err(e) => return Err(l1_err(e)),
        }
    };
    if chain_id != l1.chain_id {
        return Err(NodeError::L1 {
            reason: format!("L1 node at {} is chain {chain_id}, the config says {}", l1.rpc, l1.chain_id),
        });
    }
    info!(
        inclusion_deadline_s = windows.inclusion_deadline,
        confirmations = l1.confirmations,
        from_l1_block = l1.deployed_at_block,
        "deriving from L1"
    );
    // The deadline is logged for operators; derivation takes it from each batch-chain entry.
    Ok(DerivationConfig::default())
}

/// Starts derivation (and the feed and challenger when asked) for `chain`.
pub(crate) async fn start(
    l1: &L1Section,
    chain: Arc<Chain>,
    imports: Arc<read_only::ReadOnly>,
    sequencer_feed: Option<String>,
) -> Result<Replica, NodeError> {
    let addresses = L1Addresses { rollup: l1.rollup, portal: l1.portal };
    let client = L1Client::connect_read_only(&l1.rpc, addresses).map_err(l1_err)?;
    let config = derivation_config(l1, &client).await?;
    let deriver = Deriver::new(Arc::clone(&chain), config, l1.deployed_at_block).map_err(l1_err)?;
    let deriver = Arc::new(Mutex::new(deriver));
    let status = Arc::new(ReplicaStatus::new(l1.confirmations, MAX_LAG_BLOCKS));
    status.attach(&deriver);
    let (stop, stop_rx) = watch::channel(false);
    let (faults_tx, faults_rx) = mpsc::unbounded_channel();
    let mut tasks = Vec::new();
    let sync = sync::Sync {
        own: false,
        l1: l1.clone(),
        provider: client,
        deriver: Arc::clone(&deriver),
        chain: Arc::clone(&chain),
        producer: None,
        imports: Arc::clone(&imports) as Arc<dyn read_only::Imports>,
        status: Arc::clone(&status),
        faults: faults_tx,
    };
    tasks.push(tokio::spawn(sync.run(stop_rx.clone())));
    if let Some(url) = sequencer_feed {
        let feed = feed::Feed { url, deriver, chain, imports, status: Arc::clone(&status) };
        tasks.push(tokio::spawn(feed.run(stop_rx.clone())));
    }
    if l1.challenger.enabled {
        let key = crate::settle::key_from("PILLAR_CHALLENGER_KEY", &l1.challenger.key).ok_or_else(|| {
            NodeError::L1 {
                reason: "the challenger needs the guardian's (or challenger's) L1 key: set l1.challenger.key or PILLAR_CHALLENGER_KEY".into(),
            }
        })?;
        let signer = L1Client::connect(&l1.rpc, &key, addresses).map_err(l1_err)?;
        info!(account = ?signer.signer(), "challenger armed");
        tasks.push(tokio::spawn(challenger::run(signer, faults_rx, Arc::clone(&status), stop_rx)));
    }
    Ok(Replica { stop, tasks, status })
}
