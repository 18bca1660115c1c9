/* fqhtml.h - a self-contained HTML QC report of one or more inputs, with its
   charts drawn as inline SVG by this code; part of the tools, not the library.

   fqh_write(out, samples, reports, n, run) writes one HTML file: CSS inline,
   every chart an <svg> element, no script, no font, no image, no network.
   It draws the numbers of fqf_report (fqfastqc.h: FastQC's modules, so the
   charts show what FastQC would print in fastqc_data.txt) and the totals of
   fqv_sample (fqview.h: the seqkit-style summary). The same arguments give
   the same bytes: nothing in the page depends on the clock or the locale's
   settings beyond the C locale's number format (the tools never call
   setlocale).

   Usage (one input; for paired R1/R2 pass both, n == 2):
       fqf_report rep;
       fqf_compute(&sample, 0, &rep);
       const fqv_sample *s[1] = {&sample};
       const fqf_report *r[1] = {&rep};
       fqv_run run = {"fqstats 0.x", 4, "CPU", 1.25, 123456789};
       if (fqh_write(f, s, r, 1, &run) != 0) ... (errno says why)

   Layout: a run table (tool, threads, CPU/GPU path, seconds, MB/s, reads/s;
   left out when run is NULL), the seqkit-style summary table (one row per
   sample), then per sample FastQC's module statuses and six charts. With
   n == 2 (paired) each chart row holds R1 and R2 side by side; otherwise
   each sample has its own section, its charts in a grid.

   The page is well-formed XML as well as HTML (every element closed, only
   the XML entities), so a test can parse it whole with an XML parser.

   Classes a test can count (each chart is one <svg class="chart chart-NAME"
   id="sK-NAME">, K = the sample's index, 0-based):
     chart-base-quality  Per base sequence quality (box plot over the groups)
         rect.band.band-good / .band-ok / .band-bad   one each: quality >= 28,
                                         20 .. 28, < 20 (FastQC's background)
         rect.box        one per group whose lower and upper quartile are
                         numbers (not NaN): 25th .. 75th percentile
         line.median     one per group whose median is a number
         path.whisker    one per group whose 10th and 90th percentiles are
                         numbers: 10th .. 90th percentile with caps
         polyline.series.mean   one; a point per group whose mean is a number
     chart-base-content  Per base sequence content
         polyline.series.base-g, .base-a, .base-t, .base-c   one each; a point
                         per group whose percentage is a number
     chart-n-content     Per base N content
         polyline.series.base-n   one; a point per group (as above)
     chart-seq-quality   Per sequence quality scores
         rect.bar        one per seq_qual row with count > 0
     chart-gc            Per sequence GC content
         rect.bar        one per percentage 0 .. 100 with gc_count > 0
         polyline.series.gc-theory   one, 101 points (gc_theory[0 .. 100])
     chart-length        Sequence Length Distribution
         rect.bar        one per len_rows row with count > 0
   Every chart also has text.title, g.axis.x and g.axis.y (line.tick and
   text.tick-label inside), text.axis-title, and, where it has more than one
   kind of mark, g.legend with one g.legend-item per kind (its swatch of
   class "swatch swatch-KIND", never KIND itself, so it is not counted as
   a mark). A chart with
   nothing to draw (no reads) holds text.no-data instead of marks.
   Elsewhere: table.run (one), table.summary with one tr.sample per sample,
   and per sample ul.modules with seven li.module, each also of class pass,
   warn or fail (Basic Statistics first: always pass, as in FastQC).

   Does not: read reads (only the counters), draw FastQC's count-free
   modules (overrepresented sequences, adapters, duplication, k-mers), load
   anything at view time, or print a date (pass one in run->tool if wanted).

   Sections (search for the tag): >>text escaping and numbers, >>frame one
   chart's coordinates, axes and legend, >>charts the six charts, >>page the
   tables, the module statuses and the document.

   Errors: fqh_write returns 0, or -1 with errno set (EINVAL: no sample or a
   NULL pointer; a write error: errno as the stream left it, EIO when the
   stream does not say). Thread safety: none needed; it only reads its
   arguments. */
#ifndef FQHTML_H
#define FQHTML_H

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fqfastqc.h"
#include "fqview.h"

static inline int fqh_write(FILE *out, const fqv_sample *const *samples, const fqf_report *const *reports, int n,
                            const fqv_run *run);

