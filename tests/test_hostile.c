/* Hostile inputs, each with its exact outcome (README "Reliability"):
   NUL and non-ASCII bytes, empty input from every source, only newlines,
   a 4 GiB+ line through the callback, qualities outside Phred+33 with
   validation on and off, '@' and '+' in quality lines, CRLF mixed with LF,
   "\r"-only and whitespace-only lines inside a record. */
#define _POSIX_C_SOURCE 200809L /* fmemopen */
#define FASTQPAR_IMPLEMENTATION
#include "fastqpar.h"
#include "helpers.h"
#include "test.h"

#include <stdatomic.h>

/* ---- helpers: one line per record, name TAB comment TAB seq TAB qual ---- */

typedef th_dump dump;

static fqp_result read_mem(const char *text, size_t n, fqp_validation v, dump *d, fqp_error *err)
{
    fqp_input_desc in;
    fqp_config cfg;
    memset(&in, 0, sizeof in);
    in.data = text;
    in.size = n;
    in.name = "h.fq";
    memset(&cfg, 0, sizeof cfg);
    cfg.validate = v;
    return th_read_all(&in, &cfg, d, err);
}

/* text of n bytes (it may hold NULs) must give exactly `expect` (dump lines,
   compared over `expect_len` bytes) with validation v. */
static void expect_ok(const char *text, size_t n, fqp_validation v, const char *expect, size_t expect_len,
                      uint64_t records)
{
    dump d;
    fqp_error err;
    fqp_result r = read_mem(text, n, v, &d, &err);
    CHECK_EQ_INT(r, FQP_OK);
    if (r != FQP_OK) fprintf(stderr, "  %s\n", err.message);
    CHECK_EQ_U64(d.records, records);
    CHECK(d.len == expect_len && memcmp(d.text, expect, expect_len) == 0);
    free(d.text);
}

static void expect_error(const char *text, size_t n, fqp_validation v, fqp_result code, uint64_t record,
                         uint64_t line, uint64_t offset)
{
    dump d;
    fqp_error err;
    fqp_result r = read_mem(text, n, v, &d, &err);
    CHECK_EQ_INT(r, code);
    CHECK_EQ_U64(err.record, record);
    CHECK_EQ_U64(err.line, line);
    CHECK_EQ_U64(err.offset, offset);
    if (r != code || err.line != line || err.offset != offset) fprintf(stderr, "  %s\n", err.message);
    free(d.text);
}

#define LIT(s) s, sizeof(s) - 1

/* ---- NUL and non-ASCII bytes ---- */

static void test_nul_bytes(void)
{
    /* in the sequence: not a base; without validation kept as a byte */
    expect_error(LIT("@r\nA\0C\n+\nIII\n"), FQP_VALIDATE_ALL, FQP_ERR_INVALID_BASE, 1, 2, 4);
    expect_ok(LIT("@r\nA\0C\n+\nIII\n"), FQP_VALIDATE_NONE, LIT("r\t\tA\0C\tIII\n"), 1);
    /* in the quality: below '!' */
    expect_error(LIT("@r\nACG\n+\nI\0I\n"), FQP_VALIDATE_ALL, FQP_ERR_INVALID_QUALITY, 1, 4, 10);
    expect_ok(LIT("@r\nACG\n+\nI\0I\n"), FQP_VALIDATE_NONE, LIT("r\t\tACG\tI\0I\n"), 1);
    /* in the header: headers are bytes, never validated */
    expect_ok(LIT("@r\0x y\nAC\n+\nII\n"), FQP_VALIDATE_ALL, LIT("r\0x\ty\tAC\tII\n"), 1);
    /* a NUL where '@' must be */
    expect_error(LIT("\0r\nAC\n+\nII\n"), FQP_VALIDATE_ALL, FQP_ERR_MISSING_AT, 1, 1, 0);
    /* a file of NULs */
    expect_error(LIT("\0\0\0\0\0\0\0\0"), FQP_VALIDATE_ALL, FQP_ERR_MISSING_AT, 1, 1, 0);
}

