#!/usr/bin/env bash
# bench/deps.sh: installs the load generator and the reference server the
# page bench needs (wrk, nginx), the way `make test` installs its own:
# apt-get, without questions, once.  No system nginx may start on :80
# while it installs: a temporary policy-rc.d forbids it when the machine
# has none.  The mail benches install Postfix and Dovecot through
# tests/support/mailstack.sh.
#
#   bench/deps.sh wrk nginx      (as root when something is missing)
set -u
missing=""
for p in "$@"; do
	command -v "$p" >/dev/null || missing+=" $p"
done
[ -n "$missing" ] || exit 0
[ "$EUID" -eq 0 ] && command -v apt-get >/dev/null || {
	echo "bench: missing$missing; run as root: apt-get install${missing/nginx/nginx-light}" >&2
	exit 1
}
packages=${missing/nginx/nginx-light}
log=/tmp/bench-install.log
policy=/usr/sbin/policy-rc.d
echo "bench: installing$packages (log: $log)" >&2
if [ ! -e "$policy" ]; then
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
	printf '#!/bin/sh\n# bench: no daemons while installing\nexit 101\n' \
	    >"$policy" && chmod 755 "$policy"
fi
apt_install() {
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends -o DPkg::Lock::Timeout=600 $packages \
	    >>"$log" 2>&1
}
# The lists may be missing or stale: update only when needed.
apt_install || { DEBIAN_FRONTEND=noninteractive apt-get update -q \
    -o DPkg::Lock::Timeout=600 >>"$log" 2>&1 && apt_install; } || {
	tail -20 "$log" >&2
	echo "bench: apt-get could not install$packages" >&2
	exit 1
}
for p in "$@"; do
	command -v "$p" >/dev/null ||
	    { echo "bench: $p still missing after apt-get" >&2; exit 1; }
done
