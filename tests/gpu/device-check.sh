#!/usr/bin/env bash
# tests/gpu/device-check.sh - the device check: one run on a GPU machine
# (sized for one H200, 16 cores, CUDA 13, driver 580) that builds the tree,
# runs `make test` with the real driver, checks that the GPU and the CPU give
# the same bytes on generated inputs, and measures GPU and CPU throughput.
# It finishes within DEVCHK_BUDGET seconds (470: under 8 minutes), whatever
# the machine: every command runs under `timeout`, and a step that finds the
# budget spent says so instead of running.
#
# usage: tests/gpu/device-check.sh [--dry-run]
#   Works in the tree it lives in (from any directory) with nothing but a C
#   compiler, make and zlib: it builds everything with `make`, generates its
#   inputs with build/fqgen and skips the peers it does not find. Inputs go
#   to /dev/shm when it has room (else TMPDIR) and are removed at the end.
#   Report: $OUT/report.md with logs in $OUT/logs/ when OUT is set, else
#   build/device-check/report.md and build/device-check/logs/.
#   Exit status: 0 when every check passed; 1 when the build, `make test`
#   (a timeout included) or a GPU-vs-CPU comparison failed; 2 on a usage
#   error. A throughput target missed is reported, never a failure.
#
# GPU or fake: a plain run uses the real driver: every FASTQPAR_* and
# FAKE_CUDA_* variable is cleared, so FASTQPAR_CUDA_LIBRARY is unset and
# libcuda.so.1 loads; every --gpu run must then name a device other than the
# fake's "Fake GPU". --dry-run (or DEVCHK_DRY_RUN=1) runs the same steps on
# the fake driver (FASTQPAR_CUDA_LIBRARY=build/libfakecuda.so, whose device
# every --gpu run must name), tiny inputs, one repetition, threads 1 and 2,
# and without `make test` (tests/test_device_check.sh runs the dry run from
# inside `make test`).
#
# Steps, each timed and each a section of the report:
#   1 host facts   date -u, nvidia-smi -L and the driver, nproc, compilers,
#                  the git revision when the tree is a repository
#   2 build, test  make -j$(nproc) all (+ gpu_kmer, SKIP when there is no such
#                  target yet), then make test under timeout: its
#                  "N passed, M failed" line, failures and skips
#   3 correctness  GPU vs CPU, cmp on 150 bp and ~10 kb reads: fqstats (table,
#                  -a, -a -T, --json, --per-position --max-pos, and with
#                  --json: nothing stripped, fqstats prints no run metrics),
#                  fqtrim (FASTQ and BGZF output; --json without its run
#                  fields seconds/path/gpu_batches/gpu_failed/
#                  cpu_fallback_batches, which are checked on their own),
#                  gpu_prefix_sum, gpu_kmer (summary line and -o counts)
#   4 GPU          fqstats -a with 1 and 2 GPU consumers
#                  (FASTQPAR_GPU_CONSUMERS), plain input from memory: each
#                  consumer's -v metrics; target 10 GB/s of bases per
#                  consumer while fed (bases / (wall - wait))
#   5 CPU          fqcnt -t 1,2,4,8,16 on plain and BGZF (written by fqtrim),
#                  median of 3, GB/s of text; target 8 GB/s plain at 16
#                  threads; gpu_kmer on 16 CPU consumers vs the GPU, target
#                  GPU 4x faster
# Knobs: DEVCHK_BUDGET (s), DEVCHK_TEST_TIMEOUT (s, 240), DEVCHK_MAKE_TEST=0
# (no make test: to rerun the measurements), DEVCHK_SHORT_READS,
# DEVCHK_LONG_READS, DEVCHK_REPS, DEVCHK_THREADS ("1 2 4 8 16"), DEVCHK_KMER_K
# (31), FQP_BUILD (the build directory, default build).
set -u
export LC_ALL=C

DRY=${DEVCHK_DRY_RUN:-0}
for arg in "$@"; do
    case $arg in
        --dry-run) DRY=1 ;;
        -h | --help)
            sed -n '2,/^set -u$/{/^set -u$/d;s/^# \{0,1\}//;p}' "$0"
            exit 0 ;;
        *)
            echo "device-check.sh: unknown argument '$arg' (usage: tests/gpu/device-check.sh [--dry-run])" >&2
            exit 2 ;;
    esac
done
case $DRY in 0 | "") DRY=0 ;; *) DRY=1 ;; esac

cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
START_NS=$(date +%s%N)
START_DATE=$(date -u '+%Y-%m-%d %H:%M:%S UTC')

