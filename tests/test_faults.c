/* Fault injection: allocation failure at the k-th allocation for every k,
   a consumer failing on batch k for every k, read errors at every byte of a
   pipeline run. Each run must end with the right code, join its threads
   (fqp_pipeline_run returns), free everything it allocated, and, where it
   succeeds, deliver every record exactly once. */
#define _POSIX_C_SOURCE 200809L /* nanosleep */
#define FASTQPAR_IMPLEMENTATION
#include "fastqpar.h"
#include "test.h"

#include "helpers.h"
#include "thread.h"
#include <stdatomic.h>

/* ---- input: n records, record i has 1 + i % 37 bases ---- */

static char *make_input(int n, size_t *size, uint64_t *bases)
{
    static const th_reads shape = {.name = "r", .comment = "c", .len_mod = 37, .alphabet = "ACGT",
                                     .qual_first = '!', .qual_mod = 60, .qual_mul = 7};
    return th_make_reads(&shape, n, size, bases);
}

/* ---- an allocator that fails the k-th allocation and counts live blocks ---- */

typedef struct failing_alloc {
    atomic_long calls;     /* alloc + realloc calls so far */
    long fail_at;          /* 1-based call that fails (0: never) */
    atomic_int failed;     /* the failing call happened */
    atomic_long live;      /* blocks allocated and not yet freed */
} failing_alloc;

static int fa_should_fail(failing_alloc *f)
{
    long n = atomic_fetch_add(&f->calls, 1) + 1;
    if (f->fail_at && n == f->fail_at) {
        atomic_store(&f->failed, 1);
        return 1;
    }
    return 0;
}
static void *fa_alloc(size_t size, void *user)
{
    failing_alloc *f = (failing_alloc *)user;
    void *p;
    if (fa_should_fail(f)) return NULL;
    p = malloc(size ? size : 1);
    if (p) atomic_fetch_add(&f->live, 1);
    return p;
}
static void *fa_realloc(void *ptr, size_t old_size, size_t new_size, void *user)
{
    failing_alloc *f = (failing_alloc *)user;
    void *p;
    (void)old_size;
    if (fa_should_fail(f)) return NULL;
    p = realloc(ptr, new_size ? new_size : 1);
    if (p && !ptr) atomic_fetch_add(&f->live, 1);
    return p;
}
static void fa_free(void *ptr, void *user)
{
    failing_alloc *f = (failing_alloc *)user;
    if (ptr) atomic_fetch_sub(&f->live, 1);
    free(ptr);
}

/* ---- consumer: exact per-batch accounting ---- */

#define MAX_BATCHES 4096
typedef struct tally {
    uint64_t records, bases, name_sum;
} tally;

static atomic_int seen[MAX_BATCHES]; /* times each batch index reached process() successfully */
static int fail_batch = -1;          /* process() fails on this batch index */
static int fail_with_batch_error;    /* located error (fqp_batch_error) vs plain code */
static int write_records;

static fqp_result count_batch(fqp_batch *b, void *state, void *user)
{
    tally *t = (tally *)state;
    uint64_t i;
    (void)user;
    if ((int)b->index == fail_batch) {
        if (fail_with_batch_error) return fqp_batch_error(b, 1, FQP_ERR_CONSUMER, "fails on purpose");
        return FQP_ERR_CONSUMER;
    }
    for (i = 0; i < b->count; i++) {
        fqp_record r = fqp_batch_record(b, i);
        t->name_sum += r.number;
        if (write_records) {
            fqp_result w = fqp_batch_write_record(b, i);
            if (w != FQP_OK) return w;
        }
    }
    t->records += b->count;
    t->bases += b->bases;
    if (b->index < MAX_BATCHES) atomic_fetch_add(&seen[b->index], 1);
    return FQP_OK;
}

static fqp_result add_tally(void *state, int consumer, void *user)
{
    tally *t = (tally *)state, *all = (tally *)user;
    (void)consumer;
    all->records += t->records;
    all->bases += t->bases;
    all->name_sum += t->name_sum;
    return FQP_OK;
}

typedef th_membuf sink;

/* count_batch over `input`, its tallies merged into *all. */
static fqp_pipeline_desc tally_desc(fqp_input_desc input, int threads, uint64_t batch_records, size_t read_size,
                                    tally *all)
{
    fqp_pipeline_desc d = th_pipeline_desc(NULL, 0, threads, batch_records);
    memset(all, 0, sizeof *all);
    d.input = input;
    d.config.read_size = read_size;
    d.state_size = sizeof(tally);
    d.process = count_batch;
    d.merge = add_tally;
    d.user = all;
    return d;
}

