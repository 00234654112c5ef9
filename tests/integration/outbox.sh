#!/usr/bin/env bash
# The outbox on the Maildir transport (no server): each mail is written
# once, whole, to the recipient's folder; a retry resends the same
# message; a recipient that cannot be delivered to fails and tells
# support once; a broken store stops the pass with nothing lost.
. "$(dirname "$0")/../support/lib.sh"
make_config
agent check
expect_rc "check before init fails" 2
expect_match "and names what is missing" "$out" \
    "FAIL +database +no database at .*run 'mscagent init'"
check "check creates nothing" test ! -e "$T/var/mail" -a ! -e "$T/var/agent.db"
agent init
agent check
expect_rc "check after init passes" 0
expect_eq "one line per check, all ok" \
    "$(printf '%s\n' "$out" | awk '{print $1, $2}' | tr '\n' ' ')" \
    "ok config ok keys ok languages ok templates ok database ok outbound ok inbound "
chmod 0644 "$T/var/token.key"
agent check
expect_rc "a token key readable by others fails the check" 2
expect_match "and says chmod" "$out" "FAIL +keys .*chmod 600"
chmod 0600 "$T/var/token.key"
expect_eq "init made the database private (0600)" \
    "$(stat -c %a "$T/var/agent.db")" 600
chmod 0644 "$T/var/agent.db"
agent check
expect_rc "a database readable by others fails the check" 2
expect_match "and says chmod" "$out" "FAIL +database .*mode 644.*chmod 600"
chmod 0600 "$T/var/agent.db"
printf 'secret\n' >"$T/smtp.pw"
chmod 0640 "$T/smtp.pw"
set_conf outbound username agent
set_conf outbound password_file "$T/smtp.pw"
agent check
expect_rc "a password file readable by the group fails the check" 2
expect_match "and names it" "$out" "FAIL +keys +password file .*smtp.pw: mode 640"
chmod 0600 "$T/smtp.pw"
agent check
expect_rc "a private password file passes" 0
set_conf outbound username ""
set_conf outbound password_file ""
# Folders init creates hold secrets: only the agent's user enters them.
cp "$T/agent.conf" "$T/fresh.conf"
"$PY" -S - "$T/fresh.conf" "$T/fresh" <<'PYEOF'
import re, sys
path, top = sys.argv[1:]
text = open(path).read()
text = re.sub(r"(?m)^database = .*$", "database = %s/db/agent.db" % top, text)
text = re.sub(r"(?m)^reply_key_file = .*$", "reply_key_file = %s/keys/reply.key" % top, text)
open(path, "w").write(text)
PYEOF
"$MSCAGENT" -c "$T/fresh.conf" init >/dev/null
expect_eq "init makes the database's and the keys' folders 0700" \
    "$(stat -c %a "$T/fresh/db" "$T/fresh/keys" "$T/fresh/db/agent.db" | tr '\n' ' ')" \
    "700 700 600 "

# Prints header or part facts of one delivered message file.
mailfact() {		# file python-expression-on-m
	"$PY" -S -c 'import sys, email, email.policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"),
    policy=email.policy.default)
print(eval(sys.argv[2]))' "$1" "$2"
}

agent plan add All --edition enterprise --products hybrid,m365,gws,endpoints
name='Müller & Söhne — 株式会社 🚀'
agent tenant add --name "$name" --customer-admin 'it+tag@mueller.test' \
    --msp-admin ops@msp.test --workloads m365,endpoints --edition enterprise \
    --license m365=2027-03-01 --license endpoints=2031-01-01
id=$out
agent start "$id"
expect_rc "start queues the approval request" 0

agent flush
expect_rc "flush delivers" 0
expect_match "flush says what it sent" "$out" \
    "mail [0-9]+: sent approval_request to it\+tag@mueller.test"
expect_match "flush ends with a summary" "$out" \
    "flush: 1 sent, 0 to retry, 0 failed, 0 waiting"
box="$T/var/mail/it@mueller.test"
f=$(files_in "$box")
expect_eq "one file in the customer admin's folder (+tag dropped)" \
    "$(printf '%s\n' "$f" | grep -c .)" 1
check "nothing is left in tmp/" test -z "$(ls -A "$box/tmp")"
subject=$(mailfact "$f" 'str(m["subject"])')
expect_match "the Subject decodes to the customer's exact name" "$subject" \
    "$name"
expect_eq "From" "$(mailfact "$f" 'str(m["from"])')" \
    "MSC migration <mscagent@example.test>"
expect_match "Reply-To carries a key" "$(mailfact "$f" 'str(m["reply-to"])')" \
    '^mscagent\+[0-9]+\.[0-9a-f]{20}@example\.test$'
expect_eq "auto-generated, no auto-replies asked for" \
    "$(mailfact "$f" 'str(m["auto-submitted"]) + "|" + str(m["x-auto-response-suppress"])')" \
    "auto-generated|OOF, AutoReply"
