#!/usr/bin/env bash
# tests/support/pg.sh: a throwaway PostgreSQL server for the tests.
#
#   pg.sh start DIR    initdb in DIR/data and start it, listening on a
#                      socket in DIR only (no port: parallel runs never
#                      meet); prints the socket folder
#   pg.sh stop DIR     stops it (fast) and leaves DIR to the caller
#   pg.sh restart DIR  stops and starts it again, same data
#   pg.sh createdb DIR NAME   an empty database NAME
#   pg.sh query DIR NAME SQL  runs SQL in NAME, prints the rows bare
#
# The superuser is "mscagent", trusted on the socket.  initdb refuses
# to run as root, so as root the server runs as the postgres user.
set -eu
cmd=$1
dir=$2
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "pg.sh: PostgreSQL is not installed" >&2; exit 1; }

as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

start() {
	as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
	    -o "-c listen_addresses='' -k $dir -c fsync=off \
	    -c synchronous_commit=off -c full_page_writes=off \
	    -c max_connections=200" start >/dev/null
}

case $cmd in
start)
	mkdir -p "$dir"
	chmod 755 "$dir"
	if [ "$(id -u)" = 0 ]; then
		chown postgres "$dir"
		# The postgres user passes through the test's folder (to
		# traverse it, not to list it).
		chmod o+x "$(dirname "$dir")"
	fi
	as_owner "$bin/initdb" -D "$dir/data" -A trust -U mscagent \
	    --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
	start
	# The unit tests' database: a schema each (support_db.h), the
	# extension the store's schema needs made once in public.
	"$bin/psql" -q -h "$dir" -U mscagent -d postgres \
	    -c "CREATE DATABASE mscagent" >/dev/null
	"$bin/psql" -q -h "$dir" -U mscagent -d mscagent \
	    -c "CREATE EXTENSION citext" >/dev/null
	echo "$dir"
	;;
stop)
	as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 ||
	    true
	;;
restart)
	as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
	start
	;;
createdb)
	"$bin/psql" -q -h "$dir" -U mscagent -d postgres \
	    -c "CREATE DATABASE \"$3\"" >/dev/null
	;;
query)
	"$bin/psql" -qAt -h "$dir" -U mscagent -d "$3" -c "$4"
	;;
*)
	echo "usage: pg.sh start|stop|restart|createdb|query DIR [NAME [SQL]]" >&2
	exit 1
	;;
esac
