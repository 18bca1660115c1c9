/* kernels.cu - the GPU kernels of fastqpar_cuda.h; `make ptx` turns it into
   kernels.ptx (nvcc -ptx -arch=compute_75, the oldest architecture CUDA 13
   supports, so the driver JIT-compiles it for any newer GPU) and embeds that
   PTX in fastqpar_cuda.h.

   Each kernel has a CPU twin in fastqpar.h that CPU consumers run; both give
   the same integers, bit for bit (the kernels use integer arithmetic only),
   so a mixed CPU+GPU run gives exactly the statistics of an all-CPU run:
       fqp_k_qual_prefix_sum   fqp_qual_prefix_sum
       fqp_k_qc                fqp_qc_add_batch (layout: FQP_QC_* in fastqpar.h)
       fqp_k_trim              fqp_trim_batch
   The definitions (Phred clamp, bins, trimming rules) are documented once,
   beside the twins in fastqpar.h.

   Inputs are a batch's structure-of-arrays on the device: seq and qual (the
   bases of all reads, back to back), seq_off (n_reads + 1 offsets; read r is
   [seq_off[r], seq_off[r+1])).

   LAUNCH GEOMETRY (what fastqpar_cuda.h launches; shared memory is static, so
   sharedMemBytes = 0). Every kernel is one warp per read with a grid-stride
   loop over the reads, so any grid of one-dimensional blocks whose size is a
   multiple of 32 gives the same result; the sizes below are the efficient
   choice. A batch without reads needs no launch.
       fqp_k_qual_prefix_sum   block 256, grid max(1, min(ceil(n_reads / 8), 65535))
       fqp_k_trim              block 256, grid max(1, min(ceil(n_reads / 8), 65535))
       fqp_k_qc                block 256, grid max(1, min(ceil(n_reads / 64), 1024))

   The same file compiles as host C11 or C++11 under tests/cuda_emu.h (device
   emulation), where the tests run every kernel over its full grid and compare
   it with the twins. Hence: no C++-only syntax outside the macros below,
   unsigned long long for every value that crosses lanes. */

#if defined(__CUDACC__)
#define FQP_K_KERNEL extern "C" __global__ void
#elif defined(FQP_CUDA_EMU_H)
#ifdef __cplusplus
#define FQP_K_KERNEL extern "C" __global__ void
#else
#define FQP_K_KERNEL __global__ void
#endif
#else
#error "kernels.cu: compile with nvcc, or include tests/cuda_emu.h first (device emulation)"
#endif
#define FQP_K_DEVICE static __device__ __forceinline__
#define FQP_K_FULL 0xffffffffu

/* Layout of the QC counters: must equal the FQP_QC_* macros of fastqpar.h
   (tests compare whole arrays). P = max_pos + 1 bins per position-indexed table. */
#define FQP_K_QUALS 94                 /* Q0..Q93 */
#define FQP_K_DEFAULT_MAX_POS 1000u    /* max_pos 0 means this */
#define FQP_K_READS 0                  /* totals: reads, bases, Q20, Q30, A, C, G, T, N */
#define FQP_K_BASES 1
#define FQP_K_Q20 2
#define FQP_K_Q30 3
#define FQP_K_A 4                      /* A C G T N = FQP_K_A + base code 0..4 */
#define FQP_K_MEANQ 9                  /* [94] per-read mean quality */
#define FQP_K_GC 103                   /* [101] per-read GC percent */
#define FQP_K_FIXED 204                /* then: qsum[P] count[P] len[P] base[P][5] qual[P][94] */

/* Phred score of a quality byte: byte - 33, clamped to 0..93. */
FQP_K_DEVICE unsigned fqp_k_phred(unsigned c)
{
    unsigned q = c < 33u ? 0u : c - 33u;
    return q > 93u ? 93u : q;
}

/* A/a 0, C/c 1, G/g 2, T/t 3, anything else 4 (N, IUPAC codes, gaps). */
FQP_K_DEVICE unsigned fqp_k_base(unsigned c)
{
    c |= 0x20u;
    return c == 'a' ? 0u : c == 'c' ? 1u : c == 'g' ? 2u : c == 't' ? 3u : 4u;
}

/* ---- warp-wide helpers: every lane of the warp must call them ---- */

