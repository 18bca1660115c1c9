/* tests/test_shard.c - one input split into shards (input.shard_index /
   shard_count): for plain and BGZF input, every N in 1..7 and every split
   point (N = the input's size makes every byte a shard boundary), the
   shards' records, concatenated in shard order, are exactly the whole
   input's records. Wrapped FASTQ, gzip that is not BGZF and sources that
   cannot seek fail with FQP_ERR_SHARD; a crafted file whose quality looks
   like records makes some shard fail, never a silently wrong split. */
#define _POSIX_C_SOURCE 200809L /* mkstemp, mkdtemp */
#define FASTQPAR_IMPLEMENTATION
#include "fastqpar.h"
#include "test.h"
#include "helpers.h"

#include <unistd.h>

/* ---- inputs ---- */

static uint64_t lcg(uint64_t *x)
{
    *x = *x * 6364136223846793005ull + 1442695040888963407ull;
    return *x >> 33;
}

enum { CRLF = 1, NO_FINAL_NL = 2, TRAILING_BLANKS = 4, PLUS_NAME = 8 };

/* n four-line records of 0..maxlen bases: empty reads, quality lines that
   start with '@' or '+', names with comments, '+name' lines (PLUS_NAME),
   "\r\n" (CRLF), no final newline, trailing blank lines. */
static char *make_fastq(int n, int maxlen, uint64_t seed, int flags, size_t *size)
{
    th_buf b;
    const char *nl = flags & CRLF ? "\r\n" : "\n";
    static const char quals[] = "@+!#I5@+?~";
    uint64_t x = seed;
    int i, k;
    memset(&b, 0, sizeof b);
    th_buf_add(&b, "", 0);
    for (i = 0; i < n; i++) {
        char head[64];
        int len = (int)(lcg(&x) % (uint64_t)(maxlen + 1)), hn;
        if (lcg(&x) % 5 == 0) len = 0;
        hn = sprintf(head, "@r%d%s", i, i % 3 ? " c:x" : "");
        th_buf_add(&b, head, (size_t)hn);
        th_buf_add(&b, nl, strlen(nl));
        for (k = 0; k < len; k++) th_buf_add(&b, &"ACGTN"[lcg(&x) % 5], 1);
        th_buf_add(&b, nl, strlen(nl));
        th_buf_add(&b, "+", 1);
        if ((flags & PLUS_NAME) && i % 2) th_buf_add(&b, head + 1, (size_t)hn - 1);
        th_buf_add(&b, nl, strlen(nl));
        for (k = 0; k < len; k++) th_buf_add(&b, &quals[(k == 0 ? (uint64_t)(i % 3) : lcg(&x)) % (sizeof quals - 1)], 1);
        if (i + 1 < n || !(flags & NO_FINAL_NL)) th_buf_add(&b, nl, strlen(nl));
    }
    if (flags & TRAILING_BLANKS) th_buf_add(&b, "\n\n\r\n", 4);
    *size = b.len;
    return b.data;
}

/* ---- reading shards ---- */

static fqp_producer_desc shard_desc(const fqp_input_desc *in, uint64_t i, uint64_t n, uint64_t batch_records)
{
    fqp_producer_desc pd;
    memset(&pd, 0, sizeof pd);
    pd.input = *in;
    pd.input.shard_index = i;
    pd.input.shard_count = n;
    pd.config.batch_records = batch_records;
    pd.config.threads = 2; /* sizes the BGZF job ring; reading is on this thread */
    pd.config.read_size = 700;   /* small reads and batches: a shard's end falls */
    pd.config.batch_bytes = 900; /* across reads and batches (and thousands of shards stay quick) */
    pd.config.ignore_env = 1;
    return pd;
}

/* Every shard of n, one after the other, appended to *all. Returns FQP_OK,
   or the first shard's error (in *err; *bad gets its index). */
