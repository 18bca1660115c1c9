/* Shutdown races: thousands of short pipeline runs, each ending one of four
   ways (normal end, early stop, located consumer error, read error), with
   random consumer counts, batch limits, queue depths and random delays in
   the producer's reads and in the consumers. Every run must return the
   exact outcome; a watchdog fails the program if any run hangs. Built under
   TSan by `make sanitize`. FQP_RACE_RUNS sets the number of runs (default
   2000; 300 in the ASan pass). */
#define _POSIX_C_SOURCE 200809L /* nanosleep, sched_yield */
#define FASTQPAR_IMPLEMENTATION
#include "fastqpar.h"
#include "test.h"

#include "helpers.h"
#include "thread.h"
#include <sched.h>
#include <stdatomic.h>

#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif
#ifndef UNDER_TSAN
#define UNDER_TSAN 0
#endif

static atomic_int current_run;
static void run_hung(char *what, size_t size) { snprintf(what, size, "run %d hung", atomic_load(&current_run)); }

#define RECORDS 240

static char *make_input(size_t *size)
{
    static const th_reads shape = {.name = "q", .len_mod = 29, .qual_first = '5', .qual_mod = 9};
    return th_make_reads(&shape, RECORDS, size, NULL);
}

static uint64_t next_rand(uint64_t *x)
{
    *x = *x * 6364136223846793005ull + 1442695040888963407ull;
    return *x >> 33;
}

/* A random pause: nothing, a yield, a spin or a sleep of up to 50 us. */
static void jitter(uint64_t *x)
{
    uint64_t r = next_rand(x) % 16;
    if (r < 8) return;
    if (r < 11) {
        sched_yield();
    } else if (r < 14) {
        static atomic_int spin; /* a busy wait the compiler keeps */
        int i, n = (int)(next_rand(x) % 2000);
        for (i = 0; i < n; i++) atomic_fetch_add_explicit(&spin, 1, memory_order_relaxed);
    } else {
        struct timespec ts;
        ts.tv_sec = 0;
        ts.tv_nsec = (long)(next_rand(x) % 50000);
        nanosleep(&ts, NULL);
    }
}

enum { END_NORMAL, END_STOP, END_ERROR, END_READ_ERROR, END_KINDS };

typedef struct plan {
    int kind;
    uint64_t at_batch;     /* END_STOP / END_ERROR: the batch that stops or fails */
    uint64_t seed;
    atomic_int hits[RECORDS];   /* successful process() calls per batch index */
} plan;

typedef struct tally {
    uint64_t records, number_sum;
    uint64_t rng;
} tally;

static fqp_result init_consumer(void *state, int consumer, void *user)
{
    tally *t = (tally *)state;
    plan *p = (plan *)user;
    t->rng = p->seed ^ ((uint64_t)consumer * 0x9e3779b97f4a7c15ull);
    return FQP_OK;
}

static fqp_result process(fqp_batch *b, void *state, void *user)
{
    tally *t = (tally *)state;
    plan *p = (plan *)user;
    uint64_t i;
    jitter(&t->rng);
    if (p->kind == END_ERROR && b->index == p->at_batch)
        return fqp_batch_error(b, 0, FQP_ERR_CONSUMER, "planned failure");
    for (i = 0; i < b->count; i++) t->number_sum += b->first_record + i + 1;
    t->records += b->count;
    if (b->index < RECORDS) atomic_fetch_add(&p->hits[b->index], 1);
    jitter(&t->rng);
    if (p->kind == END_STOP && b->index == p->at_batch) return FQP_STOP;
    return FQP_OK;
}

typedef struct totals {
    uint64_t records, number_sum;
} totals;
static totals merged;

static fqp_result merge(void *state, int consumer, void *user)
{
    tally *t = (tally *)state;
    (void)consumer;
    (void)user;
    merged.records += t->records;
    merged.number_sum += t->number_sum;
    return FQP_OK;
}

typedef struct slow_reader {
    const char *data;
    size_t size, pos, fail_at; /* fail_at == size + 1: never */
    uint64_t rng;
} slow_reader;

