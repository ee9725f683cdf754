// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

/// @title DelayedBondVault
/// @notice Holds the bonds of dispute games and pays them out only a delay after the game
///         unlocked them, so that a game that pays the wrong party can be caught in time.
/// @dev Sub-accounts, as OP's DelayedWETH: a game (any caller) deposits into its own balance,
///      unlocks an amount for a recipient (which starts the recipient's delay anew), and after
///      `delay` seconds withdraws it to the recipient. A game can only move its own deposits.
///
///      The guardian (the Security Council) may **hold** a game: its payouts stop until the owner
///      (the timelock) or the guardian releases it. Holding never moves funds; what to do with a
///      held game's bonds is decided by the owner, that is by an upgrade behind the timelock's
///      delay. Bridge funds are never here: a hold touches only the bonds of dispute players.
contract DelayedBondVault is Ownable2Step, ReentrancyGuard {
    /// @notice An unlocked amount and when it was last unlocked.
    struct Unlock {
        uint256 amount;
        uint64 timestamp;
    }

    /// @notice Seconds between the last unlock for a recipient and its withdrawal.
    uint64 public immutable delay;

    /// @notice The account that may hold games (the Security Council).
    address public guardian;
    /// @notice Each depositor's (game's) balance, unlocked amounts included.
    mapping(address game => uint256 amount) public balanceOf;
    /// @notice What each game unlocked for each recipient.
    mapping(address game => mapping(address recipient => Unlock)) public unlocks;
    /// @notice Games whose payouts are held.
    mapping(address game => bool) public held;

    /// @notice `game` deposited `amount`.
    event Deposited(address indexed game, uint256 amount);
    /// @notice `game` unlocked `amount` more for `recipient`, payable from `payableAt`.
    event Unlocked(address indexed game, address indexed recipient, uint256 amount, uint64 payableAt);
    /// @notice `game` paid `amount` to `recipient`.
    event Withdrawn(address indexed game, address indexed recipient, uint256 amount);
    /// @notice A game's payouts were held (`isHeld`) or released.
    event HoldChanged(address indexed game, bool isHeld, address indexed by);
    /// @notice The guardian changed.
    event GuardianUpdated(address indexed previous, address indexed current);

    /// @notice The caller is neither the guardian nor the owner.
    error NotGuardian(address caller);
    /// @notice The game's balance does not cover the unlock.
    error InsufficientBalance(address game, uint256 balance, uint256 amount);
    /// @notice More than was unlocked for the recipient.
    error InsufficientUnlocked(address game, address recipient, uint256 unlocked, uint256 amount);
    /// @notice The delay since the last unlock has not passed.
    error UnlockPending(address game, address recipient, uint64 payableAt);
    /// @notice The game's payouts are held.
    error GameHeld(address game);
    /// @notice The ETH transfer to the recipient failed.
    error TransferFailed(address recipient, uint256 amount);

    /// @param owner_ The owner (the timelock).
    /// @param guardian_ The guardian (the Security Council).
    /// @param delay_ Seconds from unlock to withdrawal.
    constructor(address owner_, address guardian_, uint64 delay_) Ownable(owner_) {
        delay = delay_;
        _setGuardian(guardian_);
    }

    /// @notice Deposit `msg.value` into the caller's balance.
    function deposit() external payable {
        balanceOf[msg.sender] += msg.value;
        emit Deposited(msg.sender, msg.value);
    }

    /// @notice Unlock `amount` of the caller's balance for `recipient`; the recipient's delay
    ///         starts again from now.
    function unlock(address recipient, uint256 amount) external {
        Unlock storage u = unlocks[msg.sender][recipient];
        uint256 total = u.amount + amount;
        uint256 balance = balanceOf[msg.sender];
        if (total > balance) revert InsufficientBalance(msg.sender, balance, total);
        u.amount = total;
        u.timestamp = uint64(block.timestamp);
        emit Unlocked(msg.sender, recipient, amount, uint64(block.timestamp) + delay);
    }

    /// @notice Pay `amount` of what the caller unlocked for `recipient` to `recipient`, once the
    ///         delay has passed and the caller is not held.
    function withdraw(address recipient, uint256 amount) external nonReentrant {
        if (held[msg.sender]) revert GameHeld(msg.sender);
        Unlock storage u = unlocks[msg.sender][recipient];
        uint64 payableAt = u.timestamp + delay;
        if (u.timestamp == 0 || block.timestamp < payableAt) revert UnlockPending(msg.sender, recipient, payableAt);
        if (amount > u.amount) revert InsufficientUnlocked(msg.sender, recipient, u.amount, amount);
        u.amount -= amount;
        balanceOf[msg.sender] -= amount;
        emit Withdrawn(msg.sender, recipient, amount);
        (bool ok,) = recipient.call{value: amount}("");
        if (!ok) revert TransferFailed(recipient, amount);
    }

    /// @notice Guardian or owner: stop `game`'s payouts.
    function hold(address game) external {
        if (msg.sender != guardian && msg.sender != owner()) revert NotGuardian(msg.sender);
        held[game] = true;
        emit HoldChanged(game, true, msg.sender);
    }

    /// @notice Guardian or owner: resume `game`'s payouts.
    function release(address game) external {
        if (msg.sender != guardian && msg.sender != owner()) revert NotGuardian(msg.sender);
        held[game] = false;
        emit HoldChanged(game, false, msg.sender);
    }

    /// @notice Owner: replace the guardian.
    function setGuardian(address guardian_) external onlyOwner {
        _setGuardian(guardian_);
    }

    function _setGuardian(address guardian_) private {
        emit GuardianUpdated(guardian, guardian_);
        guardian = guardian_;
    }
}
