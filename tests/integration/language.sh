#!/usr/bin/env bash
# Mails and pages in the tenant's language (SPEC §7), through a real
# Postfix and Dovecot and a running agent: a German tenant's request in
# German with Content-Language: de, "Genehmigt" approving and "Nicht
# genehmigt" asking again in German; French dates on the page; a tag
# without a catalog falling back to [agent] language; and every shipped
# language's request, verification mail and page in that language.
. "$(dirname "$0")/../support/lib.sh"
# A customer admin and an MSP admin per tenant, each reading over IMAP.
MAILSTACK_USERS="mscagent support $(printf 'admin%d msp%d ' \
    1 1 2 2 3 3 4 4 5 5 6 6 7 7 8 8 9 9 10 10)"
export MAILSTACK_USERS
start_mailstack
make_config
use_mailstack
agent init
agent plan add Std --edition enterprise --products hybrid,m365,gws,endpoints
plan=$out
start_agent

# What a mail client reads of a saved mail: one value per line.
read_mail() {		# file python-expressions-on-m-text-html...
	"$PY" - "$@" <<'PYEOF'
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(),
                             policy=email.policy.default)
text = m.get_body(("plain",)).get_content()
html = m.get_body(("html",)).get_content()
for e in sys.argv[2:]:
    print(eval(e))
PYEOF
}

# ---- a German tenant, end to end by mail ----
agent tenant add --name "Müller GmbH" --customer-admin admin1@example.test \
    --msp-admin msp1@example.test --workloads m365 --edition enterprise \
    --license m365=2027-03-01 --language de-AT
de=$out
agent start "$de"
check "de: the request arrives, its subject in German" \
    wait_mail admin1 "Genehmigung erforderlich: Umzug von Müller GmbH" req
got=$(read_mail "$T/req.eml" 'm["content-language"]' \
    '"<html lang=\"de\">" in html' '"GENEHMIGT" in text' \
    '"body=GENEHMIGT" in html and "body=ABGELEHNT" in html' \
    '"Reply with" in text or "Customer" in text' \
    '"1. März 2027" in text')
expect_eq "de-AT falls back to de: Content-Language: de" \
    "$(sed -n 1p <<<"$got")" de
expect_eq "the HTML says lang=de" "$(sed -n 2p <<<"$got")" True
expect_eq "the text asks for GENEHMIGT" "$(sed -n 3p <<<"$got")" True
expect_eq "the buttons carry the German words" "$(sed -n 4p <<<"$got")" True
expect_eq "no English left in the text" "$(sed -n 5p <<<"$got")" False
expect_eq "the licence date written the German way" \
    "$(sed -n 6p <<<"$got")" True

send_reply "$T/req.eml" admin1@example.test "Nicht genehmigt"
check "de: 'Nicht genehmigt' asks again, in German" \
    wait_mail admin1 "Wir konnten Ihre Antwort zu Müller GmbH nicht" clar
expect_eq "and the tenant still waits" "$(state_of "$de")" \
    awaiting_approval
got=$(read_mail "$T/clar.eml" 'm["content-language"]' \
    '"GENEHMIGT" in text and "ABGELEHNT" in text')
expect_eq "the clarification: Content-Language: de" \
    "$(sed -n 1p <<<"$got")" de
expect_eq "asking for the German words" "$(sed -n 2p <<<"$got")" True

send_reply "$T/req.eml" admin1@example.test "Genehmigt"
check "de: 'Genehmigt' approves" wait_state "$de" awaiting_verification
check "de: the MSP admin's link arrives in German" \
    wait_mail msp1 "Müller GmbH" verif
got=$(read_mail "$T/verif.eml" 'm["content-language"]' \
    'bool(__import__("re").search(r"\d+\. (Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember) \d{4}, \d\d:\d\d Uhr UTC", text))')
expect_eq "the verification mail: Content-Language: de" \
    "$(sed -n 1p <<<"$got")" de
expect_eq "the link's end in German, with its time zone" \
    "$(sed -n 2p <<<"$got")" True
link=$(mail_link "$T/verif.eml")
http GET "$link"
expect_eq "de: the page opens" "$status" 200
expect_match "in German" "$body" '<html lang="de">'
expect_match "its button too" "$body" "Migration bestätigen"

