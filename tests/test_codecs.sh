#!/usr/bin/env bash
# The compression backends through the tools, as users meet them:
#  - the default build links neither ISA-L nor libdeflate, yet picks them up
#    at run time (fqcnt -v names the one that ran);
#  - FASTQPAR_INFLATE / FASTQPAR_DEFLATE choose or forbid one; asking for a
#    missing one is an error naming the library and its Debian package;
#  - .gz output is BGZF that gzip, zcat and bgzip accept, byte-identical for
#    any thread count with one backend; --gzip-stream writes one member;
#  - the JSON of fqstats and fqtrim says which backend ran.
set -u
cd "$(dirname "$0")/.."
B=${FQP_BUILD:-build}
out=$(mktemp -d "${TMPDIR:-/tmp}/fqp-codecs.XXXXXX")
trap 'rm -rf "$out"' EXIT
fail=0
pass() { echo "PASS $1"; }
bad() { echo "FAIL $1: $2"; fail=1; }
have() { command -v "$1" >/dev/null 2>&1; }

"$B/fqgen" -n 20000 -s 11 > "$out/r1.fq"
sed '2~4y/ACGT/TGCA/' "$out/r1.fq" > "$out/r2.fq"  # mates: the same names
gzip -6 -c "$out/r1.fq" > "$out/r1.fq.gz"
gzip -6 -c "$out/r2.fq" > "$out/r2.fq.gz"
want=$(awk 'NR % 4 == 2 { n++; b += length($0) } END { printf "%d\t%d\t%d", n, b, b }' "$out/r1.fq")
NOLIB="FASTQPAR_ISAL_LIBRARY=/nonexistent/libisal.so.2 FASTQPAR_LIBDEFLATE_LIBRARY=/nonexistent/libdeflate.so.0"

# which libraries this machine has (asked of the library itself)
avail() { FASTQPAR_INFLATE=$1 "$B/fqcnt" "$out/r1.fq.gz" >/dev/null 2>&1; }
isal=0; avail isal && isal=1
ld=0; avail libdeflate && ld=1

if ldd "$B/fqcnt" 2>/dev/null | grep -Eq 'libisal|libdeflate'; then
    bad build-links-nothing "fqcnt is linked with ISA-L or libdeflate: $(ldd "$B/fqcnt" | grep -E 'isal|deflate')"
else
    pass build-links-nothing
fi

if [ $isal = 1 ]; then
    got=$("$B/fqcnt" -v "$out/r1.fq.gz" 2>"$out/v")
    if [ "$got" = "$want" ] && grep -q "inflate: isal (gzip stream)" "$out/v"; then pass runtime-isal-picked-up
    else bad runtime-isal-picked-up "got '$got', metrics: $(grep inflate "$out/v")"; fi
else
    echo "SKIP runtime-isal-picked-up: ISA-L not installed (Debian: libisal2)"
fi

# a pipe cannot be read again for zlib's replay of a damaged member: auto takes zlib there
if [ $isal = 1 ]; then
    got=$(cat "$out/r1.fq.gz" | "$B/fqcnt" -v - 2>"$out/v")
    got2=$(cat "$out/r1.fq.gz" | FASTQPAR_INFLATE=isal "$B/fqcnt" -v - 2>"$out/v2")
    if [ "$got" = "$want" ] && [ "$got2" = "$want" ] && grep -q "inflate: zlib" "$out/v" && grep -q "inflate: isal" "$out/v2"
    then pass pipe-auto-zlib-named-isal
    else bad pipe-auto-zlib-named-isal "$(grep inflate "$out/v" "$out/v2")"; fi
fi

# asking for a library that is not there
msg=$(env $NOLIB FASTQPAR_INFLATE=isal "$B/fqcnt" "$out/r1.fq.gz" 2>&1 >/dev/null); rc=$?
if [ $rc -ne 0 ] && echo "$msg" | grep -q "FASTQPAR_INFLATE asks for isal" && echo "$msg" | grep -q "libisal2"; then
    pass missing-isal-is-an-error
else bad missing-isal-is-an-error "rc $rc: $msg"; fi
msg=$(env $NOLIB FASTQPAR_DEFLATE=libdeflate "$B/fqtrim" --quiet -o "$out/x.fq.gz" "$out/r1.fq" 2>&1); rc=$?
if [ $rc -ne 0 ] && echo "$msg" | grep -q "libdeflate0" && [ ! -s "$out/x.fq.gz" ]; then pass missing-libdeflate-is-an-error
else bad missing-libdeflate-is-an-error "rc $rc: $msg"; fi
msg=$(FASTQPAR_INFLATE=fast "$B/fqcnt" "$out/r1.fq.gz" 2>&1); rc=$?
if [ $rc -ne 0 ] && echo "$msg" | grep -q 'FASTQPAR_INFLATE="fast" is not one of'; then pass bad-backend-name
else bad bad-backend-name "rc $rc: $msg"; fi

