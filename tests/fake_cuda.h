/* tests/fake_cuda.h - what tests can ask the fake CUDA driver (tests/fake_cuda.c,
   built as build/libfakecuda.so). Tests reach these through dlsym on the
   library that fastqpar_cuda.h loaded (dlopen with RTLD_NOLOAD).

   Behaviour and failure injection, read from the environment at each call:
     FAKE_CUDA_DEFER=0|1             1 (the default): stream work (copies,
                                     memsets, launches, event records) is
                                     queued per stream and runs only at a
                                     synchronisation point, in stream order:
                                     cuStreamSynchronize, cuEventSynchronize
                                     or a successful cuEventQuery (up to the
                                     event's record), cuCtxSynchronize,
                                     cuStreamDestroy_v2, and a free (up to the
                                     work issued before it, as a real free
                                     waits). A queued upload reads its host
                                     source when it runs, like DMA; a launch
                                     copies its arguments when issued. So a
                                     result read before the sync, or staging
                                     rewritten before the upload ran, is
                                     wrong data, as on a GPU. (A pageable
                                     source is copied at the call, a pageable
                                     destination filled before it returns, as
                                     the real driver stages them.)
                                     0: everything runs at the call.
     FAKE_CUDA_NOT_READY=n           cuEventQuery answers CUDA_ERROR_NOT_READY
                                     n times after each record before it runs
                                     the work (default 1 when deferring, else 0)
     FAKE_CUDA_DRIVER_VERSION=v      what cuDriverGetVersion says (default
                                     13000, CUDA 13.0); sets the PTX ISA the
                                     JIT accepts (12040: 8.4, 13000: 9.0)
     FAKE_CUDA_PTX_MAX=major.minor   the newest PTX .version the JIT accepts
                                     (default from the driver version); a
                                     newer one: CUDA_ERROR_UNSUPPORTED_PTX_VERSION
                                     and a JIT log, as a real driver
     FAKE_CUDA_DEVICES=n             devices (default 1; 0: cuInit fails with
                                     CUDA_ERROR_NO_DEVICE)
     FAKE_CUDA_CC=major.minor        compute capability (default 9.0)
     FAKE_CUDA_FAIL_ALLOC_AT=k       the k-th cuMemAlloc_v2/cuMemAllocHost_v2
                                     since fake_cuda_reset fails (out of memory)
     FAKE_CUDA_FAIL_LAUNCH_AT=k      the k-th cuLaunchKernel fails at once
                                     (CUDA_ERROR_LAUNCH_FAILED; sticky)
     FAKE_CUDA_ASYNC_FAIL_AT=k       the k-th cuLaunchKernel returns success,
                                     but the kernel faults when it runs (at
                                     once, or at the sync when deferring): its
                                     results never appear, the context is
                                     broken, the next stream call or wait
                                     reports the sticky error
     FAKE_CUDA_ASYNC_FAIL_CODE=n     that error (default 719,
                                     CUDA_ERROR_LAUNCH_FAILED; e.g. 700,
                                     CUDA_ERROR_ILLEGAL_ADDRESS)
     FAKE_CUDA_FAIL_CALL=name:k      the k-th call of entry point `name`
                                     (e.g. cuMemcpyDtoHAsync_v2) fails with
                                     CUDA_ERROR_UNKNOWN
     FAKE_CUDA_FAIL_MODULE=1         cuModuleLoadDataEx fails with
                                     CUDA_ERROR_INVALID_PTX and a JIT log
     FAKE_CUDA_MODULE_RESULT=code    cuModuleLoadDataEx fails with that code
                                     (e.g. 222, CUDA_ERROR_UNSUPPORTED_PTX_VERSION)
     FAKE_CUDA_DRIVER_VERSION=v      cuDriverGetVersion's answer (default 13000)
     FAKE_CUDA_COMPUTE_MODE=m0,m1,.. device i's compute mode (attribute 20;
                                     default 0; 2 = prohibited, 3 = exclusive-process)
     FAKE_CUDA_FAIL_RETAIN_DEVICE=i  retaining device i's primary context fails
                                     (CUDA_ERROR_DEVICE_UNAVAILABLE)
     FAKE_CUDA_FAIL_ALLOC_DEVICE=i   every allocation in device i's context fails
                                     (out of memory)
     FAKE_CUDA_NOT_READY=n           cuEventQuery answers CUDA_ERROR_NOT_READY
                                     n times after each record before success
     FAKE_CUDA_EMU_BLOCK=n           run every kernel as one block of n threads
                                     (a multiple of 32) instead of the launched
                                     grid: the same result (the kernels are
                                     grid-stride over warps), far fewer host
                                     threads; the launched geometry is still
                                     checked against kernels.cu

   Like a real driver, the fake
   - reads each kernel's parameter list (count, size, alignment of each
     .param) from the PTX of the module and copies exactly those bytes from
     kernelParams at cuLaunchKernel (by-value capture): a NULL kernelParams,
     or a NULL entry among the declared ones, is CUDA_ERROR_INVALID_VALUE;
     a name without an .entry is CUDA_ERROR_NOT_FOUND at cuModuleGetFunction.
     Any entry the device emulation knows (fqp_emu_launch, by name) runs.
   - after a sticky error (a kernel fault), fails every call of the context
     with it, the frees too (cuMemFree_v2, cuMemFreeHost, cuStreamDestroy_v2,
     cuEventDestroy_v2, cuModuleUnload): such objects live on until the
     primary context is released for the last time, which frees them
     (counted in reclaimed_after_fault, not as leaks) and clears the error.
   - records the context of every stream, event, module and allocation:
     a stream, event or function of another context than the current one
     is CUDA_ERROR_INVALID_HANDLE (as is a destroyed one), no current
     context is CUDA_ERROR_INVALID_CONTEXT; device pointers of another
     context are accepted (unified addressing). Each misuse is printed and
     counted in bad_calls.

   Besides the stats: fake_cuda_user_context() (a context of the
   application's own, which cuCtxSetCurrent accepts), fake_cuda_event_waits
   (cuEventSynchronize calls on events with and without
   CU_EVENT_BLOCKING_SYNC), fake_cuda_exits_with_context() (threads that
   ended with a context current). */