static fqp_result read_shards(const fqp_input_desc *in, uint64_t n, uint64_t batch_records, th_dump *all,
                              uint64_t *input_bytes, fqp_error *err, uint64_t *bad)
{
    uint64_t i;
    memset(all, 0, sizeof *all);
    th_dump_add(all, "", 0);
    if (input_bytes) *input_bytes = 0;
    for (i = 0; i < n; i++) {
        fqp_producer_desc pd = shard_desc(in, i, n, batch_records);
        th_dump d;
        fqp_metrics m;
        fqp_result r = th_read_dump(&pd, &d, &m, err);
        th_dump_add(all, d.text, d.len);
        all->records += d.records;
        free(d.text);
        if (r != FQP_OK) {
            if (bad) *bad = i;
            return r;
        }
        if (input_bytes) *input_bytes += m.input_bytes;
    }
    return FQP_OK;
}

static int same_dump(const th_dump *a, const th_dump *b)
{
    return a->len == b->len && memcmp(a->text, b->text, a->len) == 0 && a->records == b->records;
}

/* The whole input's records (no sharding). */
static fqp_result whole(const fqp_input_desc *in, th_dump *d, fqp_error *err)
{
    fqp_config c;
    memset(&c, 0, sizeof c);
    c.threads = 2;
    return th_read_all(in, &c, d, err);
}

/* For N in 1..7 (and N = nsplit when nonzero): the shards together are the
   whole input. Returns the failures. */
static int check_every_n(const fqp_input_desc *in, uint64_t nsplit, uint64_t batch_records)
{
    th_dump ref, got;
    fqp_error err;
    uint64_t n, bad = 0, bytes;
    int failures = 0;
    if (whole(in, &ref, &err) != FQP_OK) {
        fprintf(stderr, "  whole input failed: %s\n", err.message);
        free(ref.text);
        return 1;
    }
    for (n = 1; n <= 8; n++) {
        uint64_t count = n <= 7 ? n : nsplit;
        fqp_result r;
        if (n == 8 && !count) break;
        r = read_shards(in, count, batch_records, &got, &bytes, &err, &bad);
        if (r != FQP_OK) {
            fprintf(stderr, "  N=%llu: shard %llu failed: %s\n", (unsigned long long)count, (unsigned long long)bad,
                    err.message);
            failures++;
        } else if (!same_dump(&got, &ref)) {
            fprintf(stderr, "  N=%llu: %llu records from the shards, %llu in the input\n",
                    (unsigned long long)count, (unsigned long long)got.records, (unsigned long long)ref.records);
            failures++;
        }
        free(got.text);
    }
    free(ref.text);
    return failures;
}

static fqp_input_desc mem_input(const void *data, size_t size)
{
    fqp_input_desc in;
    memset(&in, 0, sizeof in);
    in.data = data;
    in.size = size;
    return in;
}

/* ---- plain ---- */

static void test_shard_plain_every_n_and_offset(void)
{
    static const int flags[] = {0, CRLF, NO_FINAL_NL, TRAILING_BLANKS, PLUS_NAME, CRLF | PLUS_NAME | NO_FINAL_NL,
                                CRLF | TRAILING_BLANKS};
    size_t f;
    for (f = 0; f < sizeof flags / sizeof flags[0]; f++) {
        size_t size;
        char *text = make_fastq(60, 30, 11 + f, flags[f], &size);
        fqp_input_desc in = mem_input(text, size);
        /* every byte a boundary: shard i of size covers [i, i + 1) */
        CHECK_EQ_INT(check_every_n(&in, size, 3), 0);
        free(text);
    }
}

static void test_shard_plain_metrics_and_empty_shards(void)
{
    size_t size;
    char *text = make_fastq(5, 10, 3, 0, &size);
    fqp_input_desc in = mem_input(text, size);
    th_dump got, ref;
    fqp_error err;
    uint64_t bytes = 0;
    /* more shards than records: most are empty, the bytes add up */
    REQUIRE(whole(&in, &ref, &err) == FQP_OK);
    CHECK_EQ_INT(read_shards(&in, 50, 0, &got, &bytes, &err, NULL), FQP_OK);

    CHECK(same_dump(&got, &ref));
    CHECK_EQ_U64(bytes, size);
    free(got.text);
    free(ref.text);
    free(text);
    /* an empty input */
    in = mem_input("", 0);
    CHECK_EQ_INT(read_shards(&in, 3, 0, &got, &bytes, &err, NULL), FQP_OK);
    CHECK_EQ_U64(got.records, 0);
    free(got.text);
}

