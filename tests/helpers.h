/* tests/helpers.h - test scaffolding shared by the test programs and the fuzz
   harnesses, so that each states only what it checks:
     th_buf, th_buf_add           a growing byte buffer, always NUL-terminated
     th_membuf, th_mem_write      ordered-output / writer destination in memory,
                                  optionally failing the n-th write or past a size
     th_write_batch               a process callback writing every record in order
     th_dump, th_dump_batch       one line per record: name TAB comment TAB seq TAB qual
     th_read_dump, th_read_all    a whole input read on one thread into a th_dump
     th_reads, th_make_reads      generated four-line FASTQ (each test its own shape)
     th_gzip, th_gzip_append      one gzip member by zlib, into a fixed buffer / a th_buf
     th_bgzf_append               BGZF blocks of a chosen text size, then the EOF block
     th_gunzip                    every gzip member inflated by zlib alone
     th_other_compression         xz, bzip2 or zstd magic at the start
     th_producer_desc             a producer over memory: threads, batch limit, env ignored
     th_pipeline_desc             the same for a whole pipeline
     th_pieces, th_pieces_read    a read callback handing out short random pieces
   Names start with th_ ("test helper"), never test_, the test functions'
   prefix. Include after fastqpar.h (or fastqpar_cuda.h). Independent of
   tests/test.h: nothing here checks or fails a test. The watchdog is in tests/thread.h.
   Every function is static and marked unused, so a program may use any few. */
#ifndef FQP_TEST_HELPERS_H
#define FQP_TEST_HELPERS_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#if defined(__GNUC__) || defined(__clang__)
#define TH_UNUSED __attribute__((unused))
#else
#define TH_UNUSED
#endif

/* ---- >>buf: growing buffers ---- */

/* Appends p[0..n) to the buffer `data` of *len bytes used and *cap
   allocated, growing it by doubling and keeping a NUL after the end; returns
   the (maybe moved) buffer. Aborts when out of memory: a test cannot go on. */
TH_UNUSED static void *th_append(void *data, size_t *len, size_t *cap, const void *p, size_t n)
{
    char *d = (char *)data;
    if (!d || *len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        d = (char *)realloc(d, *cap);
        if (!d) abort();
    }
    if (n) memcpy(d + *len, p, n);
    *len += n;
    d[*len] = 0;
    return d;
}

typedef struct th_buf {
    char *data;
    size_t len, cap;
} th_buf;

TH_UNUSED static void th_buf_add(th_buf *b, const void *p, size_t n)
{
    b->data = (char *)th_append(b->data, &b->len, &b->cap, p, n);
}

/* Room for `more` bytes after b->len, for a caller that writes there itself
   (zlib's next_out) and then moves b->len. */
TH_UNUSED static void th_buf_room(th_buf *b, size_t more)
{
    if (b->len + more > b->cap) {
        b->cap = (b->len + more) * 2 + 4096;
        b->data = (char *)realloc(b->data, b->cap);
        if (!b->data) abort();
    }
}

/* A destination for ordered output or a writer (th_mem_write). */
typedef struct th_membuf {
    char *data;
    size_t len, cap;
    int fail_after;          /* fail the n-th write (0: never) */
    int writes;              /* writes so far, counted while fail_after is set */
    size_t fail_after_bytes; /* fail a write that goes past this (0: never) */
} th_membuf;

TH_UNUSED static int th_mem_write(void *user, const void *data, size_t n)
{
    th_membuf *m = (th_membuf *)user;
    if (m->fail_after && ++m->writes >= m->fail_after) return -1;
    if (m->fail_after_bytes && m->len + n > m->fail_after_bytes) return -1;
    m->data = (char *)th_append(m->data, &m->len, &m->cap, data, n);
    return 0;
}

/* A process callback (fqp_pipeline_desc.process): every record of the batch
   to the ordered output, in order. */
TH_UNUSED static fqp_result th_write_batch(fqp_batch *b, void *state, void *user)
{
    uint64_t i;
    (void)state;
    (void)user;
    for (i = 0; i < b->count; i++)
        if (fqp_batch_write_record(b, i) != FQP_OK) return FQP_ERR_NOMEM;
    return FQP_OK;
}

