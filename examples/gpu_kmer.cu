/* gpu_kmer.cu - exact canonical k-mer counting on the GPU (k = 1 .. 13), the
   kernel of the heavy GPU example; `make ptx` turns it into gpu_kmer.ptx
   (nvcc -ptx -arch=compute_75, as kernels.cu) and embeds that PTX in
   examples/gpu_kmer_ptx.h. Its CPU twin, which gives the same counts bit for
   bit, is fqp_kmer_count_reads in examples/gpu_kmer_twin.h.

   Why k-mer counting on a GPU: the QC counters of kernels.cu do little work
   per base (a few increments of counters that stay in cache), so the CPU
   twin runs at memory speed and a GPU buys nothing once the upload is paid
   for. Here every base (every k-mer ending at it) updates one counter at a
   random place in a table of 4^k counters (256 MiB at k = 13), far larger
   than any cache: on a CPU each base is a cache miss, on a GPU it is one
   atomic add among the tens of thousands in flight, which the GPU's memory
   bandwidth and L2 atomic units absorb.

   Definitions (shared with the twin):
     - bases A/a = 0, C/c = 1, G/g = 2, T/t = 3; lowercase counts as
       uppercase (soft-masked sequence is still sequence), as the library's
       QC counters read it. Any other byte (N, IUPAC codes, '-', '.') ends
       the k-mer window: no counted k-mer spans it.
     - a k-mer's code: its k bases, 2 bits each, the first base in the most
       significant bits (so codes sort like the strings), < 4^k.
     - canonical code: min(code, code of the reverse complement). Every
       occurrence adds 1 to counts[canonical code], palindromes (even k)
       included: "ACGT", k = 2: AC 2 (AC, and GT = rc AC), CG 1.
     - k outside 1 .. 13: nothing is counted.

   Counter width: counts[] is 4^k unsigned int (uint32) counters on the
   device, 256 MiB at k = 13 (uint64 would be 512 MiB per consumer). A
   counter holds at most the number of bases counted since it was last
   zeroed, so it cannot overflow while the host fetches the table, adds it
   into uint64 totals (fqp_kmer_add_u32 in the twin header) and zeroes it
   before 2^32 - 1 bases have been counted: a checkpoint of a few MiB of
   bases, like the library's QC accumulators. The kernel adds to counts[]
   (launches accumulate); the host zeroes it.

   Input: a batch's bases on the device, back to back (seq), and n_reads + 1
   offsets (seq_off; read r is seq[seq_off[r] .. seq_off[r+1]); seq_off[0]
   need not be 0). Integer arithmetic only.

   The same file compiles as host C11 or C++11 under tests/cuda_emu.h
   (device emulation; tests/kernels_emu.c), where tests/test_kmer.c compares
   it with the twin. Hence no headers and no C++-only syntax outside the
   macros below. */

#if defined(__CUDACC__)
#define FQP_KMER_KERNEL extern "C" __global__ void
#elif defined(FQP_CUDA_EMU_H)
#ifdef __cplusplus
#define FQP_KMER_KERNEL extern "C" __global__ void
#else
#define FQP_KMER_KERNEL __global__ void
#endif
#else
#error "gpu_kmer.cu: compile with nvcc, or include tests/cuda_emu.h first (device emulation)"
#endif
#define FQP_KMER_DEVICE static __device__ __forceinline__
#define FQP_KMER_MAX_K 13
/* k <= FQP_KMER_SHARED_K: each block counts into shared memory first (4^6
   counters, 16 KiB), so that small tables, where every warp would hit the
   same few global counters, see one atomic per counter per block */
#define FQP_KMER_SHARED_K 6u
#define FQP_KMER_SHARED (1u << (2u * FQP_KMER_SHARED_K))

/* A/a 0, C/c 1, G/g 2, T/t 3, anything else 4. */
FQP_KMER_DEVICE unsigned fqp_kmer_base(unsigned c)
{
    c |= 0x20u;
    return c == 'a' ? 0u : c == 'c' ? 1u : c == 'g' ? 2u : c == 't' ? 3u : 4u;
}

