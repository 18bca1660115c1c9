/* fastqpar.h - v0.1.0 - parallel FASTQ reading for C11 - public domain or MIT (see end of file)

   Reads FASTQ (plain or gzip) on one producer thread, cuts it into batches of
   whole records and hands the batches through a bounded queue to many consumer
   threads that run your code. One header, C11 threads, zlib.

   DO THIS in exactly one C file, before or after other includes:

       #define FASTQPAR_IMPLEMENTATION
       #include "fastqpar.h"

   Every other file includes "fastqpar.h" without the define. Link with -lz
   (unless FASTQPAR_NO_ZLIB) and, on older glibc, -lpthread.

   A COMPLETE EXAMPLE: count records and bases with every core.

       #define FASTQPAR_IMPLEMENTATION
       #include "fastqpar.h"
       #include <stdio.h>

       typedef struct { uint64_t records, bases; } count;

       static fqp_result on_batch(fqp_batch *b, void *state, void *user) {
           count *c = (count *)state;            // this consumer's own counts
           (void)user;
           c->records += b->count;
           c->bases += b->bases;
           return FQP_OK;                        // FQP_STOP ends the run early
       }
       static void on_merge(void *state, int consumer, void *user) {
           count *c = (count *)state, *total = (count *)user;
           (void)consumer;
           total->records += c->records;         // runs on the calling thread
           total->bases += c->bases;
       }
       int main(int argc, char **argv) {
           count total = {0, 0};
           fqp_pipeline_desc d = {0};             // zero means "defaults"
           fqp_error err;
           d.input.path = argc > 1 ? argv[1] : "-";  // plain or gzip, "-" = stdin
           d.state_size = sizeof(count);
           d.process = on_batch;
           d.merge = on_merge;
           d.user = &total;
           if (fqp_pipeline_run(&d, NULL, &err) < 0) {
               fprintf(stderr, "%s\n", err.message);  // file, record, line, byte
               return 1;
           }
           printf("%llu records, %llu bases\n",
                  (unsigned long long)total.records, (unsigned long long)total.bases);
           return 0;
       }

   CONFIGURATION MACROS (define before the #include that has FASTQPAR_IMPLEMENTATION)
       FASTQPAR_STATIC      every function static: private copy per C file
       FASTQPAR_NO_ZLIB     build without zlib; gzip input fails with FQP_ERR_NO_ZLIB
       FASTQPAR_MALLOC(sz), FASTQPAR_REALLOC(p,sz), FASTQPAR_FREE(p)
                            default allocator (all three or none); a run-time
                            allocator in fqp_config overrides them per object

   ENVIRONMENT (read in one place, fqp__config_resolve; a nonzero desc field wins)
       FASTQPAR_THREADS        consumer threads      (default: usable cores)
       FASTQPAR_BATCH_RECORDS  records per batch     (default 8192)
       FASTQPAR_BATCH_BYTES    input bytes per batch (default 1 MiB)
       FASTQPAR_QUEUE_DEPTH    batches in the queue  (default: threads, at least 2)

   WHAT IT DOES NOT DO
       FASTA, SAM/BAM, paired input (yet), writing compressed output (yet),
       seek or random access, guess at damaged input: bad input is an error.

   DESIGN: which thread runs what
       producer thread   reads bytes (inflating gzip), finds record boundaries
                         and the line structure of each record, fills a batch
                         and pushes it. It does no per-base work, so it stays
                         ahead of the consumers.
       consumer threads  pop a batch, parse it into structure-of-arrays
                         (names, sequences, qualities each contiguous),
                         validate letters and qualities, call your process()
                         with this consumer's own state, release the batch.
       calling thread    fqp_pipeline_run(): starts the threads, joins them,
                         calls merge() per consumer in consumer order.
       writer            with ordered output, the consumer that completes the
                         oldest pending batch writes it and every ready batch
                         after it, in input order, outside any lock.

   MEMORY BOUND
       Batches come from a pool of (queue_depth + threads + 1) batches that are
       recycled: after start-up nothing is allocated per batch. Each batch holds
       about 2 x batch_bytes (raw text plus the parsed arrays), so the peak is
       about (queue_depth + threads + 1) x 2 x batch_bytes whatever the input
       size. A record longer than batch_bytes grows its batch for that record;
       the batch shrinks back when recycled. config.max_record_bytes caps it.

   SHUTDOWN
       Normal end: the producer closes the queue; consumers drain it and see
       FQP_DONE. Early stop (process returns FQP_STOP) or any error (producer
       or consumer): the first error is recorded, both queues are cancelled,
       which wakes every thread blocked in them; each thread finishes the call
       it is in and returns; all threads are joined before fqp_pipeline_run
       returns. With ordered output, an early stop still writes every batch
       up to and including the one that stopped.

   ERRORS
       Functions that can fail return fqp_result: FQP_OK (0), a positive
       status (FQP_STOP, FQP_DONE, FQP_AGAIN) or a negative error. An fqp_error
       that the caller owns receives the code and a message naming file,
       record (1-based), line (1-based) and byte offset (0-based, of the
       uncompressed text). There is no global error state.

   THREAD SAFETY
       fqp_queue_*             all functions: any thread (destroy: once, last)
       fqp_producer_run        one thread (the producer)
       fqp_producer_next/release, fqp_producer_fail/stop, fqp_batch_error:
                               any number of consumer threads
       fqp_producer_read       the single-threaded alternative to run+next;
                               never mix it with run/next
       fqp_producer_create/destroy/metrics: one thread, before/after the others
       fqp_pipeline_run        any thread; runs are independent of each other
       fqp_batch_* accessors   the thread that holds the batch
       fqp_result_string, fqp_default_threads: any thread

   CHANGES: see README.md. LICENSE: end of file.
*/
#ifndef FASTQPAR_H
#define FASTQPAR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define FASTQPAR_VERSION_MAJOR 0
#define FASTQPAR_VERSION_MINOR 1
#define FASTQPAR_VERSION_PATCH 0
#define FASTQPAR_VERSION_STRING "0.1.0"

