#!/usr/bin/env bash
# The release binary under valgrind, as $MSCAGENT for the integration
# scripts in `make valgrind` (see tests/valgrind.sh).
top=$(cd "$(dirname "$0")/.." && pwd)
exec "$top/tests/valgrind.sh" "$top/build/mscagent" "$@"
