#!/usr/bin/env bash
# tests/test_cxx_example.sh - the examples people copy compile as C++ with
# g++ and clang++ (-std=c++11 -Wall -Wextra -Wpedantic -Werror) and print
# exactly what the input holds:
#   cxx:CXX:readme           README's embedding example: "RECORDS BASES"
#   cxx:CXX:paired-example   README's paired example: the pairs whose mates
#                            both have >= 50 bases, in order, as BGZF
#   cxx:CXX:fastqpar.h       the example atop fastqpar.h
#   cxx:CXX:fastqpar_cuda.h  the example atop fastqpar_cuda.h, on the CPU
#                            (FASTQPAR_FORCE_CPU=1)
# (test_build.sh and test_cuda_build.sh compile the headers themselves as
# C++ and these examples as C; `= {0}` would fail here: C++ -Wextra warns
# about the missing fields, and rejects 0 for an enum member.)
# Prints PASS/FAIL/SKIP lines; exits nonzero on a failure.
set -u
cd "$(dirname "$0")/.." || exit 1
B=${FQP_BUILD:-build}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fqp-cxx.XXXXXX") || { echo "FAIL setup: mktemp"; exit 1; }
trap 'rm -rf "$tmp"' EXIT
failed=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1${2:+: $2}"; failed=$((failed + 1)); [ -s "$tmp/err" ] && sed 's/^/  /' "$tmp/err" | head -10; }
CXX_FLAGS="-std=c++11 -Wall -Wextra -Wpedantic -Werror -O1 -I. -x c++"

# 3000 records of 1..250 bases; pairs named p<i>/1 (with a comment), p<i>/2
"$B/fqgen" -n 3000 -s 21 -l 1-250 > "$tmp/in.fq" || { echo "FAIL setup: fqgen"; exit 1; }
"$B/fqgen" -n 1500 -s 22 -l 1-150 | awk 'NR%4==1{$0="@p" (NR-1)/4 "/1 c"} 1' > "$tmp/r1.fq"
"$B/fqgen" -n 1500 -s 23 -l 1-150 | awk 'NR%4==1{$0="@p" (NR-1)/4 "/2"} 1' > "$tmp/r2.fq"
gzip -c "$tmp/r1.fq" > "$tmp/reads_1.fq.gz" && gzip -c "$tmp/r2.fq" > "$tmp/reads_2.fq.gz"
bases=$(awk 'NR%4==2{b+=length($0)} END{print b}' "$tmp/in.fq")
# the kept pairs, by an awk reading both files in lockstep: each mate's
# records in input order
awk -v o1="$tmp/want_1.fq" -v o2="$tmp/want_2.fq" 'FNR==NR{r1[FNR]=$0; next} {r2[FNR]=$0}
    END{for (i = 1; i <= FNR; i += 4)
            if (length(r1[i+1]) >= 50 && length(r2[i+1]) >= 50)
                for (j = 0; j < 4; j++) { print r1[i+j] > o1; print r2[i+j] > o2 }}' "$tmp/r1.fq" "$tmp/r2.fq"
kept=$(awk 'END{print NR/4}' "$tmp/want_1.fq")
# the reference must itself be sensible: some pairs kept, some dropped
if [ "$kept" -gt 100 ] && [ "$kept" -lt 1400 ]; then pass "setup:paired-reference ($kept of 1500 pairs)"
else fail "setup:paired-reference" "$kept of 1500 pairs kept"; fi

for ex in readme readme:paired-example fastqpar.h fastqpar_cuda.h; do
    tests/doc_example.sh "$ex" > "$tmp/$ex.c" || fail "extract:$ex" "no such example"
done
for cxx in g++ clang++; do
    if ! command -v $cxx >/dev/null 2>&1; then echo "SKIP cxx:$cxx: $cxx not installed"; continue; fi
    for ex in readme readme:paired-example fastqpar.h fastqpar_cuda.h; do
        name="cxx:$cxx:${ex#readme:}"
        bin="$tmp/$cxx-${ex#readme:}"
        if ! $cxx $CXX_FLAGS -o "$bin" "$tmp/$ex.c" -lz -lpthread -ldl 2>"$tmp/err"; then
            fail "$name" "does not compile"; continue
        fi
        : > "$tmp/err"
        case $ex in
            readme)      want="3000 $bases";          got=$("$bin" "$tmp/in.fq" 2>"$tmp/err") ;;
            fastqpar.h)  want="3000 records, $bases bases"; got=$("$bin" "$tmp/in.fq" 2>"$tmp/err") ;;
            fastqpar_cuda.h)
                         want="3000 reads, $bases bases"
                         got=$(FASTQPAR_FORCE_CPU=1 "$bin" "$tmp/in.fq" 2>"$tmp/err") ;;
            *)           # reads reads_1/2.fq.gz, writes out_1/2.fq.bgz in the current directory
                         rm -f "$tmp"/out_?.fq.bgz; want="0 same same"
                         got="$(cd "$tmp" && "$bin" 2>"$tmp/err"; echo $?)"
                         for m in 1 2; do
                             if gzip -dc "$tmp/out_$m.fq.bgz" 2>>"$tmp/err" | cmp -s - "$tmp/want_$m.fq"
                             then got="$got same"; else got="$got differs"; fi
                         done ;;
        esac
        if [ "$got" = "$want" ]; then pass "$name"; else fail "$name" "got '$got', expected '$want'"; fi
    done
done
exit $((failed > 0))
