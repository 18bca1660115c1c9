/* Paired, interleaved and three-file input in lockstep at every batch limit;
   count and name mismatches at the right record; the FASTQ writer (plain,
   gzip, BGZF) round trip, 1 vs N threads byte for byte, BGZF structure, write
   errors. A watchdog fails the program if anything hangs. */
#define _POSIX_C_SOURCE 200809L
#define FASTQPAR_IMPLEMENTATION
#include "fastqpar.h"
#include "test.h"

#include "helpers.h"
#include "thread.h"
#include <stdatomic.h>

/* ---- input: mate m of pair i has its own length, so batches differ in bytes ---- */

static int mate_len(int m, int i) { return m == 0 ? 1 + i % 150 : m == 1 ? 1 + (i * 7) % 301 : 8; }

static char base_at(int m, int i, int k) { return "ACGTN"[(unsigned)(i * 131 + k * 7 + m * 3) % 5]; }

typedef th_buf text;

/* Record i of mate m; `name` overrides the name (NULL: "p<i>/<m+1>"). */
static void add_record(text *t, int m, int i, const char *name)
{
    char buf[1024];
    int len = mate_len(m, i), k, o;
    if (name) o = sprintf(buf, "@%s lane:%d\n", name, i % 7);
    else o = sprintf(buf, "@p%d/%d lane:%d\n", i, m + 1, i % 7);
    for (k = 0; k < len; k++) buf[o++] = base_at(m, i, k);
    buf[o++] = '\n';
    buf[o++] = '+';
    buf[o++] = '\n';
    for (k = 0; k < len; k++) buf[o++] = (char)('#' + (i + k + m) % 40);
    buf[o++] = '\n';
    th_buf_add(t, buf, (size_t)o);
}

static text make_mate(int m, int n)
{
    text t = {NULL, 0, 0};
    int i;
    th_buf_add(&t, "", 0);
    for (i = 0; i < n; i++) add_record(&t, m, i, NULL);
    return t;
}

/* ---- memory writer destination: fail_after_bytes fails a write that goes past it ---- */

typedef th_membuf membuf;

/* ---- the run ---- */

typedef struct check_state {
    uint64_t pairs, bad, batches;
} check_state;

typedef struct run_cfg {
    int files, interleaved, threads, write_mates, stop_at_pair;
    uint64_t batch_records, batch_bytes;
    unsigned char *seen; /* per pair: how many times processed */
    int expect_pairs;
} run_cfg;

static run_cfg cfg;

/* Checks that record i of every mate is pair first_pair + i, as generated. */
static fqp_result check_pairs(fqp_pair *pr, void *state, void *user)
{
    check_state *st = (check_state *)state;
    uint64_t i;
    int m, k;
    (void)user;
    if (pr->mates != (cfg.interleaved ? 2 : cfg.files)) st->bad++;
    for (i = 0; i < pr->count; i++) {
        int pair = (int)(pr->first_pair + i);
        for (m = 0; m < pr->mates; m++) {
            fqp_record r = fqp_pair_record(pr, m, i);
            char name[64];
            int ok = 1;
            sprintf(name, "p%d/%d", pair, m + 1);
            if (r.name_len != strlen(name) || memcmp(r.name, name, r.name_len) != 0) ok = 0;
            if (r.len != (uint64_t)mate_len(m, pair)) ok = 0;
            for (k = 0; ok && k < (int)r.len; k++) ok = r.seq[k] == base_at(m, pair, k);
            if (!ok) st->bad++;
            if (cfg.write_mates && fqp_pair_write_record(pr, m, &r, 0, r.len) != FQP_OK) return FQP_ERR_NOMEM;
        }
        if (pair < cfg.expect_pairs) cfg.seen[pair]++; /* a pair batch is processed by one thread */
        else st->bad++;
    }
    st->pairs += pr->count;
    st->batches++;
    if (cfg.stop_at_pair && pr->first_pair + pr->count >= (uint64_t)cfg.stop_at_pair) return FQP_STOP;
    return FQP_OK;
}

static fqp_result sum_state(void *state, int consumer, void *user)
{
    check_state *st = (check_state *)state, *all = (check_state *)user;
    (void)consumer;
    all->pairs += st->pairs;
    all->bad += st->bad;
    all->batches += st->batches;
    return FQP_OK;
}

static fqp_result run_paired(text *in, fqp_writer **out, check_state *all, fqp_metrics *m, fqp_error *err)
{
    fqp_paired_desc d;
    static const char *names[3] = {"R1.fq", "R2.fq", "I1.fq"};
    int k;
    memset(&d, 0, sizeof d);
    memset(all, 0, sizeof *all);
    for (k = 0; k < (cfg.interleaved ? 1 : cfg.files); k++) {
        d.input[k].data = in[k].data;
        d.input[k].size = in[k].len;
        d.input[k].name = cfg.interleaved ? "inter.fq" : names[k];
    }
    d.interleaved = cfg.interleaved;
    d.config.threads = cfg.threads;
    d.config.batch_records = cfg.batch_records;
    d.config.batch_bytes = cfg.batch_bytes;
    d.config.ignore_env = 1;
    d.state_size = sizeof(check_state);
    d.process = check_pairs;
    d.merge = sum_state;
    d.user = all;
    if (out)
        for (k = 0; k < FQP_PAIR_OUTPUTS; k++) d.output[k] = out[k];
    return fqp_paired_run(&d, m, err);
}