/* A file path (read through FILE*, seeking) and the pipeline with ordered
   output: the same records, in order. */
static void test_shard_plain_file_and_pipeline(void)
{
    char path[] = "/tmp/fqp_shard_XXXXXX";
    int fd = mkstemp(path);
    size_t size;
    char *text = make_fastq(400, 120, 5, CRLF, &size);
    fqp_input_desc in;
    th_dump ref;
    fqp_error err;
    uint64_t n, i;
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, text, size) == (ssize_t)size);
    close(fd);
    memset(&in, 0, sizeof in);
    in.path = path;
    CHECK_EQ_INT(check_every_n(&in, 0, 7), 0);
    REQUIRE(whole(&in, &ref, &err) == FQP_OK);
    for (n = 2; n <= 5; n++) {
        th_membuf out, all;
        memset(&all, 0, sizeof all);
        for (i = 0; i < n; i++) {
            fqp_pipeline_desc d;
            fqp_metrics m;
            memset(&out, 0, sizeof out);
            memset(&d, 0, sizeof d);
            d.input = in;
            d.input.shard_index = i;
            d.input.shard_count = n;
            d.config.threads = 2;
            d.config.batch_records = 5;
            d.config.ignore_env = 1;
            d.output.write = th_mem_write;
            d.output.write_user = &out;
            d.process = th_write_batch;
            CHECK_EQ_INT(fqp_pipeline_run(&d, &m, &err), FQP_OK);
            if (out.len) th_mem_write(&all, out.data, out.len);
            free(out.data);
        }
        {
            /* what the shards wrote, read back, is the input's records */
            fqp_input_desc back = mem_input(all.data, all.len);
            th_dump d;
            CHECK_EQ_INT(whole(&back, &d, &err), FQP_OK);
            CHECK(same_dump(&d, &ref));
            free(d.text);
        }
        free(all.data);
    }
    free(ref.text);
    free(text);
    unlink(path);
}

/* A record in shard 2 of 4 is broken: the message names the shard, the
   record counts from the shard's start and the byte offset is the file's. */
static void test_shard_error_location(void)
{
    size_t size;
    char *text = make_fastq(200, 20, 9, 0, &size), *bad;
    fqp_input_desc in;
    fqp_producer_desc pd;
    th_dump d;
    fqp_error err;
    uint64_t begin = size / 2 + 10, at;
    /* the '+' of the 6th record after `begin` (past the boundary check's
       4 records), turned into '-' */
    int k;
    bad = text + begin;
    for (k = 0; k < 6; k++) {
        bad = strstr(bad + 1, "\n@r");
        REQUIRE(bad != NULL);
    }
    bad = strstr(bad + 1, "\n+");
    REQUIRE(bad != NULL);
    bad[1] = '-';
    in = mem_input(text, size);
    /* the whole file fails there too: the "-" line is taken for sequence,
       and the next header is where the '+' line is found missing */
    CHECK_EQ_INT(whole(&in, &d, &err), FQP_ERR_MISSING_PLUS);
    at = err.offset;
    CHECK(at > (uint64_t)(bad - text));
    free(d.text);
    pd = shard_desc(&in, 2, 4, 0);
    CHECK_EQ_INT(th_read_dump(&pd, &d, NULL, &err), FQP_ERR_MISSING_PLUS);
    CHECK(strstr(err.message, "(shard 2/4)") != NULL);
    CHECK(strstr(err.file, "(shard 2/4)") != NULL);
    CHECK_EQ_U64(err.record, 6); /* counted from the shard's first record */
    CHECK_EQ_U64(err.line, 25); /* the 7th record's header */
    CHECK_EQ_U64(err.offset, at);
    free(d.text);
    free(text);
}

/* ---- BGZF ---- */