# Nothing from the caller's environment picks the driver, the threads or the
# batches; make runs as a fresh make (not as a child of the caller's).
for v in $(env | sed -n 's/^\(FASTQPAR_[A-Za-z0-9_]*\|FAKE_CUDA_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES

NPROC=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
B=${FQP_BUILD:-build}
if [ "$DRY" = 1 ]; then
    K=${DEVCHK_KMER_K:-9}   # the emulation copies 4^K counters per checkpoint
    MODE="dry run: the fake driver (build/libfakecuda.so), tiny inputs, one repetition"
    BUDGET=${DEVCHK_BUDGET:-300}
    SHORT_N=${DEVCHK_SHORT_READS:-20000}
    LONG_N=${DEVCHK_LONG_READS:-300} LONG_LEN=1000-3000 LONG_MAXPOS=2000
    REPS=${DEVCHK_REPS:-1} THREADS=${DEVCHK_THREADS:-"1 2"} COPIES=1
    KMER_SUB_SHORT=5000 KMER_SUB_LONG=20 KMER_TIME_N=$SHORT_N KMER_CPU_T=2
    DEVICE_KIND=fake
else
    MODE="GPU: the real driver (libcuda.so.1; FASTQPAR_CUDA_LIBRARY unset)"
    BUDGET=${DEVCHK_BUDGET:-470}
    SHORT_N=${DEVCHK_SHORT_READS:-1500000}
    LONG_N=${DEVCHK_LONG_READS:-3000} LONG_LEN=5000-15000 LONG_MAXPOS=8000
    REPS=${DEVCHK_REPS:-3} THREADS=${DEVCHK_THREADS:-"1 2 4 8 16"} COPIES=4
    KMER_SUB_SHORT=50000 KMER_SUB_LONG=300 KMER_TIME_N=500000 KMER_CPU_T=16
    K=${DEVCHK_KMER_K:-13}  # the heavy case: 4^13 counters, every base a random access
    DEVICE_KIND=real
    [ -d /usr/local/cuda/bin ] && PATH=/usr/local/cuda/bin:$PATH # nvcc, ptxas for tests/test_ptx.sh
fi
[ "$KMER_SUB_SHORT" -le "$SHORT_N" ] || KMER_SUB_SHORT=$SHORT_N
[ "$KMER_SUB_LONG" -le "$LONG_N" ] || KMER_SUB_LONG=$LONG_N
[ "$KMER_TIME_N" -le "$SHORT_N" ] || KMER_TIME_N=$SHORT_N
TEST_TIMEOUT=${DEVCHK_TEST_TIMEOUT:-240}
RESERVE=200 # seconds steps 3-5 need after make test (real run)

REPORT_DIR=${OUT:-$ROOT/build/device-check}
[ -n "${OUT:-}" ] || rm -rf "$REPORT_DIR/logs" # our own directory: last run's logs go
LOG=$REPORT_DIR/logs
mkdir -p "$LOG" || { echo "device-check.sh: cannot create $LOG" >&2; exit 2; }
REPORT=$REPORT_DIR/report.md

# Inputs in memory: /dev/shm when it has room for them, else TMPDIR (then
# the page cache holds them: they are read right after being written).
need_mb=$([ "$DRY" = 1 ] && echo 100 || echo 6000)
shm_mb=$(df -Pm /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')
if [ -w /dev/shm ] && [ "${shm_mb:-0}" -ge "$need_mb" ]; then
    DATA=$(mktemp -d /dev/shm/fqp-devchk.XXXXXX)
else
    DATA=$(mktemp -d "${TMPDIR:-/tmp}/fqp-devchk.XXXXXX")
fi
if [ -z "$DATA" ] || [ ! -d "$DATA" ]; then
    echo "device-check.sh: cannot create a data directory" >&2
    exit 2
fi
FRAG=$DATA/report # the sections, put together by write_report
mkdir -p "$FRAG"
trap 'rm -rf "$DATA"' EXIT
trap 'exit 143' TERM INT # so that the EXIT trap runs

# ---- helpers ------------------------------------------------------------------

now_ns() { date +%s%N; }
secs_since() { awk -v a="$1" -v b="$(now_ns)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }
left() { echo $((BUDGET - ($(now_ns) - START_NS) / 1000000000)); }
say() { echo "device-check: $*"; }
# one line of text for a table cell: no '|', no newline, at most 160 characters
cell() { tr '|\n\t' '/  ' | sed 's/  */ /g; s/ $//' | cut -c1-160; }
first_err() { grep -v '^[[:space:]]*$' "$1" 2>/dev/null | grep -iv 'GPU path\|: plain$' | head -1 | cell; }

# run_to NAME CAP CMD...: CMD with stdout in $LOG/NAME.out and stderr in
# $LOG/NAME.err, killed after CAP seconds or when the budget runs out (10 s
# kept back); sets RC (124 or 137: killed; 254: not run, the budget was
# spent, which the rows report as SKIP) and WALL (seconds, 3 decimals). The
# command line goes to logs/commands.txt.
RC=0 WALL=0 BUDGET_SKIPS=0
run_to() {
    local name=$1 cap=$2 lim t0
    shift 2
    mkdir -p "$(dirname "$LOG/$name")"
    printf '[%s] %s\n' "$name" "$*" >>"$LOG/commands.txt"
    lim=$(($(left) - 10))
    [ "$lim" -gt "$cap" ] && lim=$cap
    if [ "$lim" -lt 1 ]; then
        echo "device-check: not run: the time budget ($BUDGET s) is spent" >"$LOG/$name.err"
        : >"$LOG/$name.out"
        RC=254 WALL=0 BUDGET_SKIPS=$((BUDGET_SKIPS + 1))
        return 254
    fi
    t0=$(now_ns)
    timeout -k 5 "$lim" "$@" >"$LOG/$name.out" 2>"$LOG/$name.err"
    RC=$?
    WALL=$(awk -v a="$t0" -v b="$(now_ns)" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
    return "$RC"
}
NOT_RUN="not run: the time budget is spent"
why_rc() { # why_rc NAME RC: a failed command in a few words
    case $2 in
        124 | 137) echo "timed out ($(head -c 120 "$LOG/$1.err" | cell))" ;;
        254) echo "$NOT_RUN" ;;
        *) echo "exit $2: $(first_err "$LOG/$1.err")" ;;
    esac
}

# gpu_lines FILE: one line per "GPU consumer K ..." line of a -v stderr:
#   K batches reads bases kernel_s upload_s download_s wall_s busy_pct gbps
# ('-' for a field the line does not have). The fields are found by their
# words, so fqstats' and gpu_prefix_sum's formats both parse (see the report).
gpu_lines() {
    awk '
    function num(re,   s) {
        if (!match($0, re)) return "-"
        s = substr($0, RSTART, RLENGTH)
        sub(/^[^0-9]*/, "", s); sub(/[^0-9.]*$/, "", s)
        return s
    }
    /GPU consumer [0-9]+[ :(]/ {
        print num("GPU consumer [0-9]+"), num("[0-9]+ batches"), num("[0-9]+ reads"), num("[0-9]+ bases"),
              num("kernels [0-9.]+ s"), num("upload [0-9.]+ s"), num("download [0-9.]+ s"),
              num("wall [0-9.]+ s"), num("busy [0-9.]+%"), num("[0-9.]+ GB/s of bases")
    }' "$1"
}
# gpu_sum FILE: "consumers batches bases" over the GPU consumer lines
gpu_sum() { gpu_lines "$1" | awk '{ n++; b += $2; if ($4 != "-") s += $4 } END { printf "%d %d %d\n", n, b, s }'; }

# gpu_device FILE: the "GPU path:" line names the device this mode wants
# (the fake in a dry run, anything else in a real one); WHY when not.
WHY=""
gpu_device() {
    local line
    line=$(grep -m1 'GPU path:' "$1") || { WHY="no 'GPU path:' line on stderr"; return 1; }
    case $DEVICE_KIND:$line in
        fake:*"Fake GPU"* | real:*) ;;
        *) WHY="not the fake driver: $(echo "$line" | cell)"; return 1 ;;
    esac
    case $DEVICE_KIND:$line in
        real:*"Fake GPU"*) WHY="the fake driver ran: $(echo "$line" | cell)"; return 1 ;;
    esac
    return 0
}

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "-" }'; }
gbps() { awk -v b="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.2f", b / s / 1e9; else print "-" }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f%%", 100 * a / b; else print "-" }'; }
fsize() { stat -c %s "$1" 2>/dev/null || wc -c <"$1"; }

