/* The >>pgzip pieces (issue 16): deflate decoded from any block without its
   window, markers resolved afterwards, and the block finder, all checked
   against zlib's inflate on zlib's raw deflate output (levels 1-9, every
   strategy) of short- and long-read FASTQ, low-entropy text and random
   bytes: decoding from bit 0; from every true block start with markers,
   resolved with the true window; the finder started before each block;
   false candidates from random offsets (also inside stored blocks holding
   real deflate data); stopping and resuming at max_out; corrupted and
   truncated input; dynamic headers that zlib reads in its own way.
   White-box: the fqp__pgz_* functions are the header's private ones. Also prints the decoder's speed beside zlib's (not
   asserted; FQP_PGZ_MB and FQP_PGZ_LEVEL change the input; FQP_TEST_QUICK, as under
   make sanitize, makes it 4 MB). */
#define FASTQPAR_IMPLEMENTATION
#include "fastqpar.h"
#include "helpers.h"
#include "test.h"

#include <time.h>

typedef struct bytes {
    unsigned char *p;
    size_t len;
} bytes;

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return rng_state >> 17;
}

static double now(void)
{
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* About n bytes of FASTQ, reads of min_len..min_len+spread-1 bases:
   random bases, qualities that drift. */
static bytes make_reads(size_t n, uint64_t seed, int min_len, int spread)
{
    bytes b;
    size_t o = 0;
    int rec = 0;
    rng_state = seed;
    b.p = (unsigned char *)malloc(n + 2 * (size_t)(min_len + spread) + 1024);
    if (!b.p) abort();
    while (o < n) {
        int len = min_len + (int)(rng() % (uint64_t)spread), k, q = 30 + (int)(rng() % 10);
        o += (size_t)sprintf((char *)b.p + o, "@SRR%07d.%d %d length=%d\n", 1234567, rec, rec, len);
        for (k = 0; k < len; k++) b.p[o++] = (unsigned char)"ACGT"[rng() % 4];
        b.p[o++] = '\n';
        b.p[o++] = '+';
        b.p[o++] = '\n';
        for (k = 0; k < len; k++) {
            q += (int)(rng() % 5) - 2;
            q = q < 2 ? 2 : q > 41 ? 41 : q;
            b.p[o++] = (unsigned char)('!' + ((rng() % 16) ? q : 2));
        }
        b.p[o++] = '\n';
        rec++;
    }
    b.len = o;
    return b;
}

/* About n bytes of short-read FASTQ (100-150 bp). */
static bytes make_fastq(size_t n, uint64_t seed) { return make_reads(n, seed, 100, 51); }

/* Text with long repeats: few distinct lines. */
static bytes make_low_entropy(size_t n, uint64_t seed)
{
    static const char *lines[] = {"ACGTACGTACGTACGTACGT\n", "NNNNNNNNNNNNNNNNNNNN\n", "IIIIIIIIIIIIIIII\n", "+\n"};
    bytes b;
    size_t o = 0;
    rng_state = seed;
    b.p = (unsigned char *)malloc(n + 64);
    if (!b.p) abort();
    while (o < n) {
        const char *l = lines[rng() % 4 ? 0 : rng() % 4];
        size_t k = strlen(l);
        memcpy(b.p + o, l, k);
        o += k;
    }
    b.len = o;
    return b;
}

static bytes make_random(size_t n, uint64_t seed)
{
    bytes b;
    size_t i;
    rng_state = seed;
    b.p = (unsigned char *)malloc(n);
    if (!b.p) abort();
    for (i = 0; i < n; i++) b.p[i] = (unsigned char)rng();
    b.len = n;
    return b;
}

/* Raw deflate (no header) of data by zlib. */
static bytes deflate_raw(const bytes *data, int level, int strategy, int mem_level)
{
    z_stream zs;
    bytes c;
    size_t cap;
    int ret;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, level, Z_DEFLATED, -15, mem_level, strategy) != Z_OK) abort();
    cap = deflateBound(&zs, (uLong)data->len) + 1024;
    c.p = (unsigned char *)malloc(cap);
    if (!c.p) abort();
    zs.next_in = data->p;
    zs.avail_in = (uInt)data->len;
    zs.next_out = c.p;
    zs.avail_out = (uInt)cap;
    while ((ret = deflate(&zs, Z_FINISH)) == Z_OK) { /* more room */
        size_t used = cap - zs.avail_out;
        cap *= 2;
        if (!(c.p = (unsigned char *)realloc(c.p, cap))) abort();
        zs.next_out = c.p + used;
        zs.avail_out = (uInt)(cap - used);
    }
    if (ret != Z_STREAM_END) abort();
    c.len = cap - zs.avail_out;
    deflateEnd(&zs);
    return c;
}

