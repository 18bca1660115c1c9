/* tests/fqhtml_gen.c - writes fqhtml.h's report from FASTQ files, for
   tests/test_html.sh and `make report-png` (until fqstats has --html).

   usage: fqhtml_gen [-o OUT.html] [-e EXPECT] [--seconds S] [--tool NAME]
                     [--path TEXT] [--name TEXT] FILE...
     FILE       plain or gzipped FASTQ, four lines a record (fqgen's output)
     -e EXPECT  writes what the page must hold, by fqhtml.h's counting rules,
                computed from the reports (not from the page): lines
                "ID KIND COUNT", e.g. "s0-base-quality box 38"
     --name T   shows T instead of FILE as the first sample's path (escaping)
     --seconds S, --tool T, --path T: the run table's numbers (default: 0 s,
                "fqhtml_gen", "CPU"); --time: the seconds this program
                took to read and count (then the page is not reproducible)
   The sample counters are filled by a plain sequential reader here; the
   FastQC numbers come from fqf_compute (fqfastqc.h). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "examples/tools/fqhtml.h"

/* ---- reading: one file's fqv_sample ------------------------------------------ */

typedef struct gen_sample {
    fqv_sample s;
    uint64_t *pos_qual, *pos_base, *len_count, meanq[FQV_QUALS];
    uint64_t cap;     /* positions allocated */
    uint64_t len_cap; /* len_count entries allocated */
    fqv_gc *gc;
    size_t n_gc, gc_cap;
    fqv_length *lengths;
} gen_sample;

static void *gen_grow(void *p, size_t old_n, size_t new_n, size_t size)
{
    char *q = realloc(p, new_n * size);
    if (!q) {
        fprintf(stderr, "fqhtml_gen: out of memory\n");
        exit(2);
    }
    memset(q + old_n * size, 0, (new_n - old_n) * size);
    return q;
}

static int gen_cmp_gc(const void *a, const void *b)
{
    const fqv_gc *x = a, *y = b;
    if (x->length != y->length) return x->length < y->length ? -1 : 1;
    return x->gc < y->gc ? -1 : x->gc > y->gc;
}

