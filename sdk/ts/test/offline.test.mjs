// Offline checks against the known-answer vectors of docs/transactions.md (no node needed).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { privateKeyToAccount } from 'viem/accounts';
import { hexToBytes, bytesToHex, keccak256, recoverTypedDataAddress } from 'viem';

import {
  CALL_TYPES,
  SessionSigner,
  callBits,
  decodeAccount,
  callTag,
  encodeType,
  encodeTransaction,
  normalizeSignature,
  p256PublicKey,
  p256SignDigest,
  p256VerifyDigest,
  sessionKeyId,
  signCall,
  signingHash,
  typeHash,
  typedDataFor,
} from '../dist/index.js';

const KEY = `0x${'01'.repeat(32)}`;
const account = privateKeyToAccount(KEY);
const aa = `0x${'00'.repeat(19)}aa`;
const bb = `0x${'00'.repeat(19)}bb`;
const cc = `0x${'00'.repeat(19)}cc`;

test('the Transfer fixture: bytes, hash, digest and signature (docs/transactions.md §3, §4.6)', async () => {
  assert.equal(account.address, '0x1a642f0E3c3aF545E7AcBD38b07251B3990914F1');
  const call = { type: 'Transfer', to: aa, asset: 0, amount: 10n ** 18n };
  const signed = await signCall(account, call, { chainId: 901, nonce: 7, maxFee: 10n ** 13n });
  assert.equal(
    signed.raw,
    '0x8503000000000000070000000000000000a0724e1809000000000000000000000000000000000000000000000000000000000000aa00000000000064a7b3b6e00d0000000000000000628c2de0781f41af5d529e46241e7fe99e82021fe62138915e04e36fe1c3ef514ffdf9f4ce159dc8bcfbe1898f796f6b8ee441063047fc4a89849ed359b1b8171b',
  );
  assert.equal(hexToBytes(signed.raw).length, 138);
  assert.equal(signed.hash, '0x4edd8c6b1680128a9e335eab40e333a2d582de3bf049bff5964257cd975c3022');
  assert.equal(signed.digest, '0x9f4d0a70be993aaf45f88ed2fdd856716982594b6885dc178c9f318132e541e5');
  assert.equal(signed.sender, account.address);
});

test('digests and signatures of the asset calls (§4.6)', async () => {
  const vectors = [
    [{ type: 'CreateAsset', name: 'Gold', symbol: 'GLD', decimals: 2, maxSupply: (1n << 128n) - 1n }, 0, 0n,
      '0xc7136e241ad40cc1fef4be6ee90f808f81b5301729e7a81f0638d5dde764d407',
      '0xfaae1f9c59e83e3a5ea1956f4f0595e2b253a1eaa12e04baf9ae354d74147be11a03fa6f4b440702fb57bb2c68b77e8d59c7ec6872a8ace6c0cc03404bee116f1b'],
    [{ type: 'Mint', asset: 3, to: bb, amount: 5n }, 1, 0n,
      '0xd712dc97209631d5ed990eaf38c960abc2783be5396a7fbae1552b969bf9868a',
      '0x4fedb1f749023f673fa823f682863dc28735d7f531443492c3fe017952327e5b71b49d428bfc58117f6d0d9ec9ddaa8ca418083430f8d4464f63b42f745fc2121c'],
    [{ type: 'Burn', asset: 3, amount: 2n }, 2, 0n,
      '0xe32ce3a1e0ddab2591d4c896166d6e679168db533e9d2681ae603ce50c8868df',
      '0x39af783a38989bc65a70f6dd0a60b4d5d352d583e742b8ba76e01f236390bed13a4ee8d9cb596de518aec0bd40b8f00be5c667d4e47d67480eff929216f7776b1b'],
    [{ type: 'SetAssetRole', asset: 3, role: 1, account: cc, enabled: true }, 3, 0n,
      '0x7aafb77070dc1c609e84e07d8044c5cc15e488db69359f20f78aa3463e2702b6',
      '0x9e1e50d8644bf9d1948bd61ff8644c9535e6efeb08750217e84414ab448ba5e9544554e46e45dac7598efa3ed02180ad8e57d10cecaf0e48139fbfd6cd93f2e11b'],
  ];
  for (const [call, nonce, maxFee, digest, sig] of vectors) {
    const s = await signCall(account, call, { chainId: 901, nonce, maxFee });
    assert.equal(s.digest, digest, call.type);
    const n = normalizeSignature(sig);
    assert.deepEqual(s.signature, n, call.type);
  }
});

