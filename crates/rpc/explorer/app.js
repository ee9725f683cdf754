// Pillar explorer: a single page over this node's JSON-RPC (HTTP for reads, WebSocket for live
// blocks). No framework and no build step; every value from the chain is escaped before it is
// put in the page.

const COMPLIANCE_EVENTS = [
  'registryAgentChanged', 'trustedIssuerChanged', 'identityRegistered', 'walletLinked', 'claimAdded',
  'claimRemoved', 'sanctionChanged', 'complianceRulesSet', 'complianceAgentChanged', 'complianceApproved',
  'assetPaused', 'walletFrozen', 'amountFrozen', 'forcedTransfer', 'walletRecovered',
];
const COMPLIANCE_CODES = [3000, 3999];
const LATEST = 15;

const $ = (sel) => document.querySelector(sel);
const app = $('#app');
const state = { info: null, schema: null, blocks: [], txs: [], ws: null, route: '' };

// ---- helpers -------------------------------------------------------------------------------

function esc(v) {
  return String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}
const short = (h) => (typeof h === 'string' && h.length > 18 ? `${h.slice(0, 10)}…${h.slice(-6)}` : h ?? '');
const isAddress = (s) => /^0x[0-9a-fA-F]{40}$/.test(s);
const isHash = (s) => /^0x[0-9a-fA-F]{64}$/.test(s);
const link = {
  block: (h) => `<a href="#/block/${esc(h)}">${esc(h)}</a>`,
  tx: (h, full) => `<a class="mono" href="#/tx/${esc(h)}">${esc(full ? h : short(h))}</a>`,
  addr: (a, full) => (a ? `<a class="mono" href="#/address/${esc(a)}">${esc(full ? a : short(a))}</a>` : '<span class="muted">–</span>'),
  asset: (id) => `<a href="#/asset/${esc(id)}">${id === 0 ? 'ETH' : `asset ${esc(id)}`}</a>`,
};

function age(ms) {
  if (!ms) return 'genesis';
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  return `${Math.floor(s / 3600)}h ago`;
}

function eth(wei) {
  try {
    const v = BigInt(wei);
    const whole = v / 10n ** 18n;
    const frac = (v % 10n ** 18n).toString().padStart(18, '0').replace(/0+$/, '').slice(0, 8);
    return frac ? `${whole}.${frac}` : `${whole}`;
  } catch {
    return String(wei);
  }
}

function amount(assetId, value) {
  return assetId === 0 ? `${esc(eth(value))} ETH` : `${esc(value)} <span class="muted">units of</span> ${link.asset(assetId)}`;
}

// Renders any JSON value with addresses and hashes as links.
function value(v) {
  if (v === null || v === undefined) return '<span class="muted">null</span>';
  if (typeof v === 'string') {
    if (isAddress(v)) return link.addr(v, true);
    if (isHash(v)) return `<span class="mono">${esc(v)}</span>`;
    return esc(v);
  }
  if (typeof v !== 'object') return esc(v);
  if (Array.isArray(v)) {
    if (v.length > 0 && v.every((x) => typeof x === 'number')) return `<span class="mono">${esc(`${v.length} bytes`)}</span>`;
    return v.map(value).join(', ');
  }
  return `<table class="kv">${Object.entries(v).map(([k, x]) => `<tr><th>${esc(k)}</th><td>${value(x)}</td></tr>`).join('')}</table>`;
}

// One line: `key value · key value`, addresses shortened and linked.
function inline(obj) {
  return Object.entries(obj)
    .map(([k, v]) => {
      let shown;
      if (typeof v === 'string' && isAddress(v)) shown = link.addr(v);
      else if (typeof v === 'string' && isHash(v)) shown = `<span class="mono">${esc(short(v))}</span>`;
      else if (v !== null && typeof v === 'object') shown = `<code>${esc(JSON.stringify(v))}</code>`;
      else shown = esc(v);
      return `<span class="muted">${esc(k)}</span> ${shown}`;
    })
    .join(' <span class="muted">·</span> ');
}