static void gen_read(const char *path, gen_sample *g)
{
    static char line[4][1 << 20];
    gzFile z = gzopen(path, "rb");
    size_t i, j;
    if (!z) {
        fprintf(stderr, "fqhtml_gen: %s: %s\n", path, strerror(errno));
        exit(2);
    }
    memset(g, 0, sizeof *g);
    g->s.path = path;
    g->s.type = "DNA";
    while (gzgets(z, line[0], sizeof line[0])) {
        uint64_t len, qsum = 0, gc = 0, cut, p;
        for (i = 1; i < 4; i++)
            if (!gzgets(z, line[i], sizeof line[i])) {
                fprintf(stderr, "fqhtml_gen: %s: truncated record\n", path);
                exit(2);
            }
        line[1][strcspn(line[1], "\r\n")] = 0;
        line[3][strcspn(line[3], "\r\n")] = 0;
        len = strlen(line[1]);
        if (strlen(line[3]) != len) {
            fprintf(stderr, "fqhtml_gen: %s: sequence and quality differ in length\n", path);
            exit(2);
        }
        if (len > g->cap) {
            uint64_t n = g->cap ? g->cap : 256;
            while (n < len) n *= 2;
            g->pos_qual = gen_grow(g->pos_qual, g->cap * FQV_QUALS, n * FQV_QUALS, sizeof *g->pos_qual);
            g->pos_base = gen_grow(g->pos_base, g->cap * 5, n * 5, sizeof *g->pos_base);
            g->cap = n;
        }
        if (len >= g->len_cap) {
            uint64_t n = g->len_cap ? g->len_cap : 256;
            while (n <= len) n *= 2;
            g->len_count = gen_grow(g->len_count, g->len_cap, n, sizeof *g->len_count);
            g->len_cap = n;
        }
        g->len_count[len]++;
        if (g->s.reads == 0 || len < g->s.min_len) g->s.min_len = len;
        if (len > g->s.max_len) g->s.max_len = len;
        g->s.reads++;
        g->s.bases += len;
        cut = len <= 100 ? len : len <= 1000 ? len / 100 * 100 : len / 1000 * 1000;
        for (p = 0; p < len; p++) {
            int q = (unsigned char)line[3][p] - 33, b;
            char ch = line[1][p];
            if (q < 0 || q >= FQV_QUALS) q = q < 0 ? 0 : FQV_QUALS - 1;
            g->pos_qual[p * FQV_QUALS + (uint64_t)q]++;
            qsum += (uint64_t)q;
            if (q >= 20) g->s.q20++;
            if (q >= 30) g->s.q30++;
            if (ch >= 'a' && ch <= 'z') ch = (char)(ch - 'a' + 'A');
            b = ch == 'A' ? 0 : ch == 'C' ? 1 : ch == 'G' ? 2 : ch == 'T' ? 3 : 4;
            g->pos_base[p * 5 + (uint64_t)b]++;
            if (b == 1 || b == 2) {
                g->s.gc_letters++;
                if (p < cut) gc++;
            }
        }
        if (len > 0) {
            g->meanq[qsum / len]++;
            if (g->n_gc == g->gc_cap) {
                size_t n = g->gc_cap ? g->gc_cap * 2 : 1024;
                g->gc = gen_grow(g->gc, g->gc_cap, n, sizeof *g->gc);
                g->gc_cap = n;
            }
            g->gc[g->n_gc].length = cut;
            g->gc[g->n_gc].gc = gc;
            g->gc[g->n_gc].count = 1;
            g->n_gc++;
        }
    }
    gzclose(z);
    /* (length, gc) pairs ascending and merged */
    if (g->n_gc) qsort(g->gc, g->n_gc, sizeof *g->gc, gen_cmp_gc);
    for (i = 0, j = 0; i < g->n_gc; i++) {
        if (j > 0 && g->gc[j - 1].length == g->gc[i].length && g->gc[j - 1].gc == g->gc[i].gc) g->gc[j - 1].count++;
        else g->gc[j++] = g->gc[i];
    }
    g->n_gc = j;
    g->lengths = gen_grow(NULL, 0, g->s.reads ? g->s.max_len + 1 : 1, sizeof *g->lengths);
    for (i = 0; g->s.reads && i <= g->s.max_len; i++)
        if (g->len_count[i]) {
            g->lengths[g->s.n_lengths].length = i;
            g->lengths[g->s.n_lengths++].count = g->len_count[i];
        }
    if (!g->s.reads) g->s.type = "";
    g->s.positions = g->s.max_len;
    g->s.pos_qual = g->pos_qual;
    g->s.pos_base = g->pos_base;
    g->s.read_meanq = g->meanq;
    g->s.lengths = g->lengths;
    g->s.gc = g->gc;
    g->s.n_gc = g->n_gc;
}

/* What the page must hold, by the rules in fqhtml.h's top comment. */
static void gen_expect(FILE *f, int k, const fqf_report *r)
{
    size_t i, box = 0, med = 0, wh = 0, mean = 0, pts[5] = {0}, bars = 0;
    const double *base[5] = {r->pct_g, r->pct_a, r->pct_t, r->pct_c, r->pct_n};
    static const char *const base_name[5] = {"base-g", "base-a", "base-t", "base-c", "base-n"};
    int j;
    for (i = 0; i < r->n_groups; i++) {
        box += isfinite(r->q_lower[i]) && isfinite(r->q_upper[i]);
        med += isfinite(r->q_median[i]) != 0;
        wh += isfinite(r->q_p10[i]) && isfinite(r->q_p90[i]);
        mean += isfinite(r->q_mean[i]) != 0;
        for (j = 0; j < 5; j++) pts[j] += isfinite(base[j][i]) != 0;
    }
    fprintf(f, "s%d-base-quality box %zu\ns%d-base-quality median %zu\ns%d-base-quality whisker %zu\n", k, box, k, med,
            k, wh);
    fprintf(f, "s%d-base-quality band %d\ns%d-base-quality mean.points %zu\n", k, r->n_groups ? 3 : 0, k, mean);
    for (j = 0; j < 5; j++)
        fprintf(f, "s%d-%s %s.points %zu\n", k, j < 4 ? "base-content" : "n-content", base_name[j], pts[j]);
    for (i = 0, bars = 0; i < r->n_seq_qual; i++) bars += r->seq_qual_count[i] > 0;
    fprintf(f, "s%d-seq-quality bar %zu\n", k, bars);
    for (i = 0, bars = 0; i <= 100; i++) bars += r->gc_count[i] > 0;
    fprintf(f, "s%d-gc bar %zu\ns%d-gc gc-theory.points %d\n", k, bars, k, bars ? 101 : 0);
    for (i = 0, bars = 0; i < r->n_len_rows; i++) bars += r->len_count[i] > 0;
    fprintf(f, "s%d-length bar %zu\n", k, bars);
    fprintf(f, "s%d modules pass %s %s %s %s %s %s\n", k, fqf_status_name(r->st_base_qual),
            fqf_status_name(r->st_seq_qual), fqf_status_name(r->st_base_content), fqf_status_name(r->st_gc),
            fqf_status_name(r->st_n), fqf_status_name(r->st_len));
}

