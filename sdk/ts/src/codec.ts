/**
 * Canonical borsh encoding of transactions (docs/transactions.md §1, §2, §2.4), so the SDK sends
 * the exact bytes the node hashes, for every call kind and envelope.
 */
import { hexToBytes, keccak256, type Address, type Hex } from 'viem';

import { callFields, callTag, STRUCTS, type Call, type FieldType, type SessionKey } from './calls.js';

const U64_MAX = (1n << 64n) - 1n;

/** A transaction before signing. */
export interface UnsignedTransaction {
  chainId: bigint | number;
  nonce: bigint | number;
  maxFee: bigint;
  call: Call;
}

/** The envelope of a sponsored or session-signed transaction (§2.4). */
export type Envelope =
  | { type: 'sponsored'; sponsor: Address }
  | { type: 'session'; account: Address; key: SessionKey; sponsor: Address | null };

/** `r ‖ s ‖ v`; for a session signature `v` is 0. */
export interface RawSignature {
  r: Hex;
  s: Hex;
  v: number;
}

/** Little-endian borsh writer. */
export class BorshWriter {
  private readonly parts: number[] = [];

  u8(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new RangeError(`u8 out of range: ${v}`);
    this.parts.push(v);
    return this;
  }

  private uint(v: bigint | number, bytes: number, name: string): this {
    const x = BigInt(v);
    if (x < 0n || x >= 1n << BigInt(8 * bytes)) throw new RangeError(`${name} out of range: ${x}`);
    let y = x;
    for (let i = 0; i < bytes; i++) {
      this.parts.push(Number(y & 0xffn));
      y >>= 8n;
    }
    return this;
  }

  u16(v: number): this { return this.uint(v, 2, 'u16'); }
  u32(v: number): this { return this.uint(v, 4, 'u32'); }
  u64(v: bigint | number): this { return this.uint(v, 8, 'u64'); }
  u128(v: bigint | number): this { return this.uint(v, 16, 'u128'); }

  bool(v: boolean): this {
    if (typeof v !== 'boolean') throw new TypeError(`expected a boolean, got ${typeof v}`);
    return this.u8(v ? 1 : 0);
  }

  raw(bytes: Uint8Array): this {
    for (const b of bytes) this.parts.push(b);
    return this;
  }

  fixed(hex: Hex, len: number, what: string): this {
    const bytes = hexToBytes(hex);
    if (bytes.length !== len) throw new RangeError(`${what} must be ${len} bytes, got ${bytes.length}`);
    return this.raw(bytes);
  }

  address(a: Address): this { return this.fixed(a, 20, 'address'); }

  bytes(b: Uint8Array): this {
    this.u32(b.length);
    return this.raw(b);
  }

  string(s: string): this { return this.bytes(new TextEncoder().encode(s)); }

  finish(): Uint8Array { return Uint8Array.from(this.parts); }
}

/** borsh of a `SessionKey` enum: tag, then the raw key (no length prefix). */
export function writeSessionKey(w: BorshWriter, key: SessionKey): void {
  if (key.scheme === 0) w.u8(0).fixed(key.publicKey, 32, 'ed25519 session key');
  else if (key.scheme === 1) w.u8(1).fixed(key.publicKey, 33, 'P-256 session key');
  else throw new RangeError(`unknown session key scheme ${String((key as SessionKey).scheme)}`);
}

/** `keccak256(borsh(key))`: the key's id (in state and in the `SessionCall` digest). */
export function sessionKeyId(key: SessionKey): Hex {
  const w = new BorshWriter();
  writeSessionKey(w, key);
  return keccak256(w.finish());
}

function writeField(w: BorshWriter, type: FieldType, value: unknown, name: string): void {
  if (typeof type === 'object') {
    if ('vec' in type) {
      if (!Array.isArray(value)) throw new TypeError(`${name} must be an array`);
      w.u32(value.length);
      value.forEach((v, i) => writeField(w, type.vec, v, `${name}[${i}]`));
    } else {
      const fields = STRUCTS[type.struct];
      const obj = value as Record<string, unknown>;
      for (const [f, t] of fields) writeField(w, t, obj[f], `${name}.${f}`);
    }
    return;
  }
  if (value === undefined || value === null) throw new TypeError(`missing field ${name}`);
  switch (type) {
    case 'address': w.address(value as Address); break;
    case 'bool': w.bool(value as boolean); break;
    case 'string': w.string(value as string); break;
    case 'bytes': w.bytes(hexToBytes(value as Hex)); break;
    case 'key': writeSessionKey(w, value as SessionKey); break;
    case 'u8': w.u8(value as number); break;
    case 'u16': w.u16(value as number); break;
    case 'u32': w.u32(value as number); break;
    case 'u64': w.u64(value as bigint | number); break;
    case 'u128': w.u128(value as bigint | number); break;
  }
}

/** borsh of a `Call`: tag, then its fields. */
export function writeCall(w: BorshWriter, call: Call): void {
  w.u8(callTag(call.type));
  const obj = call as unknown as Record<string, unknown>;
  for (const [name, type] of callFields(call.type)) writeField(w, type, obj[name], `${call.type}.${name}`);
}

/** borsh of a `Transaction`. */
export function encodeTransaction(tx: UnsignedTransaction): Uint8Array {
  const w = new BorshWriter();
  const chainId = BigInt(tx.chainId);
  if (chainId === U64_MAX) throw new RangeError('chain id 2^64-1 is reserved');
  w.u64(chainId).u64(tx.nonce).u128(tx.maxFee);
  writeCall(w, tx.call);
  return w.finish();
}

/** borsh of a `SignedTransaction`, plain or enveloped. */
export function encodeSignedTransaction(tx: UnsignedTransaction, sig: RawSignature, envelope?: Envelope): Uint8Array {
  const w = new BorshWriter();
  if (envelope) w.raw(new Uint8Array(8).fill(0xff)).u8(1);
  w.raw(encodeTransaction(tx));
  w.fixed(sig.r, 32, 'r').fixed(sig.s, 32, 's').u8(sig.v);
  if (envelope) {
    if (envelope.type === 'sponsored') {
      w.u8(0).address(envelope.sponsor);
    } else {
      w.u8(1).address(envelope.account);
      writeSessionKey(w, envelope.key);
      if (envelope.sponsor === null) w.u8(0);
      else w.u8(1).address(envelope.sponsor);
    }
  }
  return w.finish();
}

/** `keccak256(bytes)` of canonical signed-transaction bytes: the transaction hash. */
export function transactionHash(raw: Uint8Array | Hex): Hex {
  return keccak256(typeof raw === 'string' ? hexToBytes(raw) : raw);
}

