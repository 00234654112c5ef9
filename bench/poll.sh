#!/usr/bin/env bash
# bench/poll.sh: reading replies against Dovecot's own reader.
#
# COUNT tenants wait for approval; a reply "APPROVE" from each customer
# admin (quoting the request, as mail clients do) waits in the agent's
# IMAP mailbox in a real Dovecot.  One `mscagent poll` reads them all over
# IMAP, decides, commits, queues a verification mail and a receipt per
# reply, and moves them; `doveadm fetch text all` dumps the same mailbox
# in the same run.  Prints both times, the ratio, the replies per
# second, and where the poll's time went (MSCAGENT_PROFILE).  Afterwards
# Dovecot itself flags and moves the same messages, as the poll had it
# do: the mailbox's share, which no decision can make faster; and a bare
# IMAP client (bench/imap_floor.py) fetches, flags and moves a copy of
# them as a poll does, deciding nothing: the least a poll over IMAP
# can take.
#
#   bench/poll.sh [COUNT]      (as root: the mail stack needs it)
#
# BENCH_DB=pg runs it on a PostgreSQL of its own (tests/support/pg.sh):
# the tenants are made in SQLite as above and moved with `db copy`.
# BENCH_AGENTS=3 runs three polls on the mailbox at once, as three
# agents would without the mailbox's lock (each reply is still handled
# once: the poll output sums what each acted on).
set -eu
cd "$(dirname "$0")/.."
count=${1:-5000}
top=$PWD
[ -n "${KEEP_BUILD:-}" ] || make -s all >/dev/null
agent=$top/build/mscagent
work=$(mktemp -d /tmp/bench-poll.XXXXXX)
chmod 0755 "$work"
cleanup() {
	bash tests/support/mailstack.sh stop "$work/stack" >/dev/null 2>&1 || true
	[ ! -d "$work/pg" ] || bash tests/support/pg.sh stop "$work/pg"
	rm -rf "$work"
}
trap cleanup EXIT
bash tests/support/mailstack.sh start "$work/stack" >/dev/null
. "$work/stack/mailstack.env"

mkdir -p "$work/var"
printf 'secret\n' >"$work/imap.pw"
chmod 600 "$work/imap.pw"
sed -e "s|@VAR@|$work/var|g" -e "s|@TOP@|$top|g" \
    -e "s|^url = maildir:$work/var/mail/mscagent@example.test$|url = imap://127.0.0.1:$MAILSTACK_IMAP_PORT/INBOX|" \
    -e "/^\[inbound\]/,/^\[/s|^starttls = required|starttls = off|" \
    -e "/^\[inbound\]/,/^\[/s|^username =$|username = mscagent|" \
    -e "/^\[inbound\]/,/^\[/s|^password_file =$|password_file = $work/imap.pw|" \
    tests/data/agent-test.conf >"$work/agent.conf"
run() { "$agent" -c "$work/agent.conf" "$@"; }
run init >/dev/null
awk -v n="$count" 'BEGIN {
	print "name,customer_admin,msp_admin,workloads,edition"
	for (i = 1; i <= n; i++)
		printf "Bench Kunde %d GmbH,admin%d@example.test," \
		    "msp@example.test,m365,enterprise\n", i, i
}' >"$work/tenants.csv"
run tenant import "$work/tenants.csv" >/dev/null
run start --all >/dev/null

# One reply per approval request, written straight into the agent's
# Maildir as Dovecot's LMTP would (owned by the mail user).
box=$MAILSTACK_MAILDIR_ROOT/example.test/mscagent
mkdir -p "$box/new" "$box/cur" "$box/tmp"
python3 - "$work/var/agent.db" "$box/new" <<'PYEOF'
import email, email.policy, sqlite3, sys, uuid
db, out = sys.argv[1:]
rows = sqlite3.connect(db).execute(
    "SELECT o.recipient, m.message FROM outbox o JOIN outbox_messages m "
    "ON m.outbox_id = o.id WHERE o.kind = 'approval_request'")
