/* gpu_prefix_sum - a GPU consumer from end to end: per-read quality prefix
   sums computed on the GPU when there is one, by the CPU twin when not, with
   the same answer either way.

   Build: make build/gpu_prefix_sum
   Run:   gpu_prefix_sum [--cpu|--gpu] [-v] [FILE]  (plain or gzip; none: stdin)
   Prints the reads, their mean-quality classes and the quality sum.

   The prefix sums p[k] = q_0 + ... + q_k of a read give the quality sum of
   bases i..j in O(1): p[j] - p[i-1]. Here each read uses them for its mean
   quality (p[len-1] / len) and the mean of its last 10 bases. The steps:
     1. fqp_cuda_open with the FQP_GPU_PREFIX_SUM kernel and an on_results
        callback; FQP_ERR_NO_GPU (no driver, no device) is not an error:
        the program runs on CPU consumers alone.
     2. fqp_cuda_consumers fills fqp_pipeline_desc.custom: each GPU consumer
        is one more consumer thread, taken from config.threads.
     3. fqp_pipeline_run: CPU consumers compute the sums in process() with
        fqp_qual_prefix_sum (the CPU twin); GPU consumers upload batches, run
        the kernel and call on_results with the sums. Both count into state
        of their own.
     4. After the run: add up everything, read the GPU metrics, close. */
#define FASTQPAR_IMPLEMENTATION
#include "fastqpar_cuda.h"
#include "tools/fqcli.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TAIL = 10, MAX_GPU = 64 };

/* What one consumer counts. */
typedef struct counts {
    uint64_t reads, qual_sum;
    uint64_t mean_q30, mean_q20, tail_below_q20;
    uint64_t *prefix;      /* CPU consumers: room for one batch's sums */
    uint64_t prefix_size;  /* entries */
} counts;

/* Either thread kind: counts one batch from its prefix sums. */
static void count_batch(counts *c, const fqp_batch *b, const uint64_t *prefix) {
    uint64_t i;
    for (i = 0; i < b->count; i++) {
        const uint64_t *p = prefix + b->seq_off[i]; /* this read's sums */
        uint64_t len = b->seq_off[i + 1] - b->seq_off[i], total, tail;
        c->reads++;
        if (len == 0) continue;
        total = p[len - 1];
        c->qual_sum += total;
        c->mean_q30 += total >= 30 * len; /* mean >= 30 without dividing */
        c->mean_q20 += total >= 20 * len;
        if (len >= TAIL) {
            tail = total - (len > TAIL ? p[len - TAIL - 1] : 0); /* the last TAIL bases, O(1) */
            c->tail_below_q20 += tail < 20 * TAIL;
        }
    }
}

/* CPU consumer thread, once per batch: the CPU twin computes the sums. */
static fqp_result process(fqp_batch *b, void *state, void *user) {
    counts *c = (counts *)state;
    (void)user;
    if (b->bases > c->prefix_size) {
        uint64_t *grown = (uint64_t *)realloc(c->prefix, b->bases * sizeof *grown);
        if (!grown) return FQP_ERR_NOMEM;
        c->prefix = grown;
        c->prefix_size = b->bases;
    }
    fqp_qual_prefix_sum(b, c->prefix);
    count_batch(c, b, c->prefix);
    return FQP_OK;
}

/* GPU consumer thread, once per batch the GPU finished: the sums are in
   results->prefix (host memory, valid during this call). */
static fqp_result on_results(fqp_batch *b, const fqp_cuda_results *results, int consumer, void *user) {
    counts *gpu = (counts *)user;
    count_batch(&gpu[consumer], b, results->prefix);
    return FQP_OK;
}

static void add(counts *into, const counts *c) {
    into->reads += c->reads;
    into->qual_sum += c->qual_sum;
    into->mean_q30 += c->mean_q30;
    into->mean_q20 += c->mean_q20;
    into->tail_below_q20 += c->tail_below_q20;
}

/* Calling thread, after the run: one CPU consumer's counts into the total. */
static fqp_result merge(void *state, int consumer, void *user) {
    (void)consumer;
    add((counts *)user, (const counts *)state);
    return FQP_OK;
}