/* Counts the canonical k-mers of s that start at lo .. hi-1, reading bases
   lo .. hi+k-2 (all inside the read). One rolling window: the forward code
   shifts each base in at the bottom, the reverse complement's code shifts
   its complement in at the top; `run` counts the ACGT bases since the last
   other byte, capped at k. */
FQP_KMER_DEVICE void fqp_kmer_segment(const unsigned char *s, unsigned long long lo, unsigned long long hi,
                                      unsigned k, unsigned *counts)
{
    const unsigned mask = (1u << (2u * k)) - 1u, top = 2u * (k - 1u);
    const unsigned long long end = hi + k - 1u;
    unsigned long long p;
    unsigned fwd = 0, rev = 0, run = 0;
    for (p = lo; p < end; p++) {
        const unsigned b = fqp_kmer_base(s[p]);
        if (b > 3u) {
            run = 0;
            continue;
        }
        fwd = ((fwd << 2) | b) & mask;
        rev = (rev >> 2) | ((3u - b) << top);
        if (run < k) run++;
        if (run == k) atomicAdd(&counts[fwd < rev ? fwd : rev], 1u);
    }
}

/* Adds the canonical k-mer counts of the batch to counts[0 .. 4^k).
   Geometry: block 256 (any multiple of 32 up to 1024 gives the same counts),
   grid max(1, min(ceil(n_reads / 8), 65535)), sharedMemBytes 0 (the 16 KiB
   of shared memory are static): reads_per_block 8, max_grid 65535.
   One warp per read with a grid-stride loop over the reads, so any grid
   size gives the same counts. The read's len - k + 1 k-mer starts are split
   into 32 contiguous segments, one per lane; a lane reads its segment and
   the k - 1 bases after it (segments overlap by k - 1 bases, which L1
   serves), so a 100 kb read is 32 streams of ~3 kb and a read shorter than
   k costs nothing. The counter updates are random atomics (fire-and-forget
   reductions: the result is unused); for k <= 6 they go to the block's
   shared copy, flushed with one global atomic per nonzero counter. */
FQP_KMER_KERNEL fqp_kmer_count(const unsigned char *seq, const unsigned long long *seq_off,
                               unsigned long long n_reads, unsigned int k, unsigned int *counts)
{
    __shared__ unsigned int s[FQP_KMER_SHARED];
    const unsigned lane = threadIdx.x & 31u;
    const unsigned long long warps = ((unsigned long long)gridDim.x * blockDim.x) >> 5;
    unsigned long long r = ((unsigned long long)blockIdx.x * blockDim.x + threadIdx.x) >> 5;
    unsigned i, n_shared;
    if (k < 1u || k > FQP_KMER_MAX_K) return; /* the same for every thread: no barrier is skipped */
    n_shared = k <= FQP_KMER_SHARED_K ? 1u << (2u * k) : 0u;
    if (n_shared) {
        for (i = threadIdx.x; i < n_shared; i += blockDim.x) s[i] = 0;
        __syncthreads();
    }
    for (; r < n_reads; r += warps) {
        const unsigned long long start = seq_off[r], len = seq_off[r + 1] - start;
        unsigned long long n, seg, lo, hi;
        if (len < k) continue;
        n = len - k + 1u; /* k-mer starts */
        seg = (n + 31u) >> 5;
        lo = seg * lane;
        if (lo >= n) continue;
        hi = n - lo < seg ? n : lo + seg;
        if (n_shared) fqp_kmer_segment(seq + start, lo, hi, k, s);
        else fqp_kmer_segment(seq + start, lo, hi, k, counts);
    }
    if (n_shared) {
        __syncthreads();
        for (i = threadIdx.x; i < n_shared; i += blockDim.x)
            if (s[i]) atomicAdd(&counts[i], s[i]);
    }
}
