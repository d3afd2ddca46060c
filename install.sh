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
to="${CRONPORT_INSTALL_DIR:-${HOME:-}/.local/bin}"

say() { printf 'install.sh: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
# Exit 3: no release binary to be had here (an unknown platform, a
# download that fails); 1: anything else, such as a sum that does not match.
unavailable() { say "error: $*"; exit 3; }

while [ $# -gt 0 ]; do
  case "$1" in
    --version) [ $# -ge 2 ] || die "--version takes a tag, such as v0.2.0"; version="$2"; shift 2 ;;
    --to) [ $# -ge 2 ] || die "--to takes a directory"; to="$2"; shift 2 ;;
    -h | --help)
      printf '%s\n' "install.sh [--version vX.Y.Z] [--to DIR]: installs cronport from a GitHub release," \
        "after checking the archive's SHA-256 sum. Environment: CRONPORT_VERSION, CRONPORT_INSTALL_DIR," \
        "CRONPORT_DOWNLOAD_URL (a mirror), CRONPORT_TARGET (a target triple)."
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
    *) unavailable "no cronport binary for $(uname -s) $(uname -m); build one: cargo install --locked cronport" ;;
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

[ -n "${to}" ] || die "no directory to install into: pass --to DIR (HOME is not set)"
[ ! -d "${to}/cronport" ] || die "${to}/cronport is a directory: not replaced"
if [ -n "${CRONPORT_DOWNLOAD_URL:-}" ] && [ "${version}" != "latest" ]; then
  say "note: --version is not used with CRONPORT_DOWNLOAD_URL (the mirror serves one release)"
fi

archive="cronport-${target}.tar.gz"
work="$(mktemp -d)"
staged=""
cleanup() { rm -rf "${work}"; [ -z "${staged}" ] || rm -f "${staged}"; }
trap cleanup EXIT
trap 'cleanup; exit 130' HUP INT TERM PIPE

say "downloading ${base}/${archive}"
fetch "${base}/${archive}" "${work}/${archive}" || unavailable "cannot download ${base}/${archive}"
fetch "${base}/${archive}.sha256" "${work}/${archive}.sha256" ||
  unavailable "cannot download ${base}/${archive}.sha256: without the sum the archive is not installed"

expected="$(cut -d ' ' -f 1 "${work}/${archive}.sha256" | tr -d '\r\n')"
actual="$(sum_of "${work}/${archive}")"
case "${expected}" in
  *[!0-9a-f]* | "") die "${archive}.sha256 does not start with a SHA-256 sum (64 lowercase hexadecimal digits)" ;;
esac
[ "${#expected}" -eq 64 ] || die "${archive}.sha256 does not start with a SHA-256 sum (64 lowercase hexadecimal digits)"
if [ "${expected}" != "${actual}" ]; then
  die "${archive}'s SHA-256 is ${actual}, but the release says ${expected}: not installed"
fi

tar xzf "${work}/${archive}" -C "${work}" || die "cannot unpack ${archive} (not a tar.gz archive, or an unsafe entry)"
binary="${work}/cronport-${target}/cronport"
# A regular file, not a link to something else on this machine.
if [ ! -f "${binary}" ] || [ -L "${binary}" ]; then
  die "${archive} holds no regular file cronport-${target}/cronport"
fi
chmod 755 "${binary}"
installed="$("${binary}" --version 2>/dev/null)" || die "cronport-${target}/cronport does not run on this machine: not installed"
mkdir -p "${to}" || die "cannot make the directory ${to}"
# Written beside under a fresh name, then renamed: a running cronport is
# never half replaced, and no planted file is written through.
staged="$(mktemp "${to}/.cronport.XXXXXX")" || die "cannot write in ${to}"
cp "${binary}" "${staged}" || die "cannot write in ${to}"
chmod 755 "${staged}"
mv -f "${staged}" "${to}/cronport" || die "cannot replace ${to}/cronport"
staged=""
say "installed ${installed} to ${to}/cronport"
case ":${PATH}:" in
  *":${to}:"*) ;;
  *) say "${to} is not on your PATH; add it: export PATH=\"${to}:\$PATH\"" ;;
esac