# ---- steps and the report ---------------------------------------------------------

TITLES=("" "Host facts" "Build and make test" "Correctness: GPU vs CPU" "GPU throughput"
        "CPU scaling and k-mer GPU vs CPU")
STATUS=("" "" "" "" "" "") SECS=("" "" "" "" "" "") NOTE=("" "" "" "" "" "")
FAILS=0
STEP=0 STEP_T0=0 STEP_SKIPS=0
step_begin() {
    STEP=$1 STEP_T0=$(now_ns) STEP_SKIPS=$BUDGET_SKIPS
    : >"$FRAG/b$STEP.md"
    say "step $STEP: ${TITLES[$STEP]} ($(left) s of the budget left)"
}
body() { printf '%s\n' "$@" >>"$FRAG/b$STEP.md"; }
step_end() { # step_end STATUS NOTE
    STATUS[STEP]=$1 NOTE[STEP]=$2 SECS[STEP]=$(secs_since "$STEP_T0")
    [ "$BUDGET_SKIPS" = "$STEP_SKIPS" ] ||
        NOTE[STEP]="${NOTE[STEP]}; $((BUDGET_SKIPS - STEP_SKIPS)) command(s) not run: the budget was spent"
    case $1 in FAIL*) FAILS=$((FAILS + 1)) ;; esac
    say "step $STEP: $1 in ${SECS[STEP]} s${NOTE[STEP]:+ (${NOTE[STEP]})}"
    write_report
}
# check NAME INPUT RESULT DETAIL: a row of the current step's check table
CHECK_FAILS=0
check() {
    case $4 in "$NOT_RUN"*) set -- "$1" "$2" SKIP "$4" ;; esac
    printf '| %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" >>"$FRAG/b$STEP.md"
    case $3 in FAIL*) CHECK_FAILS=$((CHECK_FAILS + 1)) ;; esac
    say "  $3 $1 $2${4:+: $4}"
}

write_report() {
    local i verdict
    if [ "$FAILS" -gt 0 ]; then verdict="**FAIL** ($FAILS step(s) failed)"; else verdict="**PASS**"; fi
    {
        echo "# fastqpar device check"
        echo
        echo "- mode: $MODE"
        echo "- started $START_DATE; $(secs_since "$START_NS") s so far of a $BUDGET s budget"
        echo "- result: $verdict; logs: \`logs/\` beside this report (commands: \`logs/commands.txt\`)"
        [ "$BUDGET_SKIPS" = 0 ] || echo "- $BUDGET_SKIPS command(s) not run: the $BUDGET s budget was spent (SKIP rows)"
        echo
        echo "| step | result | seconds | notes |"
        echo "|---|---|---|---|"
        for i in 1 2 3 4 5; do
            echo "| $i. ${TITLES[$i]} | ${STATUS[$i]:-not run} | ${SECS[$i]:--} | ${NOTE[$i]} |"
        done
        for i in 1 2 3 4 5; do
            echo
            echo "## $i. ${TITLES[$i]}"
            echo
            echo "Result: **${STATUS[$i]:-not run}**${SECS[$i]:+ in ${SECS[$i]} s}${NOTE[$i]:+ — ${NOTE[$i]}}"
            if [ -s "$FRAG/b$i.md" ]; then echo; cat "$FRAG/b$i.md"; fi
        done
    } >"$REPORT.tmp" && mv "$REPORT.tmp" "$REPORT"
}

say "$MODE; report $REPORT; data in $DATA"

# ---- 1. host facts ---------------------------------------------------------------

step_begin 1
{
    echo "| fact | value |"
    echo "|---|---|"
    echo "| date -u | $(date -u '+%Y-%m-%d %H:%M:%S UTC') |"
    if command -v nvidia-smi >/dev/null 2>&1; then
        nvidia-smi -L 2>&1 | head -8 | while IFS= read -r l; do echo "| nvidia-smi -L | $(echo "$l" | cell) |"; done
        echo "| driver, memory | $(nvidia-smi --query-gpu=driver_version,memory.total --format=csv,noheader 2>&1 |
            head -1 | cell) |"
    else
        echo "| nvidia-smi | not installed |"
    fi
    echo "| nproc | $NPROC |"
    echo "| kernel | $(uname -srm | cell) |"
    echo "| cc | $( (cc --version 2>&1 || echo "no cc") | head -1 | cell) |"
    echo "| gcc | $( (gcc --version 2>&1 || echo "no gcc") | head -1 | cell) |"
    echo "| make | $( (make --version 2>&1 || echo "no make") | head -1 | cell) |"
    if git rev-parse --git-dir >/dev/null 2>&1; then
        echo "| git | $(git rev-parse HEAD 2>&1 | cell) ($(git status --porcelain 2>/dev/null | wc -l) changed files) |"
    else
        echo "| git | not a git repository |"
    fi
    echo "| memory | $(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null) |"
    echo "| inputs in | $DATA ($(df -Pm "$DATA" | awk 'NR == 2 { print $4 " MB free" }')) |"
    peers=""
    for p in nvcc ptxas bgzip python3 seqkit seqtk pigz; do command -v "$p" >/dev/null 2>&1 && peers="$peers $p"; done
    echo "| peers found | ${peers:- none} (tests skip the others) |"
} >>"$FRAG/b1.md"
step_end PASS "$NPROC cores$(command -v nvidia-smi >/dev/null 2>&1 && echo ", $(nvidia-smi -L 2>/dev/null | wc -l) GPU(s)")"

# ---- 2. build, make test -------------------------------------------------------------

step_begin 2
build_ok=1 KMER=1
body "| what | result | seconds | detail |" "|---|---|---|---|"
if run_to build 300 make -j"$NPROC" BUILD="$B" all; then
    body "| make -j$NPROC all | PASS | $WALL | $(grep -c '^cc \|^c++ \|^gcc ' "$LOG/build.out") compiler runs |"
else
    build_ok=0
    body "| make -j$NPROC all | FAIL | $WALL | $(why_rc build $RC); logs/build.err |"
fi
if [ "$DRY" = 1 ]; then
    if run_to build-fake 120 make BUILD="$B" "$B/libfakecuda.so"; then
        body "| make $B/libfakecuda.so | PASS | $WALL | the fake driver for the dry run |"
    else
        build_ok=0
        body "| make $B/libfakecuda.so | FAIL | $WALL | $(why_rc build-fake $RC) |"
    fi
