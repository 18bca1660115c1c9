#!/usr/bin/env bash
# tests/test_install.sh - make install and make uninstall:
#   install:stage:*   DESTDIR=STAGE PREFIX=/opt/fqp installs exactly the
#                     headers, the tools, kernels.ptx/.cu and fastqpar.pc,
#                     with their modes, the same bytes as in the tree/$B;
#                     fastqpar.pc names PREFIX (not DESTDIR), the header's
#                     version and the headers' link flags
#   uninstall:stage   removes exactly those files (and share/fastqpar),
#                     leaving a file of someone else's in bin/ and include/
#   install:prefix:*  PREFIX=DIR (no DESTDIR): the README's embedding example,
#                     built as C and as C++ with only
#                     `pkg-config --cflags --libs fastqpar` against the
#                     installed header, counts generated reads exactly
#                     (plain and gzip); uninstall leaves no file
# The tools are installed as already built in $B (FQP_BUILD): make install
# must not rebuild them (this runs inside make test, maybe a sanitizer
# build), so stale binaries are a failure here, not a rebuild.
# Prints PASS/FAIL/SKIP lines; exits nonzero on a failure.
set -u
cd "$(dirname "$0")/.." || exit 1
B=$(cd "${FQP_BUILD:-build}" && pwd) || { echo "FAIL setup: no build directory"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fqp-install.XXXXXX") || { echo "FAIL setup: mktemp"; exit 1; }
trap 'rm -rf "$tmp"' EXIT
failed=0
pass() { echo "PASS $1"; : > "$tmp/err"; }
fail() { echo "FAIL $1${2:+: $2}"; failed=$((failed + 1)); [ -s "$tmp/err" ] && sed 's/^/  /' "$tmp/err" | head -10; : > "$tmp/err"; }
# the make of this tree, without what the make running this test passes down
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -s BUILD="$B" "$@"; }
# every file and link under DIR with its mode, one "MODE PATH" a line
listing() { (cd "$1" && find . \( -type f -o -type l \) -printf '%m %P\n' | LC_ALL=C sort); }
version=$(sed -n 's/^#define FASTQPAR_VERSION_STRING "\(.*\)"$/\1/p' fastqpar.h)
have_pc=1; command -v pkg-config >/dev/null 2>&1 || have_pc=0

if ! mk -q "$B/fqstats" "$B/fqtrim" 2>"$tmp/err"; then
    fail "setup" "$B/fqstats or $B/fqtrim is missing or older than its sources (run make first)"; exit 1
fi

# --- DESTDIR + PREFIX: the exact files ---
stage=$tmp/stage; P=/opt/fqp
mkdir -p "$stage$P/bin" "$stage$P/include"
echo keep > "$stage$P/bin/other-tool"; echo keep > "$stage$P/include/other.h"
if mk install DESTDIR="$stage" PREFIX="$P" >"$tmp/out" 2>"$tmp/err"; then pass "install:stage:runs"
else fail "install:stage:runs" "exit status $?"; fi
cat > "$tmp/want" <<EOF
644 opt/fqp/include/fastqpar.h
644 opt/fqp/include/fastqpar_cuda.h
644 opt/fqp/include/other.h
644 opt/fqp/lib/pkgconfig/fastqpar.pc
644 opt/fqp/share/fastqpar/kernels.cu
644 opt/fqp/share/fastqpar/kernels.ptx
644 opt/fqp/bin/other-tool
755 opt/fqp/bin/fqstats
755 opt/fqp/bin/fqtrim
EOF
LC_ALL=C sort -k2 "$tmp/want" > "$tmp/want.sorted"
listing "$stage" | LC_ALL=C sort -k2 > "$tmp/got"
if cmp -s "$tmp/got" "$tmp/want.sorted"; then pass "install:stage:files"
else diff "$tmp/want.sorted" "$tmp/got" > "$tmp/err"; fail "install:stage:files" "not the expected files (diff want got)"; fi
same=1
for f in fastqpar.h fastqpar_cuda.h; do cmp -s "$f" "$stage$P/include/$f" || same=0; done
for f in kernels.ptx kernels.cu; do cmp -s "$f" "$stage$P/share/fastqpar/$f" || same=0; done
for t in fqstats fqtrim; do cmp -s "$B/$t" "$stage$P/bin/$t" || same=0; done
if [ $same = 1 ]; then pass "install:stage:same-bytes"; else fail "install:stage:same-bytes" "an installed file differs"; fi
# the .pc names PREFIX, never the staging directory
pc=$stage$P/lib/pkgconfig/fastqpar.pc
if [ -n "$version" ] && grep -qx "prefix=$P" "$pc" && grep -qx "Version: $version" "$pc" &&
   grep -qx 'Cflags: -I${includedir}' "$pc" && grep -qx 'Libs: -lz -lpthread -lm -ldl' "$pc" &&
   ! grep -q "$stage" "$pc"; then pass "install:stage:pc-file"
