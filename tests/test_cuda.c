/* tests/test_cuda.c - fastqpar_cuda.h end to end on the fake CUDA driver
   (tests/fake_cuda.c = build/libfakecuda.so, kernels under device emulation).

   What it shows: loading fails cleanly (library missing, a symbol missing,
   no device, old device, PTX/module failure, allocation failing at every
   setup step) with the right code and message, and FASTQPAR_FORCE_CPU never
   loads anything; a mixed CPU+GPU run gives exactly the QC counters of an
   all-CPU run, also when the GPU fails at any launch or copy mid-run (its
   batches go back to the CPU consumers: nothing lost, nothing twice); the
   per-batch GPU results equal the CPU twins; ordered output stays complete;
   nothing the fake driver hands out is leaked. User kernels ("bring your
   own kernel"): built-ins described as user kernels, several user kernels
   in one context with their outputs in the right out[i][j], the k-mer
   accumulator of examples/gpu_kmer.cu (GPU plus CPU counts = CPU-only
   counts, also when the GPU fails holding uncounted k-mers), a header-
   reading kernel (tests/kernels_emu.c), fqp_cuda_worker_run, and every
   description check of fqp_cuda_open. The fake runs stream work
   only at synchronisation points, as a GPU does (FAKE_CUDA_DEFER, its
   default; test_immediate_mode repeats some runs without), so a result read
   before its wait, or staging rewritten before its upload ran, shows up as
   a mismatch here. White-box: it defines the
   implementation itself, with FASTQPAR_CUDA_TEST_HOOKS to reach the
   loader's test hooks, and checks the header's private driver mirror
   against the fake's own (tests/fake_cuda.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* setenv, RTLD_NOLOAD */
#endif
#define FASTQPAR_IMPLEMENTATION
#define FASTQPAR_CUDA_TEST_HOOKS /* fqp__cuda_dlsym_hook, fqp__cuda_dlopen_calls */
#include "fastqpar_cuda.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "examples/gpu_kmer_ptx.h"  /* fqp_kmer_ptx: the k-mer kernel as a user kernel */
#include "examples/gpu_kmer_twin.h" /* its CPU twin */
#include "tests/fake_cuda.h"
#include "tests/helpers.h"
#include "tests/test.h"
#include "tests/thread.h"

#define MAX_POS 300 /* small, so long reads land in the last bin */

static char fake_path[4096];   /* build/libfakecuda.so */
static char ptx_file[4096];    /* PTX for the fake when none is embedded */
static const char *ptx_path;   /* NULL: the embedded PTX */

/* ---- test input ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

typedef struct text {
    char *data;
    size_t size, cap;
    uint64_t records;
} text;

static void put(text *t, const char *s, size_t n) { t->data = (char *)th_append(t->data, &t->size, &t->cap, s, n); }

/* Reads of every kind: empty, short, around and beyond MAX_POS (one of
   `huge` bases if nonzero), both cases, N and IUPAC letters, Q0 to Q93. */
static text make_input(uint64_t n, uint64_t huge)
{
    static const char letters[] = "ACGTACGTACGTacgtNnRY";
    text t;
    uint64_t i, j;
    char name[64];
    memset(&t, 0, sizeof t);
    for (i = 0; i < n; i++) {
        uint64_t len, kind = rnd() % 100;
        char *buf;
        if (kind < 2) len = 0;
        else if (kind < 80) len = 50 + rnd() % 151;
        else if (kind < 95) len = 1 + rnd() % 40;
        else len = MAX_POS - 5 + rnd() % 700;
        if (huge && i == n / 2) len = huge;
        snprintf(name, sizeof name, "@r%llu x\n", (unsigned long long)i);
        put(&t, name, strlen(name));
        buf = (char *)malloc(len + 1);
        for (j = 0; j < len; j++) buf[j] = letters[rnd() % (sizeof letters - 1)];
        put(&t, buf, len);
        put(&t, "\n+\n", 3);
        for (j = 0; j < len; j++) {
            uint64_t r = rnd() % 10;
            buf[j] = (char)(r == 0 ? '!' : r == 1 ? '~' : '!' + (int)(rnd() % 94));
        }
        put(&t, buf, len);
        put(&t, "\n", 1);
        free(buf);
    }
    t.records = n;
    return t;
}

/* ---- the fake driver's own counters ---- */

static fake_cuda_stats fake_stats(void)
{
    fake_cuda_stats s;
    void *h = dlopen(fake_path, RTLD_NOW | RTLD_NOLOAD);
    memset(&s, 0, sizeof s);
    if (h) {
        void *f = dlsym(h, "fake_cuda_stats_get");
        fake_cuda_stats_fn fn;
        memcpy(&fn, &f, sizeof fn);
        if (fn) fn(&s);
        dlclose(h);
    }
    return s;
}

static void fake_reset(void)
{
    void *h = dlopen(fake_path, RTLD_NOW | RTLD_NOLOAD);
    if (h) {
        void *f = dlsym(h, "fake_cuda_reset");
        fake_cuda_reset_fn fn;
        memcpy(&fn, &f, sizeof fn);
        if (fn) fn();
        dlclose(h);
    }
}

/* Everything the fake handed out came back, and nothing was misused. */
#define CHECK_FAKE_CLEAN()                                                       \
    do {                                                                         \
        fake_cuda_stats fs_ = fake_stats();                                      \
        CHECK_EQ_INT(fs_.device_allocs, 0);                                      \
        CHECK_EQ_INT(fs_.host_allocs, 0);                                        \
        CHECK_EQ_INT(fs_.streams, 0);                                            \
        CHECK_EQ_INT(fs_.events, 0);                                             \
        CHECK_EQ_INT(fs_.modules, 0);                                            \
        CHECK_EQ_INT(fs_.context_refs, 0);                                       \
        CHECK_EQ_U64(fs_.bad_calls, 0);                                          \
        CHECK_EQ_U64(fs_.pageable_copies, 0);                                    \
        CHECK_EQ_U64(fs_.freed_by_context_release, 0);                           \
    } while (0)

static void clear_env(void)
{
    static const char *const vars[] = {
        "FASTQPAR_FORCE_CPU", "FASTQPAR_FORCE_GPU", "FASTQPAR_GPU_CONSUMERS", "FASTQPAR_PTX",
        "FASTQPAR_CUDA_LIBRARY", "FAKE_CUDA_DEVICES", "FAKE_CUDA_CC", "FAKE_CUDA_FAIL_ALLOC_AT",
        "FAKE_CUDA_FAIL_LAUNCH_AT", "FAKE_CUDA_ASYNC_FAIL_AT", "FAKE_CUDA_FAIL_CALL", "FAKE_CUDA_FAIL_MODULE",
        "FAKE_CUDA_NOT_READY", "FAKE_CUDA_MISSING_SYMBOL", "FAKE_CUDA_PTX_MAX", "FAKE_CUDA_DRIVER_VERSION",
        "FAKE_CUDA_ASYNC_FAIL_CODE", "FASTQPAR_THREADS", "FASTQPAR_BATCH_RECORDS",
        "FASTQPAR_BATCH_BYTES", "FASTQPAR_QUEUE_DEPTH", "FAKE_CUDA_COMPUTE_MODE",
        "FAKE_CUDA_FAIL_RETAIN_DEVICE", "FAKE_CUDA_FAIL_ALLOC_DEVICE", "FAKE_CUDA_MODULE_RESULT"};
    size_t i;
    for (i = 0; i < sizeof vars / sizeof vars[0]; i++) unsetenv(vars[i]);
}

/* The loader's symbol lookup, hiding FAKE_CUDA_MISSING_SYMBOL. */
static void *hiding_dlsym(void *handle, const char *name)
{
    const char *hide = getenv("FAKE_CUDA_MISSING_SYMBOL");
    if (hide && strcmp(hide, name) == 0) return NULL;
    return dlsym(handle, name);
}

/* A distinct spelling of the fake library's path: the loader caches each
   path string it loaded successfully, the dynamic linker maps one file. */
static const char *fake_alias(int n)
{
    static char buf[8][4400];
    static int next;
    char *out = buf[next++ % 8], *slash = strrchr(fake_path, '/');
    size_t dir = (size_t)(slash - fake_path);
    int i;
    memcpy(out, fake_path, dir);
    out[dir] = 0;
    for (i = 0; i < n; i++) strcat(out, "/.");
    strcat(out, slash);
    return out;
}

/* ---- pipeline runs ---- */

typedef struct cfg {
    int threads;               /* all consumers: GPU consumers take from these */
    uint64_t batch_records, batch_bytes;
    size_t queue_depth;
    int cpu_delay_us;          /* slows CPU consumers so GPU consumers get batches */
    int gate_injected;         /* CPU consumers start once the fake injected its failure */
    int gate_results;          /* ... once on_results ran this many times */
    int gate_kernels;          /* ... once the fake ran this many kernels */
    int fail_next_alloc;       /* after setup: the next allocation (a slot growing) fails */
    int write;                 /* ordered output: every consumer writes its records */
    fqp_trim_desc trim;
} cfg;

typedef struct cpu_state {
    fqp_qc qc;
    uint64_t records;
} cpu_state;

typedef struct run_ctx {
    const cfg *c;
    fqp_qc total;              /* CPU consumers merged */
    uint64_t cpu_records;
    /* on_results, per GPU consumer */
    uint64_t gpu_records[16], gpu_batches[16], mismatches[16], checked[16];
    int fail_results_at;       /* on_results returns an error at this call (1-based), 0: never */
    int stop_results_at;       /* ... FQP_STOP */
    int results_calls;

    fqp__mutex mu;
} run_ctx;

typedef th_membuf membuf;


/* CPU consumer: waits (at most 60 s) until the GPU consumers got as far as
   the test needs, so that what they do does not depend on timing. */
static void cpu_gate(run_ctx *x)
{
    double t0 = fqp__now();
    while (fqp__now() - t0 < 60) {
        int calls;
        if (x->c->gate_injected && fake_stats().injected >= (unsigned long)x->c->gate_injected) return;
        fqp__lock(&x->mu);
        calls = x->results_calls;
        fqp__unlock(&x->mu);
        if (x->c->gate_results && calls >= x->c->gate_results) return;
        if (x->c->gate_kernels && fake_stats().kernel_runs >= (unsigned long)x->c->gate_kernels) return;
        if (!x->c->gate_injected && !x->c->gate_results && !x->c->gate_kernels) return;
        test_sleep_ms(1);
    }
    fprintf(stderr, "  cpu_gate: gave up waiting\n");
}

/* Before its first batch: the gate, so the GPU consumers take the first ones. */
static fqp_result cpu_init(void *state, int consumer, void *user)
{
    (void)consumer;
    cpu_gate((run_ctx *)user);
    return fqp_qc_init(&((cpu_state *)state)->qc, MAX_POS, NULL);
}

static fqp_result cpu_process(fqp_batch *b, void *state, void *user)
{
    cpu_state *s = (cpu_state *)state;
    run_ctx *x = (run_ctx *)user;
    uint64_t i;
    fqp_qc_add_batch(&s->qc, b);
    s->records += b->count;
    if (x->c->write)
        for (i = 0; i < b->count; i++)
            if (fqp_batch_write_record(b, i) != FQP_OK) return FQP_ERR_WRITE;
    if (x->c->cpu_delay_us) test_sleep_ms(x->c->cpu_delay_us / 1000 ? x->c->cpu_delay_us / 1000 : 1);
    return FQP_OK;
}

static fqp_result cpu_merge(void *state, int consumer, void *user)
{
    cpu_state *s = (cpu_state *)state;
    run_ctx *x = (run_ctx *)user;
    (void)consumer;
    fqp_qc_add_counts(&x->total, s->qc.counts);
    x->cpu_records += s->records;
    return FQP_OK;
}

static void cpu_fini(void *state, int consumer, void *user)
{
    (void)consumer;
    (void)user;
    fqp_qc_free(&((cpu_state *)state)->qc);
}

/* GPU consumer thread: the results must equal the CPU twins exactly. */
static fqp_result on_results(fqp_batch *b, const fqp_cuda_results *res, int consumer, void *user)
{
    run_ctx *x = (run_ctx *)user;
    uint64_t i, bad = 0;
    int call;
    fqp__lock(&x->mu);
    call = ++x->results_calls;
    fqp__unlock(&x->mu);
    if (res->prefix) {
        uint64_t *want = (uint64_t *)malloc((size_t)(8 * (b->bases + 1)));
        fqp_qual_prefix_sum(b, want);
        for (i = 0; i < b->bases; i++) bad += want[i] != res->prefix[i];
        free(want);
        x->checked[consumer] += b->bases;
    }
    if (res->trim) {
        uint64_t *want = (uint64_t *)malloc((size_t)(16 * (b->count + 1)));
        fqp_trim_batch(b, &x->c->trim, want);
        for (i = 0; i < 2 * b->count; i++) bad += want[i] != res->trim[i];
        free(want);
        x->checked[consumer] += b->count;
    }
    x->mismatches[consumer] += bad;
    x->gpu_records[consumer] += b->count;
    x->gpu_batches[consumer]++;
    if (x->c->write)
        for (i = 0; i < b->count; i++)
            if (fqp_batch_write_record(b, i) != FQP_OK) return FQP_ERR_WRITE;
    if (call == x->fail_results_at) return FQP_ERR_CONSUMER;
    if (call == x->stop_results_at) return FQP_STOP;
    return FQP_OK;
}

typedef struct outcome {
    fqp_result open;           /* fqp_cuda_open */
    fqp_error open_err;
    fqp_result run;            /* fqp_pipeline_run */
    fqp_error err;
    int gpu_consumers;
    fqp_cuda_consumer_metrics gm[16];
    fqp_qc qc;                 /* CPU merged + GPU fetched */
    uint64_t records;          /* CPU consumers + on_results */
    uint64_t gpu_records, mismatches, checked, results_calls;
    membuf out;
    int threads;               /* CPU consumers that ran */
} outcome;

static void outcome_free(outcome *o)
{
    fqp_qc_free(&o->qc);
    free(o->out.data);
    memset(o, 0, sizeof *o);
}

/* One pipeline run: GPU consumers when fqp_cuda_open succeeds, else (unless
   forced) CPU consumers only, exactly as a program would do it. */
static void run_mixed(const text *in, const cfg *c, fqp_cuda_desc *gd, run_ctx *x, outcome *o)
{
    fqp_pipeline_desc d;
    fqp_custom_consumer cc[16];
    fqp_cuda *gpu = NULL;
    fqp_metrics m;
    int i;
    memset(o, 0, sizeof *o);
    memset(&d, 0, sizeof d);
    x->c = c;
    fqp_qc_init(&x->total, MAX_POS, NULL);
    fqp_qc_init(&o->qc, MAX_POS, NULL);
    fqp__mutex_init(&x->mu);
    d.input.data = in->data;
    d.input.size = in->size;
    d.config.threads = c->threads;
    d.config.batch_records = c->batch_records;
    d.config.batch_bytes = c->batch_bytes;
    d.config.queue_depth = c->queue_depth;
    d.config.ignore_env = 1;
    d.state_size = sizeof(cpu_state);
    d.init = cpu_init;
    d.process = cpu_process;
    d.merge = cpu_merge;
    d.fini = cpu_fini;
    d.user = x;
    if (c->write) {
        d.output.write = th_mem_write;
        d.output.write_user = &o->out;
    }
    if (gd) {
        gd->config = &d.config;
        gd->qc_max_pos = MAX_POS;
        if (!gd->library) gd->library = fake_path;
        if (!gd->ptx_path) gd->ptx_path = ptx_path;
        if (c->write || (gd->kernels & (FQP_GPU_PREFIX_SUM | FQP_GPU_TRIM))) {
            gd->on_results = on_results;
            gd->user = x;
            gd->trim = c->trim;
        }
        o->open = fqp_cuda_open(&gpu, gd, &o->open_err);
        if (o->open == FQP_OK && c->fail_next_alloc) {
            char v[32];
            snprintf(v, sizeof v, "%lu", fake_stats().alloc_calls + 1);
            setenv("FAKE_CUDA_FAIL_ALLOC_AT", v, 1);
        }
        if (o->open == FQP_OK) {
            d.custom = cc;
            d.custom_count = o->gpu_consumers = fqp_cuda_consumers(gpu, cc, 16);
        } else if (fqp_cuda_mode(gd) == FQP_GPU_FORCE) {
            o->run = o->open;
            o->err = o->open_err;
            goto out;
        }
    }
    o->run = fqp_pipeline_run(&d, &m, &o->err);
    o->threads = m.threads;
    fqp_qc_add_counts(&o->qc, x->total.counts);
    o->records = x->cpu_records;
    if (gpu) {
        if (o->run == FQP_OK && (!gd->kernels || (gd->kernels & FQP_GPU_QC)))
            CHECK_EQ_INT(fqp_cuda_qc(gpu, &o->qc), FQP_OK);
        for (i = 0; i < o->gpu_consumers; i++) {
            fqp_cuda_metrics(gpu, i, &o->gm[i]);
            o->gpu_records += o->gm[i].records;
            o->records += x->gpu_records[i];
            o->mismatches += x->mismatches[i];
            o->checked += x->checked[i];
            /* on_results saw exactly the batches the GPU finished */
            if (gd->on_results && o->run == FQP_OK) CHECK_EQ_U64(x->gpu_records[i], o->gm[i].records);
        }
        if (!gd->on_results) o->records += o->gpu_records;
        o->results_calls = (uint64_t)x->results_calls;
        if (getenv("TEST_CUDA_VERBOSE"))
            for (i = 0; i < o->gpu_consumers; i++)
                fprintf(stderr, "  GPU consumer %d: %llu batches, %llu groups, %llu checkpoints, %llu requeued, "
                        "%.3f s kernels, %.0f%% busy: %s\n", i, (unsigned long long)o->gm[i].batches,
                        (unsigned long long)o->gm[i].groups, (unsigned long long)o->gm[i].checkpoints,
                        (unsigned long long)o->gm[i].requeued, o->gm[i].kernel_seconds,
                        100 * o->gm[i].busy_fraction, o->gm[i].status ? o->gm[i].message : "ok");
    }
out:
    fqp_cuda_close(gpu);
    fqp__mutex_destroy(&x->mu);
    fqp_qc_free(&x->total);
}

/* The all-CPU reference, once per input. */
static void reference(const text *in, const cfg *c, fqp_qc *ref)
{
    run_ctx x;
    outcome o;
    memset(&x, 0, sizeof x);
    run_mixed(in, c, NULL, &x, &o);
    CHECK_EQ_INT(o.run, FQP_OK);
    CHECK_EQ_U64(o.records, in->records);
    fqp_qc_init(ref, MAX_POS, NULL);
    fqp_qc_add_counts(ref, o.qc.counts);
    outcome_free(&o);
}

static int same_counts(const fqp_qc *a, const fqp_qc *b)
{
    uint64_t i;
    if (a->words != b->words) return 0;
    for (i = 0; i < a->words; i++)
        if (a->counts[i] != b->counts[i]) {
            fprintf(stderr, "  QC counter %llu differs: %llu != %llu\n", (unsigned long long)i,
                    (unsigned long long)a->counts[i], (unsigned long long)b->counts[i]);
            return 0;
        }
    return 1;
}

/* The log of every context desc_defaults makes: none, unless a test sets it. */
static fqp_log_fn test_log;
static void *test_log_user;

static void desc_defaults(fqp_cuda_desc *gd)
{
    memset(gd, 0, sizeof *gd);
    gd->library = fake_path;
    gd->ptx_path = ptx_path;
    gd->log = test_log;
    gd->log_user = test_log_user;
    gd->coalesce_bytes = 1 << 16; /* small buffers: the fake fills each allocation */
}

/* ---- loading ---- */

static void test_force_cpu_never_loads(void)
{
    fqp_cuda_desc gd;
    fqp_cuda *gpu = (fqp_cuda *)&gd;
    fqp_error err;
    void *h;
    /* first test of the program: nothing may have loaded the fake yet */
    h = dlopen(fake_path, RTLD_NOW | RTLD_NOLOAD);
    REQUIRE(h == NULL);
    memset(&gd, 0, sizeof gd);
    setenv("FASTQPAR_FORCE_CPU", "1", 1);
    setenv("FASTQPAR_FORCE_GPU", "1", 1); /* FORCE_CPU wins */
    setenv("FASTQPAR_CUDA_LIBRARY", fake_path, 1);
    CHECK_EQ_INT(fqp_cuda_mode(&gd), FQP_GPU_OFF);
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_ERR_NO_GPU);
    CHECK(gpu == NULL);
    CHECK(strstr(err.message, "FASTQPAR_FORCE_CPU") != NULL);
    gd.mode = FQP_GPU_OFF;
    gd.library = fake_path;
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_ERR_NO_GPU);
    CHECK(strstr(err.message, "FQP_GPU_OFF") != NULL);
    CHECK_EQ_U64(fqp__cuda_dlopen_calls, 0);
    h = dlopen(fake_path, RTLD_NOW | RTLD_NOLOAD);
    CHECK(h == NULL); /* the library was never mapped */
    if (h) dlclose(h);
    clear_env();
    /* the other modes */
    gd.mode = FQP_GPU_AUTO;
    CHECK_EQ_INT(fqp_cuda_mode(&gd), FQP_GPU_AUTO);
    setenv("FASTQPAR_FORCE_GPU", "1", 1);
    CHECK_EQ_INT(fqp_cuda_mode(&gd), FQP_GPU_FORCE);
    setenv("FASTQPAR_FORCE_GPU", "0", 1);
    CHECK_EQ_INT(fqp_cuda_mode(&gd), FQP_GPU_AUTO);
    setenv("FASTQPAR_FORCE_CPU", "1", 1);
    gd.mode = FQP_GPU_FORCE; /* a desc field wins over the environment */
    CHECK_EQ_INT(fqp_cuda_mode(&gd), FQP_GPU_FORCE);
    gd.ignore_env = 1;
    gd.mode = FQP_GPU_AUTO;
    CHECK_EQ_INT(fqp_cuda_mode(&gd), FQP_GPU_AUTO);
    clear_env();
}

