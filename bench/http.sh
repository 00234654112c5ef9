#!/usr/bin/env bash
# bench/http.sh: the verification page against nginx serving it as a file.
#
# A release `mscagent run` answers GET /verify?token=T for a tenant
# awaiting verification: token check, database read, rendering.  nginx
# (2 workers) serves the same bytes, with the same headers, from a
# static file on the same machine in the same run.  wrk drives each with
# CONNS keep-alive connections for SECONDS seconds after a short warm-up;
# prints both req/s, both p99 latencies and the ratio, and the CPU time
# each server spent per request (less swayed by other load on the host).
#
#   bench/http.sh [SECONDS [CONNS]]       (10 s, 64 connections)
#
# Also /api/getDetails against the same JSON as a file, and the idle
# resident memory of the agent before the load.
# Targets: mscagent at least 1/2 of nginx's req/s, p99 under 10 ms.
set -eu
cd "$(dirname "$0")/.."
seconds=${1:-10}
conns=${2:-64}
[ -n "${KEEP_BUILD:-}" ] || make -s all >/dev/null
export MSCAGENT=$PWD/build/mscagent
. tests/support/lib.sh
set -e
bash bench/deps.sh wrk nginx

nginx_pid=
stop_nginx() {
	[ -z "$nginx_pid" ] || { kill -QUIT "$nginx_pid"; wait "$nginx_pid"; } \
	    2>/dev/null || true
	nginx_pid=
}
trap 'stop_nginx; _cleanup' EXIT

# One tenant awaiting verification, and its link.
make_config
# One address may hold half the connections: wrk's all come from one.
set_conf listener max_connections $((conns * 4))
set_conf agent log_level warn
agent init
agent plan add Std --edition enterprise --products m365,endpoints
agent plan add Full --edition enterprise --products hybrid,m365,gws,endpoints
agent tenant add --name 'Bench Kunde GmbH' --customer-admin it@cust.test \
    --msp-admin ops@msp.test --workloads m365,endpoints \
    --edition enterprise --license m365=2027-03-01
id=$out
agent start "$id" && agent approve "$id" && agent flush
link=$(mail_link "$(files_in "$T/var/mail/ops@msp.test" | tail -1)")
start_agent
path="/verify?token=${link#*token=}"
sleep 1
idle_rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$AGENT_PID/status")

# The same page for nginx, and the same security headers.
chmod 0755 "$T"
mkdir -m 0755 "$T/www" "$T/nginx"
curl -fs -D "$T/headers" -o "$T/www/verify.html" "$BASE$path"
api="/api/getDetails?token=${link#*token=}"
curl -fs -o "$T/www/details.json" "$BASE$api"
nport=$(free_port)
{
	cat <<EOF
worker_processes 2;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $T/nginx/body;
	proxy_temp_path $T/nginx/proxy;
	fastcgi_temp_path $T/nginx/fastcgi;
	uwsgi_temp_path $T/nginx/uwsgi;
	scgi_temp_path $T/nginx/scgi;
	keepalive_requests 1000000;
	server_tokens off;
	server {
		listen 127.0.0.1:$nport;
		location = /verify {
			types { }
			default_type "text/html; charset=utf-8";
			alias $T/www/verify.html;
EOF
	tr -d '\r' <"$T/headers" | awk -F': ' 'tolower($1) ~ /^(content-security-policy|referrer-policy|cache-control|x-content-type-options|x-frame-options)$/ {
		printf "\t\t\tadd_header %s \"%s\";\n", $1, $2 }' |
	    tee "$T/nginx/headers.conf"
	cat <<EOF
		}
		location = /api/getDetails {
			types { }
			default_type "application/json";
			alias $T/www/details.json;
EOF
	cat "$T/nginx/headers.conf"
	cat <<EOF
		}
	}
}
EOF
} >"$T/nginx/nginx.conf"
nginx -p "$T/nginx" -c "$T/nginx/nginx.conf" -e "$T/nginx/error.log" \
    -g 'daemon off;' &
