/** Typed results of the Pillar JSON-RPC (docs/rpc.md, docs/transactions.md §7, §8). */
import type { Address, Hex } from 'viem';

/** How final a block must be: the sequencer's head, posted to L1, or covered by a finalized output. */
export type Finality = 'soft' | 'safe' | 'finalized';

/** A block selector: a height, or a named head. */
export type BlockSelector = number | bigint | 'latest' | 'pending' | 'earliest' | 'safe' | 'finalized';

export interface FeePaidEvent { type: 'feePaid'; from: Address; amount: bigint }
export interface TransferEvent { type: 'transfer'; asset: number; from: Address; to: Address; amount: bigint }
export interface AssetCreatedEvent { type: 'assetCreated'; asset: number; creator: Address; name: string; symbol: string; decimals: number }
export interface MintedEvent { type: 'minted'; asset: number; to: Address; amount: bigint }
export interface BurnedEvent { type: 'burned'; asset: number; from: Address; amount: bigint }
export interface RoleChangedEvent { type: 'roleChanged'; asset: number; role: number; account: Address; enabled: boolean }
export interface DepositedEvent { type: 'deposited'; queueIndex: number; from: Address; to: Address; asset: number; l1Token: Address; amount: bigint }
export interface WithdrawalInitiatedEvent {
  type: 'withdrawalInitiated';
  index: number;
  l2Block: number;
  sender: Address;
  l1Recipient: Address;
  l1Token: Address;
  amount: bigint;
  leaf: Hex;
}
export interface SessionAuthorizedEvent { type: 'sessionAuthorized'; account: Address; key: { scheme: number; publicKey: Hex }; expiresMs: number }
export interface SessionRevokedEvent { type: 'sessionRevoked'; account: Address; key: { scheme: number; publicKey: Hex } }
export interface SponsorPolicySetEvent { type: 'sponsorPolicySet'; sponsor: Address; budget: bigint }
export interface CollectionCreatedEvent { type: 'collectionCreated'; collection: number; issuer: Address; name: string }
export interface ItemMinterChangedEvent { type: 'itemMinterChanged'; collection: number; minter: Address; enabled: boolean }
export interface ItemDefinedEvent { type: 'itemDefined'; collection: number; item: number; maxSupply: bigint; transferable: boolean }
export interface ItemsMovedEvent { type: 'itemsMoved'; collection: number; item: number; from: Address; to: Address; amount: bigint }

/** Events whose fields the SDK does not spell out (compliance, agents); amounts are still `bigint`. */
export interface OtherEvent {
  type:
    | 'registryAgentChanged' | 'trustedIssuerChanged' | 'identityRegistered' | 'walletLinked' | 'claimAdded'
    | 'claimRemoved' | 'sanctionChanged' | 'complianceRulesSet' | 'complianceAgentChanged' | 'complianceApproved'
    | 'assetPaused' | 'walletFrozen' | 'amountFrozen' | 'forcedTransfer' | 'walletRecovered'
    | 'agentRegistered' | 'agentUpdated' | 'agentTransferred' | 'feedbackGiven' | 'feedbackRevoked'
    | 'channelFunded' | 'channelSettled' | 'channelCloseRequested' | 'channelClosed';
  [field: string]: unknown;
}

/** A receipt event (`type` in lower camelCase). */
export type PillarEvent =
  | FeePaidEvent | TransferEvent | AssetCreatedEvent | MintedEvent | BurnedEvent | RoleChangedEvent
  | DepositedEvent | WithdrawalInitiatedEvent | SessionAuthorizedEvent | SessionRevokedEvent
  | SponsorPolicySetEvent | CollectionCreatedEvent | ItemMinterChangedEvent | ItemDefinedEvent
  | ItemsMovedEvent | OtherEvent;

export type EventType = PillarEvent['type'];
export type EventOf<T extends EventType> = Extract<PillarEvent, { type: T }>;

interface ReceiptBase {
  txHash: Hex;
  blockHeight: number;
  index: number;
  sender: Address;
  nonce: number;
  feePaid: bigint;
  events: PillarEvent[];
}

/** A receipt: the call succeeded, or failed with a stable `code` (the nonce and fee are spent). */
export type Receipt =
  | (ReceiptBase & { status: 'success' })
  | (ReceiptBase & { status: 'failed'; code: number; reason: string });

