#!/usr/bin/env bash
# The gzip, BGZF, paired and pipeline tests again under each backend:
#  - built as usual (no -lisal, no -ldeflate), with the backend made the
#    default (FASTQPAR_DEFAULT_INFLATE/DEFLATE), so the library is picked up
#    at run time; SKIP when it is not installed (Debian: libisal2,
#    libdeflate0);
#  - linked at build time (FASTQPAR_USE_ISAL / FASTQPAR_USE_LIBDEFLATE, as
#    static binaries need); SKIP without libisal-dev / libdeflate-dev;
#  - with both libraries made unloadable (FASTQPAR_ISAL_LIBRARY and
#    FASTQPAR_LIBDEFLATE_LIBRARY name no file): everything falls back to zlib.
set -u
cd "$(dirname "$0")/.."
out=$(mktemp -d "${TMPDIR:-/tmp}/fqp-inflate.XXXXXX")
trap 'rm -rf "$out"' EXIT
CC=${CC:-cc}
FLAGS="-O1 -g -std=c11 -Wall -Wextra -Wpedantic -Werror -I. ${EXTRA_CFLAGS:-}"
# test_codec compares every backend in one process already: it runs here
# only where that process differs (linked in, libraries absent)
TESTS="test_parser test_bgzf test_pipeline test_paired test_hostile test_faults"
fail=0

# run NAME ENV... -- BINARY: one test program, its lines prefixed with NAME
run() {
    local name=$1; shift
    local envs=()
    while [ "$1" != "--" ]; do envs+=("$1"); shift; done; shift
    env "${envs[@]}" FQP_TEST_QUICK=1 "$@" > "$out/log" 2>&1; local rc=$?
    sed -n 's/^\(PASS\|FAIL\|SKIP\) /\1 '"$name"':/p' "$out/log"
    if [ $rc -ne 0 ]; then
        grep -q '^FAIL' "$out/log" || echo "FAIL $name:$(basename "$1"): exited with status $rc"
        grep -v '^PASS' "$out/log" | head -20 >&2; fail=1
    fi
}

# does this backend load here? (a tiny program asks the library)
printf '#define FASTQPAR_IMPLEMENTATION\n#include "fastqpar.h"\nint main(int c, char **v) { (void)c; return !fqp_codec_available(v[1][0] == %s ? FQP_CODEC_ISAL : FQP_CODEC_LIBDEFLATE, NULL, 0); }\n' "'i'" > "$out/probe.c"
$CC $FLAGS -o "$out/probe" "$out/probe.c" ${LDFLAGS:-} -lz -lpthread -lm -ldl || { echo "FAIL probe: does not compile"; exit 1; }

for backend in zlib isal libdeflate; do
    case $backend in
        zlib) codec=FQP_CODEC_ZLIB ;;
        isal) codec=FQP_CODEC_ISAL ;;
        libdeflate) codec=FQP_CODEC_LIBDEFLATE ;;
    esac
    if [ $backend != zlib ] && ! "$out/probe" $backend; then
        echo "SKIP runtime-$backend: the library is not installed (Debian: $([ $backend = isal ] && echo libisal2 || echo libdeflate0))"
        continue
    fi
    for t in $TESTS; do
        if ! $CC $FLAGS -DFASTQPAR_DEFAULT_INFLATE=$codec -DFASTQPAR_DEFAULT_DEFLATE=$codec -o "$out/$t" tests/$t.c \
                ${LDFLAGS:-} -lz -lpthread -lm -ldl 2>"$out/err"; then
            echo "FAIL runtime-$backend:$t: does not compile"; head -20 "$out/err"; fail=1; continue
        fi
        run "runtime-$backend" -- "$out/$t"
    done
done

for backend in isal libdeflate; do
    case $backend in
        isal) def=FASTQPAR_USE_ISAL; lib=-lisal; hdr=isa-l/igzip_lib.h; codec=FQP_CODEC_ISAL ;;
        libdeflate) def=FASTQPAR_USE_LIBDEFLATE; lib=-ldeflate; hdr=libdeflate.h; codec=FQP_CODEC_LIBDEFLATE ;;
    esac
    if ! printf '#include <%s>\nint main(void) { return 0; }\n' "$hdr" | $CC -x c -o "$out/hprobe" - $lib 2>/dev/null; then
        echo "SKIP linked-$backend: <$hdr> or $lib not installed"; continue
    fi
    for t in test_parser test_bgzf test_codec; do
        if ! $CC $FLAGS -D$def -DFASTQPAR_DEFAULT_INFLATE=$codec -DFASTQPAR_DEFAULT_DEFLATE=$codec -o "$out/$t" \
                tests/$t.c ${LDFLAGS:-} -lz $lib -lpthread -lm -ldl 2>"$out/err"; then
            echo "FAIL linked-$backend:$t: does not compile"; head -20 "$out/err"; fail=1; continue
        fi
        # the library is linked in: hiding the shared one must change nothing
        run "linked-$backend" FASTQPAR_ISAL_LIBRARY=/nonexistent FASTQPAR_LIBDEFLATE_LIBRARY=/nonexistent -- "$out/$t"
    done
done

# neither library loadable: the default build falls back to zlib everywhere
for t in test_parser test_bgzf test_codec; do
    if ! $CC $FLAGS -o "$out/$t" tests/$t.c ${LDFLAGS:-} -lz -lpthread -lm -ldl 2>"$out/err"; then
        echo "FAIL absent:$t: does not compile"; head -20 "$out/err"; fail=1; continue
    fi
    run absent FASTQPAR_ISAL_LIBRARY=/nonexistent/libisal.so.2 FASTQPAR_LIBDEFLATE_LIBRARY=/nonexistent/libdeflate.so.0 \
        -- "$out/$t"
done
exit $fail
