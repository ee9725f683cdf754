/**
 * Session keys (docs/games.md, docs/transactions.md §2.4, §4.5): an ed25519 or P-256 key the
 * account authorized once with `AuthorizeSession` signs the 32-byte `SessionCall` digest; the
 * 64-byte signature travels as `r ‖ s` with `v = 0`.
 */
import { bytesToHex, hexToBytes, type Address, type Hex } from 'viem';

import type { Call, SessionKey } from './calls.js';
import type { Envelope, UnsignedTransaction } from './codec.js';
import { signingHash, voucherHash } from './eip712.js';
import { p256PublicKey, p256SignDigest } from './p256.js';
import { assembleSigned, type SignedTransaction } from './sign.js';

/** Anything that signs a 32-byte digest with a session key (e.g. a hardware or passkey signer). */
export interface SessionKeySigner {
  readonly key: SessionKey;
  /** Signs the digest: 64 bytes, ed25519 `R ‖ S` or P-256 `r ‖ s` with low `s`. */
  signDigest(digest: Uint8Array): Promise<Uint8Array>;
}

/** Options of a session-signed transaction. */
export interface SessionSignOptions {
  chainId: bigint | number;
  /** The account's next nonce (the session signs for the account). */
  nonce: bigint | number;
  maxFee: bigint;
  /** The account that authorized this key: the effective sender. */
  account: Address;
  /** Who pays the fee, if not the account. */
  sponsor?: Address | null;
}

const ED25519_PKCS8_PREFIX = hexToBytes('0x302e020100300506032b657004220420');

function randomSecret(): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(32));
}

function b64urlToBytes(s: string): Uint8Array {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** A local session key (ed25519 through WebCrypto, or P-256), plus the signing helpers. */
export class SessionSigner implements SessionKeySigner {
  private constructor(
    readonly key: SessionKey,
    private readonly sign: (digest: Uint8Array) => Promise<Uint8Array>,
  ) {}

  /**
   * An ed25519 session key from a 32-byte seed (fresh random bytes if omitted). Uses WebCrypto
   * (`crypto.subtle`, Node 20 and current browsers).
   */
  static async ed25519(seed: Uint8Array = randomSecret()): Promise<SessionSigner> {
    if (seed.length !== 32) throw new RangeError('an ed25519 seed is 32 bytes');
    const pkcs8 = new Uint8Array(ED25519_PKCS8_PREFIX.length + 32);
    pkcs8.set(ED25519_PKCS8_PREFIX);
    pkcs8.set(seed, ED25519_PKCS8_PREFIX.length);
    const subtle = globalThis.crypto.subtle;
    const priv = await subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, true, ['sign']);
    const jwk = await subtle.exportKey('jwk', priv);
    if (!jwk.x) throw new Error('WebCrypto did not export the ed25519 public key');
    const publicKey = bytesToHex(b64urlToBytes(jwk.x));
    // Keep only a non-extractable handle for signing.
    const signing = await subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, false, ['sign']);
    pkcs8.fill(0);
    return new SessionSigner({ scheme: 0, publicKey }, async (digest) =>
      new Uint8Array(await subtle.sign({ name: 'Ed25519' }, signing, new Uint8Array(digest))));
  }

  /** A P-256 session key from a 32-byte private scalar (fresh random bytes if omitted). */
  static p256(secret: Uint8Array = randomSecret()): SessionSigner {
    const d = Uint8Array.from(secret);
    const publicKey = p256PublicKey(d);
    return new SessionSigner({ scheme: 1, publicKey }, (digest) => p256SignDigest(d, digest));
  }

  /** Wraps an external signer (hardware, passkey without WebAuthn wrapping, remote). */
  static from(signer: SessionKeySigner): SessionSigner {
    return new SessionSigner(signer.key, (d) => signer.signDigest(d));
  }

  signDigest(digest: Uint8Array): Promise<Uint8Array> {
    return this.sign(digest);
  }

  /** Signs `call` for `opts.account` (a `Session` envelope). */
  async signCall(call: Call, opts: SessionSignOptions): Promise<SignedTransaction> {
    return signWithSession(this, call, opts);
  }

  /** Signs a payment-channel voucher: 64 bytes `r ‖ s`, for `SettleChannel.signature`. */
  async signVoucher(chainId: bigint | number, channel: bigint | number, cumulative: bigint): Promise<Hex> {
    return bytesToHex(await this.sign(hexToBytes(voucherHash(chainId, channel, cumulative))));
  }
}

/** Signs `call` with any {@link SessionKeySigner} for `opts.account`. */
export async function signWithSession(
  signer: SessionKeySigner,
  call: Call,
  opts: SessionSignOptions,
): Promise<SignedTransaction> {
  const tx: UnsignedTransaction = { chainId: opts.chainId, nonce: opts.nonce, maxFee: opts.maxFee, call };
  const envelope: Envelope = { type: 'session', account: opts.account, key: signer.key, sponsor: opts.sponsor ?? null };
  const sig = await signer.signDigest(hexToBytes(signingHash(tx, envelope)));
  if (sig.length !== 64) throw new Error(`a session signature is 64 bytes, got ${sig.length}`);
  return assembleSigned(
    tx,
    { r: bytesToHex(sig.subarray(0, 32)), s: bytesToHex(sig.subarray(32)), v: 0 },
    opts.account,
    envelope,
  );
}
