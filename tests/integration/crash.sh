#!/usr/bin/env bash
# Crash safety and outages of a running `mscagent run` against the real
# Postfix + Dovecot: 200 tenants migrate at once while the agent is
# killed with SIGKILL during delivery, while it reads replies and while
# it takes confirmations, and restarted each time; the mail servers go
# away for a while and come back.  At the end every tenant is completed,
# each history is whole, and each mail arrived once, counted by
# Message-ID in the real mailboxes.  Last, SIGTERM under load.
. "$(dirname "$0")/../support/lib.sh"
N=200
start_mailstack
make_config
use_mailstack
set_conf listener max_connections 64
agent init
agent plan add SaaS --edition enterprise --products m365,endpoints
plan=$out

kill_agent() {
	kill -KILL "$AGENT_PID" 2>/dev/null
	wait "$AGENT_PID" 2>/dev/null
	AGENT_PID=
	kills=$((kills + 1))
}
kills=0

# How many messages whose subject starts with s a user's INBOX holds.
count_subject() {	# user subject-start
	count_where "$1" "m['subject'].startswith('$2')"
}

wait_count() {		# user subject-start n
	wait_until 600 0.2 at_least "$3" count_subject "$1" "$2"
}

in_state() {		# state
	agent tenant list --state "$1" --json
	json_get "$out" 'len(d)'
}

wait_state_count() {	# state n
	wait_until 600 0.2 at_least "$2" in_state "$1"
}

{
	echo "name,customer_admin,msp_admin,workloads,edition,licenses,suspended"
	for ((i = 1; i <= N; i++)); do
		echo "Crash $i,admin1@example.test,msp1@example.test,m365,enterprise,,no"
	done
} >"$T/tenants.csv"
agent tenant import "$T/tenants.csv"
expect_rc "$N tenants imported" 0

# ---- killed while delivering ----
start_agent
agent start --all
expect_rc "start --all queues $N approval requests" 0
sleep 0.3
kill_agent
start_agent
check "after a kill during delivery, all $N requests arrive" \
    wait_count admin1 "Approval needed" "$N"

# ---- killed while reading replies ----
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
        # A mail in doubt may have come twice: one answer, as a person
        # would give (a second one is recorded, and changes nothing).
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
for pause in 2 3; do
	sleep "$pause"
	kill_agent
	start_agent
done
check "after kills while reading, all $N are awaiting verification" \
    wait_state_count awaiting_verification "$N"
check "and all $N verification links arrive" \
    wait_count msp1 "Action needed" "$N"

# ---- outage, and killed while taking confirmations ----
mkdir -p "$T/links"
mailbox msp1 --save "$T/links" >/dev/null
for f in "$T"/links/*.eml; do
	"$PY" -S -c 'import sys, email, email.policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
sys.exit(0 if str(m["subject"]).startswith("Action needed") else 1)' "$f" &&
	    mail_link "$f"
done | sed 's/.*token=//' >"$T/tokens"
expect_eq "one link per tenant" "$(sort -u "$T/tokens" | grep -c .)" "$N"
stop_mailstack
confirm_all() {		# posts every token not yet confirmed; 8 at a time
	xargs -P 8 -I{} curl -s -o /dev/null -w '%{http_code}\n' \
	    -d "token={}&plan=$plan" "$BASE/verify" <"$T/tokens" >"$T/codes" 2>/dev/null
}
confirm_all &
posts=$!
sleep 1
kill_agent
wait "$posts"
from=$(($(wc -l <"$T/run.log") + 1))
start_agent
confirm_all
expect_eq "after the kill, every confirmation is answered 303" \
    "$(sort -u "$T/codes")" 303
expect_eq "all $N completed" "$(in_state completed)" "$N"
sleep 3
restart_mailstack "the mail servers come back on the same ports"
check "the agent reconnects: all $N completion mails arrive" \
    wait_count msp1 "Completed" "$N"
check "and all $N receipts" wait_count admin1 "Received" "$N"
since=$(tail -n +"$from" "$T/run.log")
for c in outbox inbox; do
	expect_eq "$c: the outage is logged once, not once a try" \
	    "$(printf '%s\n' "$since" | grep -c "$c server unavailable")" 1
done
check "and its end" wait_count msp1 "Completed" "$N"
expect_match "is logged too" "$(cat "$T/run.log")" "outbox server reachable again"

# ---- every history whole, every mail once ----
agent tenant list --json
expect_eq "every history: new, approval, verification, completed" \
    "$(pyj "$out" 'len(d)')" "$N"
bad=0
# Read with the release build: 200 sanitized start-ups take minutes.
for id in $(pyj "$out" '" ".join(str(t["id"]) for t in d)'); do
	out=$("$TOP/build/mscagent" -c "$T/agent.conf" tenant show "$id" --json)
	h=$(json_get "$out" '" ".join(x["to"] for x in d["history"])')
	m=$(json_get "$out" '" ".join(sorted(x["kind"] + ":" + x["status"] for x in d["mails"]))')
	if [ "$h" != "new awaiting_approval awaiting_verification completed" ] ||
	    [ "$m" != "approval_receipt:sent approval_request:sent completed:sent verification:sent" ]; then
		bad=$((bad + 1))
		echo "# tenant $id: $h / $m"
	fi
done
expect_eq "each tenant: three transitions, four mails sent" "$bad" 0
doubt=$(grep -c 'in doubt' "$T/run.log")
twice='len(d) - len(set(m["message_id"] for m in d))'
for u in admin1 msp1; do
	dups=$(json_get "$(mailbox "$u")" "$twice")
	# A mail can arrive twice only if the agent died between the
	# server's 250 and its own commit; it says so in the log.
	check "$u: no Message-ID twice beyond the $doubt logged in doubt ($dups)" \
	    test "$dups" -le "$doubt"
done
distinct='len(set(m["message_id"] for m in d))'
expect_eq "admin1 got each request and receipt" \
    "$(json_get "$(mailbox admin1)" "$distinct")" $((2 * N))
expect_eq "msp1 got each link and completion" \
    "$(json_get "$(mailbox msp1)" "$distinct")" $((2 * N))
check "the agent was killed $kills times" test "$kills" -ge 4

# ---- SIGTERM under load ----
agent tenant import "$T/tenants.csv"
agent start --all
stop_agent
expect_eq "SIGTERM under load: exit 0" "$rc" 0
check "SIGTERM: gone within 5 s ($stop_ms ms)" test "$stop_ms" -lt 5000
agent tenant list --state awaiting_approval --json
expect_eq "nothing half-done: every new tenant awaits approval" \
    "$(json_get "$out" 'len(d)')" "$N"
agent flush --all
expect_rc "what was left queued goes out afterwards" 0
check "each request once" wait_count admin1 "Approval needed" $((2 * N))