static void test_library_missing(void)
{
    fqp_cuda_desc gd;
    fqp_cuda *gpu = NULL;
    fqp_error err;
    const char *libm = "libm.so.6";
    desc_defaults(&gd);
    gd.library = "/nonexistent/libcuda.so.1";
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_ERR_NO_GPU);
    CHECK(gpu == NULL);
    CHECK(strstr(err.message, "cannot load /nonexistent/libcuda.so.1") != NULL);
    /* the same through the environment, and forced */
    gd.library = NULL;
    setenv("FASTQPAR_CUDA_LIBRARY", "/nonexistent/libcuda.so.1", 1);
    setenv("FASTQPAR_FORCE_GPU", "1", 1);
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_ERR_NO_GPU);
    CHECK(strstr(err.message, "GPU required (FASTQPAR_FORCE_GPU=1)") != NULL);
    CHECK(strstr(err.message, "/nonexistent/libcuda.so.1") != NULL);
    clear_env();
    /* a real library that is not a CUDA driver */
    gd.library = libm;
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_ERR_NO_GPU);
    CHECK(strstr(err.message, "required entry point cuInit is missing") != NULL);
}

static void test_symbol_missing(void)
{
    size_t i, n = sizeof fqp__cuda_symbols / sizeof fqp__cuda_symbols[0];
    fqp_cuda_desc gd;
    fqp_cuda *gpu = NULL;
    fqp_error err;
    int required = 0;
    fqp__cuda_dlsym_hook = hiding_dlsym;
    desc_defaults(&gd);
    gd.library = fake_alias(1); /* never loaded successfully: looked up afresh each time */
    for (i = 0; i < n; i++) {
        if (!fqp__cuda_symbols[i].required) continue;
        required++;
        setenv("FAKE_CUDA_MISSING_SYMBOL", fqp__cuda_symbols[i].name, 1);
        CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_ERR_NO_GPU);
        CHECK(gpu == NULL);
        if (!strstr(err.message, fqp__cuda_symbols[i].name) || !strstr(err.message, "is missing")) {
            fprintf(stderr, "  hiding %s: %s\n", fqp__cuda_symbols[i].name, err.message);
            CHECK(0);
        }
    }
    CHECK(required >= 25);
    /* the _v2 names are the ones looked up */
    setenv("FAKE_CUDA_MISSING_SYMBOL", "cuMemAlloc_v2", 1);
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_ERR_NO_GPU);
    CHECK(strstr(err.message, "cuMemAlloc_v2") != NULL);
    setenv("FAKE_CUDA_MISSING_SYMBOL", "cuMemAlloc", 1); /* the v1 name is not needed */
    gd.library = fake_alias(2);
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_OK);
    fqp_cuda_close(gpu);
    gpu = NULL;
    /* optional ones: error names fall back to numbers, timing to the v1 entry */
    setenv("FAKE_CUDA_MISSING_SYMBOL", "cuGetErrorName", 1);
    gd.library = fake_alias(3);
    setenv("FAKE_CUDA_FAIL_ALLOC_AT", "1", 1);
    fake_reset();
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_ERR_CUDA);
    CHECK(strstr(err.message, "out of memory") != NULL);  /* cuGetErrorString still there */
    CHECK(strstr(err.message, "CUDA_ERROR_") == NULL);
    unsetenv("FAKE_CUDA_FAIL_ALLOC_AT");
    setenv("FAKE_CUDA_MISSING_SYMBOL", "cuEventElapsedTime_v2", 1);
    gd.library = fake_alias(4);
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_OK);
    if (gpu) CHECK(gpu->api->cuEventElapsedTime_v2 == NULL && gpu->api->cuEventElapsedTime != NULL);
    fqp_cuda_close(gpu);
    fqp__cuda_dlsym_hook = NULL;
    clear_env();
    CHECK_FAKE_CLEAN();
}

/* The header's private mirror of the driver (FQP__CUDA_DRIVER_LIST) and the
   fake's own (FAKE_CUDA_DRIVER_LIST) name the same exported symbols in the
   same order with the same parameter lists (type names aside), and the
   constants and type sizes agree: the fake exports the ABI the header calls. */
typedef struct driver_entry { const char *symbol, *params; } driver_entry;
#define HEADER_ENTRY(required, field, symbol, params) {#symbol, #params},
static const driver_entry header_entries[] = {FQP__CUDA_DRIVER_LIST(HEADER_ENTRY)};
#undef HEADER_ENTRY
#define FAKE_ENTRY(symbol, params) {#symbol, #params},
static const driver_entry fake_entries[] = {FAKE_CUDA_DRIVER_LIST(FAKE_ENTRY)};
#undef FAKE_ENTRY

static void test_fake_mirrors_header(void)
{
    size_t i, n = sizeof header_entries / sizeof header_entries[0];
    CHECK_EQ_U64(n, sizeof fake_entries / sizeof fake_entries[0]);
    CHECK_EQ_U64(n, sizeof fqp__cuda_symbols / sizeof fqp__cuda_symbols[0]);
    for (i = 0; i < n && i < sizeof fake_entries / sizeof fake_entries[0]; i++) {
        char want[1024];
        const char *p = header_entries[i].params;
        size_t o = 0;
        while (*p && o + 8 < sizeof want) { /* fqp__CU... -> fake_CU... */
            if (strncmp(p, "fqp__CU", 7) == 0) {
                memcpy(want + o, "fake_CU", 7);
                o += 7;
                p += 7;
            } else {
                want[o++] = *p++;
            }
        }
        want[o] = 0;
        if (strcmp(header_entries[i].symbol, fake_entries[i].symbol) != 0 || strcmp(want, fake_entries[i].params) != 0) {
            fprintf(stderr, "  entry %zu: header %s%s, fake %s%s\n", i, header_entries[i].symbol, want,
                    fake_entries[i].symbol, fake_entries[i].params);
            CHECK(0);
        }
        CHECK(strcmp(fqp__cuda_symbols[i].name, header_entries[i].symbol) == 0);
    }
    CHECK_EQ_INT(FQP__CUDA_SUCCESS, FAKE_CUDA_SUCCESS);
    CHECK_EQ_INT(FQP__CUDA_ERROR_INVALID_VALUE, FAKE_CUDA_ERROR_INVALID_VALUE);
    CHECK_EQ_INT(FQP__CUDA_ERROR_OUT_OF_MEMORY, FAKE_CUDA_ERROR_OUT_OF_MEMORY);
    CHECK_EQ_INT(FQP__CUDA_ERROR_NOT_INITIALIZED, FAKE_CUDA_ERROR_NOT_INITIALIZED);
    CHECK_EQ_INT(FQP__CUDA_ERROR_NO_DEVICE, FAKE_CUDA_ERROR_NO_DEVICE);
    CHECK_EQ_INT(FQP__CUDA_ERROR_INVALID_PTX, FAKE_CUDA_ERROR_INVALID_PTX);
    CHECK_EQ_INT(FQP__CUDA_ERROR_NOT_FOUND, FAKE_CUDA_ERROR_NOT_FOUND);
    CHECK_EQ_INT(FQP__CUDA_ERROR_NOT_READY, FAKE_CUDA_ERROR_NOT_READY);
    CHECK_EQ_INT(FQP__CUDA_ERROR_LAUNCH_FAILED, FAKE_CUDA_ERROR_LAUNCH_FAILED);
    CHECK_EQ_INT(FQP__CUDA_ERROR_UNKNOWN, FAKE_CUDA_ERROR_UNKNOWN);
    CHECK_EQ_INT(FQP__CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, FAKE_CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
    CHECK_EQ_INT(FQP__CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, FAKE_CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
    CHECK_EQ_INT(FQP__CU_JIT_INFO_LOG_BUFFER, FAKE_CU_JIT_INFO_LOG_BUFFER);
    CHECK_EQ_INT(FQP__CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES, FAKE_CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES);
    CHECK_EQ_INT(FQP__CU_JIT_ERROR_LOG_BUFFER, FAKE_CU_JIT_ERROR_LOG_BUFFER);
    CHECK_EQ_INT(FQP__CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES, FAKE_CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES);
    CHECK_EQ_INT(FQP__CU_STREAM_NON_BLOCKING, FAKE_CU_STREAM_NON_BLOCKING);
    CHECK_EQ_INT(FQP__CU_EVENT_BLOCKING_SYNC, FAKE_CU_EVENT_BLOCKING_SYNC);
    CHECK_EQ_INT(FQP__CU_DEVICE_ATTRIBUTE_COMPUTE_MODE, FAKE_CU_DEVICE_ATTRIBUTE_COMPUTE_MODE);
    CHECK_EQ_INT(FQP__CUDA_ERROR_JIT_COMPILER_NOT_FOUND, FAKE_CUDA_ERROR_JIT_COMPILER_NOT_FOUND);
    CHECK_EQ_INT(FQP__CUDA_ERROR_UNSUPPORTED_PTX_VERSION, FAKE_CUDA_ERROR_UNSUPPORTED_PTX_VERSION);
    CHECK_EQ_INT(FQP__CUDA_ERROR_JIT_COMPILATION_DISABLED, FAKE_CUDA_ERROR_JIT_COMPILATION_DISABLED);
    CHECK_EQ_INT(FQP__CUDA_ERROR_ILLEGAL_ADDRESS, FAKE_CUDA_ERROR_ILLEGAL_ADDRESS);
    CHECK_EQ_U64(sizeof(fqp__CUresult), sizeof(fake_CUresult));
    CHECK_EQ_U64(sizeof(fqp__CUdevice), sizeof(fake_CUdevice));
    CHECK_EQ_U64(sizeof(fqp__CUdeviceptr), sizeof(fake_CUdeviceptr));
    CHECK_EQ_U64(sizeof(fqp__CUcontext), sizeof(fake_CUcontext));
}

/* The CUDA toolkit's stub libcuda.so exports every real entry point but has
   no driver behind it: each name looked up exists in a real libcuda. */
static void test_real_stub_library(void)
{
    const char *stub = "/usr/local/cuda/lib64/stubs/libcuda.so";
    fqp_cuda_desc gd;
    fqp_cuda *gpu = NULL;
    fqp_error err;
    if (access(stub, R_OK) != 0) SKIP("no CUDA toolkit stub library at %s", stub);
    desc_defaults(&gd);
    gd.library = stub;
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_ERR_NO_GPU);
    CHECK(gpu == NULL);
    CHECK(strstr(err.message, "cuInit failed") != NULL); /* every symbol resolved */
}

static void test_no_device(void)
{
    fqp_cuda_desc gd;
    fqp_cuda *gpu = NULL;
    fqp_error err;
    desc_defaults(&gd);
    gd.library = fake_alias(5); /* first load: cuInit runs */
    setenv("FAKE_CUDA_DEVICES", "0", 1);
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_ERR_NO_GPU);
    CHECK(strstr(err.message, "cuInit failed") != NULL && strstr(err.message, "CUDA_ERROR_NO_DEVICE") != NULL);
    gd.mode = FQP_GPU_FORCE;
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_ERR_NO_GPU);
    CHECK(strstr(err.message, "GPU required (mode FQP_GPU_FORCE)") != NULL);
    gd.mode = FQP_GPU_AUTO;
    /* the driver loaded earlier, the device went away */
    unsetenv("FAKE_CUDA_DEVICES");
    gd.library = fake_path;
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_OK);
    fqp_cuda_close(gpu);
    gpu = NULL;
    setenv("FAKE_CUDA_DEVICES", "0", 1);
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_ERR_NO_GPU);
    CHECK(strstr(err.message, "sees no device") != NULL);
    /* too old for compute_75 PTX */
    setenv("FAKE_CUDA_DEVICES", "2", 1);
    setenv("FAKE_CUDA_CC", "7.0", 1);
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_ERR_NO_GPU);
    CHECK(strstr(err.message, "compute capability >= 7.5") != NULL);
    clear_env();
    CHECK_FAKE_CLEAN();
}

static void test_module_failure(void)
{
    fqp_cuda_desc gd;
    fqp_cuda *gpu = NULL;
    fqp_error err;
    char path[4200];
    FILE *f;
    desc_defaults(&gd);
    setenv("FAKE_CUDA_FAIL_MODULE", "1", 1);
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_ERR_PTX);
    CHECK(strstr(err.message, "CUDA_ERROR_INVALID_PTX") != NULL);
    CHECK(strstr(err.message, "JIT log: ptxas fatal   : injected failure") != NULL); /* the JIT log */
    unsetenv("FAKE_CUDA_FAIL_MODULE");
    CHECK_FAKE_CLEAN();
    /* a driver older than the PTX (its JIT knows an older PTX ISA) */
    setenv("FAKE_CUDA_PTX_MAX", "1.0", 1);
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_ERR_PTX);
    CHECK(strstr(err.message, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION") != NULL);
    CHECK(strstr(err.message, "JIT log: ptxas application ptx input") != NULL &&
          strstr(err.message, "current version is '1.0'") != NULL);
    unsetenv("FAKE_CUDA_PTX_MAX");
    CHECK_FAKE_CLEAN();
    /* a PTX file that is not PTX, a missing file, a kernel missing */
    snprintf(path, sizeof path, "%s.bad", ptx_file);
    f = fopen(path, "w");
    REQUIRE(f != NULL);
    fputs("this is not PTX\n", f);
    fclose(f);
    gd.ptx_path = path;
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_ERR_PTX);
    CHECK(strstr(err.message, "not PTX text") != NULL && strstr(err.message, path) != NULL);
    f = fopen(path, "w");
    REQUIRE(f != NULL);
    fputs(".version 8.0\n.target sm_75\n.address_size 64\n.visible .entry fqp_k_qc(\n)\n{\n}\n", f);
    fclose(f);
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_OK); /* QC only: fqp_k_qc is enough */
    fqp_cuda_close(gpu);
    gpu = NULL;
    gd.kernels = FQP_GPU_QC | FQP_GPU_TRIM;
    gd.trim.mode = FQP_TRIM_BWA;
    gd.on_results = on_results;
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_ERR_PTX);
    CHECK(strstr(err.message, "lack fqp_k_trim") != NULL);
    remove(path);
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_ERR_PTX);
    CHECK(strstr(err.message, "cannot open the PTX file") != NULL);
    gd.ptx_path = NULL; /* through FASTQPAR_PTX */
    setenv("FASTQPAR_PTX", path, 1);
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_ERR_PTX);
    CHECK(strstr(err.message, path) != NULL);
    clear_env();
    if (!fqp__cuda_ptx[0]) { /* a build without embedded PTX says so */
        CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_ERR_PTX);
        CHECK(strstr(err.message, "make ptx") != NULL);
    }
    CHECK_FAKE_CLEAN();
}

static void test_bad_desc(void)
{
    fqp_cuda_desc gd;
    fqp_cuda *gpu = NULL;
    fqp_error err;
    desc_defaults(&gd);
    gd.kernels = FQP_GPU_PREFIX_SUM; /* results need a callback */
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_ERR_INVALID_ARGUMENT);
    CHECK(strstr(err.message, "on_results") != NULL);
    gd.kernels = 0x40;
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_ERR_INVALID_ARGUMENT);
    desc_defaults(&gd);
    setenv("FASTQPAR_GPU_CONSUMERS", "zero", 1);
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_ERR_INVALID_ARGUMENT);
    CHECK(strstr(err.message, "FASTQPAR_GPU_CONSUMERS") != NULL);
    setenv("FASTQPAR_GPU_CONSUMERS", "3", 1);
    setenv("FAKE_CUDA_DEVICES", "2", 1);
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_OK);
    CHECK_EQ_INT(fqp_cuda_consumers(gpu, NULL, 0), 6);
    CHECK_EQ_INT(fqp_cuda_device_count(gpu), 2);
    if (gpu) {
        fqp_cuda_device_info info;
        fqp_qc wrong;
        CHECK_EQ_INT(fqp_cuda_device(gpu, 1, &info), FQP_OK);
        CHECK(strcmp(info.name, "Fake GPU 1") == 0 && info.cc_major == 9 && info.consumers == 3);
        CHECK_EQ_INT(fqp_cuda_device(gpu, 2, &info), FQP_ERR_INVALID_ARGUMENT);
        fqp_qc_init(&wrong, 17, NULL);
        CHECK_EQ_INT(fqp_cuda_qc(gpu, &wrong), FQP_ERR_INVALID_ARGUMENT); /* another layout */
        fqp_qc_free(&wrong);
    }
    fqp_cuda_close(gpu);
    clear_env();
    CHECK_FAKE_CLEAN();
}

/* Many threads open at once; the driver library is loaded exactly once. */
typedef struct opener {
    const char *path;
    fqp_result r;
} opener;

static int open_close(void *arg)
{
    opener *o = (opener *)arg;
    fqp_cuda_desc gd;
    fqp_cuda *gpu = NULL;
    fqp_error err;
    desc_defaults(&gd);
    gd.library = o->path;
    o->r = fqp_cuda_open(&gpu, &gd, &err);
    fqp_cuda_close(gpu);
    return 0;
}

static void test_concurrent_open(void)
{
    test_thread t[8];
    opener o[8];
    unsigned long before;
    int i;
    const char *path = fake_alias(6);
    fqp__lock(&fqp__cuda_mu);
    before = fqp__cuda_dlopen_calls;
    fqp__unlock(&fqp__cuda_mu);
    for (i = 0; i < 8; i++) {
        o[i].path = path;
        test_thread_start(&t[i], open_close, &o[i]);
    }
    for (i = 0; i < 8; i++) test_thread_join(&t[i]);
    for (i = 0; i < 8; i++) CHECK_EQ_INT(o[i].r, FQP_OK);
    CHECK_EQ_U64(fqp__cuda_dlopen_calls - before, 1);
    CHECK_FAKE_CLEAN();
}

/* ---- runs ---- */

static text input_small, input_huge;
static fqp_qc ref_small, ref_huge;
static cfg cfg_small;

/* Out of memory at each allocation of setup, one after the other: a clean
   FQP_ERR_CUDA (nothing leaked), the run falls back to CPU consumers with
   the reference counts; under FORCE the run does not start. */
static void test_alloc_failure_every_step(void)
{
    int k, succeeded = 0, devices = 1;
    for (k = 1; k < 200 && !succeeded; k++) {
        fqp_cuda_desc gd;
        run_ctx x;
        outcome o;
        char v[16];
        desc_defaults(&gd);
        gd.consumers_per_device = 2;
        setenv("FAKE_CUDA_DEVICES", devices == 2 ? "2" : "1", 1);
        snprintf(v, sizeof v, "%d", k);
        setenv("FAKE_CUDA_FAIL_ALLOC_AT", v, 1);
        fake_reset();
        memset(&x, 0, sizeof x);
        run_mixed(&input_small, &cfg_small, &gd, &x, &o);
        CHECK_EQ_INT(o.run, FQP_OK);
        CHECK(same_counts(&o.qc, &ref_small));
        CHECK_EQ_U64(o.records, input_small.records);
        if (o.open == FQP_OK && fake_stats().alloc_calls < (unsigned long)k) {
            CHECK(k > 10); /* 2 consumers x 2 slots x several buffers */
            CHECK_EQ_INT(o.gpu_consumers, 2 * devices);
            succeeded = devices == 2; /* k is past the last allocation of setup: now 2 devices */
            if (devices == 1) {
                devices = 2;
                k = 0;
            }
        } else if (devices == 2) { /* the device that failed is dropped, the other one runs */
            CHECK_EQ_INT(o.open, FQP_OK);
            CHECK_EQ_INT(o.gpu_consumers, 2);
        } else {
            CHECK_EQ_INT(o.open, FQP_ERR_CUDA);
            CHECK(strstr(o.open_err.message, "CUDA_ERROR_OUT_OF_MEMORY (out of memory)") != NULL);
            CHECK(strstr(o.open_err.message, "cuMemAlloc") != NULL);
            CHECK_EQ_U64(fake_stats().alloc_calls, (unsigned long)k);
            CHECK_EQ_INT(o.threads, cfg_small.threads); /* CPU consumers only */
        }
        CHECK_FAKE_CLEAN();
        if (k == 3 && devices == 1) { /* forced: an error, the run does not start */
            outcome_free(&o);
            gd.mode = FQP_GPU_FORCE;
            fake_reset();
            run_mixed(&input_small, &cfg_small, &gd, &x, &o);
            CHECK_EQ_INT(o.run, FQP_ERR_CUDA);
            CHECK(strstr(o.err.message, "GPU required") != NULL);
        }
        outcome_free(&o);
    }
    CHECK(succeeded);
    clear_env();
}

