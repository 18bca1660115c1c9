/* Two translation units of one program: this one holds the implementation. */
#include <stdio.h>
#include "fastqpar.h"
#define FASTQPAR_IMPLEMENTATION
#include "fastqpar.h" /* included twice: the second time brings the implementation */

int count_in_b(const char *text, unsigned long long *records);

int main(void)
{
    unsigned long long records = 0;
    fqp_result r = (fqp_result)count_in_b("@a\nAC\n+\nII\n@b\nG\n+\nI\n", &records);
    printf("%s %llu %s\n", fqp_result_string(r), records, FASTQPAR_VERSION_STRING);
    return r == FQP_OK && records == 2 ? 0 : 1;
}
