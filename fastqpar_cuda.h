/* fastqpar_cuda.h - v0.1.0 - GPU consumers for fastqpar.h on the CUDA driver API - public domain or MIT (see end of file)

   Adds GPU consumers to a fastqpar pipeline: they take batches from the same
   queue as the CPU consumers, upload them, run precompiled kernels (QC
   statistics, quality prefix sums, quality trimming) and hand results back.
   No CUDA toolkit or header is needed to build: the driver (libcuda.so.1) is
   loaded at run time, and a program built with this header runs unchanged on
   machines with and without a GPU.

   DO THIS in exactly one C file (it brings fastqpar.h's implementation too):

       #define FASTQPAR_IMPLEMENTATION
       #include "fastqpar_cuda.h"

   Every other file includes "fastqpar_cuda.h" (or "fastqpar.h") without the
   define. Link with -ldl (glibc < 2.34) besides fastqpar.h's -lz -lpthread.

   A COMPLETE EXAMPLE: QC statistics on every CPU core plus every GPU.

       #define FASTQPAR_IMPLEMENTATION
       #include "fastqpar_cuda.h"
       #include <stdio.h>

       static fqp_result init(void *state, int consumer, void *user) {
           (void)consumer; (void)user;
           return fqp_qc_init((fqp_qc *)state, 0, NULL);   // 0: max_pos 1000
       }
       static fqp_result process(fqp_batch *b, void *state, void *user) {
           (void)user;
           fqp_qc_add_batch((fqp_qc *)state, b);          // the CPU twin
           return FQP_OK;
       }
       static fqp_result merge(void *state, int consumer, void *user) {
           (void)consumer;
           fqp_qc_add_counts((fqp_qc *)user, ((fqp_qc *)state)->counts);
           return FQP_OK;
       }
       static void fini(void *state, int consumer, void *user) {
           (void)consumer; (void)user;
           fqp_qc_free((fqp_qc *)state);
       }
       int main(int argc, char **argv) {
           fqp_qc total;
           fqp_cuda *gpu = NULL;
           fqp_cuda_desc gd = {0};                // zero means defaults: QC kernel
           fqp_custom_consumer cc[16];
           fqp_pipeline_desc d = {0};
           fqp_error err;
           fqp_result r;
           fqp_qc_init(&total, 0, NULL);
           d.input.path = argc > 1 ? argv[1] : "-";
           gd.config = &d.config;                 // sizes the GPU buffers like the batches
           if ((r = fqp_cuda_open(&gpu, &gd, &err)) == FQP_OK) {
               d.custom = cc;
               d.custom_count = fqp_cuda_consumers(gpu, cc, 16);
           } else if (fqp_cuda_mode(&gd) == FQP_GPU_FORCE) {
               fprintf(stderr, "%s\n", err.message);     // FASTQPAR_FORCE_GPU=1
               return 1;
           }                                      // else: CPU consumers only
           d.state_size = sizeof(fqp_qc);
           d.init = init; d.process = process; d.merge = merge; d.fini = fini;
           d.user = &total;
           r = fqp_pipeline_run(&d, NULL, &err);
           if (r == FQP_OK && gpu) r = fqp_cuda_qc(gpu, &total);  // what the GPUs counted
           fqp_cuda_close(gpu);
           if (r < 0) { fprintf(stderr, "%s\n", err.message); return 1; }
           printf("%llu reads, %llu bases\n", (unsigned long long)total.counts[FQP_QC_READS],
                  (unsigned long long)total.counts[FQP_QC_BASES]);
           fqp_qc_free(&total);
           return 0;
       }

   ENVIRONMENT (read in one place, fqp__cuda_resolve; a nonzero desc field wins)
       FASTQPAR_FORCE_CPU=1     never touch the driver: fqp_cuda_open returns
                                FQP_ERR_NO_GPU without loading anything
                                (wins over FASTQPAR_FORCE_GPU)
       FASTQPAR_FORCE_GPU=1     no usable GPU, or a GPU failing mid-run, is an
                                error instead of a fall-back to CPU consumers
       FASTQPAR_GPU_CONSUMERS   GPU consumers per device (default 1)
       FASTQPAR_PTX             a PTX file instead of the embedded kernels
       FASTQPAR_CUDA_LIBRARY    the driver library (default libcuda.so.1)

   WHAT IT DOES NOT DO
       Use the CUDA runtime (only the driver API), need nvcc to build, compile
       kernels at run time from CUDA C (the PTX is precompiled and embedded;
       the driver JIT-compiles it for the GPU), share device memory between
       consumers, Windows (there fqp_cuda_open returns FQP_ERR_NO_GPU).
       Load the driver into a fully static glibc program: libcuda needs the
       shared libc, so there fqp_cuda_open returns FQP_ERR_NO_GPU and the
       program runs on CPU consumers. To ship one binary for machines with
       and without GPUs, link everything statically except libc (e.g.
       -Wl,-Bstatic -lz -Wl,-Bdynamic).

   DESIGN: which thread runs what
       calling thread   fqp_cuda_open: loads the driver (once per process and
                        library path, thread-safe), finds devices, retains
                        each device's primary context, loads the PTX module
                        (once per device), and sets up every GPU consumer:
                        its streams, events, pinned staging buffers and
                        device buffers, all allocated here, once, and reused.
                        Any failure here is an ordinary result code and a
                        log line; the caller falls back to CPU consumers.
       GPU consumer     fqp_pipeline_run starts one thread per GPU consumer
       threads          (each counts against config.threads). Its run():
                          take batches (fqp_producer_take, blocking only when
                          it holds nothing), coalesce consecutive batches into
                          one upload ("group") up to coalesce_bytes or
                          coalesce_seconds, copy the group's sequences,
                          qualities and rebased offsets into a pinned staging
                          buffer, upload it with one async copy on the slot's
                          stream, launch the kernels, copy results back async.
                          `in_flight` slots (default 2), each with its own
                          stream and buffers, so the upload of group k+1
                          overlaps the kernels of group k.
                        on_results (if set) runs on this thread for each batch
                        before the batch is released.
       calling thread   after the run: fqp_cuda_qc adds the counts fetched
                        from the devices, fqp_cuda_metrics reads metrics,
                        fqp_cuda_close frees everything.

   CHECKPOINTS: nothing lost, nothing counted twice
       The QC kernel adds into counters in device memory (one array per
       slot). A checkpoint copies a slot's counters to the host, adds them to
       the consumer's total and zeroes them on the device, all in the slot's
       stream order; it moves only the counters that the reads since the
       last checkpoint can have touched (the fixed ones and the positions up
       to the longest read), so short reads cost little whatever max_pos.
       A batch is released (and its on_results called) only when a completed
       checkpoint covers it; until then the consumer holds it. A slot takes a
       checkpoint after every `checkpoint_groups` groups it ran (always 1
       with on_results or without QC), and every slot takes one when the
       input ends or when no batch is ready. So a consumer holds at most
       in_flight x checkpoint_groups x 64 batches (a group has at most 64)
       plus the group it is filling; fqp_cuda_consumers declares that as
       max_held. When a driver call fails mid-run, the consumer logs it,
       stops using its GPU (for the life of the context) and requeues
       (fqp_producer_requeue) every batch it holds: none of them is in a
       completed checkpoint, so the CPU consumers count each exactly once,
       and the consumer's total holds only completed checkpoints. It then
       returns FQP_OK, or the error under FORCE.

   MEMORY (per GPU consumer, both pinned host and device memory)
       in_flight x (2 x G + 8 x (R + 1)) bytes of staging, where G = the
       larger of coalesce_bytes / 2 and batch_bytes, R = the larger of
       batch_records and G / 32; plus 8 x G (prefix sums) and 16 x R (trim
       intervals) per slot when those kernels run; plus in_flight x 8 x
       fqp_qc_words(max_pos) for QC counters. A record longer than G grows
       its slot's buffers for that group.

   THREAD SAFETY
       fqp_cuda_open/close   any thread; each context is independent
       fqp_cuda_consumers    any thread; one pipeline run at a time per context
       fqp_cuda_qc/metrics/device: after the run (no GPU consumer running);
                             counters and metrics add up over the runs of a
                             context
       fqp_cuda_mode         any thread
       on_results            GPU consumer threads, several at once when there
                             are several GPU consumers (its `consumer`
                             argument tells them apart)

   CHANGES: see README.md. LICENSE: end of file.
*/
#ifndef FASTQPAR_CUDA_H
#define FASTQPAR_CUDA_H

#include "fastqpar.h"

#define FASTQPAR_CUDA_VERSION_STRING "0.1.0"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the CUDA driver subset, mirrored (no CUDA header needed) ----------- */

typedef int fqp_CUresult;                     /* CUresult: 0 = CUDA_SUCCESS */
typedef int fqp_CUdevice;
typedef int fqp_CUdevice_attribute;
typedef int fqp_CUjit_option;
typedef unsigned long long fqp_CUdeviceptr;   /* CUdeviceptr_v2 on 64-bit hosts */
typedef struct fqp_CUctx_st *fqp_CUcontext;
typedef struct fqp_CUmod_st *fqp_CUmodule;
typedef struct fqp_CUfunc_st *fqp_CUfunction;
typedef struct fqp_CUstream_st *fqp_CUstream;
typedef struct fqp_CUevent_st *fqp_CUevent;

#define FQP_CUDA_SUCCESS 0
#define FQP_CUDA_ERROR_INVALID_VALUE 1
#define FQP_CUDA_ERROR_OUT_OF_MEMORY 2
#define FQP_CUDA_ERROR_NOT_INITIALIZED 3
#define FQP_CUDA_ERROR_NO_DEVICE 100
#define FQP_CUDA_ERROR_INVALID_PTX 218
#define FQP_CUDA_ERROR_NOT_FOUND 500
#define FQP_CUDA_ERROR_NOT_READY 600
#define FQP_CUDA_ERROR_LAUNCH_FAILED 719
#define FQP_CUDA_ERROR_UNKNOWN 999
#define FQP_CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR 75
#define FQP_CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR 76
#define FQP_CU_JIT_INFO_LOG_BUFFER 3
#define FQP_CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES 4
#define FQP_CU_JIT_ERROR_LOG_BUFFER 5
#define FQP_CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES 6
#define FQP_CU_STREAM_NON_BLOCKING 1

/* Every entry point used: X(required, field, exported symbol, parameters).
   The exported `_v2` names are looked up explicitly (cuda.h maps the plain
   names to them with macros). A missing required symbol fails the load. */
