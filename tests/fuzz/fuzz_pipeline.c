/* libFuzzer harness for the whole pipeline. The first four bytes choose the
   consumer count (1..8), batch record and byte limits, queue depth and
   whether output is ordered; the rest is the input (plain or gzip). The
   reference is a single-threaded fqp_producer_read with default limits.
   Invariants: the same result code; on error the same record, line and
   byte offset; on success the same totals (records, bases, an
   order-independent digest of every record) and, with ordered output,
   byte for byte the records the reference writes, in order.
   Build and run: make fuzz. */
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
    uint64_t record, line, offset;
    totals t;
} outcome;

typedef struct text {
    char *p;
    size_t len, cap;
} text;

static int text_add(text *t, const void *p, size_t n)
{
    t->p = (char *)th_append(t->p, &t->len, &t->cap, p, n);
    return 0;
}

/* One record's digest, with its number: summing them ignores the order in
   which consumers saw the batches, not which record had which text. */
static void add_batch(totals *t, const fqp_batch *b)
{
    uint64_t i;
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
}

static void write_batch(text *out, const fqp_batch *b)
{
    uint64_t i;
    for (i = 0; i < b->count; i++) {
        fqp_record r = fqp_batch_record(b, i);
        text_add(out, "@", 1);
        text_add(out, b->head + b->head_off[i], (size_t)(b->head_off[i + 1] - b->head_off[i]));
        text_add(out, "\n", 1);
        text_add(out, r.seq, r.len);
        text_add(out, "\n+\n", 3);
        text_add(out, r.qual, r.len);
        text_add(out, "\n", 1);
    }
}

static outcome reference(const uint8_t *data, size_t size, text *out)
{
    fqp_producer_desc d;
    fqp_producer *p;
    fqp_batch *b;
    fqp_error err;
    outcome o;
    memset(&o, 0, sizeof o);
    memset(&d, 0, sizeof d);
    d.input.data = size ? (const void *)data : "";
    d.input.size = size;
    d.config.ignore_env = 1;
    d.config.threads = 1;
    d.config.batch_bytes = 1u << 16; /* above -max_len: one batch */
    d.config.read_size = 1u << 16;
    if (fqp_producer_create(&p, &d, &err) != FQP_OK) abort();
    while ((o.code = fqp_producer_read(p, &b)) == FQP_OK) {
        add_batch(&o.t, b);
        write_batch(out, b);
        fqp_producer_release(p, b);
    }
    if (o.code == FQP_DONE) o.code = FQP_OK;
    fqp_producer_error(p, &err);
    o.record = err.record;
    o.line = err.line;
    o.offset = err.offset;
    fqp_producer_destroy(p);
    return o;
}

static fqp_result on_batch(fqp_batch *b, void *state, void *user)
{
    int ordered = *(const int *)user;
    add_batch((totals *)state, b);
    return ordered ? th_write_batch(b, state, NULL) : FQP_OK;
}

static totals merged;
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

static int collect(void *user, const void *data, size_t size) { return text_add((text *)user, data, size); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fqp_pipeline_desc d;
    fqp_error err;
    outcome ref, got;
    text ref_out = {NULL, 0, 0}, out = {NULL, 0, 0};
    int ordered;
    if (size < 4) return 0;
    d = th_pipeline_desc(size > 4 ? (const void *)(data + 4) : "", size - 4, 1 + data[0] % 8, 1 + data[1] % 64);
    d.config.batch_bytes = data[2] & 0x80 ? 0 : 1 + (uint64_t)(data[2] & 0x7f) * 4;
    d.config.queue_depth = (size_t)(data[3] & 3);
    d.config.read_size = 1 + (size_t)(data[3] >> 2) * 3;
    ordered = (data[0] >> 3) & 1;
    data += 4, size -= 4;
    ref = reference(data, size, &ref_out);
    d.state_size = sizeof(totals);
    d.process = on_batch;
    d.merge = on_merge;
    d.user = &ordered;
    if (ordered) {
        d.output.write = collect;
        d.output.write_user = &out;
    }
    memset(&merged, 0, sizeof merged);
    memset(&got, 0, sizeof got);
    got.code = fqp_pipeline_run(&d, NULL, &err);
    got.t = merged;
    got.record = err.record;
    got.line = err.line;
    got.offset = err.offset;
    if (got.code != ref.code) abort();
    if (got.code == FQP_OK) {
        if (got.t.records != ref.t.records || got.t.bases != ref.t.bases || got.t.digest_sum != ref.t.digest_sum)
            abort();
        if (ordered && (out.len != ref_out.len || (out.len && memcmp(out.p, ref_out.p, out.len) != 0))) abort();
    } else if (got.record != ref.record || got.line != ref.line || got.offset != ref.offset) {
        fprintf(stderr, "error differs: code %d record %llu/%llu line %llu/%llu offset %llu/%llu\n", (int)got.code,
                (unsigned long long)got.record, (unsigned long long)ref.record, (unsigned long long)got.line,
                (unsigned long long)ref.line, (unsigned long long)got.offset, (unsigned long long)ref.offset);
        abort();
    }
    free(ref_out.p);
    free(out.p);
    return 0;
}
