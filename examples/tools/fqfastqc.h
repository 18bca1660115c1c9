/* fqfastqc.h - FastQC's modules computed from exact counters (fqview.h),
   and written as FastQC's fastqc_data.txt.

   fqf_compute() turns one fqv_sample into the numbers FastQC 0.11.9 prints
   for the modules below (with its default position grouping, or one row
   per position for --nogroup), and their pass/warn/fail statuses under
   FastQC's default limits. fqf_write_data() writes them in FastQC's module
   format; the HTML report (fqhtml.h) draws the same numbers.

   Header-only: every function is static (inline), so include this file in
   one translation unit of a program; unused functions cost nothing.

   WHAT MATCHES FASTQC 0.11.9 EXACTLY (text-equal, checked by
   tests/test_fastqc.sh against the installed fastqc on real and generated
   files, --nogroup and default grouping):
   - the "##FastQC\t0.11.9" line, the module header lines with their
     statuses, the column header lines and ">>END_MODULE";
   - Basic Statistics (Filename is the input's base name, "stdin" for "-";
     encoding from the lowest quality byte: < '@' Sanger / Illumina 1.9
     (offset 33), 'A' Illumina 1.3, otherwise Illumina 1.5 (offset 64);
     %GC = integer (G+C)*100/(A+C+G+T); "Sequences flagged as poor
     quality" is always 0, as FastQC without --casava);
   - Per base sequence quality (group values are the means of per-position
     values summed in position order, as FastQC does; percentiles only of
     positions with more than 100 bases, else NaN);
   - Per sequence quality scores, Per base sequence content, Per base N
     content (only 'N' counts as N; IUPAC codes count as not-N and are not
     in G/A/T/C), Sequence Length Distribution (FastQC's 1-2-5 length bins,
     padding bins of count 0 dropped);
   - numbers printed as Java 17's Double.toString prints them: the
     shortest round-trip digits (found with printf/strtod), except that
     integers 2^53 <= |x| < 2^63 keep the digits Java's long path keeps;
     plain notation for 1e-3 <= |x| < 1e7, else "d.dddE-n"; "NaN".
     test_fastqc.sh compares fqf__jdouble() with Java itself on 400000
     values below 2^63 in magnitude (above that, and for subnormals, JDK
     17 sometimes prints a digit more than the shortest, e.g.
     1.9999999999999998E23 for 2e23: no count or percent gets there).
   DELIBERATE DIFFERENCES:
   - Per sequence GC content: FastQC adds each read's fractional
     increments in read order; we add them grouped by (cut length, GC
     count), each group's increment repeated count times. When every read
     has the same cut length, every increment into one bin is the same
     value, so the order does not matter and the numbers are exact; with
     varying lengths they may differ in the last bits (the test compares
     this module's counts with a relative tolerance of 1e-9). Past 2^28
     repeated additions in all, the rest are multiplied (count * increment)
     to bound the time. The normal-curve fit behind the module's status
     uses C's pow/exp where FastQC uses Java's Math.pow: a status could
     differ only for a deviation within rounding of the 15 / 30 limits.
   - Modules not computed (absent from our file): Per tile sequence
     quality, Sequence Duplication Levels, Overrepresented sequences,
     Adapter Content, Kmer Content. No --casava filtering, no colorspace,
     no custom limits/adapters/contaminants files: FastQC's default
     limits.txt is built in.
   - Inputs FastQC refuses (quality bytes below '!', more than one length
     per record between sequence and quality) never reach the counters; an
     input with no quality bytes at all (only empty reads) gets Sanger
     encoding where FastQC stops with an error, and its per-base quality
     and per-sequence quality modules are left out as FastQC leaves them.

   Thread-safety: no state outside the report; one report per thread. */
#ifndef FQFASTQC_H
#define FQFASTQC_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fqview.h"

typedef enum fqf_status { FQF_PASS = 0, FQF_WARN, FQF_FAIL } fqf_status;