const kv = (rows) => `<table class="kv">${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`).join('')}</table>`;
const badge = (text, kind = '') => `<span class="badge ${kind}">${esc(text)}</span>`;
const statusBadge = (r) => {
  if (!r) return badge('pending', 'warn');
  if (r.status === 'success') return badge('success', 'ok');
  if (r.status === 'failed') return `${badge('failed', 'bad')} <span class="mono">${esc(r.code)}</span>`;
  return badge(r.status, 'warn');
};

let nextId = 1;
async function rpc(method, params = []) {
  const res = await fetch('/', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
  });
  const body = await res.json();
  if (body.error) {
    const e = new Error(`${body.error.message}${body.error.data?.kind ? ` (${body.error.data.kind})` : ''}`);
    e.code = body.error.code;
    throw e;
  }
  return body.result;
}
const query = (module, method, params) => rpc('pillar_query', [module, method, params]);
const hasModule = (m) => !!state.info?.modules?.includes(m);

function finality(height) {
  const h = state.info?.heads;
  if (!h || height === undefined || height === null) return '';
  if (height <= h.finalized) return badge('finalized', 'ok');
  if (height <= h.safe) return badge('safe');
  return badge('soft', 'warn');
}

function callName(tx) {
  if (tx.kind === 'l1Message') return tx.message?.kind?.type ?? 'l1Message';
  return tx.call?.type ?? tx.typed?.primaryType ?? '?';
}

// ---- heads and live updates ----------------------------------------------------------------

async function refreshInfo() {
  try {
    state.info = await rpc('pillar_chainInfo');
    const { heads, role, chainId } = state.info;
    $('#head-soft').textContent = heads.soft;
    $('#head-safe').textContent = heads.safe;
    $('#head-finalized').textContent = heads.finalized;
    $('#head-role').textContent = role;
    $('#chain-name').textContent = `chain ${chainId}`;
    $('#nav-audit').hidden = !hasModule('compliance');
    const pending = $('#stat-pending');
    if (pending) pending.textContent = state.info.pendingTransactions;
  } catch (e) {
    $('#live').textContent = `node unreachable: ${e.message}`;
  }
}

function updateTps() {
  const recent = state.blocks.filter((b) => b.timestampMs >= Date.now() - 10_000);
  const n = recent.reduce((s, b) => s + (b.txCount ?? 0), 0);
  $('#head-tps').textContent = (n / 10).toFixed(1);
}

function connectLive() {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/`;
  const ws = new WebSocket(url);
  state.ws = ws;
  ws.onopen = () => ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'pillar_subscribeNewBlocks', params: [] }));
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.id === 1 && msg.result !== undefined) {
      $('#live').textContent = 'live';
      $('#live').classList.add('on');
    }
    if (msg.method === 'pillar_newBlock') onBlock(msg.params.result);
  };
  ws.onclose = () => {
    $('#live').textContent = 'reconnecting…';
    $('#live').classList.remove('on');
    setTimeout(connectLive, 2000);
  };
}

async function onBlock(header) {
  $('#head-soft').textContent = header.height;
  if (state.info) state.info.heads.soft = header.height;
  state.blocks.unshift(header);
  state.blocks.length = Math.min(state.blocks.length, 200);
  updateTps();
  if (state.route !== '') return;
  const body = $('#blocks-body');
  if (body) {
    body.insertAdjacentHTML('afterbegin', blockRow(header, true));
    while (body.children.length > LATEST) body.lastElementChild.remove();
  }
  if (header.txCount > 0) {
    const full = await rpc('pillar_getBlockByNumber', [header.height, true]).catch(() => null);
    const receipts = await rpc('pillar_getBlockReceipts', [header.height]).catch(() => []);
    const txBody = $('#txs-body');
    if (full && txBody && state.route === '') {
      const rows = full.transactions.map((t, i) => txRow(t, receipts?.[i], true)).reverse().slice(0, LATEST);
      txBody.insertAdjacentHTML('afterbegin', rows.join(''));
      while (txBody.children.length > LATEST) txBody.lastElementChild.remove();
    }
  }
}

// ---- pages ---------------------------------------------------------------------------------

const blockRow = (b, fresh) =>
  `<tr class="${fresh ? 'fresh' : ''}" data-height="${esc(b.height)}"><td>${link.block(b.height)}</td><td class="mono">${esc(short(b.hash))}</td><td>${esc(b.txCount)}</td><td class="muted">${esc(age(b.timestampMs))}</td></tr>`;