static void test_shard_bgzf_every_n_and_offset(void)
{
    static const size_t blocks[] = {37, 100, 1000, 65280};
    size_t f, size;
    char *text = make_fastq(80, 40, 21, PLUS_NAME, &size);
    for (f = 0; f < sizeof blocks / sizeof blocks[0]; f++) {
        th_buf z;
        fqp_input_desc in;
        fqp_producer_desc pd;
        th_dump d;
        fqp_metrics m;
        fqp_error err;
        memset(&z, 0, sizeof z);
        th_bgzf_append(&z, text, size, blocks[f]);
        in = mem_input(z.data, z.len);
        /* every compressed byte a boundary */
        CHECK_EQ_INT(check_every_n(&in, z.len, 4), 0);
        /* the shards read BGZF (not a stream fallback) */
        pd = shard_desc(&in, 1, 3, 0);
        CHECK_EQ_INT(th_read_dump(&pd, &d, &m, &err), FQP_OK);
        CHECK_EQ_INT(m.bgzf, blocks[f] <= 1000); /* one block: shard 1/3 holds none */
        free(d.text);
        free(z.data);
    }
    free(text);
}

/* ---- real files ---- */

static char *slurp_gz(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    th_buf raw, text;
    char chunk[65536];
    size_t got;
    if (!f) return NULL;
    memset(&raw, 0, sizeof raw);
    memset(&text, 0, sizeof text);
    th_buf_add(&raw, "", 0);
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) th_buf_add(&raw, chunk, got);
    fclose(f);
    if (!th_gunzip(raw.data, raw.len, &text)) {
        free(raw.data);
        free(text.data);
        return NULL;
    }
    free(raw.data);
    *size = text.len;
    return text.data;
}

static void test_shard_real_file(void)
{
    const char *src = "/usr/share/doc/seqkit-examples/tests/reads_1.fq.gz";
    char dir[] = "/tmp/fqp_shard_real_XXXXXX", plain[128], bgz[128], cmd[512];
    size_t size;
    char *text = slurp_gz(src, &size);
    fqp_input_desc in;
    th_buf z;
    FILE *f;
    if (!text) SKIP("%s not found", src);
    REQUIRE(mkdtemp(dir) != NULL);
    snprintf(plain, sizeof plain, "%s/reads_1.fq", dir);
    snprintf(bgz, sizeof bgz, "%s/reads_1.fq.gz", dir);
    REQUIRE((f = fopen(plain, "wb")) != NULL);
    REQUIRE(fwrite(text, 1, size, f) == size);
    fclose(f);
    memset(&in, 0, sizeof in);
    in.path = plain;
    CHECK_EQ_INT(check_every_n(&in, 0, 0), 0);
    /* BGZF by the test's blocks, in memory */
    memset(&z, 0, sizeof z);
    th_bgzf_append(&z, text, size, 4000);
    in = mem_input(z.data, z.len);
    CHECK_EQ_INT(check_every_n(&in, 97, 0), 0);
    free(z.data);
    /* and by bgzip itself, from a file */
    snprintf(cmd, sizeof cmd, "command -v bgzip >/dev/null 2>&1 && bgzip -c %s > %s", plain, bgz);
    if (system(cmd) == 0) {
        memset(&in, 0, sizeof in);
        in.path = bgz;
        CHECK_EQ_INT(check_every_n(&in, 13, 0), 0);
    } else {
        fprintf(stderr, "  (bgzip not installed: the bgzip file is not checked)\n");
    }
    unlink(plain);
    unlink(bgz);
    rmdir(dir);
    free(text);
}

/* ---- what cannot be sharded ---- */