static void test_non_ascii_bytes(void)
{
    /* UTF-8 in the header is kept byte for byte */
    expect_ok(LIT("@r\xc3\xa9 \xe2\x82\xac\nAC\n+\nII\n"), FQP_VALIDATE_ALL, LIT("r\xc3\xa9\t\xe2\x82\xac\tAC\tII\n"),
              1);
    /* in the sequence and quality: errors, or bytes without validation */
    expect_error(LIT("@r\nA\xc3\xa9\n+\nIII\n"), FQP_VALIDATE_ALL, FQP_ERR_INVALID_BASE, 1, 2, 4);
    expect_error(LIT("@r\nACG\n+\nII\xff\n"), FQP_VALIDATE_ALL, FQP_ERR_INVALID_QUALITY, 1, 4, 11);
    expect_ok(LIT("@r\nA\xc3\xa9\n+\nII\xff\n"), FQP_VALIDATE_NONE, LIT("r\t\tA\xc3\xa9\tII\xff\n"), 1);
    /* a UTF-8 byte order mark is not '@' */
    expect_error(LIT("\xef\xbb\xbf@r\nAC\n+\nII\n"), FQP_VALIDATE_ALL, FQP_ERR_MISSING_AT, 1, 1, 0);
}

/* ---- empty input from every source; only newlines ---- */

static int64_t empty_read(void *user, void *buf, size_t size)
{
    (void)user;
    (void)buf;
    (void)size;
    return 0;
}

static void test_zero_length_every_source(void)
{
    fqp_input_desc in;
    dump d;
    fqp_error err;
    char path[] = "tests/.tmp_hostile_empty.fq";
    FILE *f;
    memset(&in, 0, sizeof in);
    in.data = "";
    in.size = 0;
    CHECK_EQ_INT(th_read_all(&in, NULL, &d, &err), FQP_OK);
    CHECK_EQ_U64(d.records, 0);
    free(d.text);
    memset(&in, 0, sizeof in);
    in.read = empty_read;
    CHECK_EQ_INT(th_read_all(&in, NULL, &d, &err), FQP_OK);
    CHECK_EQ_U64(d.records, 0);
    free(d.text);
    f = fopen(path, "wb");
    REQUIRE(f != NULL);
    fclose(f);
    memset(&in, 0, sizeof in);
    in.path = path;
    CHECK_EQ_INT(th_read_all(&in, NULL, &d, &err), FQP_OK);
    CHECK_EQ_U64(d.records, 0);
    free(d.text);
    f = fopen(path, "rb");
    REQUIRE(f != NULL);
    memset(&in, 0, sizeof in);
    in.file = f;
    CHECK_EQ_INT(th_read_all(&in, NULL, &d, &err), FQP_OK);
    CHECK_EQ_U64(d.records, 0);
    free(d.text);
    fclose(f);
    remove(path);
}

static void test_only_newlines(void)
{
    /* blank lines are allowed at the end of the input, so a file of only
       newlines is an empty file; LF, CRLF or both */
    expect_ok(LIT("\n"), FQP_VALIDATE_ALL, LIT(""), 0);
    expect_ok(LIT("\n\n\n\n\n\n\n\n\n\n"), FQP_VALIDATE_ALL, LIT(""), 0);
    expect_ok(LIT("\r\n\n\r\n"), FQP_VALIDATE_ALL, LIT(""), 0);
    /* but not before a record */
    expect_error(LIT("\n\n@r\nAC\n+\nII\n"), FQP_VALIDATE_ALL, FQP_ERR_MISSING_AT, 1, 1, 0);
}

/* ---- a 4 GiB+ line, generated by the callback ---- */

typedef struct endless {
    uint64_t total, served; /* the line is `total` bytes of 'A' after "@r\n" */
} endless;

static int64_t endless_read(void *user, void *buf, size_t size)
{
    endless *e = (endless *)user;
    char *out = (char *)buf;
    size_t n = 0;
    if (e->served == 0 && size >= 3) {
        memcpy(out, "@r\n", 3);
        n = 3;
        e->served = 3;
    }
    if (size - n > e->total + 3 - e->served) size = n + (size_t)(e->total + 3 - e->served);
    memset(out + n, 'A', size - n);
    e->served += size - n;
    return (int64_t)size;
}

