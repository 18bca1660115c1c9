/* libFuzzer harness for paired input (fqp_paired_run). The first four
   bytes choose the consumer count (1..8), batch record and byte limits,
   interleaved or two files, the name check, and where the rest of the input
   is split into file 1 and file 2. The reference reads each file alone,
   single-threaded (fqp_producer_read), and pairs the records itself.
   Invariants, when every file parses:
     - names of a pair differ (ignoring a trailing /1 /2 /3): FQP_ERR_PAIR_NAME
       at the first such pair (with the name check on);
     - else different record counts (or an odd count, interleaved):
       FQP_ERR_PAIR_COUNT;
     - else FQP_OK;
   and process() saw each reference pair before the error exactly once (all
   of them, and nothing else, without an error).
   When a file does not parse, the run fails, and exactly as a run with one
   consumer and default limits fails (code, record, line, byte offset), with
   the pairs that run saw (a prefix of the reference's) seen once each.
   Build and run: make fuzz. */
#define FASTQPAR_IMPLEMENTATION
#include "fastqpar.h"
#include "ref_fastq.h"
#include <stdlib.h>
#include <string.h>

enum { MAX_RECORDS = 1 << 16 };

typedef struct file_ref {
    fqp_result code;
    uint64_t n;
    uint64_t *digest, *key; /* per record: its text, its name without /1 /2 /3 */
} file_ref;

static uint64_t record_digest(const fqp_record *r)
{
    uint64_t h = 14695981039346656037ull;
    h = ref_mix(h, r->name, r->name_len);
    h = ref_mix(h, r->comment, r->comment_len);
    h = ref_mix(h, r->seq, r->len);
    return ref_mix(h, r->qual, r->len);
}

static uint64_t name_key(const fqp_record *r)
{
    uint64_t n = r->name_len;
    if (n >= 2 && r->name[n - 2] == '/' && (r->name[n - 1] == '1' || r->name[n - 1] == '2' || r->name[n - 1] == '3'))
        n -= 2;
    return ref_mix(14695981039346656037ull, r->name, n);
}

static void read_alone(const uint8_t *data, size_t size, file_ref *f)
{
    fqp_producer_desc d;
    fqp_producer *p;
    fqp_batch *b;
    fqp_error err;
    memset(f, 0, sizeof *f);
    memset(&d, 0, sizeof d);
    d.input.data = size ? (const void *)data : "";
    d.input.size = size;
    d.config.ignore_env = 1;
    d.config.threads = 1;
    f->digest = (uint64_t *)malloc(MAX_RECORDS * sizeof *f->digest);
    f->key = (uint64_t *)malloc(MAX_RECORDS * sizeof *f->key);
    if (!f->digest || !f->key || fqp_producer_create(&p, &d, &err) != FQP_OK) abort();
    while ((f->code = fqp_producer_read(p, &b)) == FQP_OK) {
        uint64_t i;
        for (i = 0; i < b->count; i++) {
            fqp_record r = fqp_batch_record(b, i);
            if (f->n == MAX_RECORDS) abort(); /* -max_len keeps inputs far below this */
            f->digest[f->n] = record_digest(&r);
            f->key[f->n++] = name_key(&r);
        }
        fqp_producer_release(p, b);
    }
    if (f->code == FQP_DONE) f->code = FQP_OK;
    fqp_producer_destroy(p);
}

static uint64_t pair_digest(uint64_t pair, uint64_t a, uint64_t b)
{
    return ((pair * 1099511628211ull) ^ a) * 0x9E3779B97F4A7C15ull + b;
}

typedef struct totals {
    uint64_t pairs, digest_sum;
} totals;

/* Per pair: how often process() saw it, and its digest (each pair batch is
   processed by one consumer, so these are written by one thread each). */
static unsigned char seen_n[MAX_RECORDS];
static uint64_t seen_d[MAX_RECORDS];

static fqp_result on_pair(fqp_pair *pr, void *state, void *user)
{
    totals *t = (totals *)state;
    uint64_t i;
    (void)user;
    for (i = 0; i < pr->count; i++) {
        fqp_record a = fqp_pair_record(pr, 0, i), b = fqp_pair_record(pr, 1, i);
        uint64_t n = pr->first_pair + i, dg = pair_digest(n, record_digest(&a), record_digest(&b));
        t->digest_sum += dg;
        if (n < MAX_RECORDS) {
            seen_n[n]++;
            seen_d[n] = dg;
        }
    }
    t->pairs += pr->count;
    return FQP_OK;
}

/* process() saw pairs [0, want) once each, as the reference pairs them
   (ref: their digests), any later pair at most once, and none when `exact`. */
static int seen_ok(uint64_t want, const uint64_t *ref, uint64_t nref, int exact)
{
    uint64_t i;
    for (i = 0; i < MAX_RECORDS; i++) {
        if (i < want && (seen_n[i] != 1 || i >= nref || seen_d[i] != ref[i])) return 0;
        if (i >= want && (seen_n[i] > 1 || (seen_n[i] && exact) || (seen_n[i] && i < nref && seen_d[i] != ref[i])))
            return 0;
    }
    return 1;
}

static uint64_t ref_sum(const uint64_t *ref, uint64_t n)
{
    uint64_t i, sum = 0;
    for (i = 0; i < n; i++) sum += ref[i];
    return sum;
}

static totals merged;
static fqp_result on_merge(void *state, int consumer, void *user)
{
    (void)consumer;
    (void)user;
    merged.pairs += ((totals *)state)->pairs;
    merged.digest_sum += ((totals *)state)->digest_sum;
    return FQP_OK;
}

typedef struct outcome {
    fqp_result code;
    uint64_t record, line, offset;
    totals t;
} outcome;

