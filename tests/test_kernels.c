/* Kernel tests. Every kernel of kernels.cu runs over its full grid under the
   device emulation (tests/kernels_emu.c: host threads for GPU threads, real
   barriers for __syncthreads and warp shuffles) and must equal its CPU twin
   in fastqpar.h exactly, on random and edge inputs: empty reads, 1 Mbp
   reads, Q0 and Q93, out-of-range quality bytes, N and IUPAC bases,
   lowercase, a batch of one record, positions past max_pos. The twins
   themselves are checked against hand-worked examples and against naive
   references written straight from the definitions. */
#define _POSIX_C_SOURCE 200809L
#define FASTQPAR_IMPLEMENTATION
#include "fastqpar.h"
#include "test.h"

#include <time.h>

int fqp_emu_launch(const char *kernel_name, const unsigned grid[3], const unsigned block[3], unsigned shared_bytes,
                   void **kernel_params);

/* ---- batches built by hand ---- */

typedef struct tbatch {
    char *seq, *qual;
    uint64_t *off;
    uint64_t n, cap_reads, bases, cap_bases;
    fqp_batch b;
} tbatch;

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}
static uint64_t rnd_below(uint64_t n) { return n ? rnd() % n : 0; }

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return q;
}

static void tb_init(tbatch *t)
{
    memset(t, 0, sizeof *t);
    t->cap_reads = 16;
    t->off = (uint64_t *)xrealloc(NULL, (t->cap_reads + 1) * sizeof *t->off);
    t->off[0] = 0;
    t->cap_bases = 1024; /* never NULL, as in fastqpar's batches */
    t->seq = (char *)xrealloc(NULL, t->cap_bases);
    t->qual = (char *)xrealloc(NULL, t->cap_bases);
}

static void tb_free(tbatch *t)
{
    free(t->seq);
    free(t->qual);
    free(t->off);
}

/* Appends a read of len bases; seq/qual NULL: filled by the caller via the returned index. */
static uint64_t tb_add(tbatch *t, const char *seq, const char *qual, uint64_t len)
{
    uint64_t at = t->bases;
    if (t->n + 1 >= t->cap_reads) {
        t->cap_reads *= 2;
        t->off = (uint64_t *)xrealloc(t->off, (t->cap_reads + 1) * sizeof *t->off);
    }
    if (t->bases + len > t->cap_bases) {
        while (t->bases + len > t->cap_bases) t->cap_bases *= 2;
        t->seq = (char *)xrealloc(t->seq, t->cap_bases);
        t->qual = (char *)xrealloc(t->qual, t->cap_bases);
    }
    if (seq) memcpy(t->seq + at, seq, len);
    if (qual) memcpy(t->qual + at, qual, len);
    t->bases += len;
    t->off[++t->n] = t->bases;
    return at;
}

static const fqp_batch *tb_batch(tbatch *t)
{
    memset(&t->b, 0, sizeof t->b);
    t->b.count = t->n;
    t->b.bases = t->bases;
    t->b.seq = t->seq;
    t->b.qual = t->qual;
    t->b.seq_off = t->off;
    return &t->b;
}

static const char ALPHABET[] = "ACGTACGTACGTACGTNacgtnRYKMSWBDHVUu.-*";

/* quality profiles: 0 uniform Q0..Q93, 1 Illumina-like with a falling 3'
   end and dips, 2 extremes only (Q0 / Q93), 3 raw bytes 0..255 */
static void fill_read(char *s, char *q, uint64_t len, int profile)
{
    uint64_t i;
    int base = 30 + (int)rnd_below(12);
    uint64_t fall = len ? rnd_below(len + 1) : 0;
    for (i = 0; i < len; i++) {
        int v;
        s[i] = profile == 3 ? (char)rnd_below(256) : ALPHABET[rnd_below(sizeof ALPHABET - 1)];
        switch (profile) {
        case 0: v = 33 + (int)rnd_below(94); break;
        case 1:
            v = base - (i > fall ? (int)((i - fall) * 40 / (len - fall + 1)) : 0) + (int)rnd_below(7) - 3;
            if (rnd_below(20) == 0) v = 2;
            v = 33 + (v < 0 ? 0 : v > 93 ? 93 : v);
            break;
        case 2: v = rnd_below(2) ? '!' : '~'; break;
        default: v = (int)rnd_below(256); break;
        }
        q[i] = (char)v;
    }
}

static uint64_t random_length(void)
{
    static const uint64_t special[] = {0, 1, 2, 3, 4, 5, 31, 32, 33, 63, 64, 65, 100, 150, 151, 250, 301};
    switch (rnd_below(4)) {
    case 0: return special[rnd_below(sizeof special / sizeof special[0])];
    case 1: return 150;
    case 2: return rnd_below(400);
    default: return rnd_below(3000);
    }
}

static void tb_random(tbatch *t, uint64_t reads, int profile)
{
    uint64_t i;
    for (i = 0; i < reads; i++) {
        uint64_t len = random_length(), at = tb_add(t, NULL, NULL, len);
        fill_read(t->seq + at, t->qual + at, len, profile < 0 ? (int)rnd_below(4) : profile);
    }
}

/* ---- launches: the geometry documented in kernels.cu ---- */

static unsigned grid_for(uint64_t reads, uint64_t per_block, uint64_t cap)
{
    uint64_t g = (reads + per_block - 1) / per_block;
    return (unsigned)(g < 1 ? 1 : g > cap ? cap : g);
}
static unsigned grid_prefix(uint64_t reads) { return grid_for(reads, 8, 65535); }
static unsigned grid_trim(uint64_t reads) { return grid_for(reads, 8, 65535); }
static unsigned grid_qc(uint64_t reads) { return grid_for(reads, 64, 1024); }

static int launch(const char *name, unsigned grid, unsigned block, void **params)
{
    unsigned g[3], bl[3];
    g[0] = grid, g[1] = 1, g[2] = 1;
    bl[0] = block, bl[1] = 1, bl[2] = 1;
    return fqp_emu_launch(name, g, bl, 0, params);
}

