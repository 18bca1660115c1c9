#!/usr/bin/env bash
# fastqpar_cuda.h compiles warning-free without any CUDA header in every
# configuration users will try (gcc and clang as C11, g++ and clang++ as C++,
# FASTQPAR_STATIC, FASTQPAR_USE_PTHREADS, FASTQPAR_NO_ZLIB, two translation
# units, a C++ file using the C implementation), and the example atop the
# header runs: on CPU consumers only (FASTQPAR_FORCE_CPU=1, or no driver),
# on the fake driver (same output), and as a clear error under
# FASTQPAR_FORCE_GPU=1 without a driver or in a statically linked program.
set -u
cd "$(dirname "$0")/.."
out=$(mktemp -d "${TMPDIR:-/tmp}/fqp-cuda-build.XXXXXX")
trap 'rm -rf "$out"' EXIT
fail=0
C_FLAGS="-std=c11 -Wall -Wextra -Wpedantic -Werror -O1 -I."
CXX_FLAGS="-std=c++11 -Wall -Wextra -Wpedantic -Werror -O1 -I. -x c++"
LIBS="-lz -lpthread -ldl"
have() { command -v "$1" >/dev/null 2>&1; }
pass() { echo "PASS $1"; }
flunk() { echo "FAIL $1"; shift; [ $# -gt 0 ] && sed 's/^/  /' "$@" | head -20; fail=1; }

# A program using the whole public API; no GPU is reachable from it.
cat > "$out/variant.c" <<'EOF'
#include "fastqpar_cuda.h"
#define FASTQPAR_IMPLEMENTATION
#include "fastqpar_cuda.h" /* twice: the second time brings both implementations */
#include <stdio.h>
#include <string.h>
int main(void)
{
    fqp_cuda_desc d;
    fqp_cuda *gpu = NULL;
    fqp_error err;
    fqp_custom_consumer cc[4];
    fqp_cuda_consumer_metrics m;
    fqp_cuda_device_info info;
    fqp_qc qc;
    fqp_result r;
    memset(&d, 0, sizeof d);
    d.library = "/nonexistent/libcuda.so.1";
    r = fqp_cuda_open(&gpu, &d, &err);
    fqp_qc_init(&qc, 0, NULL);
    printf("%s %d %d %d %d %d\n", fqp_result_string(r), gpu == NULL, fqp_cuda_consumers(gpu, cc, 4),
           fqp_cuda_device_count(gpu), fqp_cuda_metrics(gpu, 0, &m) == FQP_ERR_INVALID_ARGUMENT,
           fqp_cuda_device(gpu, 0, &info) == FQP_ERR_INVALID_ARGUMENT && fqp_cuda_qc(gpu, &qc) < 0);
    fqp_qc_free(&qc);
    fqp_cuda_close(gpu);
    return r == FQP_ERR_NO_GPU && strstr(err.message, "/nonexistent/libcuda.so.1") ? 0 : 1;
}
EOF
expect="no usable GPU (no driver or no device) 1 0 0 1 1"

# two translation units: declarations only in b, the implementation in a
cat > "$out/a.c" <<'EOF'
#define FASTQPAR_IMPLEMENTATION
#include "fastqpar_cuda.h"
#include <stdio.h>
int mode_in_b(void);
int main(void) { printf("%d %d\n", mode_in_b(), (int)FQP_GPU_FORCE); return 0; }
EOF
cat > "$out/b.c" <<'EOF'
#include "fastqpar_cuda.h"
#include <string.h>
#ifdef __cplusplus
extern "C"
#endif
int mode_in_b(void);
int mode_in_b(void)
{
    fqp_cuda_desc d;
    memset(&d, 0, sizeof d);
    d.mode = FQP_GPU_FORCE;
    return (int)fqp_cuda_mode(&d);
}
EOF

check_run() { # name, binary
    local got
    if got=$("$2" 2>"$out/err") && [ "$got" = "$expect" ]; then pass "$1"
    else echo "  got '$got', expected '$expect'" > "$out/why"; cat "$out/err" >> "$out/why"; flunk "$1" "$out/why"; fi
}

for cc in gcc clang; do
    if ! have $cc; then echo "SKIP cuda:c11:$cc: $cc not installed"; continue; fi
    for variant in "" "-DFASTQPAR_STATIC" "-DFASTQPAR_USE_PTHREADS" "-DFASTQPAR_NO_ZLIB"; do
        name="cuda:c11:$cc${variant:+:${variant#-D}}"
        libs=$LIBS
        [ "$variant" = "-DFASTQPAR_NO_ZLIB" ] && libs="-lpthread -ldl"
        if $cc $C_FLAGS $variant -o "$out/v" "$out/variant.c" $libs 2>"$out/err"; then check_run "$name" "$out/v"
        else flunk "$name: does not compile" "$out/err"; fi
    done
    if $cc $C_FLAGS -c -o "$out/a.o" "$out/a.c" 2>"$out/err" && $cc $C_FLAGS -c -o "$out/b.o" "$out/b.c" 2>>"$out/err" &&
       $cc -o "$out/two" "$out/a.o" "$out/b.o" $LIBS 2>>"$out/err" && [ "$("$out/two")" = "2 2" ]; then
        pass "cuda:c11:$cc:two-translation-units"
    else flunk "cuda:c11:$cc:two-translation-units" "$out/err"; fi
done

for cxx in g++ clang++; do
    if ! have $cxx; then echo "SKIP cuda:c++:$cxx: $cxx not installed"; continue; fi
    for variant in "" "-DFASTQPAR_STATIC"; do
        name="cuda:c++:$cxx${variant:+:${variant#-D}}"
        if $cxx $CXX_FLAGS $variant -o "$out/vx" "$out/variant.c" $LIBS 2>"$out/err"; then check_run "$name" "$out/vx"
        else flunk "$name: does not compile" "$out/err"; fi
    done
    if $cxx $CXX_FLAGS -c -o "$out/bx.o" "$out/b.c" 2>"$out/err" && gcc $C_FLAGS -c -o "$out/a.o" "$out/a.c" 2>>"$out/err" &&
       $cxx -o "$out/twox" "$out/a.o" "$out/bx.o" $LIBS 2>>"$out/err" && [ "$("$out/twox")" = "2 2" ]; then
        pass "cuda:c++:$cxx:declarations-with-c-implementation"
    else flunk "cuda:c++:$cxx:declarations-with-c-implementation" "$out/err"; fi
done

# the example atop fastqpar_cuda.h
tests/doc_example.sh fastqpar_cuda.h > "$out/example.c"
if ! ${CC:-cc} $C_FLAGS -o "$out/example" "$out/example.c" $LIBS 2>"$out/err"; then
    flunk "cuda:example: does not compile" "$out/err"
else
    printf '@a\nACGTN\n+\nIIII#\n@b\nacg\n+\n!!~\n@c\n\n+\n\n' > "$out/in.fq"
    want="3 reads, 8 bases"
    got=$(FASTQPAR_FORCE_CPU=1 FASTQPAR_CUDA_LIBRARY=/nonexistent "$out/example" "$out/in.fq" 2>"$out/err")
    if [ "$got" = "$want" ]; then pass "cuda:example:force-cpu"; else flunk "cuda:example:force-cpu: '$got'" "$out/err"; fi
    got=$(FASTQPAR_CUDA_LIBRARY=/nonexistent/libcuda.so.1 "$out/example" "$out/in.fq" 2>"$out/err")
    if [ "$got" = "$want" ]; then pass "cuda:example:no-driver-falls-back"; else flunk "cuda:example:no-driver: '$got'" "$out/err"; fi
    if FASTQPAR_FORCE_GPU=1 FASTQPAR_CUDA_LIBRARY=/nonexistent/libcuda.so.1 "$out/example" "$out/in.fq" >/dev/null 2>"$out/err"; then
        flunk "cuda:example:force-gpu-without-driver: exit status 0"
    elif grep -q "GPU required (FASTQPAR_FORCE_GPU=1) but unusable: no CUDA driver" "$out/err"; then pass "cuda:example:force-gpu-without-driver"
    else flunk "cuda:example:force-gpu-without-driver: message" "$out/err"; fi
    # on the fake driver (built here, without the sanitizers a test build may use): the same numbers
    if ${CC:-cc} $C_FLAGS -fPIC -shared -o "$out/libfakecuda.so" tests/fake_cuda.c tests/kernels_emu.c -lpthread 2>"$out/err"; then
        ptx=""
        if grep -q '^static const char \*const fqp__cuda_ptx\[\] = { NULL };' fastqpar_cuda.h; then
            # the fake reads the parameter list (kernels.ptx's) from the PTX
            printf '.version 8.0\n.target sm_75\n.visible .entry fqp_k_qc(\n.param .u64 a, .param .u64 b, .param .u64 c,\n.param .u64 d, .param .u32 e, .param .u64 f\n)\n{\n}\n' > "$out/stub.ptx"
            ptx="$out/stub.ptx"
        fi
        got=$(FASTQPAR_FORCE_GPU=1 FASTQPAR_CUDA_LIBRARY="$out/libfakecuda.so" FASTQPAR_PTX="$ptx" \
              FAKE_CUDA_EMU_BLOCK=32 "$out/example" "$out/in.fq" 2>"$out/err")
        if [ "$got" = "$want" ]; then pass "cuda:example:fake-gpu"; else flunk "cuda:example:fake-gpu: '$got'" "$out/err"; fi
        # a static binary cannot load a driver: a clear error under FORCE_GPU, else the CPU path
        if ${CC:-cc} $C_FLAGS -static -o "$out/example-static" "$out/example.c" $LIBS 2>"$out/err"; then
            got=$(FASTQPAR_CUDA_LIBRARY="$out/libfakecuda.so" FASTQPAR_PTX="$ptx" "$out/example-static" "$out/in.fq" 2>"$out/err")
            if [ "$got" = "$want" ]; then pass "cuda:example:static-falls-back"; else flunk "cuda:example:static: '$got'" "$out/err"; fi
            if FASTQPAR_FORCE_GPU=1 FASTQPAR_CUDA_LIBRARY="$out/libfakecuda.so" FASTQPAR_PTX="$ptx" \
               "$out/example-static" "$out/in.fq" >/dev/null 2>"$out/err"; then
                flunk "cuda:example:static-force-gpu: exit status 0"
            elif grep -q "linked statically" "$out/err"; then pass "cuda:example:static-force-gpu"
            else flunk "cuda:example:static-force-gpu: message" "$out/err"; fi
        else
            echo "SKIP cuda:example:static: cannot link statically here"
        fi
    else
        flunk "cuda:example:fake-gpu: the fake driver does not build" "$out/err"
    fi
fi
# the bring-your-own-kernel example atop fastqpar_cuda.h: builds as C11 and
# C++11, its kernel builds to PTX that ptxas accepts (with the toolkit), and
# it counts what awk counts: on the CPU, and on the fake driver, which does
# not know gc_count, so the open or the launch fails and the CPU twin runs
tests/doc_example.sh fastqpar_cuda.h:byo > "$out/byo.c"
tests/doc_example.sh fastqpar_cuda.h:byo-cu > "$out/gc.cu"
awk 'BEGIN { srand(3); for (r = 0; r < 3000; r++) { n = int(rand() * 200); s = ""
        for (k = 0; k < n; k++) s = s substr("ACGTacgtN", 1 + int(rand() * 9), 1)
        q = s; gsub(/./, "I", q); printf "@r%d\n%s\n+\n%s\n", r, s, q } }' > "$out/gc.fq"