/* Inclusive prefix sum over lanes 0..lane (modulo 2^64). */
FQP_K_DEVICE unsigned long long fqp_k_warp_scan(unsigned long long v, unsigned lane)
{
    unsigned d;
    for (d = 1; d < 32u; d <<= 1) {
        unsigned long long t = __shfl_up_sync(FQP_K_FULL, v, d);
        if (lane >= d) v += t;
    }
    return v;
}

FQP_K_DEVICE unsigned long long fqp_k_warp_sum(unsigned long long v)
{
    int d;
    for (d = 16; d > 0; d >>= 1) v += __shfl_xor_sync(FQP_K_FULL, v, d);
    return v;
}

FQP_K_DEVICE unsigned long long fqp_k_warp_max(unsigned long long v)
{
    int d;
    for (d = 16; d > 0; d >>= 1) {
        unsigned long long t = __shfl_xor_sync(FQP_K_FULL, v, d);
        v = t > v ? t : v;
    }
    return v;
}

FQP_K_DEVICE unsigned long long fqp_k_warp_min(unsigned long long v)
{
    int d;
    for (d = 16; d > 0; d >>= 1) {
        unsigned long long t = __shfl_xor_sync(FQP_K_FULL, v, d);
        v = t < v ? t : v;
    }
    return v;
}

/* Lane `lane` of 32 owns the contiguous segment [*lo, *hi) of [0, n). */
FQP_K_DEVICE void fqp_k_segment(unsigned long long n, unsigned lane, unsigned long long *lo, unsigned long long *hi)
{
    unsigned long long seg = (n + 31u) >> 5;
    unsigned long long a = seg * lane;
    if (a > n) a = n;
    *lo = a;
    *hi = n - a < seg ? n : a + seg;
}

/* ---- 1. quality prefix sums ----------------------------------------------
   out[seq_off[r] + k] = sum over j <= k of phred(qual[seq_off[r] + j]).
   Geometry: block 256, grid max(1, min(ceil(n_reads / 8), 65535)).
   One warp per read (grid-stride over reads): each lane owns a contiguous
   segment of ceil(len / 32) bases, sums it, one warp scan of the 32 segment
   sums gives each lane its starting value, and each lane writes its segment.
   One scan per read whatever its length; a 150 bp read is 5 bases a lane. */
FQP_K_KERNEL fqp_k_qual_prefix_sum(const unsigned char *qual, const unsigned long long *seq_off,
                                   unsigned long long n_reads, unsigned long long *out)
{
    const unsigned lane = threadIdx.x & 31u;
    const unsigned long long warps = ((unsigned long long)gridDim.x * blockDim.x) >> 5;
    unsigned long long r = ((unsigned long long)blockIdx.x * blockDim.x + threadIdx.x) >> 5;
    for (; r < n_reads; r += warps) {
        const unsigned long long start = seq_off[r];
        const unsigned char *q = qual + start;
        unsigned long long *o = out + start;
        unsigned long long lo, hi, k, s = 0;
        fqp_k_segment(seq_off[r + 1] - start, lane, &lo, &hi);
        for (k = lo; k < hi; k++) s += fqp_k_phred(q[k]);
        s = fqp_k_warp_scan(s, lane) - s; /* sum of the segments before this lane's */
        for (k = lo; k < hi; k++) {
            s += fqp_k_phred(q[k]);
            o[k] = s;
        }
    }
}

/* ---- 2. QC statistics ------------------------------------------------------
   Adds the batch to `counts` (FQP_QC_* layout), which the host zeroes once
   and fetches when it wants; every update is an atomic add, so launches for
   many batches accumulate.
   Geometry: block 256, grid max(1, min(ceil(n_reads / 64), 1024)).
   One warp per read (grid-stride), lane i takes positions i, i+32, ... so
   the atomics of one warp instruction hit 32 consecutive positions. Per base
   below max_pos: four global atomics (quality sum, count, base, quality
   histogram). Bases at positions >= max_pos all fall in one bin: their sums
   stay in registers and their quality histogram in shared memory, so long
   reads do not hammer one address. Per read: one warp reduction (quality
   sum and GC count, packed in one word when the read is < 2^25 bases), then
   lane 0 adds the length, mean-quality and GC bins (the last two into
   shared memory). Totals stay in registers until the end. Each block then
   flushes its shared counters with one atomic per nonzero counter. */
