/* manual_producer - the producer and consumer loop on threads you start
   yourself, instead of fqp_pipeline_run: for programs that already have
   worker threads, or that want to run other work beside the consumers.

   Build: make build/manual_producer
   Run:   manual_producer [-t THREADS] [FILE]     (plain or gzip; none: stdin)
   Prints records, bases and G+C bases, tab-separated.

   The steps (fqp_pipeline_run does the same inside):
     1. fqp_producer_create opens the input; config.threads sizes its batch
        pool, so it must be the number of consumer threads you start.
     2. One thread runs fqp_producer_run: it reads and cuts the input into
        batches, pushes them into the queue, and closes it at the end.
     3. Each consumer thread loops fqp_producer_next (which blocks until a
        batch is ready and parses it on this thread) and
        fqp_producer_release (which recycles the batch) until FQP_DONE, or
        until it returns the run's first error.
     4. After joining every thread: fqp_producer_finish gives the run's
        result and message, fqp_producer_destroy frees everything.
   Threads here are pthreads, which every POSIX system has (C11 <threads.h>
   is missing on macOS) and ThreadSanitizer follows. */
#define FASTQPAR_IMPLEMENTATION
#include "fastqpar.h"
#include "tools/fqcli.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_THREADS = 64 };

typedef struct consumer {
    fqp_producer *p;
    uint64_t records, bases, gc; /* this thread's own counts: no lock */
} consumer;

/* 2. The producer thread. Its result is also what fqp_producer_finish
   reports, so it is not kept here. */
static void *producer_main(void *arg)
{
    fqp_producer_run((fqp_producer *)arg);
    return NULL;
}

/* 3. A consumer thread. Only the thread holding a batch may read it, and
   every batch taken must be released, or the producer runs out of them. */
static void *consumer_main(void *arg)
{
    consumer *c = (consumer *)arg;
    fqp_batch *b;
    while (fqp_producer_next(c->p, &b) == FQP_OK) { /* FQP_DONE or an error ends the loop */
        uint64_t k;
        for (k = 0; k < b->bases; k++) {
            char base = b->seq[k]; /* every read's bases, back to back */
            c->gc += base == 'G' || base == 'C' || base == 'g' || base == 'c';
        }
        c->records += b->count;
        c->bases += b->bases;
        if (fqp_producer_release(c->p, b) != FQP_OK) break; /* only with ordered output */
    }
    return NULL;
}

int main(int argc, char **argv)
{
    static consumer c[MAX_THREADS];
    pthread_t tc[MAX_THREADS], tp;
    fqp_producer_desc pd;
    fqp_producer *p = NULL;
    fqp_error err;
    fqp_config cfg;
    int i, n, started = 0, ok = 1;
    uint64_t records = 0, bases = 0, gc = 0;
    const fqc_opt opts[] = {
        {'j', "threads", FQC_INT, &pd.config.threads, 1, MAX_THREADS, "N", "consumer threads to start (default: all)"},
        {'t', NULL, FQC_INT, &pd.config.threads, 1, MAX_THREADS, "N", "the same as -j"}, FQC_END};
    const fqc_cli cli = {"manual_producer", "usage: manual_producer [-j THREADS] [FILE]\n",
                         "Prints records, bases and G+C bases of FILE (plain or gzip; none: stdin).\n", opts, NULL};
    memset(&pd, 0, sizeof pd);
    if ((i = fqc_parse(&cli, argc, argv, &n)) != FQC_GO) return i;
    if (n > 1) return fqc_fail(&cli, "one FILE at most, not %d", n);
    pd.input.path = n ? argv[1] : "-";
    /* 0 means the default (FASTQPAR_THREADS or the usable cores): resolve
       it to know how many threads to start. */
    if (fqp_config_resolve(&pd.config, &cfg, &err) != FQP_OK) {
        fprintf(stderr, "manual_producer: %s\n", err.message);
        return 1;
    }
    n = cfg.threads < MAX_THREADS ? cfg.threads : MAX_THREADS;
    pd.config.threads = n;

    /* 1. Open the input (a missing file fails here). */
    if (fqp_producer_create(&p, &pd, &err) != FQP_OK) {
        fprintf(stderr, "manual_producer: %s\n", err.message);
        return 1;
    }

    /* 2. and 3. Start the producer and the consumers, then join them all. */
    if (pthread_create(&tp, NULL, producer_main, p) != 0) {
        fprintf(stderr, "manual_producer: cannot start the producer thread\n");
        fqp_producer_destroy(p);
        return 1;
    }
    for (started = 0; started < n; started++) {
        c[started].p = p;
        if (pthread_create(&tc[started], NULL, consumer_main, &c[started]) != 0) {
            fqp_error e;
            memset(&e, 0, sizeof e);
            e.code = FQP_ERR_THREAD;
            snprintf(e.message, sizeof e.message, "cannot start consumer thread %d", started);
            fqp_producer_fail(p, &e); /* wakes the producer and the consumers already started */
            break;
        }
    }
    for (i = 0; i < started; i++) pthread_join(tc[i], NULL);
    pthread_join(tp, NULL);

    /* 4. The run's first error, wherever it happened (bad input, a failed
       thread); records before a malformed record were still delivered. */
    if (fqp_producer_finish(p, NULL, &err) != FQP_OK) {
        fprintf(stderr, "manual_producer: %s\n", err.message);
        ok = 0;
    }
    fqp_producer_destroy(p);
    if (!ok) return 1;
    for (i = 0; i < started; i++) {
        records += c[i].records;
        bases += c[i].bases;
        gc += c[i].gc;
    }
    printf("%llu\t%llu\t%llu\n", (unsigned long long)records, (unsigned long long)bases, (unsigned long long)gc);
    return 0;
}
