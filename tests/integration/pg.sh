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
