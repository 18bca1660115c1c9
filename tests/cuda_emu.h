/* tests/cuda_emu.h - device emulation: kernels.cu compiled as host C11 or C++11.

   Like nvcc's old device-emulation mode, every GPU thread of a block is a
   host execution context of its own (a fiber with its own stack), so the
   kernels' synchronisation is real:
     __syncthreads()      a barrier among the threads of the block
     __shfl_*_sync,       a barrier among the 32 threads of one warp plus an
     __ballot_sync          exchange of values; lanes are linear thread ids
                            32w .. 32w+31, as on a GPU
     atomicAdd            an atomic read-modify-write, global or shared, on
                            unsigned long long or unsigned int
     __shared__           `static`: one copy shared by the threads of a block
   The fibers of a block run one at a time on the launching thread, each
   until it waits at a barrier or ends; the last thread to reach a barrier
   releases the others. Fibers rather than one host thread per GPU thread
   because a barrier then costs a few stack switches instead of dozens of
   context switches (10 to 50 times faster on a two-core machine). Blocks
   run one after another, so one static copy of each __shared__ variable
   serves every block, and fqp_emu_launch serialises launches. Kernels must
   initialise __shared__ memory themselves, as on a GPU. Warp intrinsics
   ignore their mask: the kernels call them with the full mask from
   warp-uniform control flow (a block size that is a multiple of 32; a last
   partial warp synchronises only its own threads).

   A barrier that some thread never reaches (a __syncthreads or shuffle in
   divergent code, or after a thread returned) is reported and aborts: the
   scheduler notices that no fiber can run.

   Stack switching: a 15-instruction routine on x86-64 ELF systems, the
   POSIX ucontext functions elsewhere (correct, but each switch is a
   system call). Under AddressSanitizer and ThreadSanitizer every switch
   is announced to the sanitizer (fiber annotations). ThreadSanitizer
   ignores the memory accesses of the fibers and the switches do not
   synchronise: fibers take turns on one host thread, so there is no race
   among them for TSan to find, and tracking them made the tests ten times
   slower; the host threads around a launch are checked as usual.

   Include this header, then kernels.cu, in exactly one C or C++ file
   (tests/kernels_emu.c); define _XOPEN_SOURCE 700 before any include. */
#ifndef FQP_CUDA_EMU_H
#define FQP_CUDA_EMU_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__ELF__) && !defined(FQP_EMU_UCONTEXT)
#define FQP_EMU_ASM_SWITCH 1
#else
#include <ucontext.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define FQP_EMU_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FQP_EMU_ASAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define FQP_EMU_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FQP_EMU_TSAN 1
#endif
#endif
#ifdef FQP_EMU_ASAN
#include <sanitizer/common_interface_defs.h>
#endif
#ifdef FQP_EMU_TSAN
#include <sanitizer/tsan_interface.h>
#ifdef __cplusplus
extern "C" {
#endif
void __tsan_ignore_thread_begin(void); /* exported by the TSan runtime, not in its header */
#ifdef __cplusplus
}
#endif
#endif

#define FQP_EMU_STACK ((size_t)128 << 10) /* per GPU thread */

/* ---- the CUDA names the kernels use ---- */

#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static
#define warpSize 32

typedef struct fqp_emu_uint3 {
    unsigned int x, y, z;
} fqp_emu_uint3;

struct fqp_emu_fiber;

typedef struct fqp_emu_barrier {
    unsigned count, arrived;          /* members that must arrive; arrived so far */
    struct fqp_emu_fiber **members;   /* members[0 .. count) */
    const char *what;                 /* named in the deadlock report */
} fqp_emu_barrier;

/* A warp: its barrier and two exchange buffers used alternately, so one
   barrier per shuffle suffices: a lane can only write a buffer again after
   every lane has passed the next barrier, i.e. has read it. */
typedef struct fqp_emu_warp {
    fqp_emu_barrier bar;
    unsigned long long slot[2][32];
} fqp_emu_warp;

enum { FQP_EMU_RUNNABLE, FQP_EMU_WAITING, FQP_EMU_DONE };

