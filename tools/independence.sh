#!/usr/bin/env bash
# The independence check: the harness judges with `openslots-oracle`, never
# with the reference it drives. For each planted mistake (a cargo feature of
# the reference, never on by default: see reference/Cargo.toml), this
#   1. runs the vectors and the client scenarios through a harness built
#      from the clean tree against an adapter built with the mistake, and
#   2. runs them through a harness built with the mistake (its in-process
#      reference is the broken one),
# and requires that (1) fails some cases and that (2) fails every case that
# (1) fails. A judge that computed its expectations with the reference would
# move along with the mistake and pass in (2).
#
# Usage: tools/independence.sh [FEATURE ...]   (default: all three)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
features=("$@")
if [ "${#features[@]}" = 0 ]; then
  features=(broken-v2-mask-lsb broken-upper-dtag broken-hkdf-info)
fi
work="$root/target/independence"
mkdir -p "$work"
started=$(date +%s)

failing() { grep -E '^[[:space:]]*FAIL ' "$1" | awk '{print $2}' | sort -u; }

run_all() { # harness, log prefix, adapter args...
  local h=$1 out=$2
  shift 2
  "$h" vectors "$@" >"$out.vectors.log" 2>&1 || true
  "$h" client --no-skip "$@" >"$out.client.log" 2>&1 || true
  cat "$out.vectors.log" "$out.client.log" | failing /dev/stdin >"$out.failing"
}

echo "== clean harness"
cargo build --release -p openslots-harness --bin openslots-harness --locked --quiet
cp target/release/openslots-harness "$work/clean-harness"

status=0
for f in "${features[@]}"; do
  echo "== $f"
  cargo build --release -p openslots -p openslots-adapter -p openslots-harness \
    --features "openslots/$f" --locked --quiet
  cp target/release/openslots-harness "$work/$f-harness"
  cp target/release/openslots-adapter "$work/$f-adapter"
  run_all "$work/clean-harness" "$work/$f.clean" --adapter "$work/$f-adapter"
  run_all "$work/$f-harness" "$work/$f.broken"
  clean=$(wc -l <"$work/$f.clean.failing")
  broken=$(wc -l <"$work/$f.broken.failing")
  missed=$(comm -23 "$work/$f.clean.failing" "$work/$f.broken.failing" | wc -l)
  echo "$f: clean harness + broken adapter fails $clean; broken harness in process fails $broken; missed $missed"
  if [ "$clean" = 0 ] || [ "$missed" != 0 ]; then
    comm -23 "$work/$f.clean.failing" "$work/$f.broken.failing" | head -20
    status=1
  fi
done
echo "== rebuild the clean tree"
cargo build --release -p openslots -p openslots-adapter -p openslots-harness --locked --quiet
echo "independence: $( [ $status = 0 ] && echo ok || echo FAILED ) in $(( $(date +%s) - started )) s"
exit $status
