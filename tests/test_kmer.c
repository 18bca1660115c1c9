/* K-mer counting tests: the kernel of the GPU example (examples/gpu_kmer.cu,
   fqp_kmer_count) runs over its full grid under the device emulation
   (tests/kernels_emu.c) and its uint32 counts must equal, counter for
   counter, the uint64 counts of its CPU twin (fqp_kmer_count_reads in
   examples/gpu_kmer_twin.h) on random batches: reads of 0..300 bases and
   some of 10 kb and 100 kb, N, IUPAC codes, lowercase, arbitrary bytes,
   k = 1 .. 13, grids of one block, of the documented size and of more
   blocks than reads. The twin is checked against hand-worked examples and
   against a naive reference written straight from the definitions (every
   k-mer start, its code and its reverse complement's computed afresh).
   FQP_TEST_QUICK (the sanitizer builds) stops at k = 11: the 64M-counter
   tables of k = 12 and 13 take minutes under ThreadSanitizer, and nothing
   but the table size differs from k = 11. */
#define _POSIX_C_SOURCE 200809L
#include "examples/gpu_kmer_twin.h"
#include "test.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int fqp_emu_launch(const char *kernel_name, const unsigned grid[3], const unsigned block[3], unsigned shared_bytes,
                   void **kernel_params);

/* ---- random batches ---- */

static uint64_t rng_state = 0x2545f4914f6cdd1dull;
static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}
static uint64_t rnd_below(uint64_t n) { return n ? rnd() % n : 0; }

/* A batch as the kernel receives it: bases back to back, n + 1 offsets.
   off[0] is `base` (not 0) with `base` junk bytes before the first read, so
   nothing may assume rebased offsets. */
typedef struct kbatch {
    char *seq;
    uint64_t *off;
    uint64_t n, bases;
} kbatch;

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "out of memory (%zu bytes)\n", n);
        exit(2);
    }
    return p;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fprintf(stderr, "out of memory (%zu x %zu bytes)\n", n, size);
        exit(2);
    }
    return p;
}

/* One base of profile p: 0 ACGT only, 1 mostly ACGT with lowercase, N and
   IUPAC codes, 2 low complexity (a few bases repeated), 3 any byte. */
static char rnd_base(int p, uint64_t pos, unsigned period)
{
    static const char upper[] = "ACGT", lower[] = "acgt", odd[] = "NNNNnRYKMSWBDHVrykmswbdhv-.*X";
    uint64_t d;
    switch (p) {
    case 0: return upper[rnd_below(4)];
    case 1:
        d = rnd_below(100);
        if (d < 80) return upper[rnd_below(4)];
        if (d < 94) return lower[rnd_below(4)];
        return odd[rnd_below(sizeof odd - 1)];
    case 2: return rnd_below(200) ? "ACGTTGCA"[pos % period] : 'N';
    default: return (char)rnd_below(256);
    }
}

/* n reads of 0..max_len bases (profile < 0: each its own), plus `long_reads`
   reads of long_len bases. */
static kbatch kb_make(uint64_t n, uint64_t max_len, int profile, uint64_t long_reads, uint64_t long_len)
{
    kbatch b;
    uint64_t i, cap, at;
    const uint64_t base = 1 + rnd_below(16), total = n + long_reads;
    uint64_t *len = (uint64_t *)xmalloc((size_t)(total + 1) * sizeof *len);
    cap = base;
    for (i = 0; i < total; i++) {
        /* the long reads land at random places among the short ones */
        len[i] = rnd_below(total) < long_reads ? long_len : rnd_below(max_len + 1);
        cap += len[i];
    }
    b.seq = (char *)xmalloc((size_t)cap);
    b.off = (uint64_t *)xmalloc((size_t)(total + 1) * sizeof *b.off);
    memset(b.seq, 'A', (size_t)base);
    at = base;
    for (i = 0; i < total; i++) {
        const int p = profile < 0 ? (int)rnd_below(4) : profile;
        const unsigned period = 1 + (unsigned)rnd_below(8);
        uint64_t j;
        b.off[i] = at;
        for (j = 0; j < len[i]; j++) b.seq[at + j] = rnd_base(p, j, period);
        at += len[i];
    }
    b.off[total] = at;
    b.n = total;
    b.bases = at - base;
    free(len);
    return b;
}

