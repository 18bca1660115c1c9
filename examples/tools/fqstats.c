/* fqstats - per-file FASTQ statistics like `seqkit stats`, built on fastqpar.

   Build: make build/fqstats      (or: cc -std=c11 -O2 -I. examples/tools/fqstats.c -lz -lpthread -lm)
   Run:   fqstats -a -T reads_1.fq.gz reads_2.fq.gz

   How it uses fastqpar (the pattern to copy for any "reduce" over reads):
     - one fqp_pipeline_run() per file;
     - every consumer thread counts into its own fqs_counts (the pipeline's
       zeroed per-consumer state), so process() takes no lock at all;
     - init() allocates the state's heap arrays, fini() frees them;
     - merge() adds each consumer's counts into the file's total on the
       calling thread after every consumer has finished.

   Memory does not grow with the number of reads: read lengths go into a
   histogram (dense counts below FQS_DENSE_MAX, compacted (length, count)
   pairs above), and quartiles and N50 are read off the histogram. Besides
   fastqpar's batches, each consumer holds at most 512 KiB of dense counts.

   GPU consumers (fastqpar_cuda.h) join the CPU consumers when a usable GPU
   exists: the QC kernel counts the per-base statistics (bases by kind and
   position, qualities, Q20/Q30) in device memory, fetched once per file;
   the per-read ones (lengths, type, gaps) are counted by on_results on the
   GPU consumer's thread. Both paths give the same numbers to the last digit
   (tests/test_fqstats.sh runs both over the same files). */
#define _POSIX_C_SOURCE 200809L /* fqprogress.h, fqcli.h: isatty, fileno, fstat */
#define FASTQPAR_IMPLEMENTATION
#include "fastqpar_cuda.h" /* brings fastqpar.h */
#include "fqcli.h"
#include "fqfastqc.h"
#include "fqhtml.h"
#include "fqmultiqc.h"
#include "fqprogress.h"

#include <inttypes.h>
#include <math.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char FQS_SYNOPSIS[] =
    "usage: fqstats [-a] [-T] [--json] [--multiqc F_mqc.json] [-e] [-j N] [--cpu|--gpu] [-v] [FILE...]\n"
    "       fqstats --per-position [--max-pos N] [-q Q] [--json] [--multiqc F_mqc.json] [-j N] [FILE...]\n"
    "       fqstats [--html F.html] [--fastqc-data PATH [--nogroup]] [--counts F.json [--label NAME]]\n"
    "               [--shard I/N] [FILE...]\n"
    "       fqstats --merge [-a] [-T] [--json] [--per-position] [--html F] [--fastqc-data F] F.json...\n";

static const char FQS_ABOUT[] =
    "Statistics of FASTQ files (plain or gzip), one row per file, computed like\n"
    "`seqkit stats`. FILE '-' reads stdin; no FILE reads stdin unless it is a\n"
    "terminal (then the usage, exit 2). A FILE that cannot be read gets no row:\n"
    "the error names it (record, line, byte), the other files are still counted\n"
    "and printed, and the exit status is 1 (nothing is printed if every FILE\n"
    "failed). Values: -j 4, -j4, -j=4, --threads 4, --threads=4; '--' ends options.\n";

static const char FQS_EPILOG[] =
    "--per-position --json: [{\"file\", \"min_len\", \"max_len\", \"avg_len\",\n"
    "  \"quality_values\", \"all\": {row}, \"positions\": [{\"pos\": 1, row}, ...]}]\n"
    "  where a row is {\"bases\", \"a_pct\" .. \"n_pct\", \"avg_q\", \"err_q\",\n"
    "  \"low_pct\", \"high_pct\"} (-q 0: \"qN_pct\" for each quality seen), null\n"
    "  where the table has nan; the N+1+ row of --max-pos has \"and_after\": true.\n"
    "  Every position has its row, as in seqtk, also for reads of 1 Mbp: about\n"
    "  0.8 KB per position of the longest read, per consumer thread.\n"
    "Columns:\n"
    "  format   FASTQ; empty for an input without records (as seqkit)\n"
    "  type     guessed as seqkit does, from the first 10000 letters of the first\n"
    "           record: DNA if all are ACGTN, IUPAC codes or gaps; else RNA (U\n"
    "           instead of T); else Protein; else Unlimit (also when the first\n"
    "           record is empty); empty for an input without records\n"
    "  avg_len  mean length, rounded half up to 1 decimal\n"
    "  Q1 Q2 Q3 quartiles of read length: Q2 is the median; Q1 and Q3 are the\n"
    "           medians of the lower and the upper half, each half including the\n"
    "           median when the count is odd (Tukey's hinges). Same as seqkit\n"
    "           2.3.0, except that seqkit prints length/2 for Q1 and Q3 when all\n"
    "           reads have one length; fqstats prints that length\n"
    "  sum_gap  count of the gap letters '-', '.' and ' ' in sequences\n"
    "  N50      the largest length L such that reads of length >= L hold at\n"
    "           least half of sum_len\n"
    "  Q20(%) Q30(%)  percent of bases whose Phred+33 quality is >= 20, >= 30\n"
    "  GC(%)    percent of letters G, C, g, c among all letters (N, gaps and\n"
    "           IUPAC codes such as S count in the denominator only)\n"
    "  Percentages are rounded half up to 2 decimals, as seqkit does.\n";

/* ---- the length histogram ------------------------------------------------- */

enum { FQS_DENSE_MAX = 65536 };    /* lengths below this are counted in an array */
enum { FQS_DENSE_START = 256 };    /* first array size; it doubles up to FQS_DENSE_MAX */
enum { FQS_GUESS_LETTERS = 10000 }; /* seqkit guesses the type from this prefix */

typedef struct fqs_length_count {
    uint64_t length, count;
} fqs_length_count;

/* Counts of read lengths. Short reads (the common case) cost one increment in
   `dense` (at most 512 KiB, and only as long as the longest short read needs);
   long reads go to `sparse`, which is sorted and folded whenever it fills, so
   its size follows the number of distinct long lengths (at most 4 entries
   each), not the number of reads. Even when every long length differs, each
   entry stands for at least 64 KiB of input: under 0.1% of the input size. */
typedef struct fqs_histogram {
    uint64_t *dense;           /* dense[len]: reads of length len, len < dense_size */
    size_t dense_size;         /* a power of two, at most FQS_DENSE_MAX */
    fqs_length_count *sparse;  /* lengths >= FQS_DENSE_MAX, sorted after compact */
    size_t sparse_count, sparse_capacity;
} fqs_histogram;

static void fqs_histogram_free(fqs_histogram *h) {
    free(h->dense);
    free(h->sparse);
    memset(h, 0, sizeof *h);
}

/* Makes dense[length] addressable (length < FQS_DENSE_MAX). 0 or -1 (no memory). */
static int fqs_histogram_grow_dense(fqs_histogram *h, uint64_t length) {
    size_t size = h->dense_size ? h->dense_size : FQS_DENSE_START;
    uint64_t *dense;
    while (size <= length) size *= 2;  /* stops at FQS_DENSE_MAX at the latest */
    dense = (uint64_t *)realloc(h->dense, size * sizeof *dense);
    if (!dense) return -1;
    memset(dense + h->dense_size, 0, (size - h->dense_size) * sizeof *dense);
    h->dense = dense;
    h->dense_size = size;
    return 0;
}

static int fqs_compare_length(const void *a, const void *b) {
    uint64_t x = ((const fqs_length_count *)a)->length, y = ((const fqs_length_count *)b)->length;
    return (x > y) - (x < y);
}

/* Sorts `sparse` by length and folds equal lengths into one entry. */
static void fqs_histogram_compact(fqs_histogram *h) {
    size_t i, out = 0;
    if (h->sparse_count < 2) return;
    qsort(h->sparse, h->sparse_count, sizeof *h->sparse, fqs_compare_length);
    for (i = 1; i < h->sparse_count; i++) {
        if (h->sparse[i].length == h->sparse[out].length)
            h->sparse[out].count += h->sparse[i].count;
        else
            h->sparse[++out] = h->sparse[i];
    }
    h->sparse_count = out + 1;
}

/* Adds `count` reads of `length`. 0 or -1 (no memory). */
static int fqs_histogram_add(fqs_histogram *h, uint64_t length, uint64_t count) {
    if (length < FQS_DENSE_MAX) {
        if (length >= h->dense_size && fqs_histogram_grow_dense(h, length) != 0) return -1;
        h->dense[length] += count;
        return 0;
    }
    if (h->sparse_count == h->sparse_capacity) {
        /* Fold repeats first; grow only if that freed less than half. */
        fqs_histogram_compact(h);
        if (h->sparse_count >= h->sparse_capacity / 2) {
            size_t capacity = h->sparse_capacity ? h->sparse_capacity * 2 : 64;
            fqs_length_count *sparse;
            if (capacity > SIZE_MAX / sizeof *sparse) return -1;
            sparse = (fqs_length_count *)realloc(h->sparse, capacity * sizeof *sparse);
            if (!sparse) return -1;
            h->sparse = sparse;
            h->sparse_capacity = capacity;
        }
    }
    h->sparse[h->sparse_count].length = length;
    h->sparse[h->sparse_count].count = count;
    h->sparse_count++;
    return 0;
}

/* into += from. 0 or -1 (no memory). */
static int fqs_histogram_merge(fqs_histogram *into, const fqs_histogram *from) {
    size_t i;
    if (from->dense_size > into->dense_size &&
        fqs_histogram_grow_dense(into, from->dense_size - 1) != 0)
        return -1;
    for (i = 0; i < from->dense_size; i++) into->dense[i] += from->dense[i];
    for (i = 0; i < from->sparse_count; i++)
        if (fqs_histogram_add(into, from->sparse[i].length, from->sparse[i].count) != 0) return -1;
    return 0;
}

/* The length at 0-based position `rank` of all lengths sorted ascending.
   Needs a compacted histogram and rank < number of reads. */
static uint64_t fqs_histogram_at(const fqs_histogram *h, uint64_t rank) {
    uint64_t seen = 0;
    size_t i;
    for (i = 0; i < h->dense_size; i++) {
        seen += h->dense[i];
        if (seen > rank) return i;
    }
    for (i = 0; i < h->sparse_count; i++) {
        seen += h->sparse[i].count;
        if (seen > rank) return h->sparse[i].length;
    }
    return 0; /* not reached when rank < number of reads */
}

/* Twice the median of the sorted lengths at positions first .. first+n-1
   (n >= 1). Twice, so that a median between two lengths (x.5) stays exact. */
static uint64_t fqs_median_x2(const fqs_histogram *h, uint64_t first, uint64_t n) {
    uint64_t middle = first + n / 2;
    if (n % 2 == 1) return 2 * fqs_histogram_at(h, middle);
    return fqs_histogram_at(h, middle - 1) + fqs_histogram_at(h, middle);
}

/* N50: walking from the longest reads down, the length at which the running
   sum of lengths first reaches half of `sum`. Needs a compacted histogram. */
static uint64_t fqs_histogram_n50(const fqs_histogram *h, uint64_t sum) {
    uint64_t running = 0;
    size_t i;
    for (i = h->sparse_count; i-- > 0;) {
        running += h->sparse[i].length * h->sparse[i].count;
        if (running >= sum - running) return h->sparse[i].length; /* 2*running >= sum, no overflow */
    }
    for (i = h->dense_size; i-- > 0;) {
        running += i * h->dense[i];
        if (h->dense[i] && running >= sum - running) return i;
    }
    return 0; /* no reads */
}

/* ---- what one consumer (and the merged total) counts ---------------------- */

typedef enum fqs_type {
    FQS_TYPE_NONE = 0, /* no record seen (yet) */
    FQS_TYPE_DNA,
    FQS_TYPE_RNA,
    FQS_TYPE_PROTEIN,
    FQS_TYPE_UNLIMIT
} fqs_type;

static const char *const FQS_TYPE_NAMES[] = {"", "DNA", "RNA", "Protein", "Unlimit"};

typedef struct fqs_counts {
    uint64_t records, bases, min_len, max_len;
    uint64_t gc, gaps, q20, q30;
    uint64_t other;        /* letters other than A C G T N in either case */
    fqs_type type;         /* set by the one consumer that receives record 1 */
    fqs_histogram lengths;
    fqp_qc qc;             /* per-position counts, with --per-position or full */
    uint32_t max_pos;      /* in the total (user): 0 = no per-position counts, else qc's first size */
    int pos_grow;          /* in the total: no --max-pos, qc grows with the longest read */
    /* full (--counts, --fastqc-data, --html): every counter at once, qc growing */
    int full;              /* in the total */
    fqs_histogram gc_reads;  /* reads by FastQC's (cut length, G+C) pair, keyed by fqs_gc_key */
    uint64_t *pos_other;   /* [pos_other_size]: letters but ACGTN (either case) at each position */
    uint64_t pos_other_size;
} fqs_counts;

/* Letter classes for the per-base loop: bit 0 = G or C, bit 1 = gap, bit 2
   = one of ACGTN in either case (the rest are "other letters"). The GC
   letters are seqkit's: only G, C, g, c (not S). */
enum { FQS_GC = 1, FQS_GAP = 2, FQS_ACGTN = 4 };
static const unsigned char FQS_LETTER_CLASS[256] = {
    ['G'] = FQS_GC | FQS_ACGTN, ['C'] = FQS_GC | FQS_ACGTN, ['g'] = FQS_GC | FQS_ACGTN, ['c'] = FQS_GC | FQS_ACGTN,
    ['A'] = FQS_ACGTN, ['T'] = FQS_ACGTN, ['N'] = FQS_ACGTN, ['a'] = FQS_ACGTN, ['t'] = FQS_ACGTN, ['n'] = FQS_ACGTN,
    ['-'] = FQS_GAP, ['.'] = FQS_GAP, [' '] = FQS_GAP,
};

/* The per-base counts of -a: G/C letters, gaps, bases of Q >= 20 and Q >= 30,
   letters other than ACGTN over n bases. out[] += {gc, gaps, q20, q30,
   other}. With SSE2, 16 bases at a time into byte counters (a compare gives
   -1 per match: subtracting it counts), summed every 255 blocks before a
   byte could overflow; the scalar loop is the reference and takes the tail. */
static void fqs_count_bases(const unsigned char *seq, const unsigned char *qual, uint64_t n, uint64_t out[5]) {
    uint64_t i = 0, gc = 0, gaps = 0, q20 = 0, q30 = 0, acgtn = 0;
#ifdef __SSE2__
    const __m128i zero = _mm_setzero_si128(), lower = _mm_set1_epi8(0x20), g = _mm_set1_epi8('g'),
                  c = _mm_set1_epi8('c'), a = _mm_set1_epi8('a'), t = _mm_set1_epi8('t'), nn = _mm_set1_epi8('n'),
                  dash = _mm_set1_epi8('-'), dot = _mm_set1_epi8('.'), space = _mm_set1_epi8(' '),
                  min20 = _mm_set1_epi8(33 + 20), min30 = _mm_set1_epi8(33 + 30);
    while (i + 16 <= n) {
        __m128i a_gc = zero, a_gap = zero, a20 = zero, a30 = zero, a_acgtn = zero;
        uint64_t sums[2];
        int k;
        for (k = 0; k < 255 && i + 16 <= n; k++, i += 16) {
            __m128i s = _mm_loadu_si128((const __m128i *)(const void *)(seq + i));
            __m128i q = _mm_loadu_si128((const __m128i *)(const void *)(qual + i));
            __m128i f = _mm_or_si128(s, lower); /* case folded: only A/a become a, C/c c, and so on */
            __m128i is_gc = _mm_or_si128(_mm_cmpeq_epi8(f, g), _mm_cmpeq_epi8(f, c));
            a_gc = _mm_sub_epi8(a_gc, is_gc);
            a_acgtn = _mm_sub_epi8(a_acgtn, _mm_or_si128(_mm_or_si128(is_gc, _mm_cmpeq_epi8(f, a)),
                                                         _mm_or_si128(_mm_cmpeq_epi8(f, t), _mm_cmpeq_epi8(f, nn))));
            a_gap = _mm_sub_epi8(a_gap, _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(s, dash), _mm_cmpeq_epi8(s, dot)),
                                                     _mm_cmpeq_epi8(s, space)));
            a20 = _mm_sub_epi8(a20, _mm_cmpeq_epi8(_mm_max_epu8(q, min20), q)); /* q >= 53, unsigned */
            a30 = _mm_sub_epi8(a30, _mm_cmpeq_epi8(_mm_max_epu8(q, min30), q));
        }
        _mm_storeu_si128((__m128i *)(void *)sums, _mm_sad_epu8(a_gc, zero));
        gc += sums[0] + sums[1];
        _mm_storeu_si128((__m128i *)(void *)sums, _mm_sad_epu8(a_gap, zero));
        gaps += sums[0] + sums[1];
        _mm_storeu_si128((__m128i *)(void *)sums, _mm_sad_epu8(a20, zero));
        q20 += sums[0] + sums[1];
        _mm_storeu_si128((__m128i *)(void *)sums, _mm_sad_epu8(a30, zero));
        q30 += sums[0] + sums[1];
        _mm_storeu_si128((__m128i *)(void *)sums, _mm_sad_epu8(a_acgtn, zero));
        acgtn += sums[0] + sums[1];
    }
