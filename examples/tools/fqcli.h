/* fqcli.h - the command-line conventions of the example tools and programs
   (fqtrim, fqstats and the programs in examples/); not part of the library.

   One table describes the options; fqc_parse reads argv by it and fqc_help
   prints the usage from it, so a tool's help and its parser never disagree:

       static int threads, quiet;
       static const char *out;
       static const fqc_opt opts[] = {
           {'j', "threads", FQC_INT, &threads, 1, 256, "N", "consumer threads"},
           {'t', NULL, FQC_INT, &threads, 1, 256, "N", NULL},   (help NULL: an alias, not listed)
           {'o', "output", FQC_STR, &out, 0, 0, "FILE", "output ('-': stdout)"},
           {'Q', "quiet", FQC_FLAG, &quiet, 0, 0, NULL, "no summary"},
           {0, NULL, 0, NULL, 0, 0, NULL, NULL}};
       static const fqc_cli cli = {"tool", "usage: tool [options] FILE\n", "What it does.\n", opts, NULL};
       int n, st = fqc_parse(&cli, argc, argv, &n);  (the operands are now argv[1..n])
       if (st != FQC_GO) return st;                   (0 after -h/--version, 2 after an error)

   Forms: -q20, -q=20, -q 20, --window=4, --window 4, bundled flags -av, "--" ends
   the options, "-" is an operand (stdin/stdout). -h/--help and --version are
   built in. Every usage error is ONE line on stderr,
       tool: unknown option '--foo' (see tool --help)
   and exit status 2.

   Outputs: fqc_check_files refuses an output that is an input or another
   output before anything is opened; fqc_writer_open/fqc_writer_end open an
   fqp_writer and close it (good run) or discard it (failed run), with its
   temporary file registered so that a signal removes it too (fqc_signals);
   fqc_report_open/fqc_report_end do the same for a --json or --multiqc
   report built while the run goes. */
#ifndef FQCLI_H
#define FQCLI_H

#include "fastqpar.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

typedef enum fqc_kind {
    FQC_FLAG,   /* int: set to 1 */
    FQC_SET,    /* int: set to (int)lo (one of several choices, e.g. --gpu / --cpu) */
    FQC_INT,    /* int, in lo..hi */
    FQC_LONG,   /* long long, in lo..hi */
    FQC_DOUBLE, /* double, in lo..hi */
    FQC_STR     /* const char *: the text, checked by the tool */
} fqc_kind;

typedef struct fqc_opt {
    char short_name;       /* 0: none */
    const char *long_name; /* NULL: none */
    fqc_kind kind;
    void *value;
    double lo, hi;         /* FQC_INT/LONG/DOUBLE range; FQC_SET: the value */
    const char *arg;       /* the value's name in the help (FQC_INT/LONG/DOUBLE/STR) */
    const char *help;      /* NULL: not listed (an alias); '\n' continues the text */
} fqc_opt;

typedef struct fqc_cli {
    const char *tool;
    const char *synopsis;  /* "usage: ..." lines, also printed on a bare terminal */
    const char *about;     /* text between the synopsis and the options */
    const fqc_opt *opts;   /* ended by a zero entry */
    const char *epilog;    /* after the options (NULL: none) */
} fqc_cli;

#define FQC_END {0, NULL, FQC_FLAG, NULL, 0, 0, NULL, NULL} /* the table's last entry */

enum { FQC_GO = -1 }; /* fqc_parse: carry on (else the exit status) */

/* One usage error line, "tool: ... (see tool --help)"; returns 2. */
static inline int fqc_fail(const fqc_cli *c, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", c->tool);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see %s --help)\n", c->tool);
    return 2;
}

static inline void fqc_version(const fqc_cli *c) { printf("%s fastqpar %s\n", c->tool, FASTQPAR_VERSION_STRING); }

enum { FQC_INDENT = 28, FQC_WIDTH = 79 }; /* the help's text column and width */