static int gpu_prefix(const fqp_batch *b, uint64_t *out, unsigned grid, unsigned block)
{
    const char *qual = b->qual;
    const uint64_t *off = b->seq_off;
    unsigned long long n = b->count;
    uint64_t *o = out;
    void *params[4];
    params[0] = &qual, params[1] = &off, params[2] = &n, params[3] = &o;
    return launch("fqp_k_qual_prefix_sum", grid, block, params);
}

static int gpu_qc(const fqp_batch *b, unsigned max_pos, uint64_t *counts, unsigned grid, unsigned block)
{
    const char *seq = b->seq, *qual = b->qual;
    const uint64_t *off = b->seq_off;
    unsigned long long n = b->count;
    uint64_t *c = counts;
    void *params[6];
    params[0] = &seq, params[1] = &qual, params[2] = &off, params[3] = &n, params[4] = &max_pos, params[5] = &c;
    return launch("fqp_k_qc", grid, block, params);
}

/* with_seq 0: the kernel gets no bases (seq NULL), as the twin with seq NULL */
static int gpu_trim(const fqp_batch *b, int with_seq, int mode, int threshold, int window, int threshold5,
                    uint64_t *start_end, unsigned grid, unsigned block)
{
    const char *seq = with_seq ? b->seq : NULL, *qual = b->qual;
    const uint64_t *off = b->seq_off;
    unsigned long long n = b->count;
    uint64_t *se = start_end;
    void *params[9];
    params[0] = &seq, params[1] = &qual, params[2] = &off, params[3] = &n, params[4] = &mode;
    params[5] = &threshold, params[6] = &window, params[7] = &threshold5, params[8] = &se;
    return launch("fqp_k_trim", grid, block, params);
}

/* first differing index, or -1 */
static long long first_diff(const uint64_t *a, const uint64_t *b, uint64_t n)
{
    uint64_t i;
    for (i = 0; i < n; i++)
        if (a[i] != b[i]) return (long long)i;
    return -1;
}

#define CHECK_SAME(a, b, n, what)                                                                        \
    do {                                                                                                 \
        long long at_ = first_diff((a), (b), (n));                                                       \
        if (at_ >= 0) {                                                                                  \
            fprintf(stderr, "  %s:%d: %s differs at %lld: %llu != %llu\n", __FILE__, __LINE__, (what),  \
                    at_, (unsigned long long)(a)[at_], (unsigned long long)(b)[at_]);                    \
            fqpt_failed = 1;                                                                             \
        }                                                                                                \
    } while (0)

/* ---- naive references, written from the definitions in fastqpar.h ---- */

static unsigned naive_phred(unsigned char c)
{
    int q = (int)c - 33;
    if (q < 0) q = 0;
    if (q > 93) q = 93;
    return (unsigned)q;
}

static int naive_base(unsigned char c)
{
    switch (c) {
    case 'A': case 'a': return 0;
    case 'C': case 'c': return 1;
    case 'G': case 'g': return 2;
    case 'T': case 't': return 3;
    default: return 4;
    }
}

static void naive_qc(const fqp_batch *b, uint32_t max_pos, uint64_t *c)
{
    uint64_t i, p;
    uint32_t mp = max_pos ? max_pos : FQP_QC_DEFAULT_MAX_POS;
    for (i = 0; i < b->count; i++) {
        const unsigned char *s = (const unsigned char *)b->seq + b->seq_off[i];
        const unsigned char *q = (const unsigned char *)b->qual + b->seq_off[i];
        uint64_t len = b->seq_off[i + 1] - b->seq_off[i], sum = 0, gc = 0;
        c[FQP_QC_READS]++;
        c[FQP_QC_BASES] += len;
        c[FQP_QC_LEN(mp, len >= mp ? mp : len)]++;
        for (p = 0; p < len; p++) {
            uint64_t bin = p >= mp ? mp : p;
            unsigned qq = naive_phred(q[p]);
            int bb = naive_base(s[p]);
            sum += qq;
            if (bb == 1 || bb == 2) gc++;
            if (qq >= 20) c[FQP_QC_Q20]++;
            if (qq >= 30) c[FQP_QC_Q30]++;
            c[FQP_QC_A + bb]++;
            c[FQP_QC_POS_QSUM(mp, bin)] += qq;
            c[FQP_QC_POS_COUNT(mp, bin)]++;
            c[FQP_QC_POS_BASE(mp, bin, bb)]++;
            c[FQP_QC_POS_QUAL(mp, bin, qq)]++;
        }
        if (len > 0) {
            c[FQP_QC_MEANQ(sum / len)]++;
            c[FQP_QC_GC(gc * 100 / len)]++;
        }
    }
}

/* BWA/cutadapt: partial sums from every index to the end, cut at the
   minimum of sum(q - threshold) scanned from the end, stopping where the
   running sum of (threshold - q) first goes negative. */
static uint64_t naive_bwa(const unsigned char *q, uint64_t len, int thr)
{
    long long s = 0, best = 0;
    uint64_t cut = len, k;
    if (thr < 0) thr = 0;
    if (thr > 94) thr = 94;
    for (k = len; k-- > 0;) {
        s += thr - (long long)naive_phred(q[k]);
        if (s < 0) break;
        if (s > best) best = s, cut = k;
    }
    return cut;
}

/* cutadapt's 5' cut: partial sums of (threshold - q) from the 5' end, stop
   at the first negative, start after the first maximum (> 0). */
static uint64_t naive_bwa5(const unsigned char *q, uint64_t len, int thr)
{
    long long s = 0, best = 0;
    uint64_t start = 0, k;
    if (thr < 0) thr = 0;
    if (thr > 94) thr = 94;
    for (k = 0; k < len; k++) {
        s += thr - (long long)naive_phred(q[k]);
        if (s < 0) break;
        if (s > best) best = s, start = k + 1;
    }
    return start;
}

/* Trimmomatic SLIDINGWINDOW, window sums as differences of prefix sums; an
   uppercase N scores 0 when s is given. */
