#!/usr/bin/env bash
# fqfastqc.h against FastQC 0.11.9 itself (Debian package fastqc): tests/
# fqview_ref counts each input with a plain reader and writes fastqc_data.txt
# (and the HTML page, which fqstats --html must equal but for the run table;
# tests/test_html.sh checks the page itself);
# fastqc --extract writes its own, with --nogroup and with its default
# position grouping. Each of our modules (Basic Statistics, Per base sequence
# quality, Per sequence quality scores, Per base sequence content, Per sequence
# GC content, Per base N content, Sequence Length Distribution) must equal
# FastQC's: the same header line with its status, the same rows, text-equal.
# The one documented tolerance (fqfastqc.h): Per sequence GC content's counts,
# whose sums FastQC adds in read order, within a relative 1e-9 (exact when
# every read has one cut length); the comparison is tests/fastqc_compare.sh,
# which bench.sh's fastqc job also uses. Inputs: the seqkit-examples reads (Debian
# package seqkit-examples; SKIP when missing) and fqgen files: fixed and
# varying lengths, long reads, CRLF, gzip, N, IUPAC codes, '.', lowercase,
# empty reads, Phred+64 (Illumina 1.5 and 1.3). Then: Java's Double.toString
# against fqfastqc.h's formatter, and MultiQC (1.14) reading our file as a
# FastQC sample. SKIP when fastqc / multiqc / java is missing.
set -u
B=${FQP_BUILD:-build}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fqp-fastqc.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
pass() { echo "PASS $1"; }
bad() { echo "FAIL $1: $2"; fail=1; }

if ! command -v fastqc > /dev/null; then
    echo "SKIP fastqc: not installed (Debian package fastqc)"
    exit 0
fi

# ---- inputs ----
mkdir -p "$tmp/in" "$tmp/ng" "$tmp/g" "$tmp/ours"
E=/usr/share/doc/seqkit-examples/tests
# With --nogroup FastQC draws graphs max(800, 15 * positions) pixels wide:
# long reads would need gigabytes there, so they run with grouping only.
nogroup=() # the inputs compared with --nogroup
grouped=() # the inputs compared with FastQC's default grouping
if [ -d "$E" ]; then
    for f in reads_1.fq.gz reads_2.fq.gz Illimina1.5.fq Illimina1.8.fq.gz; do [ -f "$E/$f" ] && nogroup+=("$E/$f"); done
    for f in reads_1.fq.gz Illimina1.8.fq.gz nanopore.fq.gz pcs109_5k.fq.gz; do [ -f "$E/$f" ] && grouped+=("$E/$f"); done
else
    echo "SKIP fastqc-seqkit-examples: $E missing (Debian package seqkit-examples)"
fi
I=$tmp/in
"$B/fqgen" -n 2000 -s 31 -l 150 --crlf > "$I/g_fixed.fq"
"$B/fqgen" -n 2000 -s 32 -l 30-300 | gzip -1 > "$I/g_vary.fq.gz"
"$B/fqgen" -n 300 -s 33 -l 500-3000 > "$I/g_long.fq"
# lowercase reads, an N in a third of the reads at position 5 (N content
# fails there), IUPAC codes in either case, '.', a lowercase n
"$B/fqgen" -n 1500 -s 34 -l 100 | awk 'NR % 4 == 2 { n = (NR - 2) / 4
    if (n % 7 == 0) $0 = tolower($0)
    if (n % 3 == 0) $0 = substr($0, 1, 4) "N" substr($0, 6)
    if (n % 5 == 0) $0 = substr($0, 1, 10) "R" substr($0, 12, 20) "y" substr($0, 33, 10) "." substr($0, 44)
    if (n % 11 == 0) $0 = substr($0, 1, 60) "n" substr($0, 62) } { print }' > "$I/g_iupac.fq"
"$B/fqgen" -n 1000 -s 35 -l 20-80 --empty-every 50 > "$I/g_empty.fq"
# Phred+64: qualities '#'..'J' moved up by 31 (lowest 'B': Illumina 1.5)
# and by 30 (lowest 'A': Illumina 1.3)
"$B/fqgen" -n 1500 -s 36 -l 120 | awk 'BEGIN { for (i = 33; i < 127; i++) o[sprintf("%c", i)] = i }
    NR % 4 == 0 { s = ""; for (i = 1; i <= length($0); i++) s = s sprintf("%c", o[substr($0, i, 1)] + 31); $0 = s } { print }' \
    > "$I/g_phred64.fq"
