/* tests/fake_cuda.h - what tests can ask the fake CUDA driver (tests/fake_cuda.c,
   built as build/libfakecuda.so). Tests reach these through dlsym on the
   library that fastqpar_cuda.h loaded (dlopen with RTLD_NOLOAD).

   Failure injection, read from the environment at each call:
     FAKE_CUDA_DEVICES=n             devices (default 1; 0: cuInit fails with
                                     CUDA_ERROR_NO_DEVICE)
     FAKE_CUDA_CC=major.minor        compute capability (default 9.0)
     FAKE_CUDA_FAIL_ALLOC_AT=k       the k-th cuMemAlloc_v2/cuMemAllocHost_v2
                                     since fake_cuda_reset fails (out of memory)
     FAKE_CUDA_FAIL_LAUNCH_AT=k      the k-th cuLaunchKernel fails at once
                                     (CUDA_ERROR_LAUNCH_FAILED; sticky)
     FAKE_CUDA_ASYNC_FAIL_AT=k       the k-th cuLaunchKernel runs and returns
                                     success, but the context is then broken:
                                     the next stream call or wait reports
                                     CUDA_ERROR_LAUNCH_FAILED (as a kernel
                                     fault surfaces on a real GPU)
     FAKE_CUDA_FAIL_CALL=name:k      the k-th call of entry point `name`
                                     (e.g. cuMemcpyDtoHAsync_v2) fails with
                                     CUDA_ERROR_UNKNOWN
     FAKE_CUDA_FAIL_MODULE=1         cuModuleLoadDataEx fails with
                                     CUDA_ERROR_INVALID_PTX and a JIT log
     FAKE_CUDA_NOT_READY=n           cuEventQuery answers CUDA_ERROR_NOT_READY
                                     n times after each record before success
     FAKE_CUDA_EMU_BLOCK=n           run every kernel as one block of n threads
                                     (a multiple of 32) instead of the launched
                                     grid: the same result (the kernels are
                                     grid-stride over warps), far fewer host
                                     threads; the launched geometry is still
                                     checked against kernels.cu
   Every stream operation runs at once on the calling thread; a kernel runs
   under the device emulation (fqp_emu_launch, tests/kernels_emu.c). */
#ifndef FAKE_CUDA_H
#define FAKE_CUDA_H

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
} fake_cuda_stats;

typedef void (*fake_cuda_stats_fn)(fake_cuda_stats *out);
typedef void (*fake_cuda_reset_fn)(void);

#endif
