/* fastqpar_cuda.h - v0.1.0 - GPU consumers for fastqpar.h on the CUDA driver API - public domain or MIT (see end of file)

   Adds GPU consumers to a fastqpar pipeline (single-file, paired or
   interleaved): they take batches from the same queue as the CPU consumers,
   upload them, run kernels -- yours, given as PTX (BRING YOUR OWN KERNEL
   below), and the built-in QC statistics, quality prefix sums and quality
   trimming, described and run the same way -- and hand results back.
   No CUDA toolkit or header is needed to build: the driver (libcuda.so.1) is
   loaded at run time, and a program built with this header runs unchanged on
   machines with and without a GPU.

   DO THIS in exactly one C file (it brings fastqpar.h's implementation too):

       #define FASTQPAR_IMPLEMENTATION
       #include "fastqpar_cuda.h"

   Every other file includes "fastqpar_cuda.h" (or "fastqpar.h") without the
   define. Link with -ldl (glibc < 2.34) besides fastqpar.h's -lz -lpthread.

   A COMPLETE EXAMPLE: QC statistics on every CPU core plus every GPU.

       #define FASTQPAR_IMPLEMENTATION
       #include "fastqpar_cuda.h"
       #include <stdio.h>
       #include <string.h>

       static fqp_result init(void *state, int consumer, void *user) {
           (void)consumer; (void)user;
           return fqp_qc_init((fqp_qc *)state, 0, NULL);   // 0: max_pos 1000
       }
       static fqp_result process(fqp_batch *b, void *state, void *user) {
           (void)user;
           fqp_qc_add_batch((fqp_qc *)state, b);          // the CPU twin
           return FQP_OK;
       }
       static fqp_result merge(void *state, int consumer, void *user) {
           (void)consumer;
           fqp_qc_add_counts((fqp_qc *)user, ((fqp_qc *)state)->counts);
           return FQP_OK;
       }
       static void fini(void *state, int consumer, void *user) {
           (void)consumer; (void)user;
           fqp_qc_free((fqp_qc *)state);
       }
       int main(int argc, char **argv) {
           fqp_qc total;
           fqp_cuda *gpu = NULL;
           fqp_cuda_desc gd;                      // zero means defaults: QC kernel
           fqp_custom_consumer cc[16];
           fqp_pipeline_desc d;
           fqp_error err;
           fqp_result r;
           memset(&gd, 0, sizeof gd);             // not `= {0}`: C++ rejects that
           memset(&d, 0, sizeof d);
           fqp_qc_init(&total, 0, NULL);
           d.input.path = argc > 1 ? argv[1] : "-";
           gd.config = &d.config;                 // sizes the GPU buffers like the batches
           if ((r = fqp_cuda_open(&gpu, &gd, &err)) == FQP_OK) {
               d.custom = cc;
               d.custom_count = fqp_cuda_consumers(gpu, cc, 16);
           } else if (fqp_cuda_mode(&gd) == FQP_GPU_FORCE) {
               fprintf(stderr, "%s\n", err.message);     // FASTQPAR_FORCE_GPU=1
               return 1;
           }                                      // else: CPU consumers only
           d.state_size = sizeof(fqp_qc);
           d.init = init; d.process = process; d.merge = merge; d.fini = fini;
           d.user = &total;
           r = fqp_pipeline_run(&d, NULL, &err);
           if (r == FQP_OK && gpu) r = fqp_cuda_qc(gpu, &total);  // what the GPUs counted
           fqp_cuda_close(gpu);
           if (r < 0) { fprintf(stderr, "%s\n", err.message); return 1; }
           printf("%llu reads, %llu bases\n", (unsigned long long)total.counts[FQP_QC_READS],
                  (unsigned long long)total.counts[FQP_QC_BASES]);
           fqp_qc_free(&total);
           return 0;
       }

   REQUIREMENTS at run time
       A GPU of compute capability 7.5 (Turing) or newer and an NVIDIA driver
       from R410 (Linux 410.48, CUDA 10.0) on, in effect any driver for such
       a GPU: the embedded kernels are PTX ISA 6.3 for sm_75, the oldest ISA
       ptxas accepts them at (`make ptx` picks it with tests/ptx_lower.sh).
       nvcc's own stamp (.version 9.0 under CUDA 13) would need R580.

   ENVIRONMENT (read in one place, fqp__cuda_resolve; a nonzero desc field wins)
       FASTQPAR_FORCE_CPU=1     never touch the driver: fqp_cuda_open returns
                                FQP_ERR_NO_GPU without loading anything
                                (wins over FASTQPAR_FORCE_GPU)
       FASTQPAR_FORCE_GPU=1     no usable GPU, or a GPU failing mid-run, is an
                                error instead of a fall-back to CPU consumers
       FASTQPAR_GPU_CONSUMERS   GPU consumers per device (default 1)
       FASTQPAR_PTX             a PTX file instead of the embedded kernels
       FASTQPAR_CUDA_LIBRARY    the driver library (default libcuda.so.1)

   WHAT IT DOES NOT DO
       Use the CUDA runtime (only the driver API), need nvcc to build, compile
       kernels at run time from CUDA C (the PTX is precompiled and embedded;
       the driver JIT-compiles it for the GPU), share device memory between
       consumers, Windows (there fqp_cuda_open returns FQP_ERR_NO_GPU).
       Load the driver into a fully static glibc program: libcuda needs the
       shared libc, so there fqp_cuda_open returns FQP_ERR_NO_GPU and the
       program runs on CPU consumers. To ship one binary for machines with
       and without GPUs, link everything statically except libc (e.g.
       -Wl,-Bstatic -lz -Wl,-Bdynamic).

   DESIGN: which thread runs what
       calling thread   fqp_cuda_open: loads the driver (once per process and
                        library path, thread-safe), finds devices, retains
                        each device's primary context, loads the PTX module
                        (once per device), and sets up every GPU consumer:
                        its streams, events, pinned staging buffers and
                        device buffers, all allocated here, once, and reused.
                        Any failure here is an ordinary result code and a
                        log line; the caller falls back to CPU consumers.
       GPU consumer     fqp_pipeline_run starts one thread per GPU consumer
       threads          (each counts against config.threads). Its run():
                          take batches (fqp_producer_take, blocking only when
                          it holds nothing), coalesce consecutive batches into
                          one upload ("group") up to coalesce_bytes or
                          coalesce_seconds, copy the group's sequences,
                          qualities and rebased offsets into a pinned staging
                          buffer, upload it with one async copy on the slot's
                          stream, launch the kernels, copy results back async.
                          `in_flight` slots (default 2), each with its own
                          stream and buffers, so the upload of group k+1
                          overlaps the kernels of group k.
                        on_results (if set) runs on this thread for each batch
                        before the batch is released.
       calling thread   after the run: fqp_cuda_qc adds the counts fetched
                        from the devices, fqp_cuda_metrics reads metrics,
                        fqp_cuda_close frees everything.

   CHECKPOINTS: nothing lost, nothing counted twice
       The QC kernel adds into counters in device memory (one array per
       slot). A checkpoint copies a slot's counters to the host, adds them to
       the consumer's total and zeroes them on the device, all in the slot's
       stream order; it moves only the counters that the reads since the
       last checkpoint can have touched (the fixed ones and the positions up
       to the longest read), so short reads cost little whatever max_pos.
       A batch is released (and its on_results called) only when a completed
       checkpoint covers it; until then the consumer holds it. A slot takes a
       checkpoint after every `checkpoint_groups` groups it ran (always 1
       with on_results or without QC), and every slot takes one when the
       input ends or when no batch is ready. So a consumer holds at most
       in_flight x checkpoint_groups x 64 batches (a group has at most 64)
       plus the group it is filling; fqp_cuda_consumers declares that as
       max_held. When a driver call fails mid-run, the consumer logs it,
       stops using its GPU (for the life of the context) and requeues
       (fqp_producer_requeue) every batch it holds: none of them is in a
       completed checkpoint, so the CPU consumers count each exactly once,
       and the consumer's total holds only completed checkpoints. It then
       returns FQP_OK, or the error under FORCE.

   DRIVER, DEVICES AND CONTEXTS
       Driver: at least CUDA 10.0 (driver API 10000, R410), the first to
       JIT-compile the PTX's ISA; fqp_cuda_open refuses an older one
       (FQP_ERR_NO_GPU, both versions in the message), and a JIT that rejects
       the PTX (CUDA_ERROR_UNSUPPORTED_PTX_VERSION) says "driver too old".
       Devices: one failing at open (its primary context cannot be retained,
       e.g. held by another process in exclusive-process mode; its module or
       memory fails) is dropped with its consumers and a warning naming it;
       a device in compute mode prohibited is skipped. The open fails only
       when no device is left.
       The caller's current context: every public function that makes a
       primary context of ours current (open, close, the worker functions)
       puts the calling thread's previous one back before it returns, and a
       GPU consumer thread does so when its run ends.
       A run that ends early (an error, a cancel, on_results failing) leaves
       nothing behind: each GPU consumer waits for its streams and zeroes
       its device counters, so the next run on the context counts afresh.
       Sticky errors: a kernel fault (CUDA_ERROR_ILLEGAL_ADDRESS,
       CUDA_ERROR_LAUNCH_FAILED, ...) poisons the device's primary context:
       every later call in it fails, frees included. The failing consumer
       or worker logs whether its context is "poisoned" or "still usable".
       fqp_cuda_close still releases its reference: when it was the last,
       the driver destroys the context and reclaims the memory. When the
       application also holds that primary context (e.g. through the CUDA
       runtime), the memory stays allocated and the context stays poisoned
       until every holder has released it or cuDevicePrimaryCtxReset runs;
       until then the device is unusable for this process.
       Host waits sleep: the event each wait is on is made with
       CU_EVENT_BLOCKING_SYNC, so a waiting thread does not spin a core.

   PAIRED AND INTERLEAVED RUNS
       The same GPU consumers go in fqp_paired_desc.custom: they take pair
       batches (fqp_producer_take_pair), run each pair's mate batches in one
       group with the same kernels, checkpoints and hand-back
       (fqp_producer_requeue_pair), and call on_pair_results(pair,
       results[mate]) instead of on_results; releasing a pair writes its
       fqp_pair_write output in input order. Interleaved input has one batch
       per pair (results[0]; records 2i and 2i + 1 are pair i).

   OFFLOAD WORKERS: the GPU from a CPU consumer, synchronously
       For work that must stay on the consumer that holds the batch (e.g.
       a process() that trims a pair and decides on both mates, or one that
       trims and then writes): open the context with kernels FQP_GPU_TRIM
       (and offload_only = 1 when no GPU consumer is wanted), then each CPU
       consumer makes its own fqp_cuda_worker in init() (fqp_cuda_worker_open
       with its consumer index: one stream, pinned staging and device
       buffers, sized like a slot, grown for a huge batch and kept), calls
       fqp_cuda_trim_batch(w, batch, &trim, start_end, &err) in process() --
       one upload of the qualities (and bases, for the window rule) and
       offsets, fqp_k_trim, one download, wait -- and closes it in fini().
       No thread is started: thread accounting (config.threads) is unchanged. When a driver call fails,
       the worker logs it, stops using its GPU for good and trims on the CPU
       with fqp_trim_batch (the same intervals, nothing lost); under
       FQP_GPU_FORCE the call returns the error instead.

       static fqp_result init(void *state, int consumer, void *user) {
           return fqp_cuda_worker_open((fqp_cuda *)user, consumer, (fqp_cuda_worker **)state, NULL);
       }
       ... in process():
           fqp_cuda_trim_batch(*(fqp_cuda_worker **)state, b, &trim, se, &err);
       ... in fini():  fqp_cuda_worker_close(*(fqp_cuda_worker **)state);

   BRING YOUR OWN KERNEL: A COMPLETE EXAMPLE
       Any kernel runs on the GPU consumers (and offload workers) the way the
       built-in ones do; the built-ins are themselves fqp_cuda_kernel
       descriptions (fqp_cuda_builtin). You give the PTX (text, pieces or a
       file) and the entry; its arguments are listed by kind, in the kernel's
       order; each output has a size rule (per record, per base, fixed). Per
       group of batches the kit packs the inputs the arguments name into
       pinned staging, uploads them on the slot's stream (double-buffered:
       in_flight slots), launches every kernel, downloads the outputs and
       calls on_results with host views of each batch's part. An output
       with `accumulate` stays on the device instead (per-consumer counters
       the kernel adds into), is fetched and zeroed at checkpoints and read
       with fqp_cuda_accumulated after the run; batches count as done only
       at a checkpoint, so a GPU failing hands them back to process(), the
       CPU twin, and nothing is lost or counted twice. examples/gpu_kmer.c
       is the accumulator case; here, GC bases per read:

       // gc.cu -> gc.ptx: nvcc -ptx -arch=compute_75 gc.cu -o gc.ptx
       extern "C" __global__ void gc_count(const unsigned char *seq,
               const unsigned long long *off, unsigned long long n, unsigned *gc) {
           for (unsigned long long r = blockIdx.x * 256ull + threadIdx.x; r < n;
                r += gridDim.x * 256ull) {
               unsigned c = 0;
               for (unsigned long long i = off[r]; i < off[r + 1]; i++)
                   c += (seq[i] | 32) == 'c' || (seq[i] | 32) == 'g';
               gc[r] = c;
           }
       }

       #define FASTQPAR_IMPLEMENTATION
       #include "fastqpar_cuda.h"
       #include <stdio.h>
       #include <string.h>

       typedef unsigned long long u64;
       static u64 gpu_rich[16];        // GC >= 50% reads, per GPU consumer
       static u64 rich(const fqp_batch *b, const unsigned *gc) {
           u64 i, n = 0;
           for (i = 0; i < b->count; i++) n += 2 * gc[i] >= b->seq_off[i + 1] - b->seq_off[i];
           return n;
       }
       static fqp_result process(fqp_batch *b, void *state, void *user) {
           unsigned gc[1];                                 // the CPU twin, read by read
           u64 i, j;
           (void)user;
           for (i = 0; i < b->count; i++) {
               fqp_batch one = *b;
               one.count = 1;
               one.seq_off = b->seq_off + i;
               for (gc[0] = 0, j = one.seq_off[0]; j < one.seq_off[1]; j++)
                   gc[0] += (b->seq[j] | 32) == 'c' || (b->seq[j] | 32) == 'g';
               *(u64 *)state += rich(&one, gc);
           }
           return FQP_OK;
       }
       static fqp_result merge(void *state, int consumer, void *user) {
           (void)consumer;
           *(u64 *)user += *(u64 *)state;
           return FQP_OK;
       }
       static fqp_result on_results(fqp_batch *b, const fqp_cuda_results *res,
                                    int consumer, void *user) {
           (void)user;
           gpu_rich[consumer] += rich(b, (const unsigned *)res->out[0][0]); // kernel 0, output 0
           return FQP_OK;
       }
       int main(int argc, char **argv) {
           fqp_cuda_arg args[4];
           fqp_cuda_output gc;
           fqp_cuda_kernel k;
           fqp_cuda_desc gd;
           fqp_pipeline_desc d;
           fqp_custom_consumer cc[16];
           fqp_cuda *gpu = NULL;
           fqp_error err;
           u64 total = 0;
           int i, n_gpu = 0;
           memset(args, 0, sizeof args); memset(&gc, 0, sizeof gc); memset(&k, 0, sizeof k);
           memset(&gd, 0, sizeof gd); memset(&d, 0, sizeof d);
           args[0].kind = FQP_CUDA_ARG_SEQ;      args[1].kind = FQP_CUDA_ARG_OFFSETS;
           args[2].kind = FQP_CUDA_ARG_COUNT;    args[3].kind = FQP_CUDA_ARG_OUTPUT; // output 0
           gc.rule = FQP_CUDA_PER_RECORD;        gc.bytes = 4;        // one unsigned per read
           k.entry = "gc_count";                 k.ptx_path = argc > 2 ? argv[2] : "gc.ptx";
           k.args = args;  k.n_args = 4;         k.outputs = &gc;  k.n_outputs = 1;
           k.reads_per_block = 256;              // one thread per read
           gd.user_kernels = &k;  gd.n_user_kernels = 1;  gd.on_results = on_results;
           d.input.path = argc > 1 ? argv[1] : "-";
           gd.config = &d.config;
           if (fqp_cuda_open(&gpu, &gd, &err) == FQP_OK) {
               n_gpu = fqp_cuda_consumers(gpu, cc, 16);
               d.custom = cc;
               d.custom_count = n_gpu;
           }                                     // else: the CPU twin alone
           d.state_size = sizeof(u64);
           d.process = process; d.merge = merge; d.user = &total;
           if (fqp_pipeline_run(&d, NULL, &err) < 0) {
               fprintf(stderr, "%s\n", err.message);
               fqp_cuda_close(gpu);
               return 1;
           }
           for (i = 0; i < n_gpu; i++) total += gpu_rich[i];
           fqp_cuda_close(gpu);
           printf("%llu GC-rich reads\n", total);
           return 0;
       }

   MEMORY (per GPU consumer, both pinned host and device memory)
       in_flight x (2 x G + 16 x (R + 1) + H) bytes of staging, where G = the
       larger of coalesce_bytes / 2 and batch_bytes, R = the larger of
       batch_records and G / 32, H = G / 2 when a kernel reads the headers;
       plus, per slot, every downloaded output at that size (bytes x R per
       record, bytes x G per base, or its fixed bytes: the prefix sums are
       8 per base, the trim intervals 16 per record); plus in_flight x the
       accumulators' bytes on both sides (QC: 8 x fqp_qc_words(max_pos))
       and 8 bytes per accumulator word of host totals. A record longer
       than G grows its slot's buffers and keeps them. An offload worker
       holds one slot without accumulators.

   THREAD SAFETY
       fqp_cuda_open/close   any thread; each context is independent
       fqp_cuda_consumers    any thread; one pipeline run at a time per context
       fqp_cuda_qc/metrics/device: after the run (no GPU consumer running);
                             counters and metrics add up over the runs of a
                             context
       fqp_cuda_mode         any thread
       fqp_cuda_worker_*     one thread at a time per worker; workers of one
                             context run at once on any threads; all closed
                             before fqp_cuda_close
       on_results,           GPU consumer threads, several at once when there
       on_pair_results       are several GPU consumers (the `consumer`
                             argument tells them apart)
       fqp_cuda_accumulated  after the run, as fqp_cuda_qc

   EXAMPLES
       examples/gpu_prefix_sum.c   a GPU consumer in a pipeline: quality
                                   prefix sums through on_results
       examples/gpu_offload.c      synchronous offload from any thread:
                                   fqp_cuda_worker_* in CPU consumers
       examples/gpu_kmer.c         your own kernel (examples/gpu_kmer.cu)
                                   with a device accumulator: exact k-mer
                                   counts, the CPU twin beside it

   INDEX: the implementation, by banner tag (search for ">>tag")
       >>cuda-driver    the CUDA driver subset, mirrored as private types
                        and one X-macro list of the entry points used
       >>cuda-loader    dlopen of libcuda once per path, symbol table, cuInit
                        (test hooks only under FASTQPAR_CUDA_TEST_HOOKS)
       >>cuda-state     the context, devices, consumers, slots; logging and
                        the driver-call checks (fqp__cuda_check)
       >>cuda-config    the desc and the environment, resolved in one place
       >>cuda-module    the PTX text (file or embedded), module and kernels
       >>cuda-slots     a slot's stream, events, pinned and device buffers
       >>cuda-open      fqp_cuda_open, fqp_cuda_close, device discovery
       >>cuda-consumer  the GPU consumer thread: groups, submit, checkpoints,
                        hand-back on failure
       >>cuda-offload   offload workers: fqp_cuda_worker_*, fqp_cuda_trim_batch
       >>cuda-public    fqp_cuda_consumers, _qc, _metrics, _device(_count)
       >>cuda-ptx       the embedded PTX (generated by `make ptx`), last

   CHANGES: see README.md. LICENSE: end of file.
*/
#ifndef FASTQPAR_CUDA_H
#define FASTQPAR_CUDA_H

#include "fastqpar.h"

#define FASTQPAR_CUDA_VERSION_STRING "0.1.0"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- public types ------------------------------------------------------- */

typedef struct fqp_cuda fqp_cuda;  /* the loaded driver, devices and GPU consumers */

typedef enum fqp_gpu_mode {
    FQP_GPU_AUTO = 0,   /* GPU consumers when a usable GPU exists, else CPU only */
    FQP_GPU_OFF = 1,    /* never touch the driver (= FASTQPAR_FORCE_CPU=1) */
    FQP_GPU_FORCE = 2   /* no usable GPU or a GPU failing is an error (= FASTQPAR_FORCE_GPU=1) */
} fqp_gpu_mode;

/* Built-in kernels (fqp_cuda_desc.kernels). Each is an fqp_cuda_kernel like
   a user's (fqp_cuda_builtin shows its description), run by the same code. */
#define FQP_GPU_QC 1u          /* QC statistics into device counters: fqp_cuda_qc */
#define FQP_GPU_PREFIX_SUM 2u  /* per-base quality prefix sums: on_results */
#define FQP_GPU_TRIM 4u        /* per-read kept interval: on_results */

/* ---- bring your own kernel (see BRING YOUR OWN KERNEL above) ---- */

#define FQP_CUDA_MAX_KERNELS 8   /* user kernels per context */
#define FQP_CUDA_MAX_ARGS 16     /* arguments per kernel */
#define FQP_CUDA_MAX_OUTPUTS 4   /* outputs per kernel */
#define FQP_CUDA_MAX_VALUE 64    /* bytes of one FQP_CUDA_ARG_VALUE */

/* What the kit passes as one kernel argument, in the kernel's order. The
   arrays describe the group being run (one or more consecutive batches,
   back to back) and live in device memory. */
typedef enum fqp_cuda_arg_kind {
    FQP_CUDA_ARG_SEQ = 1,      /* const unsigned char *: the bases of every read, back to back */
    FQP_CUDA_ARG_QUAL,         /* const unsigned char *: the qualities, laid out as SEQ */
    FQP_CUDA_ARG_OFFSETS,      /* const unsigned long long *: n_reads + 1; read r is
                                  [off[r], off[r + 1]) of SEQ and QUAL; off[0] = 0 */
    FQP_CUDA_ARG_COUNT,        /* unsigned long long: n_reads */
    FQP_CUDA_ARG_HEADS,        /* const unsigned char *: the header lines without '@' */
    FQP_CUDA_ARG_HEAD_OFFSETS, /* const unsigned long long *: n_reads + 1 offsets into HEADS */
    FQP_CUDA_ARG_OUTPUT,       /* a device pointer: outputs[index] of this kernel */
    FQP_CUDA_ARG_VALUE,        /* `size` bytes at `value` (an int is 4), copied at open */
    FQP_CUDA_ARG_NULL          /* a zero pointer, for an argument this setup does not read */
} fqp_cuda_arg_kind;

typedef struct fqp_cuda_arg {
    fqp_cuda_arg_kind kind;
    int index;                 /* FQP_CUDA_ARG_OUTPUT: which output */
    const void *value;         /* FQP_CUDA_ARG_VALUE */
    size_t size;               /* FQP_CUDA_ARG_VALUE: 1..FQP_CUDA_MAX_VALUE */
} fqp_cuda_arg;

/* How big an output is for a group (fqp_cuda_output.rule). */
typedef enum fqp_cuda_size_rule {
    FQP_CUDA_PER_RECORD = 1,   /* bytes x n_reads; a batch sees its records' part */
    FQP_CUDA_PER_BASE,         /* bytes x n_bases; a batch sees its bases' part */
    FQP_CUDA_FIXED             /* bytes; a group is then always one batch */
} fqp_cuda_size_rule;

typedef struct fqp_cuda_output {
    fqp_cuda_size_rule rule;
    uint64_t bytes;            /* per record, per base, or in all */
    /* An accumulator (FQP_CUDA_FIXED only): an array of `bytes / word_bytes`
       unsigned words that stays in device memory, zeroed at open, which the
       kernel adds into (atomicAdd). The kit fetches it at checkpoints, adds
       it into the consumer's 64-bit totals (fqp_cuda_accumulated) and zeroes
       it; never given to on_results. */
    int accumulate;
    unsigned word_bytes;       /* accumulator words: 4 or 8 (default 8). With 4, the
                                  kit takes a checkpoint before a slot has run
                                  2^31 bases since the last one: the kernel may add
                                  at most 1 per base to any one word */
    /* Optional, for accumulators of `words` words: the words that reads no
       longer than max_len can have touched, as up to 8 ranges (start[i],
       len[i], in words); returns how many. A checkpoint then moves only those. */
    int (*ranges)(const void *ranges_user, uint64_t words, uint64_t max_len, uint64_t start[8], uint64_t len[8]);
    const void *ranges_user;
} fqp_cuda_output;

/* One kernel: a PTX entry point, its arguments and outputs, its geometry.
   The kit launches it on every group, after the kernels before it in the
   list, on the same stream: grid = max(1, min(ceil(n_reads /
   reads_per_block), max_grid)) one-dimensional blocks of `block` threads;
   a group without reads is not launched. */
typedef struct fqp_cuda_kernel {
    const char *entry;         /* the .entry name */
    const char *ptx;           /* PTX text, NUL-terminated, read during fqp_cuda_open;
                                  all three NULL: the built-in kernels' PTX */
    const char *const *ptx_parts; /* or: PTX text in pieces, NULL-ended, concatenated
                                  (a C literal may be limited to 4095 characters:
                                  tests/embed_ptx.sh embeds PTX this way) */
    const char *ptx_path;      /* a PTX file, read during fqp_cuda_open */
    const fqp_cuda_arg *args;
    int n_args;
    const fqp_cuda_output *outputs;
    int n_outputs;
    unsigned block;            /* threads per block; default 256 */
    uint64_t reads_per_block;  /* default 8 */
    unsigned max_grid;         /* default 65535 */
    unsigned shared_bytes;     /* dynamic shared memory per block; default 0 */
} fqp_cuda_kernel;

/* Results of one batch, valid during the on_results call only. */
typedef struct fqp_cuda_results {
    const uint64_t *prefix;    /* FQP_GPU_PREFIX_SUM: prefix[b->seq_off[i] + k], as
                                  fqp_qual_prefix_sum computes it; else NULL */
    const uint64_t *trim;      /* FQP_GPU_TRIM: trim[2*i], trim[2*i+1] = kept [start, end)
                                  of record i, as fqp_trim_batch computes it; else NULL */
    /* desc.user_kernels[i]'s outputs[j] for this batch: record 0's (or base
       0's) part for PER_RECORD (PER_BASE) outputs, the whole for FIXED;
       NULL for accumulators */
    const void *out[FQP_CUDA_MAX_KERNELS][FQP_CUDA_MAX_OUTPUTS];
} fqp_cuda_results;

/* GPU consumer thread, once per batch that this GPU finished, in the order
   the consumer took them, before the batch is released (so it may call
   fqp_batch_write). FQP_OK, FQP_STOP (ends the run early, as process() can),
   or an error (ends the run). Batches a GPU hands back never reach it: the
   CPU consumers' process() gets those. */
typedef fqp_result (*fqp_cuda_result_fn)(fqp_batch *batch, const fqp_cuda_results *results,
                                         int consumer, void *user);
/* The same in fqp_paired_run, once per pair batch: results[m] is of
   pair->batch[m] (interleaved: results[0], of batch[0], which holds both
   mates: records 2i and 2i + 1 are pair i). */
typedef fqp_result (*fqp_cuda_pair_result_fn)(fqp_pair *pair, const fqp_cuda_results *results,
                                              int consumer, void *user);

/* Zero means default throughout. */
typedef struct fqp_cuda_desc {
    fqp_gpu_mode mode;          /* default: FASTQPAR_FORCE_CPU / FASTQPAR_FORCE_GPU, else AUTO */
    unsigned kernels;           /* FQP_GPU_* bits; default FQP_GPU_QC without user kernels */
    uint32_t qc_max_pos;        /* fqp_qc layout of the QC counters; default 1000 */
    fqp_trim_desc trim;         /* FQP_GPU_TRIM: the rule and its parameters */
    const fqp_cuda_kernel *user_kernels; /* run after the built-ins, in this order */
    int n_user_kernels;         /* at most FQP_CUDA_MAX_KERNELS */
    fqp_cuda_result_fn on_results; /* needed for any output that is not an accumulator */
    fqp_cuda_pair_result_fn on_pair_results; /* the same for GPU consumers in fqp_paired_run */
    void *user;                 /* passed to on_results */
    int consumers_per_device;   /* default FASTQPAR_GPU_CONSUMERS, else 1 */
    int max_devices;            /* default: every usable device */
    int in_flight;              /* groups in flight per consumer (slots); default 2 */
    uint64_t coalesce_bytes;    /* sequence + quality bytes per upload; default 4 MiB */
    double coalesce_seconds;    /* longest wait for more batches to fill an upload;
                                   default 0.001; negative: never wait */
    int checkpoint_groups;      /* groups per slot between accumulator checkpoints;
                                   default: 1, or more when the accumulators are large
                                   compared with an upload (at most 8); forced to 1
                                   with on_results */
    const fqp_config *config;   /* the pipeline's config: batch limits size the buffers,
                                   log and allocator are used when set here; default: none */
    const char *ptx_path;       /* default FASTQPAR_PTX, else the embedded PTX */
    const char *library;        /* default FASTQPAR_CUDA_LIBRARY, else "libcuda.so.1" */
    int ignore_env;             /* nonzero: read no environment variable */
    fqp_log_fn log;             /* default config->log; silent when neither */
    void *log_user;
    int offload_only;           /* nonzero: no GPU consumers (fqp_cuda_consumers gives 0,
                                   on_results is not needed): the context serves
                                   fqp_cuda_worker calls only */
} fqp_cuda_desc;

typedef struct fqp_cuda_device_info {
    int ordinal;                /* CUDA device ordinal */
    char name[256];
    int cc_major, cc_minor;     /* compute capability */
    uint64_t memory;            /* bytes, 0 if unknown */
    int consumers;              /* GPU consumers on it */
} fqp_cuda_device_info;

/* Per GPU consumer, accumulated over the runs it took part in. */
typedef struct fqp_cuda_consumer_metrics {
    int device;                 /* index into fqp_cuda_device() */
    uint64_t batches, records, bases;  /* finished (released) by this GPU consumer */
    uint64_t groups;            /* uploads; several batches when coalesced */
    uint64_t checkpoints;       /* QC counter fetches */
    uint64_t bytes_up, bytes_down;
    double kernel_seconds;      /* kernels, measured with events */
    double upload_seconds, download_seconds; /* copies, measured with events */
    double wait_seconds;        /* blocked for input while holding nothing */
    double wall_seconds;        /* inside run() */
    double busy_fraction;       /* 1 - wait_seconds / wall_seconds */
    uint64_t requeued;          /* batches handed back to CPU consumers */
    fqp_result status;          /* FQP_OK, or the failure that stopped this consumer */
    char message[FQP_ERROR_MESSAGE_MAX]; /* the failure, "" if none */
} fqp_cuda_consumer_metrics;

/* ---- public functions --------------------------------------------------- */

/* The mode fqp_cuda_open will use: desc->mode, else the environment. */
FASTQPAR_DEF fqp_gpu_mode fqp_cuda_mode(const fqp_cuda_desc *desc);

/* Loads the driver and the kernels and sets up the GPU consumers.
   FQP_OK, or with *out = NULL and a message in *err:
     FQP_ERR_NO_GPU   mode OFF, no driver library, a required symbol missing,
                      a driver older than CUDA 10.0, no device, no device of
                      compute capability >= 7.5 outside compute mode prohibited
     FQP_ERR_CUDA     a driver call failed (e.g. out of device memory)
     FQP_ERR_PTX      no PTX (embedded or file), or the module/kernel did not load;
                      the JIT error log is in the message
     FQP_ERR_INVALID_ARGUMENT, FQP_ERR_NOMEM
   Without FORCE the caller just runs CPU consumers; under FORCE the message
   says the GPU was required. Logged (warning, or error under FORCE). */
FASTQPAR_DEF fqp_result fqp_cuda_open(fqp_cuda **out, const fqp_cuda_desc *desc, fqp_error *err);

/* Fills out[0..max) with the GPU consumers for fqp_pipeline_desc.custom and
   returns how many it filled; with out == NULL returns how many there are.
   Each takes one thread of config.threads. */
FASTQPAR_DEF int fqp_cuda_consumers(fqp_cuda *ctx, fqp_custom_consumer *out, int max);

/* After the run: adds what the GPU consumers counted (every completed
   checkpoint) into `into`, whose max_pos must equal desc.qc_max_pos.
   FQP_OK or FQP_ERR_INVALID_ARGUMENT (QC not enabled, layout differs). */
FASTQPAR_DEF fqp_result fqp_cuda_qc(fqp_cuda *ctx, fqp_qc *into);

/* After the run: adds what the GPU consumers accumulated in
   desc.user_kernels[kernel].outputs[output] (an accumulator; every completed
   checkpoint) into into[0..words), words = bytes / word_bytes of that
   output. FQP_OK or FQP_ERR_INVALID_ARGUMENT. */
FASTQPAR_DEF fqp_result fqp_cuda_accumulated(fqp_cuda *ctx, int kernel, int output, uint64_t *into,
                                             uint64_t words);

/* The description the kit runs for built-in kernel `which` (one FQP_GPU_*
   bit) under desc (its qc_max_pos and trim), so a user can read how a
   kernel is described, or run a built-in entry from a list of their own.
   The pointers stay valid while *k does; FQP_OK or FQP_ERR_INVALID_ARGUMENT. */
typedef struct fqp_cuda_builtin_kernel {
    fqp_cuda_kernel kernel;
    fqp_cuda_arg args[FQP_CUDA_MAX_ARGS];
    fqp_cuda_output outputs[FQP_CUDA_MAX_OUTPUTS];
    unsigned char values[4][4];  /* the VALUE arguments' bytes */
} fqp_cuda_builtin_kernel;
FASTQPAR_DEF fqp_result fqp_cuda_builtin(unsigned which, const fqp_cuda_desc *desc, fqp_cuda_builtin_kernel *k);

/* GPU consumer i (0-based, in fqp_cuda_consumers order): its metrics.
   FQP_OK or FQP_ERR_INVALID_ARGUMENT. */
FASTQPAR_DEF fqp_result fqp_cuda_metrics(fqp_cuda *ctx, int consumer, fqp_cuda_consumer_metrics *out);

/* Devices in use: their number, and device i's description. */
FASTQPAR_DEF int fqp_cuda_device_count(fqp_cuda *ctx);
FASTQPAR_DEF fqp_result fqp_cuda_device(fqp_cuda *ctx, int i, fqp_cuda_device_info *out);

/* Frees every buffer, stream, event and module and releases the primary
   contexts. NULL is fine. The driver library stays loaded. Close every
   fqp_cuda_worker of the context first. After a sticky error the frees
   fail: see DRIVER, DEVICES AND CONTEXTS. */
FASTQPAR_DEF void fqp_cuda_close(fqp_cuda *ctx);

/* ---- synchronous offload from any thread (see OFFLOAD WORKERS above) ---- */

typedef struct fqp_cuda_worker fqp_cuda_worker;

/* A worker for the calling consumer (typically made in init(), closed in
   fini()): its own stream, events, pinned staging and device buffers, on
   device `index` modulo the device count. ctx must have been opened with
   FQP_GPU_TRIM in kernels. FQP_OK with *out set, also when the worker's
   GPU resources could not be made: the worker is then dead (logged) and
   trims on the CPU. Errors: FQP_ERR_INVALID_ARGUMENT, FQP_ERR_NOMEM, and
   under FQP_GPU_FORCE the driver failure (*out = NULL). */
FASTQPAR_DEF fqp_result fqp_cuda_worker_open(fqp_cuda *ctx, int index, fqp_cuda_worker **out, fqp_error *err);

/* Trims every read of b on the worker's GPU: read i keeps
   [start_end[2i], start_end[2i+1]), bit-identical to fqp_trim_batch(b, d,
   start_end) (d NULL: nothing trimmed). Blocks until the intervals are in
   start_end (2 x b->count entries). When a driver call fails, the worker
   logs it, becomes dead for good, and this call and every later one fill
   start_end with fqp_trim_batch instead: FQP_OK, nothing lost. Under
   FQP_GPU_FORCE the failure is returned (FQP_ERR_CUDA, start_end undefined),
   now and on every later call. A NULL worker trims on the CPU. */
FASTQPAR_DEF fqp_result fqp_cuda_trim_batch(fqp_cuda_worker *w, const fqp_batch *b, const fqp_trim_desc *d,
                                            uint64_t *start_end, fqp_error *err);

/* The worker's metrics: batches/records/bases/groups trimmed on the GPU (a
   group is one upload = one batch), bytes, kernel and copy seconds,
   wall_seconds inside fqp_cuda_trim_batch; requeued counts batches trimmed
   on the CPU because the worker is dead; status/message: the failure.
   FQP_OK or FQP_ERR_INVALID_ARGUMENT. */
FASTQPAR_DEF fqp_result fqp_cuda_worker_metrics(const fqp_cuda_worker *w, fqp_cuda_consumer_metrics *out);

