#!/usr/bin/env bash
# make screenshots: each shipped language's approval request (its HTML
# part) and verification page, rendered by headless Chromium into
# build/screenshots/LANG-request.png and LANG-page.png, for a person to
# look at once after a translation changes (a test cannot tell that a
# sentence reads well, or that Japanese shows with its own fonts).
#
#   tests/support/screenshots.sh [LANG...]   (default: every catalog)
. "$(dirname "$0")/lib.sh"
shots=$TOP/build/screenshots
mkdir -p "$shots"
langs=${*:-$(cd "$TOP/mailtemplates/po" && ls ./*.po | sed 's|^\./||; s|\.po$||')}
langs="en $langs"

make_config
agent init
agent plan add Standard --edition enterprise \
    --products hybrid,m365,gws,endpoints
start_agent

shoot() {		# url png
	chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars \
	    --window-size=800,1300 --screenshot="$2" "$1" >/dev/null 2>&1
	echo "  $2"
}

for lang in $langs; do
	agent tenant add --name "Contoso $lang" \
	    --customer-admin "it@$lang.example" --msp-admin "msp@$lang.example" \
	    --workloads hybrid,m365 --edition enterprise \
	    --license m365=2027-03-01 --language "$lang"
	id=$out
	agent start "$id"
	agent approve "$id"
	agent flush
	req=$(files_in "$T/var/mail/it@$lang.example" | head -1)
	"$PY" -S -c 'import sys, email, email.policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"),
    policy=email.policy.default)
open(sys.argv[2], "w").write(m.get_body(("html",)).get_content())' \
	    "$req" "$T/$lang.html"
	shoot "file://$T/$lang.html" "$shots/$lang-request.png"
	link=$(mail_link "$(files_in "$T/var/mail/msp@$lang.example" | tail -1)")
	shoot "$BASE/verify?token=${link#*token=}" "$shots/$lang-page.png"
done
stop_agent
