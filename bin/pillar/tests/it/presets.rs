//! The vertical presets' stories, end to end: `pillar init --preset …`, a real `pillar node`
//! settling on anvil, and every step through JSON-RPC as a wallet, a game client or an agent would
//! take it; then every block of the story decided by the fault-proof program (`pillar fp run`).

use std::time::{Duration, Instant};

use pillar_agents::{GiveFeedback, OpenChannel, RegisterAgent, SettleChannel};
use pillar_assets::{Mint, Transfer};
use pillar_compliance::{
    AddClaim, AmountEntry, ForcedEntry, ForcedTransfers, FreezeAmounts, RecoverWallets, RegisterIdentity,
    SetComplianceRules, TOPIC_COUNTRY, TOPIC_KYC, WalletRecovery,
};
use pillar_items::{ItemAmount, MintItems, TransferItems};
use pillar_sessions::{AuthorizeSession, SpendCap};
use pillar_stf::{
    Address, Call, Envelope, PrivateKey, SessionSigner, SignedTransaction, Transaction, Voucher,
};
use serde_json::{Value, json};

use crate::common::{Node, RpcError, init_preset, start_node, wait_receipt};
use crate::fault_proofs::{attach_l1, every_block_agrees};

const CHAIN: u64 = 901;

/// A client of one node: signs with local keys, tracks nonces, submits over JSON-RPC.
struct Client {
    node: Node,
    fee: u128,
}

impl Client {
    fn new(node: Node) -> Self {
        let info = node.call("pillar_chainInfo", json!([])).unwrap();
        let fee = info["fees"]["txFee"].as_str().unwrap().parse().unwrap();
        Self { node, fee }
    }

    fn nonce(&self, who: Address) -> u64 {
        self.node.call("pillar_getAccount", json!([who])).unwrap()["nonce"].as_u64().unwrap()
    }

    fn tx(&self, who: Address, call: Call) -> Transaction {
        Transaction { chain_id: CHAIN, nonce: self.nonce(who), max_fee: self.fee, call }
    }

    fn submit(&self, stx: &SignedTransaction) -> Result<String, RpcError> {
        match self.node.call("pillar_sendTransaction", json!([raw(stx)])) {
            Ok(h) => Ok(h.as_str().unwrap().to_string()),
            Err(e) => Err(e.downcast::<RpcError>().expect("a JSON-RPC error")),
        }
    }

    /// Sends `call` signed by `key`'s wallet and waits for a successful receipt.
    fn ok(&self, key: &PrivateKey, call: Call) -> Value {
        let stx = key.sign(self.tx(key.address(), call.clone()));
        let hash = self.submit(&stx).unwrap_or_else(|e| panic!("{call:?} refused: {e}"));
        let r = wait_receipt(&self.node, &hash);
        assert_eq!(r["status"], "success", "{call:?}: {r}");
        r
    }

    /// Sends `call` and returns the refusal at the door.
    fn refused(&self, key: &PrivateKey, call: Call) -> RpcError {
        let stx = key.sign(self.tx(key.address(), call.clone()));
        self.submit(&stx).err().unwrap_or_else(|| panic!("{call:?} was accepted"))
    }

    fn query(&self, module: &str, method: &str, params: Value) -> Value {
        self.node.call("pillar_query", json!([module, method, params])).unwrap()
    }

    fn balance(&self, who: Address, asset: u32) -> u128 {
        let v = self.query("assets", "balance", json!({"address": who, "asset": asset}));
        v.as_str().unwrap().parse().unwrap()
    }

    /// Submits many transactions with `pillar_sendTransactions`, asserting each is accepted.
    fn submit_all(&self, txs: &[SignedTransaction]) {
        for chunk in txs.chunks(1_000) {
            let list: Vec<Value> = chunk.iter().map(raw).collect();
            let results = self.node.call("pillar_sendTransactions", json!([list])).unwrap();
            for r in results.as_array().unwrap() {
                assert!(r.get("hash").is_some(), "refused: {r}");
            }
        }
    }