typedef struct fqp_emu_fiber {
    fqp_emu_uint3 thread_idx, block_idx;
    struct fqp_emu_grid *grid;
    fqp_emu_warp *warp;
    unsigned lane, lanes, phase;      /* lanes: threads in this warp */
    int state;
    fqp_emu_barrier *waiting;         /* while FQP_EMU_WAITING */
    char *stack;
#ifdef FQP_EMU_ASM_SWITCH
    void *sp;                         /* saved stack pointer */
#else
    ucontext_t uc;
#endif
    void *asan_fake_stack;
    void *tsan_fiber;
} fqp_emu_fiber;

typedef struct fqp_emu_grid {
    fqp_emu_uint3 grid_dim, block_dim, block_idx;
    unsigned threads;                 /* per block */
    void (*kernel)(void **params);
    void **params;
    fqp_emu_barrier block_bar;
    fqp_emu_warp *warps;
    fqp_emu_fiber **fibers;           /* the first `threads` fibers of the pool */
    /* the scheduler: the launching thread's own stack */
#ifdef FQP_EMU_ASM_SWITCH
    void *sched_sp;
#else
    ucontext_t sched_uc;
#endif
    void *sched_asan_fake_stack;
    const void *sched_stack_bottom;
    size_t sched_stack_size;
    void *sched_tsan_fiber;
} fqp_emu_grid;

/* The running GPU thread. One launch at a time, all on one host thread. */
static fqp_emu_fiber *fqp_emu_self;

#define threadIdx (fqp_emu_self->thread_idx)
#define blockIdx (fqp_emu_self->block_idx)
#define blockDim (fqp_emu_self->grid->block_dim)
#define gridDim (fqp_emu_self->grid->grid_dim)

/* ---- stack switching ---- */

#ifdef FQP_EMU_ASM_SWITCH
/* Saves the callee-saved registers on this stack, stores the stack pointer
   in *save, loads `next` and restores what is saved there. A new stack is
   prepared to "return" into fqp_emu_fiber_main. */
__asm__(".text\n"
        ".globl fqp_emu_switch_x86_64\n"
        ".hidden fqp_emu_switch_x86_64\n"
        ".type fqp_emu_switch_x86_64, @function\n"
        "fqp_emu_switch_x86_64:\n"
        "    pushq %rbp\n"
        "    pushq %rbx\n"
        "    pushq %r12\n"
        "    pushq %r13\n"
        "    pushq %r14\n"
        "    pushq %r15\n"
        "    movq %rsp, (%rdi)\n"
        "    movq %rsi, %rsp\n"
        "    popq %r15\n"
        "    popq %r14\n"
        "    popq %r13\n"
        "    popq %r12\n"
        "    popq %rbx\n"
        "    popq %rbp\n"
        "    ret\n"
        ".size fqp_emu_switch_x86_64, .-fqp_emu_switch_x86_64\n");
void fqp_emu_switch(void **save, void *next) __asm__("fqp_emu_switch_x86_64");
#endif

/* From the scheduler into fiber f: announce the switch to the sanitizers,
   switch, and finish the announcement once the scheduler runs again. */
static void fqp_emu_switch_to_fiber(fqp_emu_grid *g, fqp_emu_fiber *f)
{
#ifdef FQP_EMU_TSAN
    __tsan_switch_to_fiber(f->tsan_fiber, __tsan_switch_to_fiber_no_sync);
#endif
#ifdef FQP_EMU_ASAN
    __sanitizer_start_switch_fiber(&g->sched_asan_fake_stack, f->stack, FQP_EMU_STACK);
#endif
#ifdef FQP_EMU_ASM_SWITCH
    fqp_emu_switch(&g->sched_sp, f->sp);
#else
    swapcontext(&g->sched_uc, &f->uc);
#endif
#ifdef FQP_EMU_ASAN
    __sanitizer_finish_switch_fiber(g->sched_asan_fake_stack, NULL, NULL);
#endif
    (void)g;
}

