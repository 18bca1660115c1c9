#!/usr/bin/env bash
# tests/test_device_check.sh - tests/gpu/device-check.sh, the script a GPU
# machine runs, checked here by its dry run (the fake driver, tiny inputs, no
# make test): it exits 0 and writes report.md under OUT with every section, a
# PASS for every GPU-vs-CPU comparison (the k-mer one PASS, or SKIP while
# build/gpu_kmer does not exist), and numbers in the throughput and scaling
# tables; and a GPU path that prints other bytes than the CPU (a wrapped
# fqstats in a build directory of links) is a FAIL row and exit status 1.
# Prints PASS/FAIL lines; exits nonzero on a failure.
# shellcheck disable=SC2015 # "check && pass || fail": pass cannot fail
set -u
cd "$(dirname "$0")/.." || exit 1
B=${FQP_BUILD:-build}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fqp-devchk-test.XXXXXX") || { echo "FAIL setup: mktemp"; exit 1; }
trap 'rm -rf "$tmp"' EXIT
failed=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1${2:+: $2}"; failed=$((failed + 1)); }
R=$tmp/ok/report.md
sec() { awk -v h="## $1." 'index($0, h) == 1 { f = 1; next } /^## / { f = 0 } f' "$R"; } # section N's text

# ---- the dry run ----
OUT=$tmp/ok FQP_BUILD=$B timeout 300 tests/gpu/device-check.sh --dry-run >"$tmp/ok.log" 2>&1
rc=$?
if [ "$rc" = 0 ]; then pass dry-run-exit-0
else fail dry-run-exit-0 "exit $rc: $(grep -m3 'FAIL' "$tmp/ok.log" | tr '\n' ' ')"; fi
if [ ! -s "$R" ]; then
    fail report-written "no $R"
    sed 's/^/  /' "$tmp/ok.log" | tail -20
    exit 1
fi
pass report-written
missing=""
for h in "## 1. Host facts" "## 2. Build and make test" "## 3. Correctness: GPU vs CPU" "## 4. GPU throughput" \
    "## 5. CPU scaling and k-mer GPU vs CPU" "| step | result | seconds | notes |"; do
    grep -qxF "$h" "$R" || missing="$missing '$h'"
done
[ -z "$missing" ] && pass report-sections || fail report-sections "missing$missing"
for i in 1 2 3 4 5; do
    grep -qE "^\| $i\. [^|]+ \| (PASS|FAIL|SKIP)[^|]* \| [0-9.]+ \|" "$R" || missing="$missing step-$i"
done
[ -z "$missing" ] && pass report-step-rows || fail report-step-rows "no result or seconds for$missing"
sec 1 | grep -q '^| nproc | [0-9][0-9]* |$' && sec 1 | grep -q '^| date -u | 20' && pass host-facts ||
    fail host-facts "no nproc or date row"
sec 2 | grep -q '^| make test | SKIP | - | dry run' && pass make-test-skipped || fail make-test-skipped "$(sec 2 | grep 'make test')"
sec 2 | grep -q '^| make -j[0-9]* all | PASS |' && pass build-row || fail build-row "$(sec 2 | grep 'all |')"

# every comparison ran on the fake GPU and passed: 12 fqstats, 4 fqtrim, 2 gpu_prefix_sum, 2 gpu_kmer
rows=$(sec 3 | grep -E '^\| (fqstats|fqtrim|gpu_prefix_sum|gpu_kmer)')
n_pass=$(printf '%s\n' "$rows" | grep -c '| PASS |')
n_fail=$(printf '%s\n' "$rows" | grep -vc '| PASS |')
if [ "$n_pass" = 20 ] && [ "$n_fail" = 0 ] &&
    [ "$(printf '%s\n' "$rows" | grep '^| fqstats' | grep -c '| PASS |')" = 12 ] &&
    [ "$(printf '%s\n' "$rows" | grep '^| fqtrim' | grep -c '| PASS |')" = 4 ] &&
    [ "$(printf '%s\n' "$rows" | grep '^| gpu_prefix_sum' | grep -c '| PASS |')" = 2 ]; then
    pass correctness-all-pass
