#!/usr/bin/env bash
# Ordinary gzip inflated in chunks by the consumers (>>pgzip in fastqpar.h)
# against the sequential path on the same files. tests/fqdump prints every
# record; for each file the parallel run (FASTQPAR_PARALLEL_GZIP=1) must give
# the same stdout, the same stderr (records, compressed offsets, messages)
# and the same exit status as the sequential one (=0), both on zlib. fqdump
# is also rebuilt with tiny and small chunks (FASTQPAR_PGZ_CHUNK), so that
# chunk and member boundaries fall everywhere and every redo path runs.
# Encoders: gzip -1/-6/-9, pigz, igzip and libdeflate-gzip when installed
# (SKIP otherwise; Debian: pigz, isal, libdeflate-tools), zlib levels 0-9
# and its strategies through python3's zlib module.
set -u
cd "$(dirname "$0")/.."
B=${FQP_BUILD:-build}
out=$(mktemp -d "${TMPDIR:-/tmp}/fqp-pargz.XXXXXX")
trap 'rm -rf "$out"' EXIT
CC=${CC:-cc}
FLAGS="-O1 -g -std=c11 -Wall -Wextra -Wpedantic -Werror -I. ${EXTRA_CFLAGS:-}"
quick=${FQP_TEST_QUICK:-}
fail=0
T=3

pass() { echo "PASS $1"; }
bad() { echo "FAIL $1: $2"; fail=1; }

command -v python3 >/dev/null || { echo "SKIP pargz: python3 is not installed"; exit 0; }

chunks="4096 65536"; [ -n "$quick" ] && chunks=4096 # make sanitize: one small size
for c in $chunks; do
    $CC $FLAGS -DFASTQPAR_PGZ_CHUNK=$c -o "$out/fqdump_$c" tests/fqdump.c ${LDFLAGS:-} -lz -lpthread -lm -ldl ||
        { echo "FAIL pargz: fqdump does not build with FASTQPAR_PGZ_CHUNK=$c"; exit 1; }
done
dumpers="$B/fqdump $(for c in $chunks; do printf '%s ' "$out/fqdump_$c"; done)"

# same NAME FILE: the parallel runs, at every chunk size, equal the sequential
# one. After an error the run stops, and how many of the batches before it
# were written depends on timing (in both modes): then the error line (its
# record, line, byte, compressed offset and message) and the exit status
# must be equal, and each output a prefix of the other.
same() {
    local name=$1 f=$2 d rs rp ok=1 n
    FASTQPAR_INFLATE=zlib FASTQPAR_PARALLEL_GZIP=0 "$B/fqdump" -t $T "$f" > "$out/seq.out" 2> "$out/seq.err"; rs=$?
    for d in $dumpers; do
        FASTQPAR_INFLATE=zlib FASTQPAR_PARALLEL_GZIP=1 "$d" -t $T "$f" > "$out/par.out" 2> "$out/par.err"; rp=$?
        n=$(wc -c < "$out/seq.out"); [ "$(wc -c < "$out/par.out")" -lt "$n" ] && n=$(wc -c < "$out/par.out")
        if [ $rs -ne $rp ] || ! cmp -s "$out/seq.err" "$out/par.err" ||
           { [ $rs -eq 0 ] && ! cmp -s "$out/seq.out" "$out/par.out"; } || ! cmp -s -n "$n" "$out/seq.out" "$out/par.out"; then
            bad "$name" "$(basename "$d"): exit $rp, sequential $rs; stderr '$(head -c 300 "$out/par.err")' vs '$(head -c 300 "$out/seq.err")'; stdout $(wc -c < "$out/par.out") vs $(wc -c < "$out/seq.out") bytes"
            ok=0
            break
        fi
    done
    [ $ok = 1 ] && pass "$name"
    return 0
}

