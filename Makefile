# mscagent: the email-driven MSC migration agent.
#
#   make            install missing build packages, build build/mscagent
#   make check      after every change, about two minutes: the ASan+UBSan
#                   build, the unit tests and the integration scripts that
#                   need no mail server and no browser (MAILDIR_INTEGRATION)
#   make test       the same as make, then the ASan+UBSan build and every
#                   test (what CI runs)
#   make run        the same as make, then starts the agent on the shipped
#                   config (maildir transports under var/, no server)
#   make valgrind   unit and maildir tests under valgrind's memcheck
#   make lint       cppcheck and clang-tidy
#   make coverage   the unit tests built with gcov: branch coverage of the
#                   pure core, per file and in total; fails under target
#   make pot        the translators' template mailtemplates/po/mscagent.pot
#   make screenshots each language's request and page in headless Chromium,
#                   in build/screenshots/, to look at after a translation
#   make install    PREFIX=/usr/local DESTDIR= (also UNITDIR, the systemd
#                   unit's, and MANDIR, the man page's)
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
PKGS		= libcurl libjwt sqlite3 libxml-2.0 libmicrohttpd jansson inih gnutls \
		  libsodium libqrencode libpq
DEB_BUILD	= build-essential pkg-config ca-certificates libetpan-dev \
		  libcurl4-gnutls-dev libjwt-dev libsqlite3-dev libxml2-dev \
		  libmicrohttpd-dev libjansson-dev libinih-dev libgnutls28-dev \
		  libcmocka-dev libsodium-dev libqrencode-dev libpq-dev
# What the tests run besides the build (the mail stack installs its own).
DEB_TEST	= faketime python3 valgrind clang libclang-rt-14-dev gettext
# The PostgreSQL engine's tests start a server of their own
# (tests/support/pg.sh).
DEB_TEST	+= postgresql
# The browser tests (tests/integration/browser.sh, console_browser.sh):
# headless Chromium.
DEB_TEST	+= chromium chromium-driver

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

.PHONY: all deps test-deps binary test test-build check run install clean

all: deps
	$(Q)$(MAKE) --no-print-directory binary

binary: build/mscagent build/mscagent.8

# The man page, mscagent(8), from the same command table as help.
build/mscagent.8: build/mscagent
	@echo "  MAN     $@"
	$(Q)build/mscagent help --man >$@

# Installs what is missing, once, without questions; says what to run
# when it cannot (no root, no apt-get).
deps: PACKAGES = $(DEB_BUILD)
test-deps: PACKAGES = $(DEB_BUILD) $(DEB_TEST)
deps test-deps lint-deps screenshot-deps:
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
	    $(shell $(PKG_CONFIG) --cflags cmocka) -o $@ $(filter %.c,$^) $(ASAN_LIB_OBJS) \
	    $(LDLIBS) $(shell $(PKG_CONFIG) --libs cmocka)

# A unit program may have source files of its own besides its test_*.c:
# the mail writer's tests compare its bytes with libetpan's (mime_ref.c).
build/asan/tests/test_mime build/vg/tests/test_mime \
    build/cov/tests/test_mime: tests/unit/mime_ref.c

test-build: build/mscagent build/asan/mscagent $(UNIT_BINS)

test: test-deps
	$(Q)$(MAKE) --no-print-directory test-build pot-check
	$(Q)tests/run.sh

# The integration scripts on Maildir transports alone: no Postfix, no
# Dovecot, no Chromium (crash.sh, e2e.sh, imap.sh, oauth.sh and smtp.sh
# start the mail stack, browser.sh Chromium, console_browser.sh both;
# fuzz.sh takes two minutes of its own).  pg.sh and pg_agents.sh start a
# PostgreSQL of their own, on a socket.  make valgrind runs the same ones
# but pg_agents.
MAILDIR_INTEGRATION = cli console import inbound listener outbox pg pg_agents \
		      race users walkthrough

check: test-deps
	$(Q)$(MAKE) --no-print-directory build/asan/mscagent $(UNIT_BINS) \
	    pot-check
	$(Q)INTEGRATION="$(MAILDIR_INTEGRATION:%=tests/integration/%.sh)" \
	    tests/run.sh

# The shipped config keeps everything under var/ and needs no server;
# init is idempotent (it never touches an existing key or database).
run: all
	$(Q)build/mscagent -c conf/agent.conf init
	$(Q)exec build/mscagent -c conf/agent.conf run

