/* fqtrim - quality trimming and filtering of single-end, paired and
   interleaved FASTQ, built on fastqpar (cutadapt's command-line convention).

   Build: make build/fqtrim   (or: cc -std=c11 -O2 -I. examples/tools/fqtrim.c -lz -lpthread)
   Run:   fqtrim -q 20 -m 30 -t 8 -o out_1.fq.bgz -p out_2.fq.bgz reads_1.fq.gz reads_2.fq.gz

   How it uses fastqpar (the pattern to copy for any "read, change, write"):
     - one fqp_paired_run() over 1 or 2 files (or one interleaved file): every
       process() call gets a batch of pairs, mate i of each file together;
     - each consumer computes the kept interval of every read of its batch
       with fqp_cuda_trim_batch on its own fqp_cuda_worker (the fqp_k_trim
       kernel on the GPU, when there is one) or with fqp_trim_batch (the CPU
       twin, bit-identical), and writes the survivors with
       fqp_pair_write_record to up to three fqp_writers (OUT1, OUT2, --unpaired);
     - fastqpar writes each batch's text in input order, so the output is the
       same for any -t and on either path; BGZF blocks are compressed by the
       consumer threads.
   GPU: --gpu requires one, --cpu never loads the driver, default: used when
   usable (FASTQPAR_FORCE_CPU / FASTQPAR_FORCE_GPU as for every fastqpar
   program). No thread is added: the -t consumers offload their own batches.
   A GPU failing mid-run is logged and those consumers go on on the CPU (the
   same output); under --gpu it is an error. */
#define _POSIX_C_SOURCE 200809L /* isatty, fileno, fstat, signal(SIGPIPE) */
#define FASTQPAR_IMPLEMENTATION
#include "fastqpar_cuda.h"
#include "fqcli.h"
#include "fqmultiqc.h"
#include "fqprogress.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char FQT_SYNOPSIS[] =
    "usage: fqtrim [options] -o OUT1 [-p OUT2] IN1 [IN2]\n"
    "       fqtrim --interleaved [options] -o OUT [-p OUT2] IN\n";
static const char FQT_ABOUT[] =
    "Trims the low-quality 3' end of every read and drops reads that end up too\n"
    "short or with too many N, keeping the input order. IN '-' is stdin (plain or\n"
    "gzip, detected from the bytes; no IN: stdin unless it is a terminal). OUT is\n"
    "BGZF (gzip that every gzip reader takes, compressed on every thread) when it\n"
    "ends in .gz, .bgz or .bgzf, else plain; '-' is stdout. With two inputs\n"
    "(paired-end) or --interleaved, a pair is kept or dropped together; paired\n"
    "input without -p is written interleaved (mate 1, mate 2, ...) to OUT1.\n"
    "Outputs are written to a temporary file and renamed when the run succeeds:\n"
    "a failed run leaves none, and an existing file is left as it was. An output\n"
    "that is an input, or two outputs that are one file, are refused.\n";
static const char FQT_EPILOG[] =
    "A progress line (input read / size, reads per second) is shown on long runs\n"
    "when stderr is a terminal.\n";

typedef struct fqt_options {
    const char *in[2], *out1, *out2, *unpaired, *json, *multiqc;
    int inputs, interleaved, interleaved_out, no_name_check, threads, level, quiet, verbose, gzip_stream, strict;
    int gpu;                         /* fqp_gpu_mode: --gpu FORCE, --cpu OFF, else AUTO (environment) */
    fqp_trim_desc trim;
    uint64_t min_len;
    double max_n;                    /* < 0: no N filter; < 1: a fraction; else a count */
} fqt_options;

/* Per consumer (and, after merging, the totals). */
typedef struct fqt_counts {
    uint64_t reads_in, pairs_in, bases_in;
    uint64_t bases_trimmed;          /* cut by quality trimming */
    uint64_t too_short, too_many_n;  /* reads failing each filter (too short wins) */
    uint64_t reads_out, pairs_out, unpaired_out, bases_out;
} fqt_counts;

