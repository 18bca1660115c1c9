/* tests/test_files.c - outputs are replaced safely, inputs that are not
   FASTQ are named plainly: the writer's temporary file and rename, discard,
   in_place, a target's mode, directories and unwritable places, the true
   byte count of a failed write; xz, bzip2 and zstd input; a directory as
   input. Every check is on a file in a fresh directory under /tmp. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, fmemopen, rmdir */
#define FASTQPAR_IMPLEMENTATION
#include "fastqpar.h"
#include "test.h"
#include "helpers.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

/* dir/name into buf. */
static const char *at(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", dir, name);
    return buf;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The file's bytes (NUL-terminated, malloc'd) or NULL. */
static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    th_buf b;
    char chunk[4096];
    size_t got;
    if (!f) return NULL;
    memset(&b, 0, sizeof b);
    th_buf_add(&b, "", 0);
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) th_buf_add(&b, chunk, got);
    fclose(f);
    if (n) *n = b.len;
    return b.data;
}

static void spit(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* Entries of dir other than . and .. (the temporary files that were left). */
static int entries(void)
{
    char cmd[256], line[64];
    FILE *p;
    int n = 0;
    snprintf(cmd, sizeof cmd, "ls -A %s | wc -l", dir);
    if (!(p = popen(cmd, "r"))) return -1;
    if (fgets(line, sizeof line, p)) n = atoi(line);
    pclose(p);
    return n;
}

static void clear(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s/* %s/.[!.]*", dir, dir);
    if (system(cmd) != 0) fprintf(stderr, "  cannot clear %s\n", dir);
}

static fqp_result open_path(fqp_writer **w, const char *path, fqp_format format, int in_place, fqp_error *err)
{
    fqp_writer_desc wd;
    memset(&wd, 0, sizeof wd);
    wd.path = path;
    wd.format = format;
    wd.in_place = in_place;
    wd.ignore_env = 1;
    return fqp_writer_open(w, &wd, err);
}

/* While the writer runs the target does not exist; a clean close renames
   the temporary file over it and leaves nothing else. */
static void test_close_renames_temp(void)
{
    char path[128];
    fqp_writer *w;
    fqp_error err;
    const char *tmp;
    char *got;
    clear();
    REQUIRE(open_path(&w, at(path, sizeof path, "out.fq"), FQP_FORMAT_PLAIN, 0, &err) == FQP_OK);
    tmp = fqp_writer_temp_path(w);
    REQUIRE(tmp != NULL);
    CHECK(strncmp(tmp, dir, strlen(dir)) == 0);     /* beside the target */
    CHECK(strstr(tmp, "/.out.fq.fqp") != NULL);      /* hidden, named after it */
    CHECK(exists(tmp));
    CHECK(!exists(path));
    CHECK_EQ_INT(fqp_writer_write(w, "@r\nA\n+\nI\n", 10, &err), FQP_OK);
    CHECK_EQ_INT(fqp_writer_close(w, &err), FQP_OK);
    got = slurp(path, NULL);
    REQUIRE(got != NULL);
    CHECK(strcmp(got, "@r\nA\n+\nI\n") == 0);
    free(got);
    CHECK_EQ_INT(entries(), 1);
}

/* discard leaves an existing target exactly as it was and no temporary
   file; a gzip writer discarded writes no trailer anywhere. */
static void test_discard_keeps_target(void)
{
    char path[128];
    fqp_format f;
    for (f = FQP_FORMAT_PLAIN; f <= FQP_FORMAT_BGZF; f = (fqp_format)(f + 1)) {
        fqp_writer *w;
        fqp_error err;
        char *got;
        clear();
        spit(at(path, sizeof path, "keep.fq"), "@old\nC\n+\nI\n");
        REQUIRE(open_path(&w, path, f, 0, &err) == FQP_OK);
        CHECK_EQ_INT(fqp_writer_write(w, "@new\nA\n+\nI\n", 12, &err), FQP_OK);
        fqp_writer_discard(w);
        got = slurp(path, NULL);
        REQUIRE(got != NULL);
        CHECK(strcmp(got, "@old\nC\n+\nI\n") == 0);
        free(got);
        CHECK_EQ_INT(entries(), 1);
    }
    fqp_writer_discard(NULL);
}

/* A replaced file keeps its mode (a pipeline writing into a group-shared
   directory must not turn 0640 into 0644). */
static void test_replacement_keeps_mode(void)
{
    char path[128];
    fqp_writer *w;
    fqp_error err;
    struct stat st;
    clear();
    spit(at(path, sizeof path, "mode.fq"), "old");
    REQUIRE(chmod(path, 0640) == 0);
    REQUIRE(open_path(&w, path, FQP_FORMAT_PLAIN, 0, &err) == FQP_OK);
    CHECK_EQ_INT(fqp_writer_write(w, "new", 3, &err), FQP_OK);
    CHECK_EQ_INT(fqp_writer_close(w, &err), FQP_OK);
    REQUIRE(stat(path, &st) == 0);
    CHECK_EQ_INT(st.st_mode & 07777, 0640);
    CHECK_EQ_U64(st.st_size, 3);
}

/* in_place writes the target itself, at once; discard keeps what it got. */
static void test_in_place(void)
{
    char path[128];
    fqp_writer *w;
    fqp_error err;
    char *got;
    clear();
    REQUIRE(open_path(&w, at(path, sizeof path, "direct.fq"), FQP_FORMAT_PLAIN, 1, &err) == FQP_OK);
    CHECK(fqp_writer_temp_path(w) == NULL);
    CHECK(exists(path));
    CHECK_EQ_INT(fqp_writer_write(w, "part", 4, &err), FQP_OK);
    fqp_writer_discard(w);
    got = slurp(path, NULL);
    REQUIRE(got != NULL);
    CHECK(strcmp(got, "part") == 0);
    free(got);
}

/* Not regular files: /dev/null is written directly (renaming over it would
   replace the device), and a directory is FQP_ERR_OPEN naming it. */
static void test_special_targets(void)
{
    char path[128];
    fqp_writer *w;
    fqp_error err;
    clear();
    REQUIRE(open_path(&w, "/dev/null", FQP_FORMAT_PLAIN, 0, &err) == FQP_OK);
    CHECK(fqp_writer_temp_path(w) == NULL);
    CHECK_EQ_INT(fqp_writer_write(w, "x", 1, &err), FQP_OK);
    CHECK_EQ_INT(fqp_writer_close(w, &err), FQP_OK);
    CHECK_EQ_INT(open_path(&w, dir, FQP_FORMAT_PLAIN, 0, &err), FQP_ERR_OPEN);
    CHECK(w == NULL);
    CHECK(strcmp(err.file, dir) == 0);
    CHECK(strstr(err.message, "it is a directory") != NULL);
    CHECK_EQ_INT(open_path(&w, at(path, sizeof path, "no/such/dir.fq"), FQP_FORMAT_PLAIN, 0, &err), FQP_ERR_OPEN);
    CHECK(strstr(err.message, "cannot create a file in its directory: No such file or directory") != NULL);
    CHECK_EQ_INT(entries(), 0);
}

/* A failed write reports the bytes that went out, not those before the
   call: a 1000-byte destination takes 1000 of 1500. */
static void test_write_failure_counts_bytes(void)
{
    char mem[1000];
    FILE *f = fmemopen(mem, sizeof mem, "w");
    fqp_writer *w;
    fqp_writer_desc wd;
    fqp_error err;
    char text[1500];
    REQUIRE(f != NULL);
    setvbuf(f, NULL, _IONBF, 0);
    memset(text, 'A', sizeof text);
    memset(&wd, 0, sizeof wd);
    wd.file = f;
    wd.name = "small";
    REQUIRE(fqp_writer_open(&w, &wd, &err) == FQP_OK);
    CHECK_EQ_INT(fqp_writer_write(w, text, 600, &err), FQP_OK);
    CHECK_EQ_INT(fqp_writer_write(w, text, 900, &err), FQP_ERR_WRITE);
    CHECK(strstr(err.message, "write failed after 999 bytes") != NULL ||
          strstr(err.message, "write failed after 1000 bytes") != NULL);
    CHECK(fqp_writer_bytes(w) == 999 || fqp_writer_bytes(w) == 1000);
    CHECK_EQ_INT(fqp_writer_close(w, &err), FQP_ERR_WRITE); /* sticky */
    fclose(f);
}

/* xz, bzip2 and zstd input: one plain message naming the file and the
   command that reads it, before any record; from memory and from a path. */
static void test_unsupported_compression(void)
{
    static const struct {
        const char *bytes, *file, *message;
        size_t n;
    } cases[] = {
        {"\xfd" "7zXZ\0\0\4\xe6\xd6\xb4\x46", "r.fq.xz", "xz-compressed input is not supported (use xz -dc ", 12},
        {"BZh91AY&SY", "r.fq.bz2", "bzip2-compressed input is not supported (use bzip2 -dc ", 10},
        {"\x28\xb5\x2f\xfd\x24\x0a\x51\0", "r.fq.zst", "zstd-compressed input is not supported (use zstd -dc ", 8},
    };
    size_t i;
    clear();
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fqp_input_desc in;
        th_dump d;
        fqp_error err;
        char path[128], want[256];
        FILE *f;
        memset(&in, 0, sizeof in);
        in.data = cases[i].bytes;
        in.size = cases[i].n;
        in.name = cases[i].file;
        CHECK_EQ_INT(th_read_all(&in, NULL, &d, &err), FQP_ERR_UNSUPPORTED_COMPRESSION);
        snprintf(want, sizeof want, "%s: %s%s | ...)", cases[i].file, cases[i].message, cases[i].file);
        CHECK(strcmp(err.message, want) == 0);
        CHECK_EQ_U64(err.record, 0);
        CHECK_EQ_U64(d.records, 0);
        free(d.text);
        f = fopen(at(path, sizeof path, cases[i].file), "wb");
        REQUIRE(f != NULL);
        fwrite(cases[i].bytes, 1, cases[i].n, f);
        fclose(f);
        memset(&in, 0, sizeof in);
        in.path = path;
        CHECK_EQ_INT(th_read_all(&in, NULL, &d, &err), FQP_ERR_UNSUPPORTED_COMPRESSION);
        CHECK(strcmp(err.file, path) == 0);
        free(d.text);
    }
    /* "BZh" without a block size digit is not bzip2: an ordinary parse error */
    {
        fqp_input_desc in;
        th_dump d;
        fqp_error err;
        memset(&in, 0, sizeof in);
        in.data = "BZhx\n";
        in.size = 5;
        CHECK_EQ_INT(th_read_all(&in, NULL, &d, &err), FQP_ERR_MISSING_AT);
        free(d.text);
    }
}

/* A directory as input is FQP_ERR_OPEN saying so, not a read error. */
static void test_directory_input(void)
{
    fqp_input_desc in;
    th_dump d;
    fqp_error err;
    memset(&in, 0, sizeof in);
    in.path = dir;
    CHECK_EQ_INT(th_read_all(&in, NULL, &d, &err), FQP_ERR_OPEN);
    CHECK(strstr(err.message, "cannot open: it is a directory") != NULL);
    CHECK(strcmp(err.file, dir) == 0);
    free(d.text);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/fqp-files-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_close_renames_temp);
    RUN(test_discard_keeps_target);
    RUN(test_replacement_keeps_mode);
    RUN(test_in_place);
    RUN(test_special_targets);
    RUN(test_write_failure_counts_bytes);
    RUN(test_unsupported_compression);
    RUN(test_directory_input);
    clear();
    rmdir(dir);
    TEST_EXIT();
}
