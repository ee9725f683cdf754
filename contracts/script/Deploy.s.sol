// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {IOutputOracle} from "../src/interfaces/IOutputOracle.sol";
import {Portal} from "../src/Portal.sol";
import {Rollup} from "../src/Rollup.sol";

interface VmScript {
    function envOr(string calldata name, uint256 defaultValue) external view returns (uint256);
    function envOr(string calldata name, address defaultValue) external view returns (address);
    function startBroadcast() external;
    function stopBroadcast() external;
}

/// @notice Deploys Rollup and Portal. Configuration comes from the environment, with devnet
///         defaults: PILLAR_OWNER, PILLAR_SEQUENCER, PILLAR_PROPOSER, PILLAR_GUARDIAN (default:
///         the broadcaster), PILLAR_CHAIN_ID (424242), PILLAR_CHALLENGE_WINDOW (seconds, 60),
///         PILLAR_INCLUSION_DEADLINE (3600), PILLAR_INACTIVITY_WINDOW (86400),
///         PILLAR_MIN_DEPOSIT (wei, 1), PILLAR_MAX_DEPOSIT (wei, 1000 ether). An owner other than
///         the broadcaster must call `acceptOwnership` afterwards.
/// @dev `forge script script/Deploy.s.sol --rpc-url <url> --private-key <key> --broadcast`.
///      The Rust deployer (crates/l1) deploys from the compiled artifacts instead; this script is
///      for manual use.
contract Deploy {
    VmScript internal constant vm = VmScript(address(uint160(uint256(keccak256("hevm cheat code")))));

    function run() external returns (Rollup rollup, Portal portal) {
        address me = msg.sender;
        address owner = vm.envOr("PILLAR_OWNER", me);
        vm.startBroadcast();
        // The broadcaster owns the Rollup until it has bound the Portal's queue to the batch chain;
        // another owner then accepts ownership (two-step).
        rollup = new Rollup(
            me,
            uint64(vm.envOr("PILLAR_CHAIN_ID", uint256(424242))),
            uint64(vm.envOr("PILLAR_CHALLENGE_WINDOW", uint256(60))),
            uint64(vm.envOr("PILLAR_INCLUSION_DEADLINE", uint256(3600))),
            uint64(vm.envOr("PILLAR_INACTIVITY_WINDOW", uint256(86400))),
            vm.envOr("PILLAR_SEQUENCER", me),
            vm.envOr("PILLAR_PROPOSER", me),
            vm.envOr("PILLAR_GUARDIAN", me)
        );
        portal = new Portal(
            IOutputOracle(address(rollup)),
            vm.envOr("PILLAR_MIN_DEPOSIT", uint256(1)),
            vm.envOr("PILLAR_MAX_DEPOSIT", uint256(1000 ether))
        );
        rollup.setPortal(portal);
        if (owner != me) rollup.transferOwnership(owner);
        vm.stopBroadcast();
    }
}