static uint64_t naive_window(const unsigned char *s, const unsigned char *q, uint64_t len, int thr, int window)
{
    uint64_t w = window > 0 ? (uint64_t)window : 4, k, keep = len, *pre;
    if (thr < 0) thr = 0;
    if (thr > 94) thr = 94;
    if (len < w) return 0;
    pre = (uint64_t *)xrealloc(NULL, (len + 1) * sizeof *pre);
    pre[0] = 0;
    for (k = 0; k < len; k++) pre[k + 1] = pre[k] + (s && s[k] == 'N' ? 0 : naive_phred(q[k]));
    for (k = 0; k + w <= len; k++) {
        if (pre[k + w] - pre[k] < (uint64_t)thr * w) {
            keep = k == 0 ? 0 : k - 1 + w;
            break;
        }
    }
    if (keep) /* the last kept base scores at least thr */
        while (keep > 0 && pre[keep] - pre[keep - 1] < (unsigned)thr) keep--;
    free(pre);
    return keep;
}

/* ---- the twins, by hand ---- */

static void test_twins_by_hand(void)
{
    tbatch t;
    uint64_t out[5], s, e, se[4];
    fqp_trim_desc d;
    fqp_qc qc;
    const uint32_t mp = 3;
    memset(&d, 0, sizeof d);

    tb_init(&t);
    tb_add(&t, "ACGTN", "!+5?I", 5); /* Q0 Q10 Q20 Q30 Q40 */
    fqp_qual_prefix_sum(tb_batch(&t), out);
    CHECK_EQ_U64(out[0], 0);
    CHECK_EQ_U64(out[1], 10);
    CHECK_EQ_U64(out[2], 30);
    CHECK_EQ_U64(out[3], 60);
    CHECK_EQ_U64(out[4], 100);

    /* QC with max_pos 3: positions 3 and 4 of the first read share bin 3 */
    tb_add(&t, "acg", "~~\x1f", 3); /* Q93 Q93, and a byte below '!' counts as Q0 */
    tb_add(&t, "", "", 0);
    REQUIRE(fqp_qc_init(&qc, mp, NULL) == FQP_OK);
    CHECK_EQ_U64(qc.words, 204 + 102 * 4);
    fqp_qc_add_batch(&qc, tb_batch(&t));
    CHECK_EQ_U64(qc.counts[FQP_QC_READS], 3);
    CHECK_EQ_U64(qc.counts[FQP_QC_BASES], 8);
    CHECK_EQ_U64(qc.counts[FQP_QC_Q20], 5);
    CHECK_EQ_U64(qc.counts[FQP_QC_Q30], 4);
    CHECK_EQ_U64(qc.counts[FQP_QC_A], 2);
    CHECK_EQ_U64(qc.counts[FQP_QC_C], 2);
    CHECK_EQ_U64(qc.counts[FQP_QC_G], 2);
    CHECK_EQ_U64(qc.counts[FQP_QC_T], 1);
    CHECK_EQ_U64(qc.counts[FQP_QC_N], 1);
    CHECK_EQ_U64(qc.counts[FQP_QC_MEANQ(20)], 1);        /* 100 / 5 */
    CHECK_EQ_U64(qc.counts[FQP_QC_MEANQ(62)], 1);        /* 186 / 3 */
    CHECK_EQ_U64(qc.counts[FQP_QC_GC(40)], 1);           /* C G of 5 */
    CHECK_EQ_U64(qc.counts[FQP_QC_GC(66)], 1);           /* c g of 3 */
    CHECK_EQ_U64(qc.counts[FQP_QC_LEN(mp, 0)], 1);
    CHECK_EQ_U64(qc.counts[FQP_QC_LEN(mp, 3)], 2);       /* 3 and 5 (>= max_pos) */
    CHECK_EQ_U64(qc.counts[FQP_QC_POS_QSUM(mp, 0)], 93);
    CHECK_EQ_U64(qc.counts[FQP_QC_POS_QSUM(mp, 1)], 103);
    CHECK_EQ_U64(qc.counts[FQP_QC_POS_QSUM(mp, 2)], 20);
    CHECK_EQ_U64(qc.counts[FQP_QC_POS_QSUM(mp, 3)], 70); /* Q30 + Q40 */
    CHECK_EQ_U64(qc.counts[FQP_QC_POS_COUNT(mp, 3)], 2);
    CHECK_EQ_U64(qc.counts[FQP_QC_POS_BASE(mp, 3, 3)], 1);
    CHECK_EQ_U64(qc.counts[FQP_QC_POS_BASE(mp, 3, 4)], 1);
    CHECK_EQ_U64(qc.counts[FQP_QC_POS_BASE(mp, 0, 0)], 2);
    CHECK_EQ_U64(qc.counts[FQP_QC_POS_QUAL(mp, 0, 93)], 1);
    CHECK_EQ_U64(qc.counts[FQP_QC_POS_QUAL(mp, 2, 0)], 1);
    CHECK_EQ_U64(qc.counts[FQP_QC_POS_QUAL(mp, 3, 40)], 1);
    fqp_qc_free(&qc);
    fqp_qc_free(&qc); /* twice is harmless */
    CHECK_EQ_U64(fqp_qc_words(0), fqp_qc_words(FQP_QC_DEFAULT_MAX_POS));
    CHECK(fqp_qc_init(NULL, 0, NULL) == FQP_ERR_INVALID_ARGUMENT);

    /* BWA, threshold 20: I = Q40, # = Q2 */
    d.mode = FQP_TRIM_BWA, d.threshold = 20, d.window = 0;
    fqp_trim_read(NULL, "IIIIIIIIII###", 13, &d, &s, &e); /* sums 18 36 54, then falling */
    CHECK_EQ_U64(s, 0);
    CHECK_EQ_U64(e, 10);
    fqp_trim_read(NULL, "IIIII#I", 7, &d, &s, &e); /* a bad base inside a good end: first sum < 0 */
    CHECK_EQ_U64(e, 7);
    fqp_trim_read(NULL, "II#I##", 6, &d, &s, &e); /* sums 18 36 16 34 14 -6: peak 36 at 4 */
    CHECK_EQ_U64(e, 4);
    fqp_trim_read(NULL, "#####", 5, &d, &s, &e); /* all bad: everything goes */
    CHECK_EQ_U64(e, 0);
    fqp_trim_read(NULL, "", 0, &d, &s, &e);
    CHECK_EQ_U64(e, 0);
    d.threshold = 0;
    fqp_trim_read(NULL, "!!!!", 4, &d, &s, &e); /* threshold 0 trims nothing, even Q0 */
    CHECK_EQ_U64(e, 4);
    d.threshold = 500; /* acts as 94: everything goes */
    fqp_trim_read(NULL, "~~~~", 4, &d, &s, &e);
    CHECK_EQ_U64(e, 0);

    /* WINDOW 4:20 (Trimmomatic SLIDINGWINDOW:4:20) */
    d.mode = FQP_TRIM_WINDOW, d.threshold = 20, d.window = 4;
    fqp_trim_read(NULL, "IIIIIIII####", 12, &d, &s, &e); /* window at 7 fails: 10, then drop ## */
    CHECK_EQ_U64(e, 8);
    fqp_trim_read(NULL, "IIIII#", 6, &d, &s, &e); /* no window fails; the last base is dropped */
    CHECK_EQ_U64(e, 5);
    fqp_trim_read(NULL, "##IIIIII", 8, &d, &s, &e); /* sum 2+2+40+40 = 84 >= 80: kept whole */
    CHECK_EQ_U64(e, 8);
    fqp_trim_read(NULL, "###IIIII", 8, &d, &s, &e); /* the first window fails: nothing */
    CHECK_EQ_U64(e, 0);
    fqp_trim_read(NULL, "III", 3, &d, &s, &e); /* shorter than the window: nothing */
    CHECK_EQ_U64(e, 0);
    d.window = 0; /* default 4 */
    fqp_trim_read(NULL, "IIIIIIII####", 12, &d, &s, &e);
    CHECK_EQ_U64(e, 8);
    d.window = 1; /* window of 1: cut before the first base < 20 */
    fqp_trim_read(NULL, "II5+II", 6, &d, &s, &e);
    CHECK_EQ_U64(e, 3);
    d.threshold = -3;
    fqp_trim_read(NULL, "!!!", 3, &d, &s, &e);
    CHECK_EQ_U64(e, 3);

    /* other modes and a NULL desc keep everything */
    d.mode = (fqp_trim_mode)0;
    fqp_trim_read(NULL, "###", 3, &d, &s, &e);
    CHECK_EQ_U64(e, 3);
    fqp_trim_read(NULL, "###", 3, NULL, &s, &e);
    CHECK_EQ_U64(e, 3);

    /* the window rule scores an uppercase N as Q0 (Trimmomatic), only when
       the bases are given; BWA ignores the bases */
    d.mode = FQP_TRIM_WINDOW, d.threshold = 20, d.window = 4;
    fqp_trim_read("ACGTNACG", "5555IIII", 8, &d, &s, &e); /* window 1: 20+20+20+0 < 80: keep 4 */
    CHECK_EQ_U64(e, 4);
    fqp_trim_read(NULL, "5555IIII", 8, &d, &s, &e); /* without the bases: no window fails */
    CHECK_EQ_U64(e, 8);
    fqp_trim_read("ACGTACGN", "55555555", 8, &d, &s, &e); /* the last window 20+20+20+0 fails */
    CHECK_EQ_U64(e, 7);
    fqp_trim_read("NCGTACGT", "55555555", 8, &d, &s, &e); /* the first window fails */
    CHECK_EQ_U64(s, 0);
    CHECK_EQ_U64(e, 0);
    fqp_trim_read(NULL, "55555555", 8, &d, &s, &e);
    CHECK_EQ_U64(e, 8);
    fqp_trim_read("nCGTACGT", "55555555", 8, &d, &s, &e); /* lowercase n keeps its quality */
    CHECK_EQ_U64(e, 8);
    fqp_trim_read("ACGTACIN", "IIIIIIII", 8, &d, &s, &e); /* a trailing N (Q0 < 20) goes */
    CHECK_EQ_U64(e, 7);
    d.mode = FQP_TRIM_BWA;
    fqp_trim_read("ACGTACIN", "IIIIIIII", 8, &d, &s, &e);
    CHECK_EQ_U64(e, 8);

    /* BWA with a 5' cutoff (cutadapt -q 10,20): both ends from the whole read */
    d.mode = FQP_TRIM_BWA, d.threshold = 20, d.threshold5 = 10;
    fqp_trim_read(NULL, "##+IIII##", 9, &d, &s, &e); /* 5': 8 16 16 -14: start 2; 3': cut at 7 */
    CHECK_EQ_U64(s, 2);
    CHECK_EQ_U64(e, 7);
    fqp_trim_read(NULL, "#+#+", 4, &d, &s, &e); /* 5' keeps nothing, 3' cuts at 0: [0, 0) */
    CHECK_EQ_U64(s, 0);
    CHECK_EQ_U64(e, 0);
    fqp_trim_read(NULL, "#I#", 3, &d, &s, &e); /* 5': 8 -22: start 1; 3': 18 -2: end 2 */
    CHECK_EQ_U64(s, 1);
    CHECK_EQ_U64(e, 2);
    fqp_trim_read(NULL, "I#5", 3, &d, &s, &e); /* start 0 (first sum < 0); 3': 0 18 -2: end 1 */
    CHECK_EQ_U64(s, 0);
    CHECK_EQ_U64(e, 1);
    fqp_trim_read(NULL, "####I###", 8, &d, &s, &e); /* 5' start 4 >= 3' end 0: [0, 0) */
    CHECK_EQ_U64(s, 0);
    CHECK_EQ_U64(e, 0);
    fqp_trim_read(NULL, "####I", 5, &d, &s, &e); /* 5': start 4; 3': -20 at once: end 5 */
    CHECK_EQ_U64(s, 4);
    CHECK_EQ_U64(e, 5);
    d.mode = FQP_TRIM_WINDOW; /* threshold5 is not used by the window rule */
    fqp_trim_read(NULL, "+IIII", 5, &d, &s, &e);
    CHECK_EQ_U64(s, 0);
    CHECK_EQ_U64(e, 5);
    d.threshold5 = 0;

    /* batch form */
    tb_free(&t);
    tb_init(&t);
    tb_add(&t, "AAAAAAAAAAAAA", "IIIIIIIIII###", 13);
    tb_add(&t, "A", "#", 1);
    d.mode = FQP_TRIM_BWA, d.threshold = 20;
    fqp_trim_batch(tb_batch(&t), &d, se);
    CHECK_EQ_U64(se[0], 0);
    CHECK_EQ_U64(se[1], 10);
    CHECK_EQ_U64(se[2], 0);
    CHECK_EQ_U64(se[3], 0);
    tb_free(&t);
}