/* The usage from the table, to f. */
static inline void fqc_help(const fqc_cli *c, FILE *f)
{
    const fqc_opt *o;
    fputs(c->synopsis, f);
    if (c->about) fputs(c->about, f);
    fputs("Options:\n", f);
    for (o = c->opts; o->short_name || o->long_name; o++) {
        char left[96];
        const char *h;
        int n;
        if (!o->help) continue;
        if (o->short_name && o->long_name) n = snprintf(left, sizeof left, "  -%c, --%s", o->short_name, o->long_name);
        else if (o->short_name) n = snprintf(left, sizeof left, "  -%c", o->short_name);
        else n = snprintf(left, sizeof left, "      --%s", o->long_name);
        if (o->arg && n < (int)sizeof left) n += snprintf(left + n, sizeof left - (size_t)n, " %s", o->arg);
        fputs(left, f);
        if (n >= FQC_INDENT) fputs("\n", f), n = 0;
        for (h = o->help; *h;) { /* wrapped at FQC_WIDTH columns; '\n' breaks too */
            size_t len = strcspn(h, "\n"), room = FQC_WIDTH - FQC_INDENT;
            if (len > room) {
                len = room;
                while (len > 0 && h[len] != ' ') len--;
                if (len == 0) len = strcspn(h, " \n");
            }
            fprintf(f, "%*s%.*s\n", FQC_INDENT - n, "", (int)len, h);
            n = 0;
            h += len;
            if (*h == ' ' || *h == '\n') h++;
        }
    }
    fputs("  -h, --help                this help\n"
          "      --version             the version\n", f);
    if (c->epilog) fputs(c->epilog, f);
}

/* The option's name as typed, for messages: "-q" or "--window". */
static inline void fqc_name(char *buf, size_t size, const fqc_opt *o, int as_long)
{
    if (as_long) snprintf(buf, size, "--%s", o->long_name);
    else snprintf(buf, size, "-%c", o->short_name);
}

static inline int fqc_store(const fqc_cli *c, const fqc_opt *o, const char *name, const char *v)
{
    char *end;
    errno = 0;
    if (o->kind == FQC_STR) {
        *(const char **)o->value = v;
        return 0;
    }
    if (o->kind == FQC_DOUBLE) {
        double d = strtod(v, &end);
        if (!*v || *end || errno || !(d >= o->lo && d <= o->hi))
            return fqc_fail(c, "%s: '%s' is not a number in %g..%g", name, v, o->lo, o->hi);
        *(double *)o->value = d;
        return 0;
    } else {
        long long n = strtoll(v, &end, 10);
        if (!*v || *end || errno || (double)n < o->lo || (double)n > o->hi)
            return fqc_fail(c, "%s: '%s' is not an integer in %.0f..%.0f", name, v, o->lo, o->hi);
        if (o->kind == FQC_INT) *(int *)o->value = (int)n;
        else *(long long *)o->value = n;
        return 0;
    }
}

static inline int fqc_takes_value(const fqc_opt *o) { return o->kind != FQC_FLAG && o->kind != FQC_SET; }

static inline void fqc_set_flag(const fqc_opt *o) { *(int *)o->value = o->kind == FQC_SET ? (int)o->lo : 1; }

/* Reads argv by c->opts. The operands, in order, are moved to
   argv[1..*operands]. Returns FQC_GO, 0 (-h or --version was printed) or 2
   (a usage error was printed). */
static inline int fqc_parse(const fqc_cli *c, int argc, char **argv, int *operands)
{
    int i, n = 0, only_operands = 0;
    *operands = 0;
    for (i = 1; i < argc; i++) {
        char *a = argv[i], name[80];
        const fqc_opt *o;
        if (only_operands || a[0] != '-' || a[1] == '\0') {
            argv[++n] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_operands = 1;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fqc_help(c, stdout);
            return 0;
        }
        if (strcmp(a, "--version") == 0) {
            fqc_version(c);
            return 0;
        }
        if (a[1] == '-') { /* --name, --name=value, --name value */
            const char *eq = strchr(a + 2, '=');
            size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
            for (o = c->opts; o->short_name || o->long_name; o++)
                if (o->long_name && strlen(o->long_name) == len && strncmp(o->long_name, a + 2, len) == 0) break;
            if (!o->short_name && !o->long_name) {
                if (eq) return fqc_fail(c, "unknown option '%.*s'", (int)(eq - a), a);
                return fqc_fail(c, "unknown option '%s'", a);
            }
            fqc_name(name, sizeof name, o, 1);
            if (!fqc_takes_value(o)) {
                if (eq) return fqc_fail(c, "option '%s' takes no value", name);
                fqc_set_flag(o);
                continue;
            }
            if (!eq && i + 1 >= argc) return fqc_fail(c, "option '%s' needs a value (%s)", name, o->arg);
            if (fqc_store(c, o, name, eq ? eq + 1 : argv[++i])) return 2;
            continue;
        }
        for (a++; *a; a++) { /* -x, -xVALUE, -x=VALUE, -x VALUE, bundled flags -av */
            for (o = c->opts; o->short_name || o->long_name; o++)
                if (o->short_name == *a) break;
            if (!o->short_name && !o->long_name) return fqc_fail(c, "unknown option '-%c'", *a);
            fqc_name(name, sizeof name, o, 0);
            if (!fqc_takes_value(o)) {
                fqc_set_flag(o);
                continue;
            }
            if (!a[1] && i + 1 >= argc) return fqc_fail(c, "option '%s' needs a value (%s)", name, o->arg);
            if (fqc_store(c, o, name, a[1] == '=' ? a + 2 : a[1] ? a + 1 : argv[++i])) return 2;
            break;
        }
    }
    *operands = n;
    return FQC_GO;
}