static void fini(void *state, int consumer, void *user) {
    (void)consumer;
    (void)user;
    free(((counts *)state)->prefix);
}

int main(int argc, char **argv) {
    static counts gpu[MAX_GPU]; /* one per GPU consumer, zeroed */
    counts total = {0};
    fqp_custom_consumer custom[MAX_GPU];
    fqp_cuda_desc gd = {0}; /* zero means default */
    fqp_pipeline_desc d = {0};
    fqp_cuda *cuda = NULL;
    fqp_error err;
    fqp_result r;
    int i, n, n_gpu = 0, mode = 0, verbose = 0;
    const fqc_opt opts[] = {{0, "gpu", FQC_SET, &mode, FQP_GPU_FORCE, 0, NULL, "a GPU is required"},
                            {0, "cpu", FQC_SET, &mode, FQP_GPU_OFF, 0, NULL, "never touch the GPU"},
                            {'v', "verbose", FQC_FLAG, &verbose, 0, 0, NULL, "what the GPU consumers did"}, FQC_END};
    const fqc_cli cli = {"gpu_prefix_sum", "usage: gpu_prefix_sum [--cpu|--gpu] [-v] [FILE]\n", NULL, opts, NULL};
    if ((i = fqc_parse(&cli, argc, argv, &n)) != FQC_GO) return i;
    if (n > 1) return fqc_fail(&cli, "one FILE at most, not %d", n);
    gd.mode = (fqp_gpu_mode)mode;
    d.input.path = n ? argv[1] : "-";

    /* 1. GPU consumers running the prefix-sum kernel, if a GPU is usable. */
    gd.kernels = FQP_GPU_PREFIX_SUM;
    gd.on_results = on_results;
    gd.user = gpu;
    gd.config = &d.config; /* the batch limits size the GPU buffers */
    if (fqp_cuda_open(&cuda, &gd, &err) == FQP_OK) {
        /* 2. Each GPU consumer takes one of config.threads (default: every
           core); at least one CPU consumer always runs beside them. */
        n_gpu = fqp_cuda_consumers(cuda, custom, MAX_GPU);
        d.custom = custom;
        d.custom_count = n_gpu;
    } else if (fqp_cuda_mode(&gd) == FQP_GPU_FORCE) {
        fprintf(stderr, "gpu_prefix_sum: %s\n", err.message); /* --gpu, and no usable GPU */
        return 1;
    }
    if (verbose) fprintf(stderr, "gpu_prefix_sum: %d GPU consumer%s%s%s\n", n_gpu, n_gpu == 1 ? "" : "s",
            n_gpu ? "" : ": ", n_gpu ? "" : err.message);

    /* 3. The run: CPU consumers in process(), GPU consumers in on_results. */
    d.state_size = sizeof(counts);
    d.process = process;
    d.merge = merge;
    d.fini = fini;
    d.user = &total;
    r = fqp_pipeline_run(&d, NULL, &err);

    /* 4. Add up the GPU consumers' counts and see what they did. */
    for (i = 0; i < n_gpu; i++) {
        fqp_cuda_consumer_metrics m;
        add(&total, &gpu[i]);
        if (verbose && fqp_cuda_metrics(cuda, i, &m) == FQP_OK)
            fprintf(stderr, "gpu_prefix_sum: GPU consumer %d: %" PRIu64 " batches, %" PRIu64 " reads, %.1f MB up, "
                    "%.1f MB down, kernels %.3f s%s%s\n", i, m.batches, m.records, m.bytes_up / 1e6,
                    m.bytes_down / 1e6, m.kernel_seconds, m.message[0] ? "; failed, CPU took over: " : "", m.message);
    }
    fqp_cuda_close(cuda);
    if (r < 0) {
        fprintf(stderr, "gpu_prefix_sum: %s\n", err.message);
        return 1;
    }
    printf("reads\t%" PRIu64 "\nquality_sum\t%" PRIu64 "\nmean_q20\t%" PRIu64 "\nmean_q30\t%" PRIu64
           "\nlast%d_below_q20\t%" PRIu64 "\n", total.reads, total.qual_sum, total.mean_q20, total.mean_q30, TAIL,
           total.tail_below_q20);
    return 0;
}