typedef struct capped {
    size_t cap, in_use, peak;
    long live;
} capped;
/* An allocator with a ceiling: a request past it fails like a full machine. */
static void *cap_alloc(size_t n, void *u)
{
    capped *c = (capped *)u;
    size_t *p;
    if (n > c->cap - c->in_use) return NULL;
    p = (size_t *)malloc(n + sizeof(size_t) * 2);
    if (!p) return NULL;
    p[0] = n;
    c->in_use += n;
    if (c->in_use > c->peak) c->peak = c->in_use;
    c->live++;
    return p + 2;
}
static void cap_free(void *ptr, void *u)
{
    capped *c = (capped *)u;
    size_t *p;
    if (!ptr) return;
    p = (size_t *)ptr - 2;
    c->in_use -= p[0];
    c->live--;
    free(p);
}

static void test_4gib_line(void)
{
    const uint64_t four_gib_plus = (4ull << 30) + 12345;
    fqp_input_desc in;
    fqp_config cfg;
    endless e;
    dump d;
    fqp_error err;
    /* with max_record_bytes: FQP_ERR_RECORD_TOO_LONG after reading little
       more than the limit */
    memset(&e, 0, sizeof e);
    e.total = four_gib_plus;
    memset(&in, 0, sizeof in);
    in.read = endless_read;
    in.read_user = &e;
    memset(&cfg, 0, sizeof cfg);
    cfg.max_record_bytes = 16u << 20;
    CHECK_EQ_INT(th_read_all(&in, &cfg, &d, &err), FQP_ERR_RECORD_TOO_LONG);
    CHECK_EQ_U64(err.record, 1);
    CHECK_EQ_U64(err.line, 1);
    CHECK_EQ_U64(err.offset, 0);
    CHECK(e.served <= (16u << 20) + (2u << 20));
    free(d.text);
    /* without a limit the record grows until memory runs out: here a 64 MiB
       ceiling stands for the machine; FQP_ERR_NOMEM, everything freed */
    {
        capped c;
        memset(&c, 0, sizeof c);
        c.cap = 64u << 20;
        memset(&e, 0, sizeof e);
        e.total = four_gib_plus;
        memset(&cfg, 0, sizeof cfg);
        cfg.allocator.alloc = cap_alloc;
        cfg.allocator.free = cap_free;
        cfg.allocator.user = &c;
        CHECK_EQ_INT(th_read_all(&in, &cfg, &d, &err), FQP_ERR_NOMEM);
        CHECK_EQ_U64(err.record, 1);
        CHECK(e.served <= (64u << 20));
        CHECK_EQ_INT(c.live, 0);
        free(d.text);
    }
}

/* ---- qualities outside Phred+33 ---- */

static void test_quality_out_of_range(void)
{
    /* ' ' (Q-1) and DEL (Q94): errors with quality validation */
    expect_error(LIT("@r\nACGT\n+\nII I\n"), FQP_VALIDATE_ALL, FQP_ERR_INVALID_QUALITY, 1, 4, 12);
    expect_error(LIT("@r\nACGT\n+\nIII\x7f\n"), FQP_VALIDATE_QUALITY, FQP_ERR_INVALID_QUALITY, 1, 4, 13);
    /* Phred+64 data is in range for +33 (it only looks high): accepted */
    expect_ok(LIT("@r\nACGT\n+\nhhhB\n"), FQP_VALIDATE_ALL, LIT("r\t\tACGT\thhhB\n"), 1);
    /* validation off (or sequence only): kept as bytes */
    expect_ok(LIT("@r\nACGT\n+\n\x01 \x7f\xfe\n"), FQP_VALIDATE_NONE, LIT("r\t\tACGT\t\x01 \x7f\xfe\n"), 1);
    expect_ok(LIT("@r\nACGT\n+\n\x01 \x7f\xfe\n"), FQP_VALIDATE_SEQUENCE, LIT("r\t\tACGT\t\x01 \x7f\xfe\n"), 1);
    /* and scored clamped: below '!' as Q0, above '~' as Q93 */
    {
        fqp_input_desc in;
        fqp_producer_desc pd;
        fqp_producer *p;
        fqp_batch *b;
        fqp_error err;
        fqp_qc qc;
        memset(&pd, 0, sizeof pd);
        memset(&in, 0, sizeof in);
        in.data = "@r\nACGT\n+\n\x01 \x7f\xfe\n";
        in.size = strlen((const char *)in.data);
        pd.input = in;
        pd.config.validate = FQP_VALIDATE_NONE;
        pd.config.ignore_env = 1;
        REQUIRE(fqp_producer_create(&p, &pd, &err) == FQP_OK);
        REQUIRE(fqp_producer_read(p, &b) == FQP_OK);
        REQUIRE(fqp_qc_init(&qc, 10, NULL) == FQP_OK);
        fqp_qc_add_batch(&qc, b);
        CHECK_EQ_U64(qc.counts[FQP_QC_POS_QUAL(10, 0, 0)], 1);
        CHECK_EQ_U64(qc.counts[FQP_QC_POS_QUAL(10, 1, 0)], 1);
        CHECK_EQ_U64(qc.counts[FQP_QC_POS_QUAL(10, 2, 93)], 1);
        CHECK_EQ_U64(qc.counts[FQP_QC_POS_QUAL(10, 3, 93)], 1);
        CHECK_EQ_U64(qc.counts[FQP_QC_Q30], 2);
        fqp_qc_free(&qc);
        fqp_producer_release(p, b);
        fqp_producer_destroy(p);
    }
}

