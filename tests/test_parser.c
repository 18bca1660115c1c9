/* Parser and reader tests: exact records for each edge case, exact error
   code/line/record for each malformed input, and identical results for every
   way of cutting the input into reads and batches. */
#define FASTQPAR_IMPLEMENTATION
#include "fastqpar.h"
#include "helpers.h"
#include "test.h"

/* ---- helpers ---- */

typedef th_dump dump;

typedef struct chunked {
    const char *data;
    size_t size, pos;
    uint64_t rng;
    size_t max_read;   /* 0: random 1..16 */
    size_t fail_at;    /* return an error once pos reaches this (0: never) */
} chunked;

static int64_t chunked_read(void *user, void *buf, size_t size)
{
    chunked *c = (chunked *)user;
    size_t n;
    if (c->fail_at && c->pos >= c->fail_at) return -1;
    c->rng = c->rng * 6364136223846793005ull + 1442695040888963407ull;
    n = c->max_read ? c->max_read : 1 + (size_t)((c->rng >> 33) % 16);
    if (n > size) n = size;
    if (n > c->size - c->pos) n = c->size - c->pos;
    if (c->fail_at && c->pos + n > c->fail_at) n = c->fail_at - c->pos;
    memcpy(buf, c->data + c->pos, n);
    c->pos += n;
    return (int64_t)n;
}

static fqp_result read_text(const char *text, const fqp_config *cfg, dump *d, fqp_error *err)
{
    fqp_input_desc in;
    memset(&in, 0, sizeof in);
    in.data = text;
    in.size = strlen(text);
    in.name = "t.fq";
    return th_read_all(&in, cfg, d, err);
}

/* Parses `text` and compares the dump with `expect`. */
static void expect_records(const char *text, const char *expect, uint64_t n)
{
    dump d;
    fqp_error err;
    fqp_result r = read_text(text, NULL, &d, &err);
    CHECK_EQ_INT(r, FQP_OK);
    if (r != FQP_OK) fprintf(stderr, "  error: %s\n", err.message);
    CHECK_EQ_U64(d.records, n);
    CHECK(d.text ? strcmp(d.text, expect) == 0 : expect[0] == 0);
    if (d.text && strcmp(d.text, expect) != 0) fprintf(stderr, "  got:\n%s  expected:\n%s", d.text, expect);
    free(d.text);
}

/* Parses `text` with config *cfg, expecting error `code` at record/line/offset. */
static void expect_error_cfg(const char *text, const fqp_config *cfg, fqp_result code, uint64_t record, uint64_t line,
                             uint64_t offset)
{
    dump d;
    fqp_error err;
    fqp_result r = read_text(text, cfg, &d, &err);
    CHECK_EQ_INT(r, code);
    CHECK_EQ_INT(err.code, code);
    CHECK_EQ_U64(err.record, record);
    CHECK_EQ_U64(err.line, line);
    CHECK_EQ_U64(err.offset, offset);
    CHECK(strstr(err.message, "t.fq") != NULL);
    if (err.code != code || err.line != line) fprintf(stderr, "  message: %s\n", err.message);
    free(d.text);
}

/* Parses `text` with validation v and the given letter set, expecting error `code` at record/line/offset. */
static void expect_error_letters(const char *text, fqp_validation v, fqp_letters letters, fqp_result code,
                                 uint64_t record, uint64_t line, uint64_t offset)
{
    fqp_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.validate = v;
    cfg.letters = letters;
    expect_error_cfg(text, &cfg, code, record, line, offset);
}

static void expect_error(const char *text, fqp_validation v, fqp_result code, uint64_t record, uint64_t line,
                         uint64_t offset)
{
    expect_error_letters(text, v, FQP_LETTERS_PRINTABLE, code, record, line, offset);
}

/* ---- well-formed edge cases ---- */

static void test_four_line(void)
{
    expect_records("@r1 comment here\nACGT\n+\nIIII\n@r2\nGG\n+\n#!\n",
                   "r1\tcomment here\tACGT\tIIII\nr2\t\tGG\t#!\n", 2);
}

static void test_crlf_and_mixed(void)
{
    expect_records("@r1\r\nACGT\r\n+\r\nIIII\r\n@r2\nAC\n+\r\nII\n", "r1\t\tACGT\tIIII\nr2\t\tAC\tII\n", 2);
}

static void test_wrapped(void)
{
    expect_records("@w1\nACG\nTAC\nG\n+\nIII\nJJJ\nK\n@w2\nAA\n+\nBB\n",
                   "w1\t\tACGTACG\tIIIJJJK\nw2\t\tAA\tBB\n", 2);
    /* wrapped quality whose lines make the fast-path position a newline */
    expect_records("@x\nACGTAC\n+\nII\nIII\nI\n", "x\t\tACGTAC\tIIIIII\n", 1);
}

static void test_no_final_newline(void)
{
    expect_records("@r1\nACGT\n+\nIIII", "r1\t\tACGT\tIIII\n", 1);
    expect_records("@r1\r\nACGT\r\n+\r\nIIII\r", "r1\t\tACGT\tIIII\n", 1);
}

static void test_trailing_blank_lines(void)
{
    expect_records("@r1\nACGT\n+\nIIII\n\n\n\r\n", "r1\t\tACGT\tIIII\n", 1);
}

static void test_empty_reads(void)
{
    expect_records("@e1\n\n+\n\n@r2\nA\n+\nI\n@e3\n\n+\n\n", "e1\t\t\t\nr2\t\tA\tI\ne3\t\t\t\n", 3);
    /* an empty read at the very end whose empty quality line has no newline */
    expect_records("@e1\n\n+\n", "e1\t\t\t\n", 1);
}

static void test_quality_starting_with_at_or_plus(void)
{
    expect_records("@r1\nACGT\n+\n@III\n@r2\nA\n+\n+\n@r3\nAC\n+\n@@\n",
                   "r1\t\tACGT\t@III\nr2\t\tA\t+\nr3\t\tAC\t@@\n", 3);
}

static void test_plus_repeats_name(void)
{
    expect_records("@r1 c\nAC\n+r1 c\nII\n@r2 c\nAC\n+r2\nII\n", "r1\tc\tAC\tII\nr2\tc\tAC\tII\n", 2);
}

static void test_empty_input(void)
{
    expect_records("", "", 0);
    expect_records("\n\n", "", 0);
}