fi
if run_to build-kmer 120 make BUILD="$B" "$B/gpu_kmer"; then
    body "| make $B/gpu_kmer | PASS | $WALL | |"
elif grep -q 'No rule to make target' "$LOG/build-kmer.err"; then
    KMER=0
    body "| make $B/gpu_kmer | SKIP | $WALL | k-mer example not built (no such target yet) |"
else
    KMER=0 build_ok=0
    body "| make $B/gpu_kmer | FAIL | $WALL | $(why_rc build-kmer $RC) |"
fi
test_note=""
if [ "$DRY" = 1 ]; then
    body "| make test | SKIP | - | dry run: the caller runs make test |"
    test_note="make test skipped (dry run)"
elif [ "${DEVCHK_MAKE_TEST:-1}" = 0 ]; then
    body "| make test | SKIP | - | DEVCHK_MAKE_TEST=0 |"
    test_note="make test skipped (DEVCHK_MAKE_TEST=0)"
elif [ "$build_ok" = 0 ]; then
    body "| make test | SKIP | - | the build failed |"
    test_note="make test not run"
else
    cap=$(($(left) - RESERVE))
    [ "$cap" -gt "$TEST_TIMEOUT" ] && cap=$TEST_TIMEOUT
    [ "$cap" -lt 30 ] && cap=30
    run_to make-test "$cap" make BUILD="$B" test
    trc=$RC
    tlog=$LOG/make-test.out
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$tlog" | tail -1)
    np=$(grep -cE '^\[[^]]*\] PASS' "$tlog") nf=$(grep -cE '^\[[^]]*\] FAIL' "$tlog")
    ns=$(grep -cE '^\[[^]]*\] SKIP' "$tlog")
    if [ "$trc" = 124 ] || [ "$trc" = 137 ]; then
        body "| make test | FAIL (TIMEOUT) | $WALL | killed after $cap s (DEVCHK_TEST_TIMEOUT): $np passed, $nf failed, $ns skipped so far |"
        test_note="make test TIMEOUT after $cap s"
        build_ok=2
    elif [ "$trc" = 0 ] && [ -n "$line" ]; then
        body "| make test | PASS | $WALL | $line, $(grep -E '^[0-9]+ skipped$' "$tlog" | tail -1) |"
        test_note="make test: $line"
    else
        body "| make test | FAIL | $WALL | exit $trc: ${line:-no summary line}; $ns skipped |"
        test_note="make test: ${line:-exit $trc}"
        build_ok=2
    fi
    if [ "$nf" -gt 0 ]; then
        body "" "Failures (first 30; logs/make-test.out):" "" '```'
        grep -E '^\[[^]]*\] FAIL' "$tlog" | head -30 >>"$FRAG/b2.md"
        body '```'
    fi
    if [ "$ns" -gt 0 ]; then
        body "" "Skipped on this machine (logs/make-test.out):" "" '```'
        grep -E '^\[[^]]*\] SKIP' "$tlog" | head -60 >>"$FRAG/b2.md"
        body '```'
    fi
fi
body "" "GPU in make test: the tests drive the GPU code through the fake driver, which they select" \
    "themselves (FASTQPAR_CUDA_LIBRARY=build/libfakecuda.so per command); here FASTQPAR_CUDA_LIBRARY is unset," \
    "so every tool run in AUTO mode loads the real libcuda.so.1, and test_cuda's stub-library test and" \
    "test_ptx's nvcc/ptxas checks run where /usr/local/cuda is installed (its bin/ is on PATH)."
case $build_ok in
    1) step_end PASS "$test_note" ;;
    2) step_end FAIL "$test_note" ;;
    *) step_end FAIL "the build failed" ;;
esac
if [ "$build_ok" = 0 ] && { [ ! -x "$B/fqgen" ] || [ ! -x "$B/fqstats" ]; }; then
    for s in 3 4 5; do STATUS[s]="SKIP" NOTE[s]="the build failed"; done
    write_report
    say "FAIL: the build failed; report $REPORT"
    exit 1
fi
if [ "$DRY" = 1 ]; then export FASTQPAR_CUDA_LIBRARY; FASTQPAR_CUDA_LIBRARY=$(cd "$B" && pwd)/libfakecuda.so; fi
# a dry run's inputs are small: 64 KiB batches (~100 short, ~20 long), so that
# the GPU consumers get some beside the CPU consumer
[ "$DRY" = 1 ] && export FASTQPAR_BATCH_BYTES=65536

# ---- 3. correctness ----------------------------------------------------------------

step_begin 3
CHECK_FAILS=0
gen_t0=$(now_ns)
SHORT=$DATA/short.fq LONG=$DATA/long.fq
"$B/fqgen" -n "$SHORT_N" -s 14 -l 150 >"$SHORT" && "$B/fqgen" -n "$LONG_N" -s 15 -l "$LONG_LEN" >"$LONG"
gen_rc=$?
read -r SHORT_R SHORT_BASES _ < <("$B/fqcnt" "$SHORT" 2>/dev/null || echo "0 0 0")
read -r LONG_R LONG_BASES _ < <("$B/fqcnt" "$LONG" 2>/dev/null || echo "0 0 0")
body "Inputs (fqgen, $(secs_since "$gen_t0") s): short = \`fqgen -n $SHORT_N -s 14 -l 150\`" \
    "($SHORT_R reads, $SHORT_BASES bases, $(fsize "$SHORT") bytes); long = \`fqgen -n $LONG_N -s 15 -l $LONG_LEN\`" \
    "($LONG_R reads, $LONG_BASES bases, $(fsize "$LONG") bytes). GPU runs: \`--gpu -v\` with 2 threads" \
    "(1 GPU + 1 CPU consumer), fqtrim on $NPROC (every thread offloads); CPU runs: \`--cpu\` on $NPROC threads." \
    "Each check compares the outputs with cmp and also requires the GPU path to have run on the" \
    "$DEVICE_KIND device with at least one batch." "" \
    "| check | input | result | detail |" "|---|---|---|---|"
[ "$gen_rc" = 0 ] || check fqgen - FAIL "fqgen failed"

