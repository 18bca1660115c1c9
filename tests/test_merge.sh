#!/usr/bin/env bash
# fqstats --counts / --merge: the counters of the parts of an input, added up,
# print exactly what one run over the whole input prints (-a -T, --json,
# --per-position), over random splits of generated and real files. Also: inputs
# grouped by name, --label, a merge of merges, and counts files that are
# broken or do not add up are refused with file, line and byte.
set -u
B=${FQP_BUILD:-build}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fqp-merge.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
pass() { echo "PASS $1"; }
bad() { echo "FAIL $1: $2"; fail=1; }
S=/usr/share/doc/seqkit-examples/tests

# split FILE K SEED: K parts cut at random record boundaries, as part1.fq ..
split_records() {
    local n cuts
    n=$(($(wc -l < "$1") / 4))
    cuts=$(awk -v n="$n" -v k="$2" -v s="$3" 'BEGIN { srand(s); for (i = 1; i < k; i++) print int(rand() * (n + 1)) }' |
        sort -n | tr '\n' ' ')
    awk -v cuts="$cuts" -v dir="$tmp" 'BEGIN { m = split(cuts, c, " "); part = 1 }
        NR % 4 == 1 { r++; while (part <= m && r > c[part]) part++ }
        { print > (dir "/part" part ".fq") }' "$1"
    for ((i = 1; i <= $2; i++)); do [ -e "$tmp/part$i.fq" ] || : > "$tmp/part$i.fq"; done
}

# same_as_single NAME FILE K SEED: FILE's parts counted apart and merged
same_as_single() {
    local name=$1 file=$2 k=$3 seed=$4 i ok=1 mode args
    rm -f "$tmp"/part*.fq "$tmp"/part*.json
    split_records "$file" "$k" "$seed"
    for ((i = 1; i <= k; i++)); do
        "$B/fqstats" -Q --counts "$tmp/part$i.json" --label whole "$tmp/part$i.fq" > /dev/null 2> "$tmp/err" ||
            { bad "$name" "part $i: $(head -1 "$tmp/err")"; return; }
    done
    cp "$file" "$tmp/whole"
    for mode in "-a -T" "--json" "--per-position" "--per-position --json -q 0"; do
        (cd "$tmp" && "$B/fqstats" -Q $mode whole) > "$tmp/single" 2>&1
        args=(); for ((i = 1; i <= k; i++)); do args+=("$tmp/part$i.json"); done
        "$B/fqstats" -Q --merge $mode "${args[@]}" > "$tmp/merged" 2>&1
        cmp -s "$tmp/single" "$tmp/merged" || { ok=0; bad "$name" "$mode differs: $(diff "$tmp/single" "$tmp/merged" | head -3)"; }
    done
    # FastQC's modules and the HTML page from the merged counters (the page
    # without its run table: threads, seconds and throughput are the run's)
    for mode in "" "--nogroup"; do
        (cd "$tmp" && "$B/fqstats" -Q $mode --fastqc-data single.txt --html single.html whole) > /dev/null 2>&1
        "$B/fqstats" -Q --merge $mode --fastqc-data "$tmp/merged.txt" --html "$tmp/merged.html" "${args[@]}" > /dev/null 2>&1
        cmp -s "$tmp/single.txt" "$tmp/merged.txt" ||
            { ok=0; bad "$name" "--fastqc-data $mode differs: $(diff "$tmp/single.txt" "$tmp/merged.txt" | head -3)"; }
        cmp -s <(sed '/<table class="run">/,/<\/table>/d' "$tmp/single.html") \
            <(sed '/<table class="run">/,/<\/table>/d' "$tmp/merged.html") ||
            { ok=0; bad "$name" "--html $mode differs"; }
    done
    [ $ok = 1 ] && pass "$name"
}

