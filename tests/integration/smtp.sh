#!/usr/bin/env bash
# Outbound mail through a real Postfix into a real Dovecot, read back over
# IMAP (SPEC §3): headers and parts as sent, every reachable kind, an
# outage in the middle of a flush, refused recipients, hostile names, and
# TLS (STARTTLS and smtps) checked against the test's own CA.
. "$(dirname "$0")/../support/lib.sh"
TLS=1 start_mailstack
make_config
set_conf outbound url "smtp://127.0.0.1:$MAILSTACK_SMTP_PORT"
set_conf outbound starttls off
set_conf agent support_addresses support@example.test
agent init

agent plan add All --edition enterprise --products hybrid,m365,gws,endpoints
name='Müller & Söhne — 株式会社 🚀'
agent tenant add --name "$name" --customer-admin admin1@example.test \
    --msp-admin msp1@example.test --workloads m365,endpoints \
    --edition enterprise --license m365=2027-03-01 \
    --license endpoints=2031-01-01
saas=$out
agent start "$saas"
agent flush
expect_rc "flush over SMTP" 0
expect_match "the approval request was accepted by the server" "$out" \
    "sent approval_request to admin1@example.test .*250"

m=$(mailbox admin1)
expect_eq "one mail in the customer admin's IMAP mailbox" \
    "$(json_get "$m" 'len(d)')" 1
expect_eq "Subject decodes to the exact customer name" \
    "$(json_get "$m" 'd[0]["subject"]')" \
    "Approval needed: move $name to the Managed Services Console"
expect_eq "From decodes" "$(json_get "$m" 'd[0]["from"]')" \
    'MSC migration <mscagent@example.test>'
expect_eq "multipart/alternative with text and HTML, UTF-8" \
    "$(json_get "$m" '(d[0]["content_type"], [(p["type"], p["charset"]) for p in d[0]["parts"]])')" \
    "('multipart/alternative', [('text/plain', 'utf-8'), ('text/html', 'utf-8')])"
expect_eq "both parts name the customer" \
    "$(NAME=$name json_get "$m" '[__import__("os").environ["NAME"] in __import__("html").unescape(p["content"]) for p in d[0]["parts"]]')" \
    "[True, True]"
expect_match "Reply-To carries a key" "$(json_get "$m" 'd[0]["reply_to"]')" \
    '^mscagent\+[0-9]+\.[0-9a-f]{20}@example\.test$'
# The key is the documented HMAC under the server's secret, recomputed
# here independently; one changed character no longer matches.
keycheck() {		# reply-to tenant recipient generation
	"$PY" -S - "$T/var/reply.key" "$@" <<'PYEOF'
import hashlib, hmac, re, sys
secret = open(sys.argv[1], "rb").read()
addr, tenant, rcpt, gen = sys.argv[2:]
key = re.match(r"^[^+]*\+([0-9]+)\.([0-9a-f]{20})@", addr)
mail, mac = key.group(1), key.group(2)
msg = b"\0".join(x.encode() for x in ("mscagent-reply-v1", tenant, mail, rcpt, gen))
want = hmac.new(secret, msg, hashlib.sha256).hexdigest()[:20]
forged = mac[:-1] + ("0" if mac[-1] != "0" else "1")
print(hmac.compare_digest(mac, want), hmac.compare_digest(forged, want))
PYEOF
}
expect_eq "the key is the HMAC of tenant, mail, recipient and generation" \
    "$(keycheck "$(json_get "$m" 'd[0]["reply_to"]')" "$saas" admin1@example.test 1)" \
    "True False"
expect_eq "Auto-Submitted and X-Auto-Response-Suppress" \
    "$(json_get "$m" '(d[0]["auto_submitted"], d[0]["suppress"])')" \
    "('auto-generated', 'OOF, AutoReply')"
expect_eq "CRLF only, lines within 998" \
    "$(json_get "$m" '(d[0]["bare_lf"], d[0]["max_line"] <= 998)')" \
    "(False, True)"
agent tenant show "$saas" --json
expect_eq "the Message-ID that arrived is the one stored" \
    "$(json_get "$m" 'd[0]["message_id"]')" \
    "$(json_get "$out" 'd["mails"][0]["message_id"]')"

# ---- every kind the command line can reach, each with its action ----

agent tenant add --name "Hybrid GmbH" --customer-admin admin1+h@example.test \
    --msp-admin msp1@example.test --workloads hybrid,m365 \
    --edition enterprise
hyb=$out
agent tenant add --name "Nein AG" --customer-admin admin1+n@example.test \
    --msp-admin msp1+n@example.test --workloads gws --edition enterprise