/* No failure: the GPU consumers do a good share of the work and the totals
   are exactly the CPU reference. */
static void test_mixed_equals_cpu(void)
{
    static const unsigned kernel_sets[] = {FQP_GPU_QC, FQP_GPU_QC | FQP_GPU_PREFIX_SUM | FQP_GPU_TRIM};
    size_t ks;
    for (ks = 0; ks < 2; ks++) {
        int variant;
        for (variant = 0; variant < 4; variant++) {
            int attempt;
            fqp_cuda_desc gd;
            run_ctx x;
            outcome o;
            cfg c = cfg_small;
            desc_defaults(&gd);
            gd.kernels = kernel_sets[ks];
            c.trim.mode = variant % 2 ? FQP_TRIM_WINDOW : FQP_TRIM_BWA;
            c.trim.threshold = variant % 2 ? 25 : 20;
            c.trim.window = variant == 3 ? 7 : 0;
            c.trim.threshold5 = variant == 2 ? 12 : 0; /* the 5' cut (BWA only) */
            c.write = variant != 2 || ks == 1; /* variant 2, QC only: no on_results, so checkpoints span uploads */
            c.cpu_delay_us = 10000;
            if (variant == 0 && ks == 0) unsetenv("FAKE_CUDA_EMU_BLOCK"); /* the launched grid itself */
            if (variant == 1) gd.coalesce_bytes = 1;       /* one batch per upload */
            if (variant == 2) {                            /* several uploads per checkpoint (QC only) */
                gd.checkpoint_groups = 3;
                gd.coalesce_bytes = 1;
                c.queue_depth = 200; /* the input waits in the queue: no early checkpoints for lack of it */
                c.gate_kernels = 12; /* and the GPU runs at least 12 uploads */
            }
            if (variant == 3) {                            /* 2 devices x 2 consumers, 3 slots each */
                setenv("FAKE_CUDA_DEVICES", "2", 1);
                gd.consumers_per_device = 2;
                gd.in_flight = 3;
                c.threads = 6;
            }
            for (attempt = 0;; attempt++) {
                fake_reset();
                memset(&x, 0, sizeof x);
                run_mixed(&input_small, &c, &gd, &x, &o);
                /* Which side wins how many batches is timing: on a loaded
                   machine one side may take them all. Run again (a few
                   times at most) until the run really was mixed. */
                if (attempt == 4 || o.open != FQP_OK || o.run != FQP_OK ||
                    (o.gpu_records > 0 && o.gpu_records < input_small.records))
                    break;
                outcome_free(&o);
            }
            CHECK_EQ_INT(o.open, FQP_OK);
            CHECK_EQ_INT(o.run, FQP_OK);
            CHECK(same_counts(&o.qc, &ref_small));
            CHECK_EQ_U64(o.records, input_small.records);
            CHECK(o.gpu_records > 0);
            CHECK(o.gpu_records < input_small.records); /* the CPU consumers did some too */
            CHECK_EQ_U64(o.mismatches, 0);
            if (ks == 1) CHECK(o.checked > 0);
            if (c.write) CHECK(o.out.len == input_small.size && memcmp(o.out.data, input_small.data, o.out.len) == 0);
            CHECK_EQ_INT(o.gm[0].status, FQP_OK);
            if (variant == 2 && ks == 0) CHECK(o.gm[0].checkpoints < o.gm[0].groups);
            { /* the GPU consumers together did work (with 4 of them, one may get no batch) */
                uint64_t up = 0, groups = 0, ckpts = 0;
                int g;
                for (g = 0; g < o.gpu_consumers && g < 16; g++) {
                    up += o.gm[g].bytes_up;
                    groups += o.gm[g].groups;
                    ckpts += o.gm[g].checkpoints;
                    CHECK(o.gm[g].busy_fraction >= 0 && o.gm[g].busy_fraction <= 1);
                }
                CHECK(up > 0 && groups > 0 && ckpts > 0);
            }
            if (variant == 1) CHECK_EQ_U64(o.gm[0].groups, o.gm[0].batches);
            if (variant == 3) CHECK_EQ_INT(o.gpu_consumers, 4);
            CHECK_FAKE_CLEAN();
            outcome_free(&o);
            clear_env();
            setenv("FAKE_CUDA_EMU_BLOCK", "32", 1);
        }
    }
}

/* A 100 kbp read: bigger than every staging buffer, so its slot grows;
   prefix sums and QC over it equal the twins. */
typedef struct log_capture {
    fqp__mutex mu;
    int grew, lines;
} log_capture;

static void capture_log(void *user, fqp_log_level level, const char *message)
{
    log_capture *l = (log_capture *)user;
    (void)level;
    fqp__lock(&l->mu);
    l->lines++;
    if (strstr(message, "a slot grew")) l->grew++;
    fqp__unlock(&l->mu);
}

static void test_huge_record(void)
{
    fqp_cuda_desc gd;
    run_ctx x;
    outcome o;
    cfg c = cfg_small;
    log_capture lc;
    memset(&lc, 0, sizeof lc);
    fqp__mutex_init(&lc.mu);
    desc_defaults(&gd);
    gd.kernels = FQP_GPU_QC | FQP_GPU_PREFIX_SUM;
    gd.coalesce_bytes = 4096;
    gd.log = capture_log;
    gd.log_user = &lc;
    c.threads = 2;
    c.gate_results = 10; /* the GPU takes the first ten batches or so, the huge one among them */
    fake_reset();
    memset(&x, 0, sizeof x);
    run_mixed(&input_huge, &c, &gd, &x, &o);
    CHECK_EQ_INT(o.run, FQP_OK);
    CHECK(same_counts(&o.qc, &ref_huge));
    CHECK_EQ_U64(o.records, input_huge.records);
    CHECK_EQ_U64(o.mismatches, 0);
    CHECK(o.checked >= 100000);
    CHECK(lc.grew >= 1);
    CHECK(lc.lines >= 2); /* the open line, the growth */
    CHECK_FAKE_CLEAN();
    outcome_free(&o);
    fqp__mutex_destroy(&lc.mu);
}

/* Out of memory when a slot grows for the huge read, mid-run: handed back. */
static void test_growth_fails(void)
{
    fqp_cuda_desc gd;
    run_ctx x;
    outcome o;
    cfg c = cfg_small;
    desc_defaults(&gd);
    gd.kernels = FQP_GPU_QC | FQP_GPU_PREFIX_SUM;
    c.threads = 2;
    c.gate_injected = 1;
    c.fail_next_alloc = 1;
    fake_reset();
    memset(&x, 0, sizeof x);
    run_mixed(&input_huge, &c, &gd, &x, &o);
    CHECK_EQ_INT(o.run, FQP_OK);
    CHECK(same_counts(&o.qc, &ref_huge));
    CHECK_EQ_U64(o.records, input_huge.records);
    CHECK_EQ_U64(o.mismatches, 0);
    CHECK_EQ_INT(o.gm[0].status, FQP_ERR_CUDA);
    CHECK(strstr(o.gm[0].message, "cuMemAllocHost_v2 (staging) failed: CUDA_ERROR_OUT_OF_MEMORY") != NULL);
    CHECK(o.gm[0].requeued >= 1);
    unsetenv("FAKE_CUDA_FAIL_ALLOC_AT");
    CHECK_FAKE_CLEAN();
    outcome_free(&o);
}

/* The GPU fails at launch k, or its k-th copy/wait fails: the batches it
   held go back, the counts stay exact; under FORCE the run fails. */
typedef struct injection {
    const char *var, *value;
    const char *in_message;
    int holds;                 /* it fails while holding batches */
} injection;

static void check_failure_run(const injection *inj, unsigned kernels, int force, int ckpt)
{
    fqp_cuda_desc gd;
    run_ctx x;
    outcome o;
    cfg c = cfg_small;
    desc_defaults(&gd);
    gd.kernels = kernels;
    gd.coalesce_bytes = 1; /* many uploads, so failures land mid-run */
    gd.checkpoint_groups = ckpt;
    if (force) gd.mode = FQP_GPU_FORCE;
    c.trim.mode = FQP_TRIM_BWA;
    c.trim.threshold = 20;
    c.write = ckpt <= 1; /* on_results (which writes) makes every upload a checkpoint */
    c.gate_injected = 1; /* the GPU takes every batch until its failure */
    setenv(inj->var, inj->value, 1);
    fake_reset();
    memset(&x, 0, sizeof x);
    run_mixed(&input_small, &c, &gd, &x, &o);
    CHECK_EQ_INT(o.open, FQP_OK);
    if (force) {
        CHECK_EQ_INT(o.run, FQP_ERR_CUDA);
        if (!strstr(o.err.message, "failed and the GPU is required") || !strstr(o.err.message, inj->in_message)) {
            fprintf(stderr, "  %s=%s: %s\n", inj->var, inj->value, o.err.message);
            CHECK(0);
        }
    } else {
        CHECK_EQ_INT(o.run, FQP_OK);
        if (!same_counts(&o.qc, &ref_small)) {
            fprintf(stderr, "  %s=%s kernels %u checkpoint_groups %d\n", inj->var, inj->value, kernels, ckpt);
            CHECK(0);
        }
        CHECK_EQ_U64(o.records, input_small.records);
        CHECK_EQ_U64(o.mismatches, 0);
        if (c.write) CHECK(o.out.len == input_small.size && memcmp(o.out.data, input_small.data, o.out.len) == 0);
        CHECK_EQ_INT(o.gm[0].status, FQP_ERR_CUDA);
        if (!strstr(o.gm[0].message, inj->in_message)) {
            fprintf(stderr, "  %s=%s: message \"%s\"\n", inj->var, inj->value, o.gm[0].message);
            CHECK(0);
        }
        if (inj->holds) CHECK(o.gm[0].requeued > 0); /* it held batches when it failed */
        else CHECK_EQ_U64(o.gm[0].requeued, 0);
    }
    unsetenv(inj->var);
    CHECK_FAKE_CLEAN();
    outcome_free(&o);
}

static void test_failure_mid_run(void)
{
    static const injection injections[] = {
        {"FAKE_CUDA_FAIL_LAUNCH_AT", "1", "cuLaunchKernel (fqp_k_qc) failed: CUDA_ERROR_LAUNCH_FAILED", 1},
        {"FAKE_CUDA_FAIL_LAUNCH_AT", "2", "CUDA_ERROR_LAUNCH_FAILED", 1},
        {"FAKE_CUDA_FAIL_LAUNCH_AT", "4", "CUDA_ERROR_LAUNCH_FAILED", 1},
        {"FAKE_CUDA_FAIL_LAUNCH_AT", "7", "CUDA_ERROR_LAUNCH_FAILED", 1},
        {"FAKE_CUDA_ASYNC_FAIL_AT", "1", "CUDA_ERROR_LAUNCH_FAILED", 1},
        {"FAKE_CUDA_ASYNC_FAIL_AT", "5", "CUDA_ERROR_LAUNCH_FAILED", 1},
        {"FAKE_CUDA_FAIL_CALL", "cuMemcpyHtoDAsync_v2:1", "cuMemcpyHtoDAsync_v2 (batch upload) failed", 1},
        {"FAKE_CUDA_FAIL_CALL", "cuMemcpyHtoDAsync_v2:3", "cuMemcpyHtoDAsync_v2 (batch upload) failed", 1},
        {"FAKE_CUDA_FAIL_CALL", "cuMemcpyDtoHAsync_v2:2", "cuMemcpyDtoHAsync_v2", 1},
        {"FAKE_CUDA_FAIL_CALL", "cuMemsetD8Async:4", "cuMemsetD8Async", 1},
        {"FAKE_CUDA_FAIL_CALL", "cuEventRecord:6", "cuEventRecord failed", 1},
        {"FAKE_CUDA_FAIL_CALL", "cuEventSynchronize:2", "cuEventSynchronize", 1},
        /* 1: the open makes device 0 current, 2: the open puts the caller's back, 3: the run's */
        {"FAKE_CUDA_FAIL_CALL", "cuCtxSetCurrent:3", "cuCtxSetCurrent failed", 0},
    };
    size_t i;
    for (i = 0; i < sizeof injections / sizeof injections[0]; i++) {
        check_failure_run(&injections[i], FQP_GPU_QC, 0, 0);
        if (i % 3 == 0) check_failure_run(&injections[i], FQP_GPU_QC, 0, 4);
        if (i % 4 == 1) check_failure_run(&injections[i], FQP_GPU_QC | FQP_GPU_PREFIX_SUM | FQP_GPU_TRIM, 0, 0);
    }
    check_failure_run(&injections[2], FQP_GPU_QC, 1, 0);
    check_failure_run(&injections[8], FQP_GPU_QC | FQP_GPU_TRIM, 1, 0);
    {   /* a failing second launch of a batch: its prefix sums never reach on_results */
        injection inj = {"FAKE_CUDA_FAIL_LAUNCH_AT", "2", "fqp_k_qual_prefix_sum", 1};
        check_failure_run(&inj, FQP_GPU_QC | FQP_GPU_PREFIX_SUM, 0, 0);
    }
}

/* Several GPU consumers, one failing: the others go on. */
static void test_one_of_many_fails(void)
{
    fqp_cuda_desc gd;
    run_ctx x;
    outcome o;
    cfg c = cfg_small;
    int i, failed = 0;
    desc_defaults(&gd);
    gd.consumers_per_device = 3;
    gd.coalesce_bytes = 1;
    c.threads = 4;
    c.gate_injected = 1;
    setenv("FAKE_CUDA_FAIL_CALL", "cuMemcpyHtoDAsync_v2:5", 1);
    fake_reset();
    memset(&x, 0, sizeof x);
    run_mixed(&input_small, &c, &gd, &x, &o);
    CHECK_EQ_INT(o.run, FQP_OK);
    CHECK(same_counts(&o.qc, &ref_small));
    CHECK_EQ_U64(o.records, input_small.records);
    for (i = 0; i < o.gpu_consumers; i++) failed += o.gm[i].status != FQP_OK;
    CHECK_EQ_INT(failed, 1);
    unsetenv("FAKE_CUDA_FAIL_CALL");
    CHECK_FAKE_CLEAN();
    outcome_free(&o);
}

/* on_results returning an error or FQP_STOP ends the run like process() would. */
static void test_results_callback_ends_run(void)
{
    fqp_cuda_desc gd;
    run_ctx x;
    outcome o;
    cfg c = cfg_small;
    c.cpu_delay_us = 10000;
    c.trim.mode = FQP_TRIM_BWA;
    desc_defaults(&gd);
    gd.kernels = FQP_GPU_TRIM;
    memset(&x, 0, sizeof x);
    c.cpu_delay_us = 0;
    c.gate_results = 3;
    x.fail_results_at = 3;
    run_mixed(&input_small, &c, &gd, &x, &o);
    CHECK_EQ_INT(o.run, FQP_ERR_CONSUMER);
    CHECK(strstr(o.err.message, "on_results failed") != NULL);
    CHECK_FAKE_CLEAN();
    outcome_free(&o);
    memset(&x, 0, sizeof x);
    c.gate_results = 2;
    x.stop_results_at = 2;
    run_mixed(&input_small, &c, &gd, &x, &o);
    CHECK_EQ_INT(o.run, FQP_STOP);
    CHECK_FAKE_CLEAN();
    outcome_free(&o);
}

/* The GPU answers "not ready" a few times and batches arrive slowly:
   the consumer polls and coalesces; a failed consumer stays off in the next
   run of the same context. */
static void test_polling_and_reuse(void)
{
    fqp_cuda_desc gd;
    run_ctx x;
    outcome o;
    cfg c = cfg_small;
    desc_defaults(&gd);
    gd.coalesce_seconds = 0.01;
    c.cpu_delay_us = 10000;
    setenv("FAKE_CUDA_NOT_READY", "3", 1);
    fake_reset();
    memset(&x, 0, sizeof x);
    run_mixed(&input_small, &c, &gd, &x, &o);
    CHECK_EQ_INT(o.run, FQP_OK);
    CHECK(same_counts(&o.qc, &ref_small));
    CHECK(o.gpu_records > 0);
    CHECK_FAKE_CLEAN();
    outcome_free(&o);
    clear_env();
}

/* The watchdog's message; nothing here moves it on, so it fires 1200 s after the start. */
static void a_test_hangs(char *what, size_t size) { snprintf(what, size, "test_cuda: a test hangs"); }

#define RUN_T(fn)                                                           \
    do {                                                                    \
        double t0_ = fqp__now();                                            \
        RUN(fn);                                                            \
        if (getenv("TEST_CUDA_TIMES")) fprintf(stderr, "  %.2f s\n", fqp__now() - t0_); \
    } while (0)

/* ---- offload workers: fqp_cuda_trim_batch from CPU consumers ---- */

typedef struct trim_run {
    fqp_cuda *gpu;
    fqp_trim_desc rule[2];     /* every batch is trimmed by both rules */
    int open_failures;         /* fqp_cuda_worker_open errors (FORCE) */
    fqp_result first_open_error;
    char open_message[FQP_ERROR_MESSAGE_MAX]; /* its message */
    fqp__mutex mu;
    /* summed in fini (calling thread) */
    uint64_t batches, records, mismatches, gpu_batches, gpu_records, cpu_batches, bytes_up, dead;
    fqp_result status;         /* a failed worker's status, FQP_OK if none */
    char message[4 * FQP_ERROR_MESSAGE_MAX]; /* every failed worker's message, one per line */
} trim_run;

typedef struct trim_state {
    fqp_cuda_worker *w;
    uint64_t batches, records, mismatches;
} trim_state;

static fqp_result trim_init(void *state, int consumer, void *user)
{
    trim_run *t = (trim_run *)user;
    trim_state *st = (trim_state *)state;
    fqp_error err;
    fqp_result r = fqp_cuda_worker_open(t->gpu, consumer, &st->w, &err);
    if (r != FQP_OK) {
        fqp__lock(&t->mu);
        if (!t->open_failures++) {
            t->first_open_error = r;
            snprintf(t->open_message, sizeof t->open_message, "%s", err.message);
        }
        fqp__unlock(&t->mu);
    }
    return r;
}

static fqp_result trim_process(fqp_batch *b, void *state, void *user)
{
    trim_run *t = (trim_run *)user;
    trim_state *st = (trim_state *)state;
    uint64_t *gpu = (uint64_t *)malloc((size_t)(2 * b->count + 1) * sizeof *gpu);
    uint64_t *cpu = (uint64_t *)malloc((size_t)(2 * b->count + 1) * sizeof *cpu);
    fqp_error err;
    fqp_result r = FQP_OK;
    int k;
    for (k = 0; k < 2 && r == FQP_OK; k++) {
        memset(gpu, 0xa5, (size_t)(2 * b->count + 1) * sizeof *gpu);
        r = fqp_cuda_trim_batch(st->w, b, &t->rule[k], gpu, &err);
        if (r != FQP_OK) {
            r = fqp_batch_error(b, UINT64_MAX, r, "%s", err.message);
            break;
        }
        fqp_trim_batch(b, &t->rule[k], cpu);
        if (memcmp(gpu, cpu, (size_t)(2 * b->count) * sizeof *gpu) != 0) st->mismatches++;
        if (gpu[2 * b->count] != 0xa5a5a5a5a5a5a5a5ull) st->mismatches++; /* nothing written past the end */
    }
    st->batches++;
    st->records += b->count;
    free(gpu);
    free(cpu);
    return r;
}

static void trim_fini(void *state, int consumer, void *user)
{
    trim_run *t = (trim_run *)user;
    trim_state *st = (trim_state *)state;
    fqp_cuda_consumer_metrics m;
    (void)consumer;
    t->batches += st->batches;
    t->records += st->records;
    t->mismatches += st->mismatches;
    if (st->w && fqp_cuda_worker_metrics(st->w, &m) == FQP_OK) {
        t->gpu_batches += m.batches;
        t->gpu_records += m.records;
        t->cpu_batches += m.requeued;
        t->bytes_up += m.bytes_up;
        if (m.status != FQP_OK) {
            t->dead++;
            t->status = m.status;
            size_t used = strlen(t->message);
            snprintf(t->message + used, sizeof t->message - used, "%s\n", m.message);
        }
    }
    fqp_cuda_worker_close(st->w);
    st->w = NULL;
}

/* Opens an offload-only trimming context on the fake, then runs 3 CPU
   consumers that trim every batch with both rules on their workers and
   compare with fqp_trim_batch. `inject` (VAR=value) is set after the open. */