const txRow = (t, r, fresh) =>
  `<tr class="${fresh ? 'fresh' : ''}"><td>${link.tx(t.hash)}</td><td>${esc(callName(t))}</td><td>${link.addr(t.sender)}</td><td>${statusBadge(r)}</td></tr>`;

async function home() {
  const head = state.info.heads.soft;
  const heights = [];
  for (let h = head; h >= 0 && heights.length < LATEST; h--) heights.push(h);
  const blocks = (await Promise.all(heights.map((h) => rpc('pillar_getBlockByNumber', [h, false])))).filter(Boolean);
  if (state.blocks.length === 0) {
    state.blocks = blocks.slice();
    updateTps();
  }
  const txs = [];
  for (const b of blocks) {
    if (txs.length >= LATEST || b.txCount === 0) continue;
    const [full, receipts] = await Promise.all([rpc('pillar_getBlockByNumber', [b.height, true]), rpc('pillar_getBlockReceipts', [b.height])]);
    full.transactions.forEach((t, i) => txs.push([t, receipts?.[i]]));
  }
  txs.sort((a, b) => (b[0].blockHeight - a[0].blockHeight) || (b[0].index - a[0].index));
  const fees = state.info.fees;
  return `
    <div class="stats">
      <div class="stat"><div class="k">Chain id</div><div class="v">${esc(state.info.chainId)}</div></div>
      <div class="stat"><div class="k">Block time</div><div class="v">${esc(state.info.blockTimeMs)} ms</div></div>
      <div class="stat"><div class="k">Pending</div><div class="v" id="stat-pending">${esc(state.info.pendingTransactions)}</div></div>
      <div class="stat"><div class="k">Fee per tx</div><div class="v">${fees?.txFee ? `${esc(eth(fees.txFee))} ETH` : '–'}</div></div>
      <div class="stat"><div class="k">Modules</div><div class="v small">${esc(state.info.modules.join(', '))}</div></div>
    </div>
    <div class="grid">
      <section class="panel"><h2>Latest blocks</h2>
        <table id="blocks"><thead><tr><th>Height</th><th>Hash</th><th>Txs</th><th>Age</th></tr></thead>
        <tbody id="blocks-body">${blocks.map((b) => blockRow(b)).join('')}</tbody></table></section>
      <section class="panel"><h2>Latest transactions</h2>
        <table id="txs"><thead><tr><th>Hash</th><th>Call</th><th>From</th><th>Status</th></tr></thead>
        <tbody id="txs-body">${txs.slice(0, LATEST).map(([t, r]) => txRow(t, r)).join('') || ''}</tbody></table>
        ${txs.length ? '' : '<p class="muted">No transactions yet.</p>'}</section>
    </div>`;
}