#define FQP_CUDA_DRIVER_LIST(X)                                                                 \
    X(1, cuInit, cuInit, (unsigned int flags))                                                  \
    X(0, cuDriverGetVersion, cuDriverGetVersion, (int *version))                                \
    X(0, cuGetErrorName, cuGetErrorName, (fqp_CUresult error, const char **text))               \
    X(0, cuGetErrorString, cuGetErrorString, (fqp_CUresult error, const char **text))           \
    X(1, cuDeviceGetCount, cuDeviceGetCount, (int *count))                                      \
    X(1, cuDeviceGet, cuDeviceGet, (fqp_CUdevice *device, int ordinal))                         \
    X(0, cuDeviceGetName, cuDeviceGetName, (char *name, int len, fqp_CUdevice device))          \
    X(1, cuDeviceGetAttribute, cuDeviceGetAttribute,                                            \
      (int *value, fqp_CUdevice_attribute attribute, fqp_CUdevice device))                      \
    X(0, cuDeviceTotalMem, cuDeviceTotalMem_v2, (size_t *bytes, fqp_CUdevice device))           \
    X(1, cuDevicePrimaryCtxRetain, cuDevicePrimaryCtxRetain, (fqp_CUcontext *ctx, fqp_CUdevice device)) \
    X(1, cuDevicePrimaryCtxRelease, cuDevicePrimaryCtxRelease_v2, (fqp_CUdevice device))       \
    X(1, cuCtxSetCurrent, cuCtxSetCurrent, (fqp_CUcontext ctx))                                 \
    X(1, cuModuleLoadDataEx, cuModuleLoadDataEx,                                                \
      (fqp_CUmodule *module, const void *image, unsigned int n_options,                         \
       fqp_CUjit_option *options, void **values))                                               \
    X(1, cuModuleGetFunction, cuModuleGetFunction,                                              \
      (fqp_CUfunction *function, fqp_CUmodule module, const char *name))                        \
    X(1, cuModuleUnload, cuModuleUnload, (fqp_CUmodule module))                                 \
    X(1, cuMemAlloc, cuMemAlloc_v2, (fqp_CUdeviceptr *ptr, size_t bytes))                       \
    X(1, cuMemFree, cuMemFree_v2, (fqp_CUdeviceptr ptr))                                        \
    X(1, cuMemAllocHost, cuMemAllocHost_v2, (void **ptr, size_t bytes))                         \
    X(1, cuMemFreeHost, cuMemFreeHost, (void *ptr))                                             \
    X(1, cuMemcpyHtoDAsync, cuMemcpyHtoDAsync_v2,                                               \
      (fqp_CUdeviceptr dst, const void *src, size_t bytes, fqp_CUstream stream))                \
    X(1, cuMemcpyDtoHAsync, cuMemcpyDtoHAsync_v2,                                               \
      (void *dst, fqp_CUdeviceptr src, size_t bytes, fqp_CUstream stream))                      \
    X(1, cuMemsetD8Async, cuMemsetD8Async,                                                      \
      (fqp_CUdeviceptr dst, unsigned char value, size_t n, fqp_CUstream stream))                \
    X(1, cuStreamCreate, cuStreamCreate, (fqp_CUstream *stream, unsigned int flags))            \
    X(1, cuStreamDestroy, cuStreamDestroy_v2, (fqp_CUstream stream))                            \
    X(1, cuStreamSynchronize, cuStreamSynchronize, (fqp_CUstream stream))                       \
    X(1, cuEventCreate, cuEventCreate, (fqp_CUevent *event, unsigned int flags))                \
    X(1, cuEventRecord, cuEventRecord, (fqp_CUevent event, fqp_CUstream stream))                \
    X(1, cuEventQuery, cuEventQuery, (fqp_CUevent event))                                       \
    X(1, cuEventSynchronize, cuEventSynchronize, (fqp_CUevent event))                           \
    X(0, cuEventElapsedTime_v2, cuEventElapsedTime_v2, (float *ms, fqp_CUevent start, fqp_CUevent end)) \
    X(0, cuEventElapsedTime, cuEventElapsedTime, (float *ms, fqp_CUevent start, fqp_CUevent end)) \
    X(1, cuEventDestroy, cuEventDestroy_v2, (fqp_CUevent event))                                \
    X(1, cuLaunchKernel, cuLaunchKernel,                                                        \
      (fqp_CUfunction function, unsigned int grid_x, unsigned int grid_y, unsigned int grid_z,  \
       unsigned int block_x, unsigned int block_y, unsigned int block_z,                        \
       unsigned int shared_bytes, fqp_CUstream stream, void **params, void **extra))

/* fqp_PFN_cuInit etc.: the type of each entry point. */
#define FQP__CUDA_PFN(required, field, symbol, params) typedef fqp_CUresult (*fqp_PFN_##field) params;
FQP_CUDA_DRIVER_LIST(FQP__CUDA_PFN)
#undef FQP__CUDA_PFN

/* ---- public types ------------------------------------------------------- */

typedef struct fqp_cuda fqp_cuda;  /* the loaded driver, devices and GPU consumers */

typedef enum fqp_gpu_mode {
    FQP_GPU_AUTO = 0,   /* GPU consumers when a usable GPU exists, else CPU only */
    FQP_GPU_OFF = 1,    /* never touch the driver (= FASTQPAR_FORCE_CPU=1) */
    FQP_GPU_FORCE = 2   /* no usable GPU or a GPU failing is an error (= FASTQPAR_FORCE_GPU=1) */
} fqp_gpu_mode;

/* Kernels to run (fqp_cuda_desc.kernels). */
#define FQP_GPU_QC 1u          /* QC statistics into device counters: fqp_cuda_qc */
#define FQP_GPU_PREFIX_SUM 2u  /* per-base quality prefix sums: on_results */
#define FQP_GPU_TRIM 4u        /* per-read kept interval: on_results */

/* Results of one batch, valid during the on_results call only. */
typedef struct fqp_cuda_results {
    const uint64_t *prefix;    /* FQP_GPU_PREFIX_SUM: prefix[b->seq_off[i] + k], as
                                  fqp_qual_prefix_sum computes it; else NULL */
    const uint64_t *trim;      /* FQP_GPU_TRIM: trim[2*i], trim[2*i+1] = kept [start, end)
                                  of record i, as fqp_trim_batch computes it; else NULL */
} fqp_cuda_results;

/* GPU consumer thread, once per batch that this GPU finished, in the order
   the consumer took them, before the batch is released (so it may call
   fqp_batch_write). FQP_OK, FQP_STOP (ends the run early, as process() can),
   or an error (ends the run). Batches a GPU hands back never reach it: the
   CPU consumers' process() gets those. */
typedef fqp_result (*fqp_cuda_result_fn)(fqp_batch *batch, const fqp_cuda_results *results,
                                         int consumer, void *user);

/* Zero means default throughout. */
typedef struct fqp_cuda_desc {
    fqp_gpu_mode mode;          /* default: FASTQPAR_FORCE_CPU / FASTQPAR_FORCE_GPU, else AUTO */
    unsigned kernels;           /* FQP_GPU_* bits; default FQP_GPU_QC */
    uint32_t qc_max_pos;        /* fqp_qc layout of the QC counters; default 1000 */
    fqp_trim_desc trim;         /* FQP_GPU_TRIM: the rule and its parameters */
    fqp_cuda_result_fn on_results; /* needed for FQP_GPU_PREFIX_SUM and FQP_GPU_TRIM */
    void *user;                 /* passed to on_results */
    int consumers_per_device;   /* default FASTQPAR_GPU_CONSUMERS, else 1 */
    int max_devices;            /* default: every usable device */
    int in_flight;              /* groups in flight per consumer (slots); default 2 */
    uint64_t coalesce_bytes;    /* sequence + quality bytes per upload; default 4 MiB */
    double coalesce_seconds;    /* longest wait for more batches to fill an upload;
                                   default 0.001; negative: never wait */
    int checkpoint_groups;      /* groups per slot between QC checkpoints; default:
                                   1, or more when the QC counters are large compared
                                   with an upload (at most 8); forced to 1 with on_results */
    const fqp_config *config;   /* the pipeline's config: batch limits size the buffers,
                                   log and allocator are used when set here; default: none */
    const char *ptx_path;       /* default FASTQPAR_PTX, else the embedded PTX */
    const char *library;        /* default FASTQPAR_CUDA_LIBRARY, else "libcuda.so.1" */
    int ignore_env;             /* nonzero: read no environment variable */
    fqp_log_fn log;             /* default config->log; silent when neither */
    void *log_user;
} fqp_cuda_desc;

typedef struct fqp_cuda_device_info {
    int ordinal;                /* CUDA device ordinal */
    char name[256];
    int cc_major, cc_minor;     /* compute capability */
    uint64_t memory;            /* bytes, 0 if unknown */
    int consumers;              /* GPU consumers on it */
} fqp_cuda_device_info;

/* Per GPU consumer, accumulated over the runs it took part in. */
typedef struct fqp_cuda_consumer_metrics {
    int device;                 /* index into fqp_cuda_device() */
    uint64_t batches, records, bases;  /* finished (released) by this GPU consumer */
    uint64_t groups;            /* uploads; several batches when coalesced */
    uint64_t checkpoints;       /* QC counter fetches */
    uint64_t bytes_up, bytes_down;
    double kernel_seconds;      /* kernels, measured with events */
    double upload_seconds, download_seconds; /* copies, measured with events */
    double wait_seconds;        /* blocked for input while holding nothing */
    double wall_seconds;        /* inside run() */
    double busy_fraction;       /* 1 - wait_seconds / wall_seconds */
    uint64_t requeued;          /* batches handed back to CPU consumers */
    fqp_result status;          /* FQP_OK, or the failure that stopped this consumer */
    char message[FQP_ERROR_MESSAGE_MAX]; /* the failure, "" if none */
} fqp_cuda_consumer_metrics;

/* ---- public functions --------------------------------------------------- */

/* The mode fqp_cuda_open will use: desc->mode, else the environment. */
FASTQPAR_DEF fqp_gpu_mode fqp_cuda_mode(const fqp_cuda_desc *desc);

/* Loads the driver and the kernels and sets up the GPU consumers.
   FQP_OK, or with *out = NULL and a message in *err:
     FQP_ERR_NO_GPU   mode OFF, no driver library, a required symbol missing,
                      no device, no device of compute capability >= 7.5
     FQP_ERR_CUDA     a driver call failed (e.g. out of device memory)
     FQP_ERR_PTX      no PTX (embedded or file), or the module/kernel did not load;
                      the JIT error log is in the message
     FQP_ERR_INVALID_ARGUMENT, FQP_ERR_NOMEM
   Without FORCE the caller just runs CPU consumers; under FORCE the message
   says the GPU was required. Logged (warning, or error under FORCE). */
FASTQPAR_DEF fqp_result fqp_cuda_open(fqp_cuda **out, const fqp_cuda_desc *desc, fqp_error *err);

/* Fills out[0..max) with the GPU consumers for fqp_pipeline_desc.custom and
   returns how many it filled; with out == NULL returns how many there are.
   Each takes one thread of config.threads. */
FASTQPAR_DEF int fqp_cuda_consumers(fqp_cuda *ctx, fqp_custom_consumer *out, int max);

/* After the run: adds what the GPU consumers counted (every completed
   checkpoint) into `into`, whose max_pos must equal desc.qc_max_pos.
   FQP_OK or FQP_ERR_INVALID_ARGUMENT (QC not enabled, layout differs). */
FASTQPAR_DEF fqp_result fqp_cuda_qc(fqp_cuda *ctx, fqp_qc *into);

/* GPU consumer i (0-based, in fqp_cuda_consumers order): its metrics.
   FQP_OK or FQP_ERR_INVALID_ARGUMENT. */
FASTQPAR_DEF fqp_result fqp_cuda_metrics(fqp_cuda *ctx, int consumer, fqp_cuda_consumer_metrics *out);

/* Devices in use: their number, and device i's description. */
FASTQPAR_DEF int fqp_cuda_device_count(fqp_cuda *ctx);
FASTQPAR_DEF fqp_result fqp_cuda_device(fqp_cuda *ctx, int i, fqp_cuda_device_info *out);