/* ---- the twins against naive references ---- */

static void check_qc_invariants(const uint64_t *c, uint32_t mp)
{
    uint64_t pos, q, b, sum_count = 0, sum_len = 0, sum_mean = 0, sum_gc = 0, q20 = 0, q30 = 0, base[5] = {0};
    for (pos = 0; pos <= mp; pos++) {
        uint64_t hq = 0, hb = 0, qs = 0;
        for (q = 0; q < FQP_QC_QUALS; q++) {
            hq += c[FQP_QC_POS_QUAL(mp, pos, q)];
            qs += q * c[FQP_QC_POS_QUAL(mp, pos, q)];
            if (q >= 20) q20 += c[FQP_QC_POS_QUAL(mp, pos, q)];
            if (q >= 30) q30 += c[FQP_QC_POS_QUAL(mp, pos, q)];
        }
        for (b = 0; b < 5; b++) {
            hb += c[FQP_QC_POS_BASE(mp, pos, b)];
            base[b] += c[FQP_QC_POS_BASE(mp, pos, b)];
        }
        CHECK_EQ_U64(hq, c[FQP_QC_POS_COUNT(mp, pos)]);
        CHECK_EQ_U64(hb, c[FQP_QC_POS_COUNT(mp, pos)]);
        CHECK_EQ_U64(qs, c[FQP_QC_POS_QSUM(mp, pos)]);
        sum_count += c[FQP_QC_POS_COUNT(mp, pos)];
        sum_len += c[FQP_QC_LEN(mp, pos)];
    }
    for (q = 0; q < FQP_QC_QUALS; q++) sum_mean += c[FQP_QC_MEANQ(q)];
    for (q = 0; q < FQP_QC_GC_BINS; q++) sum_gc += c[FQP_QC_GC(q)];
    CHECK_EQ_U64(sum_count, c[FQP_QC_BASES]);
    CHECK_EQ_U64(sum_len, c[FQP_QC_READS]);
    CHECK_EQ_U64(sum_mean, sum_gc);
    CHECK(sum_mean + c[FQP_QC_LEN(mp, 0)] >= c[FQP_QC_READS]);
    CHECK_EQ_U64(q20, c[FQP_QC_Q20]);
    CHECK_EQ_U64(q30, c[FQP_QC_Q30]);
    for (b = 0; b < 5; b++) CHECK_EQ_U64(base[b], c[FQP_QC_A + b]);
}