#endif
    for (; i < n; i++) {
        unsigned letter = FQS_LETTER_CLASS[seq[i]];
        gc += letter & FQS_GC;
        gaps += (letter & FQS_GAP) >> 1;
        acgtn += letter >> 2;
        q20 += qual[i] >= 33 + 20; /* Phred+33 */
        q30 += qual[i] >= 33 + 30;
    }
    out[0] += gc;
    out[1] += gaps;
    out[2] += q20;
    out[3] += q30;
    out[4] += n - acgtn;
}

static int fqs_all_in(const char *letters, const char *seq, uint64_t len) {
    uint64_t i;
    for (i = 0; i < len; i++)
        if (seq[i] == '\0' || !strchr(letters, seq[i])) return 0;
    return 1;
}

/* seqkit's guess from the first record. Its order (DNA, RNA, IUPAC DNA, IUPAC
   RNA, Protein) comes down to these three sets, tried in turn. */
static fqs_type fqs_guess_type(const char *seq, uint64_t len) {
    static const char dna[] = "ACGTRYSWKMBDHVNacgtryswkmbdhvn-. ";
    static const char rna[] = "ACGURYSWKMBDHVNacguryswkmbdhvn-. ";
    static const char protein[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz*_-. ";
    if (len == 0) return FQS_TYPE_UNLIMIT;
    if (len > FQS_GUESS_LETTERS) len = FQS_GUESS_LETTERS;
    if (fqs_all_in(dna, seq, len)) return FQS_TYPE_DNA;
    if (fqs_all_in(rna, seq, len)) return FQS_TYPE_RNA;
    if (fqs_all_in(protein, seq, len)) return FQS_TYPE_PROTEIN;
    return FQS_TYPE_UNLIMIT;
}

/* ---- per-position counts that grow with the reads -------------------------- */

/* fqp_qc's layout depends on its max_pos, and positions past it share one
   bin. Without --max-pos the counters are re-laid out larger before a read
   longer than max_pos is added, so that bin stays empty and every position
   has its own row, as in seqtk fqchk. Each position costs 102 counters
   (816 bytes) per consumer, about what seqtk's table costs per position. */

static void fqs_add_words(uint64_t *dst, const uint64_t *src, uint64_t n) {
    uint64_t i;
    for (i = 0; i < n; i++) dst[i] += src[i];
}

/* dst += src (src->max_pos <= dst->max_pos, src's shared bin empty but for
   reads of length exactly src->max_pos, which have their own bin in dst).
   Each table of the layout is one run of words, indexed from position 0,
   so it is six additions of whole runs. */
static void fqs_qc_add_smaller(fqp_qc *dst, const fqp_qc *src) {
    uint64_t dmp = dst->max_pos, smp = src->max_pos, bins = smp + 1;
    uint64_t *d = dst->counts;
    const uint64_t *c = src->counts;
    fqs_add_words(d, c, FQP_QC_POS_QSUM(smp, 0)); /* totals, per-read histograms */
    fqs_add_words(d + FQP_QC_POS_QSUM(dmp, 0), c + FQP_QC_POS_QSUM(smp, 0), bins);
    fqs_add_words(d + FQP_QC_POS_COUNT(dmp, 0), c + FQP_QC_POS_COUNT(smp, 0), bins);
    fqs_add_words(d + FQP_QC_LEN(dmp, 0), c + FQP_QC_LEN(smp, 0), bins);
    fqs_add_words(d + FQP_QC_POS_BASE(dmp, 0, 0), c + FQP_QC_POS_BASE(smp, 0, 0), 5 * bins);
    fqs_add_words(d + FQP_QC_POS_QUAL(dmp, 0, 0), c + FQP_QC_POS_QUAL(smp, 0, 0), FQP_QC_QUALS * bins);
}

/* Makes qc hold positions 0 .. need-1 apart (max_pos >= need), with room
   for reads an eighth longer, and at least a quarter more than before, so
   that reads growing a little at a time do not re-lay out the counters at
   every batch. FQP_OK or FQP_ERR_NOMEM. */
static fqp_result fqs_qc_grow(fqp_qc *qc, uint64_t need) {
    uint64_t mp = qc->max_pos;
    fqp_qc bigger;
    if (need <= mp) return FQP_OK;
    mp = need + need / 8 > mp + mp / 4 ? need + need / 8 : mp + mp / 4;
    if (mp >= UINT32_MAX) return FQP_ERR_NOMEM;
    if (fqp_qc_init(&bigger, (uint32_t)mp, NULL) != FQP_OK) return FQP_ERR_NOMEM;
    fqs_qc_add_smaller(&bigger, qc);
    fqp_qc_free(qc);
    *qc = bigger;
    return FQP_OK;
}

/* into += from, growing into if from is larger. into_empty: nothing was
   added to into yet, so the larger counters can simply change hands (from
   keeps into's, zeroed, for fini to free). */
static fqp_result fqs_qc_merge(fqp_qc *into, fqp_qc *from, int into_empty) {
    if (into_empty && from->max_pos > into->max_pos) {
        fqp_qc swap = *into;
        *into = *from;
        *from = swap;
        return FQP_OK;
    }
    if (into->max_pos == from->max_pos) {
        fqp_qc_add_counts(into, from->counts);
        return FQP_OK;
    }
    if (fqs_qc_grow(into, from->max_pos) != FQP_OK) return FQP_ERR_NOMEM;
    fqs_qc_add_smaller(into, from);
    return FQP_OK;
}

/* ---- the counters only full mode keeps -------------------------------------- */

/* FastQC's per-read GC content looks at a read cut to a multiple of 100 (if
   longer than 100) or of 1000 (if longer than 1000). Each (cut length, G+C)
   pair is one key of an fqs_histogram: cut lengths up to 1000 take 14160
   dense keys (a triangle up to 100, then nine rows of 1001), longer ones a
   sparse key above the dense range (length / 1000 in the high 32 bits). */
enum { FQS_GC_TRIANGLE = 5151, FQS_GC_DENSE = FQS_GC_TRIANGLE + 9 * 1001 };

static uint64_t fqs_gc_cut(uint64_t length) {
    return length > 1000 ? length / 1000 * 1000 : length > 100 ? length / 100 * 100 : length;
}

static uint64_t fqs_gc_key(uint64_t cut, uint64_t gc) {
    if (cut <= 100) return cut * (cut + 1) / 2 + gc;
    if (cut <= 1000) return FQS_GC_TRIANGLE + (cut / 100 - 2) * 1001 + gc;
    return FQS_DENSE_MAX + ((cut / 1000) << 32) + gc;
}

/* fqs_gc_key's inverse. */
static void fqs_gc_unkey(uint64_t key, uint64_t *cut, uint64_t *gc) {
    if (key >= FQS_DENSE_MAX) {
        key -= FQS_DENSE_MAX;
        *cut = (key >> 32) * 1000;
        *gc = key & 0xffffffffu;
    } else if (key >= FQS_GC_TRIANGLE) {
        *cut = ((key - FQS_GC_TRIANGLE) / 1001 + 2) * 100;
        *gc = (key - FQS_GC_TRIANGLE) % 1001;
    } else {
        uint64_t c = 0;
        while ((c + 1) * (c + 2) / 2 <= key) c++;
        *cut = c;
        *gc = key - c * (c + 1) / 2;
    }
}

/* Makes pos_other[0 .. need-1] addressable. 0 or -1 (no memory). */
static int fqs_other_grow(fqs_counts *c, uint64_t need) {
    uint64_t size = c->pos_other_size ? c->pos_other_size : 256, *grown;
    if (need <= c->pos_other_size) return 0;
    while (size < need) size *= 2;
    if (size > SIZE_MAX / sizeof *grown) return -1;
    grown = (uint64_t *)realloc(c->pos_other, (size_t)size * sizeof *grown);
    if (!grown) return -1;
    memset(grown + c->pos_other_size, 0, (size_t)(size - c->pos_other_size) * sizeof *grown);
    c->pos_other = grown;
    c->pos_other_size = size;
    return 0;
}

/* The per-read GC pairs of a batch, and (when the batch has letters other
   than ACGTN: rare) where those letters are. 0 or -1 (no memory). */
static int fqs_count_full(fqs_counts *c, const fqp_batch *b, uint64_t other) {
    uint64_t i, k;
    for (i = 0; i < b->count; i++) {
        const unsigned char *seq = (const unsigned char *)b->seq + b->seq_off[i];
        uint64_t len = b->seq_off[i + 1] - b->seq_off[i], cut = fqs_gc_cut(len), gc = 0;
        if (len == 0) continue; /* FastQC skips empty reads here */
        for (k = 0; k < cut; k++) gc += FQS_LETTER_CLASS[seq[k]] & FQS_GC;
        if (fqs_histogram_add(&c->gc_reads, fqs_gc_key(cut, gc), 1) != 0) return -1;
        if (other == 0) continue;
        for (k = 0; k < len; k++)
            if (!(FQS_LETTER_CLASS[seq[k]] & FQS_ACGTN)) {
                if (k >= c->pos_other_size && fqs_other_grow(c, k + 1) != 0) return -1;
                c->pos_other[k]++;
            }
    }
    return 0;
}

/* into += from for the full-mode counters. 0 or -1 (no memory). */
static int fqs_full_merge(fqs_counts *into, const fqs_counts *from) {
    uint64_t i;
    if (fqs_histogram_merge(&into->gc_reads, &from->gc_reads) != 0) return -1;
    if (from->pos_other_size && fqs_other_grow(into, from->pos_other_size) != 0) return -1;
    for (i = 0; i < from->pos_other_size; i++) into->pos_other[i] += from->pos_other[i];
    return 0;
}

static void fqs_counts_free(fqs_counts *c) {
    fqs_histogram_free(&c->lengths);
    fqs_histogram_free(&c->gc_reads);
    fqp_qc_free(&c->qc);
    free(c->pos_other);
    c->pos_other = NULL;
    c->pos_other_size = 0;
}

/* Consumer thread, before its first batch: the state arrives zeroed; give it
   its first histogram array. */
static fqp_result fqs_init(void *state, int consumer, void *user) {
    fqs_counts *c = (fqs_counts *)state, *total = (fqs_counts *)user;
    (void)consumer;
    if (total->max_pos && fqp_qc_init(&c->qc, total->max_pos, NULL) != FQP_OK) return FQP_ERR_NOMEM;
    return fqs_histogram_grow_dense(&c->lengths, 0) == 0 ? FQP_OK : FQP_ERR_NOMEM;
}

/* The per-read counts of one batch: type, lengths, records, bases. Both
   paths run this (CPU consumers in process(), GPU ones in on_results). */
static fqx_progress fqs_progress; /* one file at a time */

static fqp_result fqs_count_reads(fqs_counts *c, fqp_batch *b) {
    uint64_t i;
    fqx_add(&fqs_progress, b->count); /* a progress line when stderr is a terminal */
    if (b->count == 0) return FQP_OK;
    if (b->first_record == 0) /* this batch starts the input: guess the type like seqkit */
        c->type = fqs_guess_type(b->seq + b->seq_off[0], b->seq_off[1] - b->seq_off[0]);
    for (i = 0; i < b->count; i++) {
        uint64_t len = b->seq_off[i + 1] - b->seq_off[i];
        if (c->records == 0 || len < c->min_len) c->min_len = len;
        if (len > c->max_len) c->max_len = len;
        c->records++;
        if (fqs_histogram_add(&c->lengths, len, 1) != 0)
            return fqp_batch_error(b, i, FQP_ERR_NOMEM, "no memory for the length histogram");
    }
    c->bases += b->seq_off[b->count] - b->seq_off[0];
    return FQP_OK;
}

/* Consumer thread, once per batch: count into this consumer's own state.
   Nothing here is shared with other threads, so there is no lock. */
static fqp_result fqs_process(fqp_batch *b, void *state, void *user) {
    fqs_counts *c = (fqs_counts *)state;
    uint64_t n, sums[5] = {0, 0, 0, 0, 0};
    fqp_result r;
    if (b->count == 0) return FQP_OK;
    if ((r = fqs_count_reads(c, b)) != FQP_OK) return r;
    if (c->qc.counts) { /* --per-position: the table needs only the QC counts and the lengths */
        if (((fqs_counts *)user)->pos_grow && fqs_qc_grow(&c->qc, c->max_len) != FQP_OK)
            return fqp_batch_error(b, 0, FQP_ERR_NOMEM, "no memory for the per-position counts");
        fqp_qc_add_batch(&c->qc, b); /* the kit's CPU twin of the GPU QC kernel */
        if (!((fqs_counts *)user)->full) return FQP_OK;
    }

    /* Sequences and qualities of the whole batch are each one contiguous
       array, so the per-base counts are one pass over two arrays. */
    n = b->seq_off[b->count] - b->seq_off[0];
    fqs_count_bases((const unsigned char *)b->seq + b->seq_off[0], (const unsigned char *)b->qual + b->seq_off[0], n,
                    sums);
    c->gc += sums[0];
    c->gaps += sums[1];
    c->q20 += sums[2];
    c->q30 += sums[3];
    c->other += sums[4];
    if (((fqs_counts *)user)->full && fqs_count_full(c, b, sums[4]) != 0)
        return fqp_batch_error(b, 0, FQP_ERR_NOMEM, "no memory for the per-read GC counts");
    return FQP_OK;
}

/* Calling thread, consumer 0, 1, ... after all consumers joined: add one
   consumer's counts into the file total (user). */
static fqp_result fqs_merge(void *state, int consumer, void *user) {
    fqs_counts *c = (fqs_counts *)state, *total = (fqs_counts *)user;
    (void)consumer;
    if (c->type != FQS_TYPE_NONE) total->type = c->type;
    if (c->records == 0) return FQP_OK;
    if (total->records == 0 || c->min_len < total->min_len) total->min_len = c->min_len;
    if (c->max_len > total->max_len) total->max_len = c->max_len;
    total->records += c->records;
    total->bases += c->bases;
    total->gc += c->gc;
    total->gaps += c->gaps;
    total->q20 += c->q20;
    total->q30 += c->q30;
    total->other += c->other;
    if (c->qc.counts && fqs_qc_merge(&total->qc, &c->qc, total->records == c->records) != FQP_OK)
        return FQP_ERR_NOMEM;
    if (fqs_full_merge(total, c) != 0) return FQP_ERR_NOMEM;
    return fqs_histogram_merge(&total->lengths, &c->lengths) != 0 ? FQP_ERR_NOMEM : FQP_OK;
}

/* Calling thread, after merge, also after an error: free what init() and
   process() allocated. */
static void fqs_fini(void *state, int consumer, void *user) {
    (void)consumer;
    (void)user;
    fqs_counts_free((fqs_counts *)state);
}

/* ---- GPU consumers ---------------------------------------------------------- */

/* The GPU side of a run: the consumers fastqpar_cuda.h set up (once, for
   every file), and what they counted. */
typedef struct fqs_gpu {
    fqp_cuda *cuda;         /* NULL: CPU consumers only */
    int count;              /* GPU consumers in use */
    fqp_custom_consumer consumers[FQP_MAX_THREADS];
    fqs_counts *per;        /* [count]: what on_results counted in this file */
    fqp_qc fetched;         /* GPU QC counters fetched so far (they add up over files) */
    uint32_t qc_max_pos;
} fqs_gpu;

/* GPU consumer thread, once per batch its GPU finished: the QC kernel has
   counted the per-base statistics; count the per-read ones here, and the gap
   and other letters, which the kernel folds into "N". Each GPU consumer has
   its own fqs_counts, so there is no lock. */
static fqp_result fqs_gpu_results(fqp_batch *b, const fqp_cuda_results *results, int consumer, void *user) {
    fqs_counts *c = &((fqs_gpu *)user)->per[consumer];
    const unsigned char *seq;
    uint64_t i, n, gaps = 0, acgtn = 0;
    fqp_result r;
    (void)results; /* only QC runs, and its counts stay on the device */
    if (b->count == 0) return FQP_OK;
    if ((r = fqs_count_reads(c, b)) != FQP_OK) return r;
    seq = (const unsigned char *)b->seq + b->seq_off[0];
    n = b->seq_off[b->count] - b->seq_off[0];
    for (i = 0; i < n; i++) {
        unsigned letter = FQS_LETTER_CLASS[seq[i]];
        gaps += (letter & FQS_GAP) >> 1;
        acgtn += letter >> 2;
    }
    c->gaps += gaps;
    c->other += n - acgtn;
    return FQP_OK;
}

/* Sets up GPU consumers for up to threads - 1 of the consumer threads (one
   CPU consumer always runs), and with verbose prints which path will run.
   0, or -1 after printing the error (a GPU required but not usable). */
static int fqs_gpu_open(fqs_gpu *g, fqp_gpu_mode mode, int threads, uint32_t qc_max_pos, int pos_grow, int full,
                        int verbose) {
    fqp_cuda_desc d;
    fqp_config cfg, resolved;
    fqp_error err;
    char why[FQP_ERROR_MESSAGE_MAX + 64];
    int max, i;
    memset(g, 0, sizeof *g);
    memset(&d, 0, sizeof d);
    memset(&cfg, 0, sizeof cfg);
    cfg.threads = threads;
    if (fqp_config_resolve(&cfg, &resolved, &err) != FQP_OK) {
        fprintf(stderr, "fqstats: %s\n", err.message);
        return -1;
    }
    d.mode = mode; /* AUTO: FASTQPAR_FORCE_CPU / FASTQPAR_FORCE_GPU decide */
    d.kernels = FQP_GPU_QC;
    d.qc_max_pos = qc_max_pos;
    d.on_results = fqs_gpu_results;
    d.user = g;
    d.config = &cfg; /* batch limits size the GPU buffers */
    mode = fqp_cuda_mode(&d);
    max = resolved.threads - 1;
    if (max < 1 && mode == FQP_GPU_FORCE) max = 1; /* --gpu -t 1: one GPU and one CPU consumer */
    why[0] = '\0';
    if (mode == FQP_GPU_OFF) {
        snprintf(why, sizeof why, "GPU off (--cpu or FASTQPAR_FORCE_CPU=1)");
    } else if (pos_grow) { /* the QC kernel's counters have a fixed size */
        if (mode == FQP_GPU_FORCE) {
            fprintf(stderr, full ? "fqstats: a GPU is required, but --counts, --fastqc-data and --html keep every "
                                   "position: they run on CPU consumers\n"
                                 : "fqstats: a GPU is required, but --per-position runs on the GPU only with --max-pos N\n");
            return -1;
        }
        snprintf(why, sizeof why, full ? "--counts, --fastqc-data and --html run on CPU consumers"
                                       : "--per-position without --max-pos runs on CPU consumers");
    } else if (max < 1) {
        snprintf(why, sizeof why, "one thread leaves none for a GPU consumer");
    } else if (fqp_cuda_open(&g->cuda, &d, &err) != FQP_OK) {
        if (mode == FQP_GPU_FORCE) {
            fprintf(stderr, "fqstats: %s\n", err.message);
            return -1;
        }
        snprintf(why, sizeof why, "no usable GPU: %s", err.message);
    } else {
        g->count = fqp_cuda_consumers(g->cuda, g->consumers, max);
        g->per = (fqs_counts *)calloc((size_t)g->count, sizeof *g->per);
        if (!g->per || fqp_qc_init(&g->fetched, qc_max_pos, NULL) != FQP_OK) {
            fprintf(stderr, "fqstats: out of memory\n");
            return -1;
        }
        g->qc_max_pos = qc_max_pos;
    }
    if (!verbose) return 0; /* which path ran is no news unless asked (-v) */
    if (!g->cuda) {
        fprintf(stderr, "fqstats: CPU path: %d consumer thread%s; %s\n", resolved.threads,
                resolved.threads == 1 ? "" : "s", why);
        return 0;
    }
    fprintf(stderr, "fqstats: GPU path: %d GPU consumer%s on", g->count, g->count == 1 ? "" : "s");
    for (i = 0; i < fqp_cuda_device_count(g->cuda); i++) {
        fqp_cuda_device_info info;
        if (fqp_cuda_device(g->cuda, i, &info) == FQP_OK)
            fprintf(stderr, "%s device %d (%s, compute %d.%d)", i ? "," : "", info.ordinal, info.name,
                    info.cc_major, info.cc_minor);
    }
    i = resolved.threads - g->count < 1 ? 1 : resolved.threads - g->count;
    fprintf(stderr, " + %d CPU consumer thread%s\n", i, i == 1 ? "" : "s");
    return 0;
}

/* Calling thread, after a file's run: adds what the GPU consumers counted
   in it to the file's total. The device counters add up over files, so the
   file's share is what was fetched now minus what was fetched before. */
static int fqs_gpu_collect(fqs_gpu *g, fqs_counts *total) {
    fqp_qc now;
    uint64_t i, records = 0, bases = 0;
    int k, status = 0;
    for (k = 0; k < g->count; k++) {
        records += g->per[k].records;
        bases += g->per[k].bases;
        if (fqs_merge(&g->per[k], k, total) != FQP_OK) status = -1;
        fqs_histogram_free(&g->per[k].lengths);
        memset(&g->per[k], 0, sizeof g->per[k]);
    }
    if (fqp_qc_init(&now, g->qc_max_pos, NULL) != FQP_OK || fqp_cuda_qc(g->cuda, &now) != FQP_OK) {
        fprintf(stderr, "fqstats: cannot fetch the GPU counts\n");
        fqp_qc_free(&now);
        return -1;
    }
    for (i = 0; i < now.words; i++) { /* now - fetched: this file's counts */
        uint64_t file_count = now.counts[i] - g->fetched.counts[i];
        g->fetched.counts[i] = now.counts[i];
        now.counts[i] = file_count;
    }
    /* The kernel and on_results saw the same batches: a cheap cross-check. */
    if (now.counts[FQP_QC_READS] != records || now.counts[FQP_QC_BASES] != bases) {
        fprintf(stderr, "fqstats: internal error: GPU counted %llu reads, %llu bases; its batches held %llu, %llu\n",
                (unsigned long long)now.counts[FQP_QC_READS], (unsigned long long)now.counts[FQP_QC_BASES],
                (unsigned long long)records, (unsigned long long)bases);
        status = -1;
    }
    total->gc += now.counts[FQP_QC_C] + now.counts[FQP_QC_G]; /* G C g c, as seqkit counts */
    total->q20 += now.counts[FQP_QC_Q20];
    total->q30 += now.counts[FQP_QC_Q30];
    if (total->qc.counts) fqp_qc_add_counts(&total->qc, now.counts);
    fqp_qc_free(&now);
    return status;
}

/* Prints each GPU consumer's metrics (over all files) on stderr. */
static void fqs_gpu_report(fqs_gpu *g) {
    int k;
    for (k = 0; k < g->count; k++) {
        fqp_cuda_consumer_metrics m;
        if (fqp_cuda_metrics(g->cuda, k, &m) != FQP_OK) continue;
        fprintf(stderr,
                "fqstats: GPU consumer %d (device %d): %llu batches, %llu reads, %llu bases in %llu uploads; "
                "%.1f MB up, %.1f MB down; kernels %.3f s, upload %.3f s, download %.3f s; "
                "wall %.3f s, busy %.0f%%, %.2f GB/s of bases; %llu batches handed back%s%s\n",
                k, m.device, (unsigned long long)m.batches, (unsigned long long)m.records,
                (unsigned long long)m.bases, (unsigned long long)m.groups, m.bytes_up / 1e6, m.bytes_down / 1e6,
                m.kernel_seconds, m.upload_seconds, m.download_seconds, m.wall_seconds, 100 * m.busy_fraction,
                m.wall_seconds > 0 ? (double)m.bases / m.wall_seconds / 1e9 : 0.0,
                (unsigned long long)m.requeued, m.message[0] ? "; failed: " : "", m.message);
    }
}

/* Warns about a GPU consumer that failed and left its batches to the CPU. */
static void fqs_gpu_warn_failures(fqs_gpu *g) {
    int k;
    for (k = 0; k < g->count; k++) {
        fqp_cuda_consumer_metrics m;
        if (fqp_cuda_metrics(g->cuda, k, &m) == FQP_OK && m.status != FQP_OK)
            fprintf(stderr, "fqstats: GPU consumer %d stopped (%s); CPU consumers finished its batches\n", k,
                    m.message);
    }
}

static void fqs_gpu_close(fqs_gpu *g) {
    int k;
    for (k = 0; k < g->count; k++) fqs_histogram_free(&g->per[k].lengths);
    free(g->per);
    fqp_qc_free(&g->fetched);
    fqp_cuda_close(g->cuda);
    memset(g, 0, sizeof *g);
}

/* ---- the per-position table (seqtk fqchk's) -------------------------------- */

/* One cell of a per-position row: a tab and the number, or in JSON
   "key": number (null where the table has nan: a row without bases). */
static void fqs_fqchk_cell(int json, int *first, const char *key, double value, int decimals, int defined) {
    if (!json) printf("\t%.*f", decimals, value);
    else if (!defined) printf("%s\"%s\": null", *first ? "" : ", ", key);
    else printf("%s\"%s\": %.*f", *first ? "" : ", ", key, decimals, value);
    *first = 0;
}

/* One row: bases, %ACGTN, avgQ, errQ, then %low %high or every %Qn seen;
   a tab-separated line, or (json) an object with the same numbers. */
static void fqs_fqchk_row(const char *label, const uint64_t base[5], const uint64_t qual[FQP_QC_QUALS],
                          const uint64_t all[FQP_QC_QUALS], int qthres, int json) {
    static double perr[FQP_QC_QUALS];
    static const char *const base_keys[5] = {"a_pct", "c_pct", "g_pct", "t_pct", "n_pct"};
    uint64_t sum = 0, qsum = 0, low = 0;
    double psum = 0;
    int k, first = 0;
    if (perr[FQP_QC_QUALS - 1] == 0) /* seqtk's error probabilities: 10^(-q/10), 0.5 for Q0..Q3 */
        for (k = 0; k < FQP_QC_QUALS; k++) perr[k] = k < 4 ? .5 : pow(10., -.1 * k);
    for (k = 0; k < 5; k++) sum += base[k];
    if (!json) printf("%s\t%" PRIu64, label, sum);
    else if (strchr(label, '+')) printf("{\"pos\": %d, \"and_after\": true, \"bases\": %" PRIu64, atoi(label), sum);
    else if (strcmp(label, "ALL") != 0) printf("{\"pos\": %s, \"bases\": %" PRIu64, label, sum);
    else printf("{\"bases\": %" PRIu64, sum);
    for (k = 0; k < 5; k++) fqs_fqchk_cell(json, &first, base_keys[k], 100. * (double)base[k] / (double)sum, 1, sum > 0);
    for (k = 0; k < FQP_QC_QUALS; k++) { /* same order of additions as seqtk: same rounding */
        qsum += qual[k] * (uint64_t)k;
        psum += (double)qual[k] * perr[k];
        if (k < qthres) low += qual[k];
    }
    fqs_fqchk_cell(json, &first, "avg_q", (double)qsum / (double)sum, 1, sum > 0);
    fqs_fqchk_cell(json, &first, "err_q", -4.343 * log((psum + 1e-6) / ((double)sum + 1e-6)), 1, sum > 0);
    if (qthres <= 0) {
        char key[24];
        for (k = 0; k < FQP_QC_QUALS; k++)
            if (all[k] > 0) {
                snprintf(key, sizeof key, "q%d_pct", k);
                fqs_fqchk_cell(json, &first, key, 100. * (double)qual[k] / (double)sum, 2, sum > 0);
            }
    } else {
        fqs_fqchk_cell(json, &first, "low_pct", 100. * (double)low / (double)sum, 1, sum > 0);
        fqs_fqchk_cell(json, &first, "high_pct", 100. * (double)(sum - low) / (double)sum, 1, sum > 0);
    }
    fputs(json ? "}" : "\n", stdout);
}

/* Prints seqtk fqchk's table for one file's merged totals; with json, the
   same as one object: {"file", "min_len", "max_len", "avg_len",
   "quality_values", "all": {row}, "positions": [{"pos": 1, row}, ...]}, where
   the last position of a --max-pos run, "and_after": true, sums the rest. */
static void fqs_print_fqchk(const char *file, fqs_counts *t, int qthres, int json) {
    const fqp_qc *qc = &t->qc;
    uint32_t mp = qc->max_pos, pos, rows;
    uint64_t base[5], qual[FQP_QC_QUALS], all_base[5] = {0, 0, 0, 0, 0}, all_q[FQP_QC_QUALS];
    uint64_t empty = t->lengths.dense_size ? t->lengths.dense[0] : 0, n = t->records - empty, min_len = t->min_len;
    int k, distinct = 0;
    char label[32];
    fqs_histogram_compact(&t->lengths);
    if (n && min_len == 0) min_len = fqs_histogram_at(&t->lengths, empty); /* seqtk skips empty reads */
    memset(all_q, 0, sizeof all_q);
    for (pos = 0; pos <= mp; pos++) {
        for (k = 0; k < 5; k++) all_base[k] += qc->counts[FQP_QC_POS_BASE(mp, pos, k)];
        for (k = 0; k < FQP_QC_QUALS; k++) all_q[k] += qc->counts[FQP_QC_POS_QUAL(mp, pos, k)];
    }
    for (k = 0; k < FQP_QC_QUALS; k++) distinct += all_q[k] > 0;
    if (json) {
        printf("  {\"file\": ");
        fqx_json_string(stdout, file);
        printf(", \"min_len\": %" PRIu64 ", \"max_len\": %" PRIu64 ", \"avg_len\": ", n ? min_len : 0, t->max_len);
        if (n) printf("%.2f", (double)t->bases / (double)n);
        else printf("null");
        printf(", \"quality_values\": %d,\n   \"all\": ", distinct);
    } else {
        printf("min_len: %" PRIu64 "; max_len: %" PRIu64 "; avg_len: %.2f; %d distinct quality values\n",
               n ? min_len : (uint64_t)0x7fffffff, t->max_len, (double)t->bases / (double)n, distinct);
        printf("POS\t#bases\t%%A\t%%C\t%%G\t%%T\t%%N\tavgQ\terrQ");
        if (qthres <= 0) {
            for (k = 0; k < FQP_QC_QUALS; k++)
                if (all_q[k] > 0) printf("\t%%Q%d", k);
        } else {
            printf("\t%%low\t%%high");
        }
        putchar('\n');
    }
    fqs_fqchk_row("ALL", all_base, all_q, all_q, qthres, json);
    if (json) printf(",\n   \"positions\": [");
    /* positions 1..max_len, and past a --max-pos cap one row for all the rest */
    rows = t->max_len < mp ? (uint32_t)t->max_len : mp + (t->max_len > mp);
    for (pos = 0; pos < rows; pos++) {
        for (k = 0; k < 5; k++) base[k] = qc->counts[FQP_QC_POS_BASE(mp, pos, k)];
        for (k = 0; k < FQP_QC_QUALS; k++) qual[k] = qc->counts[FQP_QC_POS_QUAL(mp, pos, k)];
        snprintf(label, sizeof label, pos < mp ? "%u" : "%u+", (unsigned)pos + 1);
        if (json) printf("%s\n    ", pos ? "," : "");
        fqs_fqchk_row(label, base, qual, all_q, qthres, json);
    }
    if (json) printf("%s]}", rows ? "\n   " : "");
}

/* One file's line of the MultiQC per-position graph: mean quality at
   positions 1..min(max_len, max_pos), as the avgQ column prints it. */
static void fqs_mqc_quality(FILE *f, const char *file, const fqs_counts *t, int first) {
    const fqp_qc *qc = &t->qc;
    uint32_t mp = qc->max_pos, pos, rows = t->max_len < mp ? (uint32_t)t->max_len : mp;
    char key[16], num[32];
    int k;
    fqx_mqc_sample(f, file, first);
    for (pos = 0; pos < rows; pos++) {
        uint64_t sum = 0, qsum = 0;
        for (k = 0; k < 5; k++) sum += qc->counts[FQP_QC_POS_BASE(mp, pos, k)];
        for (k = 0; k < FQP_QC_QUALS; k++) qsum += qc->counts[FQP_QC_POS_QUAL(mp, pos, k)] * (uint64_t)k;
        snprintf(key, sizeof key, "%u", (unsigned)pos + 1);
        snprintf(num, sizeof num, "%.1f", sum ? (double)qsum / (double)sum : 0.0);
        fqx_mqc_number(f, key, num, pos == 0);
    }
}

/* ---- one row of output ---------------------------------------------------- */

typedef struct fqs_column {
    const char *header, *json_key;
    int numeric; /* right-aligned, a JSON number */
} fqs_column;

/* The first FQS_BASIC_COLUMNS are shown without -a. */
static const fqs_column FQS_COLUMNS[] = {
    {"file", "file", 0},       {"format", "format", 0},   {"type", "type", 0},
    {"num_seqs", "num_seqs", 1}, {"sum_len", "sum_len", 1}, {"min_len", "min_len", 1},
    {"avg_len", "avg_len", 1}, {"max_len", "max_len", 1}, {"Q1", "q1", 1},
    {"Q2", "q2", 1},           {"Q3", "q3", 1},           {"sum_gap", "sum_gap", 1},
    {"N50", "n50", 1},         {"Q20(%)", "q20_pct", 1},  {"Q30(%)", "q30_pct", 1},
    {"GC(%)", "gc_pct", 1},
};
#define FQS_NCOLUMNS ((int)(sizeof FQS_COLUMNS / sizeof FQS_COLUMNS[0]))
#define FQS_BASIC_COLUMNS 8
#define FQS_CELL_MAX 48 /* a uint64 with commas and decimals fits easily */

typedef struct fqs_row {
    const char *file;                     /* column 0: the argument as given */
    const char *inflate;                  /* JSON only: the library that inflated it, "none" if plain */
    uint64_t other_letters;               /* JSON only (seqkit has no such column) */
    char inflate_name[32];                /* where inflate points when it was sent (MPI) */
    char cell[FQS_NCOLUMNS][FQS_CELL_MAX]; /* columns 1 ..; plain numbers as -T prints them */
} fqs_row;

static const char *fqs_row_cell(const fqs_row *row, int column) {
    return column == 0 ? row->file : row->cell[column];
}

/* seqkit rounds half up as trunc((v + 0.5/10^d) * 10^d) / 10^d and then
   prints with %.Nf. Doing the same double arithmetic makes every printed
   digit agree with seqkit; printf alone would round some ties the other way. */
static double fqs_round_half_up(double v, int decimals) {
    double scale = pow(10.0, decimals);
    return trunc((v + 0.5 / scale) * scale) / scale;
}

static void fqs_percent(char *out, uint64_t part, uint64_t whole) {
    double p = whole ? fqs_round_half_up((double)part / (double)whole * 100, 2) : 0.0;
    snprintf(out, FQS_CELL_MAX, "%.2f", p);
}

/* A value kept as twice itself, printed with one decimal: 301 -> "150.5". */
static void fqs_half(char *out, uint64_t x2) {
    snprintf(out, FQS_CELL_MAX, "%" PRIu64 ".%c", x2 / 2, x2 % 2 ? '5' : '0');
}

static void fqs_count(char *out, uint64_t v) {
    snprintf(out, FQS_CELL_MAX, "%" PRIu64, v);
}

/* Turns the merged total into the text of one row. */
static void fqs_fill_row(fqs_row *row, const char *file, fqs_counts *t) {
    uint64_t n = t->records, half = (n + 1) / 2;
    double mean = n ? fqs_round_half_up((double)t->bases / (double)n, 1) : 0.0;
    fqs_histogram_compact(&t->lengths); /* fqs_histogram_at and _n50 need sorted pairs */
    row->file = file;
    snprintf(row->cell[1], FQS_CELL_MAX, "%s", n ? "FASTQ" : "");
    snprintf(row->cell[2], FQS_CELL_MAX, "%s", n ? FQS_TYPE_NAMES[t->type] : "");
    fqs_count(row->cell[3], n);
    fqs_count(row->cell[4], t->bases);
    fqs_count(row->cell[5], t->min_len);
    snprintf(row->cell[6], FQS_CELL_MAX, "%.1f", mean);
    fqs_count(row->cell[7], t->max_len);
    /* Quartiles: Tukey's hinges. Q2 is the median of all n lengths; Q1 the
       median of the smallest ceil(n/2), Q3 of the largest ceil(n/2). */
    fqs_half(row->cell[8], n ? fqs_median_x2(&t->lengths, 0, half) : 0);
    fqs_half(row->cell[9], n ? fqs_median_x2(&t->lengths, 0, n) : 0);
    fqs_half(row->cell[10], n ? fqs_median_x2(&t->lengths, n - half, half) : 0);
    fqs_count(row->cell[11], t->gaps);
    fqs_count(row->cell[12], fqs_histogram_n50(&t->lengths, t->bases));
    fqs_percent(row->cell[13], t->q20, t->bases);
    fqs_percent(row->cell[14], t->q30, t->bases);
    fqs_percent(row->cell[15], t->gc, t->bases);
    row->other_letters = t->other;
}

/* What fqstats prints and how (the options that reach the per-file code). */
typedef struct fqs_run {
    int threads, qthres, per_position, json, verbose;
    int strict;           /* --strict: IUPAC letters only */
    uint32_t max_pos;     /* per-position counters: the first size (--max-pos, or grown from 1000) */
    int pos_grow;         /* no --max-pos: the counters grow with the longest read */
    int full;             /* --counts, --fastqc-data or --html: every counter */
    int tables;           /* per-position tables (or JSON objects) printed so far */
    int many;             /* more than one FILE: "==> FILE <==" above each table */
    FILE *mqc;            /* --multiqc text, or NULL */
    int mqc_samples;      /* samples written to it so far */
    FILE *counts;         /* --counts text, or NULL */
    int counts_written;   /* inputs written to it so far */
    const char *label;    /* --label: the name --counts records instead of the path */
    FILE *fastqc;         /* --fastqc-data text (one input), or NULL */
    const char *fastqc_dir; /* --fastqc-data DIR (several inputs): DIR/NAME_fastqc/fastqc_data.txt each */
    int nogroup;          /* --nogroup: FastQC's modules one row per position */
    int html;             /* --html: the totals are kept for the page */
    fqs_counts *kept;     /* [nkept]: the totals the page shows, in input order */
    const char **kept_names;
    int nkept;
    int failed_reports;   /* a --fastqc-data file that could not be written */
    uint64_t shard_index, shard_count; /* --shard I/N (or MPI rank/size); count 0: no sharding */
} fqs_run;

/* ---- shards: --shard I/N, and the MPI ranks ---------------------------------- */

/* A plain regular file or BGZF can be split by bytes (the library finds and
   checks the record boundaries); ordinary gzip and pipes cannot, so such a
   file goes whole to shard k mod N (k: its place among the FILEs). Decided
   from the file alone, so every shard decides the same. */
static int fqs_byte_shardable(const char *path) {
    unsigned char h[18];
    struct stat st;
    size_t n;
    FILE *f;
    if (strcmp(path, "-") == 0 || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
    if (!(f = fopen(path, "rb"))) return 1; /* the run reports why it cannot be read */
    n = fread(h, 1, sizeof h, f);
    fclose(f);
    if (n < 2 || h[0] != 0x1f || h[1] != 0x8b) return 1; /* not gzip: plain (or refused later) */
    /* BGZF: FEXTRA with the BC subfield first (what bgzip and fastqpar write) */
    return n >= 18 && (h[3] & 4) && h[12] == 'B' && h[13] == 'C' && h[14] == 2 && h[15] == 0;
}

/* This shard's part of FILE k: 0 none, 1 its byte shard, 2 the whole file. */
static int fqs_share(const fqs_run *run, const char *path, int k) {
    if (run->shard_count <= 1) return 2;
    if (fqs_byte_shardable(path)) return 1;
    return (uint64_t)k % run->shard_count == run->shard_index ? 2 : 0;
}

static void fqs_counts_write(FILE *f, const char *file, const char *inflate, fqs_counts *t, int first);

/* ---- the QC views: FastQC's modules and the HTML page ---------------------- */

/* One total as fqview.h's plain arrays (pointers into the total's counters,
   plus the pairs and padding made here). Needs a full total. */
typedef struct fqs_view {
    fqv_sample s;
    fqv_length *lengths;
    fqv_gc *gc;
    uint64_t *other; /* pos_other padded to max_len, or NULL */
} fqs_view;

static void fqs_view_free(fqs_view *v) {
    free(v->lengths);
    free(v->gc);
    free(v->other);
    memset(v, 0, sizeof *v);
}

/* 0, or -1 (no memory). */
static int fqs_view_make(fqs_counts *t, const char *path, fqs_view *v) {
    const fqp_qc *qc = &t->qc;
    uint64_t mp = qc->max_pos, i;
    size_t n = 0;
    memset(v, 0, sizeof *v);
    fqs_histogram_compact(&t->lengths);
    fqs_histogram_compact(&t->gc_reads);
    v->lengths = (fqv_length *)malloc((t->lengths.dense_size + t->lengths.sparse_count + 1) * sizeof *v->lengths);
    v->gc = (fqv_gc *)malloc((t->gc_reads.dense_size + t->gc_reads.sparse_count + 1) * sizeof *v->gc);
    if (!v->lengths || !v->gc) return fqs_view_free(v), -1;
    for (i = 0; i < t->lengths.dense_size; i++)
        if (t->lengths.dense[i]) v->lengths[n].length = i, v->lengths[n++].count = t->lengths.dense[i];
    for (i = 0; i < t->lengths.sparse_count; i++)
        v->lengths[n].length = t->lengths.sparse[i].length, v->lengths[n++].count = t->lengths.sparse[i].count;
    v->s.lengths = v->lengths;
    v->s.n_lengths = n;
    n = 0;
    for (i = 0; i < t->gc_reads.dense_size; i++)
        if (t->gc_reads.dense[i]) {
            fqs_gc_unkey(i, &v->gc[n].length, &v->gc[n].gc);
            v->gc[n++].count = t->gc_reads.dense[i];
        }
    for (i = 0; i < t->gc_reads.sparse_count; i++) {
        fqs_gc_unkey(t->gc_reads.sparse[i].length, &v->gc[n].length, &v->gc[n].gc);
        v->gc[n++].count = t->gc_reads.sparse[i].count;
    }
    v->s.gc = v->gc;
    v->s.n_gc = n;
    if (t->pos_other && t->max_len) {
        if (!(v->other = (uint64_t *)calloc((size_t)t->max_len, sizeof *v->other))) return fqs_view_free(v), -1;
        memcpy(v->other, t->pos_other,
               (size_t)(t->pos_other_size < t->max_len ? t->pos_other_size : t->max_len) * sizeof *v->other);
    }
    v->s.path = path;
    v->s.reads = t->records;
    v->s.bases = t->bases;
    v->s.min_len = t->min_len;
    v->s.max_len = t->max_len;
    v->s.positions = t->max_len; /* < mp: every position has its own bins */
    v->s.pos_qual = qc->counts + FQP_QC_POS_QUAL(mp, 0, 0);
    v->s.pos_base = qc->counts + FQP_QC_POS_BASE(mp, 0, 0);
    v->s.pos_other = v->other;
    v->s.read_meanq = qc->counts + FQP_QC_MEANQ(0);
    v->s.gc_letters = t->gc;
    v->s.gaps = t->gaps;
    v->s.q20 = t->q20;
    v->s.q30 = t->q30;
    v->s.type = FQS_TYPE_NAMES[t->records ? t->type : FQS_TYPE_NONE];
    return 0;
}

/* FastQC's sample name for an input: its base name without .gz and then
   .fastq/.fq (reads_1.fq.gz -> reads_1), as its _fastqc folders are named. */
static void fqs_fastqc_name(const char *path, char *out, size_t size) {
    const char *base = strrchr(path, '/');
    size_t n;
    snprintf(out, size, "%s", strcmp(path, "-") == 0 ? "stdin" : base ? base + 1 : path);
    n = strlen(out);
    if (n > 3 && strcmp(out + n - 3, ".gz") == 0) out[n -= 3] = '\0';
    if (n > 6 && strcmp(out + n - 6, ".fastq") == 0) out[n - 6] = '\0';
    else if (n > 3 && strcmp(out + n - 3, ".fq") == 0) out[n - 3] = '\0';
}

/* Writes one input's fastqc_data.txt (--fastqc-data). 0, or -1 after printing. */
static int fqs_write_fastqc(fqs_run *run, const char *path, fqs_counts *t) {
    fqs_view v;
    fqf_report rep;
    int status = 0;
    if (fqs_view_make(t, path, &v) != 0 || fqf_compute(&v.s, run->nogroup, &rep) != 0) {
        fprintf(stderr, "fqstats: out of memory\n");
        fqs_view_free(&v);
        return -1;
    }
    if (run->fastqc) {
        if (fqf_write_data(run->fastqc, &rep) != 0) status = -1;
    } else {
        char name[1024], dir[4096 + 1100], file[4096 + 1200];
        fqc_report o;
        fqs_fastqc_name(path, name, sizeof name);
        snprintf(dir, sizeof dir, "%s/%s_fastqc", run->fastqc_dir, name);
        snprintf(file, sizeof file, "%s/fastqc_data.txt", dir);
        if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "fqstats: --fastqc-data: cannot make %s: %s\n", dir, strerror(errno));
            status = -1;
        } else if (fqc_report_open(&o, "fqstats", file) != 0) {
            status = -1;
        } else {
            status = fqf_write_data(o.text, &rep) == 0 ? 0 : -1;
            if (fqc_report_end(&o, status == 0) != 0) status = -1;
        }
    }
    fqf_report_free(&rep);
    fqs_view_free(&v);
    return status;
}

