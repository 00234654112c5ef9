#!/usr/bin/env bash
# Three agents on one PostgreSQL against the real Postfix + Dovecot,
# killed with SIGKILL at random moments and started again, the
# database server restarted under them: 200 tenants migrate, replies
# arrive over IMAP (one agent reads them at a time), links are confirmed
# on random agents.  At the end every tenant is completed with each
# transition once in its history, each mail arrived once by Message-ID
# (beyond those the log says were in doubt), and nothing is left
# claimed.
. "$(dirname "$0")/../support/lib.sh"
N=200
PG=$T/pg
pg() { bash "$TOP/tests/support/pg.sh" "$@"; }
PIDS=()
CHAOS=
finish() {
	local p
	[ -z "$CHAOS" ] || chaos_off
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	pg stop "$PG"
	_cleanup
}
trap finish EXIT
start_mailstack
pg start "$PG" >/dev/null || { not_ok "PostgreSQL starts"; exit 1; }
pg createdb "$PG" chaos
q() { pg query "$PG" chaos "$1"; }

make_config
set_conf agent database "postgresql:///chaos?host=$PG&user=mscagent"
use_mailstack
set_conf listener max_connections 64
agent init
agent plan add SaaS --edition enterprise --products m365,endpoints
plan=$out
{
	echo "name,customer_admin,msp_admin,workloads,edition,licenses,suspended"
	for ((i = 1; i <= N; i++)); do
		echo "Chaos $i,admin1@example.test,msp1@example.test,m365,enterprise,,no"
	done
} >"$T/tenants.csv"
agent tenant import "$T/tenants.csv"
expect_rc "$N tenants imported" 0

# Agent k: its own config and listener port, kept across restarts.
PORTS=()
for k in 1 2 3; do
	PORTS[$k]=$(free_port)
	sed -e "0,/^port = .*/s//port = ${PORTS[$k]}/" \
	    -e "s|^base_url = .*|base_url = http://127.0.0.1:${PORTS[$k]}|" \
	    "$T/agent.conf" >"$T/agent$k.conf"
done
up() {			# k: starts agent k and waits for its listener
	"$MSCAGENT" -c "$T/agent$1.conf" run >>"$T/run$1.log" 2>&1 &
	PIDS[$1]=$!
	wait_until 100 0.1 curl -fs "http://127.0.0.1:${PORTS[$1]}/healthz" \
	    -o /dev/null
}
for k in 1 2 3; do up $k; done
ok "three agents run"

# Chaos: every 1 to 3 s one agent, picked at random, is killed with
# SIGKILL and started again; the kills are counted in $T/kills.
chaos() {
	local k
	while :; do
		sleep $((1 + RANDOM % 3))
		k=$((1 + RANDOM % 3))
		kill -KILL "${PIDS[$k]}" 2>/dev/null
		wait "${PIDS[$k]}" 2>/dev/null
		echo "$k" >>"$T/kills"
		up "$k"
	done
}
# The chaos runs in a subshell with its own copy of PIDS: it writes the
# live ones to $T/pids for the end.
chaos_on() {
	( trap 'for p in "${PIDS[@]}"; do echo "$p"; done >"$T/pids"; exit 0' TERM
	  chaos ) &
	CHAOS=$!
}
chaos_off() {
	kill -TERM "$CHAOS"
	wait "$CHAOS" 2>/dev/null
	CHAOS=
	mapfile -t PIDS <"$T/pids"
	PIDS=("" "${PIDS[@]:0:3}")
}

count_subject() {	# user subject-start: distinct Message-IDs
	json_get "$(mailbox "$1")" "len(set(m['message_id'] for m in d if m['subject'].startswith('$2')))"
}
wait_count() {		# user subject-start n
	wait_until 900 0.2 at_least "$3" count_subject "$1" "$2"
}
in_state() { q "SELECT count(*) FROM tenants WHERE state = '$1'"; }
wait_state_count() { wait_until 900 0.2 at_least "$2" in_state "$1"; }

chaos_on
agent start --all
expect_rc "start --all queues $N approval requests" 0
check "all $N approval requests arrive while agents die" \
    wait_count admin1 "Approval needed" "$N"

