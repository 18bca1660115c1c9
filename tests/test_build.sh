#!/usr/bin/env bash
# The headers compile, warning-free, in every configuration users will try:
# gcc and clang as C11, g++ and clang++ as C++, FASTQPAR_STATIC, two
# translation units, FASTQPAR_NO_ZLIB, and FASTQPAR_MALLOC/REALLOC/FREE.
set -u
cd "$(dirname "$0")/.."
out=$(mktemp -d "${TMPDIR:-/tmp}/fqp-build.XXXXXX")
trap 'rm -rf "$out"' EXIT
fail=0
C_FLAGS="-std=c11 -Wall -Wextra -Wpedantic -Werror -O1 -I."
CC_FOR_NOSIMD=${CC:-cc}
CXX_FLAGS="-std=c++11 -Wall -Wextra -Wpedantic -Werror -O1 -I. -x c++"
input='@a\nACGT\n+\nIIII\n@b\nAC\n+\nII\n'

check() { # name, expected stdout, command...
    local name=$1 expect=$2; shift 2
    local got
    if got=$("$@" 2>"$out/err"); [ "$got" = "$expect" ]; then
        echo "PASS $name"
    else
        echo "FAIL $name: got '$got', expected '$expect'"; sed 's/^/  /' "$out/err" | head -20
        fail=1
    fi
}
have() { command -v "$1" >/dev/null 2>&1; }

for cc in gcc clang; do
    if ! have $cc; then echo "SKIP c11:$cc: $cc not installed"; continue; fi
    for variant in "" "-DFASTQPAR_STATIC" "-DUSE_MALLOC_MACROS"; do
        name="c11:$cc${variant:+:${variant#-D}}"
        if $cc $C_FLAGS $variant -o "$out/v" tests/build/variant.c -lz -lpthread 2>"$out/err"; then
            check "$name" "2 6" sh -c "printf '$input' | '$out/v'"
        else
            echo "FAIL $name: does not compile"; head -20 "$out/err"; fail=1
        fi
    done
    # without zlib: no -lz at all, plain input works, gzip input is a clear error
    if $cc $C_FLAGS -DFASTQPAR_NO_ZLIB -o "$out/nz" tests/build/variant.c -lpthread 2>"$out/err"; then
        check "c11:$cc:NO_ZLIB:plain" "2 6" sh -c "printf '$input' | '$out/nz'"
        if printf "$input" | gzip | "$out/nz" 2>"$out/err" >/dev/null; then
            echo "FAIL c11:$cc:NO_ZLIB:gzip: accepted gzip input"; fail=1
        elif grep -q "FASTQPAR_NO_ZLIB" "$out/err"; then echo "PASS c11:$cc:NO_ZLIB:gzip"
        else echo "FAIL c11:$cc:NO_ZLIB:gzip: message was: $(cat "$out/err")"; fail=1; fi
    else
        echo "FAIL c11:$cc:NO_ZLIB: does not compile"; head -20 "$out/err"; fail=1
    fi
    if $cc $C_FLAGS -c -o "$out/a.o" tests/build/two_tu_a.c 2>"$out/err" &&
       $cc $C_FLAGS -c -o "$out/b.o" tests/build/two_tu_b.c 2>>"$out/err" &&
       $cc -o "$out/two" "$out/a.o" "$out/b.o" -lz -lpthread 2>>"$out/err"; then
        check "c11:$cc:two-translation-units" "ok 2 0.1.0" "$out/two"
    else
        echo "FAIL c11:$cc:two-translation-units: does not build"; head -20 "$out/err"; fail=1
    fi
done

# the examples people copy: the one in README.md and the one atop fastqpar.h
tests/doc_example.sh readme > "$out/readme.c"
tests/doc_example.sh fastqpar.h > "$out/header.c"
for ex in readme header; do
    if [ -s "$out/$ex.c" ] && ${CC:-cc} $C_FLAGS -o "$out/$ex" "$out/$ex.c" -lz -lpthread 2>"$out/err"; then
        check "example:$ex" "$(printf '2 6')" sh -c "printf '$input' | '$out/$ex' | tr -dc '0-9 ' | sed 's/  */ /g; s/ $//'"
    else
        echo "FAIL example:$ex: does not compile"; head -20 "$out/err"; fail=1
    fi
