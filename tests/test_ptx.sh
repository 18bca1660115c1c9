#!/usr/bin/env bash
# kernels.cu (and examples/gpu_kmer.cu, the k-mer example's kernel) builds
# wherever it must, and what is generated from it is current:
#   emulation:*  both compile as host C11 and C++11 under tests/cuda_emu.h
#                (gcc, clang, g++, clang++ with -Wall -Wextra -Wpedantic -Werror),
#                and the kernel tests (test_kernels, test_kmer) also pass with
#                the kernels compiled as C++
#   ptx:*        with nvcc: `make ptx` reproduces the committed kernels.ptx and
#                examples/gpu_kmer.ptx byte for byte; with ptxas: both assemble
#                for sm_75, sm_80, sm_90
#   version:*    kernels.ptx and examples/gpu_kmer.ptx declare .version
#                PTX_VERSION (below; the minimum driver fastqpar_cuda.h and
#                README.md state follows from it), at most PTX_VERSION_MAX, and
#                the docs name it; with ptxas: tests/ptx_lower.sh picks exactly
#                it, and the version before it is refused for sm_75
#   lower:*      with ptxas: tests/ptx_lower.sh on small PTX picks the oldest
#                version the target and the instructions need, keeps the rest
#                byte for byte, and fails without writing OUT on bad input
#   embed:*      tests/embed_ptx.sh on a scratch header: the array compiles
#                warning-free as C11 and C++11, its pieces concatenated are the
#                PTX, the text around the markers is untouched, a rerun changes
#                nothing; on odd input too (quotes, backslashes, "??", control
#                bytes, a line longer than a C literal may be, no final newline)
#   embedded:*   the PTX embedded in fastqpar_cuda.h is kernels.ptx, and it is
#                the last thing in the header: after the >>cuda-ptx banner,
#                with only its accessor, the implementation's #endif and the
#                licence after it; examples/gpu_kmer_ptx.h holds
#                examples/gpu_kmer.ptx as make ptx writes it (embed_ptx.sh -n)
# SKIP lines where a compiler, the CUDA toolkit or fastqpar_cuda.h is missing.
set -u
cd "$(dirname "$0")/.."
out=$(mktemp -d "${TMPDIR:-/tmp}/fqp-ptx.XXXXXX")
trap 'rm -rf "$out"' EXIT
fail=0
C_FLAGS="-std=c11 -Wall -Wextra -Wpedantic -Werror -O2 -I."
CXX_FLAGS="-std=c++11 -Wall -Wextra -Wpedantic -Werror -O2 -I. -x c++"
begin='/* BEGIN EMBEDDED PTX (make ptx) */'
end='/* END EMBEDDED PTX */'

have() { command -v "$1" >/dev/null 2>&1; }
ok() { echo "PASS $1"; }
bad() { # name, reason, [log]
    echo "FAIL $1: $2"
    if [ -n "${3:-}" ] && [ -s "$3" ]; then sed 's/^/  /' "$3" | head -20; fi
    fail=1
}

# ---- the kernels as host code ----
for cc in gcc clang; do
    if ! have $cc; then echo "SKIP emulation:$cc: $cc not installed"; continue; fi
    if $cc $C_FLAGS -c -o "$out/emu.o" tests/kernels_emu.c 2>"$out/err"; then ok "emulation:$cc"
    else bad "emulation:$cc" "kernels.cu does not compile as C11 under cuda_emu.h" "$out/err"; fi
done
for cxx in g++ clang++; do
    if ! have $cxx; then echo "SKIP emulation:$cxx: $cxx not installed"; continue; fi
    if $cxx $CXX_FLAGS -c -o "$out/emu_$cxx.o" tests/kernels_emu.c 2>"$out/err"; then ok "emulation:$cxx"
    else bad "emulation:$cxx" "kernels.cu does not compile as C++11 under cuda_emu.h" "$out/err"; continue; fi
