#!/usr/bin/env bash
# Builds the chain's no_std crates for the fault-proof VM's ISA, riscv32im-unknown-none-elf, and
# runs the batch decoder as an rv32im guest under qemu and in pillar-fpvm against the same code
# run natively.
#
#   scripts/rv32im/build.sh                  # the crates in CRATES below
#   scripts/rv32im/build.sh pillar-codec ... # these crates (each with its FLAGS below)
#
# rustup here has no rust-src and no extra targets, so the guest is built with Debian's compiler
# and its library sources (`rustc-web`, `rust-web-src`, Rust 1.96; build-std needs sources that
# match the compiler) and linked with rustup's `rust-lld` (or Debian's `lld`). Everything goes to
# target/rv32im, so the host build in target/ is never touched. docs/fault-proof-target.md explains
# the choices.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"

# The crates that must build for the guest. Add each core crate here once it is no_std.
CRATES=(
  pillar-codec pillar-state pillar-primitives pillar-runtime
  pillar-accounts pillar-assets pillar-bridge pillar-compliance pillar-sessions pillar-agents pillar-items
  pillar-stf pillar-derive pillar-example pillar-preimage pillar-fp-program
)
if [ "$#" -gt 0 ]; then CRATES=("$@"); fi
# Extra cargo flags per crate, for a crate whose std parts sit behind a default feature: the guest
# build is that crate's graph alone with these flags (resolver 3), whatever the node turns on.
declare -A FLAGS=(
  [pillar-state]="--no-default-features" # NOMT is the default feature `nomt`
  [pillar-preimage]="--no-default-features" # the precompiles (libsecp256k1, p256) are `std`
  [pillar-fp-program]="--no-default-features" # the host oracle is `std`
)
# The chain's core crates keep their std parts (libsecp256k1, rayon, the test kits; in
# pillar-derive the Deriver over pillar-chain and the libzstd encoder) behind default features.
for crate in pillar-primitives pillar-runtime pillar-accounts pillar-assets pillar-bridge \
  pillar-compliance pillar-sessions pillar-agents pillar-items pillar-stf pillar-derive pillar-example; do
  FLAGS[$crate]="--no-default-features"
done

