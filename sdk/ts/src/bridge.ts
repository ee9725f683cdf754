/**
 * Deposits and withdrawals through the L1 contracts (docs/bridge.md) with viem: ETH and ERC-20
 * deposits into the Portal's queue, forced transactions, and finalizing L2 withdrawals on L1 once
 * an output covering them is final.
 */
import {
  encodeAbiParameters,
  erc20Abi,
  keccak256,
  parseAbi,
  parseEventLogs,
  type Address,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  type WalletClient,
} from 'viem';

import type { PillarClient } from './client.js';
import { findEvent } from './client.js';
import { PillarTimeoutError } from './errors.js';
import type { SignedTransaction } from './sign.js';
import type { WaitOptions } from './client.js';
import type { DerivationCursor, Receipt } from './types.js';

/** The Portal functions, events and errors the SDK uses (contracts/src/Portal.sol). */
export const portalAbi = parseAbi([
  'struct Withdrawal { uint64 l2Block; uint32 index; address l2Sender; address l1Recipient; address token; uint256 amount; }',
  'struct WithdrawalProof { uint256 leafIndex; uint256 leafCount; bytes32[] siblings; }',
  'function depositETH(address l2Recipient) payable returns (uint64 index)',
  'function depositERC20(address token, address l2Recipient, uint256 amount) returns (uint64 index)',
  'function forceTransaction(bytes signedL2Tx) returns (uint64 index)',
  'struct DerivationCursor { bytes32 entry; uint8 phase; }',
  'function finalizeWithdrawal(Withdrawal withdrawal, uint256 outputIndex, bytes32 stateRoot, bytes32 blockHash, DerivationCursor cursor, WithdrawalProof proof)',
  'function finalizedWithdrawals(bytes32 leaf) view returns (bool)',
  'function withdrawalLeaf(Withdrawal withdrawal) pure returns (bytes32)',
  'function computeWithdrawalsRoot(bytes32 leaf, WithdrawalProof proof) pure returns (bytes32)',
  'function rollup() view returns (address)',
  'function queueLength() view returns (uint64)',
  'function queueHash(uint256 index) view returns (bytes32)',
  'function lockedERC20(address token) view returns (uint256)',
  'function minDeposit() view returns (uint256)',
  'function maxDeposit() view returns (uint256)',
  'event QueueMessage(uint64 indexed index, uint8 indexed kind, address indexed sender, uint64 timestamp, bytes payload, bytes32 queueHash)',
  'event WithdrawalFinalized(bytes32 indexed leaf, address indexed l1Recipient, address indexed token, uint256 amount, uint64 l2Block, uint32 index, uint256 outputIndex)',
  'error ZeroRecipient()',
  'error ZeroToken()',
  'error AmountOutOfRange(uint256 amount, uint256 min, uint256 max)',
  'error InvalidForcedTxSize(uint256 size, uint256 max)',
  'error OutputNotFinalized(uint256 outputIndex)',
  'error WithdrawalAfterOutput(uint64 withdrawalBlock, uint64 outputBlock)',
  'error OutputRootMismatch(bytes32 expected, bytes32 computed)',
  'error WithdrawalAlreadyFinalized(bytes32 leaf)',
  'error ZeroL1Recipient()',
  'error InsufficientLocked(address token, uint256 locked, uint256 amount)',
  'error EthTransferFailed(address recipient, uint256 amount)',
  'error InvalidLeafPosition(uint256 leafIndex, uint256 leafCount)',
  'error InvalidProofLength(uint256 expected, uint256 provided)',
]);

/** The Rollup's output reads (contracts/src/Rollup.sol, IOutputOracle). */
export const rollupAbi = parseAbi([
  'struct Output { bytes32 outputRoot; uint64 l2Block; uint64 proposedAt; uint64 finalizesAt; }',
  'function outputCount() view returns (uint256)',
  'function getOutput(uint256 index) view returns (Output)',
  'function isFinalized(uint256 index) view returns (bool)',
  'function latestOutput() view returns (uint256 index, Output output)',
  'struct DerivationCursor { bytes32 entry; uint8 phase; }',
  'function computeOutputRoot(bytes32 stateRoot, bytes32 withdrawalsRoot, bytes32 blockHash, DerivationCursor cursor) pure returns (bytes32)',
  'function l2ChainId() view returns (uint64)',
  'function challengeWindow() view returns (uint64)',
  'function lastBatchBlock() view returns (uint64)',
  'function batchCount() view returns (uint256)',
  'function forceInclusion() returns (bytes32 batchHash)',
  'error AlreadyForcedThisBlock(uint64 l1Block)',
]);

/** Queue message kinds (`QueueMessage.kind`). */
export const QueueKind = { EthDeposit: 0, Erc20Deposit: 1, ForcedTx: 2 } as const;