done

# the portable scalar kernels, and SSE2 without AVX2, give the same results
# as the kernels this CPU picks at run time
for v in NO_SIMD NO_AVX2; do
    if $CC_FOR_NOSIMD $C_FLAGS -DFASTQPAR_$v -o "$out/tp" tests/test_parser.c -lz -lpthread 2>"$out/err"; then
        if "$out/tp" >"$out/tp.out" 2>&1 && ! grep -q '^FAIL' "$out/tp.out"; then echo "PASS c11:$v:test_parser"
        else echo "FAIL c11:$v:test_parser"; grep -v '^PASS' "$out/tp.out" | head -20; fail=1; fi
    else
        echo "FAIL c11:$v: does not compile"; head -20 "$out/err"; fail=1
    fi
done

for cxx in g++ clang++; do
    if ! have $cxx; then echo "SKIP c++:$cxx: $cxx not installed"; continue; fi
    for variant in "" "-DFASTQPAR_STATIC"; do
        name="c++:$cxx${variant:+:${variant#-D}}"
        if $cxx $CXX_FLAGS $variant -o "$out/vx" tests/build/variant.c -lz -lpthread 2>"$out/err"; then
            check "$name" "2 6" sh -c "printf '$input' | '$out/vx'"
        else
            echo "FAIL $name: does not compile"; head -20 "$out/err"; fail=1
        fi
    done
    # a C++ file that only includes the declarations, linked with the C implementation
    if $cxx $CXX_FLAGS -c -o "$out/bx.o" tests/build/two_tu_b.c 2>"$out/err" &&
       gcc $C_FLAGS -c -o "$out/a.o" tests/build/two_tu_a.c 2>>"$out/err" &&
       $cxx -o "$out/twox" "$out/a.o" "$out/bx.o" -lz -lpthread 2>>"$out/err"; then
        check "c++:$cxx:declarations-with-c-implementation" "ok 2 0.1.0" "$out/twox"
    else
        echo "FAIL c++:$cxx:declarations-with-c-implementation: does not build"; head -20 "$out/err"; fail=1
    fi
done

# the optional inflate backends, as C and C++, on gzip and BGZF input
backend_lib() { case $1 in ISAL) echo "-lisal";; LIBDEFLATE) echo "-ldeflate";; esac; }
backend_hdr() { case $1 in ISAL) echo "isa-l/igzip_lib.h";; LIBDEFLATE) echo "libdeflate.h";; esac; }
for b in ISAL LIBDEFLATE; do
    if ! printf '#include <%s>\nint main(void) { return 0; }\n' "$(backend_hdr $b)" |
         ${CC:-cc} -x c -o "$out/probe" - $(backend_lib $b) 2>/dev/null; then
        echo "SKIP backend:$b: <$(backend_hdr $b)> or its library not installed"; continue
    fi
    for comp in gcc clang g++ clang++; do
        if ! have $comp; then echo "SKIP backend:$b:$comp: $comp not installed"; continue; fi
        case $comp in *++) flags=$CXX_FLAGS;; *) flags=$C_FLAGS;; esac
        if $comp $flags -DFASTQPAR_USE_$b -o "$out/bk" tests/build/variant.c -lz $(backend_lib $b) -lpthread 2>"$out/err"; then
            check "backend:$b:$comp:gzip" "2 6" sh -c "printf '$input' | gzip | '$out/bk'"
            if have bgzip; then check "backend:$b:$comp:bgzf" "2 6" sh -c "printf '$input' | bgzip | '$out/bk'"
            else echo "SKIP backend:$b:$comp:bgzf: bgzip not installed"; fi
        else
            echo "FAIL backend:$b:$comp: does not compile"; head -20 "$out/err"; fail=1
        fi
    done
done
exit $fail
