/* libFuzzer harness for the gzip reader. The first byte picks a mode:
   even: the rest is gzip bytes as found. zlib inflates them member by member
     (the reference); if that succeeds, fastqpar on the gzip bytes gives
     exactly what it gives on the inflated text (records, or error code,
     record, line and offset), read whole and in short random pieces; if zlib
     fails, fastqpar fails with the same gzip error (corrupt, truncated,
     trailing bytes), or with the parse error that the inflated prefix has:
     a structural one only more than 1 MiB of text before the damage
     (fqp__gzip_confirm's window); validation errors are not re-checked.
   odd: the rest is text, compressed here into one to three members (random
     cut points and levels, sometimes an empty BGZF-like last member): the
     result equals fastqpar on the text, and the reference reader's verdict.
   Either way every other backend that loads here (ISA-L, libdeflate) gives
   exactly zlib's outcome, message included.
   Build and run: make fuzz. */
#define FASTQPAR_IMPLEMENTATION
#include "fastqpar.h"
#include "../helpers.h"
#include "ref_fastq.h"
#include <stdlib.h>
#include <string.h>

typedef struct outcome {
    fqp_result code;
    uint64_t record, line, offset, records, digest, message;
} outcome;

static outcome parse_with(const void *data, size_t size, int pieces, uint64_t batch_bytes, size_t read_size,
                         fqp_codec codec)
{
    fqp_producer_desc d;
    fqp_producer *p;
    fqp_batch *b;
    fqp_error err;
    outcome o;
    th_pieces pw;
    memset(&o, 0, sizeof o);
    memset(&d, 0, sizeof d);
    if (pieces) {
        pw.data = (const uint8_t *)data;
        pw.size = size;
        pw.pos = 0;
        pw.rng = (uint32_t)size * 2654435761u;
        pw.max = 19;
        d.input.read = th_pieces_read;
        d.input.read_user = &pw;
    } else {
        d.input.data = data ? data : "";
        d.input.size = size;
    }
    d.config.ignore_env = 1;
    d.config.threads = 1;
    d.config.inflate = codec;
    d.config.batch_bytes = batch_bytes ? batch_bytes : 1u << 16; /* whole: above -max_len */
    d.config.read_size = read_size ? read_size : 1u << 16;
    if (fqp_producer_create(&p, &d, &err) != FQP_OK) abort();
    o.digest = 14695981039346656037ull;
    while ((o.code = fqp_producer_read(p, &b)) == FQP_OK) {
        uint64_t i;
        for (i = 0; i < b->count; i++) {
            fqp_record r = fqp_batch_record(b, i);
            o.digest = ref_mix(o.digest, r.name, r.name_len);
            o.digest = ref_mix(o.digest, r.comment, r.comment_len);
            o.digest = ref_mix(o.digest, r.seq, r.len);
            o.digest = ref_mix(o.digest, r.qual, r.len);
        }
        o.records += b->count;
        fqp_producer_release(p, b);
    }
    if (o.code == FQP_DONE) o.code = FQP_OK;
    fqp_producer_error(p, &err);
    o.record = err.record;
    o.line = err.line;
    o.offset = err.offset;
    if (o.code != FQP_OK) o.message = ref_mix(0, err.message, strlen(err.message));
    fqp_producer_destroy(p);
    return o;
}

static outcome parse(const void *data, size_t size, int pieces, uint64_t batch_bytes, size_t read_size)
{
    return parse_with(data, size, pieces, batch_bytes, read_size, FQP_CODEC_ZLIB);
}

static void differ(const char *what, const outcome *a, const outcome *b)
{
    fprintf(stderr, "%s differ: code %d/%d record %llu/%llu line %llu/%llu offset %llu/%llu records %llu/%llu\n", what,
            (int)a->code, (int)b->code, (unsigned long long)a->record, (unsigned long long)b->record,
            (unsigned long long)a->line, (unsigned long long)b->line, (unsigned long long)a->offset,
            (unsigned long long)b->offset, (unsigned long long)a->records, (unsigned long long)b->records);
    abort();
}

static void same(const char *what, const outcome *a, const outcome *b)
{
    /* on error, how many records came first depends on the batch limits */
    if (a->code != b->code || a->record != b->record || a->line != b->line || a->offset != b->offset ||
        (a->code == FQP_OK && (a->records != b->records || a->digest != b->digest)))
        differ(what, a, b);
}

/* The same bytes under ISA-L and libdeflate, where they load: zlib's outcome. */
static void same_backends(const void *data, size_t size, const outcome *z)
{
    static const fqp_codec others[] = {FQP_CODEC_ISAL, FQP_CODEC_LIBDEFLATE};
    size_t i;
    for (i = 0; i < 2; i++) {
        outcome o;
        if (!fqp_codec_available(others[i], NULL, 0)) continue;
        o = parse_with(data, size, 0, 0, 0, others[i]);
        if (o.code != z->code || o.record != z->record || o.line != z->line || o.offset != z->offset ||
            o.records != z->records || o.digest != z->digest || o.message != z->message) {
            fprintf(stderr, "backend %s: ", fqp_codec_name(others[i]));
            differ("backend", z, &o);
        }
    }
}

typedef struct buf {
    unsigned char *p;
    size_t len, cap;
} buf;