static fqp_result trim_offload_run(const text *in, fqp_gpu_mode mode, const char *inject, trim_run *t, fqp_error *err)
{
    fqp_cuda_desc gd;
    fqp_pipeline_desc d;
    fqp_result r;
    memset(t, 0, sizeof *t);
    fqp__mutex_init(&t->mu);
    t->rule[0].mode = FQP_TRIM_BWA;
    t->rule[0].threshold = 30;
    t->rule[0].threshold5 = 15;
    t->rule[1].mode = FQP_TRIM_WINDOW;
    t->rule[1].threshold = 25;
    t->rule[1].window = 5;
    memset(&d, 0, sizeof d);
    d.input.data = in->data;
    d.input.size = in->size;
    d.config.threads = 3;
    d.config.batch_records = cfg_small.batch_records;
    d.config.batch_bytes = cfg_small.batch_bytes;
    d.config.ignore_env = 1;
    d.state_size = sizeof(trim_state);
    d.init = trim_init;
    d.process = trim_process;
    d.fini = trim_fini;
    d.user = t;
    desc_defaults(&gd);
    gd.mode = mode;
    gd.kernels = FQP_GPU_TRIM;
    gd.offload_only = 1; /* no on_results, no trim rule in the desc: both come with each call */
    gd.config = &d.config;
    if ((r = fqp_cuda_open(&t->gpu, &gd, err)) != FQP_OK) return r;
    fake_reset();
    if (inject) {
        char var[64];
        const char *eq = strchr(inject, '=');
        snprintf(var, sizeof var, "%.*s", (int)(eq - inject), inject);
        setenv(var, eq + 1, 1);
    }
    r = fqp_pipeline_run(&d, NULL, err);
    if (inject) {
        char var[64];
        snprintf(var, sizeof var, "%.*s", (int)(strchr(inject, '=') - inject), inject);
        unsetenv(var);
    }
    fqp_cuda_close(t->gpu);
    t->gpu = NULL;
    fqp__mutex_destroy(&t->mu);
    return r;
}

/* Both rules, every batch, 3 threads at once, a 100 kbp read growing a
   worker: the GPU intervals equal fqp_trim_batch's; no thread added. */
static void test_offload_trim_equals_cpu(void)
{
    const text *inputs[2] = {&input_small, &input_huge};
    int i;
    for (i = 0; i < 2; i++) {
        trim_run t;
        fqp_error err;
        fake_cuda_stats fs;
        fqp_result r = trim_offload_run(inputs[i], FQP_GPU_AUTO, NULL, &t, &err);
        fs = fake_stats();
        CHECK_EQ_INT(r, FQP_OK);
        CHECK_EQ_U64(t.records, inputs[i]->records);
        CHECK_EQ_U64(t.mismatches, 0);
        CHECK_EQ_U64(t.gpu_batches, 2 * t.batches); /* both rules on the GPU */
        CHECK_EQ_U64(t.gpu_records, 2 * t.records);
        CHECK_EQ_U64(t.cpu_batches, 0);
        CHECK_EQ_U64(t.dead, 0);
        CHECK(t.bytes_up > 0);
        CHECK(fs.kernel_runs >= 2 * t.batches - 2 * 1); /* an empty batch needs no launch */
        CHECK_FAKE_CLEAN();
    }
}

/* A GPU failing at any point (worker setup, launch, a fault surfacing at the
   next stream call, the download): the worker logs, goes dead, and its
   batches are trimmed on the CPU with identical intervals; under FORCE the
   run fails with the driver's error. */
static void test_offload_failure_falls_back(void)
{
    /* in_forced: what the FORCE run's error must hold. The launch failures
       break the (shared) context: under FORCE the first worker to see it
       (a launch, a later call, or a worker still being set up) ends the run. */
    static const struct {
        const char *inject, *in_message, *in_forced;
    } cases[] = {
        {"FAKE_CUDA_FAIL_ALLOC_AT=1", "cuMemAllocHost_v2 (staging) failed: CUDA_ERROR_OUT_OF_MEMORY",
         "cuMemAllocHost_v2 (staging) failed: CUDA_ERROR_OUT_OF_MEMORY"},
        {"FAKE_CUDA_FAIL_LAUNCH_AT=3", "cuLaunchKernel (fqp_k_trim) failed: CUDA_ERROR_LAUNCH_FAILED",
         "failed: CUDA_ERROR_LAUNCH_FAILED"},
        {"FAKE_CUDA_ASYNC_FAIL_AT=2", "failed: CUDA_ERROR_LAUNCH_FAILED", "failed: CUDA_ERROR_LAUNCH_FAILED"},
        {"FAKE_CUDA_FAIL_CALL=cuMemcpyDtoHAsync_v2:4", "cuMemcpyDtoHAsync_v2 (trim intervals) failed: CUDA_ERROR_UNKNOWN",
         "cuMemcpyDtoHAsync_v2 (trim intervals) failed: CUDA_ERROR_UNKNOWN"},
    };
    size_t i, n = sizeof cases / sizeof cases[0];
    const char *quick = getenv("FQP_TEST_QUICK");
    if (quick && strcmp(quick, "1") == 0) n = 2;
    for (i = 0; i < n; i++) {
        trim_run t;
        fqp_error err;
        fqp_result r = trim_offload_run(&input_small, FQP_GPU_AUTO, cases[i].inject, &t, &err);
        CHECK_EQ_INT(r, FQP_OK);
        CHECK_EQ_U64(t.records, input_small.records);
        CHECK_EQ_U64(t.mismatches, 0);
        CHECK_EQ_U64(t.open_failures, 0);
        CHECK(t.dead >= 1);
        CHECK(t.cpu_batches >= 1);
        CHECK_EQ_U64(t.gpu_batches + t.cpu_batches, 2 * t.batches); /* nothing lost, nothing twice */
        CHECK_EQ_INT(t.status, FQP_ERR_CUDA);
        if (!strstr(t.message, cases[i].in_message)) {
            fprintf(stderr, "  %s: message \"%s\"\n", cases[i].inject, t.message);
            CHECK(0);
        }
        CHECK_FAKE_CLEAN();
        /* FORCE: the same failure is the run's error */
        r = trim_offload_run(&input_small, FQP_GPU_FORCE, cases[i].inject, &t, &err);
        CHECK_EQ_INT(r, FQP_ERR_CUDA);
        if (i == 0) CHECK_EQ_INT(t.open_failures, 1); /* the first worker could not be set up */
        if (t.open_failures && !strstr(err.message, "GPU required")) {
            /* an init() failure ended the run: the run says so, the message came from the open */
            CHECK_EQ_INT(t.first_open_error, FQP_ERR_CUDA);
            CHECK(strstr(err.message, "init() failed") != NULL);
            memcpy(err.message, t.open_message, sizeof t.open_message);
        }
        if (!strstr(err.message, "GPU required (FQP_GPU_FORCE) but GPU worker") ||
            !strstr(err.message, cases[i].in_forced)) {
            fprintf(stderr, "  %s under FORCE: message \"%s\"\n", cases[i].inject, err.message);
            CHECK(0);
        }
        CHECK_FAKE_CLEAN();
    }
}

/* The API's edges: a context without FQP_GPU_TRIM, bad arguments, a NULL
   worker (the CPU), an offload-only context has no GPU consumers. */
static void test_offload_edges(void)
{
    fqp_cuda_desc gd;
    fqp_cuda *gpu = NULL;
    fqp_cuda_worker *w = (fqp_cuda_worker *)&gd;
    fqp_error err;
    fqp_batch b;
    const uint64_t off[3] = {0, 3, 3};
    uint64_t se[4] = {9, 9, 9, 9}, ref[4];
    fqp_trim_desc td = {FQP_TRIM_BWA, 20, 0, 0};
    fqp_cuda_consumer_metrics m;
    memset(&m, 0, sizeof m);
    desc_defaults(&gd);
    gd.kernels = FQP_GPU_QC;
    REQUIRE(fqp_cuda_open(&gpu, &gd, &err) == FQP_OK);
    CHECK_EQ_INT(fqp_cuda_worker_open(gpu, 0, &w, &err), FQP_ERR_INVALID_ARGUMENT);
    CHECK(w == NULL);
    CHECK(strstr(err.message, "no kernel a worker runs") != NULL);
    fqp_cuda_close(gpu);
    gd.kernels = FQP_GPU_TRIM;
    gd.offload_only = 1;
    REQUIRE(fqp_cuda_open(&gpu, &gd, &err) == FQP_OK);
    CHECK_EQ_INT(fqp_cuda_consumers(gpu, NULL, 0), 0);
    CHECK_EQ_INT(fqp_cuda_worker_open(gpu, -1, &w, &err), FQP_ERR_INVALID_ARGUMENT);
    CHECK_EQ_INT(fqp_cuda_worker_open(NULL, 0, &w, &err), FQP_ERR_INVALID_ARGUMENT);
    CHECK_EQ_INT(fqp_cuda_worker_open(gpu, 0, NULL, &err), FQP_ERR_INVALID_ARGUMENT);
    memset(&b, 0, sizeof b);
    b.count = 2;
    b.bases = 3;
    b.qual = "II#";
    b.seq = "ACG";
    b.seq_off = off;
    fqp_trim_batch(&b, &td, ref);
    CHECK_EQ_INT(fqp_cuda_trim_batch(NULL, &b, &td, se, &err), FQP_OK); /* NULL worker: the CPU */
    CHECK(memcmp(se, ref, sizeof se) == 0);
    REQUIRE(fqp_cuda_worker_open(gpu, 5, &w, &err) == FQP_OK); /* any index: modulo the devices */
    memset(se, 9, sizeof se);
    CHECK_EQ_INT(fqp_cuda_trim_batch(w, &b, &td, se, &err), FQP_OK);
    CHECK(memcmp(se, ref, sizeof se) == 0);
    CHECK_EQ_U64(se[1], 2); /* "II#" at Q20: BWA drops the last base */
    CHECK_EQ_INT(fqp_cuda_trim_batch(w, &b, NULL, se, &err), FQP_OK); /* no rule: all kept */
    CHECK_EQ_U64(se[1], 3);
    CHECK_EQ_U64(se[3], 0);
    CHECK_EQ_INT(fqp_cuda_trim_batch(w, NULL, &td, se, &err), FQP_ERR_INVALID_ARGUMENT);
    CHECK_EQ_INT(fqp_cuda_trim_batch(w, &b, &td, NULL, &err), FQP_ERR_INVALID_ARGUMENT);
    CHECK_EQ_INT(fqp_cuda_worker_metrics(w, &m), FQP_OK);
    CHECK_EQ_U64(m.batches, 2);
    CHECK_EQ_U64(m.records, 4);
    CHECK_EQ_U64(m.requeued, 0);
    CHECK_EQ_INT(m.status, FQP_OK);
    CHECK_EQ_INT(fqp_cuda_worker_metrics(NULL, &m), FQP_ERR_INVALID_ARGUMENT);
    fqp_cuda_worker_close(w);
    fqp_cuda_worker_close(NULL);
    fqp_cuda_close(gpu);
    CHECK_FAKE_CLEAN();
}

/* ---- bring your own kernel: user kernels, built-ins described as such ---- */

/* What every kernel below computes, summed over a run: records, the Phred
   sum of every base (the last prefix sum of each read), the bases kept by
   the trim rule, the header bytes and their byte sum, and the canonical
   5-mer table. A CPU consumer computes them with the twins; on_results
   from the GPU's outputs where the context has the kernel (comparing the
   arrays with the twins first), with the twins otherwise; the k-mer
   accumulator through fqp_cuda_accumulated. Every run must give the sums
   of an all-CPU run exactly. */
#define BYO_K 5u

typedef struct byo_sums {
    uint64_t records, quals, kept, head_bytes, head_sum;
} byo_sums;

static const fqp_trim_desc byo_trim = {FQP_TRIM_WINDOW, 25, 5, 0}; /* reads the bases too */

/* The PTX stand-in of tests/kernels_emu.c's fqp_test_head_len. */
static const char head_len_ptx[] = ".version 8.0\n.target sm_75\n.address_size 64\n"
                                   ".visible .entry fqp_test_head_len(\n.param .u64 heads, .param .u64 head_off,\n"
                                   ".param .u64 n_reads, .param .u64 out\n)\n{\n}\n";

typedef struct byo_kernels {
    fqp_cuda_builtin_kernel prefix, trim;
    fqp_cuda_arg kmer_args[5], head_args[4];
    fqp_cuda_output kmer_table, head_out;
    unsigned k;
    fqp_cuda_kernel kmer, head;
} byo_kernels;

/* The four kernels, described as a user does (kept in *bk: the
   descriptions point into it until fqp_cuda_open copied them). */
static void byo_kernels_init(byo_kernels *bk)
{
    fqp_cuda_desc td;
    memset(bk, 0, sizeof *bk);
    memset(&td, 0, sizeof td);
    td.trim = byo_trim;
    REQUIRE(fqp_cuda_builtin(FQP_GPU_PREFIX_SUM, &td, &bk->prefix) == FQP_OK);
    REQUIRE(fqp_cuda_builtin(FQP_GPU_TRIM, &td, &bk->trim) == FQP_OK);
    bk->k = BYO_K;
    bk->kmer_args[0].kind = FQP_CUDA_ARG_SEQ;
    bk->kmer_args[1].kind = FQP_CUDA_ARG_OFFSETS;
    bk->kmer_args[2].kind = FQP_CUDA_ARG_COUNT;
    bk->kmer_args[3].kind = FQP_CUDA_ARG_VALUE;
    bk->kmer_args[3].value = &bk->k;
    bk->kmer_args[3].size = sizeof bk->k;
    bk->kmer_args[4].kind = FQP_CUDA_ARG_OUTPUT;
    bk->kmer_table.rule = FQP_CUDA_FIXED;
    bk->kmer_table.bytes = 4 * fqp_kmer_table_size(BYO_K);
    bk->kmer_table.accumulate = 1;
    bk->kmer_table.word_bytes = 4;
    bk->kmer.entry = "fqp_kmer_count";
    bk->kmer.ptx_parts = fqp_kmer_ptx;
    bk->kmer.args = bk->kmer_args;
    bk->kmer.n_args = 5;
    bk->kmer.outputs = &bk->kmer_table;
    bk->kmer.n_outputs = 1;
    bk->head_args[0].kind = FQP_CUDA_ARG_HEADS;
    bk->head_args[1].kind = FQP_CUDA_ARG_HEAD_OFFSETS;
    bk->head_args[2].kind = FQP_CUDA_ARG_COUNT;
    bk->head_args[3].kind = FQP_CUDA_ARG_OUTPUT;
    bk->head_out.rule = FQP_CUDA_PER_RECORD;
    bk->head_out.bytes = 16; /* length, byte sum */
    bk->head.entry = "fqp_test_head_len";
    bk->head.ptx = head_len_ptx;
    bk->head.args = bk->head_args;
    bk->head.n_args = 4;
    bk->head.outputs = &bk->head_out;
    bk->head.n_outputs = 1;
    bk->head.block = 64;
    bk->head.reads_per_block = 64;
}

typedef struct byo {
    /* set by the test */
    cfg c;                     /* threads, batches, gates (cpu_gate) */
    int prefix_at, trim_at, head_at, kmer_at; /* the user kernel giving that, -1: none */
    int slow_after;            /* on_results naps 2 ms from this call on (0: never), so
                                  that the CPU consumers get batches on a loaded machine */
    /* the run */
    run_ctx x;                 /* cpu_gate's view of c; results_calls */
    fqp_result open, run;
    fqp_error open_err, err;
    int gpu_consumers;
    fqp_cuda_consumer_metrics gm[16];
    uint64_t gpu_records, requeued; /* from the GPU consumers' metrics */
    /* totals: CPU consumers merged, on_results, the accumulator */
    fqp_qc qc;
    byo_sums sums;
    uint64_t *kmers;           /* 4^BYO_K */
    uint64_t cpu_records, results_records, mismatches, checked;
} byo;

typedef struct byo_state {
    fqp_qc qc;
    byo_sums sums;
    uint64_t *kmers;
} byo_state;

/* The twins of every kernel on batch b, into s (and kmers, if set). */
static void byo_twin(const fqp_batch *b, byo_sums *s, uint64_t *kmers)
{
    uint64_t i, *v = (uint64_t *)malloc((size_t)(8 * (2 * b->count + b->bases + 1)));
    REQUIRE(v != NULL);
    s->records += b->count;
    fqp_qual_prefix_sum(b, v);
    for (i = 0; i < b->count; i++)
        if (b->seq_off[i + 1] > b->seq_off[i]) s->quals += v[b->seq_off[i + 1] - 1];
    fqp_trim_batch(b, &byo_trim, v);
    for (i = 0; i < b->count; i++) s->kept += v[2 * i + 1] - v[2 * i];
    for (i = 0; i < b->count; i++) {
        uint64_t j;
        s->head_bytes += b->head_off[i + 1] - b->head_off[i];
        for (j = b->head_off[i]; j < b->head_off[i + 1]; j++) s->head_sum += (unsigned char)b->head[j];
    }
    if (kmers) fqp_kmer_count_batch(b, BYO_K, kmers);
    free(v);
}

/* Batch b's outputs in res (from on_results or fqp_cuda_worker_run): each
   where it belongs and nowhere else, equal to the twins. Adds the sums
   taken from the GPU's arrays (the twins' for a kernel the context lacks)
   into s, the k-mers the context does not count into kmers. Returns the
   number of mismatches; *checked += values compared. */
static uint64_t byo_check(const byo *y, const fqp_batch *b, const fqp_cuda_results *res, byo_sums *s,
                          uint64_t *kmers, uint64_t *checked)
{
    uint64_t bad = 0, i, *want = (uint64_t *)malloc((size_t)(8 * (2 * b->count + b->bases + 1)));
    byo_sums twin;
    int ki, j;
    if (!want) return 1;
    memset(&twin, 0, sizeof twin);
    byo_twin(b, &twin, y->kmer_at < 0 ? kmers : NULL);
    for (ki = 0; ki < FQP_CUDA_MAX_KERNELS; ki++)
        for (j = 0; j < FQP_CUDA_MAX_OUTPUTS; j++) {
            int expected = j == 0 && (ki == y->prefix_at || ki == y->trim_at || ki == y->head_at);
            if ((res->out[ki][j] != NULL) != expected) {
                fprintf(stderr, "  batch %llu: out[%d][%d] is %s\n", (unsigned long long)b->index, ki, j,
                        expected ? "NULL" : "set");
                bad++;
            }
        }
    if (res->prefix || res->trim) bad++; /* no built-in gives results here */
    s->records += b->count;
    if (y->prefix_at >= 0 && res->out[y->prefix_at][0]) {
        const uint64_t *got = (const uint64_t *)res->out[y->prefix_at][0];
        fqp_qual_prefix_sum(b, want);
        for (i = 0; i < b->bases; i++) bad += want[i] != got[i];
        for (i = 0; i < b->count; i++)
            if (b->seq_off[i + 1] > b->seq_off[i]) s->quals += got[b->seq_off[i + 1] - 1];
        *checked += b->bases;
    } else {
        s->quals += twin.quals;
    }
    if (y->trim_at >= 0 && res->out[y->trim_at][0]) {
        const uint64_t *got = (const uint64_t *)res->out[y->trim_at][0];
        fqp_trim_batch(b, &byo_trim, want);
        for (i = 0; i < 2 * b->count; i++) bad += want[i] != got[i];
        for (i = 0; i < b->count; i++) s->kept += got[2 * i + 1] - got[2 * i];
        *checked += b->count;
    } else {
        s->kept += twin.kept;
    }
    if (y->head_at >= 0 && res->out[y->head_at][0]) {
        const uint64_t *got = (const uint64_t *)res->out[y->head_at][0];
        for (i = 0; i < b->count; i++) {
            uint64_t j2, sum = 0;
            for (j2 = b->head_off[i]; j2 < b->head_off[i + 1]; j2++) sum += (unsigned char)b->head[j2];
            bad += got[2 * i] != b->head_off[i + 1] - b->head_off[i];
            bad += got[2 * i + 1] != sum;
            s->head_bytes += got[2 * i];
            s->head_sum += got[2 * i + 1];
        }
        *checked += b->count;
    } else {
        s->head_bytes += twin.head_bytes;
        s->head_sum += twin.head_sum;
    }
    free(want);
    return bad;
}

static fqp_result byo_init(void *state, int consumer, void *user)
{
    byo *y = (byo *)user;
    byo_state *s = (byo_state *)state;
    (void)consumer;
    cpu_gate(&y->x);
    if (!(s->kmers = (uint64_t *)calloc((size_t)fqp_kmer_table_size(BYO_K), sizeof *s->kmers))) return FQP_ERR_NOMEM;
    return fqp_qc_init(&s->qc, MAX_POS, NULL);
}

static fqp_result byo_process(fqp_batch *b, void *state, void *user)
{
    byo *y = (byo *)user;
    byo_state *s = (byo_state *)state;
    fqp_qc_add_batch(&s->qc, b);
    byo_twin(b, &s->sums, s->kmers);
    if (y->c.cpu_delay_us) test_sleep_ms(y->c.cpu_delay_us / 1000 ? y->c.cpu_delay_us / 1000 : 1);
    return FQP_OK;
}

