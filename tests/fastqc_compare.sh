#!/usr/bin/env bash
# tests/fastqc_compare.sh - one fastqc_data.txt (ours: fqfastqc.h, through
# fqstats --fastqc-data or tests/fqview_ref) against FastQC's own (fastqc
# --extract: NAME_fastqc/fastqc_data.txt), module by module. Used by
# tests/test_fastqc.sh and by tests/bench/bench.sh (the fastqc job).
#
# usage: tests/fastqc_compare.sh THEIRS OURS
#
# Compared: the "##FastQC" version line and the seven modules fqfastqc.h
# writes (Basic Statistics, Per base sequence quality, Per sequence quality
# scores, Per base sequence content, Per sequence GC content, Per base N
# content, Sequence Length Distribution), each from its ">>NAME<TAB>status"
# line to its ">>END_MODULE", text-equal line by line. The one documented
# tolerance (fqfastqc.h): Per sequence GC content's counts, whose sums FastQC
# adds in read order, may differ by a relative 1e-9 (rows "x<TAB>number"
# after the two header lines, same x). FastQC's other modules are ignored.
#
# Prints one line per item, the name with spaces as _, a tab, and one of
#   equal                  text-equal
#   within 1e-9            equal but for GC counts within the tolerance
#   missing in ours        (or "missing in FastQC's")
#   line N: FastQC "...", ours "..."    the first difference
#   FastQC has N lines, ours M
# Exit status: 0 when every item is equal or within, 1 otherwise, 2 when a
# file cannot be read.
set -u
if [ $# -ne 2 ]; then
    echo "usage: $0 THEIRS OURS" >&2
    exit 2
fi
for f in "$1" "$2"; do
    [ -r "$f" ] || { echo "fastqc_compare: cannot read $f" >&2; exit 2; }
done
LC_ALL=C awk -v tol=1e-9 '
    BEGIN {
        want = "version Basic_Statistics Per_base_sequence_quality Per_sequence_quality_scores " \
               "Per_base_sequence_content Per_sequence_GC_content Per_base_N_content " \
               "Sequence_Length_Distribution"
        nw = split(want, names, " ")
    }
    FNR == 1 { side = (NR == 1) ? "t" : "o"; cur = "" }
    # each module: its lines, header and END_MODULE included, as cnt[side, name]
    /^##FastQC/ { has[side, "version"] = 1; line[side, "version", 1] = $0; cnt[side, "version"] = 1; next }
    /^>>END_MODULE/ { if (cur != "") line[side, cur, ++cnt[side, cur]] = $0; cur = ""; next }
    /^>>/ { cur = substr($0, 3); sub(/\t.*/, "", cur); gsub(/ /, "_", cur)
            has[side, cur] = 1; cnt[side, cur] = 0 }
    cur != "" { line[side, cur, ++cnt[side, cur]] = $0 }
    END {
        bad = 0
        for (k = 1; k <= nw; k++) {
            m = names[k]
            if (!(("o", m) in has)) { print m "\tmissing in ours"; bad = 1; continue }
            if (!(("t", m) in has)) { print m "\tmissing in FastQC'"'"'s"; bad = 1; continue }
            n = cnt["t", m]; o = cnt["o", m]; fuzzy = 0; msg = ""
            for (i = 1; i <= (n > o ? n : o); i++) {
                a = (i <= n) ? line["t", m, i] : ""; b = (i <= o) ? line["o", m, i] : ""
                if (i <= n && i <= o && a == b) continue
                if (m == "Per_sequence_GC_content" && i > 2 && i <= n && i <= o) {
                    split(a, x, "\t"); split(b, y, "\t")
                    d = x[2] - y[2]; if (d < 0) d = -d; s = x[2] < 0 ? -x[2] : x[2]
                    if (x[1] == y[1] && x[2] ~ /^[0-9.eE+-]+$/ && y[2] ~ /^[0-9.eE+-]+$/ && d <= tol * s) {
                        fuzzy = 1; continue
                    }
                }
                if (i <= n && i <= o) msg = "line " i ": FastQC \"" a "\", ours \"" b "\""
                else msg = "FastQC has " n " lines, ours " o
                break
            }
            if (msg != "") { print m "\t" msg; bad = 1 }
            else print m "\t" (fuzzy ? "within " tol : "equal")
        }
        exit bad
    }' "$1" "$2"