static void buf_room(buf *b, size_t more)
{
    if (b->len + more > b->cap) {
        b->cap = (b->len + more) * 2 + 4096;
        b->p = (unsigned char *)realloc(b->p, b->cap);
        if (!b->p) abort();
    }
}

/* The reference: zlib, member after member. FQP_OK, FQP_ERR_GZIP_CORRUPT,
   _TRUNCATED or _TRAILING; out gets all the text zlib could inflate. */
static fqp_result zlib_inflate_all(const uint8_t *in, size_t size, buf *out)
{
    z_stream zs;
    size_t pos = 0;
    fqp_result res = FQP_OK;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 15 + 16) != Z_OK) abort();
    for (;;) {
        int zr;
        if (pos == size) break;
        if (size - pos < 2 || in[pos] != 0x1f || in[pos + 1] != 0x8b) {
            res = FQP_ERR_GZIP_TRAILING;
            break;
        }
        inflateReset(&zs);
        do {
            buf_room(out, 65536);
            zs.next_in = (Bytef *)(uintptr_t)(in + pos);
            zs.avail_in = (uInt)(size - pos);
            zs.next_out = out->p + out->len;
            zs.avail_out = 65536;
            zr = inflate(&zs, Z_NO_FLUSH);
            out->len = (size_t)(zs.next_out - out->p);
            pos = (size_t)(zs.next_in - in);
        } while (zr == Z_OK && zs.avail_out == 0);
        if (zr == Z_STREAM_END) continue;
        res = zr == Z_OK || zr == Z_BUF_ERROR ? FQP_ERR_GZIP_TRUNCATED : FQP_ERR_GZIP_CORRUPT;
        break;
    }
    inflateEnd(&zs);
    return res;
}

static void gzip_member(const uint8_t *text, size_t n, int level, buf *out)
{
    buf_room(out, compressBound((uLong)n) + 64);
    out->len += th_gzip(text, n, level, out->p + out->len, out->cap - out->len);
}

static int is_gzip_error(fqp_result r) { return r <= FQP_ERR_GZIP_CORRUPT && r >= FQP_ERR_GZIP_TRAILING; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    buf text = {NULL, 0, 0}, gz = {NULL, 0, 0};
    outcome t, g, gp;
    if (size < 1) return 0;
    if ((data[0] & 1) == 0) {
        fqp_result zr;
        data++, size--;
        if (size < 2 || data[0] != 0x1f || data[1] != 0x8b) return 0; /* not gzip: fuzz_parser's ground */
        zr = zlib_inflate_all(data, size, &text);
        g = parse(data, size, 0, 0, 0);
        same_backends(data, size, &g);
        gp = parse(data, size, 1, 1 + size % 89, 1 + size % 11);
        same("pieces", &g, &gp);
        if (text.len >= 2 && text.p[0] == 0x1f && text.p[1] == 0x8b) goto done; /* gzip inside gzip */
        if (zr == FQP_OK) {
            t = parse(text.p, text.len, 0, 0, 0);
            same("inflated", &g, &t);
        } else if (is_gzip_error(g.code)) {
            if (g.code != zr) {
                outcome z;
                memset(&z, 0, sizeof z);
                z.code = zr;
                differ("zlib", &g, &z);
            }
        } else {
            /* a parse error, as in the text before the damage; a structural
               one only far enough before it (validation errors, found by
               consumers, are not re-checked against the damage) */
            int validation = g.code == FQP_ERR_INVALID_BASE || g.code == FQP_ERR_INVALID_QUALITY;
            t = parse(text.p, text.len, 0, 0, 0);
            if (g.code >= 0 || t.code != g.code || t.record != g.record || t.offset != g.offset ||
                (!validation && text.len <= g.offset + (1u << 20)))
                differ("prefix", &g, &t);
        }
    } else {
        size_t cut1, cut2;
        data++, size--;
        if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) return 0; /* one layer of gzip only */
        if (th_other_compression(data, size)) return 0;                   /* refused only when not in gzip */
        cut1 = size ? (size_t)(data[0] * 7u) % (size + 1) : 0;
        cut2 = size ? cut1 + (size_t)(data[size / 2] * 13u) % (size - cut1 + 1) : 0;
        gzip_member(data, cut1, size ? data[size - 1] % 10 : 6, &gz);
        if (cut2 > cut1 || (size && data[0] & 2)) gzip_member(data + cut1, cut2 - cut1, 1, &gz);
        if (cut2 < size) gzip_member(data + cut2, size - cut2, 9, &gz);
        if (size && data[size - 1] & 0x10) gzip_member(data, 0, 6, &gz); /* an empty last member */
        t = parse(data, size, 0, 0, 0);
        g = parse(gz.p, gz.len, 0, 0, 0);
        same_backends(gz.p, gz.len, &g);
        gp = parse(gz.p, gz.len, 1, 1 + size % 89, 1 + size % 11);
        same("gzip", &t, &g);
        same("gzip pieces", &t, &gp);
        {
            uint64_t records, digest, bad = ref_parse((const char *)data, size, 1, 0, &records, &digest);
            if ((bad == 0) != (t.code == FQP_OK) || (bad && bad != t.record) ||
                (!bad && (records != t.records || digest != t.digest)))
                differ("reference", &t, &g);
        }
    }
done:
    free(text.p);
    free(gz.p);
    return 0;
}
