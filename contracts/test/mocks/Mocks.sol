// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

import {Portal} from "../../src/Portal.sol";
import {DerivationCursor, Withdrawal, WithdrawalProof} from "../../src/lib/Hashing.sol";

// The cursor entry of the outputs the Portal tests propose.
bytes32 constant CURSOR_ENTRY = keccak256("cursor entry");

/// @notice A plain mintable ERC-20.
contract MockERC20 is ERC20 {
    constructor() ERC20("Mock", "MCK") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

/// @notice An ERC-20 that burns 1% of every transfer (fee-on-transfer).
contract FeeOnTransferERC20 is ERC20 {
    constructor() ERC20("Fee", "FEE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && to != address(0)) {
            uint256 fee = value / 100;
            super._update(from, address(0), fee);
            value -= fee;
        }
        super._update(from, to, value);
    }
}

/// @notice An L1 recipient that rejects ETH.
contract RejectingRecipient {
    receive() external payable {
        revert("no");
    }
}

/// @notice An L1 recipient that tries to finalize the same withdrawal again when paid.
contract ReentrantRecipient {
    Portal public portal;
    Withdrawal internal _w;
    uint256 internal _outputIndex;
    bytes32 internal _stateRoot;
    bytes32 internal _blockHash;
    WithdrawalProof internal _proof;
    bool public reentered;
    bytes public reentryError;

    function arm(
        Portal portal_,
        Withdrawal memory w,
        uint256 outputIndex,
        bytes32 stateRoot,
        bytes32 blockHash,
        WithdrawalProof memory proof
    ) external {
        portal = portal_;
        _w = w;
        _outputIndex = outputIndex;
        _stateRoot = stateRoot;
        _blockHash = blockHash;
        _proof = proof;
    }

    receive() external payable {
        if (reentered) return;
        reentered = true;
        try portal.finalizeWithdrawal(_w, _outputIndex, _stateRoot, _blockHash, DerivationCursor(CURSOR_ENTRY, 0), _proof) {
            reentryError = "";
        } catch (bytes memory err) {
            reentryError = err;
        }
    }
}
