/* tests/fake_cuda.c - a fake CUDA driver for tests, built as build/libfakecuda.so.

   Exports the entry points fastqpar_cuda.h loads, with the same names
   (the `_v2` ones included), over host memory: a "device pointer" is a host
   pointer. Stream work is queued per stream and runs at synchronisation
   points (FAKE_CUDA_DEFER, the default), or at once; cuLaunchKernel runs the
   kernel named by the PTX .entry under the device emulation (fqp_emu_launch
   from tests/kernels_emu.c, linked into this library) with the arguments it
   copied at the call, sized from the PTX's .param list.

   It checks what a real driver would reject: a call without a current
   context, a handle of another context or a destroyed one, a copy or kernel
   argument outside a live allocation, a module without the kernel asked
   for, PTX newer than the driver's JIT; each misuse is printed and counted
   in bad_calls. It counts live objects, so tests can check that
   fqp_cuda_close frees everything, and it injects failures (see
   tests/fake_cuda.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/fake_cuda.h"

#define FAKE_API __attribute__((visibility("default")))
#define FAKE_MAX_DEVICES 8
#define FAKE_MAX_PARAMS 64    /* per kernel; real PTX allows 4 KiB of parameters */
#define FAKE_NAME_MAX 128     /* longest kernel name the fake stores */

/* Every entry point, declared from tests/fake_cuda.h's lists: each definition
   below must have exactly that type (tests/test_cuda.c checks the list
   against the one fastqpar_cuda.h loads). */
#define FAKE_DECLARE(symbol, params) FAKE_API fake_CUresult symbol params;
FAKE_CUDA_DRIVER_LIST(FAKE_DECLARE)
FAKE_CUDA_EXTRA_LIST(FAKE_DECLARE)
#undef FAKE_DECLARE

int fqp_emu_launch(const char *kernel_name, const unsigned grid[3], const unsigned block[3], unsigned shared_bytes,
                   void **kernel_params);

/* ---- state ---- */

typedef struct fake_ctx {
    int refs;
    fake_CUresult poison;    /* sticky error after a kernel fault */
} fake_ctx;

typedef struct fake_alloc {
    struct fake_alloc *next;
    unsigned char *p;
    size_t size;
    int host;               /* cuMemAllocHost */
    int free_failed;        /* its free met a sticky error: reclaimed with the context */
    fake_ctx *ctx;
} fake_alloc;

typedef enum fake_op_kind { FAKE_OP_HTOD, FAKE_OP_DTOH, FAKE_OP_MEMSET, FAKE_OP_LAUNCH, FAKE_OP_RECORD } fake_op_kind;

/* One queued stream operation. */
typedef struct fake_op {
    struct fake_op *next;
    fake_op_kind kind;
    unsigned long long seq;   /* in its stream, from 1 */
    unsigned long long serial; /* across all streams: what a free or cuCtxSynchronize waits for */
    void *dst;
    const void *src;
    size_t bytes;
    unsigned char value;
    unsigned char *owned;     /* a pageable upload's source, copied at the call */
    fake_CUevent event;       /* FAKE_OP_RECORD; NULL once the event is destroyed */
    /* FAKE_OP_LAUNCH */
    char name[FAKE_NAME_MAX];
    unsigned grid[3], block[3], shared;
    fake_CUresult fault;      /* FAKE_CUDA_ASYNC_FAIL_AT: the kernel faults with this */
    unsigned char *args;      /* the argument bytes, copied at the call */
    void **argv;              /* n_args pointers into args, then NULL */
    int n_args;
    size_t arg_size[FAKE_MAX_PARAMS];
} fake_op;

struct fake_CUstream_st {
    struct fake_CUstream_st *next;
    fake_ctx *ctx;
    fake_op *head, *tail;
    unsigned long long next_seq, done_seq;
    int busy;                 /* a thread runs an operation of it, without fake_mu */
    unsigned long long busy_serial;
    int users;                /* threads in fake_drain on it */
    int free_failed;
};

struct fake_CUevent_st {
    struct fake_CUevent_st *next;
    fake_ctx *ctx;
    int recorded, done, not_ready, free_failed;
    unsigned flags;           /* cuEventCreate's */
    double ms;
    fake_CUstream stream;     /* of the last record, while it is queued */
    unsigned long long seq;   /* the record's operation in that stream */
};

struct fake_CUfunc_st {
    fake_CUmodule module;
    char name[FAKE_NAME_MAX];
    int n_params;
    size_t size[FAKE_MAX_PARAMS], offset[FAKE_MAX_PARAMS], total;
};

struct fake_CUmod_st {
    struct fake_CUmod_st *next;
    fake_ctx *ctx;
    struct fake_CUfunc_st *funcs;
    int n_funcs, free_failed;
};

static pthread_mutex_t fake_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fake_cv = PTHREAD_COND_INITIALIZER; /* an operation finished; a drain ended */
static pthread_mutex_t fake_launch_mu = PTHREAD_MUTEX_INITIALIZER;
static fake_ctx fake_ctxs[FAKE_MAX_DEVICES];
static fake_alloc *fake_allocs;
static fake_CUstream fake_streams;
static fake_CUevent fake_events;
static fake_CUmodule fake_modules;
static unsigned long long fake_serial;
static fake_cuda_stats fake_stats;
static int fake_initialized;
static __thread fake_ctx *fake_current;

/* calls per entry point since reset, for FAKE_CUDA_FAIL_CALL */
typedef struct fake_counter { const char *name; unsigned long calls; } fake_counter;
static fake_counter fake_counters[64];

__attribute__((constructor)) static void fake_loaded(void) { fake_stats.loads++; }

/* Hooks defined at the end of the file (see tests/fake_cuda.h). */
static fake_ctx fake_user_ctx; /* a context of the application's own: fake_cuda_user_context */
static int fake_compute_mode(fake_CUdevice device);
static int fake_device_fails(const char *var, const fake_ctx *c);
static void fake_note_current(fake_ctx *c);
static void fake_note_event_wait(const struct fake_CUevent_st *event);

FAKE_API void fake_cuda_stats_get(fake_cuda_stats *out)
{
    pthread_mutex_lock(&fake_mu);
    *out = fake_stats;
    pthread_mutex_unlock(&fake_mu);
}

FAKE_API void fake_cuda_reset(void)
{
    pthread_mutex_lock(&fake_mu);
    fake_stats.alloc_calls = fake_stats.launches = fake_stats.kernel_runs = 0;
    fake_stats.copies_up = fake_stats.copies_down = fake_stats.pageable_copies = 0;
    fake_stats.bad_calls = fake_stats.freed_by_context_release = fake_stats.injected = 0;
    fake_stats.reclaimed_after_fault = fake_stats.deferred_ops = 0;
    memset(fake_counters, 0, sizeof fake_counters);
    pthread_mutex_unlock(&fake_mu);
}

static long fake_env_long(const char *name, long def)
{
    const char *v = getenv(name);
    return v && *v ? strtol(v, NULL, 10) : def;
}

static int fake_devices(void) { return (int)fake_env_long("FAKE_CUDA_DEVICES", 1); }
static int fake_deferring(void) { return fake_env_long("FAKE_CUDA_DEFER", 1) != 0; }

/* Under fake_mu: counts a call of `name`; nonzero if FAKE_CUDA_FAIL_CALL says it fails. */
static int fake_count_call(const char *name)
{
    const char *v = getenv("FAKE_CUDA_FAIL_CALL"), *colon;
    int i;
    unsigned long n = 0;
    for (i = 0; i < 64; i++) {
        if (!fake_counters[i].name) fake_counters[i].name = name;
        if (fake_counters[i].name == name || strcmp(fake_counters[i].name, name) == 0) {
            n = ++fake_counters[i].calls;
            break;
        }
    }
    if (!v || !(colon = strchr(v, ':')) || strncmp(v, name, (size_t)(colon - v)) != 0 ||
        strlen(name) != (size_t)(colon - v) || strtoul(colon + 1, NULL, 10) != n)
        return 0;
    fake_stats.injected++;
    return 1;
}

/* Under fake_mu: a call a real driver rejects (or that would crash it):
   printed, counted, answered with `rc`. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static fake_CUresult fake_misuse(fake_CUresult rc, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "fake_cuda: bad call: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fake_stats.bad_calls++;
    return rc;
}

static fake_CUresult fake_bad(const char *what) { return fake_misuse(FAKE_CUDA_ERROR_INVALID_VALUE, "%s", what); }

/* Under fake_mu: the common prologue of calls that need a context. */
#define FAKE_ENTER(name)                                                           \
    fake_CUresult rc_ = FAKE_CUDA_SUCCESS;                                           \
    pthread_mutex_lock(&fake_mu);                                                  \
    if (!fake_initialized) rc_ = FAKE_CUDA_ERROR_NOT_INITIALIZED;                   \
    else if (!fake_current)                                                        \
        rc_ = fake_misuse(FAKE_CUDA_ERROR_INVALID_CONTEXT, "%s: no current context", name); \
    else if (fake_count_call(name)) rc_ = FAKE_CUDA_ERROR_UNKNOWN;                  \
    else if (fake_current->poison) rc_ = fake_current->poison;                     \
    if (rc_ != FAKE_CUDA_SUCCESS) {                                                 \
        pthread_mutex_unlock(&fake_mu);                                            \
        return rc_;                                                                \
    }

