#!/usr/bin/env bash
# fqtrim byte for byte against the peers whose rules it follows, on generated
# reads with N (upper and lower case), reads that trimming empties, empty
# reads, single-end and paired:
#   fqtrim -q B --window W -m M    = Trimmomatic 0.39 SE/PE -phred33 SLIDINGWINDOW:W:B MINLEN:M
#   fqtrim -q A,B -m M --max-n X   = cutadapt -q A,B [-Q A,B] -m M --max-n X
# Each peer missing is a SKIP (Debian packages trimmomatic, cutadapt).
# FQP_TEST_QUICK=1 (sanitizer passes): fewer option sets.
set -u
B=${FQP_BUILD:-build}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fqp-trimpeers.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
pass() { echo "PASS $1"; }
bad() { echo "FAIL $1: $2"; fail=1; }
T="$B/fqtrim"
quick=${FQP_TEST_QUICK:-0}
n=20000; [ "$quick" = 1 ] && n=4000

# Reads from fqgen, spiced so that every rule's corner is met: a low 5' start
# (the first window fails: Trimmomatic drops the read), N runs with high
# quality (Trimmomatic scores N as Q0), lowercase n (counted by --max-n, not
# zeroed by Trimmomatic), empty reads. Names p<i>/1 and p<i>/2.
cat > "$tmp/spice.awk" <<'EOF'
NR % 4 == 1 { i = (NR - 1) / 4; $0 = "@p" i "/" mate (mate == 1 ? " c" i : "") }
NR % 4 == 2 { s = $0 }
NR % 4 == 0 {
    q = $0; L = length(s)
    if (i % 7 == 3) q = substr("#####", 1, L < 5 ? L : 5) substr(q, 6)
    out = ""
    for (k = 1; k <= L; k++) {
        c = substr(s, k, 1)
        if (i % 5 == 1 && k % 9 == 4) c = "N"
        if (i % 17 == 2 && k % 6 == 0) c = "n"
        if (i % 23 == 5 && k <= 3) c = "N"
        out = out c
    }
    print out; print "+"; print q; next
}
NR % 4 == 1 { print; next }
NR % 4 == 3 { next }
EOF
"$B/fqgen" -n "$n" -s 11 -l 0-160 --empty-every 97 | awk -v mate=1 -f "$tmp/spice.awk" > "$tmp/r1.fq"
"$B/fqgen" -n "$n" -s 12 -l 0-140 --empty-every 89 | awk -v mate=2 -f "$tmp/spice.awk" > "$tmp/r2.fq"
# the input must hold what the comparison is about
nN=$(awk 'NR%4==2 && /N/' "$tmp/r1.fq" | wc -l); nn=$(awk 'NR%4==2 && /n/' "$tmp/r1.fq" | wc -l)
ne=$(awk 'NR%4==2 && length($0)==0' "$tmp/r1.fq" | wc -l)
if [ "$nN" -gt 100 ] && [ "$nn" -gt 100 ] && [ "$ne" -gt 10 ]; then pass peers-input
else bad peers-input "$nN reads with N, $nn with n, $ne empty"; fi

# A comparison that could not fail would be worthless: each must have kept
# reads, and the peer must have dropped or trimmed some.
differ() { cmp "$1" "$2" 2>&1 | head -1; }
records() { echo $(($(wc -l < "$1") / 4)); }