/* Frees every buffer, stream, event and module and releases the primary
   contexts. NULL is fine. The driver library stays loaded. */
FASTQPAR_DEF void fqp_cuda_close(fqp_cuda *ctx);

#ifdef __cplusplus
}
#endif
#endif /* FASTQPAR_CUDA_H */

/* ======================================================================= */
/*                            IMPLEMENTATION                               */
/* ======================================================================= */
#if defined(FASTQPAR_IMPLEMENTATION) && !defined(FASTQPAR_CUDA_IMPLEMENTATION_DONE)
#define FASTQPAR_CUDA_IMPLEMENTATION_DONE
#include "fastqpar.h" /* its implementation, if an earlier include of this header skipped it */

#if defined(__unix__) || defined(__APPLE__)
#include <dlfcn.h>
#define FQP__CUDA_DLOPEN 1
#endif

/* ---- cuda: the embedded kernels ----
   Generated by `make ptx` (tests/embed_ptx.sh) from kernels.ptx: the lines
   between the markers are replaced. Pieces are concatenated at load time. */
/* BEGIN EMBEDDED PTX (make ptx) */
static const char *const fqp__cuda_ptx[] = { NULL };
/* END EMBEDDED PTX */

/* ---- cuda: loading the driver ---- */

typedef struct fqp__cuda_api {
#define FQP__CUDA_FIELD(required, field, symbol, params) fqp_PFN_##field field;
    FQP_CUDA_DRIVER_LIST(FQP__CUDA_FIELD)
#undef FQP__CUDA_FIELD
} fqp__cuda_api;

typedef struct fqp__cuda_symbol {
    const char *name;
    size_t offset;
    int required;
} fqp__cuda_symbol;

static const fqp__cuda_symbol fqp__cuda_symbols[] = {
#define FQP__CUDA_SYM(required, field, symbol, params) {#symbol, offsetof(fqp__cuda_api, field), required},
    FQP_CUDA_DRIVER_LIST(FQP__CUDA_SYM)
#undef FQP__CUDA_SYM
};

/* One loaded driver library, kept for the life of the process (unloading
   libcuda while its threads run is unsafe, so nobody does it). */
typedef struct fqp__cuda_lib {
    struct fqp__cuda_lib *next;
    char *path;
    void *handle;
    fqp__cuda_api api;
    int version;                /* cuDriverGetVersion, 0 if unknown */
} fqp__cuda_lib;

/* Tests (same translation unit) may replace symbol lookup to simulate a
   driver without some entry point, and count dlopen calls. */
static void *(*fqp__cuda_dlsym_hook)(void *handle, const char *name) = NULL;
static unsigned long fqp__cuda_dlopen_calls = 0;

static fqp__mutex fqp__cuda_mu;     /* guards the list below and the dlopen count */
static fqp__cuda_lib *fqp__cuda_libs = NULL;
static int fqp__cuda_mu_ok = 0;
#ifdef FQP__PTHREADS
static pthread_once_t fqp__cuda_once = PTHREAD_ONCE_INIT;
#else
static once_flag fqp__cuda_once = ONCE_FLAG_INIT;
#endif
static void fqp__cuda_once_init(void) { fqp__cuda_mu_ok = fqp__mutex_init(&fqp__cuda_mu); }

static int fqp__cuda_global_init(void)
{
#ifdef FQP__PTHREADS
    pthread_once(&fqp__cuda_once, fqp__cuda_once_init);
#else
    call_once(&fqp__cuda_once, fqp__cuda_once_init);
#endif
    return fqp__cuda_mu_ok;
}

/* "CUDA_ERROR_OUT_OF_MEMORY (out of memory)", or the number. */
static void fqp__cuda_describe(const fqp__cuda_api *api, fqp_CUresult rc, char *out, size_t cap)
{
    const char *name = NULL, *text = NULL;
    if (api && api->cuGetErrorName && api->cuGetErrorName(rc, &name) != FQP_CUDA_SUCCESS) name = NULL;
    if (api && api->cuGetErrorString && api->cuGetErrorString(rc, &text) != FQP_CUDA_SUCCESS) text = NULL;
    if (name && text) snprintf(out, cap, "%s (%s)", name, text);
    else if (name) snprintf(out, cap, "%s", name);
    else if (text) snprintf(out, cap, "CUDA error %d (%s)", rc, text);
    else snprintf(out, cap, "CUDA error %d", rc);
}

/* Finds or loads the library at `path`: dlopen, every symbol, cuInit(0).
   Once per path and process; concurrent callers wait on fqp__cuda_mu.
   A failure is not remembered, so a later call tries again. */
static fqp_result fqp__cuda_load(const char *path, fqp__cuda_lib **out, fqp_error *err)
{
#ifdef FQP__CUDA_DLOPEN
    fqp__cuda_lib *lib;
    size_t i;
    fqp_CUresult rc;
    char why[256];
    *out = NULL;
    if (!fqp__cuda_global_init())
        return fqp__error(err, FQP_ERR_THREAD, NULL, 0, 0, 0, "cannot create the CUDA loader's mutex");
    fqp__lock(&fqp__cuda_mu);
    for (lib = fqp__cuda_libs; lib; lib = lib->next) {
        if (strcmp(lib->path, path) == 0) {
            fqp__unlock(&fqp__cuda_mu);
            *out = lib;
            return FQP_OK;
        }
    }
    lib = (fqp__cuda_lib *)FASTQPAR_MALLOC(sizeof *lib);
    if (lib) {
        memset(lib, 0, sizeof *lib);
        lib->path = (char *)FASTQPAR_MALLOC(strlen(path) + 1);
    }
    if (!lib || !lib->path) {
        fqp__unlock(&fqp__cuda_mu);
        if (lib) FASTQPAR_FREE(lib);
        return fqp__error(err, FQP_ERR_NOMEM, NULL, 0, 0, 0, "out of memory loading the CUDA driver");
    }
    memcpy(lib->path, path, strlen(path) + 1);
#if defined(__GLIBC__) && defined(RTLD_NOLOAD)
    {   /* a statically linked glibc program has no shared libc: the driver
           would bring a second one and crash (its thread-local data) */
        void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
        if (!libc) {
            fqp__error(err, FQP_ERR_NO_GPU, NULL, 0, 0, 0,
                       "no CUDA driver: this program is linked statically, and %s cannot be loaded into it "
                       "(link dynamically to use GPUs)", path);
            goto fail;
        }
        dlclose(libc);
    }
#endif
    fqp__cuda_dlopen_calls++;
    lib->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib->handle) {
        const char *e = dlerror();
        fqp__error(err, FQP_ERR_NO_GPU, NULL, 0, 0, 0, "no CUDA driver: cannot load %s: %s", path,
                   e ? e : "unknown error");
        goto fail;
    }
    for (i = 0; i < sizeof fqp__cuda_symbols / sizeof fqp__cuda_symbols[0]; i++) {
        const fqp__cuda_symbol *s = &fqp__cuda_symbols[i];
        void *sym = fqp__cuda_dlsym_hook ? fqp__cuda_dlsym_hook(lib->handle, s->name) : dlsym(lib->handle, s->name);
        if (!sym && s->required) {
            fqp__error(err, FQP_ERR_NO_GPU, NULL, 0, 0, 0,
                       "unusable CUDA driver %s: required entry point %s is missing (driver too old?)", path,
                       s->name);
            goto fail;
        }
        /* POSIX guarantees a function pointer survives the trip through void * */
        memcpy((char *)&lib->api + s->offset, &sym, sizeof sym);
    }
    if (lib->api.cuDriverGetVersion && lib->api.cuDriverGetVersion(&lib->version) != FQP_CUDA_SUCCESS)
        lib->version = 0;
    if ((rc = lib->api.cuInit(0)) != FQP_CUDA_SUCCESS) {
        fqp__cuda_describe(&lib->api, rc, why, sizeof why);
        fqp__error(err, FQP_ERR_NO_GPU, NULL, 0, 0, 0, "no usable GPU: cuInit failed in %s: %s", path, why);
        goto fail;
    }
    lib->next = fqp__cuda_libs;
    fqp__cuda_libs = lib;
    fqp__unlock(&fqp__cuda_mu);
    *out = lib;
    return FQP_OK;
fail:
    if (lib->handle) dlclose(lib->handle);
    fqp__unlock(&fqp__cuda_mu);
    FASTQPAR_FREE(lib->path);
    FASTQPAR_FREE(lib);
    return err ? err->code : FQP_ERR_NO_GPU;
#else
    (void)path;
    *out = NULL;
    return fqp__error(err, FQP_ERR_NO_GPU, NULL, 0, 0, 0, "GPU consumers need dlopen (Linux)");
#endif
}

/* ---- cuda: state ---- */

#define FQP__CUDA_QC_RANGES 6 /* counter ranges a checkpoint moves (fqp__cuda_qc_ranges) */

/* One upload slot of a GPU consumer: a stream, buffers, and the batches run
   on it that no completed checkpoint covers yet. */
typedef struct fqp__cuda_slot {
    fqp_CUstream stream;
    fqp_CUevent ev[4];            /* upload start, kernels start, kernels end, done */
    int ev_made;
    unsigned char *h_in;          /* pinned staging: seq | qual | seq_off */
    uint64_t *h_prefix, *h_trim, *h_counts;
    fqp_CUdeviceptr d_in, d_prefix, d_trim, d_counts;
    uint64_t cap_bases, cap_reads;
    /* submitted work, waited for by fqp__cuda_complete */
    int submitted, has_group, has_checkpoint;
    uint64_t seq;                 /* submission order */
    size_t group_first;           /* the submitted group: held[group_first..] */
    uint64_t group_bases, group_reads;
    /* batches run on this slot, not yet covered by a checkpoint */
    fqp_batch **held;
    size_t n_held, cap_held;
    int groups_since_checkpoint;
    uint64_t max_len;             /* longest read run since the last checkpoint */
    int n_ranges;                 /* the counter ranges the submitted checkpoint fetches */
    uint64_t range_start[FQP__CUDA_QC_RANGES], range_len[FQP__CUDA_QC_RANGES];
} fqp__cuda_slot;

typedef struct fqp__cuda_device {
    fqp_cuda_device_info info;
    fqp_CUdevice dev;
    fqp_CUcontext ctx;            /* primary context, retained */
    fqp_CUmodule module;
    fqp_CUfunction k_qc, k_prefix, k_trim;
} fqp__cuda_device;

typedef struct fqp__cuda_consumer {
    fqp_cuda *owner;
    fqp__cuda_device *device;
    int index;
    fqp__cuda_slot *slots;
    int n_slots, next_slot;
    uint64_t next_seq;
    /* the group being filled */
    fqp_batch **group;
    size_t n_group;
    uint64_t group_bases, group_reads;
    double group_started;
    fqp_batch *carry;             /* taken, did not fit the group, not yet in the next */
    uint64_t *totals;             /* QC counts of every completed checkpoint */
    int dead;                     /* its GPU failed: takes no more batches */
    int user_failed;              /* on_results returned an error */
    fqp_cuda_consumer_metrics m;
} fqp__cuda_consumer;

