// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

/// @notice A withdrawal recorded by the L2 and paid out on L1 by the Portal.
/// @dev Its leaf hash is `keccak256(abi.encode(l2Block, index, l2Sender, l1Recipient, token, amount))`.
struct Withdrawal {
    /// @notice L2 block in which the withdrawal was recorded.
    uint64 l2Block;
    /// @notice Position of the withdrawal among the withdrawals of that block.
    uint32 index;
    /// @notice L2 account that burned the funds.
    address l2Sender;
    /// @notice L1 account paid by `Portal.finalizeWithdrawal`.
    address l1Recipient;
    /// @notice L1 token paid out; `address(0)` for ETH.
    address token;
    /// @notice Amount in the token's smallest unit (wei for ETH).
    uint256 amount;
}

/// @notice Proof that a withdrawal leaf is in a withdrawals root.
/// @dev The tree is a binary keccak tree over the leaves in order: `node = keccak256(left ‖ right)`
///      (pairs are NOT sorted) and an odd last node is carried up to the next level unchanged.
///      `siblings` are listed bottom-up and contain only the levels where the node has a sibling
///      (a carried-up node consumes no sibling). `leafCount` is the number of leaves in the tree,
///      needed to know where nodes were carried up.
struct WithdrawalProof {
    /// @notice Position of the leaf in the tree (0-based).
    uint256 leafIndex;
    /// @notice Number of leaves in the tree.
    uint256 leafCount;
    /// @notice Sibling hashes from the leaf level upwards.
    bytes32[] siblings;
}

/// @notice The L1 facts a batch-chain entry commits to, read when it is appended.
struct BatchContext {
    /// @notice `block.number` of the append.
    uint64 l1Block;
    /// @notice `block.timestamp` of the append.
    uint64 l1Timestamp;
    /// @notice `Portal.queueLength()`: the queue messages on L1 before the entry.
    uint64 queueLength;
    /// @notice `Portal.lastQueueHash()`: the rolling hash after those messages.
    bytes32 queueHead;
    /// @notice `Rollup.inclusionDeadline()` in force.
    uint64 inclusionDeadline;
}

/// @notice Where derivation was when an L2 block became safe: the batch-chain entry whose
///         processing derived it, and whether it came from that entry's batch or was forced in
///         after the entry.
struct DerivationCursor {
    /// @notice `batchHash` of the entry (zero for genesis).
    bytes32 entry;
    /// @notice `Hashing.CURSOR_FROM_BATCH` or `Hashing.CURSOR_AFTER_ENTRY`.
    uint8 phase;
}

