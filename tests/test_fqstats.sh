#!/usr/bin/env bash
# tests/test_fqstats.sh - fqstats against `seqkit stats` (Debian's seqkit 2.3.0)
# on seqkit's own example files, plus checks that need no seqkit: threads,
# stdin, JSON, malformed input, usage errors, and the GPU path: without a
# driver (CPU fall-back, --gpu fails) and through the fake driver
# (build/libfakecuda.so: the real GPU consumer code, emulated kernels), whose
# numbers must equal the CPU path's to the last digit.
#
# Prints one line per check: PASS name | FAIL name | SKIP name: reason.
# Lines starting with "  " explain a failure or a documented difference.
# Exits nonzero if any check failed. Environment:
#   FQP_BUILD    directory with the fqstats binary (default: build)
#   SEQKIT       seqkit binary (default: seqkit on PATH)
#   SEQKIT_DATA  seqkit's example files (default: /usr/share/doc/seqkit-examples/tests)
#   FQP_TEST_QUICK=1  fewer fake-GPU runs (the sanitizer passes: emulated
#                kernels under TSan take seconds per launch)
set -u

FQSTATS=${FQP_BUILD:-build}/fqstats
SEQKIT=${SEQKIT:-$(command -v seqkit 2>/dev/null || true)}
DATA=${SEQKIT_DATA:-/usr/share/doc/seqkit-examples/tests}
FILES="Illimina1.8.fq.gz reads_1.fq.gz reads_2.fq.gz nanopore.fq.gz pcs109_5k.fq.gz sana_ground.fq.gz"

failed=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }
skip() { echo "SKIP $1: $2"; }
note() { sed 's/^/  /'; }  # indents explanations under a PASS/FAIL line

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_fqstats.XXXXXX") || { echo "FAIL setup: mktemp -d"; exit 1; }
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM  # so that the EXIT trap cleans up

if [ ! -x "$FQSTATS" ]; then
    echo "FAIL setup: $FQSTATS is missing (make build/fqstats)"
    exit 1
fi

# ---- test inputs ----------------------------------------------------------

# A synthetic FASTQ that exercises what the example files do not: lengths on
# both sides of the dense/sparse histogram boundary (65536), many repeated and
# many distinct long lengths (sparse compaction and growth), lowercase, N,
# IUPAC codes, gap letters '-' and '.', an empty read, qualities '!'..'J'.
awk -v seed=7 'BEGIN {
    srand(seed)
    letters = "ACGTACGTACGTacgtNNSRW-."
    for (i = 0; i < 4096; i++) {
        s = s substr(letters, 1 + int(rand() * length(letters)), 1)
        q = q sprintf("%c", 33 + int(rand() * 42))
    }
    while (length(s) < 300000) { s = s s; q = q q }
    for (r = 1; r <= 2600; r++) {
        x = rand()
        if (r == 1000) len = 0
        else if (x < 0.90) len = 1 + int(rand() * 300)
        else if (x < 0.94) len = 65530 + int(rand() * 12)  # around the boundary
        else if (x < 0.97) len = 70000                     # one long length, repeated
        else len = 66000 + int(rand() * 60000)             # distinct long lengths
        start = 1 + int(rand() * 1000)
        printf "@read%d synthetic\n%s\n+\n%s\n", r, substr(s, start, len), substr(q, start, len)
    }
}' > "$tmp/synthetic.fq"

# Record 2 lacks its '+' and quality lines: the next header (line 7) stands
# where '+' belongs. (Leaving out only the '+' line would be found one line
# later: fastqpar reads wrapped sequences, so the quality line would pass for
# a second sequence line.)
printf '@r1\nACGT\n+\nIIII\n@r2\nACGT\n@r3\nACGT\n+\nIIII\n' > "$tmp/bad.fq"
# Letters other readers' test suites use (protein letters, digits, '*', '.',
# '-', lowercase), read by default: 40 letters are not ACGTN in either case
# (r2: 10, r3: 30; r3 is long enough for the SSE2 loop).
printf '@r1\nACGTNacgtn\n+\nIIIIIIIIII\n@r2\nEJPQ*.-1Ss\n+\nIIIIIIIIII\n' > "$tmp/letters.fq"
printf '@r3\nEJPQ*.-1SsEJPQ*.-1SsACGTNacgtnEJPQ*.-1Ss\n+\n%s\n' "$(printf 'I%.0s' $(seq 40))" >> "$tmp/letters.fq"
: > "$tmp/empty.fq"

# ---- comparing tables -----------------------------------------------------

# compare_tsv OURS THEIRS: prints "DIFF ..." for every cell that differs and
# "QUIRK ..." for a difference that is seqkit 2.3.0's known quirk: when all
# reads have one length L, seqkit prints L/2 for Q1 and Q3; fqstats prints L.
compare_tsv() {
    awk -F'\t' '
    FNR == NR { ours[FNR] = $0; nours = FNR; next }
    { theirs[FNR] = $0; ntheirs = FNR }
    END {
        if (nours != ntheirs) print "DIFF rows: fqstats " nours ", seqkit " ntheirs
        nh = split(theirs[1], head, "\t")
        for (c = 1; c <= nh; c++) column[head[c]] = c
        for (r = 1; r <= ntheirs; r++) {
            nx = split(ours[r], x, "\t"); ny = split(theirs[r], y, "\t")
            if (nx != ny) { print "DIFF row " r ": fqstats " nx " cells, seqkit " ny; continue }
            for (c = 1; c <= ny; c++) {
                if (x[c] == y[c]) continue
                name = head[c]; min = y[column["min_len"]]; max = y[column["max_len"]]
                if (r > 1 && (name == "Q1" || name == "Q3") && min == max && \
                    y[c] + 0 == max / 2 && x[c] + 0 == max + 0)
                    print "QUIRK " y[1] " " name ": fqstats " x[c] ", seqkit " y[c] \
                          " (seqkit 2.3.0 prints length/2 when all reads have one length)"
                else
                    print "DIFF row " r " column " name ": fqstats \"" x[c] "\", seqkit \"" y[c] "\""
            }
        }
    }' "$1" "$2"
}

# check_same NAME OURS THEIRS: PASS if the tables agree except known quirks.
check_same() {
    local diffs
    diffs=$(compare_tsv "$2" "$3")
    if printf '%s\n' "$diffs" | grep -q '^DIFF'; then
        fail "$1"
    else
        pass "$1"
    fi
    [ -n "$diffs" ] && printf '%s\n' "$diffs" | note
    return 0
}

