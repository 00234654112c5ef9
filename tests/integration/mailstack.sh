#!/usr/bin/env bash
# tests/integration/mailstack.sh: the tests' own mail stack
# (tests/support/mailstack.sh).  A stack with TLS starts in a temporary
# folder and passes its selftest; a second stack in a long path (sockets
# in /tmp) runs beside it; stop leaves no process of either behind, and
# the mail survives a restart.  A trap stops the stacks whatever happens.

# lib.sh wants the agent's binary; this test does not run it.
MSCAGENT=${MSCAGENT:-/nonexistent}
# shellcheck source=tests/support/lib.sh
. "$(dirname "$0")/../support/lib.sh"
MS=$TOP/tests/support/mailstack.sh

if [ "$EUID" -ne 0 ]; then
	echo "ok 1 # SKIP the mail stack needs root"
	exit 0
fi

# The users mail, postfix and dovenull must reach the stacks' folders.
chmod 0755 "$T"
T=$(cd -P "$T" && pwd)
S1=$T/stack
S2=$T/a-folder-name-long-enough-for-the-socket-path-limit/stack
cleanup() {
	bash "$MS" stop "$S1" >/dev/null 2>&1
	bash "$MS" stop "$S2" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# Runs the stack script: sets $out (stdout and stderr) and $rc.  With
# $(...) a daemon that kept the output open would hang it: timeout says so.
ms() {
	out=$(timeout 600 bash "$MS" "$@" 2>&1)
	rc=$?
	err=
}

env_of() {		# dir name: a value from DIR/mailstack.env
	# shellcheck disable=SC1091
	(. "$1/mailstack.env" && printf '%s' "${!2:-}")
}

# Each selftest line becomes a TAP line; the summary must say 0 failed.
selftest() {		# label dir
	local line
	ms selftest "$2"
	while IFS= read -r line; do
		case $line in
		'ok - '*) ok "$1: ${line#ok - }" ;;
		'not ok - '*) not_ok "$1: ${line#not ok - }" ;;
		'#'*) echo "$line" ;;
		esac
	done <<<"$out"
	expect_match "$1: summary says 0 failed" "$out" \
	    '^selftest: [1-9][0-9]* passed, 0 failed$'
}