done
# the kernel tests with the kernels compiled as C++ (the tests themselves stay C)
for t in test_kernels test_kmer; do
    if have g++ && have gcc && [ -f "$out/emu_g++.o" ]; then
        if gcc $C_FLAGS -c -o "$out/$t.o" tests/$t.c 2>"$out/err" &&
           g++ -o "$out/$t" "$out/$t.o" "$out/emu_g++.o" -lz -lpthread 2>>"$out/err"; then
            if "$out/$t" >"$out/$t.log" 2>&1 && ! grep -q '^FAIL' "$out/$t.log"; then ok "emulation:g++:$t"
            else bad "emulation:g++:$t" "kernel tests fail with the kernels compiled as C++" "$out/$t.log"; fi
        else
            bad "emulation:g++:$t" "does not build" "$out/err"
        fi
    else
        echo "SKIP emulation:g++:$t: g++ or gcc not installed"
    fi
done

# ---- PTX: reproducible, and it assembles ----
NVCC=${NVCC:-$(command -v nvcc 2>/dev/null || echo /usr/local/cuda/bin/nvcc)}
PTXAS=${PTXAS:-$(command -v ptxas 2>/dev/null || echo "$(dirname "$NVCC")/ptxas")}
PTX_FILES="kernels.ptx examples/gpu_kmer.ptx"
missing=0
for f in $PTX_FILES; do
    if [ ! -f "$f" ]; then bad "ptx:committed" "$f is missing (run make ptx)"; missing=1; fi
done
if [ $missing = 1 ]; then :
elif [ -x "$NVCC" ]; then
    # everything make ptx writes goes to $out; no-header.h does not exist
    if ${MAKE:-make} -s ptx NVCC="$NVCC" PTX_OUT="$out/kernels.ptx" PTX_HEADER="$out/no-header.h" \
        KMER_PTX_OUT="$out/gpu_kmer.ptx" KMER_PTX_HEADER="$out/no-header.h" >"$out/make.log" 2>&1; then
        for f in $PTX_FILES; do
            name=ptx:reproducible$( [ "$f" = kernels.ptx ] || echo ":$(basename "$f" .ptx)")
            if cmp -s "$out/$(basename "$f")" "$f"; then ok "$name"
            else
                diff "$f" "$out/$(basename "$f")" >"$out/diff" 2>&1
                bad "$name" "make ptx gives a different $f (rerun make ptx and commit it)" "$out/diff"
            fi
        done
    else
        bad "ptx:reproducible" "make ptx failed" "$out/make.log"
    fi
else
    echo "SKIP ptx:reproducible: no nvcc (set NVCC=)"
fi
for f in $PTX_FILES; do
    tag=$( [ "$f" = kernels.ptx ] || echo ":$(basename "$f" .ptx)")
    for arch in sm_75 sm_80 sm_90; do
        if [ ! -f "$f" ]; then break
        elif [ ! -x "$PTXAS" ]; then echo "SKIP ptx:ptxas$tag:$arch: no ptxas (set PTXAS=)"
        elif "$PTXAS" -arch=$arch -o "$out/ptxas.$arch.cubin" "$f" 2>"$out/err"; then ok "ptx:ptxas$tag:$arch"
        else bad "ptx:ptxas$tag:$arch" "ptxas rejects $f" "$out/err"; fi
    done
done

# ---- the .version: the oldest the kernels need ----
# PTX ISA 6.3 is CUDA 10.0, so drivers from R410 on can JIT the kernels; the
# docs say so. If the kernels come to need more, make ptx picks more: update
# PTX_VERSION and the minimum driver in fastqpar_cuda.h, fastqpar.h, README.md.
# PTX_VERSION_MAX 7.0 (CUDA 11.0, R450) keeps every cluster driver in use.
PTX_VERSION=6.3
PTX_VERSION_MAX=7.0
version_of() { sed -n 's/^\.version \([0-9][0-9]*\.[0-9][0-9]*\)$/\1/p' "$1"; }
set_version() { sed "s/^\.version [0-9.]*\$/.version $1/" "$2" >"$3"; }  # V IN OUT
version_le() { awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, "."); split(b, y, ".")
    exit !(x[1] + 0 < y[1] + 0 || (x[1] + 0 == y[1] + 0 && x[2] + 0 <= y[2] + 0)) }'; }