/* Runs every kernel of the context (built-ins and user kernels, as the GPU
   consumers do) on batch b on the worker's GPU and waits: *out holds the
   outputs of b (views valid until the next call on this worker) and
   *on_gpu = 1. Accumulators are not supported on workers (the context must
   have none: FQP_ERR_INVALID_ARGUMENT). When the worker is dead (its GPU
   failed, now or before; logged once) *on_gpu = 0 and FQP_OK: the caller
   runs its CPU twin on b. Under FQP_GPU_FORCE the failure is returned. */
FASTQPAR_DEF fqp_result fqp_cuda_worker_run(fqp_cuda_worker *w, const fqp_batch *b, fqp_cuda_results *out,
                                            int *on_gpu, fqp_error *err);

/* Waits for the worker's stream and frees it. NULL is fine. Like every
   function here, it leaves the caller's current CUDA context current. */
FASTQPAR_DEF void fqp_cuda_worker_close(fqp_cuda_worker *w);

#ifdef __cplusplus
}
#endif
#endif /* FASTQPAR_CUDA_H */

/* ======================================================================= */
/*                            IMPLEMENTATION                               */
/* ======================================================================= */
#if defined(FASTQPAR_IMPLEMENTATION) && !defined(FASTQPAR_CUDA_IMPLEMENTATION_DONE)
#define FASTQPAR_CUDA_IMPLEMENTATION_DONE
#include "fastqpar.h" /* its implementation, if an earlier include of this header skipped it */

#if defined(__unix__) || defined(__APPLE__)
#include <dlfcn.h>
#define FQP__CUDA_DLOPEN 1
#endif

/* ---- >>cuda-driver: the CUDA driver subset, mirrored ---- */
/* Private: no CUDA header is needed, and no public function takes these
   types. (tests/fake_cuda.h mirrors the same ABI on its own for the fake
   driver; tests/test_cuda.c checks that the two lists agree.) */

typedef int fqp__CUresult;                     /* CUresult: 0 = CUDA_SUCCESS */
typedef int fqp__CUdevice;
typedef int fqp__CUdevice_attribute;
typedef int fqp__CUjit_option;
typedef unsigned long long fqp__CUdeviceptr;   /* CUdeviceptr_v2 on 64-bit hosts */
typedef struct fqp__CUctx_st *fqp__CUcontext;
typedef struct fqp__CUmod_st *fqp__CUmodule;
typedef struct fqp__CUfunc_st *fqp__CUfunction;
typedef struct fqp__CUstream_st *fqp__CUstream;
typedef struct fqp__CUevent_st *fqp__CUevent;

#define FQP__CUDA_SUCCESS 0
#define FQP__CUDA_ERROR_INVALID_VALUE 1
#define FQP__CUDA_ERROR_OUT_OF_MEMORY 2
#define FQP__CUDA_ERROR_NOT_INITIALIZED 3
#define FQP__CUDA_ERROR_NO_DEVICE 100
#define FQP__CUDA_ERROR_INVALID_PTX 218
#define FQP__CUDA_ERROR_JIT_COMPILER_NOT_FOUND 221
#define FQP__CUDA_ERROR_UNSUPPORTED_PTX_VERSION 222
#define FQP__CUDA_ERROR_JIT_COMPILATION_DISABLED 223
#define FQP__CUDA_ERROR_NOT_FOUND 500
#define FQP__CUDA_ERROR_NOT_READY 600
#define FQP__CUDA_ERROR_ILLEGAL_ADDRESS 700
#define FQP__CUDA_ERROR_LAUNCH_FAILED 719
#define FQP__CUDA_ERROR_UNKNOWN 999
#define FQP__CU_DEVICE_ATTRIBUTE_COMPUTE_MODE 20
#define FQP__CU_COMPUTE_MODE_PROHIBITED 2         /* 0 default, 1 exclusive-thread, 3 exclusive-process */
#define FQP__CU_COMPUTE_MODE_EXCLUSIVE_PROCESS 3
#define FQP__CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR 75
#define FQP__CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR 76
#define FQP__CU_JIT_INFO_LOG_BUFFER 3
#define FQP__CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES 4
#define FQP__CU_JIT_ERROR_LOG_BUFFER 5
#define FQP__CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES 6
#define FQP__CU_STREAM_NON_BLOCKING 1
#define FQP__CU_EVENT_BLOCKING_SYNC 1             /* a host wait sleeps instead of spinning a core */

/* The oldest driver the PTX loads on: the embedded kernels are PTX ISA 6.3,
   which CUDA 10.0 introduced (driver API version 10000, release R410).
   fqp_cuda_open refuses an older driver with a message naming both. */
#define FQP__CUDA_MIN_DRIVER 10000
#define FQP__CUDA_MIN_DRIVER_RELEASE "R410"

/* Every entry point used: X(required, field, exported symbol, parameters).
   The exported `_v2` names are looked up explicitly (cuda.h maps the plain
   names to them with macros). A missing required symbol fails the load. */
#define FQP__CUDA_DRIVER_LIST(X)                                                                \
    X(1, cuInit, cuInit, (unsigned int flags))                                                  \
    X(0, cuDriverGetVersion, cuDriverGetVersion, (int *version))                                \
    X(0, cuGetErrorName, cuGetErrorName, (fqp__CUresult error, const char **text))              \
    X(0, cuGetErrorString, cuGetErrorString, (fqp__CUresult error, const char **text))          \
    X(1, cuDeviceGetCount, cuDeviceGetCount, (int *count))                                      \
    X(1, cuDeviceGet, cuDeviceGet, (fqp__CUdevice *device, int ordinal))                        \
    X(0, cuDeviceGetName, cuDeviceGetName, (char *name, int len, fqp__CUdevice device))         \
    X(1, cuDeviceGetAttribute, cuDeviceGetAttribute,                                            \
      (int *value, fqp__CUdevice_attribute attribute, fqp__CUdevice device))                    \
    X(0, cuDeviceTotalMem, cuDeviceTotalMem_v2, (size_t *bytes, fqp__CUdevice device))          \
    X(1, cuDevicePrimaryCtxRetain, cuDevicePrimaryCtxRetain, (fqp__CUcontext *ctx, fqp__CUdevice device)) \
    X(1, cuDevicePrimaryCtxRelease, cuDevicePrimaryCtxRelease_v2, (fqp__CUdevice device))       \
    X(1, cuCtxSetCurrent, cuCtxSetCurrent, (fqp__CUcontext ctx))                                \
    X(1, cuCtxGetCurrent, cuCtxGetCurrent, (fqp__CUcontext *ctx))                               \
    X(1, cuModuleLoadDataEx, cuModuleLoadDataEx,                                                \
      (fqp__CUmodule *module, const void *image, unsigned int n_options,                        \
       fqp__CUjit_option *options, void **values))                                              \
    X(1, cuModuleGetFunction, cuModuleGetFunction,                                              \
      (fqp__CUfunction *function, fqp__CUmodule module, const char *name))                      \
    X(1, cuModuleUnload, cuModuleUnload, (fqp__CUmodule module))                                \
    X(1, cuMemAlloc, cuMemAlloc_v2, (fqp__CUdeviceptr *ptr, size_t bytes))                      \
    X(1, cuMemFree, cuMemFree_v2, (fqp__CUdeviceptr ptr))                                       \
    X(1, cuMemAllocHost, cuMemAllocHost_v2, (void **ptr, size_t bytes))                         \
    X(1, cuMemFreeHost, cuMemFreeHost, (void *ptr))                                             \
    X(1, cuMemcpyHtoDAsync, cuMemcpyHtoDAsync_v2,                                               \
      (fqp__CUdeviceptr dst, const void *src, size_t bytes, fqp__CUstream stream))              \
    X(1, cuMemcpyDtoHAsync, cuMemcpyDtoHAsync_v2,                                               \
      (void *dst, fqp__CUdeviceptr src, size_t bytes, fqp__CUstream stream))                    \
    X(1, cuMemsetD8Async, cuMemsetD8Async,                                                      \
      (fqp__CUdeviceptr dst, unsigned char value, size_t n, fqp__CUstream stream))              \
    X(1, cuStreamCreate, cuStreamCreate, (fqp__CUstream *stream, unsigned int flags))           \
    X(1, cuStreamDestroy, cuStreamDestroy_v2, (fqp__CUstream stream))                           \
    X(1, cuStreamSynchronize, cuStreamSynchronize, (fqp__CUstream stream))                      \
    X(1, cuEventCreate, cuEventCreate, (fqp__CUevent *event, unsigned int flags))               \
    X(1, cuEventRecord, cuEventRecord, (fqp__CUevent event, fqp__CUstream stream))              \
    X(1, cuEventQuery, cuEventQuery, (fqp__CUevent event))                                      \
    X(1, cuEventSynchronize, cuEventSynchronize, (fqp__CUevent event))                          \
    X(0, cuEventElapsedTime_v2, cuEventElapsedTime_v2, (float *ms, fqp__CUevent start, fqp__CUevent end)) \
    X(0, cuEventElapsedTime, cuEventElapsedTime, (float *ms, fqp__CUevent start, fqp__CUevent end)) \
    X(1, cuEventDestroy, cuEventDestroy_v2, (fqp__CUevent event))                               \
    X(1, cuLaunchKernel, cuLaunchKernel,                                                        \
      (fqp__CUfunction function, unsigned int grid_x, unsigned int grid_y, unsigned int grid_z, \
       unsigned int block_x, unsigned int block_y, unsigned int block_z,                        \
       unsigned int shared_bytes, fqp__CUstream stream, void **params, void **extra))

/* fqp__PFN_cuInit etc.: the type of each entry point. */
#define FQP__CUDA_PFN(required, field, symbol, params) typedef fqp__CUresult (*fqp__PFN_##field) params;
FQP__CUDA_DRIVER_LIST(FQP__CUDA_PFN)
#undef FQP__CUDA_PFN

/* ---- >>cuda-loader: loading the driver ---- */

typedef struct fqp__cuda_api {
#define FQP__CUDA_FIELD(required, field, symbol, params) fqp__PFN_##field field;
    FQP__CUDA_DRIVER_LIST(FQP__CUDA_FIELD)
#undef FQP__CUDA_FIELD
} fqp__cuda_api;

typedef struct fqp__cuda_symbol {
    const char *name;
    size_t offset;
    int required;
} fqp__cuda_symbol;

static const fqp__cuda_symbol fqp__cuda_symbols[] = {
#define FQP__CUDA_SYM(required, field, symbol, params) {#symbol, offsetof(fqp__cuda_api, field), required},
    FQP__CUDA_DRIVER_LIST(FQP__CUDA_SYM)
#undef FQP__CUDA_SYM
};

/* One loaded driver library, kept for the life of the process (unloading
   libcuda while its threads run is unsafe, so nobody does it). */
typedef struct fqp__cuda_lib {
    struct fqp__cuda_lib *next;
    char *path;
    void *handle;
    fqp__cuda_api api;
    int version;                /* cuDriverGetVersion, 0 if unknown */
} fqp__cuda_lib;

static fqp__mutex fqp__cuda_mu;     /* guards the list below (and the test hooks' dlopen count) */
static fqp__cuda_lib *fqp__cuda_libs = NULL;
static int fqp__cuda_mu_ok = 0;
static fqp__once_flag fqp__cuda_once = FQP__ONCE_INIT;
static void fqp__cuda_once_init(void) { fqp__cuda_mu_ok = fqp__mutex_init(&fqp__cuda_mu); }

static int fqp__cuda_global_init(void)
{
    fqp__once(&fqp__cuda_once, fqp__cuda_once_init);
    return fqp__cuda_mu_ok;
}

#if defined(FASTQPAR_CUDA_TEST_HOOKS) && defined(FQP__CUDA_DLOPEN)
/* Test hooks, only for a test that defines FASTQPAR_CUDA_TEST_HOOKS with the
   implementation (tests/test_cuda.c): replace symbol lookup to simulate a
   driver without some entry point, and count dlopen calls (under
   fqp__cuda_mu). A production build has neither. */
static void *(*fqp__cuda_dlsym_hook)(void *handle, const char *name) = NULL;
static unsigned long fqp__cuda_dlopen_calls = 0;
#endif

#ifdef FQP__CUDA_DLOPEN
/* dlsym, or the test hook when one is set. */
static void *fqp__cuda_dlsym(void *handle, const char *name)
{
#ifdef FASTQPAR_CUDA_TEST_HOOKS
    if (fqp__cuda_dlsym_hook) return fqp__cuda_dlsym_hook(handle, name);
#endif
    return dlsym(handle, name);
}
#endif

/* "CUDA_ERROR_OUT_OF_MEMORY (out of memory)", or the number. */
static void fqp__cuda_describe(const fqp__cuda_api *api, fqp__CUresult rc, char *out, size_t cap)
{
    const char *name = NULL, *text = NULL;
    if (api && api->cuGetErrorName && api->cuGetErrorName(rc, &name) != FQP__CUDA_SUCCESS) name = NULL;
    if (api && api->cuGetErrorString && api->cuGetErrorString(rc, &text) != FQP__CUDA_SUCCESS) text = NULL;
    if (name && text) snprintf(out, cap, "%s (%s)", name, text);
    else if (name) snprintf(out, cap, "%s", name);
    else if (text) snprintf(out, cap, "CUDA error %d (%s)", rc, text);
    else snprintf(out, cap, "CUDA error %d", rc);
}

/* Finds or loads the library at `path`: dlopen, every symbol, cuInit(0).
   Once per path and process; concurrent callers wait on fqp__cuda_mu.
   A failure is not remembered, so a later call tries again. */
static fqp_result fqp__cuda_load(const char *path, fqp__cuda_lib **out, fqp_error *err)
{
#ifdef FQP__CUDA_DLOPEN
    fqp__cuda_lib *lib;
    size_t i;
    fqp__CUresult rc;
    char why[256];
    *out = NULL;
    if (!fqp__cuda_global_init())
        return fqp__error(err, FQP_ERR_THREAD, NULL, 0, 0, 0, "cannot create the CUDA loader's mutex");
    fqp__lock(&fqp__cuda_mu);
    for (lib = fqp__cuda_libs; lib; lib = lib->next) {
        if (strcmp(lib->path, path) == 0) {
            fqp__unlock(&fqp__cuda_mu);
            *out = lib;
            return FQP_OK;
        }
    }
    lib = (fqp__cuda_lib *)FASTQPAR_MALLOC(sizeof *lib);
    if (lib) {
        memset(lib, 0, sizeof *lib);
        lib->path = (char *)FASTQPAR_MALLOC(strlen(path) + 1);
    }
    if (!lib || !lib->path) {
        fqp__unlock(&fqp__cuda_mu);
        if (lib) FASTQPAR_FREE(lib);
        return fqp__error(err, FQP_ERR_NOMEM, NULL, 0, 0, 0, "out of memory loading the CUDA driver");
    }
    memcpy(lib->path, path, strlen(path) + 1);
#if defined(__GLIBC__) && defined(RTLD_NOLOAD)
    {   /* a statically linked glibc program has no shared libc: the driver
           would bring a second one and crash (its thread-local data) */
        void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
        if (!libc) {
            fqp__error(err, FQP_ERR_NO_GPU, NULL, 0, 0, 0,
                       "no CUDA driver: this program is linked statically, and %s cannot be loaded into it "
                       "(link dynamically to use GPUs)", path);
            goto fail;
        }
        dlclose(libc);
    }
#endif
#ifdef FASTQPAR_CUDA_TEST_HOOKS
    fqp__cuda_dlopen_calls++;
#endif
    lib->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib->handle) {
        const char *e = dlerror();
        fqp__error(err, FQP_ERR_NO_GPU, NULL, 0, 0, 0, "no CUDA driver: cannot load %s: %s", path,
                   e ? e : "unknown error");
        goto fail;
    }
    for (i = 0; i < sizeof fqp__cuda_symbols / sizeof fqp__cuda_symbols[0]; i++) {
        const fqp__cuda_symbol *s = &fqp__cuda_symbols[i];
        void *sym = fqp__cuda_dlsym(lib->handle, s->name);
        if (!sym && s->required) {
            fqp__error(err, FQP_ERR_NO_GPU, NULL, 0, 0, 0,
                       "unusable CUDA driver %s: required entry point %s is missing (driver too old?)", path,
                       s->name);
            goto fail;
        }
        /* POSIX guarantees a function pointer survives the trip through void * */
        memcpy((char *)&lib->api + s->offset, &sym, sizeof sym);
    }
    if (lib->api.cuDriverGetVersion && lib->api.cuDriverGetVersion(&lib->version) != FQP__CUDA_SUCCESS)
        lib->version = 0;
    if ((rc = lib->api.cuInit(0)) != FQP__CUDA_SUCCESS) {
        fqp__cuda_describe(&lib->api, rc, why, sizeof why);
        fqp__error(err, FQP_ERR_NO_GPU, NULL, 0, 0, 0, "no usable GPU: cuInit failed in %s: %s", path, why);
        goto fail;
    }
    lib->next = fqp__cuda_libs;
    fqp__cuda_libs = lib;
    fqp__unlock(&fqp__cuda_mu);
    *out = lib;
    return FQP_OK;
fail:
    if (lib->handle) dlclose(lib->handle);
    fqp__unlock(&fqp__cuda_mu);
    FASTQPAR_FREE(lib->path);
    FASTQPAR_FREE(lib);
    return err ? err->code : FQP_ERR_NO_GPU;
#else
    (void)path;
    *out = NULL;
    return fqp__error(err, FQP_ERR_NO_GPU, NULL, 0, 0, 0, "GPU consumers need dlopen (Linux)");
#endif
}

/* ---- >>cuda-state: the context, its devices, consumers and slots ---- */

#define FQP__CUDA_BUILTINS 3                                   /* QC, prefix sums, trim */
#define FQP__CUDA_KERNS (FQP__CUDA_BUILTINS + FQP_CUDA_MAX_KERNELS)
#define FQP__CUDA_MODULES (1 + FQP_CUDA_MAX_KERNELS)           /* the built-in PTX, then users' */
#define FQP__CUDA_MAX_RANGES (FQP__CUDA_KERNS * FQP_CUDA_MAX_OUTPUTS * 8)
#define FQP__CUDA_IN_SEQ 1u                                    /* inputs a kernel reads */
#define FQP__CUDA_IN_QUAL 2u
#define FQP__CUDA_IN_HEADS 4u

/* One kernel as the context runs it, built-in or the user's: a copy of its
   description (so the caller's may go away) and where its pieces live. */
typedef struct fqp__cuda_kern {
    fqp_cuda_kernel k;                /* args and outputs point at the copies below */
    fqp_cuda_arg args[FQP_CUDA_MAX_ARGS];
    fqp_cuda_output out[FQP_CUDA_MAX_OUTPUTS];
    unsigned char values[FQP_CUDA_MAX_ARGS][FQP_CUDA_MAX_VALUE];
    int module;                       /* index of its PTX text in the context */
    int user;                         /* index in desc.user_kernels; -1: built-in */
    unsigned builtin;                 /* FQP_GPU_* bit; 0: the user's */
    unsigned inputs;                  /* FQP__CUDA_IN_* its arguments read */
    uint64_t acc_off[FQP_CUDA_MAX_OUTPUTS];  /* accumulators: byte offset in a slot's d_acc */
    uint64_t acc_base[FQP_CUDA_MAX_OUTPUTS]; /* and first word in a consumer's totals */
} fqp__cuda_kern;

/* Where each input array sits in a slot's staging (and device) buffer. */
typedef struct fqp__cuda_layout {
    uint64_t seq, qual, heads, off, head_off, bytes;
} fqp__cuda_layout;

/* What a GPU consumer holds: a batch (fqp_pipeline_run), or a pair batch
   (fqp_paired_run), whose mates' batches run in the same group. */
typedef struct fqp__cuda_unit {
    fqp_batch *b[FQP_MAX_MATES];
    int n;                         /* batches: 1, or the pair's files */
    fqp_pair *pair;                /* NULL: a single batch */
    uint64_t index, bases, reads, heads;
} fqp__cuda_unit;

/* One upload slot of a GPU consumer (or an offload worker): a stream,
   buffers, and the batches run on it that no completed checkpoint covers. */
typedef struct fqp__cuda_slot {
    fqp__CUstream stream;
    fqp__CUevent ev[4];            /* upload start, kernels start, kernels end, done */
    int ev_made;
    unsigned char *h_in;           /* pinned staging: seq | qual | heads | seq_off | head_off */
    fqp__CUdeviceptr d_in;
    void *h_out[FQP__CUDA_KERNS][FQP_CUDA_MAX_OUTPUTS];       /* outputs that are downloaded */
    fqp__CUdeviceptr d_out[FQP__CUDA_KERNS][FQP_CUDA_MAX_OUTPUTS];
    unsigned char *h_acc;          /* every accumulator, at fqp__cuda_kern.acc_off */
    fqp__CUdeviceptr d_acc;
    uint64_t cap_bases, cap_reads, cap_heads;
    /* submitted work, waited for by fqp__cuda_complete */
    int submitted, has_group, has_checkpoint;
    uint64_t seq;                  /* submission order */
    uint64_t group_bases, group_reads;
    /* batches run on this slot, not yet covered by a checkpoint */
    fqp__cuda_unit *held;
    size_t n_held, cap_held;
    int groups_since_checkpoint;
    uint64_t bases_since_checkpoint;
    uint64_t max_len;              /* longest read run since the last checkpoint */
    int n_ranges;                  /* what the submitted checkpoint fetches: bytes of d_acc */
    uint64_t range_off[FQP__CUDA_MAX_RANGES], range_len[FQP__CUDA_MAX_RANGES];
    uint64_t range_total[FQP__CUDA_MAX_RANGES];               /* first word in the totals */
    unsigned char range_word[FQP__CUDA_MAX_RANGES];           /* 4 or 8 */
} fqp__cuda_slot;

typedef struct fqp__cuda_device {
    fqp_cuda_device_info info;
    fqp__CUdevice dev;
    fqp__CUcontext ctx;            /* primary context, retained */
    int compute_mode;             /* CU_DEVICE_ATTRIBUTE_COMPUTE_MODE, 0 (default) if unknown */
    fqp__CUmodule module[FQP__CUDA_MODULES];
    fqp__CUfunction fn[FQP__CUDA_KERNS];  /* one per fqp_cuda.kern */
} fqp__cuda_device;

typedef struct fqp__cuda_consumer {
    fqp_cuda *owner;
    fqp__cuda_device *device;
    int index;
    fqp__cuda_slot *slots;
    int n_slots, next_slot;
    uint64_t next_seq;
    /* the group being filled */
    fqp__cuda_unit *group;
    size_t n_group;
    fqp_batch **flat;              /* the group's batches, for packing */
    uint64_t group_bases, group_reads, group_heads;
    double group_started;
    fqp__cuda_unit carry;          /* taken, did not fit the group, not yet in the next */
    int has_carry;
    uint64_t *totals;              /* accumulators of every completed checkpoint */
    int dead;                      /* its GPU failed: takes no more batches */
    int user_failed;               /* on_results returned an error */
    fqp_cuda_consumer_metrics m;
} fqp__cuda_consumer;

struct fqp_cuda {
    fqp_cuda_desc d;               /* resolved copy */
    fqp_config cfg;                /* resolved batch limits, log, allocator */
    fqp_allocator a;
    fqp__cuda_lib *lib;
    const fqp__cuda_api *api;
    fqp__cuda_device *devices;
    int n_devices;
    fqp__cuda_consumer *consumers;
    int n_consumers;
    fqp__cuda_kern kern[FQP__CUDA_KERNS]; /* built-ins first, then the user's */
    int n_kern;
    int builtin_kern[FQP__CUDA_BUILTINS]; /* QC, prefix, trim: index in kern, or -1 */
    const char *mod_label[FQP__CUDA_MODULES]; /* for messages */
    const char *mod_ptx[FQP__CUDA_MODULES];   /* user text, or NULL: mod_parts or mod_path */
    const char *const *mod_parts[FQP__CUDA_MODULES]; /* user text in pieces */
    const char *mod_path[FQP__CUDA_MODULES];  /* a file, or NULL with mod_ptx NULL: built-in */
    int n_mods;
    unsigned inputs;               /* FQP__CUDA_IN_* of every kernel */
    uint64_t acc_bytes;            /* every accumulator of a slot */
    uint64_t acc_words;            /* a consumer's totals */
    int acc4;                      /* some accumulator has 4-byte words */
    int one_batch_groups;          /* a downloaded FIXED output: a group is one batch */
    int has_results;               /* an output that on_results gets */
    uint64_t cap_bases, cap_reads, cap_heads; /* initial slot capacity */
    uint64_t group_limit;          /* coalescing: bases per group */
    size_t max_group_batches;
    int n_ckpt;                    /* checkpoint_groups, resolved */
};

#define FQP__CUDA_MAX_GROUP_BATCHES 64
#define FQP__CUDA_ALIGN(x) (((x) + 255u) & ~(uint64_t)255u)
#define FQP__CUDA_ACC4_LIMIT ((uint64_t)1 << 31) /* bases per checkpoint with 4-byte words */

static void fqp__cuda_log(const fqp_cuda_desc *d, const fqp_config *cfg, fqp_log_level level, const char *fmt, ...)
    FQP_PRINTF_FORMAT(4, 5);
static void fqp__cuda_log(const fqp_cuda_desc *d, const fqp_config *cfg, fqp_log_level level, const char *fmt, ...)
{
    char msg[FQP_ERROR_MESSAGE_MAX + 64];
    va_list ap;
    fqp_log_fn fn = d->log ? d->log : cfg ? cfg->log : NULL;
    void *user = d->log ? d->log_user : cfg ? cfg->log_user : NULL;
    if (!fn) return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fn(user, level, msg);
}

/* Records a failed driver call as FQP_ERR_CUDA "what: CUDA_ERROR_X (text)". */
static fqp_result fqp__cuda_fail_call(const fqp__cuda_api *api, fqp_error *err, fqp_result code, fqp__CUresult rc,
                                      const char *what)
{
    char why[256];
    fqp__cuda_describe(api, rc, why, sizeof why);
    return fqp__error(err, code, NULL, 0, 0, 0, "%s failed: %s", what, why);
}

/* The result of driver call `what`: FQP_OK on success, else FQP_ERR_CUDA
   recorded as fqp__cuda_fail_call does. The caller returns or cleans up. */
static fqp_result fqp__cuda_check(const fqp__cuda_api *api, fqp__CUresult rc, const char *what, fqp_error *err)
{
    if (rc == FQP__CUDA_SUCCESS) return FQP_OK;
    return fqp__cuda_fail_call(api, err, FQP_ERR_CUDA, rc, what);
}

/* Whether rc is a sticky error: a fault on the device (or a failed launch)
   that poisons the context, so that every later call in it, frees
   included, fails with the same code until the primary context is reset. */
static int fqp__cuda_sticky(fqp__CUresult rc)
{
    switch (rc) {
    case FQP__CUDA_ERROR_ILLEGAL_ADDRESS:   /* 700 */
    case 702:                               /* CUDA_ERROR_LAUNCH_TIMEOUT */
    case 710:                               /* CUDA_ERROR_ASSERT */
    case 714:                               /* CUDA_ERROR_HARDWARE_STACK_ERROR */
    case 715:                               /* CUDA_ERROR_ILLEGAL_INSTRUCTION */
    case 716:                               /* CUDA_ERROR_MISALIGNED_ADDRESS */
    case 717:                               /* CUDA_ERROR_INVALID_ADDRESS_SPACE */
    case 718:                               /* CUDA_ERROR_INVALID_PC */
    case FQP__CUDA_ERROR_LAUNCH_FAILED:     /* 719 */
        return 1;
    default:
        return 0;
    }
}

/* The calling thread's current context, saved by each public function that
   makes one of its own current and put back before it returns: the
   caller's CUDA code finds the context it had. */
typedef struct fqp__cuda_saved_ctx {
    fqp__CUcontext ctx;
    int known;                    /* cuCtxGetCurrent succeeded: restore ctx */
} fqp__cuda_saved_ctx;

static fqp__cuda_saved_ctx fqp__cuda_ctx_save(const fqp__cuda_api *api)
{
    fqp__cuda_saved_ctx s;
    s.ctx = NULL;
    s.known = api->cuCtxGetCurrent(&s.ctx) == FQP__CUDA_SUCCESS;
    return s;
}

static void fqp__cuda_ctx_restore(const fqp__cuda_api *api, fqp__cuda_saved_ctx s)
{
    if (s.known) api->cuCtxSetCurrent(s.ctx);
}

/* After a failure on ctx (current on this thread), what the log says about
   it: asks the driver through `probe` (an event of ctx; cuEventQuery never
   blocks) whether the context is poisoned. "" when that cannot be told. */
static const char *fqp__cuda_ctx_state(const fqp__cuda_api *api, fqp__CUcontext ctx, fqp__CUevent probe)
{
    fqp__CUcontext cur = NULL;
    if (!probe || api->cuCtxGetCurrent(&cur) != FQP__CUDA_SUCCESS || cur != ctx) return "";
    if (fqp__cuda_sticky(api->cuEventQuery(probe)))
        return "; the context is poisoned (sticky error): the device is unusable for this process until the "
               "primary context is reset";
    return "; the context is still usable";
}

/* ---- >>cuda-config: the desc and the environment, resolved ---- */

static int fqp__cuda_env_flag(const fqp_cuda_desc *d, const char *name)
{
    const char *v;
    if (d->ignore_env || !(v = getenv(name)) || !*v) return 0;
    return strcmp(v, "0") != 0;
}

FASTQPAR_DEF fqp_gpu_mode fqp_cuda_mode(const fqp_cuda_desc *desc)
{
    fqp_cuda_desc zero;
    if (!desc) {
        memset(&zero, 0, sizeof zero);
        desc = &zero;
    }
    if (desc->mode != FQP_GPU_AUTO) return desc->mode;
    if (fqp__cuda_env_flag(desc, "FASTQPAR_FORCE_CPU")) return FQP_GPU_OFF;
    if (fqp__cuda_env_flag(desc, "FASTQPAR_FORCE_GPU")) return FQP_GPU_FORCE;
    return FQP_GPU_AUTO;
}

/* The one place that reads this header's environment variables. */
static fqp_result fqp__cuda_resolve(const fqp_cuda_desc *in, fqp_cuda_desc *d, fqp_config *cfg, fqp_error *err)
{
    fqp_config zero;
    const char *v;
    fqp_result r;
    *d = *in;
    d->mode = fqp_cuda_mode(in);
    memset(&zero, 0, sizeof zero);
    if ((r = fqp__config_resolve(in->config ? in->config : &zero, cfg, err)) != FQP_OK) return r;
    if (!d->kernels && !d->n_user_kernels) d->kernels = FQP_GPU_QC;
    if (d->kernels & ~(FQP_GPU_QC | FQP_GPU_PREFIX_SUM | FQP_GPU_TRIM))
        return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0, "unknown bits in fqp_cuda_desc.kernels: %#x",
                          d->kernels);
    if (d->n_user_kernels < 0 || d->n_user_kernels > FQP_CUDA_MAX_KERNELS || (d->n_user_kernels && !d->user_kernels))
        return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0,
                          "fqp_cuda_desc: n_user_kernels must be 0..%d, with user_kernels set", FQP_CUDA_MAX_KERNELS);
    if ((d->kernels & FQP_GPU_TRIM) && !d->offload_only && d->trim.mode != FQP_TRIM_BWA &&
        d->trim.mode != FQP_TRIM_WINDOW)
        return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0,
                          "fqp_cuda_desc.trim.mode must be FQP_TRIM_BWA or FQP_TRIM_WINDOW");
    if (!d->qc_max_pos) d->qc_max_pos = 1000;
    if (!d->consumers_per_device && !d->ignore_env && (v = getenv("FASTQPAR_GPU_CONSUMERS")) && *v) {
        char *end = NULL;
        long n = strtol(v, &end, 10);
        if (*end || n < 1 || n > 64)
            return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0,
                              "environment variable FASTQPAR_GPU_CONSUMERS=\"%s\" is not a number in 1..64", v);
        d->consumers_per_device = (int)n;
    }
    if (!d->consumers_per_device) d->consumers_per_device = 1;
    if (d->consumers_per_device < 1 || d->consumers_per_device > 64 || d->max_devices < 0 || d->in_flight < 0 ||
        d->in_flight > 64 || d->checkpoint_groups < 0)
        return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0,
                          "fqp_cuda_desc: consumers_per_device 1..64, in_flight 0..64, max_devices and "
                          "checkpoint_groups >= 0");
    if (!d->in_flight) d->in_flight = 2;
    if (!d->coalesce_bytes) d->coalesce_bytes = (uint64_t)4 << 20;
    if (d->coalesce_seconds == 0) d->coalesce_seconds = 0.001;
    if (!d->ptx_path && !d->ignore_env && (v = getenv("FASTQPAR_PTX")) && *v) d->ptx_path = v;
    if (!d->library && !d->ignore_env && (v = getenv("FASTQPAR_CUDA_LIBRARY")) && *v) d->library = v;
    if (!d->library) d->library = "libcuda.so.1";
    if (!d->log) {
        d->log = cfg->log;
        d->log_user = cfg->log_user;
    }
    d->config = NULL; /* not kept: the caller's object may go away */
    return FQP_OK;
}

/* ---- >>cuda-module: the kernels, their PTX texts and modules ---- */

/* Defined at the end of the file, beside the PTX it returns (>>cuda-ptx). */
static const char *const *fqp__cuda_embedded_ptx(void);

/* The QC counters a checkpoint moves: those that reads no longer than
   max_len can have touched (every table is indexed by position or length,
   up to max_pos): the fixed counters and the first max_len positions of
   each table, so short reads cost little whatever max_pos is. The layout
   follows from the size: words = 204 + 102 x (max_pos + 1). */
static int fqp__cuda_qc_ranges(const void *unused, uint64_t words, uint64_t max_len, uint64_t start[8],
                               uint64_t len[8])
{
    uint64_t m = max_len, bins = (words - 204) / 102;
    uint32_t mp = (uint32_t)(bins - 1);
    (void)unused;
    if (m >= mp) {
        start[0] = 0;
        len[0] = words;
        return 1;
    }
    start[0] = 0;                              len[0] = FQP_QC_GC(FQP_QC_GC_BINS - 1) + 1; /* totals, MEANQ, GC */
    start[1] = FQP_QC_POS_QSUM(mp, 0);         len[1] = m;
    start[2] = FQP_QC_POS_COUNT(mp, 0);        len[2] = m;
    start[3] = FQP_QC_LEN(mp, 0);              len[3] = m + 1;
    start[4] = FQP_QC_POS_BASE(mp, 0, 0);      len[4] = 5 * m;
    start[5] = FQP_QC_POS_QUAL(mp, 0, 0);      len[5] = FQP_QC_QUALS * m;
    return 6;
}

static void fqp__cuda_arg_set(fqp_cuda_arg *a, fqp_cuda_arg_kind kind, int index, const void *value, size_t size)
{
    a->kind = kind;
    a->index = index;
    a->value = value;
    a->size = size;
}

/* The built-in kernels described as any user kernel is (kernels.cu gives
   their signatures and geometry): the kit has one way to run kernels. */
FASTQPAR_DEF fqp_result fqp_cuda_builtin(unsigned which, const fqp_cuda_desc *desc, fqp_cuda_builtin_kernel *b)
{
    fqp_cuda_kernel *k;
    fqp_cuda_arg *a;
    if (!b || !desc) return FQP_ERR_INVALID_ARGUMENT;
    memset(b, 0, sizeof *b);
    k = &b->kernel;
    a = b->args;
    k->args = b->args;
    k->outputs = b->outputs;
    k->n_outputs = 1;
    k->block = 256;
    k->reads_per_block = 8;
    k->max_grid = 65535;
    if (which == FQP_GPU_QC) {
        uint32_t mp = desc->qc_max_pos ? desc->qc_max_pos : FQP_QC_DEFAULT_MAX_POS;
        memcpy(b->values[0], &mp, 4);
        k->entry = "fqp_k_qc";
        fqp__cuda_arg_set(a++, FQP_CUDA_ARG_SEQ, 0, NULL, 0);
        fqp__cuda_arg_set(a++, FQP_CUDA_ARG_QUAL, 0, NULL, 0);
        fqp__cuda_arg_set(a++, FQP_CUDA_ARG_OFFSETS, 0, NULL, 0);
        fqp__cuda_arg_set(a++, FQP_CUDA_ARG_COUNT, 0, NULL, 0);
        fqp__cuda_arg_set(a++, FQP_CUDA_ARG_VALUE, 0, b->values[0], 4);   /* unsigned max_pos */
        fqp__cuda_arg_set(a++, FQP_CUDA_ARG_OUTPUT, 0, NULL, 0);          /* counters */
        b->outputs[0].rule = FQP_CUDA_FIXED;
        b->outputs[0].bytes = 8 * fqp_qc_words(mp);
        b->outputs[0].accumulate = 1;
        b->outputs[0].word_bytes = 8;
        b->outputs[0].ranges = fqp__cuda_qc_ranges;
        k->reads_per_block = 64;
        k->max_grid = 1024;
    } else if (which == FQP_GPU_PREFIX_SUM) {
        k->entry = "fqp_k_qual_prefix_sum";
        fqp__cuda_arg_set(a++, FQP_CUDA_ARG_QUAL, 0, NULL, 0);
        fqp__cuda_arg_set(a++, FQP_CUDA_ARG_OFFSETS, 0, NULL, 0);
        fqp__cuda_arg_set(a++, FQP_CUDA_ARG_COUNT, 0, NULL, 0);
        fqp__cuda_arg_set(a++, FQP_CUDA_ARG_OUTPUT, 0, NULL, 0);
        b->outputs[0].rule = FQP_CUDA_PER_BASE;
        b->outputs[0].bytes = 8;
    } else if (which == FQP_GPU_TRIM) {
        int v[4], i;
        v[0] = (int)desc->trim.mode;
        v[1] = desc->trim.threshold;
        v[2] = desc->trim.window;
        v[3] = desc->trim.threshold5;
        for (i = 0; i < 4; i++) memcpy(b->values[i], &v[i], 4);
        k->entry = "fqp_k_trim";
        /* the window rule scores N as Q0, so it reads the bases; BWA's does not */
        fqp__cuda_arg_set(a++, desc->trim.mode == FQP_TRIM_WINDOW ? FQP_CUDA_ARG_SEQ : FQP_CUDA_ARG_NULL, 0, NULL, 0);
        fqp__cuda_arg_set(a++, FQP_CUDA_ARG_QUAL, 0, NULL, 0);
        fqp__cuda_arg_set(a++, FQP_CUDA_ARG_OFFSETS, 0, NULL, 0);
        fqp__cuda_arg_set(a++, FQP_CUDA_ARG_COUNT, 0, NULL, 0);
        for (i = 0; i < 4; i++) fqp__cuda_arg_set(a++, FQP_CUDA_ARG_VALUE, 0, b->values[i], 4);
        fqp__cuda_arg_set(a++, FQP_CUDA_ARG_OUTPUT, 0, NULL, 0);          /* [start, end) pairs */
        b->outputs[0].rule = FQP_CUDA_PER_RECORD;
        b->outputs[0].bytes = 16;
    } else {
        return FQP_ERR_INVALID_ARGUMENT;
    }
    k->n_args = (int)(a - b->args);
    return FQP_OK;
}