/* A row's span: positions or lengths first .. last, 1-based, inclusive. */
typedef struct fqf_span {
    uint64_t first, last;
} fqf_span;

typedef struct fqf_report {
    /* Basic Statistics */
    char filename[512];
    const char *encoding; /* "Sanger / Illumina 1.9", ... */
    int offset;           /* 33 or 64: subtracted from the quality bytes */
    uint64_t total, poor, min_len, max_len;
    int gc_pct;

    /* Per base sequence quality: n_groups rows (positions grouped) */
    size_t n_groups;
    fqf_span *groups;
    double *q_mean, *q_median, *q_lower, *q_upper, *q_p10, *q_p90; /* NaN where FastQC prints NaN */
    fqf_status st_base_qual;
    int has_quality; /* 0: no quality bytes at all; FastQC leaves out both quality modules */

    /* Per sequence quality scores: (quality, reads) rows, ascending */
    size_t n_seq_qual;
    int *seq_qual;
    double *seq_qual_count;
    fqf_status st_seq_qual;

    /* Per base sequence content: percent per group, n_groups rows */
    double *pct_g, *pct_a, *pct_t, *pct_c;
    fqf_status st_base_content;

    /* Per sequence GC content: 0 .. 100 percent */
    double gc_count[101], gc_theory[101];
    double gc_deviation; /* percent of reads off the fitted normal curve: > 15 warn, > 30 fail */
    fqf_status st_gc;

    /* Per base N content: n_groups rows */
    double *pct_n;
    fqf_status st_n;

    /* Sequence Length Distribution: the rows FastQC prints (its padding
       bins of count 0 at either end left out) */
    size_t n_len_rows;
    fqf_span *len_rows;
    double *len_count;
    uint64_t len_interval; /* bin width: 1 prints "first", wider "first-last" (even when first == last) */
    fqf_status st_len;
} fqf_report;

/* 0, or -1 (no memory; *r is then safe to free). nogroup: one row per position. */
static inline int fqf_compute(const fqv_sample *s, int nogroup, fqf_report *r);
static inline void fqf_report_free(fqf_report *r);
/* fastqc_data.txt: 0, or -1 (a write failed; errno says why). */
static inline int fqf_write_data(FILE *out, const fqf_report *r);
static inline const char *fqf_status_name(fqf_status s); /* "pass", "warn", "fail" */

/* ---- >>limits: FastQC 0.11.9's Configuration/limits.txt defaults ---- */

#define FQF__QUAL_LOWER_WARN 10.0  /* quality_base_lower */
#define FQF__QUAL_LOWER_ERROR 5.0
#define FQF__QUAL_MEDIAN_WARN 25.0 /* quality_base_median */
#define FQF__QUAL_MEDIAN_ERROR 20.0
#define FQF__SEQ_QUAL_WARN 27      /* quality_sequence: most frequent mean quality <= */
#define FQF__SEQ_QUAL_ERROR 20
#define FQF__CONTENT_WARN 10.0     /* sequence: |A-T| or |G-C| > */
#define FQF__CONTENT_ERROR 20.0
#define FQF__GC_WARN 15.0          /* gc_sequence: deviation percent > */
#define FQF__GC_ERROR 30.0
#define FQF__N_WARN 5.0            /* n_content: percent > */
#define FQF__N_ERROR 20.0
#define FQF__GC_REPEAT_BUDGET (1ull << 28)
#define FQF__PI 3.141592653589793 /* Java's Math.PI and Math.E */
#define FQF__E 2.718281828459045

/* ---- >>jdouble: Java's Double.toString ---- */