struct fqp_cuda {
    fqp_cuda_desc d;              /* resolved copy */
    fqp_config cfg;               /* resolved batch limits, log, allocator */
    fqp_allocator a;
    fqp__cuda_lib *lib;
    const fqp__cuda_api *api;
    fqp__cuda_device *devices;
    int n_devices;
    fqp__cuda_consumer *consumers;
    int n_consumers;
    uint64_t qc_words;            /* fqp_qc_words(max_pos), 0 without QC */
    uint64_t cap_bases, cap_reads; /* initial slot capacity */
    uint64_t group_limit;         /* coalescing: bases per group */
    size_t max_group_batches;
    int n_ckpt;                   /* checkpoint_groups, resolved */
};

#define FQP__CUDA_MAX_GROUP_BATCHES 64
#define FQP__CUDA_ALIGN(x) (((x) + 255u) & ~(uint64_t)255u)

static void fqp__cuda_log(const fqp_cuda_desc *d, const fqp_config *cfg, fqp_log_level level, const char *fmt, ...)
    FQP_PRINTF_FORMAT(4, 5);
static void fqp__cuda_log(const fqp_cuda_desc *d, const fqp_config *cfg, fqp_log_level level, const char *fmt, ...)
{
    char msg[FQP_ERROR_MESSAGE_MAX + 64];
    va_list ap;
    fqp_log_fn fn = d->log ? d->log : cfg ? cfg->log : NULL;
    void *user = d->log ? d->log_user : cfg ? cfg->log_user : NULL;
    if (!fn) return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fn(user, level, msg);
}

/* Records a failed driver call as FQP_ERR_CUDA "what: CUDA_ERROR_X (text)". */
static fqp_result fqp__cuda_fail_call(const fqp__cuda_api *api, fqp_error *err, fqp_result code, fqp_CUresult rc,
                                      const char *what)
{
    char why[256];
    fqp__cuda_describe(api, rc, why, sizeof why);
    return fqp__error(err, code, NULL, 0, 0, 0, "%s failed: %s", what, why);
}

/* ---- cuda: configuration ---- */

static int fqp__cuda_env_flag(const fqp_cuda_desc *d, const char *name)
{
    const char *v;
    if (d->ignore_env || !(v = getenv(name)) || !*v) return 0;
    return strcmp(v, "0") != 0;
}

FASTQPAR_DEF fqp_gpu_mode fqp_cuda_mode(const fqp_cuda_desc *desc)
{
    fqp_cuda_desc zero;
    if (!desc) {
        memset(&zero, 0, sizeof zero);
        desc = &zero;
    }
    if (desc->mode != FQP_GPU_AUTO) return desc->mode;
    if (fqp__cuda_env_flag(desc, "FASTQPAR_FORCE_CPU")) return FQP_GPU_OFF;
    if (fqp__cuda_env_flag(desc, "FASTQPAR_FORCE_GPU")) return FQP_GPU_FORCE;
    return FQP_GPU_AUTO;
}

/* The one place that reads this header's environment variables. */
static fqp_result fqp__cuda_resolve(const fqp_cuda_desc *in, fqp_cuda_desc *d, fqp_config *cfg, fqp_error *err)
{
    fqp_config zero;
    const char *v;
    fqp_result r;
    *d = *in;
    d->mode = fqp_cuda_mode(in);
    memset(&zero, 0, sizeof zero);
    if ((r = fqp__config_resolve(in->config ? in->config : &zero, cfg, err)) != FQP_OK) return r;
    if (!d->kernels) d->kernels = FQP_GPU_QC;
    if (d->kernels & ~(FQP_GPU_QC | FQP_GPU_PREFIX_SUM | FQP_GPU_TRIM))
        return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0, "unknown bits in fqp_cuda_desc.kernels: %#x",
                          d->kernels);
    if ((d->kernels & (FQP_GPU_PREFIX_SUM | FQP_GPU_TRIM)) && !d->on_results)
        return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0,
                          "prefix sums and trimming need an on_results callback");
    if ((d->kernels & FQP_GPU_TRIM) && d->trim.mode != FQP_TRIM_BWA && d->trim.mode != FQP_TRIM_WINDOW)
        return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0,
                          "fqp_cuda_desc.trim.mode must be FQP_TRIM_BWA or FQP_TRIM_WINDOW");
    if (!d->qc_max_pos) d->qc_max_pos = 1000;
    if (!d->consumers_per_device && !d->ignore_env && (v = getenv("FASTQPAR_GPU_CONSUMERS")) && *v) {
        char *end = NULL;
        long n = strtol(v, &end, 10);
        if (*end || n < 1 || n > 64)
            return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0,
                              "environment variable FASTQPAR_GPU_CONSUMERS=\"%s\" is not a number in 1..64", v);
        d->consumers_per_device = (int)n;
    }
    if (!d->consumers_per_device) d->consumers_per_device = 1;
    if (d->consumers_per_device < 1 || d->consumers_per_device > 64 || d->max_devices < 0 || d->in_flight < 0 ||
        d->in_flight > 64 || d->checkpoint_groups < 0)
        return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0,
                          "fqp_cuda_desc: consumers_per_device 1..64, in_flight 0..64, max_devices and "
                          "checkpoint_groups >= 0");
    if (!d->in_flight) d->in_flight = 2;
    if (!d->coalesce_bytes) d->coalesce_bytes = (uint64_t)4 << 20;
    if (d->coalesce_seconds == 0) d->coalesce_seconds = 0.001;
    if (!d->ptx_path && !d->ignore_env && (v = getenv("FASTQPAR_PTX")) && *v) d->ptx_path = v;
    if (!d->library && !d->ignore_env && (v = getenv("FASTQPAR_CUDA_LIBRARY")) && *v) d->library = v;
    if (!d->library) d->library = "libcuda.so.1";
    if (!d->log) {
        d->log = cfg->log;
        d->log_user = cfg->log_user;
    }
    d->config = NULL; /* not kept: the caller's object may go away */
    return FQP_OK;
}

/* ---- cuda: the PTX module ---- */

/* The PTX text, NUL-terminated, in *out (free with fqp__free). */
static fqp_result fqp__cuda_ptx_text(fqp_cuda *c, char **out, fqp_error *err)
{
    size_t n = 0, i;
    char *s;
    *out = NULL;
    if (c->d.ptx_path) {
        FILE *f = fopen(c->d.ptx_path, "rb");
        size_t cap = 1 << 16, got;
        if (!f)
            return fqp__error(err, FQP_ERR_PTX, NULL, 0, 0, 0, "cannot open the PTX file %s: %s", c->d.ptx_path,
                              strerror(errno));
        s = (char *)fqp__alloc(&c->a, cap);
        while (s && (got = fread(s + n, 1, cap - 1 - n, f)) > 0) {
            n += got;
            if (n + 1 == cap) {
                char *t = (char *)fqp__realloc(&c->a, s, cap, cap * 2);
                if (!t) fqp__free(&c->a, s);
                s = t;
                cap *= 2;
            }
        }
        if (s && ferror(f)) {
            fqp__free(&c->a, s);
            fclose(f);
            return fqp__error(err, FQP_ERR_PTX, NULL, 0, 0, 0, "cannot read the PTX file %s", c->d.ptx_path);
        }
        fclose(f);
        if (!s) return fqp__error(err, FQP_ERR_NOMEM, NULL, 0, 0, 0, "out of memory reading %s", c->d.ptx_path);
        s[n] = 0;
        *out = s;
        return FQP_OK;
    }
    for (i = 0; fqp__cuda_ptx[i]; i++) n += strlen(fqp__cuda_ptx[i]);
    if (n == 0)
        return fqp__error(err, FQP_ERR_PTX, NULL, 0, 0, 0,
                          "no PTX: this build embeds none (run `make ptx`) and neither ptx_path nor "
                          "FASTQPAR_PTX is set");
    if (!(s = (char *)fqp__alloc(&c->a, n + 1)))
        return fqp__error(err, FQP_ERR_NOMEM, NULL, 0, 0, 0, "out of memory for the PTX text");
    for (n = 0, i = 0; fqp__cuda_ptx[i]; i++) {
        size_t l = strlen(fqp__cuda_ptx[i]);
        memcpy(s + n, fqp__cuda_ptx[i], l);
        n += l;
    }
    s[n] = 0;
    *out = s;
    return FQP_OK;
}

/* Loads the module into the device's (current) primary context and finds
   the kernels the desc asks for. The JIT logs go into the message. */
static fqp_result fqp__cuda_load_module(fqp_cuda *c, fqp__cuda_device *dv, const char *ptx, fqp_error *err)
{
    const fqp__cuda_api *api = c->api;
    char error_log[4096], info_log[1024], why[256];
    fqp_CUjit_option opts[4];
    void *vals[4];
    fqp_CUresult rc;
    error_log[0] = info_log[0] = 0;
    opts[0] = FQP_CU_JIT_ERROR_LOG_BUFFER;
    vals[0] = error_log;
    opts[1] = FQP_CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES;
    vals[1] = (void *)(uintptr_t)sizeof error_log;
    opts[2] = FQP_CU_JIT_INFO_LOG_BUFFER;
    vals[2] = info_log;
    opts[3] = FQP_CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES;
    vals[3] = (void *)(uintptr_t)sizeof info_log;
    rc = api->cuModuleLoadDataEx(&dv->module, ptx, 4, opts, vals);
    error_log[sizeof error_log - 1] = 0;
    if (rc != FQP_CUDA_SUCCESS) {
        dv->module = NULL;
        fqp__cuda_describe(api, rc, why, sizeof why);
        return fqp__error(err, FQP_ERR_PTX, NULL, 0, 0, 0,
                          "loading the GPU kernels (%s) on device %d (%s) failed: %s%s%s",
                          c->d.ptx_path ? c->d.ptx_path : "embedded PTX", dv->info.ordinal, dv->info.name, why,
                          error_log[0] ? "; JIT log: " : "", error_log);
    }
#define FQP__CUDA_GETFN(flag, field, name)                                                              \
    if ((c->d.kernels & (flag)) &&                                                                      \
        (rc = api->cuModuleGetFunction(&dv->field, dv->module, name)) != FQP_CUDA_SUCCESS) {            \
        fqp__cuda_describe(api, rc, why, sizeof why);                                                   \
        return fqp__error(err, FQP_ERR_PTX, NULL, 0, 0, 0, "the GPU kernels (%s) lack %s: %s",          \
                          c->d.ptx_path ? c->d.ptx_path : "embedded PTX", name, why);                   \
    }
    FQP__CUDA_GETFN(FQP_GPU_QC, k_qc, "fqp_k_qc")
    FQP__CUDA_GETFN(FQP_GPU_PREFIX_SUM, k_prefix, "fqp_k_qual_prefix_sum")
    FQP__CUDA_GETFN(FQP_GPU_TRIM, k_trim, "fqp_k_trim")
#undef FQP__CUDA_GETFN
    return FQP_OK;
}

/* ---- cuda: slots ---- */

static void fqp__cuda_slot_free_buffers(const fqp__cuda_api *api, fqp__cuda_slot *s)
{
    if (s->h_in) api->cuMemFreeHost(s->h_in);
    if (s->h_prefix) api->cuMemFreeHost(s->h_prefix);
    if (s->h_trim) api->cuMemFreeHost(s->h_trim);
    if (s->d_in) api->cuMemFree(s->d_in);
    if (s->d_prefix) api->cuMemFree(s->d_prefix);
    if (s->d_trim) api->cuMemFree(s->d_trim);
    s->h_in = NULL;
    s->h_prefix = s->h_trim = NULL;
    s->d_in = s->d_prefix = s->d_trim = 0;
    s->cap_bases = s->cap_reads = 0;
}