# ---- Trimmomatic: SLIDINGWINDOW (N = Q0, emptied reads dropped), MINLEN ----
if command -v TrimmomaticSE > /dev/null && command -v TrimmomaticPE > /dev/null; then
    sets="4:20:0 4:20:30 1:25:0 10:15:5"; [ "$quick" = 1 ] && sets="4:20:30"
    for s in $sets; do
        w=${s%%:*}; rest=${s#*:}; q=${rest%%:*}; m=${rest#*:}
        minlen=""; [ "$m" != 0 ] && minlen="MINLEN:$m"
        name="trimmomatic-se-w$w-q$q-m$m"
        TrimmomaticSE -phred33 "$tmp/r1.fq" "$tmp/t1.fq" "SLIDINGWINDOW:$w:$q" $minlen 2> "$tmp/terr" ||
            { bad "$name" "TrimmomaticSE failed: $(tail -2 "$tmp/terr")"; continue; }
        "$T" --cpu --quiet -q "$q" --window "$w" -m "$m" -t 2 -o "$tmp/f1.fq" "$tmp/r1.fq"
        kept=$(records "$tmp/t1.fq")
        if cmp -s "$tmp/t1.fq" "$tmp/f1.fq" && [ "$kept" -gt 0 ] && [ "$kept" -lt "$n" ]; then
            pass "$name ($kept of $n reads kept)"
        else bad "$name" "$(differ "$tmp/t1.fq" "$tmp/f1.fq"); $kept kept"; fi

        name="trimmomatic-pe-w$w-q$q-m$m"
        TrimmomaticPE -phred33 "$tmp/r1.fq" "$tmp/r2.fq" "$tmp/tp1.fq" "$tmp/tu1.fq" "$tmp/tp2.fq" "$tmp/tu2.fq" \
            "SLIDINGWINDOW:$w:$q" $minlen 2> "$tmp/terr" ||
            { bad "$name" "TrimmomaticPE failed: $(tail -2 "$tmp/terr")"; continue; }
        "$T" --cpu --quiet -q "$q" --window "$w" -m "$m" -t 2 -o "$tmp/fp1.fq" -p "$tmp/fp2.fq" \
            --unpaired "$tmp/fu.fq" "$tmp/r1.fq" "$tmp/r2.fq"
        # fqtrim's one --unpaired file holds both mates in input order; Trimmomatic
        # splits them by mate
        paste - - - - < "$tmp/fu.fq" | awk -F'\t' '$1 ~ /\/1( |$)/' | tr '\t' '\n' > "$tmp/fu1.fq"
        paste - - - - < "$tmp/fu.fq" | awk -F'\t' '$1 ~ /\/2( |$)/' | tr '\t' '\n' > "$tmp/fu2.fq"
        pairs=$(records "$tmp/tp1.fq")
        if cmp -s "$tmp/tp1.fq" "$tmp/fp1.fq" && cmp -s "$tmp/tp2.fq" "$tmp/fp2.fq" &&
           cmp -s "$tmp/tu1.fq" "$tmp/fu1.fq" && cmp -s "$tmp/tu2.fq" "$tmp/fu2.fq" && [ -s "$tmp/tu1.fq" ] &&
           [ -s "$tmp/tu2.fq" ] && [ "$pairs" -gt 0 ] && [ "$pairs" -lt "$n" ]; then
            pass "$name ($pairs of $n pairs kept)"
        else
            bad "$name" "p1 $(differ "$tmp/tp1.fq" "$tmp/fp1.fq") p2 $(differ "$tmp/tp2.fq" "$tmp/fp2.fq") u1 $(differ "$tmp/tu1.fq" "$tmp/fu1.fq") u2 $(differ "$tmp/tu2.fq" "$tmp/fu2.fq")"
        fi
    done
else
    echo "SKIP trimmomatic: TrimmomaticSE/PE not installed (Debian package trimmomatic)"
fi

# ---- cutadapt: -q A,B (5' and 3' BWA cuts), -m, --max-n count or fraction ----
if command -v cutadapt > /dev/null; then
    # q | m | max-n ('-': none)
    sets="5,20:0:- 20:1:2 10,25:20:0.05 30,3:0:1 0,20:5:0 15,15:0:0.5"
    [ "$quick" = 1 ] && sets="5,20:0:- 10,25:20:0.05"
    for s in $sets; do
        q=${s%%:*}; rest=${s#*:}; m=${rest%%:*}; x=${rest#*:}
        nopt=""; [ "$x" != - ] && nopt="--max-n $x"
        name="cutadapt-se-q$q-m$m-n$x"
        cutadapt --quiet -j 1 -q "$q" -m "$m" $nopt -o "$tmp/c1.fq" "$tmp/r1.fq" 2> "$tmp/cerr" ||
            { bad "$name" "cutadapt failed: $(tail -2 "$tmp/cerr")"; continue; }
        "$T" --cpu --quiet -q "$q" -m "$m" $nopt -t 2 -o "$tmp/f1.fq" "$tmp/r1.fq"
        kept=$(records "$tmp/c1.fq")
        if cmp -s "$tmp/c1.fq" "$tmp/f1.fq" && [ "$kept" -gt 0 ] && ! cmp -s "$tmp/c1.fq" "$tmp/r1.fq"; then
            pass "$name ($kept of $n reads kept)"
        else bad "$name" "$(differ "$tmp/c1.fq" "$tmp/f1.fq"); $kept kept"; fi

        name="cutadapt-pe-q$q-m$m-n$x"
        cutadapt --quiet -j 1 -q "$q" -Q "$q" -m "$m" $nopt -o "$tmp/cp1.fq" -p "$tmp/cp2.fq" \
            "$tmp/r1.fq" "$tmp/r2.fq" 2> "$tmp/cerr" ||
            { bad "$name" "cutadapt failed: $(tail -2 "$tmp/cerr")"; continue; }
        "$T" --cpu --quiet -q "$q" -m "$m" $nopt -t 2 -o "$tmp/fp1.fq" -p "$tmp/fp2.fq" "$tmp/r1.fq" "$tmp/r2.fq"
        pairs=$(records "$tmp/cp1.fq")
        if cmp -s "$tmp/cp1.fq" "$tmp/fp1.fq" && cmp -s "$tmp/cp2.fq" "$tmp/fp2.fq" && [ "$pairs" -gt 0 ]; then
            pass "$name ($pairs of $n pairs kept)"
        else bad "$name" "p1 $(differ "$tmp/cp1.fq" "$tmp/fp1.fq") p2 $(differ "$tmp/cp2.fq" "$tmp/fp2.fq")"; fi
    done
else
    echo "SKIP cutadapt: not installed (Debian package cutadapt)"
fi

# the options cutadapt's way refuses fqtrim refuses too
for args in "-q 5,20,30" "-q ,20" "-q 5," "--max-n -1" "--max-n x" "-q 5,20 --window 4"; do
    if "$T" $args -o "$tmp/x.fq" "$tmp/r1.fq" 2> "$tmp/err"; then bad "usage-error: $args" "exit 0"
    elif grep -q '^fqtrim: ' "$tmp/err"; then pass "usage-error: $args"
    else bad "usage-error: $args" "$(cat "$tmp/err")"; fi
done
exit $fail