static void free_texts(text *t, int n)
{
    int i;
    for (i = 0; i < n; i++) free(t[i].data);
}

/* Lockstep: every pair exactly once, mates matching, at every batch limit,
   for 2 and 3 files, with output equal to the input files byte for byte. */
static void test_lockstep_every_limit(void)
{
    const int n = 700;
    static const uint64_t recs[] = {1, 2, 3, 7, 64, 8192};
    static const uint64_t bytes[] = {1, 100, 1000, 1u << 20};
    text in[3];
    int files, ri, bi, threads, k;
    test_current = "lockstep";
    for (k = 0; k < 3; k++) in[k] = make_mate(k, n);
    cfg.seen = (unsigned char *)calloc((size_t)n, 1);
    for (files = 2; files <= 3; files++)
        for (ri = 0; ri < 6; ri++)
            for (bi = 0; bi < 4; bi++)
                for (threads = 1; threads <= 3; threads += 2) {
                    check_state all;
                    fqp_metrics m;
                    fqp_error err;
                    membuf mb[3];
                    fqp_writer *w[FQP_PAIR_OUTPUTS] = {NULL, NULL, NULL, NULL};
                    int i, once = 1;
                    memset(mb, 0, sizeof mb);
                    for (k = 0; k < files; k++) {
                        fqp_writer_desc wd;
                        memset(&wd, 0, sizeof wd);
                        wd.write = th_mem_write;
                        wd.write_user = &mb[k];
                        REQUIRE(fqp_writer_open(&w[k], &wd, &err) == FQP_OK);
                    }
                    memset(cfg.seen, 0, (size_t)n);
                    cfg.files = files;
                    cfg.interleaved = 0;
                    cfg.threads = threads;
                    cfg.write_mates = 1;
                    cfg.stop_at_pair = 0;
                    cfg.batch_records = recs[ri];
                    cfg.batch_bytes = bytes[bi];
                    cfg.expect_pairs = n;
                    CHECK_EQ_INT(run_paired(in, w, &all, &m, &err), FQP_OK);
                    CHECK_EQ_U64(all.pairs, n);
                    CHECK_EQ_U64(all.bad, 0);
                    CHECK_EQ_U64(m.records, (uint64_t)n * (uint64_t)files);
                    if (recs[ri] == 7 && bytes[bi] == 1u << 20) CHECK_EQ_U64(all.batches, (n + 6) / 7); /* file 1 alone sets the cut */
                    for (i = 0; i < n; i++) once &= cfg.seen[i] == 1;
                    CHECK(once);
                    for (k = 0; k < files; k++) {
                        CHECK_EQ_INT(fqp_writer_close(w[k], &err), FQP_OK);
                        CHECK(mb[k].len == in[k].len && memcmp(mb[k].data, in[k].data, in[k].len) == 0);
                        free(mb[k].data);
                    }
                    if (fqpt_failed) {
                        fprintf(stderr, "  files %d, batch_records %llu, batch_bytes %llu, threads %d\n", files,
                                (unsigned long long)recs[ri], (unsigned long long)bytes[bi], threads);
                        goto out;
                    }
                }
out:
    free(cfg.seen);
    free_texts(in, 3);
}

