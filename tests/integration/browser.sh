#!/usr/bin/env bash
# The verification link in a real browser: headless Chromium driven over
# chromedriver's W3C WebDriver API (tests/support/browser.py).  Opens the link
# from the mail, picks a plan, confirms and lands on the status page; an
# expired link shows the expiry page.  Then the console: the first
# sign-in, the forced password change, TOTP enrolment, the users page and
# a sign-in with a code.  Checks what the browser itself
# sees: the rendered text, the HTTP status of each page, its own form
# validation, the width on a phone and the console (CSP violations show
# there).  Screenshots go to build/test-artifacts/.
. "$(dirname "$0")/../support/lib.sh"

. "$(dirname "$0")/../support/webdriver.sh"

make_config
agent init
agent plan add Std --edition enterprise --products m365,endpoints
std=$out
agent plan add Small --edition business --products m365
agent plan add Full --edition enterprise --products hybrid,m365,gws,endpoints
full=$out
name='Müller & <Söhne> GmbH'
agent tenant add --name "$name" --customer-admin it@cust.test \
    --msp-admin ops@msp.test --workloads m365,endpoints \
    --edition enterprise --license m365=2027-03-01
id=$out
agent start "$id"
agent approve "$id"
agent flush
CPORT=$(free_port)
CBASE=http://127.0.0.1:$CPORT
set_conf console port "$CPORT"
set_conf console base_url "$CBASE"
agent user add alice --role admin
otp=$out
link=$(mail_link "$(files_in "$T/var/mail/ops@msp.test" | tail -1)")
token=${link#*token=}
start_agent
link=$BASE/verify?token=$token
start_browser
ok "Chromium runs headless under chromedriver"

# ---- the verification page ----
br size 1024 900
br go "$link"
expect_eq "the link opens with 200" "$(page_status)" 200
expect_eq "the heading names the customer, as text" "$(br text h1)" \
    "Confirm the migration of $name"
expect_match "the licence expiry is shown" "$(br text main)" \
    "licensed until 2027-03-01"
expect_eq "two plans to pick from" "$(br count 'input[type=radio][name=plan]')" 2
expect_eq "the plans by name" \
    "$(br js 'return [...document.querySelectorAll("label strong")].map(e => e.textContent).join(",")')" \
    '"Std,Full"'
expect_eq "none is selected" \
    "$(br js 'return document.querySelectorAll("input[name=plan]:checked").length')" 0
br shot "$ART/browser-verify.png"
expect_eq "no console errors or CSP violations" "$(console)" ""

br size 390 844
expect_eq "the viewport is a phone's: 390 px" \
    "$(br js 'return window.innerWidth')" 390
# Scripts sent over WebDriver run although the page's CSP forbids any.
expect_eq "no horizontal scroll at 390 px" \
    "$(br js 'return document.documentElement.scrollWidth <= 390')" true
br shot "$ART/browser-verify-phone.png"
br size 1024 900

# ---- confirming ----
br click 'button[type=submit]'
sleep 0.3
expect_eq "confirm without a plan: the browser's own check stops it" \
    "$(br js 'return document.querySelector("input[name=plan]").validity.valueMissing')" \
    true
expect_eq "and the tenant still waits" "$(state_of "$id")" \
    awaiting_verification
br click "input[name=plan][value=\"$std\"]"
expect_eq "clicking a plan selects it" \
    "$(br selected "input[name=plan][value=\"$std\"]")" true
br click 'button[type=submit]'
if wait_url "$link"; then
	ok "confirm lands on GET /verify?token=…"
else
	not_ok "confirm lands on GET /verify?token=…" "at $(br url)"
fi
expect_eq "the status page came with 200" "$(page_status)" 200
expect_eq "the status page says Completed" "$(br text 'main p strong')" \
    Completed
expect_match "with the plan and the timeline" "$(br text main | tr '\n' ' ')" \
    "Service plan Std .*Completed \(on this page\)"
expect_eq "the tenant completed" "$(state_of "$id")" completed
br shot "$ART/browser-status.png"
expect_eq "no console errors or CSP violations" "$(console)" ""

# ---- an expired link ----
expired_link
br go "$old"
expect_eq "the expired link: 410" "$(page_status)" 410
expect_eq "the expiry page's heading" "$(br text h1)" "This link has expired"
expect_match "says to contact support" "$(br text main)" \
    "contact support to re-trigger the approval: support@example.test"
expect_eq "support is a mailto link" "$(br attr 'main a' href)" \
    mailto:support@example.test
br shot "$ART/browser-expired.png"
# Chromium reports the 410 of the page itself; nothing else may be there.
expect_eq "no other console errors" \
    "$(console 'Failed to load resource: .*status of 410')" ""

# ---- the console ----
PASS='correct horse battery staple'
br go "$CBASE/"
wait_url "$CBASE/login"
expect_eq "the console sends the browser to its sign-in" "$(br url)" "$CBASE/login"
br shot "$ART/console-login.png"
br type 'input[name=name]' alice
br type 'input[name=password]' "$otp"
br click 'main button[type=submit]'
wait_url "$CBASE/account"
expect_eq "the one-time password leads to the account page" "$(br url)" \
    "$CBASE/account"
expect_eq "which asks for a new password" "$(br text h1)" "Choose your password"
br shot "$ART/console-change-password.png"
br type 'input[name=current]' "$otp"
br type 'input[name=new]' "$PASS"
br type 'input[name=repeat]' "$PASS"
br click 'main button[type=submit]'
wait_url "$CBASE/account?done=password"
expect_eq "the password is changed" "$(br text p.ok)" "Your password is changed."
expect_eq "the QR code is drawn inline" "$(br count '.qr svg path')" 1
expect_eq "and is 196 px wide" \
    "$(br js 'return document.querySelector(".qr svg").getBoundingClientRect().width')" 196
br shot "$ART/console-enrol.png"
secret=$(br text 'code.secret')
br type 'input[name=code]' "$(totp "$secret")"
br click 'form input[value=totp] ~ button'
sleep 0.3
expect_eq "the code turns the second factor on: ten recovery codes" \
    "$(br count '.codes li')" 10
br shot "$ART/console-recovery-codes.png"
expect_eq "no console errors or CSP violations in the console" "$(console)" ""
br go "$CBASE/users"
expect_eq "the users page opens" "$(br text h1)" Users
br size 1280 900
br shot "$ART/console-users.png"
br click 'header button'
wait_url "$CBASE/login"
br type 'input[name=name]' alice
br type 'input[name=password]' "$PASS"
br click 'main button[type=submit]'
sleep 0.3
expect_eq "signing in again asks for the code" \
    "$(br count 'input[name=code]')" 1
br shot "$ART/console-code.png"
br type 'input[name=code]' "$(totp "$secret" 1)"
br click 'main button[type=submit]'
sleep 0.3
expect_eq "the next code signs in" "$(br url)" "$CBASE/"
expect_eq "no console errors or CSP violations after signing in" \
    "$(console 'Failed to load resource: .*status of 501')" ""
br size 1024 900

check "screenshots saved" test -s "$ART/browser-verify.png" -a \
    -s "$ART/browser-verify-phone.png" -a -s "$ART/browser-status.png" -a \
    -s "$ART/browser-expired.png"
group=$WD_PID
stop_browser
check "chromedriver and Chromium are gone" test -z \
    "$(ps -eo pgid=,stat= | awk -v g="$group" '$1 == g && $2 !~ /^Z/')"
stop_agent
expect_eq "the agent stops cleanly" "$rc" 0