async function blockPage(id) {
  const b = isHash(id) ? await rpc('pillar_getBlockByHash', [id, true]) : await rpc('pillar_getBlockByNumber', [Number(id), true]);
  if (!b) return notFound(`block ${id}`);
  const receipts = (await rpc('pillar_getBlockReceipts', [b.height])) ?? [];
  const rows = b.transactions.map((t, i) => `<tr><td>${esc(i)}</td>${txRow(t, receipts[i]).slice(4)}`);
  return `<h1>Block ${esc(b.height)} ${finality(b.height)}</h1>
    <section class="panel">${kv([
      ['Hash', `<span class="mono">${esc(b.hash)}</span>`],
      ['Parent', b.height > 0 ? `<a class="mono" href="#/block/${esc(b.height - 1)}">${esc(b.parentHash)}</a>` : esc(b.parentHash)],
      ['Time', `${esc(new Date(b.timestampMs).toISOString())} <span class="muted">(${esc(age(b.timestampMs))})</span>`],
      ['Transactions', esc(b.txCount)],
      ['State root', `<span class="mono">${esc(b.stateRoot)}</span>`],
      ['Tx root', `<span class="mono">${esc(b.txRoot)}</span>`],
      ['Receipts root', `<span class="mono">${esc(b.receiptsRoot)}</span>`],
      ['Withdrawals root', `<span class="mono">${esc(b.withdrawalsRoot)}</span>`],
      ['L1 origin', esc(b.l1Origin)],
      ['L1 queue index', esc(b.queueIndex)],
      ['Next', `<a href="#/block/${esc(b.height + 1)}">${esc(b.height + 1)}</a>`],
    ])}</section>
    <section class="panel"><h2>Transactions</h2>${rows.length
      ? `<table><thead><tr><th>#</th><th>Hash</th><th>Call</th><th>From</th><th>Status</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
      : '<p class="muted">Empty block.</p>'}</section>`;
}

function eventRow(e) {
  const { type, ...fields } = e;
  const doc = eventSchema(type)?.doc;
  return `<tr><td title="${esc(doc ?? '')}">${badge(type)}</td><td>${inline(fields)}${doc ? ` <div class="muted">${esc(doc)}</div>` : ''}</td></tr>`;
}

async function txPage(hash) {
  const [tx, r] = await Promise.all([rpc('pillar_getTransaction', [hash]), rpc('pillar_getReceipt', [hash]), loadSchema()]);
  if (!tx) return notFound(`transaction ${hash} (pending transactions are not shown until they are in a block)`);
  const env = tx.typed?.envelope;
  const rows = [
    ['Hash', `<span class="mono">${esc(tx.hash)}</span>`],
    ['Status', `${statusBadge(r)} ${finality(tx.blockHeight)}`],
  ];
  if (r?.status === 'failed') rows.push(['Reason', `<b>${esc(r.code)}</b> ${esc(r.reason)}`]);
  rows.push(['Block', `${link.block(tx.blockHeight)} <span class="muted">position ${esc(tx.index)}</span>`]);
  if (tx.kind === 'l1Message') {
    rows.push(['Kind', 'L1 queue message']);
    rows.push(['L1 sender', link.addr(tx.sender, true)]);
    rows.push(['Message', value(tx.message)]);
  } else {
    const cs = callSchema(tx.call?.type);
    rows.push(['Call', `<b>${esc(callName(tx))}</b>${cs ? ` ${badge(cs.module)} <span class="muted">${esc(cs.doc)}</span>` : ''}`]);
    rows.push([env?.type === 'session' ? 'Account' : 'Signer', link.addr(tx.sender, true)]);
    if (env?.type === 'session') {
      rows.push(['Session key', `${badge(env.key.scheme === 0 ? 'ed25519' : 'P-256')} <span class="mono">${esc(env.key.publicKey)}</span>`]);
    }
    if (env?.sponsor) rows.push(['Fee sponsor', link.addr(env.sponsor, true)]);
    rows.push(['Nonce', esc(tx.nonce)]);
    rows.push(['Max fee', `${esc(eth(tx.maxFee))} ETH`]);
    if (r) rows.push(['Fee paid', `${esc(eth(r.feePaid))} ETH`]);
    const { type, ...args } = tx.call ?? {};
    rows.push(['Arguments', typedFields(cs?.fields, args)]);
    rows.push(['EIP-712 type', `<span class="mono">${esc(cs?.eip712Type ?? tx.typed?.primaryType)}</span>`]);
  }
  const events = r?.events ?? [];
  return `<h1>Transaction</h1><section class="panel">${kv(rows)}</section>
    <section class="panel"><h2>Events</h2>${events.length ? `<table><tbody>${events.map(eventRow).join('')}</tbody></table>` : '<p class="muted">None.</p>'}</section>
    ${tx.raw ? `<section class="panel"><h2>Canonical bytes</h2><pre>${esc(tx.raw)}</pre></section>` : ''}`;
}

async function identityPanel(address) {
  // The wallet's identity: the newest link or registration that names it.
  const found = await rpc('pillar_getEvents', [{ types: ['identityRegistered', 'walletLinked'], address, limit: 1 }]).catch(() => null);
  const ev = found?.events?.[0]?.event;
  if (!ev || (ev.type === 'walletLinked' && !ev.linked)) return '<section class="panel"><h2>Identity</h2><p class="muted">No identity linked in the last 10,000 blocks.</p></section>';
  const id = await query('compliance', 'identity', { identity: ev.identity });
  if (!id) return '';
  const claims = id.claims.map((c) => `<tr><td>${esc(c.topic)}</td><td>${esc(c.claim.value)}</td><td>${link.addr(c.claim.issuer)}</td><td>${c.claim.expiresMs ? esc(new Date(c.claim.expiresMs).toISOString()) : 'never'}</td></tr>`);
  return `<section class="panel"><h2>Identity ${esc(id.id)}</h2>${kv([
    ['Registry', link.addr(id.info.registry, true)],
    ['Wallets', id.info.wallets.map((w) => link.addr(w, true)).join('<br>')],
  ])}<h2 class="spaced">Claims</h2>${claims.length ? `<table><thead><tr><th>Topic</th><th>Value</th><th>Issuer</th><th>Expires</th></tr></thead><tbody>${claims.join('')}</tbody></table>` : '<p class="muted">No claims.</p>'}</section>`;
}

async function sessionsPanel(address) {
  const sessions = await query('sessions', 'sessions', { account: address }).catch(() => null);
  if (!sessions?.length) return '<section class="panel"><h2>Session keys</h2><p class="muted">None.</p></section>';
  const rows = sessions.map((s) => {
    const live = !s.session.revoked;
    return `<tr><td class="mono">${esc(short(s.keyId))}</td><td>${live ? badge('active', 'ok') : badge('revoked', 'bad')}</td><td>${s.session.expiresMs ? esc(new Date(s.session.expiresMs).toISOString()) : 'never'}</td><td>${value(s.remaining)}</td></tr>`;
  });
  return `<section class="panel"><h2>Session keys</h2><table><thead><tr><th>Key</th><th>State</th><th>Expires</th><th>Remaining caps</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