static void test_high_qualities_and_iupac(void)
{
    expect_records("@r\nACGTNRYKMSWBDHVUacgtn.-*\n+\n!!!!!!!!!!!!~~~~~~~~~~~~\n",
                   "r\t\tACGTNRYKMSWBDHVUacgtn.-*\t!!!!!!!!!!!!~~~~~~~~~~~~\n", 1);
}

/* ---- malformed input: code, record, line, byte offset ---- */

static void test_errors(void)
{
    expect_error("@r1\nAC\n+\nII\nr2\nAC\n+\nII\n", FQP_VALIDATE_ALL, FQP_ERR_MISSING_AT, 2, 5, 12);
    expect_error("@r1\nAC\n+\nII\n@r2\nAC\nII\n@r3\nAC\n+\nII\n", FQP_VALIDATE_ALL, FQP_ERR_MISSING_PLUS, 2, 8, 22);
    expect_error("@r1\nACGT\n+\nIII\n@r2\nAC\n+\nII\n", FQP_VALIDATE_ALL, FQP_ERR_LENGTH_MISMATCH, 1, 4, 11);
    expect_error("@r1\nAC\n+\nIII\n", FQP_VALIDATE_ALL, FQP_ERR_LENGTH_MISMATCH, 1, 4, 9);
    expect_error("@r1\nACGT\n+\nII", FQP_VALIDATE_ALL, FQP_ERR_TRUNCATED_RECORD, 1, 1, 0);
    expect_error("@r1\nAC\n+\nII\n@r2\nACGT\n", FQP_VALIDATE_ALL, FQP_ERR_TRUNCATED_RECORD, 2, 5, 12);
    expect_error("@r1\nAC\n+\nII\n@r2", FQP_VALIDATE_ALL, FQP_ERR_TRUNCATED_RECORD, 2, 5, 12);
    expect_error("@r1\nAC\n+r9\nII\n", FQP_VALIDATE_ALL, FQP_ERR_PLUS_NAME_MISMATCH, 1, 3, 7);
    expect_error("@r1\nAC\n+\nII\n@r2\nA\001C\n+\nIII\n", FQP_VALIDATE_ALL, FQP_ERR_INVALID_BASE, 2, 6, 17);
    expect_error_letters("@r1\nAC\n+\nII\n@r2\nAXC\n+\nIII\n", FQP_VALIDATE_ALL, FQP_LETTERS_IUPAC,
                         FQP_ERR_INVALID_BASE, 2, 6, 17);
    expect_error("@r1\nAC\n+\nII\n@r2\nACG\n+\nI I\n", FQP_VALIDATE_ALL, FQP_ERR_INVALID_QUALITY, 2, 8, 23);
    /* in a wrapped record the line of the bad character is named */
    expect_error("@r1\nACG\nTN \n+\nIIIIII\n", FQP_VALIDATE_ALL, FQP_ERR_INVALID_BASE, 1, 3, 10);
    expect_error_letters("@r1\nACG\nTNX\n+\nIIIIII\n", FQP_VALIDATE_ALL, FQP_LETTERS_IUPAC, FQP_ERR_INVALID_BASE, 1,
                         3, 10);
    expect_error("@r1\nAC\n+\nII\n\n@r2\nAC\n+\nII\n", FQP_VALIDATE_ALL, FQP_ERR_MISSING_AT, 2, 5, 12);
    expect_error("ACGT\n", FQP_VALIDATE_ALL, FQP_ERR_MISSING_AT, 1, 1, 0);
}

static void test_validation_selectable(void)
{
    dump d;
    fqp_error err;
    fqp_config cfg;
    const char *bad_base = "@r\nA\001Z\n+\nIII\n", *bad_qual = "@r\nACG\n+\nI\x01I\n";
    const char *iupac_bad = "@r\nAXZ\n+\nIII\n"; /* printable, not IUPAC */
    memset(&cfg, 0, sizeof cfg);
    cfg.validate = FQP_VALIDATE_NONE;
    CHECK_EQ_INT(read_text(bad_base, &cfg, &d, &err), FQP_OK);
    CHECK_EQ_U64(d.records, 1);
    free(d.text);
    CHECK_EQ_INT(read_text(bad_qual, &cfg, &d, &err), FQP_OK);
    free(d.text);
    cfg.validate = FQP_VALIDATE_QUALITY;
    CHECK_EQ_INT(read_text(bad_base, &cfg, &d, &err), FQP_OK);
    free(d.text);
    CHECK_EQ_INT(read_text(bad_qual, &cfg, &d, &err), FQP_ERR_INVALID_QUALITY);
    free(d.text);
    cfg.validate = FQP_VALIDATE_SEQUENCE;
    CHECK_EQ_INT(read_text(bad_base, &cfg, &d, &err), FQP_ERR_INVALID_BASE);
    free(d.text);
    CHECK_EQ_INT(read_text(bad_qual, &cfg, &d, &err), FQP_OK);
    free(d.text);
    /* the letter set: printable by default, IUPAC when asked, unchecked without sequence validation */
    CHECK_EQ_INT(read_text(iupac_bad, &cfg, &d, &err), FQP_OK);
    free(d.text);
    cfg.letters = FQP_LETTERS_IUPAC;
    CHECK_EQ_INT(read_text(iupac_bad, &cfg, &d, &err), FQP_ERR_INVALID_BASE);
    CHECK_EQ_U64(err.offset, 4);
    free(d.text);
    cfg.validate = FQP_VALIDATE_QUALITY;
    CHECK_EQ_INT(read_text(iupac_bad, &cfg, &d, &err), FQP_OK);
    free(d.text);
    cfg.validate = FQP_VALIDATE_NONE;
    CHECK_EQ_INT(read_text(bad_base, &cfg, &d, &err), FQP_OK);
    free(d.text);
    cfg.letters = (fqp_letters)2; /* unknown */
    CHECK_EQ_INT(read_text(iupac_bad, &cfg, &d, &err), FQP_ERR_INVALID_ARGUMENT);
    CHECK(strstr(err.message, "config.letters = 2") != NULL);
    free(d.text);
    cfg.letters = (fqp_letters)-1;
    CHECK_EQ_INT(read_text(iupac_bad, &cfg, &d, &err), FQP_ERR_INVALID_ARGUMENT);
    free(d.text);
}

/* A bad letter or quality at each position of an 80-base read is found at
   that position: covers the 32-byte AVX2 and 16-byte SSE2 blocks and the
   scalar tail. Then every byte value at positions in each of those parts:
   accepted exactly when the letter set (printable '!'..'~' by default, the
   IUPAC table when asked) or the quality range '!'..'~' accepts it. */
