#!/usr/bin/env bash
# The parser, BGZF and pipeline tests again with each optional inflate
# backend: FASTQPAR_USE_ISAL (ISA-L igzip for the gzip stream) and
# FASTQPAR_USE_LIBDEFLATE (libdeflate for BGZF blocks). SKIP when the
# library is not installed (Debian: libisal-dev, libdeflate-dev).
# The same builds by hand: make test INFLATE=isal (or libdeflate).
set -u
cd "$(dirname "$0")/.."
out=$(mktemp -d "${TMPDIR:-/tmp}/fqp-inflate.XXXXXX")
trap 'rm -rf "$out"' EXIT
CC=${CC:-cc}
FLAGS="-O2 -g -std=c11 -Wall -Wextra -Wpedantic -Werror -I. ${EXTRA_CFLAGS:-}"
fail=0
for backend in isal libdeflate; do
    case $backend in
        isal) def=FASTQPAR_USE_ISAL; lib=-lisal; hdr=isa-l/igzip_lib.h ;;
        libdeflate) def=FASTQPAR_USE_LIBDEFLATE; lib=-ldeflate; hdr=libdeflate.h ;;
    esac
    if ! printf '#include <%s>\nint main(void) { return 0; }\n' "$hdr" | $CC -x c -o "$out/probe" - $lib 2>/dev/null; then
        echo "SKIP $backend: <$hdr> or $lib not installed"; continue
    fi
    for t in test_parser test_bgzf test_pipeline; do
        if ! $CC $FLAGS -D$def -o "$out/$t" tests/$t.c ${LDFLAGS:-} -lz $lib -lpthread -lm 2>"$out/err"; then
            echo "FAIL $backend:$t: does not compile"; head -20 "$out/err"; fail=1; continue
        fi
        "$out/$t" > "$out/log" 2>&1; rc=$?
        sed -n 's/^\(PASS\|FAIL\|SKIP\) /\1 '"$backend"':/p' "$out/log"
        if [ $rc -ne 0 ]; then
            grep -q '^FAIL' "$out/log" || echo "FAIL $backend:$t: exited with status $rc"
            grep -v '^PASS' "$out/log" | head -20 >&2; fail=1
        fi
    done
done
exit $fail