/* Writes v as Java's Double.toString does into out (at least 32 bytes). */
static inline void fqf__jdouble(char *out, double v) {
    if (isnan(v)) { strcpy(out, "NaN"); return; }
    if (isinf(v)) { strcpy(out, v > 0 ? "Infinity" : "-Infinity"); return; }
    if (v == 0) { strcpy(out, signbit(v) ? "-0.0" : "0.0"); return; }
    char tmp[48];
    double a = fabs(v);
    if (a >= 9007199254740992.0 && a < 9223372036854775808.0) {
        /* Integers 2^53 <= |v| < 2^63: Java (before 19) prints the integer's
           digits, less 0, 1 or 2 low ones (rounded half up) by the binary
           exponent, which can be a digit more than the shortest. */
        static const int drop[9] = {0, 0, 0, 0, 1, 1, 1, 2, 2};
        int e2;
        frexp(a, &e2); /* a = m * 2^e2, 0.5 <= m < 1: Java's binary exponent is e2 - 1 */
        uint64_t L = (uint64_t)a, pow10 = 1;
        for (int i = 0; i < drop[e2 - 1 - 54 < 0 ? 0 : e2 - 1 - 54]; i++) pow10 *= 10;
        uint64_t rest = L % pow10;
        L /= pow10;
        if (pow10 > 1 && rest >= pow10 / 2) L++;
        char ld[24];
        int n = snprintf(ld, sizeof ld, "%llu", (unsigned long long)L);
        int exp10 = n - 1 + (pow10 >= 100 ? 2 : pow10 >= 10 ? 1 : 0);
        snprintf(tmp, sizeof tmp, "%s%c.%se%d", v < 0 ? "-" : "", ld[0], ld + 1, exp10); /* as "%.*e" prints */
    } else {
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(tmp, sizeof tmp, "%.*e", prec - 1, v);
            if (strtod(tmp, NULL) == v) break;
        }
    }
    /* tmp: [-]d[.ddd]e[+-]xx */
    char digits[32];
    int nd = 0, exp10;
    const char *p = tmp;
    char *o = out;
    if (*p == '-') { *o++ = '-'; p++; }
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9') digits[nd++] = *p;
    exp10 = atoi(p + 1);
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    if (a >= 1e-3 && a < 1e7) {
        if (exp10 >= 0) {
            for (int i = 0; i <= exp10; i++) *o++ = i < nd ? digits[i] : '0';
            *o++ = '.';
            if (nd > exp10 + 1)
                for (int i = exp10 + 1; i < nd; i++) *o++ = digits[i];
            else
                *o++ = '0';
        } else {
            *o++ = '0';
            *o++ = '.';
            for (int i = 0; i < -exp10 - 1; i++) *o++ = '0';
            for (int i = 0; i < nd; i++) *o++ = digits[i];
        }
        *o = 0;
    } else {
        *o++ = digits[0];
        *o++ = '.';
        if (nd > 1)
            for (int i = 1; i < nd; i++) *o++ = digits[i];
        else
            *o++ = '0';
        sprintf(o, "E%d", exp10);
    }
}

/* ---- >>groups: FastQC's position groups (Graphs/BaseGroup) ---- */

/* The group width FastQC picks for reads up to len (> 75) long: the first
   of 2, 5, 10, 20, 50, ... giving fewer than 75 groups after 9 single
   positions. */
static inline uint64_t fqf__linear_interval(uint64_t len) {
    static const uint64_t base[3] = {2, 5, 10};
    for (uint64_t mult = 1;; mult *= 10)
        for (int b = 0; b < 3; b++) {
            uint64_t iv = base[b] * mult;
            uint64_t groups = 9 + (len - 9) / iv + ((len - 9) % iv != 0);
            if (groups < 75) return iv;
        }
}

/* Fills g (may be NULL: count only) with the groups of positions 1..len;
   returns their number. */
static inline size_t fqf__make_groups(uint64_t len, int nogroup, fqf_span *g) {
    size_t n = 0;
    if (nogroup || len <= 75) {
        for (uint64_t p = 1; p <= len; p++, n++)
            if (g) g[n].first = g[n].last = p;
        return n;
    }
    uint64_t iv = fqf__linear_interval(len);
    uint64_t start = 1;
    while (start <= len) {
        uint64_t end = start + iv - 1;
        if (start < 10) end = start;
        if (start == 10 && iv > 10) end = iv - 1;
        if (end > len) end = len;
        if (g) { g[n].first = start; g[n].last = end; }
        n++;
        if (start < 10) start++;
        else if (start == 10 && iv > 10) start = iv;
        else start += iv;
    }
    return n;
}