static void test_invalid_at_every_position(void)
{
    static const char *letters = "ACGTUNRYKMSWBDHVacgtunrykmswbdhv.-*";
    static const int at[] = {0, 15, 16, 31, 32, 33, 47, 48, 63, 64, 65, 79};
    int pos, c, i, iupac;
    fqp_config icfg;
    memset(&icfg, 0, sizeof icfg);
    icfg.letters = FQP_LETTERS_IUPAC;
    for (pos = 0; pos < 80; pos++) {
        char text[256], seq[81], qual[81];
        dump d;
        fqp_error err;
        memset(seq, 'A', 80);
        memset(qual, 'I', 80);
        seq[80] = qual[80] = 0;
        seq[pos] = '\x7f';
        snprintf(text, sizeof text, "@r\n%s\n+\n%s\n", seq, qual);
        CHECK_EQ_INT(read_text(text, NULL, &d, &err), FQP_ERR_INVALID_BASE);
        CHECK_EQ_U64(err.offset, 3 + (uint64_t)pos);
        free(d.text);
        seq[pos] = 'X'; /* printable, not IUPAC */
        snprintf(text, sizeof text, "@r\n%s\n+\n%s\n", seq, qual);
        CHECK_EQ_INT(read_text(text, NULL, &d, &err), FQP_OK);
        free(d.text);
        CHECK_EQ_INT(read_text(text, &icfg, &d, &err), FQP_ERR_INVALID_BASE);
        CHECK_EQ_U64(err.offset, 3 + (uint64_t)pos);
        free(d.text);
        seq[pos] = 'r'; /* a valid IUPAC code: the exact table accepts it */
        snprintf(text, sizeof text, "@r\n%s\n+\n%s\n", seq, qual);
        CHECK_EQ_INT(read_text(text, NULL, &d, &err), FQP_OK);
        free(d.text);
        CHECK_EQ_INT(read_text(text, &icfg, &d, &err), FQP_OK);
        free(d.text);
        seq[pos] = 'A';
        qual[pos] = (char)(pos % 2 ? 127 : 32);
        snprintf(text, sizeof text, "@r\n%s\n+\n%s\n", seq, qual);
        CHECK_EQ_INT(read_text(text, NULL, &d, &err), FQP_ERR_INVALID_QUALITY);
        CHECK_EQ_U64(err.offset, 3 + 81 + 2 + (uint64_t)pos);
        CHECK_EQ_U64(err.line, 4);
        free(d.text);
    }
    for (i = 0; i < (int)(sizeof at / sizeof at[0]); i++)
        for (c = 1; c < 256; c++) {
            char text[256], seq[81], qual[81];
            dump d;
            fqp_error err;
            int ok;
            if (c == '\n' || c == '\r' || (at[i] == 0 && (c == '+' || c == '@'))) continue; /* not a base */
            pos = at[i];
            memset(seq, 'c', 80);
            memset(qual, '5', 80);
            seq[80] = qual[80] = 0;
            seq[pos] = (char)c;
            snprintf(text, sizeof text, "@r\n%s\n+\n%s\n", seq, qual);
            for (iupac = 0; iupac < 2; iupac++) {
                ok = iupac ? strchr(letters, c) != NULL : c >= 33 && c <= 126;
                CHECK_EQ_INT(read_text(text, iupac ? &icfg : NULL, &d, &err), ok ? FQP_OK : FQP_ERR_INVALID_BASE);
                if (!ok) CHECK_EQ_U64(err.offset, 3 + (uint64_t)pos);
                if (ok) CHECK(d.text && d.len == 3 + 80 + 1 + 80 + 1 && memcmp(d.text + 3, seq, 80) == 0);
                free(d.text);
            }
            seq[pos] = 'G';
            qual[pos] = (char)c;
            snprintf(text, sizeof text, "@r\n%s\n+\n%s\n", seq, qual);
            ok = c >= 33 && c <= 126;
            CHECK_EQ_INT(read_text(text, NULL, &d, &err), ok ? FQP_OK : FQP_ERR_INVALID_QUALITY);
            if (!ok) CHECK_EQ_U64(err.offset, 3 + 81 + 2 + (uint64_t)pos);
            free(d.text);
            if (fqpt_failed) {
                fprintf(stderr, "  byte %d at position %d\n", c, pos);
                return;
            }
        }
}

/* Every read length from 0 to 100 (blocks of 16 and 32 bytes, the
   overlapping last block, reads shorter than a block), a bad letter or
   quality at every position, and a name of that length before a comment
   (or a tab, or none). */
static void test_every_length(void)
{
    int len, pos;
    for (len = 0; len <= 100; len++) {
        char text[512], seq[101], qual[101], name[101], expect[512];
        dump d;
        fqp_error err;
        memset(seq, 'T', (size_t)len);
        memset(qual, '~', (size_t)len);
        memset(name, 'n', (size_t)len);
        seq[len] = qual[len] = name[len] = 0;
        snprintf(text, sizeof text, "@%s%s\n%s\n+\n%s\n", name, len % 3 == 0 ? " x y" : len % 3 == 1 ? "\tx" : "",
                 seq, qual);
        snprintf(expect, sizeof expect, "%s\t%s\t%s\t%s\n", name, len % 3 == 0 ? "x y" : len % 3 == 1 ? "x" : "",
                 seq, qual);
        CHECK_EQ_INT(read_text(text, NULL, &d, &err), FQP_OK);
        CHECK(d.text && strcmp(d.text, expect) == 0);
        free(d.text);
        for (pos = 0; pos < len; pos++) {
            uint64_t head = (uint64_t)len + 2; /* "@name\n" */
            fqp_config icfg;
            memset(&icfg, 0, sizeof icfg);
            icfg.letters = FQP_LETTERS_IUPAC;
            seq[pos] = pos % 2 ? ' ' : '\x80';
            snprintf(text, sizeof text, "@%s\n%s\n+\n%s\n", name, seq, qual);
            CHECK_EQ_INT(read_text(text, NULL, &d, &err), FQP_ERR_INVALID_BASE);
            CHECK_EQ_U64(err.offset, head + (uint64_t)pos);
            free(d.text);
            seq[pos] = pos % 2 ? 'Z' : '1'; /* printable, not IUPAC */
            snprintf(text, sizeof text, "@%s\n%s\n+\n%s\n", name, seq, qual);
            CHECK_EQ_INT(read_text(text, NULL, &d, &err), FQP_OK);
            free(d.text);
            CHECK_EQ_INT(read_text(text, &icfg, &d, &err), FQP_ERR_INVALID_BASE);
            CHECK_EQ_U64(err.offset, head + (uint64_t)pos);
            free(d.text);
            seq[pos] = 'T';
            qual[pos] = pos % 2 ? ' ' : '\x7f';
            snprintf(text, sizeof text, "@%s\n%s\n+\n%s\n", name, seq, qual);
            CHECK_EQ_INT(read_text(text, NULL, &d, &err), FQP_ERR_INVALID_QUALITY);
            CHECK_EQ_U64(err.offset, head + (uint64_t)len + 3 + (uint64_t)pos);
            free(d.text);
            qual[pos] = '~';
            if (fqpt_failed) {
                fprintf(stderr, "  read length %d, position %d\n", len, pos);
                return;
            }
        }
    }
}