/** A message appended to the Portal's queue, and the L1 transaction that did it. */
export interface QueuedMessage {
  l1TxHash: Hex;
  l1Block: bigint;
  index: bigint;
  kind: number;
  sender: Address;
  timestamp: bigint;
  payload: Hex;
  queueHash: Hex;
  /** The message hash: the L2 receipt of a deposit is keyed by it (docs/bridge.md §4.2). */
  messageHash: Hex;
}

/** A withdrawal as the Portal's `Withdrawal` struct. */
export interface L1Withdrawal {
  l2Block: bigint;
  index: number;
  l2Sender: Address;
  l1Recipient: Address;
  token: Address;
  amount: bigint;
}

/** An output on L1. */
export interface OutputInfo {
  index: bigint;
  outputRoot: Hex;
  l2Block: bigint;
  proposedAt: bigint;
  finalizesAt: bigint;
}

/** Everything `finalizeWithdrawal` takes. */
export interface WithdrawalProofArgs {
  withdrawal: L1Withdrawal;
  outputIndex: bigint;
  stateRoot: Hex;
  blockHash: Hex;
  cursor: DerivationCursor;
  proof: { leafIndex: bigint; leafCount: bigint; siblings: Hex[] };
}

/** The result of finalizing a withdrawal on L1. */
export interface FinalizedWithdrawal extends WithdrawalProofArgs {
  l1TxHash: Hex;
  l1Receipt: TransactionReceipt;
  leaf: Hex;
}

/** Options of {@link L1Bridge}. */
export interface L1BridgeOptions {
  /** The L2 node. */
  l2: PillarClient;
  /** Reads L1. */
  publicClient: PublicClient;
  /** Signs L1 transactions (deposits, finalization); needs an account. */
  walletClient?: WalletClient;
  portal: Address;
  /** The Rollup; read from `Portal.rollup()` when omitted. */
  rollup?: Address;
}

/** `keccak256(abi.encode(uint64 index, uint64 timestamp, address sender, uint8 kind, bytes payload))`. */
export function queueMessageHash(m: { index: bigint; timestamp: bigint; sender: Address; kind: number; payload: Hex }): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: 'uint64' }, { type: 'uint64' }, { type: 'address' }, { type: 'uint8' }, { type: 'bytes' }],
      [m.index, m.timestamp, m.sender, m.kind, m.payload],
    ),
  );
}

/** `keccak256(abi.encode(uint64 l2Block, uint32 index, address l2Sender, address l1Recipient, address token, uint256 amount))`. */
export function withdrawalLeaf(w: L1Withdrawal): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: 'uint64' }, { type: 'uint32' }, { type: 'address' }, { type: 'address' }, { type: 'address' }, { type: 'uint256' }],
      [w.l2Block, w.index, w.l2Sender, w.l1Recipient, w.token, w.amount],
    ),
  );
}

