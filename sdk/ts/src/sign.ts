/**
 * Signing transactions with an Ethereum key through viem's EIP-712 `signTypedData`: a local
 * account (`privateKeyToAccount`) and a browser wallet (`createWalletClient({ transport:
 * custom(window.ethereum) })`) sign exactly the same typed data.
 */
import { bytesToHex, hexToBytes, type Account, type Address, type Hex, type LocalAccount, type WalletClient } from 'viem';

import type { Call } from './calls.js';
import {
  encodeSignedTransaction,
  transactionHash,
  type Envelope,
  type RawSignature,
  type UnsignedTransaction,
} from './codec.js';
import { signingHash, typedDataFor, type PillarTypedData } from './eip712.js';

/** secp256k1 group order. */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** Anything that signs EIP-712 typed data for an Ethereum address. */
export interface TypedDataSigner {
  address: Address;
  signTypedData(typedData: PillarTypedData): Promise<Hex>;
}

/** A viem local account, a viem wallet client (with an account), or a {@link TypedDataSigner}. */
export type WalletSigner = LocalAccount | WalletClient | TypedDataSigner;

/** A signed transaction, ready for `pillar_sendTransaction` (or `Portal.forceTransaction`). */
export interface SignedTransaction {
  /** Canonical bytes, `0x` hex. */
  raw: Hex;
  /** `keccak256(raw)`: the hash the node returns and keys the receipt by. */
  hash: Hex;
  tx: UnsignedTransaction;
  signature: RawSignature;
  envelope?: Envelope;
  /** The effective sender: the wallet's address, or the account a session key signs for. */
  sender: Address;
  /** The EIP-712 digest that was signed. */
  digest: Hex;
}

/** Options of a signature: the transaction fields beyond the call. */
export interface SignOptions {
  chainId: bigint | number;
  nonce: bigint | number;
  maxFee: bigint;
  /** Another account pays the fee (a `Sponsored` envelope; its policy must allow the call). */
  sponsor?: Address;
}

function isWalletClient(s: WalletSigner): s is WalletClient {
  return typeof (s as WalletClient).request === 'function' && typeof (s as WalletClient).signTypedData === 'function';
}

/** Normalises a viem account or wallet client into a {@link TypedDataSigner}. */
export function toTypedDataSigner(s: WalletSigner): TypedDataSigner {
  if (isWalletClient(s)) {
    const account: Account | undefined = s.account;
    if (!account) throw new Error('the wallet client has no account: create it with { account }');
    return {
      address: account.address,
      signTypedData: (td) =>
        s.signTypedData({ account, ...td } as unknown as Parameters<WalletClient['signTypedData']>[0]),
    };
  }
  if (typeof s.signTypedData !== 'function') {
    throw new Error('this account cannot sign typed data: pass a local account or a wallet client');
  }
  return {
    address: s.address,
    signTypedData: (td) => (s as TypedDataSigner).signTypedData(td),
  };
}

/**
 * Splits a 65-byte `r ‖ s ‖ v` signature into the node's form: `v` 27/28 and low `s` (a high-s
 * signature from a wallet is flipped to its low-s twin, which recovers the same address).
 */
export function normalizeSignature(sig: Hex): RawSignature {
  const b = hexToBytes(sig);
  if (b.length !== 65) throw new Error(`expected a 65-byte signature, got ${b.length} bytes`);
  let v = b[64]!;
  if (v < 27) v += 27;
  if (v !== 27 && v !== 28) throw new Error(`bad signature v ${v}`);
  let s = BigInt(bytesToHex(b.subarray(32, 64)));
  if (s > SECP256K1_N / 2n) {
    s = SECP256K1_N - s;
    v = v === 27 ? 28 : 27;
  }
  return {
    r: bytesToHex(b.subarray(0, 32)),
    s: `0x${s.toString(16).padStart(64, '0')}`,
    v,
  };
}

/** Builds the signed transaction from its parts. */
export function assembleSigned(
  tx: UnsignedTransaction,
  signature: RawSignature,
  sender: Address,
  envelope?: Envelope,
): SignedTransaction {
  const bytes = encodeSignedTransaction(tx, signature, envelope);
  const out: SignedTransaction = {
    raw: bytesToHex(bytes),
    hash: transactionHash(bytes),
    tx,
    signature,
    sender,
    digest: signingHash(tx, envelope),
  };
  if (envelope) out.envelope = envelope;
  return out;
}

/**
 * Signs `call` with a wallet (EIP-712 via viem). With `sponsor`, the wallet signs the
 * `Sponsored` wrapper and the sponsor pays the fee.
 */
export async function signCall(signer: WalletSigner, call: Call, opts: SignOptions): Promise<SignedTransaction> {
  const s = toTypedDataSigner(signer);
  const tx: UnsignedTransaction = { chainId: opts.chainId, nonce: opts.nonce, maxFee: opts.maxFee, call };
  const envelope: Envelope | undefined = opts.sponsor ? { type: 'sponsored', sponsor: opts.sponsor } : undefined;
  const sig = await s.signTypedData(typedDataFor(tx, envelope));
  return assembleSigned(tx, normalizeSignature(sig), s.address, envelope);
}
