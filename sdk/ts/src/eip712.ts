/**
 * EIP-712 typed data for every call kind and for the sponsored / session envelopes
 * (docs/transactions.md §4). The same object goes to viem's `signTypedData`, whether a local key
 * or a browser wallet signs, and to `hashTypedData` for session keys.
 */
import { hashTypedData, keccak256, toHex, zeroAddress, type Hex, type TypedDataDomain } from 'viem';

import { callFields, STRUCTS, type Call, type CallType, type FieldType, type StructName } from './calls.js';
import { sessionKeyId, type Envelope, type UnsignedTransaction } from './codec.js';

/** One EIP-712 field: `{ name, type }`. */
export interface TypedField {
  name: string;
  type: string;
}

/** Typed data as viem's `signTypedData` takes it. */
export interface PillarTypedData {
  domain: TypedDataDomain;
  types: Record<string, TypedField[]>;
  primaryType: string;
  message: Record<string, unknown>;
}

/** The Pillar domain: `{ name: "Pillar", version: "1", chainId }`, nothing else. */
export function pillarDomain(chainId: bigint | number): TypedDataDomain {
  return { name: 'Pillar', version: '1', chainId: BigInt(chainId) };
}

function solType(t: FieldType): string {
  if (typeof t === 'object') return 'vec' in t ? `${solType(t.vec)}[]` : t.struct;
  switch (t) {
    case 'key': return 'SessionKey';
    case 'u8': return 'uint8';
    case 'u16': return 'uint16';
    case 'u32': return 'uint32';
    case 'u64': return 'uint64';
    case 'u128': return 'uint128';
    default: return t;
  }
}

function referenced(t: FieldType, out: Set<string>): void {
  if (typeof t === 'object') {
    if ('vec' in t) referenced(t.vec, out);
    else out.add(t.struct);
  } else if (t === 'key') {
    out.add('SessionKey');
  }
}

const SESSION_KEY_TYPE: TypedField[] = [
  { name: 'scheme', type: 'uint8' },
  { name: 'publicKey', type: 'bytes' },
];

/** The EIP-712 `types` of one call kind: its primary type and the structs it references. */
export function callTypes(type: CallType): Record<string, TypedField[]> {
  const fields = callFields(type);
  const types: Record<string, TypedField[]> = {
    [type]: [
      ...fields.map(([name, t]) => ({ name, type: solType(t) })),
      { name: 'nonce', type: 'uint64' },
      { name: 'maxFee', type: 'uint128' },
    ],
  };
  const refs = new Set<string>();
  for (const [, t] of fields) referenced(t, refs);
  for (const r of refs) {
    types[r] = r === 'SessionKey'
      ? SESSION_KEY_TYPE
      : STRUCTS[r as StructName].map(([name, t]) => ({ name, type: solType(t) }));
  }
  return types;
}

function messageValue(t: FieldType, v: unknown): unknown {
  if (typeof t === 'object') {
    if ('vec' in t) return (v as unknown[]).map((x) => messageValue(t.vec, x));
    const obj = v as Record<string, unknown>;
    return Object.fromEntries(STRUCTS[t.struct].map(([n, ft]) => [n, messageValue(ft, obj[n])]));
  }
  switch (t) {
    case 'u64':
    case 'u128':
      return BigInt(v as bigint | number);
    case 'key': {
      const k = v as { scheme: number; publicKey: Hex };
      return { scheme: k.scheme, publicKey: k.publicKey };
    }
    default:
      return v;
  }
}

/** The EIP-712 message of a call: its fields plus `nonce` and `maxFee`. */
export function callMessage(call: Call, nonce: bigint | number, maxFee: bigint): Record<string, unknown> {
  const obj = call as unknown as Record<string, unknown>;
  const msg: Record<string, unknown> = {};
  for (const [name, t] of callFields(call.type)) msg[name] = messageValue(t, obj[name]);
  msg.nonce = BigInt(nonce);
  msg.maxFee = BigInt(maxFee);
  return msg;
}

/**
 * The typed data a signer signs for `tx`: the call's own primary type, or with an envelope the
 * `Sponsored` / `SessionCall` wrapper holding the call as field `call` (§4.5).
 */
export function typedDataFor(tx: UnsignedTransaction, envelope?: Envelope): PillarTypedData {
  const domain = pillarDomain(tx.chainId);
  const types = callTypes(tx.call.type);
  const message = callMessage(tx.call, tx.nonce, tx.maxFee);
  if (!envelope) return { domain, types, primaryType: tx.call.type, message };
  if (envelope.type === 'sponsored') {
    return {
      domain,
      types: { ...types, Sponsored: [{ name: 'sponsor', type: 'address' }, { name: 'call', type: tx.call.type }] },
      primaryType: 'Sponsored',
      message: { sponsor: envelope.sponsor, call: message },
    };
  }
  return {
    domain,
    types: {
      ...types,
      SessionCall: [
        { name: 'account', type: 'address' },
        { name: 'sponsor', type: 'address' },
        { name: 'key', type: 'bytes32' },
        { name: 'call', type: tx.call.type },
      ],
    },
    primaryType: 'SessionCall',
    message: {
      account: envelope.account,
      sponsor: envelope.sponsor ?? zeroAddress,
      key: sessionKeyId(envelope.key),
      call: message,
    },
  };
}

/** The 32-byte EIP-712 digest of {@link typedDataFor}. */
export function signingHash(tx: UnsignedTransaction, envelope?: Envelope): Hex {
  // viem's generic typing wants literal types; the shapes are checked at run time by viem.
  return hashTypedData(typedDataFor(tx, envelope) as Parameters<typeof hashTypedData>[0]);
}

/** Typed data of a payment-channel voucher, `Voucher(uint64 channel,uint128 cumulative)`. */
export function voucherTypedData(chainId: bigint | number, channel: bigint | number, cumulative: bigint): PillarTypedData {
  return {
    domain: pillarDomain(chainId),
    types: { Voucher: [{ name: 'channel', type: 'uint64' }, { name: 'cumulative', type: 'uint128' }] },
    primaryType: 'Voucher',
    message: { channel: BigInt(channel), cumulative },
  };
}

/** The digest a voucher key signs. */
export function voucherHash(chainId: bigint | number, channel: bigint | number, cumulative: bigint): Hex {
  return hashTypedData(voucherTypedData(chainId, channel, cumulative) as Parameters<typeof hashTypedData>[0]);
}


/** EIP-712 `encodeType` of a call kind, e.g. `Transfer(address to,uint32 asset,…)`. */
export function encodeType(type: CallType): string {
  const types = callTypes(type);
  const fmt = (name: string) => `${name}(${(types[name] ?? []).map((f) => `${f.type} ${f.name}`).join(',')})`;
  const refs = Object.keys(types).filter((n) => n !== type).sort();
  return [type, ...refs].map(fmt).join('');
}

/** The typehash of a call kind: `keccak256(encodeType)`. */
export function typeHash(type: CallType): Hex {
  return keccak256(toHex(encodeType(type)));
}
