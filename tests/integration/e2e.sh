#!/usr/bin/env bash
# Both workflows end to end against a running `mscagent run` and the real
# Postfix + Dovecot, driven only the way people drive it: replies sent
# over SMTP, mails read over IMAP, the link followed over HTTP.  Then
# expiry (the clock moved by faketime from outside), support's RETRIGGER
# reply, the old link superseded and the new one working.
. "$(dirname "$0")/../support/lib.sh"
start_mailstack
make_config
use_mailstack
agent init

agent plan add SaaS --edition enterprise --products m365,endpoints
saas=$out
agent plan add Full --edition enterprise --products hybrid,m365,gws,endpoints
full=$out
start_agent

# ---- Workflow 2: SaaS and endpoints only ----
agent tenant add --name "Müller & Söhne" --customer-admin admin1@example.test \
    --msp-admin msp1@example.test --workloads m365,endpoints \
    --edition enterprise --license m365=2027-03-01
w2=$out
agent start "$w2"
expect_rc "W2: start" 0
check "W2: the running agent mails the approval request" \
    wait_mail admin1 "Approval needed: move Müller" request
send_reply "$T/request.eml" admin1@example.test "APPROVE"
check "W2: the APPROVE reply sent over SMTP moves the tenant on" \
    wait_state "$w2" awaiting_verification
check "W2: the MSP admin gets the verification link over IMAP" \
    wait_mail msp1 "Action needed: confirm the migration of Müller" verification
link=$(mail_link "$T/verification.eml")
expect_match "W2: the link points at this listener" "$link" "^$BASE/verify\?token="
http GET "$link"
expect_eq "W2: the page opens" "$status" 200
http POST "$BASE/verify" -d "token=${link#*token=}&plan=$saas"
expect_eq "W2: confirming redirects to the page" "$status" 303
expect_eq "W2: completed" "$(state_of "$w2")" completed
check "W2: the completion mail arrives over IMAP" \
    wait_mail msp1 "Completed: Müller" completed
expect_match "W2: it names the licence outcome" \
    "$(json_get "$(mailbox msp1)" '[p["content"] for m in d if m["subject"].startswith("Completed: Müller") for p in m["parts"] if p["type"] == "text/plain"][0]')" \
    "2027-03-01"

# ---- Workflow 1: hybrid, finalized by support's reply ----
agent tenant add --name "Hybrid GmbH" --customer-admin admin1@example.test \
    --msp-admin msp1@example.test --workloads hybrid,m365 \
    --edition enterprise
w1=$out
agent start "$w1"
check "W1: approval request" wait_mail admin1 "Approval needed: move Hybrid" request1
send_reply "$T/request1.eml" admin1@example.test "approve"
check "W1: approved by mail" wait_state "$w1" awaiting_verification
check "W1: verification link" wait_mail msp1 "confirm the migration of Hybrid" verification1
link1=$(mail_link "$T/verification1.eml")
http POST "$BASE/verify" -d "token=${link1#*token=}&plan=$full"
expect_eq "W1: confirmed" "$status" 303
expect_eq "W1: finalizing" "$(state_of "$w1")" finalizing
check "W1: support gets the finalization request" \
    wait_mail support "Finalize: Hybrid" finalize
send_reply "$T/finalize.eml" support@example.test "FINALIZE"
check "W1: support's FINALIZE reply completes it" wait_state "$w1" completed
http GET "$link1"
expect_match "W1: the link now shows the status" "$body" "Completed"

# ---- expiry, RETRIGGER by mail, old and new links ----
agent tenant add --name "Later AG" --customer-admin admin1@example.test \
    --msp-admin msp1@example.test --workloads m365 --edition enterprise
w3=$out
agent start "$w3"
check "expiry: approval request" wait_mail admin1 "Approval needed: move Later AG" request3
send_reply "$T/request3.eml" admin1@example.test "APPROVE"
check "expiry: approved" wait_state "$w3" awaiting_verification
check "expiry: first link" wait_mail msp1 "confirm the migration of Later AG" verification3
old=$(mail_link "$T/verification3.eml")
agent_later +31d sweep
expect_match "31 days on, faketime's sweep expires the link" "$out" "1 expired"
# Its mails are due 31 days on too: deliver them from there.
agent_later +31d flush
check "support gets the expired-token notice" \
    wait_mail support "Expired: the verification link for Later AG" expired
http GET "$old"
expect_eq "the expired link: 410" "$status" 410
send_reply "$T/expired.eml" support@example.test "RETRIGGER"
check "support's RETRIGGER reply restarts the approval" \
    wait_state "$w3" awaiting_approval
http GET "$old"
expect_eq "the old link is superseded: 410" "$status" 410
expect_match "and says so" "$body" "newer approval was started"
wait_until 100 0.1 at_least 2 \
    count_where admin1 '"Approval needed: move Later AG" in m["subject"]'
wait_mail admin1 "Approval needed: move Later AG" request4
send_reply "$T/request4.eml" admin1@example.test "APPROVE"
check "approved again" wait_state "$w3" awaiting_verification
wait_until 100 0.1 at_least 2 \
    count_where msp1 '"confirm the migration of Later AG" in m["subject"]'
wait_mail msp1 "confirm the migration of Later AG" verification4
new=$(mail_link "$T/verification4.eml")
expect_no_match "a new link was mailed" "$new" "${old#*token=}"
http GET "$old"
expect_match "the old link names the newer one" "$body" "newer link was sent"
http GET "$new"
expect_eq "the new link works" "$status" 200

# ---- each mail once ----
dups='len(d) - len(set(m["message_id"] for m in d))'
for u in admin1 msp1 support; do
	expect_eq "$u: no Message-ID twice" "$(json_get "$(mailbox "$u")" "$dups")" 0
done
stop_agent
expect_eq "SIGTERM: exit 0" "$rc" 0
