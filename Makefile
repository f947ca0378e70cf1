# intaked - plain Makefile (GNU make). See README.md.
#
#   make            build bin/intaked and bin/intakectl
#   make deps       install the Debian packages the build needs (as root)
#   make deps-test  and those the tests need (clients, valgrind, a browser)
#   make run        deps, build, start the daemon on the embedded defaults
#   make test       unit + black-box tests
#   make test-san   the same, built with ASan + UBSan into build-san/
#   make bench      throughput, latency and memory figures
#   make soak       legitimate clients under a mixed attack (SOAK_SECONDS, 120)
#   make fuzz       every libFuzzer harness for FUZZ_SECONDS each
#   make clean
#
# Knobs: CFLAGS, SANITIZER=address,undefined, WERROR=1, FUZZ_SECONDS=60.

CC	?= cc
CFLAGS	?= -O2 -g
SANITIZER ?=
FUZZ_SECONDS ?= 60

PKGS	= libevent libevent_openssl libevent_pthreads openssl sqlite3 \
	  libpcre2-8 jansson yaml-0.1 libutf8proc libidn2 inih libsystemd \
	  libesmtp-1.0 zlib
# What building and running need (make run), and what the tests need
# besides (make test): clients, sanitizer and fuzzer runtimes, a browser.
DEBS	= build-essential pkg-config libevent-dev libssl-dev libsqlite3-dev \
	  libpcre2-dev libjansson-dev libyaml-dev libutf8proc-dev libidn2-dev \
	  libinih-dev libsystemd-dev libesmtp-dev zlib1g-dev openssl
TEST_DEBS = clang libclang-rt-14-dev python3 curl swaks sqlite3 valgrind \
	  tzdata chromium chromium-driver libxml2-utils

WARN	= -Wall -Wextra -Wshadow -Wpointer-arith -Wmissing-prototypes \
	  -Wstrict-prototypes -Wformat=2 -Wformat-security -Wno-unused-parameter \
	  -Wno-sign-compare -Wwrite-strings -Wundef
ifeq ($(WERROR),1)
WARN	+= -Werror
endif

ifeq ($(SANITIZER),)
BUILD	?= build
BIN	?= bin
else
BUILD	?= build-san
BIN	?= build-san/bin
SANFLAGS = -fsanitize=$(SANITIZER) -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif

# pkg-config is asked only by the make that builds: `run` and `test` install
# the packages first and then build in a sub-make, which reads this file
# anew (a make that asked before `deps` ran would link without the libraries).
# A build without the packages stops here with the command that fixes it.
BUILD_GOALS := $(filter-out deps deps-test clean run test test-san,$(or $(MAKECMDGOALS),all))
ifneq ($(BUILD_GOALS),)
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ifeq ($(PKG_LIBS),)
$(error build libraries missing ($(shell pkg-config --print-errors --exists $(PKGS) 2>&1 | head -n 1)); run `make deps` as root, or `make run`)
endif
endif

ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE -Iinclude -Itests/unit $(PKG_CFLAGS) $(WARN) \
	     $(CFLAGS) $(SANFLAGS) -MMD -MP
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)
LIBS	= $(PKG_LIBS) -lpthread

