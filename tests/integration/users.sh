#!/usr/bin/env bash
# The console accounts on the command line (user add, list, passwd, role,
# del, reset-totp): output and exit codes (SPEC §2), the audit rows each
# change leaves, the last admin kept, and no password or hash shown,
# logged or stored in clear, except the one-time password, printed once.
. "$(dirname "$0")/../support/lib.sh"

ALPHABET='^[23456789abcdefghjkmnpqrstuvwxyz]{20}$'

# ---- helpers local to this script ----

# agent, keeping every byte of stdout and stderr for the leak checks.
run() {
	agent "$@"
	printf '%s\n%s\n' "$out" "$err" >>"$T/all.out"
}

# ok when $rc is the wanted code, stdout is empty and stderr is one
# "mscagent: ..." line matching the regex.
expect_refusal() {	# description expected-rc regex
	if [ "$rc" -eq "$2" ] && [ -z "$out" ] && [[ $err == mscagent:* ]] &&
	    [[ $err != *$'\n'* ]] && printf '%s' "$err" | grep -Eq -- "$3"; then
		ok "$1"
	else
		not_ok "$1" "exit code $rc, wanted $2; stdout empty, stderr" \
		    "one 'mscagent: ...' line matching /$3/" "stdout: $out" \
		    "stderr: $err"
	fi
}

# ok when the command printed one one-time password alone, exit 0.
expect_otp() {		# description
	if [ "$rc" -eq 0 ] && [[ $out =~ $ALPHABET ]] && [ -z "$err" ]; then
		ok "$1"
	else
		not_ok "$1" "exit code $rc" "stdout: $out" "stderr: $err"
	fi
}

# SQL on the agent's database, rows as Python tuples, one a line.
sql() {			# query
	"$PY" -S -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
for row in db.execute(sys.argv[2]):
    print(row if len(row) > 1 else row[0])' "$T/var/agent.db" "$1" 2>&1
}

# user list --json as "name:role:must_change:totp" words, by name.
USERS='" ".join("%s:%s:%s:%s" % (u["name"], u["role"], str(u["must_change_password"]).lower(), str(u["totp_enrolled"]).lower()) for u in d)'
users() {
	run user list --json
	pyj "$out" "$USERS"
}

make_config
# The log goes to a file here, to be searched for secrets.
sed -i "s|^log_file =.*|log_file = $T/var/agent.log|" "$T/agent.conf"
agent init
expect_rc "init" 0

# ---- no accounts yet ----

run user list --json
expect_eq "user list --json with no account is an empty array" \
    "$(pyj "$out" 'd')" "[]"
run user list
expect_eq "user list with no account prints its header alone" "$out" \
    "NAME                     ROLE     TOTP PASSWORD  CREATED"

# ---- add ----

run user add alice --role admin
expect_otp "user add prints a one-time password alone"
otp_alice=$out
run user add bob --role viewer
expect_otp "user add of a viewer"
otp_bob=$out
run user add --role operator carol.ops@msp.example
expect_otp "user add with the option first, an address as the name"
otp_carol=$out
if [ "$otp_alice" != "$otp_bob" ] && [ "$otp_bob" != "$otp_carol" ]; then
	ok "each one-time password is new"
else
	not_ok "each one-time password is new" "$otp_alice $otp_bob $otp_carol"
fi

expect_eq "user list --json: every account, by name" "$(users)" \
    "alice:admin:true:false bob:viewer:true:false carol.ops@msp.example:operator:true:false"
run user list --json
expect_eq "user list --json: exactly the documented keys" \
    "$(pyj "$out" 'sorted(set(k for u in d for k in u))')" \
    "['created_at', 'must_change_password', 'name', 'role', 'totp_enrolled']"
expect_match "user list --json: created_at is a UTC timestamp" \
    "$(pyj "$out" 'd[0]["created_at"]')" \
    '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
run user list
expect_match "user list: one row per account" "$out" \
    $'\nbob +viewer +no +one-time +[0-9-]+T'

# ---- add refused ----

run user add alice --role viewer
expect_refusal "a name taken is refused (exit 1)" 1 "'alice' exists already"
run user add ALICE --role viewer
expect_refusal "a name taken in another case is refused" 1 "exists already"
run user add dave --role root
expect_refusal "a role that does not exist is refused" 1 \
    "'root' is not a role: viewer, operator or admin"