static uint64_t fqp__cuda_staging_bytes(uint64_t bases, uint64_t reads)
{
    return 2 * FQP__CUDA_ALIGN(bases) + 8 * (reads + 1);
}

/* (Re)allocates a slot's group buffers for `bases` and `reads`; the slot has
   no work in flight. On failure the slot has no buffers. */
static fqp_result fqp__cuda_slot_buffers(fqp_cuda *c, fqp__cuda_slot *s, uint64_t bases, uint64_t reads, fqp_error *err)
{
    const fqp__cuda_api *api = c->api;
    fqp_CUresult rc;
    uint64_t in = fqp__cuda_staging_bytes(bases, reads);
    fqp__cuda_slot_free_buffers(api, s);
    if (in > (uint64_t)SIZE_MAX / 8 || bases > (uint64_t)SIZE_MAX / 8)
        return fqp__error(err, FQP_ERR_NOMEM, NULL, 0, 0, 0, "a GPU buffer of %llu bases is too large",
                          (unsigned long long)bases);
#define FQP__CUDA_TRY(call, what)                                                  \
    if ((rc = (call)) != FQP_CUDA_SUCCESS) {                                      \
        fqp__cuda_fail_call(api, err, FQP_ERR_CUDA, rc, what);                     \
        fqp__cuda_slot_free_buffers(api, s);                                       \
        return FQP_ERR_CUDA;                                                       \
    }
    FQP__CUDA_TRY(api->cuMemAllocHost((void **)&s->h_in, (size_t)in), "cuMemAllocHost_v2 (staging)")
    FQP__CUDA_TRY(api->cuMemAlloc(&s->d_in, (size_t)in), "cuMemAlloc_v2 (batch input)")
    if (c->d.kernels & FQP_GPU_PREFIX_SUM) {
        size_t n = (size_t)(8 * (bases ? bases : 1));
        FQP__CUDA_TRY(api->cuMemAllocHost((void **)&s->h_prefix, n), "cuMemAllocHost_v2 (prefix sums)")
        FQP__CUDA_TRY(api->cuMemAlloc(&s->d_prefix, n), "cuMemAlloc_v2 (prefix sums)")
    }
    if (c->d.kernels & FQP_GPU_TRIM) {
        size_t n = (size_t)(16 * (reads ? reads : 1));
        FQP__CUDA_TRY(api->cuMemAllocHost((void **)&s->h_trim, n), "cuMemAllocHost_v2 (trim intervals)")
        FQP__CUDA_TRY(api->cuMemAlloc(&s->d_trim, n), "cuMemAlloc_v2 (trim intervals)")
    }
#undef FQP__CUDA_TRY
    s->cap_bases = bases;
    s->cap_reads = reads;
    return FQP_OK;
}

/* Everything a slot needs for the whole run, made once in fqp_cuda_open. */
static fqp_result fqp__cuda_slot_setup(fqp_cuda *c, fqp__cuda_slot *s, fqp_error *err)
{
    const fqp__cuda_api *api = c->api;
    fqp_CUresult rc;
    int i;
    if ((rc = api->cuStreamCreate(&s->stream, FQP_CU_STREAM_NON_BLOCKING)) != FQP_CUDA_SUCCESS) {
        s->stream = NULL;
        return fqp__cuda_fail_call(api, err, FQP_ERR_CUDA, rc, "cuStreamCreate");
    }
    for (i = 0; i < 4; i++) {
        if ((rc = api->cuEventCreate(&s->ev[i], 0)) != FQP_CUDA_SUCCESS)
            return fqp__cuda_fail_call(api, err, FQP_ERR_CUDA, rc, "cuEventCreate");
        s->ev_made = i + 1;
    }
    if (fqp__cuda_slot_buffers(c, s, c->cap_bases, c->cap_reads, err) != FQP_OK) return FQP_ERR_CUDA;
    if (c->qc_words) {
        size_t n = (size_t)(c->qc_words * 8);
        if ((rc = api->cuMemAllocHost((void **)&s->h_counts, n)) != FQP_CUDA_SUCCESS) {
            s->h_counts = NULL;
            return fqp__cuda_fail_call(api, err, FQP_ERR_CUDA, rc, "cuMemAllocHost_v2 (QC counters)");
        }
        if ((rc = api->cuMemAlloc(&s->d_counts, n)) != FQP_CUDA_SUCCESS) {
            s->d_counts = 0;
            return fqp__cuda_fail_call(api, err, FQP_ERR_CUDA, rc, "cuMemAlloc_v2 (QC counters)");
        }
        if ((rc = api->cuMemsetD8Async(s->d_counts, 0, n, s->stream)) != FQP_CUDA_SUCCESS ||
            (rc = api->cuStreamSynchronize(s->stream)) != FQP_CUDA_SUCCESS)
            return fqp__cuda_fail_call(api, err, FQP_ERR_CUDA, rc, "zeroing the QC counters");
    }
    s->cap_held = (size_t)c->n_ckpt * c->max_group_batches;
    s->held = (fqp_batch **)fqp__calloc(&c->a, s->cap_held * sizeof *s->held);
    if (!s->held) return fqp__error(err, FQP_ERR_NOMEM, NULL, 0, 0, 0, "out of memory");
    return FQP_OK;
}

static void fqp__cuda_slot_teardown(fqp_cuda *c, fqp__cuda_slot *s)
{
    const fqp__cuda_api *api = c->api;
    int i;
    if (s->stream) api->cuStreamSynchronize(s->stream); /* nothing may still copy into pinned memory */
    fqp__cuda_slot_free_buffers(api, s);
    if (s->h_counts) api->cuMemFreeHost(s->h_counts);
    if (s->d_counts) api->cuMemFree(s->d_counts);
    for (i = 0; i < s->ev_made; i++) api->cuEventDestroy(s->ev[i]);
    if (s->stream) api->cuStreamDestroy(s->stream);
    fqp__free(&c->a, s->held);
    memset(s, 0, sizeof *s);
}

/* ---- cuda: open and close ---- */

FASTQPAR_DEF void fqp_cuda_close(fqp_cuda *c)
{
    int i, j;
    if (!c) return;
    if (c->consumers) {
        for (i = 0; i < c->n_consumers; i++) {
            fqp__cuda_consumer *k = &c->consumers[i];
            if (k->slots) {
                c->api->cuCtxSetCurrent(k->device->ctx);
                for (j = 0; j < k->n_slots; j++) fqp__cuda_slot_teardown(c, &k->slots[j]);
            }
            fqp__free(&c->a, k->slots);
            fqp__free(&c->a, k->group);
            fqp__free(&c->a, k->totals);
        }
    }
    if (c->devices) {
        for (i = 0; i < c->n_devices; i++) {
            fqp__cuda_device *dv = &c->devices[i];
            if (!dv->ctx) continue;
            c->api->cuCtxSetCurrent(dv->ctx);
            if (dv->module) c->api->cuModuleUnload(dv->module);
            c->api->cuCtxSetCurrent(NULL);
            c->api->cuDevicePrimaryCtxRelease(dv->dev);
        }
    }
    fqp__free(&c->a, c->consumers);
    fqp__free(&c->a, c->devices);
    fqp__free(&c->a, c);
}

/* Devices of compute capability >= 7.5 (the PTX targets compute_75), up to max_devices. */
static fqp_result fqp__cuda_find_devices(fqp_cuda *c, fqp_error *err)
{
    const fqp__cuda_api *api = c->api;
    fqp_CUresult rc;
    int count = 0, i;
    if ((rc = api->cuDeviceGetCount(&count)) != FQP_CUDA_SUCCESS)
        return fqp__cuda_fail_call(api, err, FQP_ERR_NO_GPU, rc, "no usable GPU: cuDeviceGetCount");
    if (count <= 0)
        return fqp__error(err, FQP_ERR_NO_GPU, NULL, 0, 0, 0, "no usable GPU: the CUDA driver sees no device");
    c->devices = (fqp__cuda_device *)fqp__calloc(&c->a, (size_t)count * sizeof *c->devices);
    if (!c->devices) return fqp__error(err, FQP_ERR_NOMEM, NULL, 0, 0, 0, "out of memory");
    for (i = 0; i < count && (!c->d.max_devices || c->n_devices < c->d.max_devices); i++) {
        fqp__cuda_device *dv = &c->devices[c->n_devices];
        size_t mem = 0;
        memset(dv, 0, sizeof *dv);
        dv->info.ordinal = i;
        if ((rc = api->cuDeviceGet(&dv->dev, i)) != FQP_CUDA_SUCCESS ||
            (rc = api->cuDeviceGetAttribute(&dv->info.cc_major, FQP_CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                                            dv->dev)) != FQP_CUDA_SUCCESS ||
            (rc = api->cuDeviceGetAttribute(&dv->info.cc_minor, FQP_CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                                            dv->dev)) != FQP_CUDA_SUCCESS) {
            char why[256];
            fqp__cuda_describe(api, rc, why, sizeof why);
            fqp__cuda_log(&c->d, &c->cfg, FQP_LOG_WARN, "GPU %d skipped: querying it failed: %s", i, why);
            continue;
        }
        if (!api->cuDeviceGetName || api->cuDeviceGetName(dv->info.name, (int)sizeof dv->info.name, dv->dev))
            snprintf(dv->info.name, sizeof dv->info.name, "CUDA device %d", i);
        dv->info.name[sizeof dv->info.name - 1] = 0;
        if (api->cuDeviceTotalMem && api->cuDeviceTotalMem(&mem, dv->dev) == FQP_CUDA_SUCCESS)
            dv->info.memory = (uint64_t)mem;
        if (dv->info.cc_major * 10 + dv->info.cc_minor < 75) {
            fqp__cuda_log(&c->d, &c->cfg, FQP_LOG_WARN, "GPU %d (%s) skipped: compute capability %d.%d < 7.5", i,
                          dv->info.name, dv->info.cc_major, dv->info.cc_minor);
            continue;
        }
        c->n_devices++;
    }
    if (!c->n_devices)
        return fqp__error(err, FQP_ERR_NO_GPU, NULL, 0, 0, 0,
                          "no usable GPU: none of the %d device(s) has compute capability >= 7.5", count);
    return FQP_OK;
}

