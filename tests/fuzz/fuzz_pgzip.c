/* libFuzzer harness for the window-less deflate decoder (>>pgzip). The
   first three bytes are parameters, the rest is a raw deflate stream that
   begins at bit `start` (0..7) of its first byte:
     byte 0: bits 0-2 start; bit 3 look for a later block with
             fqp__pgz_find; bit 4 the finder's text_only; bits 5-7 the
             max_out step for stopping and resuming (0: none).
     byte 1: where the finder starts, as a fraction of the stream.
     byte 2: bits 0-1 the finder's confirm count; bits 2-7 which recorded
             block the stop_bit check stops at.
   Checked, against zlib's raw inflate of the same bits (inflatePrime takes
   the first byte's bits from `start` on, so stored blocks align alike):
   - from `start` with the known (empty) window: END exactly when zlib's
     stream ends, with the same bytes and the same input bytes consumed;
     BAD exactly when zlib reports a data error, in zlib's words, with
     zlib's output up to the error; TRUNCATED exactly when zlib wants more
     input, with zlib's output as a prefix (followed by at most a literal
     and a copy decoded from the zeros past the end, before the overrun is
     seen);
   - stopping at every max_out step and going on, or stopping at a
     recorded block start (STOP exactly there) and going on, gives the same
     outcome, bytes and end bit; FULL only at or at most one copy (258
     bytes) past max_out;
   - where the whole stream decoded and the finder's block is a true start
     (fqp__pgz_same_start against the block log): decoding from there with
     markers (also in max_out steps) ends at the same bit, and the markers
     resolved from the 32 KiB before that block (out of place and in place)
     give exactly the rest of the output; so does decoding from there with
     that window given. A false start is decoded and resolved too, with
     nothing asserted but the sanitizers.
   Build and run: make fuzz (FUZZERS=pgzip for this one alone). */
#define FASTQPAR_IMPLEMENTATION
#include "fastqpar.h"
#include "../helpers.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

enum { REF_END, REF_TRUNCATED, REF_BAD };

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_pgzip: %s\n", what);
    abort();
}

/* The reference: zlib's raw inflate of in[0..n) from bit `start`. out gets
   all it inflated, *used the input bytes it consumed (the first one
   counted whole), *msg its message on a data error. */
static int zlib_raw(const unsigned char *in, size_t n, unsigned start, th_buf *out, size_t *used, char *msg,
                    size_t msg_size)
{
    z_stream zs;
    int zr, res;
    size_t skip = 0;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, -15) != Z_OK) abort();
    if (start) { /* the first byte's bits from `start` on, then whole bytes */
        if (inflatePrime(&zs, (int)(8 - start), in[0] >> start) != Z_OK) abort();
        skip = 1;
    }
    zs.next_in = (Bytef *)(uintptr_t)(in + skip);
    zs.avail_in = (uInt)(n - skip);
    do {
        th_buf_room(out, 65536);
        zs.next_out = (Bytef *)out->data + out->len;
        zs.avail_out = 65536;
        zr = inflate(&zs, Z_NO_FLUSH);
        out->len = (size_t)((char *)zs.next_out - out->data);
    } while (zr == Z_OK && zs.avail_out == 0);
    if (zr == Z_STREAM_END)
        res = REF_END;
    else if (zr == Z_OK || zr == Z_BUF_ERROR) /* all input taken, the stream not ended */
        res = REF_TRUNCATED;
    else if (zr == Z_DATA_ERROR)
        res = REF_BAD;
    else
        abort(); /* Z_MEM_ERROR, Z_STREAM_ERROR: not the input's doing */
    snprintf(msg, msg_size, "%s", zr == Z_DATA_ERROR && zs.msg ? zs.msg : "");
    *used = skip + (n - skip - zs.avail_in);
    inflateEnd(&zs);
    return res;
}

static const fqp_allocator plain_alloc = {0};

static fqp__pgz *new_decoder(void)
{
    fqp__pgz *d = (fqp__pgz *)malloc(sizeof *d);
    if (!d) abort();
    fqp__pgz_init(d, &plain_alloc);
    return d;
}

static void free_decoder(fqp__pgz *d)
{
    fqp__pgz_free(d);
    free(d);
}

