// Compile-time checks of the public types (tsc -p sdk/ts/test; nothing runs).
import { PillarClient, L1Bridge, SessionSigner, callBits, findEvent, signCall, typedDataFor, signingHash, type Call } from '../dist/index.js';
import { createPublicClient, createWalletClient, custom, http, parseEther, type Address } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { foundry, mainnet } from 'viem/chains';

async function main() {
  const client = new PillarClient({ url: 'http://127.0.0.1:8545' });
  const me = privateKeyToAccount('0x0101010101010101010101010101010101010101010101010101010101010101');
  const to: Address = '0x00000000000000000000000000000000000000aa';
  const tx = await client.sendCall(me, { type: 'Transfer', to, asset: 0, amount: 1n });
  const r = await client.waitForReceipt(tx.hash, { finality: 'finalized' });
  if (r.status === 'failed') console.log(r.code, r.reason);
  const ev = findEvent(r, 'withdrawalInitiated');
  if (ev) console.log(ev.amount + 1n, ev.leaf);
  const provider = { request: async () => null } as any;
  const wallet = createWalletClient({ account: to, transport: custom(provider) });
  await client.sendCall(wallet, { type: 'Withdraw', asset: 0, amount: 1n, l1Recipient: to });
  const session = await SessionSigner.ed25519();
  await client.sendSessionCall(session, { type: 'Transfer', to, asset: 0, amount: 1n }, { account: me.address, sponsor: to });
  const call: Call = { type: 'AuthorizeSession', key: session.key, calls: callBits('Transfer'), expiresMs: 1n, windowMs: 0n, maxTxs: 0, caps: [] };
  await client.execute(me, call);
  const t = { chainId: 901, nonce: 7, maxFee: 10n ** 13n, call: { type: 'Mint', asset: 3, to, amount: 5n } } as const;
  typedDataFor(t); signingHash(t);
  await signCall(me, t.call, { chainId: 901, nonce: 7, maxFee: 1n });
  const bridge = new L1Bridge({
    l2: client, portal: to,
    publicClient: createPublicClient({ chain: mainnet, transport: http('http://x') }),
    walletClient: createWalletClient({ account: me, chain: foundry, transport: http('http://x') }),
  });
  const d = await bridge.depositEth({ amount: parseEther('1') });
  await bridge.waitForDeposit(d);
  await bridge.finalizeWithdrawal(r, { timeoutMs: 1 });
  const unsub = await client.subscribeBlocks((b) => console.log(b.height, b.transactions[0]));
  await unsub();
  // @ts-expect-error: unknown call type
  const bad: Call = { type: 'Nope', to };
  // @ts-expect-error: amount must be a bigint
  const bad2: Call = { type: 'Transfer', to, asset: 0, amount: '1' };
  void bad; void bad2;
}
void main;