/** The L1 withdrawal of an L2 `Withdraw` receipt (from its `withdrawalInitiated` event). */
export function withdrawalFromReceipt(receipt: Receipt): L1Withdrawal {
  const ev = findEvent(receipt, 'withdrawalInitiated');
  if (!ev) throw new Error(`receipt ${receipt.txHash} has no withdrawalInitiated event (status ${receipt.status})`);
  return {
    l2Block: BigInt(ev.l2Block),
    index: ev.index,
    l2Sender: ev.sender,
    l1Recipient: ev.l1Recipient,
    token: ev.l1Token,
    amount: BigInt(ev.amount),
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The bridge between L1 (viem clients) and a Pillar chain. */
export class L1Bridge {
  readonly l2: PillarClient;
  readonly publicClient: PublicClient;
  readonly walletClient: WalletClient | undefined;
  readonly portal: Address;
  private rollupAddress: Address | undefined;

  constructor(o: L1BridgeOptions) {
    this.l2 = o.l2;
    this.publicClient = o.publicClient;
    this.walletClient = o.walletClient;
    this.portal = o.portal;
    this.rollupAddress = o.rollup;
  }

  /** The Rollup address. */
  async rollup(): Promise<Address> {
    this.rollupAddress ??= await this.publicClient.readContract({
      address: this.portal,
      abi: portalAbi,
      functionName: 'rollup',
    });
    return this.rollupAddress;
  }

  private wallet(): { wallet: WalletClient; account: NonNullable<WalletClient['account']> } {
    const wallet = this.walletClient;
    if (!wallet?.account) throw new Error('L1Bridge needs a walletClient with an account to send L1 transactions');
    return { wallet, account: wallet.account };
  }

  /** Sends an L1 contract call and waits for it to succeed. */
  private async write(request: {
    address: Address;
    abi: readonly unknown[];
    functionName: string;
    args: readonly unknown[];
    value?: bigint;
  }): Promise<TransactionReceipt> {
    const { wallet, account } = this.wallet();
    const { request: simulated } = await this.publicClient.simulateContract({
      ...request,
      account,
    } as Parameters<PublicClient['simulateContract']>[0]);
    const hash = await wallet.writeContract({ ...simulated, chain: wallet.chain ?? null } as Parameters<
      WalletClient['writeContract']
    >[0]);
    const receipt = await this.publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') throw new Error(`L1 transaction ${hash} reverted`);
    return receipt;
  }

  private queued(receipt: TransactionReceipt): QueuedMessage {
    const logs = parseEventLogs({ abi: portalAbi, logs: receipt.logs, eventName: 'QueueMessage' }).filter(
      (l) => l.address.toLowerCase() === this.portal.toLowerCase(),
    );
    const log = logs[0];
    if (!log) throw new Error(`L1 transaction ${receipt.transactionHash} emitted no QueueMessage`);
    const a = log.args;
    const m = { index: a.index, timestamp: a.timestamp, sender: a.sender, kind: a.kind, payload: a.payload };
    return {
      l1TxHash: receipt.transactionHash,
      l1Block: receipt.blockNumber,
      ...m,
      queueHash: a.queueHash,
      messageHash: queueMessageHash(m),
    };
  }

  /** Deposits `amount` wei of ETH to `to` on L2 (default: the L1 sender). */
  async depositEth(o: { amount: bigint; to?: Address }): Promise<QueuedMessage> {
    const { account } = this.wallet();
    const receipt = await this.write({
      address: this.portal,
      abi: portalAbi,
      functionName: 'depositETH',
      args: [o.to ?? account.address],
      value: o.amount,
    });
    return this.queued(receipt);
  }

  /**
   * Deposits `amount` of an ERC-20 to `to` on L2, approving the Portal first if its allowance is
   * short. The L2 asset is created on the token's first deposit.
   */
  async depositErc20(o: { token: Address; amount: bigint; to?: Address }): Promise<QueuedMessage> {
    const { account } = this.wallet();
    const allowance = await this.publicClient.readContract({
      address: o.token,
      abi: erc20Abi,
      functionName: 'allowance',
      args: [account.address, this.portal],
    });
    if (allowance < o.amount) {
      await this.write({ address: o.token, abi: erc20Abi, functionName: 'approve', args: [this.portal, o.amount] });
    }
    const receipt = await this.write({
      address: this.portal,
      abi: portalAbi,
      functionName: 'depositERC20',
      args: [o.token, o.to ?? account.address, o.amount],
    });
    return this.queued(receipt);
  }

  /**
   * Forces a signed L2 transaction through L1 (`Portal.forceTransaction`). Once executed its
   * receipt is found by its own L2 hash.
   */
  async forceTransaction(tx: SignedTransaction | Hex): Promise<QueuedMessage> {
    const raw = typeof tx === 'string' ? tx : tx.raw;
    const receipt = await this.write({ address: this.portal, abi: portalAbi, functionName: 'forceTransaction', args: [raw] });
    return this.queued(receipt);
  }

  /**
   * Appends a force entry to the batch chain (`Rollup.forceInclusion`, anyone, once per L1
   * block). Derivation forces every queue message past its inclusion deadline at this L1 time into
   * the chain, so this is how a deposit or forced transaction gets in while no batches are posted
   * (docs/derivation.md §4). Returns the new head of the batch chain.
   */
  async forceInclusion(): Promise<{ l1TxHash: Hex; l1Block: bigint }> {
    const receipt = await this.write({ address: await this.rollup(), abi: rollupAbi, functionName: 'forceInclusion', args: [] });
    return { l1TxHash: receipt.transactionHash, l1Block: receipt.blockNumber };
  }

  /** Waits for the L2 receipt of a queued deposit (keyed by the message hash). */
  waitForDeposit(m: QueuedMessage, opts: WaitOptions = {}): Promise<Receipt> {
    return this.l2.waitForReceipt(m.messageHash, opts);
  }

  /** Output `index`. */
  async getOutput(index: bigint): Promise<OutputInfo> {
    const o = await this.publicClient.readContract({
      address: await this.rollup(),
      abi: rollupAbi,
      functionName: 'getOutput',
      args: [index],
    });
    return { index, ...o };
  }

  /** The first live output whose block is at or after `l2Block` (outputs' blocks increase with the index), or null. */
  async findOutput(l2Block: bigint): Promise<OutputInfo | null> {
    const rollup = await this.rollup();
    const count = await this.publicClient.readContract({ address: rollup, abi: rollupAbi, functionName: 'outputCount' });
    if (count === 0n) return null;
    let lo = 0n;
    let hi = count; // first index with block >= l2Block is in [lo, hi]
    while (lo < hi) {
      const mid = (lo + hi) / 2n;
      const o = await this.getOutput(mid);
      if (o.l2Block >= l2Block) hi = mid;
      else lo = mid + 1n;
    }
    return lo < count ? this.getOutput(lo) : null;
  }

  /** Whether output `index` is finalized on L1. */
  async isOutputFinalized(index: bigint): Promise<boolean> {
    return this.publicClient.readContract({
      address: await this.rollup(),
      abi: rollupAbi,
      functionName: 'isFinalized',
      args: [index],
    });
  }

  /**
   * Waits until an output covering `l2Block` is proposed and past its challenge window. Re-reads
   * the outputs on every poll, so an invalidated output is replaced by its re-proposal.
   */
  async waitForFinalizedOutput(l2Block: bigint, opts: { timeoutMs?: number; pollMs?: number } = {}): Promise<OutputInfo> {
    const deadline = Date.now() + (opts.timeoutMs ?? 300_000);
    for (;;) {
      const o = await this.findOutput(l2Block);
      if (o && (await this.isOutputFinalized(o.index))) return o;
      if (Date.now() >= deadline) {
        throw new PillarTimeoutError(
          o ? `output ${o.index} (L2 block ${o.l2Block}) not final in time` : `no output covers L2 block ${l2Block} in time`,
        );
      }
      await sleep(opts.pollMs ?? 500);
    }
  }

  /**
   * Builds `finalizeWithdrawal`'s arguments against output `output` (docs/rpc.md "Withdrawal
   * proofs"): the tree size at the output's block, the proof, and the block's roots.
   */
  async proveWithdrawal(w: L1Withdrawal, output: OutputInfo): Promise<WithdrawalProofArgs> {
    if (w.l2Block > output.l2Block) throw new Error(`withdrawal block ${w.l2Block} is after output block ${output.l2Block}`);
    const oBlock = Number(output.l2Block);
    // Leaves with l2Block <= the output's block: withdrawals are numbered in block order, so
    // binary-search the first one after it in [index + 1, withdrawalCount].
    const total = await this.l2.query<number>('bridge', 'withdrawalCount');
    let lo = w.index + 1;
    let hi = total;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const rec = await this.l2.getWithdrawal(mid);
      if (rec && rec.l2Block <= oBlock) lo = mid + 1;
      else hi = mid;
    }
    const leafCount = lo;
    const p = await this.l2.getWithdrawalProof(w.index, leafCount);
    if (!p) throw new Error(`no proof for withdrawal ${w.index} with ${leafCount} leaves`);
    const pre = await this.l2.getOutputPreimage(oBlock);
    if (!pre) throw new Error(`L2 block ${oBlock} is not safe on this node`);
    if (p.root.toLowerCase() !== pre.withdrawalsRoot.toLowerCase()) {
      throw new Error(`proof root ${p.root} is not block ${oBlock}'s withdrawalsRoot ${pre.withdrawalsRoot}`);
    }
    if (pre.outputRoot.toLowerCase() !== output.outputRoot.toLowerCase()) {
      throw new Error(`output ${output.index} is ${output.outputRoot}; this node derives ${pre.outputRoot} for block ${oBlock}`);
    }
    return {
      withdrawal: w,
      outputIndex: output.index,
      stateRoot: pre.stateRoot,
      blockHash: pre.blockHash,
      cursor: pre.cursor,
      proof: { leafIndex: BigInt(p.leafIndex), leafCount: BigInt(p.leafCount), siblings: p.siblings },
    };
  }

  /** Whether the withdrawal was already paid on L1. */
  async isWithdrawalFinalized(w: L1Withdrawal): Promise<boolean> {
    return this.publicClient.readContract({
      address: this.portal,
      abi: portalAbi,
      functionName: 'finalizedWithdrawals',
      args: [withdrawalLeaf(w)],
    });
  }

  /**
   * The whole exit: waits for a finalized output covering the withdrawal, builds the proof and
   * calls `Portal.finalizeWithdrawal`. Accepts the L2 `Withdraw` receipt or the withdrawal.
   */
  async finalizeWithdrawal(
    from: Receipt | L1Withdrawal,
    opts: { timeoutMs?: number; pollMs?: number } = {},
  ): Promise<FinalizedWithdrawal> {
    const w = 'events' in from ? withdrawalFromReceipt(from) : from;
    const output = await this.waitForFinalizedOutput(w.l2Block, opts);
    const args = await this.proveWithdrawal(w, output);
    const l1Receipt = await this.write({
      address: this.portal,
      abi: portalAbi,
      functionName: 'finalizeWithdrawal',
      args: [
        args.withdrawal,
        args.outputIndex,
        args.stateRoot,
        args.blockHash,
        args.cursor,
        args.proof,
      ],
    });
    return { ...args, l1TxHash: l1Receipt.transactionHash, l1Receipt, leaf: withdrawalLeaf(w) };
  }
}