test('typehashes of the documented primary types (§4.2)', () => {
  const expected = {
    Transfer: '0x9ff07d048bce53b00a2e13c99af340c49cba32f5f77e59114f9bc645a5c7b97f',
    CreateAsset: '0xa143c97c0788169cb192c94dcbb1c75b0ad7f760745ae5581b9aa7590b0ba737',
    Mint: '0xf7ebf44120d291680cfc5d5e5c9bbc7e275fd8d077ddf72d96dfb5e11e4951a4',
    Burn: '0x5d8ac3b6c964f27e5d068e7ac528d5ecc7d29ee6df2f4446f6ca910b47301399',
    SetAssetRole: '0xea32fb35571609bd16fd1c0a696e6415a118e87ccfb04eb5f0fa0a9426d5dd63',
    Withdraw: '0x588217f161835f283bef58fbe1bc71d01710e6c0cf249cc78925f8126e9f5773',
    SetRegistryAgent: '0x030dc09f7469ba830d6416d371037a02d24604c48019716e0876649f778093e0',
    SetTrustedIssuer: '0x93a8cdd9b276aec23991f70ede7e9cac16cc5cace6c143fdedb1a77e1f7a50e7',
    RegisterIdentity: '0x90414e3b064be3e163e2de9fbb4fd8b73099856f45c2c41ceefbeb03c505d83b',
    LinkWallet: '0xb5ba0a345ffecffff352c18f132273c4ef03fa0963639bb942fc60f6a30bf9ab',
    AddClaim: '0xe367fb64535b649dbc3aaa3fa253a2edb81ecd6a75a2e7ffe7d9ad724d199f0f',
    RemoveClaim: '0x0885ad75bcabc68e486ec31498d4b016a7cdb43306ae2e0d1bb1a7910a1c56ea',
    SetSanctions: '0xeb2ffcc68a7d4eca9a9499ba3ded2c1cc580e4a9020848a0f3b48b874cc07407',
    SetComplianceRules: '0xbbcb9d1543e639c4cbaa273f69a5b23a0d58c28b9e1da0045a88dcf15b91dff6',
    SetComplianceAgent: '0x458edf46aa218ce4ff60fa1bd1f45f5c6c5584903c528d5aada819f99d485e99',
    SetPaused: '0x594ec2e2726c3d2fed032aad74e7f9bce1ed75d8594888eecefa149908d6cd24',
    FreezeWallets: '0xe43856e0fa41b595d94525d182cfe938fda782d533f735c743f817517654aacd',
    FreezeAmounts: '0xafed33696f63aafea71e7487305df9a19afc19d6efe11a149d3bf3c217af5871',
    ForcedTransfers: '0xe5b35a47382dca24cdd3658f6d720913551d372cb3fa2bd80f99a63b508da363',
    RecoverWallets: '0x9f9369656fc83df63768d3a83448ad83f0fbbb61623670e9b97589182724e3a7',
  };
  for (const [name, hash] of Object.entries(expected)) assert.equal(typeHash(name), hash, name);
  assert.equal(
    encodeType('AuthorizeSession'),
    'AuthorizeSession(SessionKey key,uint64 calls,uint64 expiresMs,uint64 windowMs,uint32 maxTxs,SpendCap[] caps,uint64 nonce,uint128 maxFee)SessionKey(uint8 scheme,bytes publicKey)SpendCap(uint32 asset,uint128 total,uint128 perWindow)',
  );
  assert.equal(CALL_TYPES.length, 39);
  assert.equal(callTag('BurnItems'), 38);
  assert.equal(callBits('Transfer', 'Withdraw'), 1n | (1n << 5n));
});

