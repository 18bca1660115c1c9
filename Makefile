# fastqpar: `make` builds examples and tests, `make test` runs every test,
# `make run` runs fqstats on a generated sample.
CC      ?= cc
CXX     ?= c++
OPT     ?= -O2 -g
WARN     = -std=c11 -Wall -Wextra -Wpedantic -Werror
CFLAGS  += $(OPT) $(WARN) -I. $(EXTRA_CFLAGS)
LDLIBS  += -lz -lpthread -lm
BUILD   ?= build

EXAMPLES     = fqcnt fqstats
EXAMPLE_BINS = $(addprefix $(BUILD)/,$(EXAMPLES))
TOOL_BINS    = $(BUILD)/fqgen $(BUILD)/fqref $(BUILD)/fqdump
TEST_SRCS    = $(wildcard tests/test_*.c)
TEST_BINS    = $(patsubst tests/%.c,$(BUILD)/%,$(TEST_SRCS))
TEST_SCRIPTS = $(wildcard tests/test_*.sh)
HEADERS      = fastqpar.h

.PHONY: all test run sanitize asan tsan static clean
all: $(EXAMPLE_BINS) $(TOOL_BINS) $(TEST_BINS)

$(BUILD):
	mkdir -p $(BUILD)

$(BUILD)/%: examples/%.c $(HEADERS) | $(BUILD)
	$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS) $(LDLIBS)

$(BUILD)/%: tests/%.c $(HEADERS) tests/test.h tests/thread.h | $(BUILD)
	$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS) $(LDLIBS)

# Test programs and scripts find the binaries through FQP_BUILD.
test: all
	@FQP_BUILD=$(abspath $(BUILD)) tests/run.sh $(TEST_BINS) $(TEST_SCRIPTS)

$(BUILD)/sample.fq.gz: $(BUILD)/fqgen
	$(BUILD)/fqgen -n 200000 -s 1 | gzip -6 > $@

run: $(BUILD)/fqstats $(BUILD)/sample.fq.gz
	$(BUILD)/fqstats -a $(BUILD)/sample.fq.gz

# ASan+UBSan, then TSan, each in its own build directory.
sanitize: asan tsan
asan:
	$(MAKE) test BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	    EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined"
tsan:
	$(MAKE) test BUILD=build-tsan OPT="-O1 -g" EXTRA_CFLAGS="-fsanitize=thread" \
	    LDFLAGS="-fsanitize=thread"

static: | $(BUILD)
	$(CC) $(OPT) $(WARN) -I. -static -o $(BUILD)/fqcnt-static examples/fqcnt.c $(LDLIBS)
	$(CC) $(OPT) $(WARN) -I. -static -o $(BUILD)/fqstats-static examples/fqstats.c $(LDLIBS)

clean:
	rm -rf build build-asan build-tsan
