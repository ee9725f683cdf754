// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {IQueue} from "./interfaces/IQueue.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {IOutputOracle, Output} from "./interfaces/IOutputOracle.sol";
import {DerivationCursor, Hashing, Withdrawal, WithdrawalProof} from "./lib/Hashing.sol";

/// @title Portal
/// @notice The bridge between L1 and a Pillar chain.
///         In: ETH deposits, ERC-20 deposits and forced L2 transactions are appended to ONE
///         ordered queue with a rolling hash; L2 derivation must consume it in order.
///         Out: withdrawals are paid on L1 against a finalized output with a Merkle proof.
/// @dev There is no owner and no pause: nobody can stop exits. Each withdrawal pays once.
contract Portal is ReentrancyGuard, IQueue {
    using SafeERC20 for IERC20;

    /// @notice Queue message kind: ETH deposit. Payload `abi.encode(address l2Recipient, uint256 amount)`.
    uint8 public constant KIND_ETH_DEPOSIT = 0;
    /// @notice Queue message kind: ERC-20 deposit.
    ///         Payload `abi.encode(address token, address l2Recipient, uint256 amount)`.
    uint8 public constant KIND_ERC20_DEPOSIT = 1;
    /// @notice Queue message kind: forced L2 transaction. Payload: the signed L2 transaction bytes.
    uint8 public constant KIND_FORCED_TX = 2;

    /// @notice Largest forced transaction, in bytes.
    uint256 public constant MAX_FORCED_TX_SIZE = 4096;
    /// @notice Largest amount of one deposit: L2 amounts are `u128`.
    uint256 public constant MAX_AMOUNT = type(uint128).max;

    /// @notice The rollup whose outputs prove withdrawals.
    IOutputOracle public immutable rollup;
    /// @notice Smallest ETH deposit, in wei (at least 1).
    uint256 public immutable minDeposit;
    /// @notice Largest ETH deposit per message, in wei.
    uint256 public immutable maxDeposit;

    /// @notice Number of messages in the queue; the next message gets this index.
    uint64 public queueLength;
    /// @notice ERC-20 balance held for L2, per token (deposits minus paid withdrawals).
    mapping(address token => uint256 amount) public lockedERC20;
    /// @notice Whether the withdrawal with this leaf hash was paid.
    mapping(bytes32 leaf => bool paid) public finalizedWithdrawals;

    mapping(uint256 index => bytes32 hash) private _queueHashes;

    /// @notice A message was appended to the L1 queue.
    /// @param index Sequence number (0-based, no gaps).
    /// @param kind `KIND_ETH_DEPOSIT`, `KIND_ERC20_DEPOSIT` or `KIND_FORCED_TX`.
    /// @param sender The L1 account that sent it (`msg.sender`).
    /// @param timestamp L1 block timestamp.
    /// @param payload The kind-specific payload.
    /// @param queueHash Rolling queue hash after this message.
    event QueueMessage(
        uint64 indexed index,
        uint8 indexed kind,
        address indexed sender,
        uint64 timestamp,
        bytes payload,
        bytes32 queueHash
    );

    /// @notice A withdrawal was paid on L1.
    /// @param leaf The withdrawal's leaf hash (its replay-protection key).
    /// @param l1Recipient Who was paid.
    /// @param token `address(0)` for ETH.
    /// @param amount Amount paid.
    /// @param l2Block L2 block of the withdrawal.
    /// @param index Index of the withdrawal in its block.
    /// @param outputIndex The finalized output it was proven against.
    event WithdrawalFinalized(
        bytes32 indexed leaf,
        address indexed l1Recipient,
        address indexed token,
        uint256 amount,
        uint64 l2Block,
        uint32 index,
        uint256 outputIndex
    );

    /// @notice The rollup address is zero or the deposit bounds are inconsistent.
    error InvalidConfig();
    /// @notice The L2 recipient is the zero address.
    error ZeroRecipient();
    /// @notice The token is the zero address (use `depositETH` for ETH).
    error ZeroToken();
    /// @notice The amount is outside the accepted range.
    /// @param amount The amount.
    /// @param min Smallest accepted amount.
    /// @param max Largest accepted amount.
    error AmountOutOfRange(uint256 amount, uint256 min, uint256 max);
    /// @notice The forced transaction is empty or larger than `MAX_FORCED_TX_SIZE`.
    error InvalidForcedTxSize(uint256 size, uint256 max);
    /// @notice The output is not finalized (or does not exist, e.g. it was invalidated).
    error OutputNotFinalized(uint256 outputIndex);
    /// @notice The withdrawal's block is after the output's block.
    error WithdrawalAfterOutput(uint64 withdrawalBlock, uint64 outputBlock);
    /// @notice The recomputed output root does not match the proposed one.
    error OutputRootMismatch(bytes32 expected, bytes32 computed);
    /// @notice This withdrawal was already paid.
    error WithdrawalAlreadyFinalized(bytes32 leaf);
    /// @notice The L1 recipient is the zero address.
    error ZeroL1Recipient();
    /// @notice More ERC-20 would leave than was deposited for the token.
    error InsufficientLocked(address token, uint256 locked, uint256 amount);
    /// @notice The ETH transfer to the recipient failed.
    error EthTransferFailed(address recipient, uint256 amount);
    /// @notice No queue message at this index.
    error QueueIndexOutOfRange(uint256 index, uint256 queueLength);

    /// @param rollup_ The rollup (output oracle).
    /// @param minDeposit_ Smallest ETH deposit in wei; 0 is treated as 1.
    /// @param maxDeposit_ Largest ETH deposit per message in wei; at most `MAX_AMOUNT`.
    constructor(IOutputOracle rollup_, uint256 minDeposit_, uint256 maxDeposit_) {
        if (minDeposit_ == 0) minDeposit_ = 1;
        if (address(rollup_) == address(0) || maxDeposit_ < minDeposit_ || maxDeposit_ > MAX_AMOUNT) {
            revert InvalidConfig();
        }
        rollup = rollup_;
        minDeposit = minDeposit_;
        maxDeposit = maxDeposit_;
    }

    // ---------------------------------------------------------------- queue

    /// @notice Deposit `msg.value` wei to `l2Recipient` on L2.
    /// @return index The queue index of the deposit.
    function depositETH(address l2Recipient) external payable nonReentrant returns (uint64 index) {
        if (l2Recipient == address(0)) revert ZeroRecipient();
        if (msg.value < minDeposit || msg.value > maxDeposit) {
            revert AmountOutOfRange(msg.value, minDeposit, maxDeposit);
        }
        index = _enqueue(KIND_ETH_DEPOSIT, abi.encode(l2Recipient, msg.value));
    }

    /// @notice Deposit `amount` of `token` to `l2Recipient` on L2. The Portal must be approved.
    /// @dev The amount credited on L2 is what the Portal actually received (fee-on-transfer tokens).
    /// @return index The queue index of the deposit.
    function depositERC20(address token, address l2Recipient, uint256 amount)
        external
        nonReentrant
        returns (uint64 index)
    {
        if (token == address(0)) revert ZeroToken();
        if (l2Recipient == address(0)) revert ZeroRecipient();
        if (amount == 0) revert AmountOutOfRange(0, 1, MAX_AMOUNT);
        uint256 before = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = IERC20(token).balanceOf(address(this)) - before;
        if (received == 0 || received > MAX_AMOUNT) revert AmountOutOfRange(received, 1, MAX_AMOUNT);
        lockedERC20[token] += received;
        index = _enqueue(KIND_ERC20_DEPOSIT, abi.encode(token, l2Recipient, received));
    }

    /// @notice Force a signed L2 transaction into the chain through L1.
    /// @dev The Portal does not decode it; derivation includes it and the L2 runtime executes it
    ///      (or records it as failed) like any transaction.
    /// @return index The queue index of the forced transaction.
    function forceTransaction(bytes calldata signedL2Tx) external nonReentrant returns (uint64 index) {
        if (signedL2Tx.length == 0 || signedL2Tx.length > MAX_FORCED_TX_SIZE) {
            revert InvalidForcedTxSize(signedL2Tx.length, MAX_FORCED_TX_SIZE);
        }
        index = _enqueue(KIND_FORCED_TX, signedL2Tx);
    }

    /// @notice Rolling queue hash after message `index`.
    function queueHash(uint256 index) external view returns (bytes32) {
        if (index >= queueLength) revert QueueIndexOutOfRange(index, queueLength);
        return _queueHashes[index];
    }

    /// @notice Rolling queue hash after the last message (zero for an empty queue).
    function lastQueueHash() public view returns (bytes32) {
        uint64 length = queueLength;
        return length == 0 ? bytes32(0) : _queueHashes[length - 1];
    }

    function _enqueue(uint8 kind, bytes memory payload) private returns (uint64 index) {
        index = queueLength;
        uint64 timestamp = uint64(block.timestamp);
        bytes32 messageHash = Hashing.queueMessageHash(index, timestamp, msg.sender, kind, payload);
        bytes32 rolling = Hashing.nextQueueHash(lastQueueHash(), messageHash);
        _queueHashes[index] = rolling;
        queueLength = index + 1;
        emit QueueMessage(index, kind, msg.sender, timestamp, payload, rolling);
    }

    // ---------------------------------------------------------------- withdrawals

    /// @notice Pay a withdrawal recorded on L2, proven against a finalized output.
    /// @dev Anyone may call it; the funds always go to `withdrawal.l1Recipient`. The withdrawals
    ///      root is recomputed from the leaf and `proof`, then the output root from
    ///      `(stateRoot, withdrawalsRoot, blockHash, cursor)`, and must equal output `outputIndex`.
    /// @param withdrawal The withdrawal as recorded on L2.
    /// @param outputIndex A finalized output whose block is at or after `withdrawal.l2Block`.
    /// @param stateRoot The state root committed in that output.
    /// @param blockHash The block hash committed in that output.
    /// @param cursor The derivation cursor committed in that output.
    /// @param proof Merkle proof of the leaf in that output's withdrawals root.
    function finalizeWithdrawal(
        Withdrawal calldata withdrawal,
        uint256 outputIndex,
        bytes32 stateRoot,
        bytes32 blockHash,
        DerivationCursor calldata cursor,
        WithdrawalProof calldata proof
    ) external nonReentrant {
        bytes32 leaf = Hashing.withdrawalLeaf(withdrawal);
        if (finalizedWithdrawals[leaf]) revert WithdrawalAlreadyFinalized(leaf);
        if (withdrawal.l1Recipient == address(0)) revert ZeroL1Recipient();
        if (!rollup.isFinalized(outputIndex)) revert OutputNotFinalized(outputIndex);
        Output memory output = rollup.getOutput(outputIndex);
        if (withdrawal.l2Block > output.l2Block) revert WithdrawalAfterOutput(withdrawal.l2Block, output.l2Block);
        bytes32 withdrawalsRoot = Hashing.withdrawalsRootFromProof(leaf, proof);
        bytes32 computed = Hashing.outputRoot(stateRoot, withdrawalsRoot, blockHash, cursor);
        if (computed != output.outputRoot) revert OutputRootMismatch(output.outputRoot, computed);

        finalizedWithdrawals[leaf] = true;
        emit WithdrawalFinalized(
            leaf,
            withdrawal.l1Recipient,
            withdrawal.token,
            withdrawal.amount,
            withdrawal.l2Block,
            withdrawal.index,
            outputIndex
        );

        if (withdrawal.token == address(0)) {
            (bool ok,) = withdrawal.l1Recipient.call{value: withdrawal.amount}("");
            if (!ok) revert EthTransferFailed(withdrawal.l1Recipient, withdrawal.amount);
        } else {
            uint256 locked = lockedERC20[withdrawal.token];
            if (withdrawal.amount > locked) revert InsufficientLocked(withdrawal.token, locked, withdrawal.amount);
            lockedERC20[withdrawal.token] = locked - withdrawal.amount;
            IERC20(withdrawal.token).safeTransfer(withdrawal.l1Recipient, withdrawal.amount);
        }
    }

    /// @notice The leaf hash of `withdrawal` (see `Hashing.withdrawalLeaf`).
    function withdrawalLeaf(Withdrawal calldata withdrawal) external pure returns (bytes32) {
        return Hashing.withdrawalLeaf(withdrawal);
    }

    /// @notice The withdrawals root implied by `leaf` and `proof`; reverts on a malformed proof.
    function computeWithdrawalsRoot(bytes32 leaf, WithdrawalProof calldata proof) external pure returns (bytes32) {
        return Hashing.withdrawalsRootFromProof(leaf, proof);
    }
}
