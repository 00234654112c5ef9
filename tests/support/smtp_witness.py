#!/usr/bin/env python3
"""An SMTP server that looks into the agent's database as each message's
content begins, and writes down whether every message it accepted before
is already recorded as sent.

A real server cannot say what the database held at that instant, and that
instant is the promise under test: a mail's content leaves only once the
mail before it is recorded, so that a crash leaves at most one in doubt.

    smtp_witness.py PORT DATABASE LOG [HOLD_SECONDS]

LOG is made once the server listens; it gets one line per message: "ok N"
when all N accepted before it were recorded as sent (beyond those sent
before it started), else "late N M" (M recorded), or "cut N" when the
client ended the session before the content began (after DATA, or
between commands).  The server answers 250 to everything and stops
when the client says QUIT or cuts.

As it accepts the first message it holds the database's write lock for
HOLD_SECONDS (half a second unless told), as another process's long
transaction would: recording that message must wait, and so must the
next message's content.  Held past the agent's busy timeout, the record
fails, and the next message's content must never come.
"""
import socket
import sqlite3
import sys
import threading
import time

def recorded(db):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
    try:
        return con.execute(
            "SELECT count(*) FROM outbox WHERE status = 'sent'").fetchone()[0]
    finally:
        con.close()


def hold_write_lock(db, taken, seconds):
    con = sqlite3.connect(db, timeout=10, isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    taken.set()
    time.sleep(seconds)
    con.execute("ROLLBACK")
    con.close()


def content(f, db, log, before, accepted):
    """Reads one message's content up to its lone "."; writes the line
    for it as it begins.  False when the client ended the session
    before the content began."""
    try:
        body = f.readline()
    except ConnectionError:
        return False
    if body == b"":
        return False
    n = recorded(db) - before
    log.write("ok %d\n" % accepted if n == accepted
              else "late %d %d\n" % (accepted, n))
    log.flush()
    while body not in (b".\r\n", b""):
        body = f.readline()
    return True


def session(conn, db, log, before, hold):
    accepted = 0
    f = conn.makefile("rb")
    conn.sendall(b"220 witness ESMTP\r\n")
    for line in f:
        verb = line[:4].upper()
        if verb in (b"EHLO", b"HELO"):
            conn.sendall(b"250-witness\r\n250 8BITMIME\r\n")
        elif verb == b"QUIT":
            conn.sendall(b"221 bye\r\n")
            return True
        elif verb == b"DATA":
            conn.sendall(b"354 go on\r\n")
            if not content(f, db, log, before, accepted):
                log.write("cut %d\n" % accepted)
                log.flush()
                return True
            if accepted == 0:
                taken = threading.Event()
                threading.Thread(target=hold_write_lock,
                                 args=(db, taken, hold)).start()
                taken.wait()
            accepted += 1
            conn.sendall(b"250 2.0.0 accepted\r\n")
        else:
            conn.sendall(b"250 ok\r\n")
    # Ended without QUIT, between commands: the content never began.
    if accepted > 0:
        log.write("cut %d\n" % accepted)
        log.flush()
        return True
    return False


def main():
    port, db, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    hold = float(sys.argv[4]) if len(sys.argv) > 4 else 0.5
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(1)
    before = recorded(db)
    with open(path, "w") as log:
        while True:
            conn, _ = srv.accept()
            with conn:
                if session(conn, db, log, before, hold):
                    return


main()
