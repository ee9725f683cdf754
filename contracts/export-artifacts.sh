#!/usr/bin/env sh
# Builds the contracts and writes trimmed artifacts (abi, bytecode, deployedBytecode) for the Rust
# `sol!` bindings to contracts/artifacts/<Contract>.json, so `cargo build` needs no node or forge.
#   contracts/export-artifacts.sh          rebuild and rewrite the artifacts
#   contracts/export-artifacts.sh --check  rebuild and fail (exit 1) if the committed ones are stale
set -eu
cd "$(dirname "$0")"
../node_modules/.bin/forge build >/dev/null
mode="${1:-write}"
exec node - "$mode" <<'JS'
const fs = require("fs");
const mode = process.argv[2];
const contracts = [
  "Rollup",
  "Portal",
  "RiscvStep",
  "PreimageOracle",
  "DisputeGameFactory",
  "FaultDisputeGame",
  "AnchorStateRegistry",
  "DelayedBondVault",
];
let stale = [];
fs.mkdirSync("artifacts", { recursive: true });
for (const name of contracts) {
  const full = JSON.parse(fs.readFileSync(`out/${name}.sol/${name}.json`, "utf8"));
  const trimmed = {
    abi: full.abi,
    bytecode: full.bytecode.object,
    deployedBytecode: full.deployedBytecode.object,
  };
  const text = JSON.stringify(trimmed, null, 2) + "\n";
  const path = `artifacts/${name}.json`;
  const current = fs.existsSync(path) ? fs.readFileSync(path, "utf8") : "";
  if (current === text) continue;
  if (mode === "--check") stale.push(path);
  else fs.writeFileSync(path, text);
}
if (stale.length) {
  console.error(`stale artifacts (run contracts/export-artifacts.sh): ${stale.join(", ")}`);
  process.exit(1);
}
JS