static fqp_result fqp__cuda_setup(fqp_cuda *c, fqp_error *err)
{
    const fqp__cuda_api *api;
    fqp_result r;
    fqp_CUresult rc;
    char *ptx = NULL;
    int i, j;
    uint64_t counts_bytes;
    if ((r = fqp__cuda_load(c->d.library, &c->lib, err)) != FQP_OK) return r;
    c->api = api = &c->lib->api;
    if ((r = fqp__cuda_find_devices(c, err)) != FQP_OK) return r;
    /* sizes: a group holds up to coalesce_bytes of sequence + quality, and at least one batch */
    c->group_limit = c->d.coalesce_bytes / 2 ? c->d.coalesce_bytes / 2 : 1;
    c->cap_bases = c->group_limit > c->cfg.batch_bytes ? c->group_limit : c->cfg.batch_bytes;
    c->cap_reads = c->cfg.batch_records > c->cap_bases / 32 ? c->cfg.batch_records : c->cap_bases / 32;
    c->max_group_batches = FQP__CUDA_MAX_GROUP_BATCHES;
    c->qc_words = (c->d.kernels & FQP_GPU_QC) ? fqp_qc_words(c->d.qc_max_pos) : 0;
    counts_bytes = c->qc_words * 8;
    c->n_ckpt = c->d.checkpoint_groups;
    if (!c->n_ckpt) { /* a fetch of the counters costs at most about one upload */
        uint64_t upload = fqp__cuda_staging_bytes(c->cap_bases, c->cap_reads);
        c->n_ckpt = (int)((counts_bytes + upload - 1) / upload);
        if (c->n_ckpt < 1) c->n_ckpt = 1;
        if (c->n_ckpt > 8) c->n_ckpt = 8;
    }
    if (c->d.on_results || !c->qc_words) c->n_ckpt = 1;
    c->n_consumers = c->n_devices * c->d.consumers_per_device;
    c->consumers = (fqp__cuda_consumer *)fqp__calloc(&c->a, (size_t)c->n_consumers * sizeof *c->consumers);
    if (!c->consumers) return fqp__error(err, FQP_ERR_NOMEM, NULL, 0, 0, 0, "out of memory");
    if ((r = fqp__cuda_ptx_text(c, &ptx, err)) != FQP_OK) return r;
    for (i = 0; i < c->n_devices && r == FQP_OK; i++) {
        fqp__cuda_device *dv = &c->devices[i];
        if ((rc = api->cuDevicePrimaryCtxRetain(&dv->ctx, dv->dev)) != FQP_CUDA_SUCCESS) {
            dv->ctx = NULL;
            r = fqp__cuda_fail_call(api, err, FQP_ERR_CUDA, rc, "cuDevicePrimaryCtxRetain");
        } else if ((rc = api->cuCtxSetCurrent(dv->ctx)) != FQP_CUDA_SUCCESS) {
            r = fqp__cuda_fail_call(api, err, FQP_ERR_CUDA, rc, "cuCtxSetCurrent");
        } else {
            r = fqp__cuda_load_module(c, dv, ptx, err);
        }
        dv->info.consumers = c->d.consumers_per_device;
        for (j = 0; j < c->d.consumers_per_device && r == FQP_OK; j++) {
            fqp__cuda_consumer *k = &c->consumers[i * c->d.consumers_per_device + j];
            int s;
            k->owner = c;
            k->device = dv;
            k->index = i * c->d.consumers_per_device + j;
            k->m.device = i;
            k->n_slots = c->d.in_flight;
            k->slots = (fqp__cuda_slot *)fqp__calloc(&c->a, (size_t)k->n_slots * sizeof *k->slots);
            k->group = (fqp_batch **)fqp__calloc(&c->a, c->max_group_batches * sizeof *k->group);
            if (c->qc_words) k->totals = (uint64_t *)fqp__calloc(&c->a, (size_t)(c->qc_words * 8));
            if (!k->slots || !k->group || (c->qc_words && !k->totals)) {
                r = fqp__error(err, FQP_ERR_NOMEM, NULL, 0, 0, 0, "out of memory");
                break;
            }
            for (s = 0; s < k->n_slots && r == FQP_OK; s++) r = fqp__cuda_slot_setup(c, &k->slots[s], err);
        }
    }
    fqp__free(&c->a, ptx);
    return r;
}

FASTQPAR_DEF fqp_result fqp_cuda_open(fqp_cuda **out, const fqp_cuda_desc *desc, fqp_error *err)
{
    fqp_cuda *c;
    fqp_cuda_desc d;
    fqp_config cfg;
    fqp_result r;
    fqp_error local;
    if (!err) err = &local;
    memset(err, 0, sizeof *err);
    if (!out) return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0, "fqp_cuda_open: out is NULL");
    *out = NULL;
    if (!desc) return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0, "fqp_cuda_open: desc is NULL");
    if ((r = fqp__cuda_resolve(desc, &d, &cfg, err)) != FQP_OK) return r;
    if (d.mode == FQP_GPU_OFF) {
        fqp__error(err, FQP_ERR_NO_GPU, NULL, 0, 0, 0, "GPU disabled (%s): running on CPU consumers only",
                   desc->mode == FQP_GPU_OFF ? "mode FQP_GPU_OFF" : "FASTQPAR_FORCE_CPU=1");
        fqp__cuda_log(&d, &cfg, FQP_LOG_INFO, "%s", err->message);
        return FQP_ERR_NO_GPU;
    }
    c = (fqp_cuda *)fqp__calloc(&cfg.allocator, sizeof *c);
    if (!c) return fqp__error(err, FQP_ERR_NOMEM, NULL, 0, 0, 0, "out of memory");
    c->d = d;
    c->cfg = cfg;
    c->a = cfg.allocator;
    if ((r = fqp__cuda_setup(c, err)) != FQP_OK) {
        char msg[FQP_ERROR_MESSAGE_MAX];
        if (c->api) fqp_cuda_close(c);
        else fqp__free(&cfg.allocator, c);
        if (d.mode == FQP_GPU_FORCE) {
            snprintf(msg, sizeof msg, "%s", err->message);
            fqp__error(err, r, NULL, 0, 0, 0, "GPU required (%s) but unusable: %s",
                       desc->mode == FQP_GPU_FORCE ? "mode FQP_GPU_FORCE" : "FASTQPAR_FORCE_GPU=1", msg);
            fqp__cuda_log(&d, &cfg, FQP_LOG_ERROR, "%s", err->message);
        } else {
            fqp__cuda_log(&d, &cfg, FQP_LOG_WARN, "%s; running on CPU consumers only", err->message);
        }
        return r;
    }
    fqp__cuda_log(&c->d, &c->cfg, FQP_LOG_INFO, "%d GPU consumer(s) on %d device(s), first: %s (sm_%d%d), driver %d",
                  c->n_consumers, c->n_devices, c->devices[0].info.name, c->devices[0].info.cc_major,
                  c->devices[0].info.cc_minor, c->lib->version);
    *out = c;
    return FQP_OK;
}

/* ---- cuda: the GPU consumer ---- */

/* Sleeps on this thread (no POSIX feature macros needed). */
static void fqp__cuda_sleep(double seconds)
{
    struct timespec ts;
#ifdef FQP__PTHREADS
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
    long long ns;
    timespec_get(&ts, TIME_UTC);
    ns = (long long)ts.tv_nsec + (long long)(seconds * 1e9);
    ts.tv_sec += (time_t)(ns / 1000000000);
    ts.tv_nsec = (long)(ns % 1000000000);
    pthread_mutex_lock(&mu);
    while (pthread_cond_timedwait(&cv, &mu, &ts) == 0) {
    }
    pthread_mutex_unlock(&mu);
    pthread_cond_destroy(&cv);
    pthread_mutex_destroy(&mu);
#else
    ts.tv_sec = (time_t)seconds;
    ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
    thrd_sleep(&ts, NULL);
#endif
}

static double fqp__cuda_elapsed(const fqp__cuda_api *api, fqp_CUevent a, fqp_CUevent b)
{
    float ms = 0;
    fqp_PFN_cuEventElapsedTime fn = api->cuEventElapsedTime_v2 ? api->cuEventElapsedTime_v2 : api->cuEventElapsedTime;
    if (!fn || fn(&ms, a, b) != FQP_CUDA_SUCCESS) return 0;
    return (double)ms * 1e-3;
}

/* Launch geometry, as kernels.cu documents it beside each kernel: blocks of
   256 threads, one warp per read, grid-stride loops over the reads, so the
   grid is capped: ceil(n_reads / per_block_reads) blocks, at most max_grid. */
static void fqp__cuda_grid(uint64_t n_reads, uint64_t reads_per_block, uint64_t max_grid, unsigned grid[3],
                           unsigned block[3])
{
    uint64_t g = (n_reads + reads_per_block - 1) / reads_per_block;
    if (g < 1) g = 1;
    if (g > max_grid) g = max_grid;
    grid[0] = (unsigned)g;
    grid[1] = grid[2] = 1;
    block[0] = 256;
    block[1] = block[2] = 1;
}

static void fqp__cuda_group_add(fqp__cuda_consumer *k, fqp_batch *b)
{
    if (k->n_group == 0) k->group_started = fqp__now();
    k->group[k->n_group++] = b;
    k->group_bases += b->bases;
    k->group_reads += b->count;
}

/* Whether b joins the group being filled (a first batch always does). */
static int fqp__cuda_group_fits(const fqp__cuda_consumer *k, const fqp_batch *b)
{
    const fqp_cuda *c = k->owner;
    return k->n_group == 0 ||
           (k->n_group < c->max_group_batches && k->group_bases + b->bases <= c->group_limit &&
            k->group_reads + b->count <= c->cap_reads);
}

static int fqp__cuda_group_full(const fqp__cuda_consumer *k)
{
    const fqp_cuda *c = k->owner;
    return k->n_group >= c->max_group_batches || k->group_bases >= c->group_limit || k->group_reads >= c->cap_reads;
}

static int fqp__cuda_holding(const fqp__cuda_consumer *k)
{
    int i;
    if (k->n_group || k->carry) return 1;
    for (i = 0; i < k->n_slots; i++)
        if (k->slots[i].submitted || k->slots[i].n_held) return 1;
    return 0;
}

/* The submitted slot with the oldest work, or NULL. */
static fqp__cuda_slot *fqp__cuda_oldest(fqp__cuda_consumer *k)
{
    fqp__cuda_slot *o = NULL;
    int i;
    for (i = 0; i < k->n_slots; i++)
        if (k->slots[i].submitted && (!o || k->slots[i].seq < o->seq)) o = &k->slots[i];
    return o;
}

/* The QC counters that reads no longer than max_len can have touched
   (every table is indexed by position or length, up to max_pos): the fixed
   counters and the first max_len positions of each table. A checkpoint
   fetches and zeroes only these, so short reads cost little whatever
   max_pos is. Returns the number of ranges. */
static int fqp__cuda_qc_ranges(uint32_t mp, uint64_t words, uint64_t max_len, uint64_t start[FQP__CUDA_QC_RANGES],
                               uint64_t len[FQP__CUDA_QC_RANGES])
{
    uint64_t m = max_len;
    if (m >= mp) {
        start[0] = 0;
        len[0] = words;
        return 1;
    }
    start[0] = 0;                              len[0] = FQP_QC_GC(FQP_QC_GC_BINS - 1) + 1; /* totals, MEANQ, GC */
    start[1] = FQP_QC_POS_QSUM(mp, 0);         len[1] = m;
    start[2] = FQP_QC_POS_COUNT(mp, 0);        len[2] = m;
    start[3] = FQP_QC_LEN(mp, 0);              len[3] = m + 1;
    start[4] = FQP_QC_POS_BASE(mp, 0, 0);      len[4] = 5 * m;
    start[5] = FQP_QC_POS_QUAL(mp, 0, 0);      len[5] = FQP_QC_QUALS * m;
    return 6;
}

#define FQP__CUDA_CALL(call, what)                                                     \
    do {                                                                               \
        fqp_CUresult fqp__rc = (call);                                                 \
        if (fqp__rc != FQP_CUDA_SUCCESS) return fqp__cuda_fail_call(api, err, FQP_ERR_CUDA, fqp__rc, what); \
    } while (0)

/* Enqueues on slot s (which has no work in flight): the group being filled,
   if any (packed into pinned staging, one upload, the kernels, the result
   copies), then, if `checkpoint`, the QC counter fetch and reset. The
   group's batches join the slot's held list before the first driver call,
   so that a failure anywhere hands them back. */
