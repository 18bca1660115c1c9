/* Queue tests: blocking, draining, cancel, and a many-producer many-consumer
   stress with exact accounting of every item. */
#define _POSIX_C_SOURCE 200809L /* pthreads and nanosleep in tests */
#define FASTQPAR_IMPLEMENTATION
#include "fastqpar.h"
#include "test.h"

#include "thread.h"

static void test_fifo_and_try_pop(void)
{
    fqp_queue *q;
    void *item = NULL;
    intptr_t i;
    REQUIRE(fqp_queue_create(&q, 4, NULL) == FQP_OK);
    CHECK_EQ_INT(fqp_queue_try_pop(q, &item), FQP_AGAIN);
    for (i = 1; i <= 4; i++) CHECK_EQ_INT(fqp_queue_push(q, (void *)i), FQP_OK);
    CHECK_EQ_U64(fqp_queue_depth(q), 4);
    for (i = 1; i <= 4; i++) {
        CHECK_EQ_INT(fqp_queue_pop(q, &item), FQP_OK);
        CHECK_EQ_INT((intptr_t)item, i);
    }
    CHECK_EQ_U64(fqp_queue_high_water(q), 4);
    fqp_queue_destroy(q);
}

typedef struct pusher {
    fqp_queue *q;
    int n;
    fqp_result last;
    int pushed;
} pusher;

static int push_n(void *arg)
{
    pusher *p = (pusher *)arg;
    int i;
    for (i = 0; i < p->n; i++) {
        p->last = fqp_queue_push(p->q, (void *)(intptr_t)(i + 1));
        if (p->last != FQP_OK) break;
        p->pushed++;
    }
    return 0;
}

/* A full bounded queue blocks the pusher until a pop makes room. */
static void test_bounded_blocks(void)
{
    fqp_queue *q;
    test_thread t;
    pusher p;
    void *item;
    double push_wait = 0;
    REQUIRE(fqp_queue_create(&q, 2, NULL) == FQP_OK);
    memset(&p, 0, sizeof p);
    p.q = q;
    p.n = 3;
    test_thread_start(&t, push_n, &p);
    test_sleep_ms(100);
    CHECK_EQ_U64(fqp_queue_depth(q), 2); /* the third push is blocked */
    CHECK_EQ_INT(fqp_queue_pop(q, &item), FQP_OK);
    test_thread_join(&t);
    CHECK_EQ_INT(p.pushed, 3);
    CHECK_EQ_U64(fqp_queue_depth(q), 2);
    CHECK_EQ_U64(fqp_queue_high_water(q), 2);
    fqp_queue_wait_seconds(q, &push_wait, NULL);
    CHECK(push_wait > 0.05);
    fqp_queue_destroy(q);
}

static void test_done_after_drain(void)
{
    fqp_queue *q;
    void *item;
    REQUIRE(fqp_queue_create(&q, 0, NULL) == FQP_OK); /* unbounded */
    CHECK_EQ_INT(fqp_queue_push(q, (void *)1), FQP_OK);
    CHECK_EQ_INT(fqp_queue_push(q, (void *)2), FQP_OK);
    fqp_queue_close(q);
    CHECK_EQ_INT(fqp_queue_push(q, (void *)3), FQP_ERR_CANCELLED); /* closed: refused, not lost silently */
    CHECK_EQ_INT(fqp_queue_pop(q, &item), FQP_OK);
    CHECK_EQ_INT((intptr_t)item, 1);
    CHECK_EQ_INT(fqp_queue_pop(q, &item), FQP_OK);
    CHECK_EQ_INT((intptr_t)item, 2);
    CHECK_EQ_INT(fqp_queue_pop(q, &item), FQP_DONE);
    CHECK_EQ_INT(fqp_queue_try_pop(q, &item), FQP_DONE);
    fqp_queue_destroy(q);
}

static void test_unbounded_grows(void)
{
    fqp_queue *q;
    void *item;
    intptr_t i;
    REQUIRE(fqp_queue_create(&q, 0, NULL) == FQP_OK);
    for (i = 0; i < 10; i++) CHECK_EQ_INT(fqp_queue_push(q, (void *)(i + 1)), FQP_OK);
    CHECK_EQ_INT(fqp_queue_pop(q, &item), FQP_OK); /* move head so the ring wraps */
    for (i = 10; i < 100000; i++) CHECK_EQ_INT(fqp_queue_push(q, (void *)(i + 1)), FQP_OK);
    for (i = 1; i < 100000; i++) {
        REQUIRE(fqp_queue_pop(q, &item) == FQP_OK);
        if ((intptr_t)item != i + 1) {
            CHECK_EQ_INT((intptr_t)item, i + 1);
            break;
        }
    }
    CHECK_EQ_U64(fqp_queue_high_water(q), 99999);
    fqp_queue_destroy(q);
}

