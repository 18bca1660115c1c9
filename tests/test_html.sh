#!/usr/bin/env bash
# fqhtml.h's HTML report, written by tests/fqview_ref (the plain reference
# reader) from generated FASTQ: the page parses as XML; its SVG marks,
# counted by the classes fqhtml.h documents, match the reports' data
# (fqview_ref -e writes the counts from the reports, not from the page); file
# names are escaped; the same input gives the same bytes; a write error is
# reported. Then fqstats --html (the pipeline's counters) on the same inputs
# (one, two side by side, three; the escaped name, empty reads, an empty
# file) writes the same page but for the run table (threads, seconds,
# throughput), and its counts hold. Then headless Chromium (Debian chromium)
# renders the single and the paired reference page and one fqstats page: the
# screenshot is a PNG of varied pixels, and the DOM Chromium parsed
# (--dump-dom) holds the same counts. SKIP for the browser part when
# chromium is missing, and for everything when python3 is.
set -u
B=${FQP_BUILD:-build}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fqp-html.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
pass() { echo "PASS $1"; }
bad() { echo "FAIL $1: $2"; fail=1; }
if ! command -v python3 > /dev/null; then
    echo "SKIP html: python3 not installed"; exit 0
fi

# check.py xml|count|png ...: prints nothing and exits 0, or says what is wrong.
cat > "$tmp/check.py" <<'EOF'
import sys, zlib, struct
from html.parser import HTMLParser

class Count(HTMLParser):
    """Counts marks per chart id (svg id), li.module statuses per ul.modules,
    tr.sample rows and the text of td.file cells."""
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.svg = None; self.marks = {}; self.points = {}; self.modules = []
        self.samples = 0; self.files = []; self.in_file = False; self.charts = []
        self.pair = 0; self.sections = 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs); cls = (a.get('class') or '').split()
        if tag == 'svg':
            self.svg = a.get('id'); self.charts.append(self.svg); return
        if tag == 'div' and 'pair' in cls: self.pair += 1
        if tag == 'section' and 'sample' in cls: self.sections += 1
        if tag == 'ul' and 'modules' in cls: self.modules.append([])
        if tag == 'li' and 'module' in cls:
            self.modules[-1].append([c for c in cls if c in ('pass', 'warn', 'fail')][0])
        if tag == 'tr' and 'sample' in cls: self.samples += 1
        if tag == 'td' and 'file' in cls: self.in_file = True; self.files.append('')
        if self.svg and 'swatch' not in cls:
            for c in cls:
                self.marks[(self.svg, c)] = self.marks.get((self.svg, c), 0) + 1
            if tag == 'polyline':
                pts = len((a.get('points') or '').split())
                for c in cls:
                    if c != 'series':
                        self.points[(self.svg, c)] = self.points.get((self.svg, c), 0) + pts
    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
    def handle_endtag(self, tag):
        if tag == 'svg': self.svg = None
        if tag == 'td': self.in_file = False
    def handle_data(self, data):
        if self.in_file: self.files[-1] += data

def count(page, expect, layout):
    c = Count(); c.feed(open(page, encoding='utf-8').read())
    errs = []
    for line in open(expect):
        f = line.split()
        if f[0] == 'summary':
            if c.samples != int(f[2]): errs.append('tr.sample: %d, want %s' % (c.samples, f[2]))
        elif f[1] == 'modules':
            k = int(f[0][1:])
            got = c.modules[k] if k < len(c.modules) else None
            if got != f[2:]: errs.append('%s modules %s, want %s' % (f[0], got, f[2:]))
        elif f[1].endswith('.points'):
            got = c.points.get((f[0], f[1][:-7]), 0)
            if got != int(f[2]): errs.append('%s %s: %d, want %s' % (f[0], f[1], got, f[2]))
        else:
            got = c.marks.get((f[0], f[1]), 0)
            if got != int(f[2]): errs.append('%s %s: %d, want %s' % (f[0], f[1], got, f[2]))
    n = c.samples
    names = ['base-quality', 'seq-quality', 'base-content', 'gc', 'n-content', 'length']
    if layout == 'pair':
        want = ['s%d-%s' % (k, m) for m in names for k in (0, 1)]
        if c.pair != 1 or c.sections != 0: errs.append('pair layout: %d div.pair, %d sections' % (c.pair, c.sections))
    else:
        want = ['s%d-%s' % (k, m) for k in range(n) for m in names]
        if c.pair != 0 or c.sections != n: errs.append('sections: %d div.pair, %d sections' % (c.pair, c.sections))
    if c.charts != want: errs.append('charts in order %s, want %s' % (c.charts[:6], want[:6]))
    for k in range(n):
        for m in names:
            for mark in ('title',):
                if c.marks.get(('s%d-%s' % (k, m), mark), 0) != 1: errs.append('s%d-%s: no text.title' % (k, m))
    if len(sys.argv) > 5 and c.files[0] != sys.argv[5]:
        errs.append('td.file %r, want %r' % (c.files[0], sys.argv[5]))
    return errs