# fqstats_case FORM INPUT FILE BASES ARGS...
DEVICE_SEEN=""
fqstats_case() {
    local form=$1 in=$2 file=$3 bases=$4 n what gw cw crc grc c b s
    shift 4
    n=fqstats-$form-$in what="fqstats ${*:-(the default table)}"
    run_to "$n.gpu" 120 "$B/fqstats" --gpu -v -j 2 "$@" "$file"
    grc=$RC gw=$WALL
    run_to "$n.cpu" 120 "$B/fqstats" --cpu -j "$NPROC" "$@" "$file"
    crc=$RC cw=$WALL
    if [ "$grc" != 0 ]; then check "$what (--gpu)" "$in" FAIL "$(why_rc "$n.gpu" "$grc")"; return
    elif [ "$crc" != 0 ]; then check "$what (--cpu)" "$in" FAIL "$(why_rc "$n.cpu" "$crc")"; return
    elif ! gpu_device "$LOG/$n.gpu.err"; then check "$what" "$in" FAIL "$WHY"; return
    fi
    [ -n "$DEVICE_SEEN" ] || DEVICE_SEEN=$(grep -m1 'GPU path:' "$LOG/$n.gpu.err" | cell)
    read -r c b s < <(gpu_sum "$LOG/$n.gpu.err")
    if [ "$b" = 0 ]; then check "$what" "$in" FAIL "the GPU consumers took no batch"
    elif ! cmp -s "$LOG/$n.gpu.out" "$LOG/$n.cpu.out"; then
        check "$what" "$in" FAIL "stdout differs: logs/$n.gpu.out vs logs/$n.cpu.out"
    else
        check "$what" "$in" PASS "identical ($(wc -l <"$LOG/$n.cpu.out") lines); $c GPU consumer(s): $b batches, $(pct "$s" "$bases") of the bases; GPU $gw s, CPU $cw s"
    fi
}
for in in short long; do
    if [ "$in" = short ]; then file=$SHORT bases=$SHORT_BASES mp=100; else file=$LONG bases=$LONG_BASES mp=$LONG_MAXPOS; fi
    fqstats_case table "$in" "$file" "$bases"
    fqstats_case all "$in" "$file" "$bases" -a
    fqstats_case tabular "$in" "$file" "$bases" -a -T
    fqstats_case json "$in" "$file" "$bases" --json
    fqstats_case perpos "$in" "$file" "$bases" --per-position --max-pos "$mp"
    fqstats_case perpos-json "$in" "$file" "$bases" --per-position --max-pos "$mp" --json
done

# fqtrim_case RULE INPUT FILE EXT ARGS...: FASTQ (or BGZF) out byte for byte,
# --json the same but for its run fields, which must say the GPU ran.
TRIM_ROWS=$DATA/trim-rows
: >"$TRIM_ROWS"
RUN_FIELDS='"(seconds|path|gpu_batches|gpu_failed|cpu_fallback_batches)":'
fqtrim_case() {
    local rule=$1 in=$2 file=$3 ext=$4 n grc crc gs cs bi
    shift 4
    n=fqtrim-$rule-$in
    run_to "$n.gpu" 180 "$B/fqtrim" --gpu -v -t "$NPROC" "$@" --json "$LOG/$n.gpu.json" -o "$DATA/$n.gpu.$ext" "$file"
    grc=$RC
    run_to "$n.cpu" 180 "$B/fqtrim" --cpu -t "$NPROC" "$@" --json "$LOG/$n.cpu.json" -o "$DATA/$n.cpu.$ext" "$file"
    crc=$RC
    if [ "$grc" != 0 ]; then check "fqtrim $* -o .$ext (--gpu)" "$in" FAIL "$(why_rc "$n.gpu" "$grc")"
    elif [ "$crc" != 0 ]; then check "fqtrim $* -o .$ext (--cpu)" "$in" FAIL "$(why_rc "$n.cpu" "$crc")"
    elif ! gpu_device "$LOG/$n.gpu.err"; then check "fqtrim $* -o .$ext" "$in" FAIL "$WHY"
    elif ! grep -q '"path": "gpu",' "$LOG/$n.gpu.json" || ! grep -q '"gpu_failed": false' "$LOG/$n.gpu.json" ||
        ! grep -q '"cpu_fallback_batches": 0,' "$LOG/$n.gpu.json" || grep -q '"gpu_batches": 0,' "$LOG/$n.gpu.json"; then
        check "fqtrim $* -o .$ext" "$in" FAIL "the GPU did not trim everything: $(grep -E "$RUN_FIELDS" "$LOG/$n.gpu.json" | tr -d ' \n' | cell)"
    elif ! cmp -s "$DATA/$n.gpu.$ext" "$DATA/$n.cpu.$ext"; then
        check "fqtrim $* -o .$ext" "$in" FAIL "the output differs ($(cmp "$DATA/$n.gpu.$ext" "$DATA/$n.cpu.$ext" 2>&1 | head -1 | cell))"
    elif ! diff <(grep -vE "$RUN_FIELDS" "$LOG/$n.gpu.json") <(grep -vE "$RUN_FIELDS" "$LOG/$n.cpu.json") >"$LOG/$n.json.diff"; then
        check "fqtrim $* -o .$ext" "$in" FAIL "--json counters differ: logs/$n.json.diff"
    else
        gs=$(sed -n 's/.*"seconds": \([0-9.]*\).*/\1/p' "$LOG/$n.gpu.json")
        cs=$(sed -n 's/.*"seconds": \([0-9.]*\).*/\1/p' "$LOG/$n.cpu.json")
        bi=$(sed -n 's/.*"bases_in": \([0-9]*\).*/\1/p' "$LOG/$n.cpu.json")
        check "fqtrim $* -o .$ext" "$in" PASS "identical ($(fsize "$DATA/$n.cpu.$ext") bytes), --json too; $(sed -n 's/.*"gpu_batches": \([0-9]*\).*/\1/p' "$LOG/$n.gpu.json") GPU batches; GPU $gs s, CPU $cs s"
        printf '| fqtrim %s -o .%s | %s | %s | %s | %s | %s |\n' "$*" "$ext" "$in" "$gs" "$(gbps "$bi" "$gs")" "$cs" \
            "$(gbps "$bi" "$cs")" >>"$TRIM_ROWS"
    fi
    rm -f "$DATA/$n.gpu.$ext" "$DATA/$n.cpu.$ext"
}
fqtrim_case bwa short "$SHORT" fq -q 33 -m 50 --max-n 1
fqtrim_case window short "$SHORT" fq.gz -q 25 -w 5 -m 30 --max-n 0.05 -Z 1
fqtrim_case bwa long "$LONG" fq -q 18 -m 1000
fqtrim_case window long "$LONG" fq -q 10 -w 20 -m 1000

