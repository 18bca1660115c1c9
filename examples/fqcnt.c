/* fqcnt: count records and bases of a FASTQ file (plain or gzip, "-" = stdin).
   Prints records<TAB>sequence_bases<TAB>quality_bases, like the kseq.h fqcnt
   program of the biofast benchmark. Usage: fqcnt [-t THREADS] [-v] [FILE]
   -v prints the run's metrics to stderr: where the time went.               */
#define FASTQPAR_IMPLEMENTATION
#include "fastqpar.h"

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
    int i, verbose = 0;
    memset(&d, 0, sizeof d);
    d.input.path = "-";
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) {
            d.config.threads = atoi(argv[++i]);
        } else if (strcmp(argv[i], "-v") == 0) {
            verbose = 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "usage: fqcnt [-t THREADS] [-v] [FILE|-]\n");
            return 2;
        } else {
            d.input.path = argv[i];
        }
    }
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
