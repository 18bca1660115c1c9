/* paired_filter - paired files in lockstep: keep a pair only when both mates
   pass a filter, and write the kept pairs in input order to two outputs.

   Build: make build/paired_filter
   Run:   paired_filter [-q MEANQ] [-m MINLEN] IN1 IN2 OUT1 OUT2
          (inputs plain or gzip; an output ending in .gz is BGZF)
   A mate passes when it has at least MINLEN bases (default 50) and a mean
   Phred quality of at least MEANQ (default 20). Prints "kept P of N pairs"
   (not with -Q).

   The steps:
     1. Two fqp_writers, one per mate, opened before the run.
     2. fqp_paired_run reads IN1 and IN2 in lockstep: process() gets an
        fqp_pair whose record i of mate 0 and of mate 1 are the two halves
        of one pair (names checked: "r7/1" matches "r7/2"), and a file
        ending early is an error naming it.
     3. process() appends each kept mate to output 0 or 1 of its pair with
        fqp_pair_write_record; each writer receives the pairs in input
        order, whichever consumer finished first.
     4. Close both writers (their stream ends and write errors). */
#define FASTQPAR_IMPLEMENTATION
#include "fastqpar.h"
#include "tools/fqcli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct filter {
    long min_mean_q, min_len; /* read by every consumer, written by none */
    uint64_t pairs, kept;     /* written by merge() only */
} filter;

typedef struct counts {
    uint64_t pairs, kept;
} counts;

/* Integer test: sum of Q >= MEANQ x length, so no rounding decides. */
static int passes(const filter *f, const fqp_record *r)
{
    uint64_t sum = 0, k;
    if (r->len < (uint64_t)f->min_len) return 0;
    for (k = 0; k < r->len; k++) sum += (uint64_t)(r->qual[k] - 33); /* validated: '!'..'~' */
    return sum >= (uint64_t)f->min_mean_q * r->len;
}

/* Consumer thread, once per batch of pairs. */
static fqp_result filter_pairs(fqp_pair *pair, void *state, void *user)
{
    const filter *f = (const filter *)user;
    counts *c = (counts *)state;
    uint64_t i;
    for (i = 0; i < pair->count; i++) {
        fqp_record r1 = fqp_pair_record(pair, 0, i), r2 = fqp_pair_record(pair, 1, i);
        fqp_result res;
        c->pairs++;
        if (!passes(f, &r1) || !passes(f, &r2)) continue; /* both or neither: the files stay paired */
        if ((res = fqp_pair_write_record(pair, 0, &r1, 0, r1.len)) != FQP_OK ||
            (res = fqp_pair_write_record(pair, 1, &r2, 0, r2.len)) != FQP_OK)
            return res;
        c->kept++;
    }
    return FQP_OK;
}

/* Calling thread, after every consumer stopped: no lock needed. */
static fqp_result merge(void *state, int consumer, void *user)
{
    const counts *c = (const counts *)state;
    filter *f = (filter *)user;
    (void)consumer;
    f->pairs += c->pairs;
    f->kept += c->kept;
    return FQP_OK;
}

int main(int argc, char **argv)
{
    filter f = {20, 50, 0, 0};
    fqp_paired_desc d;
    fqp_writer *w[2] = {NULL, NULL};
    fqp_error err, close_err;
    fqp_result r = FQP_OK;
    int i = 1, k, n, status = 0, quiet = 0, q = 20, m = 50;
    const fqc_opt opts[] = {{'q', "mean-quality", FQC_INT, &q, 0, 93, "MEANQ", "both mates' mean quality at least (20)"},
                            {'m', "min-length", FQC_INT, &m, 0, 1000000000, "MINLEN", "both mates' length at least (50)"},
                            {'Q', "quiet", FQC_FLAG, &quiet, 0, 0, NULL, "no \"kept\" line"}, FQC_END};
    const fqc_cli cli = {"paired_filter", "usage: paired_filter [-q MEANQ] [-m MINLEN] IN1 IN2 OUT1 OUT2\n", NULL, opts,
                         NULL};
    if ((status = fqc_parse(&cli, argc, argv, &n)) != FQC_GO) return status;
    if (n != 4) return fqc_fail(&cli, "want IN1 IN2 OUT1 OUT2, got %d operand%s", n, n == 1 ? "" : "s");
    f.min_mean_q = q, f.min_len = m, status = 0;
    memset(&d, 0, sizeof d);

    /* 1. One writer per mate; ".gz" -> BGZF, compressed by the consumers. */
    for (k = 0; k < 2; k++) {
        fqp_writer_desc wd;
        memset(&wd, 0, sizeof wd);
        wd.path = argv[i + 2 + k];
        wd.format = fqp_format_from_name(wd.path);
        if (fqp_writer_open(&w[k], &wd, &err) != FQP_OK) {
            fprintf(stderr, "paired_filter: %s\n", err.message);
            status = 1;
            goto close;
        }
        d.output[k] = w[k];
        d.input[k].path = argv[i + k];
    }

    /* 2. and 3. The lockstep run; the writers are not closed by it. */
    d.state_size = sizeof(counts);
    d.process = filter_pairs;
    d.merge = merge;
    d.user = &f;
    r = fqp_paired_run(&d, NULL, &err);
    if (r < 0) {
        fprintf(stderr, "paired_filter: %s\n", err.message);
        status = 1;
    }

close: /* 4. A failed run discards both outputs (no partial file is left, an
          existing one stays as it was); a good run closes them (each is
          renamed over its target). Both free. */
    for (k = 0; k < 2; k++) {
        if (status != 0) fqp_writer_discard(w[k]);
        else if (fqp_writer_close(w[k], &close_err) != FQP_OK) {
            fprintf(stderr, "paired_filter: %s\n", close_err.message);
            status = 1;
        }
    }
    if (status == 0 && !quiet)
        fprintf(stderr, "kept %llu of %llu pairs\n", (unsigned long long)f.kept, (unsigned long long)f.pairs);
    return status;
}
