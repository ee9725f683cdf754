/** A small JSON-RPC client over WebSocket, with subscriptions (docs/rpc.md "Subscriptions"). */
import { PillarRpcError, PillarTransportError } from './errors.js';

/** The parts of the WebSocket API used here (browsers, Node 22+, and the `ws` package). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
}

/** A WebSocket constructor: `globalThis.WebSocket`, or `ws`'s default export in Node 20. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Finds a WebSocket implementation: the global one, else the `ws` package (Node 20). */
export async function defaultWebSocket(): Promise<WebSocketConstructor> {
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (global) return global;
  const name = 'ws';
  try {
    const mod = (await import(name)) as { default?: WebSocketConstructor; WebSocket?: WebSocketConstructor };
    const ctor = mod.default ?? mod.WebSocket;
    if (ctor) return ctor;
  } catch {
    // fall through
  }
  throw new PillarTransportError(
    'no WebSocket implementation: pass { WebSocket } to PillarClient (e.g. from the `ws` package) or use Node 22+',
  );
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  method: string;
}

/** One WebSocket connection: requests, and notifications routed by subscription id. */
export class WsRpc {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly handlers = new Map<string, (result: unknown) => void>();
  /** Notifications that arrived before their subscription id was known. */
  private readonly early = new Map<string, unknown[]>();
  private closed = false;
  /** Subscribe requests in flight: only then can a notification precede its id. */
  private subscribing = 0;
  private readonly closeListeners = new Set<(err: Error) => void>();

  private constructor(private readonly socket: WebSocketLike) {
    socket.onmessage = (ev) => this.onMessage(ev.data);
    socket.onclose = () => this.fail(new PillarTransportError('WebSocket closed'));
    socket.onerror = () => this.fail(new PillarTransportError('WebSocket error'));
  }

  static connect(url: string, ctor: WebSocketConstructor, timeoutMs = 10_000): Promise<WsRpc> {
    return new Promise((resolve, reject) => {
      const socket = new ctor(url);
      const timer = setTimeout(() => {
        reject(new PillarTransportError(`WebSocket ${url}: no connection after ${timeoutMs} ms`));
        socket.close();
      }, timeoutMs);
      socket.onopen = () => {
        clearTimeout(timer);
        resolve(new WsRpc(socket));
      };
      socket.onerror = () => {
        clearTimeout(timer);
        reject(new PillarTransportError(`WebSocket ${url}: connection failed`));
      };
    });
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Called once when the connection fails or closes. */
  onClose(listener: (err: Error) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  request<T>(method: string, params: unknown[] = []): Promise<T> {
    if (this.closed) return Promise.reject(new PillarTransportError('WebSocket closed'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, method });
      this.socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  /** Subscribes; `onResult` gets each notification's `result`. Returns the subscription id. */
  async subscribe(method: string, params: unknown[], onResult: (result: unknown) => void): Promise<string> {
    this.subscribing++;
    let id: string;
    try {
      id = String(await this.request<string | number>(method, params));
    } finally {
      this.subscribing--;
    }
    this.handlers.set(id, onResult);
    const queued = this.early.get(id);
    if (queued) {
      this.early.delete(id);
      for (const r of queued) onResult(r);
    }
    if (this.subscribing === 0) this.early.clear();
    return id;
  }

  async unsubscribe(method: string, id: string): Promise<void> {
    this.handlers.delete(id);
    if (this.closed) return;
    const numeric = /^\d+$/.test(id) ? Number(id) : id;
    try {
      await this.request<boolean>(method, [Number.isSafeInteger(numeric) ? numeric : id]);
    } catch {
      // The subscription may already be gone (a receipt subscription ends by itself).
    }
  }

  close(): void {
    if (!this.closed) {
      this.socket.close();
      this.fail(new PillarTransportError('WebSocket closed by the client'));
    }
  }

  private fail(err: Error): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    for (const l of this.closeListeners) l(err);
    this.closeListeners.clear();
  }

  private onMessage(data: unknown): void {
    const text = typeof data === 'string' ? data : String(data);
    let msg: {
      id?: number;
      result?: unknown;
      error?: { code?: unknown; message?: unknown; data?: unknown };
      method?: string;
      params?: { subscription?: unknown; result?: unknown };
    };
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof msg.id === 'number') {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(PillarRpcError.fromJson(msg.error, p.method));
      else p.resolve(msg.result);
      return;
    }
    if (msg.method && msg.params && msg.params.subscription !== undefined) {
      const sub = String(msg.params.subscription);
      const h = this.handlers.get(sub);
      if (h) h(msg.params.result);
      else if (this.subscribing > 0) {
        const q = this.early.get(sub) ?? [];
        q.push(msg.params.result);
        this.early.set(sub, q);
      }
    }
  }
}
