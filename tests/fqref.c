/* tests/fqref.c - the reference FASTQ reader: deliberately simple, slow and
   independent of fastqpar.h. Tests compare fastqpar's output with this one.

   usage: fqref [-c] [-i] [FILE]   (FILE: plain or gzip, "-" or none = stdin)

   Prints one line per record:  name<TAB>comment<TAB>seq<TAB>qual
   (name = header up to the first space or tab; comment = the rest after
   that one separator, empty if none). With -c prints only the totals
   records<TAB>bases<TAB>bases.

   Accepted input: records of a header line starting with '@'; one or more
   sequence lines up to a line starting with '+' (whose text, if any, must
   repeat the header or the name); quality lines until the quality is at
   least as long as the sequence (at least one line), and then exactly as
   long. Lines end with "\n" or "\r\n"; the last line may lack its newline;
   blank lines are allowed only at the end of the input, and inside a record
   only as the one sequence line and the one quality line of an empty read. Gzip input may have
   several members (gzread reads them all; note that zlib ignores bytes
   after a gzip member that do not start another member). Sequence letters:
   printable ASCII except space, '!'..'~' (with -i: IUPAC codes in either
   case, '.', '-', '*'); qualities '!'..'~'. Anything else: a message on
   stderr and exit status 1. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static gzFile in;
static const char *in_name;
static uint64_t line_no;   /* number of the line last read, 1-based */
static uint64_t record_no; /* number of the record being read, 1-based */

typedef struct {
    char *s;
    size_t len, cap;
} text;

static void die(const char *msg) {
    fprintf(stderr, "fqref: %s: record %llu, line %llu: %s\n", in_name,
            (unsigned long long)record_no, (unsigned long long)line_no, msg);
    exit(1);
}

static void text_add(text *t, char c) {
    if (t->len + 1 >= t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        char *s = realloc(t->s, cap);
        if (!s) die("out of memory");
        t->s = s;
        t->cap = cap;
    }
    t->s[t->len++] = c;
    t->s[t->len] = 0;
}

static void text_cat(text *t, const text *u) {
    for (size_t i = 0; i < u->len; i++) text_add(t, u->s[i]);
}

/* Reads one line into t without its "\n" or "\r\n". Returns 0 at the end of
   the input (nothing left), 1 otherwise. */
static int read_line(text *t) {
    int c, any = 0;
    t->len = 0;
    if (t->s) t->s[0] = 0;
    while ((c = gzgetc(in)) != -1) {
        any = 1;
        if (c == '\n') break;
        if (c == 0) die("NUL byte in input");
        text_add(t, (char)c);
    }
    if (c == -1) {
        int errnum;
        const char *msg = gzerror(in, &errnum);
        if (errnum != Z_OK && errnum != Z_BUF_ERROR) die(msg);
        /* zlib reports a gzip stream cut short as Z_BUF_ERROR at the end */
        if (errnum == Z_BUF_ERROR) die("truncated gzip input");
    }
    if (!any) return 0;
    line_no++;
    if (t->len && t->s[t->len - 1] == '\r') t->s[--t->len] = 0;
    return 1;
}

static int iupac_only; /* -i: fastqpar's FQP_LETTERS_IUPAC */

static int valid_base(unsigned char c) {
    if (!iupac_only) return c >= '!' && c <= '~';
    return strchr("ACGTUNRYKMSWBDHVacgtunrykmswbdhv.-*", c) != NULL && c != 0;
}

/* A blank line inside a record: name it, not the line last read. */
static void die_blank(uint64_t line) {
    line_no = line;
    die("blank line inside a record");
}

int main(int argc, char **argv) {
    int counts = 0;
    const char *path = "-";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-c")) counts = 1;
        else if (!strcmp(argv[i], "-i")) iupac_only = 1;
        else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "usage: fqref [-c] [-i] [FILE]\n");
            return 2;
        } else path = argv[i];
    }
    if (!strcmp(path, "-")) {
        in = gzdopen(0, "rb");
        in_name = "<stdin>";
    } else {
        in = gzopen(path, "rb");
        in_name = path;
    }
    if (!in) {
        fprintf(stderr, "fqref: cannot open %s\n", path);
        return 1;
    }

    text head = {0}, seq = {0}, qual = {0}, line = {0};
    uint64_t records = 0, bases = 0;
    for (;;) {
        record_no = records + 1;
        if (!read_line(&head)) break;
        if (head.len == 0) {
            /* blank lines: only at the end of the input */
            while (read_line(&line))
                if (line.len) die("blank line between records");
            break;
        }
        if (head.s[0] != '@') die("record does not start with '@'");

        /* sequence lines up to the '+' line; a blank one only alone (an empty read) */
        seq.len = 0;
        uint64_t seq_lines = 0, blank = 0;
        for (;;) {
            if (!read_line(&line)) die("input ends inside a record (no '+' line)");
            if (line.len && line.s[0] == '+') break;
            if (line.len && line.s[0] == '@') die("missing '+' line");
            if (blank) die_blank(blank);
            if (line.len == 0 && seq_lines) die_blank(line_no);
            if (line.len == 0) blank = line_no;
            seq_lines++;
            text_cat(&seq, &line);
        }
        if (line.len > 1) {
            const char *p = line.s + 1;
            size_t name_len = strcspn(head.s + 1, " \t");
            if (strcmp(p, head.s + 1) != 0 &&
                !(line.len - 1 == name_len && !memcmp(p, head.s + 1, name_len)))
                die("name after '+' differs from the header");
        }

        /* quality lines until as long as the sequence; at least one line,
           except that an empty record may end the input right after '+' */
        qual.len = 0;
        do {
            if (!read_line(&line)) {
                if (seq.len == 0 && qual.len == 0) break;
                die("input ends inside a record (quality too short)");
            }
            if (line.len == 0 && seq.len) die_blank(line_no);
            text_cat(&qual, &line);
        } while (qual.len < seq.len);
        if (qual.len != seq.len) die("sequence and quality lengths differ");

        for (size_t i = 0; i < seq.len; i++) {
            if (!valid_base((unsigned char)seq.s[i])) die("invalid character in sequence");
            if (qual.s[i] < '!' || qual.s[i] > '~') die("quality character out of range");
        }

        records++;
        bases += seq.len;
        if (!counts) {
            const char *h = head.s + 1;
            size_t name_len = strcspn(h, " \t");
            const char *comment = h[name_len] ? h + name_len + 1 : "";
            fwrite(h, 1, name_len, stdout);
            putchar('\t');
            fputs(comment, stdout);
            putchar('\t');
            if (seq.len) fwrite(seq.s, 1, seq.len, stdout);
            putchar('\t');
            if (qual.len) fwrite(qual.s, 1, qual.len, stdout);
            putchar('\n');
        }
    }
    if (counts)
        printf("%llu\t%llu\t%llu\n", (unsigned long long)records, (unsigned long long)bases,
               (unsigned long long)bases);
    gzclose(in);
    free(head.s);
    free(seq.s);
    free(qual.s);
    free(line.s);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "fqref: write error\n");
        return 1;
    }
    return 0;
}