/* No input operand and stdin is a terminal: the synopsis to stderr, 2. */
static inline int fqc_no_input(const fqc_cli *c)
{
    fputs(c->synopsis, stderr);
    fprintf(stderr, "(no input file given and stdin is a terminal; see %s --help)\n", c->tool);
    return 2;
}

/* ---- output safety ---- */

typedef struct fqc_file {
    const char *what;  /* "-o", "input 2", ...: named in messages */
    const char *path;  /* "-": stdin (inputs) or stdout (outputs); NULL: unused */
} fqc_file;

/* Who a path is: its device and inode when it exists (fstat of stdin or
   stdout for "-"); a file still to be created: its directory's device and
   inode and its base name (so "x", "./x" and "d/../x" agree). */
typedef struct fqc_id {
    int exists, std, dir_ok;
    dev_t dev;
    ino_t ino;
    const char *base;
    size_t base_len;
} fqc_id;

static inline void fqc_identify(const char *path, int fd, fqc_id *id)
{
    struct stat st;
    memset(id, 0, sizeof *id);
    if (strcmp(path, "-") == 0) {
        id->std = 1;
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) id->exists = 1, id->dev = st.st_dev, id->ino = st.st_ino;
    } else if (stat(path, &st) == 0) {
        id->exists = 1, id->dev = st.st_dev, id->ino = st.st_ino;
    } else {
        char dir[PATH_MAX];
        const char *slash = strrchr(path, '/');
        id->base = slash ? slash + 1 : path;
        id->base_len = strlen(id->base);
        if (!slash) snprintf(dir, sizeof dir, ".");
        else snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
        if (stat(dir, &st) == 0) id->dir_ok = 1, id->dev = st.st_dev, id->ino = st.st_ino;
    }
}

static inline int fqc_same(const fqc_id *a, const fqc_id *b)
{
    if (a->exists || b->exists) return a->exists && b->exists && a->dev == b->dev && a->ino == b->ino;
    return a->dir_ok && b->dir_ok && a->dev == b->dev && a->ino == b->ino && a->base_len == b->base_len &&
           memcmp(a->base, b->base, a->base_len) == 0;
}

/* Before anything is read or created: two outputs that are one file (one
   path, a hard or symbolic link, "-" twice) or an output that is an input.
   0, or 2 after one message. Non-regular files (/dev/null, FIFOs, ttys)
   may be repeated. */
static inline int fqc_check_files(const char *tool, const fqc_file *in, int n_in, const fqc_file *out, int n_out)
{
    int i, j;
    for (i = 0; i < n_out; i++) {
        fqc_id a, b;
        struct stat st;
        if (!out[i].path) continue;
        fqc_identify(out[i].path, 1, &a);
        if (!a.std && a.exists && stat(out[i].path, &st) == 0 && !S_ISREG(st.st_mode)) {
            if (S_ISDIR(st.st_mode)) {
                fprintf(stderr, "%s: %s %s: is a directory\n", tool, out[i].what, out[i].path);
                return 2;
            }
            continue;
        }
        for (j = 0; j < i; j++) {
            if (!out[j].path) continue;
            fqc_identify(out[j].path, 1, &b);
            if ((a.std && b.std) || fqc_same(&a, &b)) {
                fprintf(stderr, "%s: %s %s and %s %s are the same %s; give each output its own\n", tool,
                        out[j].what, out[j].path, out[i].what, out[i].path, a.std && b.std ? "stream (stdout)" : "file");
                return 2;
            }
        }
        for (j = 0; j < n_in; j++) {
            if (!in[j].path) continue;
            fqc_identify(in[j].path, 0, &b);
            if (fqc_same(&a, &b) || (!a.std && !b.std && strcmp(out[i].path, in[j].path) == 0)) {
                fprintf(stderr, "%s: %s %s is also %s %s; refusing to overwrite an input\n", tool, out[i].what,
                        out[i].path, in[j].what, in[j].path);
                return 2;
            }
        }
    }
    return 0;
}

/* ---- temporary files removed on a signal ----

   A tool registers the temporary file of each output (fqp_writer_temp_path)
   and removes it from the registry once the writer is closed or discarded.
   SIGINT, SIGTERM, SIGHUP and SIGPIPE unlink what is registered and then
   end the process by the same signal: a killed run, or one whose stdout
   reader went away (`fqtrim ... -o - | head`: exit 141, no message),
   leaves no partial file. */