run user add dave --role Admin
expect_refusal "roles are lower case" 1 "not a role"
run user add dave
expect_refusal "user add without --role is a usage error" 1 \
    "needs a NAME and --role.*usage: mscagent user add"
run user add --role viewer
expect_refusal "user add without a name is a usage error" 1 "usage:"
run user add dave eve --role viewer
expect_refusal "user add with two names is a usage error" 1 "usage:"
run user add "dave smith" --role viewer
expect_refusal "a name with a blank is refused" 1 "not an account name"
run user add "$(printf 'd%.0s' {1..65})" --role viewer
expect_refusal "a name longer than 64 is refused" 1 "not an account name"
run user add 'd<script>' --role viewer
expect_refusal "a name with markup is refused" 1 "not an account name"
run user add cli --role admin
expect_refusal "the name the audit gives the command line is refused" 1 \
    "names the command line"
run user add dave --role viewer --bogus
expect_refusal "an unknown option is a usage error" 1 "unknown option --bogus"
expect_eq "nothing refused was added" "$(users)" \
    "alice:admin:true:false bob:viewer:true:false carol.ops@msp.example:operator:true:false"

# ---- passwd ----

hash_before=$(sql "SELECT password_hash FROM console_user WHERE name = 'bob'")
sql "UPDATE console_user SET must_change_password = 0, failed_signins = 3, signin_not_before = 99 WHERE name = 'bob'" >/dev/null
sql "INSERT INTO console_session (id_hash, user_id, created_at, last_seen_at, address, csrf_token) SELECT 'h1', id, 1, 1, '127.0.0.1', 'c' FROM console_user WHERE name = 'bob'" >/dev/null
run user passwd bob
expect_otp "user passwd prints a new one-time password alone"
otp_bob2=$out
if [ "$otp_bob2" != "$otp_bob" ] &&
    [ "$(sql "SELECT password_hash FROM console_user WHERE name = 'bob'")" != "$hash_before" ]; then
	ok "user passwd replaces the password"
else
	not_ok "user passwd replaces the password"
fi
expect_eq "user passwd: must change it, throttle cleared, sessions ended" \
    "$(sql "SELECT must_change_password, failed_signins, signin_not_before, (SELECT count(*) FROM console_session) FROM console_user WHERE name = 'bob'")" \
    "(1, 0, 0, 0)"
run user passwd BOB
expect_otp "user passwd finds the name in any case"
otp_bob3=$out
run user passwd zed
expect_refusal "user passwd of an unknown user (exit 1)" 1 "no user 'zed'"
run user passwd
expect_refusal "user passwd without a name is a usage error" 1 \
    "needs one NAME.*usage: mscagent user passwd NAME"

# ---- role ----

run user role bob operator
expect_eq "user role prints nothing and succeeds" "$rc:$out:$err" "0::"
expect_eq "user role changes the role" "$(users)" \
    "alice:admin:true:false bob:operator:true:false carol.ops@msp.example:operator:true:false"
run user role bob superuser
expect_refusal "user role with a bad role (exit 1)" 1 "not a role"
run user role zed admin
expect_refusal "user role of an unknown user (exit 1)" 1 "no user 'zed'"
run user role bob
expect_refusal "user role without a role is a usage error" 1 \
    "needs a NAME and a ROLE"

# ---- the last admin ----

run user role alice operator
expect_refusal "demoting the last admin is refused (exit 3)" 3 \
    "'alice' is the last admin"
run user del alice
expect_refusal "deleting the last admin is refused (exit 3)" 3 \
    "'alice' is the last admin"
run user role alice admin
expect_eq "an admin made admin again stays admin" "$rc" 0
run user role carol.ops@msp.example admin
expect_rc "a second admin" 0
run user role alice viewer
expect_rc "with a second admin, the first may be demoted" 0
run user role carol.ops@msp.example viewer
expect_refusal "then the second is the last one" 3 "is the last admin"

# ---- reset-totp ----

sql "UPDATE console_user SET totp_secret = 'GEZDGNBVGY3TQOJQ', totp_last_step = 7, recovery_hashes = 'aa bb' WHERE name = 'bob'" >/dev/null
expect_eq "user list shows an enrolled second factor" \
    "$(run user list --json; pyj "$out" '[u["totp_enrolled"] for u in d if u["name"] == "bob"][0]')" \
    "True"