TARGET=riscv32im-unknown-none-elf
TARGET_DIR="$ROOT/target/rv32im"

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# The guest's linker: $RV32IM_LINKER if set, else rust-lld from the host (rustup) toolchain, else
# Debian's `ld.lld` (installed below when needed).
LINKER="${RV32IM_LINKER:-}"
if [ -z "$LINKER" ]; then
  for lld in "$(rustc --print sysroot)"/lib/rustlib/*/bin/rust-lld; do
    if [ -x "$lld" ]; then LINKER="$lld"; break; fi
  done
fi

missing=()
for pkg in rustc-web rust-web-src qemu-user; do
  installed "$pkg" || missing+=("$pkg")
done
if [ -z "$LINKER" ] && ! installed lld; then missing+=(lld); fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]} (apt)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ -z "$LINKER" ]; then LINKER="$(command -v ld.lld)"; fi

GUEST_RUSTC="$(dpkg -L rustc-web | awk '/\/bin\/rustc$/ && !found { print; found = 1 }')"
GUEST_SRC="$("$GUEST_RUSTC" --print sysroot)/lib/rustlib/src/rust/library"
if [ ! -d "$GUEST_SRC/core" ]; then
  echo "no library sources for $GUEST_RUSTC at $GUEST_SRC (rust-web-src)" >&2
  exit 1
fi
echo "guest compiler: $("$GUEST_RUSTC" --version) ($GUEST_RUSTC)"
echo "linker: $LINKER"

# RUSTC_BOOTSTRAP lets the stable cargo and compiler take -Z build-std; compiler-builtins-mem
# provides memcpy and friends, which a bare target has no libc for. Both builds use the same
# flags so the core and alloc built for the first are reused by the second.
guest_cargo() {
  RUSTC="$GUEST_RUSTC" RUSTC_BOOTSTRAP=1 \
    CARGO_TARGET_RISCV32IM_UNKNOWN_NONE_ELF_LINKER="$LINKER" \
    cargo "$@" --release --target "$TARGET" --target-dir "$TARGET_DIR" \
    -Z build-std=core,alloc -Z build-std-features=compiler-builtins-mem
}

for crate in "${CRATES[@]}"; do
  read -ra flags <<<"${FLAGS[$crate]:-}"
  echo "-- cargo build -p $crate ${flags[*]:+${flags[*]} }--target $TARGET"
  guest_cargo build --locked -p "$crate" "${flags[@]}"
done

# The smoke guest: pillar-codec's and pillar-derive's verdicts on every file of the batch fuzz corpus, as an rv32im
# ELF under qemu-riscv32 and natively; the two outputs must be identical.
echo "-- smoke: batch corpus decoded natively and as an rv32im guest (qemu-riscv32)"
SMOKE="$ROOT/scripts/rv32im/smoke"
guest_cargo build --locked --manifest-path "$SMOKE/Cargo.toml"
cargo build --locked --release --manifest-path "$SMOKE/Cargo.toml" --target-dir "$TARGET_DIR"
GUEST_ELF="$TARGET_DIR/$TARGET/release/pillar-rv32im-smoke"
NATIVE="$TARGET_DIR/release/pillar-rv32im-smoke"
echo "guest ELF: $(stat -c %s "$GUEST_ELF") bytes"
# qemu runs more than RV32IM; the VM does not. Refuse any other instruction in the guest.
"$NATIVE" --check-isa "$GUEST_ELF"
native="$("$NATIVE")"
guest="$(qemu-riscv32 "$GUEST_ELF")"
if [ "$native" != "$guest" ]; then
  echo "native and rv32im verdicts differ:" >&2
  diff <(echo "$native") <(echo "$guest") >&2 || true
  exit 1
fi
echo "$guest"
# The same ELF in Pillar's own VM (crates/fpvm), which must agree with qemu to the byte.
cargo build --locked --release -p pillar-fpvm --bin fpvm
fpvm="$("$ROOT/target/release/fpvm" "$GUEST_ELF")"
if [ "$fpvm" != "$guest" ]; then
  echo "pillar-fpvm and qemu-riscv32 outputs differ:" >&2
  diff <(echo "$guest") <(echo "$fpvm") >&2 || true
  exit 1
fi
# The fault-proof program as an rv32im guest in pillar-fpvm and under qemu-riscv32
# (scripts/rv32im/qemu_oracle.py serves the oracle there), on the oracles of the native twins test
# (crates/fp-program/tests/twins.rs): every case's exit code must be the one the native run gave
# (0: the claim holds, 1: it does not), the output root printed the same in both, and every
# instruction RV32IM.
echo "-- fault-proof program: the twins' claims decided by the rv32im guest in pillar-fpvm"
# Built reproducibly, its absolute prestate checked against the committed one
# (scripts/rv32im/prestate.sh; in CI it is built twice from scratch and the bytes compared).
PRESTATE_FLAGS=()
if [ "${CI:-}" = true ]; then PRESTATE_FLAGS+=(--twice); fi
"$ROOT/scripts/rv32im/prestate.sh" "${PRESTATE_FLAGS[@]}"
FP_ELF="$TARGET_DIR/$TARGET/release/pillar-fp-guest"
isa="$("$NATIVE" --check-isa "$FP_ELF")"
echo "guest ELF: $(stat -c %s "$FP_ELF") bytes, $isa"
DUMPS="$TARGET_DIR/fp-cases"
rm -rf "$DUMPS"
PILLAR_FP_DUMP="$DUMPS" cargo test --locked -q -p pillar-fp-program --test twins >/dev/null
cases=0
for case in "$DUMPS"/*.pre; do
  name="$(basename "$case" .pre)"
  case "$name" in
    *-holds) want=0 ;;
    *-wrong) want=1 ;;
    *) echo "unexpected case $name" >&2; exit 1 ;;
  esac
  set +e
  out="$("$ROOT/target/release/fpvm" "$FP_ELF" --preimages "$case" 2>"$DUMPS/fpvm.err")"
  got=$?
  # The same guest and preimages under qemu-riscv32, the oracle behind pipes on fds 3 to 6.
  qout="$(python3 "$ROOT/scripts/rv32im/qemu_oracle.py" "$FP_ELF" "$case" 2>"$DUMPS/qemu.err")"
  qgot=$?
  set -e
  if [ "$got" != "$want" ] || [ "$qgot" != "$want" ] || [ "$out" != "$qout" ]; then
    echo "$name: pillar-fpvm exited $got ($out), qemu $qgot ($qout), the native program $want" >&2
    cat "$DUMPS/fpvm.err" "$DUMPS/qemu.err" >&2
    exit 1
  fi
  echo "$name: exit $got, output root $out in pillar-fpvm and qemu, $(sed -n 's/^fpvm: \([0-9]*\) steps.*/\1 steps/p' "$DUMPS/fpvm.err")"
  cases=$((cases + 1))
done
[ "$cases" -gt 0 ] || { echo "no fault-proof cases were written" >&2; exit 1; }
# `pillar fp run` against a running chain on anvil, in the VM with this guest.
echo "-- pillar fp run: a running chain's block replayed by the guest in pillar-fpvm"
PILLAR_FP_ELF="$FP_ELF" cargo test --locked -q -p pillar --test it fault_proofs -- --nocapture 2>&1 |
  grep -E "pillar fp run in pillar-fpvm|test result" || { echo "pillar fp run in the VM failed" >&2; exit 1; }

echo "rv32im: ${#CRATES[@]} crate(s) built; native, qemu and pillar-fpvm verdicts identical ($(echo "$guest" | wc -l) lines, frame and blocks, over $(ls "$ROOT"/crates/derive/tests/corpus/*.bin | wc -l) corpus files); the fault-proof guest decided $cases claims as the native program did, in pillar-fpvm and qemu alike"
