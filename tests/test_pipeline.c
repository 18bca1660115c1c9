/* Pipeline tests: identical totals for 1..16 consumers, ordered output equal
   to single-threaded output, early stop, errors from producer and consumer,
   manual mode. A watchdog fails the program if anything hangs. */
#define _POSIX_C_SOURCE 200809L /* setenv in the environment test */
#define FASTQPAR_IMPLEMENTATION
#include "fastqpar.h"
#include "test.h"

#include "helpers.h"
#include "thread.h"
#include <stdatomic.h>

/* ---- input: record i has 1 + i % 150 random bases ---- */

static char *make_input(int n, size_t *size)
{
    static const th_reads shape = {.name = "read", .lane = 1, .len_mod = 150, .seed = 12345,
                                     .qual_first = '#', .qual_mod = 40};
    return th_make_reads(&shape, n, size, NULL);
}

typedef struct totals {
    uint64_t records, bases, gc, qsum, batches, name_hash;
    uint64_t max_index_seen;
} totals;

typedef struct run_opts {
    int stop_after_records;   /* process returns FQP_STOP once a batch covers this record (0: never) */
    int fail_on_batch;        /* process fails on this batch index + 1 (0: never) */
    int use_batch_error;
    int write_records;        /* ordered output of every record */
    int init_fails;
    int merge_fails;
} run_opts;

static run_opts opts;

static fqp_result tally(fqp_batch *b, void *state, void *user)
{
    totals *t = (totals *)state;
    uint64_t i, k;
    (void)user;
    if (opts.fail_on_batch && b->index + 1 == (uint64_t)opts.fail_on_batch) {
        if (opts.use_batch_error) return fqp_batch_error(b, 1, FQP_ERR_CONSUMER, "bad record on purpose");
        return FQP_ERR_CONSUMER;
    }
    for (i = 0; i < b->count; i++) {
        fqp_record r = fqp_batch_record(b, i);
        for (k = 0; k < r.len; k++) {
            t->gc += r.seq[k] == 'G' || r.seq[k] == 'C';
            t->qsum += (uint64_t)(r.qual[k] - 33);
        }
        {   /* a sum of per-record hashes: independent of which consumer saw which batch */
            uint64_t h = r.number;
            for (k = 0; k < r.name_len; k++) h = h * 31 + (unsigned char)r.name[k];
            t->name_hash += h;
        }
        if (opts.write_records && fqp_batch_write_record(b, i) != FQP_OK) return FQP_ERR_NOMEM;
    }
    t->records += b->count;
    t->bases += b->bases;
    t->batches++;
    if (b->index > t->max_index_seen) t->max_index_seen = b->index;
    if (opts.stop_after_records && b->first_record + b->count >= (uint64_t)opts.stop_after_records) return FQP_STOP;
    return FQP_OK;
}

static fqp_result init_state(void *state, int consumer, void *user)
{
    (void)state;
    (void)user;
    return opts.init_fails && consumer == 1 ? FQP_ERR_NOMEM : FQP_OK;
}

static fqp_result merge(void *state, int consumer, void *user)
{
    totals *t = (totals *)state, *all = (totals *)user;
    (void)consumer;
    all->records += t->records;
    all->bases += t->bases;
    all->gc += t->gc;
    all->qsum += t->qsum;
    all->batches += t->batches;
    all->name_hash += t->name_hash;
    return opts.merge_fails ? FQP_ERR_NOMEM : FQP_OK;
}

typedef th_membuf membuf; /* fail_after: fail the n-th write */

/* The tally consumer over text[0..size) in memory, its totals merged into *all. */
static fqp_pipeline_desc tally_desc(const char *text, size_t size, int threads, uint64_t batch_records, totals *all)
{
    fqp_pipeline_desc d = th_pipeline_desc(text, size, threads, batch_records);
    memset(all, 0, sizeof *all);
    d.state_size = sizeof(totals);
    d.process = tally;
    d.merge = merge;
    d.user = all;
    return d;
}