static void test_interleaved(void)
{
    const int n = 501;
    static const uint64_t recs[] = {1, 2, 3, 5, 64};
    static const uint64_t bytes[] = {1, 150, 1u << 20};
    text in[1] = {{NULL, 0, 0}}, orig[2];
    int i, ri, bi;
    test_current = "interleaved";
    orig[0] = make_mate(0, n);
    orig[1] = make_mate(1, n);
    th_buf_add(&in[0], "", 0);
    for (i = 0; i < n; i++) {
        add_record(&in[0], 0, i, NULL);
        add_record(&in[0], 1, i, NULL);
    }
    cfg.seen = (unsigned char *)calloc((size_t)n, 1);
    for (ri = 0; ri < 5; ri++)
        for (bi = 0; bi < 3; bi++) {
            check_state all;
            fqp_error err;
            fqp_metrics m;
            membuf mb[2];
            fqp_writer *w[FQP_PAIR_OUTPUTS] = {NULL, NULL, NULL, NULL};
            int k, once = 1;
            memset(mb, 0, sizeof mb);
            for (k = 0; k < 2; k++) {
                fqp_writer_desc wd;
                memset(&wd, 0, sizeof wd);
                wd.write = th_mem_write;
                wd.write_user = &mb[k];
                REQUIRE(fqp_writer_open(&w[k], &wd, &err) == FQP_OK);
            }
            memset(cfg.seen, 0, (size_t)n);
            cfg.files = 1;
            cfg.interleaved = 1;
            cfg.threads = 3;
            cfg.write_mates = 1;
            cfg.stop_at_pair = 0;
            cfg.batch_records = recs[ri];
            cfg.batch_bytes = bytes[bi];
            cfg.expect_pairs = n;
            CHECK_EQ_INT(run_paired(in, w, &all, &m, &err), FQP_OK);
            CHECK_EQ_U64(all.pairs, n);
            CHECK_EQ_U64(all.bad, 0);
            CHECK_EQ_U64(m.records, 2 * (uint64_t)n);
            for (i = 0; i < n; i++) once &= cfg.seen[i] == 1;
            CHECK(once);
            for (k = 0; k < 2; k++) { /* de-interleaved: each mate file as generated */
                CHECK_EQ_INT(fqp_writer_close(w[k], &err), FQP_OK);
                CHECK(mb[k].len == orig[k].len && memcmp(mb[k].data, orig[k].data, orig[k].len) == 0);
                free(mb[k].data);
            }
        }
    /* an odd number of records: the last one has no mate */
    {
        check_state all;
        fqp_error err;
        fqp_metrics m;
        add_record(&in[0], 0, n, NULL);
        for (bi = 0; bi < 3; bi++) {
            memset(cfg.seen, 0, (size_t)n);
            cfg.batch_records = 4;
            cfg.batch_bytes = bytes[bi];
            cfg.write_mates = 0;
            CHECK_EQ_INT(run_paired(in, NULL, &all, &m, &err), FQP_ERR_PAIR_COUNT);
            CHECK_EQ_U64(err.record, 2 * (uint64_t)n + 1);
            CHECK(strstr(err.message, "inter.fq: odd number of records (1003)") != NULL);
            CHECK(strstr(err.message, "record 1003 has no mate") != NULL);
        }
    }
    free(cfg.seen);
    free_texts(in, 1);
    free_texts(orig, 2);
}

/* One file shorter than the other, at and between batch boundaries. */
static void test_count_mismatch(void)
{
    const int n = 300;
    static const int shorter[] = {0, 299, 64, 63, 1};
    static const uint64_t recs[] = {1, 8, 64, 8192};
    int si, ri, which;
    test_current = "count mismatch";
    cfg.seen = (unsigned char *)calloc((size_t)n, 1);
    for (which = 0; which < 2; which++)
        for (si = 0; si < 5; si++)
            for (ri = 0; ri < 4; ri++) {
                text in[2];
                check_state all;
                fqp_error err;
                fqp_metrics m;
                int have = shorter[si];
                char want[256];
                in[which] = make_mate(which, have);
                in[1 - which] = make_mate(1 - which, n);
                cfg.files = 2;
                cfg.interleaved = 0;
                cfg.threads = 2;
                cfg.write_mates = 0;
                cfg.stop_at_pair = 0;
                cfg.batch_records = recs[ri];
                cfg.batch_bytes = 0;
                cfg.expect_pairs = n;
                CHECK_EQ_INT(run_paired(in, NULL, &all, &m, &err), FQP_ERR_PAIR_COUNT);
                CHECK_EQ_U64(err.record, (uint64_t)have + 1);
                CHECK(strcmp(err.file, which ? "R2.fq" : "R1.fq") == 0);
                snprintf(want, sizeof want, "%s ends after %d records, but %s has more: its record %d has no mate",
                         which ? "R2.fq" : "R1.fq", have, which ? "R1.fq" : "R2.fq", have + 1);
                CHECK(strstr(err.message, want) != NULL);
                CHECK(all.bad == 0);
                if (fqpt_failed) {
                    fprintf(stderr, "  %s has %d records, batch_records %llu: %s\n", which ? "R2" : "R1", have,
                            (unsigned long long)recs[ri], err.message);
                    free_texts(in, 2);
                    free(cfg.seen);
                    return;
                }
                free_texts(in, 2);
            }
    free(cfg.seen);
}

/* A renamed mate fails at its record, whatever batch holds it; /1 /2 and
   the comment never count as a difference. */