/* fqp_qc_add_batch on b equals the naive counts, and twice gives twice
   them; the counters keep their invariants. Returns whether the per-batch
   tables ran (fqp_qc_add_batch makes them on first use). */
static int qc_matches_naive(const fqp_batch *b, uint32_t max_pos)
{
    fqp_qc qc;
    uint64_t *ref, i;
    int tables;
    if (fqp_qc_init(&qc, max_pos, NULL) != FQP_OK || !(ref = (uint64_t *)calloc(qc.words, sizeof *ref))) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    fqp_qc_add_batch(&qc, b);
    naive_qc(b, max_pos, ref);
    CHECK_SAME(qc.counts, ref, qc.words, "fqp_qc_add_batch vs naive");
    check_qc_invariants(qc.counts, qc.max_pos);
    fqp_qc_add_batch(&qc, b);
    for (i = 0; i < qc.words; i++) ref[i] *= 2;
    CHECK_SAME(qc.counts, ref, qc.words, "fqp_qc_add_batch twice vs naive");
    tables = qc.scratch != NULL;
    free(ref);
    fqp_qc_free(&qc);
    return tables;
}

static void test_twins_match_naive_references(void)
{
    static const uint32_t max_pos[] = {0, 1, 2, 7, 32, 150, 5000};
    static const int thresholds[] = {-1, 0, 1, 10, 20, 30, 40, 93, 94, 200};
    static const int windows[] = {-2, 0, 1, 2, 4, 5, 10, 40, 1000};
    tbatch t;
    const fqp_batch *b;
    size_t m, ti, wi;
    uint64_t i, *se;
    tb_init(&t);
    tb_random(&t, 600, -1);
    b = tb_batch(&t);
    for (m = 0; m < sizeof max_pos / sizeof max_pos[0]; m++) qc_matches_naive(b, max_pos[m]);
    se = (uint64_t *)malloc(2 * b->count * sizeof *se);
    REQUIRE(se);
    for (ti = 0; ti < sizeof thresholds / sizeof thresholds[0]; ti++) {
        fqp_trim_desc d;
        size_t t5;
        memset(&d, 0, sizeof d);
        d.mode = FQP_TRIM_BWA, d.threshold = thresholds[ti], d.window = 0;
        for (t5 = 0; t5 < 4; t5++) { /* 5' cutoffs: none, 10, the same, 93 */
            d.threshold5 = t5 == 0 ? 0 : t5 == 1 ? 10 : t5 == 2 ? thresholds[ti] : 93;
            fqp_trim_batch(b, &d, se);
            for (i = 0; i < b->count; i++) {
                const unsigned char *q = (const unsigned char *)b->qual + b->seq_off[i];
                uint64_t len = b->seq_off[i + 1] - b->seq_off[i], e = naive_bwa(q, len, d.threshold);
                uint64_t s = d.threshold5 > 0 ? naive_bwa5(q, len, d.threshold5) : 0;
                if (s >= e) s = e = 0;
                CHECK_EQ_U64(se[2 * i], s);
                CHECK_EQ_U64(se[2 * i + 1], e);
            }
        }
        d.threshold5 = 0;
        for (wi = 0; wi < sizeof windows / sizeof windows[0]; wi++) {
            d.mode = FQP_TRIM_WINDOW, d.window = windows[wi];
            d.threshold5 = (int)wi; /* not used by the window rule */
            fqp_trim_batch(b, &d, se);
            for (i = 0; i < b->count; i++) {
                const unsigned char *q = (const unsigned char *)b->qual + b->seq_off[i];
                const unsigned char *s = (const unsigned char *)b->seq + b->seq_off[i];
                uint64_t len = b->seq_off[i + 1] - b->seq_off[i], s0, e0;
                CHECK_EQ_U64(se[2 * i], 0);
                CHECK_EQ_U64(se[2 * i + 1], naive_window(s, q, len, d.threshold, d.window));
                fqp_trim_read(NULL, (const char *)q, len, &d, &s0, &e0); /* no bases: N by its quality */
                CHECK_EQ_U64(e0, naive_window(NULL, q, len, d.threshold, d.window));
            }
        }
    }
    free(se);
    tb_free(&t);
}

