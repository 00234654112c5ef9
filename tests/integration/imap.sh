#!/usr/bin/env bash
# Replies over the real servers (SPEC §3): the approval request read from
# the customer admin's IMAP mailbox, the reply sent over SMTP to the keyed
# address, `poll` reading it from Dovecot over IMAP, acting once, moving
# it to the processed folder; the same message delivered twice or left
# behind by a crash is not acted on twice; TLS is checked against the
# test's CA, with STARTTLS and IMAPS, and refused otherwise.
. "$(dirname "$0")/../support/lib.sh"
TLS=1 start_mailstack
make_config
set_conf outbound url "smtp://127.0.0.1:$MAILSTACK_SMTP_PORT"
set_conf outbound starttls off
set_conf inbound url "imap://127.0.0.1:$MAILSTACK_IMAP_PORT/INBOX"
set_conf inbound starttls off
set_conf inbound username mscagent
printf 'secret\n' >"$T/imap.pw"
chmod 600 "$T/imap.pw"
set_conf inbound password_file "$T/imap.pw"
agent init

# Sends a raw message from the customer admin.
send() {		# raw-file envelope-to
	smtp_send "$1" admin1@example.test "$2"
}

agent plan add All --edition enterprise --products hybrid,m365,gws,endpoints
agent tenant add --name "Müller & Söhne — 株式会社 🚀" \
    --customer-admin admin1@example.test --msp-admin msp1@example.test \
    --workloads m365 --edition enterprise
