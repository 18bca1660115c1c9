#!/usr/bin/env bash
# tests/test_safety.sh - fqtrim refuses, before reading or creating anything,
# outputs that are one file (same path, "-" twice, a hard link) and an output
# that is an input (same path, a hard link): exit 2, one line on stderr, the
# input untouched, no output created. Prints PASS/FAIL lines.
set -u
B=$(cd "${FQP_BUILD:-build}" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fqp-safety.XXXXXX") || { echo "FAIL setup: mktemp"; exit 1; }
trap 'rm -rf "$tmp"' EXIT
failed=0
mkdir "$tmp/d" && cd "$tmp/d" || exit 1
"$B/fqgen" -n 500 -s 3 > r1.fq && "$B/fqgen" -n 500 -s 4 > r2.fq && cp r1.fq r1.orig && ln r1.fq r1.hard
refuse() { # refuse NAME WANT ARGS...: exit 2, exactly WANT on stderr, nothing new in the directory
    local name=$1 want=$2; shift 2
    local before; before=$(ls | sort | tr '\n' ' ')
    "$B/fqtrim" -q 20 "$@" > ../out 2> ../err; rc=$?
    rm -f ../out
    if [ "$rc" = 2 ] && [ "$(cat ../err)" = "$want" ] && [ "$(ls | sort | tr '\n' ' ')" = "$before" ] && cmp -s r1.fq r1.orig
    then echo "PASS $name"; else echo "FAIL $name: exit $rc, stderr '$(cat ../err)'"; failed=1; fi
    rm -f ../err
}
refuse same-path "fqtrim: -o same.fq and -p same.fq are the same file; give each output its own" -o same.fq -p same.fq r1.fq r2.fq
refuse stdout-twice "fqtrim: -o - and -p - are the same stream (stdout); give each output its own" -o - -p - r1.fq r2.fq
refuse output-is-input "fqtrim: -o r1.fq is also IN1 r1.fq; refusing to overwrite an input" -o r1.fq r1.fq
refuse output-hard-link-of-input "fqtrim: -o r1.hard is also IN1 r1.fq; refusing to overwrite an input" -o r1.hard r1.fq
refuse json-is-output "fqtrim: -o - and --json - are the same stream (stdout); give each output its own" -o - --json - r1.fq
exit $failed
