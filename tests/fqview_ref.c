/* tests/fqview_ref.c - the reference fqv_sample: one input's QC counters
   (examples/tools/fqview.h) filled by a plain sequential reader, with no
   fastqpar involved, then written as FastQC's fastqc_data.txt by
   examples/tools/fqfastqc.h. Tests compare it with FastQC itself, and the
   counters fqstats builds with this program's.

   usage: fqview_ref [--nogroup] [--name NAME] --fastqc-data OUT FILE
     FILE             plain or gzip FASTQ ("-": stdin), strictly 4 lines a
                      record (header '@', sequence, '+' line, quality of the
                      sequence's length); "\r\n" accepted
     --fastqc-data OUT  where fastqc_data.txt goes ("-": stdout)
     --nogroup        one row per position, as fastqc --nogroup
     --name NAME      the Filename row (default: FILE's base name)

   usage: fqview_ref --java-doubles N
     N test doubles of the kinds fastqc_data.txt holds (ratios, percents,
     means, counts, tiny values, random bit patterns), one a line as
     "BITS<TAB>TEXT": BITS the 16 hex digits of the IEEE double, TEXT what
     fqfastqc.h prints for it; test_fastqc.sh has Java print the same. 

   Anything else in the input: a message on stderr and exit status 1. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "examples/tools/fqfastqc.h"

static const char *in_name;
static uint64_t line_no;

static void die(const char *msg) {
    fprintf(stderr, "fqview_ref: %s: line %llu: %s\n", in_name, (unsigned long long)line_no, msg);
    exit(1);
}

static void *grow(void *p, size_t n, size_t size) {
    if (n && size > SIZE_MAX / n) die("out of memory");
    void *q = realloc(p, n * size);
    if (!q && n) die("out of memory");
    return q;
}

/* One line without its "\n" / "\r\n" into *buf; 0 at the end of input. */
static int read_line(gzFile in, char **buf, size_t *cap, size_t *len) {
    size_t n = 0;
    if (!*cap) { *cap = 1024; *buf = grow(NULL, *cap, 1); }
    for (;;) {
        if (!gzgets(in, *buf + n, (int)(*cap - n > INT32_MAX ? INT32_MAX : *cap - n))) {
            int err;
            const char *msg = gzerror(in, &err);
            if (err != Z_OK && err != Z_STREAM_END) die(msg);
            if (n == 0) return 0;
            break;
        }
        n += strlen(*buf + n);
        if (n > 0 && (*buf)[n - 1] == '\n') break;
        if (n + 1 < *cap) continue; /* the end of the input without a newline: gzgets says so next */
        *cap *= 2;
        *buf = grow(*buf, *cap, 1);
    }
    line_no++;
    if (n > 0 && (*buf)[n - 1] == '\n') n--;
    if (n > 0 && (*buf)[n - 1] == '\r') n--;
    (*buf)[n] = 0;
    *len = n;
    return 1;
}

typedef struct {
    uint64_t length, gc;
} cut_gc;

static int cmp_cut(const void *a, const void *b) {
    const cut_gc *x = a, *y = b;
    if (x->length != y->length) return x->length < y->length ? -1 : 1;
    return x->gc < y->gc ? -1 : x->gc > y->gc;
}

/* --java-doubles: the formatter's test values (xorshift64, fixed seed). */
static uint64_t rng_x = 88172645463325252ull;
static uint64_t rng(void) {
    rng_x ^= rng_x << 13;
    rng_x ^= rng_x >> 7;
    rng_x ^= rng_x << 17;
    return rng_x;
}

