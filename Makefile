# fastqpar: `make` builds examples and tests, `make test` runs every test,
# `make run` runs fqstats on a generated sample, `make bench` runs the
# side-by-side benchmark (tests/bench/bench.sh; not part of `make test`).
CC      ?= cc
CXX     ?= c++
OPT     ?= -O2 -g
WARN     = -std=c11 -Wall -Wextra -Wpedantic -Werror
CFLAGS  += $(OPT) $(WARN) -I. $(EXTRA_CFLAGS)
LDLIBS  += -lz -lpthread -lm -ldl
# ISA-L and libdeflate are loaded at run time when installed (libisal2,
# libdeflate0); no flag is needed. INFLATE=isal or INFLATE=libdeflate links
# one at build time instead (libisal-dev, libdeflate-dev), as static
# binaries need: every program and test, in its own build directory.
ifeq ($(INFLATE),isal)
CFLAGS  += -DFASTQPAR_USE_ISAL
LDLIBS  += -lisal
BUILD   ?= build-isal
else ifeq ($(INFLATE),libdeflate)
CFLAGS  += -DFASTQPAR_USE_LIBDEFLATE
LDLIBS  += -ldeflate
BUILD   ?= build-libdeflate
else ifneq ($(INFLATE),)
$(error INFLATE=$(INFLATE): use isal, libdeflate or nothing (zlib))
endif
BUILD   ?= build

# examples/*.c teach one concept each; examples/tools/*.c are the full tools.
# Both build to $(BUILD)/NAME.
EXAMPLES     = fqcnt paired_filter ordered_writer manual_producer gpu_prefix_sum gpu_offload gpu_kmer
TOOLS        = fqstats fqtrim
EXAMPLE_BINS = $(addprefix $(BUILD)/,$(EXAMPLES) $(TOOLS))
TOOL_BINS    = $(BUILD)/fqgen $(BUILD)/fqref $(BUILD)/fqdump $(BUILD)/fqview_ref
TEST_SRCS    = $(wildcard tests/test_*.c)
TEST_BINS    = $(patsubst tests/%.c,$(BUILD)/%,$(TEST_SRCS))
TEST_SCRIPTS = $(wildcard tests/test_*.sh)
HEADERS      = fastqpar.h fastqpar_cuda.h

.PHONY: all test run bench sanitize asan tsan static clean fuzz valgrind mpi
all: $(EXAMPLE_BINS) $(TOOL_BINS) $(TEST_BINS)

$(BUILD):
	mkdir -p $(BUILD)

$(BUILD)/%: examples/%.c examples/tools/fqcli.h $(HEADERS) | $(BUILD)
	$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS) $(LDLIBS)

$(BUILD)/gpu_kmer: examples/gpu_kmer.c examples/gpu_kmer_ptx.h examples/gpu_kmer_twin.h examples/tools/fqcli.h \
                   $(HEADERS) | $(BUILD)
	$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS) $(LDLIBS)

