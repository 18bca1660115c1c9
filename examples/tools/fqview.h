/* fqview.h - one input's QC counters as plain arrays: what the report writers
   read (fqfastqc.h: FastQC's fastqc_data.txt; fqhtml.h: the HTML report).

   Everything is an exact integer count, so the counters of two inputs add
   up to the counters of their concatenation (fqstats --counts / --merge),
   and every number a writer prints derives from them alone. The writers
   never see reads: fqstats fills the view from its consumers' merged
   counters, tests/fqview_ref.c from a plain sequential reader. Positions
   are 0-based here; writers print them 1-based. Letters are counted case
   folded (FastQC upper-cases every sequence). */
#ifndef FQVIEW_H
#define FQVIEW_H

#include <stddef.h>
#include <stdint.h>

#define FQV_QUALS 94 /* quality bytes '!' .. '~': q = byte - 33, 0 .. 93 */

typedef struct fqv_length {
    uint64_t length, count;
} fqv_length;

typedef struct fqv_gc {
    uint64_t length, gc, count;
} fqv_gc;

typedef struct fqv_sample {
    const char *path;     /* as given on the command line ("-": stdin); writers show what FastQC shows */
    uint64_t reads;       /* records, empty ones included */
    uint64_t bases;       /* letters over all reads */
    uint64_t min_len, max_len;

    /* Per position p < positions (= max_len): bases at p with quality byte
       33 + q, and bases at p by letter. */
    uint64_t positions;
    const uint64_t *pos_qual;  /* [positions * FQV_QUALS]: pos_qual[p * FQV_QUALS + q] */
    const uint64_t *pos_base;  /* [positions * 5]: A, C, G, T, then N and every other letter */
    const uint64_t *pos_other; /* [positions]: the letters in pos_base's 5th column that are not N
                                  (IUPAC codes, gaps, ...); NULL: there are none */

    /* Per read (reads of length > 0): floor of the mean of (byte - 33). */
    const uint64_t *read_meanq; /* [FQV_QUALS] */

    /* Read lengths: ascending, count > 0, empty reads (length 0) included. */
    const fqv_length *lengths;
    size_t n_lengths;

    /* FastQC's per-read GC input: each non-empty read cut as FastQC cuts it
       (length <= 100: whole; <= 1000: down to a multiple of 100; longer:
       down to a multiple of 1000), with gc = G and C letters in the cut part.
       Ascending by (length, gc), count > 0. */
    const fqv_gc *gc;
    size_t n_gc;

    /* seqkit-style totals (fqstats -a) */
    uint64_t gc_letters;  /* G C g c */
    uint64_t gaps;        /* '-' '.' ' ' */
    uint64_t q20, q30;    /* bases of Phred+33 quality >= 20, >= 30 */
    const char *type;     /* "DNA", "RNA", "Protein", "Unlimit" or "" (no records) */
} fqv_sample;

/* How the run went, for the report's metrics table. */
typedef struct fqv_run {
    const char *tool;     /* "fqstats 0.x" */
    int threads;          /* consumer threads */
    const char *path;     /* "CPU" or "GPU: 2 consumers on NVIDIA H200 + 14 CPU threads" */
    double seconds;       /* wall time of the counting */
    uint64_t input_bytes; /* bytes read from the inputs (compressed size for .gz) */
} fqv_run;

#endif
