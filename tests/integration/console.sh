#!/usr/bin/env bash
# The operator console of a running `mscagent run`, over plain HTTP with
# curl: the first sign-in with a one-time password, the forced change,
# TOTP enrolment, a code used twice, a recovery code used twice,
# throttling per account and per address (behind a trusted proxy), and
# the attacks that must change nothing: a POST without or with a wrong
# CSRF token, a cross-site form, an expired session, a viewer's POST.
# The database and its audit say what changed.
. "$(dirname "$0")/../support/lib.sh"
make_config
CPORT=$(free_port)
CBASE=http://127.0.0.1:$CPORT
set_conf console port "$CPORT"
set_conf console base_url "$CBASE"
set_conf console require_totp yes
# The test is its own proxy: X-Forwarded-For from loopback is believed.
set_conf console trusted_proxies 127.0.0.1
agent init
DB=$T/var/agent.db
PASS=correct-horse-battery

sql() {			# query: its rows, columns separated by |
	"$PY" -S -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for r in db.execute(sys.argv[2]).fetchall():
    print("|".join(str(c) for c in r))
db.commit()' "$DB" "$1"
}

# A request to the console with a cookie jar: sets $status, $headers,
# $body.  Forms come from the console's own origin unless the caller
# adds other headers.
cget() {		# jar path [curl args...]
	local jar=$1 path=$2
	shift 2
	http GET "$CBASE$path" -b "$T/$jar" -c "$T/$jar" "$@"
}
cpost() {		# jar path [curl args...]
	local jar=$1 path=$2
	shift 2
	http POST "$CBASE$path" -b "$T/$jar" -c "$T/$jar" "$@"
}
csrf_of() {		# the CSRF token of the page in $body
	printf '%s' "$body" | grep -o 'name="csrf" value="[^"]*"' | head -1 |
	    sed 's/.*value="//; s/"$//'
}
audit_count() {		# action outcome
	sql "SELECT count(*) FROM audit WHERE action = '$1' AND outcome = '$2'"
}

# ---- no accounts: the log says how to make the first ----

start_agent
# The line may come a little after the public listener answers.
check "with no account, the start says how to make the first" \
    wait_until 100 0.1 grep -q "no accounts yet, make the first with: .* user add NAME --role admin" "$T/run.log"
stop_agent

agent user add alice --role admin
otp=$out
agent user add vic --role viewer
otp_vic=$out
agent user add val --role viewer
otp_val=$out
start_agent

# ---- the sign-in page ----

cget a /login
expect_eq "GET /login answers" "$status" 200
for h in "Content-Security-Policy: default-src 'none'" \
    "Referrer-Policy: same-origin" "Cache-Control: no-store" \
    "X-Content-Type-Options: nosniff" "X-Frame-Options: DENY"; do
	check "the console sends $h" grep -qiF "$h" "$T/headers"
done
expect_no_match "the CSP allows no script" "$headers" "script-src"
expect_no_match "the page has no script" "$body" "<script"
cget a /
expect_eq "a page without a session goes to the sign-in" \
    "$status $(printf '%s' "$headers" | sed -n 's/^Location: //Ip')" "303 /login"

# ---- a wrong password, then the one-time password ----

cpost a /login --data-urlencode name=alice --data-urlencode password=wrong-one
expect_eq "a wrong password is refused" "$status" 403
expect_match "with the one generic message" "$body" "Name or password is wrong"
cpost a /login --data-urlencode name=nobody --data-urlencode password=wrong-one
expect_match "an unknown name gets the same message" "$body" \
    "Name or password is wrong"
expect_eq "both failures are audited" "$(audit_count signin failed)" 2
cpost a /login --data-urlencode name=alice --data-urlencode "password=$otp"
expect_eq "the one-time password signs in" "$status" 303
cookie=$(printf '%s' "$headers" | grep -i '^Set-Cookie:')
expect_match "the cookie is HttpOnly, SameSite=Lax, Path=/" "$cookie" \
    "mscagent_session=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Lax"