/* `text` as wrapped FASTQ: sequences and qualities over lines of `width`. */
static char *wrap(const char *text, size_t width, size_t *size)
{
    th_buf b;
    const char *p = text;
    memset(&b, 0, sizeof b);
    th_buf_add(&b, "", 0);
    while (*p) {
        const char *e[4];
        int k;
        e[0] = strchr(p, '\n');
        e[1] = strchr(e[0] + 1, '\n');
        e[2] = strchr(e[1] + 1, '\n');
        e[3] = strchr(e[2] + 1, '\n');
        th_buf_add(&b, p, (size_t)(e[0] + 1 - p));
        for (k = 1; k <= 3; k += 2) {
            const char *s = (k == 1 ? e[0] : e[2]) + 1, *end = e[k];
            do {
                size_t n = (size_t)(end - s) < width ? (size_t)(end - s) : width;
                th_buf_add(&b, s, n);
                th_buf_add(&b, "\n", 1);
                s += n;
            } while (s < end);
            if (k == 1) th_buf_add(&b, "+\n", 2);
        }
        p = e[3] + 1;
    }
    *size = b.len;
    return b.data;
}

/* Never a silently wrong split: every shard succeeds and together they are
   the input, or some shard fails with FQP_ERR_SHARD. *failed counts the
   splits that failed. */
static int never_wrong(const fqp_input_desc *in, uint64_t n, int *failed, char *why, size_t why_size)
{
    th_dump ref, got;
    fqp_error err;
    fqp_result r;
    int ok = 1;
    if (whole(in, &ref, &err) != FQP_OK) {
        free(ref.text);
        return 0;
    }
    r = read_shards(in, n, 2, &got, NULL, &err, NULL);
    if (r == FQP_ERR_SHARD) {
        (*failed)++;
        if (why && !why[0]) snprintf(why, why_size, "%s", err.message);
    } else if (r != FQP_OK || !same_dump(&got, &ref)) {
        fprintf(stderr, "  N=%llu: %s (%s), %llu vs %llu records\n", (unsigned long long)n, fqp_result_string(r),
                r ? err.message : "", (unsigned long long)got.records, (unsigned long long)ref.records);
        ok = 0;
    }
    free(got.text);
    free(ref.text);
    return ok;
}

static void test_shard_wrapped_fails(void)
{
    size_t size, wsize;
    char *text = make_fastq(40, 50, 31, 0, &size), *w, why[FQP_ERROR_MESSAGE_MAX] = "";
    fqp_input_desc in;
    fqp_producer_desc pd;
    th_dump d;
    fqp_error err;
    uint64_t n;
    int failed = 0;
    w = wrap(text, 7, &wsize);
    in = mem_input(w, wsize);
    /* the whole file reads; any shard that meets a wrapped record fails */
    pd = shard_desc(&in, 0, 2, 0);
    CHECK_EQ_INT(th_read_dump(&pd, &d, NULL, &err), FQP_ERR_SHARD);
    CHECK(strstr(err.message, "wrapped FASTQ cannot be sharded by bytes") != NULL);

    CHECK(strstr(err.message, "shard by file") != NULL);
    free(d.text);
    pd = shard_desc(&in, 1, 2, 0);
    CHECK_EQ_INT(th_read_dump(&pd, &d, NULL, &err), FQP_ERR_SHARD);
    CHECK(strstr(err.message, "wrapped") != NULL);
    free(d.text);
    for (n = 2; n <= 7; n++) CHECK(never_wrong(&in, n, &failed, why, sizeof why));
    CHECK(never_wrong(&in, wsize, &failed, why, sizeof why));
    CHECK_EQ_INT(failed, 7);
    free(w);
    free(text);
}

/* A wrapped record whose quality lines look like a four-line record
   ("@XX", "ACGT", "+", "IIII"): a shard starting inside it takes "@XX" for
   a record, and the shard before it, which reads the record whole, sees
   that its records end elsewhere: the split fails, at every split point. */