/* ---- '@' and '+' in quality lines; CRLF mixed with LF ---- */

static void test_at_and_plus_in_quality(void)
{
    /* the quality is read by length, never by looking for "\n@" */
    expect_ok(LIT("@r1\nACG\n+\n@@@\n@r2\nA\n+\n+\n@r3\nAC\n+\n+@\n"), FQP_VALIDATE_ALL,
              LIT("r1\t\tACG\t@@@\nr2\t\tA\t+\nr3\t\tAC\t+@\n"), 3);
    /* a quality line that looks like a header and a '+' line: still quality */
    expect_ok(LIT("@r1\nACGTA\n+\n@r1:x\n@r2\nAC\n+\nII\n"), FQP_VALIDATE_ALL,
              LIT("r1\t\tACGTA\t@r1:x\nr2\t\tAC\tII\n"), 2);
    /* wrapped quality: the second line starts with '@' */
    expect_ok(LIT("@r1\nACGT\n+\nII\n@I\n@r2\nA\n+\nI\n"), FQP_VALIDATE_ALL, LIT("r1\t\tACGT\tII@I\nr2\t\tA\tI\n"),
              2);
}

static void test_crlf_mixed_with_lf(void)
{
    expect_ok(LIT("@r1 c\r\nAC\n+\r\nII\n@r2\nGT\r\n+\nJJ\r\n@r3\r\nA\r\n+r3\r\n#"), FQP_VALIDATE_ALL,
              LIT("r1\tc\tAC\tII\nr2\t\tGT\tJJ\nr3\t\tA\t#\n"), 3);
    /* a '\r' not before '\n' is data: not a base */
    expect_error(LIT("@r\nA\rC\n+\nIII\n"), FQP_VALIDATE_ALL, FQP_ERR_INVALID_BASE, 1, 2, 4);
    /* lone '\r' line ends (old Mac) are not line ends */
    expect_error(LIT("@r\rAC\r+\rII\r"), FQP_VALIDATE_ALL, FQP_ERR_TRUNCATED_RECORD, 1, 1, 0);
    /* a line of only "\r" is blank: inside a record an error, at the end fine */
    expect_error(LIT("@r\nAC\n+\n\r\nII\n"), FQP_VALIDATE_ALL, FQP_ERR_BLANK_LINE, 1, 4, 8);
    expect_error(LIT("@r\nAC\n\r\nGT\n+\nIIII\n"), FQP_VALIDATE_NONE, FQP_ERR_BLANK_LINE, 1, 3, 6);
    expect_ok(LIT("@r\nAC\n+\nII\n\r"), FQP_VALIDATE_ALL, LIT("r\t\tAC\tII\n"), 1);
    /* a line of spaces or tabs is not blank: letters that are never valid */
    expect_error(LIT("@r\nAC\n  \n+\nIIII\n"), FQP_VALIDATE_ALL, FQP_ERR_INVALID_BASE, 1, 3, 6);
    expect_error(LIT("@r\nAC\n\t\t\n+\nIIII\n"), FQP_VALIDATE_ALL, FQP_ERR_INVALID_BASE, 1, 3, 6);
}

/* ---- damaged gzip: the same outcome however the bytes arrive ---- */

typedef struct pieces {
    const unsigned char *data;
    size_t size, pos, chunk;
} pieces;

