/* libFuzzer harness for the parser. Invariant, not just "no crash": the same
   bytes read whole from memory and read through a callback in short random
   pieces, with random batch limits, give the same records (compared by a
   digest) or the same error code, record and line.
   Build: clang -fsanitize=fuzzer,address,undefined -I. tests/fuzz/fuzz_parser.c -lz */
#define FASTQPAR_IMPLEMENTATION
#include "fastqpar.h"
#include <stdlib.h>
#include <string.h>

typedef struct piecewise {
    const uint8_t *data;
    size_t size, pos;
    uint32_t rng;
} piecewise;

static int64_t piecewise_read(void *user, void *buf, size_t size)
{
    piecewise *p = (piecewise *)user;
    size_t n;
    p->rng = p->rng * 1103515245u + 12345u;
    n = 1 + (p->rng >> 16) % 23;
    if (n > size) n = size;
    if (n > p->size - p->pos) n = p->size - p->pos;
    memcpy(buf, p->data + p->pos, n);
    p->pos += n;
    return (int64_t)n;
}

typedef struct outcome {
    fqp_result code;
    uint64_t record, line, records, digest;
} outcome;

static uint64_t mix(uint64_t h, const char *p, uint64_t n)
{
    uint64_t i;
    for (i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    return (h ^ n) * 1099511628211ull;
}

static outcome parse(const fqp_input_desc *in, uint64_t batch_records, uint64_t batch_bytes, size_t read_size,
                     fqp_validation v)
{
    fqp_producer_desc d;
    fqp_producer *p;
    fqp_batch *b;
    fqp_error err;
    outcome o;
    memset(&o, 0, sizeof o);
    memset(&d, 0, sizeof d);
    d.input = *in;
    d.config.ignore_env = 1;
    d.config.batch_records = batch_records;
    d.config.batch_bytes = batch_bytes;
    d.config.read_size = read_size;
    d.config.validate = v;
    d.config.threads = 1;
    if (fqp_producer_create(&p, &d, &err) != FQP_OK) abort();
    o.digest = 14695981039346656037ull;
    while ((o.code = fqp_producer_read(p, &b)) == FQP_OK) {
        uint64_t i;
        for (i = 0; i < b->count; i++) {
            fqp_record r = fqp_batch_record(b, i);
            if (r.number != b->first_record + i + 1) abort();
            o.digest = mix(o.digest, r.name, r.name_len);
            o.digest = mix(o.digest, r.comment, r.comment_len);
            o.digest = mix(o.digest, r.seq, r.len);
            o.digest = mix(o.digest, r.qual, r.len);
        }
        o.records += b->count;
        fqp_producer_release(p, b);
    }
    if (o.code == FQP_DONE) o.code = FQP_OK;
    fqp_producer_error(p, &err);
    o.record = err.record;
    o.line = err.line;
    fqp_producer_destroy(p);
    return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fqp_input_desc mem, cb;
    piecewise pw;
    outcome a, b;
    fqp_validation v = size && (data[0] & 1) ? FQP_VALIDATE_NONE : FQP_VALIDATE_ALL;
    memset(&mem, 0, sizeof mem);
    mem.data = data;
    mem.size = size;
    a = parse(&mem, 1000000, 1u << 20, 1u << 20, v);
    memset(&pw, 0, sizeof pw);
    pw.data = data;
    pw.size = size;
    pw.rng = (uint32_t)size * 2654435761u;
    memset(&cb, 0, sizeof cb);
    cb.read = piecewise_read;
    cb.read_user = &pw;
    b = parse(&cb, 1 + size % 5, 1 + size % 97, 1 + size % 13, v);
    if (a.code != b.code || a.record != b.record || a.line != b.line) abort();
    if (a.code == FQP_OK && (a.records != b.records || a.digest != b.digest)) abort();
    return 0;
}