# FASTQ: short reads, long reads, low-entropy (compresses > 8x: chunks hit
# their text bound) and random printable bytes (little to back-reference)
n=20000; [ -n "$quick" ] && n=5000
"$B/fqgen" -n $n -s 11 -l 100-150 > "$out/short.fq"
"$B/fqgen" -n $((n / 100)) -s 12 -l 3000-30000 > "$out/long.fq"
python3 - "$out" $n <<'EOF'
import random, sys
out, n = sys.argv[1], int(sys.argv[2])
r = random.Random(5)
with open(out + "/lowent.fq", "w") as f:
    for i in range(n):
        k = 100 + (i % 7)
        f.write("@read%d\n%s\n+\n%s\n" % (i // 50, ("ACGT" * 40)[:k], "I" * k))
with open(out + "/random.fq", "w") as f:
    for i in range(n // 2):
        k = r.randint(50, 150)
        f.write("@%s\n%s\n+\n%s\n" % ("".join(chr(r.randint(33, 126)) for _ in range(12)),
                                     "".join(r.choice("ACGTNacgtRYKM") for _ in range(k)),
                                     "".join(chr(r.randint(33, 126)) for _ in range(k))))
EOF

# zlib levels and strategies; tiny blocks (a full flush every few KiB: empty
# stored blocks between them); stored blocks of FASTQ (level 0)
python3 - "$out" <<'EOF'
import sys, zlib
out = sys.argv[1]
def gz(src, dst, level=6, strategy=zlib.Z_DEFAULT_STRATEGY, flush_every=0):
    data = open(src, "rb").read()
    c = zlib.compressobj(level, zlib.DEFLATED, 31, 8, strategy)
    parts = []
    if flush_every:
        for i in range(0, len(data), flush_every):
            parts.append(c.compress(data[i:i + flush_every]))
            parts.append(c.flush(zlib.Z_FULL_FLUSH))
    else:
        parts.append(c.compress(data))
    parts.append(c.flush())
    open(dst, "wb").write(b"".join(parts))
for lvl in (0, 1, 2, 4, 6, 9):
    gz(out + "/short.fq", "%s/short.z%d.gz" % (out, lvl), lvl)
for name, s in (("fixed", zlib.Z_FIXED), ("huffman", zlib.Z_HUFFMAN_ONLY), ("rle", zlib.Z_RLE),
                ("filtered", zlib.Z_FILTERED)):
    for src in ("short", "long", "lowent", "random"):
        gz("%s/%s.fq" % (out, src), "%s/%s.%s.gz" % (out, src, name), 6, s)
gz(out + "/short.fq", out + "/short.tiny.gz", 6, flush_every=3000)
gz(out + "/long.fq", out + "/long.tiny.gz", 1, flush_every=700)
EOF
for lvl in 0 1 2 4 6 9; do same "zlib-level-$lvl" "$out/short.z$lvl.gz"; done
srcs="short long lowent random"; [ -n "$quick" ] && srcs="short lowent"
for s in fixed huffman rle filtered; do
    for src in $srcs; do same "zlib-$s-$src" "$out/$src.$s.gz"; done
done
same "zlib-tiny-blocks-short" "$out/short.tiny.gz"
same "zlib-tiny-blocks-long" "$out/long.tiny.gz"

# the encoders people use
for src in $srcs; do
    for lvl in 1 9; do gzip -$lvl -c "$out/$src.fq" > "$out/$src.gzip$lvl.gz"; same "gzip-$lvl-$src" "$out/$src.gzip$lvl.gz"; done
    if command -v pigz >/dev/null; then
        pigz -p 2 -c "$out/$src.fq" > "$out/$src.pigz.gz"; same "pigz-$src" "$out/$src.pigz.gz"
        pigz -p 2 -11 -c "$out/$src.fq" > "$out/$src.pigz11.gz" 2>/dev/null && same "pigz-11-$src" "$out/$src.pigz11.gz"
    else
        echo "SKIP pigz-$src: pigz is not installed (Debian: pigz)"
    fi
    if command -v igzip >/dev/null; then
        for lvl in 1 3; do igzip -$lvl -c "$out/$src.fq" > "$out/$src.igzip$lvl.gz"; same "igzip-$lvl-$src" "$out/$src.igzip$lvl.gz"; done
    else
        echo "SKIP igzip-$src: igzip is not installed (Debian: isal)"
    fi
    if command -v libdeflate-gzip >/dev/null; then
        for lvl in 1 12; do
            libdeflate-gzip -$lvl -c "$out/$src.fq" > "$out/$src.ld$lvl.gz"; same "libdeflate-$lvl-$src" "$out/$src.ld$lvl.gz"
        done
    else
        echo "SKIP libdeflate-$src: libdeflate-gzip is not installed (Debian: libdeflate-tools)"
    fi
done

# members: concatenated files, many small members (boundaries everywhere),
# and headers with FEXTRA, FNAME, FCOMMENT and FHCRC (and a wrong FHCRC)
gzip -6 -c "$out/short.fq" > "$out/short.gzip6.gz"
[ -f "$out/long.gzip1.gz" ] || gzip -1 -c "$out/long.fq" > "$out/long.gzip1.gz"
cat "$out/short.gzip6.gz" "$out/long.gzip1.gz" "$out/lowent.gzip9.gz" > "$out/cat.gz"
same "members-cat" "$out/cat.gz"
python3 - "$out" <<'EOF'
import struct, sys, zlib
out = sys.argv[1]
data = open(out + "/short.fq", "rb").read()
def member(text, flags, bad_hcrc=False, level=6):
    h = bytearray(b"\x1f\x8b\x08" + bytes([flags]) + b"\0\0\0\0\0\3")
    if flags & 4: h += struct.pack("<H", 6) + b"AB\2\0xy"
    if flags & 8: h += b"name.fq\0"
    if flags & 16: h += b"a comment\0"
    if flags & 2: h += struct.pack("<H", (zlib.crc32(bytes(h)) & 0xffff) ^ (1 if bad_hcrc else 0))
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    body = c.compress(text) + c.flush()
    return bytes(h) + body + struct.pack("<II", zlib.crc32(text), len(text) & 0xffffffff)
# records split across members at odd places
cuts = [0]
k = 0
while cuts[-1] < len(data):
    k += 1
    cuts.append(min(len(data), cuts[-1] + 997 * (k % 13) + 1 + (k * 7919) % 40000))
with open(out + "/many.gz", "wb") as f:
    for i in range(len(cuts) - 1):
        f.write(member(data[cuts[i]:cuts[i + 1]], (i * 2) & 0x1e, level=1 + i % 9))
open(out + "/flags.gz", "wb").write(member(data[:len(data) // 2], 2 | 4 | 8 | 16) + member(data[len(data) // 2:], 8 | 2))
open(out + "/badhcrc.gz", "wb").write(member(data[:len(data) // 2], 2 | 8) + member(data[len(data) // 2:], 2, True))
open(out + "/empty-members.gz", "wb").write(member(b"", 0) + member(data[:20000], 8) + member(b"", 2) + member(data[20000:], 0))
EOF
same "members-many" "$out/many.gz"
same "members-header-flags" "$out/flags.gz"
same "members-bad-fhcrc" "$out/badhcrc.gz"
same "members-empty" "$out/empty-members.gz"

# damage: truncated at many lengths and a byte changed at many offsets; the
# outcome (text before it, the error, its offsets) is the sequential one
python3 - "$out" "$quick" <<'EOF'
import sys
out, quick = sys.argv[1], sys.argv[2]
src = open(out + "/short.gzip6.gz", "rb").read()
n = len(src)
cuts = sorted(set([1, 9, 10, 20, n - 1, n - 4, n - 8, n - 9] + [n * k // 7 for k in range(1, 7)]))
flips = sorted(set([10, 12, 300, n - 2, n - 6, n - 10] + [n * k // 7 + 5 for k in range(1, 7)]))
if quick:
    cuts, flips = cuts[::3], flips[::3]
for c in cuts:
    open("%s/cut-%d.gz" % (out, c), "wb").write(src[:c])
for f in flips:
    b = bytearray(src)
    b[f] ^= 0x20
    open("%s/flip-%d.gz" % (out, f), "wb").write(bytes(b))
open(out + "/trailing.gz", "wb").write(src + b"garbage\n")
EOF
for f in "$out"/cut-*.gz "$out"/flip-*.gz "$out"/trailing.gz; do same "damaged-$(basename "$f" .gz)" "$f"; done

# a pipe: the producer only reads forward
FASTQPAR_INFLATE=zlib FASTQPAR_PARALLEL_GZIP=0 "$B/fqdump" -t $T < "$out/cat.gz" > "$out/seq.out" 2>&1
if FASTQPAR_INFLATE=zlib FASTQPAR_PARALLEL_GZIP=1 "$out/fqdump_4096" -t $T - < "$out/cat.gz" > "$out/par.out" 2>&1 &&
   cmp -s "$out/seq.out" "$out/par.out"; then pass "stdin-pipe"; else bad "stdin-pipe" "differs from the sequential run"; fi

# the switch and the metrics: chunks are used (and counted) when asked for,
# AUTO keeps fewer than 4 consumers, or fewer than 4 usable cores, on one
# stream; 0 turns it off
cat "$out/short.fq" "$out/short.fq" "$out/long.fq" "$out/short.fq" | gzip -1 > "$out/big.gz" # a few chunks
v() { env FASTQPAR_INFLATE=zlib "$@" "$out/big.gz" 2>&1 >/dev/null | sed -n 's/^  parallel gzip: //p'; }
m=$(v FASTQPAR_PARALLEL_GZIP=1 "$B/fqcnt" -v -t 2)
case $m in
    "1 members in "*" chunks, "*) c=${m#1 members in }; c=${c%% chunks*}
        if [ "$c" -ge 2 ]; then pass "metrics-on ($m)"; else bad "metrics-on" "$m"; fi ;;
    *) bad "metrics-on" "no parallel gzip line: '$m'" ;;
esac
[ -z "$(v FASTQPAR_PARALLEL_GZIP=0 "$B/fqcnt" -v -t 4)" ] && pass "switch-off" || bad "switch-off" "chunks were used"
[ -z "$(v "$B/fqcnt" -v -t 2)" ] && pass "auto-2-consumers-stream" || bad "auto-2-consumers-stream" "chunks were used"
if [ "$(nproc)" -ge 4 ]; then
    [ -n "$(v "$B/fqcnt" -v -t 4)" ] && pass "auto-4-consumers-chunks" || bad "auto-4-consumers-chunks" "chunks were not used"
else
    [ -z "$(v "$B/fqcnt" -v -t 4)" ] && pass "auto-4-consumers-$(nproc)-cores-stream" ||
        bad "auto-4-consumers-$(nproc)-cores-stream" "chunks were used on $(nproc) cores"
fi
if FASTQPAR_PARALLEL_GZIP=maybe "$B/fqcnt" "$out/short.gzip6.gz" > /dev/null 2> "$out/err"; then
    bad "switch-bad-value" "accepted"
elif grep -q 'FASTQPAR_PARALLEL_GZIP="maybe" is not one of' "$out/err"; then pass "switch-bad-value"
else bad "switch-bad-value" "$(cat "$out/err")"; fi

exit $fail
