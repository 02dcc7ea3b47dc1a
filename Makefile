# MoneyMoments rules engine. `make` builds build/mmr and build/libmmr.a.
# `make test` runs every test under AddressSanitizer + UBSan.
# `make SAN=1 BUILD=build/san` is the sanitizer build the tests use.

BUILD   ?= build
CC      ?= cc
FLEX    ?= flex
BISON   ?= bison
SAN     ?=
OPT     ?= -O2

CSTD     = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
INCS     = -Iinclude -I. -I$(BUILD)/gen
SANOPTS  = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SANFLAGS = $(if $(SAN),$(SANOPTS))
CFLAGS  ?= $(OPT) -g
ALLCFLAGS = $(CSTD) $(WARN) $(INCS) $(SANFLAGS) $(CFLAGS) -MMD -MP
LDLIBS   = -lmicrohttpd -ljwt -lsqlite3 -ljansson -lpthread -lm
LDFLAGS += $(SANFLAGS)

LIB_DIRS = util grammar compiler vm stdlib engine signals store server
LIB_SRCS = $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))
GEN_SRCS = $(BUILD)/gen/parser.c $(BUILD)/gen/lexer.c
LIB_OBJS = $(LIB_SRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/parser.o $(BUILD)/obj/gen/lexer.o
CLI_SRCS = $(wildcard cli/*.c)
CLI_OBJS = $(CLI_SRCS:%.c=$(BUILD)/obj/%.o)
STD_MMR  = $(wildcard stdlib/std/*.mmr)

UNIT_SRCS = $(wildcard tests/unit/test_*.c)
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all setup test test-fast unit bench fuzz demo clean distclean

all: $(BUILD)/.deps-ok $(BUILD)/mmr $(BUILD)/libmmr.a

# Installs flex, bison and the -dev packages when any is missing.
$(BUILD)/.deps-ok: scripts/setup.sh
	@./scripts/setup.sh
	@mkdir -p $(BUILD) && touch $@

setup:
	./scripts/setup.sh

# one bison run makes both files (&: groups them, so -j never runs it twice)
$(BUILD)/gen/parser.c $(BUILD)/gen/parser.h &: grammar/parser.y | $(BUILD)/.deps-ok
	@mkdir -p $(BUILD)/gen
	$(BISON) -Wall -Werror --defines=$(BUILD)/gen/parser.h -o $(BUILD)/gen/parser.c $<

$(BUILD)/gen/lexer.c $(BUILD)/gen/lexer.h &: grammar/lexer.l $(BUILD)/gen/parser.h | $(BUILD)/.deps-ok
	@mkdir -p $(BUILD)/gen
	$(FLEX) --header-file=$(BUILD)/gen/lexer.h -o $(BUILD)/gen/lexer.c $<

# The std/ schemas are compiled into the library as C string literals.
$(BUILD)/gen/std_sources.h: $(STD_MMR) scripts/embed.sh
	@mkdir -p $(BUILD)/gen
	./scripts/embed.sh $(STD_MMR) > $@

$(BUILD)/obj/stdlib/stdsrc.o: $(BUILD)/gen/std_sources.h

# The web page of `mmr serve` (server/page/*) is compiled in the same way.
PAGE_FILES = $(wildcard server/page/*.html server/page/*.css server/page/*.js)
$(BUILD)/gen/page_assets.h: $(PAGE_FILES) scripts/embed_page.py
	@mkdir -p $(BUILD)/gen
	python3 scripts/embed_page.py $(PAGE_FILES) > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/server/page.o: $(BUILD)/gen/page_assets.h

# Generated code is not ours to keep warning-clean; everything else is.
$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -Wno-sign-compare -Wno-unused-function -Wno-shadow -Wno-strict-prototypes -c $< -o $@

$(BUILD)/obj/%.o: %.c | $(BUILD)/gen/parser.h $(BUILD)/gen/lexer.h
	@mkdir -p $(dir $@)
	@echo "  CC  $<"; $(CC) $(ALLCFLAGS) -c $< -o $@

$(BUILD)/libmmr.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/mmr: $(CLI_OBJS) $(BUILD)/libmmr.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJS) $(BUILD)/libmmr.a $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/t.h $(BUILD)/libmmr.a
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libmmr.a $(LDLIBS)

unit: $(UNIT_BINS)

# The README's test command. Runs everything against the sanitizer build.
test:
	@./scripts/setup.sh
	$(MAKE) --no-print-directory SAN=1 BUILD=build/san OPT=-O1 all unit
	$(MAKE) --no-print-directory all
	MMR=build/san/mmr MMR_FAST=build/mmr UNIT_DIR=build/san/tests ./tests/run.sh

# Same suite without sanitizers: quicker while editing.
test-fast: all unit
	MMR=$(BUILD)/mmr MMR_FAST=$(BUILD)/mmr UNIT_DIR=$(BUILD)/tests ./tests/run.sh

demo: all
	./scripts/demo.sh

bench: all
	./bench/run.sh

fuzz:
	./fuzz/run.sh

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
