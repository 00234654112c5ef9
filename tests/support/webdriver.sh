# tests/support/webdriver.sh: headless Chromium under chromedriver for
# the browser scripts, sourced after lib.sh.  Skips the script (one TAP
# line, exit 0) when Chromium or chromedriver is missing; start_browser
# starts both, and they stop on exit.  Screenshots go to $ART.

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null
then
	ok "# SKIP chromium and chromedriver are not installed"
	exit 0
fi

ART=$TOP/build/test-artifacts
mkdir -p "$ART"
WD_PID=
WD_SESSION=

# Ends the session (Chromium exits), then chromedriver; chromedriver
# runs in a process group of its own, so whatever is left of the
# browser goes with it.
stop_browser() {
	[ -n "$WD_PID" ] || return 0
	[ -z "$WD_SESSION" ] || timeout 30 "$PY" -S "$TOP/tests/support/browser.py" \
	    quit >/dev/null 2>&1
	WD_SESSION=
	kill -TERM "$WD_PID" 2>/dev/null
	for _ in $(seq 50); do
		running "$WD_PID" || break
		sleep 0.1
	done
	kill -KILL -- "-$WD_PID" 2>/dev/null
	wait "$WD_PID" 2>/dev/null
	WD_PID=
}

# Whether the process runs (a zombie has ended).
running() {		# pid
	local s
	s=$(ps -o stat= -p "$1") && [ "${s#Z}" == "$s" ]
}
trap 'stop_browser; _cleanup' EXIT

# chromedriver on a free port, and a session with a fresh profile.
start_browser() {
	local port
	port=$(free_port)
	export WEBDRIVER=http://127.0.0.1:$port
	setsid chromedriver --port="$port" --log-path="$T/chromedriver.log" \
	    >/dev/null 2>&1 &
	WD_PID=$!
	for _ in $(seq 100); do
		curl -fs "$WEBDRIVER/status" 2>/dev/null | grep -q '"ready":true' &&
		    break
		sleep 0.1
	done
	mkdir -p "$T/profile"
	if ! WD_SESSION=$(br new "$T/profile" 2>"$T/br.err"); then
		not_ok "Chromium starts" "$(cat "$T/br.err")" \
		    "$(tail -5 "$T/chromedriver.log")"
		exit 1
	fi
	export WD_SESSION
}

# One WebDriver command (tests/support/browser.py): its answer on stdout.
br() {
	"$PY" -S "$TOP/tests/support/browser.py" "$@"
}

# The HTTP status of the page on screen, as the browser received it.
page_status() {
	br js "return performance.getEntriesByType('navigation')[0].responseStatus"
}

# The console since the last call, without what the test expects there.
# Chromium asks for /favicon.ico on its own and logs the 404 it gets.
console() {		# [extended-regex of expected lines]
	br log | grep -Ev -- "/favicon\.ico - Failed to load resource: .*404" |
	    grep -Ev -- "${1:-^$}"
}

# Waits until the page on screen has the URL.
wait_url() {		# url
	local u
	for _ in $(seq 50); do
		u=$(br url) && [ "$u" == "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
