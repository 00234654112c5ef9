#!/usr/bin/env bash
# The command line end to end (SPEC §1-§2): the README scenario, both
# workflows, the refusals, Unicode names byte for byte, hostile input and
# the exit codes, against the real binary and a temporary database.
. "$(dirname "$0")/../support/lib.sh"

SUPPORT=support@example.test
MSP=msp@partner.test

# ---- helpers local to this script ----

# ok when $rc is the wanted code and stderr is one "mscagent: ..." line.
expect_refusal() {	# description expected-rc
	if [ "$rc" -eq "$2" ] && [[ $err == mscagent:* ]] &&
	    [[ $err != *$'\n'* ]]; then
		ok "$1"
	else
		not_ok "$1" "exit code $rc, wanted $2; stderr must be one" \
		    "'mscagent: ...' line" "stdout: $out" "stderr: $err"
	fi
}

# Registers a tenant; sets $id (empty when the add failed).
add_tenant() {		# name customer-admin workloads [option...]
	agent tenant add --name "$1" --customer-admin "$2" --msp-admin "$MSP" \
	    --workloads "$3" --edition enterprise "${@:4}"
	id=
	[ "$rc" -eq 0 ] && [[ $out =~ ^[0-9]+$ ]] && id=$out
}

# tenant show --json into $json.
show() {		# id
	agent tenant show "$1" --json
	json=$out
}


jv() {			# expression...: on the last shown tenant
	pyj "$json" "$@"
}

# The state transitions (rows whose from differs from to) as
# "from>to>actor" words, oldest first.
TRANSITIONS='" ".join("%s>%s>%s" % (h["from"], h["to"], h["actor"]) for h in d["history"] if h["from"] != h["to"])'
transitions() {
	jv "$TRANSITIONS"
}

# Every mail as "kind>to>status", sorted, space separated.
MAILS='" ".join(sorted("%s>%s>%s" % (m["kind"], m["to"], m["status"]) for m in d["mails"]))'

# Checks the state, the restriction, the transitions and the mails of
# tenant $1 after a step, one TAP line for all four.
expect_tenant() {	# description id state restricted transitions mails
	local got_state got_restr got_tr got_mails
	show "$2"
	{ read -r got_state; read -r got_restr; read -r got_tr
	  read -r got_mails; } < <(jv 'd["state"]' \
	    'str(d["restricted"]).lower()' "$TRANSITIONS" "$MAILS")
	if [ "$got_state" == "$3" ] && [ "$got_restr" == "$4" ] &&
	    [ "$got_tr" == "$5" ] && [ "$got_mails" == "$6" ]; then
		ok "$1"
	else
		not_ok "$1" "state:       $got_state (wanted $3)" \
		    "restricted:  $got_restr (wanted $4)" \
		    "transitions: $got_tr" "wanted:      $5" \
		    "mails:       $got_mails" "wanted:      $6"
	fi
}

# Words (in one or more arguments) sorted, to compare with mails().
sorted_words() {
	tr ' ' '\n' <<<"$*" | sort | paste -sd' '
}

snapshot() {		# sets $snap to tenant list --json
	agent tenant list --json
	snap=$out
}

# ok when tenant list --json is what it was at the last snapshot.
expect_unchanged() {	# description
	local before=$snap
	agent tenant list --json
	expect_eq "$1" "$out" "$before"
}

# today + 3 years (29 February -> 28 February), or the latest expiry
# when it comes first: the licence rule of SPEC §1.
after_migration() {	# latest-expiry
	"$PY" -S - "$1" <<'EOF'
import datetime, sys
t = datetime.datetime.now(datetime.timezone.utc).date()
try:
    cap = t.replace(year=t.year + 3)
except ValueError:
    cap = t.replace(year=t.year + 3, day=28)
print(min(datetime.date.fromisoformat(sys.argv[1]), cap).isoformat())
EOF
}

make_config

# ---- no database yet ----

agent tenant list
expect_refusal "tenant list before init exits 2" 2
expect_match "the message says to run init" "$err" "init"
check "tenant list before init creates no database" \
    test ! -e "$T/var/agent.db"

agent init
expect_rc "init creates the database" 0
agent init
expect_rc "init a second time keeps the database" 0

# ---- plans ----

agent plan add "Enterprise all" --edition enterprise \
    --products hybrid,m365,gws,endpoints
expect_match "plan add prints the id alone" "$out" '^[0-9]+$'
plan_all=$out
agent plan add "Standard SaaS" --edition standard --products m365,endpoints
plan_std=$out
expect_rc "a second plan is added" 0
agent plan list --json
plans=$out
agent plan add "Enterprise all" --edition enterprise --products m365
expect_refusal "plan add with a duplicate name exits 1" 1
agent plan list --json
expect_eq "the duplicate plan was not added" "$out" "$plans"
expect_eq "plan list --json: an array of {id, name, edition, products}" \
    "$(pyj "$plans" '[(sorted(p), type(p["id"]).__name__, p["name"], p["edition"], sorted(p["products"])) for p in d]')" \
    "[(['edition', 'id', 'name', 'products'], 'int', 'Enterprise all', 'enterprise', ['endpoints', 'gws', 'hybrid', 'm365']), (['edition', 'id', 'name', 'products'], 'int', 'Standard SaaS', 'standard', ['endpoints', 'm365'])]"
expect_eq "plan ids are the ones plan add printed" \
    "$(pyj "$plans" '[p["id"] for p in d]')" "[$plan_all, $plan_std]"