/* ---- >>dump: records as text ---- */

typedef struct th_dump {
    char *text;              /* never NULL after th_read_dump */
    size_t len, cap;
    uint64_t records, batches;
} th_dump;

TH_UNUSED static void th_dump_add(th_dump *d, const void *p, size_t n)
{
    d->text = (char *)th_append(d->text, &d->len, &d->cap, p, n);
}

/* One line per record: name TAB comment TAB seq TAB qual. */
TH_UNUSED static void th_dump_batch(th_dump *d, const fqp_batch *b)
{
    uint64_t i;
    for (i = 0; i < b->count; i++) {
        fqp_record r = fqp_batch_record(b, i);
        th_dump_add(d, r.name, r.name_len);
        th_dump_add(d, "\t", 1);
        th_dump_add(d, r.comment, r.comment_len);
        th_dump_add(d, "\t", 1);
        th_dump_add(d, r.seq, r.len);
        th_dump_add(d, "\t", 1);
        th_dump_add(d, r.qual, r.len);
        th_dump_add(d, "\n", 1);
    }
    d->records += b->count;
    d->batches++;
}

/* Reads the whole input of `pd` on this thread (fqp_producer_read) into d.
   Returns FQP_OK at the end of the input, else the error, described in *err
   (also when the input does not open). m, if not NULL, gets the metrics. */
TH_UNUSED static fqp_result th_read_dump(const fqp_producer_desc *pd, th_dump *d, fqp_metrics *m,
                                             fqp_error *err)
{
    fqp_producer *p;
    fqp_batch *b;
    fqp_result r;
    memset(d, 0, sizeof *d);
    th_dump_add(d, "", 0);
    if ((r = fqp_producer_create(&p, pd, err)) != FQP_OK) return r;
    while ((r = fqp_producer_read(p, &b)) == FQP_OK) {
        th_dump_batch(d, b);
        fqp_producer_release(p, b);
    }
    if (r == FQP_DONE) r = FQP_OK;
    if (m) fqp_producer_finish(p, m, NULL);
    fqp_producer_error(p, err);
    fqp_producer_destroy(p);
    return r;
}

/* th_read_dump of `in` with config *cfg (NULL: the defaults), environment ignored. */
TH_UNUSED static fqp_result th_read_all(const fqp_input_desc *in, const fqp_config *cfg, th_dump *d,
                                            fqp_error *err)
{
    fqp_producer_desc pd;
    memset(&pd, 0, sizeof pd);
    pd.input = *in;
    if (cfg) pd.config = *cfg;
    pd.config.ignore_env = 1;
    return th_read_dump(&pd, d, NULL, err);
}

/* ---- >>reads: generated FASTQ ---- */

/* Record i (0-based) is "@<name><i>", then " lane:<i % 7>" if lane, or " <comment>"
   if comment; then 1 + (i * len_mul) % len_mod bases, "+", and as many
   qualities. Base k is alphabet[(i + k * base_mul) % strlen(alphabet)], or,
   with a seed, drawn from one LCG over the whole input. Quality k is
   qual_first + (i * qual_mul + k) % qual_mod. Zero means 1 for the
   multipliers and "ACGTN" for the alphabet. */
typedef struct th_reads {
    const char *name;
    int lane;
    const char *comment;
    int len_mod, len_mul;
    const char *alphabet;
    int base_mul;
    uint64_t seed;
    char qual_first;
    int qual_mod, qual_mul;
} th_reads;

/* n records of shape g, malloc'd and NUL-terminated; *size gets the bytes and
   *bases (may be NULL) the bases. */