/* From fiber f back to the scheduler. */
static void fqp_emu_switch_to_scheduler(fqp_emu_fiber *f)
{
    fqp_emu_grid *g = f->grid;
#ifdef FQP_EMU_TSAN
    __tsan_switch_to_fiber(g->sched_tsan_fiber, __tsan_switch_to_fiber_no_sync);
#endif
#ifdef FQP_EMU_ASAN
    __sanitizer_start_switch_fiber(&f->asan_fake_stack, g->sched_stack_bottom, g->sched_stack_size);
#endif
#ifdef FQP_EMU_ASM_SWITCH
    fqp_emu_switch(&f->sp, g->sched_sp);
#else
    swapcontext(&f->uc, &g->sched_uc);
#endif
#ifdef FQP_EMU_ASAN
    /* f->grid: resumed by a later launch, whose scheduler may be another */
    __sanitizer_finish_switch_fiber(f->asan_fake_stack, &f->grid->sched_stack_bottom, &f->grid->sched_stack_size);
#endif
}

/* Every fiber starts here, on its own stack, and never returns: it runs the
   kernel of the current launch for the current block, to the end, then
   waits to be resumed for the next block or the next launch. */
static void fqp_emu_fiber_main(void)
{
    fqp_emu_fiber *f;
#ifdef FQP_EMU_TSAN
    __tsan_ignore_thread_begin(); /* see the note on ThreadSanitizer at the top */
#endif
    f = fqp_emu_self;
#ifdef FQP_EMU_ASAN
    __sanitizer_finish_switch_fiber(NULL, &f->grid->sched_stack_bottom, &f->grid->sched_stack_size);
#endif
    for (;;) {
        f->grid->kernel(f->grid->params);
        f->state = FQP_EMU_DONE;
        fqp_emu_switch_to_scheduler(f);
    }
}

#ifndef FQP_EMU_ASM_SWITCH
/* (a function of its own: getcontext returns twice) */
static void fqp_emu_make_context(ucontext_t *uc, char *stack)
{
    getcontext(uc);
    uc->uc_stack.ss_sp = stack;
    uc->uc_stack.ss_size = FQP_EMU_STACK;
    uc->uc_link = NULL;
    makecontext(uc, fqp_emu_fiber_main, 0);
}
#endif

/* A new fiber, ready to enter fqp_emu_fiber_main; NULL without memory. */
static fqp_emu_fiber *fqp_emu_fiber_create(void)
{
    fqp_emu_fiber *f = (fqp_emu_fiber *)calloc(1, sizeof *f);
    if (f) f->stack = (char *)malloc(FQP_EMU_STACK);
    if (!f || !f->stack) {
        free(f);
        return NULL;
    }
#ifdef FQP_EMU_ASM_SWITCH
    {
        void (*entry)(void) = fqp_emu_fiber_main;
        uintptr_t top = ((uintptr_t)f->stack + FQP_EMU_STACK) & ~(uintptr_t)15;
        void **sp = (void **)top;
        int i;
        *--sp = NULL;                         /* fqp_emu_fiber_main's return address: none */
        --sp;
        memcpy(sp, &entry, sizeof entry);     /* where the first switch "returns" to */
        for (i = 0; i < 6; i++) *--sp = NULL; /* rbp rbx r12 r13 r14 r15 */
        f->sp = sp;
    }
#else
    fqp_emu_make_context(&f->uc, f->stack);
#endif
#ifdef FQP_EMU_TSAN
    f->tsan_fiber = __tsan_create_fiber(0);
#endif
    return f;
}

/* ---- barriers ---- */

/* Returns when all b->count members have called it; the last to arrive
   releases the others and goes on without a switch. */
static void fqp_emu_barrier_wait(fqp_emu_barrier *b)
{
    fqp_emu_fiber *self = fqp_emu_self;
    if (++b->arrived == b->count) {
        unsigned i;
        b->arrived = 0;
        for (i = 0; i < b->count; i++) {
            fqp_emu_fiber *m = b->members[i];
            if (m->waiting == b) {
                m->waiting = NULL;
                m->state = FQP_EMU_RUNNABLE;
            }
        }
        return;
    }
    self->waiting = b;
    self->state = FQP_EMU_WAITING;
    fqp_emu_switch_to_scheduler(self);
}

