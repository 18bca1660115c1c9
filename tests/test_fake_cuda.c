/* tests/test_fake_cuda.c - the fake CUDA driver (tests/fake_cuda.c,
   build/libfakecuda.so) behaves like a real one where fastqpar_cuda.h could
   get it wrong, driven directly through its exported entry points:
     - deferred stream work (FAKE_CUDA_DEFER, the default): a result read
       before the sync is stale; staging rewritten before the upload ran is
       what arrives; events are not ready at the first query, then run the
       work before their record, in stream order; frees and
       cuCtxSynchronize wait for the work issued before them; and the
       immediate mode (FAKE_CUDA_DEFER=0) runs each call at once
     - kernel parameters: count and sizes read from the PTX .param lists,
       copied at the launch (the caller may reuse its variables); a NULL
       kernelParams or a missing entry fails; a name without an .entry is
       CUDA_ERROR_NOT_FOUND
     - the JIT's PTX version: newer than the driver's ISA is
       CUDA_ERROR_UNSUPPORTED_PTX_VERSION (FAKE_CUDA_PTX_MAX,
       FAKE_CUDA_DRIVER_VERSION)
     - after a sticky error every free fails with it; the last release of
       the primary context frees those objects and clears it
     - handles of another context (or destroyed ones): CUDA_ERROR_INVALID_HANDLE;
       no current context: CUDA_ERROR_INVALID_CONTEXT; device pointers of
       another context are fine (unified addressing). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* setenv */
#endif
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/fake_cuda.h"
#include "tests/test.h"

/* The fake's entry points, looked up by name like a program would. */
#define FN_TYPE(symbol, params) typedef fake_CUresult (*pfn_##symbol) params;
FAKE_CUDA_DRIVER_LIST(FN_TYPE)
FAKE_CUDA_EXTRA_LIST(FN_TYPE)
#undef FN_TYPE
#define FN_FIELD(symbol, params) pfn_##symbol symbol;
static struct {
    FAKE_CUDA_DRIVER_LIST(FN_FIELD)
    FAKE_CUDA_EXTRA_LIST(FN_FIELD)
    fake_cuda_stats_fn stats;
    fake_cuda_reset_fn reset;
    fake_cuda_params_fn params;
} cu;
#undef FN_FIELD

static void *lib;

static void *sym(const char *name)
{
    void *p = dlsym(lib, name);
    if (!p) fprintf(stderr, "  no symbol %s in the fake driver\n", name);
    return p;
}