typedef struct scenario {
    const void *data;
    size_t size;
    int threads;
    uint64_t batch_records, batch_bytes;
    size_t read_size;
    int ordered;
} scenario;

static fqp_result run_scenario(const scenario *sc, failing_alloc *fa, tally *all, sink *out, fqp_error *err)
{
    fqp_input_desc in;
    fqp_pipeline_desc d;
    int i;
    for (i = 0; i < MAX_BATCHES; i++) atomic_store(&seen[i], 0);
    memset(&in, 0, sizeof in);
    in.data = sc->data;
    in.size = sc->size;
    in.name = "f.fq";
    d = tally_desc(in, sc->threads, sc->batch_records, sc->read_size, all);
    d.config.batch_bytes = sc->batch_bytes;
    if (fa) {
        d.config.allocator.alloc = fa_alloc;
        d.config.allocator.realloc = fa_realloc;
        d.config.allocator.free = fa_free;
        d.config.allocator.user = fa;
    }
    if (sc->ordered) {
        d.output.write = th_mem_write;
        d.output.write_user = out;
    }
    return fqp_pipeline_run(&d, NULL, err);
}

static uint64_t expected_name_sum(uint64_t n) { return n * (n + 1) / 2; }

/* For each scenario: a clean run counts the allocations N; then every k in
   1..N+8 fails the k-th one. The failing run ends FQP_ERR_NOMEM with nothing
   live; a run whose k-th allocation never comes is complete and exact. */
static void test_alloc_failure_every_k(void)
{
    uint64_t bases;
    size_t size, gzsize;
    char *text = make_input(300, &size, &bases);
    unsigned char *gz = (unsigned char *)malloc(size + 1024);
    scenario sc[4];
    int s;
    gzsize = th_gzip(text, size, 6, gz, size + 1024);
    memset(sc, 0, sizeof sc);
    /* plain, 1 consumer, many small batches */
    sc[0].data = text, sc[0].size = size, sc[0].threads = 1, sc[0].batch_records = 17, sc[0].read_size = 100;
    /* gzip, 3 consumers, ordered output */
    sc[1].data = gz, sc[1].size = gzsize, sc[1].threads = 3, sc[1].batch_records = 29, sc[1].read_size = 333;
    sc[1].ordered = 1;
    /* plain, 2 consumers, byte-limited batches that records cross */
    sc[2].data = text, sc[2].size = size, sc[2].threads = 2, sc[2].batch_bytes = 150, sc[2].read_size = 64;
    /* defaults (1 MiB batches): the one big allocation path */
    sc[3].data = text, sc[3].size = size, sc[3].threads = 2;
    write_records = 0;
    fail_batch = -1;
    for (s = 0; s < 4; s++) {
        failing_alloc fa;
        tally all;
        sink out;
        fqp_error err;
        long k, clean_calls;
        memset(&fa, 0, sizeof fa);
        memset(&out, 0, sizeof out);
        write_records = sc[s].ordered;
        CHECK_EQ_INT(run_scenario(&sc[s], &fa, &all, &out, &err), FQP_OK);
        CHECK_EQ_U64(all.records, 300);
        CHECK_EQ_INT(atomic_load(&fa.live), 0);
        clean_calls = atomic_load(&fa.calls);
        CHECK(clean_calls > 5);
        free(out.data);
        /* thread timing changes how often consumer arrays grow: scan past N */
        for (k = 1; k <= clean_calls + 8; k++) {
            fqp_result r;
            memset(&fa, 0, sizeof fa);
            memset(&out, 0, sizeof out);
            fa.fail_at = k;
            r = run_scenario(&sc[s], &fa, &all, &out, &err);
            atomic_fetch_add(&test_progress, 1);
            if (atomic_load(&fa.failed)) {
                CHECK_EQ_INT(r, FQP_ERR_NOMEM);
                CHECK_EQ_INT(err.code, FQP_ERR_NOMEM);
                if (r != FQP_ERR_NOMEM) fprintf(stderr, "  scenario %d, k %ld: %s\n", s, k, err.message);
            } else {
                CHECK_EQ_INT(r, FQP_OK);
                CHECK_EQ_U64(all.records, 300);
                CHECK_EQ_U64(all.bases, bases);
                CHECK_EQ_U64(all.name_sum, expected_name_sum(300));
                if (sc[s].ordered) CHECK(out.len == size && memcmp(out.data, text, size) == 0);
            }
            CHECK_EQ_INT(atomic_load(&fa.live), 0);
            free(out.data);
        }
    }
    write_records = 0;
    free(gz);
    free(text);
}