no=$out
agent start "$hyb" "$no"
agent approve "$saas"
agent verify "$saas" --plan All
agent approve "$hyb"
agent verify "$hyb" --plan All
agent finalize "$hyb"
agent reject "$no"
agent flush
expect_rc "flush of every kind" 0
kinds() {		# user: what each message is, by its subject, sorted
	json_get "$(mailbox "$1")" 'sorted(m["subject"].split(":")[0] for m in d)'
}
expect_eq "the customer admin's mails" "$(kinds admin1)" \
    "['Approval needed', 'Approval needed', 'Approval needed', 'Received', 'Received', 'Received']"
expect_eq "the MSP admin's mails" "$(kinds msp1)" \
    "['Action needed', 'Action needed', 'Completed', 'Completed', 'Rejected', 'Verified']"
expect_eq "support's mails" "$(kinds support)" "['Finalize', 'Rejected']"
# True when the first 400 characters of the text of user's mail whose
# subject starts so hold the words (however the lines were wrapped).
action_in() {		# user subject-start words
	SUBJ=$2 WORDS=$3 json_get "$(mailbox "$1")" '[" ".join(m["parts"][0]["content"].split())[:400].count(__import__("os").environ["WORDS"]) > 0 for m in d if m["subject"].startswith(__import__("os").environ["SUBJ"])][0]'
}
expect_eq "verification: open the page" \
    "$(action_in msp1 'Action needed' 'Open the verification page')" True
expect_eq "finalization request: reply FINALIZE" \
    "$(action_in support 'Finalize' 'FINALIZE')" True
expect_eq "rejected, to support: RETRIGGER" \
    "$(action_in support 'Rejected' 'RETRIGGER')" True
expect_eq "completed: the validation steps" \
    "$(action_in msp1 'Completed' 'Access Tenant Console')" True
expect_eq "receipt: nothing more needed" \
    "$(action_in admin1 'Received' 'Nothing more is needed')" True
expect_eq "verified: support finalizes" \
    "$(action_in msp1 'Verified' 'support finalizes')" True
m=$(mailbox msp1)
expect_eq "follow-ups to the MSP admin are threaded" \
    "$(json_get "$m" '[c["in_reply_to"] == v["message_id"] and v["message_id"] in c["references"] for v in d if v["subject"].startswith("Action needed") and "Müller" in v["subject"] for c in d if c["subject"].startswith("Completed: Müller")]')" \
    "[True]"

# ---- the kinds the clock sends: reminders and expiry ----

agent tenant add --name "Slow AG" --customer-admin admin1+slow@example.test \
    --msp-admin msp1+slow@example.test --workloads gws --edition enterprise
slow=$out
agent tenant add --name "Late AG" --customer-admin admin1+late@example.test \
    --msp-admin msp1+late@example.test --workloads gws --edition enterprise
late=$out
agent start "$slow" "$late"
agent approve "$late"
agent_later +4d sweep
expect_match "4 days on: one approval reminder" "$out" \
    "sweep: 0 expired, 0 verification reminders, 1 approval reminder"
agent_later +28d sweep
expect_match "28 days on: one verification reminder" "$out" \
    "sweep: 0 expired, 1 verification reminder, 0 approval reminders"
agent_later +31d sweep
expect_match "31 days on: the link expires" "$out" \
    "sweep: 1 expired, 0 verification reminders, 0 approval reminders"
agent_later +31d sweep
expect_match "a second sweep does nothing again" "$out" \
    "sweep: 0 expired, 0 verification reminders, 0 approval reminders"
agent_later +31d flush
expect_match "the clock's mails go out when due" "$out" "flush: 8 sent"
expect_eq "approval reminder: reply APPROVE or REJECT" \
    "$(action_in admin1 'Reminder: approval' 'Reply with APPROVE or REJECT')" True
expect_eq "verification reminder: open the page" \
    "$(action_in msp1 'Reminder: confirm' 'Open the verification page')" True
expect_eq "expired, to the MSP admin: contact support" \
    "$(action_in msp1 'Expired' 'Contact support')" True
expect_eq "expired, to support: RETRIGGER" \
    "$(action_in support 'Expired' 'RETRIGGER')" True

# ---- the server stops in the middle: nothing lost, nothing doubled ----

agent tenant import /dev/stdin <<EOF2 >/dev/null
name,customer_admin,msp_admin,workloads,edition
Outage 1,admin1+o1@example.test,msp1@example.test,m365,enterprise
Outage 2,admin1+o2@example.test,msp1@example.test,m365,enterprise
Outage 3,admin1+o3@example.test,msp1@example.test,m365,enterprise
EOF2
agent start --all
stop_mailstack
agent flush
expect_rc "flush with the server down exits 2" 2
expect_match "it says the mails stay queued" "$err" "stay queued"
agent tenant list --json
queued=$(pyj "$out" '[t["id"] for t in d if t["name"].startswith("Outage")]')
for id in $(echo "$queued" | tr -d '[],'); do
	agent tenant show "$id" --json
	expect_eq "tenant $id: its mail is still queued, not counted" \
	    "$(json_get "$out" '[(m["status"], m["attempts"]) for m in d["mails"]]')" \
	    "[('queued', 0)]"