# "pid starttime" lines from `mailstack.sh pids`: which are still alive.
still_alive() {		# pid-lines
	local p s line
	while read -r p s; do
		[ -n "$p" ] || continue
		read -r line 2>/dev/null <"/proc/$p/stat" || continue
		line=${line##*) }
		# shellcheck disable=SC2086
		set -- $line
		[ "$1" != Z ] && [ "${20}" = "$s" ] && echo "$p"
	done <<<"$1"
}

# Processes that still carry DIR's identity, found without the script.
leftovers() {		# dir
	local inst
	inst=$(sed -n 's/^instance_name = //p' "$1/dovecot.conf" 2>/dev/null)
	{
		grep -lzxF -- "$1/dovecot.conf" /proc/[0-9]*/cmdline
		grep -lzxF -- "MAIL_CONFIG=$1/postfix" /proc/[0-9]*/environ
		[ -z "$inst" ] || grep -lzF -- "$inst/" /proc/[0-9]*/cmdline
	} 2>/dev/null | while IFS=/ read -r _ _ p _; do
		read -r line 2>/dev/null <"/proc/$p/stat" || continue
		line=${line##*) }
		[ "${line%% *}" = Z ] || echo "$p"
	done
}

# --- a stack with TLS ---
ms_since() {		# EPOCHREALTIME-value: sets ELAPSED (ms)
	local a=${1/./} b=${EPOCHREALTIME/./}
	ELAPSED=$(((b - a) / 1000))
}

t0=$EPOCHREALTIME
MAILSTACK_TLS=1 ms start "$S1"
ms_since "$t0"
expect_rc "start with TLS" 0
[ "$rc" -eq 0 ] || exit 1
echo "# start with TLS (new CA and certificate): $ELAPSED ms"
check "start took less than 10 s" test "$ELAPSED" -lt 10000

for v in MAILSTACK_SMTP_PORT MAILSTACK_IMAP_PORT MAILSTACK_SMTPS_PORT MAILSTACK_IMAPS_PORT; do
	expect_match "mailstack.env: $v is a port" "$(env_of "$S1" $v)" '^[1-9][0-9]{1,4}$'
done
expect_eq "mailstack.env: MAILSTACK_DIR" "$(env_of "$S1" MAILSTACK_DIR)" "$S1"
expect_eq "mailstack.env: MAILSTACK_DOMAIN" "$(env_of "$S1" MAILSTACK_DOMAIN)" example.test
expect_eq "mailstack.env: MAILSTACK_MAILDIR_ROOT" \
    "$(env_of "$S1" MAILSTACK_MAILDIR_ROOT)" "$S1/mail"
check "mailstack.env: MAILSTACK_CA is a certificate" \
    grep -q 'BEGIN CERTIFICATE' "$(env_of "$S1" MAILSTACK_CA)"

ms status "$S1"
expect_rc "status exits 0 while running" 0
expect_match "status: dovecot runs" "$out" '^dovecot: running, pid [0-9]+'
expect_match "status: postfix runs" "$out" '^postfix: running, pid [0-9]+'

ms start "$S1"
expect_rc "a second start in the same folder fails" 1
expect_match "a second start says why" "$out" 'already runs'

selftest "TLS stack" "$S1"

# --- a second stack beside it, in a long path ---
MAILSTACK_DOMAINS="example.test other.test" \
    MAILSTACK_USERS="admin1 support@other.test:pw2" ms start "$S2"
expect_rc "second stack (long path) starts beside the first" 0
check "its run/ is a link into a short /tmp/mailstack.N" \
    test -L "$S2/run" -a -d "$S2/run/."
check "the two stacks have different ports" test \
    "$(env_of "$S1" MAILSTACK_SMTP_PORT)" != "$(env_of "$S2" MAILSTACK_SMTP_PORT)"
selftest "long-path stack" "$S2"
short=$(readlink "$S2/run")
short=${short%/run}

# --- stop ---
procs1=$(bash "$MS" pids "$S1")
procs2=$(bash "$MS" pids "$S2")
expect_match "pids lists the TLS stack's processes" "$(wc -l <<<"$procs1")" '^([3-9]|[1-9][0-9]+)$'
t0=$EPOCHREALTIME
ms stop "$S1"
ms_since "$t0"
expect_rc "stop exits 0" 0
echo "# stop: $ELAPSED ms"
expect_eq "no process of the TLS stack is left (by pid)" "$(still_alive "$procs1")" ""
expect_eq "no process of the TLS stack is left (by identity)" "$(leftovers "$S1")" ""
expect_eq "the other stack still runs" "$(still_alive "$procs2" | wc -l)" "$(wc -l <<<"$procs2")"
ms status "$S1"
expect_rc "status exits 1 once stopped" 1
ms stop "$S1"
expect_rc "a second stop exits 0" 0

ms stop "$S2"
expect_rc "stop of the long-path stack exits 0" 0
expect_eq "no process of it is left" "$(still_alive "$procs2")$(leftovers "$S2")" ""
check "stop removed its /tmp/mailstack.N" test ! -e "$short"

# --- the mail survives a restart (without TLS now) ---
ms start "$S1"
expect_rc "restart without TLS" 0
port=$(env_of "$S1" MAILSTACK_IMAP_PORT)
out=$(curl -sS --max-time 10 --user admin1:secret "imap://127.0.0.1:$port/" \
    -X 'STATUS INBOX (MESSAGES)' 2>&1)
expect_match "admin1's mail survived the restart" "$out" 'MESSAGES [1-9]'
expect_no_match "mailstack.env has no TLS ports without TLS" \
    "$(cat "$S1/mailstack.env")" 'MAILSTACK_IMAPS_PORT|MAILSTACK_CA'

ms stop "$S1"
expect_rc "final stop" 0
echo "1..$_n"