#ifndef FAKE_CUDA_H
#define FAKE_CUDA_H

#include <stddef.h>

/* The CUDA driver ABI subset the fake exports, mirrored here on its own (as
   cuda.h declares it), so that the fake driver does not depend on
   fastqpar_cuda.h, whose mirror of the same subset is private. */
typedef int fake_CUresult;                     /* CUresult: 0 = CUDA_SUCCESS */
typedef int fake_CUdevice;
typedef int fake_CUdevice_attribute;
typedef int fake_CUjit_option;
typedef unsigned long long fake_CUdeviceptr;   /* CUdeviceptr_v2 on 64-bit hosts */
typedef struct fake_CUctx_st *fake_CUcontext;
typedef struct fake_CUmod_st *fake_CUmodule;
typedef struct fake_CUfunc_st *fake_CUfunction;
typedef struct fake_CUstream_st *fake_CUstream;
typedef struct fake_CUevent_st *fake_CUevent;

#define FAKE_CUDA_SUCCESS 0
#define FAKE_CUDA_ERROR_INVALID_VALUE 1
#define FAKE_CUDA_ERROR_OUT_OF_MEMORY 2
#define FAKE_CUDA_ERROR_NOT_INITIALIZED 3
#define FAKE_CUDA_ERROR_DEVICE_UNAVAILABLE 46
#define FAKE_CUDA_ERROR_NO_DEVICE 100
#define FAKE_CUDA_ERROR_INVALID_CONTEXT 201
#define FAKE_CUDA_ERROR_INVALID_PTX 218
#define FAKE_CUDA_ERROR_JIT_COMPILER_NOT_FOUND 221
#define FAKE_CUDA_ERROR_UNSUPPORTED_PTX_VERSION 222
#define FAKE_CUDA_ERROR_JIT_COMPILATION_DISABLED 223
#define FAKE_CUDA_ERROR_INVALID_HANDLE 400
#define FAKE_CUDA_ERROR_ILLEGAL_ADDRESS 700
#define FAKE_CUDA_ERROR_NOT_FOUND 500
#define FAKE_CUDA_ERROR_NOT_READY 600
#define FAKE_CUDA_ERROR_ILLEGAL_ADDRESS 700
#define FAKE_CUDA_ERROR_LAUNCH_FAILED 719
#define FAKE_CUDA_ERROR_UNKNOWN 999
#define FAKE_CU_DEVICE_ATTRIBUTE_COMPUTE_MODE 20
#define FAKE_CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR 75
#define FAKE_CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR 76
#define FAKE_CU_JIT_INFO_LOG_BUFFER 3
#define FAKE_CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES 4
#define FAKE_CU_JIT_ERROR_LOG_BUFFER 5
#define FAKE_CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES 6
#define FAKE_CU_STREAM_NON_BLOCKING 1
#define FAKE_CU_EVENT_BLOCKING_SYNC 1

/* Every entry point the fake exports: X(exported symbol, parameters),
   each returning fake_CUresult. tests/test_cuda.c checks that fastqpar_cuda.h
   looks up exactly these symbols with these parameter lists. */