static void byo_add_sums(byo_sums *to, const byo_sums *s)
{
    to->records += s->records;
    to->quals += s->quals;
    to->kept += s->kept;
    to->head_bytes += s->head_bytes;
    to->head_sum += s->head_sum;
}

static fqp_result byo_merge(void *state, int consumer, void *user)
{
    byo *y = (byo *)user;
    byo_state *s = (byo_state *)state;
    uint64_t i;
    (void)consumer;
    fqp_qc_add_counts(&y->qc, s->qc.counts);
    byo_add_sums(&y->sums, &s->sums);
    y->cpu_records += s->sums.records;
    for (i = 0; i < fqp_kmer_table_size(BYO_K); i++) y->kmers[i] += s->kmers[i];
    return FQP_OK;
}

static void byo_fini(void *state, int consumer, void *user)
{
    byo_state *s = (byo_state *)state;
    (void)consumer;
    (void)user;
    fqp_qc_free(&s->qc);
    free(s->kmers);
}

/* GPU consumer threads (several at once): into the run's totals. */
static fqp_result byo_results(fqp_batch *b, const fqp_cuda_results *res, int consumer, void *user)
{
    byo *y = (byo *)user;
    byo_sums s;
    uint64_t checked = 0, bad, *kmers = NULL;
    int calls;
    (void)consumer;
    memset(&s, 0, sizeof s);
    if (y->kmer_at < 0 && !(kmers = (uint64_t *)calloc((size_t)fqp_kmer_table_size(BYO_K), 8))) return FQP_ERR_NOMEM;
    bad = byo_check(y, b, res, &s, kmers, &checked);
    fqp__lock(&y->x.mu);
    calls = ++y->x.results_calls;
    byo_add_sums(&y->sums, &s);
    y->results_records += b->count;
    y->mismatches += bad;
    y->checked += checked;
    if (kmers) {
        uint64_t i;
        for (i = 0; i < fqp_kmer_table_size(BYO_K); i++) y->kmers[i] += kmers[i];
    }
    fqp__unlock(&y->x.mu);
    free(kmers);
    if (y->slow_after && calls >= y->slow_after) test_sleep_ms(2);
    return FQP_OK;
}

static void byo_free(byo *y)
{
    fqp_qc_free(&y->qc);
    free(y->kmers);
    y->kmers = NULL;
}

/* One run: GPU consumers when gd opens (gd NULL: CPU only), as run_mixed
   does; the totals in y. gd->on_results = byo_results gets y as user. */
static void byo_run(const text *in, byo *y, fqp_cuda_desc *gd)
{
    fqp_pipeline_desc d;
    fqp_custom_consumer cc[16];
    fqp_cuda *gpu = NULL;
    int i;
    y->open = y->run = FQP_OK;
    memset(&y->open_err, 0, sizeof y->open_err);
    memset(&y->err, 0, sizeof y->err);
    memset(&y->sums, 0, sizeof y->sums);
    memset(y->gm, 0, sizeof y->gm);
    y->gpu_consumers = 0;
    y->gpu_records = y->requeued = y->cpu_records = y->results_records = y->mismatches = y->checked = 0;
    memset(&y->x, 0, sizeof y->x);
    y->x.c = &y->c;
    fqp__mutex_init(&y->x.mu);
    fqp_qc_init(&y->qc, MAX_POS, NULL);
    REQUIRE((y->kmers = (uint64_t *)calloc((size_t)fqp_kmer_table_size(BYO_K), 8)) != NULL);
    memset(&d, 0, sizeof d);
    d.input.data = in->data;
    d.input.size = in->size;
    d.config.threads = y->c.threads;
    d.config.batch_records = y->c.batch_records;
    d.config.batch_bytes = y->c.batch_bytes;
    d.config.queue_depth = y->c.queue_depth;
    d.config.ignore_env = 1;
    d.state_size = sizeof(byo_state);
    d.init = byo_init;
    d.process = byo_process;
    d.merge = byo_merge;
    d.fini = byo_fini;
    d.user = y;
    if (gd) {
        gd->config = &d.config;
        gd->qc_max_pos = MAX_POS;
        if (gd->on_results == byo_results) gd->user = y;
        y->open = fqp_cuda_open(&gpu, gd, &y->open_err);
        if (y->open == FQP_OK && y->c.fail_next_alloc) {
            char v[32];
            snprintf(v, sizeof v, "%lu", fake_stats().alloc_calls + 1);
            setenv("FAKE_CUDA_FAIL_ALLOC_AT", v, 1);
        }
        if (y->open == FQP_OK) {
            d.custom = cc;
            d.custom_count = y->gpu_consumers = fqp_cuda_consumers(gpu, cc, 16);
        } else if (fqp_cuda_mode(gd) == FQP_GPU_FORCE) {
            y->run = y->open;
            y->err = y->open_err;
            goto out;
        }
    }
    y->run = fqp_pipeline_run(&d, NULL, &y->err);
    if (gpu) {
        if (y->run == FQP_OK && (gd->kernels & FQP_GPU_QC)) CHECK_EQ_INT(fqp_cuda_qc(gpu, &y->qc), FQP_OK);
        if (y->run == FQP_OK && y->kmer_at >= 0)
            CHECK_EQ_INT(fqp_cuda_accumulated(gpu, y->kmer_at, 0, y->kmers, fqp_kmer_table_size(BYO_K)), FQP_OK);
        for (i = 0; i < y->gpu_consumers; i++) {
            fqp_cuda_metrics(gpu, i, &y->gm[i]);
            y->gpu_records += y->gm[i].records;
            y->requeued += y->gm[i].requeued;
        }
        if (gd->on_results && y->run == FQP_OK) CHECK_EQ_U64(y->results_records, y->gpu_records);
        if (getenv("TEST_CUDA_VERBOSE"))
            for (i = 0; i < y->gpu_consumers; i++)
                fprintf(stderr, "  GPU consumer %d: %llu batches, %llu groups, %llu checkpoints, %llu requeued: %s\n", i,
                        (unsigned long long)y->gm[i].batches, (unsigned long long)y->gm[i].groups,
                        (unsigned long long)y->gm[i].checkpoints, (unsigned long long)y->gm[i].requeued,
                        y->gm[i].status ? y->gm[i].message : "ok");
    }
out:
    fqp_cuda_close(gpu);
    fqp__mutex_destroy(&y->x.mu);
}

static void byo_defaults(byo *y)
{
    memset(y, 0, sizeof *y);
    y->c = cfg_small;
    y->prefix_at = y->trim_at = y->head_at = y->kmer_at = -1;
}

/* The all-CPU sums and k-mers of an input, once. */
static byo byo_ref_small, byo_ref_huge;

static void byo_reference(const text *in, byo *ref)
{
    byo_defaults(ref);
    byo_run(in, ref, NULL);
    CHECK_EQ_INT(ref->run, FQP_OK);
    CHECK_EQ_U64(ref->sums.records, in->records);
    CHECK(ref->sums.quals > 0 && ref->sums.kept > 0 && ref->sums.head_bytes > 0);
}

static int same_kmers(const uint64_t *a, const uint64_t *b)
{
    uint64_t i;
    for (i = 0; i < fqp_kmer_table_size(BYO_K); i++)
        if (a[i] != b[i]) {
            char s[FQP_KMER_MAX_K + 1];
            fprintf(stderr, "  k-mer %s: %llu != %llu\n", fqp_kmer_string(i, BYO_K, s), (unsigned long long)a[i],
                    (unsigned long long)b[i]);
            return 0;
        }
    return 1;
}

/* The run gave every total of the all-CPU run; with on_results (sums from
   both sides) the sums too, else the records and k-mers. */
static void byo_check_totals(const byo *y, const byo *ref, int with_results)
{
    CHECK_EQ_U64(y->cpu_records + (with_results ? y->results_records : y->gpu_records), ref->sums.records);
    if (with_results) {
        CHECK_EQ_U64(y->sums.records, ref->sums.records);
        CHECK_EQ_U64(y->sums.quals, ref->sums.quals);
        CHECK_EQ_U64(y->sums.kept, ref->sums.kept);
        CHECK_EQ_U64(y->sums.head_bytes, ref->sums.head_bytes);
        CHECK_EQ_U64(y->sums.head_sum, ref->sums.head_sum);
    }
    CHECK(same_kmers(y->kmers, ref->kmers));
    CHECK_EQ_U64(y->mismatches, 0);
}

/* The k-mer table's ranges callback (GPU consumer thread, at each
   checkpoint): the whole table, after a nap of *(const int *)user ms, so
   that the CPU consumers get batches on a loaded machine. */
static int kmer_ranges(const void *user, uint64_t words, uint64_t max_len, uint64_t start[8], uint64_t len[8])
{
    (void)max_len;
    if (user && *(const int *)user) test_sleep_ms(*(const int *)user);
    start[0] = 0;
    len[0] = words;
    return 1;
}

/* Runs gd until the GPU and the CPU consumers both took batches (which
   side wins how many is timing: a few tries at most). */
static void byo_run_mixed(const text *in, byo *y, fqp_cuda_desc *gd)
{
    int attempt;
    for (attempt = 0;; attempt++) {
        fake_reset();
        byo_run(in, y, gd);
        if (attempt == 4 || y->open != FQP_OK || y->run != FQP_OK ||
            (y->gpu_records > 0 && y->gpu_records < in->records))
            break;
        byo_free(y);
    }
    CHECK_EQ_INT(y->open, FQP_OK);
    CHECK_EQ_INT(y->run, FQP_OK);
    CHECK(y->gpu_records > 0);
    CHECK(y->gpu_records < in->records);
}

/* fqp_cuda_builtin(FQP_GPU_PREFIX_SUM / FQP_GPU_TRIM) as user kernel 0,
   no built-in besides: res->out[0][0] is each batch's prefix sums (trim
   intervals) as the twin computes them, and the run's totals are the
   all-CPU run's. */
static void test_builtin_as_user_kernel(void)
{
    int which;
    for (which = 0; which < 2; which++) {
        byo_kernels bk;
        fqp_cuda_desc gd;
        byo y;
        byo_kernels_init(&bk);
        byo_defaults(&y);
        y.c.cpu_delay_us = 10000;
        y.slow_after = 20;
        desc_defaults(&gd);
        gd.user_kernels = which == 0 ? &bk.prefix.kernel : &bk.trim.kernel;
        gd.n_user_kernels = 1;
        gd.on_results = byo_results;
        if (which == 0) y.prefix_at = 0;
        else y.trim_at = 0;
        byo_run_mixed(&input_small, &y, &gd);
        byo_check_totals(&y, &byo_ref_small, 1);
        CHECK(y.checked > 0);
        CHECK_EQ_INT(y.gm[0].status, FQP_OK);
        CHECK_EQ_U64(y.gm[0].checkpoints, 0); /* no accumulator: nothing fetched */
        CHECK_FAKE_CLEAN();
        byo_free(&y);
    }
}

/* Several user kernels in one context, after the built-in QC: the prefix
   sums, the trim intervals and the header lengths routed to out[0..2][0],
   the k-mer accumulator (user kernel 3, 4-byte words) fetched at the
   checkpoints; in_flight 1 and 3, one and two GPU consumers. Then the
   accumulator alone (no on_results), checkpoint_groups 1 and 8: GPU k-mers
   plus the CPU consumers' twin counts are the CPU-only counts. */
static void test_user_kernels_mixed(void)
{
    const char *quick = getenv("FQP_TEST_QUICK");
    int v, n_variants = quick && strcmp(quick, "1") == 0 ? 2 : 3;
    for (v = 0; v < n_variants; v++) {
        byo_kernels bk;
        fqp_cuda_kernel list[4];
        fqp_cuda_desc gd;
        byo y;
        byo_kernels_init(&bk);
        byo_defaults(&y);
        y.c.cpu_delay_us = 10000;
        y.slow_after = 20;
        list[0] = bk.prefix.kernel;
        list[1] = bk.trim.kernel;
        list[2] = bk.head;
        list[3] = bk.kmer;
        y.prefix_at = 0;
        y.trim_at = 1;
        y.head_at = 2;
        y.kmer_at = 3;
        desc_defaults(&gd);
        gd.kernels = FQP_GPU_QC;
        gd.user_kernels = list;
        gd.n_user_kernels = 4;
        gd.on_results = byo_results;
        gd.in_flight = v == 0 ? 1 : 3;
        if (v == 1) gd.coalesce_bytes = 1; /* one batch per group */
        if (v == 2) {
            setenv("FAKE_CUDA_DEVICES", "2", 1);
            y.c.threads = 4;
        }
        byo_run_mixed(&input_small, &y, &gd);
        byo_check_totals(&y, &byo_ref_small, 1);
        CHECK(same_counts(&y.qc, &ref_small));
        CHECK(y.checked > 0);
        CHECK(y.gm[0].checkpoints > 0);
        CHECK_EQ_U64(y.gm[0].checkpoints, y.gm[0].groups); /* on_results: one checkpoint per group */
        if (v == 2) CHECK_EQ_INT(y.gpu_consumers, 2);
        CHECK_FAKE_CLEAN();
        byo_free(&y);
        clear_env();
    }
    for (v = 0; v < 4; v++) {
        byo_kernels bk;
        fqp_cuda_desc gd;
        byo y;
        static const int nap = 2;
        byo_kernels_init(&bk);
        byo_defaults(&y);
        bk.kmer_table.ranges = kmer_ranges;
        bk.kmer_table.ranges_user = &nap;
        y.kmer_at = 0;
        y.c.gate_kernels = 12; /* the GPU runs a dozen groups before the CPU consumers start */
        y.c.queue_depth = 200;
        desc_defaults(&gd);
        gd.user_kernels = &bk.kmer;
        gd.n_user_kernels = 1;
        gd.coalesce_bytes = 1;
        gd.checkpoint_groups = v % 2 ? 8 : 1;
        gd.in_flight = v < 2 ? 1 : 3;
        byo_run_mixed(&input_small, &y, &gd);
        byo_check_totals(&y, &byo_ref_small, 0);
        CHECK_EQ_U64(y.gm[0].groups, y.gm[0].batches);
        if (gd.checkpoint_groups == 1) CHECK_EQ_U64(y.gm[0].checkpoints, y.gm[0].groups);
        else CHECK(y.gm[0].checkpoints < y.gm[0].groups && y.gm[0].checkpoints > 0);
        CHECK_FAKE_CLEAN();
        byo_free(&y);
    }
}

/* A GPU failing anywhere while it holds k-mer counts that no checkpoint
   has fetched: its batches go back to the CPU consumers, and GPU k-mers
   plus CPU k-mers are the CPU-only counts (nothing lost, nothing twice);
   under FORCE the run fails with the driver's error. */
static void check_kmer_failure(const injection *inj, int ckpt, int in_flight, int with_prefix, int force)
{
    byo_kernels bk;
    fqp_cuda_kernel list[2];
    fqp_cuda_desc gd;
    byo y;
    const text *in = inj->var ? &input_small : &input_huge;
    const byo *ref = inj->var ? &byo_ref_small : &byo_ref_huge;
    byo_kernels_init(&bk);
    byo_defaults(&y);
    desc_defaults(&gd);
    list[0] = bk.prefix.kernel;
    list[1] = bk.kmer;
    gd.user_kernels = with_prefix ? list : list + 1;
    gd.n_user_kernels = with_prefix ? 2 : 1;
    if (with_prefix) {
        gd.on_results = byo_results;
        y.prefix_at = 0;
    }
    y.kmer_at = with_prefix ? 1 : 0;
    gd.coalesce_bytes = 1; /* many uploads, so failures land mid-run */
    gd.checkpoint_groups = ckpt;
    gd.in_flight = in_flight;
    if (force) gd.mode = FQP_GPU_FORCE;
    y.c.gate_injected = 1; /* the GPU takes every batch until its failure */
    if (inj->var) setenv(inj->var, inj->value, 1);
    else {
        y.c.fail_next_alloc = 1; /* the 100 kbp read's slot cannot grow */
        y.c.threads = 2;
    }
    fake_reset();
    byo_run(in, &y, &gd);
    CHECK_EQ_INT(y.open, FQP_OK);
    if (force) {
        CHECK_EQ_INT(y.run, FQP_ERR_CUDA);
        if (!strstr(y.err.message, "failed and the GPU is required") || !strstr(y.err.message, inj->in_message)) {
            fprintf(stderr, "  %s=%s under FORCE: %s\n", inj->var, inj->value, y.err.message);
            CHECK(0);
        }
    } else {
        CHECK_EQ_INT(y.run, FQP_OK);
        byo_check_totals(&y, ref, with_prefix);
        if (!same_kmers(y.kmers, ref->kmers))
            fprintf(stderr, "  %s=%s checkpoint_groups %d in_flight %d\n", inj->var ? inj->var : "growth",
                    inj->value, ckpt, in_flight);
        CHECK_EQ_INT(y.gm[0].status, FQP_ERR_CUDA);
        if (!strstr(y.gm[0].message, inj->in_message)) {
            fprintf(stderr, "  %s=%s: message \"%s\"\n", inj->var, inj->value, y.gm[0].message);
            CHECK(0);
        }
        CHECK(y.gm[0].requeued > 0); /* it held batches (and uncounted k-mers) when it failed */
        CHECK(y.cpu_records > 0);
        CHECK(y.gpu_records < in->records);
    }
    if (inj->var) unsetenv(inj->var);
    unsetenv("FAKE_CUDA_FAIL_ALLOC_AT");
    CHECK_FAKE_CLEAN();
    byo_free(&y);
}

static void test_user_kernel_failures(void)
{
    static const injection injections[] = {
        {"FAKE_CUDA_FAIL_LAUNCH_AT", "1", "cuLaunchKernel (fqp_", 1}, /* the k-mer or the prefix kernel */
        {"FAKE_CUDA_FAIL_LAUNCH_AT", "5", "CUDA_ERROR_LAUNCH_FAILED", 1},
        {"FAKE_CUDA_ASYNC_FAIL_AT", "3", "CUDA_ERROR_LAUNCH_FAILED", 1},
        {"FAKE_CUDA_FAIL_CALL", "cuMemcpyHtoDAsync_v2:4", "cuMemcpyHtoDAsync_v2 (batch upload) failed", 1},
        {"FAKE_CUDA_FAIL_CALL", "cuMemcpyDtoHAsync_v2:3", "cuMemcpyDtoHAsync_v2 (", 1},
        {"FAKE_CUDA_FAIL_CALL", "cuMemsetD8Async:5", "cuMemsetD8Async (accumulators) failed", 1},
        {"FAKE_CUDA_FAIL_CALL", "cuEventSynchronize:2", "cuEventSynchronize", 1},
        {NULL, "", "cuMemAllocHost_v2 (staging) failed: CUDA_ERROR_OUT_OF_MEMORY", 1}, /* a slot growing */
    };
    const char *quick = getenv("FQP_TEST_QUICK");
    size_t i, n = sizeof injections / sizeof injections[0];
    for (i = 0; i < n; i++) {
        check_kmer_failure(&injections[i], 1, 2, 0, 0);
        if (quick && strcmp(quick, "1") == 0 && i % 2) continue;
        check_kmer_failure(&injections[i], 8, i % 2 ? 1 : 3, 0, 0);
        if (i % 3 == 0) check_kmer_failure(&injections[i], 0, 2, 1, 0);
    }
    check_kmer_failure(&injections[1], 8, 2, 0, 1);
    check_kmer_failure(&injections[4], 1, 2, 1, 1);
}

/* ---- offload workers running user kernels: fqp_cuda_worker_run ---- */

typedef struct wr_run {
    byo y;                     /* which kernel gives what (prefix_at, trim_at, head_at) */
    fqp_cuda *gpu;
    int open_failures;
    fqp__mutex mu;
    uint64_t batches, records, on_gpu, on_cpu, mismatches, checked, gpu_after_cpu, dead;
    uint64_t m_batches, m_requeued; /* the workers' metrics */
    char message[4 * FQP_ERROR_MESSAGE_MAX];
} wr_run;

typedef struct wr_state {
    fqp_cuda_worker *w;
    int went_cpu;
    uint64_t batches, records, on_gpu, on_cpu, mismatches, checked, gpu_after_cpu;
} wr_state;

static fqp_result wr_init(void *state, int consumer, void *user)
{
    wr_run *t = (wr_run *)user;
    wr_state *st = (wr_state *)state;
    fqp_result r = fqp_cuda_worker_open(t->gpu, consumer, &st->w, NULL);
    if (r != FQP_OK) {
        fqp__lock(&t->mu);
        t->open_failures++;
        fqp__unlock(&t->mu);
    }
    return r;
}

static fqp_result wr_process(fqp_batch *b, void *state, void *user)
{
    wr_run *t = (wr_run *)user;
    wr_state *st = (wr_state *)state;
    fqp_cuda_results res;
    fqp_error err;
    byo_sums s;
    int on_gpu = -1;
    fqp_result r = fqp_cuda_worker_run(st->w, b, &res, &on_gpu, &err);
    if (r != FQP_OK) return fqp_batch_error(b, UINT64_MAX, r, "%s", err.message);
    st->batches++;
    st->records += b->count;
    memset(&s, 0, sizeof s);
    if (on_gpu == 1) {
        st->on_gpu++;
        if (st->went_cpu) st->gpu_after_cpu++;
        if (b->count) st->mismatches += byo_check(&t->y, b, &res, &s, NULL, &st->checked);
    } else {
        CHECK_EQ_INT(on_gpu, 0);
        st->on_cpu++; /* the caller's CPU twin would run here */
        st->went_cpu = 1;
    }
    return FQP_OK;
}