/* Checks kernel description src and copies it into kern; names it `who`
   in messages. */
static fqp_result fqp__cuda_kern_set(fqp__cuda_kern *kern, const fqp_cuda_kernel *src, const char *who,
                                     fqp_error *err)
{
    int i;
    const char *e = NULL;
    memset(kern, 0, sizeof *kern);
    kern->user = -1;
    if (!src->entry || !*src->entry) e = "has no entry name";
    else if (src->n_args < 0 || src->n_args > FQP_CUDA_MAX_ARGS || (src->n_args && !src->args)) e = "has a bad n_args";
    else if (src->n_outputs < 0 || src->n_outputs > FQP_CUDA_MAX_OUTPUTS || (src->n_outputs && !src->outputs))
        e = "has a bad n_outputs";
    else if (src->block > 1024) e = "asks for more than 1024 threads per block";
    if (e) return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0, "%s %s", who, e);
    kern->k = *src;
    for (i = 0; i < src->n_outputs; i++) {
        fqp_cuda_output *o = &kern->out[i];
        *o = src->outputs[i];
        if (o->accumulate && !o->word_bytes) o->word_bytes = 8;
        if (o->rule < FQP_CUDA_PER_RECORD || o->rule > FQP_CUDA_FIXED || !o->bytes)
            e = "has no size rule or no bytes";
        else if (o->accumulate && (o->rule != FQP_CUDA_FIXED || (o->word_bytes != 4 && o->word_bytes != 8) ||
                                   o->bytes % o->word_bytes))
            e = "is an accumulator but not FQP_CUDA_FIXED whole words of 4 or 8 bytes";
        if (e) return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0, "%s output %d %s", who, i, e);
    }
    for (i = 0; i < src->n_args; i++) {
        fqp_cuda_arg *a = &kern->args[i];
        *a = src->args[i];
        switch (a->kind) {
        case FQP_CUDA_ARG_SEQ: kern->inputs |= FQP__CUDA_IN_SEQ; break;
        case FQP_CUDA_ARG_QUAL: kern->inputs |= FQP__CUDA_IN_QUAL; break;
        case FQP_CUDA_ARG_HEADS: case FQP_CUDA_ARG_HEAD_OFFSETS: kern->inputs |= FQP__CUDA_IN_HEADS; break;
        case FQP_CUDA_ARG_OFFSETS: case FQP_CUDA_ARG_COUNT: case FQP_CUDA_ARG_NULL: break;
        case FQP_CUDA_ARG_OUTPUT:
            if (a->index < 0 || a->index >= src->n_outputs) e = "names an output it does not have";
            break;
        case FQP_CUDA_ARG_VALUE:
            if (!a->value || a->size < 1 || a->size > FQP_CUDA_MAX_VALUE) e = "has a VALUE of bad size or no value";
            else memcpy(kern->values[i], a->value, a->size);
            a->value = kern->values[i];
            break;
        default: e = "has an argument of unknown kind";
        }
        if (e) return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0, "%s argument %d %s", who, i, e);
    }
    kern->k.args = kern->args;
    kern->k.outputs = kern->out;
    if (!kern->k.block) kern->k.block = 256;
    if (!kern->k.reads_per_block) kern->k.reads_per_block = 8;
    if (!kern->k.max_grid) kern->k.max_grid = 65535;
    return FQP_OK;
}

/* The module (index into the context's texts) that kernel k runs from:
   the built-in PTX (0), or one per distinct user text or file. */
static int fqp__cuda_module_of(fqp_cuda *c, const fqp_cuda_kernel *k)
{
    int m;
    if (!k->ptx && !k->ptx_parts && !k->ptx_path) return 0;
    for (m = 1; m < c->n_mods; m++)
        if (k->ptx ? c->mod_ptx[m] == k->ptx
                   : k->ptx_parts ? c->mod_parts[m] == k->ptx_parts
                                  : c->mod_path[m] && !strcmp(c->mod_path[m], k->ptx_path))
            return m;
    m = c->n_mods++;
    c->mod_ptx[m] = k->ptx;
    c->mod_parts[m] = k->ptx ? NULL : k->ptx_parts;
    c->mod_path[m] = k->ptx || k->ptx_parts ? NULL : k->ptx_path;
    c->mod_label[m] = c->mod_path[m] ? c->mod_path[m] : "the user's PTX text";
    return m;
}

/* The context's kernel list from the resolved desc: the built-ins its bits
   ask for, then the user's. Needs no driver. */
static fqp_result fqp__cuda_plan(fqp_cuda *c, fqp_error *err)
{
    static const unsigned bits[FQP__CUDA_BUILTINS] = {FQP_GPU_QC, FQP_GPU_PREFIX_SUM, FQP_GPU_TRIM};
    fqp_cuda_builtin_kernel b;
    fqp_result r;
    char who[96];
    int i, j;
    c->n_mods = 1; /* module 0: the built-in PTX, loaded only when a kernel uses it */
    c->mod_path[0] = c->d.ptx_path;
    c->mod_label[0] = c->d.ptx_path ? c->d.ptx_path : "embedded PTX";
    for (i = 0; i < FQP__CUDA_BUILTINS; i++) {
        c->builtin_kern[i] = -1;
        if (!(c->d.kernels & bits[i])) continue;
        fqp_cuda_builtin(bits[i], &c->d, &b);
        if ((r = fqp__cuda_kern_set(&c->kern[c->n_kern], &b.kernel, b.kernel.entry, err)) != FQP_OK) return r;
        c->kern[c->n_kern].builtin = bits[i];
        c->builtin_kern[i] = c->n_kern++;
    }
    for (i = 0; i < c->d.n_user_kernels; i++) {
        const fqp_cuda_kernel *u = &c->d.user_kernels[i];
        fqp__cuda_kern *kn = &c->kern[c->n_kern];
        snprintf(who, sizeof who, "user kernel %d (%.64s)", i, u->entry ? u->entry : "no entry");
        if ((r = fqp__cuda_kern_set(kn, u, who, err)) != FQP_OK) return r;
        kn->user = i;
        kn->module = fqp__cuda_module_of(c, u);
        c->n_kern++;
    }
    for (i = 0; i < c->n_kern; i++) {
        fqp__cuda_kern *kn = &c->kern[i];
        c->inputs |= kn->inputs;
        for (j = 0; j < kn->k.n_outputs; j++) {
            const fqp_cuda_output *o = &kn->out[j];
            if (o->accumulate) {
                kn->acc_off[j] = c->acc_bytes;
                kn->acc_base[j] = c->acc_words;
                c->acc_bytes += FQP__CUDA_ALIGN(o->bytes);
                c->acc_words += o->bytes / o->word_bytes;
                if (o->word_bytes == 4) c->acc4 = 1;
            } else {
                c->has_results = 1;
                if (o->rule == FQP_CUDA_FIXED) c->one_batch_groups = 1;
            }
        }
    }
    if (c->has_results && !c->d.on_results && !c->d.on_pair_results && !c->d.offload_only)
        return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0,
                          "kernel outputs (prefix sums, trimming, a user kernel's) need an on_results callback");
    return FQP_OK;
}

/* Reads PTX file `path` into *out (NUL-terminated; free with fqp__free). */
static fqp_result fqp__cuda_read_ptx(fqp_cuda *c, const char *path, char **out, fqp_error *err)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 1 << 16, got, n = 0;
    char *s;
    *out = NULL;
    if (!f) return fqp__error(err, FQP_ERR_PTX, NULL, 0, 0, 0, "cannot open the PTX file %s: %s", path, strerror(errno));
    s = (char *)fqp__alloc(&c->a, cap);
    while (s && (got = fread(s + n, 1, cap - 1 - n, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            char *t = (char *)fqp__realloc(&c->a, s, cap, cap * 2);
            if (!t) fqp__free(&c->a, s);
            s = t;
            cap *= 2;
        }
    }
    if (s && ferror(f)) {
        fqp__free(&c->a, s);
        fclose(f);
        return fqp__error(err, FQP_ERR_PTX, NULL, 0, 0, 0, "cannot read the PTX file %s", path);
    }
    fclose(f);
    if (!s) return fqp__error(err, FQP_ERR_NOMEM, NULL, 0, 0, 0, "out of memory reading %s", path);
    s[n] = 0;
    *out = s;
    return FQP_OK;
}

/* Module m's PTX text in *text; *owned is what to free (NULL for a user's). */
static fqp_result fqp__cuda_ptx_text(fqp_cuda *c, int m, const char **text, char **owned, fqp_error *err)
{
    const char *const *ptx = c->mod_parts[m] ? c->mod_parts[m] : fqp__cuda_embedded_ptx();
    size_t n = 0, i;
    char *s;
    *text = NULL;
    *owned = NULL;
    if (c->mod_ptx[m]) {
        *text = c->mod_ptx[m];
        return FQP_OK;
    }
    if (c->mod_path[m]) {
        fqp_result r = fqp__cuda_read_ptx(c, c->mod_path[m], owned, err);
        *text = *owned;
        return r;
    }
    for (i = 0; ptx[i]; i++) n += strlen(ptx[i]);
    if (n == 0 && !c->mod_parts[m])
        return fqp__error(err, FQP_ERR_PTX, NULL, 0, 0, 0,
                          "no PTX: this build embeds none (run `make ptx`) and neither ptx_path nor "
                          "FASTQPAR_PTX is set");
    if (n == 0) return fqp__error(err, FQP_ERR_PTX, NULL, 0, 0, 0, "a user kernel's ptx_parts are empty");
    if (!(s = (char *)fqp__alloc(&c->a, n + 1)))
        return fqp__error(err, FQP_ERR_NOMEM, NULL, 0, 0, 0, "out of memory for the PTX text");
    for (n = 0, i = 0; ptx[i]; i++) {
        size_t l = strlen(ptx[i]);
        memcpy(s + n, ptx[i], l);
        n += l;
    }
    s[n] = 0;
    *text = *owned = s;
    return FQP_OK;
}

/* Whether some kernel of the context runs from module m. */
static int fqp__cuda_module_used(const fqp_cuda *c, int m)
{
    int i;
    for (i = 0; i < c->n_kern; i++)
        if (c->kern[i].module == m) return 1;
    return 0;
}

/* Loads module m into the device's (current) primary context. The JIT
   logs go into the message. */
static fqp_result fqp__cuda_load_module(fqp_cuda *c, fqp__cuda_device *dv, int m, const char *ptx, fqp_error *err)
{
    const fqp__cuda_api *api = c->api;
    char error_log[4096], info_log[1024], why[256];
    fqp__CUjit_option opts[4];
    void *vals[4];
    fqp__CUresult rc;
    error_log[0] = info_log[0] = 0;
    opts[0] = FQP__CU_JIT_ERROR_LOG_BUFFER;
    vals[0] = error_log;
    opts[1] = FQP__CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES;
    vals[1] = (void *)(uintptr_t)sizeof error_log;
    opts[2] = FQP__CU_JIT_INFO_LOG_BUFFER;
    vals[2] = info_log;
    opts[3] = FQP__CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES;
    vals[3] = (void *)(uintptr_t)sizeof info_log;
    rc = api->cuModuleLoadDataEx(&dv->module[m], ptx, 4, opts, vals);
    error_log[sizeof error_log - 1] = 0;
    if (rc == FQP__CUDA_SUCCESS) return FQP_OK;
    dv->module[m] = NULL;
    fqp__cuda_describe(api, rc, why, sizeof why);
    {
        char hint[256];
        int v = c->lib->version;
        hint[0] = 0;
        if (rc == FQP__CUDA_ERROR_UNSUPPORTED_PTX_VERSION) { /* the driver's JIT predates the PTX's ISA */
            const char *ver = strstr(ptx, ".version");
            unsigned major = 0, minor = 0;
            if (!ver || sscanf(ver + 8, " %u.%u", &major, &minor) != 2) major = minor = 0;
            snprintf(hint, sizeof hint, " (driver too old: the PTX is ISA %u.%u, CUDA driver %d.%d (%d) cannot "
                     "compile it; update the NVIDIA driver)", major, minor, v / 1000, v % 1000 / 10, v);
        } else if (rc == FQP__CUDA_ERROR_JIT_COMPILER_NOT_FOUND) {
            snprintf(hint, sizeof hint, " (the driver's PTX JIT compiler, libnvidia-ptxjitcompiler, is missing: "
                     "the driver is too old or incompletely installed; CUDA driver %d.%d (%d))", v / 1000,
                     v % 1000 / 10, v);
        } else if (rc == FQP__CUDA_ERROR_JIT_COMPILATION_DISABLED) {
            snprintf(hint, sizeof hint, " (PTX JIT compilation is disabled, e.g. by CUDA_DISABLE_PTX_JIT; "
                     "CUDA driver %d.%d (%d))", v / 1000, v % 1000 / 10, v);
        }
        return fqp__error(err, FQP_ERR_PTX, NULL, 0, 0, 0,
                          "loading the GPU kernels (%s) on device %d (%s) failed: %s%s%s%s", c->mod_label[m],
                          dv->info.ordinal, dv->info.name, why, hint, error_log[0] ? "; JIT log: " : "", error_log);
    }
}

/* Every module the kernels need on device dv, then every kernel's function. */
static fqp_result fqp__cuda_load_kernels(fqp_cuda *c, fqp__cuda_device *dv, fqp_error *err)
{
    char why[256];
    fqp__CUresult rc;
    fqp_result r;
    int m, i;
    for (m = 0; m < c->n_mods; m++) {
        const char *text;
        char *owned;
        if (!fqp__cuda_module_used(c, m)) continue;
        if ((r = fqp__cuda_ptx_text(c, m, &text, &owned, err)) != FQP_OK) return r;
        r = fqp__cuda_load_module(c, dv, m, text, err);
        fqp__free(&c->a, owned);
        if (r != FQP_OK) return r;
    }
    for (i = 0; i < c->n_kern; i++) {
        const fqp__cuda_kern *kn = &c->kern[i];
        rc = c->api->cuModuleGetFunction(&dv->fn[i], dv->module[kn->module], kn->k.entry);
        if (rc == FQP__CUDA_SUCCESS) continue;
        fqp__cuda_describe(c->api, rc, why, sizeof why);
        return fqp__error(err, FQP_ERR_PTX, NULL, 0, 0, 0, "the GPU kernels (%s) lack %s: %s",
                          c->mod_label[kn->module], kn->k.entry, why);
    }
    return FQP_OK;
}

/* ---- >>cuda-slots: streams, events and buffers of one upload slot ---- */

/* Where the inputs `inputs` of a group of `bases`, `reads` and `heads`
   header bytes sit in staging: seq | qual | heads | seq_off | head_off. */
static void fqp__cuda_layout_for(unsigned inputs, uint64_t bases, uint64_t reads, uint64_t heads,
                                 fqp__cuda_layout *L)
{
    uint64_t at = 0;
    L->seq = at;
    if (inputs & FQP__CUDA_IN_SEQ) at += FQP__CUDA_ALIGN(bases);
    L->qual = at;
    if (inputs & FQP__CUDA_IN_QUAL) at += FQP__CUDA_ALIGN(bases);
    L->heads = at;
    if (inputs & FQP__CUDA_IN_HEADS) at += FQP__CUDA_ALIGN(heads);
    L->off = at;
    at += FQP__CUDA_ALIGN(8 * (reads + 1));
    L->head_off = at;
    if (inputs & FQP__CUDA_IN_HEADS) at += 8 * (reads + 1);
    L->bytes = at;
}

/* Bytes of a downloaded output for a group of `bases` and `reads`. */
static uint64_t fqp__cuda_out_bytes(const fqp_cuda_output *o, uint64_t bases, uint64_t reads)
{
    return o->rule == FQP_CUDA_PER_RECORD ? o->bytes * reads : o->rule == FQP_CUDA_PER_BASE ? o->bytes * bases
                                                                                            : o->bytes;
}

static void fqp__cuda_slot_free_buffers(const fqp_cuda *c, fqp__cuda_slot *s)
{
    const fqp__cuda_api *api = c->api;
    int i, j;
    if (s->h_in) api->cuMemFreeHost(s->h_in);
    if (s->d_in) api->cuMemFree(s->d_in);
    for (i = 0; i < FQP__CUDA_KERNS; i++)
        for (j = 0; j < FQP_CUDA_MAX_OUTPUTS; j++) {
            if (s->h_out[i][j]) api->cuMemFreeHost(s->h_out[i][j]);
            if (s->d_out[i][j]) api->cuMemFree(s->d_out[i][j]);
            s->h_out[i][j] = NULL;
            s->d_out[i][j] = 0;
        }
    s->h_in = NULL;
    s->d_in = 0;
    s->cap_bases = s->cap_reads = s->cap_heads = 0;
}

/* (Re)allocates a slot's group buffers (staging and downloaded outputs) for
   `bases`, `reads` and `heads`; the slot has no work in flight. On failure
   the slot has no buffers. */
static fqp_result fqp__cuda_slot_buffers(fqp_cuda *c, fqp__cuda_slot *s, uint64_t bases, uint64_t reads,
                                         uint64_t heads, fqp_error *err)
{
    const fqp__cuda_api *api = c->api;
    fqp__cuda_layout L;
    fqp_result r = FQP_OK;
    int i, j;
    fqp__cuda_slot_free_buffers(c, s);
    fqp__cuda_layout_for(c->inputs | FQP__CUDA_IN_SEQ | FQP__CUDA_IN_QUAL, bases, reads, heads, &L);
    if (L.bytes > (uint64_t)SIZE_MAX / 16 || bases > (uint64_t)SIZE_MAX / 16)
        return fqp__error(err, FQP_ERR_NOMEM, NULL, 0, 0, 0, "a GPU buffer of %llu bases is too large",
                          (unsigned long long)bases);
    r = fqp__cuda_check(api, api->cuMemAllocHost((void **)&s->h_in, (size_t)L.bytes), "cuMemAllocHost_v2 (staging)",
                        err);
    if (r != FQP_OK) goto fail;
    r = fqp__cuda_check(api, api->cuMemAlloc(&s->d_in, (size_t)L.bytes), "cuMemAlloc_v2 (batch input)", err);
    if (r != FQP_OK) goto fail;
    for (i = 0; i < c->n_kern; i++)
        for (j = 0; j < c->kern[i].k.n_outputs; j++) {
            const fqp_cuda_output *o = &c->kern[i].out[j];
            uint64_t n = fqp__cuda_out_bytes(o, bases, reads);
            if (o->accumulate) continue;
            if (n < 8) n = 8;
            if (n > (uint64_t)SIZE_MAX / 2) {
                r = fqp__error(err, FQP_ERR_NOMEM, NULL, 0, 0, 0, "a GPU output of %llu bytes is too large",
                               (unsigned long long)n);
                goto fail;
            }
            r = fqp__cuda_check(api, api->cuMemAllocHost(&s->h_out[i][j], (size_t)n), "cuMemAllocHost_v2 (output)",
                                err);
            if (r != FQP_OK) goto fail;
            r = fqp__cuda_check(api, api->cuMemAlloc(&s->d_out[i][j], (size_t)n), "cuMemAlloc_v2 (output)", err);
            if (r != FQP_OK) goto fail;
        }
    s->cap_bases = bases;
    s->cap_reads = reads;
    s->cap_heads = heads;
    return FQP_OK;
fail:
    fqp__cuda_slot_free_buffers(c, s);
    return r;
}

/* Grows slot s for a group of `bases`, `reads` and `heads` when needed (a
   huge record): it then keeps the larger buffers. */
static fqp_result fqp__cuda_slot_fit(fqp_cuda *c, fqp__cuda_slot *s, uint64_t bases, uint64_t reads, uint64_t heads,
                                     const char *who, int index, fqp_error *err)
{
    uint64_t nb = s->cap_bases, nr = s->cap_reads, nh = s->cap_heads;
    fqp_result r;
    if (bases <= nb && reads <= nr && heads <= nh && s->h_in) return FQP_OK;
    if (bases > nb) nb = bases + bases / 4;
    if (reads > nr) nr = reads + reads / 4;
    if (heads > nh) nh = heads + heads / 4;
    if ((r = fqp__cuda_slot_buffers(c, s, nb, nr, nh, err)) != FQP_OK) return r;
    fqp__cuda_log(&c->d, &c->cfg, FQP_LOG_DEBUG, "GPU %s %d: a slot grew to %llu bases, %llu reads, %llu header bytes",
                  who, index, (unsigned long long)nb, (unsigned long long)nr, (unsigned long long)nh);
    return FQP_OK;
}

/* Everything a slot needs for the whole run, made once: the stream, the
   events, the group buffers, and (for a GPU consumer) the accumulators,
   zeroed. The host waits on ev[3] only: it blocks instead of spinning. */
static fqp_result fqp__cuda_slot_setup(fqp_cuda *c, fqp__cuda_slot *s, int with_acc, fqp_error *err)
{
    const fqp__cuda_api *api = c->api;
    fqp__CUresult rc;
    int i;
    if ((rc = api->cuStreamCreate(&s->stream, FQP__CU_STREAM_NON_BLOCKING)) != FQP__CUDA_SUCCESS) {
        s->stream = NULL;
        return fqp__cuda_fail_call(api, err, FQP_ERR_CUDA, rc, "cuStreamCreate");
    }
    for (i = 0; i < 4; i++) { /* the host waits on ev[3] only: it sleeps there; all four stay timed */
        if ((rc = api->cuEventCreate(&s->ev[i], i == 3 ? FQP__CU_EVENT_BLOCKING_SYNC : 0)) != FQP__CUDA_SUCCESS)
            return fqp__cuda_fail_call(api, err, FQP_ERR_CUDA, rc, "cuEventCreate");
        s->ev_made = i + 1;
    }
    if (fqp__cuda_slot_buffers(c, s, c->cap_bases, c->cap_reads, c->cap_heads, err) != FQP_OK) return FQP_ERR_CUDA;
    if (with_acc && c->acc_bytes) {
        size_t n = (size_t)c->acc_bytes;
        if ((rc = api->cuMemAllocHost((void **)&s->h_acc, n)) != FQP__CUDA_SUCCESS) {
            s->h_acc = NULL;
            return fqp__cuda_fail_call(api, err, FQP_ERR_CUDA, rc, "cuMemAllocHost_v2 (accumulators)");
        }
        if ((rc = api->cuMemAlloc(&s->d_acc, n)) != FQP__CUDA_SUCCESS) {
            s->d_acc = 0;
            return fqp__cuda_fail_call(api, err, FQP_ERR_CUDA, rc, "cuMemAlloc_v2 (accumulators)");
        }
        if ((rc = api->cuMemsetD8Async(s->d_acc, 0, n, s->stream)) != FQP__CUDA_SUCCESS ||
            (rc = api->cuStreamSynchronize(s->stream)) != FQP__CUDA_SUCCESS)
            return fqp__cuda_fail_call(api, err, FQP_ERR_CUDA, rc, "zeroing the accumulators");
    }
    s->cap_held = (size_t)c->n_ckpt * c->max_group_batches;
    s->held = (fqp__cuda_unit *)fqp__calloc(&c->a, s->cap_held * sizeof *s->held);
    if (!s->held) return fqp__error(err, FQP_ERR_NOMEM, NULL, 0, 0, 0, "out of memory");
    return FQP_OK;
}

static void fqp__cuda_slot_teardown(fqp_cuda *c, fqp__cuda_slot *s)
{
    const fqp__cuda_api *api = c->api;
    int i;
    if (s->stream) api->cuStreamSynchronize(s->stream); /* nothing may still copy into pinned memory */
    fqp__cuda_slot_free_buffers(c, s);
    if (s->h_acc) api->cuMemFreeHost(s->h_acc);
    if (s->d_acc) api->cuMemFree(s->d_acc);
    for (i = 0; i < s->ev_made; i++) api->cuEventDestroy(s->ev[i]);
    if (s->stream) api->cuStreamDestroy(s->stream);
    fqp__free(&c->a, s->held);
    memset(s, 0, sizeof *s);
}

/* Packs batches g[0..n) into slot s's staging as layout L says: the inputs
   the kernels read, offsets rebased over the group. Records the longest
   read in s->max_len. */
static void fqp__cuda_pack(fqp__cuda_slot *s, unsigned inputs, fqp_batch *const *g, size_t n,
                           const fqp__cuda_layout *L)
{
    uint64_t pos = 0, hpos = 0, r0 = 0, *off = (uint64_t *)(void *)(s->h_in + L->off);
    uint64_t *hoff = (uint64_t *)(void *)(s->h_in + L->head_off);
    size_t i;
    for (i = 0; i < n; i++) {
        const fqp_batch *b = g[i];
        uint64_t j, first = b->seq_off[0], hfirst = 0, hbytes = 0;
        if (inputs & FQP__CUDA_IN_HEADS) {
            hfirst = b->head_off[0];
            hbytes = b->head_off[b->count] - hfirst;
        }
        if (b->bases && (inputs & FQP__CUDA_IN_SEQ)) memcpy(s->h_in + L->seq + pos, b->seq + first, (size_t)b->bases);
        if (b->bases && (inputs & FQP__CUDA_IN_QUAL))
            memcpy(s->h_in + L->qual + pos, b->qual + first, (size_t)b->bases);
        if (hbytes && (inputs & FQP__CUDA_IN_HEADS)) memcpy(s->h_in + L->heads + hpos, b->head + hfirst, (size_t)hbytes);
        for (j = 0; j < b->count; j++) {
            uint64_t len = b->seq_off[j + 1] - b->seq_off[j];
            off[r0 + j] = pos + (b->seq_off[j] - first);
            if (inputs & FQP__CUDA_IN_HEADS) hoff[r0 + j] = hpos + (b->head_off[j] - hfirst);
            if (len > s->max_len) s->max_len = len;
        }
        pos += b->bases;
        hpos += hbytes;
        r0 += b->count;
    }
    off[r0] = pos;
    if (inputs & FQP__CUDA_IN_HEADS) hoff[r0] = hpos;
}

/* Launch geometry of a kernel: ceil(n_reads / reads_per_block) blocks, at
   least 1 and at most max_grid. */
static unsigned fqp__cuda_grid(const fqp_cuda_kernel *k, uint64_t n_reads)
{
    uint64_t g = (n_reads + k->reads_per_block - 1) / k->reads_per_block;
    if (g < 1) g = 1;
    if (g > k->max_grid) g = k->max_grid;
    return (unsigned)g;
}

/* Enqueues on slot s, after an upload laid out as L: kernels kerns[0..n)
   (their function and buffers at index idx[i] of the device and slot), then
   the downloads of their non-accumulating outputs. A group without reads
   runs no kernel. Adds the downloaded bytes to *down. */
static fqp_result fqp__cuda_launch(const fqp_cuda *c, const fqp__cuda_device *dv, fqp__cuda_slot *s,
                                   const fqp__cuda_kern *const *kerns, const int *idx, int n,
                                   const fqp__cuda_layout *L, uint64_t bases, uint64_t reads, uint64_t *down,
                                   fqp_error *err)
{
    const fqp__cuda_api *api = c->api;
    unsigned long long n_reads = reads;
    char what[160];
    fqp_result r;
    int i, a;
    for (i = 0; i < n && reads; i++) {
        const fqp__cuda_kern *kn = kerns[i];
        fqp__CUdeviceptr ptr[FQP_CUDA_MAX_ARGS];
        void *argv[FQP_CUDA_MAX_ARGS];
        for (a = 0; a < kn->k.n_args; a++) {
            const fqp_cuda_arg *g = &kn->args[a];
            argv[a] = &ptr[a];
            switch (g->kind) {
            case FQP_CUDA_ARG_SEQ: ptr[a] = s->d_in + L->seq; break;
            case FQP_CUDA_ARG_QUAL: ptr[a] = s->d_in + L->qual; break;
            case FQP_CUDA_ARG_OFFSETS: ptr[a] = s->d_in + L->off; break;
            case FQP_CUDA_ARG_HEADS: ptr[a] = s->d_in + L->heads; break;
            case FQP_CUDA_ARG_HEAD_OFFSETS: ptr[a] = s->d_in + L->head_off; break;
            case FQP_CUDA_ARG_COUNT: argv[a] = &n_reads; break;
            case FQP_CUDA_ARG_VALUE: argv[a] = (void *)(uintptr_t)g->value; break;
            case FQP_CUDA_ARG_OUTPUT:
                ptr[a] = kn->out[g->index].accumulate ? s->d_acc + kn->acc_off[g->index] : s->d_out[idx[i]][g->index];
                break;
            default: ptr[a] = 0; /* FQP_CUDA_ARG_NULL */
            }
        }
        snprintf(what, sizeof what, "cuLaunchKernel (%.128s)", kn->k.entry);
        r = fqp__cuda_check(api, api->cuLaunchKernel(dv->fn[idx[i]], fqp__cuda_grid(&kn->k, reads), 1, 1,
                                                     kn->k.block, 1, 1, kn->k.shared_bytes, s->stream,
                                                     kn->k.n_args ? argv : NULL, NULL),
                            what, err);
        if (r != FQP_OK) return r;
    }
    r = fqp__cuda_check(api, api->cuEventRecord(s->ev[2], s->stream), "cuEventRecord", err);
    if (r != FQP_OK) return r;
    for (i = 0; i < n && reads; i++) {
        const fqp__cuda_kern *kn = kerns[i];
        for (a = 0; a < kn->k.n_outputs; a++) {
            uint64_t bytes = fqp__cuda_out_bytes(&kn->out[a], bases, reads);
            if (kn->out[a].accumulate || !bytes) continue;
            if (kn->builtin) /* the names the built-ins' outputs always had in messages */
                snprintf(what, sizeof what, "cuMemcpyDtoHAsync_v2 (%s)",
                         kn->builtin == FQP_GPU_TRIM ? "trim intervals" : "prefix sums");
            else
                snprintf(what, sizeof what, "cuMemcpyDtoHAsync_v2 (output %d of %.100s)", a, kn->k.entry);
            r = fqp__cuda_check(api, api->cuMemcpyDtoHAsync(s->h_out[idx[i]][a], s->d_out[idx[i]][a], (size_t)bytes,
                                                             s->stream),
                                what, err);
            if (r != FQP_OK) return r;
            *down += bytes;
        }
    }
    return FQP_OK;
}

/* The views (res) of the outputs of the batch that starts at base `pos`
   and record `r0` of slot s's group. */
static void fqp__cuda_views(const fqp_cuda *c, const fqp__cuda_slot *s, uint64_t pos, uint64_t r0,
                            fqp_cuda_results *res)
{
    int i, j;
    memset(res, 0, sizeof *res);
    for (i = 0; i < c->n_kern; i++) {
        const fqp__cuda_kern *kn = &c->kern[i];
        for (j = 0; j < kn->k.n_outputs; j++) {
            const fqp_cuda_output *o = &kn->out[j];
            const unsigned char *v = (const unsigned char *)s->h_out[i][j];
            if (o->accumulate) continue;
            if (o->rule == FQP_CUDA_PER_RECORD) v += o->bytes * r0;
            else if (o->rule == FQP_CUDA_PER_BASE) v += o->bytes * pos;
            if (kn->builtin == FQP_GPU_PREFIX_SUM) res->prefix = (const uint64_t *)(const void *)v;
            else if (kn->builtin == FQP_GPU_TRIM) res->trim = (const uint64_t *)(const void *)v;
            else if (kn->user >= 0) res->out[kn->user][j] = v;
        }
    }
}

/* ---- >>cuda-open: fqp_cuda_open and fqp_cuda_close ---- */

FASTQPAR_DEF void fqp_cuda_close(fqp_cuda *c)
{
    fqp__cuda_saved_ctx saved;
    int i, j;
    if (!c) return;
    saved = fqp__cuda_ctx_save(c->api);
    if (c->consumers) {
        for (i = 0; i < c->n_consumers; i++) {
            fqp__cuda_consumer *k = &c->consumers[i];
            if (k->slots) {
                c->api->cuCtxSetCurrent(k->device->ctx);
                for (j = 0; j < k->n_slots; j++) fqp__cuda_slot_teardown(c, &k->slots[j]);
            }
            fqp__free(&c->a, k->slots);
            fqp__free(&c->a, k->group);
            fqp__free(&c->a, k->flat);
            fqp__free(&c->a, k->totals);
        }
    }
    if (c->devices) {
        for (i = 0; i < c->n_devices; i++) {
            fqp__cuda_device *dv = &c->devices[i];
            if (!dv->ctx) continue;
            c->api->cuCtxSetCurrent(dv->ctx);
            for (j = 0; j < FQP__CUDA_MODULES; j++)
                if (dv->module[j]) c->api->cuModuleUnload(dv->module[j]);
        }
        fqp__cuda_ctx_restore(c->api, saved); /* before the releases: ours are not left current */
        for (i = 0; i < c->n_devices; i++)
            if (c->devices[i].ctx) c->api->cuDevicePrimaryCtxRelease(c->devices[i].dev);
    }
    fqp__free(&c->a, c->consumers);
    fqp__free(&c->a, c->devices);
    fqp__free(&c->a, c);
}

/* Devices of compute capability >= 7.5 (the PTX targets compute_75) whose
   compute mode is not prohibited, up to max_devices. */
static fqp_result fqp__cuda_find_devices(fqp_cuda *c, fqp_error *err)
{
    const fqp__cuda_api *api = c->api;
    fqp__CUresult rc;
    int count = 0, i, prohibited = 0;
    if ((rc = api->cuDeviceGetCount(&count)) != FQP__CUDA_SUCCESS)
        return fqp__cuda_fail_call(api, err, FQP_ERR_NO_GPU, rc, "no usable GPU: cuDeviceGetCount");
    if (count <= 0)
        return fqp__error(err, FQP_ERR_NO_GPU, NULL, 0, 0, 0, "no usable GPU: the CUDA driver sees no device");
    c->devices = (fqp__cuda_device *)fqp__calloc(&c->a, (size_t)count * sizeof *c->devices);
    if (!c->devices) return fqp__error(err, FQP_ERR_NOMEM, NULL, 0, 0, 0, "out of memory");
    for (i = 0; i < count && (!c->d.max_devices || c->n_devices < c->d.max_devices); i++) {
        fqp__cuda_device *dv = &c->devices[c->n_devices];
        size_t mem = 0;
        memset(dv, 0, sizeof *dv);
        dv->info.ordinal = i;
        if ((rc = api->cuDeviceGet(&dv->dev, i)) != FQP__CUDA_SUCCESS ||
            (rc = api->cuDeviceGetAttribute(&dv->info.cc_major, FQP__CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                                            dv->dev)) != FQP__CUDA_SUCCESS ||
            (rc = api->cuDeviceGetAttribute(&dv->info.cc_minor, FQP__CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                                            dv->dev)) != FQP__CUDA_SUCCESS) {
            char why[256];
            fqp__cuda_describe(api, rc, why, sizeof why);
            fqp__cuda_log(&c->d, &c->cfg, FQP_LOG_WARN, "GPU %d skipped: querying it failed: %s", i, why);
            continue;
        }
        if (!api->cuDeviceGetName || api->cuDeviceGetName(dv->info.name, (int)sizeof dv->info.name, dv->dev))
            snprintf(dv->info.name, sizeof dv->info.name, "CUDA device %d", i);
        dv->info.name[sizeof dv->info.name - 1] = 0;
        if (api->cuDeviceTotalMem && api->cuDeviceTotalMem(&mem, dv->dev) == FQP__CUDA_SUCCESS)
            dv->info.memory = (uint64_t)mem;
        if (dv->info.cc_major * 10 + dv->info.cc_minor < 75) {
            fqp__cuda_log(&c->d, &c->cfg, FQP_LOG_WARN, "GPU %d (%s) skipped: compute capability %d.%d < 7.5", i,
                          dv->info.name, dv->info.cc_major, dv->info.cc_minor);
            continue;
        }
        if (api->cuDeviceGetAttribute(&dv->compute_mode, FQP__CU_DEVICE_ATTRIBUTE_COMPUTE_MODE, dv->dev) !=
            FQP__CUDA_SUCCESS)
            dv->compute_mode = 0; /* unknown: try it */
        if (dv->compute_mode == FQP__CU_COMPUTE_MODE_PROHIBITED) {
            fqp__cuda_log(&c->d, &c->cfg, FQP_LOG_WARN,
                          "GPU %d (%s) skipped: its compute mode is prohibited (no process may use it; "
                          "nvidia-smi -c sets it)", i, dv->info.name);
            prohibited++;
            continue;
        }
        c->n_devices++;
    }
    if (!c->n_devices && prohibited)
        return fqp__error(err, FQP_ERR_NO_GPU, NULL, 0, 0, 0,
                          "no usable GPU: of the %d device(s), %d are in compute mode prohibited and the others "
                          "have compute capability < 7.5", count, prohibited);
    if (!c->n_devices)
        return fqp__error(err, FQP_ERR_NO_GPU, NULL, 0, 0, 0,
                          "no usable GPU: none of the %d device(s) has compute capability >= 7.5", count);
    return FQP_OK;
}

