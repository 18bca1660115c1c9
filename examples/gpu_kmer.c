/* gpu_kmer - your own kernel on the GPU consumers: exact canonical k-mer
   counts (k = 1..13) from the kernel in gpu_kmer.cu on every GPU and from
   its CPU twin (gpu_kmer_twin.h) on every CPU core, the same counts either
   way.

   Build: make build/gpu_kmer
   Run:   gpu_kmer [-k K] [-t N] [--cpu|--gpu] [-v] [-o COUNTS.tsv] [FILE]
   Prints "k=K reads=R kmers=M distinct=D hash=H" (H: FNV-1a over the whole
   table, so equal H means equal counts); -o writes "KMER<TAB>COUNT" for
   every k-mer seen, in code order (A < C < G < T).

   Why this job: every base updates a counter at a random place in a table
   of 4^k counters, too big for any cache. A CPU core waits on memory for
   each base; a GPU keeps thousands of atomic adds in flight (see
   gpu_kmer.cu). The QC counters, in contrast, run at memory speed on a CPU.

   The steps (BRING YOUR OWN KERNEL in fastqpar_cuda.h):
     1. Describe the kernel: its PTX (embedded from gpu_kmer_ptx.h, made by
        `make ptx`), its arguments by kind (bases, offsets, count, k, the
        table) and its one output, an accumulator: 4^k 4-byte counters that
        stay on the GPU and that the kit fetches, adds into 64-bit totals
        and zeroes at checkpoints. A batch counts as done only when a
        checkpoint covers it, so a GPU failing mid-run hands its unfinished
        batches back to the CPU consumers: nothing lost, nothing twice.
     2. fqp_cuda_open with it; fqp_cuda_consumers adds the GPU consumers.
     3. fqp_pipeline_run: CPU consumers count with the twin in process().
     4. After the run: the CPU tables (merge) plus fqp_cuda_accumulated.
   Memory: 8 x 4^k bytes per CPU consumer (512 MiB at k = 13), and per GPU
   consumer 4 x 4^k on the device per slot plus 12 x 4^k on the host. */
#define FASTQPAR_IMPLEMENTATION
#include "fastqpar_cuda.h"
#include "gpu_kmer_ptx.h"
#include "gpu_kmer_twin.h"
#include "tools/fqcli.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_GPU = 64 };

typedef struct counter {   /* one CPU consumer's state */
    uint64_t *table;       /* 4^k counts */
    uint64_t reads;
} counter;

typedef struct job {
    unsigned k;
    uint64_t size;         /* 4^k */
    uint64_t *total;       /* every consumer's counts, added */
    uint64_t reads;
} job;

static fqp_result init(void *state, int consumer, void *user) {
    counter *c = (counter *)state;
    (void)consumer;
    c->table = (uint64_t *)calloc(((job *)user)->size, sizeof *c->table);
    return c->table ? FQP_OK : FQP_ERR_NOMEM;
}

/* CPU consumer thread, once per batch: the CPU twin. */
static fqp_result process(fqp_batch *b, void *state, void *user) {
    counter *c = (counter *)state;
    fqp_kmer_count_batch(b, ((job *)user)->k, c->table);
    c->reads += b->count;
    return FQP_OK;
}

static fqp_result merge(void *state, int consumer, void *user) {
    counter *c = (counter *)state;
    job *j = (job *)user;
    uint64_t i;
    (void)consumer;
    for (i = 0; i < j->size; i++) j->total[i] += c->table[i];
    j->reads += c->reads;
    return FQP_OK;
}

static void fini(void *state, int consumer, void *user) {
    (void)consumer;
    (void)user;
    free(((counter *)state)->table);
}

