/* fqprogress.h - the progress line of the example tools (fqstats, fqtrim).

   The input is opened here and handed to fastqpar as a read callback that
   counts the compressed bytes read, so the line can say how far into the
   file the run is and when it should end: "fqtrim: 12.3 / 45.6 MB read
   (27%), 812345 reads/s, ETA 0:41" (the ETA only when the size is known:
   regular files). It is printed only when stderr is a terminal and the run
   has lasted 2 s, at most once a second, by whichever consumer thread
   finishes a batch then (no extra thread); `force` set by the tool before
   fqx_start prints it anyway, from the first batch (`--progress`), and
   `force` < 0 never. At the end the line is erased ("\r", clear to the end
   of the line), so no stale progress is left above what the tool prints
   next. Needs _POSIX_C_SOURCE (isatty, fileno, fstat). */
#ifndef FQPROGRESS_H
#define FQPROGRESS_H

#include "fastqpar.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { FQX_MAX_SOURCES = 3 };

typedef struct fqx_source {
    FILE *fp;
    uint64_t size;                 /* 0: not a regular file (pipe, terminal) */
    _Atomic uint64_t bytes;        /* written by the producer thread */
} fqx_source;

typedef struct fqx_progress {
    const char *tool;
    int force;                     /* set by the tool: 1 always print, -1 never, 0 on a terminal */
    int on;                        /* print: stderr is a terminal, or forced */
    double start;
    fqx_source src[FQX_MAX_SOURCES];
    int sources;
    _Atomic uint64_t reads;
    _Atomic long long last_ms;     /* the thread that advances it prints */
    _Atomic int printed;           /* a line is on screen: fqx_finish erases it */
} fqx_progress;

static double fqx_now(void)
{
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Producer thread: fastqpar's read callback. */
static int64_t fqx_read(void *user, void *buf, size_t size)
{
    fqx_source *s = (fqx_source *)user;
    size_t n = fread(buf, 1, size, s->fp);
    if (n == 0 && ferror(s->fp)) return -1;
    atomic_fetch_add(&s->bytes, (uint64_t)n);
    return (int64_t)n;
}

/* Producer thread, on a damaged gzip member: back to `offset` (regular
   files only), so that zlib can inflate it again (fastqpar's seek callback). */
static int fqx_seek(void *user, uint64_t offset)
{
    fqx_source *s = (fqx_source *)user;
    if (offset > (uint64_t)INT64_MAX || fseeko(s->fp, (off_t)offset, SEEK_SET) != 0) return -1;
    atomic_store(&s->bytes, offset);
    return 0;
}

/* Opens path ("-": stdin) as the next source and points `in` at it.
   0, or -1 with the message "<path>: cannot open: <reason>" in msg. */
static int fqx_open(fqx_progress *p, const char *path, fqp_input_desc *in, char *msg, size_t msg_size)
{
    fqx_source *s = &p->src[p->sources];
    struct stat st;
    if (p->sources == FQX_MAX_SOURCES) {
        snprintf(msg, msg_size, "%s: too many inputs", path);
        return -1;
    }
    memset(in, 0, sizeof *in);
    if (strcmp(path, "-") == 0) {
        s->fp = stdin;
    } else if (!(s->fp = fopen(path, "rb"))) {
        snprintf(msg, msg_size, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fileno(s->fp), &st) == 0 && S_ISDIR(st.st_mode)) { /* fopen takes one; reading it fails */
        snprintf(msg, msg_size, "%s: cannot open: it is a directory", path);
        if (s->fp != stdin) fclose(s->fp);
        return -1;
    }
    s->size = fstat(fileno(s->fp), &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
    atomic_store(&s->bytes, 0);
    p->sources++;
    in->read = fqx_read;
    in->read_user = s;
    if (s->size && s->fp != stdin) in->seek = fqx_seek; /* a regular file can go back */
    in->name = s->fp == stdin ? "<stdin>" : path;
    return 0;
}

/* After fqx_open: the library reads the stream itself (a shard seeks and
   reads where it needs, which a read callback cannot); the progress line
   then counts reads, not bytes. */
static inline void fqx_direct(fqp_input_desc *in)
{
    fqx_source *s = (fqx_source *)in->read_user;
    in->file = s->fp;
    in->read = NULL;
    in->seek = NULL;
    in->read_user = NULL;
    s->size = 0;
}

/* Before the run. */
static void fqx_start(fqx_progress *p, const char *tool)
{
    p->tool = tool;
    p->on = p->force > 0 || (p->force == 0 && isatty(fileno(stderr)));
    p->start = fqx_now();
    atomic_store(&p->reads, 0);
    atomic_store(&p->last_ms, p->force > 0 ? -1000 : 0); /* forced: the first batch prints */
    atomic_store(&p->printed, 0);
}

/* "0:07", "12:34", "1:02:03": seconds left as m:ss, or h:mm:ss from an hour. */
static void fqx_clock(char *out, size_t size, double seconds)
{
    unsigned long long s = seconds < 0 ? 0 : seconds > 3.6e8 ? 360000000ull : (unsigned long long)(seconds + 0.5);
    if (s >= 3600) snprintf(out, size, "%llu:%02llu:%02llu", s / 3600, s / 60 % 60, s % 60);
    else snprintf(out, size, "%llu:%02llu", s / 60, s % 60);
}

/* Consumer threads, after each batch. */
static void fqx_add(fqx_progress *p, uint64_t reads)
{
    double t;
    long long ms, last;
    uint64_t bytes = 0, size = 0, done;
    int i;
    if (!p->on) return;
    done = atomic_fetch_add(&p->reads, reads) + reads;
    t = fqx_now() - p->start;
    ms = (long long)(t * 1000);
    last = atomic_load(&p->last_ms);
    if ((p->force <= 0 && t < 2) || ms - last < 1000 || !atomic_compare_exchange_strong(&p->last_ms, &last, ms))
        return;
    for (i = 0; i < p->sources; i++) {
        bytes += atomic_load(&p->src[i].bytes);
        size += p->src[i].size;
    }
    if (size && bytes <= size) {
        char eta[32] = "";
        if (bytes > 0) { /* the rest at the rate so far */
            memcpy(eta, ", ETA ", 6);
            fqx_clock(eta + 6, sizeof eta - 6, t * (double)(size - bytes) / (double)bytes);
        }
        fprintf(stderr, "\r%s: %.1f / %.1f MB read (%.0f%%), %.0f reads/s%s\033[K", p->tool, (double)bytes / 1e6,
                (double)size / 1e6, 100.0 * (double)bytes / (double)size, t > 0 ? (double)done / t : 0.0, eta);
    } else {
        fprintf(stderr, "\r%s: %.1f MB read, %.0f reads/s\033[K", p->tool, (double)bytes / 1e6,
                t > 0 ? (double)done / t : 0.0);
    }
    atomic_store(&p->printed, 1);
}

/* After the run: erases the line if one was printed ("\r", then ESC [ K
   clears to the end of the line); closes the sources. */
static void fqx_finish(fqx_progress *p)
{
    int i;
    if (p->on && atomic_exchange(&p->printed, 0)) fputs("\r\033[K", stderr);
    for (i = 0; i < p->sources; i++)
        if (p->src[i].fp && p->src[i].fp != stdin) fclose(p->src[i].fp);
    p->sources = 0;
}

#endif