# start_tables, then add_rows FILE...: collect the -a -T rows of many small
# files from both tools under one header, for one check_same.
start_tables() {
    "$FQSTATS" -a -T "$tmp/empty.fq" 2> /dev/null | head -n 1 > "$tmp/ours.tsv"
    "$SEQKIT" stats -a -T "$tmp/empty.fq" | head -n 1 > "$tmp/theirs.tsv"
}
add_rows() {
    "$FQSTATS" -a -T "$1" 2>> "$tmp/err" | tail -n +2 >> "$tmp/ours.tsv"
    "$SEQKIT" stats -a -T "$1" | tail -n +2 >> "$tmp/theirs.tsv"
}

# ---- against seqkit -------------------------------------------------------

seqkit_ok=1
if [ -z "$SEQKIT" ] || [ ! -x "$SEQKIT" ]; then
    seqkit_ok=0; why="seqkit not installed"
elif [ ! -d "$DATA" ]; then
    seqkit_ok=0; why="no seqkit example files in $DATA"
else
    version=$("$SEQKIT" version 2>/dev/null | head -n 1)
    case "$version" in
        *v2.3.*) ;;
        *) seqkit_ok=0; why="seqkit '$version' is not v2.3.x, the version these checks expect" ;;
    esac
fi

if [ "$seqkit_ok" = 0 ]; then
    for f in $FILES; do skip "seqkit-a-T $f" "$why"; done
    for name in seqkit-T seqkit-table seqkit-synthetic seqkit-empty seqkit-letters seqkit-quartiles seqkit-type; do
        skip "$name" "$why"
    done
else
    present=()
    for f in $FILES; do
        if [ ! -f "$DATA/$f" ]; then skip "seqkit-a-T $f" "$DATA/$f missing"; continue; fi
        present+=("$DATA/$f")
        # The same path goes to both, so the file column must match too.
        "$FQSTATS" -a -T "$DATA/$f" > "$tmp/ours.tsv" 2> "$tmp/err" || note < "$tmp/err"
        "$SEQKIT" stats -a -T "$DATA/$f" > "$tmp/theirs.tsv"
        check_same "seqkit-a-T $f" "$tmp/ours.tsv" "$tmp/theirs.tsv"
    done

    if [ "${#present[@]}" -gt 0 ]; then
        # Without -a: the eight basic columns, several files in one run.
        "$FQSTATS" -T "${present[@]}" > "$tmp/ours.tsv" 2> /dev/null
        "$SEQKIT" stats -T "${present[@]}" > "$tmp/theirs.tsv"
        check_same seqkit-T "$tmp/ours.tsv" "$tmp/theirs.tsv"

        # The human table, byte for byte, on the files where seqkit has no quirk.
        regular=()
        for f in "${present[@]}"; do
            case "$f" in */Illimina1.8.fq.gz) ;; *) regular+=("$f") ;; esac
        done
        "$FQSTATS" -a "${regular[@]}" > "$tmp/ours.txt" 2> /dev/null
        "$SEQKIT" stats -a "${regular[@]}" > "$tmp/theirs.txt"
        if cmp -s "$tmp/ours.txt" "$tmp/theirs.txt"; then pass seqkit-table
        else fail seqkit-table; diff "$tmp/ours.txt" "$tmp/theirs.txt" | note; fi
    else
        skip seqkit-T "no example files"; skip seqkit-table "no example files"
    fi

    "$FQSTATS" -a -T "$tmp/synthetic.fq" > "$tmp/ours.tsv" 2> "$tmp/err" || note < "$tmp/err"
    "$SEQKIT" stats -a -T "$tmp/synthetic.fq" > "$tmp/theirs.tsv"
    check_same seqkit-synthetic "$tmp/ours.tsv" "$tmp/theirs.tsv"

    "$FQSTATS" -a -T "$tmp/empty.fq" > "$tmp/ours.tsv" 2> /dev/null
    "$SEQKIT" stats -a -T "$tmp/empty.fq" > "$tmp/theirs.tsv"
    check_same seqkit-empty "$tmp/ours.tsv" "$tmp/theirs.tsv"

    "$FQSTATS" -a -T "$tmp/letters.fq" > "$tmp/ours.tsv" 2> "$tmp/err" || note < "$tmp/err"
    "$SEQKIT" stats -a -T "$tmp/letters.fq" > "$tmp/theirs.tsv"
    check_same seqkit-letters "$tmp/ours.tsv" "$tmp/theirs.tsv"

    # Quartiles and N50 on 60 small random files full of ties, where the
    # median rules (odd/even counts, equal middle values) all come into play.
    start_tables
    for i in $(seq 1 60); do
        awk -v seed="$i" 'BEGIN {
            srand(seed); n = 2 + int(rand() * 12)
            for (r = 1; r <= n; r++) {
                len = 1 + int(rand() * 6) * 3 + (r == 1)   # ties, but never all equal
                s = ""; for (k = 0; k < len; k++) s = s "A"
                q = s; gsub(/A/, "I", q)
                printf "@r%d\n%s\n+\n%s\n", r, s, q
            }
        }' > "$tmp/small$i.fq"
        add_rows "$tmp/small$i.fq"
    done
    # Medians that straddle the histogram's dense/sparse boundary (65536), and
    # N50 where the running sum hits exactly half (sparse, then dense lengths).
    for lengths in "60000 65535 65536 70001 100000 100000" "65535 65536" "65536 65535 65535" \
                   "100000 70000 30000" "10 6 4"; do
        echo "$lengths" | awk '{
            for (r = 1; r <= NF; r++) {
                s = "C"; while (length(s) < $r) s = s s
                q = "5"; while (length(q) < $r) q = q q
                printf "@long%d\n%s\n+\n%s\n", r, substr(s, 1, $r), substr(q, 1, $r)
            }
        }' > "$tmp/long.fq"
        add_rows "$tmp/long.fq"
    done
    check_same seqkit-quartiles "$tmp/ours.tsv" "$tmp/theirs.tsv"

    # The type column, guessed from the first record: RNA, Protein (T and U
    # together, or '*'), DNA (only gaps), lowercase.
    start_tables
    for first in ACGUN ACGTU 'ACG*' '----' acgu; do
        quals=$(printf '%s' "$first" | tr -c '' 'I')
        printf '@r1\n%s\n+\n%s\n@r2\nACGTAC\n+\nIIIIII\n' "$first" "$quals" > "$tmp/type.fq"
        add_rows "$tmp/type.fq"
    done
    check_same seqkit-type "$tmp/ours.tsv" "$tmp/theirs.tsv"
