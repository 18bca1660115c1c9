/* tests/kernels_emu.c - kernels.cu, and the k-mer kernel of the GPU example
   (examples/gpu_kmer.cu), and one test-only kernel (fqp_test_head_len,
   below), compiled for the host under the device emulation
   of tests/cuda_emu.h, behind one entry point that the kernel tests
   (tests/test_kernels.c, tests/test_kmer.c) and the fake CUDA driver
   (tests/fake_cuda.c, whose cuLaunchKernel calls it) use:

       int fqp_emu_launch(const char *kernel_name, const unsigned grid[3],
                          const unsigned block[3], unsigned shared_bytes,
                          void **kernel_params);

   kernel_params is what cuLaunchKernel receives: one pointer per kernel
   argument, pointing at the argument's value (a device pointer is read as
   the 8 bytes of a CUdeviceptr holding a host address). Runs the whole grid
   before returning, on the calling thread (see tests/cuda_emu.h); launches
   from several threads run one at a time.
   Returns 0, or -1 for an unknown kernel name, a launch configuration CUDA
   would reject (a zero dimension, more than 1024 threads per block, more
   than 48 KiB of dynamic shared memory), or no memory.

   Compiles as C11 and as C++11 (the Makefile builds it as C). */
#define _XOPEN_SOURCE 700 /* ucontext, where cuda_emu.h needs it */
#include <pthread.h>

#include "cuda_emu.h"
#include "../kernels.cu"
#include "../examples/gpu_kmer.cu"

#include <string.h>

/* A test-only kernel, for the header arguments (FQP_CUDA_ARG_HEADS,
   FQP_CUDA_ARG_HEAD_OFFSETS) that no kernel of the library reads: read r's
   header length in out[2r], the sum of its bytes in out[2r + 1]. It exists
   only here (no .cu, no PTX): tests/test_cuda.c loads it from a PTX stand-in
   with the same .param list. One thread per read, grid-stride. */
static __global__ void fqp_test_head_len(const unsigned char *heads, const unsigned long long *head_off,
                                         unsigned long long n_reads, unsigned long long *out)
{
    const unsigned long long step = (unsigned long long)gridDim.x * blockDim.x;
    unsigned long long r = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x;
    for (; r < n_reads; r += step) {
        unsigned long long i, sum = 0;
        for (i = head_off[r]; i < head_off[r + 1]; i++) sum += heads[i];
        out[2 * r] = head_off[r + 1] - head_off[r];
        out[2 * r + 1] = sum;
    }
}

#ifdef __cplusplus
extern "C" {
#endif
int fqp_emu_launch(const char *kernel_name, const unsigned grid[3], const unsigned block[3], unsigned shared_bytes,
                   void **kernel_params);
#ifdef __cplusplus
}
#endif

/* ---- argument unpacking: one trampoline per kernel ---- */

typedef const unsigned char *fqp_emu_bytes;
typedef const unsigned long long *fqp_emu_offsets;
typedef unsigned long long *fqp_emu_words;

/* memcpy, not a cast: a value may be a CUdeviceptr (an integer) */
static void fqp_emu_run_qual_prefix_sum(void **p)
{
    fqp_emu_bytes qual;
    fqp_emu_offsets seq_off;
    unsigned long long n_reads;
    fqp_emu_words out;
    memcpy(&qual, p[0], sizeof qual);
    memcpy(&seq_off, p[1], sizeof seq_off);
    memcpy(&n_reads, p[2], sizeof n_reads);
    memcpy(&out, p[3], sizeof out);
    fqp_k_qual_prefix_sum(qual, seq_off, n_reads, out);
}

static void fqp_emu_run_qc(void **p)
{
    fqp_emu_bytes seq, qual;
    fqp_emu_offsets seq_off;
    unsigned long long n_reads;
    unsigned int max_pos;
    fqp_emu_words counts;
    memcpy(&seq, p[0], sizeof seq);
    memcpy(&qual, p[1], sizeof qual);
    memcpy(&seq_off, p[2], sizeof seq_off);
    memcpy(&n_reads, p[3], sizeof n_reads);
    memcpy(&max_pos, p[4], sizeof max_pos);
    memcpy(&counts, p[5], sizeof counts);
    fqp_k_qc(seq, qual, seq_off, n_reads, max_pos, counts);
}