/* ---- every split of the input gives the same records ---- */

static const char *mixed_input =
    "@a1 c1\nACGTACGTAC\n+\nIIIIIIIIII\n"
    "@a2\r\nAC\r\nGT\r\n+\r\nII\r\n#I\r\n"
    "@a3\n\n+\n\n"
    "@a4 long comment with spaces\nNNNN\n+a4 long comment with spaces\n@+@+\n"
    "@a5\nA\nC\nG\n+\n!\n\"\n#\n"
    "@a6\nACGTTGCA\n+\n~~~~~~~~\n\n";

static void test_every_read_size(void)
{
    dump ref, d;
    fqp_error err;
    fqp_config cfg;
    size_t rs;
    CHECK_EQ_INT(read_text(mixed_input, NULL, &ref, &err), FQP_OK);
    CHECK_EQ_U64(ref.records, 6);
    for (rs = 1; rs <= strlen(mixed_input) + 1; rs++) {
        memset(&cfg, 0, sizeof cfg);
        cfg.read_size = rs;
        cfg.batch_bytes = 1 + rs % 64;   /* batches from one record to several */
        cfg.batch_records = 1 + rs % 4;
        CHECK_EQ_INT(read_text(mixed_input, &cfg, &d, &err), FQP_OK);
        CHECK(d.text && strcmp(d.text, ref.text) == 0);
        free(d.text);
    }
    free(ref.text);
}

static void test_random_short_callback_reads(void)
{
    dump ref, d;
    fqp_error err;
    fqp_input_desc in;
    chunked c;
    fqp_config cfg;
    int seed;
    CHECK_EQ_INT(read_text(mixed_input, NULL, &ref, &err), FQP_OK);
    for (seed = 1; seed <= 200; seed++) {
        memset(&c, 0, sizeof c);
        c.data = mixed_input;
        c.size = strlen(mixed_input);
        c.rng = (uint64_t)seed;
        memset(&in, 0, sizeof in);
        in.read = chunked_read;
        in.read_user = &c;
        memset(&cfg, 0, sizeof cfg);
        cfg.batch_bytes = (uint64_t)(seed % 50) + 1;
        CHECK_EQ_INT(th_read_all(&in, &cfg, &d, &err), FQP_OK);
        CHECK(d.text && strcmp(d.text, ref.text) == 0);
        free(d.text);
    }
    free(ref.text);
}

/* Every error keeps its code and location however the input is cut. */
static void test_error_location_any_split(void)
{
    const char *text = "@r1\nAC\n+\nII\n@r2\nACGT\n+\nIIII\n@r3\nAC\n+\nIII\n@r4\nAC\n+\nII\n";
    size_t rs;
    for (rs = 1; rs <= strlen(text); rs++) {
        dump d;
        fqp_error err;
        fqp_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.read_size = rs;
        cfg.batch_records = 1 + rs % 3;
        CHECK_EQ_INT(read_text(text, &cfg, &d, &err), FQP_ERR_LENGTH_MISMATCH);
        CHECK_EQ_U64(err.record, 3);
        CHECK_EQ_U64(err.line, 12);
        CHECK_EQ_U64(err.offset, 37);
        free(d.text);
    }
}

/* Inputs the fuzzer found where the outcome depended on where reads or
   batches ended: every cut must give the same error, record and line. */
static void test_same_error_at_every_cut(void)
{
    static const struct { const char *text; size_t len; } cases[] = {
    {"\x0a\x41\x43\x0d\x0a\x09\x0a\x40\x2b\x40\x0a\x0d\x65\x0a\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x0a\x0a", 28},
    {"\x40\x61\x0d\x0a\x41\x28\x30\x43\x0d\x0a\x2b\x61\x0d\x0a\x40\x2b\x0d\x0a\x40\x65\x0a\x0a\x2b\x0a\x0a", 25},
    {"\x40\x0a\x0d\x0a\x41\x43\x0d\x0a\x2b\x0a\x2b\x0a\x0a\x40\x4a\x61\x0a\x0d\x0a\x0a\x09\x40\x6b\x0d\x0a\x40", 26}
    };
    size_t c, rs, bb;
    for (c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        fqp_result first = FQP_OK;
        uint64_t rec = 0, line = 0;
        for (rs = 1; rs <= cases[c].len + 1; rs++) {
            for (bb = 1; bb <= 64; bb *= 4) {
                fqp_input_desc in;
                fqp_config cfg;
                dump d;
                fqp_error err;
                fqp_result r;
                memset(&in, 0, sizeof in);
                in.data = cases[c].text;
                in.size = cases[c].len;
                memset(&cfg, 0, sizeof cfg);
                cfg.read_size = rs;
                cfg.batch_bytes = bb;
                cfg.batch_records = 1 + rs % 3;
                r = th_read_all(&in, &cfg, &d, &err);
                free(d.text);
                if (first == FQP_OK) {
                    first = r;
                    rec = err.record;
                    line = err.line;
                    CHECK(r < 0);
                }
                CHECK_EQ_INT(r, first);
                CHECK_EQ_U64(err.record, rec);
                CHECK_EQ_U64(err.line, line);
            }
        }
    }
}

/* ---- batches ---- */

