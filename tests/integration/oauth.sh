#!/usr/bin/env bash
# OAuth2 sign-in to real servers (SPEC §7): Dovecot checks the bearer
# tokens itself (a second passdb, the key shared with the token endpoint),
# Postfix takes SMTP AUTH XOAUTH2 through Dovecot, and
# tests/support/oauth_server.py stands in for Microsoft's and Google's
# token endpoints, which cannot be reached from here.  Each grant end to
# end; rotation across restarts; two processes refreshing at once;
# invalid_grant, the support mail and the metric; wrong scope and user;
# an endpoint that is down, slow or answers garbage; a token that expires
# during IDLE; a session the server ends.
. "$(dirname "$0")/../support/lib.sh"

export MAILSTACK_USERS="mscagent admin1 msp1 support sender"
export MAILSTACK_OAUTH2_KEY_FILE=$T/hs256.key
head -c 32 /dev/urandom >"$MAILSTACK_OAUTH2_KEY_FILE"
TLS=1 start_mailstack

IMAP_SCOPE="https://outlook.office.com/IMAP.AccessAsUser.All offline_access"
SMTP_SCOPE="https://outlook.office.com/SMTP.Send offline_access"
APP_SCOPE="https://outlook.office365.com/.default"
GOOGLE_SCOPE="https://mail.google.com/"
SA=agent-sa@project.iam.gserviceaccount.test

# The service account's key pair, for jwt_bearer.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
    -out "$T/sa.pem" 2>/dev/null
openssl pkey -in "$T/sa.pem" -pubout -out "$T/sa.pub" 2>/dev/null
chmod 600 "$T/sa.pem"
printf 'test-client-secret\n' >"$T/client.secret"
chmod 600 "$T/client.secret"

mkdir -p "$T/oauth"
"$PY" "$TOP/tests/support/oauth_server.py" --dir "$T/oauth" \
    --key-file "$MAILSTACK_OAUTH2_KEY_FILE" --service-account-cert "$T/sa.pub" \
    --allowed-scopes "$IMAP_SCOPE $SMTP_SCOPE $APP_SCOPE $GOOGLE_SCOPE" \
    >"$T/oauth.out" 2>&1 &
OAUTH_PID=$!
trap 'kill "$OAUTH_PID" 2>/dev/null; _cleanup' EXIT
for _ in $(seq 100); do
	[ -s "$T/oauth/oauth.port" ] && break
	sleep 0.1
done
OP=$(cat "$T/oauth/oauth.port" 2>/dev/null) || {
	not_ok "the token endpoint starts" "$(cat "$T/oauth.out")"
	exit 1
}
TOKEN_URL=http://127.0.0.1:$OP/token

control() {		# name [key=value...]: sets $body
	local name=$1 kv
	shift
	local args=()
	for kv in "$@"; do
		args+=(--data-urlencode "$kv")
	done
	body=$(curl -s -G "${args[@]}" "http://127.0.0.1:$OP/control/$name")
}

stat_of() {		# python expression on the stats
	control stats
	json_get "$body" "$1"
}

db() {			# SQL on the agent's database
	"$PY" -S - "$T/var/agent.db" "$1" <<'PYEOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for row in c.execute(sys.argv[2]):
    print("|".join(str(v) for v in row))
c.commit()
PYEOF
}

# Makes the stored access token look spent, so the next use refreshes.
expire() {		# account
	db "UPDATE mail_auth SET expires_at = 1, refreshed_at = 0, \
	    retry_at = 0 WHERE account = '$1'" >/dev/null
}

oauth_conf() {		# section user scope [device_url]
	set_conf "$1" auth oauth2
	set_conf "$1" username "$2"
	set_conf "$1" password_file -
	set_conf "$1" oauth2_provider custom
	set_conf "$1" oauth2_token_url "$TOKEN_URL"
	set_conf "$1" oauth2_device_url "${4:--}"
	set_conf "$1" oauth2_client_id test-client
	set_conf "$1" oauth2_scope "$3"
}

