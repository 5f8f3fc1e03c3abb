#!/usr/bin/env bash
# Installs the Debian packages the build, the tests and the example need, if any
# is missing (apt-get, as root or through sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libsqlite3-dev libboost-dev libfmt-dev libcli11-dev doctest-dev
  libssl-dev nlohmann-json3-dev libtomlplusplus-dev
  libgraphviz-dev            # schema erd: SVG laid out by Graphviz
  sqlite3 sqlite3-tools
  git                        # repair and rebase read the history (and their tests make repositories)
  clang libclang-rt-14-dev   # the parser's libFuzzer target
)
if [ "${1:-}" = "--bench" ]; then packages+=(hyperfine python3); fi
# the test that renders schema erd's SVG; man for the installed man pages
if [ "${1:-}" = "--test" ]; then packages+=(chromium man-db); fi
if [ "${1:-}" = "--npm" ]; then packages=(npm); fi  # for wrangler (D1 tests), when node is not there

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
