/* One program built in every configuration: C and C++, STATIC, NO_ZLIB and
   custom allocator macros. Prints records and bases of stdin or exits 1. */
#ifdef USE_MALLOC_MACROS
#include <stdlib.h>
static long variant_allocs;
#define FASTQPAR_MALLOC(sz) (variant_allocs++, malloc(sz))
#define FASTQPAR_REALLOC(p, sz) realloc(p, sz)
#define FASTQPAR_FREE(p) free(p)
#endif
#define FASTQPAR_IMPLEMENTATION
#include "fastqpar.h"
#include <stdio.h>
#include <string.h>

static fqp_result noop(fqp_batch *b, void *state, void *user)
{
    unsigned long long *n = (unsigned long long *)state;
    (void)user;
    n[0] += b->count;
    n[1] += b->bases;
    return FQP_OK;
}

static fqp_result add(void *state, int consumer, void *user)
{
    unsigned long long *n = (unsigned long long *)state, *t = (unsigned long long *)user;
    (void)consumer;
    t[0] += n[0];
    t[1] += n[1];
    return FQP_OK;
}

int main(void)
{
    unsigned long long total[2] = {0, 0};
    fqp_pipeline_desc d;
    fqp_error err;
    memset(&d, 0, sizeof d);
    d.input.path = "-";
    d.state_size = sizeof total;
    d.process = noop;
    d.merge = add;
    d.user = total;
    if (fqp_pipeline_run(&d, NULL, &err) < 0) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
#ifdef USE_MALLOC_MACROS
    if (variant_allocs == 0) return 3;
#endif
    printf("%llu %llu\n", total[0], total[1]);
    return 0;
}
