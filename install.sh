#!/bin/sh
# Installs cronport from a GitHub release, after checking the archive's
# SHA-256 sum against the one published beside it.
#
#   curl -fsSL https://github.com/cronport/cronport/releases/latest/download/install.sh | sh
#   sh install.sh --version v0.2.0 --to /usr/local/bin
#
# Environment: CRONPORT_VERSION (a tag, default latest), CRONPORT_INSTALL_DIR
# (default ~/.local/bin), CRONPORT_DOWNLOAD_URL (where the archives are: a
# mirror; default the release's page on GitHub), CRONPORT_TARGET (the
# target triple; default this machine's).
set -eu

repo="cronport/cronport"
version="${CRONPORT_VERSION:-latest}"
to="${CRONPORT_INSTALL_DIR:-${HOME}/.local/bin}"

say() { printf 'install.sh: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --version) [ $# -ge 2 ] || die "--version takes a tag, such as v0.2.0"; version="$2"; shift 2 ;;
    --to) [ $# -ge 2 ] || die "--to takes a directory"; to="$2"; shift 2 ;;
    -h | --help)
      sed -n '2,13p' "$0" 2>/dev/null | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown argument \`$1\` (try --help)" ;;
  esac
done

if [ -n "${CRONPORT_TARGET:-}" ]; then
  target="${CRONPORT_TARGET}"
else
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64 | Linux-amd64) target="x86_64-unknown-linux-musl" ;;
    Linux-aarch64 | Linux-arm64) target="aarch64-unknown-linux-musl" ;;
    Darwin-x86_64) target="x86_64-apple-darwin" ;;
    Darwin-arm64) target="aarch64-apple-darwin" ;;
    *) die "no cronport binary for $(uname -s) $(uname -m); build one: cargo install --locked cronport" ;;
  esac
fi

if [ -n "${CRONPORT_DOWNLOAD_URL:-}" ]; then
  base="${CRONPORT_DOWNLOAD_URL%/}"
elif [ "${version}" = "latest" ]; then
  base="https://github.com/${repo}/releases/latest/download"
else
  base="https://github.com/${repo}/releases/download/${version}"
fi

fetch() { # URL FILE
  if command -v curl >/dev/null 2>&1; then
    curl --proto '=https,http' -fsSL "$1" -o "$2"
  elif command -v wget >/dev/null 2>&1; then
    wget -q "$1" -O "$2"
  else
    die "neither curl nor wget is installed"
  fi
}

sum_of() { # FILE
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d ' ' -f 1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d ' ' -f 1
  else
    die "neither sha256sum nor shasum is installed, so the download cannot be checked"
  fi
}

archive="cronport-${target}.tar.gz"
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT INT TERM

say "downloading ${base}/${archive}"
fetch "${base}/${archive}" "${work}/${archive}" || die "cannot download ${base}/${archive}"
fetch "${base}/${archive}.sha256" "${work}/${archive}.sha256" ||
  die "cannot download ${base}/${archive}.sha256: without the sum the archive is not installed"

expected="$(cut -d ' ' -f 1 "${work}/${archive}.sha256" | tr -d '\r\n')"
actual="$(sum_of "${work}/${archive}")"
case "${expected}" in
  *[!0-9a-f]* | "") die "${archive}.sha256 holds no SHA-256 sum" ;;
esac
[ "${#expected}" -eq 64 ] || die "${archive}.sha256 holds no SHA-256 sum"
if [ "${expected}" != "${actual}" ]; then
  die "${archive}'s SHA-256 is ${actual}, but the release says ${expected}: not installed"
fi

tar xzf "${work}/${archive}" -C "${work}" || die "${archive} is not a tar.gz archive"
binary="${work}/cronport-${target}/cronport"
[ -f "${binary}" ] || die "${archive} holds no cronport-${target}/cronport"
mkdir -p "${to}"
# Written beside, then renamed: a running cronport is never half replaced.
cp "${binary}" "${to}/.cronport.new"
chmod 755 "${to}/.cronport.new"
mv -f "${to}/.cronport.new" "${to}/cronport"
say "installed $("${to}/cronport" --version 2>/dev/null || echo cronport) to ${to}/cronport"
case ":${PATH}:" in
  *":${to}:"*) ;;
  *) say "${to} is not on your PATH; add it: export PATH=\"${to}:\$PATH\"" ;;
esac