TOOL_HEADERS = $(wildcard examples/tools/*.h)
$(BUILD)/%: examples/tools/%.c $(TOOL_HEADERS) $(HEADERS) | $(BUILD)
	$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS) $(LDLIBS)

# fqstats over MPI ranks (make mpi; Debian: openmpi-bin libopenmpi-dev): the
# same source with -DFQS_MPI. Not in `all`: MPI is optional.
MPICC ?= mpicc
mpi: $(BUILD)/fqstats_mpi
$(BUILD)/fqstats_mpi: examples/tools/fqstats.c $(TOOL_HEADERS) $(HEADERS) | $(BUILD)
	$(MPICC) $(CFLAGS) -DFQS_MPI -o $@ $< $(LDFLAGS) $(LDLIBS)

$(BUILD)/%: tests/%.c $(HEADERS) tests/test.h tests/thread.h tests/helpers.h | $(BUILD)
	$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS) $(LDLIBS)

# make report-png: examples/tools/report.png, the README's picture of the HTML
# report, written by fqstats --html from a generated sample (reads of 40 to
# 150 letters, so the length chart has many bars) and rendered by headless
# Chromium (Debian chromium) at 1000x1400. Committed; run again after
# changing fqhtml.h.
REPORT_PNG = examples/tools/report.png
.PHONY: report-png
report-png: $(BUILD)/fqstats $(BUILD)/fqgen
	$(BUILD)/fqgen -n 5000 -s 7 -l 40-150 > $(BUILD)/report-sample.fq
	cd $(BUILD) && ./fqstats -Q --html report.html report-sample.fq > /dev/null
	chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1000,1400 \
	    --screenshot=$(abspath $(REPORT_PNG)) file://$(abspath $(BUILD)/report.html)
	@ls -l $(REPORT_PNG)

# The reference QC counters from a plain reader, written as FastQC's
# fastqc_data.txt and as the HTML page (test_fastqc.sh, test_html.sh).
FQVIEW_DEPS = examples/tools/fqview.h examples/tools/fqfastqc.h examples/tools/fqhtml.h
$(BUILD)/fqview_ref: tests/fqview_ref.c $(FQVIEW_DEPS) | $(BUILD)
	$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS) $(LDLIBS)

# The fake CUDA driver (tests only): the entry points fastqpar_cuda.h loads,
# over host memory, running kernels.cu and examples/gpu_kmer.cu under device
# emulation.
$(BUILD)/libfakecuda.so: tests/fake_cuda.c tests/fake_cuda.h tests/kernels_emu.c tests/cuda_emu.h kernels.cu \
                         examples/gpu_kmer.cu $(HEADERS) | $(BUILD)
	$(CC) $(CFLAGS) -fPIC -shared -o $@ tests/fake_cuda.c tests/kernels_emu.c $(LDFLAGS) -lpthread

$(BUILD)/test_cuda: tests/test_cuda.c tests/fake_cuda.h $(HEADERS) tests/test.h tests/thread.h tests/helpers.h \
                    examples/gpu_kmer_ptx.h examples/gpu_kmer_twin.h $(BUILD)/libfakecuda.so | $(BUILD)
	$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS) $(LDLIBS)

# test_fake_cuda drives the fake driver itself (dlopen, no fastqpar_cuda.h).
$(BUILD)/test_fake_cuda: tests/test_fake_cuda.c tests/fake_cuda.h tests/test.h $(BUILD)/libfakecuda.so | $(BUILD)
	$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS) -ldl

# test_kernels and test_kmer run kernels.cu and examples/gpu_kmer.cu under
# device emulation (tests/kernels_emu.c).
EMU_SRCS = tests/kernels_emu.c tests/cuda_emu.h kernels.cu examples/gpu_kmer.cu
$(BUILD)/test_kernels: tests/test_kernels.c $(EMU_SRCS) $(HEADERS) tests/test.h | $(BUILD)
	$(CC) $(CFLAGS) -o $@ tests/test_kernels.c tests/kernels_emu.c $(LDFLAGS) $(LDLIBS)

$(BUILD)/test_kmer: tests/test_kmer.c examples/gpu_kmer_twin.h $(EMU_SRCS) $(HEADERS) tests/test.h | $(BUILD)
	$(CC) $(CFLAGS) -o $@ tests/test_kmer.c tests/kernels_emu.c $(LDFLAGS) $(LDLIBS)

# Test programs and scripts find the binaries through FQP_BUILD.
test: all
	@FQP_BUILD=$(abspath $(BUILD)) tests/run.sh $(TEST_BINS) $(TEST_SCRIPTS)

$(BUILD)/sample.fq.gz: $(BUILD)/fqgen
	$(BUILD)/fqgen -n 200000 -s 1 | gzip -6 > $@

run: $(BUILD)/fqstats $(BUILD)/sample.fq.gz
	$(BUILD)/fqstats -a $(BUILD)/sample.fq.gz

# make bench [BENCH_SIZE=200M] [BENCH_RUNS=3] [BENCH_JOBS=count,stats] ...:
# the BENCH_* variables (see tests/bench/bench.sh) reach the script from the
# command line or the environment; BENCH_FLAGS passes options as they are.
# Inputs are cached in build/bench/, the report goes to build/bench/results.md.
bench: $(BUILD)/fqcnt $(BUILD)/fqstats $(BUILD)/fqgen
	FQP_BUILD=$(BUILD) BENCH_CMDLINE="$(strip make bench $(foreach v,$(filter-out BENCH_CMDLINE,$(filter BENCH_%,$(.VARIABLES))),$(if $(filter command line environment,$(origin $(v))),$(if $(word 2,$($(v))),$(v)='$($(v))',$(v)=$($(v))))))" \
	    tests/bench/bench.sh $(BENCH_FLAGS)

# ASan+UBSan, then TSan, each in its own build directory. The build-variant
# scripts compile their own unsanitized programs: running them again here
# would only repeat the plain pass. test_inflate.sh rebuilds the tests once
# per backend (test_codec already runs every backend under the sanitizers),
# the fuzz harnesses run under ASan in make fuzz, and test_device_check.sh
# checks tests/gpu/device-check.sh (its dry run repeats the tool tests' runs),
# test_fastqc.sh spends its time in FastQC's JVM (fqstats --fastqc-data runs
# sanitized in test_merge.sh and test_shard_cli.sh) and test_mpi.sh builds its
# own unsanitized fqstats_mpi (MPI's own allocations are not ours to check).
SAN_SCRIPTS = $(filter-out tests/test_build.sh tests/test_cuda_build.sh tests/test_ptx.sh tests/test_inflate.sh \
                tests/test_fuzz_corpus.sh tests/test_install.sh tests/test_cxx_example.sh \
                tests/test_device_check.sh tests/test_fastqc.sh tests/test_mpi.sh,$(TEST_SCRIPTS))
sanitize: asan tsan
asan:
	FQP_TEST_QUICK=1 $(MAKE) test BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	    EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" TEST_SCRIPTS="$(SAN_SCRIPTS)"
tsan:
	FQP_TEST_QUICK=1 $(MAKE) test BUILD=build-tsan OPT="-O1 -g" EXTRA_CFLAGS="-fsanitize=thread" \
	    LDFLAGS="-fsanitize=thread" TEST_SCRIPTS="$(SAN_SCRIPTS)"

# make fuzz: every libFuzzer harness for FUZZ_SECONDS each (default 60),
# from its committed seed corpus with the FASTQ dictionary. New inputs and
# findings go to build-fuzz/, never into tests/fuzz/. Needs clang with
# libFuzzer (Debian: clang, libclang-rt-14-dev).
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZERS       = parser gzip pipeline paired pgzip pargz
FUZZ_BINS     = $(addprefix build-fuzz/fuzz_,$(FUZZERS))
build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/ref_fastq.h tests/helpers.h $(HEADERS)
	@mkdir -p build-fuzz
	$(FUZZ_CC) -g -O1 $(WARN) -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -I. \
	    -o $@ $< -lz -lpthread -lm -ldl
fuzz: $(FUZZ_BINS)
	@for f in $(FUZZERS); do \
	    mkdir -p build-fuzz/corpus_$$f; \
	    build-fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -timeout=20 -dict=tests/fuzz/fastq.dict \
	        -artifact_prefix=build-fuzz/ -print_final_stats=1 build-fuzz/corpus_$$f tests/fuzz/corpus_$$f \
	        >build-fuzz/fuzz_$$f.log 2>&1 || { tail -40 build-fuzz/fuzz_$$f.log; echo "FAIL fuzz_$$f"; exit 1; }; \
	    echo "PASS fuzz_$$f: $$(sed -n 's/^stat::number_of_executed_units: *//p' build-fuzz/fuzz_$$f.log) inputs in $(FUZZ_SECONDS) s"; \
	done

# make valgrind: the core test programs under memcheck (any error or a
# definite/indirect leak fails). Valgrind runs threads one at a time, so the
# thread-heavy programs (test_pipeline: ~2 min there, test_races, test_soak)
# are left to ASan and TSan; test_faults still runs pipelines of 1-4 threads.
VALGRIND      ?= valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
                 --errors-for-leak-kinds=definite,indirect
VALGRIND_BINS  = $(addprefix $(BUILD)/,test_parser test_queue test_faults test_hostile)
valgrind: all
	@FQP_BUILD=$(abspath $(BUILD)) RUN_WRAP="$(VALGRIND)" tests/run.sh $(VALGRIND_BINS)

# make static: single binaries of fqcnt and every tool in TOOLS
# ($(BUILD)/NAME-static). A static program cannot load libraries at run time,
# so ISA-L and libdeflate are linked in when their static archives exist
# (libisal.a, libdeflate.a), else those binaries use zlib alone. The linker's
# dlopen warning (fastqpar_cuda.h still tries libcuda, which fails cleanly:
# CPU path) is a linker warning, which -Werror does not turn into an error.
STATIC_LIBDIRS = /usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu /usr/lib /usr/local/lib
STATIC_ISAL    = $(if $(firstword $(wildcard $(addsuffix /libisal.a,$(STATIC_LIBDIRS)))),-DFASTQPAR_USE_ISAL)
STATIC_LD      = $(if $(firstword $(wildcard $(addsuffix /libdeflate.a,$(STATIC_LIBDIRS)))),-DFASTQPAR_USE_LIBDEFLATE)
STATIC_LIBS    = $(if $(STATIC_ISAL),-lisal) $(if $(STATIC_LD),-ldeflate) $(LDLIBS)
STATIC_CC      = $(CC) $(OPT) $(WARN) -I. -DFASTQPAR_NO_DLOPEN $(STATIC_ISAL) $(STATIC_LD) -static
STATIC_BINS    = $(patsubst %,$(BUILD)/%-static,fqcnt $(TOOLS))
static: $(STATIC_BINS)
	@echo "static: $(notdir $(STATIC_BINS)) with $(or $(strip $(STATIC_ISAL) $(STATIC_LD)),zlib only (no libisal.a or libdeflate.a))"
$(BUILD)/%-static: examples/%.c $(HEADERS) | $(BUILD)
	$(STATIC_CC) -o $@ $< $(STATIC_LIBS)
$(BUILD)/%-static: examples/tools/%.c $(TOOL_HEADERS) $(HEADERS) | $(BUILD)
	$(STATIC_CC) -o $@ $< $(STATIC_LIBS)

# make install / make uninstall [PREFIX=/usr/local] [DESTDIR=]: the headers to
# include/, the tools (TOOLS, as built in $(BUILD)) to bin/, kernels.ptx (the
# PTX fastqpar_cuda.h embeds, for FASTQPAR_PTX) and its source kernels.cu to
# share/fastqpar/, and fastqpar.pc for pkg-config. fqcnt and the other
# examples/ programs teach; they are not installed. uninstall removes exactly
# those files, and share/fastqpar/ once empty. PC_LIBS is what the headers
# need (LDLIBS without INFLATE's additions). fastqpar.pc is written in place,
# not in $(BUILD), where `sudo make install` would leave a file owned by root.
PREFIX       ?= /usr/local
BINDIR       ?= $(PREFIX)/bin
INCLUDEDIR   ?= $(PREFIX)/include
DATADIR      ?= $(PREFIX)/share/fastqpar
PKGCONFIGDIR ?= $(PREFIX)/lib/pkgconfig
INSTALL      ?= install
VERSION       = $(shell sed -n 's/^\#define FASTQPAR_VERSION_STRING "\(.*\)"$$/\1/p' fastqpar.h)
PC_LIBS       = -lz -lpthread -lm -ldl
INSTALL_BINS  = $(addprefix $(BUILD)/,$(TOOLS))
DATA_FILES    = kernels.ptx kernels.cu
pc_dir        = $(patsubst $(PREFIX)/%,$${prefix}/%,$(1))
.PHONY: install uninstall
install: $(INSTALL_BINS)
	@test -n "$(VERSION)" || { echo "no FASTQPAR_VERSION_STRING in fastqpar.h" >&2; exit 1; }
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(PKGCONFIGDIR)
	$(INSTALL) -m 755 $(INSTALL_BINS) $(DESTDIR)$(BINDIR)
	$(INSTALL) -m 644 $(HEADERS) $(DESTDIR)$(INCLUDEDIR)
	$(INSTALL) -m 644 $(DATA_FILES) $(DESTDIR)$(DATADIR)
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@INCLUDEDIR@|$(call pc_dir,$(INCLUDEDIR))|' \
	    -e 's|@DATADIR@|$(call pc_dir,$(DATADIR))|; s|@VERSION@|$(VERSION)|; s|@LIBS@|$(PC_LIBS)|' \
	    fastqpar.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/fastqpar.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/fastqpar.pc
uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(TOOLS)) $(addprefix $(DESTDIR)$(INCLUDEDIR)/,$(HEADERS)) \
	      $(addprefix $(DESTDIR)$(DATADIR)/,$(DATA_FILES)) $(DESTDIR)$(PKGCONFIGDIR)/fastqpar.pc
	@if [ -d $(DESTDIR)$(DATADIR) ]; then rmdir $(DESTDIR)$(DATADIR) 2>/dev/null || true; fi