fi

# ---- fqstats on its own ---------------------------------------------------

# Inputs for the checks below: the example files that exist, and the synthetic one.
inputs=("$tmp/synthetic.fq")
for f in $FILES; do [ -f "$DATA/$f" ] && inputs+=("$DATA/$f"); done

# Thread count must not change a single digit. Small batches
# (FASTQPAR_BATCH_RECORDS) spread every file over many batches and consumers,
# so the merge step really merges.
for f in "${inputs[@]}"; do
    name=$(basename "$f")
    FASTQPAR_BATCH_RECORDS=97 "$FQSTATS" -a -T -t 1 "$f" > "$tmp/t1" 2> "$tmp/e1"; rc1=$?
    FASTQPAR_BATCH_RECORDS=97 "$FQSTATS" -a -T -t 4 "$f" > "$tmp/t4" 2> "$tmp/e4"; rc4=$?
    "$FQSTATS" -a -T "$f" > "$tmp/tdefault" 2> /dev/null
    if [ "$rc1" = 0 ] && [ "$rc4" = 0 ] && [ -s "$tmp/t1" ] && cmp -s "$tmp/t1" "$tmp/t4" &&
       cmp -s "$tmp/t1" "$tmp/tdefault"; then
        pass "threads-1-vs-4 $name"
    else
        fail "threads-1-vs-4 $name"
        { cat "$tmp/e1" "$tmp/e4"; diff "$tmp/t1" "$tmp/t4"; diff "$tmp/t1" "$tmp/tdefault"; } | note
    fi
done

# stdin ('-') gives the same row as the path, except the file column.
for f in "$tmp/synthetic.fq" "$DATA/nanopore.fq.gz"; do
    name=$(basename "$f")
    if [ ! -f "$f" ]; then skip "stdin $name" "$f missing"; continue; fi
    "$FQSTATS" -a -T - < "$f" > "$tmp/stdin.tsv" 2> "$tmp/err"; rc=$?
    "$FQSTATS" -a -T "$f" > "$tmp/path.tsv" 2> /dev/null
    if [ "$rc" = 0 ] && [ "$(cut -f1 "$tmp/stdin.tsv" | tail -n 1)" = "-" ] &&
       cmp -s <(cut -f2- "$tmp/stdin.tsv") <(cut -f2- "$tmp/path.tsv"); then
        pass "stdin $name"
    else
        fail "stdin $name"; { cat "$tmp/err"; diff "$tmp/stdin.tsv" "$tmp/path.tsv"; } | note
    fi
done

# Malformed input: exit status 1, and the message names the file and line 7.
"$FQSTATS" -a -T "$tmp/bad.fq" > "$tmp/out" 2> "$tmp/err"; rc=$?
if [ "$rc" = 1 ] && grep -q "bad.fq" "$tmp/err" && grep -Eq "line 7([^0-9]|$)" "$tmp/err" && [ ! -s "$tmp/out" ]; then
    pass malformed-missing-plus
else
    fail malformed-missing-plus
    { echo "exit status $rc (want 1), stderr:"; cat "$tmp/err"; } | note
fi

# The same through stdin: still an error with a line number.
"$FQSTATS" -T - < "$tmp/bad.fq" > /dev/null 2> "$tmp/err"; rc=$?
if [ "$rc" = 1 ] && grep -Eq "line 7([^0-9]|$)" "$tmp/err"; then pass malformed-stdin
else fail malformed-stdin; { echo "exit status $rc, stderr:"; cat "$tmp/err"; } | note; fi

# A missing file: exit status 1, the name in the message.
"$FQSTATS" "$tmp/no-such-file.fq" > /dev/null 2> "$tmp/err"; rc=$?
if [ "$rc" = 1 ] && grep -q "no-such-file.fq" "$tmp/err"; then pass missing-file
else fail missing-file; { echo "exit status $rc, stderr:"; cat "$tmp/err"; } | note; fi

# Usage errors exit 2; -h exits 0 with the usage.
bad_usage=""
for args in "-t 0 x.fq" "-t abc x.fq" "-t" "-x x.fq" "--nope x.fq"; do
    # shellcheck disable=SC2086
    "$FQSTATS" $args > /dev/null 2>&1; rc=$?
    [ "$rc" = 2 ] || bad_usage="$bad_usage [$args: exit $rc]"
done
"$FQSTATS" -h > "$tmp/usage" 2>&1 || bad_usage="$bad_usage [-h: nonzero exit]"
grep -q '^usage: fqstats' "$tmp/usage" || bad_usage="$bad_usage [-h: no usage text]"
if [ -z "$bad_usage" ]; then pass usage; else fail usage; echo "$bad_usage" | note; fi

# --json: valid JSON, one object per file, the same values as -a -T, and
# other_letters equal to a count of its own (every input has 4-line records).
if ! command -v python3 > /dev/null 2>&1; then
    skip json "python3 not installed"
else
    "$FQSTATS" --json "${inputs[@]}" "$tmp/letters.fq" "$tmp/empty.fq" > "$tmp/out.json" 2> "$tmp/err"
    "$FQSTATS" -a -T "${inputs[@]}" "$tmp/letters.fq" "$tmp/empty.fq" > "$tmp/out.tsv" 2>> "$tmp/err"
    if python3 - "$tmp/out.json" "$tmp/out.tsv" > "$tmp/json.log" 2>&1 <<'EOF'
import gzip, json, sys
rows = json.load(open(sys.argv[1]))
lines = [l.rstrip("\n").split("\t") for l in open(sys.argv[2])]
keys = ["file", "format", "type", "num_seqs", "sum_len", "min_len", "avg_len", "max_len",
        "q1", "q2", "q3", "sum_gap", "n50", "q20_pct", "q30_pct", "gc_pct"]
assert len(rows) == len(lines) - 1, "object count"
def other_letters(path):
    text = (gzip.open if path.endswith(".gz") else open)(path, "rb").read().split(b"\n")
    return sum(1 for seq in text[1::4] for c in seq if c not in b"ACGTNacgtn")
