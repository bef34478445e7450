# redis-medic build. `make run` and `make test` install missing Debian packages
# (scripts/deps.sh), build, and run. `make test SANITIZE=1` builds with ASan+UBSan.

CC       ?= cc
PKGS      = libuv jansson openssl hiredis yaml-0.1 libpcre2-8 sqlite3 libhs zlib libzstd
CSTD      = -std=c11 -D_GNU_SOURCE
WARN      = -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
            -Wformat=2 -Wno-format-nonliteral
OPT      ?= -O2 -g
BUILD    ?= build

ifeq ($(SANITIZE),1)
  OPT   = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
  BUILD = build/san
endif

CFLAGS  += $(CSTD) $(WARN) $(OPT) -Isrc
LDLIBS  += -lm

SRC      = $(wildcard src/*.c)
LIBSRC   = $(filter-out src/main.c,$(SRC))
KBSRC    = $(sort $(wildcard kb/*.md))
LIBOBJ   = $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIBSRC)) $(BUILD)/obj/kb_builtin.o
UNITSRC  = $(wildcard tests/unit/test_*.c)
UNITBIN  = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNITSRC))
BIN      = $(BUILD)/redis-medic
FUZZSRC  = $(wildcard tests/fuzz/fuzz_*.c)
FUZZBIN  = $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZSRC))
FUZZ_SECONDS ?= 5
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

.PHONY: all deps run test unit integration demo fuzz fuzz-build bench clean

all: deps $(BIN)

deps:
	@bash scripts/deps.sh

# pkg-config flags are resolved lazily, after `deps` has installed the packages.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

$(BUILD)/obj/%.o: src/%.c $(wildcard src/*.h) | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -DRMD_VERSION=\"$(VERSION)\" -c $< -o $@

# The built-in knowledge base: kb/*.md compiled into the binary.
$(BUILD)/gen/kb_builtin.c: $(KBSRC) scripts/embed-kb.sh
	@mkdir -p $(dir $@)
	bash scripts/embed-kb.sh $@ $(KBSRC)

$(BUILD)/obj/kb_builtin.o: $(BUILD)/gen/kb_builtin.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-overlength-strings -c $< -o $@

$(BUILD)/librmd.a: $(LIBOBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(BUILD)/obj/main.o $(BUILD)/librmd.a
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)
ifneq ($(BUILD),build)
	@mkdir -p build && ln -sf $(abspath $@) build/redis-medic-san
endif

$(BUILD)/tests/%: tests/unit/%.c tests/unit/unit.h $(BUILD)/librmd.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -Itests/unit -o $@ $< $(BUILD)/librmd.a $(PKG_LIBS) $(LDLIBS)

# libFuzzer targets: clang, ASan + UBSan, built from the library sources.
build/fuzz/%: tests/fuzz/%.c $(LIBSRC) $(wildcard src/*.h) $(BUILD)/gen/kb_builtin.c | deps
	@mkdir -p $(dir $@)
	clang -g -O1 -fsanitize=fuzzer,address,undefined $(CSTD) -Isrc $(PKG_CFLAGS) $< $(LIBSRC) $(BUILD)/gen/kb_builtin.c $(PKG_LIBS) -lm -o $@

fuzz-build: $(FUZZBIN)

fuzz: $(FUZZBIN)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/run-fuzz.sh $(FUZZBIN)

# `make run ARGS="redis://host:port"`: diagnose an endpoint (default 127.0.0.1:6379).
# The diagnosis's own exit status (1 warning, 2 critical) is printed, not a make failure.
run: all
	@$(BIN) diagnose $(ARGS); rc=$$?; [ $$rc -le 2 ] || exit $$rc; echo "(redis-medic exit status $$rc)" 

unit: all $(UNITBIN)
	@bash tests/run-unit.sh $(UNITBIN)

integration: all
	@RMD_BIN=$(abspath $(BIN)) bash tests/integration/run.sh

# The whole suite: unit tests, then integration tests against real redis-servers.
# Ends with one line "N passed, N failed".
test: all $(UNITBIN) $(FUZZBIN)
	@RMD_BIN=$(abspath $(BIN)) RMD_FUZZ="$(FUZZBIN)" FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/run-all.sh $(UNITBIN)

demo: all
	@RMD_BIN=$(abspath $(BIN)) bash scripts/demo.sh

bench: all
	@RMD_BIN=$(abspath $(BIN)) bash bench/diagnose.sh

clean:
	rm -rf build
