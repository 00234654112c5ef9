#!/usr/bin/env bash
# The operator console's acceptance, in headless Chromium against a
# running `mscagent run` and the real Postfix + Dovecot: a whole
# migration whose start and finalize are clicked in the console (the
# approval is a reply over SMTP, the link is opened in the browser), the
# dashboard's counts against `tenant list --json`, a confirmation sent
# again after Back and from two tabs, two forms at once, a viewer who
# sees no button and whose POST is refused, an import through the file
# input, a name of markup, right-to-left text and a formula shown as text
# on every page and in the CSV export, and a screenshot of every page at
# desktop and phone width (build/test-artifacts/console-*.png).
. "$(dirname "$0")/../support/lib.sh"
. "$(dirname "$0")/../support/webdriver.sh"

start_mailstack
make_config
use_mailstack
CPORT=$(free_port)
CBASE=http://127.0.0.1:$CPORT
set_conf console port "$CPORT"
set_conf console base_url "$CBASE"
agent init
PASS='correct horse battery staple'

# The tenant of the whole migration: markup, right-to-left, a formula.
NAME='<b>Müller</b> שלום & "=1+2"'
agent plan add SaaS --edition enterprise --products m365,endpoints
agent plan add Full --edition enterprise --products hybrid,m365,gws,endpoints
full=$out

# Adds a tenant whose mail goes nowhere anyone reads: sets $out to its id.
add() {			# name [tenant add options...]
	agent tenant add --name "$1" --customer-admin "other@example.test" \
	    --msp-admin "other-msp@example.test" --workloads m365 \
	    --edition enterprise "${@:2}"
}

agent tenant add --name "$NAME" --customer-admin admin1@example.test \
    --msp-admin msp1@example.test --workloads hybrid,m365 \
    --edition enterprise --license m365=2027-03-01 --license hybrid=2027-06-30
id=$out
# Cells a spreadsheet would run, each in a state of its own.
add '=1+2'
f1=$out
add '+SUM(A1)'
f2=$out
agent start "$f2"
add '  -2+3'
f3=$out
agent cancel "$f3"
add '@cmd'
# The same name again, blocked: the dashboard lists it by name.
add "$NAME" --suspended
blocked=$out
agent start "$blocked"
expect_eq "a suspended tenant is blocked by the preflight" \
    "$(state_of "$blocked")" blocked
add Back
back=$out
add Tabs
tabs=$out
add Race
race=$out
agent user add alice --role admin
otp=$out
agent user add val --role viewer
otp_val=$out
start_agent
check "the console answers" wait_until 100 0.1 curl -fs -o /dev/null "$CBASE/login"
start_browser
ok "Chromium runs headless under chromedriver"

# A page's screenshot at desktop and phone width; on the phone the page
# itself must not scroll sideways (wide tables scroll in their card).
# Then the console since the last look: nothing but what is expected.
shots() {		# name [extended-regex of expected console lines]
	br size 1280 900
	br shot "$ART/console-$1.png" full
	br size 390 844
	br shot "$ART/console-$1-phone.png" full
	w=$(br js 'const e = document.documentElement; return [e.scrollWidth, e.clientWidth]')
	expect_eq "$1: no sideways scroll on a phone" \
	    "$(json_get "$w" '"fits" if d[0] <= d[1] <= 390 else "%d px in %d" % tuple(d)')" fits
	br size 1280 900
	expect_eq "$1: no console errors or CSP violations" "$(console "${2:-^$}")" ""
}

# The tenant's state, history rows and mails, as tenant show --json has them.
moves() {		# id to-state
	agent tenant show "$1" --json
	json_get "$out" "sum(1 for h in d['history'] if h['to'] == '$2')"
}
mails() {		# id kind
	agent tenant show "$1" --json
	json_get "$out" "sum(1 for m in d['mails'] if m['kind'] == '$2')"
}

# Clicks an action on the tenant's page: its reason, then the button.
act() {			# id action reason
	br go "$CBASE/tenants/$1"
	br type "form[action=\"/tenants/$1/$2\"] input[name=reason]" "$3"
	br click "form[action=\"/tenants/$1/$2\"] button"
	wait_url "$CBASE/tenants/$1/$2"
}