/* fqp_qc_add_batch folds many short reads through per-batch tables and
   counts few or long ones directly: both give the naive counts, with
   reads longer than max_pos, every byte value, and a second batch on top
   (the tables are left clean). 5000 reads take the tables for these
   max_pos values, 20 reads the direct loop. */
static void test_qc_table_and_direct(void)
{
    static const uint32_t max_pos[] = {1, 7, 32, 150, 400};
    static const uint64_t reads[] = {5000, 20};
    size_t m, r;
    for (r = 0; r < 2; r++) {
        tbatch t;
        tb_init(&t);
        tb_random(&t, reads[r], -1);
        for (m = 0; m < sizeof max_pos / sizeof max_pos[0]; m++)
            CHECK(qc_matches_naive(tb_batch(&t), max_pos[m]) == (r == 0)); /* which path ran */
        tb_free(&t);
    }
}

/* ---- emulated kernels against the twins ---- */

/* Runs all three kernels on b with the documented geometry (or grid/block
   when nonzero) and compares each with its twin. */
static void compare_all(const fqp_batch *b, unsigned grid, unsigned block, const uint32_t *max_pos, size_t n_max_pos,
                        const char *what)
{
    /* {mode, threshold, window, threshold5}: every branch of both rules,
       clamped thresholds, windows around the warp width, 5' cutoffs; the
       twins meet many more combinations in test_twins_match_naive_references */
    static const int trims[][4] = {
        {0, 20, 4, 0}, {7, 20, 4, 0}, {1, -5, 0, 0}, {1, 0, 0, 0}, {1, 3, 0, 0}, {1, 20, 0, 0}, {1, 28, 0, 0},
        {1, 94, 0, 0}, {1, 1000, 0, 0}, {1, 20, 0, 5}, {1, 20, 0, 20}, {1, 0, 0, 30}, {1, 28, 0, -4},
        {1, 3, 0, 1000}, {2, 20, 0, 0}, {2, 20, 1, 0}, {2, 28, 4, 9}, {2, 3, 31, 0}, {2, 20, 32, 0},
        {2, 28, 33, 0}, {2, 20, 200, 0}, {2, 0, 4, 0}, {2, 94, 4, 0}, {2, -5, 4, 0}, {2, 1000, 2, 0},
        {2, 30, -3, 0}};
    uint64_t n = b->count, bases = b->bases;
    uint64_t *cpu = (uint64_t *)malloc((bases + 1) * sizeof *cpu), *gpu = (uint64_t *)malloc((bases + 1) * sizeof *gpu);
    uint64_t *se_cpu = (uint64_t *)malloc((2 * n + 1) * sizeof *se_cpu);
    uint64_t *se_gpu = (uint64_t *)malloc((2 * n + 1) * sizeof *se_gpu);
    size_t m, i;
    unsigned blk = block ? block : 256;
    if (!cpu || !gpu || !se_cpu || !se_gpu) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    fprintf(stderr, "  [%s: %llu reads, %llu bases]\n", what, (unsigned long long)n, (unsigned long long)bases);

    fqp_qual_prefix_sum(b, cpu);
    memset(gpu, 0xa5, (bases + 1) * sizeof *gpu);
    CHECK(gpu_prefix(b, gpu, grid ? grid : grid_prefix(n), blk) == 0);
    CHECK_SAME(gpu, cpu, bases, "fqp_k_qual_prefix_sum");
    CHECK_EQ_U64(gpu[bases], 0xa5a5a5a5a5a5a5a5ull); /* nothing written past the end */

    for (m = 0; m < n_max_pos; m++) {
        fqp_qc qc;
        uint64_t *dev;
        if (fqp_qc_init(&qc, max_pos[m], NULL) != FQP_OK) {
            fqpt_failed = 1;
            break;
        }
        dev = (uint64_t *)calloc(qc.words, sizeof *dev);
        if (!dev) exit(2);
        fqp_qc_add_batch(&qc, b);
        CHECK(gpu_qc(b, max_pos[m], dev, grid ? grid : grid_qc(n), blk) == 0);
        CHECK_SAME(dev, qc.counts, qc.words, "fqp_k_qc");
        /* a second batch accumulates on top, as on the device */
        fqp_qc_add_batch(&qc, b);
        CHECK(gpu_qc(b, max_pos[m], dev, grid ? grid : grid_qc(n), blk) == 0);
        CHECK_SAME(dev, qc.counts, qc.words, "fqp_k_qc twice");
        free(dev);
        fqp_qc_free(&qc);
    }

    for (i = 0; i < sizeof trims / sizeof trims[0]; i++) {
        fqp_trim_desc d;
        char msg[128];
        int with_seq;
        uint64_t r;
        memset(&d, 0, sizeof d);
        d.mode = (fqp_trim_mode)trims[i][0], d.threshold = trims[i][1], d.window = trims[i][2];
        d.threshold5 = trims[i][3];
        for (with_seq = 1; with_seq >= 0; with_seq--) { /* the bases, or none (seq NULL) */
            if (with_seq) fqp_trim_batch(b, &d, se_cpu);
            else
                for (r = 0; r < n; r++)
                    fqp_trim_read(NULL, b->qual + b->seq_off[r], b->seq_off[r + 1] - b->seq_off[r], &d, &se_cpu[2 * r],
                                  &se_cpu[2 * r + 1]);
            memset(se_gpu, 0xa5, (2 * n + 1) * sizeof *se_gpu);
            CHECK(gpu_trim(b, with_seq, trims[i][0], trims[i][1], trims[i][2], trims[i][3], se_gpu,
                           grid ? grid : grid_trim(n), blk) == 0);
            snprintf(msg, sizeof msg, "fqp_k_trim mode %d threshold %d window %d threshold5 %d%s", trims[i][0],
                     trims[i][1], trims[i][2], trims[i][3], with_seq ? "" : " without bases");
            CHECK_SAME(se_gpu, se_cpu, 2 * n, msg);
            CHECK_EQ_U64(se_gpu[2 * n], 0xa5a5a5a5a5a5a5a5ull);
        }
    }
    free(cpu);
    free(gpu);
    free(se_cpu);
    free(se_gpu);
}

