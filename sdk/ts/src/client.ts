/**
 * `PillarClient`: JSON-RPC over HTTP (fetch) and WebSocket (subscriptions) to a Pillar node.
 */
import type { Address, Hex } from 'viem';

import type { Call } from './calls.js';
import { PillarRpcError, PillarTimeoutError, PillarTransportError, TransactionDroppedError } from './errors.js';
import type { SessionKeySigner } from './session.js';
import { signWithSession } from './session.js';
import { signCall, toTypedDataSigner, type SignedTransaction, type WalletSigner } from './sign.js';
import type {
  Account,
  Block,
  BlockEntry,
  NewBlock,
  BlockHeader,
  BlockSelector,
  ChainInfo,
  DroppedReceipt,
  Finality,
  FullBlock,
  OutputPreimage,
  PillarEvent,
  ProofSpec,
  Receipt,
  StateProof,
  WithdrawalProofResult,
  WithdrawalRecord,
} from './types.js';
import { defaultWebSocket, WsRpc, type WebSocketConstructor } from './ws.js';

/** Options of {@link PillarClient}. */
export interface PillarClientOptions {
  /** HTTP JSON-RPC endpoint, e.g. `http://127.0.0.1:8545`. */
  url: string;
  /** WebSocket endpoint; defaults to `url` with `http` replaced by `ws` (same port). */
  wsUrl?: string;
  /** A WebSocket constructor (Node 20: `import WebSocket from 'ws'`); defaults to the global one, then `ws`. */
  WebSocket?: WebSocketConstructor;
  /** A fetch implementation; defaults to the global `fetch`. */
  fetch?: typeof fetch;
  /** Extra HTTP headers. */
  headers?: Record<string, string>;
}

/** Options of {@link PillarClient.waitForReceipt}. */
export interface WaitOptions {
  /** Wait until the receipt's block is at least this final. Default `'soft'` (in a block). */
  finality?: Finality;
  /** Give up after this long (default 60 s; finalization needs the L1 challenge window). */
  timeoutMs?: number;
  /** Polling interval (default 100 ms). */
  pollMs?: number;
}

/** Transaction fields the client fills in when omitted: the node's chain id, fee, the sender's nonce. */
export interface SendOptions {
  nonce?: bigint | number;
  maxFee?: bigint;
  /** A sponsor pays the fee (wallet-signed `Sponsored` envelope, or a session's sponsor). */
  sponsor?: Address;
}

/** Options of a session-signed send. */
export interface SessionSendOptions extends SendOptions {
  /** The account the session key acts for. */
  account: Address;
}

const U128_FIELDS = new Set([
  'amount', 'totalFrozen', 'unfrozen', 'budget', 'deposit', 'cumulative', 'paid', 'refunded', 'maxSupply', 'feePaid',
]);

function toBigIntFields<T>(obj: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    out[k] = U128_FIELDS.has(k) && typeof v === 'string' && /^\d+$/.test(v) ? BigInt(v) : v;
  }
  return out as T;
}

/** Converts a receipt's JSON (decimal-string amounts) into a typed {@link Receipt}. */
export function parseReceipt(json: Record<string, unknown>): Receipt {
  const r = toBigIntFields<Record<string, unknown>>(json);
  r.events = ((json.events as Record<string, unknown>[] | undefined) ?? []).map((e) => toBigIntFields<PillarEvent>(e));
  return r as unknown as Receipt;
}

