#!/usr/bin/env bash
# Three `mscagent run` on one PostgreSQL database (README, "Running on
# PostgreSQL"), on Maildir transports: every mail goes out once, one
# agent reads the mailbox and another takes over within the bound when
# it is killed, a dead agent's claimed mails go out without waiting for
# their lease, and a link works on any agent.
. "$(dirname "$0")/../support/lib.sh"

PG=$T/pg
pg() { bash "$TOP/tests/support/pg.sh" "$@"; }
PIDS=()
stop_all() {
	local p
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	pg stop "$PG"
	_cleanup
}
trap stop_all EXIT
pg start "$PG" >/dev/null || { not_ok "PostgreSQL starts"; exit 1; }
pg createdb "$PG" agents
URI="postgresql:///agents?host=$PG&user=mscagent"
psql_int() { pg query "$PG" agents "$1"; }

make_config
set_conf agent database "$URI"
set_conf inbound poll_seconds 5
set_conf inbound idle no
agent init
INBOX=$T/var/mail/mscagent@example.test
mkdir -p "$INBOX/tmp" "$INBOX/new" "$INBOX/cur"
agent plan add All --edition enterprise --products hybrid,m365,gws,endpoints
N=12
for ((i = 1; i <= N; i++)); do
	agent tenant add --name "Agents $i" --customer-admin "it$i@c.test" \
	    --msp-admin "ops$i@m.test" --workloads m365 --edition enterprise
done

# Agent k: its own config (its listener's port), its own log.
start_one() {		# k
	local port
	port=$(free_port)
	sed -e "0,/^port = 0$/s//port = $port/" \
	    -e "s|^base_url = .*|base_url = http://127.0.0.1:$port|" \
	    "$T/agent.conf" >"$T/agent$1.conf"
	# The [console] port stays 0: only the listener's is set.
	"$MSCAGENT" -c "$T/agent$1.conf" run >>"$T/run$1.log" 2>&1 &
	PIDS[$1]=$!
	PORTS[$1]=$port
	for _ in $(seq 100); do
		curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 &&
		    return 0
		sleep 0.1
	done
	not_ok "agent $1 starts" "$(cat "$T/run$1.log")"
	exit 1
}
PORTS=()
for k in 1 2 3; do start_one $k; done
ok "three agents run on one database"

# Mails of one kind, by Message-ID, in everybody's folders.
count_kind() {		# subject-start
	"$PY" -S - "$T/var/mail" "$1" <<'PYEOF'
import email, email.policy, os, sys, collections
root, want = sys.argv[1:]
ids = collections.Counter()
for box in os.listdir(root):
    for sub in ("new", "cur"):
        d = os.path.join(root, box, sub)
        for f in os.listdir(d) if os.path.isdir(d) else []:
            m = email.message_from_binary_file(open(os.path.join(d, f),
                "rb"), policy=email.policy.default)
            if str(m["subject"]).startswith(want):
                ids[m["message-id"]] += 1
print(len(ids), max(ids.values()) if ids else 0)
PYEOF
}

kind_is() { [ "$(count_kind "$1")" == "$2" ]; }
verifying() { psql_int "SELECT count(*) FROM tenants WHERE state = \
'awaiting_verification'"; }
verifying_is() { [ "$(verifying)" -eq "$1" ]; }
sent_orphan() { [ "$(psql_int "SELECT count(*) FROM outbox WHERE \
message_id = 'dead-holder@test' AND status = 'sent'")" -eq 1 ]; }

agent start --all
wait_until 300 0.2 kind_is "Approval needed" "$N 1"
expect_eq "every approval request went out once, by one of the agents" \
    "$(count_kind "Approval needed")" "$N 1"
expect_eq "nothing is left claimed" "$(psql_int "SELECT count(*) FROM \
outbox WHERE status = 'queued' OR lease_until > 0")" 0

# One reader: the others stand by.
readers() {
	local k n=0
	for k in "$@"; do
		grep -q "standing by" "$T/run$k.log" || n=$((n + 1))
	done
	echo $n
}
sleep 1
expect_eq "exactly one agent reads the mailbox" "$(readers 1 2 3)" 1
for k in 1 2 3; do
	grep -q "standing by" "$T/run$k.log" || reader=$k
done