static const uint32_t MAX_POS_SET[] = {0, 1, 7, 64, 151};

static void test_random_batches(void)
{
    int profile;
    for (profile = 0; profile < 4; profile++) {
        tbatch t;
        char what[64];
        tb_init(&t);
        tb_random(&t, 400, profile);
        snprintf(what, sizeof what, "random, quality profile %d", profile);
        compare_all(tb_batch(&t), 0, 0, MAX_POS_SET, sizeof MAX_POS_SET / sizeof MAX_POS_SET[0], what);
        tb_free(&t);
    }
}

/* Illumina-shaped batch: many 150 bp reads, more reads than warps. */
static void test_short_read_batch(void)
{
    tbatch t;
    uint64_t i;
    tb_init(&t);
    for (i = 0; i < 3000; i++) {
        uint64_t at = tb_add(&t, NULL, NULL, 150);
        fill_read(t.seq + at, t.qual + at, 150, 1);
    }
    compare_all(tb_batch(&t), 0, 0, MAX_POS_SET, 2, "3000 x 150 bp");
    /* fewer warps than reads: the grid-stride loops do the rest */
    compare_all(tb_batch(&t), 3, 64, MAX_POS_SET, 2, "3000 x 150 bp on 3 blocks of 64");
    tb_free(&t);
}

static void test_edge_batches(void)
{
    tbatch t;
    uint64_t at;
    char s[2], q[2];
    int c;
    /* one record of each kind */
    tb_init(&t);
    tb_add(&t, "", "", 0);
    compare_all(tb_batch(&t), 0, 0, MAX_POS_SET, 2, "one empty read");
    tb_free(&t);
    for (c = 0; c < 3; c++) {
        tb_init(&t);
        s[0] = "AgN"[c];
        q[0] = "!~I"[c];
        tb_add(&t, s, q, 1);
        compare_all(tb_batch(&t), 0, 0, MAX_POS_SET, 3, "one 1 bp read");
        tb_free(&t);
    }
    /* only empty reads */
    tb_init(&t);
    for (c = 0; c < 100; c++) tb_add(&t, "", "", 0);
    compare_all(tb_batch(&t), 0, 0, MAX_POS_SET, 2, "100 empty reads");
    tb_free(&t);
    /* all Q0 and all Q93, all N, lowercase */
    tb_init(&t);
    at = tb_add(&t, NULL, NULL, 500);
    memset(t.seq + at, 'N', 500);
    memset(t.qual + at, '!', 500);
    at = tb_add(&t, NULL, NULL, 500);
    memset(t.seq + at, 'c', 500);
    memset(t.qual + at, '~', 500);
    at = tb_add(&t, NULL, NULL, 77);
    memset(t.seq + at, 'g', 77);
    memset(t.qual + at, '5', 77);
    compare_all(tb_batch(&t), 0, 0, MAX_POS_SET, sizeof MAX_POS_SET / sizeof MAX_POS_SET[0], "Q0, Q93, N, lowercase");
    tb_free(&t);
    /* no reads: the kernels run with grid 1 and must touch nothing */
    tb_init(&t);
    compare_all(tb_batch(&t), 0, 0, MAX_POS_SET, 1, "no reads");
    tb_free(&t);
}

/* 1 Mbp reads: one warp walks 31250 bases per lane; QC sends almost all of
   it to the last bin. */
static void test_long_reads(void)
{
    static const uint32_t mp[] = {0, 100000};
    tbatch t;
    uint64_t at, i;
    const uint64_t len = 1000000;
    tb_init(&t);
    at = tb_add(&t, NULL, NULL, len);
    fill_read(t.seq + at, t.qual + at, len, 1);
    compare_all(tb_batch(&t), 0, 0, mp, 2, "one 1 Mbp read");
    /* high quality throughout (the window scan crosses the whole read), a
       long low-quality read (BWA scans it all), and short reads around them */
    at = tb_add(&t, NULL, NULL, len);
    fill_read(t.seq + at, t.qual + at, len, 0);
    for (i = 0; i < len; i++) t.qual[at + i] = (char)('I' + (int)(i % 7));
    at = tb_add(&t, NULL, NULL, len + 17);
    fill_read(t.seq + at, t.qual + at, len + 17, 0);
    for (i = 0; i < len + 17; i++) t.qual[at + i] = (char)('!' + (int)(i % 5));
    tb_random(&t, 50, 1);
    compare_all(tb_batch(&t), 0, 0, mp, 1, "three 1 Mbp reads and 50 short ones");
    tb_free(&t);
}

