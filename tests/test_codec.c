/* The compression backends: zlib, and ISA-L and libdeflate loaded at run
   time. Every backend present must give the same outcome on the same bytes
   (records, error code, record, line, offset and message), whatever the
   damage; every deflate backend must write output that zlib reads back to
   the exact text, byte-identical for any thread count. A backend that is
   not installed is SKIPped here; tests/test_codecs.sh covers its absence. */
#define FASTQPAR_IMPLEMENTATION
#include "fastqpar.h"
#include "helpers.h"
#include "test.h"

static const fqp_codec all_codecs[] = {FQP_CODEC_ZLIB, FQP_CODEC_ISAL, FQP_CODEC_LIBDEFLATE};
#define NCODECS 3

typedef struct outcome {
    fqp_result code;
    uint64_t records, record, line, offset, digest;
    char message[FQP_ERROR_MESSAGE_MAX];
} outcome;

typedef struct blob {
    unsigned char *p;
    size_t len, cap;
} blob;

static void blob_add(blob *b, const void *data, size_t n)
{
    b->p = (unsigned char *)th_append(b->p, &b->len, &b->cap, data, n);
}

static uint64_t mix(uint64_t h, const char *p, uint64_t n)
{
    uint64_t i;
    for (i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    return h ^ n;
}

/* `n` records of varied lengths, deterministic. */
static void make_text(blob *t, int n, unsigned seed)
{
    int i, k;
    for (i = 0; i < n; i++) {
        char line[512];
        int len = 20 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 180, o;
        o = snprintf(line, sizeof line, "@read%d/%u\n", i, seed % 1000);
        for (k = 0; k < len; k++) line[o++] = "ACGTN"[((seed = seed * 1103515245u + 12345u) >> 16) % 5];
        line[o++] = '\n';
        line[o++] = '+';
        line[o++] = '\n';
        for (k = 0; k < len; k++) line[o++] = (char)('!' + ((seed = seed * 1103515245u + 12345u) >> 16) % 41);
        line[o++] = '\n';
        blob_add(t, line, (size_t)o);
    }
}

/* One gzip member by zlib. */
static void gzip_member(blob *out, const void *text, size_t n, int level)
{
    size_t cap = compressBound((uLong)n) + 64;
    unsigned char *z = (unsigned char *)malloc(cap);
    if (!z) abort();
    blob_add(out, z, th_gzip(text, n, level, z, cap));
    free(z);
}

/* BGZF by our own writer (zlib), in blocks of at most 0xff00 bytes. */
static void bgzf_file(blob *out, const void *text, size_t n)
{
    fqp_writer *w;
    fqp_writer_desc wd;
    fqp_error err;
    FILE *f = tmpfile();
    long size;
    if (!f) abort();
    memset(&wd, 0, sizeof wd);
    wd.file = f;
    wd.format = FQP_FORMAT_BGZF;
    wd.deflate = FQP_CODEC_ZLIB;
    wd.ignore_env = 1;
    if (fqp_writer_open(&w, &wd, &err) != FQP_OK || fqp_writer_write(w, text, n, &err) != FQP_OK ||
        fqp_writer_close(w, &err) != FQP_OK)
        abort();
    size = ftell(f);
    rewind(f);
    if (out->len + (size_t)size > out->cap) {
        out->cap = out->len + (size_t)size + 1;
        out->p = (unsigned char *)realloc(out->p, out->cap);
    }
    if (fread(out->p + out->len, 1, (size_t)size, f) != (size_t)size) abort();
    out->len += (size_t)size;
    fclose(f);
}

static outcome parse(const void *data, size_t size, fqp_codec codec, size_t read_size, fqp_metrics *mout)
{
    fqp_producer_desc d;
    fqp_producer *p;
    fqp_batch *b;
    fqp_error err;
    fqp_metrics m;
    outcome o;
    memset(&o, 0, sizeof o);
    memset(&d, 0, sizeof d);
    d.input.data = data;
    d.input.size = size;
    d.input.name = "in.gz";
    d.config.ignore_env = 1;
    d.config.threads = 1;
    d.config.inflate = codec;
    d.config.read_size = read_size;
    d.config.batch_bytes = 1u << 14;
    if (fqp_producer_create(&p, &d, &err) != FQP_OK) {
        o.code = err.code;
        snprintf(o.message, sizeof o.message, "%s", err.message);
        return o;
    }
    o.digest = 14695981039346656037ull;
    while ((o.code = fqp_producer_read(p, &b)) == FQP_OK) {
        uint64_t i;
        for (i = 0; i < b->count; i++) {
            fqp_record r = fqp_batch_record(b, i);
            o.digest = mix(o.digest, r.name, r.name_len);
            o.digest = mix(o.digest, r.seq, r.len);
            o.digest = mix(o.digest, r.qual, r.len);
        }
        o.records += b->count;
        fqp_producer_release(p, b);
    }
    if (o.code == FQP_DONE) o.code = FQP_OK;
    fqp_producer_finish(p, &m, &err);
    if (mout) *mout = m;
    if (o.code != FQP_OK) {
        o.record = err.record;
        o.line = err.line;
        o.offset = err.offset;
        snprintf(o.message, sizeof o.message, "%s", err.message);
    }
    fqp_producer_destroy(p);
    return o;
}

static int same_outcome(const outcome *a, const outcome *b)
{
    return a->code == b->code && a->records == b->records && a->record == b->record && a->line == b->line &&
           a->offset == b->offset && a->digest == b->digest && strcmp(a->message, b->message) == 0;
}

/* Every available backend, at three read sizes, against zlib at 64 KiB;
   returns the zlib outcome. Counts the comparisons made. */
static outcome all_agree(const unsigned char *data, size_t size, const char *what, int *compared)
{
    static const size_t reads[] = {1u << 16, 7, 1000};
    outcome ref = parse(data, size, FQP_CODEC_ZLIB, reads[0], NULL), ref0 = ref;
    size_t c, k;
    for (c = 0; c < NCODECS; c++) {
        if (!fqp_codec_available(all_codecs[c], NULL, 0)) continue;
        for (k = 0; k < 3; k++) {
            outcome o;
            if (c == 0 && k == 0) continue;
            o = parse(data, size, all_codecs[c], reads[k], NULL);
            if (compared) (*compared)++;
            if (k && o.code != FQP_OK) { /* a parse error's quoted text may depend on the read size */
                outcome z = parse(data, size, FQP_CODEC_ZLIB, reads[k], NULL);
                snprintf(ref.message, sizeof ref.message, "%s", z.message);
            }
            if (!same_outcome(&ref, &o)) {
                fprintf(stderr, "  %s: %s at read size %zu differs from zlib:\n    %d %llu records \"%s\"\n    %d %llu records \"%s\"\n",
                        what, fqp_codec_name(all_codecs[c]), reads[k], (int)o.code, (unsigned long long)o.records,
                        o.message, (int)ref.code, (unsigned long long)ref.records, ref.message);
                fqpt_failed = 1;
                return ref0;
            }
            ref = ref0;
        }
    }
    return ref0;
}

static int have(fqp_codec c) { return fqp_codec_available(c, NULL, 0); }

static void test_names_and_availability(void)
{
    char why[512];
    CHECK(strcmp(fqp_codec_name(FQP_CODEC_AUTO), "auto") == 0);
    CHECK(strcmp(fqp_codec_name(FQP_CODEC_ZLIB), "zlib") == 0);
    CHECK(strcmp(fqp_codec_name(FQP_CODEC_ISAL), "isal") == 0);
    CHECK(strcmp(fqp_codec_name(FQP_CODEC_LIBDEFLATE), "libdeflate") == 0);
    CHECK_EQ_INT(fqp_codec_available(FQP_CODEC_ZLIB, why, sizeof why), 1);
    CHECK_EQ_INT(fqp_codec_available((fqp_codec)9, why, sizeof why), 0);
    CHECK(strstr(why, "unknown") != NULL);
    if (!fqp_codec_available(FQP_CODEC_ISAL, why, sizeof why)) CHECK(strstr(why, "libisal2") != NULL);
    if (!fqp_codec_available(FQP_CODEC_LIBDEFLATE, why, sizeof why)) CHECK(strstr(why, "libdeflate0") != NULL);
    printf("# isal %s, libdeflate %s\n", have(FQP_CODEC_ISAL) ? "loaded" : "absent",
           have(FQP_CODEC_LIBDEFLATE) ? "loaded" : "absent");
}

/* The backend each job gets, in the metrics and the writer. */
static void test_which_backend_runs(void)
{
    blob t = {0}, gz = {0}, bg = {0};
    fqp_metrics m;
    outcome o;
    make_text(&t, 300, 1);
    gzip_member(&gz, t.p, t.len, 6);
    bgzf_file(&bg, t.p, t.len);
    /* AUTO: the build's default (tests/test_inflate.sh builds one per backend) */
    fqp_codec dflt = FASTQPAR_DEFAULT_INFLATE;
    o = parse(gz.p, gz.len, FQP_CODEC_AUTO, 1u << 16, &m);
    CHECK_EQ_INT(o.code, FQP_OK);
    CHECK_EQ_U64(o.records, 300);
    CHECK_EQ_INT(m.gzip, 1);
    CHECK_EQ_INT(m.inflate, (dflt == FQP_CODEC_AUTO || dflt == FQP_CODEC_ISAL) && have(FQP_CODEC_ISAL) ? FQP_CODEC_ISAL
                                                                                                  : FQP_CODEC_ZLIB);
    o = parse(bg.p, bg.len, FQP_CODEC_AUTO, 1u << 16, &m);
    CHECK_EQ_U64(o.records, 300);
    CHECK_EQ_INT(m.bgzf, 1);
    CHECK_EQ_INT(m.inflate, dflt != FQP_CODEC_AUTO                ? dflt
                            : have(FQP_CODEC_LIBDEFLATE) ? FQP_CODEC_LIBDEFLATE
                            : have(FQP_CODEC_ISAL)       ? FQP_CODEC_ISAL
                                                         : FQP_CODEC_ZLIB);
    o = parse(bg.p, bg.len, FQP_CODEC_ZLIB, 1u << 16, &m);
    CHECK_EQ_INT(m.inflate, FQP_CODEC_ZLIB);
    if (have(FQP_CODEC_LIBDEFLATE)) { /* libdeflate cannot stream: gzip streams fall to zlib */
        o = parse(gz.p, gz.len, FQP_CODEC_LIBDEFLATE, 1u << 16, &m);
        CHECK_EQ_U64(o.records, 300);
        CHECK_EQ_INT(m.inflate, FQP_CODEC_ZLIB);
    }
    o = parse(t.p, t.len, FQP_CODEC_AUTO, 1u << 16, &m);
    CHECK_EQ_INT(m.inflate, FQP_CODEC_AUTO); /* plain */
    if (!have(FQP_CODEC_ISAL)) {
        o = parse(gz.p, gz.len, FQP_CODEC_ISAL, 1u << 16, &m);
        CHECK_EQ_INT(o.code, FQP_ERR_NO_CODEC);
        CHECK(strstr(o.message, "config.inflate asks for isal") != NULL);
        CHECK(strstr(o.message, "libisal2") != NULL);
    }
    free(t.p);
    free(gz.p);
    free(bg.p);
}

/* A callback source: with a seek callback it can be read again, so auto
   gives it ISA-L and zlib's replay; without one, auto gives it zlib. */
typedef struct cbsrc {
    const unsigned char *p;
    size_t n, pos;
} cbsrc;
static int64_t cb_read(void *user, void *buf, size_t size)
{
    cbsrc *c = (cbsrc *)user;
    size_t k = c->n - c->pos < size ? c->n - c->pos : size;
    if (k > 777) k = 777; /* short reads */
    memcpy(buf, c->p + c->pos, k);
    c->pos += k;
    return (int64_t)k;
}
static int cb_seek(void *user, uint64_t offset)
{
    cbsrc *c = (cbsrc *)user;
    if (offset > c->n) return -1;
    c->pos = (size_t)offset;
    return 0;
}
static outcome parse_callback(const unsigned char *data, size_t size, int seekable, fqp_metrics *m)
{
    fqp_producer_desc d;
    fqp_producer *p;
    fqp_batch *b;
    fqp_error err;
    outcome o;
    cbsrc c = {data, size, 0};
    memset(&o, 0, sizeof o);
    memset(&d, 0, sizeof d);
    d.input.read = cb_read;
    d.input.read_user = &c;
    d.input.seek = seekable ? cb_seek : NULL;
    d.input.name = "in.gz";
    d.config.ignore_env = 1;
    d.config.threads = 1;
    d.config.batch_bytes = 1u << 14;
    if (fqp_producer_create(&p, &d, &err) != FQP_OK) abort();
    while ((o.code = fqp_producer_read(p, &b)) == FQP_OK) {
        o.records += b->count;
        fqp_producer_release(p, b);
    }
    if (o.code == FQP_DONE) o.code = FQP_OK;
    fqp_producer_finish(p, m, &err);
    if (o.code != FQP_OK) snprintf(o.message, sizeof o.message, "%s", err.message);
    fqp_producer_destroy(p);
    return o;
}

static void test_callback_sources(void)
{
    blob t = {0}, gz = {0};
    fqp_metrics m;
    outcome ref, o;
    size_t at;
    int seekable;
    if (FASTQPAR_DEFAULT_INFLATE != FQP_CODEC_AUTO) SKIP("a build with another default backend");
    make_text(&t, 400, 5);
    gzip_member(&gz, t.p, t.len, 6);
    for (seekable = 0; seekable < 2; seekable++) {
        o = parse_callback(gz.p, gz.len, seekable, &m);
        CHECK_EQ_INT(o.code, FQP_OK);
        CHECK_EQ_U64(o.records, 400);
        CHECK_EQ_INT(m.inflate, seekable && have(FQP_CODEC_ISAL) ? FQP_CODEC_ISAL : FQP_CODEC_ZLIB);
    }
    for (at = 40; at < gz.len; at += gz.len / 23) { /* damaged: zlib's outcome either way */
        gz.p[at] ^= 0x5a;
        ref = parse(gz.p, gz.len, FQP_CODEC_ZLIB, 777, NULL);
        for (seekable = 0; seekable < 2; seekable++) {
            o = parse_callback(gz.p, gz.len, seekable, &m);
            if (o.code != ref.code || o.records != ref.records || strcmp(o.message, ref.message) != 0) {
                fprintf(stderr, "  byte %zu, %s callback: \"%s\" (%llu records), zlib: \"%s\" (%llu)\n", at,
                        seekable ? "seekable" : "plain", o.message, (unsigned long long)o.records, ref.message,
                        (unsigned long long)ref.records);
                fqpt_failed = 1;
            }
        }
        gz.p[at] ^= 0x5a;
    }
    free(t.p);
    free(gz.p);
}

/* A damaged file of each kind: the same outcome everywhere, and the
   outcome zlib defines (code, record, message). */
static void test_damage_cases(void)
{
    blob t = {0}, gz = {0}, bg = {0};
    size_t glen;
    int compared = 0;
    make_text(&t, 400, 2);
    gzip_member(&gz, t.p, t.len, 6);
    glen = gz.len;
    bgzf_file(&bg, t.p, t.len);
    {
        struct {
            const char *name;
            size_t at;        /* byte to change, or (size_t)-1 */
            unsigned char xor_with;
            size_t cut;       /* keep this many bytes (0: all) */
            const char *tail; /* appended */
            fqp_result code;
            uint64_t record;  /* 0: not checked */
            const char *text; /* in the message */
        } cases[] = {
            {"whole", (size_t)-1, 0, 0, NULL, FQP_OK, 0, ""},
            {"crc", glen - 8, 1, 0, NULL, FQP_ERR_GZIP_CORRUPT, 401,
             "in the member at compressed byte 0: incorrect data check"},
            {"isize", glen - 1, 1, 0, NULL, FQP_ERR_GZIP_CORRUPT, 401, "incorrect data check"},
            {"reserved flag", 3, 0x80, 0, NULL, FQP_ERR_GZIP_CORRUPT, 1, "invalid gzip header"},
            {"method", 2, 0x0f, 0, NULL, FQP_ERR_GZIP_CORRUPT, 1, "invalid gzip header"},
            {"block type 3", 10, 0x06, 0, NULL, FQP_ERR_GZIP_CORRUPT, 1, "invalid deflate data"},
            {"truncated", (size_t)-1, 0, glen / 3, NULL, FQP_ERR_GZIP_TRUNCATED, 0, "gzip data ends early"},
            {"truncated trailer", (size_t)-1, 0, glen - 3, NULL, FQP_ERR_GZIP_TRUNCATED, 401, "ends early"},
            {"trailing junk", (size_t)-1, 0, 0, "junk!", FQP_ERR_GZIP_TRAILING, 401,
             "5 bytes after the gzip data end"},
            {"one trailing byte", (size_t)-1, 0, 0, "\x1f", FQP_ERR_GZIP_TRAILING, 401, "1 bytes after"},
        };
        size_t i;
        for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            blob d = {0};
            outcome o;
            blob_add(&d, gz.p, cases[i].cut ? cases[i].cut : gz.len);
            if (cases[i].at != (size_t)-1) d.p[cases[i].at] ^= cases[i].xor_with;
            if (cases[i].at == 10) d.p[10] |= 0x06; /* BTYPE 11: reserved */
            if (cases[i].tail) blob_add(&d, cases[i].tail, strlen(cases[i].tail));
            o = all_agree(d.p, d.len, cases[i].name, &compared);
            CHECK_EQ_INT(o.code, cases[i].code);
            if (cases[i].record) CHECK_EQ_U64(o.record, cases[i].record);
            if (!strstr(o.message, cases[i].text)) {
                fprintf(stderr, "  %s: \"%s\" lacks \"%s\"\n", cases[i].name, o.message, cases[i].text);
                fqpt_failed = 1;
            }
            if (o.code == FQP_OK) CHECK_EQ_U64(o.records, 400);
            free(d.p);
        }
    }
    {   /* multi-member, an empty member in the middle, then BGZF, then gzip */
        blob d = {0};
        outcome o;
        gzip_member(&d, t.p, t.len / 2, 1);
        gzip_member(&d, "", 0, 6);
        gzip_member(&d, t.p + t.len / 2, t.len - t.len / 2, 9);
        blob_add(&d, bg.p, bg.len);
        blob_add(&d, gz.p, gz.len);
        o = all_agree(d.p, d.len, "members", &compared);
        CHECK_EQ_INT(o.code, FQP_OK);
        CHECK_EQ_U64(o.records, 1200);
        free(d.p);
    }
    {   /* BGZF: a bad block's CRC, a cut block, junk after the EOF block */
        blob d = {0};
        outcome o;
        blob_add(&d, bg.p, bg.len);
        d.p[bg.len - 28 - 8] ^= 1; /* the last data block's CRC */
        o = all_agree(d.p, d.len, "bgzf crc", &compared);
        CHECK_EQ_INT(o.code, FQP_ERR_GZIP_CORRUPT);
        CHECK(strstr(o.message, "in the BGZF block at compressed byte") != NULL);
        CHECK(strstr(o.message, "incorrect data check (CRC-32)") != NULL);
        d.p[bg.len - 28 - 8] ^= 1;
        o = all_agree(d.p, bg.len - 40, "bgzf cut", &compared);
        CHECK_EQ_INT(o.code, FQP_ERR_GZIP_TRUNCATED);
        blob_add(&d, "xyz", 3);
        o = all_agree(d.p, d.len, "bgzf junk", &compared);
        CHECK_EQ_INT(o.code, FQP_ERR_GZIP_TRAILING);
        free(d.p);
    }
    printf("# %d backend/read-size comparisons\n", compared);
    free(t.p);
    free(gz.p);
    free(bg.p);
}

