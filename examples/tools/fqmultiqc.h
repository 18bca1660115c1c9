/* fqmultiqc.h - JSON strings and MultiQC custom content for the tools
   (fqstats, fqtrim); not part of the library.

   MultiQC (1.14 and later) picks up any file named *_mqc.json holding one
   section: {"id", "section_name", "description", "plot_type", "pconfig",
   "data": {sample: {key: value}}}. Files with the same id are merged into
   one section, so runs over different inputs add rows (or lines) to it.
   Usage, on a stream of the caller's (the tools: a report's text in
   memory, fqcli.h's fqc_report, written whole at the end of a good run):
       fqx_mqc_begin(f, id, name, description, "table", pconfig);
       fqx_mqc_sample(f, "reads.fq", 1);  fqx_mqc_number(f, "num_seqs", "1000", 1); ...
       fqx_mqc_end(f, 1);  (1: a sample was written) */
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

#endif /* FQMULTIQC_H */