for obj, cells in zip(rows, lines[1:]):
    assert list(obj) == keys + ["other_letters", "inflate"], "keys %s" % list(obj)
    assert obj["other_letters"] == other_letters(obj["file"]), (obj["file"], obj["other_letters"])
    if obj["file"].endswith("letters.fq"):
        assert obj["other_letters"] == 40, obj["other_letters"]
    assert obj["inflate"] in ("none", "zlib", "isal", "libdeflate"), obj["inflate"]
    assert (obj["inflate"] == "none") == (not obj["file"].endswith(".gz")), (obj["file"], obj["inflate"])
    for k, cell in zip(keys, cells):
        v = obj[k]
        if k in ("file", "format", "type"):
            assert v == cell, (k, v, cell)
        else:
            assert isinstance(v, (int, float)) and not isinstance(v, bool), (k, v)
            assert v == float(cell), (k, v, cell)
print("ok")
EOF
    then pass json
    else fail json; cat "$tmp/err" "$tmp/json.log" | note; fi
fi

# ---- several files, some of them bad (issue 13) ---------------------------

printf '@g1\nACGT\n+\nIIII\n' > "$tmp/good1.fq"
printf '@g2a\nACGTAA\n+\nIIIIII\n@g2b\nAC\n+\nII\n' > "$tmp/good2.fq"
mkdir "$tmp/adir"
printf '@r1\nACGT\n+\nIIII\n' | gzip -c > "$tmp/whole.fq.gz"
head -c 30 "$tmp/whole.fq.gz" > "$tmp/corrupt.fq.gz"   # the gzip stream ends early
good_rows=$(printf 'file\tformat\ttype\tnum_seqs\tsum_len\tmin_len\tavg_len\tmax_len\n%s\tFASTQ\tDNA\t1\t4\t4\t4.0\t4\n%s\tFASTQ\tDNA\t2\t8\t2\t4.0\t6' \
    "$tmp/good1.fq" "$tmp/good2.fq")
