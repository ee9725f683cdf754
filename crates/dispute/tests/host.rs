//! `Host::oracle_for` against a stand-in node (a JSON-RPC server answering `pillar_getOutputPreimage`,
//! `pillar_getRawBlock` and `pillar_getWitness` from a table): the oracle holds the agreed output,
//! its block's header, the configuration, the local inputs and the witness of the next block; the
//! witness is asked for only when the claim is about a later block and is required only when the
//! node has that block; a node's inconsistencies are typed errors.

use std::sync::{Arc, Mutex};

use jsonrpsee::{
    RpcModule,
    server::{Server, ServerHandle},
    types::{ErrorObjectOwned, Params},
};
use pillar_dispute::host::{Host, HostError};
use pillar_fp_program::{ChainConfig, Inputs, OutputPreimage};
use pillar_preimage::{PreimageKey, sha256};
use pillar_stf::{B256, Block, DerivationCursor, Header, codec};
use serde_json::{Value, json};

/// Answers by (method, block); anything else is `null`.
type Table = Arc<Mutex<Vec<(&'static str, u64, Value)>>>;

async fn node(table: Table) -> (String, ServerHandle) {
    let server = Server::builder().build("127.0.0.1:0").await.expect("binds");
    let addr = server.local_addr().expect("an address");
    let mut module = RpcModule::new(table);
    for method in ["pillar_getOutputPreimage", "pillar_getRawBlock", "pillar_getWitness"] {
        module
            .register_method(method, move |params: Params<'_>, table: &Table, _| {
                let n: u64 = params.one()?;
                let rows = table.lock().expect("unpoisoned");
                let v = rows
                    .iter()
                    .find(|(m, b, _)| *m == method && *b == n)
                    .map_or(Value::Null, |r| r.2.clone());
                Ok::<Value, ErrorObjectOwned>(v)
            })
            .expect("registers");
    }
    (format!("http://{addr}"), server.start(module))
}

fn hex(bytes: &[u8]) -> String {
    format!("0x{}", ::hex::encode(bytes))
}

fn block(height: u64, state_root: B256) -> Block {
    let header = Header {
        height,
        parent_hash: B256::repeat_byte(1),
        timestamp_ms: 1_000 * height,
        l1_origin: 3,
        queue_index: 0,
        queue_hash: B256::ZERO,
        state_root,
        tx_root: B256::ZERO,
        receipts_root: B256::ZERO,
        withdrawals_root: B256::repeat_byte(2),
        tx_count: 0,
    };
    Block { header, transactions: Vec::new() }
}

fn output_json(b: &Block) -> (OutputPreimage, Value) {
    let pre = OutputPreimage {
        state_root: b.header.state_root,
        withdrawals_root: b.header.withdrawals_root,
        block_hash: b.header.hash(),
        cursor: DerivationCursor { entry: B256::repeat_byte(9), phase: 0 },
    };
    let v = json!({
        "stateRoot": pre.state_root,
        "withdrawalsRoot": pre.withdrawals_root,
        "blockHash": pre.block_hash,
        "cursor": pre.cursor,
        "outputRoot": pre.root(),
    });
    (pre, v)
}

struct Chain {
    table: Table,
    agreed: OutputPreimage,
    parent: Block,
    node: [u8; 64],
    value: Vec<u8>,
}

/// A node with block 5 safe and block 6 present with its witness.
fn chain() -> Chain {
    let parent = block(5, B256::repeat_byte(0x55));
    let child = block(6, B256::repeat_byte(0x66));
    let (agreed, agreed_json) = output_json(&parent);
    let (_, child_json) = output_json(&child);
    let node = [0x3c; 64];
    let value = b"a state value".to_vec();
    let witness = json!({
        "block": 6,
        "parentStateRoot": parent.header.state_root,
        "nodes": [hex(&node)],
        "values": [hex(&value)],
    });
    let table = Arc::new(Mutex::new(vec![
        ("pillar_getOutputPreimage", 5, agreed_json),
        ("pillar_getOutputPreimage", 6, child_json),
        ("pillar_getRawBlock", 5, json!(hex(&codec::encode(&parent)))),
        ("pillar_getRawBlock", 6, json!(hex(&codec::encode(&child)))),
        ("pillar_getWitness", 6, witness),
    ]));
    Chain { table, agreed, parent, node, value }
}

fn config() -> ChainConfig {
    ChainConfig { chain_id: 901, modules: vec!["accounts".into()] }
}