#define FQP_K_QC_TAILQ 204                            /* shared: [0,204) = counts[0,204) */
#define FQP_K_QC_TAILSUM (FQP_K_QC_TAILQ + FQP_K_QUALS)  /* then tail qual histogram [94], */
#define FQP_K_QC_TAILN (FQP_K_QC_TAILSUM + 1)           /* tail quality sum, tail count, */
#define FQP_K_QC_TAILB (FQP_K_QC_TAILN + 1)             /* tail bases [5] */
#define FQP_K_QC_SHARED (FQP_K_QC_TAILB + 5)

FQP_K_KERNEL fqp_k_qc(const unsigned char *seq, const unsigned char *qual, const unsigned long long *seq_off,
                      unsigned long long n_reads, unsigned int max_pos, unsigned long long *counts)
{
    __shared__ unsigned long long s[FQP_K_QC_SHARED];
    const unsigned lane = threadIdx.x & 31u;
    const unsigned long long warps = ((unsigned long long)gridDim.x * blockDim.x) >> 5;
    const unsigned long long mp = max_pos ? max_pos : FQP_K_DEFAULT_MAX_POS, bins = mp + 1;
    unsigned long long *pos_qsum = counts + FQP_K_FIXED;
    unsigned long long *pos_count = pos_qsum + bins;
    unsigned long long *len_hist = pos_count + bins;
    unsigned long long *pos_base = len_hist + bins;
    unsigned long long *pos_qual = pos_base + 5 * bins;
    unsigned long long r = ((unsigned long long)blockIdx.x * blockDim.x + threadIdx.x) >> 5;
    unsigned long long reads = 0, bases = 0, q20 = 0, q30 = 0, n[5] = {0, 0, 0, 0, 0};
    unsigned long long tail_sum = 0, tail_n = 0, tail_b[5] = {0, 0, 0, 0, 0};
    unsigned i;

    for (i = threadIdx.x; i < FQP_K_QC_SHARED; i += blockDim.x) s[i] = 0;
    __syncthreads();
    for (; r < n_reads; r += warps) {
        const unsigned long long start = seq_off[r], len = seq_off[r + 1] - start;
        const unsigned char *sq = seq + start, *qq = qual + start;
        unsigned long long p, rq = 0, rgc = 0;
        for (p = lane; p < len; p += 32) {
            const unsigned q = fqp_k_phred(qq[p]), b = fqp_k_base(sq[p]);
            rq += q;
            rgc += b == 1u || b == 2u;
            q20 += q >= 20u;
            q30 += q >= 30u;
            /* constant indices keep the counters in registers */
            n[0] += b == 0u;
            n[1] += b == 1u;
            n[2] += b == 2u;
            n[3] += b == 3u;
            n[4] += b == 4u;
            if (p < mp) {
                atomicAdd(&pos_qsum[p], (unsigned long long)q);
                atomicAdd(&pos_count[p], 1ull);
                atomicAdd(&pos_base[5 * p + b], 1ull);
                atomicAdd(&pos_qual[FQP_K_QUALS * p + q], 1ull);
            } else {
                tail_sum += q;
                tail_n++;
                tail_b[0] += b == 0u;
                tail_b[1] += b == 1u;
                tail_b[2] += b == 2u;
                tail_b[3] += b == 3u;
                tail_b[4] += b == 4u;
                atomicAdd(&s[FQP_K_QC_TAILQ + q], 1ull);
            }
        }
        if (len < (1ull << 25)) { /* rq < 93 * 2^25 < 2^32: both fit one word */
            const unsigned long long packed = fqp_k_warp_sum(rq << 32 | rgc);
            rq = packed >> 32;
            rgc = packed & 0xffffffffull;
        } else {
            rq = fqp_k_warp_sum(rq);
            rgc = fqp_k_warp_sum(rgc);
        }
        if (lane == 0) {
            reads++;
            bases += len;
            atomicAdd(&len_hist[len < mp ? len : mp], 1ull);
            if (len) {
                atomicAdd(&s[FQP_K_MEANQ + rq / len], 1ull);
                atomicAdd(&s[FQP_K_GC + 100 * rgc / len], 1ull);
            }
        }
    }
    /* registers -> shared (skipping zeros), then shared -> global */
    if (reads) atomicAdd(&s[FQP_K_READS], reads);
    if (bases) atomicAdd(&s[FQP_K_BASES], bases);
    if (q20) atomicAdd(&s[FQP_K_Q20], q20);
    if (q30) atomicAdd(&s[FQP_K_Q30], q30);
    if (tail_sum) atomicAdd(&s[FQP_K_QC_TAILSUM], tail_sum);
    if (tail_n) atomicAdd(&s[FQP_K_QC_TAILN], tail_n);
    for (i = 0; i < 5; i++) {
        if (n[i]) atomicAdd(&s[FQP_K_A + i], n[i]);
        if (tail_b[i]) atomicAdd(&s[FQP_K_QC_TAILB + i], tail_b[i]);
    }
    __syncthreads();
    for (i = threadIdx.x; i < FQP_K_QC_SHARED; i += blockDim.x) {
        unsigned long long *to;
        if (!s[i]) continue;
        if (i < FQP_K_QC_TAILQ) to = &counts[i];
        else if (i < FQP_K_QC_TAILSUM) to = &pos_qual[FQP_K_QUALS * mp + (i - FQP_K_QC_TAILQ)];
        else if (i == FQP_K_QC_TAILSUM) to = &pos_qsum[mp];
        else if (i == FQP_K_QC_TAILN) to = &pos_count[mp];
        else to = &pos_base[5 * mp + (i - FQP_K_QC_TAILB)];
        atomicAdd(to, s[i]);
    }
}

