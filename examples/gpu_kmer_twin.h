/* gpu_kmer_twin.h - the CPU twin of examples/gpu_kmer.cu: exact canonical
   k-mer counts (k = 1 .. 13) of a batch's reads into uint64 counters, equal
   bit for bit to what the kernel fqp_kmer_count adds to its uint32 counters
   (tests/test_kmer.c checks it under device emulation). The definitions
   (2-bit codes, first base most significant, lowercase as uppercase, any
   other byte ends the window, canonical = min(code, reverse complement))
   are documented once, at the top of gpu_kmer.cu.

       uint64_t *counts = calloc(fqp_kmer_table_size(k), sizeof *counts);
       fqp_kmer_count_batch(batch, k, counts);        (a CPU consumer)
       fqp_kmer_add_u32(counts, fetched, fqp_kmer_table_size(k));
                                   (a GPU consumer's uint32 table, fetched)
       fqp_kmer_string(code, k, text);               "ACGT..." of a code

   Static inline functions over fastqpar.h's fqp_batch (declarations only:
   no implementation macro is needed); C11 and C++. Not thread-safe on one
   table: give each consumer its own and add them up after the run. */
#ifndef FQP_GPU_KMER_TWIN_H
#define FQP_GPU_KMER_TWIN_H

#include "fastqpar.h"

#include <stdint.h>

#define FQP_KMER_MAX_K 13

/* 4^k, the counters a table for k holds (67,108,864 at k = 13); 0 for a k
   outside 1 .. 13. */
static inline uint64_t fqp_kmer_table_size(unsigned k)
{
    return k >= 1 && k <= FQP_KMER_MAX_K ? (uint64_t)1 << (2 * k) : 0;
}

/* Adds the canonical k-mer counts of reads 0 .. n_reads-1 to
   counts[0 .. 4^k): read r is seq[seq_off[r] .. seq_off[r+1]), the layout
   the kernel receives. Returns 0, or -1 (nothing counted) when k is outside
   1 .. 13. One pass per read with a rolling window, as one lane of the
   kernel does over its segment. */
static inline int fqp_kmer_count_reads(const char *seq, const uint64_t *seq_off, uint64_t n_reads, unsigned k,
                                       uint64_t *counts)
{
    uint32_t mask, top;
    uint64_t r, p;
    if (k < 1 || k > FQP_KMER_MAX_K) return -1;
    mask = ((uint32_t)1 << (2 * k)) - 1;
    top = 2 * (k - 1);
    for (r = 0; r < n_reads; r++) {
        const unsigned char *s = (const unsigned char *)seq + seq_off[r];
        const uint64_t len = seq_off[r + 1] - seq_off[r];
        uint32_t fwd = 0, rev = 0, run = 0;
        for (p = 0; p < len; p++) {
            const unsigned c = s[p] | 0x20u;
            const uint32_t b = c == 'a' ? 0 : c == 'c' ? 1 : c == 'g' ? 2 : c == 't' ? 3 : 4;
            if (b > 3) {
                run = 0;
                continue;
            }
            fwd = ((fwd << 2) | b) & mask;
            rev = (rev >> 2) | ((3 - b) << top);
            if (run < k) run++;
            if (run == k) counts[fwd < rev ? fwd : rev]++;
        }
    }
    return 0;
}

/* The same for every read of a batch. */
static inline int fqp_kmer_count_batch(const fqp_batch *b, unsigned k, uint64_t *counts)
{
    return fqp_kmer_count_reads(b->seq, b->seq_off, b->count, k, counts);
}

/* counts[i] += device[i] for i < n: a GPU consumer's uint32 table, fetched,
   into the uint64 totals (the device table is then zeroed again). */
static inline void fqp_kmer_add_u32(uint64_t *counts, const uint32_t *device, uint64_t n)
{
    uint64_t i;
    for (i = 0; i < n; i++) counts[i] += device[i];
}

/* The k bases of a code (< 4^k) as text, NUL-terminated: out holds k + 1
   bytes. Returns out. */
static inline char *fqp_kmer_string(uint64_t code, unsigned k, char *out)
{
    unsigned i;
    for (i = 0; i < k; i++) out[i] = "ACGT"[(code >> (2 * (k - 1 - i))) & 3];
    out[k] = '\0';
    return out;
}

#endif /* FQP_GPU_KMER_TWIN_H */
