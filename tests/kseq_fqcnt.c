/* tests/kseq_fqcnt.c - biofast's "fqcnt" against htslib's <htslib/kseq.h>:
   the peer that fqcnt's counts are compared with. Not part of the build;
   tests/test_realfiles.sh compiles it when /usr/include/htslib/kseq.h exists:
       cc -O2 -o kseq_fqcnt tests/kseq_fqcnt.c -lz
   usage: kseq_fqcnt [FILE]   (plain or gzip; none or "-" = stdin)
   prints records<TAB>seq_bases<TAB>qual_bases; exit 1 on a kseq error. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>
#include <htslib/kseq.h>

KSEQ_INIT(gzFile, gzread)

int main(int argc, char **argv) {
    gzFile fp = argc > 1 && strcmp(argv[1], "-") != 0 ? gzopen(argv[1], "r") : gzdopen(0, "r");
    if (!fp) {
        fprintf(stderr, "kseq_fqcnt: cannot open %s\n", argc > 1 ? argv[1] : "<stdin>");
        return 1;
    }
    kseq_t *ks = kseq_init(fp);
    uint64_t n = 0, slen = 0, qlen = 0;
    int r;
    while ((r = kseq_read(ks)) >= 0) {
        n++;
        slen += ks->seq.l;
        qlen += ks->qual.l;
    }
    kseq_destroy(ks);
    gzclose(fp);
    if (r < -1) {
        fprintf(stderr, "kseq_fqcnt: kseq_read error %d after record %llu\n", r,
                (unsigned long long)n);
        return 1;
    }
    printf("%llu\t%llu\t%llu\n", (unsigned long long)n, (unsigned long long)slen,
           (unsigned long long)qlen);
    return 0;
}
