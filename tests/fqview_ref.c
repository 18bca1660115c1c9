/* tests/fqview_ref.c - the reference fqv_sample: each input's QC counters
   (examples/tools/fqview.h) filled by a plain sequential reader, with no
   fastqpar involved, then written as FastQC's fastqc_data.txt
   (examples/tools/fqfastqc.h) and as the HTML report (examples/tools/
   fqhtml.h). Tests compare the first with FastQC itself and with fqstats
   --fastqc-data (test_fastqc.sh), the second with the counts the page must
   hold and with fqstats --html (test_html.sh).

   usage: fqview_ref [--nogroup] [--name NAME] [--fastqc-data OUT]
                     [--html OUT [-e EXPECT] [--seconds S] [--tool T] [--path T]]
                     FILE...
     FILE             plain or gzip FASTQ ("-": stdin), strictly 4 lines a
                      record (header '@', sequence, '+' line, quality of the
                      sequence's length); "\r\n" accepted. Several: one page
                      of them all (two: R1 and R2 side by side)
     --fastqc-data OUT  where fastqc_data.txt goes ("-": stdout); one FILE
     --html OUT       where the HTML page goes ("-": stdout)
     -e EXPECT        with --html: what the page must hold, by fqhtml.h's
                      counting rules, computed from the reports (not from
                      the page): lines "ID KIND COUNT", e.g.
                      "s0-base-quality box 38", then "summary sample N"
     --seconds S, --tool T, --path T: the run table's numbers (default: 0 s,
                      "fqview_ref", "CPU"; threads 1); the table has
                      fqstats's shape, the tool also names the footer
     --nogroup        one row per position, as fastqc --nogroup
     --name NAME      the first FILE's path as the outputs show it (the
                      Filename row is its base name; default: FILE)
   The type column is guessed as fqstats guesses it (seqkit's rule: the
   first record's first 10000 letters all DNA, else RNA, else protein
   letters; else, or an empty first record, "Unlimit").

   usage: fqview_ref --java-doubles N
     N test doubles of the kinds fastqc_data.txt holds (ratios, percents,
     means, counts, tiny values, random bit patterns), one a line as
     "BITS<TAB>TEXT": BITS the 16 hex digits of the IEEE double, TEXT what
     fqfastqc.h prints for it; test_fastqc.sh has Java print the same.

   Anything else in the input: a message on stderr and exit status 1; a
   usage error: status 2. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "examples/tools/fqfastqc.h"
#include "examples/tools/fqhtml.h"

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

/* One input's counters and the arrays its fqv_sample points into. */
typedef struct ref_sample {
    fqv_sample s;
    uint64_t *pos_qual, *pos_base, *pos_other, *len_hist, read_meanq[FQV_QUALS];
    fqv_length *lengths;
    fqv_gc *gc;
    cut_gc *cuts;
} ref_sample;

/* seqkit's type guess from the first record (fqstats's rule). */
static int all_in(const char *letters, const char *seq, size_t len) {
    for (size_t i = 0; i < len; i++)
        if (!strchr(letters, seq[i])) return 0;
    return 1;
}

static const char *guess_type(const char *seq, size_t len) {
    if (len == 0) return "Unlimit";
    if (len > 10000) len = 10000;
    if (all_in("ACGTRYSWKMBDHVNacgtryswkmbdhvn-. ", seq, len)) return "DNA";
    if (all_in("ACGURYSWKMBDHVNacguryswkmbdhvn-. ", seq, len)) return "RNA";
    if (all_in("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz*_-. ", seq, len)) return "Protein";
    return "Unlimit";
}