expect_no_match "and not Secure over http" "$cookie" "Secure"
expect_eq "only a hash of the session id is stored" \
    "$(sql "SELECT count(*) FROM console_session WHERE id_hash = '$(printf '%s' "$cookie" | sed 's/.*mscagent_session=//; s/;.*//')'")" 0
cget a /
expect_eq "until the password is changed, pages go to the account" \
    "$(printf '%s' "$headers" | sed -n 's/^Location: //Ip')" "/account"
cget a /account
expect_match "the account asks for a new password" "$body" "Choose your password"
csrf=$(csrf_of)

# ---- forms without the token, or from elsewhere, change nothing ----

changed=$(sql "SELECT password_changed_at, password_hash FROM console_user WHERE name = 'alice'")
cpost a /account -d do=password --data-urlencode "current=$otp" \
    --data-urlencode "new=$PASS" --data-urlencode "repeat=$PASS"
expect_eq "a POST without the CSRF token is refused" "$status" 403
cpost a /account -d do=password -d csrf=AAAA"$csrf" --data-urlencode "current=$otp" \
    --data-urlencode "new=$PASS" --data-urlencode "repeat=$PASS"
expect_eq "a POST with a wrong CSRF token is refused" "$status" 403
cpost a /account -H "Origin: http://evil.test" -d do=password -d "csrf=$csrf" \
    --data-urlencode "current=$otp" --data-urlencode "new=$PASS" \
    --data-urlencode "repeat=$PASS"
expect_eq "a form from another origin is refused" "$status" 403
cpost a /account -H "Sec-Fetch-Site: cross-site" -d do=password -d "csrf=$csrf" \
    --data-urlencode "current=$otp" --data-urlencode "new=$PASS" \
    --data-urlencode "repeat=$PASS"
expect_eq "a cross-site form (Sec-Fetch-Site) is refused" "$status" 403
expect_eq "and the password is unchanged" \
    "$(sql "SELECT password_changed_at, password_hash FROM console_user WHERE name = 'alice'")" \
    "$changed"

# ---- the forced change ----

cp "$T/a" "$T/old"
cpost a /account -H "Origin: $CBASE" -H "Sec-Fetch-Site: same-origin" \
    -d do=password -d "csrf=$csrf" --data-urlencode "current=$otp" \
    --data-urlencode "new=$PASS" --data-urlencode "repeat=$PASS"
expect_eq "the new password is set" "$status" 303
expect_match "with a new session cookie" "$headers" "Set-Cookie: mscagent_session="
cget old /account
expect_eq "the session before the change has ended" "$status" 303
expect_eq "must_change_password is cleared" \
    "$(sql "SELECT must_change_password FROM console_user WHERE name = 'alice'")" 0

# ---- TOTP enrolment ----

cget a /
expect_eq "without a second factor, pages still go to the account" \
    "$(printf '%s' "$headers" | sed -n 's/^Location: //Ip')" "/account"
cget a /account
expect_match "the account shows a QR code inline" "$body" "<svg[^>]*viewBox"
secret=$(printf '%s' "$body" | sed -n 's/.*<code class="secret">\([A-Z2-7]*\)<\/code>.*/\1/p' | head -1)
expect_match "and the secret as text" "$secret" "^[A-Z2-7]{32}$"
expect_match "and the otpauth URI" "$body" "otpauth://totp/"
csrf=$(csrf_of)
cpost a /account -d do=totp -d "csrf=$csrf" -d "secret=$secret" -d code=000000
expect_eq "a wrong enrolment code is refused" "$status" 422
cpost a /account -d do=totp -d "csrf=$csrf" -d "secret=$secret" \
    -d "code=$(totp "$secret")"
expect_eq "the right code turns the second factor on" "$status" 200
codes=$(printf '%s' "$body" | grep -o '<li><code>[a-z0-9-]*</code></li>' |
    sed 's/<[^>]*>//g')
expect_eq "ten recovery codes are shown" "$(printf '%s\n' "$codes" | grep -c .)" 10
expect_eq "and stored as hashes" \
    "$(sql "SELECT length(recovery_hashes) FROM console_user WHERE name = 'alice'")" \
    $((10 * 64 + 9))