done
# The server comes back on the same ports, as a real one would.
restart_mailstack "the server comes back"
agent flush --all
expect_rc "after the server is back, flush --all delivers" 0
expect_match "all three go" "$out" "flush: 3 sent, 0 to retry, 0 failed"
agent flush --all
expect_match "and a second flush sends none again" "$out" "flush: 0 sent"
m=$(mailbox admin1)
expect_eq "each arrived exactly once, under its stored Message-ID" \
    "$(json_get "$m" 'sorted(x["subject"][-45:] for x in d if "Outage" in x["subject"])')" \
    "['move Outage 1 to the Managed Services Console', 'move Outage 2 to the Managed Services Console', 'move Outage 3 to the Managed Services Console']"
ids=$(json_get "$m" 'len(set(x["message_id"] for x in d)) == len(d)')
expect_eq "no Message-ID twice in the mailbox" "$ids" True

# ---- refused recipients ----

agent tenant add --name "Gone Ltd" --customer-admin reject@example.test \
    --msp-admin msp1@example.test --workloads gws --edition enterprise
gone=$out
agent tenant add --name "Later Ltd" --customer-admin tempfail@example.test \
    --msp-admin msp1@example.test --workloads gws --edition enterprise
later=$out
agent start "$gone" "$later"
support_before=$(count support)
agent flush
expect_match "550: the mail fails" "$out" "failed approval_request to reject@example.test"
expect_match "450: the mail waits for a retry" "$out" \
    "will retry approval_request to tempfail@example.test"
agent tenant show "$gone" --json
expect_match "the failed mail keeps the server's reason" \
    "$(json_get "$out" 'd["mails"][0]["status"] + " " + d["mails"][0]["last_error"]')" \
    "^failed 550 .*no such user here"
agent tenant show "$later" --json
expect_match "the retried mail keeps the server's reason" \
    "$(json_get "$out" '"%s %d %s" % (d["mails"][0]["status"], d["mails"][0]["attempts"], d["mails"][0]["last_error"])')" \
    "^queued 1 450 .*try again later"
expect_eq "support got one delivery-failed mail" \
    "$(json_get "$(mailbox support)" '[x["subject"] for x in d][len(d) - 1:]')" \
    "['Delivery failed: approval_request for Gone Ltd']"
expect_eq "and only one" "$(count support)" "$((support_before + 1))"

# ---- hostile names ----

agent tenant add --name '<script>alert(1)</script> "; DROP TABLE tenants; --' \
    --customer-admin admin1+evil@example.test --msp-admin msp1@example.test \
    --workloads gws --edition enterprise
agent start "$out"
agent tenant add --name $'Evil\r\nBcc: x@evil.test' \
    --customer-admin admin1+evil@example.test --msp-admin msp1@example.test \
    --workloads gws --edition enterprise
expect_rc "a name with CR LF is refused at the door" 1
agent flush
m=$(mailbox admin1)
evil=$(json_get "$m" '[x for x in d if "DROP TABLE" in x["subject"]][0]["parts"][1]["content"]')
expect_no_match "no script element in the received HTML" "$evil" "<script>"
expect_match "the name is there, escaped" "$evil" "&lt;script&gt;alert\(1\)"
expect_eq "no Bcc header on any received mail" \
    "$(json_get "$m" 'sum("bcc" in x["header_names"] for x in d)')" 0
agent tenant list
expect_match "the tenants table is intact" "$out" "DROP TABLE"

# ---- TLS: verified against the test CA, or refused ----

agent tenant add --name "TLS Co" --customer-admin admin1+tls@example.test \
    --msp-admin msp1@example.test --workloads gws --edition enterprise
tls=$out
agent start "$tls"
set_conf outbound starttls required
agent flush
expect_rc "STARTTLS with a certificate the system does not trust: refused" 2
set_conf outbound tls_ca_file "$MAILSTACK_CA"
agent flush --all
expect_rc "STARTTLS against the test CA delivers" 0
expect_match "over STARTTLS" "$out" "sent approval_request to admin1\+tls@example.test"
set_conf outbound url "smtp://localhost:$MAILSTACK_SMTP_PORT"
agent tenant add --name "TLS Two" --customer-admin admin1+tls2@example.test \
    --msp-admin msp1@example.test --workloads gws --edition enterprise