typedef struct fqt_run {
    fqt_options o;
    fqx_progress progress;           /* opens the inputs, counts their bytes */
    fqt_counts total;
    fqp_cuda *cuda;                  /* NULL: the CPU path */
    uint64_t gpu_batches, cpu_batches; /* GPU path: batches trimmed on each (after a failure: CPU) */
    int gpu_failed;
    int log_on;                      /* fqt_log prints (after fqp_cuda_open) */
    int on_gpu;                      /* the GPU path ran (run->cuda is closed before the report) */
    const char *inflate, *deflate;   /* the libraries that ran ("none": plain) */
} fqt_run;

/* Per consumer: its counts, its GPU worker, and the intervals of each mate's batch. */
typedef struct fqt_state {
    fqt_counts c;
    fqp_cuda_worker *gpu;
    uint64_t *se[FQP_MAX_MATES];
    uint64_t cap[FQP_MAX_MATES];
} fqt_state;

/* ---- trimming and filtering ---- */

/* cutadapt's --max-n: below 1 a fraction of the length (an empty read
   passes), else a count; the same double arithmetic as its n / len > X. */
static int fqt_too_many_n(double max_n, uint64_t n, uint64_t len)
{
    if (max_n < 0) return 0;
    if (max_n < 1) return len > 0 && (double)n / (double)len > max_n;
    return (double)n > max_n;
}

/* The read keeps [*s, *e) (trimmed); 1 when it passes both filters. */
static int fqt_keep(const fqt_options *o, const fqp_record *r, const uint64_t *s, const uint64_t *e, fqt_counts *c)
{
    uint64_t n = 0, k, len;
    len = *e - *s;
    c->reads_in++;
    c->bases_in += r->len;
    c->bases_trimmed += r->len - len;
    /* Trimmomatic drops the reads its sliding window empties */
    if (len < o->min_len || (len == 0 && o->trim.mode == FQP_TRIM_WINDOW)) {
        c->too_short++;
        return 0;
    }
    for (k = *s; k < *e; k++) n += r->seq[k] == 'N' || r->seq[k] == 'n';
    if (fqt_too_many_n(o->max_n, n, len)) {
        c->too_many_n++;
        return 0;
    }
    return 1;
}

enum { FQT_OUT1 = 0, FQT_OUT2 = 1, FQT_UNPAIRED = 2 };

static fqp_result fqt_init(void *state, int consumer, void *user)
{
    fqt_run *run = (fqt_run *)user;
    fqt_state *st = (fqt_state *)state;
    fqp_error err;
    fqp_result r;
    if (!run->cuda) return FQP_OK;
    if ((r = fqp_cuda_worker_open(run->cuda, consumer, &st->gpu, &err)) != FQP_OK)
        fprintf(stderr, "fqtrim: %s\n", err.message);
    return r;
}

/* The kept intervals of every read of each mate's batch (interleaved: one
   batch holds both mates), on the GPU worker when there is one. */
static fqp_result fqt_trim(fqp_pair *pair, fqt_state *st, const fqt_options *o)
{
    int m, batches = pair->interleaved ? 1 : pair->mates;
    for (m = 0; m < batches; m++) {
        fqp_batch *b = pair->batch[m];
        fqp_error err;
        if (b->count > st->cap[m]) {
            uint64_t *p = (uint64_t *)realloc(st->se[m], (size_t)(2 * b->count) * sizeof *p);
            if (!p) return fqp_batch_error(b, UINT64_MAX, FQP_ERR_NOMEM, "out of memory");
            st->se[m] = p;
            st->cap[m] = b->count;
        }
        if (fqp_cuda_trim_batch(st->gpu, b, &o->trim, st->se[m], &err) != FQP_OK)
            return fqp_batch_error(b, UINT64_MAX, err.code, "%s", err.message);
    }
    return FQP_OK;
}