static fqp_result fqp__cuda_submit(fqp__cuda_consumer *k, fqp__cuda_slot *s, int checkpoint, fqp_error *err)
{
    fqp_cuda *c = k->owner;
    const fqp__cuda_api *api = c->api;
    const fqp__cuda_device *dv = k->device;
    uint64_t bases = k->group_bases, reads = k->group_reads;
    size_t i;
    fqp_result r;
    s->has_group = k->n_group > 0;
    s->has_checkpoint = checkpoint;
    s->group_first = s->n_held;
    s->group_bases = bases;
    s->group_reads = reads;
    if (s->has_group) {
        uint64_t A, pos = 0, r0 = 0, *h_off, up;
        unsigned long long n_reads = reads;
        unsigned int max_pos = c->d.qc_max_pos;
        int mode = (int)c->d.trim.mode, threshold = c->d.trim.threshold, window = c->d.trim.window;
        fqp_CUdeviceptr d_seq, d_qual, d_off;
        unsigned grid[3], block[3];
        if (bases > s->cap_bases || reads > s->cap_reads) { /* a huge record: this slot grows */
            uint64_t nb = bases > s->cap_bases ? bases + bases / 4 : s->cap_bases;
            uint64_t nr = reads > s->cap_reads ? reads + reads / 4 : s->cap_reads;
            if ((r = fqp__cuda_slot_buffers(c, s, nb, nr, err)) != FQP_OK) return r;
            fqp__cuda_log(&c->d, &c->cfg, FQP_LOG_DEBUG, "GPU consumer %d: a slot grew to %llu bases, %llu reads",
                          k->index, (unsigned long long)nb, (unsigned long long)nr);
        }
        /* pack: sequences at 0, qualities at A, offsets rebased over the group at 2A */
        A = FQP__CUDA_ALIGN(bases);
        h_off = (uint64_t *)(void *)(s->h_in + 2 * A);
        for (i = 0; i < k->n_group; i++) {
            const fqp_batch *b = k->group[i];
            uint64_t j, first = b->seq_off[0];
            if (b->bases) {
                memcpy(s->h_in + pos, b->seq + first, (size_t)b->bases);
                memcpy(s->h_in + A + pos, b->qual + first, (size_t)b->bases);
            }
            for (j = 0; j < b->count; j++) {
                uint64_t len = b->seq_off[j + 1] - b->seq_off[j];
                h_off[r0 + j] = pos + (b->seq_off[j] - first);
                if (len > s->max_len) s->max_len = len;
            }
            pos += b->bases;
            r0 += b->count;
        }
        h_off[r0] = pos;
        for (i = 0; i < k->n_group; i++) s->held[s->n_held++] = k->group[i];
        k->n_group = 0;
        k->group_bases = k->group_reads = 0;
        s->groups_since_checkpoint++;
        k->m.groups++;
        d_seq = s->d_in;
        d_qual = s->d_in + A;
        d_off = s->d_in + 2 * A;
        up = 2 * A + 8 * (reads + 1);
        FQP__CUDA_CALL(api->cuEventRecord(s->ev[0], s->stream), "cuEventRecord");
        FQP__CUDA_CALL(api->cuMemcpyHtoDAsync(s->d_in, s->h_in, (size_t)up, s->stream),
                       "cuMemcpyHtoDAsync_v2 (batch upload)");
        k->m.bytes_up += up;
        FQP__CUDA_CALL(api->cuEventRecord(s->ev[1], s->stream), "cuEventRecord");
        if (reads && (c->d.kernels & FQP_GPU_QC)) {
            void *args[6];
            args[0] = &d_seq; args[1] = &d_qual; args[2] = &d_off; args[3] = &n_reads; args[4] = &max_pos;
            args[5] = &s->d_counts;
            fqp__cuda_grid(reads, 64, 1024, grid, block);
            FQP__CUDA_CALL(api->cuLaunchKernel(dv->k_qc, grid[0], grid[1], grid[2], block[0], block[1], block[2], 0,
                                               s->stream, args, NULL), "cuLaunchKernel (fqp_k_qc)");
        }
        if (reads && (c->d.kernels & FQP_GPU_PREFIX_SUM)) {
            void *args[4];
            args[0] = &d_qual; args[1] = &d_off; args[2] = &n_reads; args[3] = &s->d_prefix;
            fqp__cuda_grid(reads, 8, 65535, grid, block);
            FQP__CUDA_CALL(api->cuLaunchKernel(dv->k_prefix, grid[0], grid[1], grid[2], block[0], block[1], block[2], 0,
                                               s->stream, args, NULL), "cuLaunchKernel (fqp_k_qual_prefix_sum)");
        }
        if (reads && (c->d.kernels & FQP_GPU_TRIM)) {
            void *args[7];
            args[0] = &d_qual; args[1] = &d_off; args[2] = &n_reads; args[3] = &mode; args[4] = &threshold;
            args[5] = &window; args[6] = &s->d_trim;
            fqp__cuda_grid(reads, 8, 65535, grid, block);
            FQP__CUDA_CALL(api->cuLaunchKernel(dv->k_trim, grid[0], grid[1], grid[2], block[0], block[1], block[2], 0,
                                               s->stream, args, NULL), "cuLaunchKernel (fqp_k_trim)");
        }
        FQP__CUDA_CALL(api->cuEventRecord(s->ev[2], s->stream), "cuEventRecord");
        if (bases && (c->d.kernels & FQP_GPU_PREFIX_SUM)) {
            FQP__CUDA_CALL(api->cuMemcpyDtoHAsync(s->h_prefix, s->d_prefix, (size_t)(8 * bases), s->stream),
                           "cuMemcpyDtoHAsync_v2 (prefix sums)");
            k->m.bytes_down += 8 * bases;
        }
        if (reads && (c->d.kernels & FQP_GPU_TRIM)) {
            FQP__CUDA_CALL(api->cuMemcpyDtoHAsync(s->h_trim, s->d_trim, (size_t)(16 * reads), s->stream),
                           "cuMemcpyDtoHAsync_v2 (trim intervals)");
            k->m.bytes_down += 16 * reads;
        }
    } else {
        FQP__CUDA_CALL(api->cuEventRecord(s->ev[2], s->stream), "cuEventRecord");
    }
    s->n_ranges = 0;
    if (checkpoint && c->qc_words) {
        int q;
        s->n_ranges = fqp__cuda_qc_ranges(c->d.qc_max_pos, c->qc_words, s->max_len, s->range_start, s->range_len);
        s->max_len = 0;
        for (q = 0; q < s->n_ranges; q++) {
            size_t n = (size_t)(8 * s->range_len[q]);
            fqp_CUdeviceptr d = s->d_counts + 8 * s->range_start[q];
            if (!n) continue;
            FQP__CUDA_CALL(api->cuMemcpyDtoHAsync(s->h_counts + s->range_start[q], d, n, s->stream),
                           "cuMemcpyDtoHAsync_v2 (QC counters)");
            FQP__CUDA_CALL(api->cuMemsetD8Async(d, 0, n, s->stream), "cuMemsetD8Async (QC counters)");
            k->m.bytes_down += n;
        }
    }
    FQP__CUDA_CALL(api->cuEventRecord(s->ev[3], s->stream), "cuEventRecord");
    s->submitted = 1;
    s->seq = k->next_seq++;
    return FQP_OK;
}

/* A checkpoint covers every batch slot s holds: on_results, then release. */
static fqp_result fqp__cuda_finish_held(fqp__cuda_consumer *k, fqp__cuda_slot *s, fqp_producer *p, fqp_error *err)
{
    fqp_cuda *c = k->owner;
    fqp_result r = FQP_OK;
    uint64_t pos = 0, r0 = 0;
    size_t i;
    for (i = 0; i < s->n_held; i++) {
        fqp_batch *b = s->held[i];
        if (c->d.on_results && r == FQP_OK) {
            fqp_cuda_results res;
            fqp_result cr;
            /* with on_results each checkpoint covers exactly one group: this one */
            res.prefix = (c->d.kernels & FQP_GPU_PREFIX_SUM) ? s->h_prefix + pos : NULL;
            res.trim = (c->d.kernels & FQP_GPU_TRIM) ? s->h_trim + 2 * r0 : NULL;
            cr = c->d.on_results(b, &res, k->index, c->d.user);
            if (cr == FQP_STOP) {
                fqp_producer_stop(p, b->index);
            } else if (cr < 0) {
                fqp__error(err, cr, b->file, 0, 0, 0,
                           "GPU consumer %d: on_results failed on batch %llu (records %llu-%llu): %s", k->index,
                           (unsigned long long)b->index, (unsigned long long)(b->first_record + 1),
                           (unsigned long long)(b->first_record + b->count), fqp_result_string(cr));
                fqp_producer_fail(p, err); /* an fqp_batch_error() it reported wins */
                k->user_failed = 1;
                r = cr;
            }
        }
        pos += b->bases;
        r0 += b->count;
        if (r == FQP_OK) {
            k->m.batches++;
            k->m.records += b->count;
            k->m.bases += b->bases;
        }
        fqp_producer_release(p, b);
    }
    s->n_held = 0;
    return r;
}

/* Waits for slot s's work. A checkpoint adds the slot's counters to the
   consumer's total and finishes the batches it covers. */
static fqp_result fqp__cuda_complete(fqp__cuda_consumer *k, fqp__cuda_slot *s, fqp_producer *p, fqp_error *err)
{
    fqp_cuda *c = k->owner;
    const fqp__cuda_api *api = c->api;
    uint64_t w;
    FQP__CUDA_CALL(api->cuEventSynchronize(s->ev[3]), "cuEventSynchronize (waiting for the GPU)");
    s->submitted = 0;
    if (s->has_group) {
        k->m.upload_seconds += fqp__cuda_elapsed(api, s->ev[0], s->ev[1]);
        k->m.kernel_seconds += fqp__cuda_elapsed(api, s->ev[1], s->ev[2]);
    }
    k->m.download_seconds += fqp__cuda_elapsed(api, s->ev[2], s->ev[3]);
    if (!s->has_checkpoint) return FQP_OK;
    if (c->qc_words) {
        int q;
        for (q = 0; q < s->n_ranges; q++)
            for (w = s->range_start[q]; w < s->range_start[q] + s->range_len[q]; w++) k->totals[w] += s->h_counts[w];
        k->m.checkpoints++;
    }
    s->groups_since_checkpoint = 0;
    return fqp__cuda_finish_held(k, s, p, err);
}

/* Sends the group being filled to the next slot, first finishing that
   slot's previous work. */
static fqp_result fqp__cuda_send(fqp__cuda_consumer *k, fqp_producer *p, int force_checkpoint, fqp_error *err)
{
    fqp_cuda *c = k->owner;
    fqp__cuda_slot *s = &k->slots[k->next_slot];
    fqp_result r;
    if (s->submitted && (r = fqp__cuda_complete(k, s, p, err)) != FQP_OK) return r;
    k->next_slot = (k->next_slot + 1) % k->n_slots;
    return fqp__cuda_submit(k, s, force_checkpoint || !c->qc_words || s->groups_since_checkpoint + 1 >= c->n_ckpt, err);
}

/* Finishes everything in flight and takes a checkpoint on every slot that
   holds batches: nothing is held afterwards. */
