// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {PreimageKeyLib} from "../src/fp/PreimageKeyLib.sol";
import {PreimageOracle} from "../src/fp/PreimageOracle.sol";
import {Test} from "./utils/Test.sol";

/// @notice The oracle's loaders and parts. Keys and precompile results are known answers (sha256
///         of "abc", go-ethereum's ecrecover vectors, the EIP-7951 P256VERIFY vector); the
///         differential test (crates/l1/tests/it/step.rs) holds parts and precompile results to
///         pillar-fpvm's `PreimagePart::of` and pillar-preimage's `precompile::call`.
contract PreimageOracleTest is Test {
    PreimageOracle internal oracle;

    /// go-ethereum's ecrecover vector, signed by 0xa94f…bf0b.
    bytes internal constant EC_INPUT =
        hex"18c547e4f7b0f325ad1e56f57e26c745b09a3e503d86e00e5255ff7f715d3d1c000000000000000000000000000000000000000000000000000000000000001c73b1693892219d736caba55bdb67216e485557ea6b6af75f37096c9aa6a5a75feeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4549";
    /// go-ethereum's "unrecoverable key" vector: r is no x coordinate on the curve.
    bytes internal constant EC_BAD =
        hex"a8b53bdf3306a35a7103ab5504a0c9b492295564b6202b1942a84ef300107281000000000000000000000000000000000000000000000000000000000000001b307835653165303366353363653138623737326363623030393366663731663366353366356337356237346463623331613835616138623838393262346538621122334455667788991011121314151617181920212223242526272829303132";
    /// The RIP-7212 / EIP-7951 vector.
    bytes internal constant P256_INPUT =
        hex"4cee90eb86eaa050036147a12d49004b6b9c72bd725d39d4785011fe190f0b4da73bd4903f0ce3b639bbbf6e8e80d16931ff4bcf5993d58468e8fb19086e8cac36dbcd03009df8c59286b162af3bd7fcc0450c9aa81be5d10d312af6c66b1d604aebd3099c618202fcfe16ae7770b0c49ab5eadf74b754204a3bb6060e44eff37618b065f9832de4ca6ca971a7a1adc826d0f7c00181a5fb2ddf79ae00b4e10e";

    function setUp() public {
        oracle = new PreimageOracle();
    }

    /// @dev The 32 bytes of `len_be8 ‖ pre` from `offset`, zero-padded: built byte by byte, a
    ///      different construction from the contract's.
    function _part(bytes memory pre, uint256 offset) internal pure returns (bytes32 p) {
        bytes memory stream = bytes.concat(bytes8(uint64(pre.length)), pre);
        for (uint256 i = 0; i < 32; i++) {
            uint256 at = offset + i;
            if (at < stream.length) p |= bytes32(uint256(uint8(stream[at])) << (8 * (31 - i)));
        }
    }

    function _preimage(uint256 len) internal pure returns (bytes memory pre) {
        pre = new bytes(len);
        for (uint256 i = 0; i < len; i++) {
            pre[i] = bytes1(uint8(i * 37 + 5));
        }
    }

    function _expectPart(bytes32 key, uint256 offset, bytes32 part, uint256 len) internal view {
        (bytes32 p, uint256 l) = oracle.readPreimage(key, offset);
        assertEq(p, part);
        assertEq(l, len);
    }

    // ---- keccak256: every offset, and past the end.

    function test_keccakPartsAtEveryOffset() public {
        bytes memory pre = _preimage(100);
        bytes32 key = bytes32((uint256(keccak256(pre)) & (type(uint256).max >> 8)) | (uint256(2) << 248));
        for (uint256 off = 0; off < 108; off++) {
            assertEq(oracle.loadKeccak256PreimagePart(off, pre), key);
            _expectPart(key, off, _part(pre, off), 100);
        }
        // The stream's first part: the length, then the preimage.
        assertEq(uint256(_part(pre, 0)) >> 192, 100);
        // At or past the end: zero, with the length (the read that returns 0).
        _expectPart(key, 108, bytes32(0), 100);
        _expectPart(key, 200, bytes32(0), 100);
        _expectPart(key, type(uint32).max, bytes32(0), 100);
        _expectPart(key, type(uint256).max, bytes32(0), 100);
    }

    function test_emptyPreimageHasOnlyItsLength() public {
        bytes32 key = oracle.loadKeccak256PreimagePart(0, "");
        _expectPart(key, 0, bytes32(0), 0);
        _expectPart(key, 8, bytes32(0), 0);
        vm.expectRevert(abi.encodeWithSelector(PreimageOracle.UnknownPreimagePart.selector, key, 3));
        oracle.readPreimage(key, 3);
        vm.expectRevert(abi.encodeWithSelector(PreimageOracle.PartOffsetOutOfBounds.selector, 8, 8));
        oracle.loadKeccak256PreimagePart(8, "");
    }

    function test_unknownKeysAndOffsetsRevert() public {
        bytes memory pre = _preimage(40);
        bytes32 key = oracle.loadKeccak256PreimagePart(5, pre);
        vm.expectRevert(abi.encodeWithSelector(PreimageOracle.UnknownPreimagePart.selector, key, 4));
        oracle.readPreimage(key, 4);
        bytes32 other = bytes32(uint256(key) ^ 1);
        vm.expectRevert(abi.encodeWithSelector(PreimageOracle.UnknownPreimagePart.selector, other, 5));
        oracle.readPreimage(other, 5);
        (bool known,,) = oracle.tryReadPreimage(other, 100);
        assertFalse(known);
        // A wrong preimage is stored under its own key, never under the key it is not for.
        pre[7] ^= 0x01;
        assertNotEq(oracle.loadKeccak256PreimagePart(4, pre), key);
        vm.expectRevert(abi.encodeWithSelector(PreimageOracle.UnknownPreimagePart.selector, key, 4));
        oracle.readPreimage(key, 4);
        vm.expectRevert(abi.encodeWithSelector(PreimageOracle.PartOffsetOutOfBounds.selector, 48, 48));
        oracle.loadKeccak256PreimagePart(48, pre);
    }

    // ---- sha256 and NOMT nodes.

    function test_sha256KeyIsTheKnownDigest() public {
        // sha256("abc") = ba7816bf…f20015ad; byte 0 becomes the type.
        bytes32 key = oracle.loadSha256PreimagePart(0, "abc");
        assertEq(key, hex"047816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        _expectPart(key, 0, bytes32(bytes.concat(bytes8(uint64(3)), "abc")), 3);
        // A keccak key of the same bytes is another key.
        assertNotEq(oracle.loadKeccak256PreimagePart(0, "abc"), key);
        assertNotEq(oracle.loadSha256PreimagePart(0, "abd"), key);
    }

    function test_nomtNodeIs64BytesHashedWithSha256() public {
        bytes memory node = _preimage(64);
        bytes32 key = oracle.loadNomtNodePreimagePart(40, node);
        assertEq(key, bytes32((uint256(sha256(node)) & (type(uint256).max >> 8)) | (uint256(7) << 248)));
        _expectPart(key, 40, _part(node, 40), 64);
        // Same digest tail as the sha256 key: only byte 0, the type, differs.
        assertEq(uint256(key) << 8, uint256(oracle.loadSha256PreimagePart(0, node)) << 8);
        vm.expectRevert(abi.encodeWithSelector(PreimageOracle.PreimageLength.selector, 7, 63, 64));
        oracle.loadNomtNodePreimagePart(0, _preimage(63));
        vm.expectRevert(abi.encodeWithSelector(PreimageOracle.PreimageLength.selector, 7, 65, 64));
        oracle.loadNomtNodePreimagePart(0, _preimage(65));
    }

    // ---- The size limit.

    function test_preimagesOver16MiBAreRefused() public {
        uint256 max = oracle.MAX_PREIMAGE_SIZE();
        assertEq(max, 1 << 24);
        // The calldata built in place: an encoder's copy of 16 MiB would double the memory, whose
        // cost is quadratic, past the test's gas.
        bytes memory data = new bytes(4 + 96 + max + 1);
        bytes4 sel = PreimageOracle.loadKeccak256PreimagePart.selector;
        assembly ("memory-safe") {
            mstore(add(data, 32), sel)
            mstore(add(data, 36), 0)
            mstore(add(data, 68), 64)
            mstore(add(data, 100), add(max, 1))
        }
        (bool ok, bytes memory ret) = _rawCall(data);
        assertFalse(ok);
        assertEq(ret, abi.encodeWithSelector(PreimageOracle.PreimageTooLarge.selector, max + 1, max));
        // The sha256 loader: the same arguments under its selector. (Loading exactly 16 MiB would
        // copy it into the oracle's memory too, past forge's gas limit: the inclusive bound is
        // one comparison, read in the source.)
        sel = PreimageOracle.loadSha256PreimagePart.selector;
        assembly ("memory-safe") {
            mstore(add(data, 32), or(sel, shr(32, shl(32, mload(add(data, 32))))))
        }
        (ok, ret) = _rawCall(data);
        assertFalse(ok);
        assertEq(ret, abi.encodeWithSelector(PreimageOracle.PreimageTooLarge.selector, max + 1, max));
    }

    /// @dev A call with `data` in place: `address.call` would copy it first.
    function _rawCall(bytes memory data) internal returns (bool ok, bytes memory ret) {
        address to = address(oracle);
        assembly ("memory-safe") {
            ok := call(gas(), to, 0, add(data, 32), mload(data), 0, 0)
        }
        ret = new bytes(100);
        assembly ("memory-safe") {
            mstore(ret, returndatasize())
            returndatacopy(add(ret, 32), 0, returndatasize())
        }
    }

    // ---- Precompile results.

    function _precompileKey(address a, bytes memory input) internal pure returns (bytes32) {
        return
            bytes32((uint256(keccak256(abi.encodePacked(a, input))) & (type(uint256).max >> 8)) | (uint256(6) << 248));
    }

    function test_ecrecoverResultIsStatusAndAddress() public {
        bytes memory result =
            bytes.concat(hex"01", bytes32(uint256(uint160(0xa94f5374Fce5edBC8E2a8697C15331677e6EbF0B))));
        for (uint256 off = 0; off < 8 + 33; off++) {
            bytes32 key = oracle.loadPrecompilePreimagePart(off, address(1), EC_INPUT);
            assertEq(key, _precompileKey(address(1), EC_INPUT));
            _expectPart(key, off, _part(result, off), 33);
        }
        // An unrecoverable signature: the call succeeds with an empty output, so the result is
        // the status byte alone.
        bytes32 bad = oracle.loadPrecompilePreimagePart(0, address(1), EC_BAD);
        _expectPart(bad, 0, bytes32(bytes.concat(bytes8(uint64(1)), hex"01")), 1);
    }

    function test_p256VerifyResultIsStatusAndOne() public {
        bytes32 key = oracle.loadPrecompilePreimagePart(9, address(0x100), P256_INPUT);
        assertEq(key, _precompileKey(address(0x100), P256_INPUT));
        // 1 ‖ the word 1, whose part at 9 is the word: without Osaka's precompile the output
        // would be empty.
        _expectPart(key, 9, bytes32(uint256(1)), 33);
        bytes memory bad = P256_INPUT;
        bad[0] = 0x3c;
        key = oracle.loadPrecompilePreimagePart(8, address(0x100), bad);
        _expectPart(key, 8, bytes32(hex"01"), 1);
    }

    function test_otherPrecompilesAndShortGasAreRefused() public {
        vm.expectRevert(abi.encodeWithSelector(PreimageOracle.UnsupportedPrecompile.selector, address(2)));
        oracle.loadPrecompilePreimagePart(0, address(2), "abc");
        vm.expectRevert(abi.encodeWithSelector(PreimageOracle.UnsupportedPrecompile.selector, address(0x101)));
        oracle.loadPrecompilePreimagePart(0, address(0x101), "abc");
        vm.expectPartialRevert(PreimageOracle.PrecompileGas.selector);
        oracle.loadPrecompilePreimagePart{gas: 5_000}(0, address(1), EC_INPUT);
    }

    // ---- Local data (type 1).

    function test_localDataIsStoredUnderTheLocalizedKey() public {
        bytes32 ctx = keccak256("game");
        bytes32 word = keccak256("a word of local data");
        for (uint256 size = 0; size <= 32; size += 4) {
            bytes memory pre = _slice(abi.encodePacked(word), size);
            uint256 ident = size + 1;
            bytes32 key;
            for (uint256 o = 0; o < size + 8; o++) {
                key = oracle.loadLocalData(ident, ctx, word, size, o);
            }
            bytes32 raw = bytes32((uint256(1) << 248) | ident);
            assertEq(key, PreimageKeyLib.localize(raw, address(this), ctx));
            assertEq(uint256(key) >> 248, 1);
            for (uint256 o = 0; o < size + 8 + 4; o++) {
                _expectPart(key, o, _part(pre, o), size);
            }
            // The raw key, and the same key localized by another caller or context, are not stored.
            (bool known,,) = oracle.tryReadPreimage(raw, 0);
            assertFalse(known);
            (known,,) = oracle.tryReadPreimage(PreimageKeyLib.localize(raw, address(0xbeef), ctx), 0);
            assertFalse(known);
            (known,,) = oracle.tryReadPreimage(PreimageKeyLib.localize(raw, address(this), ~ctx), 0);
            assertFalse(known);
        }
    }

    function test_localizeIsOpsLayout() public pure {
        // keccak256(abi.encode(key, caller, context)) with byte 0 = 1, computed another way.
        bytes32 raw = bytes32((uint256(1) << 248) | 5);
        bytes memory enc = bytes.concat(raw, bytes12(0), bytes20(address(0x1234)), bytes32(uint256(7)));
        bytes32 h = keccak256(enc);
        h = bytes32((uint256(h) & (type(uint256).max >> 8)) | (uint256(1) << 248));
        assertEq(PreimageKeyLib.localize(raw, address(0x1234), bytes32(uint256(7))), h);
    }

    function test_localDataLimitsAreTyped() public {
        vm.expectRevert(abi.encodeWithSelector(PreimageOracle.LocalDataSize.selector, 33, 32));
        oracle.loadLocalData(1, 0, 0, 33, 0);
        vm.expectRevert(abi.encodeWithSelector(PreimageOracle.LocalIdentTooLarge.selector, uint256(1) << 248));
        oracle.loadLocalData(uint256(1) << 248, 0, 0, 32, 0);
        vm.expectRevert(abi.encodeWithSelector(PreimageOracle.PartOffsetOutOfBounds.selector, 12, 12));
        oracle.loadLocalData(1, 0, 0, 4, 12);
    }

    // ---- Blob field elements (type 5).

    /// @dev The zero blob's commitment and every opening's proof: the point at infinity
    ///      (compressed: the flags 0xc0 and zeros). The zero polynomial is 0 everywhere.
    function _infinity() internal pure returns (bytes memory g) {
        g = new bytes(48);
        g[0] = 0xc0;
    }

    function test_blobElementOfTheZeroBlob() public {
        bytes memory c = _infinity();
        uint256 z = 12345;
        bytes32 key = oracle.loadBlobPreimagePart(z, 0, c, _infinity(), 0);
        bytes32 expected = keccak256(abi.encodePacked(c, z));
        expected = bytes32((uint256(expected) & (type(uint256).max >> 8)) | (uint256(5) << 248));
        assertEq(key, expected);
        _expectPart(key, 0, _part(new bytes(32), 0), 32);
        oracle.loadBlobPreimagePart(z, 0, c, _infinity(), 39);
        _expectPart(key, 39, bytes32(0), 32);
    }

    function test_blobOpeningsAreChecked() public {
        bytes memory c = _infinity();
        bytes32 versioned = sha256(c);
        versioned = bytes32((uint256(versioned) & (type(uint256).max >> 8)) | (uint256(1) << 248));
        // The zero blob is not 1 anywhere.
        vm.expectRevert(abi.encodeWithSelector(PreimageOracle.BlobProofInvalid.selector, versioned, 7, 1));
        oracle.loadBlobPreimagePart(7, 1, c, _infinity(), 0);
        vm.expectRevert(abi.encodeWithSelector(PreimageOracle.BlobInputLength.selector, 0, 47));
        oracle.loadBlobPreimagePart(7, 0, new bytes(47), _infinity(), 0);
        vm.expectRevert(abi.encodeWithSelector(PreimageOracle.BlobInputLength.selector, 1, 49));
        oracle.loadBlobPreimagePart(7, 0, c, new bytes(49), 0);
        vm.expectRevert(abi.encodeWithSelector(PreimageOracle.PartOffsetOutOfBounds.selector, 40, 40));
        oracle.loadBlobPreimagePart(7, 0, c, _infinity(), 40);
        // z at the modulus is not a field element.
        uint256 r = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001;
        vm.expectRevert(abi.encodeWithSelector(PreimageOracle.BlobProofInvalid.selector, versioned, r, 0));
        oracle.loadBlobPreimagePart(r, 0, c, _infinity(), 0);
    }

    function _slice(bytes memory b, uint256 n) internal pure returns (bytes memory out) {
        out = new bytes(n);
        for (uint256 i = 0; i < n; i++) {
            out[i] = b[i];
        }
    }
}