# Succeed when the page on screen shows it: a pause and a look again
# otherwise, for at most 5 s (a click's page may still be loading).
shows_text() {		# css text
	wait_until 50 0.1 _text_is "$1" "$2"
}
_text_is() {
	[ "$(br text "$1" 2>/dev/null)" == "$2" ]
}
shows_count() {		# css n
	wait_until 50 0.1 _count_is "$1" "$2"
}
_count_is() {
	[ "$(br count "$1" 2>/dev/null)" == "$2" ]
}

# The text of the page's main part on one line.
main_text() {
	br text main | tr '\n' ' '
}

# ---- signing in: the forced change and the second factor ----

br size 1280 900
br go "$CBASE/"
wait_url "$CBASE/login"
expect_eq "the console sends the browser to its sign-in" "$(br url)" "$CBASE/login"
shots login
br type 'input[name=name]' alice
br type 'input[name=password]' "$otp"
br click 'main button[type=submit]'
wait_url "$CBASE/account"
br type 'input[name=current]' "$otp"
br type 'input[name=new]' "$PASS"
br type 'input[name=repeat]' "$PASS"
br click 'main button[type=submit]'
wait_url "$CBASE/account?done=password"
secret=$(br text 'code.secret')
br type 'input[name=code]' "$(totp "$secret")"
br click 'form input[value=totp] ~ button'
expect_eq "alice is signed in with a second factor" \
    "$(shows_count '.codes li' 10 && echo yes)" yes
br go "$CBASE/account"
shots account

# ---- the whole migration, its start and finalize clicked ----

act "$id" start "first wave"
expect_eq "Start asks first" "$(br text h1)" "Confirm: Start"
expect_eq "the confirmation carries the reason typed" \
    "$(br js 'return document.querySelector("main input[name=reason]").value')" \
    '"first wave"'
expect_eq "and names the tenant as text" "$(br text 'main p a')" "$NAME"
expect_eq "nothing moved before Confirm" "$(state_of "$id")" new
shots confirm
br click 'main form button[type=submit]'
wait_url "$CBASE/tenants/$id?done=start"
expect_eq "Confirm starts it" "$(state_of "$id")" awaiting_approval
agent tenant show "$id" --json
expect_eq "as console:alice" "$(json_get "$out" 'd["history"][-1]["actor"]')" \
    console:alice
expect_match "whose detail has the reason" \
    "$(json_get "$out" 'd["history"][-1]["detail"]')" "reason: first wave(;|$)"
check "the approval request arrives in the customer admin's mailbox" \
    wait_mail admin1 "Approval needed: move <b>Müller</b>" request
send_reply "$T/request.eml" admin1@example.test "APPROVE"
check "the APPROVE reply over SMTP moves the tenant on" \
    wait_state "$id" awaiting_verification
check "the MSP admin gets the link" \
    wait_mail msp1 "confirm the migration of <b>Müller</b>" verification
link=$(mail_link "$T/verification.eml")
br go "$link"
expect_eq "the link opens in the browser" "$(page_status)" 200
br click "input[name=plan][value=\"$full\"]"
br click 'button[type=submit]'
wait_url "$link"
expect_eq "the hybrid tenant, verified, waits for support" \
    "$(state_of "$id")" finalizing
check "support gets the finalization request" \
    wait_mail support "Finalize: <b>Müller</b>" finalize
act "$id" finalize "support said go"
br click 'main form button[type=submit]'
wait_url "$CBASE/tenants/$id?done=finalize"
expect_eq "Finalize clicked in the console completes it" "$(state_of "$id")" \
    completed
agent tenant show "$id" --json
expect_eq "the history: added, then console, mail, web, console" \
    "$(json_get "$out" '" ".join(h["actor"] for h in d["history"])')" \
    "cli console:alice mail web console:alice"
check "the completion mail arrives" wait_mail msp1 "Completed: <b>Müller</b>" completed
br go "$CBASE/tenants/$id"
tl=$(br text 'main .card:last-child tbody' | tr '\n' ' ')
expect_match "the timeline has the history" "$tl" \
    "finalizing → completed .*by console:alice: .*reason: support said go"
expect_match "the mails" "$tl" \
    "mail approval_request .*mail verification .*mail completed"