agent start "$out"
set_conf outbound url "smtps://127.0.0.2:$MAILSTACK_SMTPS_PORT"
agent flush
expect_rc "smtps with a host name not in the certificate: refused" 2
set_conf outbound url "smtps://127.0.0.1:$MAILSTACK_SMTPS_PORT"
agent flush --all
expect_rc "smtps with the right host name and CA delivers" 0

# ---- AUTH from password_file, only over TLS ----

agent tenant add --name "Auth Co" --customer-admin admin1+auth@example.test \
    --msp-admin msp1@example.test --workloads gws --edition enterprise
agent start "$out"
set_conf outbound url "smtp://127.0.0.1:$MAILSTACK_SMTP_PORT"
set_conf outbound starttls required
set_conf outbound username mscagent
printf 'wrong\n' >"$T/smtp.pw"
chmod 600 "$T/smtp.pw"
set_conf outbound password_file "$T/smtp.pw"
agent flush
expect_rc "a wrong password: the server refuses, the mail stays queued" 2
expect_match "and the error says so" "$err" "stay queued"
printf 'secret\n' >"$T/smtp.pw"
agent flush --all
expect_rc "AUTH with the password from the file, over STARTTLS" 0
expect_match "the mail goes" "$out" "sent approval_request to admin1\+auth@example.test"
agent check
expect_rc "check reaches the SMTP server with AUTH over STARTTLS" 0
expect_match "and says so" "$out" "ok +outbound +smtp://"
printf 'wrong\n' >"$T/smtp.pw"
agent check
expect_rc "check with a wrong SMTP password fails" 2
expect_match "with the server's answer" "$out" "FAIL +outbound .*535"

# ---- a mail's content leaves only once the one before is recorded ----

# Each mail's status is committed while the next one's envelope goes out;
# the witness server counts, as each content begins, the mails recorded
# as sent, and holds the database's write lock for a while as it takes
# the first, so that recording it is late.
set_conf outbound username ""
set_conf outbound password_file ""
agent flush --all

# Queues an approval request each for count new tenants named after
# tag.
queue_requests() {	# tag count
	local i
	for ((i = 1; i <= $2; i++)); do
		agent tenant add --name "$1 $i" \
		    --customer-admin "admin$i+$1@example.test" \
		    --msp-admin msp1@example.test --workloads gws \
		    --edition enterprise
		agent start "$out"
	done
}

queue_requests witness 5
port=$(free_port)
"$PY" "$TOP/tests/support/smtp_witness.py" "$port" "$T/var/agent.db" \
    "$T/witness.log" &
witness=$!
wait_until 100 0.1 test -e "$T/witness.log"
set_conf outbound url "smtp://127.0.0.1:$port"
set_conf outbound starttls off
agent flush
expect_rc "flush through the witness" 0
wait "$witness"
expect_eq "each content began with every mail before it recorded" \
    "$(tr '\n' ' ' <"$T/witness.log")" "ok 0 ok 1 ok 2 ok 3 ok 4 "

# A mail whose outcome cannot be recorded (the lock held past the busy
# timeout) stops the pass before the next mail's content: that mail is
# never delivered, and both go out once the database is free again.
queue_requests cut 2
port=$(free_port)
"$PY" "$TOP/tests/support/smtp_witness.py" "$port" "$T/var/agent.db" \
    "$T/cut.log" 12 &
witness=$!
wait_until 100 0.1 test -e "$T/cut.log"
set_conf outbound url "smtp://127.0.0.1:$port"
agent flush
expect_rc "a status that cannot be recorded fails the flush" 2
expect_match "and says why" "$err" "database is locked"
wait "$witness"
expect_eq "the next mail was cut before its content" \
    "$(tr '\n' ' ' <"$T/cut.log")" "ok 0 cut 1 "
set_conf outbound url "smtp://127.0.0.1:$MAILSTACK_SMTP_PORT"
agent flush
expect_rc "with the database free again, flush goes on" 0
expect_match "and sends both" "$out" "^flush: 2 sent"

# ---- a server that takes one message per connection ----

# It hangs up on the next MAIL FROM: that mail goes again on a new
# connection, once, and nothing is sent twice.
queue_requests closer 3
port=$(free_port)
"$PY" "$TOP/tests/support/smtp_closer.py" "$port" "$T/closer.log" 3 &
closer=$!
wait_until 100 0.1 test -e "$T/closer.log"
set_conf outbound url "smtp://127.0.0.1:$port"
agent flush
expect_rc "flush to a server that takes one message per connection" 0
expect_match "sends all three" "$out" "^flush: 3 sent, 0 to retry, 0 failed"
kill "$closer" 2>/dev/null	# still waiting when the flush gave up
wait "$closer" 2>/dev/null
expect_eq "each taken once, one session each" \
    "$(tr '\n' ' ' <"$T/closer.log")" "taken 1 taken 2 taken 3 "