# A link cut short names no tenant: the browser's language.
http GET "${link%?????}" -H "Accept-Language: sv, de-CH;q=0.8, en;q=0.5"
expect_eq "a cut link is refused" "$status" 403
expect_match "in the language the browser asks for" "$body" \
    '<html lang="de">'
http GET "${link%?????}" -H "Accept-Language: sv"
expect_match "or, with none available, in [agent] language" "$body" \
    '<html lang="en">'

# ---- a French tenant: the page's dates ----
agent tenant add --name "Dupont SA" --customer-admin admin2@example.test \
    --msp-admin msp2@example.test --workloads m365,endpoints \
    --edition enterprise --license m365=2027-03-01 \
    --license endpoints=2026-12-28 --language fr
fr=$out
agent start "$fr"
agent approve "$fr"
check "fr: the verification mail arrives" wait_mail msp2 "Dupont SA" frv
link=$(mail_link "$T/frv.eml")
http GET "$link"
expect_eq "fr: the page opens" "$status" 200
expect_match "in French" "$body" '<html lang="fr">'
expect_match "the licence dates the French way" "$body" \
    "jusqu.au <span class=\"date\">1er mars 2027<"
expect_match "each of them" "$body" "28 décembre 2026"
expect_match "the link's end too, with its time zone" "$body" \
    "[0-9]+(er)? (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre) [0-9]{4} à [0-9]{2}:[0-9]{2} UTC"
http GET "$BASE/api/getDetails?token=${link#*token=}"
expect_eq "getDetails names the language" \
    "$(json_get "$body" 'd["tenant"]["language"]')" fr

# ---- a language without a catalog: [agent] language ----
agent tenant add --name "Svensson AB" --customer-admin admin3@example.test \
    --msp-admin msp3@example.test --workloads m365 --edition enterprise \
    --language sv-SE
sv=$out
agent start "$sv"
check "sv: no catalog, so the request is in English" \
    wait_mail admin3 "Approval needed: move Svensson AB" sv
expect_eq "with Content-Language: en" \
    "$(read_mail "$T/sv.eml" 'm["content-language"]')" en
stop_agent

set_conf agent language de
agent tenant add --name "Svea AB" --customer-admin admin3@example.test \
    --msp-admin msp3@example.test --workloads m365 --edition enterprise \
    --language sv
agent start "$out"
agent flush
check "[agent] language de: the sv tenant's request is in German" \
    wait_mail admin3 "Genehmigung erforderlich: Umzug von Svea AB" svde
agent tenant add --name "Plain AB" --customer-admin admin3@example.test \
    --msp-admin msp3@example.test --workloads m365 --edition enterprise
agent start "$out"
agent flush
check "so is a tenant's without a language" \
    wait_mail admin3 "Genehmigung erforderlich: Umzug von Plain AB" plain
set_conf agent language -

# ---- every shipped language: request, verification mail, page ----
start_agent
n=0
for lang in de fr es nl it pt ja; do
	n=$((n + 1))
	agent tenant add --name "Kunde $lang" \
	    --customer-admin "admin$((n + 3))@example.test" \
	    --msp-admin "msp$((n + 3))@example.test" --workloads m365 \
	    --edition enterprise --language "$lang"
	id=$out
	agent start "$id"
	agent approve "$id"
	check "$lang: the request arrives" \
	    wait_mail "admin$((n + 3))" "Kunde $lang" "r$lang"
	check "$lang: the verification mail arrives" \
	    wait_mail "msp$((n + 3))" "Kunde $lang" "v$lang"
	for f in "r$lang" "v$lang"; do
		got=$(read_mail "$T/$f.eml" 'm["content-language"]' \
		    'm["subject"].startswith(("Approval needed", "Action needed"))' \
		    'any(w in text for w in ("Reply with", "Open the verification", "Customer", "licensed until", "If you did not"))')
		expect_eq "$lang: $f: in $lang, subject and text" \
		    "$(tr '\n' ' ' <<<"$got")" "$lang False False "
	done
	link=$(mail_link "$T/v$lang.eml")
	http GET "$link"
	expect_match "$lang: the page is in $lang" "$body" "<html lang=\"$lang\">"
	expect_no_match "$lang: no English on the page" "$body" \
	    "Confirm the migration|Licensed products|Service plan|licensed until"
done
stop_agent
expect_eq "the agent stops cleanly" "$rc" 0