    /// Waits until `who` has used nonces below `nonce` (its transactions are in blocks).
    fn wait_nonce(&self, who: Address, nonce: u64) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.nonce(who) < nonce {
            assert!(Instant::now() < deadline, "{who} stuck at nonce {}", self.nonce(who));
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

fn raw(stx: &SignedTransaction) -> Value {
    json!(format!("0x{}", hex::encode(stx.encode())))
}

fn events<'a>(receipt: &'a Value, kind: &str) -> Vec<&'a Value> {
    receipt["events"].as_array().unwrap().iter().filter(|e| e["type"] == kind).collect()
}

fn amount(v: &Value) -> u128 {
    v.as_str().unwrap_or_else(|| panic!("not an amount: {v}")).parse().unwrap()
}

/// rwa: the issuer's compliance story. A transfer to a wallet without the required claims is
/// refused with a clear reason, a holder over the cap is refused, a frozen balance cannot move,
/// the issuer's forced transfer and wallet recovery work, and the receipts' events are the audit
/// trail of all of it.
#[test]
fn rwa_preset_story() {
    let dir = tempfile::tempdir().unwrap();
    let (config, cfg, keys) = init_preset(dir.path(), "rwa", 6);
    // L1 on anvil: batches, outputs and witnesses, so every block is then decided by the
    // fault-proof program from L1 and the node alone.
    let _l1 = attach_l1(&config);
    assert!(cfg.chain.modules.contains(&"compliance".to_string()));
    let c = Client::new(start_node(&config));
    let issuer = &keys[0];
    let (alice, bob, carol, carol_new) = (&keys[1], &keys[2], &keys[3], &keys[4]);
    const BOND: u32 = 2;
    let reg = issuer.address();

    // The preset bound the bond's rules at genesis: KYC level 2 and a country are required.
    let rules = c.query("compliance", "rules", json!({"asset": BOND}));
    assert_eq!(rules["rules"]["registry"], json!(reg));
    assert_eq!(rules["rules"]["maxHolders"], 2000);

    // Onboarding: identities for three investors; Bob passes KYC level 1 only.
    let mut audit = Vec::new();
    let mut ids = Vec::new();
    for (who, kyc) in [(alice, 2), (bob, 1), (carol, 2)] {
        let r = c.ok(
            issuer,
            Call::Compliance(pillar_compliance::ComplianceCall::RegisterIdentity(RegisterIdentity {
                registry: reg,
                wallet: who.address(),
            })),
        );
        let id = events(&r, "identityRegistered")[0]["identity"].as_u64().unwrap();
        for (topic, value) in [(TOPIC_KYC, kyc), (TOPIC_COUNTRY, 250)] {
            audit.push(c.ok(
                issuer,
                Call::Compliance(pillar_compliance::ComplianceCall::AddClaim(AddClaim {
                    identity: id,
                    topic,
                    value,
                    expires_ms: 0,
                })),
            ));
        }
        audit.push(r);
        ids.push(id);
    }
    audit.push(c.ok(
        issuer,
        Call::Assets(pillar_assets::AssetsCall::Mint(Mint {
            asset: BOND,
            to: alice.address(),
            amount: 1_000,
        })),
    ));

    // 1. To a wallet without the required claims: refused at the door, with the reason.
    let verdict = c.query(
        "compliance",
        "canTransfer",
        json!({"asset": BOND, "from": alice.address(), "to": bob.address(), "amount": "100"}),
    );
    assert_eq!(verdict["code"], 12, "{verdict}");
    let e = c.refused(
        alice,
        Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
            to: bob.address(),
            asset: BOND,
            amount: 100,
        })),
    );
    assert_eq!(e.code, -38020, "{e}");
    assert_eq!(e.data["kind"], "compliance_refused");
    assert!(e.message.contains("3112") && e.message.contains("claim"), "{}", e.message);

    // 2. Over the cap: the issuer caps each investor at 500 units.
    let mut capped: SetComplianceRules = serde_json::from_value(rules["rules"].clone()).unwrap();
    capped.max_balance = 500;
    audit.push(c.ok(
        issuer,
        Call::Compliance(pillar_compliance::ComplianceCall::SetComplianceRules(Box::new(capped))),
    ));
    let e = c.refused(
        alice,
        Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
            to: carol.address(),
            asset: BOND,
            amount: 600,
        })),
    );
    assert!(e.message.contains("3115"), "{}", e.message);
    let r = c.ok(
        alice,
        Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
            to: carol.address(),
            asset: BOND,
            amount: 400,
        })),
    );
    assert_eq!(events(&r, "complianceApproved").len(), 1);

    // 3. A frozen amount cannot move: Alice holds 600, 550 frozen.
    let entry = AmountEntry { wallet: alice.address(), amount: 550 };
    audit.push(c.ok(
        issuer,
        Call::Compliance(pillar_compliance::ComplianceCall::FreezeAmounts(FreezeAmounts {
            asset: BOND,
            entries: vec![entry],
            frozen: true,
        })),
    ));
    let e = c.refused(
        alice,
        Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
            to: carol.address(),
            asset: BOND,
            amount: 60,
        })),
    );
    assert!(e.message.contains("3105"), "{}", e.message);
    c.ok(
        alice,
        Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
            to: carol.address(),
            asset: BOND,
            amount: 50,
        })),
    );

    // 4. The issuer's forced transfer takes frozen units (a court order), within Carol's cap.
    let forced = ForcedEntry { from: alice.address(), to: carol.address(), amount: 50 };
    let r = c.ok(
        issuer,
        Call::Compliance(pillar_compliance::ComplianceCall::ForcedTransfers(ForcedTransfers {
            asset: BOND,
            entries: vec![forced],
        })),
    );
    assert_eq!(amount(&events(&r, "forcedTransfer")[0]["unfrozen"]), 50);
    audit.push(r);
    assert_eq!(c.balance(alice.address(), BOND), 500);
    assert_eq!(c.balance(carol.address(), BOND), 500);

    // 5. Carol loses her wallet: the issuer moves her units and identity to a new one.
    let rec = WalletRecovery { lost_wallet: carol.address(), new_wallet: carol_new.address() };
    let r = c.ok(
        issuer,
        Call::Compliance(pillar_compliance::ComplianceCall::RecoverWallets(RecoverWallets {
            asset: BOND,
            entries: vec![rec],
        })),
    );
    audit.push(r);
    assert_eq!(c.balance(carol.address(), BOND), 0);
    assert_eq!(c.balance(carol_new.address(), BOND), 500);
    let wallet = c.query("compliance", "wallet", json!({"asset": BOND, "wallet": carol_new.address()}));
    assert_eq!(wallet["identity"], ids[2]);
    // The new wallet is the same investor, at the cap: once Alice's units are unfrozen, she
    // still cannot send it more.
    let entry = AmountEntry { wallet: alice.address(), amount: 500 };
    audit.push(c.ok(
        issuer,
        Call::Compliance(pillar_compliance::ComplianceCall::FreezeAmounts(FreezeAmounts {
            asset: BOND,
            entries: vec![entry],
            frozen: false,
        })),
    ));
    let e = c.refused(
        alice,
        Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
            to: carol_new.address(),
            asset: BOND,
            amount: 1,
        })),
    );
    assert!(e.message.contains("3115"), "{}", e.message);

    // The audit trail: every step above left its event in a receipt.
    let kinds: Vec<&str> = audit
        .iter()
        .flat_map(|r| r["events"].as_array().unwrap())
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    for kind in [
        "identityRegistered",
        "claimAdded",
        "complianceApproved",
        "complianceRulesSet",
        "amountFrozen",
        "forcedTransfer",
        "walletRecovered",
    ] {
        assert!(kinds.contains(&kind), "no {kind} in the audit trail: {kinds:?}");
    }

    // The explorer's audit trail (`pillar_getEvents`) lists the same decisions and actions, newest
    // first, and nothing that is not a compliance record.
    let filter = json!({ "types": COMPLIANCE_EVENTS, "failedCodes": [3000, 3999], "limit": 1000 });
    let trail = c.node.call("pillar_getEvents", json!([filter])).unwrap();
    let listed: Vec<&str> =
        trail["events"].as_array().unwrap().iter().map(|r| r["event"]["type"].as_str().unwrap()).collect();
    let mut newest_first: Vec<&Value> = audit.iter().collect();
    newest_first.sort_by_key(|r| std::cmp::Reverse((r["blockHeight"].as_u64(), r["index"].as_u64())));
    let expected: Vec<&str> = newest_first
        .into_iter()
        .flat_map(|r| r["events"].as_array().unwrap().iter().rev())
        .map(|e| e["type"].as_str().unwrap())
        .filter(|t| COMPLIANCE_EVENTS.contains(t))
        .collect();
    // The trail also holds the approvals of holder transfers that were not pushed to `audit`.
    let mut rest = listed.iter();
    for kind in &expected {
        assert!(rest.any(|k| k == kind), "{kind} missing or out of order in {listed:?}");
    }
    assert_eq!(listed.iter().filter(|k| **k == "walletRecovered").count(), 1);
    let recovered = &trail["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["event"]["type"] == "walletRecovered")
        .unwrap();
    let by_wallet = c
        .node
        .call("pillar_getEvents", json!([{ "types": ["walletRecovered"], "address": carol_new.address() }]))
        .unwrap();
    assert_eq!(by_wallet["events"][0]["txHash"], recovered["txHash"]);

    // Every block of the story, decided by the fault-proof program as the node derived it.
    every_block_agrees(&config, &c.node, "rwa");
}

