#!/usr/bin/env bash
# tests/test_realfiles.sh - fastqpar against independent readers on real and
# generated files. Run by `make test` (tests/run.sh) with FQP_BUILD set to
# the build directory holding fqgen, fqref, fqdump and fqcnt.
#
#   dump:*    fqdump (fastqpar pipeline, ordered output) prints exactly what
#             fqref (tests/fqref.c, a simple zlib reader) prints, with one
#             thread, four threads and tiny batches; plain, gzip and stdin.
#   fqcnt:*   the fqcnt example counts exactly what htslib's kseq.h
#             (tests/kseq_fqcnt.c) and `fqref -c` count.
#   multi:*   concatenated gzip members (and BGZF) give every record.
#   oracle:*  fqref itself: formatting options of fqgen change no record.
#   rules:*   non-IUPAC letters read alike (fqref -i rejects them); a blank
#             line inside a record fails fqdump and fqref at the same line.
#   FQP_TEST_QUICK=1 (the sanitizer passes): dump checks in one configuration.
#
# Prints PASS/FAIL/SKIP lines; exits nonzero on any FAIL. Optional peers
# (seqkit-examples, htslib's kseq.h, bgzip) give SKIP when missing.
set -u

B=${FQP_BUILD:-}
if [ -z "$B" ]; then
    echo "FAIL setup: FQP_BUILD is not set"
    exit 1
fi
HERE=$(cd "$(dirname "$0")" && pwd)
SEQKIT=/usr/share/doc/seqkit-examples/tests
KSEQ_H=/usr/include/htslib/kseq.h
T=$(mktemp -d "${TMPDIR:-/tmp}/fqp-realfiles.XXXXXX") || { echo "FAIL setup: mktemp"; exit 1; }
trap 'rm -rf "$T"' EXIT

failed=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1"; failed=1; }
skip() { echo "SKIP $1: $2"; }
note() { sed 's/^/    /' | head -n "${1:-8}" | cut -c1-300; }  # indented excerpt of stdin

for tool in fqgen fqref fqdump fqcnt; do
    if [ ! -x "$B/$tool" ]; then
        fail "setup: $B/$tool not built"
        exit 1
    fi
done

# The configurations a dump check runs (the stdin checks pick one each).
CONFIGS=("-t 1" "-t 4" "-t 4 -b 7 -B 1000 -r 4096")
# A dump check runs all of them by default; the sanitizer passes
# (FQP_TEST_QUICK=1) only the one with the most hand-offs between threads.
DUMP_CONFIGS=("${CONFIGS[@]}")
[ "${FQP_TEST_QUICK:-0}" = 1 ] && DUMP_CONFIGS=("${CONFIGS[2]}")

