/* tests/fqdump.c - prints every record the way tests/fqref.c does, through
   fastqpar's pipeline with ordered output, so the two can be compared byte
   for byte:   name<TAB>comment<TAB>seq<TAB>qual

   usage: fqdump [-t THREADS] [-b BATCH_RECORDS] [-B BATCH_BYTES] [-r READ_SIZE]
                 [-W] [FILE]
     FILE   plain or gzip; "-" or none = stdin
     -W     deliver the ordered output through a write callback instead of
            config.output.file

   Each consumer formats its batch into one buffer of its own and appends it
   to the batch with fqp_batch_write; the library writes batches in input
   order whatever the number of threads. */
#define FASTQPAR_IMPLEMENTATION
#include "fastqpar.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *buf;
    size_t cap;
} dump_state;

/* Consumer thread: formats every record of the batch and appends the text
   to the batch's ordered output. Touches only its own state. */
static fqp_result dump_batch(fqp_batch *b, void *state, void *user) {
    dump_state *s = (dump_state *)state;
    (void)user;
    /* first pass: the exact size, and a check of the record views */
    uint64_t need = 0, bases = 0;
    for (uint64_t i = 0; i < b->count; i++) {
        fqp_record r = fqp_batch_record(b, i);
        need += r.name_len + r.comment_len + 2 * r.len + 4;
        bases += r.len;
    }
    if (bases != b->bases)
        return fqp_batch_error(b, UINT64_MAX, FQP_ERR_CONSUMER,
                               "records hold %llu bases, batch says %llu",
                               (unsigned long long)bases, (unsigned long long)b->bases);
    if (need > SIZE_MAX / 2) return fqp_batch_error(b, UINT64_MAX, FQP_ERR_NOMEM, "batch too large");
    if (need > s->cap) {
        size_t cap = (size_t)need + (size_t)need / 2 + 64;
        char *p = (char *)realloc(s->buf, cap);
        if (!p) return fqp_batch_error(b, UINT64_MAX, FQP_ERR_NOMEM, "out of memory");
        s->buf = p;
        s->cap = cap;
    }
    char *d = s->buf;
    for (uint64_t i = 0; i < b->count; i++) {
        fqp_record r = fqp_batch_record(b, i);
        if (r.name_len) memcpy(d, r.name, (size_t)r.name_len), d += r.name_len;
        *d++ = '\t';
        if (r.comment_len) memcpy(d, r.comment, (size_t)r.comment_len), d += r.comment_len;
        *d++ = '\t';
        if (r.len) memcpy(d, r.seq, (size_t)r.len), d += r.len;
        *d++ = '\t';
        if (r.len) memcpy(d, r.qual, (size_t)r.len), d += r.len;
        *d++ = '\n';
    }
    size_t n = (size_t)(d - s->buf);
    return n ? fqp_batch_write(b, s->buf, n) : FQP_OK;
}

/* Calling thread, after the run: frees the consumer's buffer. */
static void dump_fini(void *state, int consumer, void *user) {
    dump_state *s = (dump_state *)state;
    (void)consumer;
    (void)user;
    free(s->buf);
    s->buf = NULL;
    s->cap = 0;
}

/* Writer (a consumer thread, one at a time): the -W output path. */
static int write_stdout(void *user, const void *data, size_t size) {
    return fwrite(data, 1, size, (FILE *)user) == size ? 0 : 1;
}

static uint64_t parse_count(const char *opt, const char *s) {
    char *end;
    errno = 0;
    unsigned long long v = s && *s >= '0' && *s <= '9' ? strtoull(s, &end, 10) : 0;
    if (!s || *s < '0' || *s > '9' || errno || *end || v == 0) {
        fprintf(stderr, "fqdump: %s needs a positive number\n", opt);
        exit(2);
    }
    return (uint64_t)v;
}

int main(int argc, char **argv) {
    fqp_pipeline_desc d;
    fqp_error err;
    int use_callback = 0;
    memset(&d, 0, sizeof d);
    d.input.path = "-";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-t")) {
            uint64_t t = parse_count(a, v);
            d.config.threads = t > FQP_MAX_THREADS ? FQP_MAX_THREADS : (int)t;
            i++;
        } else if (!strcmp(a, "-b")) d.config.batch_records = parse_count(a, v), i++;
        else if (!strcmp(a, "-B")) d.config.batch_bytes = parse_count(a, v), i++;
        else if (!strcmp(a, "-r")) d.config.read_size = (size_t)parse_count(a, v), i++;
        else if (!strcmp(a, "-W")) use_callback = 1;
        else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "usage: fqdump [-t N] [-b N] [-B N] [-r N] [-W] [FILE]\n");
            return 2;
        } else d.input.path = a;
    }
    if (use_callback) {
        d.output.write = write_stdout;
        d.output.write_user = stdout;
    } else {
        d.output.file = stdout;
    }
    d.state_size = sizeof(dump_state);
    d.process = dump_batch;
    d.fini = dump_fini;

    fqp_result r = fqp_pipeline_run(&d, NULL, &err);
    if (r < 0) {
        fflush(stdout);
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "fqdump: write error: %s\n", strerror(errno));
        return 1;
    }
    return 0;
}