/* ---- >>compute ---- */

static inline const char *fqf_status_name(fqf_status s) {
    return s == FQF_FAIL ? "fail" : s == FQF_WARN ? "warn" : "pass";
}

static inline void fqf_report_free(fqf_report *r) {
    free(r->groups);
    free(r->q_mean); free(r->q_median); free(r->q_lower); free(r->q_upper); free(r->q_p10); free(r->q_p90);
    free(r->seq_qual); free(r->seq_qual_count);
    free(r->pct_g); free(r->pct_a); free(r->pct_t); free(r->pct_c); free(r->pct_n);
    free(r->len_rows); free(r->len_count);
    memset(r, 0, sizeof *r);
}

static inline void *fqf__alloc(size_t n, size_t size) {
    return calloc(n ? n : 1, size);
}

/* FastQC's percentile of one position: the first quality whose cumulative
   count reaches count * pct / 100 (integer division). */
static inline double fqf__percentile(const uint64_t *hist, uint64_t count, int offset, int pct) {
    uint64_t want = count * (uint64_t)pct / 100, cum = 0;
    for (int b = offset; b < 33 + FQV_QUALS; b++) {
        if (b >= 33) cum += hist[b - 33];
        if (cum >= want) return (double)(b - offset);
    }
    return -1;
}

/* Java's Math.round for the non-negative values of the GC model. */
static inline long fqf__jround(double x) {
    double f = floor(x);
    return (long)(x - f >= 0.5 ? f + 1 : f);
}

/* Per sequence GC content: FastQC's GCModel for each cut length, the
   fractional increments added per (length, gc) group. */
static inline int fqf__gc(const fqv_sample *s, fqf_report *r) {
    uint64_t budget = FQF__GC_REPEAT_BUDGET;
    uint64_t model_len = 0;
    int claiming[101];
    for (size_t k = 0; k < s->n_gc; k++) {
        const fqv_gc *e = &s->gc[k];
        uint64_t L = e->length;
        if (L == 0) continue;
        if (L != model_len) {
            memset(claiming, 0, sizeof claiming);
            for (uint64_t pos = 0; pos <= L; pos++) {
                double lo = (double)pos - 0.5, hi = (double)pos + 0.5;
                if (lo < 0) lo = 0;
                if (hi > (double)L) hi = (double)L;
                long plo = fqf__jround((lo * 100) / (double)L), phi = fqf__jround((hi * 100) / (double)L);
                for (long p = plo; p <= phi; p++) claiming[p]++;
            }
            model_len = L;
        }
        double lo = (double)e->gc - 0.5, hi = (double)e->gc + 0.5;
        if (lo < 0) lo = 0;
        if (hi > (double)L) hi = (double)L;
        if (lo > (double)L) lo = (double)L;
        long plo = fqf__jround((lo * 100) / (double)L), phi = fqf__jround((hi * 100) / (double)L);
        for (long p = plo; p <= phi; p++) {
            double inc = 1.0 / claiming[p];
            if (e->count <= budget) {
                for (uint64_t c = 0; c < e->count; c++) r->gc_count[p] += inc;
                budget -= e->count;
            } else {
                r->gc_count[p] += (double)e->count * inc;
            }
        }
    }

    /* the normal curve around the (smoothed) mode */
    double total = 0, mode_count = 0;
    int first_mode = 0;
    for (int i = 0; i <= 100; i++) {
        total += r->gc_count[i];
        if (r->gc_count[i] > mode_count) { mode_count = r->gc_count[i]; first_mode = i; }
    }
    const double *d = r->gc_count;
    double mode = 0, limit = d[first_mode] - d[first_mode] / 10;
    int dups = 0, off_top = 1, off_bottom = 1;
    for (int i = first_mode; i <= 100; i++) {
        if (d[i] > limit) { mode += i; dups++; }
        else { off_top = 0; break; }
    }
    for (int i = first_mode - 1; i >= 0; i--) {
        if (d[i] > limit) { mode += i; dups++; }
        else { off_bottom = 0; break; }
    }
    if (off_top || off_bottom) mode = first_mode;
    else mode /= dups;
    double sd = 0;
    for (int i = 0; i <= 100; i++) sd += pow(i - mode, 2) * d[i];
    sd /= total - 1;
    sd = sqrt(sd);
    double dev = 0;
    for (int i = 0; i <= 100; i++) {
        double lhs = 1.0 / sqrt(2 * FQF__PI * sd * sd);
        double rhs = pow(FQF__E, 0 - (pow(i - mode, 2) / (2 * sd * sd)));
        r->gc_theory[i] = lhs * rhs * total;
        dev += fabs(r->gc_theory[i] - d[i]);
    }
    dev /= total;
    dev *= 100;
    r->gc_deviation = dev;
    r->st_gc = dev > FQF__GC_ERROR ? FQF_FAIL : dev > FQF__GC_WARN ? FQF_WARN : FQF_PASS;
    return 0;
}

