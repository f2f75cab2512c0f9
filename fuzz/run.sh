#!/usr/bin/env bash
# Runs fuzz targets for a fixed time each, one after the other, on their seed
# corpora, and fails on the first crash, timeout or out-of-memory.
#
#   fuzz/run.sh [-t SECONDS] [-l LOGDIR] [-k] [TARGET...]
#
# -t  seconds per target (default 20: the CI smoke run)
# -l  keep each target's libFuzzer output in LOGDIR/<target>.log
#     (default: a temporary directory, removed afterwards)
# -k  keep going after a failing target (the exit status still reports it)
# TARGET...  default: every target (`cargo fuzz list`)
#
# Needs a nightly toolchain and cargo-fuzz. It (re)builds the seed corpora
# from the spec and the vectors (seed_corpora.py), builds the targets once,
# then runs each with its dictionary on fuzz/corpus/<target> (where libFuzzer
# adds what it finds) and fuzz/regressions/<target> (committed inputs that
# once failed, read-only). It prints one summary line per target:
# executions, coverage (`cov`: edges) and features (`ft`).
set -euo pipefail
cd "$(dirname "$0")"

seconds=20
logdir=""
keep_going=0
while getopts "t:l:k" opt; do
  case "$opt" in
    t) seconds="$OPTARG" ;;
    l) logdir="$OPTARG" ;;
    k) keep_going=1 ;;
    *) echo "usage: $0 [-t SECONDS] [-l LOGDIR] [-k] [TARGET...]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))

if [ -z "$logdir" ]; then
  logdir="$(mktemp -d)"
  trap 'rm -rf "$logdir"' EXIT
fi
mkdir -p "$logdir"

python3 seed_corpora.py
cargo +nightly fuzz build

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo +nightly fuzz list)
fi

# A target's dictionary and input limits.
options() {
  local dicts=()
  case "$1" in
    link_parse) dicts=(link) ;;
    cipher_decrypt | cipher_roundtrip) dicts=(base64) ;;
    payload_parse) dicts=(json base64) ;;
    mask_decode) dicts=(base64) ;;
    event_parse) dicts=(json nostr base64) ;;
    grid_generate) dicts=(grid) ;;
    expiry_parse) dicts=(expiry) ;;
    adapter_messages) dicts=(json base64) ;;
    relay_frames) dicts=(json nostr) ;;
    booking_payload_parse) dicts=(json) ;;
    wrap_parse) dicts=(base64) ;;
  esac
  if [ "${#dicts[@]}" -gt 0 ]; then
    local dict="$logdir/$1.dict"
    for d in "${dicts[@]}"; do cat "dicts/$d.dict"; done >"$dict"
    echo "-dict=$dict"
  fi
  case "$1" in
    # NIP-44 plaintexts reach 65,535 bytes; let inputs grow that far.
    cipher_decrypt | cipher_roundtrip) echo "-max_len=66000" ;;
    # A v1 mask reaches 65,535 characters.
    mask_decode) echo "-max_len=66000" ;;
    # A wrapper set reaches 8 + 512 x 106 bytes, 72,376 base64 characters.
    wrap_parse) echo "-max_len=73000" ;;
  esac
}

status=0
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target" "regressions/$target"
  mapfile -t opts < <(options "$target")
  log="$logdir/$target.log"
  # Which reference code the target runs: a digest of reference/src.
  reference="$(cat ../reference/src/*.rs | sha256sum | cut -c1-12)"
  echo "== fuzz $target (${seconds}s, reference $reference, $(date -u +%H:%M:%SZ))"
  if ! cargo +nightly fuzz run "$target" "corpus/$target" "regressions/$target" -- \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 "${opts[@]}" >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz: $target FAILED (reproducer under fuzz/artifacts/$target/)" >&2
    status=1
    if [ "$keep_going" -eq 1 ]; then continue; fi
    break
  fi
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  final="$(grep -E '^#[0-9]+' "$log" | tail -n 1)"
  cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$final")"
  ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$final")"
  corp="$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<<"$final")"
  echo "fuzz: $target ok: ${execs:-?} executions, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}, reference ${reference}"
done
exit "$status"