/* Device i, at its final place: retains its primary context (left
   current), loads the module, sets up its consumers. On failure the caller
   drops it (fqp__cuda_drop_device). */
static fqp_result fqp__cuda_device_setup(fqp_cuda *c, int i, fqp_error *err)
{
    const fqp__cuda_api *api = c->api;
    fqp__cuda_device *dv = &c->devices[i];
    fqp__CUresult rc;
    fqp_result r = FQP_OK;
    int j;
    if ((rc = api->cuDevicePrimaryCtxRetain(&dv->ctx, dv->dev)) != FQP__CUDA_SUCCESS) {
        char why[256];
        int exclusive = dv->compute_mode == 1 || dv->compute_mode == FQP__CU_COMPUTE_MODE_EXCLUSIVE_PROCESS;
        dv->ctx = NULL;
        fqp__cuda_describe(api, rc, why, sizeof why);
        return fqp__error(err, FQP_ERR_CUDA, NULL, 0, 0, 0, "cuDevicePrimaryCtxRetain failed: %s%s", why,
                          exclusive ? " (the device is in an exclusive compute mode: another process may hold it)"
                                    : "");
    }
    if ((rc = api->cuCtxSetCurrent(dv->ctx)) != FQP__CUDA_SUCCESS)
        return fqp__cuda_fail_call(api, err, FQP_ERR_CUDA, rc, "cuCtxSetCurrent");
    if ((r = fqp__cuda_load_kernels(c, dv, err)) != FQP_OK) return r;
    dv->info.consumers = c->d.offload_only ? 0 : c->d.consumers_per_device;
    for (j = 0; j < dv->info.consumers && r == FQP_OK; j++) {
        fqp__cuda_consumer *k = &c->consumers[i * c->d.consumers_per_device + j];
        int s;
        k->owner = c;
        k->device = dv;
        k->index = i * c->d.consumers_per_device + j;
        k->m.device = i;
        k->n_slots = c->d.in_flight;
        k->slots = (fqp__cuda_slot *)fqp__calloc(&c->a, (size_t)k->n_slots * sizeof *k->slots);
        k->group = (fqp__cuda_unit *)fqp__calloc(&c->a, c->max_group_batches * sizeof *k->group);
        k->flat = (fqp_batch **)fqp__calloc(&c->a, c->max_group_batches * FQP_MAX_MATES * sizeof *k->flat);
        if (c->acc_words) k->totals = (uint64_t *)fqp__calloc(&c->a, (size_t)(c->acc_words * 8));
        if (!k->slots || !k->group || !k->flat || (c->acc_words && !k->totals))
            return fqp__error(err, FQP_ERR_NOMEM, NULL, 0, 0, 0, "out of memory");
        for (s = 0; s < k->n_slots && r == FQP_OK; s++) r = fqp__cuda_slot_setup(c, &k->slots[s], 1, err);
    }
    return r;
}

/* Device i failed in fqp__cuda_device_setup: frees what it and its
   consumers got and releases its context; its place is zeroed. */
static void fqp__cuda_drop_device(fqp_cuda *c, int i)
{
    const fqp__cuda_api *api = c->api;
    fqp__cuda_device *dv = &c->devices[i];
    int j, s;
    for (j = 0; c->consumers && j < c->d.consumers_per_device; j++) {
        fqp__cuda_consumer *k = &c->consumers[i * c->d.consumers_per_device + j];
        if (k->slots && dv->ctx) {
            api->cuCtxSetCurrent(dv->ctx);
            for (s = 0; s < k->n_slots; s++) fqp__cuda_slot_teardown(c, &k->slots[s]);
        }
        fqp__free(&c->a, k->slots);
        fqp__free(&c->a, k->group);
        fqp__free(&c->a, k->flat);
        fqp__free(&c->a, k->totals);
        memset(k, 0, sizeof *k);
    }
    if (dv->ctx) {
        api->cuCtxSetCurrent(dv->ctx);
        for (j = 0; j < FQP__CUDA_MODULES; j++)
            if (dv->module[j]) api->cuModuleUnload(dv->module[j]);
        api->cuCtxSetCurrent(NULL);
        api->cuDevicePrimaryCtxRelease(dv->dev);
    }
    memset(dv, 0, sizeof *dv);
}

static fqp_result fqp__cuda_setup(fqp_cuda *c, fqp_error *err)
{
    const fqp__cuda_api *api;
    fqp_result r, last = FQP_OK;
    fqp__cuda_saved_ctx saved;
    int i, found, usable = 0;
    if ((r = fqp__cuda_load(c->d.library, &c->lib, err)) != FQP_OK) return r;
    c->api = api = &c->lib->api;
    if (c->lib->version && c->lib->version < FQP__CUDA_MIN_DRIVER) {
        int v = c->lib->version;
        return fqp__error(err, FQP_ERR_NO_GPU, NULL, 0, 0, 0,
                          "no usable GPU: CUDA driver %d.%d (%d) is older than the minimum %d.%d (%s) that the "
                          "GPU kernels need: update the NVIDIA driver", v / 1000, v % 1000 / 10, v,
                          FQP__CUDA_MIN_DRIVER / 1000, FQP__CUDA_MIN_DRIVER % 1000 / 10, FQP__CUDA_MIN_DRIVER_RELEASE);
    }
    if ((r = fqp__cuda_find_devices(c, err)) != FQP_OK) return r;
    /* sizes: a group holds up to coalesce_bytes of sequence + quality, and at least one batch */
    c->group_limit = c->d.coalesce_bytes / 2 ? c->d.coalesce_bytes / 2 : 1;
    c->cap_bases = c->group_limit > c->cfg.batch_bytes ? c->group_limit : c->cfg.batch_bytes;
    c->cap_reads = c->cfg.batch_records > c->cap_bases / 32 ? c->cfg.batch_records : c->cap_bases / 32;
    c->cap_heads = (c->inputs & FQP__CUDA_IN_HEADS) ? c->cap_bases / 2 : 0;
    c->max_group_batches = c->one_batch_groups ? 1 : FQP__CUDA_MAX_GROUP_BATCHES;
    c->n_ckpt = c->d.checkpoint_groups;
    if (!c->n_ckpt) { /* a fetch of the accumulators costs at most about one upload */
        fqp__cuda_layout L;
        fqp__cuda_layout_for(c->inputs, c->cap_bases, c->cap_reads, c->cap_heads, &L);
        c->n_ckpt = (int)((c->acc_bytes + L.bytes - 1) / L.bytes);
        if (c->n_ckpt < 1) c->n_ckpt = 1;
        if (c->n_ckpt > 8) c->n_ckpt = 8;
    }
    if (c->d.on_results || !c->acc_bytes) c->n_ckpt = 1;
    c->n_consumers = c->d.offload_only ? 0 : c->n_devices * c->d.consumers_per_device;
    c->consumers = c->n_consumers ? (fqp__cuda_consumer *)fqp__calloc(&c->a, (size_t)c->n_consumers *
                                                                            sizeof *c->consumers) : NULL;
    if (c->n_consumers && !c->consumers) return fqp__error(err, FQP_ERR_NOMEM, NULL, 0, 0, 0, "out of memory");
    /* One device failing (its context, module or memory; e.g. held by another
       process in exclusive-process mode) drops that device and its consumers;
       the open fails only when none is left, with the last failure. The
       usable ones move down so that they stay contiguous. */
    saved = fqp__cuda_ctx_save(api);
    found = c->n_devices;
    for (i = 0; i < found; i++) {
        fqp__cuda_device *dv = &c->devices[usable];
        if (usable != i) {
            *dv = c->devices[i];
            memset(&c->devices[i], 0, sizeof c->devices[i]);
        }
        if ((r = fqp__cuda_device_setup(c, usable, err)) == FQP_OK) {
            usable++;
            continue;
        }
        if (r == FQP_ERR_NOMEM) break; /* the host's memory, not the device's: the open fails */
        if (found > 1)
            fqp__cuda_log(&c->d, &c->cfg, FQP_LOG_WARN, "GPU %d (%s) skipped: %s", dv->info.ordinal, dv->info.name,
                          err->message);
        fqp__cuda_drop_device(c, usable);
        last = r;
    }
    fqp__cuda_ctx_restore(api, saved);
    if (r == FQP_ERR_NOMEM) return r;
    if (!usable) return last;
    c->n_devices = usable;
    if (!c->d.offload_only) c->n_consumers = usable * c->d.consumers_per_device;
    if (last != FQP_OK) memset(err, 0, sizeof *err); /* the failures were logged; the open succeeds */
    return FQP_OK;
}

FASTQPAR_DEF fqp_result fqp_cuda_open(fqp_cuda **out, const fqp_cuda_desc *desc, fqp_error *err)
{
    fqp_cuda *c;
    fqp_cuda_desc d;
    fqp_config cfg;
    fqp_result r;
    fqp_error local;
    if (!err) err = &local;
    memset(err, 0, sizeof *err);
    if (!out) return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0, "fqp_cuda_open: out is NULL");
    *out = NULL;
    if (!desc) return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0, "fqp_cuda_open: desc is NULL");
    if ((r = fqp__cuda_resolve(desc, &d, &cfg, err)) != FQP_OK) return r;
    if (d.mode == FQP_GPU_OFF) {
        fqp__error(err, FQP_ERR_NO_GPU, NULL, 0, 0, 0, "GPU disabled (%s): running on CPU consumers only",
                   desc->mode == FQP_GPU_OFF ? "mode FQP_GPU_OFF" : "FASTQPAR_FORCE_CPU=1");
        fqp__cuda_log(&d, &cfg, FQP_LOG_INFO, "%s", err->message);
        return FQP_ERR_NO_GPU;
    }
    c = (fqp_cuda *)fqp__calloc(&cfg.allocator, sizeof *c);
    if (!c) return fqp__error(err, FQP_ERR_NOMEM, NULL, 0, 0, 0, "out of memory");
    c->d = d;
    c->cfg = cfg;
    c->a = cfg.allocator;
    if ((r = fqp__cuda_plan(c, err)) != FQP_OK) { /* a bad kernel description: no fall-back */
        fqp__free(&cfg.allocator, c);
        return r;
    }
    if ((r = fqp__cuda_setup(c, err)) != FQP_OK) {
        char msg[FQP_ERROR_MESSAGE_MAX];
        if (c->api) fqp_cuda_close(c);
        else fqp__free(&cfg.allocator, c);
        if (d.mode == FQP_GPU_FORCE) {
            snprintf(msg, sizeof msg, "%s", err->message);
            fqp__error(err, r, NULL, 0, 0, 0, "GPU required (%s) but unusable: %s",
                       desc->mode == FQP_GPU_FORCE ? "mode FQP_GPU_FORCE" : "FASTQPAR_FORCE_GPU=1", msg);
            fqp__cuda_log(&d, &cfg, FQP_LOG_ERROR, "%s", err->message);
        } else {
            fqp__cuda_log(&d, &cfg, FQP_LOG_WARN, "%s; running on CPU consumers only", err->message);
        }
        return r;
    }
    fqp__cuda_log(&c->d, &c->cfg, FQP_LOG_INFO, "%d GPU consumer(s)%s on %d device(s), first: %s (sm_%d%d), driver %d",
                  c->n_consumers, c->d.offload_only ? " (offload workers only)" : "", c->n_devices, c->devices[0].info.name, c->devices[0].info.cc_major,
                  c->devices[0].info.cc_minor, c->lib->version);
    *out = c;
    return FQP_OK;
}

/* ---- >>cuda-consumer: the GPU consumer thread ---- */

static double fqp__cuda_elapsed(const fqp__cuda_api *api, fqp__CUevent a, fqp__CUevent b)
{
    float ms = 0;
    fqp__PFN_cuEventElapsedTime fn = api->cuEventElapsedTime_v2 ? api->cuEventElapsedTime_v2 : api->cuEventElapsedTime;
    if (!fn || fn(&ms, a, b) != FQP__CUDA_SUCCESS) return 0;
    return (double)ms * 1e-3;
}

/* A taken batch or pair as a unit (heads: header bytes, when a kernel reads them). */
static void fqp__cuda_unit_of(const fqp_cuda *c, fqp_batch *b, fqp_pair *pair, int files, fqp__cuda_unit *u)
{
    int m;
    memset(u, 0, sizeof *u);
    u->pair = pair;
    u->n = pair ? (pair->interleaved ? 1 : files) : 1;
    u->index = pair ? pair->index : b->index;
    for (m = 0; m < u->n; m++) {
        fqp_batch *x = pair ? pair->batch[m] : b;
        u->b[m] = x;
        u->bases += x->bases;
        u->reads += x->count;
        if (c->inputs & FQP__CUDA_IN_HEADS) u->heads += x->head_off[x->count] - x->head_off[0];
    }
}

static void fqp__cuda_group_add(fqp__cuda_consumer *k, const fqp__cuda_unit *u)
{
    if (k->n_group == 0) k->group_started = fqp__now();
    k->group[k->n_group++] = *u;
    k->group_bases += u->bases;
    k->group_reads += u->reads;
    k->group_heads += u->heads;
}

/* Whether u joins the group being filled (a first unit always does). */
static int fqp__cuda_group_fits(const fqp__cuda_consumer *k, const fqp__cuda_unit *u)
{
    const fqp_cuda *c = k->owner;
    return k->n_group == 0 ||
           (!c->one_batch_groups && k->n_group < c->max_group_batches && k->group_bases + u->bases <= c->group_limit &&
            k->group_reads + u->reads <= c->cap_reads);
}

static int fqp__cuda_group_full(const fqp__cuda_consumer *k)
{
    const fqp_cuda *c = k->owner;
    return c->one_batch_groups || k->n_group >= c->max_group_batches || k->group_bases >= c->group_limit || k->group_reads >= c->cap_reads;
}

static int fqp__cuda_holding(const fqp__cuda_consumer *k)
{
    int i;
    if (k->n_group || k->has_carry) return 1;
    for (i = 0; i < k->n_slots; i++)
        if (k->slots[i].submitted || k->slots[i].n_held) return 1;
    return 0;
}

/* The submitted slot with the oldest work, or NULL. */
static fqp__cuda_slot *fqp__cuda_oldest(fqp__cuda_consumer *k)
{
    fqp__cuda_slot *o = NULL;
    int i;
    for (i = 0; i < k->n_slots; i++)
        if (k->slots[i].submitted && (!o || k->slots[i].seq < o->seq)) o = &k->slots[i];
    return o;
}

/* The byte ranges of the accumulators that a checkpoint of slot s moves
   (each accumulator's ranges callback, or the whole of it). */
static void fqp__cuda_ckpt_ranges(const fqp_cuda *c, fqp__cuda_slot *s)
{
    int i, j, q, n;
    uint64_t st[8], ln[8];
    s->n_ranges = 0;
    for (i = 0; i < c->n_kern; i++) {
        const fqp__cuda_kern *kn = &c->kern[i];
        for (j = 0; j < kn->k.n_outputs; j++) {
            const fqp_cuda_output *o = &kn->out[j];
            uint64_t words;
            if (!o->accumulate) continue;
            words = o->bytes / o->word_bytes;
            n = o->ranges ? o->ranges(o->ranges_user, words, s->max_len, st, ln) : 0;
            if (n < 1 || n > 8) {
                n = 1;
                st[0] = 0;
                ln[0] = words;
            }
            for (q = 0; q < n; q++) {
                if (st[q] >= words || !ln[q]) continue;
                if (ln[q] > words - st[q]) ln[q] = words - st[q];
                s->range_off[s->n_ranges] = kn->acc_off[j] + st[q] * o->word_bytes;
                s->range_len[s->n_ranges] = ln[q] * o->word_bytes;
                s->range_total[s->n_ranges] = kn->acc_base[j] + st[q];
                s->range_word[s->n_ranges] = (unsigned char)o->word_bytes;
                s->n_ranges++;
            }
        }
    }
}

/* Enqueues on slot s (which has no work in flight): the group being
   filled, if `with_group` and there is one (packed into pinned staging,
   one upload, every kernel, the output downloads), then, if `checkpoint`,
   the accumulators' fetch and reset. The group's batches join the slot's
   held list before the first driver call, so that a failure anywhere hands
   them back. */
static fqp_result fqp__cuda_submit(fqp__cuda_consumer *k, fqp__cuda_slot *s, int with_group, int checkpoint,
                                   fqp_error *err)
{
    fqp_cuda *c = k->owner;
    const fqp__cuda_api *api = c->api;
    uint64_t bases = k->group_bases, reads = k->group_reads;
    size_t i;
    fqp_result r;
    s->has_group = with_group && k->n_group > 0;
    s->has_checkpoint = checkpoint;
    s->group_bases = s->has_group ? bases : 0;
    s->group_reads = s->has_group ? reads : 0;
    if (s->has_group) {
        const fqp__cuda_kern *kerns[FQP__CUDA_KERNS];
        int idx[FQP__CUDA_KERNS], q;
        fqp__cuda_layout L;
        r = fqp__cuda_slot_fit(c, s, bases, reads, k->group_heads, "consumer", k->index, err);
        if (r != FQP_OK) return r;
        fqp__cuda_layout_for(c->inputs, bases, reads, k->group_heads, &L);
        {
            size_t nf = 0;
            int m;
            for (i = 0; i < k->n_group; i++)
                for (m = 0; m < k->group[i].n; m++) k->flat[nf++] = k->group[i].b[m];
            fqp__cuda_pack(s, c->inputs, k->flat, nf, &L);
        }
        for (i = 0; i < k->n_group; i++) s->held[s->n_held++] = k->group[i];
        k->n_group = 0;
        k->group_bases = k->group_reads = k->group_heads = 0;
        s->groups_since_checkpoint++;
        s->bases_since_checkpoint += bases;
        k->m.groups++;
        r = fqp__cuda_check(api, api->cuEventRecord(s->ev[0], s->stream), "cuEventRecord", err);
        if (r != FQP_OK) return r;
        r = fqp__cuda_check(api, api->cuMemcpyHtoDAsync(s->d_in, s->h_in, (size_t)L.bytes, s->stream),
                            "cuMemcpyHtoDAsync_v2 (batch upload)", err);
        if (r != FQP_OK) return r;
        k->m.bytes_up += L.bytes;
        r = fqp__cuda_check(api, api->cuEventRecord(s->ev[1], s->stream), "cuEventRecord", err);
        if (r != FQP_OK) return r;
        for (q = 0; q < c->n_kern; q++) {
            kerns[q] = &c->kern[q];
            idx[q] = q;
        }
        r = fqp__cuda_launch(c, k->device, s, kerns, idx, c->n_kern, &L, bases, reads, &k->m.bytes_down, err);
        if (r != FQP_OK) return r;
    } else {
        r = fqp__cuda_check(api, api->cuEventRecord(s->ev[2], s->stream), "cuEventRecord", err);
        if (r != FQP_OK) return r;
    }
    s->n_ranges = 0;
    if (checkpoint && c->acc_bytes) {
        int q;
        fqp__cuda_ckpt_ranges(c, s);
        s->max_len = 0;
        s->bases_since_checkpoint = 0;
        for (q = 0; q < s->n_ranges; q++) {
            size_t n = (size_t)s->range_len[q];
            fqp__CUdeviceptr d = s->d_acc + s->range_off[q];
            r = fqp__cuda_check(api, api->cuMemcpyDtoHAsync(s->h_acc + s->range_off[q], d, n, s->stream),
                                "cuMemcpyDtoHAsync_v2 (accumulators)", err);
            if (r != FQP_OK) return r;
            r = fqp__cuda_check(api, api->cuMemsetD8Async(d, 0, n, s->stream), "cuMemsetD8Async (accumulators)", err);
            if (r != FQP_OK) return r;
            k->m.bytes_down += n;
        }
    }
    r = fqp__cuda_check(api, api->cuEventRecord(s->ev[3], s->stream), "cuEventRecord", err);
    if (r != FQP_OK) return r;
    s->submitted = 1;
    s->seq = k->next_seq++;
    return FQP_OK;
}

/* A checkpoint covers every unit slot s holds: on_results (a batch) or
   on_pair_results (a pair, one results per mate batch), then release. */
static fqp_result fqp__cuda_finish_held(fqp__cuda_consumer *k, fqp__cuda_slot *s, fqp_producer *p, fqp_error *err)
{
    fqp_cuda *c = k->owner;
    fqp_result r = FQP_OK;
    uint64_t pos = 0, r0 = 0;
    size_t i;
    for (i = 0; i < s->n_held; i++) {
        fqp__cuda_unit *u = &s->held[i];
        fqp_cuda_results res[FQP_MAX_MATES];
        int m, call = u->pair ? c->d.on_pair_results != NULL : c->d.on_results != NULL;
        /* with a callback each checkpoint covers exactly one group: this one */
        for (m = 0; m < u->n; m++) {
            fqp__cuda_views(c, s, pos, r0, &res[m]);
            pos += u->b[m]->bases;
            r0 += u->b[m]->count;
        }
        if (call && r == FQP_OK) {
            fqp_result cr = u->pair ? c->d.on_pair_results(u->pair, res, k->index, c->d.user)
                                    : c->d.on_results(u->b[0], res, k->index, c->d.user);
            if (cr == FQP_STOP) {
                fqp_producer_stop(p, u->index);
            } else if (cr < 0) {
                const fqp_batch *b = u->b[0];
                if (u->pair)
                    fqp__error(err, cr, b->file, 0, 0, 0,
                               "GPU consumer %d: on_pair_results failed on pair batch %llu (pairs %llu-%llu): %s",
                               k->index, (unsigned long long)u->index, (unsigned long long)(u->pair->first_pair + 1),
                               (unsigned long long)(u->pair->first_pair + u->pair->count), fqp_result_string(cr));
                else
                    fqp__error(err, cr, b->file, 0, 0, 0,
                               "GPU consumer %d: on_results failed on batch %llu (records %llu-%llu): %s", k->index,
                               (unsigned long long)b->index, (unsigned long long)(b->first_record + 1),
                               (unsigned long long)(b->first_record + b->count), fqp_result_string(cr));
                fqp_producer_fail(p, err); /* an fqp_batch_error() it reported wins */
                k->user_failed = 1;
                r = cr;
            }
        }
        if (r == FQP_OK) {
            k->m.batches += (uint64_t)u->n;
            k->m.records += u->reads;
            k->m.bases += u->bases;
        }
        if (u->pair) fqp_producer_release_pair(p, u->pair);
        else fqp_producer_release(p, u->b[0]);
    }
    s->n_held = 0;
    return r;
}

/* Waits for slot s's work. A checkpoint adds the slot's counters to the
   consumer's total and finishes the batches it covers. */
static fqp_result fqp__cuda_complete(fqp__cuda_consumer *k, fqp__cuda_slot *s, fqp_producer *p, fqp_error *err)
{
    fqp_cuda *c = k->owner;
    const fqp__cuda_api *api = c->api;
    uint64_t w;
    fqp_result r;
    r = fqp__cuda_check(api, api->cuEventSynchronize(s->ev[3]), "cuEventSynchronize (waiting for the GPU)", err);
    if (r != FQP_OK) return r;
    s->submitted = 0;
    if (s->has_group) {
        k->m.upload_seconds += fqp__cuda_elapsed(api, s->ev[0], s->ev[1]);
        k->m.kernel_seconds += fqp__cuda_elapsed(api, s->ev[1], s->ev[2]);
    }
    k->m.download_seconds += fqp__cuda_elapsed(api, s->ev[2], s->ev[3]);
    if (!s->has_checkpoint) return FQP_OK;
    if (c->acc_bytes) {
        int q;
        for (q = 0; q < s->n_ranges; q++) {
            const unsigned char *h = s->h_acc + s->range_off[q];
            uint64_t *t = k->totals + s->range_total[q], words = s->range_len[q] / s->range_word[q];
            if (s->range_word[q] == 8) {
                for (w = 0; w < words; w++) t[w] += ((const uint64_t *)(const void *)h)[w];
            } else {
                for (w = 0; w < words; w++) t[w] += ((const uint32_t *)(const void *)h)[w];
            }
        }
        k->m.checkpoints++;
    }
    s->groups_since_checkpoint = 0;
    return fqp__cuda_finish_held(k, s, p, err);
}

/* Sends the group being filled to the next slot, first finishing that
   slot's previous work. */
static fqp_result fqp__cuda_send(fqp__cuda_consumer *k, fqp_producer *p, int force_checkpoint, fqp_error *err)
{
    fqp_cuda *c = k->owner;
    fqp__cuda_slot *s = &k->slots[k->next_slot];
    fqp_result r;
    int ckpt;
    if (s->submitted && (r = fqp__cuda_complete(k, s, p, err)) != FQP_OK) return r;
    /* 4-byte accumulator words hold at most 2^31 bases' worth: checkpoint first */
    if (c->acc4 && s->n_held && s->bases_since_checkpoint + k->group_bases >= FQP__CUDA_ACC4_LIMIT) {
        if ((r = fqp__cuda_submit(k, s, 0, 1, err)) != FQP_OK) return r;
        if ((r = fqp__cuda_complete(k, s, p, err)) != FQP_OK) return r;
    }
    k->next_slot = (k->next_slot + 1) % k->n_slots;
    ckpt = force_checkpoint || !c->acc_bytes || s->groups_since_checkpoint + 1 >= c->n_ckpt ||
           (c->acc4 && s->bases_since_checkpoint + k->group_bases + c->group_limit >= FQP__CUDA_ACC4_LIMIT);
    return fqp__cuda_submit(k, s, 1, ckpt, err);
}

/* Finishes everything in flight and takes a checkpoint on every slot that
   holds batches: nothing is held afterwards. */
static fqp_result fqp__cuda_drain(fqp__cuda_consumer *k, fqp_producer *p, fqp_error *err)
{
    fqp__cuda_slot *s;
    fqp_result r;
    int i;
    if (k->n_group && (r = fqp__cuda_send(k, p, 1, err)) != FQP_OK) return r;
    while ((s = fqp__cuda_oldest(k)) != NULL)
        if ((r = fqp__cuda_complete(k, s, p, err)) != FQP_OK) return r;
    for (i = 0; i < k->n_slots; i++) {
        s = &k->slots[i];
        if (!s->n_held) continue;
        if ((r = fqp__cuda_submit(k, s, 0, 1, err)) != FQP_OK) return r;
        if ((r = fqp__cuda_complete(k, s, p, err)) != FQP_OK) return r;
    }
    return FQP_OK;
}

/* While a group waits for more batches: finish the oldest work if the GPU
   is done with it, else nap briefly. */
static fqp_result fqp__cuda_poll(fqp__cuda_consumer *k, fqp_producer *p, double left, fqp_error *err)
{
    const fqp__cuda_api *api = k->owner->api;
    fqp__cuda_slot *s = fqp__cuda_oldest(k);
    if (s) {
        fqp__CUresult rc = api->cuEventQuery(s->ev[3]);
        if (rc == FQP__CUDA_SUCCESS) return fqp__cuda_complete(k, s, p, err);
        if (rc != FQP__CUDA_ERROR_NOT_READY) return fqp__cuda_fail_call(api, err, FQP_ERR_CUDA, rc, "cuEventQuery");
    }
    fqp__sleep(left < 50e-6 ? left : 50e-6);
    return FQP_OK;
}

/* Requeues (or releases) every batch the consumer holds, highest index
   first, so that requeued batches end up at the queue's front in input
   order, and forgets them. */
static void fqp__cuda_drop_all(fqp__cuda_consumer *k, fqp_producer *p, int requeue, const fqp_error *why)
{
    for (;;) {
        fqp__cuda_unit *best = NULL, u;
        size_t i;
        int j;
        fqp_result r;
        if (k->has_carry) best = &k->carry;
        for (i = 0; i < k->n_group; i++)
            if (!best || k->group[i].index > best->index) best = &k->group[i];
        for (j = 0; j < k->n_slots; j++)
            for (i = 0; i < k->slots[j].n_held; i++)
                if (!best || k->slots[j].held[i].index > best->index) best = &k->slots[j].held[i];
        if (!best) break;
        u = *best;
        /* forget it first: compact the list that held it */
        if (best == &k->carry) {
            k->has_carry = 0;
        } else if (best >= k->group && best < k->group + k->n_group) {
            *best = k->group[--k->n_group];
        } else {
            for (j = 0; j < k->n_slots; j++) {
                fqp__cuda_slot *s = &k->slots[j];
                if (best >= s->held && best < s->held + s->n_held) {
                    *best = s->held[--s->n_held];
                    break;
                }
            }
        }
        if (!requeue) {
            if (u.pair) fqp_producer_release_pair(p, u.pair);
            else fqp_producer_release(p, u.b[0]);
            continue;
        }
        r = u.pair ? fqp_producer_requeue_pair(p, u.pair) : fqp_producer_requeue(p, u.b[0]);
        k->m.requeued += (uint64_t)u.n;
        if (r != FQP_OK) { /* the queue did not take it: give it back to the pool */
            if (r != FQP_ERR_CANCELLED) { /* never lose a batch silently */
                fqp_error e;
                fqp__error(&e, r, u.b[0]->file, 0, 0, 0,
                           "GPU consumer %d: cannot hand %s %llu back (%s) after: %s", k->index,
                           u.pair ? "pair batch" : "batch", (unsigned long long)u.index, fqp_result_string(r),
                           why ? why->message : "");
                fqp_producer_fail(p, &e);
            }
            if (u.pair) fqp_producer_release_pair(p, u.pair);
            else fqp_producer_release(p, u.b[0]);
        }
    }
    k->group_bases = k->group_reads = k->group_heads = 0;
}

/* A driver call failed mid-run: stop using this GPU, hand every batch it
   holds back to the CPU consumers (none is in a completed checkpoint). */
static fqp_result fqp__cuda_hand_back(fqp__cuda_consumer *k, fqp_producer *p, const fqp_error *e)
{
    fqp_cuda *c = k->owner;
    uint64_t before = k->m.requeued;
    int i;
    k->dead = 1;
    k->m.status = e->code;
    snprintf(k->m.message, sizeof k->m.message, "%s", e->message);
    fqp__cuda_drop_all(k, p, 1, e);
    for (i = 0; i < k->n_slots; i++) {
        k->slots[i].submitted = 0; /* fqp_cuda_close waits for the streams */
        k->slots[i].groups_since_checkpoint = 0;
    }
    if (c->d.mode == FQP_GPU_FORCE) {
        fqp_error f;
        fqp__error(&f, e->code, NULL, 0, 0, 0, "GPU consumer %d (device %d, %s) failed and the GPU is required: %s",
                   k->index, k->device->info.ordinal, k->device->info.name, e->message);
        fqp__cuda_log(&c->d, &c->cfg, FQP_LOG_ERROR, "%s%s", f.message,
                      fqp__cuda_ctx_state(c->api, k->device->ctx, k->slots[0].ev[0]));
        fqp_producer_fail(p, &f);
        return e->code;
    }
    fqp__cuda_log(&c->d, &c->cfg, FQP_LOG_WARN,
                  "GPU consumer %d (device %d, %s) failed: %s; %llu batch(es) handed back to the CPU consumers%s",
                  k->index, k->device->info.ordinal, k->device->info.name, e->message,
                  (unsigned long long)(k->m.requeued - before),
                  fqp__cuda_ctx_state(c->api, k->device->ctx, k->slots[0].ev[0]));
    return FQP_OK;
}

/* The run ended without draining (it failed or was cancelled, or on_results
   failed), after fqp__cuda_drop_all gave every held batch back: waits for
   each slot's stream, zeroes its accumulators on the device and forgets its
   pending work (a checkpoint of dropped batches, their longest read), so
   that nothing of this run reaches the next run's counts. If the GPU fails
   here the consumer is dead, as after a failure mid-run. */
static void fqp__cuda_consumer_reset(fqp__cuda_consumer *k)
{
    fqp_cuda *c = k->owner;
    const fqp__cuda_api *api = c->api;
    fqp_error e;
    fqp_result r = FQP_OK;
    int i;
    memset(&e, 0, sizeof e);
    for (i = 0; i < k->n_slots; i++) {
        fqp__cuda_slot *s = &k->slots[i];
        size_t n = (size_t)c->acc_bytes;
        if (r == FQP_OK)
            r = fqp__cuda_check(api, api->cuStreamSynchronize(s->stream), "cuStreamSynchronize (ending the run)", &e);
        if (r == FQP_OK && s->d_acc)
            r = fqp__cuda_check(api, api->cuMemsetD8Async(s->d_acc, 0, n, s->stream),
                                "cuMemsetD8Async (zeroing the accumulators)", &e);
        if (r == FQP_OK && s->d_acc)
            r = fqp__cuda_check(api, api->cuStreamSynchronize(s->stream),
                                "cuStreamSynchronize (zeroing the accumulators)", &e);
        s->submitted = s->has_group = s->has_checkpoint = 0;
        s->groups_since_checkpoint = 0;
        s->bases_since_checkpoint = 0;
        s->max_len = 0;
        s->n_ranges = 0;
        s->n_held = 0; /* already 0: fqp__cuda_drop_all gave them back */
    }
    k->n_group = 0;
    k->group_bases = k->group_reads = k->group_heads = 0;
    k->has_carry = 0;
    if (r == FQP_OK) return;
    k->dead = 1;
    k->m.status = e.code;
    snprintf(k->m.message, sizeof k->m.message, "%s", e.message);
    fqp__cuda_log(&c->d, &c->cfg, FQP_LOG_WARN,
                  "GPU consumer %d (device %d, %s) failed while ending the run: %s; it takes no more batches%s",
                  k->index, k->device->info.ordinal, k->device->info.name, e.message,
                  fqp__cuda_ctx_state(api, k->device->ctx, k->slots[0].ev[0]));
}

/* The GPU consumer's thread (fqp_custom_consumer.run). */
static fqp_result fqp__cuda_run(fqp_producer *p, void *arg)
{
    fqp__cuda_consumer *k = (fqp__cuda_consumer *)arg;
    fqp_cuda *c = k->owner;
    const fqp__cuda_api *api = c->api;
    fqp_error e;
    fqp_result r = FQP_OK, tr = FQP_OK;
    fqp__CUresult rc;
    fqp__cuda_saved_ctx saved;
    double t_start = fqp__now();
    int paired = fqp_producer_pairs(p); /* fqp_paired_run: pair batches */
    memset(&e, 0, sizeof e);
    if (k->dead) {
        if (c->d.mode != FQP_GPU_FORCE) return FQP_OK;
        fqp__error(&e, k->m.status, NULL, 0, 0, 0, "GPU consumer %d failed in an earlier run: %s", k->index,
                   k->m.message);
        fqp_producer_fail(p, &e);
        return k->m.status;
    }
    k->user_failed = 0;
    saved = fqp__cuda_ctx_save(api); /* this thread's, put back at the end */
    if ((rc = api->cuCtxSetCurrent(k->device->ctx)) != FQP__CUDA_SUCCESS) {
        r = fqp__cuda_fail_call(api, &e, FQP_ERR_CUDA, rc, "cuCtxSetCurrent");
        goto done;
    }
    if (c->has_results && (paired ? !c->d.on_pair_results : !c->d.on_results)) {
        r = fqp__error(&e, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0,
                       "GPU consumer %d: a %s run needs fqp_cuda_desc.%s for the kernels' outputs", k->index,
                       paired ? "paired" : "single-file", paired ? "on_pair_results" : "on_results");
        fqp_producer_fail(p, &e);
        k->user_failed = 1; /* not the GPU's failure: no fall-back */
        goto done;
    }
    for (;;) {
        fqp_batch *b = NULL;
        fqp_pair *pair = NULL;
        fqp__cuda_unit u;
        int holding = fqp__cuda_holding(k);
        double t0 = fqp__now();
        /* block only when holding nothing */
        tr = paired ? fqp_producer_take_pair(p, &pair, !holding) : fqp_producer_take(p, &b, !holding);
        if (!holding) k->m.wait_seconds += fqp__now() - t0;
        if (tr == FQP_OK) {
            fqp__cuda_unit_of(c, b, pair, pair ? pair->mates : 1, &u);
            if (!fqp__cuda_group_fits(k, &u)) {
                k->carry = u; /* held meanwhile: a failure hands it back too */
                k->has_carry = 1;
                if ((r = fqp__cuda_send(k, p, 0, &e)) != FQP_OK) goto done;
                k->has_carry = 0;
            }
            fqp__cuda_group_add(k, &u);
            if (fqp__cuda_group_full(k) && (r = fqp__cuda_send(k, p, 0, &e)) != FQP_OK) goto done;
            continue;
        }
        if (tr != FQP_AGAIN) break; /* FQP_DONE, FQP_STOP, or the run failed */
        if (k->n_group) {           /* wait a little for more batches, then send */
            double left = c->d.coalesce_seconds - (fqp__now() - k->group_started);
            r = left > 0 ? fqp__cuda_poll(k, p, left, &e) : fqp__cuda_send(k, p, 0, &e);
        } else if (fqp__cuda_oldest(k)) { /* nothing to add: finish the oldest work */
            r = fqp__cuda_complete(k, fqp__cuda_oldest(k), p, &e);
        } else {                          /* only checkpoints are missing */
            r = fqp__cuda_drain(k, p, &e);
        }
        if (r != FQP_OK) goto done;
    }
    if (tr == FQP_DONE || tr == FQP_STOP) r = fqp__cuda_drain(k, p, &e);
    else fqp__cuda_drop_all(k, p, 0, NULL); /* the run failed: its error stands */
done:
    if (r != FQP_OK) {
        if (k->user_failed) fqp__cuda_drop_all(k, p, 0, NULL); /* on_results failed: the run ends with it */
        else r = fqp__cuda_hand_back(k, p, &e);
    }
    if (!k->dead && (r != FQP_OK || (tr != FQP_DONE && tr != FQP_STOP))) fqp__cuda_consumer_reset(k);
    fqp__cuda_ctx_restore(api, saved);
    k->m.wall_seconds += fqp__now() - t_start;
    k->m.busy_fraction = k->m.wall_seconds > 0 ? 1 - k->m.wait_seconds / k->m.wall_seconds : 0;
    return r;
}