static void test_name_mismatch(void)
{
    const int n = 200;
    static const uint64_t recs[] = {1, 7, 8192};
    int ri, i;
    test_current = "name mismatch";
    cfg.seen = (unsigned char *)calloc((size_t)n, 1);
    for (ri = 0; ri < 3; ri++) {
        text in[2] = {{NULL, 0, 0}, {NULL, 0, 0}};
        check_state all;
        fqp_error err;
        fqp_metrics m;
        th_buf_add(&in[0], "", 0);
        th_buf_add(&in[1], "", 0);
        for (i = 0; i < n; i++) {
            add_record(&in[0], 0, i, NULL);
            /* mismatches at records 38 and 120: the first one is reported */
            add_record(&in[1], 1, i, i == 37 ? "p37x/2" : i == 119 ? "other" : NULL);
        }
        cfg.files = 2;
        cfg.interleaved = 0;
        cfg.threads = 3;
        cfg.write_mates = 0;
        cfg.stop_at_pair = 0;
        cfg.batch_records = recs[ri];
        cfg.batch_bytes = 0;
        cfg.expect_pairs = n;
        CHECK_EQ_INT(run_paired(in, NULL, &all, &m, &err), FQP_ERR_PAIR_NAME);
        CHECK_EQ_U64(err.record, 38);
        CHECK(strstr(err.message, "record 38: mate names differ: \"p37/1\" in R1.fq, \"p37x/2\" in R2.fq") != NULL);
        free_texts(in, 2);
    }
    {   /* interleaved: records 2k+1 and 2k+2 */
        text in[1] = {{NULL, 0, 0}};
        check_state all;
        fqp_error err;
        fqp_metrics m;
        th_buf_add(&in[0], "", 0);
        for (i = 0; i < n; i++) {
            add_record(&in[0], 0, i, NULL);
            add_record(&in[0], 1, i, i == 50 ? "q50/2" : NULL);
        }
        cfg.interleaved = 1;
        cfg.files = 1;
        cfg.batch_records = 6;
        CHECK_EQ_INT(run_paired(in, NULL, &all, &m, &err), FQP_ERR_PAIR_NAME);
        CHECK_EQ_U64(err.record, 101);
        CHECK(strstr(err.message, "records 101 and 102 are not mates: names \"p50/1\" and \"q50/2\" differ") != NULL);
        free_texts(in, 1);
    }
    free(cfg.seen);
}

/* The first problem in the input is the run's error, whatever the batch
   limits and threads: a mate-name mismatch at pair 30 comes before an
   invalid base, a truncated record, the end of a mate file, or an odd
   interleaved count later in the same batch (at pair 40). */
static void test_error_order(void)
{
    static const char *later[] = {"invalid base", "truncated", "mate ends", "odd interleaved", "index file ends"};
    const int n = 60;
    int kind, rec, thr;
    test_current = "error order";
    cfg.seen = (unsigned char *)calloc((size_t)n, 1);
    for (kind = 0; kind < 5; kind++)
        for (rec = 1; rec <= 64; rec = rec < 8 ? rec + 1 : rec * 2)
            for (thr = 1; thr <= 3; thr += 2) {
                text in[3] = {{NULL, 0, 0}, {NULL, 0, 0}, {NULL, 0, 0}};
                check_state all;
                fqp_error err;
                fqp_metrics m;
                int i, m2 = kind == 3 ? 0 : 1, files = kind == 4 ? 3 : 2;
                for (i = 0; i < 3; i++) th_buf_add(&in[i], "", 0);
                for (i = 0; i < n; i++) {
                    text *t = kind == 3 ? &in[0] : &in[1];
                    add_record(&in[0], 0, i, NULL);
                    if (kind == 2 && i == 40) continue; /* R2 ends after 40 records */
                    if (kind == 3 && i == 40) break;    /* record 81 has no mate */
                    if (kind == 1 && i == 40) {
                        th_buf_add(t, "@p40/2\nACGT\n+\nII", 16); /* input ends inside the quality */
                        continue;
                    }
                    if ((kind == 1 || kind == 2) && i > 40) continue;
                    add_record(t, m2, i, i == 30 ? "p30x/2" : NULL);
                    if (kind == 0 && i == 40) t->data[t->len - 2 * (size_t)mate_len(1, i) - 4] = '\x01'; /* bad base */
                    if (kind == 4 && i < 40) add_record(&in[2], 2, i, NULL); /* I1 ends after 40 */
                }
                cfg.files = files;
                cfg.interleaved = kind == 3;
                cfg.threads = thr;
                cfg.write_mates = 0;
                cfg.stop_at_pair = 0;
                cfg.batch_records = (uint64_t)rec;
                cfg.batch_bytes = 0;
                cfg.expect_pairs = n;
                memset(cfg.seen, 0, (size_t)n);
                CHECK_EQ_INT(run_paired(in, NULL, &all, &m, &err), FQP_ERR_PAIR_NAME);
                CHECK_EQ_U64(err.record, kind == 3 ? 61 : 31);
                /* the 30 pairs before it were processed, once; later ones at
                   most once, and with one thread none */
                for (i = 0; i < n; i++) CHECK(i < 30 ? cfg.seen[i] == 1 : cfg.seen[i] <= (thr > 1));
                if (fqpt_failed) {
                    fprintf(stderr, "  then %s, batch_records %d, threads %d: %s\n", later[kind], rec, thr,
                            err.message);
                    free_texts(in, 3);
                    free(cfg.seen);
                    return;
                }
                free_texts(in, 3);
            }
    free(cfg.seen);
}

/* An early stop still writes every batch up to the one that stopped. */
static void test_stop(void)
{
    const int n = 400;
    text in[2];
    check_state all;
    fqp_error err;
    fqp_metrics m;
    test_current = "stop";
    in[0] = make_mate(0, n);
    in[1] = make_mate(1, n);
    cfg.seen = (unsigned char *)calloc((size_t)n, 1);
    cfg.files = 2;
    cfg.interleaved = 0;
    cfg.threads = 3;
    cfg.write_mates = 0;
    cfg.stop_at_pair = 50;
    cfg.batch_records = 10;
    cfg.batch_bytes = 0;
    cfg.expect_pairs = n;
    CHECK_EQ_INT(run_paired(in, NULL, &all, &m, &err), FQP_STOP);
    CHECK(all.pairs >= 50);
    CHECK(all.bad == 0);
    cfg.stop_at_pair = 0;
    free(cfg.seen);
    free_texts(in, 2);
}

