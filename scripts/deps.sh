#!/usr/bin/env bash
# Install the Debian packages redis-medic needs to build and test, when missing.
# Idempotent and quiet when everything is present. Needs root (or sudo) only
# when something is actually missing.
set -euo pipefail
pkgs=(gcc make pkg-config libc6-dev
      libhiredis-dev libssl-dev libuv1-dev libjansson-dev libyaml-dev
      libpcre2-dev libsqlite3-dev zlib1g-dev libzstd-dev libvectorscan-dev
      redis-server redis-tools openssl jq nftables iproute2 procps
      clang bc ripgrep time zstd gzip
      cppcheck clang-tidy valgrind sqlite3)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's redis-server package may start a system instance on 6379; our tests
# use their own ports and never touch it.