static void test_batch_limits_and_numbering(void)
{
    fqp_producer_desc pd;
    fqp_producer *p;
    fqp_batch *b;
    fqp_error err;
    uint64_t expect_index = 0, expect_first = 0;
    char text[20000];
    size_t o = 0;
    int i;
    for (i = 0; i < 500; i++) o += (size_t)sprintf(text + o, "@r%d\nACGTACGTAC\n+\nIIIIIIIIII\n", i);
    memset(&pd, 0, sizeof pd);
    pd.input.data = text;
    pd.input.size = o;
    pd.config.ignore_env = 1;
    pd.config.batch_records = 7;
    pd.config.batch_bytes = 1u << 20;
    REQUIRE(fqp_producer_create(&p, &pd, &err) == FQP_OK);
    while (fqp_producer_read(p, &b) == FQP_OK) {
        fqp_record r = fqp_batch_record(b, 0);
        char name[32];
        CHECK_EQ_U64(b->index, expect_index);
        CHECK_EQ_U64(b->first_record, expect_first);
        CHECK(b->count == 7 || (b->count == 500 % 7 && expect_first == 500 - 500 % 7));
        CHECK_EQ_U64(b->first_line, 4 * expect_first + 1);
        sprintf(name, "r%llu", (unsigned long long)expect_first);
        CHECK_MEM(r.name, r.name_len, name);
        CHECK_EQ_U64(r.number, expect_first + 1);
        CHECK_EQ_U64(b->bases, 10 * b->count);
        CHECK_EQ_U64(b->seq_off[b->count], b->bases);
        expect_index++;
        expect_first += b->count;
        fqp_producer_release(p, b);
    }
    CHECK_EQ_U64(expect_first, 500);
    fqp_producer_destroy(p);

    /* byte limit: each batch holds at most batch_bytes of text */
    pd.config.batch_records = 1000000;
    pd.config.batch_bytes = 100; /* each record is 31-33 bytes: 3 per batch */
    REQUIRE(fqp_producer_create(&p, &pd, &err) == FQP_OK);
    expect_first = 0;
    while (fqp_producer_read(p, &b) == FQP_OK) {
        CHECK(b->text_bytes <= 100);
        CHECK(b->count >= 1 && b->count <= 3);
        expect_first += b->count;
        fqp_producer_release(p, b);
    }
    CHECK_EQ_U64(expect_first, 500);
    fqp_producer_destroy(p);
}

static void test_long_read_2mbp(void)
{
    size_t n = 2000000, i;
    char *text = (char *)malloc(2 * n + 64);
    fqp_input_desc in;
    fqp_config cfg;
    dump d;
    fqp_error err;
    size_t o = (size_t)sprintf(text, "@long\n");
    for (i = 0; i < n; i++) text[o++] = "ACGT"[i % 4];
    o += (size_t)sprintf(text + o, "\n+\n");
    for (i = 0; i < n; i++) text[o++] = (char)('!' + i % 94);
    o += (size_t)sprintf(text + o, "\n@short\nA\n+\nI\n");
    memset(&in, 0, sizeof in);
    in.data = text;
    in.size = o;
    memset(&cfg, 0, sizeof cfg);
    cfg.batch_bytes = 4096;
    cfg.read_size = 65536;
    CHECK_EQ_INT(th_read_all(&in, &cfg, &d, &err), FQP_OK);
    CHECK_EQ_U64(d.records, 2);
    CHECK_EQ_U64(d.len, strlen("long\t\t") + n + 1 + n + 1 + strlen("short\t\tA\tI\n"));
    CHECK(d.len > n && memcmp(d.text + 6, "ACGTACGT", 8) == 0);
    free(d.text);
    /* with a cap the same record is an error naming it */
    cfg.max_record_bytes = 1000000;
    CHECK_EQ_INT(th_read_all(&in, &cfg, &d, &err), FQP_ERR_RECORD_TOO_LONG);
    CHECK_EQ_U64(err.record, 1);
    CHECK_EQ_U64(err.line, 1);
    free(d.text);
    free(text);
}

/* ---- sources ---- */

static void test_sources(void)
{
    const char *text = "@r1\nACGT\n+\nIIII\n@r2\nAC\n+\nII\n";
    const char *expect = "r1\t\tACGT\tIIII\nr2\t\tAC\tII\n";
    char path[64];
    FILE *f;
    fqp_input_desc in;
    dump d;
    fqp_error err;
    snprintf(path, sizeof path, "/tmp/fqp_test_src_%d.fq", (int)rand());
    f = fopen(path, "wb");
    REQUIRE(f != NULL);
    fputs(text, f);
    fclose(f);
    memset(&in, 0, sizeof in);
    in.path = path;
    CHECK_EQ_INT(th_read_all(&in, NULL, &d, &err), FQP_OK);
    CHECK(d.text && strcmp(d.text, expect) == 0);
    free(d.text);
    memset(&in, 0, sizeof in);
    in.file = fopen(path, "rb");
    REQUIRE(in.file != NULL);
    CHECK_EQ_INT(th_read_all(&in, NULL, &d, &err), FQP_OK);
    CHECK(d.text && strcmp(d.text, expect) == 0);
    fclose(in.file);
    free(d.text);
    remove(path);
    memset(&in, 0, sizeof in);
    in.path = "/nonexistent/x.fq";
    CHECK_EQ_INT(th_read_all(&in, NULL, &d, &err), FQP_ERR_OPEN);
    CHECK(strstr(err.message, "/nonexistent/x.fq") != NULL);
    free(d.text);
    memset(&in, 0, sizeof in);
    CHECK_EQ_INT(th_read_all(&in, NULL, &d, &err), FQP_ERR_INVALID_ARGUMENT);
    free(d.text);
    in.path = path;
    in.data = text;
    CHECK_EQ_INT(th_read_all(&in, NULL, &d, &err), FQP_ERR_INVALID_ARGUMENT);
    free(d.text);
}

/* Input without newlines fails at its first bytes, not after filling memory. */
static int64_t endless_read(void *user, void *buf, size_t size)
{
    uint64_t *served = (uint64_t *)user;
    memset(buf, 'A', size);
    *served += size;
    return *served > ((uint64_t)1 << 30) ? 0 : (int64_t)size; /* 1 GiB: far past any buffer we allow */
}

static int64_t endless_quality(void *user, void *buf, size_t size)
{
    uint64_t *served = (uint64_t *)user;
    size_t i = 0;
    const char *head = "@r\nACGT\n+\n";
    for (; i < size && *served + i < strlen(head); i++) ((char *)buf)[i] = head[*served + i];
    for (; i < size; i++) ((char *)buf)[i] = 'I';
    *served += size;
    return *served > ((uint64_t)1 << 30) ? 0 : (int64_t)size;
}