# the message of each bad input, as fqstats prints it after "fqstats: "
why_bad="$tmp/bad.fq: record 2, line 7, byte 25: expected the '+' line after the sequence, found \"@r3\""
why_missing="$tmp/no-such.fq: cannot open: No such file or directory"
why_dir="$tmp/adir: cannot open: it is a directory"
# (the 30 bytes hold all the deflate data but not the trailer: record 1 is whole)
why_gzip="$tmp/corrupt.fq.gz: record 2, line 5, byte 16: gzip data ends early at compressed byte 30 (truncated file?)"
for case in "bad.fq:$why_bad" "no-such.fq:$why_missing" "adir:$why_dir" "corrupt.fq.gz:$why_gzip"; do
    name=${case%%:*} why=${case#*:}
    "$FQSTATS" -T "$tmp/good1.fq" "$tmp/$name" "$tmp/good2.fq" > "$tmp/out" 2> "$tmp/err"; rc=$?
    "$FQSTATS" -e -T "$tmp/good1.fq" "$tmp/$name" "$tmp/good2.fq" > "$tmp/out_e" 2> "$tmp/err_e"; rc_e=$?
    if [ "$rc" = 1 ] && [ "$(cat "$tmp/out")" = "$good_rows" ] && [ "$(cat "$tmp/err")" = "fqstats: $why" ] &&
       [ "$rc_e" = 0 ] && [ "$(cat "$tmp/out_e")" = "$good_rows" ] &&
       [ "$(cat "$tmp/err_e")" = "fqstats: warning: $why (skipped: -e)" ]; then
        pass "bad-among-good $name"
    else
        fail "bad-among-good $name"
        { echo "exit $rc (want 1), with -e $rc_e (want 0); stdout, stderr, stdout -e, stderr -e:"
          cat "$tmp/out" "$tmp/err" "$tmp/out_e" "$tmp/err_e"; echo "want stderr: fqstats: $why"; } | note
    fi
done
# --skip-err is -e; every file bad: nothing on stdout, exit 1 (with -e: the header, exit 0)
"$FQSTATS" --skip-err -T "$tmp/bad.fq" "$tmp/good1.fq" > "$tmp/out" 2> /dev/null; rc=$?
"$FQSTATS" -T "$tmp/bad.fq" "$tmp/adir" > "$tmp/out_all" 2> /dev/null; rc_all=$?
"$FQSTATS" -e -T "$tmp/bad.fq" "$tmp/adir" > "$tmp/out_all_e" 2> /dev/null; rc_all_e=$?
if [ "$rc" = 0 ] && [ "$(cat "$tmp/out")" = "$(printf '%s\n' "$good_rows" | head -n 2)" ] &&
   [ "$rc_all" = 1 ] && [ ! -s "$tmp/out_all" ] &&
   [ "$rc_all_e" = 0 ] && [ "$(cat "$tmp/out_all_e")" = "$(printf '%s\n' "$good_rows" | head -n 1)" ]; then
    pass bad-all-and-skip-err
else
    fail bad-all-and-skip-err; { echo "exits $rc $rc_all $rc_all_e (want 0 1 0)"; cat "$tmp/out" "$tmp/out_all" "$tmp/out_all_e"; } | note
fi
# per-position: the good files' tables, each under its name
"$FQSTATS" --per-position "$tmp/good1.fq" "$tmp/bad.fq" "$tmp/good2.fq" > "$tmp/out" 2> /dev/null; rc=$?
{ echo "==> $tmp/good1.fq <=="; "$FQSTATS" --per-position "$tmp/good1.fq"; echo
  echo "==> $tmp/good2.fq <=="; "$FQSTATS" --per-position "$tmp/good2.fq"; } > "$tmp/want" 2> /dev/null
if [ "$rc" = 1 ] && cmp -s "$tmp/out" "$tmp/want"; then pass bad-among-good-per-position
else fail bad-among-good-per-position; { echo "exit $rc"; diff "$tmp/out" "$tmp/want"; } | note; fi

# ---- stdin ------------------------------------------------------------------

# No FILE and stdin a terminal: the usage on stderr, exit 2 (script gives a
# pty; its stdin /dev/null would hand the tool an end of file if it read).
if command -v script > /dev/null 2>&1; then
    timeout 20 script -qec "$FQSTATS" /dev/null < /dev/null > "$tmp/tty.out" 2>&1; rc=$?
    timeout 20 script -qec "$FQSTATS -T -" /dev/null < /dev/null > "$tmp/tty_dash.out" 2>&1; rc_dash=$?
    if [ "$rc" = 2 ] && grep -q '^usage: fqstats' "$tmp/tty.out" && ! grep -q "^file	format" "$tmp/tty.out" &&
       [ "$rc_dash" = 0 ] && grep -q "^-	" "$tmp/tty_dash.out"; then
        pass stdin-terminal-usage
    else
        fail stdin-terminal-usage; { echo "exit $rc (want 2), with '-' $rc_dash (want 0)"; head -5 "$tmp/tty.out" "$tmp/tty_dash.out"; } | note
    fi
else
    skip stdin-terminal-usage "script (util-linux/bsdutils) not installed"
fi
# stdin from a pipe, without FILE, is read
out=$("$FQSTATS" -T < "$tmp/good1.fq" 2> /dev/null | tail -n 1)
if [ "$out" = "$(printf -- '-\tFASTQ\tDNA\t1\t4\t4\t4.0\t4')" ]; then pass stdin-redirect-no-file
else fail stdin-redirect-no-file; echo "got: $out" | note; fi

# ---- options (issue 13) ----------------------------------------------------

bad=""
want=$("$FQSTATS" -T -t 2 "$tmp/good2.fq" 2> /dev/null)
for args in "-j 2" "-j2" "-j=2" "-t=2" "--threads 2" "--threads=2" "-Tj 2"; do
    # shellcheck disable=SC2086
    got=$("$FQSTATS" -T $args "$tmp/good2.fq" 2> "$tmp/err"); rc=$?
    [ "$rc" = 0 ] && [ "$got" = "$want" ] && [ ! -s "$tmp/err" ] || bad="$bad [$args: exit $rc]"
done
# one line on stderr, exit 2
for args in "--nope" "-x" "-j 0" "-j" "--threads=abc" "--json=1" "--max-pos 0" "-q -1"; do
    # shellcheck disable=SC2086
    "$FQSTATS" $args "$tmp/good1.fq" > "$tmp/out" 2> "$tmp/err"; rc=$?
    [ "$rc" = 2 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l < "$tmp/err")" = 1 ] &&
        grep -q '^fqstats: .*(see fqstats --help)$' "$tmp/err" || bad="$bad [$args: exit $rc, $(head -c 200 "$tmp/err")]"
done
[ "$("$FQSTATS" --nope 2>&1)" = "fqstats: unknown option '--nope' (see fqstats --help)" ] || bad="$bad [--nope message]"
"$FQSTATS" --version > "$tmp/out" 2>&1; rc=$?
[ "$rc" = 0 ] && grep -Eqx 'fqstats fastqpar [0-9]+\.[0-9]+\.[0-9]+' "$tmp/out" || bad="$bad [--version: exit $rc, $(cat "$tmp/out")]"
"$FQSTATS" --help > "$tmp/out" 2> "$tmp/err"; rc=$?
[ "$rc" = 0 ] && grep -q '^usage: fqstats' "$tmp/out" && [ ! -s "$tmp/err" ] || bad="$bad [--help: exit $rc]"
# "--" ends the options: a file named -a
cp "$tmp/good1.fq" "$tmp/-a"
got=$(cd "$tmp" && "$FQSTATS" -T -- -a 2> /dev/null | tail -n 1)
[ "$got" = "$(printf -- '-a\tFASTQ\tDNA\t1\t4\t4\t4.0\t4')" ] || bad="$bad [-- -a: $got]"
if [ -z "$bad" ]; then pass options; else fail options; echo "$bad" | note; fi

# ---- progress line ---------------------------------------------------------

# --progress prints it on a non-terminal too, from the first batch, with an
# ETA since the size is known, and erases it (\r, ESC [ K) at the end: no
# stale "MB read" line is left before the next output.
if ! command -v python3 > /dev/null 2>&1; then
    skip progress-forced-eta-erased "python3 not installed"
else
    "$FQSTATS" --progress -T "$tmp/synthetic.fq" "$tmp/good1.fq" > "$tmp/out" 2> "$tmp/err"; rc=$?
    "$FQSTATS" -T "$tmp/synthetic.fq" "$tmp/good1.fq" > "$tmp/want" 2> /dev/null
    if [ "$rc" = 0 ] && cmp -s "$tmp/out" "$tmp/want" && python3 - "$tmp/err" > "$tmp/progress.log" 2>&1 <<'PY'
import re, sys
err = open(sys.argv[1], "rb").read().decode()
line = r"\rfqstats: ([^\r\x1b]*)\x1b\[K"
lines = re.findall(line, err)
assert len(lines) >= 2, "want a line per file: %r" % err
for l in lines:
    assert re.fullmatch(r"\d+\.\d / \d+\.\d MB read \(\d+%\), \d+ reads/s(, ETA \d+:\d\d)?", l), l
assert any(", ETA " in l for l in lines), lines
# every line is erased before anything else comes: nothing else is left
rest = re.sub(line, "", err).replace("\r\x1b[K", "")
assert rest == "", "left over: %r" % rest
assert err.endswith("\r\x1b[K"), "not erased at the end: %r" % err[-80:]
print("ok")
PY
    then pass progress-forced-eta-erased
    else fail progress-forced-eta-erased; { echo "exit $rc"; cat -A "$tmp/err" | head -5; cat "$tmp/progress.log"; } | note; fi
fi
# not a terminal, not forced: no progress; --quiet: none even with --progress
"$FQSTATS" -T "$tmp/synthetic.fq" > /dev/null 2> "$tmp/err1"
"$FQSTATS" --progress --quiet -T "$tmp/synthetic.fq" > /dev/null 2> "$tmp/err2"
if [ ! -s "$tmp/err1" ] && [ ! -s "$tmp/err2" ]; then pass progress-off
else fail progress-off; cat -A "$tmp/err1" "$tmp/err2" | head -4 | note; fi

# ---- per-position: every position, as seqtk fqchk -------------------------

# Reads of up to 30 kbp with no --max-pos: seqtk's table byte for byte
# (the counters grow with the reads; small batches make consumers grow apart
# and the merge re-lay out differently sized counters).
FQGEN=${FQP_BUILD:-build}/fqgen
if ! command -v seqtk > /dev/null 2>&1; then
    skip per-position-long-reads "seqtk not installed"
elif [ ! -x "$FQGEN" ]; then
    skip per-position-long-reads "$FQGEN not built"
else
    "$FQGEN" -n 400 -s 11 -l 900-30000 > "$tmp/longreads.fq"
    seqtk fqchk "$tmp/longreads.fq" > "$tmp/want"
    seqtk fqchk -q0 "$tmp/longreads.fq" > "$tmp/want_q0"
    bad=""
    for t in 1 3; do
        FASTQPAR_BATCH_RECORDS=13 "$FQSTATS" -t $t --per-position "$tmp/longreads.fq" > "$tmp/got" 2> "$tmp/err" &&
            cmp -s "$tmp/want" "$tmp/got" || bad="$bad [-t $t: $(diff "$tmp/want" "$tmp/got" | head -4; head -c 200 "$tmp/err")]"
    done
    "$FQSTATS" --per-position -q 0 "$tmp/longreads.fq" > "$tmp/got" 2> /dev/null
    cmp -s "$tmp/want_q0" "$tmp/got" || bad="$bad [-q 0: $(diff "$tmp/want_q0" "$tmp/got" | head -4)]"
    rows=$(awk -F'\t' '$1 ~ /^[0-9]+$/' "$tmp/want" | wc -l)
    [ "$rows" -gt 1000 ] || bad="$bad [only $rows positions: the reads are too short for this check]"
    if [ -z "$bad" ]; then pass "per-position-long-reads ($rows positions)"; else fail per-position-long-reads; echo "$bad" | note; fi
fi
# --gpu needs --max-pos for the table: exit 2, nothing read; so does FASTQPAR_FORCE_GPU=1 (exit 1)
"$FQSTATS" --gpu --per-position "$tmp/good1.fq" > "$tmp/out" 2> "$tmp/err"; rc=$?
FASTQPAR_FORCE_GPU=1 "$FQSTATS" --per-position "$tmp/good1.fq" > "$tmp/out2" 2> "$tmp/err2"; rc2=$?
if [ "$rc" = 2 ] && [ ! -s "$tmp/out" ] && grep -q -- "--max-pos" "$tmp/err" &&
   [ "$rc2" = 1 ] && [ ! -s "$tmp/out2" ] && grep -q -- "--max-pos" "$tmp/err2"; then
    pass per-position-gpu-needs-max-pos
else
    fail per-position-gpu-needs-max-pos; { echo "exit $rc (want 2), forced $rc2 (want 1)"; cat "$tmp/err" "$tmp/err2"; } | note
fi

# --json --per-position: the tables as JSON, the same numbers as the text
if ! command -v python3 > /dev/null 2>&1; then
    skip json-per-position "python3 not installed"
else
    bad=""
    for q in 20 0; do
        "$FQSTATS" --per-position --json -q $q "$tmp/synthetic.fq" "$tmp/good2.fq" > "$tmp/pp.json" 2> "$tmp/err" || bad="$bad [-q $q: exit $?]"
        "$FQSTATS" --per-position -q $q "$tmp/synthetic.fq" > "$tmp/pp1.txt" 2>> "$tmp/err"
        "$FQSTATS" --per-position -q $q "$tmp/good2.fq" > "$tmp/pp2.txt" 2>> "$tmp/err"
        "$FQSTATS" --per-position --max-pos 50 --json -q $q "$tmp/synthetic.fq" > "$tmp/cap.json" 2>> "$tmp/err"
        "$FQSTATS" --per-position --max-pos 50 -q $q "$tmp/synthetic.fq" > "$tmp/cap.txt" 2>> "$tmp/err"
        python3 - "$tmp/pp.json" "$tmp/pp1.txt" "$tmp/pp2.txt" "$tmp/cap.json" "$tmp/cap.txt" \
            "$tmp/synthetic.fq" "$tmp/good2.fq" > "$tmp/json.log" 2>&1 <<'PY' || bad="$bad [-q $q: $(tail -3 "$tmp/json.log")]"
import json, re, sys
def table(path):
    lines = open(path).read().splitlines()
    m = re.match(r"min_len: (\d+); max_len: (\d+); avg_len: ([\d.]+); (\d+) distinct", lines[0])
    return m, lines[1].split("\t"), [l.split("\t") for l in lines[2:]]
def check(obj, path, name):
    m, head, rows = table(path)
    assert obj["file"] == name, obj["file"]
    assert obj["min_len"] == int(m.group(1)) and obj["max_len"] == int(m.group(2)), obj
    assert obj["avg_len"] == float(m.group(3)) and obj["quality_values"] == int(m.group(4)), obj
    keys = ["bases", "a_pct", "c_pct", "g_pct", "t_pct", "n_pct", "avg_q", "err_q"] + \
           [("q%s_pct" % h[2:]) if h.startswith("%Q") else {"%low": "low_pct", "%high": "high_pct"}[h] for h in head[9:]]
    objs = [obj["all"]] + obj["positions"]
    assert len(objs) == len(rows), (len(objs), len(rows))
    for o, r in zip(objs, rows):
        if r[0] == "ALL": assert "pos" not in o, o
        elif r[0].endswith("+"): assert o["pos"] == int(r[0][:-1]) and o["and_after"] is True, o
        else: assert o["pos"] == int(r[0]) and "and_after" not in o, o
        assert [k for k in o if k not in ("pos", "and_after")] == keys, list(o)
        for k, cell in zip(keys, r[1:]):
            assert o[k] == (int(cell) if k == "bases" else float(cell)), (r[0], k, o[k], cell)
a = json.load(open(sys.argv[1]))
assert isinstance(a, list) and len(a) == 2, len(a)
check(a[0], sys.argv[2], sys.argv[6]); check(a[1], sys.argv[3], sys.argv[7])
c = json.load(open(sys.argv[4]))
assert len(c) == 1 and c[0]["positions"][-1].get("and_after") is True
check(c[0], sys.argv[5], sys.argv[6])
print("ok")
PY
    done
    "$FQSTATS" --per-position --json "$tmp/empty.fq" > "$tmp/empty.json" 2> /dev/null
    python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); assert a[0]["positions"] == [] and a[0]["all"]["avg_q"] is None, a' \
        "$tmp/empty.json" 2> "$tmp/json.log" || bad="$bad [empty: $(cat "$tmp/json.log" "$tmp/empty.json")]"
    if [ -z "$bad" ]; then pass json-per-position; else fail json-per-position; echo "$bad" | note; fi