/// Replaces the answer to (method, block), or removes it (`null`).
fn set(table: &Table, method: &'static str, n: u64, v: Value) {
    let mut rows = table.lock().expect("unpoisoned");
    rows.retain(|(m, b, _)| !(*m == method && *b == n));
    if !v.is_null() {
        rows.push((method, n, v));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_oracle_holds_the_claims_inputs_and_the_next_blocks_witness() {
    let c = chain();
    let (url, _server) = node(c.table.clone()).await;
    let host = Host::node(&url, config()).expect("http");
    let head = B256::repeat_byte(0x77);
    let claim = B256::repeat_byte(0xcc);
    assert_eq!(host.output_root(5).await.expect("answers"), Some(c.agreed.root()));
    assert_eq!(host.output_root(7).await.expect("answers"), None);

    let oracle = host.oracle_for(5, claim, 6, head).await.expect("gathers");
    {
        let map = oracle.map();
        let inputs = Inputs {
            agreed_output: c.agreed.root(),
            claimed_output: claim,
            claimed_block: 6,
            batch_head: head,
            config_hash: config().hash(),
        };
        for (id, value) in inputs.locals() {
            assert_eq!(map.preimage(&PreimageKey::local_index(id)), Some(&value[..]), "local {id}");
        }
        assert_eq!(map.preimage(&PreimageKey::keccak_hash(c.agreed.root().0)), Some(&c.agreed.encode()[..]));
        assert_eq!(
            map.preimage(&PreimageKey::keccak_hash(c.parent.header.hash().0)),
            Some(&codec::encode(&c.parent.header)[..])
        );
        assert_eq!(map.preimage(&PreimageKey::keccak_hash(config().hash().0)), Some(&config().encode()[..]));
        assert_eq!(map.preimage(&PreimageKey::nomt_node(&sha256(&c.node))), Some(&c.node[..]));
        assert_eq!(map.preimage(&PreimageKey::sha256(&c.value)), Some(&c.value[..]));
    }

    // A claim about the agreed block itself asks for no witness: a broken one does not matter.
    set(&c.table, "pillar_getWitness", 6, json!({"parentStateRoot": B256::ZERO, "nodes": [], "values": []}));
    let oracle = host.oracle_for(5, claim, 5, head).await.expect("no witness needed");
    assert_eq!(oracle.map().preimage(&PreimageKey::nomt_node(&sha256(&c.node))), None);
    // A later block's claim checks the witness is of the agreed state.
    let err = host.oracle_for(5, claim, 6, head).await.expect_err("another state");
    assert!(matches!(err, HostError::WitnessState { block: 6, got, .. } if got == B256::ZERO), "{err}");
    // The node has block 6 but no witness of it: the program would need one.
    set(&c.table, "pillar_getWitness", 6, Value::Null);
    let err = host.oracle_for(5, claim, 6, head).await.expect_err("no witness");
    assert!(matches!(err, HostError::NoWitness { block: 6 }), "{err}");
    // Past the node's chain nothing is derived: no witness is needed.
    set(&c.table, "pillar_getRawBlock", 6, Value::Null);
    host.oracle_for(5, claim, 6, head).await.expect("the chain stops");
    host.oracle_for(5, claim, 9, head).await.expect("the chain stops");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_node_that_is_not_safe_or_disagrees_with_itself_is_an_error() {
    let c = chain();
    let (url, _server) = node(c.table.clone()).await;
    let host = Host::node(&url, config()).expect("http");
    let err = host.oracle_for(4, B256::ZERO, 5, B256::ZERO).await.expect_err("no output of 4");
    assert!(matches!(err, HostError::NotSafe { block: 4 }), "{err}");
    // The node's block 5 is another block than its output names.
    set(&c.table, "pillar_getRawBlock", 5, json!(hex(&codec::encode(&block(5, B256::repeat_byte(1))))));
    let err = host.oracle_for(5, B256::ZERO, 6, B256::ZERO).await.expect_err("mismatch");
    assert!(matches!(err, HostError::HeaderMismatch { block: 5 }), "{err}");
    set(&c.table, "pillar_getRawBlock", 5, json!("0xzz"));
    let err = host.oracle_for(5, B256::ZERO, 6, B256::ZERO).await.expect_err("not hex");
    assert!(matches!(err, HostError::Malformed { method: "pillar_getRawBlock", .. }), "{err}");
    assert!(matches!(Host::node("https://x", config()), Err(HostError::Url { .. })));
}