else cp "$pc" "$tmp/err" 2>/dev/null; fail "install:stage:pc-file" "version '$version'"; fi
if [ $have_pc = 1 ]; then
    pcq() { PKG_CONFIG_PATH="$stage$P/lib/pkgconfig" pkg-config "$@" fastqpar 2>"$tmp/err"; }
    got="$(pcq --modversion)|$(pcq --variable=ptx)|$(echo $(pcq --define-variable=prefix="$stage$P" --cflags --libs))"
    want="$version|$P/share/fastqpar/kernels.ptx|-I$stage$P/include -lz -lpthread -lm -ldl"
    if [ "$got" = "$want" ]; then pass "install:stage:pkg-config"
    else fail "install:stage:pkg-config" "got '$got', expected '$want'"; fi
else
    echo "SKIP install:stage:pkg-config: pkg-config not installed"
fi
if mk uninstall DESTDIR="$stage" PREFIX="$P" >"$tmp/out" 2>"$tmp/err" &&
   [ "$(listing "$stage")" = "$(printf '644 opt/fqp/bin/other-tool\n644 opt/fqp/include/other.h')" ] &&
   [ ! -e "$stage$P/share/fastqpar" ] && [ -d "$stage$P/lib/pkgconfig" ]; then pass "uninstall:stage"
else listing "$stage" >> "$tmp/err"; fail "uninstall:stage" "left or removed the wrong files"; fi
# a second uninstall has nothing to remove and still succeeds
if mk uninstall DESTDIR="$stage" PREFIX="$P" >"$tmp/out" 2>"$tmp/err"; then pass "uninstall:stage:again"
else fail "uninstall:stage:again" "exit status $?"; fi

# --- PREFIX alone, used through pkg-config ---
pre=$tmp/prefix
if mk install PREFIX="$pre" >"$tmp/out" 2>"$tmp/err"; then pass "install:prefix:runs"
else fail "install:prefix:runs" "exit status $?"; fi
"$B/fqgen" -n 2500 -s 31 -l 1-250 > "$tmp/in.fq" || { echo "FAIL setup: fqgen"; exit 1; }
gzip -c "$tmp/in.fq" > "$tmp/in.fq.gz"
want="2500 $(awk 'NR%4==2{b+=length($0)} END{print b}' "$tmp/in.fq")"
# the source in a directory of its own: "fastqpar.h" can come only from -I
mkdir "$tmp/src" && tests/doc_example.sh readme > "$tmp/src/count.c"
cd "$tmp/src" || exit 1
if ! ${CC:-cc} -std=c11 -fsyntax-only count.c 2>/dev/null; then pass "install:prefix:control"
else echo "SKIP install:prefix:control: a fastqpar.h is on the compiler's default path (installed system-wide?)"; fi
if [ $have_pc = 1 ]; then
    flags=$(PKG_CONFIG_PATH="$pre/lib/pkgconfig" pkg-config --cflags --libs fastqpar 2>"$tmp/err")
    for lang in c c++; do
        if [ $lang = c ]; then comp=${CC:-cc}; std="-std=c11"; else comp=${CXX:-c++}; std="-std=c++11 -x c++"; fi
        if ! command -v "$comp" >/dev/null 2>&1; then echo "SKIP install:prefix:example-$lang: no $comp"; continue; fi
        # $flags unquoted: pkg-config's words; -x c++ must precede the source
        # shellcheck disable=SC2086
        if $comp $std -Wall -Wextra -Wpedantic -Werror -O1 -o "count-$lang" count.c $flags 2>"$tmp/err"; then
            got="$(./count-$lang "$tmp/in.fq" 2>"$tmp/err")|$(./count-$lang "$tmp/in.fq.gz" 2>>"$tmp/err")"
            if [ "$got" = "$want|$want" ]; then pass "install:prefix:example-$lang"
            else fail "install:prefix:example-$lang" "got '$got', expected '$want|$want'"; fi
        else fail "install:prefix:example-$lang" "does not build with: $flags"; fi
    done
else
    echo "SKIP install:prefix:example: pkg-config not installed"
fi
cd - >/dev/null || exit 1
if mk uninstall PREFIX="$pre" >"$tmp/out" 2>"$tmp/err" && [ -z "$(listing "$pre")" ] && [ ! -e "$pre/share/fastqpar" ]
then pass "uninstall:prefix"
else listing "$pre" >> "$tmp/err"; fail "uninstall:prefix" "files left"; fi
exit $((failed > 0))