/* Damage anywhere: every byte position (a stride through the file) flipped
   three ways, and every cut length, on gzip and on BGZF. */
static void test_damage_sweep(void)
{
    blob t = {0}, gz = {0}, bg = {0};
    const char *quick = getenv("FQP_TEST_QUICK");
    size_t stride = quick ? 97 : 17, f, i;
    int compared = 0;
    make_text(&t, 60, 3);
    gzip_member(&gz, t.p, t.len, 6);
    bgzf_file(&bg, t.p, t.len);
    for (f = 0; f < 2; f++) {
        const blob *src = f ? &bg : &gz;
        unsigned char *d = (unsigned char *)malloc(src->len);
        for (i = 2; i < src->len; i += stride) {
            static const unsigned char xors[] = {0x01, 0x80, 0xff};
            size_t x;
            for (x = 0; x < 3; x++) {
                char what[64];
                memcpy(d, src->p, src->len);
                d[i] ^= xors[x];
                snprintf(what, sizeof what, "%s byte %zu ^ 0x%02x", f ? "bgzf" : "gzip", i, xors[x]);
                all_agree(d, src->len, what, &compared);
            }
            {
                char what[64];
                snprintf(what, sizeof what, "%s cut at %zu", f ? "bgzf" : "gzip", i);
                all_agree(src->p, i, what, &compared);
            }
        }
        free(d);
    }
    printf("# %d damaged inputs compared across backends\n", compared);
    free(t.p);
    free(gz.p);
    free(bg.p);
}