#ifdef FASTQPAR_STATIC
#define FASTQPAR_DEF static
#else
#define FASTQPAR_DEF extern
#endif

#if defined(__GNUC__) || defined(__clang__)
#define FQP_PRINTF_FORMAT(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define FQP_PRINTF_FORMAT(fmt, args)
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- results ---------------------------------------------------------- */

/* One list makes both the enum and fqp_result_string(). */
#define FQP_RESULT_LIST(X)                                                        \
    X(FQP_OK, 0, "ok")                                                            \
    X(FQP_STOP, 1, "stopped early")                                               \
    X(FQP_DONE, 2, "no more batches")                                             \
    X(FQP_AGAIN, 3, "nothing available yet")                                      \
    X(FQP_ERR_NOMEM, -1, "out of memory")                                         \
    X(FQP_ERR_INVALID_ARGUMENT, -2, "invalid argument")                           \
    X(FQP_ERR_OPEN, -3, "cannot open input")                                      \
    X(FQP_ERR_READ, -4, "read error")                                             \
    X(FQP_ERR_WRITE, -5, "write error")                                           \
    X(FQP_ERR_GZIP_CORRUPT, -6, "corrupt gzip data")                              \
    X(FQP_ERR_GZIP_TRUNCATED, -7, "truncated gzip data")                          \
    X(FQP_ERR_GZIP_TRAILING, -8, "unexpected bytes after gzip member")            \
    X(FQP_ERR_NO_ZLIB, -9, "gzip input but built without zlib")                   \
    X(FQP_ERR_MISSING_AT, -10, "record does not start with '@'")                  \
    X(FQP_ERR_MISSING_PLUS, -11, "missing '+' line")                              \
    X(FQP_ERR_LENGTH_MISMATCH, -12, "sequence and quality lengths differ")        \
    X(FQP_ERR_TRUNCATED_RECORD, -13, "input ends inside a record")                \
    X(FQP_ERR_PLUS_NAME_MISMATCH, -14, "name after '+' differs from the header")  \
    X(FQP_ERR_INVALID_BASE, -15, "invalid character in sequence")                 \
    X(FQP_ERR_INVALID_QUALITY, -16, "quality character out of range")             \
    X(FQP_ERR_RECORD_TOO_LONG, -17, "record longer than max_record_bytes")        \
    X(FQP_ERR_CANCELLED, -18, "cancelled")                                        \
    X(FQP_ERR_CONSUMER, -19, "consumer failed")                                   \
    X(FQP_ERR_THREAD, -20, "cannot create thread or lock")

