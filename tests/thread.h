/* tests/thread.h - test-only threads. Tests use pthreads directly: the TSan
   runtime of gcc 12 / clang 14 does not see glibc's C11 thrd_create. */
#ifndef FQP_TEST_THREAD_H
#define FQP_TEST_THREAD_H
#include <pthread.h>
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
#endif