static void test_shard_crafted_false_boundary(void)
{
    th_buf b;
    int i, failed = 0, ok = 1;
    uint64_t n;
    char why[FQP_ERROR_MESSAGE_MAX] = "";
    fqp_input_desc in;
    memset(&b, 0, sizeof b);
    th_buf_add(&b, "", 0);
    for (i = 0; i < 6; i++) th_buf_add(&b, "@a\nACGTACGT\n+\nIIIIIIII\n", 23);
    th_buf_add(&b, "@w\nACGTACGTACGT\n+\n@XX\nACGT\n+\nIIII\n", 34);
    for (i = 0; i < 6; i++) th_buf_add(&b, "@b\nACGTACGT\n+\nIIIIIIII\n", 23);
    in = mem_input(b.data, b.len);
    {
        th_dump d;
        fqp_error err;
        CHECK_EQ_INT(whole(&in, &d, &err), FQP_OK); /* valid (wrapped) FASTQ */
        CHECK_EQ_U64(d.records, 13);
        free(d.text);
    }
    for (n = 2; n <= 7; n++) ok &= never_wrong(&in, n, &failed, why, sizeof why);
    ok &= never_wrong(&in, b.len, &failed, why, sizeof why);
    CHECK(ok);
    CHECK(failed >= 1);
    {
        /* the shard that starts at "@XX" takes it for a record (the split
           fails elsewhere: checked above) */
        uint64_t at = (uint64_t)(strstr(b.data, "@XX") - b.data), i2;
        th_dump d;
        fqp_error err;
        fqp_producer_desc pd;
        for (i2 = 1; i2 < b.len; i2++)
            if (fqp__shard_split(b.len, i2, b.len) == at) break;
        pd = shard_desc(&in, i2, b.len, 0);
        CHECK_EQ_INT(th_read_dump(&pd, &d, NULL, &err), FQP_OK);
        CHECK(d.records >= 1 && strncmp(d.text, "XX\t", 3) == 0);
        free(d.text);
    }
    free(b.data);
}

/* The same wrapped record exactly at the split of N = 2: shard 1 starts at
   "@XX", and shard 0, whose records end at "@w", fails with the mismatch. */
static void test_shard_crafted_mismatch_at_split(void)
{
    th_buf b;
    int i;
    fqp_input_desc in;
    fqp_producer_desc pd;
    th_dump d;
    fqp_error err;
    memset(&b, 0, sizeof b);
    th_buf_add(&b, "", 0);
    for (i = 0; i < 6; i++) th_buf_add(&b, "@a\nACGTACGT\n+\nIIIIIIII\n", 23);
    th_buf_add(&b, "@w\nACGTACGTACGT\n+\n@XX\nACGT\n+\nIIII\n", 34);
    for (i = 0; i < 3; i++) th_buf_add(&b, "@b\nACGTACGT\n+\nIIIIIIII\n", 23);
    th_buf_add(&b, "@c\nACGT\n+\nIIII\n", 15);
    th_buf_add(&b, "@dd\nACGTAC\n+\nIIIIII\n", 20);
    REQUIRE(b.len == 276 && strncmp(b.data + 138, "@w", 2) == 0);
    in = mem_input(b.data, b.len);
    pd = shard_desc(&in, 0, 2, 0);
    CHECK_EQ_INT(th_read_dump(&pd, &d, NULL, &err), FQP_ERR_SHARD);
    CHECK(strstr(err.message, "this shard's records end at byte 138, but the next shard's first record was found "
                              "at byte 156") != NULL);
    CHECK_EQ_U64(d.records, 6); /* the records before are delivered first */
    free(d.text);
    pd = shard_desc(&in, 1, 2, 0);
    CHECK_EQ_INT(th_read_dump(&pd, &d, NULL, &err), FQP_OK);
    CHECK(strncmp(d.text, "XX\t", 3) == 0);
    free(d.text);
    free(b.data);
}

