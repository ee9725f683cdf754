// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {PreimageKeyLib} from "./PreimageKeyLib.sol";

/// @title PreimageOracle
/// @notice The L1 preimage oracle of Pillar's fault-proof VM: it stores 32-byte parts of checked
///         preimages and serves them to the one-step rule (`RiscvStep`). A part is the 32 bytes of
///         `len_be8 ‖ preimage` from an offset, zero-padded past the end, exactly pillar-fpvm's
///         `PreimagePart::of` (docs/fault-proofs.md, "The preimage oracle").
/// @dev Anyone may load a part: a loader checks the preimage against its key (the doc's table,
///      pillar-preimage's `check`) before storing, so only the true preimage's parts are ever
///      stored. Parts are stored one offset at a time (OP's `load…PreimagePart` shape): a step
///      reads one part, so only that one need be loaded.
///
///      Local keys (type 1) are the one exception to "checked": a dispute's inputs are whatever
///      its game says, so `loadLocalData` stores them under a key localized by the loader and a
///      context (`PreimageKeyLib`), which only that loader's steps read.
contract PreimageOracle {
    /// @notice pillar-preimage's `MAX_PREIMAGE_SIZE`: 16 MiB.
    uint256 public constant MAX_PREIMAGE_SIZE = 1 << 24;
    /// @notice Bytes of the big-endian length prefix of the stream `len_be8 ‖ preimage`.
    uint256 internal constant PREFIX = 8;
    /// @notice A NOMT node's preimage: its two children's hashes.
    uint256 internal constant NOMT_NODE_SIZE = 64;

    uint8 internal constant TYPE_LOCAL = 1;
    uint8 internal constant TYPE_KECCAK256 = 2;
    uint8 internal constant TYPE_SHA256 = 4;
    uint8 internal constant TYPE_BLOB = 5;
    uint8 internal constant TYPE_PRECOMPILE = 6;
    uint8 internal constant TYPE_NOMT_NODE = 7;

    /// @notice The precompiles a precompile key may name, with the gas each is called with (its
    ///         whole cost, so the call cannot fail and the status byte is always 1, as
    ///         pillar-preimage's `precompile::call` gives).
    address internal constant ECRECOVER = address(0x01);
    uint256 internal constant ECRECOVER_GAS = 3_000;
    address internal constant P256VERIFY = address(0x100);
    uint256 internal constant P256VERIFY_GAS = 6_900;
    /// @notice EIP-4844's point-evaluation precompile and its fixed cost.
    address internal constant POINT_EVALUATION = address(0x0a);
    uint256 internal constant POINT_EVALUATION_GAS = 50_000;
    /// @notice A KZG commitment's and proof's size (compressed BLS12-381 G1 points).
    uint256 internal constant G1_SIZE = 48;
    /// @notice EIP-4844's versioned hash version byte.
    uint8 internal constant KZG_VERSION = 0x01;

    /// @notice No part of `key` at `offset` is stored (and the offset is not past a known end).
    error UnknownPreimagePart(bytes32 key, uint256 offset);
    /// @notice The preimage is longer than `MAX_PREIMAGE_SIZE`.
    error PreimageTooLarge(uint256 len, uint256 max);
    /// @notice A part offset at or past the stream's end: such a part is zero and served without
    ///         loading.
    error PartOffsetOutOfBounds(uint256 offset, uint256 streamLen);
    /// @notice The preimage has the wrong length for its key type (a NOMT node is 64 bytes).
    error PreimageLength(uint256 keyType, uint256 len, uint256 expected);
    /// @notice A precompile key names an address without semantics here.
    error UnsupportedPrecompile(address precompile);
    /// @notice Too little gas left to give the precompile its whole cost.
    error PrecompileGas(uint256 required, uint256 left);
    /// @notice The precompile call failed, which with its whole cost it never does: the failure
    ///         is this call's, not a result to store.
    error PrecompileFailed(address precompile);
    /// @notice Local data is at most one word: `size` is above 32.
    error LocalDataSize(uint256 size, uint256 max);
    /// @notice A local identifier takes 31 bytes (the key is 1 ‖ identifier).
    error LocalIdentTooLarge(uint256 ident);
    /// @notice A KZG commitment or proof is not 48 bytes (`what` 0: the commitment, 1: the proof).
    error BlobInputLength(uint256 what, uint256 len);
    /// @notice The point-evaluation precompile refused the opening: the blob with this commitment
    ///         does not have the value `y` at `z` (or `z`, `y` or a point is malformed).
    error BlobProofInvalid(bytes32 versionedHash, uint256 z, uint256 y);

    /// @notice Part `offset` of `key`'s stream, once loaded.
    mapping(bytes32 key => mapping(uint256 offset => bytes32 part)) public parts;
    /// @notice Whether part `offset` of `key` is loaded (a loaded part may be all zeros).
    mapping(bytes32 key => mapping(uint256 offset => bool)) public partLoaded;
    /// @notice `key`'s preimage length plus one once any part is loaded (0: unknown), so an empty
    ///         preimage is told from an unknown one.
    mapping(bytes32 key => uint256 lenPlusOne) internal lengths;

    /// @notice A part was stored.
    event PartLoaded(bytes32 indexed key, uint256 offset, uint256 len);

    /// @notice The part of `key`'s stream `len_be8 ‖ preimage` at `offset` (zero-padded past the
    ///         end) and the preimage's length: what pillar-fpvm's `PreimageParts::part` gives. At
    ///         or past the end the part is zero for any key whose length is known (the read that
    ///         returns 0), unlike OP's oracle, which reverts there.
    function readPreimage(bytes32 key, uint256 offset) external view returns (bytes32 part, uint256 len) {
        bool known;
        (known, part, len) = tryReadPreimage(key, offset);
        if (!known) revert UnknownPreimagePart(key, offset);
    }

    /// @notice `readPreimage` without the revert: `known` is false where it would revert.
    function tryReadPreimage(bytes32 key, uint256 offset) public view returns (bool known, bytes32 part, uint256 len) {
        uint256 l = lengths[key];
        if (l == 0) return (false, 0, 0);
        len = l - 1;
        if (offset >= len + PREFIX) return (true, 0, len);
        if (!partLoaded[key][offset]) return (false, 0, 0);
        return (true, parts[key][offset], len);
    }

    /// @notice Stores part `partOffset` of the keccak256 key of `preimage` (type 2).
    function loadKeccak256PreimagePart(uint256 partOffset, bytes calldata preimage) external returns (bytes32 key) {
        _size(preimage.length);
        key = _typed(TYPE_KECCAK256, keccak256(preimage));
        _store(key, partOffset, preimage);
    }

    /// @notice Stores part `partOffset` of the sha256 key of `preimage` (type 4).
    function loadSha256PreimagePart(uint256 partOffset, bytes calldata preimage) external returns (bytes32 key) {
        _size(preimage.length);
        key = _typed(TYPE_SHA256, sha256(preimage));
        _store(key, partOffset, preimage);
    }

    /// @notice Stores part `partOffset` of a NOMT node (type 7): exactly 64 bytes, the key its
    ///         sha256 with byte 0 (the leaf bit's byte) replaced by the type.
    function loadNomtNodePreimagePart(uint256 partOffset, bytes calldata preimage) external returns (bytes32 key) {
        if (preimage.length != NOMT_NODE_SIZE) {
            revert PreimageLength(TYPE_NOMT_NODE, preimage.length, NOMT_NODE_SIZE);
        }
        key = _typed(TYPE_NOMT_NODE, sha256(preimage));
        _store(key, partOffset, preimage);
    }

    /// @notice Calls `precompile` with `input` and stores part `partOffset` of its result
    ///         `status ‖ output` under the key 6 ‖ keccak256(address ‖ input)[1..] (type 6).
    /// @dev The result is computed here, never supplied: it is the precompile's answer on this
    ///      chain, which pillar-preimage's `precompile::call` reproduces off-chain.
    function loadPrecompilePreimagePart(uint256 partOffset, address precompile, bytes calldata input)
        external
        returns (bytes32 key)
    {
        uint256 gas;
        if (precompile == ECRECOVER) gas = ECRECOVER_GAS;
        else if (precompile == P256VERIFY) gas = P256VERIFY_GAS;
        else revert UnsupportedPrecompile(precompile);
        // The call gets at most 63/64 of what is left; refuse rather than store an out-of-gas
        // failure (status 0) that the precompile would not give with its cost.
        uint256 left = gasleft();
        if (left < gas + gas / 63 + 2_000) revert PrecompileGas(gas, left);
        (bool ok, bytes memory output) = precompile.staticcall{gas: gas}(input);
        // `precompile::call`'s status is always 1: both precompiles succeed for every input given
        // their cost (a bad signature is an empty output). A failure can only be gas this call
        // lacked (a large input's copy eats into the margin), so it reverts rather than storing
        // a status 0 the precompile would not give.
        if (!ok) revert PrecompileFailed(precompile);
        bytes memory result = bytes.concat(bytes1(0x01), output);
        key = _typed(TYPE_PRECOMPILE, keccak256(abi.encodePacked(precompile, input)));
        _storeMemory(key, partOffset, result);
    }

    /// @notice Stores part `partOffset` of a dispute's local input `ident`: the preimage is the
    ///         first `size` bytes of `word`, under `local_index(ident)` (1 ‖ ident as 31 bytes,
    ///         big-endian) localized by the caller and `localContext` (`PreimageKeyLib.localize`).
    ///         Returns the localized key. Nothing is checked (the caller's inputs are its own), and
    ///         only the same caller with the same context reads them back through `RiscvStep`.
    function loadLocalData(uint256 ident, bytes32 localContext, bytes32 word, uint256 size, uint256 partOffset)
        external
        returns (bytes32 key)
    {
        if (size > 32) revert LocalDataSize(size, 32);
        if (ident >> 248 != 0) revert LocalIdentTooLarge(ident);
        key = PreimageKeyLib.localize(bytes32((uint256(TYPE_LOCAL) << 248) | ident), msg.sender, localContext);
        // Bytes past `size` are not the preimage's: the stream is zero there.
        _storeWord(
            key, partOffset, size == 0 ? bytes32(0) : word & bytes32(type(uint256).max << (256 - 8 * size)), size
        );
    }

    /// @notice Stores part `partOffset` of the blob field element at `z` of the blob with KZG
    ///         commitment `commitment` (type 5): key 5 ‖ keccak256(commitment ‖ z)[1..], preimage
    ///         `y` as 32 bytes big-endian, after the point-evaluation precompile (0x0a) has checked
    ///         `proof` opens the commitment to `y` at `z`.
    /// @dev The precompile also requires `z` and `y` below the BLS12-381 modulus, which is
    ///      pillar-preimage's `check_blob_key` on the element.
    function loadBlobPreimagePart(
        uint256 z,
        uint256 y,
        bytes calldata commitment,
        bytes calldata proof,
        uint256 partOffset
    ) external returns (bytes32 key) {
        _checkOpening(z, y, commitment, proof);
        key = _typed(TYPE_BLOB, keccak256(abi.encodePacked(commitment, z)));
        _storeWord(key, partOffset, bytes32(y), 32);
    }

    /// @dev The point-evaluation precompile's check that `proof` opens `commitment` to `y` at `z`.
    function _checkOpening(uint256 z, uint256 y, bytes calldata commitment, bytes calldata proof) internal view {
        if (commitment.length != G1_SIZE) revert BlobInputLength(0, commitment.length);
        if (proof.length != G1_SIZE) revert BlobInputLength(1, proof.length);
        bytes32 versioned = _typed(KZG_VERSION, sha256(commitment));
        // As for the other precompiles: a call short of gas would fail like a bad opening.
        uint256 left = gasleft();
        uint256 gas = POINT_EVALUATION_GAS;
        if (left < gas + gas / 63 + 2_000) revert PrecompileGas(gas, left);
        (bool ok, bytes memory output) =
            POINT_EVALUATION.staticcall{gas: gas}(abi.encodePacked(versioned, z, y, commitment, proof));
        // The precompile answers 64 bytes (FIELD_ELEMENTS_PER_BLOB, BLS_MODULUS); a chain without
        // it answers a call to an empty account with success and nothing, which must not pass.
        if (!ok || output.length != 64) revert BlobProofInvalid(versioned, z, y);
    }

    /// @dev Stores part `partOffset` of a preimage of `size` (at most 32) bytes, `data`'s first
    ///      `size` bytes (the rest zero).
    function _storeWord(bytes32 key, uint256 partOffset, bytes32 data, uint256 size) internal {
        if (partOffset >= size + PREFIX) revert PartOffsetOutOfBounds(partOffset, size + PREFIX);
        bytes32 part;
        // The stream `len_be8 ‖ data ‖ 32 zero bytes` past the free memory pointer (temporary).
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, shl(192, size))
            mstore(add(ptr, PREFIX), data)
            mstore(add(ptr, 40), 0)
            part := mload(add(ptr, partOffset))
        }
        _put(key, partOffset, part, size);
    }

    function _size(uint256 len) internal pure {
        if (len > MAX_PREIMAGE_SIZE) revert PreimageTooLarge(len, MAX_PREIMAGE_SIZE);
    }

    /// @dev `digest` with byte 0 replaced by the key type.
    function _typed(uint8 keyType, bytes32 digest) internal pure returns (bytes32) {
        return bytes32((uint256(digest) & (type(uint256).max >> 8)) | (uint256(keyType) << 248));
    }

    function _store(bytes32 key, uint256 partOffset, bytes calldata preimage) internal {
        uint256 len = preimage.length;
        if (partOffset >= len + PREFIX) revert PartOffsetOutOfBounds(partOffset, len + PREFIX);
        bytes32 part;
        // The part from the stream `len_be8 ‖ preimage ‖ 32 zero bytes`, built past the free
        // memory pointer (temporary, never read after).
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, shl(192, len))
            calldatacopy(add(ptr, PREFIX), preimage.offset, len)
            mstore(add(add(ptr, PREFIX), len), 0)
            part := mload(add(ptr, partOffset))
        }
        _put(key, partOffset, part, len);
    }

    function _storeMemory(bytes32 key, uint256 partOffset, bytes memory preimage) internal {
        uint256 len = preimage.length;
        if (partOffset >= len + PREFIX) revert PartOffsetOutOfBounds(partOffset, len + PREFIX);
        bytes32 part;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, shl(192, len))
            mcopy(add(ptr, PREFIX), add(preimage, 32), len)
            mstore(add(add(ptr, PREFIX), len), 0)
            part := mload(add(ptr, partOffset))
        }
        _put(key, partOffset, part, len);
    }

    function _put(bytes32 key, uint256 partOffset, bytes32 part, uint256 len) internal {
        parts[key][partOffset] = part;
        partLoaded[key][partOffset] = true;
        lengths[key] = len + 1;
        emit PartLoaded(key, partOffset, len);
    }
}