typedef enum fqp_result {
#define FQP__ENUM(name, value, text) name = value,
    FQP_RESULT_LIST(FQP__ENUM)
#undef FQP__ENUM
    FQP_RESULT_FORCE_INT = 0x7fffffff
} fqp_result;

/* The short text of a result code; never NULL. */
FASTQPAR_DEF const char *fqp_result_string(fqp_result r);

#define FQP_ERROR_FILE_MAX 256
#define FQP_ERROR_MESSAGE_MAX 1024

/* Filled by a failing call. `message` is complete and self-contained, e.g.
   "reads.fq: record 3, line 11, byte 245: missing '+' line (found "ACGT")".
   line == 0 means the error has no location in the input. */
typedef struct fqp_error {
    fqp_result code;
    uint64_t record;                  /* 1-based record number, 0 if none */
    uint64_t line;                    /* 1-based line number, 0 if none */
    uint64_t offset;                  /* byte offset in the uncompressed text */
    char file[FQP_ERROR_FILE_MAX];    /* input name, "" if none */
    char message[FQP_ERROR_MESSAGE_MAX];
} fqp_error;

/* ---- configuration ---------------------------------------------------- */

/* A read callback returns the number of bytes stored in buf (at most size),
   0 at end of input, or a negative number on error (never EOF on error). */
typedef int64_t (*fqp_read_fn)(void *user, void *buf, size_t size);
/* A write callback returns 0 when all `size` bytes were written, else nonzero. */
typedef int (*fqp_write_fn)(void *user, const void *data, size_t size);

typedef enum fqp_log_level { FQP_LOG_ERROR = 1, FQP_LOG_WARN, FQP_LOG_INFO, FQP_LOG_DEBUG } fqp_log_level;
typedef void (*fqp_log_fn)(void *user, fqp_log_level level, const char *message);

/* Run-time allocator; alloc and free both set, or neither (then FASTQPAR_MALLOC).
   realloc is optional (alloc + copy + free is used without it). */
typedef struct fqp_allocator {
    void *(*alloc)(size_t size, void *user);
    void *(*realloc)(void *ptr, size_t old_size, size_t new_size, void *user);
    void (*free)(void *ptr, void *user);
    void *user;
} fqp_allocator;

/* Exactly one source must be set. Gzip is detected from the first two bytes
   read, never from the name, and nothing is re-read or seeked: pipes work. */
typedef struct fqp_input_desc {
    const char *path;        /* file path; "-" means stdin */
    FILE *file;              /* an open stream, read from where it is; not closed */
    const void *data;        /* a memory buffer of `size` bytes (plain or gzip) */
    size_t size;
    fqp_read_fn read;        /* a callback source */
    void *read_user;
    const char *name;        /* name in messages; default: path, "<stdin>", "<memory>", "<callback>" */
} fqp_input_desc;

