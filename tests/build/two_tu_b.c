/* The other translation unit: declarations only. */
#include <string.h>
#include "fastqpar.h"

#ifdef __cplusplus
extern "C"
#endif
int count_in_b(const char *text, unsigned long long *records);
int count_in_b(const char *text, unsigned long long *records)
{
    fqp_producer_desc d;
    fqp_producer *p;
    fqp_batch *b;
    fqp_result r;
    memset(&d, 0, sizeof d);
    d.input.data = text;
    d.input.size = strlen(text);
    if ((r = fqp_producer_create(&p, &d, NULL)) != FQP_OK) return r;
    while ((r = fqp_producer_read(p, &b)) == FQP_OK) {
        *records += b->count;
        fqp_producer_release(p, b);
    }
    fqp_producer_destroy(p);
    return r == FQP_DONE ? FQP_OK : r;
}
