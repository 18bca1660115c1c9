#!/usr/bin/env bash
# tests/bench/bench.sh - the side-by-side benchmark of issue 4 (`make bench`).
#
# fastqpar's example tools against their peers on the same generated files:
#   count    fqcnt                      vs kseq.h fqcnt (tests/kseq_fqcnt.c
#            against htslib/kseq.h): plain, gzip -6, BGZF, long reads; all
#            cores and -t 1. The default build loads ISA-L (gzip) and
#            libdeflate (BGZF) at run time where installed; the same fqcnt
#            with FASTQPAR_INFLATE=zlib joins the rounds (no run-time
#            libraries), and fqcnt on gzip is set against igzip -dc
#   trim     fqtrim -q 20 -o R1.gz -p R2.gz vs cutadapt -q 20 -j T (paired
#            gzip in, .gz out), and with FASTQPAR_INFLATE/DEFLATE=zlib; the
#            output's size against pigz -6 (gzip -6) of the same text
#   levels   fqtrim .gz output (a copy) at levels default, 1, 6, 9 of each
#            backend on a 300,000-read slice: time and size against gzip -6
#   stats    fqstats -a -T              vs seqkit stats -a -T -j T
#   fqchk    fqstats --per-position     vs seqtk fqchk
#   qc       fqstats --per-position     vs fastp -A -G -Q -L -w T (QC only:
#            no -o, so no reads written; reports to a file and /dev/null)
#   fastqc   fqstats --html --fastqc-data --nogroup -t 2 vs fastqc -t 2
#            --nogroup --extract (Java), on plain and gzip inputs of their
#            own smaller size (FASTQC_SIZE, the first reads of the short-read
#            file); our fastqc_data.txt against FastQC's, module by module
#            (tests/fastqc_compare.sh). No long reads: on reads of up to
#            100 kbp FastQC --nogroup runs out of Java heap drawing its
#            per-base plot and does not exit
#   limits   cat > /dev/null, zcat, pigz -dc, igzip -dc, bgzip -dc -@T: what
#            reading and inflating alone cost, beside fqcnt's time
#   scaling  fqcnt -t 1, 2, 4, ... cores on plain and BGZF, with the
#            producer's and consumers' times from fqcnt -v
# Every job runs WARMUP+RUNS times, fastqpar and peer alternated (A B, B A,
# ...), and reports medians of wall time, CPU time (user+sys) and peak RSS
# (GNU time's maximum resident set size, as `/usr/bin/time -v` prints it),
# and the ratio fastqpar/peer. Outputs are compared wherever they are
# comparable (counts, statistics, tables): a mismatch is marked in the table
# and makes the script exit 1.
#
# usage: tests/bench/bench.sh [options]
#   -s, --size SIZE       plain short-read FASTQ size (default 1.5G; K/M/G
#                         suffixes, powers of 1000)       env BENCH_SIZE
#   -l, --long-size SIZE  long-read FASTQ size (default SIZE/3) BENCH_LONG_SIZE
#   --fastqc-size SIZE    the fastqc job's input size (default 500M, at most
#                         SIZE; FastQC reads ~30 MB/s)   BENCH_FASTQC_SIZE
#   -r, --runs N          measured runs per command (default 3) BENCH_RUNS
#   -w, --warmup N        warm-up runs (default 1)            BENCH_WARMUP
#   -t, --threads N       "all cores" (default nproc)         BENCH_THREADS
#   -j, --jobs LIST       comma list of count,trim,levels,stats,fqchk,qc,fastqc,limits,scaling
#                         (default all)                       BENCH_JOBS
#   -d, --dir DIR         inputs and scratch, cached between runs
#                         (default build/bench)               BENCH_DIR
#   -o, --out FILE        the Markdown report (default DIR/results.md)
#                                                             BENCH_OUT
#   --no-install          don't apt-get missing peers         BENCH_INSTALL=0
#   -p, --pairs N         read pairs of the trim job (default 2000000,
#                         at most the reads of SIZE)          BENCH_PAIRS
#   --skip "PEER ..."     treat these peers as missing: kseq seqkit seqtk
#                         fastp igzip bgzip pigz gnutime libisal2
#                         libdeflate0 cutadapt fastqc         BENCH_SKIP
# FQP_BUILD (default build) is where fqcnt, fqstats and fqgen are; the script
# runs `make` for them and builds DIR/kseq_fqcnt itself.
set -euo pipefail
export LC_ALL=C

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

size=${BENCH_SIZE:-1.5G}
long_size=${BENCH_LONG_SIZE:-}
fastqc_size=${BENCH_FASTQC_SIZE:-500M}
runs=${BENCH_RUNS:-3}
warmup=${BENCH_WARMUP:-1}
threads=${BENCH_THREADS:-$(nproc)}
jobs=${BENCH_JOBS:-count,trim,levels,stats,fqchk,qc,fastqc,limits,scaling}
pairs=${BENCH_PAIRS:-2000000}
dir=${BENCH_DIR:-build/bench}
out=${BENCH_OUT:-}
install=${BENCH_INSTALL:-1}
skip=${BENCH_SKIP:-} # peers to treat as missing (kseq seqkit seqtk fastp igzip bgzip pigz gnutime ... fastqc)
build=${FQP_BUILD:-build}
cmdline="tests/bench/bench.sh $*"
[ -n "${BENCH_CMDLINE:-}" ] && cmdline=$BENCH_CMDLINE

usage() { sed -n '/^# usage:/,/^# runs `make`/s/^# \{0,1\}//p' "$0"; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
    case $1 in
    -s | --size) size=$2; shift ;;
    -l | --long-size) long_size=$2; shift ;;
    --fastqc-size) fastqc_size=$2; shift ;;
    -r | --runs) runs=$2; shift ;;
    -w | --warmup) warmup=$2; shift ;;
    -t | --threads) threads=$2; shift ;;
    -j | --jobs) jobs=$2; shift ;;
    -p | --pairs) pairs=$2; shift ;;
    -d | --dir) dir=$2; shift ;;
    -o | --out) out=$2; shift ;;
    --no-install) install=0 ;;
    --skip) skip=$2; shift ;;
    -h | --help) usage 0 ;;
    *) echo "bench: unknown option $1" >&2; usage 2 >&2 ;;
    esac
    shift
done
[ -n "$out" ] || out=$dir/results.md