# make ptx: kernels.cu -> kernels.ptx for compute_75, the oldest architecture
# CUDA 13 supports (the driver JIT-compiles it for newer GPUs), with the
# oldest .version ptxas accepts (older drivers can load it), then embeds it
# in fastqpar_cuda.h; likewise examples/gpu_kmer.cu -> examples/gpu_kmer.ptx,
# embedded as fqp_kmer_ptx[] in examples/gpu_kmer_ptx.h. All four are
# committed; tests/test_ptx.sh checks them.
# $(call ptx_lower,IN,OUT): IN (.cu, compiled for PTX_ARCH, or .ptx) to OUT
# with that oldest .version (tests/ptx_lower.sh); every PTX make ptx writes
# goes through it. KMER_PTX_* as PTX_* (test_ptx.sh points them all into a
# scratch directory).
NVCC            ?= $(or $(shell command -v nvcc 2>/dev/null),/usr/local/cuda/bin/nvcc)
PTX_ARCH         = compute_75
PTX_OUT         ?= kernels.ptx
PTX_HEADER      ?= fastqpar_cuda.h
KMER_PTX_OUT    ?= examples/gpu_kmer.ptx
KMER_PTX_HEADER ?= examples/gpu_kmer_ptx.h
ptx_lower        = NVCC='$(NVCC)' PTX_ARCH='$(PTX_ARCH)' tests/ptx_lower.sh $(1) $(2)
.PHONY: ptx
ptx:
	$(call ptx_lower,kernels.cu,$(PTX_OUT))
	@if [ -f $(PTX_HEADER) ]; then tests/embed_ptx.sh $(PTX_OUT) $(PTX_HEADER); \
	else echo "$(PTX_HEADER) not found: PTX not embedded"; fi
	$(call ptx_lower,examples/gpu_kmer.cu,$(KMER_PTX_OUT))
	@if [ -f $(KMER_PTX_HEADER) ]; then tests/embed_ptx.sh -n fqp_kmer_ptx $(KMER_PTX_OUT) $(KMER_PTX_HEADER); \
	else echo "$(KMER_PTX_HEADER) not found: PTX not embedded"; fi

clean:
	rm -rf build build-asan build-tsan build-isal build-libdeflate build-fuzz
