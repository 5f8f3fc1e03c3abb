#!/usr/bin/env bash
# Builds the Debian package with CPack: build-package/schema_VERSION_ARCH.deb, its
# Depends taken from the shared libraries the binary links. With --check it
# then installs it with apt-get as a user would, runs the installed schema
# (--version, its man page, the demo on the bundled example) and removes it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
# Its own build tree without the tests, unless told to package one already
# built (SCHEMA_BUILD_DIR=build: test.sh, after the tests ran there).
build="${SCHEMA_BUILD_DIR:-build-package}"
if [ "$build" = build-package ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSCHEMA_TESTS=OFF > /dev/null
fi
cmake --build "$build" -j "$(nproc)"
rm -f "$build"/schema_*.deb
(cd "$build" && cpack -G DEB > /dev/null)
deb=$(ls "$build"/schema_*.deb)
echo "built $deb"
dpkg-deb --field "$deb" Depends
[ "${1:-}" = "--check" ] || exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "./$deb" > /dev/null
trap 'DEBIAN_FRONTEND=noninteractive $sudo apt-get remove -y -qq schema > /dev/null' EXIT
echo "installed: $(command -v schema)"
schema --version
man -w schema > /dev/null && man -w schema-diff > /dev/null
# Each completion where its shell looks on Debian.
for f in /usr/share/bash-completion/completions/schema /usr/share/zsh/vendor-completions/_schema \
         /usr/share/fish/vendor_completions.d/schema.fish; do
  [ -s "$f" ] || { echo "the package did not install $f"; exit 1; }
done
SCHEMA_BIN=/usr/bin/schema ./scripts/demo.sh > "$build/demo-installed.log" 2>&1 \
  || { cat "$build/demo-installed.log"; echo "the demo failed with the installed package"; exit 1; }
echo "the demo ran with the installed package ($(wc -l < "$build/demo-installed.log") lines of output)"