"$B/fqgen" -n 800 -s 37 -l 90 | awk 'BEGIN { for (i = 33; i < 127; i++) o[sprintf("%c", i)] = i }
    NR % 4 == 0 { s = ""; for (i = 1; i <= length($0); i++) s = s sprintf("%c", o[substr($0, i, 1)] + 30); $0 = s } { print }' \
    > "$I/g_phred13.fq"
nogroup+=("$I/g_fixed.fq" "$I/g_vary.fq.gz" "$I/g_iupac.fq" "$I/g_empty.fq" "$I/g_phred64.fq" "$I/g_phred13.fq")
grouped+=("$I/g_vary.fq.gz" "$I/g_long.fq" "$I/g_iupac.fq" "$I/g_phred64.fq")

# ---- FastQC, two runs of two threads ----
if ! timeout 300 fastqc -q -t 2 --extract --nogroup -o "$tmp/ng" "${nogroup[@]}" > "$tmp/fastqc.log" 2>&1 ||
   ! timeout 300 fastqc -q -t 2 --extract -o "$tmp/g" "${grouped[@]}" >> "$tmp/fastqc.log" 2>&1; then
    bad fastqc-runs "$(tail -3 "$tmp/fastqc.log")"
    exit 1
fi

tool="fqstats $("$B/fqstats" --version | awk '{ print $NF }')" # fqview_ref's page names it so
no_run() { sed '/<table class="run">/,/<\/table>/d' "$1"; } # a page but its run table
compare() { # compare MODE FILE
    local mode=$1 f=$2 b opt="" ok=1 fuzzy=""
    b=$(basename "$f"); b=${b%.gz}; b=${b%.fq}
    [ "$mode" = ng ] && opt=--nogroup
    local theirs=$tmp/$mode/${b}_fastqc/fastqc_data.txt ours=$tmp/ours/$mode-$b.txt
    [ -f "$theirs" ] || { bad "fastqc-$mode-$b" "FastQC wrote no $theirs"; return; }
    "$B/fqview_ref" $opt --fastqc-data "$ours" --html "$ours.html" --tool "$tool" "$f" 2> "$tmp/err" ||
        { bad "fastqc-$mode-$b" "$(head -2 "$tmp/err")"; return; }
    # fqstats (the pipeline's counters) writes the same bytes as the plain
    # reader, and the same page but for the run table
    if ! "$B/fqstats" -Q $opt --fastqc-data "$ours.fqstats" --html "$ours.fqstats.html" "$f" > /dev/null 2> "$tmp/err"; then
        ok=0; bad "fastqc-$mode-$b-fqstats" "$(head -2 "$tmp/err")"
    elif ! cmp -s "$ours" "$ours.fqstats"; then
        ok=0; bad "fastqc-$mode-$b-fqstats" "fqstats --fastqc-data differs from fqview_ref: $(diff "$ours" "$ours.fqstats" | head -3)"
    elif ! cmp -s <(no_run "$ours.html") <(no_run "$ours.fqstats.html"); then
        ok=0; bad "fastqc-$mode-$b-fqstats-html" "fqstats --html differs from fqview_ref's page: $(diff <(no_run "$ours.html") <(no_run "$ours.fqstats.html") | head -3 | cut -c1-160)"
    fi
    # the version line and each module: one line "NAME<TAB>result" (tests/fastqc_compare.sh)
    local rc=0 name res
    "$here/fastqc_compare.sh" "$theirs" "$ours" > "$tmp/cmp" 2> "$tmp/err" || rc=$?
    if [ "$rc" -gt 1 ]; then bad "fastqc-$mode-$b" "fastqc_compare.sh: $(head -2 "$tmp/err")"; return; fi
    while IFS=$'\t' read -r name res; do
        case $res in
        equal) ;;
        within*) fuzzy=" (GC counts within 1e-9)" ;;
        *) ok=0; bad "fastqc-$mode-$b-$name" "$res" ;;
        esac
    done < "$tmp/cmp"
    [ $ok = 1 ] && pass "fastqc-$mode-$b: 7 modules as FastQC's$fuzzy, fqstats the same (and its page)"
}
for f in "${nogroup[@]}"; do compare ng "$f"; done
for f in "${grouped[@]}"; do compare g "$f"; done

# ---- Java's Double.toString against fqf__jdouble ----
if command -v java > /dev/null && command -v javac > /dev/null; then
    mkdir -p "$tmp/java"
    cat > "$tmp/java/Fmt.java" << 'EOF'
