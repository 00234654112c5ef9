# tests/lib.sh: what the integration scripts share.  Each check prints a
# TAP line ("ok N - what" / "not ok N - what"); tests/run.sh counts them.
# Every script gets its own temporary folder, removed on exit.

set -u
: "${MSCAGENT:?set MSCAGENT to the binary under test}"
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/mscagent-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
_n=0

ok() {			# description
	_n=$((_n + 1))
	echo "ok $_n - $1"
}

not_ok() {		# description [detail...]
	_n=$((_n + 1))
	echo "not ok $_n - $1"
	shift
	[ $# -eq 0 ] || printf '#   %s\n' "$@"
}

check() {		# description command...: ok when it exits 0
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what" "command failed: $*"; fi
}

# Runs the agent with the test's config: sets $out, $err and $rc.
agent() {
	out=$("$MSCAGENT" -c "$T/agent.conf" "$@" 2>"$T/stderr")
	rc=$?
	err=$(cat "$T/stderr")
}

expect_rc() {		# description expected-rc
	if [ "$rc" -eq "$2" ]; then
		ok "$1"
	else
		not_ok "$1" "exit code $rc, wanted $2" "stdout: $out" "stderr: $err"
	fi
}

expect_eq() {		# description got wanted
	if [ "$2" == "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "got:    $2" "wanted: $3"
	fi
}

expect_match() {	# description text extended-regex
	if printf '%s' "$2" | grep -Eq -- "$3"; then
		ok "$1"
	else
		not_ok "$1" "no match for /$3/ in:" "$2"
	fi
}

expect_no_match() {	# description text extended-regex
	if printf '%s' "$2" | grep -Eq -- "$3"; then
		not_ok "$1" "unexpected match for /$3/ in:" "$2"
	else
		ok "$1"
	fi
}

# Writes a config for a maildir-only agent under $T (no server needed).
make_config() {
	mkdir -p "$T/var"
	sed -e "s|@VAR@|$T/var|g" -e "s|@TOP@|$TOP|g" \
	    "$TOP/tests/data/agent-test.conf" >"$T/agent.conf"
}

# Reads a JSON value with jq-like paths, through python3 (always there
# on the test machines).
json_get() {		# json expression (python, on `d`)
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"
}