static void test_no_newline_fails_fast(void)
{
    fqp_input_desc in;
    fqp_config cfg;
    dump d;
    fqp_error err;
    uint64_t served = 0;
    memset(&in, 0, sizeof in);
    in.read = endless_read;
    in.read_user = &served;
    memset(&cfg, 0, sizeof cfg);
    cfg.read_size = 4096;
    CHECK_EQ_INT(th_read_all(&in, &cfg, &d, &err), FQP_ERR_MISSING_AT);
    CHECK_EQ_U64(err.line, 1);
    CHECK_EQ_U64(err.offset, 0);
    CHECK(served <= 8192);
    free(d.text);
    served = 0;
    in.read = endless_quality;
    CHECK_EQ_INT(th_read_all(&in, &cfg, &d, &err), FQP_ERR_LENGTH_MISMATCH);
    CHECK_EQ_U64(err.line, 4);
    CHECK(served <= 8192);
    free(d.text);
}

static void test_read_error_is_not_eof(void)
{
    const char *text = "@r1\nAC\n+\nII\n@r2\nAC\n+\nII\n@r3\nAC\n+\nII\n";
    size_t at;
    for (at = 1; at < strlen(text); at++) {
        chunked c;
        fqp_input_desc in;
        dump d;
        fqp_error err;
        memset(&c, 0, sizeof c);
        c.data = text;
        c.size = strlen(text);
        c.max_read = 3;
        c.fail_at = at;
        memset(&in, 0, sizeof in);
        in.read = chunked_read;
        in.read_user = &c;
        CHECK_EQ_INT(th_read_all(&in, NULL, &d, &err), FQP_ERR_READ);
        free(d.text);
    }
}

/* ---- gzip ---- */

static size_t gz(const char *text, unsigned char *out, size_t cap) { return th_gzip(text, strlen(text), 6, out, cap); }

static fqp_result read_bytes(const unsigned char *data, size_t n, size_t read_size, dump *d, fqp_error *err)
{
    fqp_input_desc in;
    fqp_config cfg;
    memset(&in, 0, sizeof in);
    in.data = data;
    in.size = n;
    in.name = "t.fq.gz";
    memset(&cfg, 0, sizeof cfg);
    cfg.read_size = read_size;
    return th_read_all(&in, &cfg, d, err);
}

static void test_gzip(void)
{
    unsigned char buf[4096];
    size_t n1, n2, n3, rs;
    dump d;
    fqp_error err;
    n1 = gz("@r1\nACGT\n+\nIIII\n", buf, sizeof buf);
    n2 = gz("@r2\nAC\n+\nII\n", buf + n1, sizeof buf - n1);
    n3 = gz("", buf + n1 + n2, sizeof buf - n1 - n2); /* like BGZF's empty EOF member */
    for (rs = 1; rs <= 64; rs *= 2) {
        CHECK_EQ_INT(read_bytes(buf, n1 + n2 + n3, rs, &d, &err), FQP_OK);
        CHECK(d.text && strcmp(d.text, "r1\t\tACGT\tIIII\nr2\t\tAC\tII\n") == 0);
        free(d.text);
    }
    /* truncated at every length: an error, never a short clean read */
    for (rs = 2; rs < n1 + n2; rs++) {
        if (rs == n1) continue; /* a whole first member is a valid file */
        fqp_result r = read_bytes(buf, rs, 7, &d, &err);
        CHECK(r == FQP_ERR_GZIP_TRUNCATED || r == FQP_ERR_GZIP_CORRUPT || r == FQP_ERR_GZIP_TRAILING);
        free(d.text);
    }
    CHECK_EQ_INT(read_bytes(buf, n1 + n2 - 3, 1000, &d, &err), FQP_ERR_GZIP_TRUNCATED);
    CHECK(strstr(err.message, "t.fq.gz") != NULL);
    free(d.text);
    /* corrupt CRC (the 4 bytes before ISIZE at the end of member 1) */
    buf[n1 - 8] ^= 0xff;
    CHECK_EQ_INT(read_bytes(buf, n1, 1000, &d, &err), FQP_ERR_GZIP_CORRUPT);
    CHECK(strstr(err.message, "byte") != NULL);
    free(d.text);
    buf[n1 - 8] ^= 0xff;
    /* garbage after a member */
    memcpy(buf + n1, "junk", 4);
    CHECK_EQ_INT(read_bytes(buf, n1 + 4, 1000, &d, &err), FQP_ERR_GZIP_TRAILING);
    free(d.text);
    /* a gzip file of nothing */
    n1 = gz("", buf, sizeof buf);
    CHECK_EQ_INT(read_bytes(buf, n1, 1000, &d, &err), FQP_OK);
    CHECK_EQ_U64(d.records, 0);
    free(d.text);
}

/* ---- letters and blank lines (issue 13) ---- */

/* Letters other readers' test suites use: protein letters, digits, '*',
   '.', '-', and every printable byte, read byte for byte by default. */
static void test_printable_letters(void)
{
    char seq[128], qual[128], text[512], expect[512];
    int c, n = 0;
    expect_records("@p1\nEJPQ0123456789*.-\n+\nIIIIIIIIIIIIIIIII\n@p2\nAC\nEJ\n+\nIIII\n",
                   "p1\t\tEJPQ0123456789*.-\tIIIIIIIIIIIIIIIII\np2\t\tACEJ\tIIII\n", 2);
    seq[n++] = 'A'; /* a line starting with '+' or '@' is not a sequence line */
    for (c = '!'; c <= '~'; c++) seq[n++] = (char)c;
    seq[n] = 0;
    memset(qual, '5', (size_t)n);
    qual[n] = 0;
    snprintf(text, sizeof text, "@all\n%s\n+\n%s\n", seq, qual);
    snprintf(expect, sizeof expect, "all\t\t%s\t%s\n", seq, qual);
    expect_records(text, expect, 1);
    /* '*', '.' and '-' are in the IUPAC set too */
    {
        fqp_config cfg;
        dump d;
        fqp_error err;
        memset(&cfg, 0, sizeof cfg);
        cfg.letters = FQP_LETTERS_IUPAC;
        CHECK_EQ_INT(read_text("@g\nAC*.-gt\n+\nIIIIIII\n", &cfg, &d, &err), FQP_OK);
        CHECK(d.text && strcmp(d.text, "g\t\tAC*.-gt\tIIIIIII\n") == 0);
        free(d.text);
    }
}

