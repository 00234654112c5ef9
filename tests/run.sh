#!/usr/bin/env bash
# Runs every test: the cmocka unit programs (built with ASan+UBSan) and
# the integration scripts (TAP lines, against the ASan binary).  Ends with
# one summary line, "N passed, N failed", and fails if anything failed.
#
# The integration scripts run TEST_JOBS (2) at a time: each has its own
# temporary folder, the agent's listener takes a free port and each mail
# stack picks its own, so none shares a port or a file with another.  The
# longest (TEST_FIRST) start first; the result lines come in the order of
# $INTEGRATION all the same, each as soon as those before it are done.
set -u
cd "$(dirname "$0")/.."

export MSCAGENT="${MSCAGENT:-$PWD/build/asan/mscagent}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
log_dir=${LOG_DIR:-build/test-logs}
mkdir -p "$log_dir"

# make valgrind runs other unit programs (UNIT_DIR), each under a wrapper
# (UNIT_WRAP), and only the scripts in INTEGRATION.  With VG_LOGS set,
# every process of a test leaves its valgrind report in a folder of its
# own there, and a test with any report fails whatever its exit status.
UNIT_DIR=${UNIT_DIR:-build/asan/tests}
UNIT_WRAP=${UNIT_WRAP:-}
INTEGRATION=${INTEGRATION:-$(echo tests/integration/*.sh)}
VG_LOGS=${VG_LOGS:-}
TEST_JOBS=${TEST_JOBS:-2}
TEST_FIRST=${TEST_FIRST:-crash pg_chaos fuzz oauth imap smtp}
[ -z "$VG_LOGS" ] || [[ $VG_LOGS == /* ]] || VG_LOGS=$PWD/$VG_LOGS

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

vg_start() {		# test-name
	[ -n "$VG_LOGS" ] || return 0
	export VG_TEST_LOGS=$VG_LOGS/$1
	rm -rf "$VG_TEST_LOGS"
	mkdir -p "$VG_TEST_LOGS"
}

vg_check() {		# test-name status: sets $status to it, or to 99 when
			# valgrind reported anything
	status=$2
	VG_TEST_LOGS=$VG_LOGS/$1
	if [ -n "$VG_LOGS" ] &&
	    [ -n "$(find "$VG_TEST_LOGS" -type f -size +0c)" ]; then
		vg_failed+=("$VG_TEST_LOGS")
		status=99
	fi
}
vg_failed=()

for t in "$UNIT_DIR"/test_*; do
	[ -x "$t" ] || continue
	name=unit/$(basename "$t")
	log=$log_dir/$(basename "$t").log
	vg_start "$(basename "$t")"
	$UNIT_WRAP "$t" >"$log" 2>&1
	vg_check "$(basename "$t")" $?
	count_cmocka "$name" "$log" "$status"
done

# Each script's exit status goes to a file in $done_dir when it ends.
done_dir=$(mktemp -d "${TMPDIR:-/tmp}/mscagent-run.XXXXXX")
trap 'rm -rf "$done_dir"' EXIT
scripts=()		# paths, in the order of the result lines
names=()
for t in $INTEGRATION; do
	[ -e "$t" ] || continue
	scripts+=("$t")
	names+=("$(basename "$t" .sh)")
done
queue=()		# indexes into scripts, in the order they start
for s in $TEST_FIRST; do
	for i in "${!names[@]}"; do
		[ "${names[i]}" = "$s" ] && queue+=("$i")
	done
done
for i in "${!names[@]}"; do
	[[ " ${queue[*]-} " == *" $i "* ]] || queue+=("$i")
done

started=0
printed=0
while [ "$printed" -lt "${#scripts[@]}" ]; do
	running=0
	for ((q = 0; q < started; q++)); do
		[ -e "$done_dir/${queue[q]}" ] || running=$((running + 1))
	done
	while [ "$running" -lt "$TEST_JOBS" ] &&
	    [ "$started" -lt "${#queue[@]}" ]; do
		i=${queue[started]}
		(
			vg_start "${names[i]}"
			bash "${scripts[i]}" >"$log_dir/${names[i]}.log" 2>&1
			echo $? >"$done_dir/$i.tmp"
			mv "$done_dir/$i.tmp" "$done_dir/$i"
		) &
		started=$((started + 1))
		running=$((running + 1))
	done
	while [ "$printed" -lt "${#scripts[@]}" ] &&
	    [ -e "$done_dir/$printed" ]; do
		name=${names[printed]}
		vg_check "$name" "$(cat "$done_dir/$printed")"
		count_tap "integration/$name" "$log_dir/$name.log" "$status"
		printed=$((printed + 1))
	done
	[ "$printed" -lt "${#scripts[@]}" ] && sleep 0.2
done
wait

for f in "${failures[@]+"${failures[@]}"}"; do
	echo "FAILED: $f"
	grep -E '^not ok|^\[  FAILED|ERROR|runtime error|Sanitizer' \
	    "${f##*see }" | sed 's/)$//' | head -20
done
for d in "${vg_failed[@]+"${vg_failed[@]}"}"; do
	echo "VALGRIND: $d"
	find "$d" -type f -size +0c -exec cat {} + | head -40
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
