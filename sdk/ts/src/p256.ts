/**
 * Minimal P-256 (secp256r1) ECDSA over a 32-byte digest used as the prehash, as the node and
 * RIP-7212 verify it (docs/transactions.md §4.5). WebCrypto cannot do this (it always hashes the
 * message again), so the arithmetic is done here with `bigint`: deterministic nonces (RFC 6979,
 * HMAC-SHA256 from WebCrypto), low-s output.
 *
 * Not constant-time: fine for short-lived session keys on a client, not for long-term secrets on a
 * shared machine. Plug a hardware or passkey signer in through {@link SessionKeySigner} instead.
 */
import { bytesToHex, hexToBytes, type Hex } from 'viem';

const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const A = P - 3n;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;
const G: Point = {
  x: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
  y: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
};

interface Point { x: bigint; y: bigint }

const mod = (a: bigint, m: bigint): bigint => ((a % m) + m) % m;

function inv(a: bigint, m: bigint): bigint {
  let [r0, r1] = [mod(a, m), m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new Error('not invertible');
  return mod(s0, m);
}

function add(p: Point | null, q: Point | null): Point | null {
  if (p === null) return q;
  if (q === null) return p;
  if (p.x === q.x) {
    if (mod(p.y + q.y, P) === 0n) return null;
    const l = mod((3n * p.x * p.x + A) * inv(2n * p.y, P), P);
    const x = mod(l * l - 2n * p.x, P);
    return { x, y: mod(l * (p.x - x) - p.y, P) };
  }
  const l = mod((q.y - p.y) * inv(q.x - p.x, P), P);
  const x = mod(l * l - p.x - q.x, P);
  return { x, y: mod(l * (p.x - x) - p.y, P) };
}

function mul(k: bigint, p: Point): Point | null {
  let r: Point | null = null;
  let a: Point | null = p;
  let e = k;
  while (e > 0n) {
    if (e & 1n) r = add(r, a);
    a = add(a, a);
    e >>= 1n;
  }
  return r;
}

const toInt = (b: Uint8Array): bigint => (b.length === 0 ? 0n : BigInt(bytesToHex(b)));
const to32 = (x: bigint): Uint8Array => hexToBytes(`0x${x.toString(16).padStart(64, '0')}`);

/** Checks a 32-byte private scalar: `1 ≤ d < n`. */
export function p256CheckPrivate(secret: Uint8Array): bigint {
  if (secret.length !== 32) throw new RangeError('a P-256 private key is 32 bytes');
  const d = toInt(secret);
  if (d === 0n || d >= N) throw new RangeError('P-256 private key out of range');
  return d;
}

/** The compressed SEC1 public key (33 bytes) of a private scalar. */
export function p256PublicKey(secret: Uint8Array): Hex {
  const q = mul(p256CheckPrivate(secret), G);
  if (q === null) throw new Error('unreachable: d < n');
  const out = new Uint8Array(33);
  out[0] = q.y & 1n ? 0x03 : 0x02;
  out.set(to32(q.x), 1);
  return bytesToHex(out);
}

async function hmac(key: Uint8Array, ...data: Uint8Array[]): Promise<Uint8Array> {
  const k = await globalThis.crypto.subtle.importKey('raw', new Uint8Array(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const total = data.reduce((n, d) => n + d.length, 0);
  const msg = new Uint8Array(total);
  let o = 0;
  for (const d of data) {
    msg.set(d, o);
    o += d.length;
  }
  return new Uint8Array(await globalThis.crypto.subtle.sign('HMAC', k, msg));
}

/**
 * Signs a 32-byte digest as the ECDSA prehash: 64 bytes `r ‖ s`, `s ≤ n/2`, nonce by RFC 6979.
 */
export async function p256SignDigest(secret: Uint8Array, digest: Uint8Array): Promise<Uint8Array> {
  if (digest.length !== 32) throw new RangeError('the digest must be 32 bytes');
  const d = p256CheckPrivate(secret);
  const e = toInt(digest);
  const x = to32(d);
  const h1 = to32(mod(e, N));
  let v: Uint8Array = new Uint8Array(32).fill(1);
  let k: Uint8Array = new Uint8Array(32);
  k = await hmac(k, v, Uint8Array.of(0), x, h1);
  v = await hmac(k, v);
  k = await hmac(k, v, Uint8Array.of(1), x, h1);
  v = await hmac(k, v);
  for (;;) {
    v = await hmac(k, v);
    const kk = toInt(v);
    if (kk >= 1n && kk < N) {
      const R = mul(kk, G);
      if (R !== null) {
        const r = mod(R.x, N);
        let s = mod(inv(kk, N) * (e + r * d), N);
        if (r !== 0n && s !== 0n) {
          if (s > N / 2n) s = N - s;
          const out = new Uint8Array(64);
          out.set(to32(r), 0);
          out.set(to32(s), 32);
          return out;
        }
      }
    }
    k = await hmac(k, v, Uint8Array.of(0));
    v = await hmac(k, v);
  }
}

/** Verifies `r ‖ s` (low s only) over a 32-byte digest against a compressed public key. */
export function p256VerifyDigest(publicKey: Hex, digest: Uint8Array, sig: Uint8Array): boolean {
  const pk = hexToBytes(publicKey);
  if (pk.length !== 33 || (pk[0] !== 2 && pk[0] !== 3) || sig.length !== 64) return false;
  const x = toInt(pk.subarray(1));
  // y² = x³ + ax + b; p ≡ 3 mod 4, so the square root is a power.
  const y2 = mod(x * x * x + A * x + B, P);
  let y = modPow(y2, (P + 1n) / 4n, P);
  if (mod(y * y, P) !== y2) return false;
  if ((y & 1n) !== BigInt(pk[0]! & 1)) y = P - y;
  const r = toInt(sig.subarray(0, 32));
  const s = toInt(sig.subarray(32));
  if (r <= 0n || r >= N || s <= 0n || s > N / 2n) return false;
  const w = inv(s, N);
  const R = add(mul(mod(toInt(digest) * w, N), G), mul(mod(r * w, N), { x, y }));
  return R !== null && mod(R.x, N) === r;
}

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  let x = mod(b, m);
  let y = e;
  while (y > 0n) {
    if (y & 1n) r = (r * x) % m;
    x = (x * x) % m;
    y >>= 1n;
  }
  return r;
}