# The installed config keeps state in STATEDIR and finds the templates
# in SHAREDIR; an existing config is never overwritten.
STATEDIR	?= /var/lib/mscagent

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SHAREDIR)/mailtemplates \
	    $(DESTDIR)$(SYSCONFDIR)/mscagent
	install -m 0755 build/mscagent $(DESTDIR)$(BINDIR)/mscagent
	install -m 0644 mailtemplates/*.html $(DESTDIR)$(SHAREDIR)/mailtemplates/
	install -d $(DESTDIR)$(SHAREDIR)/mailtemplates/po
	install -m 0644 mailtemplates/po/*.po $(DESTDIR)$(SHAREDIR)/mailtemplates/po/
	[ -e $(DESTDIR)$(SYSCONFDIR)/mscagent/agent.conf ] || \
	    sed -e 's|\.\./var|$(STATEDIR)|g' \
	        -e 's|\.\./mailtemplates|$(SHAREDIR)/mailtemplates|' \
	        conf/agent.conf >$(DESTDIR)$(SYSCONFDIR)/mscagent/agent.conf
	chmod 0640 $(DESTDIR)$(SYSCONFDIR)/mscagent/agent.conf

MANDIR		?= $(PREFIX)/share/man

.PHONY: install-man
install: install-man
install-man: build/mscagent.8
	install -d $(DESTDIR)$(MANDIR)/man8
	install -m 0644 build/mscagent.8 $(DESTDIR)$(MANDIR)/man8/mscagent.8

# The systemd unit, with the same paths as the installed config.
UNITDIR		?= $(PREFIX)/lib/systemd/system

.PHONY: install-unit
install: install-unit
install-unit:
	install -d $(DESTDIR)$(UNITDIR)
	sed -e 's|/usr/local/bin/|$(BINDIR)/|g' \
	    -e 's|/usr/local/etc/|$(SYSCONFDIR)/|g' \
	    -e 's|/var/lib/mscagent|$(STATEDIR)|g' \
	    conf/mscagent.service >$(DESTDIR)$(UNITDIR)/mscagent.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/mscagent.service

# make valgrind: the unit programs, built without sanitizers against the
# release objects, and the integration scripts that need no mail server
# (MAILDIR_INTEGRATION), with every process under valgrind's memcheck
# (tests/support/valgrind.sh and tests/support/valgrind.supp), one
# script at a time.
LIB_OBJS	= $(LIB_SRCS:agent/%.c=build/obj/%.o)
VG_UNIT_BINS	= $(UNIT_SRCS:tests/unit/%.c=build/vg/tests/%)
# pg_agents.sh times a takeover: too slow a start under memcheck.
VG_INTEGRATION	= $(filter-out pg_agents,$(MAILDIR_INTEGRATION))

.PHONY: valgrind
valgrind: test-deps
	$(Q)$(MAKE) --no-print-directory build/mscagent $(VG_UNIT_BINS)
	$(Q)UNIT_DIR=build/vg/tests UNIT_WRAP=tests/support/valgrind.sh \
	    LOG_DIR=build/vg/logs VG_LOGS=build/vg/reports TEST_JOBS=1 \
	    MSCAGENT=$(CURDIR)/tests/support/valgrind-agent.sh \
	    INTEGRATION="$(VG_INTEGRATION:%=tests/integration/%.sh)" \
	    tests/run.sh

build/vg/tests/%: tests/unit/%.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  CC      $< (valgrind)"
	$(Q)$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes \
	    $(shell $(PKG_CONFIG) --cflags cmocka) -o $@ $(filter %.c,$^) $(LIB_OBJS) \
	    $(LDLIBS) $(shell $(PKG_CONFIG) --libs cmocka)

# make coverage: the unit programs built with gcc --coverage (no
# optimisation, no sanitizers) into build/cov/, run from fresh counters,
# then gcov's branch counts ("taken at least once") for the pure core:
# the files that touch no socket, database or clock.  Fails when the
# total is under COV_MIN_TOTAL or any file under COV_MIN_FILE percent.
COV_CORE	= fsm reply quote words token addr licence tenant workload \
		  replykey tmpl tmpl_compile date csv html lang catalog \
		  translate url mailhdr authres autoreply bounce proxy
COV_MIN_TOTAL	?= 95
COV_MIN_FILE	?= 90
# At -O0 gcc no longer sees the bounds that its -O1 and -O2 builds use
# to prove snprintf cannot truncate; those builds keep the warning.
# Atomic counters: several unit programs run the core on threads, and
# plain counters then lose increments or go negative, moving the figure
# from run to run.
COV_CFLAGS	= -O0 -g --coverage -fprofile-update=atomic \
		  -Wno-format-truncation
COV_LIB_OBJS	= $(LIB_SRCS:agent/%.c=build/cov/obj/%.o)
COV_UNIT_BINS	= $(UNIT_SRCS:tests/unit/%.c=build/cov/tests/%)

.PHONY: coverage cov-build
coverage: test-deps
	$(Q)$(MAKE) --no-print-directory cov-build
	$(Q)find build/cov/obj -name '*.gcda' -delete
	$(Q)fail=0; for t in $(COV_UNIT_BINS); do \
		$$t >build/cov/$${t##*/}.log 2>&1 || { fail=1; \
		echo "coverage: $$t failed (build/cov/$${t##*/}.log)" >&2; }; \
	done; [ $$fail = 0 ]
	$(Q)python3 tests/support/coverage.py --min-total $(COV_MIN_TOTAL) \
	    --min-file $(COV_MIN_FILE) build/cov/obj $(COV_CORE)