/** What `pillar_subscribeReceipt` sends for a transaction dropped as invalid. */
export interface DroppedReceipt {
  txHash: Hex;
  status: 'dropped';
  reason: string;
}

/** A block header (JSON form) with its hash. */
export interface BlockHeader {
  hash: Hex;
  height: number;
  parentHash: Hex;
  timestampMs: number;
  l1Origin: number;
  queueIndex: number;
  queueHash: Hex;
  stateRoot: Hex;
  txRoot: Hex;
  receiptsRoot: Hex;
  withdrawalsRoot: Hex;
  txCount: number;
}

/** A block with its entry hashes. */
export interface Block extends BlockHeader {
  transactions: Hex[];
}

/** A `pillar_newBlock` notification: the block, and whether the chain was rolled back under the
 * subscriber so that it replaces blocks already sent from its height on (docs/rpc.md). */
export interface NewBlock extends Block {
  replaces: boolean;
}

/** A block with full entries (`pillar_getBlockByNumber [sel, true]`). */
export interface FullBlock extends BlockHeader {
  transactions: BlockEntry[];
}

/** A signed-transaction block entry. */
export interface SignedEntry {
  kind: 'signed';
  hash: Hex;
  sender: Address;
  blockHeight: number;
  index: number;
  chainId: number;
  nonce: number;
  maxFee: string;
  call: { type: string; [field: string]: unknown };
  typed?: unknown;
  raw: Hex;
  envelope?: unknown;
}

/** An L1 queue message block entry (deposit or forced transaction). */
export interface L1MessageEntry {
  kind: 'l1Message';
  hash: Hex;
  sender: Address;
  blockHeight: number;
  index: number;
  message: {
    index: number;
    l1Block: number;
    timestamp: number;
    sender: Address;
    kind: { type: 'ethDeposit' | 'erc20Deposit' | 'forcedTx'; [field: string]: unknown };
  };
}

export type BlockEntry = SignedEntry | L1MessageEntry;

/** `pillar_getAccount`. */
export interface Account {
  address: Address;
  /** The next nonce to sign with (pending transactions not counted). */
  nonce: number;
  balances: { asset: number; amount: bigint }[];
}

/** `pillar_chainInfo`. */
export interface ChainInfo {
  chainId: number;
  genesisHash: Hex;
  head: { height: number; hash: Hex; stateRoot: Hex; timestampMs: number };
  modules: string[];
  blockTimeMs: number;
  maxBlockTxs: number;
  pendingTransactions: number;
  fees: { txFee: bigint; recipient: Address } | null;
  eip712Domain: { name: string; version: string; chainId: number };
  halted: string | null;
  role: 'sequencer' | 'replica';
  heads: { soft: number; safe: number; finalized: number };
  sync: Record<string, unknown> | null;
}

/** `pillar_getProof` spec. */
export type ProofSpec = { keyPath: Hex } | { module: string; field: string; params?: unknown };

/** `pillar_getProof` result (verification: docs/state.md §4). */
export interface StateProof {
  stateRoot: Hex;
  blockHeight: number | null;
  keyPath: Hex;
  value: unknown;
  proof: {
    keyPath: Hex;
    terminal: { kind: string; [field: string]: unknown };
    siblings: Hex[];
  };
}

/** `pillar_query ["bridge","withdrawal",{index}]`. */
export interface WithdrawalRecord {
  l2Block: number;
  sender: Address;
  l1Recipient: Address;
  l1Token: Address;
  asset: number;
  amount: bigint;
  leaf: Hex;
}

/** `pillar_query ["bridge","withdrawalProof",{index,leafCount}]`. */
/** Where derivation found a safe block: the batch-chain entry, and 0 (from its batch) or 1 (forced in after it). */
export interface DerivationCursor {
  entry: Hex;
  phase: number;
}

/** `pillar_getOutputPreimage`: what a safe block's output root commits to. */
export interface OutputPreimage {
  block: number;
  stateRoot: Hex;
  withdrawalsRoot: Hex;
  blockHash: Hex;
  cursor: DerivationCursor;
  outputRoot: Hex;
}

export interface WithdrawalProofResult {
  withdrawal: WithdrawalRecord;
  leafIndex: number;
  leafCount: number;
  siblings: Hex[];
  root: Hex;
}