static int load(const char *path)
{
    void *p;
    if (!(lib = dlopen(path, RTLD_NOW))) {
        fprintf(stderr, "  cannot load %s: %s\n", path, dlerror());
        return 0;
    }
#define FN_LOAD(symbol, params) \
    if (!(p = sym(#symbol))) return 0; \
    memcpy(&cu.symbol, &p, sizeof p);
    FAKE_CUDA_DRIVER_LIST(FN_LOAD)
    FAKE_CUDA_EXTRA_LIST(FN_LOAD)
#undef FN_LOAD
    if (!(p = sym("fake_cuda_stats_get"))) return 0;
    memcpy(&cu.stats, &p, sizeof p);
    if (!(p = sym("fake_cuda_reset"))) return 0;
    memcpy(&cu.reset, &p, sizeof p);
    if (!(p = sym("fake_cuda_params"))) return 0;
    memcpy(&cu.params, &p, sizeof p);
    return 1;
}

static fake_cuda_stats stats(void)
{
    fake_cuda_stats s;
    cu.stats(&s);
    return s;
}

/* Nothing live, nothing misused (beyond `bad` expected misuses), nothing leaked. */
static void check_clean(unsigned long bad)
{
    fake_cuda_stats s = stats();
    CHECK_EQ_INT(s.device_allocs, 0);
    CHECK_EQ_INT(s.host_allocs, 0);
    CHECK_EQ_INT(s.streams, 0);
    CHECK_EQ_INT(s.events, 0);
    CHECK_EQ_INT(s.modules, 0);
    CHECK_EQ_INT(s.context_refs, 0);
    CHECK_EQ_U64(s.bad_calls, bad);
    CHECK_EQ_U64(s.freed_by_context_release, 0);
}

/* The kernels' parameter lists as kernels.ptx declares them (the fake runs
   the emulated kernel of the same name). */
static const char ptx_kernels[] =
    "//\n// a comment: .entry fqp_k_not_here(\n//\n"
    ".version 6.4\n.target sm_75\n.address_size 64\n"
    ".visible .entry fqp_k_qual_prefix_sum(\n"
    "\t.param .u64 fqp_k_qual_prefix_sum_param_0,\n\t.param .u64 fqp_k_qual_prefix_sum_param_1,\n"
    "\t.param .u64 fqp_k_qual_prefix_sum_param_2,\n\t.param .u64 fqp_k_qual_prefix_sum_param_3\n)\n{\n\tret;\n}\n";

/* One context with a stream, two events, the module above, and buffers. */
typedef struct rig {
    fake_CUcontext ctx;
    fake_CUstream s;
    fake_CUevent ev[2];
    fake_CUmodule mod;
    fake_CUfunction prefix;
    fake_CUdeviceptr d;            /* 128 bytes */
    unsigned char *h_in, *h_out;   /* pinned, 128 bytes each */
} rig;

static int rig_open(rig *r, int device)
{
    memset(r, 0, sizeof *r);
    if (cu.cuDevicePrimaryCtxRetain(&r->ctx, device) || cu.cuCtxSetCurrent(r->ctx) ||
        cu.cuStreamCreate(&r->s, FAKE_CU_STREAM_NON_BLOCKING) || cu.cuEventCreate(&r->ev[0], 0) ||
        cu.cuEventCreate(&r->ev[1], 0) || cu.cuModuleLoadData(&r->mod, ptx_kernels) ||
        cu.cuModuleGetFunction(&r->prefix, r->mod, "fqp_k_qual_prefix_sum") || cu.cuMemAlloc_v2(&r->d, 128) ||
        cu.cuMemAllocHost_v2((void **)&r->h_in, 128) || cu.cuMemAllocHost_v2((void **)&r->h_out, 128))
        return 0;
    memset(r->h_in, 0, 128);
    memset(r->h_out, 0, 128);
    return 1;
}

static void rig_close(rig *r, int device)
{
    cu.cuCtxSetCurrent(r->ctx);
    CHECK_EQ_INT(cu.cuMemFreeHost(r->h_out), 0);
    CHECK_EQ_INT(cu.cuMemFreeHost(r->h_in), 0);
    CHECK_EQ_INT(cu.cuMemFree_v2(r->d), 0);
    CHECK_EQ_INT(cu.cuModuleUnload(r->mod), 0);
    CHECK_EQ_INT(cu.cuEventDestroy_v2(r->ev[0]), 0);
    CHECK_EQ_INT(cu.cuEventDestroy_v2(r->ev[1]), 0);
    CHECK_EQ_INT(cu.cuStreamDestroy_v2(r->s), 0);
    CHECK_EQ_INT(cu.cuCtxSetCurrent(NULL), 0);
    CHECK_EQ_INT(cu.cuDevicePrimaryCtxRelease_v2(device), 0);
}

static void set_defer(int defer) { setenv("FAKE_CUDA_DEFER", defer ? "1" : "0", 1); }

/* ---- deferred stream work ---- */

/* A download read before the sync is stale when deferring (and only then). */
static void test_results_need_the_sync(void)
{
    int defer;
    for (defer = 1; defer >= 0; defer--) {
        rig r;
        set_defer(defer);
        cu.reset();
        REQUIRE(rig_open(&r, 0));
        memcpy(r.h_in, "uploaded", 9);
        CHECK_EQ_INT(cu.cuMemcpyHtoDAsync_v2(r.d, r.h_in, 9, r.s), 0);
        CHECK_EQ_INT(cu.cuMemcpyDtoHAsync_v2(r.h_out, r.d, 9, r.s), 0);
        if (defer) {
            CHECK(r.h_out[0] == 0); /* what a consumer reading early would see */
            CHECK(stats().deferred_ops == 2);
        } else {
            CHECK(memcmp(r.h_out, "uploaded", 9) == 0);
        }
        CHECK_EQ_INT(cu.cuStreamSynchronize(r.s), 0);
        CHECK(memcmp(r.h_out, "uploaded", 9) == 0);
        rig_close(&r, 0);
        check_clean(0);
    }
    unsetenv("FAKE_CUDA_DEFER");
}

/* An upload reads pinned staging when it runs: staging rewritten before the
   sync is what arrives (when deferring). A pageable source is staged at the
   call. A free waits for the work issued before it. */
static void test_upload_reads_staging_when_it_runs(void)
{
    int defer;
    for (defer = 1; defer >= 0; defer--) {
        rig r;
        char pageable[8];
        set_defer(defer);
        cu.reset();
        REQUIRE(rig_open(&r, 0));
        memcpy(r.h_in, "old", 4);
        CHECK_EQ_INT(cu.cuMemcpyHtoDAsync_v2(r.d, r.h_in, 4, r.s), 0);
        memcpy(r.h_in, "new", 4); /* the bug: the next batch packed before the upload finished */
        CHECK_EQ_INT(cu.cuMemcpyDtoHAsync_v2(r.h_out, r.d, 4, r.s), 0);
        CHECK_EQ_INT(cu.cuStreamSynchronize(r.s), 0);
        CHECK(memcmp(r.h_out, defer ? "new" : "old", 4) == 0);
        /* pageable: copied at the call, whatever the mode */
        memcpy(pageable, "page", 5);
        CHECK_EQ_INT(cu.cuMemcpyHtoDAsync_v2(r.d, pageable, 5, r.s), 0);
        memcpy(pageable, "gone", 5);
        CHECK_EQ_INT(cu.cuMemcpyDtoHAsync_v2(r.h_out, r.d, 5, r.s), 0);
        CHECK_EQ_INT(cu.cuStreamSynchronize(r.s), 0);
        CHECK(memcmp(r.h_out, "page", 5) == 0);
        CHECK_EQ_U64(stats().pageable_copies, 1);
        /* a free runs the work issued before it: the download lands first */
        memset(r.h_out, 0, 128);
        CHECK_EQ_INT(cu.cuMemcpyDtoHAsync_v2(r.h_out, r.d, 5, r.s), 0);
        {
            fake_CUdeviceptr extra;
            CHECK_EQ_INT(cu.cuMemAlloc_v2(&extra, 8), 0);
            CHECK_EQ_INT(cu.cuMemFree_v2(extra), 0);
        }
        CHECK(memcmp(r.h_out, "page", 5) == 0);
        rig_close(&r, 0);
        check_clean(0);
    }
    unsetenv("FAKE_CUDA_DEFER");
}

/* The first query after a record is not ready and runs nothing; the next
   runs the work before the record (in stream order), not the work after
   it; cuEventSynchronize likewise; elapsed time needs both events done. */
static void test_events_in_stream_order(void)
{
    int defer;
    for (defer = 1; defer >= 0; defer--) {
        rig r;
        float ms = -1;
        int i;
        set_defer(defer);
        cu.reset();
        REQUIRE(rig_open(&r, 0));
        memcpy(r.h_in, "first", 6);
        memset(r.h_out + 32, 0xEE, 6);
        CHECK_EQ_INT(cu.cuMemcpyHtoDAsync_v2(r.d, r.h_in, 6, r.s), 0);
        CHECK_EQ_INT(cu.cuMemcpyDtoHAsync_v2(r.h_out, r.d, 6, r.s), 0);
        CHECK_EQ_INT(cu.cuEventRecord(r.ev[0], r.s), 0);
        CHECK_EQ_INT(cu.cuMemsetD8Async(r.d, 0, 6, r.s), 0);
        CHECK_EQ_INT(cu.cuMemcpyDtoHAsync_v2(r.h_out + 32, r.d, 6, r.s), 0);
        CHECK_EQ_INT(cu.cuEventRecord(r.ev[1], r.s), 0);
        if (defer) {
            CHECK_EQ_INT(cu.cuEventQuery(r.ev[0]), FAKE_CUDA_ERROR_NOT_READY);
            CHECK(r.h_out[0] == 0); /* nothing ran */
            CHECK_EQ_INT(cu.cuEventElapsedTime_v2(&ms, r.ev[0], r.ev[1]), FAKE_CUDA_ERROR_NOT_READY);
        }
        CHECK_EQ_INT(cu.cuEventQuery(r.ev[0]), 0);
        CHECK(memcmp(r.h_out, "first", 6) == 0);
        CHECK(r.h_out[32] == (defer ? 0xEE : 0)); /* after the record: not yet when deferring */
        if (defer) CHECK_EQ_INT(cu.cuEventElapsedTime_v2(&ms, r.ev[0], r.ev[1]), FAKE_CUDA_ERROR_NOT_READY);
        CHECK_EQ_INT(cu.cuEventSynchronize(r.ev[1]), 0);
        CHECK(r.h_out[32] == 0 && r.h_out[37] == 0);
        CHECK_EQ_INT(cu.cuEventElapsedTime_v2(&ms, r.ev[0], r.ev[1]), 0);
        CHECK(ms >= 0);
        /* FAKE_CUDA_NOT_READY=n: n answers "not ready" per record */
        setenv("FAKE_CUDA_NOT_READY", "3", 1);
        CHECK_EQ_INT(cu.cuEventRecord(r.ev[0], r.s), 0);
        for (i = 0; i < 3; i++) CHECK_EQ_INT(cu.cuEventQuery(r.ev[0]), FAKE_CUDA_ERROR_NOT_READY);
        CHECK_EQ_INT(cu.cuEventQuery(r.ev[0]), 0);
        unsetenv("FAKE_CUDA_NOT_READY");
        /* cuCtxSynchronize runs every stream of the context */
        {
            fake_CUstream s2;
            CHECK_EQ_INT(cu.cuStreamCreate(&s2, FAKE_CU_STREAM_NON_BLOCKING), 0);
            memset(r.h_out, 0, 128);
            CHECK_EQ_INT(cu.cuMemcpyHtoDAsync_v2(r.d, r.h_in, 6, r.s), 0);
            CHECK_EQ_INT(cu.cuMemcpyDtoHAsync_v2(r.h_out, r.d, 6, r.s), 0);
            CHECK_EQ_INT(cu.cuMemsetD8Async(r.d + 64, 0x5A, 6, s2), 0);
            CHECK_EQ_INT(cu.cuMemcpyDtoHAsync_v2(r.h_out + 16, r.d + 64, 6, s2), 0);
            if (defer) CHECK(r.h_out[0] == 0 && r.h_out[16] == 0);
            CHECK_EQ_INT(cu.cuCtxSynchronize(), 0);
            CHECK(memcmp(r.h_out, "first", 6) == 0);
            CHECK(r.h_out[16] == 0x5A && r.h_out[21] == 0x5A);
            CHECK_EQ_INT(cu.cuStreamDestroy_v2(s2), 0);
        }
        rig_close(&r, 0);
        check_clean(0);
    }
    unsetenv("FAKE_CUDA_DEFER");
}

/* ---- kernel parameters from the PTX ---- */

static void test_params_from_ptx(void)
{
    static const char ptx_types[] =
        ".version 8.0\n.target sm_75\n.address_size 64\n"
        "/* block comment */ .visible .entry k_types(\n"
        "  .param .u64 a, .param .u32 b, .param .s32 c,\n  .param .f32 d,\n"
        "  .param .align 8 .b8 e[16], .param .u64 .ptr .global .align 1 f, .param .u8 g, .param .u16 h\n)\n{\n}\n"
        ".entry k_none\n{\n}\n.visible .entry k_empty()\n{\n}\n";
    static const size_t want[] = {8, 4, 4, 4, 16, 8, 1, 2};
    static const char ptx_stale[] = ".version 8.0\n.target sm_75\n"
                                    ".visible .entry fqp_k_qual_prefix_sum(.param .u64 a, .param .u64 b, .param .u64 c)\n"
                                    "{\n}\n";
    rig r;
    fake_CUmodule m, m2;
    fake_CUfunction f;
    size_t sizes[16];
    int i;
    cu.reset();
    REQUIRE(rig_open(&r, 0));
    CHECK_EQ_INT(cu.cuModuleLoadData(&m, ptx_types), 0);
    CHECK_EQ_INT(cu.cuModuleGetFunction(&f, m, "k_types"), 0);
    CHECK_EQ_INT(cu.params(f, sizes, 16), 8);
    for (i = 0; i < 8; i++) CHECK_EQ_U64(sizes[i], want[i]);
    CHECK_EQ_INT(cu.cuModuleGetFunction(&f, m, "k_none"), 0);
    CHECK_EQ_INT(cu.params(f, sizes, 16), 0);
    CHECK_EQ_INT(cu.cuModuleGetFunction(&f, m, "k_empty"), 0);
    CHECK_EQ_INT(cu.params(f, sizes, 16), 0);
    CHECK_EQ_INT(cu.cuModuleGetFunction(&f, m, "k_typ"), FAKE_CUDA_ERROR_NOT_FOUND);
    CHECK_EQ_INT(cu.cuModuleGetFunction(&f, r.mod, "fqp_k_not_here"), FAKE_CUDA_ERROR_NOT_FOUND); /* a comment */
    CHECK_EQ_INT(cu.cuModuleUnload(m), 0);
    CHECK_EQ_INT(cu.params(r.prefix, sizes, 16), 4);
    /* PTX of an older kernels.cu: the fake will not launch it with today's contract */
    CHECK_EQ_INT(cu.cuModuleLoadData(&m2, ptx_stale), 0);
    CHECK_EQ_INT(cu.cuModuleGetFunction(&f, m2, "fqp_k_qual_prefix_sum"), 0);
    {
        fake_CUdeviceptr a = r.d, b = r.d, c = 0;
        void *args[3];
        args[0] = &a; args[1] = &b; args[2] = &c;
        CHECK_EQ_INT(cu.cuLaunchKernel(f, 1, 1, 1, 256, 1, 1, 0, r.s, args, NULL), FAKE_CUDA_ERROR_INVALID_VALUE);
    }
    CHECK_EQ_INT(cu.cuModuleUnload(m2), 0);
    rig_close(&r, 0);
    check_clean(1);
}

/* The launch copies its arguments: the caller's variables may change (or go
   out of scope) before the kernel runs. A NULL kernelParams, or one that
   ends early, fails. */
static void test_launch_copies_arguments(void)
{
    int defer;
    setenv("FAKE_CUDA_EMU_BLOCK", "32", 1);
    for (defer = 1; defer >= 0; defer--) {
        rig r;
        fake_CUdeviceptr d_qual, d_off, d_out;
        unsigned long long n_reads = 2, off[3] = {0, 3, 5}, out[5];
        static const unsigned long long want[5] = {40, 42, 62, 10, 10};
        void *args[4], *short_args[4];
        set_defer(defer);
        cu.reset();
        REQUIRE(rig_open(&r, 0));
        memcpy(r.h_in, "I#5+!", 5);               /* Phred 40 2 20 | 10 0 */
        memcpy(r.h_in + 8, off, sizeof off);
        d_qual = r.d;
        d_off = r.d + 8;
        d_out = r.d + 32;
        CHECK_EQ_INT(cu.cuMemcpyHtoDAsync_v2(r.d, r.h_in, 32, r.s), 0);
        args[0] = &d_qual; args[1] = &d_off; args[2] = &n_reads; args[3] = &d_out;
        CHECK_EQ_INT(cu.cuLaunchKernel(r.prefix, 1, 1, 1, 256, 1, 1, 0, r.s, NULL, NULL),
                     FAKE_CUDA_ERROR_INVALID_VALUE);
        memcpy(short_args, args, sizeof args);
        short_args[3] = NULL; /* one argument short */
        CHECK_EQ_INT(cu.cuLaunchKernel(r.prefix, 1, 1, 1, 256, 1, 1, 0, r.s, short_args, NULL),
                     FAKE_CUDA_ERROR_INVALID_VALUE);
        CHECK_EQ_INT(cu.cuLaunchKernel(r.prefix, 1, 1, 1, 256, 1, 1, 0, r.s, args, NULL), 0);
        n_reads = 0;      /* reused at once: the kernel must still see 2 */
        d_out = 8;        /* and its output pointer */
        CHECK_EQ_INT(cu.cuMemcpyDtoHAsync_v2(r.h_out, r.d + 32, 40, r.s), 0);
        CHECK_EQ_INT(cu.cuStreamSynchronize(r.s), 0);
        memcpy(out, r.h_out, sizeof out);
        CHECK(memcmp(out, want, sizeof want) == 0);
        CHECK_EQ_U64(stats().kernel_runs, 1);
        rig_close(&r, 0);
        check_clean(2);
    }
    unsetenv("FAKE_CUDA_DEFER");
    unsetenv("FAKE_CUDA_EMU_BLOCK");
}

/* ---- the JIT's PTX version ---- */

static fake_CUresult load_version(const char *version, char *log, size_t log_size)
{
    char ptx[256];
    fake_CUmodule m = NULL;
    fake_CUjit_option opts[2] = {FAKE_CU_JIT_ERROR_LOG_BUFFER, FAKE_CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
    void *vals[2];
    fake_CUresult rc;
    vals[0] = log;
    vals[1] = (void *)(uintptr_t)log_size;
    log[0] = 0;
    snprintf(ptx, sizeof ptx, "//\n.version %s\n.target sm_75\n.address_size 64\n.visible .entry k()\n{\n}\n", version);
    rc = cu.cuModuleLoadDataEx(&m, ptx, 2, opts, vals);
    if (rc == 0) CHECK_EQ_INT(cu.cuModuleUnload(m), 0);
    else CHECK(m == NULL);
    return rc;
}

static void test_ptx_version(void)
{
    fake_CUcontext ctx;
    char log[512];
    int v = 0;
    cu.reset();
    REQUIRE(cu.cuDevicePrimaryCtxRetain(&ctx, 0) == 0 && cu.cuCtxSetCurrent(ctx) == 0);
    CHECK_EQ_INT(cu.cuDriverGetVersion(&v), 0);
    CHECK_EQ_INT(v, 13000);
    CHECK_EQ_INT(load_version("9.0", log, sizeof log), 0); /* the default driver takes today's kernels.ptx */
    CHECK_EQ_INT(load_version("9.1", log, sizeof log), FAKE_CUDA_ERROR_UNSUPPORTED_PTX_VERSION);
    setenv("FAKE_CUDA_PTX_MAX", "6.4", 1);
    CHECK_EQ_INT(load_version("9.0", log, sizeof log), FAKE_CUDA_ERROR_UNSUPPORTED_PTX_VERSION);
    CHECK(strstr(log, "Unsupported .version 9.0; current version is '6.4'") != NULL);
    CHECK_EQ_INT(load_version("6.4", log, sizeof log), 0);
    CHECK_EQ_INT(load_version("6.5", log, sizeof log), FAKE_CUDA_ERROR_UNSUPPORTED_PTX_VERSION);
    unsetenv("FAKE_CUDA_PTX_MAX");
    setenv("FAKE_CUDA_DRIVER_VERSION", "12040", 1); /* CUDA 12.4: PTX ISA 8.4 */
    CHECK_EQ_INT(cu.cuDriverGetVersion(&v), 0);
    CHECK_EQ_INT(v, 12040);
    CHECK_EQ_INT(load_version("8.4", log, sizeof log), 0);
    CHECK_EQ_INT(load_version("8.5", log, sizeof log), FAKE_CUDA_ERROR_UNSUPPORTED_PTX_VERSION);
    CHECK(strstr(log, "current version is '8.4'") != NULL);
    setenv("FAKE_CUDA_DRIVER_VERSION", "10010", 1); /* CUDA 10.1: PTX ISA 6.4 */
    CHECK_EQ_INT(load_version("6.4", log, sizeof log), 0);
    CHECK_EQ_INT(load_version("7.0", log, sizeof log), FAKE_CUDA_ERROR_UNSUPPORTED_PTX_VERSION);
    unsetenv("FAKE_CUDA_DRIVER_VERSION");
    CHECK_EQ_INT(load_version("x", log, sizeof log), FAKE_CUDA_ERROR_INVALID_PTX);
    CHECK_EQ_INT(cu.cuCtxSetCurrent(NULL), 0);
    CHECK_EQ_INT(cu.cuDevicePrimaryCtxRelease_v2(0), 0);
    check_clean(0);
}

/* ---- sticky errors ---- */

/* A kernel faults (reported at the sync when deferring, at the next call
   otherwise): every call fails with the sticky error, the frees too, and
   the objects stay live; the last release of the primary context frees
   them (no leak), and a new retain gets a working context. */
static void test_frees_fail_after_a_fault(void)
{
    int defer;
    setenv("FAKE_CUDA_EMU_BLOCK", "32", 1);
    for (defer = 1; defer >= 0; defer--) {
        rig r;
        fake_CUdeviceptr d_off, d2;
        unsigned long long n_reads = 0;
        void *args[4];
        fake_cuda_stats s;
        set_defer(defer);
        setenv("FAKE_CUDA_ASYNC_FAIL_AT", "1", 1);
        setenv("FAKE_CUDA_ASYNC_FAIL_CODE", "700", 1); /* CUDA_ERROR_ILLEGAL_ADDRESS */
        cu.reset();
        REQUIRE(rig_open(&r, 0));
        d_off = r.d;
        CHECK_EQ_INT(cu.cuMemcpyHtoDAsync_v2(r.d, r.h_in, 8, r.s), 0);
        args[0] = &r.d; args[1] = &d_off; args[2] = &n_reads; args[3] = &d_off;
        CHECK_EQ_INT(cu.cuLaunchKernel(r.prefix, 1, 1, 1, 256, 1, 1, 0, r.s, args, NULL), 0); /* faults later */
        CHECK_EQ_INT(cu.cuStreamSynchronize(r.s), FAKE_CUDA_ERROR_ILLEGAL_ADDRESS);
        CHECK_EQ_INT(cu.cuMemAlloc_v2(&d2, 8), FAKE_CUDA_ERROR_ILLEGAL_ADDRESS);
        CHECK_EQ_INT(cu.cuMemFreeHost(r.h_out), FAKE_CUDA_ERROR_ILLEGAL_ADDRESS);
        CHECK_EQ_INT(cu.cuMemFreeHost(r.h_in), FAKE_CUDA_ERROR_ILLEGAL_ADDRESS);
        CHECK_EQ_INT(cu.cuMemFree_v2(r.d), FAKE_CUDA_ERROR_ILLEGAL_ADDRESS);
        CHECK_EQ_INT(cu.cuModuleUnload(r.mod), FAKE_CUDA_ERROR_ILLEGAL_ADDRESS);
        CHECK_EQ_INT(cu.cuEventDestroy_v2(r.ev[0]), FAKE_CUDA_ERROR_ILLEGAL_ADDRESS);
        CHECK_EQ_INT(cu.cuEventDestroy_v2(r.ev[1]), FAKE_CUDA_ERROR_ILLEGAL_ADDRESS);
        CHECK_EQ_INT(cu.cuStreamDestroy_v2(r.s), FAKE_CUDA_ERROR_ILLEGAL_ADDRESS);
        CHECK_EQ_INT(cu.cuMemFree_v2(r.d), FAKE_CUDA_ERROR_ILLEGAL_ADDRESS); /* a retry: the same */
        s = stats();
        CHECK_EQ_INT(s.device_allocs, 1); /* still there: the context is broken, not destroyed */
        CHECK_EQ_INT(s.host_allocs, 2);
        CHECK_EQ_INT(s.streams + s.events + s.modules, 4);
        CHECK_EQ_U64(s.kernel_runs, 0);   /* the faulting kernel produced nothing */
        CHECK_EQ_INT(cu.cuCtxSetCurrent(NULL), 0);
        CHECK_EQ_INT(cu.cuDevicePrimaryCtxRelease_v2(0), 0);
        s = stats();
        CHECK_EQ_U64(s.reclaimed_after_fault, 7);
        check_clean(0);
        /* the next retain: a fresh context */
        unsetenv("FAKE_CUDA_ASYNC_FAIL_AT");
        REQUIRE(rig_open(&r, 0));
        rig_close(&r, 0);
        check_clean(0);
    }
    unsetenv("FAKE_CUDA_ASYNC_FAIL_CODE");
    unsetenv("FAKE_CUDA_DEFER");
    unsetenv("FAKE_CUDA_EMU_BLOCK");
}

/* ---- handles and the current context ---- */

static void test_handles_of_another_context(void)
{
    rig r0, r1;
    fake_CUdeviceptr d;
    fake_CUstream gone;
    unsigned long bad;
    void *args[4];
    fake_CUdeviceptr a = 0;
    unsigned long long n = 0;
    setenv("FAKE_CUDA_DEVICES", "2", 1);
    cu.reset();
    REQUIRE(rig_open(&r0, 0));
    REQUIRE(rig_open(&r1, 1));   /* device 1's context is current now */
    args[0] = &a; args[1] = &a; args[2] = &n; args[3] = &a;
    CHECK_EQ_INT(cu.cuStreamSynchronize(r0.s), FAKE_CUDA_ERROR_INVALID_HANDLE);
    CHECK_EQ_INT(cu.cuMemcpyHtoDAsync_v2(r1.d, r1.h_in, 8, r0.s), FAKE_CUDA_ERROR_INVALID_HANDLE);
    CHECK_EQ_INT(cu.cuMemsetD8Async(r1.d, 0, 8, r0.s), FAKE_CUDA_ERROR_INVALID_HANDLE);
    CHECK_EQ_INT(cu.cuEventRecord(r1.ev[0], r0.s), FAKE_CUDA_ERROR_INVALID_HANDLE); /* the stream is not current */
    CHECK_EQ_INT(cu.cuEventQuery(r0.ev[0]), FAKE_CUDA_ERROR_INVALID_HANDLE);
    CHECK_EQ_INT(cu.cuEventSynchronize(r0.ev[0]), FAKE_CUDA_ERROR_INVALID_HANDLE);
    CHECK_EQ_INT(cu.cuLaunchKernel(r0.prefix, 1, 1, 1, 256, 1, 1, 0, r1.s, args, NULL),
                 FAKE_CUDA_ERROR_INVALID_HANDLE);
    CHECK_EQ_INT(cu.cuModuleGetFunction(&r1.prefix, r0.mod, "fqp_k_qual_prefix_sum"), FAKE_CUDA_ERROR_INVALID_HANDLE);
    bad = 8;
    /* device memory of the other context: fine (unified addressing) */
    CHECK_EQ_INT(cu.cuMemcpyHtoDAsync_v2(r0.d, r1.h_in, 8, r1.s), 0);
    CHECK_EQ_INT(cu.cuStreamSynchronize(r1.s), 0);
    /* the stream's context current, the event's not */
    CHECK_EQ_INT(cu.cuCtxSetCurrent(r0.ctx), 0);
    CHECK_EQ_INT(cu.cuEventRecord(r1.ev[0], r0.s), FAKE_CUDA_ERROR_INVALID_HANDLE);
    bad++;
    /* a destroyed stream */
    CHECK_EQ_INT(cu.cuStreamCreate(&gone, 0), 0);
    CHECK_EQ_INT(cu.cuStreamDestroy_v2(gone), 0);
    CHECK_EQ_INT(cu.cuStreamSynchronize(gone), FAKE_CUDA_ERROR_INVALID_HANDLE);
    bad++;
    /* no current context */
    CHECK_EQ_INT(cu.cuCtxSetCurrent(NULL), 0);
    CHECK_EQ_INT(cu.cuStreamSynchronize(r0.s), FAKE_CUDA_ERROR_INVALID_CONTEXT);
    CHECK_EQ_INT(cu.cuMemAlloc_v2(&d, 8), FAKE_CUDA_ERROR_INVALID_CONTEXT);
    CHECK_EQ_INT(cu.cuMemFree_v2(r0.d), FAKE_CUDA_ERROR_INVALID_CONTEXT);
    CHECK_EQ_INT(cu.cuEventDestroy_v2(r0.ev[0]), FAKE_CUDA_ERROR_INVALID_CONTEXT);
    bad += 4;
    CHECK_EQ_U64(stats().bad_calls, bad);
    rig_close(&r1, 1);
    rig_close(&r0, 0);
    check_clean(bad);
    unsetenv("FAKE_CUDA_DEVICES");
}

int main(void)
{
    const char *build = getenv("FQP_BUILD");
    char path[4096];
    snprintf(path, sizeof path, "%s/libfakecuda.so", build && *build ? build : "build");
    if (path[0] != '/') { /* dlopen needs a '/' to take it as a path */
        char cwd[2048], tmp[2048 + sizeof path];
        size_t n;
        if (getcwd(cwd, sizeof cwd)) {
            n = (size_t)snprintf(tmp, sizeof tmp, "%s/%s", cwd, path);
            if (n < sizeof path) memcpy(path, tmp, n + 1);
        }
    }
    {
        static const char *const vars[] = {"FAKE_CUDA_DEFER", "FAKE_CUDA_NOT_READY", "FAKE_CUDA_PTX_MAX",
                                           "FAKE_CUDA_DRIVER_VERSION", "FAKE_CUDA_DEVICES", "FAKE_CUDA_CC",
                                           "FAKE_CUDA_FAIL_ALLOC_AT", "FAKE_CUDA_FAIL_LAUNCH_AT",
                                           "FAKE_CUDA_ASYNC_FAIL_AT", "FAKE_CUDA_ASYNC_FAIL_CODE",
                                           "FAKE_CUDA_FAIL_CALL", "FAKE_CUDA_FAIL_MODULE", "FAKE_CUDA_EMU_BLOCK"};
        size_t i;
        for (i = 0; i < sizeof vars / sizeof vars[0]; i++) unsetenv(vars[i]);
    }
    if (!load(path) || cu.cuInit(0) != 0) {
        printf("FAIL test_fake_cuda: cannot load the fake driver %s (make %s)\n", path, path);
        return 1;
    }
    RUN(test_results_need_the_sync);
    RUN(test_upload_reads_staging_when_it_runs);
    RUN(test_events_in_stream_order);
    RUN(test_params_from_ptx);
    RUN(test_launch_copies_arguments);
    RUN(test_ptx_version);
    RUN(test_frees_fail_after_a_fault);
    RUN(test_handles_of_another_context);
    TEST_EXIT();
}