static int64_t slow_read(void *user, void *buf, size_t size)
{
    slow_reader *s = (slow_reader *)user;
    size_t n = 1 + (size_t)(next_rand(&s->rng) % 400);
    jitter(&s->rng);
    if (s->pos >= s->fail_at) return -1;
    if (n > size) n = size;
    if (n > s->size - s->pos) n = s->size - s->pos;
    if (s->pos + n > s->fail_at) n = s->fail_at - s->pos;
    memcpy(buf, s->data + s->pos, n);
    s->pos += n;
    return (int64_t)n;
}

static void test_start_stop_thousands(void)
{
    size_t size;
    char *text = make_input(&size);
    const char *env = getenv("FQP_RACE_RUNS"), *quick = getenv("FQP_TEST_QUICK");
    /* TSan, the race finder, always gets the thousands; the ASan pass
       (FQP_TEST_QUICK) a few hundred, for use-after-free on shutdown paths */
    int runs = env ? atoi(env) : quick && quick[0] == '1' && !UNDER_TSAN ? 300 : 2000, run,
        kinds[END_KINDS] = {0, 0, 0, 0};
    uint64_t x = 20261125;
    for (run = 0; run < runs; run++) {
        plan *p = (plan *)calloc(1, sizeof *p);
        slow_reader sr;
        fqp_pipeline_desc d = th_pipeline_desc(text, size, 0, 0);
        fqp_error err;
        fqp_result r;
        uint64_t br = 1 + next_rand(&x) % 40, batches = (RECORDS + br - 1) / br, i;
        atomic_store(&current_run, run);
        p->kind = (int)(next_rand(&x) % END_KINDS);
        p->at_batch = next_rand(&x) % batches;
        p->seed = next_rand(&x);
        kinds[p->kind]++;
        memset(&sr, 0, sizeof sr);
        sr.data = text;
        sr.size = size;
        sr.fail_at = p->kind == END_READ_ERROR ? next_rand(&x) % size : size + 1;
        sr.rng = next_rand(&x);
        memset(&merged, 0, sizeof merged);
        if ((next_rand(&x) & 1) || p->kind == END_READ_ERROR) { /* a read error needs the callback */
            memset(&d.input, 0, sizeof d.input);
            d.input.read = slow_read;
            d.input.read_user = &sr;
        }
        d.config.threads = 1 + (int)(next_rand(&x) % 8);
        d.config.batch_records = br;
        d.config.queue_depth = (size_t)(next_rand(&x) % 4); /* 0: default */
        d.state_size = sizeof(tally);
        d.init = init_consumer;
        d.process = process;
        d.merge = merge;
        d.user = p;
        r = fqp_pipeline_run(&d, NULL, &err);
        atomic_fetch_add(&test_progress, 1);
        for (i = 0; i < batches; i++) CHECK(atomic_load(&p->hits[i]) <= 1);
        switch (p->kind) {
        case END_NORMAL:
            CHECK_EQ_INT(r, FQP_OK);
            CHECK_EQ_U64(merged.records, RECORDS);
            CHECK_EQ_U64(merged.number_sum, (uint64_t)RECORDS * (RECORDS + 1) / 2);
            break;
        case END_STOP:
            CHECK_EQ_INT(r, FQP_STOP);
            CHECK_EQ_INT(atomic_load(&p->hits[p->at_batch]), 1);
            break;
        case END_ERROR:
            CHECK_EQ_INT(r, FQP_ERR_CONSUMER);
            CHECK_EQ_U64(err.record, p->at_batch * br + 1);
            CHECK_EQ_INT(atomic_load(&p->hits[p->at_batch]), 0);
            for (i = 0; i < p->at_batch; i++) CHECK_EQ_INT(atomic_load(&p->hits[i]), 1);
            break;
        default:
            CHECK_EQ_INT(r, FQP_ERR_READ);
            CHECK_EQ_INT(err.code, FQP_ERR_READ);
            break;
        }
        if (fqpt_failed) {
            fprintf(stderr, "  run %d: kind %d, at batch %llu, batch_records %llu, result %d: %s\n", run, p->kind,
                    (unsigned long long)p->at_batch, (unsigned long long)br, (int)r, err.message);
            free(p);
            break;
        }
        free(p);
    }
    for (run = 0; run < END_KINDS; run++) CHECK(runs < 100 || kinds[run] > runs / 8);
    free(text);
}

int main(void)
{
    test_watchdog_start(30, run_hung); /* one run takes milliseconds, even under TSan */
    RUN(test_start_stop_thousands);
    TEST_EXIT();
}
