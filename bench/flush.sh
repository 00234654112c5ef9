#!/usr/bin/env bash
# bench/flush.sh: delivering the outbox against Postfix's own SMTP client.
#
# 1,000 queued approval requests are delivered by one `mscagent flush`
# over one SMTP connection into Postfix's smtp-sink; then Postfix's
# smtp-source sends 1,000 messages of the same size into the same sink
# over one reused connection (-s 1 -d).  Both in the same run, on this
# machine; prints both times and the ratio.  mscagent also commits each
# delivery's status to SQLite, which smtp-source does not have to do.
#
#   bench/flush.sh [COUNT]        (run as root: smtp-sink needs -u nobody)
#
# Single runs on a shared 2-core host spread by a third, smtp-source's
# too, so a run is BENCH_ROUNDS rounds (5 unless told), each the same
# mails queued again (the database as it was before the first) and sent
# by both in turn; the last line is the median round's ratio.
#
# BENCH_DB=pg runs it on a PostgreSQL of its own (tests/support/pg.sh):
# the mails are queued in SQLite as above, moved with `db copy`, and
# BENCH_AGENTS flushes (default 1) deliver them at once, each claiming
# its own batches; the time is until the last one ends.
set -eu
cd "$(dirname "$0")/.."
count=${1:-1000}
top=$PWD
make -s all >/dev/null
agent=$top/build/mscagent

if ! command -v smtp-sink >/dev/null; then
	# The tests' mail stack installs Postfix without starting it.
	d=$(mktemp -d /tmp/bench-stack.XXXXXX)
	chmod 0755 "$d"	# the mail users must reach it (mailstack.sh)
	bash tests/support/mailstack.sh start "$d/s" >/dev/null
	bash tests/support/mailstack.sh stop "$d/s" >/dev/null
	rm -rf "$d"
fi

work=$(mktemp -d /tmp/bench-flush.XXXXXX)
sink_pid=
cleanup() {
	[ -z "$sink_pid" ] || kill "$sink_pid" 2>/dev/null || true
	[ ! -d "$work/pg" ] || bash tests/support/pg.sh stop "$work/pg"
	rm -rf "$work"
}
trap cleanup EXIT

port=$((20000 + RANDOM % 10000))
smtp-sink -u nobody "127.0.0.1:$port" 1000 </dev/null >/dev/null 2>&1 &
sink_pid=$!
sleep 0.3

mkdir -p "$work/var"
sed -e "s|@VAR@|$work/var|g" -e "s|@TOP@|$top|g" \
    -e "s|^url = maildir:$work/var/mail$|url = smtp://127.0.0.1:$port|" \
    -e "s|^starttls = required|starttls = off|" \
    tests/data/agent-test.conf >"$work/agent.conf"
run() { "$agent" -c "$work/agent.conf" "$@"; }
run init >/dev/null
run plan add Bench --edition enterprise --products m365 >/dev/null
awk -v n="$count" 'BEGIN {
	print "name,customer_admin,msp_admin,workloads,edition"
	for (i = 1; i <= n; i++)
		printf "Bench Kunde %d GmbH,admin%d@example.test," \
		    "msp@example.test,m365,enterprise\n", i, i
}' >"$work/tenants.csv"
run tenant import "$work/tenants.csv" >/dev/null
run start --all >/dev/null
size=$(sqlite3 "$work/var/agent.db" \
    "SELECT CAST(AVG(LENGTH(message)) AS INTEGER) FROM outbox_messages" \
    2>/dev/null ||
    echo 9000)
agents=1
rounds=${BENCH_ROUNDS:-5}
if [ "${BENCH_DB:-sqlite}" = pg ]; then
	. bench/pg.sh
	bench_pg_move "$work" "$agent"
	agents=${BENCH_AGENTS:-1}
	rounds=1	# the mails are queued in PostgreSQL once
fi
cp "$work/var/agent.db" "$work/queued.db"

now() { date +%s.%N; }
# One round: the queue as it was, a flush (or several at once), then
# smtp-source; appends "flush source sent" to $work/rounds.
round() {
	local t0 t1 t2 t3 k pids=() sent
	if [ "$rounds" -gt 1 ]; then
		rm -f "$work/var/agent.db-wal" "$work/var/agent.db-shm"
		cp "$work/queued.db" "$work/var/agent.db"
		# On disk before the clock starts: else the flush's first
		# fdatasync of the database writes the whole copy.
		sync "$work/var/agent.db"
	fi
	t0=$(now)
	for ((k = 1; k <= agents; k++)); do
		${FLUSH_PREFIX:-} "$agent" -c "$work/agent.conf" flush \
		    >"$work/flush.out.$k" &
		pids+=($!)
	done
	wait "${pids[@]}"	# not smtp-sink
	t1=$(now)
	sent=$(cat "$work"/flush.out.* |
	    sed -n 's/^flush: \([0-9]*\) sent.*/\1/p' |
	    awk '{ n += $1 } END { print n }')
	t2=$(now)
	smtp-source -s 1 -d -m "$count" -l "$size" -f bench@example.test \
	    -t sink@example.test "127.0.0.1:$port"
	t3=$(now)
	echo "$t0 $t1 $t2 $t3 $sent" >>"$work/rounds"
}
for ((r = 1; r <= rounds; r++)); do
	round
done

db="${BENCH_DB:-sqlite}, $agents agent(s)"
awk -v n="$count" -v size="$size" -v db="$db" '{
	agent[NR] = $2 - $1; source[NR] = $4 - $3; ratio[NR] = agent[NR] / source[NR]
	sent = $5
	printf "round %d: mscagent flush %.3f s (%s sent), smtp-source -s 1 -d %.3f s: %.2fx\n", NR, agent[NR], sent, source[NR], ratio[NR]
} END {
	# the median round by ratio (the lower middle one of an even count)
	for (i = 1; i <= NR; i++) order[i] = i
	for (i = 2; i <= NR; i++)
		for (j = i; j > 1 && ratio[order[j]] < ratio[order[j - 1]]; j--) {
			t = order[j]; order[j] = order[j - 1]; order[j - 1] = t
		}
	m = order[int((NR + 1) / 2)]
	printf "messages:         %d of %d bytes on average (%s)\n", n, size, db
	printf "mscagent flush:   %.3f s  (%.0f msg/s), the median round\n", agent[m], n / agent[m]
	printf "smtp-source -s 1 -d: %.3f s  (%.0f msg/s), in that round\n", source[m], n / source[m]
	printf "ratio:            %.2fx smtp-source'"'"'s time (median of %d rounds, %.2f-%.2fx)\n", ratio[m], NR, ratio[order[1]], ratio[order[NR]]
}' "$work/rounds"