/* ---- device functions ---- */

static inline void __syncthreads(void) { fqp_emu_barrier_wait(&fqp_emu_self->grid->block_bar); }

/* Publishes v, waits for the warp, returns the value of lane `src`
   (this lane's own value when src is outside the warp). */
static inline unsigned long long fqp_emu_exchange(unsigned long long v, unsigned src)
{
    fqp_emu_fiber *t = fqp_emu_self;
    unsigned long long *slot = t->warp->slot[t->phase];
    t->phase ^= 1u;
    slot[t->lane] = v;
    fqp_emu_barrier_wait(&t->warp->bar);
    return src < t->lanes ? slot[src] : v;
}

static inline unsigned long long __shfl_sync(unsigned mask, unsigned long long v, int src)
{
    (void)mask;
    return fqp_emu_exchange(v, (unsigned)src & 31u);
}

static inline unsigned long long __shfl_up_sync(unsigned mask, unsigned long long v, unsigned delta)
{
    unsigned lane = fqp_emu_self->lane;
    (void)mask;
    return fqp_emu_exchange(v, lane >= delta ? lane - delta : lane);
}

static inline unsigned long long __shfl_down_sync(unsigned mask, unsigned long long v, unsigned delta)
{
    unsigned lane = fqp_emu_self->lane;
    (void)mask;
    return fqp_emu_exchange(v, lane + delta < 32u ? lane + delta : lane);
}

static inline unsigned long long __shfl_xor_sync(unsigned mask, unsigned long long v, int lane_mask)
{
    (void)mask;
    return fqp_emu_exchange(v, fqp_emu_self->lane ^ ((unsigned)lane_mask & 31u));
}

/* Bit i of the result is lane i's predicate. */
static inline unsigned __ballot_sync(unsigned mask, int pred)
{
    fqp_emu_fiber *t = fqp_emu_self;
    unsigned long long *slot = t->warp->slot[t->phase];
    unsigned i, bits = 0;
    (void)mask;
    t->phase ^= 1u;
    slot[t->lane] = pred != 0;
    fqp_emu_barrier_wait(&t->warp->bar);
    for (i = 0; i < t->lanes; i++) bits |= (unsigned)slot[i] << i;
    return bits;
}

/* 1 + the index of the least significant set bit, 0 for 0. */
static inline int __ffs(int x) { return __builtin_ffs(x); }

/* atomicAdd on unsigned long long and on unsigned int (the k-mer counters of
   examples/gpu_kmer.cu): overloads in C++, _Generic in C. */
static inline unsigned long long fqp_emu_atomic_add_u64(unsigned long long *address, unsigned long long v)
{
    return __atomic_fetch_add(address, v, __ATOMIC_RELAXED);
}

static inline unsigned fqp_emu_atomic_add_u32(unsigned *address, unsigned v)
{
    return __atomic_fetch_add(address, v, __ATOMIC_RELAXED);
}

#ifdef __cplusplus
static inline unsigned long long atomicAdd(unsigned long long *address, unsigned long long v)
{
    return fqp_emu_atomic_add_u64(address, v);
}
static inline unsigned atomicAdd(unsigned *address, unsigned v) { return fqp_emu_atomic_add_u32(address, v); }
#else
#define atomicAdd(address, v) \
    _Generic((address), unsigned long long *: fqp_emu_atomic_add_u64, unsigned *: fqp_emu_atomic_add_u32)(address, v)
#endif

/* ---- running a grid ---- */

static void fqp_emu_deadlock(fqp_emu_grid *g)
{
    unsigned i;
    fprintf(stderr, "cuda_emu: deadlock in block (%u,%u,%u): no thread can run\n", g->block_idx.x, g->block_idx.y,
            g->block_idx.z);
    for (i = 0; i < g->threads; i++) {
        const fqp_emu_fiber *f = g->fibers[i];
        if (f->state == FQP_EMU_WAITING)
            fprintf(stderr, "  thread %u waits at %s (%u of %u arrived)\n", i, f->waiting->what, f->waiting->arrived,
                    f->waiting->count);
    }
    fprintf(stderr, "  (a barrier in divergent code, or one that a finished thread never reaches)\n");
    abort();
}