typedef enum fqp_validation {
    FQP_VALIDATE_DEFAULT = 0, /* = FQP_VALIDATE_ALL */
    FQP_VALIDATE_NONE,        /* structure only: nothing per base is checked */
    FQP_VALIDATE_SEQUENCE,    /* letters: IUPAC codes in either case, '.', '-', '*' */
    FQP_VALIDATE_QUALITY,     /* qualities: '!' (Q0) to '~' (Q93) */
    FQP_VALIDATE_ALL          /* both */
} fqp_validation;

/* Shared settings of the producer and the pipeline. Zero means default. */
typedef struct fqp_config {
    int threads;               /* consumer threads (the producer is one more thread);
                                  default FASTQPAR_THREADS or usable cores (affinity, cgroup) */
    uint64_t batch_records;    /* max records per batch; default 8192 */
    uint64_t batch_bytes;      /* max input bytes per batch; default 1 MiB. A record
                                  longer than this travels alone in a bigger batch */
    size_t queue_depth;        /* batches waiting in the queue; default threads (>= 2) */
    size_t read_size;          /* bytes per read() of the input; default 1 MiB */
    uint64_t max_record_bytes; /* 0: no limit; else longer records are FQP_ERR_RECORD_TOO_LONG */
    fqp_validation validate;   /* default FQP_VALIDATE_ALL */
    int ignore_env;            /* nonzero: do not read FASTQPAR_* variables */
    fqp_allocator allocator;
    fqp_log_fn log;            /* no logging when NULL */
    void *log_user;
} fqp_config;

/* Ordered output: set `file` or `write` and every byte a consumer adds to a
   batch with fqp_batch_write() reaches it in input order. */
typedef struct fqp_output_desc {
    FILE *file;                /* written with fwrite, flushed at the end; not closed */
    fqp_write_fn write;
    void *write_user;
} fqp_output_desc;

/* ---- batches and records ---------------------------------------------- */

/* A batch of whole records in structure-of-arrays form. Every field is
   read-only. Record i (0-based within the batch):
     header  head + head_off[i] .. head + head_off[i+1]   (no '@', no newline)
     name    the first name_len[i] bytes of the header (up to the first blank)
     seq     seq  + seq_off[i]  .. seq  + seq_off[i+1]   (no newlines, no '\r')
     qual    qual + seq_off[i]  .. qual + seq_off[i+1]   (same length as seq)
   The arrays are not NUL-terminated per record. */
typedef struct fqp_batch {
    uint64_t index;            /* batch number: 0, 1, 2, ... in input order */
    uint64_t first_record;     /* 0-based index of record 0 in the whole input */
    uint64_t count;            /* records in this batch */
    uint64_t bases;            /* sum of sequence lengths (= quality lengths) */
    const char *head;
    const uint64_t *head_off;  /* count + 1 entries */
    const uint64_t *name_len;  /* count entries */
    const char *seq;
    const char *qual;
    const uint64_t *seq_off;   /* count + 1 entries, shared by seq and qual */
    uint64_t first_line;       /* 1-based line number of record 0 */
    uint64_t offset;           /* byte offset of record 0 in the uncompressed input */
    uint64_t text_bytes;       /* bytes of input text this batch covers */
    const char *file;          /* input name, for messages */
} fqp_batch;

/* One record, as views into its batch (valid while the batch is held). */
typedef struct fqp_record {
    const char *name;    uint64_t name_len;
    const char *comment; uint64_t comment_len;  /* after the first blank; may be empty */
    const char *seq;     const char *qual;      uint64_t len;
    uint64_t number;                            /* 1-based record number in the input */
} fqp_record;

FASTQPAR_DEF fqp_record fqp_batch_record(const fqp_batch *b, uint64_t i);

/* Ordered output: append bytes to this batch's output (see fqp_output_desc). */
FASTQPAR_DEF fqp_result fqp_batch_write(fqp_batch *b, const void *data, size_t size);
/* Append record i as four-line FASTQ ("@header\nseq\n+\nqual\n"). */
FASTQPAR_DEF fqp_result fqp_batch_write_record(fqp_batch *b, uint64_t i);