if [ -f kernels.ptx ]; then
    for f in kernels.ptx examples/gpu_kmer.ptx; do
        v=$(version_of "$f")
        if [ -z "$v" ]; then bad "version:$f" "no '.version X.Y' line"
        elif ! version_le "$v" "$PTX_VERSION_MAX"; then
            bad "version:$f" ".version $v is newer than $PTX_VERSION_MAX: older drivers cannot load it"
        elif [ "$v" != "$PTX_VERSION" ]; then
            bad "version:$f" ".version $v, not $PTX_VERSION (run make ptx; if the kernels need $v, update PTX_VERSION and the documented minimum driver)"
        else ok "version:$f"; fi
    done
    # the top comment of fastqpar_cuda.h, and README.md, name the version
    missing=
    awk '{ print } /\*\// { exit }' fastqpar_cuda.h 2>/dev/null | grep -q -F "PTX ISA $PTX_VERSION" || missing="$missing fastqpar_cuda.h"
    grep -q -F "PTX ISA $PTX_VERSION" README.md 2>/dev/null || missing="$missing README.md"
    if [ -n "$missing" ]; then bad "version:documented" "'PTX ISA $PTX_VERSION' (and its minimum driver) not stated in:$missing"
    else ok "version:documented"; fi
    if [ ! -x "$PTXAS" ]; then
        echo "SKIP version:lowest: no ptxas (set PTXAS=)"
        echo "SKIP version:minimal: no ptxas (set PTXAS=)"
    else
        # from a newer stamp, and from its own: the rule lands on kernels.ptx
        set_version "$PTX_VERSION_MAX" kernels.ptx "$out/raised.ptx"
        if PTXAS="$PTXAS" tests/ptx_lower.sh "$out/raised.ptx" "$out/lowered.ptx" 2>"$out/err" &&
           cmp -s "$out/lowered.ptx" kernels.ptx &&
           PTXAS="$PTXAS" tests/ptx_lower.sh kernels.ptx "$out/again.ptx" 2>>"$out/err" &&
           cmp -s "$out/again.ptx" kernels.ptx; then ok "version:lowest"
        else bad "version:lowest" "tests/ptx_lower.sh does not pick .version $PTX_VERSION for kernels.ptx" "$out/err"; fi
        major=${PTX_VERSION%.*} minor=${PTX_VERSION#*.}
        if [ "$minor" -eq 0 ]; then echo "SKIP version:minimal: no PTX ISA $major.-1 to try"
        else
            set_version "$major.$((minor - 1))" kernels.ptx "$out/older.ptx"
            if "$PTXAS" --gpu-name sm_75 -o "$out/older.cubin" "$out/older.ptx" 2>/dev/null; then
                bad "version:minimal" "ptxas accepts kernels.ptx at .version $major.$((minor - 1)): $PTX_VERSION is not the oldest"
            else ok "version:minimal"; fi
        fi
    fi
fi

# ---- tests/ptx_lower.sh on small kernels ----
# small VERSION TARGET INSTRUCTION: a kernel loading %r1 with INSTRUCTION
small() {
    printf '.version %s\n.target %s\n.address_size 64\n\n.visible .entry k(.param .u64 p)\n{\n' "$1" "$2"
    printf '\t.reg .b32 %%r<2>;\n\t.reg .b64 %%rd<3>;\n\tld.param.u64 %%rd1, [p];\n'
    printf '\tcvta.to.global.u64 %%rd2, %%rd1;\n\t%s\n\tst.global.u32 [%%rd2], %%r1;\n\tret;\n}\n' "$3"
}
# lowered NAME VERSION TARGET INSTRUCTION EXPECTED
lowered() {
    small "$2" "$3" "$4" >"$out/small.ptx"
    rm -f "$out/small.out"
    if ! PTXAS="$PTXAS" tests/ptx_lower.sh "$out/small.ptx" "$out/small.out" 2>"$out/err"; then
        bad "$1" "ptx_lower.sh failed" "$out/err"; return
    fi
    got=$(version_of "$out/small.out")
    sed '/^\.version /d' "$out/small.ptx" >"$out/a"; sed '/^\.version /d' "$out/small.out" >"$out/b"
    if [ "$got" != "$5" ]; then bad "$1" "picked .version '$got', not $5"
    elif ! cmp -s "$out/a" "$out/b"; then bad "$1" "changed more than the .version line"
    else ok "$1"; fi
}
if [ ! -x "$PTXAS" ]; then echo "SKIP lower:*: no ptxas (set PTXAS=)"
elif ! "$PTXAS" --version 2>/dev/null | grep -q -E 'release (1[2-9]|[2-9][0-9])\.'; then
    echo "SKIP lower:*: ptxas older than CUDA 12 (the cases need PTX ISA 7.8)"
else
    lowered lower:sm_75 7.8 sm_75 'ld.global.u32 %r1, [%rd2];' 6.3
    lowered lower:feature 7.8 sm_75 'ld.global.L2::128B.u32 %r1, [%rd2];' 7.4  # prefetch size: PTX 7.4
    lowered lower:sm_80 7.8 sm_80 'ld.global.u32 %r1, [%rd2];' 7.0
    lowered lower:kept 7.8 sm_90 'ld.global.u32 %r1, [%rd2];' 7.8             # sm_90 needs 7.8 itself
    # failures leave an existing OUT as it was
    printf 'keep\n' >"$out/keep"
    small 7.8 sm_75 'bogus.u32 %r1;' >"$out/bad.ptx"
    small 7.8 sm_75 'ld.global.u32 %r1, [%rd2];' | sed '/^\.version /d' >"$out/nover.ptx"
    if PTXAS="$PTXAS" tests/ptx_lower.sh "$out/bad.ptx" "$out/keep" 2>/dev/null; then
        bad "lower:errors" "accepted PTX that ptxas rejects"
    elif PTXAS="$PTXAS" tests/ptx_lower.sh "$out/nover.ptx" "$out/keep" 2>/dev/null; then
        bad "lower:errors" "accepted PTX without a .version line"
    elif PTXAS="$PTXAS" tests/ptx_lower.sh "$out/missing.ptx" "$out/keep" 2>/dev/null; then
        bad "lower:errors" "accepted a missing input"
    elif [ "$(cat "$out/keep")" != keep ]; then bad "lower:errors" "a failure changed OUT"
    elif [ -n "$(find "$out" -name 'keep.lower.*')" ]; then bad "lower:errors" "a failure left a temporary file"
    else
        tests/ptx_lower.sh >/dev/null 2>&1; rc=$?
        if [ $rc -ne 2 ]; then bad "lower:errors" "no arguments: exit $rc, not 2"
        else ok "lower:errors"; fi
    fi
fi

# ---- the embedding script ----
# prints the array between the markers of $1, concatenated
cat >"$out/print.c" <<'EOF'
#include <stddef.h>
#include <stdio.h>
#include "array.h"
#ifndef ARRAY
#define ARRAY fqp__cuda_ptx
#endif
int main(void)
{
    size_t i;
    for (i = 0; ARRAY[i]; i++) fputs(ARRAY[i], stdout);
    return 0;
}
EOF
# extract HEADER: the lines strictly between the markers, into $out/array.h
extract() { awk -v b="$begin" -v e="$end" '$0 == e { f = 0 } f { print } $0 == b { f = 1 }' "$1" >"$out/array.h"; }
# concatenated HEADER PTX NAME [ARRAY]: the array in HEADER (fqp__cuda_ptx unless
# ARRAY is given), compiled as C and C++, prints PTX
concatenated() {
    local name=$3 cc=${CC:-cc} array=${4:-fqp__cuda_ptx}
    extract "$1"
    if ! $cc $C_FLAGS -DARRAY="$array" -I"$out" -o "$out/print" "$out/print.c" 2>"$out/err"; then
        bad "$name" "the embedded array does not compile as C11" "$out/err"; return
    fi
    if ! "$out/print" | cmp -s - "$2"; then bad "$name" "the embedded pieces are not the PTX"; return; fi
    if have ${CXX:-c++}; then
        if ! ${CXX:-c++} $CXX_FLAGS -DARRAY="$array" -I"$out" -o "$out/printx" "$out/print.c" 2>"$out/err"; then
            bad "$name" "the embedded array does not compile as C++11" "$out/err"; return
        fi
        if ! "$out/printx" | cmp -s - "$2"; then bad "$name" "the embedded pieces are not the PTX (C++)"; return; fi
    fi
    ok "$name"
}
printf '/* text before */\n%s\nstatic const char *const fqp__cuda_ptx[] = { NULL };\n%s\n/* text after */\n' \
    "$begin" "$end" >"$out/scratch0.h"
odd_input() {
    printf 'a "quoted" \\back\\slash\ttab ??= ??/ ??( trigraphs?\001\037\177\200\377 end\n\n'
    head -c 9000 /dev/zero | tr '\0' 'x'; printf '\n'
    head -c 3000 /dev/zero | tr '\0' '\\'; printf '"\n'
    printf 'no newline at the end'
}
odd_input >"$out/odd.ptx"
: >"$out/empty.ptx"
for input in kernels.ptx "$out/odd.ptx" "$out/empty.ptx"; do
    [ -f "$input" ] || continue
    name="embed:$(basename "$input" .ptx)"
    cp "$out/scratch0.h" "$out/scratch.h"
    if ! tests/embed_ptx.sh "$input" "$out/scratch.h" 2>"$out/err"; then bad "$name" "embed_ptx.sh failed" "$out/err"; continue; fi
    if [ "$(head -n 2 "$out/scratch.h")" != "$(head -n 2 "$out/scratch0.h")" ] ||
       [ "$(tail -n 2 "$out/scratch.h")" != "$(tail -n 2 "$out/scratch0.h")" ]; then
        bad "$name" "text outside the markers changed"; continue
    fi
    cp "$out/scratch.h" "$out/again.h"
    tests/embed_ptx.sh "$input" "$out/again.h" 2>/dev/null
    if ! cmp -s "$out/scratch.h" "$out/again.h"; then bad "$name" "a second run changes the header"; continue; fi
    concatenated "$out/scratch.h" "$input" "$name"
done
# -n names the array
cp "$out/scratch0.h" "$out/named.h"
if ! tests/embed_ptx.sh -n my_ptx_9 "$out/odd.ptx" "$out/named.h" 2>"$out/err"; then bad "embed:named" "embed_ptx.sh -n failed" "$out/err"
elif ! grep -q '^static const char \*const my_ptx_9\[\] = {$' "$out/named.h"; then bad "embed:named" "-n my_ptx_9 did not name the array"
else concatenated "$out/named.h" "$out/odd.ptx" "embed:named" my_ptx_9; fi
if tests/embed_ptx.sh kernels.ptx "$out/scratch0.h.missing" 2>/dev/null; then bad "embed:errors" "accepted a missing header"
elif printf 'no markers\n' >"$out/nomark.h" && tests/embed_ptx.sh "$out/odd.ptx" "$out/nomark.h" 2>/dev/null; then
    bad "embed:errors" "accepted a header without markers"
elif cp "$out/scratch0.h" "$out/badname.h" && tests/embed_ptx.sh -n '9x' "$out/odd.ptx" "$out/badname.h" 2>/dev/null; then
    bad "embed:errors" "accepted -n 9x"
elif tests/embed_ptx.sh -n 'a-b' "$out/odd.ptx" "$out/badname.h" 2>/dev/null; then
    bad "embed:errors" "accepted -n a-b"
elif ! cmp -s "$out/scratch0.h" "$out/badname.h"; then
    bad "embed:errors" "a refused -n changed the header"
else ok "embed:errors"; fi

# ---- the copy in examples/gpu_kmer_ptx.h ----
if [ ! -f examples/gpu_kmer_ptx.h ] || [ ! -f examples/gpu_kmer.ptx ]; then
    bad "embedded:kmer" "examples/gpu_kmer_ptx.h or examples/gpu_kmer.ptx is missing (run make ptx)"
else
    concatenated examples/gpu_kmer_ptx.h examples/gpu_kmer.ptx "embedded:kmer:current" fqp_kmer_ptx
    cp examples/gpu_kmer_ptx.h "$out/kmer.h"
    if tests/embed_ptx.sh -n fqp_kmer_ptx examples/gpu_kmer.ptx "$out/kmer.h" 2>"$out/err" &&
       cmp -s "$out/kmer.h" examples/gpu_kmer_ptx.h; then
        ok "embedded:kmer:as-make-ptx-writes-it"
    else
        bad "embedded:kmer:as-make-ptx-writes-it" "examples/gpu_kmer_ptx.h differs from what make ptx writes (run make ptx)" "$out/err"
    fi
fi

# ---- the copy in fastqpar_cuda.h ----
if [ ! -f fastqpar_cuda.h ]; then
    echo "SKIP embedded:current: no fastqpar_cuda.h yet"
elif [ ! -f kernels.ptx ]; then
    bad "embedded:current" "no kernels.ptx to compare with"
else
    concatenated fastqpar_cuda.h kernels.ptx "embedded:current"
    # and byte for byte what make ptx would write
    cp fastqpar_cuda.h "$out/cuda.h"
    if tests/embed_ptx.sh kernels.ptx "$out/cuda.h" 2>"$out/err" && cmp -s "$out/cuda.h" fastqpar_cuda.h; then
        ok "embedded:as-make-ptx-writes-it"
    else
        bad "embedded:as-make-ptx-writes-it" "fastqpar_cuda.h differs from what make ptx writes (run make ptx)" "$out/err"
    fi
    # the blob is last: the banner before it is >>cuda-ptx, and after it come
    # only fqp__cuda_embedded_ptx, the implementation's #endif and the licence
    last_banner=$(awk -v b="$begin" '$0 == b { exit } /^\/\* ---- / { t = $0 } END { print t }' fastqpar_cuda.h)
    awk -v e="$end" 'f { print } $0 == e { f = 1 }' fastqpar_cuda.h >"$out/after.h"
    code_after=$(grep -v -e '^static const char \*const \*fqp__cuda_embedded_ptx(void) { return fqp__cuda_ptx; }$' \
                         -e '^#endif /\* FASTQPAR_CUDA_IMPLEMENTATION \*/$' "$out/after.h" |
                 awk '/^\/\*/ { c = 1 } !c && NF { print } /\*\// { c = 0 }')
    case $last_banner in
    '/* ---- >>cuda-ptx:'*)
        if [ -n "$code_after" ]; then bad "embedded:last" "code after the embedded PTX: $code_after"
        elif ! grep -q '^#endif /\* FASTQPAR_CUDA_IMPLEMENTATION \*/$' "$out/after.h"; then
            bad "embedded:last" "the implementation does not end after the embedded PTX"
        elif ! grep -q 'ALTERNATIVE A - MIT License' "$out/after.h"; then
            bad "embedded:last" "the licence is not after the embedded PTX"
        else ok "embedded:last"; fi ;;
    *) bad "embedded:last" "the banner before the embedded PTX is '$last_banner', not >>cuda-ptx" ;;
    esac
fi
exit $fail
