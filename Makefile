# MoneyMoments rules engine. `make` builds build/mmr and build/libmmr.a;
# it never installs packages (./scripts/setup.sh does that, `make setup`).
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
INCS     = -Iinclude -I. -I$(BUILD)/gen -I/usr/include/postgresql
SANOPTS  = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SANFLAGS = $(if $(SAN),$(SANOPTS))
CFLAGS  ?= $(OPT) -g
ALLCFLAGS = $(CSTD) $(WARN) $(INCS) $(SANFLAGS) $(CFLAGS) -MMD -MP
LDLIBS   = -lmicrohttpd -ljwt -lpq -lsqlite3 -ljansson -luuid -lunistring -lpthread -lm
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

.PHONY: all setup test test-fast unit bench fuzz demo clean distclean shared man install uninstall

all: $(BUILD)/mmr $(BUILD)/libmmr.a

# Installs flex, bison and the -dev packages when any is missing.
setup:
	./scripts/setup.sh

# one bison run makes both files (&: groups them, so -j never runs it twice)
$(BUILD)/gen/parser.c $(BUILD)/gen/parser.h &: grammar/parser.y
	@mkdir -p $(BUILD)/gen
	$(BISON) -Wall -Werror --defines=$(BUILD)/gen/parser.h -o $(BUILD)/gen/parser.c $<

$(BUILD)/gen/lexer.c $(BUILD)/gen/lexer.h &: grammar/lexer.l $(BUILD)/gen/parser.h
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

# --- shared library, man pages, install (docs: README "Install") ---
# libmmr.so is built from its own -fPIC objects under $(BUILD)/pic, so the
# archive the CLI and unit tests link (they use internal functions) stays
# as it is. Only include/mmr.h's MMR_API functions are exported: objects
# are compiled with -fvisibility=hidden and engine/libmmr.map lists them.
VERSION  := $(shell sed -n 's/^\#define MMR_VERSION "\(.*\)"/\1/p' include/mmr.h)
SOMAJOR  := $(firstword $(subst ., ,$(VERSION)))
SONAME    = libmmr.so.$(SOMAJOR)
PIC_OBJS  = $(LIB_OBJS:$(BUILD)/obj/%=$(BUILD)/pic/%)
PICFLAGS  = -fPIC -fvisibility=hidden

$(BUILD)/pic/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) $(PICFLAGS) -Wno-sign-compare -Wno-unused-function -Wno-shadow -Wno-strict-prototypes -c $< -o $@

$(BUILD)/pic/%.o: %.c | $(BUILD)/gen/parser.h $(BUILD)/gen/lexer.h
	@mkdir -p $(dir $@)
	@echo "  CC  $< (pic)"; $(CC) $(ALLCFLAGS) $(PICFLAGS) -c $< -o $@

$(BUILD)/pic/stdlib/stdsrc.o: $(BUILD)/gen/std_sources.h
$(BUILD)/pic/server/page.o: $(BUILD)/gen/page_assets.h

$(BUILD)/libmmr.so.$(VERSION): $(PIC_OBJS) engine/libmmr.map
	$(CC) $(LDFLAGS) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=engine/libmmr.map \
	    -Wl,--no-undefined -o $@ $(PIC_OBJS) $(LDLIBS)

$(BUILD)/libmmr.so: $(BUILD)/libmmr.so.$(VERSION)
	ln -sf libmmr.so.$(VERSION) $(BUILD)/$(SONAME)
	ln -sf $(SONAME) $@

shared: $(BUILD)/libmmr.so

# mmr(1), mmr-COMMAND(1) and mmr-language(7), from the --help texts and
# docs/language.md (scripts/gen_man.py), so they cannot drift.
MAN_DIR = $(BUILD)/man
$(MAN_DIR)/.stamp: $(BUILD)/mmr scripts/gen_man.py docs/language.md cli/commands.def
	@mkdir -p $(MAN_DIR)
	python3 scripts/gen_man.py --mmr $(BUILD)/mmr --version $(VERSION) --language docs/language.md --out $(MAN_DIR)
	@touch $@

man: $(MAN_DIR)/.stamp

PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR      = $(PREFIX)/bin
LIBDIR      = $(PREFIX)/lib
INCLUDEDIR  = $(PREFIX)/include
DATADIR     = $(PREFIX)/share
MANDIR      = $(DATADIR)/man
BASHCOMPDIR = $(DATADIR)/bash-completion/completions
ZSHCOMPDIR  = $(DATADIR)/zsh/site-functions
INSTALL    ?= install

# install copies what the build made; it builds only what is missing.
install: all shared man
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(DATADIR)/mmr/std \
	    $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	$(INSTALL) -m 755 $(BUILD)/mmr $(DESTDIR)$(BINDIR)/mmr
	$(INSTALL) -m 644 $(BUILD)/libmmr.a $(DESTDIR)$(LIBDIR)/libmmr.a
	$(INSTALL) -m 755 $(BUILD)/libmmr.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libmmr.so.$(VERSION)
	ln -sf libmmr.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libmmr.so
	$(INSTALL) -m 644 include/mmr.h $(DESTDIR)$(INCLUDEDIR)/mmr.h
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' \
	    -e 's|@VERSION@|$(VERSION)|g' -e 's|@LIBS_PRIVATE@|$(LDLIBS)|g' scripts/mmr.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/mmr.pc
	chmod 644 $(DESTDIR)$(LIBDIR)/pkgconfig/mmr.pc
	$(INSTALL) -m 644 $(MAN_DIR)/*.1 $(DESTDIR)$(MANDIR)/man1/
	$(INSTALL) -m 644 $(MAN_DIR)/*.7 $(DESTDIR)$(MANDIR)/man7/
	$(INSTALL) -m 644 completions/mmr.bash $(DESTDIR)$(BASHCOMPDIR)/mmr
	$(INSTALL) -m 644 completions/_mmr $(DESTDIR)$(ZSHCOMPDIR)/_mmr
	$(INSTALL) -m 644 $(STD_MMR) $(DESTDIR)$(DATADIR)/mmr/std/

# Removes exactly what install put (the names come from the same lists),
# then the directories it made if they are left empty.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/mmr $(DESTDIR)$(LIBDIR)/libmmr.a $(DESTDIR)$(LIBDIR)/libmmr.so \
	    $(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libmmr.so.$(VERSION) \
	    $(DESTDIR)$(INCLUDEDIR)/mmr.h $(DESTDIR)$(LIBDIR)/pkgconfig/mmr.pc \
	    $(DESTDIR)$(BASHCOMPDIR)/mmr $(DESTDIR)$(ZSHCOMPDIR)/_mmr \
	    $(addprefix $(DESTDIR)$(DATADIR)/mmr/std/,$(notdir $(STD_MMR)))
	rm -f $(DESTDIR)$(MANDIR)/man1/mmr.1 $(DESTDIR)$(MANDIR)/man7/mmr-language.7 \
	    $(foreach c,$(COMMANDS),$(DESTDIR)$(MANDIR)/man1/mmr-$(c).1)
	rmdir $(DESTDIR)$(DATADIR)/mmr/std $(DESTDIR)$(DATADIR)/mmr 2>/dev/null || true

# the command names, for uninstall (the man pages are one per command)
COMMANDS := $(shell sed -n 's/^CMD.\([a-z_]*\),.*/\1/p' cli/commands.def)

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj $(BUILD)/pic -name '*.d' 2>/dev/null)
