#!/usr/bin/env bash
# Runs every test program given as arguments, prints their PASS/FAIL/SKIP lines,
# and ends with "N passed, M failed". A program that crashes or exits nonzero
# without printing FAIL counts as one failure, so a crash can never pass.
# RUN_WRAP, if set, is a command that runs each program (make valgrind).
set -u
passed=0; failed=0; skipped=0
failures=""   # repeated at the end, so that a log's tail names what failed
for prog in "$@"; do
    out=$(${RUN_WRAP:-} "$prog" 2>&1); rc=$?  # RUN_WRAP: e.g. valgrind
    printf '%s\n' "$out" | sed "s|^|[$(basename "$prog")] |"
    p=$(printf '%s\n' "$out" | grep -c '^PASS ')
    f=$(printf '%s\n' "$out" | grep -c '^FAIL ')
    s=$(printf '%s\n' "$out" | grep -c '^SKIP ')
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
    if [ "$f" -gt 0 ]; then
        failures+=$(printf '%s\n' "$out" | grep '^FAIL ' | sed "s|^|[$(basename "$prog")] |")$'\n'
    fi
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "[$(basename "$prog")] FAIL: exited with status $rc"
        failures+="[$(basename "$prog")] FAIL: exited with status $rc"$'\n'
        failed=$((failed + 1))
    fi
done
echo "$skipped skipped"
[ -n "$failures" ] && printf 'failures:\n%s' "$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
