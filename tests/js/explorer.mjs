// Drives the built-in explorer of a running devnet in headless Chromium (Debian's, through
// playwright-core): searches for an address, opens a transaction from its page, watches a new
// block appear without a reload, and finds the batches posted to L1. Transfers are signed with
// ethers (Wallet.signTypedData). Prints one JSON line; exits non-zero on any failure.
//
//   node tests/js/explorer.mjs --rpc http://127.0.0.1:8545 --key 0x… --to 0x… [--screenshot out.png]
import { Wallet } from 'ethers';
import { chromium } from 'playwright-core';
import { types, domain } from './pillar-types.mjs';
import { httpClient } from './rpc.mjs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const url = args.rpc;

const http = httpClient(url);

async function transfer(wallet, to, amount) {
  const info = await http('pillar_chainInfo', []);
  const { nonce } = await http('pillar_getAccount', [wallet.address]);
  const message = { to, asset: 0, amount: amount.toString(), nonce, maxFee: info.fees.txFee };
  const signature = await wallet.signTypedData(domain(info.chainId), { Transfer: types.Transfer }, message);
  const hash = await http('pillar_sendTransaction', [{ chainId: info.chainId, primaryType: 'Transfer', message, signature }]);
  for (let i = 0; i < 1000; i++) {
    const r = await http('pillar_getReceipt', [hash]);
    if (r) return { hash, receipt: r };
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error(`no receipt for ${hash}`);
}

function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
}

async function main() {
  const wallet = new Wallet(args.key);
  const to = args.to;
  const first = await transfer(wallet, to, 4242n);
  check(first.receipt.status === 'success', 'the first transfer succeeded');

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const result = {};
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 800 } });
    const consoleErrors = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(`${url}/explorer`);
    await page.waitForSelector('#blocks-body tr');
    await page.waitForSelector('#live.on', { timeout: 15000 });
    result.title = await page.title();

    // Search for the recipient: its page lists the transfer and links to it.
    await page.fill('#search-input', to);
    await page.press('#search-input', 'Enter');
    await page.waitForFunction((a) => location.hash === `#/address/${a}`, to);
    await page.waitForSelector('#balances tr');
    const txLink = page.locator(`a[href="#/tx/${first.hash}"]`).first();
    await txLink.waitFor();
    await txLink.click();
    await page.waitForFunction((h) => location.hash === `#/tx/${h}`, first.hash);
    await page.waitForSelector('text=Transaction');
    const txText = await page.locator('main').innerText();
    check(txText.includes(first.hash), 'the transaction page shows its hash');
    check(txText.toLowerCase().includes(wallet.address.toLowerCase()), 'the transaction page shows the signer');
    check(/success/.test(txText), 'the transaction page shows success');
    check(/transfer/.test(txText), 'the transaction page shows the decoded call');
    // Names, docs and types come from the chain's own schema (pillar_schema).
    check(txText.includes('move an amount of an asset to another account'), 'the call is described from the schema');
    check(txText.includes('Transfer(address to,uint32 asset,uint128 amount,uint64 nonce,uint128 maxFee)'), 'the EIP-712 type comes from the schema');
    check(/amount\s+uint128/.test(txText), 'arguments show their types from the schema');
    check(txText.includes('A fee was charged.'), 'events are described from the schema');
    result.txPage = true;

    // Back to the overview; a new block must show up in place, without reloading the page.
    await page.click('nav a[href="#/"]');
    await page.waitForSelector('#blocks-body tr');
    await page.evaluate(() => { window.__noReload = true; });
    const before = Number(await page.locator('#blocks-body tr').first().getAttribute('data-height'));
    const second = await transfer(wallet, to, 7n);
    await page.waitForFunction(
      (h) => Number(document.querySelector('#blocks-body tr')?.dataset.height) >= h,
      second.receipt.blockHeight,
      { timeout: 15000 },
    );
    const after = Number(await page.locator('#blocks-body tr').first().getAttribute('data-height'));
    check(after > before, `a new block appeared (${before} -> ${after})`);
    check(await page.evaluate(() => window.__noReload === true), 'the page was not reloaded');
    await page.waitForSelector(`#txs-body a[href="#/tx/${second.hash}"]`, { timeout: 15000 });
    result.liveBlock = { before, after };

    // The batcher posts every second: the batches page lists them with their L1 transaction.
    let batches = 0;
    await page.click('nav a[href="#/batches"]');
    for (let i = 0; i < 60 && batches === 0; i++) {
      if (i > 0) await page.reload();
      await page.waitForSelector('h1:has-text("L1 batches")');
      batches = await page.locator('#batches tbody tr').count();
      if (batches === 0) await page.waitForTimeout(500);
    }
    check(batches > 0, 'the batches page lists a batch');
    result.batches = batches;
    if (args.screenshot) await page.screenshot({ path: args.screenshot, fullPage: true });
    check(consoleErrors.length === 0, `no console errors: ${consoleErrors.join(' | ')}`);
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify({ ok: true, ...result }));
}

main().catch((e) => {
  console.error(e.stack ?? String(e));
  process.exit(1);
});