#define FAKE_CUDA_DRIVER_LIST(X)                                                                                  \
    X(cuInit, (unsigned int flags))                                                                               \
    X(cuDriverGetVersion, (int *version))                                                                         \
    X(cuGetErrorName, (fake_CUresult error, const char **text))                                                   \
    X(cuGetErrorString, (fake_CUresult error, const char **text))                                                 \
    X(cuDeviceGetCount, (int *count))                                                                             \
    X(cuDeviceGet, (fake_CUdevice *device, int ordinal))                                                          \
    X(cuDeviceGetName, (char *name, int len, fake_CUdevice device))                                               \
    X(cuDeviceGetAttribute, (int *value, fake_CUdevice_attribute attribute, fake_CUdevice device))                \
    X(cuDeviceTotalMem_v2, (size_t *bytes, fake_CUdevice device))                                                 \
    X(cuDevicePrimaryCtxRetain, (fake_CUcontext *ctx, fake_CUdevice device))                                      \
    X(cuDevicePrimaryCtxRelease_v2, (fake_CUdevice device))                                                       \
    X(cuCtxSetCurrent, (fake_CUcontext ctx))                                                                      \
    X(cuCtxGetCurrent, (fake_CUcontext *ctx))                                                                     \
    X(cuModuleLoadDataEx, (fake_CUmodule *module, const void *image, unsigned int n_options,                      \
      fake_CUjit_option *options, void **values))                                                                 \
    X(cuModuleGetFunction, (fake_CUfunction *function, fake_CUmodule module, const char *name))                   \
    X(cuModuleUnload, (fake_CUmodule module))                                                                     \
    X(cuMemAlloc_v2, (fake_CUdeviceptr *ptr, size_t bytes))                                                       \
    X(cuMemFree_v2, (fake_CUdeviceptr ptr))                                                                       \
    X(cuMemAllocHost_v2, (void **ptr, size_t bytes))                                                              \
    X(cuMemFreeHost, (void *ptr))                                                                                 \
    X(cuMemcpyHtoDAsync_v2, (fake_CUdeviceptr dst, const void *src, size_t bytes, fake_CUstream stream))          \
    X(cuMemcpyDtoHAsync_v2, (void *dst, fake_CUdeviceptr src, size_t bytes, fake_CUstream stream))                \
    X(cuMemsetD8Async, (fake_CUdeviceptr dst, unsigned char value, size_t n, fake_CUstream stream))               \
    X(cuStreamCreate, (fake_CUstream *stream, unsigned int flags))                                                \
    X(cuStreamDestroy_v2, (fake_CUstream stream))                                                                 \
    X(cuStreamSynchronize, (fake_CUstream stream))                                                                \
    X(cuEventCreate, (fake_CUevent *event, unsigned int flags))                                                   \
    X(cuEventRecord, (fake_CUevent event, fake_CUstream stream))                                                  \
    X(cuEventQuery, (fake_CUevent event))                                                                         \
    X(cuEventSynchronize, (fake_CUevent event))                                                                   \
    X(cuEventElapsedTime_v2, (float *ms, fake_CUevent start, fake_CUevent end))                                   \
    X(cuEventElapsedTime, (float *ms, fake_CUevent start, fake_CUevent end))                                      \
    X(cuEventDestroy_v2, (fake_CUevent event))                                                                    \
    X(cuLaunchKernel, (fake_CUfunction function, unsigned int grid_x, unsigned int grid_y, unsigned int grid_z,  \
      unsigned int block_x, unsigned int block_y, unsigned int block_z, unsigned int shared_bytes,                \
      fake_CUstream stream, void **params, void **extra))

/* Entry points the fake exports beyond those fastqpar_cuda.h loads, for
   tests that drive it directly (tests/test_fake_cuda.c). */
#define FAKE_CUDA_EXTRA_LIST(X)                                                                                   \
    X(cuCtxSynchronize, (void))                                                                                   \
    X(cuModuleLoadData, (fake_CUmodule *module, const void *image))

typedef struct fake_cuda_stats {
    /* live objects: all 0 after fqp_cuda_close */
    long device_allocs, host_allocs, streams, events, modules, context_refs;
    /* since load or fake_cuda_reset */
    unsigned long alloc_calls, launches, kernel_runs, copies_up, copies_down;
    unsigned long pageable_copies;   /* copies not from/to cuMemAllocHost memory */
    unsigned long bad_calls;         /* bad pointer, missing context, ...: printed */
    unsigned long freed_by_context_release; /* objects the caller forgot to free */
    unsigned long injected;          /* failures injected (FAKE_CUDA_FAIL_*, _ASYNC_*) */
    unsigned long loads;             /* times the library was loaded (constructor) */
    unsigned long reclaimed_after_fault; /* objects whose free failed on a broken context,
                                            freed when it was released: no leak */
    unsigned long deferred_ops;      /* stream operations queued (FAKE_CUDA_DEFER) since reset */
} fake_cuda_stats;

typedef void (*fake_cuda_stats_fn)(fake_cuda_stats *out);
typedef void (*fake_cuda_reset_fn)(void);
/* fake_cuda_params(function, sizes, max): the number of parameters the
   module's PTX declares for the function (-1: not a function), and the
   first `max` sizes in bytes. */
typedef int (*fake_cuda_params_fn)(fake_CUfunction function, size_t *sizes, int max);
typedef fake_CUcontext (*fake_cuda_user_context_fn)(void);
typedef void (*fake_cuda_event_waits_fn)(unsigned long *blocking, unsigned long *spinning);
typedef unsigned long (*fake_cuda_exits_with_context_fn)(void);

#endif