make_config
set_conf outbound url "smtp://127.0.0.1:$MAILSTACK_SMTP_PORT"
set_conf outbound tls_ca_file "$_stack/tls/ca.pem"
set_conf inbound url "imap://127.0.0.1:$MAILSTACK_IMAP_PORT/INBOX"
set_conf inbound tls_ca_file "$_stack/tls/ca.pem"
oauth_conf inbound mscagent@example.test "$IMAP_SCOPE" \
    "http://127.0.0.1:$OP/devicecode"
oauth_conf outbound sender@example.test "$SMTP_SCOPE"
agent init

# ---- before any sign-in ----

agent auth status --json
expect_rc "auth status before any sign-in" 0
expect_eq "both accounts need a login" \
    "$(json_get "$out" '",".join(a["state"] for a in d)')" \
    "needs_login,needs_login"
agent check
expect_rc "check fails without a sign-in" 2
expect_match "and says what to run" "$out" \
    "FAIL +inbound-auth .*not signed in yet; run 'mscagent auth login inbound'"

# ---- refresh_token: the device flow, and a token on standard input ----

"$MSCAGENT" -c "$T/agent.conf" auth login inbound >"$T/login.out" 2>&1 &
login_pid=$!
for _ in $(seq 100); do
	grep -q "enter the code" "$T/login.out" && break
	sleep 0.1
done
code=$(sed -n 's/.*enter the code \([A-Z0-9-]*\).*/\1/p' "$T/login.out" | head -1)
expect_match "auth login prints the verification URL and the code" \
    "$(cat "$T/login.out")" \
    "open http://127\.0\.0\.1:$OP/device and enter the code [A-Z0-9-]+"
sleep 1.5	# one authorization_pending at least
control approve "user_code=$code" "user=mscagent@example.test"
wait "$login_pid"
rc=$?
expect_eq "the device sign-in ends" "$rc" 0
expect_match "and says so" "$(cat "$T/login.out")" \
    "signed in: \[inbound\] mscagent@example.test \(refresh_token\)"
expect_match "it waited through authorization_pending" \
    "$(cat "$T/oauth/oauth.log")" "authorization_pending"

control seed "user=sender@example.test" "scope=$SMTP_SCOPE"
seed=$(json_get "$body" 'd["refresh_token"]')
agent auth login outbound <<<"$seed"
expect_rc "auth login reads a refresh token from standard input" 0
agent auth login outbound <<<"not a token"
expect_rc "a line that is no token is refused" 1
expect_match "with a clear line" "$err" "does not hold one refresh token"
agent auth login sideways
expect_rc "an unknown account is refused" 1

stored=$(db "SELECT refresh_token FROM mail_auth WHERE account = 'outbound'")
check "the refresh token rotated at once: the stored one is new" \
    test -n "$stored" -a "$stored" != "$seed"
agent auth status --json
expect_eq "both accounts are ok" \
    "$(json_get "$out" '",".join(a["state"] for a in d)')" "ok,ok"
expect_no_match "no refresh token is shown" "$out" "${stored:0:20}"
expect_no_match "nor the first one" "$out" "${seed:0:20}"
agent auth status
expect_match "the table names grant, state and expiry" "$out" \
    "inbound +oauth2 +refresh_token +ok +20[0-9-]+ [0-9:]+ UTC"

agent check
expect_rc "check signs in to both servers" 0
expect_match "check: a token for each account" "$out" \
    "ok +outbound-auth sender@example.test: access token valid until"
expect_match "check: IMAP reachable with it" "$out" "ok +inbound +imap://"

# ---- the mail loop over XOAUTH2 ----

agent plan add All --edition enterprise --products hybrid,m365,gws,endpoints
agent tenant add --name Contoso --customer-admin admin1@example.test \
    --msp-admin msp1@example.test --workloads m365 --edition enterprise
a=$out
agent start "$a"
agent flush
expect_match "the request goes out over SMTP" "$out" \
    "sent approval_request to admin1@example.test"
check "Postfix saw AUTH XOAUTH2" grep -q "sasl_method=XOAUTH2, sasl_username=sender@example.test" \
    "$_stack/log/postfix.log"