expect_match "and the reply read" "$tl" "reply: [a-z_]+ .*from admin1@example.test"
expect_eq "no action is left for a completed tenant" \
    "$(br count 'form.act button')" 0
expect_eq "the name is the heading's text" "$(br text 'main h1')" "$NAME"
expect_eq "and made no element" "$(br count 'main b')" 0
shots tenant
br go "$CBASE$(br attr 'main a[href$="/raw"]' href | sed "s|^$CBASE||")"
expect_match "a mail's raw view is the mail as sent" "$(br text body)" \
    "^(Return-Path|Message-ID|Date|From|Subject|To|MIME-Version):"
shots raw-mail

# ---- Back, then the confirmation again: one transition, one mail ----

act "$back" start "back test"
br click 'main form button[type=submit]'
wait_url "$CBASE/tenants/$back?done=start"
br back
if [ "$(br count 'main form button[type=submit]')" -gt 0 ]; then
	br click 'main form button[type=submit]'
else
	# The confirmation was the answer to a POST and is not kept
	# (no-store): reloading it sends that POST again.
	expect_eq "Back: the confirmation is not kept (no-store)" \
	    "$(br text h1 2>/dev/null)" "Confirm Form Resubmission"
	br refresh
fi
expect_eq "the form again: the tenant moved on (409)" \
    "$(shows_text h1 "The tenant has moved on" &&
        page_status)" 409
expect_match "and says where it is and who moved it" "$(main_text)" \
    "now awaiting_approval.*console:alice"
shots changed 'tenants/[0-9]+/start - .*status of 409 \(Conflict\)'
expect_eq "one transition" "$(moves "$back" awaiting_approval)" 1
expect_eq "one approval request" "$(mails "$back" approval_request)" 1

# ---- two tabs confirm the same start ----

act "$tabs" start "tab one"
tab1=$(br handle)
tab2=$(br tab)
br switch "$tab2"
act "$tabs" start "tab two"
br switch "$tab1"
br click 'main form button[type=submit]'
wait_url "$CBASE/tenants/$tabs?done=start"
br switch "$tab2"
br click 'main form button[type=submit]'
expect_eq "the second tab: 409" \
    "$(shows_text h1 "The tenant has moved on" &&
        page_status)" 409
expect_eq "two tabs: one transition" "$(moves "$tabs" awaiting_approval)" 1
expect_eq "two tabs: one approval request" "$(mails "$tabs" approval_request)" 1
br close
br switch "$tab1"
expect_eq "no console errors but the 409" \
    "$(console 'status of 409 \(Conflict\)')" ""

# ---- two forms at once, the browser's session and token ----

act "$race" start "race"
csrf=$(br attr 'main input[name=csrf]' value)
cookie=$(br cookie mscagent_session)
pids=
for i in 1 2; do
	curl -s -o /dev/null -w '%{http_code}\n' -b "mscagent_session=$cookie" \
	    -H "Origin: $CBASE" -d "csrf=$csrf" -d confirm=yes \
	    -d from_state=new -d reason=race "$CBASE/tenants/$race/start" \
	    >"$T/race$i" &
	pids="$pids $!"
done
wait $pids
expect_eq "two forms at once: one acts, one finds it moved on" \
    "$(sort "$T/race1" "$T/race2" | tr '\n' ' ')" "303 409 "
expect_eq "one transition" "$(moves "$race" awaiting_approval)" 1
expect_eq "one approval request" "$(mails "$race" approval_request)" 1
br go "$CBASE/tenants/$race"
expect_eq "the tenant waiting for approval offers what its state allows" \
    "$(br js 'return [...document.querySelectorAll("form.act button")].map(e => e.textContent).join(",")')" \
    '"Approve for the customer,Reject for the customer,Cancel the migration"'
shots tenant-actions

# ---- a viewer: no buttons, and a POST refused ----