/* zlib's raw inflate of c[0..n) into *out (at most cap bytes); returns 1 if
   the stream ended, 0 on any error; *used gets the input bytes consumed. */
static int inflate_raw(const unsigned char *c, size_t n, unsigned char *out, size_t cap, size_t *out_len, size_t *used)
{
    z_stream zs;
    int ret;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, -15) != Z_OK) abort();
    zs.next_in = (Bytef *)(uintptr_t)c;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    ret = inflate(&zs, Z_FINISH);
    *out_len = cap - zs.avail_out;
    if (used) *used = n - zs.avail_in;
    inflateEnd(&zs);
    return ret == Z_STREAM_END;
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

/* The truth about one compressed stream: every block's start bit and the
   output offset there, the end bit, and zlib's output. */
typedef struct truth {
    bytes data, comp;
    uint64_t *bit;
    size_t *off, count;
    uint64_t end_bit;
    int dynamic_blocks, stored_blocks, fixed_blocks;
} truth;

static int block_type(const unsigned char *c, uint64_t bit)
{
    return (int)(((c[bit >> 3] | (unsigned)c[(bit >> 3) + 1] << 8) >> ((bit & 7) + 1)) & 3);
}

/* Decodes comp from bit 0 block by block (stop at each next block) to learn
   the block starts; checks the whole output against data. */
static int learn_truth(truth *t)
{
    fqp__pgz *d = new_decoder();
    size_t cap = 1024, i;
    int res, ok = 1;
    uint64_t *log = (uint64_t *)malloc(cap * sizeof *log);
    t->bit = NULL;
    t->off = NULL;
    /* first pass: the block log */
    for (;;) {
        fqp__pgz_start(d, t->comp.p, t->comp.len, 0, 0, NULL, 0, 0);
        d->blocks = log;
        d->blocks_cap = cap;
        res = fqp__pgz_decode(d, UINT64_MAX, 0);
        if (d->block_count <= cap) break;
        cap = d->block_count;
        log = (uint64_t *)realloc(log, cap * sizeof *log);
    }
    if (res != FQP__PGZ_END || d->out_len != t->data.len || memcmp(d->out, t->data.p, t->data.len) != 0) ok = 0;
    t->count = d->block_count;
    t->end_bit = fqp__pgz_bit(d);
    t->bit = log;
    t->off = (size_t *)malloc((t->count + 1) * sizeof *t->off);
    /* second pass: stop at each block start to learn its output offset */
    fqp__pgz_start(d, t->comp.p, t->comp.len, 0, 0, NULL, 0, 0);
    d->blocks = NULL;
    d->blocks_cap = 0;
    t->dynamic_blocks = t->stored_blocks = t->fixed_blocks = 0;
    for (i = 0; i < t->count && ok; i++) {
        int ty = block_type(t->comp.p, t->bit[i]);
        res = fqp__pgz_decode(d, t->bit[i], 0);
        if (res != FQP__PGZ_STOP || fqp__pgz_bit(d) != t->bit[i]) ok = 0;
        t->off[i] = d->out_len;
        if (ty == 2)
            t->dynamic_blocks++;
        else if (ty == 1)
            t->fixed_blocks++;
        else
            t->stored_blocks++;
        res = fqp__pgz_decode(d, t->bit[i] + 1, 0); /* exactly this block */
    }
    t->off[t->count] = d->out_len;
    free_decoder(d);
    return ok;
}

static void free_truth(truth *t)
{
    free(t->comp.p);
    free(t->bit);
    free(t->off);
}

