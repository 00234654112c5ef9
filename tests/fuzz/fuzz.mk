# tests/fuzz/fuzz.mk: the fuzz targets (tests/fuzz/fuzz_NAME.c), included
# by the top Makefile.  docs/security.md has the results and how to run
# longer campaigns.
#
#   make fuzz                      builds every libFuzzer target (clang,
#                                  ASan+UBSan) as build/fuzz/fuzz_NAME
#   make fuzz FUZZ_SECONDS=N       and runs each for N seconds on its seeds
#   make fuzz FUZZ_SECONDS=N FUZZ_TARGETS="csv token"   only those
#   make fuzz-seeds                mints the token and reply-key seeds again
#
# make test also builds, with gcc and the usual ASan+UBSan flags, one
# replayer per target (build/asan/fuzz/replay_NAME), which
# tests/integration/fuzz.sh runs over every seed and past finding.

FUZZ_CC		?= clang
FUZZ_SECONDS	?= 0
FUZZ_ALL	= $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_TARGETS	?= $(FUZZ_ALL)
# clang warns about other things than gcc: the gcc build keeps -Werror.
FUZZ_CFLAGS	= -std=c11 -D_GNU_SOURCE $(filter-out -Werror,$(WARN)) \
		  -Iinclude $(PKG_CFLAGS) -MMD -MP -O1 -g \
		  -fno-omit-frame-pointer -fsanitize=address,undefined \
		  -fno-sanitize-recover=all
FUZZ_OBJS	= $(LIB_SRCS:agent/%.c=build/fuzz/obj/%.o)
REPLAY_BINS	= $(FUZZ_ALL:%=build/asan/fuzz/replay_%)

.PHONY: fuzz fuzz-build fuzz-seeds

fuzz: fuzz-build
	$(Q)if [ "$(FUZZ_SECONDS)" -gt 0 ]; then \
		for t in $(FUZZ_TARGETS); do \
			tests/fuzz/run.sh $$t $(FUZZ_SECONDS) || exit 1; \
		done; \
	fi

# The objects are named here so that make keeps them between builds.
fuzz-build: $(FUZZ_OBJS) $(FUZZ_TARGETS:%=build/fuzz/fuzz_%)

build/fuzz/obj/%.o: agent/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (fuzz)"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< \
	    $(FUZZ_OBJS) $(LDLIBS)

build/asan/fuzz/replay_%: tests/fuzz/replay.c tests/fuzz/fuzz_%.c \
    tests/fuzz/fuzz.h $(ASAN_LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  CC      tests/fuzz/fuzz_$*.c (replay, asan)"
	$(Q)$(CC) $(ALL_CFLAGS) $(ASAN_CFLAGS) -o $@ tests/fuzz/replay.c \
	    tests/fuzz/fuzz_$*.c $(ASAN_LIB_OBJS) $(LDLIBS)

build/asan/fuzz/mint: tests/fuzz/mint.c tests/fuzz/fuzz.h $(ASAN_LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  CC      $< (asan)"
	$(Q)$(CC) $(ALL_CFLAGS) $(ASAN_CFLAGS) -o $@ $< $(ASAN_LIB_OBJS) \
	    $(LDLIBS)

fuzz-seeds: build/asan/fuzz/mint
	build/asan/fuzz/mint tests/fuzz/corpus/token tests/fuzz/corpus/replykey

test-build: $(REPLAY_BINS)

-include $(FUZZ_OBJS:.o=.d)