test('sponsored and session digests (§4.5)', async () => {
  const tx = { chainId: 901, nonce: 7, maxFee: 10n ** 13n, call: { type: 'Transfer', to: aa, asset: 0, amount: 10n ** 18n } };
  assert.equal(signingHash(tx, { type: 'sponsored', sponsor: bb }), '0x80192edad16ed5a40a9d85f86608b0550114fbd9405e2fe57b628545098b821c');
  const sponsored = await signCall(account, tx.call, { chainId: 901, nonce: 7, maxFee: 10n ** 13n, sponsor: bb });
  assert.deepEqual(
    sponsored.signature,
    normalizeSignature('0x01329d8eb064d903179942b6ec0df8a4317e18b6c7665eafc0b5543bb95b7457210e97652e98f275915810021e160bc2d4a8f1326cb94cab13d4937c4109d1251c'),
  );
  assert.equal(hexToBytes(sponsored.raw).length, 168);
  // A browser wallet signs the same typed data: viem recovers the account from it.
  const td = typedDataFor(tx, { type: 'sponsored', sponsor: bb });
  const sigHex = bytesToHex(Uint8Array.from([...hexToBytes(sponsored.signature.r), ...hexToBytes(sponsored.signature.s), sponsored.signature.v]));
  assert.equal(await recoverTypedDataAddress({ ...td, signature: sigHex }), account.address);

  const key = { scheme: 0, publicKey: `0x${'11'.repeat(32)}` };
  assert.equal(sessionKeyId(key), '0x5f61df1468962c8107c77ae5f01bbd92c363c87a057eba326bd87ca93188e313');
  assert.equal(
    signingHash(tx, { type: 'session', account: cc, key, sponsor: bb }),
    '0x675f2316cea44b769e11bc04fa5b9d5b0075d03b018b46074da598958c101ceb',
  );
});

test('session keys: ed25519 via WebCrypto, P-256 prehash with low s', async () => {
  const ed = await SessionSigner.ed25519(new Uint8Array(32).fill(1));
  assert.equal(ed.key.publicKey, '0x8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c');
  const tx = await ed.signCall({ type: 'Transfer', to: aa, asset: 0, amount: 1n }, { chainId: 901, nonce: 0, maxFee: 0n, account: cc, sponsor: bb });
  assert.equal(tx.signature.v, 0);
  assert.equal(hexToBytes(tx.raw).length, 222);
  const plain = await ed.signCall({ type: 'Transfer', to: aa, asset: 0, amount: 1n }, { chainId: 901, nonce: 0, maxFee: 0n, account: cc });
  assert.equal(hexToBytes(plain.raw).length, 202);

  const secret = new Uint8Array(32).fill(7);
  const p = SessionSigner.p256(secret);
  assert.equal(p.key.scheme, 1);
  assert.equal(hexToBytes(p.key.publicKey).length, 33);
  const digest = hexToBytes(keccak256('0x1234'));
  const sig = await p256SignDigest(secret, digest);
  assert.ok(p256VerifyDigest(p.key.publicKey, digest, sig));
  const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
  assert.ok(BigInt(bytesToHex(sig.subarray(32))) <= N / 2n, 'low s');
  // Deterministic (RFC 6979).
  assert.deepEqual(await p256SignDigest(secret, digest), sig);
  digest[0] ^= 1;
  assert.ok(!p256VerifyDigest(p.key.publicKey, digest, sig));
  // Cross-check with @noble/curves (viem's own dependency), when it can be found.
  let noble = null;
  try {
    noble = await import(new URL('../../../node_modules/viem/node_modules/@noble/curves/p256.js', import.meta.url).href);
  } catch { /* not installed at that path */ }
  if (noble) {
    digest[0] ^= 1;
    assert.ok(noble.p256.verify(sig, digest, hexToBytes(p.key.publicKey), { prehash: false }));
    assert.equal(bytesToHex(noble.p256.getPublicKey(secret, true)), p256PublicKey(secret));
  }
});

test('encoding refuses out-of-range values', () => {
  const bad = { chainId: 901, nonce: 0, maxFee: 0n, call: { type: 'Transfer', to: aa, asset: 2 ** 32, amount: 1n } };
  assert.throws(() => encodeTransaction(bad), RangeError);
  assert.throws(() => encodeTransaction({ ...bad, call: { type: 'Transfer', to: '0x12', asset: 0, amount: 1n } }), RangeError);
});

test('account records decode as nonce then balance, both little-endian (docs/state.md §2)', () => {
  // nonce 3, balance 10^18 + 1
  const bytes = new Uint8Array(24);
  bytes[0] = 3;
  let b = 10n ** 18n + 1n;
  for (let i = 8; i < 24; i++) {
    bytes[i] = Number(b & 0xffn);
    b >>= 8n;
  }
  assert.deepEqual(decodeAccount(bytesToHex(bytes)), { nonce: 3n, balance: 10n ** 18n + 1n });
  assert.throws(() => decodeAccount(bytesToHex(bytes.subarray(0, 16))), /24 bytes/);
});