static fqp_result run(const char *text, size_t size, int threads, uint64_t batch_records, membuf *out,
                      totals *all, fqp_metrics *m, fqp_error *err)
{
    fqp_pipeline_desc d = tally_desc(text, size, threads, batch_records, all);
    d.input.name = "mem.fq";
    d.init = init_state;
    if (out) {
        d.output.write = th_mem_write;
        d.output.write_user = out;
    }
    return fqp_pipeline_run(&d, m, err);
}

static void test_totals_independent_of_threads(void)
{
    size_t size;
    char *text = make_input(5000, &size);
    totals ref, t;
    fqp_metrics m;
    fqp_error err;
    int threads;
    memset(&opts, 0, sizeof opts);
    CHECK_EQ_INT(run(text, size, 1, 64, NULL, &ref, &m, &err), FQP_OK);
    CHECK_EQ_U64(ref.records, 5000);
    CHECK_EQ_U64(m.records, 5000);
    CHECK_EQ_U64(m.batches, (5000 + 63) / 64);
    CHECK_EQ_U64(m.input_bytes, size);
    CHECK_EQ_U64(m.compressed_bytes, size);
    for (threads = 1; threads <= 16; threads++) {
        uint64_t per = 0;
        int i;
        CHECK_EQ_INT(run(text, size, threads, 1 + (uint64_t)threads * 7, NULL, &t, &m, &err), FQP_OK);
        CHECK_EQ_U64(t.records, ref.records);
        CHECK_EQ_U64(t.bases, ref.bases);
        CHECK_EQ_U64(t.gc, ref.gc);
        CHECK_EQ_U64(t.qsum, ref.qsum);
        CHECK_EQ_U64(t.name_hash, ref.name_hash);
        CHECK_EQ_INT(m.threads, threads);
        for (i = 0; i < threads; i++) per += m.consumer[i].records;
        CHECK_EQ_U64(per, 5000);
        CHECK(m.batch_pool <= m.queue_high_water + (size_t)threads + 1 + 2 * (size_t)threads);
        CHECK(m.queue_high_water <= (size_t)(threads < 2 ? 2 : threads));
    }
    free(text);
}

static void test_ordered_output_identical(void)
{
    size_t size;
    char *text = make_input(3000, &size);
    membuf one, many;
    totals t;
    fqp_metrics m;
    fqp_error err;
    int threads;
    memset(&opts, 0, sizeof opts);
    opts.write_records = 1;
    memset(&one, 0, sizeof one);
    CHECK_EQ_INT(run(text, size, 1, 50, &one, &t, &m, &err), FQP_OK);
    REQUIRE(one.data != NULL);
    CHECK_EQ_U64(one.len, size); /* our input is already canonical four-line FASTQ */
    CHECK(memcmp(one.data, text, size) == 0);
    for (threads = 2; threads <= 16; threads *= 2) {
        memset(&many, 0, sizeof many);
        CHECK_EQ_INT(run(text, size, threads, 13, &many, &t, &m, &err), FQP_OK);
        CHECK(many.len == one.len && memcmp(many.data, one.data, one.len) == 0);
        free(many.data);
    }
    free(one.data);
    free(text);
}

/* Stop after record 1000: output holds exactly the batches up to the one
   that stopped, in order, whatever the number of threads. */
static void test_early_stop(void)
{
    size_t size;
    char *text = make_input(20000, &size);
    totals t;
    fqp_metrics m;
    fqp_error err;
    int threads;
    memset(&opts, 0, sizeof opts);
    opts.write_records = 1;
    opts.stop_after_records = 1000;
    for (threads = 1; threads <= 8; threads *= 2) {
        membuf out;
        memset(&out, 0, sizeof out);
        CHECK_EQ_INT(run(text, size, threads, 100, &out, &t, &m, &err), FQP_STOP);
        REQUIRE(out.data != NULL);
        /* batches 0..9 hold records 1..1000 */
        CHECK(out.len > 0 && memcmp(out.data, text, out.len) == 0);
        CHECK(strncmp(text + out.len, "@read1000 ", 10) == 0);
        CHECK(t.records >= 1000);
        free(out.data);
    }
    free(text);
}

