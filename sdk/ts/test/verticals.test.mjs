// The compliance (rwa preset) and agents (agents preset) calls executed on real nodes.
// Environment: PILLAR_RWA_RPC + PILLAR_RWA_KEYS, PILLAR_AGENTS_RPC + PILLAR_AGENTS_KEYS (dev keys,
// comma-separated, the first being the preset's operator). bin/pillar/tests/it/sdk.rs starts both.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';

import { PillarClient, SessionSigner, findEvent } from '../dist/index.js';

const env = process.env;
const keysOf = (v) => (v ?? '').split(',').filter(Boolean).map((k) => privateKeyToAccount(k.startsWith('0x') ? k : `0x${k}`));
const fresh = () => privateKeyToAccount(generatePrivateKey()).address;
const lower = (a) => a.toLowerCase();

/** Sends, waits, and checks the node recovered the signer and the call succeeded. */
async function run(client, signer, call) {
  const r = await client.execute(signer, call);
  assert.equal(r.sender, lower(signer.address), call.type);
  assert.equal(r.status, 'success', `${call.type}: ${r.code} ${r.reason}`);
  return r;
}

describe('compliance calls on an rwa chain', { skip: env.PILLAR_RWA_RPC ? false : 'PILLAR_RWA_RPC not set' }, () => {
  test('registry, claims, rules, pause, freeze, forced transfers and recovery', async () => {
    const client = new PillarClient(env.PILLAR_RWA_RPC);
    const [issuer, alice, bob, agent] = keysOf(env.PILLAR_RWA_KEYS);
    const registry = issuer.address;
    const bond = 2;
    const far = BigInt(Date.now()) + 365n * 86_400_000n;

    await run(client, issuer, { type: 'SetRegistryAgent', agent: agent.address, enabled: true });
    await run(client, issuer, { type: 'SetTrustedIssuer', topic: 3, issuer: agent.address, enabled: true });
    const ids = [];
    for (const who of [alice, bob]) {
      const r = await run(client, issuer, { type: 'RegisterIdentity', registry, wallet: who.address });
      const ev = r.events.find((e) => e.type === 'identityRegistered');
      assert.equal(lower(ev.wallet), lower(who.address));
      ids.push(BigInt(ev.identity));
      await run(client, issuer, { type: 'AddClaim', identity: ids.at(-1), topic: 1, value: 2n, expiresMs: far });
      await run(client, issuer, { type: 'AddClaim', identity: ids.at(-1), topic: 2, value: 276n, expiresMs: far });
    }
    await run(client, issuer, { type: 'Mint', asset: bond, to: alice.address, amount: 1000n });
    await run(client, alice, { type: 'Transfer', to: bob.address, asset: bond, amount: 100n });
    assert.equal(await client.getBalance(bob.address, bond), 100n);

    await run(client, issuer, { type: 'SetComplianceAgent', asset: bond, agent: agent.address, enabled: true });
    await run(client, agent, { type: 'SetPaused', assets: [bond], paused: true });
    const paused = await client.signCall(alice, { type: 'Transfer', to: bob.address, asset: bond, amount: 1n });
    await assert.rejects(client.sendRawTransaction(paused), (e) => e.kind === 'compliance_refused');
    await run(client, agent, { type: 'SetPaused', assets: [bond], paused: false });
    await run(client, agent, { type: 'FreezeWallets', asset: bond, wallets: [bob.address], frozen: true });
    await run(client, agent, { type: 'FreezeWallets', asset: bond, wallets: [bob.address], frozen: false });
    await run(client, agent, { type: 'FreezeAmounts', asset: bond, entries: [{ wallet: alice.address, amount: 10n }], frozen: true });
    await run(client, agent, { type: 'ForcedTransfers', asset: bond, entries: [{ from: alice.address, to: bob.address, amount: 50n }] });
    assert.equal(await client.getBalance(bob.address, bond), 150n);
    const spare = fresh();
    await run(client, agent, { type: 'LinkWallet', identity: ids[0], wallet: spare, linked: true });
    await run(client, agent, { type: 'LinkWallet', identity: ids[0], wallet: spare, linked: false });
    const replacement = fresh();
    await run(client, agent, { type: 'RecoverWallets', asset: bond, entries: [{ lostWallet: bob.address, newWallet: replacement }] });
    assert.equal(await client.getBalance(replacement, bond), 150n);
    await run(client, issuer, { type: 'RemoveClaim', identity: ids[1], topic: 1 });
    await run(client, issuer, { type: 'SetSanctions', registry, wallets: [fresh()], identities: [], sanctioned: true });
    const created = await run(client, issuer, { type: 'CreateAsset', name: 'Note', symbol: 'NTE', decimals: 0, maxSupply: 1000n });
    await run(client, issuer, {
      type: 'SetComplianceRules', asset: findEvent(created, 'assetCreated').asset, registry,
      allowedCountries: [276], blockedCountries: [408], countryCaps: [{ country: 276, maxHolders: 10 }], maxHolders: 100,
      maxBalance: 500n, lockupMs: 0n, limitWindowMs: 0n, limitAmount: 0n, requiredClaims: [{ topic: 1, minValue: 2n }],
    });
  });
});

