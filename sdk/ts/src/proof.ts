/** Verifying `pillar_getProof` results against a state root (docs/state.md §4.2). */
import { bytesToHex, hexToBytes, sha256, type Hex } from 'viem';

import type { StateProof } from './types.js';

/** The outcome of a verified proof. */
export type ProofOutcome = { present: true; valueHash: Hex } | { present: false };

function h(a: Uint8Array, b: Uint8Array): Uint8Array {
  const buf = new Uint8Array(64);
  buf.set(a, 0);
  buf.set(b, 32);
  return hexToBytes(sha256(buf));
}

const bit = (k: Uint8Array, i: number): number => (k[i >> 3]! >> (7 - (i & 7))) & 1;

/**
 * Checks `proof` against a trusted `root` (e.g. a header's `stateRoot`). Throws if the proof does
 * not lead to the root; otherwise says whether the key is present, and checks `proof.value`
 * against the leaf's value hash when present.
 */
export function verifyStateProof(proof: StateProof, root: Hex): ProofOutcome {
  const key = hexToBytes(proof.keyPath);
  const siblings = proof.proof.siblings.map((s) => hexToBytes(s));
  const d = siblings.length;
  if (key.length !== 32 || d > 256) throw new Error('malformed proof');
  const t = proof.proof.terminal;
  let node: Uint8Array;
  let present = false;
  let valueHash: Hex | null = null;
  if (t.kind === 'leaf') {
    const lk = hexToBytes(t.keyPath as Hex);
    const vh = hexToBytes(t.valueHash as Hex);
    for (let i = 0; i < d; i++) if (bit(lk, i) !== bit(key, i)) throw new Error('the leaf is not on the key path');
    node = h(lk, vh);
    node[0]! |= 0x80;
    present = bytesToHex(lk) === bytesToHex(key);
    valueHash = bytesToHex(vh);
  } else if (t.kind === 'empty') {
    node = new Uint8Array(32);
  } else {
    throw new Error(`unknown terminal ${t.kind}`);
  }
  for (let i = d - 1; i >= 0; i--) {
    node = bit(key, i) === 1 ? h(siblings[i]!, node) : h(node, siblings[i]!);
    node[0]! &= 0x7f;
  }
  if (bytesToHex(node) !== root.toLowerCase()) throw new Error('the proof does not lead to the state root');
  if (!present) {
    if (proof.value !== null && proof.value !== undefined) throw new Error('a value is claimed but the key is absent');
    return { present: false };
  }
  if (typeof proof.value === 'string' && sha256(proof.value as Hex) !== valueHash) {
    throw new Error('the value does not match the proven value hash');
  }
  return { present: true, valueHash: valueHash as Hex };
}

/** Reads a little-endian unsigned integer (a borsh `u64`/`u128` value of a proof). */
export function decodeLeUint(value: Hex): bigint {
  return leUint(hexToBytes(value));
}

function leUint(b: Uint8Array): bigint {
  let x = 0n;
  for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]!);
  return x;
}

/**
 * Reads an account record (`accounts.account`, docs/state.md §2): the value proven for an
 * account's nonce or native ETH balance, borsh `{nonce: u64, balance: u128}`.
 */
export function decodeAccount(value: Hex): { nonce: bigint; balance: bigint } {
  const b = hexToBytes(value);
  if (b.length !== 24) throw new Error(`an account record is 24 bytes, got ${b.length}`);
  return { nonce: leUint(b.subarray(0, 8)), balance: leUint(b.subarray(8)) };
}
