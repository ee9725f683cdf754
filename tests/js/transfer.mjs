// Signs a Pillar transfer with ethers v6 (Wallet.signTypedData), a client none of us wrote,
// submits it over HTTP or WebSocket, waits for the receipt (polling, or a WebSocket receipt
// subscription) and checks both balances. Prints one JSON line; exits non-zero on any failure.
//
//   node tests/js/transfer.mjs --rpc http://127.0.0.1:8545 --key 0x… --to 0x… --amount 1000 --mode http|ws
import { Wallet } from 'ethers';
import WebSocket from 'ws';
import { types, domain } from './pillar-types.mjs';
import { httpClient } from './rpc.mjs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const url = args.rpc;
const mode = args.mode ?? 'http';

// Request ids for the WebSocket mode.
let id = 0;
const http = httpClient(url);

function balance(account, asset) {
  const b = account.balances.find((x) => x.asset === asset);
  return BigInt(b ? b.amount : 0);
}

async function main() {
  const info = await http('pillar_chainInfo', []);
  const wallet = new Wallet(args.key);
  const to = args.to;
  const amount = BigInt(args.amount);
  const fee = BigInt(info.fees.txFee);
  const fromBefore = await http('pillar_getAccount', [wallet.address]);
  const toBefore = await http('pillar_getAccount', [to]);

  const message = { to, asset: 0, amount: amount.toString(), nonce: fromBefore.nonce, maxFee: fee.toString() };
  const signature = await wallet.signTypedData(domain(info.chainId), { Transfer: types.Transfer }, message);
  const tx = { chainId: info.chainId, primaryType: 'Transfer', message, signature };

  let hash;
  let receipt;
  if (mode === 'http') {
    hash = await http('pillar_sendTransaction', [tx]);
    for (let i = 0; i < 1000 && !receipt; i++) {
      receipt = await http('pillar_getReceipt', [hash]);
      if (!receipt) await new Promise((r) => setTimeout(r, 10));
    }
  } else {
    const ws = new WebSocket(url.replace('http://', 'ws://'));
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    const pending = new Map();
    let onReceipt;
    const gotReceipt = new Promise((resolve) => { onReceipt = resolve; });
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString());
      if (msg.id !== undefined && pending.has(msg.id)) {
        const { resolve, reject } = pending.get(msg.id);
        pending.delete(msg.id);
        msg.error ? reject(new Error(JSON.stringify(msg.error))) : resolve(msg.result);
      } else if (msg.method === 'pillar_receipt') {
        onReceipt(msg.params.result);
      }
    });
    const call = (method, params) => new Promise((resolve, reject) => {
      const rid = ++id;
      pending.set(rid, { resolve, reject });
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: rid, method, params }));
    });
    hash = await call('pillar_sendTransaction', [tx]);
    await call('pillar_subscribeReceipt', [hash]);
    receipt = await Promise.race([gotReceipt, new Promise((_, rej) => setTimeout(() => rej(new Error('no receipt in 10 s')), 10000))]);
    ws.close();
  }
  if (!receipt) throw new Error('no receipt');
  if (receipt.status !== 'success') throw new Error(`transfer failed: ${JSON.stringify(receipt)}`);
  if (receipt.txHash !== hash) throw new Error(`receipt for ${receipt.txHash}, sent ${hash}`);
  if (receipt.sender.toLowerCase() !== wallet.address.toLowerCase()) throw new Error(`sender ${receipt.sender} is not ${wallet.address}`);

  const fromAfter = await http('pillar_getAccount', [wallet.address]);
  const toAfter = await http('pillar_getAccount', [to]);
  if (balance(toAfter, 0) - balance(toBefore, 0) !== amount) throw new Error('recipient balance did not grow by the amount');
  if (balance(fromBefore, 0) - balance(fromAfter, 0) !== amount + fee) throw new Error('sender balance did not drop by amount + fee');
  if (fromAfter.nonce !== fromBefore.nonce + 1) throw new Error('sender nonce did not advance');
  console.log(JSON.stringify({ ok: true, mode, hash, blockHeight: receipt.blockHeight, signer: wallet.address }));
}

main().catch((e) => {
  console.error(e.stack ?? String(e));
  process.exit(1);
});