agent plan add "No products" --edition enterprise --products ""
expect_refusal "plan add with no products exits 1" 1
agent plan add "Bad product" --edition enterprise --products m365,exchange
expect_refusal "plan add with an unknown product exits 1" 1

# ---- the README scenario ----

add_tenant "Contoso Hybrid" admin@contoso.test hybrid,m365 \
    --license hybrid=2028-06-30 --license m365=2027-01-31
expect_match "tenant add prints the id alone" "$out" '^[0-9]+$'
hyb=$id
add_tenant "Fabrikam SaaS" admin@fabrikam.test m365,endpoints \
    --license m365=2027-03-01 --license endpoints=2031-01-01
saas=$id
add_tenant "Broken Ltd" "admin at broken.test" gws
bad=$id
check "three tenants registered with ids" test -n "$hyb" -a -n "$saas" -a -n "$bad"
expect_tenant "a new tenant is not restricted and has no mails" "$saas" \
    new false "" ""

agent start --all
expect_rc "start --all exits 1 when the preflight blocks one" 1
expect_eq "start --all says what happened to each tenant" \
    "$(printf '%s\n' "$out" | grep -v '^  blocked: ')" \
    "tenant $hyb: new -> awaiting_approval (1 mail queued)
tenant $saas: new -> awaiting_approval (1 mail queued)
tenant $bad: new -> blocked"
expect_match "start --all gives the blocked tenant's reason" "$out" \
    "^  blocked: .*customer admin.*admin at broken\.test"

agent tenant list
list_state() {		# id: the STATE column of that tenant's row
	printf '%s\n' "$out" | awk -v id="$1" '$1 == id { print $2 }'
}
expect_eq "tenant list shows awaiting_approval, awaiting_approval, blocked" \
    "$(list_state "$hyb") $(list_state "$saas") $(list_state "$bad")" \
    "awaiting_approval awaiting_approval blocked"

agent tenant show "$bad"
expect_match "tenant show of the blocked tenant gives its reason" "$out" \
    "customer admin.*admin at broken\.test.*invalid"
show "$bad"
expect_eq "the JSON has the one blocked reason" \
    "$(jv 'len(d["blocked_reasons"])')" 1
expect_tenant "blocked: not restricted, no mail" "$bad" blocked false \
    "new>blocked>cli" ""

agent tenant edit "$bad" --customer-admin admin@broken.test
expect_rc "tenant edit fixes the address of a blocked tenant" 0
agent start "$bad"
expect_eq "start ID again after the fix" "$rc:$out" \
    "0:tenant $bad: blocked -> awaiting_approval (1 mail queued)"
show "$bad"
expect_eq "the blocked reasons are gone" "$(jv 'd["blocked_reasons"]')" "[]"
expect_tenant "the fixed tenant awaits approval, restricted, one request" \
    "$bad" awaiting_approval true \
    "new>blocked>cli blocked>awaiting_approval>cli" \
    "approval_request>admin@broken.test>queued"

# ---- every preflight reason at once, and --suspended ----

add_tenant "All wrong" "no-at-sign" "" --suspended
agent tenant edit "$id" --msp-admin "msp@nodot" --workloads ""
allwrong=$id
agent start "$allwrong"
expect_rc "start of a tenant failing every preflight check exits 1" 1
show "$allwrong"
expect_eq "the preflight lists all four reasons" \
    "$(jv 'len(d["blocked_reasons"])')" 4
expect_match "one reason says suspended" "$(jv 'd["blocked_reasons"]')" \
    "suspended"
agent tenant edit "$allwrong" --customer-admin a@allwrong.test \
    --msp-admin m@allwrong.test --workloads gws --not-suspended
agent start "$allwrong"
expect_rc "after editing every field start passes the preflight" 0

# ---- Workflow 2 to completed ----

expect_tenant "Workflow 2 start: awaiting_approval, approval_request queued" \
    "$saas" awaiting_approval true "new>awaiting_approval>cli" \
    "approval_request>admin@fabrikam.test>queued"
expect_eq "a SaaS-only tenant is Workflow 2" "$(jv 'd["workflow"]')" 2
expect_eq "no token before approval" "$(jv 'd["token"]')" None

agent start "$saas"
expect_refusal "start of an awaiting tenant exits 3" 3
agent tenant edit "$saas" --name "Renamed"
expect_refusal "tenant edit in awaiting_approval exits 3" 3

t0=$(date -u +%s)
agent approve "$saas"
t1=$(date -u +%s)
expect_eq "approve moves it on" "$rc:$out" \
    "0:tenant $saas: awaiting_approval -> awaiting_verification (2 mails queued)"
expect_tenant "approve: verification to the MSP admin, receipt to the customer admin" \
    "$saas" awaiting_verification true \
    "new>awaiting_approval>cli awaiting_approval>awaiting_verification>cli" \
    "$(sorted_words approval_request\>admin@fabrikam.test\>queued \
        verification\>$MSP\>queued approval_receipt\>admin@fabrikam.test\>queued)"
expect_eq "token generation 1" "$(jv 'd["token"]["generation"]')" 1
expect_eq "the token expires ttl_days (30) after the approval" \
    "$(jv "$t0"' + 30 * 86400 <= __import__("calendar").timegm(__import__("time").strptime(d["token"]["expires_at"], "%Y-%m-%dT%H:%M:%SZ")) <= '"$t1"' + 30 * 86400')" \
    True
snap_saas=$json