static int64_t pieces_read(void *user, void *buf, size_t size)
{
    pieces *p = (pieces *)user;
    size_t n = p->chunk < size ? p->chunk : size;
    if (n > p->size - p->pos) n = p->size - p->pos;
    memcpy(buf, p->data + p->pos, n);
    p->pos += n;
    return (int64_t)n;
}

/* Every chunk size, read size and batch limit gives the outcome of reading
   the bytes whole: code, record, line, offset and the records before. */
static void expect_same_everywhere(const unsigned char *data, size_t size, fqp_result code, uint64_t records)
{
    fqp_input_desc in;
    fqp_config cfg;
    dump whole, d;
    fqp_error ew, e;
    size_t chunk, rs;
    memset(&in, 0, sizeof in);
    in.data = data;
    in.size = size;
    CHECK_EQ_INT(th_read_all(&in, NULL, &whole, &ew), code);
    CHECK_EQ_U64(whole.records, records);
    for (chunk = 1; chunk <= 9; chunk++)
        for (rs = 1; rs <= 17; rs += 4) {
            pieces pc;
            pc.data = data, pc.size = size, pc.pos = 0, pc.chunk = chunk;
            memset(&in, 0, sizeof in);
            in.read = pieces_read;
            in.read_user = &pc;
            memset(&cfg, 0, sizeof cfg);
            cfg.read_size = rs;
            cfg.batch_bytes = 1 + (chunk * 7 + rs) % 40;
            cfg.batch_records = 1 + chunk % 3;
            CHECK_EQ_INT(th_read_all(&in, &cfg, &d, &e), code);
            CHECK_EQ_U64(e.record, ew.record);
            CHECK_EQ_U64(e.line, ew.line);
            CHECK_EQ_U64(e.offset, ew.offset);
            CHECK(d.len == whole.len && memcmp(d.text, whole.text, d.len) == 0);
            free(d.text);
        }
    free(whole.text);
}

static void test_gzip_damage_same_everywhere(void)
{
    /* found by fuzz_parser: the location depended on read sizes, and text
       zlib had inflated before the damage was dropped */
    static const unsigned char corrupt[] = {0x1f, 0x8b, 0x08, 0x00, 0x43, 0x47, 0x54, 0x4e, 0x0d,
                                            0x0a, 0x2b, 0x61, 0x4a, 0x03, 0x23, 0x0a, 0x0a, 0x0a};
    static const unsigned char cut[] = {0x1f, 0x8b, 0x08, 0x00, 0x43, 0x47, 0x43, 0x21, 0x21, 0x02, 0xe2, 0xe2, 0xe2,
                                        0xe2, 0xe2, 0xe2, 0xe2, 0xe2, 0xe2, 0xe2, 0xe2, 0xe2, 0xe2, 0xe2, 0xe2, 0x00};
    const char *text = "@r1\nACGT\n+\nIIII\n@r2\nAC\n+\nII\n@r3\nACGTACGT\n+\nIIIIIIII\n";
    unsigned char gz[256];
    size_t n = th_gzip(text, strlen(text), 6, gz, sizeof gz);
    expect_same_everywhere(corrupt, sizeof corrupt, FQP_ERR_GZIP_CORRUPT, 0);
    expect_same_everywhere(cut, sizeof cut, FQP_ERR_GZIP_TRUNCATED, 0);
    /* cut inside the trailer: all the text is there, the records come first */
    expect_same_everywhere(gz, n - 3, FQP_ERR_GZIP_TRUNCATED, 3);
    {
        dump d;
        fqp_error err;
        fqp_input_desc in;
        memset(&in, 0, sizeof in);
        in.data = gz;
        in.size = n - 3;
        CHECK_EQ_INT(th_read_all(&in, NULL, &d, &err), FQP_ERR_GZIP_TRUNCATED);
        CHECK_EQ_U64(err.record, 4);
        CHECK_EQ_U64(err.line, 13);
        CHECK_EQ_U64(err.offset, strlen(text));
        free(d.text);
    }
}

int main(void)
{
    RUN(test_nul_bytes);
    RUN(test_non_ascii_bytes);
    RUN(test_zero_length_every_source);
    RUN(test_only_newlines);
    RUN(test_4gib_line);
    RUN(test_quality_out_of_range);
    RUN(test_at_and_plus_in_quality);
    RUN(test_crlf_mixed_with_lf);
    RUN(test_gzip_damage_same_everywhere);
    TEST_EXIT();
}
