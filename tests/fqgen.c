/* tests/fqgen.c - deterministic FASTQ generator for tests and benchmarks.

   Writes plain FASTQ to stdout; compress it in a pipe (fqgen ... | gzip).
   The same options and seed give the same bytes on every platform: the
   random numbers come from xoshiro256** seeded by splitmix64, and only
   integer arithmetic is used.

   usage: fqgen [options]
     -n N             records (default 1000)
     -s SEED          seed (default 1)
     -l MIN[-MAX]     read length, or uniform in MIN..MAX (default 150).
                      MAX >= 1000 switches to long-read (ONT-like) names
                      and qualities; below that, Illumina-like.
     -w W             wrap sequence and quality lines at W columns
     --crlf           CRLF line endings
     --plus-name      repeat the header after '+'
     --empty-every K  every K-th record has length 0
     --comment        add a comment after the name

   Bases are ACGT with about 0.1% N (quality '#'). Illumina qualities are
   mostly high ('#'..'J'), dropping towards the 3' end; long-read qualities
   are lower ('"'..'I'). Quality lines often start with '@' or '+'. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- random numbers ---------------------------------------------------- */

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rng_s[4];

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* xoshiro256** */
static uint64_t rng_next(void) {
    uint64_t result = rotl(rng_s[1] * 5, 7) * 9;
    uint64_t t = rng_s[1] << 17;
    rng_s[2] ^= rng_s[0];
    rng_s[3] ^= rng_s[1];
    rng_s[1] ^= rng_s[2];
    rng_s[0] ^= rng_s[3];
    rng_s[2] ^= t;
    rng_s[3] = rotl(rng_s[3], 45);
    return result;
}

static void rng_seed(uint64_t seed) {
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) rng_s[i] = splitmix64(&x);
}

/* Uniform in 0..n-1 (n > 0); the modulo bias is negligible for our n. */
static uint64_t rng_below(uint64_t n) { return rng_next() % n; }

/* ---- buffered output ---------------------------------------------------- */

#define OUT_SIZE (4u << 20)
static char out_buf[OUT_SIZE];
static size_t out_len;

static void out_flush(void) {
    if (out_len && fwrite(out_buf, 1, out_len, stdout) != out_len) {
        fprintf(stderr, "fqgen: write error: %s\n", strerror(errno));
        exit(1);
    }
    out_len = 0;
}

static void out_put(const char *p, size_t n) {
    if (n > OUT_SIZE - out_len) {
        out_flush();
        if (n > OUT_SIZE) {
            if (fwrite(p, 1, n, stdout) != n) {
                fprintf(stderr, "fqgen: write error: %s\n", strerror(errno));
                exit(1);
            }
            return;
        }
    }
    memcpy(out_buf + out_len, p, n);
    out_len += n;
}

static const char *eol = "\n";
static size_t eol_len = 1;

/* Writes `n` bytes as lines of at most `wrap` columns (0: one line). An
   empty text is one empty line. */
static void out_lines(const char *p, size_t n, size_t wrap) {
    if (wrap == 0 || n <= wrap) {
        out_put(p, n);
        out_put(eol, eol_len);
        return;
    }
    for (size_t i = 0; i < n; i += wrap) {
        size_t k = n - i < wrap ? n - i : wrap;
        out_put(p + i, k);
        out_put(eol, eol_len);
    }
}

/* ---- text helpers -------------------------------------------------------- */

static char *put_u64(char *d, uint64_t v) {
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) *d++ = tmp[--n];
    return d;
}

static char *put_str(char *d, const char *s) {
    size_t n = strlen(s);
    memcpy(d, s, n);
    return d + n;
}

static char *put_hex(char *d, uint64_t v, int digits) {
    static const char hex[] = "0123456789abcdef";
    for (int i = digits - 1; i >= 0; i--) d[i] = hex[v & 15], v >>= 4;
    return d + digits;
}

/* ---- options ------------------------------------------------------------ */

static void usage(void) {
    fprintf(stderr,
            "usage: fqgen [-n N] [-s SEED] [-l MIN[-MAX]] [-w W] [--crlf] [--plus-name]\n"
            "             [--empty-every K] [--comment]\n"
            "Writes deterministic FASTQ to stdout.\n");
    exit(2);
}

static uint64_t parse_u64(const char *s, const char *what) {
    char *end;
    errno = 0;
    if (!s || *s < '0' || *s > '9') {
        fprintf(stderr, "fqgen: %s: expected a number\n", what);
        exit(2);
    }
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end) {
        fprintf(stderr, "fqgen: %s: bad number '%s'\n", what, s);
        exit(2);
    }
    return (uint64_t)v;
}