static const int strategies[] = {Z_DEFAULT_STRATEGY, Z_FILTERED, Z_HUFFMAN_ONLY, Z_RLE, Z_FIXED};
static const char *strategy_names[] = {"default", "filtered", "huffman", "rle", "fixed"};

/* Decoding from bit 0 equals zlib's inflate, for every level and strategy. */
static void test_from_start_equals_zlib(void)
{
    bytes kinds[3];
    int k, level, s;
    unsigned char *out = (unsigned char *)malloc(1 << 20);
    kinds[0] = make_fastq(150000, 1);
    kinds[1] = make_low_entropy(150000, 2);
    kinds[2] = make_random(50000, 3);
    for (k = 0; k < 3; k++) {
        for (level = 1; level <= 9; level++) {
            for (s = 0; s < 5; s++) {
                bytes c = deflate_raw(&kinds[k], level, strategies[s], level == 1 ? 1 : 8);
                size_t zlen, used;
                fqp__pgz *d = new_decoder();
                int zok = inflate_raw(c.p, c.len, out, 1 << 20, &zlen, &used), res;
                fqp__pgz_start(d, c.p, c.len, 0, 0, NULL, 0, 0);
                res = fqp__pgz_decode(d, UINT64_MAX, 0);
                CHECK(zok);
                CHECK_EQ_INT(res, FQP__PGZ_END);
                CHECK_EQ_U64(d->out_len, zlen);
                CHECK_EQ_U64(d->sym_len, 0);
                CHECK_EQ_U64((fqp__pgz_bit(d) + 7) / 8, used);
                if (d->out_len == zlen && memcmp(d->out, out, zlen) != 0) {
                    fprintf(stderr, "  kind %d level %d %s: output differs\n", k, level, strategy_names[s]);
                    fqpt_failed = 1;
                }
                free_decoder(d);
                free(c.p);
            }
        }
    }
    for (k = 0; k < 3; k++) free(kinds[k].p);
    free(out);
}

static size_t spec_checked, spec_switched;

/* (b) From every true block start, with markers, then resolved with the
   true window: exactly zlib's output, and the same end bit. */
static void check_speculative(truth *t, const char *what)
{
    fqp__pgz *d = new_decoder();
    unsigned char *res_buf = (unsigned char *)malloc(t->data.len + 1);
    size_t i, checked = 0, switched = 0;
    for (i = 1; i < t->count; i++) {
        size_t last = i + 3 < t->count ? i + 3 : t->count, off = t->off[i], expect_len = t->off[last] - off;
        size_t wlen = off < 32768 ? off : 32768;
        uint64_t stop = last < t->count ? t->bit[last] : UINT64_MAX;
        int res;
        fqp__pgz_start(d, t->comp.p, t->comp.len, t->bit[i], 1, NULL, 0, 0);
        res = fqp__pgz_decode(d, stop, 0);
        CHECK_EQ_INT(res, last < t->count ? FQP__PGZ_STOP : FQP__PGZ_END);
        CHECK_EQ_U64(fqp__pgz_bit(d), last < t->count ? t->bit[last] : t->end_bit);
        CHECK_EQ_U64(d->sym_len + d->out_len, expect_len);
        if (d->sym_len + d->out_len != expect_len) break;
        REQUIRE(fqp__pgz_resolve(d->sym, d->sym_len, res_buf, t->data.p + off - wlen, wlen));
        if (d->out_len) memcpy(res_buf + d->sym_len, d->out, d->out_len);
        if (memcmp(res_buf, t->data.p + off, expect_len) != 0) {
            fprintf(stderr, "  %s: block %zu (bit %llu) resolves to other bytes\n", what, i,
                    (unsigned long long)t->bit[i]);
            fqpt_failed = 1;
        }
        if (d->sym_len && d->out_len) switched++;
        checked++;
    }
    spec_checked += checked;
    spec_switched += switched;
    free(res_buf);
    free_decoder(d);
}

/* (a) The finder, started anywhere after the previous block's start,
   finds a dynamic block's start exactly (FASTQ, text-only literals). */