static int java_doubles(long n) {
    for (long i = 0; i < n; i++) {
        uint64_t d = rng() % 100000 + 1, k = rng() % (d + 1), bits;
        double v = 0;
        switch (i % 8) {
        case 0: v = ((double)k / (double)d) * 100; break;
        case 1: v = 100 * ((double)k / (double)d); break;
        case 2: v = (double)k / (double)d; break;
        case 3: v = (double)(rng() % 4000000) / (double)(rng() % 200 + 1); break;
        case 4: v = (double)(rng() % 9223372036854775807ull); break;
        case 5: bits = rng(); memcpy(&v, &bits, 8); if (isnan(v) || fabs(v) >= 9223372036854775808.0 || fabs(v) < 1e-300) v = (double)k; break;
        case 6: v = (double)k / (double)d / 1000 / (double)(1 + rng() % 100000); break;
        default:
            for (int j = (int)(rng() % 20); j >= 0; j--) v += 1.0 / (double)(rng() % 7 + 1);
            v *= (double)(rng() % 1000);
        }
        char text[40];
        fqf__jdouble(text, v);
        memcpy(&bits, &v, 8);
        printf("%016llx\t%s\n", (unsigned long long)bits, text);
    }
    return fflush(stdout) ? 1 : 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && !strcmp(argv[1], "--java-doubles")) return java_doubles(atol(argv[2]));
    int nogroup = 0;
    const char *name = NULL, *out_path = NULL, *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--nogroup")) nogroup = 1;
        else if (!strcmp(argv[i], "--name") && i + 1 < argc) name = argv[++i];
        else if (!strcmp(argv[i], "--fastqc-data") && i + 1 < argc) out_path = argv[++i];
        else if (!path && (argv[i][0] != '-' || !strcmp(argv[i], "-"))) path = argv[i];
        else { path = NULL; out_path = NULL; break; }
    }
    if (!path || !out_path) {
        fprintf(stderr, "usage: fqview_ref [--nogroup] [--name NAME] --fastqc-data OUT FILE\n");
        return 2;
    }
    in_name = path;
    gzFile in = strcmp(path, "-") ? gzopen(path, "rb") : gzdopen(0, "rb");
    if (!in) { perror(path); return 1; }

    uint64_t reads = 0, bases = 0, min_len = 0, max_len = 0, gc_letters = 0, gaps = 0, q20 = 0, q30 = 0;
    uint64_t positions = 0, *pos_qual = NULL, *pos_base = NULL, *pos_other = NULL, any_other = 0;
    uint64_t read_meanq[FQV_QUALS] = {0};
    uint64_t *len_hist = NULL, len_cap = 0; /* [len_cap]: reads by length */
    cut_gc *cuts = NULL;
    size_t n_cuts = 0, cap_cuts = 0;
    char *line[4] = {NULL, NULL, NULL, NULL};
    size_t cap[4] = {0, 0, 0, 0}, len[4];

    while (read_line(in, &line[0], &cap[0], &len[0])) {
        for (int k = 1; k < 4; k++)
            if (!read_line(in, &line[k], &cap[k], &len[k])) die("the input ends inside a record");
        if (line[0][0] != '@') die("a header line must start with '@'");
        if (line[2][0] != '+') die("the third line of a record must start with '+'");
        if (len[3] != len[1]) die("quality and sequence differ in length");
        uint64_t L = len[1];
        const unsigned char *seq = (const unsigned char *)line[1], *qual = (const unsigned char *)line[3];

        if (L > positions) {
            pos_qual = grow(pos_qual, L * FQV_QUALS, sizeof *pos_qual);
            pos_base = grow(pos_base, L * 5, sizeof *pos_base);
            pos_other = grow(pos_other, L, sizeof *pos_other);
            memset(pos_qual + positions * FQV_QUALS, 0, (L - positions) * FQV_QUALS * sizeof *pos_qual);
            memset(pos_base + positions * 5, 0, (L - positions) * 5 * sizeof *pos_base);
            memset(pos_other + positions, 0, (L - positions) * sizeof *pos_other);
            positions = L;
        }
        if (L + 1 > len_cap) {
            len_hist = grow(len_hist, L + 1, sizeof *len_hist);
            memset(len_hist + len_cap, 0, (L + 1 - len_cap) * sizeof *len_hist);
            len_cap = L + 1;
        }
        len_hist[L]++;
        if (reads == 0 || L < min_len) min_len = L;
        if (L > max_len) max_len = L;
        reads++;
        bases += L;

        uint64_t qsum = 0;
        for (uint64_t i = 0; i < L; i++) {
            int c = seq[i];
            if (c < '!' || c > '~') die("a sequence letter outside '!'..'~'");
            if (qual[i] < '!' || qual[i] > '~') die("a quality byte outside '!'..'~'");
            int q = qual[i] - 33;
            pos_qual[i * FQV_QUALS + q]++;
            qsum += (uint64_t)q;
            if (q >= 20) q20++;
            if (q >= 30) q30++;
            if (c == 'G' || c == 'C' || c == 'g' || c == 'c') gc_letters++;
            if (c == '-' || c == '.') gaps++;
            int u = (c >= 'a' && c <= 'z') ? c - 32 : c;
            int col = u == 'A' ? 0 : u == 'C' ? 1 : u == 'G' ? 2 : u == 'T' ? 3 : 4;
            pos_base[i * 5 + col]++;
            if (col == 4 && u != 'N') { pos_other[i]++; any_other = 1; }
        }
        if (L > 0) {
            read_meanq[qsum / L]++;
            uint64_t cut = L > 1000 ? L / 1000 * 1000 : L > 100 ? L / 100 * 100 : L, g = 0;
            for (uint64_t i = 0; i < cut; i++) {
                int u = seq[i] & ~32;
                if (u == 'G' || u == 'C') g++;
            }
            if (n_cuts == cap_cuts) {
                cap_cuts = cap_cuts ? cap_cuts * 2 : 1024;
                cuts = grow(cuts, cap_cuts, sizeof *cuts);
            }
            cuts[n_cuts].length = cut;
            cuts[n_cuts++].gc = g;
        }
    }
    gzclose(in);

    /* the histograms as fqview.h lists them */
    fqv_length *lengths = grow(NULL, positions + 1, sizeof *lengths);
    size_t n_lengths = 0;
    for (uint64_t l = 0; reads && l <= positions; l++)
        if (len_hist[l]) { lengths[n_lengths].length = l; lengths[n_lengths++].count = len_hist[l]; }
    if (n_cuts) qsort(cuts, n_cuts, sizeof *cuts, cmp_cut);
    fqv_gc *gc = grow(NULL, n_cuts + 1, sizeof *gc);
    size_t n_gc = 0;
    for (size_t i = 0; i < n_cuts; i++) {
        if (n_gc && gc[n_gc - 1].length == cuts[i].length && gc[n_gc - 1].gc == cuts[i].gc) gc[n_gc - 1].count++;
        else { gc[n_gc].length = cuts[i].length; gc[n_gc].gc = cuts[i].gc; gc[n_gc++].count = 1; }
    }

    fqv_sample s = {0};
    s.path = path;
    s.reads = reads;
    s.bases = bases;
    s.min_len = min_len;
    s.max_len = max_len;
    s.positions = positions;
    s.pos_qual = pos_qual;
    s.pos_base = pos_base;
    s.pos_other = any_other ? pos_other : NULL;
    s.read_meanq = read_meanq;
    s.lengths = lengths;
    s.n_lengths = n_lengths;
    s.gc = gc;
    s.n_gc = n_gc;
    s.gc_letters = gc_letters;
    s.gaps = gaps;
    s.q20 = q20;
    s.q30 = q30;
    s.type = ""; /* not guessed here */

    fqf_report r;
    if (fqf_compute(&s, nogroup, &r)) die("out of memory");
    if (name) snprintf(r.filename, sizeof r.filename, "%s", name);
    FILE *out = strcmp(out_path, "-") ? fopen(out_path, "w") : stdout;
    if (!out) { perror(out_path); return 1; }
    int bad = fqf_write_data(out, &r);
    if (out != stdout ? fclose(out) != 0 : fflush(out) != 0) bad = 1;
    if (bad) { perror(out_path); return 1; }
    fqf_report_free(&r);
    free(pos_qual); free(pos_base); free(pos_other); free(len_hist); free(cuts); free(lengths); free(gc);
    for (int k = 0; k < 4; k++) free(line[k]);
    return 0;
}
