#!/usr/bin/env bash
# Builds the fault-proof guest (scripts/rv32im/fp-guest) reproducibly and checks its absolute
# prestate against the one committed in scripts/rv32im/fp-guest/prestate.json.
#
#   scripts/rv32im/prestate.sh            # build, compare with prestate.json, leave the ELF in
#                                         # target/rv32im/riscv32im-unknown-none-elf/release/
#   scripts/rv32im/prestate.sh --twice    # also rebuild from scratch in a second target dir and
#                                         # require the same bytes (CI does)
#   scripts/rv32im/prestate.sh --update   # build and write prestate.json (commit it)
#
# The ELF depends only on the sources, fp-guest's Cargo.lock and the pinned compiler (Debian's
# rustc-web, named in prestate.json), not on where the repository or cargo's home is:
# - the sources are copied to a fixed directory, because cargo's symbol hashes (-C metadata) hash
#   the absolute path of a path dependency outside the guest's own workspace (crates/ is);
# - --remap-path-prefix maps that directory and cargo's home to /pillar and /cargo in the panic
#   locations the binary carries.
# docs/fault-proofs.md ("The absolute prestate") says what the prestate commits to.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
MODE=check
TWICE=0
for arg in "$@"; do
  case "$arg" in
    --update) MODE=update ;;
    --twice) TWICE=1 ;;
    *) echo "usage: $0 [--twice] [--update]" >&2; exit 2 ;;
  esac
done

PINNED="$ROOT/scripts/rv32im/fp-guest/prestate.json"
TARGET=riscv32im-unknown-none-elf
# Fixed, so that the build does not depend on the checkout's path.
BUILD=/tmp/pillar-fp-prestate
CARGO_HOME_DIR="${CARGO_HOME:-$HOME/.cargo}"

GUEST_RUSTC="$(dpkg -L rustc-web | awk '/\/bin\/rustc$/ && !found { print; found = 1 }')"
COMPILER="$("$GUEST_RUSTC" --version) (Debian rustc-web $(dpkg-query -W -f='${Version}' rustc-web))"
LINKER="${RV32IM_LINKER:-}"
if [ -z "$LINKER" ]; then
  for lld in "$(rustc --print sysroot)"/lib/rustlib/*/bin/rust-lld; do
    if [ -x "$lld" ]; then LINKER="$lld"; break; fi
  done
fi
if [ -z "$LINKER" ]; then LINKER="$(command -v ld.lld)"; fi

# The repository's tracked and new (not ignored) files, less any deleted in the work tree: the
# guest's crates inherit from the root manifest's workspace. Extracted with fresh mtimes
# (`--touch`): cargo's freshness check is by mtime, and a checkout's older files would otherwise
# let it reuse an earlier build in $BUILD of other sources and report a stale ELF.
rm -rf "$BUILD/src"
mkdir -p "$BUILD/src"
git ls-files -z -co --exclude-standard | tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar --touch -xf - -C "$BUILD/src"

# $1: target dir. Prints the ELF's path.
build() {
  (
    cd "$BUILD/src"
    RUSTC="$GUEST_RUSTC" RUSTC_BOOTSTRAP=1 CARGO_INCREMENTAL=0 \
      RUSTFLAGS="--remap-path-prefix=$BUILD/src=/pillar --remap-path-prefix=$CARGO_HOME_DIR=/cargo" \
      CARGO_TARGET_RISCV32IM_UNKNOWN_NONE_ELF_LINKER="$LINKER" \
      cargo build --locked --release --target "$TARGET" --target-dir "$1" \
      -Z build-std=core,alloc -Z build-std-features=compiler-builtins-mem \
      --manifest-path scripts/rv32im/fp-guest/Cargo.toml >&2
  )
  echo "$1/$TARGET/release/pillar-fp-guest"
}

ELF="$(build "$BUILD/target")"
if [ "$TWICE" = 1 ]; then
  rm -rf "$BUILD/target-2"
  AGAIN="$(build "$BUILD/target-2")"
  if ! cmp -s "$ELF" "$AGAIN"; then
    echo "two builds of the fault-proof guest differ: $(sha256sum "$ELF" "$AGAIN")" >&2
    exit 1
  fi
  rm -rf "$BUILD/target-2"
  echo "prestate: a second build from scratch gave the same ELF" >&2
fi

cargo build --locked --release -q -p pillar-fpvm --bin fpvm
PRESTATE="$("$ROOT/target/release/fpvm" "$ELF" --prestate)"
SHA="$(sha256sum "$ELF" | cut -d' ' -f1)"
cat >"$BUILD/prestate.json" <<EOF
{
  "compiler": "$COMPILER",
  "elfSha256": "0x$SHA",
  "elfBytes": $(stat -c %s "$ELF"),
  "prestate": "$PRESTATE"
}
EOF

OUT="$ROOT/target/rv32im/$TARGET/release"
mkdir -p "$OUT"
cp "$ELF" "$OUT/pillar-fp-guest"

if [ "$MODE" = update ]; then
  cp "$BUILD/prestate.json" "$PINNED"
  echo "prestate: wrote $PINNED (prestate $PRESTATE)" >&2
  exit 0
fi
if ! diff -u "$PINNED" "$BUILD/prestate.json" >&2; then
  if ! grep -qF "\"compiler\": \"$COMPILER\"" "$PINNED"; then
    echo "prestate: this is not the pinned compiler ($COMPILER): the prestate cannot be reproduced with it" >&2
  else
    echo "prestate: the guest's prestate is not the committed one: a change to the program or its crates changes it; run scripts/rv32im/prestate.sh --update and commit prestate.json" >&2
  fi
  exit 1
fi
echo "prestate: $PRESTATE (ELF sha256 0x$SHA), as committed" >&2
