#!/usr/bin/env bash
# fqstats and fqtrim --multiqc: MultiQC (Debian's multiqc 1.14) run on a folder
# of their *_mqc.json finds them, and our exact numbers (num_seqs, sum_len,
# per-position mean quality, reads in/written, bases trimmed) reach
# multiqc_data/. Also: a name not ending in _mqc.json is refused. SKIP for the
# MultiQC part when multiqc is missing (Debian package multiqc).
set -u
B=${FQP_BUILD:-build}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fqp-multiqc.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
pass() { echo "PASS $1"; }
bad() { echo "FAIL $1: $2"; fail=1; }
"$B/fqgen" -n 3000 -s 21 -l 1-180 > "$tmp/s1.fq"
"$B/fqgen" -n 2000 -s 22 -l 150 > "$tmp/s2.fq"
mkdir "$tmp/qc"

# names MultiQC would not read are refused before anything runs
for tool in fqstats fqtrim; do
    args="$tmp/s1.fq"; [ $tool = fqtrim ] && args="-q 20 -o $tmp/x.fq $tmp/s1.fq"
    for name in "$tmp/qc/stats.json" "$tmp/qc/stats_mqc.yaml" "$tmp/qc/_mqc.json/"; do
        if "$B/$tool" --multiqc "$name" $args > /dev/null 2> "$tmp/err"; then bad "$tool-refuses-$(basename "$name")" "exit 0"
        elif grep -q "must end in _mqc.json" "$tmp/err" && [ ! -e "$name" ]; then pass "$tool-refuses-$(basename "$name")"
        else bad "$tool-refuses-$(basename "$name")" "$(head -2 "$tmp/err")"; fi
    done
done

"$B/fqstats" --quiet -a -T --multiqc "$tmp/qc/stats_mqc.json" "$tmp/s1.fq" "$tmp/s2.fq" > "$tmp/stats.tsv" &&
"$B/fqstats" --quiet --per-position --multiqc "$tmp/qc/quality_mqc.json" "$tmp/s1.fq" "$tmp/s2.fq" > "$tmp/fqchk.txt" &&
"$B/fqtrim" --quiet -q 25 -m 40 --multiqc "$tmp/qc/trim_mqc.json" -o "$tmp/t1.fq" "$tmp/s1.fq" ||
    bad tools-run "a tool failed"
# the files are valid JSON with MultiQC's keys
if command -v python3 > /dev/null; then
    for f in stats quality trim; do
        if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert {"id","section_name","plot_type","pconfig","data"} <= set(d) and d["data"]' \
            "$tmp/qc/${f}_mqc.json" 2> "$tmp/err"; then pass "json-$f"
        else bad "json-$f" "$(tail -1 "$tmp/err")"; fi
    done
fi

if ! command -v multiqc > /dev/null; then
    echo "SKIP multiqc: not installed (Debian package multiqc)"
    exit $fail
fi
if ! timeout 300 multiqc -q -f -o "$tmp/out" "$tmp/qc" > "$tmp/mqc.log" 2>&1 || [ ! -d "$tmp/out/multiqc_data" ]; then
    bad multiqc-runs "$(tail -3 "$tmp/mqc.log")"
    exit 1
fi
grep -q "No analysis results found" "$tmp/mqc.log" && bad multiqc-finds "No analysis results found"
D=$tmp/out/multiqc_data
# MultiQC's sample names are the file names without .fq
col() { # col FILE SAMPLE COLUMN: the value in MultiQC's tsv
    awk -F'\t' -v s="$2" -v c="$3" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } $1 == s { print $(h[c]) }' "$1"
}
want() { awk -F'\t' -v f="$1" -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } $1 == f { print $(h[c]) }' "$tmp/stats.tsv"; }
ok=1
for s in s1 s2; do
    for c in num_seqs:num_seqs sum_len:sum_len max_len:max_len 'n50:N50'; do
        got=$(col "$D/multiqc_fqstats_stats_table.txt" "$s" "${c%%:*}"); exp=$(want "$tmp/$s.fq" "${c#*:}")
        [ -n "$exp" ] && [ "$got" = "$exp" ] || { ok=0; bad "multiqc-fqstats-$s-${c%%:*}" "MultiQC has '$got', fqstats '$exp'"; }
    done
done
[ $ok = 1 ] && pass "multiqc-fqstats-table (num_seqs $(want "$tmp/s1.fq" num_seqs), sum_len $(want "$tmp/s1.fq" sum_len))"
grep -q '"fqstats_stats_table"\|fqstats_stats' "$D/multiqc_data.json" && pass multiqc-data-json-fqstats ||
    bad multiqc-data-json-fqstats "not in multiqc_data.json"

# the line graph: MultiQC's row for s2 holds fqstats' avgQ at positions 1, 75, 150
f=$D/multiqc_fqstats_per_position_quality.txt
if [ -f "$f" ]; then
    ok=1
    for pos in 1 75 150; do
        exp=$(awk -v p="$pos" '/==> .*s2.fq <==/ { on = 1; next } /==>/ { on = 0 } on && $1 == p { print $8 }' "$tmp/fqchk.txt")
        got=$(awk -F'\t' -v s=s2 -v p="$pos" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i + 0 == p) c = i; next } $1 == s { print $c }' "$f")
        [ -n "$exp" ] && awk -v a="$got" -v b="$exp" 'BEGIN { exit !(a + 0 == b + 0) }' ||
            { ok=0; bad "multiqc-quality-pos$pos" "MultiQC has '$got', fqstats avgQ '$exp'"; }
    done
    [ $ok = 1 ] && pass multiqc-fqstats-per-position-graph
else
    bad multiqc-fqstats-per-position-graph "no $(basename "$f"): $(ls "$D" | tr '\n' ' ')"
fi

# fqtrim: reads in, reads written (= records in its output), bases trimmed
kept=$(($(wc -l < "$tmp/t1.fq") / 4))
trimmed=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["data"]["'"$tmp"'/s1.fq"]["bases_trimmed"])' "$tmp/qc/trim_mqc.json" 2> /dev/null)
f=$D/multiqc_fqtrim_summary_table.txt
if [ -f "$f" ] && [ "$(col "$f" s1 reads_in)" = 3000 ] && [ "$(col "$f" s1 reads_written)" = "$kept" ] &&
   [ "$kept" -gt 0 ] && [ "$kept" -lt 3000 ] && [ -n "$trimmed" ] && [ "$(col "$f" s1 bases_trimmed)" = "$trimmed" ]; then
    pass "multiqc-fqtrim-summary (reads_in 3000, reads_written $kept, bases_trimmed $trimmed)"
else
    bad multiqc-fqtrim-summary "reads_written '$( [ -f "$f" ] && col "$f" s1 reads_written)' vs $kept kept"
fi
exit $fail