reply_to() {		# i
	local req
	req=$(grep -l "^To: it$1@c.test" "$T/var/mail/it$1@c.test/new/"* | head -1)
	"$PY" "$TOP/tests/support/reply.py" "$req" "it$1@c.test" "APPROVE" \
	    >"$INBOX/tmp/reply$1"
	mv "$INBOX/tmp/reply$1" "$INBOX/new/reply$1.test"
}
for ((i = 1; i <= N / 2; i++)); do reply_to $i; done
wait_until 300 0.2 verifying_is $((N / 2))
expect_eq "half the tenants approved by mail" "$(verifying)" $((N / 2))

# ---- the reader is killed: another takes over within the bound ----
kill -KILL "${PIDS[$reader]}"
wait "${PIDS[$reader]}" 2>/dev/null
unset "PIDS[$reader]"
killed_at=$(date +%s)
for ((i = N / 2 + 1; i <= N; i++)); do reply_to $i; done
# RUN_STANDBY_SECONDS (5) for the turn, poll_seconds (5) for a look,
# and slack for the sanitizers: docs/architecture.md has the bound.
wait_until 300 0.2 verifying_is "$N"
took=$(($(date +%s) - killed_at))
expect_eq "every tenant approved after the reader was killed" \
    "$(verifying)" "$N"
check "another agent took the mailbox over within 20 s (took ${took}s)" \
    test "$took" -le 20
others=()
for k in 1 2 3; do [ "$k" == "$reader" ] || others+=("$k"); done
check "its log says so" grep -q "reading maildir:.* now" \
    "$T/run${others[0]}.log" "$T/run${others[1]}.log"
wait_until 300 0.2 kind_is "Action needed: confirm" "$N 1"
expect_eq "every verification mail went out once" "$(count_kind "Action needed: confirm")" \
    "$N 1"
expect_eq "each history has the approval once" "$(psql_int "SELECT \
count(*) FROM (SELECT tenant_id FROM history WHERE to_state = \
'awaiting_verification' GROUP BY tenant_id HAVING count(*) = 1) x")" "$N"
expect_eq "each reply is recorded once" "$(psql_int "SELECT count(*) FROM \
inbound")" "$N"

# ---- a link made by one agent works on every other ----
link=$(mail_link "$(files_in "$T/var/mail/ops1@m.test" | tail -1)")
token=${link#*token=}
for k in "${others[@]}"; do
	http GET "http://127.0.0.1:${PORTS[$k]}/verify?token=$token"
	expect_eq "the link answers on agent $k" "$status" 200
done

# ---- a dead agent's claims go out before their lease ends ----
agent tenant add --name "Late" --customer-admin it99@c.test \
    --msp-admin ops99@m.test --workloads m365 --edition enterprise
late=$out
# Held by a session that no longer exists, for five more minutes.
psql_int "BEGIN; SELECT pg_advisory_xact_lock(1836278593, 1); \
INSERT INTO outbox (id, tenant_id, kind, recipient, generation, \
created_at, next_attempt_at, message_id, subject, lease_until, claimed_by) \
SELECT nextval(pg_get_serial_sequence('outbox', 'id')), $late, \
'approval_request', 'it99@c.test', 1, 0, 0, 'dead-holder@test', 'Approval \
needed (orphan)', extract(epoch FROM now())::bigint + 300, 2147483000 \
RETURNING 0; COMMIT" >/dev/null
psql_int "INSERT INTO outbox_messages SELECT id, convert_to('Subject: \
orphan' || chr(13) || chr(10) || chr(13) || chr(10) || 'x', 'UTF8') FROM \
outbox WHERE message_id = 'dead-holder@test' RETURNING 0" >/dev/null
wait_until 300 0.2 sent_orphan
expect_eq "a dead holder's mail is sent by a live agent, lease or not" \
    "$(psql_int "SELECT count(*) FROM outbox WHERE message_id = \
'dead-holder@test' AND status = 'sent'")" 1

# ---- PostgreSQL restarts under the agents: they wait and carry on ----
pg restart "$PG"
agent tenant add --name "After restart" --customer-admin it77@c.test \
    --msp-admin ops77@m.test --workloads m365 --edition enterprise
expect_rc "the command line works again at once" 0
agent start "$out"
restarted() { [ -n "$(files_in "$T/var/mail/it77@c.test")" ]; }
wait_until 600 0.2 restarted
check "an agent delivers a mail queued after the restart" restarted
for k in "${others[@]}"; do
	check "agent $k is still running" kill -0 "${PIDS[$k]}"
done

# ---- stopped cleanly ----
for k in "${others[@]}"; do
	kill -TERM "${PIDS[$k]}"
	wait "${PIDS[$k]}"
	expect_eq "agent $k stops cleanly" "$?" 0
done
PIDS=()