static kbatch kb_text(const char *const *reads, uint64_t n)
{
    kbatch b;
    uint64_t i, at = 0;
    size_t cap = 1;
    for (i = 0; i < n; i++) cap += strlen(reads[i]);
    b.seq = (char *)xmalloc(cap);
    b.off = (uint64_t *)xmalloc((size_t)(n + 1) * sizeof *b.off);
    for (i = 0; i < n; i++) {
        size_t l = strlen(reads[i]);
        b.off[i] = at;
        memcpy(b.seq + at, reads[i], l);
        at += l;
    }
    b.off[n] = at;
    b.n = n;
    b.bases = at;
    return b;
}

static void kb_free(kbatch *b)
{
    free(b->seq);
    free(b->off);
}

/* ---- the kernel, emulated ---- */

/* The geometry gpu_kmer.cu documents: block 256, grid max(1, min(ceil(n / 8), 65535)). */
static unsigned grid_kmer(uint64_t reads)
{
    uint64_t g = (reads + 7) / 8;
    return (unsigned)(g < 1 ? 1 : g > 65535 ? 65535 : g);
}

/* Adds the batch's counts to counts[] (uint32, 4^k of them); 0 or -1. */
static int gpu_kmer(const kbatch *b, unsigned k, uint32_t *counts, unsigned grid, unsigned block)
{
    const char *seq = b->seq;
    const uint64_t *off = b->off;
    unsigned long long n = b->n;
    unsigned int kk = k;
    void *params[5];
    unsigned g[3], bl[3];
    params[0] = &seq, params[1] = &off, params[2] = &n, params[3] = &kk, params[4] = &counts;
    g[0] = grid, g[1] = 1, g[2] = 1;
    bl[0] = block, bl[1] = 1, bl[2] = 1;
    return fqp_emu_launch("fqp_kmer_count", g, bl, 0, params);
}

/* ---- the naive reference: every k-mer start, from the definitions ---- */

static int code_of(unsigned char c)
{
    switch (c) {
    case 'A': case 'a': return 0;
    case 'C': case 'c': return 1;
    case 'G': case 'g': return 2;
    case 'T': case 't': return 3;
    default: return -1;
    }
}

