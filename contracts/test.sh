#!/usr/bin/env sh
# Runs the Foundry tests for the L1 contracts. Usage: contracts/test.sh [extra forge test args]
set -eu
cd "$(dirname "$0")"
exec ../node_modules/.bin/forge test "$@"
