/* tests/fake_cuda.c - a fake CUDA driver for tests, built as build/libfakecuda.so.

   Exports the entry points fastqpar_cuda.h loads, with the same names
   (the `_v2` ones included), over host memory: a "device pointer" is a host
   pointer, every stream operation runs at once on the calling thread, and
   cuLaunchKernel runs the kernel from kernels.cu under the device emulation
   (fqp_emu_launch from tests/kernels_emu.c, linked into this library).

   It checks what a real driver would reject: a call without a current
   context, a copy or kernel argument outside a live allocation, a module
   without the kernel asked for; each is printed and counted in bad_calls.
   It counts live objects, so tests can check that fqp_cuda_close frees
   everything, and it injects failures (see tests/fake_cuda.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/fake_cuda.h"

#define FAKE_API __attribute__((visibility("default")))
#define FAKE_MAX_DEVICES 8

/* Every entry point, declared from tests/fake_cuda.h's list: each definition
   below must have exactly that type (tests/test_cuda.c checks the list
   against the one fastqpar_cuda.h loads). */
#define FAKE_DECLARE(symbol, params) FAKE_API fake_CUresult symbol params;
FAKE_CUDA_DRIVER_LIST(FAKE_DECLARE)
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
    fake_ctx *ctx;
} fake_alloc;

struct fake_CUstream_st { fake_ctx *ctx; };
struct fake_CUevent_st { fake_ctx *ctx; int recorded; double ms; int not_ready; unsigned flags; };
struct fake_CUfunc_st { fake_CUmodule module; char name[64]; };
struct fake_CUmod_st { fake_ctx *ctx; char *text; struct fake_CUfunc_st funcs[8]; int n_funcs; };

static pthread_mutex_t fake_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t fake_launch_mu = PTHREAD_MUTEX_INITIALIZER;
static fake_ctx fake_ctxs[FAKE_MAX_DEVICES];
static fake_alloc *fake_allocs;
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
    memset(fake_counters, 0, sizeof fake_counters);
    pthread_mutex_unlock(&fake_mu);
}

static long fake_env_long(const char *name, long def)
{
    const char *v = getenv(name);
    return v && *v ? strtol(v, NULL, 10) : def;
}

static int fake_devices(void) { return (int)fake_env_long("FAKE_CUDA_DEVICES", 1); }

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

static fake_CUresult fake_bad(const char *what)
{
    fprintf(stderr, "fake_cuda: bad call: %s\n", what);
    fake_stats.bad_calls++;
    return FAKE_CUDA_ERROR_INVALID_VALUE;
}

/* Under fake_mu: the common prologue of calls that need a context. */
#define FAKE_ENTER(name)                                                           \
    fake_CUresult rc_ = FAKE_CUDA_SUCCESS;                                           \
    pthread_mutex_lock(&fake_mu);                                                  \
    if (!fake_initialized) rc_ = FAKE_CUDA_ERROR_NOT_INITIALIZED;                   \
    else if (!fake_current) rc_ = fake_bad(name ": no current context");           \
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

FAKE_API fake_CUresult cuDriverGetVersion(int *version)
{
    if (!version) return FAKE_CUDA_ERROR_INVALID_VALUE;
    *version = (int)fake_env_long("FAKE_CUDA_DRIVER_VERSION", 13000);
    return FAKE_CUDA_SUCCESS;
}

