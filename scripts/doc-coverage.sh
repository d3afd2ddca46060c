#!/usr/bin/env bash
# Checks that every public library item has rustdoc and a runnable example,
# and that `cargo doc` is warning-free. Prints rustdoc's coverage table.
#
#   scripts/doc-coverage.sh
#
# `--show-coverage` is an unstable rustdoc flag; RUSTC_BOOTSTRAP=1 lets the
# stable toolchain use it (as for cargo-fuzz). Both cargo commands run with
# it, so the dependencies are checked once, not once per setting.
set -euo pipefail
cd "$(dirname "$0")/.."

RUSTC_BOOTSTRAP=1 RUSTDOCFLAGS="-D warnings" cargo doc --quiet --no-deps --locked --workspace

# Both library crates: the schedule core and the cronport crate around it.
for package in cronport-core cronport; do
  json=$(RUSTC_BOOTSTRAP=1 cargo rustdoc --quiet --lib --locked --package "$package" -- \
    -Z unstable-options --show-coverage --output-format json)
  python3 - "$package" "$json" <<'PY'
import json, sys
package, files = sys.argv[1], json.loads(sys.argv[2])
total = sum(f["total"] for f in files.values())
documented = sum(f["with_docs"] for f in files.values())
want = sum(f["total_examples"] for f in files.values())
have = sum(f["with_examples"] for f in files.values())
print(f"rustdoc {package}: {documented}/{total} items documented, {have}/{want} with examples", file=sys.stderr)
missing = [name for name, f in sorted(files.items())
           if f["with_docs"] < f["total"] or f["with_examples"] < f["total_examples"]]
if missing:
    print("error: items without docs or examples in: " + ", ".join(missing), file=sys.stderr)
    print(f"  see: RUSTC_BOOTSTRAP=1 cargo rustdoc --lib -p {package} -- -Z unstable-options --show-coverage", file=sys.stderr)
    sys.exit(1)
PY
done