static void check_finder(truth *t, const char *what, int text_only, uint64_t *found_count)
{
    fqp__pgz *d = new_decoder();
    fqp__pgz_find_stats st;
    size_t i;
    int tries;
    memset(&st, 0, sizeof st);
    for (i = 1; i < t->count; i++) {
        int ty = block_type(t->comp.p, t->bit[i]);
        if (ty == 1) continue; /* fixed-Huffman headers are not searched for */
        for (tries = 0; tries < 3; tries++) {
            uint64_t span = t->bit[i] - t->bit[i - 1], from = tries == 0 ? t->bit[i - 1] + 1 : t->bit[i] - rng() % span;
            uint64_t h;
            /* the bytes of a stored block (and, without text_only, any
               block) may hold headers that decode ahead fine: start near */
            if (ty == 0 || !text_only) from = t->bit[i] - rng() % (span < 64 ? span : 64);
            if (block_type(t->comp.p, t->bit[i - 1]) == 0 && from <= ((t->bit[i - 1] + 10) >> 3) * 8 + 32)
                continue; /* the previous stored block is found from there, rightly */
            h = fqp__pgz_find(d, t->comp.p, t->comp.len, from, t->bit[i] + 1, text_only, 8192, &st);
            if (ty == 2 && h != t->bit[i]) {
                fprintf(stderr, "  %s: from bit %llu found %llu, the block starts at %llu\n", what,
                        (unsigned long long)from, (unsigned long long)h, (unsigned long long)t->bit[i]);
                fqpt_failed = 1;
            }
            /* stored: the same stored block, decoded the same */
            if (ty == 0 && (h == UINT64_MAX || !fqp__pgz_same_start(t->comp.p, t->comp.len, h, t->bit[i]))) {
                fprintf(stderr, "  %s: stored block at %llu, found %llu\n", what, (unsigned long long)t->bit[i],
                        (unsigned long long)h);
                fqpt_failed = 1;
            }
            if (h != UINT64_MAX) (*found_count)++;
        }
    }
    free_decoder(d);
}

static void make_truth(truth *t, const bytes *data, int level, int strategy, int mem_level)
{
    t->data = *data;
    t->comp = deflate_raw(data, level, strategy, mem_level);
}

/* Blocks: from every true start, and the finder before each. */
static void test_blocks(void)
{
    bytes fq = make_fastq(500000, 11), lo = make_low_entropy(200000, 12), rnd = make_random(100000, 13);
    bytes longr = make_reads(400000, 14, 1000, 20000);
    int level, s;
    uint64_t found = 0, blocks = 0, dyn = 0, sto = 0, fix = 0;
    for (level = 1; level <= 9; level += 4) {
        for (s = 0; s < 5; s++) {
            char what[64];
            truth t;
            int k;
            for (k = 0; k < 4; k++) {
                const bytes *data = k == 0 ? &fq : k == 1 ? &lo : k == 2 ? &rnd : &longr;
                static const char *names[] = {"fastq", "low", "random", "long reads"};
                make_truth(&t, data, level, strategies[s], k == 2 && level == 1 ? 2 : 8);
                snprintf(what, sizeof what, "%s level %d %s", names[k], level, strategy_names[s]);
                if (!learn_truth(&t)) {
                    fprintf(stderr, "  %s: decoding from bit 0 differs from the input\n", what);
                    fqpt_failed = 1;
                    free_truth(&t);
                    continue;
                }
                blocks += t.count;
                dyn += (uint64_t)t.dynamic_blocks;
                sto += (uint64_t)t.stored_blocks;
                fix += (uint64_t)t.fixed_blocks;
                check_speculative(&t, what);
                if (k != 1) check_finder(&t, what, k != 2, &found);
                free_truth(&t);
            }
        }
    }
    printf("  blocks: %llu (dynamic %llu, stored %llu, fixed %llu); decoded with markers from %zu of them, %zu "
           "going on in bytes once the window was known; finder runs that found the block: %llu\n",
           (unsigned long long)blocks, (unsigned long long)dyn, (unsigned long long)sto, (unsigned long long)fix,
           spec_checked, spec_switched, (unsigned long long)found);
    free(fq.p);
    free(lo.p);
    free(rnd.p);
    free(longr.p);
}