# without the libraries: zlib, the same counts
got=$(env $NOLIB "$B/fqcnt" -v "$out/r1.fq.gz" 2>"$out/v")
if [ "$got" = "$want" ] && grep -q "inflate: zlib" "$out/v"; then pass absent-falls-back-to-zlib
else bad absent-falls-back-to-zlib "got '$got', $(grep inflate "$out/v")"; fi
got=$(FASTQPAR_INFLATE=zlib "$B/fqcnt" -v "$out/r1.fq.gz" 2>"$out/v")
if [ "$got" = "$want" ] && grep -q "inflate: zlib" "$out/v"; then pass zlib-forced
else bad zlib-forced "got '$got'"; fi

# .gz output: BGZF, every reader takes it, the same bytes for 1, 2 and 4 threads
"$B/fqtrim" --quiet --cpu -q 20 -o "$out/plain.fq" "$out/r1.fq.gz" || bad fqtrim-plain "failed"
for backend in zlib isal libdeflate; do
    [ $backend = isal ] && [ $isal = 0 ] && { echo "SKIP gz-output-$backend: not installed"; continue; }
    [ $backend = libdeflate ] && [ $ld = 0 ] && { echo "SKIP gz-output-$backend: not installed"; continue; }
    ok=1
    for t in 1 2 4; do
        FASTQPAR_DEFLATE=$backend "$B/fqtrim" --quiet --cpu -q 20 -t $t --json "$out/j$t.json" \
            -o "$out/o$t.fq.gz" "$out/r1.fq.gz" || { ok=0; echo "  fqtrim -t $t failed"; }
    done
    cmp -s "$out/o1.fq.gz" "$out/o2.fq.gz" && cmp -s "$out/o1.fq.gz" "$out/o4.fq.gz" || { ok=0; echo "  output differs by thread count"; }
    gzip -t "$out/o1.fq.gz" 2>/dev/null || { ok=0; echo "  gzip -t rejects it"; }
    zcat "$out/o1.fq.gz" | cmp -s - "$out/plain.fq" || { ok=0; echo "  zcat gives other text"; }
    [ "$(head -c 4 "$out/o1.fq.gz" | od -An -tx1 | tr -d ' ')" = "1f8b0804" ] || { ok=0; echo "  not BGZF"; }
    if have bgzip; then bgzip -t "$out/o1.fq.gz" 2>/dev/null || { ok=0; echo "  bgzip -t rejects it"; }; fi
    grep -q "\"deflate\": \"$backend\"" "$out/j1.json" || { ok=0; echo "  JSON: $(grep deflate "$out/j1.json")"; }
    grep -q "\"inflate\": \"" "$out/j1.json" || { ok=0; echo "  JSON has no inflate"; }
    [ $ok = 1 ] && pass "gz-output-$backend" || bad "gz-output-$backend" "see above"
done

# paired .gz output: both files BGZF, the same for any thread count
ok=1
for t in 1 3; do
    "$B/fqtrim" --quiet --cpu -q 20 -t $t -o "$out/p1.$t.fq.gz" -p "$out/p2.$t.fq.gz" "$out/r1.fq.gz" "$out/r2.fq.gz" ||
        { ok=0; echo "  fqtrim paired -t $t failed"; }
done
cmp -s "$out/p1.1.fq.gz" "$out/p1.3.fq.gz" && cmp -s "$out/p2.1.fq.gz" "$out/p2.3.fq.gz" || { ok=0; echo "  differs by threads"; }
gzip -t "$out/p1.1.fq.gz" "$out/p2.1.fq.gz" 2>/dev/null || { ok=0; echo "  gzip -t"; }
[ "$(zcat "$out/p1.1.fq.gz" | wc -l)" = "$(zcat "$out/p2.1.fq.gz" | wc -l)" ] || { ok=0; echo "  mates out of step"; }
[ $ok = 1 ] && pass paired-gz-output || bad paired-gz-output "see above"

# one gzip member on request
"$B/fqtrim" --quiet --cpu -q 20 --gzip-stream -o "$out/s.fq.gz" "$out/r1.fq.gz" || bad gzip-stream "fqtrim failed"
flg=$(head -c 4 "$out/s.fq.gz" | od -An -tx1 | tr -d ' ')
members=$(python3 -c "import zlib,sys
d=open(sys.argv[1],'rb').read(); n=0
while d:
    o=zlib.decompressobj(31); o.decompress(d); d=o.unused_data; n+=1
print(n)" "$out/s.fq.gz" 2>/dev/null || echo "?")
if [ "${flg:0:6}" = "1f8b08" ] && [ "$flg" != "1f8b0804" ] && zcat "$out/s.fq.gz" | cmp -s - "$out/plain.fq" &&
   { [ "$members" = 1 ] || [ "$members" = "?" ]; }; then pass gzip-stream-one-member
else bad gzip-stream-one-member "header $flg, $members members"; fi

# fqstats --json names the inflater
if "$B/fqstats" --json --cpu "$out/r1.fq.gz" > "$out/s.json" && grep -q '"inflate": "' "$out/s.json" &&
   "$B/fqstats" --json --cpu "$out/r1.fq" | grep -q '"inflate": "none"'; then pass fqstats-json-inflate
else bad fqstats-json-inflate "$(cat "$out/s.json")"; fi
exit $fail