/// The compliance module's event types: what the explorer's audit trail lists.
const COMPLIANCE_EVENTS: [&str; 15] = [
    "registryAgentChanged",
    "trustedIssuerChanged",
    "identityRegistered",
    "walletLinked",
    "claimAdded",
    "claimRemoved",
    "sanctionChanged",
    "complianceRulesSet",
    "complianceAgentChanged",
    "complianceApproved",
    "assetPaused",
    "walletFrozen",
    "amountFrozen",
    "forcedTransfer",
    "walletRecovered",
];

/// game: a player authorizes a session key once; then 10,000 session-signed item moves and
/// transfers soft-confirm without another wallet signature, their fees paid by the game.
#[test]
fn game_preset_story() {
    let dir = tempfile::tempdir().unwrap();
    let (config, cfg, keys) = init_preset(dir.path(), "game", 4);
    // L1 on anvil: batches, outputs and witnesses, so every block is then decided by the
    // fault-proof program from L1 and the node alone.
    let _l1 = attach_l1(&config);
    assert_eq!(cfg.sequencer.block_time_ms, 20);
    let c = Client::new(start_node(&config));
    let (studio, player, friend) = (&keys[0], &keys[1], &keys[2]);
    const COLLECTION: u32 = pillar_node::GAME_COLLECTION;
    const GOLD: u64 = 1;

    // The studio mints the player's starting items (its own minting key, a plain transaction).
    let start = vec![ItemAmount { item: GOLD, amount: 1_000_000 }, ItemAmount { item: 100, amount: 1 }];
    c.ok(
        studio,
        Call::Items(pillar_items::ItemsCall::MintItems(MintItems {
            collection: COLLECTION,
            to: player.address(),
            items: start,
        })),
    );

    // One wallet signature: a session for item moves (tag 37) and transfers (tag 0), capped at
    // 5,000 PUSD, valid for an hour of block time.
    let session = SessionSigner::ed25519([42; 32]);
    let head_ms =
        c.node.call("pillar_getBlockByNumber", json!(["latest"])).unwrap()["timestampMs"].as_u64().unwrap();
    let scope = AuthorizeSession {
        key: session.public_key(),
        calls: 1 | 1 << 37,
        expires_ms: head_ms + 3_600_000,
        window_ms: 0,
        max_txs: 0,
        caps: vec![SpendCap { asset: 1, total: 5_000, per_window: 0 }],
    };
    c.ok(player, Call::Sessions(pillar_sessions::SessionsCall::AuthorizeSession(scope)));
    let player_eth = c.balance(player.address(), 0);
    let sponsor =
        |field: &str| amount(&c.query("sessions", "sponsor", json!({"sponsor": studio.address()}))[field]);
    let budget = sponsor("budget");
    let friend_pusd = c.balance(friend.address(), 1);

    // 10,000 moves signed by the session key alone, sponsored by the studio, in play order.
    let first = c.nonce(player.address());
    let n = 10_000u64;
    let txs: Vec<SignedTransaction> = (0..n)
        .map(|i| {
            let call = if i % 2 == 0 {
                Call::Items(pillar_items::ItemsCall::TransferItems(TransferItems {
                    collection: COLLECTION,
                    to: friend.address(),
                    items: vec![ItemAmount { item: GOLD, amount: 1 }],
                }))
            } else {
                Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
                    to: friend.address(),
                    asset: 1,
                    amount: 1,
                }))
            };
            let tx = Transaction { chain_id: CHAIN, nonce: first + i, max_fee: c.fee, call };
            session.sign(tx, player.address(), Some(studio.address()))
        })
        .collect();
    assert!(txs.iter().all(|t| matches!(t.envelope, Some(Envelope::Session { .. }))));
    let started = Instant::now();
    // The pool holds up to 1,024 per sender: feed it in rounds, as a client streaming moves does.
    for round in txs.chunks(1_000) {
        c.submit_all(round);
        c.wait_nonce(player.address(), round.last().unwrap().tx.nonce + 1);
    }
    eprintln!("game: {n} session moves soft-confirmed in {:?}", started.elapsed());

    // Every move happened: 5,000 gold and 5,000 PUSD reached the friend.
    let gold = c.query(
        "items",
        "balance",
        json!({"collection": COLLECTION, "item": GOLD, "holder": friend.address()}),
    );
    assert_eq!(amount(&gold), 5_000);
    assert_eq!(c.balance(friend.address(), 1), friend_pusd + 5_000);
    // The player paid nothing more; the studio paid every fee, out of its sponsor budget (it is
    // also the preset's fee recipient, so its ETH balance nets out).
    assert_eq!(c.balance(player.address(), 0), player_eth);
    assert_eq!(sponsor("budget"), budget - u128::from(n) * c.fee);
    let last = c.node.call("pillar_getReceipt", json!([txs.last().unwrap().hash()])).unwrap();
    assert_eq!(last["status"], "success");
    assert_eq!(last["sender"], json!(player.address()));
    assert_eq!(events(&last, "feePaid")[0]["from"], json!(studio.address()));

    // The session's cap binds: the 5,001st PUSD is refused at the door.
    let over = session.sign(
        Transaction {
            chain_id: CHAIN,
            nonce: first + n,
            max_fee: c.fee,
            call: Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
                to: friend.address(),
                asset: 1,
                amount: 1,
            })),
        },
        player.address(),
        Some(studio.address()),
    );
    let e = c.submit(&over).unwrap_err();
    assert_eq!(e.code, -38018, "{e}");

    // Every block of the story, decided by the fault-proof program as the node derived it.
    every_block_agrees(&config, &c.node, "game");
}