# dump_matches NAME EXPECTED INPUT [path|stdin [CONFIG...]]: fqdump on INPUT
# (a path, or fed on stdin as "-") equals EXPECTED under every CONFIG
# (default: DUMP_CONFIGS). Returns 0 when all match; prints what differed.
dump_matches() {
    local name=$1 expected=$2 input=$3 how=${4:-path} cfg rc ok=0
    local configs=("${DUMP_CONFIGS[@]}")
    [ $# -gt 4 ] && configs=("${@:5}")
    for cfg in "${configs[@]}"; do
        # shellcheck disable=SC2086
        if [ "$how" = stdin ]; then
            "$B/fqdump" $cfg - < "$input" > "$T/got" 2> "$T/err"
            rc=$?
        else
            "$B/fqdump" $cfg "$input" > "$T/got" 2> "$T/err"
            rc=$?
        fi
        if [ "$rc" -ne 0 ]; then
            echo "  $name: fqdump $cfg ($how) exited with $rc:"
            note < "$T/err"
            ok=1
        elif ! cmp -s "$expected" "$T/got"; then
            echo "  $name: fqdump $cfg ($how) differs from fqref: $(cmp "$expected" "$T/got" 2>&1 | head -1 | sed "s/.*differ: //")"
            echo "  expected $(wc -l < "$expected") lines, got $(wc -l < "$T/got"); first differing line:"
            diff "$expected" "$T/got" | note 4
            ok=1
        fi
    done
    return $ok
}

# reference NAME FILE OUT: fqref's output of FILE into OUT; 1 (and FAIL) if fqref fails.
reference() {
    if ! "$B/fqref" "$2" > "$3" 2> "$T/err"; then
        fail "$1: fqref rejects $2"
        note < "$T/err"
        return 1
    fi
}

# ---- real files: seqkit's examples ----------------------------------------
SEQKIT_FILES="Illimina1.8.fq.gz reads_1.fq.gz reads_2.fq.gz nanopore.fq.gz pcs109_5k.fq.gz"
have_seqkit=1
for f in $SEQKIT_FILES; do [ -r "$SEQKIT/$f" ] || have_seqkit=0; done
if [ "$have_seqkit" -eq 1 ]; then
    for f in $SEQKIT_FILES; do
        reference "dump:seqkit/$f" "$SEQKIT/$f" "$T/exp" || continue
        if dump_matches "dump:seqkit/$f" "$T/exp" "$SEQKIT/$f"; then
            pass "dump:seqkit/$f"
        else
            fail "dump:seqkit/$f"
        fi
    done
else
    skip "dump:seqkit" "seqkit-examples not installed ($SEQKIT)"
fi

# ---- generated files ------------------------------------------------------
# name and fqgen options; a few MB each
GEN_NAMES=(short long wrapped crlf plusname empty comment mixed)
GEN_OPTS=(
    "-n 10000 -s 11"
    "-n 40 -s 12 -l 1000-100000 --comment"
    "-n 5000 -s 13 -l 50-300 -w 60 --comment"
    "-n 5000 -s 14 --crlf --comment"
    "-n 5000 -s 15 --plus-name --comment"
    "-n 5000 -s 16 -l 0-200 --empty-every 7"
    "-n 5000 -s 17 --comment"
    "-n 2000 -s 18 -l 0-3000 -w 61 --crlf --plus-name --empty-every 5 --comment"
)
gen_ok=1
for i in "${!GEN_NAMES[@]}"; do
    n=${GEN_NAMES[$i]}
    # shellcheck disable=SC2086
    if ! "$B/fqgen" ${GEN_OPTS[$i]} > "$T/$n.fq" 2> "$T/err"; then
        fail "setup: fqgen ${GEN_OPTS[$i]}"
        note < "$T/err"
        gen_ok=0
        continue
    fi
    gzip -c -1 "$T/$n.fq" > "$T/$n.fq.gz"
done
# Edge cases of the last line: no final newline; trailing blank lines.
head -c -1 "$T/comment.fq" > "$T/nonewline.fq" && gzip -c -1 "$T/nonewline.fq" > "$T/nonewline.fq.gz"
{ cat "$T/crlf.fq"; printf '\n\r\n\n'; } > "$T/blanklines.fq" && gzip -c -1 "$T/blanklines.fq" > "$T/blanklines.fq.gz"
GEN_NAMES+=(nonewline blanklines)
[ "$gen_ok" -eq 1 ] || exit 1

for n in "${GEN_NAMES[@]}"; do
    reference "dump:gen/$n" "$T/$n.fq" "$T/$n.ref" || continue
    ok=0
    # fqref reads the gzip file the same way (a check of the oracle)
    if ! "$B/fqref" "$T/$n.fq.gz" 2> "$T/err" | cmp -s - "$T/$n.ref"; then
        echo "  gen/$n: fqref differs between plain and gzip"
        note < "$T/err"
        ok=1
    fi
    dump_matches "gen/$n" "$T/$n.ref" "$T/$n.fq" || ok=1
    dump_matches "gen/$n.gz" "$T/$n.ref" "$T/$n.fq.gz" || ok=1
    # stdin: pipe-sized reads with the default read size; tiny reads of gzip
    dump_matches "gen/$n (stdin)" "$T/$n.ref" "$T/$n.fq" stdin "${CONFIGS[1]}" || ok=1
    dump_matches "gen/$n.gz (stdin)" "$T/$n.ref" "$T/$n.fq.gz" stdin "${CONFIGS[2]}" || ok=1
    if [ "$ok" -eq 0 ]; then pass "dump:gen/$n"; else fail "dump:gen/$n"; fi
done

# The write-callback output path, and one batch per record.
if "$B/fqdump" -W -t 3 -b 1 "$T/wrapped.fq.gz" 2> "$T/err" | cmp -s - "$T/wrapped.ref"; then
    pass "dump:write-callback"
else
    fail "dump:write-callback"
    note < "$T/err"
fi

# ---- the oracle: formatting changes no record ------------------------------
# Same seed, same records: wrapping, CRLF and '+name' only change the layout.
"$B/fqgen" -n 3000 -s 21 -l 0-500 --comment > "$T/o1.fq"
"$B/fqgen" -n 3000 -s 21 -l 0-500 --comment -w 7 --crlf --plus-name > "$T/o2.fq"
if "$B/fqref" "$T/o1.fq" > "$T/o1.ref" && "$B/fqref" "$T/o2.fq" > "$T/o2.ref" &&
    [ -s "$T/o1.ref" ] && cmp -s "$T/o1.ref" "$T/o2.ref"; then
    pass "oracle:fqref-layout-invariant"
else
    fail "oracle:fqref-layout-invariant"
fi

# ---- reader rules: letters and blank lines -----------------------------------
# Letters outside the IUPAC set (protein letters, digits, '*') are read alike
# by fqdump and fqref; fqref -i (the IUPAC set) rejects them (naming the
# record's last line, as fqref does for every letter error).
awk 'NR % 4 == 2 { gsub(/A/, "E"); gsub(/C/, "J"); gsub(/G/, "1"); gsub(/T/, "*") } { print }' "$T/short.fq" \
    > "$T/letters.fq" && gzip -c -1 "$T/letters.fq" > "$T/letters.fq.gz"
if reference "rules:letters" "$T/letters.fq" "$T/letters.ref"; then
    ok=0
    grep -q 'EJ1\*' "$T/letters.ref" || { echo "  letters.fq has no EJ1*"; ok=1; }
    dump_matches "rules:letters" "$T/letters.ref" "$T/letters.fq" || ok=1
    dump_matches "rules:letters.gz" "$T/letters.ref" "$T/letters.fq.gz" path "${CONFIGS[2]}" || ok=1
    "$B/fqref" -i "$T/letters.fq" > /dev/null 2> "$T/err"; rc=$?
    [ "$rc" -eq 1 ] && grep -q "record 1, line 4: invalid character in sequence" "$T/err" ||
        { echo "  fqref -i: exit $rc: $(head -c 200 "$T/err")"; ok=1; }
    if [ "$ok" -eq 0 ]; then pass "rules:letters"; else fail "rules:letters"; fi
fi
# A blank line inside a record (before the '+' line of record 1001, line
# 4003): fqdump (plain, gzip) and fqref fail at the same record and line.
awk 'NR == 4003 { print "" } { print }' "$T/short.fq" > "$T/blank.fq" && gzip -c -1 "$T/blank.fq" > "$T/blank.fq.gz"
ok=0
for f in "$T/blank.fq" "$T/blank.fq.gz"; do
    "$B/fqdump" -t 4 -b 7 "$f" > /dev/null 2> "$T/err"; rc=$?
    [ "$rc" -eq 1 ] && grep -q "record 1001, line 4003, byte [0-9]*: blank line inside the sequence" "$T/err" ||
        { echo "  fqdump $f: exit $rc: $(head -c 300 "$T/err")"; ok=1; }
done
"$B/fqref" "$T/blank.fq" > /dev/null 2> "$T/err"; rc=$?
[ "$rc" -eq 1 ] && grep -q "record 1001, line 4003: blank line inside a record" "$T/err" ||
    { echo "  fqref: exit $rc: $(head -c 300 "$T/err")"; ok=1; }
if [ "$ok" -eq 0 ]; then pass "rules:blank-line"; else fail "rules:blank-line"; fi

# ---- multi-member gzip and BGZF ---------------------------------------------
# Two members with an empty member between them (like BGZF's EOF block).
printf '' | gzip -c > "$T/empty.gz"
cat "$T/short.fq.gz" "$T/empty.gz" "$T/wrapped.fq.gz" > "$T/multi.fq.gz"
cat "$T/short.ref" "$T/wrapped.ref" > "$T/multi.ref"
ok=0
dump_matches "multi" "$T/multi.ref" "$T/multi.fq.gz" || ok=1
dump_matches "multi (stdin)" "$T/multi.ref" "$T/multi.fq.gz" stdin "${CONFIGS[1]}" || ok=1
if [ "$ok" -eq 0 ]; then pass "multi:gzip-members"; else fail "multi:gzip-members"; fi

# BGZF: two bgzip files concatenated, so an EOF block sits in the middle.
have_bgzip=0
if command -v bgzip > /dev/null 2>&1; then
    bgzip -c "$T/crlf.fq" > "$T/a.bgz" && bgzip -c "$T/long.fq" > "$T/b.bgz" &&
        cat "$T/a.bgz" "$T/b.bgz" > "$T/ab.bgz" && have_bgzip=1
    cat "$T/crlf.ref" "$T/long.ref" > "$T/ab.ref"
    if [ "$have_bgzip" -eq 1 ] && dump_matches "bgzf" "$T/ab.ref" "$T/ab.bgz"; then
        pass "multi:bgzf"
    else
        fail "multi:bgzf"
    fi
else
    skip "multi:bgzf" "bgzip not installed"
fi

# ---- fqcnt against kseq.h and fqref -c --------------------------------------
have_kseq=0
if [ -r "$KSEQ_H" ]; then
    if ${CC:-cc} -O2 -o "$B/kseq_fqcnt" "$HERE/kseq_fqcnt.c" -lz 2> "$T/err"; then
        have_kseq=1
    else
        fail "fqcnt:kseq-build: cannot compile tests/kseq_fqcnt.c"
        note < "$T/err"
    fi
else
    skip "fqcnt:kseq" "htslib's kseq.h not installed ($KSEQ_H)"
fi

# kseq.h counts the '\r' of an empty CRLF sequence line as a base, so files
# with empty CRLF records (mixed) are compared with fqref -c only.
COUNT_FILES=("$T/short.fq" "$T/short.fq.gz" "$T/long.fq.gz" "$T/crlf.fq.gz" "$T/multi.fq.gz")
[ "$have_bgzip" -eq 1 ] && COUNT_FILES+=("$T/ab.bgz")
if [ "$have_seqkit" -eq 1 ]; then
    for f in $SEQKIT_FILES; do COUNT_FILES+=("$SEQKIT/$f"); done
fi
NO_KSEQ="$T/mixed.fq $T/mixed.fq.gz $T/empty.fq.gz"
for f in "${COUNT_FILES[@]}" $NO_KSEQ; do
    label=${f#"$T/"}
    label=${label#"$SEQKIT/"}
    if ! got=$("$B/fqcnt" "$f" 2> "$T/err"); then
        fail "fqcnt:$label: fqcnt failed"
        note < "$T/err"
        continue
    fi
    ref=$("$B/fqref" -c "$f")
    ok=0
    if [ "$got" != "$ref" ]; then
        echo "  fqcnt $label: '$got', fqref -c: '$ref'"
        ok=1
    fi
    if [ "$have_kseq" -eq 1 ] && [ "${NO_KSEQ#*"$f"}" = "$NO_KSEQ" ]; then
        k=$("$B/kseq_fqcnt" "$f")
        if [ "$got" != "$k" ]; then
            echo "  fqcnt $label: '$got', kseq: '$k'"
            ok=1
        fi
    fi
    if [ "$ok" -eq 0 ]; then pass "fqcnt:$label"; else fail "fqcnt:$label"; fi
done

exit $failed
