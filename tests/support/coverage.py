#!/usr/bin/env python3
"""Branch coverage of some agent/*.c files, from gcov's own counts.

usage: coverage.py [--min-total P] [--min-file P] OBJDIR NAME...

Reads OBJDIR/NAME.gcno and .gcda (gcc --coverage) through gcov's JSON
output and prints, per file and in total, the branches taken at least
once out of all branches (what `gcov -b` calls "Taken at least once").
Exits 1 when the total is under --min-total or a file under --min-file
percent, 2 when a file has no counts (not built or never run).
"""
import argparse
import gzip
import json
import os
import subprocess
import sys


def branches(objdir, name):
    """(taken, total) for agent/NAME.c, or None without counts."""
    src = os.path.join("agent", name + ".c")
    if not os.path.exists(os.path.join(objdir, name + ".gcda")):
        return None
    out = subprocess.run(
        ["gcov", "--json-format", "--stdout", "--branch-probabilities",
         "--object-directory", objdir, src],
        check=True, capture_output=True).stdout
    taken = total = 0
    # One JSON document per line, one per source gcov was given.
    for doc in out.splitlines():
        if doc.startswith(b"\x1f\x8b"):
            doc = gzip.decompress(doc)
        for f in json.loads(doc)["files"]:
            # Functions inlined from headers come as files of their own.
            if os.path.normpath(f["file"]) != src:
                continue
            for line in f["lines"]:
                for b in line.get("branches", []):
                    total += 1
                    taken += b["count"] > 0
    return taken, total


def pct(taken, total):
    return 100.0 * taken / total if total else 100.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--min-total", type=float, default=0)
    ap.add_argument("--min-file", type=float, default=0)
    ap.add_argument("objdir")
    ap.add_argument("names", nargs="+")
    a = ap.parse_args()

    rows, missing = [], []
    for name in a.names:
        r = branches(a.objdir, name)
        if r is None:
            missing.append(name)
        else:
            rows.append((name, *r))
    print("%-14s %8s %8s %7s" % ("file", "taken", "branches", "%"))
    low = []
    for name, taken, total in rows:
        p = pct(taken, total)
        flag = ""
        if p < a.min_file:
            low.append(name)
            flag = "  < %g" % a.min_file
        print("%-14s %8d %8d %6.1f%%%s" % (name + ".c", taken, total, p,
                                            flag))
    taken = sum(r[1] for r in rows)
    total = sum(r[2] for r in rows)
    p = pct(taken, total)
    print("%-14s %8d %8d %6.1f%%%s" % ("total", taken, total, p,
          "  < %g" % a.min_total if p < a.min_total else ""))
    if missing:
        print("coverage: no counts for %s" % ", ".join(missing),
              file=sys.stderr)
        return 2
    if p < a.min_total or low:
        print("coverage: under target (total %g%%, each file %g%%)"
              % (a.min_total, a.min_file), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
