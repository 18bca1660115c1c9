#!/usr/bin/env bash
# tests/doc_example.sh WHICH: prints, as a C file, one example that the docs
# show, so that every test compiling it reads the same text the same way:
#   readme           README.md's first untagged ```c block (the embedding example)
#   readme:TAG       README.md's ```c TAG block (e.g. readme:paired-example)
#   fastqpar.h       the COMPLETE EXAMPLE atop fastqpar.h
#   fastqpar_cuda.h  the COMPLETE EXAMPLE atop fastqpar_cuda.h
# Exits 1 when the example is not there (or WHICH is unknown).
set -u
cd "$(dirname "$0")/.." || exit 1
case ${1:-} in
    readme)   awk '/^```c$/{f=1;next} f&&/^```$/{exit} f' README.md ;;
    readme:*) awk -v tag="${1#readme:}" '$0=="```c " tag{f=1;next} f&&/^```$/{exit} f' README.md ;;
    fastqpar.h|fastqpar_cuda.h)
              # from the line after the title's blank line to the next heading (3 spaces, capital)
              awk '/A COMPLETE EXAMPLE/{f=1;getline;next} f&&/^   [A-Z]/{exit} f{sub(/^       /,"");print}' "$1" ;;
    *)        echo "usage: tests/doc_example.sh readme|readme:TAG|fastqpar.h|fastqpar_cuda.h" >&2; exit 1 ;;
esac | awk '{print} END{exit NR == 0}'