# SIZE with an optional K/M/G suffix (powers of 1000) -> bytes
bytes() {
    awk -v s="$1" 'BEGIN {
        m = 1; u = toupper(substr(s, length(s)))
        if (u == "K") m = 1e3; else if (u == "M") m = 1e6; else if (u == "G") m = 1e9
        if (m > 1) s = substr(s, 1, length(s) - 1)
        if (s !~ /^[0-9]+(\.[0-9]*)?$/) { print "bad"; exit }
        printf "%.0f\n", s * m }'
}
size_b=$(bytes "$size")
[ "$size_b" != bad ] || { echo "bench: bad size '$size'" >&2; exit 2; }
if [ -n "$long_size" ]; then long_b=$(bytes "$long_size"); else long_b=$((size_b / 3)); fi
[ "$long_b" != bad ] || { echo "bench: bad long-read size '$long_size'" >&2; exit 2; }
fastqc_b=$(bytes "$fastqc_size")
[ "$fastqc_b" != bad ] || { echo "bench: bad fastqc size '$fastqc_size'" >&2; exit 2; }
case $runs$warmup$threads in *[!0-9]*) echo "bench: runs, warmup, threads are numbers" >&2; exit 2 ;; esac
[ "$runs" -ge 1 ] && [ "$threads" -ge 1 ] || { echo "bench: runs and threads must be >= 1" >&2; exit 2; }
has_job() { case ",$jobs," in *",$1,"*) return 0 ;; esac; return 1; }

mkdir -p "$dir/tmp"
dir=$(cd "$dir" && pwd)
tmp=$dir/tmp
notes=$tmp/notes
: > "$notes"
note() { echo "bench: $*" >&2; echo "- $*" >> "$notes"; }

