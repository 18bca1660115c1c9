#!/usr/bin/env bash
# A quick side-by-side: fastqpar's fqcnt/fqstats against kseq.h's fqcnt and
# seqkit stats on one generated file, plain and gzip. Prints medians of
# RUNS runs (after a warm-up) and the ratio fastqpar/peer as Markdown.
# Usage: tests/bench/quick.sh [RECORDS] [RUNS]      (needs hyperfine)
# The full benchmark of issue 4 replaces this.
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-1000000}; runs=${2:-9}
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)"; exit 1; }
make -s build/fqcnt build/fqstats build/fqgen
cc -O2 -o build/kseq_fqcnt tests/kseq_fqcnt.c -lz 2>/dev/null || true
dir=${TMPDIR:-/tmp}/fqp-bench; mkdir -p "$dir"
fq=$dir/r$n.fq
[ -s "$fq" ] || build/fqgen -n "$n" -s 7 > "$fq"
[ -s "$fq.gz" ] || gzip -6 -c "$fq" > "$fq.gz"
t=$(nproc)
median() { # command... -> median seconds
    hyperfine -N --warmup 1 --runs "$runs" --export-json "$dir/h.json" "$1" >/dev/null 2>&1
    sed -n 's/.*"median": *\([0-9.e-]*\).*/\1/p' "$dir/h.json" | head -1
}
row() { # job, fastqpar command, peer command
    local a b; a=$(median "$2"); b=$(median "$3")
    printf '| %s | `%s` | %.3f | `%s` | %.3f | %.2f |\n' "$1" "$2" "$a" "$3" "$b" "$(echo "$a / $b" | bc -l)"
}
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(date -u +%Y-%m-%d)"
echo "Input: $n reads of 150 bp ($(du -h "$fq" | cut -f1) plain, $(du -h "$fq.gz" | cut -f1) gzip), page cache warm; medians of $runs runs"
echo
echo "| job | fastqpar | s | peer | s | ratio |"
echo "|---|---|---:|---|---:|---:|"
if [ -x build/kseq_fqcnt ]; then
    row "count, plain, 1 thread" "build/fqcnt -t 1 $fq" "build/kseq_fqcnt $fq"
    row "count, plain, $t threads" "build/fqcnt -t $t $fq" "build/kseq_fqcnt $fq"
    row "count, gzip" "build/fqcnt -t $t $fq.gz" "build/kseq_fqcnt $fq.gz"
fi
if command -v seqkit >/dev/null; then
    row "stats -a, plain" "build/fqstats -a -t $t $fq" "seqkit stats -a -j $t $fq"
    row "stats -a, gzip" "build/fqstats -a -t $t $fq.gz" "seqkit stats -a -j $t $fq.gz"
fi
