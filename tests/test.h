/* tests/test.h - the smallest test harness that can fail.
   Each test is a function; RUN(fn) runs it and prints one line:
     PASS name | FAIL name | SKIP name: reason
   tests/run.sh counts those lines across all test programs. */
#ifndef FQP_TEST_H
#define FQP_TEST_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fqpt_failed, fqpt_skipped, fqpt_any_failed;
static char fqpt_skip_reason[256];

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "  %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            fqpt_failed = 1;                                                         \
        }                                                                            \
    } while (0)

/* CHECK plus an early return: for checks later code depends on. */
#define REQUIRE(cond)                                                                \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "  %s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, #cond); \
            fqpt_failed = 1;                                                         \
            return;                                                                  \
        }                                                                            \
    } while (0)

#define CHECK_EQ_U64(a, b)                                                           \
    do {                                                                             \
        unsigned long long fqpt_a = (unsigned long long)(a), fqpt_b = (unsigned long long)(b); \
        if (fqpt_a != fqpt_b) {                                                      \
            fprintf(stderr, "  %s:%d: %s == %s failed: %llu != %llu\n", __FILE__,    \
                    __LINE__, #a, #b, fqpt_a, fqpt_b);                               \
            fqpt_failed = 1;                                                         \
        }                                                                            \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                           \
    do {                                                                             \
        long long fqpt_a = (long long)(a), fqpt_b = (long long)(b);                  \
        if (fqpt_a != fqpt_b) {                                                      \
            fprintf(stderr, "  %s:%d: %s == %s failed: %lld != %lld\n", __FILE__,    \
                    __LINE__, #a, #b, fqpt_a, fqpt_b);                               \
            fqpt_failed = 1;                                                         \
        }                                                                            \
    } while (0)

/* Compares a (pointer, length) view with a C string. */
#define CHECK_MEM(ptr, len, str)                                                     \
    do {                                                                             \
        size_t fqpt_l = strlen(str);                                                 \
        if ((size_t)(len) != fqpt_l || memcmp((ptr), (str), fqpt_l) != 0) {          \
            fprintf(stderr, "  %s:%d: %s is \"%.*s\", expected \"%s\"\n", __FILE__,  \
                    __LINE__, #ptr, (int)(len), (const char *)(ptr), (str));         \
            fqpt_failed = 1;                                                         \
        }                                                                            \
    } while (0)

#define SKIP(...)                                                                    \
    do {                                                                             \
        snprintf(fqpt_skip_reason, sizeof fqpt_skip_reason, __VA_ARGS__);            \
        fqpt_skipped = 1;                                                            \
        return;                                                                      \
    } while (0)

#define RUN(fn)                                                                      \
    do {                                                                             \
        fqpt_failed = 0;                                                             \
        fqpt_skipped = 0;                                                            \
        fn();                                                                        \
        if (fqpt_failed) {                                                           \
            printf("FAIL %s\n", #fn);                                                \
            fqpt_any_failed = 1;                                                     \
        } else if (fqpt_skipped) {                                                   \
            printf("SKIP %s: %s\n", #fn, fqpt_skip_reason);                          \
        } else {                                                                     \
            printf("PASS %s\n", #fn);                                                \
        }                                                                            \
        fflush(stdout);                                                              \
    } while (0)

#define TEST_EXIT() return fqpt_any_failed ? 1 : 0

#endif