PARSER_SRC	= $(wildcard parsers/*.c)
GW_SRC		= $(filter-out gateway/main.c,$(wildcard gateway/*.c))
CTL_SRC		= $(wildcard ctl/*.c)
PUNIT_SRC	= $(wildcard tests/unit/parsers/test_*.c)
GUNIT_SRC	= $(wildcard tests/unit/gateway/test_*.c)
BENCH_SRC	= $(wildcard tests/bench/*.c)
EMBED_SRC	= $(BUILD)/gen/embedded.c

PARSER_OBJ	= $(PARSER_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/embedded.o
GW_OBJ		= $(GW_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN	= $(PUNIT_SRC:tests/unit/parsers/%.c=$(BUILD)/tests/%) \
		  $(GUNIT_SRC:tests/unit/gateway/%.c=$(BUILD)/tests/%)
BENCH_BIN	= $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)

# Data files compiled into the binaries (name = C symbol prefix).
EMBED	= taxonomy:conf/taxonomy.tsv classify:conf/classify.tsv \
	  auto:conf/auto.tsv \
	  page_messages:conf/messages.tsv page_css:conf/style.css \
	  page_layout:conf/pages/layout.html page_home:conf/pages/home.html \
	  page_report:conf/pages/report.html page_status:conf/pages/status.html \
	  page_verify:conf/pages/verify.html \
	  page_verified:conf/pages/verified.html \
	  page_error:conf/pages/error.html \
	  page_staff_login:conf/pages/staff_login.html \
	  page_staff_queue:conf/pages/staff_queue.html \
	  page_staff_incident:conf/pages/staff_incident.html \
	  page_staff_stats:conf/pages/staff_stats.html
EMBED_FILES = $(foreach e,$(EMBED),$(word 2,$(subst :, ,$(e))))

.PHONY: all deps deps-test run test test-all test-unit test-daemon test-san test-valgrind bench soak fuzz clean check-config

all: $(BIN)/intaked $(BIN)/intakectl

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(EMBED_SRC): $(EMBED_FILES) tests/tools/embed.sh Makefile
	@mkdir -p $(dir $@)
	sh tests/tools/embed.sh $(EMBED) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/embedded.o: $(EMBED_SRC)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libparsers.a: $(PARSER_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libgw.a: $(GW_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN)/intaked: $(BUILD)/gateway/main.o $(BUILD)/libgw.a $(BUILD)/libparsers.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BIN)/intakectl: $(CTL_SRC:%.c=$(BUILD)/%.o) $(BUILD)/libgw.a $(BUILD)/libparsers.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# Parser tests link the parsers only: they must not need the daemon.
$(PUNIT_SRC:tests/unit/parsers/%.c=$(BUILD)/tests/%): $(BUILD)/tests/%: $(BUILD)/tests/unit/parsers/%.o $(BUILD)/libparsers.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(GUNIT_SRC:tests/unit/gateway/%.c=$(BUILD)/tests/%): $(BUILD)/tests/%: $(BUILD)/tests/unit/gateway/%.o $(BUILD)/libgw.a $(BUILD)/libparsers.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/bench/%: $(BUILD)/tests/bench/%.o $(BUILD)/libgw.a $(BUILD)/libparsers.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

deps:
	@sh tests/tools/deps.sh $(DEBS)

deps-test:
	@sh tests/tools/deps.sh $(DEBS) $(TEST_DEBS)

run:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all
	./$(BIN)/intaked

check-config: $(BIN)/intaked
	./$(BIN)/intaked -n -c conf/intaked.conf

test:
	@$(MAKE) --no-print-directory deps-test
	@$(MAKE) --no-print-directory test-all

test-all: all $(UNIT_BIN)
	@BUILD=$(BUILD) BIN=$(BIN) sh tests/run_all.sh

test-unit: all $(UNIT_BIN)
	@BUILD=$(BUILD) BIN=$(BIN) ONLY=unit sh tests/run_all.sh

test-daemon: all
	@BUILD=$(BUILD) BIN=$(BIN) ONLY=daemon sh tests/run_all.sh

test-san:
	$(MAKE) SANITIZER=address,undefined test

# Unit tests under valgrind: every free path, no leak, no invalid access.
test-valgrind: $(UNIT_BIN)
	@sh tests/tools/valgrind.sh $(UNIT_BIN)

bench: all $(BENCH_BIN)
	@BUILD=$(BUILD) BIN=$(BIN) sh tests/bench/run.sh

# Legitimate clients under a mixed attack for SOAK_SECONDS (120): tests/soak/soak.py
soak: all
	@INTAKED_BIN=$(BIN) python3 tests/soak/soak.py

fuzz:
	@FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh

clean:
	rm -rf build build-san build-fuzz bin

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