/* ---- writer ---- */

/* Writes the mates of a paired run in `format`; returns the bytes of output k. */
static void write_run(fqp_format format, int threads, text *in, membuf *mb)
{
    fqp_writer *w[FQP_PAIR_OUTPUTS] = {NULL, NULL, NULL, NULL};
    check_state all;
    fqp_error err;
    fqp_metrics m;
    int k;
    memset(mb, 0, 2 * sizeof *mb);
    for (k = 0; k < 2; k++) {
        fqp_writer_desc wd;
        memset(&wd, 0, sizeof wd);
        wd.write = th_mem_write;
        wd.write_user = &mb[k];
        wd.format = format;
        wd.level = k ? 1 : 0;
        REQUIRE(fqp_writer_open(&w[k], &wd, &err) == FQP_OK);
    }
    cfg.files = 2;
    cfg.interleaved = 0;
    cfg.threads = threads;
    cfg.write_mates = 1;
    cfg.stop_at_pair = 0;
    cfg.batch_records = 97;
    cfg.batch_bytes = 0;
    CHECK_EQ_INT(run_paired(in, w, &all, &m, &err), FQP_OK);
    for (k = 0; k < 2; k++) CHECK_EQ_INT(fqp_writer_close(w[k], &err), FQP_OK);
}

/* Walks BGZF blocks: each a gzip member with the BC field giving its size,
   at most 64 KiB, and the file ends with the 28-byte EOF block. */
static int bgzf_valid(const unsigned char *p, size_t n, int *blocks)
{
    size_t o = 0;
    *blocks = 0;
    while (o < n) {
        size_t bsize;
        if (n - o < 28 || p[o] != 0x1f || p[o + 1] != 0x8b || p[o + 3] != 4 || p[o + 12] != 'B' ||
            p[o + 13] != 'C')
            return 0;
        bsize = (size_t)p[o + 16] + ((size_t)p[o + 17] << 8) + 1;
        if (bsize > n - o || bsize > 65536) return 0;
        o += bsize;
        ++*blocks;
        if (o == n) return bsize == 28; /* the last one is the EOF block */
    }
    return 0;
}

static void test_writer_round_trip(void)
{
    const int n = 3000;
    text in[2];
    int f, k;
    test_current = "writer";
    in[0] = make_mate(0, n);
    in[1] = make_mate(1, n);
    cfg.seen = (unsigned char *)calloc((size_t)n, 1);
    cfg.expect_pairs = n;
    for (f = FQP_FORMAT_PLAIN; f <= FQP_FORMAT_BGZF; f++) {
        membuf one[2], many[2];
        write_run((fqp_format)f, 1, in, one);
        write_run((fqp_format)f, 4, in, many);
        for (k = 0; k < 2; k++) {
            text back = {NULL, 0, 0};
            /* 1 and N threads: the same bytes */
            CHECK(one[k].len == many[k].len && memcmp(one[k].data, many[k].data, one[k].len) == 0);
            if (f == FQP_FORMAT_PLAIN) th_buf_add(&back, one[k].data, one[k].len);
            else CHECK(th_gunzip(one[k].data, one[k].len, &back));
            CHECK(back.len == in[k].len && memcmp(back.data, in[k].data, in[k].len) == 0);
            if (f == FQP_FORMAT_BGZF) {
                int blocks;
                CHECK(bgzf_valid((const unsigned char *)one[k].data, one[k].len, &blocks));
                CHECK(blocks >= (int)(in[k].len / 0xff00) + 2);
            }
            if (f == FQP_FORMAT_GZIP) CHECK(one[k].len > 2 && (unsigned char)one[k].data[0] == 0x1f);
            {   /* and fastqpar reads it back as the same records */
                fqp_producer_desc pd;
                fqp_producer *p;
                fqp_batch *b;
                fqp_error err;
                uint64_t records = 0;
                memset(&pd, 0, sizeof pd);
                pd.input.data = one[k].data;
                pd.input.size = one[k].len;
                pd.config.threads = 1;
                pd.config.ignore_env = 1;
                REQUIRE(fqp_producer_create(&p, &pd, &err) == FQP_OK);
                while (fqp_producer_read(p, &b) == FQP_OK) {
                    uint64_t i;
                    for (i = 0; i < b->count; i++) {
                        fqp_record r = fqp_batch_record(b, i);
                        CHECK_EQ_U64(r.len, (uint64_t)mate_len(k, (int)(r.number - 1)));
                    }
                    records += b->count;
                    fqp_producer_release(p, b);
                }
                CHECK_EQ_INT(fqp_producer_error(p, &err), FQP_OK);
                CHECK_EQ_U64(records, n);
                fqp_producer_destroy(p);
            }
            free(back.data);
            free(one[k].data);
            free(many[k].data);
        }
    }
    free(cfg.seen);
    free_texts(in, 2);
}