cov-build: $(COV_UNIT_BINS)
	@:

# Kept: make would take them for intermediates of the programs' rule.
.SECONDARY: $(COV_LIB_OBJS)

build/cov/obj/%.o: agent/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (coverage)"
	$(Q)$(CC) $(ALL_CFLAGS) $(COV_CFLAGS) -c -o $@ $<

build/cov/tests/%: tests/unit/%.c $(COV_LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  CC      $< (coverage)"
	$(Q)$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes $(COV_CFLAGS) \
	    $(shell $(PKG_CONFIG) --cflags cmocka) -o $@ $(filter %.c,$^) $(COV_LIB_OBJS) \
	    $(LDLIBS) $(shell $(PKG_CONFIG) --libs cmocka)

# make lint: cppcheck, then clang-tidy (checks in .clang-tidy), over
# agent/*.c with the build's own flags; any finding fails.  A finding
# that is wrong at its place is silenced there, with the reason.
# cppcheck's readdirCalled is off: it asks for readdir_r, which glibc
# deprecated (2.24) because readdir on a stream of one's own is
# thread-safe.  clang-tidy 14 runs once per file: given several, its
# analyzer takes every va_start after the first file's for uninitialised.
LINT_CFLAGS	= -std=c11 -D_GNU_SOURCE -Iinclude $(PKG_CFLAGS)

.PHONY: lint lint-deps
lint-deps: PACKAGES = cppcheck clang-tidy
lint: lint-deps
	@echo "  CPPCHECK agent/*.c"
	$(Q)cppcheck -q --std=c11 -D_GNU_SOURCE -Iinclude --library=posix \
	    --enable=warning,performance,portability --error-exitcode=1 \
	    --inline-suppr --suppress=readdirCalled $(SRCS)
	@echo "  TIDY    agent/*.c"
	@mkdir -p build
	$(Q)fail=0; for f in $(SRCS); do \
		clang-tidy --quiet $$f -- $(LINT_CFLAGS) \
		    2>build/clang-tidy.err || { fail=1; \
		grep -v 'warnings* generated' build/clang-tidy.err >&2; }; \
	done; exit $$fail

# make pot: every string a translator translates, from the templates of
# mails and pages (build/potgen: the strings a render looks up) and from
# the C sources (xgettext: N_() and NC_()).  No line numbers, so that
# only a changed string changes it; tests/run.sh checks it is current.
POT		= mailtemplates/po/mscagent.pot
POT_TEMPLATES	= $(filter-out mailtemplates/console_%,\
		  $(sort $(wildcard mailtemplates/*.html)))

.PHONY: pot
pot: build/mscagent.pot
	$(Q)cp build/mscagent.pot $(POT)
	@echo "  POT     $(POT)"

build/mscagent.pot: build/asan/potgen $(POT_TEMPLATES) $(SRCS)
	$(Q)build/asan/potgen $(POT_TEMPLATES) >build/templates.pot
	$(Q)xgettext --from-code=UTF-8 --omit-header --no-location \
	    --add-comments=TRANSLATORS: -k -kN_ -kNC_:1c,2 \
	    -o build/code.pot $(SRCS)
	$(Q)msgcat --use-first -o $@ build/templates.pot \
	    build/code.pot

# With the test build's objects: make check has them already.
build/asan/potgen: tests/support/potgen.c $(ASAN_LIB_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(ASAN_CFLAGS) -o $@ $< $(ASAN_LIB_OBJS) \
	    $(LDLIBS)

# A person's look at each translation: Chromium, and CJK fonts so that
# Japanese shows as it will in a mail client.
.PHONY: screenshots screenshot-deps
screenshot-deps: PACKAGES = chromium fonts-noto-cjk
screenshots: screenshot-deps
	$(Q)$(MAKE) --no-print-directory build/asan/mscagent
	$(Q)MSCAGENT=$(CURDIR)/build/asan/mscagent tests/support/screenshots.sh

# The catalogs are checked against the .pot (tests/unit/test_catalog.c),
# so the .pot must hold every string there is.
.PHONY: pot-check
pot-check: build/mscagent.pot
	$(Q)cmp -s build/mscagent.pot $(POT) || { \
		echo "$(POT) is not current: run make pot, then msgmerge" \
		    "each catalog and translate what changed" >&2; exit 1; }

clean:
	rm -rf build

include tests/fuzz/fuzz.mk

# The unit programs' too, so that a change to a shared test header
# (tests/unit/support.h, agent_fixture.h) rebuilds them.
-include $(OBJS:.o=.d) $(ASAN_OBJS:.o=.d) $(UNIT_BINS:=.d) $(VG_UNIT_BINS:=.d) \
	 $(COV_LIB_OBJS:.o=.d) $(COV_UNIT_BINS:=.d)