#define FAKE_LEAVE(rc)                                                             \
    do {                                                                           \
        pthread_mutex_unlock(&fake_mu);                                            \
        return (rc);                                                               \
    } while (0)

/* Under fake_mu: the live allocation holding [p, p + n), or NULL. */
static fake_alloc *fake_find(const void *p, size_t n, int host)
{
    fake_alloc *a;
    uintptr_t x = (uintptr_t)p;
    for (a = fake_allocs; a; a = a->next)
        if (a->host == host && x >= (uintptr_t)a->p && x - (uintptr_t)a->p <= a->size &&
            n <= a->size - (x - (uintptr_t)a->p))
            return a;
    return NULL;
}

static double fake_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

/* Under fake_mu: handle checks. Each answers SUCCESS, or prints the misuse
   and answers what a real driver does: a destroyed or unknown handle, or one
   of another context than the current one, is CUDA_ERROR_INVALID_HANDLE. */
static fake_CUresult fake_check_stream(fake_CUstream stream, const char *call)
{
    fake_CUstream s;
    if (!stream) /* fastqpar_cuda.h never uses the legacy stream */
        return fake_misuse(FAKE_CUDA_ERROR_INVALID_HANDLE, "%s: the NULL (legacy) stream", call);
    for (s = fake_streams; s && s != stream; s = s->next) {
    }
    if (!s) return fake_misuse(FAKE_CUDA_ERROR_INVALID_HANDLE, "%s: not a live stream", call);
    if (s->ctx != fake_current)
        return fake_misuse(FAKE_CUDA_ERROR_INVALID_HANDLE, "%s: a stream of another context than the current one",
                           call);
    return FAKE_CUDA_SUCCESS;
}

static fake_CUresult fake_check_event(fake_CUevent event, const char *call)
{
    fake_CUevent e;
    for (e = fake_events; e && e != event; e = e->next) {
    }
    if (!event || !e) return fake_misuse(FAKE_CUDA_ERROR_INVALID_HANDLE, "%s: not a live event", call);
    if (e->ctx != fake_current)
        return fake_misuse(FAKE_CUDA_ERROR_INVALID_HANDLE, "%s: an event of another context than the current one",
                           call);
    return FAKE_CUDA_SUCCESS;
}

static fake_CUresult fake_check_module(fake_CUmodule module, const char *call)
{
    fake_CUmodule m;
    for (m = fake_modules; m && m != module; m = m->next) {
    }
    if (!module || !m) return fake_misuse(FAKE_CUDA_ERROR_INVALID_HANDLE, "%s: not a loaded module", call);
    if (m->ctx != fake_current)
        return fake_misuse(FAKE_CUDA_ERROR_INVALID_HANDLE, "%s: a module of another context than the current one",
                           call);
    return FAKE_CUDA_SUCCESS;
}

/* The function's module, if the function is one of a loaded module's. */
static fake_CUmodule fake_function_module(fake_CUfunction f)
{
    fake_CUmodule m;
    for (m = fake_modules; m; m = m->next)
        if (m->n_funcs && f >= m->funcs && f < m->funcs + m->n_funcs) return m;
    return NULL;
}

static fake_CUresult fake_check_function(fake_CUfunction f, const char *call)
{
    fake_CUmodule m = f ? fake_function_module(f) : NULL;
    if (!m) return fake_misuse(FAKE_CUDA_ERROR_INVALID_HANDLE, "%s: not a function of a loaded module", call);
    if (m->ctx != fake_current)
        return fake_misuse(FAKE_CUDA_ERROR_INVALID_HANDLE,
                           "%s: function %s is of another context than the current one", call, f->name);
    return FAKE_CUDA_SUCCESS;
}

/* ---- stream queues: the work a GPU would do later ---- */

static void fake_op_free(fake_op *op)
{
    free(op->owned);
    free(op->args);
    free(op->argv);
    free(op);
}

static int fake_check_kernel_args(const fake_op *op);

/* Under fake_mu, which it drops while a kernel runs: one operation of
   stream s, as the GPU would do it now. On a broken context nothing runs. */
static void fake_exec(fake_CUstream s, fake_op *op)
{
    fake_ctx *c = s->ctx;
    int rc;
    if (c->poison) return; /* after a fault the context runs nothing more */
    switch (op->kind) {
    case FAKE_OP_HTOD: /* the source is read now, like DMA (a pageable one was copied at the call) */
        memcpy(op->dst, op->owned ? op->owned : op->src, op->bytes);
        break;
    case FAKE_OP_DTOH:
        memcpy(op->dst, op->src, op->bytes);
        break;
    case FAKE_OP_MEMSET:
        memset(op->dst, op->value, op->bytes);
        break;
    case FAKE_OP_RECORD:
        if (op->event && op->event->stream == s && op->event->seq == op->seq) { /* not recorded again since */
            op->event->ms = fake_now_ms();
            op->event->done = 1;
            op->event->stream = NULL;
        }
        break;
    case FAKE_OP_LAUNCH:
        if (op->fault) { /* FAKE_CUDA_ASYNC_FAIL_AT: the kernel faults; no result appears */
            c->poison = op->fault;
            break;
        }
        if (!fake_check_kernel_args(op)) { /* a real kernel would read or write out of bounds */
            fake_misuse(FAKE_CUDA_ERROR_ILLEGAL_ADDRESS, "cuLaunchKernel (%s): a pointer argument is outside "
                        "device memory when the kernel runs; the context is broken", op->name);
            c->poison = FAKE_CUDA_ERROR_ILLEGAL_ADDRESS;
            break;
        }
        fake_stats.kernel_runs++;
        pthread_mutex_unlock(&fake_mu);
        pthread_mutex_lock(&fake_launch_mu);
        rc = fqp_emu_launch(op->name, op->grid, op->block, op->shared, op->argv);
        pthread_mutex_unlock(&fake_launch_mu);
        pthread_mutex_lock(&fake_mu);
        if (rc != 0) {
            fake_misuse(FAKE_CUDA_ERROR_LAUNCH_FAILED, "cuLaunchKernel (%s): the device emulation does not know "
                        "this kernel (tests/kernels_emu.c) or rejects its launch", op->name);
            c->poison = FAKE_CUDA_ERROR_LAUNCH_FAILED;
        }
        break;
    }
}

/* Under fake_mu: runs stream s's queue up to operation `upto`, in order.
   Another thread running one of its operations is waited for. */
static void fake_drain(fake_CUstream s, unsigned long long upto)
{
    s->users++;
    while (s->done_seq < upto) {
        fake_op *op = s->head;
        if (!s->busy && !op) break; /* cannot happen: upto was queued */
        if (s->busy) {
            pthread_cond_wait(&fake_cv, &fake_mu);
            continue;
        }
        s->head = op->next;
        if (!s->head) s->tail = NULL;
        s->busy = 1;
        s->busy_serial = op->serial;
        fake_exec(s, op);
        s->busy = 0;
        s->done_seq = op->seq;
        fake_op_free(op);
        pthread_cond_broadcast(&fake_cv);
    }
    s->users--;
    pthread_cond_broadcast(&fake_cv);
}

/* Under fake_mu: runs every operation issued before serial `serial` on the
   streams of context c (every context if NULL). */
static void fake_drain_before(fake_ctx *c, unsigned long long serial)
{
    for (;;) {
        fake_CUstream s, pick = NULL;
        unsigned long long upto = 0;
        for (s = fake_streams; s && !pick; s = s->next) {
            fake_op *op;
            if (c && s->ctx != c) continue;
            if (s->busy && s->busy_serial <= serial) {
                pick = s;
                upto = s->done_seq + 1;
            }
            for (op = s->head; op && op->serial <= serial; op = op->next) {
                pick = s;
                upto = op->seq;
            }
        }
        if (!pick) return;
        fake_drain(pick, upto);
    }
}

/* Under fake_mu: queues op on stream s; without FAKE_CUDA_DEFER runs it
   (and anything before it) at once. */
static void fake_enqueue(fake_CUstream s, fake_op *op)
{
    op->seq = s->next_seq++;
    op->serial = ++fake_serial;
    if (s->tail) s->tail->next = op;
    else s->head = op;
    s->tail = op;
    fake_stats.deferred_ops++;
    if (!fake_deferring()) fake_drain(s, op->seq);
}

/* Under fake_mu: a stream's queue discarded (its context is destroyed). */
static void fake_discard(fake_CUstream s)
{
    while (s->busy || s->users) pthread_cond_wait(&fake_cv, &fake_mu);
    while (s->head) {
        fake_op *op = s->head;
        s->head = op->next;
        fake_op_free(op);
    }
    s->tail = NULL;
}

/* The result of a wait on context c: its sticky error, if any. */
static fake_CUresult fake_wait_result(const fake_ctx *c) { return c->poison; }

/* ---- initialisation, devices, contexts ---- */