static void wr_fini(void *state, int consumer, void *user)
{
    wr_run *t = (wr_run *)user;
    wr_state *st = (wr_state *)state;
    fqp_cuda_consumer_metrics m;
    (void)consumer;
    fqp__lock(&t->mu);
    t->batches += st->batches;
    t->records += st->records;
    t->on_gpu += st->on_gpu;
    t->on_cpu += st->on_cpu;
    t->mismatches += st->mismatches;
    t->checked += st->checked;
    t->gpu_after_cpu += st->gpu_after_cpu;
    if (st->w && fqp_cuda_worker_metrics(st->w, &m) == FQP_OK) {
        t->m_batches += m.batches;
        t->m_requeued += m.requeued;
        if (m.status != FQP_OK) {
            size_t used = strlen(t->message);
            t->dead++;
            snprintf(t->message + used, sizeof t->message - used, "%s\n", m.message);
        }
    }
    fqp__unlock(&t->mu);
    fqp_cuda_worker_close(st->w);
    st->w = NULL;
}

/* Opens an offload-only context with user kernels `list`, then 2 CPU
   consumers run every batch through fqp_cuda_worker_run on their workers.
   `inject` (VAR=value) is set after the open. */
static fqp_result wr_offload_run(const fqp_cuda_kernel *list, int n, fqp_gpu_mode mode, const char *inject,
                                 wr_run *t, fqp_error *err)
{
    fqp_cuda_desc gd;
    fqp_pipeline_desc d;
    fqp_result r;
    char var[64];
    memset(&d, 0, sizeof d);
    d.input.data = input_small.data;
    d.input.size = input_small.size;
    d.config.threads = 2;
    d.config.batch_records = cfg_small.batch_records;
    d.config.batch_bytes = cfg_small.batch_bytes;
    d.config.ignore_env = 1;
    d.state_size = sizeof(wr_state);
    d.init = wr_init;
    d.process = wr_process;
    d.fini = wr_fini;
    d.user = t;
    desc_defaults(&gd);
    gd.mode = mode;
    gd.user_kernels = list;
    gd.n_user_kernels = n;
    gd.offload_only = 1; /* no GPU consumers, no on_results */
    gd.config = &d.config;
    t->gpu = NULL;
    if ((r = fqp_cuda_open(&t->gpu, &gd, err)) != FQP_OK) return r;
    CHECK_EQ_INT(fqp_cuda_consumers(t->gpu, NULL, 0), 0);
    fqp__mutex_init(&t->mu);
    fake_reset();
    if (inject) {
        snprintf(var, sizeof var, "%.*s", (int)(strchr(inject, '=') - inject), inject);
        setenv(var, strchr(inject, '=') + 1, 1);
    }
    r = fqp_pipeline_run(&d, NULL, err);
    if (inject) unsetenv(var);
    fqp_cuda_close(t->gpu);
    t->gpu = NULL;
    fqp__mutex_destroy(&t->mu);
    return r;
}

static void wr_defaults(wr_run *t)
{
    memset(t, 0, sizeof *t);
    byo_defaults(&t->y);
}

/* The user prefix-sum kernel on workers: out.out[0][0] is each batch's
   prefix sums, *on_gpu = 1; with the trim and header kernels too, each in
   its place. A failure injected mid-run: that worker says *on_gpu = 0
   (FQP_OK) for every later batch; under FORCE the run gets the error.
   Workers refuse accumulator contexts and QC-only ones. */
static void test_worker_run_user_kernels(void)
{
    static const char *const injections[] = {
        "FAKE_CUDA_FAIL_LAUNCH_AT=3", "FAKE_CUDA_FAIL_CALL=cuMemcpyDtoHAsync_v2:4", "FAKE_CUDA_ASYNC_FAIL_AT=2",
        "FAKE_CUDA_FAIL_ALLOC_AT=1"};
    byo_kernels bk;
    fqp_cuda_kernel list[3];
    fqp_error err;
    wr_run t;
    size_t i;
    fqp_result r;
    byo_kernels_init(&bk);
    list[0] = bk.prefix.kernel;
    list[1] = bk.trim.kernel;
    list[2] = bk.head;
    for (i = 1; i <= 3; i += 2) { /* the prefix sums alone; all three */
        wr_defaults(&t);
        t.y.prefix_at = 0;
        if (i == 3) t.y.trim_at = 1, t.y.head_at = 2;
        r = wr_offload_run(list, (int)i, FQP_GPU_AUTO, NULL, &t, &err);
        CHECK_EQ_INT(r, FQP_OK);
        CHECK_EQ_U64(t.records, input_small.records);
        CHECK_EQ_U64(t.on_gpu, t.batches);
        CHECK_EQ_U64(t.on_cpu, 0);
        CHECK_EQ_U64(t.mismatches, 0);
        CHECK(t.checked > 0);
        CHECK_EQ_U64(t.m_batches, t.batches); /* every batch ran on a GPU */
        CHECK_EQ_U64(t.dead, 0);
        CHECK_FAKE_CLEAN();
    }
    for (i = 0; i < sizeof injections / sizeof injections[0]; i++) {
        wr_defaults(&t);
        t.y.prefix_at = 0;
        r = wr_offload_run(list, 1, FQP_GPU_AUTO, injections[i], &t, &err);
        CHECK_EQ_INT(r, FQP_OK);
        CHECK_EQ_U64(t.records, input_small.records);
        CHECK_EQ_U64(t.mismatches, 0);
        CHECK_EQ_U64(t.open_failures, 0);
        CHECK(t.dead >= 1);
        /* a failure mid-run sends at least its own batch to the CPU; a worker
           dead from its open may have been given no batch at all */
        if (!strstr(injections[i], "ALLOC_AT") && t.on_cpu < 1) {
            fprintf(stderr, "  %s: no batch ran on the CPU\n", injections[i]);
            CHECK(0);
        }
        CHECK_EQ_U64(t.on_gpu + t.on_cpu, t.batches);
        CHECK_EQ_U64(t.gpu_after_cpu, 0); /* dead for good */
        CHECK_EQ_U64(t.m_requeued, t.on_cpu);
        CHECK_EQ_U64(t.m_batches, t.on_gpu);
        if (!strstr(t.message, "CUDA_ERROR_")) {
            fprintf(stderr, "  %s: message \"%s\"\n", injections[i], t.message);
            CHECK(0);
        }
        CHECK_FAKE_CLEAN();
        if (i == 3) continue; /* under FORCE a worker that cannot be set up fails init() */
        wr_defaults(&t);
        t.y.prefix_at = 0;
        r = wr_offload_run(list, 1, FQP_GPU_FORCE, injections[i], &t, &err);
        CHECK_EQ_INT(r, FQP_ERR_CUDA);
        if (!strstr(err.message, "GPU required (FQP_GPU_FORCE) but GPU worker") || !strstr(err.message, "CUDA_ERROR_")) {
            fprintf(stderr, "  %s under FORCE: message \"%s\"\n", injections[i], err.message);
            CHECK(0);
        }
        CHECK_FAKE_CLEAN();
    }
    {   /* accumulators: only GPU consumers keep them; QC only: no kernel a worker runs */
        fqp_cuda_desc gd;
        fqp_cuda *gpu = NULL;
        fqp_cuda_worker *w = NULL;
        fqp_cuda_results res;
        fqp_batch b;
        const uint64_t off[2] = {0, 3}, hoff[2] = {0, 2};
        int on_gpu = 7;
        memset(&b, 0, sizeof b);
        b.count = 1;
        b.bases = 3;
        b.seq = "ACG";
        b.qual = "II#";
        b.seq_off = off;
        b.head = "r1";
        b.head_off = hoff;
        desc_defaults(&gd);
        gd.kernels = FQP_GPU_TRIM;
        gd.user_kernels = &bk.kmer;
        gd.n_user_kernels = 1;
        gd.offload_only = 1;
        REQUIRE(fqp_cuda_open(&gpu, &gd, &err) == FQP_OK);
        REQUIRE(fqp_cuda_worker_open(gpu, 0, &w, &err) == FQP_OK); /* the trim kernel it can run */
        CHECK_EQ_INT(fqp_cuda_worker_run(w, &b, &res, &on_gpu, &err), FQP_ERR_INVALID_ARGUMENT);
        CHECK(strstr(err.message, "accumulators") != NULL);
        CHECK_EQ_INT(on_gpu, 0);
        CHECK_EQ_INT(fqp_cuda_worker_run(w, NULL, &res, &on_gpu, &err), FQP_ERR_INVALID_ARGUMENT);
        fqp_cuda_worker_close(w);
        fqp_cuda_close(gpu);
        gpu = NULL;
        gd.kernels = 0; /* the accumulator alone */
        REQUIRE(fqp_cuda_open(&gpu, &gd, &err) == FQP_OK);
        CHECK_EQ_INT(fqp_cuda_worker_open(gpu, 0, &w, &err), FQP_ERR_INVALID_ARGUMENT);
        CHECK(w == NULL);
        fqp_cuda_close(gpu);
        gpu = NULL;
        gd.kernels = FQP_GPU_QC;
        gd.n_user_kernels = 0;
        REQUIRE(fqp_cuda_open(&gpu, &gd, &err) == FQP_OK);
        CHECK_EQ_INT(fqp_cuda_worker_open(gpu, 0, &w, &err), FQP_ERR_INVALID_ARGUMENT);
        CHECK(strstr(err.message, "no kernel a worker runs") != NULL);
        fqp_cuda_close(gpu);
        gpu = NULL;
        /* the header kernel on one hand-made batch, and a NULL worker (the CPU) */
        gd.kernels = 0;
        gd.user_kernels = &bk.head;
        gd.n_user_kernels = 1;
        REQUIRE(fqp_cuda_open(&gpu, &gd, &err) == FQP_OK);
        REQUIRE(fqp_cuda_worker_open(gpu, 0, &w, &err) == FQP_OK);
        CHECK_EQ_INT(fqp_cuda_worker_run(w, &b, &res, &on_gpu, &err), FQP_OK);
        CHECK_EQ_INT(on_gpu, 1);
        if (res.out[0][0]) {
            const uint64_t *got = (const uint64_t *)res.out[0][0];
            CHECK_EQ_U64(got[0], 2);
            CHECK_EQ_U64(got[1], (uint64_t)'r' + '1');
        } else {
            CHECK(0);
        }
        CHECK_EQ_INT(fqp_cuda_worker_run(NULL, &b, &res, &on_gpu, &err), FQP_OK);
        CHECK_EQ_INT(on_gpu, 0);
        fqp_cuda_worker_close(w);
        fqp_cuda_close(gpu);
    }
    CHECK_FAKE_CLEAN();
}

/* ---- user kernel descriptions: checked before anything loads ---- */

/* fqp_cuda_open of a desc with user kernel `k` (and on_results unless
   offload_only): `want`, with `in_message` in the message. */
static void check_open_fails(const fqp_cuda_kernel *k, int n, fqp_result want, const char *in_message,
                             const char *library)
{
    fqp_cuda_desc gd;
    fqp_cuda *gpu = (fqp_cuda *)&gd;
    fqp_error err;
    desc_defaults(&gd);
    if (library) gd.library = library;
    gd.user_kernels = k;
    gd.n_user_kernels = n;
    gd.on_results = byo_results;
    fake_reset();
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), want);
    CHECK(gpu == NULL);
    if (!strstr(err.message, in_message)) {
        fprintf(stderr, "  want \"%s\" in \"%s\"\n", in_message, err.message);
        CHECK(0);
    }
    if (want == FQP_ERR_INVALID_ARGUMENT) CHECK_EQ_U64(fake_stats().alloc_calls, 0);
    CHECK_FAKE_CLEAN();
}

static void test_user_kernel_validation(void)
{
    byo_kernels bk;
    fqp_cuda_kernel k, many[FQP_CUDA_MAX_KERNELS + 1];
    fqp_cuda_arg args[FQP_CUDA_MAX_ARGS + 1];
    fqp_cuda_output out;
    fqp_cuda_desc gd;
    fqp_cuda *gpu = NULL;
    fqp_error err;
    uint64_t words[4];
    unsigned char big[FQP_CUDA_MAX_VALUE + 1];
    const char *never = fake_alias(7); /* a path never loaded: loading it would count */
    unsigned long before;
    char path[4200];
    int i;
    byo_kernels_init(&bk);
    memset(big, 0, sizeof big);
    fqp__lock(&fqp__cuda_mu);
    before = fqp__cuda_dlopen_calls;
    fqp__unlock(&fqp__cuda_mu);
    /* argument and output descriptions: FQP_ERR_INVALID_ARGUMENT naming the kernel, nothing loaded */
    k = bk.kmer;
    k.entry = NULL;
    check_open_fails(&k, 1, FQP_ERR_INVALID_ARGUMENT, "user kernel 0 (no entry) has no entry name", never);
    k = bk.kmer;
    memcpy(args, bk.kmer_args, sizeof bk.kmer_args);
    k.args = args;
    for (i = 5; i <= FQP_CUDA_MAX_ARGS; i++) args[i].kind = FQP_CUDA_ARG_NULL;
    k.n_args = FQP_CUDA_MAX_ARGS + 1;
    check_open_fails(&k, 1, FQP_ERR_INVALID_ARGUMENT, "user kernel 0 (fqp_kmer_count) has a bad n_args", never);
    k.n_args = 5;
    args[4].index = 1; /* it has one output */
    check_open_fails(&k, 1, FQP_ERR_INVALID_ARGUMENT, "user kernel 0 (fqp_kmer_count) argument 4 names an output",
                     never);
    args[4].index = -1;
    check_open_fails(&k, 1, FQP_ERR_INVALID_ARGUMENT, "argument 4 names an output it does not have", never);
    args[4].index = 0;
    args[3].size = 0;
    check_open_fails(&k, 1, FQP_ERR_INVALID_ARGUMENT, "user kernel 0 (fqp_kmer_count) argument 3 has a VALUE", never);
    args[3].size = FQP_CUDA_MAX_VALUE + 1;
    args[3].value = big;
    check_open_fails(&k, 1, FQP_ERR_INVALID_ARGUMENT, "argument 3 has a VALUE of bad size", never);
    args[3].size = 4;
    args[3].value = NULL;
    check_open_fails(&k, 1, FQP_ERR_INVALID_ARGUMENT, "argument 3 has a VALUE of bad size or no value", never);
    args[3].value = &bk.k;
    args[2].kind = (fqp_cuda_arg_kind)42;
    check_open_fails(&k, 1, FQP_ERR_INVALID_ARGUMENT, "argument 2 has an argument of unknown kind", never);
    args[2].kind = FQP_CUDA_ARG_COUNT;
    out = bk.kmer_table;
    k.outputs = &out;
    out.rule = FQP_CUDA_PER_RECORD;
    check_open_fails(&k, 1, FQP_ERR_INVALID_ARGUMENT, "user kernel 0 (fqp_kmer_count) output 0", never);
    check_open_fails(&k, 1, FQP_ERR_INVALID_ARGUMENT, "not FQP_CUDA_FIXED whole words of 4 or 8 bytes", never);
    out.rule = FQP_CUDA_FIXED;
    out.bytes = 4 * 1024 + 2;
    check_open_fails(&k, 1, FQP_ERR_INVALID_ARGUMENT, "not FQP_CUDA_FIXED whole words of 4 or 8 bytes", never);
    out.bytes = 4 * 1024 + 4;
    out.word_bytes = 8; /* 4100 bytes are not whole 8-byte words */
    check_open_fails(&k, 1, FQP_ERR_INVALID_ARGUMENT, "not FQP_CUDA_FIXED whole words of 4 or 8 bytes", never);
    out.bytes = 4 * 1024;
    out.word_bytes = 2;
    check_open_fails(&k, 1, FQP_ERR_INVALID_ARGUMENT, "not FQP_CUDA_FIXED whole words of 4 or 8 bytes", never);
    out = bk.kmer_table;
    out.rule = (fqp_cuda_size_rule)0;
    check_open_fails(&k, 1, FQP_ERR_INVALID_ARGUMENT, "output 0 has no size rule or no bytes", never);
    out.rule = FQP_CUDA_FIXED;
    out.bytes = 0;
    check_open_fails(&k, 1, FQP_ERR_INVALID_ARGUMENT, "output 0 has no size rule or no bytes", never);
    k = bk.kmer;
    k.n_outputs = FQP_CUDA_MAX_OUTPUTS + 1;
    check_open_fails(&k, 1, FQP_ERR_INVALID_ARGUMENT, "has a bad n_outputs", never);
    k = bk.kmer;
    k.block = 2048;
    check_open_fails(&k, 1, FQP_ERR_INVALID_ARGUMENT, "more than 1024 threads per block", never);
    /* the second kernel of a list is named as such */
    many[0] = bk.kmer;
    many[1] = bk.head;
    many[1].entry = "";
    check_open_fails(many, 2, FQP_ERR_INVALID_ARGUMENT, "user kernel 1 (", never);
    for (i = 0; i <= FQP_CUDA_MAX_KERNELS; i++) many[i] = bk.prefix.kernel;
    check_open_fails(many, FQP_CUDA_MAX_KERNELS + 1, FQP_ERR_INVALID_ARGUMENT, "n_user_kernels must be 0..8", never);
    check_open_fails(many, -1, FQP_ERR_INVALID_ARGUMENT, "n_user_kernels must be 0..8", never);
    check_open_fails(NULL, 1, FQP_ERR_INVALID_ARGUMENT, "with user_kernels set", never);
    fqp__lock(&fqp__cuda_mu);
    CHECK_EQ_U64(fqp__cuda_dlopen_calls, before); /* not even the driver was loaded */
    fqp__unlock(&fqp__cuda_mu);
    /* a downloaded output needs on_results, unless offload_only */
    desc_defaults(&gd);
    gd.user_kernels = &bk.head;
    gd.n_user_kernels = 1;
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_ERR_INVALID_ARGUMENT);
    CHECK(strstr(err.message, "need an on_results callback") != NULL);
    gd.offload_only = 1;
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_OK);
    fqp_cuda_close(gpu);
    gpu = NULL;
    gd.offload_only = 0;
    gd.user_kernels = &bk.kmer; /* an accumulator needs none */
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_OK);
    if (gpu) { /* fqp_cuda_accumulated: the user kernel's index, its output, its word count */
        memset(words, 0, sizeof words);
        CHECK_EQ_INT(fqp_cuda_accumulated(gpu, 1, 0, words, 1024), FQP_ERR_INVALID_ARGUMENT);
        CHECK_EQ_INT(fqp_cuda_accumulated(gpu, -1, 0, words, 1024), FQP_ERR_INVALID_ARGUMENT);
        CHECK_EQ_INT(fqp_cuda_accumulated(gpu, 0, 1, words, 1024), FQP_ERR_INVALID_ARGUMENT);
        CHECK_EQ_INT(fqp_cuda_accumulated(gpu, 0, -1, words, 1024), FQP_ERR_INVALID_ARGUMENT);
        CHECK_EQ_INT(fqp_cuda_accumulated(gpu, 0, 0, words, 4), FQP_ERR_INVALID_ARGUMENT);
        CHECK_EQ_INT(fqp_cuda_accumulated(gpu, 0, 0, words, 512), FQP_ERR_INVALID_ARGUMENT); /* 8-byte words */
        CHECK_EQ_INT(fqp_cuda_accumulated(gpu, 0, 0, NULL, 1024), FQP_ERR_INVALID_ARGUMENT);
        CHECK_EQ_INT(fqp_cuda_accumulated(NULL, 0, 0, words, 1024), FQP_ERR_INVALID_ARGUMENT);
        CHECK_EQ_U64(words[0] | words[1] | words[2] | words[3], 0);
        fqp_qc qc;
        fqp_qc_init(&qc, MAX_POS, NULL);
        CHECK_EQ_INT(fqp_cuda_qc(gpu, &qc), FQP_ERR_INVALID_ARGUMENT); /* no QC kernel */
        fqp_qc_free(&qc);
    }
    fqp_cuda_close(gpu);
    gpu = NULL;
    gd.user_kernels = &bk.head; /* not an accumulator */
    gd.on_results = byo_results;
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_OK);
    if (gpu) CHECK_EQ_INT(fqp_cuda_accumulated(gpu, 0, 0, words, 2), FQP_ERR_INVALID_ARGUMENT);
    fqp_cuda_close(gpu);
    gpu = NULL;
    CHECK_FAKE_CLEAN();
    /* the PTX: an entry it lacks, text that is not PTX, a file that is not there */
    k = bk.kmer;
    k.entry = "fqp_no_such_kernel";
    check_open_fails(&k, 1, FQP_ERR_PTX, "lack fqp_no_such_kernel", NULL);
    k = bk.head;
    k.ptx = "this is not PTX\n";
    check_open_fails(&k, 1, FQP_ERR_PTX, "loading the GPU kernels (the user's PTX text) on device 0", NULL);
    k.ptx = NULL;
    snprintf(path, sizeof path, "%s.missing", ptx_file);
    k.ptx_path = path;
    check_open_fails(&k, 1, FQP_ERR_PTX, "cannot open the PTX file", NULL);
    check_open_fails(&k, 1, FQP_ERR_PTX, path, NULL);
    {   /* empty ptx_parts */
        static const char *const none[] = {"", NULL};
        k.ptx_path = NULL;
        k.ptx_parts = none;
        check_open_fails(&k, 1, FQP_ERR_PTX, "ptx_parts are empty", NULL);
    }
    /* a module loads once for the kernels that share its text, and one failing fails the open */
    many[0] = bk.head;
    many[1] = bk.head;
    many[1].entry = "fqp_test_missing";
    check_open_fails(many, 2, FQP_ERR_PTX, "lack fqp_test_missing", NULL);
}