/* A letter in a wrapped sequence (record 2, line 7, byte 23): accepted by
   default and returned exactly, rejected under FQP_LETTERS_IUPAC at its
   byte; control bytes, bytes 0x80 and up, space and tab: rejected in both. */
static void test_letters_per_set(void)
{
    static const char printable[] = "EJPQOXZ0123456789!#$%&'()=?[]^_{|}~";
    static const char never[] = {1, 8, 11, 12, 27, 31, 127, (char)0x80, (char)0xc3, (char)0xff, ' ', '\t'};
    char text[128], expect[128];
    size_t i;
    for (i = 0; i < sizeof printable - 1; i++) {
        char c = printable[i];
        snprintf(text, sizeof text, "@r1\nAC\n+\nII\n@r2\nACGT\nAC%cA\n+\nIIIIIIII\n", c);
        snprintf(expect, sizeof expect, "r1\t\tAC\tII\nr2\t\tACGTAC%cA\tIIIIIIII\n", c);
        expect_records(text, expect, 2);
        expect_error_letters(text, FQP_VALIDATE_ALL, FQP_LETTERS_IUPAC, FQP_ERR_INVALID_BASE, 2, 7, 23);
        expect_error_letters(text, FQP_VALIDATE_SEQUENCE, FQP_LETTERS_IUPAC, FQP_ERR_INVALID_BASE, 2, 7, 23);
        if (fqpt_failed) {
            fprintf(stderr, "  letter '%c'\n", c);
            return;
        }
    }
    for (i = 0; i < sizeof never; i++) {
        dump d;
        fqp_error err;
        snprintf(text, sizeof text, "@r1\nAC\n+\nII\n@r2\nACGT\nAC%cA\n+\nIIIIIIII\n", never[i]);
        expect_error(text, FQP_VALIDATE_ALL, FQP_ERR_INVALID_BASE, 2, 7, 23);
        expect_error_letters(text, FQP_VALIDATE_ALL, FQP_LETTERS_IUPAC, FQP_ERR_INVALID_BASE, 2, 7, 23);
        CHECK_EQ_INT(read_text(text, NULL, &d, &err), FQP_ERR_INVALID_BASE);
        CHECK(strstr(err.message, "invalid sequence character") != NULL);
        CHECK(strstr(err.message, "at position 7") != NULL);
        CHECK_EQ_U64(d.records, 1); /* the record before it was delivered */
        free(d.text);
        if (fqpt_failed) {
            fprintf(stderr, "  byte %u: %s\n", (unsigned)(unsigned char)never[i], err.message);
            return;
        }
    }
}

/* `text` fails with `code` at record/line/offset read whole, in reads of
   every size with batches cut at every few records and bytes, and gzipped. */
static void expect_error_everywhere(const char *text, fqp_result code, uint64_t record, uint64_t line, uint64_t offset)
{
    unsigned char z[4096];
    size_t rs, n = strlen(text), zn = gz(text, z, sizeof z);
    expect_error(text, FQP_VALIDATE_ALL, code, record, line, offset);
    expect_error(text, FQP_VALIDATE_NONE, code, record, line, offset);
    for (rs = 1; rs <= n + 1; rs++) {
        fqp_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.read_size = rs;
        cfg.batch_bytes = 1 + rs % 23;
        cfg.batch_records = 1 + rs % 3;
        expect_error_cfg(text, &cfg, code, record, line, offset);
        if (fqpt_failed) {
            fprintf(stderr, "  read size %zu\n", rs);
            return;
        }
    }
    for (rs = 1; rs <= 64; rs *= 4) {
        dump d;
        fqp_error err;
        CHECK_EQ_INT(read_bytes(z, zn, rs, &d, &err), code);
        CHECK_EQ_U64(err.record, record);
        CHECK_EQ_U64(err.line, line);
        CHECK_EQ_U64(err.offset, offset);
        CHECK(strstr(err.message, "t.fq.gz") != NULL);
        CHECK_EQ_U64(d.records, record - 1);
        free(d.text);
    }
}

/* A blank line inside a record is FQP_ERR_BLANK_LINE at that line, not
   joined away as a wrapped line would be; an empty read's one sequence and
   one quality line are the only blank lines a record has. */
static void test_blank_line_in_record(void)
{
    dump d;
    fqp_error err;
    /* after the header, inside the sequence, before '+', after '+', inside the quality */
    expect_error_everywhere("@r1\nAC\n+\nII\n@r2\n\nACGT\n+\nIIII\n", FQP_ERR_BLANK_LINE, 2, 6, 16);
    expect_error_everywhere("@r1\nAC\n+\nII\n@r2\nAC\n\nGT\n+\nIIII\n", FQP_ERR_BLANK_LINE, 2, 7, 19);
    expect_error_everywhere("@r1\nAC\n+\nII\n@r2\nACGT\n\n+\nIIII\n", FQP_ERR_BLANK_LINE, 2, 7, 21);
    expect_error_everywhere("@r1\nAC\n+\nII\n@r2\nACGT\n+\n\nIIII\n", FQP_ERR_BLANK_LINE, 2, 8, 23);
    expect_error_everywhere("@r1\nAC\n+\nII\n@r2\nACGT\n+\nII\n\nII\n", FQP_ERR_BLANK_LINE, 2, 9, 26);
    /* the same with CRLF line ends: a blank line is "\r\n" */
    expect_error_everywhere("@r1\r\nAC\r\n+\r\nII\r\n@r2\r\n\r\nACGT\r\n+\r\nIIII\r\n", FQP_ERR_BLANK_LINE, 2, 6, 21);
    expect_error_everywhere("@r1\r\nAC\r\n+\r\nII\r\n@r2\r\nACGT\r\n+\r\nII\r\n\r\nII\r\n", FQP_ERR_BLANK_LINE, 2,
                            9, 34);
    /* two blank lines after the header: the first is named */
    expect_error_everywhere("@r1\n\n\n+\n\n", FQP_ERR_BLANK_LINE, 1, 2, 4);
    /* a blank quality line where the input ends */
    expect_error_everywhere("@r1\nAC\n+\n\n", FQP_ERR_BLANK_LINE, 1, 4, 9);
    /* the message says where */
    CHECK_EQ_INT(read_text("@r1\nACGT\n+\n\nIIII\n", NULL, &d, &err), FQP_ERR_BLANK_LINE);
    CHECK(strstr(err.message, "t.fq: record 1, line 4, byte 11: blank line after the '+' line") == err.message);
    free(d.text);
    CHECK_EQ_INT(read_text("@r1\nACGT\n+\nII\n\nII\n", NULL, &d, &err), FQP_ERR_BLANK_LINE);
    CHECK(strstr(err.message, "blank line inside the quality") != NULL);
    free(d.text);
    CHECK_EQ_INT(read_text("@r1\n\nACGT\n+\nIIII\n", NULL, &d, &err), FQP_ERR_BLANK_LINE);
    CHECK(strstr(err.message, "blank line after the header") != NULL);
    free(d.text);
    CHECK(strcmp(fqp_result_string(FQP_ERR_BLANK_LINE), "blank line inside a record") == 0);
    /* unchanged: a blank line where a header is due (MISSING_AT at the blank
       line), a blank sequence line before a header (MISSING_PLUS: an empty
       read lacking its '+'), and blank lines at the end */
    expect_error_everywhere("@e\n\n+\n\n\n@r\nA\n+\nI\n", FQP_ERR_MISSING_AT, 2, 5, 7);
    expect_error_everywhere("@r1\n\n@r2\nAC\n+\nII\n", FQP_ERR_MISSING_PLUS, 1, 3, 5);
    expect_records("@e1\n\n+\n\n@e2\r\n\r\n+\r\n\r\n@e3\n+\n\n@r\nAC\n+\nII\n\n\r\n",
                   "e1\t\t\t\ne2\t\t\t\ne3\t\t\t\nr\t\tAC\tII\n", 4);
}

