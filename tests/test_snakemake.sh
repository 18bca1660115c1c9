#!/usr/bin/env bash
# examples/snakemake/Snakefile under Snakemake (Debian snakemake 7) with
# --cores 2: shards counted by fqstats --shard, merged by fqstats --merge; the
# merged table, fastqc_data.txt and page equal one fqstats run over the input.
# Plain, BGZF and ordinary gzip inputs, 1 and 5 shards. SKIP without snakemake.
set -u
B=${FQP_BUILD:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fqp-smk.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
pass() { echo "PASS $1"; }
bad() { echo "FAIL $1: $2"; fail=1; }
if ! command -v snakemake > /dev/null; then
    echo "SKIP snakemake: not installed (Debian package snakemake)"
    exit 0
fi
cd "$tmp" || exit 1
"$B/fqgen" -n 5000 -s 51 -l 20-300 --empty-every 61 > in.fq
gzip -c in.fq > in.fq.gz
inputs="in.fq in.fq.gz"
command -v bgzip > /dev/null && bgzip -c in.fq > in.bgzf.gz && inputs="$inputs in.bgzf.gz"
for f in $inputs; do
    "$B/fqstats" -Q -a -T --fastqc-data single.txt --html single.html "$f" > single.tsv
    for n in 1 5; do
        out=$tmp/run-$f-$n
        if ! timeout 300 snakemake -q -s "$root/examples/snakemake/Snakefile" --cores 2 --directory "$out" \
            --config input="$tmp/$f" shards=$n fqstats="$B/fqstats" > "$out.log" 2>&1; then
            bad "snakemake-$f-$n" "$(tail -3 "$out.log")"; continue
        fi
        jobs=$(ls "$out/counts" | wc -l)
        if [ "$jobs" != $n ]; then bad "snakemake-$f-$n" "$jobs counts files for $n shards"
        elif ! cmp -s single.tsv "$out/stats.tsv"; then bad "snakemake-$f-$n" "stats: $(diff single.tsv "$out/stats.tsv" | head -3)"
        elif ! cmp -s single.txt "$out/fastqc_data.txt"; then bad "snakemake-$f-$n" "fastqc_data.txt differs"
        elif ! cmp -s <(sed '/<table class="run">/,/<\/table>/d' single.html) \
                      <(sed '/<table class="run">/,/<\/table>/d' "$out/report.html"); then
            bad "snakemake-$f-$n" "report.html differs (beyond the run table)"
        else pass "snakemake-$f-$n: $n shards merged as one run"; fi
    done
done
exit $fail