/* Prints what one input's merged total shows (its per-position table, or
   its row for the table printed at the end) and adds it to the reports. */
static void fqs_report_total(fqs_run *run, const char *path, fqs_counts *total, fqs_row *row) {
    if ((run->fastqc || run->fastqc_dir) && fqs_write_fastqc(run, path, total) != 0) run->failed_reports++;
    if (run->html) { /* the page is written after every input: keep the counters (they change hands) */
        fqs_counts *more = (fqs_counts *)realloc(run->kept, (size_t)(run->nkept + 1) * sizeof *more);
        const char **names = (const char **)realloc(run->kept_names, (size_t)(run->nkept + 1) * sizeof *names);
        if (more) run->kept = more;
        if (names) run->kept_names = names;
        if (!more || !names) {
            run->failed_reports++;
        } else {
            fqs_histogram_compact(&total->lengths); /* what fqs_fill_row below does to it too */
            run->kept[run->nkept] = *total;
            run->kept_names[run->nkept++] = path;
            memset(total, 0, sizeof *total); /* freeing it is now a no-op */
            total = &run->kept[run->nkept - 1];
        }
    }
    if (run->counts)
        fqs_counts_write(run->counts, run->label ? run->label : path, row->inflate ? row->inflate : "none", total,
                         run->counts_written++ == 0);
    if (run->per_position) {
        if (run->json) fputs(run->tables ? ",\n" : "[\n", stdout);
        else if (run->many) printf("%s==> %s <==\n", run->tables ? "\n" : "", path);
        fqs_print_fqchk(path, total, run->qthres, run->json);
        run->tables++;
        if (run->mqc) fqs_mqc_quality(run->mqc, path, total, run->mqc_samples++ == 0);
    } else {
        fqs_fill_row(row, path, total);
    }
}