/* ---- >>cuda-offload: offload workers (fqp_cuda_worker_*) ---- */

struct fqp_cuda_worker {
    fqp_cuda *owner;
    fqp__cuda_device *device;
    int index;
    int dead;                     /* its GPU failed: the caller's CPU twin runs (or FORCE fails) */
    fqp__cuda_slot slot;          /* stream, events, pinned staging, device buffers */
    fqp_cuda_consumer_metrics m;
};

/* Batch b through kernels kerns[0..n) (buffers and functions at idx[i]) on
   the worker's slot: pack the inputs they read, one upload, the kernels,
   the downloads, wait. The outputs are then in the slot's host buffers. */
static fqp_result fqp__cuda_worker_exec(fqp_cuda_worker *w, const fqp_batch *b, const fqp__cuda_kern *const *kerns,
                                        const int *idx, int n, fqp_error *err)
{
    fqp_cuda *c = w->owner;
    const fqp__cuda_api *api = c->api;
    fqp__cuda_slot *s = &w->slot;
    fqp_batch *one = (fqp_batch *)(uintptr_t)b;
    uint64_t bases = b->bases, reads = b->count, heads = 0, down = 0;
    unsigned inputs = 0;
    fqp__cuda_layout L;
    fqp_result r;
    int i;
    r = fqp__cuda_check(api, api->cuCtxSetCurrent(w->device->ctx), "cuCtxSetCurrent", err);
    if (r != FQP_OK) return r;
    for (i = 0; i < n; i++) inputs |= kerns[i]->inputs;
    if (inputs & FQP__CUDA_IN_HEADS) heads = b->head_off[b->count] - b->head_off[0];
    if ((r = fqp__cuda_slot_fit(c, s, bases, reads, heads, "worker", w->index, err)) != FQP_OK) return r;
    fqp__cuda_layout_for(inputs, bases, reads, heads, &L);
    fqp__cuda_pack(s, inputs, &one, 1, &L);
    r = fqp__cuda_check(api, api->cuEventRecord(s->ev[0], s->stream), "cuEventRecord", err);
    if (r != FQP_OK) return r;
    r = fqp__cuda_check(api, api->cuMemcpyHtoDAsync(s->d_in, s->h_in, (size_t)L.bytes, s->stream),
                        "cuMemcpyHtoDAsync_v2 (batch upload)", err);
    if (r != FQP_OK) return r;
    r = fqp__cuda_check(api, api->cuEventRecord(s->ev[1], s->stream), "cuEventRecord", err);
    if (r != FQP_OK) return r;
    if ((r = fqp__cuda_launch(c, w->device, s, kerns, idx, n, &L, bases, reads, &down, err)) != FQP_OK) return r;
    r = fqp__cuda_check(api, api->cuEventRecord(s->ev[3], s->stream), "cuEventRecord", err);
    if (r != FQP_OK) return r;
    r = fqp__cuda_check(api, api->cuEventSynchronize(s->ev[3]), "cuEventSynchronize (waiting for the GPU)", err);
    if (r != FQP_OK) return r;
    w->m.batches++;
    w->m.groups++;
    w->m.records += reads;
    w->m.bases += bases;
    w->m.bytes_up += L.bytes;
    w->m.bytes_down += down;
    w->m.upload_seconds += fqp__cuda_elapsed(api, s->ev[0], s->ev[1]);
    w->m.kernel_seconds += fqp__cuda_elapsed(api, s->ev[1], s->ev[2]);
    w->m.download_seconds += fqp__cuda_elapsed(api, s->ev[2], s->ev[3]);
    return FQP_OK;
}

/* The worker's GPU failed (e): it is dead from now on. Logged; under FORCE
   the error (with "GPU required"), else FQP_OK and the caller uses the CPU. */
static fqp_result fqp__cuda_worker_failed(fqp_cuda_worker *w, fqp_result code, const fqp_error *e, fqp_error *err)
{
    fqp_cuda *c = w->owner;
    int force = c->d.mode == FQP_GPU_FORCE;
    w->dead = 1;
    w->m.status = code;
    snprintf(w->m.message, sizeof w->m.message, "%s", e->message);
    fqp__cuda_log(&c->d, &c->cfg, force ? FQP_LOG_ERROR : FQP_LOG_WARN, "GPU worker %d failed: %s%s%s", w->index,
                  e->message, fqp__cuda_ctx_state(c->api, w->device->ctx, w->slot.ev_made ? w->slot.ev[0] : NULL),
                  force ? "" : "; its batches run on the CPU from now on");
    if (!force) return FQP_OK;
    return fqp__error(err, code, NULL, 0, 0, 0, "GPU required (FQP_GPU_FORCE) but GPU worker %d failed: %s",
                      w->index, e->message);
}

FASTQPAR_DEF fqp_result fqp_cuda_worker_open(fqp_cuda *c, int index, fqp_cuda_worker **out, fqp_error *err)
{
    fqp_cuda_worker *w;
    fqp_error local, e;
    fqp_result r;
    fqp__CUresult rc;
    fqp__cuda_saved_ctx saved;
    if (!err) err = &local;
    memset(err, 0, sizeof *err);
    if (!out) return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0, "fqp_cuda_worker_open: out is NULL");
    *out = NULL;
    if (!c || index < 0)
        return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0,
                          "fqp_cuda_worker_open: %s", !c ? "ctx is NULL" : "index < 0");
    if (c->builtin_kern[2] < 0 && (c->acc_bytes || !c->n_kern))
        return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0,
                          "fqp_cuda_worker_open: the context has no kernel a worker runs: open it with "
                          "FQP_GPU_TRIM, or with kernels without accumulators");
    w = (fqp_cuda_worker *)fqp__calloc(&c->a, sizeof *w);
    if (!w) return fqp__error(err, FQP_ERR_NOMEM, NULL, 0, 0, 0, "out of memory");
    w->owner = c;
    w->index = index;
    w->device = &c->devices[index % c->n_devices];
    w->m.device = index % c->n_devices;
    memset(&e, 0, sizeof e);
    saved = fqp__cuda_ctx_save(c->api);
    if ((rc = c->api->cuCtxSetCurrent(w->device->ctx)) != FQP__CUDA_SUCCESS)
        r = fqp__cuda_fail_call(c->api, &e, FQP_ERR_CUDA, rc, "cuCtxSetCurrent");
    else
        r = fqp__cuda_slot_setup(c, &w->slot, 0, &e);
    if (r != FQP_OK) {
        fqp_result fr = fqp__cuda_worker_failed(w, r, &e, err); /* logged while its events exist */
        fqp__cuda_slot_teardown(c, &w->slot);
        if (fr != FQP_OK) {
            fqp__cuda_ctx_restore(c->api, saved);
            fqp__free(&c->a, w);
            return r;
        }
    }
    fqp__cuda_ctx_restore(c->api, saved);
    *out = w;
    return FQP_OK;
}

/* Whether the caller should use its CPU twin: FQP_OK with *cpu = 1 for a
   NULL or dead worker (not FORCE); the FORCE error for a dead one. */
static fqp_result fqp__cuda_worker_usable(fqp_cuda_worker *w, int *cpu, fqp_error *err)
{
    *cpu = 0;
    if (!w || (w->dead && w->owner->d.mode != FQP_GPU_FORCE)) {
        *cpu = 1;
        if (w) w->m.requeued++;
        return FQP_OK;
    }
    if (w->dead)
        return fqp__error(err, w->m.status, NULL, 0, 0, 0, "GPU required (FQP_GPU_FORCE) but GPU worker %d failed: %s",
                          w->index, w->m.message);
    return FQP_OK;
}

/* After a failed exec (its context still current, for the log): the
   worker dies; FQP_OK with *cpu = 1, or FORCE's error. */
static fqp_result fqp__cuda_worker_lost(fqp_cuda_worker *w, fqp_result r, const fqp_error *e, int *cpu,
                                        fqp_error *err)
{
    if ((r = fqp__cuda_worker_failed(w, r, e, err)) != FQP_OK) return r;
    w->m.requeued++;
    *cpu = 1;
    return FQP_OK;
}

FASTQPAR_DEF fqp_result fqp_cuda_worker_run(fqp_cuda_worker *w, const fqp_batch *b, fqp_cuda_results *out,
                                            int *on_gpu, fqp_error *err)
{
    const fqp__cuda_kern *kerns[FQP__CUDA_KERNS];
    int idx[FQP__CUDA_KERNS], i, cpu;
    fqp__cuda_saved_ctx saved;
    fqp_error local, e;
    fqp_result r;
    double t0;
    if (!err) err = &local;
    if (!b || !out || !on_gpu)
        return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0, "fqp_cuda_worker_run: %s is NULL",
                          !b ? "batch" : !out ? "out" : "on_gpu");
    *on_gpu = 0;
    memset(out, 0, sizeof *out);
    if (w && w->owner->acc_bytes)
        return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0,
                          "fqp_cuda_worker_run: the context has accumulators, which only GPU consumers keep");
    if ((r = fqp__cuda_worker_usable(w, &cpu, err)) != FQP_OK || cpu) return r;
    for (i = 0; i < w->owner->n_kern; i++) {
        kerns[i] = &w->owner->kern[i];
        idx[i] = i;
    }
    t0 = fqp__now();
    memset(&e, 0, sizeof e);
    saved = fqp__cuda_ctx_save(w->owner->api);
    r = b->count ? fqp__cuda_worker_exec(w, b, kerns, idx, w->owner->n_kern, &e) : FQP_OK;
    if (r != FQP_OK) r = fqp__cuda_worker_lost(w, r, &e, &cpu, err);
    else cpu = 0;
    fqp__cuda_ctx_restore(w->owner->api, saved);
    w->m.wall_seconds += fqp__now() - t0;
    if (r != FQP_OK || cpu) return r;
    fqp__cuda_views(w->owner, &w->slot, 0, 0, out);
    *on_gpu = 1;
    return FQP_OK;
}

FASTQPAR_DEF fqp_result fqp_cuda_trim_batch(fqp_cuda_worker *w, const fqp_batch *b, const fqp_trim_desc *d,
                                            uint64_t *start_end, fqp_error *err)
{
    fqp_cuda_builtin_kernel bk;
    fqp__cuda_kern kern;
    const fqp__cuda_kern *kp = &kern;
    fqp_cuda_desc td;
    fqp__cuda_saved_ctx saved;
    fqp_error local, e;
    fqp_result r;
    int idx, cpu;
    double t0;
    if (!err) err = &local;
    if (!b || (b->count && !start_end))
        return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0, "fqp_cuda_trim_batch: %s is NULL",
                          !b ? "batch" : "start_end");
    if (w && w->owner->builtin_kern[2] < 0)
        return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0,
                          "fqp_cuda_trim_batch: the context was opened without FQP_GPU_TRIM");
    if ((r = fqp__cuda_worker_usable(w, &cpu, err)) != FQP_OK) return r;
    if (cpu) {
        fqp_trim_batch(b, d, start_end);
        return FQP_OK;
    }
    if (!b->count) return FQP_OK;
    /* the built-in trim kernel with this call's rule (d NULL: nothing trimmed) */
    memset(&td, 0, sizeof td);
    if (d) td.trim = *d;
    fqp_cuda_builtin(FQP_GPU_TRIM, &td, &bk);
    if ((r = fqp__cuda_kern_set(&kern, &bk.kernel, "fqp_k_trim", err)) != FQP_OK) return r;
    kern.builtin = FQP_GPU_TRIM;
    idx = w->owner->builtin_kern[2];
    t0 = fqp__now();
    memset(&e, 0, sizeof e);
    saved = fqp__cuda_ctx_save(w->owner->api);
    r = fqp__cuda_worker_exec(w, b, &kp, &idx, 1, &e);
    if (r == FQP_OK) memcpy(start_end, w->slot.h_out[idx][0], (size_t)(16 * b->count));
    else r = fqp__cuda_worker_lost(w, r, &e, &cpu, err);
    fqp__cuda_ctx_restore(w->owner->api, saved);
    w->m.wall_seconds += fqp__now() - t0;
    if (r != FQP_OK || !cpu) return r;
    fqp_trim_batch(b, d, start_end); /* nothing lost: the CPU twin gives the same intervals */
    return FQP_OK;
}

FASTQPAR_DEF fqp_result fqp_cuda_worker_metrics(const fqp_cuda_worker *w, fqp_cuda_consumer_metrics *out)
{
    if (!w || !out) return FQP_ERR_INVALID_ARGUMENT;
    *out = w->m;
    return FQP_OK;
}

FASTQPAR_DEF void fqp_cuda_worker_close(fqp_cuda_worker *w)
{
    fqp_cuda *c;
    if (!w) return;
    c = w->owner;
    if (w->slot.stream || w->slot.h_in || w->slot.d_in) {
        fqp__cuda_saved_ctx saved = fqp__cuda_ctx_save(c->api);
        c->api->cuCtxSetCurrent(w->device->ctx);
        fqp__cuda_slot_teardown(c, &w->slot);
        fqp__cuda_ctx_restore(c->api, saved);
    }
    fqp__free(&c->a, w);
}

/* ---- >>cuda-public: consumers, accumulators, metrics, devices ---- */

FASTQPAR_DEF int fqp_cuda_consumers(fqp_cuda *c, fqp_custom_consumer *out, int max)
{
    int i;
    if (!c) return 0;
    if (!out) return c->n_consumers;
    for (i = 0; i < max && i < c->n_consumers; i++) {
        fqp__cuda_consumer *k = &c->consumers[i];
        out[i].run = fqp__cuda_run;
        out[i].ctx = k;
        /* every slot's held list, the group being filled, and one batch that did not fit */
        out[i].max_held = (size_t)k->n_slots * k->slots[0].cap_held + c->max_group_batches + 1;
    }
    return i;
}

/* Adds every consumer's totals of accumulator (kern, output) into into. */
static void fqp__cuda_add_totals(const fqp_cuda *c, const fqp__cuda_kern *kn, int output, uint64_t *into)
{
    uint64_t words = kn->out[output].bytes / kn->out[output].word_bytes, w;
    int i;
    for (i = 0; i < c->n_consumers; i++) {
        const uint64_t *t = c->consumers[i].totals + kn->acc_base[output];
        for (w = 0; w < words; w++) into[w] += t[w];
    }
}

FASTQPAR_DEF fqp_result fqp_cuda_qc(fqp_cuda *c, fqp_qc *into)
{
    const fqp__cuda_kern *kn;
    if (!c || !into || c->builtin_kern[0] < 0) return FQP_ERR_INVALID_ARGUMENT;
    kn = &c->kern[c->builtin_kern[0]];
    if (into->max_pos != c->d.qc_max_pos || into->words * 8 != kn->out[0].bytes) return FQP_ERR_INVALID_ARGUMENT;
    {
        int i;
        for (i = 0; i < c->n_consumers; i++) fqp_qc_add_counts(into, c->consumers[i].totals + kn->acc_base[0]);
    }
    return FQP_OK;
}

FASTQPAR_DEF fqp_result fqp_cuda_accumulated(fqp_cuda *c, int kernel, int output, uint64_t *into, uint64_t words)
{
    int i;
    if (!c || !into) return FQP_ERR_INVALID_ARGUMENT;
    for (i = 0; i < c->n_kern; i++) {
        const fqp__cuda_kern *kn = &c->kern[i];
        if (kn->user != kernel || kernel < 0) continue;
        if (output < 0 || output >= kn->k.n_outputs || !kn->out[output].accumulate ||
            words != kn->out[output].bytes / kn->out[output].word_bytes)
            return FQP_ERR_INVALID_ARGUMENT;
        fqp__cuda_add_totals(c, kn, output, into);
        return FQP_OK;
    }
    return FQP_ERR_INVALID_ARGUMENT;
}

FASTQPAR_DEF fqp_result fqp_cuda_metrics(fqp_cuda *c, int consumer, fqp_cuda_consumer_metrics *out)
{
    if (!c || !out || consumer < 0 || consumer >= c->n_consumers) return FQP_ERR_INVALID_ARGUMENT;
    *out = c->consumers[consumer].m;
    return FQP_OK;
}

FASTQPAR_DEF int fqp_cuda_device_count(fqp_cuda *c) { return c ? c->n_devices : 0; }

FASTQPAR_DEF fqp_result fqp_cuda_device(fqp_cuda *c, int i, fqp_cuda_device_info *out)
{
    if (!c || !out || i < 0 || i >= c->n_devices) return FQP_ERR_INVALID_ARGUMENT;
    *out = c->devices[i].info;
    return FQP_OK;
}

/* ---- >>cuda-ptx: the embedded kernels ---- */
/* Generated by `make ptx` (tests/embed_ptx.sh) from kernels.ptx: the lines
   between the markers are replaced. Pieces are concatenated at load time
   (fqp__cuda_ptx_text). Last in the file because it is large; the code above
   reaches it through fqp__cuda_embedded_ptx, declared in >>cuda-module. */
