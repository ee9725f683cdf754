// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";

import {IOutputChallenger, IOutputOracle, Output} from "./interfaces/IOutputOracle.sol";
import {IQueue} from "./interfaces/IQueue.sol";
import {BatchContext, DerivationCursor, Hashing} from "./lib/Hashing.sol";

/// @notice An entry of the batch chain recorded on L1: a batch, or a force entry (`forceInclusion`).
struct Batch {
    /// @notice Link in the batch hash chain (see `Hashing.batchHash`).
    bytes32 batchHash;
    /// @notice First L2 block in the batch (0 for a force entry).
    uint64 firstBlock;
    /// @notice Last L2 block in the batch, inclusive (0 for a force entry).
    uint64 lastBlock;
    /// @notice L1 timestamp at which the entry was appended.
    uint64 timestamp;
    /// @notice L1 block number at which the entry was appended.
    uint64 l1Block;
}

/// @title Rollup
/// @notice The L1 anchor of a Pillar chain: its configuration and roles, the hash chain of data
///         batches (blobs or calldata) and the output proposals that finalize after a challenge
///         window.
/// @dev Roles:
///      - owner (two-step transfer): changes the configuration and the other roles;
///      - sequencer: appends batches; if it appends none for `inactivityWindow` seconds anyone
///        may, until the sequencer appends again (the escape hatch);
///      - proposer: proposes outputs for blocks covered by batches;
///      - guardian and challenger: may invalidate an unfinalized output. The guardian is the
///        Stage 0 safety valve; `challenger` is meant for a permissionless dispute game contract.
///      The L2 chain id is immutable: changing it would change what every L2 signature means.
contract Rollup is Ownable2Step, IOutputOracle, IOutputChallenger {
    /// @notice Largest value accepted for any of the windows.
    uint64 public constant MAX_WINDOW = 365 days;
    /// @notice Largest inclusion deadline: a user's forced transaction (a withdrawal included)
    ///         is in the chain within a day, which bounds the time an exit takes without the
    ///         operator (docs/stages.md).
    uint64 public constant MAX_INCLUSION_DEADLINE = 1 days;

    /// @notice L2 chain id (EIP-155 / EIP-712 domain of L2 transactions).
    uint64 public immutable l2ChainId;

    /// @notice Seconds after a proposal before an output is final.
    uint64 public challengeWindow;
    /// @notice Seconds within which L2 derivation must include an L1 queue message.
    /// @dev Not enforced here: derivation (Rust) enforces it; it lives here so there is one source.
    uint64 public inclusionDeadline;
    /// @notice Seconds without a sequencer batch after which anyone may append batches.
    uint64 public inactivityWindow;

    /// @notice The account allowed to append batches while it is active.
    address public sequencer;
    /// @notice The account allowed to propose outputs.
    address public proposer;
    /// @notice The account allowed to invalidate unfinalized outputs (Stage 0 safety valve).
    address public guardian;
    /// @notice A contract (e.g. a dispute game) also allowed to invalidate unfinalized outputs.
    address public challenger;
    /// @notice The Portal whose queue every entry commits to (set once by the owner; until then
    ///         entries commit to an empty queue).
    IQueue public portal;
    /// @notice L1 block of the last force entry: at most one per block.
    uint64 public lastForceBlock;

    /// @notice Number of batches appended.
    uint256 public batchCount;
    /// @notice Hash of the last batch (zero before the first batch).
    bytes32 public lastBatchHash;
    /// @notice Last L2 block claimed by the latest batch (0, the genesis block, before the first
    ///         batch). A claim, not the derived head: anyone may append through the escape hatch,
    ///         so honest posting never reads it (docs/derivation.md).
    uint64 public lastBatchBlock;
    /// @notice Highest L2 block any batch has claimed. Only grows, so a garbage batch claiming a
    ///         low block cannot hold back the proposer's bound below.
    uint64 public highestBatchBlock;
    /// @notice L1 timestamp of the last batch appended by the sequencer (deployment time before
    ///         the first one). The escape hatch opens `inactivityWindow` seconds after it and stays
    ///         open until the sequencer appends again.
    uint64 public lastSequencerBatchTimestamp;

    /// @inheritdoc IOutputOracle
    uint256 public outputCount;

    mapping(uint256 index => Batch) private _batches;
    mapping(uint256 index => Output) private _outputs;

    // ---------------------------------------------------------------- events

    /// @notice An entry (a batch or a force entry) was appended to the batch chain.
    /// @param index Entry index (0-based).
    /// @param batchHash The new head of the batch hash chain.
    /// @param submitter Who appended it (the sequencer, anyone through the escape hatch, or
    ///        anyone for a force entry).
    /// @param prevBatchHash The previous head.
    /// @param firstBlock First L2 block in the batch (0 for a force entry).
    /// @param lastBlock Last L2 block in the batch, inclusive (0 for a force entry).
    /// @param kind `0` for blobs, `1` for calldata, `2` for a force entry.
    /// @param dataCommitment Keccak of the blob versioned hashes, or of the calldata payload (zero
    ///        for a force entry).
    /// @param blobHashes The versioned hashes of the blobs, in order (empty otherwise).
    /// @param context The L1 facts the entry commits to; `l1Block` and `l1Timestamp` are the
    ///        log's block.
    event BatchAppended(
        uint256 indexed index,
        bytes32 indexed batchHash,
        address indexed submitter,
        bytes32 prevBatchHash,
        uint64 firstBlock,
        uint64 lastBlock,
        uint8 kind,
        bytes32 dataCommitment,
        bytes32[] blobHashes,
        BatchContext context
    );

    /// @notice The payload of a calldata batch, so derivation needs only logs.
    /// @param index Batch index.
    /// @param data The payload; `keccak256(data)` is the batch's data commitment.
    event CalldataBatchPayload(uint256 indexed index, bytes data);

    /// @notice An output was proposed.
    /// @param index Output index.
    /// @param l2Block L2 block the output describes.
    /// @param outputRoot The output root.
    /// @param finalizesAt L1 timestamp from which the output is final.
    event OutputProposed(uint256 indexed index, uint64 indexed l2Block, bytes32 outputRoot, uint64 finalizesAt);

    /// @notice Outputs `fromIndex..previousCount-1` were invalidated.
    /// @param fromIndex First invalidated index; the next proposal gets this index.
    /// @param previousCount Output count before the invalidation.
    /// @param by The guardian or challenger.
    event OutputsInvalidated(uint256 indexed fromIndex, uint256 previousCount, address indexed by);

    /// @notice The sequencer changed.
    event SequencerUpdated(address indexed previous, address indexed current);
    /// @notice The proposer changed.
    event ProposerUpdated(address indexed previous, address indexed current);
    /// @notice The guardian changed.
    event GuardianUpdated(address indexed previous, address indexed current);
    /// @notice The challenger changed.
    event ChallengerUpdated(address indexed previous, address indexed current);
    /// @notice The challenge window changed (applies to outputs proposed from now on).
    event ChallengeWindowUpdated(uint64 previous, uint64 current);
    /// @notice The Portal was set.
    event PortalSet(address indexed portal);
    /// @notice The inclusion deadline changed.
    event InclusionDeadlineUpdated(uint64 previous, uint64 current);
    /// @notice The sequencer inactivity window changed.
    event InactivityWindowUpdated(uint64 previous, uint64 current);

    // ---------------------------------------------------------------- errors

    /// @notice A role that must be set was given the zero address.
    error ZeroAddress();
    /// @notice A window is out of range.
    /// @param value The rejected value.
    /// @param min Smallest accepted value.
    /// @param max Largest accepted value.
    error InvalidWindow(uint64 value, uint64 min, uint64 max);
    /// @notice The L2 chain id is zero.
    error InvalidChainId();
    /// @notice Only the sequencer may append batches until it is inactive.
    /// @param caller The rejected caller.
    /// @param openAt L1 timestamp from which anyone may append.
    error NotSequencer(address caller, uint64 openAt);
    /// @notice The caller is not the proposer.
    error NotProposer(address caller);
    /// @notice The caller is neither the guardian nor the challenger.
    error NotChallenger(address caller);
    /// @notice `prevBatchHash` is not the current head of the batch chain.
    error WrongPrevBatchHash(bytes32 expected, bytes32 provided);
    /// @notice The block range is empty or starts at genesis.
    /// @param firstBlock The given first block (must be at least 1).
    /// @param lastBlock The given last block (must be >= `firstBlock`).
    error WrongBlockRange(uint64 firstBlock, uint64 lastBlock);
    /// @notice A blob batch transaction carries no blobs.
    error NoBlobs();
    /// @notice A calldata batch has an empty payload.
    error EmptyBatch();
    /// @notice The output is for a block above every batch's claim.
    error OutputBeyondBatches(uint64 l2Block, uint64 highestBatchBlock);
    /// @notice The output's block is not after the previous output's block.
    error OutputNotIncreasing(uint64 l2Block, uint64 previousL2Block);
    /// @notice The output root is zero.
    error ZeroOutputRoot();
    /// @notice The L1 block a proposal was derived from is not canonical, or not among the last
    ///         256 blocks (`canonical` is zero then).
    error L1AnchorMismatch(uint64 l1BlockNumber, bytes32 provided, bytes32 canonical);
    /// @notice No live output at this index.
    error OutputNotFound(uint256 index, uint256 outputCount);
    /// @notice The output is final and can no longer be invalidated.
    error OutputAlreadyFinalized(uint256 index, uint64 finalizedAt);
    /// @notice No batch at this index.
    error BatchNotFound(uint256 index, uint256 batchCount);
    /// @notice The Portal is already set.
    error PortalAlreadySet(address portal);
    /// @notice A force entry was already appended in this L1 block.
    error AlreadyForcedThisBlock(uint64 l1Block);

    // ---------------------------------------------------------------- setup

    /// @param owner_ Owner (configuration and roles).
    /// @param l2ChainId_ L2 chain id (immutable).
    /// @param challengeWindow_ Seconds before an output is final.
    /// @param inclusionDeadline_ Seconds within which derivation must include a queue message.
    /// @param inactivityWindow_ Seconds without a batch after which anyone may append.
    /// @param sequencer_ Sequencer.
    /// @param proposer_ Proposer.
    /// @param guardian_ Guardian (may be zero: no guardian).
    constructor(
        address owner_,
        uint64 l2ChainId_,
        uint64 challengeWindow_,
        uint64 inclusionDeadline_,
        uint64 inactivityWindow_,
        address sequencer_,
        address proposer_,
        address guardian_
    ) Ownable(owner_) {
        if (l2ChainId_ == 0) revert InvalidChainId();
        l2ChainId = l2ChainId_;
        _setChallengeWindow(challengeWindow_);
        _setInclusionDeadline(inclusionDeadline_);
        _setInactivityWindow(inactivityWindow_);
        _setSequencer(sequencer_);
        _setProposer(proposer_);
        _setGuardian(guardian_);
        lastSequencerBatchTimestamp = uint64(block.timestamp);
    }

    // ---------------------------------------------------------------- batches

    /// @notice Append a batch whose payload is in the blobs of this transaction.
    /// @dev The versioned hashes are read with `blobhash(i)` for every blob of the transaction.
    /// @param firstBlock First L2 block in the batch (at least 1; derivation checks it continues
    ///        the derived chain, normally `lastBatchBlock + 1`).
    /// @param lastBlock Last L2 block in the batch; `>= firstBlock`.
    /// @param prevBatchHash Must equal `lastBatchHash`, except for the sequencer (see `_append`).
    /// @return batchHash The new head of the batch chain.
    function appendBlobBatch(uint64 firstBlock, uint64 lastBlock, bytes32 prevBatchHash)
        external
        returns (bytes32 batchHash)
    {
        uint256 count;
        while (blobhash(count) != bytes32(0)) {
            ++count;
        }
        if (count == 0) revert NoBlobs();
        bytes32[] memory hashes = new bytes32[](count);
        for (uint256 i; i < count; ++i) {
            hashes[i] = blobhash(i);
        }
        batchHash = _append(
            firstBlock, lastBlock, prevBatchHash, Hashing.BATCH_KIND_BLOBS, Hashing.blobCommitment(hashes), hashes
        );
    }

    /// @notice Append a batch whose payload is passed as calldata.
    /// @param firstBlock First L2 block in the batch (at least 1; see `appendBlobBatch`).
    /// @param lastBlock Last L2 block in the batch; `>= firstBlock`.
    /// @param prevBatchHash Must equal `lastBatchHash`, except for the sequencer (see `_append`).
    /// @param data The batch payload (same framing as a blob's content).
    /// @return batchHash The new head of the batch chain.
    function appendCalldataBatch(uint64 firstBlock, uint64 lastBlock, bytes32 prevBatchHash, bytes calldata data)
        external
        returns (bytes32 batchHash)
    {
        if (data.length == 0) revert EmptyBatch();
        batchHash = _append(
            firstBlock, lastBlock, prevBatchHash, Hashing.BATCH_KIND_CALLDATA, keccak256(data), new bytes32[](0)
        );
        emit CalldataBatchPayload(batchCount - 1, data);
    }

    /// @notice Anyone: append a force entry, which commits the current L1 time and queue to the
    ///         batch chain. Derivation forces the queue messages past their inclusion deadline at
    ///         that time into the chain after every entry (docs/derivation.md §4), so this is how
    ///         a user gets an overdue deposit or forced transaction in while no batch is posted
    ///         (as Arbitrum's `forceInclusion`). At most one per L1 block.
    /// @dev It links to the actual head: an escape-hatch poster racing it gets
    ///      `WrongPrevBatchHash` and retries.
    /// @return batchHash The new head of the batch chain.
    function forceInclusion() external returns (bytes32 batchHash) {
        if (lastForceBlock == block.number) revert AlreadyForcedThisBlock(uint64(block.number));
        lastForceBlock = uint64(block.number);
        batchHash = _link(0, 0, Hashing.BATCH_KIND_FORCE, bytes32(0), new bytes32[](0));
    }

    /// @notice The L1 facts an entry appended now commits to.
    function currentContext() public view returns (BatchContext memory context) {
        context.l1Block = uint64(block.number);
        context.l1Timestamp = uint64(block.timestamp);
        context.inclusionDeadline = inclusionDeadline;
        IQueue queue = portal;
        if (address(queue) != address(0)) {
            context.queueLength = queue.queueLength();
            context.queueHead = queue.lastQueueHash();
        }
    }

    /// @notice True when `account` may append a batch now.
    function canAppend(address account) public view returns (bool) {
        return account == sequencer || block.timestamp >= escapeHatchOpensAt();
    }

    /// @notice L1 timestamp from which anyone may append batches (unless the sequencer appends
    ///         first); in the past while the escape hatch is open.
    function escapeHatchOpensAt() public view returns (uint64) {
        return lastSequencerBatchTimestamp + inactivityWindow;
    }

    /// @notice The batch at `index`.
    function getBatch(uint256 index) external view returns (Batch memory) {
        if (index >= batchCount) revert BatchNotFound(index, batchCount);
        return _batches[index];
    }

    function _append(
        uint64 firstBlock,
        uint64 lastBlock,
        bytes32 prevBatchHash,
        uint8 kind,
        bytes32 dataCommitment,
        bytes32[] memory blobHashes
    ) private returns (bytes32 batchHash) {
        if (!canAppend(msg.sender)) revert NotSequencer(msg.sender, escapeHatchOpensAt());
        // The sequencer is exempt: derivation places a batch by its blocks, not by the hash chain,
        // and otherwise anyone could front-run each of its appends with an escape-hatch batch
        // while the hatch is open, so that the sequencer could never close it again.
        if (msg.sender != sequencer && prevBatchHash != lastBatchHash) {
            revert WrongPrevBatchHash(lastBatchHash, prevBatchHash);
        }
        // The range is a claim checked by derivation, not here: after a batch derivation
        // skipped, or a block derivation forced in for an overdue queue message, the next valid
        // batch starts below or above `lastBatchBlock + 1` (docs/derivation.md).
        if (firstBlock == 0 || lastBlock < firstBlock) revert WrongBlockRange(firstBlock, lastBlock);
        batchHash = _link(firstBlock, lastBlock, kind, dataCommitment, blobHashes);
        lastBatchBlock = lastBlock;
        if (lastBlock > highestBatchBlock) highestBatchBlock = lastBlock;
        if (msg.sender == sequencer) lastSequencerBatchTimestamp = uint64(block.timestamp);
    }

    /// @dev Links an entry to the actual head (equal to `prevBatchHash` for everyone but the
    ///      sequencer, whose argument may be stale), with the L1 facts of now.
    function _link(
        uint64 firstBlock,
        uint64 lastBlock,
        uint8 kind,
        bytes32 dataCommitment,
        bytes32[] memory blobHashes
    ) private returns (bytes32 batchHash) {
        bytes32 prev = lastBatchHash;
        BatchContext memory context = currentContext();
        batchHash = Hashing.batchHash(prev, firstBlock, lastBlock, kind, dataCommitment, context);
        uint256 index = batchCount;
        _batches[index] = Batch({
            batchHash: batchHash,
            firstBlock: firstBlock,
            lastBlock: lastBlock,
            timestamp: context.l1Timestamp,
            l1Block: context.l1Block
        });
        batchCount = index + 1;
        lastBatchHash = batchHash;
        emit BatchAppended(
            index, batchHash, msg.sender, prev, firstBlock, lastBlock, kind, dataCommitment, blobHashes, context
        );
    }

    // ---------------------------------------------------------------- outputs

    /// @notice Propose the output root of L2 block `l2Block`, derived from L1 up to and including
    ///         block `l1BlockNumber`, whose hash the proposer saw as `l1BlockHash`.
    /// @dev Only the proposer; the block must be at most the highest block any batch claimed (a
    ///      sanity bound: which blocks are valid is derivation's call) and after the previous
    ///      output's block. The anchor must be one of the last 256 L1 blocks and still canonical:
    ///      a proposal computed from L1 blocks that a reorg then replaced reverts instead of
    ///      landing with a root of the abandoned chain (as OP Stack's `proposeL2Output`). The
    ///      output finalizes `challengeWindow` seconds from now, but never before an earlier
    ///      output, so finality is monotone in the index.
    /// @return index The output's index.
    function proposeOutput(uint64 l2Block, bytes32 outputRoot, uint64 l1BlockNumber, bytes32 l1BlockHash)
        external
        returns (uint256 index)
    {
        if (msg.sender != proposer) revert NotProposer(msg.sender);
        if (outputRoot == bytes32(0)) revert ZeroOutputRoot();
        // blockhash is zero for the current block, future blocks and those older than 256.
        bytes32 canonical = blockhash(l1BlockNumber);
        if (canonical == bytes32(0) || canonical != l1BlockHash) {
            revert L1AnchorMismatch(l1BlockNumber, l1BlockHash, canonical);
        }
        if (l2Block > highestBatchBlock) revert OutputBeyondBatches(l2Block, highestBatchBlock);
        index = outputCount;
        uint64 finalizesAt = uint64(block.timestamp) + challengeWindow;
        uint64 previousBlock;
        if (index > 0) {
            Output storage prev = _outputs[index - 1];
            previousBlock = prev.l2Block;
            if (prev.finalizesAt > finalizesAt) finalizesAt = prev.finalizesAt;
        }
        // Block 0 is genesis, which needs no output.
        if (l2Block <= previousBlock) revert OutputNotIncreasing(l2Block, previousBlock);
        _outputs[index] = Output({
            outputRoot: outputRoot, l2Block: l2Block, proposedAt: uint64(block.timestamp), finalizesAt: finalizesAt
        });
        outputCount = index + 1;
        emit OutputProposed(index, l2Block, outputRoot, finalizesAt);
    }

    /// @inheritdoc IOutputOracle
    function getOutput(uint256 index) external view returns (Output memory) {
        if (index >= outputCount) revert OutputNotFound(index, outputCount);
        return _outputs[index];
    }

    /// @inheritdoc IOutputOracle
    function isFinalized(uint256 index) public view returns (bool) {
        return index < outputCount && block.timestamp >= _outputs[index].finalizesAt;
    }

    /// @notice The live output with the highest index; reverts if there is none.
    function latestOutput() external view returns (uint256 index, Output memory output) {
        if (outputCount == 0) revert OutputNotFound(0, 0);
        index = outputCount - 1;
        output = _outputs[index];
    }

    /// @inheritdoc IOutputChallenger
    /// @dev Callable by the guardian or the challenger. Invalidated outputs are dropped: the live
    ///      outputs become `0..index-1` and the next proposal takes index `index`.
    function invalidateOutput(uint256 index) external {
        bool allowed = (msg.sender == guardian && guardian != address(0))
            || (msg.sender == challenger && challenger != address(0));
        if (!allowed) revert NotChallenger(msg.sender);
        uint256 count = outputCount;
        if (index >= count) revert OutputNotFound(index, count);
        if (isFinalized(index)) revert OutputAlreadyFinalized(index, _outputs[index].finalizesAt);
        outputCount = index;
        emit OutputsInvalidated(index, count, msg.sender);
    }

    /// @inheritdoc IOutputOracle
    function computeOutputRoot(
        bytes32 stateRoot,
        bytes32 withdrawalsRoot,
        bytes32 blockHash,
        DerivationCursor calldata cursor
    ) external pure returns (bytes32) {
        return Hashing.outputRoot(stateRoot, withdrawalsRoot, blockHash, cursor);
    }

    // ---------------------------------------------------------------- owner

    /// @notice Replace the sequencer.
    function setSequencer(address account) external onlyOwner {
        _setSequencer(account);
    }

    /// @notice Replace the proposer.
    function setProposer(address account) external onlyOwner {
        _setProposer(account);
    }

    /// @notice Replace the guardian; zero removes it.
    function setGuardian(address account) external onlyOwner {
        _setGuardian(account);
    }

    /// @notice Set the Portal whose queue entries commit to; once.
    function setPortal(IQueue portal_) external onlyOwner {
        if (address(portal) != address(0)) revert PortalAlreadySet(address(portal));
        if (address(portal_) == address(0)) revert ZeroAddress();
        portal = portal_;
        emit PortalSet(address(portal_));
    }

    /// @notice Install (or, with zero, remove) a challenger contract such as a dispute game.
    function setChallenger(address account) external onlyOwner {
        emit ChallengerUpdated(challenger, account);
        challenger = account;
    }

    /// @notice Change the challenge window (applies to outputs proposed afterwards).
    function setChallengeWindow(uint64 seconds_) external onlyOwner {
        _setChallengeWindow(seconds_);
    }

    /// @notice Change the inclusion deadline for L1 queue messages.
    function setInclusionDeadline(uint64 seconds_) external onlyOwner {
        _setInclusionDeadline(seconds_);
    }

    /// @notice Change the sequencer inactivity window of the escape hatch.
    function setInactivityWindow(uint64 seconds_) external onlyOwner {
        _setInactivityWindow(seconds_);
    }

    function _setSequencer(address account) private {
        if (account == address(0)) revert ZeroAddress();
        emit SequencerUpdated(sequencer, account);
        sequencer = account;
    }

    function _setProposer(address account) private {
        if (account == address(0)) revert ZeroAddress();
        emit ProposerUpdated(proposer, account);
        proposer = account;
    }

    function _setGuardian(address account) private {
        emit GuardianUpdated(guardian, account);
        guardian = account;
    }

    function _setChallengeWindow(uint64 value) private {
        if (value > MAX_WINDOW) revert InvalidWindow(value, 0, MAX_WINDOW);
        emit ChallengeWindowUpdated(challengeWindow, value);
        challengeWindow = value;
    }

    function _setInclusionDeadline(uint64 value) private {
        if (value == 0 || value > MAX_INCLUSION_DEADLINE) revert InvalidWindow(value, 1, MAX_INCLUSION_DEADLINE);
        emit InclusionDeadlineUpdated(inclusionDeadline, value);
        inclusionDeadline = value;
    }

    function _setInactivityWindow(uint64 value) private {
        if (value == 0 || value > MAX_WINDOW) revert InvalidWindow(value, 1, MAX_WINDOW);
        emit InactivityWindowUpdated(inactivityWindow, value);
        inactivityWindow = value;
    }
}