TH_UNUSED static char *th_make_reads(const th_reads *g, int n, size_t *size, uint64_t *bases)
{
    const char *alphabet = g->alphabet ? g->alphabet : "ACGTN";
    size_t na = strlen(alphabet), o = 0, cap = 1;
    int len_mul = g->len_mul ? g->len_mul : 1, base_mul = g->base_mul ? g->base_mul : 1;
    int qual_mul = g->qual_mul ? g->qual_mul : 1, i, k;
    uint64_t x = g->seed, all = 0;
    char *t;
    for (i = 0; i < n; i++) cap += 2 * (size_t)(1 + (i * len_mul) % g->len_mod) + 64 + strlen(g->name);
    if (g->comment) cap += (size_t)n * (strlen(g->comment) + 1);
    t = (char *)malloc(cap);
    if (!t) abort();
    for (i = 0; i < n; i++) {
        int len = 1 + (i * len_mul) % g->len_mod;
        if (g->lane) o += (size_t)sprintf(t + o, "@%s%d lane:%d\n", g->name, i, i % 7);
        else if (g->comment) o += (size_t)sprintf(t + o, "@%s%d %s\n", g->name, i, g->comment);
        else o += (size_t)sprintf(t + o, "@%s%d\n", g->name, i);
        for (k = 0; k < len; k++) {
            if (g->seed) {
                x = x * 6364136223846793005ull + 1442695040888963407ull;
                t[o++] = alphabet[(x >> 33) % na];
            } else {
                t[o++] = alphabet[(size_t)(i + k * base_mul) % na];
            }
        }
        t[o++] = '\n';
        t[o++] = '+';
        t[o++] = '\n';
        for (k = 0; k < len; k++) t[o++] = (char)(g->qual_first + (i * qual_mul + k) % g->qual_mod);
        t[o++] = '\n';
        all += (uint64_t)len;
    }
    t[o] = 0;
    if (size) *size = o;
    if (bases) *bases = all;
    return t;
}

/* ---- >>gzip: zlib on both sides ---- */

/* One gzip member of text[0..n) at `level`, written to out[0..cap); returns
   its size. Aborts if out cannot hold it. */
TH_UNUSED static size_t th_gzip(const void *text, size_t n, int level, unsigned char *out, size_t cap)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) abort();
    zs.next_in = (Bytef *)(uintptr_t)text;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    if (deflate(&zs, Z_FINISH) != Z_STREAM_END) abort(); /* out too small */
    deflateEnd(&zs);
    return cap - zs.avail_out;
}

/* One gzip member of text[0..n) at `level`, appended to b. */
TH_UNUSED static void th_gzip_append(th_buf *b, const void *text, size_t n, int level)
{
    size_t cap = compressBound((uLong)n) + 64;
    unsigned char *z = (unsigned char *)malloc(cap);
    if (!z) abort();
    th_buf_add(b, z, th_gzip(text, n, level, z, cap));
    free(z);
}

/* text[0..n) as BGZF appended to b: blocks of `block` text bytes (at most
   65280, as bgzip), each a raw deflate stream with the BC extra field, CRC
   and ISIZE, then the empty EOF block. */
TH_UNUSED static void th_bgzf_append(th_buf *b, const void *text, size_t n, size_t block)
{
    static const unsigned char head[16] = {0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, 'B', 'C', 2, 0};
    size_t pos = 0;
    for (;;) {
        unsigned char z[70000], le[8];
        size_t len = n - pos < block ? n - pos : block, clen, bsize;
        uint32_t crc;
        z_stream zs;
        int i;
        memset(&zs, 0, sizeof zs);
        if (deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) abort();
        zs.next_in = (Bytef *)(uintptr_t)((const char *)text + pos);
        zs.avail_in = (uInt)len;
        zs.next_out = z;
        zs.avail_out = sizeof z;
        if (deflate(&zs, Z_FINISH) != Z_STREAM_END) abort();
        clen = sizeof z - zs.avail_out;
        deflateEnd(&zs);
        bsize = 18 + clen + 8 - 1;
        th_buf_add(b, head, sizeof head);
        le[0] = (unsigned char)bsize;
        le[1] = (unsigned char)(bsize >> 8);
        th_buf_add(b, le, 2);
        th_buf_add(b, z, clen);
        crc = (uint32_t)crc32(0L, (const Bytef *)text + pos, (uInt)len);
        for (i = 0; i < 4; i++) le[i] = (unsigned char)(crc >> (8 * i));
        for (i = 0; i < 4; i++) le[4 + i] = (unsigned char)((uint32_t)len >> (8 * i));
        th_buf_add(b, le, 8);
        pos += len;
        if (len == 0) break; /* that was the EOF block */
    }
}