static const struct { fake_CUresult code; const char *name, *text; } fake_errors[] = {
    {FAKE_CUDA_SUCCESS, "CUDA_SUCCESS", "no error"},
    {FAKE_CUDA_ERROR_INVALID_VALUE, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {FAKE_CUDA_ERROR_OUT_OF_MEMORY, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {FAKE_CUDA_ERROR_NOT_INITIALIZED, "CUDA_ERROR_NOT_INITIALIZED", "initialization error"},
    {FAKE_CUDA_ERROR_DEVICE_UNAVAILABLE, "CUDA_ERROR_DEVICE_UNAVAILABLE",
     "CUDA-capable device(s) is/are busy or unavailable"},
    {FAKE_CUDA_ERROR_NO_DEVICE, "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"},
    {FAKE_CUDA_ERROR_INVALID_PTX, "CUDA_ERROR_INVALID_PTX", "a PTX JIT compilation failed"},
    {FAKE_CUDA_ERROR_JIT_COMPILER_NOT_FOUND, "CUDA_ERROR_JIT_COMPILER_NOT_FOUND", "PTX JIT compiler library not found"},
    {FAKE_CUDA_ERROR_UNSUPPORTED_PTX_VERSION, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION",
     "the provided PTX was compiled with an unsupported toolchain."},
    {FAKE_CUDA_ERROR_JIT_COMPILATION_DISABLED, "CUDA_ERROR_JIT_COMPILATION_DISABLED", "PTX JIT compilation was disabled"},
    {FAKE_CUDA_ERROR_ILLEGAL_ADDRESS, "CUDA_ERROR_ILLEGAL_ADDRESS", "an illegal memory access was encountered"},
    {FAKE_CUDA_ERROR_NOT_FOUND, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {FAKE_CUDA_ERROR_NOT_READY, "CUDA_ERROR_NOT_READY", "device not ready"},
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

/* The last release destroys the context: whatever is still allocated in it
   is freed and counted (fastqpar_cuda.h should have freed it). */
FAKE_API fake_CUresult cuDevicePrimaryCtxRelease_v2(fake_CUdevice device)
{
    fake_ctx *c;
    fake_alloc **pp;
    pthread_mutex_lock(&fake_mu);
    if (device < 0 || device >= FAKE_MAX_DEVICES || fake_ctxs[device].refs <= 0) {
        fake_CUresult rc = fake_bad("cuDevicePrimaryCtxRelease_v2 without retain");
        pthread_mutex_unlock(&fake_mu);
        return rc;
    }
    c = &fake_ctxs[device];
    fake_stats.context_refs--;
    if (--c->refs == 0) {
        for (pp = &fake_allocs; *pp;) {
            fake_alloc *a = *pp;
            if (a->ctx != c) {
                pp = &a->next;
                continue;
            }
            *pp = a->next;
            if (a->host) fake_stats.host_allocs--;
            else fake_stats.device_allocs--;
            fake_stats.freed_by_context_release++;
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
        rc = fake_bad("cuCtxSetCurrent: not a live primary context");
    else fake_note_current(fake_current = c);
    pthread_mutex_unlock(&fake_mu);
    return rc;
}

/* ---- modules ---- */

FAKE_API fake_CUresult cuModuleLoadDataEx(fake_CUmodule *module, const void *image, unsigned int n_options,
                                         fake_CUjit_option *options, void **values)
{
    const char *text = (const char *)image;
    const char *why = NULL;
    char *log = NULL;
    size_t log_size = 0;
    unsigned i;
    FAKE_ENTER("cuModuleLoadDataEx")
    for (i = 0; i < n_options; i++) {
        if (options[i] == FAKE_CU_JIT_ERROR_LOG_BUFFER) log = (char *)values[i];
        if (options[i] == FAKE_CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES) log_size = (size_t)(uintptr_t)values[i];
    }
    if (fake_env_long("FAKE_CUDA_MODULE_RESULT", 0)) { /* e.g. 222: a driver older than the PTX */
        fake_stats.injected++;
        FAKE_LEAVE((fake_CUresult)fake_env_long("FAKE_CUDA_MODULE_RESULT", 0));
    }
    if (fake_env_long("FAKE_CUDA_FAIL_MODULE", 0)) {
        why = "ptxas fatal   : injected failure (FAKE_CUDA_FAIL_MODULE)";
        fake_stats.injected++;
    }
    else if (!text || !strstr(text, ".version") || !strstr(text, ".target"))
        why = "ptxas fatal   : not PTX text (no .version/.target directive)";
    if (why) {
        if (log && log_size) snprintf(log, log_size, "%s", why);
        for (i = 0; i < n_options; i++)
            if (options[i] == FAKE_CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES) values[i] = (void *)(uintptr_t)strlen(why);
        FAKE_LEAVE(FAKE_CUDA_ERROR_INVALID_PTX);
    }
    *module = (fake_CUmodule)calloc(1, sizeof **module);
    if (!*module || !((*module)->text = strdup(text))) {
        free(*module);
        FAKE_LEAVE(FAKE_CUDA_ERROR_OUT_OF_MEMORY);
    }
    (*module)->ctx = fake_current;
    fake_stats.modules++;
    FAKE_LEAVE(FAKE_CUDA_SUCCESS);
}

/* A kernel exists if the PTX has ".entry name(". */
FAKE_API fake_CUresult cuModuleGetFunction(fake_CUfunction *function, fake_CUmodule module, const char *name)
{
    const char *s;
    size_t n = strlen(name);
    int i;
    FAKE_ENTER("cuModuleGetFunction")
    if (!module || n >= sizeof((*function)->name)) FAKE_LEAVE(fake_bad("cuModuleGetFunction: bad module or name"));
    for (s = module->text; (s = strstr(s, ".entry")) != NULL; s += 6) {
        const char *t = s + 6;
        while (*t == ' ' || *t == '\t') t++;
        if (strncmp(t, name, n) == 0 && (t[n] == '(' || t[n] == ' ' || t[n] == '\n' || t[n] == '\r')) break;
    }
    if (!s) FAKE_LEAVE(FAKE_CUDA_ERROR_NOT_FOUND);
    for (i = 0; i < module->n_funcs && strcmp(module->funcs[i].name, name) != 0; i++) {
    }
    if (i == 8) FAKE_LEAVE(FAKE_CUDA_ERROR_OUT_OF_MEMORY);
    if (i == module->n_funcs) {
        module->funcs[i].module = module;
        memcpy(module->funcs[i].name, name, n + 1);
        module->n_funcs++;
    }
    *function = &module->funcs[i];
    FAKE_LEAVE(FAKE_CUDA_SUCCESS);
}

/* Works after a fault too, like the frees. */
FAKE_API fake_CUresult cuModuleUnload(fake_CUmodule module)
{
    pthread_mutex_lock(&fake_mu);
    if (!fake_current) FAKE_LEAVE(fake_bad("cuModuleUnload: no current context"));
    if (!module) FAKE_LEAVE(fake_bad("cuModuleUnload: NULL"));
    free(module->text);
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

static fake_CUresult fake_alloc_free(void *p, int host)
{
    fake_alloc **pp;
    for (pp = &fake_allocs; *pp; pp = &(*pp)->next) {
        fake_alloc *a = *pp;
        if (a->p == p && a->host == host) {
            *pp = a->next;
            free(a->p);
            free(a);
            if (host) fake_stats.host_allocs--;
            else fake_stats.device_allocs--;
            return FAKE_CUDA_SUCCESS;
        }
    }
    return fake_bad(host ? "cuMemFreeHost: not an allocation" : "cuMemFree_v2: not an allocation");
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

/* Frees work after a fault too (a real driver reclaims on context destroy). */
FAKE_API fake_CUresult cuMemFree_v2(fake_CUdeviceptr ptr)
{
    fake_CUresult rc;
    pthread_mutex_lock(&fake_mu);
    rc = fake_current ? fake_alloc_free((void *)(uintptr_t)ptr, 0) : fake_bad("cuMemFree_v2: no current context");
    pthread_mutex_unlock(&fake_mu);
    return rc;
}

FAKE_API fake_CUresult cuMemFreeHost(void *ptr)
{
    fake_CUresult rc;
    pthread_mutex_lock(&fake_mu);
    rc = fake_current ? fake_alloc_free(ptr, 1) : fake_bad("cuMemFreeHost: no current context");
    pthread_mutex_unlock(&fake_mu);
    return rc;
}

static fake_CUresult fake_check_stream(fake_CUstream stream, const char *what)
{
    if (!stream) return fake_bad(what); /* fastqpar_cuda.h never uses the legacy stream */
    if (stream->ctx != fake_current) return fake_bad(what);
    return FAKE_CUDA_SUCCESS;
}

FAKE_API fake_CUresult cuMemcpyHtoDAsync_v2(fake_CUdeviceptr dst, const void *src, size_t bytes, fake_CUstream stream)
{
    void *d = (void *)(uintptr_t)dst;
    FAKE_ENTER("cuMemcpyHtoDAsync_v2")
    if (fake_check_stream(stream, "cuMemcpyHtoDAsync_v2: bad stream")) FAKE_LEAVE(FAKE_CUDA_ERROR_INVALID_VALUE);
    if (!fake_find(d, bytes, 0)) FAKE_LEAVE(fake_bad("cuMemcpyHtoDAsync_v2: destination outside device memory"));
    if (!fake_find(src, bytes, 1)) fake_stats.pageable_copies++;
    fake_stats.copies_up++;
    memcpy(d, src, bytes);
    FAKE_LEAVE(FAKE_CUDA_SUCCESS);
}

FAKE_API fake_CUresult cuMemcpyDtoHAsync_v2(void *dst, fake_CUdeviceptr src, size_t bytes, fake_CUstream stream)
{
    const void *s = (const void *)(uintptr_t)src;
    FAKE_ENTER("cuMemcpyDtoHAsync_v2")
    if (fake_check_stream(stream, "cuMemcpyDtoHAsync_v2: bad stream")) FAKE_LEAVE(FAKE_CUDA_ERROR_INVALID_VALUE);
    if (!fake_find(s, bytes, 0)) FAKE_LEAVE(fake_bad("cuMemcpyDtoHAsync_v2: source outside device memory"));
    if (!fake_find(dst, bytes, 1)) fake_stats.pageable_copies++;
    fake_stats.copies_down++;
    memcpy(dst, s, bytes);
    FAKE_LEAVE(FAKE_CUDA_SUCCESS);
}

FAKE_API fake_CUresult cuMemsetD8Async(fake_CUdeviceptr dst, unsigned char value, size_t n, fake_CUstream stream)
{
    void *d = (void *)(uintptr_t)dst;
    FAKE_ENTER("cuMemsetD8Async")
    if (fake_check_stream(stream, "cuMemsetD8Async: bad stream")) FAKE_LEAVE(FAKE_CUDA_ERROR_INVALID_VALUE);
    if (!fake_find(d, n, 0)) FAKE_LEAVE(fake_bad("cuMemsetD8Async: outside device memory"));
    memset(d, value, n);
    FAKE_LEAVE(FAKE_CUDA_SUCCESS);
}

/* ---- streams and events ---- */

FAKE_API fake_CUresult cuStreamCreate(fake_CUstream *stream, unsigned int flags)
{
    FAKE_ENTER("cuStreamCreate")
    (void)flags;
    if (!(*stream = (fake_CUstream)calloc(1, sizeof **stream))) FAKE_LEAVE(FAKE_CUDA_ERROR_OUT_OF_MEMORY);
    (*stream)->ctx = fake_current;
    fake_stats.streams++;
    FAKE_LEAVE(FAKE_CUDA_SUCCESS);
}

FAKE_API fake_CUresult cuStreamDestroy_v2(fake_CUstream stream)
{
    pthread_mutex_lock(&fake_mu);
    if (!stream) FAKE_LEAVE(fake_bad("cuStreamDestroy_v2: NULL"));
    free(stream);
    fake_stats.streams--;
    FAKE_LEAVE(FAKE_CUDA_SUCCESS);
}

FAKE_API fake_CUresult cuStreamSynchronize(fake_CUstream stream)
{
    FAKE_ENTER("cuStreamSynchronize")
    if (fake_check_stream(stream, "cuStreamSynchronize: bad stream")) FAKE_LEAVE(FAKE_CUDA_ERROR_INVALID_VALUE);
    FAKE_LEAVE(FAKE_CUDA_SUCCESS);
}

FAKE_API fake_CUresult cuEventCreate(fake_CUevent *event, unsigned int flags)
{
    FAKE_ENTER("cuEventCreate")
    if (!(*event = (fake_CUevent)calloc(1, sizeof **event))) FAKE_LEAVE(FAKE_CUDA_ERROR_OUT_OF_MEMORY);
    (*event)->ctx = fake_current;
    (*event)->flags = flags;
    fake_stats.events++;
    FAKE_LEAVE(FAKE_CUDA_SUCCESS);
}

FAKE_API fake_CUresult cuEventDestroy_v2(fake_CUevent event)
{
    pthread_mutex_lock(&fake_mu);
    if (!event) FAKE_LEAVE(fake_bad("cuEventDestroy_v2: NULL"));
    free(event);
    fake_stats.events--;
    FAKE_LEAVE(FAKE_CUDA_SUCCESS);
}

FAKE_API fake_CUresult cuEventRecord(fake_CUevent event, fake_CUstream stream)
{
    FAKE_ENTER("cuEventRecord")
    if (!event || fake_check_stream(stream, "cuEventRecord: bad stream")) FAKE_LEAVE(FAKE_CUDA_ERROR_INVALID_VALUE);
    event->recorded = 1;
    event->ms = fake_now_ms();
    event->not_ready = (int)fake_env_long("FAKE_CUDA_NOT_READY", 0);
    FAKE_LEAVE(FAKE_CUDA_SUCCESS);
}

FAKE_API fake_CUresult cuEventQuery(fake_CUevent event)
{
    FAKE_ENTER("cuEventQuery")
    if (!event) FAKE_LEAVE(fake_bad("cuEventQuery: NULL"));
    if (event->not_ready > 0) {
        event->not_ready--;
        FAKE_LEAVE(FAKE_CUDA_ERROR_NOT_READY);
    }
    FAKE_LEAVE(FAKE_CUDA_SUCCESS);
}

FAKE_API fake_CUresult cuEventSynchronize(fake_CUevent event)
{
    FAKE_ENTER("cuEventSynchronize")
    if (!event) FAKE_LEAVE(fake_bad("cuEventSynchronize: NULL"));
    fake_note_event_wait(event);
    event->not_ready = 0;
    FAKE_LEAVE(FAKE_CUDA_SUCCESS);
}

static fake_CUresult fake_elapsed(float *ms, fake_CUevent a, fake_CUevent b)
{
    if (!ms || !a || !b) return FAKE_CUDA_ERROR_INVALID_VALUE;
    if (!a->recorded || !b->recorded) return 400; /* CUDA_ERROR_INVALID_HANDLE */
    *ms = (float)(b->ms - a->ms);
    return FAKE_CUDA_SUCCESS;
}

FAKE_API fake_CUresult cuEventElapsedTime_v2(float *ms, fake_CUevent a, fake_CUevent b) { return fake_elapsed(ms, a, b); }
FAKE_API fake_CUresult cuEventElapsedTime(float *ms, fake_CUevent a, fake_CUevent b) { return fake_elapsed(ms, a, b); }

/* ---- kernels ---- */

/* The launch geometry kernels.cu documents beside each kernel: block 256,
   grid max(1, min(ceil(n_reads / per), cap)). */
static int fake_check_geometry(const char *name, void **p, unsigned grid_x, unsigned block_x)
{
    unsigned long long n, per = 8, cap = 65535, want;
    if (strcmp(name, "fqp_k_qc") == 0) {
        per = 64;
        cap = 1024;
        n = *(const unsigned long long *)p[3];
    } else if (strcmp(name, "fqp_k_trim") == 0) {
        n = *(const unsigned long long *)p[3];
    } else {
        n = *(const unsigned long long *)p[2];
    }
    want = (n + per - 1) / per;
    if (want < 1) want = 1;
    if (want > cap) want = cap;
    return block_x == 256 && grid_x == want;
}

/* Under fake_mu: the kernel's pointer arguments lie in device memory, with
   the extents the contract's signatures imply. */
static int fake_check_kernel_args(const char *name, void **p)
{
    const unsigned long long *off;
    unsigned long long n, bases;
    if (strcmp(name, "fqp_k_qc") == 0) {
        off = *(const unsigned long long **)p[2];
        n = *(const unsigned long long *)p[3];
        if (!fake_find(off, (size_t)(8 * (n + 1)), 0)) return 0;
        bases = off[n];
        return fake_find(*(void **)p[0], (size_t)bases, 0) && fake_find(*(void **)p[1], (size_t)bases, 0) &&
               fake_find(*(void **)p[5], 8, 0);
    }
    if (strcmp(name, "fqp_k_qual_prefix_sum") == 0) {
        off = *(const unsigned long long **)p[1];
        n = *(const unsigned long long *)p[2];
        if (!fake_find(off, (size_t)(8 * (n + 1)), 0)) return 0;
        bases = off[n];
        return fake_find(*(void **)p[0], (size_t)bases, 0) && fake_find(*(void **)p[3], (size_t)(8 * bases), 0);
    }
    if (strcmp(name, "fqp_k_trim") == 0) { /* seq (p[0]) may be NULL */
        off = *(const unsigned long long **)p[2];
        n = *(const unsigned long long *)p[3];
        if (!fake_find(off, (size_t)(8 * (n + 1)), 0)) return 0;
        bases = off[n];
        return (!*(void **)p[0] || fake_find(*(void **)p[0], (size_t)bases, 0)) &&
               fake_find(*(void **)p[1], (size_t)bases, 0) && fake_find(*(void **)p[8], (size_t)(16 * n), 0);
    }
    return 1;
}

FAKE_API fake_CUresult cuLaunchKernel(fake_CUfunction function, unsigned int grid_x, unsigned int grid_y,
                                     unsigned int grid_z, unsigned int block_x, unsigned int block_y,
                                     unsigned int block_z, unsigned int shared_bytes, fake_CUstream stream,
                                     void **params, void **extra)
{
    unsigned grid[3], block[3];
    long fail_at = fake_env_long("FAKE_CUDA_FAIL_LAUNCH_AT", 0), async_at = fake_env_long("FAKE_CUDA_ASYNC_FAIL_AT", 0);
    long emu_block = fake_env_long("FAKE_CUDA_EMU_BLOCK", 0);
    int rc;
    fake_ctx *ctx;
    FAKE_ENTER("cuLaunchKernel")
    if (fake_check_stream(stream, "cuLaunchKernel: bad stream") || !function || extra || !params)
        FAKE_LEAVE(fake_bad("cuLaunchKernel: bad arguments"));
    if (grid_x == 0 || grid_y == 0 || grid_z == 0 || block_x == 0 || block_y == 0 || block_z == 0 ||
        (unsigned long long)block_x * block_y * block_z > 1024)
        FAKE_LEAVE(fake_bad("cuLaunchKernel: bad launch geometry"));
    fake_stats.launches++;
    if (fail_at > 0 && (unsigned long)fail_at == fake_stats.launches) {
        fake_stats.injected++;
        fake_current->poison = FAKE_CUDA_ERROR_LAUNCH_FAILED;
        FAKE_LEAVE(FAKE_CUDA_ERROR_LAUNCH_FAILED);
    }
    if (!fake_check_kernel_args(function->name, params))
        FAKE_LEAVE(fake_bad("cuLaunchKernel: a pointer argument is outside device memory"));
    if (grid_y != 1 || grid_z != 1 || block_y != 1 || block_z != 1 || shared_bytes != 0 ||
        !fake_check_geometry(function->name, params, grid_x, block_x))
        FAKE_LEAVE(fake_bad("cuLaunchKernel: not the launch geometry kernels.cu documents"));
    ctx = fake_current;
    if (async_at > 0 && (unsigned long)async_at == fake_stats.launches) {
        fake_stats.injected++;
        ctx->poison = FAKE_CUDA_ERROR_LAUNCH_FAILED;
    }
    fake_stats.kernel_runs++;
    pthread_mutex_unlock(&fake_mu);
    grid[0] = grid_x; grid[1] = grid_y; grid[2] = grid_z;
    block[0] = block_x; block[1] = block_y; block[2] = block_z;
    if (emu_block > 0) { /* every kernel is grid-stride over warps: any shape gives the same result */
        grid[0] = 1;
        block[0] = (unsigned)emu_block;
    }
    pthread_mutex_lock(&fake_launch_mu);
    rc = fqp_emu_launch(function->name, grid, block, shared_bytes, params);
    pthread_mutex_unlock(&fake_launch_mu);
    if (rc != 0) {
        pthread_mutex_lock(&fake_mu);
        FAKE_LEAVE(fake_bad("cuLaunchKernel: the emulation does not know this kernel"));
    }
    return FAKE_CUDA_SUCCESS;
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