/* A zeroed total for this run's mode. 0, or -1 (no memory, printed). */
static int fqs_total_init(const fqs_run *run, fqs_counts *total) {
    memset(total, 0, sizeof *total);
    total->full = run->full;
    total->max_pos = run->per_position || run->full ? run->max_pos : 0;
    total->pos_grow = run->pos_grow;
    if (total->max_pos && fqp_qc_init(&total->qc, total->max_pos, NULL) != FQP_OK) {
        fprintf(stderr, "fqstats: out of memory\n");
        return -1;
    }
    return 0;
}

/* Runs the pipeline over one file into *total (made here; free it with
   fqs_counts_free, also after a failure). 0; -1 with the reason (file,
   record, line, byte: message) in why, or with why empty after printing an
   internal error. */
static int fqs_count_file(fqs_run *run, const char *path, int share, fqs_gpu *gpu, fqs_counts *total, fqs_row *row,
                          char *why, size_t why_size) {
    fqp_pipeline_desc desc;
    fqp_error err;
    fqp_result r;
    why[0] = '\0';
    memset(&desc, 0, sizeof desc); /* zero means default */
    if (fqs_total_init(run, total) != 0) return -1;
    /* plain or gzip; "-" is stdin; opened here to count bytes for the progress line */
    if (fqx_open(&fqs_progress, path, &desc.input, why, why_size) != 0) return -1;
    if (share == 1) { /* the library reads only this shard's records */
        fqx_direct(&desc.input);
        desc.input.shard_index = run->shard_index;
        desc.input.shard_count = run->shard_count;
    }
    desc.config.threads = run->threads; /* 0: FASTQPAR_THREADS or the usable cores */
    desc.config.letters = run->strict ? FQP_LETTERS_IUPAC : FQP_LETTERS_PRINTABLE;
    desc.state_size = sizeof(fqs_counts);
    desc.user = total;
    desc.init = fqs_init;
    desc.process = fqs_process;
    desc.merge = fqs_merge;
    desc.fini = fqs_fini;
    desc.custom = gpu->consumers; /* GPU consumers, if any, beside the CPU ones */
    desc.custom_count = gpu->count;
    fqx_start(&fqs_progress, "fqstats");
    {
        static fqp_metrics m; /* large (per-consumer rows): not on the stack */
        r = fqp_pipeline_run(&desc, &m, &err);
        row->inflate = m.gzip ? fqp_codec_name(m.inflate) : "none";
    }
    fqx_finish(&fqs_progress); /* erases the progress line before anything else is printed */
    if (r < 0) snprintf(why, why_size, "%s", err.message); /* names file, record, line, byte */
    if (gpu->cuda) {
        fqs_gpu_warn_failures(gpu);
        if (fqs_gpu_collect(gpu, total) != 0 && r >= 0) r = FQP_ERR_CONSUMER; /* printed */
    }
    if (r >= 0 && run->verbose)
        fprintf(stderr, "fqstats: %s: %s%s\n", path, strcmp(row->inflate, "none") ? "gzip, inflated by " : "plain",
                strcmp(row->inflate, "none") ? row->inflate : "");
    return r < 0 ? -1 : 0;
}

