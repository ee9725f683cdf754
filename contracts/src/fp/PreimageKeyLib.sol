// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

/// @title PreimageKeyLib
/// @notice Local keys (type 1) on L1. The guest reads a dispute's inputs by the raw key
///         `1 ‖ identifier` (pillar-preimage's `PreimageKey::local`), the same in every dispute, so
///         the oracle stores them under a key localized by who loaded them and a context the
///         loader chooses (a game, or an execution subgame within it): OP's
///         `PreimageKeyLib.localize`. `RiscvStep` localizes a read's key by its own caller and the
///         context it is given, so each dispute reads only its own inputs.
library PreimageKeyLib {
    uint8 internal constant TYPE_LOCAL = 1;

    /// @notice keccak256(abi.encode(key, caller, localContext)) with byte 0 replaced by 1:
    ///         pillar-preimage's `PreimageKey::localize`.
    function localize(bytes32 key, address caller, bytes32 localContext) internal pure returns (bytes32) {
        bytes32 digest = keccak256(abi.encode(key, caller, localContext));
        return bytes32((uint256(digest) & (type(uint256).max >> 8)) | (uint256(TYPE_LOCAL) << 248));
    }

    /// @notice Whether `key` is a local key (type byte 1).
    function isLocal(bytes32 key) internal pure returns (bool) {
        return uint8(key[0]) == TYPE_LOCAL;
    }
}