/* keep_plus_name repeats the header; trimming keeps [start, end). */
static fqp_result write_trimmed(fqp_pair *pr, void *state, void *user)
{
    uint64_t i;
    (void)state;
    (void)user;
    for (i = 0; i < pr->count; i++) {
        fqp_record r = fqp_pair_record(pr, 0, i);
        if (fqp_pair_write_record(pr, 0, &r, 1, r.len - 1) != FQP_OK) return FQP_ERR_NOMEM;
        if (fqp_pair_write_record(pr, 0, &r, 0, r.len + 1) != FQP_ERR_INVALID_ARGUMENT) return FQP_ERR_CONSUMER;
        if (fqp_pair_write(pr, 1, "x", 1) != FQP_ERR_INVALID_ARGUMENT) return FQP_ERR_CONSUMER;
    }
    return FQP_OK;
}

static void test_writer_plus_name_and_slice(void)
{
    const char *in = "@a x y\nACGTA\n+a x y\nIIIII\n@b\nGG\n+\n!!\n";
    membuf mb;
    fqp_writer *w;
    fqp_writer_desc wd;
    fqp_paired_desc d;
    fqp_error err;
    test_current = "plus name";
    memset(&mb, 0, sizeof mb);
    memset(&wd, 0, sizeof wd);
    wd.write = th_mem_write;
    wd.write_user = &mb;
    wd.keep_plus_name = 1;
    REQUIRE(fqp_writer_open(&w, &wd, &err) == FQP_OK);
    memset(&d, 0, sizeof d);
    d.input[0].data = in;
    d.input[0].size = strlen(in);
    d.config.threads = 2;
    d.config.ignore_env = 1;
    d.process = write_trimmed;
    d.output[0] = w;
    CHECK_EQ_INT(fqp_paired_run(&d, NULL, &err), FQP_OK);
    CHECK_EQ_INT(fqp_writer_close(w, &err), FQP_OK);
    CHECK(mb.data && strcmp(mb.data, "@a x y\nCGT\n+a x y\nIII\n@b\n\n+b\n\n") == 0);
    free(mb.data);
    CHECK_EQ_INT(fqp_format_from_name("x.fq.gz"), FQP_FORMAT_BGZF); /* gzip readers read BGZF; GZIP only when asked */
    CHECK_EQ_INT(fqp_format_from_name("x.fq.bgzf"), FQP_FORMAT_BGZF);
    CHECK_EQ_INT(fqp_format_from_name("x.fq.bgz"), FQP_FORMAT_BGZF);
    CHECK_EQ_INT(fqp_format_from_name("x.fq"), FQP_FORMAT_PLAIN);
    CHECK_EQ_INT(fqp_format_from_name("-"), FQP_FORMAT_PLAIN);
}

/* A failing destination is FQP_ERR_WRITE from the run and from close. */
static void test_write_errors(void)
{
    const int n = 3000;
    text in[2];
    int f;
    test_current = "write errors";
    in[0] = make_mate(0, n);
    in[1] = make_mate(1, n);
    cfg.seen = (unsigned char *)calloc((size_t)n, 1);
    cfg.expect_pairs = n;
    for (f = FQP_FORMAT_PLAIN; f <= FQP_FORMAT_BGZF; f++) {
        membuf mb[2];
        fqp_writer *w[FQP_PAIR_OUTPUTS] = {NULL, NULL, NULL, NULL};
        check_state all;
        fqp_error err;
        fqp_metrics m;
        fqp_result r;
        int k;
        memset(mb, 0, sizeof mb);
        for (k = 0; k < 2; k++) {
            fqp_writer_desc wd;
            memset(&wd, 0, sizeof wd);
            wd.write = th_mem_write;
            wd.write_user = &mb[k];
            wd.format = (fqp_format)f;
            wd.name = k ? "out2.fq" : "out1.fq";
            REQUIRE(fqp_writer_open(&w[k], &wd, &err) == FQP_OK);
        }
        mb[1].fail_after_bytes = 1000; /* gzip: less than the first 32 KiB deflate chunk */
        cfg.files = 2;
        cfg.threads = 3;
        cfg.write_mates = 1;
        cfg.batch_records = 50;
        memset(cfg.seen, 0, (size_t)n);
        r = run_paired(in, w, &all, &m, &err);
        /* gzip: zlib may hold this very compressible text until the end */
        if (f != FQP_FORMAT_GZIP || r != FQP_OK) {
            CHECK_EQ_INT(r, FQP_ERR_WRITE);
            CHECK(strstr(err.message, "out2.fq: write failed") != NULL);
        }
        CHECK_EQ_INT(fqp_writer_close(w[0], &err), FQP_OK);
        CHECK_EQ_INT(fqp_writer_close(w[1], &err), FQP_ERR_WRITE);
        CHECK(strstr(err.message, "out2.fq: write failed") != NULL);
        CHECK(mb[1].len <= 1000);
        free(mb[0].data);
        free(mb[1].data);
    }
    {   /* a real full disk: /dev/full fails at the latest on flush */
        fqp_writer *w;
        fqp_writer_desc wd;
        fqp_error err;
        FILE *probe = fopen("/dev/full", "wb");
        if (probe) {
            fclose(probe);
            memset(&wd, 0, sizeof wd);
            wd.path = "/dev/full";
            wd.format = FQP_FORMAT_GZIP;
            REQUIRE(fqp_writer_open(&w, &wd, &err) == FQP_OK);
            fqp_writer_write(w, in[0].data, in[0].len, &err);
            CHECK_EQ_INT(fqp_writer_close(w, &err), FQP_ERR_WRITE);
            CHECK(strstr(err.message, "/dev/full: ") != NULL);
        }
    }
    free(cfg.seen);
    free_texts(in, 2);
}