/* CRLF records, wrapped and not, still parse the same as LF ones, in every
   cut of the input. */
static void test_crlf_every_cut(void)
{
    const char *crlf = "@c1 x\r\nACGT\r\n+\r\nIIII\r\n@c2\r\nAC\r\nGT\r\n+c2\r\nII\r\nJJ\r\n@c3\r\n\r\n+\r\n\r\n";
    const char *expect = "c1\tx\tACGT\tIIII\nc2\t\tACGT\tIIJJ\nc3\t\t\t\n";
    size_t rs;
    expect_records(crlf, expect, 3);
    for (rs = 1; rs <= strlen(crlf); rs++) {
        fqp_config cfg;
        dump d;
        fqp_error err;
        memset(&cfg, 0, sizeof cfg);
        cfg.read_size = rs;
        cfg.batch_bytes = 1 + rs % 29;
        cfg.batch_records = 1 + rs % 2;
        CHECK_EQ_INT(read_text(crlf, &cfg, &d, &err), FQP_OK);
        CHECK(d.text && strcmp(d.text, expect) == 0);
        free(d.text);
    }
}

/* ---- allocator: everything allocated is freed ---- */

static long live_allocs, all_allocs;
static void *count_alloc(size_t n, void *u)
{
    (void)u;
    live_allocs++;
    all_allocs++;
    return malloc(n);
}
static void count_free(void *p, void *u) { (void)u; if (p) live_allocs--; free(p); }

static void test_allocator(void)
{
    fqp_config cfg;
    dump d;
    fqp_error err;
    memset(&cfg, 0, sizeof cfg);
    cfg.allocator.alloc = count_alloc;
    cfg.allocator.free = count_free;
    cfg.batch_bytes = 16;
    live_allocs = 0;
    CHECK_EQ_INT(read_text(mixed_input, &cfg, &d, &err), FQP_OK);
    CHECK_EQ_U64(d.records, 6);
    CHECK_EQ_INT(live_allocs, 0);
    free(d.text);
    /* gzip input: zlib's state and window come from the allocator too, so
       the same text gzipped takes at least two allocations more (ISA-L's
       state is one; tests/test_codec.c checks it) */
    cfg.inflate = FQP_CODEC_ZLIB;
    {
        unsigned char buf[4096];
        long plain;
        fqp_input_desc in;
        memset(&in, 0, sizeof in);
        in.data = buf;
        in.size = strlen(mixed_input);
        memcpy(buf, mixed_input, in.size);
        all_allocs = 0;
        CHECK_EQ_INT(th_read_all(&in, &cfg, &d, &err), FQP_OK);
        plain = all_allocs;
        free(d.text);
        in.size = gz(mixed_input, buf, sizeof buf);
        all_allocs = 0;
        CHECK_EQ_INT(th_read_all(&in, &cfg, &d, &err), FQP_OK);
        CHECK_EQ_U64(d.records, 6);
        CHECK(all_allocs >= plain + 2);
        CHECK_EQ_INT(live_allocs, 0);
        free(d.text);
    }
    cfg.allocator.free = NULL;
    CHECK_EQ_INT(read_text(mixed_input, &cfg, &d, &err), FQP_ERR_INVALID_ARGUMENT);
    free(d.text);
}

static void test_result_strings(void)
{
    CHECK(strcmp(fqp_result_string(FQP_OK), "ok") == 0);
    CHECK(strcmp(fqp_result_string(FQP_ERR_MISSING_PLUS), "missing '+' line") == 0);
    CHECK(strcmp(fqp_result_string((fqp_result)-999), "unknown result") == 0);
}

int main(void)
{
    RUN(test_four_line);
    RUN(test_crlf_and_mixed);
    RUN(test_wrapped);
    RUN(test_no_final_newline);
    RUN(test_trailing_blank_lines);
    RUN(test_empty_reads);
    RUN(test_quality_starting_with_at_or_plus);
    RUN(test_plus_repeats_name);
    RUN(test_empty_input);
    RUN(test_high_qualities_and_iupac);
    RUN(test_errors);
    RUN(test_validation_selectable);
    RUN(test_invalid_at_every_position);
    RUN(test_every_length);
    RUN(test_every_read_size);
    RUN(test_random_short_callback_reads);
    RUN(test_error_location_any_split);
    RUN(test_same_error_at_every_cut);
    RUN(test_batch_limits_and_numbering);
    RUN(test_long_read_2mbp);
    RUN(test_sources);
    RUN(test_no_newline_fails_fast);
    RUN(test_read_error_is_not_eof);
    RUN(test_gzip);
    RUN(test_printable_letters);
    RUN(test_letters_per_set);
    RUN(test_blank_line_in_record);
    RUN(test_crlf_every_cut);
    RUN(test_allocator);
    RUN(test_result_strings);
    TEST_EXIT();
}