want="$(awk 'NR % 4 == 2 { n = length($0); g = gsub(/[GCgc]/, ""); c += 2 * g >= n } END { print c + 0 }' "$out/gc.fq") GC-rich reads"
if ! ${CC:-cc} $C_FLAGS -o "$out/byo" "$out/byo.c" $LIBS 2>"$out/err"; then
    flunk "cuda:byo-example: does not compile" "$out/err"
else
    pass "cuda:byo-example:c11"
    for cxx in g++ clang++; do
        command -v "$cxx" > /dev/null || continue
        if $cxx -x c++ -std=c++11 -Wall -Wextra -Werror -I. -fsyntax-only "$out/byo.c" 2>"$out/err"; then pass "cuda:byo-example:$cxx"
        else flunk "cuda:byo-example:$cxx: does not compile" "$out/err"; fi
    done
    got=$(FASTQPAR_FORCE_CPU=1 "$out/byo" "$out/gc.fq" "$out/none.ptx" 2>"$out/err")
    if [ "$got" = "$want" ]; then pass "cuda:byo-example:cpu"; else flunk "cuda:byo-example:cpu: '$got', want '$want'" "$out/err"; fi
    NVCC=${NVCC:-/usr/local/cuda/bin/nvcc}
    if [ -x "$NVCC" ] && "$NVCC" -ptx -arch=compute_75 -o "$out/gc.ptx" "$out/gc.cu" 2>"$out/err" &&
        "$(dirname "$NVCC")/ptxas" --gpu-name sm_75 -o /dev/null "$out/gc.ptx" 2>>"$out/err"; then
        pass "cuda:byo-example:kernel-ptx"
    elif [ -x "$NVCC" ]; then flunk "cuda:byo-example:kernel-ptx" "$out/err"
    else echo "SKIP cuda:byo-example:kernel-ptx: no nvcc"; fi
    if [ -f "$out/libfakecuda.so" ]; then
        got=$(FASTQPAR_CUDA_LIBRARY="$out/libfakecuda.so" "$out/byo" "$out/gc.fq" "$out/gc.ptx" 2>"$out/err")
        if [ "$got" = "$want" ]; then pass "cuda:byo-example:fake-falls-back"
        else flunk "cuda:byo-example:fake-falls-back: '$got', want '$want'" "$out/err"; fi
    fi
fi
exit $fail