expect_eq "text and HTML parts" \
    "$(mailfact "$f" '",".join(p.get_content_type() for p in m.iter_parts())')" \
    "text/plain,text/html"
text=$(mailfact "$f" 'm.get_body(("plain",)).get_content()')
expect_match "the text asks for APPROVE or REJECT first" \
    "$(printf '%s' "$text" | head -c 300)" "Reply with APPROVE or REJECT"
msgid=$(mailfact "$f" 'str(m["message-id"])')
agent tenant show "$id" --json
expect_eq "the stored Message-ID is the one delivered" \
    "$(json_get "$out" 'd["mails"][0]["message_id"]')" "$msgid"
expect_eq "the mail is sent after one attempt" \
    "$(json_get "$out" '(d["mails"][0]["status"], d["mails"][0]["attempts"])')" \
    "('sent', 1)"

agent flush
expect_eq "a second flush sends nothing again" "$out" \
    "flush: 0 sent, 0 to retry, 0 failed, 0 waiting"
expect_eq "still one file" "$(files_in "$box" | grep -c .)" 1

# ---- a broken store: the pass stops, nothing is lost or counted ----

agent approve "$id"
mv "$T/var/mail" "$T/var/mail.away"
printf 'not a folder\n' >"$T/var/mail"
agent flush
expect_rc "flush exits 2 when the mail store is unusable" 2
expect_match "and says the mails stay queued" "$err" "stay queued"
agent tenant show "$id" --json
expect_eq "the two new mails are queued, not counted" \
    "$(json_get "$out" '[(m["status"], m["attempts"]) for m in d["mails"][1:]]')" \
    "[('queued', 0), ('queued', 0)]"
ids_before=$(json_get "$out" '[m["message_id"] for m in d["mails"]]')
rm "$T/var/mail"
mv "$T/var/mail.away" "$T/var/mail"
agent flush
expect_rc "flush after the store is back" 0
expect_match "the mail not tried is still due and goes" "$out" \
    "flush: 1 sent, 0 to retry, 0 failed, 0 waiting"
agent flush
expect_match "the one that was tried waits for its retry time" "$out" \
    "flush: 0 sent"
agent flush --all
expect_match "flush --all sends what waits for a retry" "$out" \
    "flush: 1 sent, 0 to retry, 0 failed, 0 waiting"
agent tenant show "$id" --json
expect_eq "each kept its Message-ID" \
    "$(json_get "$out" '[m["message_id"] for m in d["mails"]]')" "$ids_before"
expect_eq "the verification mail arrived once" \
    "$(files_in "$T/var/mail/ops@msp.test" | grep -c .)" 1

# ---- a recipient that cannot be delivered to ----

agent tenant add --name "Slash Ltd" --customer-admin '"a/b"@slash.test' \
    --msp-admin ops@msp.test --workloads gws --edition enterprise
bad=$out
agent start "$bad"
expect_rc "a quoted local part with '/' passes the preflight" 0
agent flush
expect_match "the mail fails" "$out" "failed approval_request to \"a/b\"@slash.test"
expect_match "the notice to support goes out in the same pass" "$out" \
    "sent delivery_failed to support@example.test"
agent tenant show "$bad" --json
expect_eq "failed, with the reason" \
    "$(json_get "$out" '(d["mails"][0]["status"], "Maildir" in (d["mails"][0]["last_error"] or ""))')" \
    "('failed', True)"
expect_eq "support is told once" \
    "$(json_get "$out" '[(m["kind"], m["to"]) for m in d["mails"][1:]]')" \
    "[('delivery_failed', 'support@example.test')]"
expect_match "the history records the failure" \
    "$(json_get "$out" 'd["history"][-1]["detail"]')" \
    "delivery of approval_request to \"a/b\"@slash.test failed"
agent flush
expect_match "nothing more to send" "$out" "flush: 0 sent"
notice=$(files_in "$T/var/mail/support@example.test")
expect_match "the notice names the failed mail" \
    "$(mailfact "$notice" 'm.get_body(("plain",)).get_content()')" \
    "approval_request"

# ---- hostile names cannot add headers or markup ----

agent tenant add --name '<script>alert(1)</script> "; DROP TABLE tenants; --' \
    --customer-admin evil@evil.test --msp-admin ops@msp.test \
    --workloads gws --edition enterprise
evil=$out
agent start "$evil"
agent flush
f=$(files_in "$T/var/mail/evil@evil.test")
html=$(mailfact "$f" 'm.get_body(("html",)).get_content()')
expect_no_match "no script element in the HTML" "$html" "<script>"
expect_match "the name is shown escaped" "$html" \
    "&lt;script&gt;alert\(1\)&lt;/script&gt;"
agent tenant list
expect_match "the tenants table survived" "$out" "DROP TABLE"
expect_no_match "no Bcc header" "$(cat "$f")" "^Bcc:"
