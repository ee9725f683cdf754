/** Errors the SDK throws. */
import type { Hex } from 'viem';

/**
 * A JSON-RPC error from a Pillar node. `kind` is the node's stable machine name (`data.kind`,
 * e.g. `bad_signature`, `nonce_too_low`; docs/rpc.md "Errors"); match on it or on `code`.
 */
export class PillarRpcError extends Error {
  override readonly name = 'PillarRpcError';
  constructor(
    readonly code: number,
    message: string,
    readonly kind: string | undefined,
    readonly data: unknown,
    readonly method?: string,
  ) {
    super(message);
  }

  static fromJson(err: { code?: unknown; message?: unknown; data?: unknown }, method?: string): PillarRpcError {
    const data = err.data;
    const kind =
      typeof err === 'object' && err !== null && 'kind' in err && typeof (err as { kind: unknown }).kind === 'string'
        ? (err as { kind: string }).kind
        : data && typeof data === 'object' && typeof (data as { kind?: unknown }).kind === 'string'
          ? (data as { kind: string }).kind
          : undefined;
    return new PillarRpcError(
      typeof err.code === 'number' ? err.code : 0,
      typeof err.message === 'string' ? err.message : 'unknown error',
      kind,
      data,
      method,
    );
  }
}

/** Waiting for something took longer than allowed. */
export class PillarTimeoutError extends Error {
  override readonly name = 'PillarTimeoutError';
}

/** The sequencer took the transaction for a block but dropped it as invalid (no receipt ever). */
export class TransactionDroppedError extends Error {
  override readonly name = 'TransactionDroppedError';
  constructor(
    readonly hash: Hex,
    readonly reason: string,
  ) {
    super(`transaction ${hash} was dropped: ${reason}`);
  }
}

/** An HTTP-level failure talking to the node (not a JSON-RPC error object). */
export class PillarTransportError extends Error {
  override readonly name = 'PillarTransportError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}