/* The pipeline's allocator: counts blocks big enough to be a deflate state
   or window, which only consumer-side BGZF compression allocates there (the
   writer's own compressor uses the writer's allocator). */
static _Atomic int big_allocs;
static void *count_alloc(size_t n, void *user)
{
    (void)user;
    if (n >= 60000) atomic_fetch_add(&big_allocs, 1);
    return malloc(n);
}
static void *count_realloc(void *ptr, size_t old_size, size_t n, void *user)
{
    (void)old_size;
    (void)user;
    return realloc(ptr, n);
}
static void count_free(void *ptr, void *user)
{
    (void)user;
    free(ptr);
}

/* fqp_writer_output in fqp_pipeline_run: BGZF compressed by the consumers
   (their compressors come from the pipeline's allocator), byte-identical
   for 1 and 3 threads, and it inflates back to the input. */
static void test_writer_with_pipeline(void)
{
    text in = make_mate(0, 2000), back = {NULL, 0, 0};
    membuf mb[2];
    int blocks, t;
    test_current = "pipeline writer";
    for (t = 0; t < 2; t++) {
        fqp_writer *w;
        fqp_writer_desc wd;
        fqp_pipeline_desc d;
        fqp_error err;
        memset(&mb[t], 0, sizeof mb[t]);
        memset(&wd, 0, sizeof wd);
        wd.write = th_mem_write;
        wd.write_user = &mb[t];
        wd.format = FQP_FORMAT_BGZF;
        wd.deflate = FQP_CODEC_ZLIB; /* whose state and window come from the allocator (libdeflate's do not) */
        wd.ignore_env = 1;
        REQUIRE(fqp_writer_open(&w, &wd, &err) == FQP_OK);
        memset(&d, 0, sizeof d);
        d.input.data = in.data;
        d.input.size = in.len;
        d.config.threads = t ? 3 : 1;
        d.config.batch_records = 100;
        d.config.ignore_env = 1;
        d.config.allocator.alloc = count_alloc;
        d.config.allocator.realloc = count_realloc;
        d.config.allocator.free = count_free;
        d.process = th_write_batch;
        d.output = fqp_writer_output(w);
        atomic_store(&big_allocs, 0);
        CHECK_EQ_INT(fqp_pipeline_run(&d, NULL, &err), FQP_OK);
        CHECK(atomic_load(&big_allocs) >= 2); /* a deflate state and window at least */
        CHECK_EQ_INT(fqp_writer_close(w, &err), FQP_OK);
        CHECK(bgzf_valid((const unsigned char *)mb[t].data, mb[t].len, &blocks));
        CHECK(blocks >= 20 + 1); /* a batch's text starts a block; + the EOF block */
    }
    CHECK(mb[0].len == mb[1].len && memcmp(mb[0].data, mb[1].data, mb[0].len) == 0);
    CHECK(th_gunzip(mb[1].data, mb[1].len, &back));
    CHECK(back.len == in.len && memcmp(back.data, in.data, in.len) == 0);
    free(back.data);
    free(mb[0].data);
    free(mb[1].data);
    free(in.data);
}

/* fqp_batch_error on a mate's batch fails the run at that record. */
static fqp_result fail_mate(fqp_pair *pr, void *state, void *user)
{
    uint64_t i;
    (void)state;
    (void)user;
    for (i = 0; i < pr->count; i++)
        if (pr->first_pair + i == 76) return fqp_batch_error(pr->batch[1], i, FQP_ERR_CONSUMER, "mate rejected");
    return FQP_OK;
}

static void test_batch_error_on_mate(void)
{
    text in[2];
    fqp_paired_desc d;
    fqp_error err;
    test_current = "mate batch error";
    in[0] = make_mate(0, 300);
    in[1] = make_mate(1, 300);
    memset(&d, 0, sizeof d);
    d.input[0].data = in[0].data;
    d.input[0].size = in[0].len;
    d.input[1].data = in[1].data;
    d.input[1].size = in[1].len;
    d.input[1].name = "R2.fq";
    d.config.threads = 3;
    d.config.batch_records = 10;
    d.config.ignore_env = 1;
    d.process = fail_mate;
    CHECK_EQ_INT(fqp_paired_run(&d, NULL, &err), FQP_ERR_CONSUMER);
    CHECK_EQ_U64(err.record, 77);
    CHECK(strstr(err.message, "R2.fq: record 77, line 305, byte ") != NULL);
    CHECK(strstr(err.message, "mate rejected") != NULL);
    free_texts(in, 2);
}

