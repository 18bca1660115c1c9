/* libFuzzer harness for ordinary gzip inflated in chunks (>>pgzip): the
   same bytes through a whole pipeline with config.parallel_gzip ON and OFF
   give the same outcome. Chunks are 1 KiB here, so chunk and member
   boundaries fall everywhere in small inputs.
   The first byte: bits 0-1 the mode, bits 2-4 the consumers (2..9).
     mode 0: the rest is gzip bytes as found;
     otherwise the rest after two more bytes is text, compressed here by zlib
     into `mode` members (level and strategy from the second byte; cut
     points from the text's length), then changed where the third byte says:
     0 nothing, 1-127 one byte flipped, 128-255 cut short.
   Invariants: the same result code; on error the same record, line, byte
   offset, and for a gzip error the same message (a parse error's message
   quotes the text at hand, which depends on how it was read); on success the same records, bases and an
   order-independent digest of every record (with its number).
   Build and run: make fuzz. */
#define FASTQPAR_PGZ_CHUNK 1024
#define FASTQPAR_IMPLEMENTATION
#include "fastqpar.h"
#include "../helpers.h"
#include "ref_fastq.h"
#include <stdlib.h>
#include <string.h>

typedef struct totals {
    uint64_t records, bases, digest_sum;
} totals;

typedef struct outcome {
    fqp_result code;
    uint64_t record, line, offset, message;
    totals t;
    uint64_t chunked; /* members inflated in chunks */
    char text[1024];  /* the message, to show */
} outcome;

static totals merged;

static fqp_result on_batch(fqp_batch *b, void *state, void *user)
{
    totals *t = (totals *)state;
    uint64_t i;
    (void)user;
    for (i = 0; i < b->count; i++) {
        fqp_record r = fqp_batch_record(b, i);
        uint64_t h = 14695981039346656037ull ^ r.number;
        h = ref_mix(h, r.name, r.name_len);
        h = ref_mix(h, r.comment, r.comment_len);
        h = ref_mix(h, r.seq, r.len);
        h = ref_mix(h, r.qual, r.len);
        t->digest_sum += h;
    }
    t->records += b->count;
    t->bases += b->bases;
    return FQP_OK;
}

static fqp_result on_merge(void *state, int consumer, void *user)
{
    totals *t = (totals *)state;
    (void)consumer;
    (void)user;
    merged.records += t->records;
    merged.bases += t->bases;
    merged.digest_sum += t->digest_sum;
    return FQP_OK;
}

static outcome run(const void *data, size_t size, int threads, fqp_parallel_gzip mode)
{
    fqp_pipeline_desc d = th_pipeline_desc(size ? data : "", size, threads, 0);
    fqp_error err;
    fqp_metrics m;
    outcome o;
    memset(&o, 0, sizeof o);
    memset(&m, 0, sizeof m);
    memset(&merged, 0, sizeof merged);
    d.config.inflate = FQP_CODEC_ZLIB;
    d.config.parallel_gzip = mode;
    d.config.read_size = 1u << 12;
    d.state_size = sizeof(totals);
    d.process = on_batch;
    d.merge = on_merge;
    o.code = fqp_pipeline_run(&d, &m, &err);
    o.t = merged;
    o.chunked = m.gzip_parallel_members;
    if (o.code != FQP_OK) {
        o.record = err.record;
        o.line = err.line;
        o.offset = err.offset;
        if (o.code == FQP_ERR_GZIP_CORRUPT || o.code == FQP_ERR_GZIP_TRUNCATED || o.code == FQP_ERR_GZIP_TRAILING)
            o.message = ref_mix(0, err.message, strlen(err.message));
        snprintf(o.text, sizeof o.text, "%s", err.message);
    }
    return o;
}

/* text[0..n) as `members` gzip members (zlib, the level and strategy given). */
static void compress_members(th_buf *out, const uint8_t *text, size_t n, int members, int level, int strategy)
{
    size_t from = 0;
    int m;
    for (m = 0; m < members; m++) {
        size_t to = m == members - 1 ? n : n * (size_t)(m + 1) / (size_t)(members + 1);
        z_stream zs;
        memset(&zs, 0, sizeof zs);
        if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, strategy) != Z_OK) abort();
        th_buf_room(out, deflateBound(&zs, (uLong)(to - from)) + 64);
        zs.next_in = (Bytef *)(uintptr_t)(text + from);
        zs.avail_in = (uInt)(to - from);
        zs.next_out = (Bytef *)out->data + out->len;
        zs.avail_out = (uInt)(out->cap - out->len);
        if (deflate(&zs, Z_FINISH) != Z_STREAM_END) abort();
        out->len = out->cap - zs.avail_out;
        deflateEnd(&zs);
        from = to;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int strategies[] = {Z_DEFAULT_STRATEGY, Z_FILTERED, Z_HUFFMAN_ONLY, Z_RLE, Z_FIXED};
    th_buf gz = {NULL, 0, 0};
    const uint8_t *in;
    size_t n;
    int mode, threads;
    outcome par, seq;
    if (size < 1) return 0;
    mode = data[0] & 3;
    threads = 2 + ((data[0] >> 2) & 7);
    if (mode == 0) {
        in = data + 1;
        n = size - 1;
    } else {
        unsigned how, change;
        if (size < 3) return 0;
        how = data[1];
        change = data[2];
        compress_members(&gz, data + 3, size - 3, mode, (int)(how % 10), strategies[(how / 10) % 5]);
        if (change >= 128 && gz.len) {
            gz.len = (size_t)(change - 128) * gz.len / 128; /* cut short */
        } else if (change && gz.len) {
            gz.data[(size_t)change * 7919u % gz.len] ^= (char)(1u << (change % 8));
        }
        in = (const uint8_t *)gz.data;
        n = gz.len;
    }
    par = run(in, n, threads, FQP_PARALLEL_GZIP_ON);
    seq = run(in, n, threads, FQP_PARALLEL_GZIP_OFF);
    if (par.code != seq.code || par.record != seq.record || par.line != seq.line || par.offset != seq.offset ||
        par.message != seq.message ||
        (par.code == FQP_OK && (par.t.records != seq.t.records || par.t.bases != seq.t.bases ||
                                par.t.digest_sum != seq.t.digest_sum))) {
        fprintf(stderr, "parallel and sequential differ: code %d/%d record %llu/%llu line %llu/%llu offset %llu/%llu "
                        "records %llu/%llu\n  in chunks: %s\n  one stream: %s\n",
                (int)par.code, (int)seq.code, (unsigned long long)par.record, (unsigned long long)seq.record,
                (unsigned long long)par.line, (unsigned long long)seq.line, (unsigned long long)par.offset,
                (unsigned long long)seq.offset, (unsigned long long)par.t.records, (unsigned long long)seq.t.records, par.text,
                seq.text);
        if (getenv("FQP_PARGZ_DUMP")) { /* the gzip bytes, for a closer look */
            FILE *f = fopen(getenv("FQP_PARGZ_DUMP"), "wb");
            if (f) {
                fwrite(in, 1, n, f);
                fclose(f);
            }
        }
        abort();
    }
    /* undamaged members of zlib's are all taken in chunks (and none when off) */
    if (seq.chunked || (mode && data[2] == 0 && par.code == FQP_OK && par.chunked != (uint64_t)mode)) {
        fprintf(stderr, "members in chunks: %llu of %d, %llu when off\n", (unsigned long long)par.chunked, mode,
                (unsigned long long)seq.chunked);
        abort();
    }
    free(gz.data);
    return 0;
}