FAKE_API fake_CUresult cuInit(unsigned int flags)
{
    fake_CUresult rc = FAKE_CUDA_SUCCESS;
    pthread_mutex_lock(&fake_mu);
    if (flags != 0) rc = FAKE_CUDA_ERROR_INVALID_VALUE;
    else if (fake_count_call("cuInit")) rc = FAKE_CUDA_ERROR_UNKNOWN;
    else if (fake_devices() <= 0) rc = FAKE_CUDA_ERROR_NO_DEVICE;
    else fake_initialized = 1;
    pthread_mutex_unlock(&fake_mu);
    return rc;
}

static int fake_driver_version(void) { return (int)fake_env_long("FAKE_CUDA_DRIVER_VERSION", 13000); }

FAKE_API fake_CUresult cuDriverGetVersion(int *version)
{
    if (!version) return FAKE_CUDA_ERROR_INVALID_VALUE;
    *version = fake_driver_version();
    return FAKE_CUDA_SUCCESS;
}

/* The newest PTX ISA the JIT takes, as major * 10 + minor: FAKE_CUDA_PTX_MAX,
   else the one of the driver's CUDA version (the PTX ISA release notes). */
static int fake_ptx_max(void)
{
    static const struct { int cuda, ptx; } isa[] = {
        {9000, 60},  {9010, 61},  {9020, 62},  {10000, 63}, {10010, 64}, {10020, 65}, {11000, 70},
        {11010, 71}, {11020, 72}, {11030, 73}, {11040, 74}, {11050, 75}, {11060, 76}, {11070, 77},
        {11080, 78}, {12000, 80}, {12010, 81}, {12020, 82}, {12030, 83}, {12040, 84}, {12050, 85},
        {12060, 85}, {12080, 87}, {12090, 88}, {13000, 90}, {13010, 91},
    };
    const char *v = getenv("FAKE_CUDA_PTX_MAX");
    int major = 0, minor = 0, version = fake_driver_version(), best = 60;
    size_t i;
    if (v && *v && sscanf(v, "%d.%d", &major, &minor) >= 1) return major * 10 + minor;
    for (i = 0; i < sizeof isa / sizeof isa[0]; i++)
        if (isa[i].cuda <= version) best = isa[i].ptx;
    return best;
}

