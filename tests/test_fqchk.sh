#!/usr/bin/env bash
# fqstats --per-position against `seqtk fqchk` (Debian seqtk): the same table,
# byte for byte, on the seqkit-examples files and generated files.
# SKIP where seqtk or the examples are missing.
set -u
B=${FQP_BUILD:-build}
T=/usr/share/doc/seqkit-examples/tests
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fqp-fqchk.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
if ! command -v seqtk >/dev/null; then
    echo "SKIP fqchk: seqtk not installed (apt-get install seqtk)"; exit 0
fi
"$B/fqgen" -n 3000 -s 5 -l 50-300 > "$tmp/gen.fq"
"$B/fqgen" -n 500 -s 6 -l 1000-5000 > "$tmp/long.fq"
"$B/fqgen" -n 2000 -s 8 --empty-every 7 -w 60 > "$tmp/empty_wrapped.fq"
files="$tmp/gen.fq $tmp/long.fq $tmp/empty_wrapped.fq"
if [ -d "$T" ]; then
    files="$files $T/Illimina1.8.fq.gz $T/reads_1.fq.gz $T/reads_2.fq.gz $T/nanopore.fq.gz $T/pcs109_5k.fq.gz"
else
    echo "SKIP fqchk:seqkit-examples: $T missing (apt-get install seqkit-examples)"
fi
for f in $files; do
    name=fqchk:$(basename "$f")
    for t in 1 3; do
        seqtk fqchk "$f" > "$tmp/want" 2>&1
        if ! "$B/fqstats" --per-position --max-pos 8192 -t $t "$f" > "$tmp/got" 2> "$tmp/err"; then
            echo "FAIL $name:t$t: fqstats failed: $(head -3 "$tmp/err")"; fail=1; continue
        fi
        if cmp -s "$tmp/want" "$tmp/got"; then echo "PASS $name:t$t"
        else echo "FAIL $name:t$t"; diff "$tmp/want" "$tmp/got" | head -10; fail=1; fi
    done
done
# -q0: the per-quality percentage columns
seqtk fqchk -q0 "$tmp/gen.fq" > "$tmp/want"
"$B/fqstats" --per-position -q 0 "$tmp/gen.fq" > "$tmp/got" 2> "$tmp/err"
cmp -s "$tmp/want" "$tmp/got" && echo "PASS fqchk:q0" || { echo "FAIL fqchk:q0"; diff "$tmp/want" "$tmp/got" | head; fail=1; }
# past --max-pos the rest of each read is one row "N+1+", and nothing is lost
"$B/fqstats" --per-position --max-pos 100 "$tmp/long.fq" > "$tmp/cap" 2> "$tmp/err"
rows=$(awk -F'\t' '$1 ~ /^[0-9]+\+?$/' "$tmp/cap" | wc -l)
last=$(awk -F'\t' 'END { print $1 }' "$tmp/cap")
sum=$(awk -F'\t' '$1 ~ /^[0-9]+\+?$/ { s += $2 } $1 == "ALL" { all = $2 } END { print s == all ? "same" : s " vs " all }' "$tmp/cap")
if [ "$rows" = 101 ] && [ "$last" = "101+" ] && [ "$sum" = same ]; then echo "PASS fqchk:max-pos-cap"
else echo "FAIL fqchk:max-pos-cap: $rows rows, last '$last', bases $sum"; fail=1; fi
exit $fail