/* ---- 3. quality trimming ---------------------------------------------------
   Read r keeps [start_end[2r], start_end[2r+1]).
   mode 1 (FQP_TRIM_BWA: the 3' cut at threshold, and the 5' cut at
   threshold5 when > 0) or 2 (FQP_TRIM_WINDOW, an N scoring Q0 when seq is
   not NULL); any other mode keeps the whole read. Thresholds are clamped
   to 0..94 and window <= 0 means 4, which changes no result (see
   fqp_trim_desc in fastqpar.h).
   Geometry: block 256, grid max(1, min(ceil(n_reads / 8), 65535)).
   One warp per read (grid-stride); lanes own contiguous segments (of bases
   for BWA, of window starts for WINDOW), so a read costs a few warp
   reductions whatever its length. */

/* Base k of the read, or of the mirrored read (rev: the 5' cut). */
FQP_K_DEVICE unsigned fqp_k_bq(const unsigned char *q, unsigned long long len, unsigned long long k, int rev)
{
    return fqp_k_phred(q[rev ? len - 1 - k : k]);
}

/* BWA: s_k = sum over j >= k of (thr - q_j). Scanning k down from the 3'
   end, stop at the first s_k < 0; the cut is the k with the largest s_k > 0
   seen before (ties: the first seen, the largest k). Each lane scans its
   segment from its top, starting from the sum over the segments above it
   (a warp scan); the read's stop is the largest k with s_k < 0 over the
   lanes; lanes entirely below it drop out; then an arg-max over lanes.
   rev: the same on the mirrored read (len minus the cut is the 5' cut). */
FQP_K_DEVICE unsigned long long fqp_k_trim_bwa(const unsigned char *q, unsigned long long len, long long thr,
                                               int rev, unsigned lane)
{
    unsigned long long lo, hi, k, incl, stop = 0, best_k = 0, top;
    long long d = 0, s, best = 0;
    fqp_k_segment(len, lane, &lo, &hi);
    for (k = lo; k < hi; k++) d += thr - (long long)fqp_k_bq(q, len, k, rev);
    incl = fqp_k_warp_scan((unsigned long long)d, lane);
    s = (long long)(__shfl_sync(FQP_K_FULL, incl, 31) - incl); /* sum over the lanes above */
    for (k = hi; k > lo;) {
        k--;
        s += thr - (long long)fqp_k_bq(q, len, k, rev);
        if (s < 0) {
            stop = k + 1; /* 1 + the stopping position, 0: none */
            break;
        }
        if (s > best) {
            best = s;
            best_k = k;
        }
    }
    stop = fqp_k_warp_max(stop);
    if (hi <= stop) best = 0; /* nothing of this segment lies above the stop */
    if (len < (1ull << 26)) { /* best <= 94 * len < 2^33: (best, k) packed in one word */
        top = fqp_k_warp_max(best > 0 ? (unsigned long long)best << 26 | best_k : 0);
        return top ? (top & ((1ull << 26) - 1)) : len;
    }
    top = fqp_k_warp_max((unsigned long long)best);
    if (!top) return len;
    return fqp_k_warp_max((unsigned long long)best == top ? best_k + 1 : 0) - 1;
}