cget a /account
expect_no_match "the recovery codes are shown once" "$body" "$(printf '%s\n' "$codes" | head -1)"
cget a /
expect_eq "now the dashboard opens (no redirect)" \
    "$(printf '%s' "$headers" | grep -ci '^Location: /account')" 0

# ---- sign out, sign in with a code, a code twice ----

csrf=$(csrf_of)
[ -n "$csrf" ] || { cget a /account; csrf=$(csrf_of); }
cpost a /logout -d "csrf=$csrf"
expect_eq "sign-out answers" "$status $(printf '%s' "$headers" | sed -n 's/^Location: //Ip')" \
    "303 /login"
expect_match "and clears the cookie" "$headers" "Max-Age=0"
expect_eq "and ends the session" \
    "$(sql "SELECT count(*) FROM console_session s JOIN console_user u ON u.id = s.user_id WHERE u.name = 'alice'")" 0

signin_code() {		# jar code: password, then the code
	cpost "$1" /login --data-urlencode name=alice --data-urlencode "password=$PASS"
	cget "$1" /login
	csrf=$(csrf_of)
	cpost "$1" /login -d "csrf=$csrf" --data-urlencode "code=$2"
}
cpost b /login --data-urlencode name=alice --data-urlencode "password=$PASS"
expect_eq "the password step of an enrolled account" \
    "$status $(printf '%s' "$headers" | sed -n 's/^Location: //Ip')" "303 /login"
cget b /
expect_eq "a sign-in waiting for its code opens no page" "$status" 303
cget b /login
expect_match "the sign-in asks for the code" "$body" "authenticator app"
code=$(totp "$secret" 1)
csrf=$(csrf_of)
cpost b /login -d "csrf=$csrf" --data-urlencode "code=$code"
expect_eq "the TOTP code signs in" "$status" 303
cget b /account
expect_eq "and the account opens" "$status" 200
signin_code c "$code"
expect_eq "the same code a second time is refused" "$status" 403
expect_match "with the code's message" "$body" "The code is wrong"
rc1=$(printf '%s\n' "$codes" | sed -n 1p)
signin_code c "$rc1"
expect_eq "a recovery code signs in" "$status" 303
expect_eq "and is used up" \
    "$(sql "SELECT length(recovery_hashes) FROM console_user WHERE name = 'alice'")" \
    $((9 * 64 + 8))
signin_code d "$rc1"
expect_eq "the same recovery code a second time is refused" "$status" 403

# ---- an admin's forms: the token and the origin ----

cget b /users
expect_eq "an admin opens /users" "$status" 200
csrf=$(csrf_of)
cpost b /users -d do=add -d name=eve -d role=viewer
expect_eq "adding a user without the token is refused" "$status" 403
cpost b /users -d do=add -d name=eve -d role=viewer -d csrf=x"$csrf"
expect_eq "with a wrong token too" "$status" 403
cpost b /users -H "Origin: http://evil.test" -d do=add -d name=eve -d role=viewer -d "csrf=$csrf"
expect_eq "from another origin too" "$status" 403
cpost b /users -H "Sec-Fetch-Site: same-site" -d do=add -d name=eve -d role=viewer -d "csrf=$csrf"
expect_eq "from a sibling site too" "$status" 403
expect_eq "and no user was added" "$(sql "SELECT count(*) FROM console_user WHERE name = 'eve'")" 0
cpost b /users -H "Origin: $CBASE" -H "Sec-Fetch-Site: same-origin" \
    -d do=add -d name=eve -d role=operator -d "csrf=$csrf"
expect_eq "the same form from the console adds the user" "$status" 200
expect_match "and shows the one-time password" "$body" "One-time password for"
expect_eq "as an operator" "$(sql "SELECT role FROM console_user WHERE name = 'eve'")" operator
expect_eq "audited as alice's" \
    "$(sql "SELECT user, target, outcome FROM audit WHERE action = 'user.add' ORDER BY id DESC LIMIT 1")" \
    "alice|eve|ok"