fi

# ---- the --multiqc output (issue 13) ---------------------------------------

# Created before any input is read: an unwritable path fails at once, even
# when the input is a FIFO nobody writes (reading it would hang: timeout 124).
mkfifo "$tmp/never" 2> /dev/null
timeout 20 "$FQSTATS" --multiqc "$tmp/no-dir/x_mqc.json" "$tmp/never" > "$tmp/out" 2> "$tmp/err"; rc=$?
rm -f "$tmp/never"
if [ "$rc" = 1 ] && [ ! -s "$tmp/out" ] &&
   [ "$(cat "$tmp/err")" = "fqstats: $tmp/no-dir/x_mqc.json: cannot create a file in its directory: No such file or directory" ]; then
    pass multiqc-unwritable-first
else
    fail multiqc-unwritable-first; { echo "exit $rc (want 1)"; cat "$tmp/err"; } | note
fi
# a run that fails leaves no MultiQC file; with -e it holds the good files
rm -f "$tmp/s_mqc.json"
"$FQSTATS" --multiqc "$tmp/s_mqc.json" "$tmp/good1.fq" "$tmp/bad.fq" > /dev/null 2>&1; rc=$?
[ -e "$tmp/s_mqc.json" ]; left=$?
"$FQSTATS" -e --multiqc "$tmp/s_mqc.json" "$tmp/good1.fq" "$tmp/bad.fq" "$tmp/good2.fq" > /dev/null 2>&1; rc_e=$?
samples=$(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["data"]))' "$tmp/s_mqc.json" 2>&1)
if [ "$rc" = 1 ] && [ "$left" = 1 ] && [ "$rc_e" = 0 ] && [ "$samples" = "$tmp/good1.fq $tmp/good2.fq" ]; then
    pass multiqc-failed-run-no-file
