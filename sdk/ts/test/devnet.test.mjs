// End-to-end tests against a running `pillar devnet --preset game` (anvil + contracts + L2).
// Environment: PILLAR_RPC, PILLAR_WS, PILLAR_L1_RPC, PILLAR_PORTAL, PILLAR_ROLLUP, PILLAR_KEYS
// (comma-separated dev keys as printed by the devnet; keys[0] is the operator, fee recipient
// and game sponsor). bin/pillar/tests/it/sdk.rs starts the devnet and runs this file.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { createPublicClient, createWalletClient, http, parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';

import {
  L1Bridge,
  PillarClient,
  PillarRpcError,
  SessionSigner,
  callBits,
  decodeAccount,
  encodeSignedTransaction,
  findEvent,
  pillarDomain,
  rollupAbi,
  verifyStateProof,
} from '../dist/index.js';
import { samples } from '../fixtures/samples.mjs';
import { compileTestToken } from '../fixtures/token.mjs';

const env = process.env;
const skip = env.PILLAR_RPC ? false : 'PILLAR_RPC not set (start `pillar devnet --preset game` and export its endpoints)';
const keys = (env.PILLAR_KEYS ?? '').split(',').filter(Boolean).map((k) => (k.startsWith('0x') ? k : `0x${k}`));