static int is_true_start(const truth *t, uint64_t h)
{
    size_t lo = 0, hi = t->count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->bit[mid] < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* a stored block reached from a nearby bit (before or after its own):
       the same decoding */
    if (lo < t->count && fqp__pgz_same_start(t->comp.p, t->comp.len, t->bit[lo], h)) return 1;
    if (lo > 0 && fqp__pgz_same_start(t->comp.p, t->comp.len, t->bit[lo - 1], h)) return 1;
    return 0;
}

/* False positives: candidates from random offsets; each is a true start,
   or decoding ahead rejects it, or (counted) it is caught only by the
   stitching rule. With text-only FASTQ, none may pass decoding ahead. */
static void test_false_positives(void)
{
    bytes fq = make_fastq(2000000, 21), rnd = make_random(1000000, 22), inner_text = make_fastq(300000, 23), inner;
    int k;
    static const char *names[] = {"fastq, text-only", "random, any bytes", "stored blocks of deflate data, text-only"};
    inner = deflate_raw(&inner_text, 6, Z_DEFAULT_STRATEGY, 8); /* real headers inside stored blocks */
    for (k = 0; k < 3; k++) {
        truth t;
        fqp__pgz *d = new_decoder();
        uint64_t cands = 0, trues = 0, true_rejected = 0, rejected = 0, accepted_false = 0, stitched = 0;
        int i, text_only = k != 1, offsets = k == 0 ? 1000 : 200;
        make_truth(&t, k == 0 ? &fq : k == 1 ? &rnd : &inner, k == 2 ? 0 : 6, Z_DEFAULT_STRATEGY, 8);
        REQUIRE(learn_truth(&t));
        for (i = 0; i < offsets; i++) {
            uint64_t from = rng() % (t.comp.len * 8), until = from + 20000, h = from;
            while ((h = fqp__pgz_next_candidate(t.comp.p, t.comp.len, h, until)) != UINT64_MAX) {
                uint64_t at = fqp__pgz_confirm(d, t.comp.p, t.comp.len, h, text_only, 8192);
                cands++;
                if (at != UINT64_MAX && is_true_start(&t, at)) {
                    trues++;
                } else if (at != UINT64_MAX) {
                    /* accepted by decoding ahead: it is not the end of any
                       block, so no previous chunk can end there and the
                       stitching rule redoes the chunk */
                    accepted_false++;
                    stitched += !is_true_start(&t, at);
                } else if (is_true_start(&t, h)) {
                    true_rejected++;
                    if (k != 2) { /* (k == 2: the true stored blocks hold no text) */
                        fprintf(stderr, "  true block start %llu rejected\n", (unsigned long long)h);
                        fqpt_failed = 1;
                    }
                } else {
                    rejected++;
                }
                h++;
            }
        }
        printf("  %s: %llu candidates in %d x 20000 bits from random offsets: %llu true (%llu of them rejected), %llu "
               "false rejected by decoding ahead, %llu false accepted (left to the stitching rule)\n",
               names[k], (unsigned long long)cands, offsets, (unsigned long long)(trues + true_rejected),
               (unsigned long long)true_rejected, (unsigned long long)rejected, (unsigned long long)accepted_false);
        CHECK_EQ_U64(stitched, accepted_false);
        if (k == 0) CHECK_EQ_U64(accepted_false, 0);
        free_truth(&t);
        free_decoder(d);
    }
    free(fq.p);
    free(rnd.p);
    free(inner_text.p);
    free(inner.p);
}

/* Corruption and truncation: never a crash; where zlib fails the decoder
   fails too, with zlib's output as far as both went; where zlib succeeds
   the output is the same. */
