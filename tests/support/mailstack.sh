#!/usr/bin/env bash
# tests/support/mailstack.sh: a real mail stack on loopback for the tests.
#
#   mailstack.sh start DIR     start Postfix + Dovecot, state in DIR
#   mailstack.sh stop DIR      stop exactly DIR's stack (by pid)
#   mailstack.sh status DIR    say what runs; exit 0 when both do
#   mailstack.sh selftest DIR  send mail and read it back; ends with
#                              "selftest: N passed, N failed"
#   mailstack.sh pids DIR      "pid starttime" of each of its processes
#   mailstack.sh kick DIR USER end USER's IMAP sessions from the server
#                              side, as Exchange does when a token expires
#
# Postfix (smtpd on 127.0.0.1) accepts mail for any sane local part at the
# test domains and hands it over LMTP to Dovecot, which keeps it as Maildir
# in DIR/mail/<domain>/<user>/ and serves it over IMAP.  Mail for other
# domains is refused (554), and there is no transport that could send mail
# off the machine.  After start, DIR/mailstack.env holds the ports and
# paths as "export VAR=value" lines for the tests to source (with OAuth2,
# MAILSTACK_OAUTH2=1 and the key file and issuer too).  Logs are in
# DIR/log/.  Runs as root; DIR must be reachable by the users mail, postfix
# and dovenull (so not under /root).  Maildirs survive a stop and start.
#
# Environment:
#   MAILSTACK_SMTP_PORT, MAILSTACK_IMAP_PORT   default: free ports, picked
#   MAILSTACK_SMTPS_PORT, MAILSTACK_IMAPS_PORT (TLS only) the same
#   MAILSTACK_TLS=1        a test CA and a certificate for localhost and
#                          127.0.0.1 in DIR/tls/; STARTTLS on smtp and imap,
#                          and smtps and imaps listeners
#   MAILSTACK_DOMAINS      space-separated, default "example.test"; the
#                          first is the login realm and MAILSTACK_DOMAIN
#   MAILSTACK_USERS        "name", "name:pw" or "name@domain:pw" entries,
#                          default "mscagent admin1 msp1 support"
#   MAILSTACK_PASSWORD     for entries without one, default "secret"
#   MAILSTACK_NO_INSTALL=1 never run apt-get; fail if a package is missing
#   MAILSTACK_OAUTH2_KEY_FILE=PATH  a file holding a raw HS256 secret: IMAP
#                          and SMTP then also take XOAUTH2 and OAUTHBEARER
#                          with a JWT signed by it (Dovecot checks it
#                          locally): claims iss, sub, exp, and email = the
#                          login user, who must be in the passwd users.
#                          IMAP takes tokens up to about 6 KB (Dovecot's
#                          login process caps a SASL answer at 8 KB)
#   MAILSTACK_OAUTH2_ISSUER  the iss those tokens need, default
#                          "https://issuer.test/"
#
# Forks are dear on some machines (25 ms each in a gVisor sandbox), so the
# start path uses builtins where it can: that is most of its 0.5 s.

set -u
umask 022

PF_DAEMONS=/usr/lib/postfix/sbin
DOVECOT=/usr/sbin/dovecot
SHORT_MAX=60		# longer DIRs put run/ and the queue in /tmp (socket paths)
PORT_TRIES=5

die() {
	printf 'mailstack: %s\n' "$*" >&2
	exit 1
}

say() {
	printf 'mailstack: %s\n' "$*" >&2
}

now_ms() {		# sets NOW_MS
	local t=${EPOCHREALTIME/./}
	NOW_MS=$((t / 1000))
}

# Writes its standard input (a here-document) to FILE without a fork.
write_file() {		# file
	local text
	IFS= read -r -d '' text
	printf '%s' "$text" >"$1"
}

# --- paths ------------------------------------------------------------

# Sets D (absolute, symlinks resolved when it exists) and every path
# derived from it.  Start and stop must agree on D: identities are checked
# against it.
set_paths() {		# dir
	case $1 in
	/*) D=$1 ;;
	*) D=$PWD/$1 ;;
	esac
	if [ -d "$D" ]; then
		cd -P -- "$D" || die "cannot enter $1"
		D=$PWD
	fi
	[ "$D" = / ] || D=${D%/}
	[[ $D =~ ^/[A-Za-z0-9/._+-]*$ ]] ||
	    die "DIR may hold only letters, digits and / . _ + - (it goes into config files): $D"
	[ "$D" != / ] || die "DIR may not be /"
	PF_CONF=$D/postfix
	DC_CONF=$D/dovecot.conf
	RUN=$D/run
	QUEUE=$D/postfix-queue
	LOGDIR=$D/log
	ENVFILE=$D/mailstack.env
}

# --- processes --------------------------------------------------------

# Sets st_state, st_ppid and st_start from /proc/PID/stat.  The name field
# may hold spaces and parentheses, so the fields are read after the last ')'.
read_stat() {		# pid
	local line
	read -r line 2>/dev/null <"/proc/$1/stat" || return 1
	line=${line##*) }
	# shellcheck disable=SC2086
	set -- $line
	st_state=$1
	st_ppid=$2
	st_start=${20}
}

# kill -0 also sees zombies, which PID 1 here reaps late: a process counts
# as alive only when it is not one.  With a start time, it must also be
# the same process (pids get reused).
pid_alive() {		# pid [starttime]
	read_stat "$1" || return 1
	[ "$st_state" != Z ] || return 1
	[ $# -lt 2 ] || [ "$st_start" = "$2" ]
}

proc_has_arg() {	# pid arg: some argv element is exactly arg
	local a
	while IFS= read -r -d '' a; do
		[ "$a" = "$2" ] && return 0
	done 2>/dev/null <"/proc/$1/cmdline"
	return 1
}

proc_has_env() {	# pid NAME=value
	local a
	while IFS= read -r -d '' a; do
		[ "$a" = "$2" ] && return 0
	done 2>/dev/null <"/proc/$1/environ"
	return 1
}

read_pidfile() {	# file: sets PIDFILE_PID (Postfix pads it with spaces)
	local p
	PIDFILE_PID=
	read -r p 2>/dev/null <"$1" || return 1
	p=${p//[[:space:]]/}
	[[ $p =~ ^[1-9][0-9]*$ ]] || return 1
	PIDFILE_PID=$p
}

# The masters' pids are believed only when /proc says they belong to DIR:
# Dovecot's argv holds DIR/dovecot.conf, Postfix's environment holds
# MAIL_CONFIG=DIR/postfix.  A stale pid file or a reused pid is ignored.
is_dovecot_master() {	# pid
	pid_alive "$1" && proc_has_arg "$1" "$DC_CONF"
}

is_postfix_master() {	# pid
	pid_alive "$1" && proc_has_env "$1" "MAIL_CONFIG=$PF_CONF"
}

# Sets DOVECOT_PID and POSTFIX_PID (empty: not running).  Without a pid
# file (run/ removed by hand, say), the masters are looked for among all
# processes with the same identity checks; never by name alone.
find_masters() {
	local f p a0
	DOVECOT_PID=
	POSTFIX_PID=
	read_pidfile "$RUN/master.pid" && is_dovecot_master "$PIDFILE_PID" &&
	    DOVECOT_PID=$PIDFILE_PID
	read_pidfile "$QUEUE/pid/master.pid" && is_postfix_master "$PIDFILE_PID" &&
	    POSTFIX_PID=$PIDFILE_PID
	[ -z "$DOVECOT_PID" ] || [ -z "$POSTFIX_PID" ] || return 0
	for f in /proc/[0-9]*; do
		p=${f#/proc/}
		IFS= read -r -d '' a0 2>/dev/null <"$f/cmdline" || continue
		case $a0 in
		*/dovecot)
			[ -z "$DOVECOT_PID" ] && is_dovecot_master "$p" && DOVECOT_PID=$p ;;
		*/master)
			[ -z "$POSTFIX_PID" ] && is_postfix_master "$p" && POSTFIX_PID=$p ;;
		esac
	done
	return 0
}

