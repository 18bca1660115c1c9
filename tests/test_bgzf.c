/* BGZF tests: blocks built here with zlib (sizes chosen so that records,
   lines and "\r\n" straddle blocks and jobs), read single-threaded and
   through the pipeline with 1..4 consumers. Exact records, exact error
   codes and text offsets for truncated, corrupt and trailing data, every
   member of concatenated files, and the earliest error winning. Each test
   also checks fqp_metrics.bgzf, so a fall-back to the stream path (which
   reads BGZF too) cannot pass unnoticed. */
#define FASTQPAR_IMPLEMENTATION
#include "fastqpar.h"
#include "helpers.h"
#include "test.h"

/* ---- building BGZF ---- */

typedef struct blob {
    unsigned char *data;
    size_t len, cap;
    size_t blocks;
    size_t at[4096];       /* compressed offset of block k */
    size_t text_at[4096];  /* text offset of block k */
} blob;

static void put(blob *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 1024;
        b->data = (unsigned char *)realloc(b->data, b->cap);
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void put_le(blob *b, uint32_t v, int bytes)
{
    unsigned char c[4];
    int i;
    for (i = 0; i < bytes; i++) c[i] = (unsigned char)(v >> (8 * i));
    put(b, c, (size_t)bytes);
}

/* One BGZF block holding text[0..n). */
static void bgzf_block(blob *b, const char *text, size_t n, size_t text_at)
{
    static const unsigned char head[16] = {0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, 'B', 'C', 2, 0};
    unsigned char z[70000];
    z_stream zs;
    size_t clen;
    memset(&zs, 0, sizeof zs);
    deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
    zs.next_in = (Bytef *)(uintptr_t)text;
    zs.avail_in = (uInt)n;
    zs.next_out = z;
    zs.avail_out = sizeof z;
    deflate(&zs, Z_FINISH);
    clen = sizeof z - zs.avail_out;
    deflateEnd(&zs);
    if (b->blocks < 4096) {
        b->at[b->blocks] = b->len;
        b->text_at[b->blocks] = text_at;
    }
    b->blocks++;
    put(b, head, sizeof head);
    put_le(b, (uint32_t)(18 + clen + 8 - 1), 2);
    put(b, z, clen);
    put_le(b, (uint32_t)crc32(0L, (const Bytef *)text, (uInt)n), 4);
    put_le(b, (uint32_t)n, 4);
}

/* `text` as BGZF in blocks of `block` text bytes, then the empty EOF block. */
static void bgzf(blob *b, const char *text, size_t block, size_t text_base)
{
    size_t n = strlen(text), pos = 0;
    while (pos < n) {
        size_t len = n - pos < block ? n - pos : block;
        bgzf_block(b, text + pos, len, text_base + pos);
        pos += len;
    }
    bgzf_block(b, "", 0, text_base + n);
}

/* A plain gzip member (not BGZF: no extra field). */
static void gzip_member(blob *b, const char *text)
{
    unsigned char z[70000];
    put(b, z, th_gzip(text, strlen(text), 6, z, sizeof z));
}

/* ---- reading ---- */

typedef th_dump dump;

/* Single-threaded (fqp_producer_read): the producer inflates every job. */
static fqp_result read_mem(const void *data, size_t n, size_t read_size, dump *d, fqp_metrics *m, fqp_error *err)
{
    fqp_producer_desc pd = th_producer_desc(data, n, 2, 0);
    pd.input.name = "t.fq.gz";
    pd.config.read_size = read_size;
    return th_read_dump(&pd, d, m, err);
}

/* The pipeline with ordered output: consumers inflate the jobs. */
typedef struct pipe_opts {
    int threads;
    size_t read_size;
    uint64_t batch_bytes;
    int stop_at_batch;     /* process() returns FQP_STOP on this batch index + 1 */
} pipe_opts;

static fqp_result format_batch(fqp_batch *b, void *state, void *user)
{
    const pipe_opts *o = (const pipe_opts *)user;
    fqp_result r = th_write_batch(b, state, NULL);
    if (r == FQP_OK && o->stop_at_batch && b->index + 1 == (uint64_t)o->stop_at_batch) return FQP_STOP;
    return r;
}

static int mem_write(void *user, const void *data, size_t n)
{
    th_dump_add((dump *)user, data, n);
    return 0;
}

static fqp_result run_mem(const void *data, size_t n, const pipe_opts *o, dump *out, fqp_metrics *m,
                          fqp_error *err)
{
    fqp_pipeline_desc d = th_pipeline_desc(data, n, o->threads, 0);
    memset(out, 0, sizeof *out);
    th_dump_add(out, "", 0);
    d.input.name = "t.fq.gz";
    d.config.read_size = o->read_size;
    d.config.batch_bytes = o->batch_bytes;
    d.process = format_batch;
    d.user = (void *)(uintptr_t)o;
    d.output.write = mem_write;
    d.output.write_user = out;
    return fqp_pipeline_run(&d, m, err);
}

/* ---- inputs ---- */

/* Mixed line endings, wrapped lines, an empty read, a quality line
   starting with '@': every kind of line boundary for blocks to cut. */
static const char *tricky =
    "@r1 first\r\nACGT\r\n+\r\nIIII\r\n"
    "@r2\nAC\nGT\n+r2\n@I\nII\n"
    "@r3\n\n+\n\n"
    "@r4 x\nNNNNNNNNNN\n+\n@@@@@@@@@@\n"
    "@r5\nA\n+\n+\n";

static char *make_reads(int n)
{
    static const th_reads shape = {.name = "read", .len_mod = 60, .len_mul = 37, .alphabet = "ACGT", .base_mul = 7,
                                   .qual_first = '!', .qual_mod = 60};
    return th_make_reads(&shape, n, NULL, NULL);
}

/* Records of the four-line text `t` that end at or before text offset `at`. */
static uint64_t records_before(const char *t, size_t at)
{
    uint64_t lines = 0;
    size_t i;
    for (i = 0; i < at; i++) lines += t[i] == '\n';
    return lines / 4;
}

/* The dump of plain text, for comparison. */
static void expected(const char *text, dump *d)
{
    fqp_error err;
    fqp_metrics m;
    REQUIRE(read_mem(text, strlen(text), 0, d, &m, &err) == FQP_OK);
    CHECK_EQ_INT(m.gzip, 0);
}

/* ---- tests ---- */

static void test_bgzf_block_sizes_and_read_sizes(void)
{
    dump want, got;
    fqp_metrics m;
    fqp_error err;
    size_t block, rs, nt = strlen(tricky);
    expected(tricky, &want);
    CHECK_EQ_U64(want.records, 5);
    for (block = 1; block <= nt; block++) {
        blob b;
        memset(&b, 0, sizeof b);
        bgzf(&b, tricky, block, 0);
        for (rs = 1; rs <= 4096; rs *= 4) {
            fqp_result r = read_mem(b.data, b.len, rs, &got, &m, &err);
            CHECK_EQ_INT(r, FQP_OK);
            if (r != FQP_OK) fprintf(stderr, "  block %zu, read size %zu: %s\n", block, rs, err.message);
            CHECK_EQ_INT(m.bgzf, 1);
            CHECK_EQ_U64(m.input_bytes, nt);
            CHECK_EQ_U64(m.compressed_bytes, b.len);
            CHECK(strcmp(got.text, want.text) == 0);
            free(got.text);
        }
        free(b.data);
    }
    free(want.text);
}

static void test_bgzf_members_and_eof_blocks(void)
{
    /* two BGZF files (an EOF block in the middle), a plain gzip member,
       then BGZF again: every member is read, in order */
    const char *a = "@a1\nACGT\n+\nIIII\n@a2\nA\n+\nI\n", *g = "@g1\nGG\n+\nII\n", *c = "@c1\nCCC\n+\nJJJ\n";
    char all[256];
    dump want, got;
    fqp_metrics m;
    fqp_error err;
    blob b;
    memset(&b, 0, sizeof b);
    bgzf(&b, a, 5, 0);
    bgzf(&b, a, 7, strlen(a));
    gzip_member(&b, g);
    bgzf(&b, c, 3, 0);
    snprintf(all, sizeof all, "%s%s%s%s", a, a, g, c);
    expected(all, &want);
    CHECK_EQ_INT(read_mem(b.data, b.len, 7, &got, &m, &err), FQP_OK);
    CHECK_EQ_INT(m.bgzf, 1);
    CHECK(strcmp(got.text, want.text) == 0);
    free(got.text);
    {
        pipe_opts o = {3, 64, 0, 0};
        CHECK_EQ_INT(run_mem(b.data, b.len, &o, &got, &m, &err), FQP_OK);
        CHECK_EQ_INT(m.bgzf, 1);
        CHECK_EQ_U64(m.records, 6);
        free(got.text);
    }
    /* a file of only an EOF block holds no records */
    b.len = 0;
    bgzf(&b, "", 1, 0);
    CHECK_EQ_INT(read_mem(b.data, b.len, 7, &got, &m, &err), FQP_OK);
    CHECK_EQ_INT(m.bgzf, 1);
    CHECK_EQ_U64(got.records, 0);
    free(got.text);
    free(b.data);
    free(want.text);
}

/* Cut at every length: inside a block it is FQP_ERR_GZIP_TRUNCATED located
   at the text offset where that block starts, after every record before it;
   at a block boundary it is a shorter valid file. */
static void test_bgzf_truncated_at_every_length(void)
{
    char *text = make_reads(12);
    blob b;
    size_t cut, k;
    memset(&b, 0, sizeof b);
    bgzf(&b, text, 97, 0);
    for (cut = 2; cut < b.len; cut++) { /* one byte is not gzip yet */
        dump got;
        fqp_metrics m;
        fqp_error err;
        fqp_result r = read_mem(b.data, cut, 5, &got, &m, &err);
        int boundary = 0;
        for (k = 0; k < b.blocks; k++) {
            if (b.at[k] == cut) boundary = 1;
            if (b.at[k] < cut && (k + 1 == b.blocks || b.at[k + 1] > cut)) break;
        }
        if (boundary) {
            CHECK(r == FQP_OK || r == FQP_ERR_TRUNCATED_RECORD || r == FQP_ERR_LENGTH_MISMATCH);
        } else {
            CHECK_EQ_INT(r, FQP_ERR_GZIP_TRUNCATED);
            CHECK_EQ_U64(err.offset, b.text_at[k]);
            CHECK_EQ_U64(got.records, records_before(text, b.text_at[k]));
            CHECK(strstr(err.message, "t.fq.gz") != NULL && strstr(err.message, "compressed byte") != NULL);
        }
        free(got.text);
    }
    free(b.data);
    free(text);
}

/* Damage in block k (CRC, ISIZE, deflate data, block size): FQP_ERR_GZIP_CORRUPT
   at the text offset of block k, every record before it delivered, the same
   with 1..4 consumers. */
static void test_bgzf_corrupt_blocks(void)
{
    char *text = make_reads(40);
    blob b;
    size_t k, kind;
    memset(&b, 0, sizeof b);
    bgzf(&b, text, 211, 0);
    for (k = 0; k + 1 < b.blocks; k++) {
        size_t end = k + 1 < b.blocks ? b.at[k + 1] : b.len;
        for (kind = 0; kind < 4; kind++) {
            unsigned char *pos = kind == 0 ? b.data + end - 8                /* CRC */
                                 : kind == 1 ? b.data + end - 4              /* ISIZE, one more */
                                 : kind == 2 ? b.data + end - 2              /* ISIZE above 64 KiB */
                                             : b.data + b.at[k] + 18;        /* deflate data */
            unsigned char saved = *pos;
            int threads;
            *pos = kind == 1 ? (unsigned char)(saved + 1) : kind == 2 ? (unsigned char)(saved | 0x01) : (unsigned char)(saved ^ 0xff);
            for (threads = 0; threads <= 4; threads++) {
                dump got;
                fqp_metrics m;
                fqp_error err;
                fqp_result r;
                pipe_opts o = {threads, 300, 1000, 0};
                if (threads == 0) r = read_mem(b.data, b.len, 300, &got, &m, &err);
                else r = run_mem(b.data, b.len, &o, &got, &m, &err);
                CHECK_EQ_INT(r, FQP_ERR_GZIP_CORRUPT);
                CHECK_EQ_U64(err.offset, b.text_at[k]);
                CHECK_EQ_U64(err.record, records_before(text, b.text_at[k]) + 1);
                CHECK(strstr(err.message, "in the BGZF block at compressed byte") != NULL);
                CHECK_EQ_INT(m.bgzf, 1);
                if (threads == 0) CHECK_EQ_U64(got.records, records_before(text, b.text_at[k]));
                if (r != FQP_ERR_GZIP_CORRUPT || err.offset != b.text_at[k])
                    fprintf(stderr, "  block %zu kind %zu threads %d: %s\n", k, kind, threads, err.message);
                free(got.text);
            }
            *pos = saved;
        }
    }
    free(b.data);
    free(text);
}

static void test_bgzf_trailing_and_bad_size(void)
{
    const char *t = "@r1\nACGT\n+\nIIII\n";
    blob b;
    dump got;
    fqp_metrics m;
    fqp_error err;
    size_t n;
    memset(&b, 0, sizeof b);
    bgzf(&b, t, 100, 0);
    n = b.len;
    put(&b, "junk", 4);
    CHECK_EQ_INT(read_mem(b.data, b.len, 64, &got, &m, &err), FQP_ERR_GZIP_TRAILING);
    CHECK_EQ_U64(got.records, 1);
    CHECK_EQ_U64(err.offset, strlen(t));
    free(got.text);
    /* junk between two blocks */
    b.len = 0;
    bgzf_block(&b, t, strlen(t), 0);
    put(&b, "\0", 1);
    bgzf(&b, t, 100, strlen(t));
    CHECK_EQ_INT(read_mem(b.data, b.len, 64, &got, &m, &err), FQP_ERR_GZIP_TRAILING);
    CHECK_EQ_U64(got.records, 1);
    free(got.text);
    /* a block size too small for the header and trailer */
    b.len = 0;
    bgzf(&b, t, 100, 0);
    b.data[16] = 10;
    b.data[17] = 0;
    CHECK_EQ_INT(read_mem(b.data, b.len, 64, &got, &m, &err), FQP_ERR_GZIP_CORRUPT);
    CHECK_EQ_U64(got.records, 0);
    free(got.text);
    (void)n;
    free(b.data);
}

/* A malformed record in block 1 and a bad CRC in block 3, and the other way
   round: the one earlier in the input is the run's error, for any thread count. */
static void test_bgzf_earliest_error_wins(void)
{
    char *text = make_reads(60);
    blob b;
    size_t bad_rec, k;
    int threads, rep, order;
    for (order = 0; order < 2; order++) {
        memset(&b, 0, sizeof b);
        /* a record header loses its '@' */
        bad_rec = order == 0 ? 150 : 1100;
        k = (size_t)(strstr(text + bad_rec, "\n@read") + 1 - text);
        text[k] = 'X';
        bgzf(&b, text, 256, 0);
        text[k] = '@';
        {
            size_t blk = order == 0 ? 3 : 1, end = b.at[blk + 1];
            b.data[end - 8] ^= 0x55; /* CRC of that block */
        }
        for (threads = 0; threads <= 4; threads++) {
            for (rep = 0; rep < (threads ? 5 : 1); rep++) {
                dump got;
                fqp_metrics m;
                fqp_error err;
                pipe_opts o = {threads, 512, 600, 0};
                fqp_result r = threads ? run_mem(b.data, b.len, &o, &got, &m, &err)
                                       : read_mem(b.data, b.len, 512, &got, &m, &err);
                if (order == 0) {
                    CHECK_EQ_INT(r, FQP_ERR_MISSING_AT);
                    CHECK_EQ_U64(err.offset, k);
                } else {
                    CHECK_EQ_INT(r, FQP_ERR_GZIP_CORRUPT);
                    CHECK_EQ_U64(err.offset, 256);
                }
                free(got.text);
            }
        }
        free(b.data);
    }
    free(text);
}

/* Many small jobs through the pipeline: output identical to the plain
   input for 1..4 consumers, batches smaller and larger than jobs. */
static void test_bgzf_pipeline_ordered(void)
{
    char *text = make_reads(3000);
    blob b;
    dump want, got;
    fqp_metrics m;
    fqp_error err;
    int threads;
    size_t rs;
    memset(&b, 0, sizeof b);
    memset(&want, 0, sizeof want);
    bgzf(&b, text, 1000, 0);
    {
        pipe_opts o = {1, 0, 0, 0};
        REQUIRE(run_mem(text, strlen(text), &o, &want, &m, &err) == FQP_OK);
    }
    for (threads = 1; threads <= 4; threads++) {
        for (rs = 1000; rs <= 64000; rs *= 8) {
            pipe_opts o = {threads, rs, 3000, 0};
            fqp_result r = run_mem(b.data, b.len, &o, &got, &m, &err);
            CHECK_EQ_INT(r, FQP_OK);
            CHECK_EQ_INT(m.bgzf, 1);
            CHECK_EQ_U64(m.records, 3000);
            CHECK(got.len == want.len && memcmp(got.text, want.text, want.len) == 0);
            free(got.text);
        }
    }
    /* an early stop while jobs are queued and running ends cleanly */
    for (threads = 1; threads <= 4; threads++) {
        pipe_opts o = {threads, 1000, 2000, 3};
        CHECK_EQ_INT(run_mem(b.data, b.len, &o, &got, &m, &err), FQP_STOP);
        CHECK(got.len > 0 && got.len < want.len && memcmp(got.text, want.text, got.len) == 0);
        free(got.text);
    }
    free(want.text);
    free(b.data);
    free(text);
}

int main(void)
{
    RUN(test_bgzf_block_sizes_and_read_sizes);
    RUN(test_bgzf_members_and_eof_blocks);
    RUN(test_bgzf_truncated_at_every_length);
    RUN(test_bgzf_corrupt_blocks);
    RUN(test_bgzf_trailing_and_bad_size);
    RUN(test_bgzf_earliest_error_wins);
    RUN(test_bgzf_pipeline_ordered);
    TEST_EXIT();
}
