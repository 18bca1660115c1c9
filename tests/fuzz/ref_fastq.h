/* tests/fuzz/ref_fastq.h - the rules of tests/fqref.c over a memory buffer,
   for the fuzz harnesses: deliberately simple and independent of
   fastqpar.h. ref_parse() returns 0 when the whole text is valid, else the
   1-based number of the record that is not; it folds every accepted record
   (name, comment, seq, qual) into *digest and counts them in *records.
   With validate, letters are '!'..'~' (iupac: IUPAC codes, '.', '-', '*')
   and qualities '!'..'~'. A blank line inside a record is bad, except as
   the one sequence line and the one quality line of an empty read.
   The one difference from fqref: a NUL byte is an ordinary byte here (fqref
   reads lines with C strings); sequence and quality checks still reject it. */
#ifndef FQP_REF_FASTQ_H
#define FQP_REF_FASTQ_H
#include <stdint.h>
#include <string.h>

typedef struct ref_line {
    const char *s;
    size_t len;
} ref_line;

typedef struct ref_reader {
    const char *p, *end;
} ref_reader;

/* The next line without "\n" or "\r\n"; 0 at the end of the input. */
static inline int ref_next_line(ref_reader *r, ref_line *l)
{
    const char *nl;
    if (r->p >= r->end) return 0;
    nl = (const char *)memchr(r->p, '\n', (size_t)(r->end - r->p));
    l->s = r->p;
    l->len = (size_t)((nl ? nl : r->end) - r->p);
    r->p = nl ? nl + 1 : r->end;
    if (l->len && l->s[l->len - 1] == '\r') l->len--;
    return 1;
}

static inline uint64_t ref_mix(uint64_t h, const char *p, uint64_t n)
{
    uint64_t i;
    for (i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    return (h ^ n) * 1099511628211ull;
}

static inline int ref_valid_base(unsigned char c, int iupac)
{
    if (!iupac) return c >= '!' && c <= '~';
    return c != 0 && strchr("ACGTUNRYKMSWBDHVacgtunrykmswbdhv.-*", c) != NULL;
}

/* A growing byte buffer owned by the caller (free(b->s) at the end). */
typedef struct ref_text {
    char *s;
    size_t len, cap;
} ref_text;

static inline int ref_cat(ref_text *t, const char *p, size_t n)
{
    if (t->len + n > t->cap) {
        size_t cap = (t->len + n) * 2 + 16;
        char *s = (char *)realloc(t->s, cap);
        if (!s) return -1;
        t->s = s;
        t->cap = cap;
    }
    if (n) memcpy(t->s + t->len, p, n);
    t->len += n;
    return 0;
}

static inline size_t ref_name_len(const char *h, size_t n)
{
    size_t i = 0;
    while (i < n && h[i] != ' ' && h[i] != '\t') i++;
    return i;
}

static inline uint64_t ref_parse(const char *text, size_t size, int validate, int iupac, uint64_t *records,
                                 uint64_t *digest)
{
    ref_reader r;
    ref_line head, line;
    ref_text seq = {NULL, 0, 0}, qual = {NULL, 0, 0};
    uint64_t bad = 0;
    r.p = text;
    r.end = text + size;
    *records = 0;
    *digest = 14695981039346656037ull;
    for (;;) {
        size_t nl, i, seq_lines = 0;
        uint64_t rec = *records + 1;
        if (!ref_next_line(&r, &head)) break;
        if (head.len == 0) { /* blank lines: only at the end */
            while (ref_next_line(&r, &line))
                if (line.len) { bad = rec; goto done; }
            break;
        }
        if (head.s[0] != '@') { bad = rec; break; }
        seq.len = 0;
        for (;;) {
            if (!ref_next_line(&r, &line)) { bad = rec; goto done; }
            if (line.len && line.s[0] == '+') break;
            /* a header where '+' belongs; a blank line beside another sequence line */
            if ((line.len && line.s[0] == '@') || (seq_lines && (line.len == 0 || seq.len == 0))) {
                bad = rec;
                goto done;
            }
            seq_lines++;
            if (ref_cat(&seq, line.s, line.len)) { bad = rec; goto done; }
        }
        nl = ref_name_len(head.s + 1, head.len - 1);
        if (line.len > 1 && !(line.len == head.len && !memcmp(line.s + 1, head.s + 1, head.len - 1)) &&
            !(line.len - 1 == nl && !memcmp(line.s + 1, head.s + 1, nl))) {
            bad = rec;
            break;
        }
        qual.len = 0;
        do {
            if (!ref_next_line(&r, &line)) {
                if (seq.len == 0 && qual.len == 0) break;
                bad = rec;
                goto done;
            }
            if (line.len == 0 && seq.len) { bad = rec; goto done; } /* only an empty read's quality is blank */
            if (ref_cat(&qual, line.s, line.len)) { bad = rec; goto done; }
        } while (qual.len < seq.len);
        if (qual.len != seq.len) { bad = rec; break; }
        if (validate)
            for (i = 0; i < seq.len; i++)
                if (!ref_valid_base((unsigned char)seq.s[i], iupac) || qual.s[i] < '!' || qual.s[i] > '~') {
                    bad = rec;
                    goto done;
                }
        *records = rec;
        *digest = ref_mix(*digest, head.s + 1, nl);
        *digest = ref_mix(*digest, nl + 1 < head.len ? head.s + 2 + nl : "", nl + 1 < head.len ? head.len - nl - 2 : 0);
        *digest = ref_mix(*digest, seq.s, seq.len);
        *digest = ref_mix(*digest, qual.s, qual.len);
    }
done:
    free(seq.s);
    free(qual.s);
    return bad;
}
#endif