/* FastQC's length bins: start and width for lengths lo..hi (padded). */
static inline void fqf__length_bins(int64_t lo, int64_t hi, int nogroup, int64_t *start, int64_t *width) {
    if (nogroup) { *start = lo; *width = 1; return; }
    static const int64_t div[3] = {1, 2, 5};
    int64_t base = 1, iv = 0;
    while (base > hi - lo) base /= 10;
    for (; !iv; base *= 10)
        for (int k = 0; k < 3 && !iv; k++)
            if ((hi - lo) / (base * div[k]) <= 50) iv = base * div[k];
    *start = (lo / iv) * iv;
    *width = iv;
}

static inline int fqf__lengths(const fqv_sample *s, int nogroup, fqf_report *r) {
    int64_t lo = 0, hi = 0;
    if (s->n_lengths) {
        lo = (int64_t)s->lengths[0].length;
        hi = (int64_t)s->lengths[s->n_lengths - 1].length;
    }
    if (lo > 0) lo--;
    hi++;
    int64_t start, iv;
    fqf__length_bins(lo, hi, nogroup, &start, &iv);
    size_t bins = 0;
    for (int64_t v = start; v <= hi; v += iv) bins++;
    r->len_rows = fqf__alloc(bins, sizeof *r->len_rows);
    r->len_count = fqf__alloc(bins, sizeof *r->len_count);
    if (!r->len_rows || !r->len_count) return -1;
    r->len_interval = (uint64_t)iv;
    size_t k = 0, n = 0;
    for (size_t i = 0; i < bins; i++) {
        int64_t a = start + iv * (int64_t)i, b = start + iv * (int64_t)(i + 1) - 1;
        if (b > hi) b = hi;
        double c = 0;
        while (k < s->n_lengths && (int64_t)s->lengths[k].length < a) k++;
        for (size_t j = k; j < s->n_lengths && (int64_t)s->lengths[j].length <= b; j++)
            c += (double)s->lengths[j].count;
        if ((i == 0 || i == bins - 1) && c == 0) continue;
        r->len_rows[n].first = (uint64_t)a;
        r->len_rows[n].last = (uint64_t)b;
        r->len_count[n++] = c;
    }
    r->n_len_rows = n;
    int empty = s->n_lengths && s->lengths[0].length == 0;
    r->st_len = empty ? FQF_FAIL : s->n_lengths > 1 ? FQF_WARN : FQF_PASS;
    return 0;
}