/* One file counted and reported: its row filled, or its table printed. */
static int fqs_stats_file(fqs_run *run, const char *path, int share, fqs_gpu *gpu, fqs_row *row, char *why,
                          size_t why_size) {
    fqs_counts total;
    int status = fqs_count_file(run, path, share, gpu, &total, row, why, why_size);
    if (status == 0) fqs_report_total(run, path, &total, row);
    fqs_counts_free(&total);
    return status;
}

/* ---- counts files: --counts writes them, --merge adds them up ------------- */

/* A counts file holds every counter of each input, exact integers only:
   {"fastqpar_counts": 1, "inputs": [{"file", "inflate", "records", "bases",
   "min_len", "max_len", "gc", "gaps", "q20", "q30", "other", "type",
   "lengths": [[length, reads]], "gc_reads": [[cut length, G+C, reads]],
   "read_meanq": [[q, reads]], "positions": [[A, C, G, T, N, other letters,
   [[q, bases]]] for positions 1 .. max_len]}]}. Zero counts are left out.
   Adding two inputs' counters gives the counters of their concatenation,
   so every number fqstats prints from a merge equals the single run's. */
#define FQS_COUNTS_VERSION 1

static void fqs_counts_write(FILE *f, const char *file, const char *inflate, fqs_counts *t, int first) {
    const fqp_qc *qc = &t->qc;
    uint64_t mp = qc->max_pos, i, pos, key, cut, gc;
    int q, n;
    fqs_histogram_compact(&t->lengths);
    fqs_histogram_compact(&t->gc_reads);
    fprintf(f, "%s\n  {\"file\": ", first ? "{\"fastqpar_counts\": " "1" ", \"inputs\": [" : ",");
    fqx_json_string(f, file);
    fprintf(f, ", \"inflate\": ");
    fqx_json_string(f, inflate);
    fprintf(f,
            ", \"records\": %" PRIu64 ", \"bases\": %" PRIu64 ", \"min_len\": %" PRIu64 ", \"max_len\": %" PRIu64
            ", \"gc\": %" PRIu64 ", \"gaps\": %" PRIu64 ", \"q20\": %" PRIu64 ", \"q30\": %" PRIu64
            ", \"other\": %" PRIu64 ", \"type\": \"%s\",\n   \"lengths\": [",
            t->records, t->bases, t->min_len, t->max_len, t->gc, t->gaps, t->q20, t->q30, t->other,
            FQS_TYPE_NAMES[t->type]);
    n = 0;
    for (i = 0; i < t->lengths.dense_size; i++)
        if (t->lengths.dense[i]) fprintf(f, "%s[%" PRIu64 ", %" PRIu64 "]", n++ ? ", " : "", i, t->lengths.dense[i]);
    for (i = 0; i < t->lengths.sparse_count; i++)
        fprintf(f, "%s[%" PRIu64 ", %" PRIu64 "]", n++ ? ", " : "", t->lengths.sparse[i].length,
                t->lengths.sparse[i].count);
    fprintf(f, "],\n   \"gc_reads\": [");
    n = 0;
    for (key = 0; key < t->gc_reads.dense_size; key++)
        if (t->gc_reads.dense[key]) {
            fqs_gc_unkey(key, &cut, &gc);
            fprintf(f, "%s[%" PRIu64 ", %" PRIu64 ", %" PRIu64 "]", n++ ? ", " : "", cut, gc, t->gc_reads.dense[key]);
        }
    for (i = 0; i < t->gc_reads.sparse_count; i++) {
        fqs_gc_unkey(t->gc_reads.sparse[i].length, &cut, &gc);
        fprintf(f, "%s[%" PRIu64 ", %" PRIu64 ", %" PRIu64 "]", n++ ? ", " : "", cut, gc, t->gc_reads.sparse[i].count);
    }
    fprintf(f, "],\n   \"read_meanq\": [");
    n = 0;
    for (q = 0; q < FQP_QC_QUALS; q++)
        if (qc->counts[FQP_QC_MEANQ(q)])
            fprintf(f, "%s[%d, %" PRIu64 "]", n++ ? ", " : "", q, qc->counts[FQP_QC_MEANQ(q)]);
    fprintf(f, "],\n   \"positions\": [");
    for (pos = 0; pos < t->max_len; pos++) { /* max_len < mp: every position has its own bins */
        fprintf(f, "%s[", pos ? ",\n    " : "\n    ");
        for (q = 0; q < 5; q++) fprintf(f, "%" PRIu64 ", ", qc->counts[FQP_QC_POS_BASE(mp, pos, q)]);
        fprintf(f, "%" PRIu64 ", [", pos < t->pos_other_size ? t->pos_other[pos] : 0);
        n = 0;
        for (q = 0; q < FQP_QC_QUALS; q++)
            if (qc->counts[FQP_QC_POS_QUAL(mp, pos, q)])
                fprintf(f, "%s[%d, %" PRIu64 "]", n++ ? ", " : "", q, qc->counts[FQP_QC_POS_QUAL(mp, pos, q)]);
        fprintf(f, "]]");
    }
    fprintf(f, "]}");
}

static void fqs_counts_end(FILE *f, int written) {
    fputs(written ? "\n]}\n" : "{\"fastqpar_counts\": 1, \"inputs\": []}\n", f);
}

/* A counts file being read: errors name the file, line and byte. */
typedef struct fqs_json {
    const char *path, *text, *p, *end;
    char why[FQP_ERROR_MESSAGE_MAX];
} fqs_json;

static int fqs_json_fail(fqs_json *j, const char *what) {
    uint64_t line = 1;
    const char *c;
    if (j->why[0]) return -1; /* the first error counts */
    for (c = j->text; c < j->p; c++) line += *c == '\n';
    snprintf(j->why, sizeof j->why, "%s: line %" PRIu64 ", byte %" PRIu64 ": %s", j->path, line,
             (uint64_t)(j->p - j->text) + 1, what);
    return -1;
}

static void fqs_json_ws(fqs_json *j) {
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\t' || *j->p == '\r')) j->p++;
}

/* Skips white space; 1 if the next byte is ch (and takes it). */
static int fqs_json_take(fqs_json *j, char ch) {
    fqs_json_ws(j);
    if (j->p < j->end && *j->p == ch) {
        j->p++;
        return 1;
    }
    return 0;
}

static int fqs_json_expect(fqs_json *j, char ch) {
    char what[32];
    if (fqs_json_take(j, ch)) return 0;
    snprintf(what, sizeof what, "expected '%c'", ch);
    return fqs_json_fail(j, what);
}

static int fqs_json_u64(fqs_json *j, uint64_t *v) {
    fqs_json_ws(j);
    if (j->p >= j->end || *j->p < '0' || *j->p > '9') return fqs_json_fail(j, "expected a count (digits)");
    *v = 0;
    while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
        unsigned d = (unsigned)(*j->p - '0');
        if (*v > (UINT64_MAX - d) / 10) return fqs_json_fail(j, "count out of range");
        *v = *v * 10 + d;
        j->p++;
    }
    if (j->p < j->end && (*j->p == '.' || *j->p == 'e' || *j->p == 'E' || *j->p == '-'))
        return fqs_json_fail(j, "expected a whole count");
    return 0;
}

/* A JSON string into out (UTF-8; \u escapes of the BMP and surrogate pairs). */
static int fqs_json_string(fqs_json *j, char *out, size_t size) {
    size_t n = 0;
    fqs_json_ws(j);
    if (j->p >= j->end || *j->p != '"') return fqs_json_fail(j, "expected a string");
    for (j->p++;; j->p++) {
        unsigned long u;
        unsigned char ch;
        if (j->p >= j->end) return fqs_json_fail(j, "unterminated string");
        ch = (unsigned char)*j->p;
        if (ch == '"') break;
        if (ch < 0x20) return fqs_json_fail(j, "control byte in a string");
        if (ch == '\\') {
            const char *esc = "\"\\/bfnrt", *val = "\"\\/\b\f\n\r\t", *hit;
            if (++j->p >= j->end) return fqs_json_fail(j, "unterminated string");
            if (*j->p != 'u') {
                if (!(hit = strchr(esc, *j->p)) || !*j->p) return fqs_json_fail(j, "bad escape in a string");
                ch = (unsigned char)val[hit - esc];
            } else {
                char hex[5] = {0};
                if (j->end - j->p < 5) return fqs_json_fail(j, "bad \\u escape");
                memcpy(hex, j->p + 1, 4);
                if (strspn(hex, "0123456789abcdefABCDEF") != 4) return fqs_json_fail(j, "bad \\u escape");
                u = strtoul(hex, NULL, 16);
                j->p += 4;
                if (u >= 0xd800 && u < 0xdc00) { /* a surrogate pair */
                    unsigned long lo;
                    if (j->end - j->p < 7 || j->p[1] != '\\' || j->p[2] != 'u') return fqs_json_fail(j, "lone surrogate");
                    memcpy(hex, j->p + 3, 4);
                    if (strspn(hex, "0123456789abcdefABCDEF") != 4) return fqs_json_fail(j, "bad \\u escape");
                    lo = strtoul(hex, NULL, 16);
                    if (lo < 0xdc00 || lo > 0xdfff) return fqs_json_fail(j, "lone surrogate");
                    u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
                    j->p += 6;
                } else if (u >= 0xdc00 && u < 0xe000) {
                    return fqs_json_fail(j, "lone surrogate");
                }
                if (u == 0) return fqs_json_fail(j, "NUL in a string");
                if (n + 4 >= size) return fqs_json_fail(j, "string too long");
                if (u < 0x80) out[n++] = (char)u;
                else if (u < 0x800) out[n++] = (char)(0xc0 | (u >> 6)), out[n++] = (char)(0x80 | (u & 0x3f));
                else if (u < 0x10000)
                    out[n++] = (char)(0xe0 | (u >> 12)), out[n++] = (char)(0x80 | ((u >> 6) & 0x3f)),
                    out[n++] = (char)(0x80 | (u & 0x3f));
                else
                    out[n++] = (char)(0xf0 | (u >> 18)), out[n++] = (char)(0x80 | ((u >> 12) & 0x3f)),
                    out[n++] = (char)(0x80 | ((u >> 6) & 0x3f)), out[n++] = (char)(0x80 | (u & 0x3f));
                continue;
            }
        }
        if (n + 1 >= size) return fqs_json_fail(j, "string too long");
        out[n++] = (char)ch;
    }
    j->p++;
    out[n] = '\0';
    return 0;
}

/* [[a, b], ...] or [[a, b, c], ...]: calls add for each tuple. */
static int fqs_json_tuples(fqs_json *j, int width, int (*add)(fqs_json *, void *, const uint64_t *), void *ctx) {
    uint64_t v[3];
    int k;
    if (fqs_json_expect(j, '[') != 0) return -1;
    if (fqs_json_take(j, ']')) return 0;
    do {
        const char *at;
        if (fqs_json_expect(j, '[') != 0) return -1;
        fqs_json_ws(j);
        at = j->p;
        for (k = 0; k < width; k++)
            if ((k && fqs_json_expect(j, ',') != 0) || fqs_json_u64(j, &v[k]) != 0) return -1;
        if (fqs_json_expect(j, ']') != 0) return -1;
        {
            const char *after = j->p;
            j->p = at; /* errors of add point at the tuple */
            if (add(j, ctx, v) != 0) return -1;
            j->p = after;
        }
    } while (fqs_json_take(j, ','));
    return fqs_json_expect(j, ']');
}

static int fqs_add_length(fqs_json *j, void *ctx, const uint64_t *v) {
    if (v[1] == 0) return fqs_json_fail(j, "a length with 0 reads");
    return fqs_histogram_add(&((fqs_counts *)ctx)->lengths, v[0], v[1]) == 0 ? 0 : fqs_json_fail(j, "no memory");
}

static int fqs_add_gc(fqs_json *j, void *ctx, const uint64_t *v) {
    if (v[0] == 0 || fqs_gc_cut(v[0]) != v[0] || v[1] > v[0] || v[0] / 1000 > 0xffffffffu || v[2] == 0)
        return fqs_json_fail(j, "not a (cut length, G+C, reads) triple as FastQC cuts reads");
    return fqs_histogram_add(&((fqs_counts *)ctx)->gc_reads, fqs_gc_key(v[0], v[1]), v[2]) == 0
               ? 0
               : fqs_json_fail(j, "no memory");
}

static int fqs_add_meanq(fqs_json *j, void *ctx, const uint64_t *v) {
    fqs_counts *c = (fqs_counts *)ctx;
    if (v[0] >= FQP_QC_QUALS) return fqs_json_fail(j, "quality out of range (0 .. 93)");
    c->qc.counts[FQP_QC_MEANQ(v[0])] += v[1];
    return 0;
}

typedef struct fqs_pos_ctx {
    fqs_counts *c;
    uint64_t pos;
} fqs_pos_ctx;

static int fqs_add_pos_qual(fqs_json *j, void *ctx, const uint64_t *v) {
    fqs_pos_ctx *x = (fqs_pos_ctx *)ctx;
    uint64_t mp = x->c->qc.max_pos;
    if (v[0] >= FQP_QC_QUALS) return fqs_json_fail(j, "quality out of range (0 .. 93)");
    x->c->qc.counts[FQP_QC_POS_QUAL(mp, x->pos, v[0])] += v[1];
    x->c->qc.counts[FQP_QC_POS_QSUM(mp, x->pos)] += v[0] * v[1];
    return 0;
}

/* "positions": [[A, C, G, T, N, other, [[q, bases], ...]], ...] */
static int fqs_json_positions(fqs_json *j, fqs_counts *c) {
    fqs_pos_ctx x = {c, 0};
    if (fqs_json_expect(j, '[') != 0) return -1;
    if (fqs_json_take(j, ']')) return 0;
    do {
        uint64_t v, mp;
        int k;
        if (x.pos >= UINT32_MAX - 1 || fqs_qc_grow(&c->qc, x.pos + 1) != FQP_OK || fqs_other_grow(c, x.pos + 1) != 0)
            return fqs_json_fail(j, "no memory for the positions");
        mp = c->qc.max_pos;
        if (fqs_json_expect(j, '[') != 0) return -1;
        for (k = 0; k < 6; k++) {
            if ((k && fqs_json_expect(j, ',') != 0) || fqs_json_u64(j, &v) != 0) return -1;
            if (k < 5) c->qc.counts[FQP_QC_POS_BASE(mp, x.pos, k)] = v;
            else c->pos_other[x.pos] = v;
        }
        if (fqs_json_expect(j, ',') != 0 || fqs_json_tuples(j, 2, fqs_add_pos_qual, &x) != 0 ||
            fqs_json_expect(j, ']') != 0)
            return -1;
        x.pos++;
    } while (fqs_json_take(j, ','));
    c->qc.counts[FQP_QC_READS] = x.pos; /* until the checks: positions seen */
    return fqs_json_expect(j, ']');
}