for i, (rcpt, raw) in enumerate(rows):
    req = email.message_from_bytes(raw, policy=email.policy.default)
    quoted = "\n".join("> " + l for l in
                       req.get_body(("plain",)).get_content().splitlines())
    reply = ("From: %s\r\nTo: %s\r\nSubject: Re: %s\r\nMessage-ID: <%s@client>"
             "\r\nIn-Reply-To: %s\r\nReferences: %s\r\nMIME-Version: 1.0\r\n"
             "Content-Type: text/plain; charset=utf-8\r\n\r\nAPPROVE\r\n\r\n"
             "On Monday, MSC migration wrote:\r\n%s\r\n") % (
        rcpt, req["reply-to"], req["subject"], uuid.uuid4(),
        req["message-id"], req["message-id"], quoted.replace("\n", "\r\n"))
    open("%s/%d.%d.bench" % (out, 1700000000 + i, i), "w").write(reply)
PYEOF
chown -R mail:mail "$box"
# The same messages for a bare IMAP client to read (bench/imap_floor.py).
floorbox=$MAILSTACK_MAILDIR_ROOT/example.test/support
mkdir -p "$floorbox/new" "$floorbox/cur" "$floorbox/tmp"
cp "$box"/new/* "$floorbox/new/"
chown -R mail:mail "$floorbox"
agents=1
if [ "${BENCH_DB:-sqlite}" = pg ]; then
	. bench/pg.sh
	bench_pg_move "$work" "$agent"
	agents=${BENCH_AGENTS:-1}
fi

doveadm="doveadm -c $work/stack/dovecot.conf"
$doveadm mailbox status -u mscagent messages INBOX >/dev/null
now() { date +%s.%N; }
t0=$(now)
$doveadm fetch -u mscagent text all >/dev/null
t1=$(now)
pids=()
# GNU time's %M: each poll's peak resident memory, in KiB.
for ((k = 1; k <= agents; k++)); do
	MSCAGENT_PROFILE=1 /usr/bin/time -f %M -o "$work/rss.$k" \
	    ${POLL_PREFIX:-} "$agent" -c "$work/agent.conf" \
	    poll >"$work/poll.out.$k" 2>"$work/poll.err.$k" &
	pids+=($!)
done
wait "${pids[@]}"
t2=$(now)
# What the mailbox work alone costs, with no decision: the same messages
# flagged \Seen and moved by Dovecot itself, as each poll's batches are
# (SPEC: handled mail is flagged and moved to processed_folder).
$doveadm move -u mscagent INBOX mailbox Processed all
$doveadm flags remove -u mscagent '\Seen' mailbox INBOX all
t3=$(now)
$doveadm flags add -u mscagent '\Seen' mailbox INBOX all
$doveadm move -u mscagent Processed mailbox INBOX all
t4=$(now)
# A bare client doing the mailbox's part of the poll over IMAP, on the
# copy, opened and read by doveadm first as the agent's mailbox was.
$doveadm mailbox status -u support messages INBOX >/dev/null
$doveadm fetch -u support text all >/dev/null
floor=$(python3 bench/imap_floor.py "$MAILSTACK_IMAP_PORT" support secret)
for ((k = 1; k <= agents; k++)); do
	tail -1 "$work/poll.out.$k"
	grep '^poll: fetch' "$work/poll.err.$k" || cat "$work/poll.err.$k"
done
echo "database: ${BENCH_DB:-sqlite}, $agents poll(s) at once"
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v e="$t4" -v n="$count" \
    -v floor="$floor" \
    -v rss="$(sort -n "$work"/rss.* | tail -1)" 'BEGIN {
	dove = b - a; agent = c - b
	printf "peak resident memory:   %.1f MiB (target < 64 MiB)\n", rss / 1024
	printf "doveadm fetch text all: %.3f s\n", dove
	printf "doveadm flags + move:   %.3f s  (with the fetch, %.1fx: the mailbox'"'"'s own work)\n", e - d, (dove + e - d) / dove
	printf "IMAP client floor:      %.3f s  (%.1fx: fetched, flagged and moved over IMAP by a bare client, nothing decided)\n", floor, floor / dove
	printf "mscagent poll:          %.3f s  (%.0f replies/s)\n", agent, n / agent
	printf "ratio:                  %.1fx doveadm'"'"'s time\n", agent / dove
}'