static void test_corruption(void)
{
    bytes fq = make_fastq(60000, 31), rnd = make_random(20000, 32);
    unsigned char *out = (unsigned char *)malloc(1 << 20), *bad;
    int trial, cfg, zfail = 0, same = 0, starts = 0;
    fqp__pgz *d = new_decoder();
    for (cfg = 0; cfg < 4; cfg++) {
        /* FASTQ at level 1 (dynamic blocks), level 9 Z_FIXED, Z_HUFFMAN_ONLY; random bytes (stored blocks) */
        int level = cfg == 0 ? 1 : cfg == 1 ? 9 : 6;
        bytes c = deflate_raw(cfg == 3 ? &rnd : &fq, level,
                              cfg == 1   ? Z_FIXED
                              : cfg == 2 ? Z_HUFFMAN_ONLY
                                         : Z_DEFAULT_STRATEGY,
                              cfg == 3 ? 1 : 8);
        bad = (unsigned char *)malloc(c.len);
        for (trial = 0; trial < 2000; trial++) {
            size_t n = c.len, zlen, used, m;
            int flips = 1 + (int)(rng() % 3), f, zok, res;
            memcpy(bad, c.p, c.len);
            if (trial % 10 == 9)
                n = rng() % c.len; /* truncated */
            else
                for (f = 0; f < flips; f++) {
                    uint64_t bit = trial < 400 ? rng() % (n < 40 ? n * 8 : 320) : rng() % (n * 8); /* headers often */
                    bad[bit >> 3] ^= (unsigned char)(1u << (bit & 7));
                }
            zok = inflate_raw(bad, n, out, 1 << 20, &zlen, &used);
            fqp__pgz_start(d, bad, n, 0, 0, NULL, 0, 0);
            res = fqp__pgz_decode(d, UINT64_MAX, 0);
            if (zok) {
                same++;
                CHECK_EQ_INT(res, FQP__PGZ_END);
                CHECK_EQ_U64(d->out_len, zlen);
                if (res == FQP__PGZ_END && d->out_len == zlen) CHECK(memcmp(d->out, out, zlen) == 0);
            } else {
                zfail++;
                CHECK(res != FQP__PGZ_END);
                m = d->out_len < zlen ? d->out_len : zlen;
                CHECK(m == 0 || memcmp(d->out, out, m) == 0);
            }
            if (fqpt_failed) {
                fprintf(stderr, "  config %d trial %d: zlib %s, decoder %d (%s)\n", cfg, trial, zok ? "ok" : "fails",
                        res, d->why ? d->why : "");
                break;
            }
            /* and from any bit, with markers, as the finder's confirmation does: no crash */
            fqp__pgz_start(d, bad, n, rng() % (n * 8 + 1), 1, NULL, 0, trial & 1);
            (void)fqp__pgz_decode(d, UINT64_MAX, trial & 2 ? 0 : 4096);
            starts++;
        }
        free(bad);
        free(c.p);
    }
    printf("  corrupted inputs: zlib failed on %d, succeeded on %d; the decoder agreed on all; %d decodings from "
           "random bits\n",
           zfail, same, starts);
    free_decoder(d);
    free(out);
    free(fq.p);
    free(rnd.p);
}

/* Bits into p[] at *at, low bit first (header fields), or a Huffman code
   of n bits, most significant bit first. */
static void put_bits(unsigned char *p, unsigned *at, unsigned v, unsigned n, int code)
{
    unsigned i;
    for (i = 0; i < n; i++, (*at)++)
        if ((v >> (code ? n - 1 - i : i)) & 1) p[*at >> 3] |= (unsigned char)(1u << (*at & 7));
}

/* zlib's verdict on raw deflate c[0..n): 1 ended, 0 wants more input, -1 a
   data error (*msg its words). */
static int zlib_verdict(const unsigned char *c, size_t n, const char **msg)
{
    static char words[128];
    unsigned char out[1024];
    z_stream zs;
    int ret;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, -15) != Z_OK) abort();
    zs.next_in = (Bytef *)(uintptr_t)c;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = sizeof out;
    ret = inflate(&zs, Z_NO_FLUSH);
    snprintf(words, sizeof words, "%s", zs.msg ? zs.msg : "");
    *msg = words;
    inflateEnd(&zs);
    return ret == Z_STREAM_END ? 1 : ret == Z_DATA_ERROR ? -1 : 0;
}

/* Dynamic headers that zlib reads in its own way (found by fuzz_pgzip): an
   empty precode is read as lengths of 0 (a bit each), then "missing
   end-of-block"; a repeat code 16 first is an error only once its 2 extra
   bits are in, before that the input is truncated. The decoder gives
   zlib's verdict, whole and cut. */