/* ---- >>text: escaping and numbers ---------------------------------------- */

/* s as HTML/XML text or attribute value: & < > " ' escaped, control bytes
   other than tab and newline dropped (XML cannot hold them). */
static inline void fqh__esc(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        switch (ch) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default:
            if (ch >= 0x20 || ch == '\t' || ch == '\n') fputc(ch, f);
        }
    }
}

/* v with thousands separators: 1234567 -> "1,234,567". */
static inline void fqh__count(FILE *f, uint64_t v)
{
    char digits[24];
    int len = snprintf(digits, sizeof digits, "%" PRIu64, v), i;
    for (i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0) fputc(',', f);
        fputc(digits[i], f);
    }
}

/* Rounded half up to `decimals`, as fqstats and seqkit print percentages. */
static inline double fqh__round(double v, int decimals)
{
    double scale = pow(10.0, decimals);
    return trunc((v + 0.5 / scale) * scale) / scale;
}

static inline double fqh__percent(uint64_t part, uint64_t whole)
{
    return whole ? fqh__round((double)part / (double)whole * 100, 2) : 0.0;
}

/* An axis label: 1500 -> "1.5k", 250000 -> "250k", 1500000 -> "1.5M", 12.5 -> "12.5". */
static inline void fqh__label(char *buf, size_t size, double v)
{
    double a = fabs(v);
    if (a >= 1e9) snprintf(buf, size, "%gG", v / 1e9);
    else if (a >= 1e6) snprintf(buf, size, "%gM", v / 1e6);
    else if (a >= 1e3) snprintf(buf, size, "%gk", v / 1e3);
    else snprintf(buf, size, "%g", v);
}

static inline void fqh__span(char *buf, size_t size, fqf_span s)
{
    if (s.first == s.last) snprintf(buf, size, "%" PRIu64, s.first);
    else snprintf(buf, size, "%" PRIu64 "-%" PRIu64, s.first, s.last);
}

/* ---- >>frame: one chart's coordinates, axes, legend ---------------------- */

enum { FQH__W = 600, FQH__H = 300, FQH__LEFT = 58, FQH__RIGHT = 16, FQH__TOP = 40, FQH__BOTTOM = 46 };

typedef struct fqh__plot {
    FILE *f;
    double x0, x1, y0, y1; /* data ranges; categorical x: 0 .. number of categories */
} fqh__plot;

static inline double fqh__px(const fqh__plot *p, double x)
{
    double w = FQH__W - FQH__LEFT - FQH__RIGHT;
    return FQH__LEFT + (p->x1 > p->x0 ? (x - p->x0) / (p->x1 - p->x0) : 0.5) * w;
}

static inline double fqh__py(const fqh__plot *p, double y)
{
    double h = FQH__H - FQH__TOP - FQH__BOTTOM;
    return FQH__TOP + h - (p->y1 > p->y0 ? (y - p->y0) / (p->y1 - p->y0) : 0) * h;
}