static fqp_result fqt_process(fqp_pair *pair, void *state, void *user)
{
    fqt_run *run = (fqt_run *)user;
    const fqt_options *o = &run->o;
    fqt_state *st = (fqt_state *)state;
    fqt_counts *c = &st->c;
    uint64_t i;
    int m, have_unpaired = o->unpaired != NULL, split = o->out2 != NULL;
    fqp_result tr = fqt_trim(pair, st, o);
    if (tr != FQP_OK) return tr;
    for (i = 0; i < pair->count; i++) {
        fqp_record r[2];
        const uint64_t *se[2];
        int ok[2] = {0, 0};
        fqp_result res = FQP_OK;
        for (m = 0; m < pair->mates; m++) {
            r[m] = fqp_pair_record(pair, m, i);
            se[m] = pair->interleaved ? st->se[0] + 2 * (2 * i + (uint64_t)m) : st->se[m] + 2 * i;
            ok[m] = fqt_keep(o, &r[m], &se[m][0], &se[m][1], c);
        }
        c->pairs_in++;
        if (pair->mates == 1 || (ok[0] && ok[1])) {
            for (m = 0; m < pair->mates && res == FQP_OK; m++) {
                if (!ok[m]) continue;
                res = fqp_pair_write_record(pair, m && split ? FQT_OUT2 : FQT_OUT1, &r[m], se[m][0], se[m][1]);
                c->reads_out++;
                c->bases_out += se[m][1] - se[m][0];
            }
            c->pairs_out += ok[0];
        } else if (have_unpaired) {
            for (m = 0; m < 2 && res == FQP_OK; m++) {
                if (!ok[m]) continue;
                res = fqp_pair_write_record(pair, FQT_UNPAIRED, &r[m], se[m][0], se[m][1]);
                c->unpaired_out++;
                c->bases_out += se[m][1] - se[m][0];
            }
        }
        if (res != FQP_OK) return res;
    }
    fqx_add(&run->progress, pair->count * (uint64_t)pair->mates);
    return FQP_OK;
}

static fqp_result fqt_merge(void *state, int consumer, void *user)
{
    const fqt_state *st = (const fqt_state *)state;
    const fqt_counts *c = &st->c;
    fqt_run *run = (fqt_run *)user;
    fqt_counts *t = &run->total;
    fqp_cuda_consumer_metrics gm;
    (void)consumer;
    if (st->gpu && fqp_cuda_worker_metrics(st->gpu, &gm) == FQP_OK) {
        run->gpu_batches += gm.batches;
        run->cpu_batches += gm.requeued;
        run->gpu_failed |= gm.status != FQP_OK;
    }
    t->reads_in += c->reads_in;
    t->pairs_in += c->pairs_in;
    t->bases_in += c->bases_in;
    t->bases_trimmed += c->bases_trimmed;
    t->too_short += c->too_short;
    t->too_many_n += c->too_many_n;
    t->reads_out += c->reads_out;
    t->pairs_out += c->pairs_out;
    t->unpaired_out += c->unpaired_out;
    t->bases_out += c->bases_out;
    return FQP_OK;
}

static void fqt_fini(void *state, int consumer, void *user)
{
    fqt_state *st = (fqt_state *)state;
    int m;
    (void)consumer;
    (void)user;
    fqp_cuda_worker_close(st->gpu);
    st->gpu = NULL;
    for (m = 0; m < FQP_MAX_MATES; m++) free(st->se[m]);
}

/* ---- the GPU ---- */

/* Warnings of the GPU workers (a GPU failing mid-run, then trimming on the
   CPU). Errors come back as results and are printed once, by main; so is
   the reason why fqp_cuda_open failed (the path line). */
static void fqt_log(void *user, fqp_log_level level, const char *message)
{
    if (level == FQP_LOG_WARN && ((const fqt_run *)user)->log_on) fprintf(stderr, "fqtrim: warning: %s\n", message);
}