else
    fail multiqc-failed-run-no-file; echo "exit $rc (want 1), file left: $((1 - left)), -e exit $rc_e, samples: $samples" | note
fi

# an output that is an input (by name, or through a symbolic link) is refused
# before anything is read or written: exit 2, the input unchanged
cp "$tmp/good1.fq" "$tmp/reads_mqc.json"
ln -s "$tmp/reads_mqc.json" "$tmp/link_mqc.json"
bad=""
for out in "$tmp/reads_mqc.json" "$tmp/link_mqc.json"; do
    "$FQSTATS" --multiqc "$out" "$tmp/good2.fq" "$tmp/reads_mqc.json" > "$tmp/out" 2> "$tmp/err"; rc=$?
    [ "$rc" = 2 ] && [ ! -s "$tmp/out" ] && cmp -s "$tmp/good1.fq" "$tmp/reads_mqc.json" && [ "$(wc -l < "$tmp/err")" = 1 ] &&
        grep -q "refusing to overwrite an input" "$tmp/err" || bad="$bad [$(basename "$out"): exit $rc, $(cat "$tmp/err")]"
done
if [ -z "$bad" ]; then pass multiqc-output-is-input; else fail multiqc-output-is-input; echo "$bad" | note; fi

# ---- the GPU path ---------------------------------------------------------

# No driver: plain fqstats runs on CPU consumers, silently; with -v it says
# why; the numbers are those of --cpu; --gpu (or FASTQPAR_FORCE_GPU=1) exits 1
# naming the missing library, before printing anything on stdout.
nolib=$tmp/no-libcuda.so.1
FASTQPAR_CUDA_LIBRARY=$nolib "$FQSTATS" -a -T "$tmp/synthetic.fq" > "$tmp/auto.tsv" 2> "$tmp/auto.err"; rc=$?
FASTQPAR_CUDA_LIBRARY=$nolib "$FQSTATS" -v -a -T "$tmp/synthetic.fq" > "$tmp/autov.tsv" 2> "$tmp/autov.err"; rc_v=$?
"$FQSTATS" --cpu --verbose -a -T "$tmp/synthetic.fq" > "$tmp/cpu.tsv" 2> "$tmp/cpu.err"; rc_cpu=$?
if [ "$rc" = 0 ] && [ "$rc_v" = 0 ] && [ "$rc_cpu" = 0 ] && [ -s "$tmp/cpu.tsv" ] && cmp -s "$tmp/auto.tsv" "$tmp/cpu.tsv" &&
   cmp -s "$tmp/autov.tsv" "$tmp/cpu.tsv" && [ ! -s "$tmp/auto.err" ] &&
   grep -q "^fqstats: CPU path: .*no usable GPU: .*no-libcuda.so.1" "$tmp/autov.err" &&
   grep -q "^fqstats: CPU path: .*GPU off" "$tmp/cpu.err"; then
    pass gpu-fallback-no-driver
else
    fail gpu-fallback-no-driver
    { echo "rc $rc, -v rc $rc_v, --cpu rc $rc_cpu; stderr without -v:"; cat "$tmp/auto.err"; echo "with -v:"; cat "$tmp/autov.err" "$tmp/cpu.err"; } | note
fi
bad=""
for how in "--gpu" "FASTQPAR_FORCE_GPU=1"; do
    if [ "$how" = --gpu ]; then
        FASTQPAR_CUDA_LIBRARY=$nolib "$FQSTATS" --gpu -a -T "$tmp/synthetic.fq" > "$tmp/out" 2> "$tmp/err"; rc=$?
    else
        FASTQPAR_FORCE_GPU=1 FASTQPAR_CUDA_LIBRARY=$nolib "$FQSTATS" -a -T "$tmp/synthetic.fq" > "$tmp/out" 2> "$tmp/err"; rc=$?
    fi
    if [ "$rc" != 1 ] || [ -s "$tmp/out" ] || ! grep -q "GPU required.*no-libcuda.so.1" "$tmp/err"; then
        bad="$bad [$how: exit $rc, stderr: $(head -c 300 "$tmp/err")]"
    fi
done
"$FQSTATS" --gpu --cpu "$tmp/synthetic.fq" > /dev/null 2>&1; rc=$?
[ "$rc" = 2 ] || bad="$bad [--gpu --cpu: exit $rc, want 2]"
"$FQSTATS" --quiet --cpu -T "$tmp/synthetic.fq" > /dev/null 2> "$tmp/err"
[ -s "$tmp/err" ] && bad="$bad [--quiet printed: $(head -c 200 "$tmp/err")]"
if [ -z "$bad" ]; then pass gpu-required-no-driver; else fail gpu-required-no-driver; echo "$bad" | note; fi

FAKE=$(cd "$(dirname "$FQSTATS")" && pwd)/libfakecuda.so
if [ ! -f "$FAKE" ]; then
    for name in gpu-fake-same gpu-fake-per-position gpu-fake-fails-mid-run gpu-fake-many-consumers; do
        skip "$name" "$FAKE not built (make build/libfakecuda.so)"
    done