import java.io.*;
public class Fmt {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out)));
        for (String line; (line = in.readLine()) != null;) {
            String bits = line.substring(0, 16);
            out.println(bits + "\t" + Double.toString(Double.longBitsToDouble(Long.parseUnsignedLong(bits, 16))));
        }
        out.flush();
    }
}
EOF
    "$B/fqview_ref" --java-doubles 400000 > "$tmp/java/ours.txt" &&
    java "$tmp/java/Fmt.java" < "$tmp/java/ours.txt" > "$tmp/java/java.txt" 2> "$tmp/err"
    if [ ! -s "$tmp/java/java.txt" ]; then bad java-doubles "java failed: $(head -2 "$tmp/err")"
    elif cmp -s "$tmp/java/ours.txt" "$tmp/java/java.txt"; then pass "java-doubles: 400000 values as Double.toString"
    else bad java-doubles "$(diff "$tmp/java/java.txt" "$tmp/java/ours.txt" | head -3 | tr '\n' ' ')"; fi
else
    echo "SKIP java-doubles: no java/javac"
fi

# ---- MultiQC reads our file as a FastQC sample ----
if ! command -v multiqc > /dev/null; then
    echo "SKIP multiqc-fastqc: not installed (Debian package multiqc)"
    exit $fail
fi
M=$tmp/mqc
mkdir -p "$M/in/ours_vary_fastqc" "$M/in/ours_fixed_fastqc"
"$B/fqview_ref" --name ours_vary.fq.gz --fastqc-data "$M/in/ours_vary_fastqc/fastqc_data.txt" "$I/g_vary.fq.gz" &&
"$B/fqview_ref" --nogroup --name ours_fixed.fq --fastqc-data "$M/in/ours_fixed_fastqc/fastqc_data.txt" "$I/g_fixed.fq" ||
    bad multiqc-input "fqview_ref failed"
# fqstats with several inputs: a folder of NAME_fastqc/fastqc_data.txt, as fastqc --extract leaves them
"$B/fqstats" -Q --fastqc-data "$M/in/fqstats" "$I/g_empty.fq" "$I/g_iupac.fq" > /dev/null 2> "$tmp/err" ||
    bad multiqc-input-fqstats "$(head -2 "$tmp/err")"
[ -f "$M/in/fqstats/g_empty_fastqc/fastqc_data.txt" ] && [ -f "$M/in/fqstats/g_iupac_fastqc/fastqc_data.txt" ] ||
    bad fqstats-fastqc-folder "$(find "$M/in/fqstats" | head -5 | tr '\n' ' ')"
if ! timeout 300 multiqc -f -o "$M/out" "$M/in" > "$M/log" 2>&1 || [ ! -f "$M/out/multiqc_data/multiqc_fastqc.txt" ]; then
    bad multiqc-fastqc "$(grep -i 'error\|no analysis' "$M/log" | head -2) $(ls "$M/out/multiqc_data" 2> /dev/null | tr '\n' ' ')"
    exit 1
fi
col() { # col SAMPLE COLUMN: the value in multiqc_fastqc.txt
    awk -F'\t' -v s="$1" -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } $1 == s { print $(h[c]) }' \
        "$M/out/multiqc_data/multiqc_fastqc.txt"
}
for s in ours_vary:2000 ours_fixed:2000 g_empty:1000 g_iupac:1500; do
    got=$(col "${s%%:*}" "Total Sequences")
    if awk -v a="$got" -v b="${s#*:}" 'BEGIN { exit !(a != "" && a + 0 == b + 0) }'; then
        pass "multiqc-fastqc-${s%%:*}: Total Sequences $got, encoding '$(col "${s%%:*}" Encoding)'"
    else
        bad "multiqc-fastqc-${s%%:*}" "Total Sequences '$got', want ${s#*:} ($(head -c 300 "$M/out/multiqc_data/multiqc_fastqc.txt"))"
    fi
done
# MultiQC's per-module status table has our statuses
got=$(col ours_fixed per_base_sequence_quality)
exp=$(awk -F'\t' '/^>>Per base sequence quality/ { print $2 }' "$M/in/ours_fixed_fastqc/fastqc_data.txt")
[ -n "$got" ] && [ "$got" = "$exp" ] && pass "multiqc-fastqc-status: per_base_sequence_quality $got" ||
    bad multiqc-fastqc-status "MultiQC has '$got', our file '$exp'"
exit $fail