static inline int fqf_compute(const fqv_sample *s, int nogroup, fqf_report *r) {
    memset(r, 0, sizeof *r);

    /* Basic Statistics */
    const char *path = s->path && strcmp(s->path, "-") ? s->path : "stdin";
    const char *slash = strrchr(path, '/');
    snprintf(r->filename, sizeof r->filename, "%s", slash ? slash + 1 : path);
    uint64_t P = s->positions;
    int lowest = -1; /* q of the lowest quality byte */
    for (uint64_t p = 0; p < P; p++)
        for (int q = 0; q < FQV_QUALS && (lowest < 0 || q < lowest); q++)
            if (s->pos_qual[p * FQV_QUALS + q]) { lowest = q; break; }
    r->has_quality = lowest >= 0;
    int low_byte = lowest < 0 ? 33 : lowest + 33;
    if (low_byte < 64) { r->encoding = "Sanger / Illumina 1.9"; r->offset = 33; }
    else if (low_byte == 65) { r->encoding = "Illumina 1.3"; r->offset = 64; }
    else { r->encoding = "Illumina 1.5"; r->offset = 64; }
    r->total = s->reads;
    r->poor = 0;
    if (s->n_lengths) {
        r->min_len = s->lengths[0].length;
        r->max_len = s->lengths[s->n_lengths - 1].length;
    }
    uint64_t acgt = 0, gc = 0;
    for (uint64_t p = 0; p < P; p++) {
        const uint64_t *b = s->pos_base + p * 5;
        acgt += b[0] + b[1] + b[2] + b[3];
        gc += b[1] + b[2];
    }
    r->gc_pct = acgt ? (int)(gc * 100 / acgt) : 0;

    /* groups, shared by the per-base modules */
    r->n_groups = fqf__make_groups(P, nogroup, NULL);
    size_t G = r->n_groups;
    r->groups = fqf__alloc(G, sizeof *r->groups);
    double **cols[] = {&r->q_mean, &r->q_median, &r->q_lower, &r->q_upper, &r->q_p10, &r->q_p90,
                       &r->pct_g, &r->pct_a, &r->pct_t, &r->pct_c, &r->pct_n};
    int ok = r->groups != NULL;
    for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++) ok &= (*cols[c] = fqf__alloc(G, sizeof(double))) != NULL;
    if (!ok) { fqf_report_free(r); return -1; }
    fqf__make_groups(P, nogroup, r->groups);

    /* Per base sequence quality: per-position values averaged per group */
    static const int pcts[5] = {50, 25, 75, 10, 90};
    double *qcols[5] = {r->q_median, r->q_lower, r->q_upper, r->q_p10, r->q_p90};
    r->st_base_qual = FQF_PASS;
    for (size_t g = 0; g < G; g++) {
        double mean_sum = 0, pct_sum[5] = {0, 0, 0, 0, 0};
        int n_mean = 0, n_pct = 0;
        for (uint64_t p = r->groups[g].first - 1; p < r->groups[g].last; p++) {
            const uint64_t *h = s->pos_qual + p * FQV_QUALS;
            uint64_t count = 0, sum = 0;
            for (int q = 0; q < FQV_QUALS; q++) {
                count += h[q];
                if (q + 33 >= r->offset) sum += h[q] * (uint64_t)(q + 33 - r->offset);
            }
            if (count > 0) { mean_sum += (double)sum / (double)count; n_mean++; }
            if (count > 100) {
                for (int k = 0; k < 5; k++) pct_sum[k] += fqf__percentile(h, count, r->offset, pcts[k]);
                n_pct++;
            }
        }
        r->q_mean[g] = n_mean ? mean_sum / n_mean : 0;
        for (int k = 0; k < 5; k++) qcols[k][g] = n_pct ? pct_sum[k] / n_pct : NAN;
        if (!isnan(r->q_lower[g])) {
            if (r->q_lower[g] < FQF__QUAL_LOWER_ERROR || r->q_median[g] < FQF__QUAL_MEDIAN_ERROR)
                r->st_base_qual = FQF_FAIL;
            else if ((r->q_lower[g] < FQF__QUAL_LOWER_WARN || r->q_median[g] < FQF__QUAL_MEDIAN_WARN) &&
                     r->st_base_qual == FQF_PASS)
                r->st_base_qual = FQF_WARN;
        }
    }

    /* Per sequence quality scores */
    int qmin = -1, qmax = -1;
    for (int q = 0; q < FQV_QUALS; q++)
        if (s->read_meanq && s->read_meanq[q]) { if (qmin < 0) qmin = q; qmax = q; }
    if (qmin >= 0) {
        r->n_seq_qual = (size_t)(qmax - qmin + 1);
        r->seq_qual = fqf__alloc(r->n_seq_qual, sizeof *r->seq_qual);
        r->seq_qual_count = fqf__alloc(r->n_seq_qual, sizeof *r->seq_qual_count);
        if (!r->seq_qual || !r->seq_qual_count) { fqf_report_free(r); return -1; }
        double best = 0;
        int mode = 0;
        for (size_t i = 0; i < r->n_seq_qual; i++) {
            r->seq_qual[i] = qmin + (int)i + 33 - r->offset;
            r->seq_qual_count[i] = (double)s->read_meanq[qmin + i];
            if (r->seq_qual_count[i] > best) { best = r->seq_qual_count[i]; mode = r->seq_qual[i]; }
        }
        r->st_seq_qual = mode <= FQF__SEQ_QUAL_ERROR ? FQF_FAIL : mode <= FQF__SEQ_QUAL_WARN ? FQF_WARN : FQF_PASS;
    }

    /* Per base sequence content and N content */
    r->st_base_content = r->st_n = FQF_PASS;
    for (size_t g = 0; g < G; g++) {
        uint64_t cnt[5] = {0, 0, 0, 0, 0}, n = 0, all = 0;
        for (uint64_t p = r->groups[g].first - 1; p < r->groups[g].last; p++) {
            const uint64_t *b = s->pos_base + p * 5;
            for (int k = 0; k < 5; k++) cnt[k] += b[k];
            n += b[4] - (s->pos_other ? s->pos_other[p] : 0);
            all += b[0] + b[1] + b[2] + b[3] + b[4];
        }
        double t = (double)(cnt[0] + cnt[1] + cnt[2] + cnt[3]);
        r->pct_a[g] = ((double)cnt[0] / t) * 100;
        r->pct_c[g] = ((double)cnt[1] / t) * 100;
        r->pct_g[g] = ((double)cnt[2] / t) * 100;
        r->pct_t[g] = ((double)cnt[3] / t) * 100;
        double gcd = fabs(r->pct_c[g] - r->pct_g[g]), atd = fabs(r->pct_t[g] - r->pct_a[g]);
        if (gcd > FQF__CONTENT_ERROR || atd > FQF__CONTENT_ERROR) r->st_base_content = FQF_FAIL;
        else if ((gcd > FQF__CONTENT_WARN || atd > FQF__CONTENT_WARN) && r->st_base_content == FQF_PASS)
            r->st_base_content = FQF_WARN;
        r->pct_n[g] = 100 * ((double)n / (double)all);
        if (r->pct_n[g] > FQF__N_ERROR) r->st_n = FQF_FAIL;
        else if (r->pct_n[g] > FQF__N_WARN && r->st_n == FQF_PASS) r->st_n = FQF_WARN;
    }

    if (fqf__gc(s, r) || fqf__lengths(s, nogroup, r)) { fqf_report_free(r); return -1; }
    return 0;
}