static int cmp_u64(const void *a, const void *b)
{
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The canonical code of every k-mer occurrence, sorted; *n gets how many. */
static uint64_t *naive_codes(const kbatch *b, unsigned k, uint64_t *n)
{
    uint64_t *codes = (uint64_t *)xmalloc((size_t)(b->bases + 1) * sizeof *codes), r, s, m = 0;
    for (r = 0; r < b->n; r++) {
        const unsigned char *q = (const unsigned char *)b->seq + b->off[r];
        const uint64_t len = b->off[r + 1] - b->off[r];
        for (s = 0; s + k <= len; s++) {
            uint64_t fwd = 0, rev = 0;
            unsigned i;
            int ok = 1;
            for (i = 0; i < k && ok; i++) ok = code_of(q[s + i]) >= 0;
            if (!ok) continue;
            for (i = 0; i < k; i++) fwd = fwd * 4 + (uint64_t)code_of(q[s + i]);
            for (i = k; i-- > 0;) rev = rev * 4 + (uint64_t)(3 - code_of(q[s + i]));
            codes[m++] = fwd < rev ? fwd : rev;
        }
    }
    qsort(codes, (size_t)m, sizeof *codes, cmp_u64);
    *n = m;
    return codes;
}

/* ---- the tables: one pair for every test, zero between uses ---- */

/* The largest k tested: FQP_KMER_MAX_K, or 11 with FQP_TEST_QUICK. */
static unsigned max_k = FQP_KMER_MAX_K;

/* A fresh 64M-counter table costs more in page faults than the test costs
   in work, so the tables live for the whole program (grown for a larger k),
   zeroed once and again by table_release after each use (only the 4^k
   counters that may have been written). */
static uint64_t *cpu_table;
static uint32_t *gpu_table;
static unsigned table_k;

static void table_get(unsigned k, uint64_t **cpu, uint32_t **gpu)
{
    if (!cpu_table || k > table_k) {
        const size_t size = (size_t)fqp_kmer_table_size(k);
        free(cpu_table);
        free(gpu_table);
        cpu_table = (uint64_t *)xmalloc(size * sizeof *cpu_table);
        gpu_table = (uint32_t *)xmalloc(size * sizeof *gpu_table);
        memset(cpu_table, 0, size * sizeof *cpu_table);
        memset(gpu_table, 0, size * sizeof *gpu_table);
        table_k = k;
    }
    *cpu = cpu_table;
    *gpu = gpu_table;
}

static void table_release(unsigned k)
{
    const size_t size = (size_t)fqp_kmer_table_size(k);
    memset(cpu_table, 0, size * sizeof *cpu_table);
    memset(gpu_table, 0, size * sizeof *gpu_table);
}

/* Whether table[0 .. 4^k) holds exactly the multiset codes[0 .. n). */
static int table_is(const uint64_t *table, unsigned k, const uint64_t *codes, uint64_t n)
{
    uint64_t c, j = 0, size = fqp_kmer_table_size(k);
    for (c = 0; c < size; c++) {
        uint64_t m = 0;
        while (j < n && codes[j] == c) j++, m++;
        if (table[c] != m) {
            fprintf(stderr, "  k=%u: counter %llu is %llu, expected %llu\n", k, (unsigned long long)c,
                    (unsigned long long)table[c], (unsigned long long)m);
            return 0;
        }
    }
    return j == n;
}

/* Whether the kernel's table equals the twin's, counter for counter. */
static int tables_equal(const uint32_t *gpu, const uint64_t *cpu, unsigned k)
{
    uint64_t c, size = fqp_kmer_table_size(k);
    for (c = 0; c < size; c++)
        if (gpu[c] != cpu[c]) {
            fprintf(stderr, "  k=%u: counter %llu: kernel %llu, twin %llu\n", k, (unsigned long long)c,
                    (unsigned long long)gpu[c], (unsigned long long)cpu[c]);
            return 0;
        }
    return 1;
}

/* ---- tests ---- */

/* Worked by hand; the kernel (grid 1) must give the same. */
static void check_by_hand(const char *const *reads, uint64_t n, unsigned k, const uint64_t *want_codes,
                          const uint64_t *want, unsigned nwant)
{
    kbatch b = kb_text(reads, n);
    const uint64_t size = fqp_kmer_table_size(k);
    uint64_t *cpu, sum = 0, wsum = 0, i;
    uint32_t *gpu;
    table_get(k, &cpu, &gpu);
    CHECK_EQ_INT(fqp_kmer_count_reads(b.seq, b.off, b.n, k, cpu), 0);
    for (i = 0; i < nwant; i++) {
        CHECK_EQ_U64(cpu[want_codes[i]], want[i]);
        wsum += want[i];
    }
    for (i = 0; i < size; i++) sum += cpu[i];
    CHECK_EQ_U64(sum, wsum); /* and nothing else */
    CHECK_EQ_INT(gpu_kmer(&b, k, gpu, 1, 256), 0);
    CHECK(tables_equal(gpu, cpu, k));
    table_release(k);
    kb_free(&b);
}

static void test_by_hand(void)
{
    static const char *const acgt[] = {"ACGT"};
    static const char *const acgtn[] = {"ACGTN"};
    static const char *const lower[] = {"acgNt", "", "A", "Tt"};
    static const char *const aaaac[] = {"AAAAC", "GTT"};
    static const char *const iupac[] = {"ACRGT", "ACGTACGTACGTA", "acgtacgtacgtaN"};
    /* AC = 1 (AC and GT = revcomp AC), CG = 6 (its own reverse complement) */
    static const uint64_t acgt_c[] = {1, 6}, acgt_n[] = {2, 1};
    /* k = 1: A and T are A (0), C and G are C (1); N ends nothing */
    static const uint64_t acgtn_c[] = {0, 1}, acgtn_n[] = {2, 2};
    /* k = 2: ac, cg; gN, Nt skipped; "" and "A" too short; Tt = TT -> AA (0) */
    static const uint64_t lower_c[] = {1, 6, 0}, lower_n[] = {1, 1, 1};
    /* k = 3: AAA twice (0; TTT = 63), AAC (1; revcomp GTT = 47) twice, once as GTT */
    static const uint64_t aaaac_c[] = {0, 1}, aaaac_n[] = {2, 2};
    /* k = 13: ACGTACGTACGTA (its reverse complement TACGTACGTACGT is larger)
       once in each of the second and third reads; the first has no 13-mer */
    uint64_t c13 = 0, rc13 = 0, iupac_c[1], iupac_n[1] = {2};
    const char *s13 = "ACGTACGTACGTA";
    unsigned i;
    char text[FQP_KMER_MAX_K + 1];
    for (i = 0; i < 13; i++) c13 = c13 * 4 + (uint64_t)code_of((unsigned char)s13[i]);
    for (i = 13; i-- > 0;) rc13 = rc13 * 4 + (uint64_t)(3 - code_of((unsigned char)s13[i]));
    iupac_c[0] = c13 < rc13 ? c13 : rc13;
    CHECK_EQ_U64(iupac_c[0], c13);
    CHECK_EQ_U64(c13, 0x1b1b1bull << 2); /* 00011011 (ACGT) three times, then 00 (A) */
    check_by_hand(acgt, 1, 2, acgt_c, acgt_n, 2);
    check_by_hand(acgtn, 1, 1, acgtn_c, acgtn_n, 2);
    check_by_hand(lower, 4, 2, lower_c, lower_n, 3);
    check_by_hand(aaaac, 2, 3, aaaac_c, aaaac_n, 2);
    if (max_k >= 13) check_by_hand(iupac, 3, 13, iupac_c, iupac_n, 1);
    CHECK(strcmp(fqp_kmer_string(6, 2, text), "CG") == 0);
    CHECK(strcmp(fqp_kmer_string(c13, 13, text), s13) == 0);
    CHECK(strcmp(fqp_kmer_string(0x3ffffff, 13, text), "TTTTTTTTTTTTT") == 0);
    CHECK(strcmp(fqp_kmer_string(0, 1, text), "A") == 0);
    CHECK_EQ_U64(fqp_kmer_table_size(1), 4);
    CHECK_EQ_U64(fqp_kmer_table_size(13), 67108864);
    CHECK_EQ_U64(fqp_kmer_table_size(0), 0);
    CHECK_EQ_U64(fqp_kmer_table_size(14), 0);
}

/* k outside 1 .. 13: the twin refuses, the kernel counts nothing. */
static void test_bad_k(void)
{
    static const char *const reads[] = {"ACGTACGTACGTACGTACGT"};
    kbatch b = kb_text(reads, 1);
    uint64_t cpu[16] = {0};
    uint32_t gpu[16] = {0};
    unsigned i;
    CHECK_EQ_INT(fqp_kmer_count_reads(b.seq, b.off, b.n, 0, cpu), -1);
    CHECK_EQ_INT(fqp_kmer_count_reads(b.seq, b.off, b.n, 14, cpu), -1);
    CHECK_EQ_INT(gpu_kmer(&b, 0, gpu, 1, 256), 0);
    CHECK_EQ_INT(gpu_kmer(&b, 14, gpu, 1, 256), 0);
    CHECK_EQ_INT(gpu_kmer(&b, 0xffffffffu, gpu, 1, 256), 0);
    for (i = 0; i < 16; i++) {
        CHECK_EQ_U64(cpu[i], 0);
        CHECK_EQ_U64(gpu[i], 0);
    }
    kb_free(&b);
}

/* The twin against the naive reference, every k. */
static void test_twin_matches_naive(void)
{
    unsigned k, round;
    for (k = 1; k <= max_k; k++)
        for (round = 0; round < 3; round++) {
            kbatch b = kb_make(40 + rnd_below(60), 300, -1, round == 2, 2000);
            uint64_t n, *codes = naive_codes(&b, k, &n), *cpu;
            uint32_t *unused;
            fqp_batch fb;
            table_get(k, &cpu, &unused);
            memset(&fb, 0, sizeof fb);
            fb.seq = b.seq, fb.seq_off = b.off, fb.count = b.n, fb.bases = b.bases;
            CHECK_EQ_INT(fqp_kmer_count_batch(&fb, k, cpu), 0);
            CHECK(table_is(cpu, k, codes, n));
            table_release(k);
            free(codes);
            kb_free(&b);
        }
}

/* One batch: the kernel with `grid` blocks of `block` threads against the twin. */
static void kernel_vs_twin(const kbatch *b, unsigned k, unsigned grid, unsigned block)
{
    uint64_t *cpu;
    uint32_t *gpu;
    table_get(k, &cpu, &gpu);
    CHECK_EQ_INT(fqp_kmer_count_reads(b->seq, b->off, b->n, k, cpu), 0);
    CHECK_EQ_INT(gpu_kmer(b, k, gpu, grid, block), 0);
    if (!tables_equal(gpu, cpu, k)) {
        fprintf(stderr, "  (%llu reads, %llu bases, grid %u, block %u)\n", (unsigned long long)b->n,
                (unsigned long long)b->bases, grid, block);
        fqpt_failed = 1;
    }
    table_release(k);
}

/* Random batches of short reads (and one 10 kb read in some), every profile,
   k = 1, 2, 5, 11 (and 3, 6, 7 around the shared-memory switch), at the
   documented grid, one block and more blocks than reads. */
static void test_random_batches(void)
{
    static const unsigned ks[] = {1, 2, 3, 5, 6, 7, 11};
    unsigned i, round;
    for (i = 0; i < sizeof ks / sizeof ks[0]; i++)
        for (round = 0; round < 12; round++) {
            const uint64_t n = 1 + rnd_below(round < 4 ? 20 : 300);
            kbatch b = kb_make(n, 300, round % 5 == 4 ? -1 : (int)(round % 5), round % 3 == 1, 10000 + rnd_below(3000));
            kernel_vs_twin(&b, ks[i], grid_kmer(b.n), 256);
            kernel_vs_twin(&b, ks[i], 1, 256);
            if (round % 4 == 0) kernel_vs_twin(&b, ks[i], grid_kmer(b.n) + 1 + (unsigned)rnd_below(20), 256);
            kb_free(&b);
        }
}

/* k = 12 and 13 (tables of 16M and 64M counters): few, small batches. */
static void test_large_k(void)
{
    unsigned k, round;
    if (max_k < 12) SKIP("FQP_TEST_QUICK: k <= %u", max_k);
    for (k = 12; k <= max_k; k++)
        for (round = 0; round < 4; round++) {
            kbatch b = kb_make(60 + rnd_below(200), 300, round == 3 ? 2 : -1, round & 1, 10000);
            kernel_vs_twin(&b, k, round == 1 ? 1 : round == 2 ? 40 : grid_kmer(b.n), 256);
            kb_free(&b);
        }
}

/* Any block size that is a multiple of 32, any grid: the same counts. */
static void test_geometry_independence(void)
{
    static const unsigned blocks[] = {32, 64, 96, 1024};
    static const unsigned ks[] = {4, 9};
    kbatch b = kb_make(70, 300, 1, 1, 5000);
    unsigned i, j;
    for (j = 0; j < sizeof ks / sizeof ks[0]; j++)
        for (i = 0; i < sizeof blocks / sizeof blocks[0]; i++) {
            kernel_vs_twin(&b, ks[j], 1, blocks[i]);
            kernel_vs_twin(&b, ks[j], 3, blocks[i]);
        }
    kb_free(&b);
}

/* Reads of 100 kb, one warp each, and a batch of one read: k = 5, 11, 13. */
static void test_long_reads(void)
{
    static const unsigned ks[] = {5, 11, 13};
    kbatch one = kb_make(0, 0, 1, 1, 100000), three = kb_make(2, 0, 0, 3, 100000);
    unsigned i;
    CHECK_EQ_U64(one.n, 1);
    for (i = 0; i < sizeof ks / sizeof ks[0] && ks[i] <= max_k; i++) {
        kernel_vs_twin(&one, ks[i], grid_kmer(one.n), 256);
        kernel_vs_twin(&three, ks[i], grid_kmer(three.n), 256);
    }
    kb_free(&one);
    kb_free(&three);
}

/* Empty batches and reads shorter than k launch fine and count nothing;
   launches add to the table; the uint32 table added into uint64 totals. */
static void test_accumulate(void)
{
    static const char *const short_reads[] = {"", "ACGT", "acg", "NNNNNNNNNNNNNNN"};
    kbatch empty = kb_text(short_reads, 0), tiny = kb_text(short_reads, 4), b = kb_make(50, 300, 1, 0, 0);
    const unsigned k = 8;
    const uint64_t size = fqp_kmer_table_size(k);
    uint64_t *cpu = (uint64_t *)xcalloc((size_t)size, sizeof *cpu);
    uint64_t *total = (uint64_t *)xcalloc((size_t)size, sizeof *total);
    uint32_t *gpu = (uint32_t *)xcalloc((size_t)size, sizeof *gpu);
    uint64_t i, sum = 0;
    CHECK_EQ_INT(gpu_kmer(&empty, k, gpu, 1, 256), 0);
    CHECK_EQ_INT(gpu_kmer(&tiny, k, gpu, 1, 256), 0);
    CHECK_EQ_INT(gpu_kmer(&tiny, 5, gpu, 1, 256), 0);
    for (i = 0; i < size; i++) sum += gpu[i];
    CHECK_EQ_U64(sum, 0);
    CHECK_EQ_INT(gpu_kmer(&b, k, gpu, grid_kmer(b.n), 256), 0);
    CHECK_EQ_INT(gpu_kmer(&b, k, gpu, 1, 256), 0);
    CHECK_EQ_INT(fqp_kmer_count_reads(b.seq, b.off, b.n, k, cpu), 0);
    CHECK_EQ_INT(fqp_kmer_count_reads(b.seq, b.off, b.n, k, cpu), 0);
    CHECK(tables_equal(gpu, cpu, k));
    fqp_kmer_add_u32(total, gpu, size);
    fqp_kmer_add_u32(total, gpu, size);
    for (i = 0; i < size; i++)
        if (total[i] != 2 * cpu[i]) break;
    CHECK_EQ_U64(i, size);
    free(cpu);
    free(total);
    free(gpu);
    kb_free(&empty);
    kb_free(&tiny);
    kb_free(&b);
}

int main(void)
{
    const char *quick = getenv("FQP_TEST_QUICK");
    if (quick && *quick) max_k = 11;
    RUN(test_by_hand);
    RUN(test_bad_k);
    RUN(test_twin_matches_naive);
    RUN(test_random_batches);
    RUN(test_large_k);
    RUN(test_geometry_independence);
    RUN(test_long_reads);
    RUN(test_accumulate);
    free(cpu_table);
    free(gpu_table);
    TEST_EXIT();
}