agent finalize "$saas"
expect_refusal "finalize of a Workflow 2 tenant exits 3" 3
agent verify "$saas" --plan "Standard SaaS"
expect_refusal "verify with a plan of another edition exits 1" 1
show "$saas"
expect_eq "the refusals changed nothing" "$json" "$snap_saas"

agent verify "$saas" --plan "$plan_all"
expect_eq "verify by plan id completes Workflow 2" "$rc:$out" \
    "0:tenant $saas: awaiting_verification -> completed (1 mail queued)"
want_after=$(after_migration 2031-01-01)
expect_tenant "completed: not restricted, completion mail to the MSP admin" \
    "$saas" completed false \
    "new>awaiting_approval>cli awaiting_approval>awaiting_verification>cli awaiting_verification>completed>cli" \
    "$(sorted_words approval_request\>admin@fabrikam.test\>queued \
        verification\>$MSP\>queued approval_receipt\>admin@fabrikam.test\>queued \
        completed\>$MSP\>queued)"
expect_eq "the chosen plan is recorded" "$(jv 'd["plan"]["name"]')" \
    "Enterprise all"
expect_eq "licences after migration: both completion date + 3 years" \
    "$(jv '[(w, d["licenses"][w]["expires"], d["licenses"][w]["after_migration"]) for w in ("m365", "endpoints")]')" \
    "[('m365', '2027-03-01', '$want_after'), ('endpoints', '2031-01-01', '$want_after')]"
agent tenant show "$saas"
expect_match "tenant show prints the licence outcome" "$out" \
    "m365 +2027-03-01 +$want_after"

agent cancel "$saas"
expect_refusal "cancel of a completed tenant exits 3" 3
agent approve "$saas"
expect_refusal "approve of a completed tenant exits 3" 3
show "$saas"
expect_eq "nothing moved after completion" "$(transitions | wc -w):$(jv 'len(d["mails"])')" "3:4"

# ---- Workflow 1 through finalizing ----

show "$hyb"
expect_eq "a tenant with hybrid is Workflow 1" "$(jv 'd["workflow"]')" 1
agent approve "$hyb"
expect_rc "approve the hybrid tenant" 0
agent approve "$hyb"
expect_refusal "approve twice: the second exits 3" 3
hyb_mails="approval_request>admin@contoso.test>queued verification>$MSP>queued approval_receipt>admin@contoso.test>queued"
expect_tenant "the second approve queued nothing" "$hyb" \
    awaiting_verification true \
    "new>awaiting_approval>cli awaiting_approval>awaiting_verification>cli" \
    "$(sorted_words "$hyb_mails")"

agent verify "$hyb" --plan "Enterprise all"
expect_eq "verify by plan name: Workflow 1 goes to finalizing" "$rc:$out" \
    "0:tenant $hyb: awaiting_verification -> finalizing (2 mails queued)"
hyb_mails="$hyb_mails finalization_request>$SUPPORT>queued verified>$MSP>queued"
expect_tenant "finalizing: restricted, request to support, verified to the MSP admin" \
    "$hyb" finalizing true \
    "new>awaiting_approval>cli awaiting_approval>awaiting_verification>cli awaiting_verification>finalizing>cli" \
    "$(sorted_words "$hyb_mails")"
expect_eq "no licence change before finalizing" \
    "$(jv 'd["licenses"]["m365"]["after_migration"]')" None

agent finalize "$hyb"
expect_eq "finalize completes Workflow 1" "$rc:$out" \
    "0:tenant $hyb: finalizing -> completed (1 mail queued)"
hyb_mails="$hyb_mails completed>$MSP>queued"
expect_tenant "completed: not restricted, completion mail" "$hyb" \
    completed false \
    "new>awaiting_approval>cli awaiting_approval>awaiting_verification>cli awaiting_verification>finalizing>cli finalizing>completed>cli" \
    "$(sorted_words "$hyb_mails")"
expect_eq "hybrid keeps its expiry, m365 its own (earlier than the cap)" \
    "$(jv '(d["licenses"]["hybrid"]["after_migration"], d["licenses"]["m365"]["after_migration"])')" \
    "('2028-06-30', '2027-01-31')"
agent finalize "$hyb"
expect_refusal "finalize twice: the second exits 3" 3

# ---- reject, then retrigger ----

agent reject "$bad"
expect_eq "reject" "$rc:$out" \
    "0:tenant $bad: awaiting_approval -> rejected (3 mails queued)"
bad_mails="approval_request>admin@broken.test>queued rejected>$MSP>queued rejected>$SUPPORT>queued approval_receipt>admin@broken.test>queued"
expect_tenant "rejected: told to the MSP admin and support, receipt to the customer admin" \
    "$bad" rejected false \
    "new>blocked>cli blocked>awaiting_approval>cli awaiting_approval>rejected>cli" \
    "$(sorted_words "$bad_mails")"
agent approve "$bad"
expect_refusal "approve of a rejected tenant exits 3" 3

agent retrigger "$bad"
expect_eq "retrigger restarts the approval" "$rc:$out" \
    "0:tenant $bad: rejected -> awaiting_approval (1 mail queued)"
bad_mails="$bad_mails approval_request>admin@broken.test>queued"
expect_tenant "retriggered: awaiting_approval again, a second approval request" \
    "$bad" awaiting_approval true \
    "new>blocked>cli blocked>awaiting_approval>cli awaiting_approval>rejected>cli rejected>awaiting_approval>cli" \
    "$(sorted_words "$bad_mails")"