static void test_consumer_error(void)
{
    size_t size;
    char *text = make_input(5000, &size);
    totals t;
    fqp_metrics m;
    fqp_error err;
    int threads;
    memset(&opts, 0, sizeof opts);
    opts.fail_on_batch = 5;
    for (threads = 1; threads <= 8; threads *= 2) {
        opts.use_batch_error = 0;
        CHECK_EQ_INT(run(text, size, threads, 100, NULL, &t, &m, &err), FQP_ERR_CONSUMER);
        CHECK(strstr(err.message, "batch 4") != NULL);
        CHECK_EQ_U64(t.records, 0); /* merge is skipped on error */
        opts.use_batch_error = 1;
        CHECK_EQ_INT(run(text, size, threads, 100, NULL, &t, &m, &err), FQP_ERR_CONSUMER);
        CHECK_EQ_U64(err.record, 402); /* record 1 of batch 4, 1-based */
        CHECK_EQ_U64(err.line, 4 * 401 + 1);
        CHECK(strstr(err.message, "bad record on purpose") != NULL);
    }
    opts.fail_on_batch = 0;
    opts.init_fails = 1;
    CHECK_EQ_INT(run(text, size, 4, 100, NULL, &t, &m, &err), FQP_ERR_NOMEM);
    CHECK(strstr(err.message, "init") != NULL);
    opts.init_fails = 0;
    opts.merge_fails = 1;
    CHECK_EQ_INT(run(text, size, 2, 100, NULL, &t, &m, &err), FQP_ERR_NOMEM);
    CHECK(strstr(err.message, "merge") != NULL);
    free(text);
}

static void test_producer_error(void)
{
    size_t size;
    char *text = make_input(5000, &size);
    char *bad;
    totals t;
    fqp_metrics m;
    fqp_error err;
    int threads;
    memset(&opts, 0, sizeof opts);
    /* break record 3001's '+' line: the error names it whatever the thread count */
    bad = strstr(text, "@read3000 ");
    REQUIRE(bad != NULL);
    bad = strchr(bad, '\n');
    bad = strchr(bad + 1, '\n');
    bad[1] = '-';
    for (threads = 1; threads <= 8; threads *= 2) {
        CHECK_EQ_INT(run(text, size, threads, 100, NULL, &t, &m, &err), FQP_ERR_MISSING_PLUS);
        CHECK_EQ_U64(err.record, 3001);
        CHECK(strstr(err.message, "mem.fq: record 3001, line ") != NULL);
    }
    free(text);
}

/* The earliest error in the input is the run's error, whatever the timing:
   a bad base in record 1500 beats a missing '+' in record 3001, and a
   consumer error in batch 3 beats one in batch 9. */
static void test_earliest_error_wins(void)
{
    size_t size;
    char *text = make_input(5000, &size);
    char *p;
    totals t;
    fqp_metrics m;
    fqp_error err;
    int threads, rep;
    memset(&opts, 0, sizeof opts);
    p = strstr(text, "@read1499 ");
    REQUIRE(p != NULL);
    p = strchr(p, '\n') + 1;
    *p = '\x01'; /* first base of record 1500: a control byte, invalid in every letter set */
    p = strstr(text, "@read3000 ");
    REQUIRE(p != NULL);
    p = strchr(strchr(p, '\n') + 1, '\n');
    p[1] = '-'; /* record 3001 loses its '+' */
    for (threads = 1; threads <= 8; threads *= 2) {
        for (rep = 0; rep < 5; rep++) {
            CHECK_EQ_INT(run(text, size, threads, 50, NULL, &t, &m, &err), FQP_ERR_INVALID_BASE);
            CHECK_EQ_U64(err.record, 1500);
            CHECK_EQ_U64(err.line, 4 * 1499 + 2);
        }
    }
    free(text);
}

