#!/usr/bin/env bash
# The bundled example, offline: import a Heroku Scheduler export of a
# lost-item tag service into a manifest, then convert it to Terraform.
#
#   scripts/example.sh [json|cloudformation|terraform]
set -euo pipefail
cd "$(dirname "$0")/.."
format="${1:-terraform}"
# A debug build: the example is small, and scripts/test.sh reuses the build.
cargo build --quiet --locked
bin=target/debug/cronport
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