agent retrigger "$bad"
expect_refusal "retrigger of an awaiting tenant exits 3" 3
agent approve "$bad"
show "$bad"
expect_eq "the token after a retrigger is generation 2" \
    "$(jv 'd["token"]["generation"]')" 2

# ---- cancel ----

add_tenant "To be cancelled" admin@cancel.test m365
can=$id
agent start "$can"
agent cancel "$can"
expect_eq "cancel from awaiting_approval" "$rc:$out" \
    "0:tenant $can: awaiting_approval -> cancelled"
expect_tenant "cancelled: not restricted, no new mail" "$can" cancelled \
    false "new>awaiting_approval>cli awaiting_approval>cancelled>cli" \
    "approval_request>admin@cancel.test>queued"
agent cancel "$can"
expect_refusal "cancel twice: the second exits 3" 3
agent start "$can"
expect_refusal "start of a cancelled tenant exits 3" 3
agent retrigger "$can"
expect_refusal "retrigger of a cancelled tenant exits 3" 3
agent tenant edit "$can" --name "Back again"
expect_refusal "tenant edit of a cancelled tenant exits 3" 3
add_tenant "Cancelled while new" admin@cancel.test m365
agent cancel "$id"
expect_eq "cancel from new" "$rc:$out" "0:tenant $id: new -> cancelled"

# ---- JSON shapes, --state ----

show "$hyb"
expect_eq "tenant show --json has exactly the SPEC's keys" \
    "$(jv 'sorted(d)')" \
    "['blocked_reasons', 'customer_admin', 'edition', 'history', 'id', 'language', 'licenses', 'mails', 'msp_admin', 'name', 'plan', 'restricted', 'state', 'suspended', 'token', 'workflow', 'workloads']"
expect_eq "history rows are {at, from, to, actor, detail}, at in UTC" \
    "$(jv 'all(sorted(h) == ["actor", "at", "detail", "from", "to"] and __import__("re").fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", h["at"]) is not None for h in d["history"])')" \
    True
expect_eq "mail rows are {kind, to, status, message_id, attempts, last_error}" \
    "$(jv 'all(sorted(m) == ["attempts", "kind", "last_error", "message_id", "status", "to"] for m in d["mails"])')" \
    True

agent tenant list --json
all_json=$out
expect_eq "tenant list --json: one entry per tenant, no history or mails" \
    "$(pyj "$all_json" '(len(d), any("history" in t or "mails" in t for t in d))')" \
    "(6, False)"
agent tenant list --state completed --json
expect_eq "tenant list --state completed" \
    "$(pyj "$out" 'sorted(t["id"] for t in d)')" \
    "$("$PY" -S -c 'import sys; print(sorted(map(int, sys.argv[1:])))' "$hyb" "$saas")"
agent tenant list --state awaiting_approval
expect_eq "tenant list --state awaiting_approval (text)" \
    "$(printf '%s\n' "$out" | awk 'NR > 1 { print $1 }' | paste -sd' ')" \
    "$allwrong"
agent tenant list --state bogus
expect_refusal "tenant list --state bogus exits 1" 1

# ---- Unicode names, byte for byte ----

# Each name goes through add; then one tenant list (text and JSON) for
# all, and tenant show (text and JSON) of each.
name_what=() name_val=() name_id=()
add_name() {		# description name
	add_tenant "$2" admin@unicode.test m365
	name_what+=("$1")
	name_val+=("$2")
	name_id+=("${id:-0}")
}

add_name "Latin, CJK and emoji" "Müller & Söhne — 株式会社 🚀"
add_name "Arabic (right to left)" "شركة الاختبار"
add_name "Hebrew with a gershayim quote" 'חברת בדיקה בע"מ'
add_name "combining accents kept decomposed (e + U+0301)" \
    $'Caf\x65\xcc\x81 Ame\xcc\x81lie'
add_name "emoji ZWJ sequence" \
    $'Family \xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7\xe2\x80\x8d\xf0\x9f\x91\xa6 Ltd'
uni=$id		# a tenant still in new, for the edit refusals below
add_name "SQL in a name is stored verbatim" '"; DROP TABLE tenants; --'
add_name "markup in a name is stored verbatim" '<script>alert(1)</script>'
add_name "256 bytes of 4-byte characters (the limit) are accepted" \
    "$(printf '\xf0\x9f\x9a\x80%.0s' $(seq 64))"

agent tenant list
list_text=$out
agent tenant list --json
exprs=()
for id in "${name_id[@]}"; do
	exprs+=("next((t['name'] for t in d if t['id'] == $id), None)")
