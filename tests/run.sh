#!/usr/bin/env bash
# Runs every test: the cmocka unit programs (built with ASan+UBSan) and
# the integration scripts (TAP lines, against the ASan binary).  Ends with
# one summary line, "N passed, N failed", and fails if anything failed.
set -u
cd "$(dirname "$0")/.."

export MSCAGENT="${MSCAGENT:-$PWD/build/asan/mscagent}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
log_dir=build/test-logs
mkdir -p "$log_dir"

passed=0
failed=0
failures=()

count_cmocka() {	# name logfile status
	local p f
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$2" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$2" | tail -1)
	p=${p:-0}
	f=${f:-0}
	if [ "$3" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1	# crashed or a sanitizer stopped it
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$f" -eq 0 ] || failures+=("$1 (see $2)")
	printf '%-40s %4d passed %4d failed\n' "$1" "$p" "$f"
}

count_tap() {		# name logfile status
	local p f
	p=$(grep -c '^ok ' "$2")
	f=$(grep -c '^not ok ' "$2")
	if [ "$3" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1	# the script died before reporting
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$f" -eq 0 ] || failures+=("$1 (see $2)")
	printf '%-40s %4d passed %4d failed\n' "$1" "$p" "$f"
}

for t in build/asan/tests/test_*; do
	[ -x "$t" ] || continue
	name=unit/$(basename "$t")
	log=$log_dir/$(basename "$t").log
	"$t" >"$log" 2>&1
	count_cmocka "$name" "$log" $?
done

for t in tests/integration/*.sh; do
	[ -e "$t" ] || continue
	name=integration/$(basename "$t" .sh)
	log=$log_dir/$(basename "$t" .sh).log
	bash "$t" >"$log" 2>&1
	count_tap "$name" "$log" $?
done

for f in "${failures[@]+"${failures[@]}"}"; do
	echo "FAILED: $f"
	grep -E '^not ok|^\[  FAILED|ERROR|runtime error|Sanitizer' \
	    "${f##*see }" | sed 's/)$//' | head -20
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