/* Records before an invalid one are processed, also those in its batch,
   whatever the batch limit and thread count: exactly records 1..136 with
   one consumer, and 1..136 once each (later ones at most once, in flight)
   with several; fqp_producer_read delivers the same 136, then the error. */
static _Atomic unsigned char prefix_seen[500];
static fqp_result mark_seen(fqp_batch *b, void *state, void *user)
{
    uint64_t i;
    (void)state;
    (void)user;
    for (i = 0; i < b->count; i++) atomic_fetch_add(&prefix_seen[b->first_record + i], 1);
    return FQP_OK;
}

static void test_records_before_invalid_record(void)
{
    static const uint64_t limits[] = {1, 7, 50, 136, 137, 8192};
    size_t size;
    char *text = make_input(500, &size), *p;
    int li, threads, i;
    p = strstr(text, "@read136 ");
    REQUIRE(p != NULL);
    *(strchr(p, '\n') + 1) = '\x01'; /* first base of record 137 (a control byte) */
    for (li = 0; li < 6; li++)
        for (threads = 1; threads <= 3; threads += 2) {
            fqp_pipeline_desc d = th_pipeline_desc(text, size, threads, limits[li]);
            fqp_error err;
            for (i = 0; i < 500; i++) atomic_store(&prefix_seen[i], 0);
            d.process = mark_seen;
            CHECK_EQ_INT(fqp_pipeline_run(&d, NULL, &err), FQP_ERR_INVALID_BASE);
            CHECK_EQ_U64(err.record, 137);
            for (i = 0; i < 500; i++) {
                unsigned n = atomic_load(&prefix_seen[i]);
                CHECK(i < 136 ? n == 1 : n <= (unsigned)(threads > 1));
            }
        }
    for (li = 0; li < 6; li++) {
        fqp_producer_desc pd = th_producer_desc(text, size, 0, limits[li]);
        fqp_producer *pr;
        fqp_batch *b;
        fqp_error err;
        fqp_result r;
        uint64_t got = 0;
        REQUIRE(fqp_producer_create(&pr, &pd, &err) == FQP_OK);
        while ((r = fqp_producer_read(pr, &b)) == FQP_OK) {
            fqp_record last = fqp_batch_record(b, b->count - 1); /* the cut keeps its header whole */
            char want[32];
            snprintf(want, sizeof want, "lane:%d", (int)((b->first_record + b->count - 1) % 7));
            CHECK(last.comment_len == strlen(want) && memcmp(last.comment, want, strlen(want)) == 0);
            CHECK_EQ_U64(b->first_record, got);
            got += b->count;
            fqp_producer_release(pr, b);
        }
        CHECK_EQ_INT(r, FQP_ERR_INVALID_BASE);
        CHECK_EQ_U64(got, 136);
        CHECK_EQ_INT(fqp_producer_error(pr, &err), FQP_ERR_INVALID_BASE);
        CHECK_EQ_U64(err.record, 137);
        fqp_producer_destroy(pr);
    }
    free(text);
}

static fqp_result fail_two_batches(fqp_batch *b, void *state, void *user)
{
    (void)state;
    (void)user;
    if (b->index == 9 || b->index == 3) return fqp_batch_error(b, 0, FQP_ERR_CONSUMER, "batch %llu", (unsigned long long)b->index);
    return FQP_OK;
}

static void test_earliest_consumer_error_wins(void)
{
    size_t size;
    char *text = make_input(2000, &size);
    fqp_error err;
    int threads, rep;
    for (threads = 1; threads <= 8; threads *= 2) {
        for (rep = 0; rep < 5; rep++) {
            fqp_pipeline_desc d = th_pipeline_desc(text, size, threads, 100);
            d.process = fail_two_batches;
            CHECK_EQ_INT(fqp_pipeline_run(&d, NULL, &err), FQP_ERR_CONSUMER);
            CHECK_EQ_U64(err.record, 301);
            CHECK(strstr(err.message, "batch 3") != NULL);
        }
    }
    free(text);
}