/* Every gzip member of src[0..n), inflated by zlib alone, appended to out.
   Returns 1 when every member is whole, 0 at damage or a cut (or no member). */
TH_UNUSED static int th_gunzip(const void *src, size_t n, th_buf *out)
{
    z_stream zs;
    unsigned char buf[65536];
    int zr = Z_OK;
    memset(&zs, 0, sizeof zs);
    th_buf_add(out, "", 0);
    if (inflateInit2(&zs, 15 + 16) != Z_OK) return 0;
    zs.next_in = (Bytef *)(uintptr_t)src;
    zs.avail_in = (uInt)n;
    while (zs.avail_in) {
        zs.next_out = buf;
        zs.avail_out = sizeof buf;
        zr = inflate(&zs, Z_NO_FLUSH);
        if (zr != Z_OK && zr != Z_STREAM_END) break;
        th_buf_add(out, buf, sizeof buf - zs.avail_out);
        if (zr == Z_STREAM_END && zs.avail_in) inflateReset(&zs);
    }
    inflateEnd(&zs);
    return zr == Z_STREAM_END;
}

/* Whether the bytes start as xz, bzip2 or zstd data: fastqpar refuses
   those with FQP_ERR_UNSUPPORTED_COMPRESSION before any record (tested in
   test_files.c), so the fuzzers' record-level references skip them. */
TH_UNUSED static int th_other_compression(const void *data, size_t n)
{
    const unsigned char *p = (const unsigned char *)data;
    return (n >= 6 && memcmp(p, "\xfd" "7zXZ", 6) == 0) || (n >= 4 && memcmp(p, "BZh", 3) == 0 && p[3] >= '1' && p[3] <= '9') ||
           (n >= 4 && memcmp(p, "\x28\xb5\x2f\xfd", 4) == 0);
}

/* ---- >>desc: run descriptions ---- */

/* A producer over data[0..size) in memory with `threads` consumers (0: the
   default), batches of at most `batch_records` (0: the default) and the
   environment ignored; all else zero: the test sets what it needs. */
TH_UNUSED static fqp_producer_desc th_producer_desc(const void *data, size_t size, int threads,
                                                   uint64_t batch_records)
{
    fqp_producer_desc d;
    memset(&d, 0, sizeof d);
    d.input.data = data;
    d.input.size = size;
    d.config.threads = threads;
    d.config.batch_records = batch_records;
    d.config.ignore_env = 1;
    return d;
}

/* The same for a whole pipeline (fqp_pipeline_run). */
TH_UNUSED static fqp_pipeline_desc th_pipeline_desc(const void *data, size_t size, int threads,
                                                   uint64_t batch_records)
{
    fqp_producer_desc p = th_producer_desc(data, size, threads, batch_records);
    fqp_pipeline_desc d;
    memset(&d, 0, sizeof d);
    d.input = p.input;
    d.config = p.config;
    return d;
}

/* ---- >>pieces: a callback source in short random pieces ---- */

/* Hands out data[0..size) in pieces of 1..max bytes, drawn from a 32-bit LCG
   seeded with rng. */
typedef struct th_pieces {
    const void *data;
    size_t size, pos;
    uint32_t rng;
    unsigned max;
} th_pieces;

TH_UNUSED static int64_t th_pieces_read(void *user, void *buf, size_t size)
{
    th_pieces *p = (th_pieces *)user;
    size_t n;
    p->rng = p->rng * 1103515245u + 12345u;
    n = 1 + (p->rng >> 16) % p->max;
    if (n > size) n = size;
    if (n > p->size - p->pos) n = p->size - p->pos;
    memcpy(buf, (const char *)p->data + p->pos, n);
    p->pos += n;
    return (int64_t)n;
}

#endif