cv() {			# method path [curl args...]: the viewer's request
	local m=$1 p=$2
	shift 2
	http "$m" "$CBASE$p" -b "$T/val" -c "$T/val" "$@"
}
csrf_of() {
	printf '%s' "$body" | grep -o 'name="csrf" value="[^"]*"' | head -1 |
	    sed 's/.*value="//; s/"$//'
}
cv POST /login --data-urlencode name=val --data-urlencode "password=$otp_val"
cv GET /account
cv POST /account -d do=password -d "csrf=$(csrf_of)" \
    --data-urlencode "current=$otp_val" --data-urlencode "new=$PASS" \
    --data-urlencode "repeat=$PASS"
cv GET /account
vsecret=$(printf '%s' "$body" | sed -n 's/.*<code class="secret">\([A-Z2-7]*\)<\/code>.*/\1/p' | head -1)
cv POST /account -d do=totp -d "csrf=$(csrf_of)" -d "secret=$vsecret" \
    -d "code=$(totp "$vsecret")"
expect_eq "the viewer is signed in" "$status" 200
# Of buttons, the viewer has Sign out, and Search on the list.
cv GET "/tenants/$f1"
expect_eq "a viewer opens a tenant's page" "$status" 200
expect_no_match "and sees no action" "$body" "action=\"/tenants/$f1/"
expect_eq "no button but Sign out" "$(printf '%s' "$body" | grep -o '<button[^>]*>[^<]*' |
    sed 's/.*>//' | tr '\n' ,)" "Sign out,"
cv GET /tenants
expect_eq "on the list, no button but Sign out and Search" \
    "$(printf '%s' "$body" | grep -o '<button[^>]*>[^<]*' | sed 's/.*>//' |
    tr '\n' ,)" "Sign out,Search,"
expect_no_match "and no tenant to pick" "$body" 'type="checkbox"'
csrf=$(csrf_of)
before=$(agent tenant show "$f1" --json; printf '%s' "$out")
cv POST "/tenants/$f1/start" -d "csrf=$csrf" -d from_state=new \
    -d confirm=yes -d reason=viewer
expect_eq "the viewer's POST with its session and token: 403" "$status" 403
cv POST /tenants/bulk -d "csrf=$csrf" -d id="$f1" -d action=cancel \
    -d confirm=yes -d reason=viewer
expect_eq "and a bulk one too" "$status" 403
agent tenant show "$f1" --json
expect_eq "and nothing changed" "$out" "$before"

# ---- import through the file input ----

printf '%s\n' 'name,customer_admin,msp_admin,workloads,edition,licenses' \
    'Import Eins,it@eins.test,ops@eins.test,m365,enterprise,m365=2027-01-31' \
    'Import Zwei,it@zwei.test,ops@zwei.test,m365,enterprise,m365=2027-02-29' \
    >"$T/bad.csv"
sed 's/2027-02-29/2027-02-28/' "$T/bad.csv" >"$T/good.csv"
br go "$CBASE/import"
br type 'input[type=file]' "$T/bad.csv"
br click 'form[enctype] button'
shows_text 'main h2' "Problems: nothing will be imported"
expect_match "a bad file: its problem's line and column are shown" \
    "$(br text 'main table tbody tr')" "^3 .*licenses.*2027-02-29"
expect_eq "and offers no import" "$(br count 'input[name=digest]')" 0
expect_eq "with 422" "$(page_status)" 422
shots import-problem '/import - .*status of 422'
br type 'input[type=file]' "$T/good.csv"
br click 'form[enctype] button'
shows_count 'input[name=digest]' 1
expect_eq "the good file: a preview that offers the import" \
    "$(br count 'input[name=digest]')" 1
agent tenant list --json
expect_eq "and nothing is imported yet" \
    "$(json_get "$out" 'sum(1 for t in d if t["name"].startswith("Import "))')" 0
shots import
br click 'form input[name=digest] ~ button'
wait_url "$CBASE/import?done=2"
agent tenant list --json
expect_eq "Import them: both tenants exist" \
    "$(json_get "$out" 'sorted(t["name"] for t in d if t["name"].startswith("Import "))')" \
    "['Import Eins', 'Import Zwei']"

# ---- a bulk action from the list ----

br go "$CBASE/tenants?q=Import"
br click "input[name=id][value=\"$((race + 1))\"]"
br click "input[name=id][value=\"$((race + 2))\"]"
br js 'document.querySelector("select[name=action]").value = "cancel"' >/dev/null
br type '#bulk input[name=reason]' "not this year"
br click '#bulk button[type=submit]'
wait_url "$CBASE/tenants/bulk"
expect_eq "a bulk action asks first, listing the tenants" \
    "$(br count 'main tbody tr')" 2
