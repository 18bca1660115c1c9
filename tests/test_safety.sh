#!/usr/bin/env bash
# tests/test_safety.sh - fqtrim refuses, before reading or creating anything,
# outputs that are one file (same path, "-" twice, a hard link) and an output
# that is an input (same path, a hard or symbolic link): exit 2, one line on
# stderr, the input untouched, no output created. A failed or killed run
# leaves existing targets as they were and no temporary file; an unwritable
# report fails before any input is read; paired input to one output is
# interleaved. Prints PASS/FAIL lines.
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
ln -s r1.fq r1.sym
refuse output-symlink-to-input "fqtrim: -o r1.sym is also IN1 r1.fq; refusing to overwrite an input" -o r1.sym r1.fq
refuse multiqc-is-output "fqtrim: -o x_mqc.json and --multiqc x_mqc.json are the same file; give each output its own" -o x_mqc.json --multiqc x_mqc.json r1.fq

# A failed run (record 301 is corrupt) leaves an existing target as it was,
# creates no new one, and leaves no temporary file: exit 1, the located error.
head -n 1200 r1.fq > bad.fq && printf '@broken\nACGT\n+\nII\n' >> bad.fq && tail -n +1201 r1.fq >> bad.fq
printf 'old contents\n' > keep.fq && cp keep.fq keep.orig
before=$(ls -a | sort | tr '\n' ' ')
"$B/fqtrim" -q 20 --no-name-check -o keep.fq -p new2.fq --json new_mqc.json bad.fq r2.fq 2> ../err; rc=$?
want="fqtrim: bad.fq: record 301, line 1204, byte"
if [ "$rc" = 1 ] && cmp -s keep.fq keep.orig && [ ! -e new2.fq ] && [ ! -e new_mqc.json ] &&
   [ "$(ls -a | sort | tr '\n' ' ')" = "$before" ] && grep -q "^$want" ../err && [ "$(wc -l < ../err)" = 1 ]
then echo "PASS failed-run-leaves-targets"
else echo "FAIL failed-run-leaves-targets: exit $rc, stderr '$(cat ../err)', files now: $(ls -a | tr '\n' ' ')"; failed=1; fi
# the same run on good input replaces the target (the check above is not vacuous)
"$B/fqtrim" -Q -q 20 -o keep.fq r1.fq && [ "$(wc -l < keep.fq)" = 2000 ] && echo "PASS good-run-replaces-target" ||
    { echo "FAIL good-run-replaces-target: $(wc -l < keep.fq) lines"; failed=1; }
rm -f keep.fq keep.orig bad.fq

# An unwritable --json or --multiqc fails before any input is read: the
# input is a FIFO nobody writes, so reading it would hang (timeout: 124).
mkfifo never
for opt in --json --multiqc; do
    timeout 20 "$B/fqtrim" -q 20 -o out.fq "$opt" no-dir/x_mqc.json never 2> ../err; rc=$?
    if [ "$rc" = 1 ] && [ ! -e out.fq ] && grep -q "^fqtrim: no-dir/x_mqc.json: " ../err && [ "$(wc -l < ../err)" = 1 ]
    then echo "PASS unwritable$opt-first"; else echo "FAIL unwritable$opt-first: exit $rc, '$(cat ../err)'"; failed=1; fi
done
rm -f never

# Paired input to one output is interleaved: mate 1, mate 2, mate 1, ...
"$B/fqtrim" -Q -q 20 --no-name-check -o p1.fq -p p2.fq r1.fq r2.fq && "$B/fqtrim" -Q -q 20 --no-name-check -o - r1.fq r2.fq > il.fq &&
    "$B/fqtrim" -Q -q 20 --no-name-check --interleaved-output -o il2.fq r1.fq r2.fq
paste -d '\n' <(paste - - - - < p1.fq) <(paste - - - - < p2.fq) | tr '\t' '\n' > il.want
if [ -s il.want ] && cmp -s il.fq il.want && cmp -s il2.fq il.want; then echo "PASS interleaved-output-order"
else echo "FAIL interleaved-output-order: $(wc -l < il.fq) / $(wc -l < il.want) lines"; failed=1; fi
rm -f p1.fq p2.fq il.fq il2.fq il.want

# A run killed by SIGTERM or SIGINT leaves no temporary file and no target.
"$B/fqgen" -n 400000 -s 9 > big.fq
for sig in TERM INT; do
    mkfifo slow
    { head -c 1000000 big.fq; sleep 30; } > slow &
    feeder=$!
    "$B/fqtrim" -Q -q 20 -o killed.fq slow 2> ../err &
    pid=$!
    sleep 1.5; kill -"$sig" "$pid"; wait "$pid"; rc=$?
    kill "$feeder" 2> /dev/null; wait "$feeder" 2> /dev/null
    rm -f slow
    left=$(ls -a | grep -c 'killed\|\.tmp$')
    if [ "$left" = 0 ] && [ "$rc" -gt 128 ]; then echo "PASS signal-$sig-no-temp"
    else echo "FAIL signal-$sig-no-temp: exit $rc, left: $(ls -a | tr '\n' ' ')"; failed=1; fi
done
rm -f big.fq
exit $failed
