# tests/support/lib.sh: what the integration scripts share.  Each check
# prints a TAP line ("ok N - what" / "not ok N - what"); tests/run.sh
# counts them.  Every script gets its own temporary folder, removed on
# exit.

set -u
: "${MSCAGENT:?set MSCAGENT to the binary under test}"
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/mscagent-test.XXXXXX")
_stack=
AGENT_PID=
_cleanup() {
	[ -z "$AGENT_PID" ] || kill -KILL "$AGENT_PID" 2>/dev/null
	[ -z "$_stack" ] || mailstack stop "$_stack" >/dev/null 2>&1
	# KEEP_TEST_DIR=1 keeps the folder, to look at after a failure.
	[ -n "${KEEP_TEST_DIR:-}" ] && echo "# kept $T" || rm -rf "$T"
}
trap _cleanup EXIT
trap 'exit 1' INT TERM HUP
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

# python3, resolved once past any version-manager shim (a shim costs a
# few tenths of a second a call), without site packages.
PY=$(python3 -c 'import sys; print(sys.executable)')
export PYTHONIOENCODING=utf-8

# Python expressions on d, the JSON document $1, one result a line.
pyj() {			# json expression...
	"$PY" -S -c 'import json, sys
d = json.load(sys.stdin)
for e in sys.argv[1:]:
    print(eval(e))' "${@:2}" <<<"$1" 2>&1
}

# One value of a JSON document (a Python expression on d).
json_get() {		# json expression
	pyj "$1" "$2"
}

# Runs command... until it succeeds, at most tries times, pausing
# seconds after each failure; fails when it never succeeded.
wait_until() {		# tries seconds command...
	local _tries=$1 _pause=$2 _try
	shift 2
	for ((_try = 0; _try < _tries; _try++)); do
		"$@" && return 0
		sleep "$_pause"
	done
	return 1
}

# Succeeds when what command... prints, a number, is at least n.
at_least() {		# n command...
	[ "$("${@:2}")" -ge "$1" ]
}

# A tenant's state (the show leaves $out, $rc and $err set).
state_of() {		# id
	agent tenant show "$1" --json
	json_get "$out" 'd["state"]'
}

_state_is() {		# id state
	[ "$(state_of "$1")" = "$2" ]
}

# Waits until a tenant is in the state (a running agent gets there on
# its own time); gives up after 30 s.
wait_state() {		# id state
	wait_until 300 0.1 _state_is "$1" "$2"
}

# tests/support/mailstack.sh: start, stop, kick... (see there).
mailstack() {		# command dir [args...]
	bash "$TOP/tests/support/mailstack.sh" "$@"
}

# Starts a real Postfix + Dovecot for this script (stopped on exit) and
# loads its ports: MAILSTACK_SMTP_PORT, MAILSTACK_IMAP_PORT, ... (see
# tests/support/mailstack.sh).  With TLS=1 also STARTTLS, smtps, imaps
# and a CA.
start_mailstack() {
	chmod 0755 "$T"
	_stack=$T/stack
	if ! MAILSTACK_TLS=${TLS:-0} mailstack start "$_stack" \
	    >"$T/mailstack.out" 2>&1; then
		not_ok "the mail stack starts" "$(cat "$T/mailstack.out")"
		exit 1
	fi
	. "$_stack/mailstack.env"
	_queue=$(postconf -c "$MAILSTACK_DIR/postfix" -h queue_directory)
}

# Stops the script's mail stack, as an outage would.
stop_mailstack() {
	mailstack stop "$_stack" >/dev/null 2>&1
}

# Starts it again, on the same ports as a real server would come back:
# one TAP line, with what the stack said when it could not.
restart_mailstack() {	# description
	if mailstack start "$_stack" >"$T/restart.out" 2>&1; then
		ok "$1"
	else
		not_ok "$1" "$(cat "$T/restart.out")"
	fi
}

# Succeeds when Postfix has no mail in flight.  It answers 250 once a
# mail is in its queue and hands it to Dovecot afterwards, on its own, so
# a mailbox read right after a flush could miss what was just sent.
_postfix_idle() {
	[ -z "$(find "$_queue/maildrop" "$_queue/incoming" "$_queue/active" \
	    -type f -print -quit 2>/dev/null)" ]
}