a=$out
agent start "$a"
agent flush
check "the request reaches the customer admin's mailbox" wait_for admin1 1
mkdir -p "$T/got"
mailbox admin1 --save "$T/got" >/dev/null
req=$(ls "$T/got"/*.eml | head -1)
write_reply "$req" admin1@example.test "APPROVE" >"$T/r1.eml"
to=$("$PY" -S -c 'import email,sys; print(email.message_from_binary_file(open(sys.argv[1],"rb"))["to"])' "$T/r1.eml")
expect_match "the reply goes to the keyed address" "$to" \
    '^mscagent\+[0-9]+\.[0-9a-f]{20}@example\.test$'
send "$T/r1.eml" "$to"
check "the reply lands in the agent's IMAP inbox" wait_for mscagent 1

agent poll
expect_rc "poll over IMAP" 0
expect_match "it reads APPROVE" "$out" "approve"
expect_eq "the tenant awaits verification" "$(state_of "$a")" \
    awaiting_verification
expect_eq "the inbox is empty" "$(count mscagent)" 0
expect_eq "the reply is in Processed, created on the way" \
    "$(count mscagent Processed)" 1
agent flush
expect_match "the verification mail is sent" "$out" \
    "sent verification to msp1@example.test"

# ---- delivered twice: one transition ----
send "$T/r1.eml" "$to"
check "the same reply arrives again" wait_for mscagent 1
agent poll
expect_match "the second copy changes nothing" "$out" "not_applicable"
agent tenant show "$a" --json
expect_eq "one verification mail" \
    "$(json_get "$out" 'sum(m["kind"] == "verification" for m in d["mails"])')" 1

# ---- a crash between the commit and the move ----
mkdir -p "$T/done"
mailbox mscagent --folder Processed --save "$T/done" >/dev/null
first=$(ls "$T/done"/*.eml | sort -n | head -1)
mailbox mscagent --append "$first" >/dev/null
check "the handled message is back in the inbox, byte for byte" \
    wait_for mscagent 1
agent poll
expect_match "poll knows it was handled and only moves it" "$out" "duplicate"
expect_eq "and the inbox is empty again" "$(count mscagent)" 0

# ---- over the size limit: only the first 10 MiB and a byte come over ----
"$PY" - "$T/big.eml" <<'PYEOF'
import sys
open(sys.argv[1], "wb").write(b"From: someone@elsewhere.test\r\n"
    b"Subject: big\r\n\r\n" + (b"A" * 998 + b"\r\n") * (11 << 10))
PYEOF
mailbox mscagent --append "$T/big.eml" >/dev/null
check "an 11 MiB message waits in the inbox" wait_for mscagent 1
agent poll
expect_match "it is set aside as too large, cut at the limit plus one" \
    "$out" "refused: set aside: the message has 10485761 bytes, more than"
expect_eq "and moved out of the inbox" "$(count mscagent)" 0
# The last session that fetched a body is the poll's: it asked for the
# limit and one byte more, not the whole message.
sent=$(grep 'imap(mscagent@.*body_count=1 ' "$_stack/log/dovecot.log" |
    tail -1 | sed -n 's/.*body_bytes=\([0-9]*\).*/\1/p')
expect_eq "Dovecot sent the poll 10 MiB and one byte of it" "$sent" \
    $(((10 << 20) + 1))

# ---- the server hangs up in the middle of a message ----
# Dovecot takes a Maildir file's size from its name (W=, as its LMTP
# writes it).  A name that says more than the file holds makes it promise
# that many bytes, find out while sending, and hang up mid-message.  The
# poll must fail and say so, not read on forever from a closed socket;
# the message waits, and the next poll (Dovecot corrects the name) reads
# it.  20 s is less than a reply's timeout (30 s): the hang-up itself
# must end the poll.  Over TLS as well (below), which libetpan's own
# stream already ends on; on a plain connection only the reader's does.
printf 'From: someone@elsewhere.test\nSubject: short\n\nhello\n' \
    >"$T/short.eml"
hung_up() {		# how
	local box=$MAILSTACK_MAILDIR_ROOT/example.test/mscagent size
	size=$(wc -c <"$T/short.eml")
	cp "$T/short.eml" \
	    "$box/new/1700000000.M1P1.test,S=$size,W=$((size + 500))"
	chown -R --reference="$box" "$box/new"
	out=$(timeout 20 "$MSCAGENT" -c "$T/agent.conf" poll 2>"$T/stderr")
	rc=$?
	err=$(cat "$T/stderr")
	expect_rc "$1: a poll the server hangs up on fails, and does not hang" 2
	expect_match "$1: naming the command the connection was lost in" \
	    "$err" "UID FETCH failed"
	expect_eq "$1: the message is still in the inbox" \
	    "$(count mscagent)" 1
	agent poll
	expect_rc "$1: the next poll reads it" 0
	expect_match "$1: and reads it whole" "$out" "poll: 1 read"
	expect_eq "$1: and the inbox is empty" "$(count mscagent)" 0
}
hung_up "plain"

# ---- an unclear reply: one clarification, over the real servers ----
agent tenant add --name "Unklar GmbH" --customer-admin admin1+u@example.test \
    --msp-admin msp1@example.test --workloads gws --edition enterprise
u=$out
agent start "$u"
agent flush
check "the second request arrives" wait_for admin1 2
rm -rf "$T/got" && mkdir -p "$T/got"
mailbox admin1 --save "$T/got" >/dev/null
req=$(grep -l "Unklar" "$T/got"/*.eml | head -1)
write_reply "$req" admin1+u@example.test "Was bedeutet das?" >"$T/r2.eml"
send "$T/r2.eml" "$(grep -m1 '^To:' "$T/r2.eml" | sed 's/^To: //' | tr -d '\r')"
check "the unclear reply arrives" wait_for mscagent 1
agent poll
expect_match "a question is unclear" "$out" "unclear"
agent flush
expect_match "the clarification is sent" "$out" \
    "sent clarification to admin1\+u@example.test"
check "and arrives in the customer admin's mailbox" wait_for admin1 3
expect_eq "Unklar GmbH is still awaiting approval" "$(state_of "$u")" \
    awaiting_approval

# ---- a mailbox made anew (another UIDVALIDITY) is read from its start ----
doveadm() { command doveadm -c "$_stack/dovecot.conf" "$@"; }
validity() { doveadm -f flow mailbox status -u mscagent uidvalidity Replies |
    sed 's/.*uidvalidity=//'; }
set_conf inbound url "imap://127.0.0.1:$MAILSTACK_IMAP_PORT/Replies"
doveadm mailbox create -u mscagent Replies
for v in 1 2; do
	agent tenant add --name "Neu $v GmbH" --customer-admin \
	    "admin1+v$v@example.test" --msp-admin msp1@example.test \
	    --workloads m365 --edition enterprise
	eval "v$v=\$out"
	agent start "$out"
done
agent flush
check "both requests arrive" wait_for admin1 5
rm -rf "$T/got" && mkdir -p "$T/got"
mailbox admin1 --save "$T/got" >/dev/null
for v in 1 2; do
	write_reply "$(grep -l "Neu $v GmbH" "$T/got"/*.eml | head -1)" \
	    "admin1+v$v@example.test" APPROVE >"$T/v$v.eml"
done
mailbox mscagent --folder Replies --append "$T/v1.eml" >/dev/null
agent poll
expect_match "the first reply is read from Replies" "$out" "approve"
old_validity=$(validity)
doveadm mailbox delete -u mscagent Replies
doveadm mailbox create -u mscagent Replies
[ "$(validity)" != "$old_validity" ] ||
	doveadm mailbox update -u mscagent --uid-validity \
	    $((old_validity + 1)) Replies
check "Replies has another UIDVALIDITY" test "$(validity)" != "$old_validity"
# The new reply takes UID 1 again, below the UID already done with.
mailbox mscagent --folder Replies --append "$T/v2.eml" >/dev/null
mailbox mscagent --folder Replies --append "$T/v1.eml" >/dev/null
agent poll
expect_match "after the change the mailbox is read from its start" "$out" \
    "poll: 2 read, 1 acted on, 1 seen before"
expect_eq "the new reply is acted on" "$(state_of "$v2")" \
    awaiting_verification
agent tenant show "$v1" --json
expect_eq "the old one is not acted on twice" \
    "$(json_get "$out" 'sum(m["kind"] == "verification" for m in d["mails"])')" 1
expect_eq "and Replies is empty" "$(count mscagent Replies)" 0
mailbox mscagent --folder Replies --append "$T/v1.eml" >/dev/null
agent poll
expect_match "a message after the mark is still read" "$out" \
    "poll: 1 read, 0 acted on, 1 seen before"
set_conf inbound url "imap://127.0.0.1:$MAILSTACK_IMAP_PORT/INBOX"

# ---- waiting in IDLE, and a server restart (tests/unit/test_imap.c) ----
expect_rc_of() {	# rc description
	if [ "$1" = 0 ]; then ok "$2"; else
		not_ok "$2" "exit code $1" "$(cat "$T/test_imap.out")"; fi
}
S=$TOP/tests/support
MSCAGENT_TEST_IMAP_CONF=$T/agent.conf \
MSCAGENT_TEST_APPEND="'$PY' '$S/mailbox.py' $MAILSTACK_IMAP_PORT \
mscagent --append '$T/v2.eml' >/dev/null" \
MSCAGENT_TEST_RESTART="bash '$S/mailstack.sh' stop '$_stack' \
>/dev/null 2>&1 && MAILSTACK_TLS=1 bash '$S/mailstack.sh' start \
'$_stack' >/dev/null 2>&1" \
    "$TOP/build/asan/tests/test_imap" >"$T/test_imap.out" 2>&1
expect_rc_of $? "IDLE: a wait ends on new mail, on time, on stop, and on a \
restart, after which fetch connects again; a fetch reads past pending \
messages and stops at its byte budget"
expect_match "none of it was skipped" "$(cat "$T/test_imap.out")" \
    "PASSED  \] 5 test"
agent poll
expect_rc "poll works after the restart" 0

# ---- TLS ----
set_conf inbound starttls required
agent poll
expect_rc "STARTTLS with a certificate the system does not trust: refused" 2
expect_match "the error says why" "$err" "certificate not trusted"
set_conf inbound tls_ca_file "$MAILSTACK_CA"
agent poll
expect_rc "STARTTLS against the test CA" 0
hung_up "STARTTLS"
set_conf inbound url "imaps://127.0.0.2:$MAILSTACK_IMAPS_PORT/INBOX"
agent poll
expect_rc "IMAPS to a host name the certificate does not name: refused" 2
set_conf inbound url "imaps://localhost:$MAILSTACK_IMAPS_PORT/INBOX"
agent poll
expect_rc "IMAPS with the right host name and CA" 0
agent check
expect_rc "check logs in to IMAPS" 0
expect_match "and says the inbox is reachable" "$out" "ok +inbound +imaps://"
printf 'wrong\n' >"$T/imap.pw"
agent check
expect_rc "check with a wrong IMAP password fails" 2
expect_match "naming LOGIN" "$out" "FAIL +inbound .*LOGIN"
agent poll
expect_rc "a wrong password is a runtime failure" 2
expect_match "and says LOGIN failed" "$err" "LOGIN"