/* From a consumer: fail the whole run with an error located at record i of
   this batch (i == UINT64_MAX: the batch as a whole). The first error of a run
   wins. Returns `code`, so: return fqp_batch_error(b, i, FQP_ERR_CONSUMER, ...); */
FASTQPAR_DEF fqp_result fqp_batch_error(fqp_batch *b, uint64_t i, fqp_result code,
                                        const char *fmt, ...) FQP_PRINTF_FORMAT(4, 5);

/* ---- metrics ---------------------------------------------------------- */

#define FQP_MAX_THREADS 256

typedef struct fqp_consumer_metrics {
    uint64_t batches, records, bases;
    double busy_seconds;       /* parsing + process() */
    double wait_seconds;       /* blocked on an empty queue */
} fqp_consumer_metrics;

typedef struct fqp_metrics {
    uint64_t records, bases, batches;
    uint64_t input_bytes;              /* uncompressed text bytes */
    uint64_t compressed_bytes;         /* bytes read from the source (= input_bytes if plain) */
    int gzip;                          /* input was gzip */
    double wall_seconds;
    double producer_read_seconds;      /* reading + inflating */
    double producer_blocked_seconds;   /* waiting for a free batch or a queue slot */
    double consumer_wait_seconds;      /* sum over consumers, waiting on an empty queue */
    size_t queue_high_water;           /* most batches ever waiting in the queue */
    size_t batch_pool;                 /* batches allocated (<= queue_depth + threads + 1) */
    int threads;
    fqp_consumer_metrics consumer[FQP_MAX_THREADS];
} fqp_metrics;

/* ---- the queue: bounded, blocking, usable on its own --------------------- */

typedef struct fqp_queue fqp_queue;

/* capacity 0 = unbounded (push then only fails on out-of-memory). */
FASTQPAR_DEF fqp_result fqp_queue_create(fqp_queue **out, size_t capacity, const fqp_allocator *allocator);
FASTQPAR_DEF void fqp_queue_destroy(fqp_queue *q);
/* Blocks while full. Woken by a pop, close or cancel.
   FQP_OK, FQP_ERR_CANCELLED (cancelled or closed: the item was not queued), FQP_ERR_NOMEM. */
FASTQPAR_DEF fqp_result fqp_queue_push(fqp_queue *q, void *item);
/* Blocks while empty and open. Woken by a push, close or cancel.
   FQP_OK, FQP_DONE (closed and empty), FQP_ERR_CANCELLED. */
FASTQPAR_DEF fqp_result fqp_queue_pop(fqp_queue *q, void **item);
/* Never blocks: FQP_OK, FQP_AGAIN (empty, still open), FQP_DONE, FQP_ERR_CANCELLED. */
FASTQPAR_DEF fqp_result fqp_queue_try_pop(fqp_queue *q, void **item);
/* No more pushes; pops drain what is left, then return FQP_DONE. */
FASTQPAR_DEF void fqp_queue_close(fqp_queue *q);
/* Wakes every waiter; push and pop return FQP_ERR_CANCELLED from now on.
   Items still inside stay there for fqp_queue_try_pop_any or destroy. */
FASTQPAR_DEF void fqp_queue_cancel(fqp_queue *q);
/* Takes an item even after cancel (cleanup): FQP_OK or FQP_AGAIN. */
FASTQPAR_DEF fqp_result fqp_queue_try_pop_any(fqp_queue *q, void **item);
FASTQPAR_DEF size_t fqp_queue_depth(fqp_queue *q);
FASTQPAR_DEF size_t fqp_queue_high_water(fqp_queue *q);
/* Total seconds callers spent blocked in push and in pop. */
FASTQPAR_DEF void fqp_queue_wait_seconds(fqp_queue *q, double *push_seconds, double *pop_seconds);

/* ---- the producer: manual mode --------------------------------------- */

typedef struct fqp_producer fqp_producer;