/* ---- >>write: fastqc_data.txt ---- */

static inline void fqf__span(FILE *out, fqf_span sp) {
    if (sp.first == sp.last) fprintf(out, "%llu", (unsigned long long)sp.first);
    else fprintf(out, "%llu-%llu", (unsigned long long)sp.first, (unsigned long long)sp.last);
}

static inline void fqf__put(FILE *out, double v, const char *sep) {
    char b[40];
    fqf__jdouble(b, v);
    fputs(b, out);
    fputs(sep, out);
}

static inline int fqf_write_data(FILE *out, const fqf_report *r) {
    fprintf(out, "##FastQC\t0.11.9\n");
    fprintf(out, ">>Basic Statistics\tpass\n#Measure\tValue\n");
    fprintf(out, "Filename\t%s\nFile type\tConventional base calls\nEncoding\t%s\n", r->filename, r->encoding);
    fprintf(out, "Total Sequences\t%llu\nSequences flagged as poor quality\t%llu\n", (unsigned long long)r->total,
            (unsigned long long)r->poor);
    if (r->min_len == r->max_len) fprintf(out, "Sequence length\t%llu\n", (unsigned long long)r->min_len);
    else fprintf(out, "Sequence length\t%llu-%llu\n", (unsigned long long)r->min_len, (unsigned long long)r->max_len);
    fprintf(out, "%%GC\t%d\n>>END_MODULE\n", r->gc_pct);

    if (r->has_quality) {
        fprintf(out, ">>Per base sequence quality\t%s\n", fqf_status_name(r->st_base_qual));
        fprintf(out, "#Base\tMean\tMedian\tLower Quartile\tUpper Quartile\t10th Percentile\t90th Percentile\n");
        for (size_t g = 0; g < r->n_groups; g++) {
            fqf__span(out, r->groups[g]);
            fputc('\t', out);
            fqf__put(out, r->q_mean[g], "\t");
            fqf__put(out, r->q_median[g], "\t");
            fqf__put(out, r->q_lower[g], "\t");
            fqf__put(out, r->q_upper[g], "\t");
            fqf__put(out, r->q_p10[g], "\t");
            fqf__put(out, r->q_p90[g], "\n");
        }
        fprintf(out, ">>END_MODULE\n");
    }
    if (r->n_seq_qual) {
        fprintf(out, ">>Per sequence quality scores\t%s\n#Quality\tCount\n", fqf_status_name(r->st_seq_qual));
        for (size_t i = 0; i < r->n_seq_qual; i++) {
            fprintf(out, "%d\t", r->seq_qual[i]);
            fqf__put(out, r->seq_qual_count[i], "\n");
        }
        fprintf(out, ">>END_MODULE\n");
    }
    fprintf(out, ">>Per base sequence content\t%s\n#Base\tG\tA\tT\tC\n", fqf_status_name(r->st_base_content));
    for (size_t g = 0; g < r->n_groups; g++) {
        fqf__span(out, r->groups[g]);
        fputc('\t', out);
        fqf__put(out, r->pct_g[g], "\t");
        fqf__put(out, r->pct_a[g], "\t");
        fqf__put(out, r->pct_t[g], "\t");
        fqf__put(out, r->pct_c[g], "\n");
    }
    fprintf(out, ">>END_MODULE\n");
    fprintf(out, ">>Per sequence GC content\t%s\n#GC Content\tCount\n", fqf_status_name(r->st_gc));
    for (int i = 0; i <= 100; i++) {
        fprintf(out, "%d\t", i);
        fqf__put(out, r->gc_count[i], "\n");
    }
    fprintf(out, ">>END_MODULE\n");
    fprintf(out, ">>Per base N content\t%s\n#Base\tN-Count\n", fqf_status_name(r->st_n));
    for (size_t g = 0; g < r->n_groups; g++) {
        fqf__span(out, r->groups[g]);
        fputc('\t', out);
        fqf__put(out, r->pct_n[g], "\n");
    }
    fprintf(out, ">>END_MODULE\n");
    fprintf(out, ">>Sequence Length Distribution\t%s\n#Length\tCount\n", fqf_status_name(r->st_len));
    for (size_t i = 0; i < r->n_len_rows; i++) {
        if (r->len_interval == 1) fprintf(out, "%llu\t", (unsigned long long)r->len_rows[i].first);
        else fprintf(out, "%llu-%llu\t", (unsigned long long)r->len_rows[i].first,
                     (unsigned long long)r->len_rows[i].last);
        fqf__put(out, r->len_count[i], "\n");
    }
    fprintf(out, ">>END_MODULE\n");
    return ferror(out) ? -1 : 0;
}

#endif