/* 1, 2 or 5 times a power of ten, such that range / step <= max_ticks. */
static inline double fqh__step(double range, int max_ticks)
{
    double raw = range / max_ticks, p, m;
    if (!(raw > 0)) return 1;
    p = pow(10.0, floor(log10(raw)));
    m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/* The top of a count axis: max rounded up to a whole step (at least 1). */
static inline double fqh__top(double max)
{
    double step;
    if (!(max > 0)) return 1;
    step = fqh__step(max, 5);
    return ceil(max / step) * step;
}

/* Opens the chart's <svg> with its title and an id, sample k's. */
static inline void fqh__open(fqh__plot *p, int k, const char *name, const char *title)
{
    fprintf(p->f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart chart-%s\" id=\"s%d-%s\" "
            "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s\">\n"
            "<text class=\"title\" x=\"%d\" y=\"18\">%s</text>\n",
            name, k, name, FQH__W, FQH__H, FQH__W, FQH__H, title, FQH__LEFT, title);
}

/* The y axis: grid lines and labels at nice steps, and its title. */
static inline void fqh__yaxis(const fqh__plot *p, const char *title)
{
    double step = fqh__step(p->y1 - p->y0, 6), v;
    char buf[32];
    fputs("<g class=\"axis y\">\n", p->f);
    for (v = ceil(p->y0 / step) * step; v <= p->y1 + step * 1e-9; v += step) {
        double y = fqh__py(p, v);
        fqh__label(buf, sizeof buf, fabs(v) < step * 1e-9 ? 0 : v);
        fprintf(p->f,
                "<line class=\"tick\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
                "<text class=\"tick-label\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                FQH__LEFT - 4, y, FQH__W - FQH__RIGHT, y, FQH__LEFT - 7, y + 4, buf);
    }
    fprintf(p->f,
            "<text class=\"axis-title\" transform=\"translate(14 %.1f) rotate(-90)\" text-anchor=\"middle\">%s</text>\n"
            "</g>\n",
            (double)FQH__TOP + (FQH__H - FQH__TOP - FQH__BOTTOM) / 2.0, title);
}

static inline void fqh__xtitle(const fqh__plot *p, const char *title)
{
    fprintf(p->f, "<text class=\"axis-title\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
            FQH__LEFT + (FQH__W - FQH__LEFT - FQH__RIGHT) / 2.0, FQH__H - 8, title);
}

static inline void fqh__xtick(const fqh__plot *p, double x, const char *label)
{
    double y = FQH__H - FQH__BOTTOM;
    fprintf(p->f,
            "<line class=\"tick\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
            "<text class=\"tick-label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
            x, y, x, y + 4, x, y + 17, label);
}

/* A numeric x axis over [x0, x1]: ticks at nice steps of whole numbers. */
static inline void fqh__xaxis_numeric(const fqh__plot *p, double lo, double hi, const char *title)
{
    double step = fqh__step(hi - lo, 10), v;
    char buf[32];
    if (step < 1) step = 1;
    fputs("<g class=\"axis x\">\n", p->f);
    for (v = ceil(lo / step) * step; v <= hi + 1e-9; v += step) {
        fqh__label(buf, sizeof buf, v);
        fqh__xtick(p, fqh__px(p, v), buf);
    }
    fqh__xtitle(p, title);
    fputs("</g>\n", p->f);
}

/* A categorical x axis of n spans (group i centred at i + 0.5): a label on
   every k-th span, k chosen so that the widest label never touches the next
   one, and on the last. */
static inline void fqh__xaxis_spans(const fqh__plot *p, const fqf_span *spans, size_t n, const char *title)
{
    size_t i, k, widest = 1, last_labelled = 0;
    double slot = (FQH__W - FQH__LEFT - FQH__RIGHT) / (double)(n ? n : 1);
    char buf[48];
    for (i = 0; i < n; i++) {
        fqh__span(buf, sizeof buf, spans[i]);
        if (strlen(buf) > widest) widest = strlen(buf);
    }
    k = (size_t)ceil((widest * 6.6 + 10) / slot);
    if (k < 1) k = 1;
    fputs("<g class=\"axis x\">\n", p->f);
    for (i = 0; i < n; i++) {
        int is_last = i + 1 == n;
        if (i % k != 0 && !is_last) continue;
        /* the last label only where it has room beside the previous one */
        if (is_last && i % k != 0 && i - last_labelled < k) continue;
        fqh__span(buf, sizeof buf, spans[i]);
        fqh__xtick(p, fqh__px(p, i + 0.5), buf);
        last_labelled = i;
    }
    fqh__xtitle(p, title);
    fputs("</g>\n", p->f);
}

/* A legend at the top right: n items of class cls[i], label[i]; shape 'l'
   (a line) or 'r' (a filled square). */
static inline void fqh__legend(const fqh__plot *p, int n, const char *const *cls, const char *const *label,
                               const char *shape)
{
    double width = 0, x;
    int i;
    for (i = 0; i < n; i++) width += 22 + strlen(label[i]) * 6.4 + 12;
    x = FQH__W - FQH__RIGHT - width;
    fputs("<g class=\"legend\">\n", p->f);
    for (i = 0; i < n; i++) {
        fputs("<g class=\"legend-item\">", p->f);
        if (shape[i] == 'l')
            fprintf(p->f, "<line class=\"swatch swatch-%s\" x1=\"%.1f\" y1=\"30\" x2=\"%.1f\" y2=\"30\"/>", cls[i], x,
                    x + 16);
        else fprintf(p->f, "<rect class=\"swatch swatch-%s\" x=\"%.1f\" y=\"25\" width=\"16\" height=\"10\"/>", cls[i], x);
        fprintf(p->f, "<text x=\"%.1f\" y=\"34\">%s</text></g>\n", x + 22, label[i]);
        x += 22 + strlen(label[i]) * 6.4 + 12;
    }
    fputs("</g>\n", p->f);
}

static inline void fqh__frame(const fqh__plot *p)
{
    fprintf(p->f, "<rect class=\"frame\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n", FQH__LEFT, FQH__TOP,
            FQH__W - FQH__LEFT - FQH__RIGHT, FQH__H - FQH__TOP - FQH__BOTTOM);
}

static inline void fqh__no_data(const fqh__plot *p)
{
    fqh__frame(p);
    fprintf(p->f, "<text class=\"no-data\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">no reads</text>\n</svg>\n",
            FQH__W / 2, FQH__H / 2);
}

/* One polyline over categories: a point at (i + 0.5, v[i]) for every v[i]
   that is a number. */
static inline void fqh__series(const fqh__plot *p, const char *cls, const double *v, size_t n)
{
    size_t i;
    fprintf(p->f, "<polyline class=\"series %s\" points=\"", cls);
    for (i = 0; v && i < n; i++)
        if (isfinite(v[i])) fprintf(p->f, "%s%.1f,%.1f", i ? " " : "", fqh__px(p, i + 0.5), fqh__py(p, v[i]));
    fputs("\"/>\n", p->f);
}

/* A bar over [x - 0.5, x + 0.5] from 0 to y. */
static inline void fqh__bar(const fqh__plot *p, double x, double y)
{
    double l = fqh__px(p, x - 0.5), r = fqh__px(p, x + 0.5), t = fqh__py(p, y), b = fqh__py(p, 0);
    double w = r - l > 2 ? r - l - 1 : r - l;
    fprintf(p->f, "<rect class=\"bar\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"/>\n", l, t, w, b - t);
}

/* ---- >>charts: the six charts of one sample -------------------------------- */

static inline void fqh__chart_base_quality(FILE *f, int k, const fqf_report *r)
{
    static const char *const cls[] = {"box", "median", "whisker", "mean"};
    static const char *const label[] = {"25-75%", "median", "10-90%", "mean"};
    fqh__plot p = {f, 0, 0, 0, 0};
    double top = 40, cap;
    size_t i, n = r->n_groups;
    fqh__open(&p, k, "base-quality", "Per base sequence quality");
    if (n == 0 || !r->groups) {
        fqh__no_data(&p);
        return;
    }
    for (i = 0; i < n; i++) {
        const double *cols[] = {r->q_mean, r->q_median, r->q_lower, r->q_upper, r->q_p10, r->q_p90};
        size_t c;
        for (c = 0; c < 6; c++)
            if (cols[c] && isfinite(cols[c][i]) && cols[c][i] > top) top = cols[c][i];
    }
    p.x1 = (double)n;
    p.y1 = ceil(top) + 1;
    /* FastQC's background: good >= 28, reasonable 20 .. 28, poor < 20 */
    fprintf(f, "<rect class=\"band band-good\" x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\"/>\n", FQH__LEFT,
            fqh__py(&p, p.y1), FQH__W - FQH__LEFT - FQH__RIGHT, fqh__py(&p, 28) - fqh__py(&p, p.y1));
    fprintf(f, "<rect class=\"band band-ok\" x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\"/>\n", FQH__LEFT,
            fqh__py(&p, 28), FQH__W - FQH__LEFT - FQH__RIGHT, fqh__py(&p, 20) - fqh__py(&p, 28));
    fprintf(f, "<rect class=\"band band-bad\" x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\"/>\n", FQH__LEFT,
            fqh__py(&p, 20), FQH__W - FQH__LEFT - FQH__RIGHT, fqh__py(&p, 0) - fqh__py(&p, 20));
    fqh__yaxis(&p, "Quality (Phred)");
    fqh__xaxis_spans(&p, r->groups, n, "Position in read (bp)");
    cap = (FQH__W - FQH__LEFT - FQH__RIGHT) / (double)n * 0.3;
    if (cap > 8) cap = 8;
    for (i = 0; i < n; i++) {
        double x = fqh__px(&p, i + 0.5);
        if (r->q_p10 && r->q_p90 && isfinite(r->q_p10[i]) && isfinite(r->q_p90[i])) {
            double y10 = fqh__py(&p, r->q_p10[i]), y90 = fqh__py(&p, r->q_p90[i]);
            fprintf(f, "<path class=\"whisker\" d=\"M%.1f %.1fV%.1fM%.1f %.1fH%.1fM%.1f %.1fH%.1f\"/>\n", x, y90, y10,
                    x - cap, y90, x + cap, x - cap, y10, x + cap);
        }
        if (r->q_lower && r->q_upper && isfinite(r->q_lower[i]) && isfinite(r->q_upper[i])) {
            double yu = fqh__py(&p, r->q_upper[i]), yl = fqh__py(&p, r->q_lower[i]);
            fprintf(f, "<rect class=\"box\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>\n", x - cap * 1.4,
                    yu, cap * 2.8, yl - yu);
        }
        if (r->q_median && isfinite(r->q_median[i])) {
            double y = fqh__py(&p, r->q_median[i]);
            fprintf(f, "<line class=\"median\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", x - cap * 1.4, y,
                    x + cap * 1.4, y);
        }
    }
    fqh__series(&p, "mean", r->q_mean, n);
    fqh__frame(&p);
    fqh__legend(&p, 4, cls, label, "rlll");
    fputs("</svg>\n", f);
}

static inline void fqh__chart_base_content(FILE *f, int k, const fqf_report *r)
{
    static const char *const cls[] = {"base-g", "base-a", "base-t", "base-c"};
    static const char *const label[] = {"%G", "%A", "%T", "%C"};
    fqh__plot p = {f, 0, 0, 0, 100};
    size_t n = r->n_groups;
    fqh__open(&p, k, "base-content", "Per base sequence content");
    if (n == 0 || !r->groups) {
        fqh__no_data(&p);
        return;
    }
    p.x1 = (double)n;
    fqh__yaxis(&p, "Percent of bases");
    fqh__xaxis_spans(&p, r->groups, n, "Position in read (bp)");
    fqh__series(&p, "base-g", r->pct_g, n);
    fqh__series(&p, "base-a", r->pct_a, n);
    fqh__series(&p, "base-t", r->pct_t, n);
    fqh__series(&p, "base-c", r->pct_c, n);
    fqh__frame(&p);
    fqh__legend(&p, 4, cls, label, "llll");
    fputs("</svg>\n", f);
}

static inline void fqh__chart_n_content(FILE *f, int k, const fqf_report *r)
{
    fqh__plot p = {f, 0, 0, 0, 100};
    size_t n = r->n_groups;
    fqh__open(&p, k, "n-content", "Per base N content");
    if (n == 0 || !r->groups) {
        fqh__no_data(&p);
        return;
    }
    p.x1 = (double)n;
    fqh__yaxis(&p, "Percent of bases that are N");
    fqh__xaxis_spans(&p, r->groups, n, "Position in read (bp)");
    fqh__series(&p, "base-n", r->pct_n, n);
    fqh__frame(&p);
    fputs("</svg>\n", f);
}

static inline void fqh__chart_seq_quality(FILE *f, int k, const fqf_report *r)
{
    fqh__plot p = {f, 0, 0, 0, 0};
    double max = 0;
    size_t i, n = r->n_seq_qual;
    fqh__open(&p, k, "seq-quality", "Per sequence quality scores");
    if (n == 0 || !r->seq_qual || !r->seq_qual_count) {
        fqh__no_data(&p);
        return;
    }
    for (i = 0; i < n; i++)
        if (r->seq_qual_count[i] > max) max = r->seq_qual_count[i];
    p.x0 = r->seq_qual[0] - 0.5;
    p.x1 = r->seq_qual[n - 1] + 0.5;
    if (p.x1 - p.x0 < 10) p.x0 = p.x1 - 10; /* a bar never wider than a tenth */
    p.y1 = fqh__top(max);
    fqh__yaxis(&p, "Reads");
    fqh__xaxis_numeric(&p, p.x0 + 0.5, p.x1 - 0.5, "Mean sequence quality (Phred)");
    for (i = 0; i < n; i++)
        if (r->seq_qual_count[i] > 0) fqh__bar(&p, r->seq_qual[i], r->seq_qual_count[i]);
    fqh__frame(&p);
    fputs("</svg>\n", f);
}

static inline void fqh__chart_gc(FILE *f, int k, const fqf_report *r)
{
    static const char *const cls[] = {"bar", "gc-theory"};
    static const char *const label[] = {"GC count per read", "Theoretical distribution"};
    fqh__plot p = {f, -0.5, 100.5, 0, 0};
    double max = 0;
    int i, any = 0;
    fqh__open(&p, k, "gc", "Per sequence GC content");
    for (i = 0; i <= 100; i++) {
        if (r->gc_count[i] > max) max = r->gc_count[i];
        if (isfinite(r->gc_theory[i]) && r->gc_theory[i] > max) max = r->gc_theory[i];
        if (r->gc_count[i] > 0) any = 1;
    }
    if (!any) {
        fqh__no_data(&p);
        return;
    }
    p.y1 = fqh__top(max);
    fqh__yaxis(&p, "Reads");
    fqh__xaxis_numeric(&p, 0, 100, "Mean GC content (%)");
    for (i = 0; i <= 100; i++)
        if (r->gc_count[i] > 0) fqh__bar(&p, i, r->gc_count[i]);
    fputs("<polyline class=\"series gc-theory\" points=\"", f);
    for (i = 0; i <= 100; i++)
        fprintf(f, "%s%.1f,%.1f", i ? " " : "", fqh__px(&p, i), fqh__py(&p, isfinite(r->gc_theory[i]) ? r->gc_theory[i] : 0));
    fputs("\"/>\n", f);
    fqh__frame(&p);
    fqh__legend(&p, 2, cls, label, "rl");
    fputs("</svg>\n", f);
}

static inline void fqh__chart_length(FILE *f, int k, const fqf_report *r)
{
    fqh__plot p = {f, 0, 0, 0, 0};
    double max = 0;
    size_t i, n = r->n_len_rows;
    fqh__open(&p, k, "length", "Sequence Length Distribution");
    if (n == 0 || !r->len_rows || !r->len_count) {
        fqh__no_data(&p);
        return;
    }
    for (i = 0; i < n; i++)
        if (r->len_count[i] > max) max = r->len_count[i];
    /* at least 10 slots, so that one length is a bar, not a wall */
    p.x0 = n < 10 ? -(double)(10 - n) / 2 : 0;
    p.x1 = n < 10 ? n + (double)(10 - n) / 2 : (double)n;
    p.y1 = fqh__top(max);
    fqh__yaxis(&p, "Reads");
    fqh__xaxis_spans(&p, r->len_rows, n, "Sequence length (bp)");
    for (i = 0; i < n; i++)
        if (r->len_count[i] > 0) fqh__bar(&p, i + 0.5, r->len_count[i]);
    fqh__frame(&p);
    fputs("</svg>\n", f);
}

/* Chart c (0 .. 5) of sample k. */
static inline void fqh__chart(FILE *f, int c, int k, const fqf_report *r)
{
    switch (c) {
    case 0: fqh__chart_base_quality(f, k, r); break;
    case 1: fqh__chart_seq_quality(f, k, r); break;
    case 2: fqh__chart_base_content(f, k, r); break;
    case 3: fqh__chart_gc(f, k, r); break;
    case 4: fqh__chart_n_content(f, k, r); break;
    default: fqh__chart_length(f, k, r); break;
    }
}

/* ---- >>page: tables, module statuses, the document ------------------------- */

static inline const char *fqh__name(const fqv_sample *s, const fqf_report *r)
{
    return r->filename[0] ? r->filename : s->path ? s->path : "";
}

/* FastQC's summary column: the seven modules drawn here, in its order. */
static inline void fqh__modules(FILE *f, int k, const fqf_report *r)
{
    const struct {
        fqf_status st;
        const char *name, *anchor;
    } m[] = {
        {FQF_PASS, "Basic Statistics", "summary"},
        {r->st_base_qual, "Per base sequence quality", "base-quality"},
        {r->st_seq_qual, "Per sequence quality scores", "seq-quality"},
        {r->st_base_content, "Per base sequence content", "base-content"},
        {r->st_gc, "Per sequence GC content", "gc"},
        {r->st_n, "Per base N content", "n-content"},
        {r->st_len, "Sequence Length Distribution", "length"},
    };
    size_t i;
    fputs("<ul class=\"modules\">\n", f);
    for (i = 0; i < sizeof m / sizeof m[0]; i++) {
        const char *st = fqf_status_name(m[i].st);
        fprintf(f, "<li class=\"module %s\"><span class=\"badge\">%s</span> ", st, st);
        if (i == 0) fprintf(f, "<a href=\"#summary\">%s</a></li>\n", m[i].name);
        else fprintf(f, "<a href=\"#s%d-%s\">%s</a></li>\n", k, m[i].anchor, m[i].name);
    }
    fputs("</ul>\n", f);
}

static inline void fqh__summary(FILE *f, const fqv_sample *const *s, int n)
{
    static const char *const head[] = {"file",   "format",  "type",   "num_seqs", "sum_len", "min_len",
                                       "avg_len", "max_len", "Q20(%)", "Q30(%)",   "GC(%)"};
    size_t c;
    int i;
    fputs("<h2 id=\"summary\">Summary</h2>\n<table class=\"summary\">\n<thead><tr>", f);
    for (c = 0; c < sizeof head / sizeof head[0]; c++) fprintf(f, "<th>%s</th>", head[c]);
    fputs("</tr></thead>\n<tbody>\n", f);
    for (i = 0; i < n; i++) {
        const fqv_sample *x = s[i];
        double avg = x->reads ? fqh__round((double)x->bases / (double)x->reads, 1) : 0.0;
        fputs("<tr class=\"sample\"><td class=\"file\">", f);
        fqh__esc(f, x->path ? x->path : "");
        fprintf(f, "</td><td>%s</td><td>", x->reads ? "FASTQ" : "");
        fqh__esc(f, x->type ? x->type : "");
        fputs("</td><td>", f);
        fqh__count(f, x->reads);
        fputs("</td><td>", f);
        fqh__count(f, x->bases);
        fputs("</td><td>", f);
        fqh__count(f, x->reads ? x->min_len : 0);
        fprintf(f, "</td><td>%.1f</td><td>", avg);
        fqh__count(f, x->max_len);
        fprintf(f, "</td><td>%.2f</td><td>%.2f</td><td>%.2f</td></tr>\n", fqh__percent(x->q20, x->bases),
                fqh__percent(x->q30, x->bases), fqh__percent(x->gc_letters, x->bases));
    }
    fputs("</tbody>\n</table>\n", f);
}

static inline void fqh__run(FILE *f, const fqv_sample *const *s, int n, const fqv_run *run)
{
    uint64_t reads = 0;
    int i;
    for (i = 0; i < n; i++) reads += s[i]->reads;
    fputs("<h2>Run</h2>\n<table class=\"run\">\n<thead><tr><th>tool</th><th>threads</th><th>path</th><th>seconds</th>"
          "<th>input (MB)</th><th>MB/s</th><th>reads/s</th></tr></thead>\n<tbody><tr><td>",
          f);
    fqh__esc(f, run->tool ? run->tool : "");
    fprintf(f, "</td><td>%d</td><td>", run->threads);
    fqh__esc(f, run->path ? run->path : "");
    fprintf(f, "</td><td>%.3f</td><td>%.1f</td>", run->seconds, (double)run->input_bytes / 1e6);
    if (run->seconds > 0) {
        fprintf(f, "<td>%.1f</td><td>", (double)run->input_bytes / 1e6 / run->seconds);
        fqh__count(f, (uint64_t)((double)reads / run->seconds + 0.5));
        fputs("</td>", f);
    } else fputs("<td>-</td><td>-</td>", f);
    fputs("</tr></tbody>\n</table>\n", f);
}

static inline const char *fqh__css(void)
{
    return
    "body{font-family:sans-serif;margin:16px 24px;color:#222;background:#fff}\n"
    "h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;margin:18px 0 6px}\n"
    "table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}\n"
    "th{background:#eee}td.file,table.run td{text-align:left}\n"
    "section.sample,div.pair{margin-top:14px;border-top:2px solid #888;padding-top:6px}\n"
    "div.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:8px 16px}\n"
    "div.pair{display:grid;grid-template-columns:1fr 1fr;gap:8px 16px}\n"
    "h3{font-size:15px;margin:4px 0;word-break:break-all}\n"
    "ul.modules{list-style:none;padding:0;margin:4px 0;font-size:13px;columns:2}\n"
    "li.module{margin:2px 0}.badge{display:inline-block;width:3.2em;text-align:center;border-radius:3px;"
    "color:#fff;font-size:11px;font-weight:bold;text-transform:uppercase}\n"
    ".pass .badge{background:#2e8b3d}.warn .badge{background:#e69500}.fail .badge{background:#c62828}\n"
    "svg.chart{width:100%;height:auto;max-width:600px;font-size:11px}\n"
    "svg .title{font-size:14px;font-weight:bold}svg .axis-title{font-size:12px}\n"
    "svg .tick{stroke:#ddd}svg .frame{fill:none;stroke:#555}svg .no-data{fill:#888;font-size:16px}\n"
    "svg .band-good{fill:#d3ecd3}svg .band-ok{fill:#f0e6c8}svg .band-bad{fill:#efd0d0}\n"
    "svg .box,svg .swatch-box{fill:#f5d742;stroke:#555;stroke-width:.6}\n"
    "svg .median,svg .swatch-median{stroke:#d00;stroke-width:1.5}\n"
    "svg .whisker,svg .swatch-whisker{stroke:#333;fill:none;stroke-width:.8}\n"
    "svg .series{fill:none;stroke-width:1.6}svg .mean,svg .swatch-mean{stroke:#1f4fd1}\n"
    "svg .base-g,svg .swatch-base-g{stroke:#111}svg .base-a,svg .swatch-base-a{stroke:#2a9d2a}\n"
    "svg .base-t,svg .swatch-base-t{stroke:#d62020}svg .base-c,svg .swatch-base-c{stroke:#2050d0}\n"
    "svg .base-n{stroke:#d62020}svg .gc-theory,svg .swatch-gc-theory{stroke:#1f4fd1}svg .bar,svg .swatch-bar{fill:#d9534f}\n"
    "svg .swatch{stroke-width:2.5}p.footer{font-size:12px;color:#666}\n";
}

static inline int fqh_write(FILE *out, const fqv_sample *const *samples, const fqf_report *const *reports, int n,
                            const fqv_run *run)
{
    int i, c;
    if (!out || !samples || !reports || n < 1) {
        errno = EINVAL;
        return -1;
    }
    for (i = 0; i < n; i++)
        if (!samples[i] || !reports[i]) {
            errno = EINVAL;
            return -1;
        }
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>QC report: ", out);
    for (i = 0; i < n; i++) {
        if (i) fputs(", ", out);
        fqh__esc(out, fqh__name(samples[i], reports[i]));
    }
    fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>QC report</h1>\n", fqh__css());
    if (run) fqh__run(out, samples, n, run);
    fqh__summary(out, samples, n);
    if (n == 2) {
        fputs("<div class=\"pair\">\n", out);
        for (i = 0; i < 2; i++) {
            fputs("<div class=\"head\"><h3>", out);
            fqh__esc(out, fqh__name(samples[i], reports[i]));
            fprintf(out, " (R%d)</h3>\n", i + 1);
            fqh__modules(out, i, reports[i]);
            fputs("</div>\n", out);
        }
        for (c = 0; c < 6; c++)
            for (i = 0; i < 2; i++) fqh__chart(out, c, i, reports[i]);
        fputs("</div>\n", out);
    } else {
        for (i = 0; i < n; i++) {
            fprintf(out, "<section class=\"sample\" id=\"s%d\">\n<h3>", i);
            fqh__esc(out, fqh__name(samples[i], reports[i]));
            fputs("</h3>\n", out);
            fqh__modules(out, i, reports[i]);
            fputs("<div class=\"charts\">\n", out);
            for (c = 0; c < 6; c++) fqh__chart(out, c, i, reports[i]);
            fputs("</div>\n</section>\n", out);
        }
    }
    fputs("<p class=\"footer\">Written by ", out);
    fqh__esc(out, run && run->tool ? run->tool : "fqhtml.h");
    fputs(" (fastqpar). Charts as in FastQC 0.11.9; summary as seqkit stats -a.</p>\n</body>\n</html>\n", out);
    if (fflush(out) != 0 || ferror(out)) {
        if (errno == 0) errno = EIO;
        return -1;
    }
    return 0;
}

#endif /* FQHTML_H */