static void test_write_error(void)
{
    size_t size;
    char *text = make_input(5000, &size);
    totals t;
    fqp_metrics m;
    fqp_error err;
    membuf out;
    memset(&opts, 0, sizeof opts);
    opts.write_records = 1;
    memset(&out, 0, sizeof out);
    out.fail_after = 3;
    CHECK_EQ_INT(run(text, size, 4, 100, &out, &t, &m, &err), FQP_ERR_WRITE);
    CHECK(strstr(err.message, "batch 2") != NULL);
    free(out.data);
    free(text);
}

/* Manual mode: the caller's own threads use producer, queue and consumer loop. */
typedef struct manual_consumer {
    fqp_producer *p;
    uint64_t records;
    fqp_result last;
} manual_consumer;

static int manual_producer_thread(void *arg)
{
    fqp_producer_run((fqp_producer *)arg);
    return 0;
}

static int manual_consumer_thread(void *arg)
{
    manual_consumer *c = (manual_consumer *)arg;
    fqp_batch *b;
    while ((c->last = fqp_producer_next(c->p, &b)) == FQP_OK) {
        c->records += b->count;
        fqp_producer_release(c->p, b);
    }
    return 0;
}

static void test_manual_mode(void)
{
    size_t size;
    char *text = make_input(4000, &size);
    fqp_producer_desc pd = th_producer_desc(text, size, 3, 33);
    fqp_producer *p;
    fqp_error err;
    fqp_metrics m;
    manual_consumer c[3];
    test_thread tp, tc[3];
    int i;
    uint64_t total = 0;
    REQUIRE(fqp_producer_create(&p, &pd, &err) == FQP_OK);
    test_thread_start(&tp, manual_producer_thread, p);
    for (i = 0; i < 3; i++) {
        memset(&c[i], 0, sizeof c[i]);
        c[i].p = p;
        test_thread_start(&tc[i], manual_consumer_thread, &c[i]);
    }
    test_thread_join(&tp);
    for (i = 0; i < 3; i++) {
        test_thread_join(&tc[i]);
        CHECK_EQ_INT(c[i].last, FQP_DONE);
        total += c[i].records;
    }
    CHECK_EQ_INT(fqp_producer_finish(p, &m, &err), FQP_OK);
    CHECK_EQ_U64(total, 4000);
    CHECK_EQ_U64(m.records, 4000);
    CHECK(m.batch_pool <= pd.config.queue_depth + 3 + 1 + 3);
    fqp_producer_destroy(p);
    free(text);
}

/* Memory stays bounded: the pool never exceeds depth + threads + 1 batches. */
static void test_pool_bound(void)
{
    size_t size;
    char *text = make_input(20000, &size);
    totals t;
    fqp_metrics m;
    fqp_error err;
    fqp_pipeline_desc d = tally_desc(text, size, 3, 10, &t);
    memset(&opts, 0, sizeof opts);
    d.config.queue_depth = 2;
    CHECK_EQ_INT(fqp_pipeline_run(&d, &m, &err), FQP_OK);
    CHECK_EQ_U64(t.records, 20000);
    CHECK_EQ_U64(m.batches, 2000);
    CHECK(m.batch_pool <= 2 + 3 + 1);
    CHECK(m.queue_high_water <= 2);
    free(text);
}

