/* fastqpar.h - v0.1.0 - parallel FASTQ reading for C11 - public domain or MIT (see end of file)

   Reads FASTQ (plain, gzip or BGZF) on one producer thread, cuts it into
   batches of whole records and hands the batches through a bounded queue to
   many consumer threads that run your code. Single files, paired files in
   lockstep and interleaved files; writes FASTQ back (plain, gzip, BGZF in
   parallel) in input order. One header, C11 threads, zlib; ISA-L and
   libdeflate are loaded at run time when installed (see fqp_codec).

   DO THIS in exactly one C file, before or after other includes:

       #define FASTQPAR_IMPLEMENTATION
       #include "fastqpar.h"

   Every other file includes "fastqpar.h" without the define. Link with -lz
   (unless FASTQPAR_NO_ZLIB), and -lpthread -ldl (needed by glibc < 2.34).

   A COMPLETE EXAMPLE: count records and bases with every core.

       #define FASTQPAR_IMPLEMENTATION
       #include "fastqpar.h"
       #include <stdio.h>
       #include <string.h>

       typedef struct { uint64_t records, bases; } count;

       static fqp_result on_batch(fqp_batch *b, void *state, void *user) {
           count *c = (count *)state;            // this consumer's own counts
           (void)user;
           c->records += b->count;
           c->bases += b->bases;
           return FQP_OK;                        // FQP_STOP ends the run early
       }
       static fqp_result on_merge(void *state, int consumer, void *user) {
           count *c = (count *)state, *total = (count *)user;
           (void)consumer;
           total->records += c->records;         // runs on the calling thread
           total->bases += c->bases;
           return FQP_OK;
       }
       int main(int argc, char **argv) {
           count total = {0, 0};
           fqp_pipeline_desc d;
           fqp_error err;
           memset(&d, 0, sizeof d);               // zero means "defaults" (C and C++)
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
       FASTQPAR_USE_PTHREADS  pthreads instead of C11 <threads.h> (automatic on
                            Apple systems and under ThreadSanitizer)
       FASTQPAR_NO_SIMD     portable scalar loops instead of SSE2 and AVX2
       FASTQPAR_NO_AVX2     SSE2 only (AVX2 is otherwise used when the CPU has it)
       FASTQPAR_USE_ISAL    link ISA-L (-lisal; Debian libisal-dev) instead of loading
                            libisal.so.2 at run time (static binaries need this)
       FASTQPAR_USE_LIBDEFLATE  the same for libdeflate (-ldeflate; libdeflate-dev)
       FASTQPAR_NO_DLOPEN   never load ISA-L or libdeflate at run time (zlib, or what
                            FASTQPAR_USE_* links)
       FASTQPAR_DEFAULT_INFLATE, FASTQPAR_DEFAULT_DEFLATE  the backend a zero field
                            and an unset variable mean (default FQP_CODEC_AUTO)

   ENVIRONMENT (read in one place, fqp__config_resolve; a nonzero desc field wins)
       FASTQPAR_THREADS        consumer threads      (default: usable cores)
       FASTQPAR_BATCH_RECORDS  records per batch     (default 8192)
       FASTQPAR_BATCH_BYTES    input bytes per batch (default 1 MiB)
       FASTQPAR_QUEUE_DEPTH    batches in the queue  (default: threads, at least 2)
       FASTQPAR_INFLATE, FASTQPAR_DEFLATE  auto|zlib|isal|libdeflate (fqp_codec)
       FASTQPAR_PARALLEL_GZIP  0|off, 1|on, auto: ordinary gzip in chunks on
                               the consumers (config.parallel_gzip, >>pgzip)
       FASTQPAR_ISAL_LIBRARY, FASTQPAR_LIBDEFLATE_LIBRARY  the library file to load
                               (default libisal.so.2, libdeflate.so.0); read once
                               per process, when first needed

   WHAT IT DOES NOT DO
       FASTA, SAM/BAM, seek or random access (beyond splitting one plain or
       BGZF file into byte shards: see SHARDS), guess at damaged input: bad
       input is an error. Paired input does not (yet) take GPU consumers.
       fastqpar_cuda.h does not run before driver R410 or on pre-Turing GPUs (PTX ISA 6.3, sm_75).

   THE THREADS AND THE QUEUE
       source --> producer thread --push--> [bounded queue] --pop--> consumer threads 1..n
       (file,     reads, inflates gzip,      jobs: batches,          parse, validate,
        pipe,     cuts whole records         BGZF inflate work,      call process()
        memory)   into batches               pair slots                    |
                        ^                                                  v
                        +----- free batches (a fixed pool) <---- ordered release --> output,
                                                                                 in input order

   ENTRY POINTS, and the example that shows each
       fqp_pipeline_run    the one call: producer, consumers, merge    examples/fqcnt.c
       ordered output      fqp_output_desc / fqp_writer in a run       examples/ordered_writer.c
       fqp_paired_run      R1/R2(/I1) in lockstep, or interleaved      examples/paired_filter.c
       manual producer     fqp_producer_create/run/next/release        examples/manual_producer.c
       bare queue          fqp_queue_*, on its own                     tests/test_queue.c
       writer              fqp_writer_open/write/close, on its own     examples/ordered_writer.c
       GPU consumers       fastqpar_cuda.h                             examples/gpu_prefix_sum.c,
                                                                       examples/gpu_offload.c
       whole tools built on these: examples/tools/fqstats.c (seqkit stats, seqtk fqchk, FastQC
       numbers) and examples/tools/fqtrim.c (cutadapt-style trimming of single and paired files).
       ADVANCED: the holder protocol (fqp_producer_take/requeue/hold_begin/hold_end) is for
       consumers that keep several batches in flight, such as GPU consumers; a pipeline's
       process() never needs it.

   DESIGN: which thread runs what
       producer thread   reads bytes (inflating a gzip stream), finds record
                         boundaries and the line structure of each record,
                         fills a batch and pushes it. It does no per-base
                         work, so it stays ahead of the consumers.
       consumer threads  pop a job and switch on its kind. A batch: parse it
                         into structure-of-arrays (names, sequences,
                         qualities each contiguous), validate letters and
                         qualities, call your process() with this consumer's
                         own state, release the batch.
       calling thread    fqp_pipeline_run(): starts the threads, joins them,
                         calls merge() per consumer in consumer order.
       writer            with ordered output, the consumer that completes the
                         oldest pending batch writes it and every ready batch
                         after it, in input order, outside any lock.
       BGZF input        (bgzip output, detected from its first block) the
                         producer only frames it: whole blocks are grouped
                         into inflate jobs of ~1 MiB of text that go through
                         the same queue; a consumer that pops one inflates it
                         (checking each block's CRC and ISIZE) and pops again.
                         The producer takes their text in input order (running
                         a job itself if nobody has taken it yet) and cuts
                         records from it as from any stream, so records that
                         straddle blocks are stitched by the usual carry-over
                         and no thread is added.
       ordinary gzip     with config.parallel_gzip (AUTO: 4+ consumers on 4+
                         cores, zlib stream) the same way in chunks of compressed
                         bytes: consumers decode them without their window
                         (back-references kept as markers), the producer
                         stitches them in order and zlib redoes any chunk
                         that does not fit, so the text and every error are
                         the sequential path's (>>pgzip explains it).
       paired input      fqp_paired_run: one producer per file, all driven by
                         one lockstep thread that cuts file 1 by the batch
                         limits and every other file at exactly as many
                         records, and queues the pair slot. A consumer parses
                         every mate's batch, checks the names, calls
                         process(), compresses its BGZF output, and hands the
                         slot to the same ordered release, which writes each
                         output in order and then recycles the batches.
       One run engine serves both kinds of run: the same consumer threads,
       job dispatch, ordered release, merge, fini and metrics.

   MEMORY BOUND
       Batches come from a pool of (queue_depth + threads + 1) batches that are
       recycled: after start-up nothing is allocated per batch. Each batch holds
       about 2 x batch_bytes (raw text plus the parsed arrays), so the peak is
       about (queue_depth + threads + 1) x 2 x batch_bytes whatever the input
       size. A record longer than batch_bytes grows its batch for that record;
       the batch shrinks back when recycled. config.max_record_bytes caps it.
       Paired input keeps one such pool per file; a mate file's batch holds
       as many records as file 1's, whatever its bytes. Each pair slot keeps
       its output text (and its BGZF blocks) until written.
       BGZF input adds 2 x threads + 2 inflate jobs, each about 1 MiB of
       text plus its compressed blocks. Ordinary gzip in chunks adds
       threads + 2 chunks, each at most CHUNK + OVERLAP compressed bytes
       (512 + 256 KiB), 3 x 8 x CHUNK bytes of symbols and text (12 MiB) and
       a decoder (~150 KiB): about 13 MiB a chunk at most, whatever the
       compression ratio (more text in a chunk makes zlib redo it).

   SHUTDOWN
       - Normal end: the producer closes the queue; consumers drain it and
         see FQP_DONE. All threads are joined before a run returns.
       - Early stop (process returns FQP_STOP): both queues are cancelled,
         which wakes every thread blocked in them; each thread finishes the
         call it is in and returns. With ordered output every batch up to and
         including the one that stopped is still written.
       - An error located in batch k (bad input, fqp_batch_error): the
         producer stops, batches after k are skipped, batches up to k drain
         (at most the pool), and the error earliest in the input is the run's
         error, whatever the thread timing.
       - Other errors (write, allocation, fqp_producer_fail) cancel at once.
       - Records before a malformed record are always delivered first, also
         those in its batch (the batch is cut before it), so what a failed
         run processed does not depend on batch limits or timing.
       - A bad BGZF block (CRC, ISIZE, deflate data, size) is reported at the
         text offset where that block starts, after every record before it;
         BGZF text is checked before it is parsed, so a parse error in it is
         never blamed on a later corrupt block. Cut at a block boundary, BGZF
         is a valid shorter file (as gzip is at a member boundary).

   ERRORS
       Functions that can fail return fqp_result: FQP_OK (0), a positive
       status (FQP_STOP, FQP_DONE, FQP_AGAIN) or a negative error. An fqp_error
       that the caller owns receives the code and a message naming file,
       record (1-based), line (1-based) and byte offset (0-based, of the
       uncompressed text). There is no global error state.

   THREAD SAFETY
       fqp_queue_*             all functions: any thread (destroy: once, last)
       fqp_producer_run        one thread (the producer)
       fqp_producer_next/release, fqp_producer_fail/stop, fqp_batch_error,
       fqp_producer_take/requeue/hold_begin/hold_end (advanced: holders):
                               any number of consumer threads
       fqp_producer_read       the single-threaded alternative to run+next;
                               never mix it with run/next
       fqp_producer_create/destroy/metrics: one thread, before/after the others
       fqp_pipeline_run, fqp_paired_run: any thread; runs are independent
       fqp_pair_record/write/write_record: the consumer holding the pair
       fqp_writer_*            one thread at a time per writer; inside a run
                               only the ordered sink uses it
       fqp_batch_* accessors   the thread that holds the batch
       fqp_result_string, fqp_default_threads, fqp_config_resolve: any thread
       fqp_qual_prefix_sum, fqp_trim_read/batch: any thread
       fqp_qc_*                one thread per fqp_qc at a time (one per consumer)

   INDEX of the implementation (search for the tag, e.g. ">>run")
       The core path, in the order a record travels:
         >>threads >>results >>memory >>time >>errors >>config   the platform and the basics
         >>queue    the bounded queue            >>job      the kinds of queue item
         >>ordered  output in input order        >>seams    how the core reaches the blocks below
         >>reader   sources                      >>read     text from any source
         >>batch >>producer-state                >>scan     record boundaries
         >>fill     filling a batch              >>parse    a batch into arrays
         >>producer the public producer, and its internal interface
         >>accessors                             >>run      the run engine (consumers, dispatch)
         >>pipeline fqp_pipeline_run
       Optional blocks, each contiguous: skip any one and the core path still reads:
         >>codec    zlib, ISA-L, libdeflate      >>gzip     gzip streams
         >>pgzip    ordinary gzip inflated in chunks by the consumers
         >>bgzf-in  BGZF input                   >>writer   FASTQ writing
         >>paired   paired and interleaved runs  >>twins    QC/trim kernels, CPU twins of kernels.cu
         >>shard    one input split across processes (input.shard_index/shard_count)

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

#if defined(FASTQPAR_STATIC) && (defined(__GNUC__) || defined(__clang__))
#define FASTQPAR_DEF static __attribute__((unused)) /* a program need not use every function */
#elif defined(FASTQPAR_STATIC)
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
    X(FQP_ERR_THREAD, -20, "cannot create thread or lock")                       \
    X(FQP_ERR_NO_GPU, -21, "no usable GPU (no driver or no device)")              \
    X(FQP_ERR_CUDA, -22, "CUDA driver call failed")                               \
    X(FQP_ERR_PTX, -23, "cannot load the GPU kernels")                            \
    X(FQP_ERR_PAIR_COUNT, -24, "mate files have different numbers of records")    \
    X(FQP_ERR_PAIR_NAME, -25, "mate names differ")                               \
    X(FQP_ERR_NO_CODEC, -26, "requested compression library is not available")   \
    X(FQP_ERR_BLANK_LINE, -27, "blank line inside a record")                      \
    X(FQP_ERR_UNSUPPORTED_COMPRESSION, -28, "input compressed with xz, bzip2 or zstd") \
    X(FQP_ERR_SHARD, -29, "input cannot be sharded by bytes")

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
   "reads.fq: record 3, line 11, byte 245: expected the '+' line after the sequence, found "@r4"".
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
/* A seek callback (optional, beside a read callback) moves the source to
   `offset` bytes after where it started and returns 0, else nonzero. */
typedef int (*fqp_seek_fn)(void *user, uint64_t offset);
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
    fqp_seek_fn seek;        /* optional, with read: the source can go back, so a damaged
                                gzip member can be inflated again (see fqp_codec) */
    const char *name;        /* name in messages; default: path, "<stdin>", "<memory>", "<callback>" */
    uint64_t shard_index;    /* with shard_count > 1: read only shard shard_index (0-based) of */
    uint64_t shard_count;    /* shard_count byte shards; 0 or 1: the whole input (see SHARDS) */
} fqp_input_desc;

/* SHARDS: one input split across N processes (MPI ranks, Snakemake jobs), so
   that every record is read by exactly one of them. Shard I of N (input.
   shard_index = I, input.shard_count = N; N <= 2^32) owns the records whose
   first byte ('@') lies in its range:
     plain file   bytes [I*size/N, (I+1)*size/N) of the file;
     BGZF file    the text of the blocks whose compressed start lies in
                  [I*size/N, (I+1)*size/N); the blocks are found by walking
                  the block headers (BSIZE) from the start of the file.
   The shard reads on past its range to finish its last record. Its first
   record is the first record boundary at or after the range's start, found
   by checking the four-line structure (header '@', sequence, '+' line,
   quality of the sequence's length; CRLF and empty reads allowed) of up to
   4 records from each of the next 4 line starts (every phase): exactly one
   phase must fit. The search looks at 1 MiB, growing to 64 MiB for long
   records. The shard also finds the next shard's first record the same way
   and checks that its own records end exactly there, so when every shard of
   a split succeeds, the shards together hold every record exactly once.
   FQP_ERR_SHARD (with a message naming the shard) when that cannot be
   assured, never a silently wrong split:
     - the source cannot seek or has no size: stdin, a pipe, a read callback;
     - gzip that is not BGZF (recompress with bgzip, or shard by file);
     - wrapped FASTQ (a sequence or quality over several lines): byte offsets
       cannot locate its records, so a sharded read fails on the first
       wrapped record it meets or at a boundary it cannot confirm (shard
       such input by file);
     - no boundary (or more than one) fits within the search window.
   Paired runs cannot be sharded by bytes (FQP_ERR_INVALID_ARGUMENT): shard
   mate files by file. Lists of files are sharded by file by the caller
   (file k to shard k mod N).
   In a shard, fqp_batch.first_record, fqp_record.number and the record and
   line numbers of errors count from the shard's first record (1 = its first
   record or line), since the lines before it are never read; byte offsets
   (fqp_batch.offset, fqp_error.offset) stay absolute in the file's
   (uncompressed) text. Names in messages, batches and errors read
   "NAME (shard I/N)", I being shard_index. Metrics count the shard's own
   text and compressed bytes. */

typedef enum fqp_validation {
    FQP_VALIDATE_DEFAULT = 0, /* = FQP_VALIDATE_ALL */
    FQP_VALIDATE_NONE,        /* structure only: nothing per base is checked */
    FQP_VALIDATE_SEQUENCE,    /* letters: the set config.letters names */
    FQP_VALIDATE_QUALITY,     /* qualities: '!' (Q0) to '~' (Q93) */
    FQP_VALIDATE_ALL          /* both */
} fqp_validation;

/* The bytes a sequence may hold when letters are validated. Whatever the
   set, a sequence line that starts with '+' is the '+' line and one that
   starts with '@' is a missing '+' line (FQP_ERR_MISSING_PLUS). */
typedef enum fqp_letters {
    FQP_LETTERS_PRINTABLE = 0, /* printable ASCII except space: '!' to '~' (0x21..0x7E);
                                  the default */
    FQP_LETTERS_IUPAC          /* IUPAC codes in either case (ACGTUN RYKMSWBDHV), '.', '-', '*' */
} fqp_letters;

/* Compression libraries. zlib is always linked; ISA-L (libisal.so.2, Debian
   libisal2) and libdeflate (libdeflate.so.0, Debian libdeflate0) are loaded
   at run time, once per process, when installed (FASTQPAR_USE_ISAL /
   FASTQPAR_USE_LIBDEFLATE link them instead, as static binaries need).
   AUTO takes the fastest one present for each job:
     gzip stream in:  ISA-L, else zlib
     BGZF blocks in:  libdeflate, else ISA-L, else zlib
     BGZF blocks out: libdeflate, else ISA-L, else zlib
     gzip stream out: ISA-L, else zlib
   Naming one makes it serve every job it can (libdeflate cannot stream:
   streams then use zlib) and is FQP_ERR_NO_CODEC when it is missing. Every
   backend gives the same text, the same errors and the same messages. */
typedef enum fqp_codec { FQP_CODEC_AUTO = 0, FQP_CODEC_ZLIB, FQP_CODEC_ISAL, FQP_CODEC_LIBDEFLATE } fqp_codec;

/* "auto", "zlib", "isal", "libdeflate"; never NULL. */
FASTQPAR_DEF const char *fqp_codec_name(fqp_codec c);
/* 1 when the library is usable in this process (the first call loads it;
   any thread). why (may be NULL) receives the reason when it is not. */
FASTQPAR_DEF int fqp_codec_available(fqp_codec c, char *why, size_t why_size);

/* Shared settings of the producer and the pipeline. Zero means default. */
/* config.parallel_gzip: an ordinary (not BGZF) gzip stream inflated in
   chunks by the consumers (see >>pgzip). AUTO: when zlib inflates the
   stream and there are 4 or more consumers on 4 or more usable cores (with
   ISA-L present a file stays single-stream on ISA-L); ON: always, also
   instead of ISA-L; OFF: one stream on the producer thread. */
typedef enum fqp_parallel_gzip { FQP_PARALLEL_GZIP_AUTO, FQP_PARALLEL_GZIP_ON, FQP_PARALLEL_GZIP_OFF } fqp_parallel_gzip;

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
    fqp_letters letters;       /* validated sequence letters; default FQP_LETTERS_PRINTABLE.
                                  Anything else is FQP_ERR_INVALID_BASE */
    int ignore_env;            /* nonzero: do not read FASTQPAR_* variables */
    fqp_allocator allocator;
    fqp_log_fn log;            /* no logging when NULL */
    void *log_user;
    fqp_codec inflate;         /* gzip/BGZF input; default FASTQPAR_INFLATE or AUTO */
    fqp_parallel_gzip parallel_gzip; /* ordinary gzip inflated by the consumers; default
                                  FASTQPAR_PARALLEL_GZIP (0 off, 1 on, auto) or AUTO */
} fqp_config;

/* Ordered output: set `file` or `write` and every byte a consumer adds to a
   batch with fqp_batch_write() reaches it in input order. */
typedef struct fqp_writer fqp_writer; /* FASTQ writing: see below */

typedef struct fqp_output_desc {
    FILE *file;                /* written with fwrite, flushed at the end; not closed */
    fqp_write_fn write;
    void *write_user;
    fqp_writer *writer;        /* set by fqp_writer_output: BGZF output is then
                                  compressed by each consumer as it releases its
                                  batch, and only written in order by the sink */
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
    int bgzf;                          /* input was BGZF, inflated by the consumers */
    fqp_codec inflate;                 /* the library that inflated it (BGZF: the blocks'); AUTO if plain */
    double wall_seconds;
    double producer_read_seconds;      /* reading + inflating */
    double producer_blocked_seconds;   /* waiting for a free batch or a queue slot */
    double producer_inflate_wait_seconds; /* BGZF, parallel gzip: waiting for a consumer's inflate (in read) */
    /* ordinary gzip inflated by the consumers (config.parallel_gzip) */
    uint64_t gzip_parallel_members;    /* members inflated in chunks */
    uint64_t gzip_chunks;              /* chunks framed */
    uint64_t gzip_chunks_redone;       /* chunks decoded again by zlib from their true start */
    uint64_t gzip_speculative_bytes;   /* text decoded without its window, then resolved */
    uint64_t gzip_known_window_bytes;  /* text decoded with its window known */
    uint64_t gzip_redone_bytes;        /* text zlib inflated on the producer (the fallbacks) */
    double consumer_wait_seconds;      /* sum over consumers, waiting on an empty queue */
    size_t queue_high_water;           /* most batches ever waiting in the queue */
    size_t batch_pool;                 /* batches allocated (<= queue_depth + threads + 1) */
    int threads;                       /* CPU consumer threads */
    int custom_consumers;              /* custom (GPU) consumer threads */
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
    size_t held_batches;       /* batches holders keep in flight, added to the pool */
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
/* The batch queue, for its depth and wait times. Pop batches through
   fqp_producer_next/take only: with BGZF input it also carries inflate jobs. */
FASTQPAR_DEF fqp_queue *fqp_producer_queue(fqp_producer *p);
FASTQPAR_DEF void fqp_producer_destroy(fqp_producer *p);

/* ADVANCED, the holder protocol: consumers that keep several batches in
   flight (GPU consumers) register as holders: while any holder is registered, fqp_producer_next does not report
   FQP_DONE to other consumers, because a holder may still hand batches back. */
FASTQPAR_DEF void fqp_producer_hold_begin(fqp_producer *p);
FASTQPAR_DEF void fqp_producer_hold_end(fqp_producer *p);
/* Holders take batches with this instead of fqp_producer_next: it never waits
   for other holders, and with block == 0 it returns FQP_AGAIN at once when no
   batch is ready, so that a holder finishes its batches in flight rather than
   wait while holding them (which could stall ordered output). */
FASTQPAR_DEF fqp_result fqp_producer_take(fqp_producer *p, fqp_batch **batch, int block);
/* From a holder that cannot finish a batch (its GPU failed): the batch goes to
   the front of the queue, unprocessed and with its output cleared, and another
   consumer processes it. Fails only after the run was cancelled. */
FASTQPAR_DEF fqp_result fqp_producer_requeue(fqp_producer *p, fqp_batch *batch);

/* ---- the pipeline: one call ------------------------------------------- */

/* A consumer that runs its own loop on its own thread (fqp_producer_next,
   fqp_producer_release, fqp_producer_requeue), such as a GPU consumer. It is
   registered as a holder while run() executes and takes batches with
   fqp_producer_take (see there). run() returning an error ends
   the run; returning FQP_OK after requeueing its batches lets the CPU
   consumers finish them. */
typedef struct fqp_custom_consumer {
    fqp_result (*run)(fqp_producer *p, void *ctx);
    void *ctx;
    size_t max_held;           /* most batches it holds at once; default 2 */
} fqp_custom_consumer;

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
    /* calling thread, after every thread joined, consumer 0, 1, ...; skipped on
       error; an error returned here ends the merging and is the run's result */
    fqp_result (*merge)(void *state, int consumer, void *user);
    /* calling thread, after merge, always (also on error) */
    void (*fini)(void *state, int consumer, void *user);
    /* extra consumers with their own loop; each takes one thread of
       config.threads, but at least one CPU consumer always runs */
    const fqp_custom_consumer *custom;
    int custom_count;
} fqp_pipeline_desc;

/* Runs producer and consumers to the end. FQP_OK, FQP_STOP (a consumer
   stopped early), or the first error, described in *err. metrics may be NULL. */
FASTQPAR_DEF fqp_result fqp_pipeline_run(const fqp_pipeline_desc *desc, fqp_metrics *metrics, fqp_error *err);

/* Usable cores: the process's CPU affinity and cgroup CPU quota, at least 1. */
FASTQPAR_DEF int fqp_default_threads(void);

/* The settings a run with config `in` would use: every default and
   FASTQPAR_* variable applied (e.g. out->threads, to size extra consumers).
   FQP_OK, or FQP_ERR_INVALID_ARGUMENT / a bad variable, described in *err. */
FASTQPAR_DEF fqp_result fqp_config_resolve(const fqp_config *in, fqp_config *out, fqp_error *err);

/* ---- per-read kernels: quality prefix sums, QC statistics, trimming ------

   What CPU consumers run, and the exact twins of the GPU kernels in
   kernels.cu (fastqpar_cuda.h): integer arithmetic only, the same numbers
   bit for bit, so a mixed CPU+GPU run gives what an all-CPU run gives.
   Quality: the Phred score of a quality byte c is c - 33 clamped to 0..93
   (validated input is always in range; with FQP_VALIDATE_NONE a byte below
   '!' counts as Q0 and one above '~' as Q93). Bases: A C G T (either case)
   and "N" for every other letter (N, IUPAC codes, gaps, any other letter).
   Thread safety: each function touches only its arguments; an fqp_qc is
   used by one thread at a time (one per consumer, merged at the end). */

/* Inclusive prefix sums of the Phred scores of every read of the batch:
   out[b->seq_off[i] + k] = q_0 + ... + q_k of read i (b->bases entries). */
FASTQPAR_DEF void fqp_qual_prefix_sum(const fqp_batch *b, uint64_t *out);

/* QC statistics: one flat array of uint64_t counters whose layout depends
   only on max_pos. Positions are 0-based. Position-indexed tables have
   max_pos + 1 bins: bin max_pos holds every base at a position >= max_pos
   (and, in the length histogram, every read of length >= max_pos), so
   reads of any length fit. max_pos 0 means FQP_QC_DEFAULT_MAX_POS, here
   and in every macro below. Indices into counts:
     totals       FQP_QC_READS, _BASES, _Q20, _Q30 (bases of Q >= 20, >= 30),
                  FQP_QC_A, _C, _G, _T, _N (bases of each kind)
     per read     FQP_QC_MEANQ(q)   reads with floor(sum of Q / length) == q
                  FQP_QC_GC(pct)    reads with floor(100 * (C + G) / length) == pct
                  (both only for reads of length > 0)
     per position FQP_QC_POS_QSUM(mp, pos)      sum of Q at pos
                  FQP_QC_POS_COUNT(mp, pos)     bases at pos
                  FQP_QC_POS_BASE(mp, pos, b)   bases of kind b (0 A, 1 C, 2 G,
                                                3 T, 4 N/other) at pos
                  FQP_QC_POS_QUAL(mp, pos, q)   bases of quality q at pos
                  FQP_QC_LEN(mp, len)           reads of length len (empty ones too)
   (mp: max_pos; pos and len at most max_pos.) Everything else derives from
   these: mean quality at a position = QSUM / COUNT, quartiles from POS_QUAL. */
#define FQP_QC_QUALS 94           /* Q0..Q93 */
#define FQP_QC_GC_BINS 101        /* 0..100 percent */
#define FQP_QC_DEFAULT_MAX_POS 1000
#define FQP_QC_READS 0
#define FQP_QC_BASES 1
#define FQP_QC_Q20 2
#define FQP_QC_Q30 3
#define FQP_QC_A 4
#define FQP_QC_C 5
#define FQP_QC_G 6
#define FQP_QC_T 7
#define FQP_QC_N 8
#define FQP_QC_MEANQ(q) (9 + (uint64_t)(q))
#define FQP_QC_GC(pct) (103 + (uint64_t)(pct))
#define FQP_QC_BINS(mp) ((uint64_t)((mp) ? (mp) : FQP_QC_DEFAULT_MAX_POS) + 1)
#define FQP_QC_POS_QSUM(mp, pos) (204 + (uint64_t)(pos)) /* mp: for uniformity */
#define FQP_QC_POS_COUNT(mp, pos) (204 + FQP_QC_BINS(mp) + (uint64_t)(pos))
#define FQP_QC_LEN(mp, len) (204 + 2 * FQP_QC_BINS(mp) + (uint64_t)(len))
#define FQP_QC_POS_BASE(mp, pos, b) (204 + 3 * FQP_QC_BINS(mp) + 5 * (uint64_t)(pos) + (uint64_t)(b))
#define FQP_QC_POS_QUAL(mp, pos, q) (204 + 8 * FQP_QC_BINS(mp) + FQP_QC_QUALS * (uint64_t)(pos) + (uint64_t)(q))

typedef struct fqp_qc {
    uint32_t max_pos;          /* resolved: never 0 after fqp_qc_init */
    uint64_t words;            /* = fqp_qc_words(max_pos) */
    uint64_t *counts;          /* words counters, zeroed by fqp_qc_init */
    fqp_allocator allocator;
    uint16_t *scratch;         /* private: fqp_qc_add_batch's per-batch tables, made on first use */
} fqp_qc;

/* Counters in the layout for max_pos: 204 + 102 * (max_pos + 1). */
FASTQPAR_DEF uint64_t fqp_qc_words(uint32_t max_pos);
/* Allocates zeroed counters (a may be NULL: default allocator).
   FQP_OK, FQP_ERR_NOMEM, FQP_ERR_INVALID_ARGUMENT (qc NULL). On failure
   qc->counts is NULL and fqp_qc_free is still safe. */
FASTQPAR_DEF fqp_result fqp_qc_init(fqp_qc *qc, uint32_t max_pos, const fqp_allocator *a);
/* Adds every read of the batch (the CPU twin of the fqp_k_qc kernel). */
FASTQPAR_DEF void fqp_qc_add_batch(fqp_qc *qc, const fqp_batch *b);
/* Adds qc->words counters of the same layout (another consumer's
   qc->counts, or counts fetched from a GPU). */
FASTQPAR_DEF void fqp_qc_add_counts(fqp_qc *qc, const uint64_t *counts);
FASTQPAR_DEF void fqp_qc_free(fqp_qc *qc);

/* Quality trimming; a read keeps [start, end). threshold (the 3' cutoff)
   and threshold5 are Phred scores; values below 0 act as 0 (nothing is
   trimmed) and above 94 as 94 (everything is), which changes no result.
   FQP_TRIM_BWA: BWA's -q rule as cutadapt implements it: with
       s_k = sum over j >= k of (threshold - q_j), scan k from the 3' end
       down, stop at the first s_k < 0, and cut at the k where s_k was
       largest (> 0; ties: the k nearest the 3' end): keep [0, k); no
       s_k > 0: keep the whole read. bwa aln -q differs in two details:
       it keeps the base at k too (one base more), and it never trims a
       read below 35 bases (BWA_MIN_RDLEN); here there is no minimum length.
       threshold5 > 0 (cutadapt -q threshold5,threshold): the same rule
       from the 5' end over the whole read gives start (ties: the start
       nearest the 5' end); when start >= end the read keeps nothing
       ([0, 0)), as cutadapt.
   FQP_TRIM_WINDOW: Trimmomatic 0.39's SLIDINGWINDOW:window:threshold, an
       uppercase N scoring Q0 (as Trimmomatic; lowercase n keeps its
       quality) when the bases are known: windows of `window` bases
       (default 4 when <= 0) from the 5' end; at the first window with
       mean quality < threshold (integer test: sum < threshold * window)
       the read ends where the window before it ended, then bases below
       threshold at that end are dropped (the window before holds at least
       one that is not). The first window failing keeps nothing, and so
       does a read shorter than the window: Trimmomatic drops such reads
       (fqtrim does too). No failing window: the read keeps everything up
       to its last base >= threshold. threshold5 is not used.
   Any other mode (0 included) trims nothing. */
typedef enum fqp_trim_mode { FQP_TRIM_BWA = 1, FQP_TRIM_WINDOW = 2 } fqp_trim_mode;
#define FQP_TRIM_DEFAULT_WINDOW 4

typedef struct fqp_trim_desc {
    fqp_trim_mode mode;
    int threshold;             /* Phred score: the 3' cutoff */
    int window;                /* FQP_TRIM_WINDOW only; <= 0: 4 */
    int threshold5;            /* FQP_TRIM_BWA only: the 5' cutoff; <= 0: none */
} fqp_trim_desc;

/* One read: seq and qual hold len bytes; seq may be NULL (then an N is
   scored by its quality byte like any base). */
FASTQPAR_DEF void fqp_trim_read(const char *seq, const char *qual, uint64_t len, const fqp_trim_desc *d,
                                uint64_t *start, uint64_t *end);
/* Every read of the batch: read i keeps [start_end[2i], start_end[2i+1]). */
FASTQPAR_DEF void fqp_trim_batch(const fqp_batch *b, const fqp_trim_desc *d, uint64_t *start_end);

/* ---- FASTQ writing: plain, gzip, BGZF ----------------------------------

   An fqp_writer is one output stream. Text given to it is written as is
   (plain), through one deflate stream (gzip), or as BGZF blocks (gzip
   members of at most 64 KiB that bgzip, samtools and htslib read, ended by
   the 28-byte EOF block). In fqp_paired_run each consumer compresses its own
   batch's BGZF blocks, and the ordered sink only writes them, so BGZF output
   does not fall back to one thread; plain and gzip streams are written (and
   gzip deflated) by the one thread that writes in order at that moment.
   Every write is checked: a short write (disk full, closed pipe) or a failed
   close is FQP_ERR_WRITE naming the output, never a silently short file.
   Thread safety: one thread at a time per writer (the ordered sink
   guarantees it). */
typedef enum fqp_format { FQP_FORMAT_PLAIN = 0, FQP_FORMAT_GZIP, FQP_FORMAT_BGZF } fqp_format;

/* Exactly one destination must be set. Zero means default. */
typedef struct fqp_writer_desc {
    const char *path;          /* replaced on a clean close (see below); "-" is stdout */
    FILE *file;                /* an open stream; flushed, not closed */
    fqp_write_fn write;        /* a callback destination */
    void *write_user;
    fqp_format format;         /* default plain; see fqp_format_from_name */
    int level;                 /* 1..9, 0: the backend's default, -1: stored (no compression);
                                  see "levels" below */
    fqp_codec deflate;         /* default FASTQPAR_DEFLATE or AUTO (see fqp_codec) */
    int ignore_env;            /* nonzero: do not read FASTQPAR_DEFLATE */
    int keep_plus_name;        /* nonzero: repeat the header after '+' */
    const char *name;          /* name in messages; default: path, "<stdout>", "<file>", "<callback>" */
    int in_place;              /* nonzero: write `path` itself, not a temporary file (see below) */
    fqp_allocator allocator;
} fqp_writer_desc;

/* Safe replacement: a `path` output is written to a temporary file beside
   it (".NAME.fqpPID-N.tmp", with the target's mode when it exists) and
   renamed over the target by a clean fqp_writer_close, so a failed or
   interrupted run never leaves a partial file that looks complete, and an
   existing file stays as it was. A close that fails, and
   fqp_writer_discard, remove the temporary file. A target that exists and
   is not a regular file (a FIFO, /dev/null) and in_place outputs are
   written directly. A process killed by a signal leaves the temporary
   file: fqp_writer_temp_path names it for a handler that removes it. */

/* Levels: 1..9 as in gzip for zlib and libdeflate (libdeflate's are
   smaller and faster at the same number); ISA-L has four: 1-3 -> its 1,
   4-6 -> 2, 7-9 -> 3. 0 is each backend's default, the fastest setting whose
   output stays within 10% of gzip -6: libdeflate 1, ISA-L 2, zlib 6.
   -1 writes stored blocks (no compression) with any backend. One backend
   and level give byte-identical output whatever the thread count. */

/* ".gz", ".bgz", ".bgzf" BGZF (which gzip, zcat, pigz and Python read as
   ordinary multi-member gzip, and htslib can index), anything else (and
   "-") plain. FQP_FORMAT_GZIP (one gzip member) is only ever explicit. */
FASTQPAR_DEF fqp_format fqp_format_from_name(const char *path);
FASTQPAR_DEF fqp_result fqp_writer_open(fqp_writer **out, const fqp_writer_desc *desc, fqp_error *err);
/* Text to the stream (gzip: deflated; BGZF: compressed into blocks on this
   thread). FQP_OK or FQP_ERR_WRITE / FQP_ERR_NOMEM; errors are sticky. */
FASTQPAR_DEF fqp_result fqp_writer_write(fqp_writer *w, const void *text, size_t size, fqp_error *err);
/* An fqp_output_desc that sends ordered output (fqp_pipeline_run) to w;
   BGZF is compressed by the consumer that releases each batch, in parallel. */
FASTQPAR_DEF fqp_output_desc fqp_writer_output(fqp_writer *w);
/* Ends the stream (gzip trailer, BGZF EOF block), flushes, closes a path
   and renames its temporary file over the target, frees w (NULL is fine).
   Returns the first error the writer met; after an error the target is
   left as it was. */
FASTQPAR_DEF fqp_result fqp_writer_close(fqp_writer *w, fqp_error *err);
/* Ends w without finishing it: the temporary file of a `path` output is
   removed and the target left as it was (an in_place or non-regular target
   keeps what was written); a stream or callback gets nothing more. Frees w
   (NULL is fine). For the error paths of a run. */
FASTQPAR_DEF void fqp_writer_discard(fqp_writer *w);
/* The temporary file a `path` output is being written to, NULL if none. */
FASTQPAR_DEF const char *fqp_writer_temp_path(const fqp_writer *w);
/* Bytes written to the destination so far (compressed). */
FASTQPAR_DEF uint64_t fqp_writer_bytes(const fqp_writer *w);
/* The library that compresses w's output (ZLIB for plain output). */
FASTQPAR_DEF fqp_codec fqp_writer_codec(const fqp_writer *w);

/* ---- paired and interleaved input ---------------------------------------

   fqp_paired_run reads 1, 2 or 3 files in lockstep (R1, R2 and optionally
   index reads I1), or one interleaved file (mates alternate), and calls
   process() with an fqp_pair: `count` records of each mate, record i of
   every mate belonging to pair i, however different the read lengths.
   How batches are formed: the producer thread cuts file 1 by the usual
   record and byte limits, then cuts each other file at exactly that many
   records (its batch grows as needed), so batch k of every file holds the
   same pairs. An interleaved file is cut only after whole pairs.
   Checks: files with different numbers of records fail with
   FQP_ERR_PAIR_COUNT naming the file that ended first and the first record
   without a mate; an interleaved file with an odd number of records fails
   likewise. Unless no_name_check is set, mate names are compared ignoring
   a trailing "/1", "/2" or "/3" (everything after the first blank is
   already not part of the name): the first mismatch fails with
   FQP_ERR_PAIR_NAME, both names and the record number.
   Errors: the problem earliest in the input (a mate-name mismatch, a
   malformed record in any file, a file ending) is the run's error, and
   process() has seen exactly the pairs before it, whatever the batch
   limits and thread timing.
   Output: up to FQP_PAIR_OUTPUTS writers; a consumer appends text or
   records to output k of its pair, and each writer receives every pair's
   text in input order (the ordered sink, as in fqp_pipeline_run). BGZF
   output is compressed by that consumer before it hands the pair back. */
#define FQP_MAX_MATES 3
#define FQP_PAIR_OUTPUTS 4

typedef struct fqp_pair {
    uint64_t index;            /* 0, 1, 2, ... in input order */
    uint64_t first_pair;       /* 0-based number of pair 0 in the input */
    uint64_t count;            /* pairs: records per mate */
    int mates;                 /* 1, 2 or 3 (interleaved: 2) */
    int interleaved;
    fqp_batch *batch[FQP_MAX_MATES]; /* file m's batch (interleaved: batch[0] holds both);
                                        fqp_batch_error on any of them fails the run */
} fqp_pair;

/* Mate m (0-based) of pair i of this batch. */
FASTQPAR_DEF fqp_record fqp_pair_record(const fqp_pair *pair, int mate, uint64_t i);
/* Appends text to output k of this pair. */
FASTQPAR_DEF fqp_result fqp_pair_write(fqp_pair *pair, int output, const void *text, size_t size);
/* Appends a record to output k as four lines, keeping bases [start, end) of
   it (start = 0, end = r->len: all); '+' alone unless the writer keeps names. */
FASTQPAR_DEF fqp_result fqp_pair_write_record(fqp_pair *pair, int output, const fqp_record *r, uint64_t start,
                                              uint64_t end);

typedef struct fqp_paired_desc {
    fqp_input_desc input[FQP_MAX_MATES]; /* files 1..3 in order; unused ones zero */
    int interleaved;           /* nonzero: input[0] alone holds both mates */
    int no_name_check;         /* nonzero: do not compare mate names */
    fqp_config config;         /* batch limits apply to file 1 */
    fqp_writer *output[FQP_PAIR_OUTPUTS]; /* optional; not closed by the run */
    size_t state_size;
    void *user;
    fqp_result (*init)(void *state, int consumer, void *user);
    /* consumer thread, once per pair batch: FQP_OK, FQP_STOP, or an error */
    fqp_result (*process)(fqp_pair *pair, void *state, void *user);
    fqp_result (*merge)(void *state, int consumer, void *user);
    void (*fini)(void *state, int consumer, void *user);
    /* optional: consumers with their own loop (GPU consumers), each taking
       one of config.threads; they take pair batches (fqp_producer_take_pair) */
    const fqp_custom_consumer *custom;
    int custom_count;
} fqp_paired_desc;

/* A custom consumer in fqp_paired_run takes, hands back and finishes pair
   batches as fqp_producer_take / requeue / release do batches. A pair comes
   checked (its records parsed, mate names compared), as process() gets it;
   release writes its outputs (fqp_pair_write) in input order. */
FASTQPAR_DEF int fqp_producer_pairs(const fqp_producer *p); /* nonzero: a paired run's */
FASTQPAR_DEF fqp_result fqp_producer_take_pair(fqp_producer *p, fqp_pair **pair, int block);
FASTQPAR_DEF fqp_result fqp_producer_requeue_pair(fqp_producer *p, fqp_pair *pair);
FASTQPAR_DEF fqp_result fqp_producer_release_pair(fqp_producer *p, fqp_pair *pair);

/* Runs to the end as fqp_pipeline_run does: FQP_OK, FQP_STOP or the first
   error. metrics (may be NULL): records, bases, input_bytes and
   compressed_bytes of all files together; batches and queue figures of
   file 1; consumer[i].records counts pairs. */
FASTQPAR_DEF fqp_result fqp_paired_run(const fqp_paired_desc *desc, fqp_metrics *metrics, fqp_error *err);

#ifdef __cplusplus
}
#endif
#endif /* FASTQPAR_H */

/* ======================================================================= */
/*                            IMPLEMENTATION                               */
/* ======================================================================= */
#if defined(FASTQPAR_IMPLEMENTATION) && !defined(FASTQPAR_IMPLEMENTATION_DONE)
#define FASTQPAR_IMPLEMENTATION_DONE

/* for thread-layer pieces only fastqpar_cuda.h calls */
#if defined(__GNUC__) || defined(__clang__)
#define FQP__MAYBE_UNUSED __attribute__((unused))
#else
#define FQP__MAYBE_UNUSED
#endif

/* ---- >>threads: the only platform-specific part ----
   C11 <threads.h> by default. pthreads under ThreadSanitizer (whose runtime
   in gcc 12 / clang 14 does not see glibc's C11 thread calls), on Apple
   systems (no <threads.h>), or when FASTQPAR_USE_PTHREADS is defined. */
#if defined(FASTQPAR_USE_PTHREADS) || defined(__APPLE__) || defined(__SANITIZE_THREAD__)
#define FQP__PTHREADS 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FQP__PTHREADS 1
#endif
#endif

#ifdef FQP__PTHREADS
#include <pthread.h>
typedef pthread_mutex_t fqp__mutex;
typedef pthread_cond_t fqp__cond;
typedef pthread_t fqp__thread;
#define FQP__THREAD_FN(name) static void *name(void *arg)
#define FQP__THREAD_RETURN return NULL
static int fqp__mutex_init(fqp__mutex *m) { return pthread_mutex_init(m, NULL) == 0; }
static void fqp__mutex_destroy(fqp__mutex *m) { pthread_mutex_destroy(m); }
static void fqp__lock(fqp__mutex *m) { pthread_mutex_lock(m); }
static void fqp__unlock(fqp__mutex *m) { pthread_mutex_unlock(m); }
static int fqp__cond_init(fqp__cond *c) { return pthread_cond_init(c, NULL) == 0; }
static void fqp__cond_destroy(fqp__cond *c) { pthread_cond_destroy(c); }
static void fqp__wait(fqp__cond *c, fqp__mutex *m) { pthread_cond_wait(c, m); }
static void fqp__signal(fqp__cond *c) { pthread_cond_signal(c); }
static void fqp__broadcast(fqp__cond *c) { pthread_cond_broadcast(c); }
static int fqp__thread_start(fqp__thread *t, void *(*fn)(void *), void *arg) { return pthread_create(t, NULL, fn, arg) == 0; }
static void fqp__thread_join(fqp__thread t) { pthread_join(t, NULL); }
typedef pthread_once_t fqp__once_flag;
#define FQP__ONCE_INIT PTHREAD_ONCE_INIT
FQP__MAYBE_UNUSED static void fqp__once(fqp__once_flag *f, void (*fn)(void)) { pthread_once(f, fn); }
/* A timed wait that nothing signals: pthreads has no sleep without POSIX
   feature macros. */
FQP__MAYBE_UNUSED static void fqp__sleep(double seconds)
{
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
    struct timespec ts;
    long long ns;
    timespec_get(&ts, TIME_UTC);
    ns = (long long)ts.tv_nsec + (long long)(seconds * 1e9);
    ts.tv_sec += (time_t)(ns / 1000000000);
    ts.tv_nsec = (long)(ns % 1000000000);
    pthread_mutex_lock(&mu);
    while (pthread_cond_timedwait(&cv, &mu, &ts) == 0) {
    }
    pthread_mutex_unlock(&mu);
    pthread_cond_destroy(&cv);
    pthread_mutex_destroy(&mu);
}
#else
#if defined(__STDC_NO_THREADS__) && !defined(__cplusplus)
#error "fastqpar.h needs C11 <threads.h> (glibc >= 2.28, musl) or pthreads: define FASTQPAR_USE_PTHREADS"
#endif
#include <threads.h>
typedef mtx_t fqp__mutex;
typedef cnd_t fqp__cond;
typedef thrd_t fqp__thread;
#define FQP__THREAD_FN(name) static int name(void *arg)
#define FQP__THREAD_RETURN return 0
static int fqp__mutex_init(fqp__mutex *m) { return mtx_init(m, mtx_plain) == thrd_success; }
static void fqp__mutex_destroy(fqp__mutex *m) { mtx_destroy(m); }
static void fqp__lock(fqp__mutex *m) { mtx_lock(m); }
static void fqp__unlock(fqp__mutex *m) { mtx_unlock(m); }
static int fqp__cond_init(fqp__cond *c) { return cnd_init(c) == thrd_success; }
static void fqp__cond_destroy(fqp__cond *c) { cnd_destroy(c); }
static void fqp__wait(fqp__cond *c, fqp__mutex *m) { cnd_wait(c, m); }
static void fqp__signal(fqp__cond *c) { cnd_signal(c); }
static void fqp__broadcast(fqp__cond *c) { cnd_broadcast(c); }
static int fqp__thread_start(fqp__thread *t, int (*fn)(void *), void *arg) { return thrd_create(t, fn, arg) == thrd_success; }
static void fqp__thread_join(fqp__thread t) { thrd_join(t, NULL); }
typedef once_flag fqp__once_flag;
#define FQP__ONCE_INIT ONCE_FLAG_INIT
FQP__MAYBE_UNUSED static void fqp__once(fqp__once_flag *f, void (*fn)(void)) { call_once(f, fn); }
FQP__MAYBE_UNUSED static void fqp__sleep(double seconds)
{
    struct timespec ts;
    ts.tv_sec = (time_t)seconds;
    ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
    thrd_sleep(&ts, NULL);
}
#endif
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__unix__) || defined(__APPLE__)
#include <sys/stat.h>
#include <unistd.h>
#endif
#ifndef FASTQPAR_NO_ZLIB
#include <zlib.h>
#endif
#ifdef FASTQPAR_USE_LIBDEFLATE
#include <libdeflate.h>
#endif
#ifdef FASTQPAR_USE_ISAL
#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>
#endif

#if defined(FASTQPAR_MALLOC) && defined(FASTQPAR_REALLOC) && defined(FASTQPAR_FREE)
/* all three given */
#elif !defined(FASTQPAR_MALLOC) && !defined(FASTQPAR_REALLOC) && !defined(FASTQPAR_FREE)
#define FASTQPAR_MALLOC(sz) malloc(sz)
#define FASTQPAR_REALLOC(p, sz) realloc(p, sz)
#define FASTQPAR_FREE(p) free(p)
#else
#error "define all of FASTQPAR_MALLOC, FASTQPAR_REALLOC and FASTQPAR_FREE, or none"
#endif

#define FQP__DEFAULT_BATCH_RECORDS 8192u
#define FQP__DEFAULT_BATCH_BYTES (1u << 20)
#define FQP__DEFAULT_READ_SIZE (1u << 20)
#define FQP__CACHE_LINE 64

/* ---- >>results ---- */

FASTQPAR_DEF const char *fqp_result_string(fqp_result r)
{
    switch (r) {
#define FQP__CASE(name, value, text) case name: return text;
        FQP_RESULT_LIST(FQP__CASE)
#undef FQP__CASE
    default: return "unknown result";
    }
}

/* ---- >>memory ---- */

static void *fqp__alloc(const fqp_allocator *a, size_t size)
{
    return a->alloc ? a->alloc(size, a->user) : FASTQPAR_MALLOC(size);
}

static void fqp__free(const fqp_allocator *a, void *ptr)
{
    if (!ptr) return;
    if (a->free) a->free(ptr, a->user);
    else FASTQPAR_FREE(ptr);
}

static void *fqp__realloc(const fqp_allocator *a, void *ptr, size_t old_size, size_t new_size)
{
    void *q;
    if (!a->alloc) return FASTQPAR_REALLOC(ptr, new_size);
    if (a->realloc) return a->realloc(ptr, old_size, new_size, a->user);
    q = a->alloc(new_size, a->user);
    if (!q) return NULL;
    if (ptr) {
        memcpy(q, ptr, old_size < new_size ? old_size : new_size);
        a->free(ptr, a->user);
    }
    return q;
}

static void *fqp__calloc(const fqp_allocator *a, size_t size)
{
    void *p = fqp__alloc(a, size);
    if (p) memset(p, 0, size);
    return p;
}

/* Grows *buf (of *cap elements of `elem` bytes) to hold at least `need`
   elements, doubling so that repeated growth is amortised. Never leaves a
   NULL buffer behind, so memcpy of 0 bytes from it stays defined. */
static fqp_result fqp__reserve(const fqp_allocator *a, void **buf, uint64_t *cap, uint64_t need, size_t elem)
{
    uint64_t n = *cap ? *cap : 16;
    void *q;
    if (*buf && need <= *cap) return FQP_OK;
    while (n < need) {
        if (n > UINT64_MAX / 2) return FQP_ERR_NOMEM;
        n *= 2;
    }
    if (n > (uint64_t)SIZE_MAX / elem) return FQP_ERR_NOMEM;
    q = fqp__realloc(a, *buf, (size_t)(*cap * elem), (size_t)(n * elem));
    if (!q) return FQP_ERR_NOMEM;
    *buf = q;
    *cap = n;
    return FQP_OK;
}

/* Gives back a buffer that a huge record grew far beyond its usual size. */
static void fqp__shrink(const fqp_allocator *a, void **buf, uint64_t *cap, uint64_t keep, uint64_t limit, size_t elem)
{
    void *q;
    if (*cap <= limit || keep > limit) return;
    q = fqp__realloc(a, *buf, (size_t)(*cap * elem), (size_t)(limit * elem));
    if (!q) return; /* keeping the big one is harmless */
    *buf = q;
    *cap = limit;
}

/* ---- >>time ---- */

static double fqp__now(void)
{
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- >>errors ---- */

/* Copies up to 40 bytes of input into `out`, escaping what is not printable,
   so a message shows the offending text without dumping a 2 Mbp line. */
static void fqp__snippet(char *out, size_t cap, const char *p, uint64_t n)
{
    size_t o = 0;
    uint64_t i, shown = n < 40 ? n : 40;
    for (i = 0; i < shown && o + 5 < cap; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 32 && c < 127 && c != '"' && c != '\\') out[o++] = (char)c;
        else o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
    }
    if (shown < n && o + 4 < cap) { memcpy(out + o, "...", 3); o += 3; }
    out[o < cap ? o : cap - 1] = 0;
}

static fqp_result fqp__verror(fqp_error *e, fqp_result code, const char *file, uint64_t record,
                              uint64_t line, uint64_t offset, const char *fmt, va_list ap)
{
    int n = 0;
    if (!e) return code;
    memset(e, 0, sizeof *e);
    e->code = code;
    e->record = record;
    e->line = line;
    e->offset = offset;
    if (file) snprintf(e->file, sizeof e->file, "%s", file);
    /* location first, then the detail into what is left: a long detail is cut, never the location */
    if (line && record)
        n = snprintf(e->message, sizeof e->message, "%s: record %llu, line %llu, byte %llu: ", e->file,
                     (unsigned long long)record, (unsigned long long)line, (unsigned long long)offset);
    else if (line)
        n = snprintf(e->message, sizeof e->message, "%s: line %llu, byte %llu: ", e->file,
                     (unsigned long long)line, (unsigned long long)offset);
    else if (file)
        n = snprintf(e->message, sizeof e->message, "%s: ", e->file);
    if (n < 0 || (size_t)n >= sizeof e->message) n = 0;
    vsnprintf(e->message + n, sizeof e->message - (size_t)n, fmt, ap);
    return code;
}

static fqp_result fqp__error(fqp_error *e, fqp_result code, const char *file, uint64_t record, uint64_t line,
                             uint64_t offset, const char *fmt, ...) FQP_PRINTF_FORMAT(7, 8);
static fqp_result fqp__error(fqp_error *e, fqp_result code, const char *file, uint64_t record, uint64_t line,
                             uint64_t offset, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fqp__verror(e, code, file, record, line, offset, fmt, ap);
    va_end(ap);
    return code;
}

static void fqp__log(const fqp_config *c, fqp_log_level level, const char *fmt, ...) FQP_PRINTF_FORMAT(3, 4);
static void fqp__log(const fqp_config *c, fqp_log_level level, const char *fmt, ...)
{
    char msg[FQP_ERROR_MESSAGE_MAX];
    va_list ap;
    if (!c->log) return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->log(c->log_user, level, msg);
}

/* ---- >>config: settings, defaults and the environment ---- */

/* Cores this process may use: the affinity mask from /proc, capped by a
   cgroup CPU quota; sysconf where /proc is missing. */
FASTQPAR_DEF int fqp_default_threads(void)
{
    int n = 0;
    char line[4096];
    FILE *f = fopen("/proc/self/status", "r");
    if (f) {
        while (fgets(line, sizeof line, f)) {
            const char *s;
            if (strncmp(line, "Cpus_allowed:", 13) != 0) continue;
            for (s = line + 13; *s; s++) {
                int v = -1;
                if (*s >= '0' && *s <= '9') v = *s - '0';
                else if (*s >= 'a' && *s <= 'f') v = *s - 'a' + 10;
                else if (*s >= 'A' && *s <= 'F') v = *s - 'A' + 10;
                if (v > 0) n += (v & 1) + ((v >> 1) & 1) + ((v >> 2) & 1) + ((v >> 3) & 1);
            }
            break;
        }
        fclose(f);
    }
#if defined(_SC_NPROCESSORS_ONLN)
    if (n <= 0) n = (int)sysconf(_SC_NPROCESSORS_ONLN);
#endif
    f = fopen("/sys/fs/cgroup/cpu.max", "r"); /* cgroup v2: "max 100000" or "200000 100000" */
    if (f) {
        long long quota = 0, period = 0;
        if (fscanf(f, "%lld %lld", &quota, &period) == 2 && quota > 0 && period > 0) {
            int q = (int)((quota + period - 1) / period);
            if (q > 0 && (n <= 0 || q < n)) n = q;
        }
        fclose(f);
    }
    if (n <= 0) n = 1;
    if (n > FQP_MAX_THREADS) n = FQP_MAX_THREADS;
    return n;
}

/* The one place that reads the environment. Value > 0 wins: the desc field,
   then the FASTQPAR_* variable, then the built-in default. */
static fqp_result fqp__env_u64(const fqp_config *in, const char *name, uint64_t *out, fqp_error *err)
{
    const char *v;
    char *end = NULL;
    unsigned long long x;
    if (in->ignore_env || !(v = getenv(name)) || !*v) return FQP_OK;
    errno = 0;
    x = strtoull(v, &end, 10);
    if (errno || *end || x == 0 || v[0] == '-')
        return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0,
                          "environment variable %s=\"%s\" is not a positive integer", name, v);
    *out = (uint64_t)x;
    return FQP_OK;
}

#ifndef FASTQPAR_DEFAULT_INFLATE
#define FASTQPAR_DEFAULT_INFLATE FQP_CODEC_AUTO
#endif
#ifndef FASTQPAR_DEFAULT_DEFLATE
#define FASTQPAR_DEFAULT_DEFLATE FQP_CODEC_AUTO
#endif

static int fqp__codec_usable(fqp_codec c, char *why, size_t cap); /* the codec section */

/* A backend choice: the desc field, else the variable (auto|zlib|isal|
   libdeflate), else the build's default; a named library that cannot be
   loaded is FQP_ERR_NO_CODEC naming it and its Debian package. */
static fqp_result fqp__codec_resolve(fqp_codec asked, int ignore_env, const char *var, const char *field,
                                     fqp_codec *out, fqp_error *err)
{
    static const char *const names[] = {"auto", "zlib", "isal", "libdeflate"};
    const char *v, *from = field;
    char why[512];
    fqp_codec c = asked;
    int i;
    if ((int)asked < 0 || asked > FQP_CODEC_LIBDEFLATE)
        return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0, "%s = %d is not a fqp_codec", field, (int)asked);
    if (c == FQP_CODEC_AUTO && !ignore_env && (v = getenv(var)) && *v) {
        for (i = 0; i < 4 && strcmp(v, names[i]) != 0; i++) {}
        if (i == 4)
            return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0,
                              "environment variable %s=\"%s\" is not one of auto, zlib, isal, libdeflate", var, v);
        c = (fqp_codec)i;
        from = var;
    }
    if (c == FQP_CODEC_AUTO) { /* the build's default (tests build one per backend) */
        int inflate = strcmp(var, "FASTQPAR_INFLATE") == 0;
        c = inflate ? FASTQPAR_DEFAULT_INFLATE : FASTQPAR_DEFAULT_DEFLATE;
        from = inflate ? "FASTQPAR_DEFAULT_INFLATE" : "FASTQPAR_DEFAULT_DEFLATE";
    }
    if (c != FQP_CODEC_AUTO && c != FQP_CODEC_ZLIB && !fqp__codec_usable(c, why, sizeof why))
        return fqp__error(err, FQP_ERR_NO_CODEC, NULL, 0, 0, 0, "%s asks for %s, which is not available: %s", from,
                          names[c], why);
    *out = c;
    return FQP_OK;
}

#if !defined(FASTQPAR_NO_ZLIB) && !defined(FASTQPAR_NO_DLOPEN) && (defined(__unix__) || defined(__APPLE__)) && \
    !(defined(FASTQPAR_USE_ISAL) && defined(FASTQPAR_USE_LIBDEFLATE))
/* The path of a run-time library: FASTQPAR_ISAL_LIBRARY or
   FASTQPAR_LIBDEFLATE_LIBRARY when set, else its soname. Read once per
   process, when the library is first needed (so not per desc). */
static const char *fqp__library_path(const char *var, const char *soname)
{
    const char *v = getenv(var);
    return v && *v ? v : soname;
}
#endif

static fqp_result fqp__config_resolve(const fqp_config *in, fqp_config *out, fqp_error *err)
{
    uint64_t threads = 0, records = 0, bytes = 0, depth = 0;
    fqp_result r;
    *out = *in;
    if ((in->allocator.alloc == NULL) != (in->allocator.free == NULL))
        return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0,
                          "config.allocator needs both alloc and free, or neither");
    if (in->threads < 0 || in->threads > FQP_MAX_THREADS)
        return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0,
                          "config.threads = %d is outside 0..%d", in->threads, FQP_MAX_THREADS);
    if ((int)in->validate < 0 || in->validate > FQP_VALIDATE_ALL)
        return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0, "config.validate = %d is unknown",
                          (int)in->validate);
    if ((int)in->letters < 0 || in->letters > FQP_LETTERS_IUPAC)
        return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0, "config.letters = %d is unknown",
                          (int)in->letters);
    if ((r = fqp__env_u64(in, "FASTQPAR_THREADS", &threads, err)) < 0) return r;
    if ((r = fqp__env_u64(in, "FASTQPAR_BATCH_RECORDS", &records, err)) < 0) return r;
    if ((r = fqp__env_u64(in, "FASTQPAR_BATCH_BYTES", &bytes, err)) < 0) return r;
    if ((r = fqp__env_u64(in, "FASTQPAR_QUEUE_DEPTH", &depth, err)) < 0) return r;
    if ((r = fqp__codec_resolve(in->inflate, in->ignore_env, "FASTQPAR_INFLATE", "config.inflate", &out->inflate, err)) < 0)
        return r;
    if (in->parallel_gzip == FQP_PARALLEL_GZIP_AUTO && !in->ignore_env) {
        const char *v = getenv("FASTQPAR_PARALLEL_GZIP");
        if (v && *v) {
            if (strcmp(v, "0") == 0 || strcmp(v, "off") == 0)
                out->parallel_gzip = FQP_PARALLEL_GZIP_OFF;
            else if (strcmp(v, "1") == 0 || strcmp(v, "on") == 0)
                out->parallel_gzip = FQP_PARALLEL_GZIP_ON;
            else if (strcmp(v, "auto") != 0)
                return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0,
                                  "environment variable FASTQPAR_PARALLEL_GZIP=\"%s\" is not one of 0, 1, off, on, auto", v);
        }
    } else if ((int)in->parallel_gzip < 0 || in->parallel_gzip > FQP_PARALLEL_GZIP_OFF) {
        return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0, "config.parallel_gzip = %d is unknown",
                          (int)in->parallel_gzip);
    }
    if (!out->threads) out->threads = threads ? (int)(threads < FQP_MAX_THREADS ? threads : FQP_MAX_THREADS)
                                              : fqp_default_threads();
    if (!out->batch_records) out->batch_records = records ? records : FQP__DEFAULT_BATCH_RECORDS;
    if (!out->batch_bytes) out->batch_bytes = bytes ? bytes : FQP__DEFAULT_BATCH_BYTES;
    if (!out->queue_depth) out->queue_depth = depth ? (size_t)depth : (size_t)(out->threads < 2 ? 2 : out->threads);
    if (!out->read_size) out->read_size = FQP__DEFAULT_READ_SIZE;
    if (out->validate == FQP_VALIDATE_DEFAULT) out->validate = FQP_VALIDATE_ALL;
    return FQP_OK;
}

FASTQPAR_DEF fqp_result fqp_config_resolve(const fqp_config *in, fqp_config *out, fqp_error *err)
{
    if (!in || !out) return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0, "fqp_config_resolve: NULL config");
    return fqp__config_resolve(in, out, err);
}

/* ---- >>queue: bounded and blocking, usable on its own ---- */

struct fqp_queue {
    fqp__mutex mu;
    fqp__cond not_empty, not_full;
    void **items;        /* ring buffer */
    uint64_t ring_cap;
    size_t head, count;
    size_t capacity;     /* 0: unbounded */
    size_t high_water;
    int closed, cancelled;
    double push_wait, pop_wait;
    fqp_allocator alloc;
};

FASTQPAR_DEF fqp_result fqp_queue_create(fqp_queue **out, size_t capacity, const fqp_allocator *allocator)
{
    fqp_allocator a;
    fqp_queue *q;
    if (!out) return FQP_ERR_INVALID_ARGUMENT;
    *out = NULL;
    memset(&a, 0, sizeof a);
    if (allocator) a = *allocator;
    if ((a.alloc == NULL) != (a.free == NULL)) return FQP_ERR_INVALID_ARGUMENT;
    q = (fqp_queue *)fqp__calloc(&a, sizeof *q);
    if (!q) return FQP_ERR_NOMEM;
    q->alloc = a;
    q->capacity = capacity;
    if (fqp__reserve(&a, (void **)&q->items, &q->ring_cap, capacity ? capacity : 16, sizeof(void *)) != FQP_OK) {
        fqp__free(&a, q);
        return FQP_ERR_NOMEM;
    }
    if (!fqp__mutex_init(&q->mu)) goto fail_mu;
    if (!fqp__cond_init(&q->not_empty)) goto fail_ne;
    if (!fqp__cond_init(&q->not_full)) goto fail_nf;
    *out = q;
    return FQP_OK;
fail_nf:
    fqp__cond_destroy(&q->not_empty);
fail_ne:
    fqp__mutex_destroy(&q->mu);
fail_mu:
    fqp__free(&a, q->items);
    fqp__free(&a, q);
    return FQP_ERR_THREAD;
}

FASTQPAR_DEF void fqp_queue_destroy(fqp_queue *q)
{
    fqp_allocator a;
    if (!q) return;
    a = q->alloc;
    fqp__cond_destroy(&q->not_full);
    fqp__cond_destroy(&q->not_empty);
    fqp__mutex_destroy(&q->mu);
    fqp__free(&a, q->items);
    fqp__free(&a, q);
}

/* Unbounded queues grow their ring; the items are unrolled into the new one. */
static fqp_result fqp__queue_grow(fqp_queue *q)
{
    uint64_t n = q->ring_cap * 2, i;
    void **items;
    if (n > (uint64_t)SIZE_MAX / sizeof(void *)) return FQP_ERR_NOMEM;
    items = (void **)fqp__alloc(&q->alloc, (size_t)n * sizeof(void *));
    if (!items) return FQP_ERR_NOMEM;
    for (i = 0; i < q->count; i++) items[i] = q->items[(q->head + i) % q->ring_cap];
    fqp__free(&q->alloc, q->items);
    q->items = items;
    q->ring_cap = n;
    q->head = 0;
    return FQP_OK;
}

FASTQPAR_DEF fqp_result fqp_queue_push(fqp_queue *q, void *item)
{
    fqp_result r = FQP_OK;
    fqp__lock(&q->mu);
    if (q->capacity && q->count >= q->capacity && !q->closed && !q->cancelled) {
        double t0 = fqp__now();
        while (q->count >= q->capacity && !q->closed && !q->cancelled) fqp__wait(&q->not_full, &q->mu);
        q->push_wait += fqp__now() - t0;
    }
    if (q->closed || q->cancelled) r = FQP_ERR_CANCELLED;
    else if (q->count == q->ring_cap) r = fqp__queue_grow(q);
    if (r == FQP_OK) {
        q->items[(q->head + q->count) % q->ring_cap] = item;
        q->count++;
        if (q->count > q->high_water) q->high_water = q->count;
        fqp__signal(&q->not_empty);
    }
    fqp__unlock(&q->mu);
    return r;
}

/* Puts an item back at the front, past the capacity and after close: for a
   consumer handing back a batch it could not finish. Fails only when cancelled. */
static fqp_result fqp__queue_push_front(fqp_queue *q, void *item)
{
    fqp_result r = FQP_OK;
    fqp__lock(&q->mu);
    if (q->cancelled) r = FQP_ERR_CANCELLED;
    else if (q->count == q->ring_cap) r = fqp__queue_grow(q);
    if (r == FQP_OK) {
        q->head = (q->head + q->ring_cap - 1) % q->ring_cap;
        q->items[q->head] = item;
        q->count++;
        if (q->count > q->high_water) q->high_water = q->count;
        fqp__broadcast(&q->not_empty);
    }
    fqp__unlock(&q->mu);
    return r;
}

#ifndef FASTQPAR_NO_ZLIB
/* Never blocks: FQP_OK, or FQP_AGAIN when full, closed or cancelled (BGZF jobs). */
static fqp_result fqp__queue_try_push(fqp_queue *q, void *item)
{
    fqp_result r = FQP_AGAIN;
    fqp__lock(&q->mu);
    if (!q->closed && !q->cancelled && (!q->capacity || q->count < q->capacity) &&
        (q->count < q->ring_cap || fqp__queue_grow(q) == FQP_OK)) {
        q->items[(q->head + q->count) % q->ring_cap] = item;
        q->count++;
        if (q->count > q->high_water) q->high_water = q->count;
        fqp__signal(&q->not_empty);
        r = FQP_OK;
    }
    fqp__unlock(&q->mu);
    return r;
}
#endif

/* Takes the oldest item; the lock is held by the caller. */
static void *fqp__queue_take(fqp_queue *q)
{
    void *item = q->items[q->head];
    q->head = (q->head + 1) % q->ring_cap;
    q->count--;
    fqp__signal(&q->not_full);
    return item;
}

FASTQPAR_DEF fqp_result fqp_queue_pop(fqp_queue *q, void **item)
{
    fqp_result r = FQP_OK;
    fqp__lock(&q->mu);
    if (q->count == 0 && !q->closed && !q->cancelled) {
        double t0 = fqp__now();
        while (q->count == 0 && !q->closed && !q->cancelled) fqp__wait(&q->not_empty, &q->mu);
        q->pop_wait += fqp__now() - t0;
    }
    if (q->cancelled) r = FQP_ERR_CANCELLED;
    else if (q->count == 0) r = FQP_DONE;
    else *item = fqp__queue_take(q);
    fqp__unlock(&q->mu);
    return r;
}

FASTQPAR_DEF fqp_result fqp_queue_try_pop(fqp_queue *q, void **item)
{
    fqp_result r = FQP_OK;
    fqp__lock(&q->mu);
    if (q->cancelled) r = FQP_ERR_CANCELLED;
    else if (q->count) *item = fqp__queue_take(q);
    else r = q->closed ? FQP_DONE : FQP_AGAIN;
    fqp__unlock(&q->mu);
    return r;
}

FASTQPAR_DEF fqp_result fqp_queue_try_pop_any(fqp_queue *q, void **item)
{
    fqp_result r = FQP_AGAIN;
    fqp__lock(&q->mu);
    if (q->count) {
        *item = fqp__queue_take(q);
        r = FQP_OK;
    }
    fqp__unlock(&q->mu);
    return r;
}

/* Sets a closed/cancelled flag and wakes every waiter, who rechecks it. */
static void fqp__queue_flag(fqp_queue *q, int *flag)
{
    fqp__lock(&q->mu);
    *flag = 1;
    fqp__broadcast(&q->not_empty);
    fqp__broadcast(&q->not_full);
    fqp__unlock(&q->mu);
}

FASTQPAR_DEF void fqp_queue_close(fqp_queue *q) { fqp__queue_flag(q, &q->closed); }

FASTQPAR_DEF void fqp_queue_cancel(fqp_queue *q) { fqp__queue_flag(q, &q->cancelled); }

FASTQPAR_DEF size_t fqp_queue_depth(fqp_queue *q)
{
    size_t n;
    fqp__lock(&q->mu);
    n = q->count;
    fqp__unlock(&q->mu);
    return n;
}

FASTQPAR_DEF size_t fqp_queue_high_water(fqp_queue *q)
{
    size_t n;
    fqp__lock(&q->mu);
    n = q->high_water;
    fqp__unlock(&q->mu);
    return n;
}

FASTQPAR_DEF void fqp_queue_wait_seconds(fqp_queue *q, double *push_seconds, double *pop_seconds)
{
    fqp__lock(&q->mu);
    if (push_seconds) *push_seconds = q->push_wait;
    if (pop_seconds) *pop_seconds = q->pop_wait;
    fqp__unlock(&q->mu);
}

/* ---- >>job: what travels through a run's batch queue ----
   Every item in the queue is an fqp__job inside the thing it names, so a
   consumer switches on its kind instead of guessing from an address.
   Internal kinds are work the library does for itself (fqp__job_internal);
   the others reach the run's process() (fqp__worker_job). */
typedef enum fqp__job_kind {
    FQP__JOB_BATCH = 1, /* a batch of records (fqp__batch) */
    FQP__JOB_INFLATE,   /* the reader's own work (fqp__work): BGZF blocks, gzip chunks */
    FQP__JOB_PAIR       /* batch k of every mate file (fqp__pairslot) */
} fqp__job_kind;

typedef struct fqp__job {
    fqp__job_kind kind;
} fqp__job;

/* The struct that embeds `ptr` as its member `member`. */
#define FQP__OWNER(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* The reader's work in the batch queue (FQP__JOB_INFLATE): BGZF jobs and
   gzip chunks. An item is run by whichever thread claims it first: a
   consumer that popped it, or the producer when it needs the result (or has
   nothing better to do while waiting), so nothing ever waits on work that
   nobody runs. An item may sit in the queue after it was run or cancelled;
   whoever pops it then finds it not QUEUED and drops it. */
enum { FQP__WORK_FREE, FQP__WORK_QUEUED, FQP__WORK_RUNNING, FQP__WORK_DONE };

typedef struct fqp__workset {
    fqp__mutex mu;
    fqp__cond done_cv;    /* an item was run */
    double wait_seconds;  /* the producer, waiting for a consumer's item */
} fqp__workset;

typedef struct fqp__work {
    fqp__job job;                      /* FQP__JOB_INFLATE */
    int state;                         /* FQP__WORK_*, under set->mu */
    int in_queue;                      /* producer only: pushed since it was last queued */
    fqp__workset *set;
    void (*run)(struct fqp__work *w);  /* touches only its own item */
} fqp__work;

/* Any thread: runs a queued item unless someone else took it. */
static void fqp__work_run(fqp__work *w)
{
    fqp__workset *s = w->set;
    fqp__lock(&s->mu);
    if (w->state != FQP__WORK_QUEUED) {
        fqp__unlock(&s->mu);
        return;
    }
    w->state = FQP__WORK_RUNNING;
    fqp__unlock(&s->mu);
    w->run(w);
    fqp__lock(&s->mu);
    w->state = FQP__WORK_DONE;
    fqp__broadcast(&s->done_cv);
    fqp__unlock(&s->mu);
}

#ifndef FASTQPAR_NO_ZLIB /* only gzip input makes work */
static int fqp__workset_init(fqp__workset *s)
{
    if (!fqp__mutex_init(&s->mu)) return 0;
    if (fqp__cond_init(&s->done_cv)) return 1;
    fqp__mutex_destroy(&s->mu);
    return 0;
}

static void fqp__workset_destroy(fqp__workset *s)
{
    fqp__cond_destroy(&s->done_cv);
    fqp__mutex_destroy(&s->mu);
}

/* Producer: an item set up (before the first push, or again after it ran). */
static void fqp__work_queue(fqp__work *w)
{
    fqp__lock(&w->set->mu);
    w->state = FQP__WORK_QUEUED;
    fqp__unlock(&w->set->mu);
    w->in_queue = 0;
}

/* Producer: offers a queued item to the consumers without waiting for
   room; 0 when the queue is full (the item then stays the producer's). */
static int fqp__work_offer(fqp_queue *q, fqp__work *w)
{
    if (!q) return 0; /* single-threaded reading: the producer runs everything */
    if (w->in_queue) return 1;
    if (fqp__queue_try_push(q, &w->job) != FQP_OK) return 0;
    w->in_queue = 1;
    return 1;
}

/* Producer: until w is run. Meanwhile it runs what pick() returns, under
   the set's lock: another queued item, or NULL to wait for a consumer. */
static void fqp__work_wait(fqp__work *w, fqp__work *(*pick)(void *ctx), void *ctx)
{
    fqp__workset *s = w->set;
    fqp__work_run(w);
    fqp__lock(&s->mu);
    while (w->state != FQP__WORK_DONE) {
        fqp__work *other = pick ? pick(ctx) : NULL;
        if (other) {
            fqp__unlock(&s->mu);
            fqp__work_run(other);
            fqp__lock(&s->mu);
        } else {
            double t0 = fqp__now();
            fqp__wait(&s->done_cv, &s->mu);
            s->wait_seconds += fqp__now() - t0;
        }
    }
    fqp__unlock(&s->mu);
}

/* Producer: whether w has been run (not blocking). */
static int fqp__work_done(fqp__work *w)
{
    int done;
    fqp__lock(&w->set->mu);
    done = w->state == FQP__WORK_DONE;
    fqp__unlock(&w->set->mu);
    return done;
}

/* Producer: takes an item back. A queued one is never run; a running one
   is waited for, so that its buffers may be reused. */
static void fqp__work_cancel(fqp__work *w)
{
    fqp__workset *s = w->set;
    fqp__lock(&s->mu);
    while (w->state == FQP__WORK_RUNNING) fqp__wait(&s->done_cv, &s->mu);
    w->state = FQP__WORK_FREE;
    fqp__unlock(&s->mu);
}
#endif

/* ---- >>ordered: output in input order, without a writer thread ----
   One mechanism for a single-file run's batches and a paired run's slots.
   A finished item waits in its slot until every earlier one was emitted.
   Whoever finds the oldest one ready becomes the emitter and emits every
   ready item in order, outside the lock, so other consumers never wait for
   a write. emit() writes the item and recycles it. */
typedef fqp_result (*fqp__emit_fn)(void *ctx, void *item);

typedef struct fqp__ordered_slot {
    void *item;                  /* NULL: not ready */
    uint64_t index;
} fqp__ordered_slot;

typedef struct fqp__ordered {
    fqp__mutex mu;
    fqp__ordered_slot *slot;     /* item i waits in slot i % n */
    size_t n;
    uint64_t next;               /* the index to emit next */
    int writing, ready;
    fqp__emit_fn emit;
    void *ctx;
} fqp__ordered;

/* n: the most items in flight at once, so that slot i % n is free for i. */
static fqp_result fqp__ordered_init(fqp__ordered *o, const fqp_allocator *a, size_t n, fqp__emit_fn emit, void *ctx)
{
    memset(o, 0, sizeof *o);
    if (!(o->slot = (fqp__ordered_slot *)fqp__calloc(a, n * sizeof *o->slot))) return FQP_ERR_NOMEM;
    if (!fqp__mutex_init(&o->mu)) return FQP_ERR_THREAD;
    o->n = n;
    o->emit = emit;
    o->ctx = ctx;
    o->ready = 1;
    return FQP_OK;
}

static void fqp__ordered_free(fqp__ordered *o, const fqp_allocator *a)
{
    if (o->ready) fqp__mutex_destroy(&o->mu);
    fqp__free(a, o->slot);
    memset(o, 0, sizeof *o);
}

/* Consumer thread: item `index` is done. FQP_ERR_WRITE when an emit this
   call made failed (the emitter has failed the run). */
static fqp_result fqp__ordered_release(fqp__ordered *o, uint64_t index, void *item)
{
    fqp_result r = FQP_OK;
    fqp__lock(&o->mu);
    o->slot[index % o->n].item = item;
    o->slot[index % o->n].index = index;
    if (o->writing) {
        fqp__unlock(&o->mu);
        return FQP_OK;
    }
    o->writing = 1;
    for (;;) {
        fqp__ordered_slot *s = &o->slot[o->next % o->n];
        void *ready = s->item;
        if (!ready || s->index != o->next) break;
        s->item = NULL;
        fqp__unlock(&o->mu);
        if (o->emit(o->ctx, ready) != FQP_OK) r = FQP_ERR_WRITE;
        fqp__lock(&o->mu);
        o->next++;
    }
    o->writing = 0;
    fqp__unlock(&o->mu);
    return r;
}

/* ---- >>seams: how the core path reaches the optional blocks after it ----
   The reader, the producer and the run engine call the blocks that come
   after them (BGZF input, the writer) only through these; each is defined
   in the block named. */
typedef struct fqp__reader fqp__reader;
typedef struct fqp__batch fqp__batch;
/* >>bgzf-in (stubs without zlib) */
static void fqp__bgzin_close(fqp__reader *r);
static void fqp__bgzin_metrics(const fqp__reader *r, fqp_metrics *m);
#ifndef FASTQPAR_NO_ZLIB
static fqp_result fqp__bgzin_open(fqp__reader *r, fqp_error *err);
static fqp_result fqp__bgzin_read(fqp__reader *r, unsigned char *out, size_t size, size_t *got, fqp_error *err);
static fqp_result fqp__bgzin_block_at(fqp__reader *r, uint64_t at, uint64_t *bsize, uint64_t *isize, int *found,
                                      fqp_error *err);
static fqp_result fqp__bgzin_inflate_blocks(fqp__reader *r, unsigned char *in, size_t n, uint64_t in_offset,
                                            unsigned char *out, size_t *out_len, fqp_error *err);
#endif
/* >>shard: one input split across processes (NULL: not sharded) */
typedef struct fqp__shard fqp__shard;
static fqp_result fqp__shard_open(fqp__reader *r, const fqp_input_desc *in, fqp__shard **out, uint64_t *origin,
                                  fqp_error *err);
/* whether a record starting at text offset `at` is a later shard's; *stop
   then gets where the next shard starts */
static int fqp__shard_past(const fqp__shard *sh, uint64_t at, uint64_t *stop);
static void fqp__shard_free(fqp__shard *sh, const fqp_allocator *a);
/* >>writer: a batch's BGZF output (made on the consumer's thread), and text
   handed to an fqp_writer by the ordered sink */
static fqp_result fqp__batch_encode(fqp_producer *p, fqp__batch *b, fqp_error *e);
static void fqp__batch_zfree(const fqp_allocator *a, fqp__batch *b);
static fqp_result fqp__writer_take(fqp_writer *w, const void *data, size_t size);
static void fqp__writer_copy_err(const fqp_writer *w, fqp_error *err);

/* ---- >>codec [optional]: zlib, and ISA-L and libdeflate loaded at run time ----
   One symbol list per library makes its function table; the table is
   filled once per process (dlopen + dlsym, or the linked functions under
   FASTQPAR_USE_ISAL / FASTQPAR_USE_LIBDEFLATE) and never unloaded. A
   missing library or symbol only makes the backend unavailable. ISA-L's
   state structs are used through mirrors of their ABI (libisal.so.2): the
   few fields touched are at fixed offsets, the memory is over-allocated,
   and a self-check on first load (inflate a member, deflate a block, with
   zlib as the judge) turns a library with another layout into "not
   available" instead of memory damage. tests/test_codec.c checks the
   offsets against <isa-l/igzip_lib.h> where it is installed. */
#ifndef FASTQPAR_NO_ZLIB
#if !defined(FQP__DLOPEN) && !defined(FASTQPAR_NO_DLOPEN) && (defined(__unix__) || defined(__APPLE__)) && \
    !(defined(FASTQPAR_USE_ISAL) && defined(FASTQPAR_USE_LIBDEFLATE))
#include <dlfcn.h>
#define FQP__DLOPEN 1
#endif

struct inflate_state;   /* ISA-L's; through pointers only (the mirror below) */
struct isal_zstream;
struct libdeflate_compressor;
struct libdeflate_decompressor;

#ifdef FASTQPAR_USE_LIBDEFLATE
#define FQP__LD_RESULT enum libdeflate_result
#else
#define FQP__LD_RESULT int
#endif

/* X(return type, name, parameters): every entry point used. */
#define FQP__ISAL_LIST(X)                                                                      \
    X(void, isal_inflate_init, (struct inflate_state * s))                                     \
    X(void, isal_inflate_reset, (struct inflate_state * s))                                    \
    X(int, isal_inflate, (struct inflate_state * s))                                           \
    X(int, isal_inflate_stateless, (struct inflate_state * s))                                 \
    X(void, isal_deflate_init, (struct isal_zstream * s))                                      \
    X(void, isal_deflate_stateless_init, (struct isal_zstream * s))                            \
    X(int, isal_deflate, (struct isal_zstream * s))                                            \
    X(int, isal_deflate_stateless, (struct isal_zstream * s))                                  \
    X(uint32_t, crc32_gzip_refl, (uint32_t crc, const unsigned char *buf, uint64_t len))
#define FQP__LIBDEFLATE_LIST(X)                                                                \
    X(struct libdeflate_decompressor *, libdeflate_alloc_decompressor, (void))                 \
    X(void, libdeflate_free_decompressor, (struct libdeflate_decompressor * d))                \
    X(FQP__LD_RESULT, libdeflate_deflate_decompress_ex,                                        \
      (struct libdeflate_decompressor * d, const void *in, size_t in_size, void *out,          \
       size_t out_size, size_t *in_used, size_t *out_used))                                    \
    X(struct libdeflate_compressor *, libdeflate_alloc_compressor, (int level))                \
    X(void, libdeflate_free_compressor, (struct libdeflate_compressor * c))                    \
    X(size_t, libdeflate_deflate_compress,                                                     \
      (struct libdeflate_compressor * c, const void *in, size_t in_size, void *out, size_t out_size)) \
    X(uint32_t, libdeflate_crc32, (uint32_t crc, const void *buf, size_t len))

#define FQP__API_FIELD(ret, name, params) ret(*name) params;
typedef struct fqp__isal_api { FQP__ISAL_LIST(FQP__API_FIELD) } fqp__isal_api;
typedef struct fqp__libdeflate_api { FQP__LIBDEFLATE_LIST(FQP__API_FIELD) } fqp__libdeflate_api;
#undef FQP__API_FIELD

/* libisal.so.2's ABI: sizes of its state structs (allocated with room to
   spare), offsets of the fields used, and its constants. */
#define FQP__ISAL_STATE_BYTES (160u << 10)   /* inflate_state: 87,368 in 2.30 */
#define FQP__ISAL_STREAM_BYTES (160u << 10)  /* isal_zstream: 82,384 in 2.30 */
#define FQP__ISAL_STREAM_USED 82384u          /* cleared before each use (the rest stays zero) */
#define FQP__ISAL_LEVEL_BUF 348160u           /* ISAL_DEF_LVL3_DEFAULT, the largest used */
enum {
    FQP__II_NEXT_OUT = 0, FQP__II_AVAIL_OUT = 8, FQP__II_TOTAL_OUT = 12, FQP__II_NEXT_IN = 16,
    FQP__II_AVAIL_IN = 32, FQP__II_READ_IN_LENGTH = 36, FQP__II_BLOCK_STATE = 21160, FQP__II_CRC_FLAG = 21172,
    FQP__IZ_NEXT_IN = 0, FQP__IZ_AVAIL_IN = 8, FQP__IZ_TOTAL_IN = 12, FQP__IZ_NEXT_OUT = 16, FQP__IZ_AVAIL_OUT = 24,
    FQP__IZ_TOTAL_OUT = 28, FQP__IZ_LEVEL = 40, FQP__IZ_LEVEL_BUF_SIZE = 44, FQP__IZ_LEVEL_BUF = 48,
    FQP__IZ_END_OF_STREAM = 56, FQP__IZ_FLUSH = 58, FQP__IZ_GZIP_FLAG = 60, FQP__IZ_STATE = 84,
    FQP__ISAL_BLOCK_NEW_HDR = 0, FQP__ISAL_BLOCK_FINISH = 5, FQP__ISAL_GZIP_EXTRA_LEN = 6, FQP__ISAL_GZIP_HCRC = 10, FQP__ISAL_GZIP = 1, FQP__ISAL_DECOMP_OK = 0, FQP__ISAL_END_INPUT = 1,
    FQP__ISAL_OUT_OVERFLOW = 2, FQP__ISAL_INVALID_WRAPPER = -4, FQP__ISAL_UNSUPPORTED_METHOD = -5,
    FQP__ISAL_INCORRECT_CHECKSUM = -6, FQP__ISAL_ZSTATE_END = 11, FQP__ISAL_COMP_OK = 0, FQP__IGZIP_GZIP = 1
};

static void fqp__put32(unsigned char *base, size_t off, uint32_t v) { memcpy(base + off, &v, 4); }
static uint32_t fqp__get32(const unsigned char *base, size_t off)
{
    uint32_t v;
    memcpy(&v, base + off, 4);
    return v;
}
static void fqp__put16(unsigned char *base, size_t off, uint16_t v) { memcpy(base + off, &v, 2); }
static void fqp__putp(unsigned char *base, size_t off, const void *p) { memcpy(base + off, &p, sizeof p); }
static unsigned char *fqp__getp(const unsigned char *base, size_t off)
{
    unsigned char *p;
    memcpy(&p, base + off, sizeof p);
    return p;
}

typedef struct fqp__codec_lib {
    int ok;                      /* usable */
    char why[256];               /* why not */
} fqp__codec_lib;

/* zlib allocates through the configured allocator too (also the BGZF writer). */
static voidpf fqp__zalloc(voidpf opaque, uInt items, uInt size)
{
    if (size && items > SIZE_MAX / size) return Z_NULL;
    return fqp__alloc((const fqp_allocator *)opaque, (size_t)items * size);
}
static void fqp__zfree(voidpf opaque, voidpf ptr) { fqp__free((const fqp_allocator *)opaque, ptr); }

static fqp__isal_api fqp__isal;
static fqp__libdeflate_api fqp__ld;
static fqp__codec_lib fqp__isal_lib, fqp__ld_lib;
static fqp__once_flag fqp__codec_once = FQP__ONCE_INIT;

#ifdef FQP__DLOPEN
/* dlopen + every symbol of the list; 0 and a reason when any is missing. */
static int fqp__codec_dlopen(const char *path, const char *const *names, size_t n, void **fns, char *why, size_t cap)
{
    void *h;
    size_t i;
#if defined(__GLIBC__) && defined(RTLD_NOLOAD)
    void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
    if (!libc) { /* a static binary: a loaded library would bring a second libc */
        snprintf(why, cap, "this program is linked statically and cannot load %s (build with FASTQPAR_USE_*)", path);
        return 0;
    }
    dlclose(libc);
#endif
    if (!(h = dlopen(path, RTLD_NOW | RTLD_LOCAL))) {
        const char *e = dlerror();
        snprintf(why, cap, "cannot load %s: %s", path, e ? e : "unknown error");
        return 0;
    }
    for (i = 0; i < n; i++) {
        void *f = dlsym(h, names[i]);
        if (!f) {
            snprintf(why, cap, "%s has no %s (too old?)", path, names[i]);
            dlclose(h);
            return 0;
        }
        fns[i] = f;
    }
    return 1; /* kept loaded for the life of the process */
}
#endif

static int fqp__isal_selfcheck(void);
static int fqp__ld_selfcheck(void);

#if defined(FQP__DLOPEN) && (!defined(FASTQPAR_USE_ISAL) || !defined(FASTQPAR_USE_LIBDEFLATE))
/* One library's table from its symbol list, by dlopen. */
static void fqp__codec_open(fqp__codec_lib *lib, const char *var, const char *soname, const char *const *names,
                            size_t n, void *table, size_t table_size)
{
    void *fns[16]; /* more than either list has */
    if (n > sizeof fns / sizeof fns[0]) return;
    if ((lib->ok = fqp__codec_dlopen(fqp__library_path(var, soname), names, n, fns, lib->why, sizeof lib->why)))
        memcpy(table, fns, table_size); /* POSIX: function pointers survive void * */
}
#endif
#define FQP__API_NAME(ret, name, params) #name,
#define FQP__API_LINK(ret, name, params) t->name = name;

/* Once per process: fills both tables. */
static void fqp__codec_load_once(void)
{
#if defined(FASTQPAR_USE_ISAL)
    {
        fqp__isal_api *t = &fqp__isal;
        FQP__ISAL_LIST(FQP__API_LINK)
        fqp__isal_lib.ok = 1;
    }
#elif defined(FQP__DLOPEN)
    {
        static const char *const names[] = {FQP__ISAL_LIST(FQP__API_NAME)};
        fqp__codec_open(&fqp__isal_lib, "FASTQPAR_ISAL_LIBRARY", "libisal.so.2", names, sizeof names / sizeof names[0],
                        &fqp__isal, sizeof fqp__isal);
    }
#else
    snprintf(fqp__isal_lib.why, sizeof fqp__isal_lib.why, "no dlopen in this build");
#endif
#if defined(FASTQPAR_USE_LIBDEFLATE)
    {
        fqp__libdeflate_api *t = &fqp__ld;
        FQP__LIBDEFLATE_LIST(FQP__API_LINK)
        fqp__ld_lib.ok = 1;
    }
#elif defined(FQP__DLOPEN)
    {
        static const char *const names[] = {FQP__LIBDEFLATE_LIST(FQP__API_NAME)};
        fqp__codec_open(&fqp__ld_lib, "FASTQPAR_LIBDEFLATE_LIBRARY", "libdeflate.so.0", names,
                        sizeof names / sizeof names[0], &fqp__ld, sizeof fqp__ld);
    }
#else
    snprintf(fqp__ld_lib.why, sizeof fqp__ld_lib.why, "no dlopen in this build");
#endif
    if (fqp__isal_lib.ok && !fqp__isal_selfcheck()) {
        fqp__isal_lib.ok = 0;
        snprintf(fqp__isal_lib.why, sizeof fqp__isal_lib.why,
                 "the loaded ISA-L failed fastqpar's self-check (not the libisal.so.2 ABI it was written for)");
    }
    if (fqp__ld_lib.ok && !fqp__ld_selfcheck()) {
        fqp__ld_lib.ok = 0;
        snprintf(fqp__ld_lib.why, sizeof fqp__ld_lib.why, "the loaded libdeflate failed fastqpar's self-check");
    }
}
#undef FQP__API_NAME
#undef FQP__API_LINK

static void fqp__codec_load(void)
{
    fqp__once(&fqp__codec_once, fqp__codec_load_once);
}

static int fqp__codec_usable(fqp_codec c, char *why, size_t cap)
{
    const fqp__codec_lib *lib;
    const char *what, *pkg;
    if (c == FQP_CODEC_ZLIB || c == FQP_CODEC_AUTO) return 1;
    fqp__codec_load();
    lib = c == FQP_CODEC_ISAL ? &fqp__isal_lib : &fqp__ld_lib;
    what = c == FQP_CODEC_ISAL ? "ISA-L (libisal.so.2)" : "libdeflate (libdeflate.so.0)";
    pkg = c == FQP_CODEC_ISAL ? "libisal2" : "libdeflate0";
    if (lib->ok) return 1;
    if (why && cap)
        snprintf(why, cap, "%s: %s%s%s", what, lib->why, strncmp(lib->why, "cannot load", 11) == 0 ? "; install the Debian package " : "",
                 strncmp(lib->why, "cannot load", 11) == 0 ? pkg : "");
    return 0;
}

/* The backend for a job: `asked` as resolved (AUTO, or one that loaded),
   `order` the job's preference list, ending in ZLIB. */
static fqp_codec fqp__codec_pick(fqp_codec asked, const fqp_codec *order)
{
    size_t i;
    for (i = 0; order[i] != FQP_CODEC_ZLIB; i++)
        if ((asked == FQP_CODEC_AUTO || asked == order[i]) && fqp__codec_usable(order[i], NULL, 0)) return order[i];
    return FQP_CODEC_ZLIB;
}
static const fqp_codec fqp__order_stream[] = {FQP_CODEC_ISAL, FQP_CODEC_ZLIB};
static const fqp_codec fqp__order_block[] = {FQP_CODEC_LIBDEFLATE, FQP_CODEC_ISAL, FQP_CODEC_ZLIB};

/* CRC-32 of gzip, by the fastest library present. */
static uint32_t fqp__crc32(uint32_t crc, const void *data, size_t n)
{
    if (!n) return crc; /* zlib and libdeflate return 0 for a NULL buffer, whatever crc */
    fqp__codec_load(); /* the tables are read only after it (an atomic check once loaded) */
    if (fqp__ld_lib.ok) return fqp__ld.libdeflate_crc32(crc, data, n);
    if (fqp__isal_lib.ok) return fqp__isal.crc32_gzip_refl(crc, (const unsigned char *)data, n);
    while (n) { /* zlib's length is 32-bit */
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        crc = (uint32_t)crc32((uLong)crc, (const Bytef *)data, k);
        data = (const char *)data + k;
        n -= k;
    }
    return crc;
}

/* ISA-L inflate state: a zeroed mirror, inited by the library. */
static unsigned char *fqp__isal_state_new(const fqp_allocator *a)
{
    unsigned char *s = (unsigned char *)fqp__calloc(a, FQP__ISAL_STATE_BYTES);
    if (s) fqp__isal.isal_inflate_init((struct inflate_state *)s);
    return s;
}

/* Raw deflate of one BGZF block's data with ISA-L (stateless). -1: corrupt,
   0: ok (*in_used, *out_used), 1: more output than out_size. */
static int fqp__isal_inflate_block(unsigned char *s, const unsigned char *in, size_t in_size, unsigned char *out,
                                   size_t out_size, size_t *in_used, size_t *out_used)
{
    int r;
    fqp__isal.isal_inflate_init((struct inflate_state *)s);
    fqp__putp(s, FQP__II_NEXT_IN, in);
    fqp__put32(s, FQP__II_AVAIL_IN, (uint32_t)in_size);
    fqp__putp(s, FQP__II_NEXT_OUT, out);
    fqp__put32(s, FQP__II_AVAIL_OUT, (uint32_t)out_size);
    r = fqp__isal.isal_inflate_stateless((struct inflate_state *)s);
    *in_used = in_size - fqp__get32(s, FQP__II_AVAIL_IN);
    *out_used = fqp__get32(s, FQP__II_TOTAL_OUT);
    return r == FQP__ISAL_DECOMP_OK ? 0 : r == FQP__ISAL_OUT_OVERFLOW ? 1 : -1;
}

/* A level (see "levels" at fqp_writer_desc) as ISA-L counts: 1..3. */
static int fqp__level_isal(int level) { return level == 0 ? 2 : level <= 3 ? 1 : level <= 6 ? 2 : 3; }

/* An ISA-L deflate stream, ready for the level. Stateless (BGZF blocks) or
   a gzip stream (the writer's single member). */
static int fqp__isal_deflate_prepare(unsigned char *z, unsigned char *buf, int level, int stream)
{
    /* ISAL_DEF_LVL{1,2,3}_DEFAULT. ISA-L does not clear its hash table
       between stateless calls, and stale entries change which matches it
       finds: cleared, each block's bytes depend on its text alone (and the
       output on no thread count). About 10% of the block's time. */
    static const uint32_t buf_size[4] = {0, 282624, 331776, 348160};
    int isal_level = fqp__level_isal(level);
    memset(z, 0, FQP__ISAL_STREAM_USED);
    memset(buf, 0, buf_size[isal_level]);
    if (stream) fqp__isal.isal_deflate_init((struct isal_zstream *)z);
    else fqp__isal.isal_deflate_stateless_init((struct isal_zstream *)z);
    fqp__put32(z, FQP__IZ_LEVEL, (uint32_t)isal_level);
    fqp__putp(z, FQP__IZ_LEVEL_BUF, buf);
    fqp__put32(z, FQP__IZ_LEVEL_BUF_SIZE, buf_size[isal_level]);
    if (stream) fqp__put16(z, FQP__IZ_GZIP_FLAG, FQP__IGZIP_GZIP);
    return 1;
}

/* A known member, inflated by ISA-L's streaming inflate and by its
   stateless one; a block deflated by ISA-L and inflated by zlib. */
static const unsigned char fqp__selfcheck_gz[] = {
    0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x73, 0x28, 0xe2, 0x72, 0x74, 0x76, 0x0f,
    0xe1, 0xd2, 0xe6, 0xf2, 0x04, 0x02, 0x2e, 0x00, 0xdc, 0x35, 0xf9, 0x6b, 0x0f, 0x00, 0x00, 0x00};
static const char fqp__selfcheck_text[] = "@r\nACGT\n+\nIIII\n";

static int fqp__selfcheck_zlib(const unsigned char *raw, size_t n, int gzip)
{
    unsigned char out[64];
    z_stream zs;
    int zr;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, gzip ? 31 : -15) != Z_OK) return 0;
    zs.next_in = (Bytef *)(uintptr_t)raw;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = sizeof out;
    zr = inflate(&zs, Z_FINISH);
    inflateEnd(&zs);
    return zr == Z_STREAM_END && zs.total_out == sizeof fqp__selfcheck_text - 1 &&
           memcmp(out, fqp__selfcheck_text, sizeof fqp__selfcheck_text - 1) == 0;
}

static int fqp__isal_selfcheck(void)
{
    static const fqp_allocator plain = {NULL, NULL, NULL, NULL};
    unsigned char *s = fqp__isal_state_new(&plain), *z = NULL, out[256], *lb = NULL;
    size_t used, got;
    int ok = 0, i;
    if (!s) return 0;
    /* streaming, gzip wrapper: all text, then the member's end */
    fqp__put32(s, FQP__II_CRC_FLAG, FQP__ISAL_GZIP);
    fqp__putp(s, FQP__II_NEXT_IN, fqp__selfcheck_gz);
    fqp__put32(s, FQP__II_AVAIL_IN, sizeof fqp__selfcheck_gz);
    fqp__putp(s, FQP__II_NEXT_OUT, out);
    fqp__put32(s, FQP__II_AVAIL_OUT, sizeof out);
    if (fqp__isal.isal_inflate((struct inflate_state *)s) != FQP__ISAL_DECOMP_OK ||
        fqp__get32(s, FQP__II_BLOCK_STATE) != FQP__ISAL_BLOCK_FINISH ||
        fqp__get32(s, FQP__II_TOTAL_OUT) != sizeof fqp__selfcheck_text - 1 ||
        memcmp(out, fqp__selfcheck_text, sizeof fqp__selfcheck_text - 1) != 0)
        goto done;
    /* the same member's deflate data, stateless */
    if (fqp__isal_inflate_block(s, fqp__selfcheck_gz + 10, sizeof fqp__selfcheck_gz - 18, out, sizeof out, &used,
                                &got) != 0 || got != sizeof fqp__selfcheck_text - 1 || used != sizeof fqp__selfcheck_gz - 18)
        goto done;
    /* deflate through the writers' own set-up: stateless raw at each of ISA-L's
       levels (it picks each level's code for this CPU on its first call: here,
       on one thread under call_once, not first in the consumers), then a gzip stream */
    if (!(z = (unsigned char *)fqp__calloc(&plain, FQP__ISAL_STREAM_BYTES)) ||
        !(lb = (unsigned char *)fqp__alloc(&plain, FQP__ISAL_LEVEL_BUF)))
        goto done;
    for (i = 0; i < 4; i++) {
        static const int level[4] = {1, 4, 7, 1}; /* ISA-L's 1, 2, 3; the last a stream */
        fqp__isal_deflate_prepare(z, lb, level[i], i == 3);
        fqp__putp(z, FQP__IZ_NEXT_IN, fqp__selfcheck_text);
        fqp__put32(z, FQP__IZ_AVAIL_IN, sizeof fqp__selfcheck_text - 1);
        fqp__putp(z, FQP__IZ_NEXT_OUT, out);
        fqp__put32(z, FQP__IZ_AVAIL_OUT, sizeof out);
        fqp__put16(z, FQP__IZ_END_OF_STREAM, 1);
        if ((i < 3 ? fqp__isal.isal_deflate_stateless((struct isal_zstream *)z)
                   : fqp__isal.isal_deflate((struct isal_zstream *)z)) != FQP__ISAL_COMP_OK ||
            (i == 3 && fqp__get32(z, FQP__IZ_STATE) != FQP__ISAL_ZSTATE_END) ||
            !fqp__selfcheck_zlib(out, fqp__get32(z, FQP__IZ_TOTAL_OUT), i == 3))
            goto done;
    }
    ok = fqp__isal.crc32_gzip_refl(0, (const unsigned char *)fqp__selfcheck_text, sizeof fqp__selfcheck_text - 1) ==
         (uint32_t)crc32(0L, (const Bytef *)fqp__selfcheck_text, sizeof fqp__selfcheck_text - 1);
done:
    fqp__free(&plain, lb);
    fqp__free(&plain, z);
    fqp__free(&plain, s);
    return ok;
}

static int fqp__ld_selfcheck(void)
{
    unsigned char out[256];
    size_t used = 0, got = 0, n;
    struct libdeflate_decompressor *d = fqp__ld.libdeflate_alloc_decompressor();
    struct libdeflate_compressor *c = fqp__ld.libdeflate_alloc_compressor(1);
    int ok = d && c &&
             fqp__ld.libdeflate_deflate_decompress_ex(d, fqp__selfcheck_gz + 10, sizeof fqp__selfcheck_gz - 18, out,
                                                      sizeof out, &used, &got) == 0 &&
             got == sizeof fqp__selfcheck_text - 1 && memcmp(out, fqp__selfcheck_text, got) == 0 &&
             (n = fqp__ld.libdeflate_deflate_compress(c, fqp__selfcheck_text, sizeof fqp__selfcheck_text - 1, out,
                                                      sizeof out)) > 0 &&
             fqp__selfcheck_zlib(out, n, 0);
    if (d) fqp__ld.libdeflate_free_decompressor(d);
    if (c) fqp__ld.libdeflate_free_compressor(c);
    return ok;
}
#else
static int fqp__codec_usable(fqp_codec c, char *why, size_t cap)
{
    if (c == FQP_CODEC_ZLIB || c == FQP_CODEC_AUTO) return 1;
    if (why && cap) snprintf(why, cap, "built with FASTQPAR_NO_ZLIB");
    return 0;
}
#endif

FASTQPAR_DEF const char *fqp_codec_name(fqp_codec c)
{
    return c == FQP_CODEC_ZLIB ? "zlib" : c == FQP_CODEC_ISAL ? "isal" : c == FQP_CODEC_LIBDEFLATE ? "libdeflate" : "auto";
}

FASTQPAR_DEF int fqp_codec_available(fqp_codec c, char *why, size_t why_size)
{
    if (why && why_size) why[0] = 0;
    if (c == FQP_CODEC_AUTO) return 1;
    if ((int)c < 0 || c > FQP_CODEC_LIBDEFLATE) {
        if (why && why_size) snprintf(why, why_size, "unknown codec %d", (int)c);
        return 0;
    }
    return fqp__codec_usable(c, why, why_size);
}

/* ---- >>reader: sources ---- */

/* Producer thread only. Turns any source into a stream of text bytes.
   Gzip is recognised by its magic bytes in what was already read, so
   nothing is read twice and pipes work. */
typedef struct fqp__reader {
    const fqp_allocator *alloc;
    const char *name;
    FILE *fp;
    int own_fp;
    const unsigned char *mem;
    size_t mem_size, mem_pos;
    fqp_read_fn read;
    void *read_user;
    fqp_seek_fn seek;
    unsigned char *in;           /* compressed bytes, or the first plain bytes */
    uint64_t in_cap;
    size_t in_pos, in_len;
    size_t read_size;
    int detected, gzip, raw_eof;
    int rereadable;              /* memory, or a FILE* that can seek: a damaged member can be inflated again */
    long fp_base;                /* ftell of the FILE* when it was opened */
    uint64_t raw_bytes;          /* bytes taken from the source (a shard: its start counts) */
    uint64_t raw_start;          /* a shard: where in the source reading began */
    uint64_t text_bytes;         /* text bytes handed out */
    uint64_t text_skip;          /* a BGZF shard: text to drop before its first record */
    fqp_codec codec;             /* as resolved: AUTO or the backend asked for */
#ifndef FASTQPAR_NO_ZLIB
    fqp_codec stream_codec;      /* what inflates gzip streams: ZLIB (zs) or ISAL (isal) */
    z_stream zs;
    int zs_ready, in_member;
    unsigned char *isal;         /* ISA-L's inflate state */
    int drained;                 /* the last call made no progress without new input */
    int zs_failed;               /* FQP__Z_*: sticky, reported once the text before it is out */
    uint64_t member_at;          /* compressed offset of the member being inflated */
    uint64_t member_text;        /* its text handed out so far (ISA-L) */
    uint64_t skip;               /* zlib's replay: text ISA-L already handed out */
    int replayed;
    unsigned char *stage;        /* ISA-L's text, before it is handed out */
    size_t stage_pos, stage_len, stage_member; /* handed out; decoded; where the open member starts */
    int stage_end;               /* no more text: everything staged may go */
    fqp_result stage_code;       /* an error to report once the staged text is out */
    fqp_error stage_err;
#endif
    struct fqp__bgzin *bgzf;      /* BGZF jobs (see the BGZF section) */
    int bgzf_on;                 /* reading BGZF blocks now */
    struct fqp__pgzr *pgzr;      /* parallel gzip (>>pgzip) */
    int pgz_on;                  /* a member is being inflated in chunks */
    int pgz_switch;              /* the last read switched between that and the stream: nothing read yet */
    fqp_parallel_gzip parallel_gzip;
    int cores;                   /* usable cores, for parallel_gzip AUTO (0: not asked yet) */
    int threads;                 /* consumers: sizes the BGZF job ring */
    fqp_queue *jobs_queue;       /* where BGZF jobs go; NULL: inflate here */
} fqp__reader;

static fqp_result fqp__reader_open(fqp__reader *r, const fqp_input_desc *in, const fqp_allocator *alloc,
                                   size_t read_size, fqp_error *err)
{
    int sources = (in->path != NULL) + (in->file != NULL) + (in->data != NULL) + (in->read != NULL);
    memset(r, 0, sizeof *r);
    r->alloc = alloc;
    r->read_size = read_size;
    if (sources != 1)
        return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0,
                          "input needs exactly one of path, file, data or read (%d given)", sources);
    if (in->path) {
        r->name = in->name ? in->name : strcmp(in->path, "-") == 0 ? "<stdin>" : in->path;
        if (strcmp(in->path, "-") == 0) {
            r->fp = stdin;
        } else {
#if defined(__unix__) || defined(__APPLE__)
            struct stat st;
            if (stat(in->path, &st) == 0 && S_ISDIR(st.st_mode)) /* fopen would succeed and fread fail */
                return fqp__error(err, FQP_ERR_OPEN, r->name, 0, 0, 0, "cannot open: it is a directory");
#endif
            r->fp = fopen(in->path, "rb");
            if (!r->fp)
                return fqp__error(err, FQP_ERR_OPEN, r->name, 0, 0, 0, "cannot open: %s", strerror(errno));
            r->own_fp = 1;
        }
    } else if (in->file) {
        r->name = in->name ? in->name : "<file>";
        r->fp = in->file;
    } else if (in->data) {
        r->name = in->name ? in->name : "<memory>";
        r->mem = (const unsigned char *)in->data;
        r->mem_size = in->size;
    } else {
        r->name = in->name ? in->name : "<callback>";
        r->read = in->read;
        r->read_user = in->read_user;
        r->seek = in->seek;
    }
    if (fqp__reserve(alloc, (void **)&r->in, &r->in_cap, read_size, 1) != FQP_OK)
        return fqp__error(err, FQP_ERR_NOMEM, r->name, 0, 0, 0, "out of memory for the input buffer");
    r->rereadable = r->mem != NULL || r->seek != NULL;
    if (r->fp && (r->fp_base = ftell(r->fp)) >= 0) r->rereadable = 1; /* a pipe cannot tell */
    return FQP_OK;
}


#ifndef FASTQPAR_NO_ZLIB
static void fqp__pgzr_close(fqp__reader *r);
#endif

static void fqp__reader_close(fqp__reader *r)
{
    fqp__bgzin_close(r);
#ifndef FASTQPAR_NO_ZLIB
    fqp__pgzr_close(r);
    if (r->zs_ready) inflateEnd(&r->zs);
    fqp__free(r->alloc, r->isal);
    fqp__free(r->alloc, r->stage);
#endif
    if (r->own_fp && r->fp) fclose(r->fp);
    fqp__free(r->alloc, r->in);
    memset(r, 0, sizeof *r);
}

/* Reads up to `size` bytes from the source. *got == 0 only at end of input;
   a failing source is an error, never an early end. */
static fqp_result fqp__raw_read(fqp__reader *r, void *buf, size_t size, size_t *got, fqp_error *err)
{
    *got = 0;
    if (r->raw_eof || size == 0) return FQP_OK;
    if (r->mem) {
        size_t n = r->mem_size - r->mem_pos < size ? r->mem_size - r->mem_pos : size;
        memcpy(buf, r->mem + r->mem_pos, n);
        r->mem_pos += n;
        *got = n;
    } else if (r->fp) {
        *got = fread(buf, 1, size, r->fp);
        if (*got == 0 && ferror(r->fp))
            return fqp__error(err, FQP_ERR_READ, r->name, 0, 0, 0, "read error after %llu bytes: %s",
                              (unsigned long long)r->raw_bytes, strerror(errno));
    } else {
        int64_t n = r->read(r->read_user, buf, size);
        if (n < 0 || (uint64_t)n > size)
            return fqp__error(err, FQP_ERR_READ, r->name, 0, 0, 0,
                              "read callback returned %lld after %llu bytes", (long long)n,
                              (unsigned long long)r->raw_bytes);
        *got = (size_t)n;
    }
    if (*got == 0) r->raw_eof = 1;
    r->raw_bytes += *got;
    return FQP_OK;
}

/* Makes at least `want` bytes available at r->in + r->in_pos unless the
   source ends first. Moves unread bytes to the front to make room. */
static fqp_result fqp__fill_in(fqp__reader *r, size_t want, fqp_error *err)
{
    while (r->in_len - r->in_pos < want && !r->raw_eof) {
        size_t got;
        fqp_result res;
        if (r->in_pos) {
            memmove(r->in, r->in + r->in_pos, r->in_len - r->in_pos);
            r->in_len -= r->in_pos;
            r->in_pos = 0;
        }
        res = fqp__raw_read(r, r->in + r->in_len, (size_t)r->in_cap - r->in_len, &got, err);
        if (res != FQP_OK) return res;
        r->in_len += got;
    }
    return FQP_OK;
}

/* The reader's interface for shards (>>shard), used before the first read.
   The source's size in bytes from where it started; FQP_ERR_SHARD for a
   source that cannot seek (stdin from a pipe, a FIFO, a read callback). */
static fqp_result fqp__reader_size(fqp__reader *r, uint64_t *size, fqp_error *err)
{
    if (r->mem) {
        *size = r->mem_size;
        return FQP_OK;
    }
    if (r->fp && r->fp_base >= 0 && fseek(r->fp, 0, SEEK_END) == 0) {
        long end = ftell(r->fp);
        if (end >= r->fp_base) {
            *size = (uint64_t)(end - r->fp_base);
            return FQP_OK;
        }
    }
    return fqp__error(err, FQP_ERR_SHARD, r->name, 0, 0, 0,
                      "cannot be sharded by bytes: the input cannot seek (stdin from a pipe, a FIFO or a "
                      "read callback); read it whole, or shard by file");
}

/* A FILE* source to byte `at` from where it started (long: 64-bit on LP64
   systems, so files over 2 GiB need a 64-bit long). */
static fqp_result fqp__reader_seek_to(fqp__reader *r, uint64_t at, fqp_error *err)
{
    if (!r->fp || at > (uint64_t)(LONG_MAX - r->fp_base) || fseek(r->fp, r->fp_base + (long)at, SEEK_SET) != 0)
        return fqp__error(err, FQP_ERR_READ, r->name, 0, 0, 0, "cannot seek to byte %llu: %s",
                          (unsigned long long)at, strerror(errno));
    clearerr(r->fp);
    return FQP_OK;
}

/* Reads source bytes [at, at + n) into buf (*got < n only at its end). */
static fqp_result fqp__reader_pread(fqp__reader *r, uint64_t at, void *buf, size_t n, size_t *got, fqp_error *err)
{
    fqp_result res;
    *got = 0;
    if (r->mem) {
        if (at < r->mem_size) {
            *got = r->mem_size - at < n ? (size_t)(r->mem_size - at) : n;
            memcpy(buf, r->mem + at, *got);
        }
        return FQP_OK;
    }
    if ((res = fqp__reader_seek_to(r, at, err)) != FQP_OK) return res;
    *got = fread(buf, 1, n, r->fp);
    if (*got < n && ferror(r->fp))
        return fqp__error(err, FQP_ERR_READ, r->name, 0, 0, 0, "read error at byte %llu: %s",
                          (unsigned long long)at, strerror(errno));
    return FQP_OK;
}

/* Reading starts at source byte `at` (compressed offsets in messages stay
   those of the whole file) and drops the first text_skip text bytes. */
static fqp_result fqp__reader_start_at(fqp__reader *r, uint64_t at, uint64_t text_skip, fqp_error *err)
{
    if (r->mem) {
        r->mem_pos = at < r->mem_size ? (size_t)at : r->mem_size;
    } else {
        fqp_result res = fqp__reader_seek_to(r, at, err);
        if (res != FQP_OK) return res;
    }
    r->raw_bytes = r->raw_start = at;
    r->text_skip = text_skip;
    return FQP_OK;
}

/* ---- >>gzip [optional]: gzip streams, inflated on the producer thread ---- */
#ifndef FASTQPAR_NO_ZLIB
/* How one inflate call ended, the same for every backend. */
enum { FQP__Z_OK, FQP__Z_END, FQP__Z_HEADER, FQP__Z_DATA, FQP__Z_CHECK, FQP__Z_NOMEM };

/* The message of a corrupt member: one text per kind, whichever backend. */
static const char *fqp__zwhy(int z)
{
    return z == FQP__Z_HEADER ? "invalid gzip header"
           : z == FQP__Z_CHECK ? "incorrect data check (the member's CRC-32 or length)"
                               : "invalid deflate data";
}

/* Producer thread: the error for bytes at compressed offset `at` that are
   not another member. How many there are is counted to the source's end, up
   to a limit, so the message does not depend on how the source was read. */
static fqp_result fqp__trailing(fqp__reader *r, uint64_t at, fqp_error *err)
{
    const size_t limit = 4096;
    size_t n;
    fqp_result res;
    if (fqp__reserve(r->alloc, (void **)&r->in, &r->in_cap, limit + 1, 1) == FQP_OK &&
        (res = fqp__fill_in(r, limit + 1, err)) != FQP_OK)
        return res;
    n = r->in_len - r->in_pos;
    if (n > limit)
        return fqp__error(err, FQP_ERR_GZIP_TRAILING, r->name, 0, 0, at,
                          "more than %llu bytes after the gzip data end at compressed byte %llu are not another gzip "
                          "member", (unsigned long long)limit, (unsigned long long)at);
    return fqp__error(err, FQP_ERR_GZIP_TRAILING, r->name, 0, 0, at,
                      "%llu bytes after the gzip data end at compressed byte %llu are not another gzip member",
                      (unsigned long long)n, (unsigned long long)at);
}

/* Producer thread: starts the backend on a new member. */
static int fqp__stream_reset(fqp__reader *r)
{
    if (r->stream_codec == FQP_CODEC_ISAL) {
        fqp__isal.isal_inflate_reset((struct inflate_state *)r->isal);
        fqp__put32(r->isal, FQP__II_CRC_FLAG, FQP__ISAL_GZIP);
        return 1;
    }
    return inflateReset(&r->zs) == Z_OK;
}

/* Producer thread: one inflate call from r->in[in_pos..in_len) into
   out[*produced..size); FQP__Z_END leaves in_pos just after the member.
   ISA-L reads ahead: at a member's end it says how many bits it holds
   (read_in_length), and those whole bytes are given back. They are still
   in r->in because r->in is refilled only after a call that made no
   progress on what ISA-L holds (fqp__inflate's `drained`). */
static int fqp__stream_step(fqp__reader *r, unsigned char *out, size_t size, size_t *produced)
{
    size_t in_avail = r->in_len - r->in_pos, out_avail = size - *produced;
    if (r->stream_codec == FQP_CODEC_ISAL) {
        unsigned char *s = r->isal;
        int ir;
        fqp__putp(s, FQP__II_NEXT_IN, r->in + r->in_pos);
        fqp__put32(s, FQP__II_AVAIL_IN, (uint32_t)(in_avail < UINT32_MAX ? in_avail : UINT32_MAX));
        fqp__putp(s, FQP__II_NEXT_OUT, out + *produced);
        fqp__put32(s, FQP__II_AVAIL_OUT, (uint32_t)(out_avail < UINT32_MAX ? out_avail : UINT32_MAX));
        ir = fqp__isal.isal_inflate((struct inflate_state *)s);
        *produced = (size_t)(fqp__getp(s, FQP__II_NEXT_OUT) - out);
        r->in_pos = (size_t)(fqp__getp(s, FQP__II_NEXT_IN) - r->in);
        if (ir == FQP__ISAL_INCORRECT_CHECKSUM) { /* the header's CRC-16 (FHCRC) is the header's fault, as zlib says */
            uint32_t st = fqp__get32(s, FQP__II_BLOCK_STATE);
            return st == FQP__ISAL_BLOCK_NEW_HDR || (st >= FQP__ISAL_GZIP_EXTRA_LEN && st <= FQP__ISAL_GZIP_HCRC) ? FQP__Z_HEADER : FQP__Z_CHECK;
        }
        if (ir == FQP__ISAL_INVALID_WRAPPER || ir == FQP__ISAL_UNSUPPORTED_METHOD) return FQP__Z_HEADER;
        if (ir < 0 || ir > FQP__ISAL_OUT_OVERFLOW) return FQP__Z_DATA; /* also ISAL_NEED_DICT */
        if (fqp__get32(s, FQP__II_BLOCK_STATE) == FQP__ISAL_BLOCK_FINISH) {
            size_t ahead = (size_t)(fqp__get32(s, FQP__II_READ_IN_LENGTH) / 8);
            r->in_pos = ahead <= r->in_pos ? r->in_pos - ahead : 0;
            return FQP__Z_END;
        }
        return FQP__Z_OK;
    } else {
        int zr;
        r->zs.next_in = r->in + r->in_pos;
        r->zs.avail_in = (uInt)(in_avail < UINT_MAX ? in_avail : UINT_MAX);
        r->zs.next_out = out + *produced;
        r->zs.avail_out = (uInt)(out_avail < UINT_MAX ? out_avail : UINT_MAX);
        zr = inflate(&r->zs, Z_NO_FLUSH);
        *produced = (size_t)(r->zs.next_out - out);
        r->in_pos = (size_t)(r->zs.next_in - r->in);
        if (zr == Z_STREAM_END) return FQP__Z_END;
        if (zr == Z_OK || zr == Z_BUF_ERROR) return FQP__Z_OK;
        if (zr == Z_MEM_ERROR) return FQP__Z_NOMEM; /* its window, from the configured allocator */
        if (r->zs.msg && (strstr(r->zs.msg, "header") || strstr(r->zs.msg, "compression method") ||
                          strstr(r->zs.msg, "window size")))
            return FQP__Z_HEADER;
        if (r->zs.msg && (strstr(r->zs.msg, "incorrect data check") || strstr(r->zs.msg, "incorrect length check")))
            return FQP__Z_CHECK;
        return FQP__Z_DATA;
    }
}

/* >>pgzip: a member inflated in chunks by the consumers */
static int fqp__pgzr_wanted(fqp__reader *r);
static fqp_result fqp__pgzr_member(fqp__reader *r, uint64_t at, fqp_error *err);

/* Producer thread: ISA-L found the member damaged or cut short. Its
   verdict, and how much text it could decode before it, may differ from
   zlib's by a few bytes (ISA-L decodes with lookahead), so zlib decides:
   when the source can be read again (memory, a FILE* or a callback that can
   seek) the
   member is inflated again by zlib from its start, the text ISA-L handed
   out is skipped, and zlib's text and verdict follow. 1: the replay is set
   up. A pipe or a callback cannot be re-read (AUTO gives them zlib): when
   ISA-L was asked for by name, its verdict stands. */
static int fqp__stream_replay(fqp__reader *r)
{
    if (r->stream_codec != FQP_CODEC_ISAL || r->replayed) return 0;
    if (!r->rereadable) return 0;
    if (r->mem) {
        r->mem_pos = (size_t)r->member_at;
    } else if (r->read) {
        if (r->seek(r->read_user, r->member_at) != 0) return 0;
    } else if (r->member_at > (uint64_t)(LONG_MAX - r->fp_base) ||
               fseek(r->fp, r->fp_base + (long)r->member_at, SEEK_SET) != 0) {
        return 0;
    }
    r->replayed = 1;
    if (!r->zs_ready) {
        memset(&r->zs, 0, sizeof r->zs);
        r->zs.zalloc = fqp__zalloc;
        r->zs.zfree = fqp__zfree;
        r->zs.opaque = (voidpf)r->alloc;
        if (inflateInit2(&r->zs, 15 + 16) != Z_OK) return 0;
        r->zs_ready = 1;
    } else if (inflateReset(&r->zs) != Z_OK) {
        return 0;
    }
    r->stream_codec = FQP_CODEC_ZLIB;
    r->raw_eof = 0;
    r->raw_bytes = r->member_at;
    r->in_pos = r->in_len = 0;
    r->skip = r->member_text;
    r->member_text = 0;
    /* what ISA-L decoded of this member and nobody took is gone */
    r->stage_len = r->stage_member > r->stage_pos ? r->stage_member : r->stage_pos;
    r->stage_member = r->stage_len;
    r->zs_failed = 0;
    r->drained = 0;
    return 1;
}

/* Producer thread: inflates into out[0..size). Every member of a
   multi-member file is read; anything but another member after a member's
   end is an error. The text before a failure is handed out first and the
   failure is reported by the next call, located at the member's start.
   *member_start: where the text after the last member that ended in this
   call begins in out; (size_t)-1 when none ended. */
static fqp_result fqp__inflate_core(fqp__reader *r, unsigned char *out, size_t size, size_t *got, size_t *member_start,
                                    fqp_error *err)
{
    size_t produced = 0;
    *member_start = (size_t)-1;
    for (;;) {
        while (produced < size && !r->zs_failed) {
            size_t before, in_before;
            int z, progress;
            if (!r->in_member) {
                uint64_t at;
                fqp_result res = fqp__fill_in(r, 2, err);
                if (res != FQP_OK) return res;
                if (r->in_len == r->in_pos) break; /* clean end after a whole member */
                at = r->raw_bytes - (r->in_len - r->in_pos);
                if (r->in_len - r->in_pos < 2 || r->in[r->in_pos] != 0x1f || r->in[r->in_pos + 1] != 0x8b) {
                    if (produced) break; /* text before the damage first: the error recurs next call */
                    return fqp__trailing(r, at, err);
                }
                if (fqp__pgzr_wanted(r)) {
                    if (produced) break; /* the text before first */
                    if ((res = fqp__pgzr_member(r, at, err)) != FQP_OK) return res;
                    if (r->pgz_on) {
                        *got = 0;
                        return FQP_OK; /* pgz_switch: the reader goes on in chunks */
                    }
                }
                if (!fqp__stream_reset(r))
                    return fqp__error(err, FQP_ERR_GZIP_CORRUPT, r->name, 0, 0, at, "inflateReset failed");
                r->member_at = at;
                r->member_text = 0;
                r->in_member = 1;
                r->drained = 0;
                if ((res = fqp__fill_in(r, 4, err)) != FQP_OK) return res;
                if (r->in_len - r->in_pos >= 4 && (r->in[r->in_pos + 2] != 8 || (r->in[r->in_pos + 3] & 0xe0))) {
                    r->zs_failed = FQP__Z_HEADER; /* not deflate, or reserved flags: ISA-L would not say so */
                    break;
                }
            }
            if (r->in_pos == r->in_len && r->drained) {
                fqp_result res;
                if (produced && r->fp) break; /* hand over what we have before a read that may block */
                res = fqp__fill_in(r, 1, err);
                if (res != FQP_OK) return res;
                if (r->in_pos == r->in_len) { /* the source ended inside the member */
                    if (produced) break;
                    return fqp__error(err, FQP_ERR_GZIP_TRUNCATED, r->name, 0, 0, r->raw_bytes,
                                      "gzip data ends early at compressed byte %llu (truncated file?)",
                                      (unsigned long long)r->raw_bytes);
                }
            }
            before = produced;
            in_before = r->in_pos;
            if (r->skip) { /* zlib's replay, through text already handed out */
                unsigned char scratch[1 << 12];
                size_t sp = 0, want = r->skip < sizeof scratch ? (size_t)r->skip : sizeof scratch;
                z = fqp__stream_step(r, scratch, want, &sp);
                r->skip -= sp;
                progress = sp > 0;
            } else {
                z = fqp__stream_step(r, out, size, &produced);
                progress = produced > before;
            }
            if (z == FQP__Z_END) {
                r->in_member = 0;
                r->skip = 0;
                *member_start = produced;
                continue;
            }
            if (z == FQP__Z_NOMEM)
                return fqp__error(err, FQP_ERR_NOMEM, r->name, 0, 0, r->member_at, "out of memory inflating gzip data");
            if (z == FQP__Z_OK && !progress && r->in_pos == in_before && in_before < r->in_len)
                z = FQP__Z_DATA; /* no progress with input and room: never spin */
            if (z != FQP__Z_OK) r->zs_failed = z;
            r->drained = !progress && r->in_pos == r->in_len;
        }
        if (r->zs_failed && !produced) {
            return fqp__error(err, FQP_ERR_GZIP_CORRUPT, r->name, 0, 0, r->member_at,
                              "corrupt gzip data in the member at compressed byte %llu: %s",
                              (unsigned long long)r->member_at, fqp__zwhy(r->zs_failed));
        }
        break;
    }
    *got = produced;
    return FQP_OK;
}

#define FQP__STAGE_SIZE (256u << 10)
#define FQP__STAGE_HOLD (32u << 10)

/* Producer thread: the gzip stream's text. zlib's goes straight out.
   ISA-L's goes through a stage that keeps the last 32 KiB of the open
   member back: ISA-L finds damage a little later than zlib (it decodes
   ahead), so when it fails, or the input ends early, what it decoded and
   nobody took yet is dropped and zlib replays the member
   (fqp__stream_replay). Then every backend hands out the same text and
   reports the same error. */
static fqp_result fqp__inflate(fqp__reader *r, unsigned char *out, size_t size, size_t *got, fqp_error *err)
{
    size_t member_start;
    *got = 0;
    for (;;) {
        size_t limit = r->stage_len, g = 0;
        fqp_result res;
        if (r->stream_codec != FQP_CODEC_ISAL && r->stage_pos == r->stage_len && !r->stage_code)
            return fqp__inflate_core(r, out, size, got, &member_start, err);
        if (r->in_member && !r->stage_end && !r->stage_code)
            limit = r->stage_len - r->stage_member > FQP__STAGE_HOLD ? r->stage_len - FQP__STAGE_HOLD : r->stage_member;
        if (r->stage_pos < limit) {
            size_t n = limit - r->stage_pos < size ? limit - r->stage_pos : size;
            memcpy(out, r->stage + r->stage_pos, n);
            if (r->stage_pos + n > r->stage_member)
                r->member_text += r->stage_pos + n - (r->stage_pos > r->stage_member ? r->stage_pos : r->stage_member);
            r->stage_pos += n;
            *got = n;
            return FQP_OK;
        }
        if (r->stage_code) {
            if (r->stage_pos < r->stage_len) continue;
            if (err) *err = r->stage_err;
            return r->stage_code;
        }
        if (r->stage_end) return FQP_OK;
        if (!r->stage && !(r->stage = (unsigned char *)fqp__alloc(r->alloc, FQP__STAGE_SIZE)))
            return fqp__error(err, FQP_ERR_NOMEM, r->name, 0, 0, 0, "out of memory for the gzip text");
        if (r->stage_pos) { /* keep only what nobody took (member_text counts the rest) */
            memmove(r->stage, r->stage + r->stage_pos, r->stage_len - r->stage_pos);
            r->stage_len -= r->stage_pos;
            r->stage_member = r->stage_member > r->stage_pos ? r->stage_member - r->stage_pos : 0;
            r->stage_pos = 0;
        }
        /* after a replay, zlib's text follows what is staged */
        res = fqp__inflate_core(r, r->stage + r->stage_len, FQP__STAGE_SIZE - r->stage_len, &g, &member_start,
                                &r->stage_err);
        if (r->stream_codec == FQP_CODEC_ISAL) {
            if (res == FQP_ERR_GZIP_TRUNCATED || res == FQP_ERR_GZIP_CORRUPT || (res == FQP_OK && r->zs_failed)) {
                size_t len = r->stage_len, mem = r->stage_member;
                if (res == FQP_OK && member_start != (size_t)-1) { /* members that ended before stay */
                    r->stage_len += member_start;
                    r->stage_member = r->stage_len;
                }
                if (fqp__stream_replay(r)) continue; /* this member again, by zlib */
                r->stage_len = len;
                r->stage_member = mem;
            }
        }
        if (res != FQP_OK) {
            r->stage_code = res;
            continue;
        }
        if (g == 0) {
            r->stage_end = 1;
            continue;
        }
        if (member_start != (size_t)-1) { /* a member ended in this text: the open one starts after it */
            r->stage_member = r->stage_len + member_start;
            r->member_text = 0;
        }
        r->stage_len += g;
    }
}
#endif

/* ---- >>pgzip: ordinary gzip inflated in chunks by the consumers ----
   Two parts: a deflate decoder that starts at any block without the window
   before it (this file's own code, no zlib), then the run that cuts a
   member into chunks, has the consumers decode them and stitches them in
   order (below, at "the run"). Nothing here is copied from pugz or
   rapidgzip.

   A deflate stream (RFC 1951) is a chain of blocks, and a block's only link
   to what came before is its back-references, at most 32 KiB back. So a
   block can be decoded without the bytes before it if every reference into
   that unknown window is written down instead of resolved:
   fqp__pgz_decode writes 16-bit symbols, 0..255 a byte and 256 + k "byte k
   of the 32 KiB before the chunk" (k = 32768 - distance, for a reference
   that many bytes before the chunk's start). Copies of such markers stay
   markers. Once 32 KiB of output holds no marker the window is known, and
   the decoder goes on in plain bytes. fqp__pgz_resolve later replaces the
   markers from the previous chunk's last 32 KiB: a plain loop a consumer
   can run on its own.

   A chunk starts somewhere in the middle of a block, so fqp__pgz_find looks
   bit by bit for the next plausible block header: a dynamic-Huffman header
   with counts in range, a complete precode and valid literal/length and
   distance codes holding an end-of-block code, or a byte-aligned stored
   header with LEN == ~NLEN. A candidate is then confirmed by decoding a
   few KiB ahead without error, optionally requiring the literals to be
   text (FASTQ is ASCII). Fixed-Huffman headers are not searched for: three
   bits match anywhere. A false candidate that survives all this is still
   harmless, because the chunks are stitched in input order and a chunk
   counts only if its start equals the bit where the previous chunk's
   decoding ended; otherwise it is decoded again from that true offset.

   The published approaches: pugz (Kerbiriou & Chikhi, HiCOMB 2019) decoded
   ASCII-only streams with back-references marked as unknown; rapidgzip
   (Knespel & Brunst, HPDC 2023) has 16-bit markers, a table-driven block
   finder and the stitching rule above. This code follows their published
   descriptions; no code was copied from either.

   A stored block's header bit is ambiguous when the bits before its
   padding are zero: the finder reports the earliest position from which
   the same stored block decodes, and stitching compares starts with
   fqp__pgz_same_start. */

#define FQP__PGZ_WINDOW 32768u
#define FQP__PGZ_LBITS 10u                  /* first-level bits, literal/length table */
#define FQP__PGZ_DBITS 8u                   /* first-level bits, distance table */
#define FQP__PGZ_LSIZE (1024u + 288u * 32u) /* + one 2^(15-10) subtable per long code at most */
#define FQP__PGZ_DSIZE (256u + 32u * 128u)  /* + one 2^(15-8) subtable per long code at most */

/* How fqp__pgz_decode ended. */
enum {
    FQP__PGZ_END,       /* the final block of the member ended */
    FQP__PGZ_STOP,      /* at a block header at or after stop_bit */
    FQP__PGZ_FULL,      /* max_out symbols were produced (call again with more to go on) */
    FQP__PGZ_TRUNCATED, /* the input ended inside a block */
    FQP__PGZ_BAD,       /* invalid deflate data (d->why says what) */
    FQP__PGZ_NOT_TEXT,  /* a literal that is not text, with text_only */
    FQP__PGZ_NOMEM
};

/* A table entry: value << 16 | kind << 12 | extra bits << 8 | bits to consume. */
enum { FQP__PGZ_K_LIT, FQP__PGZ_K_LEN, FQP__PGZ_K_EOB, FQP__PGZ_K_SUB, FQP__PGZ_K_BAD };
#define FQP__PGZ_ENTRY(value, kind, extra, bits)                                                                       \
    (((uint32_t)(value) << 16) | ((uint32_t)(kind) << 12) | ((uint32_t)(extra) << 8) | (uint32_t)(bits))

typedef struct fqp__pgz_bits {
    const unsigned char *in;
    size_t len, pos; /* in[0..len), next byte to load (may pass len: zeros are loaded) */
    uint64_t buf;    /* `count` bits not consumed yet, low bits first */
    unsigned count;
} fqp__pgz_bits;

/* One decoder; large (about 120 KiB), so kept on the heap and reused. Its
   output: sym[0..sym_len) (symbols, markers possible), then out[0..out_len)
   (bytes, once the window became known or when it was given). */
typedef struct fqp__pgz {
    const fqp_allocator *alloc;
    fqp__pgz_bits bits;
    int in_block, btype, final_block, text_only, byte_mode, fixed_ready;
    uint32_t stored_left;
    uint16_t *sym;
    size_t sym_len, sym_cap, marker_end; /* marker_end: just after the last marker in sym */
    unsigned char *out;
    size_t out_len, out_cap;
    size_t window_len;
    uint64_t *blocks; /* optional: each block's start bit, blocks_cap at most */
    size_t blocks_cap, block_count;
    const char *why;                       /* FQP__PGZ_BAD: the reason, in zlib's words */
    unsigned char window[FQP__PGZ_WINDOW]; /* in byte mode: the window_len bytes before out[0] */
    uint32_t lit[FQP__PGZ_LSIZE], dist[FQP__PGZ_DSIZE];
} fqp__pgz;

static const uint16_t fqp__pgz_len_base[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                               31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const unsigned char fqp__pgz_len_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                                     2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t fqp__pgz_dist_base[30] = {1,    2,    3,    4,    5,    7,    9,    13,    17,    25,
                                                33,   49,   65,   97,   129,  193,  257,  385,   513,   769,
                                                1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const unsigned char fqp__pgz_dist_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                                      6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
static const unsigned char fqp__pgz_precode_order[19] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                                         11, 4,  12, 3, 13, 2, 14, 1, 15};

/* Whether byte c counts as text for text_only: printable ASCII, \n, \r, \t. */
FQP__MAYBE_UNUSED static inline int fqp__pgz_is_text(unsigned c)
{
    return (c - 32u < 95u) || c == '\n' || c == '\r' || c == '\t';
}

FQP__MAYBE_UNUSED static inline uint64_t fqp__pgz_load64(const unsigned char *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 |
           (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56; /* one load, by gcc and clang */
}

/* Fills the bit buffer to at least 56 bits; past the input's end zeros come in. */
FQP__MAYBE_UNUSED static inline void fqp__pgz_refill(fqp__pgz_bits *b)
{
    if (b->pos + 8 <= b->len) {
        b->buf |= fqp__pgz_load64(b->in + b->pos) << b->count;
        b->pos += (63 - b->count) >> 3;
        b->count |= 56;
    } else {
        while (b->count <= 56) {
            b->buf |= (uint64_t)(b->pos < b->len ? b->in[b->pos] : 0) << b->count;
            b->pos++;
            b->count += 8;
        }
    }
}

FQP__MAYBE_UNUSED static inline uint64_t fqp__pgz_bitpos(const fqp__pgz_bits *b)
{
    return (uint64_t)b->pos * 8 - b->count;
}
/* Whether more bits were consumed than the input has. */
FQP__MAYBE_UNUSED static inline int fqp__pgz_overrun(const fqp__pgz_bits *b)
{
    return b->pos > b->len && fqp__pgz_bitpos(b) > (uint64_t)b->len * 8;
}

FQP__MAYBE_UNUSED static void fqp__pgz_seek(fqp__pgz_bits *b, const unsigned char *in, size_t len, uint64_t bit)
{
    b->in = in;
    b->len = len;
    b->pos = (size_t)(bit >> 3);
    b->buf = 0;
    b->count = 0;
    fqp__pgz_refill(b);
    b->buf >>= bit & 7;
    b->count -= (unsigned)(bit & 7);
}

/* Takes n <= 32 bits (the buffer must hold them: refill first). */
FQP__MAYBE_UNUSED static inline unsigned fqp__pgz_take(fqp__pgz_bits *b, unsigned n)
{
    unsigned v = (unsigned)(b->buf & ((1ull << n) - 1));
    b->buf >>= n;
    b->count -= n;
    return v;
}

/* What symbol s of a table of `type` (0 precode, 1 literal/length, 2
   distance) decodes to, without its bit count. */
FQP__MAYBE_UNUSED static uint32_t fqp__pgz_symbol_entry(int type, unsigned s)
{
    if (type == 0) return FQP__PGZ_ENTRY(s, FQP__PGZ_K_LIT, 0, 0);
    if (type == 1) {
        if (s < 256) return FQP__PGZ_ENTRY(s, FQP__PGZ_K_LIT, 0, 0);
        if (s == 256) return FQP__PGZ_ENTRY(0, FQP__PGZ_K_EOB, 0, 0);
        if (s < 286) return FQP__PGZ_ENTRY(fqp__pgz_len_base[s - 257], FQP__PGZ_K_LEN, fqp__pgz_len_extra[s - 257], 0);
        return FQP__PGZ_ENTRY(0, FQP__PGZ_K_BAD, 0, 0);
    }
    if (s < 30) return FQP__PGZ_ENTRY(fqp__pgz_dist_base[s], FQP__PGZ_K_LEN, fqp__pgz_dist_extra[s], 0);
    return FQP__PGZ_ENTRY(0, FQP__PGZ_K_BAD, 0, 0);
}

/* Checks n code lengths (at most 288, each <= 15) as deflate allows them:
   not over-subscribed; complete, except that a literal/length or distance
   code may be a single code of one bit, and a distance code or the precode
   may be empty. (zlib reads an empty precode as lengths of 0, a bit each,
   then finds no end-of-block code; so does fqp__pgz_read_lengths: an
   empty table decodes as 0 in one bit.) Returns the longest length (0:
   empty), or -1. */
FQP__MAYBE_UNUSED static int fqp__pgz_check_lengths(const unsigned char *lens, unsigned n, int type, unsigned *count)
{
    int left = 1, max = 0;
    unsigned i, len;
    for (i = 0; i < 16; i++) count[i] = 0;
    for (i = 0; i < n; i++) count[lens[i]]++;
    for (len = 1; len < 16; len++) {
        left = (left << 1) - (int)count[len];
        if (left < 0) return -1; /* over-subscribed */
        if (count[len]) max = (int)len;
    }
    if (max == 0) return type == 1 ? -1 : 0;
    if (left > 0 && (type == 0 || max != 1)) return -1; /* incomplete */
    return max;
}

/* Builds the canonical-Huffman decoding table of lens[0..n) into
   table[0..size): a first level of `root` bits, and for codes longer than
   that one subtable (of 2^(max-root) entries) per first-level slot they
   share. Deflate sends codes most significant bit first into a stream read
   low bit first, so a code is looked up bit-reversed. Unused slots of an
   allowed incomplete code decode as invalid. Returns the longest length
   (0: empty code) or -1. */
FQP__MAYBE_UNUSED static int fqp__pgz_build(uint32_t *table, size_t size, unsigned root, const unsigned char *lens,
                                            unsigned n, int type)
{
    unsigned count[16], offs[16], len, i, code = 0, sub_bits;
    uint16_t sorted[288];
    size_t primary = (size_t)1 << root, next_sub = primary, k;
    int max = fqp__pgz_check_lengths(lens, n, type, count);
    if (max < 0) return -1;
    for (k = 0; k < primary; k++) table[k] = FQP__PGZ_ENTRY(0, FQP__PGZ_K_BAD, 0, 1);
    if (max == 0) return 0;
    offs[1] = 0;
    for (len = 1; len < 15; len++) offs[len + 1] = offs[len] + count[len];
    for (i = 0; i < n; i++)
        if (lens[i]) sorted[offs[lens[i]]++] = (uint16_t)i;
    sub_bits = (unsigned)max > root ? (unsigned)max - root : 0;
    i = 0;
    for (len = 1; len <= (unsigned)max; len++, code <<= 1) {
        unsigned c;
        for (c = 0; c < count[len]; c++, code++) {
            uint32_t e = fqp__pgz_symbol_entry(type, sorted[i++]) | len;
            unsigned rev = 0, b;
            for (b = 0; b < len; b++) rev |= ((code >> b) & 1u) << (len - 1 - b);
            if (len <= root) {
                for (k = rev; k < primary; k += (size_t)1 << len) table[k] = e;
            } else {
                size_t slot = rev & (primary - 1), sub;
                if (((table[slot] >> 12) & 15) != FQP__PGZ_K_SUB) {
                    if (next_sub + ((size_t)1 << sub_bits) > size) return -1; /* cannot happen: sized for the worst */
                    for (k = 0; k < ((size_t)1 << sub_bits); k++)
                        table[next_sub + k] = FQP__PGZ_ENTRY(0, FQP__PGZ_K_BAD, 0, 1);
                    table[slot] = FQP__PGZ_ENTRY(next_sub, FQP__PGZ_K_SUB, sub_bits, root);
                    next_sub += (size_t)1 << sub_bits;
                }
                sub = table[slot] >> 16;
                for (k = rev >> root; k < ((size_t)1 << sub_bits); k += (size_t)1 << (len - root)) table[sub + k] = e;
            }
        }
    }
    return max;
}

/* Looks up the next code of a table (the buffer must hold 15 bits) and consumes it. */
FQP__MAYBE_UNUSED static inline uint32_t fqp__pgz_decode_entry(const uint32_t *table, unsigned root, fqp__pgz_bits *b)
{
    uint32_t e = table[b->buf & ((1u << root) - 1)];
    if (((e >> 12) & 15) == FQP__PGZ_K_SUB) e = table[(e >> 16) + ((b->buf >> root) & ((1u << ((e >> 8) & 15)) - 1))];
    b->buf >>= e & 255;
    b->count -= e & 255;
    return e;
}

/* Reads a dynamic block's code lengths (after its 3 header bits) into
   lens[0..*nlen + *ndist); returns NULL or zlib's words for what is wrong. */
static const char *fqp__pgz_read_lengths(fqp__pgz_bits *b, unsigned char *lens, unsigned *nlen, unsigned *ndist)
{
    unsigned char pre[19];
    uint32_t pre_table[128];
    unsigned ncode, i, have = 0;
    fqp__pgz_refill(b);
    *nlen = fqp__pgz_take(b, 5) + 257;
    *ndist = fqp__pgz_take(b, 5) + 1;
    ncode = fqp__pgz_take(b, 4) + 4;
    if (*nlen > 286 || *ndist > 30) return "too many length or distance symbols";
    memset(pre, 0, sizeof pre);
    for (i = 0; i < ncode; i++) {
        if (b->count < 3) fqp__pgz_refill(b);
        pre[fqp__pgz_precode_order[i]] = (unsigned char)fqp__pgz_take(b, 3);
    }
    if (fqp__pgz_build(pre_table, 128, 7, pre, 19, 0) < 0) return "invalid code lengths set";
    while (have < *nlen + *ndist) {
        uint32_t e;
        unsigned v, rep, fill = 0;
        fqp__pgz_refill(b);
        e = fqp__pgz_decode_entry(pre_table, 7, b);
        v = e >> 16;
        if (v < 16) {
            lens[have++] = (unsigned char)v;
            continue;
        }
        if (v == 16) {
            rep = 3 + fqp__pgz_take(b, 2); /* before the check, as zlib: cut here, it is truncated */
            if (have == 0) return "invalid bit length repeat";
            fill = lens[have - 1];
        } else if (v == 17) {
            rep = 3 + fqp__pgz_take(b, 3);
        } else {
            rep = 11 + fqp__pgz_take(b, 7);
        }
        if (have + rep > *nlen + *ndist) return "invalid bit length repeat";
        while (rep--) lens[have++] = (unsigned char)fill;
    }
    if (lens[256] == 0) return "invalid code -- missing end-of-block";
    return NULL;
}

/* Any thread: a decoder with no buffers yet, allocating through `alloc`. */
FQP__MAYBE_UNUSED static void fqp__pgz_init(fqp__pgz *d, const fqp_allocator *alloc)
{
    memset(d, 0, offsetof(fqp__pgz, window));
    d->alloc = alloc;
}

FQP__MAYBE_UNUSED static void fqp__pgz_free(fqp__pgz *d)
{
    fqp__free(d->alloc, d->sym);
    fqp__free(d->alloc, d->out);
    d->sym = NULL;
    d->out = NULL;
    d->sym_cap = d->out_cap = 0;
}

/* Starts decoding in[0..in_len) at `start_bit`, which must be a block's
   first bit; the buffers are kept for reuse. markers: the window before is
   unknown (symbols and markers until it is known); otherwise
   window[0..window_len) (at most 32 KiB; 0 at a member's start) are the
   bytes before, and a reference beyond them is an error. */
FQP__MAYBE_UNUSED static void fqp__pgz_start(fqp__pgz *d, const unsigned char *in, size_t in_len, uint64_t start_bit,
                                             int markers, const unsigned char *window, size_t window_len, int text_only)
{
    fqp__pgz_seek(&d->bits, in, in_len, start_bit);
    d->in_block = d->final_block = 0;
    d->text_only = text_only;
    d->byte_mode = !markers;
    d->sym_len = d->marker_end = d->out_len = 0;
    d->block_count = 0;
    d->why = NULL;
    if (window_len > FQP__PGZ_WINDOW) {
        window += window_len - FQP__PGZ_WINDOW;
        window_len = FQP__PGZ_WINDOW;
    }
    d->window_len = markers ? 0 : window_len;
    if (!markers && window_len) memcpy(d->window + FQP__PGZ_WINDOW - window_len, window, window_len);
}

/* Any thread: the bit where decoding stopped (after a member's final
   block: where its gzip trailer's padding begins). */
FQP__MAYBE_UNUSED static uint64_t fqp__pgz_bit(const fqp__pgz *d) { return fqp__pgz_bitpos(&d->bits); }

/* The next capacity, doubled from cap, for `want` elements of elem bytes; 0: too large. */
FQP__MAYBE_UNUSED static size_t fqp__pgz_grown(size_t cap, size_t want, size_t elem)
{
    size_t ncap = cap ? cap : 65536;
    while (ncap < want) {
        if (ncap > SIZE_MAX / 4 / elem) return 0;
        ncap *= 2;
    }
    return ncap;
}

/* Grows the output in use to hold `need` more elements past its length. */
FQP__MAYBE_UNUSED static int fqp__pgz_reserve(fqp__pgz *d, size_t need)
{
    size_t ncap;
    void *p;
    if (d->byte_mode) {
        if (d->out_len + need <= d->out_cap) return 1;
        if (!(ncap = fqp__pgz_grown(d->out_cap, d->out_len + need, 1))) return 0;
        if (!(p = fqp__realloc(d->alloc, d->out, d->out_cap, ncap))) return 0;
        d->out = (unsigned char *)p;
        d->out_cap = ncap;
    } else {
        if (d->sym_len + need <= d->sym_cap) return 1;
        if (!(ncap = fqp__pgz_grown(d->sym_cap, d->sym_len + need, 2))) return 0;
        if (!(p = fqp__realloc(d->alloc, d->sym, d->sym_cap * 2, ncap * 2))) return 0;
        d->sym = (uint16_t *)p;
        d->sym_cap = ncap;
    }
    return 1;
}

/* Marker mode: once the last 32 KiB of symbols hold no marker, they become
   the window and the output goes on in bytes. */
FQP__MAYBE_UNUSED static void fqp__pgz_to_bytes(fqp__pgz *d)
{
    size_t i, from = d->sym_len - FQP__PGZ_WINDOW;
    for (i = 0; i < FQP__PGZ_WINDOW; i++) d->window[i] = (unsigned char)d->sym[from + i];
    d->window_len = FQP__PGZ_WINDOW;
    d->byte_mode = 1;
}

/* The body of a Huffman block, in bytes. Returns -1 to go on (block done),
   or how the call ends. */
FQP__MAYBE_UNUSED static int fqp__pgz_huffman_bytes(fqp__pgz *d, size_t max_out)
{
    fqp__pgz_bits b = d->bits;
    unsigned char *out = d->out;
    size_t n = d->out_len, limit = 0;
    int res = -2, text_only = d->text_only;
    while (res == -2) {
        uint32_t e;
        unsigned len, dist;
        if (n >= limit) { /* room for the longest copy, and max_out */
            size_t total = d->sym_len + n;
            if (max_out && total >= max_out) {
                res = FQP__PGZ_FULL;
                break;
            }
            d->out_len = n;
            if (!fqp__pgz_reserve(d, 258 + 65536)) {
                res = FQP__PGZ_NOMEM;
                break;
            }
            out = d->out;
            limit = d->out_cap - 264; /* a literal, then a copy of 258 and a word past it */
            if (max_out && max_out - d->sym_len < limit) limit = max_out - d->sym_len;
            if (n >= limit) limit = n + 1; /* max_out passed inside the last copy */
        }
        fqp__pgz_refill(&b);
        e = fqp__pgz_decode_entry(d->lit, FQP__PGZ_LBITS, &b);
        if (((e >> 12) & 15) == FQP__PGZ_K_LIT) { /* then a second code without refilling: 41 bits are left */
            if (text_only && !fqp__pgz_is_text(e >> 16)) {
                res = FQP__PGZ_NOT_TEXT;
                break;
            }
            out[n++] = (unsigned char)(e >> 16);
            e = fqp__pgz_decode_entry(d->lit, FQP__PGZ_LBITS, &b);
            if (((e >> 12) & 15) == FQP__PGZ_K_LIT) {
                if (text_only && !fqp__pgz_is_text(e >> 16)) {
                    res = FQP__PGZ_NOT_TEXT;
                    break;
                }
                out[n++] = (unsigned char)(e >> 16);
                if (b.pos > b.len && fqp__pgz_overrun(&b)) res = FQP__PGZ_TRUNCATED;
                continue;
            }
            fqp__pgz_refill(&b);
        }
        switch ((e >> 12) & 15) {
        case FQP__PGZ_K_EOB:
            res = -1;
            break;
        case FQP__PGZ_K_LEN:
            len = (e >> 16) + fqp__pgz_take(&b, (e >> 8) & 15);
            e = fqp__pgz_decode_entry(d->dist, FQP__PGZ_DBITS, &b);
            if (((e >> 12) & 15) != FQP__PGZ_K_LEN) {
                d->why = "invalid distance code";
                res = FQP__PGZ_BAD;
                break;
            }
            dist = (e >> 16) + fqp__pgz_take(&b, (e >> 8) & 15);
            if (dist <= n) {
                const unsigned char *src = out + n - dist;
                unsigned char *dst = out + n;
                unsigned i;
                if (dist >= 8 && len <= 64) { /* whole words; may write up to 7 bytes past: room is reserved */
                    for (i = 0; i < len; i += 8) memcpy(dst + i, src + i, 8);
                } else {
                    for (i = 0; i < len; i++) dst[i] = src[i];
                }
            } else if (dist <= n + d->window_len) {
                size_t back = dist - n, i, from_window = back < len ? back : len;
                const unsigned char *w = d->window + FQP__PGZ_WINDOW - back;
                for (i = 0; i < from_window; i++) out[n + i] = w[i];
                for (; i < len; i++) out[n + i] = out[n + i - dist];
            } else {
                d->why = "invalid distance too far back";
                res = FQP__PGZ_BAD;
                break;
            }
            n += len;
            if (b.pos > b.len && fqp__pgz_overrun(&b)) res = FQP__PGZ_TRUNCATED;
            continue;
        default:
            d->why = "invalid literal/length code";
            res = FQP__PGZ_BAD;
            break;
        }
    }
    if (res != FQP__PGZ_NOMEM && b.pos > b.len && fqp__pgz_overrun(&b)) res = FQP__PGZ_TRUNCATED;
    d->bits = b;
    d->out_len = n;
    return res;
}

/* The body of a Huffman block in marker mode (the window unknown). */
FQP__MAYBE_UNUSED static int fqp__pgz_huffman_symbols(fqp__pgz *d, size_t max_out)
{
    fqp__pgz_bits b = d->bits;
    uint16_t *sym = d->sym;
    size_t n = d->sym_len, limit = 0, mark = d->marker_end;
    int res = -2, text_only = d->text_only;
    while (res == -2) {
        uint32_t e;
        unsigned len, dist, i;
        if (n - mark >= FQP__PGZ_WINDOW) {
            d->sym_len = n;
            d->marker_end = mark;
            d->bits = b;
            fqp__pgz_to_bytes(d);
            return fqp__pgz_huffman_bytes(d, max_out);
        }
        if (n >= limit) {
            if (max_out && n >= max_out) {
                res = FQP__PGZ_FULL;
                break;
            }
            d->sym_len = n;
            if (!fqp__pgz_reserve(d, 258 + 65536)) {
                res = FQP__PGZ_NOMEM;
                break;
            }
            sym = d->sym;
            limit = d->sym_cap - 264;
            if (max_out && max_out < limit) limit = max_out;
            if (n >= limit) limit = n + 1;
        }
        fqp__pgz_refill(&b);
        e = fqp__pgz_decode_entry(d->lit, FQP__PGZ_LBITS, &b);
        if (((e >> 12) & 15) == FQP__PGZ_K_LIT) {
            if (text_only && !fqp__pgz_is_text(e >> 16)) {
                res = FQP__PGZ_NOT_TEXT;
                break;
            }
            sym[n++] = (uint16_t)(e >> 16);
            e = fqp__pgz_decode_entry(d->lit, FQP__PGZ_LBITS, &b);
            if (((e >> 12) & 15) == FQP__PGZ_K_LIT) {
                if (text_only && !fqp__pgz_is_text(e >> 16)) {
                    res = FQP__PGZ_NOT_TEXT;
                    break;
                }
                sym[n++] = (uint16_t)(e >> 16);
                if (b.pos > b.len && fqp__pgz_overrun(&b)) res = FQP__PGZ_TRUNCATED;
                continue;
            }
            fqp__pgz_refill(&b);
        }
        switch ((e >> 12) & 15) {
        case FQP__PGZ_K_EOB:
            res = -1;
            break;
        case FQP__PGZ_K_LEN:
            len = (e >> 16) + fqp__pgz_take(&b, (e >> 8) & 15);
            e = fqp__pgz_decode_entry(d->dist, FQP__PGZ_DBITS, &b);
            if (((e >> 12) & 15) != FQP__PGZ_K_LEN) {
                d->why = "invalid distance code";
                res = FQP__PGZ_BAD;
                break;
            }
            dist = (e >> 16) + fqp__pgz_take(&b, (e >> 8) & 15);
            if (dist <= n) { /* within the output: copy, then find the last marker copied, if any */
                const uint16_t *src = sym + n - dist;
                uint16_t *dst = sym + n;
                uint64_t any = 0;
                if (dist >= 4) { /* 4 symbols a word; up to 3 past the end: room is reserved */
                    for (i = 0; i < len; i += 4) {
                        uint64_t w;
                        memcpy(&w, src + i, 8);
                        memcpy(dst + i, &w, 8);
                        any |= w;
                    }
                    any &= 0xff00ff00ff00ff00ull; /* a high byte: a marker (perhaps one past the end) */
                } else {
                    for (i = 0; i < len; i++) any |= dst[i] = src[i];
                    any &= ~0xffull;
                }
                if (any)
                    for (i = len; i-- > 0;)
                        if (dst[i] >= 256) {
                            mark = n + i + 1;
                            break;
                        }
                n += len;
            } else {
                for (i = 0; i < len; i++, n++) { /* before the chunk: marker 256 + 32768 - (distance before it) */
                    uint16_t v = dist <= n ? sym[n - dist] : (uint16_t)(256 + FQP__PGZ_WINDOW - (dist - n));
                    sym[n] = v;
                    if (v >= 256) mark = n + 1;
                }
            }
            if (b.pos > b.len && fqp__pgz_overrun(&b)) res = FQP__PGZ_TRUNCATED;
            continue;
        default:
            d->why = "invalid literal/length code";
            res = FQP__PGZ_BAD;
            break;
        }
    }
    if (res != FQP__PGZ_NOMEM && b.pos > b.len && fqp__pgz_overrun(&b)) res = FQP__PGZ_TRUNCATED;
    d->bits = b;
    d->sym_len = n;
    d->marker_end = mark;
    return res;
}

/* The rest of a stored block: plain bytes, copied (as symbols in marker mode). */
FQP__MAYBE_UNUSED static int fqp__pgz_stored(fqp__pgz *d, size_t max_out)
{
    fqp__pgz_bits *b = &d->bits;
    while (d->stored_left) {
        size_t total = d->sym_len + d->out_len, n = d->stored_left, i;
        const unsigned char *src;
        if (max_out && total >= max_out) return FQP__PGZ_FULL;
        if (max_out && n > max_out - total) n = max_out - total;
        if (!d->byte_mode && n > FQP__PGZ_WINDOW) n = FQP__PGZ_WINDOW; /* to check for the switch to bytes */
        /* the bit buffer holds whole bytes here (aligned); take them back from it */
        b->pos -= b->count >> 3;
        b->buf = 0;
        b->count = 0;
        if (b->pos > b->len || b->len - b->pos < n) {
            if (b->pos < b->len)
                n = b->len - b->pos; /* what there is, then truncated */
            else
                n = 0;
            if (n == 0) return FQP__PGZ_TRUNCATED;
        }
        if (!fqp__pgz_reserve(d, n)) return FQP__PGZ_NOMEM;
        src = b->in + b->pos;
        if (d->text_only)
            for (i = 0; i < n; i++)
                if (!fqp__pgz_is_text(src[i])) return FQP__PGZ_NOT_TEXT;
        if (d->byte_mode) {
            memcpy(d->out + d->out_len, src, n);
            d->out_len += n;
        } else {
            for (i = 0; i < n; i++) d->sym[d->sym_len + i] = src[i];
            d->sym_len += n;
            if (d->sym_len - d->marker_end >= FQP__PGZ_WINDOW) fqp__pgz_to_bytes(d);
        }
        b->pos += n;
        d->stored_left -= (uint32_t)n;
        fqp__pgz_refill(b);
    }
    return -1;
}

FQP__MAYBE_UNUSED static void fqp__pgz_fixed_tables(fqp__pgz *d)
{
    unsigned char lens[320];
    unsigned i;
    for (i = 0; i < 144; i++) lens[i] = 8;
    for (; i < 256; i++) lens[i] = 9;
    for (; i < 280; i++) lens[i] = 7;
    for (; i < 288; i++) lens[i] = 8;
    for (; i < 320; i++) lens[i] = 5;
    (void)fqp__pgz_build(d->lit, FQP__PGZ_LSIZE, FQP__PGZ_LBITS, lens, 288, 1); /* valid: cannot fail */
    (void)fqp__pgz_build(d->dist, FQP__PGZ_DSIZE, FQP__PGZ_DBITS, lens + 288, 32, 2);
    d->fixed_ready = 1;
}

/* Any thread (one per decoder): decodes on from where fqp__pgz_start or
   the last call left, block after block, until a block header at or after
   stop_bit (FQP__PGZ_STOP: a block that starts before stop_bit is always
   finished), the end of a final block (FQP__PGZ_END), max_out symbols in
   all (FQP__PGZ_FULL; 0: no limit; a later call goes on), or an error. */
FQP__MAYBE_UNUSED static int fqp__pgz_decode(fqp__pgz *d, uint64_t stop_bit, size_t max_out)
{
    for (;;) {
        int res;
        if (!d->in_block) {
            fqp__pgz_bits *b = &d->bits;
            uint64_t at = fqp__pgz_bitpos(b);
            unsigned hdr;
            if (d->final_block) return FQP__PGZ_END;
            if (at >= stop_bit) return FQP__PGZ_STOP;
            if (d->block_count < d->blocks_cap) d->blocks[d->block_count] = at;
            d->block_count++;
            fqp__pgz_refill(b);
            hdr = fqp__pgz_take(b, 3);
            d->final_block = (int)(hdr & 1);
            d->btype = (int)(hdr >> 1);
            if (d->btype == 0) {
                unsigned nlen;
                fqp__pgz_take(b, b->count & 7); /* to the byte boundary */
                fqp__pgz_refill(b);
                d->stored_left = fqp__pgz_take(b, 16);
                nlen = fqp__pgz_take(b, 16);
                if (fqp__pgz_overrun(b)) return FQP__PGZ_TRUNCATED;
                if (d->stored_left != (~nlen & 0xffffu)) {
                    d->why = "invalid stored block lengths";
                    return FQP__PGZ_BAD;
                }
            } else if (d->btype == 1) {
                if (!d->fixed_ready) fqp__pgz_fixed_tables(d);
            } else if (d->btype == 2) {
                unsigned char lens[320];
                unsigned nlen, ndist;
                const char *why = fqp__pgz_read_lengths(b, lens, &nlen, &ndist);
                int lmax, dmax;
                if (fqp__pgz_overrun(b)) return FQP__PGZ_TRUNCATED;
                if (why) {
                    d->why = why;
                    return FQP__PGZ_BAD;
                }
                d->fixed_ready = 0;
                lmax = fqp__pgz_build(d->lit, FQP__PGZ_LSIZE, FQP__PGZ_LBITS, lens, nlen, 1);
                if (lmax < 0) {
                    d->why = "invalid literal/lengths set";
                    return FQP__PGZ_BAD;
                }
                dmax = fqp__pgz_build(d->dist, FQP__PGZ_DSIZE, FQP__PGZ_DBITS, lens + nlen, ndist, 2);
                if (dmax < 0) {
                    d->why = "invalid distances set";
                    return FQP__PGZ_BAD;
                }
            } else {
                d->why = "invalid block type";
                return FQP__PGZ_BAD;
            }
            d->in_block = 1;
        }
        if (d->btype == 0)
            res = fqp__pgz_stored(d, max_out);
        else if (d->byte_mode)
            res = fqp__pgz_huffman_bytes(d, max_out);
        else
            res = fqp__pgz_huffman_symbols(d, max_out);
        if (res >= 0) return res;
        d->in_block = 0;
    }
}

/* Any thread: sym[0..n) as bytes into dst[0..n), markers taken from
   window[0..window_len), the window_len bytes just before the chunk. dst
   may be (unsigned char *)sym: in place, byte i lands on symbol i / 2,
   already read.
   Returns 0 when a marker points before the window (the chunk starts less
   than 32 KiB into its member and its data is invalid there). */
FQP__MAYBE_UNUSED static int fqp__pgz_resolve(const uint16_t *sym, size_t n, unsigned char *dst,
                                              const unsigned char *window, size_t window_len)
{
    size_t i, skip = window_len < FQP__PGZ_WINDOW ? FQP__PGZ_WINDOW - window_len : 0;
    for (i = 0; i < n; i++) {
        unsigned v = sym[i];
        if (v < 256) {
            dst[i] = (unsigned char)v;
        } else {
            v -= 256;
            if (v < skip) return 0;
            dst[i] = window[v - skip];
        }
    }
    return 1;
}

/* Whether a stored block whose LEN field begins at byte q is reached by a
   header at bit h: BTYPE 00 at h+1, and only zero bits (zlib's padding)
   from there to the byte boundary, which must be q. */
FQP__MAYBE_UNUSED static int fqp__pgz_is_stored(const unsigned char *in, size_t len, uint64_t h)
{
    uint64_t q = (h + 3 + 7) >> 3, bit;
    if (q + 4 > len) return 0;
    if ((unsigned)(in[q] | in[q + 1] << 8) != (~(unsigned)(in[q + 2] | in[q + 3] << 8) & 0xffffu)) return 0;
    for (bit = h + 1; bit < q * 8; bit++)
        if ((in[bit >> 3] >> (bit & 7)) & 1) return 0;
    return 1;
}

/* Any thread: whether decoding from bit a and from bit b is the same: a ==
   b, or both reach the same stored block (the same LEN field) with the
   same BFINAL bit. The stitching rule compares a chunk's start with the
   previous chunk's end through this, since the finder may report a stored
   block from another bit than the encoder's. */
FQP__MAYBE_UNUSED static int fqp__pgz_same_start(const unsigned char *in, size_t len, uint64_t a, uint64_t b)
{
    if (a == b) return 1;
    if (((a + 10) >> 3) != ((b + 10) >> 3) || (a >> 3) >= len || (b >> 3) >= len) return 0;
    if (((in[a >> 3] >> (a & 7)) & 1) != ((in[b >> 3] >> (b & 7)) & 1)) return 0;
    return fqp__pgz_is_stored(in, len, a) && fqp__pgz_is_stored(in, len, b);
}

/* Whether a dynamic-Huffman block header at bit h is plausible: counts in
   range, a complete precode, code lengths that decode without error and
   make valid literal/length (with end-of-block) and distance codes. */
FQP__MAYBE_UNUSED static int fqp__pgz_is_dynamic(const unsigned char *in, size_t len, uint64_t h)
{
    fqp__pgz_bits b;
    unsigned char lens[320];
    unsigned nlen, ndist, count[16];
    if ((h >> 3) >= len) return 0;
    fqp__pgz_seek(&b, in, len, h);
    if ((b.buf & 6) != 4) return 0;                                     /* BTYPE 10 */
    if (((b.buf >> 3) & 31) > 29 || ((b.buf >> 8) & 31) > 29) return 0; /* HLIT, HDIST in range */
    fqp__pgz_take(&b, 3);
    if (fqp__pgz_read_lengths(&b, lens, &nlen, &ndist) || fqp__pgz_overrun(&b)) return 0;
    return fqp__pgz_check_lengths(lens, nlen, 1, count) >= 0 &&
           fqp__pgz_check_lengths(lens + nlen, ndist, 2, count) >= 0;
}

/* What fqp__pgz_find saw, for tests and metrics. */
typedef struct fqp__pgz_find_stats {
    uint64_t candidates, rejected; /* headers that passed the checks; of those, failed decoding ahead */
} fqp__pgz_find_stats;

/* The 57 bits of in[0..len) from bit `bit` on (zeros past the end). */
FQP__MAYBE_UNUSED static inline uint64_t fqp__pgz_peek(const unsigned char *in, size_t len, uint64_t bit)
{
    size_t at = (size_t)(bit >> 3);
    uint64_t v = 0;
    if (at + 8 <= len) {
        v = fqp__pgz_load64(in + at);
    } else {
        size_t i;
        for (i = 0; i < 8 && at + i < len; i++) v |= (uint64_t)in[at + i] << (8 * i);
    }
    return v >> (bit & 7);
}

/* The first bit in [from_bit, until_bit) where a dynamic or stored block
   header passes the header checks, or UINT64_MAX. A cheap filter first:
   BTYPE 10, HLIT <= 29, HDIST <= 29 (about 1 position in 5 passes) and
   the precode's Kraft sum (a complete code of lengths <= 7 sums 2^(7-len)
   to exactly 128; two lengths per lookup), or BTYPE 00 with LEN == ~NLEN
   at the next byte boundary; only the few positions passing it get the
   full check. */
FQP__MAYBE_UNUSED static uint64_t fqp__pgz_next_candidate(const unsigned char *in, size_t len, uint64_t from_bit,
                                                          uint64_t until_bit)
{
    /* 2^(7-a) + 2^(7-b) for two 3-bit code lengths a, b (0: unused) */
    static const unsigned char kraft2[64] = {0,  64, 32, 16, 8,  4,  2,  1,  64, 128, 96, 80, 72, 68, 66, 65,
                                             32, 96, 64, 48, 40, 36, 34, 33, 16, 80,  48, 32, 24, 20, 18, 17,
                                             8,  72, 40, 24, 16, 12, 10, 9,  4,  68,  36, 20, 12, 8,  6,  5,
                                             2,  66, 34, 18, 10, 6,  4,  3,  1,  65,  33, 17, 9,  5,  3,  2};
    uint64_t h, end = (uint64_t)len * 8;
    if (until_bit > end) until_bit = end;
    for (h = from_bit; h < until_bit; h++) {
        uint64_t w = fqp__pgz_peek(in, len, h);
        if ((w & 6) == 4) { /* BTYPE 10 */
            unsigned hclen, i, sum = 0;
            uint64_t p;
            if (((w >> 3) & 31) > 29 || ((w >> 8) & 31) > 29) continue;
            hclen = (unsigned)((w >> 13) & 15) + 4;
            p = fqp__pgz_peek(in, len, h + 17) & ((1ull << (3 * hclen)) - 1);
            for (i = 0; i < 60; i += 6) sum += kraft2[(p >> i) & 63];
            if (sum == 128 && fqp__pgz_is_dynamic(in, len, h)) return h;
        } else if ((w & 6) == 0) {              /* BTYPE 00 */
            size_t q = (size_t)((h + 10) >> 3); /* the LEN field */
            if (q + 4 <= len && (in[q] ^ in[q + 2]) == 0xff && (in[q + 1] ^ in[q + 3]) == 0xff &&
                fqp__pgz_is_stored(in, len, h))
                return h;
        }
    }
    return UINT64_MAX;
}

/* Any thread: confirms the candidate header at bit h (from
   fqp__pgz_next_candidate) by decoding `confirm` symbols (or to a final
   block's end) without error, text-only literals if text_only; d is
   scratch. Returns the start bit to use, h or (a stored block) h + 1, or
   UINT64_MAX when rejected. */
FQP__MAYBE_UNUSED static uint64_t fqp__pgz_confirm(fqp__pgz *d, const unsigned char *in, size_t len, uint64_t h,
                                                   int text_only, size_t confirm)
{
    /* a stored block from a 1 bit followed by zeros: final from here, or
       non-final from the next bit (the 1 ending the block before). The
       second is the common case (a member has one final block): tried first */
    int k = ((in[h >> 3] >> (h & 7)) & 1) && !((fqp__pgz_peek(in, len, h) >> 1) & 3) &&
            ((h + 11) >> 3) == ((h + 10) >> 3) && fqp__pgz_is_stored(in, len, h + 1);
    for (; k >= 0; k--) {
        int res;
        fqp__pgz_start(d, in, len, h + (uint64_t)k, 1, NULL, 0, text_only);
        res = fqp__pgz_decode(d, UINT64_MAX, confirm);
        if (res == FQP__PGZ_FULL || res == FQP__PGZ_END) return h + (uint64_t)k;
    }
    return UINT64_MAX;
}

/* Any thread: the first bit in [from_bit, until_bit) where a block starts
   as far as can be told without the window: a candidate header that then
   decodes confirm symbols (or to a final block's end) without error, with
   text-only literals if text_only. d is scratch (its output is that of the
   confirming decode). Returns UINT64_MAX if none. */
FQP__MAYBE_UNUSED static uint64_t fqp__pgz_find(fqp__pgz *d, const unsigned char *in, size_t len, uint64_t from_bit,
                                                uint64_t until_bit, int text_only, size_t confirm,
                                                fqp__pgz_find_stats *stats)
{
    uint64_t h = from_bit;
    for (;;) {
        uint64_t at;
        h = fqp__pgz_next_candidate(in, len, h, until_bit);
        if (h == UINT64_MAX) return h;
        if (stats) stats->candidates++;
        if ((at = fqp__pgz_confirm(d, in, len, h, text_only, confirm)) != UINT64_MAX) return at;
        if (stats) stats->rejected++;
        h++;
    }
}

#ifndef FASTQPAR_NO_ZLIB
/* -- the run: chunks of one member, decoded by the consumers --
   Per member (header parsed here, with FEXTRA/FNAME/FCOMMENT/FHCRC):
   1. The producer cuts the member's compressed bytes into chunks that own
      FQP__PGZ_CHUNK bytes each and carry FQP__PGZ_OVERLAP more (the rest of
      their last block), and queues them as work (FQP__JOB_INFLATE).
   2. A consumer finds the first block that starts in the chunk's own bytes
      and decodes, with markers, up to the first block that starts at or
      after their end (fqp__pgz_decode's stop_bit). A chunk whose true start
      is known when it is framed (the member's first, or one right after a
      redo) is decoded in bytes with its window: no search, no markers.
   3. The producer stitches in input order. A chunk counts only if it
      started where the previous one ended (fqp__pgz_same_start) and ended
      at a block boundary or the member's end; its last 32 KiB are resolved
      at once, because they are the next chunk's window, and the rest (the
      markers, and the CRC-32) goes back to the consumers as phase 2. If the
      next chunk has not been started by then, it is switched to a known
      start and window: decoded in bytes, with no markers.
   4. A chunk that does not count (a false block, a truncated or corrupt
      stream, more than FQP__PGZ_RATIO x its size of text) is redone on the
      producer by zlib from the true offset (inflatePrime, and
      inflateSetDictionary with the window) to the first block boundary
      after its own bytes, writing straight to the reader's output. So
      every error is zlib's, found at the same place with the same text
      before it, and reported as the sequential path reports it.
   5. At the member's end the CRC-32 (combined from the chunks' with
      crc32_combine) and ISIZE are checked, and the bytes read past the
      trailer go back to the reader for the next member.
   Memory: n = consumers + 2 chunks, each at most CHUNK + OVERLAP compressed
   bytes, 3 x RATIO x CHUNK bytes of symbols and text, and a decoder and a
   window (about 150 KiB): with 2 consumers at most about 60 MiB, usually
   about a tenth of that, whatever the compression ratio. */

#ifndef FASTQPAR_PGZ_CHUNK /* tests build with small chunks */
#define FASTQPAR_PGZ_CHUNK (512u << 10)
#endif
#define FQP__PGZ_CHUNK ((size_t)FASTQPAR_PGZ_CHUNK)
#define FQP__PGZ_OVERLAP (FQP__PGZ_CHUNK / 2 > (64u << 10) ? FQP__PGZ_CHUNK / 2 : (size_t)(64u << 10))
/* AUTO's rule: the decoder without a window runs at about a third of
   zlib's speed per core here (make bench), so chunks pay from 4 consumers
   on as many usable cores (more threads than cores only add switching) */
#define FQP__PGZ_AUTO_CONSUMERS 4
#define FQP__PGZ_RATIO 8u
#define FQP__PGZ_CONFIRM 4096u /* symbols a found block must decode to count as found */

typedef struct fqp__pgzr_counts {
    uint64_t members, chunks, redone, speculative_bytes, known_window_bytes, redone_bytes;
} fqp__pgzr_counts;

enum { FQP__PGZC_SPEC, FQP__PGZC_LIVE, FQP__PGZC_REDO, FQP__PGZC_DEAD };
enum { FQP__PGZR_PAR, FQP__PGZR_REDO, FQP__PGZR_TRAILER };

typedef struct fqp__pgzc {
    fqp__work work;
    fqp__pgz *d;
    unsigned char *in;     /* compressed bytes from offset `at`: own, then overlap */
    uint64_t in_cap, at;
    size_t in_len, own;
    int exact;             /* starts at start_bit with the window win: decoded in bytes */
    uint64_t start_bit;
    int phase;             /* 1: find and decode; 2: resolve the markers, sum the CRC */
    uint64_t found;        /* phase 1: the block it started at (UINT64_MAX: none) */
    int res;               /* FQP__PGZ_* */
    uint64_t end_bit;
    uint32_t crc;          /* of its text: phase 2, or phase 1 when exact */
    z_stream zs;           /* exact chunks: zlib, the fastest decoder with a window */
    int zs_ready;
    const fqp_allocator *alloc;
    /* producer only */
    int kind;              /* FQP__PGZC_* */
    int member_end;        /* the member's final block ended in it */
    size_t pos;            /* text handed out */
    size_t win_len;
    unsigned char win[FQP__PGZ_WINDOW]; /* the text before it, once known */
} fqp__pgzc;

struct fqp__pgzr {
    fqp__workset set;
    int set_ready;
    fqp__pgzc *chunks;
    size_t n, head, count, stitched; /* ring; the first `stitched` from head have been looked at */
    int halted;                      /* stitching waits: a chunk to redo, or the member ended */
    int ended;                       /* the member's end was found: framing stops */
    uint64_t framed_end;             /* just after the last chunk's own bytes: r->in[in_pos] */
    int framing_done;
    uint64_t E;                      /* the bit where the true decoding stands: a block's start */
    size_t win_len;
    unsigned char win[FQP__PGZ_WINDOW]; /* the member's last text before E */
    uint32_t crc;                    /* of the member's text handed out */
    uint64_t isize;
    int mode;                        /* FQP__PGZR_* */
    uint64_t trailer_at;
    z_stream rz;                     /* raw inflate for redone chunks */
    int rz_ready;
    uint64_t rpos, target;           /* its next input byte; where the redo stops */
    fqp_result code;                 /* an error, after the text before it */
    fqp_error err;
    fqp__pgzr_counts m;
};

static fqp__pgzc *fqp__pgzr_at(struct fqp__pgzr *z, size_t k) { return &z->chunks[(z->head + k) % z->n]; }

/* Any thread: an exact chunk by zlib (inflatePrime to its start bit,
   inflateSetDictionary with its window) into d->out, to the first block that
   starts at or after its own bytes' end. Returns as fqp__pgz_decode does. */
static int fqp__pgzc_known(fqp__pgzc *c)
{
    fqp__pgz *d = c->d;
    z_stream *zs = &c->zs;
    size_t byte = (size_t)(c->start_bit >> 3), max_out = (size_t)FQP__PGZ_RATIO * FQP__PGZ_CHUNK;
    unsigned k = (unsigned)(c->start_bit & 7);
    if (!c->zs_ready) {
        zs->zalloc = fqp__zalloc;
        zs->zfree = fqp__zfree;
        zs->opaque = (voidpf)c->alloc;
        if (inflateInit2(zs, -15) != Z_OK) return FQP__PGZ_NOMEM;
        c->zs_ready = 1;
    } else if (inflateReset(zs) != Z_OK) {
        return FQP__PGZ_NOMEM;
    }
    d->byte_mode = 1;
    d->sym_len = d->out_len = 0;
    if (k) inflatePrime(zs, (int)(8 - k), c->in[byte++] >> k);
    if (c->win_len) inflateSetDictionary(zs, c->win, (uInt)c->win_len);
    zs->next_in = c->in + byte;
    zs->avail_in = (uInt)(c->in_len - byte);
    for (;;) {
        int zr;
        if (d->out_len >= max_out) return FQP__PGZ_FULL;
        if (!fqp__pgz_reserve(d, 1u << 16)) return FQP__PGZ_NOMEM;
        zs->next_out = d->out + d->out_len;
        zs->avail_out = (uInt)(d->out_cap - d->out_len < max_out - d->out_len ? d->out_cap - d->out_len
                                                                              : max_out - d->out_len);
        zr = inflate(zs, Z_BLOCK);
        d->out_len = (size_t)(zs->next_out - d->out);
        if (zr == Z_STREAM_END) {
            c->end_bit = (uint64_t)(zs->next_in - c->in) * 8;
            return FQP__PGZ_END;
        }
        if (zr == Z_MEM_ERROR) return FQP__PGZ_NOMEM;
        if (zr != Z_OK && zr != Z_BUF_ERROR) return FQP__PGZ_BAD;
        if (zr == Z_BUF_ERROR && zs->avail_in == 0) return FQP__PGZ_TRUNCATED;
        if ((zs->data_type & 128) && !(zs->data_type & 64)) {
            uint64_t at = (uint64_t)(zs->next_in - c->in) * 8 - (uint64_t)(zs->data_type & 7);
            if (at >= (uint64_t)c->own * 8) {
                c->end_bit = at;
                return FQP__PGZ_STOP;
            }
        }
    }
}

/* Any thread, through fqp__work_run: one chunk's phase. */
static void fqp__pgzc_run(fqp__work *w)
{
    fqp__pgzc *c = FQP__OWNER(w, fqp__pgzc, work);
    fqp__pgz *d = c->d;
    if (c->phase == 2) {
        unsigned char *t = (unsigned char *)d->sym;
        fqp__pgz_resolve(d->sym, d->sym_len, t, c->win, c->win_len); /* checked when stitched */
        c->crc = fqp__crc32(fqp__crc32(0, t, d->sym_len), d->out, d->out_len);
        return;
    }
    if (c->exact) {
        c->found = c->start_bit;
        c->res = fqp__pgzc_known(c);
        c->crc = fqp__crc32(0, d->out, d->out_len);
        return;
    } else {
        c->found = fqp__pgz_find(d, c->in, c->in_len, 0, (uint64_t)c->own * 8, 1, FQP__PGZ_CONFIRM, NULL);
        if (c->found == UINT64_MAX) {
            c->res = FQP__PGZ_BAD;
            return;
        }
        fqp__pgz_start(d, c->in, c->in_len, c->found, 1, NULL, 0, 1);
    }
    c->res = fqp__pgz_decode(d, (uint64_t)c->own * 8, (size_t)FQP__PGZ_RATIO * FQP__PGZ_CHUNK);
    c->end_bit = fqp__pgz_bit(d);
}

static void fqp__pgzr_close(fqp__reader *r)
{
    struct fqp__pgzr *z = r->pgzr;
    size_t i;
    if (!z) return;
    for (i = 0; z->chunks && i < z->n; i++) {
        fqp__pgzc *c = &z->chunks[i];
        if (c->d) {
            fqp__pgz_free(c->d);
            fqp__free(r->alloc, c->d);
        }
        fqp__free(r->alloc, c->in);
        if (c->zs_ready) inflateEnd(&c->zs);
    }
    fqp__free(r->alloc, z->chunks);
    if (z->rz_ready) inflateEnd(&z->rz);
    if (z->set_ready) fqp__workset_destroy(&z->set);
    fqp__free(r->alloc, z);
    r->pgzr = NULL;
}

/* Producer: the ring and its decoders, on the first member that goes parallel. */
static fqp_result fqp__pgzr_open(fqp__reader *r, fqp_error *err)
{
    struct fqp__pgzr *z;
    size_t i;
    if (fqp__reserve(r->alloc, (void **)&r->in, &r->in_cap, FQP__PGZ_CHUNK + FQP__PGZ_OVERLAP, 1) != FQP_OK ||
        !(z = (struct fqp__pgzr *)fqp__calloc(r->alloc, sizeof *z)))
        return fqp__error(err, FQP_ERR_NOMEM, r->name, 0, 0, 0, "out of memory for parallel gzip");
    r->pgzr = z; /* fqp__pgzr_close copes with the rest half built */
    if (!(z->set_ready = fqp__workset_init(&z->set)))
        return fqp__error(err, FQP_ERR_THREAD, r->name, 0, 0, 0, "cannot create a mutex or a condition variable");
    z->rz.zalloc = fqp__zalloc;
    z->rz.zfree = fqp__zfree;
    z->rz.opaque = (voidpf)r->alloc;
    if (!(z->rz_ready = inflateInit2(&z->rz, -15) == Z_OK))
        return fqp__error(err, FQP_ERR_NOMEM, r->name, 0, 0, 0, "out of memory for the gzip inflater");
    z->n = (size_t)r->threads + 2;
    if (!(z->chunks = (fqp__pgzc *)fqp__calloc(r->alloc, z->n * sizeof *z->chunks)))
        return fqp__error(err, FQP_ERR_NOMEM, r->name, 0, 0, 0, "out of memory for parallel gzip");
    for (i = 0; i < z->n; i++) {
        fqp__pgzc *c = &z->chunks[i];
        c->work.job.kind = FQP__JOB_INFLATE;
        c->work.set = &z->set;
        c->work.run = fqp__pgzc_run;
        c->work.in_queue = 1; /* nothing to offer yet */
        c->alloc = r->alloc;
        if (!(c->d = (fqp__pgz *)fqp__alloc(r->alloc, sizeof *c->d)) ||
            fqp__reserve(r->alloc, (void **)&c->in, &c->in_cap, FQP__PGZ_CHUNK + FQP__PGZ_OVERLAP, 1) != FQP_OK)
            return fqp__error(err, FQP_ERR_NOMEM, r->name, 0, 0, 0, "out of memory for parallel gzip");
        fqp__pgz_init(c->d, r->alloc);
    }
    return FQP_OK;
}

/* The last n bytes of the member's text so far become part of the window. */
static void fqp__pgzr_win_add(struct fqp__pgzr *z, const unsigned char *p, size_t n)
{
    if (n >= FQP__PGZ_WINDOW) {
        memcpy(z->win, p + n - FQP__PGZ_WINDOW, FQP__PGZ_WINDOW);
        z->win_len = FQP__PGZ_WINDOW;
        return;
    }
    if (z->win_len + n > FQP__PGZ_WINDOW) {
        size_t drop = z->win_len + n - FQP__PGZ_WINDOW;
        memmove(z->win, z->win + drop, z->win_len - drop);
        z->win_len -= drop;
    }
    memcpy(z->win + z->win_len, p, n);
    z->win_len += n;
}

/* Producer: the compressed bytes from offset `at` on, contiguous: a
   chunk's own bytes, or the reader's buffer past the chunks (read when
   needed). *len 0: the source ended. */
static fqp_result fqp__pgzr_bytes(fqp__reader *r, struct fqp__pgzr *z, uint64_t at, const unsigned char **p,
                                  size_t *len, fqp_error *err)
{
    size_t k, skip;
    fqp_result res;
    for (k = 0; k < z->count; k++) {
        fqp__pgzc *c = fqp__pgzr_at(z, k);
        if (at >= c->at && at < c->at + c->own) {
            *p = c->in + (at - c->at);
            *len = (size_t)(c->at + c->own - at);
            return FQP_OK;
        }
    }
    if (at < z->framed_end) /* before every chunk still held: never asked for */
        return fqp__error(err, FQP_ERR_GZIP_CORRUPT, r->name, 0, 0, at, "parallel gzip lost compressed byte %llu",
                          (unsigned long long)at);
    skip = (size_t)(at - z->framed_end);
    if (r->in_len - r->in_pos <= skip && (res = fqp__fill_in(r, skip + 1, err)) != FQP_OK) return res;
    *p = r->in + r->in_pos + skip;
    *len = r->in_len - r->in_pos > skip ? r->in_len - r->in_pos - skip : 0;
    return FQP_OK;
}

/* Producer: bytes up to `upto` past the chunks were used. */
static void fqp__pgzr_used(fqp__reader *r, struct fqp__pgzr *z, uint64_t upto)
{
    if (upto <= z->framed_end) return;
    r->in_pos += (size_t)(upto - z->framed_end);
    z->framed_end = upto;
}

/* Producer: frees the oldest chunk. */
static void fqp__pgzr_pop(struct fqp__pgzr *z)
{
    fqp__pgzc *c = fqp__pgzr_at(z, 0);
    fqp__work_cancel(&c->work);
    c->work.in_queue = 1;
    z->head = (z->head + 1) % z->n;
    z->count--;
    if (z->stitched) z->stitched--;
}

/* Producer: frames chunks into the free slots, then offers the queued ones. */
static fqp_result fqp__pgzr_frame(fqp__reader *r, struct fqp__pgzr *z, fqp_error *err)
{
    size_t k;
    while (z->count < z->n && !z->framing_done && !z->ended) {
        fqp__pgzc *c = fqp__pgzr_at(z, z->count);
        size_t avail;
        fqp_result res = fqp__fill_in(r, FQP__PGZ_CHUNK + FQP__PGZ_OVERLAP, err);
        if (res != FQP_OK) return res;
        if ((avail = r->in_len - r->in_pos) == 0) {
            z->framing_done = 1;
            break;
        }
        c->at = z->framed_end;
        c->in_len = avail < FQP__PGZ_CHUNK + FQP__PGZ_OVERLAP ? avail : FQP__PGZ_CHUNK + FQP__PGZ_OVERLAP;
        c->own = c->in_len == avail ? avail : FQP__PGZ_CHUNK; /* at the source's end: all of it */
        memcpy(c->in, r->in + r->in_pos, c->in_len);
        /* the next to stitch, right after a known end: its start and window are known */
        c->exact = z->stitched == z->count && !z->halted && z->E < (c->at + c->own) * 8;
        if (c->exact) {
            c->start_bit = z->E - c->at * 8;
            memcpy(c->win, z->win, z->win_len);
            c->win_len = z->win_len;
        }
        c->phase = 1;
        c->found = UINT64_MAX;
        c->res = FQP__PGZ_BAD;
        c->kind = FQP__PGZC_SPEC;
        c->member_end = 0;
        c->pos = 0;
        fqp__work_queue(&c->work);
        r->in_pos += c->own;
        z->framed_end += c->own;
        z->count++;
        z->m.chunks++;
    }
    for (k = 0; k < z->count; k++)
        if (!fqp__work_offer(r->jobs_queue, &fqp__pgzr_at(z, k)->work)) break;
    return FQP_OK;
}

/* Producer, under the set's lock: a chunk nobody has taken yet. */
static fqp__work *fqp__pgzr_pick(void *ctx)
{
    struct fqp__pgzr *z = (struct fqp__pgzr *)ctx;
    size_t k;
    for (k = 0; k < z->count; k++) {
        fqp__work *w = &fqp__pgzr_at(z, k)->work;
        if (w->state == FQP__WORK_QUEUED) return w;
    }
    return NULL;
}

/* Whether every marker in sym[0..n) lies inside a window of win_len bytes. */
static int fqp__pgz_markers_fit(const uint16_t *sym, size_t n, size_t win_len)
{
    size_t i;
    unsigned lowest = 256u + (unsigned)(FQP__PGZ_WINDOW - win_len);
    for (i = 0; i < n; i++)
        if (sym[i] >= 256 && sym[i] < lowest) return 0;
    return 1;
}

/* Producer: looks at the next chunk in order, whose phase 1 is done. */
static void fqp__pgzr_stitch(struct fqp__pgzr *z)
{
    fqp__pgzc *c = fqp__pgzr_at(z, z->stitched);
    fqp__pgz *d = c->d;
    uint64_t base = c->at * 8, total = (uint64_t)d->sym_len + d->out_len;
    unsigned char tail[FQP__PGZ_WINDOW];
    size_t t, from;
    int ok;
    z->stitched++;
    if (z->E >= (c->at + c->own) * 8) { /* the block before covers all it owns */
        c->kind = FQP__PGZC_DEAD;
        fqp__work_cancel(&c->work);
        return;
    }
    ok = z->E >= base && (c->res == FQP__PGZ_STOP || c->res == FQP__PGZ_END) && c->found != UINT64_MAX &&
         (c->exact ? c->found == z->E - base : fqp__pgz_same_start(c->in, c->in_len, z->E - base, c->found));
    if (ok && !c->exact) {
        memcpy(c->win, z->win, z->win_len);
        c->win_len = z->win_len;
        if (z->win_len < FQP__PGZ_WINDOW) ok = fqp__pgz_markers_fit(d->sym, d->marker_end, z->win_len);
    }
    if (!ok) {
        c->kind = FQP__PGZC_REDO;
        z->halted = 1;
        z->m.redone++;
        return;
    }
    /* the next chunk's window: this one's last 32 KiB */
    t = total < FQP__PGZ_WINDOW ? (size_t)total : FQP__PGZ_WINDOW;
    from = (size_t)total - t;
    if (from < d->sym_len) {
        size_t ns = d->sym_len - from;
        fqp__pgz_resolve(d->sym + from, ns, tail, c->win, c->win_len);
        if (t > ns) memcpy(tail + ns, d->out, t - ns);
    } else {
        if (t) memcpy(tail, d->out + (from - d->sym_len), t);
    }
    fqp__pgzr_win_add(z, tail, t);
    z->E = base + c->end_bit;
    c->kind = FQP__PGZC_LIVE;
    if (c->exact) {
        z->m.known_window_bytes += total;
    } else {
        z->m.speculative_bytes += total;
        c->phase = 2;
        fqp__work_queue(&c->work);
    }
    if (c->res == FQP__PGZ_END) {
        c->member_end = 1;
        z->halted = z->ended = 1;
        return;
    }
    if (z->stitched < z->count) { /* the next one, if nobody started it: a known start and window now */
        fqp__pgzc *nx = fqp__pgzr_at(z, z->stitched);
        fqp__lock(&z->set.mu);
        if (nx->work.state == FQP__WORK_QUEUED && !nx->exact && z->E >= nx->at * 8 &&
            z->E < (nx->at + nx->own) * 8) {
            nx->exact = 1;
            nx->start_bit = z->E - nx->at * 8;
            memcpy(nx->win, z->win, z->win_len);
            nx->win_len = z->win_len;
        }
        fqp__unlock(&z->set.mu);
    }
}

/* Producer: an error found while redoing, after the text before it. */
static fqp_result fqp__pgzr_fail(fqp__reader *r, struct fqp__pgzr *z, fqp_result code, int why, size_t produced,
                                 fqp_error *err)
{
    fqp_error e;
    if (code == FQP_ERR_GZIP_TRUNCATED)
        fqp__error(&e, code, r->name, 0, 0, r->raw_bytes, "gzip data ends early at compressed byte %llu (truncated file?)",
                   (unsigned long long)r->raw_bytes);
    else if (code == FQP_ERR_NOMEM)
        fqp__error(&e, code, r->name, 0, 0, r->member_at, "out of memory inflating gzip data");
    else
        fqp__error(&e, code, r->name, 0, 0, r->member_at, "corrupt gzip data in the member at compressed byte %llu: %s",
                   (unsigned long long)r->member_at, fqp__zwhy(why));
    z->code = e.code;
    z->err = e;
    if (produced) return FQP_OK;
    if (err) *err = e;
    return e.code;
}

/* Producer: zlib takes over at the true offset E, to the first block that
   starts at or after `target`. */
static fqp_result fqp__pgzr_redo_begin(fqp__reader *r, struct fqp__pgzr *z, uint64_t target, fqp_error *err)
{
    unsigned k = (unsigned)(z->E & 7);
    z->rpos = z->E >> 3;
    if (inflateReset(&z->rz) != Z_OK) return fqp__pgzr_fail(r, z, FQP_ERR_NOMEM, 0, 0, err);
    if (k) {
        const unsigned char *p;
        size_t len;
        fqp_result res = fqp__pgzr_bytes(r, z, z->rpos, &p, &len, err);
        if (res != FQP_OK) return res;
        if (!len) return fqp__pgzr_fail(r, z, FQP_ERR_GZIP_TRUNCATED, 0, 0, err);
        inflatePrime(&z->rz, (int)(8 - k), p[0] >> k);
        fqp__pgzr_used(r, z, ++z->rpos);
    }
    if (z->win_len) inflateSetDictionary(&z->rz, z->win, (uInt)z->win_len);
    z->target = target;
    z->mode = FQP__PGZR_REDO;
    return FQP_OK;
}

/* Producer: the redo ended at a block that starts at bit `at`: the chunks
   it covered go, and a later one continues the chain. */
static void fqp__pgzr_redo_end(fqp__reader *r, struct fqp__pgzr *z, uint64_t at)
{
    z->E = at;
    z->halted = 0;
    z->mode = FQP__PGZR_PAR;
    while (z->count && (fqp__pgzr_at(z, 0)->at + fqp__pgzr_at(z, 0)->own) * 8 <= at) fqp__pgzr_pop(z);
    z->stitched = 0;
    if (!z->count && z->framed_end > (at >> 3)) { /* zlib read into the byte the next block starts in */
        r->in_pos -= (size_t)(z->framed_end - (at >> 3));
        z->framed_end = at >> 3;
    }
}

/* Producer: zlib's text from rpos into out, until the target block. */
static fqp_result fqp__pgzr_redo(fqp__reader *r, struct fqp__pgzr *z, unsigned char *out, size_t size, size_t *got,
                                 fqp_error *err)
{
    size_t produced = 0;
    *got = 0;
    while (produced < size) {
        const unsigned char *p;
        size_t len, used, n;
        int zr;
        fqp_result res = fqp__pgzr_bytes(r, z, z->rpos, &p, &len, err);
        if (res != FQP_OK) {
            if (!produced) return res;
            z->code = res;
            if (err) z->err = *err;
            break;
        }
        if (!len) {
            res = fqp__pgzr_fail(r, z, FQP_ERR_GZIP_TRUNCATED, 0, produced, err);
            if (res != FQP_OK) return res;
            break;
        }
        z->rz.next_in = (Bytef *)(uintptr_t)p;
        z->rz.avail_in = (uInt)(len < UINT_MAX ? len : UINT_MAX);
        z->rz.next_out = out + produced;
        z->rz.avail_out = (uInt)(size - produced < UINT_MAX ? size - produced : UINT_MAX);
        used = z->rz.avail_in;
        n = z->rz.avail_out;
        zr = inflate(&z->rz, Z_BLOCK);
        used -= z->rz.avail_in;
        n -= z->rz.avail_out;
        z->rpos += used;
        fqp__pgzr_used(r, z, z->rpos);
        if (n) {
            z->crc = fqp__crc32(z->crc, out + produced, n);
            z->isize += n;
            fqp__pgzr_win_add(z, out + produced, n);
            z->m.redone_bytes += n;
            produced += n;
        }
        if (zr == Z_STREAM_END) {
            z->mode = FQP__PGZR_TRAILER;
            z->trailer_at = z->rpos;
            break;
        }
        if (zr == Z_MEM_ERROR || (zr != Z_OK && zr != Z_BUF_ERROR) || (!used && !n && zr == Z_BUF_ERROR)) {
            res = fqp__pgzr_fail(r, z, zr == Z_MEM_ERROR ? FQP_ERR_NOMEM : FQP_ERR_GZIP_CORRUPT, FQP__Z_DATA, produced, err);
            if (res != FQP_OK) return res;
            break;
        }
        if ((z->rz.data_type & 128) && !(z->rz.data_type & 64)) { /* a block boundary, not the final block's end */
            uint64_t at = z->rpos * 8 - (uint64_t)(z->rz.data_type & 7);
            if (at >= z->target) {
                fqp__pgzr_redo_end(r, z, at);
                break;
            }
        }
    }
    *got = produced;
    return FQP_OK;
}

/* Producer: the member's trailer, checked; what follows it goes back to
   the reader, and the stream path takes the next member. */
static fqp_result fqp__pgzr_trailer(fqp__reader *r, struct fqp__pgzr *z, fqp_error *err)
{
    unsigned char t[8];
    size_t have = 0, need;
    uint64_t from = z->trailer_at + 8;
    while (have < 8) { /* zlib's order: the CRC is checked before the length is read */
        const unsigned char *p;
        size_t len;
        fqp_result res = fqp__pgzr_bytes(r, z, z->trailer_at + have, &p, &len, err);
        if (res != FQP_OK) return res;
        if (!len) return fqp__pgzr_fail(r, z, FQP_ERR_GZIP_TRUNCATED, 0, 0, err);
        len = len < 8 - have ? len : 8 - have;
        memcpy(t + have, p, len);
        have += len;
        if (have >= 4 && ((uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 | (uint32_t)t[3] << 24) != z->crc)
            return fqp__pgzr_fail(r, z, FQP_ERR_GZIP_CORRUPT, FQP__Z_CHECK, 0, err);
    }
    if (((uint32_t)t[4] | (uint32_t)t[5] << 8 | (uint32_t)t[6] << 16 | (uint32_t)t[7] << 24) != (uint32_t)z->isize)
        return fqp__pgzr_fail(r, z, FQP_ERR_GZIP_CORRUPT, FQP__Z_CHECK, 0, err);
    if (from >= z->framed_end) {
        fqp__pgzr_used(r, z, from);
    } else { /* bytes in the chunks: back in front of the reader's buffer */
        size_t rest = r->in_len - r->in_pos, k;
        need = (size_t)(z->framed_end - from);
        if (fqp__reserve(r->alloc, (void **)&r->in, &r->in_cap, need + rest, 1) != FQP_OK)
            return fqp__pgzr_fail(r, z, FQP_ERR_NOMEM, 0, 0, err);
        memmove(r->in + need, r->in + r->in_pos, rest);
        for (k = 0; k < z->count; k++) {
            fqp__pgzc *c = fqp__pgzr_at(z, k);
            uint64_t a = c->at > from ? c->at : from, b = c->at + c->own;
            if (b > a) memcpy(r->in + (a - from), c->in + (a - c->at), (size_t)(b - a));
        }
        r->in_pos = 0;
        r->in_len = need + rest;
        z->framed_end = from;
    }
    while (z->count) fqp__pgzr_pop(z);
    z->m.members++;
    r->pgz_on = 0;
    r->in_member = 0;
    r->pgz_switch = 1;
    return FQP_OK;
}

/* Producer: the next text of a member in parallel mode, in input order.
   *got == 0 only when the member ended (r->pgz_switch). */
static fqp_result fqp__pgzr_read(fqp__reader *r, unsigned char *out, size_t size, size_t *got, fqp_error *err)
{
    struct fqp__pgzr *z = r->pgzr;
    *got = 0;
    for (;;) {
        fqp__pgzc *h;
        fqp_result res;
        if (z->code != FQP_OK) {
            if (err) *err = z->err;
            return z->code;
        }
        if (z->mode == FQP__PGZR_REDO) {
            if ((res = fqp__pgzr_redo(r, z, out, size, got, err)) != FQP_OK || *got) return res;
            continue;
        }
        if (z->mode == FQP__PGZR_TRAILER) return fqp__pgzr_trailer(r, z, err);
        if ((res = fqp__pgzr_frame(r, z, err)) != FQP_OK) return res;
        while (!z->halted && z->stitched < z->count && fqp__work_done(&fqp__pgzr_at(z, z->stitched)->work))
            fqp__pgzr_stitch(z);
        if (!z->count) { /* the source ended inside the member: zlib says where */
            if ((res = fqp__pgzr_redo_begin(r, z, UINT64_MAX, err)) != FQP_OK) return res;
            continue;
        }
        h = fqp__pgzr_at(z, 0);
        if (!z->stitched) {
            fqp__work_wait(&h->work, fqp__pgzr_pick, z);
            fqp__pgzr_stitch(z);
            continue;
        }
        if (h->kind == FQP__PGZC_DEAD) {
            fqp__pgzr_pop(z);
            continue;
        }
        if (h->kind == FQP__PGZC_REDO) {
            if ((res = fqp__pgzr_redo_begin(r, z, (h->at + h->own) * 8, err)) != FQP_OK) return res;
            continue;
        }
        fqp__work_wait(&h->work, fqp__pgzr_pick, z);
        {
            fqp__pgz *d = h->d;
            size_t total = d->sym_len + d->out_len;
            if (h->pos < total) {
                size_t n = total - h->pos < size ? total - h->pos : size, a = 0;
                if (h->pos < d->sym_len) {
                    a = d->sym_len - h->pos < n ? d->sym_len - h->pos : n;
                    memcpy(out, (unsigned char *)d->sym + h->pos, a);
                }
                if (n > a) memcpy(out + a, d->out + (h->pos + a - d->sym_len), n - a);
                h->pos += n;
                *got = n;
                return FQP_OK;
            }
            z->crc = (uint32_t)crc32_combine(z->crc, h->crc, (z_off_t)total);
            z->isize += total;
            if (h->member_end) {
                z->mode = FQP__PGZR_TRAILER;
                z->trailer_at = (h->at * 8 + h->end_bit + 7) / 8;
                continue;
            }
            fqp__pgzr_pop(z);
        }
    }
}

/* Producer, at a member's start (`at`, its magic checked): parses the
   header and switches the member to parallel inflating. Leaves pgz_on 0
   for a header it does not take (zlib then reads it and says what is
   wrong with it). */
static fqp_result fqp__pgzr_member(fqp__reader *r, uint64_t at, fqp_error *err)
{
    struct fqp__pgzr *z;
    size_t h = 10, cap = 64u << 10;
    const unsigned char *p;
    unsigned flg, field;
    fqp_result res;
    if ((res = fqp__fill_in(r, 10, err)) != FQP_OK) return res;
    if (r->in_len - r->in_pos < 10) return FQP_OK;
    p = r->in + r->in_pos;
    flg = p[3];
    if (p[2] != 8 || (flg & 0xe0)) return FQP_OK;
    if (flg & 4) {
        if ((res = fqp__fill_in(r, 12, err)) != FQP_OK) return res;
        if (r->in_len - r->in_pos < 12) return FQP_OK;
        p = r->in + r->in_pos;
        h = 12 + ((size_t)p[10] | (size_t)p[11] << 8);
    }
    for (field = 8; field <= 16; field <<= 1) { /* FNAME, FCOMMENT: zero-terminated */
        if (!(flg & field)) continue;
        for (;;) {
            if ((res = fqp__fill_in(r, h + 1, err)) != FQP_OK) return res;
            if (r->in_len - r->in_pos < h + 1 || h + 1 > cap) return FQP_OK;
            if (r->in[r->in_pos + h++] == 0) break;
        }
    }
    if (flg & 2) h += 2;
    if (h > cap || (res = fqp__fill_in(r, h, err)) != FQP_OK) return res;
    if (r->in_len - r->in_pos < h) return FQP_OK;
    p = r->in + r->in_pos;
    if ((flg & 2) && (fqp__crc32(0, p, h - 2) & 0xffffu) != ((unsigned)p[h - 2] | (unsigned)p[h - 1] << 8))
        return FQP_OK;
    if (!r->pgzr && (res = fqp__pgzr_open(r, err)) != FQP_OK) return res;
    z = r->pgzr;
    r->member_at = at;
    r->in_pos += h;
    z->framed_end = at + h;
    z->E = z->framed_end * 8;
    z->win_len = 0;
    z->crc = 0;
    z->isize = 0;
    z->mode = FQP__PGZR_PAR;
    z->halted = z->ended = z->framing_done = 0;
    z->head = z->count = z->stitched = 0;
    r->pgz_on = 1;
    r->pgz_switch = 1;
    return FQP_OK;
}

/* Producer: whether the next member goes in chunks (config.parallel_gzip;
   the stream backend was chosen when the gzip magic was seen). */
static int fqp__pgzr_wanted(fqp__reader *r)
{
    if (r->parallel_gzip == FQP_PARALLEL_GZIP_OFF || !r->jobs_queue || r->threads < 2 || r->replayed ||
        r->stream_codec != FQP_CODEC_ZLIB)
        return 0;
    if (r->parallel_gzip == FQP_PARALLEL_GZIP_ON) return 1;
    if (r->threads < FQP__PGZ_AUTO_CONSUMERS) return 0;
    if (!r->cores) r->cores = fqp_default_threads(); /* once: it reads the affinity and the cgroup */
    return r->cores >= FQP__PGZ_AUTO_CONSUMERS;
}

static void fqp__pgzr_metrics(const fqp__reader *r, fqp_metrics *m)
{
    const struct fqp__pgzr *z = r->pgzr;
    if (!z) return;
    m->gzip_parallel_members = z->m.members;
    m->gzip_chunks = z->m.chunks;
    m->gzip_chunks_redone = z->m.redone;
    m->gzip_speculative_bytes = z->m.speculative_bytes;
    m->gzip_known_window_bytes = z->m.known_window_bytes;
    m->gzip_redone_bytes = z->m.redone_bytes;
    m->producer_inflate_wait_seconds += z->set.wait_seconds;
}
#endif
/* ---- >>read: the producer's text, from any source ---- */

static fqp_result fqp__reader_read_raw(fqp__reader *r, void *out, size_t size, size_t *got, fqp_error *err);

/* Producer thread: the next text bytes into out[0..size); *got == 0 at end. */
static fqp_result fqp__reader_read(fqp__reader *r, void *out, size_t size, size_t *got, fqp_error *err)
{
    fqp_result res;
    for (;;) {
        res = fqp__reader_read_raw(r, out, size, got, err);
        if (res != FQP_OK || *got == 0 || r->text_skip == 0) break;
        if (*got <= r->text_skip) { /* a shard's text before its first record */
            r->text_skip -= *got;
            continue;
        }
        memmove(out, (char *)out + r->text_skip, *got - (size_t)r->text_skip);
        *got -= (size_t)r->text_skip;
        r->text_skip = 0;
        break;
    }
    r->text_bytes += *got;
    return res;
}

/* xz, bzip2 and zstd by their magic: a plain message beats a parse error
   at "record 1" on compressed bytes. */
static fqp_result fqp__compression_magic(const char *name, const unsigned char *p, size_t have, fqp_error *err)
{
    static const struct {
        const char *magic, *what, *tool;
        size_t n;
    } kinds[] = {{"\xfd" "7zXZ", "xz", "xz -dc", 6}, {"BZh", "bzip2", "bzip2 -dc", 3},
                 {"\x28\xb5\x2f\xfd", "zstd", "zstd -dc", 4}};
    size_t i;
    for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (have < kinds[i].n || memcmp(p, kinds[i].magic, kinds[i].n) != 0) continue;
        if (i == 1 && (have < 4 || p[3] < '1' || p[3] > '9')) continue; /* "BZh1".."BZh9" */
        return fqp__error(err, FQP_ERR_UNSUPPORTED_COMPRESSION, name, 0, 0, 0,
                          "%s-compressed input is not supported (use %s %s | ...)", kinds[i].what, kinds[i].tool,
                          strcmp(name, "<stdin>") == 0 ? "FILE" : name);
    }
    return FQP_OK;
}

static fqp_result fqp__unsupported_compression(const fqp__reader *r, fqp_error *err)
{
    return fqp__compression_magic(r->name, r->in + r->in_pos, r->in_len - r->in_pos, err);
}

static fqp_result fqp__reader_read_raw(fqp__reader *r, void *out, size_t size, size_t *got, fqp_error *err)
{
    *got = 0;
    if (!r->detected) {
        fqp_result res = fqp__fill_in(r, 6, err);
        if (res != FQP_OK) return res;
        if ((res = fqp__unsupported_compression(r, err)) != FQP_OK) return res;
        r->detected = 1;
        r->gzip = r->in_len >= 2 && r->in[0] == 0x1f && r->in[1] == 0x8b;
        if (r->gzip) {
#ifdef FASTQPAR_NO_ZLIB
            return fqp__error(err, FQP_ERR_NO_ZLIB, r->name, 0, 0, 0,
                              "input is gzip-compressed but fastqpar was built with FASTQPAR_NO_ZLIB");
#else
            r->stream_codec = fqp__codec_pick(r->codec, fqp__order_stream);
            /* AUTO takes ISA-L only where zlib can replay a damaged member (not
               a pipe or a callback), so that every outcome is zlib's */
            if (r->stream_codec == FQP_CODEC_ISAL && r->codec == FQP_CODEC_AUTO && !r->rereadable)
                r->stream_codec = FQP_CODEC_ZLIB;
            /* parallel gzip asked for: zlib's stream, for the members it may not take */
            if (r->stream_codec == FQP_CODEC_ISAL && r->codec == FQP_CODEC_AUTO &&
                r->parallel_gzip == FQP_PARALLEL_GZIP_ON && r->jobs_queue && r->threads >= 2)
                r->stream_codec = FQP_CODEC_ZLIB;
            if (r->stream_codec == FQP_CODEC_ISAL) {
                if (!(r->isal = fqp__isal_state_new(r->alloc)))
                    return fqp__error(err, FQP_ERR_NOMEM, r->name, 0, 0, 0, "out of memory for ISA-L");
                fqp__put32(r->isal, FQP__II_CRC_FLAG, FQP__ISAL_GZIP);
            } else {
                memset(&r->zs, 0, sizeof r->zs);
                r->zs.zalloc = fqp__zalloc; /* through the configured allocator, as everything else */
                r->zs.zfree = fqp__zfree;
                r->zs.opaque = (voidpf)r->alloc;
                if (inflateInit2(&r->zs, 15 + 16) != Z_OK)
                    return fqp__error(err, FQP_ERR_NOMEM, r->name, 0, 0, 0, "out of memory for the gzip inflater");
                r->zs_ready = 1;
            }
            r->in_member = 0; /* fqp__inflate starts each member, the first too */
            if ((res = fqp__bgzin_open(r, err)) != FQP_OK) return res;
#endif
        }
    }
#ifndef FASTQPAR_NO_ZLIB
    while (r->gzip) { /* a switch between BGZF, the stream and chunks reads nothing: go on */
        fqp_result res;
        r->pgz_switch = 0;
        res = r->bgzf_on  ? fqp__bgzin_read(r, (unsigned char *)out, size, got, err)
              : r->pgz_on ? fqp__pgzr_read(r, (unsigned char *)out, size, got, err)
                          : fqp__inflate(r, (unsigned char *)out, size, got, err);
        if (res != FQP_OK || *got || !r->pgz_switch) return res;
    }
#endif
    if (r->in_pos < r->in_len) { /* bytes read while detecting */
        size_t n = r->in_len - r->in_pos < size ? r->in_len - r->in_pos : size;
        memcpy(out, r->in + r->in_pos, n);
        r->in_pos += n;
        *got = n;
        return FQP_OK;
    }
    return fqp__raw_read(r, out, size, got, err);
}

/* ---- >>batch ---- */

/* Where one record lies in its batch's raw text, found by the producer. */
typedef struct fqp__span {
    uint64_t start;     /* '@' */
    uint64_t head_end;  /* end of the header text (before "\r\n" / "\n") */
    uint64_t seq;       /* first sequence line */
    uint64_t plus;      /* the '+' line */
    uint64_t qual;      /* first quality line */
    uint64_t end;       /* just after the record's last newline */
    uint64_t len;       /* bases */
    uint32_t flags;     /* FQP__ONE_LINE_*: copy with one memcpy */
    uint32_t pad;
} fqp__span;

#define FQP__ONE_LINE_SEQ 1u
#define FQP__ONE_LINE_QUAL 2u

typedef struct fqp__batch {
    fqp_batch pub;               /* first member: fqp_batch* casts to fqp__batch* */
    fqp__job job;                /* FQP__JOB_BATCH */
    fqp_producer *owner;
    char *raw;                   /* input text, starting at pub.offset */
    uint64_t raw_cap, raw_len;
    fqp__span *spans;
    uint64_t spans_cap;
    uint64_t head_bytes;
    /* parsed arrays, filled by the consumer */
    char *head, *seq, *qual;
    uint64_t head_cap, seq_cap, qual_cap;
    uint64_t *head_off, *name_len, *seq_off;
    uint64_t head_off_cap, name_len_cap, seq_off_cap;
    uint64_t parsed;             /* records parsed and valid: count, or where validation failed */
    /* ordered output */
    char *out;
    uint64_t out_cap, out_len;
    struct fqp__bgzf *z;         /* BGZF output: this batch's compressor, made on first use */
    char *zout;                  /* where its blocks are made, then swapped with out */
    uint64_t zout_cap;
    int error_reported;          /* fqp_batch_error() was called on it */
} fqp__batch;

static void fqp__batch_free(const fqp_allocator *a, fqp__batch *b)
{
    if (!b) return;
    fqp__free(a, b->raw);
    fqp__free(a, b->spans);
    fqp__free(a, b->head);
    fqp__free(a, b->seq);
    fqp__free(a, b->qual);
    fqp__free(a, b->head_off);
    fqp__free(a, b->name_len);
    fqp__free(a, b->seq_off);
    fqp__free(a, b->out);
    fqp__batch_zfree(a, b);
    fqp__free(a, b);
}

/* ---- >>producer-state ---- */

enum { FQP__HEAD, FQP__SEQ, FQP__QUAL };

/* Where the scan of the record in progress stands. Offsets are into the
   current batch's raw text and move when the text is carried over. */
typedef struct fqp__scan {
    int phase;
    uint64_t line_start, search;   /* line being scanned; where memchr resumes */
    uint64_t line_no;              /* line number of line_start */
    uint64_t rec_start, rec_line;
    uint64_t head_end, seq_start, plus_start, qual_start;
    uint64_t seq_len, seq_lines, qual_len, qual_lines, first_qual_len;
    uint64_t blank_line, blank_offset; /* first blank line seen where a header was due */
    uint64_t seq_blank_line, seq_blank_offset; /* a blank first sequence line: an empty read
                                                  if the '+' line follows, else an error */
} fqp__scan;

struct fqp_producer {
    fqp_config cfg;
    fqp_output_desc output;
    fqp__reader reader;
    fqp_queue *queue;            /* filled batches, producer -> consumers */
    fqp_queue *free_q;           /* empty batches, back to the producer */
    fqp__batch **pool;           /* every batch ever allocated: freed in destroy */
    size_t pool_size, pool_count;
    unsigned char base_ok[256];  /* validation table for sequence letters */
    /* producer thread only */
    fqp__scan scan;
    unsigned fast_skip;          /* records the line scan takes before fqp__scan_fast is tried again */
    int avx2;                    /* the CPU has AVX2: its kernels are used */
    fqp__batch *prev;            /* batch whose tail is carried into the next */
    uint64_t carry_from, carry_len;
    uint64_t next_index, next_record, raw0_offset, raw0_line;
    fqp__shard *shard;           /* input.shard_count > 1: this shard's bounds (>>shard) */
    uint64_t text_origin;        /* text offset of the first byte read: a shard's first record, else 0 */
    int eof, finished;
    fqp_result pending_error;    /* reported after the batch of records before it */
    fqp_error perr;
    double read_seconds, pool_wait_seconds;
    uint64_t records, bases, batches;
    /* paired input (fqp_paired_run), producer thread only: a mate file's
       batch ends at exactly exact_records records; an interleaved one only
       after a multiple of record_multiple (0 = 1) */
    uint64_t exact_records, record_multiple;
    /* shared, under mu */
    fqp__mutex mu;
    fqp__cond holders_cv;        /* a holder ended or requeued, or the run was cancelled */
    void *pairs;                 /* a paired run's file 1: its fqp__paired (take_pair) */
    void (*on_end)(void *pairs); /* stop/fail: the paired run cancels the other files */
    int holders;
    int failed, stopped;
    uint64_t fail_index;         /* batches after this one are skipped; UINT64_MAX: all */
    uint64_t stop_last;
    fqp_error err;
    fqp__ordered order;          /* ordered output */
};

/* ---- >>scan: finding record boundaries (producer thread) ---- */

/* SSE2 (every x86-64) for the newline scan and the copy-and-check kernels;
   FASTQPAR_NO_SIMD keeps the scalar code, which is the reference. */
#if (defined(__SSE2__) || defined(_M_X64)) && !defined(FASTQPAR_NO_SIMD)
#define FQP__SSE2 1
#include <emmintrin.h>
#endif
#if defined(__GNUC__) || defined(__clang__)
#define FQP__INLINE inline __attribute__((always_inline))
#else
#define FQP__INLINE inline
#endif

/* AVX2 where the compiler can target it per function (gcc, clang): chosen
   at run time (fqp_producer's avx2), so one binary runs on any x86-64. */
#if defined(FQP__SSE2) && (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__)) && \
    !defined(FASTQPAR_NO_AVX2)
#define FQP__AVX2 1
#include <immintrin.h>
#define FQP__TARGET_AVX2 __attribute__((target("avx2")))
static int fqp__cpu_avx2(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
}
FQP__TARGET_AVX2 static uint64_t fqp__nl_mask64_avx2(const char *p)
{
    const __m256i nl = _mm256_set1_epi8('\n');
    __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)p);
    __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
    return (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, nl)) |
           (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, nl)) << 32;
}
#else
static int fqp__cpu_avx2(void) { return 0; }
#endif

/* Newlines in up to 64 bytes at p, a bit per byte. */
static uint64_t fqp__nl_mask(const char *p, uint64_t n, int avx2)
{
    uint64_t m = 0, k;
    (void)avx2;
#ifdef FQP__AVX2
    if (n == 64 && avx2) return fqp__nl_mask64_avx2(p);
#endif
#ifdef FQP__SSE2
    if (n == 64) {
        const __m128i nl = _mm_set1_epi8('\n');
        for (k = 0; k < 64; k += 16) {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + k));
            m |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, nl)) << k;
        }
        return m;
    }
#endif
    for (k = 0; k < n; k++) m |= (uint64_t)(p[k] == '\n') << k;
    return m;
}

static int fqp__ctz64(uint64_t m) /* m != 0 */
{
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_ctzll(m);
#else
    int k = 0;
    while (!(m & 1)) {
        m >>= 1;
        k++;
    }
    return k;
#endif
}

/* The newlines of buf[from, end) in order, found 64 bytes at a time: a
   memchr call per 150-byte line costs more than the scan itself. */
typedef struct fqp__nl {
    const char *buf;
    uint64_t base, end, mask; /* mask: newlines not yet returned in [base, base+64) */
    int avx2;
} fqp__nl;

static void fqp__nl_init(fqp__nl *it, const char *buf, uint64_t from, uint64_t end, int avx2)
{
    it->buf = buf;
    it->base = from;
    it->end = end;
    it->avx2 = avx2;
    it->mask = from < end ? fqp__nl_mask(buf + from, end - from < 64 ? end - from : 64, avx2) : 0;
}

/* The next newline's offset, or UINT64_MAX when there is none before end. */
static FQP__INLINE uint64_t fqp__nl_next(fqp__nl *it)
{
    uint64_t at;
    while (!it->mask) {
        if (it->end - it->base <= 64) return UINT64_MAX;
        it->base += 64;
        it->mask = fqp__nl_mask(it->buf + it->base, it->end - it->base < 64 ? it->end - it->base : 64, it->avx2);
    }
    at = it->base + (uint64_t)fqp__ctz64(it->mask);
    it->mask &= it->mask - 1;
    return at;
}

/* Whether the batch may end here because of its byte limit. */
static int fqp__may_cut(const fqp_producer *p, const fqp__batch *b)
{
    return !p->exact_records && b->pub.count && b->pub.count % (p->record_multiple ? p->record_multiple : 1) == 0;
}

/* Whether the batch is full after a whole record that ends at `next`. */
static int fqp__batch_full(const fqp_producer *p, const fqp__batch *b, uint64_t next)
{
    if (p->exact_records) return b->pub.count >= p->exact_records;
    return fqp__may_cut(p, b) && (b->pub.count >= p->cfg.batch_records || next >= p->cfg.batch_bytes);
}

static fqp_result fqp__scan_error(fqp_producer *p, const fqp__batch *b, fqp_result code, uint64_t line,
                                  uint64_t raw_off, const char *fmt, ...) FQP_PRINTF_FORMAT(6, 7);
static fqp_result fqp__scan_error(fqp_producer *p, const fqp__batch *b, fqp_result code, uint64_t line,
                                  uint64_t raw_off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fqp__verror(&p->perr, code, p->reader.name, b->pub.first_record + b->pub.count + 1, line,
                b->pub.offset + raw_off, fmt, ap);
    va_end(ap);
    return code;
}

/* Records the record that just ended at `end`. */
static fqp_result fqp__scan_emit(fqp_producer *p, fqp__batch *b, uint64_t end)
{
    fqp__scan *s = &p->scan;
    fqp__span *sp;
    if (p->cfg.max_record_bytes && end - s->rec_start > p->cfg.max_record_bytes)
        return fqp__scan_error(p, b, FQP_ERR_RECORD_TOO_LONG, s->rec_line, s->rec_start,
                               "record is %llu bytes, more than max_record_bytes (%llu)",
                               (unsigned long long)(end - s->rec_start),
                               (unsigned long long)p->cfg.max_record_bytes);
    if (p->shard && (s->seq_lines > 1 || s->qual_lines > 1))
        return fqp__scan_error(p, b, FQP_ERR_SHARD, s->rec_line, s->rec_start,
                               "the record is wrapped (its %s is on %llu lines): wrapped FASTQ cannot be sharded "
                               "by bytes (shard by file instead)", s->seq_lines > 1 ? "sequence" : "quality",
                               (unsigned long long)(s->seq_lines > 1 ? s->seq_lines : s->qual_lines));
    if (fqp__reserve(&p->cfg.allocator, (void **)&b->spans, &b->spans_cap, b->pub.count + 1, sizeof *sp))
        return fqp__scan_error(p, b, FQP_ERR_NOMEM, s->rec_line, s->rec_start, "out of memory");
    sp = &b->spans[b->pub.count++];
    sp->start = s->rec_start;
    sp->head_end = s->head_end;
    sp->seq = s->seq_start;
    sp->plus = s->plus_start;
    sp->qual = s->qual_start;
    sp->end = end;
    sp->len = s->seq_len;
    sp->flags = (s->seq_lines == 1 ? FQP__ONE_LINE_SEQ : 0u) | (s->qual_lines == 1 ? FQP__ONE_LINE_QUAL : 0u);
    sp->pad = 0;
    b->head_bytes += s->head_end - s->rec_start - 1;
    b->pub.bases += s->seq_len;
    s->phase = FQP__HEAD;
    s->rec_start = end;
    return FQP_OK;
}

/* The quality line starting at ls took the quality past the sequence length.
   When that line starts with '@' after a short first quality line, the
   quality was short and this is the next header: say so, at the quality. */
static fqp_result fqp__quality_overflow(fqp_producer *p, const fqp__batch *b, uint64_t ls, int counted)
{
    const fqp__scan *s = &p->scan; /* line_no is that of ls; qual_lines counts it when `counted` */
    uint64_t first_line = s->line_no + 1 - s->qual_lines - (counted ? 0 : 1);
    if (ls != s->qual_start && s->first_qual_len < s->seq_len && b->raw[ls] == '@')
        return fqp__scan_error(p, b, FQP_ERR_LENGTH_MISMATCH, first_line, s->qual_start,
                               "quality is shorter than the sequence (%llu vs %llu characters)",
                               (unsigned long long)s->first_qual_len, (unsigned long long)s->seq_len);
    return fqp__scan_error(p, b, FQP_ERR_LENGTH_MISMATCH, s->line_no, ls,
                           "quality is longer than the sequence (more than %llu characters)",
                           (unsigned long long)s->seq_len);
}

/* A blank line was followed by more text: the error names the blank line. */
static fqp_result fqp__blank_line_error(fqp_producer *p, const fqp__batch *b)
{
    return fqp__error(&p->perr, FQP_ERR_MISSING_AT, p->reader.name, b->pub.first_record + b->pub.count + 1,
                      p->scan.blank_line, p->scan.blank_offset,
                      "blank line where a record header ('@') was expected; blank lines are only allowed "
                      "at the end of the input");
}

/* A blank line inside a record (line `line`, text offset `offset`): wrapped
   lines are joined, so it would otherwise vanish without a trace. */
static fqp_result fqp__blank_in_record(fqp_producer *p, const fqp__batch *b, uint64_t line, uint64_t offset,
                                       const char *where)
{
    return fqp__error(&p->perr, FQP_ERR_BLANK_LINE, p->reader.name, b->pub.first_record + b->pub.count + 1, line,
                      offset, "blank line %s; a record has no blank lines (an empty read is \"@name\", \"\", "
                      "\"+\", \"\")", where);
}

/* One complete line [ls, ce) (ce excludes "\r\n"); the next line starts at
   `next`. Sets *done when it completes a record. */
static fqp_result fqp__scan_line(fqp_producer *p, fqp__batch *b, uint64_t ls, uint64_t ce, uint64_t next,
                                 int *done)
{
    fqp__scan *s = &p->scan;
    const char *buf = b->raw;
    char shown[200], shown2[200];
    *done = 0;
    switch (s->phase) {
    case FQP__HEAD:
        if (ce == ls) { /* blank: fine at the end of the input, an error before a record */
            if (!s->blank_line) {
                s->blank_line = s->line_no;
                s->blank_offset = b->pub.offset + ls;
            }
            s->rec_start = next;
            return FQP_OK;
        }
        if (s->blank_line) return fqp__blank_line_error(p, b);
        if (buf[ls] != '@') {
            fqp__snippet(shown, sizeof shown, buf + ls, ce - ls);
            return fqp__scan_error(p, b, FQP_ERR_MISSING_AT, s->line_no, ls,
                                   "expected a header line starting with '@', found \"%s\"", shown);
        }
        s->rec_start = ls;
        s->rec_line = s->line_no;
        s->head_end = ce;
        s->seq_start = next;
        s->seq_len = s->seq_lines = 0;
        s->seq_blank_line = 0;
        s->phase = FQP__SEQ;
        return FQP_OK;
    case FQP__SEQ:
        if (ce == ls) { /* the one line of an empty sequence, or an error */
            if (s->seq_blank_line)
                return fqp__blank_in_record(p, b, s->seq_blank_line, s->seq_blank_offset, "after the header");
            if (s->seq_lines)
                return fqp__blank_in_record(p, b, s->line_no, b->pub.offset + ls, "inside the sequence");
            s->seq_blank_line = s->line_no;
            s->seq_blank_offset = b->pub.offset + ls;
            s->seq_lines = 1;
            return FQP_OK;
        }
        if (ce > ls && buf[ls] == '+') {
            uint64_t n = ce - ls - 1, hl = s->head_end - s->rec_start - 1, name = 0;
            const char *h = buf + s->rec_start + 1;
            while (name < hl && h[name] != ' ' && h[name] != '\t') name++;
            if (n && !(n == hl && memcmp(buf + ls + 1, h, n) == 0) &&
                !(n == name && memcmp(buf + ls + 1, h, n) == 0)) {
                fqp__snippet(shown, sizeof shown, buf + ls + 1, n);
                fqp__snippet(shown2, sizeof shown2, h, hl);
                return fqp__scan_error(p, b, FQP_ERR_PLUS_NAME_MISMATCH, s->line_no, ls,
                                       "text after '+' (\"%s\") is not the record's name (\"%s\")", shown,
                                       shown2);
            }
            s->plus_start = ls;
            s->qual_start = next;
            s->qual_len = s->qual_lines = 0;
            s->phase = FQP__QUAL;
            return FQP_OK;
        }
        if (ce > ls && buf[ls] == '@') {
            fqp__snippet(shown, sizeof shown, buf + ls, ce - ls);
            return fqp__scan_error(p, b, FQP_ERR_MISSING_PLUS, s->line_no, ls,
                                   "expected the '+' line after the sequence, found \"%s\"", shown);
        }
        if (s->seq_blank_line)
            return fqp__blank_in_record(p, b, s->seq_blank_line, s->seq_blank_offset, "after the header");
        s->seq_len += ce - ls;
        s->seq_lines++;
        return FQP_OK;
    default: /* FQP__QUAL: read by length, so a line starting with '@' or '+' is quality */
        if (ce == ls && s->seq_len) /* an empty read's one quality line is blank; no other is */
            return fqp__blank_in_record(p, b, s->line_no, b->pub.offset + ls,
                                        s->qual_lines ? "inside the quality" : "after the '+' line");
        s->qual_len += ce - ls;
        if (s->qual_lines++ == 0) s->first_qual_len = ce - ls;
        if (s->qual_len < s->seq_len) return FQP_OK;
        if (s->qual_len > s->seq_len) return fqp__quality_overflow(p, b, ls, 1);
        if (fqp__may_cut(p, b) && next > p->cfg.batch_bytes) {
            *done = 2; /* does not fit: it starts the next batch */
            return FQP_OK;
        }
        *done = 1;
        return fqp__scan_emit(p, b, next);
    }
}

/* A line still without its newline is checked as far as it goes, so that
   input without newlines fails at once instead of growing a buffer. */
static fqp_result fqp__scan_partial(fqp_producer *p, fqp__batch *b)
{
    fqp__scan *s = &p->scan;
    uint64_t ls = s->line_start, n = b->raw_len - ls;
    char shown[200];
    if (n == 0) return FQP_OK;
    if (s->phase == FQP__HEAD && b->raw[ls] != '@' && b->raw[ls] != '\r') {
        if (s->blank_line) return fqp__blank_line_error(p, b); /* as the whole line would */
        fqp__snippet(shown, sizeof shown, b->raw + ls, n);
        return fqp__scan_error(p, b, FQP_ERR_MISSING_AT, s->line_no, ls,
                               "expected a header line starting with '@', found \"%s\"", shown);
    }
    if (s->phase == FQP__QUAL && s->qual_len + n > s->seq_len + 1) /* +1: a '\r' may follow */
        return fqp__quality_overflow(p, b, ls, 0);
    return FQP_OK;
}

/* The usual record, four lines "@name\n SEQ\n +\n QUAL\n" with
   len(SEQ) == len(QUAL) and no '\r', taken whole from four newlines. It
   ends exactly where the line-by-line scan below would; anything else
   (wrapped lines, CRLF, '+name', an error, a line not yet read) is left to
   that scan, which then reports it exactly. Returns 1 when the batch is
   full, 0 when the line scan should take over at s->line_start. */
static int fqp__scan_fast(fqp_producer *p, fqp__batch *b, fqp_result *r)
{
    fqp__scan *s = &p->scan;
    const char *buf = b->raw;
    uint64_t ls = s->line_start;
    fqp__nl it;
    *r = FQP_OK;
    fqp__nl_init(&it, buf, ls, b->raw_len, p->avx2);
    for (;;) {
        uint64_t n1, n2, n3, n4, next, stop;
        if (p->shard && fqp__shard_past(p->shard, b->pub.offset + ls, &stop)) return 0; /* the line scan stops */
        if ((n1 = fqp__nl_next(&it)) == UINT64_MAX || (n2 = fqp__nl_next(&it)) == UINT64_MAX ||
            (n3 = fqp__nl_next(&it)) == UINT64_MAX || (n4 = fqp__nl_next(&it)) == UINT64_MAX)
            return 0;
        /* buf[n1 + 1] is '\n' for an empty sequence, which is fine too */
        if (buf[ls] != '@' || buf[n1 - 1] == '\r' || buf[n1 + 1] == '+' || buf[n1 + 1] == '@' ||
            buf[n2 - 1] == '\r' || n3 != n2 + 2 || buf[n2 + 1] != '+' || n4 - n3 != n2 - n1 ||
            buf[n4 - 1] == '\r') {
            p->fast_skip = 64; /* not the usual layout: the line scan takes the next records */
            return 0;
        }
        next = n4 + 1;
        if (fqp__may_cut(p, b) && next > p->cfg.batch_bytes) return 1; /* starts the next batch */
        s->rec_start = ls;
        s->rec_line = s->line_no;
        s->head_end = n1;
        s->seq_start = n1 + 1;
        s->seq_len = s->qual_len = s->first_qual_len = n2 - n1 - 1;
        s->seq_lines = s->qual_lines = 1;
        s->plus_start = n2 + 1;
        s->qual_start = n3 + 1;
        if ((*r = fqp__scan_emit(p, b, next)) != FQP_OK) return 0;
        s->line_start = s->search = ls = next;
        s->line_no += 4;
        if (fqp__batch_full(p, b, next)) return 1;
    }
}

/* A shard's end (>>shard): the record starting at the scan's line belongs
   to a later shard. 1 when so: the text from there on is dropped as if the
   input ended, and *r is an error unless the next shard starts there too. */
static int fqp__scan_shard_end(fqp_producer *p, fqp__batch *b, fqp_result *r)
{
    uint64_t at = b->pub.offset + p->scan.line_start, stop;
    *r = FQP_OK;
    if (!fqp__shard_past(p->shard, at, &stop)) return 0;
    if (at != stop) {
        *r = fqp__scan_error(p, b, FQP_ERR_SHARD, p->scan.line_no, p->scan.line_start,
                             "this shard's records end at byte %llu, but the next shard's first record was found "
                             "at byte %llu: the input is not four-line FASTQ there (wrapped?) and cannot be "
                             "sharded by bytes (shard by file instead)",
                             (unsigned long long)at, (unsigned long long)stop);
        return 1;
    }
    b->raw_len = p->scan.line_start;
    p->eof = 1;
    return 1;
}

/* Scans every complete line of the batch's text (and at end of input the
   last, unterminated one). Sets *full when the batch reached its record
   limit, or holds a record that alone exceeds the byte limit. */
static fqp_result fqp__scan_text(fqp_producer *p, fqp__batch *b, int *full)
{
    fqp__scan *s = &p->scan;
    const char *buf = b->raw;
    uint64_t len = b->raw_len;
    *full = 0;
    for (;;) {
        const char *nl;
        uint64_t eol, next, ce;
        int done;
        fqp_result r;
        if (s->phase == FQP__HEAD && !s->blank_line) {
            if (p->shard && fqp__scan_shard_end(p, b, &r)) return r;
            if (p->fast_skip) {
                p->fast_skip--;
            } else {
                if (fqp__scan_fast(p, b, &r)) {
                    *full = 1;
                    return FQP_OK;
                }
                if (r != FQP_OK) return r;
                if (p->shard && fqp__scan_shard_end(p, b, &r)) return r;
            }
        }
        nl = s->search < len ? (const char *)memchr(buf + s->search, '\n', len - s->search) : NULL;
        if (nl) {
            eol = (uint64_t)(nl - buf);
            next = eol + 1;
        } else {
            s->search = len;
            if (!p->eof) return fqp__scan_partial(p, b);
            if (s->line_start >= len) return FQP_OK;
            eol = next = len; /* the last line has no newline */
        }
        ce = eol > s->line_start && buf[eol - 1] == '\r' ? eol - 1 : eol;
        r = fqp__scan_line(p, b, s->line_start, ce, next, &done);
        if (r != FQP_OK) return r;
        if (done == 2) { /* rescanned from its header in the next batch */
            s->phase = FQP__HEAD;
            s->line_start = s->search = s->rec_start;
            s->line_no = s->rec_line;
            *full = 1;
            return FQP_OK;
        }
        s->line_start = s->search = next;
        s->line_no++;
        if (done && fqp__batch_full(p, b, next)) {
            *full = 1;
            return FQP_OK;
        }
    }
}

/* At end of input: the record in progress is either an empty read whose
   empty quality line has no newline, or truncated. */
static fqp_result fqp__scan_finish(fqp_producer *p, fqp__batch *b)
{
    fqp__scan *s = &p->scan;
    if (s->phase == FQP__HEAD) return FQP_OK;
    if (s->phase == FQP__QUAL && s->qual_lines == 0 && s->seq_len == 0) return fqp__scan_emit(p, b, b->raw_len);
    if (s->phase == FQP__SEQ)
        return fqp__scan_error(p, b, FQP_ERR_TRUNCATED_RECORD, s->rec_line, s->rec_start,
                               "input ends before the record's '+' line");
    return fqp__scan_error(p, b, FQP_ERR_TRUNCATED_RECORD, s->rec_line, s->rec_start,
                           "input ends inside the quality (%llu of %llu characters)",
                           (unsigned long long)s->qual_len, (unsigned long long)s->seq_len);
}

/* ---- >>fill: filling batches (producer thread) ---- */

static fqp__batch *fqp__batch_new(fqp_producer *p)
{
    fqp__batch *b = (fqp__batch *)fqp__calloc(&p->cfg.allocator, sizeof *b);
    if (!b) return NULL;
    b->owner = p;
    b->job.kind = FQP__JOB_BATCH;
    b->pub.file = p->reader.name;
    p->pool[p->pool_count++] = b;
    return b;
}

/* A batch to fill: a recycled one, a new one while the pool is not full,
   or (blocking) the next one a consumer releases. */
static fqp_result fqp__take_free(fqp_producer *p, fqp__batch **out, int blocking)
{
    void *item = NULL;
    fqp_result r = fqp_queue_try_pop(p->free_q, &item);
    if (r == FQP_AGAIN && p->pool_count < p->pool_size) {
        *out = fqp__batch_new(p);
        return *out ? FQP_OK : FQP_ERR_NOMEM;
    }
    if (r == FQP_AGAIN) {
        double t0 = fqp__now();
        if (!blocking) return FQP_AGAIN; /* would block */
        r = fqp_queue_pop(p->free_q, &item);
        p->pool_wait_seconds += fqp__now() - t0;
    }
    if (r != FQP_OK) return FQP_ERR_CANCELLED;
    *out = (fqp__batch *)item;
    return FQP_OK;
}

static int fqp__cancelled(fqp_producer *p)
{
    int c;
    fqp__lock(&p->mu);
    c = p->failed || p->stopped;
    fqp__unlock(&p->mu);
    return c;
}

/* Gives an error from the reader the position of the record in progress,
   so that errors compare by position, and says where in the text it broke. */
static void fqp__locate(fqp_error *e, uint64_t record, uint64_t line, uint64_t offset)
{
    char detail[FQP_ERROR_MESSAGE_MAX], file[FQP_ERROR_FILE_MAX];
    size_t skip = strlen(e->file) + 2;
    snprintf(detail, sizeof detail, "%s", strlen(e->message) >= skip ? e->message + skip : e->message);
    memcpy(file, e->file, sizeof file); /* fqp__error clears *e first */
    fqp__error(e, e->code, file, record, line, offset, "%s", detail);
}

#define FQP__GZIP_LOOKAHEAD (1u << 20)

/* A parse error in gzip input may be garbage that zlib produced before it
   noticed the corruption. Inflating a fixed 1 MiB of text past the error
   tells: a gzip error there is the real cause and is reported instead. The
   window is in text bytes, so the outcome does not depend on read sizes. */
static void fqp__gzip_confirm(fqp_producer *p)
{
    char scratch[4096];
    fqp_error e;
    uint64_t until = p->perr.offset + FQP__GZIP_LOOKAHEAD;
    if (!p->reader.gzip || p->reader.bgzf_on || p->perr.code == FQP_ERR_READ) return; /* BGZF text is checked */
    while (p->reader.text_bytes < until) {
        size_t got = 0;
        uint64_t want = until - p->reader.text_bytes;
        if (fqp__reader_read(&p->reader, scratch, want < sizeof scratch ? (size_t)want : sizeof scratch, &got, &e) !=
            FQP_OK) {
            fqp__locate(&e, p->perr.record, p->perr.line, p->perr.offset);
            p->perr = e;
            return;
        }
        if (got == 0) return;
    }
}

/* Errors of the source or the compressed layer themselves: no parse error
   is behind them, so the gzip lookahead (fqp__gzip_confirm) is not needed. */
static int fqp__is_source_error(fqp_result r)
{
    switch (r) {
    case FQP_ERR_NOMEM:
    case FQP_ERR_READ:
    case FQP_ERR_GZIP_CORRUPT:
    case FQP_ERR_GZIP_TRUNCATED:
    case FQP_ERR_GZIP_TRAILING:
    case FQP_ERR_UNSUPPORTED_COMPRESSION:
    case FQP_ERR_NO_ZLIB: return 1;
    default: return 0;
    }
}

/* Producer thread, step 1 of fqp__produce: a free batch, with the tail of
   the previous batch (a record cut by the batch limit) copied to its front. */
static fqp_result fqp__batch_start(fqp_producer *p, fqp__batch **out, int blocking)
{
    const fqp_allocator *a = &p->cfg.allocator;
    fqp__batch *b;
    uint64_t want = p->cfg.batch_bytes;
    fqp_result r = fqp__take_free(p, &b, blocking);
    if (r == FQP_AGAIN)
        return fqp__error(&p->perr, FQP_ERR_INVALID_ARGUMENT, p->reader.name, 0, 0, 0,
                          "fqp_producer_read: every batch is still held; release one first");
    if (r == FQP_ERR_NOMEM) return fqp__error(&p->perr, r, p->reader.name, 0, 0, 0, "out of memory for a batch");
    if (r != FQP_OK) return r;
    if (want < p->carry_len + 1) want = p->carry_len + 1;
    if (b == p->prev) {
        /* consumers are done with this batch: its tail moves to the front */
        memmove(b->raw, b->raw + p->carry_from, (size_t)p->carry_len);
        fqp__shrink(a, (void **)&b->raw, &b->raw_cap, want, 2 * p->cfg.batch_bytes, 1);
    } else {
        fqp__shrink(a, (void **)&b->raw, &b->raw_cap, 0, 2 * p->cfg.batch_bytes, 1);
        if (fqp__reserve(a, (void **)&b->raw, &b->raw_cap, want, 1))
            return fqp__error(&p->perr, FQP_ERR_NOMEM, p->reader.name, 0, 0, 0, "out of memory for batch text");
        /* only the producer writes raw text, and only into batches it holds:
           the previous batch's tail is read while a consumer reads its head */
        if (p->carry_len) memcpy(b->raw, p->prev->raw + p->carry_from, (size_t)p->carry_len);
    }
    if (fqp__reserve(a, (void **)&b->raw, &b->raw_cap, want, 1))
        return fqp__error(&p->perr, FQP_ERR_NOMEM, p->reader.name, 0, 0, 0, "out of memory for batch text");
    /* the parsed arrays of a huge record are given back too */
    fqp__shrink(a, (void **)&b->seq, &b->seq_cap, 0, 2 * p->cfg.batch_bytes, 1);
    fqp__shrink(a, (void **)&b->qual, &b->qual_cap, 0, 2 * p->cfg.batch_bytes, 1);
    fqp__shrink(a, (void **)&b->out, &b->out_cap, 0, 4 * p->cfg.batch_bytes, 1);
    b->raw_len = p->carry_len;
    b->pub.index = p->next_index;
    b->pub.first_record = p->next_record;
    b->pub.count = 0;
    b->pub.bases = 0;
    b->pub.first_line = p->raw0_line;
    b->pub.offset = p->raw0_offset;
    b->head_bytes = 0;
    b->out_len = 0;
    b->error_reported = 0;
    p->prev = b;
    p->carry_from = p->carry_len = 0;
    *out = b;
    return FQP_OK;
}

/* Producer thread, step 2: reads and scans until the batch is full or the
   input ends. An error in the text or the source is located (*located = 1):
   the records before it are still delivered. Out of memory and a cancelled
   run end the production at once (*located = 0). */
static fqp_result fqp__batch_fill(fqp_producer *p, fqp__batch *b, int *located)
{
    const fqp_allocator *a = &p->cfg.allocator;
    fqp_result r;
    int full = 0;
    *located = 1;
    for (;;) {
        size_t got = 0;
        double t0;
        if ((r = fqp__scan_text(p, b, &full)) != FQP_OK) return r;
        if (full) return FQP_OK;
        if (p->eof) {
            if ((r = fqp__scan_finish(p, b)) != FQP_OK) return r;
            p->finished = 1;
            return FQP_OK;
        }
        if (p->cfg.max_record_bytes && b->raw_len - p->scan.rec_start > p->cfg.max_record_bytes)
            return fqp__scan_error(p, b, FQP_ERR_RECORD_TOO_LONG,
                                   p->scan.phase == FQP__HEAD ? p->scan.line_no : p->scan.rec_line, p->scan.rec_start,
                                   "record is longer than max_record_bytes (%llu)",
                                   (unsigned long long)p->cfg.max_record_bytes);
        if (fqp__may_cut(p, b) && b->raw_len >= p->cfg.batch_bytes) return FQP_OK; /* the partial record moves on */
        *located = 0;
        if (b->raw_len == b->raw_cap) {
            if (fqp__may_cut(p, b)) return FQP_OK;
            if (fqp__reserve(a, (void **)&b->raw, &b->raw_cap, b->raw_cap + 1, 1))
                return fqp__error(&p->perr, FQP_ERR_NOMEM, p->reader.name, b->pub.first_record + 1, 0, 0,
                                  "out of memory growing a batch to %llu bytes for record %llu",
                                  (unsigned long long)(2 * b->raw_cap),
                                  (unsigned long long)(b->pub.first_record + 1));
        }
        if (fqp__cancelled(p)) return FQP_ERR_CANCELLED;
        *located = 1;
        t0 = fqp__now();
        {
            /* read no further than the batch limit unless the first record needs more */
            uint64_t room = b->raw_cap - b->raw_len;
            if (fqp__may_cut(p, b) && p->cfg.batch_bytes - b->raw_len < room) room = p->cfg.batch_bytes - b->raw_len;
            if (room > p->cfg.read_size) room = p->cfg.read_size;
            r = fqp__reader_read(&p->reader, b->raw + b->raw_len, (size_t)room, &got, &p->perr);
        }
        p->read_seconds += fqp__now() - t0;
        if (r != FQP_OK) {
            if (r != FQP_ERR_UNSUPPORTED_COMPRESSION) /* the whole file's format: no record to name */
                fqp__locate(&p->perr, b->pub.first_record + b->pub.count + 1, p->scan.line_no,
                            b->pub.offset + b->raw_len);
            return r;
        }
        if (got == 0) p->eof = 1;
        b->raw_len += got;
    }
}

/* Producer thread, when filling stopped at an error: the whole records
   before it are delivered first (they are processed and may hold an earlier
   error); the error comes with the next call. FQP_OK when there are such
   records, else the error. */
static fqp_result fqp__batch_defer(fqp_producer *p, fqp__batch *b, fqp_result r)
{
    if (!fqp__is_source_error(r)) {
        fqp__gzip_confirm(p);
        r = p->perr.code;
    }
    if (!b->pub.count) return r;
    p->pending_error = r;
    p->finished = 1;
    return FQP_OK;
}

/* Producer thread, step 3: what follows the last whole record starts the
   next batch; the scan's offsets move with it. FQP_DONE when the batch
   holds no record (only blank lines were left). */
static fqp_result fqp__batch_finish(fqp_producer *p, fqp__batch *b)
{
    p->carry_from = p->scan.rec_start;
    if (p->carry_from > b->raw_len) p->carry_from = b->raw_len;
    p->carry_len = b->raw_len - p->carry_from;
    b->pub.text_bytes = p->carry_from;
    p->raw0_offset += p->carry_from;
    p->raw0_line = p->scan.phase == FQP__HEAD ? p->scan.line_no : p->scan.rec_line;
    p->scan.line_start -= p->carry_from;
    p->scan.search -= p->carry_from;
    p->scan.rec_start -= p->carry_from;
    if (p->scan.phase != FQP__HEAD) {
        p->scan.head_end -= p->carry_from;
        p->scan.seq_start -= p->carry_from;
        if (p->scan.phase == FQP__QUAL) {
            p->scan.plus_start -= p->carry_from;
            p->scan.qual_start -= p->carry_from;
        }
    }
    if (b->pub.count == 0) {
        fqp_queue_push(p->free_q, b);
        return FQP_DONE;
    }
    p->next_index++;
    p->next_record += b->pub.count;
    p->records += b->pub.count;
    p->bases += b->pub.bases;
    p->batches++;
    return FQP_OK;
}

/* Producer thread: the next batch of whole records. FQP_DONE when the
   input has no more records; an error held back for the records before it
   comes on the call after them. */
static fqp_result fqp__produce(fqp_producer *p, fqp__batch **out, int blocking)
{
    fqp__batch *b = NULL;
    fqp_result r;
    int located;
    if (p->pending_error) {
        r = p->pending_error;
        p->pending_error = FQP_OK;
        return r;
    }
    if (p->finished) return FQP_DONE;
    if ((r = fqp__batch_start(p, &b, blocking)) != FQP_OK) return r;
    if ((r = fqp__batch_fill(p, b, &located)) != FQP_OK) {
        if (!located) return r;
        if ((r = fqp__batch_defer(p, b, r)) != FQP_OK) return r;
    }
    if ((r = fqp__batch_finish(p, b)) != FQP_OK) return r;
    *out = b;
    return FQP_OK;
}

/* ---- >>parse: a batch into arrays (consumer thread) ---- */

/* Copies the lines of [from, to) without their "\n" / "\r\n" into dst. */
static uint64_t fqp__copy_lines(char *dst, const char *raw, uint64_t from, uint64_t to)
{
    uint64_t n = 0;
    while (from < to) {
        const char *nl = (const char *)memchr(raw + from, '\n', (size_t)(to - from));
        uint64_t eol = nl ? (uint64_t)(nl - raw) : to, ce = eol;
        if (ce > from && raw[ce - 1] == '\r') ce--;
        memcpy(dst + n, raw + from, (size_t)(ce - from));
        n += ce - from;
        from = eol + 1;
    }
    return n;
}

/* Position in raw text of the k-th character of a possibly wrapped region. */
static uint64_t fqp__raw_pos(const char *raw, uint64_t from, uint64_t to, uint64_t k)
{
    while (from < to) {
        const char *nl = (const char *)memchr(raw + from, '\n', (size_t)(to - from));
        uint64_t eol = nl ? (uint64_t)(nl - raw) : to, ce = eol;
        if (ce > from && raw[ce - 1] == '\r') ce--;
        if (k < ce - from) return from + k;
        k -= ce - from;
        from = eol + 1;
    }
    return from;
}

static uint64_t fqp__line_of(const fqp__batch *b, uint64_t raw_off)
{
    uint64_t line = b->pub.first_line, i;
    for (i = 0; i < raw_off; i++) line += b->raw[i] == '\n';
    return line;
}

static fqp_result fqp__invalid(fqp_producer *p, fqp__batch *b, uint64_t i, int is_qual, uint64_t k,
                               fqp_error *err)
{
    const fqp__span *sp = &b->spans[i];
    uint64_t from = is_qual ? sp->qual : sp->seq, to = is_qual ? sp->end : sp->plus;
    uint64_t pos = fqp__raw_pos(b->raw, from, to, k);
    unsigned char c = (unsigned char)b->raw[pos];
    char shown[16];
    fqp__snippet(shown, sizeof shown, b->raw + pos, 1);
    (void)p;
    return fqp__error(err, is_qual ? FQP_ERR_INVALID_QUALITY : FQP_ERR_INVALID_BASE, b->pub.file,
                      b->pub.first_record + i + 1, fqp__line_of(b, pos), b->pub.offset + pos,
                      is_qual ? "quality character \"%s\" (%u) at position %llu is outside '!'..'~' (Phred+33 Q0..Q93)"
                              : "invalid sequence character \"%s\" (%u) at position %llu",
                      shown, (unsigned)c, (unsigned long long)(k + 1));
}

/* Copy-and-check kernels: one pass over the bytes copies them into the
   batch's arrays and checks them: SSE2 (every x86-64) 16 bytes at a time,
   AVX2 32 where the CPU has it; the scalar loops are the reference. */

/* Length of the name: the header up to its first blank (' ' or '\t'). */
static uint64_t fqp__name_len(const char *h, uint64_t n)
{
    uint64_t k = 0;
#ifdef FQP__SSE2
    const __m128i sp = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t');
    for (; k + 16 <= n; k += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(h + k));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, sp), _mm_cmpeq_epi8(x, tab)));
        if (m) return k + (uint64_t)fqp__ctz64(m);
    }
#endif
    while (k < n && h[k] != ' ' && h[k] != '\t') k++;
    return k;
}

/* The scalar references: copy s[0..n) to dst and say whether every byte
   is one of ACGTN (either case) / a Phred+33 quality '!' (Q0) to '~' (Q93). */
static int fqp__copy_acgtn_scalar(char *dst, const char *src, uint64_t n)
{
    unsigned bad = 0;
    uint64_t k;
    for (k = 0; k < n; k++) {
        unsigned x = (unsigned char)src[k] & 0xDFu;
        dst[k] = src[k];
        bad |= (unsigned)(x != 'A') & (unsigned)(x != 'C') & (unsigned)(x != 'G') & (unsigned)(x != 'T') &
               (unsigned)(x != 'N');
    }
    return !bad;
}

static int fqp__copy_quality_scalar(char *dst, const char *src, uint64_t n)
{
    unsigned char lo = 255, hi = 0;
    uint64_t k;
    for (k = 0; k < n; k++) {
        unsigned char x = (unsigned char)src[k];
        dst[k] = src[k];
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
    }
    return n == 0 || (lo >= 33 && hi <= 126);
}

/* The vector kernels end with one block that overlaps the one before it
   (rewriting the same bytes), so a read has no scalar tail; only reads
   shorter than one block take the scalar loop. dst may equal src. */
#ifdef FQP__SSE2
static int fqp__copy_acgtn(char *dst, const char *src, uint64_t n)
{
    const __m128i up = _mm_set1_epi8((char)0xDF), a = _mm_set1_epi8('A'), c = _mm_set1_epi8('C'),
                  g = _mm_set1_epi8('G'), t = _mm_set1_epi8('T'), nn = _mm_set1_epi8('N');
    __m128i all = _mm_set1_epi8(-1);
    uint64_t k = 0;
    if (n < 16) return fqp__copy_acgtn_scalar(dst, src, n);
    for (;;) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(src + k)), u = _mm_and_si128(x, up);
        __m128i ok = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(u, a), _mm_cmpeq_epi8(u, c)),
                                  _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(u, g), _mm_cmpeq_epi8(u, t)),
                                               _mm_cmpeq_epi8(u, nn)));
        _mm_storeu_si128((__m128i *)(void *)(dst + k), x);
        all = _mm_and_si128(all, ok);
        if (k + 16 == n) break;
        k = k + 32 <= n ? k + 16 : n - 16;
    }
    return _mm_movemask_epi8(all) == 0xFFFF;
}

static int fqp__copy_quality(char *dst, const char *src, uint64_t n)
{
    __m128i vlo = _mm_set1_epi8(-1), vhi = _mm_setzero_si128();
    uint64_t k = 0;
    if (n < 16) return fqp__copy_quality_scalar(dst, src, n);
    for (;;) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(src + k));
        _mm_storeu_si128((__m128i *)(void *)(dst + k), x);
        vlo = _mm_min_epu8(vlo, x);
        vhi = _mm_max_epu8(vhi, x);
        if (k + 16 == n) break;
        k = k + 32 <= n ? k + 16 : n - 16;
    }
    /* every byte's lo >= 33 and hi <= 126: max(lo, 33) == lo, min(hi, 126) == hi */
    return _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(_mm_max_epu8(vlo, _mm_set1_epi8(33)), vlo),
                                           _mm_cmpeq_epi8(_mm_min_epu8(vhi, _mm_set1_epi8(126)), vhi))) == 0xFFFF;
}
#else
#define fqp__copy_acgtn fqp__copy_acgtn_scalar
#define fqp__copy_quality fqp__copy_quality_scalar
#endif

#ifdef FQP__AVX2
/* 32 bytes at a time. ACGTN: the letter a byte must be, looked up by its
   low nibble (pshufb), compared with the byte (case folded). */
FQP__TARGET_AVX2 static int fqp__copy_acgtn_avx2(char *dst, const char *src, uint64_t n)
{
    const __m256i want = _mm256_setr_epi8(-1, 'A', -1, 'C', 'T', -1, -1, 'G', -1, -1, -1, -1, -1, -1, 'N', -1, -1,
                                          'A', -1, 'C', 'T', -1, -1, 'G', -1, -1, -1, -1, -1, -1, 'N', -1);
    const __m256i up = _mm256_set1_epi8((char)0xDF), lo4 = _mm256_set1_epi8(0x0F);
    __m256i all = _mm256_set1_epi8(-1);
    uint64_t k = 0;
    if (n < 32) return fqp__copy_acgtn(dst, src, n);
    for (;;) {
        __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)(src + k)), u = _mm256_and_si256(x, up);
        __m256i ok = _mm256_cmpeq_epi8(_mm256_shuffle_epi8(want, _mm256_and_si256(u, lo4)), u);
        _mm256_storeu_si256((__m256i *)(void *)(dst + k), x);
        all = _mm256_and_si256(all, ok);
        if (k + 32 == n) break;
        k = k + 64 <= n ? k + 32 : n - 32;
    }
    return _mm256_movemask_epi8(all) == -1;
}

FQP__TARGET_AVX2 static int fqp__copy_quality_avx2(char *dst, const char *src, uint64_t n)
{
    __m256i vlo = _mm256_set1_epi8(-1), vhi = _mm256_setzero_si256();
    uint64_t k = 0;
    if (n < 32) return fqp__copy_quality(dst, src, n);
    for (;;) {
        __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)(src + k));
        _mm256_storeu_si256((__m256i *)(void *)(dst + k), x);
        vlo = _mm256_min_epu8(vlo, x);
        vhi = _mm256_max_epu8(vhi, x);
        if (k + 32 == n) break;
        k = k + 64 <= n ? k + 32 : n - 32;
    }
    return _mm256_movemask_epi8(_mm256_and_si256(_mm256_cmpeq_epi8(_mm256_max_epu8(vlo, _mm256_set1_epi8(33)), vlo),
                                                 _mm256_cmpeq_epi8(_mm256_min_epu8(vhi, _mm256_set1_epi8(126)), vhi))) ==
           -1;
}
#define FQP__COPY_ACGTN(p, d, s, n) ((p)->avx2 ? fqp__copy_acgtn_avx2(d, s, n) : fqp__copy_acgtn(d, s, n))
#define FQP__COPY_QUALITY(p, d, s, n) ((p)->avx2 ? fqp__copy_quality_avx2(d, s, n) : fqp__copy_quality(d, s, n))
#else
#define FQP__COPY_ACGTN(p, d, s, n) fqp__copy_acgtn(d, s, n)
#define FQP__COPY_QUALITY(p, d, s, n) fqp__copy_quality(d, s, n)
#endif

/* Copies a sequence and says whether every letter is surely valid. The
   printable set '!'..'~' is exactly the quality range, so its kernel is the
   quality one; the IUPAC kernel passes ACGTN only, and the rarer IUPAC
   letters go to the exact table (base_ok) in fqp__batch_parse. */
static int fqp__copy_letters(const fqp_producer *p, char *dst, const char *src, uint64_t n)
{
    if (p->cfg.letters == FQP_LETTERS_PRINTABLE) return FQP__COPY_QUALITY(p, dst, src, n);
    return FQP__COPY_ACGTN(p, dst, src, n);
}

/* Consumer thread: builds the structure-of-arrays view of a batch and
   validates it. Runs in parallel across consumers; the producer only found
   where the records are. */
/* Records [0, n) of the batch become readable through pub (all of them, or
   those before a record that failed validation: paired input checks their
   mate names, so that the first problem in the input is the one reported). */
static void fqp__batch_view(fqp__batch *b, uint64_t n, uint64_t ho, uint64_t so)
{
    b->parsed = n;
    b->head_off[n] = ho;
    b->seq_off[n] = so;
    b->pub.head = b->head;
    b->pub.head_off = b->head_off;
    b->pub.name_len = b->name_len;
    b->pub.seq = b->seq;
    b->pub.qual = b->qual;
    b->pub.seq_off = b->seq_off;
}

static fqp_result fqp__batch_parse(fqp_producer *p, fqp__batch *b, fqp_error *err)
{
    const fqp_allocator *a = &p->cfg.allocator;
    const char *raw = b->raw;
    uint64_t n = b->pub.count, i, ho = 0, so = 0;
    int check_seq = p->cfg.validate == FQP_VALIDATE_SEQUENCE || p->cfg.validate == FQP_VALIDATE_ALL;
    int check_qual = p->cfg.validate == FQP_VALIDATE_QUALITY || p->cfg.validate == FQP_VALIDATE_ALL;
    b->parsed = 0;
    if (fqp__reserve(a, (void **)&b->head_off, &b->head_off_cap, n + 1, sizeof(uint64_t)) ||
        fqp__reserve(a, (void **)&b->seq_off, &b->seq_off_cap, n + 1, sizeof(uint64_t)) ||
        fqp__reserve(a, (void **)&b->name_len, &b->name_len_cap, n + 1, sizeof(uint64_t)) ||
        fqp__reserve(a, (void **)&b->head, &b->head_cap, b->head_bytes + 1, 1) ||
        fqp__reserve(a, (void **)&b->seq, &b->seq_cap, b->pub.bases + 1, 1) ||
        fqp__reserve(a, (void **)&b->qual, &b->qual_cap, b->pub.bases + 1, 1))
        return fqp__error(err, FQP_ERR_NOMEM, b->pub.file, 0, 0, 0, "out of memory parsing batch %llu",
                          (unsigned long long)b->pub.index);
    for (i = 0; i < n; i++) {
        const fqp__span *sp = &b->spans[i];
        uint64_t hl = sp->head_end - sp->start - 1, len = sp->len;
        const char *h = raw + sp->start + 1;
        int seq_ok = 1, qual_ok = 1;
        b->head_off[i] = ho;
        b->seq_off[i] = so;
        memcpy(b->head + ho, h, (size_t)hl);
        b->name_len[i] = fqp__name_len(h, hl);
        ho += hl;
        /* one-line records (the usual case) are copied and checked in one pass */
        if (!(sp->flags & FQP__ONE_LINE_SEQ)) {
            fqp__copy_lines(b->seq + so, raw, sp->seq, sp->plus);
            seq_ok = !check_seq || fqp__copy_letters(p, b->seq + so, b->seq + so, len);
        } else if (check_seq) {
            seq_ok = fqp__copy_letters(p, b->seq + so, raw + sp->seq, len);
        } else {
            memcpy(b->seq + so, raw + sp->seq, (size_t)len);
        }
        if (!(sp->flags & FQP__ONE_LINE_QUAL)) {
            fqp__copy_lines(b->qual + so, raw, sp->qual, sp->end);
            qual_ok = !check_qual || FQP__COPY_QUALITY(p, b->qual + so, b->qual + so, len);
        } else if (check_qual) {
            qual_ok = FQP__COPY_QUALITY(p, b->qual + so, raw + sp->qual, len);
        } else {
            memcpy(b->qual + so, raw + sp->qual, (size_t)len);
        }
        if (!seq_ok) { /* a bad letter, or a rarer IUPAC one: the exact table decides */
            const unsigned char *s = (const unsigned char *)b->seq + so;
            uint64_t k;
            for (k = 0; k < len && p->base_ok[s[k]]; k++) {}
            if (k < len) {
                fqp__batch_view(b, i, b->head_off[i], so); /* ho counts this header already */
                return fqp__invalid(p, b, i, 0, k, err);
            }
        }
        if (!qual_ok) {
            const unsigned char *q = (const unsigned char *)b->qual + so;
            uint64_t k;
            for (k = 0; q[k] >= 33 && q[k] <= 126; k++) {}
            fqp__batch_view(b, i, b->head_off[i], so);
            return fqp__invalid(p, b, i, 1, k, err);
        }
        so += len;
    }
    fqp__batch_view(b, n, ho, so);
    return FQP_OK;
}

/* A batch cut to its first n parsed records: those before a record that
   failed validation are delivered before the error, as the records before a
   structural error are, so what a failed run saw never depends on where
   batches were cut. Returns n. */
static uint64_t fqp__batch_cut(fqp__batch *b, uint64_t n)
{
    if (n < b->pub.count) { /* n == 0 also when parsing ran out of memory: no arrays */
        b->pub.count = n;
        b->pub.bases = n ? b->seq_off[n] : 0;
        b->pub.text_bytes = n ? b->spans[n].start : 0;
    }
    return n;
}

/* ---- >>producer: the public pieces, and the internal interface ---- */

static fqp_result fqp__batch_emit(void *ctx, void *item);

FASTQPAR_DEF fqp_result fqp_producer_create(fqp_producer **out, const fqp_producer_desc *desc, fqp_error *err)
{
    fqp_config cfg;
    fqp_producer *p;
    fqp_result r;
    const char *letters = "ACGTUNRYKMSWBDHVacgtunrykmswbdhv.-*"; /* FQP_LETTERS_IUPAC */
    int c;
    if (err) memset(err, 0, sizeof *err);
    if (!out || !desc) return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0, "NULL argument");
    *out = NULL;
    if ((r = fqp__config_resolve(&desc->config, &cfg, err)) != FQP_OK) return r;
    p = (fqp_producer *)fqp__calloc(&cfg.allocator, sizeof *p);
    if (!p) return fqp__error(err, FQP_ERR_NOMEM, NULL, 0, 0, 0, "out of memory");
    p->cfg = cfg;
    p->output = desc->output;
    p->pool_size = cfg.queue_depth + (size_t)cfg.threads + 1 + desc->held_batches;
    p->raw0_line = 1;
    p->scan.line_no = 1;
    if (cfg.letters == FQP_LETTERS_PRINTABLE)
        for (c = '!'; c <= '~'; c++) p->base_ok[c] = 1;
    else
        for (; *letters; letters++) p->base_ok[(unsigned char)*letters] = 1;
    p->avx2 = fqp__cpu_avx2();
    if (!fqp__mutex_init(&p->mu)) {
        fqp__free(&cfg.allocator, p);
        return fqp__error(err, FQP_ERR_THREAD, NULL, 0, 0, 0, "cannot create a mutex");
    }
    if (!fqp__cond_init(&p->holders_cv)) {
        fqp__mutex_destroy(&p->mu);
        fqp__free(&cfg.allocator, p);
        return fqp__error(err, FQP_ERR_THREAD, NULL, 0, 0, 0, "cannot create a condition variable");
    }
    /* destroy copes with a half-built producer from here on */
    p->pool = (fqp__batch **)fqp__calloc(&cfg.allocator, p->pool_size * sizeof *p->pool);
    if (!p->pool) r = fqp__error(err, FQP_ERR_NOMEM, NULL, 0, 0, 0, "out of memory");
    else if ((r = fqp__ordered_init(&p->order, &cfg.allocator, p->pool_size, fqp__batch_emit, p)) != FQP_OK)
        fqp__error(err, r, NULL, 0, 0, 0, r == FQP_ERR_NOMEM ? "out of memory" : "cannot create a mutex");
    else if ((r = fqp_queue_create(&p->queue, cfg.queue_depth, &cfg.allocator)) != FQP_OK ||
             (r = fqp_queue_create(&p->free_q, p->pool_size, &cfg.allocator)) != FQP_OK)
        fqp__error(err, r, NULL, 0, 0, 0, "cannot create the batch queues: %s", fqp_result_string(r));
    else
        r = fqp__reader_open(&p->reader, &desc->input, &p->cfg.allocator, cfg.read_size, err);
    p->reader.threads = cfg.threads;
    p->reader.codec = cfg.inflate;
    p->reader.parallel_gzip = cfg.parallel_gzip;
    if (r == FQP_OK) r = fqp__shard_open(&p->reader, &desc->input, &p->shard, &p->raw0_offset, err);
    p->text_origin = p->raw0_offset;
    if (r != FQP_OK) {
        fqp_producer_destroy(p);
        return r;
    }
    fqp__log(&p->cfg, FQP_LOG_DEBUG, "%s: %d threads, batches of %llu records / %llu bytes, queue depth %zu",
             p->reader.name, cfg.threads, (unsigned long long)cfg.batch_records,
             (unsigned long long)cfg.batch_bytes, cfg.queue_depth);
    *out = p;
    return FQP_OK;
}

FASTQPAR_DEF void fqp_producer_destroy(fqp_producer *p)
{
    fqp_allocator a;
    size_t i;
    if (!p) return;
    a = p->cfg.allocator;
    fqp__reader_close(&p->reader);
    fqp__shard_free(p->shard, &a); /* after the reader: it names the input by the shard's name */
    if (p->pool)
        for (i = 0; i < p->pool_count; i++) fqp__batch_free(&a, p->pool[i]);
    fqp_queue_destroy(p->queue);
    fqp_queue_destroy(p->free_q);
    fqp__free(&a, p->pool);
    fqp__ordered_free(&p->order, &a);
    fqp__cond_destroy(&p->holders_cv);
    fqp__mutex_destroy(&p->mu);
    fqp__free(&a, p);
}

/* True when error a lies before error b in the input. */
static int fqp__earlier(const fqp_error *a, const fqp_error *b)
{
    if (!a->record || !b->record) return 0;
    return a->record < b->record || (a->record == b->record && a->line < b->line);
}

/* An error located in batch `index`: the earliest such error in the input is
   the run's error, whatever the thread timing. Batches up to `index` still
   drain (they may hold an earlier error); later ones are skipped. */
static void fqp__fail_at(fqp_producer *p, uint64_t index, const fqp_error *err)
{
    fqp__lock(&p->mu);
    if (!p->failed || (p->fail_index != UINT64_MAX && fqp__earlier(err, &p->err))) {
        p->err = *err;
        if (p->err.code >= 0) p->err.code = FQP_ERR_CONSUMER;
    }
    if (!p->failed || (p->fail_index != UINT64_MAX && index < p->fail_index)) p->fail_index = index;
    p->failed = 1;
    fqp__broadcast(&p->holders_cv);
    fqp__unlock(&p->mu);
}

FASTQPAR_DEF void fqp_producer_fail(fqp_producer *p, const fqp_error *err)
{
    fqp__lock(&p->mu);
    if (!p->failed) {
        if (err) p->err = *err;
        else fqp__error(&p->err, FQP_ERR_CANCELLED, NULL, 0, 0, 0, "cancelled");
        if (p->err.code >= 0) p->err.code = FQP_ERR_CONSUMER;
    }
    p->failed = 1;
    p->fail_index = UINT64_MAX; /* everything stops now */
    fqp__broadcast(&p->holders_cv);
    fqp__unlock(&p->mu);
    fqp_queue_cancel(p->queue);
    fqp_queue_cancel(p->free_q);
    if (p->on_end) p->on_end(p->pairs);
}

FASTQPAR_DEF void fqp_producer_stop(fqp_producer *p, uint64_t last)
{
    fqp__lock(&p->mu);
    if (!p->stopped || last < p->stop_last) p->stop_last = last;
    p->stopped = 1;
    fqp__broadcast(&p->holders_cv);
    fqp__unlock(&p->mu);
    fqp_queue_cancel(p->queue);
    fqp_queue_cancel(p->free_q);
    if (p->on_end) p->on_end(p->pairs);
}

FASTQPAR_DEF fqp_result fqp_producer_error(fqp_producer *p, fqp_error *err)
{
    fqp_result r;
    fqp__lock(&p->mu);
    r = p->failed ? p->err.code : FQP_OK;
    if (err) {
        if (p->failed) *err = p->err;
        else memset(err, 0, sizeof *err);
    }
    fqp__unlock(&p->mu);
    return r;
}

FASTQPAR_DEF fqp_queue *fqp_producer_queue(fqp_producer *p) { return p->queue; }

FASTQPAR_DEF fqp_result fqp_producer_run(fqp_producer *p)
{
    p->reader.jobs_queue = p->queue; /* BGZF blocks go to the consumers */
    for (;;) {
        fqp__batch *b = NULL;
        fqp_result r = fqp__produce(p, &b, 1);
        if (r == FQP_DONE) {
            fqp_queue_close(p->queue);
            return FQP_OK;
        }
        if (r != FQP_OK) {
            if (r != FQP_ERR_CANCELLED) fqp__fail_at(p, p->next_index, &p->perr);
            fqp_queue_close(p->queue); /* consumers drain what came before */
            return r;
        }
        if (fqp_queue_push(p->queue, &b->job) != FQP_OK) return FQP_ERR_CANCELLED; /* b stays in the pool list */
    }
}

/* What a consumer's next() reports once the queue is cancelled. */
static fqp_result fqp__end_code(fqp_producer *p)
{
    fqp_result r;
    fqp__lock(&p->mu);
    r = p->failed ? p->err.code : p->stopped ? FQP_STOP : FQP_ERR_CANCELLED;
    fqp__unlock(&p->mu);
    return r;
}

/* True when batch `index` lies after the run's error point: it is
   released unprocessed (it may not even be valid text). */
static int fqp__producer_skips(fqp_producer *p, uint64_t index)
{
    int skip;
    fqp__lock(&p->mu);
    skip = p->failed && index > p->fail_index;
    fqp__unlock(&p->mu);
    return skip;
}

/* Any consumer, on every job it pops: does the library's own work (1: used
   up, pop again). A new internal kind of job is one case here. */
static int fqp__job_internal(fqp_producer *p, fqp__job *job)
{
    switch (job->kind) {
    case FQP__JOB_INFLATE: fqp__work_run(FQP__OWNER(job, fqp__work, job)); return 1; /* dropped if already run */
    case FQP__JOB_BATCH: {
        fqp__batch *b = FQP__OWNER(job, fqp__batch, job);
        if (!fqp__producer_skips(p, b->pub.index)) return 0;
        fqp_producer_release(p, &b->pub);
        return 1;
    }
    case FQP__JOB_PAIR: return 0; /* the paired run checks its own (fqp__pair_job) */
    }
    return 0;
}

/* Pops the next job for a consumer; at the end of the input waits while a
   holder may still hand batches back. */
static fqp_result fqp__job_pop(fqp_producer *p, fqp__job **job)
{
    for (;;) {
        void *item = NULL;
        fqp_result r = fqp_queue_pop(p->queue, &item);
        int again;
        if (r == FQP_OK) {
            *job = (fqp__job *)item;
            if (!fqp__job_internal(p, *job)) return FQP_OK;
            continue;
        }
        if (r != FQP_DONE) return r;
        fqp__lock(&p->mu);
        while (p->holders > 0 && !(p->failed && p->fail_index == UINT64_MAX) && !p->stopped &&
               fqp_queue_depth(p->queue) == 0)
            fqp__wait(&p->holders_cv, &p->mu);
        again = fqp_queue_depth(p->queue) > 0 && !p->stopped && (!p->failed || p->fail_index != UINT64_MAX);
        r = p->failed ? p->err.code : FQP_DONE;
        fqp__unlock(&p->mu);
        if (!again) return r;
    }
}

FASTQPAR_DEF void fqp_producer_hold_begin(fqp_producer *p)
{
    fqp__lock(&p->mu);
    p->holders++;
    fqp__unlock(&p->mu);
}

FASTQPAR_DEF void fqp_producer_hold_end(fqp_producer *p)
{
    fqp__lock(&p->mu);
    p->holders--;
    fqp__broadcast(&p->holders_cv);
    fqp__unlock(&p->mu);
}

FASTQPAR_DEF fqp_result fqp_producer_requeue(fqp_producer *p, fqp_batch *batch)
{
    fqp__batch *b = (fqp__batch *)batch;
    fqp_result r;
    b->out_len = 0;
    r = fqp__queue_push_front(p->queue, &b->job);
    fqp__lock(&p->mu);
    fqp__broadcast(&p->holders_cv);
    fqp__unlock(&p->mu);
    return r;
}

/* Consumer thread: parses a popped batch and validates it. A bad record
   fails the run at it; the records before it are still delivered (1), or
   the batch goes back at once when there are none (0). */
static int fqp__batch_accept(fqp_producer *p, fqp__batch *b, fqp_error *e)
{
    if (fqp__batch_parse(p, b, e) == FQP_OK) return 1;
    fqp__fail_at(p, b->pub.index, e);
    if (fqp__batch_cut(b, b->parsed)) return 1; /* the next call reports the error */
    fqp_producer_release(p, &b->pub);
    return 0;
}

/* fqp_producer_next/take: a popped job as the caller's batch. */
static fqp_result fqp__deliver(fqp_producer *p, fqp_result r, fqp__job *job, fqp_batch **batch)
{
    fqp_error e;
    fqp__batch *b;
    *batch = NULL;
    if (r == FQP_DONE || r == FQP_AGAIN) return r;
    if (r != FQP_OK) return fqp__end_code(p);
    b = FQP__OWNER(job, fqp__batch, job); /* the only user-facing kind in a single-file run */
    if (!fqp__batch_accept(p, b, &e)) return e.code;
    *batch = &b->pub;
    return FQP_OK;
}

FASTQPAR_DEF fqp_result fqp_producer_next(fqp_producer *p, fqp_batch **batch)
{
    fqp__job *job = NULL;
    fqp_result r = fqp__job_pop(p, &job);
    return fqp__deliver(p, r, job, batch);
}

FASTQPAR_DEF fqp_result fqp_producer_take(fqp_producer *p, fqp_batch **batch, int block)
{
    void *item = NULL;
    fqp_result r;
    if (p->pairs) { /* its queue holds pair batches: fqp_producer_take_pair */
        *batch = NULL;
        return FQP_ERR_INVALID_ARGUMENT;
    }
    do {
        r = block ? fqp_queue_pop(p->queue, &item) : fqp_queue_try_pop(p->queue, &item);
    } while (r == FQP_OK && fqp__job_internal(p, (fqp__job *)item));
    return fqp__deliver(p, r, (fqp__job *)item, batch);
}

/* Writes one batch's output; the caller is the only writer right now. */

static fqp_result fqp__write_out(fqp_producer *p, fqp__batch *b)
{
    fqp_error e;
    int bad = 0;
    if (!b->out_len) return FQP_OK;
    if (p->output.writer) { /* its own error (file, cause) is the run's */
        if (fqp__writer_take(p->output.writer, b->out, (size_t)b->out_len) == FQP_OK) return FQP_OK;
        fqp__writer_copy_err(p->output.writer, &e);
        fqp_producer_fail(p, &e);
        return FQP_ERR_WRITE;
    }
    if (p->output.file) bad = fwrite(b->out, 1, (size_t)b->out_len, p->output.file) != b->out_len;
    else bad = p->output.write(p->output.write_user, b->out, (size_t)b->out_len) != 0;
    if (!bad) return FQP_OK;
    fqp__error(&e, FQP_ERR_WRITE, b->pub.file, 0, 0, 0, "writing the output of batch %llu failed%s%s",
               (unsigned long long)b->pub.index, p->output.file ? ": " : "",
               p->output.file ? strerror(errno) : "");
    fqp_producer_fail(p, &e);
    return FQP_ERR_WRITE;
}

/* Whether the output of item `index` is still written: not after an
   error, nor after the batch a consumer stopped at. */
static int fqp__producer_emits(fqp_producer *p, uint64_t index)
{
    int emits;
    fqp__lock(&p->mu);
    emits = !p->failed && !(p->stopped && index > p->stop_last);
    fqp__unlock(&p->mu);
    return emits;
}

/* The emitter of the ordered output (fqp__ordered): writes a batch, then
   hands it back to the producer. */
static fqp_result fqp__batch_emit(void *ctx, void *item)
{
    fqp_producer *p = (fqp_producer *)ctx;
    fqp__batch *b = (fqp__batch *)item;
    fqp_result r = FQP_OK;
    if (fqp__producer_emits(p, b->pub.index)) r = fqp__write_out(p, b);
    fqp_queue_push(p->free_q, b);
    return r;
}

FASTQPAR_DEF fqp_result fqp_producer_release(fqp_producer *p, fqp_batch *batch)
{
    fqp__batch *b = (fqp__batch *)batch;
    if (!b) return FQP_ERR_INVALID_ARGUMENT;
    if (!p->output.file && !p->output.write && !p->output.writer) {
        fqp_queue_push(p->free_q, b);
        return FQP_OK;
    }
    if (p->output.writer && b->out_len) { /* BGZF: compressed here, on the consumer's thread */
        fqp_error e;
        if (fqp__batch_encode(p, b, &e) != FQP_OK) fqp_producer_fail(p, &e);
    }
    return fqp__ordered_release(&p->order, b->pub.index, b);
}

FASTQPAR_DEF fqp_result fqp_producer_read(fqp_producer *p, fqp_batch **batch)
{
    fqp__batch *b = NULL;
    fqp_result r;
    fqp_error e;
    *batch = NULL;
    if ((r = fqp_producer_error(p, NULL)) != FQP_OK) return r; /* an error ends the reading */
    r = fqp__produce(p, &b, 0);
    if (r == FQP_DONE) return r;
    if (r != FQP_OK) {
        fqp__fail_at(p, p->next_index, &p->perr);
        return fqp_producer_error(p, NULL);
    }
    if ((r = fqp__batch_parse(p, b, &e)) != FQP_OK) {
        fqp__fail_at(p, b->pub.index, &e);
        if (!fqp__batch_cut(b, b->parsed)) return r; /* else the records before it first */
    }
    *batch = &b->pub;
    return FQP_OK;
}

FASTQPAR_DEF fqp_result fqp_producer_finish(fqp_producer *p, fqp_metrics *m, fqp_error *err)
{
    fqp_result r = FQP_OK;
    if (p->output.file && fflush(p->output.file) != 0) {
        fqp_error e;
        fqp__error(&e, FQP_ERR_WRITE, p->reader.name, 0, 0, 0, "flushing the output failed: %s", strerror(errno));
        fqp_producer_fail(p, &e);
    }
    if (m) {
        double push_wait = 0, pop_wait = 0;
        memset(m, 0, sizeof *m);
        fqp_queue_wait_seconds(p->queue, &push_wait, &pop_wait);
        m->records = p->records;
        m->bases = p->bases;
        m->batches = p->batches;
        m->input_bytes = p->raw0_offset + p->carry_len - p->text_origin;
        m->compressed_bytes = p->reader.raw_bytes - p->reader.raw_start;
        m->gzip = p->reader.gzip;
        m->inflate = FQP_CODEC_AUTO;
#ifndef FASTQPAR_NO_ZLIB
        if (p->reader.gzip) m->inflate = p->reader.stream_codec;
        fqp__pgzr_metrics(&p->reader, m);
#endif
        fqp__bgzin_metrics(&p->reader, m);
        m->producer_read_seconds = p->read_seconds;
        m->producer_blocked_seconds = p->pool_wait_seconds + push_wait;
        m->consumer_wait_seconds = pop_wait;
        m->queue_high_water = fqp_queue_high_water(p->queue);
        m->batch_pool = p->pool_count;
        m->threads = p->cfg.threads;
    }
    r = fqp_producer_error(p, err);
    return r;
}

/* The producer's internal interface, for the run engine and the paired
   run's lockstep reader: they use these, never the producer's fields. */
static const fqp_config *fqp__producer_config(const fqp_producer *p) { return &p->cfg; }
static const char *fqp__producer_name(const fqp_producer *p) { return p->reader.name; }
/* batches in the pool: no more are ever in flight at once */
static size_t fqp__producer_pool(const fqp_producer *p) { return p->pool_size; }
/* the number of the next batch and of its first record (0-based) */
static uint64_t fqp__producer_next_index(const fqp_producer *p) { return p->next_index; }
static uint64_t fqp__producer_next_record(const fqp_producer *p) { return p->next_record; }
/* an error found after the records of the batch just produced, reported
   by the next fqp__produce, and the producer's last error */
static int fqp__producer_broken(const fqp_producer *p) { return p->pending_error != FQP_OK; }
static const fqp_error *fqp__producer_problem(const fqp_producer *p) { return &p->perr; }

/* Producer thread: how the next batches are cut. exact > 0: after exactly
   that many records (a mate file follows file 1); multiple > 1: only after
   a multiple of it (interleaved pairs). */
static void fqp__producer_cut(fqp_producer *p, uint64_t exact, uint64_t multiple)
{
    p->exact_records = exact;
    p->record_multiple = multiple;
}

/* A batch goes back to the pool unprocessed (or after its pair was written). */
static void fqp__producer_recycle(fqp_producer *p, fqp__batch *b) { fqp_queue_push(p->free_q, b); }
static void fqp__producer_set_pairs(fqp_producer *p, void *pairs, void (*on_end)(void *pairs))
{
    p->pairs = pairs;
    p->on_end = on_end;
}
FASTQPAR_DEF int fqp_producer_pairs(const fqp_producer *p) { return p && p->pairs != NULL; }
/* Producer thread: a job into the consumers' queue; FQP_ERR_CANCELLED once stopped. */
static fqp_result fqp__producer_queue_job(fqp_producer *p, fqp__job *job) { return fqp_queue_push(p->queue, job); }
/* Producer thread: no more jobs; consumers drain what is queued. */
static void fqp__producer_close(fqp_producer *p) { fqp_queue_close(p->queue); }
/* Wakes whoever waits in this producer's queues (another file's run ended). */
static void fqp__producer_cancel(fqp_producer *p)
{
    fqp_queue_cancel(p->queue);
    fqp_queue_cancel(p->free_q);
}

static int fqp__producer_stopped(fqp_producer *p)
{
    int stopped;
    fqp__lock(&p->mu);
    stopped = p->stopped;
    fqp__unlock(&p->mu);
    return stopped;
}

/* Adds this producer's records, bases and bytes to a run's metrics. */
static void fqp__producer_add_totals(const fqp_producer *p, fqp_metrics *m)
{
    m->records += p->records;
    m->bases += p->bases;
    m->input_bytes += p->raw0_offset + p->carry_len;
    m->compressed_bytes += p->reader.raw_bytes;
}

/* ---- >>accessors: records and output of a batch ---- */

FASTQPAR_DEF fqp_record fqp_batch_record(const fqp_batch *b, uint64_t i)
{
    fqp_record r;
    const char *h = b->head + b->head_off[i];
    uint64_t hl = b->head_off[i + 1] - b->head_off[i], nl = b->name_len[i];
    r.name = h;
    r.name_len = nl;
    r.comment = h + (nl < hl ? nl + 1 : hl);
    r.comment_len = nl < hl ? hl - nl - 1 : 0;
    r.seq = b->seq + b->seq_off[i];
    r.qual = b->qual + b->seq_off[i];
    r.len = b->seq_off[i + 1] - b->seq_off[i];
    r.number = b->first_record + i + 1;
    return r;
}

FASTQPAR_DEF fqp_result fqp_batch_write(fqp_batch *batch, const void *data, size_t size)
{
    fqp__batch *b = (fqp__batch *)batch;
    fqp_producer *p = b->owner;
    if (!p->output.file && !p->output.write) return FQP_ERR_INVALID_ARGUMENT;
    if (fqp__reserve(&p->cfg.allocator, (void **)&b->out, &b->out_cap, b->out_len + size, 1)) return FQP_ERR_NOMEM;
    if (size) memcpy(b->out + b->out_len, data, size);
    b->out_len += size;
    return FQP_OK;
}

FASTQPAR_DEF fqp_result fqp_batch_write_record(fqp_batch *batch, uint64_t i)
{
    fqp__batch *b = (fqp__batch *)batch;
    fqp_producer *p = b->owner;
    uint64_t hl = batch->head_off[i + 1] - batch->head_off[i], len = batch->seq_off[i + 1] - batch->seq_off[i];
    uint64_t need = hl + 2 * len + 6;
    char *o;
    if (!p->output.file && !p->output.write) return FQP_ERR_INVALID_ARGUMENT;
    if (fqp__reserve(&p->cfg.allocator, (void **)&b->out, &b->out_cap, b->out_len + need, 1)) return FQP_ERR_NOMEM;
    o = b->out + b->out_len;
    *o++ = '@';
    memcpy(o, batch->head + batch->head_off[i], (size_t)hl);
    o += hl;
    *o++ = '\n';
    memcpy(o, batch->seq + batch->seq_off[i], (size_t)len);
    o += len;
    *o++ = '\n';
    *o++ = '+';
    *o++ = '\n';
    memcpy(o, batch->qual + batch->seq_off[i], (size_t)len);
    o += len;
    *o++ = '\n';
    b->out_len += need;
    return FQP_OK;
}

FASTQPAR_DEF fqp_result fqp_batch_error(fqp_batch *batch, uint64_t i, fqp_result code, const char *fmt, ...)
{
    fqp__batch *b = (fqp__batch *)batch;
    fqp_error e;
    va_list ap;
    if (code >= 0) code = FQP_ERR_CONSUMER;
    va_start(ap, fmt);
    if (i < batch->count) {
        const fqp__span *sp = &b->spans[i];
        fqp__verror(&e, code, batch->file, batch->first_record + i + 1, fqp__line_of(b, sp->start),
                    batch->offset + sp->start, fmt, ap);
    } else {
        fqp__verror(&e, code, batch->file, 0, 0, 0, fmt, ap);
    }
    va_end(ap);
    b->error_reported = 1;
    fqp__fail_at(b->owner, batch->index, &e);
    return code;
}

/* ---- >>run: the run engine under fqp_pipeline_run and fqp_paired_run ----
   A run is 1-3 producers (p[0]'s queue feeds the consumers and holds the
   run's error), one producer thread (produce()), n consumer threads with
   aligned per-consumer state, optional custom consumers (holders), then
   merge, fini and metrics on the calling thread. A consumer pops jobs and
   switches on their kind (fqp__worker_job); the kinds' handlers live with
   their runs: batches below, pair slots in the paired block. */
typedef struct fqp__run fqp__run;

/* One consumer thread's view; padded so that consumers updating their
   counters never share a cache line. */
typedef struct fqp__worker {
    fqp__run *run;
    void *state;
    int index, initialized;
    fqp_consumer_metrics m;
    char pad[FQP__CACHE_LINE];
} fqp__worker;

typedef struct fqp__custom_worker {
    fqp__run *run;
    const fqp_custom_consumer *c;
    int index;
} fqp__custom_worker;

struct fqp__run {
    /* what the run type sets */
    fqp_producer *p[FQP_MAX_MATES];
    int files;
    fqp_result (*produce)(fqp__run *run);  /* the producer thread's body */
    void *ctx;                             /* the run type's own state (the paired run) */
    fqp_result (*process_batch)(fqp_batch *batch, void *state, void *user);
    fqp_result (*process_pair)(fqp_pair *pair, void *state, void *user);
    fqp_result (*init)(void *state, int consumer, void *user);
    fqp_result (*merge)(void *state, int consumer, void *user);
    void (*fini)(void *state, int consumer, void *user);
    size_t state_size;
    void *user;
    const fqp_custom_consumer *custom;
    int custom_count;
    /* the engine's */
    fqp_allocator alloc;
    int n, started, custom_started, producer_started;
    fqp__worker *w;
    fqp__thread *threads, *custom_threads, producer;
    fqp__custom_worker *cw;
    char *states;
    double t0;
};

/* Ends the run at once with this error: every queue of every file is
   cancelled, which wakes every thread wherever it waits. */
static void fqp__run_fail(fqp__run *run, const fqp_error *e)
{
    int k;
    fqp_producer_fail(run->p[0], e);
    for (k = 1; k < run->files; k++) fqp__producer_cancel(run->p[k]);
}

/* A consumer stopped early at item `last`: items up to it are still written. */
static void fqp__run_stop(fqp__run *run, uint64_t last)
{
    int k;
    fqp_producer_stop(run->p[0], last);
    for (k = 1; k < run->files; k++) fqp__producer_cancel(run->p[k]);
}

static fqp_result fqp__batch_job(fqp__worker *w, fqp__job *job, double t_popped);
static fqp_result fqp__pair_job(fqp__worker *w, fqp__job *job, double t_popped);

/* Consumer thread: one case per kind of job that reaches process()
   (internal kinds are done in fqp__job_pop). FQP_OK: pop the next one. */
static fqp_result fqp__worker_job(fqp__worker *w, fqp__job *job, double t_popped)
{
    switch (job->kind) {
    case FQP__JOB_BATCH: return fqp__batch_job(w, job, t_popped);
    case FQP__JOB_PAIR: return fqp__pair_job(w, job, t_popped);
    case FQP__JOB_INFLATE: break; /* internal: never reaches a worker */
    }
    return FQP_OK;
}

FQP__THREAD_FN(fqp__consumer_thread)
{
    fqp__worker *w = (fqp__worker *)arg;
    fqp__run *run = w->run;
    fqp_error e;
    if (run->init) {
        fqp_result r = run->init(w->state, w->index, run->user);
        if (r < 0) {
            fqp__error(&e, r, NULL, 0, 0, 0, "consumer %d: init() failed: %s", w->index, fqp_result_string(r));
            fqp__run_fail(run, &e);
            FQP__THREAD_RETURN;
        }
    }
    w->initialized = 1;
    for (;;) {
        fqp__job *job = NULL;
        double t0 = fqp__now(), t1;
        fqp_result r = fqp__job_pop(run->p[0], &job);
        t1 = fqp__now();
        w->m.wait_seconds += t1 - t0;
        if (r != FQP_OK || fqp__worker_job(w, job, t1) != FQP_OK) break;
    }
    FQP__THREAD_RETURN;
}

FQP__THREAD_FN(fqp__custom_thread)
{
    fqp__custom_worker *cw = (fqp__custom_worker *)arg;
    fqp_producer *p = cw->run->p[0];
    fqp_result r = cw->c->run(p, cw->c->ctx);
    if (r < 0) {
        fqp_error e;
        fqp__error(&e, r, NULL, 0, 0, 0, "custom consumer %d failed: %s", cw->index, fqp_result_string(r));
        fqp_producer_fail(p, &e); /* an error it reported itself wins */
    }
    fqp_producer_hold_end(p);
    FQP__THREAD_RETURN;
}

FQP__THREAD_FN(fqp__producer_thread)
{
    fqp__run *run = (fqp__run *)arg;
    run->produce(run);
    FQP__THREAD_RETURN;
}

/* Calling thread: n consumers with their states, then every thread. An
   error here is the run's (the threads started so far are joined by
   fqp__run_end). */
static fqp_result fqp__run_start(fqp__run *run, int n, fqp_error *err)
{
    size_t stride = (run->state_size + FQP__CACHE_LINE - 1) / FQP__CACHE_LINE * FQP__CACHE_LINE, i;
    int nc = run->custom_count;
    const fqp_allocator *a = &run->alloc;
    run->t0 = fqp__now();
    run->n = n;
    run->w = (fqp__worker *)fqp__calloc(a, (size_t)n * sizeof *run->w);
    run->threads = (fqp__thread *)fqp__calloc(a, (size_t)n * sizeof *run->threads);
    run->states = (char *)fqp__calloc(a, stride * (size_t)n + FQP__CACHE_LINE);
    if (nc) {
        run->custom_threads = (fqp__thread *)fqp__calloc(a, (size_t)nc * sizeof *run->custom_threads);
        run->cw = (fqp__custom_worker *)fqp__calloc(a, (size_t)nc * sizeof *run->cw);
    }
    if (!run->w || !run->threads || !run->states || (nc && (!run->custom_threads || !run->cw)))
        return fqp__error(err, FQP_ERR_NOMEM, NULL, 0, 0, 0, "out of memory for %d consumers", n);
    for (i = 0; i < (size_t)n; i++) {
        uintptr_t base = (uintptr_t)run->states + FQP__CACHE_LINE - 1;
        run->w[i].run = run;
        run->w[i].index = (int)i;
        run->w[i].state = (void *)(base / FQP__CACHE_LINE * FQP__CACHE_LINE + i * stride);
    }
    if (!fqp__thread_start(&run->producer, fqp__producer_thread, run))
        return fqp__error(err, FQP_ERR_THREAD, NULL, 0, 0, 0, "cannot start the producer thread");
    run->producer_started = 1;
    /* holders register before anyone can see the end of the input */
    for (; run->custom_started < nc; run->custom_started++) {
        fqp__custom_worker *cw = &run->cw[run->custom_started];
        cw->run = run;
        cw->c = &run->custom[run->custom_started];
        cw->index = run->custom_started;
        fqp_producer_hold_begin(run->p[0]);
        if (!fqp__thread_start(&run->custom_threads[run->custom_started], fqp__custom_thread, cw)) {
            fqp_error e;
            fqp_producer_hold_end(run->p[0]);
            fqp__error(&e, FQP_ERR_THREAD, NULL, 0, 0, 0, "cannot start custom consumer thread %d",
                       run->custom_started);
            fqp__run_fail(run, &e);
            break;
        }
    }
    for (; run->started < n; run->started++) {
        if (!fqp__thread_start(&run->threads[run->started], fqp__consumer_thread, &run->w[run->started])) {
            fqp_error e;
            fqp__error(&e, FQP_ERR_THREAD, NULL, 0, 0, 0, "cannot start consumer thread %d of %d", run->started + 1,
                       n);
            fqp__run_fail(run, &e);
            break;
        }
    }
    return FQP_OK;
}

/* Calling thread: joins every thread, then the run's result (the error
   earliest in the input, held by p[0]; an error a consumer reported on
   another file's batch, held by that file's producer), merge in consumer
   order, fini, and the metrics (records and bytes of every file). */
static fqp_result fqp__run_end(fqp__run *run, fqp_result r, fqp_metrics *metrics, fqp_error *err)
{
    size_t i;
    int k;
    if (run->producer_started) fqp__thread_join(run->producer);
    for (i = 0; i < (size_t)run->started; i++) fqp__thread_join(run->threads[i]);
    for (i = 0; i < (size_t)run->custom_started; i++) fqp__thread_join(run->custom_threads[i]);
    if (!run->producer_started) return r;
    r = fqp_producer_finish(run->p[0], metrics, err);
    for (k = 1; k < run->files && r == FQP_OK; k++) r = fqp_producer_error(run->p[k], err);
    if (r == FQP_OK && fqp__producer_stopped(run->p[0])) r = FQP_STOP;
    for (i = 0; i < (size_t)run->started && r >= 0 && run->merge; i++) {
        fqp_result mr = run->w[i].initialized ? run->merge(run->w[i].state, (int)i, run->user) : FQP_OK;
        if (mr < 0)
            r = fqp__error(err, mr, NULL, 0, 0, 0, "merge() of consumer %d failed: %s", (int)i, fqp_result_string(mr));
    }
    for (i = 0; i < (size_t)run->started; i++)
        if (run->fini && run->w[i].initialized) run->fini(run->w[i].state, (int)i, run->user);
    if (metrics) {
        metrics->consumer_wait_seconds = 0;
        for (k = 1; k < run->files; k++) fqp__producer_add_totals(run->p[k], metrics);
        for (i = 0; i < (size_t)run->started && i < FQP_MAX_THREADS; i++) {
            metrics->consumer[i] = run->w[i].m;
            metrics->consumer_wait_seconds += run->w[i].m.wait_seconds;
        }
        metrics->threads = run->n;
        metrics->custom_consumers = run->custom_count;
        metrics->wall_seconds = fqp__now() - run->t0;
    }
    return r;
}

static void fqp__run_free(fqp__run *run)
{
    const fqp_allocator *a = &run->alloc;
    fqp__free(a, run->w);
    fqp__free(a, run->threads);
    fqp__free(a, run->custom_threads);
    fqp__free(a, run->cw);
    fqp__free(a, run->states);
}

/* Calling thread: the whole run, from the threads' start to the metrics. */
static fqp_result fqp__run_go(fqp__run *run, int n, fqp_metrics *metrics, fqp_error *err)
{
    fqp_result r;
    run->alloc = fqp__producer_config(run->p[0])->allocator;
    r = fqp__run_start(run, n, err);
    r = fqp__run_end(run, r, metrics, err);
    fqp__run_free(run);
    return r;
}

/* ---- >>pipeline: fqp_pipeline_run, a single-file run ---- */

/* Consumer thread: a batch of a single-file run through process(). */
static fqp_result fqp__batch_job(fqp__worker *w, fqp__job *job, double t_popped)
{
    fqp__run *run = w->run;
    fqp_producer *p = run->p[0];
    fqp__batch *bb = FQP__OWNER(job, fqp__batch, job);
    fqp_batch *b = &bb->pub;
    fqp_error e;
    fqp_result r;
    if (!fqp__batch_accept(p, bb, &e)) return FQP_OK; /* earlier batches may still hold an earlier error */
    r = run->process_batch(b, w->state, run->user);
    w->m.busy_seconds += fqp__now() - t_popped;
    w->m.batches++;
    w->m.records += b->count;
    w->m.bases += b->bases;
    if (r == FQP_STOP) {
        fqp__run_stop(run, b->index);
        fqp_producer_release(p, b);
        return FQP_STOP;
    }
    if (r < 0 && !bb->error_reported) {
        fqp__error(&e, r, b->file, 0, 0, 0, "consumer %d: process() failed on batch %llu (records %llu-%llu): %s",
                   w->index, (unsigned long long)b->index, (unsigned long long)(b->first_record + 1),
                   (unsigned long long)(b->first_record + b->count), fqp_result_string(r));
        e.record = b->first_record + 1; /* located at the batch's first record */
        fqp__fail_at(p, b->index, &e);
    }
    return fqp_producer_release(p, b);
}

static fqp_result fqp__pipeline_produce(fqp__run *run) { return fqp_producer_run(run->p[0]); }

FASTQPAR_DEF fqp_result fqp_pipeline_run(const fqp_pipeline_desc *desc, fqp_metrics *metrics, fqp_error *err)
{
    fqp_producer_desc pd;
    fqp__run run;
    fqp_result r;
    size_t i;
    int threads;
    if (err) memset(err, 0, sizeof *err);
    if (!desc || !desc->process)
        return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0, "pipeline needs a process() callback");
    if (desc->custom_count < 0 || (desc->custom_count > 0 && !desc->custom))
        return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0, "custom_count without custom consumers");
    memset(&pd, 0, sizeof pd);
    pd.input = desc->input;
    pd.config = desc->config;
    pd.output = desc->output;
    for (i = 0; i < (size_t)desc->custom_count; i++)
        pd.held_batches += desc->custom[i].max_held ? desc->custom[i].max_held : 2;
    memset(&run, 0, sizeof run);
    if ((r = fqp_producer_create(&run.p[0], &pd, err)) != FQP_OK) return r;
    run.files = 1;
    run.produce = fqp__pipeline_produce;
    run.process_batch = desc->process;
    run.init = desc->init;
    run.merge = desc->merge;
    run.fini = desc->fini;
    run.state_size = desc->state_size;
    run.user = desc->user;
    run.custom = desc->custom;
    run.custom_count = desc->custom_count;
    threads = fqp__producer_config(run.p[0])->threads - desc->custom_count; /* custom consumers use up the budget */
    r = fqp__run_go(&run, threads < 1 ? 1 : threads, metrics, err);
    fqp_producer_destroy(run.p[0]);
    return r;
}

/* ---- >>bgzf-in [optional]: BGZF, inflated by the consumers ----
   BGZF (bgzip, htslib) is gzip cut into members of at most 64 KiB of text,
   each naming its own compressed size (BSIZE) in a header field, so blocks
   can be found without inflating them. The producer thread only frames:
   it groups whole blocks into jobs of about 1 MiB of text and pushes each
   job into the batch queue, where consumers find it before later batches.
   A consumer that pops a job inflates it and checks each block's CRC and
   ISIZE, then pops again. The producer takes the jobs' text strictly in
   input order and cuts records from it as from any stream, so records that
   straddle blocks or jobs are stitched by the ordinary carry-over, and an
   error in a block is reported at that block's text offset after all text
   before it. A job still queued when the producer needs it is inflated by
   the producer itself: nothing ever waits on a job that nobody runs.
   Memory: 2 x threads + 2 jobs, each <= 1 MiB of text plus its blocks. */
#ifndef FASTQPAR_NO_ZLIB

#define FQP__BGZF_JOB_TEXT (1u << 20)
#define FQP__BGZF_MAX_BLOCK 65536u

typedef struct fqp__bgzin_job {
    fqp__work work;             /* in the batch queue */
    unsigned char *in, *out;    /* whole blocks; their text */
    uint64_t in_cap, out_cap;
    size_t in_len, out_len;     /* out_len: the sum of the blocks' ISIZE */
    uint64_t in_offset;         /* compressed offset of in[0] */
    /* written by whoever inflates the job, read after FQP__WORK_DONE */
    size_t good;                /* text bytes before a bad block */
    fqp_result code;
    uint64_t bad_at;            /* compressed offset of the bad block */
    const char *why;
    /* producer thread only */
    size_t pos;                 /* text bytes handed out */
    fqp_codec codec;            /* the backend: one of the three below (zlib rechecks a bad block) */
    const fqp_allocator *alloc;
    struct libdeflate_decompressor *ld;
    unsigned char *isal;
    z_stream zs;
    int zs_ready;
} fqp__bgzin_job;

struct fqp__bgzin {
    fqp__workset set;
    int set_ready;
    fqp__bgzin_job *jobs;
    size_t njobs;
    /* producer thread only */
    size_t head, count;         /* jobs in flight, oldest at head */
    int ended;                  /* no more BGZF blocks to frame */
    int then_stream;            /* a gzip member that is not BGZF follows */
    fqp_result end_code;        /* a framing error, after the jobs before it */
    fqp_error end_err;
    fqp_codec codec;            /* what inflates the blocks */
};

static uint32_t fqp__le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Looks at a gzip member header of `avail` bytes: 1 and its header and
   block sizes for a BGZF block, 0 for another member, -1 when more bytes
   are needed to tell (*hlen then says how many). */
static int fqp__bgzin_header(const unsigned char *h, size_t avail, size_t *hlen, size_t *bsize)
{
    size_t xlen, i;
    *hlen = 12;
    if (avail < 12) return -1;
    if (h[0] != 0x1f || h[1] != 0x8b || h[2] != 8 || h[3] != 4) return 0; /* BGZF sets FEXTRA only */
    xlen = (size_t)h[10] | (size_t)h[11] << 8;
    *hlen = 12 + xlen;
    if (avail < *hlen) return -1;
    for (i = 12; i + 4 <= *hlen; i += 4 + ((size_t)h[i + 2] | (size_t)h[i + 3] << 8)) {
        if (h[i] == 'B' && h[i + 1] == 'C' && h[i + 2] == 2 && h[i + 3] == 0 && i + 6 <= *hlen) {
            *bsize = ((size_t)h[i + 4] | (size_t)h[i + 5] << 8) + 1;
            return 1;
        }
    }
    return 0;
}


/* Any thread: inflates every block of a job into job->out, checking each
   block's length and CRC. Touches only the job. */
/* Any thread: one block's deflate data h[0..clen) into out[0..isize) by
   `codec`, checked against its ISIZE and CRC. NULL when good, else why not.
   One byte of room past ISIZE lets every backend tell "longer" from
   "truncated deflate data" alike (the job's text buffer has that byte). */
static const char *fqp__bgzin_block(fqp__bgzin_job *j, fqp_codec codec, const unsigned char *h, size_t clen,
                                    unsigned char *out, size_t isize, uint32_t crc)
{
    size_t in_used = 0, out_used = 0;
    int z; /* 0 ended, 1 more than isize + 1 bytes, -1 invalid */
    if (codec == FQP_CODEC_LIBDEFLATE) {
        int lr = (int)fqp__ld.libdeflate_deflate_decompress_ex(j->ld, h, clen, out, isize + 1, &in_used, &out_used);
        z = lr == 0 ? 0 : lr == 3 ? 1 : -1; /* LIBDEFLATE_SUCCESS, _INSUFFICIENT_SPACE */
    } else if (codec == FQP_CODEC_ISAL) {
        z = fqp__isal_inflate_block(j->isal, h, clen, out, isize + 1, &in_used, &out_used);
    } else {
        int zr;
        inflateReset(&j->zs);
        j->zs.next_in = (Bytef *)(uintptr_t)h;
        j->zs.avail_in = (uInt)clen;
        j->zs.next_out = out;
        j->zs.avail_out = (uInt)isize + 1;
        zr = inflate(&j->zs, Z_FINISH);
        in_used = clen - j->zs.avail_in;
        out_used = isize + 1 - j->zs.avail_out;
        z = zr == Z_STREAM_END ? 0 : zr == Z_BUF_ERROR && j->zs.avail_out == 0 ? 1 : -1;
    }
    if (z > 0 || (z == 0 && out_used > isize)) return "block longer than its ISIZE";
    if (z < 0) return "invalid deflate data";
    if (out_used != isize) return "block shorter than its ISIZE";
    if (in_used != clen) return "bytes after the block's deflate data";
    if (fqp__crc32(0, out, isize) != crc) return "incorrect data check (CRC-32)";
    return NULL;
}

/* Any thread: inflates every block of a job into job->out, checking each
   block's length and CRC. Touches only the job. A block a faster backend
   rejects is inflated again by zlib, whose verdict (and text) is the
   outcome, so that every backend reports the same error. */
static void fqp__bgzin_inflate(fqp__bgzin_job *j)
{
    size_t ip = 0, op = 0;
    j->code = FQP_OK;
    j->why = NULL;
    while (ip < j->in_len) {
        const unsigned char *h = j->in + ip;
        size_t hlen = 0, bsize = 0, clen, isize;
        uint32_t crc;
        fqp__bgzin_header(h, j->in_len - ip, &hlen, &bsize); /* framed: a whole block */
        clen = bsize - hlen - 8;
        isize = fqp__le32(h + bsize - 4);
        crc = fqp__le32(h + bsize - 8);
        j->why = fqp__bgzin_block(j, j->codec, h + hlen, clen, j->out + op, isize, crc);
        if (j->why && j->codec != FQP_CODEC_ZLIB) {
            if (!j->zs_ready) {
                j->zs.zalloc = fqp__zalloc;
                j->zs.zfree = fqp__zfree;
                j->zs.opaque = (voidpf)j->alloc;
                j->zs_ready = inflateInit2(&j->zs, -15) == Z_OK;
            }
            if (j->zs_ready) j->why = fqp__bgzin_block(j, FQP_CODEC_ZLIB, h + hlen, clen, j->out + op, isize, crc);
        }
        if (j->why) {
            j->code = FQP_ERR_GZIP_CORRUPT;
            j->bad_at = j->in_offset + ip;
            break;
        }
        op += isize;
        ip += bsize;
    }
    j->good = op;
}

/* Any thread, through fqp__work_run. */
static void fqp__bgzin_work(fqp__work *w) { fqp__bgzin_inflate(FQP__OWNER(w, fqp__bgzin_job, work)); }

static void fqp__bgzin_close(fqp__reader *r)
{
    struct fqp__bgzin *g = r->bgzf;
    size_t i;
    if (!g) return;
    for (i = 0; g->jobs && i < g->njobs; i++) {
        fqp__bgzin_job *j = &g->jobs[i];
        fqp__free(r->alloc, j->in);
        fqp__free(r->alloc, j->out);
        if (j->ld) fqp__ld.libdeflate_free_decompressor(j->ld);
        fqp__free(r->alloc, j->isal);
        if (j->zs_ready) inflateEnd(&j->zs);
    }
    fqp__free(r->alloc, g->jobs);
    if (g->set_ready) fqp__workset_destroy(&g->set);
    fqp__free(r->alloc, g);
    r->bgzf = NULL;
}

/* Producer thread, once, right after the gzip magic was seen: switches the
   reader to BGZF when the first member is a BGZF block. */
static fqp_result fqp__bgzin_open(fqp__reader *r, fqp_error *err)
{
    struct fqp__bgzin *g;
    size_t hlen = 12, bsize, i;
    fqp_result res;
    int h;
    /* a whole block must fit in the compressed buffer */
    if (fqp__reserve(r->alloc, (void **)&r->in, &r->in_cap, 2 * FQP__BGZF_MAX_BLOCK, 1) != FQP_OK)
        return fqp__error(err, FQP_ERR_NOMEM, r->name, 0, 0, 0, "out of memory for the input buffer");
    while ((h = fqp__bgzin_header(r->in + r->in_pos, r->in_len - r->in_pos, &hlen, &bsize)) < 0) {
        size_t had = r->in_len - r->in_pos;
        if ((res = fqp__fill_in(r, hlen, err)) != FQP_OK) return res;
        if (r->in_len - r->in_pos == had) return FQP_OK; /* too short: the stream path reports it */
    }
    if (h == 0) return FQP_OK;
    g = (struct fqp__bgzin *)fqp__calloc(r->alloc, sizeof *g);
    if (!g) return fqp__error(err, FQP_ERR_NOMEM, r->name, 0, 0, 0, "out of memory for BGZF");
    if (!fqp__workset_init(&g->set)) {
        fqp__free(r->alloc, g);
        return fqp__error(err, FQP_ERR_THREAD, r->name, 0, 0, 0, "cannot create a mutex or a condition variable");
    }
    g->set_ready = 1;
    r->bgzf = g; /* fqp__bgzin_close copes with the rest half built */
    g->njobs = 2 * (size_t)(r->threads > 0 ? r->threads : 1) + 2;
    g->jobs = (fqp__bgzin_job *)fqp__calloc(r->alloc, g->njobs * sizeof *g->jobs);
    if (!g->jobs) return fqp__error(err, FQP_ERR_NOMEM, r->name, 0, 0, 0, "out of memory for BGZF jobs");
    g->codec = fqp__codec_pick(r->codec, fqp__order_block);
    for (i = 0; i < g->njobs; i++) {
        fqp__bgzin_job *j = &g->jobs[i];
        j->work.job.kind = FQP__JOB_INFLATE;
        j->work.set = &g->set;
        j->work.run = fqp__bgzin_work;
        j->codec = g->codec;
        j->alloc = r->alloc;
        if (j->codec == FQP_CODEC_LIBDEFLATE) {
            j->ld = fqp__ld.libdeflate_alloc_decompressor();
        } else if (j->codec == FQP_CODEC_ISAL) {
            j->isal = fqp__isal_state_new(r->alloc);
        } else {
            j->zs.zalloc = fqp__zalloc;
            j->zs.zfree = fqp__zfree;
            j->zs.opaque = (voidpf)r->alloc;
            j->zs_ready = inflateInit2(&j->zs, -15) == Z_OK;
        }
        if (!j->ld && !j->isal && !j->zs_ready)
            return fqp__error(err, FQP_ERR_NOMEM, r->name, 0, 0, 0, "out of memory for a BGZF decompressor");
    }
    r->bgzf_on = 1;
    return FQP_OK;
}

/* Producer thread: a framing error ends the BGZF blocks; it is reported
   once the text of every job before it has been handed out. */
static int fqp__bgzin_end(struct fqp__bgzin *g, fqp_result code, const fqp_error *e)
{
    g->ended = 1;
    g->end_code = code;
    if (e) g->end_err = *e;
    return 0;
}

/* Producer thread: frames whole blocks into job j, up to about a job's
   worth of text, and stops at the end of the BGZF blocks. */
static int fqp__bgzin_frame(fqp__reader *r, fqp__bgzin_job *j)
{
    struct fqp__bgzin *g = r->bgzf;
    size_t target = r->read_size < FQP__BGZF_JOB_TEXT ? r->read_size : FQP__BGZF_JOB_TEXT;
    fqp_error e;
    j->in_len = j->out_len = j->pos = j->good = 0;
    j->code = FQP_OK;
    j->in_offset = r->raw_bytes - (r->in_len - r->in_pos);
    while (!g->ended && (j->in_len == 0 || (j->out_len < target && j->in_len < target))) {
        const unsigned char *h;
        size_t avail, hlen = 12, bsize = 0, isize;
        uint64_t at;
        int kind = -1;
        fqp_result res;
        while ((avail = r->in_len - r->in_pos) < hlen || (kind = fqp__bgzin_header(r->in + r->in_pos, avail, &hlen,
                                                                                  &bsize)) < 0) {
            if ((res = fqp__fill_in(r, hlen, &e)) != FQP_OK) return fqp__bgzin_end(g, res, &e);
            if (r->in_len - r->in_pos == avail) break; /* the source ended */
        }
        avail = r->in_len - r->in_pos;
        at = r->raw_bytes - avail;
        h = r->in + r->in_pos;
        if (avail == 0) return fqp__bgzin_end(g, FQP_OK, NULL); /* clean end after a whole block */
        if (h[0] != 0x1f || (avail >= 2 && h[1] != 0x8b)) {
            fqp__trailing(r, at, &e);
            return fqp__bgzin_end(g, e.code, &e);
        }
        if (avail < hlen) {
            fqp__error(&e, FQP_ERR_GZIP_TRUNCATED, r->name, 0, 0, r->raw_bytes,
                       "gzip data ends early at compressed byte %llu (truncated file?)",
                       (unsigned long long)r->raw_bytes);
            return fqp__bgzin_end(g, e.code, &e);
        }
        if (kind == 0) { /* a plain gzip member: zlib streams the rest */
            g->then_stream = 1;
            return fqp__bgzin_end(g, FQP_OK, NULL);
        }
        if (bsize < hlen + 8 + 2) {
            fqp__error(&e, FQP_ERR_GZIP_CORRUPT, r->name, 0, 0, at,
                       "corrupt gzip data in the BGZF block at compressed byte %llu: its size %llu is too small",
                       (unsigned long long)at, (unsigned long long)bsize);
            return fqp__bgzin_end(g, e.code, &e);
        }
        if ((res = fqp__fill_in(r, bsize, &e)) != FQP_OK) return fqp__bgzin_end(g, res, &e);
        if (r->in_len - r->in_pos < bsize) {
            fqp__error(&e, FQP_ERR_GZIP_TRUNCATED, r->name, 0, 0, r->raw_bytes,
                       "gzip data ends early at compressed byte %llu (truncated file?)",
                       (unsigned long long)r->raw_bytes);
            return fqp__bgzin_end(g, e.code, &e);
        }
        h = r->in + r->in_pos;
        isize = fqp__le32(h + bsize - 4);
        if (isize > FQP__BGZF_MAX_BLOCK) {
            fqp__error(&e, FQP_ERR_GZIP_CORRUPT, r->name, 0, 0, at,
                       "corrupt gzip data in the BGZF block at compressed byte %llu: ISIZE %llu is more than a block holds",
                       (unsigned long long)at, (unsigned long long)isize);
            return fqp__bgzin_end(g, e.code, &e);
        }
        if (fqp__reserve(r->alloc, (void **)&j->in, &j->in_cap, j->in_len + bsize, 1) != FQP_OK ||
            fqp__reserve(r->alloc, (void **)&j->out, &j->out_cap, j->out_len + isize + 1, 1) != FQP_OK) {
            fqp__error(&e, FQP_ERR_NOMEM, r->name, 0, 0, 0, "out of memory for BGZF blocks");
            return fqp__bgzin_end(g, e.code, &e);
        }
        memcpy(j->in + j->in_len, h, bsize);
        j->in_len += bsize;
        j->out_len += isize;
        r->in_pos += bsize;
    }
    return 0;
}

/* Producer thread: frames jobs into every free slot, then offers the queued
   ones to the consumers, oldest first, without waiting for queue room. */
static void fqp__bgzin_fill(fqp__reader *r)
{
    struct fqp__bgzin *g = r->bgzf;
    size_t k;
    while (g->count < g->njobs && !g->ended) {
        fqp__bgzin_job *j = &g->jobs[(g->head + g->count) % g->njobs];
        fqp__bgzin_frame(r, j);
        if (j->in_len == 0) break;
        fqp__work_queue(&j->work);
        g->count++;
    }
    for (k = 1; k < g->count; k++) /* the oldest one is needed now: the producer runs it */
        if (!fqp__work_offer(r->jobs_queue, &g->jobs[(g->head + k) % g->njobs].work)) break;
}

/* Producer, under the set's lock: a later job nobody has taken yet. */
static fqp__work *fqp__bgzin_pick(void *ctx)
{
    struct fqp__bgzin *g = (struct fqp__bgzin *)ctx;
    size_t k;
    for (k = 1; k < g->count; k++) {
        fqp__work *w = &g->jobs[(g->head + k) % g->njobs].work;
        if (w->state == FQP__WORK_QUEUED) return w;
    }
    return NULL;
}

/* Producer thread: the next text bytes of a BGZF input, in input order. */
static fqp_result fqp__bgzin_read(fqp__reader *r, unsigned char *out, size_t size, size_t *got, fqp_error *err)
{
    struct fqp__bgzin *g = r->bgzf;
    *got = 0;
    for (;;) {
        fqp__bgzin_job *j;
        fqp__bgzin_fill(r);
        if (g->count == 0) {
            if (g->end_code != FQP_OK) {
                if (err) *err = g->end_err;
                return g->end_code;
            }
            if (!g->then_stream) return FQP_OK; /* end of input */
            r->bgzf_on = 0;
            r->in_member = 0; /* the stream path checks the magic and resets zlib */
            return fqp__inflate(r, out, size, got, err);
        }
        j = &g->jobs[g->head];
        fqp__work_wait(&j->work, fqp__bgzin_pick, g); /* running it, or a later one, when no consumer has */
        if (j->pos < j->good) {
            size_t n = j->good - j->pos < size ? j->good - j->pos : size;
            memcpy(out, j->out + j->pos, n);
            j->pos += n;
            *got = n;
            return FQP_OK;
        }
        if (j->code != FQP_OK)
            return fqp__error(err, j->code, r->name, 0, 0, j->bad_at,
                              "corrupt gzip data in the BGZF block at compressed byte %llu: %s",
                              (unsigned long long)j->bad_at, j->why);
        fqp__work_cancel(&j->work); /* done: free for the next frame */
        g->head = (g->head + 1) % g->njobs;
        g->count--;
    }
}
/* The producer's metrics: the input was BGZF, what inflated its blocks,
   how long the producer waited for a consumer's inflate. */
static void fqp__bgzin_metrics(const fqp__reader *r, fqp_metrics *m)
{
    if (!r->bgzf) return;
    m->bgzf = 1;
    m->inflate = r->bgzf->codec;
    m->producer_inflate_wait_seconds = r->bgzf->set.wait_seconds;
}

/* The BGZF interface for shards (>>shard), on the calling thread, before
   the first read. The block at compressed byte `at`, from its header and
   trailer alone: *found 1 with its size and ISIZE, 0 at the end of the
   source. A gzip member that is not BGZF is FQP_ERR_SHARD; a damaged or
   cut header the error the reader would give. */
static fqp_result fqp__bgzin_block_at(fqp__reader *r, uint64_t at, uint64_t *bsize, uint64_t *isize, int *found,
                                      fqp_error *err)
{
    unsigned char small[256], *h = small, t[4];
    size_t got, hlen = 12, bs = 0;
    int kind;
    fqp_result res;
    *found = 0;
    if ((res = fqp__reader_pread(r, at, small, sizeof small, &got, err)) != FQP_OK) return res;
    if (got == 0) return FQP_OK;
    if (small[0] != 0x1f || (got >= 2 && small[1] != 0x8b))
        return fqp__error(err, FQP_ERR_GZIP_TRAILING, r->name, 0, 0, at,
                          "bytes after the gzip data end at compressed byte %llu are not another gzip member",
                          (unsigned long long)at);
    kind = fqp__bgzin_header(small, got, &hlen, &bs);
    if (kind < 0 && hlen > got && got == sizeof small) { /* long extra fields */
        if (!(h = (unsigned char *)fqp__alloc(r->alloc, hlen)))
            return fqp__error(err, FQP_ERR_NOMEM, r->name, 0, 0, 0, "out of memory");
        if ((res = fqp__reader_pread(r, at, h, hlen, &got, err)) == FQP_OK) kind = fqp__bgzin_header(h, got, &hlen, &bs);
        fqp__free(r->alloc, h);
        if (res != FQP_OK) return res;
    }
    if (kind < 0)
        return fqp__error(err, FQP_ERR_GZIP_TRUNCATED, r->name, 0, 0, at,
                          "gzip data ends early in the header at compressed byte %llu (truncated file?)",
                          (unsigned long long)at);
    if (kind == 0)
        return fqp__error(err, FQP_ERR_SHARD, r->name, 0, 0, at,
                          "cannot be sharded by bytes: the gzip member at compressed byte %llu is not a BGZF "
                          "block (only BGZF, as bgzip writes, can be; recompress with bgzip, or shard by file)",
                          (unsigned long long)at);
    if (bs < hlen + 8 + 2)
        return fqp__error(err, FQP_ERR_GZIP_CORRUPT, r->name, 0, 0, at,
                          "corrupt gzip data in the BGZF block at compressed byte %llu: its size %llu is too small",
                          (unsigned long long)at, (unsigned long long)bs);
    if ((res = fqp__reader_pread(r, at + bs - 4, t, 4, &got, err)) != FQP_OK) return res;
    if (got < 4)
        return fqp__error(err, FQP_ERR_GZIP_TRUNCATED, r->name, 0, 0, at,
                          "gzip data ends early in the BGZF block at compressed byte %llu (truncated file?)",
                          (unsigned long long)at);
    *isize = fqp__le32(t);
    if (*isize > FQP__BGZF_MAX_BLOCK)
        return fqp__error(err, FQP_ERR_GZIP_CORRUPT, r->name, 0, 0, at,
                          "corrupt gzip data in the BGZF block at compressed byte %llu: ISIZE %llu is more than a block holds",
                          (unsigned long long)at, (unsigned long long)*isize);
    *bsize = bs;
    *found = 1;
    return FQP_OK;
}

/* Inflates the whole blocks in[0..n) (compressed byte in_offset of the
   file) into out, which has room for their ISIZEs plus one byte, with zlib
   on this thread; *out_len gets the text. Checked as the consumers check. */
static fqp_result fqp__bgzin_inflate_blocks(fqp__reader *r, unsigned char *in, size_t n, uint64_t in_offset,
                                            unsigned char *out, size_t *out_len, fqp_error *err)
{
    fqp__bgzin_job j;
    memset(&j, 0, sizeof j);
    j.in = in;
    j.in_len = n;
    j.in_offset = in_offset;
    j.out = out;
    j.codec = FQP_CODEC_ZLIB;
    j.alloc = r->alloc;
    j.zs.zalloc = fqp__zalloc;
    j.zs.zfree = fqp__zfree;
    j.zs.opaque = (voidpf)r->alloc;
    if (inflateInit2(&j.zs, -15) != Z_OK)
        return fqp__error(err, FQP_ERR_NOMEM, r->name, 0, 0, 0, "out of memory for the gzip inflater");
    j.zs_ready = 1;
    fqp__bgzin_inflate(&j);
    inflateEnd(&j.zs);
    *out_len = j.good;
    if (j.code != FQP_OK)
        return fqp__error(err, j.code, r->name, 0, 0, j.bad_at,
                          "corrupt gzip data in the BGZF block at compressed byte %llu: %s",
                          (unsigned long long)j.bad_at, j.why);
    return FQP_OK;
}
#else
static void fqp__bgzin_metrics(const fqp__reader *r, fqp_metrics *m)
{
    (void)r;
    (void)m;
}
static void fqp__bgzin_close(fqp__reader *r) { (void)r; }
#endif

/* ---- >>shard [optional]: one input split across processes ----
   A shard finds its first record (fqp__shard_probe) and the next shard's
   first record when the producer is created, then reads as any input from
   its first record; the scan stops at the first record that starts at or
   after the shard's end (fqp__shard_past) and checks that it is the one the
   next shard starts with. It reaches the reader and the BGZF block only
   through their interfaces for shards (fqp__reader_size/pread/start_at,
   fqp__bgzin_block_at/inflate_blocks). Offsets here are text offsets of
   the whole input (a plain file's bytes, a BGZF file's uncompressed text). */

#define FQP__SHARD_WINDOW (1u << 20)     /* text a boundary search reads first */
#define FQP__SHARD_WINDOW_MAX (64u << 20) /* ... growing to this for long records */
#define FQP__SHARD_RECORDS 4             /* records checked from each candidate line */
#define FQP__SHARD_PHASES 4              /* candidate lines: one of any 4 in a row starts a record */

typedef struct fqp__shard_block {
    uint64_t coff, toff; /* compressed start, text start */
} fqp__shard_block;

struct fqp__shard {
    uint64_t index, count;
    uint64_t end;                /* records starting here or later are the next shards'; UINT64_MAX: none */
    uint64_t stop;               /* where the next shard's first record was found */
    char name[FQP_ERROR_FILE_MAX]; /* "NAME (shard I/N)", the reader's name from now on */
    fqp__reader *r;
    uint64_t size;               /* bytes of the source */
    int bgzf;
    /* BGZF: the blocks walked so far from the file's start. blk[k] for k <
       nblocks is block k; blk[nblocks] is where the next block would start */
    fqp__shard_block *blk;
    uint64_t blk_cap;
    size_t nblocks;
    int walked;                  /* the end of the file was reached */
};

static void fqp__shard_free(fqp__shard *sh, const fqp_allocator *a)
{
    if (!sh) return;
    fqp__free(a, sh->blk);
    fqp__free(a, sh);
}

/* floor(i * size / n) without overflow, for i <= n <= 2^32. */
static uint64_t fqp__shard_split(uint64_t size, uint64_t i, uint64_t n)
{
    return size / n * i + size % n * i / n;
}

static int fqp__shard_past(const fqp__shard *sh, uint64_t at, uint64_t *stop)
{
    if (!sh || at < sh->end) return 0;
    *stop = sh->stop;
    return 1;
}

#ifndef FASTQPAR_NO_ZLIB
/* Walks one more block header (or reaches the end of the file). */
static fqp_result fqp__shard_walk(fqp__shard *sh, fqp_error *err)
{
    uint64_t bsize = 0, isize = 0;
    int found;
    fqp_result res = fqp__bgzin_block_at(sh->r, sh->blk[sh->nblocks].coff, &bsize, &isize, &found, err);
    if (res != FQP_OK) return res;
    if (!found) {
        sh->walked = 1;
        return FQP_OK;
    }
    if (fqp__reserve(sh->r->alloc, (void **)&sh->blk, &sh->blk_cap, sh->nblocks + 2, sizeof *sh->blk))
        return fqp__error(err, FQP_ERR_NOMEM, sh->name, 0, 0, 0, "out of memory for the BGZF block list");
    sh->blk[sh->nblocks + 1].coff = sh->blk[sh->nblocks].coff + bsize;
    sh->blk[sh->nblocks + 1].toff = sh->blk[sh->nblocks].toff + isize;
    sh->nblocks++;
    return FQP_OK;
}

/* *k: the first block whose compressed start is at or after x (nblocks
   when none: x lies past the last block's start). */
static fqp_result fqp__shard_block_from(fqp__shard *sh, uint64_t x, size_t *k, fqp_error *err)
{
    size_t lo = 0, hi;
    fqp_result res;
    while (!sh->walked && (sh->nblocks == 0 || sh->blk[sh->nblocks - 1].coff < x))
        if ((res = fqp__shard_walk(sh, err)) != FQP_OK) return res;
    hi = sh->nblocks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sh->blk[mid].coff < x) lo = mid + 1;
        else hi = mid;
    }
    *k = lo;
    return FQP_OK;
}

/* *k: the block whose text holds text offset t (nblocks when t lies at or
   past the end of the text). */
static fqp_result fqp__shard_block_of(fqp__shard *sh, uint64_t t, size_t *k, fqp_error *err)
{
    size_t lo = 0, hi;
    fqp_result res;
    while (!sh->walked && sh->blk[sh->nblocks].toff <= t)
        if ((res = fqp__shard_walk(sh, err)) != FQP_OK) return res;
    hi = sh->nblocks;
    while (lo < hi) { /* the first k with blk[k + 1].toff > t */
        size_t mid = lo + (hi - lo) / 2;
        if (sh->blk[mid + 1].toff <= t) lo = mid + 1;
        else hi = mid;
    }
    *k = lo;
    return FQP_OK;
}
#endif

/* Text [t0, t0 + want) into a new buffer *w (freed by the caller) of *n
   bytes; *eof when the input's text ends within it. */
static fqp_result fqp__shard_window(fqp__shard *sh, uint64_t t0, uint64_t want, char **w, uint64_t *n, int *eof,
                                    fqp_error *err)
{
    const fqp_allocator *a = sh->r->alloc;
    fqp_result res;
    *w = NULL;
    *n = 0;
    *eof = 0;
    if (!sh->bgzf) {
        size_t got;
        if (t0 >= sh->size) {
            *eof = 1;
            return FQP_OK;
        }
        if (want > sh->size - t0) want = sh->size - t0; /* a small file: a small window */
        if (!(*w = (char *)fqp__alloc(a, (size_t)want)))
            return fqp__error(err, FQP_ERR_NOMEM, sh->name, 0, 0, 0, "out of memory for a shard's boundary search");
        if ((res = fqp__reader_pread(sh->r, t0, *w, (size_t)want, &got, err)) != FQP_OK) return res;
        *n = got;
        *eof = t0 + got >= sh->size;
        return FQP_OK;
    }
#ifndef FASTQPAR_NO_ZLIB
    {
        size_t k, j, got, text = 0;
        uint64_t clen, tlen, skip;
        unsigned char *in = NULL, *out = NULL;
        if ((res = fqp__shard_block_of(sh, t0, &k, err)) != FQP_OK) return res;
        if (k == sh->nblocks) {
            *eof = 1;
            return FQP_OK;
        }
        while (!sh->walked && sh->blk[sh->nblocks].toff < t0 + want)
            if ((res = fqp__shard_walk(sh, err)) != FQP_OK) return res;
        for (j = k + 1; j < sh->nblocks && sh->blk[j].toff < t0 + want; j++) {}
        clen = sh->blk[j].coff - sh->blk[k].coff;
        tlen = sh->blk[j].toff - sh->blk[k].toff;
        in = (unsigned char *)fqp__alloc(a, (size_t)clen);
        out = (unsigned char *)fqp__alloc(a, (size_t)tlen + 1);
        if (!in || !out) {
            res = fqp__error(err, FQP_ERR_NOMEM, sh->name, 0, 0, 0, "out of memory for a shard's boundary search");
        } else if ((res = fqp__reader_pread(sh->r, sh->blk[k].coff, in, (size_t)clen, &got, err)) == FQP_OK) {
            if (got < clen)
                res = fqp__error(err, FQP_ERR_GZIP_TRUNCATED, sh->name, 0, 0, sh->blk[k].coff + got,
                                 "gzip data ends early at compressed byte %llu (truncated file?)",
                                 (unsigned long long)(sh->blk[k].coff + got));
            else
                res = fqp__bgzin_inflate_blocks(sh->r, in, (size_t)clen, sh->blk[k].coff, out, &text, err);
        }
        if (res == FQP_OK) {
            skip = t0 - sh->blk[k].toff;
            *n = text - skip < want ? text - skip : want;
            *eof = sh->walked && j == sh->nblocks && *n < want;
            memmove(out, out + skip, (size_t)*n); /* the window is the text buffer itself */
            *w = (char *)out;
            out = NULL;
        }
        fqp__free(a, in);
        fqp__free(a, out);
        return res;
    }
#else
    return FQP_ERR_NO_ZLIB;
#endif
}

/* One line of w[0..n) from ls: its text [ls, *ce) without "\n" or "\r\n",
   the next line at *next. 0 when the window ends inside it; at the end of
   the input the last line may lack its newline. */
static int fqp__shard_line(const char *w, uint64_t n, int eof, uint64_t ls, uint64_t *ce, uint64_t *next)
{
    const char *nl = (const char *)memchr(w + ls, '\n', (size_t)(n - ls));
    uint64_t eol;
    if (nl) {
        eol = (uint64_t)(nl - w);
        *next = eol + 1;
    } else if (eof) {
        eol = *next = n;
    } else {
        return 0;
    }
    *ce = eol > ls && w[eol - 1] == '\r' ? eol - 1 : eol;
    return 1;
}

enum { FQP__FIT_NO, FQP__FIT_WRAPPED, FQP__FIT_RECORDS, FQP__FIT_BLANK_END, FQP__FIT_MORE };

/* How four-line records fit from line ls of w[0..n), by the reader's own
   rules (header '@'; a sequence line that starts with neither '@' nor '+';
   a '+' line, empty or naming the header or its name; a quality line as
   long as the sequence; blank lines only at the end of the input):
   RECORDS when FQP__SHARD_RECORDS records fit (or fewer, up to the end),
   BLANK_END when only blank lines are left, MORE when the window ends first
   (*records fitted so far), WRAPPED when a sequence seems to go on over a
   second line, NO otherwise. */
static int fqp__shard_fit(const char *w, uint64_t n, int eof, uint64_t ls, uint64_t *records)
{
    *records = 0;
    for (;;) {
        uint64_t hce, s, sce, pl, pce, q, qce, next, hl, tl, name;
        if (*records == FQP__SHARD_RECORDS) return FQP__FIT_RECORDS;
        if (ls >= n) return !eof ? FQP__FIT_MORE : *records ? FQP__FIT_RECORDS : FQP__FIT_BLANK_END;
        if (!fqp__shard_line(w, n, eof, ls, &hce, &s)) return FQP__FIT_MORE;
        if (hce == ls) { /* a blank line: only blank lines may follow it */
            while (s < n) {
                if (!fqp__shard_line(w, n, eof, s, &hce, &next)) return FQP__FIT_MORE;
                if (hce != s) return FQP__FIT_NO;
                s = next;
            }
            return !eof ? FQP__FIT_MORE : *records ? FQP__FIT_RECORDS : FQP__FIT_BLANK_END;
        }
        if (w[ls] != '@') return FQP__FIT_NO;
        if (s >= n) return eof ? FQP__FIT_NO : FQP__FIT_MORE;
        if (!fqp__shard_line(w, n, eof, s, &sce, &pl)) return FQP__FIT_MORE;
        if (sce > s && (w[s] == '@' || w[s] == '+')) return FQP__FIT_NO;
        if (pl >= n) return eof ? FQP__FIT_NO : FQP__FIT_MORE;
        if (!fqp__shard_line(w, n, eof, pl, &pce, &q)) return FQP__FIT_MORE;
        if (pce == pl || w[pl] != '+') return sce > s && pce > pl && w[pl] != '@' ? FQP__FIT_WRAPPED : FQP__FIT_NO;
        hl = hce - ls - 1;
        tl = pce - pl - 1;
        for (name = 0; name < hl && w[ls + 1 + name] != ' ' && w[ls + 1 + name] != '\t'; name++) {}
        if (tl && !((tl == hl || tl == name) && memcmp(w + pl + 1, w + ls + 1, (size_t)tl) == 0))
            return FQP__FIT_NO;
        if (q >= n && eof && sce == s) { /* an empty read at the very end, without its quality line */
            (*records)++;
            ls = q;
            continue;
        }
        if (q >= n) return eof ? FQP__FIT_NO : FQP__FIT_MORE;
        if (!fqp__shard_line(w, n, eof, q, &qce, &next)) return FQP__FIT_MORE;
        if (qce - q != sce - s) return qce - q < sce - s ? FQP__FIT_WRAPPED : FQP__FIT_NO;
        (*records)++;
        ls = next;
    }
}

/* *at: the first record boundary at or after text offset t, UINT64_MAX
   when no record starts there (only blank lines, or nothing, follow). Each
   of the next FQP__SHARD_PHASES line starts is tried; exactly one may fit. */
static fqp_result fqp__shard_probe(fqp__shard *sh, uint64_t t, uint64_t *at, fqp_error *err)
{
    const fqp_allocator *a = sh->r->alloc;
    uint64_t want = FQP__SHARD_WINDOW;
    if (t == 0) {
        *at = 0;
        return FQP_OK;
    }
    for (;;) {
        char *w = NULL;
        uint64_t n, ls = 0, cand[FQP__SHARD_PHASES], recs[FQP__SHARD_PHASES];
        int fit[FQP__SHARD_PHASES], nc = 0, k, eof, more = 0, wrapped = 0, fits = 0, first = -1, second = -1,
            blank = -1;
        fqp_result res = fqp__shard_window(sh, t - 1, want + 1, &w, &n, &eof, err);
        if (res != FQP_OK) {
            fqp__free(a, w);
            return res;
        }
        if (n == 0) { /* t lies past the end of the text */
            fqp__free(a, w);
            *at = UINT64_MAX;
            return FQP_OK;
        }
        /* w[0] is the byte before t: the first line start at or after t */
        if (w[0] == '\n') {
            ls = 1;
        } else {
            const char *nl = (const char *)memchr(w + 1, '\n', (size_t)(n - 1));
            if (nl) ls = (uint64_t)(nl - w) + 1;
            else if (eof) ls = n;
            else more = 1; /* no line start in the window */
        }
        for (k = 0; !more && k < FQP__SHARD_PHASES; k++) {
            uint64_t ce, next;
            cand[nc] = ls;
            fit[nc] = fqp__shard_fit(w, n, eof, ls, &recs[nc]);
            nc++;
            if (ls >= n) break; /* the end of the text: no later line */
            if (!fqp__shard_line(w, n, eof, ls, &ce, &next)) {
                more = 1;
                break;
            }
            ls = next;
        }
        fqp__free(a, w);
        for (k = 0; k < nc; k++) more |= fit[k] == FQP__FIT_MORE;
        if (more && !eof && want < FQP__SHARD_WINDOW_MAX) {
            want *= 4;
            continue;
        }
        for (k = 0; k < nc; k++) {
            /* at the largest window, one whole record and no contradiction is enough */
            if (fit[k] == FQP__FIT_RECORDS || (fit[k] == FQP__FIT_MORE && recs[k] > 0)) {
                if (fits++ == 0) first = k;
                else if (second < 0) second = k;
            }
            if (fit[k] == FQP__FIT_BLANK_END && blank < 0) blank = k;
            wrapped |= fit[k] == FQP__FIT_WRAPPED;
        }
        if (fits == 1) {
            *at = t - 1 + cand[first];
            return FQP_OK;
        }
        if (fits > 1)
            return fqp__error(err, FQP_ERR_SHARD, sh->name, 0, 0, t,
                              "the first record boundary at or after byte %llu is ambiguous: four-line records fit "
                              "from byte %llu and from byte %llu (wrapped FASTQ?); shard such input by file",
                              (unsigned long long)t, (unsigned long long)(t - 1 + cand[first]),
                              (unsigned long long)(t - 1 + cand[second]));
        if (blank >= 0) {
            *at = UINT64_MAX;
            return FQP_OK;
        }
        if (wrapped)
            return fqp__error(err, FQP_ERR_SHARD, sh->name, 0, 0, t,
                              "no four-line record starts in the lines after byte %llu, and a sequence there goes "
                              "on over several lines: wrapped FASTQ cannot be sharded by bytes (shard by file "
                              "instead)", (unsigned long long)t);
        if (more)
            return fqp__error(err, FQP_ERR_SHARD, sh->name, 0, 0, t,
                              "no record boundary could be confirmed within %u MiB after byte %llu (records that "
                              "long cannot be sharded by bytes)", (unsigned)(FQP__SHARD_WINDOW_MAX >> 20),
                              (unsigned long long)t);
        return fqp__error(err, FQP_ERR_SHARD, sh->name, 0, 0, t,
                          "no four-line FASTQ record ('@' header, sequence, '+' line, quality of the same length) "
                          "starts in the lines after byte %llu: the input is not FASTQ, or wrapped FASTQ (wrapped "
                          "FASTQ cannot be sharded by bytes: shard by file instead)", (unsigned long long)t);
    }
}

/* Producer creation, after the reader opened and before it reads: for
   input->shard_count > 1, finds the shard's first record and the next
   shard's, and starts the reader at the first. *origin gets the text offset
   of the shard's first record (0 when not sharded). *out stays NULL when
   not sharded; else it is the caller's to free, also on error. */
static fqp_result fqp__shard_open(fqp__reader *r, const fqp_input_desc *in, fqp__shard **out, uint64_t *origin,
                                  fqp_error *err)
{
    uint64_t i = in->shard_index, n = in->shard_count, size = 0, begin, end, start = 0, stop = UINT64_MAX;
    unsigned char magic[6];
    size_t got;
    fqp__shard *sh;
    fqp_result res;
    *out = NULL;
    *origin = 0;
    if (n <= 1) {
        if (i == 0) return FQP_OK;
        return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, r->name, 0, 0, 0,
                          "shard_index %llu without shard_count > 1", (unsigned long long)i);
    }
    if (i >= n || n > UINT32_MAX)
        return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, r->name, 0, 0, 0,
                          "shard %llu/%llu: shard_index must be below shard_count, and shard_count at most 2^32",
                          (unsigned long long)i, (unsigned long long)n);
    if (!(sh = (fqp__shard *)fqp__calloc(r->alloc, sizeof *sh)))
        return fqp__error(err, FQP_ERR_NOMEM, r->name, 0, 0, 0, "out of memory");
    *out = sh;
    sh->index = i;
    sh->count = n;
    sh->r = r;
    snprintf(sh->name, sizeof sh->name, "%s (shard %llu/%llu)", r->name, (unsigned long long)i, (unsigned long long)n);
    r->name = sh->name;
    if ((res = fqp__reader_size(r, &size, err)) != FQP_OK) return res;
    sh->size = size;
    if ((res = fqp__reader_pread(r, 0, magic, sizeof magic, &got, err)) != FQP_OK) return res;
    if ((res = fqp__compression_magic(sh->name, magic, got, err)) != FQP_OK) return res;
    sh->bgzf = got >= 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    begin = fqp__shard_split(size, i, n);
    end = i + 1 < n ? fqp__shard_split(size, i + 1, n) : UINT64_MAX;
    if (sh->bgzf) {
#ifdef FASTQPAR_NO_ZLIB
        return fqp__error(err, FQP_ERR_NO_ZLIB, sh->name, 0, 0, 0,
                          "input is gzip-compressed but fastqpar was built with FASTQPAR_NO_ZLIB");
#else
        size_t k;
        if (fqp__reserve(r->alloc, (void **)&sh->blk, &sh->blk_cap, 2, sizeof *sh->blk))
            return fqp__error(err, FQP_ERR_NOMEM, sh->name, 0, 0, 0, "out of memory");
        sh->blk[0].coff = sh->blk[0].toff = 0;
        if ((res = fqp__shard_walk(sh, err)) != FQP_OK) return res; /* the first block: BGZF, or FQP_ERR_SHARD */
        /* the blocks whose compressed start lies in [begin, end), as text offsets */
        if ((res = fqp__shard_block_from(sh, begin, &k, err)) != FQP_OK) return res;
        begin = sh->blk[k].toff;
        if (end != UINT64_MAX) {
            if ((res = fqp__shard_block_from(sh, end, &k, err)) != FQP_OK) return res;
            end = k < sh->nblocks ? sh->blk[k].toff : UINT64_MAX;
        }
#endif
    }
    if ((res = fqp__shard_probe(sh, begin, &start, err)) != FQP_OK) return res;
    if (start == UINT64_MAX) { /* no record starts in or after the range: an empty shard */
        sh->end = UINT64_MAX;
        *origin = begin;
        return fqp__reader_start_at(r, size, 0, err);
    }
    if (end != UINT64_MAX && (res = fqp__shard_probe(sh, end, &stop, err)) != FQP_OK) return res;
    /* no record after the range: this shard reads to the end (later shards are empty) */
    sh->end = stop == UINT64_MAX ? UINT64_MAX : end;
    sh->stop = stop;
    *origin = start;
    if (!sh->bgzf) return fqp__reader_start_at(r, start, 0, err);
#ifndef FASTQPAR_NO_ZLIB
    {
        size_t k;
        if ((res = fqp__shard_block_of(sh, start, &k, err)) != FQP_OK) return res;
        return fqp__reader_start_at(r, sh->blk[k].coff, start - sh->blk[k].toff, err);
    }
#else
    return FQP_ERR_NO_ZLIB;
#endif
}

/* ---- >>writer [optional]: FASTQ writing ---- */

/* A growing byte buffer (batch output, compressed blocks). */
typedef struct fqp__obuf {
    char *data;
    uint64_t len, cap;
} fqp__obuf;

static fqp_result fqp__obuf_add(const fqp_allocator *a, fqp__obuf *o, const void *data, uint64_t size)
{
    if (size > UINT64_MAX - o->len) return FQP_ERR_NOMEM;
    if (fqp__reserve(a, (void **)&o->data, &o->cap, o->len + size, 1)) return FQP_ERR_NOMEM;
    if (size) memcpy(o->data + o->len, data, (size_t)size);
    o->len += size;
    return FQP_OK;
}

#define FQP__BGZF_BLOCK_TEXT 0xff00u  /* text per block, as htslib: the block fits 64 KiB even if stored */
#define FQP__BGZF_MAX_BLOCK 65536u

/* A raw-deflate compressor that turns text into BGZF blocks; one per
   consumer thread (BGZF in parallel) and one per writer (serial BGZF). */
typedef struct fqp__bgzf {
    const fqp_allocator *alloc;
    fqp_codec codec;
    int level, ready;
#ifndef FASTQPAR_NO_ZLIB
    z_stream zs;
    struct libdeflate_compressor *ld;
    unsigned char *isal, *isal_buf; /* ISA-L's stream (mirror) and level buffer */
#endif
} fqp__bgzf;

#ifndef FASTQPAR_NO_ZLIB
/* A level (see "levels" at fqp_writer_desc) as each library counts. */
static int fqp__level_zlib(int level) { return level == 0 ? 6 : level < 0 ? 0 : level > 9 ? 9 : level; }
static int fqp__level_libdeflate(int level) { return level == 0 ? 1 : level > 9 ? 9 : level; }

/* fqp__zalloc, fqp__zfree: see the codec section */

#endif

static void fqp__bgzf_end(fqp__bgzf *z)
{
#ifndef FASTQPAR_NO_ZLIB
    if (z->ready && z->codec == FQP_CODEC_ZLIB && z->level >= 0) deflateEnd(&z->zs);
    if (z->ld) fqp__ld.libdeflate_free_compressor(z->ld);
    fqp__free(z->alloc, z->isal);
    fqp__free(z->alloc, z->isal_buf);
    z->ld = NULL;
    z->isal = z->isal_buf = NULL;
#endif
    z->ready = 0;
}

#ifndef FASTQPAR_NO_ZLIB
/* Raw deflate of n <= 0xff00 bytes into out[0..cap): the size, or 0 when
   it does not fit (the caller then stores the text). */
static size_t fqp__bgzf_deflate(fqp__bgzf *z, const char *text, size_t n, unsigned char *out, size_t cap)
{
    if (z->codec == FQP_CODEC_LIBDEFLATE) return fqp__ld.libdeflate_deflate_compress(z->ld, text, n, out, cap);
    if (z->codec == FQP_CODEC_ISAL) {
        unsigned char *s = z->isal;
        fqp__isal_deflate_prepare(s, z->isal_buf, z->level, 0);
        fqp__putp(s, FQP__IZ_NEXT_IN, text);
        fqp__put32(s, FQP__IZ_AVAIL_IN, (uint32_t)n);
        fqp__putp(s, FQP__IZ_NEXT_OUT, out);
        fqp__put32(s, FQP__IZ_AVAIL_OUT, (uint32_t)cap);
        fqp__put16(s, FQP__IZ_END_OF_STREAM, 1);
        return fqp__isal.isal_deflate_stateless((struct isal_zstream *)s) == FQP__ISAL_COMP_OK
                   ? fqp__get32(s, FQP__IZ_TOTAL_OUT) : 0;
    }
    if (deflateReset(&z->zs) != Z_OK) return 0;
    z->zs.next_in = (Bytef *)(uintptr_t)text; /* zlib's API is not const */
    z->zs.avail_in = (uInt)n;
    z->zs.next_out = out;
    z->zs.avail_out = (uInt)cap;
    return deflate(&z->zs, Z_FINISH) == Z_STREAM_END ? (size_t)z->zs.total_out : 0;
}

static fqp_result fqp__bgzf_start(fqp__bgzf *z, fqp_codec codec, int level)
{
    if (z->ready && (z->level != level || z->codec != codec)) fqp__bgzf_end(z);
    if (z->ready) return FQP_OK;
    z->codec = codec;
    z->level = level;
    if (level < 0) { /* stored: no compressor */
    } else if (codec == FQP_CODEC_LIBDEFLATE) {
        if (!(z->ld = fqp__ld.libdeflate_alloc_compressor(fqp__level_libdeflate(level)))) return FQP_ERR_NOMEM;
    } else if (codec == FQP_CODEC_ISAL) {
        z->isal = (unsigned char *)fqp__calloc(z->alloc, FQP__ISAL_STREAM_BYTES);
        z->isal_buf = (unsigned char *)fqp__alloc(z->alloc, FQP__ISAL_LEVEL_BUF);
        if (!z->isal || !z->isal_buf) {
            fqp__bgzf_end(z);
            return FQP_ERR_NOMEM;
        }
    } else {
        memset(&z->zs, 0, sizeof z->zs);
        z->zs.zalloc = fqp__zalloc;
        z->zs.zfree = fqp__zfree;
        z->zs.opaque = (voidpf)z->alloc;
        if (deflateInit2(&z->zs, fqp__level_zlib(level), Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            return FQP_ERR_NOMEM;
    }
    z->ready = 1;
    return FQP_OK;
}
#endif

/* Appends `size` bytes of text to dst as BGZF blocks (none for no text),
   compressed by `codec` at `level`. */
static fqp_result fqp__bgzf_append(fqp__bgzf *z, fqp_codec codec, int level, const char *text, uint64_t size,
                                   fqp__obuf *dst)
{
#ifdef FASTQPAR_NO_ZLIB
    (void)z; (void)codec; (void)level; (void)text; (void)size; (void)dst;
    return FQP_ERR_NO_ZLIB;
#else
    fqp_result r;
    if ((r = fqp__bgzf_start(z, codec, level)) != FQP_OK) return r;
    while (size) {
        size_t n = size < FQP__BGZF_BLOCK_TEXT ? (size_t)size : FQP__BGZF_BLOCK_TEXT, clen;
        uint32_t crc;
        unsigned char *h;
        uint64_t bsize;
        if (fqp__reserve(z->alloc, (void **)&dst->data, &dst->cap, dst->len + FQP__BGZF_MAX_BLOCK, 1))
            return FQP_ERR_NOMEM;
        h = (unsigned char *)dst->data + dst->len;
        clen = level < 0 ? 0 : fqp__bgzf_deflate(z, text, n, h + 18, FQP__BGZF_MAX_BLOCK - 18 - 8);
        if (clen == 0) { /* a stored block: 0xff00 bytes always fit */
            h[18] = 1; /* final, stored */
            h[19] = (unsigned char)n; h[20] = (unsigned char)(n >> 8);
            h[21] = (unsigned char)~n; h[22] = (unsigned char)(~n >> 8);
            memcpy(h + 23, text, n);
            clen = n + 5;
        }
        bsize = 18 + clen + 8;
        /* gzip header with the BC extra field holding the block size - 1 */
        memcpy(h, "\x1f\x8b\x08\x04\0\0\0\0\0\xff\x06\0\x42\x43\x02\0", 16);
        h[16] = (unsigned char)((bsize - 1) & 0xff);
        h[17] = (unsigned char)((bsize - 1) >> 8);
        crc = fqp__crc32(0, text, n);
        h += 18 + clen;
        h[0] = (unsigned char)crc; h[1] = (unsigned char)(crc >> 8);
        h[2] = (unsigned char)(crc >> 16); h[3] = (unsigned char)(crc >> 24);
        h[4] = (unsigned char)n; h[5] = (unsigned char)(n >> 8);
        h[6] = (unsigned char)(n >> 16); h[7] = (unsigned char)(n >> 24);
        dst->len += bsize;
        text += n;
        size -= n;
    }
    return FQP_OK;
#endif
}

/* The empty block that ends every BGZF file (htslib checks for it). */
static const unsigned char fqp__bgzf_eof[28] = {0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, 0x42, 0x43,
                                                2, 0, 0x1b, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0};

struct fqp_writer {
    fqp_allocator alloc;
    FILE *fp;
    int own_fp;
    char *temp, *target;       /* a path output: written to temp, renamed to target */
    fqp_write_fn write;
    void *write_user;
    fqp_format format;
    int level, keep_plus_name;
    char name[FQP_ERROR_FILE_MAX];
    fqp_error err;             /* sticky: the first error */
    uint64_t bytes;
    fqp_codec codec;           /* what compresses (ZLIB when plain) */
    fqp__bgzf bgzf;            /* serial BGZF (fqp_writer_write) */
    fqp__obuf tmp;
#ifndef FASTQPAR_NO_ZLIB
    z_stream zs;               /* gzip, codec ZLIB */
    int zs_ready;
    unsigned char *isal, *isal_buf; /* gzip, codec ISAL */
#endif
};

FASTQPAR_DEF fqp_format fqp_format_from_name(const char *path)
{
    size_t n = path ? strlen(path) : 0;
    if (n >= 3 && strcmp(path + n - 3, ".gz") == 0) return FQP_FORMAT_BGZF;
    if ((n >= 4 && strcmp(path + n - 4, ".bgz") == 0) || (n >= 5 && strcmp(path + n - 5, ".bgzf") == 0))
        return FQP_FORMAT_BGZF;
    return FQP_FORMAT_PLAIN;
}

static void fqp__writer_copy_err(const fqp_writer *w, fqp_error *err)
{
    if (err) *err = w->err;
}

/* Compressed (or plain) bytes to the destination; the first failure sticks. */
static fqp_result fqp__writer_put(fqp_writer *w, const void *data, size_t size)
{
    int bad;
    if (w->err.code) return w->err.code;
    if (!size) return FQP_OK;
    if (w->fp) {
        size_t n;
        errno = 0;
        n = fwrite(data, 1, size, w->fp);
        bad = n != size;
        if (bad) w->bytes += n; /* the part that went out counts */
    } else {
        bad = w->write(w->write_user, data, size) != 0;
    }
    if (bad)
        return fqp__error(&w->err, FQP_ERR_WRITE, w->name, 0, 0, 0, "write failed after %llu bytes%s%s",
                          (unsigned long long)w->bytes, w->fp && errno ? ": " : "",
                          w->fp && errno ? strerror(errno) : "");
    w->bytes += size;
    return FQP_OK;
}


#ifndef FASTQPAR_NO_ZLIB
/* The gzip stream through ISA-L: all of text in, all output out; `finish`
   ends the member (trailer). */
static fqp_result fqp__writer_isal(fqp_writer *w, const void *text, size_t size, int finish)
{
    unsigned char out[1 << 16], *z = w->isal;
    const char *p = (const char *)text;
    size_t have;
    fqp__put16(z, FQP__IZ_END_OF_STREAM, (uint16_t)(finish != 0));
    fqp__put32(z, FQP__IZ_AVAIL_IN, 0);
    do {
        if (fqp__get32(z, FQP__IZ_AVAIL_IN) == 0 && size) { /* avail_in is 32-bit: feed in pieces */
            size_t n = size > (1u << 30) ? (1u << 30) : size;
            fqp__putp(z, FQP__IZ_NEXT_IN, p);
            fqp__put32(z, FQP__IZ_AVAIL_IN, (uint32_t)n);
            p += n;
            size -= n;
        }
        fqp__putp(z, FQP__IZ_NEXT_OUT, out);
        fqp__put32(z, FQP__IZ_AVAIL_OUT, sizeof out);
        if (fqp__isal.isal_deflate((struct isal_zstream *)z) != FQP__ISAL_COMP_OK)
            return fqp__error(&w->err, FQP_ERR_WRITE, w->name, 0, 0, 0, "ISA-L deflate failed");
        have = sizeof out - fqp__get32(z, FQP__IZ_AVAIL_OUT);
        if (fqp__writer_put(w, out, have) != FQP_OK) return w->err.code;
    } while (have == sizeof out || fqp__get32(z, FQP__IZ_AVAIL_IN) || size ||
             (finish && fqp__get32(z, FQP__IZ_STATE) != FQP__ISAL_ZSTATE_END));
    return FQP_OK;
}

static fqp_result fqp__writer_deflate(fqp_writer *w, const void *text, size_t size, int flush)
{
    unsigned char out[1 << 15];
    int zr;
    if (w->isal) return fqp__writer_isal(w, text, size, flush == Z_FINISH);
    w->zs.next_in = (Bytef *)(uintptr_t)text;
    w->zs.avail_in = 0;
    do {
        size_t have;
        if (w->zs.avail_in == 0 && size) { /* avail_in is 32-bit: feed in pieces */
            uInt n = size > (1u << 30) ? (1u << 30) : (uInt)size;
            w->zs.avail_in = n;
            size -= n;
        }
        w->zs.next_out = out;
        w->zs.avail_out = sizeof out;
        zr = deflate(&w->zs, size ? Z_NO_FLUSH : flush);
        if (zr == Z_STREAM_ERROR)
            return fqp__error(&w->err, FQP_ERR_WRITE, w->name, 0, 0, 0, "deflate failed");
        have = sizeof out - w->zs.avail_out;
        if (fqp__writer_put(w, out, have) != FQP_OK) return w->err.code;
    } while (w->zs.avail_out == 0 || w->zs.avail_in || size || (flush == Z_FINISH && zr != Z_STREAM_END));
    return FQP_OK;
}
#endif

/* Opens a path output: a temporary file beside it unless in_place or the
   target is not a regular file (see "safe replacement" at fqp_writer_desc). */
static fqp_result fqp__writer_create(fqp_writer *w, const char *path, int in_place, fqp_error *err)
{
#if defined(__unix__) || defined(__APPLE__)
    struct stat st;
    int exists = stat(path, &st) == 0;
    if (exists && S_ISDIR(st.st_mode))
        return fqp__error(err, FQP_ERR_OPEN, w->name, 0, 0, 0, "cannot create: it is a directory");
    if (!in_place && (!exists || S_ISREG(st.st_mode))) {
        const char *slash = strrchr(path, '/');
        size_t dir = slash ? (size_t)(slash + 1 - path) : 0, cap = strlen(path) + 48;
        unsigned i;
        char *t = (char *)fqp__alloc(&w->alloc, cap), *target = (char *)fqp__alloc(&w->alloc, cap);
        if (!t || !target) {
            fqp__free(&w->alloc, t);
            fqp__free(&w->alloc, target);
            return fqp__error(err, FQP_ERR_NOMEM, w->name, 0, 0, 0, "out of memory");
        }
        snprintf(target, cap, "%s", path);
        errno = 0;
        for (i = 0; i < 1000 && !w->fp; i++) { /* "x" is exclusive: a name in use is skipped */
            snprintf(t, cap, "%.*s.%s.fqp%ld-%u.tmp", (int)dir, path, path + dir, (long)getpid(), i);
            w->fp = fopen(t, "wbx");
            if (!w->fp && errno != EEXIST) break;
        }
        if (!w->fp) {
            fqp__error(err, FQP_ERR_OPEN, w->name, 0, 0, 0, "cannot create a file in its directory: %s",
                       strerror(errno));
            fqp__free(&w->alloc, t);
            fqp__free(&w->alloc, target);
            return FQP_ERR_OPEN;
        }
        if (exists) (void)chmod(t, st.st_mode & 07777); /* the replacement keeps the target's mode */
        w->temp = t;
        w->target = target;
        w->own_fp = 1;
        return FQP_OK;
    }
#else
    (void)in_place;
#endif
    w->fp = fopen(path, "wb");
    if (!w->fp) return fqp__error(err, FQP_ERR_OPEN, w->name, 0, 0, 0, "cannot create: %s", strerror(errno));
    w->own_fp = 1;
    return FQP_OK;
}

FASTQPAR_DEF fqp_result fqp_writer_open(fqp_writer **out, const fqp_writer_desc *d, fqp_error *err)
{
    fqp_allocator a;
    fqp_writer *w;
    int dests;
    if (err) memset(err, 0, sizeof *err);
    if (!out || !d) return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0, "NULL argument");
    *out = NULL;
    dests = (d->path != NULL) + (d->file != NULL) + (d->write != NULL);
    if (dests != 1)
        return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0,
                          "output needs exactly one of path, file or write (%d given)", dests);
    if ((d->allocator.alloc == NULL) != (d->allocator.free == NULL))
        return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0, "allocator needs both alloc and free");
    if (d->format < FQP_FORMAT_PLAIN || d->format > FQP_FORMAT_BGZF)
        return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0, "unknown output format %d", (int)d->format);
#ifdef FASTQPAR_NO_ZLIB
    if (d->format != FQP_FORMAT_PLAIN)
        return fqp__error(err, FQP_ERR_NO_ZLIB, d->name ? d->name : d->path, 0, 0, 0, "compressed output needs zlib");
#endif
    a = d->allocator;
    w = (fqp_writer *)fqp__calloc(&a, sizeof *w);
    if (!w) return fqp__error(err, FQP_ERR_NOMEM, NULL, 0, 0, 0, "out of memory");
    w->alloc = a;
    w->codec = FQP_CODEC_ZLIB;
#ifndef FASTQPAR_NO_ZLIB
    if (d->format != FQP_FORMAT_PLAIN) {
        fqp_codec asked;
        fqp_result r = fqp__codec_resolve(d->deflate, d->ignore_env, "FASTQPAR_DEFLATE", "fqp_writer_desc.deflate",
                                          &asked, err);
        if (r != FQP_OK) {
            fqp__free(&a, w);
            return r;
        }
        w->codec = fqp__codec_pick(asked, d->format == FQP_FORMAT_BGZF ? fqp__order_block : fqp__order_stream);
        if (d->format == FQP_FORMAT_GZIP && d->level < 0) w->codec = FQP_CODEC_ZLIB; /* stored: zlib's level 0 */
    }
#endif
    w->bgzf.alloc = &w->alloc;
    w->format = d->format;
    w->level = d->level;
    w->keep_plus_name = d->keep_plus_name;
    w->write = d->write;
    w->write_user = d->write_user;
    snprintf(w->name, sizeof w->name, "%s",
             d->name ? d->name : d->path ? (strcmp(d->path, "-") == 0 ? "<stdout>" : d->path)
                               : d->file ? "<file>" : "<callback>");
    if (d->path && strcmp(d->path, "-") == 0) {
        w->fp = stdout;
    } else if (d->path) {
        fqp_result r = fqp__writer_create(w, d->path, d->in_place, err);
        if (r != FQP_OK) {
            fqp__free(&a, w);
            return r;
        }
    } else {
        w->fp = d->file;
    }
#ifndef FASTQPAR_NO_ZLIB
    if (w->format == FQP_FORMAT_GZIP && w->codec == FQP_CODEC_ISAL) {
        w->isal = (unsigned char *)fqp__calloc(&w->alloc, FQP__ISAL_STREAM_BYTES);
        w->isal_buf = (unsigned char *)fqp__alloc(&w->alloc, FQP__ISAL_LEVEL_BUF);
        if (!w->isal || !w->isal_buf) {
            fqp__error(err, FQP_ERR_NOMEM, w->name, 0, 0, 0, "out of memory for ISA-L's deflate");
            fqp_writer_discard(w);
            return FQP_ERR_NOMEM;
        }
        fqp__isal_deflate_prepare(w->isal, w->isal_buf, w->level, 1);
    } else if (w->format == FQP_FORMAT_GZIP) {
        w->zs.zalloc = fqp__zalloc;
        w->zs.zfree = fqp__zfree;
        w->zs.opaque = (voidpf)&w->alloc;
        if (deflateInit2(&w->zs, fqp__level_zlib(w->level), Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
            fqp__error(err, FQP_ERR_NOMEM, w->name, 0, 0, 0, "deflateInit2 failed");
            fqp_writer_discard(w);
            return FQP_ERR_NOMEM;
        }
        w->zs_ready = 1;
    }
#endif
    *out = w;
    return FQP_OK;
}

FASTQPAR_DEF fqp_result fqp_writer_write(fqp_writer *w, const void *text, size_t size, fqp_error *err)
{
    fqp_result r = FQP_OK;
    if (!w) return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0, "NULL writer");
    if (w->err.code) {
        fqp__writer_copy_err(w, err);
        return w->err.code;
    }
    if (w->format == FQP_FORMAT_PLAIN) {
        r = fqp__writer_put(w, text, size);
    } else if (w->format == FQP_FORMAT_BGZF) {
        w->tmp.len = 0;
        if ((r = fqp__bgzf_append(&w->bgzf, w->codec, w->level, (const char *)text, size, &w->tmp)) != FQP_OK)
            r = fqp__error(&w->err, r, w->name, 0, 0, 0, "BGZF compression failed: %s", fqp_result_string(r));
        else
            r = fqp__writer_put(w, w->tmp.data, (size_t)w->tmp.len);
    } else {
#ifndef FASTQPAR_NO_ZLIB
        if (size) r = fqp__writer_deflate(w, text, size, Z_NO_FLUSH);
#endif
    }
    if (r != FQP_OK) fqp__writer_copy_err(w, err);
    return r;
}

static int fqp__writer_output_fn(void *user, const void *data, size_t size)
{
    return fqp_writer_write((fqp_writer *)user, data, size, NULL) != FQP_OK;
}

/* The ordered sink of fqp_paired_run: BGZF arrives as blocks that a
   consumer compressed; plain and gzip arrive as text. */
static fqp_result fqp__writer_take(fqp_writer *w, const void *data, size_t size)
{
    if (w->format == FQP_FORMAT_BGZF) return fqp__writer_put(w, data, size);
    return fqp_writer_write(w, data, size, NULL);
}

FASTQPAR_DEF fqp_output_desc fqp_writer_output(fqp_writer *w)
{
    fqp_output_desc o;
    memset(&o, 0, sizeof o);
    o.write = fqp__writer_output_fn;
    o.write_user = w;
    o.writer = w;
    return o;
}

/* Consumer thread, in fqp_producer_release: a batch's text for a BGZF
   writer becomes blocks here, so compression runs on every consumer; the
   sink then only writes the blocks in order. Each batch has its own
   compressor (a consumer loop may be any thread, GPU consumers included). */
/* Batch `index`'s text becomes BGZF blocks in *spare, then the two buffers
   swap: *text holds the blocks, and the text's memory is the next spare. */
static fqp_result fqp__bgzf_encode(fqp__bgzf *z, const fqp_writer *w, uint64_t index, fqp__obuf *text,
                                   fqp__obuf *spare, fqp_error *e)
{
    fqp__obuf t;
    fqp_result r;
    spare->len = 0;
    if ((r = fqp__bgzf_append(z, w->codec, w->level, text->data, text->len, spare)) != FQP_OK)
        return fqp__error(e, r, w->name, 0, 0, 0, "BGZF compression of batch %llu failed: %s",
                          (unsigned long long)index, fqp_result_string(r));
    t = *text;
    *text = *spare;
    *spare = t;
    return FQP_OK;
}

static fqp_result fqp__batch_encode(fqp_producer *p, fqp__batch *b, fqp_error *e)
{
    fqp_writer *w = p->output.writer;
    const fqp_allocator *a = &p->cfg.allocator;
    fqp__obuf text, spare;
    fqp_result r;
    if (w->format != FQP_FORMAT_BGZF || !b->out_len) return FQP_OK;
    if (!b->z) {
        b->z = (fqp__bgzf *)fqp__calloc(a, sizeof *b->z);
        if (!b->z) return fqp__error(e, FQP_ERR_NOMEM, w->name, 0, 0, 0, "out of memory for a BGZF compressor");
        b->z->alloc = a;
    }
    text.data = b->out, text.len = b->out_len, text.cap = b->out_cap;
    spare.data = b->zout, spare.len = 0, spare.cap = b->zout_cap;
    r = fqp__bgzf_encode(b->z, w, b->pub.index, &text, &spare, e);
    b->out = text.data, b->out_len = text.len, b->out_cap = text.cap;
    b->zout = spare.data, b->zout_cap = spare.cap;
    return r;
}

static void fqp__batch_zfree(const fqp_allocator *a, fqp__batch *b)
{
    if (b->z) fqp__bgzf_end(b->z);
    fqp__free(a, b->z);
    fqp__free(a, b->zout);
    b->z = NULL;
    b->zout = NULL;
}

FASTQPAR_DEF uint64_t fqp_writer_bytes(const fqp_writer *w) { return w ? w->bytes : 0; }

FASTQPAR_DEF fqp_codec fqp_writer_codec(const fqp_writer *w) { return w ? w->codec : FQP_CODEC_ZLIB; }

FASTQPAR_DEF const char *fqp_writer_temp_path(const fqp_writer *w) { return w ? w->temp : NULL; }

/* Closes the destination and frees w; `commit` finishes the stream and
   renames the temporary file over the target, else (or on any error) the
   temporary file is removed. */
static fqp_result fqp__writer_end(fqp_writer *w, int commit, fqp_error *err)
{
    fqp_result r;
    fqp_allocator a;
    if (err) memset(err, 0, sizeof *err);
    if (!w) return FQP_OK;
#ifndef FASTQPAR_NO_ZLIB
    if (commit && (w->zs_ready || w->isal) && !w->err.code) fqp__writer_deflate(w, "", 0, Z_FINISH);
    if (w->zs_ready) deflateEnd(&w->zs);
#endif
    if (commit && w->format == FQP_FORMAT_BGZF) fqp__writer_put(w, fqp__bgzf_eof, sizeof fqp__bgzf_eof);
    if (commit && w->fp && fflush(w->fp) != 0 && !w->err.code)
        fqp__error(&w->err, FQP_ERR_WRITE, w->name, 0, 0, 0, "flush failed: %s", strerror(errno));
    if (w->own_fp && fclose(w->fp) != 0 && commit && !w->err.code)
        fqp__error(&w->err, FQP_ERR_WRITE, w->name, 0, 0, 0, "close failed: %s", strerror(errno));
    if (w->temp) {
        if (commit && !w->err.code && rename(w->temp, w->target) != 0)
            fqp__error(&w->err, FQP_ERR_WRITE, w->name, 0, 0, 0, "cannot rename %s to its name: %s", w->temp,
                       strerror(errno));
        if (!commit || w->err.code) remove(w->temp);
    }
    r = w->err.code;
    fqp__writer_copy_err(w, err);
    fqp__bgzf_end(&w->bgzf);
    a = w->alloc;
#ifndef FASTQPAR_NO_ZLIB
    fqp__free(&a, w->isal);
    fqp__free(&a, w->isal_buf);
#endif
    fqp__free(&a, w->temp);
    fqp__free(&a, w->target);
    fqp__free(&a, w->tmp.data);
    fqp__free(&a, w);
    return r;
}

FASTQPAR_DEF fqp_result fqp_writer_close(fqp_writer *w, fqp_error *err) { return fqp__writer_end(w, 1, err); }

FASTQPAR_DEF void fqp_writer_discard(fqp_writer *w) { (void)fqp__writer_end(w, 0, NULL); }

/* ---- >>paired [optional]: paired and interleaved input ---- */

/* One pair batch: batch k of every file, and its output for each writer.
   Slot i % slots serves batch i; it is free again once batch i is written,
   before file 1's batch i is recycled, so batch i + slots never finds it busy. */
typedef struct fqp__pairslot {
    fqp_pair pub;                     /* first member: fqp_pair* casts to fqp__pairslot* */
    fqp__job job;                     /* FQP__JOB_PAIR */
    struct fqp__paired *owner;
    fqp__batch *b[FQP_MAX_MATES];
    fqp__obuf out[FQP_PAIR_OUTPUTS];  /* text, or BGZF blocks once compressed */
    fqp__obuf zout[FQP_PAIR_OUTPUTS]; /* BGZF: where the blocks are made */
    /* a mate file that ended or broke inside this batch: its error, and the
       pair it is at (UINT64_MAX: none); pairs before it are still checked */
    fqp_error end_err[FQP_MAX_MATES];
    uint64_t end_at[FQP_MAX_MATES];
} fqp__pairslot;

/* A consumer's BGZF compressor, padded: consumers never share a cache line. */
typedef struct fqp__pair_encoder {
    fqp__bgzf z;
    char pad[FQP__CACHE_LINE];
} fqp__pair_encoder;

typedef struct fqp__paired {
    const fqp_paired_desc *desc;
    fqp__run *run;                    /* run->p[k], run->files: the files */
    fqp_allocator alloc;
    size_t nslots;
    fqp__pairslot *slots;
    fqp__ordered order;               /* the slots' output, in input order */
    fqp__pair_encoder *enc;           /* consumer i compresses BGZF output with enc[i]; */
    int nenc;                         /* custom consumers share enc[nenc], under holder_mu */
    fqp__mutex holder_mu;
    int holder_mu_made;
} fqp__paired;

FASTQPAR_DEF fqp_record fqp_pair_record(const fqp_pair *pair, int mate, uint64_t i)
{
    if (pair->interleaved) {
        fqp_record r = fqp_batch_record(pair->batch[0], 2 * i + (uint64_t)mate);
        return r;
    }
    return fqp_batch_record(pair->batch[mate], i);
}

FASTQPAR_DEF fqp_result fqp_pair_write(fqp_pair *pair, int output, const void *text, size_t size)
{
    fqp__pairslot *s = (fqp__pairslot *)pair;
    if (output < 0 || output >= FQP_PAIR_OUTPUTS || !s->owner->desc->output[output]) return FQP_ERR_INVALID_ARGUMENT;
    return fqp__obuf_add(&s->owner->alloc, &s->out[output], text, size);
}

FASTQPAR_DEF fqp_result fqp_pair_write_record(fqp_pair *pair, int output, const fqp_record *r, uint64_t start,
                                              uint64_t end)
{
    fqp__pairslot *s = (fqp__pairslot *)pair;
    const fqp_writer *w;
    fqp__obuf *o;
    uint64_t hl, len, need;
    char *c;
    if (output < 0 || output >= FQP_PAIR_OUTPUTS || !(w = s->owner->desc->output[output]) || start > end ||
        end > r->len)
        return FQP_ERR_INVALID_ARGUMENT;
    o = &s->out[output];
    hl = (uint64_t)(r->comment + r->comment_len - r->name); /* name, blank, comment: one run in the batch */
    len = end - start;
    need = 6 + hl * (w->keep_plus_name ? 2 : 1) + 2 * len;
    if (fqp__reserve(&s->owner->alloc, (void **)&o->data, &o->cap, o->len + need, 1)) return FQP_ERR_NOMEM;
    c = o->data + o->len;
    *c++ = '@';
    memcpy(c, r->name, (size_t)hl);
    c += hl;
    *c++ = '\n';
    memcpy(c, r->seq + start, (size_t)len);
    c += len;
    *c++ = '\n';
    *c++ = '+';
    if (w->keep_plus_name) {
        memcpy(c, r->name, (size_t)hl);
        c += hl;
    }
    *c++ = '\n';
    memcpy(c, r->qual + start, (size_t)len);
    c += len;
    *c++ = '\n';
    o->len += need;
    return FQP_OK;
}

/* A name without a trailing "/1", "/2" or "/3". */
static uint64_t fqp__mate_name_len(const char *name, uint64_t n)
{
    return n >= 2 && name[n - 2] == '/' && name[n - 1] >= '1' && name[n - 1] <= '3' ? n - 2 : n;
}

/* Consumer thread: the first pair whose mate names differ fails the run. */
static fqp_result fqp__pair_check_names(const fqp__pairslot *s, uint64_t *at, fqp_error *e)
{
    const fqp_pair *pr = &s->pub;
    uint64_t i;
    int m;
    for (i = 0; i < pr->count; i++) {
        fqp_record r0 = fqp_pair_record(pr, 0, i);
        uint64_t n0 = fqp__mate_name_len(r0.name, r0.name_len);
        for (m = 1; m < pr->mates; m++) {
            fqp_record rm = fqp_pair_record(pr, m, i);
            uint64_t nm = fqp__mate_name_len(rm.name, rm.name_len);
            char a[200], b[200];
            if (n0 == nm && memcmp(r0.name, rm.name, (size_t)n0) == 0) continue;
            fqp__snippet(a, sizeof a, r0.name, r0.name_len);
            fqp__snippet(b, sizeof b, rm.name, rm.name_len);
            if (pr->interleaved)
                fqp__error(e, FQP_ERR_PAIR_NAME, pr->batch[0]->file, r0.number, 0, 0,
                           "records %llu and %llu are not mates: names \"%s\" and \"%s\" differ",
                           (unsigned long long)r0.number, (unsigned long long)rm.number, a, b);
            else
                fqp__error(e, FQP_ERR_PAIR_NAME, pr->batch[0]->file, r0.number, 0, 0,
                           "record %llu: mate names differ: \"%s\" in %s, \"%s\" in %s",
                           (unsigned long long)r0.number, a, pr->batch[0]->file, b, pr->batch[m]->file);
            *at = i;
            return FQP_ERR_PAIR_NAME;
        }
    }
    return FQP_OK;
}

/* Consumer thread: parses every file's batch and checks mate names. The
   problem earliest in the input fails the run (fqp__fail_at keeps the
   earliest record): names are checked on the pairs before the first record
   that failed validation or where a mate file ended or broke. The pairs
   before the first problem are still processed (as in a single-file run):
   the slot is cut to them. Returns 1 when nothing is left to process. */
static int fqp__pairslot_check(fqp__paired *pp, fqp__pairslot *s)
{
    fqp_producer *p0 = pp->run->p[0];
    fqp_error e[FQP_MAX_MATES], ne;
    uint64_t limit = s->pub.count, at;
    int k, bad[FQP_MAX_MATES], failed = 0;
    for (k = 0; k < pp->run->files; k++) {
        bad[k] = 0;
        if (s->end_at[k] < limit) limit = s->end_at[k];
        if (!s->b[k] || fqp__batch_parse(pp->run->p[k], s->b[k], &e[k]) == FQP_OK) continue;
        bad[k] = 1;
        at = s->pub.interleaved ? s->b[k]->parsed / 2 : s->b[k]->parsed;
        if (at < limit) limit = at;
    }
    if (!pp->desc->no_name_check && s->pub.mates > 1) {
        uint64_t count = s->pub.count;
        s->pub.count = limit; /* only pairs whose records all parsed */
        if (fqp__pair_check_names(s, &at, &ne) != FQP_OK) {
            fqp__fail_at(p0, s->pub.index, &ne);
            limit = at;
            failed = 1;
        }
        s->pub.count = count;
    }
    for (k = 0; k < pp->run->files; k++) {
        if (bad[k]) fqp__fail_at(p0, s->pub.index, &e[k]);
        if (s->end_at[k] != UINT64_MAX) fqp__fail_at(p0, s->pub.index, &s->end_err[k]);
        failed |= bad[k] || s->end_at[k] != UINT64_MAX;
    }
    if (!failed) return 0;
    for (k = 0; k < pp->run->files; k++)
        if (s->b[k]) fqp__batch_cut(s->b[k], s->pub.interleaved ? 2 * limit : limit);
    s->pub.count = limit;
    return limit == 0;
}

/* Hands the slot's batches back to their producers. The slot is not
   touched after the first push: from then on the producer may refill it. */
static void fqp__pairslot_recycle(fqp__paired *pp, fqp__pairslot *s)
{
    fqp__batch *b[FQP_MAX_MATES];
    int k;
    for (k = 0; k < FQP_MAX_MATES; k++) {
        b[k] = s->b[k];
        s->b[k] = NULL;
    }
    for (k = pp->run->files - 1; k >= 0; k--) /* file 1's batch last: it frees the slot */
        if (b[k]) fqp__producer_recycle(pp->run->p[k], b[k]);
}

/* The emitter of the ordered output (fqp__ordered): writes a slot's text
   to every writer, then recycles its batches. */
static fqp_result fqp__pairslot_emit(void *ctx, void *item)
{
    fqp__paired *pp = (fqp__paired *)ctx;
    fqp__pairslot *s = (fqp__pairslot *)item;
    fqp_result r = FQP_OK;
    int k, emits = fqp__producer_emits(pp->run->p[0], s->pub.index);
    for (k = 0; k < FQP_PAIR_OUTPUTS; k++) {
        fqp_writer *w = pp->desc->output[k];
        if (w && s->out[k].len && emits && fqp__writer_take(w, s->out[k].data, (size_t)s->out[k].len) != FQP_OK) {
            fqp__run_fail(pp->run, &w->err);
            r = FQP_ERR_WRITE;
        }
        s->out[k].len = 0;
    }
    fqp__pairslot_recycle(pp, s);
    return r;
}

/* Consumer thread, before release: the text of each output becomes BGZF
   blocks here (in parallel), or is deflated/written by the writer later. */
static fqp_result fqp__pairslot_encode(fqp__bgzf *z, fqp__pairslot *s, fqp_error *e)
{
    int k;
    for (k = 0; k < FQP_PAIR_OUTPUTS; k++) {
        fqp_writer *w = s->owner->desc->output[k];
        if (!w || !s->out[k].len) continue;
        if (w->format == FQP_FORMAT_PLAIN) continue;
        if (w->format == FQP_FORMAT_GZIP) continue; /* one deflate stream: the writer's */
        if (fqp__bgzf_encode(z, w, s->pub.index, &s->out[k], &s->zout[k], e) != FQP_OK)
            return e->code;
    }
    return FQP_OK;
}

/* The lockstep thread (the producer): cuts file 1 as usual, then every
   other file at exactly as many records; checks counts; queues the slot. */
static fqp_result fqp__lockstep_run(fqp__paired *pp)
{
    fqp_producer *p0 = pp->run->p[0];
    const char *name0 = fqp__producer_name(p0);
    int k, ended, files = pp->run->files, interleaved = pp->desc->interleaved;
    fqp_error e;
    fqp_result r;
    for (;;) {
        fqp__batch *b[FQP_MAX_MATES] = {NULL, NULL, NULL};
        fqp__pairslot *s;
        r = fqp__produce(p0, &b[0], 1);
        if (r == FQP_DONE) { /* every other file must end here too */
            uint64_t n0 = fqp__producer_next_record(p0);
            for (k = 1; k < files; k++) {
                fqp_producer *pk = pp->run->p[k];
                fqp__producer_cut(pk, 1, 0);
                r = fqp__produce(pk, &b[k], 1);
                if (r == FQP_OK) {
                    fqp__producer_recycle(pk, b[k]);
                    fqp__error(&e, FQP_ERR_PAIR_COUNT, name0, n0 + 1, 0, 0,
                               "%s ends after %llu records, but %s has more: its record %llu has no mate", name0,
                               (unsigned long long)n0, fqp__producer_name(pk), (unsigned long long)(n0 + 1));
                    fqp__fail_at(p0, fqp__producer_next_index(p0), &e);
                    break;
                }
                if (r != FQP_DONE) {
                    if (r != FQP_ERR_CANCELLED)
                        fqp__fail_at(p0, fqp__producer_next_index(p0), fqp__producer_problem(pk));
                    break;
                }
            }
            r = FQP_OK;
            break;
        }
        if (r != FQP_OK) {
            if (r != FQP_ERR_CANCELLED) fqp__fail_at(p0, fqp__producer_next_index(p0), fqp__producer_problem(p0));
            break;
        }
        s = &pp->slots[b[0]->pub.index % pp->nslots];
        for (k = 0; k < FQP_MAX_MATES; k++) s->end_at[k] = UINT64_MAX;
        ended = 0;
        if (interleaved && b[0]->pub.count % 2) { /* only at the end */
            uint64_t n = b[0]->pub.first_record + b[0]->pub.count;
            if (fqp__producer_broken(p0)) s->end_err[0] = *fqp__producer_problem(p0);
            else
                fqp__error(&s->end_err[0], FQP_ERR_PAIR_COUNT, name0, n, 0, 0,
                           "odd number of records (%llu) in interleaved input: record %llu has no mate",
                           (unsigned long long)n, (unsigned long long)n);
            s->end_at[0] = b[0]->pub.count / 2;
            ended = 1;
        }
        /* Every mate file is cut at file 1's count. One that ends or breaks
           sooner still comes along, so that its pairs before that point are
           checked: the first problem in the input is the one reported,
           whatever the batch limits. */
        for (k = 1; k < files && r == FQP_OK; k++) {
            fqp_producer *pk = pp->run->p[k];
            uint64_t have = 0;
            fqp__producer_cut(pk, b[0]->pub.count, 0);
            r = fqp__produce(pk, &b[k], 1);
            if (r == FQP_ERR_CANCELLED) break;
            if (r == FQP_OK) have = b[k]->pub.count;
            if (r == FQP_OK && have == b[0]->pub.count) continue; /* a held-back error: next batch */
            if ((r == FQP_OK && fqp__producer_broken(pk)) || (r != FQP_OK && r != FQP_DONE)) {
                s->end_err[k] = *fqp__producer_problem(pk); /* the mate file is malformed: its own error */
            } else {
                uint64_t n = b[0]->pub.first_record + have;
                fqp__error(&s->end_err[k], FQP_ERR_PAIR_COUNT, fqp__producer_name(pk), n + 1, 0, 0,
                           "%s ends after %llu records, but %s has more: its record %llu has no mate",
                           fqp__producer_name(pk), (unsigned long long)n, name0, (unsigned long long)(n + 1));
            }
            s->end_at[k] = have;
            r = FQP_OK;
            ended = 1;
        }
        if (r != FQP_OK) {
            for (k = 0; k < files; k++)
                if (b[k]) fqp__producer_recycle(pp->run->p[k], b[k]);
            break;
        }
        s->pub.index = b[0]->pub.index;
        s->pub.interleaved = interleaved;
        s->pub.count = interleaved ? b[0]->pub.count / 2 : b[0]->pub.count;
        s->pub.first_pair = interleaved ? b[0]->pub.first_record / 2 : b[0]->pub.first_record;
        s->pub.mates = interleaved ? 2 : files;
        for (k = 0; k < FQP_MAX_MATES; k++) {
            s->b[k] = b[k];
            s->pub.batch[k] = b[k] ? &b[k]->pub : NULL;
        }
        if (interleaved) s->pub.batch[1] = s->pub.batch[0];
        for (k = 0; k < FQP_PAIR_OUTPUTS; k++) s->out[k].len = 0;
        if (fqp__producer_queue_job(p0, &s->job) != FQP_OK) {
            r = FQP_ERR_CANCELLED; /* the batches stay in their pools */
            break;
        }
        if (ended) break; /* the consumer of that slot reports the error */
    }
    fqp__producer_close(p0); /* consumers drain what came before */
    return r;
}

static fqp_result fqp__paired_produce(fqp__run *run) { return fqp__lockstep_run((fqp__paired *)run->ctx); }

/* Consumer thread: a pair slot through process(), then its ordered output. */
static fqp_result fqp__pair_job(fqp__worker *w, fqp__job *job, double t_popped)
{
    fqp__run *run = w->run;
    fqp__pairslot *s = FQP__OWNER(job, fqp__pairslot, job);
    fqp__paired *pp = s->owner;
    fqp_producer *p0 = run->p[0];
    fqp_error e;
    int k, reported = 0;
    /* after the error point, or nothing left once checked: written as empty */
    if (!fqp__producer_skips(p0, s->pub.index) && !fqp__pairslot_check(pp, s)) {
        fqp_result r = run->process_pair(&s->pub, w->state, run->user);
        w->m.busy_seconds += fqp__now() - t_popped;
        w->m.batches++;
        w->m.records += s->pub.count;
        for (k = 0; k < run->files; k++) {
            w->m.bases += s->b[k]->pub.bases;
            reported |= s->b[k]->error_reported;
            if (k && s->b[k]->error_reported && fqp_producer_error(run->p[k], &e) < 0)
                fqp__fail_at(p0, s->pub.index, &e); /* file 1's producer holds the run's error */
        }
        if (r == FQP_STOP) {
            fqp__run_stop(run, s->pub.index);
            fqp__ordered_release(&pp->order, s->pub.index, s);
            return FQP_STOP;
        }
        if (r < 0 && !reported) {
            fqp__error(&e, r, fqp__producer_name(p0), s->pub.first_pair + 1, 0, 0,
                       "consumer %d: process() failed on pair batch %llu (pairs %llu-%llu): %s", w->index,
                       (unsigned long long)s->pub.index, (unsigned long long)(s->pub.first_pair + 1),
                       (unsigned long long)(s->pub.first_pair + s->pub.count), fqp_result_string(r));
            fqp__fail_at(p0, s->pub.index, &e);
        }
        if (r >= 0 && fqp__pairslot_encode(&pp->enc[w->index].z, s, &e) != FQP_OK) fqp__run_fail(run, &e);
    }
    return fqp__ordered_release(&pp->order, s->pub.index, s);
}

/* The holder calls (GPU consumers): a pair slot taken, handed back or
   finished instead of going through process(). */
FASTQPAR_DEF fqp_result fqp_producer_take_pair(fqp_producer *p, fqp_pair **pair, int block)
{
    *pair = NULL;
    if (!p->pairs) return FQP_ERR_INVALID_ARGUMENT;
    for (;;) {
        void *item = NULL;
        fqp_result r = block ? fqp_queue_pop(p->queue, &item) : fqp_queue_try_pop(p->queue, &item);
        fqp__pairslot *s;
        if (r == FQP_DONE || r == FQP_AGAIN) return r;
        if (r != FQP_OK) return fqp__end_code(p);
        if (fqp__job_internal(p, (fqp__job *)item)) continue;
        s = FQP__OWNER((fqp__job *)item, fqp__pairslot, job);
        /* as fqp__pair_job: after the error point, or nothing left once checked: written as empty */
        if (fqp__producer_skips(p, s->pub.index) || fqp__pairslot_check(s->owner, s)) {
            fqp__ordered_release(&s->owner->order, s->pub.index, s);
            continue;
        }
        *pair = &s->pub;
        return FQP_OK;
    }
}

FASTQPAR_DEF fqp_result fqp_producer_requeue_pair(fqp_producer *p, fqp_pair *pair)
{
    fqp__pairslot *s = (fqp__pairslot *)pair;
    fqp_result r;
    int k;
    if (!s || !p->pairs) return FQP_ERR_INVALID_ARGUMENT;
    for (k = 0; k < FQP_PAIR_OUTPUTS; k++) s->out[k].len = 0;
    r = fqp__queue_push_front(p->queue, &s->job);
    fqp__lock(&p->mu);
    fqp__broadcast(&p->holders_cv);
    fqp__unlock(&p->mu);
    return r;
}

FASTQPAR_DEF fqp_result fqp_producer_release_pair(fqp_producer *p, fqp_pair *pair)
{
    fqp__pairslot *s = (fqp__pairslot *)pair;
    fqp__paired *pp;
    fqp_error e;
    fqp_result r;
    if (!s || !p->pairs) return FQP_ERR_INVALID_ARGUMENT;
    pp = s->owner;
    fqp__lock(&pp->holder_mu); /* one encoder for every holder */
    r = fqp__pairslot_encode(&pp->enc[pp->nenc].z, s, &e);
    fqp__unlock(&pp->holder_mu);
    if (r != FQP_OK) fqp__run_fail(pp->run, &e);
    return fqp__ordered_release(&pp->order, s->pub.index, s);
}

/* file 1 stopped or failed (maybe from a holder): the other files stop too */
static void fqp__paired_end(void *pairs)
{
    fqp__paired *pp = (fqp__paired *)pairs;
    int k;
    for (k = 1; k < pp->run->files; k++) fqp__producer_cancel(pp->run->p[k]);
}

static int fqp__input_set(const fqp_input_desc *in) { return in->path || in->file || in->data || in->read; }

FASTQPAR_DEF fqp_result fqp_paired_run(const fqp_paired_desc *desc, fqp_metrics *metrics, fqp_error *err)
{
    fqp__paired pp;
    fqp__run run;
    size_t i;
    int k, files = 0;
    fqp_result r = FQP_OK;
    if (err) memset(err, 0, sizeof *err);
    memset(&pp, 0, sizeof pp);
    memset(&run, 0, sizeof run);
    if (!desc || !desc->process)
        return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0, "paired run needs a process() callback");
    while (files < FQP_MAX_MATES && fqp__input_set(&desc->input[files])) files++;
    for (k = files; k < FQP_MAX_MATES; k++)
        if (fqp__input_set(&desc->input[k]))
            return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0, "input %d is set but input %d is not",
                              k + 1, files + 1);
    if (files == 0 || (desc->interleaved && files != 1))
        return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0,
                          desc->interleaved ? "interleaved input is one file (input[0] only)" : "no input given");
    if (desc->custom_count < 0 || (desc->custom_count > 0 && !desc->custom))
        return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0, "custom_count without custom consumers");
    for (k = 0; k < files; k++)
        if (desc->input[k].shard_count > 1)
            return fqp__error(err, FQP_ERR_INVALID_ARGUMENT, NULL, 0, 0, 0,
                              "input %d: paired runs cannot be sharded by bytes (the mates would not stay "
                              "together); shard pairs of files by file", k + 1);
    pp.desc = desc;
    pp.run = &run;
    for (k = 0; k < files; k++) {
        fqp_producer_desc pd;
        int c;
        memset(&pd, 0, sizeof pd);
        pd.input = desc->input[k];
        pd.config = desc->config;
        for (c = 0; c < desc->custom_count; c++) /* a held pair holds a batch of every file */
            pd.held_batches += desc->custom[c].max_held ? desc->custom[c].max_held : 2;
        if ((r = fqp_producer_create(&run.p[k], &pd, err)) != FQP_OK) goto done;
        run.files = k + 1;
    }
    pp.alloc = fqp__producer_config(run.p[0])->allocator;
    if (desc->interleaved) fqp__producer_cut(run.p[0], 0, 2);
    pp.nslots = fqp__producer_pool(run.p[0]);
    /* custom consumers use up the thread budget; one CPU consumer always runs */
    pp.nenc = fqp__producer_config(run.p[0])->threads - desc->custom_count;
    if (pp.nenc < 1) pp.nenc = 1;
    pp.slots = (fqp__pairslot *)fqp__calloc(&pp.alloc, pp.nslots * sizeof *pp.slots);
    pp.enc = (fqp__pair_encoder *)fqp__calloc(&pp.alloc, (size_t)(pp.nenc + 1) * sizeof *pp.enc);
    if (!(pp.holder_mu_made = fqp__mutex_init(&pp.holder_mu))) {
        r = fqp__error(err, FQP_ERR_THREAD, NULL, 0, 0, 0, "cannot create a mutex");
        goto done;
    }
    if (!pp.slots || !pp.enc) {
        r = fqp__error(err, FQP_ERR_NOMEM, NULL, 0, 0, 0, "out of memory for %d consumers",
                       fqp__producer_config(run.p[0])->threads);
        goto done;
    }
    if ((r = fqp__ordered_init(&pp.order, &pp.alloc, pp.nslots, fqp__pairslot_emit, &pp)) != FQP_OK) {
        fqp__error(err, r, NULL, 0, 0, 0, r == FQP_ERR_NOMEM ? "out of memory" : "cannot create a mutex");
        goto done;
    }
    for (i = 0; i < pp.nslots; i++) {
        pp.slots[i].owner = &pp;
        pp.slots[i].job.kind = FQP__JOB_PAIR;
    }
    for (k = 0; k <= pp.nenc; k++) pp.enc[k].z.alloc = &pp.alloc;
    fqp__producer_set_pairs(run.p[0], &pp, fqp__paired_end);
    run.custom = desc->custom;
    run.custom_count = desc->custom_count;
    run.produce = fqp__paired_produce;
    run.ctx = &pp;
    run.process_pair = desc->process;
    run.init = desc->init;
    run.merge = desc->merge;
    run.fini = desc->fini;
    run.state_size = desc->state_size;
    run.user = desc->user;
    r = fqp__run_go(&run, pp.nenc, metrics, err);
done:
    if (pp.slots)
        for (i = 0; i < pp.nslots; i++)
            for (k = 0; k < FQP_PAIR_OUTPUTS; k++) {
                fqp__free(&pp.alloc, pp.slots[i].out[k].data);
                fqp__free(&pp.alloc, pp.slots[i].zout[k].data);
            }
    for (k = 0; pp.enc && k <= pp.nenc; k++) fqp__bgzf_end(&pp.enc[k].z);
    if (pp.holder_mu_made) fqp__mutex_destroy(&pp.holder_mu);
    fqp__ordered_free(&pp.order, &pp.alloc);
    fqp__free(&pp.alloc, pp.enc);
    fqp__free(&pp.alloc, pp.slots);
    for (k = 0; k < run.files; k++) fqp_producer_destroy(run.p[k]);
    return r;
}

/* ---- >>twins [optional]: per-read kernels, CPU twins of kernels.cu ----
   Each loop mirrors its kernel's definition; the GPU splits the same sums
   across lanes, which integer addition does not notice. */

#define FQP__PHRED(c) ((c) < 33u ? 0u : (c) > 126u ? 93u : (unsigned)(c) - 33u)
#define FQP__QC_CELLS (FQP_QC_QUALS + 5u) /* fqp_qc_add_batch's table cells per position */

/* 0 A/a, 1 C/c, 2 G/g, 3 T/t, 4 anything else */
static const unsigned char fqp__base_code[256] = {
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 0, 4, 1, 4, 4, 4, 2, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 0, 4, 1, 4, 4, 4, 2, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4
};

/* FQP__PHRED as a table: one load per base in the QC loops. */
#define FQP__P1(c) (unsigned char)FQP__PHRED(c) /* the cast: clang checks the branch not taken too */
#define FQP__P4(c) FQP__P1(c), FQP__P1((c) + 1u), FQP__P1((c) + 2u), FQP__P1((c) + 3u)
#define FQP__P16(c) FQP__P4(c), FQP__P4((c) + 4u), FQP__P4((c) + 8u), FQP__P4((c) + 12u)
#define FQP__P64(c) FQP__P16(c), FQP__P16((c) + 16u), FQP__P16((c) + 32u), FQP__P16((c) + 48u)
static const unsigned char fqp__phred[256] = {FQP__P64(0u), FQP__P64(64u), FQP__P64(128u), FQP__P64(192u)};
#undef FQP__P64
#undef FQP__P16
#undef FQP__P4
#undef FQP__P1

/* Sum of the Phred scores and number of G/C (either case) of s, q [0, n):
   SSE2 16 bytes at a time (byte sums with SAD; the scores only when every
   byte is in '!'..'~', where the score is the byte - 33), else scalar. */
static void fqp__read_sums(const unsigned char *s, const unsigned char *q, uint64_t n, uint64_t *qsum,
                           uint64_t *gc)
{
    uint64_t k = 0, j, sq = 0, g = 0;
#ifdef FQP__SSE2
    const __m128i zero = _mm_setzero_si128(), lower = _mm_set1_epi8(0x20), cg = _mm_set1_epi8('c'),
                  gg = _mm_set1_epi8('g');
    __m128i acc = zero, cnt = zero, vlo = _mm_set1_epi8(-1), vhi = zero;
    uint64_t v[2];
    for (; k + 16 <= n; k += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(q + k));
        __m128i f = _mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(s + k)), lower);
        acc = _mm_add_epi64(acc, _mm_sad_epu8(x, zero));
        vlo = _mm_min_epu8(vlo, x);
        vhi = _mm_max_epu8(vhi, x);
        cnt = _mm_add_epi64(cnt, _mm_sad_epu8(_mm_sub_epi8(zero, _mm_or_si128(_mm_cmpeq_epi8(f, cg),
                                                                              _mm_cmpeq_epi8(f, gg))), zero));
    }
    _mm_storeu_si128((__m128i *)(void *)v, acc);
    sq = v[0] + v[1] - 33 * k;
    _mm_storeu_si128((__m128i *)(void *)v, cnt);
    g = v[0] + v[1];
    /* every byte in '!'..'~' (as in fqp__copy_quality): max(lo, 33) == lo, min(hi, 126) == hi */
    if (k && _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(_mm_max_epu8(vlo, _mm_set1_epi8(33)), vlo),
                                             _mm_cmpeq_epi8(_mm_min_epu8(vhi, _mm_set1_epi8(126)), vhi))) !=
                 0xFFFF) { /* a score is clamped: the table decides */
        sq = 0;
        for (j = 0; j < k; j++) sq += fqp__phred[q[j]];
    }
#endif
    for (j = k; j < n; j++) {
        unsigned bc = fqp__base_code[s[j]];
        sq += fqp__phred[q[j]];
        g += bc - 1u < 2u;
    }
    *qsum += sq;
    *gc += g;
}

FASTQPAR_DEF void fqp_qual_prefix_sum(const fqp_batch *b, uint64_t *out)
{
    const unsigned char *q = (const unsigned char *)b->qual;
    uint64_t i;
    for (i = 0; i < b->count; i++) {
        uint64_t k = b->seq_off[i], e = b->seq_off[i + 1], sum = 0;
        for (; k < e; k++) {
            sum += FQP__PHRED(q[k]);
            out[k] = sum;
        }
    }
}

FASTQPAR_DEF uint64_t fqp_qc_words(uint32_t max_pos)
{
    return 204 + 102 * FQP_QC_BINS(max_pos);
}

FASTQPAR_DEF fqp_result fqp_qc_init(fqp_qc *qc, uint32_t max_pos, const fqp_allocator *a)
{
    if (!qc) return FQP_ERR_INVALID_ARGUMENT;
    memset(qc, 0, sizeof *qc);
    if (a) qc->allocator = *a;
    qc->max_pos = max_pos ? max_pos : FQP_QC_DEFAULT_MAX_POS;
    qc->words = fqp_qc_words(qc->max_pos);
    if (qc->words > (uint64_t)SIZE_MAX / sizeof(uint64_t)) return FQP_ERR_NOMEM;
    qc->counts = (uint64_t *)fqp__calloc(&qc->allocator, (size_t)qc->words * sizeof(uint64_t));
    return qc->counts ? FQP_OK : FQP_ERR_NOMEM;
}

FASTQPAR_DEF void fqp_qc_free(fqp_qc *qc)
{
    if (!qc) return;
    fqp__free(&qc->allocator, qc->counts);
    fqp__free(&qc->allocator, qc->scratch);
    qc->counts = NULL;
    qc->scratch = NULL;
}

FASTQPAR_DEF void fqp_qc_add_counts(fqp_qc *qc, const uint64_t *counts)
{
    uint64_t i;
    if (!qc || !qc->counts || !counts) return;
    for (i = 0; i < qc->words; i++) qc->counts[i] += counts[i];
}

/* Reads [from, to) of the batch, straight into the counters. Positions
   below max_pos update their own bins directly (distinct addresses, no
   dependency between iterations). Positions >= max_pos share one bin:
   sums stay in registers and the quality histogram goes to four
   interleaved local copies, so a run of equal qualities in a long read is
   not one long chain of increments of the same counter. With `tab` (the
   batched path below) a base below max_pos only counts its quality and
   its kind in tab; everything else is counted here as without it. */
static void fqp__qc_add_reads(fqp_qc *qc, const fqp_batch *b, uint64_t from, uint64_t to, uint16_t *tab)
{
    uint64_t mp, *c, *qsum, *cnt, *lenh, *base, *qual;
    uint64_t tail_q[4][FQP_QC_QUALS];
    uint64_t tail_sum = 0, tail_n = 0, tail_b[5] = {0, 0, 0, 0, 0}, nb[5] = {0, 0, 0, 0, 0};
    uint64_t q20 = 0, q30 = 0, bases = 0, i;
    const unsigned char *seq, *qv;
    int tail = 0;
    mp = qc->max_pos;
    c = qc->counts;
    qsum = c + FQP_QC_POS_QSUM(mp, 0);
    cnt = c + FQP_QC_POS_COUNT(mp, 0);
    lenh = c + FQP_QC_LEN(mp, 0);
    base = c + FQP_QC_POS_BASE(mp, 0, 0);
    qual = c + FQP_QC_POS_QUAL(mp, 0, 0);
    seq = (const unsigned char *)b->seq;
    qv = (const unsigned char *)b->qual;
    for (i = from; i < to; i++) {
        const uint64_t off = b->seq_off[i], len = b->seq_off[i + 1] - off, body = len < mp ? len : mp;
        const unsigned char *s = seq + off, *q = qv + off;
        uint64_t p, rq = 0, na = 0, nc = 0, ng = 0, nt = 0, gc_body = 0;
        if (tab) { /* qualities and kinds by position, and the read's own sums */
            uint16_t *tq = tab, *tb = tab + FQP_QC_QUALS * mp;
            for (p = 0; p < body; p++, tq += FQP_QC_QUALS, tb += 5) {
                tq[fqp__phred[q[p]]]++;
                tb[fqp__base_code[s[p]]]++;
            }
            fqp__read_sums(s, q, body, &rq, &gc_body);
            p = body; /* the direct loop below has nothing to do */
        } else {
            p = 0;
        }
        for (; p < body; p++) {
            const unsigned qq = FQP__PHRED(q[p]), bc = fqp__base_code[s[p]];
            rq += qq;
            qsum[p] += qq;
            cnt[p]++;
            base[5 * p + bc]++;
            qual[FQP_QC_QUALS * p + qq]++;
            q20 += qq >= 20;
            q30 += qq >= 30;
            na += bc == 0;
            nc += bc == 1;
            ng += bc == 2;
            nt += bc == 3;
        }
        if (len > mp) {
            const uint64_t a0 = na, c0 = nc, g0 = ng, t0 = nt;
            uint64_t tq = 0;
            if (!tail) {
                memset(tail_q, 0, sizeof tail_q);
                tail = 1;
            }
            for (p = mp; p < len; p++) {
                const unsigned qq = FQP__PHRED(q[p]), bc = fqp__base_code[s[p]];
                tq += qq;
                tail_q[p & 3][qq]++;
                q20 += qq >= 20;
                q30 += qq >= 30;
                na += bc == 0;
                nc += bc == 1;
                ng += bc == 2;
                nt += bc == 3;
            }
            rq += tq;
            tail_sum += tq;
            tail_n += len - mp;
            tail_b[0] += na - a0;
            tail_b[1] += nc - c0;
            tail_b[2] += ng - g0;
            tail_b[3] += nt - t0;
            tail_b[4] += (len - mp) - ((na - a0) + (nc - c0) + (ng - g0) + (nt - t0));
        }
        nb[0] += na; /* with tab: the tail's bases only, the fold counts the rest */
        nb[1] += nc;
        nb[2] += ng;
        nb[3] += nt;
        nb[4] += len - (tab ? body : 0) - (na + nc + ng + nt);
        nc += gc_body;
        bases += len;
        lenh[body]++;
        if (len) {
            c[FQP_QC_MEANQ(rq / len)]++;
            c[FQP_QC_GC(100 * (nc + ng) / len)]++;
        }
    }
    c[FQP_QC_READS] += to - from;
    c[FQP_QC_BASES] += bases;
    c[FQP_QC_Q20] += q20;
    c[FQP_QC_Q30] += q30;
    for (i = 0; i < 5; i++) c[FQP_QC_A + i] += nb[i];
    if (tail) {
        qsum[mp] += tail_sum;
        cnt[mp] += tail_n;
        for (i = 0; i < 5; i++) base[5 * mp + i] += tail_b[i];
        for (i = 0; i < FQP_QC_QUALS; i++)
            qual[FQP_QC_QUALS * mp + i] += tail_q[0][i] + tail_q[1][i] + tail_q[2][i] + tail_q[3][i];
    }
}

/* A batch of many short reads: each base below max_pos increments two
   16-bit counters of small per-batch tables (quality and kind by position:
   28 KiB for 150 bp reads, so they stay in L1) instead of four 64-bit ones
   spread over 120 KiB, and the tables are folded into the counters (sums,
   counts, histograms, Q20/Q30 and base totals) once per batch. Worth it
   when the batch has many more bases below max_pos than the tables have
   cells; otherwise (long reads) the direct loop runs. The counters come
   out the same either way. */
FASTQPAR_DEF void fqp_qc_add_batch(fqp_qc *qc, const fqp_batch *b)
{
    const uint64_t chunk = 65535; /* reads per fold: no 16-bit cell overflows */
    uint64_t mp, i, maxbody = 0, body_bases = 0, from;
    if (!qc || !qc->counts || !b) return;
    mp = qc->max_pos;
    for (i = 0; i < b->count; i++) {
        uint64_t len = b->seq_off[i + 1] - b->seq_off[i], body = len < mp ? len : mp;
        body_bases += body;
        if (body > maxbody) maxbody = body;
    }
    if (body_bases < 2 * FQP__QC_CELLS * maxbody) {
        fqp__qc_add_reads(qc, b, 0, b->count, NULL);
        return;
    }
    if (!qc->scratch) {
        qc->scratch = (uint16_t *)fqp__calloc(&qc->allocator, (size_t)FQP__QC_CELLS * mp * sizeof(uint16_t));
        if (!qc->scratch) { /* the direct loop needs no memory */
            fqp__qc_add_reads(qc, b, 0, b->count, NULL);
            return;
        }
    }
    for (from = 0; from < b->count; from += chunk) {
        uint64_t to = b->count - from < chunk ? b->count : from + chunk, p, *c = qc->counts;
        uint64_t q20 = 0, q30 = 0, nb[5] = {0, 0, 0, 0, 0};
        fqp__qc_add_reads(qc, b, from, to, qc->scratch);
        for (p = 0; p < maxbody; p++) { /* fold, and leave the tables zeroed */
            uint16_t *tq = qc->scratch + FQP_QC_QUALS * p, *tb = qc->scratch + FQP_QC_QUALS * mp + 5 * p;
            uint64_t qs = 0, n = 0;
            unsigned qq, bc;
            for (qq = 0; qq < FQP_QC_QUALS; qq++) {
                uint64_t v = tq[qq];
                if (!v) continue;
                tq[qq] = 0;
                c[FQP_QC_POS_QUAL(mp, p, qq)] += v;
                qs += qq * v;
                n += v;
                q20 += qq >= 20 ? v : 0;
                q30 += qq >= 30 ? v : 0;
            }
            c[FQP_QC_POS_QSUM(mp, p)] += qs;
            c[FQP_QC_POS_COUNT(mp, p)] += n;
            for (bc = 0; bc < 5; bc++) {
                c[FQP_QC_POS_BASE(mp, p, bc)] += tb[bc];
                nb[bc] += tb[bc];
                tb[bc] = 0;
            }
        }
        c[FQP_QC_Q20] += q20;
        c[FQP_QC_Q30] += q30;
        for (p = 0; p < 5; p++) c[FQP_QC_A + p] += nb[p];
    }
}

/* BWA's rule (see fqp_trim_desc) at thr: the 3' cut; rev: the read
   mirrored, so len minus the result is the 5' cut. */
static uint64_t fqp__trim_bwa(const unsigned char *q, uint64_t len, int thr, int rev)
{
    int64_t s = 0, best = 0;
    uint64_t k = len, end = len;
    while (k > 0) {
        k--;
        s += thr - (int64_t)FQP__PHRED(q[rev ? len - 1 - k : k]);
        if (s < 0) break;
        if (s > best) {
            best = s;
            end = k;
        }
    }
    return end;
}

/* The trimming score of base k: an N is Q0 for the window rule (Trimmomatic). */
#define FQP__TRIM_Q(s, q, k) ((s) && (s)[k] == 'N' ? 0u : FQP__PHRED((q)[k]))

/* The kept interval of one read (see fqp_trim_desc for the two rules);
   s (the bases) may be NULL. */
static void fqp__trim(const unsigned char *s, const unsigned char *q, uint64_t len, const fqp_trim_desc *d,
                      uint64_t *start, uint64_t *end)
{
    const int thr = d->threshold < 0 ? 0 : d->threshold > 94 ? 94 : d->threshold;
    *start = 0;
    *end = len;
    if (d->mode == FQP_TRIM_BWA) {
        const int thr5 = d->threshold5 < 0 ? 0 : d->threshold5 > 94 ? 94 : d->threshold5;
        *end = fqp__trim_bwa(q, len, thr, 0);
        if (thr5 > 0) {
            *start = len - fqp__trim_bwa(q, len, thr5, 1);
            if (*start >= *end) *start = *end = 0;
        }
        return;
    }
    if (d->mode == FQP_TRIM_WINDOW) {
        const uint64_t w = d->window > 0 ? (uint64_t)d->window : FQP_TRIM_DEFAULT_WINDOW;
        const uint64_t need = (uint64_t)thr * w;
        uint64_t sum = 0, k, e = len;
        *end = 0;
        if (len < w) return;
        for (k = 0; k < w; k++) sum += FQP__TRIM_Q(s, q, k);
        if (sum < need) return;
        for (k = 1; k <= len - w; k++) {
            sum += FQP__TRIM_Q(s, q, k + w - 1);
            sum -= FQP__TRIM_Q(s, q, k - 1);
            if (sum < need) {
                e = k - 1 + w;
                break;
            }
        }
        while (e > 0 && FQP__TRIM_Q(s, q, e - 1) < (unsigned)thr) e--;
        *end = e;
    }
}

FASTQPAR_DEF void fqp_trim_read(const char *seq, const char *qual, uint64_t len, const fqp_trim_desc *d,
                                uint64_t *start, uint64_t *end)
{
    *start = 0;
    *end = len;
    if (d) fqp__trim((const unsigned char *)seq, (const unsigned char *)qual, len, d, start, end);
}

FASTQPAR_DEF void fqp_trim_batch(const fqp_batch *b, const fqp_trim_desc *d, uint64_t *start_end)
{
    const unsigned char *q = (const unsigned char *)b->qual, *s = (const unsigned char *)b->seq;
    uint64_t i;
    for (i = 0; i < b->count; i++) {
        const uint64_t off = b->seq_off[i], len = b->seq_off[i + 1] - off;
        start_end[2 * i] = 0;
        start_end[2 * i + 1] = len;
        if (d) fqp__trim(s + off, q + off, len, d, &start_end[2 * i], &start_end[2 * i + 1]);
    }
}

#endif /* FASTQPAR_IMPLEMENTATION */

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
