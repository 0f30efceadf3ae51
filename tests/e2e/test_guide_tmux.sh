#!/bin/sh
# test_guide_tmux.sh - the real terminal experience of `pftriage guide`: runs it in a
# detached tmux session, answers with send-keys and reads the screen with capture-pane:
# the menu on mail-stuck-hold (final cause queue-on-hold), then questions with why and
# back on mail-loop / slow-delivery. It does not test the reasoning (the Catch2 guide tests do).
#   usage: test_guide_tmux.sh PFTRIAGE_BINARY SOURCE_DIR
set -eu
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$(cd "$2" && pwd)
command -v tmux >/dev/null 2>&1 || { echo "SKIP: tmux is not installed (scripts/deps.sh test)"; exit 77; }
work=$(mktemp -d)
sock="$work/tmux.sock"
sess="pftguide$$"
cleanup() { tmux -S "$sock" kill-server 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM

screen() { tmux -S "$sock" capture-pane -p -J -S -200 -t "$sess"; }
# wait_for TEXT [SECONDS]: until the screen shows TEXT.
wait_for() {
    n=0
    while ! screen | grep -qF -- "$1"; do
        n=$((n + 1))
        if [ "$n" -gt $((${2:-20} * 10)) ]; then
            echo "FAIL: the screen never showed: $1"; echo "----- screen -----"; screen; exit 1
        fi
        sleep 0.1
    done
}

cd "$work"
tmux -S "$sock" new-session -d -s "$sess" -x 160 -y 50 \
    "env TERM=xterm-256color NO_COLOR=1 '$bin' guide --from '$src/examples/bundles/mail-stuck-hold' --transcript '$work/t.md'; echo \"[exit \$?]\"; sleep 30"
wait_for "What is the problem?"
# A word the menu does not know first, then free words.
tmux -S "$sock" send-keys -t "$sess" "zzzz" Enter
wait_for "Please type its number"
tmux -S "$sock" send-keys -t "$sess" "mail is stuck in the queue" Enter
wait_for "Most likely causes now:"
# Any question the guide asks is answered "don't know" until it finishes.
i=0
while ! screen | grep -q '^\[exit '; do
    i=$((i + 1))
    [ "$i" -le 20 ] || { echo "FAIL: the session did not end"; screen; exit 1; }
    if screen | grep -v '^ *$' | tail -n 1 | grep -q '^> *$'; then tmux -S "$sock" send-keys -t "$sess" "dont know" Enter; fi
    sleep 0.3
done
out=$(screen)
echo "$out" | grep -q "Done: " || { echo "FAIL: no end of session"; echo "$out"; exit 1; }
echo "$out" | grep -q "queue-on-hold" || { echo "FAIL: final cause is not queue-on-hold"; echo "$out"; exit 1; }
echo "$out" | grep -q '^\[exit [0-3]\]' || { echo "FAIL: exit status is not 0-3"; echo "$out"; exit 1; }
[ -f "$work/t.md" ] || { echo "FAIL: no transcript"; exit 1; }
grep -q "queue-on-hold" "$work/t.md" || { echo "FAIL: transcript lacks the cause"; exit 1; }
echo "PASS: guide in tmux reached queue-on-hold"

# Second session: real questions answered on the terminal, with why and back.
tmux -S "$sock" kill-server 2>/dev/null || true
sock="$work/tmux2.sock" # a fresh server: the first one may still be shutting down
tmux -S "$sock" new-session -d -s "$sess" -x 160 -y 50 \
    "env TERM=xterm-256color NO_COLOR=1 '$bin' guide --from '$src/examples/bundles/mail-loop' --symptom slow-delivery --no-transcript; echo \"[exit \$?]\"; sleep 30"
wait_for "Question 1: From this server, can you reach port 25"
tmux -S "$sock" send-keys -t "$sess" "why" Enter
wait_for 'If you answer "times-out"'
tmux -S "$sock" send-keys -t "$sess" "3" Enter
wait_for "Question 2:"
tmux -S "$sock" send-keys -t "$sess" "back" Enter
wait_for "Took back the last answer."
tmux -S "$sock" send-keys -t "$sess" "times-out" Enter
wait_for "Question 2:"
tmux -S "$sock" send-keys -t "$sess" "yes" Enter
wait_for "[exit "
out=$(screen)
echo "$out" | grep -q "Done: one cause is clearly ahead (2 questions answered)" || { echo "FAIL: second session"; echo "$out"; exit 1; }
echo "$out" | grep -q "outbound-port25-blocked" || { echo "FAIL: final cause is not outbound-port25-blocked"; echo "$out"; exit 1; }
echo "PASS: guide in tmux answered questions (why, back) and reached outbound-port25-blocked"