# The last request about a tenant in admin1's mailbox: sets $req.
request_for() {		# tenant-name
	rm -rf "$T/got"
	mkdir -p "$T/got"
	mailbox admin1 --save "$T/got" >/dev/null
	req=$(grep -l "^Subject: .*$1" "$T/got"/*.eml 2>/dev/null | tail -1)
	[ -n "$req" ]
}
reply() {		# keyword tenant-name: admin1 answers its request
	request_for "$2" || return 1
	send_reply "$req" admin1@example.test "$1"
}

check "the request reaches the customer admin" wait_for admin1 1
reply APPROVE Contoso
check "the reply reaches the agent's mailbox" wait_for mscagent 1
agent poll
expect_rc "poll signs in to IMAP with XOAUTH2" 0
expect_eq "and acts on the reply" "$(state_of "$a")" awaiting_verification

# ---- rotation survives a restart; refreshed once for two processes ----

before=$(db "SELECT refresh_token FROM mail_auth WHERE account = 'inbound'")
expire inbound
control reset-stats
control mode "mode=slow" "seconds=2"
agent check &
agent check
wait $!
bg=$?
check "two processes that both need a token both get one" \
    test "$rc" -eq 0 -a "$bg" -eq 0
control mode "mode=normal"
expect_eq "one refresh request for the two of them" \
    "$(stat_of 'd["by_grant"].get("refresh_token", 0)')" 1
after=$(db "SELECT refresh_token FROM mail_auth WHERE account = 'inbound'")
check "the rotated refresh token replaced the old one" \
    test -n "$after" -a "$after" != "$before"
expire inbound
agent poll
expect_rc "a new process refreshes with the rotated token" 0
expect_eq "the token endpoint refused nothing" \
    "$(grep -c 'invalid_grant' "$T/oauth/oauth.log")" 0

# ---- an endpoint that is down, or answers garbage ----

after=$(db "SELECT refresh_token FROM mail_auth WHERE account = 'inbound'")
for mode in down 500 429 notjson huge missing badtypes nul; do
	expire inbound
	control mode "mode=$mode"
	agent poll
	expect_rc "an endpoint answering '$mode': poll fails, no crash" 2
	kept=$(db "SELECT refresh_token FROM mail_auth WHERE account = 'inbound'")
	expect_eq "'$mode': the refresh token is kept" "$kept" "$after"
done
expect_match "a garbled answer is named" "$err" \
    "token endpoint $TOKEN_URL: .*(access_token|JSON|larger|HTTP)"
agent auth status --json
expect_eq "auth status shows the error" \
    "$(json_get "$out" 'd[0]["state"]')" error
agent poll
expect_match "the next try waits (backoff)" "$err" "next try in [0-9]+ s"
control mode "mode=normal"
expire inbound
agent poll
expect_rc "back to normal, the kept refresh token works" 0

# ---- wrong scope, wrong user ----

set_conf inbound oauth2_scope "https://outlook.office.com/Mail.ReadWrite"
expire inbound
agent check
expect_match "a scope the provider refuses: a clear line" "$out" \
    "FAIL +inbound-auth .*invalid_scope"
set_conf inbound oauth2_scope "$IMAP_SCOPE"

# client_credentials: the app's token is for mscagent@, not admin1@.
set_conf inbound oauth2_grant client_credentials
set_conf inbound oauth2_client_secret_file "$T/client.secret"
set_conf inbound oauth2_scope "$APP_SCOPE"
set_conf inbound username admin1@example.test
agent check
expect_match "client_credentials: a token comes" "$out" \
    "ok +inbound-auth admin1@example.test"
expect_match "but the server refuses it for another user" "$out" \
    "FAIL +inbound .*AUTHENTICATE XOAUTH2 failed"
set_conf inbound username mscagent@example.test
agent check
expect_rc "client_credentials for the app's own mailbox signs in" 0
printf 'wrong\n' >"$T/client.secret"
expire inbound
agent check
expect_match "a wrong client secret: invalid_client" "$out" \
    "FAIL +inbound-auth .*invalid_client"
printf 'test-client-secret\n' >"$T/client.secret"
expire inbound

# ---- jwt_bearer: a service account with domain-wide delegation ----

set_conf outbound oauth2_grant jwt_bearer
set_conf outbound oauth2_key_file "$T/sa.pem"
set_conf outbound oauth2_client_id "$SA"
set_conf outbound oauth2_scope "$GOOGLE_SCOPE"
agent tenant add --name Fabrikam --customer-admin admin1@example.test \
    --msp-admin msp1@example.test --workloads m365 --edition enterprise
agent start "$out"
agent flush
expect_match "jwt_bearer: the mail goes out" "$out" \
    "sent approval_request to admin1@example.test"
expect_match "signed with an RS256 assertion the endpoint checked" \
    "$(cat "$T/oauth/oauth.log")" "jwt-bearer .*-> 200"
chmod 644 "$T/sa.pem"
db "DELETE FROM mail_auth WHERE account = 'outbound'" >/dev/null
agent check
expect_match "a key file open to others is refused" "$out" \
    "FAIL +outbound-auth .*mode 644"
chmod 600 "$T/sa.pem"
expire outbound
agent check
expect_rc "with the key private again, check passes" 0

# ---- invalid_grant: needs_reauth, one mail to support, the metric ----

set_conf inbound oauth2_grant refresh_token
set_conf inbound oauth2_client_secret_file -
set_conf inbound oauth2_scope "$IMAP_SCOPE"
set_conf inbound oauth2_device_url -
control seed "user=mscagent@example.test" "scope=$IMAP_SCOPE"
agent auth login inbound <<<"$(json_get "$body" 'd["refresh_token"]')"
expect_rc "signed in again, from standard input" 0
control revoke "user=mscagent@example.test"
expire inbound
agent poll
expect_rc "a revoked consent: poll fails" 2
expect_match "and says to sign in again" "$err" \
    "refused the refresh token .*invalid_grant.*'mscagent auth login inbound'"
agent auth status --json
expect_eq "the account needs a new sign-in" \
    "$(json_get "$out" 'd[0]["state"]')" needs_reauth
expect_match "with the provider's words" "$out" "AADSTS70000"
agent sweep
agent sweep
agent flush
expect_match "support's mail goes out" "$out" \
    "sent mailbox_auth_failed to support@example.test"
check "support gets it" wait_for support 1
sleep 1
expect_eq "exactly one" "$(count support)" 1
subject=$(json_get "$(mailbox support)" 'd[0]["subject"]')
expect_eq "its subject" "$subject" \
    "Action needed: sign in the inbound mailbox again"
start_agent
http GET "$BASE/metrics"
expect_match "the metric shows it" "$body" \
    'mscagent_mailbox_auth\{account="inbound",state="needs_reauth"\} 1'
expect_match "and the outbound account ok" "$body" \
    'mscagent_mailbox_auth\{account="outbound",state="ok"\} 1'
stop_agent
agent poll
expect_match "a later poll still says what to run" "$err" \
    "'mscagent auth login inbound'"
expect_no_match "but logs the refusal only once" "$err" "needs a new sign-in:"

# ---- expiry during IDLE, and a session the server ends ----

control seed "user=mscagent@example.test" "scope=$IMAP_SCOPE"
agent auth login inbound <<<"$(json_get "$body" 'd["refresh_token"]')"
control lifetime "seconds=8"
expire inbound
set_conf inbound poll_seconds 5
control reset-stats
start_agent
sleep 10
refreshes=$(stat_of 'd["by_grant"].get("refresh_token", 0)')
check "the token ran out during IDLE: refreshed before it ended" \
    test "$refreshes" -ge 2
mailstack kick "$_stack" mscagent@example.test >/dev/null
agent tenant add --name Northwind --customer-admin admin1@example.test \
    --msp-admin msp1@example.test --workloads m365 --edition enterprise
b=$out
agent start "$b"
wait_until 100 0.1 request_for Northwind
check "the running agent sends the request" reply APPROVE Northwind
wait_state "$b" awaiting_verification
expect_eq "after the kick, the reply is read in a new session" \
    "$(state_of "$b")" awaiting_verification
stop_agent
expect_eq "the agent stops cleanly" "$rc" 0
expect_no_match "and never loops on sign-in" "$(cat "$T/run.log")" \
    "AUTHENTICATE XOAUTH2 failed"