# The messages in a user's IMAP mailbox, as JSON (tests/support/mailbox.py),
# once Postfix has delivered what it took (15 s at most).
mailbox() {		# user [mailbox.py options...]
	wait_until 150 0.1 _postfix_idle || true
	"$PY" "$TOP/tests/support/mailbox.py" "$MAILSTACK_IMAP_PORT" "$@"
}

# How many messages a user's IMAP folder (INBOX unless named) holds.
count() {		# user [folder]
	json_get "$(mailbox "$1" ${2:+--folder "$2"})" 'len(d)'
}

# How many messages in a user's INBOX meet a Python condition on m.
count_where() {		# user python-condition-on-m
	json_get "$(mailbox "$1")" "sum(1 for m in d if $2)"
}

# Waits until a user's folder holds n messages (Postfix delivers
# asynchronously); gives up after 15 s.
wait_for() {		# user n [folder]
	wait_until 150 0.1 at_least "$2" count "$1" "${3:-}"
}

# Waits until user's mailbox holds a message whose subject contains s
# (delivery is asynchronous); saves the newest such message as $T/$3.eml.
wait_mail() {		# user subject-part name
	local i
	for ((i = 0; i < 300; i++)); do
		rm -rf "$T/got" && mkdir -p "$T/got"
		mailbox "$1" --save "$T/got" >"$T/got.json"
		if "$PY" -S - "$T/got.json" "$2" "$T/got" "$T/$3.eml" <<'PYEOF'
import json, shutil, sys, os
d = json.load(open(sys.argv[1]))
hits = [i for i, m in enumerate(d) if sys.argv[2] in m["subject"]]
if not hits:
    sys.exit(1)
files = sorted(os.listdir(sys.argv[3]), key=lambda f: int(f.split(".")[0]))
shutil.copy(os.path.join(sys.argv[3], files[hits[-1]]), sys.argv[4])
PYEOF
		then return 0; fi
		sleep 0.1
	done
	return 1
}

# The reply from to the mail in the file original, its text body, on
# stdout (tests/support/reply.py).
write_reply() {		# original from body [reply.py options...]
	"$PY" "$TOP/tests/support/reply.py" "$@"
}

# Sends the raw message in file from sender over the stack's SMTP, to
# envelope-to or else to the message's To.
smtp_send() {		# file sender [envelope-to]
	"$PY" -S - "$MAILSTACK_SMTP_PORT" "$@" <<'PYEOF'
import email, email.policy, smtplib, sys
port, path, sender = sys.argv[1:4]
raw = open(path, "rb").read()
if len(sys.argv) > 4:
    to = sys.argv[4]
else:
    to = str(email.message_from_bytes(raw, policy=email.policy.default)["to"])
with smtplib.SMTP("127.0.0.1", int(port)) as s:
    s.sendmail(sender, [to], raw)
PYEOF
}

# from answers the mail in the file original with body, over SMTP (the
# reply is kept as $T/reply.eml).
send_reply() {		# original from body
	write_reply "$1" "$2" "$3" >"$T/reply.eml"
	smtp_send "$T/reply.eml" "$2"
}

# Points $T/agent.conf at the script's mail stack: mail out over its
# SMTP, replies read from mscagent's INBOX over IMAP every 5 s.
use_mailstack() {
	set_conf outbound url "smtp://127.0.0.1:$MAILSTACK_SMTP_PORT"
	set_conf outbound starttls off
	set_conf inbound url "imap://127.0.0.1:$MAILSTACK_IMAP_PORT/INBOX"
	set_conf inbound starttls off
	set_conf inbound username mscagent
	set_conf inbound poll_seconds 5
	printf 'secret\n' >"$T/imap.pw"
	chmod 600 "$T/imap.pw"
	set_conf inbound password_file "$T/imap.pw"
}

# Sets key = value in section of $T/agent.conf, adding the key right
# after the section's header when the file does not have it; with the
# value "-", removes the key.
set_conf() {		# section key value
	"$PY" -S - "$T/agent.conf" "$1" "$2" "$3" <<'PYEOF'
import sys
path, section, key, value = sys.argv[1:]
out, cur, done = [], None, False
line_of = "%s = %s" % (key, value)
for line in open(path, encoding="utf-8").read().split("\n"):
    s = line.strip()
    if s.startswith("["):
        cur = s.strip("[]")
        out.append(line)
        if cur == section:
            at = len(out)
        continue
    if cur == section and s.split("=")[0].strip() == key:
        done = True
        if value != "-":
            out.append(line_of)
        continue
    out.append(line)
if not done and value != "-":
    out.insert(at, line_of)
open(path, "w", encoding="utf-8").write("\n".join(out))
PYEOF
}

