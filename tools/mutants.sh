#!/usr/bin/env bash
# Mutation testing of the reference with hand-written mutations
# (tools/mutants.txt): each mutation is applied alone to a copy of the tree,
# the reference adapter is built from that copy, and the vectors and the
# client scenarios are run through a harness built from the clean tree. A
# mutation is caught when either run fails; the known survivors, each with
# the reason it is equivalent, are listed in tools/mutants-survivors.txt.
#
# Usage: tools/mutants.sh [--ci] [--check] [ID ...]
#   --ci     only the mutations marked `:ci` in mutants.txt (one per area)
#   --check  only check that every substitution still applies (no build)
#   ID     only these mutations
# Exit status 1 when a mutation not listed as a survivor survives, or a
# listed survivor is caught (the list is then out of date), or a mutation no
# longer applies.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

ci=0
check=0
only=()
for a in "$@"; do
  case "$a" in
    --ci) ci=1 ;;
    --check) check=1 ;;
    *) only+=("$a") ;;
  esac
done

work=${MUTANTS_DIR:-"$root/target/mutants"}
mkdir -p "$work"
started=$(date +%s)

if [ "$check" = 0 ]; then
  echo "== clean harness"
  cargo build --release -p openslots-harness --bin openslots-harness --locked --quiet
fi
harness="$root/target/release/openslots-harness"

echo "== copy of the tree in $work/tree"
rm -rf "$work/tree"
mkdir -p "$work/tree"
git ls-files -z --cached --others --exclude-standard \
  | grep -zv '^fuzz/' \
  | (tar --null -T - -cf - 2>/dev/null) | tar -xf - -C "$work/tree"
# The copy builds into the clean tree's target directory, so the registry
# crates are shared and only the workspace crates of the copy are compiled;
# its adapter binary replaces the clean one, which is rebuilt at the end.
export CARGO_TARGET_DIR="$root/target"

survivors="$root/tools/mutants-survivors.txt"
known() { grep -q "^$1 " "$survivors" 2>/dev/null; }

caught=0
survived=0
bad=0
printf '%-29s %-10s %-9s %6s  %s\n' mutation area result time note
while IFS= read -r line; do
  case "$line" in '#'* | '') continue ;; esac
  # Columns are separated by " | " (a lone "|" inside a substitution, such
  # as a closure's `\|p\|`, is not a separator).
  IFS=$'\t' read -r id area file subst what <<<"$(printf '%s\n' "$line" | sed 's/ | /\t/g')"
  id=$(echo "$id" | xargs); area=$(echo "$area" | xargs); file=$(echo "$file" | xargs)
  subst=$(echo "$subst" | sed 's/^ *//; s/ *$//'); what=$(echo "$what" | sed 's/^ *//')
  if [ "$ci" = 1 ] && [[ "$area" != *:ci ]]; then continue; fi
  if [ "${#only[@]}" -gt 0 ] && ! printf '%s\n' "${only[@]}" | grep -qx "$id"; then continue; fi
  target="$work/tree/$file"
  cp "$root/$file" "$target"
  perl -0pi -e "$subst" "$target"
  if cmp -s "$root/$file" "$target"; then
    printf '%-29s %-10s %-9s %s\n' "$id" "${area%:ci}" stale "the substitution no longer applies"
    bad=$((bad + 1))
    continue
  fi
  if [ "$check" = 1 ]; then
    cp "$root/$file" "$target"
    printf '%-29s %-10s %-9s %s\n' "$id" "${area%:ci}" applies "$what"
    continue
  fi
  result=survived
  t0=$(date +%s)
  if ! (cd "$work/tree" && cargo build --release -p openslots-adapter --locked --quiet 2>"$work/$id.build.log"); then
    result=caught
    note="does not build"
  else
    adapter="$root/target/release/openslots-adapter"
    note=""
    if ! "$harness" vectors --adapter "$adapter" >"$work/$id.vectors.log" 2>&1; then
      result=caught
      note="vectors"
    fi
    # In --ci mode a mutation caught by the vectors is not run through the
    # scenarios (the full run shows every layer that catches it).
    if [ "$ci" = 1 ] && [ "$result" = caught ]; then
      :
    elif ! "$harness" client --no-skip --adapter "$adapter" >"$work/$id.client.log" 2>&1; then
      result=caught
      note="${note:+$note, }scenarios"
    fi
  fi
  cp "$root/$file" "$target"
  if [ "$result" = caught ]; then
    caught=$((caught + 1))
    if known "$id"; then
      note="$note (listed as a survivor: update mutants-survivors.txt)"
      bad=$((bad + 1))
    fi
  else
    survived=$((survived + 1))
    if known "$id"; then
      note="known: $(grep "^$id " "$survivors" | cut -d' ' -f2-)"
    else
      note="NOT A KNOWN SURVIVOR: $what"
      bad=$((bad + 1))
    fi
  fi
  printf '%-29s %-10s %-9s %4s s  %s\n' "$id" "${area%:ci}" "$result" "$(( $(date +%s) - t0 ))" "$note"
done <"$root/tools/mutants.txt"

if [ "$check" = 1 ]; then
  echo "stale $bad"
  [ "$bad" = 0 ]
  exit
fi
unset CARGO_TARGET_DIR
cargo build --release -p openslots-adapter --locked --quiet
echo "caught $caught, survived $survived, problems $bad, in $(( $(date +%s) - started )) s"
[ "$bad" = 0 ]