static fqp_result fqp__cuda_drain(fqp__cuda_consumer *k, fqp_producer *p, fqp_error *err)
{
    fqp__cuda_slot *s;
    fqp_result r;
    int i;
    if (k->n_group && (r = fqp__cuda_send(k, p, 1, err)) != FQP_OK) return r;
    while ((s = fqp__cuda_oldest(k)) != NULL)
        if ((r = fqp__cuda_complete(k, s, p, err)) != FQP_OK) return r;
    for (i = 0; i < k->n_slots; i++) {
        s = &k->slots[i];
        if (!s->n_held) continue;
        if ((r = fqp__cuda_submit(k, s, 1, err)) != FQP_OK) return r;
        if ((r = fqp__cuda_complete(k, s, p, err)) != FQP_OK) return r;
    }
    return FQP_OK;
}

/* While a group waits for more batches: finish the oldest work if the GPU
   is done with it, else nap briefly. */
static fqp_result fqp__cuda_poll(fqp__cuda_consumer *k, fqp_producer *p, double left, fqp_error *err)
{
    const fqp__cuda_api *api = k->owner->api;
    fqp__cuda_slot *s = fqp__cuda_oldest(k);
    if (s) {
        fqp_CUresult rc = api->cuEventQuery(s->ev[3]);
        if (rc == FQP_CUDA_SUCCESS) return fqp__cuda_complete(k, s, p, err);
        if (rc != FQP_CUDA_ERROR_NOT_READY) return fqp__cuda_fail_call(api, err, FQP_ERR_CUDA, rc, "cuEventQuery");
    }
    fqp__cuda_sleep(left < 50e-6 ? left : 50e-6);
    return FQP_OK;
}

/* Requeues (or releases) every batch the consumer holds, highest index
   first, so that requeued batches end up at the queue's front in input
   order, and forgets them. */
static void fqp__cuda_drop_all(fqp__cuda_consumer *k, fqp_producer *p, int requeue, const fqp_error *why)
{
    for (;;) {
        fqp_batch **best = NULL;
        size_t i;
        int j;
        if (k->carry) best = &k->carry;
        for (i = 0; i < k->n_group; i++)
            if (!best || k->group[i]->index > (*best)->index) best = &k->group[i];
        for (j = 0; j < k->n_slots; j++)
            for (i = 0; i < k->slots[j].n_held; i++)
                if (!best || k->slots[j].held[i]->index > (*best)->index) best = &k->slots[j].held[i];
        if (!best) break;
        if (requeue) {
            fqp_result r = fqp_producer_requeue(p, *best);
            k->m.requeued++;
            if (r != FQP_OK && r != FQP_ERR_CANCELLED) { /* never lose a batch silently */
                fqp_error e;
                fqp__error(&e, r, (*best)->file, 0, 0, 0, "GPU consumer %d: cannot hand batch %llu back (%s) after: %s",
                           k->index, (unsigned long long)(*best)->index, fqp_result_string(r), why ? why->message : "");
                fqp_producer_fail(p, &e);
                fqp_producer_release(p, *best);
            }
        } else {
            fqp_producer_release(p, *best);
        }
        *best = NULL;
        /* compact the list that held it */
        if (best == &k->carry) continue;
        if (best >= k->group && best < k->group + k->n_group) {
            *best = k->group[--k->n_group];
            continue;
        }
        for (j = 0; j < k->n_slots; j++) {
            fqp__cuda_slot *s = &k->slots[j];
            if (best >= s->held && best < s->held + s->n_held) {
                *best = s->held[--s->n_held];
                break;
            }
        }
    }
    k->group_bases = k->group_reads = 0;
}

/* A driver call failed mid-run: stop using this GPU, hand every batch it
   holds back to the CPU consumers (none is in a completed checkpoint). */
static fqp_result fqp__cuda_hand_back(fqp__cuda_consumer *k, fqp_producer *p, const fqp_error *e)
{
    fqp_cuda *c = k->owner;
    uint64_t before = k->m.requeued;
    int i;
    k->dead = 1;
    k->m.status = e->code;
    snprintf(k->m.message, sizeof k->m.message, "%s", e->message);
    fqp__cuda_drop_all(k, p, 1, e);
    for (i = 0; i < k->n_slots; i++) {
        k->slots[i].submitted = 0; /* fqp_cuda_close waits for the streams */
        k->slots[i].groups_since_checkpoint = 0;
    }
    if (c->d.mode == FQP_GPU_FORCE) {
        fqp_error f;
        fqp__error(&f, e->code, NULL, 0, 0, 0, "GPU consumer %d (device %d, %s) failed and the GPU is required: %s",
                   k->index, k->device->info.ordinal, k->device->info.name, e->message);
        fqp__cuda_log(&c->d, &c->cfg, FQP_LOG_ERROR, "%s", f.message);
        fqp_producer_fail(p, &f);
        return e->code;
    }
    fqp__cuda_log(&c->d, &c->cfg, FQP_LOG_WARN,
                  "GPU consumer %d (device %d, %s) failed: %s; %llu batch(es) handed back to the CPU consumers",
                  k->index, k->device->info.ordinal, k->device->info.name, e->message,
                  (unsigned long long)(k->m.requeued - before));
    return FQP_OK;
}

/* The GPU consumer's thread (fqp_custom_consumer.run). */
static fqp_result fqp__cuda_run(fqp_producer *p, void *arg)
{
    fqp__cuda_consumer *k = (fqp__cuda_consumer *)arg;
    fqp_cuda *c = k->owner;
    const fqp__cuda_api *api = c->api;
    fqp_error e;
    fqp_result r = FQP_OK, tr = FQP_OK;
    fqp_CUresult rc;
    double t_start = fqp__now();
    memset(&e, 0, sizeof e);
    if (k->dead) {
        if (c->d.mode != FQP_GPU_FORCE) return FQP_OK;
        fqp__error(&e, k->m.status, NULL, 0, 0, 0, "GPU consumer %d failed in an earlier run: %s", k->index,
                   k->m.message);
        fqp_producer_fail(p, &e);
        return k->m.status;
    }
    k->user_failed = 0;
    if ((rc = api->cuCtxSetCurrent(k->device->ctx)) != FQP_CUDA_SUCCESS) {
        r = fqp__cuda_fail_call(api, &e, FQP_ERR_CUDA, rc, "cuCtxSetCurrent");
        goto done;
    }
    for (;;) {
        fqp_batch *b = NULL;
        int holding = fqp__cuda_holding(k);
        double t0 = fqp__now();
        tr = fqp_producer_take(p, &b, !holding); /* block only when holding nothing */
        if (!holding) k->m.wait_seconds += fqp__now() - t0;
        if (tr == FQP_OK) {
            if (!fqp__cuda_group_fits(k, b)) {
                k->carry = b; /* held meanwhile: a failure hands it back too */
                if ((r = fqp__cuda_send(k, p, 0, &e)) != FQP_OK) goto done;
                k->carry = NULL;
            }
            fqp__cuda_group_add(k, b);
            if (fqp__cuda_group_full(k) && (r = fqp__cuda_send(k, p, 0, &e)) != FQP_OK) goto done;
            continue;
        }
        if (tr != FQP_AGAIN) break; /* FQP_DONE, FQP_STOP, or the run failed */
        if (k->n_group) {           /* wait a little for more batches, then send */
            double left = c->d.coalesce_seconds - (fqp__now() - k->group_started);
            r = left > 0 ? fqp__cuda_poll(k, p, left, &e) : fqp__cuda_send(k, p, 0, &e);
        } else if (fqp__cuda_oldest(k)) { /* nothing to add: finish the oldest work */
            r = fqp__cuda_complete(k, fqp__cuda_oldest(k), p, &e);
        } else {                          /* only checkpoints are missing */
            r = fqp__cuda_drain(k, p, &e);
        }
        if (r != FQP_OK) goto done;
    }
    if (tr == FQP_DONE || tr == FQP_STOP) r = fqp__cuda_drain(k, p, &e);
    else fqp__cuda_drop_all(k, p, 0, NULL); /* the run failed: its error stands */
done:
    if (r != FQP_OK) {
        if (k->user_failed) fqp__cuda_drop_all(k, p, 0, NULL); /* on_results failed: the run ends with it */
        else r = fqp__cuda_hand_back(k, p, &e);
    }
    k->m.wall_seconds += fqp__now() - t_start;
    k->m.busy_fraction = k->m.wall_seconds > 0 ? 1 - k->m.wait_seconds / k->m.wall_seconds : 0;
    return r;
}

#undef FQP__CUDA_CALL

/* ---- cuda: the public pieces ---- */

FASTQPAR_DEF int fqp_cuda_consumers(fqp_cuda *c, fqp_custom_consumer *out, int max)
{
    int i;
    if (!c) return 0;
    if (!out) return c->n_consumers;
    for (i = 0; i < max && i < c->n_consumers; i++) {
        fqp__cuda_consumer *k = &c->consumers[i];
        out[i].run = fqp__cuda_run;
        out[i].ctx = k;
        /* every slot's held list, the group being filled, and one batch that did not fit */
        out[i].max_held = (size_t)k->n_slots * k->slots[0].cap_held + c->max_group_batches + 1;
    }
    return i;
}

FASTQPAR_DEF fqp_result fqp_cuda_qc(fqp_cuda *c, fqp_qc *into)
{
    int i;
    if (!c || !into || !c->qc_words || into->max_pos != c->d.qc_max_pos || into->words != c->qc_words)
        return FQP_ERR_INVALID_ARGUMENT;
    for (i = 0; i < c->n_consumers; i++) fqp_qc_add_counts(into, c->consumers[i].totals);
    return FQP_OK;
}

FASTQPAR_DEF fqp_result fqp_cuda_metrics(fqp_cuda *c, int consumer, fqp_cuda_consumer_metrics *out)
{
    if (!c || !out || consumer < 0 || consumer >= c->n_consumers) return FQP_ERR_INVALID_ARGUMENT;
    *out = c->consumers[consumer].m;
    return FQP_OK;
}

FASTQPAR_DEF int fqp_cuda_device_count(fqp_cuda *c) { return c ? c->n_devices : 0; }

FASTQPAR_DEF fqp_result fqp_cuda_device(fqp_cuda *c, int i, fqp_cuda_device_info *out)
{
    if (!c || !out || i < 0 || i >= c->n_devices) return FQP_ERR_INVALID_ARGUMENT;
    *out = c->devices[i].info;
    return FQP_OK;
}

#endif /* FASTQPAR_CUDA_IMPLEMENTATION */

/*
------------------------------------------------------------------------------
This software is available under 2 licenses -- choose whichever you prefer.
------------------------------------------------------------------------------
ALTERNATIVE A - MIT License
Copyright (c) 2026 the fastqpar authors
Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:
The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
------------------------------------------------------------------------------
ALTERNATIVE B - Public Domain (www.unlicense.org)
This is free and unencumbered software released into the public domain.
Anyone is free to copy, modify, publish, use, compile, sell, or distribute this
software, either in source code form or as a compiled binary, for any purpose,
commercial or non-commercial, and by any means.
In jurisdictions that recognize copyright laws, the author or authors of this
software dedicate any and all copyright interest in the software to the public
domain. We make this dedication for the benefit of the public at large and to
the detriment of our heirs and successors. We intend this dedication to be an
overt act of relinquishment in perpetuity of all present and future rights to
this software under copyright law.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN
ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION
WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
------------------------------------------------------------------------------
*/