# Sets PROCS to "pid:starttime" of the given pids and all their
# descendants, from one pass over /proc.
find_descendants() {	# pid...
	local -A kids=() start=()
	local f p
	local -a queue
	for f in /proc/[0-9]*; do
		p=${f#/proc/}
		read_stat "$p" || continue
		[ "$st_state" != Z ] || continue
		kids[$st_ppid]+=" $p"
		start[$p]=$st_start
	done
	PROCS=()
	queue=("$@")
	while [ ${#queue[@]} -gt 0 ]; do
		p=${queue[0]}
		queue=("${queue[@]:1}")
		[ -n "${start[$p]:-}" ] || continue
		PROCS+=("$p:${start[$p]}")
		# shellcheck disable=SC2206
		queue+=(${kids[$p]:-})
	done
}

any_alive() {		# pid:start...
	local e
	for e; do
		pid_alive "${e%:*}" "${e#*:}" && return 0
	done
	return 1
}

# Prints the pids of processes that carry DIR's identity: Dovecot's
# children have the instance name in their title, Postfix's have
# MAIL_CONFIG=DIR/postfix in their environment.  One grep each.
sweep() {
	local f
	instance_name
	for f in $(grep -lzF -- "$INSTANCE/" /proc/[0-9]*/cmdline 2>/dev/null) \
	    $(grep -lzxF -- "MAIL_CONFIG=$PF_CONF" /proc/[0-9]*/environ 2>/dev/null); do
		f=${f#/proc/}
		f=${f%%/*}
		[ "$f" != "$BASHPID" ] && pid_alive "$f" && echo "$f"
	done
}

# TERM to the masters and every descendant at once (only TERM to its
# master keeps Dovecot waiting ~1 s for its children), then KILL to
# whatever of them is still alive and still the same process.  Nothing
# that is not DIR's is ever signalled.
stop_procs() {		# master-pid...
	local e i
	local -a pids=()
	[ $# -gt 0 ] || return 0
	find_descendants "$@"
	[ ${#PROCS[@]} -gt 0 ] || return 0
	for e in "${PROCS[@]}"; do
		pids+=("${e%:*}")
	done
	kill -TERM "${pids[@]}" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		any_alive "${PROCS[@]}" || return 0
		sleep 0.02
	done
	for e in "${PROCS[@]}"; do
		pid_alive "${e%:*}" "${e#*:}" && kill -KILL "${e%:*}" 2>/dev/null
	done
	for ((i = 0; i < 50; i++)); do
		any_alive "${PROCS[@]}" || return 0
		sleep 0.02
	done
	return 1
}

# A child started while its master was being stopped is not in PROCS; it
# would exit once it saw its master gone, but it is stopped here too.
stop_strays() {
	local -a pids
	local i
	mapfile -t pids < <(sweep)
	[ ${#pids[@]} -gt 0 ] || return 0
	say "stopping stray processes: ${pids[*]}"
	kill -TERM "${pids[@]}" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		mapfile -t pids < <(sweep)
		[ ${#pids[@]} -gt 0 ] || return 0
		sleep 0.05
	done
	kill -KILL "${pids[@]}" 2>/dev/null
	return 0
}

# --- install ----------------------------------------------------------

missing_packages() {	# sets MISSING
	local pf
	MISSING=
	for pf in postfix:/usr/sbin/postfix dovecot-core:$DOVECOT \
	    dovecot-imapd:/usr/lib/dovecot/imap \
	    dovecot-lmtpd:/usr/lib/dovecot/lmtp \
	    swaks:/usr/bin/swaks curl:/usr/bin/curl; do
		[ -x "${pf#*:}" ] || MISSING+=" ${pf%%:*}"
	done
	# The selftest signs its OAuth2 tokens with openssl too.
	if { [ "$TLS" = 1 ] || [ -n "${OAUTH2_KEY:-}" ]; } &&
	    ! command -v openssl >/dev/null; then
		MISSING+=" openssl"
	fi
	MISSING=${MISSING# }
}

apt_install() {		# logfile package...
	local log=$1
	shift
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends -o DPkg::Lock::Timeout=600 "$@" \
	    >>"$log" 2>&1 && return 0
	# The lists may be missing or stale: update only when needed.
	DEBIAN_FRONTEND=noninteractive apt-get update -q \
	    -o DPkg::Lock::Timeout=600 >>"$log" 2>&1
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends -o DPkg::Lock::Timeout=600 "$@" \
	    >>"$log" 2>&1
}

# Installs what is missing.  No system daemon may start: postinst would
# start a system Dovecot on :143, so a temporary policy-rc.d forbids it
# when the machine has none.  Nothing else goes to /etc: Postfix is
# preseeded to "No configuration" (no main.cf).
install_missing() {	# logfile
	local log=$1 policy=/usr/sbin/policy-rc.d made=0 rc
	missing_packages
	[ -n "$MISSING" ] || return 0
	[ "${MAILSTACK_NO_INSTALL:-0}" != 1 ] ||
	    die "missing packages: $MISSING (MAILSTACK_NO_INSTALL=1, so not installing)"
	[ "$EUID" -eq 0 ] || die "missing packages: $MISSING (run as root to install them)"
	command -v apt-get >/dev/null || die "missing packages: $MISSING (no apt-get)"
	# Two suites may start at once: one installs, the other waits.
	exec 9>/tmp/mailstack-install.lock
	flock -w 900 9 || die "could not get /tmp/mailstack-install.lock"
	missing_packages
	if [ -n "$MISSING" ]; then
		say "installing $MISSING (log: $log)"
		echo 'postfix postfix/main_mailer_type select No configuration' |
		    debconf-set-selections
		if [ ! -e "$policy" ]; then
			# Removed again even when apt-get is interrupted.
			trap 'rm -f /usr/sbin/policy-rc.d' EXIT
			trap 'exit 1' INT TERM HUP
			printf '#!/bin/sh\n# mailstack: no daemons while installing\nexit 101\n' \
			    >"$policy" && chmod 755 "$policy" && made=1
		fi
		# shellcheck disable=SC2086
		apt_install "$log" $MISSING
		rc=$?
		if [ $made -eq 1 ]; then
			rm -f "$policy"
			trap - EXIT INT TERM HUP
		fi
		if [ $rc -ne 0 ]; then
			tail -20 "$log" >&2
			die "apt-get could not install: $MISSING"
		fi
	fi
	exec 9>&-
	missing_packages
	[ -z "$MISSING" ] || die "still missing after apt-get: $MISSING"
}

# --- settings ---------------------------------------------------------

valid_domain() {
	[[ $1 =~ ^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$ ]] &&
	    [ ${#1} -le 253 ]
}

valid_port() {
	[[ $1 =~ ^[1-9][0-9]{0,4}$ ]] && [ "$1" -le 65535 ]
}

# Sets OAUTH2_KEY (an absolute path; empty: no OAuth2) and OAUTH2_ISSUER.
read_oauth2_settings() {
	OAUTH2_KEY=${MAILSTACK_OAUTH2_KEY_FILE:-}
	OAUTH2_ISSUER=${MAILSTACK_OAUTH2_ISSUER:-https://issuer.test/}
	[ -n "$OAUTH2_KEY" ] || return 0
	[[ $OAUTH2_KEY == /* ]] || OAUTH2_KEY=$PWD/$OAUTH2_KEY
	if [ ! -f "$OAUTH2_KEY" ] || [ ! -s "$OAUTH2_KEY" ] || [ ! -r "$OAUTH2_KEY" ]; then
		die "MAILSTACK_OAUTH2_KEY_FILE: not a readable, non-empty file: $OAUTH2_KEY"
	fi
	# One issuer: Dovecot's "issuers" is a space-separated list.
	[[ $OAUTH2_ISSUER =~ ^[[:graph:]]+$ ]] ||
	    die "MAILSTACK_OAUTH2_ISSUER: empty, or has a space or a control character"
}

# Sets TLS, DOMAINS (array) and USERS (array of "user@domain:password"),
# and the OAuth2 settings.
read_settings() {
	local d u name pw dom
	TLS=${MAILSTACK_TLS:-0}
	[ "$TLS" = 1 ] || TLS=0
	read_oauth2_settings
	DOMAINS=()
	for d in ${MAILSTACK_DOMAINS:-example.test}; do
		d=${d,,}
		valid_domain "$d" || die "bad domain in MAILSTACK_DOMAINS: $d"
		[[ " ${DOMAINS[*]} " != *" $d "* ]] || continue
		DOMAINS+=("$d")
	done
	[ ${#DOMAINS[@]} -gt 0 ] || die "MAILSTACK_DOMAINS is empty"
	pw=${MAILSTACK_PASSWORD:-secret}
	USERS=()
	for u in ${MAILSTACK_USERS:-mscagent admin1 msp1 support}; do
		case $u in
		*:*) name=${u%%:*}; u=${u#*:} ;;
		*) name=$u; u=$pw ;;
		esac
		case $name in
		*@*) dom=${name#*@}; name=${name%@*} ;;
		*) dom=${DOMAINS[0]} ;;
		esac
		name=${name,,}
		dom=${dom,,}
		# "+" is the recipient delimiter, so it cannot be in a name.
		[[ $name =~ ^[a-z0-9][a-z0-9._=-]*$ ]] || die "bad user name: $name"
		[[ " ${DOMAINS[*]} " == *" $dom "* ]] ||
		    die "user $name@$dom: $dom is not in MAILSTACK_DOMAINS"
		[[ -n $u && $u != *[:[:space:][:cntrl:]]* ]] ||
		    die "password of $name@$dom: empty, or has ':', a space or a control character"
		USERS+=("$name@$dom:$u")
	done
}

# --- ports ------------------------------------------------------------

# Sets USED to every local port of a TCP socket, and LISTENING to those
# of listening sockets, from /proc (no ss).  A port given on purpose is
# taken only when something listens on it: connections of a stack that
# just stopped linger in TIME_WAIT, and the daemons bind past them.
used_ports() {
	local f local_addr state port
	USED=" "
	LISTENING=" "
	for f in /proc/net/tcp /proc/net/tcp6; do
		[ -r "$f" ] || continue
		while read -r _ local_addr _ state _; do
			[[ $local_addr == *:* ]] || continue
			port=$((16#${local_addr##*:}))
			USED+="$port "
			[ "$state" = 0A ] && LISTENING+="$port "
		done <"$f"
	done
}

# Sets PORT to a random port below the kernel's ephemeral range (so no
# outgoing connection takes it between the pick and the bind), not in use
# and not among the arguments.  Another picker may still race for it:
# start then retries with new ports.
pick_port() {		# taken-port...
	local lo base=20000 span=10000 p i
	read -r lo _ </proc/sys/net/ipv4/ip_local_port_range
	[ "$lo" -gt 21000 ] && span=$((lo - base))
	for ((i = 0; i < 500; i++)); do
		p=$((base + (RANDOM * 32768 + RANDOM) % span))
		[[ $USED == *" $p "* ]] && continue
		[[ " $* " == *" $p "* ]] && continue
		PORT=$p
		return 0
	done
	die "found no free port in $base-$((base + span - 1))"
}

# Sets SMTP_PORT IMAP_PORT SMTPS_PORT IMAPS_PORT (0: off).  Given ports
# are checked, the others picked.
choose_ports() {
	local name v seen=" "
	used_ports
	SMTP_PORT=${MAILSTACK_SMTP_PORT:-}
	IMAP_PORT=${MAILSTACK_IMAP_PORT:-}
	SMTPS_PORT=0
	IMAPS_PORT=0
	if [ "$TLS" = 1 ]; then
		SMTPS_PORT=${MAILSTACK_SMTPS_PORT:-}
		IMAPS_PORT=${MAILSTACK_IMAPS_PORT:-}
	fi
	for name in SMTP_PORT IMAP_PORT SMTPS_PORT IMAPS_PORT; do
		v=${!name}
		[ -z "$v" ] || [ "$v" = 0 ] && continue
		valid_port "$v" || die "bad port in MAILSTACK_$name: $v"
		[[ $LISTENING != *" $v "* ]] ||
		    die "port $v (MAILSTACK_$name) is taken"
		[[ $seen != *" $v "* ]] || die "port $v is given twice"
		seen+="$v "
	done
	for name in SMTP_PORT IMAP_PORT SMTPS_PORT IMAPS_PORT; do
		[ -z "${!name}" ] || continue
		pick_port "$SMTP_PORT" "$IMAP_PORT" "$SMTPS_PORT" "$IMAPS_PORT"
		printf -v "$name" '%s' "$PORT"
	done
}

auto_ports() {		# true when start may retry with other ports
	[ -z "${MAILSTACK_SMTP_PORT:-}" ] || [ -z "${MAILSTACK_IMAP_PORT:-}" ] ||
	    { [ "$TLS" = 1 ] && { [ -z "${MAILSTACK_SMTPS_PORT:-}" ] ||
	    [ -z "${MAILSTACK_IMAPS_PORT:-}" ]; }; }
}

# --- layout -----------------------------------------------------------

# mail, postfix and dovenull must reach DIR (a 0700 /root stops them).
# Usually every parent is world-searchable, which one stat shows; else
# each user is asked.
check_reachable() {
	local p=$D top u m ok=1
	local -a parents=(/)
	# DIR may not exist yet: nothing is created before this check.
	while [ -n "$p" ] && [ ! -d "$p" ]; do
		p=${p%/*}
	done
	top=${p:-/}
	while [ -n "$p" ]; do
		parents+=("$p")
		p=${p%/*}
	done
	for m in $(stat -L -c %a "${parents[@]}"); do
		[[ $m == *[1357] ]] || ok=0
	done
	[ $ok -eq 0 ] || return 0
	for u in mail postfix dovenull; do
		setpriv --reuid="$u" --regid="$u" --clear-groups test -x "$top/." ||
		    die "user $u cannot reach $D: a folder on the way is not searchable for it (/root is 0700, say); use a folder under /tmp"
	done
}

# Unix socket paths may have 107 bytes.  Postfix's are absolute
# (.../postfix-queue/public/postlog) and Dovecot's live in base_dir, so
# with a long DIR both go into a short /tmp/mailstack.XXXXXX, linked from
# DIR; stop removes it.  RUN_REAL and QUEUE_REAL are what configs name.
make_layout() {
	local short i
	remove_short_dir
	# Dovecot's base_dir holds only sockets and pids of a stack that is
	# not running.  A stale anvil-auth-penalty socket would make auth
	# retry it for 5 s (see write_dovecot_conf).
	[ ! -e "$RUN" ] || rm -rf "$RUN"
	if [ ${#D} -gt $SHORT_MAX ]; then
		[ -L "$QUEUE" ] || [ ! -e "$QUEUE" ] || rm -rf "$QUEUE"
		for ((i = 0; i < 100; i++)); do
			short=/tmp/mailstack.$RANDOM$RANDOM
			mkdir -m 0755 "$short" 2>/dev/null && break
		done
		[ -d "$short" ] || die "cannot make a folder /tmp/mailstack.N"
		mkdir -p "$short/run" "$short/postfix-queue" "$PF_CONF" "$D/dovecot-state" ||
		    die "cannot create folders in $D"
		ln -sf -t "$D" "$short/run" "$short/postfix-queue" ||
		    die "cannot link $short from $D"
		RUN_REAL=$short/run
		QUEUE_REAL=$short/postfix-queue
	else
		mkdir -p "$RUN" "$QUEUE" "$PF_CONF" "$D/dovecot-state" ||
		    die "cannot create folders in $D"
		RUN_REAL=$RUN
		QUEUE_REAL=$QUEUE
	fi
	if [ ! -d "$D/mail" ]; then
		install -d -o mail -g mail -m 0700 "$D/mail" || die "cannot create $D/mail"
	fi
	QUICK_START=0
	make_queue || { mkdir -p "$D/postfix-data" && chown postfix "$D/postfix-data"; }
}

# postfix start runs post-install over /etc/postfix/postfix-files, a shell
# loop of ~40 postconf calls: 2 s.  So the queue directories are made here
# from the same list, with the same owners and modes, and postfix-script's
# own fast path (the quick-start file "postfix quick-stop" leaves, made
# before each attempt in launch) skips its checks.  Returns 1 when the
# list is missing: then Postfix does it the slow way.
make_queue() {
	local files=/etc/postfix/postfix-files path type owner group mode k
	local -a keys=()
	local -A dirs=()
	[ -r "$files" ] || return 1
	while IFS=: read -r path type owner group mode _; do
		[ "$type" = d ] || continue
		# shellcheck disable=SC2016
		case $path in
		'$queue_directory') path=$QUEUE_REAL ;;
		'$queue_directory/'*) path=$QUEUE_REAL/${path#*/} ;;
		'$data_directory') path=$D/postfix-data ;;
		*) continue ;;
		esac
		[ -d "$path" ] && continue
		owner=${owner/\$mail_owner/postfix}
		group=${group/\$setgid_group/postdrop}
		k="$owner:$group:$mode"
		[ -n "${dirs[$k]:-}" ] || keys+=("$k")
		dirs[$k]+=" $path"
	done <"$files"
	# The queue directory itself (root) comes before the ones in it.
	for k in "${keys[@]}"; do
		[[ $k == root:* ]] || continue
		make_dirs "$k" "${dirs[$k]}" || return 1
	done
	for k in "${keys[@]}"; do
		[[ $k != root:* ]] || continue
		make_dirs "$k" "${dirs[$k]}" || return 1
	done
	QUICK_START=1
}

make_dirs() {		# owner:group:mode paths (space-separated, safe)
	local owner=${1%%:*} group mode=${1##*:}
	group=${1#*:}
	group=${group%:*}
	# shellcheck disable=SC2086
	if [ "$group" = - ]; then
		install -d -o "$owner" -m "$mode" $2
	else
		install -d -o "$owner" -g "$group" -m "$mode" $2
	fi
}

remove_short_dir() {
	local t
	[ -L "$RUN" ] || [ -L "$QUEUE" ] || return 0
	t=$(readlink "$RUN" 2>/dev/null)
	if [[ $t =~ ^/tmp/mailstack\.[0-9]+/run$ ]]; then
		rm -rf "${t%/run}" "$RUN" "$QUEUE"
	else
		rm -f "$RUN" "$QUEUE"
	fi
}

# --- TLS --------------------------------------------------------------

# A test CA, and a certificate for localhost and 127.0.0.1 signed by it;
# kept across restarts so a test may hold on to ca.pem.
make_tls() {
	local t=$D/tls
	if [ -s "$t/ca.pem" ] && [ -s "$t/server.pem" ] && [ -s "$t/server.key" ] &&
	    [ -s "$t/dh.pem" ]; then
		return 0
	fi
	mkdir -p "$t" || die "cannot create $t"
	write_file "$t/openssl.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = mailstack
[ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
	# ffdhe2048 is a fixed group (RFC 7919): nothing to generate.
	(
		cd "$t" || exit 1
		umask 077
		openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		    -nodes -keyout ca.key -out ca.pem -days 3650 -sha256 \
		    -config openssl.cnf -extensions ca \
		    -subj '/O=mailstack/CN=mailstack test CA' &&
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		    -nodes -keyout server.key -out server.csr -sha256 \
		    -config openssl.cnf -subj '/O=mailstack/CN=localhost' &&
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key \
		    -set_serial "$RANDOM$RANDOM$RANDOM" \
		    -days 825 -sha256 -extfile openssl.cnf -extensions server \
		    -out server.pem &&
		openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 \
		    -out dh.pem &&
		chmod 0644 ca.pem server.pem dh.pem &&
		rm -f server.csr
	) >>"$LOGDIR/tls.log" 2>&1 ||
	    die "could not make the test certificates (see $LOGDIR/tls.log)"
}

# --- configs ----------------------------------------------------------

write_passwd() {
	local u text=
	for u in "${USERS[@]}"; do
		text+="${u%%:*}:{PLAIN}${u#*:}"$'\n'
	done
	umask 027
	printf '%s' "$text" >"$D/passwd" || die "cannot write $D/passwd"
	umask 022
	chown root:dovecot "$D/passwd" || die "cannot chown $D/passwd"
}

# Dovecot validates bearer JWTs itself (introspection_mode = local): the
# HS256 key is looked up in a dict as shared/<azp>/<alg>/<kid>, "default"
# standing for a missing azp or kid, and its value is the base64 of the
# secret.  Without OAuth2 the files of an earlier start are removed.
write_oauth2() {
	local kd=$D/oauth2-keys
	rm -rf "$kd" "$D/oauth2.conf.ext"
	[ -n "$OAUTH2_KEY" ] || return 0
	install -d -o root -g dovecot -m 0750 "$kd" "$kd/default" \
	    "$kd/default/HS256" || die "cannot create $kd"
	if ! (umask 027 && base64 -w0 <"$OAUTH2_KEY" >"$kd/default/HS256/default") ||
	    ! chown root:dovecot "$kd/default/HS256/default"; then
		die "cannot write the OAuth2 key into $kd"
	fi
	write_file "$D/oauth2.conf.ext" <<EOF
# Written by tests/support/mailstack.sh at every start.
introspection_mode = local
local_validation_key_dict = fs:posix:prefix=$kd/
username_attribute = email
issuers = $OAUTH2_ISSUER
EOF
}

# The regexp map only says which recipients exist (any sane local part at
# the test domains): delivery is Dovecot's, over LMTP.  virtual(8) cannot
# deliver through a regexp map (it refuses $1 substitution).
write_recipients() {
	local alt
	printf -v alt '%s|' "${DOMAINS[@]//./\\.}"
	printf '/^[a-z0-9][a-z0-9._+=-]*@(%s)$/\tOK\n' "${alt%|}" \
	    >"$PF_CONF/recipients.regexp"
	# Two local parts the tests use to see a server refuse a recipient:
	# for now (450) and for good (550).
	printf '/^tempfail[+@]/\t450 4.2.0 try again later\n/^reject[+@]/\t550 5.1.1 no such user here\n' \
	    >"$PF_CONF/refuse.regexp"
}

write_postfix_main() {
	local tls=
	if [ "$TLS" = 1 ]; then
		tls="smtpd_tls_security_level = may
smtpd_tls_chain_files = $D/tls/server.key, $D/tls/server.pem
smtpd_tls_loglevel = 1
smtpd_tls_received_header = yes"
	fi
	write_file "$PF_CONF/main.cf" <<EOF
# Written by tests/support/mailstack.sh at every start.
compatibility_level = 3.6
queue_directory = $QUEUE_REAL
data_directory = $D/postfix-data
command_directory = /usr/sbin
daemon_directory = $PF_DAEMONS
shlib_directory = /usr/lib/postfix
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
# There is no syslog: a file, which must be under one of these prefixes.
maillog_file = $LOGDIR/postfix.log
maillog_file_prefixes = $LOGDIR
inet_interfaces = loopback-only
inet_protocols = ipv4
myhostname = mailstack.localdomain
mydomain = localdomain
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
relay_domains =
mynetworks = 127.0.0.0/8
virtual_mailbox_domains = ${DOMAINS[*]}
virtual_mailbox_maps = regexp:$PF_CONF/recipients.regexp
virtual_alias_maps =
virtual_transport = lmtp:unix:$RUN_REAL/lmtp
recipient_delimiter = +
# Nothing may leave the machine: the only real transport is LMTP.
default_transport = error:mailstack delivers only to its own domains
relay_transport = error:mailstack delivers only to its own domains
local_transport = error:mailstack has no local delivery
smtpd_relay_restrictions = reject_unauth_destination
smtpd_recipient_restrictions = check_recipient_access regexp:$PF_CONF/refuse.regexp
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $RUN_REAL/auth-postfix
smtpd_sasl_security_options = noanonymous
# An AUTH XOAUTH2 answer carries a whole bearer token (Microsoft's run to
# several KB); the default of 2048 would cut it.
line_length_limit = 16384
smtpd_banner = \$myhostname ESMTP mailstack
biff = no
append_dot_mydomain = no
readme_directory = no
$tls
EOF
}

# Debian's master.cf chroots smtpd and friends; nothing is chrooted here.
# postlog is needed for maillog_file.  No smtp or relay transport.
write_postfix_master() {
	local smtps=
	if [ "$TLS" = 1 ]; then
		smtps="127.0.0.1:$SMTPS_PORT inet n - n - - smtpd
  -o smtpd_tls_wrappermode=yes
  -o smtpd_tls_security_level=encrypt"
	fi
	write_file "$PF_CONF/master.cf" <<EOF
# Written by tests/support/mailstack.sh at every start.
127.0.0.1:$SMTP_PORT inet n - n - - smtpd
$smtps
pickup     unix  n - n 60    1 pickup
cleanup    unix  n - n -     0 cleanup
qmgr       unix  n - n 300   1 qmgr
tlsmgr     unix  - - n 1000? 1 tlsmgr
rewrite    unix  - - n -     - trivial-rewrite
bounce     unix  - - n -     0 bounce
defer      unix  - - n -     0 bounce
trace      unix  - - n -     0 bounce
verify     unix  - - n -     1 verify
flush      unix  n - n 1000? 0 flush
proxymap   unix  - - n -     - proxymap
proxywrite unix  - - n -     1 proxymap
showq      unix  n - n -     - showq
error      unix  - - n -     - error
retry      unix  - - n -     - error
discard    unix  - - n -     - discard
lmtp       unix  - - n -     - lmtp
anvil      unix  - - n -     1 anvil
scache     unix  - - n -     1 scache
postlog    unix-dgram n - n - 1 postlogd
EOF
}

user_ids() {		# name: sets USER_UID and USER_GID
	local n uid gid
	while IFS=: read -r n _ uid gid _; do
		[ "$n" = "$1" ] || continue
		USER_UID=$uid
		USER_GID=$gid
		return 0
	done </etc/passwd
	USER_UID=$(id -u "$1") || die "no user $1"
	USER_GID=$(id -g "$1") || die "no user $1"
}

# A name of its own for each DIR (a string hash, without a fork).
instance_name() {	# sets INSTANCE
	local i c h=5381
	for ((i = 0; i < ${#D}; i++)); do
		printf -v c '%d' "'${D:i:1}"
		h=$(((h * 33 + c) % 4294967296))
	done
	INSTANCE=mailstack-$h
}

# Sets auth, passdb_mechs and oauth2: what OAuth2 adds to dovecot.conf.
# The oauth2 passdb alone would let a valid token in for any address (the
# static userdb has every user), so a second lookup in the passwd file,
# without its password (noauthenticate), keeps token logins to the mailbox
# users, as at a real provider.  auth_verbose logs why a token was refused.
# "none" keeps lookups without a login (doveadm auth lookup) on passwd.
dovecot_oauth2() {
	auth='auth_mechanisms = plain login' passdb_mechs='' oauth2=
	[ -n "$OAUTH2_KEY" ] || return 0
	auth=$'auth_mechanisms = plain login xoauth2 oauthbearer\nauth_verbose = yes'
	passdb_mechs=$'\n  mechanisms = plain login none'
	oauth2="passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $D/oauth2.conf.ext
  result_success = continue-ok
}
passdb {
  driver = passwd-file
  mechanisms = xoauth2 oauthbearer
  args = scheme=PLAIN username_format=%Lu $D/passwd
  skip = unauthenticated
  override_fields = noauthenticate
  result_failure = return-fail
  result_internalfail = return-fail
}"
}

write_dovecot_conf() {
	local ssl='ssl = no' mail_uid mail_gid auth passdb_mechs oauth2
	# The user mail (uid 8 on Debian) owns the mail; the defaults refuse
	# uids below 500.
	user_ids mail
	mail_uid=$USER_UID
	mail_gid=$USER_GID
	instance_name
	dovecot_oauth2
	if [ "$TLS" = 1 ]; then
		ssl="ssl = yes
ssl_cert = <$D/tls/server.pem
ssl_key = <$D/tls/server.key
ssl_dh = <$D/tls/dh.pem
ssl_min_protocol = TLSv1.2"
	fi
	write_file "$DC_CONF" <<EOF
# Written by tests/support/mailstack.sh at every start.
# Its own base_dir, state_dir and instance_name: another Dovecot may run.
instance_name = $INSTANCE
base_dir = $RUN_REAL
state_dir = $D/dovecot-state
log_path = $LOGDIR/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
$ssl
disable_plaintext_auth = no
$auth
auth_default_realm = ${DOMAINS[0]}
auth_username_format = %Lu
# Tests send wrong passwords on purpose: no delay after a failure, and no
# growing per-IP penalty (2 s, 4 s, ... up to 15 s) on the next logins from
# 127.0.0.1.  With mode 0 anvil's penalty socket is not created; auth finds
# no file there and runs without penalties.
auth_failure_delay = 0
recipient_delimiter = +
lmtp_save_to_detail_mailbox = no
mail_location = maildir:$D/mail/%d/%n
mail_uid = $mail_uid
mail_gid = $mail_gid
first_valid_uid = $mail_uid
first_valid_gid = $mail_gid
mail_privileged_group =
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%Lu $D/passwd$passdb_mechs
}
$oauth2
# Every recipient gets a mailbox; only passwd users can log in.
userdb {
  driver = static
  args = uid=$mail_uid gid=$mail_gid home=$D/mail/%d/%n allow_all_users=yes
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = subscribe
  }
}
protocol imap {
  mail_max_userip_connections = 1000
}
service imap-login {
  inet_listener imap {
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = $IMAPS_PORT
    ssl = yes
  }
}
service lmtp {
  unix_listener lmtp {
    mode = 0600
    user = postfix
    group = postfix
  }
}
service auth {
  unix_listener auth-postfix {
    mode = 0600
    user = postfix
    group = postfix
  }
}
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
EOF
}

write_env() {
	local text more oauth2=0
	[ -z "$OAUTH2_KEY" ] || oauth2=1
	printf -v text 'export %s=%q\n' \
	    MAILSTACK_DIR "$D" \
	    MAILSTACK_DOMAIN "${DOMAINS[0]}" \
	    MAILSTACK_DOMAINS "${DOMAINS[*]}" \
	    MAILSTACK_MAILDIR_ROOT "$D/mail" \
	    MAILSTACK_SMTP_PORT "$SMTP_PORT" \
	    MAILSTACK_IMAP_PORT "$IMAP_PORT" \
	    MAILSTACK_TLS "$TLS" \
	    MAILSTACK_OAUTH2 "$oauth2"
	if [ "$TLS" = 1 ]; then
		printf -v more 'export %s=%q\n' \
		    MAILSTACK_SMTPS_PORT "$SMTPS_PORT" \
		    MAILSTACK_IMAPS_PORT "$IMAPS_PORT" \
		    MAILSTACK_CA "$D/tls/ca.pem"
		text+=$more
	fi
	if [ -n "$OAUTH2_KEY" ]; then
		printf -v more 'export %s=%q\n' \
		    MAILSTACK_OAUTH2_KEY_FILE "$OAUTH2_KEY" \
		    MAILSTACK_OAUTH2_ISSUER "$OAUTH2_ISSUER"
		text+=$more
	fi
	printf '%s' "$text" >"$ENVFILE.tmp" || die "cannot write $ENVFILE.tmp"
	mv -f "$ENVFILE.tmp" "$ENVFILE" || die "cannot write $ENVFILE"
}

# --- start ------------------------------------------------------------

# Connects to each port and waits for its greeting; the servers start
# their greeting processes in parallel.  Arguments are port:prefix pairs.
greet() {		# port:prefix...
	local -a fds=()
	local a fd line i rc=0
	for a; do
		fd=
		for ((i = 0; i < 100; i++)); do
			{ exec {fd}<>"/dev/tcp/127.0.0.1/${a%%:*}"; } 2>/dev/null && break
			fd=
			sleep 0.05
		done
		fds+=("${fd:--}")
	done
	i=0
	for a; do
		fd=${fds[i]}
		i=$((i + 1))
		[ "$fd" != - ] || { rc=1; continue; }
		line=
		read -r -t 10 line <&"$fd"
		[[ $line == "${a#*:}"* ]] || rc=1
		# Say goodbye, so no log line tells of a lost connection.
		case ${a#*:} in
		220) printf 'QUIT\r\n' ;;
		*) printf 'a LOGOUT\r\n' ;;
		esac 2>/dev/null 1>&"$fd"
		exec {fd}>&-
	done
	return $rc
}

# One attempt to bring both daemons up on the chosen ports.  Postfix says
# nothing without a tty (no /dev/log either), so it runs under script(1),
# which gives it one.  Both get </dev/null and a log file as output:
# daemons that kept the caller's stdout would hang $(mailstack start)
# forever.  The lock (fd 8) is not passed on.  Returns 2 when a port was
# taken.
launch() {
	local dlog=$LOGDIR/dovecot.log plog=$LOGDIR/postfix.log
	local out=$LOGDIR/postfix-start.out mark dpid drc prc
	mark="mailstack: start attempt $$.$RANDOM"
	echo "$mark" >>"$dlog"
	echo "$mark" >>"$plog"
	# Postfix stalls ~2 s on a config written less than a second ago.
	touch -d '-1 minute' "$PF_CONF/main.cf" "$PF_CONF/master.cf" \
	    "$PF_CONF/recipients.regexp" "$PF_CONF/refuse.regexp" "$DC_CONF"
	# postfix-script removes it at every start, even a failed one.
	[ "$QUICK_START" = 0 ] || : >"$QUEUE_REAL/quick-start"
	"$DOVECOT" -c "$DC_CONF" </dev/null >>"$dlog" 2>&1 8>&- &
	dpid=$!
	script -qec "/usr/sbin/postfix -c $PF_CONF start" /dev/null \
	    </dev/null >"$out" 2>&1 8>&-
	prc=$?
	wait "$dpid"
	drc=$?
	[ $prc -eq 0 ] || tr -d '\r' <"$out" >>"$plog"
	if [ $prc -eq 0 ] && [ $drc -eq 0 ]; then
		greet "$SMTP_PORT:220" "$IMAP_PORT:* OK" && return 0
		say "no greeting on 127.0.0.1:$SMTP_PORT or :$IMAP_PORT"
		prc=1 drc=1
	fi
	find_masters
	# shellcheck disable=SC2086
	stop_procs $DOVECOT_PID $POSTFIX_PID
	if since_mark "$mark" "$dlog" "$plog" | grep -q 'Address already in use'; then
		return 2
	fi
	[ $drc -eq 0 ] || { say "dovecot failed:"; since_mark "$mark" "$dlog" | tail -5 >&2; }
	[ $prc -eq 0 ] || { say "postfix failed:"; since_mark "$mark" "$plog" | tail -5 >&2; }
	return 1
}

# The lines of the logs after this attempt's mark.
since_mark() {		# mark file...
	local mark=$1
	shift
	sed -n "/^$mark\$/,\$p" "$@" | grep -v -e "^$mark\$" -e 'Killed with signal'
}

lock_dir() {
	exec 8>"$D/.lock" || die "cannot write $D/.lock"
	flock -w 120 8 || die "another mailstack command holds $D/.lock"
}

cmd_start() {
	local t0 try rc
	now_ms
	t0=$NOW_MS
	[ "$EUID" -eq 0 ] || die "start needs root (the Postfix and Dovecot masters)"
	read_settings
	set_paths "$1"
	install_missing /tmp/mailstack-install.log
	check_reachable
	mkdir -p "$D/log" || die "cannot create $D/log"
	set_paths "$D"
	lock_dir
	find_masters
	[ -z "$DOVECOT_PID$POSTFIX_PID" ] || die "a stack already runs in $D (stop it first)"
	[ ! -e "$ENVFILE" ] || rm -f "$ENVFILE"
	make_layout
	[ "$TLS" = 0 ] || make_tls
	write_passwd
	write_oauth2
	write_recipients
	for ((try = 1; ; try++)); do
		choose_ports
		write_postfix_main
		write_postfix_master
		write_dovecot_conf
		launch
		rc=$?
		[ $rc -eq 0 ] && break
		if [ $rc -eq 2 ]; then
			if auto_ports && [ $try -lt $PORT_TRIES ]; then
				say "a port was taken meanwhile; trying other ports"
				continue
			fi
			die "a port was taken (smtp $SMTP_PORT, imap $IMAP_PORT, smtps $SMTPS_PORT, imaps $IMAPS_PORT)"
		fi
		die "start failed; logs in $LOGDIR"
	done
	write_env
	now_ms
	printf 'mailstack: started in %s: smtp 127.0.0.1:%s, imap 127.0.0.1:%s' \
	    "$D" "$SMTP_PORT" "$IMAP_PORT"
	[ "$TLS" = 0 ] || printf ', smtps :%s, imaps :%s' "$SMTPS_PORT" "$IMAPS_PORT"
	printf ' (%d ms); source %s\n' $((NOW_MS - t0)) "$ENVFILE"
}

# --- stop, status, pids -----------------------------------------------

# DIR may be gone (a test removed its temporary folder too early): its
# processes are still found, by the identities that name it.
cmd_stop() {
	set_paths "$1"
	[ "$EUID" -eq 0 ] || die "stop needs root"
	[ ! -d "$D" ] || lock_dir
	find_masters
	# shellcheck disable=SC2086
	stop_procs $DOVECOT_PID $POSTFIX_PID ||
	    die "could not stop every process of the stack in $D"
	stop_strays
	[ -d "$D" ] || return 0
	remove_short_dir
	[ ! -e "$ENVFILE" ] || rm -f "$ENVFILE"
	return 0
}

cmd_status() {
	local rc=0
	set_paths "$1"
	# shellcheck disable=SC1090
	[ ! -r "$ENVFILE" ] || . "$ENVFILE"
	find_masters
	if [ -n "$DOVECOT_PID" ]; then
		printf 'dovecot: running, pid %s, imap 127.0.0.1:%s' \
		    "$DOVECOT_PID" "${MAILSTACK_IMAP_PORT:-?}"
		[ "${MAILSTACK_TLS:-0}" = 0 ] ||
		    printf ', imaps 127.0.0.1:%s' "${MAILSTACK_IMAPS_PORT:-?}"
		echo
	else
		echo 'dovecot: not running'
		rc=1
	fi
	if [ -n "$POSTFIX_PID" ]; then
		printf 'postfix: running, pid %s, smtp 127.0.0.1:%s' \
		    "$POSTFIX_PID" "${MAILSTACK_SMTP_PORT:-?}"
		[ "${MAILSTACK_TLS:-0}" = 0 ] ||
		    printf ', smtps 127.0.0.1:%s' "${MAILSTACK_SMTPS_PORT:-?}"
		echo
	else
		echo 'postfix: not running'
		rc=1
	fi
	return $rc
}

cmd_pids() {
	local e
	set_paths "$1"
	find_masters
	# shellcheck disable=SC2086
	[ -n "$DOVECOT_PID$POSTFIX_PID" ] || return 0
	# shellcheck disable=SC2086
	find_descendants $DOVECOT_PID $POSTFIX_PID
	for e in "${PROCS[@]}"; do
		echo "${e%:*} ${e#*:}"
	done
}

# Ends USER's IMAP sessions: Dovecot's imap process says "* BYE Server
# shutting down." and closes the connection, as Exchange ends a session
# whose token expired.  The sessions are known by the full, lowercased
# address, so a bare name gets the login realm.  Exits as doveadm does:
# 0 when some session ended, 68 when USER had none.
cmd_kick() {		# dir user
	local user=${2,,}
	set_paths "$1"
	[ "$EUID" -eq 0 ] || die "kick needs root"
	find_masters
	[ -n "$DOVECOT_PID" ] || die "dovecot does not run in $D"
	if [[ $user != *@* ]]; then
		# shellcheck disable=SC1090
		. "$ENVFILE" || die "cannot read $ENVFILE"
		user+=@$MAILSTACK_DOMAIN
	fi
	doveadm -c "$DC_CONF" kick "$user"
}

# --- selftest ---------------------------------------------------------

b64url() {		# stdin to base64url without padding
	openssl base64 -A | tr '+/' '-_' | tr -d '='
}

# An HS256 JWT for EMAIL that expires in EXP_IN seconds, signed with the
# stack's key, as the tests' token endpoint mints them: sets JWT.
mint_jwt() {		# email exp-in
	local now=${EPOCHREALTIME%.*} hex head body sig
	hex=$(od -An -v -tx1 "$MAILSTACK_OAUTH2_KEY_FILE" | tr -d ' \n')
	head=$(printf '{"alg":"HS256","typ":"JWT"}' | b64url)
	body=$(printf '{"iss":"%s","sub":"%s","email":"%s","iat":%d,"exp":%d}' \
	    "$MAILSTACK_OAUTH2_ISSUER" "$1" "$1" "$now" $((now + $2)) | b64url)
	sig=$(printf '%s.%s' "$head" "$body" |
	    openssl dgst -sha256 -mac HMAC -macopt "hexkey:$hex" -binary | b64url)
	JWT=$head.$body.$sig
}

xoauth2_blob() {	# user token
	printf 'user=%s\001auth=Bearer %s\001\001' "$1" "$2" | openssl base64 -A
}

# One XOAUTH2 exchange on a fresh connection, with the initial response
# on the command line (a 4xx/NO comes after an error challenge, which the
# client answers with an empty line).  Sets st_out to the final answer.
sasl_xoauth2() {	# imap|smtp port user token
	local fd line blob
	blob=$(xoauth2_blob "$3" "$4")
	st_out="no connection to 127.0.0.1:$2"
	{ exec {fd}<>"/dev/tcp/127.0.0.1/$2"; } 2>/dev/null || return 1
	read -r -t 10 line <&"$fd"
	if [ "$1" = imap ]; then
		printf 'a AUTHENTICATE XOAUTH2 %s\r\n' "$blob" >&"$fd"
	else
		printf 'EHLO selftest\r\n' >&"$fd"
		while read -r -t 10 line <&"$fd" && [[ $line == 250-* ]]; do :; done
		printf 'AUTH XOAUTH2 %s\r\n' "$blob" >&"$fd"
	fi
	read -r -t 10 line <&"$fd"
	if [[ $line == '+ '* || $line == 334* ]]; then
		printf '\r\n' >&"$fd"
		read -r -t 10 line <&"$fd"
	fi
	st_out=${line%$'\r'}
	printf 'QUIT\r\nz LOGOUT\r\n' 2>/dev/null 1>&"$fd"
	exec {fd}>&-
}

st_xoauth2() {		# what imap|smtp port user token wanted-answer-prefix
	local what=$1 want=$6
	sasl_xoauth2 "$2" "$3" "$4" "$5"
	if [[ $st_out == "$want"* ]]; then
		st_ok "$what"
	else
		st_fail "$what" "wanted '$want...'" "$st_out"
	fi
}

# Bearer tokens on IMAP (XOAUTH2, and OAUTHBEARER through curl, which
# picks it) and SMTP; refused for another user, when expired and for an
# address that is not a mailbox user.
st_oauth2() {		# user other-user
	local a=$1 b=$2 imap=$MAILSTACK_IMAP_PORT smtp=$MAILSTACK_SMTP_PORT
	if [[ $st_ehlo == *"AUTH "*XOAUTH2* ]]; then
		st_ok "SMTP offers AUTH XOAUTH2"
	else
		st_fail "SMTP offers AUTH XOAUTH2" "$st_ehlo"
	fi
	mint_jwt "$a" 600
	st_xoauth2 "IMAP XOAUTH2 with $a's token" imap "$imap" "$a" "$JWT" 'a OK'
	st_xoauth2 "SMTP AUTH XOAUTH2 with $a's token" smtp "$smtp" "$a" "$JWT" 235
	st_imap_list "IMAP OAUTHBEARER (curl) with $a's token" \
	    "imap://127.0.0.1:$imap/" "$a" "" --oauth2-bearer "$JWT"
	st_xoauth2 "IMAP refuses $a's token for $b" imap "$imap" "$b" "$JWT" 'a NO'
	st_xoauth2 "SMTP refuses $a's token for $b" smtp "$smtp" "$b" "$JWT" 535
	mint_jwt "$a" -60
	st_xoauth2 "IMAP refuses an expired token" imap "$imap" "$a" "$JWT" 'a NO'
	mint_jwt "nobody-$$@$MAILSTACK_DOMAIN" 600
	st_xoauth2 "IMAP refuses a token for an address not in passwd" imap \
	    "$imap" "nobody-$$@$MAILSTACK_DOMAIN" "$JWT" 'a NO'
}

st_ok() {
	st_pass=$((st_pass + 1))
	echo "ok - $1"
}

st_fail() {		# what [detail...]
	st_failed=$((st_failed + 1))
	echo "not ok - $1"
	shift
	[ $# -eq 0 ] || printf '#   %s\n' "$@" | head -30
}

st_check() {		# what command...
	local what=$1
	shift
	if "$@"; then st_ok "$what"; else st_fail "$what" "failed: $*"; fi
}

# swaks to RCPT with subject SUBJ and extra swaks options; sets st_out.
st_swaks() {		# rcpt subj [swaks options...]
	local rcpt=$1 subj=$2
	shift 2
	st_out=$(swaks --server 127.0.0.1 --port "$MAILSTACK_SMTP_PORT" \
	    --timeout 10 --from "selftest@$MAILSTACK_DOMAIN" --to "$rcpt" \
	    --header "Subject: $subj" --body "body $subj" "$@" 2>&1)
}

st_send() {		# what rcpt subj [swaks options...]
	local what=$1
	shift
	if st_swaks "$@" && [[ $st_out == *"250 2.0.0 Ok: queued"* ]]; then
		st_ok "$what"
	else
		st_fail "$what" "$st_out"
	fi
}

st_refused() {		# what code text rcpt subj [swaks options...]
	local what=$1 code=$2 text=$3
	shift 3
	st_swaks "$@"
	if [[ $st_out == *"<** $code "*"$text"* && $st_out != *"Ok: queued"* ]]; then
		st_ok "$what"
	else
		st_fail "$what" "$st_out"
	fi
}

# A message with subject SUBJ to RCPT through curl (for the TLS checks:
# curl verifies the certificate, swaks does not).
st_curl_send() {	# what url rcpt subj [curl options...]
	local what=$1 url=$2 rcpt=$3 subj=$4 out
	shift 4
	if out=$(printf 'From: <selftest@%s>\r\nTo: <%s>\r\nSubject: %s\r\n\r\nbody %s\r\n' \
	    "$MAILSTACK_DOMAIN" "$rcpt" "$subj" "$subj" |
	    curl -sS --max-time 10 --url "$url" \
	    --mail-from "selftest@$MAILSTACK_DOMAIN" --mail-rcpt "$rcpt" -T - "$@" 2>&1); then
		st_ok "$what"
	else
		st_fail "$what" "$out"
	fi
}

# Waits up to 10 s for a message with SUBJ in USER's INBOX and checks its
# body.  Fetching with ;UID= sets \Seen, which is fine for a selftest.
st_delivered() {	# what user password subj
	local what=$1 user=$2 pw=$3 subj=$4 out uid="" i
	local url="imap://127.0.0.1:$MAILSTACK_IMAP_PORT/INBOX"
	for ((i = 0; i < 50; i++)); do
		out=$(curl -sS --max-time 5 --user "$user:$pw" "$url" \
		    -X "UID SEARCH SUBJECT $subj" 2>&1)
		[[ $out =~ \*\ SEARCH\ ([0-9]+) ]] && { uid=${BASH_REMATCH[1]}; break; }
		sleep 0.2
	done
	if [ -z "$uid" ]; then
		st_fail "$what" "no message '$subj' in $user's INBOX after 10 s" "$out"
		return
	fi
	out=$(curl -sS --max-time 5 --user "$user:$pw" "$url;UID=$uid" 2>&1)
	if [[ $out == *"body $subj"* ]]; then
		st_ok "$what"
	else
		st_fail "$what" "$out"
	fi
}

st_curl_exit() {	# what wanted-exit curl-args...
	local what=$1 want=$2 out rc
	shift 2
	out=$(curl -sS --max-time 10 "$@" 2>&1)
	rc=$?
	if [ $rc -eq "$want" ]; then
		st_ok "$what"
	else
		st_fail "$what" "curl exit $rc, wanted $want" "$out"
	fi
}

st_imap_list() {	# what url user pw [curl options...]
	local what=$1 url=$2 user=$3 pw=$4 out
	shift 4
	out=$(curl -sS --max-time 10 --user "$user:$pw" "$url" "$@" 2>&1)
	if [[ $out == *"INBOX"* ]]; then
		st_ok "$what"
	else
		st_fail "$what" "$out"
	fi
}

# The user named NAME when passwd has it, else its first or last line:
# sets ENTRY_USER (user@domain) and ENTRY_PW.
passwd_entry() {	# name first|last
	local line pick="" first="" last=""
	while IFS= read -r line; do
		[ -n "$first" ] || first=$line
		last=$line
		[ "${line%%@*}" = "$1" ] && pick=$line
	done <"$D/passwd"
	if [ -z "$pick" ]; then
		if [ "$2" = first ]; then pick=$first; else pick=$last; fi
	fi
	ENTRY_USER=${pick%%:*}
	ENTRY_PW=${pick#*:\{PLAIN\}}
}

# Support@Example.Test for support@example.test.
capitalise() {		# address: sets CAPS
	local rest=$1 part
	CAPS=
	while [[ $rest =~ ^([^@.]*)([@.]?)(.*)$ ]]; do
		part=${BASH_REMATCH[1]}
		CAPS+=${part^}${BASH_REMATCH[2]}
		rest=${BASH_REMATCH[3]}
		[ -n "$rest" ] || break
	done
}

cmd_selftest() {
	local tok a apw b bpw imap smtp ca
	set_paths "$1"
	[ -r "$ENVFILE" ] || die "no $ENVFILE: start the stack first"
	[ -r "$D/passwd" ] || die "cannot read $D/passwd (run as root)"
	# shellcheck disable=SC1090
	. "$ENVFILE"
	st_pass=0
	st_failed=0
	tok=mst$$x$RANDOM
	passwd_entry admin1 first
	a=$ENTRY_USER apw=$ENTRY_PW
	passwd_entry support last
	b=$ENTRY_USER bpw=$ENTRY_PW
	capitalise "$b"
	imap="imap://127.0.0.1:$MAILSTACK_IMAP_PORT/"
	smtp="smtp://127.0.0.1:$MAILSTACK_SMTP_PORT"

	st_check "smtp and imap greet" greet "$MAILSTACK_SMTP_PORT:220" "$MAILSTACK_IMAP_PORT:* OK"
	st_send "swaks to $a without AUTH is queued" "$a" "$tok-plain"
	st_ehlo=$st_out
	if [[ $st_out == *"AUTH PLAIN LOGIN"* ]]; then
		st_ok "AUTH PLAIN LOGIN is offered"
	else
		st_fail "AUTH PLAIN LOGIN is offered" "$st_out"
	fi
	st_send "swaks to $a with AUTH PLAIN is queued" "$a" "$tok-sasl" \
	    --auth PLAIN --auth-user "$a" --auth-password "$apw"
	st_send "swaks to ${a%@*}+tag@${a#*@} is queued" "${a%@*}+tag@${a#*@}" "$tok-tag"
	st_send "swaks to $CAPS is queued" "$CAPS" "$tok-case"
	st_refused "mail to another domain: 554 Relay access denied" 554 \
	    'Relay access denied' "someone@elsewhere.invalid" "$tok-relay"
	st_refused "wrong SMTP password: 535" 535 '' "$a" "$tok-badpw" \
	    --auth PLAIN --auth-user "$a" --auth-password "wrong-$tok"
	if [ "$MAILSTACK_TLS" = 1 ]; then
		ca=$MAILSTACK_CA
		st_curl_send "SMTP STARTTLS with the test CA" "$smtp" "$a" \
		    "$tok-starttls" --ssl-reqd --cacert "$ca"
		st_curl_send "SMTPS with the test CA" \
		    "smtps://127.0.0.1:$MAILSTACK_SMTPS_PORT" "$a" "$tok-smtps" \
		    --cacert "$ca"
	fi

	st_delivered "plain message read back over IMAP" "$a" "$apw" "$tok-plain"
	st_delivered "AUTH message read back over IMAP" "$a" "$apw" "$tok-sasl"
	st_delivered "+tag delivered to ${a%@*} (login without domain)" \
	    "${a%@*}" "$apw" "$tok-tag"
	st_delivered "$CAPS delivered to $b" "$b" "$bpw" "$tok-case"
	st_check "message is a file in $MAILSTACK_MAILDIR_ROOT/${a#*@}/${a%@*}/" \
	    grep -rqs -- "body $tok-plain" "$MAILSTACK_MAILDIR_ROOT/${a#*@}/${a%@*}/new" \
	    "$MAILSTACK_MAILDIR_ROOT/${a#*@}/${a%@*}/cur"
	st_curl_exit "wrong IMAP password is refused" 67 --user "$a:wrong-$tok" "$imap"
	if [ "$MAILSTACK_TLS" = 1 ]; then
		st_delivered "STARTTLS message delivered" "$a" "$apw" "$tok-starttls"
		st_delivered "SMTPS message delivered" "$a" "$apw" "$tok-smtps"
		st_imap_list "IMAPS to 127.0.0.1 with the test CA" \
		    "imaps://127.0.0.1:$MAILSTACK_IMAPS_PORT/" "$a" "$apw" --cacert "$ca"
		st_imap_list "IMAPS to localhost with the test CA" \
		    "imaps://localhost:$MAILSTACK_IMAPS_PORT/" "$a" "$apw" --cacert "$ca" \
		    --resolve "localhost:$MAILSTACK_IMAPS_PORT:127.0.0.1"
		st_imap_list "IMAP STARTTLS with the test CA" \
		    "$imap" "$a" "$apw" --ssl-reqd --cacert "$ca"
		st_curl_exit "IMAPS without the test CA fails verification" 60 \
		    --user "$a:$apw" "imaps://127.0.0.1:$MAILSTACK_IMAPS_PORT/"
		st_curl_exit "IMAP STARTTLS without the test CA fails verification" 60 \
		    --user "$a:$apw" --ssl-reqd "$imap"
		st_curl_exit "SMTPS without the test CA fails verification" 60 \
		    "smtps://127.0.0.1:$MAILSTACK_SMTPS_PORT" --mail-from "x@$MAILSTACK_DOMAIN" \
		    --mail-rcpt "$a" -T /dev/null
	fi
	[ "${MAILSTACK_OAUTH2:-0}" = 0 ] || st_oauth2 "$a" "$b"
	echo "selftest: $st_pass passed, $st_failed failed"
	[ $st_failed -eq 0 ]
}

# --- main -------------------------------------------------------------

usage() {
	echo "usage: $0 start|stop|status|selftest|pids DIR, or $0 kick DIR USER" >&2
	exit 2
}

if [ "${1:-}" = kick ]; then
	[ $# -eq 3 ] || usage
	[ -n "$3" ] || usage
else
	[ $# -eq 2 ] || usage
fi
[ -n "$2" ] || usage
TLS=${MAILSTACK_TLS:-0}
case $1 in
start) cmd_start "$2" ;;
stop) cmd_stop "$2" ;;
status) cmd_status "$2" ;;
selftest) cmd_selftest "$2" ;;
pids) cmd_pids "$2" ;;
kick) cmd_kick "$2" "$3" ;;
*) usage ;;
esac