def png(path, min_colours, want):
    d = open(path, 'rb').read()
    if d[:8] != b'\x89PNG\r\n\x1a\n': return ['not a PNG']
    pos, idat, ihdr = 8, b'', None
    while pos < len(d):
        n, kind = struct.unpack('>I4s', d[pos:pos + 8])
        if kind == b'IHDR': ihdr = struct.unpack('>IIBBBBB', d[pos + 8:pos + 8 + 13])
        if kind == b'IDAT': idat += d[pos + 8:pos + 8 + n]
        pos += 12 + n
    w, h, depth, ctype = ihdr[:4]
    if depth != 8 or ctype not in (2, 6): return ['%dx%d depth %d colour type %d: not 8-bit RGB(A)' % (w, h, depth, ctype)]
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat); stride = w * bpp
    if len(raw) != h * (stride + 1): return ['IDAT holds %d bytes, want %d' % (len(raw), h * (stride + 1))]
    # unfilter row by row until enough colours are seen, the wanted ones
    # (the fills of the charts) among them
    want = set(bytes.fromhex(x) for x in want)
    prev = bytearray(stride); colours = set(); rows = 0
    for y in range(h):
        ft = raw[y * (stride + 1)]; line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if ft == 1:
            for i in range(bpp, stride): line[i] = (line[i] + line[i - bpp]) & 255
        elif ft == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif ft == 3:
            for i in range(stride): line[i] = (line[i] + ((line[i - bpp] if i >= bpp else 0) + prev[i]) // 2) & 255
        elif ft == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0; b = prev[i]; c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        for x in range(0, stride, bpp * 3): colours.add(bytes(line[x:x + 3]))
        prev = line; rows += 1
        if len(colours) >= min_colours and want <= colours: break
    if len(colours) < min_colours: return ['%dx%d: only %d colours' % (w, h, len(colours))]
    if not want <= colours: return ['%dx%d: no pixel of %s' % (w, h, ' '.join(x.hex() for x in want - colours))]
    print('%dx%d, %d+ colours in the first %d rows' % (w, h, len(colours), rows))
    return []

mode = sys.argv[1]
if mode == 'xml':
    import xml.etree.ElementTree as ET
    try: ET.parse(sys.argv[2]); errs = []
    except ET.ParseError as e: errs = [str(e)]
elif mode == 'count': errs = count(sys.argv[2], sys.argv[3], sys.argv[4])
else: errs = png(sys.argv[2], int(sys.argv[3]), sys.argv[4:])
for e in errs[:8]: print(e)
sys.exit(1 if errs else 0)
EOF
check() { python3 "$tmp/check.py" "$@" > "$tmp/check.out" 2>&1; }

"$B/fqgen" -n 2000 -s 31 -l 150 > "$tmp/r1.fq"
"$B/fqgen" -n 2000 -s 32 -l 40-150 > "$tmp/r2.fq"
"$B/fqgen" -n 500 -s 33 -l 30 > "$tmp/short.fq"
"$B/fqgen" -n 200 -s 34 -l 1000-5000 > "$tmp/long.fq"
"$B/fqgen" -n 300 -s 35 -l 100 --empty-every 5 | gzip > "$tmp/empties.fq.gz"
: > "$tmp/empty.fq"
name='a<b>&"c'"'"'.fq'

# case: name, layout (one, pair, many), then the FILEs
cases=(
    "single|one|--name $name $tmp/r1.fq"
    "paired|pair|$tmp/r1.fq $tmp/r2.fq"
    "three|many|$tmp/r1.fq $tmp/short.fq $tmp/long.fq"
    "short|one|$tmp/short.fq"
    "long|one|$tmp/long.fq"
    "empties-gz|one|$tmp/empties.fq.gz"
    "empty|one|$tmp/empty.fq"
)
for c in "${cases[@]}"; do
    IFS='|' read -r cname layout args <<< "$c"
    # shellcheck disable=SC2086
    if [ "$cname" = single ]; then set -- --name "$name" "$tmp/r1.fq"; else set -- $args; fi
    if ! "$B/fqview_ref" --seconds 0.25 --html "$tmp/$cname.html" -e "$tmp/$cname.exp" "$@" 2> "$tmp/err"; then
        bad "html-$cname" "fqview_ref failed: $(head -2 "$tmp/err")"; continue
    fi
    if check xml "$tmp/$cname.html"; then pass "html-$cname-xml"
    else bad "html-$cname-xml" "$(head -3 "$tmp/check.out")"; fi
    want_name=()
    [ "$cname" = single ] && want_name=("$name")
    if check count "$tmp/$cname.html" "$tmp/$cname.exp" "$layout" "${want_name[@]}"; then
        pass "html-$cname-counts ($(awk '$2 == "box" || $2 == "bar" { s += $3 } END { print s + 0 }' "$tmp/$cname.exp") boxes and bars)"
    else bad "html-$cname-counts" "$(head -5 "$tmp/check.out" | tr '\n' ';')"; fi
done

# the escaped name is in the page, the raw one nowhere
if grep -qF 'a&lt;b&gt;&amp;&quot;c&#39;.fq' "$tmp/single.html" && ! grep -qF '<b>' "$tmp/single.html"; then
    pass html-escapes-names
else bad html-escapes-names "no escaped name, or a raw <b>"; fi
# no script, no external reference
if grep -qiE '<script|<link|<img|<iframe|src=|url\(|@import' "$tmp/paired.html"; then
    bad html-self-contained "$(grep -oiE '<script|<link|<img|<iframe|src=|url\(|@import' "$tmp/paired.html" | head -3)"
elif grep -oE 'https?://[^" ]*' "$tmp/paired.html" | grep -qv '^http://www.w3.org/2000/svg$'; then
    bad html-self-contained "$(grep -oE 'https?://[^" ]*' "$tmp/paired.html" | sort -u | head -3)"