/* The reader rules hold in every mate file (issue 13): printable letters by
   default and IUPAC ones under config.letters, a blank line inside a record
   an error located in the mate file that has it. */
static fqp_result keep_mate2(fqp_pair *pr, void *state, void *user)
{
    th_dump *d = (th_dump *)user;
    uint64_t i;
    (void)state;
    for (i = 0; i < pr->count; i++) {
        fqp_record r = fqp_pair_record(pr, 1, i);
        th_dump_add(d, r.seq, r.len);
        th_dump_add(d, "\n", 1);
    }
    return FQP_OK;
}

static fqp_result run_two(const char *r1, const char *r2, int interleaved, fqp_letters letters, th_dump *seen,
                          fqp_error *err)
{
    fqp_paired_desc d;
    memset(&d, 0, sizeof d);
    memset(seen, 0, sizeof *seen);
    th_dump_add(seen, "", 0);
    d.input[0].data = r1;
    d.input[0].size = strlen(r1);
    d.input[0].name = interleaved ? "inter.fq" : "R1.fq";
    if (!interleaved) {
        d.input[1].data = r2;
        d.input[1].size = strlen(r2);
        d.input[1].name = "R2.fq";
    }
    d.interleaved = interleaved;
    d.config.threads = 1; /* one consumer: pairs are seen in input order */
    d.config.batch_records = 1;
    d.config.letters = letters;
    d.config.ignore_env = 1;
    d.process = keep_mate2;
    d.user = seen;
    return fqp_paired_run(&d, NULL, err);
}

static void test_mate_reader_rules(void)
{
    const char *r1 = "@p0/1\nACGT\n+\nIIII\n@p1/1\nAC\n+\nII\n";
    const char *r2 = "@p0/2\nEJPQ\n+\nIIII\n@p1/2\n1*\n+\nII\n";
    const char *r2_blank = "@p0/2\nACGT\n+\nII\n\nII\n@p1/2\nAC\n+\nII\n";
    const char *inter = "@p0/1\nACGT\n+\nIIII\n@p0/2\nEJPQ\n+\nIIII\n@p1/1\nAC\n+\nII\n@p1/2\n\nAC\n+\nII\n";
    th_dump seen;
    fqp_error err;
    test_current = "mate reader rules";
    CHECK_EQ_INT(run_two(r1, r2, 0, FQP_LETTERS_PRINTABLE, &seen, &err), FQP_OK);
    CHECK(seen.text && strcmp(seen.text, "EJPQ\n1*\n") == 0);
    free(seen.text);
    CHECK_EQ_INT(run_two(r1, r2, 0, FQP_LETTERS_IUPAC, &seen, &err), FQP_ERR_INVALID_BASE);
    CHECK(strcmp(err.file, "R2.fq") == 0);
    CHECK_EQ_U64(err.record, 1);
    CHECK_EQ_U64(err.line, 2);
    CHECK_EQ_U64(err.offset, 6);
    free(seen.text);
    CHECK_EQ_INT(run_two(r1, r2_blank, 0, FQP_LETTERS_PRINTABLE, &seen, &err), FQP_ERR_BLANK_LINE);
    CHECK(strcmp(err.file, "R2.fq") == 0);
    CHECK_EQ_U64(err.record, 1);
    CHECK_EQ_U64(err.line, 5);
    CHECK_EQ_U64(err.offset, 16);
    free(seen.text);
    /* interleaved: record 4 (mate 2 of pair 2) has a blank line after its header */
    CHECK_EQ_INT(run_two(inter, NULL, 1, FQP_LETTERS_PRINTABLE, &seen, &err), FQP_ERR_BLANK_LINE);
    CHECK(strcmp(err.file, "inter.fq") == 0);
    CHECK_EQ_U64(err.record, 4);
    CHECK_EQ_U64(err.line, 14);
    CHECK_EQ_U64(err.offset, 56);
    CHECK(seen.text && strcmp(seen.text, "EJPQ\n") == 0); /* pair 1, before the error, was processed */
    free(seen.text);
}

int main(void)
{
    test_watchdog_start(120, NULL);
    RUN(test_lockstep_every_limit);
    RUN(test_interleaved);
    RUN(test_count_mismatch);
    RUN(test_name_mismatch);
    RUN(test_error_order);
    RUN(test_stop);
    RUN(test_writer_round_trip);
    RUN(test_writer_plus_name_and_slice);
    RUN(test_write_errors);
    RUN(test_writer_with_pipeline);
    RUN(test_batch_error_on_mate);
    RUN(test_mate_reader_rules);
    TEST_EXIT();
}
