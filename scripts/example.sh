#!/usr/bin/env bash
# The bundled example, offline: import a Heroku Scheduler export of a
# lost-item tag service into a manifest, then convert it to Terraform.
#
#   scripts/example.sh [json|cloudformation|terraform]
set -euo pipefail
cd "$(dirname "$0")/.."
format="${1:-terraform}"
# The light build (no AWS SDK, no async runtime: --no-default-features):
# import and convert are offline, and it builds in a fraction of the full
# build's time. Its own target directory, so the full build's binary that
# the tests run is never replaced by it.
CARGO_TARGET_DIR=target/light cargo build --quiet --locked --no-default-features --bin cronport
bin=target/light/debug/cronport
manifest=$(mktemp -t cronport-example-XXXXXX.toml)
trap 'rm -f "$manifest"' EXIT
echo "### cronport import heroku examples/heroku/jobs.json …" >&2
"$bin" import heroku examples/heroku/jobs.json \
  --cluster mamorio-production \
  --task-definition mamorio-worker \
  --container worker \
  --role-arn arn:aws:iam::123456789012:role/cronport-scheduler \
  --subnet subnet-0a1b2c3d4e5f60718 --subnet subnet-0f1e2d3c4b5a69788 \
  --security-group sg-0123456789abcdef0 \
  --schedule-group mamorio \
  -o "$manifest" --force
cat "$manifest"
echo >&2
echo "### cronport convert --format $format" >&2
"$bin" convert "$manifest" --format "$format" --from 2026-11-24T00:00:00Z