/* Environment overrides apply where the desc leaves zero, and bad values are errors. */
static void test_environment(void)
{
    size_t size;
    char *text = make_input(100, &size);
    fqp_metrics m;
    fqp_error err;
    totals t;
    fqp_pipeline_desc d = tally_desc(text, size, 0, 0, &t);
    memset(&opts, 0, sizeof opts);
    d.config.ignore_env = 0; /* this test is about the environment */
    setenv("FASTQPAR_THREADS", "3", 1);
    setenv("FASTQPAR_BATCH_RECORDS", "10", 1);
    memset(&t, 0, sizeof t);
    CHECK_EQ_INT(fqp_pipeline_run(&d, &m, &err), FQP_OK);
    CHECK_EQ_INT(m.threads, 3);
    CHECK_EQ_U64(m.batches, 10);
    d.config.threads = 2; /* an explicit value wins */
    memset(&t, 0, sizeof t);
    CHECK_EQ_INT(fqp_pipeline_run(&d, &m, &err), FQP_OK);
    CHECK_EQ_INT(m.threads, 2);
    setenv("FASTQPAR_BATCH_RECORDS", "ten", 1);
    CHECK_EQ_INT(fqp_pipeline_run(&d, &m, &err), FQP_ERR_INVALID_ARGUMENT);
    CHECK(strstr(err.message, "FASTQPAR_BATCH_RECORDS") != NULL);
    unsetenv("FASTQPAR_THREADS");
    unsetenv("FASTQPAR_BATCH_RECORDS");
    CHECK(fqp_default_threads() >= 1);
    free(text);
}

/* Many short runs with random stop/error points: every one ends, none leaks. */
static void test_shutdown_many_times(void)
{
    size_t size;
    char *text = make_input(2000, &size);
    totals t;
    fqp_metrics m;
    fqp_error err;
    int i;
    uint64_t x = 99;
    for (i = 0; i < 200; i++) {
        fqp_result r;
        int kind;
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        kind = (int)((x >> 40) % 3);
        memset(&opts, 0, sizeof opts);
        opts.write_records = (int)((x >> 20) & 1);
        if (kind == 1) opts.stop_after_records = 1 + (int)((x >> 30) % 2000);
        if (kind == 2) opts.fail_on_batch = 1 + (int)((x >> 30) % 40);
        {
            membuf out;
            memset(&out, 0, sizeof out);
            r = run(text, size, 1 + (int)((x >> 50) % 6), 1 + (x >> 10) % 60, opts.write_records ? &out : NULL, &t,
                    &m, &err);
            free(out.data);
        }
        if (kind == 0) CHECK_EQ_INT(r, FQP_OK);
        if (kind == 1) CHECK_EQ_INT(r, FQP_STOP);
        if (kind == 2) CHECK(r == FQP_ERR_CONSUMER || r == FQP_OK); /* OK when the batch does not exist */
    }
    free(text);
}

/* A custom consumer standing in for a GPU consumer: keeps up to `hold`
   batches in flight, finishes the oldest when full, and after `fail_after`
   batches "loses its device": hands every batch it holds back and stops. */
typedef struct holder {
    int hold, fail_after, seen;
    int fail_at_once;     /* return FQP_ERR_CONSUMER before taking a batch */
    totals done;          /* what it finished itself */
    uint64_t requeued;
} holder;

static fqp_result holder_run(fqp_producer *p, void *ctx)
{
    holder *h = (holder *)ctx;
    fqp_batch *held[16];
    int n = 0, seen = 0, i;
    fqp_result r;
    if (h->fail_at_once) return FQP_ERR_CONSUMER;
    for (;;) {
        r = fqp_producer_take(p, &held[n], n == 0); /* block only when holding nothing */
        if (r == FQP_AGAIN) { /* nothing ready: finish the oldest in flight */
            CHECK_EQ_INT(tally(held[0], &h->done, NULL), FQP_OK);
            fqp_producer_release(p, held[0]);
            memmove(held, held + 1, (size_t)(n - 1) * sizeof held[0]);
            n--;
            continue;
        }
        if (r != FQP_OK) break;
        n++;
        h->seen = ++seen;
        if (seen > h->fail_after) {
            for (i = 0; i < n; i++) {
                CHECK_EQ_INT(fqp_producer_requeue(p, held[i]), FQP_OK);
                h->requeued++;
            }
            return FQP_OK;
        }
        if (n == h->hold) { /* finish the oldest, in the order taken */
            CHECK_EQ_INT(tally(held[0], &h->done, NULL), FQP_OK);
            fqp_producer_release(p, held[0]);
            memmove(held, held + 1, (size_t)(n - 1) * sizeof held[0]);
            n--;
        }
    }
    for (i = 0; i < n; i++) {
        tally(held[i], &h->done, NULL);
        fqp_producer_release(p, held[i]);
    }
    return r == FQP_DONE || r == FQP_STOP ? FQP_OK : r;
}

