#!/bin/sh
# test.sh - installs everything the tests need, builds with -Wall -Wextra (warnings
# are errors here), and runs every test: Catch2 unit tests, the knowledge base's
# own tests and lint, end-to-end runs on the shipped bundles, and the fault lab
# (real Postfix and nsd instances on loopback; needs root).
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh test
CMAKE_ARGS="-DCMAKE_CXX_FLAGS=-Werror ${CMAKE_ARGS:-}" sh scripts/build.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j2 --timeout 900