async function addressPage(address) {
  if (!isAddress(address)) return notFound(`address ${address}`);
  const acct = await rpc('pillar_getAccount', [address]);
  const infos = await Promise.all(acct.balances.map((b) => (b.asset === 0 ? null : query('assets', 'asset', { asset: b.asset }).catch(() => null))));
  const balances = acct.balances.map((b, i) => {
    const sym = infos[i]?.info?.symbol;
    const name = b.asset === 0 ? link.asset(0) : `<a href="#/asset/${esc(b.asset)}">${esc(sym ?? `asset ${b.asset}`)}</a> <span class="muted">#${esc(b.asset)}</span>`;
    const shown = b.asset === 0 ? `${esc(eth(b.amount))} ETH` : `${esc(b.amount)} <span class="muted">${esc(sym ?? '')} (smallest units)</span>`;
    return `<tr><td>${name}</td><td>${shown}</td></tr>`;
  });
  const activity = await rpc('pillar_getEvents', [{ address, limit: 25 }]).catch(() => null);
  const acts = (activity?.events ?? []).map((row) => `<tr><td>${link.block(row.blockHeight)}</td><td>${link.tx(row.txHash)}</td><td>${badge(row.event.type)}</td><td>${inline(Object.fromEntries(Object.entries(row.event).filter(([k]) => k !== 'type')))}</td></tr>`);
  const extra = await Promise.all([
    hasModule('sessions') ? sessionsPanel(address) : '',
    hasModule('compliance') ? identityPanel(address) : '',
  ]);
  return `<h1>Address <span class="mono">${esc(address)}</span></h1>
    <div class="grid">
      <section class="panel"><h2>Account</h2>${kv([['Nonce', esc(acct.nonce)]])}
        <table><thead><tr><th>Asset</th><th>Balance</th></tr></thead><tbody id="balances">${balances.join('')}</tbody></table></section>
      <div>${extra.join('')}</div>
    </div>
    <section class="panel"><h2>Recent activity</h2>${acts.length ? `<table><thead><tr><th>Block</th><th>Tx</th><th>Event</th><th>Details</th></tr></thead><tbody>${acts.join('')}</tbody></table>` : '<p class="muted">No events in the last 10,000 blocks.</p>'}</section>`;
}

