#!/usr/bin/env bash
# Command-line behaviour of fqcnt: FIFOs and stdin, the default thread count
# honouring the CPU affinity mask, and errors (exit status and message).
set -u
B=${FQP_BUILD:-build}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fqp-cli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
pass() { echo "PASS $1"; }
bad() { echo "FAIL $1: $2"; fail=1; }

"$B/fqgen" -n 5000 -s 11 > "$tmp/a.fq"
expect=$(printf '5000\t750000\t750000')

# a FIFO: gzip detected from the first bytes, nothing seeked or reopened
mkfifo "$tmp/pipe"
gzip -c "$tmp/a.fq" > "$tmp/pipe" &
got=$("$B/fqcnt" "$tmp/pipe"); wait
[ "$got" = "$expect" ] && pass fifo-gzip || bad fifo-gzip "got '$got'"
"$B/fqgen" -n 5000 -s 11 > "$tmp/pipe" &
got=$("$B/fqcnt" "$tmp/pipe"); wait
[ "$got" = "$expect" ] && pass fifo-plain || bad fifo-plain "got '$got'"
got=$(gzip -c "$tmp/a.fq" | "$B/fqcnt" -)
[ "$got" = "$expect" ] && pass stdin-gzip || bad stdin-gzip "got '$got'"

# default threads = CPUs in the affinity mask
if command -v taskset >/dev/null; then
    n=$(taskset -c 0 "$B/fqcnt" -v "$tmp/a.fq" 2>&1 >/dev/null | grep -c '^  consumer ')
    [ "$n" = 1 ] && pass affinity-one-cpu || bad affinity-one-cpu "$n consumers with one CPU allowed"
    n=$(FASTQPAR_THREADS=3 taskset -c 0 "$B/fqcnt" -v "$tmp/a.fq" 2>&1 >/dev/null | grep -c '^  consumer ')
    [ "$n" = 3 ] && pass env-threads || bad env-threads "$n consumers with FASTQPAR_THREADS=3"
else
    echo "SKIP affinity-one-cpu: taskset not installed"
fi

# malformed input: nonzero exit, message naming file, record and line
head -n 9 "$tmp/a.fq" > "$tmp/bad.fq"; sed -n '11,12p' "$tmp/a.fq" >> "$tmp/bad.fq"
if "$B/fqcnt" "$tmp/bad.fq" > /dev/null 2> "$tmp/err"; then
    bad malformed-exit "exit status 0"
elif grep -q "bad.fq: record 3, line 11, byte " "$tmp/err"; then
    pass malformed-exit
else
    bad malformed-exit "message: $(cat "$tmp/err")"
fi
if "$B/fqcnt" "$tmp/missing.fq" 2> "$tmp/err" >/dev/null; then bad missing-file "exit status 0"
elif grep -q "missing.fq: cannot open" "$tmp/err"; then pass missing-file
else bad missing-file "message: $(cat "$tmp/err")"; fi
exit $fail
