#!/usr/bin/env bash
# The fuzz targets (tests/fuzz, docs/security.md): every seed and every
# past finding replayed through the gcc ASan+UBSan build of each target;
# then, when clang with libFuzzer is installed, each target built and
# fuzzed FUZZ_SECONDS (default 10) seconds from its seeds.  Any crash,
# leak, sanitizer report or broken invariant fails.
. "$(dirname "$0")/../support/lib.sh"
cd "$TOP" || exit 1

seconds=${FUZZ_SECONDS:-10}
targets=$(ls tests/fuzz/fuzz_*.c | sed 's|.*/fuzz_\(.*\)\.c|\1|')

for name in $targets; do
	bin=build/asan/fuzz/replay_$name
	dirs=("tests/fuzz/corpus/$name")
	[ -d "tests/fuzz/regress/$name" ] && dirs+=("tests/fuzz/regress/$name")
	if [ ! -x "$bin" ]; then
		not_ok "replay $name" "$bin is missing (make test-build)"
		continue
	fi
	seeds=$(ls "tests/fuzz/corpus/$name" 2>/dev/null | wc -l)
	if [ "$seeds" -eq 0 ]; then
		not_ok "replay $name" "tests/fuzz/corpus/$name has no seeds"
		continue
	fi
	if out=$("$bin" "${dirs[@]}" 2>&1); then
		ok "replay $name: ${out##*replay: } (seeds and findings)"
	else
		not_ok "replay $name" "$(printf '%s\n' "$out" | tail -25)"
	fi
done

# libFuzzer needs clang and its runtime (Debian: clang, libclang-rt-14-dev).
probe() {
	cat >"$T/probe.c" <<'EOF2'
int LLVMFuzzerTestOneInput(const char *d, unsigned long n);
int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return d[0] * 0 + (int)n * 0; }
EOF2
	"${FUZZ_CC:-clang}" -fsanitize=fuzzer -o "$T/probe" "$T/probe.c" \
	    >/dev/null 2>&1
}
if ! probe; then
	ok "libFuzzer runs # SKIP ${FUZZ_CC:-clang} with libFuzzer not found"
	exit 0
fi
if out=$(make --no-print-directory -j2 fuzz-build 2>&1); then
	ok "the libFuzzer targets build"
else
	not_ok "the libFuzzer targets build" "$(printf '%s\n' "$out" | tail -25)"
	exit 1
fi
# From the seeds alone, not from what longer campaigns kept in build/.
export FUZZ_WORK=$T/corpus
for name in $targets; do
	if out=$(nice -n 10 tests/fuzz/run.sh "$name" "$seconds" 2>&1); then
		ok "libFuzzer $(printf '%s' "$out" | tail -1)"
	else
		not_ok "libFuzzer $name, $seconds s" "$out"
	fi
done