/* Runs the fibers that can run until none can: all are done (returns), or
   some wait at a barrier that none can reach (reported; aborts). */
static void fqp_emu_schedule(fqp_emu_grid *g)
{
    unsigned i, done = 0;
    while (done < g->threads) {
        int ran = 0;
        for (i = 0; i < g->threads; i++) {
            fqp_emu_fiber *f = g->fibers[i];
            if (f->state != FQP_EMU_RUNNABLE) continue;
            ran = 1;
            fqp_emu_self = f;
            fqp_emu_switch_to_fiber(g, f);
            if (f->state == FQP_EMU_DONE) done++;
        }
        if (!ran) fqp_emu_deadlock(g);
    }
    fqp_emu_self = NULL;
}

/* The fibers: fiber i is GPU thread i of every block of every launch. They
   live as long as the process, suspended between launches, so a launch
   creates nothing (fresh stacks and sanitizer contexts for every launch
   cost more than running the kernels). */
static fqp_emu_fiber *fqp_emu_pool[1024];
static unsigned fqp_emu_pool_size;

/* Runs kernel(params) over the whole grid; returns 0, or -1 without memory
   or with more than 1024 threads per block. Not reentrant: the caller
   serialises launches. */
static int fqp_emu_run(void (*kernel)(void **), fqp_emu_uint3 grid, fqp_emu_uint3 block, void **params)
{
    fqp_emu_grid g;
    unsigned i, nwarps;
    memset(&g, 0, sizeof g);
    g.grid_dim = grid;
    g.block_dim = block;
    g.threads = block.x * block.y * block.z;
    g.kernel = kernel;
    g.params = params;
    if (g.threads > sizeof fqp_emu_pool / sizeof fqp_emu_pool[0]) return -1;
    for (; fqp_emu_pool_size < g.threads; fqp_emu_pool_size++)
        if (!(fqp_emu_pool[fqp_emu_pool_size] = fqp_emu_fiber_create())) return -1;
    nwarps = (g.threads + 31) / 32;
    g.warps = (fqp_emu_warp *)calloc(nwarps, sizeof *g.warps);
    if (!g.warps) return -1;
    g.fibers = fqp_emu_pool;
    for (i = 0; i < g.threads; i++) {
        fqp_emu_fiber *f = g.fibers[i];
        f->grid = &g;
        f->thread_idx.x = i % block.x;
        f->thread_idx.y = i / block.x % block.y;
        f->thread_idx.z = i / (block.x * block.y);
        f->warp = &g.warps[i / 32];
        f->lane = i % 32;
        f->lanes = g.threads - i / 32 * 32 < 32 ? g.threads - i / 32 * 32 : 32;
        f->waiting = NULL;
    }
    g.block_bar.count = g.threads;
    g.block_bar.members = g.fibers;
    g.block_bar.what = "__syncthreads";
    for (i = 0; i < nwarps; i++) {
        g.warps[i].bar.count = g.fibers[32 * i]->lanes;
        g.warps[i].bar.members = &g.fibers[32 * i];
        g.warps[i].bar.what = "a warp shuffle or ballot";
    }
#ifdef FQP_EMU_TSAN
    g.sched_tsan_fiber = __tsan_get_current_fiber();
#endif
    for (g.block_idx.z = 0; g.block_idx.z < grid.z; g.block_idx.z++)
        for (g.block_idx.y = 0; g.block_idx.y < grid.y; g.block_idx.y++)
            for (g.block_idx.x = 0; g.block_idx.x < grid.x; g.block_idx.x++) {
                for (i = 0; i < g.threads; i++) {
                    g.fibers[i]->block_idx = g.block_idx;
                    g.fibers[i]->state = FQP_EMU_RUNNABLE;
                    g.fibers[i]->phase = 0;
                }
                fqp_emu_schedule(&g);
            }
    free(g.warps);
    return 0;
}

#endif
