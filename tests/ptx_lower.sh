#!/bin/sh
# tests/ptx_lower.sh IN OUT
# Writes OUT, the PTX of IN with its `.version` line lowered to the oldest PTX
# ISA version that ptxas accepts it at, for the GPU of its `.target` line.
# nvcc stamps its own ISA version (CUDA 13: 9.0, which only R580+ drivers can
# JIT) even when the instructions are much older; the driver refuses a
# newer .version than it knows, so the stamp alone would lock out older drivers.
#   IN   a .cu file (compiled with $NVCC -ptx -arch=$PTX_ARCH $NVCCFLAGS) or a
#        .ptx file
#   OUT  the lowered PTX; written whole or not at all
# Environment: NVCC (default nvcc on PATH, else /usr/local/cuda/bin/nvcc),
# PTXAS (default the ptxas beside NVCC, else on PATH), PTX_ARCH (default
# compute_75), NVCCFLAGS (extra nvcc options, e.g. -I.).
# From make: $(call ptx_lower,IN,OUT) (Makefile), as `make ptx` does for
# kernels.cu. Versions are tried upwards from 6.0 (the first ISA with the
# Volta memory model and the .sync warp intrinsics) to IN's own; the first one
# ptxas assembles without a warning wins (a feature too new for a version is
# an error there: "requires PTX ISA .version 7.4 or later"). If none below
# IN's own passes, IN's version is kept. The output depends only on IN and
# ptxas, so it is reproducible. Exit status: 0 written, 1 failure, 2 usage.
set -eu
if [ $# -ne 2 ]; then
    echo "usage: $0 IN.cu|IN.ptx OUT" >&2
    exit 2
fi
in=$1
out=$2
me=$(basename "$0")
if [ ! -f "$in" ]; then
    echo "$me: $in: no such file" >&2
    exit 1
fi
NVCC=${NVCC:-$(command -v nvcc 2>/dev/null || echo /usr/local/cuda/bin/nvcc)}
if [ -z "${PTXAS:-}" ]; then
    nvcc_path=$(command -v "$NVCC" 2>/dev/null || true)
    if [ -n "$nvcc_path" ] && [ -x "$(dirname "$nvcc_path")/ptxas" ]; then
        PTXAS=$(dirname "$nvcc_path")/ptxas      # the same toolkit as nvcc
    else
        PTXAS=$(command -v ptxas 2>/dev/null || echo ptxas)
    fi
fi
if ! command -v "$PTXAS" >/dev/null 2>&1; then
    echo "$me: no ptxas ($PTXAS): set PTXAS= (it checks each .version)" >&2
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ptx_lower.XXXXXX")
trap 'rm -rf "$tmp" "$out.lower.$$"' EXIT
case $in in
*.cu)
    # shellcheck disable=SC2086  # NVCCFLAGS is a list of options
    "$NVCC" -ptx -arch="${PTX_ARCH:-compute_75}" ${NVCCFLAGS:-} -o "$tmp/in.ptx" "$in"
    src=$tmp/in.ptx ;;
*) src=$in ;;
esac

# exactly one `.version X.Y` and a `.target sm_NN[, ...]` line
if [ "$(grep -c '^\.version [0-9][0-9]*\.[0-9][0-9]*$' "$src")" != 1 ]; then
    echo "$me: $in: no single '.version X.Y' line" >&2
    exit 1
fi
have=$(sed -n 's/^\.version \([0-9][0-9]*\.[0-9][0-9]*\)$/\1/p' "$src")
gpu=$(sed -n 's/^\.target \(sm_[0-9][0-9]*[a-z]*\).*/\1/p' "$src" | head -n 1)
if [ -z "$gpu" ]; then
    echo "$me: $in: no '.target sm_NN' line" >&2
    exit 1
fi
have_major=${have%.*}
have_minor=${have#*.}

# with_version V FILE: SRC with its .version line set to V
with_version() { sed "s/^\.version [0-9][0-9]*\.[0-9][0-9]*\$/.version $1/" "$src" >"$2"; }

pick=
major=6
while [ -z "$pick" ] && [ "$major" -le "$have_major" ]; do
    minor=0
    while [ "$minor" -le 9 ]; do
        if [ "$major" -eq "$have_major" ] && [ "$minor" -ge "$have_minor" ]; then break; fi
        with_version "$major.$minor" "$tmp/try.ptx"
        # minor numbers that no ISA has are refused too ("Unsupported .version")
        if "$PTXAS" --warning-as-error --gpu-name "$gpu" -o "$tmp/try.cubin" "$tmp/try.ptx" \
            >/dev/null 2>&1; then
            pick=$major.$minor
            break
        fi
        minor=$((minor + 1))
    done
    major=$((major + 1))
done
if [ -z "$pick" ]; then
    # nothing lower passed: IN's own version must, or IN is broken
    if ! "$PTXAS" --gpu-name "$gpu" -o "$tmp/try.cubin" "$src" 2>"$tmp/err"; then
        echo "$me: $in: ptxas rejects it for $gpu at its own .version $have:" >&2
        cat "$tmp/err" >&2
        exit 1
    fi
    pick=$have
fi
# beside OUT, so that the rename is atomic
with_version "$pick" "$out.lower.$$"
mv "$out.lower.$$" "$out"
echo "$me: $out: .version $have -> $pick (the oldest ptxas accepts for $gpu)" >&2
