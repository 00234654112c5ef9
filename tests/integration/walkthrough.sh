#!/usr/bin/env bash
# docs/walkthrough.md, run as a reader pastes it: its ```sh blocks in
# order, in one shell, on a fresh copy of the shipped config and
# templates, and what each prints checked against the ```text block
# below it.  The page cannot drift from what the agent does.
#
# What differs from a reader's run, and why:
# - the ```sh agent block runs in the background, as the reader's first
#   terminal; `make run` in it is what the Makefile's run target does
#   (init, then run) with the binary under test, not a build;
# - the listener gets a free port instead of 8025 (everywhere the page
#   says 8025), and the console is off, so that tests running side by
#   side, or an agent of one's own, never collide;
# - in expected output `…` matches any text, and a time like
#   2026-12-07T02:16:00Z any time.
. "$(dirname "$0")/../support/lib.sh"

DOC=$TOP/docs/walkthrough.md
TREE=$T/tree
STEPS_TIMEOUT=120	# seconds for the whole page; each wait is a second

mkdir -p "$TREE/build"
cp -R "$TOP/conf" "$TOP/mailtemplates" "$TREE/"
printf '#!/bin/sh\nexec "%s" "$@"\n' "$MSCAGENT" >"$TREE/build/mscagent"
chmod 0755 "$TREE/build/mscagent"
PORT=$(free_port)
sed -i -e "s/8025/$PORT/g" \
    -e '/^\[console\]/,/^\[/s/^port = .*/port = 0/' "$TREE/conf/agent.conf"

# The page's blocks as a script (steps.sh) and the expected outputs
# (expect.N); block N's output goes to out.N.
"$PY" -S - "$DOC" "$T" "$PORT" <<'PYEOF'
import re, sys
doc, t, port = sys.argv[1:]
blocks, cur = [], None
for line in open(doc, encoding="utf-8").read().split("\n"):
    m = re.match(r"^```(.*)$", line)
    if m and cur is None:
        cur = [m.group(1).strip(), []]
    elif m:
        blocks.append((cur[0], "\n".join(cur[1]).replace("8025", port)))
        cur = None
    elif cur is not None:
        cur[1].append(line)
steps, n, last = [], 0, None
for info, text in blocks:
    if info == "sh agent":
        run = text.replace("make run",
            "build/mscagent -c conf/agent.conf init && "
            "exec build/mscagent -c conf/agent.conf run")
        steps.append("( %s ) >%s/agent.out 2>%s/agent.err &\n"
                     "echo $! >%s/agent.pid\n"
                     "until curl -fs http://127.0.0.1:%s/healthz >/dev/null; "
                     "do sleep 0.2; done" % (run, t, t, t, port))
        last = "agent"
    elif info == "sh":
        n += 1
        steps.append("echo %d >%s/reached\n{\n%s\n} >%s/out.%d 2>&1"
                     % (n, t, text, t, n))
        open("%s/cmd.%d" % (t, n), "w", encoding="utf-8").write(
            text.split("\n")[0])
        last = str(n)
    elif info == "text" and last is not None:
        name = "expect.agent" if last == "agent" else "expect." + last
        open("%s/%s" % (t, name), "w", encoding="utf-8").write(text + "\n")
        last = None
open(t + "/steps.sh", "w", encoding="utf-8").write(
    "cd %s/tree || exit 1\n" % t + "\n".join(steps) + "\n")

PYEOF

# 1 when file $1 is what expected file $2 shows, line for line.
matches() {		# output expected
	"$PY" -S - "$1" "$2" <<'PYEOF'
import re, sys
got = open(sys.argv[1], encoding="utf-8").read().rstrip("\n").split("\n")
want = open(sys.argv[2], encoding="utf-8").read().rstrip("\n").split("\n")
stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
def pattern(line):
    out = []
    for part in re.split("(…|%s)" % stamp, line):
        if part == "…":
            out.append(".*")
        elif re.fullmatch(stamp, part):
            out.append(stamp)
        else:
            out.append(re.escape(part))
    return "".join(out)
bad = [(w, g) for w, g in zip(want, got) if not re.fullmatch(pattern(w), g)]
if len(got) != len(want) or bad:
    print("%d lines, the page shows %d" % (len(got), len(want)))
    for w, g in bad[:3]:
        print("page: %s" % w)
        print("got:  %s" % g)
    sys.exit(1)
PYEOF
}

t0=$(date +%s)
timeout "$STEPS_TIMEOUT" bash "$T/steps.sh" >"$T/steps.log" 2>&1
steps_rc=$?
AGENT_PID=$(cat "$T/agent.pid" 2>/dev/null)
expect_eq "the whole page runs within ${STEPS_TIMEOUT} s" \
    "$steps_rc" "0"
echo "# the page took $(($(date +%s) - t0)) s"

if [ -f "$T/expect.agent" ]; then
	if why=$(matches "$T/agent.out" "$T/expect.agent"); then
		ok "the agent's first terminal prints what the page shows"
	else
		not_ok "the agent's first terminal prints what the page shows" \
		    "$why"
	fi
fi
for exp in "$T"/expect.[0-9]*; do
	n=${exp##*.}
	what="block $n ($(cat "$T/cmd.$n")) prints what the page shows"
	if [ ! -f "$T/out.$n" ]; then
		not_ok "$what" "never reached (block $(cat "$T/reached" \
		    2>/dev/null) was the last)" "$(tail -5 "$T/steps.log")"
	elif why=$(matches "$T/out.$n" "$exp"); then
		ok "$what"
	else
		not_ok "$what" "$why"
	fi
done
expect_no_match "nothing the agent logged is an error" \
    "$(cat "$T/agent.err" 2>/dev/null)" " (error|warn) "