/* zlib reads `p` (every member) back into `out`; 0 on failure. */
static int inflate_all(const unsigned char *p, size_t n, blob *out)
{
    size_t pos = 0;
    while (pos < n) {
        z_stream zs;
        unsigned char buf[1 << 16];
        int zr;
        memset(&zs, 0, sizeof zs);
        if (inflateInit2(&zs, 31) != Z_OK) return 0;
        zs.next_in = (Bytef *)(uintptr_t)(p + pos);
        zs.avail_in = (uInt)(n - pos);
        do {
            zs.next_out = buf;
            zs.avail_out = sizeof buf;
            zr = inflate(&zs, Z_NO_FLUSH);
            blob_add(out, buf, sizeof buf - zs.avail_out);
        } while (zr == Z_OK);
        pos = n - zs.avail_in;
        inflateEnd(&zs);
        if (zr != Z_STREAM_END) return 0;
    }
    return 1;
}

typedef struct membuf {
    blob b;
} membuf;
static int mem_write(void *user, const void *data, size_t size)
{
    blob_add(&((membuf *)user)->b, data, size);
    return 0;
}
/* Writes `t` through a writer of (format, codec, level), in a pipeline of
   `threads` consumers (0: fqp_writer_write on this thread). */
static fqp_codec write_through(const blob *t, fqp_format format, fqp_codec codec, int level, int threads, blob *out)
{
    fqp_writer *w;
    fqp_writer_desc wd;
    fqp_error err;
    membuf mb;
    fqp_codec used;
    memset(&mb, 0, sizeof mb);
    memset(&wd, 0, sizeof wd);
    wd.write = mem_write;
    wd.write_user = &mb;
    wd.format = format;
    wd.deflate = codec;
    wd.level = level;
    wd.ignore_env = 1;
    if (fqp_writer_open(&w, &wd, &err) != FQP_OK) {
        fprintf(stderr, "  writer: %s\n", err.message);
        fqpt_failed = 1;
        return FQP_CODEC_AUTO;
    }
    used = fqp_writer_codec(w);
    if (threads == 0) {
        CHECK_EQ_INT(fqp_writer_write(w, t->p, t->len / 3, &err), FQP_OK);
        CHECK_EQ_INT(fqp_writer_write(w, t->p + t->len / 3, t->len - t->len / 3, &err), FQP_OK);
    } else {
        fqp_pipeline_desc d = th_pipeline_desc(t->p, t->len, threads, 500);
        d.process = th_write_batch;
        d.output = fqp_writer_output(w);
        CHECK_EQ_INT(fqp_pipeline_run(&d, NULL, &err), FQP_OK);
    }
    CHECK_EQ_INT(fqp_writer_close(w, &err), FQP_OK);
    *out = mb.b;
    return used;
}