# gpu_prefix_sum: its five totals
for in in short long; do
    if [ "$in" = short ]; then file=$SHORT; else file=$LONG; fi
    n=prefix-sum-$in
    run_to "$n.gpu" 120 env FASTQPAR_THREADS=2 "$B/gpu_prefix_sum" --gpu -v "$file"
    grc=$RC
    run_to "$n.cpu" 120 "$B/gpu_prefix_sum" --cpu "$file"
    crc=$RC
    read -r c b s < <(gpu_sum "$LOG/$n.gpu.err")
    if [ "$grc" != 0 ]; then check "gpu_prefix_sum (--gpu)" "$in" FAIL "$(why_rc "$n.gpu" "$grc")"
    elif [ "$crc" != 0 ]; then check "gpu_prefix_sum (--cpu)" "$in" FAIL "$(why_rc "$n.cpu" "$crc")"
    elif [ "$b" = 0 ]; then check "gpu_prefix_sum" "$in" FAIL "the GPU consumers took no batch"
    elif ! cmp -s "$LOG/$n.gpu.out" "$LOG/$n.cpu.out"; then
        check "gpu_prefix_sum" "$in" FAIL "stdout differs: logs/$n.gpu.out vs logs/$n.cpu.out"
    else
        check "gpu_prefix_sum" "$in" PASS "identical ($(tr '\t\n' '= ' <"$LOG/$n.cpu.out" | cell)); $c GPU consumer(s), $b batches"
    fi
done

# gpu_kmer: the summary line (hash of the whole table) and the -o counts
KMER_SUM_RE='^k=[0-9]+ reads=[0-9]+ kmers=[0-9]+ distinct=[0-9]+ hash=[^ ]+$'
kmer_case() { # kmer_case INPUT FILE
    local in=$1 file=$2 n grc crc c b s
    n=kmer-$in
    run_to "$n.gpu" 120 "$B/gpu_kmer" -k "$K" --gpu -v -t 2 -o "$DATA/$n.gpu.tsv" "$file"
    grc=$RC
    run_to "$n.cpu" 120 "$B/gpu_kmer" -k "$K" --cpu -t "$NPROC" -o "$DATA/$n.cpu.tsv" "$file"
    crc=$RC
    read -r c b s < <(gpu_sum "$LOG/$n.gpu.err")
    if [ "$grc" != 0 ]; then check "gpu_kmer -k $K -o (--gpu)" "$in" FAIL "$(why_rc "$n.gpu" "$grc")"
    elif [ "$crc" != 0 ]; then check "gpu_kmer -k $K -o (--cpu)" "$in" FAIL "$(why_rc "$n.cpu" "$crc")"
    elif grep -q 'GPU path:' "$LOG/$n.gpu.err" && ! gpu_device "$LOG/$n.gpu.err"; then check "gpu_kmer -k $K -o" "$in" FAIL "$WHY"
    elif [ "$c" = 0 ]; then check "gpu_kmer -k $K -o" "$in" FAIL "-v printed no 'GPU consumer N ...' line"
    elif [ "$b" = 0 ]; then check "gpu_kmer -k $K -o" "$in" FAIL "the GPU consumers took no batch"
    elif ! grep -qE "$KMER_SUM_RE" "$LOG/$n.cpu.out" || [ "$(wc -l <"$LOG/$n.cpu.out")" != 1 ]; then
        check "gpu_kmer -k $K -o" "$in" FAIL "the summary is not one 'k=K reads=R kmers=M distinct=D hash=H' line: $(head -2 "$LOG/$n.cpu.out" | cell)"
    elif ! cmp -s "$LOG/$n.gpu.out" "$LOG/$n.cpu.out"; then
        check "gpu_kmer -k $K -o" "$in" FAIL "summary differs: GPU '$(cell <"$LOG/$n.gpu.out")', CPU '$(cell <"$LOG/$n.cpu.out")'"
    elif ! cmp -s "$DATA/$n.gpu.tsv" "$DATA/$n.cpu.tsv"; then
        if cmp -s <(sort "$DATA/$n.gpu.tsv") <(sort "$DATA/$n.cpu.tsv"); then
            check "gpu_kmer -k $K -o" "$in" FAIL "-o: the same counts in another order"
        else
            check "gpu_kmer -k $K -o" "$in" FAIL "-o: the counts differ"
        fi
    else
        check "gpu_kmer -k $K -o" "$in" PASS "identical: $(cell <"$LOG/$n.cpu.out"), $(wc -l <"$DATA/$n.cpu.tsv") TSV lines; $c GPU consumer(s), $b batches"
    fi
    rm -f "$DATA/$n.gpu.tsv" "$DATA/$n.cpu.tsv"
}
if [ "$KMER" = 1 ]; then
    head -n $((4 * KMER_SUB_SHORT)) "$SHORT" >"$DATA/kmer-short.fq"
    head -n $((4 * KMER_SUB_LONG)) "$LONG" >"$DATA/kmer-long.fq"
    kmer_case "short ($KMER_SUB_SHORT reads)" "$DATA/kmer-short.fq"
    kmer_case "long ($KMER_SUB_LONG reads)" "$DATA/kmer-long.fq"
    rm -f "$DATA/kmer-short.fq" "$DATA/kmer-long.fq"
else
    check "gpu_kmer" - SKIP "k-mer example not built"
fi
body "" "The GPU path, as the first fqstats --gpu -v run printed it: \`${DEVICE_SEEN:-none}\`"
if [ "$CHECK_FAILS" -gt 0 ]; then step_end FAIL "$CHECK_FAILS check(s) failed"
else step_end PASS "$(grep -c '| PASS |' "$FRAG/b3.md") checks identical"; fi

# ---- 4. GPU throughput -------------------------------------------------------------

step_begin 4
CHECK_FAILS=0
body "\`FASTQPAR_GPU_CONSUMERS=G fqstats --gpu -v -a -j G+1\` (G GPU consumers + the one CPU consumer" \
    "fqstats always keeps) on the plain input from memory ($DATA), named $COPIES time(s) on the command line;" \
    "its stdout must equal \`fqstats --cpu -a\` of the same files. Per consumer, from its -v line: kernel," \
    "upload and download seconds (CUDA events), wall (inside run()), busy = 1 - wait/wall (wait: blocked" \
    "for input holding nothing). \"GB/s (tool)\" is the tool's bases / wall, which the producer and the CPU" \
    "consumer bound; \"GB/s fed\" = bases / (wall × busy) is the consumer's own rate and the one held to the" \
    "target (≥ 10 GB/s of bases per consumer)." "" \
    "| run | consumer | batches | bases | kernels s | upload s | download s | wall s | busy % | GB/s (tool) | GB/s fed | target ≥ 10 |" \
    "|---|---|---|---|---|---|---|---|---|---|---|---|"