/* The table as "k=.. reads=.. kmers=.. distinct=.. hash=..", and as TSV to w. */
static int report(const job *j, fqp_writer *w) {
    uint64_t i, kmers = 0, distinct = 0, h = 14695981039346656037ull;
    char line[64], kmer[FQP_KMER_MAX_K + 1];
    fqp_error err;
    for (i = 0; i < j->size; i++) {
        uint64_t v = j->total[i];
        int byte;
        for (byte = 0; byte < 8; byte++) h = (h ^ ((v >> (8 * byte)) & 0xff)) * 1099511628211ull;
        if (!v) continue;
        kmers += v;
        distinct++;
        if (w) {
            int n = snprintf(line, sizeof line, "%s\t%" PRIu64 "\n", fqp_kmer_string(i, j->k, kmer), v);
            if (fqp_writer_write(w, line, (size_t)n, &err) != FQP_OK) {
                fprintf(stderr, "gpu_kmer: %s\n", err.message);
                return 1;
            }
        }
    }
    printf("k=%u reads=%" PRIu64 " kmers=%" PRIu64 " distinct=%" PRIu64 " hash=%016" PRIx64 "\n", j->k, j->reads,
           kmers, distinct, h);
    return 0;
}

int main(int argc, char **argv) {
    fqp_custom_consumer custom[MAX_GPU];
    fqp_cuda_desc gd = {0};     /* zero means default */
    fqp_pipeline_desc d = {0};
    fqp_cuda *cuda = NULL;
    fqp_writer *w = NULL;
    fqp_writer_desc wd = {0};
    fqp_error err;
    fqp_result r;
    job j = {0};
    const char *out = NULL;
    int i, n, n_gpu = 0, mode = 0, verbose = 0, k = 11, threads = 0, bad;
    const fqc_opt opts[] = {{'k', "kmer", FQC_INT, &k, 1, FQP_KMER_MAX_K, "K", "k-mer length (default 11)"},
                            {'t', "threads", FQC_INT, &threads, 1, 256, "N", "consumer threads (default: every core)"},
                            {'j', NULL, FQC_INT, &threads, 1, 256, "N", NULL},
                            {'o', "output", FQC_STR, &out, 0, 0, "FILE", "counts as KMER<TAB>COUNT ('-': stdout)"},
                            {0, "gpu", FQC_SET, &mode, FQP_GPU_FORCE, 0, NULL, "a GPU is required"},
                            {0, "cpu", FQC_SET, &mode, FQP_GPU_OFF, 0, NULL, "never touch the GPU"},
                            {'v', "verbose", FQC_FLAG, &verbose, 0, 0, NULL, "what the GPU consumers did"}, FQC_END};
    const fqc_cli cli = {"gpu_kmer", "usage: gpu_kmer [-k K] [-t N] [--cpu|--gpu] [-v] [-o FILE] [FILE]\n", NULL,
                         opts, NULL};
    if ((i = fqc_parse(&cli, argc, argv, &n)) != FQC_GO) return i;
    if (n > 1) return fqc_fail(&cli, "one FILE at most, not %d", n);
    d.input.path = n ? argv[1] : "-";
    {
        fqc_file in = {"input", d.input.path}, o = {"-o", out};
        if (out && fqc_check_files("gpu_kmer", &in, 1, &o, 1)) return 2;
    }
    j.k = (unsigned)k;
    j.size = fqp_kmer_table_size(j.k);
    if (!(j.total = (uint64_t *)calloc(j.size, sizeof *j.total))) {
        fprintf(stderr, "gpu_kmer: out of memory for a table of %" PRIu64 " counters\n", j.size);
        return 1;
    }
    fqc_signals();
    wd.path = out;
    if (out && fqc_writer_open("gpu_kmer", &w, &wd)) return 1;
    d.config.threads = threads;

    /* 1. The kernel: fqp_kmer_count(seq, seq_off, n_reads, k, counts). */
    {
        static fqp_cuda_arg args[5];
        static fqp_cuda_output table;
        static fqp_cuda_kernel kern;
        static unsigned kk;
        kk = j.k;
        args[0].kind = FQP_CUDA_ARG_SEQ;
        args[1].kind = FQP_CUDA_ARG_OFFSETS;
        args[2].kind = FQP_CUDA_ARG_COUNT;
        args[3].kind = FQP_CUDA_ARG_VALUE;         /* unsigned int k */
        args[3].value = &kk;
        args[3].size = sizeof kk;
        args[4].kind = FQP_CUDA_ARG_OUTPUT;        /* unsigned int *counts: output 0 */
        table.rule = FQP_CUDA_FIXED;
        table.bytes = 4 * j.size;
        table.accumulate = 1;
        table.word_bytes = 4;                      /* at most 1 per base: the kit checkpoints in time */
        kern.entry = "fqp_kmer_count";
        kern.ptx_parts = fqp_kmer_ptx;             /* the embedded PTX (gpu_kmer_ptx.h) */
        kern.args = args;
        kern.n_args = 5;
        kern.outputs = &table;
        kern.n_outputs = 1;
        kern.block = 256;                          /* one warp per read, 8 reads per block */
        kern.reads_per_block = 8;
        kern.max_grid = 65535;
        gd.user_kernels = &kern;
        gd.n_user_kernels = 1;
    }
    gd.mode = (fqp_gpu_mode)mode;
    gd.coalesce_bytes = (uint64_t)32 << 20;        /* large uploads: fewer table fetches per base */
    gd.config = &d.config;
    /* 2. GPU consumers, when a GPU is usable; at least one CPU consumer runs. */
    if (fqp_cuda_open(&cuda, &gd, &err) == FQP_OK) {
        n_gpu = fqp_cuda_consumers(cuda, custom, MAX_GPU);
        d.custom = custom;
        d.custom_count = n_gpu;
    } else if (fqp_cuda_mode(&gd) == FQP_GPU_FORCE) {
        fprintf(stderr, "gpu_kmer: %s\n", err.message);
        fqc_writer_end("gpu_kmer", &w, 0);
        return 1;
    }
    if (verbose && !n_gpu) fprintf(stderr, "gpu_kmer: no GPU consumer: %s\n", err.message);

    /* 3. The run. */
    d.state_size = sizeof(counter);
    d.init = init;
    d.process = process;
    d.merge = merge;
    d.fini = fini;
    d.user = &j;
    r = fqp_pipeline_run(&d, NULL, &err);

    /* 4. What the GPUs counted, and what they did. */
    if (r >= 0 && cuda && fqp_cuda_accumulated(cuda, 0, 0, j.total, j.size) != FQP_OK)
        r = fqp__error(&err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0, "the GPU counts do not fit the table");
    for (i = 0; i < n_gpu; i++) {
        fqp_cuda_consumer_metrics m;
        if (fqp_cuda_metrics(cuda, i, &m) != FQP_OK) continue;
        j.reads += m.records;
        if (verbose)
            fprintf(stderr,
                    "gpu_kmer: GPU consumer %d (device %d): %" PRIu64 " batches, %" PRIu64 " reads, %" PRIu64
                    " bases in %" PRIu64 " uploads; %.1f MB up, %.1f MB down; kernels %.3f s, upload %.3f s, "
                    "download %.3f s; wall %.3f s, busy %.0f%%, %.2f GB/s of bases; %" PRIu64
                    " batches handed back%s%s\n",
                    i, m.device, m.batches, m.records, m.bases, m.groups, m.bytes_up / 1e6, m.bytes_down / 1e6,
                    m.kernel_seconds, m.upload_seconds, m.download_seconds, m.wall_seconds, 100 * m.busy_fraction,
                    m.wall_seconds > 0 ? (double)m.bases / m.wall_seconds / 1e9 : 0.0, m.requeued,
                    m.message[0] ? "; failed: " : "", m.message);
    }
    fqp_cuda_close(cuda);
    if (r < 0) fprintf(stderr, "gpu_kmer: %s\n", err.message);
    bad = r < 0 || report(&j, w);
    bad |= fqc_writer_end("gpu_kmer", &w, !bad);
    free(j.total);
    return bad;
}