nginx_pid=$!
for _ in $(seq 50); do
	curl -fs -o /dev/null "http://127.0.0.1:$nport$path" && break
	sleep 0.1
done
if ! cmp -s "$T/www/verify.html" <(curl -fs "http://127.0.0.1:$nport$path")
then
	echo "bench: nginx does not serve the page" >&2
	cat "$T/nginx/error.log" >&2
	exit 1
fi

# CPU time (clock ticks, user and system) of the processes so far.
cpu_ticks() {		# pid...
	local p t=0
	for p in "$@"; do
		t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat")))
	done
	echo "$t"
}

# Requests/s, p99 (ms) and CPU microseconds per request of one wrk run;
# fails on errors or non-200s.
measure() {		# name url pid...
	local f=$T/wrk.$1 url=$2 c0 c1
	shift 2
	wrk -t2 -c"$conns" -d2s "$url" >/dev/null
	c0=$(cpu_ticks "$@")
	wrk -t2 -c"$conns" -d"${seconds}s" --latency "$url" >"$f"
	c1=$(cpu_ticks "$@")
	if grep -Eq 'Non-2xx|Socket errors' "$f"; then
		echo "bench: $f had errors:" >&2
		cat "$f" >&2
		exit 1
	fi
	awk -v ticks=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" '
	    / requests in / { n = $1 }
	    /^Requests\/sec:/ { rps = $2 }
	    $1 == "99%" {
		v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
		p99 = u == "us" ? v / 1000 : u == "s" ? v * 1000 : v
	    }
	    END { printf "%.0f %.2f %.0f\n", rps, p99, ticks / hz * 1e6 / n }' "$f"
}

# One endpoint against nginx: prints its lines, then its ratio and p99
# as the last line, for the summary.
compare() {		# label path
	local a_rps a_p99 a_cpu n_rps n_p99 n_cpu
	read -r a_rps a_p99 a_cpu <<<"$(measure mscagent "$BASE$2" "$AGENT_PID")"
	read -r n_rps n_p99 n_cpu <<<"$(measure nginx \
	    "http://127.0.0.1:$nport$2" "$nginx_pid" \
	    $(ps -o pid= --ppid "$nginx_pid"))"
	awk -v l="$1" -v ar="$a_rps" -v ap="$a_p99" -v ac="$a_cpu" \
	    -v nr="$n_rps" -v np="$n_p99" -v nc="$n_cpu" 'BEGIN {
		printf "%s\n", l
		printf "  mscagent run:  %8.0f req/s   p99 %6.2f ms   CPU %4d us/req\n", ar, ap, ac
		printf "  nginx (file):  %8.0f req/s   p99 %6.2f ms   CPU %4d us/req\n", nr, np, nc
		printf "%.2f %.2f\n", ar / nr, ap
	}'
}

printf 'idle resident memory of mscagent run: %.1f MiB (target < 16 MiB)\n' \
    "$(awk -v k="$idle_rss" 'BEGIN { print k / 1024 }')"
printf '%d connections, %d s, wrk -t2, load average %s\n' "$conns" \
    "$seconds" "$(cut -d' ' -f1 /proc/loadavg)"
compare "GET /verify?token=… ($(wc -c <"$T/www/verify.html") bytes)" \
    "$path" >"$T/verify.out"
head -n -1 "$T/verify.out"
compare "GET /api/getDetails?token=… ($(wc -c <"$T/www/details.json") bytes)" \
    "$api" >"$T/api.out"
head -n -1 "$T/api.out"
read -r v_ratio v_p99 <<<"$(tail -1 "$T/verify.out")"
read -r a_ratio a_p99 <<<"$(tail -1 "$T/api.out")"
echo "ratio: $v_ratio (page), $a_ratio (API) of nginx's req/s" \
    "(target >= 0.5); p99 $v_p99 ms, $a_p99 ms (target < 10 ms)"
stop_agent