static outcome run(const uint8_t *a, size_t na, const uint8_t *b, size_t nb, int interleaved, int no_name_check,
                   int threads, uint64_t batch_records, uint64_t batch_bytes)
{
    fqp_paired_desc d;
    fqp_error err;
    outcome o;
    memset(&d, 0, sizeof d);
    memset(&o, 0, sizeof o);
    d.input[0].data = na ? (const void *)a : "";
    d.input[0].size = na;
    if (!interleaved) {
        d.input[1].data = nb ? (const void *)b : "";
        d.input[1].size = nb;
    }
    d.interleaved = interleaved;
    d.no_name_check = no_name_check;
    d.config.ignore_env = 1;
    d.config.threads = threads;
    d.config.batch_records = batch_records;
    d.config.batch_bytes = batch_bytes;
    d.state_size = sizeof(totals);
    d.process = on_pair;
    d.merge = on_merge;
    memset(&merged, 0, sizeof merged);
    memset(seen_n, 0, sizeof seen_n);
    o.code = fqp_paired_run(&d, NULL, &err);
    o.t = merged;
    if (o.code != FQP_OK) {
        o.record = err.record;
        o.line = err.line;
        o.offset = err.offset;
    }
    return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    file_ref fa, fb;
    outcome got, base;
    int threads, interleaved, no_name_check;
    uint64_t batch_records, batch_bytes, i, nref, *ref;
    size_t split;
    const uint8_t *a, *b;
    size_t na, nb;
    if (size < 4) return 0;
    threads = 1 + data[0] % 8;
    batch_records = 1 + data[1] % 64;
    batch_bytes = data[2] & 0x80 ? 0 : 1 + (uint64_t)(data[2] & 0x7f) * 4;
    interleaved = data[3] & 1;
    no_name_check = (data[3] >> 1) & 1;
    split = (size_t)(data[3] >> 2);
    data += 4, size -= 4;
    split = size * split / 63;
    a = data;
    na = interleaved ? size : split;
    b = data + split;
    nb = interleaved ? 0 : size - split;

    read_alone(a, na, &fa);
    if (!interleaved) read_alone(b, nb, &fb);
    /* the reference pairs: (a_i, b_i), or (r_2i, r_2i+1) interleaved; with a
       file that does not parse, those before its error */
    {
        const uint64_t *db = interleaved ? fa.digest + 1 : fb.digest;
        uint64_t step = interleaved ? 2 : 1, na_rec = interleaved ? fa.n / 2 : fa.n;
        uint64_t nb_rec = interleaved ? fa.n / 2 : fb.n;
        nref = na_rec < nb_rec ? na_rec : nb_rec;
        ref = (uint64_t *)malloc((nref + 1) * sizeof *ref);
        if (!ref) abort();
        for (i = 0; i < nref; i++) ref[i] = pair_digest(i, fa.digest[i * step], db[i * step]);
    }
    if (fa.code != FQP_OK || (!interleaved && fb.code != FQP_OK)) {
        /* a file does not parse: the run fails as a run with one consumer and
           default limits fails, having seen the same pairs before the error */
        uint64_t seen = 0;
        base = run(a, na, b, nb, interleaved, no_name_check, 1, 0, 0);
        while (seen < MAX_RECORDS && seen_n[seen]) seen++;
        if (base.code >= 0 || !seen_ok(seen, ref, nref, 1)) {
            fprintf(stderr, "one consumer: code %d, or not a prefix of the reference's %llu pairs seen\n",
                    (int)base.code, (unsigned long long)nref);
            abort();
        }
        got = run(a, na, b, nb, interleaved, no_name_check, threads, batch_records, batch_bytes);
        if (got.code != base.code || got.record != base.record || got.line != base.line ||
            got.offset != base.offset || !seen_ok(seen, ref, nref, 0)) {
            fprintf(stderr, "parse error differs: code %d/%d record %llu/%llu line %llu/%llu offset %llu/%llu, "
                    "or pairs before it (%llu) not seen once each\n",
                    (int)got.code, (int)base.code, (unsigned long long)got.record, (unsigned long long)base.record,
                    (unsigned long long)got.line, (unsigned long long)base.line, (unsigned long long)got.offset,
                    (unsigned long long)base.offset, (unsigned long long)seen);
            abort();
        }
    } else {
        const uint64_t *ka = fa.key, *kb = interleaved ? fa.key + 1 : fb.key;
        uint64_t step = interleaved ? 2 : 1;
        fqp_result want = FQP_OK;
        for (i = 0; i < nref; i++)
            if (!no_name_check && ka[i * step] != kb[i * step]) {
                want = FQP_ERR_PAIR_NAME;
                break;
            }
        if (want == FQP_OK && (interleaved ? fa.n % 2 != 0 : fa.n != fb.n)) want = FQP_ERR_PAIR_COUNT;
        got = run(a, na, b, nb, interleaved, no_name_check, threads, batch_records, batch_bytes);
        if (got.code != want) {
            fprintf(stderr, "code %d, want %d (records %llu and %llu)\n", (int)got.code, (int)want,
                    (unsigned long long)fa.n, (unsigned long long)(interleaved ? 0 : fb.n));
            abort();
        }
        /* pairs before the error once each; all of them, and only them, on success */
        if (!seen_ok(i, ref, nref, want == FQP_OK) ||
            (want == FQP_OK && (got.t.pairs != nref || got.t.digest_sum != ref_sum(ref, nref)))) {
            fprintf(stderr, "pairs before the error (%llu) not seen once each\n", (unsigned long long)i);
            abort();
        }
    }
    free(ref);
    free(fa.digest);
    free(fa.key);
    if (!interleaved) {
        free(fb.digest);
        free(fb.key);
    }
    return 0;
}