/* Reads PATH whole into *g (zeroed here); any error ends the program. */
static void read_sample(const char *path, ref_sample *g) {
    in_name = path;
    line_no = 0;
    gzFile in = strcmp(path, "-") ? gzopen(path, "rb") : gzdopen(0, "rb");
    if (!in) { perror(path); exit(1); }

    memset(g, 0, sizeof *g);
    uint64_t reads = 0, bases = 0, min_len = 0, max_len = 0, gc_letters = 0, gaps = 0, q20 = 0, q30 = 0;
    uint64_t positions = 0, *pos_qual = NULL, *pos_base = NULL, *pos_other = NULL, any_other = 0;
    uint64_t *read_meanq = g->read_meanq;
    uint64_t *len_hist = NULL, len_cap = 0; /* [len_cap]: reads by length */
    cut_gc *cuts = NULL;
    size_t n_cuts = 0, cap_cuts = 0;
    char *line[4] = {NULL, NULL, NULL, NULL};
    size_t cap[4] = {0, 0, 0, 0}, len[4];
    const char *type = "";

    while (read_line(in, &line[0], &cap[0], &len[0])) {
        for (int k = 1; k < 4; k++)
            if (!read_line(in, &line[k], &cap[k], &len[k])) die("the input ends inside a record");
        if (line[0][0] != '@') die("a header line must start with '@'");
        if (line[2][0] != '+') die("the third line of a record must start with '+'");
        if (len[3] != len[1]) die("quality and sequence differ in length");
        uint64_t L = len[1];
        const unsigned char *seq = (const unsigned char *)line[1], *qual = (const unsigned char *)line[3];
        if (reads == 0) type = guess_type(line[1], len[1]);

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
    for (int k = 0; k < 4; k++) free(line[k]);

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

    fqv_sample s;
    memset(&s, 0, sizeof s);
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
    s.type = type;

    g->s = s;
    g->pos_qual = pos_qual;
    g->pos_base = pos_base;
    g->pos_other = pos_other;
    g->len_hist = len_hist;
    g->lengths = lengths;
    g->gc = gc;
    g->cuts = cuts;
}

static void free_sample(ref_sample *g) {
    free(g->pos_qual); free(g->pos_base); free(g->pos_other); free(g->len_hist);
    free(g->lengths); free(g->gc); free(g->cuts);
}

/* -e: what the page must hold for sample K, by the rules in fqhtml.h's top
   comment, from its report. */
static void write_expect(FILE *f, int k, const fqf_report *r) {
    size_t box = 0, med = 0, wh = 0, mean = 0, pts[5] = {0}, bars = 0;
    const double *base[5] = {r->pct_g, r->pct_a, r->pct_t, r->pct_c, r->pct_n};
    static const char *const base_name[5] = {"base-g", "base-a", "base-t", "base-c", "base-n"};
    for (size_t i = 0; i < r->n_groups; i++) {
        box += isfinite(r->q_lower[i]) && isfinite(r->q_upper[i]);
        med += isfinite(r->q_median[i]) != 0;
        wh += isfinite(r->q_p10[i]) && isfinite(r->q_p90[i]);
        mean += isfinite(r->q_mean[i]) != 0;
        for (int j = 0; j < 5; j++) pts[j] += isfinite(base[j][i]) != 0;
    }
    fprintf(f, "s%d-base-quality box %zu\ns%d-base-quality median %zu\ns%d-base-quality whisker %zu\n", k, box, k, med,
            k, wh);
    fprintf(f, "s%d-base-quality band %d\ns%d-base-quality mean.points %zu\n", k, r->n_groups ? 3 : 0, k, mean);
    for (int j = 0; j < 5; j++)
        fprintf(f, "s%d-%s %s.points %zu\n", k, j < 4 ? "base-content" : "n-content", base_name[j], pts[j]);
    bars = 0;
    for (size_t i = 0; i < r->n_seq_qual; i++) bars += r->seq_qual_count[i] > 0;
    fprintf(f, "s%d-seq-quality bar %zu\n", k, bars);
    bars = 0;
    for (size_t i = 0; i <= 100; i++) bars += r->gc_count[i] > 0;
    fprintf(f, "s%d-gc bar %zu\ns%d-gc gc-theory.points %d\n", k, bars, k, bars ? 101 : 0);
    bars = 0;
    for (size_t i = 0; i < r->n_len_rows; i++) bars += r->len_count[i] > 0;
    fprintf(f, "s%d-length bar %zu\n", k, bars);
    fprintf(f, "s%d modules pass %s %s %s %s %s %s\n", k, fqf_status_name(r->st_base_qual),
            fqf_status_name(r->st_seq_qual), fqf_status_name(r->st_base_content), fqf_status_name(r->st_gc),
            fqf_status_name(r->st_n), fqf_status_name(r->st_len));
}

/* Opens OUT ("-": stdout), has WRITE write to it, closes it: 0, or 1 after
   printing. */
static int write_file(const char *out_path, int (*write)(FILE *, void *), void *arg) {
    FILE *out = strcmp(out_path, "-") ? fopen(out_path, "w") : stdout;
    if (!out) { perror(out_path); return 1; }
    int bad = write(out, arg) != 0;
    if (out != stdout ? fclose(out) != 0 : fflush(out) != 0) bad = 1;
    if (bad) perror(out_path);
    return bad;
}

typedef struct page {
    const fqv_sample **s;
    const fqf_report **r;
    int n;
    const fqv_run *run;
} page;

static int write_fastqc(FILE *f, void *arg) { return fqf_write_data(f, (const fqf_report *)arg); }
static int write_html(FILE *f, void *arg) {
    const page *p = arg;
    return fqh_write(f, p->s, p->r, p->n, p->run);
}
static int write_expects(FILE *f, void *arg) {
    const page *p = arg;
    for (int i = 0; i < p->n; i++) write_expect(f, i, p->r[i]);
    fprintf(f, "summary sample %d\n", p->n);
    return ferror(f) != 0;
}

static int usage(void) {
    fprintf(stderr, "usage: fqview_ref [--nogroup] [--name NAME] [--fastqc-data OUT] [--html OUT [-e EXPECT] "
                    "[--seconds S] [--tool T] [--path T]] FILE...\n"
                    "       fqview_ref --java-doubles N\n");
    return 2;
}

int main(int argc, char **argv) {
    if (argc == 3 && !strcmp(argv[1], "--java-doubles")) return java_doubles(atol(argv[2]));
    int nogroup = 0, n = 0, rc = 0;
    const char *name = NULL, *fastqc_path = NULL, *html_path = NULL, *expect_path = NULL;
    fqv_run run = {"fqview_ref", 1, "CPU", 0, 0};
    const char **files = grow(NULL, (size_t)argc, sizeof *files);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "--nogroup")) nogroup = 1;
        else if (!strcmp(a, "--name") && more) name = argv[++i];
        else if (!strcmp(a, "--fastqc-data") && more) fastqc_path = argv[++i];
        else if (!strcmp(a, "--html") && more) html_path = argv[++i];
        else if (!strcmp(a, "-e") && more) expect_path = argv[++i];
        else if (!strcmp(a, "--seconds") && more) run.seconds = atof(argv[++i]);
        else if (!strcmp(a, "--tool") && more) run.tool = argv[++i];
        else if (!strcmp(a, "--path") && more) run.path = argv[++i];
        else if (a[0] != '-' || !strcmp(a, "-")) files[n++] = a;
        else return usage();
    }
    if (n == 0 || (!fastqc_path && !html_path) || (fastqc_path && n != 1) || (expect_path && !html_path))
        return usage();

    ref_sample *g = grow(NULL, (size_t)n, sizeof *g);
    fqf_report *r = grow(NULL, (size_t)n, sizeof *r);
    const fqv_sample **sp = grow(NULL, (size_t)n, sizeof *sp);
    const fqf_report **rp = grow(NULL, (size_t)n, sizeof *rp);
    for (int i = 0; i < n; i++) {
        FILE *f = strcmp(files[i], "-") ? fopen(files[i], "rb") : NULL; /* the run table's input bytes */
        if (f) {
            long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
            if (size > 0) run.input_bytes += (uint64_t)size;
            fclose(f);
        }
        read_sample(files[i], &g[i]);
        if (i == 0 && name) g[i].s.path = name;
        if (fqf_compute(&g[i].s, nogroup, &r[i])) die("out of memory");
        sp[i] = &g[i].s;
        rp[i] = &r[i];
    }
    page p = {sp, rp, n, &run};
    if (fastqc_path) rc |= write_file(fastqc_path, write_fastqc, &r[0]);
    if (html_path) rc |= write_file(html_path, write_html, &p);
    if (expect_path && !rc) rc |= write_file(expect_path, write_expects, &p);
    for (int i = 0; i < n; i++) {
        fqf_report_free(&r[i]);
        free_sample(&g[i]);
    }
    free(g); free(r); free(sp); free(rp); free(files);
    return rc;
}