/* Opens the GPU unless --cpu; says on stderr which path runs (with -v). -1: --gpu (or FASTQPAR_FORCE_GPU=1) and no usable GPU. */
static int fqt_gpu_open(fqt_run *run)
{
    fqp_cuda_desc d;
    fqp_error err;
    fqp_cuda_device_info info;
    char why[FQP_ERROR_MESSAGE_MAX + 64];
    fqp_gpu_mode mode;
    memset(&d, 0, sizeof d);
    d.mode = run->o.gpu; /* AUTO: FASTQPAR_FORCE_CPU / FASTQPAR_FORCE_GPU decide */
    d.kernels = FQP_GPU_TRIM;
    d.offload_only = 1;  /* no GPU consumer threads: each CPU consumer offloads its batches */
    d.log = fqt_log;
    d.log_user = run;
    mode = fqp_cuda_mode(&d);
    why[0] = '\0';
    if (mode == FQP_GPU_OFF) {
        snprintf(why, sizeof why, "GPU off (--cpu or FASTQPAR_FORCE_CPU=1)");
    } else if (fqp_cuda_open(&run->cuda, &d, &err) != FQP_OK) {
        if (mode == FQP_GPU_FORCE) {
            fprintf(stderr, "fqtrim: %s\n", err.message);
            return -1;
        }
        snprintf(why, sizeof why, "no usable GPU: %s", err.message);
    }
    run->log_on = 1;
    run->on_gpu = run->cuda != NULL;
    if (!run->o.verbose) return 0;
    if (!run->cuda) {
        fprintf(stderr, "fqtrim: CPU path: trimming on the consumer threads; %s\n", why);
    } else if (fqp_cuda_device(run->cuda, 0, &info) == FQP_OK) {
        fprintf(stderr, "fqtrim: GPU path: each consumer thread trims on device %d (%s, compute %d.%d)%s\n",
                info.ordinal, info.name, info.cc_major, info.cc_minor,
                fqp_cuda_device_count(run->cuda) > 1 ? " and the other devices" : "");
    }
    return 0;
}

static const char *fqt_path(const fqt_run *run)
{
    if (!run->on_gpu) return "cpu";
    return run->gpu_failed ? "gpu+cpu" : "gpu";
}

/* ---- report ---- */

static double fqt_pct(uint64_t a, uint64_t b) { return b ? 100.0 * (double)a / (double)b : 0.0; }

static void fqt_summary(FILE *f, const fqt_run *run, double seconds)
{
    const fqt_counts *t = &run->total;
    int paired = run->o.inputs == 2 || run->o.interleaved;
    fprintf(f, "fqtrim: %.2f s\n", seconds);
    if (!run->on_gpu) fprintf(f, "  trimmed on:        CPU\n");
    else if (!run->gpu_failed) fprintf(f, "  trimmed on:        GPU (%llu batches)\n", (unsigned long long)run->gpu_batches);
    else
        fprintf(f, "  trimmed on:        GPU (%llu batches), then CPU after a GPU failure (%llu batches)\n",
                (unsigned long long)run->gpu_batches, (unsigned long long)run->cpu_batches);
    if (paired) {
        fprintf(f, "  pairs in:          %llu\n", (unsigned long long)t->pairs_in);
        fprintf(f, "  pairs written:     %llu (%.2f%%)\n", (unsigned long long)t->pairs_out,
                fqt_pct(t->pairs_out, t->pairs_in));
        if (run->o.unpaired)
            fprintf(f, "  unpaired written:  %llu\n", (unsigned long long)t->unpaired_out);
    }
    fprintf(f, "  reads in:          %llu\n", (unsigned long long)t->reads_in);
    fprintf(f, "  reads too short:   %llu\n", (unsigned long long)t->too_short);
    fprintf(f, "  reads with too many N: %llu\n", (unsigned long long)t->too_many_n);
    fprintf(f, "  reads written:     %llu (%.2f%%)\n", (unsigned long long)(t->reads_out + t->unpaired_out),
            fqt_pct(t->reads_out + t->unpaired_out, t->reads_in));
    fprintf(f, "  bases in:          %llu\n", (unsigned long long)t->bases_in);
    fprintf(f, "  bases trimmed:     %llu (%.2f%%)\n", (unsigned long long)t->bases_trimmed,
            fqt_pct(t->bases_trimmed, t->bases_in));
    fprintf(f, "  bases written:     %llu (%.2f%%)\n", (unsigned long long)t->bases_out,
            fqt_pct(t->bases_out, t->bases_in));
}