static void fqp_emu_run_trim(void **p)
{
    fqp_emu_bytes seq, qual;
    fqp_emu_offsets seq_off;
    unsigned long long n_reads;
    int mode, threshold, window, threshold5;
    fqp_emu_words start_end;
    memcpy(&seq, p[0], sizeof seq);
    memcpy(&qual, p[1], sizeof qual);
    memcpy(&seq_off, p[2], sizeof seq_off);
    memcpy(&n_reads, p[3], sizeof n_reads);
    memcpy(&mode, p[4], sizeof mode);
    memcpy(&threshold, p[5], sizeof threshold);
    memcpy(&window, p[6], sizeof window);
    memcpy(&threshold5, p[7], sizeof threshold5);
    memcpy(&start_end, p[8], sizeof start_end);
    fqp_k_trim(seq, qual, seq_off, n_reads, mode, threshold, window, threshold5, start_end);
}

static void fqp_emu_run_kmer_count(void **p)
{
    fqp_emu_bytes seq;
    fqp_emu_offsets seq_off;
    unsigned long long n_reads;
    unsigned int k;
    unsigned int *counts;
    memcpy(&seq, p[0], sizeof seq);
    memcpy(&seq_off, p[1], sizeof seq_off);
    memcpy(&n_reads, p[2], sizeof n_reads);
    memcpy(&k, p[3], sizeof k);
    memcpy(&counts, p[4], sizeof counts);
    fqp_kmer_count(seq, seq_off, n_reads, k, counts);
}

static void fqp_emu_run_test_head_len(void **p)
{
    fqp_emu_bytes heads;
    fqp_emu_offsets head_off;
    unsigned long long n_reads;
    fqp_emu_words out;
    memcpy(&heads, p[0], sizeof heads);
    memcpy(&head_off, p[1], sizeof head_off);
    memcpy(&n_reads, p[2], sizeof n_reads);
    memcpy(&out, p[3], sizeof out);
    fqp_test_head_len(heads, head_off, n_reads, out);
}

static const struct {
    const char *name;
    void (*run)(void **);
} fqp_emu_kernels[] = {
    {"fqp_k_qual_prefix_sum", fqp_emu_run_qual_prefix_sum},
    {"fqp_k_qc", fqp_emu_run_qc},
    {"fqp_k_trim", fqp_emu_run_trim},
    {"fqp_kmer_count", fqp_emu_run_kmer_count},
    {"fqp_test_head_len", fqp_emu_run_test_head_len}, /* tests/test_cuda.c only */
};

static pthread_mutex_t fqp_emu_launch_mu = PTHREAD_MUTEX_INITIALIZER;

int fqp_emu_launch(const char *kernel_name, const unsigned grid[3], const unsigned block[3], unsigned shared_bytes,
                   void **kernel_params)
{
    fqp_emu_uint3 g, b;
    size_t i;
    int rc;
    void (*run)(void **) = NULL;
    if (!kernel_name || !grid || !block) return -1;
    for (i = 0; i < sizeof fqp_emu_kernels / sizeof fqp_emu_kernels[0]; i++)
        if (strcmp(kernel_name, fqp_emu_kernels[i].name) == 0) run = fqp_emu_kernels[i].run;
    if (!run || !kernel_params) return -1;
    g.x = grid[0], g.y = grid[1], g.z = grid[2];
    b.x = block[0], b.y = block[1], b.z = block[2];
    if (!g.x || !g.y || !g.z || !b.x || !b.y || !b.z) return -1;
    if (g.y > 65535u || g.z > 65535u || b.x > 1024u || b.y > 1024u || b.z > 64u) return -1;
    if ((unsigned long long)b.x * b.y * b.z > 1024u || shared_bytes > 48u * 1024u) return -1;
    pthread_mutex_lock(&fqp_emu_launch_mu);
    rc = fqp_emu_run(run, g, b, kernel_params);
    pthread_mutex_unlock(&fqp_emu_launch_mu);
    return rc;
}