describe('agents calls on an agents chain', { skip: env.PILLAR_AGENTS_RPC ? false : 'PILLAR_AGENTS_RPC not set' }, () => {
  test('identity, channels settled with ed25519 and P-256 vouchers, feedback', async () => {
    const client = new PillarClient(env.PILLAR_AGENTS_RPC);
    const [, owner, payer, buyer] = keysOf(env.PILLAR_AGENTS_KEYS);
    const chainId = await client.chainId();
    const usd = 1;

    const reg = await run(client, owner, { type: 'RegisterAgent', cardUri: 'https://example.com/summa.json', wallet: owner.address, metadata: [{ key: 'model', value: 'v3' }] });
    const agentId = BigInt(reg.events.find((e) => e.type === 'agentRegistered').agent);
    await run(client, owner, { type: 'UpdateAgent', agent: agentId, cardUri: 'https://example.com/summa2.json', wallet: owner.address, metadata: [] });

    for (const voucherKey of [await SessionSigner.ed25519(), SessionSigner.p256()]) {
      const open = await run(client, payer, { type: 'OpenChannel', agent: agentId, asset: usd, amount: 1_000_000n, voucherKey: voucherKey.key, timeoutMs: 1n });
      const channel = BigInt(open.events.find((e) => e.type === 'channelFunded').channel);
      await run(client, payer, { type: 'FundChannel', channel, amount: 500n });
      const before = await client.getBalance(owner.address, usd);
      const signature = await voucherKey.signVoucher(chainId, channel, 1234n);
      const settled = await run(client, owner, { type: 'SettleChannel', channel, cumulative: 1234n, signature, close: false });
      assert.equal(settled.events.find((e) => e.type === 'channelSettled').paid, 1234n);
      assert.equal(await client.getBalance(owner.address, usd), before + 1234n);
      // A voucher signed for another amount does not settle.
      const forged = await client.execute(owner, { type: 'SettleChannel', channel, cumulative: 5000n, signature, close: false });
      assert.equal(forged.status, 'failed');
      await run(client, payer, { type: 'RequestChannelClose', channel });
      await run(client, payer, { type: 'CloseChannel', channel });
    }
    const fb = await run(client, payer, { type: 'GiveFeedback', agent: agentId, score: 90, tag: 'fast', uri: '' });
    assert.equal(fb.events.find((e) => e.type === 'feedbackGiven').paid, true);
    await run(client, payer, { type: 'RevokeFeedback', agent: agentId, index: 0n });
    await run(client, owner, { type: 'TransferAgent', agent: agentId, owner: buyer.address });
  });
});
