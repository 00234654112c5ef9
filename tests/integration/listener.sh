#!/usr/bin/env bash
# The listener of a running `mscagent run`, over real HTTP (curl, which
# is libcurl): every route and answer code of SPEC §5, the security
# headers on every answer, GET/HEAD changing nothing, concurrent POSTs
# making one transition, the body limit, hostile names shown as text,
# expired and superseded links, every size limit at the limit and one
# past it, connection limits and a clean SIGTERM.
. "$(dirname "$0")/../support/lib.sh"
make_config
set_conf listener max_connections 16
# A copy of the templates, to change one under the running agent.
cp -R "$TOP/mailtemplates" "$T/templates"
set_conf agent templates "$T/templates"
agent init

# Every answer carries the headers of SPEC §5.
expect_headers() {	# what
	local h missing=
	for h in "Content-Security-Policy: default-src 'none'" \
	    "Referrer-Policy: no-referrer" "Cache-Control: no-store" \
	    "X-Content-Type-Options: nosniff" "X-Frame-Options: DENY"; do
		printf '%s\n' "$headers" | grep -qiF "$h" || missing="$missing [$h]"
	done
	if [ -z "$missing" ]; then ok "$1: security headers"
	else not_ok "$1: security headers" "missing:$missing" "$headers"; fi
}

expect_status() {	# what wanted
	expect_eq "$1: $2" "$status" "$2"
	expect_headers "$1"
}

agent plan add Std --edition enterprise --products m365,endpoints
std=$out
agent plan add Small --edition business --products m365
small=$out
agent plan add Full --edition enterprise --products hybrid,m365,gws,endpoints
full=$out
agent tenant add --name '<img src=x onerror=alert(1)> & Söhne' \
    --customer-admin it@cust.test --msp-admin ops@msp.test \
    --workloads m365,endpoints --edition enterprise --license m365=2027-03-01