static void test_custom_consumer_hands_back(void)
{
    size_t size;
    char *text = make_input(6000, &size);
    totals ref, t;
    fqp_metrics m;
    fqp_error err;
    int fail_after;
    memset(&opts, 0, sizeof opts);
    opts.write_records = 1;
    {
        membuf one;
        memset(&one, 0, sizeof one);
        CHECK_EQ_INT(run(text, size, 1, 40, &one, &ref, &m, &err), FQP_OK);
        free(one.data);
    }
    for (fail_after = 0; fail_after <= 200; fail_after += 25) {
        holder h;
        fqp_custom_consumer cc;
        fqp_pipeline_desc d = tally_desc(text, size, 3, 40, &t);
        membuf out;
        memset(&h, 0, sizeof h);
        h.hold = 4;
        h.fail_after = fail_after;
        cc.run = holder_run;
        cc.ctx = &h;
        cc.max_held = 4;
        memset(&out, 0, sizeof out);
        d.output.write = th_mem_write;
        d.output.write_user = &out;
        d.custom = &cc;
        d.custom_count = 1;
        CHECK_EQ_INT(fqp_pipeline_run(&d, &m, &err), FQP_OK);
        CHECK_EQ_INT(m.threads, 2); /* the custom consumer took one thread of three */
        CHECK_EQ_INT(m.custom_consumers, 1);
        /* every record exactly once: what the CPU consumers did plus what it did */
        CHECK_EQ_U64(t.records + h.done.records, 6000);
        CHECK_EQ_U64(t.bases + h.done.bases, ref.bases);
        CHECK_EQ_U64(t.qsum + h.done.qsum, ref.qsum);
        CHECK_EQ_U64(t.name_hash + h.done.name_hash, ref.name_hash);
        CHECK(h.seen <= fail_after || h.requeued > 0);
        if (fail_after == 0 && h.seen > 0) CHECK(h.requeued > 0); /* it may see no batch: the CPU consumers can take all */
        /* ordered output still complete and in order */
        CHECK(out.len == size && memcmp(out.data, text, size) == 0);
        free(out.data);
    }
    {   /* a custom consumer returning an error ends the run with it */
        holder h;
        opts.write_records = 0;
        fqp_custom_consumer cc;
        fqp_pipeline_desc d = tally_desc(text, size, 2, 40, &t);
        memset(&h, 0, sizeof h);
        h.hold = 2;
        h.fail_at_once = 1; /* after some batches it would depend on timing: the CPU consumer may take them all */
        cc.run = holder_run;
        cc.ctx = &h;
        cc.max_held = 2;
        d.custom = &cc;
        d.custom_count = 1;
        CHECK_EQ_INT(fqp_pipeline_run(&d, &m, &err), FQP_ERR_CONSUMER);
        CHECK(strstr(err.message, "custom consumer 0") != NULL);
    }
    free(text);
}

int main(void)
{
    test_watchdog_start(120, NULL); /* generous for valgrind/TSan builds */
    RUN_WATCHED(test_totals_independent_of_threads);
    RUN_WATCHED(test_ordered_output_identical);
    RUN_WATCHED(test_early_stop);
    RUN_WATCHED(test_consumer_error);
    RUN_WATCHED(test_producer_error);
    RUN_WATCHED(test_earliest_error_wins);
    RUN_WATCHED(test_records_before_invalid_record);
    RUN_WATCHED(test_earliest_consumer_error_wins);
    RUN_WATCHED(test_write_error);
    RUN_WATCHED(test_manual_mode);
    RUN_WATCHED(test_pool_bound);
    RUN_WATCHED(test_environment);
    RUN_WATCHED(test_shutdown_many_times);
    RUN_WATCHED(test_custom_consumer_hands_back);
    TEST_EXIT();
}