# Runs the agent with the clock moved forward from outside (Debian's
# faketime: the binary has no clock hook).  ASan must not insist on
# coming first in the library list, since faketime is preloaded.
agent_later() {		# offset (e.g. +31d) args...
	local offset=$1
	shift
	out=$(ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	    faketime -f "$offset" "$MSCAGENT" -c "$T/agent.conf" "$@" \
	    2>"$T/stderr")
	rc=$?
	err=$(cat "$T/stderr")
}

# The TOTP code (RFC 6238: SHA-1, 6 digits, 30 s) of a base32 secret,
# steps from now, as an authenticator app shows it.
totp() {		# secret [steps]
	"$PY" -S -c 'import base64, hashlib, hmac, struct, sys, time
s = sys.argv[1]
k = base64.b32decode(s + "=" * (-len(s) % 8))
n = int(time.time()) // 30 + int(sys.argv[2])
h = hmac.new(k, struct.pack(">Q", n), hashlib.sha1).digest()
o = h[-1] & 15
print("%06d" % ((struct.unpack(">I", h[o:o + 4])[0] & 0x7fffffff) % 1000000))' \
	    "$1" "${2:-0}"
}

# A TCP port nobody listens on now.
free_port() {
	"$PY" -S -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts `mscagent run` in the background on a free port (base_url to
# match), logging to $T/run.log, and waits until it has said it started.
# /healthz answers as soon as the port is bound, while the agent still
# starts its other threads, and the start-up lines come after those.
start_agent() {
	local before=0
	PORT=$(free_port)
	BASE=http://127.0.0.1:$PORT
	set_conf listener port "$PORT"
	set_conf agent base_url "$BASE"
	[ ! -f "$T/run.log" ] || before=$(wc -l <"$T/run.log")
	"$MSCAGENT" -c "$T/agent.conf" run >>"$T/run.log" 2>&1 &
	AGENT_PID=$!
	for _ in $(seq 100); do
		tail -n +"$((before + 1))" "$T/run.log" |
		    grep -q '^mscagent [^ ]*: verification pages at ' &&
		    curl -fs "$BASE/healthz" >/dev/null 2>&1 && return 0
		kill -0 "$AGENT_PID" 2>/dev/null || break
		sleep 0.1
	done
	not_ok "the agent starts" "$(cat "$T/run.log")"
	exit 1
}

# SIGTERM, then waits for the exit: sets $rc and $stop_ms.
stop_agent() {
	local t0
	t0=$(date +%s%N)
	kill -TERM "$AGENT_PID"
	wait "$AGENT_PID"
	rc=$?
	stop_ms=$((($(date +%s%N) - t0) / 1000000))
	AGENT_PID=
}

# An HTTP request with curl: sets $status, $headers and $body.
http() {		# method url [curl args...]
	local method=$1 url=$2
	shift 2
	status=$(curl -s -X "$method" -o "$T/body" -D "$T/headers" \
	    -w '%{http_code}' "$@" "$url")
	headers=$(tr -d '\r' <"$T/headers")
	body=$(cat "$T/body")
}

# The files a Maildir folder received, oldest first.
files_in() {		# maildir
	find "$1/new" -type f 2>/dev/null | sort
}

# A tenant "Later" approved and mailed its link, then the sweep 31 days
# on, which expires it: sets $id2 and $old, the link on $BASE.
expired_link() {
	agent tenant add --name Later --customer-admin it@later.test \
	    --msp-admin ops@later.test --workloads m365 --edition enterprise
	id2=$out
	agent start "$id2"
	agent approve "$id2"
	agent flush
	old=$(mail_link "$(files_in "$T/var/mail/ops@later.test" | tail -1)")
	old=$BASE/verify?token=${old#*token=}
	agent_later +31d sweep
	expect_match "31 days on, the sweep expires the link" "$out" "1 expired"
}

# The verification link in a delivered mail's text part.
mail_link() {		# file
	"$PY" -S -c 'import sys, re, email, email.policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"),
    policy=email.policy.default)
t = m.get_body(("plain",)).get_content()
print(re.search(r"https?://[^\s>]+/verify\?token=[^\s>]+", t).group(0))' "$1"
}