id=$out
agent start "$id"
agent approve "$id"
agent flush
link=$(mail_link "$(files_in "$T/var/mail/ops@msp.test" | tail -1)")
token=${link#*token=}
start_agent
link=$BASE/verify?token=$token

# ---- start-up: "listening" is said once it is true, paths plainly ----
expect_eq "the banner names the port it listens on, after the bind" \
    "$(grep -m1 '^mscagent [0-9.]*: ' "$T/run.log")" \
    "mscagent $("$MSCAGENT" --version | cut -d' ' -f2): verification pages at $BASE/verify (listening on 127.0.0.1:$PORT)"
agent run
expect_eq "a second agent on the same port: exit 2, no banner" "$rc:$out" "2:"
expect_eq "and one line saying why and what to do" "$err" \
    "mscagent: cannot listen on 127.0.0.1:$PORT for [listener]: the port is taken (another mscagent running? else set another [listener] port)"
mkdir -p "$T/sub"
sed -e "s|^database = .*|database = ../var/none.db|" "$T/agent.conf" \
    >"$T/sub/agent.conf"
out=$("$MSCAGENT" -c "$T/sub/agent.conf" tenant list 2>&1)
expect_eq "a path in an error is written plainly" "$out" \
    "mscagent: no database at $(cd "$T" && pwd -P)/var/none.db (run 'mscagent init' first)"

# ---- reading never changes anything ----
http GET "$link"
expect_status "GET /verify with the link" 200
expect_match "UTF-8 HTML" "$headers" "Content-Type: text/html; charset=utf-8"
expect_match "the name is shown as text" "$body" \
    "&lt;img src=x onerror=alert\(1\)&gt; &amp; Söhne"
expect_no_match "no <img> element" "$body" "<img"
expect_no_match "no script at all" "$body" "<script"
expect_match "the licence expiry is listed" "$body" "2027-03-01"
expect_match "eligible plans are radio buttons" "$body" \
    "type=\"radio\" name=\"plan\" required value=\"$std\""
expect_match "a plan's products by their names, as the licences" "$body" \
    '\(<span>Hybrid workloads, Microsoft 365, Google Workspace, Endpoints</span>\)'
expect_match "a plan covering more products is eligible" "$body" \
    "value=\"$full\""
expect_no_match "a plan of another edition is not" "$body" "value=\"$small\""
expect_no_match "none is preselected" "$body" "checked"
expect_match "the form posts to verify" "$body" 'method="post" action="verify"'
http HEAD "$link" -I
expect_status "HEAD /verify" 200
for _ in 1 2 3 4 5; do curl -s -o /dev/null "$link"; done
expect_eq "GET and HEAD leave the tenant waiting" "$(state_of "$id")" \
    awaiting_verification

http GET "$BASE/api/getDetails?token=$token"
expect_status "GET /api/getDetails" 200
expect_match "JSON" "$headers" "Content-Type: application/json"
expect_eq "details: tenant, state, plans" \
    "$(json_get "$body" '[d["tenant"]["id"], d["tenant"]["state"], d["tenant"]["restricted"], [p["name"] for p in d["eligible_plans"]]]')" \
    "[$id, 'awaiting_verification', True, ['Std', 'Full']]"
expect_eq "details name the licences" \
    "$(json_get "$body" 'd["tenant"]["licenses"]["m365"]["expires"]')" 2027-03-01

# ---- a page opened again is kept, until anything changes ----
for _ in 1 2 3 4; do curl -s -o /dev/null "$link"; done
curl -s -o /dev/null "$BASE/api/getDetails?token=$token"
agent plan add Later --edition enterprise --products m365,endpoints
later=$out
http GET "$link"
expect_match "a plan added by another process shows at once" "$body" \
    "value=\"$later\""
http GET "$BASE/api/getDetails?token=$token"
expect_eq "in the details too" \
    "$(json_get "$body" '[p["name"] for p in d["eligible_plans"]]')" \
    "['Std', 'Full', 'Later']"

# ---- refused links ----
http GET "$BASE/verify"
expect_status "no token" 403
http GET "$BASE/verify?token=${token%?}x"
expect_status "a changed signature" 403
expect_no_match "403 says nothing about why" "$body" "signature|jti|expired"
http GET "$BASE/verify?token=$token&token=$token"
expect_status "the token twice" 403
http GET "$BASE/verify?token=$token%00"
expect_status "a token cut by NUL" 403
http GET "$BASE/verify?token=$(head -c 9000 /dev/zero | tr '\0' a)"
expect_status "a token over 8 KiB" 403
http GET "$BASE/api/getDetails?token=nope"
expect_status "getDetails with a bad token" 403
expect_eq "as JSON" "$body" '{"error":"forbidden"}'

# ---- a broken link: what to do on the page, why in the log, no token ----

# A token signed with the agent's key (so only the claim changed is
# wrong), or a header naming another key: forged the way a test can.
forge() {		# token what (jti|kid)
	"$PY" -S - "$1" "$2" "$T/var/token.key" <<'PYEOF'
import base64, hashlib, hmac, json, sys
tok, what, keyfile = sys.argv[1:]
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
unb = lambda s: base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
h, p, _ = tok.split(".")
head, claims = json.loads(unb(h)), json.loads(unb(p))
if what == "jti":
    claims["jti"] = "0123456789abcdef0123456789abcdef"
else:
    head["kid"] = "retired"
h = b64(json.dumps(head, separators=(",", ":")).encode())
p = b64(json.dumps(claims, separators=(",", ":")).encode())
sig = hmac.new(open(keyfile, "rb").read(), (h + "." + p).encode(),
               hashlib.sha256).digest()
print(h + "." + p + "." + b64(sig))
PYEOF
}

http GET "$BASE/verify?token=${token:0:60}"
expect_status "a link cut by a mail program" 403
expect_eq "the page says what to do" \
    "$(grep -o '<h1>[^<]*</h1>' <<<"$body"):$(grep -c 'Open the complete link from the newest mail about this migration' <<<"$body")" \
    "<h1>This link does not work</h1>:1"
expect_match "and who to ask" "$body" \
    "contact your managed-service provider"
http GET "$BASE/verify?token=${token%?}x"
http GET "$BASE/verify?token=$(forge "$token" kid)"
expect_status "a link signed with a retired key" 403
http GET "$BASE/verify?token=$(forge "$token" jti)"
expect_status "a link whose jti the agent never issued" 403
for why in "token: not three base64url parts" \
    "token: signature does not verify" "token: unknown kid" "unknown jti"; do
	expect_match "the log says why: $why" "$(cat "$T/run.log")" \
	    " info web link refused: $why\$"
done
expect_eq "and the log never holds a token or a part of one" \
    "$(grep -cF -e "${token:0:60}" -e "${token##*.}" "$T/run.log")" "0"

# ---- bad requests ----
http POST "$BASE/verify" --data-binary @<(head -c 17000 /dev/zero | tr '\0' a)
expect_status "a body over 16 KiB" 413
http POST "$BASE/verify" -H 'Content-Type: application/json' -d '{"token":1}'
expect_status "a JSON body" 415
http PUT "$BASE/verify"
expect_status "PUT /verify" 405
expect_match "405 says what is allowed" "$headers" "Allow: GET, HEAD, POST"
http POST "$BASE/healthz"
expect_status "POST /healthz" 405
http GET "$BASE/nothing/here"
expect_status "an unknown path" 404
http GET "$BASE/verify/../healthz" --path-as-is
expect_status "dot segments are not resolved" 404

# ---- size limits, each at the limit and one byte past it ----
# The status line of a request written byte for byte: "uri N" asks for
# a target of N bytes, "header N" sends N bytes of header fields (each
# "Name: value" CRLF).
raw_status() {		# uri|header bytes
	"$PY" -S - "$PORT" "$1" "$2" <<'PYEOF'
import socket, sys
port, what, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
if what == "uri":
    target, fields = b"/healthz?" + b"a" * (n - 9), b"Host: x\r\n"
else:
    target = b"/healthz"
    fields = b"Host: x\r\nX-Big: " + b"a" * (n - 18) + b"\r\n"
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"GET " + target + b" HTTP/1.1\r\n" + fields + b"\r\n")
s.settimeout(10)
data = b""
while b"\r\n" not in data:
    d = s.recv(4096)
    if not d:
        break
    data += d
print(data.split(b"\r\n")[0].decode().split(" ")[1] if data else "closed")
PYEOF
}
expect_eq "a request target of 10240 bytes is read" "$(raw_status uri 10240)" 200
expect_eq "10241 bytes: 414" "$(raw_status uri 10241)" 414
expect_eq "far longer: still 414" "$(raw_status uri 100000)" 414
expect_eq "header fields of 32768 bytes are read" \
    "$(raw_status header 32768)" 200
expect_eq "32769 bytes: 431" "$(raw_status header 32769)" 431
expect_eq "far more: still 431" "$(raw_status header 100000)" 431
http GET "$BASE/verify" -H "X-Big: $(head -c 40000 /dev/zero | tr '\0' a)"
expect_status "the 431 from curl" 431

# ---- confirming ----
http POST "$BASE/verify" -d "token=$token"
expect_status "POST without a plan" 422
expect_match "the page again, with a message" "$body" \
    'role="alert".*Pick one of the service plans'
http POST "$BASE/verify" -d "token=$token&plan=$small"
expect_status "POST with a plan of another edition" 422
expect_match "says the plan cannot be chosen" "$body" "cannot be chosen"
http POST "$BASE/verify" -d "token=$token&plan=Std"
expect_status "a plan by name, not id" 422
http POST "$BASE/verify" -d "token=$token&plan=$std&plan=$full"
expect_status "two plans" 403
# A field of 8192 bytes is read (a plan by name: 422); one more makes
# the request malformed (403).
http POST "$BASE/verify" -d "token=$token&plan=$(head -c 8192 /dev/zero | tr '\0' a)"
expect_status "a form field of 8192 bytes" 422
http POST "$BASE/verify" -d "token=$token&plan=$(head -c 8193 /dev/zero | tr '\0' a)"
expect_status "a form field of 8193 bytes" 403
# A body of 16384 bytes is read; one more is refused unread.
pad() {			# body bytes: "token=...&plan=Std&pad=aaa..."
	local head="token=$token&plan=Std&pad="
	printf '%s' "$head"
	head -c $(($1 - ${#head})) /dev/zero | tr '\0' a
}
http POST "$BASE/verify" --data-binary @<(pad 16384)
expect_status "a body of 16384 bytes" 422
http POST "$BASE/verify" --data-binary @<(pad 16385)
expect_status "a body of 16385 bytes" 413
expect_eq "refused POSTs change nothing" "$(state_of "$id")" \
    awaiting_verification

# Eight POSTs at once: one transition, one set of mails.
for i in 1 2 3 4 5 6 7 8; do
	curl -s -o /dev/null -w '%{http_code} %{redirect_url}\n' \
	    -d "token=$token&plan=$std" "$BASE/verify" >"$T/post.$i" &
done
wait_posts() { local p; for p in $(jobs -p); do [ "$p" = "$AGENT_PID" ] || wait "$p"; done; }
wait_posts
expect_eq "every concurrent POST got 303 to the page" \
    "$(cat "$T"/post.* | sort -u)" "303 $link"
expect_eq "the tenant completed" "$(state_of "$id")" completed
agent tenant show "$id" --json
expect_eq "one transition in the history" \
    "$(json_get "$out" 'sum(1 for h in d["history"] if h["from"] == "awaiting_verification")')" 1
expect_eq "one completion mail" \
    "$(json_get "$out" 'sum(1 for m in d["mails"] if m["kind"] == "completed")')" 1
expect_eq "the history names the web" \
    "$(json_get "$out" '[h["actor"] for h in d["history"]][-1]')" web
for _ in $(seq 50); do
	[ -n "$(files_in "$T/var/mail/ops@msp.test" | sed -n 2p)" ] && break
	sleep 0.1
done
expect_eq "the running agent delivered the completion at once" \
    "$(files_in "$T/var/mail/ops@msp.test" | grep -c .)" 2
http GET "$link"
expect_status "GET after confirming: the status page" 200
expect_match "status: completed" "$body" "Status: <strong>Completed</strong>"
expect_match "with the plan" "$body" ">Std<"
expect_match "and the timeline" "$body" "Completed</span> <span>\(on this page\)"
expect_eq "whose steps name who did what, registration first" \
    "$(tr -d '\n' <<<"$body" | grep -o '<li><span class="date">.*</ol>' |
    sed 's/<\/li>/|/g; s/<[^>]*>//g; s/[^|]*UTC: //g')" \
    "Registered (by support)|Customer admin asked to approve (by support)|Approved by the customer admin (by support)|Completed (on this page)|"
http POST "$BASE/verify" -d "token=$token&plan=$std"
expect_status "a later POST" 303

# ---- expiry and retrigger ----
expired_link
http GET "$old"
expect_status "the expired link" 410
expect_match "says when and whom to ask" "$body" \
    "expired on <strong[^>]*>[0-9-]+ [0-9:]+ UTC</strong>.*contact support"
http POST "$BASE/verify" -d "token=${old#*token=}&plan=$std"
expect_status "POST with the expired link" 410
http GET "$BASE/api/getDetails?token=${old#*token=}"
expect_eq "getDetails: 410 expired" "$status $body" '410 {"error":"expired"}'
agent retrigger "$id2"
http GET "$old"
expect_status "the old link after a retrigger" 410
expect_match "says a new approval was started" "$body" \
    "newer approval was started"
agent approve "$id2"
agent flush
new=$(mail_link "$(files_in "$T/var/mail/ops@later.test" | tail -1)")
new=$BASE/verify?token=${new#*token=}
expect_no_match "the new approval sent a new link" "$new" "${old#*token=}"
http GET "$old"
expect_status "the old link after the new one" 410
expect_match "says a newer link went to the MSP admin" "$body" \
    "newer link was sent on <strong[^>]*>[0-9-]+ [0-9:]+ UTC</strong> to <strong>ops@later.test</strong>"
http GET "$new"
expect_status "the new link" 200
expect_match "shows the form" "$body" 'name="plan"'

# ---- metrics and health ----
http GET "$BASE/metrics"
expect_status "GET /metrics" 200
expect_match "Prometheus text" "$headers" "Content-Type: text/plain; version=0.0.4"
expect_match "HELP" "$body" "^# HELP mscagent_tenants "
expect_match "TYPE" "$body" "^# TYPE mscagent_tenants gauge$"
expect_match "tenants by state" "$body" 'mscagent_tenants\{state="completed"\} 1'
expect_match "mails by status" "$body" 'mscagent_mails\{status="sent"\} [0-9]+'
expect_match "requests by status" "$body" \
    'mscagent_http_requests_total\{code="403"\} [0-9]+'
bad=$(printf '%s\n' "$body" | grep -v '^#' | grep -Ev '^[a-z_]+\{[a-z_]+="[^"]*"\} [0-9]+$')
expect_eq "every sample is name{label=\"value\"} number" "$bad" ""
http GET "$BASE/healthz"
expect_status "GET /healthz" 200
expect_eq "says ok" "$body" '{"status":"ok"}'

# ---- floods and slow clients ----
# 16 connections in all, 8 from one address: of 9 idle ones, one is
# closed at once.  Which one is not fixed: the listener's two threads
# accept side by side, so the 8th and the 9th can be taken in either
# order.  Every socket is watched for 3 s, to see that only one goes.
"$PY" -S - "$PORT" >"$T/flood" <<'PYEOF'
import select, socket, sys, time
port = int(sys.argv[1])
socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(9)]
closed = set()
end = time.monotonic() + 3
while time.monotonic() < end:
    left = [s for s in socks if s not in closed]
    ready, _, _ = select.select(left, [], [], max(0, end - time.monotonic()))
    for s in ready:
        try:
            gone = s.recv(1) == b""
        except ConnectionResetError:
            gone = True
        if gone:
            closed.add(s)
print("%d closed" % len(closed))
PYEOF
expect_eq "one address gets half the connections" "$(cat "$T/flood")" \
    "1 closed"
http GET "$BASE/healthz"
expect_eq "and the agent answers once they are gone" "$status" 200
"$PY" -S - "$PORT" >"$T/slow" <<'PYEOF'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
s.settimeout(30)
t = time.monotonic()
data = s.recv(1)
print("closed after %d s" % round(time.monotonic() - t) if data == b"" else "answered")
PYEOF
expect_match "a client that stops sending is cut off" "$(cat "$T/slow")" \
    "closed after ([5-9]|1[0-9]|2[0-5]) s"

# ---- signals ----
http GET "$link"
expect_no_match "the status page, before its template changes" "$body" \
    "Changed today"
sed -i 's|<h2>Timeline</h2>|<h2>Changed today</h2>|' \
    "$T/templates/page_status.html"
kill -HUP "$AGENT_PID"
for _ in $(seq 100); do
	grep -q "reloaded templates" "$T/run.log" && break
	sleep 0.1
done
http GET "$BASE/healthz"
expect_eq "SIGHUP: still serving" "$status" 200
expect_match "SIGHUP reloads the templates" "$(cat "$T/run.log")" \
    "reloaded templates"
http GET "$link"
expect_match "and a page kept from before is made again" "$body" \
    "Changed today"
stop_agent
expect_eq "SIGTERM: exit 0" "$rc" 0
check "SIGTERM: gone within 5 s ($stop_ms ms)" test "$stop_ms" -lt 5000
expect_match "log lines are time level component message" \
    "$(grep ' agent ' "$T/run.log" | head -1)" \
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z info agent "

# ---- behind a trusted proxy ----
# Every client of the TLS proxy the README recommends comes from
# 127.0.0.1.  With it trusted, the share of one client (half of
# max_connections) is counted per client X-Forwarded-For names, so the
# proxy's own connections are not capped at one client's share; a peer
# that is not trusted is still capped, and its X-Forwarded-For ignored.
set_conf listener max_connections 400
set_conf listener trusted_proxies "127.0.0.1, ::1"
start_agent
"$PY" -S - "$PORT" >"$T/proxied" <<'PYEOF'
import socket, sys, time
port = int(sys.argv[1])

def connect(src):
    s = socket.socket()
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    return s

def status(src, xff=None):
    s = connect(src)
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
    if xff is not None:
        head += b"X-Forwarded-For: " + xff.encode() + b"\r\n"
    s.sendall(head + b"\r\n")
    s.settimeout(10)
    data = b""
    while True:
        d = s.recv(4096)
        if not d:
            break
        data += d
    s.close()
    return data.split(b" ", 2)[1].decode() if data else "closed"

def closed(socks, secs):
    n = 0
    time.sleep(secs)
    for s in socks:
        s.setblocking(False)
        try:
            n += s.recv(1) == b""
        except BlockingIOError:
            pass
        except ConnectionResetError:
            n += 1
    return n

# 250 idle connections from the proxy: more than a client's 200.
socks = [connect("127.0.0.1") for _ in range(250)]
print("idle from the proxy: %d closed" % closed(socks, 1))
print("healthz through them: %s" % status("127.0.0.1"))
for s in socks:
    s.close()

# A client's 200 requests in flight (a form whose body is still to
# come), through the proxy, each hop appended as proxies do.
held = []
for _ in range(200):
    s = connect("127.0.0.1")
    s.sendall(b"POST /verify HTTP/1.1\r\nHost: x\r\n"
              b"X-Forwarded-For: 203.0.113.7\r\n"
              b"Content-Type: application/x-www-form-urlencoded\r\n"
              b"Content-Length: 100\r\n\r\n")
    held.append(s)
time.sleep(0.5)
print("its 201st: %s" % status("127.0.0.1", "198.51.100.1, 203.0.113.7"))
print("another client: %s" % status("127.0.0.1", "203.0.113.8"))
print("spoofed by a peer not trusted: %s" % status("127.0.0.2",
                                                   "203.0.113.7"))
for s in held:
    s.close()
time.sleep(0.5)
print("once they are gone: %s" % status("127.0.0.1", "203.0.113.7"))

# A peer that is not a proxy keeps its share of connections: two
# threads accept side by side, so one may get in past it.
socks = [connect("127.0.0.2") for _ in range(210)]
n = closed(socks, 2)
print("idle from another peer: %s closed" % ("9 or 10" if n in (9, 10)
                                             else n))
for s in socks:
    s.close()
PYEOF
proxied=$(cat "$T/proxied")
expect_match "many idle connections from the proxy are all kept" "$proxied" \
    "idle from the proxy: 0 closed"
expect_match "and /healthz answers beside them" "$proxied" \
    "healthz through them: 200"
expect_match "a client named by the proxy gets its share" "$proxied" \
    "its 201st: 503"
expect_match "another client behind the same proxy is served" "$proxied" \
    "another client: 200"
expect_match "X-Forwarded-For from a peer not trusted is ignored" "$proxied" \
    "spoofed by a peer not trusted: 200"
expect_match "the client is served again once its requests end" "$proxied" \
    "once they are gone: 200"
expect_match "a peer not trusted is held to its share" "$proxied" \
    "idle from another peer: 9 or 10 closed"
log=$(cat "$T/run.log")
expect_match "the log names the client behind the proxy" "$log" \
    "warn listener too many connections from 203\.0\.113\.7$"
expect_match "and the peer that is not a proxy" "$log" \
    "warn listener too many connections from 127\.0\.0\.2$"
expect_no_match "never the proxy" "$log" "too many connections from 127\.0\.0\.1"
expect_no_match "nor an address left of the client" "$log" "198\.51\.100\.1"
stop_agent
expect_eq "behind a proxy: SIGTERM, exit 0" "$rc" 0

# ---- the open-file limit ----
# 400 connections and the agent's other files do not fit in 200 open
# files, a hard limit the agent cannot raise: it serves fewer (136 of
# 200; under valgrind, which keeps a few files for itself, a few less),
# and says so once at start.
: >"$T/run.log"
PORT=$(free_port)
set_conf listener port "$PORT"
(ulimit -n 200 && exec "$MSCAGENT" -c "$T/agent.conf" run) >>"$T/run.log" 2>&1 &
AGENT_PID=$!
wait_until 100 0.1 curl -fs "http://127.0.0.1:$PORT/healthz" -o /dev/null
expect_match "a limit of 200 open files lowers max_connections" \
    "$(cat "$T/run.log")" \
    "warn listener max_connections 400 lowered to 1[0-9]{2}: the open-file limit is [0-9]+ "
stop_agent
expect_eq "with fewer connections: SIGTERM, exit 0" "$rc" 0