enum { FQC_MAX_TEMPS = 8 };
static const char *volatile fqc_temps[FQC_MAX_TEMPS];

static inline void fqc_on_signal(int sig)
{
    int i;
    for (i = 0; i < FQC_MAX_TEMPS; i++)
        if (fqc_temps[i]) unlink(fqc_temps[i]);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Installs the handler (once per tool, before any output is opened). */
static inline void fqc_signals(void)
{
    signal(SIGINT, fqc_on_signal);
    signal(SIGTERM, fqc_on_signal);
    signal(SIGHUP, fqc_on_signal);
    signal(SIGPIPE, fqc_on_signal);
}

/* path must live until fqc_temp_remove (fqp_writer_temp_path's does while
   its writer is open). NULL is ignored. */
static inline void fqc_temp_add(const char *path)
{
    int i;
    if (!path) return;
    for (i = 0; i < FQC_MAX_TEMPS; i++)
        if (!fqc_temps[i]) {
            fqc_temps[i] = path;
            return;
        }
}

static inline void fqc_temp_remove(const char *path)
{
    int i;
    for (i = 0; path && i < FQC_MAX_TEMPS; i++)
        if (fqc_temps[i] == path) fqc_temps[i] = NULL;
}

/* ---- outputs: fqp_writer with its temporary file registered ---- */

/* Opens *w per d and registers its temporary file for the signal handler.
   0, or 1 after one message. */
static inline int fqc_writer_open(const char *tool, fqp_writer **w, const fqp_writer_desc *d)
{
    fqp_error err;
    if (fqp_writer_open(w, d, &err) != FQP_OK) {
        fprintf(stderr, "%s: %s\n", tool, err.message);
        *w = NULL;
        return 1;
    }
    fqc_temp_add(fqp_writer_temp_path(*w));
    return 0;
}

/* ok: closes *w (the finished file is renamed over its target); else
   discards it (its temporary file removed, an existing target untouched).
   NULL is fine. 0, or 1 after one message. */
static inline int fqc_writer_end(const char *tool, fqp_writer **w, int ok)
{
    fqp_error err;
    int bad = 0;
    if (!*w) return 0;
    fqc_temp_remove(fqp_writer_temp_path(*w));
    if (!ok) fqp_writer_discard(*w);
    else if (fqp_writer_close(*w, &err) != FQP_OK) {
        fprintf(stderr, "%s: %s\n", tool, err.message);
        bad = 1;
    }
    *w = NULL;
    return bad;
}

/* A report (--json, --multiqc): its file is opened before the run, so an
   unwritable path fails before any input is read; the text goes to an
   anonymous tmpfile() (ISO C, removed by the system whatever happens) and
   is copied whole to the file at the end of a good run, or not at all. */
typedef struct fqc_report {
    const char *tool;
    fqp_writer *writer;
    FILE *text; /* fprintf the report here */
} fqc_report;

/* path NULL: no report (r->text stays NULL). "-" is stdout. 0, or 1 after one message. */
static inline int fqc_report_open(fqc_report *r, const char *tool, const char *path)
{
    fqp_writer_desc d;
    memset(r, 0, sizeof *r);
    r->tool = tool;
    if (!path) return 0;
    memset(&d, 0, sizeof d);
    d.path = path;
    if (fqc_writer_open(tool, &r->writer, &d)) return 1;
    if (!(r->text = tmpfile())) {
        fprintf(stderr, "%s: %s: cannot make a temporary file for the report: %s\n", tool, path, strerror(errno));
        fqc_writer_end(tool, &r->writer, 0);
        return 1;
    }
    return 0;
}

/* ok: copies the text to the file and closes it; else drops both. 0, or 1 after one message. */
static inline int fqc_report_end(fqc_report *r, int ok)
{
    fqp_error err;
    char buf[16384];
    size_t n;
    int bad = 0;
    if (r->text && ok) {
        bad = fflush(r->text) != 0 || ferror(r->text) || fseek(r->text, 0, SEEK_SET) != 0;
        while (!bad && (n = fread(buf, 1, sizeof buf, r->text)) > 0)
            if (fqp_writer_write(r->writer, buf, n, &err) != FQP_OK) {
                fprintf(stderr, "%s: %s\n", r->tool, err.message);
                bad = 2;
            }
        if (bad == 1 || ferror(r->text)) {
            fprintf(stderr, "%s: the report's temporary file failed: %s\n", r->tool, strerror(errno));
            bad = 1;
        }
    }
    if (r->text) fclose(r->text);
    r->text = NULL;
    bad |= fqc_writer_end(r->tool, &r->writer, ok && !bad);
    return bad != 0;
}

#endif /* FQCLI_H */