async function assetPage(id) {
  const n = Number(id);
  const a = await query('assets', 'asset', { asset: n });
  if (n !== 0 && !a) return notFound(`asset ${id}`);
  const info = a?.info ?? { name: 'Ether', symbol: 'ETH', decimals: 18 };
  const rows = [['Id', esc(n)], ['Name', esc(info.name)], ['Symbol', esc(info.symbol)], ['Decimals', esc(info.decimals)]];
  if (info.totalSupply !== undefined) rows.push(['Total supply', esc(info.totalSupply)], ['Max supply', esc(info.maxSupply)], ['Creator', link.addr(info.creator, true)]);
  let rules = '';
  if (hasModule('compliance') && n !== 0) {
    const r = await query('compliance', 'rules', { asset: n }).catch(() => null);
    if (r) rules = `<section class="panel"><h2>Compliance rules ${r.paused ? badge('paused', 'bad') : badge('active', 'ok')}</h2>${kv([['Holders', esc(r.holders)]])}${value(r.rules)}</section>`;
  }
  return `<h1>${esc(info.name)} <span class="muted">${esc(info.symbol)}</span></h1><section class="panel">${kv(rows)}</section>${rules}`;
}

async function batchesPage() {
  const res = await rpc('pillar_getBatches', [100]);
  if (!res) return '<h1>L1 batches</h1><section class="panel"><p class="muted">This node does not post batches (it is a replica, or runs without L1).</p></section>';
  const rows = res.batches.map((b) => `<tr><td>${link.block(b.firstBlock)}–${link.block(b.lastBlock)}</td><td>${esc(b.txs)}</td><td>${esc(b.bytes)}</td><td>${b.bytesPerTx === null ? '–' : esc(b.bytesPerTx.toFixed(1))}</td><td>${esc(b.mode)}</td><td class="mono">${esc(short(b.l1Tx))}</td><td>${esc(b.l1Block)}</td><td>${esc(b.gas)}${b.blobGas ? ` + ${esc(b.blobGas)} blob` : ''}</td><td>${esc(eth(b.feeWei))}</td><td>${b.status === 'finalized' ? badge('finalized', 'ok') : badge('posted')}</td></tr>`);
  return `<h1>L1 batches</h1>${res.lastError ? `<div class="error">Last attempt failed: ${esc(res.lastError)}</div>` : ''}
    <section class="panel">${rows.length ? `<table id="batches"><thead><tr><th>L2 blocks</th><th>Txs</th><th>Bytes</th><th>Bytes/tx</th><th>Mode</th><th>L1 tx</th><th>L1 block</th><th>L1 gas</th><th>Fee (ETH)</th><th>Status</th></tr></thead><tbody>${rows.join('')}</tbody></table>` : '<p class="muted">No batch posted since this node started.</p>'}</section>`;
}

async function withdrawalsPage() {
  if (!hasModule('bridge')) return '<h1>Withdrawals</h1><p class="muted">This chain has no bridge module.</p>';
  const count = await query('bridge', 'withdrawalCount');
  const idx = [];
  for (let i = count - 1; i >= 0 && idx.length < 50; i--) idx.push(i);
  const ws = await Promise.all(idx.map((index) => query('bridge', 'withdrawal', { index })));
  const fin = state.info.heads.finalized;
  const rows = ws.map((w, i) => w && `<tr><td>${esc(idx[i])}</td><td>${link.block(w.l2Block)}</td><td>${link.addr(w.sender)}</td><td>${link.addr(w.l1Recipient)}</td><td>${amount(w.asset, w.amount)}</td><td>${w.l2Block <= fin ? badge('finalized: provable on L1', 'ok') : badge('pending finalization', 'warn')}</td></tr>`);
  return `<h1>Withdrawals <span class="muted">(${esc(count)} in all)</span></h1>
    <section class="panel">${count ? `<table><thead><tr><th>#</th><th>L2 block</th><th>From</th><th>L1 recipient</th><th>Amount</th><th>Status</th></tr></thead><tbody>${rows.join('')}</tbody></table>` : '<p class="muted">No withdrawals yet.</p>'}</section>`;
}

