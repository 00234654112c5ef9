#!/usr/bin/env bash
# The store on PostgreSQL: a server of the test's own (socket only, no
# port), then the store's contract (the unit programs that use a
# database, each test on a new database: support_db.h) and the command
# line on a libpq URI.
. "$(dirname "$0")/../support/lib.sh"

PG=$T/pg
pg() { bash "$TOP/tests/support/pg.sh" "$@"; }
trap 'pg stop "$PG"; _cleanup' EXIT
if ! pg start "$PG" >/dev/null; then
	not_ok "a PostgreSQL server starts" "$(cat "$PG/log" 2>/dev/null)"
	exit 1
fi
ok "a PostgreSQL server starts"

# The contract: each cmocka test is one TAP line here.
UNITS=${UNIT_DIR:-$TOP/build/asan/tests}
for prog in test_store test_users test_workflow test_inbox \
    test_compose_thread test_access test_console test_console_act \
    test_console_auth test_console_view; do
	(cd "$TOP" && MSCAGENT_TEST_PG=$PG ${UNIT_WRAP:-} "$UNITS/$prog") \
	    >"$T/$prog.log" 2>&1
	status=$?
	while read -r what name; do
		case $what in
		OK) ok "$prog on PostgreSQL: $name" ;;
		FAILED) not_ok "$prog on PostgreSQL: $name" \
		    "see $(grep -n "$name" "$T/$prog.log" | head -1)" ;;
		esac
	done < <(sed -n -e 's/^\[       OK \] \(test_[a-z0-9_]*\)$/OK \1/p' \
	    -e 's/^\[  FAILED  \] \(test_[a-z0-9_]*\)$/FAILED \1/p' \
	    "$T/$prog.log" | sort -u)
	[ "$status" -eq 0 ] || not_ok "$prog on PostgreSQL exits 0" \
	    "$(tail -20 "$T/$prog.log")"
done

# The command line on a URI.
make_config
pg createdb "$PG" cli
set_conf agent database "postgresql:///cli?host=$PG&user=mscagent"
agent init
expect_rc "init creates the schema in PostgreSQL" 0
expect_match "init names the URI" "$out" "postgresql:///cli"
agent init
expect_rc "init again changes nothing" 0
agent plan add Gold --edition enterprise --products m365,endpoints
expect_rc "plan add" 0
agent tenant add --name "Zoë Café 株式会社 🚀" --customer-admin a@c.test \
    --msp-admin m@p.test --workloads m365 --edition enterprise \
    --license m365=2027-03-01
expect_eq "tenant add prints the id" "$out" 1
agent start 1
expect_rc "start" 0
agent flush
expect_match "flush delivers the approval request" "$out" "1 sent"
agent tenant show 1 --json
expect_eq "the name survives PostgreSQL" "$(json_get "$out" "d['name']")" \
    "Zoë Café 株式会社 🚀"
expect_eq "the tenant awaits approval" "$(json_get "$out" "d['state']")" \
    awaiting_approval
expect_eq "its history has the transition once" \
    "$(json_get "$out" "len([h for h in d['history'] if h['to'] == 'awaiting_approval'])")" 1

# Secrets never in the config: a password in the URI is refused.
set_conf agent database "postgresql://mscagent:secret@/cli?host=$PG"
agent tenant list
expect_rc "a password in the URI is refused" 1
expect_match "and the error says where it goes" "$err" "password file"
expect_no_match "without repeating it" "$err" "secret"

# ---- db copy: an SQLite database into an empty PostgreSQL one ----

make_config
agent init
INBOX=$T/var/mail/mscagent@example.test
agent plan add All --edition enterprise --products hybrid,m365,gws,endpoints
for i in 1 2 3; do
	agent tenant add --name "Kopie $i Ünïcødé" --customer-admin \
	    "it$i@c.test" --msp-admin "ops$i@m.test" --workloads m365 \
	    --edition enterprise --license "m365=2027-0$i-01"
done
agent start --all
agent flush
req=$(ls "$T/var/mail/it1@c.test/new/"* | head -1)
"$PY" "$TOP/tests/support/reply.py" "$req" it1@c.test "APPROVE" \
    >"$T/approve.eml"
mkdir -p "$INBOX/tmp" "$INBOX/new" "$INBOX/cur"
cp "$T/approve.eml" "$INBOX/new/1.approve.test"
agent poll
agent flush
agent cancel 3
agent user add alice --role admin
expect_eq "the SQLite database has a tenant awaiting verification" \
    "$(state_of 1)" awaiting_verification

pg createdb "$PG" copied
URI="postgresql:///copied?host=$PG&user=mscagent"
sed "s|^database = .*|database = ${URI//&/\\&}|" "$T/agent.conf" >"$T/pg.conf"
agent db copy --to "$URI"
expect_rc "db copy succeeds" 0
expect_match "db copy says the counts match" "$out" "the counts match"
expect_match "it copied the outbox" "$out" "outbox +[1-9]"
expect_match "and the inbound records" "$out" "inbound +[1-9]"
expect_match "and the tokens" "$out" "tokens +1 rows"
expect_match "and the audit" "$out" "audit +[1-9]"
same=1
for id in 1 2 3; do
	a=$("$MSCAGENT" -c "$T/agent.conf" tenant show "$id" --json)
	b=$("$MSCAGENT" -c "$T/pg.conf" tenant show "$id" --json)
	[ "$a" == "$b" ] || { same=0; echo "# tenant $id differs"; }
done
expect_eq "every tenant reads the same on both, history and mails" "$same" 1
agent db copy --to "$URI"
expect_rc "a second copy into the same database is refused" 3
expect_match "because it is not empty" "$err" "not empty"
agent db copy --to "$T/other.db"
expect_rc "db copy wants a URI" 1
out=$("$MSCAGENT" -c "$T/pg.conf" tenant add --name After --customer-admin \
    a@c.test --msp-admin m@m.test --workloads m365 --edition enterprise)
expect_eq "a new tenant on the copy gets the next id" "$out" 4
out=$("$MSCAGENT" -c "$T/pg.conf" verify 1 --plan All 2>&1)
expect_eq "the copied tenant goes on on PostgreSQL" \
    "$("$MSCAGENT" -c "$T/pg.conf" tenant show 1 --json | \
    "$PY" -S -c 'import json,sys; print(json.load(sys.stdin)["state"])')" \
    completed
out=$("$MSCAGENT" -c "$T/pg.conf" check 2>&1)
expect_match "check names the engine, its version and the schema" "$out" \
    "database +postgresql:///copied.*\(postgresql 1[0-9]+\.[0-9]+, schema [0-9]+, current\)"

# ---- the schema's version: current, and a newer one refused ----
pg query "$PG" copied "INSERT INTO mscagent_schema VALUES (99)"
out=$("$MSCAGENT" -c "$T/pg.conf" tenant list 2>&1)
expect_match "a schema newer than this mscagent is refused" "$out" \
    "schema version 99 is newer"
expect_eq "and left as it was" \
    "$(pg query "$PG" copied "SELECT max(version) FROM mscagent_schema")" 99