"$B/fqgen" -n 3000 -s 5 -l 0-300 --empty-every 41 > "$tmp/var.fq"
"$B/fqgen" -n 2000 -s 6 -l 151 > "$tmp/fixed.fq"
"$B/fqgen" -n 300 -s 7 -l 500-3000 > "$tmp/long.fq"
# lowercase letters, IUPAC codes and gaps at known places
awk 'NR % 4 == 2 && NR % 12 == 2 { $0 = tolower($0) } NR % 4 == 2 && NR % 16 == 6 && length($0) >= 4 { $0 = "RYKM" substr($0, 5) }
     NR % 4 == 2 && NR % 20 == 10 && length($0) > 9 { $0 = substr($0, 1, 7) "-." substr($0, 10) } { print }' \
    "$tmp/var.fq" > "$tmp/iupac.fq"
seeds="1 2"; [ -n "${FQP_TEST_QUICK:-}" ] && seeds=1 # make sanitize: one seed
for k in 1 2 3 5; do
    for seed in $seeds; do
        same_as_single "random-split-var-k$k-s$seed" "$tmp/var.fq" $k $seed
    done
done
same_as_single random-split-fixed-k4 "$tmp/fixed.fq" 4 3
same_as_single random-split-long-k3 "$tmp/long.fq" 3 4
same_as_single random-split-iupac-k4 "$tmp/iupac.fq" 4 5
same_as_single one-part-empty "$tmp/fixed.fq" 7 9   # 7 parts of 2000 records: some parts may be empty
: > "$tmp/empty.fq"
same_as_single empty-input "$tmp/empty.fq" 2 1
if [ -r "$S/reads_1.fq.gz" ]; then
    gzip -dc "$S/reads_1.fq.gz" > "$tmp/reads_1.fq"
    same_as_single real-reads_1-k3 "$tmp/reads_1.fq" 3 11
    gzip -dc "$S/nanopore.fq.gz" > "$tmp/nanopore.fq"
    same_as_single real-nanopore-k4 "$tmp/nanopore.fq" 4 12
else
    echo "SKIP real-files: seqkit-examples not installed"
fi

# several inputs per counts file: grouped by name, in the order first seen
cd "$tmp" || exit 1
"$B/fqstats" -Q --counts c1.json var.fq fixed.fq > /dev/null && "$B/fqstats" -Q --counts c2.json long.fq > /dev/null &&
    "$B/fqstats" -Q -a -T var.fq fixed.fq long.fq > single.tsv && "$B/fqstats" -Q --merge -a -T c1.json c2.json > merged.tsv
if cmp -s single.tsv merged.tsv && [ "$(wc -l < merged.tsv)" = 4 ]; then pass merge-by-name
else bad merge-by-name "$(diff single.tsv merged.tsv | head -3)"; fi
# a merge written as counts again merges to the same numbers
split_records var.fq 3 21
for i in 1 2 3; do "$B/fqstats" -Q --counts p$i.json --label var.fq part$i.fq > /dev/null; done
"$B/fqstats" -Q --merge --counts m12.json p1.json p2.json > /dev/null &&
    "$B/fqstats" -Q --merge -a -T m12.json p3.json > mm.tsv && "$B/fqstats" -Q -a -T var.fq > v.tsv
if cmp -s mm.tsv v.tsv; then pass merge-of-merges; else bad merge-of-merges "$(diff mm.tsv v.tsv | head -3)"; fi
# --counts - : the counts on stdout, nothing else there
"$B/fqstats" -Q --counts - var.fq > stdout.json
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["fastqpar_counts"] == 1 and len(d["inputs"]) == 1 and d["inputs"][0]["records"] == 3000' stdout.json 2> err
then pass counts-stdout; else bad counts-stdout "$(tail -1 err)"; fi