else
    # gpu_run OUT ERR ARGS...: fqstats through the fake driver, GPU required,
    # small batches so that the GPU consumer gets many of them.
    gpu_run() {
        local out=$1 err=$2; shift 2
        FASTQPAR_CUDA_LIBRARY=$FAKE FASTQPAR_BATCH_RECORDS=${BATCH:-61} "$FQSTATS" "$@" > "$out" 2> "$err"
    }
    # gpu_batches ERR: batches the GPU consumers finished, from the -v lines.
    gpu_batches() { awk '/GPU consumer [0-9]+ \(device/ { for (i = 1; i < NF; i++) if ($(i + 1) ~ /^batches/) n += $i } END { print n + 0 }' "$1"; }

    gpu_inputs=("${inputs[@]}" "$tmp/letters.fq" "$tmp/empty.fq")
    [ "${FQP_TEST_QUICK:-0}" = 1 ] && gpu_inputs=("$tmp/synthetic.fq" "$tmp/empty.fq")
    bad=""
    for f in "${gpu_inputs[@]}"; do
        name=$(basename "$f")
        "$FQSTATS" --cpu -a -T "$f" > "$tmp/cpu.tsv" 2> /dev/null
        "$FQSTATS" --cpu --json "$f" > "$tmp/cpu.json" 2> /dev/null
        gpu_run "$tmp/gpu.tsv" "$tmp/gpu.err" --gpu -v -t 2 -a -T "$f"; rc=$?
        gpu_run "$tmp/gpu.json" "$tmp/gpu-json.err" --gpu -t 2 --json "$f" || rc=$?
        n=$(gpu_batches "$tmp/gpu.err")
        if [ "$rc" != 0 ] || ! cmp -s "$tmp/cpu.tsv" "$tmp/gpu.tsv" || ! cmp -s "$tmp/cpu.json" "$tmp/gpu.json" || ! grep -q "^fqstats: GPU path: 1 GPU consumer on device 0 (Fake GPU 0" "$tmp/gpu.err" ||
           { [ "$(awk -F'\t' 'NR == 2 { print $4 + 0 }' "$tmp/cpu.tsv")" -gt 500 ] && [ "$n" -lt 1 ]; }; then
            bad="$bad [$name: exit $rc, $n GPU batches: $(diff "$tmp/cpu.tsv" "$tmp/gpu.tsv" | head -4; head -c 300 "$tmp/gpu.err")]"
        fi
    done
    if [ -z "$bad" ]; then pass gpu-fake-same; else fail gpu-fake-same; echo "$bad" | note; fi

    # The per-position table: all counts come from the QC kernel there, also
    # past the --max-pos cap (the synthetic file has reads up to 126 kbp).
    bad=""
    pp_files=("$tmp/synthetic.fq" "$DATA/reads_1.fq.gz" "$DATA/nanopore.fq.gz") pp_max="50 1000"
    [ "${FQP_TEST_QUICK:-0}" = 1 ] && pp_files=("$tmp/synthetic.fq") pp_max=50
    for f in "${pp_files[@]}"; do
        [ -f "$f" ] || continue
        for mp in $pp_max; do
            "$FQSTATS" --cpu --per-position --max-pos $mp "$f" > "$tmp/cpu.txt" 2> /dev/null
            gpu_run "$tmp/gpu.txt" "$tmp/gpu.err" --gpu -v -t 2 --per-position --max-pos $mp "$f"; rc=$?
            n=$(gpu_batches "$tmp/gpu.err")
            if [ "$rc" != 0 ] || [ ! -s "$tmp/cpu.txt" ] || ! cmp -s "$tmp/cpu.txt" "$tmp/gpu.txt" || [ "$n" -lt 1 ]; then
                bad="$bad [$(basename "$f") max-pos $mp: exit $rc, $n GPU batches: $(diff "$tmp/cpu.txt" "$tmp/gpu.txt" | head -4; head -c 300 "$tmp/gpu.err")]"
            fi
        done
    done
    if [ -z "$bad" ]; then pass gpu-fake-per-position; else fail gpu-fake-per-position; echo "$bad" | note; fi

    # A GPU failing mid-run (at its first kernel launch, so that the failure
    # does not depend on how many batches the GPU wins from the CPU consumer):
    # the batches it holds go back to the CPU consumers, the numbers stay
    # exact, stderr says so; under --gpu the same failure is an error.
    f=$tmp/synthetic.fq
    "$FQSTATS" --cpu -a -T "$f" > "$tmp/cpu.tsv" 2> /dev/null
    FAKE_CUDA_FAIL_LAUNCH_AT=1 gpu_run "$tmp/gpu.tsv" "$tmp/gpu.err" -v -t 2 -a -T "$f"; rc=$?
    FAKE_CUDA_FAIL_LAUNCH_AT=1 gpu_run "$tmp/forced.tsv" "$tmp/forced.err" --gpu -t 2 -a -T "$f"; rc_forced=$?
    if [ "$rc" = 0 ] && cmp -s "$tmp/cpu.tsv" "$tmp/gpu.tsv" && grep -q "GPU consumer 0 stopped" "$tmp/gpu.err" &&
       grep -Eq "[1-9][0-9]* batches handed back" "$tmp/gpu.err" && [ "$rc_forced" = 1 ] && [ ! -s "$tmp/forced.tsv" ]; then
        pass gpu-fake-fails-mid-run
    else
        fail gpu-fake-fails-mid-run
        { echo "exit $rc, forced exit $rc_forced"; diff "$tmp/cpu.tsv" "$tmp/gpu.tsv"; cat "$tmp/gpu.err" "$tmp/forced.err"; } | note
    fi

    # Two devices, two consumers each (FASTQPAR_GPU_CONSUMERS), three files in
    # one run: the per-file split of the device counters must be exact too.
    set -- "$tmp/synthetic.fq"
    for g in reads_1.fq.gz reads_2.fq.gz; do [ -f "$DATA/$g" ] && set -- "$@" "$DATA/$g"; done
    "$FQSTATS" --cpu -a -T "$@" > "$tmp/cpu.tsv" 2> /dev/null
    FAKE_CUDA_DEVICES=2 FASTQPAR_GPU_CONSUMERS=2 gpu_run "$tmp/gpu.tsv" "$tmp/gpu.err" --gpu -v -t 5 -a -T "$@"; rc=$?
    consumers=$(grep -c "GPU consumer [0-9]* (device" "$tmp/gpu.err")
    if [ "$rc" = 0 ] && cmp -s "$tmp/cpu.tsv" "$tmp/gpu.tsv" && [ "$consumers" = 4 ] &&
       grep -q "GPU path: 4 GPU consumers on device 0 .*, device 1 .* + 1 CPU consumer thread" "$tmp/gpu.err"; then
        pass gpu-fake-many-consumers
    else
        fail gpu-fake-many-consumers; { echo "exit $rc, $consumers consumers"; diff "$tmp/cpu.tsv" "$tmp/gpu.tsv"; cat "$tmp/gpu.err"; } | note
    fi
fi

[ "$failed" -eq 0 ]
