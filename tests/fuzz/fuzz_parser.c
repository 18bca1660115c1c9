/* libFuzzer harness for the parser. Invariants, not just "no crash": the same
   bytes read whole from memory, through a callback in short random pieces
   with random batch limits, and from a FILE* with a random read size, give
   the same records (compared by a digest) or the same error code, record,
   line and byte offset; and (for plain text) the records, or the number of
   the first bad record, are those of the reference reader (ref_fastq.h, the
   rules of tests/fqref.c), under either letter set (config.letters).
   Build and run: make fuzz (FUZZ_SECONDS=60 per harness). */
#define _POSIX_C_SOURCE 200809L /* fmemopen */
#define FASTQPAR_IMPLEMENTATION
#include "fastqpar.h"
#include "../helpers.h"
#include "ref_fastq.h"
#include <stdlib.h>
#include <string.h>

typedef struct outcome {
    fqp_result code;
    uint64_t record, line, offset, records, digest;
} outcome;

static uint64_t mix(uint64_t h, const char *p, uint64_t n)
{
    uint64_t i;
    for (i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    return (h ^ n) * 1099511628211ull;
}

static fqp_letters letters; /* this input's letter set: both sets are fuzzed */

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
    d.config.letters = letters;
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
    o.offset = err.offset;
    fqp_producer_destroy(p);
    return o;
}

/* Prints both outcomes, then aborts (the finding). */
static void differ(const char *what, const outcome *a, const outcome *b)
{
    fprintf(stderr, "%s differ: code %d/%d record %llu/%llu line %llu/%llu offset %llu/%llu records %llu/%llu\n", what,
            (int)a->code, (int)b->code, (unsigned long long)a->record, (unsigned long long)b->record,
            (unsigned long long)a->line, (unsigned long long)b->line, (unsigned long long)a->offset,
            (unsigned long long)b->offset, (unsigned long long)a->records, (unsigned long long)b->records);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fqp_input_desc mem, cb;
    th_pieces pw;
    outcome a, b;
    fqp_validation v = size && (data[0] & 1) ? FQP_VALIDATE_NONE : FQP_VALIDATE_ALL;
    if (th_other_compression(data, size)) return 0; /* refused whole, before any record */
    letters = (size / 3) % 2 ? FQP_LETTERS_IUPAC : FQP_LETTERS_PRINTABLE; /* data[0] is mostly '@' */
    memset(&mem, 0, sizeof mem);
    mem.data = data;
    mem.size = size;
    a = parse(&mem, 1000000, 1u << 16, 1u << 16, v); /* above -max_len: one batch */
    memset(&pw, 0, sizeof pw);
    pw.data = data;
    pw.size = size;
    pw.rng = (uint32_t)size * 2654435761u;
    pw.max = 23;
    memset(&cb, 0, sizeof cb);
    cb.read = th_pieces_read;
    cb.read_user = &pw;
    b = parse(&cb, 1 + size % 5, 1 + size % 97, 1 + size % 13, v);
    if (a.code != b.code || a.record != b.record || a.line != b.line || a.offset != b.offset) differ("callback", &a, &b);
    if (a.code == FQP_OK && (a.records != b.records || a.digest != b.digest)) differ("callback", &a, &b);
    {   /* a FILE* (fmemopen cannot open 0 bytes) */
        FILE *f = size ? fmemopen((void *)(uintptr_t)data, size, "rb") : NULL;
        if (f) {
            fqp_input_desc fin;
            outcome c;
            memset(&fin, 0, sizeof fin);
            fin.file = f;
            c = parse(&fin, 1 + size % 7, 1 + size % 61, 1 + (size >> 3) % 29, v);
            fclose(f);
            if (a.code != c.code || a.record != c.record || a.line != c.line || a.offset != c.offset)
                differ("FILE*", &a, &c);
            if (a.code == FQP_OK && (a.records != c.records || a.digest != c.digest)) differ("FILE*", &a, &c);
        }
    }
    if (!(size >= 2 && data[0] == 0x1f && data[1] == 0x8b)) { /* plain text: the reference reader */
        uint64_t ref_records, ref_digest;
        uint64_t bad = ref_parse((const char *)data, size, v == FQP_VALIDATE_ALL, letters == FQP_LETTERS_IUPAC,
                                 &ref_records, &ref_digest);
        outcome ref;
        memset(&ref, 0, sizeof ref);
        ref.code = bad ? FQP_ERR_INVALID_ARGUMENT : FQP_OK; /* the reference has no codes */
        ref.record = bad;
        ref.records = ref_records;
        if (bad == 0 && (a.code != FQP_OK || a.records != ref_records || a.digest != ref_digest))
            differ("reference", &a, &ref);
        if (bad != 0 && (a.code >= 0 || a.record != bad)) differ("reference", &a, &ref);
    }
    return 0;
}
