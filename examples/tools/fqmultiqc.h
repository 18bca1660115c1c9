/* fqmultiqc.h - JSON strings and MultiQC custom content for the tools
   (fqstats, fqtrim); not part of the library.

   MultiQC (1.14 and later) picks up any file named *_mqc.json holding one
   section: {"id", "section_name", "description", "plot_type", "pconfig",
   "data": {sample: {key: value}}}. Files with the same id are merged into
   one section, so runs over different inputs add rows (or lines) to it.
   Usage:
       FILE *f = fqx_mqc_open(path, id, name, description, "table", pconfig, msg, sizeof msg);
       fqx_mqc_sample(f, "reads.fq", 0);  fqx_mqc_number(f, "num_seqs", "1000", 0); ...
       fqx_mqc_close(f);  (0, or -1: a write error)
   or fqx_mqc_begin(f, ...) ... fqx_mqc_end(f, had_samples) on a stream of
   the caller's (fqstats: memory, then one fqp_writer_write). */
#ifndef FQMULTIQC_H
#define FQMULTIQC_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* s as a JSON string (quotes, backslashes and control bytes escaped). */
static inline void fqx_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') fprintf(f, "\\%c", ch);
        else if (ch < 0x20) fprintf(f, "\\u%04x", ch);
        else fputc(ch, f);
    }
    fputc('"', f);
}

/* MultiQC reads only names ending in _mqc.json (its custom-content pattern). */
static inline int fqx_mqc_name_ok(const char *path)
{
    static const char tail[] = "_mqc.json";
    size_t n = strlen(path), t = sizeof tail - 1;
    return n > t && strcmp(path + n - t, tail) == 0 && path[n - t - 1] != '/';
}

/* Writes the section's header up to its "data" object to f (any stream: a
   tool that writes through fqp_writer builds the text in memory).
   pconfig is a JSON object's text. */
static inline void fqx_mqc_begin(FILE *f, const char *id, const char *section_name, const char *description,
                                 const char *plot_type, const char *pconfig)
{
    fputs("{\n  \"id\": ", f);
    fqx_json_string(f, id);
    fputs(",\n  \"section_name\": ", f);
    fqx_json_string(f, section_name);
    fputs(",\n  \"description\": ", f);
    fqx_json_string(f, description);
    fputs(",\n  \"plot_type\": ", f);
    fqx_json_string(f, plot_type);
    fprintf(f, ",\n  \"pconfig\": %s,\n  \"data\": {", pconfig);
}

/* Opens path and writes the section's header (fqx_mqc_begin). NULL with
   the reason in msg. */
static inline FILE *fqx_mqc_open(const char *path, const char *id, const char *section_name,
                                 const char *description, const char *plot_type, const char *pconfig,
                                 char *msg, size_t size)
{
    FILE *f;
    if (!fqx_mqc_name_ok(path)) {
        snprintf(msg, size, "--multiqc %s: the name must end in _mqc.json (MultiQC reads no other)", path);
        return NULL;
    }
    if (!(f = fopen(path, "w"))) {
        snprintf(msg, size, "%s: %s", path, strerror(errno));
        return NULL;
    }
    fqx_mqc_begin(f, id, section_name, description, plot_type, pconfig);
    return f;
}

/* Starts sample `name`'s object (first: the first sample). */
static inline void fqx_mqc_sample(FILE *f, const char *name, int first)
{
    fputs(first ? "\n    " : "\n    },\n    ", f);
    fqx_json_string(f, name);
    fputs(": {", f);
}

/* One key with a number already written as JSON text (first: the first key). */
static inline void fqx_mqc_number(FILE *f, const char *key, const char *number, int first)
{
    fputs(first ? "\n      " : ",\n      ", f);
    fqx_json_string(f, key);
    fprintf(f, ": %s", number);
}

/* One key with a string value. */
static inline void fqx_mqc_text(FILE *f, const char *key, const char *value, int first)
{
    fputs(first ? "\n      " : ",\n      ", f);
    fqx_json_string(f, key);
    fputs(": ", f);
    fqx_json_string(f, value);
}

/* Ends the data (had_samples: fqx_mqc_sample was called); f stays open. */
static inline void fqx_mqc_end(FILE *f, int had_samples)
{
    fputs(had_samples ? "\n    }\n  }\n}\n" : "}\n}\n", f);
}

/* fqx_mqc_end, and closes the file. 0, or -1: a write error. */
static inline int fqx_mqc_close(FILE *f, int had_samples)
{
    int bad;
    fqx_mqc_end(f, had_samples);
    bad = ferror(f);
    bad |= fclose(f) != 0;
    return bad ? -1 : 0;
}

#endif /* FQMULTIQC_H */