/* A consumer failing on batch k, for every k and 1..4 consumers. A located
   error (fqp_batch_error at record 1 of batch k) is the run's error with its
   exact record; every batch before k is processed exactly once (they drain),
   none twice, and batch k never counts. A plain error code cancels at once:
   the code is exact and nothing is counted twice. */
static void test_consumer_fails_on_batch_k(void)
{
    uint64_t bases;
    size_t size;
    char *text = make_input(400, &size, &bases);
    const uint64_t br = 13;
    const int batches = (int)((400 + br - 1) / br);
    int threads, k, located;
    write_records = 0;
    for (located = 1; located >= 0; located--)
        for (threads = 1; threads <= 4; threads++)
            for (k = 0; k <= batches; k++) {
                scenario sc;
                tally all;
                fqp_error err;
                fqp_result r;
                int i;
                memset(&sc, 0, sizeof sc);
                sc.data = text, sc.size = size, sc.threads = threads, sc.batch_records = br;
                fail_batch = k;
                fail_with_batch_error = located;
                r = run_scenario(&sc, NULL, &all, NULL, &err);
                atomic_fetch_add(&test_progress, 1);
                for (i = 0; i < batches; i++) CHECK(atomic_load(&seen[i]) <= 1);
                if (k == batches) { /* no such batch: a clean, complete run */
                    CHECK_EQ_INT(r, FQP_OK);
                    CHECK_EQ_U64(all.records, 400);
                    CHECK_EQ_U64(all.name_sum, expected_name_sum(400));
                    for (i = 0; i < batches; i++) CHECK_EQ_INT(atomic_load(&seen[i]), 1);
                    continue;
                }
                CHECK_EQ_INT(r, FQP_ERR_CONSUMER);
                CHECK_EQ_INT(err.code, FQP_ERR_CONSUMER);
                CHECK_EQ_INT(atomic_load(&seen[k]), 0);
                if (located) {
                    CHECK_EQ_U64(err.record, (uint64_t)k * br + 2);
                    CHECK_EQ_U64(err.line, ((uint64_t)k * br + 1) * 4 + 1);
                    for (i = 0; i < k; i++) CHECK_EQ_INT(atomic_load(&seen[i]), 1);
                }
            }
    fail_batch = -1;
    fail_with_batch_error = 0;
    free(text);
}

/* ---- read errors at every byte, through the whole pipeline ---- */

typedef struct failing_reader {
    const char *data;
    size_t size, pos, fail_at, chunk;
} failing_reader;

static int64_t failing_read(void *user, void *buf, size_t size)
{
    failing_reader *f = (failing_reader *)user;
    size_t n = f->chunk;
    if (f->pos >= f->fail_at) return -1;
    if (n > size) n = size;
    if (n > f->fail_at - f->pos) n = f->fail_at - f->pos;
    memcpy(buf, f->data + f->pos, n);
    f->pos += n;
    return (int64_t)n;
}

static void test_read_error_every_byte(void)
{
    uint64_t bases;
    size_t size, at;
    char *text = make_input(12, &size, &bases);
    fail_batch = -1;
    write_records = 0;
    for (at = 0; at < size; at++) {
        failing_reader f;
        fqp_input_desc in;
        fqp_pipeline_desc d;
        tally all;
        fqp_error err;
        fqp_result r;
        memset(&f, 0, sizeof f);
        f.data = text, f.size = size, f.fail_at = at, f.chunk = 1 + at % 7;
        memset(&in, 0, sizeof in);
        in.read = failing_read;
        in.read_user = &f;
        d = tally_desc(in, 1 + (int)(at % 3), 1 + at % 4, 1 + at % 11, &all);
        r = fqp_pipeline_run(&d, NULL, &err);
        atomic_fetch_add(&test_progress, 1);
        CHECK_EQ_INT(r, FQP_ERR_READ);
        CHECK_EQ_INT(err.code, FQP_ERR_READ);
        CHECK(strstr(err.message, "<callback>") != NULL);
    }
    free(text);
}

static void no_run_finished(char *what, size_t size) { snprintf(what, size, "no run finished"); }

int main(void)
{
    test_watchdog_start(60, no_run_finished);
    RUN(test_alloc_failure_every_k);
    RUN(test_consumer_fails_on_batch_k);
    RUN(test_read_error_every_byte);
    TEST_EXIT();
}
