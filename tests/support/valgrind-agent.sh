#!/usr/bin/env bash
# The release binary under valgrind, as $MSCAGENT for the integration
# scripts in `make valgrind` (see tests/support/valgrind.sh).
top=$(cd "$(dirname "$0")/../.." && pwd)
exec "$top/tests/support/valgrind.sh" "$top/build/mscagent" "$@"