static const struct { fake_CUresult code; const char *name, *text; } fake_errors[] = {
    {FAKE_CUDA_SUCCESS, "CUDA_SUCCESS", "no error"},
    {FAKE_CUDA_ERROR_INVALID_VALUE, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {FAKE_CUDA_ERROR_OUT_OF_MEMORY, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {FAKE_CUDA_ERROR_NOT_INITIALIZED, "CUDA_ERROR_NOT_INITIALIZED", "initialization error"},
    {FAKE_CUDA_ERROR_DEVICE_UNAVAILABLE, "CUDA_ERROR_DEVICE_UNAVAILABLE",
     "CUDA-capable device(s) is/are busy or unavailable"},
    {FAKE_CUDA_ERROR_NO_DEVICE, "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"},
    {FAKE_CUDA_ERROR_INVALID_CONTEXT, "CUDA_ERROR_INVALID_CONTEXT", "invalid device context"},
    {FAKE_CUDA_ERROR_INVALID_PTX, "CUDA_ERROR_INVALID_PTX", "a PTX JIT compilation failed"},
    {FAKE_CUDA_ERROR_JIT_COMPILER_NOT_FOUND, "CUDA_ERROR_JIT_COMPILER_NOT_FOUND", "PTX JIT compiler library not found"},
    {FAKE_CUDA_ERROR_UNSUPPORTED_PTX_VERSION, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION",
     "the provided PTX was compiled with an unsupported toolchain."},
    {FAKE_CUDA_ERROR_JIT_COMPILATION_DISABLED, "CUDA_ERROR_JIT_COMPILATION_DISABLED", "PTX JIT compilation was disabled"},
    {FAKE_CUDA_ERROR_INVALID_HANDLE, "CUDA_ERROR_INVALID_HANDLE", "invalid resource handle"},
    {FAKE_CUDA_ERROR_ILLEGAL_ADDRESS, "CUDA_ERROR_ILLEGAL_ADDRESS", "an illegal memory access was encountered"},
    {FAKE_CUDA_ERROR_NOT_FOUND, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {FAKE_CUDA_ERROR_NOT_READY, "CUDA_ERROR_NOT_READY", "device not ready"},
    {FAKE_CUDA_ERROR_ILLEGAL_ADDRESS, "CUDA_ERROR_ILLEGAL_ADDRESS", "an illegal memory access was encountered"},
    {FAKE_CUDA_ERROR_LAUNCH_FAILED, "CUDA_ERROR_LAUNCH_FAILED", "unspecified launch failure"},
    {FAKE_CUDA_ERROR_UNKNOWN, "CUDA_ERROR_UNKNOWN", "unknown error"},
};
FAKE_API fake_CUresult cuGetErrorName(fake_CUresult error, const char **text)
{
    size_t i;
    for (i = 0; i < sizeof fake_errors / sizeof fake_errors[0]; i++)
        if (fake_errors[i].code == error) {
            *text = fake_errors[i].name;
            return FAKE_CUDA_SUCCESS;
        }
    *text = NULL;
    return FAKE_CUDA_ERROR_INVALID_VALUE;
}

FAKE_API fake_CUresult cuGetErrorString(fake_CUresult error, const char **text)
{
    size_t i;
    for (i = 0; i < sizeof fake_errors / sizeof fake_errors[0]; i++)
        if (fake_errors[i].code == error) {
            *text = fake_errors[i].text;
            return FAKE_CUDA_SUCCESS;
        }
    *text = NULL;
    return FAKE_CUDA_ERROR_INVALID_VALUE;
}

FAKE_API fake_CUresult cuDeviceGetCount(int *count)
{
    int n = fake_devices(), init;
    pthread_mutex_lock(&fake_mu);
    init = fake_initialized;
    pthread_mutex_unlock(&fake_mu);
    if (!init) return FAKE_CUDA_ERROR_NOT_INITIALIZED;
    *count = n < 0 ? 0 : n > FAKE_MAX_DEVICES ? FAKE_MAX_DEVICES : n;
    return FAKE_CUDA_SUCCESS;
}

FAKE_API fake_CUresult cuDeviceGet(fake_CUdevice *device, int ordinal)
{
    int n = 0;
    cuDeviceGetCount(&n);
    if (ordinal < 0 || ordinal >= n) return FAKE_CUDA_ERROR_INVALID_VALUE;
    *device = ordinal;
    return FAKE_CUDA_SUCCESS;
}

FAKE_API fake_CUresult cuDeviceGetName(char *name, int len, fake_CUdevice device)
{
    if (!name || len <= 0) return FAKE_CUDA_ERROR_INVALID_VALUE;
    snprintf(name, (size_t)len, "Fake GPU %d", device);
    return FAKE_CUDA_SUCCESS;
}

FAKE_API fake_CUresult cuDeviceGetAttribute(int *value, fake_CUdevice_attribute attribute, fake_CUdevice device)
{
    const char *cc = getenv("FAKE_CUDA_CC");
    int major = 9, minor = 0;
    (void)device;
    if (cc && *cc) sscanf(cc, "%d.%d", &major, &minor);
    if (attribute == FAKE_CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR) *value = major;
    else if (attribute == FAKE_CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR) *value = minor;
    else if (attribute == FAKE_CU_DEVICE_ATTRIBUTE_COMPUTE_MODE) *value = fake_compute_mode(device);
    else return FAKE_CUDA_ERROR_INVALID_VALUE;
    return FAKE_CUDA_SUCCESS;
}

FAKE_API fake_CUresult cuDeviceTotalMem_v2(size_t *bytes, fake_CUdevice device)
{
    (void)device;
    *bytes = (size_t)16 << 30;
    return FAKE_CUDA_SUCCESS;
}

FAKE_API fake_CUresult cuDevicePrimaryCtxRetain(fake_CUcontext *ctx, fake_CUdevice device)
{
    fake_CUresult rc = FAKE_CUDA_SUCCESS;
    pthread_mutex_lock(&fake_mu);
    if (!fake_initialized) rc = FAKE_CUDA_ERROR_NOT_INITIALIZED;
    else if (device < 0 || device >= FAKE_MAX_DEVICES || device >= fake_devices()) rc = FAKE_CUDA_ERROR_INVALID_VALUE;
    else if (fake_count_call("cuDevicePrimaryCtxRetain")) rc = FAKE_CUDA_ERROR_UNKNOWN;
    else if (fake_device_fails("FAKE_CUDA_FAIL_RETAIN_DEVICE", &fake_ctxs[device])) rc = FAKE_CUDA_ERROR_DEVICE_UNAVAILABLE;
    else {
        fake_ctxs[device].refs++;
        fake_stats.context_refs++;
        *ctx = (fake_CUcontext)(void *)&fake_ctxs[device];
    }
    pthread_mutex_unlock(&fake_mu);
    return rc;
}

/* Under fake_mu: an object of a destroyed context freed with it. Its free
   failed on the broken context (no leak: counted apart), or it was never
   freed (a leak of the caller's: counted). */
static void fake_reclaimed(int free_failed)
{
    if (free_failed) fake_stats.reclaimed_after_fault++;
    else fake_stats.freed_by_context_release++;
}

/* The last release destroys the context: its queued work is dropped, and
   whatever it still holds is freed and counted (fastqpar_cuda.h should have
   freed it, unless the free failed on the broken context). The sticky error
   goes with it: the next retain makes a fresh context. */
FAKE_API fake_CUresult cuDevicePrimaryCtxRelease_v2(fake_CUdevice device)
{
    fake_ctx *c;
    pthread_mutex_lock(&fake_mu);
    if (device < 0 || device >= FAKE_MAX_DEVICES || fake_ctxs[device].refs <= 0) {
        fake_CUresult rc = fake_bad("cuDevicePrimaryCtxRelease_v2 without retain");
        pthread_mutex_unlock(&fake_mu);
        return rc;
    }
    c = &fake_ctxs[device];
    fake_stats.context_refs--;
    if (--c->refs == 0) {
        fake_alloc **pa;
        fake_CUstream *ps;
        fake_CUevent *pe;
        fake_CUmodule *pm;
        for (ps = &fake_streams; *ps;) {
            fake_CUstream s = *ps;
            if (s->ctx != c) {
                ps = &s->next;
                continue;
            }
            fake_discard(s); /* may wait, letting other threads change the list: find s again */
            for (ps = &fake_streams; *ps != s; ps = &(*ps)->next) {
            }
            *ps = s->next;
            fake_reclaimed(s->free_failed);
            fake_stats.streams--;
            free(s);
        }
        for (pe = &fake_events; *pe;) {
            fake_CUevent e = *pe;
            if (e->ctx != c) {
                pe = &e->next;
                continue;
            }
            *pe = e->next;
            fake_reclaimed(e->free_failed);
            fake_stats.events--;
            free(e);
        }
        for (pm = &fake_modules; *pm;) {
            fake_CUmodule m = *pm;
            if (m->ctx != c) {
                pm = &m->next;
                continue;
            }
            *pm = m->next;
            fake_reclaimed(m->free_failed);
            fake_stats.modules--;
            free(m->funcs);
            free(m);
        }
        for (pa = &fake_allocs; *pa;) {
            fake_alloc *a = *pa;
            if (a->ctx != c) {
                pa = &a->next;
                continue;
            }
            *pa = a->next;
            if (a->host) fake_stats.host_allocs--;
            else fake_stats.device_allocs--;
            fake_reclaimed(a->free_failed);
            free(a->p);
            free(a);
        }
        c->poison = FAKE_CUDA_SUCCESS;
        if (fake_current == c) fake_current = NULL;
    }
    pthread_mutex_unlock(&fake_mu);
    return FAKE_CUDA_SUCCESS;
}

FAKE_API fake_CUresult cuCtxSetCurrent(fake_CUcontext ctx)
{
    fake_ctx *c = (fake_ctx *)(void *)ctx;
    fake_CUresult rc = FAKE_CUDA_SUCCESS;
    pthread_mutex_lock(&fake_mu);
    if (fake_count_call("cuCtxSetCurrent")) rc = FAKE_CUDA_ERROR_UNKNOWN;
    else if (c && c != &fake_user_ctx && (c < fake_ctxs || c >= fake_ctxs + FAKE_MAX_DEVICES || c->refs <= 0))
        rc = fake_misuse(FAKE_CUDA_ERROR_INVALID_CONTEXT, "cuCtxSetCurrent: not a live primary context");
    else fake_note_current(fake_current = c);
    pthread_mutex_unlock(&fake_mu);
    return rc;
}

/* Waits for all work of the current context. */
FAKE_API fake_CUresult cuCtxSynchronize(void)
{
    FAKE_ENTER("cuCtxSynchronize")
    fake_drain_before(fake_current, fake_serial);
    FAKE_LEAVE(fake_wait_result(fake_current));
}

/* ---- modules: PTX text, its .version and each .entry's .param list ---- */

/* The PTX text without its comments (each replaced by a space), for
   free(), or NULL. */
static char *fake_ptx_strip(const char *text)
{
    size_t n = strlen(text), i = 0, o = 0;
    char *out = (char *)malloc(n + 1);
    if (!out) return NULL;
    while (i < n) {
        if (text[i] == '/' && text[i + 1] == '/') {
            while (i < n && text[i] != '\n') i++;
            out[o++] = ' ';
        } else if (text[i] == '/' && text[i + 1] == '*') {
            i += 2;
            while (i < n && !(text[i] == '*' && text[i + 1] == '/')) i++;
            i = i < n ? i + 2 : n;
            out[o++] = ' ';
        } else {
            out[o++] = text[i++];
        }
    }
    out[o] = 0;
    return out;
}

static int fake_ptx_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static int fake_ptx_ident(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
           c == '.' || c == '%';
}

/* The directive `word` (".version", ".entry") at or after s in the text
   starting at base, as a whole token, or NULL. */
static const char *fake_ptx_directive(const char *base, const char *s, const char *word)
{
    size_t n = strlen(word);
    for (; (s = strstr(s, word)) != NULL; s += n)
        if (fake_ptx_space(s[n]) && (s == base || fake_ptx_space(s[-1]))) return s;
    return NULL;
}

/* The size in bytes of a PTX fundamental type (".u64", ".b8", ...), 0 if
   `t` (length n) is none. */
static size_t fake_ptx_type_size(const char *t, size_t n)
{
    static const struct { const char *name; size_t size; } types[] = {
        {".u8", 1},  {".s8", 1},  {".b8", 1},  {".u16", 2}, {".s16", 2}, {".b16", 2}, {".f16", 2},
        {".u32", 4}, {".s32", 4}, {".b32", 4}, {".f32", 4}, {".u64", 8}, {".s64", 8}, {".b64", 8},
        {".f64", 8},
    };
    size_t i;
    for (i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strlen(types[i].name) == n && strncmp(types[i].name, t, n) == 0) return types[i].size;
    return 0;
}

/* One `.param [.align A] .TYPE [.ptr .space .align B] name[N]...` in
   [s, end): its size and alignment. 0 on a syntax the fake does not know. */
static int fake_ptx_param(const char *s, const char *end, size_t *size, size_t *align)
{
    size_t elem = 0, count = 1, al = 0;
    int first = 1, after_ptr = 0, named = 0;
    while (s < end) {
        const char *t;
        size_t n;
        while (s < end && fake_ptx_space(*s)) s++;
        if (s >= end) break;
        if (*s == '[') { /* name[N] */
            unsigned long long k = strtoull(s + 1, NULL, 10);
            if (!named || k == 0) return 0;
            count *= (size_t)k;
            while (s < end && *s != ']') s++;
            if (s < end) s++;
            continue;
        }
        for (t = s; s < end && fake_ptx_ident(*s); s++) {
        }
        n = (size_t)(s - t);
        if (n == 0) return 0;
        if (first) {
            if (n != 6 || strncmp(t, ".param", 6) != 0) return 0;
            first = 0;
        } else if (n == 6 && strncmp(t, ".align", 6) == 0) {
            unsigned long k;
            while (s < end && fake_ptx_space(*s)) s++;
            k = strtoul(s, NULL, 10);
            while (s < end && *s >= '0' && *s <= '9') s++;
            if (!after_ptr) al = (size_t)k; /* .ptr ... .align: the pointee's, not the parameter's */
        } else if (n == 4 && strncmp(t, ".ptr", 4) == 0) {
            after_ptr = 1;
        } else if (t[0] == '.' && fake_ptx_type_size(t, n)) {
            elem = fake_ptx_type_size(t, n);
        } else if (t[0] == '.') {
            /* a state space after .ptr (.global, .shared, ...) */
        } else {
            named = 1;
        }
    }
    if (!elem || !named) return 0;
    *size = elem * count;
    *align = al ? al : elem;
    return 1;
}

/* Every .entry of the (comment-free) PTX in m->funcs with its parameter
   list. A name too long or a .param the fake cannot read fails the load. */
static const char *fake_ptx_entries(fake_CUmodule m, const char *ptx)
{
    const char *s;
    for (s = ptx; (s = fake_ptx_directive(ptx, s, ".entry")) != NULL;) {
        struct fake_CUfunc_st *f, *grown;
        const char *name, *p, *close;
        size_t n;
        s += 6;
        while (fake_ptx_space(*s)) s++;
        for (name = s; fake_ptx_ident(*s); s++) {
        }
        n = (size_t)(s - name);
        if (n == 0) return "ptxas fatal   : .entry without a name";
        if (n >= FAKE_NAME_MAX) return "ptxas fatal   : a kernel name longer than the fake driver stores";
        grown = (struct fake_CUfunc_st *)realloc(m->funcs, (size_t)(m->n_funcs + 1) * sizeof *m->funcs);
        if (!grown) return "out of memory";
        m->funcs = grown;
        f = &m->funcs[m->n_funcs++];
        memset(f, 0, sizeof *f);
        f->module = m;
        memcpy(f->name, name, n);
        while (fake_ptx_space(*s)) s++;
        if (*s != '(') continue; /* no parameter list */
        if (!(close = strchr(s, ')'))) return "ptxas fatal   : an .entry parameter list without ')'";
        for (p = s + 1; p < close;) {
            const char *comma = p, *q;
            size_t size, align;
            while (comma < close && *comma != ',') comma++;
            for (q = p; q < comma && fake_ptx_space(*q); q++) {
            }
            if (q == comma) { /* empty: "()" or a trailing comma */
                if (comma < close || f->n_params) return "ptxas fatal   : an empty .param in an .entry";
                break;
            }
            if (f->n_params == FAKE_MAX_PARAMS) return "ptxas fatal   : more parameters than the fake driver stores";
            if (!fake_ptx_param(p, comma, &size, &align) || (align & (align - 1)) != 0)
                return "ptxas fatal   : a .param the fake driver cannot read";
            f->total = (f->total + align - 1) / align * align;
            f->offset[f->n_params] = f->total;
            f->size[f->n_params] = size;
            f->total += size;
            f->n_params++;
            p = comma + 1;
        }
        s = close + 1;
    }
    return NULL;
}

/* The test hook (tests/fake_cuda.h): a function's parameter sizes. */
FAKE_API int fake_cuda_params(fake_CUfunction function, size_t *sizes, int max)
{
    int i, n = -1;
    pthread_mutex_lock(&fake_mu);
    if (function && fake_function_module(function)) {
        n = function->n_params;
        for (i = 0; i < n && i < max; i++) sizes[i] = function->size[i];
    }
    pthread_mutex_unlock(&fake_mu);
    return n;
}

/* cuModuleLoadDataEx and cuModuleLoadData: the JIT's checks, then every
   .entry with its parameters. */
static fake_CUresult fake_module_load(fake_CUmodule *module, const void *image, unsigned int n_options,
                                      fake_CUjit_option *options, void **values)
{
    const char *text = (const char *)image, *v;
    char why[256];
    char *log = NULL, *ptx = NULL;
    size_t log_size = 0;
    unsigned i;
    fake_CUresult rc = FAKE_CUDA_ERROR_INVALID_PTX;
    fake_CUmodule m = NULL;
    int major = 0, minor = 0;
    why[0] = 0;
    for (i = 0; i < n_options; i++) {
        if (options[i] == FAKE_CU_JIT_ERROR_LOG_BUFFER) log = (char *)values[i];
        if (options[i] == FAKE_CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES) log_size = (size_t)(uintptr_t)values[i];
    }
    if (!module) return fake_bad("cuModuleLoadDataEx: module is NULL");
    *module = NULL;
    if (fake_env_long("FAKE_CUDA_MODULE_RESULT", 0)) { /* e.g. 222: a driver older than the PTX */
        fake_stats.injected++;
        return (fake_CUresult)fake_env_long("FAKE_CUDA_MODULE_RESULT", 0);
    }
    if (fake_env_long("FAKE_CUDA_FAIL_MODULE", 0)) {
        snprintf(why, sizeof why, "ptxas fatal   : injected failure (FAKE_CUDA_FAIL_MODULE)");
        fake_stats.injected++;
    } else if (!text || !(ptx = fake_ptx_strip(text))) {
        snprintf(why, sizeof why, "ptxas fatal   : no PTX text");
    } else if (!(v = fake_ptx_directive(ptx, ptx, ".version")) || !fake_ptx_directive(ptx, ptx, ".target") ||
               sscanf(v + 8, " %d.%d", &major, &minor) != 2) {
        snprintf(why, sizeof why, "ptxas fatal   : not PTX text (no .version/.target directive)");
    } else if (major * 10 + minor > fake_ptx_max()) {
        int max = fake_ptx_max();
        snprintf(why, sizeof why, "ptxas application ptx input, line 1; fatal   : Unsupported .version %d.%d; "
                 "current version is '%d.%d'", major, minor, max / 10, max % 10);
        rc = FAKE_CUDA_ERROR_UNSUPPORTED_PTX_VERSION;
    } else if (!(m = (fake_CUmodule)calloc(1, sizeof *m))) {
        free(ptx);
        return FAKE_CUDA_ERROR_OUT_OF_MEMORY;
    } else {
        const char *bad = fake_ptx_entries(m, ptx);
        if (bad) snprintf(why, sizeof why, "%s", bad);
    }
    free(ptx);
    if (why[0]) {
        if (m) free(m->funcs);
        free(m);
        if (log && log_size) snprintf(log, log_size, "%s", why);
        for (i = 0; i < n_options; i++)
            if (options[i] == FAKE_CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES) values[i] = (void *)(uintptr_t)strlen(why);
        return rc;
    }
    m->ctx = fake_current;
    m->next = fake_modules;
    fake_modules = m;
    fake_stats.modules++;
    *module = m;
    return FAKE_CUDA_SUCCESS;
}

FAKE_API fake_CUresult cuModuleLoadDataEx(fake_CUmodule *module, const void *image, unsigned int n_options,
                                         fake_CUjit_option *options, void **values)
{
    fake_CUresult rc;
    FAKE_ENTER("cuModuleLoadDataEx")
    rc = fake_module_load(module, image, n_options, options, values);
    FAKE_LEAVE(rc);
}

FAKE_API fake_CUresult cuModuleLoadData(fake_CUmodule *module, const void *image)
{
    fake_CUresult rc;
    FAKE_ENTER("cuModuleLoadData")
    rc = fake_module_load(module, image, 0, NULL, NULL);
    FAKE_LEAVE(rc);
}

/* A kernel exists if the PTX has ".entry name". */
FAKE_API fake_CUresult cuModuleGetFunction(fake_CUfunction *function, fake_CUmodule module, const char *name)
{
    fake_CUresult rc;
    int i;
    FAKE_ENTER("cuModuleGetFunction")
    if (!function || !name) FAKE_LEAVE(fake_bad("cuModuleGetFunction: function or name is NULL"));
    if ((rc = fake_check_module(module, "cuModuleGetFunction")) != FAKE_CUDA_SUCCESS) FAKE_LEAVE(rc);
    for (i = 0; i < module->n_funcs; i++)
        if (strcmp(module->funcs[i].name, name) == 0) {
            *function = &module->funcs[i];
            FAKE_LEAVE(FAKE_CUDA_SUCCESS);
        }
    FAKE_LEAVE(FAKE_CUDA_ERROR_NOT_FOUND);
}

/* The prologue of the frees: they need a current context; on a broken one
   they fail with its sticky error (the object stays until the context is
   destroyed: the caller has it marked free_failed). */
static fake_CUresult fake_free_enter(const char *name)
{
    if (!fake_initialized) return FAKE_CUDA_ERROR_NOT_INITIALIZED;
    if (!fake_current) return fake_misuse(FAKE_CUDA_ERROR_INVALID_CONTEXT, "%s: no current context", name);
    return FAKE_CUDA_SUCCESS;
}

FAKE_API fake_CUresult cuModuleUnload(fake_CUmodule module)
{
    fake_CUmodule *pm;
    fake_CUresult rc;
    pthread_mutex_lock(&fake_mu);
    if ((rc = fake_free_enter("cuModuleUnload")) != FAKE_CUDA_SUCCESS) FAKE_LEAVE(rc);
    if ((rc = fake_check_module(module, "cuModuleUnload")) != FAKE_CUDA_SUCCESS) FAKE_LEAVE(rc);
    if (fake_current->poison) {
        module->free_failed = 1;
        FAKE_LEAVE(fake_current->poison);
    }
    for (pm = &fake_modules; *pm != module; pm = &(*pm)->next) {
    }
    *pm = module->next; /* queued launches hold the kernel's name, not the module */
    free(module->funcs);
    free(module);
    fake_stats.modules--;
    FAKE_LEAVE(FAKE_CUDA_SUCCESS);
}

/* ---- memory ---- */

static fake_CUresult fake_alloc_new(void **out, size_t bytes, int host)
{
    fake_alloc *a;
    long fail_at = fake_env_long("FAKE_CUDA_FAIL_ALLOC_AT", 0);
    fake_stats.alloc_calls++;
    if (bytes == 0) return fake_bad("allocation of 0 bytes");
    if ((fail_at > 0 && (unsigned long)fail_at == fake_stats.alloc_calls) ||
        fake_device_fails("FAKE_CUDA_FAIL_ALLOC_DEVICE", fake_current)) {
        fake_stats.injected++;
        return FAKE_CUDA_ERROR_OUT_OF_MEMORY;
    }
    a = (fake_alloc *)calloc(1, sizeof *a);
    if (!a || !(a->p = (unsigned char *)malloc(bytes))) {
        free(a);
        return FAKE_CUDA_ERROR_OUT_OF_MEMORY;
    }
    memset(a->p, 0xA5, bytes); /* device memory starts as garbage */
    a->size = bytes;
    a->host = host;
    a->ctx = fake_current;
    a->next = fake_allocs;
    fake_allocs = a;
    if (host) fake_stats.host_allocs++;
    else fake_stats.device_allocs++;
    *out = a->p;
    return FAKE_CUDA_SUCCESS;
}

/* Under fake_mu: frees allocation p. A real free waits for the work issued
   before it (the memory may be in use); on a broken context it fails with
   the sticky error and the memory stays until the context is destroyed. */
static fake_CUresult fake_alloc_free(void *p, int host)
{
    const char *call = host ? "cuMemFreeHost" : "cuMemFree_v2";
    fake_alloc **pp;
    fake_CUresult rc;
    if ((rc = fake_free_enter(call)) != FAKE_CUDA_SUCCESS) return rc;
    for (pp = &fake_allocs; *pp && !((*pp)->p == p && (*pp)->host == host); pp = &(*pp)->next) {
    }
    if (!*pp) return fake_misuse(FAKE_CUDA_ERROR_INVALID_VALUE, "%s: not an allocation", call);
    if (fake_current->poison) { /* again, if the caller retries */
        (*pp)->free_failed = 1;
        return fake_current->poison;
    }
    fake_drain_before((*pp)->ctx, fake_serial);
    for (pp = &fake_allocs; *pp && !((*pp)->p == p && (*pp)->host == host); pp = &(*pp)->next) {
    } /* the list may have changed while the work ran */
    if (*pp) {
        fake_alloc *a = *pp;
        *pp = a->next;
        free(a->p);
        free(a);
        if (host) fake_stats.host_allocs--;
        else fake_stats.device_allocs--;
    }
    return FAKE_CUDA_SUCCESS;
}

FAKE_API fake_CUresult cuMemAlloc_v2(fake_CUdeviceptr *ptr, size_t bytes)
{
    void *p = NULL;
    fake_CUresult rc;
    FAKE_ENTER("cuMemAlloc_v2")
    rc = fake_alloc_new(&p, bytes, 0);
    *ptr = rc == FAKE_CUDA_SUCCESS ? (fake_CUdeviceptr)(uintptr_t)p : 0;
    FAKE_LEAVE(rc);
}

FAKE_API fake_CUresult cuMemAllocHost_v2(void **ptr, size_t bytes)
{
    fake_CUresult rc;
    FAKE_ENTER("cuMemAllocHost_v2")
    *ptr = NULL;
    rc = fake_alloc_new(ptr, bytes, 1);
    FAKE_LEAVE(rc);
}

FAKE_API fake_CUresult cuMemFree_v2(fake_CUdeviceptr ptr)
{
    fake_CUresult rc;
    pthread_mutex_lock(&fake_mu);
    rc = fake_alloc_free((void *)(uintptr_t)ptr, 0);
    pthread_mutex_unlock(&fake_mu);
    return rc;
}

FAKE_API fake_CUresult cuMemFreeHost(void *ptr)
{
    fake_CUresult rc;
    pthread_mutex_lock(&fake_mu);
    rc = fake_alloc_free(ptr, 1);
    pthread_mutex_unlock(&fake_mu);
    return rc;
}

static fake_op *fake_op_new(fake_op_kind kind)
{
    fake_op *op = (fake_op *)calloc(1, sizeof *op);
    if (op) op->kind = kind;
    return op;
}

/* Device memory (any context's: unified addressing) to or from host memory.
   Pinned host memory is read or written when the copy runs; pageable host
   memory as the real driver stages it: read at the call, written before
   the call returns. */
FAKE_API fake_CUresult cuMemcpyHtoDAsync_v2(fake_CUdeviceptr dst, const void *src, size_t bytes, fake_CUstream stream)
{
    fake_op *op;
    fake_CUresult rc;
    FAKE_ENTER("cuMemcpyHtoDAsync_v2")
    if ((rc = fake_check_stream(stream, "cuMemcpyHtoDAsync_v2")) != FAKE_CUDA_SUCCESS) FAKE_LEAVE(rc);
    if (!fake_find((void *)(uintptr_t)dst, bytes, 0))
        FAKE_LEAVE(fake_bad("cuMemcpyHtoDAsync_v2: destination outside device memory"));
    if (!src) FAKE_LEAVE(fake_bad("cuMemcpyHtoDAsync_v2: source is NULL"));
    if (!(op = fake_op_new(FAKE_OP_HTOD))) FAKE_LEAVE(FAKE_CUDA_ERROR_OUT_OF_MEMORY);
    op->dst = (void *)(uintptr_t)dst;
    op->src = src;
    op->bytes = bytes;
    if (!fake_find(src, bytes, 1)) {
        fake_stats.pageable_copies++;
        if (!(op->owned = (unsigned char *)malloc(bytes ? bytes : 1))) {
            fake_op_free(op);
            FAKE_LEAVE(FAKE_CUDA_ERROR_OUT_OF_MEMORY);
        }
        memcpy(op->owned, src, bytes);
    }
    fake_stats.copies_up++;
    fake_enqueue(stream, op);
    FAKE_LEAVE(FAKE_CUDA_SUCCESS);
}

FAKE_API fake_CUresult cuMemcpyDtoHAsync_v2(void *dst, fake_CUdeviceptr src, size_t bytes, fake_CUstream stream)
{
    fake_op *op;
    fake_CUresult rc;
    int pageable;
    FAKE_ENTER("cuMemcpyDtoHAsync_v2")
    if ((rc = fake_check_stream(stream, "cuMemcpyDtoHAsync_v2")) != FAKE_CUDA_SUCCESS) FAKE_LEAVE(rc);
    if (!fake_find((const void *)(uintptr_t)src, bytes, 0))
        FAKE_LEAVE(fake_bad("cuMemcpyDtoHAsync_v2: source outside device memory"));
    if (!dst) FAKE_LEAVE(fake_bad("cuMemcpyDtoHAsync_v2: destination is NULL"));
    if (!(op = fake_op_new(FAKE_OP_DTOH))) FAKE_LEAVE(FAKE_CUDA_ERROR_OUT_OF_MEMORY);
    op->dst = dst;
    op->src = (const void *)(uintptr_t)src;
    op->bytes = bytes;
    pageable = !fake_find(dst, bytes, 1);
    if (pageable) fake_stats.pageable_copies++;
    fake_stats.copies_down++;
    fake_enqueue(stream, op);
    if (pageable) fake_drain(stream, stream->next_seq - 1);
    FAKE_LEAVE(pageable ? fake_wait_result(stream->ctx) : FAKE_CUDA_SUCCESS);
}

FAKE_API fake_CUresult cuMemsetD8Async(fake_CUdeviceptr dst, unsigned char value, size_t n, fake_CUstream stream)
{
    fake_op *op;
    fake_CUresult rc;
    FAKE_ENTER("cuMemsetD8Async")
    if ((rc = fake_check_stream(stream, "cuMemsetD8Async")) != FAKE_CUDA_SUCCESS) FAKE_LEAVE(rc);
    if (!fake_find((void *)(uintptr_t)dst, n, 0)) FAKE_LEAVE(fake_bad("cuMemsetD8Async: outside device memory"));
    if (!(op = fake_op_new(FAKE_OP_MEMSET))) FAKE_LEAVE(FAKE_CUDA_ERROR_OUT_OF_MEMORY);
    op->dst = (void *)(uintptr_t)dst;
    op->value = value;
    op->bytes = n;
    fake_enqueue(stream, op);
    FAKE_LEAVE(FAKE_CUDA_SUCCESS);
}

/* ---- streams and events ---- */

FAKE_API fake_CUresult cuStreamCreate(fake_CUstream *stream, unsigned int flags)
{
    fake_CUstream s;
    FAKE_ENTER("cuStreamCreate")
    (void)flags;
    if (!stream) FAKE_LEAVE(fake_bad("cuStreamCreate: stream is NULL"));
    if (!(s = (fake_CUstream)calloc(1, sizeof *s))) FAKE_LEAVE(FAKE_CUDA_ERROR_OUT_OF_MEMORY);
    s->ctx = fake_current;
    s->next_seq = 1;
    s->next = fake_streams;
    fake_streams = s;
    fake_stats.streams++;
    *stream = s;
    FAKE_LEAVE(FAKE_CUDA_SUCCESS);
}

/* Runs the stream's queued work first (a real driver lets it finish). */
FAKE_API fake_CUresult cuStreamDestroy_v2(fake_CUstream stream)
{
    fake_CUstream *ps;
    fake_CUevent e;
    fake_CUresult rc;
    pthread_mutex_lock(&fake_mu);
    if ((rc = fake_free_enter("cuStreamDestroy_v2")) != FAKE_CUDA_SUCCESS) FAKE_LEAVE(rc);
    if ((rc = fake_check_stream(stream, "cuStreamDestroy_v2")) != FAKE_CUDA_SUCCESS) FAKE_LEAVE(rc);
    if (fake_current->poison) {
        stream->free_failed = 1;
        FAKE_LEAVE(fake_current->poison);
    }
    fake_drain(stream, stream->next_seq - 1);
    fake_discard(stream); /* waits for other threads in fake_drain; empty unless the context broke meanwhile */
    for (e = fake_events; e; e = e->next)
        if (e->stream == stream) e->stream = NULL;
    for (ps = &fake_streams; *ps != stream; ps = &(*ps)->next) {
    }
    *ps = stream->next;
    free(stream);
    fake_stats.streams--;
    FAKE_LEAVE(fake_wait_result(fake_current));
}

FAKE_API fake_CUresult cuStreamSynchronize(fake_CUstream stream)
{
    fake_CUresult rc;
    FAKE_ENTER("cuStreamSynchronize")
    if ((rc = fake_check_stream(stream, "cuStreamSynchronize")) != FAKE_CUDA_SUCCESS) FAKE_LEAVE(rc);
    fake_drain(stream, stream->next_seq - 1);
    FAKE_LEAVE(fake_wait_result(stream->ctx));
}

FAKE_API fake_CUresult cuEventCreate(fake_CUevent *event, unsigned int flags)
{
    fake_CUevent e;
    FAKE_ENTER("cuEventCreate")
    if (!event) FAKE_LEAVE(fake_bad("cuEventCreate: event is NULL"));
    if (!(e = (fake_CUevent)calloc(1, sizeof *e))) FAKE_LEAVE(FAKE_CUDA_ERROR_OUT_OF_MEMORY);
    e->ctx = fake_current;
    e->flags = flags;
    e->next = fake_events;
    fake_events = e;
    fake_stats.events++;
    *event = e;
    FAKE_LEAVE(FAKE_CUDA_SUCCESS);
}

FAKE_API fake_CUresult cuEventDestroy_v2(fake_CUevent event)
{
    fake_CUevent *pe;
    fake_CUstream s;
    fake_CUresult rc;
    pthread_mutex_lock(&fake_mu);
    if ((rc = fake_free_enter("cuEventDestroy_v2")) != FAKE_CUDA_SUCCESS) FAKE_LEAVE(rc);
    if ((rc = fake_check_event(event, "cuEventDestroy_v2")) != FAKE_CUDA_SUCCESS) FAKE_LEAVE(rc);
    if (fake_current->poison) {
        event->free_failed = 1;
        FAKE_LEAVE(fake_current->poison);
    }
    for (s = fake_streams; s; s = s->next) { /* a queued record of it records nothing */
        fake_op *op;
        for (op = s->head; op; op = op->next)
            if (op->event == event) op->event = NULL;
    }
    for (pe = &fake_events; *pe != event; pe = &(*pe)->next) {
    }
    *pe = event->next;
    free(event);
    fake_stats.events--;
    FAKE_LEAVE(FAKE_CUDA_SUCCESS);
}

FAKE_API fake_CUresult cuEventRecord(fake_CUevent event, fake_CUstream stream)
{
    fake_op *op;
    fake_CUresult rc;
    FAKE_ENTER("cuEventRecord")
    if ((rc = fake_check_event(event, "cuEventRecord")) != FAKE_CUDA_SUCCESS) FAKE_LEAVE(rc);
    if ((rc = fake_check_stream(stream, "cuEventRecord")) != FAKE_CUDA_SUCCESS) FAKE_LEAVE(rc);
    if (!(op = fake_op_new(FAKE_OP_RECORD))) FAKE_LEAVE(FAKE_CUDA_ERROR_OUT_OF_MEMORY);
    op->event = event;
    event->recorded = 1;
    event->done = 0;
    event->stream = stream;
    event->seq = stream->next_seq;
    event->not_ready = (int)fake_env_long("FAKE_CUDA_NOT_READY", fake_deferring() ? 1 : 0);
    fake_enqueue(stream, op);
    FAKE_LEAVE(FAKE_CUDA_SUCCESS);
}

/* Under fake_mu: runs the work before the event's last record. */
static void fake_event_wait(fake_CUevent event)
{
    if (event->stream && !event->done) fake_drain(event->stream, event->seq);
    event->not_ready = 0;
}

/* Not ready FAKE_CUDA_NOT_READY times after each record; then it runs the
   work before the record and answers success (or the sticky error). */
FAKE_API fake_CUresult cuEventQuery(fake_CUevent event)
{
    fake_CUresult rc;
    FAKE_ENTER("cuEventQuery")
    if ((rc = fake_check_event(event, "cuEventQuery")) != FAKE_CUDA_SUCCESS) FAKE_LEAVE(rc);
    if (event->not_ready > 0) {
        event->not_ready--;
        FAKE_LEAVE(FAKE_CUDA_ERROR_NOT_READY);
    }
    fake_event_wait(event);
    FAKE_LEAVE(fake_wait_result(event->ctx));
}

FAKE_API fake_CUresult cuEventSynchronize(fake_CUevent event)
{
    fake_CUresult rc;
    FAKE_ENTER("cuEventSynchronize")
    if ((rc = fake_check_event(event, "cuEventSynchronize")) != FAKE_CUDA_SUCCESS) FAKE_LEAVE(rc);
    fake_note_event_wait(event);
    fake_event_wait(event);
    FAKE_LEAVE(fake_wait_result(event->ctx));
}

/* Both events recorded and their work done, else as a real driver:
   CUDA_ERROR_INVALID_HANDLE (never recorded), CUDA_ERROR_NOT_READY. */
static fake_CUresult fake_elapsed(float *ms, fake_CUevent a, fake_CUevent b)
{
    fake_CUresult rc;
    FAKE_ENTER("cuEventElapsedTime")
    if (!ms) FAKE_LEAVE(FAKE_CUDA_ERROR_INVALID_VALUE);
    if ((rc = fake_check_event(a, "cuEventElapsedTime")) != FAKE_CUDA_SUCCESS ||
        (rc = fake_check_event(b, "cuEventElapsedTime")) != FAKE_CUDA_SUCCESS)
        FAKE_LEAVE(rc);
    if (!a->recorded || !b->recorded) FAKE_LEAVE(FAKE_CUDA_ERROR_INVALID_HANDLE);
    if (!a->done || !b->done) FAKE_LEAVE(FAKE_CUDA_ERROR_NOT_READY);
    *ms = (float)(b->ms - a->ms);
    FAKE_LEAVE(FAKE_CUDA_SUCCESS);
}

FAKE_API fake_CUresult cuEventElapsedTime_v2(float *ms, fake_CUevent a, fake_CUevent b) { return fake_elapsed(ms, a, b); }
FAKE_API fake_CUresult cuEventElapsedTime(float *ms, fake_CUevent a, fake_CUevent b) { return fake_elapsed(ms, a, b); }

/* ---- kernels ---- */

/* The launch contract kernels.cu documents beside its own kernels (other
   kernels, e.g. an example's, have none here): the parameter count, which
   one is n_reads, and the geometry: block 256, grid max(1, min(ceil(n_reads
   / per), cap)). The parameter list itself comes from the PTX. */
typedef struct fake_contract {
    const char *name;
    int n_params, n_reads_at;
    unsigned long long per, cap;
} fake_contract;

static const fake_contract *fake_contract_of(const char *name)
{
    static const fake_contract contracts[] = {
        {"fqp_k_qc", 6, 3, 64, 1024},
        {"fqp_k_qual_prefix_sum", 4, 2, 8, 65535},
        {"fqp_k_trim", 9, 3, 8, 65535},
    };
    size_t i;
    for (i = 0; i < sizeof contracts / sizeof contracts[0]; i++)
        if (strcmp(contracts[i].name, name) == 0) return &contracts[i];
    return NULL;
}

/* Argument i of a launch as a 64-bit value (a CUdeviceptr, n_reads), 0 if
   the PTX does not declare it 8 bytes wide. */
static unsigned long long fake_arg64(const fake_op *op, int i)
{
    unsigned long long v = 0;
    if (i < op->n_args && op->arg_size[i] == 8) memcpy(&v, op->argv[i], 8);
    return v;
}

static int fake_check_geometry(const struct fake_CUfunc_st *f, const fake_op *op)
{
    const fake_contract *k = fake_contract_of(f->name);
    unsigned long long n, want;
    if (!k) return 1;
    n = fake_arg64(op, k->n_reads_at);
    want = (n + k->per - 1) / k->per;
    if (want < 1) want = 1;
    if (want > k->cap) want = k->cap;
    return op->block[0] == 256 && op->grid[0] == want && op->grid[1] == 1 && op->grid[2] == 1 && op->block[1] == 1 &&
           op->block[2] == 1 && op->shared == 0;
}

/* Under fake_mu, when the kernel is about to run (the uploads before it have
   run): its pointer arguments lie in device memory, with the extents the
   contract's signatures imply. */
static int fake_check_kernel_args(const fake_op *op)
{
    const unsigned long long *off;
    unsigned long long n, bases;
    void *p[9];
    int i;
    for (i = 0; i < 9; i++) p[i] = (void *)(uintptr_t)fake_arg64(op, i); /* cuLaunchKernel checked the count */
    if (strcmp(op->name, "fqp_k_qc") == 0) {
        off = (const unsigned long long *)p[2];
        n = (unsigned long long)(uintptr_t)p[3];
        if (!fake_find(off, (size_t)(8 * (n + 1)), 0)) return 0;
        bases = off[n];
        return fake_find(p[0], (size_t)bases, 0) && fake_find(p[1], (size_t)bases, 0) && fake_find(p[5], 8, 0);
    }
    if (strcmp(op->name, "fqp_k_qual_prefix_sum") == 0) {
        off = (const unsigned long long *)p[1];
        n = (unsigned long long)(uintptr_t)p[2];
        if (!fake_find(off, (size_t)(8 * (n + 1)), 0)) return 0;
        bases = off[n];
        return fake_find(p[0], (size_t)bases, 0) && fake_find(p[3], (size_t)(8 * bases), 0);
    }
    if (strcmp(op->name, "fqp_k_trim") == 0) { /* seq (p[0]) may be NULL */
        off = (const unsigned long long *)p[2];
        n = (unsigned long long)(uintptr_t)p[3];
        if (!fake_find(off, (size_t)(8 * (n + 1)), 0)) return 0;
        bases = off[n];
        return (!p[0] || fake_find(p[0], (size_t)bases, 0)) && fake_find(p[1], (size_t)bases, 0) &&
               fake_find(p[8], (size_t)(16 * n), 0);
    }
    return 1;
}

/* Copies exactly the bytes the PTX declares for each parameter, as the real
   driver does, so the caller may reuse its argument variables at once;
   the kernel runs with those copies. */
FAKE_API fake_CUresult cuLaunchKernel(fake_CUfunction function, unsigned int grid_x, unsigned int grid_y,
                                     unsigned int grid_z, unsigned int block_x, unsigned int block_y,
                                     unsigned int block_z, unsigned int shared_bytes, fake_CUstream stream,
                                     void **params, void **extra)
{
    long fail_at = fake_env_long("FAKE_CUDA_FAIL_LAUNCH_AT", 0), async_at = fake_env_long("FAKE_CUDA_ASYNC_FAIL_AT", 0);
    long emu_block = fake_env_long("FAKE_CUDA_EMU_BLOCK", 0);
    const fake_contract *k;
    fake_op *op;
    fake_CUresult rc;
    int i;
    FAKE_ENTER("cuLaunchKernel")
    if ((rc = fake_check_function(function, "cuLaunchKernel")) != FAKE_CUDA_SUCCESS) FAKE_LEAVE(rc);
    if ((rc = fake_check_stream(stream, "cuLaunchKernel")) != FAKE_CUDA_SUCCESS) FAKE_LEAVE(rc);
    if (extra) FAKE_LEAVE(fake_bad("cuLaunchKernel: `extra` is not supported by the fake"));
    if (function->n_params && !params)
        FAKE_LEAVE(fake_misuse(FAKE_CUDA_ERROR_INVALID_VALUE, "cuLaunchKernel (%s): kernelParams is NULL, the PTX "
                               "declares %d parameter(s)", function->name, function->n_params));
    for (i = 0; i < function->n_params; i++)
        if (!params[i])
            FAKE_LEAVE(fake_misuse(FAKE_CUDA_ERROR_INVALID_VALUE, "cuLaunchKernel (%s): kernelParams[%d] is NULL, "
                                   "the PTX declares %d parameter(s)", function->name, i, function->n_params));
    if ((k = fake_contract_of(function->name)) != NULL && k->n_params != function->n_params)
        FAKE_LEAVE(fake_misuse(FAKE_CUDA_ERROR_INVALID_VALUE, "cuLaunchKernel (%s): the PTX declares %d "
                               "parameter(s), kernels.cu's contract %d: stale PTX?", function->name,
                               function->n_params, k->n_params));
    if (grid_x == 0 || grid_y == 0 || grid_z == 0 || block_x == 0 || block_y == 0 || block_z == 0 ||
        (unsigned long long)block_x * block_y * block_z > 1024)
        FAKE_LEAVE(fake_bad("cuLaunchKernel: bad launch geometry"));
    fake_stats.launches++;
    if (fail_at > 0 && (unsigned long)fail_at == fake_stats.launches) {
        fake_stats.injected++;
        fake_current->poison = FAKE_CUDA_ERROR_LAUNCH_FAILED;
        FAKE_LEAVE(FAKE_CUDA_ERROR_LAUNCH_FAILED);
    }
    if (!(op = fake_op_new(FAKE_OP_LAUNCH))) FAKE_LEAVE(FAKE_CUDA_ERROR_OUT_OF_MEMORY);
    op->args = (unsigned char *)calloc(1, function->total ? function->total : 1);
    op->argv = (void **)calloc((size_t)function->n_params + 1, sizeof *op->argv); /* NULL-terminated */
    if (!op->args || !op->argv) {
        fake_op_free(op);
        FAKE_LEAVE(FAKE_CUDA_ERROR_OUT_OF_MEMORY);
    }
    for (i = 0; i < function->n_params; i++) { /* by value, now */
        memcpy(op->args + function->offset[i], params[i], function->size[i]);
        op->argv[i] = op->args + function->offset[i];
        op->arg_size[i] = function->size[i];
    }
    op->n_args = function->n_params;
    memcpy(op->name, function->name, sizeof op->name);
    op->grid[0] = grid_x; op->grid[1] = grid_y; op->grid[2] = grid_z;
    op->block[0] = block_x; op->block[1] = block_y; op->block[2] = block_z;
    op->shared = shared_bytes;
    if (!fake_check_geometry(function, op)) {
        fake_op_free(op);
        FAKE_LEAVE(fake_bad("cuLaunchKernel: not the launch geometry kernels.cu documents"));
    }
    if (emu_block > 0) { /* every kernel is grid-stride over warps: any shape gives the same result */
        op->grid[0] = 1;
        op->block[0] = (unsigned)emu_block;
    }
    if (async_at > 0 && (unsigned long)async_at == fake_stats.launches) {
        fake_stats.injected++;
        op->fault = (fake_CUresult)fake_env_long("FAKE_CUDA_ASYNC_FAIL_CODE", FAKE_CUDA_ERROR_LAUNCH_FAILED);
    }
    fake_enqueue(stream, op);
    FAKE_LEAVE(FAKE_CUDA_SUCCESS);
}

/* ---- hooks for the caller's context, device failures, event waits ---- */

FAKE_API fake_CUresult cuCtxGetCurrent(fake_CUcontext *ctx)
{
    if (!ctx) return FAKE_CUDA_ERROR_INVALID_VALUE;
    pthread_mutex_lock(&fake_mu);
    *ctx = (fake_CUcontext)(void *)fake_current;
    pthread_mutex_unlock(&fake_mu);
    return FAKE_CUDA_SUCCESS;
}

/* A context that is not a primary context: the application's own (as if
   made with cuCtxCreate), which cuCtxSetCurrent accepts. */
FAKE_API fake_CUcontext fake_cuda_user_context(void) { return (fake_CUcontext)(void *)&fake_user_ctx; }

/* FAKE_CUDA_COMPUTE_MODE=m0,m1,...: device i's compute mode (default 0). */
static int fake_compute_mode(fake_CUdevice device)
{
    const char *v = getenv("FAKE_CUDA_COMPUTE_MODE");
    int i;
    if (!v) return 0;
    for (i = 0; i < device && v; i++) {
        v = strchr(v, ',');
        if (v) v++;
    }
    return v && *v ? (int)strtol(v, NULL, 10) : 0;
}

/* Whether `var` names the device whose primary context is c. */
static int fake_device_fails(const char *var, const fake_ctx *c)
{
    long n = fake_env_long(var, -1);
    return n >= 0 && n < FAKE_MAX_DEVICES && c == &fake_ctxs[n];
}

/* Threads that ended with a context current (whose thread-specific value
   was still set): a library thread or a caller's thread left one behind. */
static pthread_key_t fake_exit_key;
static pthread_once_t fake_exit_once = PTHREAD_ONCE_INIT;
static unsigned long fake_exits_with_context;

static void fake_thread_exit(void *value)
{
    (void)value;
    pthread_mutex_lock(&fake_mu);
    fake_exits_with_context++;
    pthread_mutex_unlock(&fake_mu);
}

static void fake_exit_key_make(void) { pthread_key_create(&fake_exit_key, fake_thread_exit); }

static void fake_note_current(fake_ctx *c)
{
    pthread_once(&fake_exit_once, fake_exit_key_make);
    pthread_setspecific(fake_exit_key, c);
}

FAKE_API unsigned long fake_cuda_exits_with_context(void)
{
    unsigned long n;
    pthread_mutex_lock(&fake_mu);
    n = fake_exits_with_context;
    pthread_mutex_unlock(&fake_mu);
    return n;
}

/* Under fake_mu: host waits on events, by whether the event sleeps
   (CU_EVENT_BLOCKING_SYNC) or would spin a core. */
static unsigned long fake_blocking_waits, fake_spinning_waits;

static void fake_note_event_wait(const struct fake_CUevent_st *event)
{
    if (event->flags & FAKE_CU_EVENT_BLOCKING_SYNC) fake_blocking_waits++;
    else fake_spinning_waits++;
}

FAKE_API void fake_cuda_event_waits(unsigned long *blocking, unsigned long *spinning)
{
    pthread_mutex_lock(&fake_mu);
    *blocking = fake_blocking_waits;
    *spinning = fake_spinning_waits;
    pthread_mutex_unlock(&fake_mu);
}
