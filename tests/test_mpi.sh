#!/usr/bin/env bash
# fqstats_mpi (make mpi): `mpirun -np 1..4 --oversubscribe` on one machine;
# every rank counts its shard of each input (plain and BGZF by bytes, gzip
# whole on rank k mod N), one MPI_Reduce per input sums the counters on rank 0,
# and the output (-a -T, --per-position, --json, --fastqc-data) is byte for
# byte that of one fqstats process. SKIP without Open MPI (Debian:
# openmpi-bin libopenmpi-dev).
set -u
B=${FQP_BUILD:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fqp-mpi.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
pass() { echo "PASS $1"; }
bad() { echo "FAIL $1: $2"; fail=1; }
if ! command -v mpicc > /dev/null || ! command -v mpirun > /dev/null; then
    echo "SKIP mpi: Open MPI not installed (Debian packages openmpi-bin libopenmpi-dev)"
    exit 0
fi
# the Makefile's rule, into this build's directory
make -s -C "$root" mpi BUILD="$B" > "$tmp/make.log" 2>&1 || { bad mpi-build "$(tail -3 "$tmp/make.log")"; exit 1; }
cd "$tmp" || exit 1
"$B/fqgen" -n 4000 -s 41 -l 0-250 --empty-every 31 > var.fq
"$B/fqgen" -n 150 -s 42 -l 60000-80000 > long.fq   # lengths past the dense histogram: gathered pairs
gzip -c var.fq > var.fq.gz
inputs="var.fq long.fq var.fq.gz"
command -v bgzip > /dev/null && bgzip -c var.fq > var.bgzf.gz && inputs="$inputs var.bgzf.gz"
S=/usr/share/doc/seqkit-examples/tests
[ -r "$S/reads_1.fq.gz" ] && gzip -dc "$S/reads_1.fq.gz" > reads_1.fq && inputs="$inputs reads_1.fq"
# Open MPI refuses root without these; --oversubscribe: more ranks than cores
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none # no CMA in containers
for mode in "-a -T" "--per-position" "--json"; do
    # shellcheck disable=SC2086
    "$B/fqstats" -Q $mode $inputs > single 2> err || { bad "mpi-single" "$(head -1 err)"; continue; }
    for np in 1 2 3 4; do
        # shellcheck disable=SC2086
        if ! timeout 120 mpirun -np $np --oversubscribe "$B/fqstats_mpi" -Q -j 1 $mode $inputs > ranks 2> err; then
            bad "mpi-np$np-$mode" "$(grep -v '^\s*$' err | head -3)"
        elif cmp -s single ranks; then pass "mpi-np$np-$mode: as one process"
        else bad "mpi-np$np-$mode" "$(diff single ranks | head -3)"; fi
    done
done
"$B/fqstats" -Q --fastqc-data one.txt long.fq > /dev/null
timeout 120 mpirun -np 3 --oversubscribe "$B/fqstats_mpi" -Q -j 1 --fastqc-data three.txt long.fq > /dev/null 2> err
if cmp -s one.txt three.txt; then pass mpi-fastqc-data; else bad mpi-fastqc-data "$(head -2 err; diff one.txt three.txt | head -3)"; fi
# the reports are rank 0's alone (other ranks must not write or replace them)
"$B/fqstats" -Q --counts one.json --html one.html --multiqc one_mqc.json var.fq long.fq > /dev/null
timeout 120 mpirun -np 4 --oversubscribe "$B/fqstats_mpi" -Q -j 1 --counts four.json --html four.html \
    --multiqc four_mqc.json var.fq long.fq > /dev/null 2> err
if ! cmp -s one.json four.json; then bad mpi-counts "$(head -2 err; diff one.json four.json | head -3)"
elif ! cmp -s one_mqc.json four_mqc.json; then bad mpi-multiqc "$(diff one_mqc.json four_mqc.json | head -3)"
elif ! cmp -s <(sed '/<table class="run">/,/<\/table>/d' one.html) <(sed '/<table class="run">/,/<\/table>/d' four.html); then
    bad mpi-html "the page differs beyond its run table"
else pass "mpi-reports: --counts, --multiqc and --html as one process's"; fi
# an error in one rank's shard: named with its shard, exit 1, no table
printf '@r1\nACGT\n+\nIIII\n@r2\nACGT\n+\nIII\n' > broken.fq
for i in $(seq 200); do printf '@x%d\nACGTACGT\n+\nIIIIIIII\n' "$i"; done >> broken.fq
if timeout 120 mpirun -np 2 --oversubscribe "$B/fqstats_mpi" -Q -a broken.fq > out 2> err; then bad mpi-error "exit 0"
elif grep -q "broken.fq (shard 0/2)" err && [ ! -s out ]; then pass mpi-error
else bad mpi-error "$(grep -v '^\s*$' err | head -2)"; fi
exit $fail
