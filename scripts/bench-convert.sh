#!/usr/bin/env bash
# Import + convert of 10,000 Heroku Scheduler jobs with the release binary:
# wall time and peak memory (max RSS) of each step, for BENCHMARKS.md.
#
#   scripts/bench-convert.sh [JOBS]
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${1:-10000}"
cargo build --quiet --release
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export_jobs() {
python3 - "$1" <<'PY'
import json, sys
n = int(sys.argv[1])
data = []
for i in range(n):
    every, at = [(10, 0), (60, (i % 6) * 10), (1440, (i % 48) * 30)][i % 3]
    data.append({"type": "jobs", "id": str(i), "attributes": {
        "command": f"bundle exec rake batch:task_{i} --shard {i % 17}",
        "dyno-size": ["Standard-1X", "Standard-2X", "Performance-M"][i % 3],
        "every": every, "at": at}})
print(json.dumps({"data": data}))
PY
}
export_jobs "$jobs" > "$dir/jobs.json"
# One CloudFormation stack holds at most 500 resources (the schedule group
# is one): the CloudFormation figure is for the largest stack, 499 jobs.
export_jobs 499 > "$dir/stack.json"
measure() {
  # GNU time when present; otherwise bash's own timer (no memory figure).
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f "%e s wall, %M KiB max RSS" "$@"
  else
    local start=$(date +%s.%N); "$@"; echo "$(echo "$(date +%s.%N) - $start" | bc) s wall" >&2
  fi
}
flags=(--cluster c --task-definition t --container w --role-arn arn:aws:iam::123456789012:role/r --subnet subnet-1)
echo "import heroku ($jobs jobs):" >&2
measure target/release/cronport import heroku "$dir/jobs.json" "${flags[@]}" -o "$dir/cronport.toml"
target/release/cronport import heroku "$dir/stack.json" "${flags[@]}" -o "$dir/stack.toml" 2>/dev/null
for format in json terraform; do
  echo "convert --format $format ($jobs jobs, verified to the end of next year):" >&2
  measure target/release/cronport convert "$dir/cronport.toml" --format "$format" --from 2026-11-24T00:00:00Z -o "$dir/out.$format"
done
echo "convert --format cloudformation (499 jobs, one stack's worth):" >&2
measure target/release/cronport convert "$dir/stack.toml" --format cloudformation --from 2026-11-24T00:00:00Z -o "$dir/out.cloudformation"