else pass html-self-contained; fi
# the seqkit-style row: num_seqs and sum_len of r1.fq, with separators
if grep -q '<td>2,000</td><td>300,000</td><td>150</td><td>150.0</td><td>150</td>' "$tmp/single.html"; then
    pass html-summary-row
else bad html-summary-row "$(grep -o '<tr class="sample">.*</tr>' "$tmp/single.html" | head -1)"; fi
# the mean-quality bars against the reads: one bar per distinct floor(mean
# quality) of a non-empty read, counted here by awk
want=$(awk 'BEGIN { for (i = 33; i < 127; i++) o[sprintf("%c", i)] = i }
    NR % 4 == 0 && length($0) > 0 { s = 0; n = length($0); for (i = 1; i <= n; i++) s += o[substr($0, i, 1)] - 33; m[int(s / n)] = 1 }
    END { for (k in m) c++; print c + 0 }' "$tmp/r2.fq")
got=$(awk '$1 == "s1-seq-quality" && $2 == "bar" { print $3 }' "$tmp/paired.exp")
[ "$got" = "$want" ] && pass "html-seq-quality-bars-vs-reads ($want)" || bad html-seq-quality-bars-vs-reads "page $got, reads $want"
# the summary row of r2.fq against fqstats -a -T (seqkit's columns)
if [ -x "$B/fqstats" ]; then
    want=$("$B/fqstats" -a -T "$tmp/r2.fq" | awk -F'\t' 'NR == 2 { print $2, $3, $4, $5, $6, $7, $8, $14, $15, $16 }')
    got=$(grep -o '<tr class="sample">.*</tr>' "$tmp/paired.html" | sed -n 2p | sed 's|</td><td[^>]*>|\t|g; s|<[^>]*>||g; s|,||g' |
        awk -F'\t' '{ print $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 }')
    if [ -n "$want" ] && [ "$got" = "$want" ]; then pass "html-summary-vs-fqstats ($got)"
    else bad html-summary-vs-fqstats "page '$got', fqstats -a '$want'"; fi
else
    echo "SKIP html-summary-vs-fqstats: no $B/fqstats"
fi
# reads/s: 2000 + 2000 reads in 0.25 s
if grep -q '<td>0.250</td><td>[0-9.]*</td><td>[0-9.]*</td><td>16,000</td>' "$tmp/paired.html"; then pass html-run-row
else bad html-run-row "$(grep -o '<table class="run">.*' "$tmp/paired.html" | head -3)"; fi
# the same inputs, the same bytes
"$B/fqview_ref" --seconds 0.25 --html "$tmp/paired2.html" "$tmp/r1.fq" "$tmp/r2.fq" &&
    cmp -s "$tmp/paired.html" "$tmp/paired2.html" && pass html-deterministic || bad html-deterministic "pages differ"
# a full disk is an error
if [ -w /dev/full ]; then
    if "$B/fqview_ref" --html /dev/full "$tmp/r1.fq" 2> "$tmp/err"; then bad html-write-error "exit 0 on /dev/full"
    else pass "html-write-error ($(head -1 "$tmp/err"))"; fi
fi

# ---- fqstats --html: the same page from the pipeline's counters ----
# Each case again through fqstats and through fqview_ref named as fqstats
# (the tool is in the run table and the footer); the pages are equal once
# the run table (threads, seconds, throughput) is cut from both. The
# escaped-name case runs on a file of that name, from its folder, so both
# show the name as given; fqstats's page then holds the reference's counts.
if [ -x "$B/fqstats" ]; then
    tool="fqstats $("$B/fqstats" --version | awk '{ print $NF }')"
    A=$(cd "$B" && pwd) # the build folder from inside $tmp
    cp "$tmp/r1.fq" "$tmp/$name"
    no_run() { sed '/<table class="run">/,/<\/table>/d' "$1"; }
    for c in "${cases[@]}"; do
        IFS='|' read -r cname layout args <<< "$c"
        # shellcheck disable=SC2086
        if [ "$cname" = single ]; then set -- "$name"; else set -- $args; fi
        if ! (cd "$tmp" && "$A/fqstats" -Q --html "$tmp/$cname.fqs.html" "$@" > /dev/null 2> "$tmp/err"); then
            bad "html-fqstats-$cname" "fqstats failed: $(head -2 "$tmp/err")"; continue
        fi
        if ! (cd "$tmp" && "$A/fqview_ref" --tool "$tool" --html "$tmp/$cname.ref.html" "$@" 2> "$tmp/err"); then
            bad "html-fqstats-$cname" "fqview_ref failed: $(head -2 "$tmp/err")"; continue
        fi
        grep -q '<table class="run">' "$tmp/$cname.fqs.html" || { bad "html-fqstats-$cname" "no run table"; continue; }
        if cmp -s <(no_run "$tmp/$cname.ref.html") <(no_run "$tmp/$cname.fqs.html"); then
            pass "html-fqstats-$cname (the reference's page but the run table, $(wc -c < "$tmp/$cname.fqs.html") bytes)"
        else
            bad "html-fqstats-$cname" "$(diff <(no_run "$tmp/$cname.ref.html") <(no_run "$tmp/$cname.fqs.html") | head -4 | cut -c1-160 | tr '\n' ';')"
        fi
        want_name=()
        [ "$cname" = single ] && want_name=("$name")
        if check count "$tmp/$cname.fqs.html" "$tmp/$cname.exp" "$layout" "${want_name[@]}"; then pass "html-fqstats-$cname-counts"
        else bad "html-fqstats-$cname-counts" "$(head -5 "$tmp/check.out" | tr '\n' ';')"; fi
    done
    if grep -qF 'a&lt;b&gt;&amp;&quot;c&#39;.fq' "$tmp/single.fqs.html" && ! grep -qF '<b>' "$tmp/single.fqs.html"; then
        pass html-fqstats-escapes-names
    else bad html-fqstats-escapes-names "no escaped name, or a raw <b>"; fi
else
    echo "SKIP html-fqstats: no $B/fqstats"
fi

# ---- the browser ----
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
    echo "SKIP html-chromium: chromium not installed (apt-get install chromium)"
    exit $fail
fi
browse() { # browse PAGE ARGS...: headless Chromium on file://PAGE
    local page=$1; shift
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --user-data-dir="$tmp/profile" "$@" "file://$page" 2>> "$tmp/chromium.log"
}
# FQP_TEST_QUICK=1 (the sanitizer passes; the browser checks no C code):
# the paired page only; otherwise the single and the paired reference page,
# and fqstats's single page (the escaped name) with the reference's counts
pages="single paired"
[ -s "$tmp/single.fqs.html" ] && pages="$pages single.fqs"
[ "${FQP_TEST_QUICK:-0}" = 1 ] && pages=paired
for cname in $pages; do
    case_name=${cname%.fqs} layout=one
    [ "$case_name" = paired ] && layout=pair
    rm -f "$tmp/$cname.png"
    if browse "$tmp/$cname.html" --window-size=1400,3000 --screenshot="$tmp/$cname.png" > /dev/null &&
        [ -s "$tmp/$cname.png" ] && [ "$(wc -c < "$tmp/$cname.png")" -gt 20000 ]; then
        # band-good, box and bar fills (fqhtml.h's CSS)
        if check png "$tmp/$cname.png" 12 d3ecd3 f5d742 d9534f; then pass "html-chromium-$cname-png ($(cat "$tmp/check.out"))"
        else bad "html-chromium-$cname-png" "$(head -3 "$tmp/check.out")"; fi
    else
        bad "html-chromium-$cname-png" "no screenshot: $(tail -2 "$tmp/chromium.log")"
    fi
    if browse "$tmp/$cname.html" --dump-dom > "$tmp/$cname.dom" && [ -s "$tmp/$cname.dom" ]; then
        want_name=()
        [ "$case_name" = single ] && want_name=("$name")
        if check count "$tmp/$cname.dom" "$tmp/$case_name.exp" $layout "${want_name[@]}"; then pass "html-chromium-$cname-dom"
        else bad "html-chromium-$cname-dom" "$(head -5 "$tmp/check.out" | tr '\n' ';')"; fi
    else
        bad "html-chromium-$cname-dom" "no DOM: $(tail -2 "$tmp/chromium.log")"
    fi
done
exit $fail