typedef struct popper {
    fqp_queue *q;
    fqp_result last;
    long long sum, count;
} popper;

static int pop_all(void *arg)
{
    popper *p = (popper *)arg;
    void *item;
    while ((p->last = fqp_queue_pop(p->q, &item)) == FQP_OK) {
        p->sum += (intptr_t)item;
        p->count++;
    }
    return 0;
}

/* Cancel wakes poppers waiting on empty and pushers waiting on full. */
static void test_cancel_wakes_all(void)
{
    fqp_queue *empty_q, *full_q;
    popper pops[4];
    pusher push[4];
    test_thread tp[4], tq[4];
    int i;
    REQUIRE(fqp_queue_create(&empty_q, 4, NULL) == FQP_OK);
    REQUIRE(fqp_queue_create(&full_q, 1, NULL) == FQP_OK);
    CHECK_EQ_INT(fqp_queue_push(full_q, (void *)1), FQP_OK);
    for (i = 0; i < 4; i++) {
        memset(&pops[i], 0, sizeof pops[i]);
        pops[i].q = empty_q;
        test_thread_start(&tp[i], pop_all, &pops[i]);
        memset(&push[i], 0, sizeof push[i]);
        push[i].q = full_q;
        push[i].n = 1;
        test_thread_start(&tq[i], push_n, &push[i]);
    }
    test_sleep_ms(100);
    fqp_queue_cancel(empty_q);
    fqp_queue_cancel(full_q);
    for (i = 0; i < 4; i++) {
        test_thread_join(&tp[i]);
        test_thread_join(&tq[i]);
        CHECK_EQ_INT(pops[i].last, FQP_ERR_CANCELLED);
        CHECK_EQ_INT(push[i].last, FQP_ERR_CANCELLED);
        CHECK_EQ_INT(push[i].pushed, 0);
    }
    {   /* what was inside is still there for cleanup */
        void *item = NULL;
        CHECK_EQ_INT(fqp_queue_try_pop(full_q, &item), FQP_ERR_CANCELLED);
        CHECK_EQ_INT(fqp_queue_try_pop_any(full_q, &item), FQP_OK);
        CHECK_EQ_INT((intptr_t)item, 1);
        CHECK_EQ_INT(fqp_queue_try_pop_any(full_q, &item), FQP_AGAIN);
    }
    fqp_queue_destroy(empty_q);
    fqp_queue_destroy(full_q);
}

/* 8 producers x 8 consumers through a queue of 3: every item exactly once. */
static void test_mpmc_stress(void)
{
    enum { P = 8, C = 8, N = 4000 };
    fqp_queue *q;
    pusher push[P];
    popper pops[C];
    test_thread tp[P], tc[C];
    long long sum = 0, count = 0, expect = (long long)P * N * (N + 1) / 2;
    int i, round;
    for (round = 0; round < 3; round++) {
        REQUIRE(fqp_queue_create(&q, round == 2 ? 0 : (size_t)(1 + round * 2), NULL) == FQP_OK);
        for (i = 0; i < C; i++) {
            memset(&pops[i], 0, sizeof pops[i]);
            pops[i].q = q;
            test_thread_start(&tc[i], pop_all, &pops[i]);
        }
        for (i = 0; i < P; i++) {
            memset(&push[i], 0, sizeof push[i]);
            push[i].q = q;
            push[i].n = N;
            test_thread_start(&tp[i], push_n, &push[i]);
        }
        for (i = 0; i < P; i++) test_thread_join(&tp[i]);
        fqp_queue_close(q);
        sum = count = 0;
        for (i = 0; i < C; i++) {
            test_thread_join(&tc[i]);
            CHECK_EQ_INT(pops[i].last, FQP_DONE);
            sum += pops[i].sum;
            count += pops[i].count;
        }
        CHECK_EQ_INT(count, (long long)P * N);
        CHECK_EQ_INT(sum, expect);
        CHECK(fqp_queue_high_water(q) <= (round == 2 ? (size_t)P * N : (size_t)(1 + round * 2)));
        fqp_queue_destroy(q);
    }
}

int main(void)
{
    RUN(test_fifo_and_try_pop);
    RUN(test_bounded_blocks);
    RUN(test_done_after_drain);
    RUN(test_unbounded_grows);
    RUN(test_cancel_wakes_all);
    RUN(test_mpmc_stress);
    TEST_EXIT();
}