run user list
expect_no_match "user list never shows the TOTP secret" "$out" GEZDGNBVGY3TQOJQ
run user reset-totp bob
expect_eq "user reset-totp prints nothing and succeeds" "$rc:$out:$err" "0::"
expect_eq "user reset-totp forgets the secret, its step and the codes" \
    "$(sql "SELECT totp_secret, totp_last_step, recovery_hashes FROM console_user WHERE name = 'bob'")" \
    "(None, 0, '')"
run user reset-totp zed
expect_refusal "user reset-totp of an unknown user (exit 1)" 1 "no user 'zed'"

# ---- del ----

run user del bob
expect_eq "user del prints nothing and succeeds" "$rc:$out:$err" "0::"
expect_eq "user del removes the account" "$(users)" \
    "alice:viewer:true:false carol.ops@msp.example:admin:true:false"
run user del bob
expect_refusal "user del of an unknown user (exit 1)" 1 "no user 'bob'"
run user del
expect_refusal "user del without a name is a usage error" 1 "usage:"
run user del a b
expect_refusal "user del with two names is a usage error" 1 "usage:"
run user add bob --role viewer
expect_otp "a deleted name may be used again"
otp_bob4=$out

# ---- the audit ----

expect_eq "every change and refusal is audited, by cli, in order" \
    "$(sql "SELECT action || ':' || target || ':' || outcome FROM audit WHERE user = 'cli' ORDER BY id" | tr '\n' ' ')" \
    "user.add:alice:ok user.add:bob:ok user.add:carol.ops@msp.example:ok user.add:alice:refused user.add:ALICE:refused user.passwd:bob:ok user.passwd:BOB:ok user.passwd:zed:refused user.role:bob:ok user.role:zed:refused user.role:alice:refused user.del:alice:refused user.role:alice:ok user.role:carol.ops@msp.example:ok user.role:alice:ok user.role:carol.ops@msp.example:refused user.reset-totp:bob:ok user.reset-totp:zed:refused user.del:bob:ok user.del:bob:refused user.add:bob:ok "
expect_eq "no audit row is by anyone but cli, or from an address" \
    "$(sql "SELECT count(*) FROM audit WHERE user != 'cli' OR address != ''")" 0
expect_eq "an audit row says what changed" \
    "$(sql "SELECT detail FROM audit WHERE action = 'user.role' AND outcome = 'ok' ORDER BY id LIMIT 1")" \
    "viewer -> operator"
expect_match "a refusal's row says why" \
    "$(sql "SELECT detail FROM audit WHERE outcome = 'refused' ORDER BY id LIMIT 1")" \
    "exists already"
audit_rows=$(sql "SELECT count(*) FROM audit")
expect_match "an audit row cannot be changed" \
    "$(sql "UPDATE audit SET outcome = 'ok'")" "append-only"
expect_match "an audit row cannot be removed" \
    "$(sql "DELETE FROM audit")" "append-only"
expect_eq "the audit keeps every row" "$(sql "SELECT count(*) FROM audit")" \
    "$audit_rows"

# ---- secrets ----

otps=("$otp_alice" "$otp_bob" "$otp_carol" "$otp_bob2" "$otp_bob3" "$otp_bob4")
shown=0
for p in "${otps[@]}"; do
	n=$(grep -o -- "$p" "$T/all.out" | wc -l)
	[ "$n" -eq 1 ] || shown=$((shown + 1))
done
expect_eq "each one-time password was printed exactly once" "$shown" 0
expect_eq "every stored password is an Argon2id hash" \
    "$(sql "SELECT count(*) FROM console_user WHERE password_hash NOT LIKE '\$argon2id\$v=19\$m=65536,t=2,p=1\$%'")" 0
leaks=
while read -r h; do
	grep -qF -- "$h" "$T/all.out" && leaks="$leaks hash"
done < <(sql "SELECT password_hash FROM console_user")
grep -q 'argon2' "$T/all.out" && leaks="$leaks argon2"
touch "$T/var/agent.log"
for p in "${otps[@]}"; do
	grep -qF -- "$p" "$T/var/agent.log" && leaks="$leaks log"
	# The database and its log never hold a password in clear.
	cat "$T/var/agent.db"* | grep -qaF -- "$p" && leaks="$leaks db"
done
grep -q 'argon2' "$T/var/agent.log" && leaks="$leaks log-hash"
expect_eq "no password or hash in any output, the log or the database" \
    "$leaks" ""