E2E=$DATA/e2e-rows
: >"$E2E"
tp_total=0 tp_met=0
tp_run() { # tp_run NAME G FILE BASES: one fqstats run with G GPU consumers
    local name=$1 g=$2 file=$3 bases=$4 files=() i rc n lines k bt bs ks us ds ws bu gb fed tgt
    for ((i = 0; i < COPIES; i++)); do files+=("$file"); done
    [ -s "$LOG/tp-$name-cpu.out" ] || run_to "tp-$name-cpu" 120 "$B/fqstats" --cpu -a -j "$NPROC" "${files[@]}"
    run_to "tp-$name-g$g" 120 env FASTQPAR_GPU_CONSUMERS="$g" "$B/fqstats" --gpu -v -a -j $((g + 1)) "${files[@]}"
    rc=$RC
    n="$name, $g GPU consumer(s)"
    if [ "$rc" = 254 ]; then body "| $n | - | - | - | - | - | - | - | - | - | - | SKIP: $NOT_RUN |"; return; fi
    if [ "$rc" != 0 ]; then
        body "| $n | - | - | - | - | - | - | - | - | - | - | FAIL: $(why_rc "tp-$name-g$g" "$rc") |"
        CHECK_FAILS=$((CHECK_FAILS + 1)); return
    fi
    if ! gpu_device "$LOG/tp-$name-g$g.err"; then
        body "| $n | - | - | - | - | - | - | - | - | - | - | FAIL: $WHY |"
        CHECK_FAILS=$((CHECK_FAILS + 1)); return
    fi
    lines=$(gpu_lines "$LOG/tp-$name-g$g.err")
    while read -r k bt _ bs ks us ds ws bu gb; do
        [ -n "$k" ] || continue
        fed=$(awk -v b="$bs" -v w="$ws" -v u="$bu" 'BEGIN { if (w > 0 && u > 0) printf "%.2f", b / (w * u / 100) / 1e9; else print "-" }')
        if [ "$DRY" = 1 ]; then tgt="n/a (fake driver)"
        else
            tp_total=$((tp_total + 1))
            if awk -v f="$fed" 'BEGIN { exit !(f + 0 >= 10) }'; then tgt=met; tp_met=$((tp_met + 1)); else tgt=missed; fi
        fi
        body "| $n | $k | $bt | $bs | $ks | $us | $ds | $ws | $bu | $gb | $fed | $tgt |"
    done <<<"$lines"
    read -r k bt bs < <(gpu_sum "$LOG/tp-$name-g$g.err")
    printf '| %s | %s | %s | %s | %s | %s |\n' "$n" "$WALL" "$((bases * COPIES))" "$(gbps $((bases * COPIES)) "$WALL")" \
        "$(pct "$bs" $((bases * COPIES)))" "$([ "$k" = "$g" ] && echo "$k" || echo "$k (asked for $g)")" >>"$E2E"
    if [ ! -s "$LOG/tp-$name-cpu.out" ]; then
        body "| $n | - | - | - | - | - | - | - | - | - | - | SKIP: no --cpu output to compare ($(first_err "$LOG/tp-$name-cpu.err")) |"
    elif ! cmp -s "$LOG/tp-$name-g$g.out" "$LOG/tp-$name-cpu.out"; then
        body "| $n | - | - | - | - | - | - | - | - | - | - | FAIL: stdout differs from --cpu (logs/tp-$name-g$g.out) |"
        CHECK_FAILS=$((CHECK_FAILS + 1))
    fi
}
tp_run short 1 "$SHORT" "$SHORT_BASES"
tp_run short 2 "$SHORT" "$SHORT_BASES"
tp_run long 1 "$LONG" "$LONG_BASES"
body "" "End to end (the command's wall time; bases of every file named):" "" \
    "| run | wall s | bases | GB/s of bases | GPU share | GPU consumers |" "|---|---|---|---|---|---|"
cat "$E2E" >>"$FRAG/b4.md"
if [ -s "$TRIM_ROWS" ]; then
    body "" "fqtrim (step 3's runs; its -v prints no per-worker metrics, so the tool's \"seconds\" in --json;" \
        "GPU: --gpu -t $NPROC, every thread offloading; CPU: --cpu -t $NPROC):" "" \
        "| run | input | GPU s | GPU GB/s of bases | CPU s | CPU GB/s of bases |" "|---|---|---|---|---|---|"
    cat "$TRIM_ROWS" >>"$FRAG/b4.md"
fi
if [ "$CHECK_FAILS" -gt 0 ]; then step_end FAIL "$CHECK_FAILS run(s) failed or differed from --cpu"
elif [ "$DRY" = 1 ]; then step_end PASS "no target under the fake driver"
else step_end PASS "target ≥ 10 GB/s of bases per consumer: met by $tp_met of $tp_total"; fi

# ---- 5. CPU scaling, k-mer GPU vs CPU ---------------------------------------------

step_begin 5
CHECK_FAILS=0
SCALE=$SHORT
if [ "$COPIES" -gt 1 ]; then
    SCALE=$DATA/scale.fq
    for ((i = 0; i < COPIES; i++)); do cat "$SHORT"; done >"$SCALE"
fi
TEXT=$(fsize "$SCALE")
BGZF=$DATA/scale.fq.gz
bgzf_note=""
if run_to make-bgzf 120 "$B/fqtrim" --cpu -Q -t "$NPROC" -o "$BGZF" "$SCALE" &&
    [ "$(head -c 14 "$BGZF" | od -An -tx1 | tr -d ' \n')" = "1f8b08040000000000ff06004243" ]; then
    bgzf_note="BGZF written by \`fqtrim --cpu -o scale.fq.gz\` (no trimming option: the same records; $(fsize "$BGZF") bytes, $WALL s)"
    run_to scale-inflater 60 "$B/fqstats" -v -j "$NPROC" "$BGZF"
    bgzf_note="$bgzf_note; inflater: $(sed -n 's/^fqstats: .*: gzip, inflated by //p' "$LOG/scale-inflater.err" | head -1)"
else
    bgzf_note="no BGZF input: fqtrim could not write it ($(first_err "$LOG/make-bgzf.err"))"
    rm -f "$BGZF"