cpost b /users -d do=delete -d name=alice -d "csrf=$csrf"
expect_eq "the last admin cannot delete herself" "$status" 409
expect_eq "and is still there" "$(sql "SELECT count(*) FROM console_user WHERE name = 'alice'")" 1

# ---- a viewer's POST ----

cpost v /login --data-urlencode name=val --data-urlencode "password=$otp_val"
cget v /account
csrf=$(csrf_of)
cpost v /users -d do=add -d name=mallory -d role=admin -d "csrf=$csrf"
expect_eq "a viewer's POST to /users is refused" "$status" 403
cpost v /users -d do=role -d name=val -d role=admin -d "csrf=$csrf"
expect_eq "so is making herself admin" "$status" 403
expect_eq "and nothing changed" \
    "$(sql "SELECT count(*) FROM console_user WHERE name = 'mallory'") $(sql "SELECT role FROM console_user WHERE name = 'val'")" \
    "0 viewer"

# ---- an expired session ----

before=$(sql "SELECT count(*) FROM console_user")
sql "UPDATE console_session SET last_seen_at = last_seen_at - 31 * 60 WHERE user_id = (SELECT id FROM console_user WHERE name = 'alice')" >/dev/null
cget b /users
expect_eq "an idle session has ended" \
    "$status $(printf '%s' "$headers" | sed -n 's/^Location: //Ip')" "303 /login"
cpost b /users -d do=add -d name=late -d role=viewer -d "csrf=$csrf"
expect_eq "its form is refused" "$status" 403
expect_eq "and changes nothing" "$(sql "SELECT count(*) FROM console_user")" "$before"

# ---- throttling ----

for i in 1 2 3 4 5 6 7 8; do
	cpost t /login -H "X-Forwarded-For: 192.0.2.$i" --data-urlencode name=vic \
	    --data-urlencode password=not-the-password
done
cpost t /login -H "X-Forwarded-For: 192.0.2.99" --data-urlencode name=vic \
    --data-urlencode "password=$otp_vic"
expect_eq "after failures in a row, even the right password waits" "$status" 403
expect_match "with the same message" "$body" "Name or password is wrong"
# A try that comes after the wait is checked and counted again, so a
# slow run (valgrind) counts more than five.
check "the account counts its failures until the wait begins" \
    test "$(sql "SELECT failed_signins FROM console_user WHERE name = 'vic'")" -ge 5
expect_eq "failures and refusals make the eight tries" \
    "$(sql "SELECT count(*) FROM audit WHERE target = 'vic' AND outcome IN ('failed', 'refused') AND address LIKE '192.0.2.%' AND address != '192.0.2.99'")" 8
expect_eq "the refusal is audited" \
    "$(sql "SELECT address, outcome FROM audit WHERE target = 'vic' ORDER BY id DESC LIMIT 1")" \
    "192.0.2.99|refused"
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	cpost t /login -H "X-Forwarded-For: 198.51.100.7" \
	    --data-urlencode name="ghost$i" --data-urlencode password=guess-guess
done
cpost t /login -H "X-Forwarded-For: 198.51.100.7, 127.0.0.1" \
    --data-urlencode name=alice --data-urlencode "password=$PASS"
expect_eq "after failures from one address, it waits too" "$status" 403
cpost t /login -H "X-Forwarded-For: 10.1.1.1, 198.51.100.7" \
    --data-urlencode name=alice --data-urlencode "password=$PASS"
expect_eq "the rightmost untrusted hop is the client" "$status" 403
cpost t /login -H "X-Forwarded-For: 198.51.100.8" \
    --data-urlencode name=alice --data-urlencode "password=$PASS"
expect_eq "while another address signs in" "$status" 303

# ---- the upload limit ----

head -c $((5 * 1024 * 1024)) /dev/zero | tr '\0' 'a' >"$T/big.csv"
cpost b /import -F "file=@$T/big.csv"
expect_eq "a body over the console's limit gets 413" "$status" 413

stop_agent
expect_eq "the agent stops cleanly" "$rc" 0