/// agents: 1,000 paid requests, one voucher each checked off chain, settle as one transaction,
/// and the balances add up exactly.
#[test]
fn agents_preset_story() {
    let dir = tempfile::tempdir().unwrap();
    let (config, cfg, keys) = init_preset(dir.path(), "agents", 4);
    // L1 on anvil: batches, outputs and witnesses, so every block is then decided by the
    // fault-proof program from L1 and the node alone.
    let _l1 = attach_l1(&config);
    assert!(cfg.chain.modules.contains(&"agents".to_string()));
    let c = Client::new(start_node(&config));
    let (payer, owner) = (&keys[1], &keys[2]);
    const USD: u32 = 1;

    // The agent selling an API registers its identity; its earnings go to its owner's wallet.
    let r = c.ok(
        owner,
        Call::Agents(pillar_agents::AgentsCall::RegisterAgent(RegisterAgent {
            card_uri: "https://weather.example/.well-known/agent-card.json".into(),
            wallet: Address::ZERO,
            metadata: vec![],
        })),
    );
    let agent = events(&r, "agentRegistered")[0]["agent"].as_u64().unwrap();

    // The payer's client opens a channel with 1,000,000 units and a hot voucher key.
    let hot = SessionSigner::ed25519([7; 32]);
    let (payer_usd, owner_usd) = (c.balance(payer.address(), USD), c.balance(owner.address(), USD));
    let (payer_eth, owner_eth) = (c.balance(payer.address(), 0), c.balance(owner.address(), 0));
    let deposit = 1_000_000u128;
    let r = c.ok(
        payer,
        Call::Agents(pillar_agents::AgentsCall::OpenChannel(OpenChannel {
            agent,
            asset: USD,
            amount: deposit,
            voucher_key: hot.public_key(),
            timeout_ms: 60_000,
        })),
    );
    let channel = events(&r, "channelFunded")[0]["channel"].as_u64().unwrap();

    // 1,000 requests at varying prices: one cumulative voucher each, checked by the agent off
    // chain before it serves the request.
    let mut owed = 0u128;
    let mut latest = None;
    let mut accepted = 0u128;
    let started = Instant::now();
    for i in 0..1_000u128 {
        owed += 100 + (i * 37) % 900;
        let v = Voucher { chain_id: CHAIN, channel, cumulative: owed };
        let sig = v.sign(&hot);
        // The agent's check: the channel's key signed it, and it owes more than the last one.
        assert!(v.verify(&hot.public_key(), &sig));
        assert!(owed > accepted && owed <= deposit);
        accepted = owed;
        latest = Some((v, sig));
    }
    eprintln!("agents: 1,000 vouchers signed and checked in {:?}", started.elapsed());
    let (v, sig) = latest.unwrap();

    // One settlement transaction for all 1,000 requests, closing the channel.
    let r = c.ok(
        owner,
        Call::Agents(pillar_agents::AgentsCall::SettleChannel(SettleChannel {
            channel,
            cumulative: v.cumulative,
            signature: sig.to_vec(),
            close: true,
        })),
    );
    assert_eq!(amount(&events(&r, "channelSettled")[0]["paid"]), owed);
    assert_eq!(amount(&events(&r, "channelClosed")[0]["refunded"]), deposit - owed);

    // Exact balances: the payer paid what it owed and one fee, the agent earned it and paid one.
    assert_eq!(c.balance(payer.address(), USD), payer_usd - owed);
    assert_eq!(c.balance(owner.address(), USD), owner_usd + owed);
    assert_eq!(c.balance(payer.address(), 0), payer_eth - c.fee);
    assert_eq!(c.balance(owner.address(), 0), owner_eth - c.fee);
    let ch = c.query("agents", "channel", json!({"channel": channel}));
    assert_eq!(ch["closed"], true, "{ch}");

    // A replayed voucher on the closed channel is refused; the paying client's feedback counts
    // as paid.
    let stale = c.ok(
        payer,
        Call::Agents(pillar_agents::AgentsCall::GiveFeedback(GiveFeedback {
            agent,
            score: 95,
            tag: "weather".into(),
            uri: String::new(),
        })),
    );
    assert_eq!(events(&stale, "feedbackGiven")[0]["paid"], true);
    let stx = owner.sign(c.tx(
        owner.address(),
        Call::Agents(pillar_agents::AgentsCall::SettleChannel(SettleChannel {
            channel,
            cumulative: v.cumulative,
            signature: sig.to_vec(),
            close: false,
        })),
    ));
    let hash = c.submit(&stx).unwrap();
    let r = wait_receipt(&c.node, &hash);
    assert_eq!(r["status"], "failed", "{r}");

    // Every block of the story, decided by the fault-proof program as the node derived it.
    every_block_agrees(&config, &c.node, "agents");
}
