/* tests/thread.h - test-only threads. Tests use pthreads directly: the TSan
   runtime of gcc 12 / clang 14 does not see glibc's C11 thrd_create.
   Also the watchdog every threaded test program runs. */
#ifndef FQP_TEST_THREAD_H
#define FQP_TEST_THREAD_H
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct test_thread {
    pthread_t t;
    int (*fn)(void *);
    void *arg;
} test_thread;

static inline void *test_thread_trampoline(void *p)
{
    test_thread *t = (test_thread *)p;
    t->fn(t->arg);
    return NULL;
}

static inline void test_thread_start(test_thread *t, int (*fn)(void *), void *arg)
{
    t->fn = fn;
    t->arg = arg;
    pthread_create(&t->t, NULL, test_thread_trampoline, t);
}

static inline void test_thread_join(test_thread *t) { pthread_join(t->t, NULL); }

static inline void test_sleep_ms(int ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

/* ---- the watchdog: a hang is a failure, not a stuck CI job ----
   A test bumps test_progress whenever something finishes (a run, a batch);
   RUN_WATCHED sets test_current to the test it runs. Once a second the
   watchdog looks at both; when neither changed for `seconds`, it prints
   "FAIL watchdog: <what> for <seconds> s" and ends the program (status 1).
   <what> is describe()'s text, or "<test> hung" where describe is NULL. */
#if defined(__GNUC__) || defined(__clang__)
#define TEST_THREAD_UNUSED __attribute__((unused))
#else
#define TEST_THREAD_UNUSED
#endif
TEST_THREAD_UNUSED static atomic_ulong test_progress;
TEST_THREAD_UNUSED static _Atomic(const char *) test_current = "start";
TEST_THREAD_UNUSED static int test_watchdog_seconds;
TEST_THREAD_UNUSED static void (*test_watchdog_describe)(char *buf, size_t size);

static inline int test_watchdog(void *arg)
{
    unsigned long seen = 0;
    const char *seen_test = NULL;
    int same = 0;
    (void)arg;
    for (;;) {
        unsigned long now;
        const char *now_test;
        test_sleep_ms(1000);
        now = atomic_load(&test_progress);
        now_test = atomic_load(&test_current);
        same = now == seen && now_test == seen_test ? same + 1 : 0;
        seen = now;
        seen_test = now_test;
        if (same >= test_watchdog_seconds) {
            char what[256];
            if (test_watchdog_describe) test_watchdog_describe(what, sizeof what);
            else snprintf(what, sizeof what, "%s hung", seen_test);
            printf("FAIL watchdog: %s for %d s\n", what, test_watchdog_seconds);
            fflush(stdout);
            _Exit(1);
        }
    }
    return 0;
}

/* Starts the watchdog on a detached thread that lives as long as the program. */
static inline void test_watchdog_start(int seconds, void (*describe)(char *buf, size_t size))
{
    static test_thread w;
    test_watchdog_seconds = seconds;
    test_watchdog_describe = describe;
    test_thread_start(&w, test_watchdog, NULL);
    pthread_detach(w.t);
}

/* RUN (tests/test.h) with test_current set for the watchdog. */
#define RUN_WATCHED(fn)                         \
    do {                                        \
        atomic_store(&test_current, #fn);       \
        RUN(fn);                                \
    } while (0)
#endif
