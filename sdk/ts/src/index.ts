/**
 * `@pillar-l2/sdk`: the TypeScript SDK for Pillar chains.
 *
 * - {@link PillarClient}: JSON-RPC (HTTP + WebSocket), sending, receipts by finality, subscriptions.
 * - {@link signCall}: EIP-712 signing of every call kind with viem (local key or browser wallet).
 * - {@link SessionSigner}: ed25519 / P-256 session keys.
 * - {@link L1Bridge}: deposits and withdrawals through the L1 Portal.
 */
export * from './calls.js';
export {
  BorshWriter,
  encodeSignedTransaction,
  encodeTransaction,
  sessionKeyId,
  transactionHash,
  writeCall,
  type Envelope,
  type RawSignature,
  type UnsignedTransaction,
} from './codec.js';
export * from './eip712.js';
export * from './errors.js';
export * from './types.js';
export * from './sign.js';
export * from './session.js';
export { p256PublicKey, p256SignDigest, p256VerifyDigest } from './p256.js';
export * from './client.js';
export { defaultWebSocket, type WebSocketConstructor, type WebSocketLike } from './ws.js';
export * from './bridge.js';
export * from './proof.js';