/* The tests above run with the fake driver deferring stream work to the
   synchronisation points (FAKE_CUDA_DEFER, its default), as a GPU runs it.
   The immediate mode (every call runs at once) is kept for debugging: the
   same runs agree there too. */
static void test_immediate_mode(void)
{
    const char *was = getenv("FAKE_CUDA_DEFER");
    char saved[16];
    snprintf(saved, sizeof saved, "%s", was ? was : "");
    setenv("FAKE_CUDA_DEFER", "0", 1);
    test_mixed_equals_cpu();
    test_failure_mid_run();
    test_offload_trim_equals_cpu();
    test_user_kernels_mixed();
    test_user_kernel_failures();
    test_worker_run_user_kernels();
    if (was) setenv("FAKE_CUDA_DEFER", saved, 1);
    else unsetenv("FAKE_CUDA_DEFER");
}

/* ---- driver-level correctness: runs on one context, the caller's context,
   bad devices, old drivers, sticky errors, event waits ---- */

/* Every log line, kept for strstr. */
typedef struct text_log {
    fqp__mutex mu;
    char text[16384];
} text_log;

static void keep_log(void *user, fqp_log_level level, const char *message)
{
    text_log *l = (text_log *)user;
    size_t used;
    (void)level;
    fqp__lock(&l->mu);
    used = strlen(l->text);
    snprintf(l->text + used, sizeof l->text - used, "%s\n", message);
    fqp__unlock(&l->mu);
}

static void log_start(text_log *l)
{
    memset(l, 0, sizeof *l);
    fqp__mutex_init(&l->mu);
    test_log = keep_log;
    test_log_user = l;
}

static void log_stop(text_log *l)
{
    test_log = NULL;
    test_log_user = NULL;
    fqp__mutex_destroy(&l->mu);
}

/* A symbol of the fake library (loaded by the earlier tests). */
static void *fake_symbol(const char *name)
{
    void *h = dlopen(fake_path, RTLD_NOW | RTLD_NOLOAD), *f = NULL;
    if (h) {
        f = dlsym(h, name);
        dlclose(h); /* still loaded: fastqpar_cuda.h never unloads it */
    }
    return f;
}

/* One pipeline run on a context opened (and closed) by the caller, with the
   CPU consumers of run_mixed; their counts go into x->total. With c->write,
   the ordered output goes to *out. */
static fqp_result run_on(fqp_cuda *gpu, const text *in, const cfg *c, run_ctx *x, membuf *out, fqp_error *err)
{
    fqp_pipeline_desc d;
    fqp_custom_consumer cc[16];
    memset(&d, 0, sizeof d);
    x->c = c;
    d.input.data = in->data;
    d.input.size = in->size;
    d.config.threads = c->threads;
    d.config.batch_records = c->batch_records;
    d.config.batch_bytes = c->batch_bytes;
    d.config.queue_depth = c->queue_depth;
    d.config.ignore_env = 1;
    d.state_size = sizeof(cpu_state);
    d.init = cpu_init;
    d.process = cpu_process;
    d.merge = cpu_merge;
    d.fini = cpu_fini;
    d.user = x;
    if (c->write) {
        d.output.write = th_mem_write;
        d.output.write_user = out;
    }
    d.custom = cc;
    d.custom_count = fqp_cuda_consumers(gpu, cc, 16);
    return fqp_pipeline_run(&d, NULL, err);
}

/* A run that ends early while the GPU holds batches -- on_results fails,
   or the ordered output fails and cancels the run (fqp_producer_fail) --
   leaves nothing in the context: the next run on it counts exactly what the
   CPU reference counts. */
static void test_failed_run_then_clean_run(void)
{
    int how;
    for (how = 0; how < 2; how++) {
        fqp_cuda_desc gd;
        fqp_config conf;
        fqp_cuda *gpu = NULL;
        fqp_error err;
        fqp_result r;
        run_ctx x;
        cfg c = cfg_small;
        fqp_qc before, after;
        fqp_cuda_consumer_metrics m0, m1;
        membuf out;
        uint64_t w, bad = 0;
        memset(&out, 0, sizeof out);
        memset(&m0, 0, sizeof m0);
        memset(&m1, 0, sizeof m1);
        desc_defaults(&gd);
        memset(&conf, 0, sizeof conf);
        conf.threads = c.threads;
        conf.batch_records = c.batch_records;
        conf.batch_bytes = c.batch_bytes;
        conf.ignore_env = 1;
        gd.config = &conf;
        gd.qc_max_pos = MAX_POS;
        gd.coalesce_bytes = 1; /* one batch per upload */
        c.trim.mode = FQP_TRIM_BWA;
        c.trim.threshold = 20;
        gd.kernels = FQP_GPU_QC | FQP_GPU_TRIM;
        gd.on_results = on_results;
        gd.user = &x;
        gd.trim = c.trim;
        REQUIRE(fqp_cuda_open(&gpu, &gd, &err) == FQP_OK);
        /* run 1 ends early */
        memset(&x, 0, sizeof x);
        fqp__mutex_init(&x.mu);
        fqp_qc_init(&x.total, MAX_POS, NULL);
        if (how == 0) {
            c.gate_results = 4; /* the GPU alone until then */
            x.fail_results_at = 4;
        } else { /* the GPU releases batch 3 and its output fails: the run is cancelled */
            c.gate_results = 3;
            c.write = 1;
            out.fail_after = 3;
        }
        fake_reset();
        r = run_on(gpu, &input_small, &c, &x, &out, &err);
        CHECK_EQ_INT(r, how == 0 ? FQP_ERR_CONSUMER : FQP_ERR_WRITE);
        free(out.data);
        fqp_qc_free(&x.total);
        fqp__mutex_destroy(&x.mu);
        fqp_qc_init(&before, MAX_POS, NULL);
        CHECK_EQ_INT(fqp_cuda_qc(gpu, &before), FQP_OK);
        CHECK_EQ_INT(fqp_cuda_metrics(gpu, 0, &m0), FQP_OK);
        CHECK(m0.groups >= 3);
        /* run 2 on the same context: nothing fails */
        c = cfg_small;
        c.trim.mode = FQP_TRIM_BWA;
        c.trim.threshold = 20;
        c.cpu_delay_us = 10000; /* the GPU gets a share */
        memset(&x, 0, sizeof x);
        fqp__mutex_init(&x.mu);
        fqp_qc_init(&x.total, MAX_POS, NULL);
        r = run_on(gpu, &input_small, &c, &x, NULL, &err);
        CHECK_EQ_INT(r, FQP_OK);
        fqp_qc_init(&after, MAX_POS, NULL);
        CHECK_EQ_INT(fqp_cuda_qc(gpu, &after), FQP_OK);
        CHECK_EQ_INT(fqp_cuda_metrics(gpu, 0, &m1), FQP_OK);
        CHECK_EQ_INT(m1.status, FQP_OK);
        CHECK(m1.records > m0.records); /* the GPU counted some of run 2 */
        for (w = 0; w < ref_small.words; w++)
            bad += x.total.counts[w] + (after.counts[w] - before.counts[w]) != ref_small.counts[w];
        if (bad || x.total.counts[FQP_QC_READS] + after.counts[FQP_QC_READS] - before.counts[FQP_QC_READS] !=
                       input_small.records)
            fprintf(stderr, "  case %d: %llu counters differ, %llu reads against %llu\n", how,
                    (unsigned long long)bad,
                    (unsigned long long)(x.total.counts[FQP_QC_READS] + after.counts[FQP_QC_READS] -
                                         before.counts[FQP_QC_READS]),
                    (unsigned long long)input_small.records);
        CHECK_EQ_U64(bad, 0);
        CHECK_EQ_U64(x.cpu_records + (m1.records - m0.records), input_small.records);
        CHECK_EQ_U64(x.gpu_records[0], m1.records - m0.records);
        fqp_qc_free(&before);
        fqp_qc_free(&after);
        fqp_qc_free(&x.total);
        fqp__mutex_destroy(&x.mu);
        fqp_cuda_close(gpu);
        CHECK_FAKE_CLEAN();
    }
}

/* The caller's current context (one of its own) is current again after
   every public call, failing ones included; no thread (GPU consumer, CPU
   consumer with a worker) ends with a context of ours current. */
static void test_caller_context_kept(void)
{
    typedef fake_CUresult (*set_fn)(fake_CUcontext);
    typedef fake_CUresult (*get_fn)(fake_CUcontext *);
    void *f_set = fake_symbol("cuCtxSetCurrent"), *f_get = fake_symbol("cuCtxGetCurrent");
    void *f_user = fake_symbol("fake_cuda_user_context"), *f_exits = fake_symbol("fake_cuda_exits_with_context");
    set_fn set;
    get_fn get;
    fake_cuda_user_context_fn user;
    fake_cuda_exits_with_context_fn exits;
    fake_CUcontext mine, cur;
    fqp_cuda_desc gd;
    fqp_cuda *gpu = NULL;
    fqp_cuda_worker *w = NULL;
    fqp_error err;
    fqp_batch b;
    const uint64_t off[3] = {0, 3, 3};
    uint64_t se[4];
    fqp_trim_desc td = {FQP_TRIM_BWA, 20, 0, 0};
    unsigned long exits0;
    run_ctx x;
    outcome o;
    trim_run t;
    cfg c = cfg_small;
    char v[32];
    REQUIRE(f_set && f_get && f_user && f_exits);
    memcpy(&set, &f_set, sizeof set);
    memcpy(&get, &f_get, sizeof get);
    memcpy(&user, &f_user, sizeof user);
    memcpy(&exits, &f_exits, sizeof exits);
    mine = user();
    REQUIRE(set(mine) == FAKE_CUDA_SUCCESS);
#define CHECK_MINE()                                     \
    do {                                                 \
        cur = NULL;                                      \
        CHECK(get(&cur) == FAKE_CUDA_SUCCESS && cur == mine); \
    } while (0)
    CHECK_MINE();
    exits0 = exits();
    /* open and close, 2 devices */
    setenv("FAKE_CUDA_DEVICES", "2", 1);
    desc_defaults(&gd);
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_OK);
    CHECK_MINE();
    fqp_cuda_close(gpu);
    gpu = NULL;
    CHECK_MINE();
    /* failing opens: the module, an allocation of the last device */
    setenv("FAKE_CUDA_FAIL_MODULE", "1", 1);
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_ERR_PTX);
    CHECK_MINE();
    unsetenv("FAKE_CUDA_FAIL_MODULE");
    setenv("FAKE_CUDA_FAIL_ALLOC_DEVICE", "1", 1);
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_OK);
    CHECK_MINE();
    fqp_cuda_close(gpu);
    gpu = NULL;
    CHECK_MINE();
    unsetenv("FAKE_CUDA_FAIL_ALLOC_DEVICE");
    /* the worker functions, a worker whose setup fails too */
    gd.kernels = FQP_GPU_TRIM;
    gd.offload_only = 1;
    REQUIRE(fqp_cuda_open(&gpu, &gd, &err) == FQP_OK);
    CHECK_MINE();
    CHECK_EQ_INT(fqp_cuda_worker_open(gpu, 1, &w, &err), FQP_OK);
    CHECK_MINE();
    memset(&b, 0, sizeof b);
    b.count = 2;
    b.bases = 3;
    b.qual = "II#";
    b.seq = "ACG";
    b.seq_off = off;
    CHECK_EQ_INT(fqp_cuda_trim_batch(w, &b, &td, se, &err), FQP_OK);
    CHECK_MINE();
    CHECK_EQ_U64(se[1], 2);
    fqp_cuda_worker_close(w);
    CHECK_MINE();
    fake_reset();
    setenv("FAKE_CUDA_FAIL_ALLOC_AT", "1", 1);
    CHECK_EQ_INT(fqp_cuda_worker_open(gpu, 0, &w, &err), FQP_OK); /* dead: trims on the CPU */
    CHECK_MINE();
    unsetenv("FAKE_CUDA_FAIL_ALLOC_AT");
    fqp_cuda_worker_close(w);
    CHECK_MINE();
    fqp_cuda_close(gpu);
    gpu = NULL;
    CHECK_MINE();
    clear_env();
    /* a mixed run (GPU consumer threads) and an offload run (CPU consumers with workers) */
    desc_defaults(&gd);
    c.cpu_delay_us = 10000;
    fake_reset();
    memset(&x, 0, sizeof x);
    run_mixed(&input_small, &c, &gd, &x, &o);
    CHECK_EQ_INT(o.run, FQP_OK);
    CHECK(o.gpu_records > 0);
    CHECK_MINE();
    outcome_free(&o);
    CHECK_EQ_INT(trim_offload_run(&input_small, FQP_GPU_AUTO, NULL, &t, &err), FQP_OK);
    CHECK(t.gpu_batches > 0);
    CHECK_MINE();
    /* a GPU consumer failing mid-run puts it back too */
    snprintf(v, sizeof v, "cuMemcpyHtoDAsync_v2:2");
    setenv("FAKE_CUDA_FAIL_CALL", v, 1);
    c.cpu_delay_us = 0;
    c.gate_injected = 1;
    fake_reset();
    memset(&x, 0, sizeof x);
    run_mixed(&input_small, &c, &gd, &x, &o);
    CHECK_EQ_INT(o.run, FQP_OK);
    CHECK_EQ_INT(o.gm[0].status, FQP_ERR_CUDA);
    CHECK_MINE();
    outcome_free(&o);
    clear_env();
    CHECK_EQ_U64(exits() - exits0, 0);
#undef CHECK_MINE
    set(NULL);
    CHECK_FAKE_CLEAN();
}

/* One bad device of two (its context cannot be retained, its memory runs
   out, or it is in compute mode prohibited) is dropped with a warning that
   names it; the other one serves. The open fails only when none is left. */
static void test_bad_device_dropped(void)
{
    static const struct {
        const char *var, *value, *modes;
        int ordinal_left;          /* -1: none left */
        fqp_result open;
        const char *in_log;
    } cases[] = {
        {"FAKE_CUDA_FAIL_RETAIN_DEVICE", "1", "0,3", 0, FQP_OK,
         "GPU 1 (Fake GPU 1) skipped: cuDevicePrimaryCtxRetain failed: CUDA_ERROR_DEVICE_UNAVAILABLE"},
        {"FAKE_CUDA_FAIL_ALLOC_DEVICE", "0", "0,0", 1, FQP_OK,
         "GPU 0 (Fake GPU 0) skipped: cuMemAllocHost_v2 (staging) failed: CUDA_ERROR_OUT_OF_MEMORY"},
        {"FAKE_CUDA_COMPUTE_MODE", "2,0", NULL, 1, FQP_OK,
         "GPU 0 (Fake GPU 0) skipped: its compute mode is prohibited"},
        {"FAKE_CUDA_COMPUTE_MODE", "2,2", NULL, -1, FQP_ERR_NO_GPU, "2 are in compute mode prohibited"},
        {"FAKE_CUDA_FAIL_ALLOC_DEVICE", "1", "1,3", 0, FQP_OK, "GPU 1 (Fake GPU 1) skipped: cuMemAlloc"},
    };
    size_t i;
    text_log l;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fqp_cuda_desc gd;
        fqp_cuda *gpu = NULL;
        fqp_cuda_device_info info;
        fqp_error err;
        run_ctx x;
        outcome o;
        cfg c = cfg_small;
        memset(&info, 0, sizeof info);
        log_start(&l);
        setenv("FAKE_CUDA_DEVICES", "2", 1);
        setenv(cases[i].var, cases[i].value, 1);
        if (cases[i].modes) setenv("FAKE_CUDA_COMPUTE_MODE", cases[i].modes, 1);
        desc_defaults(&gd);
        gd.consumers_per_device = 2;
        CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), cases[i].open);
        if (!strstr(l.text, cases[i].in_log) && !strstr(err.message, cases[i].in_log)) {
            fprintf(stderr, "  case %zu: log \"%s\", error \"%s\"\n", i, l.text, err.message);
            CHECK(0);
        }
        if (cases[i].ordinal_left >= 0 && gpu) {
            CHECK_EQ_INT(fqp_cuda_device_count(gpu), 1);
            CHECK_EQ_INT(fqp_cuda_consumers(gpu, NULL, 0), 2);
            CHECK_EQ_INT(fqp_cuda_device(gpu, 0, &info), FQP_OK);
            CHECK_EQ_INT(info.ordinal, cases[i].ordinal_left);
            CHECK(err.message[0] == 0); /* it succeeded: the failure is only in the log */
        }
        if (i == 0) CHECK(strstr(l.text, "exclusive compute mode") != NULL);
        fqp_cuda_close(gpu);
        CHECK_FAKE_CLEAN();
        if (i == 1) { /* a run on the device left: exact counts */
            c.cpu_delay_us = 10000;
            desc_defaults(&gd);
            gd.consumers_per_device = 2;
            fake_reset();
            memset(&x, 0, sizeof x);
            run_mixed(&input_small, &c, &gd, &x, &o);
            CHECK_EQ_INT(o.open, FQP_OK);
            CHECK_EQ_INT(o.run, FQP_OK);
            CHECK_EQ_INT(o.gpu_consumers, 2);
            CHECK(o.gpu_records > 0);
            CHECK(same_counts(&o.qc, &ref_small));
            CHECK_EQ_U64(o.records, input_small.records);
            CHECK_FAKE_CLEAN();
            outcome_free(&o);
        }
        clear_env();
        log_stop(&l);
    }
    /* both fail: the last failure is the open's error */
    setenv("FAKE_CUDA_DEVICES", "2", 1);
    setenv("FAKE_CUDA_FAIL_ALLOC_DEVICE", "0", 1);
    setenv("FAKE_CUDA_FAIL_RETAIN_DEVICE", "1", 1);
    {
        fqp_cuda_desc gd;
        fqp_cuda *gpu = NULL;
        fqp_error err;
        log_start(&l);
        desc_defaults(&gd);
        CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_ERR_CUDA);
        CHECK(gpu == NULL);
        CHECK(strstr(err.message, "cuDevicePrimaryCtxRetain failed") != NULL);
        CHECK(strstr(l.text, "GPU 0 (Fake GPU 0) skipped: cuMemAllocHost_v2") != NULL);
        /* one device only: its failure is the open's message, no "skipped" line */
        setenv("FAKE_CUDA_DEVICES", "1", 1);
        l.text[0] = 0;
        CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_ERR_CUDA);
        CHECK(strstr(err.message, "CUDA_ERROR_OUT_OF_MEMORY") != NULL);
        CHECK(strstr(l.text, "skipped") == NULL);
        log_stop(&l);
    }
    clear_env();
    CHECK_FAKE_CLEAN();
}

/* A driver older than the PTX needs: refused at open with both versions
   named; a JIT that rejects the PTX version says "driver too old". */
static void test_old_driver(void)
{
    fqp_cuda_desc gd;
    fqp_cuda *gpu = NULL;
    fqp_error err;
    desc_defaults(&gd);
    gd.library = fake_alias(7); /* a path not loaded yet: the version is read at load */
    setenv("FAKE_CUDA_DRIVER_VERSION", "9020", 1);
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_ERR_NO_GPU);
    CHECK(gpu == NULL);
    if (!strstr(err.message, "CUDA driver 9.2 (9020) is older than the minimum 10.0 (R410)")) {
        fprintf(stderr, "  %s\n", err.message);
        CHECK(0);
    }
    gd.mode = FQP_GPU_FORCE;
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_ERR_NO_GPU);
    CHECK(strstr(err.message, "GPU required") != NULL && strstr(err.message, "9.2 (9020)") != NULL);
    gd.mode = FQP_GPU_AUTO;
    gd.library = fake_alias(8);
    setenv("FAKE_CUDA_DRIVER_VERSION", "10000", 1); /* exactly the minimum */
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_OK);
    fqp_cuda_close(gpu);
    gpu = NULL;
    setenv("FAKE_CUDA_MODULE_RESULT", "222", 1);
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_ERR_PTX);
    if (!strstr(err.message, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION") || !strstr(err.message, "driver too old") ||
        !strstr(err.message, "the PTX is ISA ") || strstr(err.message, "ISA 0.0") ||
        !strstr(err.message, "CUDA driver 10.0 (10000)")) {
        fprintf(stderr, "  %s\n", err.message);
        CHECK(0);
    }
    setenv("FAKE_CUDA_MODULE_RESULT", "221", 1);
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_ERR_PTX);
    CHECK(strstr(err.message, "JIT compiler") != NULL && strstr(err.message, "too old") != NULL);
    setenv("FAKE_CUDA_MODULE_RESULT", "223", 1);
    CHECK_EQ_INT(fqp_cuda_open(&gpu, &gd, &err), FQP_ERR_PTX);
    CHECK(strstr(err.message, "JIT compilation is disabled") != NULL);
    clear_env();
    CHECK_FAKE_CLEAN();
}

