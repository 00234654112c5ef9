#!/usr/bin/env bash
# tests/fuzz/run.sh NAME SECONDS [LIBFUZZER OPTION...]: runs the libFuzzer
# target build/fuzz/fuzz_NAME (make fuzz-build) for SECONDS on its seeds
# (tests/fuzz/corpus/NAME) and past findings (tests/fuzz/regress/NAME).
#
# The committed folders are only read: what libFuzzer finds new goes to
# $FUZZ_WORK/NAME (default build/fuzz/corpus/NAME), kept between runs so
# a campaign can go on, and a crash, leak or timeout to
# build/fuzz/findings/NAME/.  Prints one line with libFuzzer's figures;
# exits 1 on any finding.
set -u
cd "$(dirname "$0")/../.."

name=$1
seconds=$2
shift 2
bin=build/fuzz/fuzz_$name
work=${FUZZ_WORK:-build/fuzz/corpus}/$name
found=build/fuzz/findings/$name
log=build/fuzz/$name.log

# Inputs a little above each module's own limits are enough: bigger ones
# only slow the search down.
case $name in
inmail|html)	max_len=32768 ;;
token)		max_len=9000 ;;	# TOKEN_MAX_LEN is 8192
oauth)		max_len=17000 ;;	# OAUTH_TOKEN_MAX is 16384
csv|config)	max_len=16384 ;;
*)		max_len=4096 ;;
esac

if [ ! -x "$bin" ]; then
	echo "$name: $bin is missing (make fuzz-build)" >&2
	exit 2
fi
mkdir -p "$work" "$found"
dirs=("$work" "tests/fuzz/corpus/$name")
[ -d "tests/fuzz/regress/$name" ] && dirs+=("tests/fuzz/regress/$name")
opts=(-max_total_time="$seconds" -max_len="$max_len" -timeout=25
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$found/")
[ -f "tests/fuzz/$name.dict" ] && opts+=(-dict="tests/fuzz/$name.dict")

ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1 \
    "$bin" "${opts[@]}" "$@" "${dirs[@]}" >"$log" 2>&1
rc=$?

# "#123456  DONE   cov: 1234 ft: 5678 corp: 345/67Kb ... exec/s: 411"
last=$(grep -E '^#[0-9]+' "$log" | tail -1)
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
cov=$(printf '%s' "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
ft=$(printf '%s' "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
corp=$(printf '%s' "$last" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
echo "$name: ${seconds} s, ${execs:-?} execs, cov ${cov:-?}, ft ${ft:-?}," \
    "corpus ${corp:-?}"
if [ "$rc" -ne 0 ]; then
	echo "$name: libFuzzer exited with $rc; see $log and $found/" >&2
	grep -E 'ERROR|SUMMARY|invariant|Test unit written' "$log" | head -10 >&2
	exit 1
fi
exit 0