static void test_zlib_header_quirks(void)
{
    fqp__pgz *d = new_decoder();
    int k;
    for (k = 0; k < 2; k++) {
        unsigned char c[64];
        unsigned at = 0, i;
        size_t n, whole;
        int failed_before = fqpt_failed;
        memset(c, 0, sizeof c);
        put_bits(c, &at, 5, 3, 0); /* BFINAL 1, BTYPE 10 */
        put_bits(c, &at, 0, 5, 0); /* HLIT: 257 */
        put_bits(c, &at, 0, 5, 0); /* HDIST: 1 */
        put_bits(c, &at, 0, 4, 0); /* HCLEN: 4 lengths, of 16, 17, 18, 0 */
        for (i = 0; i < 4; i++) put_bits(c, &at, k ? 2 : 0, 3, 0);
        if (k) put_bits(c, &at, 1, 2, 1); /* codes 0 00, 16 01, 17 10, 18 11: a 16 first */
        whole = k ? 5 : (at + 258 + 7) / 8;
        for (n = 1; n <= whole; n++) {
            const char *msg;
            int z = zlib_verdict(c, n, &msg), res;
            fqp__pgz_start(d, c, n, 0, 0, NULL, 0, 0);
            res = fqp__pgz_decode(d, UINT64_MAX, 0);
            CHECK_EQ_INT(z, n == whole ? -1 : 0);
            CHECK_EQ_INT(res, z < 0 ? FQP__PGZ_BAD : FQP__PGZ_TRUNCATED);
            if (res == FQP__PGZ_BAD) CHECK(d->why && strcmp(d->why, msg) == 0);
            if (fqpt_failed && !failed_before) {
                fprintf(stderr, "  case %d, %zu bytes: zlib %d (%s), decoder %d (%s)\n", k, n, z, msg, res,
                        d->why ? d->why : "");
                break;
            }
        }
    }
    free_decoder(d);
}

/* Speed on ~48 MB of FASTQ: zlib, this decoder from bit 0, and with
   markers from a block found after the middle; the best of 3 runs each.
   Printed, not asserted. Level 1 by default (level 6 takes ~5 s to
   compress here); FQP_PGZ_LEVEL and FQP_PGZ_MB change it. */
static void test_speed(void)
{
    size_t mb = getenv("FQP_PGZ_MB") ? (size_t)atoi(getenv("FQP_PGZ_MB")) : getenv("FQP_TEST_QUICK") ? 4 : 48, zlen, used, spec_len = 0, spec_sym = 0;
    int level = getenv("FQP_PGZ_LEVEL") ? atoi(getenv("FQP_PGZ_LEVEL")) : 1, res, r;
    bytes fq = make_fastq(mb << 20, 41), c;
    unsigned char *out = (unsigned char *)malloc(fq.len + 1);
    fqp__pgz *d = new_decoder();
    fqp__pgz_find_stats st;
    double t0, tz = 1e9, tp = 1e9, ts = 1e9, tf;
    uint64_t h;
    c = deflate_raw(&fq, level, Z_DEFAULT_STRATEGY, 8);
    memset(&st, 0, sizeof st);
    t0 = now();
    h = fqp__pgz_find(d, c.p, c.len, (uint64_t)c.len * 4, UINT64_MAX, 1, 8192, &st);
    tf = now() - t0;
    REQUIRE(h != UINT64_MAX);
    for (r = 0; r < 3; r++) {
        t0 = now();
        REQUIRE(inflate_raw(c.p, c.len, out, fq.len + 1, &zlen, &used));
        t0 = now() - t0;
        tz = t0 < tz ? t0 : tz;
        t0 = now();
        fqp__pgz_start(d, c.p, c.len, 0, 0, NULL, 0, 0);
        res = fqp__pgz_decode(d, UINT64_MAX, 0);
        t0 = now() - t0;
        tp = t0 < tp ? t0 : tp;
        CHECK_EQ_INT(res, FQP__PGZ_END);
        CHECK(d->out_len == fq.len && memcmp(d->out, fq.p, fq.len) == 0);
        t0 = now();
        fqp__pgz_start(d, c.p, c.len, h, 1, NULL, 0, 0);
        res = fqp__pgz_decode(d, UINT64_MAX, 0);
        t0 = now() - t0;
        ts = t0 < ts ? t0 : ts;
        CHECK_EQ_INT(res, FQP__PGZ_END);
        spec_len = d->sym_len + d->out_len;
        spec_sym = d->sym_len;
    }
    printf("  speed, %.1f MB FASTQ (level %d, %.1f MB compressed), MB/s of output: zlib %.0f, pgz from bit 0 %.0f, "
           "pgz with markers from mid-stream %.0f (%.1f of %.1f MB as marker-mode symbols); finder %.2f ms to the "
           "first block after the middle (%llu candidates)\n",
           fq.len / 1e6, level, c.len / 1e6, fq.len / 1e6 / tz, fq.len / 1e6 / tp, spec_len / 1e6 / ts, spec_sym / 1e6,
           spec_len / 1e6, tf * 1e3, (unsigned long long)st.candidates);
    free_decoder(d);
    free(out);
    free(c.p);
    free(fq.p);
}