int main(int argc, char **argv) {
    uint64_t n = 1000, seed = 1, min_len = 150, max_len = 150, wrap = 0, empty_every = 0;
    int plus_name = 0, comment = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-n")) n = parse_u64(v, "-n"), i++;
        else if (!strcmp(a, "-s")) seed = parse_u64(v, "-s"), i++;
        else if (!strcmp(a, "-w")) wrap = parse_u64(v, "-w"), i++;
        else if (!strcmp(a, "--empty-every")) empty_every = parse_u64(v, "--empty-every"), i++;
        else if (!strcmp(a, "--crlf")) eol = "\r\n", eol_len = 2;
        else if (!strcmp(a, "--plus-name")) plus_name = 1;
        else if (!strcmp(a, "--comment")) comment = 1;
        else if (!strcmp(a, "-l")) {
            if (!v) usage();
            char tmp[64];
            snprintf(tmp, sizeof tmp, "%s", v);
            char *dash = strchr(tmp, '-');
            if (dash) *dash = 0;
            min_len = parse_u64(tmp, "-l");
            max_len = dash ? parse_u64(dash + 1, "-l") : min_len;
            if (max_len < min_len) {
                fprintf(stderr, "fqgen: -l: MAX < MIN\n");
                return 2;
            }
            if (max_len > ((uint64_t)1 << 40)) {
                fprintf(stderr, "fqgen: -l: too long\n");
                return 2;
            }
            i++;
        } else
            usage();
    }

    rng_seed(seed);
    const int long_reads = max_len >= 1000;
    char *seq = malloc(max_len + 1), *qual = malloc(max_len + 1);
    if (!seq || !qual) {
        fprintf(stderr, "fqgen: out of memory\n");
        return 1;
    }

    /* Per-run constants: a barcode, a run id. */
    static const char acgt[4] = {'A', 'C', 'G', 'T'};
    char barcode[8];
    for (int i = 0; i < 6; i++) barcode[i] = acgt[rng_next() >> 62];
    barcode[6] = 0;
    uint64_t runid[3] = {rng_next(), rng_next(), rng_next()};

    uint64_t next_n = rng_below(2000); /* bases until the next N (mean ~1000) */
    char head[512];

    for (uint64_t r = 0; r < n; r++) {
        /* ---- header ---- */
        char *h = head;
        if (!long_reads) {
            uint64_t tile = 1101 + (r / 400000) % 24 + ((r / (400000 * 24)) % 2) * 1000;
            h = put_str(h, "SIM:1:FCX:1:");
            h = put_u64(h, tile);
            *h++ = ':';
            h = put_u64(h, 1000 + rng_below(31000));
            *h++ = ':';
            h = put_u64(h, 1000 + r % 400000);
            if (comment) {
                h = put_str(h, " 1:");
                *h++ = rng_below(50) ? 'N' : 'Y';
                h = put_str(h, ":0:");
                h = put_str(h, barcode);
            }
        } else {
            uint64_t a = rng_next(), b = rng_next();
            h = put_hex(h, a >> 32, 8);
            *h++ = '-';
            h = put_hex(h, a >> 16, 4);
            *h++ = '-';
            h = put_hex(h, 0x4000 | (a & 0x0fff), 4);
            *h++ = '-';
            h = put_hex(h, 0x8000 | (b >> 50), 4);
            *h++ = '-';
            h = put_hex(h, b, 12);
            if (comment) {
                h = put_str(h, " runid=");
                h = put_hex(h, runid[0], 16);
                h = put_hex(h, runid[1], 16);
                h = put_hex(h, runid[2], 8);
                h = put_str(h, " read=");
                h = put_u64(h, r + 1);
                h = put_str(h, " ch=");
                h = put_u64(h, 1 + rng_below(512));
                h = put_str(h, " start_time=2019-04-12T21:46:43Z");
            }
        }
        size_t head_len = (size_t)(h - head);

        /* ---- length ---- */
        uint64_t len = min_len == max_len ? min_len : min_len + rng_below(max_len - min_len + 1);
        if (empty_every && (r + 1) % empty_every == 0) len = 0;

        /* ---- bases: 32 per random number ---- */
        for (uint64_t i = 0; i < len; i += 32) {
            uint64_t x = rng_next();
            uint64_t k = len - i < 32 ? len - i : 32;
            for (uint64_t j = 0; j < k; j++, x >>= 2) seq[i + j] = acgt[x & 3];
        }

        /* ---- qualities: 8 per random number ---- */
        if (!long_reads) {
            /* high, falling by up to 10 towards the 3' end; 2% outliers, among
               them '+' (Q10) and '@' (Q31) so quality lines start with them */
            static const int low[6] = {2, 10, 31, 6, 15, 20};
            uint64_t drop = 0, step = len ? (10u << 16) / len : 0;
            for (uint64_t i = 0; i < len; i += 8) {
                uint64_t x = rng_next();
                uint64_t k = len - i < 8 ? len - i : 8;
                for (uint64_t j = 0; j < k; j++, x >>= 8, drop += step) {
                    unsigned b = (unsigned)(x & 255);
                    int q;
                    if (b < 6) q = low[b];
                    else q = 41 - (int)(drop >> 16) - (int)((b & 7) * (b & 7) / 10); /* 27..41 */
                    qual[i + j] = (char)(33 + q);
                }
            }
        } else {
            /* ONT-like: mostly Q4..Q24, some up to Q40, the odd Q1 */
            for (uint64_t i = 0; i < len; i += 8) {
                uint64_t x = rng_next();
                uint64_t k = len - i < 8 ? len - i : 8;
                for (uint64_t j = 0; j < k; j++, x >>= 8) {
                    unsigned b = (unsigned)(x & 255);
                    int q;
                    if (b < 3) q = 1;
                    else if (b >= 224) q = 24 + (int)(b & 15); /* 24..39 */
                    else q = 4 + (int)(b % 21);             /* 4..24 */
                    qual[i + j] = (char)(33 + q);
                }
            }
        }

        /* ---- Ns, about 0.1% of bases, spaced across records ---- */
        uint64_t pos = 0;
        while (len - pos > next_n) {
            pos += next_n;
            seq[pos] = 'N';
            qual[pos] = '#';
            pos++;
            next_n = rng_below(2000);
        }
        next_n -= len - pos;

        /* ---- the record ---- */
        out_put("@", 1);
        out_put(head, head_len);
        out_put(eol, eol_len);
        out_lines(seq, (size_t)len, (size_t)wrap);
        out_put("+", 1);
        if (plus_name) out_put(head, head_len);
        out_put(eol, eol_len);
        out_lines(qual, (size_t)len, (size_t)wrap);
    }
    out_flush();
    free(seq);
    free(qual);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "fqgen: write error: %s\n", strerror(errno));
        return 1;
    }
    return 0;
}