describe('Pillar devnet', { skip }, () => {
  /** @type {PillarClient} */
  let client;
  let accounts;
  let fee;
  let chainId;

  before(async () => {
    // No WebSocket passed: the global one, or on Node 20 the `ws` package, is found by the SDK.
    client = new PillarClient({ url: env.PILLAR_RPC, wsUrl: env.PILLAR_WS });
    accounts = keys.map((k) => privateKeyToAccount(k));
    assert.ok(accounts.length >= 4, 'PILLAR_KEYS needs 4 dev keys');
    const info = await client.chainInfo();
    fee = info.fees.txFee;
    chainId = info.chainId;
  });

  after(async () => {
    await client?.close();
  });

  test('chain info: the EIP-712 domain the SDK signs with is the node\'s', async () => {
    const info = await client.chainInfo();
    assert.equal(info.role, 'sequencer');
    assert.deepEqual(pillarDomain(info.chainId), { ...info.eip712Domain, chainId: BigInt(info.eip712Domain.chainId) });
    for (const m of ['accounts', 'assets', 'bridge', 'sessions', 'items']) assert.ok(info.modules.includes(m), m);
    assert.ok(fee > 0n);
    assert.ok(info.heads.soft >= info.heads.safe && info.heads.safe >= info.heads.finalized);
  });

  test('a transfer signed by a viem local account moves exact amounts; the node recovers the account', async () => {
    const [, from, to] = accounts;
    const [from0, to0] = [await client.getBalance(from.address), await client.getBalance(to.address)];
    const amount = 1_234_567n;
    const signed = await client.sendCall(from, { type: 'Transfer', to: to.address, asset: 0, amount });
    const receipt = await client.waitForReceipt(signed.hash);
    assert.equal(receipt.status, 'success');
    assert.equal(receipt.sender, from.address.toLowerCase());
    assert.equal(receipt.txHash, signed.hash);
    assert.equal(receipt.feePaid, fee);
    assert.deepEqual(findEvent(receipt, 'transfer'), { type: 'transfer', asset: 0, from: from.address.toLowerCase(), to: to.address.toLowerCase(), amount });
    assert.equal(await client.getBalance(to.address), to0 + amount);
    assert.equal(await client.getBalance(from.address), from0 - amount - fee);
    const entry = await client.getTransaction(signed.hash);
    assert.equal(entry.kind, 'signed');
    assert.equal(entry.sender.toLowerCase(), from.address.toLowerCase());
    assert.equal(entry.raw, signed.raw);
  });

  test('a wallet that signs over JSON-RPC (eth_signTypedData_v4 on anvil) signs identically', async () => {
    const from = accounts[3];
    // A json-rpc account: viem asks the wallet behind the transport to sign, as with window.ethereum.
    const wallet = createWalletClient({ account: from.address, chain: foundry, transport: http(env.PILLAR_L1_RPC) });
    const to = privateKeyToAccount(generatePrivateKey()).address;
    const nonce = await client.getNonce(from.address);
    const remote = await client.signCall(wallet, { type: 'Transfer', to, asset: 0, amount: 99n }, { nonce });
    const local = await client.signCall(from, { type: 'Transfer', to, asset: 0, amount: 99n }, { nonce });
    assert.equal(remote.raw, local.raw);
    await client.sendRawTransaction(remote);
    const receipt = await client.waitForReceipt(remote.hash);
    assert.equal(receipt.sender, from.address.toLowerCase());
    assert.equal(await client.getBalance(to), 99n);
  });

  test('bad signatures are refused with their error kind', async () => {
    const from = accounts[1];
    const signed = await client.signCall(from, { type: 'Transfer', to: accounts[2].address, asset: 0, amount: 1n });
    const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const highS = { ...signed.signature, s: `0x${(N - BigInt(signed.signature.s)).toString(16).padStart(64, '0')}`, v: signed.signature.v === 27 ? 28 : 27 };
    for (const sig of [highS, { ...signed.signature, v: 29 }]) {
      const raw = `0x${Buffer.from(encodeSignedTransaction(signed.tx, sig)).toString('hex')}`;
      await assert.rejects(client.sendRawTransaction(raw), (e) => {
        assert.ok(e instanceof PillarRpcError);
        assert.equal(e.kind, 'bad_signature');
        assert.equal(e.code, -38002);
        return true;
      });
    }
    await assert.rejects(client.sendRawTransaction('0x1234'), (e) => e instanceof PillarRpcError && e.kind === 'malformed');
    // Once included, the same nonce is too low.
    await client.sendRawTransaction(signed);
    await client.waitForReceipt(signed.hash);
    const again = await client.signCall(from, { type: 'Transfer', to: accounts[2].address, asset: 0, amount: 2n }, { nonce: signed.tx.nonce });
    await assert.rejects(client.sendRawTransaction(again), (e) => e instanceof PillarRpcError && e.kind === 'nonce_too_low' && e.code === -38004);
    const low = await client.signCall(from, { type: 'Transfer', to: accounts[2].address, asset: 0, amount: 2n }, { maxFee: fee - 1n });
    await assert.rejects(client.sendRawTransaction(low), (e) => e instanceof PillarRpcError && e.kind === 'fee_too_low');
  });

  test('receipts at safe and finalized finality arrive only once the heads cover them', async () => {
    const signed = await client.sendCall(accounts[1], { type: 'Transfer', to: accounts[2].address, asset: 0, amount: 5n });
    const soft = await client.waitForReceipt(signed.hash, { finality: 'soft' });
    const safe = await client.waitForReceipt(signed.hash, { finality: 'safe', timeoutMs: 60_000 });
    assert.deepEqual(safe, soft);
    assert.ok((await client.heads()).safe >= soft.blockHeight);
    const fin = await client.waitForReceipt(signed.hash, { finality: 'finalized', timeoutMs: 90_000 });
    assert.equal(fin.blockHeight, soft.blockHeight);
    const heads = await client.heads();
    assert.ok(heads.finalized >= fin.blockHeight, `finalized head ${heads.finalized} < ${fin.blockHeight}`);
    const finalizedBlock = await client.getBlock('finalized');
    assert.ok(finalizedBlock.height >= fin.blockHeight);
  });

  test('block subscription delivers the block holding a transaction; receipt subscription too', async () => {
    const seen = [];
    let resolveHit;
    const hit = new Promise((r) => { resolveHit = r; });
    let target = null;
    const unsubscribe = await client.subscribeBlocks((b) => {
      seen.push(b);
      if (target && b.transactions.includes(target)) resolveHit(b);
    });
    const signed = await client.signCall(accounts[2], { type: 'Transfer', to: accounts[1].address, asset: 0, amount: 3n });
    target = signed.hash;
    const viaWs = client.watchReceipt(signed.hash, { timeoutMs: 30_000 });
    await client.sendRawTransaction(signed);
    const block = await hit;
    const receipt = await viaWs;
    await unsubscribe();
    assert.equal(receipt.txHash, signed.hash);
    assert.equal(receipt.blockHeight, block.height);
    // A devnet without reorgs never rolls back under its subscribers.
    assert.equal(block.replaces, false);
    const fetched = await client.getBlock(block.height);
    assert.equal(fetched.hash, block.hash);
    for (let i = 1; i < seen.length; i++) assert.equal(seen[i].height, seen[i - 1].height + 1);
  });

  test('accounts, queries and a verified state proof of a balance', async () => {
    const who = accounts[2].address;
    const account = await client.getAccount(who);
    assert.equal(account.address, who.toLowerCase());
    const eth = account.balances.find((b) => b.asset === 0).amount;
    assert.equal(eth, await client.getBalance(who));
    assert.equal(account.nonce, await client.query('accounts', 'nonce', who));
    // Retry across a block boundary: the proof and the balance must be read from the same state.
    for (let attempt = 0; ; attempt++) {
      const before = await client.getBalance(who);
      const proof = await client.getProof({ module: 'assets', field: 'balance', params: { address: who, asset: 0 } });
      if (proof.blockHeight === null) continue;
      const header = await client.getBlock(proof.blockHeight);
      assert.equal(header.stateRoot, proof.stateRoot);
      const outcome = verifyStateProof(proof, header.stateRoot);
      assert.equal(outcome.present, true);
      const proven = decodeAccount(proof.value);
      if (proven.balance !== before && attempt < 5) continue;
      assert.equal(proven.balance, before);
      assert.ok(proven.nonce >= BigInt(account.nonce), 'the record carries the nonce too');
      break;
    }
    const absent = await client.getProof({ module: 'assets', field: 'balance', params: { address: who, asset: 999 } });
    assert.equal(verifyStateProof(absent, absent.stateRoot).present, false);
    await assert.rejects(client.query('nope', 'nothing'), (e) => e instanceof PillarRpcError && e.kind === 'unknown_query');
  });

  test('asset calls: create, mint, burn and roles', async () => {
    const issuer = accounts[1];
    const created = await client.execute(issuer, { type: 'CreateAsset', name: 'SDK Coin', symbol: 'SDK', decimals: 6, maxSupply: 1_000_000n });
    assert.equal(created.status, 'success');
    const asset = findEvent(created, 'assetCreated').asset;
    const minted = await client.execute(issuer, { type: 'Mint', asset, to: issuer.address, amount: 1000n });
    assert.equal(minted.status, 'success');
    const burned = await client.execute(issuer, { type: 'Burn', asset, amount: 400n });
    assert.equal(burned.status, 'success');
    assert.equal(await client.getBalance(issuer.address, asset), 600n);
    const role = await client.execute(issuer, { type: 'SetAssetRole', asset, role: 1, account: accounts[2].address, enabled: true });
    assert.deepEqual(findEvent(role, 'roleChanged'), { type: 'roleChanged', asset, role: 1, account: accounts[2].address.toLowerCase(), enabled: true });
    const capped = await client.execute(accounts[2], { type: 'Mint', asset, to: accounts[2].address, amount: 1_000_000n });
    assert.equal(capped.status, 'failed');
    assert.equal(capped.code, 1004);
  });

  test('items calls: collection, minter, classes, mint, transfer, burn', async () => {
    const studio = accounts[1];
    const player = accounts[2].address;
    const c = await client.execute(studio, { type: 'CreateCollection', name: 'SDK Quest', uri: 'https://example.com/{id}' });
    const collection = findEvent(c, 'collectionCreated').collection;
    assert.equal((await client.execute(studio, { type: 'SetItemMinter', collection, minter: accounts[3].address, enabled: true })).status, 'success');
    const d = await client.execute(studio, { type: 'DefineItems', collection, classes: [{ item: 1n, maxSupply: 100n, transferable: true }, { item: 7n, maxSupply: 1n, transferable: false }] });
    assert.equal(d.events.filter((e) => e.type === 'itemDefined').length, 2);
    const m = await client.execute(studio, { type: 'MintItems', collection, to: studio.address, items: [{ item: 1n, amount: 10n }, { item: 7n, amount: 1n }] });
    assert.equal(m.status, 'success');
    const t = await client.execute(studio, { type: 'TransferItems', collection, to: player, items: [{ item: 1n, amount: 4n }] });
    assert.deepEqual(findEvent(t, 'itemsMoved'), { type: 'itemsMoved', collection, item: 1, from: studio.address.toLowerCase(), to: player.toLowerCase(), amount: 4n });
    const soulbound = await client.execute(studio, { type: 'TransferItems', collection, to: player, items: [{ item: 7n, amount: 1n }] });
    assert.equal(soulbound.status, 'failed');
    const b = await client.execute(studio, { type: 'BurnItems', collection, items: [{ item: 7n, amount: 1n }] });
    assert.equal(b.status, 'success');
  });

  test('session keys: ed25519 sponsored and P-256 self-paid transfers act for the account', async () => {
    const player = accounts[2];
    const sponsor = accounts[0].address; // the game preset's studio sponsors Transfers
    const recipient = privateKeyToAccount(generatePrivateKey()).address;
    const head = await client.getBlock('latest');
    const ed = await SessionSigner.ed25519();
    const p = SessionSigner.p256();
    for (const s of [ed, p]) {
      const auth = await client.execute(player, {
        type: 'AuthorizeSession', key: s.key, calls: callBits('Transfer'), expiresMs: BigInt(head.timestampMs) + 3_600_000n,
        windowMs: 0n, maxTxs: 0, caps: [{ asset: 0, total: parseEther('1'), perWindow: 0n }],
      });
      assert.equal(auth.status, 'success', JSON.stringify(auth, (_, v) => (typeof v === 'bigint' ? v.toString() : v)));
      assert.equal(findEvent(auth, 'sessionAuthorized').key.publicKey, s.key.publicKey);
    }
    const before = await client.getBalance(player.address);
    const t1 = await client.sendSessionCall(ed, { type: 'Transfer', to: recipient, asset: 0, amount: 1000n }, { account: player.address, sponsor });
    const r1 = await client.waitForReceipt(t1.hash);
    assert.equal(r1.status, 'success');
    assert.equal(r1.sender, player.address.toLowerCase());
    assert.equal(findEvent(r1, 'feePaid').from, sponsor.toLowerCase());
    assert.equal(await client.getBalance(player.address), before - 1000n, 'the sponsor paid the fee');
    const t2 = await client.sendSessionCall(p, { type: 'Transfer', to: recipient, asset: 0, amount: 500n }, { account: player.address });
    const r2 = await client.waitForReceipt(t2.hash);
    assert.equal(r2.sender, player.address.toLowerCase());
    const pfee = r2.feePaid;
    assert.equal(await client.getBalance(player.address), before - 1000n - 500n - pfee);
    assert.equal(await client.getBalance(recipient), 1500n);
    // A tampered session signature is refused; a call out of scope is refused by the session.
    const bad = await client.signSessionCall(ed, { type: 'Transfer', to: recipient, asset: 0, amount: 1n }, { account: player.address });
    const s = BigInt(bad.signature.s) ^ 1n;
    const tampered = encodeSignedTransaction(bad.tx, { ...bad.signature, s: `0x${s.toString(16).padStart(64, '0')}` }, bad.envelope);
    await assert.rejects(client.sendRawTransaction(`0x${Buffer.from(tampered).toString('hex')}`), (e) => e instanceof PillarRpcError && e.kind === 'bad_signature');
    // (Of PUSD: this chain has no bridged ETH yet, and an ETH withdrawal would be refused as
    // withdrawal_unbacked before the session is judged.)
    const outOfScope = await client.signSessionCall(ed, { type: 'Withdraw', asset: 1, amount: 1n, l1Recipient: recipient }, { account: player.address });
    await assert.rejects(client.sendRawTransaction(outOfScope), (e) => e instanceof PillarRpcError && e.kind === 'session_refused');
    const revoke = await client.execute(player, { type: 'RevokeSession', key: ed.key });
    assert.equal(findEvent(revoke, 'sessionRevoked').key.publicKey, ed.key.publicKey);
    const afterRevoke = await client.signSessionCall(ed, { type: 'Transfer', to: recipient, asset: 0, amount: 1n }, { account: player.address });
    await assert.rejects(client.sendRawTransaction(afterRevoke), (e) => e instanceof PillarRpcError && e.kind === 'session_refused');
  });

  test('a wallet-signed sponsored transfer: the sponsor pays the fee', async () => {
    const from = accounts[3];
    const to = privateKeyToAccount(generatePrivateKey()).address;
    const before = await client.getBalance(from.address);
    const r = await client.execute(from, { type: 'Transfer', to, asset: 0, amount: 77n }, { sponsor: accounts[0].address });
    assert.equal(r.status, 'success');
    assert.equal(r.sender, from.address.toLowerCase());
    assert.equal(await client.getBalance(from.address), before - 77n);
  });

  test('call kinds of modules this chain lacks decode and verify, then are refused as unknown_call', async () => {
    const from = accounts[3];
    const present = new Set(['Transfer', 'CreateAsset', 'Mint', 'Burn', 'SetAssetRole', 'Withdraw', 'AuthorizeSession', 'RevokeSession', 'SetSponsorPolicy',
      'CreateCollection', 'SetItemMinter', 'DefineItems', 'MintItems', 'TransferItems', 'BurnItems']);
    for (const call of samples.filter((c) => !present.has(c.type))) {
      const signed = await client.signCall(from, call);
      await assert.rejects(client.sendRawTransaction(signed), (e) => {
        assert.ok(e instanceof PillarRpcError, String(e));
        assert.equal(e.kind, 'unknown_call', `${call.type}: ${e.message}`);
        return true;
      });
    }
  });

  test('batch submission reports each transaction on its own', async () => {
    const from = accounts[3];
    const nonce = await client.getNonce(from.address);
    const ok = await client.signCall(from, { type: 'Transfer', to: accounts[1].address, asset: 0, amount: 1n }, { nonce });
    const stale = await client.signCall(from, { type: 'Transfer', to: accounts[1].address, asset: 0, amount: 1n }, { nonce: nonce - 1 });
    const res = await client.sendRawTransactions([ok, stale]);
    assert.equal(res[0].hash, ok.hash);
    assert.equal(res[1].error.kind, 'nonce_too_low');
    await client.waitForReceipt(ok.hash);
  });

  describe('L1 bridge', { skip: env.PILLAR_L1_RPC && env.PILLAR_PORTAL ? false : 'PILLAR_L1_RPC / PILLAR_PORTAL not set' }, () => {
    let bridge;
    let publicClient;
    let walletClient;
    before(() => {
      publicClient = createPublicClient({ chain: foundry, transport: http(env.PILLAR_L1_RPC) });
      walletClient = createWalletClient({ account: accounts[3], chain: foundry, transport: http(env.PILLAR_L1_RPC) });
      bridge = new L1Bridge({ l2: client, publicClient, walletClient, portal: env.PILLAR_PORTAL, rollup: env.PILLAR_ROLLUP });
    });

    test('the Rollup is the Portal\'s', async () => {
      const fromPortal = new L1Bridge({ l2: client, publicClient, portal: env.PILLAR_PORTAL });
      assert.equal((await fromPortal.rollup()).toLowerCase(), env.PILLAR_ROLLUP.toLowerCase());
    });

    test('an ETH deposit on L1 is credited on L2 by the exact amount', async () => {
      const to = privateKeyToAccount(generatePrivateKey()).address;
      const amount = parseEther('0.25');
      const deposit = await bridge.depositEth({ amount, to });
      assert.equal(deposit.kind, 0);
      assert.equal(deposit.sender.toLowerCase(), accounts[3].address.toLowerCase());
      const receipt = await bridge.waitForDeposit(deposit, { timeoutMs: 60_000 });
      assert.equal(receipt.status, 'success');
      assert.equal(receipt.txHash, deposit.messageHash);
      const ev = findEvent(receipt, 'deposited');
      assert.equal(ev.amount, amount);
      assert.equal(ev.to, to.toLowerCase());
      assert.equal(ev.queueIndex, Number(deposit.index));
      assert.equal(await client.getBalance(to), amount);
    });

    test('a forced transaction through L1 executes on L2 under its own hash', async () => {
      const from = accounts[3];
      const to = privateKeyToAccount(generatePrivateKey()).address;
      const signed = await client.signCall(from, { type: 'Transfer', to, asset: 0, amount: 4242n });
      await bridge.forceTransaction(signed);
      const receipt = await client.waitForReceipt(signed.hash, { timeoutMs: 60_000 });
      assert.equal(receipt.status, 'success');
      assert.equal(receipt.sender, from.address.toLowerCase());
      assert.equal(await client.getBalance(to), 4242n);
      // Anyone may append a force entry (needed when no batches are posted); it grows the chain.
      const rollup = await bridge.rollup();
      const count = () => publicClient.readContract({ address: rollup, abi: rollupAbi, functionName: 'batchCount' });
      const before = await count();
      const entry = await bridge.forceInclusion();
      assert.ok(entry.l1Block > 0n);
      assert.ok((await count()) > before);
    });

    test('an ERC-20 deposit creates the L2 asset; withdrawing it pays the tokens back on L1', async () => {
      const { abi, bytecode } = compileTestToken();
      const supply = 10n ** 24n;
      const deployHash = await walletClient.deployContract({ abi, bytecode, args: [supply] });
      const token = (await publicClient.waitForTransactionReceipt({ hash: deployHash })).contractAddress;
      const holder = accounts[3];
      const amount = 5_000_000n;
      const deposit = await bridge.depositErc20({ token, amount });
      assert.equal(deposit.kind, 1);
      const receipt = await bridge.waitForDeposit(deposit, { timeoutMs: 60_000 });
      assert.equal(receipt.status, 'success');
      const ev = findEvent(receipt, 'deposited');
      assert.equal(ev.l1Token, token.toLowerCase());
      assert.equal(ev.amount, amount);
      assert.equal(await client.query('bridge', 'l2Asset', { token }), ev.asset);
      assert.equal(await client.getBalance(holder.address, ev.asset), amount);
      assert.equal(await publicClient.readContract({ address: token, abi, functionName: 'balanceOf', args: [env.PILLAR_PORTAL] }), amount);

      const l1Recipient = privateKeyToAccount(generatePrivateKey()).address;
      const w = await client.execute(holder, { type: 'Withdraw', asset: ev.asset, amount: 2_000_000n, l1Recipient });
      assert.equal(w.status, 'success');
      assert.equal(await client.getBalance(holder.address, ev.asset), amount - 2_000_000n);
      const done = await bridge.finalizeWithdrawal(w, { timeoutMs: 120_000 });
      assert.equal(done.withdrawal.token.toLowerCase(), token.toLowerCase());
      assert.equal(await publicClient.readContract({ address: token, abi, functionName: 'balanceOf', args: [l1Recipient] }), 2_000_000n);
    });

    test('a withdrawal is finalized on L1 and the recipient\'s L1 balance grows by the amount', async () => {
      const from = accounts[3];
      const l1Recipient = privateKeyToAccount(generatePrivateKey()).address;
      const amount = parseEther('0.1');
      const l2Before = await client.getBalance(from.address);
      const receipt = await client.execute(from, { type: 'Withdraw', asset: 0, amount, l1Recipient });
      assert.equal(receipt.status, 'success');
      assert.equal(await client.getBalance(from.address), l2Before - amount - receipt.feePaid);
      const ev = findEvent(receipt, 'withdrawalInitiated');
      assert.equal(ev.amount, amount);
      const l1Before = await publicClient.getBalance({ address: l1Recipient });
      assert.equal(l1Before, 0n);
      const done = await bridge.finalizeWithdrawal(receipt, { timeoutMs: 120_000 });
      assert.equal(done.l1Receipt.status, 'success');
      assert.equal(done.leaf, ev.leaf);
      assert.ok(done.withdrawal.l2Block <= (await bridge.getOutput(done.outputIndex)).l2Block);
      assert.ok(await bridge.isOutputFinalized(done.outputIndex));
      // The output root commits to where derivation found the block; L1 computes the same root.
      const output = await bridge.getOutput(done.outputIndex);
      const pre = await client.getOutputPreimage(Number(output.l2Block));
      assert.deepEqual(pre.cursor, done.cursor);
      assert.ok(pre.cursor.phase === 0 || pre.cursor.phase === 1);
      const onL1 = await publicClient.readContract({
        address: await bridge.rollup(),
        abi: rollupAbi,
        functionName: 'computeOutputRoot',
        args: [pre.stateRoot, pre.withdrawalsRoot, pre.blockHash, pre.cursor],
      });
      assert.equal(onL1, output.outputRoot);
      assert.equal(pre.outputRoot, output.outputRoot);
      assert.equal(await publicClient.getBalance({ address: l1Recipient }), l1Before + amount);
      assert.equal(await bridge.isWithdrawalFinalized(done.withdrawal), true);
      // The L2 finalized head covers the withdrawal's block too (the proposer's output is final).
      await client.waitForReceipt(receipt.txHash, { finality: 'finalized', timeoutMs: 60_000 });
      // Paying twice is refused by the Portal.
      await assert.rejects(bridge.finalizeWithdrawal(done.withdrawal, { timeoutMs: 10_000 }), /WithdrawalAlreadyFinalized/);
    });
  });
});
