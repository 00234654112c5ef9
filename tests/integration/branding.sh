#!/usr/bin/env bash
# The MSP's own name (SPEC §7): a From display name in UTF-8 and a logo
# sent through a real Postfix into a real Dovecot, read back over IMAP
# and decoded by Python's email package; the logo on the listener too.
. "$(dirname "$0")/../support/lib.sh"
start_mailstack
make_config
set_conf outbound url "smtp://127.0.0.1:$MAILSTACK_SMTP_PORT"
set_conf outbound starttls off
name='Müller & Söhne — 株式会社 🚀 Migrations, "IT" Services'
set_conf agent from "\"${name//\"/\\\"}\" <mscagent@example.test>"
# A real PNG (1x1), written by Python's zlib: what a client must show.
"$PY" -S - "$T/logo.png" <<'PYEOF'
import struct, sys, zlib
def chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data +
            struct.pack(">I", zlib.crc32(kind + data)))
png = (b"\x89PNG\r\n\x1a\n" +
       chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) +
       chunk(b"IDAT", zlib.compress(b"\x00\x0b\x5c\xad")) +
       chunk(b"IEND", b""))
open(sys.argv[1], "wb").write(png)
PYEOF
cat >>"$T/agent.conf" <<CONF

[branding]
company = Müller & Söhne IT
support_contact = https://help.mueller.example/migrations
logo_file = $T/logo.png
accent_color = #0B5CAD
CONF
agent init
expect_rc "init with a name-addr From and [branding]" 0

agent plan add All --edition enterprise --products hybrid,m365,gws,endpoints
agent tenant add --name Contoso --customer-admin admin1@example.test \
    --msp-admin msp1@example.test --workloads m365 --edition enterprise \
    --license m365=2027-03-01
id=$out
agent start "$id"
agent flush
expect_rc "flush over SMTP" 0

mkdir -p "$T/saved"
mailbox admin1 --save "$T/saved" >/dev/null
eml=$(ls "$T/saved"/*.eml | head -1)
check "the mail arrived" test -s "$eml"
# Python's email package, as a client reads the mail.
got=$("$PY" - "$eml" "$T/logo.png" <<'PYEOF'
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(),
                             policy=email.policy.default)
a = m["from"].addresses[0]
print(a.display_name)
print(a.addr_spec)
html = img = None
for p in m.walk():
    if p.get_content_type() == "text/html":
        html = p.get_content()
    elif p.get_content_type() == "image/png":
        img = p
print(m.get_content_type(), [p.get_content_type() for p in m.walk()])
cid = img["content-id"].strip("<>")
print(img.get_content_disposition(), img["content-transfer-encoding"])
print(("src=\"cid:%s\"" % cid) in html, "http" in html.split("cid:")[0][-200:])
print(img.get_content() == open(sys.argv[2], "rb").read())
print("Müller &amp; Söhne IT" in html, "#0b5cad" in html)
PYEOF
)
expect_eq "the From display name decodes exactly" \
    "$(sed -n 1p <<<"$got")" "$name"
expect_eq "the From address is the bare one" "$(sed -n 2p <<<"$got")" \
    mscagent@example.test
expect_eq "alternative { text, related { html, png } }" \
    "$(sed -n 3p <<<"$got")" \
    "multipart/alternative ['multipart/alternative', 'text/plain', 'multipart/related', 'text/html', 'image/png']"
expect_eq "the logo is an inline base64 part" "$(sed -n 4p <<<"$got")" \
    "inline base64"
expect_eq "the HTML shows the logo by cid:, not from the web" \
    "$(sed -n 5p <<<"$got")" "True False"
expect_eq "the logo arrives byte for byte" "$(sed -n 6p <<<"$got")" True
expect_eq "the company and the accent colour are in the HTML" \
    "$(sed -n 7p <<<"$got")" "True True"

# The pages: the logo at its fixed path, cached; the pages show it.
start_agent
http GET "$BASE/logo.png"
expect_eq "GET /logo.png" "$status" 200
expect_match "as image/png" "$headers" "Content-Type: image/png"
expect_match "a browser may keep it" "$headers" \
    "Cache-Control: public, max-age=86400"
expect_eq "one Cache-Control only" \
    "$(grep -ci '^cache-control:' <<<"$headers")" 1
check "the same bytes as the file" cmp -s "$T/body" "$T/logo.png"
http GET "$BASE/nothing-here"
expect_eq "a page" "$status" 404
expect_match "the page shows the logo" "$body" 'src="/logo.png"'
expect_match "and the company" "$body" "Müller &amp; Söhne IT"
expect_match "and the support contact" "$body" \
    'href="https://help.mueller.example/migrations"'
http GET "$BASE/verify?token=eyJhbGciOiJIUzI1NiJ9.cut"
expect_eq "a broken link" "$status" 403
expect_match "points to the support contact below" "$(tr -d '\n' <<<"$body")" \
    'write to the support contact below\..*href="https://help\.mueller\.example/migrations"'
http GET "$BASE/healthz"
expect_match "other answers stay no-store" "$headers" "Cache-Control: no-store"
stop_agent
expect_eq "the agent stops cleanly" "$rc" 0
