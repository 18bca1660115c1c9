#!/usr/bin/env bash
# tests/test_tool_cli.sh - the command-line conventions of every program
# (issue 13): -h/--help on stdout with exit 0, --version, a one-line usage
# error with exit 2, the option forms (-q20, -q=20, --window=4,
# --output=FILE, -j = -t), plain one-line messages for a directory, a
# missing file and xz/bzip2/zstd input, and --strict. Prints PASS/FAIL lines.
set -u
B=$(cd "${FQP_BUILD:-build}" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fqp-tcli.XXXXXX") || { echo "FAIL setup: mktemp"; exit 1; }
trap 'rm -rf "$tmp"' EXIT
failed=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; failed=1; }
version=$(sed -n 's/^#define FASTQPAR_VERSION_STRING "\(.*\)"/\1/p' "$(dirname "$0")/../fastqpar.h")
[ -n "$version" ] || fail version-string "no FASTQPAR_VERSION_STRING in fastqpar.h"
cd "$tmp" || exit 1
"$B/fqgen" -n 300 -s 5 > a.fq && "$B/fqgen" -n 300 -s 6 > b.fq || { echo "FAIL setup: fqgen"; exit 1; }

PROGRAMS="fqcnt fqstats fqtrim paired_filter ordered_writer manual_producer gpu_prefix_sum gpu_offload"

# ---- help, version, usage errors: every program --------------------------
for p in $PROGRAMS; do
    "$B/$p" -h > h.out 2> h.err; rc_h=$?
    "$B/$p" --help > help.out 2> help.err; rc_help=$?
    if [ "$rc_h" = 0 ] && [ "$rc_help" = 0 ] && [ ! -s h.err ] && [ ! -s help.err ] &&
       head -1 h.out | grep -q "^usage: $p " && cmp -s h.out help.out; then pass "$p-help"
    else fail "$p-help" "-h exit $rc_h, --help exit $rc_help, first line '$(head -1 h.out)', stderr '$(cat h.err help.err)'"; fi

    out=$("$B/$p" --version 2> v.err); rc=$?
    if [ "$rc" = 0 ] && [ "$out" = "$p fastqpar $version" ] && [ ! -s v.err ]; then pass "$p-version"
    else fail "$p-version" "exit $rc, stdout '$out', stderr '$(cat v.err)'"; fi

    for bad in --bogus -%; do
        "$B/$p" "$bad" a.fq > u.out 2> u.err; rc=$?
        want="$p: unknown option '$bad' (see $p --help)"
        if [ "$rc" = 2 ] && [ ! -s u.out ] && [ "$(cat u.err)" = "$want" ]; then pass "$p-unknown$bad"
        else fail "$p-unknown$bad" "exit $rc, stderr '$(cat u.err)' (want '$want')"; fi
    done
done

# a value where none is taken, a missing value, a bad number: one line, exit 2
check_usage() { # NAME WANT CMD...
    local name=$1 want=$2; shift 2
    "$@" > u.out 2> u.err; rc=$?
    if [ "$rc" = 2 ] && [ ! -s u.out ] && [ "$(cat u.err)" = "$want" ]; then pass "$name"
    else fail "$name" "exit $rc, stderr '$(cat u.err)' (want '$want')"; fi
}
check_usage fqtrim-flag-with-value "fqtrim: option '--cpu' takes no value (see fqtrim --help)" "$B/fqtrim" --cpu=1 -o - a.fq
check_usage fqtrim-needs-value "fqtrim: option '-o' needs a value (OUT1) (see fqtrim --help)" "$B/fqtrim" a.fq -o
check_usage fqstats-bad-number "fqstats: -j: 'x' is not an integer in 1..256 (see fqstats --help)" "$B/fqstats" -jx a.fq
check_usage fqtrim-out-of-range "fqtrim: -j: '0' is not an integer in 1..256 (see fqtrim --help)" "$B/fqtrim" -j0 -o - a.fq

# ---- option forms: each spelling gives the same bytes ---------------------
same_output() { # NAME CMD-A ::: CMD-B ::: CMD-C ... (each writes to stdout)
    local name=$1 ref="" i=0 cmd=() got bad=""; shift
    for a in "$@" :::; do
        if [ "$a" != ::: ]; then cmd+=("$a"); continue; fi
        got=$("${cmd[@]}" 2> /dev/null | md5sum); rc=${PIPESTATUS[0]}
        [ -z "$ref" ] && ref=$got
        { [ "$got" = "$ref" ] && [ "$rc" = 0 ]; } || bad="$bad [${cmd[*]}: exit $rc]"
        cmd=(); i=$((i + 1))
    done
    if [ -z "$bad" ] && [ "$i" -ge 2 ]; then pass "$name"; else fail "$name" "differs:$bad"; fi
}
same_output fqtrim-quality-forms "$B/fqtrim" -Q -q 30 -o - a.fq ::: "$B/fqtrim" -Q -q30 -o - a.fq ::: \
    "$B/fqtrim" -Q -q=30 -o - a.fq ::: "$B/fqtrim" -Q --quality-cutoff=30 -o - a.fq ::: \
    "$B/fqtrim" -Q --quality-cutoff 30 -o - a.fq
same_output fqtrim-window-forms "$B/fqtrim" -Q -q 25 -w 4 -o - a.fq ::: "$B/fqtrim" -Q -q25 --window=4 -o - a.fq ::: \
    "$B/fqtrim" -Q -q 25 --window 4 -o - a.fq ::: "$B/fqtrim" -Q -q 25 -w4 -o - a.fq