/* The window rule's score of base k: an N is Q0 (Trimmomatic) when the
   bases are given. */
FQP_K_DEVICE unsigned fqp_k_tq(const unsigned char *s, const unsigned char *q, unsigned long long k)
{
    return s && s[k] == 'N' ? 0u : fqp_k_phred(q[k]);
}

/* WINDOW (Trimmomatic's SLIDINGWINDOW): windows of w bases starting at k =
   0, 1, ..., len - w; the first with sum < thr * w ends the read at the end
   of the window before it (k == 0: nothing kept; none: the whole read),
   then bases below thr at the new 3' end are dropped; len < w keeps
   nothing. Each lane slides over its segment of window starts and reports
   its first failure; the read's is the minimum. The trailing bases are
   checked 32 at a time with a ballot. s may be NULL. */
FQP_K_DEVICE unsigned long long fqp_k_trim_window(const unsigned char *s, const unsigned char *q,
                                                  unsigned long long len, unsigned long long thr,
                                                  unsigned long long w, unsigned lane)
{
    const unsigned long long need = thr * w;
    unsigned long long lo, hi, k, sum = 0, fail = ~0ull, end, i;
    if (len < w) return 0;
    fqp_k_segment(len - w + 1, lane, &lo, &hi);
    if (lo < hi) {
        for (k = lo; k < lo + w; k++) sum += fqp_k_tq(s, q, k);
        if (sum < need) fail = lo;
        for (k = lo + 1; fail == ~0ull && k < hi; k++) {
            sum -= fqp_k_tq(s, q, k - 1);
            sum += fqp_k_tq(s, q, k + w - 1);
            if (sum < need) fail = k;
        }
    }
    fail = fqp_k_warp_min(fail);
    if (fail == 0) return 0;
    end = fail == ~0ull ? len : fail - 1 + w;
    for (i = 0; i < end; i += 32) {
        const unsigned bits = __ballot_sync(FQP_K_FULL, i + lane < end && fqp_k_tq(s, q, end - 1 - i - lane) >= thr);
        if (bits) return end - i - (unsigned)(__ffs((int)bits) - 1);
    }
    return 0;
}

FQP_K_KERNEL fqp_k_trim(const unsigned char *seq, const unsigned char *qual, const unsigned long long *seq_off,
                        unsigned long long n_reads, int mode, int threshold, int window, int threshold5,
                        unsigned long long *start_end)
{
    const unsigned lane = threadIdx.x & 31u;
    const unsigned long long warps = ((unsigned long long)gridDim.x * blockDim.x) >> 5;
    const int thr = threshold < 0 ? 0 : threshold > 94 ? 94 : threshold;
    const int thr5 = threshold5 < 0 ? 0 : threshold5 > 94 ? 94 : threshold5;
    const unsigned long long w = window > 0 ? (unsigned long long)window : 4u;
    unsigned long long r = ((unsigned long long)blockIdx.x * blockDim.x + threadIdx.x) >> 5;
    for (; r < n_reads; r += warps) {
        const unsigned long long start = seq_off[r], len = seq_off[r + 1] - start;
        unsigned long long beg = 0, end = len;
        if (mode == 1) {
            end = fqp_k_trim_bwa(qual + start, len, thr, 0, lane);
            if (thr5 > 0) {
                beg = len - fqp_k_trim_bwa(qual + start, len, thr5, 1, lane);
                if (beg >= end) beg = end = 0;
            }
        } else if (mode == 2) {
            end = fqp_k_trim_window(seq ? seq + start : seq, qual + start, len, (unsigned long long)thr, w, lane);
        }
        if (lane == 0) {
            start_end[2 * r] = beg;
            start_end[2 * r + 1] = end;
        }
    }
}