# refused: each with its message, exit 1, nothing on stdout
refuse() { # refuse NAME 'expected message' FILE: --merge FILE fails so
    if "$B/fqstats" --merge -a "$3" > out 2> err; then bad "$1" "exit 0"
    elif [ -s out ]; then bad "$1" "printed: $(head -1 out)"
    elif grep -q -- "$2" err; then pass "$1"
    else bad "$1" "$(head -2 err)"; fi
}
head -c 500 c1.json > cut.json
refuse counts-truncated "cut.json: line [0-9]*, byte 501: expected" cut.json
sed '0,/"records": 3000/s//"records": 3001/' c1.json > more.json
refuse counts-do-not-add-up 'more.json: line [0-9]*, byte [0-9]*: "lengths" do not add up' more.json
sed '0,/"q20": /s//"q21": /' c1.json > key.json
refuse counts-unknown-key "unknown key" key.json
sed '1s/"fastqpar_counts": 1/"fastqpar_counts": 2/' c1.json > v2.json
refuse counts-version "version not 1" v2.json
printf '[1, 2]\n' > notcounts.json
refuse counts-not-counts "notcounts.json: line 1, byte 1: expected '{'" notcounts.json
refuse counts-missing "cannot open" nothere.json
# a position row that disagrees with the lengths
python3 - c1.json bad_pos.json << 'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["inputs"][0]["positions"][3][0] += 1
json.dump(d, open(sys.argv[2], "w"))
EOF
refuse counts-position-disagrees "disagree with the read lengths" bad_pos.json
# mutated counts files (bytes flipped, cut, duplicated, digits changed): the
# merge either refuses with a located message (exit 1, nothing printed) or,
# when the mutation kept the counts consistent, prints a table; never a crash
# (make sanitize runs this under ASan and UBSan)
python3 - c1.json mut << 'EOF'
import random, sys, os
src = open(sys.argv[1], "rb").read()
os.makedirs(sys.argv[2], exist_ok=True)
rnd = random.Random(15)
for i in range(int(os.environ.get("FQP_MUTANTS", "40" if os.environ.get("FQP_TEST_QUICK") else "150"))):
    b = bytearray(src)
    for _ in range(rnd.randint(1, 4)):
        k = rnd.randrange(4)
        at = rnd.randrange(len(b))
        if k == 0: b[at] = rnd.randrange(256)
        elif k == 1: del b[at:at + rnd.randint(1, 40)]
        elif k == 2: b[at:at] = b[at:at + rnd.randint(1, 40)]
        else:
            digits = [j for j in range(len(b)) if 48 <= b[j] <= 57]
            if digits: b[rnd.choice(digits)] = rnd.randint(48, 57)
    open(os.path.join(sys.argv[2], "m%03d.json" % i), "wb").write(bytes(b))
EOF
crashed=0; refused=0; accepted=0
for f in mut/m*.json; do
    "$B/fqstats" -Q --merge -a -T "$f" > out 2> err; rc=$?
    if [ $rc = 0 ] && [ -s out ] && [ ! -s err ]; then accepted=$((accepted + 1))
    elif [ $rc = 1 ] && [ ! -s out ] && grep -q "^fqstats: $f: line [0-9]*, byte [0-9]*: " err; then refused=$((refused + 1))
    else crashed=$((crashed + 1)); echo "  $f: exit $rc: $(head -c 300 err)"; fi
done
if [ $crashed = 0 ]; then pass "counts-mutants: $refused refused at their line and byte, $accepted still consistent"
else bad counts-mutants "$crashed of $((refused + accepted + crashed)) neither refused cleanly nor printed"; fi
# option checks
if "$B/fqstats" --merge --max-pos 10 c1.json > out 2> err || ! grep -q "does not go with" err; then
    bad merge-max-pos "$(head -1 err)"; else pass merge-max-pos; fi
if "$B/fqstats" --label x var.fq > out 2> err || ! grep -q "give --counts" err; then
    bad label-without-counts "$(head -1 err)"; else pass label-without-counts; fi
if "$B/fqstats" --counts var.fq var.fq > out 2> err; then bad counts-is-input "exit 0"; else pass counts-is-input; fi
mkdir -p a b && cp var.fq a/x.fq && cp fixed.fq b/x.fq
if "$B/fqstats" -Q --fastqc-data qc a/x.fq b/x.fq > out 2> err || ! grep -q "would both write qc/x_fastqc" err ||
    [ -e qc/x_fastqc ]; then bad fastqc-folder-clash "$(head -1 err)"; else pass fastqc-folder-clash; fi
if "$B/fqstats" --nogroup var.fq > out 2> err || ! grep -q "is for --fastqc-data and --html" err; then
    bad nogroup-alone "$(head -1 err)"; else pass nogroup-alone; fi
if "$B/fqstats" -Q --html var.fq var.fq > out 2> err; then bad html-is-input "exit 0"; else pass html-is-input; fi
exit $fail
