#!/bin/sh
# deps.sh - installs what pftriage needs from Debian 12's packages (run as root).
#   sh scripts/deps.sh build   the libraries and tools to build and run pftriage
#   sh scripts/deps.sh test    the same plus what the tests and the fault lab start
#                              (Postfix 3.7, nsd, swaks, openssl, dig, python3, tmux, clang for the
#                              libFuzzer and sanitizer pass, strace for the read audits; chromium,
#                              ansible-core, bash-completion for the ecosystem tests)
# It never configures or starts the system's Postfix: the lab runs its own instances.
set -eu
mode=${1:-build}
build_pkgs="build-essential cmake pkg-config ca-certificates
  libyaml-cpp-dev libboost-graph-dev libcli11-dev libspdlog-dev catch2
  nlohmann-json3-dev libre2-dev libldns-dev libssl-dev libarchive-dev zlib1g-dev libyaml-dev"
test_pkgs="postfix nsd swaks openssl dnsutils iproute2 python3 procps tmux pflogsumm clang strace util-linux
  bash-completion man-db systemd ansible-core chromium dovecot-core"
# dovecot-core: the fault lab's SASL backend (its auth service only, run from a temp dir).
# Where services may start, the package starts a system dovecot with no protocol (no listener).
# clang: the sanitizer/fuzz build; strace: the hostile-input test proves nothing outside a bundle is read.
# chromium (HTML screenshot test, label slow) took 54 s to install here, ansible-core 41 s.

missing() {
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
    done
}

pkgs="$build_pkgs"
[ "$mode" = test ] && pkgs="$pkgs $test_pkgs"
# shellcheck disable=SC2086
need=$(missing $pkgs)
if [ -n "$need" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "deps.sh: these packages are missing and installing them needs root:" $need >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    # Postfix's installer must not ask questions nor configure the host as a mail server.
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections 2>/dev/null || true
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $need
fi
echo "deps.sh: all $mode dependencies are installed"
