/* fqfastqc.h - FastQC's modules computed from exact counters (fqview.h),
   and written as FastQC's fastqc_data.txt.

   fqf_compute() turns one fqv_sample into the numbers FastQC 0.11.9 prints
   for the modules below (with its default position grouping, or one row
   per position for --nogroup), and their pass/warn/fail statuses under
   FastQC's default limits. fqf_write_data() writes them in FastQC's module
   format; the HTML report (fqhtml.h) draws the same numbers. */
#ifndef FQFASTQC_H
#define FQFASTQC_H

#include <stdio.h>

#include "fqview.h"

typedef enum fqf_status { FQF_PASS = 0, FQF_WARN, FQF_FAIL } fqf_status;

/* A row's span: positions or lengths first .. last, 1-based, inclusive. */
typedef struct fqf_span {
    uint64_t first, last;
} fqf_span;

typedef struct fqf_report {
    /* Basic Statistics */
    char filename[512];
    const char *encoding; /* "Sanger / Illumina 1.9", ... */
    int offset;           /* 33 or 64: subtracted from the quality bytes */
    uint64_t total, poor, min_len, max_len;
    int gc_pct;

    /* Per base sequence quality: n_groups rows (positions grouped) */
    size_t n_groups;
    fqf_span *groups;
    double *q_mean, *q_median, *q_lower, *q_upper, *q_p10, *q_p90; /* NaN where FastQC prints NaN */
    fqf_status st_base_qual;

    /* Per sequence quality scores: (quality, reads) rows, ascending */
    size_t n_seq_qual;
    int *seq_qual;
    double *seq_qual_count;
    fqf_status st_seq_qual;

    /* Per base sequence content: percent per group, n_groups rows */
    double *pct_g, *pct_a, *pct_t, *pct_c;
    fqf_status st_base_content;

    /* Per sequence GC content: 0 .. 100 percent */
    double gc_count[101], gc_theory[101];
    fqf_status st_gc;

    /* Per base N content: n_groups rows */
    double *pct_n;
    fqf_status st_n;

    /* Sequence Length Distribution */
    size_t n_len_rows;
    fqf_span *len_rows;
    double *len_count;
    fqf_status st_len;
} fqf_report;

/* 0, or -1 (no memory; *r is then safe to free). nogroup: one row per position. */
static int fqf_compute(const fqv_sample *s, int nogroup, fqf_report *r);
static void fqf_report_free(fqf_report *r);
/* fastqc_data.txt: 0, or -1 (a write failed; errno says why). */
static int fqf_write_data(FILE *out, const fqf_report *r);
static const char *fqf_status_name(fqf_status s); /* "pass", "warn", "fail" */

#endif
