/* ordered_writer - ordered output from many consumers: keep the reads of at
   least MIN bases and write them in input order, plain or BGZF.

   Build: make build/ordered_writer
   Run:   ordered_writer [-m MIN] IN OUT      (IN plain or gzip, "-" = stdin;
                                               OUT ending in .gz: BGZF)
   Prints "kept K of N reads" to stderr (not with -Q).

   Consumers finish batches in any order, yet OUT lists the kept reads
   exactly as IN does. The steps:
     1. fqp_writer_open makes the output stream; fqp_format_from_name picks
        BGZF for ".gz" (gzip-compatible, compressed in parallel).
     2. fqp_writer_output(w) becomes the pipeline's ordered sink: what
        process() appends to its batch with fqp_batch_write_record reaches
        OUT in batch order, whichever consumer finished first.
     3. fqp_writer_close writes the end of the stream (the BGZF EOF block),
        renames the finished file over OUT, and reports any write error the
        run did not already report; after a failed run fqp_writer_discard
        removes what was written instead. */
#define FASTQPAR_IMPLEMENTATION
#include "fastqpar.h"
#include "tools/fqcli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct kept {
    uint64_t in, out;
} kept;

typedef struct job {
    uint64_t min; /* read by every consumer, written by none */
    kept total;   /* written by merge() only */
} job;

/* Consumer thread, once per batch: the batch's output is private to this
   consumer until fqp_pipeline_run hands the batch to the ordered sink. */
static fqp_result keep_long(fqp_batch *b, void *state, void *user)
{
    kept *k = (kept *)state;
    uint64_t min = ((const job *)user)->min, i;
    for (i = 0; i < b->count; i++) {
        fqp_result r;
        if (b->seq_off[i + 1] - b->seq_off[i] < min) continue;
        /* appends "@header\nseq\n+\nqual\n" to this batch's output */
        if ((r = fqp_batch_write_record(b, i)) != FQP_OK) return r;
        k->out++;
    }
    k->in += b->count;
    return FQP_OK;
}

/* Calling thread, after every consumer stopped: no lock needed. */
static fqp_result merge(void *state, int consumer, void *user)
{
    const kept *k = (const kept *)state;
    job *j = (job *)user;
    (void)consumer;
    j->total.in += k->in;
    j->total.out += k->out;
    return FQP_OK;
}

int main(int argc, char **argv)
{
    job j = {100, {0, 0}};
    fqp_writer_desc wd;
    fqp_pipeline_desc d;
    fqp_writer *w = NULL;
    fqp_error err, close_err;
    fqp_result r, rc;
    int i = 1, n, quiet = 0, st;
    long long min = 100;
    const fqc_opt opts[] = {{'m', "min-length", FQC_LONG, &min, 0, 1e15, "MIN", "keep reads of MIN or more bases (100)"},
                            {'Q', "quiet", FQC_FLAG, &quiet, 0, 0, NULL, "no \"kept\" line"}, FQC_END};
    const fqc_cli cli = {"ordered_writer", "usage: ordered_writer [-m MIN] IN OUT\n", NULL, opts, NULL};
    if ((st = fqc_parse(&cli, argc, argv, &n)) != FQC_GO) return st;
    if (n != 2) return fqc_fail(&cli, "want IN and OUT, got %d operand%s", n, n == 1 ? "" : "s");
    j.min = (uint64_t)min;

    /* 1. The output: created now, so a bad OUT fails before any reading. */
    memset(&wd, 0, sizeof wd);
    wd.path = argv[i + 1];
    wd.format = fqp_format_from_name(wd.path); /* ".gz" -> BGZF, else plain */
    if (fqp_writer_open(&w, &wd, &err) != FQP_OK) {
        fprintf(stderr, "ordered_writer: %s\n", err.message);
        return 1;
    }

    /* 2. The run, with the writer as its ordered sink. */
    memset(&d, 0, sizeof d);
    d.input.path = argv[i];
    d.output = fqp_writer_output(w);
    d.state_size = sizeof(kept);
    d.process = keep_long;
    d.merge = merge;
    d.user = &j;
    r = fqp_pipeline_run(&d, NULL, &err);

    /* 3. A failed run discards the output (its temporary file is removed,
       an existing OUT stays as it was); a good one closes it, which renames
       the finished file over OUT. Both free w. */
    if (r < 0) {
        fqp_writer_discard(w);
        fprintf(stderr, "ordered_writer: %s\n", err.message);
        return 1;
    }
    rc = fqp_writer_close(w, &close_err);
    if (rc != FQP_OK) {
        fprintf(stderr, "ordered_writer: %s\n", close_err.message);
        return 1;
    }
    if (!quiet)
        fprintf(stderr, "kept %llu of %llu reads\n", (unsigned long long)j.total.out, (unsigned long long)j.total.in);
    return 0;
}