static void test_writer_backends(void)
{
    blob t = {0};
    static const int levels[] = {0, 1, 6, 9, -1};
    size_t c, l;
    make_text(&t, 6000, 4);
    for (c = 0; c < NCODECS; c++) {
        if (!have(all_codecs[c])) continue;
        for (l = 0; l < sizeof levels / sizeof levels[0]; l++) {
            int f;
            for (f = 0; f < 2; f++) {
                fqp_format format = f ? FQP_FORMAT_GZIP : FQP_FORMAT_BGZF;
                blob first = {0};
                int threads;
                for (threads = 0; threads <= 4; threads += (threads ? 3 : 1)) { /* 0, 1, 4 */
                    blob out = {0}, back = {0};
                    fqp_codec used = write_through(&t, format, all_codecs[c], levels[l], threads, &out);
                    fqp_codec want = all_codecs[c];
                    if (format == FQP_FORMAT_GZIP && (want == FQP_CODEC_LIBDEFLATE || levels[l] < 0))
                        want = FQP_CODEC_ZLIB; /* cannot stream; stored is zlib's level 0 */
                    CHECK_EQ_INT(used, want);
                    if (!inflate_all(out.p, out.len, &back) || back.len != t.len || memcmp(back.p, t.p, t.len) != 0) {
                        fprintf(stderr, "  %s %s level %d threads %d: does not inflate back to the text\n",
                                fqp_codec_name(all_codecs[c]), f ? "gzip" : "bgzf", levels[l], threads);
                        fqpt_failed = 1;
                    }
                    if (format == FQP_FORMAT_BGZF) {
                        CHECK(out.len >= 28 && memcmp(out.p + out.len - 28, "\x1f\x8b\x08\x04", 4) == 0);
                        if (levels[l] < 0) CHECK(out.len > t.len); /* stored */
                    }
                    if (threads == 1) first = out;
                    else if (threads > 1) { /* BGZF from the consumers: the same bytes as from one */
                        if (format == FQP_FORMAT_BGZF && (out.len != first.len || memcmp(out.p, first.p, out.len))) {
                            fprintf(stderr, "  %s level %d: BGZF from %d threads differs from 1 thread's\n",
                                    fqp_codec_name(all_codecs[c]), levels[l], threads);
                            fqpt_failed = 1;
                        }
                        free(out.p);
                    } else {
                        free(out.p);
                    }
                    free(back.p);
                }
                free(first.p);
            }
        }
    }
    free(t.p);
}