/* The summary as JSON, into f (a report's text). */
static void fqt_json(FILE *f, const fqt_run *run, double seconds)
{
    const fqt_counts *t = &run->total;
    const fqt_options *o = &run->o;
    int i;
    fprintf(f, "{\n  \"program\": \"fqtrim\",\n  \"fastqpar_version\": \"%s\",\n  \"inputs\": [",
            FASTQPAR_VERSION_STRING);
    for (i = 0; i < o->inputs; i++) {
        if (i) fputs(", ", f);
        fqx_json_string(f, o->in[i]);
    }
    fprintf(f, "],\n  \"mode\": \"%s\",\n", o->interleaved ? "interleaved" : o->inputs == 2 ? "paired" : "single");
    fprintf(f, "  \"trim\": \"%s\",\n  \"quality\": %d,\n  \"quality_5\": %d,\n  \"window\": %d,\n",
            o->trim.mode == FQP_TRIM_BWA ? "bwa" : o->trim.mode == FQP_TRIM_WINDOW ? "window" : "none",
            o->trim.threshold, o->trim.threshold5, o->trim.mode == FQP_TRIM_WINDOW ? o->trim.window : 0);
    fprintf(f, "  \"minimum_length\": %llu,\n", (unsigned long long)o->min_len);
    if (o->max_n < 0) fputs("  \"max_n\": null,\n", f);
    else fprintf(f, "  \"max_n\": %g,\n", o->max_n);
    fprintf(f, "  \"threads\": %d,\n  \"seconds\": %.3f,\n", o->threads, seconds);
    fprintf(f, "  \"inflate\": \"%s\",\n  \"deflate\": \"%s\",\n", run->inflate ? run->inflate : "none",
            run->deflate ? run->deflate : "none");
    fprintf(f, "  \"path\": \"%s\",\n  \"gpu_batches\": %llu,\n  \"gpu_failed\": %s,\n  \"cpu_fallback_batches\": %llu,\n",
            fqt_path(run), (unsigned long long)run->gpu_batches, run->gpu_failed ? "true" : "false",
            (unsigned long long)run->cpu_batches);
    fprintf(f, "  \"pairs_in\": %llu,\n  \"pairs_written\": %llu,\n  \"unpaired_written\": %llu,\n",
            (unsigned long long)t->pairs_in, (unsigned long long)t->pairs_out, (unsigned long long)t->unpaired_out);
    fprintf(f, "  \"reads_in\": %llu,\n  \"reads_too_short\": %llu,\n  \"reads_too_many_n\": %llu,\n",
            (unsigned long long)t->reads_in, (unsigned long long)t->too_short, (unsigned long long)t->too_many_n);
    fprintf(f, "  \"reads_written\": %llu,\n", (unsigned long long)(t->reads_out + t->unpaired_out));
    fprintf(f, "  \"bases_in\": %llu,\n  \"bases_trimmed\": %llu,\n  \"bases_written\": %llu\n}\n",
            (unsigned long long)t->bases_in, (unsigned long long)t->bases_trimmed, (unsigned long long)t->bases_out);
}

/* The summary as a MultiQC table (custom content) into f: one row, named after IN1. */
static void fqt_multiqc(FILE *f, const fqt_run *run)
{
    const fqt_counts *t = &run->total;
    const struct { const char *key; uint64_t v; } col[] = {
        {"reads_in", t->reads_in},           {"reads_written", t->reads_out + t->unpaired_out},
        {"reads_too_short", t->too_short},   {"reads_too_many_n", t->too_many_n},
        {"pairs_in", t->pairs_in},           {"pairs_written", t->pairs_out},
        {"unpaired_written", t->unpaired_out}, {"bases_in", t->bases_in},
        {"bases_trimmed", t->bases_trimmed}, {"bases_written", t->bases_out},
    };
    char num[32];
    size_t i;
    fqx_mqc_begin(f, "fqtrim_summary", "fqtrim", "Reads and bases in, trimmed, filtered and written by fqtrim.", "table",
                  "{\"id\": \"fqtrim_summary_table\", \"namespace\": \"fqtrim\"}");
    fqx_mqc_sample(f, run->o.in[0], 1);
    for (i = 0; i < sizeof col / sizeof col[0]; i++) {
        snprintf(num, sizeof num, "%llu", (unsigned long long)col[i].v);
        fqx_mqc_number(f, col[i].key, num, i == 0);
    }
    fqx_mqc_end(f, 1);
}

/* ---- command line ---- */

