# bench/pg.sh: sourced by flush.sh and poll.sh when BENCH_DB=pg.
#
# bench_pg_move WORK AGENT: starts a PostgreSQL of its own in WORK/pg
# (tests/support/pg.sh: socket only, fsync off like the tests'; a
# production server syncs each commit), copies WORK/var/agent.db into it
# with `db copy`, and points WORK/agent.conf at it.
bench_pg_move() {
	local work=$1 agent=$2 uri
	bash tests/support/pg.sh start "$work/pg" >/dev/null
	bash tests/support/pg.sh createdb "$work/pg" bench
	uri="postgresql:///bench?host=$work/pg&user=mscagent"
	"$agent" -c "$work/agent.conf" db copy --to "$uri" >/dev/null
	sed -i "s|^database = .*|database = ${uri//&/\\&}|" "$work/agent.conf"
}