/* The checks that make a merge trustworthy: every table agrees with the
   totals and the lengths, as the counting run left them. Fills the QC
   totals and lengths that derive from the rest. 0 or -1. */
static int fqs_counts_check(fqs_json *j, fqs_counts *c) {
    fqp_qc *qc = &c->qc;
    uint64_t mp = qc->max_pos, positions = qc->counts[FQP_QC_READS], i, pos, sum = 0, bases = 0, nonempty, longer;
    uint64_t q20 = 0, q30 = 0, gc_total = 0, meanq_total = 0;
    size_t sparse = 0;
    int k;
    fqs_histogram_compact(&c->lengths);
    fqs_histogram_compact(&c->gc_reads);
    for (i = 0; i < c->lengths.dense_size; i++) sum += c->lengths.dense[i], bases += i * c->lengths.dense[i];
    for (i = 0; i < c->lengths.sparse_count; i++)
        sum += c->lengths.sparse[i].count, bases += c->lengths.sparse[i].length * c->lengths.sparse[i].count;
    if (sum != c->records || bases != c->bases) return fqs_json_fail(j, "\"lengths\" do not add up to records and bases");
    if (c->records && (fqs_histogram_at(&c->lengths, 0) != c->min_len ||
                       fqs_histogram_at(&c->lengths, c->records - 1) != c->max_len))
        return fqs_json_fail(j, "\"min_len\"/\"max_len\" disagree with \"lengths\"");
    if (positions != c->max_len) return fqs_json_fail(j, "\"positions\" does not have max_len rows");
    if (c->gc + c->gaps > c->bases || c->q30 > c->q20 || c->q20 > c->bases || c->other > c->bases ||
        c->type > FQS_TYPE_UNLIMIT || (c->records > 0) != (c->type != FQS_TYPE_NONE))
        return fqs_json_fail(j, "totals out of range");
    nonempty = c->records - (c->lengths.dense_size ? c->lengths.dense[0] : 0);
    qc->counts[FQP_QC_READS] = c->records;
    qc->counts[FQP_QC_BASES] = c->bases;
    for (pos = 0, longer = nonempty; pos < c->max_len; pos++) {
        uint64_t at = 0, quals = 0;
        for (k = 0; k < 5; k++) {
            at += qc->counts[FQP_QC_POS_BASE(mp, pos, k)];
            qc->counts[FQP_QC_A + k] += qc->counts[FQP_QC_POS_BASE(mp, pos, k)];
        }
        for (k = 0; k < FQP_QC_QUALS; k++) {
            uint64_t n = qc->counts[FQP_QC_POS_QUAL(mp, pos, k)];
            quals += n;
            if (k >= 20) q20 += n;
            if (k >= 30) q30 += n;
        }
        if (pos) { /* reads longer than pos: one length fewer than at pos - 1 */
            if (pos < c->lengths.dense_size) longer -= c->lengths.dense[pos];
            while (sparse < c->lengths.sparse_count && c->lengths.sparse[sparse].length == pos)
                longer -= c->lengths.sparse[sparse++].count;
        }
        if (at != longer || quals != at || c->pos_other[pos] > qc->counts[FQP_QC_POS_BASE(mp, pos, 4)])
            return fqs_json_fail(j, "a position's counts disagree with the read lengths");
        qc->counts[FQP_QC_POS_COUNT(mp, pos)] = at;
    }
    qc->counts[FQP_QC_Q20] = q20;
    qc->counts[FQP_QC_Q30] = q30;
    if (q20 != c->q20 || q30 != c->q30) return fqs_json_fail(j, "\"q20\"/\"q30\" disagree with the positions");
    for (i = 0; i < c->lengths.dense_size; i++) qc->counts[FQP_QC_LEN(mp, i < mp ? i : mp)] += c->lengths.dense[i];
    for (i = 0; i < c->lengths.sparse_count; i++)
        qc->counts[FQP_QC_LEN(mp, c->lengths.sparse[i].length < mp ? c->lengths.sparse[i].length : mp)] +=
            c->lengths.sparse[i].count;
    for (i = 0; i < c->gc_reads.dense_size; i++) gc_total += c->gc_reads.dense[i];
    for (i = 0; i < c->gc_reads.sparse_count; i++) gc_total += c->gc_reads.sparse[i].count;
    for (k = 0; k < FQP_QC_QUALS; k++) meanq_total += qc->counts[FQP_QC_MEANQ(k)];
    if (gc_total != nonempty || meanq_total != nonempty)
        return fqs_json_fail(j, "\"gc_reads\"/\"read_meanq\" do not count every non-empty read");
    return 0;
}

/* One input object of a counts file into c (zeroed, qc made). 0 or -1. */
static int fqs_json_input(fqs_json *j, fqs_counts *c, char *file, size_t file_size, char *inflate,
                          size_t inflate_size) {
    static const char *const keys[] = {"file", "inflate", "records", "bases", "min_len", "max_len", "gc", "gaps",
                                       "q20", "q30", "other", "type", "lengths", "gc_reads", "read_meanq",
                                       "positions"};
    enum { NKEYS = (int)(sizeof keys / sizeof keys[0]) };
    uint64_t *numbers[] = {NULL, NULL, &c->records, &c->bases, &c->min_len, &c->max_len, &c->gc, &c->gaps,
                           &c->q20, &c->q30, &c->other};
    int seen[NKEYS] = {0}, k;
    char key[32], type[16];
    const char *at;
    if (fqs_json_expect(j, '{') != 0) return -1;
    do {
        fqs_json_ws(j);
        at = j->p;
        if (fqs_json_string(j, key, sizeof key) != 0 || fqs_json_expect(j, ':') != 0) return -1;
        for (k = 0; k < NKEYS && strcmp(key, keys[k]) != 0; k++) continue;
        if (k == NKEYS || seen[k]) {
            j->p = at;
            return fqs_json_fail(j, k == NKEYS ? "unknown key (a counts file of another version?)" : "repeated key");
        }
        seen[k] = 1;
        if (k == 0) {
            if (fqs_json_string(j, file, file_size) != 0) return -1;
        } else if (k == 1) {
            if (fqs_json_string(j, inflate, inflate_size) != 0) return -1;
        } else if (k <= 10) {
            if (fqs_json_u64(j, numbers[k]) != 0) return -1;
        } else if (k == 11) {
            int t;
            if (fqs_json_string(j, type, sizeof type) != 0) return -1;
            for (t = 0; t <= FQS_TYPE_UNLIMIT && strcmp(type, FQS_TYPE_NAMES[t]) != 0; t++) continue;
            if (t > FQS_TYPE_UNLIMIT) return fqs_json_fail(j, "unknown \"type\"");
            c->type = (fqs_type)t;
        } else if (k == 12) {
            if (fqs_json_tuples(j, 2, fqs_add_length, c) != 0) return -1;
        } else if (k == 13) {
            if (fqs_json_tuples(j, 3, fqs_add_gc, c) != 0) return -1;
        } else if (k == 14) {
            if (fqs_json_tuples(j, 2, fqs_add_meanq, c) != 0) return -1;
        } else if (fqs_json_positions(j, c) != 0) {
            return -1;
        }
    } while (fqs_json_take(j, ','));
    if (fqs_json_expect(j, '}') != 0) return -1;
    for (k = 0; k < NKEYS; k++)
        if (!seen[k]) {
            char what[64];
            snprintf(what, sizeof what, "the input object has no \"%s\"", keys[k]);
            return fqs_json_fail(j, what);
        }
    return fqs_counts_check(j, c);
}

/* One sum per distinct "file" of the counts files, in first-seen order. */
typedef struct fqs_group {
    char *file;
    char inflate[64];
    fqs_counts total;
} fqs_group;

/* Adds one parsed input to its group (made when new). 0, or -1 (no memory). */
static int fqs_group_add(const fqs_run *run, fqs_group **groups, int *ngroups, const char *file, const char *inflate,
                         fqs_counts *c) {
    fqs_group *g;
    fqs_type type;
    int i;
    for (i = 0; i < *ngroups && strcmp((*groups)[i].file, file) != 0; i++) continue;
    if (i == *ngroups) {
        fqs_group *more = (fqs_group *)realloc(*groups, (size_t)(*ngroups + 1) * sizeof *more);
        if (!more) return -1;
        *groups = more;
        g = &more[i];
        memset(g, 0, sizeof *g);
        if (!(g->file = (char *)malloc(strlen(file) + 1)) || fqs_total_init(run, &g->total) != 0) {
            free(g->file);
            return -1;
        }
        strcpy(g->file, file);
        snprintf(g->inflate, sizeof g->inflate, "%s", inflate);
        ++*ngroups;
    }
    g = &(*groups)[i];
    /* the inflater of the inputs that had reads (an empty shard may not have inflated anything) */
    if (c->records && !g->total.records) snprintf(g->inflate, sizeof g->inflate, "%s", inflate);
    else if (c->records && strcmp(g->inflate, inflate) != 0) snprintf(g->inflate, sizeof g->inflate, "mixed");
    type = g->total.type; /* the first input's guess stands: the single run guesses from record 1 */
    if (fqs_merge(c, 0, &g->total) != FQP_OK) return -1;
    if (type != FQS_TYPE_NONE) g->total.type = type;
    return 0;
}

/* --merge: reads every counts file and adds their inputs up by "file".
   0, or -1 after printing the error. */
static int fqs_merge_files(fqs_run *run, const char *const *paths, int n, fqs_group **groups, int *ngroups) {
    int i;
    for (i = 0; i < n; i++) {
        fqs_json j;
        size_t size = 0, cap = 0;
        char *text = NULL, file[4096], inflate[64];
        FILE *f = strcmp(paths[i], "-") == 0 ? stdin : fopen(paths[i], "rb");
        int status = 0;
        if (!f) {
            fprintf(stderr, "fqstats: %s: cannot open: %s\n", paths[i], strerror(errno));
            return -1;
        }
        for (;;) { /* the whole file: counts files are small */
            size_t got;
            if (size == cap) {
                char *more = (char *)realloc(text, cap = cap ? cap * 2 : 65536);
                if (!more) {
                    status = -1;
                    break;
                }
                text = more;
            }
            got = fread(text + size, 1, cap - size, f);
            size += got;
            if (got == 0) break;
        }
        if (ferror(f)) {
            fprintf(stderr, "fqstats: %s: cannot read: %s\n", paths[i], strerror(errno));
            status = -1;
        } else if (status != 0) {
            fprintf(stderr, "fqstats: out of memory\n");
        }
        if (f != stdin) fclose(f);
        if (status != 0) {
            free(text);
            return -1;
        }
        memset(&j, 0, sizeof j);
        j.path = paths[i];
        j.text = j.p = text;
        j.end = text + size;
        {
            uint64_t version;
            char key[32];
            if (fqs_json_expect(&j, '{') == 0 && fqs_json_string(&j, key, sizeof key) == 0 &&
                (strcmp(key, "fastqpar_counts") == 0 || fqs_json_fail(&j, "not a counts file (fqstats --counts)") == 0) &&
                fqs_json_expect(&j, ':') == 0 && fqs_json_u64(&j, &version) == 0 &&
                (version == FQS_COUNTS_VERSION || fqs_json_fail(&j, "counts file version not 1") == 0) &&
                fqs_json_expect(&j, ',') == 0 && fqs_json_string(&j, key, sizeof key) == 0 &&
                (strcmp(key, "inputs") == 0 || fqs_json_fail(&j, "expected \"inputs\"") == 0) &&
                fqs_json_expect(&j, ':') == 0 && fqs_json_expect(&j, '[') == 0 && !fqs_json_take(&j, ']')) {
                do {
                    fqs_counts c;
                    if (fqs_total_init(run, &c) != 0) {
                        status = -1;
                        break;
                    }
                    c.full = 1;
                    if (fqs_json_input(&j, &c, file, sizeof file, inflate, sizeof inflate) != 0) {
                        fqs_counts_free(&c);
                        break;
                    }
                    if (fqs_group_add(run, groups, ngroups, file, inflate, &c) != 0) {
                        fqs_counts_free(&c);
                        fprintf(stderr, "fqstats: out of memory\n");
                        status = -1;
                        break;
                    }
                    fqs_counts_free(&c);
                } while (fqs_json_take(&j, ','));
                if (!j.why[0] && status == 0) fqs_json_expect(&j, ']');
            }
            if (!j.why[0] && status == 0 && fqs_json_expect(&j, '}') == 0) {
                fqs_json_ws(&j);
                if (j.p != j.end) fqs_json_fail(&j, "text after the counts");
            }
        }
        free(text);
        if (j.why[0]) fprintf(stderr, "fqstats: %s\n", j.why);
        if (j.why[0] || status != 0) return -1;
    }
    return 0;
}

/* ---- MPI (built with mpicc -DFQS_MPI: build/fqstats_mpi) -------------------- */
#ifdef FQS_MPI
/* Every rank counts its share of each file; one MPI_Reduce per file adds
   the counters up on rank 0, which prints what a single process prints.
   The counters are made the same shape on every rank first (the largest
   layout any rank has: an MPI_Allreduce of the sizes), so that they are one
   array of uint64 to sum; the few counters kept as sorted pairs (lengths of
   64 Kbp and more, GC pairs of reads over 1000 bp) are gathered instead. */
#include <mpi.h>

/* The qc counters laid out for exactly max_pos positions (>= the current). */
static int fqs_qc_relayout(fqp_qc *qc, uint32_t max_pos) {
    fqp_qc bigger;
    if (qc->max_pos == max_pos) return 0;
    if (fqp_qc_init(&bigger, max_pos, NULL) != FQP_OK) return -1;
    fqs_qc_add_smaller(&bigger, qc);
    fqp_qc_free(qc);
    *qc = bigger;
    return 0;
}