/* Any grid and any block size that is a multiple of 32 gives the same result. */
static void test_geometry_independence(void)
{
    static const unsigned geometry[][2] = {{1, 32}, {2, 96}, {5, 64}, {1, 1024}, {40, 128}};
    tbatch t;
    size_t i;
    tb_init(&t);
    tb_random(&t, 120, -1);
    for (i = 0; i < sizeof geometry / sizeof geometry[0]; i++) {
        char what[64];
        snprintf(what, sizeof what, "grid %u, block %u", geometry[i][0], geometry[i][1]);
        compare_all(tb_batch(&t), geometry[i][0], geometry[i][1], MAX_POS_SET, 2, what);
    }
    tb_free(&t);
}

/* Per-consumer QC arrays merge by addition: two halves merged with
   fqp_qc_add_counts equal the whole, and the device array merges the same way. */
static void test_qc_merge(void)
{
    tbatch a, b, all;
    fqp_qc qa, qb, qall, merged;
    uint64_t *dev, i;
    tb_init(&a);
    tb_init(&b);
    tb_init(&all);
    tb_random(&a, 200, -1);
    tb_random(&b, 150, 1);
    for (i = 0; i < a.n; i++) tb_add(&all, a.seq + a.off[i], a.qual + a.off[i], a.off[i + 1] - a.off[i]);
    for (i = 0; i < b.n; i++) tb_add(&all, b.seq + b.off[i], b.qual + b.off[i], b.off[i + 1] - b.off[i]);
    REQUIRE(fqp_qc_init(&qa, 50, NULL) == FQP_OK);
    REQUIRE(fqp_qc_init(&qb, 50, NULL) == FQP_OK);
    REQUIRE(fqp_qc_init(&qall, 50, NULL) == FQP_OK);
    REQUIRE(fqp_qc_init(&merged, 50, NULL) == FQP_OK);
    fqp_qc_add_batch(&qa, tb_batch(&a));
    fqp_qc_add_batch(&qb, tb_batch(&b));
    fqp_qc_add_batch(&qall, tb_batch(&all));
    fqp_qc_add_counts(&merged, qa.counts);
    fqp_qc_add_counts(&merged, qb.counts);
    CHECK_SAME(merged.counts, qall.counts, qall.words, "merged halves");
    /* CPU half + GPU half */
    dev = (uint64_t *)calloc(qall.words, sizeof *dev);
    REQUIRE(dev);
    CHECK(gpu_qc(tb_batch(&b), 50, dev, grid_qc(b.n), 256) == 0);
    fqp_qc_add_counts(&qa, dev);
    CHECK_SAME(qa.counts, qall.counts, qall.words, "CPU half + device half");
    free(dev);
    fqp_qc_free(&qa);
    fqp_qc_free(&qb);
    fqp_qc_free(&qall);
    fqp_qc_free(&merged);
    tb_free(&a);
    tb_free(&b);
    tb_free(&all);
}

static void test_launch_rejects(void)
{
    unsigned g[3] = {1, 1, 1}, bl[3] = {32, 1, 1}, big[3] = {2048, 1, 1}, zero[3] = {0, 1, 1};
    void *params[7] = {0};
    CHECK_EQ_INT(fqp_emu_launch("fqp_k_nope", g, bl, 0, params), -1);
    CHECK_EQ_INT(fqp_emu_launch(NULL, g, bl, 0, params), -1);
    CHECK_EQ_INT(fqp_emu_launch("fqp_k_trim", g, big, 0, params), -1);
    CHECK_EQ_INT(fqp_emu_launch("fqp_k_trim", zero, bl, 0, params), -1);
    CHECK_EQ_INT(fqp_emu_launch("fqp_k_trim", g, zero, 0, params), -1);
}

/* Not a test: how fast the CPU twins run (printed, never checked). */
static void report_twin_speed(void)
{
    tbatch t;
    uint64_t i, *buf;
    fqp_qc qc;
    fqp_trim_desc d;
    struct timespec t0, t1;
    memset(&d, 0, sizeof d);
    double s_prefix, s_qc, s_trim;
    tb_init(&t);
    for (i = 0; i < 20000; i++) {
        uint64_t at = tb_add(&t, NULL, NULL, 150);
        fill_read(t.seq + at, t.qual + at, 150, 1);
    }
    buf = (uint64_t *)malloc(t.bases * sizeof *buf);
    if (!buf || fqp_qc_init(&qc, 0, NULL) != FQP_OK) exit(2);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (i = 0; i < 10; i++) fqp_qual_prefix_sum(tb_batch(&t), buf);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    s_prefix = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    t0 = t1;
    for (i = 0; i < 10; i++) fqp_qc_add_batch(&qc, tb_batch(&t));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    s_qc = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    t0 = t1;
    d.mode = FQP_TRIM_WINDOW, d.threshold = 20, d.window = 4;
    for (i = 0; i < 10; i++) fqp_trim_batch(tb_batch(&t), &d, buf);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    s_trim = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    fprintf(stderr, "  CPU twins, bases/s on 150 bp reads: prefix sums %.0f M, QC %.0f M, window trim %.0f M\n",
            10.0 * (double)t.bases / s_prefix / 1e6, 10.0 * (double)t.bases / s_qc / 1e6,
            10.0 * (double)t.bases / s_trim / 1e6);
    fqp_qc_free(&qc);
    free(buf);
    tb_free(&t);
}

int main(void)
{
    RUN(test_twins_by_hand);
    RUN(test_twins_match_naive_references);
    RUN(test_qc_table_and_direct);
    RUN(test_launch_rejects);
    RUN(test_edge_batches);
    RUN(test_random_batches);
    RUN(test_short_read_batch);
    RUN(test_geometry_independence);
    RUN(test_qc_merge);
    RUN(test_long_reads);
    if (getenv("FQP_KERNEL_SPEED")) report_twin_speed();
    TEST_EXIT();
}
