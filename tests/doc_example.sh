#!/usr/bin/env bash
# tests/doc_example.sh WHICH: prints, as a C file, one example that the docs
# show, so that every test compiling it reads the same text the same way:
#   readme           README.md's first untagged ```c block (the embedding example)
#   readme:TAG       README.md's ```c TAG block (e.g. readme:paired-example)
#   fastqpar.h       the COMPLETE EXAMPLE atop fastqpar.h
#   fastqpar_cuda.h  the COMPLETE EXAMPLE atop fastqpar_cuda.h
#   fastqpar_cuda.h:byo  its BRING YOUR OWN KERNEL example (the C part)
#   fastqpar_cuda.h:byo-cu  that example's kernel (the CUDA C part)
# Exits 1 when the example is not there (or WHICH is unknown).
set -u
cd "$(dirname "$0")/.." || exit 1
case ${1:-} in
    readme)   awk '/^```c$/{f=1;next} f&&/^```$/{exit} f' README.md ;;
    readme:*) awk -v tag="${1#readme:}" '$0=="```c " tag{f=1;next} f&&/^```$/{exit} f' README.md ;;
    fastqpar.h|fastqpar_cuda.h)
              # from the line after the title's blank line to the next heading (3 spaces, capital)
              awk '/A COMPLETE EXAMPLE/{f=1;getline;next} f&&/^   [A-Z]/{exit} f{sub(/^       /,"");print}' "$1" ;;
    fastqpar_cuda.h:byo|fastqpar_cuda.h:byo-cu)
              # the block under BRING YOUR OWN KERNEL: the kernel is the part before "#define"
              awk -v want="${1#fastqpar_cuda.h:}" '/BRING YOUR OWN KERNEL: A COMPLETE EXAMPLE/{f=1;next}
                  f&&/^   [A-Z]/{exit} f&&/^       \/\/ gc.cu/{k=1} f&&/^       #define/{k=0;c=1}
                  f&&((want=="byo"&&c)||(want=="byo-cu"&&k)){sub(/^       /,"");print}' fastqpar_cuda.h ;;
    *)        echo "usage: tests/doc_example.sh readme|readme:TAG|fastqpar.h|fastqpar_cuda.h[:byo|:byo-cu]" >&2; exit 1 ;;
esac | awk '{print} END{exit NR == 0}'