/* A failing GPU consumer or worker says whether its context survived: a
   kernel fault (sticky) poisons it, a failed copy does not. */
static void test_sticky_error_logged(void)
{
    static const struct {
        const char *var, *value;
        int poisoned;
    } cases[] = {
        {"FAKE_CUDA_ASYNC_FAIL_AT", "2", 1},
        {"FAKE_CUDA_FAIL_LAUNCH_AT", "3", 1},
        {"FAKE_CUDA_FAIL_CALL", "cuMemcpyHtoDAsync_v2:2", 0},
    };
    size_t i;
    text_log l;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fqp_cuda_desc gd;
        run_ctx x;
        outcome o;
        trim_run t;
        fqp_error err;
        cfg c = cfg_small;
        char inject[128];
        const char *want = cases[i].poisoned ? "the context is poisoned (sticky error): the device is unusable "
                                               "for this process until the primary context is reset"
                                             : "the context is still usable";
        log_start(&l);
        desc_defaults(&gd);
        gd.coalesce_bytes = 1;
        c.gate_injected = 1;
        setenv(cases[i].var, cases[i].value, 1);
        fake_reset();
        memset(&x, 0, sizeof x);
        run_mixed(&input_small, &c, &gd, &x, &o);
        CHECK_EQ_INT(o.run, FQP_OK);
        CHECK_EQ_INT(o.gm[0].status, FQP_ERR_CUDA);
        CHECK(same_counts(&o.qc, &ref_small));
        if (!strstr(l.text, "GPU consumer 0 (device 0, Fake GPU 0) failed") || !strstr(l.text, want)) {
            fprintf(stderr, "  %s=%s: log \"%s\"\n", cases[i].var, cases[i].value, l.text);
            CHECK(0);
        }
        outcome_free(&o);
        unsetenv(cases[i].var);
        CHECK_FAKE_CLEAN();
        /* an offload worker */
        l.text[0] = 0;
        snprintf(inject, sizeof inject, "%s=%s", cases[i].var, cases[i].value);
        CHECK_EQ_INT(trim_offload_run(&input_small, FQP_GPU_AUTO, inject, &t, &err), FQP_OK);
        CHECK(t.dead >= 1);
        if (!strstr(l.text, "GPU worker") || !strstr(l.text, want)) {
            fprintf(stderr, "  worker, %s: log \"%s\"\n", inject, l.text);
            CHECK(0);
        }
        CHECK_FAKE_CLEAN();
        log_stop(&l);
    }
    clear_env();
}

/* The host waits only on events made with CU_EVENT_BLOCKING_SYNC (it
   sleeps, it does not spin a core), GPU consumers and workers alike. */
static void test_waits_block(void)
{
    void *f = fake_symbol("fake_cuda_event_waits");
    fake_cuda_event_waits_fn waits;
    unsigned long b0, s0, b1, s1;
    fqp_cuda_desc gd;
    run_ctx x;
    outcome o;
    trim_run t;
    fqp_error err;
    cfg c = cfg_small;
    REQUIRE(f != NULL);
    memcpy(&waits, &f, sizeof waits);
    waits(&b0, &s0);
    desc_defaults(&gd);
    c.cpu_delay_us = 10000;
    fake_reset();
    memset(&x, 0, sizeof x);
    run_mixed(&input_small, &c, &gd, &x, &o);
    CHECK_EQ_INT(o.run, FQP_OK);
    CHECK(o.gpu_records > 0);
    outcome_free(&o);
    CHECK_EQ_INT(trim_offload_run(&input_small, FQP_GPU_AUTO, NULL, &t, &err), FQP_OK);
    CHECK(t.gpu_batches > 0);
    waits(&b1, &s1);
    CHECK(b1 - b0 >= t.gpu_batches); /* every worker batch, and the GPU consumer's groups */
    CHECK_EQ_U64(s1 - s0, 0);
    CHECK_FAKE_CLEAN();
}

/* ---- GPU consumers in paired and interleaved runs ---- */

typedef struct pair_ctx {
    fqp__mutex mu;
    uint64_t gpu_pairs, prefix_bad;
    int stop_at;               /* on_pair_results returns FQP_STOP at this pair batch (-1: never) */
} pair_ctx;

typedef struct pair_state {
    fqp_qc qc;
} pair_state;

/* Both thread kinds write every pair as it came (one output), so the
   output is in input order whoever ran each pair batch. */
static fqp_result pair_write_all(fqp_pair *pair)
{
    uint64_t i;
    int m;
    for (i = 0; i < pair->count; i++)
        for (m = 0; m < pair->mates; m++) {
            fqp_record r = fqp_pair_record(pair, m, i);
            fqp_result w = fqp_pair_write_record(pair, 0, &r, 0, r.len);
            if (w != FQP_OK) return w;
        }
    return FQP_OK;
}

static fqp_result pair_init(void *state, int consumer, void *user)
{
    (void)consumer;
    (void)user;
    return fqp_qc_init(&((pair_state *)state)->qc, 0, NULL);
}

static fqp_result pair_process(fqp_pair *pair, void *state, void *user)
{
    pair_state *st = (pair_state *)state;
    int m, n = pair->interleaved ? 1 : pair->mates;
    (void)user;
    for (m = 0; m < n; m++) fqp_qc_add_batch(&st->qc, pair->batch[m]);
    return pair_write_all(pair);
}

static fqp_result pair_merge(void *state, int consumer, void *user)
{
    (void)consumer;
    fqp_qc_add_counts((fqp_qc *)user, ((pair_state *)state)->qc.counts);
    return FQP_OK;
}

static void pair_fini(void *state, int consumer, void *user)
{
    (void)consumer;
    (void)user;
    fqp_qc_free(&((pair_state *)state)->qc);
}

static fqp_result pair_results(fqp_pair *pair, const fqp_cuda_results *res, int consumer, void *user)
{
    pair_ctx *x = (pair_ctx *)user;
    int m, n = pair->interleaved ? 1 : pair->mates;
    uint64_t bad = 0;
    (void)consumer;
    for (m = 0; m < n; m++) { /* each mate batch's prefix sums, as the CPU twin gives them */
        const fqp_batch *b = pair->batch[m];
        uint64_t *ref = (uint64_t *)malloc((size_t)(b->bases ? b->bases : 1) * sizeof *ref);
        if (!ref) return FQP_ERR_NOMEM;
        fqp_qual_prefix_sum(b, ref);
        if (!res[m].prefix || (b->bases && memcmp(ref, res[m].prefix + b->seq_off[0], (size_t)b->bases * 8))) bad++;
        free(ref);
    }
    fqp__lock(&x->mu);
    x->gpu_pairs += pair->count;
    x->prefix_bad += bad;
    fqp__unlock(&x->mu);
    if (x->stop_at >= 0 && pair->index == (uint64_t)x->stop_at) return FQP_STOP;
    return pair_write_all(pair);
}

/* R2: every record of R1 with its sequence and qualities reversed. */
static void make_mate(const text *r1, text *r2)
{
    size_t i = 0;
    int line = 0;
    memset(r2, 0, sizeof *r2);
    r2->cap = r1->size + 1;
    r2->data = (char *)malloc(r2->cap);
    while (i < r1->size) {
        size_t e = i, k;
        while (e < r1->size && r1->data[e] != '\n') e++;
        if (line % 4 == 1 || line % 4 == 3)
            for (k = i; k < e; k++) r2->data[r2->size + (k - i)] = r1->data[e - 1 - (k - i)];
        else
            memcpy(r2->data + r2->size, r1->data + i, e - i);
        r2->size += e - i;
        r2->data[r2->size++] = '\n';
        i = e + 1;
        line++;
    }
    r2->records = r1->records;
}

/* The interleaved file: R1 record i, then R2 record i. */
static void interleave(const text *a, const text *b, text *out)
{
    size_t ia = 0, ib = 0;
    memset(out, 0, sizeof *out);
    out->cap = a->size + b->size + 1;
    out->data = (char *)malloc(out->cap);
    while (ia < a->size) {
        const text *t[2];
        size_t *at[2];
        int m, l;
        t[0] = a; t[1] = b; at[0] = &ia; at[1] = &ib;
        for (m = 0; m < 2; m++)
            for (l = 0; l < 4; l++) {
                size_t e = *at[m];
                while (t[m]->data[e] != '\n') e++;
                memcpy(out->data + out->size, t[m]->data + *at[m], e + 1 - *at[m]);
                out->size += e + 1 - *at[m];
                *at[m] = e + 1;
            }
    }
    out->records = a->records + b->records;
}

typedef struct pair_outcome {
    fqp_result run;
    fqp_qc qc;                 /* CPU consumers + GPU consumers */
    th_membuf out;
    uint64_t gpu_pairs, prefix_bad, requeued;
    int gpu_failed;            /* a GPU consumer's status is an error */
    char message[FQP_ERROR_MESSAGE_MAX];
} pair_outcome;

/* One paired (or interleaved) run: GPU consumers when gd is given. */
static void pair_run(const text *r1, const text *r2, int interleaved, fqp_cuda_desc *gd, int stop_at, pair_outcome *o)
{
    fqp_paired_desc d;
    fqp_writer_desc wd;
    fqp_writer *w = NULL;
    fqp_custom_consumer cc[4];
    fqp_cuda *gpu = NULL;
    pair_ctx x;
    fqp_error err;
    int i, n = 0;
    memset(o, 0, sizeof *o);
    memset(&d, 0, sizeof d);
    memset(&wd, 0, sizeof wd);
    memset(&x, 0, sizeof x);
    fqp__mutex_init(&x.mu);
    x.stop_at = stop_at;
    fqp_qc_init(&o->qc, 0, NULL);
    wd.write = th_mem_write;
    wd.write_user = &o->out;
    REQUIRE(fqp_writer_open(&w, &wd, &err) == FQP_OK);
    d.input[0].data = r1->data;
    d.input[0].size = r1->size;
    if (interleaved) d.interleaved = 1;
    else {
        d.input[1].data = r2->data;
        d.input[1].size = r2->size;
    }
    d.config.threads = 3;
    d.config.batch_records = 37;
    d.output[0] = w;
    d.state_size = sizeof(pair_state);
    d.init = pair_init;
    d.process = pair_process;
    d.merge = pair_merge;
    d.fini = pair_fini;
    d.user = &o->qc;
    if (gd) {
        gd->config = &d.config;
        if (stop_at != -2) gd->on_pair_results = pair_results; /* -2: none */
        gd->user = &x;
        REQUIRE(fqp_cuda_open(&gpu, gd, &err) == FQP_OK);
        n = fqp_cuda_consumers(gpu, cc, 4);
        d.custom = cc;
        d.custom_count = n;
    }
    o->run = fqp_paired_run(&d, NULL, &err);
    if (o->run < 0) snprintf(o->message, sizeof o->message, "%s", err.message);
    if (gpu && o->run >= 0 && (gd->kernels & FQP_GPU_QC)) CHECK_EQ_INT(fqp_cuda_qc(gpu, &o->qc), FQP_OK);
    for (i = 0; i < n; i++) {
        fqp_cuda_consumer_metrics m;
        if (fqp_cuda_metrics(gpu, i, &m) != FQP_OK) continue;
        o->requeued += m.requeued;
        o->gpu_failed |= m.status != FQP_OK;
    }
    fqp_cuda_close(gpu);
    CHECK_EQ_INT(fqp_writer_close(w, &err), FQP_OK);
    o->gpu_pairs = x.gpu_pairs;
    o->prefix_bad = x.prefix_bad;
    fqp__mutex_destroy(&x.mu);
}

static void pair_outcome_free(pair_outcome *o)
{
    fqp_qc_free(&o->qc);
    free(o->out.data);
}

/* Paired and interleaved runs take GPU consumers: the QC counts, each mate
   batch's prefix sums and the ordered output equal an all-CPU run, also
   when the GPU fails mid-run (the CPU consumers take its pairs back), and
   a stop from on_pair_results ends the run with the pairs before it written. */
static void test_paired_gpu_consumers(void)
{
    text r2, il;
    int mode, f, tries;
    static const char *const injections[] = {NULL, "FAKE_CUDA_FAIL_LAUNCH_AT=3", "FAKE_CUDA_ASYNC_FAIL_AT=2",
                                              "FAKE_CUDA_FAIL_CALL=cuMemcpyDtoHAsync_v2:2"};
    make_mate(&input_small, &r2);
    interleave(&input_small, &r2, &il);
    for (mode = 0; mode < 2; mode++) {
        pair_outcome cpu;
        const text *a = mode ? &il : &input_small;
        pair_run(a, &r2, mode, NULL, -1, &cpu);
        CHECK_EQ_INT(cpu.run, FQP_OK);
        CHECK(cpu.out.len == il.size && memcmp(cpu.out.data, il.data, il.size) == 0); /* every pair, in order */
        CHECK_EQ_U64(cpu.qc.counts[FQP_QC_READS], 2 * input_small.records);
        for (f = 0; f < (int)(sizeof injections / sizeof injections[0]); f++) {
            for (tries = 0; tries < 5; tries++) { /* until the GPU really took pairs */
                fqp_cuda_desc gd;
                pair_outcome g;
                char var[64], *eq;
                clear_env();
                if (injections[f]) {
                    snprintf(var, sizeof var, "%s", injections[f]);
                    eq = strchr(var, '=');
                    *eq = 0;
                    setenv(var, eq + 1, 1);
                }
                fake_reset(); /* the injection counts from here */
                desc_defaults(&gd);
                gd.kernels = FQP_GPU_QC | FQP_GPU_PREFIX_SUM;
                gd.coalesce_bytes = 1; /* many uploads, so failures land mid-run */
                pair_run(a, &r2, mode, &gd, -1, &g);
                CHECK_EQ_INT(g.run, FQP_OK);
                if (g.run != FQP_OK) fprintf(stderr, "  %s: %s\n", injections[f] ? injections[f] : "-", g.message);
                CHECK(same_counts(&g.qc, &cpu.qc));
                CHECK_EQ_U64(g.prefix_bad, 0);
                CHECK(g.out.len == cpu.out.len && memcmp(g.out.data, cpu.out.data, cpu.out.len) == 0);
                /* done once the GPU took pairs, and (with an injection) failed holding some */
                if (injections[f] ? g.gpu_failed && g.requeued > 0 : g.gpu_pairs > 0) tries = 5;
                else if (tries == 4) {
                    fprintf(stderr, "  mode %d, %s: in 5 runs the GPU consumer never %s\n", mode,
                            injections[f] ? injections[f] : "no failure",
                            injections[f] ? "failed while holding pairs" : "took a pair");
                    CHECK(0);
                }
                pair_outcome_free(&g);
                CHECK_FAKE_CLEAN();
            }
        }
        clear_env();
        { /* on_pair_results stops at pair batch 2: a clean end, batches 0..2 written */
            fqp_cuda_desc gd;
            pair_outcome g;
            desc_defaults(&gd);
            gd.kernels = FQP_GPU_PREFIX_SUM;
            pair_run(a, &r2, mode, &gd, 2, &g);
            CHECK(g.run == FQP_OK || g.run == FQP_STOP);
            CHECK(g.out.len <= cpu.out.len && memcmp(g.out.data, cpu.out.data, g.out.len) == 0);
            pair_outcome_free(&g);
            CHECK_FAKE_CLEAN();
        }
        { /* outputs without on_pair_results: the run fails, naming it */
            fqp_cuda_desc gd;
            pair_outcome g;
            desc_defaults(&gd);
            gd.kernels = FQP_GPU_PREFIX_SUM;
            gd.on_results = on_results; /* a single-file callback only */
            pair_run(a, &r2, mode, &gd, -2, &g);
            CHECK(g.run < 0);
            CHECK(strstr(g.message, "on_pair_results") != NULL);
            pair_outcome_free(&g);
            CHECK_FAKE_CLEAN();
        }
        pair_outcome_free(&cpu);
    }
    free(r2.data);
    free(il.data);
}

int main(void)
{
    const char *build = getenv("FQP_BUILD");
    FILE *f;
    snprintf(fake_path, sizeof fake_path, "%s/libfakecuda.so", build && *build ? build : "build");
    if (fake_path[0] != '/') { /* dlopen needs a '/' to take it as a path; make it absolute */
        char cwd[2048], tmp[2048 + sizeof fake_path];
        size_t n;
        if (getcwd(cwd, sizeof cwd)) {
            n = (size_t)snprintf(tmp, sizeof tmp, "%s/%s", cwd, fake_path);
            if (n < sizeof fake_path) memcpy(fake_path, tmp, n + 1);
        }
    }
    clear_env();
    /* PTX for the fake driver: the embedded kernels, else a stand-in with the entry names */
    snprintf(ptx_file, sizeof ptx_file, "%s/test_cuda.ptx", build && *build ? build : "build");
    f = fopen(ptx_file, "w");
    if (f) {
        fputs(".version 8.0\n.target sm_75\n.address_size 64\n" /* the parameter lists are kernels.ptx's */
              ".visible .entry fqp_k_qual_prefix_sum(\n.param .u64 a, .param .u64 b, .param .u64 c, .param .u64 d\n)\n{\n}\n"
              ".visible .entry fqp_k_qc(\n.param .u64 a, .param .u64 b, .param .u64 c, .param .u64 d,\n"
              ".param .u32 e, .param .u64 f\n)\n{\n}\n"
              ".visible .entry fqp_k_trim(\n.param .u64 a, .param .u64 b, .param .u64 c, .param .u64 d,\n"
              ".param .u32 e, .param .u32 f, .param .u32 g, .param .u32 h, .param .u64 i\n)\n{\n}\n", f);
        fclose(f);
    }
    ptx_path = fqp__cuda_ptx[0] ? NULL : ptx_file;
    setenv("FAKE_CUDA_EMU_BLOCK", "32", 1); /* see tests/fake_cuda.h; one run below without */
    test_watchdog_start(1200, a_test_hangs);

    RUN_T(test_force_cpu_never_loads); /* first: the fake library must not be loaded yet */
    RUN_T(test_library_missing);
    RUN_T(test_symbol_missing);
    RUN_T(test_fake_mirrors_header);
    RUN_T(test_real_stub_library);
    RUN_T(test_no_device);
    RUN_T(test_module_failure);
    RUN_T(test_bad_desc);
    RUN_T(test_concurrent_open);

    /* the emulated kernels take about a millisecond per read and barrier
       round: few reads, small batches, CPU consumers slowed where the GPU
       must get a share */
    cfg_small.threads = 3;
    cfg_small.batch_records = 5;
    cfg_small.batch_bytes = 1 << 16; /* also sizes the GPU buffers: the 100 kbp read outgrows them */
    input_small = make_input(400, 0);
    input_huge = make_input(60, 100000);
    reference(&input_small, &cfg_small, &ref_small);
    reference(&input_huge, &cfg_small, &ref_huge);
    byo_reference(&input_small, &byo_ref_small);
    byo_reference(&input_huge, &byo_ref_huge);
    RUN_T(test_alloc_failure_every_step);
    RUN_T(test_mixed_equals_cpu);
    RUN_T(test_huge_record);
    RUN_T(test_growth_fails);
    RUN_T(test_failure_mid_run);
    RUN_T(test_one_of_many_fails);
    RUN_T(test_results_callback_ends_run);
    RUN_T(test_polling_and_reuse);
    RUN_T(test_offload_edges);
    RUN_T(test_offload_trim_equals_cpu);
    RUN_T(test_offload_failure_falls_back);
    RUN_T(test_user_kernel_validation);
    RUN_T(test_builtin_as_user_kernel);
    RUN_T(test_user_kernels_mixed);
    RUN_T(test_user_kernel_failures);
    RUN_T(test_worker_run_user_kernels);
    RUN_T(test_immediate_mode);
    RUN_T(test_failed_run_then_clean_run);
    RUN_T(test_caller_context_kept);
    RUN_T(test_bad_device_dropped);
    RUN_T(test_old_driver);
    RUN_T(test_sticky_error_logged);
    RUN_T(test_waits_block);
    RUN_T(test_paired_gpu_consumers);
    fqp_qc_free(&ref_small);
    fqp_qc_free(&ref_huge);
    byo_free(&byo_ref_small);
    byo_free(&byo_ref_huge);
    free(input_small.data);
    free(input_huge.data);
    remove(ptx_file);
    TEST_EXIT();
}