/* The bytes after the caller's text never change the output. */
static void test_output_ignores_bytes_after_text(void)
{
    blob t = {0};
    size_t c, tail;
    make_text(&t, 2000, 6);
    for (c = 0; c < NCODECS; c++) {
        int f;
        if (!have(all_codecs[c])) continue;
        for (f = 0; f < 2; f++) {
            blob out[2] = {{0}, {0}};
            size_t cut;
            for (cut = 1; cut < 300 && !fqpt_failed; cut += 97)
            for (tail = 0; tail < 2; tail++) {
                fqp_writer *w;
                fqp_writer_desc wd;
                fqp_error err;
                membuf mb;
                size_t n = t.len - cut, k; /* ends inside a block; the rest is "stale" */
                char *buf = (char *)malloc(t.len + 64);
                memcpy(buf, t.p, n);
                for (k = n; k < t.len + 64; k++) buf[k] = tail ? t.p[(k * 7) % n] : t.p[(k * 13) % n];
                if (tail == 0) { free(out[0].p); free(out[1].p); out[0].p = out[1].p = NULL; }
                memset(&mb, 0, sizeof mb);
                memset(&wd, 0, sizeof wd);
                wd.write = mem_write;
                wd.write_user = &mb;
                wd.format = f ? FQP_FORMAT_GZIP : FQP_FORMAT_BGZF;
                wd.deflate = all_codecs[c];
                wd.ignore_env = 1;
                REQUIRE(fqp_writer_open(&w, &wd, &err) == FQP_OK);
                CHECK_EQ_INT(fqp_writer_write(w, buf, n, &err), FQP_OK);
                CHECK_EQ_INT(fqp_writer_close(w, &err), FQP_OK);
                out[tail] = mb.b;
                free(buf);
                if (tail == 1 && (out[0].len != out[1].len || memcmp(out[0].p, out[1].p, out[0].len) != 0)) {
                    fprintf(stderr, "  cut %zu: ", cut);
                    fqpt_failed = 1;
                }
            }
            if (fqpt_failed) {
                fprintf(stderr, "  %s %s: the bytes after the text changed the output\n", fqp_codec_name(all_codecs[c]),
                        f ? "gzip" : "bgzf");
                fqpt_failed = 1;
            }
            free(out[0].p);
            free(out[1].p);
        }
    }
    free(t.p);
}

