#!/usr/bin/env bash
# Replies read back by `mscagent poll` (SPEC §3), first from the Maildir
# default (no server): matched by key or thread, checked against the
# sender, acted on once, moved out of new/; unclear replies get one
# clarification; strangers, auto-replies and bounces change nothing but
# the record.
. "$(dirname "$0")/../support/lib.sh"
make_config
agent init
INBOX=$T/var/mail/mscagent@example.test

# Drops a message into the agent's inbox as a delivery would.
deliver() {		# file
	local name
	name="$(date +%s).$RANDOM$RANDOM.test"
	mkdir -p "$INBOX/tmp" "$INBOX/new" "$INBOX/cur"
	cp "$1" "$INBOX/tmp/$name"
	mv "$INBOX/tmp/$name" "$INBOX/new/$name"
}

# The newest mail of a kind-ish subject in someone's Maildir.
latest() {		# address subject-start
	local f
	for f in $(ls -t "$T/var/mail/$1/new"/* 2>/dev/null); do
		if "$PY" -S - "$f" "$2" <<'PYEOF'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"),
    policy=email.policy.default)
sys.exit(0 if str(m["subject"]).startswith(sys.argv[2]) else 1)
PYEOF
		then
			echo "$f"
			return
		fi
	done
}

reply() {		# original from body [reply.py options...]
	write_reply "$@" >"$T/reply.eml"
	deliver "$T/reply.eml"
}

agent poll
expect_eq "poll on an empty inbox reads nothing, and says so" "$out" \
    "poll: 0 read, 0 acted on, 0 seen before"

agent plan add All --edition enterprise --products hybrid,m365,gws,endpoints
agent tenant add --name "Müller & Söhne" --customer-admin it@mueller.test \
    --msp-admin ops@msp.test --workloads m365 --edition enterprise
a=$out
agent start "$a"
agent flush
req=$(latest it@mueller.test "Approval needed")
check "the approval request is in the customer's folder" test -n "$req"

# ---- a stranger, an auto-reply, a reply to nothing: nothing changes ----

reply "$req" mallory@evil.test "APPROVE"
agent poll
expect_match "a stranger's APPROVE is ignored" "$out" "stranger"
expect_eq "still awaiting approval" "$(state_of "$a")" awaiting_approval
agent flush
expect_eq "support is told, the stranger is not answered" "$out" \
    "$(printf '%s\n%s' "$(echo "$out" | grep -m1 'sent unexpected_reply to support@example.test')" 'flush: 1 sent, 0 to retry, 0 failed, 0 waiting')"
reply "$req" mallory@evil.test "REJECT"
agent poll
agent flush
expect_match "support is told once a day per tenant" "$out" "flush: 0 sent"
reply "$req" it@mueller.test "APPROVE (I am out of office)" \
    --header "Auto-Submitted: auto-replied"
agent poll
expect_match "an auto-reply is ignored" "$out" "auto_reply"
reply "$req" it@mueller.test "APPROVE" --no-key --no-thread
agent poll
expect_match "a reply with no key and no thread matches nothing" "$out" \
    "unmatched"
expect_eq "still awaiting approval after all three" "$(state_of "$a")" \
    awaiting_approval
agent flush
expect_match "none of them was answered" "$out" "flush: 0 sent"

# ---- unclear: one clarification ----

reply "$req" it@mueller.test "Not approved yet, what does this change?"
agent poll
expect_match "a negation is unclear" "$out" "unclear"
agent flush
expect_match "a clarification goes to the sender" "$out" \
    "sent clarification to it@mueller.test"
clar=$(latest it@mueller.test "We could not read")
check "the clarification arrived" test -n "$clar"
reply "$req" it@mueller.test "Hmm?"
agent poll
agent flush
expect_match "a second unclear reply within the hour gets no second one" \
    "$out" "flush: 0 sent"
# A client that pastes the request below the reply without marking it.
orig=$("$PY" -S -c 'import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"),
    policy=email.policy.default)
print(m.get_body(("plain",)).get_content())' "$req")
reply "$req" it@mueller.test "Sorry, which tenant is this about?

$orig"
agent poll
expect_match "the pasted copy of the request is not read as the reply's text" \
    "$out" 'text: "Sorry, which tenant is this about\?"'

# ---- APPROVE, once ----

reply "$req" it@mueller.test "Approved."
cp "$T/reply.eml" "$T/approve.eml"
agent poll
expect_match "APPROVE is read" "$out" "approve"
expect_eq "the tenant awaits verification" "$(state_of "$a")" \
    awaiting_verification
agent tenant show "$a" --json
expect_match "the history says how it was read" \
    "$(json_get "$out" '[h["detail"] for h in d["history"] if h["to"] == "awaiting_verification"][0]')" \
    "matched by reply key; sender is the recipient; read approve"
check "the reply left new/" test -z "$(ls -A "$INBOX/new")"
deliver "$T/approve.eml"
agent poll
expect_match "the same message again is seen before" "$out" "duplicate"
agent tenant show "$a" --json
expect_eq "one verification mail, not two" \
    "$(json_get "$out" 'sum(m["kind"] == "verification" for m in d["mails"])')" 1
write_reply "$req" it@mueller.test "APPROVE" >"$T/again.eml"
deliver "$T/again.eml"
agent poll
expect_match "a second APPROVE does not apply, and is recorded" "$out" \
    "not_applicable"

# ---- Outlook HTML-only, support's FINALIZE, a bounce ----

agent tenant add --name "Hybrid GmbH" --customer-admin admin@hybrid.test \
    --msp-admin ops@msp.test --workloads hybrid,m365 --edition enterprise
h=$out
agent start "$h"
agent flush
req=$(latest admin@hybrid.test "Approval needed")
reply "$req" admin@hybrid.test "APPROVE" --html
agent poll
expect_eq "an HTML-only reply with the original below approves" \
    "$(state_of "$h")" awaiting_verification
agent verify "$h" --plan All
agent flush
fin=$(latest support@example.test "Finalize")
reply "$fin" support@example.test "FINALIZE\n\n-- \nSupport desk"
agent poll
expect_eq "support's FINALIZE completes Workflow 1" "$(state_of "$h")" completed

agent tenant add --name "Bounce AG" --customer-admin nobody@bounce.test \
    --msp-admin ops@msp.test --workloads gws --edition enterprise
b=$out
agent start "$b"
agent flush
req=$(latest nobody@bounce.test "Approval needed")
msgid=$("$PY" -S -c 'import email,sys; print(email.message_from_binary_file(open(sys.argv[1],"rb"))["message-id"])' "$req")
cat >"$T/dsn.eml" <<EOF2
From: MAILER-DAEMON@mx.bounce.test
To: mscagent@example.test
Subject: Undelivered Mail Returned to Sender
Message-ID: <dsn-$RANDOM@mx.bounce.test>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

The mail could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.bounce.test

Final-Recipient: rfc822; nobody@bounce.test
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 no such user

--B
Content-Type: text/rfc822-headers

Message-ID: $msgid
Subject: Approval needed

--B--
EOF2
deliver "$T/dsn.eml"
agent poll
expect_match "a bounce is recognised" "$out" "bounce"
agent tenant show "$b" --json
expect_eq "the bounced mail is failed, and support is told" \
    "$(json_get "$out" '[(m["kind"], m["status"]) for m in d["mails"]]')" \
    "[('approval_request', 'failed'), ('delivery_failed', 'queued')]"

# ---- hostile mail: set aside with a reason, and the next one is read ----

"$PY" -S - "$T" <<'PYEOF'
import sys
t = sys.argv[1]
head = ("From: x@evil.test\r\nTo: mscagent@example.test\r\n"
        "Message-ID: <%s@evil.test>\r\nSubject: hostile\r\n")
def write(name, data):
    open("%s/%s.eml" % (t, name), "wb").write(data)
write("huge", (head % "huge").encode() + b"\r\n" + b"A" * (20 << 20))
nest = "".join('Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n'
               % (i, i) for i in range(1000))
write("nested", (head % "nested" + "MIME-Version: 1.0\r\n" + nest).encode())
write("longheader", (head % "long").encode() + b"X-Long: " + b"x" * (1 << 20)
      + b"\r\n\r\nAPPROVE\r\n")
write("base64", (head % "b64" + "MIME-Version: 1.0\r\nContent-Type: text/plain"
      "\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not*base64===\r\n").encode())
write("charset", (head % "cs" + "MIME-Version: 1.0\r\nContent-Type: text/plain;"
      " charset=x-unknown-42\r\n\r\nAPPROVE\r\n").encode())
write("nul", (head % "nul").encode() + b"\r\nAPP\x00ROVE\r\n")
PYEOF
for f in huge nested longheader base64 charset nul; do
	deliver "$T/$f.eml"
done
agent poll
expect_rc "poll survives hostile mail" 0
expect_eq "each hostile message was handled" \
    "$(printf '%s\n' "$out" | grep -c '^message ')" 6
expect_match "the 20 MiB message is refused with a reason" "$out" \
    "refused: set aside: the message has [0-9]+ bytes, more than"
check "nothing is left in new/" test -z "$(ls -A "$INBOX/new")"
agent tenant add --name "After AG" --customer-admin after@after.test \
    --msp-admin ops@msp.test --workloads gws --edition enterprise
after=$out
agent start "$after"
agent flush
reply "$(latest after@after.test "Approval needed")" after@after.test "APPROVE"
agent poll
expect_eq "the agent keeps going: the next reply is read" \
    "$(state_of "$after")" awaiting_verification

# A retrigger ends every earlier exchange: neither the MSP admin's APPROVE
# to the rejection notice nor the customer admin's APPROVE to the first
# request may approve the new round; a reply to the new request does.
agent tenant add --name "Second Go" --customer-admin cust@second.test \
    --msp-admin ops@second.test --workloads m365 --edition enterprise
sg=$out
agent start "$sg"
agent flush
first=$(latest cust@second.test "Approval needed")
reply "$first" cust@second.test "REJECT"
agent poll
expect_eq "rejected by the customer admin" "$(state_of "$sg")" rejected
agent flush
notice=$(latest ops@second.test "Rejected")
check "the MSP admin got the rejection notice" test -n "$notice"
agent retrigger "$sg"
agent flush
reply "$notice" ops@second.test "APPROVE"
agent poll
expect_match "the MSP admin's APPROVE to the old notice is stale" "$out" \
    "stale: .*earlier approval"
reply "$first" cust@second.test "APPROVE"
agent poll
expect_match "the customer's APPROVE to the first request is stale" "$out" \
    "stale: .*earlier approval"
expect_eq "neither approved the new round" "$(state_of "$sg")" \
    awaiting_approval
reply "$(latest cust@second.test "Approval needed")" cust@second.test "APPROVE"
agent poll
expect_eq "the reply to the new request approves" "$(state_of "$sg")" \
    awaiting_verification
agent tenant show "$sg" --json
expect_eq "both stale replies are in the history, unapplied" \
    "$(json_get "$out" 'sum(1 for h in d["history"] if "earlier approval" in (h["detail"] or ""))')" 2
