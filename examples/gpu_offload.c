/* gpu_offload - synchronous GPU offload from CPU consumers: a consumer hands
   its batch to the GPU, waits for the answer and goes on with it on its own
   thread. The same answer with or without a GPU.

   Build: make build/gpu_offload
   Run:   gpu_offload [-q Q] [-v] [FILE]      (plain or gzip; none: stdin)
   Trims each read's 3' end by BWA's rule at quality Q (default 20); prints
   reads, bases kept, and reads trimmed to nothing. FASTQPAR_FORCE_CPU=1:
   never touch the driver; FASTQPAR_FORCE_GPU=1: no usable GPU is an error.

   Offload (not GPU consumers: gpu_prefix_sum.c) keeps the work on the
   thread holding the batch, to write trimmed reads in order after, or to
   work on an fqp_pair (fqp_paired_run has no GPU consumers). The steps:
     1. fqp_cuda_open with kernels FQP_GPU_TRIM and offload_only = 1: load
        the driver and kernels, start no thread. FQP_ERR_NO_GPU (no driver,
        no device) is an ordinary result: keep ctx NULL and go on.
     2. init(): each consumer opens its own fqp_cuda_worker (stream and
        buffers), so consumers offload at the same time.
     3. process(): fqp_cuda_trim_batch returns once the intervals are
        there. A NULL worker, or one whose GPU failed (counted in its
        metrics), trims with fqp_trim_batch, the bit-identical CPU twin.
     4. fini() closes each worker; after the run, fqp_cuda_close. */
#define FASTQPAR_IMPLEMENTATION
#include "fastqpar_cuda.h"
#include "tools/fqcli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct job {
    fqp_cuda *ctx;             /* NULL: no usable GPU, trim on the CPU */
    fqp_trim_desc trim;
    uint64_t reads, kept, emptied, gpu_batches, cpu_batches; /* merge() only */
} job;

typedef struct worker_state {
    fqp_cuda_worker *gpu;      /* NULL: trim on the CPU */
    uint64_t *se, cap;         /* start/end pairs of one batch, grown as needed */
    uint64_t reads, kept, emptied;
} worker_state;

/* 2. Consumer thread, before its first batch. Fails only under FORCE. */
static fqp_result init(void *state, int consumer, void *user)
{
    fqp_error err;
    fqp_result r = FQP_OK;
    fqp_cuda *ctx = ((job *)user)->ctx;
    if (ctx && (r = fqp_cuda_worker_open(ctx, consumer, &((worker_state *)state)->gpu, &err)) != FQP_OK)
        fprintf(stderr, "gpu_offload: %s\n", err.message);
    return r;
}

/* 3. Consumer thread, once per batch. */
static fqp_result process(fqp_batch *b, void *state, void *user)
{
    worker_state *s = (worker_state *)state;
    fqp_error err;
    uint64_t i;
    if (b->count > s->cap) {
        uint64_t *grown = (uint64_t *)realloc(s->se, (size_t)(2 * b->count) * sizeof *grown);
        if (!grown) return fqp_batch_error(b, UINT64_MAX, FQP_ERR_NOMEM, "out of memory");
        s->se = grown;
        s->cap = b->count;
    }
    /* Returns once read i's kept interval is in se[2i], se[2i+1]. */
    if (fqp_cuda_trim_batch(s->gpu, b, &((const job *)user)->trim, s->se, &err) != FQP_OK)
        return fqp_batch_error(b, UINT64_MAX, err.code, "%s", err.message); /* FORCE only */
    for (i = 0; i < b->count; i++) {
        uint64_t kept = s->se[2 * i + 1] - s->se[2 * i];
        s->kept += kept;
        s->emptied += kept == 0;
    }
    s->reads += b->count;
    return FQP_OK;
}

/* Calling thread, after the run: add up, and see where the batches ran. */
static fqp_result merge(void *state, int consumer, void *user)
{
    const worker_state *s = (const worker_state *)state;
    job *j = (job *)user;
    fqp_cuda_consumer_metrics m;
    (void)consumer;
    j->reads += s->reads;
    j->kept += s->kept;
    j->emptied += s->emptied;
    if (s->gpu && fqp_cuda_worker_metrics(s->gpu, &m) == FQP_OK) {
        j->gpu_batches += m.batches;
        j->cpu_batches += m.requeued; /* trimmed on the CPU after its GPU failed */
    }
    return FQP_OK;
}

/* 4. Calling thread, always (also after an error). */
static void fini(void *state, int consumer, void *user)
{
    (void)consumer;
    (void)user;
    fqp_cuda_worker_close(((worker_state *)state)->gpu);
    free(((worker_state *)state)->se);
}

int main(int argc, char **argv)
{
    job j = {0};
    fqp_cuda_desc gd = {0};    /* zero means default */
    fqp_pipeline_desc d = {0};
    fqp_error err;
    fqp_result r;
    int n, st, on_gpu, verbose = 0, quiet = 0;
    const fqc_opt opts[] = {{'q', "quality-cutoff", FQC_INT, &j.trim.threshold, 0, 93, "Q", "trim at quality Q (20)"},
                            {'v', "verbose", FQC_FLAG, &verbose, 0, 0, NULL, "say whether the GPU or the CPU trims"},
                            {'Q', "quiet", FQC_FLAG, &quiet, 0, 0, NULL, "no GPU batch counts"}, FQC_END};
    const fqc_cli cli = {"gpu_offload", "usage: gpu_offload [-q Q] [-v] [FILE]\n", NULL, opts, NULL};
    j.trim.mode = FQP_TRIM_BWA;
    j.trim.threshold = 20;
    if ((st = fqc_parse(&cli, argc, argv, &n)) != FQC_GO) return st;
    if (n > 1) return fqc_fail(&cli, "one FILE at most, not %d", n);
    d.input.path = n ? argv[1] : "-";

    /* 1. The GPU, if there is a usable one. */
    gd.kernels = FQP_GPU_TRIM;
    gd.offload_only = 1; /* no GPU consumer threads: config.threads are all CPU consumers */
    if (fqp_cuda_open(&j.ctx, &gd, &err) == FQP_OK) {
        if (verbose) fprintf(stderr, "gpu_offload: trimming on %d GPU(s)\n", fqp_cuda_device_count(j.ctx));
    } else if (fqp_cuda_mode(&gd) == FQP_GPU_FORCE) { /* FASTQPAR_FORCE_GPU=1 */
        fprintf(stderr, "gpu_offload: %s\n", err.message);
        return 1;
    } else if (verbose) {
        fprintf(stderr, "gpu_offload: trimming on the CPU: %s\n", err.message);
    }
    on_gpu = j.ctx != NULL;

    d.state_size = sizeof(worker_state);
    d.init = init;
    d.process = process;
    d.merge = merge;
    d.fini = fini;
    d.user = &j;
    r = fqp_pipeline_run(&d, NULL, &err);
    fqp_cuda_close(j.ctx); /* after fini() closed every worker */
    if (r < 0) {
        fprintf(stderr, "gpu_offload: %s\n", err.message);
        return 1;
    }
    if (on_gpu && !quiet)
        fprintf(stderr, "gpu_offload: %llu batches trimmed on the GPU, %llu on the CPU after a GPU failure\n",
                (unsigned long long)j.gpu_batches, (unsigned long long)j.cpu_batches);
    printf("reads\t%llu\nbases_kept\t%llu\nreads_emptied\t%llu\n", (unsigned long long)j.reads,
           (unsigned long long)j.kept, (unsigned long long)j.emptied);
    return 0;
}
