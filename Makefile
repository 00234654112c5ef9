# mscagent: the email-driven MSC migration agent.
#
#   make            install missing build packages, build build/mscagent
#   make test       the same, then an ASan+UBSan build and every test
#   make install    PREFIX=/usr/local DESTDIR=
#   make clean
#
# V=1 shows the commands.

CC		?= cc
PKG_CONFIG	?= pkg-config
PREFIX		?= /usr/local
BINDIR		?= $(PREFIX)/bin
SHAREDIR	?= $(PREFIX)/share/mscagent
SYSCONFDIR	?= $(PREFIX)/etc
DESTDIR		?=

# Every library of the stack, by pkg-config name.  libetpan's .pc file
# links with a dpkg specs file and makes a non-PIE binary, so only its -l
# flags are used (see README, "Building").
PKGS		= libcurl libjwt sqlite3 libxml-2.0 libmicrohttpd jansson inih gnutls
DEB_BUILD	= build-essential pkg-config ca-certificates libetpan-dev \
		  libcurl4-gnutls-dev libjwt-dev libsqlite3-dev libxml2-dev \
		  libmicrohttpd-dev libjansson-dev libinih-dev libgnutls28-dev \
		  libcmocka-dev
# What the tests run besides the build (the mail stack installs its own).
DEB_TEST	= faketime python3 valgrind clang libclang-rt-14-dev

WARN		= -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
		  -Wmissing-prototypes -Wpointer-arith -Wcast-qual -Wformat=2 \
		  -Wwrite-strings
PKG_CFLAGS	= $(shell $(PKG_CONFIG) --cflags $(PKGS) libetpan)
PKG_LIBS	= $(shell $(PKG_CONFIG) --libs $(PKGS)) \
		  $(shell $(PKG_CONFIG) --libs-only-l libetpan)
CFLAGS		?= -O2 -g
ALL_CFLAGS	= -std=c11 -D_GNU_SOURCE $(WARN) -Iinclude $(PKG_CFLAGS) \
		  -MMD -MP $(CFLAGS)
LDLIBS		= $(PKG_LIBS) -lpthread -lm

SANITIZE	?= address,undefined
ASAN_CFLAGS	= -O1 -g -fno-omit-frame-pointer -fsanitize=$(SANITIZE) \
		  -fno-sanitize-recover=all

SRCS		= $(wildcard agent/*.c)
LIB_SRCS	= $(filter-out agent/main.c,$(SRCS))
OBJS		= $(SRCS:agent/%.c=build/obj/%.o)
ASAN_OBJS	= $(SRCS:agent/%.c=build/asan/obj/%.o)
ASAN_LIB_OBJS	= $(LIB_SRCS:agent/%.c=build/asan/obj/%.o)
UNIT_SRCS	= $(wildcard tests/unit/test_*.c)
UNIT_BINS	= $(UNIT_SRCS:tests/unit/%.c=build/asan/tests/%)

ifeq ($(V),1)
Q =
else
Q = @
endif

.PHONY: all deps test-deps binary test test-build install clean

all: deps
	$(Q)$(MAKE) --no-print-directory binary

binary: build/mscagent

# Installs what is missing, once, without questions; says what to run
# when it cannot (no root, no apt-get).
deps: PACKAGES = $(DEB_BUILD)
test-deps: PACKAGES = $(DEB_BUILD) $(DEB_TEST)
deps test-deps:
	$(Q)missing=""; \
	for p in $(PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		    grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "deps: installing$$missing"; \
			export DEBIAN_FRONTEND=noninteractive; \
			apt-get install -y -q -o DPkg::Lock::Timeout=600 $$missing >/dev/null || \
			{ apt-get update -q >/dev/null && \
			  apt-get install -y -q -o DPkg::Lock::Timeout=600 $$missing >/dev/null; } || \
			{ echo "deps: apt-get could not install:$$missing" >&2; exit 1; }; \
		else \
			echo "deps: missing Debian packages:$$missing" >&2; \
			echo "deps: run as root: apt-get install$$missing" >&2; \
			exit 1; \
		fi; \
	fi

build/mscagent: $(OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $(OBJS) $(LDLIBS)

build/obj/%.o: agent/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

build/asan/mscagent: $(ASAN_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(ASAN_CFLAGS) -o $@ $(ASAN_OBJS) $(LDLIBS)

build/asan/obj/%.o: agent/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (asan)"
	$(Q)$(CC) $(ALL_CFLAGS) $(ASAN_CFLAGS) -c -o $@ $<

build/asan/tests/%: tests/unit/%.c $(ASAN_LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  CC      $< (asan)"
	$(Q)$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes $(ASAN_CFLAGS) \
	    $(shell $(PKG_CONFIG) --cflags cmocka) -o $@ $< $(ASAN_LIB_OBJS) \
	    $(LDLIBS) $(shell $(PKG_CONFIG) --libs cmocka)

test-build: build/mscagent build/asan/mscagent $(UNIT_BINS)

test: test-deps
	$(Q)$(MAKE) --no-print-directory test-build
	$(Q)tests/run.sh

# The installed config keeps state in STATEDIR and finds the templates
# in SHAREDIR; an existing config is never overwritten.
STATEDIR	?= /var/lib/mscagent

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SHAREDIR)/mailtemplates \
	    $(DESTDIR)$(SYSCONFDIR)/mscagent
	install -m 0755 build/mscagent $(DESTDIR)$(BINDIR)/mscagent
	install -m 0644 mailtemplates/*.html $(DESTDIR)$(SHAREDIR)/mailtemplates/
	[ -e $(DESTDIR)$(SYSCONFDIR)/mscagent/agent.conf ] || \
	    sed -e 's|\.\./var|$(STATEDIR)|g' \
	        -e 's|\.\./mailtemplates|$(SHAREDIR)/mailtemplates|' \
	        conf/agent.conf >$(DESTDIR)$(SYSCONFDIR)/mscagent/agent.conf
	chmod 0640 $(DESTDIR)$(SYSCONFDIR)/mscagent/agent.conf

clean:
	rm -rf build

include tests/fuzz/fuzz.mk

-include $(OBJS:.o=.d) $(ASAN_OBJS:.o=.d)