# Replies over SMTP into the agents' mailbox, one per request.
mkdir -p "$T/requests"
mailbox admin1 --save "$T/requests" >/dev/null
"$PY" -S - "$MAILSTACK_SMTP_PORT" "$T/requests" <<'PYEOF'
import email, email.policy, os, smtplib, sys, uuid
port, folder = sys.argv[1:]
answered = set()
with smtplib.SMTP("127.0.0.1", int(port)) as s:
    for f in sorted(os.listdir(folder)):
        orig = email.message_from_binary_file(open(os.path.join(folder, f), "rb"),
                                              policy=email.policy.default)
        if not str(orig["subject"]).startswith("Approval needed"):
            continue
        if str(orig["message-id"]) in answered:
            continue
        answered.add(str(orig["message-id"]))
        r = email.message.EmailMessage(policy=email.policy.SMTP)
        r["From"] = "admin1@example.test"
        r["To"] = str(orig["reply-to"])
        r["Subject"] = "Re: " + str(orig["subject"])
        r["Message-ID"] = "<%s@client.example.test>" % uuid.uuid4()
        r["In-Reply-To"] = str(orig["message-id"])
        r.set_content("APPROVE\n\nOn Monday the agent wrote:\n> please approve\n")
        s.send_message(r, "admin1@example.test", [str(orig["reply-to"])])
PYEOF
check "$N APPROVE replies are sent over SMTP" test $? -eq 0
sleep 3
pg restart "$PG"
ok "PostgreSQL restarted under the agents"
check "all $N are awaiting verification" \
    wait_state_count awaiting_verification "$N"
check "and all $N verification links arrive" \
    wait_count msp1 "Action needed" "$N"

# Confirmations on random agents, again until each is answered 303.
mkdir -p "$T/links"
mailbox msp1 --save "$T/links" >/dev/null
for f in "$T"/links/*.eml; do
	"$PY" -S -c 'import sys, email, email.policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
sys.exit(0 if str(m["subject"]).startswith("Action needed") else 1)' "$f" &&
	    mail_link "$f"
done | sed 's/.*token=//' | sort -u >"$T/tokens"
expect_eq "one link per tenant" "$(grep -c . "$T/tokens")" "$N"
confirm_one() {		# token: POSTs to a random agent until one answers
	local code
	for _ in $(seq 100); do
		code=$(curl -s -o /dev/null -w '%{http_code}' -d "token=$1&plan=$2" \
		    "http://127.0.0.1:${PORTS[$((1 + RANDOM % 3))]}/verify")
		[ "$code" == 303 ] && { echo 303; return; }
		sleep 0.2
	done
	echo "$code"
}
export -f confirm_one
export PORTS_LIST="${PORTS[*]}"
xargs -P 8 -I{} bash -c 'PORTS=(0 $PORTS_LIST); confirm_one {} '"$plan" \
    <"$T/tokens" >"$T/codes"
expect_eq "every confirmation is answered 303 by some agent" \
    "$(sort -u "$T/codes")" 303
chaos_off
expect_eq "all $N completed" "$(in_state completed)" "$N"
check "all $N completion mails arrive" wait_count msp1 "Completed" "$N"
check "and all $N receipts" wait_count admin1 "Received" "$N"
kills=$(grep -c . "$T/kills")
check "agents were killed $kills times" test "$kills" -ge 5

# ---- every history whole, every mail once, nothing claimed ----
expect_eq "each history has each transition once" "$(q "SELECT count(*) \
FROM (SELECT tenant_id FROM history GROUP BY tenant_id HAVING \
string_agg(to_state, ' ' ORDER BY id) = \
'new awaiting_approval awaiting_verification completed') x")" "$N"
expect_eq "each tenant: four mails, each sent" "$(q "SELECT count(*) FROM \
(SELECT tenant_id FROM outbox WHERE tenant_id IS NOT NULL GROUP BY \
tenant_id HAVING string_agg(kind || ':' || status, ' ' ORDER BY kind) = \
'approval_receipt:sent approval_request:sent completed:sent \
verification:sent') x")" "$N"
expect_eq "each reply recorded once" "$(q "SELECT count(*) FROM inbound \
WHERE outcome = 'approve'")" "$N"
expect_eq "nothing is left claimed" "$(q "SELECT count(*) FROM outbox \
WHERE status = 'queued' OR lease_until > 0")" 0
doubt=$(cat "$T"/run*.log | grep -c 'in doubt')
twice='len(d) - len(set(m["message_id"] for m in d))'
for u in admin1 msp1; do
	dups=$(json_get "$(mailbox "$u")" "$twice")
	# Only a mail between the server's 250 and the commit of an agent
	# killed then may come twice; the agent that resends it says so.
	check "$u: no Message-ID twice beyond the $doubt logged in doubt ($dups)" \
	    test "$dups" -le "$doubt"
done
# The agents the chaos started are its children, not this shell's: no
# exit status to wait for, only their going.
gone() { ! kill -0 "$1" 2>/dev/null; }
for k in 1 2 3; do
	kill -TERM "${PIDS[$k]}"
	check "agent $k stops on SIGTERM" wait_until 100 0.1 gone "${PIDS[$k]}"
done
check "no agent logged a sanitizer's report" \
    test -z "$(grep -l 'Sanitizer' "$T"/run*.log)"
PIDS=()