done
mapfile -t listed < <(pyj "$out" "${exprs[@]}")
for i in "${!name_val[@]}"; do
	name=${name_val[i]}
	id=${name_id[i]}
	fails=()
	[ "$id" -ne 0 ] || fails+=("tenant add failed")
	row=$(printf '%s\n' "$list_text" | awk -v id="$id" '$1 == id')
	[[ $row == *" $name" ]] || fails+=("tenant list row: $row")
	[ "${listed[i]}" == "$name" ] ||
	    fails+=("tenant list --json: ${listed[i]}")
	agent tenant show "$id"
	[ "${out%%$'\n'*}" == "tenant $id: $name" ] ||
	    fails+=("tenant show: ${out%%$'\n'*}")
	show "$id"
	shown=$(jv 'd["name"]')
	[ "$shown" == "$name" ] || fails+=("tenant show --json: $shown")
	if [ ${#fails[@]} -eq 0 ]; then
		ok "${name_what[i]}"
	else
		not_ok "${name_what[i]}" "${fails[@]}"
	fi
done
agent tenant list --json
expect_eq "the tenants table survived the SQL-looking name" \
    "$(pyj "$out" 'len(d)')" 14

# ---- hostile input: exit 1, one line, nothing written ----

snapshot
refuse_add() {		# description name [option...]
	agent tenant add --name "$2" --customer-admin a@hostile.test \
	    --msp-admin "$MSP" --workloads m365 --edition enterprise "${@:3}"
	expect_refusal "$1" 1
}
refuse_add "name with CR exits 1" $'carriage\rreturn'
refuse_add "name with LF exits 1" $'line\nfeed'
refuse_add "name with TAB exits 1" $'tab\there'
refuse_add "name with \\x01 exits 1" $'start\x01of heading'
refuse_add "name with DEL exits 1" $'delete\x7f'
refuse_add "name with a C1 control (U+0085) exits 1" $'next\xc2\x85line'
refuse_add "name with \\xff exits 1" $'bad \xff byte'
refuse_add "name with overlong / (\\xc0\\xaf) exits 1" $'over\xc0\xaflong'
refuse_add "name with a lone continuation byte exits 1" $'lone \x80'
refuse_add "name cut inside a character exits 1" $'cut \xe6\xa0'
refuse_add "257-byte name exits 1" "$(printf 'x%.0s' $(seq 257))"
refuse_add "257 bytes: 64 emoji and one more byte exit 1" \
    "$(printf '\xf0\x9f\x9a\x80%.0s' $(seq 64))x"
refuse_add "empty name exits 1" ""
refuse_add "unknown workload exits 1" "W" --workloads m365,exchange
refuse_add "repeated workload exits 1" "W" --workloads m365,gws,m365
refuse_add "the same licence in two --license options exits 1" "W" \
    --license m365=2027-01-31 --license m365=2028-01-31
refuse_add "the same licence twice in one --license exits 1" "W" \
    --license "m365=2027-01-31;m365=2028-01-31"
refuse_add "licence for a workload the tenant lacks exits 1" "W" \
    --license gws=2027-01-31
refuse_add "licence on 2027-02-29 exits 1" "W" --license m365=2027-02-29
refuse_add "licence in month 13 exits 1" "W" --license m365=2027-13-01
refuse_add "licence without a date exits 1" "W" --license m365
refuse_add "licence for an unknown workload exits 1" "W" \
    --license exchange=2027-01-31
refuse_add "unknown option exits 1" "W" --colour blue
refuse_add "extra argument exits 1" "W" extra
agent tenant add --name W --customer-admin a@hostile.test --msp-admin "$MSP" \
    --workloads m365
expect_refusal "missing --edition exits 1" 1
agent tenant add --name W --customer-admin a@hostile.test --workloads m365 \
    --edition enterprise
expect_refusal "missing --msp-admin exits 1" 1
agent tenant add --name W --customer-admin a@hostile.test --msp-admin "$MSP" \
    --workloads m365 --edition
expect_refusal "option without its value exits 1" 1
agent tenant edit "$uni" --name $'new\nname'
expect_refusal "tenant edit to a name with LF exits 1" 1
agent tenant edit "$bad" --name "Fine"
expect_refusal "tenant edit of an awaiting tenant exits 3" 3
expect_unchanged "none of the refused commands wrote anything"

# ---- ids, commands, config ----

snapshot

for bad_id in abc 0 -1 99999999999999999999 1x " 1"; do
	agent tenant show "$bad_id"
	expect_refusal "tenant show '$bad_id' exits 1" 1
done
agent cancel 0
expect_refusal "cancel 0 exits 1" 1
agent approve -5
expect_refusal "approve -5 exits 1" 1
agent start 99999999999999999999
expect_refusal "start with a huge id exits 1" 1
agent tenant show 999999
expect_refusal "tenant show of an id that is not there exits 1" 1
agent approve
expect_refusal "approve without an id exits 1" 1
agent approve "$hyb" "$saas"
expect_refusal "approve with two ids exits 1" 1
agent verify "$bad"
expect_refusal "verify without --plan exits 1" 1
agent verify "$bad" --plan "No such plan"
expect_refusal "verify with an unknown plan exits 1" 1
agent cancel "$bad" --plan "Enterprise all"
expect_refusal "--plan on cancel exits 1" 1
agent start
expect_refusal "start with neither ids nor --all exits 1" 1
agent start --all "$bad"
expect_refusal "start with both ids and --all exits 1" 1
agent tenant show "$hyb" extra
expect_refusal "tenant show with an extra argument exits 1" 1
# ---- help: every form a new user tries, one line for a slip ----

agent help
expect_rc "help exits 0" 0
expect_eq "help starts with the usage" "$(head -1 <<<"$out")" \
    "usage: mscagent [-c CONF] COMMAND [ARG...]"
# A command without a summary would leave a bare "." in the man page.
expect_eq "every command has a one-line description" \
    "$("$MSCAGENT" help --man | grep -c '^\.$')" "0"
expect_eq "help lists every command of the man page" \
    "$(sed -n '/^commands:/,/^$/p' <<<"$out" | grep -c '^  ')" \
    "$("$MSCAGENT" help --man | sed -n '/^\.SH COMMANDS/,/^\.SH WORK/p' |
    grep -c '^\.TP')"
expect_match "help names the workloads" "$out" \
    "workloads: hybrid, m365, gws, endpoints"
expect_match "help names the exit codes" "$out" \
    "  3  the action does not apply in the tenant's current state"
agent --help
expect_eq "--help is help" "$rc:$(head -1 <<<"$out")" \
    "0:usage: mscagent [-c CONF] COMMAND [ARG...]"
agent tenant
expect_refusal "a group without its command exits 1" 1
expect_eq "and names the group's commands" "$err" \
    "mscagent: 'tenant' needs a command: add, edit, import, list, show (see 'mscagent help tenant')"
agent tenant --help
expect_eq "tenant --help lists the group" "$rc:$(head -1 <<<"$out")" \
    "0:usage: mscagent tenant COMMAND ..."
expect_match "with a description per command" "$out" \
    "  tenant import +register many tenants from a CSV file"
agent start --help
expect_eq "start --help gives its usage, exit 0" "$rc:$(head -1 <<<"$out")" \
    "0:usage: mscagent [-c CONF] start ID... | --all"
help_start=$out
agent help start
expect_eq "help start says the same" "$rc:$out" "0:$help_start"
agent tenant add --name x --help
expect_eq "--help after other options still helps" \
    "$rc:$(head -1 <<<"$out")" \
    "0:usage: mscagent [-c CONF] tenant add --name N --customer-admin EMAIL --msp-admin EMAIL --workloads LIST --edition E [--license W=YYYY-MM-DD]... [--suspended] [--language TAG]"
agent help tenant show
expect_eq "help tenant show" "$rc:$(head -1 <<<"$out")" \
    "0:usage: mscagent [-c CONF] tenant show ID [--json]"
agent tenat list
expect_refusal "a typo exits 1 with one line" 1
expect_eq "suggesting the command" "$err" \
    "mscagent: unknown command 'tenat'; did you mean 'tenant'?"
agent tenant lst
expect_eq "a typo in a group's command" "$rc:$err" \
    "1:mscagent: unknown command 'tenant lst'; did you mean 'tenant list'?"
agent help strat
expect_eq "help with a typo" "$rc:$err" \
    "1:mscagent: unknown command 'strat'; did you mean 'start'?"
agent start --alll
expect_eq "a typo in an option" "$rc:$err" \
    "1:mscagent: unknown option --alll; did you mean --all? (usage: mscagent start ID... | --all)"
agent --verbose list
expect_refusal "an unknown global option is one line" 1
agent help --man
expect_eq "help --man is roff for mscagent(8)" "$rc:$(sed -n 2p <<<"$out")" \
    "0:.TH MSCAGENT 8 \"\" \"mscagent $("$MSCAGENT" --version | cut -d' ' -f2)\" \"System Manager's Manual\""
expect_match "with the exit codes" "$out" "^\.SH EXIT STATUS"

agent frobnicate
expect_rc "an unknown command exits 1" 1
expect_match "the first stderr line names the unknown command" \
    "$(printf '%s\n' "$err" | head -1)" "^mscagent: .*frobnicate"
agent tenant frobnicate
expect_rc "an unknown tenant subcommand exits 1" 1
expect_unchanged "none of the refused commands wrote anything (ids)"

printf '[agent]\ndatabase = %s\nthis line is broken\n' "$T/var/agent.db" \
    >"$T/broken.conf"
out=$("$MSCAGENT" -c "$T/broken.conf" tenant list 2>"$T/stderr")
rc=$?
err=$(cat "$T/stderr")
expect_refusal "a broken config exits 1" 1
expect_match "the message names the config file and line" "$err" \
    "broken\.conf:3"
out=$("$MSCAGENT" -c "$T/no-such.conf" tenant list 2>"$T/stderr")
rc=$?
err=$(cat "$T/stderr")
expect_match "a missing config file is named" "$rc $err" \
    "^[12] mscagent: .*no-such\.conf"

# Output that cannot be written is a failure, not a silent cut list; a
# reader that stops early (| head) is not.
if [ -w /dev/full ]; then
	"$MSCAGENT" -c "$T/agent.conf" tenant list >/dev/full 2>"$T/stderr"
	rc=$? out= err=$(cat "$T/stderr")
	expect_refusal "a full disk under stdout exits 2" 2
	expect_match "and says the output was not written" "$err" \
	    "cannot write the output"
else
	echo "ok $((++_n)) # SKIP no writable /dev/full"
	echo "ok $((++_n)) # SKIP no writable /dev/full"
fi
got=$("$PY" -S -c 'import os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run(sys.argv[1:], stdout=w, stderr=subprocess.PIPE)
print("%d:%s" % (p.returncode, p.stderr.decode().strip()))' \
    "$MSCAGENT" -c "$T/agent.conf" tenant list)
expect_eq "a reader that went away (EPIPE) is no error" "$got" "0:"

# ---- a tenant's language (BCP 47), and [agent] language ----

add_tenant "Sprachen GmbH" admin@sprachen.test m365 --language de-at
lang=$id
show "$lang"
expect_eq "tenant add --language keeps the tag, normalized" \
    "$(jv 'd["language"]')" "de-AT"
agent tenant show "$lang"
expect_match "tenant show names it" "$out" "language +de-AT"
show "$hyb"
expect_eq "a tenant without one shows [agent] language's default, en" \
    "$(jv 'd["language"]')" "en"
set_conf agent language fr-ca
agent tenant list --json
expect_eq "tenant list --json: the tenant's own, else [agent] language" \
    "$(pyj "$out" '[t["language"] for t in d if t["id"] in ('"$hyb, $lang"')]')" \
    "['fr-CA', 'de-AT']"
agent tenant edit "$lang" --language fr
show "$lang"
expect_eq "tenant edit --language changes it" "$rc:$(jv 'd["language"]')" \
    "0:fr"
agent tenant edit "$lang" --language deutsch
expect_refusal "tenant edit --language deutsch exits 1" 1
expect_match "naming the option and the tag" "$err" "--language: .*'deutsch'"
show "$lang"
expect_eq "and leaves the language as it was" "$(jv 'd["language"]')" "fr"
agent tenant edit "$lang" --language ""
show "$lang"
expect_eq "tenant edit --language '' gives it [agent] language again" \
    "$rc:$(jv 'd["language"]')" "0:fr-CA"
set_conf agent language de
show "$lang"
expect_eq "and follows [agent] language when it changes" \
    "$(jv 'd["language"]')" "de"
set_conf agent language fr-ca
agent tenant list --json
before=$(pyj "$out" 'len(d)')
add_tenant "Bad Language" admin@badlang.test m365 --language english
expect_refusal "tenant add --language english exits 1" 1
agent tenant list --json
expect_eq "and registers nothing" "$(pyj "$out" 'len(d)')" "$before"
add_tenant "Hostile Language" admin@badlang.test m365 \
    --language $'de\nAT'
expect_refusal "tenant add --language with a line feed exits 1" 1
set_conf agent language "de AT"
agent tenant list
expect_refusal "a bad [agent] language is refused at load" 1
expect_match "with its line" "$err" "agent.conf:[0-9]+: \\[agent\\] language"
set_conf agent language -

# ---- the transition's log line: once, to log_file, never on stderr ----

add_tenant "Logged" admin@logged.test m365
agent start "$id"
expect_eq "without log_file, start answers on stdout only" "$rc:$out:$err" \
    "0:tenant $id: new -> awaiting_approval (1 mail queued):"
set_conf agent log_file "$T/agent.log"
agent cancel "$id"
expect_eq "with log_file, the answer is still stdout's alone" \
    "$rc:$out:$err" "0:tenant $id: awaiting_approval -> cancelled:"
line="info workflow tenant $id: awaiting_approval -> cancelled \(cli, cancel\)"
expect_match "and the file has the transition's one line" \
    "$(grep -c . "$T/agent.log"):$(cat "$T/agent.log")" "^1:[^ ]* $line$"
set_conf agent log_file -

# ---- a refusal says what the tenant waits for and what to run next ----

# "2026-12-07 10:00 UTC": when tenant $1 entered its state.
since() {		# id
	local at
	show "$1"
	at=$(jv 'd["history"][-1]["at"]')
	echo "${at:0:10} ${at:11:5} UTC"
}

add_tenant "Waiting" admin@waiting.test m365
agent start "$id"
agent start "$id"
expect_refusal "start on a tenant awaiting approval exits 3" 3
expect_eq "saying what it waits for since when, and what to run" "$err" \
    "mscagent: tenant $id is waiting for the customer admin's reply since $(since "$id"), so 'start' does not apply; next: 'approve $id', 'reject $id' or 'cancel $id'"
agent retrigger "$id"
expect_eq "retrigger likewise" "$rc:$err" \
    "3:mscagent: tenant $id is waiting for the customer admin's reply since $(since "$id"), so 'retrigger' does not apply; next: 'approve $id', 'reject $id' or 'cancel $id'"
agent approve "$id"
agent finalize "$id"
expect_eq "finalize before the MSP admin confirmed" "$rc:$err" \
    "3:mscagent: tenant $id is waiting for the MSP admin to confirm a plan on the verification page since $(since "$id"), so 'finalize' does not apply; next: 'verify $id --plan PLAN' or 'cancel $id'"
agent cancel "$id"
agent cancel "$id"
expect_eq "a final state says it is final" "$rc:$err" \
    "3:mscagent: tenant $id was cancelled on $(since "$id"); cancelled is final, nothing more applies (to migrate it, register it again with 'tenant add')"
add_tenant "Blocked Next" "admin blocked.test" m365 2>/dev/null
agent start "$id"
agent retrigger "$id"
expect_eq "a blocked tenant: fix the data, then start" "$rc:$err" \
    "3:mscagent: tenant $id was blocked by the preflight on $(since "$id") (customer admin address 'admin blocked.test' is invalid: no '@'), so 'retrigger' does not apply; next: 'tenant edit $id ...' to fix the data, then 'start $id'"
agent cancel "$id"

# ---- data the preflight will refuse: registered, and said at once ----

add_tenant "Warned" "it mueller.example" m365
expect_eq "a bad address is registered (exit 0, the id alone)" \
    "$rc:$([[ $out =~ ^[0-9]+$ ]] && echo id)" "0:id"
expect_eq "with the preflight's words on stderr" "$err" \
    "mscagent: warning: customer admin address 'it mueller.example' is invalid: no '@' (start will block tenant $id; fix it with 'tenant edit $id')"
agent tenant edit "$id" --name "   "
expect_eq "an edit to a blank name warns too" "$rc:$out:$err" \
    "0:tenant $id updated:mscagent: warning: the name is blank (start will block tenant $id; fix it with 'tenant edit $id')
mscagent: warning: customer admin address 'it mueller.example' is invalid: no '@' (start will block tenant $id; fix it with 'tenant edit $id')"
agent tenant edit "$id" --name "Warned" --customer-admin it@mueller.example
expect_eq "and a fixed tenant is silent" "$rc:$out:$err" \
    "0:tenant $id updated:"
agent start "$id"
expect_rc "which starts" 0
add_tenant "   " admin@blank.test m365
blank=$id
agent start "$blank"
expect_eq "the preflight blocks a blank name" "$rc:$(sed -n 2p <<<"$out")" \
    "1:  blocked: the name is blank"
agent cancel "$blank"
printf 'name,customer_admin,msp_admin,workloads,edition\nGood,a@good.test,%s,m365,e\n" ",bad,%s,m365,e\n' \
    "$MSP" "$MSP" >"$T/warn.csv"
agent tenant import "$T/warn.csv"
last=$(grep -o '[0-9]*)$' <<<"$out" | tr -d ')')
expect_eq "import warns with the file's line" "$rc:$err" \
    "0:mscagent: warning: $T/warn.csv:3: the name is blank (start will block tenant $last; fix it with 'tenant edit $last')
mscagent: warning: $T/warn.csv:3: customer admin address 'bad' is invalid: no '@' (start will block tenant $last; fix it with 'tenant edit $last')"
agent cancel "$last"
agent cancel "$((last - 1))"

# ---- CSV as spreadsheets write it ----

printf 'Name;Customer_Admin;MSP_Admin;Workloads;Edition;Licenses\r\n"Semi & Co";a@semi.test;%s;m365,gws;enterprise;"m365=2027-01-31;gws=2027-02-28"\r\n' \
    "$MSP" >"$T/excel.csv"
agent tenant import "$T/excel.csv"
expect_eq "a semicolon file with headers in their own case imports" \
    "$rc:$err" "0:"
last=$(grep -o '[0-9]*)$' <<<"$out" | tr -d ')')
show "$last"
expect_eq "its fields and licences in place" \
    "$(jv 'd["name"], d["workloads"], d["licenses"]["gws"]["expires"]')" \
    "('Semi & Co', ['m365', 'gws'], '2027-02-28')"
agent cancel "$last"
printf 'name\tcustomer admin\tmsp-admin\tworkloads\tedition\nTab Ltd\ta@tab.test\t%s\tm365\tenterprise\n' \
    "$MSP" >"$T/tab.csv"
agent tenant import "$T/tab.csv"
expect_eq "a tab-separated copy imports" "$rc:$err" "0:"
agent cancel "$(grep -o '[0-9]*)$' <<<"$out" | tr -d ')')"
printf 'name,customer_admn,msp_admin,workloads,edition\nA,a@x.test,%s,m365,e\n' \
    "$MSP" >"$T/typo.csv"
agent tenant import "$T/typo.csv"
expect_refusal "a misspelt column exits 1, one line" 1
expect_eq "naming it once, with a guess" "$err" \
    "mscagent: $T/typo.csv:1: column 2: unknown column 'customer_admn'; did you mean 'customer_admin'? (nothing imported)"
printf 'name,customer_admin,msp_admin,workloads,edition\nA,a@x.test,%s,m365x,e\nB,b@x.test,%s,gws,e,extra\n' \
    "$MSP" "$MSP" >"$T/two.csv"
agent tenant import "$T/two.csv"
expect_eq "several problems: one line each, then the count" "$rc:$err" \
    "1:mscagent: $T/two.csv:2: column 4 (workloads): unknown workload 'm365x' (known: hybrid, m365, gws, endpoints)
mscagent: $T/two.csv:3: 6 fields, but the header has 5
mscagent: $T/two.csv: nothing imported (2 problems)"

# ---- tenant list fits a terminal, and only a terminal ----

long="Müller & Söhne — 株式会社 with a name far too long for one line 🚀"
add_tenant "$long" admin@long.test m365
long_id=$id
tty_list() {		# columns
	script -qec "stty cols $1; '$MSCAGENT' -c '$T/agent.conf' tenant list" \
	    /dev/null | tr -d '\r' | grep "^$long_id "
}
if command -v script >/dev/null; then
	row=$(tty_list 80)
	expect_eq "on an 80-column terminal a long name is cut to fit" \
	    "$(printf '%s' "$row" | LC_ALL=C.UTF-8 wc -m):$(grep -c ' Müller …$' <<<"$row")" \
	    "80:1"
	expect_match "whole characters only, on 100 columns too" \
	    "$(tty_list 100)" " Müller & Söhne — 株式会社 w…$"
else
	ok "# SKIP no script(1) for a terminal"
	ok "# SKIP no script(1) for a terminal"
fi
agent tenant list
expect_eq "piped, the name is whole" "$(grep "^$long_id " <<<"$out" |
    sed 's/.*m365 *//')" "$long"
agent tenant list --json
expect_eq "and in --json" "$(pyj "$out" "[t['name'] for t in d if t['id'] == $long_id][0]")" \
    "$long"
agent cancel "$long_id"

# ---- tenant show always says whether the tenant is restricted ----

add_tenant "Shown" admin@shown.test m365
agent tenant show "$id"
expect_eq "new: restricted no" "$(grep '^restricted' <<<"$out")" \
    "restricted      no"
expect_eq "and the registration is no move" \
    "$(grep -c 'new -> new' <<<"$out"):$(grep -c '  new  by cli: registered$' <<<"$out")" \
    "0:1"
agent start "$id"
agent tenant show "$id"
expect_eq "awaiting approval: restricted yes, and what that means" \
    "$(grep '^restricted' <<<"$out")" \
    "restricted      yes (no user or licence changes; backups and restores go on)"
agent cancel "$id"
