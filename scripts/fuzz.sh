#!/usr/bin/env bash
# Runs every cargo-fuzz target for a while (default 60 s each; the release
# runs use 600) and prints executions and coverage for BENCHMARKS.md.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET [TARGET...]]
#
# cargo-fuzz needs nightly features; RUSTC_BOOTSTRAP=1 lets the stable
# toolchain provide them.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "installing cargo-fuzz (cargo install cargo-fuzz)…" >&2
  cargo install cargo-fuzz || { echo "error: could not install cargo-fuzz; install it and rerun" >&2; exit 1; }
fi
export RUSTC_BOOTSTRAP=1
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo fuzz list)
for target in "${targets[@]}"; do
  # Work on a scratch copy so the committed corpus keeps only the seeds.
  work="fuzz/target/corpus-$target"
  mkdir -p "$work"
  cp fuzz/corpus/"$target"/* "$work"/ 2>/dev/null || true
  echo "== $target: ${seconds}s" >&2
  cargo fuzz run "$target" "$work" -- -max_total_time="$seconds" 2>&1 \
    | tee "fuzz/target/$target.log" \
    | grep -E '^#[0-9]+\s+(DONE|INITED)' || true
  done_line=$(grep -E '^#[0-9]+\s+DONE' "fuzz/target/$target.log" | tail -1)
  echo "$target: $done_line"
done