/// @title Hashing
/// @notice Every hash that the L2 (Rust) and the L1 contracts must agree on, in one place.
/// @dev docs/bridge.md is the prose version of this file; keep them in sync.
library Hashing {
    /// @notice Version of the output root encoding (1: with the derivation cursor).
    uint256 internal constant OUTPUT_VERSION = 1;

    /// @notice Cursor phase: the block came from the cursor entry's batch.
    uint8 internal constant CURSOR_FROM_BATCH = 0;
    /// @notice Cursor phase: the block was forced in after the cursor entry (and genesis, after
    ///         no entry: cursor entry 0).
    uint8 internal constant CURSOR_AFTER_ENTRY = 1;

    /// @notice Batch data kind: the batch payload is carried in EIP-4844 blobs.
    uint8 internal constant BATCH_KIND_BLOBS = 0;
    /// @notice Batch data kind: the batch payload is carried in calldata.
    uint8 internal constant BATCH_KIND_CALLDATA = 1;
    /// @notice Entry kind of `Rollup.forceInclusion`: no payload, only the L1 facts below, so
    ///         derivation forces overdue queue messages even when nobody posts batches.
    uint8 internal constant BATCH_KIND_FORCE = 2;

    /// @notice Raised when a proof's leaf position or count is impossible.
    /// @param leafIndex The claimed leaf position.
    /// @param leafCount The claimed number of leaves.
    error InvalidLeafPosition(uint256 leafIndex, uint256 leafCount);
    /// @notice Raised when a proof does not have exactly the siblings its tree shape needs.
    /// @param expected Number of siblings the shape needs (at least this many were needed when
    ///        `provided` is smaller).
    /// @param provided Number of siblings given.
    error InvalidProofLength(uint256 expected, uint256 provided);

    /// @notice `keccak256(abi.encode(uint256(1), stateRoot, withdrawalsRoot, blockHash,
    ///         cursor.entry, cursor.phase))`.
    /// @dev The cursor says where derivation was when the block became safe, so that the block
    ///      after it can be derived from this output alone (docs/derivation.md §6).
    function outputRoot(bytes32 stateRoot, bytes32 withdrawalsRoot, bytes32 blockHash, DerivationCursor memory cursor)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(OUTPUT_VERSION, stateRoot, withdrawalsRoot, blockHash, cursor.entry, cursor.phase));
    }

    /// @notice Link of an entry (a batch or a force entry) into the batch hash chain:
    ///         `keccak256(abi.encode(prevBatchHash, firstBlock, lastBlock, kind, dataCommitment,
    ///         l1Block, l1Timestamp, queueLength, queueHead, inclusionDeadline))`.
    /// @dev The last five fields are the L1 facts derivation judges the entry by, committed so
    ///      that a fault-proof program can derive from the chain of entries alone, without L1
    ///      headers (docs/derivation.md §1).
    function batchHash(
        bytes32 prevBatchHash,
        uint64 firstBlock,
        uint64 lastBlock,
        uint8 kind,
        bytes32 dataCommitment,
        BatchContext memory context
    ) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(
                prevBatchHash,
                firstBlock,
                lastBlock,
                kind,
                dataCommitment,
                context.l1Block,
                context.l1Timestamp,
                context.queueLength,
                context.queueHead,
                context.inclusionDeadline
            )
        );
    }

    /// @notice Data commitment of a blob batch: `keccak256(abi.encodePacked(versionedHashes))`
    ///         (the 32-byte versioned hashes concatenated in blob order).
    function blobCommitment(bytes32[] memory versionedHashes) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(versionedHashes));
    }

    /// @notice Hash of one L1 queue message:
    ///         `keccak256(abi.encode(index, timestamp, sender, kind, payload))`.
    function queueMessageHash(uint64 index, uint64 timestamp, address sender, uint8 kind, bytes memory payload)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(index, timestamp, sender, kind, payload));
    }

    /// @notice Rolling queue hash: `keccak256(abi.encode(previousQueueHash, messageHash))`,
    ///         with `previousQueueHash = 0` before the first message.
    function nextQueueHash(bytes32 previousQueueHash, bytes32 messageHash) internal pure returns (bytes32) {
        return keccak256(abi.encode(previousQueueHash, messageHash));
    }

    /// @notice Leaf of a withdrawal in the withdrawals tree.
    function withdrawalLeaf(Withdrawal memory w) internal pure returns (bytes32) {
        return keccak256(abi.encode(w.l2Block, w.index, w.l2Sender, w.l1Recipient, w.token, w.amount));
    }

    /// @notice Inner node of the withdrawals tree: `keccak256(left ‖ right)`.
    function hashPair(bytes32 left, bytes32 right) internal pure returns (bytes32 node) {
        assembly ("memory-safe") {
            mstore(0x00, left)
            mstore(0x20, right)
            node := keccak256(0x00, 0x40)
        }
    }

    /// @notice Root of the withdrawals tree implied by `leaf` and `proof`.
    /// @dev Reverts when the leaf position is impossible or the proof has the wrong number of
    ///      siblings for a tree of `proof.leafCount` leaves.
    function withdrawalsRootFromProof(bytes32 leaf, WithdrawalProof memory proof) internal pure returns (bytes32 node) {
        uint256 idx = proof.leafIndex;
        uint256 width = proof.leafCount;
        if (width == 0 || idx >= width) revert InvalidLeafPosition(idx, width);
        bytes32[] memory siblings = proof.siblings;
        uint256 used;
        node = leaf;
        while (width > 1) {
            if (idx & 1 == 1) {
                if (used >= siblings.length) revert InvalidProofLength(used + 1, siblings.length);
                node = hashPair(siblings[used++], node);
            } else if (idx + 1 < width) {
                if (used >= siblings.length) revert InvalidProofLength(used + 1, siblings.length);
                node = hashPair(node, siblings[used++]);
            }
            // else: the odd last node of this level is carried up unchanged.
            idx >>= 1;
            width = (width + 1) >> 1;
        }
        if (used != siblings.length) revert InvalidProofLength(used, siblings.length);
    }
}