fi
body "\`fqcnt -t T\` on the short reads named $COPIES time(s) ($TEXT bytes of text; $bgzf_note)." \
    "Wall: the command's, median of $REPS; GB/s: bytes of FASTQ text / median wall (for BGZF too)." \
    "Every run must print the same counts. Target: plain ≥ 8 GB/s at 16 threads." "" \
    "| input | threads | median wall s | runs s | GB/s of text | fqcnt -v GB/s (median) | target |" \
    "|---|---|---|---|---|---|---|"
ref=""
scale_met=""
for kind in plain bgzf; do
    if [ "$kind" = plain ]; then file=$SCALE; else file=$BGZF; fi
    [ -s "$file" ] || { body "| $kind | - | - | - | - | - | SKIP: no input |"; continue; }
    for t in $THREADS; do
        walls="" tools="" bad=""
        for ((r = 1; r <= REPS; r++)); do
            if ! run_to "scale/$kind-t$t-r$r" 120 "$B/fqcnt" -v -t "$t" "$file"; then
                [ "$RC" = 254 ] && [ -n "$walls" ] && break # the runs so far make the median
                bad="$(why_rc "scale/$kind-t$t-r$r" "$RC")"; break
            fi
            out=$(cat "$LOG/scale/$kind-t$t-r$r.out")
            [ -n "$ref" ] || ref=$out
            [ "$out" = "$ref" ] || { bad="counts '$out' differ from '$ref'"; break; }
            walls="$walls $WALL"
            tools="$tools $(sed -n 's/^wall [0-9.]* s, \([0-9.]*\) GB\/s of text.*/\1/p' "$LOG/scale/$kind-t$t-r$r.err")"
        done
        if [ "$bad" = "$NOT_RUN" ]; then body "| $kind | $t | - | - | - | - | SKIP: $bad |"; continue; fi
        if [ -n "$bad" ]; then
            body "| $kind | $t | - | $walls | - | - | FAIL: $bad |"
            CHECK_FAILS=$((CHECK_FAILS + 1)); continue
        fi
        med=$(echo "$walls" | median)
        rate=$(gbps "$TEXT" "$med")
        tgt=-
        if [ "$kind" = plain ] && [ "$t" = 16 ]; then
            if awk -v r="$rate" 'BEGIN { exit !(r + 0 >= 8) }'; then tgt=met; else tgt=missed; fi
            scale_met=$tgt
        fi
        body "| $kind | $t | $med | ${walls# } | $rate | $(echo "$tools" | median) | $tgt |"
    done
done

# the k-mer job: 16 CPU consumers against the GPU
kmer_note=""
if [ "$KMER" = 1 ]; then
    KIN=$DATA/kmer-time.fq
    head -n $((4 * KMER_TIME_N)) "$SHORT" >"$KIN"
    body "" "k-mer counting, \`gpu_kmer -k $K\` on the first $KMER_TIME_N short reads (no -o): \`--cpu -t $KMER_CPU_T\`" \
        "against \`--gpu -v -t 2\`, median of $REPS; the summary lines (with the hash of the table) must be equal." "" \
        "| run | median wall s | runs s | summary |" "|---|---|---|---|"
    kbad=""
    for side in cpu gpu; do
        walls=""
        for ((r = 1; r <= REPS; r++)); do
            if [ "$side" = cpu ]; then
                run_to "kmer-time/cpu-r$r" 180 "$B/gpu_kmer" -k "$K" --cpu -t "$KMER_CPU_T" "$KIN"
            else
                run_to "kmer-time/gpu-r$r" 180 "$B/gpu_kmer" -k "$K" --gpu -v -t 2 "$KIN"
            fi
            if [ "$RC" = 254 ] && [ -n "$walls" ]; then break; fi
            [ "$RC" = 0 ] || { kbad="$side: $(why_rc "kmer-time/$side-r$r" "$RC")"; break; }
            walls="$walls $WALL"
        done
        med=$(echo "$walls" | median)
        if [ "$side" = cpu ]; then kcpu=$med; else kgpu=$med; fi
        body "| $side | $med | ${walls# } | $(cell <"$LOG/kmer-time/$side-r1.out") |"
        [ -z "$kbad" ] || break
    done
    if [ "${kbad#*: }" = "$NOT_RUN" ]; then
        body "" "SKIP: $kbad"
        kmer_note="k-mer timing not run: the time budget is spent"
    elif [ -n "$kbad" ]; then
        body "" "FAIL: $kbad"
        CHECK_FAILS=$((CHECK_FAILS + 1))
        kmer_note="k-mer run failed"
    elif ! cmp -s "$LOG/kmer-time/cpu-r1.out" "$LOG/kmer-time/gpu-r1.out"; then
        body "" "FAIL: the GPU and CPU summary lines differ"
        CHECK_FAILS=$((CHECK_FAILS + 1))
        kmer_note="k-mer summaries differ"
    else
        sp=$(awk -v c="$kcpu" -v g="$kgpu" 'BEGIN { if (g > 0) printf "%.1f", c / g; else print "-" }')
        if [ "$DRY" = 1 ]; then kt="n/a (fake driver)"
        elif awk -v s="$sp" 'BEGIN { exit !(s + 0 >= 4) }'; then kt=met; else kt=missed; fi
        body "" "GPU speed-up: **${sp}x** (target ≥ 4x: $kt). GPU consumers of the last GPU run (-v):" "" \
            "| consumer | batches | bases | kernels s | upload s | download s | wall s | busy % | GB/s |" \
            "|---|---|---|---|---|---|---|---|---|"
        gpu_lines "$LOG/kmer-time/gpu-r$REPS.err" | while read -r k bt _ bs ks us ds ws bu gb; do
            echo "| $k | $bt | $bs | $ks | $us | $ds | $ws | $bu | $gb |"
        done >>"$FRAG/b5.md"
        kmer_note="k-mer GPU ${sp}x (target 4x: $kt)"
    fi
    rm -f "$KIN"
else
    body "" "k-mer counting: SKIP, k-mer example not built."
    kmer_note="k-mer SKIP (not built)"
fi
rm -f "$DATA/scale.fq" "$BGZF"
if [ "$CHECK_FAILS" -gt 0 ]; then step_end FAIL "$CHECK_FAILS run(s) failed or counted differently; $kmer_note"
elif [ "$DRY" = 1 ]; then step_end PASS "no targets in a dry run; $kmer_note"
else step_end PASS "plain at 16 threads ≥ 8 GB/s: ${scale_met:-not measured}; $kmer_note"; fi

write_report
if [ "$FAILS" -gt 0 ]; then
    say "FAIL: $FAILS step(s) failed; report $REPORT"
    exit 1
fi
say "PASS; report $REPORT"
exit 0