else
    fail correctness-all-pass "$n_pass PASS, $n_fail other: $(printf '%s\n' "$rows" | grep -v '| PASS |' | head -3 | tr '\n' ' ')"
fi
# gpu_kmer is one of the examples: both its comparisons run and pass
[ "$(printf '%s\n' "$rows" | grep '^| gpu_kmer' | grep -c '| PASS |')" = 2 ] && pass kmer-checks ||
    fail kmer-checks "$(printf '%s\n' "$rows" | grep '^| gpu_kmer' | tr '\n' ' ')"
sec 3 | grep -q '^The GPU path, .*GPU path: .*(Fake GPU 0, compute ' && pass fake-device-named || fail fake-device-named "no mention of the fake device"

# throughput: a row per GPU consumer with numbers (1 + 2 consumers short, 1 long)
num='[0-9]+(\.[0-9]+)?'
tp=$(sec 4 | grep -E "^\| (short|long), [12] GPU consumer\(s\) \| [0-9]+ \| [0-9]+ \| [0-9]+ \| $num \| $num \| $num \| $num \| [0-9]+ \| $num \| $num \| n/a")
[ "$(printf '%s\n' "$tp" | grep -c .)" = 4 ] && pass throughput-numbers ||
    fail throughput-numbers "$(printf '%s\n' "$tp" | grep -c .) rows of 4: $(sec 4 | grep -m2 'consumer(s) |' | tr '\n' ' ')"
sec 4 | grep -qE "^\| short, 2 GPU consumer\(s\) \| $num \| [0-9]+ \| $num \| [0-9]+%? \| 2 \|$" && pass two-gpu-consumers ||
    fail two-gpu-consumers "$(sec 4 | grep 'short, 2 GPU consumer(s) | [0-9.]* | [0-9]* |')"

# scaling: plain and BGZF at 1 and 2 threads, each with a median and GB/s
sc=$(sec 5 | grep -E "^\| (plain|bgzf) \| [12] \| $num \| [0-9. ]+ \| $num \| $num \| - \|$")
[ "$(printf '%s\n' "$sc" | grep -c .)" = 4 ] && pass scaling-numbers ||
    fail scaling-numbers "$(sec 5 | grep -E '^\| (plain|bgzf)' | tr '\n' ' ')"
[ -s "$tmp/ok/logs/commands.txt" ] && pass logs-written || fail logs-written "no logs/commands.txt"

# ---- a GPU path printing other bytes must fail: fqstats --gpu wrapped ----
mkdir -p "$tmp/b"
for f in "$B"/*; do [ -f "$f" ] && ln -s "$(cd "$(dirname "$f")" && pwd)/$(basename "$f")" "$tmp/b/"; done
rm -f "$tmp/b/fqstats"
cat >"$tmp/b/fqstats" <<EOF
#!/bin/sh
case " \$* " in
    *" --gpu "*) "$(cd "$B" && pwd)/fqstats" "\$@" | sed 's/DNA/RNA/; s/"DNA"/"RNA"/'; exit 0 ;;
esac
exec "$(cd "$B" && pwd)/fqstats" "\$@"
EOF
chmod +x "$tmp/b/fqstats"
OUT=$tmp/bad FQP_BUILD=$tmp/b DEVCHK_SHORT_READS=3000 DEVCHK_LONG_READS=60 DEVCHK_THREADS=1 \
    timeout 300 tests/gpu/device-check.sh --dry-run >"$tmp/bad.log" 2>&1
rc=$?
R=$tmp/bad/report.md
if [ "$rc" = 1 ] && sec 3 | grep -q '^| fqstats -a | short | FAIL | stdout differs' &&
    grep -q '^| 3. Correctness: GPU vs CPU | FAIL |' "$R" && grep -q '^- result: \*\*FAIL\*\*' "$R"; then
    pass wrong-gpu-output-fails
else
    fail wrong-gpu-output-fails "exit $rc; $(grep -m2 'fqstats -a |' "$R" 2>/dev/null | tr '\n' ' ')"
fi
[ "$failed" = 0 ]