/* The sorted pairs of h, gathered on rank 0 and added to its h. */
static int fqs_mpi_gather_pairs(fqs_histogram *h, int rank, int size) {
    int n, i, *counts = NULL, *displs = NULL, total = 0, status = 0;
    uint64_t *mine, *all = NULL;
    size_t k;
    fqs_histogram_compact(h);
    n = (int)(2 * h->sparse_count);
    if (!(mine = (uint64_t *)malloc((size_t)n * sizeof *mine + 1))) return -1;
    for (k = 0; k < h->sparse_count; k++) mine[2 * k] = h->sparse[k].length, mine[2 * k + 1] = h->sparse[k].count;
    if (rank == 0 && (!(counts = (int *)calloc((size_t)size, sizeof *counts)) ||
                      !(displs = (int *)calloc((size_t)size, sizeof *displs))))
        status = -1;
    MPI_Gather(&n, 1, MPI_INT, counts, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (rank == 0 && status == 0) {
        for (i = 0; i < size; i++) displs[i] = total, total += counts[i];
        if (!(all = (uint64_t *)malloc((size_t)total * sizeof *all + 1))) status = -1;
    }
    MPI_Gatherv(mine, n, MPI_UINT64_T, all, counts, displs, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    if (rank == 0 && status == 0) {
        h->sparse_count = 0; /* rank 0's own pairs are in `all` too */
        for (i = 0; i + 1 < total && status == 0; i += 2)
            if (fqs_histogram_add(h, all[i], all[i + 1]) != 0) status = -1;
    }
    free(mine);
    free(all);
    free(counts);
    free(displs);
    return status;
}

/* t (this rank's counts of one file, empty if it had no share) summed into
   rank 0's t. Every rank calls it for every file. 0 or -1 (no memory). */
static int fqs_mpi_reduce(fqs_counts *t, int rank, int size) {
    uint64_t mine[5], most[5], least, min_len = t->records ? t->min_len : UINT64_MAX, *buf, *sum = NULL, n, o;
    int type = t->records ? (int)t->type : -1, *types = NULL, status = 0, i;
    mine[0] = t->max_len;
    mine[1] = t->qc.max_pos;
    mine[2] = t->lengths.dense_size;
    mine[3] = t->gc_reads.dense_size;
    mine[4] = t->pos_other_size;
    MPI_Allreduce(mine, most, 5, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
    MPI_Reduce(&min_len, &least, 1, MPI_UINT64_T, MPI_MIN, 0, MPI_COMM_WORLD);
    if (most[1] > UINT32_MAX || fqs_qc_relayout(&t->qc, (uint32_t)most[1]) != 0 ||
        (most[2] && fqs_histogram_grow_dense(&t->lengths, most[2] - 1) != 0) ||
        (most[3] && fqs_histogram_grow_dense(&t->gc_reads, most[3] - 1) != 0) ||
        (most[4] && fqs_other_grow(t, most[4]) != 0))
        return -1; /* the other ranks then wait: the caller aborts the job */
    n = 7 + t->qc.words + most[2] + most[3] + most[4];
    if (!(buf = (uint64_t *)malloc((size_t)n * sizeof *buf)) ||
        (rank == 0 && !(sum = (uint64_t *)malloc((size_t)n * sizeof *sum)))) {
        free(buf);
        return -1;
    }
    buf[0] = t->records, buf[1] = t->bases, buf[2] = t->gc, buf[3] = t->gaps, buf[4] = t->q20, buf[5] = t->q30;
    buf[6] = t->other;
    o = 7;
    memcpy(buf + o, t->qc.counts, (size_t)t->qc.words * sizeof *buf), o += t->qc.words;
    memcpy(buf + o, t->lengths.dense, (size_t)most[2] * sizeof *buf), o += most[2];
    memcpy(buf + o, t->gc_reads.dense, (size_t)most[3] * sizeof *buf), o += most[3];
    memcpy(buf + o, t->pos_other, (size_t)most[4] * sizeof *buf);
    MPI_Reduce(buf, sum, (int)n, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD); /* n < 2^31 words: 16 GiB */
    if (rank == 0) {
        t->records = sum[0], t->bases = sum[1], t->gc = sum[2], t->gaps = sum[3], t->q20 = sum[4], t->q30 = sum[5];
        t->other = sum[6];
        t->max_len = most[0];
        t->min_len = t->records ? least : 0;
        o = 7;
        memcpy(t->qc.counts, sum + o, (size_t)t->qc.words * sizeof *sum), o += t->qc.words;
        memcpy(t->lengths.dense, sum + o, (size_t)most[2] * sizeof *sum), o += most[2];
        memcpy(t->gc_reads.dense, sum + o, (size_t)most[3] * sizeof *sum), o += most[3];
        memcpy(t->pos_other, sum + o, (size_t)most[4] * sizeof *sum);
        if (!(types = (int *)malloc((size_t)size * sizeof *types))) status = -1;
    }
    free(buf);
    free(sum);
    /* the type: seqkit's guess from record 1, so the lowest rank with reads */
    MPI_Gather(&type, 1, MPI_INT, types, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (rank == 0 && types) {
        t->type = FQS_TYPE_NONE;
        for (i = 0; i < size; i++)
            if (types[i] >= 0) {
                t->type = (fqs_type)types[i];
                break;
            }
    }
    free(types);
    if (fqs_mpi_gather_pairs(&t->lengths, rank, size) != 0) status = -1;
    if (fqs_mpi_gather_pairs(&t->gc_reads, rank, size) != 0) status = -1;
    return status;
}
#endif

/* ---- printing ------------------------------------------------------------- */

/* "1500000" -> "1,500,000", "449.70" -> "449.7", "150.0" -> "150": the
   shape of seqkit's human-readable table. */
static void fqs_humanize(char *out, size_t size, const char *number) {
    const char *dot = strchr(number, '.');
    size_t digits = dot ? (size_t)(dot - number) : strlen(number), i, o = 0, end;
    for (i = 0; i < digits && o + 2 < size; i++) {
        if (i > 0 && (digits - i) % 3 == 0) out[o++] = ',';
        out[o++] = number[i];
    }
    if (dot) {
        end = strlen(dot);
        while (end > 1 && dot[end - 1] == '0') end--; /* drop trailing zeros */
        if (end > 1)
            for (i = 0; i < end && o + 1 < size; i++) out[o++] = dot[i];
    }
    out[o] = '\0';
}

static void fqs_print_tsv(const fqs_row *rows, int nrows, int ncolumns) {
    int r, c;
    for (c = 0; c < ncolumns; c++) printf("%s%c", FQS_COLUMNS[c].header, c + 1 < ncolumns ? '\t' : '\n');
    for (r = 0; r < nrows; r++)
        for (c = 0; c < ncolumns; c++)
            printf("%s%c", fqs_row_cell(&rows[r], c), c + 1 < ncolumns ? '\t' : '\n');
}

/* An aligned table like seqkit's: text left, numbers right, two spaces apart. */
static void fqs_print_table(const fqs_row *rows, int nrows, int ncolumns) {
    size_t width[FQS_NCOLUMNS];
    char text[FQS_CELL_MAX + 16];
    int r, c;
    for (c = 0; c < ncolumns; c++) {
        width[c] = strlen(FQS_COLUMNS[c].header);
        for (r = 0; r < nrows; r++) {
            const char *cell = fqs_row_cell(&rows[r], c);
            size_t len = strlen(cell);
            if (FQS_COLUMNS[c].numeric) {
                fqs_humanize(text, sizeof text, cell);
                len = strlen(text);
            }
            if (len > width[c]) width[c] = len;
        }
    }
    for (r = -1; r < nrows; r++) { /* row -1 is the header */
        for (c = 0; c < ncolumns; c++) {
            const char *cell = r < 0 ? FQS_COLUMNS[c].header : fqs_row_cell(&rows[r], c);
            if (r >= 0 && FQS_COLUMNS[c].numeric) {
                fqs_humanize(text, sizeof text, cell);
                cell = text;
            }
            printf(FQS_COLUMNS[c].numeric ? "%*s" : "%-*s", (int)width[c], cell);
            fputs(c + 1 < ncolumns ? "  " : "\n", stdout);
        }
    }
}

static void fqs_print_json(const fqs_row *rows, int nrows) {
    int r, c;
    printf("[\n");
    for (r = 0; r < nrows; r++) {
        printf("  {");
        for (c = 0; c < FQS_NCOLUMNS; c++) {
            const char *cell = fqs_row_cell(&rows[r], c);
            printf("%s\"%s\": ", c ? ", " : "", FQS_COLUMNS[c].json_key);
            if (FQS_COLUMNS[c].numeric) fputs(cell, stdout); /* "150.0", "96.16": valid JSON numbers */
            else fqx_json_string(stdout, cell);
        }
        printf(", \"other_letters\": %" PRIu64 ", \"inflate\": ", rows[r].other_letters);
        fqx_json_string(stdout, rows[r].inflate ? rows[r].inflate : "none");
        printf("}%s\n", r + 1 < nrows ? "," : "");
    }
    printf("]\n");
}

/* The statistics as a MultiQC table: one row per file, every column. */
static void fqs_mqc_table(FILE *f, const fqs_row *rows, int nrows) {
    int r, c;
    for (r = 0; r < nrows; r++) {
        fqx_mqc_sample(f, rows[r].file, r == 0);
        for (c = 1; c < FQS_NCOLUMNS; c++) {
            if (FQS_COLUMNS[c].numeric) fqx_mqc_number(f, FQS_COLUMNS[c].json_key, rows[r].cell[c], c == 1);
            else fqx_mqc_text(f, FQS_COLUMNS[c].json_key, rows[r].cell[c], c == 1);
        }
    }
}

/* --html: the page of every input kept, with the run's metrics. 0, or -1
   after printing. */
static int fqs_write_html(fqs_run *run, fqs_gpu *gpu, int merged, const char *const *files, int nfiles,
                          double seconds, FILE *out) {
    fqs_view *views = (fqs_view *)calloc((size_t)run->nkept + 1, sizeof *views);
    fqf_report *reps = (fqf_report *)calloc((size_t)run->nkept + 1, sizeof *reps);
    const fqv_sample **sp = (const fqv_sample **)calloc((size_t)run->nkept + 1, sizeof *sp);
    const fqf_report **rp = (const fqf_report **)calloc((size_t)run->nkept + 1, sizeof *rp);
    char path[256];
    fqv_run metrics;
    fqp_config cfg, resolved;
    fqp_error err;
    int i, made = 0, status = 0;
    uint64_t bytes = 0;
    memset(&cfg, 0, sizeof cfg);
    cfg.threads = run->threads;
    if (fqp_config_resolve(&cfg, &resolved, &err) != FQP_OK) resolved.threads = run->threads;
    for (i = 0; i < nfiles && !merged; i++) { /* what was read: the files' sizes (compressed, for .gz) */
        struct stat st;
        if (strcmp(files[i], "-") != 0 && stat(files[i], &st) == 0 && S_ISREG(st.st_mode)) bytes += (uint64_t)st.st_size;
    }
    if (merged) snprintf(path, sizeof path, "merged from %d counts file%s", nfiles, nfiles == 1 ? "" : "s");
    else if (gpu->cuda) snprintf(path, sizeof path, "GPU: %d GPU consumer%s + CPU", gpu->count, gpu->count == 1 ? "" : "s");
    else snprintf(path, sizeof path, "CPU");
    metrics.tool = "fqstats " FASTQPAR_VERSION_STRING;
    metrics.threads = merged ? 0 : resolved.threads;
    metrics.path = path;
    metrics.seconds = seconds;
    metrics.input_bytes = bytes;
    if (!views || !reps || !sp || !rp) status = -1;
    for (i = 0; status == 0 && i < run->nkept; i++, made++) {
        if (fqs_view_make(&run->kept[i], run->kept_names[i], &views[i]) != 0 ||
            fqf_compute(&views[i].s, run->nogroup, &reps[i]) != 0)
            status = -1;
        sp[i] = &views[i].s;
        rp[i] = &reps[i];
    }
    if (status != 0) fprintf(stderr, "fqstats: out of memory for the --html page\n");
    else if (run->nkept == 0) status = -1; /* no input was counted: no page */
    else if (fqh_write(out, sp, rp, run->nkept, &metrics) != 0) {
        fprintf(stderr, "fqstats: --html: cannot write the page: %s\n", strerror(errno));
        status = -1;
    }
    for (i = 0; i < made; i++) {
        fqf_report_free(&reps[i]);
        fqs_view_free(&views[i]);
    }
    free(views);
    free(reps);
    free(sp);
    free(rp);
    return status;
}

/* ---- main ----------------------------------------------------------------- */

typedef struct fqs_options {
    int all, tabular, json, threads, per_position, qthres, verbose, quiet, skip_err, progress, strict;
    int gpu, cpu;          /* --gpu, --cpu (they exclude each other) */
    const char *multiqc;   /* --multiqc: a *_mqc.json to write */
    int max_pos;           /* --max-pos; 0: none, the per-position table grows with the reads */
    const char *counts;    /* --counts: a counts file to write */
    const char *label;     /* --label: the name --counts records */
    int merge;             /* --merge: the FILEs are counts files */
    const char *fastqc;    /* --fastqc-data: FastQC's fastqc_data.txt (a folder for several inputs) */
    const char *html;      /* --html: the QC report page */
    int nogroup;           /* --nogroup */
    const char *shard;     /* --shard I/N */
} fqs_options;

static fqs_options fqs_opt = {.qthres = 20};

/* The options, also their help (fqcli.h prints it from this table). */
static const fqc_opt FQS_OPTS[] = {
    {'a', "all", FQC_FLAG, &fqs_opt.all, 0, 0, NULL, "all statistics: add Q1 Q2 Q3 sum_gap N50 Q20(%) Q30(%) GC(%)"},
    {'T', "tabular", FQC_FLAG, &fqs_opt.tabular, 0, 0, NULL, "tab-separated output, like `seqkit stats -T`"},
    {0, "json", FQC_FLAG, &fqs_opt.json, 0, 0, NULL,
     "a JSON array, one object per file, every field (-a implied), numbers as numbers; keys: file format type "
     "num_seqs sum_len min_len avg_len max_len q1 q2 q3 sum_gap n50 q20_pct q30_pct gc_pct other_letters "
     "(letters but A C G T N in either case) inflate; with "
     "--per-position the tables (see below)"},
    {0, "multiqc", FQC_STR, &fqs_opt.multiqc, 0, 0, "F_mqc.json",
     "also write MultiQC custom content: the statistics table (every column), or with --per-position the mean "
     "quality per position as a line graph (the N+1+ row left out); created before any input is read, left out "
     "entirely if the run fails"},
    {'e', "skip-err", FQC_FLAG, &fqs_opt.skip_err, 0, 0, NULL,
     "a FILE that cannot be read is a warning, not an error: exit status 0 (seqkit's -e)"},
    {0, "strict", FQC_FLAG, &fqs_opt.strict, 0, 0, NULL,
     "IUPAC codes only in sequences (ACGTUN RYKMSWBDHV in either case, '.', '-', '*'): any other letter is an "
     "error naming its record, line and byte; default: any printable letter but space"},
    {'j', "threads", FQC_INT, &fqs_opt.threads, 1, FQP_MAX_THREADS, "N",
     "consumer threads, GPU consumers included (default: FASTQPAR_THREADS, else usable cores); -t N too"},
    {'t', NULL, FQC_INT, &fqs_opt.threads, 1, FQP_MAX_THREADS, "N", NULL},
    {0, "gpu", FQC_FLAG, &fqs_opt.gpu, 0, 0, NULL,
     "GPU consumers required: exit 1 if no GPU is usable (= FASTQPAR_FORCE_GPU=1); default: used when one is"},
    {0, "cpu", FQC_FLAG, &fqs_opt.cpu, 0, 0, NULL, "CPU consumers only, the driver is never loaded (= FASTQPAR_FORCE_CPU=1)"},
    {'v', "verbose", FQC_FLAG, &fqs_opt.verbose, 0, 0, NULL,
     "on stderr: which path runs (CPU, GPU, and why), each file's inflater, and at the end the metrics of every "
     "GPU consumer"},
    {'Q', "quiet", FQC_FLAG, &fqs_opt.quiet, 0, 0, NULL,
     "nothing on stderr but warnings and errors (no progress line, no -v lines)"},
    {0, "progress", FQC_FLAG, &fqs_opt.progress, 0, 0, NULL,
     "the progress line (\"12.3 / 45.6 MB read (27%), 81234 reads/s, ETA 0:41\") even when stderr is not a "
     "terminal, from the first batch; by default only on a terminal, after 2 s; erased when a file is done"},
    {0, "per-position", FQC_FLAG, &fqs_opt.per_position, 0, 0, NULL,
     "instead of the summary, the table of `seqtk fqchk`: per read position the bases, %A %C %G %T %N "
     "(anything but ACGT in either case is N), avgQ, errQ and %low/%high (quality below / at least Q); empty "
     "reads are left out, as seqtk does"},
    {0, "max-pos", FQC_INT, &fqs_opt.max_pos, 1, 100000000, "N",
     "keep only positions 1..N apart; the bases past N are summed in one last row labelled N+1+. Default: no "
     "cap. The GPU counts per position only with --max-pos (--gpu --per-position without it: exit 2)"},
    {0, "counts", FQC_STR, &fqs_opt.counts, 0, 0, "FILE.json",
     "also write every counter of each input (lengths, per-position quality and base histograms, per-read "
     "histograms; exact integers) to FILE.json, for --merge; '-' is stdout (then nothing else is printed there)"},
    {0, "label", FQC_STR, &fqs_opt.label, 0, 0, "NAME",
     "the name --counts records for the input instead of its path (--merge adds up the inputs of one name: "
     "the lanes of one sample, say)"},
    {0, "merge", FQC_FLAG, &fqs_opt.merge, 0, 0, NULL,
     "the FILEs are --counts files: add up their inputs by name (in the order first seen) and print what a "
     "single run over each name's inputs, concatenated in the order given, prints; every column is exact"},
    {0, "fastqc-data", FQC_STR, &fqs_opt.fastqc, 0, 0, "PATH",
     "also write FastQC 0.11.9's fastqc_data.txt (its seven count-based modules, same numbers and statuses) to "
     "PATH; with several inputs PATH is a folder (made if missing) that gets NAME_fastqc/fastqc_data.txt for "
     "each, as `fastqc --extract` lays them out for MultiQC"},
    {0, "shard", FQC_STR, &fqs_opt.shard, 0, 0, "I/N",
     "count only shard I (0 .. N-1) of N: of a plain file or a BGZF file its records starting in bytes "
     "[I*size/N, (I+1)*size/N) (the boundaries are checked at both ends: a split that cannot be confirmed, or "
     "wrapped FASTQ, is an error), of ordinary gzip or stdin the whole file when its place among the FILEs "
     "(0, 1, ..) is I mod N. With --counts, the N shards' files --merge to the whole input's numbers"},
    {0, "nogroup", FQC_FLAG, &fqs_opt.nogroup, 0, 0, NULL,
     "--fastqc-data and --html: one row per position, as `fastqc --nogroup`; default: FastQC's grouping"},
    {0, "html", FQC_STR, &fqs_opt.html, 0, 0, "FILE.html",
     "also write one self-contained HTML page (inline SVG, no script, nothing loaded): per-position quality box "
     "plot, base and N content, per-read quality and GC, lengths, the summary and the run's metrics; two inputs "
     "(R1, R2) side by side"},
    {'q', NULL, FQC_INT, &fqs_opt.qthres, 0, 100000000, "Q",
     "%low/%high threshold (default 20); -q 0 prints the percentage of every quality value seen instead, like "
     "seqtk fqchk -q0"},
    {0, NULL, 0, NULL, 0, 0, NULL, NULL}};

static const fqc_cli FQS_CLI = {"fqstats", FQS_SYNOPSIS, FQS_ABOUT, FQS_OPTS, FQS_EPILOG};

/* Starts the MultiQC section of this mode in o's text. The report is
   opened before any input is read (an unwritable path fails first) and
   written whole at the end, or not at all (fqcli.h's fqc_report). */
static void fqs_mqc_begin(const fqs_options *opt, fqc_report *o) {
    if (opt->per_position)
        fqx_mqc_begin(o->text, "fqstats_per_position", "fqstats: quality per position",
                      "Mean Phred quality at each read position (fqstats --per-position, avgQ).", "linegraph",
                      "{\"id\": \"fqstats_per_position_quality\", \"title\": \"fqstats: mean quality "
                      "per position\", \"xlab\": \"Position (bp)\", \"ylab\": \"Mean quality (Phred)\"}");
    else
        fqx_mqc_begin(o->text, "fqstats_stats", "fqstats", "Read statistics computed like seqkit stats -a.", "table",
                      "{\"id\": \"fqstats_stats_table\", \"namespace\": \"fqstats\"}");
}

/* rank, size: this process among the MPI job's (0, 1 without MPI). */
static int fqs_main(int argc, char **argv, int rank, int size) {
    const fqs_options *opt = &fqs_opt;
    const char **files = (const char **)(argv + 1);
    fqs_run run;
    fqs_row *rows;
    fqs_gpu gpu;
    fqc_report mqc, counts, fastqc, html;
    struct timespec t0, t1;
    static const char *const dash[] = {"-"};
    fqp_gpu_mode gpu_mode;
    int i, status, nfiles, nrows = 0, nbad = 0, merged_count = 0;
    fqs_group *merged = NULL;
    memset(&mqc, 0, sizeof mqc);
    memset(&counts, 0, sizeof counts);
    memset(&fastqc, 0, sizeof fastqc);
    memset(&html, 0, sizeof html);
    memset(&run, 0, sizeof run);
    if ((status = fqc_parse(&FQS_CLI, argc, argv, &nfiles)) != FQC_GO) return status;
    (void)rank;
    (void)size;
    if (nfiles == 0) {
        if (isatty(fileno(stdin))) return fqc_no_input(&FQS_CLI); /* nothing piped in: say how to call us */
        files = (const char **)dash; /* like cat: no FILE, stdin */
        nfiles = 1;
    }
    if (opt->gpu && opt->cpu) return fqc_fail(&FQS_CLI, "--gpu and --cpu exclude each other");
    if (opt->multiqc && !fqx_mqc_name_ok(opt->multiqc))
        return fqc_fail(&FQS_CLI, "--multiqc %s: the name must end in _mqc.json (MultiQC reads no other)", opt->multiqc);
    if (opt->max_pos && (opt->counts || opt->merge || opt->fastqc || opt->html))
        return fqc_fail(&FQS_CLI, "--max-pos does not go with --counts, --merge, --fastqc-data or --html (they "
                                  "keep every position)");
    if (opt->nogroup && !opt->fastqc && !opt->html)
        return fqc_fail(&FQS_CLI, "--nogroup is for --fastqc-data and --html");
    if (opt->shard) {
        char *end;
        unsigned long long si, sn;
        errno = 0;
        si = strtoull(opt->shard, &end, 10);
        if (errno || end == opt->shard || *end != '/' || opt->shard[0] == '-' || end[1] == '-' || end[1] == '+')
            return fqc_fail(&FQS_CLI, "--shard %s: expected I/N, e.g. 0/4", opt->shard);
        sn = strtoull(end + 1, &end, 10);
        if (errno || *end || sn < 1 || si >= sn || sn > 4294967296ull)
            return fqc_fail(&FQS_CLI, "--shard %s: expected I/N with 0 <= I < N <= 2^32", opt->shard);
        if (opt->merge) return fqc_fail(&FQS_CLI, "--shard does not go with --merge (the counts are merged whole)");
        run.shard_index = si;
        run.shard_count = sn;
    }
    if (opt->label && !opt->counts) return fqc_fail(&FQS_CLI, "--label names the inputs of --counts: give --counts");
    if (opt->label && nfiles > 1 && !opt->merge)
        return fqc_fail(&FQS_CLI, "--label names one input: give one FILE");
    if (opt->gpu && opt->per_position && !opt->max_pos)
        return fqc_fail(&FQS_CLI, "--gpu --per-position needs --max-pos N (the GPU counts a fixed number of positions)");
    {   /* the MultiQC file is neither an input nor (through a link) one of them */
        fqc_file out[4], *in = (fqc_file *)calloc((size_t)nfiles, sizeof *in);
        int nout = 0;
        if (!in) {
            fprintf(stderr, "fqstats: out of memory\n");
            return 1;
        }
        if (opt->multiqc) out[nout].what = "--multiqc", out[nout++].path = opt->multiqc;
        if (opt->counts) out[nout].what = "--counts", out[nout++].path = opt->counts;
        if (opt->html) out[nout].what = "--html", out[nout++].path = opt->html;
        if (opt->fastqc && (nfiles == 1 || opt->merge)) out[nout].what = "--fastqc-data", out[nout++].path = opt->fastqc;
        for (i = 0; i < nfiles; i++) in[i].what = "input", in[i].path = files[i];
        status = fqc_check_files("fqstats", in, nfiles, out, nout);
        free(in);
        if (status != 0) return status;
    }
    gpu_mode = opt->gpu ? FQP_GPU_FORCE : opt->cpu ? FQP_GPU_OFF : FQP_GPU_AUTO; /* AUTO: the environment decides */
    rows = (fqs_row *)calloc((size_t)nfiles, sizeof *rows);
    if (!rows) {
        fprintf(stderr, "fqstats: out of memory\n");
        return 1;
    }
    run.threads = opt->threads;
    run.strict = opt->strict;
    run.qthres = opt->qthres;
    run.per_position = opt->per_position;
    run.json = opt->json;
    run.verbose = opt->verbose && !opt->quiet;
    run.max_pos = opt->max_pos ? (uint32_t)opt->max_pos : FQP_QC_DEFAULT_MAX_POS;
    run.full = opt->counts || opt->merge || opt->fastqc || opt->html;
    run.nogroup = opt->nogroup;
    run.html = opt->html != NULL;
    run.pos_grow = (opt->per_position || run.full) && !opt->max_pos;
    run.label = opt->label;
    run.many = nfiles > 1;
    fqs_progress.force = opt->quiet ? -1 : opt->progress;
    /* The GPU consumers are set up once for all files. Without the table,
       the QC kernel needs only its totals: max_pos 1 keeps its counters small. */
    if (opt->merge) memset(&gpu, 0, sizeof gpu); /* nothing to count */
    else if (fqs_gpu_open(&gpu, gpu_mode, opt->threads, opt->per_position ? run.max_pos : 1, run.pos_grow, run.full,
                          run.verbose) != 0)
        status = 1;
    if (status == 0 && rank == 0 && opt->counts) {
        if (fqc_report_open(&counts, "fqstats", opt->counts) != 0) status = 1;
        else run.counts = counts.text;
    }
    /* --fastqc-data: one file (one input, or a merge: its first name), or a folder of them */
    if (status == 0 && rank == 0 && opt->fastqc && (nfiles == 1 || opt->merge)) {
        if (fqc_report_open(&fastqc, "fqstats", opt->fastqc) != 0) status = 1;
        else run.fastqc = fastqc.text;
    } else if (status == 0 && rank == 0 && opt->fastqc) {
        if (mkdir(opt->fastqc, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "fqstats: --fastqc-data %s: cannot make the folder: %s\n", opt->fastqc, strerror(errno));
            status = 1;
        } else if (access(opt->fastqc, W_OK) != 0) {
            fprintf(stderr, "fqstats: --fastqc-data %s: cannot write there: %s\n", opt->fastqc, strerror(errno));
            status = 1;
        }
        run.fastqc_dir = opt->fastqc;
        for (i = 0; status == 0 && i < nfiles; i++) { /* two inputs of one name would share a folder */
            char a[1024], b[1024];
            int k;
            fqs_fastqc_name(files[i], a, sizeof a);
            for (k = 0; k < i; k++) {
                fqs_fastqc_name(files[k], b, sizeof b);
                if (strcmp(a, b) == 0) {
                    fprintf(stderr, "fqstats: --fastqc-data: %s and %s would both write %s/%s_fastqc\n", files[k],
                            files[i], opt->fastqc, a);
                    status = 1;
                    break;
                }
            }
        }
    }
    if (status == 0 && rank == 0 && opt->html && fqc_report_open(&html, "fqstats", opt->html) != 0) status = 1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (status == 0 && rank == 0 && opt->multiqc) {
        if (fqc_report_open(&mqc, "fqstats", opt->multiqc) != 0) {
            status = 1;
        } else {
            fqs_mqc_begin(opt, &mqc);
            run.mqc = mqc.text;
        }
    }
    /* Files run one after another, each with all consumer threads. A file
       that fails gets no row; the others are still counted and printed. */
    if (status != 0) { /* nothing was read: nothing to print */
        fqc_report_end(&mqc, 0);
        fqc_report_end(&counts, 0);
        fqc_report_end(&fastqc, 0);
        fqc_report_end(&html, 0);
        fqs_gpu_close(&gpu);
        free(rows);
        return status;
    }
    if (opt->merge) { /* counts files in, the usual output out */
        fqs_group *groups = NULL;
        int ngroups = 0, g;
        if (fqs_merge_files(&run, files, nfiles, &groups, &ngroups) != 0) status = 1;
        if (status == 0 && ngroups > nfiles) { /* a row per name: more names than files */
            fqs_row *more = (fqs_row *)realloc(rows, (size_t)ngroups * sizeof *rows);
            if (!more) status = 1;
            else rows = more;
        }
        run.many = ngroups > 1;
        for (g = 0; g < ngroups; g++) {
            if (status == 0) {
                memset(&rows[nrows], 0, sizeof rows[nrows]);
                rows[nrows].inflate = groups[g].inflate;
                fqs_report_total(&run, groups[g].file, &groups[g].total, &rows[nrows]);
                rows[nrows].file = groups[g].file; /* freed after printing */
                nrows++;
            }
            fqs_counts_free(&groups[g].total);
        }
        merged = groups;
        merged_count = ngroups;
        if (status != 0) nbad = nfiles;
    }
    for (i = 0; i < nfiles && status == 0 && !opt->merge; i++) {
        char why[FQP_ERROR_MESSAGE_MAX + 64];
#ifdef FQS_MPI
        if (size > 1) { /* every rank its share, rank 0 the sum */
            fqs_counts total;
            int bad, worst;
            why[0] = '\0';
            int share;
            run.shard_index = (uint64_t)rank;
            run.shard_count = (uint64_t)size;
            share = fqs_share(&run, files[i], i);
            char mine[32] = "", *names = rank == 0 ? (char *)calloc((size_t)size, sizeof mine) : NULL;
            memset(&rows[nrows], 0, sizeof rows[nrows]);
            if (share) bad = fqs_count_file(&run, files[i], share, &gpu, &total, &rows[nrows], why, sizeof why);
            else bad = fqs_total_init(&run, &total);
            /* the row's inflater: the first rank that read records of this file says which */
            if (bad == 0 && total.records && rows[nrows].inflate)
                snprintf(mine, sizeof mine, "%s", rows[nrows].inflate);
            MPI_Gather(mine, (int)sizeof mine, MPI_CHAR, names, (int)sizeof mine, MPI_CHAR, 0, MPI_COMM_WORLD);
            if (names) {
                int r;
                for (r = 0; r < size && !names[r * (int)sizeof mine]; r++) continue;
                snprintf(rows[nrows].inflate_name, sizeof rows[nrows].inflate_name, "%s",
                         r < size ? names + r * (int)sizeof mine : "none");
                rows[nrows].inflate = rows[nrows].inflate_name;
                free(names);
            }
            bad = bad == 0 ? 0 : why[0] ? 1 : 2; /* 2: an internal error, every rank stops */
            MPI_Allreduce(&bad, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
            if (worst == 0 && fqs_mpi_reduce(&total, rank, size) != 0) {
                fprintf(stderr, "fqstats: rank %d: out of memory for the counters\n", rank);
                MPI_Abort(MPI_COMM_WORLD, 1);
            }
            if (worst == 0 && rank == 0) fqs_report_total(&run, files[i], &total, &rows[nrows++]);
            fqs_counts_free(&total);
            if (bad == 1 && opt->skip_err) fprintf(stderr, "fqstats: warning: %s (skipped: -e)\n", why);
            else if (bad == 1) fprintf(stderr, "fqstats: %s\n", why);
            if (worst == 2) status = 1;
            else if (worst == 1) nbad++;
            continue;
        }
#endif
        int share = fqs_share(&run, files[i], i);
        if (share == 0) { /* another shard's file: no row, but its (empty) counts keep the merge in input order */
            fqs_counts none;
            if (run.counts && fqs_total_init(&run, &none) == 0)
                fqs_counts_write(run.counts, run.label ? run.label : files[i], "none", &none, run.counts_written++ == 0);
            fqs_counts_free(&none);
            continue;
        }
        if (fqs_stats_file(&run, files[i], share, &gpu, &rows[nrows], why, sizeof why) == 0) {
            nrows++;
            continue;
        }
        nbad++;
        if (why[0] && opt->skip_err) fprintf(stderr, "fqstats: warning: %s (skipped: -e)\n", why);
        else if (why[0]) fprintf(stderr, "fqstats: %s\n", why);
        else status = 1; /* an internal error (printed): stop */
    }
    if (status == 0 && nbad && !opt->skip_err) status = 1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (run.failed_reports) status = 1;
    if (fastqc.text && fqc_report_end(&fastqc, status == 0 && run.tables + nrows > 0) != 0) status = 1;
    if (html.text) {
        if (fqs_write_html(&run, &gpu, opt->merge, files, nfiles,
                           (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec), html.text) != 0)
            status = 1;
        if (fqc_report_end(&html, status == 0) != 0) status = 1;
    }
    for (i = 0; i < run.nkept; i++) fqs_counts_free(&run.kept[i]);
    free(run.kept);
    free(run.kept_names);
    if (counts.text) {
        fqs_counts_end(counts.text, run.counts_written);
        if (fqc_report_end(&counts, status == 0) != 0) status = 1;
    }
    if (mqc.text) { /* the table, after every file; the per-position lines are written already */
        if (!opt->per_position) fqs_mqc_table(mqc.text, rows, nrows);
        fqx_mqc_end(mqc.text, (opt->per_position ? run.mqc_samples : nrows) > 0);
        if (fqc_report_end(&mqc, status == 0) != 0) status = 1; /* failed: no file that looks complete */
    }
    if (run.verbose && gpu.cuda) fqs_gpu_report(&gpu);
    fqs_gpu_close(&gpu);
    if ((nrows == 0 && nbad > 0 && !opt->skip_err) || (opt->counts && strcmp(opt->counts, "-") == 0)) {
        /* every file failed: nothing to show; or stdout has the counts */
    } else if (opt->per_position) {
        if (opt->json) fputs(run.tables ? "\n]\n" : "[]\n", stdout);
    } else {
        int ncolumns = opt->all ? FQS_NCOLUMNS : FQS_BASIC_COLUMNS;
        if (opt->json) fqs_print_json(rows, nrows);
        else if (opt->tabular) fqs_print_tsv(rows, nrows, ncolumns);
        else fqs_print_table(rows, nrows, ncolumns);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "fqstats: cannot write the output\n");
        status = 1;
    }
    free(rows);
    for (i = 0; i < merged_count; i++) free(merged[i].file);
    free(merged);
    return status;
}

int main(int argc, char **argv) {
#ifdef FQS_MPI
    int rank, size, status;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    /* rank 0 alone prints results; every rank prints its own errors (a usage
       error, then, once per rank) */
    if (rank > 0 && !freopen("/dev/null", "w", stdout)) return 1;
    status = fqs_main(argc, argv, rank, size);
    MPI_Finalize();
    return status;
#else
    return fqs_main(argc, argv, 0, 1);
#endif
}