function selector(s: BlockSelector): number | string {
  return typeof s === 'bigint' ? Number(s) : s;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A client of one Pillar node. */
export class PillarClient {
  readonly url: string;
  readonly wsUrl: string;
  private readonly fetchFn: typeof fetch;
  private readonly headers: Record<string, string>;
  private readonly wsCtor: WebSocketConstructor | undefined;
  private ws: Promise<WsRpc> | null = null;
  private nextId = 1;
  private chainIdCache: number | null = null;

  constructor(opts: PillarClientOptions | string) {
    const o = typeof opts === 'string' ? { url: opts } : opts;
    this.url = o.url;
    this.wsUrl = o.wsUrl ?? o.url.replace(/^http/, 'ws');
    const f = o.fetch ?? globalThis.fetch;
    if (!f) throw new PillarTransportError('no fetch implementation');
    this.fetchFn = f.bind(globalThis);
    this.headers = { 'content-type': 'application/json', ...(o.headers ?? {}) };
    this.wsCtor = o.WebSocket;
  }

  // ------------------------------------------------------------ transport

  /** One JSON-RPC call over HTTP. Throws {@link PillarRpcError} on an error object. */
  async request<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    const id = this.nextId++;
    let res: Response;
    try {
      res = await this.fetchFn(this.url, {
        method: 'POST',
        headers: this.headers,
        body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
      });
    } catch (e) {
      throw new PillarTransportError(`${method}: ${(e as Error).message}`);
    }
    let body: { result?: T; error?: { code?: unknown; message?: unknown; data?: unknown } };
    try {
      body = (await res.json()) as typeof body;
    } catch {
      throw new PillarTransportError(`${method}: HTTP ${res.status} with a non-JSON body`, res.status);
    }
    if (body.error) throw PillarRpcError.fromJson(body.error, method);
    return body.result as T;
  }

  /** The WebSocket connection (opened on first use, re-opened after it closes). */
  private async socket(): Promise<WsRpc> {
    if (this.ws) {
      const s = await this.ws.catch(() => null);
      if (s && s.isOpen) return s;
    }
    this.ws = (async () => WsRpc.connect(this.wsUrl, this.wsCtor ?? (await defaultWebSocket())))();
    return this.ws;
  }

  /** Closes the WebSocket connection, if any (HTTP needs no cleanup). */
  async close(): Promise<void> {
    const ws = this.ws;
    this.ws = null;
    if (ws) (await ws.catch(() => null))?.close();
  }

  // ------------------------------------------------------------ reads

  async chainInfo(): Promise<ChainInfo> {
    const j = await this.request<Record<string, unknown>>('pillar_chainInfo');
    const fees = j.fees as { txFee: string; recipient: Address } | null;
    const info = { ...j, fees: fees ? { txFee: BigInt(fees.txFee), recipient: fees.recipient } : null } as ChainInfo;
    this.chainIdCache = info.chainId;
    return info;
  }

  /** The chain id (cached after the first call). */
  async chainId(): Promise<number> {
    if (this.chainIdCache === null) await this.chainInfo();
    return this.chainIdCache as number;
  }

  /** The chain's flat fee per transaction, in wei. */
  async txFee(): Promise<bigint> {
    return (await this.chainInfo()).fees?.txFee ?? 0n;
  }

  async getAccount(address: Address): Promise<Account> {
    const j = await this.request<{ address: Address; nonce: number; balances: { asset: number; amount: string }[] }>(
      'pillar_getAccount',
      [address],
    );
    return { ...j, balances: j.balances.map((b) => ({ asset: b.asset, amount: BigInt(b.amount) })) };
  }

  /** Balance of one asset (0 = native ETH), in its smallest unit. */
  async getBalance(address: Address, asset = 0): Promise<bigint> {
    return BigInt(await this.request<string>('pillar_query', ['assets', 'balance', { address, asset }]));
  }

  /** The account's next nonce. */
  async getNonce(address: Address): Promise<number> {
    return (await this.getAccount(address)).nonce;
  }

  /** `pillar_query [module, method, params]`: a module's read-only query, as JSON. */
  query<T = unknown>(module: string, method: string, params?: unknown): Promise<T> {
    return this.request<T>('pillar_query', params === undefined ? [module, method] : [module, method, params]);
  }

  /** `pillar_getProof`: a value of the head state with its Merkle proof. */
  getProof(spec: ProofSpec): Promise<StateProof> {
    return this.request<StateProof>('pillar_getProof', [spec]);
  }

  getBlock(sel: BlockSelector, full?: false): Promise<Block | null>;
  getBlock(sel: BlockSelector, full: true): Promise<FullBlock | null>;
  getBlock(sel: BlockSelector, full = false): Promise<Block | FullBlock | null> {
    return this.request('pillar_getBlockByNumber', [selector(sel), full]);
  }

  getBlockByHash(hash: Hex, full = false): Promise<Block | FullBlock | null> {
    return this.request('pillar_getBlockByHash', [hash, full]);
  }

  async getBlockReceipts(sel: BlockSelector): Promise<Receipt[] | null> {
    const r = await this.request<Record<string, unknown>[] | null>('pillar_getBlockReceipts', [selector(sel)]);
    return r ? r.map(parseReceipt) : null;
  }

  async getReceipt(hash: Hex): Promise<Receipt | null> {
    const r = await this.request<Record<string, unknown> | null>('pillar_getReceipt', [hash]);
    return r ? parseReceipt(r) : null;
  }

  getTransaction(hash: Hex): Promise<BlockEntry | null> {
    return this.request('pillar_getTransaction', [hash]);
  }

  /** The finality heads: soft (the head), safe (posted to L1), finalized (output past its window). */
  async heads(): Promise<ChainInfo['heads']> {
    return (await this.chainInfo()).heads;
  }

  /**
   * `pillar_getOutputPreimage`: the fields a safe block's output root commits to (state root,
   * withdrawals root, block hash and the derivation cursor) with the root; `null` until the
   * block is safe.
   */
  getOutputPreimage(sel: BlockSelector): Promise<OutputPreimage | null> {
    return this.request('pillar_getOutputPreimage', [selector(sel)]);
  }

  async getWithdrawal(index: number): Promise<WithdrawalRecord | null> {
    const w = await this.query<Record<string, unknown> | null>('bridge', 'withdrawal', { index });
    return w ? toBigIntFields<WithdrawalRecord>(w) : null;
  }

  async getWithdrawalProof(index: number, leafCount?: number): Promise<WithdrawalProofResult | null> {
    const p = await this.query<Record<string, unknown> | null>(
      'bridge',
      'withdrawalProof',
      leafCount === undefined ? { index } : { index, leafCount },
    );
    if (!p) return null;
    return { ...(p as unknown as WithdrawalProofResult), withdrawal: toBigIntFields<WithdrawalRecord>(p.withdrawal as Record<string, unknown>) };
  }

  // ------------------------------------------------------------ writes

  /** Submits signed bytes (or a {@link SignedTransaction}); returns the hash. Refusals throw {@link PillarRpcError}. */
  sendRawTransaction(tx: SignedTransaction | Hex): Promise<Hex> {
    return this.request<Hex>('pillar_sendTransaction', [typeof tx === 'string' ? tx : tx.raw]);
  }

  /** Submits many at once; one result per input, in order. */
  async sendRawTransactions(txs: (SignedTransaction | Hex)[]): Promise<({ hash: Hex } | { error: PillarRpcError })[]> {
    const res = await this.request<({ hash: Hex } | { error: { code: number; message: string; kind?: string } })[]>(
      'pillar_sendTransactions',
      [txs.map((t) => (typeof t === 'string' ? t : t.raw))],
    );
    return res.map((r) => ('hash' in r ? r : { error: PillarRpcError.fromJson(r.error, 'pillar_sendTransactions') }));
  }

  /** Signs `call` with a wallet, filling chain id, fee and nonce from the node when omitted. */
  async signCall(signer: WalletSigner, call: Call, opts: SendOptions = {}): Promise<SignedTransaction> {
    const s = toTypedDataSigner(signer);
    const [chainId, maxFee, nonce] = await Promise.all([
      this.chainId(),
      opts.maxFee ?? this.txFee(),
      opts.nonce ?? this.getNonce(s.address),
    ]);
    return signCall(s, call, { chainId, nonce, maxFee, ...(opts.sponsor ? { sponsor: opts.sponsor } : {}) });
  }

  /** Signs and submits `call`; returns the signed transaction (its `hash` keys the receipt). */
  async sendCall(signer: WalletSigner, call: Call, opts: SendOptions = {}): Promise<SignedTransaction> {
    const signed = await this.signCall(signer, call, opts);
    const hash = await this.sendRawTransaction(signed);
    if (hash.toLowerCase() !== signed.hash.toLowerCase()) {
      throw new Error(`node returned hash ${hash}, the SDK computed ${signed.hash}`);
    }
    return signed;
  }

  /** Signs `call` with a session key for `opts.account`, filling chain id, fee and nonce. */
  async signSessionCall(signer: SessionKeySigner, call: Call, opts: SessionSendOptions): Promise<SignedTransaction> {
    const [chainId, maxFee, nonce] = await Promise.all([
      this.chainId(),
      opts.maxFee ?? this.txFee(),
      opts.nonce ?? this.getNonce(opts.account),
    ]);
    return signWithSession(signer, call, { chainId, nonce, maxFee, account: opts.account, sponsor: opts.sponsor ?? null });
  }

  /** Signs with a session key and submits. */
  async sendSessionCall(signer: SessionKeySigner, call: Call, opts: SessionSendOptions): Promise<SignedTransaction> {
    const signed = await this.signSessionCall(signer, call, opts);
    const hash = await this.sendRawTransaction(signed);
    if (hash.toLowerCase() !== signed.hash.toLowerCase()) {
      throw new Error(`node returned hash ${hash}, the SDK computed ${signed.hash}`);
    }
    return signed;
  }

  /** Sends and waits for the receipt (at `finality`, default soft). */
  async execute(signer: WalletSigner, call: Call, opts: SendOptions & WaitOptions = {}): Promise<Receipt> {
    const signed = await this.sendCall(signer, call, opts);
    return this.waitForReceipt(signed.hash, opts);
  }

  // ------------------------------------------------------------ waiting

  /**
   * Waits for the receipt of `hash`, then until its block is at least `finality` final per
   * `pillar_chainInfo.heads`. Polls over HTTP. A dropped transaction never gets a receipt: use
   * {@link watchReceipt} to learn about drops.
   */
  async waitForReceipt(hash: Hex, opts: WaitOptions = {}): Promise<Receipt> {
    const finality = opts.finality ?? 'soft';
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const pollMs = opts.pollMs ?? 100;
    const deadline = Date.now() + timeoutMs;
    let receipt: Receipt | null = null;
    for (;;) {
      receipt ??= await this.getReceipt(hash);
      if (receipt) {
        if (finality === 'soft') return receipt;
        const heads = await this.heads();
        if (heads[finality] >= receipt.blockHeight) return receipt;
      }
      if (Date.now() >= deadline) {
        throw new PillarTimeoutError(
          receipt
            ? `receipt of ${hash} (block ${receipt.blockHeight}) not ${finality} after ${timeoutMs} ms`
            : `no receipt for ${hash} after ${timeoutMs} ms`,
        );
      }
      await sleep(pollMs);
    }
  }

  /**
   * Waits for the receipt through `pillar_subscribeReceipt` (WebSocket). Throws
   * {@link TransactionDroppedError} if the sequencer dropped the transaction.
   */
  async watchReceipt(hash: Hex, opts: { timeoutMs?: number } = {}): Promise<Receipt> {
    const ws = await this.socket();
    const timeoutMs = opts.timeoutMs ?? 60_000;
    return new Promise<Receipt>((resolve, reject) => {
      let sub: string | null = null;
      let done = false;
      const finish = (f: () => void) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        offClose();
        if (sub !== null) void ws.unsubscribe('pillar_unsubscribeReceipt', sub);
        f();
      };
      const timer = setTimeout(
        () => finish(() => reject(new PillarTimeoutError(`no receipt for ${hash} after ${timeoutMs} ms`))),
        timeoutMs,
      );
      const offClose = ws.onClose((e) => finish(() => reject(e)));
      ws.subscribe('pillar_subscribeReceipt', [hash], (result) => {
        const r = result as Record<string, unknown>;
        if (r.status === 'dropped') {
          const d = r as unknown as DroppedReceipt;
          finish(() => reject(new TransactionDroppedError(d.txHash, d.reason)));
        } else {
          finish(() => resolve(parseReceipt(r)));
        }
      }).then(
        (id) => {
          sub = id;
          if (done) void ws.unsubscribe('pillar_unsubscribeReceipt', id);
        },
        (e: Error) => finish(() => reject(e)),
      );
    });
  }

  /**
   * Calls `onBlock` for every new durable block (`pillar_subscribeNewBlocks`; `transactions` are the
   * receipts' hashes; `replaces` is true when the block replaces ones already sent from its height
   * on). Resolves once subscribed, with a function that unsubscribes.
   */
  async subscribeBlocks(
    onBlock: (block: NewBlock) => void,
    onError?: (err: Error) => void,
  ): Promise<() => Promise<void>> {
    const ws = await this.socket();
    const id = await ws.subscribe('pillar_subscribeNewBlocks', [], (b) => onBlock(b as NewBlock));
    const offClose = ws.onClose((e) => onError?.(e));
    return async () => {
      offClose();
      await ws.unsubscribe('pillar_unsubscribeNewBlocks', id);
    };
  }

  /** Waits for a block header at least as final as `finality` with height ≥ `height`. */
  async waitForHeight(height: number, opts: WaitOptions = {}): Promise<BlockHeader> {
    const finality = opts.finality ?? 'soft';
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    for (;;) {
      const heads = await this.heads();
      if (heads[finality] >= height) {
        const b = await this.getBlock(height);
        if (b) return b;
      }
      if (Date.now() >= deadline) throw new PillarTimeoutError(`block ${height} not ${finality} in time`);
      await sleep(opts.pollMs ?? 100);
    }
  }
}

/** The first event of a type in a receipt, typed. */
export function findEvent<T extends PillarEvent['type']>(
  receipt: Receipt,
  type: T,
): Extract<PillarEvent, { type: T }> | undefined {
  return receipt.events.find((e) => e.type === type) as Extract<PillarEvent, { type: T }> | undefined;
}