same_output fqtrim-threads-forms "$B/fqtrim" -Q -q 20 -j 2 -o - a.fq ::: "$B/fqtrim" -Q -q 20 -t 2 -o - a.fq ::: \
    "$B/fqtrim" -Q -q 20 --threads=2 -o - a.fq ::: "$B/fqtrim" -Q -q 20 -j2 -o - a.fq
same_output fqstats-threads-forms "$B/fqstats" -a -j 2 a.fq ::: "$B/fqstats" -a -t 2 a.fq ::: \
    "$B/fqstats" --all --threads=2 a.fq ::: "$B/fqstats" -aj2 a.fq
same_output fqcnt-threads-forms "$B/fqcnt" -j 2 a.fq ::: "$B/fqcnt" -t2 a.fq ::: "$B/fqcnt" --threads=2 a.fq
# the trimmed reads are not the input (the check above is not vacuous)
if [ "$("$B/fqtrim" -Q -q 30 -o - a.fq | md5sum)" != "$(md5sum < a.fq)" ]; then pass fqtrim-trims
else fail fqtrim-trims "-q 30 left the reads as they were"; fi
"$B/fqtrim" -Q -q 20 --output=o1.fq a.fq && "$B/fqtrim" -Q -q 20 -o o2.fq a.fq && "$B/fqtrim" -Q -q 20 --output o3.fq a.fq
if [ -s o1.fq ] && cmp -s o1.fq o2.fq && cmp -s o1.fq o3.fq; then pass fqtrim-output-forms
else fail fqtrim-output-forms "--output=FILE, -o FILE and --output FILE differ"; fi
# "--" ends the options: a file named like an option
cp a.fq ./-v
out=$("$B/fqcnt" -- -v); [ "$out" = "$("$B/fqcnt" a.fq)" ] && pass fqcnt-double-dash || fail fqcnt-double-dash "got '$out'"
rm -f ./-v

# ---- inputs that cannot be read: one plain line, exit 1, every program ---
mkdir adir
xz -k -c a.fq > a.fq.xz 2> /dev/null || rm -f a.fq.xz
bzip2 -k -c a.fq > a.fq.bz2 2> /dev/null || rm -f a.fq.bz2
zstd -q -c a.fq > a.fq.zst 2> /dev/null || rm -f a.fq.zst
run_on() { # PROGRAM INPUT: runs the program with INPUT as its (first) input
    case $1 in
    fqtrim) "$B/fqtrim" -Q -o o.fq "$2" ;;
    ordered_writer) "$B/ordered_writer" "$2" o.fq ;;
    paired_filter) "$B/paired_filter" "$2" b.fq o1.fq o2.fq ;;
    *) "$B/$1" "$2" ;;
    esac
}
for p in $PROGRAMS; do
    for f in adir missing.fq a.fq.xz a.fq.bz2 a.fq.zst; do
        case $f in
        adir) want="$f: cannot open: it is a directory" ;;
        missing.fq) want="$f: cannot open: No such file or directory" ;;
        *.xz) want="$f: xz-compressed input is not supported (use xz -dc $f | ...)" ;;
        *.bz2) want="$f: bzip2-compressed input is not supported (use bzip2 -dc $f | ...)" ;;
        *.zst) want="$f: zstd-compressed input is not supported (use zstd -dc $f | ...)" ;;
        esac
        if [ ! -e "$f" ] && [ "$f" != missing.fq ]; then echo "SKIP $p-input-$f (no compressor)"; continue; fi
        rm -f o.fq o1.fq o2.fq
        run_on "$p" "$f" > e.out 2> e.err; rc=$?
        if [ "$rc" = 1 ] && [ "$(cat e.err)" = "$p: $want" ] && [ ! -e o.fq ] && [ ! -e o1.fq ]; then pass "$p-input-$f"
        else fail "$p-input-$f" "exit $rc, stderr '$(cat e.err)' (want '$p: $want')$( [ -e o.fq ] && echo ', o.fq left')"; fi
    done
done

# ---- --strict: IUPAC letters only; the default takes any printable letter -
printf '@r1\nACGTN\n+\nIIIII\n@r2\nACGTEJ1\n+\nIIIIIII\n' > odd.fq
want="odd.fq: record 2, line 6, byte 26: invalid sequence character \"E\" (69) at position 5"
for p in fqcnt fqstats fqtrim; do
    args=(); [ "$p" = fqtrim ] && args=(-Q -o o.fq)
    "$B/$p" "${args[@]}" odd.fq > s.out 2> s.err; rc=$?
    "$B/$p" "${args[@]}" --strict odd.fq > t.out 2> t.err; rc_s=$?
    if [ "$rc" = 0 ] && [ ! -s s.err ] && [ "$rc_s" = 1 ] && [ "$(cat t.err)" = "$p: $want" ]; then pass "$p-strict"
    else fail "$p-strict" "default exit $rc ('$(cat s.err)'), --strict exit $rc_s ('$(cat t.err)'; want '$p: $want')"; fi
done
[ "$("$B/fqcnt" odd.fq)" = "$(printf '2\t12\t12')" ] && pass fqcnt-printable-letters-counted ||
    fail fqcnt-printable-letters-counted "got '$("$B/fqcnt" odd.fq)'"

# ---- no FILE and stdin a terminal: the usage, exit 2 (needs script(1)) ---
if command -v script > /dev/null; then
    for p in fqcnt fqstats; do
        script -qec "$B/$p; echo \"rc=\$?\"" /dev/null < /dev/null > tty.out 2>&1
        if grep -q "^usage: $p " tty.out && grep -q "rc=2" tty.out; then pass "$p-stdin-terminal"
        else fail "$p-stdin-terminal" "$(tr '\r\n' '  ' < tty.out)"; fi
    done
else
    echo "SKIP stdin-terminal (no script(1); Debian bsdutils)"
fi
exit $failed
