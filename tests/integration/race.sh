#!/usr/bin/env bash
# A transition happens once (SPEC §1): two CLI processes doing the same
# thing at the same moment must not both do it, nor queue its mails twice.
. "$(dirname "$0")/../support/lib.sh"


# A barrier: both racers wait on this FIFO, which the script keeps open
# for reading and writing so that neither open blocks; one line each
# lets them go together.
mkfifo "$T/go"
exec 9<>"$T/go"

# Runs the agent twice with the same arguments at the same moment; sets
# $rc1 $rc2 and leaves the output in $T/out.N and $T/err.N.
race() {		# argument...
	local k pids=()
	for k in 1 2; do
		(
			read -r _ <"$T/go"
			exec "$MSCAGENT" -c "$T/agent.conf" "$@" \
			    >"$T/out.$k" 2>"$T/err.$k"
		) &
		pids+=($!)
	done
	printf 'go\ngo\n' >&9
	wait "${pids[0]}"
	rc1=$?
	wait "${pids[1]}"
	rc2=$?
}

# Writes a CSV of n tenants named "PREFIX i" and imports it; sets
# $first and $last to the new ids.
import_tenants() {	# prefix n
	awk -v p="$1" -v n="$2" 'BEGIN {
		print "name,customer_admin,msp_admin,workloads,edition"
		for (i = 1; i <= n; i++)
			printf "%s %d,admin%d@race.test,msp@race.test,m365," \
			    "enterprise\n", p, i, i
	}' >"$T/$1.csv"
	agent tenant import "$T/$1.csv"
	first='' last=''
	if [[ $out =~ \(ids\ ([0-9]+)-([0-9]+)\) ]]; then
		first=${BASH_REMATCH[1]}
		last=${BASH_REMATCH[2]}
	fi
}

# tenant show --json of ids first..last, as one JSON array in $shown
# (null for a show that printed nothing).  Four at a time: reading is
# not what is tested here, and the ASan binary is slow to start.
show_all() {		# first last
	local id doc docs=()
	for ((id = $1; id <= $2; id++)); do
		"$MSCAGENT" -c "$T/agent.conf" tenant show "$id" --json \
		    >"$T/show.$id" 2>/dev/null &
		[ $(((id - $1) % 4)) -ne 3 ] || wait
	done
	wait
	for ((id = $1; id <= $2; id++)); do
		doc=$(<"$T/show.$id")
		docs+=("${doc:-null}")
	done
	shown="[$(IFS=,; printf '%s' "${docs[*]}")]"
}

# For each tenant of $shown: how many history rows go from $1 to $2 and
# how many mails of kind $3 there are; the tenants where either is not
# exactly one, as "id:rows:mails" words (empty when all is well).
ONCE='" ".join("%s:%d:%d" % (t["id"], rows, mails) for t in d for rows, mails in [(sum(h["from"] == A and h["to"] == B for h in t["history"]), sum(m["kind"] == K for m in t["mails"]))] if (rows, mails) != (1, 1)) if all(d) else "a tenant show failed"'
not_once() {		# from to mail-kind
	pyj "$shown" "(lambda A, B, K: $ONCE)('$1', '$2', '$3')"
}

make_config
agent init
expect_rc "init" 0

# ---- two approves at once, 20 times ----

import_tenants Approve 20
check "20 tenants imported" test -n "$first" -a "$((last - first))" = 19
agent start $(seq "$first" "$last")
expect_rc "all 20 started" 0

bad_rc=() bad_err=()
for ((id = first; id <= last; id++)); do
	race approve "$id"
	case "$rc1 $rc2" in
	"0 3") loser=2 ;;
	"3 0") loser=1 ;;
	*) bad_rc+=("tenant $id: $rc1 $rc2 ($(cat "$T/err.1" "$T/err.2"))")
	   continue ;;
	esac
	loser_err=$(cat "$T/err.$loser")
	[[ $loser_err == mscagent:* && $loser_err != *$'\n'* ]] ||
	    bad_err+=("tenant $id: $loser_err")
done
if [ ${#bad_rc[@]} -eq 0 ]; then
	ok "two approves at once: one exits 0, the other 3 (20 tenants)"
else
	not_ok "two approves at once: one exits 0, the other 3 (20 tenants)" \
	    "${bad_rc[@]}"
fi
if [ ${#bad_err[@]} -eq 0 ]; then
	ok "the refused approve says why on one stderr line"
else
	not_ok "the refused approve says why on one stderr line" "${bad_err[@]}"
fi
show_all "$first" "$last"
expect_eq "each tenant: one approval transition, one verification mail" \
    "$(not_once awaiting_approval awaiting_verification verification)" ""
expect_eq "each tenant: one approval receipt" \
    "$(not_once awaiting_approval awaiting_verification approval_receipt)" ""
expect_eq "each tenant is awaiting_verification with token generation 1" \
    "$(pyj "$shown" '" ".join(str(t["id"]) for t in d if t is None or t["state"] != "awaiting_verification" or (t["token"] or {}).get("generation") != 1)')" \
    ""

# ---- two starts of the same new tenant at once, 10 times ----

import_tenants Start 10
bad_rc=()
for ((id = first; id <= last; id++)); do
	race start "$id"
	[ "$rc1 $rc2" == "0 3" ] || [ "$rc1 $rc2" == "3 0" ] ||
	    bad_rc+=("tenant $id: $rc1 $rc2 ($(cat "$T/err.1" "$T/err.2"))")
done
if [ ${#bad_rc[@]} -eq 0 ]; then
	ok "two starts at once: one exits 0, the other 3 (10 tenants)"
else
	not_ok "two starts at once: one exits 0, the other 3 (10 tenants)" \
	    "${bad_rc[@]}"
fi
show_all "$first" "$last"
expect_eq "each tenant: one start transition, one approval request" \
    "$(not_once new awaiting_approval approval_request)" ""

# ---- start --all twice at once over 50 new tenants ----

import_tenants All 50
race start --all
expect_match "both start --all exit 0 or 3, never 2 (no 'database is locked')" \
    "$rc1 $rc2" '^[03] [03]$'
started=$(cat "$T/out.1" "$T/out.2" | grep -c ': new -> awaiting_approval')
expect_eq "the two runs together report 50 starts" "$started" 50
expect_eq "no tenant is reported started by both" \
    "$(cat "$T/out.1" "$T/out.2" | grep ': new -> awaiting_approval' |
        sort | uniq -d)" ""
show_all "$first" "$last"
expect_eq "each of the 50: one start transition, one approval request" \
    "$(not_once new awaiting_approval approval_request)" ""
expect_eq "approval_request mails in all: 50" \
    "$(pyj "$shown" 'sum(m["kind"] == "approval_request" for t in d if t for m in t["mails"])')" \
    50
agent tenant list --state new --json
expect_eq "no tenant is left new" "$(pyj "$out" 'len(d)')" 0