int main(int argc, char **argv)
{
    const char *out_path = NULL, *expect = NULL, *name = NULL;
    fqv_run run = {"fqhtml_gen", 1, "CPU", 0, 0};
    gen_sample *g;
    const fqv_sample **s;
    const fqf_report **rp;
    fqf_report *r;
    int i, n = 0, a, timed = 0, rc = 0;
    struct timespec t0, t1;
    FILE *out = stdout;
    char **files = calloc((size_t)argc, sizeof *files);
    for (a = 1; a < argc; a++) {
        if (!strcmp(argv[a], "-o") && a + 1 < argc) out_path = argv[++a];
        else if (!strcmp(argv[a], "-e") && a + 1 < argc) expect = argv[++a];
        else if (!strcmp(argv[a], "--seconds") && a + 1 < argc) run.seconds = atof(argv[++a]);
        else if (!strcmp(argv[a], "--time")) timed = 1;
        else if (!strcmp(argv[a], "--tool") && a + 1 < argc) run.tool = argv[++a];
        else if (!strcmp(argv[a], "--path") && a + 1 < argc) run.path = argv[++a];
        else if (!strcmp(argv[a], "--name") && a + 1 < argc) name = argv[++a];
        else if (argv[a][0] == '-' && argv[a][1]) {
            fprintf(stderr, "usage: fqhtml_gen [-o OUT] [-e EXPECT] [--seconds S | --time] [--tool T] [--path T] [--name T] FILE...\n");
            return 2;
        } else files[n++] = argv[a];
    }
    if (n == 0) {
        fprintf(stderr, "fqhtml_gen: no FILE\n");
        return 2;
    }
    g = calloc((size_t)n, sizeof *g);
    r = calloc((size_t)n, sizeof *r);
    s = calloc((size_t)n, sizeof *s);
    rp = calloc((size_t)n, sizeof *rp);
    timespec_get(&t0, TIME_UTC);
    for (i = 0; i < n; i++) {
        FILE *f = fopen(files[i], "rb");
        if (f) {
            fseek(f, 0, SEEK_END);
            run.input_bytes += (uint64_t)ftell(f);
            fclose(f);
        }
        gen_read(files[i], &g[i]);
        if (i == 0 && name) g[i].s.path = name;
        if (fqf_compute(&g[i].s, 0, &r[i]) != 0) {
            fprintf(stderr, "fqhtml_gen: fqf_compute: out of memory\n");
            exit(2);
        }
        s[i] = &g[i].s;
        rp[i] = &r[i];
    }
    timespec_get(&t1, TIME_UTC);
    if (timed) run.seconds = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (out_path && !(out = fopen(out_path, "wb"))) {
        fprintf(stderr, "fqhtml_gen: %s: %s\n", out_path, strerror(errno));
        rc = 2;
    } else {
        if (fqh_write(out, s, rp, n, &run) != 0) {
            fprintf(stderr, "fqhtml_gen: writing the report: %s\n", strerror(errno));
            rc = 1;
        }
        if (out != stdout && fclose(out) != 0 && rc == 0) rc = 1;
    }
    if (rc == 0 && expect) {
        FILE *e = fopen(expect, "w");
        if (e) {
            for (i = 0; i < n; i++) gen_expect(e, i, &r[i]);
            fprintf(e, "summary sample %d\n", n);
        }
        if (!e || fclose(e) != 0) rc = 2;
    }
    for (i = 0; i < n; i++) {
        fqf_report_free(&r[i]);
        free(g[i].pos_qual), free(g[i].pos_base), free(g[i].len_count), free(g[i].gc), free(g[i].lengths);
    }
    free(g), free(r), free(s), free(rp), free(files);
    return rc;
}
