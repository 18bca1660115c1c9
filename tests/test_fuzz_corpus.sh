#!/usr/bin/env bash
# Every fuzz harness replays its committed seed corpus (tests/fuzz/corpus_*)
# without libFuzzer, so `make test` runs each harness's checks on those
# inputs with the ordinary compiler. fuzz_gzip compares every compression
# backend that loads here against zlib on each input.
set -u
cd "$(dirname "$0")/.."
out=$(mktemp -d "${TMPDIR:-/tmp}/fqp-replay.XXXXXX")
trap 'rm -rf "$out"' EXIT
CC=${CC:-cc}
FLAGS="-O1 -g -std=c11 -Wall -Wextra -Wpedantic -Werror -I. ${EXTRA_CFLAGS:-}"
fail=0
for h in parser gzip pipeline paired pgzip pargz; do
    if ! $CC $FLAGS -o "$out/$h" tests/fuzz/fuzz_$h.c tests/fuzz/replay_main.c ${LDFLAGS:-} -lz -lpthread -lm -ldl \
            2>"$out/err"; then
        echo "FAIL replay-$h: does not compile"; head -20 "$out/err"; fail=1; continue
    fi
    n=$(ls tests/fuzz/corpus_$h | wc -l)
    if "$out/$h" tests/fuzz/corpus_$h/* > "$out/log" 2>&1; then echo "PASS replay-$h ($n inputs)"
    else echo "FAIL replay-$h"; tail -20 "$out/log"; fail=1; fi
done
exit $fail