async function auditPage(toBlock) {
  const filter = { types: COMPLIANCE_EVENTS, failedCodes: COMPLIANCE_CODES, limit: 100 };
  if (toBlock !== undefined) filter.toBlock = Number(toBlock);
  const res = await rpc('pillar_getEvents', [filter]);
  const rows = res.events.map((row) => {
    const { type, ...f } = row.event;
    return `<tr><td>${link.block(row.blockHeight)}</td><td>${link.tx(row.txHash)}</td><td>${type === 'callFailed' ? badge('refused', 'bad') : badge(type)}</td><td>${link.addr(row.sender)}</td><td>${inline(f)}</td></tr>`;
  });
  const more = res.next !== null ? `<p><a class="badge" href="#/audit/${esc(res.next)}">Older entries (from block ${esc(res.next)})</a></p>` : '';
  return `<h1>Compliance audit trail</h1>
    <p class="muted">Every compliance decision and agent action in blocks ${esc(res.fromBlock)}–${esc(res.toBlock)}, newest first. Refusals are failed calls with their restriction code.</p>
    <section class="panel">${rows.length ? `<table id="audit"><thead><tr><th>Block</th><th>Tx</th><th>Action</th><th>By</th><th>Details</th></tr></thead><tbody>${rows.join('')}</tbody></table>` : '<p class="muted">Nothing in this range.</p>'}</section>${more}`;
}

const notFound = (what) => `<div class="error">Not found: ${esc(what)}</div>`;

// ---- the chain's schema (pillar_schema): names, docs and field types of calls and events -----

async function loadSchema() {
  if (state.schema) return state.schema;
  try {
    state.schema = await rpc('pillar_schema');
    return state.schema;
  } catch {
    // Shown without descriptions this time; asked again on the next page.
    return { calls: [], events: [] };
  }
}
const callSchema = (jsonType) => state.schema?.calls?.find((c) => c.jsonType === jsonType);
const eventSchema = (type) => state.schema?.events?.find((e) => e.name === type);

// Fields in the schema's order, each with its type; fields the schema does not name come last.
function typedFields(fields, args) {
  const known = (fields ?? []).filter((f) => f.name in args);
  const rest = Object.keys(args).filter((k) => !known.some((f) => f.name === k));
  return `<table class="kv">${[
    ...known.map((f) => `<tr><th>${esc(f.name)} <span class="muted mono">${esc(f.type)}</span></th><td>${value(args[f.name])}</td></tr>`),
    ...rest.map((k) => `<tr><th>${esc(k)}</th><td>${value(args[k])}</td></tr>`),
  ].join('')}</table>`;
}

// ---- routing and search --------------------------------------------------------------------

async function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  state.route = parts.join('/');
  if (!state.info) await refreshInfo();
  if (!state.info) return;
  const [page, arg] = parts;
  let html;
  try {
    switch (page) {
      case undefined: html = await home(); break;
      case 'block': html = await blockPage(arg); break;
      case 'tx': html = await txPage(arg); break;
      case 'address': html = await addressPage(arg); break;
      case 'asset': html = await assetPage(arg); break;
      case 'batches': html = await batchesPage(); break;
      case 'withdrawals': html = await withdrawalsPage(); break;
      case 'audit': html = await auditPage(arg); break;
      default: html = notFound(location.hash);
    }
  } catch (e) {
    html = `<div class="error">${esc(e.message)}</div>`;
  }
  // A newer navigation won the race: leave its page alone.
  if (state.route === parts.join('/')) app.innerHTML = html;
}

async function search(q) {
  q = q.trim();
  if (/^\d+$/.test(q)) return (location.hash = `#/block/${q}`);
  if (isAddress(q)) return (location.hash = `#/address/${q}`);
  if (isHash(q)) {
    const tx = await rpc('pillar_getTransaction', [q]).catch(() => null);
    if (tx) return (location.hash = `#/tx/${q}`);
    const b = await rpc('pillar_getBlockByHash', [q, false]).catch(() => null);
    if (b) return (location.hash = `#/block/${b.height}`);
  }
  state.route = 'search';
  app.innerHTML = notFound(`${q}: enter a block height, a block or transaction hash (0x + 64 hex digits), or an address (0x + 40 hex digits)`);
}

$('#search').addEventListener('submit', (e) => {
  e.preventDefault();
  search($('#search-input').value);
});
window.addEventListener('hashchange', route);
$('#endpoint').textContent = location.host;
setInterval(refreshInfo, 3000);
setInterval(updateTps, 1000);
refreshInfo().then(route);
connectLive();