/* Decodes on to the end, stopping every `step` symbols (0: never) and
   going on; checks that FULL comes only at max_out or one copy past it. */
static int decode_stepped(fqp__pgz *d, size_t step)
{
    size_t max_out = step;
    int res;
    for (;;) {
        size_t total;
        res = fqp__pgz_decode(d, UINT64_MAX, max_out);
        if (res != FQP__PGZ_FULL) break;
        total = d->sym_len + d->out_len;
        if (step == 0 || total < max_out || total > max_out + 258) fail("FULL away from max_out");
        max_out = total + step;
    }
    if (res == FQP__PGZ_NOMEM) abort();
    return res;
}

/* Whether decoder d's output (bytes only: the window was known) is p[0..n). */
static int same_bytes(const fqp__pgz *d, const unsigned char *p, size_t n)
{
    return d->sym_len == 0 && d->out_len == n && (n == 0 || memcmp(d->out, p, n) == 0);
}

static const size_t steps[8] = {0, 1, 7, 258, 1000, 32768, 40000, 65536 + 3};
static const size_t confirms[4] = {1, 100, 1024, 8192};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    th_buf ref = {NULL, 0, 0};
    char msg[256];
    const unsigned char *in;
    size_t n, used, step, i, cap;
    unsigned start;
    int zres, res, res2;
    uint64_t *log, end_bit;
    fqp__pgz *d, *e;
    if (size < 3) return 0;
    in = data + 3;
    n = size - 3;
    start = n ? data[0] & 7u : 0;
    step = steps[data[0] >> 5];
    zres = zlib_raw(in, n, start, &ref, &used, msg, sizeof msg);

    /* from `start`, the window known (empty), every block logged */
    d = new_decoder();
    e = new_decoder();
    cap = n + 16; /* a block takes 10 bits at least */
    log = (uint64_t *)malloc(cap * sizeof *log);
    if (!log) abort();
    fqp__pgz_start(d, in, n, start, 0, NULL, 0, 0);
    d->blocks = log;
    d->blocks_cap = cap;
    res = fqp__pgz_decode(d, UINT64_MAX, 0);
    end_bit = fqp__pgz_bit(d);
    if (res == FQP__PGZ_NOMEM) abort();
    if (d->sym_len != 0) fail("symbols with the window known");
    if (d->block_count > cap) fail("more blocks than bits");
    switch (zres) {
    case REF_END:
        if (res != FQP__PGZ_END) fail("zlib's stream ends, the decoder's does not");
        if (d->out_len != ref.len || (ref.len && memcmp(d->out, ref.data, ref.len) != 0)) fail("output differs from zlib");
        if ((end_bit + 7) / 8 != used) fail("input consumed differs from zlib");
        break;
    case REF_TRUNCATED:
        if (res != FQP__PGZ_TRUNCATED) fail("zlib wants more input, the decoder does not say truncated");
        if (d->out_len < ref.len || (ref.len && memcmp(d->out, ref.data, ref.len) != 0))
            fail("truncated: zlib's output is not a prefix of the decoder's");
        if (d->out_len > ref.len + 259) fail("truncated: more than a literal and a copy decoded from past the end");
        break;
    default:
        if (res != FQP__PGZ_BAD) fail("zlib finds a data error, the decoder does not say bad");
        if (!d->why || strcmp(d->why, msg) != 0) {
            fprintf(stderr, "fuzz_pgzip: decoder says \"%s\", zlib \"%s\"\n", d->why ? d->why : "(null)", msg);
            fail("error message differs from zlib");
        }
        if (d->out_len != ref.len || (ref.len && memcmp(d->out, ref.data, ref.len) != 0))
            fail("bad: the decoder's output is not zlib's up to the error");
        break;
    }

    /* the same, stopping at each max_out step and going on */
    if (step) {
        fqp__pgz_start(e, in, n, start, 0, NULL, 0, 0);
        res2 = decode_stepped(e, step);
        if (res2 != res || fqp__pgz_bit(e) != end_bit || !same_bytes(e, d->out, d->out_len))
            fail("stopping at max_out and going on changes the outcome");
    }

    /* the same, stopping at a recorded block start and going on */
    if (d->block_count) {
        size_t k = (size_t)(data[2] >> 2) % d->block_count;
        fqp__pgz_start(e, in, n, start, 0, NULL, 0, 0);
        res2 = fqp__pgz_decode(e, log[k], 0);
        if (res2 != FQP__PGZ_STOP || fqp__pgz_bit(e) != log[k]) fail("no STOP at a recorded block start");
        if (e->out_len > d->out_len || (e->out_len && memcmp(e->out, d->out, e->out_len) != 0))
            fail("output before a block start differs");
        res2 = fqp__pgz_decode(e, UINT64_MAX, 0);
        if (res2 != res || fqp__pgz_bit(e) != end_bit || !same_bytes(e, d->out, d->out_len))
            fail("stopping at a block start and going on changes the outcome");
    }

    /* a later block start, by the finder; decoded with markers */
    if (data[0] & 8) {
        uint64_t bits = (uint64_t)n * 8, from = start + 1 + (bits * data[1]) / 256, h;
        int text_only = (data[0] >> 4) & 1;
        fqp__pgz_find_stats st;
        memset(&st, 0, sizeof st);
        h = fqp__pgz_find(e, in, n, from, UINT64_MAX, text_only, confirms[data[2] & 3], &st);
        if (h != UINT64_MAX && (h < from || h > bits)) fail("the finder's block lies outside its range");
        if (h != UINT64_MAX && h < bits) {
            size_t found = SIZE_MAX, off, wlen;
            uint16_t *copy;
            unsigned char *resolved;
            const unsigned char *window;
            if (res == FQP__PGZ_END)
                for (i = 0; i < d->block_count && found == SIZE_MAX; i++)
                    if (fqp__pgz_same_start(in, n, log[i], h)) found = i;
            if (found != SIZE_MAX) { /* the output before that block: stop there */
                fqp__pgz_start(e, in, n, start, 0, NULL, 0, 0);
                if (fqp__pgz_decode(e, log[found], 0) != FQP__PGZ_STOP) fail("no STOP at a recorded block start");
                off = e->out_len;
            } else {
                off = d->out_len; /* any window: a false start asserts nothing */
            }
            wlen = off < FQP__PGZ_WINDOW ? off : FQP__PGZ_WINDOW;
            window = d->out ? d->out + off - wlen : NULL;
            fqp__pgz_start(e, in, n, h, 1, NULL, 0, 0);
            res2 = decode_stepped(e, step);
            copy = (uint16_t *)calloc(e->sym_len + 1, sizeof *copy); /* calloc: gcc sees no uninitialized read */
            resolved = (unsigned char *)malloc(e->sym_len + e->out_len + 1);
            if (!copy || !resolved) abort();
            if (e->sym_len) memcpy(copy, e->sym, e->sym_len * sizeof *copy);
            {
                int ok = fqp__pgz_resolve(e->sym, e->sym_len, resolved, window, wlen);
                int ok2 = fqp__pgz_resolve(copy, e->sym_len, (unsigned char *)copy, window, wlen);
                if (ok != ok2 || (ok && e->sym_len && memcmp(resolved, copy, e->sym_len) != 0))
                    fail("resolving in place differs");
                if (e->out_len) memcpy(resolved + e->sym_len, e->out, e->out_len);
                if (found != SIZE_MAX) {
                    size_t rest = d->out_len - off;
                    if (res2 != FQP__PGZ_END || fqp__pgz_bit(e) != end_bit)
                        fail("with markers from a true block start: another outcome");
                    if (!ok) fail("with markers from a true block start: a marker before the window");
                    if (e->sym_len + e->out_len != rest || (rest && memcmp(resolved, d->out + off, rest) != 0))
                        fail("with markers from a true block start: other bytes once resolved");
                    /* and with that window given */
                    fqp__pgz_start(e, in, n, h, 0, window, wlen, 0);
                    res2 = decode_stepped(e, step);
                    if (res2 != FQP__PGZ_END || fqp__pgz_bit(e) != end_bit || !same_bytes(e, d->out + off, rest))
                        fail("with the window from a true block start: other bytes");
                }
            }
            free(copy);
            free(resolved);
        }
    }

    free(log);
    free_decoder(d);
    free_decoder(e);
    free(ref.data);
    return 0;
}