shots bulk-confirm
br click 'main form button[type=submit]'
shows_count 'main tbody tr strong' 2
expect_eq "and then says ok for each" \
    "$(br js 'return [...document.querySelectorAll("main tbody tr strong")].map(e => e.textContent).join(",")')" \
    '"ok,ok"'
shots bulk
expect_eq "both are cancelled" \
    "$(state_of "$((race + 1))") $(state_of "$((race + 2))")" \
    "cancelled cancelled"

# ---- the dashboard counts what tenant list --json counts ----

br go "$CBASE/"
shown=$(br js 'return Object.fromEntries([...document.querySelectorAll("main .card:first-child tbody tr")].map(r => [r.cells[0].textContent, Number(r.cells[1].textContent)]).filter(e => e[1] > 0))')
agent tenant list --json
counted=$(json_get "$out" 'json.dumps(dict(sorted(__import__("collections").Counter(t["state"] for t in d).items())), ensure_ascii=False)')
expect_eq "the dashboard's counts by state equal tenant list --json's" \
    "$(json_get "$shown" 'json.dumps(dict(sorted(d.items())), ensure_ascii=False)')" \
    "$counted"
expect_match "in several states" "$counted" \
    '"awaiting_approval": 4, "blocked": 1, "cancelled": 3, "completed": 1, "new": 2'
expect_eq "and in all" "$(br text 'main tfoot th.num')" \
    "$(json_get "$out" 'len(d)')"
expect_eq "the blocked list names the tenant as text" \
    "$(br js 'return [...document.querySelectorAll("main .grid a")].map(e => e.textContent).filter(t => t.includes("Müller"))')" \
    "[\"$(printf '%s' "$NAME" | sed 's/"/\\"/g')\"]"
expect_eq "no element made from a name" "$(br count 'main b')" 0
shots dashboard

# ---- the list and the CSV export ----

br go "$CBASE/tenants"
expect_eq "the list shows the name as text, twice" \
    "$(br js 'return [...document.querySelectorAll("main tbody td:nth-child(3)")].filter(e => e.textContent === arguments[0]).length' "$NAME")" 2
expect_eq "and no element made from it" "$(br count 'main b')" 0
shots tenants
cookie=$(br cookie mscagent_session)
curl -s -b "mscagent_session=$cookie" -o "$T/tenants.csv" "$CBASE/tenants.csv"
csv() {			# python expression on rows, the CSV's rows
	"$PY" -S -c 'import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))
print(eval(sys.argv[2]))' "$T/tenants.csv" "$@"
}
expect_eq "the CSV holds the name as it is" \
    "$(csv "sum(1 for r in rows if r[1] == sys.argv[3])" "$NAME")" 2
expect_eq "a cell starting with =, +, - or @ starts with an apostrophe" \
    "$(csv "[r[1] for r in rows if r[0] in ('$f1', '$f2', '$f3', '$((f3 + 1))')]")" \
    "[\"'=1+2\", \"'+SUM(A1)\", \"'  -2+3\", \"'@cmd\"]"

# ---- the other pages ----

for p in outbox inbox plans audit users; do
	br go "$CBASE/$p"
	expect_eq "/$p opens" "$(page_status)" 200
	shots "$p"
done
expect_match "the inbox shows the reply read" "$(br go "$CBASE/inbox"; main_text)" \
    "admin1@example.test"
expect_match "the audit has the console's actions" \
    "$(br go "$CBASE/audit"; main_text)" "tenant.start"

group=$WD_PID
stop_browser
check "chromedriver and Chromium are gone" test -z \
    "$(ps -eo pgid=,stat= | awk -v g="$group" '$1 == g && $2 !~ /^Z/')"
dups='len(d) - len(set(m["message_id"] for m in d))'
for u in admin1 msp1 support; do
	expect_eq "$u: no Message-ID twice" "$(json_get "$(mailbox "$u")" "$dups")" 0
done
stop_agent
expect_eq "the agent stops cleanly" "$rc" 0
