#!/bin/sh
# demo.sh - sets up pftriage and runs the main job: a triage of "mail stuck".
# On a host with a running Postfix it examines the host itself (read-only);
# elsewhere it analyses a shipped evidence bundle of a real broken server.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh build
sh scripts/build.sh
if command -v postconf >/dev/null 2>&1 && postfix status >/dev/null 2>&1; then
    echo "== live triage of this host =="
    exec ./build/cli/pftriage --symptom "mail stuck" "$@"
fi
echo "== no running Postfix here: triage of the example bundle examples/bundles/mail-stuck-relayhost =="
set +e
./build/cli/pftriage --symptom "mail stuck" --from examples/bundles/mail-stuck-relayhost "$@"
code=$?
echo "(exit status $code: 0 nothing at warning level, 1 warning, 2 critical - see README)"
[ $code -le 2 ] && exit 0
exit $code