/* BEGIN EMBEDDED PTX (make ptx) */
static const char *const fqp__cuda_ptx[] = {
    "//\n"
    "// Generated by NVIDIA NVVM Compiler\n"
    "//\n"
    "// Compiler Build ID: CL-36424714\n"
    "// Cuda compilation tools, release 13.0, V13.0.88\n"
    "// Based on NVVM 7.0.1\n"
    "//\n"
    "\n"
    ".version 6.3\n"
    ".target sm_75\n"
    ".address_size 64\n"
    "\n"
    "\t// .globl\tfqp_k_qual_prefix_sum\n"
    "// _ZZ8fqp_k_qcE1s has been demoted\n"
    "\n"
    ".visible .entry fqp_k_qual_prefix_sum(\n"
    "\t.param .u64 fqp_k_qual_prefix_sum_param_0,\n"
    "\t.param .u64 fqp_k_qual_prefix_sum_param_1,\n"
    "\t.param .u64 fqp_k_qual_prefix_sum_param_2,\n"
    "\t.param .u64 fqp_k_qual_prefix_sum_param_3\n"
    ")\n"
    "{\n"
    "\t.reg .pred \t%p<46>;\n"
    "\t.reg .b32 \t%r<89>;\n"
    "\t.reg .b64 \t%rd<161>;\n"
    "\n"
    "\n"
    "\tld.param.u64 \t%rd52, [fqp_k_qual_prefix_sum_param_0];\n"
    "\tld.param.u64 \t%rd50, [fqp_k_qual_prefix_sum_param_1];\n"
    "\tld.param.u64 \t%rd51, [fqp_k_qual_prefix_sum_param_2];\n"
    "\tld.param.u64 \t%rd53, [fqp_k_qual_prefix_sum_param_3];\n"
    "\tcvta.to.global.u64 \t%rd1, %rd53;\n"
    "\tcvta.to.global.u64 \t%rd2, %rd52;\n"
    "\tmov.u32 \t%r2, %tid.x;\n"
    "\tand.b32  \t%r1, %r2, 31;\n"
    "\tmov.u32 \t%r3, %ntid.x;\n"
    "\tcvt.u64.u32 \t%rd3, %r3;\n"
    "\tmov.u32 \t%r4, %ctaid.x;\n"
    "\tmul.wide.u32 \t%rd54, %r4, %r3;\n"
    "\tcvt.u64.u32 \t%rd55, %r2;\n"
    "\tadd.s64 \t%rd56, %rd54, %rd55;\n"
    "\tshr.u64 \t%rd149, %rd56, 5;\n"
    "\tsetp.ge.u64 \t%p1, %rd149, %rd51;\n"
    "\t@%p1 bra \t$L__BB0_18;\n"
    "\n"
    "\tcvt.u64.u32 \t%rd5, %r1;\n"
    "\tmov.u32 \t%r5, %nctaid.x;\n"
    "\tcvt.u64.u32 \t%rd57, %r5;\n"
    "\tmul.lo.s64 \t%rd58, %rd57, %rd3;\n"
    "\tshr.u64 \t%rd6, %rd58, 5;\n"
    "\tcvta.to.global.u64 \t%rd7, %rd50;\n"
    "\n"
    "$L__BB0_2:\n"
    "\tshl.b64 \t%rd60, %rd149, 3;\n"
    "\tadd.s64 \t%rd61, %rd7, %rd60;\n"
    "\tld.global.u64 \t%rd9, [%rd61+8];\n"
    "\tmov.u64 \t%rd156, 0;\n"
    "\tld.global.u64 \t%rd10, [%rd61];\n"
    "\tsub.s64 \t%rd62, %rd9, %rd10;\n"
    "\tadd.s64 \t%rd63, %rd62, 31;\n"
    "\tshr.u64 \t%rd11, %rd63, 5;\n"
    "\tmul.lo.s64 \t%rd12, %rd11, %rd5;\n"
    "\tmin.u64 \t%rd13, %rd12, %rd62;\n"
    "\tsub.s64 \t%rd64, %rd62, %rd13;\n"
    "\tsetp.lt.u64 \t%p2, %rd64, %rd11;\n"
    "\tadd.s64 \t%rd65, %rd13, %rd11;\n"
    "\tselp.b64 \t%rd14, %rd62, %rd65, %p2;\n"
    "\tsetp.ge.u64 \t%p3, %rd13, %rd14;\n"
    "\t@%p3 bra \t$L__BB0_10;\n"
    "\n"
    "\tsub.s64 \t%rd139, %rd9, %rd10;\n"
    "\tadd.s64 \t%rd138, %rd139, 31;\n"
    "\tshr.u64 \t%rd137, %rd138, 5;\n"
    "\tadd.s64 \t%rd68, %rd10, -2;\n"
    "\tmov.u64 \t%rd69, -2;\n"
    "\tsub.s64 \t%rd70, %rd68, %rd9;\n"
    "\tnot.b64 \t%rd71, %rd9;\n"
    "\tadd.s64 \t%rd72, %rd10, %rd71;\n"
    "\tnot.b64 \t%rd73, %rd12;\n"
    "\tmax.u64 \t%rd74, %rd72, %rd73;\n"
    "\tsub.s64 \t%rd75, %rd70, %rd74;\n"
    "\tnot.b64 \t%rd76, %rd137;\n"
    "\tmax.u64 \t%rd77, %rd75, %rd76;\n"
    "\tnot.b64 \t%rd15, %rd77;\n"
    "\tsub.s64 \t%rd78, %rd69, %rd77;\n"
    "\tand.b64  \t%rd16, %rd15, 3;\n"
    "\tsetp.lt.u64 \t%p4, %rd78, 3;\n"
    "\tmov.u64 \t%rd156, 0;\n"
    "\tmov.u64 \t%rd155, %rd13;\n"
    "\t@%p4 bra \t$L__BB0_6;\n"
    "\n"
    "\tsub.s64 \t%rd152, %rd15, %rd16;\n"
    "\tmov.u64 \t%rd156, 0;\n"
    "\tmov.u64 \t%rd155, %rd13;\n"
    "\n"
    "$L__BB0_5:\n"
    "\tadd.s64 \t%rd80, %rd155, %rd10;\n"
    "\tadd.s64 \t%rd81, %rd2, %rd80;\n"
    "\tld.global.u8 \t%r6, [%rd81];\n"
    "\tsetp.lt.u32 \t%p5, %r6, 33;\n"
    "\tadd.s32 \t%r7, %r6, -33;\n"
    "\tselp.b32 \t%r8, 0, %r7, %p5;\n"
    "\tmin.u32 \t%r9, %r8, 93;\n"
    "\tcvt.u64.u32 \t%rd82, %r9;\n"
    "\tadd.s64 \t%rd83, %rd156, %rd82;\n"
    "\tld.global.u8 \t%r10, [%rd81+1];\n"
    "\tsetp.lt.u32 \t%p6, %r10, 33;\n"
    "\tadd.s32 \t%r11, %r10, -33;\n"
    "\tselp.b32 \t%r12, 0, %r11, %p6;\n"
    "\tmin.u32 \t%r13, %r12, 93;\n"
    "\tcvt.u64.u32 \t%rd84, %r13;\n"
    "\tadd.s64 \t%rd85, %rd83, %rd84;\n"
    "\tld.global.u8 \t%r14, [%rd81+2];\n"
    "\tsetp.lt.u32 \t%p7, %r14, 33;\n"
    "\tadd.s32 \t%r15, %r14, -33;\n"
    "\tselp.b32 \t%r16, 0, %r15, %p7;\n"
    "\tmin.u32 \t%r17, %r16, 93;\n"
    "\tcvt.u64.u32 \t%rd86, %r17;\n"
    "\tadd.s64 \t%rd87, %rd85, %rd86;\n"
    "\tld.global.u8 \t%r18, [%rd81+3];\n"
    "\tsetp.lt.u32 \t%p8, %r18, 33;\n"
    "\tadd.s32 \t%r19, %r18, -33;\n"
    "\tselp.b32 \t%r20, 0, %r19, %p8;\n"
    "\tmin.u32 \t%r21, %r20, 93;\n"
    "\tcvt.u64.u32 \t%rd88, %r21;\n"
    "\tadd.s64 \t%rd156, %rd87, %rd88;\n"
    "\tadd.s64 \t%rd155, %rd155, 4;\n"
    "\tadd.s64 \t%rd152, %rd152, -4;\n"
    "\tsetp.ne.s64 \t%p9, %rd152, 0;\n"
    "\t@%p9 bra \t$L__BB0_5;\n"
    "\n"
    "$L__BB0_6:\n"
    "\tsetp.eq.s64 \t%p10, %rd16, 0;\n"
    "\t@%p10 bra \t$L__BB0_10;\n"
    "\n"
    "\tadd.s64 \t%rd89, %rd155, %rd10;\n"
    "\tadd.s64 \t%rd27, %rd2, %rd89;\n"
    "\tld.global.u8 \t%r22, [%rd27];\n"
    "\tsetp.lt.u32 \t%p11, %r22, 33;\n"
    "\tadd.s32 \t%r23, %r22, -33;\n"
    "\tselp.b32 \t",
    "%r24, 0, %r23, %p11;\n"
    "\tmin.u32 \t%r25, %r24, 93;\n"
    "\tcvt.u64.u32 \t%rd90, %r25;\n"
    "\tadd.s64 \t%rd156, %rd156, %rd90;\n"
    "\tsetp.eq.s64 \t%p12, %rd16, 1;\n"
    "\t@%p12 bra \t$L__BB0_10;\n"
    "\n"
    "\tld.global.u8 \t%r26, [%rd27+1];\n"
    "\tsetp.lt.u32 \t%p13, %r26, 33;\n"
    "\tadd.s32 \t%r27, %r26, -33;\n"
    "\tselp.b32 \t%r28, 0, %r27, %p13;\n"
    "\tmin.u32 \t%r29, %r28, 93;\n"
    "\tcvt.u64.u32 \t%rd91, %r29;\n"
    "\tadd.s64 \t%rd156, %rd156, %rd91;\n"
    "\tsetp.eq.s64 \t%p14, %rd16, 2;\n"
    "\t@%p14 bra \t$L__BB0_10;\n"
    "\n"
    "\tld.global.u8 \t%r30, [%rd27+2];\n"
    "\tsetp.lt.u32 \t%p15, %r30, 33;\n"
    "\tadd.s32 \t%r31, %r30, -33;\n"
    "\tselp.b32 \t%r32, 0, %r31, %p15;\n"
    "\tmin.u32 \t%r33, %r32, 93;\n"
    "\tcvt.u64.u32 \t%rd92, %r33;\n"
    "\tadd.s64 \t%rd156, %rd156, %rd92;\n"
    "\n"
    "$L__BB0_10:\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r34,%r35}, %rd156;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r54, 0;\n"
    "\tmov.u32 \t%r55, 1;\n"
    "\tmov.u32 \t%r56, -1;\n"
    "\tshfl.sync.up.b32 \t%r37|%p16, %r35, %r55, %r54, %r56;\n"
    "\tshfl.sync.up.b32 \t%r36|%p17, %r34, %r55, %r54, %r56;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd94, {%r36,%r37};\n"
    "\t// end inline asm\n"
    "\tsetp.eq.s32 \t%p18, %r1, 0;\n"
    "\tselp.b64 \t%rd103, 0, %rd94, %p18;\n"
    "\tadd.s64 \t%rd95, %rd103, %rd156;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r38,%r39}, %rd95;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r57, 2;\n"
    "\tshfl.sync.up.b32 \t%r41|%p19, %r39, %r57, %r54, %r56;\n"
    "\tshfl.sync.up.b32 \t%r40|%p20, %r38, %r57, %r54, %r56;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd96, {%r40,%r41};\n"
    "\t// end inline asm\n"
    "\tsetp.lt.u32 \t%p21, %r1, 2;\n"
    "\tselp.b64 \t%rd104, 0, %rd96, %p21;\n"
    "\tadd.s64 \t%rd97, %rd104, %rd95;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r42,%r43}, %rd97;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r58, 4;\n"
    "\tshfl.sync.up.b32 \t%r45|%p22, %r43, %r58, %r54, %r56;\n"
    "\tshfl.sync.up.b32 \t%r44|%p23, %r42, %r58, %r54, %r56;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd98, {%r44,%r45};\n"
    "\t// end inline asm\n"
    "\tsetp.lt.u32 \t%p24, %r1, 4;\n"
    "\tselp.b64 \t%rd105, 0, %rd98, %p24;\n"
    "\tadd.s64 \t%rd99, %rd105, %rd97;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r46,%r47}, %rd99;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r59, 8;\n"
    "\tshfl.sync.up.b32 \t%r49|%p25, %r47, %r59, %r54, %r56;\n"
    "\tshfl.sync.up.b32 \t%r48|%p26, %r46, %r59, %r54, %r56;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd100, {%r48,%r49};\n"
    "\t// end inline asm\n"
    "\tsetp.lt.u32 \t%p27, %r1, 8;\n"
    "\tselp.b64 \t%rd106, 0, %rd100, %p27;\n"
    "\tadd.s64 \t%rd101, %rd106, %rd99;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r50,%r51}, %rd101;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r60, 16;\n"
    "\tshfl.sync.up.b32 \t%r53|%p28, %r51, %r60, %r54, %r56;\n"
    "\tshfl.sync.up.b32 \t%r52|%p29, %r50, %r60, %r54, %r56;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd102, {%r52,%r53};\n"
    "\t// end inline asm\n"
    "\tsetp.lt.u32 \t%p30, %r1, 16;\n"
    "\tselp.b64 \t%rd107, 0, %rd102, %p30;\n"
    "\tadd.s64 \t%rd108, %rd107, %rd101;\n"
    "\tsub.s64 \t%rd157, %rd108, %rd156;\n"
    "\t@%p3 bra \t$L__BB0_17;\n"
    "\n"
    "\tsub.s64 \t%rd142, %rd9, %rd10;\n"
    "\tadd.s64 \t%rd141, %rd142, 31;\n"
    "\tshr.u64 \t%rd140, %rd141, 5;\n"
    "\tadd.s64 \t%rd109, %rd10, -2;\n"
    "\tsub.s64 \t%rd110, %rd109, %rd9;\n"
    "\tnot.b64 \t%rd111, %rd9;\n"
    "\tadd.s64 \t%rd112, %rd10, %rd111;\n"
    "\tnot.b64 \t%rd113, %rd12;\n"
    "\tmax.u64 \t%rd114, %rd112, %rd113;\n"
    "\tsub.s64 \t%rd115, %rd110, %rd114;\n"
    "\tnot.b64 \t%rd116, %rd140;\n"
    "\tmax.u64 \t%rd33, %rd115, %rd116;\n"
    "\tand.b64  \t%rd117, %rd33, 3;\n"
    "\txor.b64  \t%rd34, %rd117, 3;\n"
    "\tsetp.eq.s64 \t%p32, %rd117, 3;\n"
    "\tmov.u64 \t%rd158, %rd13;\n"
    "\t@%p32 bra \t$L__BB0_15;\n"
    "\n"
    "\tadd.s64 \t%rd118, %rd13, %rd10;\n"
    "\tadd.s64 \t%rd35, %rd2, %rd118;\n"
    "\tld.global.u8 \t%r61, [%rd35];\n"
    "\tsetp.lt.u32 \t%p33, %r61, 33;\n"
    "\tadd.s32 \t%r62, %r61, -33;\n"
    "\tselp.b32 \t%r63, 0, %r62, %p33;\n"
    "\tmin.u32 \t%r64, %r63, 93;\n"
    "\tcvt.u64.u32 \t%rd119, %r64;\n"
    "\tadd.s64 \t%rd157, %rd157, %rd119;\n"
    "\tshl.b64 \t%rd120, %rd118, 3;\n"
    "\tadd.s64 \t%rd37, %rd1, %rd120;\n"
    "\tst.global.u64 \t[%rd37], %rd157;\n"
    "\tadd.s64 \t%rd158, %rd13, 1;\n"
    "\tsetp.eq.s64 \t%p34, %rd34, 1;\n"
    "\t@%p34 bra \t$L__BB0_15;\n"
    "\n"
    "\tld.global.u8 \t%r65, [%rd35+1];\n"
    "\tsetp.lt.u32 \t%p35, %r65, 33;\n"
    "\tadd.s32 \t%r66, %r65, -33;\n"
    "\tselp.b32 \t%r67, 0, %r66, %p35;\n"
    "\tmin.u32 \t%r68, %r67, 93;\n"
    "\tcvt.u64.u",
    "32 \t%rd121, %r68;\n"
    "\tadd.s64 \t%rd157, %rd157, %rd121;\n"
    "\tst.global.u64 \t[%rd37+8], %rd157;\n"
    "\tadd.s64 \t%rd158, %rd13, 2;\n"
    "\tsetp.eq.s64 \t%p36, %rd34, 2;\n"
    "\t@%p36 bra \t$L__BB0_15;\n"
    "\n"
    "\tld.global.u8 \t%r69, [%rd35+2];\n"
    "\tsetp.lt.u32 \t%p37, %r69, 33;\n"
    "\tadd.s32 \t%r70, %r69, -33;\n"
    "\tselp.b32 \t%r71, 0, %r70, %p37;\n"
    "\tmin.u32 \t%r72, %r71, 93;\n"
    "\tcvt.u64.u32 \t%rd122, %r72;\n"
    "\tadd.s64 \t%rd157, %rd157, %rd122;\n"
    "\tst.global.u64 \t[%rd37+16], %rd157;\n"
    "\tadd.s64 \t%rd158, %rd13, 3;\n"
    "\n"
    "$L__BB0_15:\n"
    "\tmov.u64 \t%rd123, -2;\n"
    "\tsub.s64 \t%rd124, %rd123, %rd33;\n"
    "\tsetp.lt.u64 \t%p38, %rd124, 3;\n"
    "\t@%p38 bra \t$L__BB0_17;\n"
    "\n"
    "$L__BB0_16:\n"
    "\tsub.s64 \t%rd148, %rd9, %rd10;\n"
    "\tadd.s64 \t%rd147, %rd148, 31;\n"
    "\tshr.u64 \t%rd146, %rd147, 5;\n"
    "\tsub.s64 \t%rd145, %rd148, %rd13;\n"
    "\tsetp.lt.u64 \t%p45, %rd145, %rd146;\n"
    "\tadd.s64 \t%rd144, %rd13, %rd146;\n"
    "\tselp.b64 \t%rd143, %rd148, %rd144, %p45;\n"
    "\tadd.s64 \t%rd125, %rd158, %rd10;\n"
    "\tadd.s64 \t%rd126, %rd2, %rd125;\n"
    "\tld.global.u8 \t%r73, [%rd126];\n"
    "\tsetp.lt.u32 \t%p39, %r73, 33;\n"
    "\tadd.s32 \t%r74, %r73, -33;\n"
    "\tselp.b32 \t%r75, 0, %r74, %p39;\n"
    "\tmin.u32 \t%r76, %r75, 93;\n"
    "\tcvt.u64.u32 \t%rd127, %r76;\n"
    "\tadd.s64 \t%rd128, %rd157, %rd127;\n"
    "\tshl.b64 \t%rd129, %rd125, 3;\n"
    "\tadd.s64 \t%rd130, %rd1, %rd129;\n"
    "\tst.global.u64 \t[%rd130], %rd128;\n"
    "\tld.global.u8 \t%r77, [%rd126+1];\n"
    "\tsetp.lt.u32 \t%p40, %r77, 33;\n"
    "\tadd.s32 \t%r78, %r77, -33;\n"
    "\tselp.b32 \t%r79, 0, %r78, %p40;\n"
    "\tmin.u32 \t%r80, %r79, 93;\n"
    "\tcvt.u64.u32 \t%rd131, %r80;\n"
    "\tadd.s64 \t%rd132, %rd128, %rd131;\n"
    "\tst.global.u64 \t[%rd130+8], %rd132;\n"
    "\tld.global.u8 \t%r81, [%rd126+2];\n"
    "\tsetp.lt.u32 \t%p41, %r81, 33;\n"
    "\tadd.s32 \t%r82, %r81, -33;\n"
    "\tselp.b32 \t%r83, 0, %r82, %p41;\n"
    "\tmin.u32 \t%r84, %r83, 93;\n"
    "\tcvt.u64.u32 \t%rd133, %r84;\n"
    "\tadd.s64 \t%rd134, %rd132, %rd133;\n"
    "\tst.global.u64 \t[%rd130+16], %rd134;\n"
    "\tld.global.u8 \t%r85, [%rd126+3];\n"
    "\tsetp.lt.u32 \t%p42, %r85, 33;\n"
    "\tadd.s32 \t%r86, %r85, -33;\n"
    "\tselp.b32 \t%r87, 0, %r86, %p42;\n"
    "\tmin.u32 \t%r88, %r87, 93;\n"
    "\tcvt.u64.u32 \t%rd135, %r88;\n"
    "\tadd.s64 \t%rd157, %rd134, %rd135;\n"
    "\tst.global.u64 \t[%rd130+24], %rd157;\n"
    "\tadd.s64 \t%rd158, %rd158, 4;\n"
    "\tsetp.lt.u64 \t%p43, %rd158, %rd143;\n"
    "\t@%p43 bra \t$L__BB0_16;\n"
    "\n"
    "$L__BB0_17:\n"
    "\tld.param.u64 \t%rd136, [fqp_k_qual_prefix_sum_param_2];\n"
    "\tadd.s64 \t%rd149, %rd149, %rd6;\n"
    "\tsetp.lt.u64 \t%p44, %rd149, %rd136;\n"
    "\t@%p44 bra \t$L__BB0_2;\n"
    "\n"
    "$L__BB0_18:\n"
    "\tret;\n"
    "\n"
    "}\n"
    "\t// .globl\tfqp_k_qc\n"
    ".visible .entry fqp_k_qc(\n"
    "\t.param .u64 fqp_k_qc_param_0,\n"
    "\t.param .u64 fqp_k_qc_param_1,\n"
    "\t.param .u64 fqp_k_qc_param_2,\n"
    "\t.param .u64 fqp_k_qc_param_3,\n"
    "\t.param .u32 fqp_k_qc_param_4,\n"
    "\t.param .u64 fqp_k_qc_param_5\n"
    ")\n"
    "{\n"
    "\t.reg .pred \t%p<81>;\n"
    "\t.reg .b16 \t%rs<5>;\n"
    "\t.reg .b32 \t%r<161>;\n"
    "\t.reg .b64 \t%rd<372>;\n"
    "\t// demoted variable\n"
    "\t.shared .align 8 .b8 _ZZ8fqp_k_qcE1s[2440];\n"
    "\n"
    "\tld.param.u64 \t%rd139, [fqp_k_qc_param_0];\n"
    "\tld.param.u64 \t%rd140, [fqp_k_qc_param_1];\n"
    "\tld.param.u64 \t%rd141, [fqp_k_qc_param_2];\n"
    "\tld.param.u64 \t%rd142, [fqp_k_qc_param_3];\n"
    "\tld.param.u32 \t%r11, [fqp_k_qc_param_4];\n"
    "\tld.param.u64 \t%rd143, [fqp_k_qc_param_5];\n"
    "\tcvta.to.global.u64 \t%rd1, %rd143;\n"
    "\tmov.u32 \t%r158, %tid.x;\n"
    "\tand.b32  \t%r2, %r158, 31;\n"
    "\tmov.u32 \t%r3, %ntid.x;\n"
    "\tcvt.u64.u32 \t%rd2, %r3;\n"
    "\tsetp.eq.s32 \t%p1, %r11, 0;\n"
    "\tselp.b32 \t%r12, 1000, %r11, %p1;\n"
    "\tcvt.u64.u32 \t%rd3, %r12;\n"
    "\tadd.s64 \t%rd144, %rd3, 1;\n"
    "\tadd.s64 \t%rd4, %rd3, 205;\n"
    "\tadd.s64 \t%rd5, %rd4, %rd144;\n"
    "\tadd.s64 \t%rd6, %rd5, %rd144;\n"
    "\tmul.lo.s64 \t%rd145, %rd144, 5;\n"
    "\tadd.s64 \t%rd7, %rd6, %rd145;\n"
    "\tmov.u32 \t%r13, %ctaid.x;\n"
    "\tmul.wide.u32 \t%rd146, %r13, %r3;\n"
    "\tcvt.u64.u32 \t%rd147, %r158;\n"
    "\tadd.s64 \t%rd148, %rd146, %rd147;\n"
    "\tshr.u64 \t%rd308, %rd148, 5;\n"
    "\tsetp.gt.u32 \t%p2, %r158, 304;\n"
    "\t@%p2 bra \t$L__BB1_2;\n"
    "\n"
    "$L__BB1_1:\n"
    "\tshl.b32 \t%r14, %r158, 3;\n"
    "\tmov.u32 \t%r15, _ZZ8fqp_k_qcE1s;\n"
    "\tadd.s32 \t%r16, %r15, %r14;\n"
    "\tmov.u64 \t%rd149, 0;\n"
    "\tst.shared.u64 \t[%r16], %rd149;\n"
    "\tadd.s32 \t%r158, %r158, %r3;\n"
    "\tsetp.lt.u32 \t%p3, %r158",
    ", 305;\n"
    "\t@%p3 bra \t$L__BB1_1;\n"
    "\n"
    "$L__BB1_2:\n"
    "\tbar.sync \t0;\n"
    "\tsetp.ge.u64 \t%p4, %rd308, %rd142;\n"
    "\tmov.u64 \t%rd338, 0;\n"
    "\tmov.u64 \t%rd339, %rd338;\n"
    "\tmov.u64 \t%rd340, %rd338;\n"
    "\tmov.u64 \t%rd341, %rd338;\n"
    "\tmov.u64 \t%rd342, %rd338;\n"
    "\tmov.u64 \t%rd309, %rd338;\n"
    "\tmov.u64 \t%rd310, %rd338;\n"
    "\tmov.u64 \t%rd311, %rd338;\n"
    "\tmov.u64 \t%rd312, %rd338;\n"
    "\tmov.u64 \t%rd313, %rd338;\n"
    "\tmov.u64 \t%rd353, %rd338;\n"
    "\tmov.u64 \t%rd354, %rd338;\n"
    "\tmov.u64 \t%rd343, %rd338;\n"
    "\tmov.u64 \t%rd344, %rd338;\n"
    "\tmov.u64 \t%rd323, %rd338;\n"
    "\tmov.u64 \t%rd322, %rd338;\n"
    "\t@%p4 bra \t$L__BB1_25;\n"
    "\n"
    "\tcvt.u64.u32 \t%rd9, %r2;\n"
    "\tcvta.to.global.u64 \t%rd10, %rd139;\n"
    "\tcvta.to.global.u64 \t%rd11, %rd140;\n"
    "\tcvta.to.global.u64 \t%rd12, %rd141;\n"
    "\tmov.u32 \t%r17, %nctaid.x;\n"
    "\tcvt.u64.u32 \t%rd182, %r17;\n"
    "\tmul.lo.s64 \t%rd183, %rd182, %rd2;\n"
    "\tshr.u64 \t%rd13, %rd183, 5;\n"
    "\tmov.u64 \t%rd181, 0;\n"
    "\tmov.u64 \t%rd309, %rd181;\n"
    "\tmov.u64 \t%rd310, %rd181;\n"
    "\tmov.u64 \t%rd311, %rd181;\n"
    "\tmov.u64 \t%rd312, %rd181;\n"
    "\tmov.u64 \t%rd313, %rd181;\n"
    "\tmov.u64 \t%rd338, %rd181;\n"
    "\tmov.u64 \t%rd339, %rd181;\n"
    "\tmov.u64 \t%rd340, %rd181;\n"
    "\tmov.u64 \t%rd341, %rd181;\n"
    "\tmov.u64 \t%rd342, %rd181;\n"
    "\tmov.u64 \t%rd322, %rd181;\n"
    "\tmov.u64 \t%rd323, %rd181;\n"
    "\tmov.u64 \t%rd344, %rd181;\n"
    "\tmov.u64 \t%rd343, %rd181;\n"
    "\tmov.u64 \t%rd354, %rd181;\n"
    "\tmov.u64 \t%rd353, %rd181;\n"
    "\n"
    "$L__BB1_4:\n"
    "\tshl.b64 \t%rd186, %rd308, 3;\n"
    "\tadd.s64 \t%rd187, %rd12, %rd186;\n"
    "\tld.global.u64 \t%rd188, [%rd187+8];\n"
    "\tld.global.u64 \t%rd31, [%rd187];\n"
    "\tsub.s64 \t%rd32, %rd188, %rd31;\n"
    "\tsetp.le.u64 \t%p5, %rd32, %rd9;\n"
    "\tmov.u64 \t%rd347, %rd181;\n"
    "\tmov.u64 \t%rd348, %rd181;\n"
    "\t@%p5 bra \t$L__BB1_12;\n"
    "\n"
    "\tmov.u64 \t%rd348, 0;\n"
    "\tmov.u64 \t%rd347, %rd348;\n"
    "\tmov.u64 \t%rd321, %rd9;\n"
    "\n"
    "$L__BB1_6:\n"
    "\tadd.s64 \t%rd191, %rd321, %rd31;\n"
    "\tadd.s64 \t%rd192, %rd11, %rd191;\n"
    "\tld.global.u8 \t%r19, [%rd192];\n"
    "\tsetp.lt.u32 \t%p6, %r19, 33;\n"
    "\tadd.s32 \t%r20, %r19, -33;\n"
    "\tselp.b32 \t%r21, 0, %r20, %p6;\n"
    "\tmov.u32 \t%r159, 0;\n"
    "\tmin.u32 \t%r6, %r21, 93;\n"
    "\tadd.s64 \t%rd193, %rd10, %rd191;\n"
    "\tld.global.u8 \t%rs2, [%rd193];\n"
    "\tor.b16  \t%rs1, %rs2, 32;\n"
    "\tand.b16  \t%rs3, %rs1, 255;\n"
    "\tsetp.eq.s16 \t%p7, %rs3, 97;\n"
    "\t@%p7 bra \t$L__BB1_8;\n"
    "\n"
    "\tsetp.eq.s16 \t%p8, %rs3, 99;\n"
    "\tsetp.eq.s16 \t%p9, %rs3, 116;\n"
    "\tselp.b32 \t%r22, 3, 4, %p9;\n"
    "\tsetp.eq.s16 \t%p10, %rs3, 103;\n"
    "\tselp.b32 \t%r23, 2, %r22, %p10;\n"
    "\tselp.b32 \t%r159, 1, %r23, %p8;\n"
    "\n"
    "$L__BB1_8:\n"
    "\tcvt.u64.u32 \t%rd50, %r6;\n"
    "\tadd.s64 \t%rd347, %rd347, %rd50;\n"
    "\tadd.s32 \t%r24, %r159, -1;\n"
    "\tsetp.lt.u32 \t%p11, %r24, 2;\n"
    "\tselp.u64 \t%rd194, 1, 0, %p11;\n"
    "\tadd.s64 \t%rd348, %rd348, %rd194;\n"
    "\tsetp.gt.u32 \t%p12, %r6, 19;\n"
    "\tselp.u64 \t%rd195, 1, 0, %p12;\n"
    "\tadd.s64 \t%rd343, %rd343, %rd195;\n"
    "\tsetp.gt.u32 \t%p13, %r6, 29;\n"
    "\tselp.u64 \t%rd196, 1, 0, %p13;\n"
    "\tadd.s64 \t%rd344, %rd344, %rd196;\n"
    "\tsetp.eq.s32 \t%p14, %r159, 0;\n"
    "\tselp.u64 \t%rd55, 1, 0, %p14;\n"
    "\tadd.s64 \t%rd342, %rd342, %rd55;\n"
    "\tsetp.eq.s32 \t%p15, %r159, 1;\n"
    "\tselp.u64 \t%rd57, 1, 0, %p15;\n"
    "\tadd.s64 \t%rd341, %rd341, %rd57;\n"
    "\tsetp.eq.s32 \t%p16, %r159, 2;\n"
    "\tselp.u64 \t%rd59, 1, 0, %p16;\n"
    "\tadd.s64 \t%rd340, %rd340, %rd59;\n"
    "\tsetp.eq.s32 \t%p17, %r159, 3;\n"
    "\tselp.u64 \t%rd61, 1, 0, %p17;\n"
    "\tadd.s64 \t%rd339, %rd339, %rd61;\n"
    "\tsetp.eq.s32 \t%p18, %r159, 4;\n"
    "\tselp.u64 \t%rd63, 1, 0, %p18;\n"
    "\tadd.s64 \t%rd338, %rd338, %rd63;\n"
    "\tsetp.lt.u64 \t%p19, %rd321, %rd3;\n"
    "\t@%p19 bra \t$L__BB1_10;\n"
    "\tbra.uni \t$L__BB1_9;\n"
    "\n"
    "$L__BB1_10:\n"
    "\tshl.b64 \t%rd198, %rd321, 3;\n"
    "\tadd.s64 \t%rd199, %rd1, %rd198;\n"
    "\tadd.s64 \t%rd200, %rd199, 1632;\n"
    "\tatom.global.add.u64 \t%rd201, [%rd200], %rd50;\n"
    "\tadd.s64 \t%rd202, %rd321, %rd4;\n"
    "\tshl.b64 \t%rd203, %rd202, 3;\n"
    "\tadd.s64 \t%rd204, %rd1, %rd203;\n"
    "\tatom.global.add.u64 \t%rd205, [%rd204], 1;\n"
    "\tmul.lo.s64 \t%rd206, %rd321, 5;\n"
    "\tadd.s64 \t%rd207, %rd206, %rd6;\n"
    "\tcvt.u64.u32 \t%rd208, %r159;\n"
    "\tadd.s64 \t%rd209, %rd207, %rd208;\n"
    "\tshl.b64 \t%rd210, %rd209, 3;\n"
    "\tadd.s64 \t%rd211, %rd1, %rd210;\n"
    "\tatom.global.add.u64 \t%rd212, [%rd211], 1;\n"
    "\tmul.lo.s64 \t%",
    "rd213, %rd321, 94;\n"
    "\tadd.s64 \t%rd214, %rd213, %rd7;\n"
    "\tadd.s64 \t%rd215, %rd214, %rd50;\n"
    "\tshl.b64 \t%rd216, %rd215, 3;\n"
    "\tadd.s64 \t%rd217, %rd1, %rd216;\n"
    "\tatom.global.add.u64 \t%rd218, [%rd217], 1;\n"
    "\tbra.uni \t$L__BB1_11;\n"
    "\n"
    "$L__BB1_9:\n"
    "\tadd.s64 \t%rd323, %rd323, %rd50;\n"
    "\tadd.s64 \t%rd322, %rd322, 1;\n"
    "\tadd.s64 \t%rd313, %rd313, %rd55;\n"
    "\tadd.s64 \t%rd312, %rd312, %rd57;\n"
    "\tadd.s64 \t%rd311, %rd311, %rd59;\n"
    "\tadd.s64 \t%rd310, %rd310, %rd61;\n"
    "\tadd.s64 \t%rd309, %rd309, %rd63;\n"
    "\tshl.b32 \t%r25, %r6, 3;\n"
    "\tmov.u32 \t%r26, _ZZ8fqp_k_qcE1s;\n"
    "\tadd.s32 \t%r27, %r26, %r25;\n"
    "\tadd.s32 \t%r28, %r27, 1632;\n"
    "\tatom.shared.add.u64 \t%rd197, [%r28], 1;\n"
    "\n"
    "$L__BB1_11:\n"
    "\tadd.s64 \t%rd321, %rd321, 32;\n"
    "\tsetp.lt.u64 \t%p20, %rd321, %rd32;\n"
    "\t@%p20 bra \t$L__BB1_6;\n"
    "\n"
    "$L__BB1_12:\n"
    "\tsetp.lt.u64 \t%p21, %rd32, 33554432;\n"
    "\t@%p21 bra \t$L__BB1_14;\n"
    "\tbra.uni \t$L__BB1_13;\n"
    "\n"
    "$L__BB1_14:\n"
    "\tshl.b64 \t%rd249, %rd347, 32;\n"
    "\tor.b64  \t%rd239, %rd249, %rd348;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r76,%r77}, %rd239;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r96, 31;\n"
    "\tmov.u32 \t%r97, 16;\n"
    "\tmov.u32 \t%r98, -1;\n"
    "\tshfl.sync.bfly.b32 \t%r79|%p42, %r77, %r97, %r96, %r98;\n"
    "\tshfl.sync.bfly.b32 \t%r78|%p43, %r76, %r97, %r96, %r98;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd240, {%r78,%r79};\n"
    "\t// end inline asm\n"
    "\tadd.s64 \t%rd241, %rd240, %rd239;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r80,%r81}, %rd241;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r99, 8;\n"
    "\tshfl.sync.bfly.b32 \t%r83|%p44, %r81, %r99, %r96, %r98;\n"
    "\tshfl.sync.bfly.b32 \t%r82|%p45, %r80, %r99, %r96, %r98;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd242, {%r82,%r83};\n"
    "\t// end inline asm\n"
    "\tadd.s64 \t%rd243, %rd242, %rd241;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r84,%r85}, %rd243;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r100, 4;\n"
    "\tshfl.sync.bfly.b32 \t%r87|%p46, %r85, %r100, %r96, %r98;\n"
    "\tshfl.sync.bfly.b32 \t%r86|%p47, %r84, %r100, %r96, %r98;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd244, {%r86,%r87};\n"
    "\t// end inline asm\n"
    "\tadd.s64 \t%rd245, %rd244, %rd243;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r88,%r89}, %rd245;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r101, 2;\n"
    "\tshfl.sync.bfly.b32 \t%r91|%p48, %r89, %r101, %r96, %r98;\n"
    "\tshfl.sync.bfly.b32 \t%r90|%p49, %r88, %r101, %r96, %r98;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd246, {%r90,%r91};\n"
    "\t// end inline asm\n"
    "\tadd.s64 \t%rd247, %rd246, %rd245;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r92,%r93}, %rd247;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r102, 1;\n"
    "\tshfl.sync.bfly.b32 \t%r95|%p50, %r93, %r102, %r96, %r98;\n"
    "\tshfl.sync.bfly.b32 \t%r94|%p51, %r92, %r102, %r96, %r98;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd248, {%r94,%r95};\n"
    "\t// end inline asm\n"
    "\tadd.s64 \t%rd250, %rd248, %rd247;\n"
    "\tshr.u64 \t%rd349, %rd250, 32;\n"
    "\tand.b64  \t%rd350, %rd250, 4294967295;\n"
    "\tbra.uni \t$L__BB1_15;\n"
    "\n"
    "$L__BB1_13:\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r29,%r30}, %rd347;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r69, 31;\n"
    "\tmov.u32 \t%r70, 16;\n"
    "\tmov.u32 \t%r71, -1;\n"
    "\tshfl.sync.bfly.b32 \t%r32|%p22, %r30, %r70, %r69, %r71;\n"
    "\tshfl.sync.bfly.b32 \t%r31|%p23, %r29, %r70, %r69, %r71;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd220, {%r31,%r32};\n"
    "\t// end inline asm\n"
    "\tadd.s64 \t%rd221, %rd220, %rd347;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r33,%r34}, %rd221;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r72, 8;\n"
    "\tshfl.sync.bfly.b32 \t%r36|%p24, %r34, %r72, %r69, %r71;\n"
    "\tshfl.sync.bfly.b32 \t%r35|%p25, %r33, %r72, %r69, %r71;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd222, {%r35,%r36};\n"
    "\t// end inline asm\n"
    "\tadd.s64 \t%rd223, %rd222, %rd221;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r37,%r38}, %rd223;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r73, 4;\n"
    "\tshfl.sync.bfly.b32 \t%r40|%p26, %r38, %r73, %r69, %r71;\n"
    "\tshfl.sync.bfly.b32 \t%r39|%p27, %r37, %r73, %r69, %r71;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd224, {%r39,%r40};\n"
    "\t// end inline asm\n"
    "\tadd.s64 \t%rd225, %rd224, %rd223;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r41,%r42}, %rd225;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r74, 2;\n"
    "\tshfl.sync.bfly.b32 \t%r44|%p28, %r42, %r74, %r69, %r71;\n"
    "\tshfl.sync.bfly.b32 \t%r43|%",
    "p29, %r41, %r74, %r69, %r71;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd226, {%r43,%r44};\n"
    "\t// end inline asm\n"
    "\tadd.s64 \t%rd227, %rd226, %rd225;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r45,%r46}, %rd227;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r75, 1;\n"
    "\tshfl.sync.bfly.b32 \t%r48|%p30, %r46, %r75, %r69, %r71;\n"
    "\tshfl.sync.bfly.b32 \t%r47|%p31, %r45, %r75, %r69, %r71;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd228, {%r47,%r48};\n"
    "\t// end inline asm\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r49,%r50}, %rd348;\n"
    "\t// end inline asm\n"
    "\tshfl.sync.bfly.b32 \t%r52|%p32, %r50, %r70, %r69, %r71;\n"
    "\tshfl.sync.bfly.b32 \t%r51|%p33, %r49, %r70, %r69, %r71;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd230, {%r51,%r52};\n"
    "\t// end inline asm\n"
    "\tadd.s64 \t%rd231, %rd230, %rd348;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r53,%r54}, %rd231;\n"
    "\t// end inline asm\n"
    "\tshfl.sync.bfly.b32 \t%r56|%p34, %r54, %r72, %r69, %r71;\n"
    "\tshfl.sync.bfly.b32 \t%r55|%p35, %r53, %r72, %r69, %r71;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd232, {%r55,%r56};\n"
    "\t// end inline asm\n"
    "\tadd.s64 \t%rd233, %rd232, %rd231;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r57,%r58}, %rd233;\n"
    "\t// end inline asm\n"
    "\tshfl.sync.bfly.b32 \t%r60|%p36, %r58, %r73, %r69, %r71;\n"
    "\tshfl.sync.bfly.b32 \t%r59|%p37, %r57, %r73, %r69, %r71;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd234, {%r59,%r60};\n"
    "\t// end inline asm\n"
    "\tadd.s64 \t%rd235, %rd234, %rd233;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r61,%r62}, %rd235;\n"
    "\t// end inline asm\n"
    "\tshfl.sync.bfly.b32 \t%r64|%p38, %r62, %r74, %r69, %r71;\n"
    "\tshfl.sync.bfly.b32 \t%r63|%p39, %r61, %r74, %r69, %r71;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd236, {%r63,%r64};\n"
    "\t// end inline asm\n"
    "\tadd.s64 \t%rd237, %rd236, %rd235;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r65,%r66}, %rd237;\n"
    "\t// end inline asm\n"
    "\tshfl.sync.bfly.b32 \t%r68|%p40, %r66, %r75, %r69, %r71;\n"
    "\tshfl.sync.bfly.b32 \t%r67|%p41, %r65, %r75, %r69, %r71;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd238, {%r67,%r68};\n"
    "\t// end inline asm\n"
    "\tadd.s64 \t%rd350, %rd238, %rd237;\n"
    "\tadd.s64 \t%rd349, %rd228, %rd227;\n"
    "\n"
    "$L__BB1_15:\n"
    "\tsetp.ne.s32 \t%p52, %r2, 0;\n"
    "\t@%p52 bra \t$L__BB1_24;\n"
    "\n"
    "\tadd.s64 \t%rd353, %rd353, 1;\n"
    "\tadd.s64 \t%rd354, %rd32, %rd354;\n"
    "\tmin.u64 \t%rd251, %rd32, %rd3;\n"
    "\tadd.s64 \t%rd252, %rd251, %rd5;\n"
    "\tshl.b64 \t%rd253, %rd252, 3;\n"
    "\tadd.s64 \t%rd254, %rd1, %rd253;\n"
    "\tatom.global.add.u64 \t%rd255, [%rd254], 1;\n"
    "\tsetp.eq.s64 \t%p53, %rd32, 0;\n"
    "\t@%p53 bra \t$L__BB1_24;\n"
    "\n"
    "\tor.b64  \t%rd256, %rd349, %rd32;\n"
    "\tand.b64  \t%rd257, %rd256, -4294967296;\n"
    "\tsetp.eq.s64 \t%p54, %rd257, 0;\n"
    "\t@%p54 bra \t$L__BB1_19;\n"
    "\n"
    "\tdiv.u64 \t%rd351, %rd349, %rd32;\n"
    "\tbra.uni \t$L__BB1_20;\n"
    "\n"
    "$L__BB1_19:\n"
    "\tcvt.u32.u64 \t%r103, %rd32;\n"
    "\tcvt.u32.u64 \t%r104, %rd349;\n"
    "\tdiv.u32 \t%r105, %r104, %r103;\n"
    "\tcvt.u64.u32 \t%rd351, %r105;\n"
    "\n"
    "$L__BB1_20:\n"
    "\tcvt.u32.u64 \t%r106, %rd351;\n"
    "\tshl.b32 \t%r107, %r106, 3;\n"
    "\tmov.u32 \t%r108, _ZZ8fqp_k_qcE1s;\n"
    "\tadd.s32 \t%r109, %r108, %r107;\n"
    "\tadd.s32 \t%r110, %r109, 72;\n"
    "\tatom.shared.add.u64 \t%rd258, [%r110], 1;\n"
    "\tmul.lo.s64 \t%rd107, %rd350, 100;\n"
    "\tor.b64  \t%rd259, %rd107, %rd32;\n"
    "\tand.b64  \t%rd260, %rd259, -4294967296;\n"
    "\tsetp.eq.s64 \t%p55, %rd260, 0;\n"
    "\t@%p55 bra \t$L__BB1_22;\n"
    "\n"
    "\tdiv.u64 \t%rd352, %rd107, %rd32;\n"
    "\tbra.uni \t$L__BB1_23;\n"
    "\n"
    "$L__BB1_22:\n"
    "\tcvt.u32.u64 \t%r111, %rd32;\n"
    "\tcvt.u32.u64 \t%r112, %rd107;\n"
    "\tdiv.u32 \t%r113, %r112, %r111;\n"
    "\tcvt.u64.u32 \t%rd352, %r113;\n"
    "\n"
    "$L__BB1_23:\n"
    "\tcvt.u32.u64 \t%r114, %rd352;\n"
    "\tshl.b32 \t%r115, %r114, 3;\n"
    "\tadd.s32 \t%r117, %r108, %r115;\n"
    "\tadd.s32 \t%r118, %r117, 824;\n"
    "\tatom.shared.add.u64 \t%rd261, [%r118], 1;\n"
    "\n"
    "$L__BB1_24:\n"
    "\tadd.s64 \t%rd308, %rd308, %rd13;\n"
    "\tsetp.lt.u64 \t%p56, %rd308, %rd142;\n"
    "\t@%p56 bra \t$L__BB1_4;\n"
    "\n"
    "$L__BB1_25:\n"
    "\tsetp.eq.s64 \t%p57, %rd353, 0;\n"
    "\t@%p57 bra \t$L__BB1_27;\n"
    "\n"
    "\tmov.u32 \t%r119, _ZZ8fqp_k_qcE1s;\n"
    "\tatom.shared.add.u64 \t%rd262, [%r119], %rd353;\n"
    "\n"
    "$L__BB1_27:\n"
    "\tsetp.eq.s64 \t%p58, %rd354, 0;\n"
    "\t@%p58 bra \t$L__BB1_29;\n"
    "\n"
    "\tmov.u32 \t%r120, _ZZ8fqp_k_qcE1s;\n"
    "\tadd.s32 \t%r121, %r120, 8;\n"
    "\tatom.shared.add.u64 \t%rd263, [%r12",
    "1], %rd354;\n"
    "\n"
    "$L__BB1_29:\n"
    "\tsetp.eq.s64 \t%p59, %rd343, 0;\n"
    "\t@%p59 bra \t$L__BB1_31;\n"
    "\n"
    "\tmov.u32 \t%r122, _ZZ8fqp_k_qcE1s;\n"
    "\tadd.s32 \t%r123, %r122, 16;\n"
    "\tatom.shared.add.u64 \t%rd264, [%r123], %rd343;\n"
    "\n"
    "$L__BB1_31:\n"
    "\tsetp.eq.s64 \t%p60, %rd344, 0;\n"
    "\t@%p60 bra \t$L__BB1_33;\n"
    "\n"
    "\tmov.u32 \t%r124, _ZZ8fqp_k_qcE1s;\n"
    "\tadd.s32 \t%r125, %r124, 24;\n"
    "\tatom.shared.add.u64 \t%rd265, [%r125], %rd344;\n"
    "\n"
    "$L__BB1_33:\n"
    "\tsetp.eq.s64 \t%p61, %rd323, 0;\n"
    "\t@%p61 bra \t$L__BB1_35;\n"
    "\n"
    "\tmov.u32 \t%r126, _ZZ8fqp_k_qcE1s;\n"
    "\tadd.s32 \t%r127, %r126, 2384;\n"
    "\tatom.shared.add.u64 \t%rd266, [%r127], %rd323;\n"
    "\n"
    "$L__BB1_35:\n"
    "\tsetp.eq.s64 \t%p62, %rd322, 0;\n"
    "\t@%p62 bra \t$L__BB1_37;\n"
    "\n"
    "\tmov.u32 \t%r128, _ZZ8fqp_k_qcE1s;\n"
    "\tadd.s32 \t%r129, %r128, 2392;\n"
    "\tatom.shared.add.u64 \t%rd267, [%r129], %rd322;\n"
    "\n"
    "$L__BB1_37:\n"
    "\tsetp.eq.s64 \t%p63, %rd342, 0;\n"
    "\t@%p63 bra \t$L__BB1_39;\n"
    "\n"
    "\tmov.u32 \t%r130, _ZZ8fqp_k_qcE1s;\n"
    "\tadd.s32 \t%r131, %r130, 32;\n"
    "\tatom.shared.add.u64 \t%rd268, [%r131], %rd342;\n"
    "\n"
    "$L__BB1_39:\n"
    "\tsetp.eq.s64 \t%p64, %rd313, 0;\n"
    "\t@%p64 bra \t$L__BB1_41;\n"
    "\n"
    "\tmov.u32 \t%r132, _ZZ8fqp_k_qcE1s;\n"
    "\tadd.s32 \t%r133, %r132, 2400;\n"
    "\tatom.shared.add.u64 \t%rd269, [%r133], %rd313;\n"
    "\n"
    "$L__BB1_41:\n"
    "\tsetp.eq.s64 \t%p65, %rd341, 0;\n"
    "\t@%p65 bra \t$L__BB1_43;\n"
    "\n"
    "\tmov.u32 \t%r134, _ZZ8fqp_k_qcE1s;\n"
    "\tadd.s32 \t%r135, %r134, 40;\n"
    "\tatom.shared.add.u64 \t%rd270, [%r135], %rd341;\n"
    "\n"
    "$L__BB1_43:\n"
    "\tsetp.eq.s64 \t%p66, %rd312, 0;\n"
    "\t@%p66 bra \t$L__BB1_45;\n"
    "\n"
    "\tmov.u32 \t%r136, _ZZ8fqp_k_qcE1s;\n"
    "\tadd.s32 \t%r137, %r136, 2408;\n"
    "\tatom.shared.add.u64 \t%rd271, [%r137], %rd312;\n"
    "\n"
    "$L__BB1_45:\n"
    "\tsetp.eq.s64 \t%p67, %rd340, 0;\n"
    "\t@%p67 bra \t$L__BB1_47;\n"
    "\n"
    "\tmov.u32 \t%r138, _ZZ8fqp_k_qcE1s;\n"
    "\tadd.s32 \t%r139, %r138, 48;\n"
    "\tatom.shared.add.u64 \t%rd272, [%r139], %rd340;\n"
    "\n"
    "$L__BB1_47:\n"
    "\tsetp.eq.s64 \t%p68, %rd311, 0;\n"
    "\t@%p68 bra \t$L__BB1_49;\n"
    "\n"
    "\tmov.u32 \t%r140, _ZZ8fqp_k_qcE1s;\n"
    "\tadd.s32 \t%r141, %r140, 2416;\n"
    "\tatom.shared.add.u64 \t%rd273, [%r141], %rd311;\n"
    "\n"
    "$L__BB1_49:\n"
    "\tsetp.eq.s64 \t%p69, %rd339, 0;\n"
    "\t@%p69 bra \t$L__BB1_51;\n"
    "\n"
    "\tmov.u32 \t%r142, _ZZ8fqp_k_qcE1s;\n"
    "\tadd.s32 \t%r143, %r142, 56;\n"
    "\tatom.shared.add.u64 \t%rd274, [%r143], %rd339;\n"
    "\n"
    "$L__BB1_51:\n"
    "\tsetp.eq.s64 \t%p70, %rd310, 0;\n"
    "\t@%p70 bra \t$L__BB1_53;\n"
    "\n"
    "\tmov.u32 \t%r144, _ZZ8fqp_k_qcE1s;\n"
    "\tadd.s32 \t%r145, %r144, 2424;\n"
    "\tatom.shared.add.u64 \t%rd275, [%r145], %rd310;\n"
    "\n"
    "$L__BB1_53:\n"
    "\tsetp.eq.s64 \t%p71, %rd338, 0;\n"
    "\t@%p71 bra \t$L__BB1_55;\n"
    "\n"
    "\tmov.u32 \t%r146, _ZZ8fqp_k_qcE1s;\n"
    "\tadd.s32 \t%r147, %r146, 64;\n"
    "\tatom.shared.add.u64 \t%rd276, [%r147], %rd338;\n"
    "\n"
    "$L__BB1_55:\n"
    "\tsetp.eq.s64 \t%p72, %rd309, 0;\n"
    "\t@%p72 bra \t$L__BB1_57;\n"
    "\n"
    "\tmov.u32 \t%r148, _ZZ8fqp_k_qcE1s;\n"
    "\tadd.s32 \t%r149, %r148, 2432;\n"
    "\tatom.shared.add.u64 \t%rd277, [%r149], %rd309;\n"
    "\n"
    "$L__BB1_57:\n"
    "\tmov.u32 \t%r155, %tid.x;\n"
    "\tsetp.gt.u32 \t%p80, %r155, 304;\n"
    "\tbar.sync \t0;\n"
    "\t@%p80 bra \t$L__BB1_69;\n"
    "\n"
    "\tmov.u32 \t%r160, %tid.x;\n"
    "\tmul.lo.s64 \t%rd278, %rd3, 94;\n"
    "\tadd.s64 \t%rd130, %rd7, %rd278;\n"
    "\tshl.b64 \t%rd279, %rd3, 3;\n"
    "\tadd.s64 \t%rd280, %rd1, %rd279;\n"
    "\tadd.s64 \t%rd131, %rd280, 1632;\n"
    "\tadd.s64 \t%rd281, %rd4, %rd3;\n"
    "\tshl.b64 \t%rd282, %rd281, 3;\n"
    "\tadd.s64 \t%rd132, %rd1, %rd282;\n"
    "\tmul.lo.s64 \t%rd283, %rd3, 5;\n"
    "\tadd.s64 \t%rd133, %rd6, %rd283;\n"
    "\tmov.u32 \t%r151, _ZZ8fqp_k_qcE1s;\n"
    "\n"
    "$L__BB1_59:\n"
    "\tshl.b32 \t%r150, %r160, 3;\n"
    "\tadd.s32 \t%r152, %r151, %r150;\n"
    "\tld.shared.u64 \t%rd134, [%r152];\n"
    "\tsetp.eq.s64 \t%p74, %rd134, 0;\n"
    "\t@%p74 bra \t$L__BB1_68;\n"
    "\n"
    "\tsetp.lt.u32 \t%p75, %r160, 204;\n"
    "\t@%p75 bra \t$L__BB1_66;\n"
    "\tbra.uni \t$L__BB1_61;\n"
    "\n"
    "$L__BB1_66:\n"
    "\tmul.wide.u32 \t%rd290, %r160, 8;\n"
    "\tadd.s64 \t%rd371, %rd1, %rd290;\n"
    "\tbra.uni \t$L__BB1_67;\n"
    "\n"
    "$L__BB1_61:\n"
    "\tsetp.lt.u32 \t%p76, %r160, 298;\n"
    "\t@%p76 bra \t$L__BB1_65;\n"
    "\tbra.uni \t$L__BB1_62;\n"
    "\n"
    "$L__BB1_65:\n"
    "\tadd.s32 \t%r154, %r160, -204;\n"
    "\tcvt.u64.u32 \t%rd287, %r154;\n"
    "\tadd.s64 \t%rd288, %rd130, %rd287;\n"
    "\tshl.b64 \t%rd289, %rd288, 3;\n"
    "\tadd.s64 \t%rd371, %rd1, %rd289;\n"
    "\tbra.uni \t$L__BB1_67;\n"
    "\n"
    "$L__BB1_62:\n",
    "\tsetp.eq.s32 \t%p77, %r160, 298;\n"
    "\tmov.u64 \t%rd371, %rd131;\n"
    "\t@%p77 bra \t$L__BB1_67;\n"
    "\n"
    "\tsetp.ne.s32 \t%p78, %r160, 299;\n"
    "\tmov.u64 \t%rd371, %rd132;\n"
    "\t@%p78 bra \t$L__BB1_64;\n"
    "\tbra.uni \t$L__BB1_67;\n"
    "\n"
    "$L__BB1_64:\n"
    "\tadd.s32 \t%r153, %r160, -300;\n"
    "\tcvt.u64.u32 \t%rd284, %r153;\n"
    "\tadd.s64 \t%rd285, %rd133, %rd284;\n"
    "\tshl.b64 \t%rd286, %rd285, 3;\n"
    "\tadd.s64 \t%rd371, %rd1, %rd286;\n"
    "\n"
    "$L__BB1_67:\n"
    "\tatom.global.add.u64 \t%rd291, [%rd371], %rd134;\n"
    "\n"
    "$L__BB1_68:\n"
    "\tmov.u32 \t%r157, %ntid.x;\n"
    "\tadd.s32 \t%r160, %r160, %r157;\n"
    "\tsetp.lt.u32 \t%p79, %r160, 305;\n"
    "\t@%p79 bra \t$L__BB1_59;\n"
    "\n"
    "$L__BB1_69:\n"
    "\tret;\n"
    "\n"
    "}\n"
    "\t// .globl\tfqp_k_trim\n"
    ".visible .entry fqp_k_trim(\n"
    "\t.param .u64 fqp_k_trim_param_0,\n"
    "\t.param .u64 fqp_k_trim_param_1,\n"
    "\t.param .u64 fqp_k_trim_param_2,\n"
    "\t.param .u64 fqp_k_trim_param_3,\n"
    "\t.param .u32 fqp_k_trim_param_4,\n"
    "\t.param .u32 fqp_k_trim_param_5,\n"
    "\t.param .u32 fqp_k_trim_param_6,\n"
    "\t.param .u32 fqp_k_trim_param_7,\n"
    "\t.param .u64 fqp_k_trim_param_8\n"
    ")\n"
    "{\n"
    "\t.reg .pred \t%p<247>;\n"
    "\t.reg .b16 \t%rs<11>;\n"
    "\t.reg .b32 \t%r<461>;\n"
    "\t.reg .b64 \t%rd<502>;\n"
    "\n"
    "\n"
    "\tld.param.u64 \t%rd143, [fqp_k_trim_param_0];\n"
    "\tld.param.u64 \t%rd147, [fqp_k_trim_param_1];\n"
    "\tld.param.u64 \t%rd144, [fqp_k_trim_param_2];\n"
    "\tld.param.u64 \t%rd145, [fqp_k_trim_param_3];\n"
    "\tld.param.u32 \t%r24, [fqp_k_trim_param_4];\n"
    "\tld.param.u32 \t%r26, [fqp_k_trim_param_5];\n"
    "\tld.param.u32 \t%r27, [fqp_k_trim_param_6];\n"
    "\tld.param.u32 \t%r25, [fqp_k_trim_param_7];\n"
    "\tld.param.u64 \t%rd146, [fqp_k_trim_param_8];\n"
    "\tcvta.to.global.u64 \t%rd1, %rd147;\n"
    "\tmov.u32 \t%r28, %tid.x;\n"
    "\tand.b32  \t%r1, %r28, 31;\n"
    "\tmov.u32 \t%r29, %ntid.x;\n"
    "\tcvt.u64.u32 \t%rd2, %r29;\n"
    "\tmin.s32 \t%r30, %r26, 94;\n"
    "\tmax.s32 \t%r2, %r30, 0;\n"
    "\tsetp.gt.s32 \t%p3, %r27, 0;\n"
    "\tselp.b32 \t%r31, %r27, 4, %p3;\n"
    "\tcvt.s64.s32 \t%rd3, %r31;\n"
    "\tmov.u32 \t%r32, %ctaid.x;\n"
    "\tmul.wide.u32 \t%rd148, %r32, %r29;\n"
    "\tcvt.u64.u32 \t%rd149, %r28;\n"
    "\tadd.s64 \t%rd150, %rd148, %rd149;\n"
    "\tshr.u64 \t%rd457, %rd150, 5;\n"
    "\tsetp.ge.u64 \t%p4, %rd457, %rd145;\n"
    "\t@%p4 bra \t$L__BB2_91;\n"
    "\n"
    "\tmin.s32 \t%r33, %r25, 94;\n"
    "\tcvt.u64.u32 \t%rd5, %r2;\n"
    "\tcvt.u64.u32 \t%rd6, %r1;\n"
    "\tmul.lo.s64 \t%rd7, %rd5, %rd3;\n"
    "\tadd.s64 \t%rd8, %rd3, -1;\n"
    "\tmax.s32 \t%r34, %r33, 0;\n"
    "\tcvt.u64.u32 \t%rd9, %r34;\n"
    "\tand.b64  \t%rd10, %rd3, 3;\n"
    "\tsub.s64 \t%rd11, %rd3, %rd10;\n"
    "\tmov.u32 \t%r35, %nctaid.x;\n"
    "\tcvt.u64.u32 \t%rd151, %r35;\n"
    "\tmul.lo.s64 \t%rd152, %rd151, %rd2;\n"
    "\tshr.u64 \t%rd14, %rd152, 5;\n"
    "\tcvta.to.global.u64 \t%rd15, %rd144;\n"
    "\tcvta.to.global.u64 \t%rd16, %rd143;\n"
    "\tcvta.to.global.u64 \t%rd17, %rd146;\n"
    "\tbra.uni \t$L__BB2_2;\n"
    "\n"
    "$L__BB2_52:\n"
    "\tsub.s64 \t%rd218, %rd60, %rd469;\n"
    "\tbrev.b32 \t%r104, %r23;\n"
    "\tbfind.shiftamt.u32 \t%r105, %r104;\n"
    "\tcvt.u64.u32 \t%rd219, %r105;\n"
    "\tsub.s64 \t%rd501, %rd218, %rd219;\n"
    "\tmov.u64 \t%rd500, 0;\n"
    "\tbra.uni \t$L__BB2_88;\n"
    "\n"
    "$L__BB2_2:\n"
    "\tshl.b64 \t%rd154, %rd457, 3;\n"
    "\tadd.s64 \t%rd155, %rd15, %rd154;\n"
    "\tld.global.u64 \t%rd19, [%rd155+8];\n"
    "\tmov.u64 \t%rd500, 0;\n"
    "\tld.global.u64 \t%rd20, [%rd155];\n"
    "\tsub.s64 \t%rd21, %rd19, %rd20;\n"
    "\tsetp.eq.s32 \t%p5, %r24, 1;\n"
    "\t@%p5 bra \t$L__BB2_54;\n"
    "\n"
    "\tsetp.ne.s32 \t%p6, %r24, 2;\n"
    "\tmov.u64 \t%rd501, %rd21;\n"
    "\t@%p6 bra \t$L__BB2_88;\n"
    "\n"
    "\tld.param.u64 \t%rd450, [fqp_k_trim_param_0];\n"
    "\tsetp.eq.s64 \t%p7, %rd450, 0;\n"
    "\tmov.u64 \t%rd500, 0;\n"
    "\tadd.s64 \t%rd158, %rd16, %rd20;\n"
    "\tselp.b64 \t%rd22, 0, %rd158, %p7;\n"
    "\tadd.s64 \t%rd159, %rd450, %rd20;\n"
    "\tselp.b64 \t%rd23, 0, %rd159, %p7;\n"
    "\tsetp.lt.u64 \t%p8, %rd21, %rd3;\n"
    "\tmov.u64 \t%rd501, %rd500;\n"
    "\t@%p8 bra \t$L__BB2_88;\n"
    "\n"
    "\tsub.s64 \t%rd161, %rd21, %rd3;\n"
    "\tadd.s64 \t%rd162, %rd161, 1;\n"
    "\tadd.s64 \t%rd163, %rd161, 32;\n"
    "\tshr.u64 \t%rd24, %rd163, 5;\n"
    "\tmul.lo.s64 \t%rd164, %rd24, %rd6;\n"
    "\tmin.u64 \t%rd25, %rd164, %rd162;\n"
    "\tsub.s64 \t%rd165, %rd162, %rd25;\n"
    "\tsetp.lt.u64 \t%p9, %rd165, %rd24;\n"
    "\tadd.s64 \t%rd166, %rd25, %rd24;\n"
    "\tselp.b64 \t%rd26, %rd162, %rd166, %p9;\n"
    "\tsetp.ge.u64 \t%p10, %rd25, %rd26;\n"
    "\tmov.u64 \t%rd468, -1;\n"
    "\t@%p10 bra \t$L__BB2_43;\n"
    "\n"
    "\tadd.s64 \t%rd168, ",
    "%rd25, %rd3;\n"
    "\tsetp.ge.u64 \t%p11, %rd25, %rd168;\n"
    "\tmov.u64 \t%rd465, 0;\n"
    "\t@%p11 bra \t$L__BB2_35;\n"
    "\n"
    "\tsetp.lt.u64 \t%p12, %rd8, 3;\n"
    "\tmov.u64 \t%rd465, 0;\n"
    "\tmov.u64 \t%rd464, %rd25;\n"
    "\t@%p12 bra \t$L__BB2_22;\n"
    "\n"
    "\tadd.s64 \t%rd452, %rd1, -1;\n"
    "\tadd.s64 \t%rd451, %rd3, -2;\n"
    "\tadd.s64 \t%rd172, %rd451, %rd20;\n"
    "\tsub.s64 \t%rd173, %rd172, %rd19;\n"
    "\tmul.lo.s64 \t%rd174, %rd6, %rd24;\n"
    "\tnot.b64 \t%rd175, %rd174;\n"
    "\tmax.u64 \t%rd176, %rd173, %rd175;\n"
    "\tsub.s64 \t%rd177, %rd20, %rd176;\n"
    "\tadd.s64 \t%rd461, %rd452, %rd177;\n"
    "\tmov.u64 \t%rd465, 0;\n"
    "\tmov.u64 \t%rd464, %rd25;\n"
    "\tmov.u64 \t%rd460, %rd11;\n"
    "\n"
    "$L__BB2_9:\n"
    "\tadd.s64 \t%rd178, %rd22, %rd464;\n"
    "\tadd.s64 \t%rd32, %rd178, 1;\n"
    "\tsetp.eq.s64 \t%p13, %rd23, 0;\n"
    "\t@%p13 bra \t$L__BB2_11;\n"
    "\n"
    "\tld.global.u8 \t%rs1, [%rd32+-1];\n"
    "\tsetp.eq.s16 \t%p14, %rs1, 78;\n"
    "\tmov.u32 \t%r451, 0;\n"
    "\t@%p14 bra \t$L__BB2_12;\n"
    "\n"
    "$L__BB2_11:\n"
    "\tld.global.u8 \t%r37, [%rd461];\n"
    "\tsetp.lt.u32 \t%p15, %r37, 33;\n"
    "\tadd.s32 \t%r38, %r37, -33;\n"
    "\tselp.b32 \t%r39, 0, %r38, %p15;\n"
    "\tmin.u32 \t%r451, %r39, 93;\n"
    "\n"
    "$L__BB2_12:\n"
    "\tcvt.u64.u32 \t%rd179, %r451;\n"
    "\tadd.s64 \t%rd33, %rd465, %rd179;\n"
    "\t@%p13 bra \t$L__BB2_14;\n"
    "\n"
    "\tld.global.u8 \t%rs2, [%rd32];\n"
    "\tsetp.eq.s16 \t%p17, %rs2, 78;\n"
    "\tmov.u32 \t%r452, 0;\n"
    "\t@%p17 bra \t$L__BB2_15;\n"
    "\n"
    "$L__BB2_14:\n"
    "\tld.global.u8 \t%r41, [%rd461+1];\n"
    "\tsetp.lt.u32 \t%p18, %r41, 33;\n"
    "\tadd.s32 \t%r42, %r41, -33;\n"
    "\tselp.b32 \t%r43, 0, %r42, %p18;\n"
    "\tmin.u32 \t%r452, %r43, 93;\n"
    "\n"
    "$L__BB2_15:\n"
    "\tcvt.u64.u32 \t%rd180, %r452;\n"
    "\tadd.s64 \t%rd34, %rd33, %rd180;\n"
    "\t@%p13 bra \t$L__BB2_17;\n"
    "\n"
    "\tld.global.u8 \t%rs3, [%rd32+1];\n"
    "\tsetp.eq.s16 \t%p20, %rs3, 78;\n"
    "\tmov.u32 \t%r453, 0;\n"
    "\t@%p20 bra \t$L__BB2_18;\n"
    "\n"
    "$L__BB2_17:\n"
    "\tld.global.u8 \t%r45, [%rd461+2];\n"
    "\tsetp.lt.u32 \t%p21, %r45, 33;\n"
    "\tadd.s32 \t%r46, %r45, -33;\n"
    "\tselp.b32 \t%r47, 0, %r46, %p21;\n"
    "\tmin.u32 \t%r453, %r47, 93;\n"
    "\n"
    "$L__BB2_18:\n"
    "\tcvt.u64.u32 \t%rd181, %r453;\n"
    "\tadd.s64 \t%rd35, %rd34, %rd181;\n"
    "\t@%p13 bra \t$L__BB2_20;\n"
    "\n"
    "\tld.global.u8 \t%rs4, [%rd32+2];\n"
    "\tsetp.eq.s16 \t%p23, %rs4, 78;\n"
    "\tmov.u32 \t%r454, 0;\n"
    "\t@%p23 bra \t$L__BB2_21;\n"
    "\n"
    "$L__BB2_20:\n"
    "\tld.global.u8 \t%r49, [%rd461+3];\n"
    "\tsetp.lt.u32 \t%p24, %r49, 33;\n"
    "\tadd.s32 \t%r50, %r49, -33;\n"
    "\tselp.b32 \t%r51, 0, %r50, %p24;\n"
    "\tmin.u32 \t%r454, %r51, 93;\n"
    "\n"
    "$L__BB2_21:\n"
    "\tadd.s64 \t%rd461, %rd461, 4;\n"
    "\tcvt.u64.u32 \t%rd182, %r454;\n"
    "\tadd.s64 \t%rd465, %rd35, %rd182;\n"
    "\tadd.s64 \t%rd464, %rd464, 4;\n"
    "\tadd.s64 \t%rd460, %rd460, -4;\n"
    "\tsetp.ne.s64 \t%p25, %rd460, 0;\n"
    "\t@%p25 bra \t$L__BB2_9;\n"
    "\n"
    "$L__BB2_22:\n"
    "\tsetp.eq.s64 \t%p26, %rd10, 0;\n"
    "\t@%p26 bra \t$L__BB2_35;\n"
    "\n"
    "\tsetp.eq.s64 \t%p27, %rd23, 0;\n"
    "\tadd.s64 \t%rd43, %rd22, %rd464;\n"
    "\tadd.s64 \t%rd183, %rd464, %rd20;\n"
    "\tadd.s64 \t%rd44, %rd1, %rd183;\n"
    "\t@%p27 bra \t$L__BB2_25;\n"
    "\n"
    "\tld.global.u8 \t%rs5, [%rd43];\n"
    "\tsetp.eq.s16 \t%p28, %rs5, 78;\n"
    "\tmov.u32 \t%r455, 0;\n"
    "\t@%p28 bra \t$L__BB2_26;\n"
    "\n"
    "$L__BB2_25:\n"
    "\tld.global.u8 \t%r53, [%rd44];\n"
    "\tsetp.lt.u32 \t%p29, %r53, 33;\n"
    "\tadd.s32 \t%r54, %r53, -33;\n"
    "\tselp.b32 \t%r55, 0, %r54, %p29;\n"
    "\tmin.u32 \t%r455, %r55, 93;\n"
    "\n"
    "$L__BB2_26:\n"
    "\tcvt.u64.u32 \t%rd184, %r455;\n"
    "\tadd.s64 \t%rd465, %rd465, %rd184;\n"
    "\tsetp.eq.s64 \t%p30, %rd10, 1;\n"
    "\t@%p30 bra \t$L__BB2_35;\n"
    "\n"
    "\t@%p27 bra \t$L__BB2_29;\n"
    "\n"
    "\tld.global.u8 \t%rs6, [%rd43+1];\n"
    "\tsetp.eq.s16 \t%p32, %rs6, 78;\n"
    "\tmov.u32 \t%r456, 0;\n"
    "\t@%p32 bra \t$L__BB2_30;\n"
    "\n"
    "$L__BB2_29:\n"
    "\tld.global.u8 \t%r57, [%rd44+1];\n"
    "\tsetp.lt.u32 \t%p33, %r57, 33;\n"
    "\tadd.s32 \t%r58, %r57, -33;\n"
    "\tselp.b32 \t%r59, 0, %r58, %p33;\n"
    "\tmin.u32 \t%r456, %r59, 93;\n"
    "\n"
    "$L__BB2_30:\n"
    "\tcvt.u64.u32 \t%rd185, %r456;\n"
    "\tadd.s64 \t%rd465, %rd465, %rd185;\n"
    "\tsetp.eq.s64 \t%p34, %rd10, 2;\n"
    "\t@%p34 bra \t$L__BB2_35;\n"
    "\n"
    "\t@%p27 bra \t$L__BB2_33;\n"
    "\n"
    "\tld.global.u8 \t%rs7, [%rd43+2];\n"
    "\tsetp.eq.s16 \t%p36, %rs7, 78;\n"
    "\tmov.u32 \t%r457, 0;\n"
    "\t@%p36 bra \t$L__BB2_34;\n"
    "\n"
    "$L__BB2_33:\n"
    "\tld.global.u8 \t%r61, [%rd44+2];\n"
    "\tsetp.lt.u32 \t%p37, %r61, 33;\n"
    "\tadd.s32 \t%r62, %r61, -33;\n"
    "\tselp.b32 \t%r63, 0, %r62, %p37;\n"
    "\tmin.u32 \t%r457, %r63, 93;\n"
    "\n"
    "$L__BB2_34",
    ":\n"
    "\tcvt.u64.u32 \t%rd186, %r457;\n"
    "\tadd.s64 \t%rd465, %rd465, %rd186;\n"
    "\n"
    "$L__BB2_35:\n"
    "\tsetp.lt.u64 \t%p38, %rd465, %rd7;\n"
    "\tselp.b64 \t%rd468, %rd25, -1, %p38;\n"
    "\tsetp.ne.s64 \t%p39, %rd468, -1;\n"
    "\tadd.s64 \t%rd466, %rd25, 1;\n"
    "\tsetp.ge.u64 \t%p40, %rd466, %rd26;\n"
    "\tor.pred  \t%p41, %p40, %p39;\n"
    "\t@%p41 bra \t$L__BB2_43;\n"
    "\n"
    "$L__BB2_36:\n"
    "\tsetp.eq.s64 \t%p42, %rd23, 0;\n"
    "\t@%p42 bra \t$L__BB2_38;\n"
    "\n"
    "\tadd.s64 \t%rd187, %rd22, %rd466;\n"
    "\tld.global.u8 \t%rs8, [%rd187+-1];\n"
    "\tsetp.eq.s16 \t%p43, %rs8, 78;\n"
    "\tmov.u32 \t%r458, 0;\n"
    "\t@%p43 bra \t$L__BB2_39;\n"
    "\n"
    "$L__BB2_38:\n"
    "\tadd.s64 \t%rd188, %rd466, %rd20;\n"
    "\tadd.s64 \t%rd189, %rd1, %rd188;\n"
    "\tld.global.u8 \t%r65, [%rd189+-1];\n"
    "\tsetp.lt.u32 \t%p44, %r65, 33;\n"
    "\tadd.s32 \t%r66, %r65, -33;\n"
    "\tselp.b32 \t%r67, 0, %r66, %p44;\n"
    "\tmin.u32 \t%r458, %r67, 93;\n"
    "\n"
    "$L__BB2_39:\n"
    "\tcvt.u64.u32 \t%rd190, %r458;\n"
    "\tsub.s64 \t%rd53, %rd465, %rd190;\n"
    "\tadd.s64 \t%rd191, %rd466, %rd3;\n"
    "\tadd.s64 \t%rd54, %rd191, -1;\n"
    "\t@%p42 bra \t$L__BB2_41;\n"
    "\n"
    "\tadd.s64 \t%rd192, %rd22, %rd54;\n"
    "\tld.global.u8 \t%rs9, [%rd192];\n"
    "\tsetp.eq.s16 \t%p46, %rs9, 78;\n"
    "\tmov.u32 \t%r459, 0;\n"
    "\t@%p46 bra \t$L__BB2_42;\n"
    "\n"
    "$L__BB2_41:\n"
    "\tadd.s64 \t%rd193, %rd54, %rd20;\n"
    "\tadd.s64 \t%rd194, %rd1, %rd193;\n"
    "\tld.global.u8 \t%r69, [%rd194];\n"
    "\tsetp.lt.u32 \t%p47, %r69, 33;\n"
    "\tadd.s32 \t%r70, %r69, -33;\n"
    "\tselp.b32 \t%r71, 0, %r70, %p47;\n"
    "\tmin.u32 \t%r459, %r71, 93;\n"
    "\n"
    "$L__BB2_42:\n"
    "\tcvt.u64.u32 \t%rd195, %r459;\n"
    "\tadd.s64 \t%rd465, %rd53, %rd195;\n"
    "\tsetp.lt.u64 \t%p48, %rd465, %rd7;\n"
    "\tselp.b64 \t%rd468, %rd466, -1, %p48;\n"
    "\tsetp.eq.s64 \t%p49, %rd468, -1;\n"
    "\tadd.s64 \t%rd466, %rd466, 1;\n"
    "\tsetp.lt.u64 \t%p50, %rd466, %rd26;\n"
    "\tand.pred  \t%p51, %p50, %p49;\n"
    "\t@%p51 bra \t$L__BB2_36;\n"
    "\n"
    "$L__BB2_43:\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r72,%r73}, %rd468;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r92, 31;\n"
    "\tmov.u32 \t%r93, 16;\n"
    "\tmov.u32 \t%r94, -1;\n"
    "\tshfl.sync.bfly.b32 \t%r75|%p52, %r73, %r93, %r92, %r94;\n"
    "\tshfl.sync.bfly.b32 \t%r74|%p53, %r72, %r93, %r92, %r94;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd197, {%r74,%r75};\n"
    "\t// end inline asm\n"
    "\tmin.u64 \t%rd198, %rd197, %rd468;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r76,%r77}, %rd198;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r95, 8;\n"
    "\tshfl.sync.bfly.b32 \t%r79|%p54, %r77, %r95, %r92, %r94;\n"
    "\tshfl.sync.bfly.b32 \t%r78|%p55, %r76, %r95, %r92, %r94;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd199, {%r78,%r79};\n"
    "\t// end inline asm\n"
    "\tmin.u64 \t%rd200, %rd199, %rd198;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r80,%r81}, %rd200;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r96, 4;\n"
    "\tshfl.sync.bfly.b32 \t%r83|%p56, %r81, %r96, %r92, %r94;\n"
    "\tshfl.sync.bfly.b32 \t%r82|%p57, %r80, %r96, %r92, %r94;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd201, {%r82,%r83};\n"
    "\t// end inline asm\n"
    "\tmin.u64 \t%rd202, %rd201, %rd200;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r84,%r85}, %rd202;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r97, 2;\n"
    "\tshfl.sync.bfly.b32 \t%r87|%p58, %r85, %r97, %r92, %r94;\n"
    "\tshfl.sync.bfly.b32 \t%r86|%p59, %r84, %r97, %r92, %r94;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd203, {%r86,%r87};\n"
    "\t// end inline asm\n"
    "\tmin.u64 \t%rd204, %rd203, %rd202;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r88,%r89}, %rd204;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r98, 1;\n"
    "\tshfl.sync.bfly.b32 \t%r91|%p60, %r89, %r98, %r92, %r94;\n"
    "\tshfl.sync.bfly.b32 \t%r90|%p61, %r88, %r98, %r92, %r94;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd205, {%r90,%r91};\n"
    "\t// end inline asm\n"
    "\tmin.u64 \t%rd59, %rd205, %rd204;\n"
    "\tsetp.eq.s64 \t%p62, %rd59, 0;\n"
    "\tmov.u64 \t%rd501, %rd500;\n"
    "\t@%p62 bra \t$L__BB2_88;\n"
    "\n"
    "\tsetp.eq.s64 \t%p63, %rd59, -1;\n"
    "\tadd.s64 \t%rd210, %rd8, %rd59;\n"
    "\tselp.b64 \t%rd60, %rd21, %rd210, %p63;\n"
    "\tsetp.eq.s64 \t%p64, %rd60, 0;\n"
    "\tmov.u64 \t%rd501, %rd500;\n"
    "\t@%p64 bra \t$L__BB2_88;\n"
    "\n"
    "\tsub.s64 \t%rd61, %rd60, %rd6;\n"
    "\tmov.u64 \t%rd469, 0;\n"
    "\n"
    "$L__BB2_46:\n"
    "\tadd.s64 \t%rd212, %rd469, %rd6;\n"
    "\tsetp.ge.u64 \t%p66, %rd212, %rd60;\n"
    "\tmov.pred \t%p246, 0;\n"
    "\t@%p66 bra \t$L__BB2_51;\n"
    "\n"
    "\tsetp.eq.s64 \t%p67, %rd23, 0;\n"
    "\tnot.b64 \t%rd213, %rd469;\n"
    "\tadd.s64 \t%rd63, %rd61, %rd",
    "213;\n"
    "\t@%p67 bra \t$L__BB2_49;\n"
    "\n"
    "\tadd.s64 \t%rd214, %rd22, %rd63;\n"
    "\tld.global.u8 \t%rs10, [%rd214];\n"
    "\tsetp.eq.s16 \t%p68, %rs10, 78;\n"
    "\tmov.u32 \t%r460, 0;\n"
    "\t@%p68 bra \t$L__BB2_50;\n"
    "\n"
    "$L__BB2_49:\n"
    "\tadd.s64 \t%rd215, %rd63, %rd20;\n"
    "\tadd.s64 \t%rd216, %rd1, %rd215;\n"
    "\tld.global.u8 \t%r100, [%rd216];\n"
    "\tsetp.lt.u32 \t%p69, %r100, 33;\n"
    "\tadd.s32 \t%r101, %r100, -33;\n"
    "\tselp.b32 \t%r102, 0, %r101, %p69;\n"
    "\tmin.u32 \t%r460, %r102, 93;\n"
    "\n"
    "$L__BB2_50:\n"
    "\tsetp.ge.u32 \t%p246, %r460, %r2;\n"
    "\n"
    "$L__BB2_51:\n"
    "\tmov.u32 \t%r103, -1;\n"
    "\tvote.sync.ballot.b32 \t%r23, %p246, %r103;\n"
    "\tsetp.eq.s32 \t%p71, %r23, 0;\n"
    "\t@%p71 bra \t$L__BB2_53;\n"
    "\tbra.uni \t$L__BB2_52;\n"
    "\n"
    "$L__BB2_53:\n"
    "\tadd.s64 \t%rd469, %rd469, 32;\n"
    "\tsetp.gt.u64 \t%p72, %rd60, %rd469;\n"
    "\tmov.u64 \t%rd500, 0;\n"
    "\tmov.u64 \t%rd501, %rd500;\n"
    "\t@%p72 bra \t$L__BB2_46;\n"
    "\tbra.uni \t$L__BB2_88;\n"
    "\n"
    "$L__BB2_54:\n"
    "\tadd.s64 \t%rd223, %rd21, 31;\n"
    "\tshr.u64 \t%rd66, %rd223, 5;\n"
    "\tmul.lo.s64 \t%rd67, %rd66, %rd6;\n"
    "\tmin.u64 \t%rd68, %rd67, %rd21;\n"
    "\tsub.s64 \t%rd224, %rd21, %rd68;\n"
    "\tsetp.lt.u64 \t%p73, %rd224, %rd66;\n"
    "\tadd.s64 \t%rd225, %rd68, %rd66;\n"
    "\tselp.b64 \t%rd69, %rd21, %rd225, %p73;\n"
    "\tsetp.ge.u64 \t%p74, %rd68, %rd69;\n"
    "\tmov.u64 \t%rd481, 0;\n"
    "\tmov.u64 \t%rd476, %rd481;\n"
    "\t@%p74 bra \t$L__BB2_62;\n"
    "\n"
    "\tadd.s64 \t%rd454, %rd21, 31;\n"
    "\tshr.u64 \t%rd453, %rd454, 5;\n"
    "\tadd.s64 \t%rd228, %rd20, -2;\n"
    "\tmov.u64 \t%rd229, -2;\n"
    "\tsub.s64 \t%rd230, %rd228, %rd19;\n"
    "\tnot.b64 \t%rd231, %rd19;\n"
    "\tadd.s64 \t%rd232, %rd20, %rd231;\n"
    "\tnot.b64 \t%rd233, %rd67;\n"
    "\tmax.u64 \t%rd234, %rd232, %rd233;\n"
    "\tsub.s64 \t%rd235, %rd230, %rd234;\n"
    "\tnot.b64 \t%rd236, %rd453;\n"
    "\tmax.u64 \t%rd237, %rd235, %rd236;\n"
    "\tnot.b64 \t%rd70, %rd237;\n"
    "\tsub.s64 \t%rd238, %rd229, %rd237;\n"
    "\tand.b64  \t%rd71, %rd70, 3;\n"
    "\tsetp.lt.u64 \t%p75, %rd238, 3;\n"
    "\tmov.u64 \t%rd476, 0;\n"
    "\tmov.u64 \t%rd475, %rd68;\n"
    "\t@%p75 bra \t$L__BB2_58;\n"
    "\n"
    "\tsub.s64 \t%rd472, %rd70, %rd71;\n"
    "\tmov.u64 \t%rd476, 0;\n"
    "\tmov.u64 \t%rd475, %rd68;\n"
    "\n"
    "$L__BB2_57:\n"
    "\tadd.s64 \t%rd240, %rd475, %rd20;\n"
    "\tadd.s64 \t%rd241, %rd1, %rd240;\n"
    "\tld.global.u8 \t%r106, [%rd241];\n"
    "\tsetp.lt.u32 \t%p76, %r106, 33;\n"
    "\tadd.s32 \t%r107, %r106, -33;\n"
    "\tselp.b32 \t%r108, 0, %r107, %p76;\n"
    "\tmin.u32 \t%r109, %r108, 93;\n"
    "\tcvt.u64.u32 \t%rd242, %r109;\n"
    "\tadd.s64 \t%rd243, %rd476, %rd5;\n"
    "\tsub.s64 \t%rd244, %rd243, %rd242;\n"
    "\tld.global.u8 \t%r110, [%rd241+1];\n"
    "\tsetp.lt.u32 \t%p77, %r110, 33;\n"
    "\tadd.s32 \t%r111, %r110, -33;\n"
    "\tselp.b32 \t%r112, 0, %r111, %p77;\n"
    "\tmin.u32 \t%r113, %r112, 93;\n"
    "\tcvt.u64.u32 \t%rd245, %r113;\n"
    "\tadd.s64 \t%rd246, %rd244, %rd5;\n"
    "\tsub.s64 \t%rd247, %rd246, %rd245;\n"
    "\tld.global.u8 \t%r114, [%rd241+2];\n"
    "\tsetp.lt.u32 \t%p78, %r114, 33;\n"
    "\tadd.s32 \t%r115, %r114, -33;\n"
    "\tselp.b32 \t%r116, 0, %r115, %p78;\n"
    "\tmin.u32 \t%r117, %r116, 93;\n"
    "\tcvt.u64.u32 \t%rd248, %r117;\n"
    "\tadd.s64 \t%rd249, %rd247, %rd5;\n"
    "\tsub.s64 \t%rd250, %rd249, %rd248;\n"
    "\tld.global.u8 \t%r118, [%rd241+3];\n"
    "\tsetp.lt.u32 \t%p79, %r118, 33;\n"
    "\tadd.s32 \t%r119, %r118, -33;\n"
    "\tselp.b32 \t%r120, 0, %r119, %p79;\n"
    "\tmin.u32 \t%r121, %r120, 93;\n"
    "\tcvt.u64.u32 \t%rd251, %r121;\n"
    "\tadd.s64 \t%rd252, %rd250, %rd5;\n"
    "\tsub.s64 \t%rd476, %rd252, %rd251;\n"
    "\tadd.s64 \t%rd475, %rd475, 4;\n"
    "\tadd.s64 \t%rd472, %rd472, -4;\n"
    "\tsetp.ne.s64 \t%p80, %rd472, 0;\n"
    "\t@%p80 bra \t$L__BB2_57;\n"
    "\n"
    "$L__BB2_58:\n"
    "\tsetp.eq.s64 \t%p81, %rd71, 0;\n"
    "\t@%p81 bra \t$L__BB2_62;\n"
    "\n"
    "\tadd.s64 \t%rd253, %rd475, %rd20;\n"
    "\tadd.s64 \t%rd82, %rd1, %rd253;\n"
    "\tld.global.u8 \t%r122, [%rd82];\n"
    "\tsetp.lt.u32 \t%p82, %r122, 33;\n"
    "\tadd.s32 \t%r123, %r122, -33;\n"
    "\tselp.b32 \t%r124, 0, %r123, %p82;\n"
    "\tmin.u32 \t%r125, %r124, 93;\n"
    "\tcvt.u64.u32 \t%rd254, %r125;\n"
    "\tadd.s64 \t%rd255, %rd476, %rd5;\n"
    "\tsub.s64 \t%rd476, %rd255, %rd254;\n"
    "\tsetp.eq.s64 \t%p83, %rd71, 1;\n"
    "\t@%p83 bra \t$L__BB2_62;\n"
    "\n"
    "\tld.global.u8 \t%r126, [%rd82+1];\n"
    "\tsetp.lt.u32 \t%p84, %r126, 33;\n"
    "\tadd.s32 \t%r127, %r126, -33;\n"
    "\tselp.b32 \t%r128, 0, %r127, %p84;\n"
    "\tmin.u32 \t%r129, %r128, 93;\n"
    "\tcvt.u64.u32 \t%rd256, %r129;\n"
    "\tadd.s64 \t%rd257, %rd476, %rd5;\n"
    "\tsub.s64 \t%r",
    "d476, %rd257, %rd256;\n"
    "\tsetp.eq.s64 \t%p85, %rd71, 2;\n"
    "\t@%p85 bra \t$L__BB2_62;\n"
    "\n"
    "\tld.global.u8 \t%r130, [%rd82+2];\n"
    "\tsetp.lt.u32 \t%p86, %r130, 33;\n"
    "\tadd.s32 \t%r131, %r130, -33;\n"
    "\tselp.b32 \t%r132, 0, %r131, %p86;\n"
    "\tmin.u32 \t%r133, %r132, 93;\n"
    "\tcvt.u64.u32 \t%rd258, %r133;\n"
    "\tadd.s64 \t%rd259, %rd476, %rd5;\n"
    "\tsub.s64 \t%rd476, %rd259, %rd258;\n"
    "\n"
    "$L__BB2_62:\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r134,%r135}, %rd476;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r158, 0;\n"
    "\tmov.u32 \t%r159, 1;\n"
    "\tmov.u32 \t%r160, -1;\n"
    "\tshfl.sync.up.b32 \t%r137|%p87, %r135, %r159, %r158, %r160;\n"
    "\tshfl.sync.up.b32 \t%r136|%p88, %r134, %r159, %r158, %r160;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd261, {%r136,%r137};\n"
    "\t// end inline asm\n"
    "\tsetp.eq.s32 \t%p89, %r1, 0;\n"
    "\tselp.b64 \t%rd275, 0, %rd261, %p89;\n"
    "\tadd.s64 \t%rd262, %rd275, %rd476;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r138,%r139}, %rd262;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r161, 2;\n"
    "\tshfl.sync.up.b32 \t%r141|%p90, %r139, %r161, %r158, %r160;\n"
    "\tshfl.sync.up.b32 \t%r140|%p91, %r138, %r161, %r158, %r160;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd263, {%r140,%r141};\n"
    "\t// end inline asm\n"
    "\tsetp.lt.u32 \t%p92, %r1, 2;\n"
    "\tselp.b64 \t%rd276, 0, %rd263, %p92;\n"
    "\tadd.s64 \t%rd264, %rd276, %rd262;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r142,%r143}, %rd264;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r162, 4;\n"
    "\tshfl.sync.up.b32 \t%r145|%p93, %r143, %r162, %r158, %r160;\n"
    "\tshfl.sync.up.b32 \t%r144|%p94, %r142, %r162, %r158, %r160;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd265, {%r144,%r145};\n"
    "\t// end inline asm\n"
    "\tsetp.lt.u32 \t%p95, %r1, 4;\n"
    "\tselp.b64 \t%rd277, 0, %rd265, %p95;\n"
    "\tadd.s64 \t%rd266, %rd277, %rd264;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r146,%r147}, %rd266;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r163, 8;\n"
    "\tshfl.sync.up.b32 \t%r149|%p96, %r147, %r163, %r158, %r160;\n"
    "\tshfl.sync.up.b32 \t%r148|%p97, %r146, %r163, %r158, %r160;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd267, {%r148,%r149};\n"
    "\t// end inline asm\n"
    "\tsetp.lt.u32 \t%p98, %r1, 8;\n"
    "\tselp.b64 \t%rd278, 0, %rd267, %p98;\n"
    "\tadd.s64 \t%rd268, %rd278, %rd266;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r150,%r151}, %rd268;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r164, 16;\n"
    "\tshfl.sync.up.b32 \t%r153|%p99, %r151, %r164, %r158, %r160;\n"
    "\tshfl.sync.up.b32 \t%r152|%p100, %r150, %r164, %r158, %r160;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd269, {%r152,%r153};\n"
    "\t// end inline asm\n"
    "\tsetp.lt.u32 \t%p101, %r1, 16;\n"
    "\tselp.b64 \t%rd279, 0, %rd269, %p101;\n"
    "\tadd.s64 \t%rd270, %rd279, %rd268;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r154,%r155}, %rd270;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r165, 31;\n"
    "\tshfl.sync.idx.b32 \t%r157|%p102, %r155, %r165, %r165, %r160;\n"
    "\tshfl.sync.idx.b32 \t%r156|%p103, %r154, %r165, %r165, %r160;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd271, {%r156,%r157};\n"
    "\t// end inline asm\n"
    "\tsub.s64 \t%rd478, %rd271, %rd270;\n"
    "\tmov.u64 \t%rd482, %rd481;\n"
    "\tmov.u64 \t%rd483, %rd481;\n"
    "\t@%p74 bra \t$L__BB2_66;\n"
    "\n"
    "\tmov.u64 \t%rd482, 0;\n"
    "\tmov.u64 \t%rd481, %rd482;\n"
    "\tmov.u64 \t%rd480, %rd69;\n"
    "\n"
    "$L__BB2_64:\n"
    "\tadd.s64 \t%rd282, %rd480, %rd20;\n"
    "\tadd.s64 \t%rd283, %rd1, %rd282;\n"
    "\tld.global.u8 \t%r166, [%rd283+-1];\n"
    "\tsetp.lt.u32 \t%p105, %r166, 33;\n"
    "\tadd.s32 \t%r167, %r166, -33;\n"
    "\tselp.b32 \t%r168, 0, %r167, %p105;\n"
    "\tmin.u32 \t%r169, %r168, 93;\n"
    "\tcvt.u64.u32 \t%rd284, %r169;\n"
    "\tsub.s64 \t%rd285, %rd5, %rd284;\n"
    "\tadd.s64 \t%rd478, %rd285, %rd478;\n"
    "\tsetp.lt.s64 \t%p106, %rd478, 0;\n"
    "\tmov.u64 \t%rd483, %rd480;\n"
    "\t@%p106 bra \t$L__BB2_66;\n"
    "\n"
    "\tsetp.gt.s64 \t%p107, %rd478, %rd482;\n"
    "\tadd.s64 \t%rd480, %rd480, -1;\n"
    "\tselp.b64 \t%rd481, %rd480, %rd481, %p107;\n"
    "\tmax.s64 \t%rd482, %rd478, %rd482;\n"
    "\tsetp.gt.u64 \t%p108, %rd480, %rd68;\n"
    "\tmov.u64 \t%rd483, 0;\n"
    "\t@%p108 bra \t$L__BB2_64;\n"
    "\n"
    "$L__BB2_66:\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r170,%r171}, %rd483;\n"
    "\t// end inline asm\n"
    "\tshfl.sync.bfly.b32 \t%r173|%p109, %r171, %r164, %r165, %r160;\n"
    "\tshfl.sync.bfly.b32 \t%r172|%p110, %r170, %r164, %r165, %r160;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd288, {%r172,%r173};\n"
    "\t// end inline asm\n"
    "\tmax.",
    "u64 \t%rd289, %rd288, %rd483;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r174,%r175}, %rd289;\n"
    "\t// end inline asm\n"
    "\tshfl.sync.bfly.b32 \t%r177|%p111, %r175, %r163, %r165, %r160;\n"
    "\tshfl.sync.bfly.b32 \t%r176|%p112, %r174, %r163, %r165, %r160;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd290, {%r176,%r177};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd291, %rd290, %rd289;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r178,%r179}, %rd291;\n"
    "\t// end inline asm\n"
    "\tshfl.sync.bfly.b32 \t%r181|%p113, %r179, %r162, %r165, %r160;\n"
    "\tshfl.sync.bfly.b32 \t%r180|%p114, %r178, %r162, %r165, %r160;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd292, {%r180,%r181};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd293, %rd292, %rd291;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r182,%r183}, %rd293;\n"
    "\t// end inline asm\n"
    "\tshfl.sync.bfly.b32 \t%r185|%p115, %r183, %r161, %r165, %r160;\n"
    "\tshfl.sync.bfly.b32 \t%r184|%p116, %r182, %r161, %r165, %r160;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd294, {%r184,%r185};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd295, %rd294, %rd293;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r186,%r187}, %rd295;\n"
    "\t// end inline asm\n"
    "\tshfl.sync.bfly.b32 \t%r189|%p117, %r187, %r159, %r165, %r160;\n"
    "\tshfl.sync.bfly.b32 \t%r188|%p118, %r186, %r159, %r165, %r160;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd296, {%r188,%r189};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd297, %rd296, %rd295;\n"
    "\tsetp.gt.u64 \t%p119, %rd69, %rd297;\n"
    "\tselp.b64 \t%rd99, %rd482, 0, %p119;\n"
    "\tsetp.lt.u64 \t%p120, %rd21, 67108864;\n"
    "\t@%p120 bra \t$L__BB2_69;\n"
    "\tbra.uni \t$L__BB2_67;\n"
    "\n"
    "$L__BB2_69:\n"
    "\tsetp.gt.s64 \t%p143, %rd99, 0;\n"
    "\tshl.b64 \t%rd330, %rd99, 26;\n"
    "\tor.b64  \t%rd331, %rd330, %rd481;\n"
    "\tselp.b64 \t%rd320, %rd331, 0, %p143;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r251,%r252}, %rd320;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r271, 31;\n"
    "\tmov.u32 \t%r272, 16;\n"
    "\tmov.u32 \t%r273, -1;\n"
    "\tshfl.sync.bfly.b32 \t%r254|%p144, %r252, %r272, %r271, %r273;\n"
    "\tshfl.sync.bfly.b32 \t%r253|%p145, %r251, %r272, %r271, %r273;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd321, {%r253,%r254};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd322, %rd321, %rd320;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r255,%r256}, %rd322;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r274, 8;\n"
    "\tshfl.sync.bfly.b32 \t%r258|%p146, %r256, %r274, %r271, %r273;\n"
    "\tshfl.sync.bfly.b32 \t%r257|%p147, %r255, %r274, %r271, %r273;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd323, {%r257,%r258};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd324, %rd323, %rd322;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r259,%r260}, %rd324;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r275, 4;\n"
    "\tshfl.sync.bfly.b32 \t%r262|%p148, %r260, %r275, %r271, %r273;\n"
    "\tshfl.sync.bfly.b32 \t%r261|%p149, %r259, %r275, %r271, %r273;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd325, {%r261,%r262};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd326, %rd325, %rd324;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r263,%r264}, %rd326;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r276, 2;\n"
    "\tshfl.sync.bfly.b32 \t%r266|%p150, %r264, %r276, %r271, %r273;\n"
    "\tshfl.sync.bfly.b32 \t%r265|%p151, %r263, %r276, %r271, %r273;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd327, {%r265,%r266};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd328, %rd327, %rd326;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r267,%r268}, %rd328;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r277, 1;\n"
    "\tshfl.sync.bfly.b32 \t%r270|%p152, %r268, %r277, %r271, %r273;\n"
    "\tshfl.sync.bfly.b32 \t%r269|%p153, %r267, %r277, %r271, %r273;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd329, {%r269,%r270};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd332, %rd329, %rd328;\n"
    "\tsetp.eq.s64 \t%p154, %rd332, 0;\n"
    "\tand.b64  \t%rd333, %rd332, 67108863;\n"
    "\tselp.b64 \t%rd501, %rd21, %rd333, %p154;\n"
    "\tbra.uni \t$L__BB2_70;\n"
    "\n"
    "$L__BB2_67:\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r197,%r198}, %rd99;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r217, 31;\n"
    "\tmov.u32 \t%r218, 16;\n"
    "\tmov.u32 \t%r219, -1;\n"
    "\tshfl.sync.bfly.b32 \t%r200|%p121, %r198, %r218, %r217, %r219;\n"
    "\tshfl.sync.bfly.b32 \t%r199|%p122, %r197, %r218, %r217, %r219;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd299, {%r199,%r200};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd300, %rd299, %rd99;\n"
    "\t// begin inlin",
    "e asm\n"
    "\tmov.b64 {%r201,%r202}, %rd300;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r220, 8;\n"
    "\tshfl.sync.bfly.b32 \t%r204|%p123, %r202, %r220, %r217, %r219;\n"
    "\tshfl.sync.bfly.b32 \t%r203|%p124, %r201, %r220, %r217, %r219;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd301, {%r203,%r204};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd302, %rd301, %rd300;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r205,%r206}, %rd302;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r221, 4;\n"
    "\tshfl.sync.bfly.b32 \t%r208|%p125, %r206, %r221, %r217, %r219;\n"
    "\tshfl.sync.bfly.b32 \t%r207|%p126, %r205, %r221, %r217, %r219;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd303, {%r207,%r208};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd304, %rd303, %rd302;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r209,%r210}, %rd304;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r222, 2;\n"
    "\tshfl.sync.bfly.b32 \t%r212|%p127, %r210, %r222, %r217, %r219;\n"
    "\tshfl.sync.bfly.b32 \t%r211|%p128, %r209, %r222, %r217, %r219;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd305, {%r211,%r212};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd306, %rd305, %rd304;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r213,%r214}, %rd306;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r223, 1;\n"
    "\tshfl.sync.bfly.b32 \t%r216|%p129, %r214, %r223, %r217, %r219;\n"
    "\tshfl.sync.bfly.b32 \t%r215|%p130, %r213, %r223, %r217, %r219;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd307, {%r215,%r216};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd100, %rd307, %rd306;\n"
    "\tsetp.eq.s64 \t%p131, %rd100, 0;\n"
    "\tmov.u64 \t%rd501, %rd21;\n"
    "\t@%p131 bra \t$L__BB2_70;\n"
    "\n"
    "\tsetp.eq.s64 \t%p132, %rd99, %rd100;\n"
    "\tadd.s64 \t%rd318, %rd481, 1;\n"
    "\tselp.b64 \t%rd308, %rd318, 0, %p132;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r224,%r225}, %rd308;\n"
    "\t// end inline asm\n"
    "\tshfl.sync.bfly.b32 \t%r227|%p133, %r225, %r218, %r217, %r219;\n"
    "\tshfl.sync.bfly.b32 \t%r226|%p134, %r224, %r218, %r217, %r219;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd309, {%r226,%r227};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd310, %rd309, %rd308;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r228,%r229}, %rd310;\n"
    "\t// end inline asm\n"
    "\tshfl.sync.bfly.b32 \t%r231|%p135, %r229, %r220, %r217, %r219;\n"
    "\tshfl.sync.bfly.b32 \t%r230|%p136, %r228, %r220, %r217, %r219;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd311, {%r230,%r231};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd312, %rd311, %rd310;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r232,%r233}, %rd312;\n"
    "\t// end inline asm\n"
    "\tshfl.sync.bfly.b32 \t%r235|%p137, %r233, %r221, %r217, %r219;\n"
    "\tshfl.sync.bfly.b32 \t%r234|%p138, %r232, %r221, %r217, %r219;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd313, {%r234,%r235};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd314, %rd313, %rd312;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r236,%r237}, %rd314;\n"
    "\t// end inline asm\n"
    "\tshfl.sync.bfly.b32 \t%r239|%p139, %r237, %r222, %r217, %r219;\n"
    "\tshfl.sync.bfly.b32 \t%r238|%p140, %r236, %r222, %r217, %r219;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd315, {%r238,%r239};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd316, %rd315, %rd314;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r240,%r241}, %rd316;\n"
    "\t// end inline asm\n"
    "\tshfl.sync.bfly.b32 \t%r243|%p141, %r241, %r223, %r217, %r219;\n"
    "\tshfl.sync.bfly.b32 \t%r242|%p142, %r240, %r223, %r217, %r219;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd317, {%r242,%r243};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd319, %rd317, %rd316;\n"
    "\tadd.s64 \t%rd501, %rd319, -1;\n"
    "\n"
    "$L__BB2_70:\n"
    "\tld.param.u32 \t%r450, [fqp_k_trim_param_7];\n"
    "\tsetp.lt.s32 \t%p155, %r450, 1;\n"
    "\tmov.u64 \t%rd500, 0;\n"
    "\t@%p155 bra \t$L__BB2_88;\n"
    "\n"
    "\tmov.u64 \t%rd496, 0;\n"
    "\tmov.u64 \t%rd491, %rd496;\n"
    "\t@%p74 bra \t$L__BB2_79;\n"
    "\n"
    "\tadd.s64 \t%rd456, %rd21, 31;\n"
    "\tshr.u64 \t%rd455, %rd456, 5;\n"
    "\tadd.s64 \t%rd338, %rd20, -2;\n"
    "\tmov.u64 \t%rd339, -2;\n"
    "\tsub.s64 \t%rd340, %rd338, %rd19;\n"
    "\tnot.b64 \t%rd341, %rd19;\n"
    "\tadd.s64 \t%rd342, %rd20, %rd341;\n"
    "\tnot.b64 \t%rd343, %rd67;\n"
    "\tmax.u64 \t%rd344, %rd342, %rd343;\n"
    "\tsub.s64 \t%rd345, %rd340, %rd344;\n"
    "\tnot.b64 \t%rd346, %rd455;\n"
    "\tmax.u64 \t%rd347, %rd345, %rd346;\n"
    "\tnot.b64 \t%rd104, %rd347;\n"
    "\tsub.s64 \t%rd348, %rd339, %rd347;\n"
    "\tand.b64  \t%rd105, %rd104, 3;\n"
    "\tsetp.lt.u64 \t%p157, %rd348, 3;\n"
    "\tmov.u64 \t%rd491, 0;\n",
    "\tmov.u64 \t%rd490, %rd68;\n"
    "\t@%p157 bra \t$L__BB2_75;\n"
    "\n"
    "\tsub.s64 \t%rd487, %rd104, %rd105;\n"
    "\tmov.u64 \t%rd491, 0;\n"
    "\tmov.u64 \t%rd490, %rd68;\n"
    "\n"
    "$L__BB2_74:\n"
    "\tnot.b64 \t%rd350, %rd490;\n"
    "\tadd.s64 \t%rd351, %rd19, %rd350;\n"
    "\tadd.s64 \t%rd352, %rd1, %rd351;\n"
    "\tld.global.u8 \t%r278, [%rd352];\n"
    "\tsetp.lt.u32 \t%p158, %r278, 33;\n"
    "\tadd.s32 \t%r279, %r278, -33;\n"
    "\tselp.b32 \t%r280, 0, %r279, %p158;\n"
    "\tmin.u32 \t%r281, %r280, 93;\n"
    "\tcvt.u64.u32 \t%rd353, %r281;\n"
    "\tadd.s64 \t%rd354, %rd491, %rd9;\n"
    "\tsub.s64 \t%rd355, %rd354, %rd353;\n"
    "\tld.global.u8 \t%r282, [%rd352+-1];\n"
    "\tsetp.lt.u32 \t%p159, %r282, 33;\n"
    "\tadd.s32 \t%r283, %r282, -33;\n"
    "\tselp.b32 \t%r284, 0, %r283, %p159;\n"
    "\tmin.u32 \t%r285, %r284, 93;\n"
    "\tcvt.u64.u32 \t%rd356, %r285;\n"
    "\tadd.s64 \t%rd357, %rd355, %rd9;\n"
    "\tsub.s64 \t%rd358, %rd357, %rd356;\n"
    "\tld.global.u8 \t%r286, [%rd352+-2];\n"
    "\tsetp.lt.u32 \t%p160, %r286, 33;\n"
    "\tadd.s32 \t%r287, %r286, -33;\n"
    "\tselp.b32 \t%r288, 0, %r287, %p160;\n"
    "\tmin.u32 \t%r289, %r288, 93;\n"
    "\tcvt.u64.u32 \t%rd359, %r289;\n"
    "\tadd.s64 \t%rd360, %rd358, %rd9;\n"
    "\tsub.s64 \t%rd361, %rd360, %rd359;\n"
    "\tld.global.u8 \t%r290, [%rd352+-3];\n"
    "\tsetp.lt.u32 \t%p161, %r290, 33;\n"
    "\tadd.s32 \t%r291, %r290, -33;\n"
    "\tselp.b32 \t%r292, 0, %r291, %p161;\n"
    "\tmin.u32 \t%r293, %r292, 93;\n"
    "\tcvt.u64.u32 \t%rd362, %r293;\n"
    "\tadd.s64 \t%rd363, %rd361, %rd9;\n"
    "\tsub.s64 \t%rd491, %rd363, %rd362;\n"
    "\tadd.s64 \t%rd490, %rd490, 4;\n"
    "\tadd.s64 \t%rd487, %rd487, -4;\n"
    "\tsetp.ne.s64 \t%p162, %rd487, 0;\n"
    "\t@%p162 bra \t$L__BB2_74;\n"
    "\n"
    "$L__BB2_75:\n"
    "\tsetp.eq.s64 \t%p163, %rd105, 0;\n"
    "\t@%p163 bra \t$L__BB2_79;\n"
    "\n"
    "\tnot.b64 \t%rd364, %rd490;\n"
    "\tadd.s64 \t%rd365, %rd19, %rd364;\n"
    "\tadd.s64 \t%rd116, %rd1, %rd365;\n"
    "\tld.global.u8 \t%r294, [%rd116];\n"
    "\tsetp.lt.u32 \t%p164, %r294, 33;\n"
    "\tadd.s32 \t%r295, %r294, -33;\n"
    "\tselp.b32 \t%r296, 0, %r295, %p164;\n"
    "\tmin.u32 \t%r297, %r296, 93;\n"
    "\tcvt.u64.u32 \t%rd366, %r297;\n"
    "\tadd.s64 \t%rd367, %rd491, %rd9;\n"
    "\tsub.s64 \t%rd491, %rd367, %rd366;\n"
    "\tsetp.eq.s64 \t%p165, %rd105, 1;\n"
    "\t@%p165 bra \t$L__BB2_79;\n"
    "\n"
    "\tld.global.u8 \t%r298, [%rd116+-1];\n"
    "\tsetp.lt.u32 \t%p166, %r298, 33;\n"
    "\tadd.s32 \t%r299, %r298, -33;\n"
    "\tselp.b32 \t%r300, 0, %r299, %p166;\n"
    "\tmin.u32 \t%r301, %r300, 93;\n"
    "\tcvt.u64.u32 \t%rd368, %r301;\n"
    "\tadd.s64 \t%rd369, %rd491, %rd9;\n"
    "\tsub.s64 \t%rd491, %rd369, %rd368;\n"
    "\tsetp.eq.s64 \t%p167, %rd105, 2;\n"
    "\t@%p167 bra \t$L__BB2_79;\n"
    "\n"
    "\tld.global.u8 \t%r302, [%rd116+-2];\n"
    "\tsetp.lt.u32 \t%p168, %r302, 33;\n"
    "\tadd.s32 \t%r303, %r302, -33;\n"
    "\tselp.b32 \t%r304, 0, %r303, %p168;\n"
    "\tmin.u32 \t%r305, %r304, 93;\n"
    "\tcvt.u64.u32 \t%rd370, %r305;\n"
    "\tadd.s64 \t%rd371, %rd491, %rd9;\n"
    "\tsub.s64 \t%rd491, %rd371, %rd370;\n"
    "\n"
    "$L__BB2_79:\n"
    "\tsetp.lt.u32 \t%p244, %r1, 16;\n"
    "\tsetp.lt.u32 \t%p243, %r1, 8;\n"
    "\tsetp.lt.u32 \t%p242, %r1, 4;\n"
    "\tsetp.lt.u32 \t%p241, %r1, 2;\n"
    "\tsetp.eq.s32 \t%p240, %r1, 0;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r306,%r307}, %rd491;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r330, 0;\n"
    "\tmov.u32 \t%r331, 1;\n"
    "\tmov.u32 \t%r332, -1;\n"
    "\tshfl.sync.up.b32 \t%r309|%p169, %r307, %r331, %r330, %r332;\n"
    "\tshfl.sync.up.b32 \t%r308|%p170, %r306, %r331, %r330, %r332;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd373, {%r308,%r309};\n"
    "\t// end inline asm\n"
    "\tselp.b64 \t%rd387, 0, %rd373, %p240;\n"
    "\tadd.s64 \t%rd374, %rd387, %rd491;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r310,%r311}, %rd374;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r333, 2;\n"
    "\tshfl.sync.up.b32 \t%r313|%p172, %r311, %r333, %r330, %r332;\n"
    "\tshfl.sync.up.b32 \t%r312|%p173, %r310, %r333, %r330, %r332;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd375, {%r312,%r313};\n"
    "\t// end inline asm\n"
    "\tselp.b64 \t%rd388, 0, %rd375, %p241;\n"
    "\tadd.s64 \t%rd376, %rd388, %rd374;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r314,%r315}, %rd376;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r334, 4;\n"
    "\tshfl.sync.up.b32 \t%r317|%p175, %r315, %r334, %r330, %r332;\n"
    "\tshfl.sync.up.b32 \t%r316|%p176, %r314, %r334, %r330, %r332;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd377, {%r316,%r317};\n"
    "\t// end inline asm\n"
    "\tselp.b64 \t%rd389, 0, %rd377, %p242;\n"
    "\tadd.s64 \t%rd378, %rd389, ",
    "%rd376;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r318,%r319}, %rd378;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r335, 8;\n"
    "\tshfl.sync.up.b32 \t%r321|%p178, %r319, %r335, %r330, %r332;\n"
    "\tshfl.sync.up.b32 \t%r320|%p179, %r318, %r335, %r330, %r332;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd379, {%r320,%r321};\n"
    "\t// end inline asm\n"
    "\tselp.b64 \t%rd390, 0, %rd379, %p243;\n"
    "\tadd.s64 \t%rd380, %rd390, %rd378;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r322,%r323}, %rd380;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r336, 16;\n"
    "\tshfl.sync.up.b32 \t%r325|%p181, %r323, %r336, %r330, %r332;\n"
    "\tshfl.sync.up.b32 \t%r324|%p182, %r322, %r336, %r330, %r332;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd381, {%r324,%r325};\n"
    "\t// end inline asm\n"
    "\tselp.b64 \t%rd391, 0, %rd381, %p244;\n"
    "\tadd.s64 \t%rd382, %rd391, %rd380;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r326,%r327}, %rd382;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r337, 31;\n"
    "\tshfl.sync.idx.b32 \t%r329|%p184, %r327, %r337, %r337, %r332;\n"
    "\tshfl.sync.idx.b32 \t%r328|%p185, %r326, %r337, %r337, %r332;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd383, {%r328,%r329};\n"
    "\t// end inline asm\n"
    "\tsub.s64 \t%rd493, %rd383, %rd382;\n"
    "\tmov.u64 \t%rd497, %rd496;\n"
    "\tmov.u64 \t%rd498, %rd496;\n"
    "\t@%p74 bra \t$L__BB2_83;\n"
    "\n"
    "\tmov.u64 \t%rd497, 0;\n"
    "\tmov.u64 \t%rd496, %rd497;\n"
    "\tmov.u64 \t%rd495, %rd69;\n"
    "\n"
    "$L__BB2_81:\n"
    "\tsub.s64 \t%rd394, %rd19, %rd495;\n"
    "\tadd.s64 \t%rd395, %rd1, %rd394;\n"
    "\tld.global.u8 \t%r338, [%rd395];\n"
    "\tsetp.lt.u32 \t%p187, %r338, 33;\n"
    "\tadd.s32 \t%r339, %r338, -33;\n"
    "\tselp.b32 \t%r340, 0, %r339, %p187;\n"
    "\tmin.u32 \t%r341, %r340, 93;\n"
    "\tcvt.u64.u32 \t%rd396, %r341;\n"
    "\tsub.s64 \t%rd397, %rd9, %rd396;\n"
    "\tadd.s64 \t%rd493, %rd397, %rd493;\n"
    "\tsetp.lt.s64 \t%p188, %rd493, 0;\n"
    "\tmov.u64 \t%rd498, %rd495;\n"
    "\t@%p188 bra \t$L__BB2_83;\n"
    "\n"
    "\tsetp.gt.s64 \t%p189, %rd493, %rd497;\n"
    "\tadd.s64 \t%rd495, %rd495, -1;\n"
    "\tselp.b64 \t%rd496, %rd495, %rd496, %p189;\n"
    "\tmax.s64 \t%rd497, %rd493, %rd497;\n"
    "\tsetp.gt.u64 \t%p190, %rd495, %rd68;\n"
    "\tmov.u64 \t%rd498, 0;\n"
    "\t@%p190 bra \t$L__BB2_81;\n"
    "\n"
    "$L__BB2_83:\n"
    "\tsetp.lt.u64 \t%p245, %rd21, 67108864;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r342,%r343}, %rd498;\n"
    "\t// end inline asm\n"
    "\tshfl.sync.bfly.b32 \t%r345|%p191, %r343, %r336, %r337, %r332;\n"
    "\tshfl.sync.bfly.b32 \t%r344|%p192, %r342, %r336, %r337, %r332;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd400, {%r344,%r345};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd401, %rd400, %rd498;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r346,%r347}, %rd401;\n"
    "\t// end inline asm\n"
    "\tshfl.sync.bfly.b32 \t%r349|%p193, %r347, %r335, %r337, %r332;\n"
    "\tshfl.sync.bfly.b32 \t%r348|%p194, %r346, %r335, %r337, %r332;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd402, {%r348,%r349};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd403, %rd402, %rd401;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r350,%r351}, %rd403;\n"
    "\t// end inline asm\n"
    "\tshfl.sync.bfly.b32 \t%r353|%p195, %r351, %r334, %r337, %r332;\n"
    "\tshfl.sync.bfly.b32 \t%r352|%p196, %r350, %r334, %r337, %r332;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd404, {%r352,%r353};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd405, %rd404, %rd403;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r354,%r355}, %rd405;\n"
    "\t// end inline asm\n"
    "\tshfl.sync.bfly.b32 \t%r357|%p197, %r355, %r333, %r337, %r332;\n"
    "\tshfl.sync.bfly.b32 \t%r356|%p198, %r354, %r333, %r337, %r332;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd406, {%r356,%r357};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd407, %rd406, %rd405;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r358,%r359}, %rd407;\n"
    "\t// end inline asm\n"
    "\tshfl.sync.bfly.b32 \t%r361|%p199, %r359, %r331, %r337, %r332;\n"
    "\tshfl.sync.bfly.b32 \t%r360|%p200, %r358, %r331, %r337, %r332;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd408, {%r360,%r361};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd409, %rd408, %rd407;\n"
    "\tsetp.gt.u64 \t%p201, %rd69, %rd409;\n"
    "\tselp.b64 \t%rd133, %rd497, 0, %p201;\n"
    "\t@%p245 bra \t$L__BB2_86;\n"
    "\tbra.uni \t$L__BB2_84;\n"
    "\n"
    "$L__BB2_86:\n"
    "\tsetp.gt.s64 \t%p225, %rd133, 0;\n"
    "\tshl.b64 \t%rd442, %rd133, 26;\n"
    "\tor.b64  \t%rd443, %rd442, %rd496;\n"
    "\tselp.b64 \t%rd432, %rd443, 0, %p225;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r423,%r424}, %",
    "rd432;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r443, 31;\n"
    "\tmov.u32 \t%r444, 16;\n"
    "\tmov.u32 \t%r445, -1;\n"
    "\tshfl.sync.bfly.b32 \t%r426|%p226, %r424, %r444, %r443, %r445;\n"
    "\tshfl.sync.bfly.b32 \t%r425|%p227, %r423, %r444, %r443, %r445;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd433, {%r425,%r426};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd434, %rd433, %rd432;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r427,%r428}, %rd434;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r446, 8;\n"
    "\tshfl.sync.bfly.b32 \t%r430|%p228, %r428, %r446, %r443, %r445;\n"
    "\tshfl.sync.bfly.b32 \t%r429|%p229, %r427, %r446, %r443, %r445;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd435, {%r429,%r430};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd436, %rd435, %rd434;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r431,%r432}, %rd436;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r447, 4;\n"
    "\tshfl.sync.bfly.b32 \t%r434|%p230, %r432, %r447, %r443, %r445;\n"
    "\tshfl.sync.bfly.b32 \t%r433|%p231, %r431, %r447, %r443, %r445;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd437, {%r433,%r434};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd438, %rd437, %rd436;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r435,%r436}, %rd438;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r448, 2;\n"
    "\tshfl.sync.bfly.b32 \t%r438|%p232, %r436, %r448, %r443, %r445;\n"
    "\tshfl.sync.bfly.b32 \t%r437|%p233, %r435, %r448, %r443, %r445;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd439, {%r437,%r438};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd440, %rd439, %rd438;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r439,%r440}, %rd440;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r449, 1;\n"
    "\tshfl.sync.bfly.b32 \t%r442|%p234, %r440, %r449, %r443, %r445;\n"
    "\tshfl.sync.bfly.b32 \t%r441|%p235, %r439, %r449, %r443, %r445;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd441, {%r441,%r442};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd444, %rd441, %rd440;\n"
    "\tsetp.eq.s64 \t%p236, %rd444, 0;\n"
    "\tand.b64  \t%rd445, %rd444, 67108863;\n"
    "\tselp.b64 \t%rd499, %rd21, %rd445, %p236;\n"
    "\tbra.uni \t$L__BB2_87;\n"
    "\n"
    "$L__BB2_84:\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r369,%r370}, %rd133;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r389, 31;\n"
    "\tmov.u32 \t%r390, 16;\n"
    "\tmov.u32 \t%r391, -1;\n"
    "\tshfl.sync.bfly.b32 \t%r372|%p203, %r370, %r390, %r389, %r391;\n"
    "\tshfl.sync.bfly.b32 \t%r371|%p204, %r369, %r390, %r389, %r391;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd411, {%r371,%r372};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd412, %rd411, %rd133;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r373,%r374}, %rd412;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r392, 8;\n"
    "\tshfl.sync.bfly.b32 \t%r376|%p205, %r374, %r392, %r389, %r391;\n"
    "\tshfl.sync.bfly.b32 \t%r375|%p206, %r373, %r392, %r389, %r391;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd413, {%r375,%r376};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd414, %rd413, %rd412;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r377,%r378}, %rd414;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r393, 4;\n"
    "\tshfl.sync.bfly.b32 \t%r380|%p207, %r378, %r393, %r389, %r391;\n"
    "\tshfl.sync.bfly.b32 \t%r379|%p208, %r377, %r393, %r389, %r391;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd415, {%r379,%r380};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd416, %rd415, %rd414;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r381,%r382}, %rd416;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r394, 2;\n"
    "\tshfl.sync.bfly.b32 \t%r384|%p209, %r382, %r394, %r389, %r391;\n"
    "\tshfl.sync.bfly.b32 \t%r383|%p210, %r381, %r394, %r389, %r391;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd417, {%r383,%r384};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd418, %rd417, %rd416;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r385,%r386}, %rd418;\n"
    "\t// end inline asm\n"
    "\tmov.u32 \t%r395, 1;\n"
    "\tshfl.sync.bfly.b32 \t%r388|%p211, %r386, %r395, %r389, %r391;\n"
    "\tshfl.sync.bfly.b32 \t%r387|%p212, %r385, %r395, %r389, %r391;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd419, {%r387,%r388};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd134, %rd419, %rd418;\n"
    "\tsetp.eq.s64 \t%p213, %rd134, 0;\n"
    "\tmov.u64 \t%rd499, %rd21;\n"
    "\t@%p213 bra \t$L__BB2_87;\n"
    "\n"
    "\tsetp.eq.s64 \t%p214, %rd133, %rd134;\n"
    "\tadd.s64 \t%rd430, %rd496, 1;\n"
    "\tselp.b64 \t%rd420, %rd430, 0, %p214;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r396,%r397}, %rd420;\n"
    "\t// end inline asm\n"
    "\tshfl.sync.bfly.b32 \t%r399|%p215, %r397, %r390,",
    " %r389, %r391;\n"
    "\tshfl.sync.bfly.b32 \t%r398|%p216, %r396, %r390, %r389, %r391;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd421, {%r398,%r399};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd422, %rd421, %rd420;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r400,%r401}, %rd422;\n"
    "\t// end inline asm\n"
    "\tshfl.sync.bfly.b32 \t%r403|%p217, %r401, %r392, %r389, %r391;\n"
    "\tshfl.sync.bfly.b32 \t%r402|%p218, %r400, %r392, %r389, %r391;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd423, {%r402,%r403};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd424, %rd423, %rd422;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r404,%r405}, %rd424;\n"
    "\t// end inline asm\n"
    "\tshfl.sync.bfly.b32 \t%r407|%p219, %r405, %r393, %r389, %r391;\n"
    "\tshfl.sync.bfly.b32 \t%r406|%p220, %r404, %r393, %r389, %r391;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd425, {%r406,%r407};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd426, %rd425, %rd424;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r408,%r409}, %rd426;\n"
    "\t// end inline asm\n"
    "\tshfl.sync.bfly.b32 \t%r411|%p221, %r409, %r394, %r389, %r391;\n"
    "\tshfl.sync.bfly.b32 \t%r410|%p222, %r408, %r394, %r389, %r391;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd427, {%r410,%r411};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd428, %rd427, %rd426;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 {%r412,%r413}, %rd428;\n"
    "\t// end inline asm\n"
    "\tshfl.sync.bfly.b32 \t%r415|%p223, %r413, %r395, %r389, %r391;\n"
    "\tshfl.sync.bfly.b32 \t%r414|%p224, %r412, %r395, %r389, %r391;\n"
    "\t// begin inline asm\n"
    "\tmov.b64 %rd429, {%r414,%r415};\n"
    "\t// end inline asm\n"
    "\tmax.u64 \t%rd431, %rd429, %rd428;\n"
    "\tadd.s64 \t%rd499, %rd431, -1;\n"
    "\n"
    "$L__BB2_87:\n"
    "\tsub.s64 \t%rd446, %rd21, %rd499;\n"
    "\tsetp.ge.u64 \t%p237, %rd446, %rd501;\n"
    "\tselp.b64 \t%rd500, 0, %rd446, %p237;\n"
    "\tselp.b64 \t%rd501, 0, %rd501, %p237;\n"
    "\n"
    "$L__BB2_88:\n"
    "\tsetp.ne.s32 \t%p238, %r1, 0;\n"
    "\t@%p238 bra \t$L__BB2_90;\n"
    "\n"
    "\tshl.b64 \t%rd447, %rd457, 4;\n"
    "\tadd.s64 \t%rd448, %rd17, %rd447;\n"
    "\tst.global.u64 \t[%rd448], %rd500;\n"
    "\tst.global.u64 \t[%rd448+8], %rd501;\n"
    "\n"
    "$L__BB2_90:\n"
    "\tld.param.u64 \t%rd449, [fqp_k_trim_param_3];\n"
    "\tadd.s64 \t%rd457, %rd457, %rd14;\n"
    "\tsetp.lt.u64 \t%p239, %rd457, %rd449;\n"
    "\t@%p239 bra \t$L__BB2_2;\n"
    "\n"
    "$L__BB2_91:\n"
    "\tret;\n"
    "\n"
    "}\n"
    "\n",
    NULL
};
/* END EMBEDDED PTX */

/* The embedded PTX as NULL-terminated pieces (the first NULL when none). */
static const char *const *fqp__cuda_embedded_ptx(void) { return fqp__cuda_ptx; }

#endif /* FASTQPAR_CUDA_IMPLEMENTATION */

/*
------------------------------------------------------------------------------
This software is available under 2 licenses -- choose whichever you prefer.
------------------------------------------------------------------------------
ALTERNATIVE A - MIT License
Copyright (c) 2026 the fastqpar authors
Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:
The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
------------------------------------------------------------------------------
ALTERNATIVE B - Public Domain (www.unlicense.org)
This is free and unencumbered software released into the public domain.
Anyone is free to copy, modify, publish, use, compile, sell, or distribute this
software, either in source code form or as a compiled binary, for any purpose,
commercial or non-commercial, and by any means.
In jurisdictions that recognize copyright laws, the author or authors of this
software dedicate any and all copyright interest in the software to the public
domain. We make this dedication for the benefit of the public at large and to
the detriment of our heirs and successors. We intend this dedication to be an
overt act of relinquishment in perpetuity of all present and future rights to
this software under copyright law.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN
ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION
WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
------------------------------------------------------------------------------
*/