/* Our mirror of ISA-L's structs matches its header, where installed. */
#if defined(__has_include)
#if __has_include(<isa-l/igzip_lib.h>)
#include <isa-l/igzip_lib.h>
#define HAVE_ISAL_HEADER 1
#endif
#endif
static void test_isal_mirror(void)
{
#ifdef HAVE_ISAL_HEADER
    CHECK(sizeof(struct inflate_state) <= FQP__ISAL_STATE_BYTES);
    CHECK(sizeof(struct isal_zstream) <= FQP__ISAL_STREAM_BYTES);
    CHECK(sizeof(struct isal_zstream) <= FQP__ISAL_STREAM_USED);
    CHECK(ISAL_DEF_LVL3_DEFAULT <= FQP__ISAL_LEVEL_BUF);
    CHECK_EQ_U64(offsetof(struct inflate_state, next_out), FQP__II_NEXT_OUT);
    CHECK_EQ_U64(offsetof(struct inflate_state, avail_out), FQP__II_AVAIL_OUT);
    CHECK_EQ_U64(offsetof(struct inflate_state, total_out), FQP__II_TOTAL_OUT);
    CHECK_EQ_U64(offsetof(struct inflate_state, next_in), FQP__II_NEXT_IN);
    CHECK_EQ_U64(offsetof(struct inflate_state, avail_in), FQP__II_AVAIL_IN);
    CHECK_EQ_U64(offsetof(struct inflate_state, read_in_length), FQP__II_READ_IN_LENGTH);
    CHECK_EQ_U64(offsetof(struct inflate_state, block_state), FQP__II_BLOCK_STATE);
    CHECK_EQ_U64(offsetof(struct inflate_state, crc_flag), FQP__II_CRC_FLAG);
    CHECK_EQ_U64(offsetof(struct isal_zstream, next_in), FQP__IZ_NEXT_IN);
    CHECK_EQ_U64(offsetof(struct isal_zstream, avail_in), FQP__IZ_AVAIL_IN);
    CHECK_EQ_U64(offsetof(struct isal_zstream, total_in), FQP__IZ_TOTAL_IN);
    CHECK_EQ_U64(offsetof(struct isal_zstream, next_out), FQP__IZ_NEXT_OUT);
    CHECK_EQ_U64(offsetof(struct isal_zstream, avail_out), FQP__IZ_AVAIL_OUT);
    CHECK_EQ_U64(offsetof(struct isal_zstream, total_out), FQP__IZ_TOTAL_OUT);
    CHECK_EQ_U64(offsetof(struct isal_zstream, level), FQP__IZ_LEVEL);
    CHECK_EQ_U64(offsetof(struct isal_zstream, level_buf_size), FQP__IZ_LEVEL_BUF_SIZE);
    CHECK_EQ_U64(offsetof(struct isal_zstream, level_buf), FQP__IZ_LEVEL_BUF);
    CHECK_EQ_U64(offsetof(struct isal_zstream, end_of_stream), FQP__IZ_END_OF_STREAM);
    CHECK_EQ_U64(offsetof(struct isal_zstream, flush), FQP__IZ_FLUSH);
    CHECK_EQ_U64(offsetof(struct isal_zstream, gzip_flag), FQP__IZ_GZIP_FLAG);
    CHECK_EQ_U64(offsetof(struct isal_zstream, internal_state.state), FQP__IZ_STATE);
    CHECK_EQ_INT(ISAL_BLOCK_NEW_HDR, FQP__ISAL_BLOCK_NEW_HDR);
    CHECK_EQ_INT(ISAL_BLOCK_FINISH, FQP__ISAL_BLOCK_FINISH);
    CHECK_EQ_INT(ISAL_GZIP_EXTRA_LEN, FQP__ISAL_GZIP_EXTRA_LEN);
    CHECK_EQ_INT(ISAL_GZIP_HCRC, FQP__ISAL_GZIP_HCRC);
    CHECK_EQ_INT(ISAL_GZIP, FQP__ISAL_GZIP);
    CHECK_EQ_INT(ISAL_OUT_OVERFLOW, FQP__ISAL_OUT_OVERFLOW);
    CHECK_EQ_INT(ISAL_INVALID_WRAPPER, FQP__ISAL_INVALID_WRAPPER);
    CHECK_EQ_INT(ISAL_UNSUPPORTED_METHOD, FQP__ISAL_UNSUPPORTED_METHOD);
    CHECK_EQ_INT(ISAL_INCORRECT_CHECKSUM, FQP__ISAL_INCORRECT_CHECKSUM);
    CHECK_EQ_INT(ZSTATE_END, FQP__ISAL_ZSTATE_END);
    CHECK_EQ_INT(IGZIP_GZIP, FQP__IGZIP_GZIP);
#else
    SKIP("<isa-l/igzip_lib.h> not installed (Debian: libisal-dev)");
#endif
}

int main(void)
{
    RUN(test_names_and_availability);
    RUN(test_which_backend_runs);
    RUN(test_isal_mirror);
    RUN(test_callback_sources);
    RUN(test_damage_cases);
    RUN(test_damage_sweep);
    RUN(test_writer_backends);
    RUN(test_output_ignores_bytes_after_text);
    TEST_EXIT();
}