static void test_shard_gzip_and_unseekable_fail(void)
{
    size_t size;
    char *text = make_fastq(50, 30, 41, 0, &size);
    th_buf z;
    fqp_input_desc in;
    fqp_producer_desc pd;
    th_dump d;
    fqp_error err;
    th_pieces pc;
    memset(&z, 0, sizeof z);
    th_gzip_append(&z, text, size, 6);
    in = mem_input(z.data, z.len);
    pd = shard_desc(&in, 0, 2, 0);
    CHECK_EQ_INT(th_read_dump(&pd, &d, NULL, &err), FQP_ERR_SHARD);
    CHECK(strstr(err.message, "not a BGZF block") != NULL);
    CHECK(strstr(err.message, "(shard 0/2)") != NULL);
    free(d.text);
    pd = shard_desc(&in, 0, 1, 0); /* one shard: the whole input, any kind */
    CHECK_EQ_INT(th_read_dump(&pd, &d, NULL, &err), FQP_OK);
    CHECK_EQ_U64(d.records, 50);
    free(d.text);
    /* BGZF followed by an ordinary gzip member */
    {
        th_buf z2;
        memset(&z2, 0, sizeof z2);
        th_bgzf_append(&z2, text, size, 300);
        th_gzip_append(&z2, text, size, 6);
        in = mem_input(z2.data, z2.len);
        pd = shard_desc(&in, 2, 3, 0);
        CHECK_EQ_INT(th_read_dump(&pd, &d, NULL, &err), FQP_ERR_SHARD);
        free(d.text);
        free(z2.data);
    }
    /* a read callback cannot seek */
    memset(&in, 0, sizeof in);
    memset(&pc, 0, sizeof pc);
    pc.data = text;
    pc.size = size;
    pc.rng = 1;
    pc.max = 100;
    in.read = th_pieces_read;
    in.read_user = &pc;
    pd = shard_desc(&in, 1, 2, 0);
    CHECK_EQ_INT(th_read_dump(&pd, &d, NULL, &err), FQP_ERR_SHARD);
    CHECK(strstr(err.message, "cannot seek") != NULL);
    free(d.text);
    free(z.data);
    free(text);
}

static void test_shard_bad_arguments(void)
{
    fqp_input_desc in = mem_input("@r\nA\n+\nI\n", 10);
    fqp_producer_desc pd;
    th_dump d;
    fqp_error err;
    pd = shard_desc(&in, 3, 3, 0);
    CHECK_EQ_INT(th_read_dump(&pd, &d, NULL, &err), FQP_ERR_INVALID_ARGUMENT);
    free(d.text);
    pd = shard_desc(&in, 1, 0, 0);
    CHECK_EQ_INT(th_read_dump(&pd, &d, NULL, &err), FQP_ERR_INVALID_ARGUMENT);
    free(d.text);
    pd = shard_desc(&in, 0, (uint64_t)UINT32_MAX + 1, 0);
    CHECK_EQ_INT(th_read_dump(&pd, &d, NULL, &err), FQP_ERR_INVALID_ARGUMENT);
    free(d.text);
    CHECK(strcmp(fqp_result_string(FQP_ERR_SHARD), "input cannot be sharded by bytes") == 0);
}

static fqp_result no_op(fqp_pair *pair, void *state, void *user)
{
    (void)pair;
    (void)state;
    (void)user;
    return FQP_OK;
}

static void test_shard_paired_refused(void)
{
    fqp_input_desc in = mem_input("@r\nA\n+\nI\n", 10);
    fqp_paired_desc pp;
    fqp_error err;
    memset(&pp, 0, sizeof pp);
    pp.input[0] = in;
    pp.input[1] = in;
    pp.input[1].shard_count = 2;
    pp.process = no_op;
    pp.config.ignore_env = 1;
    CHECK_EQ_INT(fqp_paired_run(&pp, NULL, &err), FQP_ERR_INVALID_ARGUMENT);
    CHECK(strstr(err.message, "cannot be sharded") != NULL);
}

int main(void)
{
    RUN(test_shard_plain_every_n_and_offset);
    RUN(test_shard_plain_metrics_and_empty_shards);
    RUN(test_shard_plain_file_and_pipeline);
    RUN(test_shard_error_location);
    RUN(test_shard_bgzf_every_n_and_offset);
    RUN(test_shard_real_file);
    RUN(test_shard_wrapped_fails);
    RUN(test_shard_crafted_false_boundary);
    RUN(test_shard_crafted_mismatch_at_split);
    RUN(test_shard_gzip_and_unseekable_fail);
    RUN(test_shard_bad_arguments);
    RUN(test_shard_paired_refused);
    TEST_EXIT();
}
