#!/bin/sh
# tests/embed_ptx.sh [-n ARRAY] PTX HEADER
# Replaces the lines between
#     /* BEGIN EMBEDDED PTX (make ptx) */
#     /* END EMBEDDED PTX */
# in HEADER (fastqpar_cuda.h) with the PTX file as an array of C string
# literals, so that a static binary carries its kernels:
#     static const char *const fqp__cuda_ptx[] = { "...", "...", NULL };
# -n ARRAY names the array (a C identifier; default fqp__cuda_ptx), as for
# examples/gpu_kmer_ptx.h: static const char *const fqp_kmer_ptx[].
# In fastqpar_cuda.h the markers sit at the very end of the implementation
# (section >>cuda-ptx, before only the licence); the code above reaches the
# array through fqp__cuda_embedded_ptx(), defined just after the end marker,
# so nothing outside the markers depends on the PTX. Only the lines between
# the markers change; where they are in HEADER does not matter here.
# Concatenating the elements gives the PTX byte for byte. One source line per
# PTX line; an element holds at most 4000 characters of source (C99 promises
# 4095 characters per string literal, and -Wpedantic enforces it). '"', '\',
# tab and '?' (trigraphs) are escaped, other control bytes in octal. Run by
# `make ptx`; the output depends only on the PTX, so it is reproducible.
set -eu
array=fqp__cuda_ptx
if [ $# -ge 2 ] && [ "$1" = -n ]; then
    array=$2
    shift 2
fi
if [ $# -ne 2 ]; then
    echo "usage: $0 [-n ARRAY] PTX HEADER" >&2
    exit 2
fi
case $array in
'' | [0-9]* | *[!A-Za-z0-9_]*)
    echo "$0: -n $array: not a C identifier" >&2
    exit 2 ;;
esac
ptx=$1
header=$2
begin='/* BEGIN EMBEDDED PTX (make ptx) */'
end='/* END EMBEDDED PTX */'
for f in "$ptx" "$header"; do
    if [ ! -f "$f" ]; then
        echo "$0: $f: no such file" >&2
        exit 1
    fi
done
if [ "$(grep -c -x -F "$begin" "$header")" != 1 ] || [ "$(grep -c -x -F "$end" "$header")" != 1 ]; then
    echo "$0: $header must hold exactly one line '$begin' and one '$end'" >&2
    exit 1
fi
if [ "$(LC_ALL=C tr -d '\000' < "$ptx" | wc -c)" != "$(wc -c < "$ptx")" ]; then
    echo "$0: $ptx contains NUL bytes" >&2
    exit 1
fi
# does the PTX end with a newline? (the last line is then not a partial one)
if [ -s "$ptx" ] && [ -n "$(tail -c 1 "$ptx")" ]; then partial=1; else partial=0; fi

tmp="$header.embed.$$"
trap 'rm -f "$tmp"' EXIT
before=$(cksum < "$header")
LC_ALL=C awk -v ptx="$ptx" -v begin="$begin" -v end="$end" -v partial="$partial" -v array="$array" '
function esc(c) {
    if (c == "\\") return "\\\\"
    if (c == "\"") return "\\\""
    if (c == "\t") return "\\t"
    if (c == "?") return "\\?"
    if (ord[c] < 32 || ord[c] > 126) return sprintf("\\%03o", ord[c])
    return c
}
# literals are printed one behind, so that the last of an element gets its comma
function lit(text) {
    if (pending_set) print "    \"" pending "\""
    pending = text
    pending_set = 1
}
function end_element() {
    if (pending_set) print "    \"" pending "\","
    pending_set = 0
    used = 0
}
function add(e) {
    if (used + length(e) > 4000) {
        if (cur != "") lit(cur)
        cur = ""
        end_element()
    }
    cur = cur e
    used += length(e)
}
function embed(   line, n, i, more, rc) {
    print "static const char *const " array "[] = {"
    rc = getline line < ptx
    while (rc > 0) {
        more = (getline next_line < ptx) > 0
        cur = ""
        n = length(line)
        for (i = 1; i <= n; i++) add(esc(substr(line, i, 1)))
        if (more || !partial) add("\\n")
        if (cur != "") lit(cur)
        line = next_line
        rc = more ? 1 : 0
    }
    end_element()
    print "    NULL"
    print "};"
}
BEGIN { for (i = 1; i < 256; i++) ord[sprintf("%c", i)] = i }
$0 == begin { print; embed(); skipping = 1; next }
$0 == end { skipping = 0 }
!skipping { print }
' "$header" > "$tmp"
# someone else may be editing the header: never overwrite a newer version
if [ "$(cksum < "$header")" != "$before" ]; then
    echo "$0: $header changed while it was being rewritten; run it again" >&2
    exit 1
fi
cmp -s "$tmp" "$header" || cat "$tmp" > "$header"