/* Stopping at max_out and going on gives the same output, in both modes;
   the block log is the same as in one go. */
static void test_resume(void)
{
    bytes kinds[2];
    int k;
    kinds[0] = make_fastq(400000, 51);
    kinds[1] = make_random(200000, 52);
    for (k = 0; k < 2; k++) {
        truth t;
        fqp__pgz *d = new_decoder();
        int markers, res;
        make_truth(&t, &kinds[k], 6, Z_DEFAULT_STRATEGY, k ? 1 : 8);
        REQUIRE(learn_truth(&t));
        for (markers = 0; markers < 2; markers++) {
            size_t from = markers ? t.count / 2 : 0, off = t.off[from], calls = 0, total;
            unsigned char *got = (unsigned char *)malloc(t.data.len + 1);
            uint64_t log[4096];
            fqp__pgz_start(d, t.comp.p, t.comp.len, t.bit[from], markers, NULL, 0, 0);
            d->blocks = log;
            d->blocks_cap = 4096;
            do {
                total = d->sym_len + d->out_len;
                res = fqp__pgz_decode(d, UINT64_MAX, total + 1 + rng() % 20000);
                calls++;
            } while (res == FQP__PGZ_FULL);
            CHECK_EQ_INT(res, FQP__PGZ_END);
            CHECK_EQ_U64(fqp__pgz_bit(d), t.end_bit);
            REQUIRE(d->sym_len + d->out_len == t.data.len - off);
            REQUIRE(fqp__pgz_resolve(d->sym, d->sym_len, got, t.data.p + off - (off < 32768 ? off : 32768),
                                     off < 32768 ? off : 32768));
            if (d->out_len) memcpy(got + d->sym_len, d->out, d->out_len);
            CHECK(memcmp(got, t.data.p + off, t.data.len - off) == 0);
            CHECK_EQ_U64(d->block_count, t.count - from);
            CHECK(d->block_count > 4096 || memcmp(log, t.bit + from, d->block_count * sizeof *log) == 0);
            CHECK(calls > 3);
            d->blocks = NULL;
            d->blocks_cap = 0;
            free(got);
        }
        free_truth(&t);
        free_decoder(d);
        free(kinds[k].p);
    }
}

/* RUN, then the seconds it took (the whole program should stay < 10 s at -O2). */
#define RUN_TIMED(fn)                                                                                                  \
    do {                                                                                                               \
        double t0_ = now();                                                                                            \
        RUN(fn);                                                                                                       \
        printf("  (%s: %.2f s)\n", #fn, now() - t0_);                                                                  \
    } while (0)

int main(void)
{
    RUN_TIMED(test_from_start_equals_zlib);
    RUN_TIMED(test_blocks);
    RUN_TIMED(test_false_positives);
    RUN_TIMED(test_resume);
    RUN_TIMED(test_corruption);
    RUN_TIMED(test_zlib_header_quirks);
    RUN_TIMED(test_speed);
    TEST_EXIT();
}