typedef struct fqp_producer_desc {
    fqp_input_desc input;
    fqp_config config;         /* config.threads sizes the batch pool */
    fqp_output_desc output;    /* ordered output, optional */
} fqp_producer_desc;

/* Opens the input. Any thread; nothing runs until fqp_producer_run/read. */
FASTQPAR_DEF fqp_result fqp_producer_create(fqp_producer **out, const fqp_producer_desc *desc, fqp_error *err);
/* Producer thread: reads the whole input into the queue, then closes it.
   Returns FQP_OK at end of input, FQP_ERR_CANCELLED if stopped, or the error. */
FASTQPAR_DEF fqp_result fqp_producer_run(fqp_producer *p);
/* Consumer threads: the next batch, parsed (and validated) on this thread.
   FQP_OK, FQP_DONE at the end, or the run's first error (see fqp_producer_error).
   Every batch received must go back through fqp_producer_release. */
FASTQPAR_DEF fqp_result fqp_producer_next(fqp_producer *p, fqp_batch **batch);
/* Consumer threads: hands the batch back; with ordered output its bytes are
   written in input order. Returns an error if writing failed. */
FASTQPAR_DEF fqp_result fqp_producer_release(fqp_producer *p, fqp_batch *batch);
/* Single-threaded use: read, cut and parse the next batch on this thread.
   FQP_OK, FQP_DONE or an error. Release each batch before the next call. */
FASTQPAR_DEF fqp_result fqp_producer_read(fqp_producer *p, fqp_batch **batch);
/* Any thread: end the run with this error (the first one wins), wake everyone. */
FASTQPAR_DEF void fqp_producer_fail(fqp_producer *p, const fqp_error *err);
/* Any thread: end the run early and successfully; with ordered output every
   batch up to `last` (its index) is still written. */
FASTQPAR_DEF void fqp_producer_stop(fqp_producer *p, uint64_t last);
/* The run's first error: code FQP_OK if none. Valid after all threads stopped. */
FASTQPAR_DEF fqp_result fqp_producer_error(fqp_producer *p, fqp_error *err);
/* Finishes ordered output (flush) and fills metrics (may be NULL). Call after
   every thread is done, before destroy. */
FASTQPAR_DEF fqp_result fqp_producer_finish(fqp_producer *p, fqp_metrics *metrics, fqp_error *err);
FASTQPAR_DEF fqp_queue *fqp_producer_queue(fqp_producer *p);
FASTQPAR_DEF void fqp_producer_destroy(fqp_producer *p);

/* ---- the pipeline: one call ------------------------------------------- */

typedef struct fqp_pipeline_desc {
    fqp_input_desc input;
    fqp_config config;
    fqp_output_desc output;     /* ordered output, optional */
    size_t state_size;          /* bytes of per-consumer state, zeroed, cache-line aligned */
    void *user;
    /* consumer thread, before its first batch; an error ends the run */
    fqp_result (*init)(void *state, int consumer, void *user);
    /* consumer thread, once per batch: FQP_OK, FQP_STOP, or an error */
    fqp_result (*process)(fqp_batch *batch, void *state, void *user);
    /* calling thread, after every thread joined, consumer 0, 1, ...; skipped on error */
    void (*merge)(void *state, int consumer, void *user);
    /* calling thread, after merge, always (also on error) */
    void (*fini)(void *state, int consumer, void *user);
} fqp_pipeline_desc;

/* Runs producer and consumers to the end. FQP_OK, FQP_STOP (a consumer
   stopped early), or the first error, described in *err. metrics may be NULL. */
FASTQPAR_DEF fqp_result fqp_pipeline_run(const fqp_pipeline_desc *desc, fqp_metrics *metrics, fqp_error *err);

/* Usable cores: the process's CPU affinity and cgroup CPU quota, at least 1. */
FASTQPAR_DEF int fqp_default_threads(void);

#ifdef __cplusplus
}
#endif
#endif /* FASTQPAR_H */