static int fqt_number(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v;
    if (!s || !*s) return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (*end || errno || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

/* -q B or -q A,B (cutadapt: A the 5' cutoff, B the 3' one); q5 stays -1
   without A. */
static int fqt_qualities(const char *s, long *q5, long *q3)
{
    const char *comma = strchr(s, ',');
    char a[16];
    if (!comma) return fqt_number(s, 0, 93, q3);
    if ((size_t)(comma - s) >= sizeof a) return -1;
    memcpy(a, s, (size_t)(comma - s));
    a[comma - s] = '\0';
    return fqt_number(a, 0, 93, q5) || fqt_number(comma + 1, 0, 93, q3) ? -1 : 0;
}

/* --max-n X: a non-negative number (cutadapt's COUNT or FRACTION). */
static int fqt_max_n(const char *s, double *out)
{
    char *end;
    double v;
    if (!*s) return -1;
    v = strtod(s, &end);
    if (*end || !(v >= 0 && v <= 1e18)) return -1;
    *out = v;
    return 0;
}

/* Returns FQC_GO, or the exit status: 0 after -h/--version, 2 after a
   usage error (one line on stderr). */
static int fqt_parse(int argc, char **argv, fqt_options *o)
{
    const char *qual = NULL, *max_n = NULL;
    int window = 0, i, n = 0, st;
    long long min_len = 0;
    long q = -1, q5 = -1;
    const fqc_opt opts[] = {
        {'q', "quality-cutoff", FQC_STR, &qual, 0, 0, "[A,]B",
         "trim the 3' end with BWA's rule at quality B, and the 5' end at quality A if given (as cutadapt -q A,B)"},
        {'w', "window", FQC_INT, &window, 1, 1000000, "W",
         "trim with a sliding window of W bases whose mean must reach the -q quality (Trimmomatic "
         "SLIDINGWINDOW:W:B, N scored Q0) instead; reads trimmed to nothing are dropped"},
        {'m', "minimum-length", FQC_LONG, &min_len, 0, 2000000000.0, "N", "drop reads shorter than N after trimming (0)"},
        {0, "max-n", FQC_STR, &max_n, 0, 0, "X",
         "drop reads with more N than X: a count when X >= 1, a fraction of the trimmed length when X < 1 (as "
         "cutadapt)"},
        {'o', "output", FQC_STR, (void *)&o->out1, 0, 0, "OUT1",
         "output (mate 1; paired input without -p: both mates, interleaved)"},
        {'p', "paired-output", FQC_STR, (void *)&o->out2, 0, 0, "OUT2",
         "mate 2 output (paired-end; --interleaved: split the mates)"},
        {0, "interleaved", FQC_FLAG, &o->interleaved, 0, 0, NULL, "the one input holds mates 1 and 2 alternately"},
        {0, "interleaved-output", FQC_FLAG, &o->interleaved_out, 0, 0, NULL,
         "write the pairs to OUT1, mate 1 then mate 2 (what paired input without -p does; no -p)"},
        {0, "unpaired", FQC_STR, (void *)&o->unpaired, 0, 0, "FILE",
         "the surviving read of a pair whose mate was dropped"},
        {0, "no-name-check", FQC_FLAG, &o->no_name_check, 0, 0, NULL, "do not compare mate names"},
        {0, "strict", FQC_FLAG, &o->strict, 0, 0, NULL,
         "IUPAC codes only in sequences (ACGTUN RYKMSWBDHV, '.', '-', '*'); default: any printable letter"},
        {'Z', "level", FQC_INT, &o->level, 1, 9, "N",
         "compression level 1..9 (default: the library's fastest within 10% of gzip -6: libdeflate 1, ISA-L 2, "
         "zlib 6)"},
        {0, "gzip-stream", FQC_FLAG, &o->gzip_stream, 0, 0, NULL, ".gz output as one gzip member, compressed on one thread"},
        {'j', "threads", FQC_INT, &o->threads, 1, FQP_MAX_THREADS, "N",
         "consumer threads (default: FASTQPAR_THREADS, else usable cores)"},
        {'t', NULL, FQC_INT, &o->threads, 1, FQP_MAX_THREADS, "N", "the same as -j"},
        {0, "gpu", FQC_SET, &o->gpu, FQP_GPU_FORCE, 0, NULL, "trim on the GPU; no usable GPU, or one failing, is an error"},
        {0, "cpu", FQC_SET, &o->gpu, FQP_GPU_OFF, 0, NULL, "never use the GPU (default: the GPU when usable)"},
        {0, "json", FQC_STR, (void *)&o->json, 0, 0, "FILE", "also write the summary as JSON to FILE ('-': stdout)"},
        {0, "multiqc", FQC_STR, (void *)&o->multiqc, 0, 0, "FILE",
         "also write the summary as MultiQC custom content (FILE must end in _mqc.json)"},
        {'v', "verbose", FQC_FLAG, &o->verbose, 0, 0, NULL, "say on stderr which path runs (CPU or GPU, and why)"},
        {'Q', "quiet", FQC_FLAG, &o->quiet, 0, 0, NULL, "no summary on stderr (warnings and errors still)"},
        {0, NULL, FQC_FLAG, NULL, 0, 0, NULL, NULL}};
    const fqc_cli cli = {"fqtrim", FQT_SYNOPSIS, FQT_ABOUT, opts, FQT_EPILOG};
    memset(o, 0, sizeof *o); /* the table holds o's addresses, not its values */
    o->max_n = -1;           /* no N filter */
    if ((st = fqc_parse(&cli, argc, argv, &n)) != FQC_GO) return st;
    if (n > 2) return fqc_fail(&cli, "too many inputs at '%s' (at most IN1 IN2)", argv[3]);
    for (i = 0; i < n; i++) o->in[o->inputs++] = argv[1 + i];
    if (qual && fqt_qualities(qual, &q5, &q))
        return fqc_fail(&cli, "-q: '%s' is not a quality 0..93 or 5',3' qualities (e.g. 5,20)", qual);
    if (max_n && fqt_max_n(max_n, &o->max_n))
        return fqc_fail(&cli, "--max-n: '%s' is not a count (>= 1) or a fraction (< 1)", max_n);
    o->min_len = (uint64_t)min_len;
    if (o->multiqc && !fqx_mqc_name_ok(o->multiqc))
        return fqc_fail(&cli, "--multiqc %s: the name must end in _mqc.json", o->multiqc);
    if (!o->out1) return fqc_fail(&cli, "no output: -o OUT1 is required");
    if (o->inputs == 0) {
        if (isatty(0)) return fqc_no_input(&cli);
        o->in[o->inputs++] = "-";
    }
    if (o->interleaved && o->inputs != 1) return fqc_fail(&cli, "--interleaved takes one input");
    if (o->inputs == 1 && !o->interleaved && o->out2) return fqc_fail(&cli, "-p needs two inputs or --interleaved");
    if (o->inputs == 1 && !o->interleaved && o->interleaved_out)
        return fqc_fail(&cli, "--interleaved-output needs paired input");
    if (o->interleaved_out && o->out2) return fqc_fail(&cli, "--interleaved-output writes both mates to -o: no -p");
    if (o->unpaired && o->inputs == 1 && !o->interleaved) return fqc_fail(&cli, "--unpaired needs paired input");
    if (window && q < 0) return fqc_fail(&cli, "--window needs -q QUALITY");
    if (window && q5 >= 0) return fqc_fail(&cli, "--window takes one quality (-q B), not a 5' cutoff");
    if (q >= 0) {
        o->trim.mode = window ? FQP_TRIM_WINDOW : FQP_TRIM_BWA;
        o->trim.threshold = (int)q;
        o->trim.window = window;
        o->trim.threshold5 = q5 > 0 ? (int)q5 : 0;
    }
    return FQC_GO;
}

static int fqt_open_output(const char *path, const fqt_options *o, fqp_writer **w)
{
    fqp_writer_desc wd;
    memset(&wd, 0, sizeof wd);
    wd.path = path;
    wd.format = fqp_format_from_name(path);
    if (o->gzip_stream && wd.format == FQP_FORMAT_BGZF) wd.format = FQP_FORMAT_GZIP;
    wd.level = o->level;
    return fqc_writer_open("fqtrim", w, &wd);
}

int main(int argc, char **argv)
{
    static fqt_run run; /* zeroed, atomics included */
    fqp_paired_desc d;
    fqp_writer *w[3] = {NULL, NULL, NULL};
    fqc_report json, mqc; /* --json, --multiqc */
    fqp_error err;
    fqp_result r;
    int i, status = 0, rc = fqt_parse(argc, argv, &run.o);
    double seconds = 0;
    if (rc != FQC_GO) return rc;
    {   /* before anything is read or created: no output is an input or another output */
        const fqc_file in[2] = {{"IN1", run.o.in[0]}, {"IN2", run.o.in[1]}};
        const fqc_file out[5] = {{"-o", run.o.out1}, {"-p", run.o.out2}, {"--unpaired", run.o.unpaired},
                                 {"--json", run.o.json}, {"--multiqc", run.o.multiqc}};
        if (fqc_check_files("fqtrim", in, run.o.inputs, out, 5)) return 2;
    }
    fqc_signals(); /* SIGPIPE (stdout closed: exit 141, quietly), SIGINT, SIGTERM, SIGHUP */
    memset(&d, 0, sizeof d);
    fqc_report_open(&mqc, "fqtrim", NULL);
    /* the reports first: an unwritable --json or --multiqc fails before any input is read */
    if (fqc_report_open(&json, "fqtrim", run.o.json) || fqc_report_open(&mqc, "fqtrim", run.o.multiqc)) {
        status = 1;
        goto done;
    }
    for (i = 0; i < run.o.inputs; i++) {
        char msg[512];
        if (fqx_open(&run.progress, run.o.in[i], &d.input[i], msg, sizeof msg) != 0) {
            fprintf(stderr, "fqtrim: %s\n", msg);
            status = 1;
            goto done;
        }
    }
    if (fqt_open_output(run.o.out1, &run.o, &w[FQT_OUT1]) ||
        (run.o.out2 && fqt_open_output(run.o.out2, &run.o, &w[FQT_OUT2])) ||
        (run.o.unpaired && fqt_open_output(run.o.unpaired, &run.o, &w[FQT_UNPAIRED]))) {
        status = 1;
        goto done;
    }
    if (fqt_gpu_open(&run) != 0) {
        status = 1;
        goto done;
    }
    d.interleaved = run.o.interleaved;
    d.no_name_check = run.o.no_name_check;
    if (run.o.strict) d.config.letters = FQP_LETTERS_IUPAC;
    d.config.threads = run.o.threads;
    for (i = 0; i < 3; i++) d.output[i] = w[i];
    d.state_size = sizeof(fqt_state);
    d.init = fqt_init;
    d.process = fqt_process;
    d.merge = fqt_merge;
    d.fini = fqt_fini;
    d.user = &run;
    fqx_start(&run.progress, "fqtrim");
    {
        static fqp_metrics m; /* large (per-consumer rows): not on the stack */
        r = fqp_paired_run(&d, &m, &err);
        run.inflate = m.gzip ? fqp_codec_name(m.inflate) : "none";
        run.deflate = fqp_writer_codec(w[FQT_OUT1]) == FQP_CODEC_ZLIB && fqp_format_from_name(run.o.out1) == FQP_FORMAT_PLAIN
                          ? "none" : fqp_codec_name(fqp_writer_codec(w[FQT_OUT1]));
    }
    seconds = fqx_now() - run.progress.start;
    fqx_finish(&run.progress);
    if (r < 0) {
        fprintf(stderr, "fqtrim: %s\n", err.message);
        status = 1;
    }
done:
    for (i = 0; i < 3; i++) /* a failed run leaves no partial file */
        if (fqc_writer_end("fqtrim", &w[i], status == 0)) status = 1;
    fqx_finish(&run.progress);
    fqp_cuda_close(run.cuda);
    run.cuda = NULL;
    if (status == 0 && run.o.json) fqt_json(json.text, &run, seconds);
    if (status == 0 && run.o.multiqc) fqt_multiqc(mqc.text, &run);
    if (fqc_report_end(&json, status == 0)) status = 1;
    if (fqc_report_end(&mqc, status == 0)) status = 1;
    if (status) return status;
    if (!run.o.quiet) fqt_summary(stderr, &run, seconds);
    return 0;
}
