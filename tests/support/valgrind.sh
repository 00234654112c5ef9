#!/usr/bin/env bash
# Runs a program under valgrind's memcheck for `make valgrind`: invalid
# reads and writes, uninitialised values, and leaks that are definitely
# or indirectly lost are errors.  Reports go to one file per process in
# $VG_TEST_LOGS (tests/run.sh makes one folder per test and fails a test
# that left a report), never to stderr, which the tests read.  The exit
# code on an error is 99, not 1: 1 is the agent's own "invalid input"
# and would hide an error in a run that is meant to fail.
top=$(cd "$(dirname "$0")/../.." && pwd)
exec valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
    --error-exitcode=99 --suppressions="$top/tests/support/valgrind.supp" \
    --log-file="${VG_TEST_LOGS:-/tmp}/vg.%p.log" "$@"