# ---- peers ------------------------------------------------------------------
# command -> Debian package
pkg_of() {
    case $1 in
    kseq) echo libhts-dev ;; seqkit) echo seqkit ;; seqtk) echo seqtk ;; fastp) echo fastp ;;
    igzip) echo isal ;; bgzip) echo tabix ;; pigz) echo pigz ;; gnutime) echo time ;;
    libisal2) echo libisal2 ;; libdeflate0) echo libdeflate0 ;; cutadapt) echo cutadapt ;;
    fastqc) echo fastqc ;;
    esac
}
has_lib() { local f; for f in /usr/lib/*/"$1" /usr/lib/"$1" /usr/local/lib/"$1"; do [ -e "$f" ] && return 0; done; return 1; }
have() {
    case " $skip " in *" $1 "*) return 1 ;; esac
    case $1 in
    kseq) [ -f /usr/include/htslib/kseq.h ] ;;
    libisal2) has_lib libisal.so.2 ;;
    libdeflate0) has_lib libdeflate.so.0 ;;
    gnutime) [ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1 ;;
    *) command -v "$1" >/dev/null 2>&1 ;;
    esac
}
peers="kseq seqkit seqtk fastp igzip bgzip pigz gnutime libisal2 libdeflate0 cutadapt fastqc"
missing=""
for p in $peers; do have "$p" || missing="$missing $(pkg_of "$p")"; done
if [ -n "$missing" ]; then
    if [ "$install" = 0 ]; then
        note "not installing (--no-install):$missing"
    elif [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        note "not root or no apt-get: cannot install$missing"
    else
        echo "bench: installing$missing" >&2
        # shellcheck disable=SC2086
        if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >"$tmp/apt.log" 2>&1; then
            DEBIAN_FRONTEND=noninteractive apt-get update -qq >>"$tmp/apt.log" 2>&1 || true
            for p in $missing; do
                DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$p" >>"$tmp/apt.log" 2>&1 ||
                    note "apt-get install $p failed (no network?): see $tmp/apt.log"
            done
        fi
    fi
fi
for p in $peers; do have "$p" || note "$p ($(pkg_of "$p")) is missing: its rows say so"; done

make -s "$build/fqcnt" "$build/fqstats" "$build/fqgen" "$build/fqtrim" BUILD="$build" >&2
FQCNT=$(cd "$build" && pwd)/fqcnt
FQSTATS=$(cd "$build" && pwd)/fqstats
FQGEN=$(cd "$build" && pwd)/fqgen
FQTRIM=$(cd "$build" && pwd)/fqtrim
# FASTQPAR_INFLATE/DEFLATE=zlib: the same binaries without the run-time
# libraries (what a machine without libisal2 and libdeflate0 gets). A
# skipped library is hidden from fastqpar the same way.
ZLIB_ONLY="env FASTQPAR_INFLATE=zlib FASTQPAR_DEFLATE=zlib"
hide=""
have libisal2 || hide="$hide FASTQPAR_ISAL_LIBRARY=/nonexistent"
have libdeflate0 || hide="$hide FASTQPAR_LIBDEFLATE_LIBRARY=/nonexistent"
if [ -n "$hide" ]; then
    # shellcheck disable=SC2086
    export $hide
fi
KSEQ=$dir/kseq_fqcnt
if have kseq && { [ ! -x "$KSEQ" ] || [ tests/kseq_fqcnt.c -nt "$KSEQ" ]; }; then
    ${CC:-cc} -O2 -o "$KSEQ" tests/kseq_fqcnt.c -lz || note "kseq_fqcnt did not build"
fi
have_kseq() { have kseq && [ -x "$KSEQ" ]; }

# ---- inputs -------------------------------------------------------------------
# Records of each kind: the size over the mean record size of the first
# records (fqgen's output is a deterministic function of its options).
per_rec() { # fqgen options... -> bytes per record
    "$FQGEN" "$@" | wc -c
}
short_rec=$(per_rec -n 20000 -s 7) # bytes of 20000 records
short_n=$(awk -v s="$size_b" -v b="$short_rec" 'BEGIN { n = int(s / (b / 20000)); print n < 1 ? 1 : n }')
long_n=$(awk -v s="$long_b" -v b="$(per_rec -n 200 -s 8 -l 1000-100000)" 'BEGIN { n = int(s / (b / 200)); print n < 1 ? 1 : n }')
short=$dir/short-n$short_n-s7.fq
long=$dir/long-n$long_n-s8.fq
gen() { # file, command... : make file unless cached (atomically)
    local f=$1; shift
    [ -s "$f" ] && return 0
    echo "bench: generating $(basename "$f")" >&2
    "$@" > "$f.part" && mv "$f.part" "$f"
}
gz6() { if command -v pigz >/dev/null; then pigz -6 -n -c -p "$(nproc)" "$1"; else gzip -6 -n -c "$1"; fi; }
gen "$short" "$FQGEN" -n "$short_n" -s 7
gen "$short.gz" gz6 "$short"
if have bgzip; then gen "$short.bgz" bgzip -c -@ "$(nproc)" "$short"; fi
gen "$long" "$FQGEN" -n "$long_n" -s 8 -l 1000-100000
sync

fsize() { wc -c < "$1" | tr -d ' '; }
mib() { awk -v b="$1" 'BEGIN { printf "%.0f MB", b / 1e6 }'; }

# ---- measuring --------------------------------------------------------------
# run_cmd ID KIND cmd... : one run; appends "wall cpu rss_kib" to $tmp/ID.t,
# stdout to $tmp/ID.out (last run), stderr to $tmp/ID.err; KIND "fqcnt-v"
# also keeps fqcnt -v's metrics line per run in $tmp/ID.m.
# A failing command marks $tmp/ID.fail.
gnutime=0
if have gnutime; then gnutime=1; fi
run_cmd() {
    local id=$1 t0 t1 u s m rc=0
    shift
    t0=${EPOCHREALTIME:-$(date +%s.%N)} # bash 5; date elsewhere
    if [ "$gnutime" = 1 ]; then
        /usr/bin/time -f "%U %S %M" -o "$tmp/$id.gt" "$@" > "$tmp/$id.out" 2> "$tmp/$id.err" || rc=$?
    else
        "$@" > "$tmp/$id.out" 2> "$tmp/$id.err" || rc=$?
        echo "- - -" > "$tmp/$id.gt"
    fi
    t1=${EPOCHREALTIME:-$(date +%s.%N)}
    if [ "$rc" != 0 ]; then
        echo "bench: FAILED ($rc): $*" >&2; sed 's/^/  /' "$tmp/$id.err" | tail -5 >&2
        touch "$tmp/$id.fail"
    fi
    # GNU time's last line is the format (it may say "Command exited ..." before)
    read -r u s m < <(tail -1 "$tmp/$id.gt")
    awk -v a="$t0" -v b="$t1" -v u="$u" -v s="$s" -v m="$m" 'BEGIN {
        printf "%.4f %s %s\n", b - a, (u == "-" ? "-" : u + s), m }' >> "$tmp/$id.t"
    grep -h '^wall .*producer' "$tmp/$id.err" >> "$tmp/$id.m" 2>/dev/null || true
    # every run must print what the first printed
    if [ ! -e "$tmp/$id.first" ]; then cp "$tmp/$id.out" "$tmp/$id.first"
    elif ! cmp -s "$tmp/$id.out" "$tmp/$id.first"; then touch "$tmp/$id.unstable"; fi
}
reset_id() { rm -f "$tmp/$1".*; }
# median of column C of file F ("-" if none)
median() {
    [ -s "$2" ] || { echo -; return; }
    awk -v c="$1" '$c != "-" { print $c }' "$2" | sort -g |
        awk '{ v[NR] = $1 } END { if (!NR) { print "-"; exit }
              if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
fmt_s() { [ "$1" = - ] && echo - || awk -v x="$1" 'BEGIN { printf(x < 10 ? "%.3f" : "%.2f", x) }'; }
f3() { [ "$1" = - ] && echo - || awk -v x="$1" 'BEGIN { printf "%.3f", x }'; }
fmt_mib() { [ "$1" = - ] && echo - || awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
ratio() { { [ "$1" = - ] || [ "$2" = - ]; } && echo - || awk -v a="$1" -v b="$2" 'BEGIN { printf(b > 0 ? "%.2f" : "-", a / b) }'; }

# group N ID_1..ID_N -- cmd_1... -- ... -- cmd_N... : warm-up, then RUNS
# rounds with the order rotated each round (A B C, B C A, C A B, ...)
group() {
    local n=$1 k i j
    shift
    local -a ids=() starts=() lens=() flat=()
    for ((k = 0; k < n; k++)); do ids+=("$1"); shift; done
    shift
    for ((k = 0; k < n; k++)); do
        starts+=("${#flat[@]}")
        j=0
        while [ $# -gt 0 ] && [ "$1" != -- ]; do flat+=("$1"); shift; j=$((j + 1)); done
        lens+=("$j")
        [ $# -gt 0 ] && shift
    done
    for ((k = 0; k < n; k++)); do reset_id "${ids[k]}"; done
    for ((i = 0; i < warmup; i++)); do
        for ((k = 0; k < n; k++)); do run_cmd "${ids[k]}.w" "${flat[@]:${starts[k]}:${lens[k]}}"; done
    done
    for ((i = 0; i < runs; i++)); do
        for ((j = 0; j < n; j++)); do
            k=$(((i + j) % n))
            run_cmd "${ids[k]}" "${flat[@]:${starts[k]}:${lens[k]}}"
        done
    done
}
pair() { group 2 "$@"; } # pair ID_A ID_B -- cmdA... -- cmdB...
single() { # ID cmd... : warm-up and runs of one command
    local id=$1 i
    shift
    reset_id "$id"
    for ((i = 0; i < warmup; i++)); do run_cmd "$id.w" "$@"; done
    for ((i = 0; i < runs; i++)); do run_cmd "$id" "$@"; done
}

# ---- output checks ----------------------------------------------------------
# check runs in $(...), a subshell: mismatches are counted in a file
: > "$tmp/mismatches"
# same_stats A B: seqkit stats -a -T rows equal, except Q1/Q3 when all reads
# have one length (seqkit prints length/2 there; see fqstats --help)
same_stats() {
    awk -F'\t' 'NR == FNR { a[FNR] = $0; next }
        { m = split(a[FNR], x, "\t"); n = split($0, y, "\t")
          if (n != m) bad = 1
          for (i = 1; i <= n; i++) {
              if ((i == 9 || i == 11) && FNR > 1 && y[6] == y[8]) continue
              if (x[i] != y[i]) bad = 1 } }
        END { exit bad || NR != 2 * FNR }' "$1" "$2"
}
# fastp's JSON total_bases (before filtering) == fqchk table's ALL bases
same_qc() {
    local fb qb
    fb=$(grep -m1 '"total_bases"' "$2" | tr -dc 0-9)
    qb=$(awk -F'\t' '$1 == "ALL" { print $2; exit }' "$1")
    [ -n "$fb" ] && [ "$fb" = "$qb" ]
}
# same_fastqc A B: fqstats' fastqc_data.txt ($tmp/A_fastqc_data.txt) against
# the one FastQC extracted into $tmp/B-out/NAME_fastqc/, module by module
# (tests/fastqc_compare.sh; its lines kept in $tmp/A.cmp)
same_fastqc() {
    local -a theirs=("$tmp/$2-out"/*_fastqc/fastqc_data.txt)
    if [ ! -f "${theirs[0]}" ]; then echo "FastQC wrote no fastqc_data.txt" > "$tmp/$1.cmp"; return 1; fi
    tests/fastqc_compare.sh "${theirs[0]}" "$tmp/${1}_fastqc_data.txt" > "$tmp/$1.cmp"
}
# check KIND ID_A ID_B -> ok / MISMATCH / FAILED
check() {
    local k=$1 a=$2 b=$3
    if [ -e "$tmp/$a.fail" ] || [ -e "$tmp/$b.fail" ]; then echo FAILED; echo "$a vs $b" >> "$tmp/mismatches"; return; fi
    if [ -e "$tmp/$a.unstable" ] || [ -e "$tmp/$b.unstable" ]; then
        echo "UNSTABLE (runs differ)"; echo "$a vs $b" >> "$tmp/mismatches"; return
    fi
    local ok=0
    case $k in
    cmp) cmp -s "$tmp/$a.out" "$tmp/$b.out" && ok=1 ;;
    stats) same_stats "$tmp/$a.out" "$tmp/$b.out" && ok=1 ;;
    qc) same_qc "$tmp/$a.out" "$tmp/$b.json" && ok=1 ;;
    fastqc) same_fastqc "$a" "$b" && ok=1 ;;
    none) echo -; return ;;
    esac
    if [ $ok = 1 ]; then
        if [ -s "$tmp/$a.cmp" ] && grep -q 'within' "$tmp/$a.cmp"; then echo "ok (GC counts within 1e-9)"; else echo ok; fi
    else
        echo MISMATCH; echo "$a vs $b" >> "$tmp/mismatches"
        { echo "bench: MISMATCH $a vs $b"; head -3 "$tmp/$a.out" "$tmp/$b.out"
          if [ -s "$tmp/$a.cmp" ]; then grep -v 'equal$' "$tmp/$a.cmp"; fi; } >&2
    fi
}

# ---- the report ---------------------------------------------------------------
T=$threads
table=$tmp/table.md
limits_tab=$tmp/limits.md
scaling_tab=$tmp/scaling.md
: > "$table"; : > "$limits_tab"; : > "$scaling_tab"
declare -A fq_wall  # file -> fqcnt -t T median wall (for the limits table)
declare -A counted  # input name -> the count job ran fqcnt -v -t 1 and -t T on it

# row JOB INPUT TARGET CHECK A B LABEL_A LABEL_B : one table row from the
# medians of ID_A (fastqpar) and ID_B (peer); TARGET is "<=0.25" or "-".
row() {
    local job=$1 input=$2 target=$3 chk=$4 a=$5 b=$6 la=$7 lb=$8
    local wa wb ca cb ra rb r t
    wa=$(median 1 "$tmp/$a.t"); ca=$(median 2 "$tmp/$a.t"); ra=$(median 3 "$tmp/$a.t")
    wb=$(median 1 "$tmp/$b.t"); cb=$(median 2 "$tmp/$b.t"); rb=$(median 3 "$tmp/$b.t")
    r=$(ratio "$wa" "$wb")
    t=-
    case $target in
    -) ;;
    *) t="$target: $(awk -v r="$r" -v x="${target#<=}" 'BEGIN { print (r != "-" && r <= x) ? "met" : "not met" }')" ;;
    esac
    local rss_flag=""
    if [ "$ra" != - ] && awk -v k="$ra" 'BEGIN { exit !(k > 65536) }'; then rss_flag=" (>64 MiB)"; fi
    printf '| %s | %s | `%s` | `%s` | %s / %s | %s / %s | %s%s / %s | **%s** | %s | %s |\n' \
        "$job" "$input" "$la" "$lb" "$(fmt_s "$wa")" "$(fmt_s "$wb")" "$(fmt_s "$ca")" "$(fmt_s "$cb")" \
        "$(fmt_mib "$ra")" "$rss_flag" "$(fmt_mib "$rb")" "$r" "$t" "$chk" >> "$table"
    printf '%-8s %-10s fastqpar %8s s  peer %8s s  ratio %5s  %s\n' "$job" "$input" "$(fmt_s "$wa")" "$(fmt_s "$wb")" "$r" "$chk" >&2
}
missing_row() { # JOB INPUT LABEL_A PEER
    printf '| %s | %s | `%s` | %s | missing | | | | | |\n' "$1" "$2" "$3" "$4" >> "$table"
    echo "bench: $1 $2: $4 missing" >&2
}

# ---- (1) count ----------------------------------------------------------------
count_job() { # INPUT_NAME FILE TARGET_T TARGET_1 [EXTRA_ID EXTRA_FQCNT]
    local name=$1 f=$2 t1=$3 t2=$4 xid=${5:-} xbin=${6:-}
    local a=count-$name-t$T b=count-$name-t1 k=count-$name-kseq
    local -a x=()
    local nx=0
    # an fqcnt built with another inflate backend joins the same rounds
    # shellcheck disable=SC2206 # xbin is "env VAR=... /path/fqcnt": split into words
    if [ -n "$xbin" ]; then x=(-- $xbin -v -t "$T" "$f"); nx=1; fi
    # fqcnt -v: the metrics go to stderr, and the scaling table reuses them
    if have_kseq; then
        if [ "$T" = 1 ]; then
            group $((2 + nx)) "$a" "$k" ${xid:+"$xid"} -- "$FQCNT" -v -t "$T" "$f" -- "$KSEQ" "$f" "${x[@]}"
        else
            group $((3 + nx)) "$a" "$b" "$k" ${xid:+"$xid"} -- "$FQCNT" -v -t "$T" "$f" -- \
                "$FQCNT" -v -t 1 "$f" -- "$KSEQ" "$f" "${x[@]}"
        fi
        row count "$name" "$t1" "$(check cmp "$a" "$k")" "$a" "$k" "fqcnt -t $T" kseq_fqcnt
        if [ "$T" != 1 ]; then
            row count "$name" "$t2" "$(check cmp "$b" "$k")" "$b" "$k" "fqcnt -t 1" kseq_fqcnt
        fi
    else
        if [ "$T" = 1 ]; then single "$a" "$FQCNT" -v -t "$T" "$f"
        else pair "$a" "$b" -- "$FQCNT" -v -t "$T" "$f" -- "$FQCNT" -v -t 1 "$f"; fi
        row count "$name" - "peer missing" "$a" none "fqcnt -t $T" "kseq_fqcnt (libhts-dev): missing"
        if [ "$T" != 1 ]; then
            row count "$name" - "$(check cmp "$b" "$a")" "$b" none "fqcnt -t 1" "(vs fqcnt -t $T)"
        fi
    fi
    fq_wall[$f]=$(median 1 "$tmp/$a.t")
    counted[$name]=1
}
if has_job count; then
    echo "bench: (1) count" >&2
    count_job plain "$short" "<=0.25" "<=0.55"
    # the default build (ISA-L loaded when installed); the same with zlib alone in its rounds
    count_job gzip "$short.gz" "<=0.35" "-" count-gzip-zlib "$ZLIB_ONLY $FQCNT"
    if have_kseq && [ -s "$tmp/count-gzip-zlib.t" ]; then
        row count "gzip, zlib only" "<=0.75" "$(check cmp count-gzip-zlib count-gzip-kseq)" count-gzip-zlib \
            count-gzip-kseq "FASTQPAR_INFLATE=zlib fqcnt -t $T" "kseq_fqcnt (gzip)"
    fi
    if [ -s "$short.bgz" ]; then
        count_job BGZF "$short.bgz" - - count-bgzf-zlib "$ZLIB_ONLY $FQCNT"
        # the BGZF targets are against kseq.h's time on the gzip file
        if [ -s "$tmp/count-BGZF-t$T.t" ] && [ -s "$tmp/count-gzip-kseq.t" ]; then
            row count "BGZF vs gzip" "<=0.30" "$(check cmp "count-BGZF-t$T" count-gzip-kseq)" "count-BGZF-t$T" \
                count-gzip-kseq "fqcnt -t $T (BGZF)" "kseq_fqcnt (gzip)"
        fi
        if [ -s "$tmp/count-bgzf-zlib.t" ] && [ -s "$tmp/count-gzip-kseq.t" ]; then
            row count "BGZF vs gzip, zlib only" "-" "$(check cmp count-bgzf-zlib count-gzip-kseq)" count-bgzf-zlib \
                count-gzip-kseq "FASTQPAR_INFLATE=zlib fqcnt -t $T (BGZF)" "kseq_fqcnt (gzip)"
        fi
    fi
    # fqcnt on gzip against inflating alone with ISA-L's igzip, in alternating rounds
    if have igzip; then
        pair count-gzip-fq count-igzip -- "$FQCNT" -t "$T" "$short.gz" -- sh -c 'igzip -dc "$1" > /dev/null' sh "$short.gz"
        row count "gzip vs igzip -dc" "<=1.2" - count-gzip-fq count-igzip "fqcnt -t $T" "igzip -dc > /dev/null"
    fi
    # ordinary gzip in chunks on the consumers (>>pgzip), against one stream by zlib and
    # by the default backend (ISA-L where installed), in alternating rounds
    group 3 count-gzip-chunks count-gzip-stream count-gzip-default -- \
        env FASTQPAR_INFLATE=zlib FASTQPAR_PARALLEL_GZIP=1 "$FQCNT" -t "$T" "$short.gz" -- \
        env FASTQPAR_INFLATE=zlib FASTQPAR_PARALLEL_GZIP=0 "$FQCNT" -t "$T" "$short.gz" -- \
        env FASTQPAR_PARALLEL_GZIP=0 "$FQCNT" -t "$T" "$short.gz"
    row count "gzip in chunks, zlib" "<=0.6" "$(check cmp count-gzip-chunks count-gzip-stream)" count-gzip-chunks \
        count-gzip-stream "FASTQPAR_INFLATE=zlib FASTQPAR_PARALLEL_GZIP=1 fqcnt -t $T" "FASTQPAR_PARALLEL_GZIP=0"
    row count "gzip in chunks vs the default stream" "<=1.0" "$(check cmp count-gzip-chunks count-gzip-default)" \
        count-gzip-chunks count-gzip-default "FASTQPAR_INFLATE=zlib FASTQPAR_PARALLEL_GZIP=1 fqcnt -t $T" \
        "FASTQPAR_PARALLEL_GZIP=0 fqcnt -t $T (ISA-L where installed)"
    count_job long "$long" - -
fi

# ---- (1b) trim ---------------------------------------------------------------
# Paired gzip in, .gz out: fqtrim (BGZF by the consumers, libdeflate where
# installed) against cutadapt with as many cores, and fqtrim with zlib alone.
trim_job() {
    local n=$pairs r1=$dir/trim-n$pairs-R1.fq r2=$dir/trim-n$pairs-R2.fq o=$tmp/trim
    [ "$n" -le "$short_n" ] || n=$short_n
    gen "$r1" head -n $((4 * n)) "$short"
    gen "$r2" sed '2~4y/ACGT/TGCA/' "$r1" # mates: the same names
    gen "$r1.gz" gz6 "$r1"
    gen "$r2.gz" gz6 "$r2"
    if ! have cutadapt; then missing_row trim paired "fqtrim -q 20 -t $T" cutadapt; return; fi
    # shellcheck disable=SC2086
    group 3 trim-fqp trim-cutadapt trim-zlib -- \
        "$FQTRIM" --quiet --cpu -q 20 -t "$T" -o "$o.fqp.1.fq.gz" -p "$o.fqp.2.fq.gz" "$r1.gz" "$r2.gz" -- \
        cutadapt --quiet -q 20 -j "$T" -o "$o.ca.1.fq.gz" -p "$o.ca.2.fq.gz" "$r1.gz" "$r2.gz" -- \
        $ZLIB_ONLY "$FQTRIM" --quiet --cpu -q 20 -t "$T" -o "$o.z.1.fq.gz" -p "$o.z.2.fq.gz" "$r1.gz" "$r2.gz"
    local chk=ok k
    for k in 1 2; do
        if ! cmp -s <(zcat "$o.fqp.$k.fq.gz") <(zcat "$o.ca.$k.fq.gz") ||
           ! cmp -s <(zcat "$o.fqp.$k.fq.gz") <(zcat "$o.z.$k.fq.gz"); then
            chk=MISMATCH; echo "trim-fqp vs trim-cutadapt (mate $k)" >> "$tmp/mismatches"
        fi
    done
    [ -e "$tmp/trim-fqp.fail" ] || [ -e "$tmp/trim-cutadapt.fail" ] && chk=FAILED
    row trim "paired gzip ($n pairs)" "<=0.25" "$chk" trim-fqp trim-cutadapt "fqtrim -q 20 -t $T -o .gz -p .gz" \
        "cutadapt -q 20 -j $T -o .gz -p .gz"
    row trim "paired, zlib only" - "$chk" trim-zlib trim-cutadapt "FASTQPAR_INFLATE/DEFLATE=zlib fqtrim" \
        "cutadapt -q 20 -j $T"
    # sizes: fqtrim's default level against gzip -6 (pigz -6) of the same text, and cutadapt's
    local sf sz s6 sc
    sf=$(($(fsize "$o.fqp.1.fq.gz") + $(fsize "$o.fqp.2.fq.gz")))
    sz=$(($(fsize "$o.z.1.fq.gz") + $(fsize "$o.z.2.fq.gz")))
    sc=$(($(fsize "$o.ca.1.fq.gz") + $(fsize "$o.ca.2.fq.gz")))
    s6=$(($(zcat "$o.fqp.1.fq.gz" | gz6 /dev/stdin | wc -c) + $(zcat "$o.fqp.2.fq.gz" | gz6 /dev/stdin | wc -c)))
    printf '| trim | output size | `fqtrim` (default level) | `gzip -6` of the same text | %s / %s MB | | | **%s** | %s | cutadapt %s MB, zlib-only fqtrim %s MB |\n' \
        "$(awk -v b="$sf" 'BEGIN { printf "%.1f", b / 1e6 }')" "$(awk -v b="$s6" 'BEGIN { printf "%.1f", b / 1e6 }')" \
        "$(ratio "$sf" "$s6")" "<=1.10: $(awk -v a="$sf" -v b="$s6" 'BEGIN { print a / b <= 1.10 ? "met" : "not met" }')" \
        "$(awk -v b="$sc" 'BEGIN { printf "%.1f", b / 1e6 }')" "$(awk -v b="$sz" 'BEGIN { printf "%.1f", b / 1e6 }')" >> "$table"
    rm -f "$o".*.fq.gz
}
if has_job trim; then
    echo "bench: (1b) trim" >&2
    trim_job
fi

# ---- (1c) levels --------------------------------------------------------------
# .gz output of fqtrim (no trimming: a copy) at each level of each backend,
# on a 300,000-read slice: seconds on T threads and size against gzip -6.
levels_tab=$tmp/levels.md
: > "$levels_tab"
levels_job() {
    local slice=$dir/levels-s7.fq b l id s6
    gen "$slice" head -n 1200000 "$short"
    s6=$(gzip -6 -c "$slice" | wc -c)
    for b in libdeflate isal zlib; do
        if [ $b = isal ] && ! have libisal2; then continue; fi
        if [ $b = libdeflate ] && ! have libdeflate0; then continue; fi
        for l in 0 1 6 9; do
            id=level-$b-$l
            single "$id" env FASTQPAR_DEFLATE=$b "$FQTRIM" --quiet --cpu -t "$T" $([ $l = 0 ] || echo "-Z $l") \
                -o "$tmp/$id.fq.gz" "$slice"
            printf '| %s | %s | %s | %s | %s |\n' "$b" "$([ $l = 0 ] && echo "default" || echo "$l")" \
                "$(fmt_s "$(median 1 "$tmp/$id.t")")" "$(fsize "$tmp/$id.fq.gz")" \
                "$(ratio "$(fsize "$tmp/$id.fq.gz")" "$s6")" >> "$levels_tab"
            rm -f "$tmp/$id.fq.gz"
        done
    done
    printf '| gzip -6 (one thread) | 6 | - | %s | 1.00 |\n' "$s6" >> "$levels_tab"
}
if has_job levels; then
    echo "bench: (1c) levels" >&2
    levels_job
fi

# ---- (2) stats ----------------------------------------------------------------
stats_job() { # NAME FILE
    local id=stats-$1
    if ! have seqkit; then missing_row stats "$1" "fqstats -a -T -t $T" seqkit; return; fi
    pair "$id" "$id-seqkit" -- "$FQSTATS" -a -T -t "$T" "$2" -- seqkit stats -a -T -j "$T" "$2"
    row stats "$1" "<=0.25" "$(check stats "$id" "$id-seqkit")" "$id" "$id-seqkit" \
        "fqstats -a -T -t $T" "seqkit stats -a -T -j $T"
}
if has_job stats; then
    echo "bench: (2) stats" >&2
    stats_job plain "$short"; stats_job gzip "$short.gz"; stats_job long "$long"
    if have seqkit; then # without the run-time libraries, against the same seqkit runs
        single stats-gzip-zlib $ZLIB_ONLY "$FQSTATS" -a -T -t "$T" "$short.gz"
        row stats "gzip, zlib only" - "$(check stats stats-gzip-zlib stats-gzip-seqkit)" stats-gzip-zlib \
            stats-gzip-seqkit "FASTQPAR_INFLATE=zlib fqstats -a -T" "seqkit stats -a -T -j $T"
    fi
fi

# ---- (3) per-position ---------------------------------------------------------
fqchk_job() {
    local id=fqchk-$1
    if ! have seqtk; then missing_row fqchk "$1" "fqstats --per-position -t $T" seqtk; return; fi
    pair "$id" "$id-seqtk" -- "$FQSTATS" --per-position -t "$T" "$2" -- seqtk fqchk "$2"
    row fqchk "$1" "<=0.25" "$(check cmp "$id" "$id-seqtk")" "$id" "$id-seqtk" \
        "fqstats --per-position -t $T" "seqtk fqchk"
}
if has_job fqchk; then
    echo "bench: (3) per-position" >&2
    fqchk_job plain "$short"; fqchk_job gzip "$short.gz"
    if have seqtk; then
        single fqchk-gzip-zlib $ZLIB_ONLY "$FQSTATS" --per-position -t "$T" "$short.gz"
        row fqchk "gzip, zlib only" - "$(check cmp fqchk-gzip-zlib fqchk-gzip-seqtk)" fqchk-gzip-zlib \
            fqchk-gzip-seqtk "FASTQPAR_INFLATE=zlib fqstats --per-position" "seqtk fqchk"
    fi
fi

# ---- (4) QC -------------------------------------------------------------------
# fastp with trimming and filtering off still computes its whole-file QC
# (per-position quality and base content, duplication, overrepresentation
# off by default); the closest fastqpar job is the per-position table.
qc_job() {
    local id=qc-$1 fw=$T
    [ "$fw" -gt 16 ] && fw=16 # fastp's maximum
    if ! have fastp; then missing_row qc "$1" "fqstats --per-position -t $T" fastp; return; fi
    pair "$id" "$id-fastp" -- "$FQSTATS" --per-position -t "$T" "$2" -- \
        fastp -i "$2" -A -G -Q -L -w "$fw" -j "$tmp/$id-fastp.json" -h /dev/null
    row qc "$1" "<=0.25" "$(check qc "$id" "$id-fastp")" "$id" "$id-fastp" \
        "fqstats --per-position -t $T" "fastp -A -G -Q -L -w $fw"
}
if has_job qc; then
    echo "bench: (4) QC" >&2
    qc_job plain "$short"; qc_job gzip "$short.gz"
fi

# ---- (4b) FastQC --------------------------------------------------------------
# fqstats writing FastQC's fastqc_data.txt and its own HTML page against
# FastQC itself (a JVM), both told -t 2: FastQC's -t is files analysed in
# parallel, so one file is one analysis thread. FastQC is slow: its inputs
# are the first reads of the short-read file, FASTQC_SIZE of them.
fastqc_job() { # NAME FILE
    local id=fastqc-$1 p=fastqc-$1-fastqc la="fqstats --html --fastqc-data --nogroup -t 2"
    if ! have fastqc; then missing_row fastqc "$1" "$la" fastqc; return; fi
    # FastQC's folder: not $tmp/$p.* (reset_id removes files of that name)
    rm -rf "$tmp/$p-out"; mkdir -p "$tmp/$p-out"
    pair "$id" "$p" -- "$FQSTATS" --html "$tmp/$id.html" --fastqc-data "$tmp/${id}_fastqc_data.txt" --nogroup -t 2 "$2" -- \
        fastqc -t 2 --nogroup --extract -o "$tmp/$p-out" "$2"
    row fastqc "$1, $(mib "$(fsize "$2")")" "<=0.1" "$(check fastqc "$id" "$p")" "$id" "$p" "$la" \
        "fastqc -t 2 --nogroup --extract"
}
if has_job fastqc; then
    echo "bench: (4b) FastQC" >&2
    fqc_n=$(awk -v s="$fastqc_b" -v b="$short_rec" 'BEGIN { n = int(s / (b / 20000)); print n < 1 ? 1 : n }')
    fqc=$short
    if [ "$fqc_n" -lt "$short_n" ]; then
        fqc=$dir/fastqc-n$fqc_n-s7.fq
        gen "$fqc" head -n $((4 * fqc_n)) "$short"
        gen "$fqc.gz" gz6 "$fqc"
        note "fastqc job: its own inputs, the first $fqc_n reads of $(basename "$short") ($(mib "$(fsize "$fqc")"), gzip -6 $(mib "$(fsize "$fqc.gz")"); --fastqc-size $fastqc_size, BENCH_FASTQC_SIZE): FastQC reads ~30 MB/s"
    fi
    note "fastqc job: no long-read input: FastQC --nogroup on reads of up to 100 kbp ran out of Java heap drawing its per-base plot and did not exit"
    fastqc_job plain "$fqc"; fastqc_job gzip "$fqc.gz"
fi

# ---- (5) physical limits ------------------------------------------------------
limit() { # NAME FILE LABEL cmd... (stdout to /dev/null)
    local name=$1 f=$2 label=$3 id w c r fq
    shift 3
    id=limit-$(echo "$label" | tr -c 'a-zA-Z0-9\n' _)-$name
    if ! have "$1"; then
        printf '| `%s` | %s | missing | | | | | |\n' "$label" "$name" >> "$limits_tab"; return
    fi
    single "$id" sh -c '"$@" > /dev/null' sh "$@"
    w=$(median 1 "$tmp/$id.t"); c=$(median 2 "$tmp/$id.t"); r=$(median 3 "$tmp/$id.t")
    fq=${fq_wall[$f]:--}
    printf '| `%s` | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$name" "$(fmt_s "$w")" "$(fmt_s "$c")" \
        "$(fmt_mib "$r")" "$(awk -v b="$(fsize "$short")" -v w="$w" 'BEGIN { printf "%.2f", b / w / 1e9 }')" \
        "$(fmt_s "$fq")" "$(ratio "$fq" "$w")" >> "$limits_tab"
    printf 'limit    %-10s %-22s %8s s\n' "$name" "$label" "$(fmt_s "$w")" >&2
}
if has_job limits; then
    echo "bench: (5) limits" >&2
    limit plain "$short" "cat" cat "$short"
    limit gzip "$short.gz" "zcat" zcat "$short.gz"
    limit gzip "$short.gz" "pigz -dc -p $T" pigz -dc -p "$T" "$short.gz"
    limit gzip "$short.gz" "igzip -dc" igzip -dc "$short.gz"
    if [ -s "$short.bgz" ]; then
        limit BGZF "$short.bgz" "zcat" zcat "$short.bgz"
        limit BGZF "$short.bgz" "bgzip -dc -@$T" bgzip -dc -@ "$T" "$short.bgz"
    fi
fi

# ---- (6) scaling --------------------------------------------------------------
scale_job() { # NAME FILE
    local name=$1 f=$2 th list="" id ref=""
    for ((th = 1; th < T; th *= 2)); do list="$list $th"; done
    list="$list $T"
    if [ -s "$tmp/count-$name-kseq.out" ] && [ ! -e "$tmp/count-$name-kseq.fail" ]; then
        ref=count-$name-kseq
    elif have_kseq; then
        ref=scale-$name-kseq; reset_id "$ref"; run_cmd "$ref" "$KSEQ" "$f"
    fi
    for th in $list; do
        id=scale-$name-t$th
        if [ -n "${counted[$name]:-}" ] && { [ "$th" = 1 ] || [ "$th" = "$T" ]; }; then
            id=count-$name-t$th # measured in the count job, alternated with kseq
        else
            single "$id" "$FQCNT" -v -t "$th" "$f"
        fi
        local w rec chk="-"
        w=$(median 1 "$tmp/$id.t")
        rec=$(cut -f1 "$tmp/$id.out")
        [ -n "$ref" ] && chk=$(check cmp "$id" "$ref")
        # per run: fqcnt's own wall, producer read, blocked, the rest of the
        # producer's time (wall - read - blocked: finding record boundaries,
        # handing out batches), consumers' summed wait; then medians
        awk '{ for (i = 1; i < NF; i++) {
                   if ($i == "wall") w = $(i + 1); if ($i == "read") r = $(i + 1)
                   if ($i == "blocked") b = $(i + 1); if ($i == "waited") c = $(i + 1) }
               printf "%s %s %s %.3f %s\n", w, r, b, w - r - b, c }' "$tmp/$id.m" > "$tmp/x"
        local busy
        busy=$(awk '/consumer [0-9]+:/ { for (i = 1; i < NF; i++) if ($i == "busy") s += $(i + 1) } END { printf "%.3f", s }' "$tmp/$id.err")
        printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$th" "$(fmt_s "$w")" \
            "$(awk -v n="$rec" -v w="$w" 'BEGIN { printf "%.2f", n / w / 1e6 }')" \
            "$(awk -v b="$(fsize "$short")" -v w="$w" 'BEGIN { printf "%.2f", b / w / 1e9 }')" \
            "$(f3 "$(median 2 "$tmp/x")")" "$(f3 "$(median 3 "$tmp/x")")" "$(f3 "$(median 4 "$tmp/x")")" \
            "$(f3 "$(median 5 "$tmp/x")")" \
            "$busy" "$chk" >> "$scaling_tab"
        printf 'scaling  %-10s -t %-3s %8s s\n' "$name" "$th" "$(fmt_s "$w")" >&2
    done
}
if has_job scaling; then
    echo "bench: (6) scaling" >&2
    scale_job plain "$short"
    if [ -s "$short.bgz" ]; then scale_job BGZF "$short.bgz"; fi
fi

# ---- write it -----------------------------------------------------------------
set +e +o pipefail # version probes may exit non-zero (seqtk prints its usage)
versions=""
have kseq && versions="$versions htslib kseq.h $(dpkg-query -W -f '${Version}' libhts-dev 2>/dev/null || echo '?');"
have seqkit && versions="$versions seqkit $(seqkit version 2>/dev/null | awk '{ print $2 }');"
have seqtk && versions="$versions seqtk $(seqtk 2>&1 | awk '/Version/ { print $2 }');"
have fastp && versions="$versions fastp $(fastp --version 2>&1 | awk '{ print $2 }');"
have igzip && versions="$versions igzip $(igzip --version 2>&1 | awk '{ print $NF; exit }');"
have bgzip && versions="$versions bgzip $(bgzip --version 2>&1 | awk '{ print $NF; exit }');"
have pigz && versions="$versions pigz $(pigz --version 2>&1 | awk '{ print $2 }');"
have fastqc && versions="$versions FastQC $(fastqc --version 2>&1 | awk '{ sub(/^v/, "", $2); print $2 }');"
versions="$versions zlib $(awk '/define ZLIB_VERSION/ { gsub(/"/, "", $3); print $3 }' /usr/include/zlib.h 2>/dev/null)"
set -e -o pipefail
cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || uname -m)
{
    echo "### fastqpar benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- Machine: $cpu, $(nproc) cores ($(getconf _NPROCESSORS_ONLN) online), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM; load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- Command: \`$cmdline\`"
    echo "- Inputs (tests/fqgen, page cache warm): $(basename "$short") $(mib "$(fsize "$short")") ($short_n reads of 150 bp),"
    echo "  gzip -6 $(mib "$(fsize "$short.gz")")$([ -s "$short.bgz" ] && echo ", BGZF $(mib "$(fsize "$short.bgz")")");"
    echo "  long reads $(mib "$(fsize "$long")") ($long_n reads of 1–100 kbp)"
    echo "- Medians of $runs run(s) after $warmup warm-up(s), fastqpar and peer alternated; T = $T threads;"
    echo "  CPU = user+sys; RSS = peak resident set (GNU time); ratio = fastqpar wall / peer wall"
    echo "- Peers:$versions"
    if [ -s "$notes" ]; then cat "$notes"; fi
    if [ -s "$table" ]; then
        echo
        echo "| job | input | fastqpar | peer | wall s (fqp / peer) | CPU s (fqp / peer) | peak RSS MiB (fqp / peer) | ratio | target | output |"
        echo "|---|---|---|---|---:|---:|---:|---:|---|---|"
        cat "$table"
    fi
    if [ -s "$levels_tab" ]; then
        echo
        echo "Levels: \`FASTQPAR_DEFLATE=B fqtrim --cpu -t $T [-Z N] -o out.fq.gz\` (BGZF, no trimming) on 300,000 reads; size against \`gzip -6\`."
        echo
        echo "| backend | level | wall s | bytes | size / gzip -6 |"
        echo "|---|---|---:|---:|---:|"
        cat "$levels_tab"
    fi
    if [ -s "$limits_tab" ]; then
        echo
        echo "Physical limits: the same files read or inflated to /dev/null, beside \`fqcnt -t $T\` (from the count job)."
        echo
        echo "| command | input | wall s | CPU s | peak RSS MiB | GB/s of FASTQ text | fqcnt wall s | fqcnt / limit |"
        echo "|---|---|---:|---:|---:|---:|---:|---:|"
        cat "$limits_tab"
    fi
    if [ -s "$scaling_tab" ]; then
        echo
        echo "Scaling: \`fqcnt -v -t N\` (runs of 1 and $T threads are the count job's); GB/s of FASTQ text;"
        echo "from the metrics, medians of the producer's time reading (and inflating), blocked on a full queue,"
        echo "and the rest of its time (wall − read − blocked: framing records, handing out batches), and the"
        echo "consumers' summed time waiting for batches (high when the producer is the bottleneck)."
        echo
        echo "| input | threads | wall s | M records/s | GB/s | producer read s | producer blocked s | producer rest s | consumers waited s | consumers busy s (last run) | output |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
        cat "$scaling_tab"
    fi
} > "$out"
echo >&2
cat "$out"
echo >&2
echo "bench: report written to $out" >&2
if [ -s "$tmp/mismatches" ]; then
    echo "bench: output mismatches or failures:" >&2
    sort -u "$tmp/mismatches" | sed 's/^/  /' >&2
    exit 1
fi
