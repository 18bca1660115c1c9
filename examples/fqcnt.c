/* fqcnt: count records and bases of a FASTQ file (plain or gzip, "-" = stdin).
   Prints records<TAB>sequence_bases<TAB>quality_bases, like the kseq.h fqcnt
   program of the biofast benchmark. Usage: fqcnt [-j THREADS] [-v] [FILE]
   -v prints the run's metrics to stderr: where the time went. The options
   follow the tools' conventions (examples/tools/fqcli.h: -h, --version). */
#define FASTQPAR_IMPLEMENTATION
#include "fastqpar.h"
#include "tools/fqcli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct count {
    uint64_t records, bases;
} count;

/* Consumer thread: add this batch to this consumer's own counts. */
static fqp_result count_batch(fqp_batch *b, void *state, void *user)
{
    count *c = (count *)state;
    (void)user;
    c->records += b->count;
    c->bases += b->bases;
    return FQP_OK;
}

/* Calling thread, after every consumer has stopped. */
static fqp_result merge_count(void *state, int consumer, void *user)
{
    count *c = (count *)state, *total = (count *)user;
    (void)consumer;
    total->records += c->records;
    total->bases += c->bases;
    return FQP_OK;
}

int main(int argc, char **argv)
{
    count total = {0, 0};
    fqp_pipeline_desc d;
    fqp_metrics m;
    fqp_error err;
    int i, n, verbose = 0, strict = 0;
    const fqc_opt opts[] = {
        {'j', "threads", FQC_INT, &d.config.threads, 1, FQP_MAX_THREADS, "N", "consumer threads (default: all cores)"},
        {'t', NULL, FQC_INT, &d.config.threads, 1, FQP_MAX_THREADS, "N", "the same as -j"},
        {'v', "verbose", FQC_FLAG, &verbose, 0, 0, NULL, "the run's metrics on stderr"},
        {0, "strict", FQC_FLAG, &strict, 0, 0, NULL, "IUPAC letters only in sequences (config.letters)"}, FQC_END};
    const fqc_cli cli = {"fqcnt", "usage: fqcnt [-j THREADS] [-v] [--strict] [FILE]\n",
                         "Prints records, sequence and quality bases of FILE (plain or gzip; '-': stdin).\n", opts,
                         NULL};
    memset(&d, 0, sizeof d);
    if ((i = fqc_parse(&cli, argc, argv, &n)) != FQC_GO) return i;
    if (n > 1) return fqc_fail(&cli, "one FILE at most, not %d", n);
    if (n == 0 && isatty(0)) return fqc_no_input(&cli);
    d.input.path = n ? argv[1] : "-";
    if (strict) d.config.letters = FQP_LETTERS_IUPAC;
    d.state_size = sizeof(count);
    d.process = count_batch;
    d.merge = merge_count;
    d.user = &total;
    if (fqp_pipeline_run(&d, &m, &err) < 0) {
        fprintf(stderr, "fqcnt: %s\n", err.message);
        return 1;
    }
    if (verbose) {
        fprintf(stderr,
                "wall %.3f s, %.2f GB/s of text; producer: read %.3f s, blocked %.3f s; "
                "consumers waited %.3f s in all; queue high water %zu, %zu batches allocated\n",
                m.wall_seconds, (double)m.input_bytes / m.wall_seconds / 1e9, m.producer_read_seconds,
                m.producer_blocked_seconds, m.consumer_wait_seconds, m.queue_high_water, m.batch_pool);
        if (m.gzip) fprintf(stderr, "  inflate: %s (%s)\n", fqp_codec_name(m.inflate), m.bgzf ? "BGZF blocks" : "gzip stream");
        if (m.bgzf) fprintf(stderr, "  BGZF: the producer waited %.3f s for consumers to inflate\n",
                            m.producer_inflate_wait_seconds);
        if (m.gzip_parallel_members)
            fprintf(stderr,
                    "  parallel gzip: %llu members in %llu chunks, %llu redone; text %.1f MB speculative, %.1f MB "
                    "known window, %.1f MB by zlib; the producer waited %.3f s for consumers\n",
                    (unsigned long long)m.gzip_parallel_members, (unsigned long long)m.gzip_chunks,
                    (unsigned long long)m.gzip_chunks_redone, m.gzip_speculative_bytes / 1e6,
                    m.gzip_known_window_bytes / 1e6, m.gzip_redone_bytes / 1e6, m.producer_inflate_wait_seconds);
        for (i = 0; i < m.threads; i++)
            fprintf(stderr, "  consumer %d: %llu batches, busy %.3f s, waited %.3f s\n", i,
                    (unsigned long long)m.consumer[i].batches, m.consumer[i].busy_seconds,
                    m.consumer[i].wait_seconds);
    }
    /* after validation sequence and quality lengths are equal by construction */
    printf("%llu\t%llu\t%llu\n", (unsigned long long)total.records, (unsigned long long)total.bases,
           (unsigned long long)total.bases);
    return 0;
}
